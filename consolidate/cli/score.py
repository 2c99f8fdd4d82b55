"""`consolidate score`: the comprehensive evaluation of zones (articles 12, 19, 21), ranked and charted."""
from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd
import yaml

from ..errors import InputError, InputIssue
from ..evaluation import (GRADES, EvaluationConfig, config_from_dict, evaluate, revocation_candidates,
                          weights_sweep)
from ..charts.scores import SCORE_WORDS, score_chart
from ..office import write_csv
from ..region import load_region
from ._common import lang_option, language, echo_table, reports_errors


@click.command("score")
@click.argument("region", required=False)
@click.option("--scenario", "scenario", metavar="NAME_OR_FILE",
              help="Take the evaluation settings (and the region) from this scenario's `evaluation:`.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE.yaml",
              help="A YAML file with an `evaluation:` mapping (or the mapping itself).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a setting, e.g. --set evaluation.missing=worst (repeatable; values read as YAML).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write scores into.")
@click.option("--weights-sweep", "sweep", is_flag=True,
              help="Also perturb each weight ±50% (and 200 random variants) and report how ranks and grades move.")
@click.option("--top", default=10, show_default=True, help="Rows of the ranked table to print.")
@lang_option
@reports_errors
def score_command(region, scenario, config_file, overrides, out, sweep, top, lang):
    """Evaluate the zones of REGION (a bundled name or a folder; default: tianjin, or the scenario's).

    Scores every zone on the article-21 indicators, ranks and grades them (excellent / qualified /
    unqualified, with article 21's consequences) and tests article 19's expansion conditions.
    Writes scores.csv, scores.png, scores.svg and evaluation.json to --out. Examples:

    \b
      consolidate score --out out/scores
      consolidate score tianjin --set evaluation.normalisation=rank --set evaluation.missing=worst --out out/s
      consolidate score --config my-evaluation.yaml --weights-sweep --out out/s
    """
    config, region_name = resolve_config(scenario, config_file, list(overrides))
    region = load_region(region or region_name or "tianjin")
    table = evaluate(region.zones, config)
    sweep_table = weights_sweep(region.zones, config, n=200, seed=0) if sweep else None
    ranked = ranked_table(region, table)
    lang = language(lang, region)
    folder = write_outputs(Path(out), region, config, table, ranked, sweep_table, lang=lang)
    print_summary(region, config, table, ranked, sweep_table, top, lang)
    click.echo(f"\n{SCORE_WORDS[lang]['written']} {folder}")


def resolve_config(scenario: str | None, config_file: str | None,
                   overrides: list[str]) -> tuple[EvaluationConfig, str | None]:
    """The evaluation settings from --scenario, or --config, or the defaults; --set applied on top."""
    if scenario and config_file:
        raise InputError(InputIssue("command line", "give --scenario or --config, not both",
                                 "put the evaluation settings in the scenario, or drop --scenario"))
    if scenario:
        from ..scenario import load_scenario

        keys = _scenario_keys()  # a key that is not a scenario key is read as an evaluation key
        extra = [o if o.split("=", 1)[0].strip().split(".", 1)[0] in keys else f"evaluation.{o}"
                 for o in overrides]
        loaded = load_scenario(scenario, extra)
        return loaded.evaluation, loaded.region
    data: dict = {}
    where = "defaults"
    if config_file:
        where = Path(config_file).name
        data = _read_yaml(Path(config_file))
        if isinstance(data, dict) and "evaluation" in data:
            data = data["evaluation"]
    data = _apply(data, overrides, where)
    return config_from_dict(data, where=where), None


def _scenario_keys() -> set[str]:
    from ..scenario import Scenario

    return set(Scenario.model_fields)


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(InputIssue(str(path), "file not found", "give the path of a YAML file")) from None
    except UnicodeDecodeError:
        raise InputError(InputIssue(path.name, "not UTF-8 text", "save the file as UTF-8")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(InputIssue(path.name, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                 "fix the YAML syntax", row=(mark.line + 1) if mark else None)) from None


def _apply(data, overrides: list[str], where: str) -> dict:
    """--set KEY=VALUE on an evaluation mapping; keys may start with `evaluation.`."""
    if not isinstance(data, dict):
        raise InputError(InputIssue(where, "the evaluation settings must be a mapping (key: value lines)",
                                 "write e.g. evaluation: {normalisation: rank}"))
    from ..scenario import apply_overrides

    keys = [o[len("evaluation."):] if o.startswith("evaluation.") else o for o in overrides]
    return apply_overrides(data, keys)


def ranked_table(region, table: pd.DataFrame) -> pd.DataFrame:
    """The scores table with the zone's name, district and level in front, best first."""
    zones = region.zones
    front = pd.DataFrame({
        "zone_id": zones.index,
        "name": zones["name"].values,
        "name_en": zones["name_en"].values if "name_en" in zones else "",
        "district": [region.districts.at[d, "name"] if d in region.districts.index else d
                     for d in zones["district_id"]],
        "district_id": zones["district_id"].values,
        "level": zones["level"].values,
    }, index=zones.index)
    ranked = front.join(table).sort_values("rank")
    return ranked.reset_index(drop=True)


def write_outputs(out: Path, region, config: EvaluationConfig, table: pd.DataFrame, ranked: pd.DataFrame,
                  sweep_table: pd.DataFrame | None, lang: str = "zh") -> Path:
    """Write the scores folder with io.atomic_folder (replaces only a folder the toolkit wrote)."""
    from ..io import atomic_folder, output_path

    with atomic_folder(out, kind="scores") as tmp:
        write_csv(ranked, tmp / "scores.csv", float_format="%.6g")
        if sweep_table is not None:
            sweep = sweep_table.copy()
            sweep.insert(0, "name", region.zones["name"])
            sweep.insert(0, "zone_id", sweep.index)
            write_csv(sweep.sort_values(["base_rank"]), tmp / "weights_sweep.csv", float_format="%.6g")
        summary = {
            "region": region.name,
            "units": region.units,
            "evaluation": config.model_dump(mode="json"),
            "weights_used": table.attrs.get("weights", {}),
            "dropped_indicators": table.attrs.get("dropped", []),
            "notes": table.attrs.get("notes", []),
            "grades": {g: int((table["grade"] == g).sum()) for g in GRADES},
            "revocation_candidates": revocation_candidates(table),
            "expansion_eligible": [z for z in table.index if table.at[z, "expansion_eligible"]],
            "weights_sweep": None if sweep_table is None else {"variants": sweep_table.attrs.get("variants"),
                                                               "spread": 0.5, "random": 200, "seed": 0},
        }
        (tmp / "evaluation.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
        score_chart(region, config, ranked, tmp, lang)
    return output_path(out)


def print_summary(region, config: EvaluationConfig, table: pd.DataFrame, ranked: pd.DataFrame,
                  sweep_table: pd.DataFrame | None, top: int, lang: str = "en") -> None:
    """What the evaluation found, in `lang` (the words of the scores chart)."""
    from ..charts._style import TEXT

    w = SCORE_WORDS[lang]
    sep = "、" if lang == "zh" else ", "
    english = lang == "en"

    def named(frame, key, fallback) -> str:
        value = frame["name_en"].get(key) if english and "name_en" in frame else None
        return str(value) if isinstance(value, str) and value.strip() else str(fallback)

    click.secho(w["heading"].format(region=region.title_in(lang), n=len(table)), bold=True)
    weights = table.attrs.get("weights", {})
    click.echo(w["settings"].format(norm=w.get(config.normalisation, config.normalisation),
                                    missing=w.get(config.missing, config.missing))
               + ", ".join(f"{k} {v:.2f}" for k, v in weights.items()))
    for note in table.attrs.get("notes", []):
        click.secho(f"  {w['note']}: {note}", fg="yellow")
    unit = (region.units or {}).get("gdp")
    if unit and unit != "亿元" and (config.min_investment_per_ha is not None or config.min_output_per_ha is not None):
        click.secho(f"  note: the intensity standards are in the gdp unit per ha; this region's unit is {unit}, "
                    "the defaults assume 亿元 — set evaluation.min_investment_per_ha / min_output_per_ha", fg="yellow")
    counts = {g: int((table["grade"] == g).sum()) for g in GRADES}
    click.echo(w["grades"] + sep.join(f"{n} {w[g]}" for g, n in counts.items())
               + "; " + w["eligible"].format(n=int(table["expansion_eligible"].sum())))
    columns = ["rank", "zone_id", "name", "district", "level", "score", "grade", "expansion_eligible"]
    show = ranked.head(top)[columns].copy()
    show["name"] = [named(region.zones, z, n) for z, n in zip(show["zone_id"], show["name"])]
    show["district"] = [named(region.districts, d, n) for d, n in zip(ranked.head(top)["district_id"], show["district"])]
    show["level"] = [TEXT[lang].get(str(v), v) for v in show["level"]]
    show["grade"] = [w.get(str(g), g) for g in show["grade"]]
    show["expansion_eligible"] = show["expansion_eligible"].map({True: w["yes"], False: ""})
    echo_table(show.rename(columns={c: w["score_column" if c == "score" else c] for c in columns}),
               title=w["top"].format(top=min(top, len(ranked)), n=len(ranked)))
    candidates = revocation_candidates(table)
    if candidates:
        shown = sep.join(f"{z} {named(region.zones, z, region.zones.at[z, 'name'])}" for z in candidates[:15])
        more = w["more"].format(n=len(candidates) - 15, file="scores.csv") if len(candidates) > 15 else ""
        click.echo(f"{w['candidates']}{shown}{more}")
    if sweep_table is not None:
        moved = sweep_table[~sweep_table["grade_stable"]].sort_values("base_rank")
        listed = sep.join(f"{z} (" + w["ranks"].format(grade=w.get(sweep_table.at[z, 'base_grade'],
                                                                     sweep_table.at[z, 'base_grade']),
                                                         low=sweep_table.at[z, 'min_rank'],
                                                         high=sweep_table.at[z, 'max_rank']) + ")"
                          for z in moved.index[:15])
        more = w["more"].format(n=len(moved) - 15, file="weights_sweep.csv") if len(moved) > 15 else ""
        click.echo(w["sweep"].format(variants=sweep_table.attrs.get("variants"), n=len(moved))
                   + (f": {listed}{more}" if len(moved) else ""))


COMMANDS = [score_command]
