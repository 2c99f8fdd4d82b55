"""Bad input to any command ends in a clear message and exit code 2 — never a traceback."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from consolidate.cli import main


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("plans") / "good"
    result = CliRunner().invoke(main, ["run", "--no-charts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def corrupt(plan_dir, tmp_path, name, how):
    broken = tmp_path / name
    shutil.copytree(plan_dir, broken)
    how(broken)
    return broken


BREAKAGES = {
    "summary not json": lambda d: (d / "summary.json").write_text("{not json", encoding="utf-8"),
    "summary without scenario": lambda d: (d / "summary.json").write_text(json.dumps({"scenario": "x"}),
                                                                         encoding="utf-8"),
    "plan lacks columns": lambda d: (d / "plan.csv").write_text("zone_id,status\nx,host\n", encoding="utf-8"),
    "plan empty": lambda d: (d / "plan.csv").write_text("", encoding="utf-8"),
    "no districts": lambda d: (d / "districts.csv").unlink(),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
@pytest.mark.parametrize("command", [["allocate"], ["plot"], ["report", "--out", "{tmp}/r.html"]])
def test_broken_plan_folders(plan_dir, tmp_path, breakage, command):
    broken = corrupt(plan_dir, tmp_path, "broken", BREAKAGES[breakage])
    args = [command[0], str(broken)] + [a.format(tmp=tmp_path) for a in command[1:]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (breakage, result.output, result.exception)
    assert "Traceback" not in result.output and str(broken.name) in result.output


@pytest.mark.parametrize("args, expected", [
    (["run", "--set", "rules.distict_cap=2"], "allowed keys here"),
    (["run", "--set", "allocation.gdp=split:1.5"], "between 0 and 1"),
    (["run", "--set", "pins.keep=[G121002]", "--set", "pins.revoke=[G121002]"], "pins.revoke"),
    (["run", "--set", "fairness.max_district_loss=0.1", "--set", "fairness.measures=[name]"], "numeric"),
    (["run", "--set", "merging.contiguity=nearby", "--set", "merging.max_distance_km=null"], "max_distance_km"),
    (["run", "no-such-scenario"], "bundled scenario"),
    (["run", "--region", "no/such/folder"], "no region model here"),
    (["sweep", "--grid", "rules.district_cap"], "--grid"),
])
def test_bad_run_inputs(tmp_path, args, expected):
    result = CliRunner().invoke(main, args + ["--out", str(tmp_path / "out")])
    assert result.exit_code == 2, (result.output, result.exception)
    assert expected in result.output and not (tmp_path / "out").exists()


def test_a_reader_that_closes_stdout_early_is_not_bad_input(tmp_path):
    """`consolidate run … | head -1`: a closed stdout ends the command quietly with 141 (as Unix tools do),
    never exit 2 with "Broken pipe". A pipe whose reader is already gone makes this deterministic; the real
    `| head -1` may also finish before head exits (0)."""
    import os
    import subprocess
    import sys

    from regions import write_region

    folder = write_region(tmp_path / "r", [{"district_id": "A", "name": "甲区"}],
                          [{"zone_id": f"z{k}", "name": f"园区{k}", "district_id": "A", "lat": 39.0, "lon": 117 + k / 100}
                           for k in range(4)], derive={"method": "distance", "max_km": 50},
                          rules={"district_cap": 2, "exempt_districts": []})
    command = [sys.executable, "-c", "from consolidate.cli import main; main()", "run", "--region", str(folder),
               "--no-charts", "--out"]
    read, write = os.pipe()
    os.close(read)
    closed = subprocess.run(command + [str(tmp_path / "closed")], stdout=write, stderr=subprocess.PIPE, text=True)
    os.close(write)
    assert closed.returncode == 141 and closed.stderr == "", closed.stderr
    piped = subprocess.run(["bash", "-c", '"$@" | head -1; exit "${PIPESTATUS[0]}"', "bash", *command,
                            str(tmp_path / "head")], capture_output=True, text=True)
    assert piped.returncode in (0, 141) and "Broken pipe" not in piped.stderr and piped.stderr == "", piped.stderr
    assert len(piped.stdout.splitlines()) == 1
