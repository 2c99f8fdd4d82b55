"""One progress bar for the toolkit: rich, on stderr, drawn only on a terminal (nothing when piped).

    >>> with ProgressBar("solving components") as bar:
    ...     bar.update(done=3, total=10)
    >>> with ProgressBar("sweep", total=12, eta=True) as bar:
    ...     bar.update(advance=1, description="3 optimal")
"""
from __future__ import annotations

import sys


class ProgressBar:
    def __init__(self, what: str, total: int | None = None, enabled: bool | None = None, eta: bool = False,
                 transient: bool = False):
        self.what, self.total, self.eta, self.transient = what, total, eta, transient
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            columns = [TextColumn(self.what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
            if self.eta:
                columns += [TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.description}")]
            self.bar = Progress(*columns, console=Console(stderr=True), transient=self.transient)
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        return self

    def update(self, done: int | None = None, total: int | None = None, advance: int = 0,
               description: str | None = None) -> None:
        if self.bar is None:
            return
        options = {"advance": advance} if advance else {}
        if done is not None:
            options["completed"] = done
        if total is not None:
            options["total"] = total
        if description is not None:
            options["description"] = description
        self.bar.update(self.task, **options)

    def __exit__(self, *exc) -> bool:
        if self.bar is not None:
            self.bar.stop()
        return False
