"""`consolidate explain`: why each decision of a plan, what each alternative would cost, which rules forbid the rest."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ._common import echo_table, echo_written, lang_option, language, reports_errors

LABELS = {
    "en": {"option": "option", "status": "status", "extra_cost": "extra cost", "delta_gdp_km": "Δ GDP·km", "delta_gdp_minutes": "Δ GDP·min",
           "delta_revoked_gdp": "Δ GDP revoked", "delta_zones_kept": "Δ zones kept", "reason": "rule / reason",
           "join": "join {name} ({km:.1f} km)", "chosen": "◀ the plan",
           "regret": "regret", "next_best": "next best", "decision": "decision", "name": "zone",
           "forced": "forced", "near_tie": "near tie", "title": "{name} ({zone}): {decision}",
           "whole": "Every decision's regret (the cheapest alternative's extra cost)"},
    "zh": {"option": "选项", "status": "状态", "extra_cost": "额外代价", "delta_gdp_km": "Δ GDP·公里", "delta_gdp_minutes": "Δ GDP·分钟",
           "delta_revoked_gdp": "Δ 撤销GDP", "delta_zones_kept": "Δ 保留数", "reason": "规则 / 原因",
           "join": "并入 {name}（{km:.1f} 公里）", "chosen": "◀ 方案",
           "regret": "遗憾值", "next_best": "次优选项", "decision": "决定", "name": "开发区",
           "forced": "唯一可行", "near_tie": "几近持平", "title": "{name}（{zone}）：{decision}",
           "whole": "每项决定的遗憾值（最便宜替代方案的额外代价）"},
}
STATUS_ZH = {"optimal": "已证明", "feasible": "未证明", "infeasible": "不可行", "forbidden": "规则禁止",
             "no_solution": "未求解"}


@click.command("explain")
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.option("--zone", "zones", multiple=True, metavar="ID|NAME", help="Zone to explain (repeatable; default: all).")
@lang_option
@click.option("--out", type=click.Path(dir_okay=False), help="CSV to write (default: PLAN_DIR/explain.csv).")
@reports_errors
def explain_command(plan_dir, zones, lang, out):
    """Why each decision of the plan in PLAN_DIR: every alternative the rules allow with the exact extra cost of
    forcing it (a re-solve with it pinned), in objective units and in real units, and the alternatives the
    rules forbid with the rule that forbids each. Without --zone: every decision's regret, showing the forced
    decisions and the near ties.

    \b
      consolidate explain out/cap2 --zone 天津大邱庄工业区
      consolidate explain out/cap2 --lang zh
    """
    from ..compare import distance_unit
    from ..explain import WORDS, explain_plan, regrets, write_options
    from ..plan import Plan

    plan = Plan.from_dir(plan_dir)
    lang = language(lang, plan.region)
    options = explain_plan(plan, list(zones) or None, lang=lang)
    words = {**LABELS[lang], "host": WORDS[lang]["stay"], "revoke": WORDS[lang]["revoke"]}  # the options' words
    if distance_unit(plan.region) == "minutes":   # the distance part was priced in travel minutes
        words = {**words, "delta_gdp_km": words["delta_gdp_minutes"]}
    if zones:
        for zone, group in options.groupby("zone_id", sort=False):
            _echo_zone(group, words, lang)
    else:
        table = regrets(options, plan.summary.get("objective"), lang)
        shown = table[["name", "decision", "next_best", "regret", "forced", "near_tie"]].copy()
        shown["forced"] = shown["forced"].map({True: words["forced"], False: ""})
        shown["near_tie"] = shown["near_tie"].map({True: words["near_tie"], False: ""})
        shown["regret"] = shown["regret"].map(lambda v: "" if pd.isna(v) else f"{v:.6f}")
        echo_table(shown.rename(columns=words), title=words["whole"], width=200)
    target = Path(out) if out else Path(plan_dir) / "explain.csv"
    write_options(options, target)
    echo_written(target, lang, before="\n")


def _echo_zone(group: pd.DataFrame, words: dict, lang: str) -> None:
    first = group.iloc[0]
    click.secho("\n" + words["title"].format(name=first["name"], zone=first["zone_id"], decision=first["decision"]),
                bold=True)
    rows = []
    for _, row in group.iterrows():
        option = words[row["option"]] if row["option"] != "join" else \
            words["join"].format(name=row["target_name"], km=row["km"])
        status = STATUS_ZH.get(row["status"], row["status"]) if lang == "zh" else row["status"]
        rows.append({"option": option + (f"  {words['chosen']}" if row["chosen"] else ""), "status": status,
                     "extra_cost": _signed(row["extra_cost"], ".6f"), "delta_gdp_km": _signed(row["delta_gdp_km"], ",.1f"),
                     "delta_revoked_gdp": _signed(row["delta_revoked_gdp"], ",.2f"),
                     "delta_zones_kept": _signed(row["delta_zones_kept"], ".0f"),
                     "reason": row["reason"] if isinstance(row["reason"], str) else ""})
    echo_table(pd.DataFrame(rows).rename(columns=words), width=200)


def _signed(value, spec: str) -> str:
    if pd.isna(value):
        return ""
    return "0" if abs(value) < 5e-10 else f"{value:+{spec}}"


COMMANDS = [explain_command]
