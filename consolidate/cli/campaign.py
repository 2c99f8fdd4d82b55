"""`consolidate campaign`: the 2018 Tianjin campaign — a model plan against the published 49 / 130 / 116."""
from __future__ import annotations

import os
from pathlib import Path

import click

from ._common import echo_table, echo_written, lang_option, language, reports_errors
from .run import scenario_options

WORDS = {
    "en": {"heading": "{region} — scenario '{scenario}': {verdict}, {seconds:.2f} s, checks {checks}",
           "passed": "passed", "failed": "FAILED", "published": "Published plan (2018) vs model",
           "levels": "By level (published levels exist only for the parks before)",
           "distance": "distance {distance} (nearest published split of the 19 long-term cases: kept {kept}, "
                       "integrated {integrated}, revoked {revoked}); plain L1 to 49/130/116: {plain}",
           "member": "member of {host}", "uncounted": "not counted (inside {inside}): {zone} {name} → {fate}",
           "sweep": "\nsweep: {n} settings in {processes} processes …",
           "closest": "Closest settings (distance to 49 / 130 / 116, long-term either way)"},
    "zh": {"heading": "{region} — 方案“{scenario}”：{verdict}，{seconds:.2f} 秒，校验{checks}",
           "passed": "通过", "failed": "未通过", "published": "2018 年公布的方案与模型对比",
           "levels": "按级别（公布数据只有整治前各级别的园区数）",
           "distance": "距离 {distance}（19 个长期保留个案按最接近公布结果的方式计入：保留 {kept}，整合 {integrated}，"
                       "撤销 {revoked}）；到 49/130/116 的 L1 距离：{plain}",
           "member": "并入 {host}", "uncounted": "不单独计数（属于 {inside}）：{zone} {name} → {fate}",
           "sweep": "\n参数扫描：{n} 组设置，{processes} 个进程……",
           "closest": "最接近的设置（到 49 / 130 / 116 的距离，长期保留个案按较近的方式计入）",
           # the tables' columns and values
           "outcome": "去向", "published_count": "公布", "model": "模型", "difference": "差", "note": "说明",
           "kept": "保留", "integrated": "整合", "revoked": "撤销", "long_term": "长期保留后撤销", "total": "合计",
           "level": "级别", "published_before": "公布：整治前", "model_before": "模型：整治前",
           "model_kept": "模型：保留", "model_integrated": "模型：整合", "model_revoked": "模型：撤销",
           "published_kept": "公布：保留", "national+municipal": "国家级+市级", "district+subdistrict": "区级+区级以下",
           "all": "全部", "host": "牵头"},
}


@click.command("campaign")
@click.argument("scenario", required=False, default="tianjin-2018-campaign")
@scenario_options
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder to write (default: ./consolidate-out/campaign-SCENARIO).")
@click.option("--sweep", "do_sweep", is_flag=True,
              help="Also solve a grid over the main knobs and report which settings come closest.")
@click.option("--grid", multiple=True, metavar="KEY=V1,V2,…",
              help="A sweep knob and its values (repeatable; replaces the default grid).")
@click.option("--processes", type=int, metavar="N", help="Sweep processes (default: CPU count).")
@click.option("--no-charts", is_flag=True, help="Write the tables only.")
@lang_option
@reports_errors
def campaign_command(scenario, region, overrides, solver, time_limit, out, do_sweep, grid, processes, no_charts,
                     lang):
    """Solve SCENARIO (default: tianjin-2018-campaign) and compare its plan with the published outcome
    of Tianjin's 2018 园区围城治理 plan: 314 parks → keep 49, integrate 130, revoke 116, 19 long-term.

    Prints the comparison (overall and by level) and writes comparison.csv, by_level.csv,
    campaign.json, comparison.png/.svg and the plan's tables (plan/) to --out. The distance is the
    L1 distance of (kept, integrated, revoked) to the published outcome with the 19 long-term cases
    counted as kept or revoked, whichever is nearer. With --sweep, also solves every combination of
    the grid (default: objective.weights.zone_count, objective.weights.revocation,
    merging.max_distance_km) in parallel and writes sweep.csv, sensitivity.csv, sweep.txt and sweep.png.

    \b
      consolidate campaign                                      # the cap alone
      consolidate campaign tianjin-2018-campaign-push           # plus a cost per surviving park
      consolidate campaign --set objective.weights.zone_count=0.1 --out out/campaign
      consolidate campaign --sweep --grid objective.weights.zone_count=0,0.1,0.2 --processes 4
    """
    from ..campaign import (DEFAULT_GRID, run_campaign, sensitivity, sensitivity_text, sweep, write_campaign,
                            write_sweep)
    from ..sweep import parse_grid

    result = run_campaign(scenario, overrides, region, solver, time_limit)
    folder = Path(out or Path("consolidate-out") / f"campaign-{result.summary['scenario']}")
    folder = write_campaign(result, folder, charts=not no_charts)
    lang = language(lang, result.plan.region)
    print_result(result, lang)

    if do_sweep:
        knobs = dict(parse_grid(grid)) if grid else DEFAULT_GRID
        extra = list(overrides) + ([f"solver.name={solver}"] if solver else []) \
            + ([f"solver.time_limit_s={time_limit}"] if time_limit is not None else [])
        n = 1
        for values in knobs.values():
            n *= len(values)
        workers = processes or os.cpu_count() or 1
        click.echo(WORDS[lang]["sweep"].format(n=n, processes=min(n, workers)))
        frame = sweep(scenario, knobs, extra, region, workers)
        sens = sensitivity(frame, knobs)
        write_sweep(frame, sens, knobs, folder)
        shown = frame.head(10).drop(columns=["variant", "message"]).astype({k: str for k in knobs})  # 0.075, not 0.07
        echo_table(_printable(shown), title=WORDS[lang]["closest"])
        for line in sensitivity_text(frame, sens, knobs, lang):
            click.echo(line)
    echo_written(folder, lang, before="\n")


def print_result(result, lang: str = "en") -> None:
    from ..campaign import outcome_note
    from ..describe import LEVEL_NAMES

    s, w = result.summary, WORDS[lang]
    said = {**LEVEL_NAMES["zh"], **w, "published": w["published_count"]} if lang == "zh" else {}

    def say(frame):   # Chinese: the columns, the outcome and level names and the notes
        if not said:
            return frame
        frame = frame.copy()
        if "note" in frame and "outcome" in frame:
            frame["note"] = frame["outcome"].map(lambda outcome: outcome_note(outcome, lang))
        for column in ("outcome", "level"):
            if column in frame:
                frame[column] = frame[column].map(lambda v: said.get(v, v))
        return frame.rename(columns=lambda c: said.get(c, c))

    stated = result.plan.stats.verdict
    verdict = click.style(stated.text(lang), fg="green" if stated.proven_optimal else "yellow")
    checks = w["passed"] if s["checks_passed"] else click.style(w["failed"], fg="red")
    click.secho(w["heading"].format(region=s["region"], scenario=s["scenario"], verdict=verdict,
                                    seconds=s["seconds"]["total"], checks=checks), bold=True)
    echo_table(say(_printable(result.table)), title=w["published"])
    echo_table(say(_printable(result.levels)), title=w["levels"])
    closest = result.closest
    click.echo(w["distance"].format(distance=result.distance, kept=closest["kept"], integrated=closest["integrated"],
                                    revoked=closest["revoked"], plain=s["plain_l1"]))
    for row in result.uncounted.itertuples(index=False):
        fate = w["member"].format(host=row.host_id) if row.status == "member" else said.get(row.status, row.status)
        click.echo(w["uncounted"].format(inside=row.counted_in, zone=row.zone_id, name=row.name, fate=fate))


def _printable(frame):
    """Nullable integer columns (pd.NA) as plain objects, which echo_table prints as blanks."""
    return frame.astype(object).where(frame.notna(), None)


COMMANDS = [campaign_command]
