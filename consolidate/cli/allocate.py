"""`consolidate allocate`: re-account an existing plan under other sharing rules, without re-solving."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ..allocation import STANDARD_RULES, parse_rule, side_by_side
from ..errors import InputError, InputIssue
from ..office import write_csv
from ..plan import read_plan
from ._common import echo_table, echo_verdict, echo_written, lang_option, language, reports_errors

WORDS = {
    "en": {"title": "{measure} per district — plan '{label}' (before = the rule applied to the pre-consolidation zones)",
           "district": "district", "flows": "Flows between districts (who hands what to whom)",
           "no_flows": "no flows between districts under these rules", "column": "{rule} {what}"},
    "zh": {"title": "各区{measure}——方案“{label}”（整合前 = 该规则用于整合前的开发区）", "district": "区",
           "flows": "区际转移（谁向谁转移多少）", "no_flows": "这些规则下区与区之间没有转移", "column": "{rule}{what}",
           "before": "整合前", "after": "整合后", "change": "变化", "territorial": "属地", "host": "归牵头方",
           "split50": "五五分成", "chosen": "所选规则", "measure": "指标", "from_district": "转出区",
           "to_district": "转入区", "value": "数额", "rule": "规则"},
}

def parse_rule_options(options: tuple[str, ...]) -> dict:
    rules = {}
    for text in options:
        measure, sep, spec = text.partition("=")
        if not sep or not measure or not spec:
            raise InputError(InputIssue("--rule", f"'{text}' is not MEASURE=RULE",
                                     "write e.g. --rule gdp=host or --rule fiscal_revenue=split:0.5"))
        rules[measure.strip()] = parse_rule(spec.strip(), f"--rule {measure.strip()}")
    return rules


@click.command("allocate")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--rule", "rule_options", multiple=True, metavar="MEASURE=RULE",
              help="Sharing rule for a measure: territorial | host | split:S | area | investment (repeatable).")
@click.option("--out", type=click.Path(file_okay=False), help="Write allocation.csv and flows.csv here.")
@lang_option
@reports_errors
def allocate_command(plan_dir, rule_options, out, lang):
    """Re-account the plan in PLAN_DIR under other sharing rules (属地原则分成), without re-solving.

    With --rule, the plan's GDP and revenue are credited to districts under those rules and the
    per-district table and flows are printed. Without it, the territorial, host and 50/50 split
    rules are shown side by side. Examples:

    \b
      consolidate allocate consolidate-out/baseline
      consolidate allocate consolidate-out/baseline --rule gdp=host --rule fiscal_revenue=split:0.5
    """
    plan = read_plan(plan_dir)
    if plan.region is None:
        raise InputError(InputIssue(str(Path(plan_dir) / "summary.json"), "the plan's region model cannot be found",
                                 "run the plan again, or keep the region folder where it was"))
    from ..describe import MEASURE_NAMES

    lang = language(lang, plan.region)
    w = WORDS[lang]
    said = {**MEASURE_NAMES["zh"], **w} if lang == "zh" else {}   # English: the keys as written

    def say(word):
        return said.get(word, word)

    echo_verdict(plan, lang)
    zones, district_ids = plan.region.zones, list(plan.region.districts.index)
    names = plan.region.districts["name"]
    measures = [m for m in ("gdp", "fiscal_revenue") if m in zones]
    rule_sets = ({"chosen": parse_rule_options(rule_options)} if rule_options else
                 {label: {m: parse_rule(spec, label) for m in measures} for label, spec in STANDARD_RULES.items()})
    table, flows = side_by_side(plan.table, zones, rule_sets, district_ids)
    for measure in sorted(set(table["measure"]), key=list(table["measure"]).index):
        wide = table[table["measure"] == measure].pivot(index="district_id", columns="rule",
                                                         values=["before", "after", "change"])
        wide = wide[[(what, r) for r in rule_sets for what in ("before", "after", "change")]]
        wide.columns = [w["column"].format(rule=say(rule), what=say(what)) for what, rule in wide.columns]
        wide = wide.loc[wide.abs().sum(axis=1) > 0]
        wide.insert(0, w["district"], names.reindex(wide.index))
        label = plan.summary.get("label") or plan.summary["scenario"]["name"]
        echo_table(wide.reset_index(drop=True), title=w["title"].format(measure=say(measure), label=label))
    if len(flows):
        named = flows.assign(from_district=flows["from_district"].map(names),
                             to_district=flows["to_district"].map(names),
                             measure=flows["measure"].map(say), rule=flows["rule"].map(say))
        echo_table(named.rename(columns=say), title=w["flows"])
    else:
        click.echo(w["no_flows"])
    if out:
        from ..io import atomic_folder, output_path

        with atomic_folder(out, kind="allocation") as tmp:
            write_csv(table, tmp / "allocation.csv", float_format="%.4f")
            write_csv(flows, tmp / "flows.csv", float_format="%.4f")
        echo_written(output_path(out), lang)


COMMANDS = [allocate_command]
