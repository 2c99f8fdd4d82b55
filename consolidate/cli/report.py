"""`consolidate report`: one self-contained HTML file of one or more plans."""
from __future__ import annotations

import click

from ._common import lang_option, language, reports_errors


@click.command("report")
@click.argument("plan_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default="report.html", show_default=True,
              help="The HTML file to write.")
@lang_option
@reports_errors
def report_command(plan_dirs, out, lang):
    """Write one HTML report of the plan folders PLAN_DIRS (from `consolidate run`).

    An executive summary first (what the rules forced, who merges into whom, what is revoked,
    what each district gains or loses under the plan's sharing rule and the alternatives),
    a comparison when several plans are given, per plan its decisions with reasons, an
    interactive map, district accounts and its differences from the baseline; every key and
    the data's provenance in appendices. PLAN_DIRS may include `consolidate compare` folders.
    One file that opens offline (its one inline script is pinned by the page's security
    policy; no fonts or links out). Examples:

    \b
      consolidate report out/baseline --out baseline.html
      consolidate report out/baseline out/cap-2 --out compare.html --lang en
    """
    from ..report import write_report

    if lang is None:   # the first plan's region decides, then Chinese
        from ..plan import Plan
        from ..report import plan_folders

        lang = language(None, Plan.from_dir(plan_folders(list(plan_dirs))[0]).region)
    path = write_report(list(plan_dirs), out, lang=lang)
    click.echo(f"written {path}")


COMMANDS = [report_command]
