"""`consolidate check`: re-derive every rule on a plan anyone wrote, and say what it costs above the optimum."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ConsolidateError, InputError, InputIssue
from ._common import echo_table, lang_option, language, reports_errors

CHECK_TEXT = {   # the command's own sentences; verdicts are statistics.Verdict's, fixes checks.HOW_TO_FIX's
    "en": {"head": "{region} — plan {path} — scenario '{name}': {verdict}",
           "edited": "  ({tables} changed since it was solved, or no record of the solve: "
                     "every figure below is re-derived from plan.csv)",
           "rules": "\nrules: {held} of {n} hold", "holds": "holds ", "breaks": "BREAKS", "fix": "how to fix",
           "see_docs": "see docs/checks.md", "no_change": "\naccounting: no district changes", "exempt": "exempt",
           "accounting": "Accounting, re-derived from plan.csv (districts that change or exceed their cap)",
           "no_optimum": "\noptimum: the scenario has no solved plan to compare with: {error}",
           "optimum": "\noptimum of scenario '{name}': {objective:.4f} ({verdict})",
           "not_proven": "not proven optimal",
           "unpriced": "this plan cannot be priced: {n} member(s) join a host the scenario does not allow ({zones}) "
                       "— see membership_rules above",
           "part": "part", "objective": "objective", "this_plan": "this plan", "optimum_col": "optimum",
           "above_col": "above", "table": "Objective, this plan against the optimum (weighted parts)",
           "costs": "this plan costs {above:+.4f} above the optimum{share}",
           "costs_broken": "this plan costs {above:+.4f} against the optimum{share} — but it breaks the rules above, "
                           "so it is not a plan of this scenario (a cheaper figure only says what breaking them saves)"},
    "zh": {"head": "{region} — 方案 {path} — 情景“{name}”：{verdict}",
           "edited": "  （{tables} 在求解后被改动，或没有求解记录：以下数字都由 plan.csv 重新推导）",
           "rules": "\n规则：{n} 项中 {held} 项满足", "holds": "满足  ", "breaks": "不满足", "fix": "修改办法",
           "see_docs": "见 docs/checks.md", "no_change": "\n账目：各区没有变化", "exempt": "豁免",
           "accounting": "由 plan.csv 重新推导的账目（有变化或超过上限的区）",
           "no_optimum": "\n最优解：该情景没有可比较的求解方案：{error}",
           "optimum": "\n情景“{name}”的最优解：{objective:.4f}（{verdict}）",
           "not_proven": None,
           "unpriced": "该方案无法计价：{n} 个并入开发区并入了情景不允许的牵头开发区（{zones}）——见上面的 membership_rules",
           "part": "分项", "objective": "目标值", "this_plan": "本方案", "optimum_col": "最优解",
           "above_col": "高出", "table": "目标值：本方案与最优解（加权分项）",
           "costs": "本方案比最优解高 {above:+.4f}{share}",
           "costs_broken": "本方案与最优解相差 {above:+.4f}{share}——但它不满足上面的规则，不是该情景的方案"
                           "（更低的数字只说明违反规则能省多少）"},
}


@click.command("check")
@click.argument("plan", type=click.Path(exists=True))
@click.option("--scenario", "scenario", metavar="NAME_OR_FILE",
              help="Check against this scenario (required for a bare plan.csv; default: the one the plan was solved for).")
@click.option("--region", "region", metavar="NAME_OR_PATH", help="Region model (overrides the scenario's).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key, e.g. --set rules.district_cap=2 (repeatable; values read as YAML).")
@click.option("--no-optimum", is_flag=True, help="Do not solve the scenario to price the plan against its optimum.")
@lang_option
@reports_errors
def check_command(plan, scenario, region, overrides, no_optimum, lang):
    """Check PLAN — a plan folder, or a bare plan.csv with --scenario — against every rule.

    Re-derives each rule of docs/checks.md on the table as it is (whoever wrote or edited it), re-does
    the accounting, and prints which rules hold and which break (district, zone, rule, how to fix).
    Then solves the same scenario and prints how much the plan costs above the optimum. Exit 0 when
    every rule holds, 1 when one breaks, 2 when the plan cannot be read as a plan of the region.

    \b
      consolidate check consolidate-out/baseline
      consolidate check committee/plan.csv --scenario baseline
      consolidate check consolidate-out/baseline --set rules.district_cap=2
      consolidate check consolidate-out/baseline --lang en
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

    s, lang = checked.summary, language(lang, checked.region)
    words, fixes = CHECK_TEXT[lang], HOW_TO_FIX[lang]
    click.secho(words["head"].format(region=checked.region_title(lang), path=path,
                                     name=plan_label(checked, path, lang), verdict=checked.stats.verdict.text(lang)),
                bold=True)
    if s.get("edited_tables"):
        click.echo(words["edited"].format(tables=", ".join(s["edited_tables"])))
    broken = [c for c in s["checks"] if not c["passed"]]
    click.secho(words["rules"].format(held=len(s["checks"]) - len(broken), n=len(s["checks"])), bold=True)
    for c in s["checks"]:
        if c["passed"]:
            click.echo(f"  {click.style(words['holds'], fg='green')} {c['name']}")
        else:
            click.echo(f"  {click.style(words['breaks'], fg='red')} {c['name']}: {c['detail']}")
            click.echo(f"         {words['fix']}: {fixes.get(c['name'], words['see_docs'])}")
    _accounting(checked, words)
    if not no_optimum:
        _optimum(checked, path, feasible=not broken, lang=lang)
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


def _accounting(plan, words: dict) -> None:
    d = plan.districts
    over = d["zones_after"] > d["cap"].astype("Float64").fillna(float("inf"))
    changed = d[(d["zones_before"] != d["zones_after"]) | over.astype(bool)]
    if not len(changed):
        click.echo(words["no_change"])
        return
    columns = ["name", "zones_before", "zones_after", "cap"] + [c for c in d.columns if c.endswith("_change")]
    shown = changed[columns].copy()
    shown["cap"] = shown["cap"].astype(object).where(~changed["exempt"], words["exempt"])
    echo_table(shown.reset_index(drop=True), title=words["accounting"])


def _optimum(plan, path: Path, feasible: bool, lang: str) -> None:
    from ..pipeline import solve
    from ..report import plan_label

    s, words = plan.summary, CHECK_TEXT[lang]
    try:
        best = solve(plan.region, plan.scenario, probe=False)
    except ConsolidateError as error:
        click.echo(words["no_optimum"].format(error=str(error).splitlines()[0]))
        return
    b = best.summary
    mine = s.get("objective")
    proven = b["proven_optimal"] or not words["not_proven"]   # zh says the verdict's own words either way
    click.secho(words["optimum"].format(name=plan_label(best, path, lang), objective=b["objective"],
                                        verdict=best.stats.verdict.text(lang) if proven else words["not_proven"]),
                bold=True)
    if s.get("unpriced_members"):
        click.echo(words["unpriced"].format(n=len(s["unpriced_members"]), zones=", ".join(s["unpriced_members"][:5])))
        return
    import pandas as pd

    parts = s.get("objective_parts") or {}
    rows = [(name, parts.get(name, {}).get("weighted", 0.0), p["weighted"]) for name, p in b["objective_parts"].items()]
    rows.append((words["objective"], mine, b["objective"]))
    echo_table(pd.DataFrame([{words["part"]: n, words["this_plan"]: f"{a:.4f}", words["optimum_col"]: f"{o:.4f}",
                              words["above_col"]: f"{a - o:+.4f}"} for n, a, o in rows]), title=words["table"])
    above = mine - b["objective"]
    share = f" ({100 * above / abs(b['objective']):+.2f}%)" if b["objective"] else ""
    click.echo(words["costs" if feasible else "costs_broken"].format(above=above, share=share))


COMMANDS = [check_command]
