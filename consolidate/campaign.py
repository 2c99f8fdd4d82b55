"""The 2018 Tianjin campaign (园区围城治理): a model plan set against the published outcome.

    >>> from consolidate.campaign import run_campaign, write_campaign, sweep
    >>> result = run_campaign("tianjin-2018-campaign-push")
    >>> result.table            # kept / integrated / revoked / long-term: published, model, difference
    >>> result.levels           # the same by level, where the published numbers say anything
    >>> write_campaign(result, "out/campaign")      # comparison.csv, by_level.csv, chart (PNG, SVG), plan/
    >>> frame = sweep("tianjin-2018-campaign", processes=4)   # which knob settings come closest
    >>> # (grids, variant ids and failure statuses as in consolidate.sweep; rows count campaign parks)

**Published** (scripts/sources/tianjin/SOURCES.md §2; 《天津市工业园区(集聚区)围城问题治理工作实施方案》,
July 2018): 314 parks before (10 national, 42 municipal, 93 district-level, 169 below district level);
keep 49 national and municipal parks, integrate 130 (35 / 24 / 71 in 2018 / 2019 / 2020), revoke 116
(10 / 30 / 76), and 19 long-term cases (kept as they are for now, to be revoked later).

**Model.** A plan's status maps onto the published outcomes: host → kept, member → integrated,
revoked → revoked. Only campaign parks are counted: rows whose `campaign_park` column equals their
zone_id (every row when the region has no such column; in tianjin-314 two small customs areas count
inside TEDA and the 保税区 and are reported apart).

**Distance.** The model has no "long-term" outcome, and the 19 long-term cases will end up kept or
revoked, so the published outcome is the set {(49 + a, 130, 116 + 19 − a) : a = 0 … 19}. The
distance of a plan is the L1 distance of its (kept, integrated, revoked) to the nearest member of
that set — 0 when the model integrates 130 and splits the other 184 with 49 ≤ kept ≤ 68. The plain
L1 to (49, 130, 116), which is never below 19, is reported next to it.
"""
from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .errors import ConsolidateError
from .office import write_csv

SOURCE = ("《天津市工业园区(集聚区)围城问题治理工作实施方案》 (天津市人民政府办公厅, July 2018), "
          "scripts/sources/tianjin/SOURCES.md §2")
PUBLISHED_BEFORE = {"national": 10, "municipal": 42, "district": 93, "subdistrict": 169}
PUBLISHED = {"kept": 49, "integrated": 130, "revoked": 116, "long_term": 19}
PUBLISHED_BY_YEAR = {"integrated": {2018: 35, 2019: 24, 2020: 71}, "revoked": {2018: 10, 2019: 30, 2020: 76}}
OUTCOMES = ("kept", "integrated", "revoked")
STATUS_OUTCOME = {"host": "kept", "member": "integrated", "revoked": "revoked"}
LEVELS = tuple(PUBLISHED_BEFORE)
DEFAULT_SCENARIO = "tianjin-2018-campaign"
DEFAULT_GRID: dict[str, list[Any]] = {
    "objective.weights.zone_count": [0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2],
    "objective.weights.revocation": [0.05, 0.1, 0.2, 0.5, 5.0],
    "merging.max_distance_km": [15, 25, 40],
}
COMPARISON_ROWS = ("kept", "integrated", "revoked", "long_term", "total")


# --- counting --------------------------------------------------------------------------------------


def campaign_parks(zones: pd.DataFrame) -> pd.Series:
    """True for the rows that count as a campaign park of their own (see the module text)."""
    if "campaign_park" not in zones:
        return pd.Series(True, index=zones.index)
    return zones["campaign_park"].astype(str) == zones.index.astype(str)


def _outcomes(plan) -> pd.Series:
    counted = campaign_parks(plan.region.zones).reindex(plan.table.index, fill_value=False)
    return plan.table.loc[counted, "status"].map(STATUS_OUTCOME)


def model_counts(plan) -> dict[str, int]:
    """Kept, integrated and revoked campaign parks in a solved plan."""
    counts = _outcomes(plan).value_counts()
    return {k: int(counts.get(k, 0)) for k in OUTCOMES}


def closest_published(counts: dict[str, int]) -> tuple[int, dict[str, int]]:
    """(distance, the published outcome with the 19 long-term cases split the way nearest to `counts`)."""
    best = None
    for a in range(PUBLISHED["long_term"] + 1):
        target = {"kept": PUBLISHED["kept"] + a, "integrated": PUBLISHED["integrated"],
                  "revoked": PUBLISHED["revoked"] + PUBLISHED["long_term"] - a}
        d = sum(abs(counts[k] - target[k]) for k in OUTCOMES)
        if best is None or d < best[0]:
            best = (d, target)
    return best  # type: ignore[return-value]


def distance(counts: dict[str, int]) -> int:
    """L1 distance of (kept, integrated, revoked) to the published outcome, long-term cases either way."""
    return closest_published(counts)[0]


def plain_l1(counts: dict[str, int]) -> int:
    """L1 distance to (49, 130, 116), the long-term cases left out (so never below 19 on 314 parks)."""
    return sum(abs(counts[k] - PUBLISHED[k]) for k in OUTCOMES)


CAMPAIGN_TEXT = {   # the comparison's notes and the sweep's sentences (comparison.csv and sweep.txt: English)
    "en": {"kept": "published: national and municipal parks only", "by_year": "published by year {counts} ({years})",
           "long_term": "kept for now, revoked later; the model has no such outcome", "total": "parks before the campaign",
           "unsolved": "no grid point solved", "no_plan": "no plan",
           "closest": "closest: {setting} → kept {kept}, integrated {integrated}, revoked {revoked} (distance "
                      "{distance}; plain L1 to 49/130/116: {plain})",
           "reach": "{tie} of {n} settings reach distance {distance}; {near} are within 10 of it; {failed} did not solve",
           "knob": "{knob} (others at the closest setting) → distance {spread}"},
    "zh": {"kept": "公布数：仅国家级和市级园区", "by_year": "公布的逐年数 {counts}（{years}）",
           "long_term": "暂时保留、以后撤销；模型没有这一去向", "total": "整治前的园区数",
           "unsolved": "没有一组设置解出", "no_plan": "无方案",
           "closest": "最接近：{setting} → 保留 {kept}，整合 {integrated}，撤销 {revoked}（距离 {distance}；"
                      "到 49/130/116 的 L1 距离：{plain}）",
           "reach": "{n} 组设置中 {tie} 组达到距离 {distance}；{near} 组与之相差不超过 10；{failed} 组未解出",
           "knob": "{knob}（其他参数取最接近的设置）→ 距离 {spread}"},
}


def outcome_note(outcome: str, lang: str = "en") -> str:
    """What the published number of an outcome is, in `lang`."""
    words = CAMPAIGN_TEXT[lang]
    if outcome in PUBLISHED_BY_YEAR:
        years = PUBLISHED_BY_YEAR[outcome]
        return words["by_year"].format(counts=" / ".join(map(str, years.values())), years=" / ".join(map(str, years)))
    return words[outcome]


def comparison_table(plan) -> pd.DataFrame:
    """One row per outcome (kept, integrated, revoked, long_term, total): published, model, difference."""
    counts = model_counts(plan)
    rows = []
    for outcome in COMPARISON_ROWS:
        published = sum(PUBLISHED.values()) if outcome == "total" else PUBLISHED[outcome]
        model = sum(counts.values()) if outcome == "total" else counts.get(outcome)
        rows.append({"outcome": outcome, "published": published, "model": model,
                     "difference": None if model is None else model - published, "note": outcome_note(outcome)})
    frame = pd.DataFrame(rows)
    frame["model"] = frame["model"].astype("Int64")
    frame["difference"] = frame["difference"].astype("Int64")
    return frame


def level_table(plan) -> pd.DataFrame:
    """Campaign parks by level: published and model counts before, and the model's outcomes.

    The published numbers give levels only for the parks before the campaign, and say the 49 kept are
    national and municipal parks: so `published_kept` is filled only for the grouped rows."""
    zones = plan.region.zones
    counted = campaign_parks(zones).reindex(plan.table.index, fill_value=False)
    table = plan.table.loc[counted]
    outcome = table["status"].map(STATUS_OUTCOME)
    groups = [(lv, [lv]) for lv in LEVELS] + [("national+municipal", ["national", "municipal"]),
                                               ("district+subdistrict", ["district", "subdistrict"]),
                                               ("all", list(LEVELS))]
    published_kept = {"national+municipal": PUBLISHED["kept"], "district+subdistrict": 0, "all": PUBLISHED["kept"]}
    rows = []
    for label, levels in groups:
        mask = table["level"].isin(levels)
        row = {"level": label, "published_before": sum(PUBLISHED_BEFORE[lv] for lv in levels),
               "model_before": int(mask.sum())}
        for k in OUTCOMES:
            row[f"model_{k}"] = int((outcome[mask] == k).sum())
        row["published_kept"] = published_kept.get(label)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["published_kept"] = frame["published_kept"].astype("Int64")
    return frame


def uncounted_rows(plan) -> pd.DataFrame:
    """Rows that count inside another campaign park (tianjin-314: two customs areas), with their fate."""
    zones = plan.region.zones
    if "campaign_park" not in zones:
        return pd.DataFrame(columns=["zone_id", "name", "counted_in", "status", "host_id"])
    other = ~campaign_parks(zones)
    table = plan.table.loc[other[other].index]
    return pd.DataFrame({"zone_id": table.index, "name": table["name"].to_numpy(),
                         "counted_in": zones.loc[table.index, "campaign_park"].to_numpy(),
                         "status": table["status"].to_numpy(), "host_id": table["host_id"].to_numpy()})


# --- one run ---------------------------------------------------------------------------------------


@dataclass
class CampaignResult:
    plan: Any
    counts: dict[str, int]
    table: pd.DataFrame
    levels: pd.DataFrame
    uncounted: pd.DataFrame
    distance: int
    closest: dict[str, int]
    summary: dict[str, Any] = field(default_factory=dict)


def run_campaign(scenario: str | None = DEFAULT_SCENARIO, overrides: Iterable[str] = (), region: str | None = None,
                 solver: str | None = None, time_limit: float | None = None) -> CampaignResult:
    """Solve `scenario` (with --set style overrides) and compare its plan with the published outcome."""
    from .scenario import resolve_scenario
    from .pipeline import solve

    return compare_plan(solve(*resolve_scenario(scenario or DEFAULT_SCENARIO, region, tuple(overrides), solver,
                                                time_limit)))


def compare_plan(plan) -> CampaignResult:
    counts = model_counts(plan)
    d, closest = closest_published(counts)
    s = plan.stats
    summary = {
        "scenario": s.scenario_name, "region": s.region, "status": s.status,
        "proven_optimal": s.proven_optimal, "gap": s.gap, "objective": s.objective,
        "seconds": plan.summary["seconds"], "checks_passed": s.checks_passed, "counts": counts,
        "published": PUBLISHED, "published_before": PUBLISHED_BEFORE, "published_source": SOURCE,
        "distance": d, "closest_published": closest, "plain_l1": plain_l1(counts),
        "distance_rule": "L1 on (kept, integrated, revoked) to the nearest (49+a, 130, 135−a), a = 0…19",
    }
    return CampaignResult(plan, counts, comparison_table(plan), level_table(plan), uncounted_rows(plan), d, closest,
                          summary)


def write_campaign(result: CampaignResult, out: str | Path, charts: bool = True) -> Path:
    """Write comparison.csv, by_level.csv, campaign.json, the chart (PNG and SVG) and plan/ atomically."""
    from .io import atomic_folder, output_path

    with atomic_folder(out, kind="campaign") as new:  # removed on failure
        (new / "plan").mkdir(parents=True)
        write_csv(result.table, new / "comparison.csv")
        write_csv(result.levels, new / "by_level.csv")
        if len(result.uncounted):
            write_csv(result.uncounted, new / "not_counted.csv")
        (new / "campaign.json").write_text(json.dumps(result.summary, ensure_ascii=False, indent=2, default=str)
                                           + "\n", encoding="utf-8")
        result.plan.write_tables(new / "plan")
        if charts:
            from .charts.campaign import comparison_chart

            comparison_chart(result, new)
    out = output_path(out)
    return out


# --- sweep ---------------------------------------------------------------------------------------
# The grid, variant ids, region cache and failure statuses are consolidate.sweep's and compare's; only
# the row differs: a campaign row counts campaign parks and measures the distance to the published plan.

SWEEP_COLUMNS = ["variant", "status", "proven_optimal", "gap", "objective", *OUTCOMES, "distance", "plain_l1",
                 "message", "seconds"]


def _grid_list(grid: dict[str, list[Any]] | list[tuple[str, list]]) -> list[tuple[str, list]]:
    return list(grid.items()) if isinstance(grid, dict) else list(grid)


def _load_task(task) -> tuple:
    """A sweep Task's (region, scenario, graph), the region read once per worker process."""
    from .scenario import scenario_from_dict
    from .sweep import cached_region

    region, graph = cached_region(task.region)
    return region, scenario_from_dict(task.scenario, where=f"variant {task.variant}"), graph


def campaign_variant(task) -> dict[str, Any]:
    """Solve one variant (a consolidate.sweep.Task) into a campaign row; a failure is a row with its status."""
    from .compare import metrics, one_line, solve_outcome
    from .sweep import warm_solver

    started = time.perf_counter()
    row: dict[str, Any] = {"variant": task.variant}
    try:
        outcome = solve_outcome(task.variant, functools.partial(_load_task, task), warm=warm_solver(task.region))
        row.update(metrics(outcome.plan, outcome.status), message=outcome.message)
        if outcome.plan is not None:
            counts = model_counts(outcome.plan)
            row.update(counts, distance=distance(counts), plain_l1=plain_l1(counts))
    except Exception as error:  # noqa: BLE001 - a worker reports, it does not die
        row.update(status="error", message=one_line(error))
    row["seconds"] = round(time.perf_counter() - started, 3)
    return {k: row.get(k) for k in SWEEP_COLUMNS}


def sweep(scenario: str | None = DEFAULT_SCENARIO, grid: dict[str, list[Any]] | list[tuple[str, list]] | None = None,
          overrides: Iterable[str] = (), region: str | None = None, processes: int | None = None) -> pd.DataFrame:
    """Solve every grid point in parallel processes; rows sorted by distance to the published outcome
    (then plain L1, then grid order). Invalid, infeasible and stopped variants are rows with their status."""
    from .compare import error_status, one_line
    from .engine import pool_forks, worker_pool
    from .sweep import make_task, make_variants, prepare_workers

    grid = _grid_list(grid or DEFAULT_GRID)
    variants, parameters = make_variants(grid, None, list(overrides))
    rows, tasks, loaded = {}, [], {}   # loaded: each region read once
    for v in variants:
        rows[v.id] = {"variant": v.id, **v.values}
        try:
            tasks.append(make_task(v.id, scenario or DEFAULT_SCENARIO, region, v.overrides, loaded))
        except ConsolidateError as error:
            rows[v.id].update(status=error_status(error), message=one_line(error))
    workers = max(1, min(processes or os.cpu_count() or 1, len(tasks) or 1))
    if workers == 1 or pool_forks():
        prepare_workers(tasks, loaded)
    if workers > 1:
        with worker_pool(workers) as pool:
            done = list(pool.map(campaign_variant, tasks))
    else:
        done = [campaign_variant(task) for task in tasks]
    for row in done:
        rows[row["variant"]].update({k: v for k, v in row.items() if k != "variant"})
    frame = pd.DataFrame([rows[v.id] for v in variants])
    frame = frame.reindex(columns=["variant", *parameters, *SWEEP_COLUMNS[1:]])
    for column in (*OUTCOMES, "distance", "plain_l1"):
        frame[column] = frame[column].astype("Int64")
    frame["_grid"] = range(len(frame))
    frame = frame.sort_values(["distance", "plain_l1", "_grid"], kind="stable", na_position="last")
    return frame.drop(columns="_grid").reset_index(drop=True)


def sensitivity(frame: pd.DataFrame, grid: dict[str, list[Any]] | list[tuple[str, list]]) -> pd.DataFrame:
    """One knob at a time around the best setting: the distance and counts at each value of each knob,
    the other knobs held at their best values."""
    grid = dict(_grid_list(grid))
    solved = frame[frame["distance"].notna()]
    if solved.empty:
        return pd.DataFrame(columns=["knob", "value", "best", *OUTCOMES, "distance"])
    best = solved.iloc[0]
    rows = []
    for knob, values in grid.items():
        others = [k for k in grid if k != knob]
        for value in values:
            match = frame[_equal(frame[knob], value)]
            for other in others:
                match = match[_equal(match[other], best[other])]
            r = match.iloc[0] if len(match) else None
            rows.append({"knob": knob, "value": value, "best": _same(value, best[knob]),
                         **{k: (None if r is None else r[k]) for k in (*OUTCOMES, "distance")}})
    out = pd.DataFrame(rows)
    for column in (*OUTCOMES, "distance"):
        out[column] = out[column].astype("Int64")
    return out


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(b, float) and b != b):
        return (a is None or a != a) and (b is None or b != b)
    return a == b


def _equal(series: pd.Series, value: Any) -> pd.Series:
    return series.map(lambda v: _same(v, value)).astype(bool)


def sensitivity_text(frame: pd.DataFrame, sens: pd.DataFrame,
                     grid: dict[str, list[Any]] | list[tuple[str, list]], lang: str = "en") -> list[str]:
    """Plain sentences: the best setting, how many settings tie or come near, and each knob's range (in `lang`)."""
    grid, words = dict(_grid_list(grid)), CAMPAIGN_TEXT[lang]
    solved = frame[frame["distance"].notna()]
    if solved.empty:
        return [words["unsolved"]]
    best = solved.iloc[0]
    setting = ", ".join(f"{k}={best[k]}" for k in grid)
    lines = [words["closest"].format(setting=setting, kept=best["kept"], integrated=best["integrated"],
                                     revoked=best["revoked"], distance=best["distance"], plain=best["plain_l1"])]
    near = solved[solved["distance"] <= best["distance"] + 10]
    lines.append(words["reach"].format(tie=int((solved["distance"] == best["distance"]).sum()), n=len(frame),
                                       distance=best["distance"], near=len(near), failed=len(frame) - len(solved)))
    for knob in grid:
        part = sens[sens["knob"] == knob]
        if part.empty:
            continue
        spread = ", ".join(f"{v}: {words['no_plan'] if pd.isna(d) else d}" for v, d in zip(part["value"], part["distance"]))
        lines.append(words["knob"].format(knob=knob, spread=spread))
    return lines


def write_sweep(frame: pd.DataFrame, sens: pd.DataFrame, grid: dict[str, list[Any]] | list[tuple[str, list]],
                out: str | Path) -> Path:
    """sweep.csv, sensitivity.csv, sweep.txt and sweep.png/.svg (distance along each knob) into `out`."""
    from .charts.campaign import sweep_chart
    from .io import atomic_file, claim_folder, write_text

    out = claim_folder(out, kind="campaign")
    for name, table in (("sweep.csv", frame), ("sensitivity.csv", sens)):
        with atomic_file(out / name) as tmp:
            write_csv(table, tmp)
    write_text(out / "sweep.txt", "\n".join(sensitivity_text(frame, sens, grid)) + "\n")
    sweep_chart(sens, grid, out)
    return out
