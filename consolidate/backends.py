"""Hand a `MatrixModel` to a solver and read back the solver's own verdict.

Two back ends over the same model definition:
- `pulp`: builds a PuLP LpProblem (HiGHS through PuLP's highspy interface, or CBC), reads
  `prob.sol_status`; the default, and the only way to reach CBC;
- `highspy`: passes the sparse matrices straight to HiGHS — no per-variable Python objects,
  which matters only for the largest models.

Each is a `Backend` (`solve(model, settings) -> Solution`); a `Solution` is the one result type:
the solver's status, the column values, objective, best bound, gap, seconds, solver and version, and
its `verdict` (statistics.Verdict). Never "optimal" unless the solver proved it: `proven_optimal` is
true only when the solver reports an optimal solution and the remaining gap is zero (within its
tolerance). The cut loop's warm HiGHS rounds are in `engine.py`.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .model import MatrixModel
from .scenario import Solver
from .statistics import FEASIBLE, INFEASIBLE, NO_SOLUTION, OPTIMAL, Verdict

if TYPE_CHECKING:
    from .problem import Problem


@dataclass
class Solution:
    """What every back end returns: the solver's own status, the solution, objective, bound, gap and seconds."""

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

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.status, None if self.status == OPTIMAL else self.gap, self.best_bound)


_STDOUT_SWAP = threading.Lock()


@contextlib.contextmanager
def quiet_stdout():
    """Silence C-level stdout (HiGHS prints a banner whenever a solver object is made)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # e.g. under a test runner's capture
        yield
        return
    with _STDOUT_SWAP:  # threads solving components side by side: one swap at a time, or stdout stays silenced
        sys.stdout.flush()
        saved = os.dup(fd)
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
                os.close(saved)


class Backend(Protocol):
    """One interface per back end: a `MatrixModel` in, a `Solution` out."""

    name: str

    def solve(self, model: MatrixModel, settings: Solver) -> Solution: ...


class PulpBackend:
    """PuLP's LpProblem → HiGHS (PuLP's highspy interface) or CBC; reads `prob.sol_status`."""

    name = "pulp"

    def solve(self, model: MatrixModel, settings: Solver) -> Solution:
        return _solve_pulp(model, settings)


class HighspyBackend:
    """The sparse matrices straight into HiGHS: no Python object per variable."""

    name = "highspy"

    def solve(self, model: MatrixModel, settings: Solver) -> Solution:
        return _solve_highspy(model, settings)


def backend_for(settings: Solver) -> Backend:
    """highspy when asked for with HiGHS; PuLP otherwise (the only way to CBC)."""
    return HighspyBackend() if settings.backend == "highspy" and settings.name == "highs" else PulpBackend()


def solve_model(model: MatrixModel, settings: Solver) -> Solution:
    return backend_for(settings).solve(model, settings)


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
                            threads=settings.threads, random_seed=0, **MIP_OPTIONS)
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

# HiGHS's MIP options other than its defaults, on every MIP solve (so a warm re-solve that hands a tie to the MIP
# gets the fresh solve's answer). Presolve's probing is off: our components' root LPs are mostly integral, and
# probing was ~40 % of such a MIP's time (3,455 columns: 105 → 61 ms) without finding anything the root LP did not.
# An option may change which of several tied optima is returned, never the objective; this one left every bundled
# plan, the 48 sweep variants on tianjin-314 and the 25k and 100k national plans byte-identical. (The feasibility
# jump heuristic costs another ~20 %, but switching it off returned other near-tied plans at 25k.)
MIP_OPTIONS = {"presolve_rule_off": 1 << 15}   # bit 15: probing


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
    if integer:
        for option, value in MIP_OPTIONS.items():
            h.setOptionValue(option, value)
    # the arrays passed as they are (a HighsLp's fields convert each number: ~2 ms on a few thousand columns); an
    # LP relaxation has every column continuous
    kind = np.where(model.integer & integer, int(highspy.HighsVarType.kInteger), int(highspy.HighsVarType.kContinuous))
    h.passModel(model.n_cols, A.shape[0], len(A.data), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMinimize), 0.0, model.c.astype(float), model.col_lo.astype(float),
                model.col_hi.astype(float), _finite_or_inf(lo), _finite_or_inf(hi), A.indptr.astype(np.int32),
                A.indices.astype(np.int32), A.data.astype(float), kind.astype(np.int32))
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


# --- the LP relaxation of a model and the test that its integral optimum is the only one (proof: warm.py) ---

UNIQUE_BELOW = 0.5      # the largest move of the integer columns within the optimal face that proves x* unique
GAP_MARGIN = 2.0        # "within the gap tolerance": twice HiGHS's mip_abs_gap (1e-6), so a near-tie goes the fresh way
INTEGRAL = 1e-6
PRIMAL_SIMPLEX = 4      # HiGHS's simplex_strategy value for the primal simplex


def _warm_applies(problem: Problem, settings: Solver) -> bool:
    """Only a fresh solve of the one-phase model that must prove optimality with HiGHS is reproduced warm
    (`rules.cap_mode: in_principle` solves two phases: the fresh way)."""
    return (settings.name == "highs" and settings.backend == "highspy" and settings.mip_gap == 0
            and problem.cap_mode == "strict")


class _WarmLP:
    """One HiGHS LP relaxation of a component's model, kept between variants, with a spare objective row
    (c·x ≤ bound, free while solving) for the uniqueness test."""

    def __init__(self, model: MatrixModel, settings: Solver):
        import highspy

        self.model = model
        self.highs = _highs(model, settings, integer=False)
        self.highs.setOptionValue("presolve", "off")  # faster on these LPs; any LP path is exact, only a unique optimum counts
        nz = np.flatnonzero(model.c)
        self.highs.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(nz), nz.astype(np.int32), model.c[nz].astype(float))
        self.objective_row = self.highs.getNumRow() - 1
        self.all_cols = np.arange(model.n_cols, dtype=np.int32)
        _, abs_gap = self.highs.getOptionValue("mip_abs_gap")  # (status, value) in highspy 1.16
        self.slack = GAP_MARGIN * float(abs_gap)

    def update(self, model: MatrixModel) -> None:
        """Set the new variant's costs, column bounds and row bounds where they differ from the model solved
        last (the matrix is the same; each change costs HiGHS time, even to the same values)."""
        import highspy

        h, n, before = self.highs, model.n_cols, self.model
        self.model = model
        cols = np.flatnonzero((model.col_lo != before.col_lo) | (model.col_hi != before.col_hi)).astype(np.int32)
        if len(cols):
            h.changeColsBounds(len(cols), cols, model.col_lo[cols].astype(float), model.col_hi[cols].astype(float))
        (_, lo, hi), (_, lo_before, hi_before) = model.matrix(), before.matrix()
        rows = np.flatnonzero((lo != lo_before) | (hi != hi_before)).astype(np.int32)
        if len(rows):
            h.changeRowsBounds(len(rows), rows, _finite_or_inf(lo[rows]), _finite_or_inf(hi[rows]))
        if np.array_equal(model.c, before.c):
            return
        h.changeColsCost(n, self.all_cols, model.c.astype(float))
        # the objective row carries the costs: rebuild it for the new ones
        h.deleteRows(1, np.array([self.objective_row], np.int32))
        nz = np.flatnonzero(model.c)
        h.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(nz), nz.astype(np.int32), model.c[nz].astype(float))

    def unique_integral_optimum(self):
        """The LP optimum when it is integral and provably the only optimum (see the module docstring), as a
        backends.Solution; None otherwise."""
        import highspy

        from .backends import Solution

        h, model = self.highs, self.model
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.array(h.getSolution().col_value)
        rounded = _round_integers(x, model)
        integer = model.integer
        if np.abs(x - rounded)[integer].max(initial=0.0) > INTEGRAL:
            return None
        z = float(model.c @ rounded)
        # max Σ_{x*=0} x + Σ_{x*=1} (1 − x) over the optimal face ⇔ min Σ_{x*=0} −x + Σ_{x*=1} x (+ constant)
        at_one = integer & (rounded > 0.5)
        at_zero = integer & ~at_one
        face = np.where(at_one, 1.0, np.where(at_zero, -1.0, 0.0))
        n = model.n_cols
        h.changeColsCost(n, self.all_cols, face)
        h.changeRowBounds(self.objective_row, -highspy.kHighsInf, z + self.slack + 1e-9 * abs(z))
        _, strategy = h.getOptionValue("simplex_strategy")
        # x*'s basis is primal feasible for this LP: the primal simplex stays on the face (on tianjin-314's
        # 48-variant sweep 4.6× fewer iterations than the dual's, and the next variant starts nearer x*)
        h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        try:
            h.run()
            status = h.getModelStatus()
            moved = None
            if status == highspy.HighsModelStatus.kOptimal:
                y = np.array(h.getSolution().col_value)
                moved = float(np.sum(y[at_zero]) + np.sum(1.0 - y[at_one]))
        finally:
            h.setOptionValue("simplex_strategy", strategy)
            h.changeColsCost(n, self.all_cols, model.c.astype(float))
            h.changeRowBounds(self.objective_row, -highspy.kHighsInf, highspy.kHighsInf)
        if moved is None or moved >= UNIQUE_BELOW:
            return None
        return Solution(OPTIMAL, rounded, z, z, 0.0, "highs", _highs_version(), 0.0, 0.0)
