"""Hand a `MatrixModel` to a solver and read back the solver's own verdict.

Two back ends over the same model definition:
- `pulp`: builds a PuLP LpProblem (HiGHS through PuLP's highspy interface, or CBC), reads
  `prob.sol_status`; the default, and the only way to reach CBC;
- `highspy`: passes the sparse matrices straight to HiGHS — no per-variable Python objects,
  which matters only for the largest models.

Never "optimal" unless the solver proved it: `proven_optimal` is true only when the solver
reports an optimal solution and the remaining gap is zero (within its tolerance).
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .model import MatrixModel
from .scenario import Solver

OPTIMAL, FEASIBLE, INFEASIBLE, NO_SOLUTION = "optimal", "feasible", "infeasible", "no_solution"


@dataclass
class Solution:
    status: str                  # optimal | feasible (a plan, not proven: time limit or allowed gap) | infeasible | no_solution
    values: np.ndarray | None    # column values (rounded for integer columns), None without a solution
    objective: float | None
    best_bound: float | None
    gap: float | None            # relative gap (objective − bound) / max(|objective|, 1e-9); None when unknown
    solver: str
    solver_version: str
    seconds_build: float
    seconds_solve: float

    @property
    def proven_optimal(self) -> bool:
        return self.status == OPTIMAL


@contextlib.contextmanager
def quiet_stdout():
    """Silence C-level stdout (HiGHS prints a banner whenever a solver object is made)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # e.g. under a test runner's capture
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def solve_model(model: MatrixModel, settings: Solver) -> Solution:
    if settings.backend == "highspy" and settings.name == "highs":
        return _solve_highspy(model, settings)
    return _solve_pulp(model, settings)


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _round_integers(values: np.ndarray, model: MatrixModel) -> np.ndarray:
    out = np.asarray(values, float).copy()
    out[model.integer] = np.round(out[model.integer]) + 0.0  # + 0.0: no negative zeros
    return out


# --- PuLP -------------------------------------------------------------------------------------------


def pulp_problem(model: MatrixModel, name: str = "consolidation", names: list[str] | None = None):
    """`model` as a PuLP problem (the modelling layer users can take to any solver): (problem, variables).
    Columns are named `names` (default v0, v1, … in column order)."""
    import pulp

    prob = pulp.LpProblem(name, pulp.LpMinimize)
    names = names or [f"v{k}" for k in range(model.n_cols)]
    # LpInteger with explicit bounds, not LpBinary: PuLP resets a binary's bounds to [0, 1], which would
    # drop a fixed lower bound (a zone pinned as host or as revoked)
    variables = [prob.add_variable(names[k], lowBound=float(model.col_lo[k]), upBound=float(model.col_hi[k]),
                                   cat=pulp.LpInteger if model.integer[k] else pulp.LpContinuous)
                 for k in range(model.n_cols)]
    prob += pulp.LpAffineExpression([(variables[k], float(model.c[k])) for k in np.flatnonzero(model.c)])
    A, lo, hi = model.matrix()
    for r in range(A.shape[0]):
        start, end = A.indptr[r], A.indptr[r + 1]
        expr = pulp.LpAffineExpression([(variables[k], float(v)) for k, v in zip(A.indices[start:end], A.data[start:end])])
        if lo[r] == hi[r]:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{r}", float(hi[r]))
        else:
            if np.isfinite(hi[r]):
                prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{r}", float(hi[r]))
            if np.isfinite(lo[r]):
                prob += pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{r}g", float(lo[r]))
    return prob, variables


def _solve_pulp(model: MatrixModel, settings: Solver) -> Solution:
    import pulp

    started = time.perf_counter()
    prob, variables = pulp_problem(model)
    if settings.name == "highs":
        solver = pulp.HiGHS(msg=False, timeLimit=settings.time_limit_s, gapRel=settings.mip_gap,
                            threads=settings.threads, random_seed=0)
    else:
        with warnings.catch_warnings():  # PuLP 3.3 (pinned) warns that 4.0 moves CBC to an extra
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=settings.time_limit_s, gapRel=settings.mip_gap,
                                       threads=settings.threads, options=["randomSeed 1", "randomCbcSeed 1"])
    build = time.perf_counter() - started
    started = time.perf_counter()
    with quiet_stdout():
        prob.solve(solver)
    seconds = time.perf_counter() - started

    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    values = _round_integers([v.varValue or 0.0 for v in variables], model) if has_solution else None
    objective = float(model.c @ values) if has_solution else None
    bound = None
    if settings.name == "highs":
        version = _highs_version()
        info = prob.solverModel.getInfo()
        bound = float(info.mip_dual_bound) if has_solution else None
    else:
        version = "CBC (PuLP bundled)"
    if prob.sol_status == pulp.LpSolutionOptimal:
        status = OPTIMAL
        if settings.name == "cbc":
            # CBC through PuLP reports no bound: "optimal" is a proof only when no gap was allowed
            bound = objective if settings.mip_gap == 0 else None
            status = OPTIMAL if settings.mip_gap == 0 else FEASIBLE
        gap = _gap(objective, bound)
        if settings.mip_gap > 0 and (gap is None or gap > 1e-9):
            status = FEASIBLE  # stopped at the requested gap: a good plan, not a proven optimum
    elif prob.sol_status == pulp.LpSolutionIntegerFeasible:
        status = FEASIBLE
    elif prob.sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        status = INFEASIBLE  # CBC's "integer infeasible" sets only the problem status
    else:
        status = NO_SOLUTION
    return Solution(status, values, objective, bound if has_solution else None,
                    _gap(objective, bound) if status != OPTIMAL else 0.0, settings.name, version, build, seconds)


@functools.lru_cache(maxsize=1)
def _highs_version() -> str:  # read once: the package metadata is parsed on every call (≈10 ms)
    import importlib.metadata

    return f"HiGHS {importlib.metadata.version('highspy')}"


# --- highspy directly --------------------------------------------------------------------------------


def _highs(model: MatrixModel, settings: Solver, integer: bool = True):
    """A HiGHS instance holding `model` (its LP relaxation when `integer` is false), options set."""
    import highspy

    A, lo, hi = model.matrix()
    A = A.tocsc()
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(settings.mip_gap))
    h.setOptionValue("threads", int(settings.threads))
    h.setOptionValue("random_seed", 0)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = model.n_cols, A.shape[0]
    lp.col_cost_ = model.c.astype(float)
    lp.col_lower_, lp.col_upper_ = model.col_lo.astype(float), model.col_hi.astype(float)
    lp.row_lower_ = _finite_or_inf(lo)
    lp.row_upper_ = _finite_or_inf(hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if integer:
        kinds = np.array([highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger], dtype=object)
        lp.integrality_ = kinds[model.integer.astype(int)].tolist()
    h.passModel(lp)
    return h


def _finite_or_inf(bound: np.ndarray) -> np.ndarray:
    import highspy

    bound = np.asarray(bound, float)
    return np.where(np.isfinite(bound), bound, np.where(bound > 0, highspy.kHighsInf, -highspy.kHighsInf))


def _solve_highspy(model: MatrixModel, settings: Solver) -> Solution:
    import highspy

    started = time.perf_counter()
    h = _highs(model, settings)
    build = time.perf_counter() - started
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = _round_integers(np.array(h.getSolution().col_value), model) if has_solution else None
    objective = float(model.c @ values) if has_solution else None
    bound = float(info.mip_dual_bound) if has_solution else None
    if status == S.kOptimal and has_solution:
        gap = _gap(objective, bound)
        verdict = OPTIMAL if settings.mip_gap == 0 or (gap is not None and gap <= 1e-9) else FEASIBLE
    elif status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        verdict = INFEASIBLE
    elif has_solution:
        verdict = FEASIBLE
    else:
        verdict = NO_SOLUTION
    return Solution(verdict, values, objective, bound, 0.0 if verdict == OPTIMAL else _gap(objective, bound),
                    "highs", _highs_version(), build, seconds)


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
    A = A.tocsc()
    free = np.flatnonzero(~fixed)
    constant = A[:, fixed] @ at[fixed]
    sub = A[:, free].tocsr()
    touched = np.diff(sub.indptr) > 0
    tol = 1e-6
    if np.any(constant[~touched] < lo[~touched] - tol) or np.any(constant[~touched] > hi[~touched] + tol):
        return Solution(INFEASIBLE, None, None, None, None, "highs", _highs_version(), 0.0, 0.0)
    small = MatrixModel(zones=np.empty(0, np.int64), pairs=np.empty(0, np.int64), revocable=np.empty(0, np.int64),
                        c=model.c[free], col_lo=model.col_lo[free], col_hi=model.col_hi[free],
                        integer=model.integer[free])
    small.rows, small.row_lo, small.row_hi = [sub[touched]], [lo[touched] - constant[touched]], \
        [hi[touched] - constant[touched]]
    result = _solve_highspy(small, settings)
    if result.values is not None:
        values = at.astype(float).copy()
        values[free] = result.values
        result.values = values
        result.objective = float(model.c @ values)
        result.best_bound = None
    return result
