"""The exact engine under `solve`: independent components, each solved exactly, side by side.

    >>> components = decompose(problem)                       # (zones, pairs), largest first
    >>> results = solve_components(problem, components, scenario.solver, progress)

- `decompose`: components no allowed pair, cap or fairness row links — solved apart, the same optimum;
- presolve: a component with no district over its cap keeps every zone (every cost is ≥ 0, so that
  plan's cost 0 is optimal);
- `solve_component`: the MIP (`model.py`) through a back end (`backends.py`); with `connected`
  contiguity, separator cuts (`find_separator_cuts`) until every group is connected, the rounds on one
  warm HiGHS LP (`HighsRounds`), and the flow constraints for a host whose group keeps coming out
  disconnected;
- `solver.processes: auto` (see `threads_for`): large regions' components solved side by side in threads
  of this process (HiGHS runs outside Python's lock); a number N > 1: this process solves the largest
  components while N − 1 forked workers, which inherit the problem, take the others in batches from the
  other end; `worker_pool` starts the processes of sweeps and campaigns too.
"""
from __future__ import annotations

import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .backends import (FEASIBLE, INFEASIBLE, NO_SOLUTION, OPTIMAL, Solution, _finite_or_inf, _highs, _highs_version,
                       _round_integers, _solve_highspy, _warm_applies, _WarmLP, solve_model)
from .model import MatrixModel, build_model
from .problem import Problem, among
from .scenario import AUTO_MAX_CORES, Solver, usable_cores

MAX_CUT_ROUNDS = 200
FLOW_AFTER_ROUNDS = 2  # a host whose group came out disconnected this often gets the flow constraints
# Up to this many columns a component first tries its LP relaxation (two LPs cost a fraction of HiGHS's MIP
# set-up on a small model; measured on the 25k extension: 458 components, 4.1 → 2.5 s); larger ones go
# straight to the MIP, whose optimum there is usually one of several ties that only the MIP may choose.
LP_FIRST_MAX_COLUMNS = 1000


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
    cap_excess: int = 0              # cap_mode in_principle: the least number of zones above the caps (phase 1)
    cap_excess_proven: bool = True


SPARSE_LABELS_FROM = 5_000  # zones: below this networkx's walk is quicker than loading SciPy's csgraph (~0.2 s)


def labels_networkx(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each of n nodes' component number, the (a, b) links walked by networkx (for small regions)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(a.tolist(), b.tolist()))
    label = np.empty(n, np.int64)
    for k, nodes in enumerate(nx.connected_components(graph)):
        label[list(nodes)] = k
    return label


def labels_sparse(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each of n nodes' component number, by SciPy's csgraph (for large regions)."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    return connected_components(sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)[1]


def decompose(problem: Problem, component_labels=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent components as (zones, pairs), largest first, ties by smallest zone index. The result does
    not depend on how `component_labels(n, a, b)` numbers the components (default: by the region's size)."""
    n = problem.n_zones
    a = [problem.pair_member]
    b = [problem.pair_host]
    capped = np.flatnonzero(among(problem.count_district, problem.caps))
    if len(capped) > 1:  # zones counted against one cap are tied together: a chain through each district
        order = capped[np.argsort(problem.count_district[capped], kind="stable")]
        same = problem.count_district[order[:-1]] == problem.count_district[order[1:]]
        a.append(order[:-1][same])
        b.append(order[1:][same])
    for row in problem.fairness:  # so are zones in one fairness row
        members = np.union1d(np.flatnonzero(row["host"]), problem.pair_member[np.flatnonzero(row["pair"])])
        if len(members) > 1:
            a.append(members[:-1])
            b.append(members[1:])
    a, b = np.concatenate(a), np.concatenate(b)
    if component_labels is None:
        component_labels = labels_sparse if n >= SPARSE_LABELS_FROM else labels_networkx
    label = component_labels(n, a, b)
    count = int(label.max()) + 1 if n else 0
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


def decomposition_key(problem: Problem) -> str:
    """A digest of all that `decompose` reads: problems with equal keys have equal components (variants that
    change only caps' values and weights share them; `warm.WarmSolver` keeps them so)."""
    import hashlib

    capped = np.flatnonzero(among(problem.count_district, problem.caps))
    digest = hashlib.sha1(f"{problem.n_zones}|".encode())
    for array in (problem.pair_member, problem.pair_host, capped):
        digest.update(np.ascontiguousarray(array, np.int64).tobytes())
        digest.update(b"|")
    digest.update("\x1f".join(map(str, problem.count_district[capped])).encode())
    for row in problem.fairness:
        for part in ("host", "pair"):
            digest.update(b"|")
            digest.update(np.flatnonzero(row[part]).astype(np.int64).tobytes())
    return digest.hexdigest()


def solve_components(problem: Problem, components, settings: Solver, progress=None) -> list[ComponentResult]:
    hard = [k for k, (zones, pairs) in enumerate(components) if not _presolvable(problem, zones)]
    results: list[ComponentResult | None] = [None] * len(components)
    hard_set = set(hard)
    for k, (zones, _) in enumerate(components):
        if k not in hard_set:
            results[k] = _keep_everything(problem, zones)
    done = 0

    def solved(batch, batch_results) -> None:
        nonlocal done
        for k, result in zip(batch, batch_results):
            results[k] = result
        done += len(batch)
        if progress:
            progress(done, len(hard))

    sizes = [len(components[k][1]) + len(components[k][0]) for k in hard]
    if settings.processes == "auto":
        threads = threads_for(settings, sizes, THREADS_FROM)
        if threads > 1:
            _solve_in_threads(problem, components, hard, sizes, settings, threads, solved)
            return results  # type: ignore[return-value]
    elif settings.processes > 1 and len(hard) > 1:
        processes = min(settings.processes, len(hard))
        _solve_with_workers(problem, components, _batches(hard, sizes, processes), settings, processes - 1, solved)
        return results  # type: ignore[return-value]
    for k in hard:
        solved([k], [solve_component(problem, *components[k], settings)])
    return results  # type: ignore[return-value]


# `solver.processes: auto` solves components in threads only when those the MIP solves, beyond the largest one,
# come to this many zones + pairs: threads share HiGHS's time, not the Python around it (building each model,
# reading its solution), which is most of a small component's time. The 25,000-zone national extension: 105,000;
# the 100,000-zone one: 262,000; china-2018's 2,543 zones: 6,000; Tianjin-314: 28.
THREADS_FROM = 20_000


def threads_for(settings: Solver, sizes: list[int], threads_from: int) -> int:
    """How many threads solve components of these sizes (zones + pairs of each that needs the MIP) under
    `solver.processes: auto`: one unless the work beyond the largest reaches `threads_from` (THREADS_FROM), then
    up to AUTO_MAX_CORES of the usable cores. One in a worker process (a sweep's, a campaign's, Dask's: its
    siblings use the other cores), and with a back end other than highspy (PuLP holds Python's lock)."""
    if len(sizes) < 2 or multiprocessing.parent_process() is not None:
        return 1
    if settings.name != "highs" or settings.backend != "highspy":
        return 1
    if sum(sizes) - max(sizes) < threads_from:
        return 1
    return max(1, min(usable_cores(), AUTO_MAX_CORES))


def _solve_in_threads(problem: Problem, components, hard: list[int], sizes: list[int], settings: Solver,
                      threads: int, solved) -> None:
    """The components side by side in `threads` threads of this process, the largest first, each thread taking
    the next when it is done: no copy of the problem, no process to start, one process's memory. Each
    component's plan is the same in any thread (HiGHS single-threaded, its seed fixed)."""
    order = [k for _, k in sorted(zip(sizes, hard), key=lambda item: (-item[0], item[1]))]
    with ThreadPoolExecutor(threads, thread_name_prefix="component") as pool:
        futures = {pool.submit(solve_component, problem, *components[k], settings): k for k in order}
        try:
            for future in as_completed(futures):
                solved([futures[future]], [future.result()])
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # the components no thread has started
            raise


def _solve_with_workers(problem: Problem, components, batches: list[list[int]], settings: Solver, workers: int,
                        solved) -> None:
    """The batches (largest first) solved by this process and `workers` forked ones: this process takes the
    first batch (it needs no start), the workers the others in order; then this process takes back, from the
    end, the batches no worker has started, one at a time. Each component's plan is the same in any process."""
    with worker_pool(workers, initializer=_set_worker_problem, initargs=(problem,)) as pool:
        futures = [pool.submit(_solve_batch, [components[k] for k in batch], settings) for batch in batches[1:]]

        def here(batch):
            solved(batch, [solve_component(problem, *components[k], settings) for k in batch])

        try:
            here(batches[0])
            for batch, future in zip(reversed(batches[1:]), reversed(futures)):
                if not future.cancel():  # a worker has it; so it has every earlier one
                    break
                here(batch)
            for batch, future in zip(batches[1:], futures):
                if not future.cancelled():
                    solved(batch, future.result())
        except BaseException:
            pool.shutdown(cancel_futures=True)  # not the batches no worker has started
            raise


def worker_pool(workers: int, initializer=None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """The one way the toolkit starts worker processes (components here; variants in sweep, compare and
    campaign): fork where it is safe and cheap (Linux: workers inherit the imports, no `__main__` guard
    needed), spawn elsewhere."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(), initializer=initializer,
                               initargs=initargs)


def pool_context():
    """The multiprocessing context of `worker_pool`'s processes (for what they share with this one)."""
    return multiprocessing.get_context("fork" if pool_forks() else "spawn")


def pool_forks() -> bool:
    """Whether `worker_pool` forks (its workers then inherit what this process holds)."""
    return sys.platform == "linux"


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
    if problem.cap_mode == "in_principle" and _over_cap(problem, zones):
        return _solve_in_principle(problem, zones, pairs, settings)
    return solve_rounds(build_model(problem, zones, pairs), problem, zones, settings)


def _over_cap(problem: Problem, zones: np.ndarray) -> bool:
    counted = problem.count_district[zones]
    return any((counted == d).sum() > problem.caps[d] for d in set(counted) & set(problem.caps))


def _solve_in_principle(problem: Problem, zones: np.ndarray, pairs: np.ndarray, settings: Solver) -> ComponentResult:
    """`rules.cap_mode: in_principle`, lexicographically and exactly: phase 1 minimises the number of zones above
    the caps (one integer excess column per capped district); phase 2 minimises the usual objective with the
    total excess held at that minimum. With a minimum of 0 phase 2 is the strict model itself, so a region
    whose caps can be met gets the strict plan."""
    model = build_model(problem, zones, pairs, excess=True)
    cost = model.c.copy()
    columns = np.array(sorted(model.excess_col.values()), np.int64)
    model.c = np.zeros_like(cost)
    model.c[columns] = 1.0
    first = solve_rounds(model, problem, zones, settings)
    if first.status not in (OPTIMAL, FEASIBLE):
        return first
    minimum = int(round(first.objective))
    if minimum == 0:
        result = solve_rounds(build_model(problem, zones, pairs), problem, zones, settings)
    else:
        model.c = cost
        model.add_block("cap_excess", np.zeros(len(columns), np.int64), columns, np.ones(len(columns)),
                        np.array([-np.inf]), np.array([float(minimum)]))
        result = solve_rounds(model, problem, zones, settings)
    result.cap_excess = minimum
    result.cap_excess_proven = first.status == OPTIMAL
    if not result.cap_excess_proven and result.status == OPTIMAL:
        result.status = FEASIBLE  # the second phase is optimal for a minimum that was not proven
    result.seconds_build += first.seconds_build
    result.seconds_solve += first.seconds_solve
    return result


def solve_rounds(model, problem: Problem, zones: np.ndarray, settings: Solver) -> ComponentResult:
    """One model solved exactly; with `connected` contiguity cut and re-solved until every group is connected."""
    use_cuts = problem.contiguity == "connected" and problem.connected_method == "cuts"
    total = ComponentResult(zones=zones, status=NO_SOLUTION, objective=float("nan"), best_bound=None, gap=None)
    # HiGHS straight from the matrices: keep the LP between rounds (exact, see HighsRounds)
    warm = use_cuts and settings.name == "highs" and settings.backend == "highspy" and settings.mip_gap == 0
    rounds = HighsRounds(model, settings) if warm else None
    disconnected: dict[int, int] = {}  # host -> rounds in which its group was disconnected
    for round_ in range(1, MAX_CUT_ROUNDS + 1):
        solution = _unique_lp_optimum(model, problem, settings) if round_ == 1 and not use_cuts else None
        if solution is None:
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


def _unique_lp_optimum(model, problem: Problem, settings: Solver) -> Solution | None:
    """A small model's LP optimum when it is integral and provably the only optimum: then it is the plan any
    exact MIP solve returns (the proof is in `warm.py`); None otherwise, and the MIP decides."""
    if model.n_cols > LP_FIRST_MAX_COLUMNS or not _warm_applies(problem, settings):
        return None
    started = time.perf_counter()
    lp = _WarmLP(model, settings)
    solution = lp.unique_integral_optimum()
    if solution is not None:
        solution.seconds_solve = time.perf_counter() - started
    return solution


def _read_solution(result: ComponentResult, model, solution: Solution) -> None:
    result.status = solution.status
    result.objective = solution.objective if solution.objective is not None else float("nan")
    result.best_bound = solution.best_bound
    result.gap = solution.gap
    result.solver_version = solution.solver_version
    if solution.values is not None:
        result.chosen_pairs = _chosen(model.join_col, solution.values)
        result.revoked = _chosen(model.revoke_col, solution.values)


def _chosen(columns: dict[int, int], values: np.ndarray) -> np.ndarray:
    """The keys (sorted) of the columns {key: column} at 1 in `values`."""
    keys = np.fromiter(columns.keys(), np.int64, len(columns))
    cols = np.fromiter(columns.values(), np.int64, len(columns))
    return np.sort(keys[np.asarray(values)[cols] > 0.5])


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


# --- the cut loop's rounds on HiGHS: a warm LP relaxation, and a MIP over the columns that may move ----------


class HighsRounds:
    """Solves the rounds of a cut loop on one `MatrixModel` exactly, faster than a fresh MIP per round.

        >>> rounds = HighsRounds(model, settings)
        >>> solution = rounds.solve()            # an optimum of the model as it is now
        >>> model.add_separator_cuts(cuts, problem)
        >>> solution = rounds.solve()            # the new blocks reach HiGHS as added rows

    The LP relaxation stays loaded in HiGHS: after cuts arrive, dual simplex restarts from the last basis
    (milliseconds instead of a MIP from scratch). When the LP optimum is integral it is the MIP optimum.
    Otherwise reduced-cost fixing gives the MIP: for every x feasible for the LP,
    c·x ≥ z_LP + Σ_j |d_j|·|x_j − x*_j| (d the reduced costs), so a column whose |d_j| exceeds δ keeps its
    LP value in every solution that costs at most z_LP + δ. The MIP over the other columns (a small one)
    is exact when its optimum is within z_LP + δ; if not, δ is raised to that optimum minus z_LP and it
    is solved once more, which is then exact; if it is infeasible δ grows, and in the end nothing is fixed.
    """

    def __init__(self, model: MatrixModel, settings: Solver):
        self.model, self.settings = model, settings
        self.blocks, self.cols = len(model.rows), model.n_cols
        self.highs = _highs(model, settings, integer=False)
        self.last_gap = 0.0  # (MIP − LP) objective of the last fractional round: where δ starts next time

    def _add_new_blocks(self) -> None:
        """Columns and constraint blocks the model gained since the last round (cuts, flow) go to HiGHS."""
        model, new = self.model, slice(self.cols, self.model.n_cols)
        if model.n_cols > self.cols:
            self.highs.addCols(model.n_cols - self.cols, model.c[new].astype(float), model.col_lo[new].astype(float),
                               model.col_hi[new].astype(float), 0, np.zeros(model.n_cols - self.cols, np.int32),
                               np.empty(0, np.int32), np.empty(0))
            self.cols = model.n_cols
        for block, lo, hi in zip(self.model.rows[self.blocks:], self.model.row_lo[self.blocks:],
                                 self.model.row_hi[self.blocks:]):
            block = block.tocsr()
            self.highs.addRows(block.shape[0], _finite_or_inf(lo), _finite_or_inf(hi), block.nnz,
                               block.indptr.astype(np.int32), block.indices.astype(np.int32),
                               block.data.astype(float))
        self.blocks = len(self.model.rows)

    def solve(self) -> Solution:
        import highspy

        model, settings = self.model, self.settings
        started = time.perf_counter()
        self._add_new_blocks()
        h = self.highs
        h.run()
        S = highspy.HighsModelStatus
        status = h.getModelStatus()
        if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
            return Solution(INFEASIBLE, None, None, None, None, "highs", _highs_version(), 0.0,
                            time.perf_counter() - started)
        if status != S.kOptimal:  # e.g. the time limit: leave it to the MIP solver
            solution = _solve_highspy(model, settings)
            solution.seconds_solve += time.perf_counter() - started
            return solution
        x = np.array(h.getSolution().col_value)
        z = float(h.getInfo().objective_function_value)
        rounded = _round_integers(x, model)
        if np.abs(x - rounded)[model.integer].max(initial=0.0) <= 1e-6 and _satisfies(model, rounded):
            objective = float(model.c @ rounded)
            return Solution(OPTIMAL, rounded, objective, z, 0.0, "highs", _highs_version(), 0.0,
                            time.perf_counter() - started)
        solution = self._fix_and_solve(x, z, np.array(h.getSolution().col_dual))
        solution.seconds_solve = time.perf_counter() - started
        return solution

    def _fix_and_solve(self, x: np.ndarray, z: float, d: np.ndarray) -> Solution:
        model = self.model
        info = self.highs.getInfo()
        # the bound holds up to the LP's own dual infeasibilities; keep a margin for them
        margin = float(info.sum_dual_infeasibilities) + 1e-7 * max(1.0, abs(z))
        delta = max(2.0 * self.last_gap, 1e-6 * max(1.0, abs(z)))
        at_lo = x <= model.col_lo + 1e-9
        at_hi = x >= model.col_hi - 1e-9
        for _ in range(8):
            fixed = model.integer & (((d > delta + margin) & at_lo) | ((d < -delta - margin) & at_hi))
            if not fixed.any():
                break
            solution = _solve_fixed(model, self.settings, fixed, np.where(at_hi, model.col_hi, model.col_lo))
            if solution.status == OPTIMAL and solution.objective <= z + delta:
                self.last_gap = solution.objective - z
                solution.best_bound = solution.objective
                return solution
            if solution.status == OPTIMAL:
                delta = solution.objective - z + 1e-9 * max(1.0, abs(z))  # one more solve, then exact
            elif solution.status == INFEASIBLE:
                delta = 10 * delta + 1e-4 * max(1.0, abs(z))
            else:  # the time limit on the smaller MIP: the whole MIP will not do better
                break
        solution = _solve_highspy(model, self.settings)
        if solution.objective is not None:
            self.last_gap = max(solution.objective - z, 0.0)
        return solution


def _satisfies(model: MatrixModel, values: np.ndarray, tol: float = 1e-6) -> bool:
    A, lo, hi = model.matrix()
    activity = A @ values
    return bool(np.all(activity >= lo - tol) and np.all(activity <= hi + tol)
                and np.all(values >= model.col_lo - tol) and np.all(values <= model.col_hi + tol))


def _solve_fixed(model: MatrixModel, settings: Solver, fixed: np.ndarray, at: np.ndarray) -> Solution:
    """Solve `model` with the columns `fixed` held at `at`: only the free columns and the rows that touch
    them reach the solver. The solution is over all columns of `model`."""
    A, lo, hi = model.matrix()
    free = np.flatnonzero(~fixed)
    constant = A @ np.where(fixed, at, 0.0)
    sub = A.columns(~fixed)
    touched = sub.nonempty_rows()
    tol = 1e-6
    if np.any(constant[~touched] < lo[~touched] - tol) or np.any(constant[~touched] > hi[~touched] + tol):
        return Solution(INFEASIBLE, None, None, None, None, "highs", _highs_version(), 0.0, 0.0)
    small = MatrixModel(zones=np.empty(0, np.int64), pairs=np.empty(0, np.int64), revocable=np.empty(0, np.int64),
                        c=model.c[free], col_lo=model.col_lo[free], col_hi=model.col_hi[free],
                        integer=model.integer[free])
    small.rows, small.row_lo, small.row_hi = [sub.take_rows(touched)], [lo[touched] - constant[touched]], \
        [hi[touched] - constant[touched]]
    result = _solve_highspy(small, settings)
    if result.values is not None:
        values = at.astype(float).copy()
        values[free] = result.values
        result.values = values
        result.objective = float(model.c @ values)
        result.best_bound = None
    return result
