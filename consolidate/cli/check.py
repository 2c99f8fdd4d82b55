"""`consolidate check`: re-derive every rule on a plan anyone wrote, and say what it costs above the optimum."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ConsolidateError, InputError, InputIssue
from ._common import echo_table, reports_errors


@click.command("check")
@click.argument("plan", type=click.Path(exists=True))
@click.option("--scenario", "scenario", metavar="NAME_OR_FILE",
              help="Check against this scenario (required for a bare plan.csv; default: the one the plan was solved for).")
@click.option("--region", "region", metavar="NAME_OR_PATH", help="Region model (overrides the scenario's).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key, e.g. --set rules.district_cap=2 (repeatable; values read as YAML).")
@click.option("--no-optimum", is_flag=True, help="Do not solve the scenario to price the plan against its optimum.")
@reports_errors
def check_command(plan, scenario, region, overrides, no_optimum):
    """Check PLAN — a plan folder, or a bare plan.csv with --scenario — against every rule.

    Re-derives each rule of docs/checks.md on the table as it is (whoever wrote or edited it), re-does
    the accounting, and prints which rules hold and which break (district, zone, rule, how to fix).
    Then solves the same scenario and prints how much the plan costs above the optimum. Exit 0 when
    every rule holds, 1 when one breaks, 2 when the plan cannot be read as a plan of the region.

    \b
      consolidate check consolidate-out/baseline
      consolidate check committee/plan.csv --scenario baseline
      consolidate check consolidate-out/baseline --set rules.district_cap=2
    """
    from ..checks import HOW_TO_FIX
    from ..plan import plan_from_csv, read_plan

    path = Path(plan)
    against = _scenario(path, scenario, region, overrides)
    if path.is_dir():
        checked = read_plan(path, scenario=against)
    else:
        if against is None:
            raise InputError(InputIssue(str(path), "a bare plan.csv does not say which scenario it answers",
                                     "name it: --scenario baseline (or a scenario file), and --region if needed"))
        from ..region import load_region

        checked = plan_from_csv(path, load_region(against.region), against)
    if checked.region is None:
        raise InputError(InputIssue(str(path / "summary.json"), "the plan's region model cannot be found",
                                 "give --region NAME_OR_PATH"))
    from ..report import plan_label

    s = checked.summary
    name = plan_label(checked, path, "en")
    click.secho(f"{s.get('region_title') or s.get('region')} — plan {path} — scenario '{name}': "
                f"{checked.stats.verdict.text('en')}", bold=True)
    if s.get("edited_tables"):
        click.echo(f"  ({', '.join(s['edited_tables'])} changed since it was solved, or no record of the solve: "
                   "every figure below is re-derived from plan.csv)")
    broken = [c for c in s["checks"] if not c["passed"]]
    click.secho(f"\nrules: {len(s['checks']) - len(broken)} of {len(s['checks'])} hold", bold=True)
    for c in s["checks"]:
        if c["passed"]:
            click.echo(f"  {click.style('holds ', fg='green')} {c['name']}")
        else:
            click.echo(f"  {click.style('BREAKS', fg='red')} {c['name']}: {c['detail']}")
            click.echo(f"         how to fix: {HOW_TO_FIX.get(c['name'], 'see docs/checks.md')}")
    _accounting(checked)
    if not no_optimum:
        _optimum(checked, path, feasible=not broken)
    sys.exit(1 if broken else 0)


def _scenario(path: Path, scenario: str | None, region: str | None, overrides: tuple[str, ...]):
    """The scenario to check against, or None for the one recorded in the plan folder."""
    from ..scenario import apply_overrides, load_scenario, scenario_from_dict

    if scenario is not None:
        return load_scenario(scenario, list(overrides), region=region)
    if not (overrides or region) or not path.is_dir():
        return None
    import json

    try:
        data = json.loads((path / "summary.json").read_text(encoding="utf-8"))["scenario"]
        data = apply_overrides(data, list(overrides))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise InputError(InputIssue(str(path / "summary.json"), "has no readable scenario to apply --set/--region to",
                                 "name one with --scenario")) from None
    if region:
        data["region"] = region
    return scenario_from_dict(data, where=f"{path}/summary.json with --set overrides")


def _accounting(plan) -> None:
    d = plan.districts
    over = d["zones_after"] > d["cap"].astype("Float64").fillna(float("inf"))
    changed = d[(d["zones_before"] != d["zones_after"]) | over.astype(bool)]
    if not len(changed):
        click.echo("\naccounting: no district changes")
        return
    columns = ["name", "zones_before", "zones_after", "cap"] + [c for c in d.columns if c.endswith("_change")]
    shown = changed[columns].copy()
    shown["cap"] = shown["cap"].astype(object).where(~changed["exempt"], "exempt")
    echo_table(shown.reset_index(drop=True),
               title="Accounting, re-derived from plan.csv (districts that change or exceed their cap)")


def _optimum(plan, path: Path, feasible: bool) -> None:
    from ..pipeline import solve
    from ..report import plan_label

    s = plan.summary
    try:
        best = solve(plan.region, plan.scenario, probe=False)
    except ConsolidateError as error:
        click.echo(f"\noptimum: the scenario has no solved plan to compare with: {str(error).splitlines()[0]}")
        return
    b = best.summary
    mine = s.get("objective")
    click.secho(f"\noptimum of scenario '{plan_label(best, path, 'en')}': {b['objective']:.4f} "
                f"({'proven optimal' if b['proven_optimal'] else 'not proven optimal'})", bold=True)
    if s.get("unpriced_members"):
        click.echo(f"this plan cannot be priced: {len(s['unpriced_members'])} member(s) join a host the scenario "
                   f"does not allow ({', '.join(s['unpriced_members'][:5])}) — see membership_rules above")
        return
    import pandas as pd

    parts = s.get("objective_parts") or {}
    rows = [(name, parts.get(name, {}).get("weighted", 0.0), p["weighted"]) for name, p in b["objective_parts"].items()]
    rows.append(("objective", mine, b["objective"]))
    echo_table(pd.DataFrame([{"part": n, "this plan": f"{a:.4f}", "optimum": f"{o:.4f}", "above": f"{a - o:+.4f}"}
                             for n, a, o in rows]), title="Objective, this plan against the optimum (weighted parts)")
    above = mine - b["objective"]
    share = f" ({100 * above / abs(b['objective']):+.2f}%)" if b["objective"] else ""
    if feasible:
        click.echo(f"this plan costs {above:+.4f} above the optimum{share}")
    else:
        click.echo(f"this plan costs {above:+.4f} against the optimum{share} — but it breaks the rules above, so it "
                   "is not a plan of this scenario (a cheaper figure only says what breaking them saves)")


COMMANDS = [check_command]
