"""Solve a scenario on a region: decompose, solve each component exactly, check, account.

    >>> from consolidate import load_region, load_scenario, solve
    >>> plan = solve(load_region("tianjin"), load_scenario("baseline"))
    >>> plan.summary["proven_optimal"], plan.summary["status"]
    (True, 'optimal')

The pipeline: the problem's arrays (`problem.py`) → a check that no district is over its cap beyond
repair (`diagnose.py`) → the engine (`engine.py`: independent components, presolve, the MIP through
a back end, separator cuts for `connected`, worker processes) → the plan (`plan.py`), checked by
`checks.py`, accounted by `allocation.py`.

The back end (speed measured in scripts/bench/README.md): HiGHS straight from the matrices (highspy),
unless the scenario names `pulp`. `warm.WarmSolver` re-solves variants of a scenario on one region
with the same plans, sooner (sweeps, compare, campaign).
"""
from __future__ import annotations

import time

import networkx as nx

from . import diagnose
from .backends import INFEASIBLE, NO_SOLUTION
from .engine import MAX_CUT_ROUNDS, decompose, solve_components
from .errors import ConsolidateError, SolverStopped
from .evaluation import evaluation_scores
from .graph import zone_graph
from .problem import build_problem
from .region import Region
from .scenario import Scenario, resolve_scenario


def solve(region: Region, scenario: Scenario, graph: nx.Graph | None = None, progress=None, probe: bool = True,
          warm=None):
    """The optimal plan for `scenario` on `region` (a `Plan`); raises InfeasibleError or SolverStopped.

    `progress(done, total)` is called as the components that need the MIP are solved.
    When the solver proves a component infeasible, `probe` re-solves with one rule relaxed at a time to
    say which relaxations would give a plan (small regions only). `warm`: a `warm.WarmSolver` that keeps
    scores and models between solves (use its `solve`)."""
    from .plan import assemble_plan

    started = time.perf_counter()
    scenario, graph, scores, grades, problem = prepare(region, scenario, graph, warm)
    diagnose.precheck(problem, region, scenario)
    components = (warm or _Fresh).decompose(problem)
    build_seconds = time.perf_counter() - started

    results = (warm or _Fresh).solve_components(problem, components, scenario.solver, progress)
    infeasible = [r for r in results if r.status == INFEASIBLE]
    if infeasible:
        diagnose.diagnose(problem, region, scenario, infeasible, probe_relaxations(region, scenario) if probe else [])
    stopped = [r for r in results if r.status == NO_SOLUTION]
    if stopped:
        zones = sum(len(r.zones) for r in stopped)
        raise SolverStopped(f"no verified plan for {len(stopped)} component(s) ({zones} zones): the solver stopped at "
                            f"its time limit ({scenario.solver.time_limit_s:g} s per solve) without a feasible plan, "
                            f"or the connectivity cut loop did not converge in {MAX_CUT_ROUNDS} rounds — raise "
                            f"solver.time_limit_s, use merging.connected_method=flow, or loosen the rules "
                            f"(e.g. contiguity: nearby instead of connected)")
    return assemble_plan(region, scenario, graph, problem, results, scores, grades,
                         seconds={"build": build_seconds, "total": time.perf_counter() - started},
                         kept=warm.kept if warm is not None and warm.keeps(region, graph) else None)


def prepare(region: Region, scenario: Scenario, graph: nx.Graph | None = None, warm=None):
    """The scenario with the region's rules and the back end resolved, the zone graph, evaluation scores and
    grades, and the problem's arrays: (scenario, graph, scores, grades, problem). `warm`: see `solve`."""
    scenario = automatic_backend(resolve_scenario(scenario, region).scenario)
    graph = graph if graph is not None else zone_graph(region)
    scores, grades = (warm or _Fresh).scores(region, scenario)
    return scenario, graph, scores, grades, (warm or _Fresh).problem(region, scenario, graph, scores, grades)


PROBE_UP_TO_ZONES = 400  # relaxations are probed on regions up to this many zones (each is a solve)


def probe_relaxations(region: Region, scenario: Scenario) -> list[str]:
    """Solve each relaxation `diagnose` proposes (small regions only); the labels of those that give a plan."""
    if len(region.zones) > PROBE_UP_TO_ZONES:
        return []
    working = []
    for relaxation in diagnose.propose_relaxations(scenario):
        try:
            solve(region, relaxation.scenario, probe=False)
        except ConsolidateError:  # still infeasible, or stopped: this relaxation proves nothing
            continue
        working.append(relaxation.label)
    return working


class _Fresh:
    """Every solve from scratch (what `warm.WarmSolver` replaces with kept scores and models)."""

    scores = staticmethod(lambda region, scenario: evaluation_scores(region, scenario))
    problem = staticmethod(lambda *args: build_problem(*args))
    solve_components = staticmethod(lambda *args: solve_components(*args))
    decompose = staticmethod(lambda problem: decompose(problem))


def automatic_backend(scenario: Scenario) -> Scenario:
    """Resolve `solver.backend`: HiGHS straight from the matrices (highspy) at every size; CBC, and HiGHS
    when the scenario names `pulp`, through PuLP. `auto` (the former default) means highspy too.

    scripts/bench/README.md measured highspy as fast as PuLP → HiGHS or faster at every size (PuLP makes
    a Python object per variable and constraint), and the cut loop and the warm re-solve engine need it;
    the plans of every bundled scenario are byte-identical either way. The model stays exportable
    through PuLP (`export.write_model`, `consolidate run --export-model`)."""
    solver = scenario.solver
    backend = "highspy" if solver.name == "highs" and solver.backend != "pulp" else "pulp"
    if backend == solver.backend:
        return scenario
    return scenario.model_copy(update={"solver": solver.model_copy(update={"backend": backend})})
