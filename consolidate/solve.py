"""Solve a scenario on a region: decompose, solve each component exactly, check, account.

    >>> from consolidate import load_region, load_scenario, solve
    >>> plan = solve(load_region("tianjin"), load_scenario("baseline"))
    >>> plan.summary["proven_optimal"], plan.summary["status"]
    (True, 'optimal')

Steps: the problem's arrays (`problem.py`) → a check that no district is over its cap beyond
repair (`diagnose.py`) → independent components (no allowed pair, cap or fairness row links them)
→ for each: presolve (a component with no district over its cap is solved by keeping every zone:
every cost is ≥ 0, so that plan's cost 0 is optimal), else the MIP (`model.py`) through a back end
(`backends.py`), with separator cuts added until every group is connected when contiguity is
`connected` → the plan, checked by `checks.py`, accounted by `allocation.py`.

Speed (measured in scripts/bench/README.md): HiGHS is driven straight from the matrices (highspy)
unless the scenario names a back end; the cut loop keeps HiGHS's LP warm between rounds
(`backends.HighsRounds`) and gives a host whose group keeps coming out disconnected the flow
constraints; with solver.processes > 1 components are solved in batches by worker processes that
receive the problem once.
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .backends import INFEASIBLE, NO_SOLUTION, OPTIMAL, HighsRounds, Solution, solve_model
from .errors import SolverStopped
from .graph import zone_graph
from .model import build_model
from .problem import Problem, build_problem
from .region import Region
from .scenario import Scenario, Solver, resolve_scenario

MAX_CUT_ROUNDS = 200
FLOW_AFTER_ROUNDS = 2  # a host whose group came out disconnected this often gets the flow constraints


@dataclass
class ComponentResult:
    zones: np.ndarray
    status: str
    objective: float
    best_bound: float | None
    gap: float | None
    seconds_build: float = 0.0
    seconds_solve: float = 0.0
    rounds: int = 0
    cuts: int = 0
    flow_hosts: int = 0          # hosts that got the flow constraints in the cut loop
    presolved: bool = False
    chosen_pairs: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    revoked: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    solver_version: str = ""


def solve(region: Region, scenario: Scenario, graph: nx.Graph | None = None, progress=None, probe: bool = True):
    """The optimal plan for `scenario` on `region` (a `Plan`); raises InfeasibleError or SolverStopped.

    `progress(done, total)` is called as the components that need the MIP are solved.
    When the solver proves a component infeasible, `probe` re-solves with one rule relaxed at a time to
    say which relaxations would give a plan (small regions only)."""
    from . import diagnose
    from .plan import assemble_plan

    started = time.perf_counter()
    scenario, graph, scores, grades, problem = prepare(region, scenario, graph)
    diagnose.precheck(problem, region, scenario)
    components = decompose(problem)
    build_seconds = time.perf_counter() - started

    results = solve_components(problem, components, scenario.solver, progress)
    infeasible = [r for r in results if r.status == INFEASIBLE]
    if infeasible:
        diagnose.diagnose(problem, region, scenario, infeasible, probe=probe)
    stopped = [r for r in results if r.status == NO_SOLUTION]
    if stopped:
        zones = sum(len(r.zones) for r in stopped)
        raise SolverStopped(f"no verified plan for {len(stopped)} component(s) ({zones} zones): the solver stopped at "
                            f"its time limit ({scenario.solver.time_limit_s:g} s per solve) without a feasible plan, "
                            f"or the connectivity cut loop did not converge in {MAX_CUT_ROUNDS} rounds — raise "
                            f"solver.time_limit_s, use merging.connected_method=flow, or loosen the rules "
                            f"(e.g. contiguity: nearby instead of connected)")
    return assemble_plan(region, scenario, graph, problem, results, scores, grades,
                         seconds={"build": build_seconds, "total": time.perf_counter() - started})


def prepare(region: Region, scenario: Scenario, graph: nx.Graph | None = None):
    """The scenario with the region's rules and the back end resolved, the zone graph, evaluation scores and
    grades, and the problem's arrays: (scenario, graph, scores, grades, problem)."""
    scenario = automatic_backend(resolve_scenario(scenario, region).scenario, len(region.zones))
    graph = graph if graph is not None else zone_graph(region)
    scores, grades = evaluation_scores(region, scenario)
    return scenario, graph, scores, grades, build_problem(region, scenario, graph, scores, grades)


PULP_UP_TO_ZONES = 1000  # `auto` builds through PuLP up to this many zones (not for connected groups)


def automatic_backend(scenario: Scenario, n_zones: int) -> Scenario:
    """Resolve `solver.backend: auto`: the PuLP model for cities (the reference path; HiGHS through PuLP's
    interface, `prob.sol_status` read), HiGHS straight from the matrices (highspy) for larger regions and
    for connected groups, whose cut loop keeps one warm LP only in highspy. CBC always goes through PuLP.

    scripts/bench/README.md measured highspy as fast as PuLP → HiGHS or faster at every size (PuLP makes
    a Python object per variable and constraint); at city size both take well under a second."""
    solver = scenario.solver
    if solver.backend != "auto":
        return scenario
    direct = solver.name == "highs" and (n_zones > PULP_UP_TO_ZONES or scenario.merging.contiguity == "connected")
    return scenario.model_copy(update={"solver": solver.model_copy(update={"backend": "highspy" if direct else "pulp"})})


def evaluation_scores(region: Region, scenario: Scenario) -> tuple[pd.Series | None, pd.Series | None]:
    """Comprehensive-evaluation scores and grades, when the region has indicator data to score."""
    try:
        from .evaluation import evaluate
    except ImportError:
        return None, None
    indicators = ["built_area_ha", "investment", "rnd_intensity", "high_tech_share", "energy_per_output",
                  "env_compliance", "debt_ratio"]
    if not any(col in region.zones and region.zones[col].notna().any() for col in indicators):
        return None, None
    table = evaluate(region.zones, scenario.evaluation)
    return table["score"], table["grade"]


def decompose(problem: Problem) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent components as (zones, pairs), largest first, ties by smallest zone index."""
    n = problem.n_zones
    a = [problem.pair_member]
    b = [problem.pair_host]
    for district in problem.caps:  # zones counted against one cap are tied together
        members = np.flatnonzero(problem.count_district == district)
        if len(members) > 1:
            a.append(members[:-1])
            b.append(members[1:])
    for row in problem.fairness:  # so are zones in one fairness row
        members = np.union1d(np.flatnonzero(row["host"]), problem.pair_member[np.flatnonzero(row["pair"])])
        if len(members) > 1:
            a.append(members[:-1])
            b.append(members[1:])
    a, b = np.concatenate(a), np.concatenate(b)
    links = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    count, label = connected_components(links, directed=False)
    pair_label = label[problem.pair_member]
    order = np.argsort(label, kind="stable")
    starts = np.searchsorted(label[order], np.arange(count))
    zone_groups = np.split(order, starts[1:])
    pair_order = np.argsort(pair_label, kind="stable")
    pair_starts = np.searchsorted(pair_label[pair_order], np.arange(count))
    pair_groups = np.split(pair_order, pair_starts[1:])
    comps = list(zip(zone_groups, pair_groups))
    comps.sort(key=lambda c: (-len(c[0]), int(c[0].min())))
    return comps


def solve_components(problem: Problem, components, settings: Solver, progress=None) -> list[ComponentResult]:
    hard = [k for k, (zones, pairs) in enumerate(components) if not _presolvable(problem, zones)]
    results: list[ComponentResult | None] = [None] * len(components)
    hard_set = set(hard)
    for k, (zones, _) in enumerate(components):
        if k not in hard_set:
            results[k] = _keep_everything(problem, zones)
    if settings.processes > 1 and len(hard) > 1:
        # the problem goes to each worker once; components go in batches of about equal size
        batches = _batches(hard, [len(components[k][1]) + len(components[k][0]) for k in hard], settings.processes)
        with ProcessPoolExecutor(max_workers=settings.processes, initializer=_set_worker_problem,
                                 initargs=(problem,)) as pool:
            futures = [pool.submit(_solve_batch, [components[k] for k in batch], settings) for batch in batches]
            for batch, future in zip(batches, futures):
                for k, result in zip(batch, future.result()):
                    results[k] = result
                done = sum(r is not None for r in results) - (len(components) - len(hard))
                if progress:
                    progress(done, len(hard))
    else:
        for done, k in enumerate(hard, start=1):
            results[k] = solve_component(problem, *components[k], settings)
            if progress:
                progress(done, len(hard))
    return results  # type: ignore[return-value]


_WORKER_PROBLEM: Problem | None = None


def _set_worker_problem(problem: Problem) -> None:
    global _WORKER_PROBLEM
    _WORKER_PROBLEM = problem


def _solve_batch(batch, settings: Solver) -> list[ComponentResult]:
    return [solve_component(_WORKER_PROBLEM, zones, pairs, settings) for zones, pairs in batch]


def _batches(order: list[int], sizes: list[int], processes: int) -> list[list[int]]:
    """Consecutive runs of `order` (largest components first) of about total/(4·processes) size each, so a
    few large components are batches of their own and the many small ones share the cost of a task."""
    target = max(1.0, sum(sizes) / (4 * processes))
    batches: list[list[int]] = [[]]
    load = 0
    for k, size in zip(order, sizes):
        if batches[-1] and load + size > target:
            batches.append([])
            load = 0
        batches[-1].append(k)
        load += size
    return batches


def _presolvable(problem: Problem, zones: np.ndarray) -> bool:
    """Keeping every zone is optimal (cost 0, all costs ≥ 0) and feasible: nothing forces a change."""
    if problem.cost_host[zones].any() or problem.must_revoke[zones].any():
        return False
    assigned = problem.assigned[zones]
    if ((assigned >= 0) & (assigned != zones)).any():  # a zone pinned to join a host
        return False
    counted = problem.count_district[zones]
    for district in set(counted) & set(problem.caps):
        if (counted == district).sum() > problem.caps[district]:
            return False
    return True


def _keep_everything(problem: Problem, zones: np.ndarray) -> ComponentResult:
    return ComponentResult(zones=zones, status=OPTIMAL, objective=0.0, best_bound=0.0, gap=0.0, presolved=True)


def solve_component(problem: Problem, zones: np.ndarray, pairs: np.ndarray, settings: Solver) -> ComponentResult:
    """Solve one component exactly; with `connected` contiguity by cuts, repeat until every group is connected.

    A host whose group comes out disconnected in FLOW_AFTER_ROUNDS rounds also gets the flow constraints
    (its group is then connected in every solution): otherwise a far cluster of candidates may try one
    bridge after another, a round each. Both are exact, so the optimum is the same."""
    model = build_model(problem, zones, pairs)
    use_cuts = problem.contiguity == "connected" and problem.connected_method == "cuts"
    total = ComponentResult(zones=zones, status=NO_SOLUTION, objective=float("nan"), best_bound=None, gap=None)
    # HiGHS straight from the matrices: keep the LP between rounds (exact, see HighsRounds)
    warm = use_cuts and settings.name == "highs" and settings.backend == "highspy" and settings.mip_gap == 0
    rounds = HighsRounds(model, settings) if warm else None
    disconnected: dict[int, int] = {}  # host -> rounds in which its group was disconnected
    for round_ in range(1, MAX_CUT_ROUNDS + 1):
        solution = rounds.solve() if rounds is not None else solve_model(model, settings)
        total.seconds_build += solution.seconds_build
        total.seconds_solve += solution.seconds_solve
        total.rounds = round_
        if solution.values is None or not use_cuts:
            break
        cuts = find_separator_cuts(problem, model, solution)
        if not cuts:
            break
        total.cuts += model.add_separator_cuts(cuts, problem)
        for j in sorted({j for _, j, _ in cuts}):
            disconnected[j] = disconnected.get(j, 0) + 1
        again = {j for j, times in disconnected.items() if times == FLOW_AFTER_ROUNDS}
        if again:
            total.flow_hosts += model.add_flow(problem, again)
            for j in again:
                disconnected[j] += 1  # once only
    _read_solution(total, model, solution)
    if use_cuts and solution.values is not None and find_separator_cuts(problem, model, solution):
        total.status = NO_SOLUTION  # the cut loop did not converge: no verified connected plan
    return total


def _read_solution(result: ComponentResult, model, solution: Solution) -> None:
    result.status = solution.status
    result.objective = solution.objective if solution.objective is not None else float("nan")
    result.best_bound = solution.best_bound
    result.gap = solution.gap
    result.solver_version = solution.solver_version
    if solution.values is not None:
        joined = [p for p, col in model.join_col.items() if solution.values[col] > 0.5]
        revoked = [z for z, col in model.revoke_col.items() if solution.values[col] > 0.5]
        result.chosen_pairs = np.array(sorted(joined), np.int64)
        result.revoked = np.array(sorted(revoked), np.int64)


def find_separator_cuts(problem: Problem, model, solution: Solution) -> list[tuple[int, int, list[int]]]:
    """For every member not connected to its host inside its group: (member, host, minimal separator).

    The separator is the set of candidates of the host that border the member's piece of the group and
    can still reach the host without crossing that piece (Fischetti et al.'s minimal a-b separators).
    """
    graph = problem.graph
    ids = problem.zone_ids
    index = {ids[v]: int(v) for v in model.zones}  # this component's zones: every group member and candidate
    pairs = np.asarray(model.pairs, np.int64)
    member, host = problem.pair_member[pairs], problem.pair_host[pairs]
    chosen = solution.values[np.array([model.join_col[int(p)] for p in pairs], np.int64)] > 0.5 \
        if len(pairs) else np.zeros(0, bool)
    groups: dict[int, list[int]] = {}
    for i, j in zip(member[chosen].tolist(), host[chosen].tolist()):
        groups.setdefault(j, []).append(i)
    cuts = []
    for j, members in sorted(groups.items()):
        group = set(members) | {j}
        sub = graph.subgraph(ids[v] for v in group)
        if nx.is_connected(sub):
            continue
        for piece in nx.connected_components(sub):
            piece_idx = {index[z] for z in piece}
            if j in piece_idx:
                continue
            allowed = set(member[host == j].tolist()) | {j}
            reach_graph = graph.subgraph(ids[v] for v in allowed - piece_idx)
            reachable = {index[z] for z in nx.node_connected_component(reach_graph, ids[j])}
            border = {index[z] for z in nx.node_boundary(graph, piece) if z in index}
            separator = sorted((border & reachable) - {j})
            cuts.extend((i, j, separator) for i in sorted(piece_idx))
    return cuts


