"""Why no plan exists, and what would relax it.

Before solving, a cheap bound per capped district: zones that can neither join any host nor be
revoked must survive; if more of them count against a district than its cap, no plan exists, and
we can name the district, the zones and the rule that pins each one. After solving, for an infeasible
component, `propose_relaxations` gives one relaxed scenario per rule in force (a higher cap,
cross-district merges, revocation, a wider distance, no fairness bound); the pipeline (`pipeline.py`)
solves them and the ones that give a plan are reported. Nothing here solves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InfeasibleError
from .problem import RULE_TEXT, Problem, EligibilityRule, rule_words
from .region import Region
from .scenario import Scenario


def precheck(problem: Problem, region: Region, scenario: Scenario) -> None:
    """Raise InfeasibleError if a pinned assignment breaks a rule, or if some district must keep more zones
    than its cap whatever the plan (under `rules.cap_mode: in_principle` a cap may be exceeded)."""
    check_assignments(problem, region)
    if scenario.rules.cap_mode == "in_principle":
        return
    blocked, reasons = districts_stuck_over_cap(problem, region, scenario)
    if blocked:
        relax = relaxation_hints(scenario, [region.district_name(d) for d in blocked])
        raise InfeasibleError("no plan satisfies the rules:\n  - " + "\n  - ".join(reasons)
                              + "\nwhat would relax it: " + "; ".join(relax), reasons, relax)


def check_assignments(problem: Problem, region: Region) -> None:
    """Every pins.assign pair must be one the rules allow; otherwise name the rules that forbid it."""
    pinned = np.flatnonzero(problem.assigned >= 0).tolist()
    if not pinned:
        return
    allowed = set(zip(problem.pair_member.tolist(), problem.pair_host.tolist()))
    reasons = []
    for i in pinned:
        j = int(problem.assigned[i])
        if i == j or (i, j) in allowed:
            continue
        why = why_not_joining(problem, region, i, j)
        reasons.append(f"pins.assign sends {_zone(problem, i)} to {_zone(problem, j)}, which the rules forbid: {why}")
    if reasons:
        relax = ["remove or change those pins (pins.assign, or the zones named in --lock)"]
        raise InfeasibleError("no plan satisfies the rules:\n  - " + "\n  - ".join(reasons)
                              + "\nwhat would relax it: " + "; ".join(relax), reasons, relax)


def _zone(problem: Problem, i: int) -> str:
    return f"{problem.rules.names[i]} ({problem.zone_ids[i]})"


def why_not_joining(problem: Problem, region: Region, i: int, j: int, lang: str = "en") -> str:
    """Every rule that keeps zone i from joining host j, contiguity included, in words (en or zh)."""
    why = problem.rules.why_not_join(i, j)
    where = contiguity_reason(problem, region, i, j)
    if not why or where.key.startswith("too_far"):
        why.append(where)
    return RULE_TEXT[lang]["and"].join(rule.text(lang) for rule in why)


def contiguity_reason(problem: Problem, region: Region, i: int, j: int) -> EligibilityRule:
    """Why the pair (i, j), allowed by every other rule, is not among the candidates: too far or not adjacent."""
    from .geo import haversine_km

    m = problem.rules.scenario.merging
    zones = region.zones
    a, b = zones.iloc[i], zones.iloc[j]
    km = float(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]))
    distances = region.distances
    if distances is not None and distances.method == "matrix":  # the planner's matrix decides, in its unit
        given = float(distances.between([zones.index[i]], [zones.index[j]])[0])
        if given != given:
            return EligibilityRule.of("not_in_matrix", source=str(distances.source))
        if m.max_distance_km is not None and given > m.max_distance_km:
            return EligibilityRule.of("too_far_matrix", given=given, unit=distances.unit, source=str(distances.source),
                           limit=m.max_distance_km)
    elif distances is not None and distances.method == "planar":
        km = float(distances.km_between([zones.index[i]], [zones.index[j]])[0])
    in_km = distances is None or distances.method != "matrix"
    if in_km and m.max_distance_km is not None and km > m.max_distance_km:
        return EligibilityRule.of("too_far", km=km, limit=m.max_distance_km)
    if m.contiguity == "adjacent":
        return EligibilityRule.of("not_adjacent", km=km)
    if m.contiguity == "connected":
        return EligibilityRule.of("not_connected", km=km)
    return EligibilityRule.of("not_candidate", km=km)


def districts_stuck_over_cap(problem: Problem, region: Region, scenario: Scenario,
                             lang: str = "en") -> tuple[list[str], list[str]]:
    """Districts that must keep more zones than their cap whatever the plan, and why, zone by zone."""
    stuck = must_survive(problem)
    # one pass over the zones instead of one comparison of every zone per capped district
    code, districts = pd.factorize(problem.count_district, use_na_sentinel=False)
    position = {d: k for k, d in enumerate(districts)}
    stuck_in = np.bincount(code[stuck], minlength=len(districts))
    reasons, blocked = [], []
    for district, cap in sorted(problem.caps.items()):
        if (stuck_in[position[district]] if district in position else 0) <= cap:
            continue
        counted = np.flatnonzero(code == position.get(district, -1))
        pinned = counted[stuck[counted]]
        blocked.append(district)
        names = RULE_TEXT[lang]["and"].join(
            f"{region.zones.at[problem.zone_ids[k], 'name']}"
            + rule_words(lang, "aside", text=_why_stuck(problem, k, region, scenario, lang)) for k in pinned)
        reasons.append(rule_words(lang, "stuck_district", district=region.district_name(district),
                                  zones=len(counted), cap=cap, stuck=len(pinned), names=names))
    return blocked, reasons


def must_survive(problem: Problem) -> np.ndarray:
    """Zones that survive in every plan: no host to join and not revocable, or pinned to stay."""
    can_join = np.zeros(problem.n_zones, bool)
    can_join[problem.pair_member] = True
    return (~can_join & ~problem.revocable) | problem.must_host | (problem.assigned == np.arange(problem.n_zones))


def why_over_cap(problem: Problem, region: Region, scenario: Scenario, district: str,
                 survivors: np.ndarray | None = None) -> str:
    """Why a district cannot meet its cap: the zones counted against it that can neither join a host nor be
    revoked, each with the rule that holds it; and for the other `survivors` (zone indices kept by the plan),
    the only hosts they may join and why they may not be revoked."""
    stuck = must_survive(problem)
    counted = np.flatnonzero(problem.count_district == district)
    held = counted[stuck[counted]]
    text = [f"{len(held)} of its {len(counted)} zones can neither join a host nor be revoked"
            + (": " + "; ".join(f"{_zone(problem, k)} ({_why_stuck(problem, k, region, scenario)})" for k in held)
               if len(held) else "")]
    for k in (survivors if survivors is not None else []):
        if problem.count_district[k] != district or stuck[k]:
            continue
        hosts = problem.pair_host[problem.pair_member == k].tolist()
        where = ", ".join(f"{_zone(problem, j)} in {region.district_name(problem.count_district[j])}" for j in hosts)
        blocks = problem.rules.why_not_revoked(k)
        text.append(f"{_zone(problem, k)} may join only {where or 'no host'}"
                    + (f" and may not be revoked ({', '.join(blocks)})" if blocks else ""))
    return "; ".join(text)


def _why_stuck(problem: Problem, k: int, region: Region, scenario: Scenario, lang: str = "en") -> str:
    zone = region.zones.iloc[k]
    words = RULE_TEXT[lang]
    why = []
    if problem.must_host[k]:
        why.append(words["pinned_host_short"])
    elif problem.assigned[k] == k:
        why.append(words["pinned_stay"])
    else:
        m = scenario.merging
        unit = region.distances.unit if region.distances is not None else "km"
        within = rule_words(lang, "within", limit=m.max_distance_km, unit=unit) if m.max_distance_km is not None else ""
        if region.distances is not None and region.distances.method == "matrix":
            within += rule_words(lang, "within_matrix", source=str(region.distances.source))
        extra = []
        if not m.cross_district:
            extra.append(words["cross_district_off"])
        if m.customs != "ignore" and str(zone["kind"]).startswith("customs_"):
            extra.append(rule_words(lang, "customs_rule", customs=m.customs))
        why.append(rule_words(lang, f"no_host_{m.contiguity}", within=within)
                   + (rule_words(lang, "aside", text=words["list"].join(extra)) if extra else ""))
    if not problem.must_host[k] and problem.assigned[k] != k:
        blocks = problem.rules.revoke_rules(k)
        texts = [rule.text(lang) for rule in blocks]
        if blocks and blocks[0].key == "protected_level":
            texts[0] = rule_words(lang, "level_protected", level=str(zone["level"]))
        why.append(words["list"].join(texts) if texts else words["revocable"])
    return words["and"].join(why)


def relaxation_hints(scenario: Scenario, districts: list[str]) -> list[str]:
    """What a planner could loosen, as --set overrides, for the rules in force."""
    hints = [f"raise the cap (--set rules.district_caps.{districts[0]}=N)" if districts
             else "raise rules.district_cap"]
    m, r = scenario.merging, scenario.revocation
    if not m.cross_district:
        hints.append("allow cross-district merges (--set merging.cross_district=true)")
    if m.contiguity == "adjacent":
        hints.append("accept nearby zones as members (--set merging.contiguity=nearby)")
    if m.max_distance_km is not None:
        hints.append(f"widen max_distance_km (--set merging.max_distance_km={m.max_distance_km * 2:g})")
    if not r.allowed:
        hints.append("allow revocation (--set revocation.allowed=true)")
    elif r.max_gdp_share is not None or r.max_area_ha is not None or r.require_grade:
        hints.append("let larger zones be revoked (--set revocation.max_gdp_share=null)")
    if m.hosts.min_score is not None:
        hints.append("lower merging.hosts.min_score")
    if m.hosts.not_below_member:
        hints.append("let zones join lower-level hosts (--set merging.hosts.not_below_member=false)")
    if scenario.fairness.max_district_loss is not None or scenario.fairness.min_kept is not None:
        hints.append("loosen the fairness bounds (--set fairness.max_district_loss=null)")
    return hints


def diagnose(problem: Problem, region: Region, scenario: Scenario, infeasible: list,
             working: list[str] | None = None) -> None:
    """Raise InfeasibleError for components the solver proved infeasible, naming districts and rules.

    `working` are the labels of the relaxations that were tried and give a plan (see
    `propose_relaxations`); without them the message lists what could relax the rules."""
    districts = sorted({d for r in infeasible for d in problem.count_district[r.zones] if d in problem.caps})
    names = [region.district_name(d) for d in districts]
    zones = sum(len(r.zones) for r in infeasible)
    reasons = [f"the solver proved that no plan exists for {zones} zones in "
               f"{', '.join(names) or 'uncapped districts'} under the rules in force"]
    fair = scenario.fairness
    if fair.max_district_loss is not None or fair.min_kept is not None:
        reasons.append("fairness bounds are in force (fairness.max_district_loss / min_kept): merges that move "
                       "GDP or revenue between districts, and revocations, may be what they forbid")
    working = working or []
    relax = working or relaxation_hints(scenario, names)
    head = "relaxations that each give a plan: " if working else "what could relax it: "
    raise InfeasibleError("no plan satisfies the rules:\n  - " + "\n  - ".join(reasons) + "\n" + head
                          + "; ".join(relax), reasons, relax)


@dataclass(frozen=True)
class Relaxation:
    label: str           # how a planner asks for it: "--set merging.cross_district=true"
    scenario: Scenario   # the scenario with that one rule relaxed (and a short time limit, for a probe)


PROBE_TIME_LIMIT_S = 10  # a relaxation that needs longer to show a plan proves nothing in a diagnosis


def propose_relaxations(scenario: Scenario) -> list[Relaxation]:
    """One relaxed scenario per rule in force that could be what blocks a plan; the caller solves them."""
    from .scenario import apply_overrides, scenario_from_dict

    base = scenario.as_dict()
    fair = scenario.fairness
    caps = scenario.rules
    raised = {d: c + 1 for d, c in caps.district_caps.items()}
    candidates = [f"rules.district_cap={caps.district_cap + 1}"
                  + (f" --set rules.district_caps={raised}".replace("'", "") if raised else "")]
    if not scenario.merging.cross_district:
        candidates.append("merging.cross_district=true")
    if not scenario.revocation.allowed:
        candidates.append("revocation.allowed=true")
    elif scenario.revocation.max_gdp_share is not None:
        candidates.append("revocation.max_gdp_share=null")
    if scenario.merging.max_distance_km is not None:
        candidates.append(f"merging.max_distance_km={scenario.merging.max_distance_km * 2:g}")
    if fair.max_district_loss is not None or fair.min_kept is not None:
        candidates.append("fairness.max_district_loss=null")
    if scenario.merging.hosts.not_below_member:
        candidates.append("merging.hosts.not_below_member=false")
    relaxations = []
    for override in candidates:
        overrides = override.split(" --set ") + (["fairness.min_kept=null"] if override.startswith("fairness") else [])
        data = apply_overrides(base, overrides)
        data["solver"]["time_limit_s"] = min(data["solver"]["time_limit_s"], PROBE_TIME_LIMIT_S)
        relaxations.append(Relaxation(f"--set {override}", scenario_from_dict(data)))
    return relaxations
