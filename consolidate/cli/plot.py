"""`consolidate plot`: draw a plan folder's charts again (e.g. in English, or after a style change)."""
from __future__ import annotations

from pathlib import Path

import click

from ._common import echo_verdict, lang_option, language, reports_errors


@click.command("plot")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--svg", is_flag=True, help="Also write each chart as SVG (text as text, the font embedded).")
@lang_option
@reports_errors
def plot_command(plan_dir, svg, lang):
    """Re-draw the charts of PLAN_DIR (a folder written by `consolidate run`).

    Writes plan_map, zones_per_district and allocation as PNG into the folder, replacing the
    old ones; as SVG too with --svg, or when the folder already has SVG charts (so none is left
    stale). Example: `consolidate plot out/baseline --lang en`.
    """
    from ..charts.plan import PLAN_CHARTS, plan_charts
    from ..plan import read_plan

    plan = read_plan(plan_dir)
    lang = language(lang, plan.region)
    echo_verdict(plan, lang)
    if plan.region is None:
        click.secho("warning: the plan's region model could not be loaded, so there is no map "
                    "(summary.json names it under region_path)", fg="yellow", err=True)
    svg = svg or any((Path(plan_dir) / f"{name}.svg").is_file() for name in PLAN_CHARTS)
    for path in plan_charts(plan, plan_dir, lang=lang, svg=svg):
        click.echo(f"written {path}")


COMMANDS = [plot_command]
