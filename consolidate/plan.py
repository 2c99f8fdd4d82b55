"""A consolidation plan: its tables, its summary, and its output folder.

    >>> plan = solve(region, scenario)
    >>> plan.table            # one row per zone: status host | member | revoked, host_id, mode, …
    >>> plan.districts        # per district: zones before/after, cap, and each measure before/after
    >>> plan.to_dir("out/baseline")          # plan.csv, districts.csv, flows.csv, graph.csv, summary.json
    >>> read_plan("out/baseline")            # read it back, re-checked (an edited plan.csv is labelled so)

Output folders are written by `io.atomic_folder`: into a temporary sibling folder first, then swapped in,
so a failure never leaves a half-written plan behind, and a folder the toolkit did not write is never replaced.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .describe import describe, label, overrides_from_named
from .errors import CheckFailed, InputError, InputIssue
from .layers import has_geo
from .office import csv_text, write_csv, write_xlsx
from .region import CUSTOMS_PREFIX, Region
from .scenario import Scenario
from .statistics import EDITED, OPTIMAL, VERDICT_TEXT, PlanSummary

if TYPE_CHECKING:   # a Plan's module loads no graph or model code: the drawing child unpickles plans (#14)
    import networkx as nx

    from .problem import Problem

TABLE_FILES = ("plan.csv", "districts.csv", "flows.csv", "graph.csv")  # what summary.json vouches for by sha256
EDITED_VERDICT = {lang: words[EDITED] for lang, words in VERDICT_TEXT.items()}  # "edited — not proven optimal"
PLAN_COLUMNS = ["zone_id", "name", "district_id", "managing_district_id", "level", "kind", "status", "host_id",
                "group_id", "mode", "new_kind", "distance_to_host_km"]
OPTIONAL_PLAN_COLUMNS = ["minutes_to_host"]


@dataclass
class Plan:
    table: pd.DataFrame                  # indexed by zone_id, PLAN_COLUMNS
    districts: pd.DataFrame              # indexed by district_id
    flows: pd.DataFrame                  # measure, from_district, to_district, value
    edges: pd.DataFrame                  # zone_a, zone_b, km, kind: the links the plan uses
    summary: dict[str, Any]
    region: Region | None = None
    scenario: Scenario | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """plan.csv's columns: PLAN_COLUMNS, and minutes_to_host when the region measures travel time."""
        return PLAN_COLUMNS + [c for c in OPTIONAL_PLAN_COLUMNS if c in self.table.columns]

    @property
    def proven_optimal(self) -> bool:
        return bool(self.summary.get("proven_optimal"))

    @property
    def stats(self) -> PlanSummary:
        """The summary typed (statistics.PlanSummary): named fields and the verdict; `summary` is its dict view."""
        return PlanSummary.from_dict(self.summary)

    def region_title(self, lang: str) -> str:
        """The region's title in `lang` where the region model gives one, else as the summary recorded it."""
        if self.region is not None:
            return self.region.title_in(lang)
        return str(self.summary.get("region_title") or self.summary.get("region") or "")

    def data_note(self, lang: str) -> str:
        if self.region is not None:
            return self.region.data_note_in(lang)
        return str(self.summary.get("data_note") or "")

    def plot(self, folder: str | Path, lang: str = "zh", svg: bool = False) -> list[Path]:
        """Draw the plan's charts (map, zones per district, GDP/revenue) into `folder` as PNG (and SVG)."""
        from .charts.plan import plan_charts

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return plan_charts(self, folder, lang=lang, svg=svg)

    def explain(self, zone: str | None = None) -> pd.DataFrame:
        """Every option of `zone` (id or name; None: every zone) with the exact extra cost of forcing it, or
        the rules that forbid it (consolidate.explain)."""
        from .explain import explain_plan

        return explain_plan(self, [zone] if zone else None)

    def to_dir(self, out: str | Path, charts: bool = True, xlsx: bool = False, lang: str = "zh",
               svg: bool = False, drawer=None, meanwhile=None) -> Path:
        """Write the plan folder atomically (with plan.xlsx too when `xlsx`, PNG charts in `lang`, SVG ones too
        when `svg`); returns its path. The charts are drawn by a child process while the tables are written
        (`drawer`: one started beforehand, `consolidate.charts.drawer()`), and `meanwhile()` is called."""
        from .io import atomic_folder, output_path

        with atomic_folder(out, kind="plan") as tmp, self._charts_alongside(tmp, charts, lang, svg, drawer):
            self.write_tables(tmp)
            if xlsx:
                write_xlsx(self.sheets(), tmp / "plan.xlsx")
            if self.region is not None and has_geo():
                from .plan_layers import write_plan_gpkg

                write_plan_gpkg(self, tmp / "plan.gpkg")
            if meanwhile is not None:
                meanwhile()
        return output_path(out)

    def _charts_alongside(self, folder: Path, charts: bool, lang: str, svg: bool, drawer=None):
        """The charts drawn into `folder` by a forked child while the tables are written (the same files as
        drawn here: tests/test_charts.py); done and checked when the block ends."""
        import contextlib

        if not charts or self.region is None:
            return contextlib.nullcontext()
        from ._alongside import alongside
        from .charts._entry import plan_charts   # by name: this process never loads matplotlib itself

        if drawer is not None:
            return drawer.alongside(plan_charts, self, folder, lang=lang, svg=svg)
        return alongside(plan_charts, self, folder, lang=lang, svg=svg)

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The plan's tables by name, as plan.xlsx holds them (one sheet each)."""
        return {"plan": self.table.reset_index(drop=True)[self.columns],
                "districts": self.districts.reset_index(drop=True), "flows": self.flows, "graph": self.edges,
                **dict(sorted(self.extra.items()))}

    def plan_csv(self) -> str:
        """plan.csv as written, byte for byte once UTF-8 encoded: the text `plan_sha256` is taken of."""
        return csv_text(self.table, columns=self.columns, float_format="%.3f")

    def write_tables(self, folder: Path) -> None:
        """The tables and summary.json, which records each table's sha256 so a reader can tell an edited plan."""
        (folder / "plan.csv").write_text(self.plan_csv(), encoding="utf-8", newline="")
        write_csv(self.districts.reset_index(drop=True), folder / "districts.csv", float_format="%.4f")
        write_csv(self.flows, folder / "flows.csv", float_format="%.4f")
        write_csv(self.edges, folder / "graph.csv", float_format="%.3f")
        for name, frame in sorted(self.extra.items()):
            write_csv(frame, folder / f"{name}.csv", float_format="%.4f")
        self.summary["tables_sha256"] = {name: _sha256((folder / name).read_bytes()) for name in TABLE_FILES}
        (folder / "summary.json").write_text(json.dumps(self.stats.to_dict(), ensure_ascii=False, indent=2,
                                                        default=_plain)
                                             + "\n", encoding="utf-8")

    @classmethod
    def from_dir(cls, folder: str | Path) -> "Plan":
        """`read_plan(folder)`: the plan as read, re-checked (edited tables are labelled, never trusted)."""
        return read_plan(folder)


def read_plan(folder: str | Path, scenario: Scenario | None = None) -> Plan:
    """Read a plan folder and re-check it as it is now, whoever wrote it (against `scenario` if given,
    else the one it was solved for).

    The checks (consolidate.checks) are re-run on plan.csv as read, and districts.csv, flows.csv and
    graph.csv are re-derived from it: summary.json's verdict and tables are never taken on trust. When
    plan.csv (or another table summary.json vouches for) no longer has the sha256 recorded there, or
    there is no record, the plan is `edited`: status "edited", not proven optimal, its objective
    re-priced from the table. A plan.csv that cannot be a plan of the region (unknown or missing zones, a
    status other than host/member/revoked, a member whose host is not a host) is bad input (exit 2)."""
    plan = _read_tables(folder)
    edited = edited_tables(Path(folder), plan.summary)
    if scenario is not None:  # checked against another scenario than the one it was solved for
        from .region import load_region

        if scenario.as_dict() != plan.summary.get("scenario"):
            edited.append("scenario")
        plan.scenario, plan.region = scenario, load_region(scenario.region)
        plan.summary = {**plan.summary, **_named(scenario, plan.region)}
    if plan.region is None or plan.scenario is None:  # nothing to re-check it with: say so, not the old verdict
        if edited:
            plan.summary.update(_edited_verdict(plan.summary, edited, objective=None, parts={}))
        plan.summary.update(checks=[{"name": "region", "passed": False, "detail": "the region model could not be "
                                     "loaded, so the plan could not be re-checked"}], checks_passed=False)
        return plan
    plan.table = validate_table(plan.table, plan.region, str(Path(folder) / "plan.csv"))
    return recheck(plan, edited)


def plan_from_csv(path: str | Path, region: Region, scenario: Scenario) -> Plan:
    """A bare plan.csv (anyone's) as a plan of `scenario` on `region`, re-derived and checked; never proven."""
    table = validate_table(read_plan_csv(path), region, str(path))
    summary = {"region": region.name, "region_title": region.title,
               "region_path": str(region.root) if region.root else None, **_named(scenario, region)}
    return recheck(Plan(table, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), summary, region, scenario),
                   ["plan.csv"])


def _named(scenario: Scenario, region: Region) -> dict:
    """The scenario a plan is checked against, as summary.json names it: resolved, labelled, its overrides."""
    overrides = overrides_from_named(scenario, region)
    return {"scenario": scenario.as_dict(), "label": label(scenario.name, overrides), "overrides": overrides}


def _read_tables(folder: str | Path) -> Plan:
    """The plan folder's files as they are (region and scenario re-loaded from the summary)."""
    folder = Path(folder)
    fix = "give a folder written by `consolidate run --out`, or run the scenario again"
    missing = [n for n in ("plan.csv", "districts.csv", "summary.json") if not (folder / n).is_file()]
    if missing:
        raise InputError(InputIssue(str(folder), f"not a plan folder: missing {', '.join(missing)}", fix))
    from .parsing import parse_json, read_text

    where = str(folder / "summary.json")
    summary = parse_json(read_text(folder / "summary.json", where), where, fix)
    if not isinstance(summary, dict) or not isinstance(summary.get("scenario"), dict):
        raise InputError(InputIssue(where, "has no resolved 'scenario' mapping", fix))
    for key, kinds in SUMMARY_TYPES.items():
        value = summary.get(key)
        if key in summary and (not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds):
            raise InputError(InputIssue(where, f"'{key}' is a {type(value).__name__}, "
                                        f"not {' or '.join(k.__name__ for k in kinds)}", fix, value=value))
    table = read_plan_csv(folder / "plan.csv")
    districts = _read_csv(folder / "districts.csv", ["district_id", "zones_before", "zones_after"], fix,
                          dtype={"district_id": str})
    districts = districts.set_index("district_id", drop=False).rename_axis(None)
    flows = _read_csv(folder / "flows.csv", [], fix, dtype={"from_district": str, "to_district": str}) \
        if (folder / "flows.csv").is_file() else pd.DataFrame()
    edges = _read_csv(folder / "graph.csv", [], fix, dtype=str, keep_default_na=False) \
        if (folder / "graph.csv").is_file() else pd.DataFrame()
    region = scenario = None
    try:
        from .region import load_region
        from .scenario import scenario_from_dict

        scenario = scenario_from_dict(summary["scenario"], where=f"{folder}/summary.json")
        region = load_region(summary.get("region_path") or scenario.region)
    except InputError:
        pass  # tables alone still re-print and compare; what needs the region says so
    return Plan(table, districts, flows, edges, summary, region, scenario)


SUMMARY_TYPES = {   # the summary.json keys readers rely on, and the types they must have
    "region": (str,), "region_path": (str, type(None)), "status": (str,), "proven_optimal": (bool,),
    "objective": (int, float, type(None)), "gap": (int, float, type(None)), "counts": (dict,), "seconds": (dict,),
    "checks": (list,), "objective_parts": (dict,), "allocation": (dict,),
}


def _read_csv(path: Path, required: list[str], fix: str, **options) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, **options)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(InputIssue(str(path), f"cannot be read as CSV: {exc}", fix)) from None
    lacking = [c for c in required if c not in frame.columns]
    if lacking:
        raise InputError(InputIssue(str(path), f"lacks column(s) {', '.join(lacking)}", fix))
    return frame


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def edited_tables(folder: Path, summary: dict) -> list[str]:
    """The tables of a plan folder that are not the ones its solve wrote (all of them when there is no
    record of their sha256: an older plan, or a hand-made one). Empty for an untouched plan."""
    recorded = summary.get("tables_sha256")
    if summary.get(EDITED):  # written out again after an edit (e.g. into a comparison): still edited
        before = summary.get("edited_tables")
        return [str(n) for n in before] if isinstance(before, list) and before else ["plan.csv"]
    if not isinstance(recorded, dict) or "plan.csv" not in recorded:
        return [n for n in TABLE_FILES if (folder / n).is_file()]
    out = []
    for name, digest in recorded.items():
        path = folder / str(name)
        if str(name) in TABLE_FILES and (not path.is_file() or _sha256(path.read_bytes()) != digest):
            out.append(str(name))
    return out


def read_plan_csv(path: str | Path) -> pd.DataFrame:
    """A plan.csv as a table indexed by zone_id (text columns; distance as a number)."""
    fix = "give a plan.csv written by `consolidate run`, with its header row (see the README's plan folder)"
    table = _read_csv(Path(path), PLAN_COLUMNS, fix, dtype=str, keep_default_na=False)
    for column in ("distance_to_host_km", *OPTIONAL_PLAN_COLUMNS):
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    return table.set_index("zone_id", drop=False).rename_axis(None)


def validate_table(table: pd.DataFrame, region: Region, where: str) -> pd.DataFrame:
    """`table` (a plan.csv as read) in the region's zone order, or InputError naming every row that cannot be
    part of a plan of `region`. Rule breaks (a cap, a mode, a distance) are the checks' business, not this."""
    problems = []
    seen: set[str] = set()
    rows = {}
    for k, (zone, status, host) in enumerate(zip(table["zone_id"], table["status"], table["host_id"])):
        row = k + 2  # the header is row 1
        zone, status, host = str(zone).strip(), str(status).strip(), str(host).strip()
        if zone not in region.zones.index:
            problems.append(InputIssue(where, f"zone '{zone}' is not a zone of region {region.name}",
                                         "use a zone_id of the region's zones.csv, or delete the row", row, "zone_id"))
        elif zone in seen:
            problems.append(InputIssue(where, f"zone '{zone}' appears more than once", "keep one row per zone",
                                         row, "zone_id"))
        seen.add(zone)
        rows[zone] = row
        if status not in ("host", "member", "revoked"):
            problems.append(InputIssue(where, f"zone '{zone}' has status '{status}'",
                                         "write host, member or revoked", row, "status"))
    statuses = dict(zip(table["zone_id"].astype(str).str.strip(), table["status"].astype(str).str.strip()))
    for k, (zone, status, host) in enumerate(zip(table["zone_id"], table["status"], table["host_id"])):
        zone, host = str(zone).strip(), str(host).strip()
        if str(status).strip() == "host" and host not in ("", zone):
            problems.append(InputIssue(where, f"host '{zone}' names '{host}' as its host",
                                         f"a host's host_id (and group_id) is its own zone_id: write {zone}",
                                         k + 2, "host_id"))
        if str(status).strip() != "member":
            continue
        if not host:
            problems.append(InputIssue(where, f"member '{zone}' names no host",
                                         "write the zone_id of its host, or make it a host", k + 2, "host_id"))
        elif statuses.get(host) != "host":
            what = "is not in the plan" if host not in statuses else f"has status '{statuses[host]}'"
            problems.append(InputIssue(where, f"member '{zone}' names host '{host}', which {what}",
                                         "name a zone whose status is host, or make that zone a host",
                                         k + 2, "host_id"))
    missing = [z for z in region.zones.index if z not in seen]
    if missing:
        problems.append(InputIssue(where, f"{len(missing)} zone(s) of region {region.name} have no row: "
                                     + ", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""),
                                     "add a row for each zone (status host to keep it as it is)"))
    if problems:
        raise InputError(problems)
    table = table.copy()
    for column in ("zone_id", "status", "host_id", "group_id", "mode", "new_kind"):
        table[column] = table[column].astype(str).str.strip()
    return table.set_index("zone_id", drop=False).rename_axis(None).reindex(region.zones.index)


def recheck(plan: Plan, edited: list[str]) -> Plan:
    """Re-derive a plan read back from its table alone (districts, accounting, links, checks); when it was
    `edited`, label it so (status "edited", not proven optimal) and price its objective from the table."""
    from .graph import zone_graph
    from .problem import build_problem
    from .evaluation import evaluation_scores

    region, scenario = plan.region, plan.scenario
    graph = zone_graph(region)
    scores, grades = evaluation_scores(region, scenario)
    problem = build_problem(region, scenario, graph, scores, grades)
    recorded = plan.summary.get("cap_excess")  # cap_mode in_principle: the solve's proven least excess
    excess = recorded.get("total") if isinstance(recorded, dict) else None
    districts, accounting, checks, edges = derive(region, scenario, graph, problem, plan.table, scores, grades,
                                                  excess if isinstance(excess, int) else None)
    plan.districts, plan.flows, plan.edges = districts, accounting.flows, edges
    summary = dict(plan.summary)
    summary.update(counts={**_counts(plan.table), "pairs_allowed": int(len(problem.pair_member))},
                   allocation={"rules": accounting.rules, "totals": accounting.totals},
                   checks=[{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks],
                   checks_passed=all(c.passed for c in checks))
    if edited:
        chosen, revoked, unpriced = plan_choices(problem, plan.table)
        parts = choice_parts(problem, chosen, revoked, scenario)
        objective = None if unpriced else round(sum(p["weighted"] for p in parts.values()), 9)
        summary.update(_edited_verdict(plan.summary, edited, objective, parts))
        summary["unpriced_members"] = unpriced
    plan.summary = summary
    return plan


def _edited_verdict(summary: dict, edited: list[str], objective: float | None, parts: dict) -> dict:
    return {"status": EDITED, "proven_optimal": False, EDITED: True, "edited_tables": edited,
            "solved_status": summary.get("solved_status", summary.get("status")),
            "solved_objective": summary.get("solved_objective", summary.get("objective")),
            "objective": objective, "objective_parts": parts, "best_bound": None, "gap": None}


def plan_choices(problem: Problem, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A plan table as the model's choices: the allowed pairs its members use, its revoked zones, and the
    members whose (member, host) is no allowed pair of the scenario (their merge cannot be priced)."""
    index = {z: k for k, z in enumerate(problem.zone_ids)}
    pair_of = {(int(m), int(h)): p for p, (m, h) in enumerate(zip(problem.pair_member, problem.pair_host))}
    members = table[table["status"] == "member"]
    chosen, unpriced = [], []
    for zone, host in zip(members.index, members["host_id"]):
        p = pair_of.get((index[zone], index[host]))
        if p is None:
            unpriced.append(str(zone))
        else:
            chosen.append(p)
    revoked = [index[z] for z in table.index[table["status"] == "revoked"]]
    return np.array(chosen, dtype=np.int64), np.array(revoked, dtype=np.int64), unpriced


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


# --- assembling a plan from solved components ------------------------------------------------------


def assemble_plan(region: Region, scenario: Scenario, graph: nx.Graph, problem: Problem, results: list,
                  scores: pd.Series | None, grades: pd.Series | None, seconds: dict, kept: dict | None = None) -> Plan:
    """The plan of solved components `results`, accounted and independently checked. `kept`: facts read
    from the (unchanged) region kept for the next plan (`memo.once`; `warm.WarmSolver` keeps one)."""
    zones = region.zones
    ids = problem.zone_ids
    status = np.full(problem.n_zones, "host", dtype=object)
    host = np.array(ids, dtype=object)
    mode = np.full(problem.n_zones, "", dtype=object)
    priced = np.full(problem.n_zones, np.nan)  # the distance the objective priced for each member's pair
    for result in results:
        for p in result.chosen_pairs:
            i, j = int(problem.pair_member[p]), int(problem.pair_host[p])
            status[i], host[i], mode[i], priced[i] = "member", ids[j], problem.pair_mode[p], problem.pair_km[p]
        for i in result.revoked:
            status[i], host[i] = "revoked", ""
    table = pd.DataFrame({
        "zone_id": ids, "name": zones["name"].to_numpy(), "district_id": zones["district_id"].to_numpy(),
        "managing_district_id": zones["managing_district_id"].to_numpy(), "level": zones["level"].to_numpy(),
        "kind": zones["kind"].to_numpy(), "status": status, "host_id": host, "group_id": host, "mode": mode,
    }, index=ids)
    table["new_kind"] = _folded_kinds(table, scenario)
    priced = np.where(status != "host", np.round(priced, 3), 0.0)
    if problem.distance_unit == "minutes":  # travel time priced; km shown beside it as the straight line
        table["distance_to_host_km"] = _straight_km(table, region)
        table["minutes_to_host"] = priced
    else:
        table["distance_to_host_km"] = priced

    excess = sum(getattr(r, "cap_excess", 0) for r in results)
    districts, accounting, checks, edges = derive(region, scenario, graph, problem, table, scores, grades, excess,
                                                  kept)

    summary = _summary(region, scenario, problem, results, table, accounting, checks, seconds, kept)
    if scenario.rules.cap_mode == "in_principle":
        summary["cap_excess"] = cap_excess_report(region, scenario, problem, table, districts, results)
    plan = Plan(table, districts, accounting.flows, edges, summary, region, scenario)
    if scores is not None:
        score, grade = _scores_columns(ids, scores, grades, kept)
        plan.extra["scores"] = pd.DataFrame({"zone_id": ids, "score": score, "grade": grade})
    failed = [c for c in checks if not c.passed]
    if failed:
        raise CheckFailed("the solved plan failed independent checks (a bug in the model — please report it):\n  - "
                          + "\n  - ".join(f"{c.name}: {c.detail}" for c in failed))
    return plan


def _scores_columns(ids, scores: pd.Series, grades: pd.Series | None, kept: dict | None) -> tuple:
    """scores.csv's score and grade columns in the order of `ids`; kept for the next plan with the same ids,
    scores and grades (the same objects: a sweep's variants of one evaluation setting)."""
    last = kept.get("plan.scores") if kept is not None else None
    if last is None or last[0] is not ids or last[1] is not scores or last[2] is not grades:
        last = (ids, scores, grades, scores.reindex(ids).round(6).to_numpy(),
                grades.reindex(ids).to_numpy() if grades is not None else "")
        if kept is not None:
            kept["plan.scores"] = last
    return last[3], last[4]


def derive(region: Region, scenario: Scenario, graph: nx.Graph, problem: Problem, table: pd.DataFrame,
           scores: pd.Series | None, grades: pd.Series | None, cap_excess: int | None = None,
           kept: dict | None = None):
    """What follows from a plan table — the district table, the accounting, the independent checks and the
    links used — the same for a plan just solved and for a plan read back (whoever wrote it)."""
    from .allocation import account
    from .checks import check_plan

    accounting = account(table, region.zones, accounting_rules(scenario), list(region.districts.index), kept=kept)
    districts = _district_table(region, scenario, table, problem, accounting.districts)
    checks = check_plan(table, region, scenario, graph, districts=districts, scores=scores, grades=grades,
                        cap_excess=cap_excess, kept=kept)
    return districts, accounting, checks, _used_edges(table, graph, kept)


def cap_excess_report(region: Region, scenario: Scenario, problem: Problem, table: pd.DataFrame,
                      districts: pd.DataFrame, results: list) -> dict:
    """Under cap_mode in_principle: the least total of zones above the caps (proven or not), and each district
    above its cap, by how many, and which rule keeps it from complying (`diagnose.why_over_cap`)."""
    from .diagnose import why_over_cap

    over = districts[districts["cap"].notna() & (districts["zones_after"] > districts["cap"].fillna(0))]
    survivors = np.flatnonzero((table["status"] == "host").to_numpy())
    proven = all(getattr(r, "cap_excess_proven", True) for r in results)
    verdict = ("the solver proved that no plan keeps fewer zones above the caps" if proven else
               "NOT proven the least: the solver stopped early")
    return {"total": int(sum(getattr(r, "cap_excess", 0) for r in results)), "proven": proven,
            "districts": [{"district_id": d, "name": region.district_name(d), "cap": int(row["cap"]),
                           "kept": int(row["zones_after"]), "over": int(row["zones_after"] - row["cap"]),
                           "reason": why_over_cap(problem, region, scenario, d, survivors) + "; " + verdict}
                          for d, row in over.iterrows()]}


def accounting_rules(scenario: Scenario) -> dict:
    """The sharing rule of every measure the plan reports: the scenario's allocation, plus any measure
    named by the fairness bounds (territorial unless the allocation says otherwise)."""
    from .allocation import parse_rule

    specs = dict(scenario.allocation)
    if scenario.fairness.max_district_loss is not None or scenario.fairness.min_kept is not None:
        for measure in scenario.fairness.measures:
            specs.setdefault(measure, "territorial")
    return {m: parse_rule(spec, f"allocation.{m}") for m, spec in specs.items()}


def _folded_kinds(table: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Under `customs: fold`, a customs host with customs members becomes a comprehensive bonded zone."""
    new_kind = pd.Series("", index=table.index, dtype=object)
    if scenario.merging.customs != "fold":
        return new_kind
    kind = dict(zip(table.index.tolist(), table["kind"].tolist()))   # plain lists: pandas steps cost more here
    folding = {host for zone, status, host in zip(kind, table["status"].tolist(), table["host_id"].tolist())
               if status == "member" and str(kind[zone]).startswith(CUSTOMS_PREFIX)}
    from .problem import COMPREHENSIVE_BONDED

    for host_id in sorted(folding):
        if kind[host_id] != COMPREHENSIVE_BONDED:
            new_kind[host_id] = COMPREHENSIVE_BONDED
    return new_kind


def _straight_km(table: pd.DataFrame, region: Region) -> pd.Series:
    """Member → host km beside a travel-time matrix: great-circle between the zones' points (0 for a host)."""
    out = pd.Series(np.nan, index=table.index)
    out[table["status"] == "host"] = 0.0
    members = table[table["status"] == "member"]
    if len(members):
        out[members.index] = np.round(region.distances.km_between(members.index, members["host_id"].to_numpy()), 3)
    return out


def _district_table(region: Region, scenario: Scenario, table: pd.DataFrame, problem: Problem,
                    accounts: pd.DataFrame) -> pd.DataFrame:
    index = region.districts.index
    row = index.get_indexer(pd.Index(problem.count_district))   # -1: a district the region does not list
    known = row >= 0
    status = table["status"].to_numpy()

    def per_district(mask) -> np.ndarray:
        return np.bincount(row[known & mask], minlength=len(index)).astype(int)

    columns = {
        "district_id": index, "name": region.districts["name"].to_numpy(), "zones_before": per_district(True),
        "zones_after": per_district(status == "host"), "merged_away": per_district(status == "member"),
        "revoked": per_district(status == "revoked"),
        "cap": pd.array([problem.caps.get(d, pd.NA) for d in index], dtype="Int64"),
        "exempt": [d not in problem.caps for d in index]}
    accounted = [c for c in accounts.columns if c not in columns]
    if accounts.index.equals(index) and all(accounts[c].dtype.kind in "fiub" for c in accounted):
        # the accounting's districts in the same order: its numbers are the join's, without a join (per variant)
        return pd.DataFrame({**columns, **{c: accounts[c].to_numpy() for c in accounted}}, index=index)
    return pd.DataFrame(columns, index=index).join(accounts[accounted])


def _used_edges(table: pd.DataFrame, graph: nx.Graph, kept: dict | None = None) -> pd.DataFrame:
    """Member–host links and, inside each group, the adjacency edges that hold it together."""
    from .memo import once

    # plain lists: pandas iterates (and filters a few hundred rows) slowly
    group_of = {zone: group for zone, status, group in zip(table.index.tolist(), table["status"].tolist(),
                                                            table["group_id"].tolist())
                if status != "revoked" and (type(group) is str or pd.notna(group))}
    distance = dict(zip(table.index.tolist(), table["distance_to_host_km"].tolist()))
    edges = once(kept, "plan.edges", lambda: [(a, b, min(a, b), max(a, b), data["km"])
                                               for a, b, data in graph.edges(data=True)])
    rows = [(lo, hi, km, "adjacency") for a, b, lo, hi, km in edges
            if group_of.get(a) is not None and group_of.get(a) == group_of.get(b)]
    for m, host in group_of.items():
        if m != host and not graph.has_edge(m, host):
            rows.append((min(m, host), max(m, host), distance[m], "link"))
    return pd.DataFrame(sorted(rows), columns=["zone_a", "zone_b", "km", "kind"])


def _summary(region: Region, scenario: Scenario, problem: Problem, results: list, table: pd.DataFrame,
             accounting, checks, seconds: dict, kept: dict | None = None) -> dict:
    from .memo import once

    solved = [r for r in results if not r.presolved]
    status = "optimal" if all(r.status == OPTIMAL for r in results) else "feasible"
    objective = float(sum(r.objective for r in results))
    bounds = [r.best_bound for r in results]
    best_bound = float(sum(bounds)) if all(b is not None for b in bounds) else None
    gap = 0.0 if status == "optimal" else (max(0.0, (objective - best_bound) / max(abs(objective), 1e-9))
                                           if best_bound is not None else None)
    parts = objective_parts(problem, results, scenario)
    solver_version = next((r.solver_version for r in solved if r.solver_version), "")
    overrides = overrides_from_named(scenario, region)
    return {
        "region": region.name,
        "region_title": region.title,
        "region_path": str(region.root) if region.root else None,
        "scenario": scenario.as_dict(),
        "label": label(scenario.name, overrides),          # `baseline · cap 2 · nearby`
        "overrides": overrides,                             # how it differs from the file it is named after
        "description": describe(scenario.as_dict(), "en"),  # generated from the keys, never stale
        "input_files": region.files,
        "data_note": region.data_note,
        "input_notes": region.notes,
        "distances": region.distances.describe() if region.distances is not None else "great-circle km",
        "data_quality": once(kept, "plan.data_quality", lambda: _data_quality(table, region)),
        "solver": {"name": scenario.solver.name, "backend": scenario.solver.backend, "version": solver_version,
                   "time_limit_s": scenario.solver.time_limit_s, "mip_gap": scenario.solver.mip_gap,
                   "threads": scenario.solver.threads, "processes": scenario.solver.processes},
        "status": status,
        "proven_optimal": status == "optimal",
        "objective": round(objective, 9),
        "objective_parts": parts,
        "best_bound": None if best_bound is None else round(best_bound, 9),
        "gap": gap,
        "seconds": {"build": round(seconds["build"], 3),
                    "solve": round(sum(r.seconds_build + r.seconds_solve for r in solved), 3),
                    "total": round(seconds["total"], 3)},
        "counts": {**_counts(table), "pairs_allowed": int(len(problem.pair_member))},
        "components": {"total": len(results), "presolved": len(results) - len(solved),
                       "solved": [{"zones": len(r.zones), "status": r.status, "objective": round(r.objective, 9),
                                   "best_bound": r.best_bound, "gap": r.gap, "seconds": round(r.seconds_solve, 3),
                                   "cut_rounds": r.rounds, "cuts": r.cuts} for r in solved[:50]]},
        "allocation": {"rules": accounting.rules, "totals": accounting.totals},
        "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks],
        "checks_passed": all(c.passed for c in checks),
    }


def _data_quality(table: pd.DataFrame, region: Region) -> dict:
    return table.join(region.zones["data_quality"].rename("q"))["q"].value_counts().sort_index().astype(int).to_dict()


def _counts(table: pd.DataFrame) -> dict:
    status = table["status"].to_numpy()
    modes, by_mode = np.unique(table["mode"].to_numpy()[status == "member"].astype(str), return_counts=True)
    return {"zones": int(len(table)), "hosts": int((status == "host").sum()), "members": int((status == "member").sum()),
            "revoked": int((status == "revoked").sum()), "by_mode": {str(m): int(c) for m, c in zip(modes, by_mode)},
            "customs_folded": int((table["new_kind"].to_numpy() != "").sum())}


def objective_parts(problem: Problem, results: list, scenario: Scenario) -> dict[str, dict]:
    """Each objective part of the solved components `results`: raw value, weight, weighted."""
    chosen = np.concatenate([r.chosen_pairs for r in results]) if results else np.empty(0, np.int64)
    revoked = np.concatenate([r.revoked for r in results]) if results else np.empty(0, np.int64)
    return choice_parts(problem, chosen, revoked, scenario)


def choice_parts(problem: Problem, chosen: np.ndarray, revoked: np.ndarray, scenario: Scenario) -> dict[str, dict]:
    """Each objective part of a plan given as its chosen pairs and revoked zones: raw value, weight, weighted."""
    survivors = np.ones(problem.n_zones, bool)
    survivors[problem.pair_member[chosen]] = False
    survivors[revoked] = False
    weights = scenario.objective.weights.model_dump()
    parts = {}
    for name, coeffs in problem.cost_parts.items():
        raw = float(coeffs.get("pair", np.zeros(0))[chosen].sum() if "pair" in coeffs else 0.0)
        raw += float(coeffs["revoke"][revoked].sum()) if "revoke" in coeffs else 0.0
        raw += float(coeffs["host"][survivors].sum()) if "host" in coeffs else 0.0
        factor, unit = problem.part_units[name]
        parts[name] = {"value": round(raw, 9), "weight": weights[name], "weighted": round(raw * weights[name], 9),
                       "real": round(raw * factor, 6), "unit": unit}
    return parts
