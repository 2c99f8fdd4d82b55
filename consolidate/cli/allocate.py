"""`consolidate allocate`: re-account an existing plan under other sharing rules, without re-solving."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ..allocation import STANDARD_RULES, parse_rule, side_by_side
from ..errors import InputError, InputIssue
from ..office import write_csv
from ..plan import read_plan
from ._common import echo_table, echo_verdict, reports_errors

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
@reports_errors
def allocate_command(plan_dir, rule_options, out):
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
    echo_verdict(plan)
    zones, district_ids = plan.region.zones, list(plan.region.districts.index)
    names = plan.region.districts["name"]
    measures = [m for m in ("gdp", "fiscal_revenue") if m in zones]
    rule_sets = ({"chosen": parse_rule_options(rule_options)} if rule_options else
                 {label: {m: parse_rule(spec, label) for m in measures} for label, spec in STANDARD_RULES.items()})
    table, flows = side_by_side(plan.table, zones, rule_sets, district_ids)
    for measure in sorted(set(table["measure"]), key=list(table["measure"]).index):
        wide = table[table["measure"] == measure].pivot(index="district_id", columns="rule",
                                                         values=["before", "after", "change"])
        wide.columns = [f"{rule} {what}" for what, rule in wide.columns]
        wide = wide[[f"{r} {w}" for r in rule_sets for w in ("before", "after", "change")]]
        wide = wide.loc[wide.abs().sum(axis=1) > 0]
        wide.insert(0, "district", names.reindex(wide.index))
        echo_table(wide.reset_index(drop=True), title=f"{measure} per district — plan '{plan.summary.get('label') or plan.summary['scenario']['name']}'"
                   " (before = the rule applied to the pre-consolidation zones)")
    if len(flows):
        named = flows.assign(from_district=flows["from_district"].map(names),
                             to_district=flows["to_district"].map(names))
        echo_table(named, title="Flows between districts (who hands what to whom)")
    else:
        click.echo("no flows between districts under these rules")
    if out:
        from ..io import atomic_folder, output_path

        with atomic_folder(out, kind="allocation") as tmp:
            write_csv(table, tmp / "allocation.csv", float_format="%.4f")
            write_csv(flows, tmp / "flows.csv", float_format="%.4f")
        target = output_path(out)
        click.echo(f"written to {target}")


COMMANDS = [allocate_command]
