"""Why this plan: each zone's decision, every alternative, and the exact extra cost of forcing it.

    >>> from consolidate.explain import explain_plan, regrets
    >>> options = explain_plan(plan, ["S129027"])   # one row per option of the zone: cost or the rule forbidding it
    >>> regrets(explain_plan(plan))                 # per zone: the cheapest alternative's extra cost

An option is one fate of one zone: stay a host, join a given host, be revoked. Its extra cost is exact:
the zone's component of the problem (every zone its choice can affect) is re-solved with the option pinned —
the same column bounds a scenario's `pins.assign` / `pins.revoke` sets — and compared with that component's
optimum, both proven by the solver (`warm.WarmSolver`: one LP per component kept, its optimum taken only
when proven the unique one, else the component's fresh MIP); so forcing the option in a scenario and running it gives the optimum
plus this extra cost. Options the rules forbid are listed with every rule that forbids them, taken from the
eligibility masks the problem builder applies (`problem.Eligibility`). docs/explain.md has the details.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .backends import FEASIBLE, INFEASIBLE, OPTIMAL
from .plan import objective_parts
from .problem import RULE_TEXT, Problem, EligibilityRule
from .region import Region
from .scenario import Scenario

NEAR_TIE = 0.01          # a decision whose regret is under 1% of the objective is a near tie
FORBIDDEN_SHOWN = 15     # forbidden hosts listed per zone: the nearest ones
REAL_COLUMNS = {"distance": "delta_gdp_km", "host_quality": "delta_gdp_under_weak_hosts",
                "revocation": "delta_revoked_gdp", "zone_count": "delta_zones_kept",
                "cross_district": "delta_cross_district_members"}
OPTION_COLUMNS = ["zone_id", "name", "decision", "option", "target_id", "target_name", "km", "chosen", "allowed",
                  "status", "extra_cost", *[f"extra_{p}" for p in REAL_COLUMNS], "delta_cap_excess",
                  *REAL_COLUMNS.values(), "reason"]
WORDS = {   # the decisions and the solver's answers, in the planners' words (the rules' are problem.RULE_TEXT)
    "en": {"host": "host", "revoked": "revoked", "joins": "joins {name} ({zone})", "join": "join {name} ({zone})",
           "stay": "stay a host", "revoke": "revoke",
           "not_proven": "not proven: the solver stopped early (the extra cost is an upper bound)",
           "infeasible": "the solver proved no plan exists with this choice under the caps and fairness bounds in force",
           "no_solution": "the solver stopped without a plan (time limit)"},
    "zh": {"host": "牵头", "revoked": "撤销", "joins": "并入 {name}（{zone}）", "join": "并入 {name}（{zone}）",
           "stay": "保留为牵头开发区", "revoke": "撤销",
           "not_proven": "未证明：求解器提前停止（额外代价是上界）",
           "infeasible": "求解器已证明：在现行上限和公平约束下，这一选择没有可行方案",
           "no_solution": "求解器停止时没有方案（时间上限）"},
}


class Explainer:
    """Re-solves one component at a time with one zone's fate pinned, against that component's optimum."""

    def __init__(self, region: Region, scenario: Scenario, graph=None):
        from .engine import decompose
        from .pipeline import prepare
        from .warm import WarmSolver

        self.region = region
        self.scenario, self.graph, self.scores, self.grades, self.problem = prepare(region, scenario, graph)
        self.warm = WarmSolver(region, graph=self.graph)   # a pin only sets column bounds: one LP per component
        self.settings = _exact_settings(self.scenario)
        self.components = decompose(self.problem)
        self.component_of = np.empty(self.problem.n_zones, np.int64)
        for k, (zones, _) in enumerate(self.components):
            self.component_of[zones] = k
        self._optimum: dict[int, dict] = {}
        self.index = {z: k for k, z in enumerate(self.problem.zone_ids)}

    # --- one solve -------------------------------------------------------------------------------

    def optimum(self, k: int) -> dict:
        if k not in self._optimum:
            self._optimum[k] = self._solve(self.problem, k)
        return self._optimum[k]

    def forced(self, i: int, option: str, j: int | None = None) -> dict:
        """Component of zone i re-solved with the option pinned: 'host' (stays), 'join' (host j), 'revoke'."""
        return self._solve(_pinned(self.problem, i, option, j), int(self.component_of[i]))

    def _solve(self, problem: Problem, k: int) -> dict:
        zones, pairs = self.components[k]
        result = self.warm.solve_components(problem, [(zones, pairs)], self.settings)[0]
        out = {"status": result.status, "result": result}
        if result.status in (OPTIMAL, FEASIBLE):
            out["parts"] = objective_parts(problem, [result], self.scenario)
            out["excess"] = getattr(result, "cap_excess", 0) or 0
        return out

    # --- the options of one zone -------------------------------------------------------------------

    def options(self, zone: str, table: pd.DataFrame | None = None, lang: str = "en") -> pd.DataFrame:
        """Every option of `zone` (id): the plan's decision, each allowed alternative with its exact extra cost,
        and the forbidden ones with their rules (decisions and reasons in `lang`). `table` is the plan's
        plan.csv (default: the optimum)."""
        from .diagnose import districts_stuck_over_cap, why_not_joining

        p, rules = self.problem, self.problem.rules
        i = self.index[zone]
        k = int(self.component_of[i])
        base = self.optimum(k)
        chosen = _decision(table, zone) if table is not None else self._optimal_decision(i, base)
        words, both = WORDS[lang], RULE_TEXT[lang]["and"]
        rows = []

        def add(option, target, allowed, reason="", km=np.nan):
            row = {"option": option, "target_id": "" if target is None else p.zone_ids[target],
                   "target_name": "" if target is None else rules.names[target], "km": km, "allowed": allowed,
                   "chosen": (option, "" if target is None else p.zone_ids[target]) == chosen,
                   "status": "forbidden", "extra_cost": np.nan, "reason": reason}
            if allowed:
                outcome = self.forced(i, option, target)
                row["status"] = outcome["status"]
                if "parts" in outcome and "parts" in base:
                    for part, values in outcome["parts"].items():
                        row[f"extra_{part}"] = round(values["weighted"] - base["parts"][part]["weighted"], 9)
                        row[REAL_COLUMNS[part]] = round(values["real"] - base["parts"][part]["real"], 6)
                    row["extra_cost"] = round(sum(row[f"extra_{q}"] for q in outcome["parts"]), 9)
                    row["delta_cap_excess"] = outcome["excess"] - base["excess"]
                    if outcome["status"] == FEASIBLE:
                        row["reason"] = words["not_proven"]
                elif outcome["status"] == INFEASIBLE:
                    stuck = districts_stuck_over_cap(_pinned(p, i, option, target), self.region, self.scenario,
                                                     lang)[1]
                    row["reason"] = both.join(stuck) or words["infeasible"]
                else:
                    row["reason"] = words["no_solution"]
            rows.append(row)

        stay_blocks = [r.text(lang) for r, m in ((EligibilityRule("pinned_revoke"), p.must_revoke[i]),
                                                 (EligibilityRule.of("pinned_to", target=p.zone_ids[p.assigned[i]]),
                                                  p.assigned[i] >= 0 and p.assigned[i] != i)) if m]
        add("host", i, not stay_blocks, both.join(stay_blocks), km=0.0)
        allowed_hosts = p.pair_host[p.pair_member == i]
        allowed_km = p.pair_km[p.pair_member == i]
        for j, km in sorted(zip(allowed_hosts.tolist(), allowed_km.tolist()), key=lambda x: (x[1], x[0])):
            add("join", j, True, km=round(km, 3))
        for j, km in self._nearest_others(i, set(allowed_hosts.tolist())):
            add("join", j, False, why_not_joining(p, self.region, i, j, lang), km=round(km, 3))
        add("revoke", None, bool(p.revocable[i]), both.join(rules.why_not_revoked(i, lang)))

        frame = pd.DataFrame(rows)
        frame.insert(0, "zone_id", zone)
        frame.insert(1, "name", rules.names[i])
        frame.insert(2, "decision", _describe(chosen, p, self.index, lang))
        chosen_cost = frame.loc[frame["chosen"], "extra_cost"]
        if len(chosen_cost) and pd.notna(chosen_cost.iloc[0]):  # relative to the plan's own decision
            frame["extra_cost"] = (frame["extra_cost"] - chosen_cost.iloc[0]).round(9)
            for column in [f"extra_{q}" for q in REAL_COLUMNS] + list(REAL_COLUMNS.values()) + ["delta_cap_excess"]:
                if column in frame:
                    frame[column] = frame[column] - frame.loc[frame["chosen"], column].iloc[0]
        return frame.reindex(columns=OPTION_COLUMNS)

    def _optimal_decision(self, i: int, base: dict) -> tuple[str, str]:
        result = base["result"]
        p = self.problem
        if i in set(result.revoked.tolist()):
            return ("revoke", "")
        for q in result.chosen_pairs.tolist():
            if p.pair_member[q] == i:
                return ("join", p.zone_ids[p.pair_host[q]])
        return ("host", p.zone_ids[i])

    def _nearest_others(self, i: int, allowed: set[int]) -> list[tuple[int, float]]:
        from .geo import haversine_km

        zones = self.region.zones
        lat, lon = zones["lat"].to_numpy(float), zones["lon"].to_numpy(float)
        km = np.asarray(haversine_km(lat[i], lon[i], lat, lon), float)
        order = [j for j in np.argsort(np.nan_to_num(km, nan=np.inf), kind="stable").tolist()
                 if j != i and j not in allowed]
        return [(j, float(km[j])) for j in order[:FORBIDDEN_SHOWN]]


def _pinned(problem: Problem, i: int, option: str, j: int | None) -> Problem:
    if option == "revoke":
        must_revoke = problem.must_revoke.copy()
        must_revoke[i] = True
        return dataclasses.replace(problem, must_revoke=must_revoke)
    assigned = problem.assigned.copy()
    assigned[i] = i if option == "host" else j
    return dataclasses.replace(problem, assigned=assigned)


def _exact_settings(scenario: Scenario):
    """HiGHS straight from the matrices for the many small re-solves (exact: no gap is allowed either way)."""
    solver = scenario.solver
    if solver.name == "highs" and solver.backend != "highspy":
        return solver.model_copy(update={"backend": "highspy"})
    return solver


def _decision(table: pd.DataFrame, zone: str) -> tuple[str, str]:
    status, host = table.at[zone, "status"], table.at[zone, "host_id"]
    if status == "revoked":
        return ("revoke", "")
    if status == "member":
        return ("join", str(host))
    return ("host", zone)


def _describe(chosen: tuple[str, str], problem: Problem, index: dict, lang: str = "en") -> str:
    option, target = chosen
    words = WORDS[lang]
    if option == "revoke":
        return words["revoked"]
    if option == "host":
        return words["host"]
    return words["joins"].format(name=problem.rules.names[index[target]], zone=target)


# --- from a plan -----------------------------------------------------------------------------------


def zone_index(plan, ref: str) -> str:
    """A zone id from an id or a name (InputError naming the choices if neither)."""
    from .errors import InputError, InputIssue

    table = plan.table
    if ref in table.index:
        return ref
    named = table.index[table["name"] == ref]
    if len(named) == 1:
        return str(named[0])
    raise InputError(InputIssue("--zone", f"no zone {ref!r} in the plan", "give a zone_id or an exact zone name "
                                  "from plan.csv"))


def explainer_for(plan) -> Explainer:
    from .errors import InputError, InputIssue

    if plan.region is None or plan.scenario is None:
        raise InputError(InputIssue("summary.json", "the plan's region or scenario cannot be loaded",
                                      "run the scenario again, or give the region it was solved on"))
    return Explainer(plan.region, plan.scenario)


def explain_plan(plan, zones: list[str] | None = None, explainer: Explainer | None = None,
                 lang: str = "en") -> pd.DataFrame:
    """Every option of the named zones (ids or names; default every zone), relative to the plan's decisions;
    decisions and reasons in `lang` (en, zh)."""
    explainer = explainer or explainer_for(plan)
    ids = [zone_index(plan, z) for z in zones] if zones else list(plan.table.index)
    return pd.concat([explainer.options(z, plan.table, lang) for z in ids], ignore_index=True)


def regrets(options: pd.DataFrame, objective: float | None = None, lang: str = "en") -> pd.DataFrame:
    """Per zone: its decision, the cheapest other allowed option and its extra cost (the regret); `forced`
    when no other option gives a plan, `near_tie` when the regret is under NEAR_TIE of the objective."""
    rows = []
    for zone, group in options.groupby("zone_id", sort=False):
        others = group[~group["chosen"] & group["allowed"] & group["extra_cost"].notna()]
        best = others.loc[others["extra_cost"].idxmin()] if len(others) else None
        regret = float(best["extra_cost"]) if best is not None else np.nan
        tie = best is not None and objective is not None and regret <= NEAR_TIE * max(abs(objective), 1e-9)
        rows.append({"zone_id": zone, "name": group["name"].iloc[0], "decision": group["decision"].iloc[0],
                     "next_best": "" if best is None else _option_text(best, lang), "regret": regret,
                     "forced": best is None, "near_tie": bool(tie)})
    return pd.DataFrame(rows)


def _option_text(row, lang: str = "en") -> str:
    words = WORDS[lang]
    if row["option"] == "join":
        return words["join"].format(name=row["target_name"], zone=row["target_id"])
    return words["stay"] if row["option"] == "host" else words["revoke"]


def write_options(options: pd.DataFrame, path) -> None:
    """explain.csv, written whole or not at all, never over a file the toolkit did not write."""
    from .io import atomic_file
    from .office import write_csv

    with atomic_file(path) as tmp:
        write_csv(options, tmp, float_format="%.6f")


# --- locking a plan's decisions -----------------------------------------------------------------------


def lock_decisions(scenario: Scenario, plan, zones: list[str] | None = None) -> Scenario:
    """`scenario` with the decisions of `plan` (possibly hand-edited) pinned for `zones` (ids or names; None:
    every zone): a host stays (pins.assign to itself), a member joins its host (pins.assign), a revoked zone is
    revoked (pins.revoke). A decision the rules forbid makes the solve infeasible, explained like any other."""
    from .errors import InputError, InputIssue

    ids = [zone_index(plan, z) for z in zones] if zones else list(plan.table.index)
    assign, revoke = dict(scenario.pins.assign), list(scenario.pins.revoke)
    for z in ids:
        status, host = str(plan.table.at[z, "status"]), str(plan.table.at[z, "host_id"])
        if status == "revoked":
            revoke += [] if z in revoke else [z]
        elif status in ("host", "member"):
            assign[z] = z if status == "host" else host
        else:
            raise InputError(InputIssue("plan.csv", f"zone {z} has status {status!r}", "write host, member or "
                                          "revoked", column="status"))
    pins = scenario.pins.model_copy(update={"assign": assign, "revoke": revoke})
    return scenario.model_copy(update={"pins": pins})  # keeps which keys the scenario set (region rules apply)
