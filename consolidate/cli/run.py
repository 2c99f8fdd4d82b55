"""`consolidate run`: solve a scenario into a plan folder and say what it means."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ..io import check_folder_target
from ..region import load_region
from ..scenario import load_scenario
from ._common import echo_table, progress_bar, reports_errors


def scenario_options(command):
    """--region, --set, --solver, --time-limit: shared by every command that solves."""
    for option in reversed([
        click.option("--region", "region", metavar="NAME_OR_PATH", help="Region model (overrides the scenario's)."),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                     help="Override a scenario key, e.g. --set rules.district_cap=2 (repeatable; values read as YAML)."),
        click.option("--solver", type=click.Choice(["highs", "cbc"]), help="MIP solver (default: the scenario's, highs)."),
        click.option("--time-limit", type=float, metavar="S", help="Solver time limit per component, seconds."),
    ]):
        command = option(command)
    return command


def resolve(scenario: str | None, region: str | None, overrides: tuple[str, ...], solver: str | None,
            time_limit: float | None):
    extra = list(overrides)
    if solver:
        extra.append(f"solver.name={solver}")
    if time_limit is not None:  # 0 or less is rejected by the scenario schema, not ignored
        extra.append(f"solver.time_limit_s={time_limit}")
    resolved = load_scenario(scenario, extra, region=region)
    return load_region(resolved.region), resolved


@click.command("run")
@click.argument("scenario", required=False, default="baseline")
@scenario_options
@click.option("--out", type=click.Path(file_okay=False), help="Plan folder to write (default: ./consolidate-out/SCENARIO).")
@click.option("--no-charts", is_flag=True, help="Write the tables only.")
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx: one sheet per table, for Excel and WPS.")
@click.option("--export-model", type=click.Path(dir_okay=False), metavar="FILE.mps|FILE.lp",
              help="Also write the exact MIP (the whole region, through PuLP) for any other solver.")
@reports_errors
def run_command(scenario, region, overrides, solver, time_limit, out, no_charts, xlsx, export_model):
    """Solve SCENARIO (a bundled name or a YAML file; default: baseline) into a plan.

    Writes plan.csv, districts.csv, flows.csv, graph.csv, summary.json and charts to --out,
    atomically, and prints which districts had to consolidate and how. Examples:

    \b
      consolidate run                                   # article 18 on Tianjin
      consolidate run baseline --set rules.district_cap=2 --out out/cap2
      consolidate run my-scenario.yaml --region models/my-city --solver cbc
      consolidate run baseline --export-model model.mps   # open it in Gurobi, CPLEX, SCIP
    """
    from .. import export
    from ..solve import solve

    model, resolved = resolve(scenario, region, overrides, solver, time_limit)
    if export_model:
        export.check_path(export_model)
    out = check_folder_target(out or Path("consolidate-out") / resolved.name)  # refused now, not after the solve
    with progress_bar("solving components") as advance:
        plan = solve(model, resolved, progress=advance)
    folder = plan.to_dir(out, charts=not no_charts, xlsx=xlsx)
    print_summary(plan)
    click.echo(f"\nwritten to {folder}")
    if export_model:
        click.echo(f"the model (whole region, one MIP) written to {export.write_model(model, resolved, export_model)}")


MAX_ROWS = 40  # longer listings go to the files only


def print_summary(plan) -> None:
    s = plan.summary
    table = plan.table
    name = lambda z: f"{table.at[z, 'name']}"
    click.secho(f"{s['region_title']} — scenario '{s.get('label') or s['scenario']['name']}'", bold=True)
    if s["proven_optimal"]:
        verdict = click.style("proven optimal", fg="green")
    else:
        gap = "unknown" if s["gap"] is None else f"{100 * s['gap']:.2f}%"
        verdict = click.style(f"NOT proven optimal (stopped at the time limit or the allowed gap; gap {gap}, "
                              f"bound {s['best_bound']})", fg="yellow")
    counts = s["counts"]
    modes = ", ".join(f"{n} {m}" for m, n in counts["by_mode"].items()) or "none"
    click.echo(f"{counts['zones']} zones → {counts['hosts']} kept, {counts['members']} merged ({modes}), "
               f"{counts['revoked']} revoked, {counts['customs_folded']} folded into comprehensive bonded zones")
    click.echo(f"objective {s['objective']:.4f} ({verdict}); "
               + ", ".join(f"{k} {v['weighted']:.4f}" for k, v in s["objective_parts"].items() if v["weighted"])
               + f"; {s['seconds']['total']:.2f} s, {s['solver']['version']} via {s['solver']['backend']}")
    click.echo(f"checks: {sum(c['passed'] for c in s['checks'])}/{len(s['checks'])} passed")
    d = plan.districts
    changed = d[(d["zones_before"] != d["zones_after"])]
    if len(changed):
        click.secho(f"\n{len(changed)} districts had to consolidate:", bold=True)
        counted_in = _counted(table, s)
        for district_id, row in changed.head(MAX_ROWS).iterrows():
            counted = table[counted_in == district_id]
            moves = []
            for z, r in counted[counted["status"] == "member"].iterrows():
                moves.append(f"{name(z)} → {name(r['host_id'])} ({r['mode']}, {r['distance_to_host_km']:.1f} km)")
            for z in counted[counted["status"] == "revoked"].index:
                moves.append(f"{name(z)} revoked")
            cap = "exempt" if row["exempt"] else f"cap {row['cap']}"
            click.echo(f"  {row['name']}: {row['zones_before']} → {row['zones_after']} ({cap}): " + "; ".join(moves))
        if len(changed) > MAX_ROWS:
            click.echo(f"  … and {len(changed) - MAX_ROWS} more (see districts.csv and plan.csv)")
    if len(d) <= MAX_ROWS:
        show = d[["name", "zones_before", "zones_after", "cap", "exempt"]].copy()
        show["cap"] = show["cap"].astype(object).where(~show["exempt"], "exempt")
        echo_table(show.drop(columns="exempt").reset_index(drop=True), title="Zones per district")


def _counted(table: pd.DataFrame, summary: dict) -> pd.Series:
    column = "managing_district_id" if summary["scenario"]["count_by"] == "managing_district" else "district_id"
    return table[column]


COMMANDS = [run_command]
