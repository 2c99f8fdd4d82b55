"""Outputs appear whole or not at all, readable like any file, and never over what the toolkit did not write."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.errors import InputError
from consolidate.io import MARKER, atomic_file, atomic_folder, claim_folder, is_ours, write_text


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def debris(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_folder_is_marked_and_readable(tmp_path):
    with atomic_folder(tmp_path / "out", kind="plan") as tmp:
        (tmp / "plan.csv").write_text("x\n")
        (tmp / "charts").mkdir()
        (tmp / "charts" / "a.svg").write_text("<svg/>")
    out = tmp_path / "out"
    assert is_ours(out) and json.loads((out / MARKER).read_text())["files"] == ["charts/a.svg", "plan.csv"]
    assert mode(out) == 0o755 and mode(out / "charts") == 0o755
    assert mode(out / "plan.csv") == 0o644 and mode(out / MARKER) == 0o644
    assert debris(tmp_path) == []


def test_replaces_our_folder_and_keeps_files_a_user_added(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        (tmp / "old.csv").write_text("old")
    (out / "notes.txt").write_text("mine")
    with atomic_folder(out) as tmp:
        (tmp / "new.csv").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "new.csv", "notes.txt"]
    assert (out / "notes.txt").read_text() == "mine" and debris(tmp_path) == []
    # a user file with the name of one we are about to write: refused, nothing lost
    (out / "clash.csv").write_text("mine too")
    with pytest.raises(InputError, match="clash.csv"):
        with atomic_folder(out) as tmp:
            (tmp / "clash.csv").write_text("ours")
    assert (out / "clash.csv").read_text() == "mine too" and (out / "new.csv").is_file()
    assert debris(tmp_path) == []


def test_refuses_a_folder_it_did_not_write(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.docx").write_text("years of work")
    with pytest.raises(InputError, match="choose another --out, or empty that folder"):
        with atomic_folder(keep) as tmp:
            (tmp / "plan.csv").write_text("x")
    assert (keep / "thesis.docx").read_text() == "years of work" and debris(tmp_path) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_folder(empty) as tmp:  # an empty folder holds nothing to lose
        (tmp / "plan.csv").write_text("x")
    assert (empty / "plan.csv").is_file()


def test_never_writes_or_deletes_through_a_link(tmp_path):
    real = tmp_path / "real"
    with atomic_folder(real) as tmp:
        (tmp / "plan.csv").write_text("x")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        with atomic_folder(link):
            pass
    with pytest.raises(InputError, match="symbolic link"):
        write_text(tmp_path / "link", "x")
    assert (real / "plan.csv").read_text() == "x" and link.is_symlink() and debris(tmp_path) == []


def test_an_exception_inside_leaves_the_old_output(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        (tmp / "plan.csv").write_text("old")
    for error in (RuntimeError, KeyboardInterrupt):
        with pytest.raises(error):
            with atomic_folder(out) as tmp:
                (tmp / "plan.csv").write_text("half")
                raise error()
        assert (out / "plan.csv").read_text() == "old" and debris(tmp_path) == []
    with pytest.raises(RuntimeError):
        with atomic_folder(tmp_path / "new"):
            raise RuntimeError()
    assert not (tmp_path / "new").exists() and debris(tmp_path) == []


def test_sigterm_mid_write_leaves_the_old_plan_and_no_debris(tmp_path):
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        (tmp / "plan.csv").write_text("old")
    child = textwrap.dedent(f"""
        import sys, time
        from consolidate.io import Terminated, atomic_folder, raise_on_sigterm
        raise_on_sigterm()
        try:
            with atomic_folder({str(out)!r}) as tmp:
                (tmp / "plan.csv").write_text("half")
                print("writing", flush=True)
                time.sleep(60)
        except Terminated:
            sys.exit(143)
    """)
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    assert len(debris(tmp_path)) == 1  # the temporary folder, while it works
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    assert (out / "plan.csv").read_text() == "old" and debris(tmp_path) == []


def test_single_files(tmp_path):
    path = tmp_path / "report.html"
    write_text(path, "<meta name=generator content=us> v1", signature="content=us")
    assert mode(path) == 0o644 and debris(tmp_path) == []
    write_text(path, "<meta name=generator content=us> v2", signature="content=us")  # ours: overwritten
    assert path.read_text().endswith("v2")
    theirs = tmp_path / "theirs.html"
    theirs.write_text("a page someone wrote")
    with pytest.raises(InputError, match="not written by the toolkit"):
        write_text(theirs, "x", signature="content=us")
    assert theirs.read_text() == "a page someone wrote"
    with pytest.raises(RuntimeError):
        with atomic_file(path, signature="content=us") as tmp:
            tmp.write_text("half")
            raise RuntimeError()
    assert path.read_text().endswith("v2") and debris(tmp_path) == []


def test_a_claimed_folder_records_what_it_wrote(tmp_path):
    folder = claim_folder(tmp_path / "sweep", kind="sweep")
    write_text(folder / "sweep.csv", "a\n")
    write_text(folder / "sweep.csv", "b\n")  # listed in the marker, so ours to overwrite
    (folder / "mine.csv").write_text("user")
    with pytest.raises(InputError):
        write_text(folder / "mine.csv", "x")
    assert json.loads((folder / MARKER).read_text())["files"] == ["sweep.csv"]
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.docx").write_text("x")
    with pytest.raises(InputError, match="empty that folder"):
        claim_folder(keep, kind="sweep")


# --- every command, end to end ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    old = os.umask(0o022)
    try:
        out = tmp_path_factory.mktemp("io") / "plan"
        result = CliRunner().invoke(main, ["run", "--no-charts", "--out", str(out)])
        assert result.exit_code == 0, result.output
        return out
    finally:
        os.umask(old)


def test_run_out_keeps_a_thesis(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.docx").write_text("x")
    result = CliRunner().invoke(main, ["run", "--no-charts", "--out", str(keep)])
    assert result.exit_code == 2, result.output
    assert str(keep) in result.output and "choose another --out" in result.output
    assert (keep / "thesis.docx").read_text() == "x" and sorted(os.listdir(keep)) == ["thesis.docx"]
    assert debris(tmp_path) == []


def test_rerun_into_our_plan_folder_and_a_symlink(plan_dir, tmp_path):
    again = CliRunner().invoke(main, ["run", "--no-charts", "--out", str(plan_dir)])
    assert again.exit_code == 0, again.output
    link = tmp_path / "link"
    link.symlink_to(plan_dir, target_is_directory=True)
    refused = CliRunner().invoke(main, ["run", "--no-charts", "--out", str(link)])
    assert refused.exit_code == 2 and "symbolic link" in refused.output
    assert (plan_dir / "plan.csv").is_file() and link.is_symlink()


def every_mode(folder: Path) -> set[int]:
    found = {mode(folder)}
    for root, dirs, files in os.walk(folder):
        found |= {mode(Path(root) / d) for d in dirs} | {mode(Path(root) / f) for f in files}
    return found


def test_every_command_writes_0755_folders_and_0644_files(plan_dir, tmp_path, small_region):
    commands = {
        "allocate": ["allocate", str(plan_dir), "--out", str(tmp_path / "allocate")],
        "compare": ["compare", str(plan_dir), str(plan_dir), "--out", str(tmp_path / "compare")],
        "score": ["score", str(small_region), "--out", str(tmp_path / "score")],
        "sweep": ["sweep", "baseline", "--region", str(small_region), "--grid", "rules.district_cap=2,3",
                  "--workers", "1", "--no-progress", "--out", str(tmp_path / "sweep")],
        "run": ["run", "baseline", "--region", str(small_region), "--out", str(tmp_path / "run")],
    }
    for name, args in commands.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (name, result.output)
        assert every_mode(tmp_path / name) == {0o755, 0o644}, name
    plotted = CliRunner().invoke(main, ["plot", str(tmp_path / "run"), "--lang", "en"])
    assert plotted.exit_code == 0, plotted.output
    assert every_mode(tmp_path / "run") == {0o755, 0o644}
    report = CliRunner().invoke(main, ["report", str(plan_dir), "--out", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output
    assert mode(tmp_path / "r.html") == 0o644
    assert debris(tmp_path) == []


def test_report_overwrites_only_its_own_file(plan_dir, tmp_path):
    out = tmp_path / "report.html"
    for _ in range(2):  # the second run overwrites the report the first one wrote
        result = CliRunner().invoke(main, ["report", str(plan_dir), "--out", str(out)])
        assert result.exit_code == 0, result.output
    mine = tmp_path / "mine.html"
    mine.write_text("<html>my own page</html>")
    result = CliRunner().invoke(main, ["report", str(plan_dir), "--out", str(mine)])
    assert result.exit_code == 2 and "not written by the toolkit" in result.output
    assert mine.read_text() == "<html>my own page</html>"


def test_debris_of_a_killed_write_is_cleared_next_time(tmp_path):
    out = tmp_path / "out"
    child = f"""
import os
from consolidate.io import atomic_folder
with atomic_folder({str(out)!r}) as tmp:
    (tmp / "plan.csv").write_text("half")
    os.kill(os.getpid(), 9)
"""
    assert subprocess.run([sys.executable, "-c", child]).returncode == -signal.SIGKILL
    assert len(debris(tmp_path)) == 1  # SIGKILL cannot be cleaned up after …
    with atomic_folder(out) as tmp:    # … but the next write of the same output clears it
        (tmp / "plan.csv").write_text("whole")
    assert debris(tmp_path) == [] and (out / "plan.csv").read_text() == "whole"
