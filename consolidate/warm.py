"""Warm re-solves: many variants of one scenario on one region, each model built once and re-solved.

    >>> from consolidate.warm import WarmSolver
    >>> solver = WarmSolver(region, scenario)                   # per worker: the region, graph and models
    >>> plan = solver.solve()                                   # the same plan as consolidate.solve(region, scenario)
    >>> plan = solver.solve(overrides=["rules.district_cap=2"])            # a variant (`--set` syntax)
    >>> plan = solver.solve(pins={"revoke": ["TJ07"]})                     # one extra pin (explain-style probes)
    >>> plan = solver.solve(other_scenario)                                # any scenario on the same region

Used by `sweep` (local processes and Dask workers keep one per region), `compare` and `campaign`.

What is kept between solves: the zone graph; the evaluation scores per evaluation setting (the
costliest part of a small solve); the problem's arrays per scenario apart from its caps and objective
weights (a variant that changes only those gets new caps and costs on the same pairs, as
`build_problem` computes them); what plan assembly, accounting and the independent checks read from the
region (`memo.once`: the checks still run on every plan, with their own code); and per component structure — the model's matrix, which a change
of caps (row bounds), weights (objective coefficients) or of pins that only fix columns (column
bounds) leaves as it is — one HiGHS LP relaxation, re-solved by the dual simplex from the last
basis after the new bounds and costs are set.

Why the plan is the one a fresh solve gives, byte for byte: an LP optimum x* that is integral is a
MIP optimum. It is also the only one when no other point of the LP — within the MIP's own gap
tolerance of the optimum — moves any integer column by ½ or more: one more LP over the optimal face,
max Σ_{x*_j=0} x_j + Σ_{x*_j=1} (1 − x_j), proves that. Then any exact solve (the fresh HiGHS MIP,
the cut loop, CBC) must return x*. If the LP is fractional, or the optimum is not proven unique, or a
`connected` group is not connected, the component is solved by the fresh path (`solve_component`).
Every plan is assembled and independently checked exactly as after a fresh solve.
"""
from __future__ import annotations

import hashlib
import json
import time

import numpy as np

from .backends import OPTIMAL, _warm_applies, _WarmLP  # the LP relaxation and its uniqueness test (engine uses them too)
from .model import MatrixModel, build_model
from .problem import Problem
from .scenario import Scenario, Solver



class WarmSolver:
    """Solves variants of `scenario` on `region` (see the module docstring); one per process and region."""

    def __init__(self, region, scenario: Scenario | None = None, graph=None):
        from .graph import zone_graph

        self.region = region
        self.scenario = scenario
        self.graph = graph if graph is not None else zone_graph(region)
        self._scores: dict[str, tuple] = {}
        self._models: dict[str, _WarmLP] = {}
        self._problems: dict[str, tuple] = {}
        self._components: dict[str, list] = {}
        self.kept: dict = {}   # what plan assembly, accounting and checks read from the region (memo.once)
        self._proven: dict[str, list] = {}   # per structure: the last models whose LP optimum was proven unique, and it
        self.stats = {"warm": 0, "fresh": 0, "dominated": 0}

    def solve(self, scenario: Scenario | None = None, *, overrides=(), pins: dict | None = None, progress=None,
              probe: bool = True):
        """The plan of `scenario` (default: the one given at construction) with `overrides` and extra `pins`
        ({"hosts"|"keep"|"revoke": [zone ids], "forbid_pairs": [[a, b]]}) added; as `consolidate.solve`."""
        from .pipeline import solve

        return solve(self.region, self.variant(scenario, overrides, pins), graph=self.graph, progress=progress,
                     probe=probe, warm=self)

    def variant(self, scenario: Scenario | None, overrides=(), pins: dict | None = None) -> Scenario:
        from .scenario import parse_override, scenario_from_dict

        scenario = scenario if scenario is not None else self.scenario
        if scenario is None:
            raise ValueError("WarmSolver.solve needs a scenario (none was given at construction)")
        if not overrides and not pins:
            return scenario
        data = scenario.as_dict()
        for override in overrides:
            path, value = parse_override(override)
            node = data
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        for key, zones in (pins or {}).items():
            data["pins"][key] = list(data["pins"].get(key, [])) + [z for z in zones if z not in data["pins"].get(key, [])]
        return scenario_from_dict(data, where="variant")

    def scores(self, region, scenario: Scenario):
        """Evaluation scores and grades, computed once per evaluation setting."""
        from .evaluation import evaluation_scores

        if region is not self.region:
            return evaluation_scores(region, scenario)
        key = json.dumps(scenario.evaluation.model_dump(mode="json"), sort_keys=True)
        if key not in self._scores:
            self._scores[key] = evaluation_scores(region, scenario)
        return self._scores[key]

    def keeps(self, region, graph) -> bool:
        """Whether what this solver keeps describes `region` and `graph` (its own, unchanged)."""
        return region is self.region and graph is self.graph

    def problem(self, region, scenario: Scenario, graph, scores, grades) -> Problem:
        """`problem.build_problem`, its arrays kept per scenario apart from the caps and objective weights: a
        variant that changes only those gets its caps and costs anew (`problem.with_caps_and_weights`)."""
        from .problem import build_problem, with_caps_and_weights

        if not self.keeps(region, graph):
            return build_problem(region, scenario, graph, scores, grades)
        data = scenario.as_dict()
        for key in ("district_cap", "district_caps"):
            data["rules"].pop(key)
        data["objective"].pop("weights")
        data.pop("name", None)
        data.pop("description", None)
        key = json.dumps(data, sort_keys=True, default=str)
        kept = self._problems.get(key)
        if kept is None or kept[1] is not scores or kept[2] is not grades:
            problem = build_problem(region, scenario, graph, scores, grades)
            self._problems[key] = (problem, scores, grades)
            return problem
        return with_caps_and_weights(kept[0], region, scenario)

    def decompose(self, problem: Problem):
        """`engine.decompose`, kept per what it reads (`engine.decomposition_key`): a variant that changes only
        caps' values and weights has its scenario's components."""
        from .engine import decompose, decomposition_key

        key = decomposition_key(problem)
        if key not in self._components:
            self._components[key] = decompose(problem)
        return self._components[key]

    def solve_components(self, problem: Problem, components, settings: Solver, progress=None):
        """`solve.solve_components`, each component that needs the MIP first tried warm."""
        from .engine import _keep_everything, _presolvable, solve_component

        results = []
        hard = [k for k, (zones, _) in enumerate(components) if not _presolvable(problem, zones)]
        done = 0
        for k, (zones, pairs) in enumerate(components):
            if k not in hard:
                results.append(_keep_everything(problem, zones))
                continue
            result = self._warm(problem, zones, pairs, settings) if _warm_applies(problem, settings) else None
            if result is None:
                result = solve_component(problem, zones, pairs, settings)
                self.stats["fresh"] += 1
            else:
                self.stats["warm"] += 1
            results.append(result)
            done += 1
            if progress:
                progress(done, len(hard))
        return results

    def _warm(self, problem: Problem, zones: np.ndarray, pairs: np.ndarray, settings: Solver):
        from .engine import ComponentResult, _read_solution, find_separator_cuts

        started = time.perf_counter()
        model = build_model(problem, zones, pairs)
        key = _structure(model, settings)
        proven = self._proven.setdefault(key, [])
        solution = None
        for before, x in reversed(proven):
            solution = _still_unique(model, before, x)
            if solution is not None:
                break
        built = time.perf_counter() - started
        if solution is not None:
            self.stats["dominated"] += 1
        else:
            lp = self._models.get(key)
            if lp is None:
                lp = self._models[key] = _WarmLP(model, settings)
            else:
                lp.update(model)
            built = time.perf_counter() - started
            solution = lp.unique_integral_optimum()
            if solution is None:
                return None
        proven.append((model, solution.values))
        del proven[:-KEEP_PROVEN]
        if problem.contiguity == "connected" and find_separator_cuts(problem, model, solution):
            return None
        result = ComponentResult(zones=zones, status=OPTIMAL, objective=float("nan"), best_bound=None, gap=None,
                                 seconds_build=built, seconds_solve=time.perf_counter() - started - built, rounds=1)
        _read_solution(result, model, solution)
        return result


KEEP_PROVEN = 8   # models kept per structure whose unique optimum may serve a later variant (`_still_unique`)


def _still_unique(model: MatrixModel, before: MatrixModel, x: np.ndarray):
    """x, the unique integral optimum proven for `before` (same structure), as the unique optimum of `model`
    without an LP, when `model` has the same column and row bounds and its costs differ by d = c − c_before
    with d ≥ 0 and d_j = 0 wherever x_j > 0 (e.g. a higher revocation weight in a plan that revokes nothing);
    None otherwise. Why: the columns whose cost rose are ≥ 0, so c·y ≥ c_before·y for every LP point y, and
    c·x = c_before·x = z. Then x is an LP optimum of `model` (c·y ≥ c_before·y ≥ z), and `model`'s near-optimal face
    {y : c·y ≤ z + tolerance} lies inside `before`'s, over which the uniqueness LP proved that no point moves
    an integer column by ½ or more — so the same proof holds for `model` (module docstring)."""
    from .backends import Solution, _highs_version

    if not (np.array_equal(model.col_lo, before.col_lo) and np.array_equal(model.col_hi, before.col_hi)):
        return None
    d = model.c - before.c
    if d.min(initial=0.0) < 0 or np.any(d[x > 0.5] != 0) or model.col_lo[d > 0].min(initial=0.0) < 0:
        return None
    if not all(np.array_equal(a, b) for a, b in zip(model.row_lo + model.row_hi, before.row_lo + before.row_hi)):
        return None   # (the same structure: the same blocks of rows)
    z = float(model.c @ x)
    return Solution(OPTIMAL, x, z, z, 0.0, "highs", _highs_version(), 0.0, 0.0)


def _structure(model: MatrixModel, settings: Solver) -> str:
    """What a variant may not change for the warm model to serve it: the matrix, the integer columns, the
    kinds of rows and the solver settings (bounds and costs are what changes)."""
    A, _, _ = model.matrix()
    digest = hashlib.sha1()
    for array in (A.indptr, A.indices, A.data, model.integer, model.zones, model.pairs, model.revocable):
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    digest.update(repr((model.row_kind, settings.time_limit_s, settings.threads)).encode())
    return digest.hexdigest()
