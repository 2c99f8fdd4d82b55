"""Errors the toolkit reports to people, with the exit code each one means.

Every error a user can cause is one of these; the CLI prints its message and exits
with its code, never a traceback.

    0  a plan was found
    1  a plan was found but failed an independent check (a bug, not bad input)
    2  bad input: the message says where (file, row, column) and how to fix it
    3  infeasible: no plan satisfies the rules; the message says which and what would relax them
    4  the solver stopped (time limit, error) without any feasible plan
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputIssue:
    """One thing wrong with an input, located as precisely as we can."""

    file: str
    message: str
    fix: str = ""
    row: int | None = None  # 1-based data row, as a spreadsheet shows it below the header (header = row 1)
    column: str | None = None
    value: object = None
    row_label: str = "row"  # "feature" for a GIS layer, whose rows are features numbered from 1

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.row_label} {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None and str(self.value) != "":
            text += f" (value: {self.value!r})"
        if self.fix:
            text += f" — {self.fix}"
        return text


class ConsolidateError(Exception):
    """Base class: an error with a message for people and an exit code."""

    exit_code = 1


class InputError(ConsolidateError):
    """Bad input. Carries every problem found, so a user can fix them all in one go."""

    exit_code = 2

    def __init__(self, problems: list[InputIssue] | InputIssue | str, file: str = "input"):
        if isinstance(problems, str):
            problems = [InputIssue(file=file, message=problems)]
        elif isinstance(problems, InputIssue):
            problems = [problems]
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])


class InfeasibleError(ConsolidateError):
    """No plan satisfies the rules. The message names what blocks it and what would relax it."""

    exit_code = 3

    def __init__(self, message: str, reasons: list[str] | None = None, relaxations: list[str] | None = None):
        self.reasons = reasons or []
        self.relaxations = relaxations or []
        super().__init__(message)


class SolverStopped(ConsolidateError):
    """The solver stopped without any feasible plan (time limit, numerical trouble)."""

    exit_code = 4


class CheckFailed(ConsolidateError):
    """A solved plan broke a rule: a bug in the model, reported rather than written out."""

    exit_code = 1
