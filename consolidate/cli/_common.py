"""What every command shares: turning our errors into messages and exit codes, common options."""
from __future__ import annotations

import contextlib
import functools
import sys

import click

from .._interrupt import MESSAGE
from ..errors import ConsolidateError
from ..io import Terminated


def reports_errors(command):
    """Run a command body; a ConsolidateError becomes its message on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConsolidateError as error:
            click.secho(f"Error: {error}", fg="red", err=True)
            sys.exit(error.exit_code)
        except BrokenPipeError:  # stdout closed early: not bad input; the entry point ends quietly (cli.main)
            raise
        except OSError as error:  # a folder we cannot write, a disk that is full: the user's to fix
            where = f" ({error.filename})" if error.filename else ""
            click.secho(f"Error: cannot read or write a file{where}: {error.strerror or error} — check the path "
                        "and its permissions", fg="red", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.secho(MESSAGE, err=True)
            sys.exit(130)
        except Terminated:
            click.secho("terminated; nothing half-written was left behind", err=True)
            sys.exit(143)

    return wrapper


VERDICT_LINE = {
    "en": {"line": "plan '{name}': {verdict}; checks re-run on plan.csv as read: {passed}/{n} pass",
           "edited": " ({tables} changed since it was solved)", "breaks": "  BREAKS {name}: {detail}"},
    "zh": {"line": "方案“{name}”：{verdict}；按读入的 plan.csv 重新校验：{passed}/{n} 项通过",
           "edited": "（{tables} 在求解后被改动）", "breaks": "  不满足 {name}：{detail}"},
}


def echo_verdict(plan, lang: str = "en") -> None:
    """One line on a plan read back: its verdict (edited plans say so) and its checks, re-run as read."""
    from ..plan import EDITED

    s, words = plan.summary, VERDICT_LINE[lang]
    passed = sum(1 for c in s["checks"] if c["passed"])
    name = s.get("label") or s["scenario"].get("name", "?")
    text = words["line"].format(name=name, verdict=plan.stats.verdict.text(lang), passed=passed, n=len(s["checks"]))
    if s.get(EDITED):
        text += words["edited"].format(tables=", ".join(s.get("edited_tables", [])))
    click.secho(text, fg="yellow" if s.get(EDITED) or passed < len(s["checks"]) else None)
    for c in s["checks"]:
        if not c["passed"]:
            click.secho(words["breaks"].format(name=c["name"], detail=c["detail"]), fg="red")


def lang_option(command):
    """--lang zh|en, for every command that prints or draws; unset, the region's language, then zh."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        help="Chinese or English words and names (default: the region's `language`, then zh).")(command)


def language(lang: str | None, region=None) -> str:
    """The --lang given, else the region model's `language:`, else Chinese."""
    return region.words_in(lang) if region is not None else (lang or "zh")


WRITTEN = {"en": "written to {path}", "zh": "已写入 {path}"}


def echo_written(path, lang: str = "en", before: str = "") -> None:
    """The last line of a command that writes: where its output went, in `lang`."""
    click.echo(before + WRITTEN[lang].format(path=path))


def echo_table(frame, title: str | None = None, width: int | None = None, out=click) -> None:
    """Print a small pandas table readably (rich when the terminal allows, plain text otherwise), with
    `out.echo` (click's, or a `Later`'s)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for k, column in enumerate(frame.columns):  # the first column names the row: never cut or wrapped
        table.add_column(str(column), justify="right" if frame[column].dtype.kind in "if" else "left",
                         overflow="fold", no_wrap=k == 0)
    for row in frame.itertuples(index=False):
        table.add_row(*("" if v is None or v != v else (f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in row))
    console = Console(width=width or max(100, min(200, sum(len(str(c)) + 12 for c in frame.columns))))
    with console.capture() as text:   # rich meets a closed stdout with exit 1; click.echo raises BrokenPipeError,
        console.print(table)          # which the entry point ends quietly with 141
    out.echo(text.get(), nl=False)


class Later:
    """click.echo and click.secho calls kept, to be made by `say()`: what a command prints, worked out while
    a child process draws (and said only if the command then succeeds)."""

    def __init__(self):
        self.calls: list = []

    def echo(self, *args, **kwargs) -> None:
        self.calls.append((click.echo, args, kwargs))

    def secho(self, *args, **kwargs) -> None:
        self.calls.append((click.secho, args, kwargs))

    def say(self) -> None:
        for call, args, kwargs in self.calls:
            call(*args, **kwargs)


@contextlib.contextmanager
def loading():
    """Import the libraries a command needs (pandas, networkx, …) with the garbage collector paused: they make
    some hundred thousand objects and none is garbage, so collecting meanwhile is ~15 % of the import. What
    they made is then frozen (gc.freeze): later collections, and the one at exit, skip it (~0.1 s each), and
    a forked child shares its pages. Frozen once per process: garbage already waiting then is never
    collected, which a process running many commands (a test session) must not repeat."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
        gc.enable()


@contextlib.contextmanager
def progress_bar(what: str):
    """A callback `advance(done, total)` drawing the progress bar (consolidate.progress) on a terminal."""
    from ..progress import ProgressBar

    with ProgressBar(what, transient=True) as bar:
        yield lambda done, total: bar.update(done=done, total=total)


def objective_parts_text(parts: dict, words: dict | None = None, lang: str = "en") -> str:
    """Each weighted objective part that is not zero, with its value in the planner's units (`words` names the
    parts in the language asked)."""
    from ..problem import part_unit_text

    shown = []
    for name, part in parts.items():
        if part.get("weighted"):
            value, unit = part.get("real"), part_unit_text(str(part.get("unit", "")), lang)
            real = "" if value is None else f" = {value:,.0f} {unit}" if abs(value) >= 1000 \
                else f" = {value:.4g} {unit}"
            shown.append(f"{(words or {}).get(name, name)} {part['weighted']:.4f}{real}")
    return ", ".join(shown) or "all parts 0"
