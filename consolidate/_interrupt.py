"""Ctrl-C while the command line is still starting (importing pandas, matplotlib, …) ends it with one
line and exit code 130, like Ctrl-C at any later moment — never a KeyboardInterrupt traceback.

Imported first by the package, so it is in place before any heavy import; active only when the process
is the `consolidate` command (a library caller's Ctrl-C stays theirs). The command line hands over to
ordinary KeyboardInterrupt handling (`cli._common.reports_errors`, which cleans up half-written
output) as soon as it starts running a command.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

MESSAGE = "interrupted; nothing half-written was left behind"


def _starting(signum, frame):
    sys.stderr.write(MESSAGE + "\n")
    raise SystemExit(130)


def is_command_line() -> bool:
    return bool(sys.argv) and os.path.basename(sys.argv[0]) in ("consolidate", "consolidate.exe")


def guard_startup() -> None:
    if is_command_line() and threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _starting)


def end_startup() -> None:
    """From here on Ctrl-C raises KeyboardInterrupt again, for the command to clean up and exit 130."""
    if signal.getsignal(signal.SIGINT) is _starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def ignore_in_worker() -> None:
    """A worker process's initializer: Ctrl-C is the parent's to handle (it stops the pool and reports
    once); a worker that took it too would print its own traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
