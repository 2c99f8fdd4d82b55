"""`consolidate scenarios` and `consolidate show-scenario`: what the bundled scenarios ask, in full."""
from __future__ import annotations

import json

import click
import pandas as pd

from .. import describe
from ..errors import ConsolidateError
from ..resources import bundled_scenarios
from ..region import load_region
from ..scenario import AUTO_MAX_CORES, load_scenario, resolve_scenario, usable_cores
from ._common import echo_table, lang_option, language, reports_errors


def differences(scenario, base) -> str:
    """The keys where `scenario` differs from `base`, as `key=value` the way --set writes them."""
    changed = describe.differences(scenario.as_dict(), base.as_dict())
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in changed.items())


WORDS = {"en": {"name": "name", "description": "description", "differs": "differs from baseline",
                "title": "Bundled scenarios", "broken": "(does not load: {error})"},
         "zh": {"name": "名称", "description": "说明", "differs": "与 baseline 的不同", "title": "内置方案",
                "broken": "（无法加载：{error}）"}}


@click.command("scenarios")
@lang_option
@reports_errors
def scenarios_command(lang):
    """List the bundled scenarios, what each asks, and how it differs from baseline.

    Solve one with `consolidate run NAME`, see it in full with `consolidate show-scenario NAME`,
    compare several with `consolidate compare NAME NAME …`. In English each scenario file's own prose; in
    Chinese a description generated from its keys (`describe.describe`).
    """
    regions: dict[str, object] = {}

    def on_its_region(scenario):  # rules a scenario leaves out come from its region model
        if scenario.region not in regions:
            regions[scenario.region] = load_region(scenario.region)
        return resolve_scenario(scenario, regions[scenario.region]).scenario

    base = on_its_region(load_scenario("baseline"))
    lang = language(lang, regions[base.region])
    w = WORDS[lang]
    rows = []
    for name in bundled_scenarios():
        try:
            scenario = on_its_region(load_scenario(name))
        except ConsolidateError as error:
            rows.append((name, w["broken"].format(error=error), ""))
            continue
        said = describe.describe(scenario.as_dict(), "zh") if lang == "zh" else " ".join(scenario.description.split())
        rows.append((name, said,
                     "—" if name == "baseline" else differences(scenario, base)))
    echo_table(pd.DataFrame(rows, columns=[w["name"], w["description"], w["differs"]]), title=w["title"])


@click.command("show-scenario")
@click.argument("scenario", default="baseline", required=False)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key, e.g. --set rules.district_cap=2 (repeatable; values read as YAML).")
@click.option("--region", metavar="NAME_OR_PATH", help="Region model (overrides the scenario's).")
@lang_option
@reports_errors
def show_scenario_command(scenario, overrides, region, lang):
    """Print SCENARIO (bundled name or YAML file) fully resolved: extends: and --set applied, the
    region model's rules where the scenario sets none, every default filled in. The output is itself
    a valid scenario file. Example:

    \b
      consolidate show-scenario cap-2 --set merging.cross_district=false > my.yaml
    """
    its_region, loaded = resolve_scenario(scenario, region, overrides)
    if overrides or region or lang:  # the file's prose no longer fits (or is in the other language): say what it is
        lang = language(lang, its_region)
        loaded = loaded.model_copy(update={"description": describe.describe(loaded.as_dict(), lang)})
    click.echo(with_auto_note(loaded.to_yaml(), lang or "en"), nl=False)


AUTO_NOTE = {"en": "# auto: one process; its components side by side on up to {n} cores here when the region splits "
                   "into many that together are much more work than the largest (the national extensions)",
             "zh": "# auto：一个进程；区域分成许多独立部分、且合计工作量远大于最大部分时（如全国扩展），本机最多同时用 {n} 个核"}


def with_auto_note(text: str, lang: str) -> str:
    """The resolved YAML with what `solver.processes: auto` means on this machine, as a comment on its line."""
    note = AUTO_NOTE[lang].format(n=min(usable_cores(), AUTO_MAX_CORES))
    return text.replace("\n  processes: auto\n", f"\n  processes: auto  {note}\n", 1)


COMMANDS = [scenarios_command, show_scenario_command]
