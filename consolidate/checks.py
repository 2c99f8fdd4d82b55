"""Independent checks of a consolidation plan, run after every solve.

    >>> from consolidate.checks import check_plan, failed
    >>> results = check_plan(plan, region, scenario, graph, districts=table, scores=scores, grades=grades)
    >>> [r.name for r in failed(results)]
    []

Every rule is re-derived here from the policy as stated (docs/checks.md), from the region,
the scenario and the graph alone: nothing is taken from the optimisation model, so that a
mistake in the model shows up as a failed check instead of being repeated. A check never
raises: if it cannot even run (a malformed plan), it fails with the reason as its detail.

`plan` is indexed by zone_id with the columns status (host | member | revoked), host_id,
group_id, mode, new_kind, distance_to_host_km, district_id, managing_district_id.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from .geo import haversine_km
from .memo import once
from .region import Region
from .scenario import Scenario

STATUSES = ("host", "member", "revoked")
PLAN_COLUMNS = ("status", "host_id", "group_id", "mode", "new_kind", "distance_to_host_km",
                "district_id", "managing_district_id")
CUSTOMS_PREFIX = "customs_"
COMPREHENSIVE_BONDED = "customs_comprehensive_bonded"
CHECK_NAMES = ("every_zone_once", "hosts_host_themselves", "district_caps", "host_eligibility",
               "membership_rules", "customs_rule", "merge_modes", "revocation_rules", "conservation",
               "fairness", "distances")
HOW_TO_FIX = {  # per language and check, what a planner editing plan.csv can do about an offence
    "en": {
        "every_zone_once": "one row per zone of the region, with the region's district_id and managing_district_id",
        "hosts_host_themselves": "a host's host_id and group_id are its own zone_id; a member's host_id names a host "
                                 "and its group_id is its host's; a revoked zone has no host_id",
        "district_caps": "merge more of that district's zones into a host (status member, host_id) or revoke one, "
                         "so it keeps no more hosts than its cap — or raise its cap / exempt it in the scenario",
        "host_eligibility": "choose a host of an allowed level (merging.hosts), or make that zone a member",
        "membership_rules": "join the zone to an allowed host: adjacent or near enough (merging.contiguity), same "
                            "district unless merging.cross_district, not below its own level, no forbidden pair",
        "customs_rule": "keep customs areas with customs hosts (merging.customs), and new_kind as the rule gives it",
        "merge_modes": "write the mode the rules give the pair (docs/policy.md: same managing body → multi_park, "
                       "national/functional host → entrusted, else co_construction)",
        "revocation_rules": "revoke only zones the scenario lets be revoked (revocation:, pins:), and honour pins",
        "conservation": "re-derive districts.csv from plan.csv (read_plan does): the accounting must add up",
        "fairness": "move a merge or a revocation so no district loses more than fairness: allows",
        "distances": "distance_to_host_km is the km the objective prices (the adjacency edge's km with adjacent "
                     "contiguity, else the region's km measure; 0 for a host, empty if revoked)",
    },
    "zh": {
        "every_zone_once": "每个开发区一行，district_id 和 managing_district_id 与区域模型一致",
        "hosts_host_themselves": "牵头开发区的 host_id 和 group_id 是它自己的 zone_id；并入开发区的 host_id 指向一个牵头开发区，"
                                 "group_id 与其牵头开发区相同；撤销的开发区不填 host_id",
        "district_caps": "把该区更多开发区并入牵头开发区（status member、host_id）或撤销一个，使牵头开发区不超过上限"
                         "——或在情景中提高其上限、豁免该区",
        "host_eligibility": "选允许级别的牵头开发区（merging.hosts），或把该开发区改为并入",
        "membership_rules": "并入允许的牵头开发区：相邻或足够近（merging.contiguity），除非 merging.cross_district 否则同区，"
                            "级别不低于自身，且不是禁止的组合",
        "customs_rule": "海关特殊监管区只与海关牵头开发区整合（merging.customs），new_kind 按规则填写",
        "merge_modes": "按规则填写该组合的整合模式（docs/policy.md：同一管理机构 → multi_park，"
                       "国家级/功能区牵头 → entrusted，其余 co_construction）",
        "revocation_rules": "只撤销情景允许撤销的开发区（revocation:、pins:），并遵守锁定",
        "conservation": "由 plan.csv 重新推导 districts.csv（read_plan 会做）：账目必须平衡",
        "fairness": "调整一次整合或撤销，使任何区的损失不超过 fairness: 的允许值",
        "distances": "distance_to_host_km 是目标函数计价的距离（相邻约束时为相邻边的距离，否则为区域的距离度量；"
                     "牵头开发区为 0，撤销的为空）",
    },
}
DISTANCE_TOLERANCE_KM = 0.01
MAX_SHOWN = 5


@dataclass(frozen=True)
class CheckResult:
    """One check: its stable name, whether it passed, and (if not) the first few offences."""

    name: str
    passed: bool
    detail: str  # '' or the first few offending zones, human-readable

    def __str__(self) -> str:
        return f"{'ok  ' if self.passed else 'FAIL'} {self.name}" + (f": {self.detail}" if self.detail else "")


def failed(results: Iterable[CheckResult]) -> list[CheckResult]:
    """The results that did not pass."""
    return [r for r in results if not r.passed]


def check_plan(plan: pd.DataFrame, region: Region, scenario: Scenario, graph: nx.Graph,
               districts: pd.DataFrame | None = None, scores: pd.Series | None = None,
               grades: pd.Series | None = None, cap_excess: int | None = None,
               kept: dict | None = None) -> list[CheckResult]:
    """Run every applicable check on `plan`; one CheckResult per check, in a stable order.

    `conservation` runs only when the district accounting table `districts` is given, and
    `fairness` only when it is given and the scenario sets a fairness bound. Under
    `rules.cap_mode: in_principle`, `cap_excess` is the proven minimum number of zones above the caps
    (summary.json `cap_excess.total`): the plan may exceed the caps by that many zones in all, no more.
    `kept`: the zone facts the checks read from the region, kept for the next plan on the same region
    (`memo.once`).
    """
    ctx = _Context(plan, region, scenario, graph, districts, scores, grades, kept)
    ctx.cap_excess = cap_excess
    checks: list[tuple[str, Callable[[_Context], list[str]]]] = [
        ("every_zone_once", _every_zone_once),
        ("hosts_host_themselves", _hosts_host_themselves),
        ("district_caps", _district_caps),
        ("host_eligibility", _host_eligibility),
        ("membership_rules", _membership_rules),
        ("customs_rule", _customs_rule),
        ("merge_modes", _merge_modes),
        ("revocation_rules", _revocation_rules),
    ]
    if districts is not None:
        checks.append(("conservation", _conservation))
        fair = scenario.fairness
        if fair.max_district_loss is not None or fair.min_kept is not None:
            checks.append(("fairness", _fairness))
    checks.append(("distances", _distances))

    results = []
    for name, check in checks:
        try:
            offences = check(ctx)
        except Exception as exc:  # a malformed plan must not stop the other checks
            offences = [f"check could not run: {type(exc).__name__}: {exc}"]
        results.append(CheckResult(name, not offences, _summarise(offences)))
    return results


# --- shared context -----------------------------------------------------------------------------


def _zone_facts(region: Region) -> dict[str, Any]:
    """The zone facts every check asks for, read from the region once (a dict lookup per question
    instead of a pandas scalar lookup: ~400,000 of them on 25,000 zones); `_Context` attributes."""
    z = region.zones
    ids = list(z.index)
    column = lambda name: z[name].tolist() if name in z.columns else [None] * len(ids)
    location = [str(v) for v in z["district_id"].tolist()]
    managing = [loc if _empty(m) else str(m) for m, loc in zip(column("managing_district_id"), location)]
    lookup = {str(i): str(i) for i in region.districts.index}
    lookup.update({str(n).strip(): str(i) for i, n in region.districts["name"].items() if not _empty(n)})
    kind = dict(zip(ids, (str(v) for v in z["kind"].tolist())))
    return {
        "lookup": lookup, "location": dict(zip(ids, location)), "_managing": dict(zip(ids, managing)),
        "_names": dict(zip(ids, column("name"))), "level": dict(zip(ids, (str(v) for v in z["level"].tolist()))),
        "kind": kind, "_customs": {k: v.startswith(CUSTOMS_PREFIX) for k, v in kind.items()},
        "_functional": dict(zip(ids, (_is_true(v) for v in column("functional_area")))),
        "_region_score": dict(zip(ids, column("score"))), "_row": {zone: k for k, zone in enumerate(ids)},
        "_lat": z["lat"].to_numpy(dtype=float), "_lon": z["lon"].to_numpy(dtype=float),
    }


def _empty(value: Any) -> bool:
    """None, '', whitespace or NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    if type(value) is str:   # the usual case first (called per zone and column)
        return value.strip()
    if isinstance(value, str):
        return value.strip()
    return "" if _empty(value) else str(value).strip()


def _is_true(value: Any) -> bool:
    if _empty(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    return bool(value)


def _number(value: Any) -> float:
    """A float, NaN for empty; ValueError for text that is not a number."""
    if _empty(value):
        return math.nan
    return float(value)


def _items(column: pd.Series):
    """(zone, value) of a plan column, as plain Python values (iterating a pandas index is slow)."""
    return zip(column.index.tolist(), column.tolist())


def _summarise(offences: list[str]) -> str:
    if not offences:
        return ""
    shown = "; ".join(offences[:MAX_SHOWN])
    more = len(offences) - MAX_SHOWN
    return shown + (f"; … and {more} more" if more > 0 else "")


class _Context:
    """The plan normalised once (deduplicated, restricted to known zones), with shared lookups."""

    def __init__(self, plan, region, scenario, graph, districts, scores, grades, kept=None):
        self.raw = plan
        self.region = region
        self.scenario = scenario
        self.graph = graph
        self.districts = districts
        self.scores = scores
        self.grades = grades
        self.zones = region.zones
        self.cap_excess: int | None = None

        frame = plan
        if any(c not in plan.columns for c in PLAN_COLUMNS):
            frame = frame.reindex(columns=[c for c in plan.columns] + [c for c in PLAN_COLUMNS if c not in plan.columns])
        if not frame.index.is_unique:
            frame = frame[~frame.index.duplicated(keep="first")]
        known = frame.index.isin(self.zones.index)
        if not known.all():
            frame = frame[known]
        self.plan = frame
        self.status = {z: _text(s) for z, s in _items(frame["status"])}
        self.host_of = {z: _text(h) for z, h in _items(frame["host_id"])}
        self.hosts = [z for z, s in self.status.items() if s == "host"]
        self.revoked = [z for z, s in self.status.items() if s == "revoked"]
        self.members = [z for z, s in self.status.items() if s == "member"]
        # groups: a host and the members naming it (members naming a non-host are left out)
        self.groups: dict[str, list[str]] = {h: [] for h in self.hosts}
        for m in self.members:
            h = self.host_of[m]
            if h in self.groups:
                self.groups[h].append(m)

        self.count_column = ("managing_district_id" if scenario.count_by == "managing_district"
                             else "district_id")
        self.kept = kept
        self.__dict__.update(once(kept, "checks.facts", lambda: _zone_facts(region)))
        self._counted = self._managing if self.count_column == "managing_district_id" else self.location
        self._km: dict[tuple[str, str], float] = {}
        self._measure_pairs()

    def _measure_pairs(self) -> None:
        """The km of every (member, named host) of the plan, in one vectorised call."""
        distances = getattr(self.region, "distances", None)
        self._measure = distances if distances is not None and distances.method != "great_circle" else None
        pairs = [(m, h) for m, h in self.host_of.items() if h in self._row and m in self._row and m != h]
        if not pairs:
            return
        if self._measure is not None:
            km = self._measure.km_between([m for m, _ in pairs], [h for _, h in pairs])
        else:
            a = np.array([self._row[m] for m, _ in pairs])
            b = np.array([self._row[h] for _, h in pairs])
            km = haversine_km(self._lat[a], self._lon[a], self._lat[b], self._lon[b])
        self._km = dict(zip(pairs, (float(x) for x in km)))

    # zone facts
    def label(self, zone: str) -> str:
        name = self._names.get(zone)
        return f"{zone} ({name})" if not _empty(name) else str(zone)

    def count_district(self, zone: str) -> str:
        return self._counted[zone]

    def managing(self, zone: str) -> str:
        return self._managing[zone]

    def is_customs(self, zone: str) -> bool:
        return self._customs[zone]

    def is_functional(self, zone: str) -> bool:
        return self._functional[zone]

    def score(self, zone: str) -> float:
        """The evaluation score if one was given for the zone, else the region's `score` column, else the
        documented level default (docs/policy.md: national 0.8, municipal 0.6, district 0.4, subdistrict 0.2)."""
        if self.scores is not None and zone in self.scores.index and not _empty(self.scores[zone]):
            return float(self.scores[zone])
        if not _empty(self._region_score[zone]):
            return float(self._region_score[zone])
        return _LEVEL_DEFAULT_SCORE.get(self.level[zone], 0.2)

    def km(self, a: str, b: str) -> float:
        """Kilometres from a to b: the region's measure when it is in km (planar, a km matrix), else great-circle."""
        known = self._km.get((a, b))
        if known is not None:
            return known
        if self._measure is not None:
            return float(self._measure.km_between([a], [b])[0])
        i, j = self._row[a], self._row[b]
        return float(haversine_km(self._lat[i], self._lon[i], self._lat[j], self._lon[j]))

    def host_km(self, member: str, host: str) -> float:
        """The km a member is from its host as plans report and the objective prices it: with adjacent
        contiguity the adjacency edge's km (boundary-to-boundary for polygon adjacency) unless a matrix
        gives the distances; else the region's km measure."""
        distances = getattr(self.region, "distances", None)
        matrix = distances is not None and distances.method == "matrix"
        if self.scenario.merging.contiguity == "adjacent" and not matrix and self.graph.has_edge(member, host):
            km = self.graph.edges[member, host].get("km", math.nan)
            if not _empty(km):
                return float(km)
        return self.km(member, host)

    def matrix_distance(self, a: str, b: str) -> float | None:
        """The member → host distance from the region's matrix (NaN when the pair is missing); None without one."""
        distances = getattr(self.region, "distances", None)
        if distances is None or distances.method != "matrix":
            return None
        return float(distances.between([a], [b])[0])

    def district(self, ref: Any) -> str | None:
        """A district id from an id or a name; None if the region has no such district."""
        return self.lookup.get(str(ref).strip())


# --- the checks ---------------------------------------------------------------------------------
# Each returns a list of offences (human-readable); empty means the check passed.


def _every_zone_once(ctx: _Context) -> list[str]:
    out = []
    plan, zones = ctx.raw, ctx.zones
    missing_columns = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing_columns:
        out.append(f"plan lacks column(s) {', '.join(missing_columns)}")
    dupes = sorted(set(plan.index[plan.index.duplicated()].astype(str)))
    out += [f"{z} appears more than once" for z in dupes]
    planned, known = set(plan.index.tolist()), set(zones.index.tolist())
    out += [f"{ctx.label(z)} is missing from the plan" for z in zones.index.tolist() if z not in planned]
    out += [f"{z} is not a zone of the region" for z in dict.fromkeys(plan.index.tolist()) if z not in known]
    for z, status in ctx.status.items():
        if status not in STATUSES:
            out.append(f"{ctx.label(z)} has status {status!r} (not host, member or revoked)")
    # the plan's district columns must describe the region's zones
    for column in ("district_id", "managing_district_id"):
        if column not in plan.columns:
            continue
        for z, value in _items(ctx.plan[column]):
            expected = ctx.managing(z) if column == "managing_district_id" else ctx.location[z]
            if _text(value) != expected:
                out.append(f"{ctx.label(z)} has {column} {_text(value)!r}, the region says {expected!r}")
    return out


def _hosts_host_themselves(ctx: _Context) -> list[str]:
    out = []
    for z in ctx.hosts:
        if ctx.host_of[z] != str(z):
            out.append(f"host {ctx.label(z)} has host_id {ctx.host_of[z]!r}, not itself")
    for z in ctx.revoked:
        if ctx.host_of[z]:
            out.append(f"revoked {ctx.label(z)} has host_id {ctx.host_of[z]!r}")
    for z in ctx.members:
        h = ctx.host_of[z]
        if not h:
            out.append(f"member {ctx.label(z)} has no host_id")
        elif h not in ctx.status:
            out.append(f"member {ctx.label(z)} names host {h!r}, not a zone of the plan")
        elif ctx.status[h] != "host":
            out.append(f"member {ctx.label(z)} names {ctx.label(h)} as host, whose status is {ctx.status[h]!r}")
    group_of = {z: _text(g) for z, g in _items(ctx.plan["group_id"])}
    owner: dict[str, str] = {}
    for h, members in ctx.groups.items():
        gid = group_of[h]
        if not gid:
            out.append(f"host {ctx.label(h)} has no group_id")
        for m in members:
            if group_of[m] != gid:
                out.append(f"member {ctx.label(m)} has group_id {group_of[m]!r}, its host {h} has {gid!r}")
        if gid:
            if gid in owner:
                out.append(f"hosts {owner[gid]} and {h} share group_id {gid!r}")
            owner.setdefault(gid, h)
    return out


def _district_caps(ctx: _Context) -> list[str]:
    rules = ctx.scenario.rules
    exempt = {ctx.district(ref) for ref in rules.exempt_districts} - {None}
    caps = {}
    for ref, cap in rules.district_caps.items():
        d = ctx.district(ref)
        if d is not None:
            caps[d] = cap
    survivors: dict[str, list[str]] = {}
    for z in ctx.hosts:
        survivors.setdefault(ctx.count_district(z), []).append(z)
    over = []
    excess = 0
    for d, kept in sorted(survivors.items()):
        if d in exempt:
            continue
        cap = caps.get(d, rules.district_cap)
        if len(kept) > cap:
            name = ctx.region.districts.at[d, "name"] if d in ctx.region.districts.index else d
            over.append(f"district {d} ({name}) keeps {len(kept)} > cap {cap}: {', '.join(map(str, sorted(kept)))}")
            excess += len(kept) - cap
    if rules.cap_mode == "in_principle" and over:
        allowed = ctx.cap_excess
        if allowed is None:
            return [f"{excess} zone(s) above the caps, and no proven minimum recorded (cap_mode in_principle): "
                    + "; ".join(over)]
        if excess > allowed:
            return [f"{excess} zone(s) above the caps, more than the proven minimum {allowed}: " + "; ".join(over)]
        return []
    return over


def _eligible_host(ctx: _Context, z: str) -> bool:
    hosts = ctx.scenario.merging.hosts
    level = ctx.level[z]
    if level in hosts.levels and (level == "national" or hosts.min_score is None
                                  or ctx.score(z) >= hosts.min_score - 1e-12):
        return True
    if hosts.functional_areas and ctx.is_functional(z):
        return True
    return str(z) in {str(p) for p in ctx.scenario.pins.hosts}


def _host_eligibility(ctx: _Context) -> list[str]:
    out = []
    min_score = ctx.scenario.merging.hosts.min_score
    for h, members in ctx.groups.items():
        if members and not _eligible_host(ctx, h):
            score = ctx.score(h)
            why = f"level {ctx.level[h]}"
            if min_score is not None:
                why += f", score {'missing' if math.isnan(score) else f'{score:.3g}'} (min {min_score:g})"
            out.append(f"{ctx.label(h)} hosts {len(members)} member(s) but may not host ({why})")
    return out


_LEVEL_RANK = {"national": 0, "municipal": 1, "district": 2, "subdistrict": 3}
_LEVEL_DEFAULT_SCORE = {"national": 0.8, "municipal": 0.6, "district": 0.4, "subdistrict": 0.2}


def _membership_rules(ctx: _Context) -> list[str]:
    merging = ctx.scenario.merging
    limit = merging.max_distance_km
    out = []
    for h, members in ctx.groups.items():
        for m in members:
            given = ctx.matrix_distance(m, h)
            if given is not None:  # a distance matrix: the pair must be in it, within the limit in its unit
                unit = ctx.region.distances.unit
                if math.isnan(given):
                    out.append(f"{ctx.label(m)} joins {h}, a pair missing from the distance matrix")
                elif limit is not None and given > limit + 1e-9:
                    out.append(f"{ctx.label(m)} is {given:g} {unit} from its host {h} (max {limit:g})")
            if merging.contiguity == "adjacent":
                if not ctx.graph.has_edge(m, h):
                    out.append(f"{ctx.label(m)} is not adjacent to its host {h}")
                    continue
                km = ctx.host_km(m, h)
                if given is None and limit is not None and km > limit + 1e-9:  # an edge without coordinates has no distance
                    out.append(f"{ctx.label(m)} is {km:.2f} km from its host {h} (max {limit:g})")
            elif merging.contiguity == "nearby":
                km = ctx.km(m, h)
                if math.isnan(km) and given is None:
                    out.append(f"{ctx.label(m)} or its host {h} has no coordinates (contiguity nearby)")
                elif given is None and limit is not None and km > limit + 1e-9:
                    out.append(f"{ctx.label(m)} is {km:.2f} km from its host {h} (max {limit:g})")
            else:  # connected: distance to host here, connectivity per group below
                km = ctx.km(m, h)
                if given is None and limit is not None and km > limit + 1e-9:
                    out.append(f"{ctx.label(m)} is {km:.2f} km from its host {h} (max {limit:g})")
            designated = (merging.hosts.functional_areas and ctx.is_functional(h)) or h in ctx.scenario.pins.hosts
            if merging.hosts.not_below_member and not designated and _LEVEL_RANK.get(ctx.level[h], 9) \
                    > _LEVEL_RANK.get(ctx.level[m], 9):
                out.append(f"{ctx.label(m)} ({ctx.level[m]}) joins a lower-level host {h} "
                           f"({ctx.level[h]}) but merging.hosts.not_below_member is true")
            if not merging.cross_district and ctx.count_district(m) != ctx.count_district(h):
                out.append(f"{ctx.label(m)} (district {ctx.count_district(m)}) joins {h} in another "
                           f"district ({ctx.count_district(h)}) but cross_district is false")
        group = [h, *members]
        if merging.contiguity == "connected" and len(group) > 1:
            present = [z for z in group if z in ctx.graph]
            if len(present) < len(group) or not nx.is_connected(ctx.graph.subgraph(present)):
                out.append(f"group of {h} ({', '.join(map(str, group))}) is not connected in the graph")
    for a, b in ctx.scenario.pins.forbid_pairs:
        a, b = str(a), str(b)
        for h, members in ctx.groups.items():
            group = {str(h), *map(str, members)}
            if a in group and b in group:
                out.append(f"forbidden pair {a}–{b} is in the group of {h}")
    return out


def _customs_rule(ctx: _Context) -> list[str]:
    rule = ctx.scenario.merging.customs
    new_kind = {z: _text(v) for z, v in _items(ctx.plan["new_kind"])}
    out = []
    expected_new: dict[str, str] = {}
    if rule == "fold":
        for h, members in ctx.groups.items():
            for m in members:
                if ctx.is_customs(m) != ctx.is_customs(h):
                    what = "customs area" if ctx.is_customs(m) else "non-customs zone"
                    host = "a customs host" if ctx.is_customs(h) else "a non-customs host"
                    out.append(f"{what} {ctx.label(m)} joins {host} {h}")
            if (ctx.is_customs(h) and any(ctx.is_customs(m) for m in members)
                    and ctx.kind[h] != COMPREHENSIVE_BONDED):
                expected_new[h] = COMPREHENSIVE_BONDED
                if new_kind.get(h) != COMPREHENSIVE_BONDED:
                    out.append(f"customs host {ctx.label(h)} with customs members has new_kind "
                               f"{new_kind.get(h)!r}, not {COMPREHENSIVE_BONDED!r}")
    elif rule == "separate":
        for h, members in ctx.groups.items():
            if members and any(ctx.is_customs(z) for z in (h, *members)):
                out.append(f"group of {h} ({', '.join(map(str, [h, *members]))}) merges a customs area "
                           f"but customs is 'separate'")
    for z, kind in new_kind.items():
        if kind and z not in expected_new:
            keeps = (rule == "fold" and kind == COMPREHENSIVE_BONDED and kind == ctx.kind[z]
                     and ctx.status.get(z) == "host" and any(ctx.is_customs(m) for m in ctx.groups.get(z, [])))
            if not keeps:
                out.append(f"{ctx.label(z)} has new_kind {kind!r} but no rule gives it one")
    return out


def preferred_mode(same_managing: bool, host_national_or_functional: bool, allowed: Iterable[str]) -> str | None:
    """The merge mode the policy prefers for a member, among the allowed ones (None if none fits)."""
    allowed = set(allowed)
    if same_managing:
        order = ("multi_park", "entrusted", "co_construction")
    elif host_national_or_functional:
        order = ("entrusted", "co_construction")
    else:
        order = ("co_construction", "entrusted")
    return next((m for m in order if m in allowed), None)


def _merge_modes(ctx: _Context) -> list[str]:
    allowed = list(ctx.scenario.merging.modes)
    modes = {z: _text(v) for z, v in _items(ctx.plan["mode"])}
    out = []
    for h, members in ctx.groups.items():
        strong_host = ctx.level[h] == "national" or ctx.is_functional(h)
        for m in members:
            mode, same = modes[m], ctx.managing(m) == ctx.managing(h)
            if mode not in allowed:
                out.append(f"{ctx.label(m)} has mode {mode!r}, not one of the allowed {allowed}")
                continue
            if mode == "multi_park" and not same:
                out.append(f"{ctx.label(m)} is multi_park with {h} though they have different managing districts")
                continue
            want = preferred_mode(same, strong_host, allowed)
            if mode != want:
                out.append(f"{ctx.label(m)} has mode {mode!r}, the preferred allowed mode is {want!r}")
    return out


def _revocation_rules(ctx: _Context) -> list[str]:
    rev, pins = ctx.scenario.revocation, ctx.scenario.pins
    pinned_revoke = {str(z) for z in pins.revoke}
    untouchable = {str(z) for z in pins.keep} | {str(z) for z in pins.hosts} | {str(z) for z in pins.assign}
    gdp = dict(zip(ctx._row, ctx.zones["gdp"].astype(float).tolist()))   # _row: the zone ids in order
    district_gdp: dict[str, float] = {}
    for z, value in gdp.items():
        district_gdp[ctx.count_district(z)] = district_gdp.get(ctx.count_district(z), 0.0) + value
    out = []
    for z in ctx.revoked:
        if str(z) in pinned_revoke:
            continue
        why = []
        if not rev.allowed:
            why.append("revocation is not allowed")
        level = ctx.level[z]
        if level in rev.protect_levels:
            why.append(f"level {level} is protected")
        if str(z) in untouchable:
            why.append("pinned to keep/host")
        if rev.max_gdp_share is not None:
            total = district_gdp[ctx.count_district(z)]
            if gdp[z] > rev.max_gdp_share * total + 1e-9 * max(total, 1.0):
                why.append(f"gdp {gdp[z]:g} is {gdp[z] / total:.1%} of its district's zone gdp "
                           f"(max {rev.max_gdp_share:.1%})")
        if rev.max_area_ha is not None:
            area = float(ctx.zones.at[z, "approved_area_ha"])
            if area > rev.max_area_ha + 1e-9:
                why.append(f"approved area {area:g} ha > {rev.max_area_ha:g}")
        if rev.require_grade is not None:
            grade = None
            if ctx.grades is not None and z in ctx.grades.index:
                grade = _text(ctx.grades[z]) or None
            if grade != rev.require_grade:
                why.append(f"grade {grade or 'missing'}, not {rev.require_grade}")
        if why:
            out.append(f"{ctx.label(z)} is revoked but " + ", ".join(why))
    for z in pins.revoke:
        if ctx.status.get(str(z)) != "revoked":
            out.append(f"{z} is pinned to be revoked but is {ctx.status.get(str(z), 'not in the plan')}")
    for z in pins.hosts:
        if ctx.status.get(str(z)) != "host":
            out.append(f"{z} is pinned as a host but is {ctx.status.get(str(z), 'not in the plan')}")
    for z, h in pins.assign.items():
        status, host = ctx.status.get(str(z), "not in the plan"), ctx.host_of.get(str(z), "")
        if str(z) == str(h) and status != "host":
            out.append(f"{z} is pinned to stay (pins.assign) but is {status}")
        elif str(z) != str(h) and (status != "member" or host != str(h)):
            out.append(f"{z} is pinned to join {h} (pins.assign) but is {status}" + (f" of {host}" if host else ""))
    return out


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as floats, 0 where empty or not a number."""
    numbers = column if column.dtype.kind in "iuf" else pd.to_numeric(column, errors="coerce")
    values = numbers.to_numpy(float, na_value=np.nan)
    return np.where(np.isnan(values), 0.0, values)


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12


def _conservation(ctx: _Context) -> list[str]:
    table, zones = ctx.districts, ctx.zones
    out = []
    revoked_rows = np.array([ctx._row[z] for z in ctx.revoked], np.int64)
    for m in ctx.scenario.allocation:
        columns = [f"{m}_before", f"{m}_after", f"{m}_revoked"]
        lacking = [c for c in columns if c not in table.columns]
        if lacking:
            out.append(f"districts table lacks {', '.join(lacking)}")
            continue
        if m not in zones.columns:
            out.append(f"measure {m!r} is not a zone column")
            continue
        values = once(ctx.kept, ("checks.measure", m),
                      lambda: pd.to_numeric(zones[m], errors="coerce").fillna(0.0).to_numpy(dtype=float))
        shown = {c: _numbers(table[c]) for c in columns}
        before, after, revoked = (float(shown[c].sum()) for c in columns)
        total = float(values.sum())
        if not _close(before, total, 1e-6):
            out.append(f"{m}: districts' before sums to {before:.6g}, the zones to {total:.6g}")
        if not _close(after + revoked, before, 1e-9):
            out.append(f"{m}: after {after:.10g} + revoked {revoked:.10g} ≠ before {before:.10g}")
        carried_by: dict[str, float] = {}   # by location: what the revoked zones lying there carry
        for z, value in zip(ctx.revoked, values[revoked_rows].tolist()):
            carried_by[ctx.location[z]] = carried_by.get(ctx.location[z], 0.0) + value
        if not _close(revoked, sum(carried_by.values()), 1e-6):
            out.append(f"{m}: revoked total {revoked:.6g}, the revoked zones carry {sum(carried_by.values()):.6g}")
        # by location, district by district
        carried = dict(zip(table.index.astype(str), shown[f"{m}_revoked"].tolist()))
        for d in sorted(set(carried) | set(carried_by)):
            got, want = float(carried.get(d, 0.0)), float(carried_by.get(d, 0.0))
            if not _close(got, want, 1e-6):
                out.append(f"{m}: district {d} shows {got:.6g} revoked, the revoked zones lying there carry {want:.6g}")
    return out


def _fairness(ctx: _Context) -> list[str]:
    """After ≥ (1 − max loss) × before, and ≥ min_kept — or all of before when a district had less than
    min_kept to begin with. The table is rounded to 4 decimals, hence the tolerance of half a unit shown."""
    fair, table = ctx.scenario.fairness, ctx.districts
    shown = 0.5e-4
    out = []
    for m in fair.measures:
        lacking = [c for c in (f"{m}_before", f"{m}_after") if c not in table.columns]
        if lacking:
            out.append(f"fairness measure {m!r}: districts table lacks {', '.join(lacking)}")
            continue
        before = pd.to_numeric(table[f"{m}_before"], errors="coerce").fillna(0.0)
        after = pd.to_numeric(table[f"{m}_after"], errors="coerce").fillna(0.0)
        for d in table.index:
            b, a = float(before[d]), float(after[d])
            if fair.max_district_loss is not None:
                floor = (1 - fair.max_district_loss) * b
                if a < floor - 1e-6 * abs(b) - shown:
                    out.append(f"{m}: district {d} keeps {a:.6g} of {b:.6g} "
                               f"(loses more than {fair.max_district_loss:.0%})")
            kept = min(fair.min_kept, b) if fair.min_kept is not None else 0.0
            if fair.min_kept is not None and b != 0 and a < kept - 1e-6 * max(kept, 1.0) - shown:
                out.append(f"{m}: district {d} keeps {a:.6g} < {kept:g} (min_kept {fair.min_kept:g}, before {b:.6g})")
    return out


def _distances(ctx: _Context) -> list[str]:
    out = []
    for z, value in _items(ctx.plan["distance_to_host_km"]):
        status = ctx.status[z]
        try:
            d = _number(value)
        except (TypeError, ValueError):
            out.append(f"{ctx.label(z)} has distance_to_host_km {value!r}, not a number")
            continue
        if status == "revoked":
            if not math.isnan(d):
                out.append(f"revoked {ctx.label(z)} has a distance to host ({d:g} km)")
        elif status == "host":
            if math.isnan(d) or abs(d) > DISTANCE_TOLERANCE_KM:
                out.append(f"host {ctx.label(z)} has distance {d:g} km to itself, not 0")
        elif status == "member" and ctx.host_of[z] in ctx.groups:
            want = ctx.host_km(z, ctx.host_of[z])
            if math.isnan(want):
                if not math.isnan(d):
                    out.append(f"{ctx.label(z)} has distance {d:g} km but no coordinates to measure it")
            elif math.isnan(d) or abs(d - want) > DISTANCE_TOLERANCE_KM:
                out.append(f"{ctx.label(z)} has distance {d:g} km to {ctx.host_of[z]}, the region's km measure "
                           f"gives {want:.3f}")
    return out
