"""From a region and a scenario to the data of the consolidation problem.

    >>> problem = build_problem(region, scenario, graph, scores)
    >>> problem.n_zones, len(problem.pair_member)        # zones, allowed (member, host) pairs

This module reads the policy rules once and turns them into plain arrays: who may host,
who may be revoked, which (member, host) pairs are allowed with which merge mode and what
each choice costs. The MIP (`model.py`) is built from these arrays only; the plan checks
(`checks.py`) re-derive the same rules independently.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pandas as pd

from .errors import InputError, InputIssue
from .allocation import check_measures
from .geo import pairs_within_km
from .region import CUSTOMS_PREFIX, LEVELS, Region
from .scenario import Scenario

MODE_PREFERENCE = {
    # same managing body: one zone, many parks (一区多园)
    "same_body": ("multi_park", "entrusted", "co_construction"),
    # another district's body, strong host (national or Binhai functional area): entrusted management (委托代管)
    "strong_host": ("entrusted", "co_construction"),
    # another district's body, peer host: co-construction (合作共建)
    "peer_host": ("co_construction", "entrusted"),
}
LEVEL_SCORE = {"national": 0.8, "municipal": 0.6, "district": 0.4, "subdistrict": 0.2}
COMPREHENSIVE_BONDED = "customs_comprehensive_bonded"


@dataclass
class Problem:
    """The consolidation problem as arrays over zones 0..n-1 and allowed pairs 0..P-1."""

    zone_ids: list[str]
    count_district: np.ndarray          # district each zone counts against (by scenario.count_by)
    caps: dict[str, int]                # capped districts only (exempt ones are absent)
    can_host: np.ndarray                # bool: may receive members
    revocable: np.ndarray               # bool
    must_host: np.ndarray               # bool: pins.hosts
    must_revoke: np.ndarray             # bool: pins.revoke
    pair_member: np.ndarray             # int index of the member
    pair_host: np.ndarray               # int index of the host
    pair_km: np.ndarray
    pair_mode: np.ndarray               # str merge mode
    cost_pair: np.ndarray
    cost_revoke: np.ndarray
    cost_host: np.ndarray
    cost_parts: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # part -> {pair/revoke/host: coeffs}
    location: np.ndarray = None         # location district per zone
    managing: np.ndarray = None         # managing district per zone
    contiguity: str = "adjacent"
    connected_method: str = "cuts"
    graph: nx.Graph | None = None       # zone adjacency (for connected groups)
    fairness: list[dict] = field(default_factory=list)  # linear fairness rows, see fairness_rows()
    forbidden: list[tuple[int, int]] = field(default_factory=list)  # pins.forbid_pairs: never in one group
    notes: list[str] = field(default_factory=list)
    assigned: np.ndarray = None         # pins.assign: the host index each zone must end with (itself: survives), −1 none
    rules: "Eligibility | None" = None  # the eligibility rules the arrays were built from (explanations use them)
    cap_mode: str = "strict"            # rules.cap_mode
    part_units: dict[str, tuple[float, str]] = field(default_factory=dict)  # part -> (value → real units, unit)
    distance_unit: str = "km"           # pair_km's unit: km, or minutes with a travel-time matrix

    @property
    def n_zones(self) -> int:
        return len(self.zone_ids)


def host_scores(region: Region, scores: pd.Series | None) -> pd.Series:
    """Evaluation score per zone, or a level-based default where there is none (documented in docs/policy.md)."""
    default = region.zones["level"].map(LEVEL_SCORE).fillna(0.2)
    given = region.zones["score"] if "score" in region.zones else pd.Series(np.nan, index=region.zones.index)
    if scores is not None:
        given = scores.reindex(region.zones.index).combine_first(given)
    return given.fillna(default).clip(0, 1)


def build_problem(region: Region, scenario: Scenario, graph: nx.Graph, scores: pd.Series | None = None,
                  grades: pd.Series | None = None) -> Problem:
    zones = region.zones
    ids = list(zones.index)
    index = {z: k for k, z in enumerate(ids)}
    n = len(ids)
    _check_references(region, scenario, index)

    location = zones["district_id"].to_numpy(dtype=object)
    managing = zones["managing_district_id"].to_numpy(dtype=object)
    counted = managing if scenario.count_by == "managing_district" else location
    caps = district_caps(region, scenario)

    score = host_scores(region, scores).to_numpy(dtype=float)
    gdp = zones["gdp"].to_numpy(dtype=float)
    rules = Eligibility.of(region, scenario, score, grades)
    revocable = rules.revocable()
    measured = region.distances is not None and region.distances.method != "great_circle"
    if measured:
        member, host, km = _measured_pairs(region, scenario, graph, index)
    else:
        member, host, km = _candidate_pairs(region, scenario, graph, index, rules.can_host)
    keep = ~np.any([mask for _, mask in rules.pair_rules(member, host)], axis=0) if len(member) else np.zeros(0, bool)
    member, host, km = member[keep], host[keep], km[keep]
    mode = rules.modes(member, host)
    must_host, must_revoke, can_host = rules.must_host, rules.must_revoke, rules.can_host

    problem = Problem(
        zone_ids=ids, count_district=counted, caps=caps, can_host=can_host, revocable=revocable,
        must_host=must_host, must_revoke=must_revoke, pair_member=member, pair_host=host, pair_km=km,
        pair_mode=mode, cost_pair=np.zeros(len(member)), cost_revoke=np.zeros(n), cost_host=np.zeros(n),
        location=location, managing=managing, contiguity=scenario.merging.contiguity, assigned=rules.assigned,
        rules=rules, cap_mode=scenario.rules.cap_mode,
        connected_method=scenario.merging.connected_method,
        graph=graph if scenario.merging.contiguity == "connected" else None,
        distance_unit=region.distances.unit if region.distances is not None else "km",
    )
    _set_costs(problem, scenario, gdp, score, region.units.get("gdp", "GDP units"))
    problem.fairness = fairness_rows(problem, region, scenario)
    problem.forbidden = sorted((min(index[a], index[b]), max(index[a], index[b])) for a, b in scenario.pins.forbid_pairs)
    return problem


def with_caps_and_weights(base: Problem, region: Region, scenario: Scenario) -> Problem:
    """`base`, built by `build_problem` for a scenario that differs from `scenario` only in its district caps
    and objective weights, with `scenario`'s caps and costs (the pairs and rules are the same)."""
    problems = _district_reference_problems(region, scenario, list(scenario.rules.district_caps))
    if problems:
        raise InputError(problems)
    problem = replace(base, caps=district_caps(region, scenario),
                    rules=replace(base.rules, scenario=scenario))
    _set_costs(problem, scenario, region.zones["gdp"].to_numpy(dtype=float), base.rules.score,
               region.units.get("gdp", "GDP units"))
    return problem


def _district_reference_problems(region: Region, scenario: Scenario, refs: list) -> list[InputIssue]:
    problems = []
    for ref in refs:
        try:
            region.district_id(ref, file=scenario.source)
        except InputError as exc:
            problems.extend(exc.problems)
    return problems


def district_caps(region: Region, scenario: Scenario) -> dict[str, int]:
    """Each capped district's cap (exempt districts are absent)."""
    exempt = {region.district_id(d) for d in scenario.rules.exempt_districts}
    overrides = {region.district_id(d): cap for d, cap in scenario.rules.district_caps.items()}
    return {d: overrides.get(d, scenario.rules.district_cap) for d in region.districts.index if d not in exempt}


RULE_TEXT = {   # every rule that forbids a fate, in words: EligibilityRule(key, values).text(lang)
    "en": {
        "revocation_off": "revocation not allowed (revocation.allowed=false)",
        "protected_level": "protected level (revocation.protect_levels)",
        "level_protected": "{level} zones are protected from revocation",
        "pinned_keep": "pinned to keep (pins.keep)",
        "pinned_host": "pinned as a host (pins.hosts)",
        "pinned_by_assign": "pinned by pins.assign",
        "gdp_share": "GDP above revocation.max_gdp_share={share:g} of its district's zones",
        "area": "larger than revocation.max_area_ha={area:g}",
        "grade": "not graded {grade} (revocation.require_grade)",
        "pinned_revoke": "pinned to be revoked (pins.revoke)",
        "host_pinned_revoke": "the host is pinned to be revoked (pins.revoke)",
        "pinned_elsewhere": "pinned elsewhere (pins.assign)",
        "pinned_to": "pinned to {target} (pins.assign)",
        "host_pinned_join": "the host is pinned to join another zone (pins.assign)",
        "host_not_eligible": "host not eligible",
        "level_may_not_host": "{level} zones may not host (merging.hosts.levels)",
        "score_below": "score {score:.2f} below merging.hosts.min_score={min_score:g}",
        "lower_level": "lower-level host (merging.hosts.not_below_member)",
        "lower_level_of": "lower-level host ({host} below {member}; merging.hosts.not_below_member)",
        "cross_district": "another district (merging.cross_district=false)",
        "customs_fold": "customs areas merge only with customs areas (merging.customs=fold)",
        "customs_separate": "customs areas never merge (merging.customs=separate)",
        "forbidden_pair": "a forbidden pair (pins.forbid_pairs)",
        "no_mode": "no allowed merge mode (merging.modes)",
        # contiguity: why an otherwise allowed pair is not a candidate (diagnose.contiguity_reason)
        "not_in_matrix": "not in {source} (a pair missing from the distance matrix is not allowed)",
        "too_far_matrix": "too far: {given:g} {unit} in {source} > merging.max_distance_km={limit:g} (read in {unit})",
        "too_far": "too far: {km:.1f} km > merging.max_distance_km={limit:g}",
        "not_adjacent": "not adjacent in the zone graph ({km:.1f} km; merging.contiguity=adjacent)",
        "not_connected": "not in the same part of the zone graph ({km:.1f} km; merging.contiguity=connected)",
        "not_candidate": "not a candidate pair ({km:.1f} km)",
        # why a zone survives every plan (diagnose)
        "stuck_district": "{district} has {zones} zones that count against a cap of {cap}, but {stuck} of them can "
                          "neither join a host nor be revoked: {names}",
        "pinned_host_short": "pinned as a host",
        "pinned_stay": "pinned to stay (pins.assign)",
        "within": " within {limit:g} {unit}",
        "within_matrix": " in {source} (pairs missing from it are not allowed)",
        "no_host_adjacent": "no eligible host it is adjacent to{within}",
        "no_host_nearby": "no eligible host{within}",
        "no_host_connected": "no eligible host it can connect to{within}",
        "cross_district_off": "cross-district merges off",
        "customs_rule": "customs rule '{customs}'",
        "revocable": "revocable",
        "list": ", ", "and": "; ", "aside": " ({text})",
    },
    "zh": {
        "revocation_off": "不允许撤销（revocation.allowed=false）",
        "protected_level": "受保护的级别（revocation.protect_levels）",
        "level_protected": "{level}开发区不可撤销",
        "pinned_keep": "指定保留（pins.keep）",
        "pinned_host": "指定为牵头开发区（pins.hosts）",
        "pinned_by_assign": "由 pins.assign 指定",
        "gdp_share": "GDP 超过所在区开发区 GDP 的 revocation.max_gdp_share={share:g}",
        "area": "面积大于 revocation.max_area_ha={area:g}",
        "grade": "评价等级不是 {grade}（revocation.require_grade）",
        "pinned_revoke": "指定撤销（pins.revoke）",
        "host_pinned_revoke": "牵头开发区被指定撤销（pins.revoke）",
        "pinned_elsewhere": "已指定并入其他开发区（pins.assign）",
        "pinned_to": "指定并入 {target}（pins.assign）",
        "host_pinned_join": "牵头开发区被指定并入其他开发区（pins.assign）",
        "host_not_eligible": "不具备牵头资格",
        "level_may_not_host": "{level}开发区不能牵头（merging.hosts.levels）",
        "score_below": "评价得分 {score:.2f} 低于 merging.hosts.min_score={min_score:g}",
        "lower_level": "牵头开发区级别较低（merging.hosts.not_below_member）",
        "lower_level_of": "牵头开发区级别较低（{host}低于{member}；merging.hosts.not_below_member）",
        "cross_district": "属于另一个区（merging.cross_district=false）",
        "customs_fold": "海关特殊监管区只与同类整合（merging.customs=fold）",
        "customs_separate": "海关特殊监管区不参与整合（merging.customs=separate）",
        "forbidden_pair": "禁止的组合（pins.forbid_pairs）",
        "no_mode": "没有允许的整合方式（merging.modes）",
        "not_in_matrix": "不在 {source} 中（距离矩阵缺少的组合不允许整合）",
        "too_far_matrix": "距离过远：{source} 中为 {given:g} {unit} > merging.max_distance_km={limit:g}（按{unit}读）",
        "too_far": "距离过远：{km:.1f} 公里 > merging.max_distance_km={limit:g}",
        "not_adjacent": "在开发区相邻关系中不相邻（{km:.1f} 公里；merging.contiguity=adjacent）",
        "not_connected": "在开发区相邻关系中不连片（{km:.1f} 公里；merging.contiguity=connected）",
        "not_candidate": "不是候选组合（{km:.1f} 公里）",
        "stuck_district": "{district}有 {zones} 个开发区计入上限 {cap}，但其中 {stuck} 个既不能并入牵头开发区也不能撤销：{names}",
        "pinned_host_short": "指定为牵头开发区",
        "pinned_stay": "指定保留（pins.assign）",
        "within": "{limit:g} {unit}以内",
        "within_matrix": "（{source} 中缺少的组合不允许整合）",
        "no_host_adjacent": "{within}没有相邻的合格牵头开发区",
        "no_host_nearby": "{within}没有合格的牵头开发区",
        "no_host_connected": "{within}没有可连片的合格牵头开发区",
        "cross_district_off": "不允许跨区整合",
        "customs_rule": "海关规则 '{customs}'",
        "revocable": "可撤销",
        "list": "、", "and": "；", "aside": "（{text}）",
    },
}
VALUE_WORDS_ZH = {"national": "国家级", "municipal": "市级", "district": "区级", "subdistrict": "区级以下",
                  "km": "公里", "minutes": "分钟"}


@dataclass(frozen=True)
class EligibilityRule:
    """One rule that forbids a fate, with its values: its words in en or zh from `RULE_TEXT`, the way
    `statistics.Verdict` gives the verdict (`str(rule)` is the English)."""

    key: str
    values: tuple = ()

    @classmethod
    def of(cls, key: str, **values) -> "EligibilityRule":
        return cls(key, tuple(values.items()))

    def text(self, lang: str = "en") -> str:
        values = dict(self.values)
        if lang == "zh":
            values = {k: VALUE_WORDS_ZH.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
        return RULE_TEXT[lang][self.key].format(**values)

    def __str__(self) -> str:
        return self.text()


def rule_words(lang: str, key: str, **values) -> str:
    """A phrase of `RULE_TEXT` in `lang`."""
    return EligibilityRule.of(key, **values).text(lang)


@dataclass
class Eligibility:
    """The policy's eligibility rules over one region's zones: who may host, who may be revoked, which
    (member, host) pairs may merge — and for anything they forbid, which rule forbids it.

    `build_problem` keeps what these rules allow; `explain` and `diagnose` name the rules that forbid the
    rest, from the same masks (there is no second copy of the rules)."""

    ids: list[str]
    names: np.ndarray
    level: np.ndarray
    rank: np.ndarray                    # 0 national … 3 subdistrict
    score: np.ndarray
    counted: np.ndarray                 # district each zone counts against
    managing: np.ndarray
    functional: np.ndarray
    customs: np.ndarray
    can_host: np.ndarray
    designated: np.ndarray              # named hosts (functional areas, pins.hosts): exempt from not_below_member
    must_host: np.ndarray
    must_revoke: np.ndarray
    assigned: np.ndarray                # pins.assign: host index per zone (itself: survives), −1 none
    revoke_blocks: list                 # (rule, mask of zones it keeps from being revoked)
    scenario: Scenario

    @classmethod
    def of(cls, region: Region, scenario: Scenario, score: np.ndarray, grades: pd.Series | None) -> "Eligibility":
        zones = region.zones
        ids = list(zones.index)
        index = {z: k for k, z in enumerate(ids)}
        n = len(ids)
        level = zones["level"].to_numpy(dtype=object)
        location = zones["district_id"].to_numpy(dtype=object)
        managing = zones["managing_district_id"].to_numpy(dtype=object)
        counted = managing if scenario.count_by == "managing_district" else location
        functional = zones["functional_area"].fillna(False).astype(bool).to_numpy() \
            if "functional_area" in zones else np.zeros(n, bool)
        customs = zones["kind"].str.startswith(CUSTOMS_PREFIX).to_numpy()
        must_host = among(ids, scenario.pins.hosts)
        must_revoke = among(ids, scenario.pins.revoke)
        hosts = scenario.merging.hosts
        by_level = among(level, hosts.levels) & (
            (level == "national") | (hosts.min_score is None) | (score >= (hosts.min_score or 0.0)))
        can_host = by_level | (hosts.functional_areas & functional) | must_host
        assigned = np.full(n, -1, np.int64)
        for member, host in scenario.pins.assign.items():
            assigned[index[member]] = index[host]

        gdp = zones["gdp"].to_numpy(dtype=float)
        area = zones["approved_area_ha"].to_numpy(dtype=float)
        rev = scenario.revocation
        blocks = [(EligibilityRule("revocation_off"), np.full(n, not rev.allowed)),
                  (EligibilityRule("protected_level"), among(level, rev.protect_levels)),
                  (EligibilityRule("pinned_keep"), among(ids, scenario.pins.keep)),
                  (EligibilityRule("pinned_host"), must_host),
                  (EligibilityRule("pinned_by_assign"), assigned >= 0)]
        if rev.max_gdp_share is not None:
            district_gdp = pd.Series(gdp).groupby(counted).transform("sum").to_numpy()
            blocks.append((EligibilityRule.of("gdp_share", share=rev.max_gdp_share),
                           ~(gdp <= rev.max_gdp_share * district_gdp + 1e-12)))
        if rev.max_area_ha is not None:
            blocks.append((EligibilityRule.of("area", area=rev.max_area_ha), ~(area <= rev.max_area_ha)))
        if rev.require_grade is not None:
            graded = (grades.reindex(ids) == rev.require_grade).to_numpy() if grades is not None else np.zeros(n, bool)
            blocks.append((EligibilityRule.of("grade", grade=rev.require_grade), ~graded))
        return cls(ids=ids, names=zones["name"].to_numpy(dtype=object), level=level,
                   rank=pd.Series(level).map({lvl: k for k, lvl in enumerate(LEVELS)}).to_numpy(),
                   score=np.asarray(score, float), counted=counted, managing=managing, functional=functional,
                   customs=customs, can_host=can_host, designated=(hosts.functional_areas & functional) | must_host,
                   must_host=must_host, must_revoke=must_revoke, assigned=assigned, revoke_blocks=blocks,
                   scenario=scenario)

    def revocable(self) -> np.ndarray:
        """Zones the rules let be revoked (and those pinned to be)."""
        blocked = np.any([mask for _, mask in self.revoke_blocks], axis=0)
        return ~blocked | self.must_revoke

    def revoke_rules(self, i: int) -> list[EligibilityRule]:
        """The rules that keep zone i from being revoked (none when it is pinned to be)."""
        return [] if self.must_revoke[i] else [rule for rule, mask in self.revoke_blocks if mask[i]]

    def why_not_revoked(self, i: int, lang: str = "en") -> list[str]:
        return [rule.text(lang) for rule in self.revoke_rules(i)]

    def why_not_host(self, j: int) -> EligibilityRule:
        hosts = self.scenario.merging.hosts
        if self.level[j] not in hosts.levels:
            return EligibilityRule.of("level_may_not_host", level=str(self.level[j]))
        return EligibilityRule.of("score_below", score=float(self.score[j]), min_score=hosts.min_score)

    def pair_rules(self, member: np.ndarray, host: np.ndarray) -> list[tuple[EligibilityRule, np.ndarray]]:
        """(rule, mask of the pairs it forbids) for every rule on who may join whom, contiguity aside."""
        m, s = self.scenario.merging, self.scenario
        rules = [(EligibilityRule("pinned_host"), self.must_host[member]),
                 (EligibilityRule("pinned_revoke"), self.must_revoke[member]),
                 (EligibilityRule("host_pinned_revoke"), self.must_revoke[host]),
                 (EligibilityRule("pinned_elsewhere"), (self.assigned[member] >= 0) & (self.assigned[member] != host)),
                 (EligibilityRule("host_pinned_join"), (self.assigned[host] >= 0) & (self.assigned[host] != host)),
                 (EligibilityRule("host_not_eligible"), ~self.can_host[host])]
        if m.hosts.not_below_member:
            rules.append((EligibilityRule("lower_level"), (self.rank[host] > self.rank[member]) & ~self.designated[host]))
        if not m.cross_district:
            rules.append((EligibilityRule("cross_district"), self.counted[member] != self.counted[host]))
        if m.customs == "fold":
            rules.append((EligibilityRule("customs_fold"), self.customs[member] != self.customs[host]))
        elif m.customs == "separate":
            rules.append((EligibilityRule("customs_separate"), self.customs[member] | self.customs[host]))
        forbidden = {(a, b) for a, b in s.pins.forbid_pairs} | {(b, a) for a, b in s.pins.forbid_pairs}
        if forbidden:
            ids = self.ids
            rules.append((EligibilityRule("forbidden_pair"), np.array(
                [(ids[i], ids[j]) in forbidden for i, j in zip(member.tolist(), host.tolist())], dtype=bool)))
        rules.append((EligibilityRule("no_mode"), self.modes(member, host) == ""))
        return rules

    def why_not_join(self, i: int, j: int) -> list[EligibilityRule]:
        """The rules (contiguity aside) that forbid zone i joining host j, with this pair's values."""
        out = []
        for rule, mask in self.pair_rules(np.array([i]), np.array([j])):
            if mask[0]:
                if rule.key == "host_not_eligible":
                    rule = self.why_not_host(j)
                elif rule.key == "lower_level":
                    rule = EligibilityRule.of("lower_level_of", host=str(self.level[j]), member=str(self.level[i]))
                elif rule.key == "pinned_elsewhere":
                    rule = EligibilityRule.of("pinned_to", target=self.ids[self.assigned[i]])
                out.append(rule)
        return out

    def modes(self, member: np.ndarray, host: np.ndarray) -> np.ndarray:
        return merge_modes(self.managing[member] == self.managing[host],
                           (self.level[host] == "national") | self.functional[host], self.scenario.merging.modes)


def among(values, wanted) -> np.ndarray:
    """Which of `values` (ids, levels, districts) are in `wanted`: np.isin's answer, by hashing instead of
    sorting text arrays (which took ~0.2 s a call on 25,000 zones)."""
    wanted = set(wanted)
    return np.fromiter((v in wanted for v in values), bool, len(values))


def real_units(problem: Problem, part: str, value: float) -> float:
    """An objective part's (unweighted) value in the planner's units: GDP × km, GDP, zones, members."""
    return value * problem.part_units[part][0]


def merge_modes(same_body: np.ndarray, strong_host: np.ndarray, allowed: list[str]) -> np.ndarray:
    """The merge mode of each pair: the first allowed mode in the documented preference order ('' if none)."""
    out = np.full(len(same_body), "", dtype=object)
    for case, mask in (("same_body", same_body), ("strong_host", ~same_body & strong_host),
                       ("peer_host", ~same_body & ~strong_host)):
        choice = next((m for m in MODE_PREFERENCE[case] if m in allowed), "")
        out[mask] = choice
    return out


def _candidate_pairs(region: Region, scenario: Scenario, graph: nx.Graph, index: dict[str, int],
                     can_host: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed (member, host, km) pairs allowed by contiguity and distance, sorted by (member, host). Given
    `can_host`, nearby pairs of two zones neither of which may host are left out (no rule would keep them)."""
    merging = scenario.merging
    limit = merging.max_distance_km
    lat = region.zones["lat"].to_numpy(dtype=float)
    lon = region.zones["lon"].to_numpy(dtype=float)
    if merging.contiguity == "adjacent":
        edges = [(index[a], index[b], d["km"]) for a, b, d in graph.edges(data=True)]
        a, b, km = (np.array(v) for v in zip(*edges)) if edges else (np.empty(0, int),) * 2 + (np.empty(0),)
        if limit is not None:
            ok = ~(km > limit)  # edges without coordinates (nan km) stay allowed
            a, b, km = a[ok], b[ok], km[ok]
    else:
        if limit is None:   # connected only: the schema refuses nearby without a distance
            limit = 1e9 if len(lat) <= 2000 else 200.0  # connected without a limit: bounded for large regions
        a, b, km = pairs_within_km(lat, lon, limit, touching=can_host)
        if merging.contiguity == "connected":  # a group must be connected: host and member in one graph component
            comp = {z: c for c, nodes in enumerate(nx.connected_components(graph)) for z in nodes}
            ids = list(index)
            same = np.array([comp[ids[x]] == comp[ids[y]] for x, y in zip(a.tolist(), b.tolist())], dtype=bool)
            a, b, km = a[same], b[same], km[same]
    member = np.concatenate([a, b]).astype(np.int64)
    host = np.concatenate([b, a]).astype(np.int64)
    km = np.round(np.concatenate([km, km]).astype(float), 6)
    order = np.lexsort((host, member))
    return member[order], host[order], km[order]


def _measured_pairs(region: Region, scenario: Scenario, graph: nx.Graph,
                    index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed (member, host, distance) pairs when the planner chose the measure (planar km or a matrix):
    nearby pairs found in that measure; with a matrix, each pair's distance is the matrix's member → host
    value and a pair missing from the matrix is not allowed."""
    merging, distances = scenario.merging, region.distances
    ids = list(index)
    limit = merging.max_distance_km
    if merging.contiguity == "adjacent":
        pairs = [(index[x], index[y]) for x, y in graph.edges()]
        a, b = (np.array(v, dtype=np.int64) for v in zip(*pairs)) if pairs else (np.empty(0, np.int64),) * 2
    else:
        if limit is None and merging.contiguity == "nearby":
            raise InputError(InputIssue(scenario.source, "merging.max_distance_km is required for contiguity: nearby",
                                          "set e.g. merging.max_distance_km: 30"))
        a, b = distances.pairs_within(ids, limit if limit is not None else 1e9)
        if merging.contiguity == "connected":
            comp = {z: c for c, nodes in enumerate(nx.connected_components(graph)) for z in nodes}
            same = np.array([comp[ids[x]] == comp[ids[y]] for x, y in zip(a.tolist(), b.tolist())], dtype=bool)
            a, b = a[same], b[same]
    member = np.concatenate([a, b]).astype(np.int64)
    host = np.concatenate([b, a]).astype(np.int64)
    km = priced_distance(region, scenario, graph, [ids[i] for i in member], [ids[j] for j in host])
    keep = np.isfinite(km) if distances.method == "matrix" else np.ones(len(km), bool)
    if limit is not None:
        keep &= ~(km > limit)
    member, host, km = member[keep], host[keep], np.round(km[keep].astype(float), 6)
    order = np.lexsort((host, member))
    return member[order], host[order], km[order]


def priced_distance(region: Region, scenario: Scenario, graph: nx.Graph, members: list, hosts: list) -> np.ndarray:
    """Member → host distances as the objective prices them, in the region's unit (`region.distances.unit`):
    a matrix's value (NaN where it has no such pair); with adjacent contiguity an adjacency edge's own km
    (boundary-to-boundary for polygon adjacency); else the region's km measure."""
    from .distances import great_circle

    distances = region.distances if region.distances is not None else great_circle(region.zones)
    if distances.method == "matrix" or scenario.merging.contiguity != "adjacent":
        return distances.between(members, hosts)
    edge = np.array([graph.has_edge(a, b) for a, b in zip(members, hosts)], dtype=bool)
    km = np.full(len(members), np.nan)
    km[edge] = [graph.edges[a, b]["km"] for a, b, e in zip(members, hosts, edge) if e]
    apart = np.flatnonzero(~edge)
    if len(apart):   # not adjacent, so never priced: the region's measure says how far
        km[apart] = distances.between([members[k] for k in apart], [hosts[k] for k in apart])
    return km


PART_UNIT_WORDS_ZH = {   # the explanations in `part_units`, in Chinese
    "(GDP × km to host)": "（GDP × 到牵头开发区的距离）", "(GDP × minutes to host)": "（GDP × 到牵头开发区的行程分钟）",
    "(GDP × (1 − host score))": "（GDP × (1 − 牵头开发区得分)）",
    "of GDP revoked": "撤销的 GDP", "zones kept": "保留的开发区", "members joining another district's host": "跨区并入的开发区",
}


def part_unit_text(unit: str, lang: str) -> str:
    """An objective part's unit as `part_units` writes it, in `lang`."""
    if lang != "zh":
        return unit
    for english, chinese in PART_UNIT_WORDS_ZH.items():
        unit = unit.replace(english, chinese)
    return unit.replace(" （", "（")


def _set_costs(problem: Problem, scenario: Scenario, gdp: np.ndarray, score: np.ndarray, money: str) -> None:
    """Objective coefficients. GDP enters as a percentage of the region's zone GDP, so each part reads as
    'percent of GDP' (times km/reference km for distance) and the weights are comparable.
    `problem.part_units` turns each part's value back into the planner's units (`real_units`)."""
    weights = scenario.objective.weights
    total = gdp.sum()
    pct = gdp / total * 100 if total > 0 else np.full(len(gdp), 100 / max(len(gdp), 1))
    known = problem.pair_km[np.isfinite(problem.pair_km)]
    reference_km = scenario.merging.max_distance_km or (float(known.max()) if len(known) and known.max() > 0 else 1.0)
    m, h = problem.pair_member, problem.pair_host
    km = np.nan_to_num(problem.pair_km, nan=reference_km)
    parts = {
        "distance": {"pair": pct[m] * km / reference_km},
        "host_quality": {"pair": pct[m] * (1 - score[h])},
        "revocation": {"revoke": pct.copy()},
        "zone_count": {"host": np.full(len(gdp), 100 / max(len(gdp), 1))},
        "cross_district": {"pair": (problem.managing[m] != problem.managing[h]).astype(float)},
    }
    problem.cost_parts = {name: {k: np.round(v, 9) for k, v in p.items()} for name, p in parts.items()}
    problem.part_units = {
        "distance": (total / 100 * reference_km, f"{money}·min (GDP × minutes to host)"
                     if problem.distance_unit == "minutes" else f"{money}·km (GDP × km to host)"),
        "host_quality": (total / 100, f"{money} (GDP × (1 − host score))"),
        "revocation": (total / 100, f"{money} of GDP revoked"),
        "zone_count": (len(gdp) / 100, "zones kept"),
        "cross_district": (1.0, "members joining another district's host"),
    }
    problem.cost_pair = np.round(weights.distance * parts["distance"]["pair"]
                                 + weights.host_quality * parts["host_quality"]["pair"]
                                 + weights.cross_district * parts["cross_district"]["pair"], 9)
    problem.cost_revoke = np.round(weights.revocation * parts["revocation"]["revoke"], 9)
    problem.cost_host = np.round(weights.zone_count * parts["zone_count"]["host"], 9)


def fairness_rows(problem: Problem, region: Region, scenario: Scenario) -> list[dict]:
    """Linear fairness constraints: for each district and measure, after ≥ bound.

    after(d) = Σ_i host_i·share(i, i→d)·v_i + Σ_pairs x_ij·share(i, j→d)·v_i; revoked zones give nothing.
    Each row is {district, measure, bound, host: coeffs over zones, pair: coeffs over pairs}.
    """
    fair = scenario.fairness
    if fair.max_district_loss is None and fair.min_kept is None:
        return []
    from .allocation import is_linear, linear_shares, parse_rule

    rows = []
    for measure in fair.measures:
        spec = scenario.allocation.get(measure, "territorial")
        rule = parse_rule(spec, f"allocation.{measure}")
        if not is_linear(rule):
            raise InputError(InputIssue(scenario.source, f"fairness bounds need a linear sharing rule, but "
                                          f"allocation.{measure} is {spec!r}",
                                          "use territorial, host or {split: s} for this measure, or drop it "
                                          "from fairness.measures"))
        column = region.zones[measure] if measure in region.zones else None
        if column is None or pd.to_numeric(column, errors="coerce").notna().sum() < column.notna().sum():
            raise InputError(InputIssue(scenario.source, f"fairness.measures names '{measure}', not a numeric zone column",
                                          "use gdp, fiscal_revenue or another numeric column of zones.csv"))
        value = pd.to_numeric(column, errors="coerce").fillna(0).to_numpy(dtype=float)
        n = problem.n_zones
        host_coef: dict[str, np.ndarray] = {}
        pair_coef: dict[str, np.ndarray] = {}
        for i in range(n):
            for d, share in linear_shares(rule, problem.location[i], problem.managing[i]):
                host_coef.setdefault(d, np.zeros(n))[i] += share * value[i]
        for k, (i, j) in enumerate(zip(problem.pair_member.tolist(), problem.pair_host.tolist())):
            for d, share in linear_shares(rule, problem.location[i], problem.managing[j]):
                pair_coef.setdefault(d, np.zeros(len(problem.pair_member)))[k] += share * value[i]
        for d in sorted(host_coef):
            before = float(host_coef[d].sum())
            bound = 0.0
            if fair.max_district_loss is not None:
                bound = (1 - fair.max_district_loss) * before
            if fair.min_kept is not None and before > 0:
                bound = max(bound, min(fair.min_kept, before))
            if bound <= 0:
                continue
            rows.append({"district": d, "measure": measure, "bound": bound, "before": before,
                         "host": host_coef[d], "pair": pair_coef.get(d, np.zeros(len(problem.pair_member)))})
    return rows


def _check_references(region: Region, scenario: Scenario, index: dict[str, int]) -> None:
    problems = []
    for key in ("hosts", "keep", "revoke"):
        for zone in getattr(scenario.pins, key):
            if zone not in index:
                problems.append(InputIssue(scenario.source, f"pins.{key} names unknown zone {zone!r}",
                                             "use a zone_id from the region's zones.csv"))
    for member, host in scenario.pins.assign.items():
        for zone in (member, host):
            if zone not in index:
                problems.append(InputIssue(scenario.source, f"pins.assign names unknown zone {zone!r}",
                                             "use zone_ids from the region's zones.csv (member: host)"))
    assigned_away = {m for m, h in scenario.pins.assign.items() if m != h}
    for other, zones_ in (("revoke", set(scenario.pins.assign)), ("hosts", assigned_away)):
        both = zones_ & set(getattr(scenario.pins, other))
        if both:
            problems.append(InputIssue(scenario.source, f"zones pinned both in pins.assign and pins.{other}: "
                                         f"{sorted(both)}", f"remove them from one of pins.assign / pins.{other}"))
    for a, b in scenario.pins.forbid_pairs:
        if a == b:
            problems.append(InputIssue(scenario.source, f"pins.forbid_pairs pairs zone {a!r} with itself",
                                         "name two different zones in each pair"))
        for zone in (a, b):
            if zone not in index:
                problems.append(InputIssue(scenario.source, f"pins.forbid_pairs names unknown zone {zone!r}",
                                             "use zone_ids from the region's zones.csv"))
    problems += _district_reference_problems(region, scenario, list(scenario.rules.exempt_districts)
                                             + list(scenario.rules.district_caps))
    problems += check_measures(region.zones, scenario.allocation, scenario.source)
    for other in ("hosts", "keep"):
        both = set(getattr(scenario.pins, other)) & set(scenario.pins.revoke)
        if both:
            problems.append(InputIssue(scenario.source, f"zones pinned both in pins.{other} and pins.revoke: "
                                         f"{sorted(both)}", f"remove them from one of pins.{other} / pins.revoke"))
    if problems:
        raise InputError(problems)
