"""`consolidate report`: one self-contained HTML file of one or more plans."""
from __future__ import annotations

import click

from ._common import reports_errors


@click.command("report")
@click.argument("plan_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default="report.html", show_default=True,
              help="The HTML file to write.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report and its charts.")
@reports_errors
def report_command(plan_dirs, out, lang):
    """Write one HTML report of the plan folders PLAN_DIRS (from `consolidate run`).

    Scenarios and their assumptions, summary figures, district and allocation tables,
    flows, charts, a comparison when several plans are given, and data provenance — all in
    one file that opens offline (no scripts, fonts or links out). Examples:

    \b
      consolidate report out/baseline --out baseline.html
      consolidate report out/baseline out/cap-2 --out compare.html --lang en
    """
    from ..report import write_report

    path = write_report(list(plan_dirs), out, lang=lang)
    click.echo(f"written {path}")


COMMANDS = [report_command]
