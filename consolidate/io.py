"""Writing outputs: whole or not at all, readable like any other file, and never over what is not ours.

    with atomic_folder("out/baseline", kind="plan") as folder:   # a temporary folder beside the target
        write everything into folder                              # swapped in only when the block succeeds
    with atomic_file("report.html", signature=GENERATOR_TAG) as tmp:
        tmp.write_text(html)                                      # fsynced, then os.replace'd into place

The rules, the same for every command:

- A folder is built in a hidden temporary sibling (`.NAME.tmp-XXXX`) and renamed into place when it
  is complete. An exception, Ctrl-C or SIGTERM (the CLI turns it into an exception) removes the
  temporary folder and leaves the previous output as it was. A write killed outright (SIGKILL) cannot
  clean up; the next write of the same output removes what it left.
- Every folder the toolkit writes carries a marker file, `.consolidate` (JSON: who wrote it, the kind
  of output, the toolkit's version and the files it wrote). An existing `--out` is replaced only when
  it carries that marker (or is empty). Any other non-empty folder is refused — exit 2, naming the
  folder and how to fix it. Files a user added to one of our folders since are not ours: they are
  moved into the new folder as they are (or, if the new output has a file of the same name, the
  write is refused), so a user's files survive in every case.
- A symbolic link as the output is refused: nothing is ever deleted through a link.
- A single file (report.html, sweep.csv, a chart) is written to a temporary file beside it, fsynced and
  `os.replace`d. An existing file is overwritten only when the toolkit wrote it: its folder's marker
  lists it, or it carries the writer's signature (report.html: `<meta name="generator"
  content="consolidate">`). Otherwise exit 2.
- Folders come out 0777 and files 0666 minus the umask (0755 / 0644 under the usual umask 022),
  never the private 0700 / 0600 of `tempfile`.
"""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import InputError, InputIssue

MARKER = ".consolidate"
WRITER = "consolidate"
_SIGNATURE_WINDOW = 4096  # a file's signature must be in its first bytes


class Terminated(BaseException):
    """SIGTERM, raised so that every `finally` and every temporary folder is cleaned up (exit 143)."""


def raise_on_sigterm() -> None:
    """Turn SIGTERM into the `Terminated` exception (the CLI installs this; a library caller may too)."""
    owner = os.getpid()

    def handler(signum, frame):
        if os.getpid() != owner:  # a forked worker: die as a worker should, the parent cleans up
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated()

    signal.signal(signal.SIGTERM, handler)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def output_path(out: str | Path, what: str = "--out") -> Path:
    """The absolute path an output will take, its parent's links resolved but never the output's own."""
    out = Path(out).expanduser()
    target = out.parent.resolve() / out.name
    if not out.name or out.name in (".", ".."):
        target = out.resolve()
    if target.is_symlink():
        raise InputError(InputIssue(str(target), f"{what} is a symbolic link (to {os.readlink(target)}); the toolkit "
                                 "never writes or deletes through a link",
                                 "give the real folder path, or another --out"))
    return target


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder this toolkit wrote, or None."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != WRITER:
        return None
    files = data.get("files")
    data["files"] = [f for f in files if isinstance(f, str)] if isinstance(files, list) else []
    return data


def is_ours(folder: Path) -> bool:
    """True when `folder` carries the marker of a folder this toolkit wrote."""
    return read_marker(folder) is not None


def check_folder_target(out: str | Path) -> Path:
    """Refuse early (exit 2) an `--out` that the toolkit may not replace; returns its absolute path.

    Commands call this before any long work, so a wrong --out fails in a second, not after a solve."""
    target = output_path(out)
    if not target.exists():
        return target
    if not target.is_dir():
        raise InputError(InputIssue(str(target), "--out is a file, not a folder", "give a folder path"))
    if is_ours(target) or not any(target.iterdir()):
        return target
    raise InputError(InputIssue(str(target), "--out is a folder that the toolkit did not write and it is not empty; "
                             f"it has no {MARKER} marker, so its files are left alone",
                             "choose another --out, or empty that folder"))


def write_marker(folder: Path, kind: str, files: list[str] = (), building: bool = False) -> None:
    """The marker; while a folder is `building`, it also names the writing process (see _clear_debris)."""
    from ._version import __version__

    data = {"written_by": WRITER, "kind": kind, "version": __version__, "files": sorted(set(files))}
    if building:
        data["pid"] = os.getpid()
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    fd, name = tempfile.mkstemp(prefix=f"{MARKER}.tmp-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(name, 0o666 & ~umask())
        os.replace(name, folder / MARKER)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _files(folder: Path) -> list[str]:
    """Every file under `folder` (links as files, never followed), as POSIX paths relative to it."""
    out = []
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        out += [(base / name).as_posix() for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]]
    return sorted(f for f in out if f != MARKER)


def claim_folder(out: str | Path, kind: str) -> Path:
    """A folder written into in place (a sweep that fills sweep.csv as variants finish and resumes):
    created and marked if new, reused if ours or empty, refused otherwise."""
    target = check_folder_target(out)
    target.mkdir(parents=True, exist_ok=True)
    if not is_ours(target):
        write_marker(target, kind)
    return target


def _record(path: Path) -> None:
    """List a file just written in its folder's marker (a folder written in place, like a sweep's)."""
    with _folder_locked(path.parent):         # processes writing into one folder (a plan's charts) take turns
        marker = read_marker(path.parent)
        if marker is not None and path.name not in marker["files"]:
            write_marker(path.parent, marker.get("kind", "output"), marker["files"] + [path.name])


@contextlib.contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself (flock on its descriptor: no lock file to clean up)."""
    try:
        import fcntl
    except ImportError:   # Windows: no fork either, so one writer per folder
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_folder(out: str | Path, kind: str = "plan") -> Iterator[Path]:
    """Build an output folder in a temporary sibling; on success swap it in for `out`.

    Yields the temporary folder (already marked). An existing `out` is replaced only when it is ours or
    empty; on any exception (Ctrl-C and SIGTERM included) the temporary folder is removed and `out` is
    left untouched."""
    target = check_folder_target(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    _clear_debris(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes it private; an output is as readable as any folder
        write_marker(tmp, kind, building=True)
        yield tmp
        written = _files(tmp)
        write_marker(tmp, kind, written)
        _fsync_tree(tmp)
        with _signals_held():
            check_folder_target(target)  # again: the folder may have changed while we worked
            _carry_user_files(target, tmp, written)
            _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _clear_debris(target: Path) -> None:
    """Remove the temporary folders an earlier write of `target` left when it was killed outright (SIGKILL,
    power loss) — ours by their marker, their writing process gone — and put back a previous output such a
    write had moved aside but not yet replaced."""
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.tmp-*"):
        marker = read_marker(tmp) if tmp.is_dir() and not tmp.is_symlink() else None
        pid = marker.get("pid") if marker else None
        if isinstance(pid, int) and not _alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
    for old in target.parent.glob(f".{glob.escape(target.name)}.old-*"):  # killed mid-swap: the previous output
        pid = old.name.rpartition("-")[2]
        if pid.isdigit() and not _alive(int(pid)) and is_ours(old) and not old.is_symlink():
            if target.exists() or target.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(old, target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _carry_user_files(old: Path, new: Path, written: list[str]) -> None:
    """Move the files of `old` that the toolkit did not write into `new`, where they stay as they were."""
    marker = read_marker(old)
    if marker is None:
        return  # absent or empty
    theirs = [f for f in _files(old) if f not in set(marker["files"])]
    clash = sorted(set(theirs) & set(written))
    if clash:
        raise InputError(InputIssue(str(old / clash[0]), "was not written by the toolkit and the new output has a file "
                                 "of that name", "move that file out of the folder, or choose another --out"))
    for name in theirs:
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(old / name, new / name)


def _swap_in(new: Path, target: Path) -> None:
    if not target.exists():
        os.replace(new, target)
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)  # ours (checked), and rmtree never follows links inside it


@contextlib.contextmanager
def atomic_file(path: str | Path, signature: str | bytes | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success fsync it and `os.replace` it into place.

    An existing `path` is overwritten only when the toolkit wrote it: it lies in a folder carrying our
    marker, or its first bytes hold `signature`. Otherwise exit 2, and the file is left as it was."""
    target = output_path(path, "the output file")
    check_file_target(target, signature)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~umask())
        yield tmp
        _fsync(tmp)
        with _signals_held():
            check_file_target(target, signature)
            os.replace(tmp, target)
            _record(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str, signature: str | bytes | None = None) -> Path:
    """`atomic_file` for a text (UTF-8, LF line ends)."""
    with atomic_file(path, signature) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return Path(path)


def check_file_target(target: Path, signature: str | bytes | None = None) -> None:
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_file():
        raise InputError(InputIssue(str(target), "is not a regular file", "give another output path"))
    marker = read_marker(target.parent)
    if marker is not None and target.name in marker["files"]:
        return
    if signature is not None:
        sig = signature.encode("utf-8") if isinstance(signature, str) else signature
        with open(target, "rb") as handle:
            if sig in handle.read(_SIGNATURE_WINDOW):
                return
    raise InputError(InputIssue(str(target), "exists and was not written by the toolkit, so it is not overwritten",
                             "choose another output path, or move that file away"))


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for name in files:
            _fsync(Path(root) / name)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT/SIGTERM for the few renames of a swap, so it is never left half done."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # not on this platform / not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
