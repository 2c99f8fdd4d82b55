"""One piece of work done by a forked child while this process goes on with the rest (2 cores: a plan's
charts are drawn while its tables are written).

    with Helper(prepare=load_the_chart_modules) as helper:   # the child loads them while we solve
        plan = solve(...)
        with helper.alongside(plan_charts, plan, tmp):       # the child draws into tmp (plan sent pickled)
            write the tables into tmp                         # meanwhile, here
        # leaving the block waits for the child and raises what it raised (its exception, pickled)

    with alongside(plan_charts, plan, tmp):                   # the same without a prepared child: fork now

The child only does its work and leaves with `os._exit` (no atexit handlers, never the parent's
cleanup). If the block fails (Ctrl-C and SIGTERM included) or the helper is left without work, the
child is ended and reaped before the error goes on, so nothing writes into a folder being removed.
Where fork is not available, or other Python threads run (forking them is unsafe), the work is done
here, before the block: the same files either way (tests/test_charts.py).
"""
from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import tempfile
import threading
from typing import Any, Callable, Iterator


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


class Helper:
    """A forked child that runs `prepare` (imports, caches) at once, then one piece of work it is sent;
    `prepare` may return further steps (callables) that are worth taking only until the work comes."""

    def __init__(self, prepare: Callable[[], Any] | None = None):
        self.pid: int | None = None
        if not can_fork():
            return
        self._job = tempfile.TemporaryFile()     # the work, pickled: no pipe to fill while the child prepares
        go_read, self._go = os.pipe()
        self._outcome, outcome_write = os.pipe()
        _flush()
        pid = os.fork()
        if pid == 0:
            os.close(self._go)
            os.close(self._outcome)
            _child(lambda: _serve(prepare, go_read, self._job), outcome_write)
        os.close(go_read)
        os.close(outcome_write)
        self.pid = pid

    def __enter__(self) -> "Helper":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End the child if it is still waiting for work (none came)."""
        if self.pid is not None:
            _end(self.pid)
            os.close(self._go)
            os.close(self._outcome)
            self._job.close()
            self.pid = None

    @contextlib.contextmanager
    def alongside(self, work: Callable[..., Any], *args, **kwargs) -> Iterator[None]:
        """`work(*args, **kwargs)` in the child while the block runs; raises the child's error at the end."""
        if self.pid is None:
            with alongside(work, *args, **kwargs):
                yield
            return
        pid, self.pid = self.pid, None           # from here on the child is this block's to wait for or end
        try:
            pickle.dump((work, args, kwargs), self._job, protocol=pickle.HIGHEST_PROTOCOL)
            self._job.flush()
            os.write(self._go, b"1")
        except BaseException:
            _end(pid)
            os.close(self._outcome)
            raise
        finally:
            os.close(self._go)
        try:
            with _waiting(pid, self._outcome, work):
                yield
        finally:
            self._job.close()


@contextlib.contextmanager
def alongside(work: Callable[..., Any], *args, **kwargs) -> Iterator[None]:
    """`work(*args, **kwargs)` in a child forked now, while the block runs (here, first, if it cannot fork)."""
    if not can_fork():
        work(*args, **kwargs)
        yield
        return
    outcome_read, outcome_write = os.pipe()
    _flush()
    pid = os.fork()
    if pid == 0:
        os.close(outcome_read)
        _child(lambda: work(*args, **kwargs), outcome_write)
    os.close(outcome_write)
    with _waiting(pid, outcome_read, work):
        yield


@contextlib.contextmanager
def _waiting(pid: int, outcome: int, work) -> Iterator[None]:
    with os.fdopen(outcome, "rb") as pipe:
        try:
            yield
            pickled = pipe.read()                  # until the child is done
        except BaseException:
            _end(pid)
            raise
    _, status = os.waitpid(pid, 0)
    if pickled:
        raise pickle.loads(pickled)
    if status != 0:
        raise RuntimeError(f"{getattr(work, '__name__', 'the work')} in a child process ended with "
                           f"status {os.waitstatus_to_exitcode(status)}")


def _serve(prepare, go: int, job) -> None:
    if prepare is not None:
        with contextlib.suppress(Exception):       # a failure shows again, and is reported, in the work itself
            for step in prepare() or ():           # further steps it returns: taken only while no work has come
                if select.select([go], [], [], 0)[0]:
                    break
                step()
    if not os.read(go, 1):                         # the parent closed without work
        return
    job.seek(0)
    work, args, kwargs = pickle.load(job)
    work(*args, **kwargs)


def _child(run: Callable[[], Any], outcome: int) -> None:
    """The forked child's whole life: `run()`, its exception (if any) pickled to the parent, `os._exit`."""
    import gc

    gc.disable()                                   # short-lived: no collections, no copied pages
    code = 0
    pickled = b""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)   # Ctrl-C: the parent reports it and cleans up
        run()
    except BaseException as error:  # noqa: BLE001  (handed to the parent, which raises it)
        code = 1
        try:
            pickled = pickle.dumps(error)
        except Exception:  # noqa: BLE001
            pickled = pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))
    try:
        with os.fdopen(outcome, "wb") as pipe:
            pipe.write(pickled)
        _flush()
    finally:
        os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _end(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
