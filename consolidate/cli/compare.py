"""`consolidate compare`: several scenarios (or solved plan folders) side by side."""
from __future__ import annotations

from pathlib import Path

import click

from ..compare import (SOLVED, compare, is_plan_dir, key_figures, plan_outcome, readable_fates, region_unit,
                       solve_outcome, unique_labels, write_comparison)
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
    lang = language(lang, solved_region)
    folder = write_comparison(result, out, lang=lang, charts=not no_charts)
    print_comparison(result, lang=lang)
    from ..charts.compare import words

    click.echo(f"\n{words(lang)['written']} {folder}")


def plan_label(folder: str) -> str:
    """A plan folder's name for the table: its scenario and overrides, as its summary says."""
    from ..errors import InputError
    from ..parsing import parse_json, read_text

    try:
        path = Path(folder) / "summary.json"
        return str(parse_json(read_text(path), str(path))["label"])
    except (InputError, KeyError, TypeError):
        return Path(folder).resolve().name


def print_comparison(result, max_rows: int = 25, lang: str = "en") -> None:
    """The key figures, zones kept per district and the zones whose fate differs, in `lang` (the chart's words)."""
    from ..charts.compare import words
    from ..compare import distance_unit, english_district_names

    w = words(lang)
    region = next((o.plan.region for o in result.outcomes if o.plan is not None and o.plan.region is not None), None)
    unit = region_unit(region, lang=lang) or "GDP"
    figures = key_figures(result)
    for figure in ("status", "proven_optimal"):
        if figure in figures.index:
            figures.loc[figure] = [w.get(str(v), v) for v in figures.loc[figure]]
    minutes = distance_unit(region) == "minutes"   # gdp_km is GDP × the minutes the objective priced
    figures.index = [w.get("figure_gdp_minutes" if minutes and f == "gdp_km" else f"figure_{f}", f).format(unit=unit)
                     for f in figures.index]
    echo_table(figures.rename_axis(w["figure"]).reset_index(), title=w["side_by_side"])
    failed = result.table[~result.table["status"].isin(SOLVED)]
    for row in failed.itertuples():
        click.secho(f"{row.scenario}: {w.get(row.status, row.status)} — {row.reason}", fg="yellow")
    for row in result.table[result.table["status"] == EDITED].itertuples():
        click.secho(f"{row.scenario}: {EDITED_VERDICT[lang]} — {row.reason}", fg="yellow")
    per = result.per_district
    if len(per):
        changed = per[per.drop(columns="zones_before").ne(per["zones_before"], axis=0).any(axis=1)]
        title = w["per_district"].format(n=len(changed), total=len(per))
        if len(changed) > max_rows:
            title += w["first"].format(n=max_rows)
        if len(changed):
            shown = changed.head(max_rows).rename(index=english_district_names(region) if lang == "en" else {})
            echo_table(shown.rename_axis(w["district"]).rename(columns={"zones_before": w["zones_before"]})
                       .reset_index(), title=title)
    fates = readable_fates(result, lang)
    if len(fates):
        shown = fates.drop(columns="district_id").head(max_rows)
        for label in (o.label for o in result.outcomes if o.label in shown):
            shown[label] = [w.get(f, f) for f in shown[label]]
        shown = shown.rename(columns={c: w[c] for c in ("zone_id", "name") if c in shown})
        title = w["fates"].format(n=len(fates)) + (w["first"].format(n=max_rows) if len(fates) > max_rows else "")
        echo_table(shown, title=title)


COMMANDS = [compare_command]
