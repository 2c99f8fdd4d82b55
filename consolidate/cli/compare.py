"""`consolidate compare`: several scenarios (or solved plan folders) side by side."""
from __future__ import annotations

from pathlib import Path

import click

from ..compare import (SOLVED, compare, is_plan_dir, key_figures, plan_outcome, readable_fates, solve_outcome,
                       unique_labels, write_comparison)
from .. import describe
from ..io import check_folder_target
from ..plan import EDITED, EDITED_VERDICT
from ..scenario import resolve_scenario
from ..warm import WarmSolver
from ._common import echo_table, lang_option, language, reports_errors
from .run import scenario_options


@click.command("compare")
@click.argument("items", nargs=-1, required=True, metavar="SCENARIO_OR_PLAN_DIR...")
@scenario_options
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder to write the comparison into (default: ./consolidate-out/compare).")
@click.option("--no-charts", is_flag=True, help="Write the tables only.")
@lang_option
@reports_errors
def compare_command(items, region, overrides, solver, time_limit, out, no_charts, lang):
    """Solve and compare scenarios side by side.

    Each argument is a scenario (a bundled name or a YAML file), solved now under --region and
    --set, or a plan folder written by `consolidate run --out` (one with summary.json), read as it is.
    Prints the key figures of each; writes comparison.csv and comparison.md, zones kept per district,
    GDP and revenue change per district under each scenario's own sharing rule, the zones whose fate
    differs, and each plan's tables (plans/NAME/) to --out, atomically. A scenario without a plan
    (infeasible, solver stopped) is a row with its status and reason. Examples:

    \b
      consolidate compare baseline no-revocation cap-2
      consolidate compare baseline host-takes-all split-50 --set rules.district_cap=2 --out out/sharing
      consolidate compare out/baseline out/cap2        # plan folders written by `consolidate run`
    """
    # Read every scenario first, so a typo stops the command before any solving (exit 2).
    jobs = []
    for item in items:
        if is_plan_dir(item):
            jobs.append((plan_label(item), item, None))
        else:
            loaded = resolve_scenario(item, region, overrides, solver, time_limit)
            chosen_region, scenario = loaded
            jobs.append((describe.label(scenario.name, describe.overrides_from_named(scenario, chosen_region)), item,
                         loaded))
    labels = unique_labels([label for label, _, _ in jobs])
    out = check_folder_target(out or Path("consolidate-out") / "compare")  # refused now, not after the solves
    outcomes = []
    solvers = {}  # region → its WarmSolver: the scenarios of one region share scores and models
    for label, (_, item, loaded) in zip(labels, jobs):
        if loaded is None:
            click.echo(f"reading plan {item} …", err=True)
            outcomes.append(plan_outcome(label, item))
        else:
            click.echo(f"solving {label} …", err=True)
            chosen_region, scenario = loaded
            if scenario.region not in solvers:
                solvers[scenario.region] = WarmSolver(chosen_region)
            warm = solvers[scenario.region]
            outcomes.append(solve_outcome(label, lambda: (warm.region, scenario, warm.graph), warm=warm))
            outcome = outcomes[-1]
            click.echo(f"  {outcome.status}, {outcome.seconds:.1f} s", err=True)
    result = compare(outcomes)
    solved_region = next((o.plan.region for o in outcomes if o.plan is not None), None)
    folder = write_comparison(result, out, lang=language(lang, solved_region), charts=not no_charts)
    print_comparison(result)
    click.echo(f"\nwritten to {folder}")


def plan_label(folder: str) -> str:
    """A plan folder's name for the table: its scenario and overrides, as its summary says."""
    from ..errors import InputError
    from ..parsing import parse_json, read_text

    try:
        path = Path(folder) / "summary.json"
        return str(parse_json(read_text(path), str(path))["label"])
    except (InputError, KeyError, TypeError):
        return Path(folder).resolve().name


def print_comparison(result, max_rows: int = 25) -> None:
    echo_table(key_figures(result).reset_index(), title="Scenarios side by side")
    failed = result.table[~result.table["status"].isin(SOLVED)]
    for row in failed.itertuples():
        click.secho(f"{row.scenario}: {row.status} — {row.reason}", fg="yellow")
    for row in result.table[result.table["status"] == EDITED].itertuples():
        click.secho(f"{row.scenario}: {EDITED_VERDICT['en']} — {row.reason}", fg="yellow")
    per = result.per_district
    if len(per):
        changed = per[per.drop(columns="zones_before").ne(per["zones_before"], axis=0).any(axis=1)]
        title = f"Zones kept per district ({len(changed)} of {len(per)} districts change)"
        if len(changed) > max_rows:
            title += f" — the first {max_rows}"
        if len(changed):
            echo_table(changed.head(max_rows).reset_index(), title=title)
    fates = readable_fates(result)
    if len(fates):
        shown = fates.drop(columns="district_id").head(max_rows)
        title = f"Zones whose fate differs ({len(fates)})" + (f" — the first {max_rows}" if len(fates) > max_rows else "")
        echo_table(shown, title=title)


COMMANDS = [compare_command]
