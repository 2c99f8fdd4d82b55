"""Compare scenarios side by side: key figures, zones kept per district, who gains and loses, which zones
change fate.

    >>> from consolidate.compare import Outcome, compare, write_comparison
    >>> outcomes = [solve_outcome("baseline", lambda: (region, load_scenario("baseline"))),
    ...             solve_outcome("cap-2", lambda: (region, load_scenario("cap-2")))]
    >>> result = compare(outcomes)
    >>> result.table            # one row per scenario: status, objective and its parts, counts, seconds
    >>> result.per_district     # zones kept per district (district × scenario)
    >>> write_comparison(result, "out/compare")   # comparison.csv, .md, …, written atomically

A scenario the solver cannot satisfy is a row with status `infeasible` and the reason, not an error:
comparing what is possible with what is not is half the point. `metrics` and `solve_outcome` are
shared with `sweep.py`, so a compare row and a sweep row mean the same thing.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import CheckFailed, ConsolidateError, InfeasibleError, InputError, SolverStopped
from .office import write_csv
from .errors import InputIssue
from .plan import EDITED, EDITED_VERDICT
from .scenario import MODES
from .statistics import OBJECTIVE_PARTS

METRICS = ["status", "proven_optimal", "gap", "objective", *[f"objective_{p}" for p in OBJECTIVE_PARTS],
           "hosts", "members", "revoked", "revoked_gdp", "gdp_km", "cross_district_gdp", "plan_id",
           *[f"merges_{m}" for m in MODES], "plan_sha256"]
TABLE_COLUMNS = ["scenario", *METRICS, "seconds"]
SOLVED = ("optimal", "feasible", EDITED)  # a plan to compare (an edited one is labelled, not dropped)
FILES = ("comparison.csv", "zones_per_district.csv", "district_changes.csv", "zone_fates.csv", "comparison.md")


# --- one scenario → one outcome --------------------------------------------------------------------


@dataclass
class Outcome:
    """What came of one scenario: a plan, or the status and message of why there is none."""

    label: str
    plan: Any = None                 # consolidate.plan.Plan
    status: str = "optimal"
    message: str = ""
    seconds: float = 0.0
    row: dict = field(default_factory=dict)


def error_status(error: BaseException) -> str:
    """The status word a failure is reported under (sweep.csv and comparison.csv)."""
    if isinstance(error, InfeasibleError):
        return "infeasible"
    if isinstance(error, SolverStopped):
        return "stopped"
    if isinstance(error, InputError):
        return "input_error"
    if isinstance(error, CheckFailed):
        return "check_failed"
    return "error"


def one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if not isinstance(error, ConsolidateError):
        text = f"{type(error).__name__}: {text}"
    out = ""
    for line in (part.strip().removeprefix("- ") for part in text.splitlines()):
        if line:
            out += ("" if not out else " " if out.endswith(":") else "; ") + line
    return out


def metrics(plan=None, status: str | None = None) -> dict[str, Any]:
    """The METRICS of a plan (or, with no plan, an all-empty row with `status`)."""
    if plan is None:
        return {**{column: None for column in METRICS}, "status": status}
    s = plan.stats
    counted = "counts" in plan.summary
    row = {"status": s.status, "proven_optimal": bool(s.proven_optimal), "gap": s.gap, "objective": s.objective}
    for part, weighted in s.weighted_parts().items():
        row[f"objective_{part}"] = weighted
    row.update(hosts=s.counts.hosts if counted else None, members=s.counts.members if counted else None,
               revoked=s.counts.revoked if counted else None, revoked_gdp=revoked_gdp(plan), **real_units(plan))
    for mode in MODES:
        row[f"merges_{mode}"] = int(s.counts.by_mode.get(mode, 0))
    row["plan_sha256"] = hashlib.sha256(plan.plan_csv().encode("utf-8")).hexdigest()  # same hash, same plan.csv
    return row


def revoked_gdp(plan) -> float | None:
    totals = plan.summary.get("allocation", {}).get("totals", {}).get("gdp")
    if totals is not None:
        return totals.get("revoked")
    if plan.region is None or "gdp" not in plan.region.zones:
        return None
    revoked = plan.table.index[plan.table["status"] == "revoked"]
    return float(plan.region.zones["gdp"].reindex(revoked).fillna(0).sum())


def real_units(plan) -> dict[str, Any]:
    """What a plan costs in real units, for trade-offs that compare like with like across weights:

    gdp_km: Σ GDP × km from each member to its host (the region's GDP unit × km; × minutes where the
        objective priced travel minutes, plan.csv's minutes_to_host): what the distance part of the objective
        weighs, before any weight;
    cross_district_gdp: GDP of the zones that join a host run by another district (the region's unit);
    plan_id: a short fingerprint of who is host, member or revoked under whom (equal plans, equal ids).
    """
    import hashlib

    table = plan.table
    decisions = "\n".join(f"{z},{s},{h}" for z, s, h in sorted(zip(table.index.astype(str).tolist(),
                                                                      table["status"].tolist(),
                                                                      table["host_id"].astype(str).tolist())))
    out: dict[str, Any] = {"gdp_km": None, "cross_district_gdp": None,
                           "plan_id": hashlib.sha256(decisions.encode("utf-8")).hexdigest()[:12]}
    if plan.region is None or "gdp" not in plan.region.zones:
        return out
    # plain arrays: each pandas step costs more than the arithmetic on a few hundred zones (a sweep does this per variant)
    gdp = pd.to_numeric(plan.region.zones["gdp"], errors="coerce").reindex(table.index).fillna(0.0).to_numpy(float)
    members = (table["status"] == "member").to_numpy(bool)
    priced = "minutes_to_host" if "minutes_to_host" in table else "distance_to_host_km"
    km = pd.to_numeric(table[priced], errors="coerce").fillna(0.0).to_numpy(float)
    out["gdp_km"] = round(float((gdp[members] * km[members]).sum()), 4)
    runs = dict(zip(table.index.tolist(), table["managing_district_id"].astype(str).tolist()))
    crosses = np.fromiter((runs.get(h) != runs[z] for z, h in zip(table.index.tolist(), table["host_id"].tolist())),
                          bool, len(table))
    out["cross_district_gdp"] = round(float(gdp[members & crosses].sum()), 4)
    return out


def solve_outcome(label: str, load: Callable[[], tuple], warm=None) -> Outcome:
    """Solve what `load()` returns — (region, scenario) or (region, scenario, graph) — into an outcome;
    loading and solving errors (ConsolidateError) become its status and message, not a crash.
    `warm`: a `warm.WarmSolver` of the region, for many solves in a row (the same plans, sooner)."""
    from .pipeline import solve

    started = time.perf_counter()
    try:
        region, scenario, *graph = load()
        plan = solve(region, scenario, graph=graph[0] if graph else None, warm=warm)
    except ConsolidateError as error:
        return Outcome(label, None, error_status(error), one_line(error), round(time.perf_counter() - started, 3))
    return Outcome(label, plan, plan.summary["status"], "", round(time.perf_counter() - started, 3))


def plan_outcome(label: str, folder: str | Path) -> Outcome:
    """An already solved plan folder (one with summary.json) as an outcome."""
    from .plan import read_plan

    plan = read_plan(folder)
    s = plan.summary
    note = ""
    if s.get(EDITED):
        passed = sum(1 for c in s["checks"] if c["passed"])
        note = (f"{', '.join(s.get('edited_tables', []))} changed since it was solved: re-checked, "
                f"{passed}/{len(s['checks'])} checks pass")
    return Outcome(label, plan, s["status"], note, float((s.get("seconds") or {}).get("total", 0.0)))


def is_plan_dir(item: str | Path) -> bool:
    return Path(item).is_dir() and (Path(item) / "summary.json").is_file()


# --- many outcomes → a comparison ------------------------------------------------------------------


@dataclass
class Comparison:
    table: pd.DataFrame              # TABLE_COLUMNS + reason, one row per scenario, in the order given
    per_district: pd.DataFrame       # index district name; zones_before, then zones_after per scenario
    changes: pd.DataFrame            # district, measure, then the change per scenario under its own rule
    fates: pd.DataFrame              # zone_id, name, district, then status/host per scenario (zones that differ)
    outcomes: list[Outcome]


def unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}-{seen[label]}")
    return out


def compare(outcomes: list[Outcome]) -> Comparison:
    rows = []
    for o in outcomes:
        row = {"scenario": o.label, **metrics(o.plan, o.status), "seconds": o.seconds, "reason": o.message}
        rows.append(row)
    table = pd.DataFrame(rows, columns=[*TABLE_COLUMNS, "reason"])
    solved = [o for o in outcomes if o.plan is not None]
    _check_one_region(solved)
    return Comparison(table, zones_per_district(solved), district_changes(solved), zone_fates(solved), outcomes)


def _check_one_region(solved: list[Outcome]) -> None:
    """Plans compare zone by zone and district by district: they must be of one region, with the same zones
    and districts (a plan folder of another region, or with an edited table, is refused, not misread)."""
    if not solved:
        return
    for o in solved:
        _check_tables_agree(o)
    first = solved[0]
    for o in solved[1:]:
        why = ""
        if set(map(str, o.plan.table.index)) != set(map(str, first.plan.table.index)):
            why = (f"'{o.label}' (region {o.plan.summary.get('region')!r}) and '{first.label}' (region "
                   f"{first.plan.summary.get('region')!r}) do not list the same zones in plan.csv")
        elif set(map(str, o.plan.districts.index)) != set(map(str, first.plan.districts.index)):
            why = f"'{o.label}' and '{first.label}' do not list the same districts in districts.csv"
        if why:
            raise InputError(InputIssue(o.label, f"cannot compare: {why}",
                                          "compare plans of one region, as `consolidate run` wrote them"))


def _check_tables_agree(o: Outcome) -> None:
    """districts.csv says what plan.csv implies: each district's name (the region's) and zones kept."""
    plan, fix = o.plan, "write the plan folder again with `consolidate run` (or `consolidate allocate`)"
    by = (plan.summary.get("scenario") or {}).get("count_by", "managing_district")
    column = "managing_district_id" if by == "managing_district" else "district_id"
    try:
        kept = plan.table.loc[plan.table["status"] == "host", column].astype(str).value_counts()
        after = pd.to_numeric(plan.districts["zones_after"], errors="coerce")
    except KeyError as missing:
        raise InputError(InputIssue(o.label, f"plan.csv lacks the column {missing}", fix)) from None
    wrong = [f"{d}: zones_after {after[d]}, plan.csv keeps {int(kept.get(str(d), 0))}"
             for d in plan.districts.index if after[d] != kept.get(str(d), 0)]
    names = plan.region.districts["name"].astype(str) if plan.region is not None else None
    if names is not None:
        wrong += [f"{d}: named {n!r}, the region says {names.get(str(d))!r}"
                  for d, n in plan.districts["name"].astype(str).items() if names.get(str(d)) != n]
    if wrong:
        raise InputError(InputIssue(f"{o.label}: districts.csv", "does not agree with plan.csv and the region "
                                      f"(edited by hand?): {'; '.join(wrong[:5])}", fix))


def _district_names(plan) -> pd.Series:
    return plan.districts["name"].astype(str)


def zones_per_district(solved: list[Outcome]) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {}
    before: pd.Series | None = None
    for o in solved:
        d = o.plan.districts.set_index(_district_names(o.plan))
        before = d["zones_before"] if before is None else before.combine_first(d["zones_before"])
        columns[o.label] = d["zones_after"]
    frame = pd.DataFrame({"zones_before": before, **columns}) if before is not None else pd.DataFrame()
    frame.index.name = "district"
    if len(frame):
        frame = frame.loc[_district_order(solved)].astype("Int64")
    return frame


def _district_order(solved: list[Outcome]) -> list[str]:
    order: list[str] = []
    for o in solved:
        order += [n for n in _district_names(o.plan) if n not in set(order)]
    return order


def district_changes(solved: list[Outcome]) -> pd.DataFrame:
    """GDP and revenue change per district, each scenario under its own sharing rule."""
    frames = []
    measures = [m for m in ("gdp", "fiscal_revenue") if any(f"{m}_change" in o.plan.districts for o in solved)]
    for measure in measures:
        columns = {}
        for o in solved:
            d = o.plan.districts.set_index(_district_names(o.plan))
            if f"{measure}_change" in d:
                columns[o.label] = d[f"{measure}_change"].astype(float)
        frame = pd.DataFrame(columns).reindex(_district_order(solved))
        frame.insert(0, "measure", measure)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["district", "measure"])
    out = pd.concat(frames).rename_axis("district").reset_index()
    return out


def fate(row: pd.Series) -> str:
    if row["status"] == "member":
        return f"member:{row['host_id']}"
    return str(row["status"])


def zone_fates(solved: list[Outcome]) -> pd.DataFrame:
    """Zones whose fate (host, member of which host, revoked) differs between the solved scenarios."""
    if len(solved) < 2:
        return pd.DataFrame(columns=["zone_id", "name", "district_id"])
    info = pd.concat([o.plan.table[["name", "district_id"]] for o in solved])
    info = info[~info.index.duplicated()]
    fates = pd.DataFrame({o.label: o.plan.table.apply(fate, axis=1) for o in solved}).reindex(info.index)
    differs = fates.nunique(axis=1, dropna=False) > 1
    out = info[differs].join(fates[differs]).rename_axis("zone_id").reset_index()
    return out.sort_values("zone_id", kind="stable").reset_index(drop=True)


# --- writing -----------------------------------------------------------------------------------------


def write_comparison(result: Comparison, out: str | Path, plans: bool = True, lang: str = "zh",
                     charts: bool = True) -> Path:
    """comparison.csv, zones_per_district.csv, district_changes.csv, zone_fates.csv, comparison.md, the
    solved plans' tables under plans/LABEL/ (so a later compare can reuse them), and the charts — all
    into a temporary folder renamed into place."""
    from .io import atomic_folder, output_path

    with atomic_folder(out, kind="comparison") as tmp:
        write_csv(result.table, tmp / "comparison.csv", float_format="%.10g")
        write_csv(result.per_district.reset_index(), tmp / "zones_per_district.csv", float_format="%.10g")
        write_csv(result.changes, tmp / "district_changes.csv", float_format="%.10g")
        write_csv(result.fates, tmp / "zone_fates.csv", float_format="%.10g")
        (tmp / "comparison.md").write_text(markdown(result), encoding="utf-8")
        if plans:
            for o in result.outcomes:
                if o.plan is not None:
                    folder = tmp / "plans" / safe_name(o.label)
                    folder.mkdir(parents=True)
                    o.plan.write_tables(folder)
        if charts:
            _charts(result, tmp, lang)
    return output_path(out)


def safe_name(label: str) -> str:
    """The folder name a plan of the comparison is written under (plans/NAME/)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label) or "scenario"


def _charts(result: Comparison, folder: Path, lang: str = "zh") -> None:
    from .charts.compare import compare_charts

    per_district = result.per_district.drop(columns="zones_before", errors="ignore")
    region = next((o.plan.region for o in result.outcomes if o.plan is not None and o.plan.region is not None), None)
    draw_charts(compare_charts, result.table[TABLE_COLUMNS].copy(), per_district, folder, lang=lang,
                unit=region_unit(region, lang=lang), district_names=english_district_names(region),
                per=distance_unit(region))


UNITS_EN = {"亿元": "100 million yuan", "万元": "10,000 yuan", "元": "yuan", "人": "persons", "公顷": "ha",
            "平方公里": "km²"}


def distance_unit(region) -> str:
    """The unit the objective prices a member's distance to its host in: km, or minutes with a travel-time
    matrix (what `problem.distance_unit` and plan.csv's minutes_to_host say)."""
    return region.distances.unit if region is not None and region.distances is not None else "km"


def region_unit(region, measure: str = "gdp", lang: str = "zh") -> str:
    """The region's unit of a measure (亿元; in English 100 million yuan), '' when it names none."""
    unit = (region.units.get(measure, "") if region is not None else "") or ""
    return UNITS_EN.get(unit, unit) if lang == "en" else unit


def english_district_names(region) -> dict[str, str]:
    """District name → its English name, where the region model has one."""
    if region is None or "name_en" not in region.districts:
        return {}
    return {str(n): str(e) for n, e in zip(region.districts["name"], region.districts["name_en"])
            if isinstance(e, str) and e.strip()}


def draw_charts(chart: Callable[..., Any], *args, **options) -> None:
    """Call `chart(*args, **options)`; a chart that fails is a warning — the tables it would illustrate are
    already written and are what matters."""
    try:
        chart(*args, **options)
    except Exception as error:  # noqa: BLE001
        import warnings

        warnings.warn(f"charts not drawn ({chart.__name__}): {one_line(error)}", stacklevel=2)


def key_figures(result: Comparison) -> pd.DataFrame:
    """The comparison table turned on its side: one row per figure, one column per scenario."""
    table = result.table.set_index("scenario")
    shown = table.drop(columns=["reason", "plan_sha256"]).T.astype(object)   # the hash is for files, not eyes
    for label in shown.columns:
        for figure in shown.index:
            shown.at[figure, label] = _cell(shown.at[figure, label], figure)
    shown.index.name = "figure"
    return shown


def _cell(value, figure: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if figure == "status" and value == EDITED:
        return EDITED_VERDICT["en"]
    if figure == "gap" and isinstance(value, (int, float)):
        return f"{100 * value:.2f}%"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


def _md_table(frame: pd.DataFrame, index: bool = True) -> str:
    frame = frame.reset_index() if index else frame
    head = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)


def markdown(result: Comparison) -> str:
    parts = ["# Scenario comparison", "", "## Key figures", "",
             "Objective parts are weighted contributions (they add up to the objective); "
             "revoked_gdp is the GDP of revoked zones; merges by mode count members.", "",
             _md_table(key_figures(result))]
    failed = result.table[~result.table["status"].isin(SOLVED)]
    if len(failed):
        parts += ["", "## Scenarios without a plan", ""]
        parts += [f"- **{r.scenario}** ({r.status}): {r.reason}" for r in failed.itertuples()]
    if len(result.per_district):
        parts += ["", "## Zones kept per district", "", _md_table(result.per_district)]
    for measure, title in (("gdp", "GDP"), ("fiscal_revenue", "Fiscal revenue")):
        part = result.changes[result.changes["measure"] == measure].drop(columns="measure")
        part = part.set_index("district")
        part = part[(part.fillna(0) != 0).any(axis=1)]
        if len(result.changes):
            parts += ["", f"## {title} change per district (each scenario under its own sharing rule)", "",
                      _md_table(part) if len(part) else "No district gains or loses under any scenario."]
    if len(result.outcomes) - len(failed) >= 2:
        parts += ["", f"## Zones whose fate differs ({len(result.fates)})", ""]
        fates = readable_fates(result)
        parts.append(_md_table(fates, index=False) if len(fates) else "Every zone has the same fate everywhere.")
    return "\n".join(parts) + "\n"


def readable_fates(result: Comparison, lang: str = "zh") -> pd.DataFrame:
    """zone_fates with hosts named: `→ 天津开发区` instead of `member:G121001` (English names where the region
    has them, when lang is en)."""
    names = _zone_names(result, lang)
    fates = result.fates.copy()
    if lang == "en" and "name" in fates:
        fates["name"] = [names.get(z, n) for z, n in zip(fates.index if "zone_id" not in fates else fates["zone_id"],
                                                         fates["name"])]
    for o in result.outcomes:
        if o.label in fates:
            fates[o.label] = fates[o.label].map(lambda f: _fate_text(f, names))
    return fates


def _zone_names(result: Comparison, lang: str = "zh") -> dict[str, str]:
    names: dict[str, str] = {}
    for o in result.outcomes:
        if o.plan is not None:
            names.update(o.plan.table["name"].astype(str).to_dict())
            zones = o.plan.region.zones if o.plan.region is not None else None
            if lang == "en" and zones is not None and "name_en" in zones:
                names.update({z: str(e) for z, e in zones["name_en"].items() if isinstance(e, str) and e.strip()})
    return names


def _fate_text(value, names: dict[str, str]) -> str:
    if not isinstance(value, str):
        return "—"
    if value.startswith("member:"):
        host = value.split(":", 1)[1]
        return f"→ {names.get(host, host)}"
    return value
