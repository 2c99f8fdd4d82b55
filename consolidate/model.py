"""The consolidation MIP, defined once as sparse matrices; `backends.py` hands it to a solver.

Variables (all binary) for the zones and allowed pairs of one component:
    host[i]      zone i survives (x[i,i] in the design's notation; it may receive members)
                 (pins: pins.hosts and pins.assign to itself fix host[i] = 1, pins.assign i → j fixes join[i,j] = 1,
                 pins.revoke fixes revoke[i] = 1 — column bounds)
    join[p]      pair p = (i, j): zone i joins host j (x[i,j])
    revoke[i]    zone i is revoked (r[i]); only for revocable zones
Constraints:
    assign       host[i] + Σ_j join[i,j] + revoke[i] = 1          every zone exactly once
    link         join[i,j] ≤ host[j]                               members join surviving hosts
    cap          Σ_{i counted in d} host[i] ≤ cap[d]               per capped district
    fairness     Σ coef·host + Σ coef·join ≥ bound                 per district and measure (linear rules)
    separator    join[i,j] ≤ Σ_{v∈S} join[v,j]                     connected groups (cuts, added in a loop)
    flow         single-commodity flow per host                    connected groups (alternative)
Objective: Σ cost_pair·join + Σ cost_revoke·revoke + Σ cost_host·host.

    >>> model = build_model(problem, zones, pairs)
    >>> model.add_separator_cuts(cuts)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .problem import Problem, among


@dataclass(frozen=True)
class SparseRows:
    """Constraint rows in compressed sparse row form (data, indices, indptr, shape: SciPy's csr_matrix layout,
    canonical: columns sorted in each row, duplicates summed). NumPy only: importing scipy.sparse takes
    ~0.2 s, more than building and solving a city's model. `tocsc()` is the column-wise copy HiGHS takes."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_entries(cls, rows, cols, vals, shape: tuple[int, int]) -> "SparseRows":
        """The matrix with vals[k] at (rows[k], cols[k]); entries at the same place are summed."""
        width = max(int(shape[1]), 1)
        key = np.asarray(rows, np.int64) * width + np.asarray(cols, np.int64)   # row-major position
        vals = np.asarray(vals, float)
        if len(key) > 1 and not (key[1:] > key[:-1]).all():      # blocks mostly come in order: then no sort
            order = np.argsort(key, kind="stable")
            key, vals = key[order], vals[order]
            starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
            if len(starts) < len(key):
                key, vals = key[starts], np.add.reduceat(vals, starts)
        return cls._of_sorted(key // width, key % width, vals, shape)

    @classmethod
    def _of_sorted(cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape) -> "SparseRows":
        indptr = np.zeros(shape[0] + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
        return cls(vals, cols.astype(np.int32), indptr.astype(np.int32), (int(shape[0]), int(shape[1])))

    @classmethod
    def stack(cls, blocks: list["SparseRows"], n_cols: int) -> "SparseRows":
        """The blocks one under the other."""
        if not blocks:
            return cls(np.empty(0), np.empty(0, np.int32), np.zeros(1, np.int32), (0, n_cols))
        offsets = np.cumsum([0] + [b.nnz for b in blocks[:-1]])
        indptr = np.concatenate([[0]] + [b.indptr[1:].astype(np.int64) + o for b, o in zip(blocks, offsets)])
        return cls(np.concatenate([b.data for b in blocks]), np.concatenate([b.indices for b in blocks]),
                   indptr.astype(np.int32), (sum(b.shape[0] for b in blocks), n_cols))

    @property
    def nnz(self) -> int:
        return len(self.data)

    def entry_rows(self) -> np.ndarray:
        """The row of each stored entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def widened(self, n_cols: int) -> "SparseRows":
        return SparseRows(self.data, self.indices, self.indptr, (self.shape[0], n_cols))

    def tocsr(self) -> "SparseRows":
        return self

    def tocsc(self) -> "SparseRows":
        """The same matrix column by column: `indptr` over columns, `indices` the rows (sorted in each)."""
        order = np.argsort(self.indices, kind="stable")
        indptr = np.zeros(self.shape[1] + 1, np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self.shape[1]), out=indptr[1:])
        return SparseRows(self.data[order], self.entry_rows()[order].astype(np.int32), indptr.astype(np.int32),
                          self.shape)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        # row by row in column order from 0.0, as SciPy's product adds: the same floats
        return np.bincount(self.entry_rows(), weights=self.data * np.asarray(x, float)[self.indices],
                           minlength=self.shape[0])

    def columns(self, keep: np.ndarray) -> "SparseRows":
        """The columns where `keep` (a mask) is true, renumbered in order; every row kept."""
        inside = keep[self.indices]
        new_col = np.cumsum(keep) - 1
        return SparseRows._of_sorted(self.entry_rows()[inside], new_col[self.indices[inside]], self.data[inside],
                                     (self.shape[0], int(keep.sum())))

    def nonempty_rows(self) -> np.ndarray:
        return np.diff(self.indptr) > 0

    def take_rows(self, keep: np.ndarray) -> "SparseRows":
        """The rows where `keep` (a mask) is true."""
        inside = keep[self.entry_rows()]
        new_row = np.cumsum(keep) - 1
        return SparseRows._of_sorted(new_row[self.entry_rows()[inside]], self.indices[inside], self.data[inside],
                                     (int(keep.sum()), self.shape[1]))

    def toarray(self) -> np.ndarray:
        dense = np.zeros(self.shape)
        np.add.at(dense, (self.entry_rows(), self.indices), self.data)
        return dense


@dataclass
class MatrixModel:
    """min c·v  s.t.  row_lo ≤ A·v ≤ row_hi,  col_lo ≤ v ≤ col_hi,  v integer where `integer`."""

    zones: np.ndarray                    # global zone indices, in column order of `host`
    pairs: np.ndarray                    # global pair indices, in column order of `join`
    revocable: np.ndarray                # global zone indices that have a revoke column
    c: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray
    rows: list[SparseRows] = field(default_factory=list)
    row_lo: list[np.ndarray] = field(default_factory=list)
    row_hi: list[np.ndarray] = field(default_factory=list)
    row_kind: list[str] = field(default_factory=list)
    host_col: dict[int, int] = field(default_factory=dict)   # global zone -> column
    join_col: dict[int, int] = field(default_factory=dict)   # global pair -> column
    revoke_col: dict[int, int] = field(default_factory=dict)  # global zone -> column
    excess_col: dict[str, int] = field(default_factory=dict)  # capped district -> its zones above the cap (in_principle)

    @property
    def n_cols(self) -> int:
        return len(self.c)

    def matrix(self) -> tuple[SparseRows, np.ndarray, np.ndarray]:
        """All constraint blocks stacked: (A, lower, upper)."""
        if not self.rows:
            return SparseRows.stack([], self.n_cols), np.empty(0), np.empty(0)
        return SparseRows.stack(self.rows, self.n_cols), np.concatenate(self.row_lo), np.concatenate(self.row_hi)

    def add_block(self, kind: str, rows: list[int], cols: list[int], vals: list[float],
                  lo: np.ndarray, hi: np.ndarray) -> None:
        n_rows = len(lo)
        if n_rows == 0:
            return
        self.rows.append(SparseRows.from_entries(rows, cols, vals, (n_rows, self.n_cols)))
        self.row_lo.append(np.asarray(lo, float))
        self.row_hi.append(np.asarray(hi, float))
        self.row_kind.extend([kind] * n_rows)

    def add_columns(self, c: np.ndarray, lo: np.ndarray, hi: np.ndarray, integer: np.ndarray) -> np.ndarray:
        """Append columns (e.g. flow variables); existing blocks are widened. Returns the new indices."""
        start = self.n_cols
        self.c = np.concatenate([self.c, c])
        self.col_lo = np.concatenate([self.col_lo, lo])
        self.col_hi = np.concatenate([self.col_hi, hi])
        self.integer = np.concatenate([self.integer, integer])
        self.rows = [b.widened(self.n_cols) for b in self.rows]
        return np.arange(start, self.n_cols)

    def add_separator_cuts(self, cuts: list[tuple[int, int, list[int]]], problem: Problem) -> int:
        """Cuts join[i,j] − Σ_{v∈S} join[v,j] ≤ 0 for (member i, host j, separator S); returns how many were new."""
        rows, cols, vals = [], [], []
        pair_of = _pair_lookup(problem, self.pairs)
        count = 0
        for i, j, separator in cuts:
            p = pair_of.get((i, j))
            if p is None:
                continue
            rows.append(count), cols.append(self.join_col[p]), vals.append(1.0)
            for v in separator:
                q = pair_of.get((v, j))
                if q is not None:
                    rows.append(count), cols.append(self.join_col[q]), vals.append(-1.0)
            count += 1
        self.add_block("separator", rows, cols, vals, np.full(count, -np.inf), np.zeros(count))
        return count

    def add_flow(self, problem: Problem, hosts: set[int]) -> int:
        """The flow constraints (see `_add_flow`) for the groups of `hosts` only; returns how many hosts."""
        return _add_flow(self, problem, hosts)


def _pair_lookup(problem: Problem, pairs: np.ndarray) -> dict[tuple[int, int], int]:
    return {(int(problem.pair_member[p]), int(problem.pair_host[p])): int(p) for p in pairs}


def build_model(problem: Problem, zones: np.ndarray, pairs: np.ndarray, excess: bool = False) -> MatrixModel:
    """The MIP over one component: `zones` (global indices) and the `pairs` among them. With `excess`, each
    capped district gets an integer column excess[d] ≥ 0 and its cap row reads Σ host − excess[d] ≤ cap[d]
    (`rules.cap_mode: in_principle`; the columns cost 0 here — the solve sets the phase's objective)."""
    zones = np.asarray(zones, np.int64)
    pairs = np.asarray(pairs, np.int64)
    in_component = problem.revocable[zones]
    revocable = zones[in_component]
    nz, npairs, nr = len(zones), len(pairs), len(revocable)
    host_col = dict(zip(zones.tolist(), range(nz)))
    join_col = dict(zip(pairs.tolist(), range(nz, nz + npairs)))
    revoke_col = dict(zip(revocable.tolist(), range(nz + npairs, nz + npairs + nr)))
    c = np.concatenate([problem.cost_host[zones], problem.cost_pair[pairs], problem.cost_revoke[revocable]])
    col_lo = np.zeros(len(c))
    col_hi = np.ones(len(c))
    col_lo[np.flatnonzero(problem.must_host[zones])] = 1
    # pins.revoke: a zone pinned to be revoked is revocable; its column follows the revocable zones' order
    col_lo[nz + npairs + np.flatnonzero(problem.must_revoke[revocable])] = 1
    _fix_assigned(problem, zones, pairs, host_col, join_col, col_lo)
    model = MatrixModel(zones=zones, pairs=pairs, revocable=revocable, c=c, col_lo=col_lo, col_hi=col_hi,
                        integer=np.ones(len(c), bool), host_col=host_col, join_col=join_col, revoke_col=revoke_col)

    # assign: host[i] + Σ join[i,·] + revoke[i] = 1
    order = np.argsort(zones, kind="stable")
    local = lambda global_zones: order[np.searchsorted(zones, global_zones, sorter=order)]  # noqa: E731
    rows = np.concatenate([np.arange(nz), local(problem.pair_member[pairs]), np.flatnonzero(in_component)])
    cols = np.concatenate([np.arange(nz), nz + np.arange(npairs), nz + npairs + np.arange(nr)])
    model.add_block("assign", rows, cols, np.ones(len(rows)), np.ones(nz), np.ones(nz))

    # link: join[i,j] − host[j] ≤ 0
    rows = np.concatenate([np.arange(npairs), np.arange(npairs)])
    cols = np.concatenate([nz + np.arange(npairs), local(problem.pair_host[pairs])])
    vals = np.concatenate([np.ones(npairs), -np.ones(npairs)])
    model.add_block("link", rows, cols, vals, np.full(npairs, -np.inf), np.zeros(npairs))

    # cap: Σ host[i] over zones counted in d ≤ cap[d]
    districts = problem.count_district[zones]
    capped = sorted(set(districts.tolist()) & problem.caps.keys())
    row_of = {d: k for k, d in enumerate(capped)}
    mask = among(districts, row_of)
    rows, cols, vals = [row_of[d] for d in districts[mask]], list(np.arange(nz)[mask]), [1.0] * int(mask.sum())
    if excess and capped:
        sizes = np.array([(districts == d).sum() for d in capped], float)
        new = model.add_columns(np.zeros(len(capped)), np.zeros(len(capped)), sizes, np.ones(len(capped), bool))
        model.excess_col = {d: int(c) for d, c in zip(capped, new)}
        rows, cols, vals = rows + list(range(len(capped))), cols + list(new), vals + [-1.0] * len(capped)
    model.add_block("cap", rows, cols, vals, np.full(len(capped), -np.inf),
                    np.array([problem.caps[d] for d in capped], float))

    _add_fairness(model, problem, zones, pairs)
    _add_forbidden(model, problem)
    if problem.contiguity == "connected" and problem.connected_method == "flow":
        _add_flow(model, problem)
    return model


def _fix_assigned(problem: Problem, zones: np.ndarray, pairs: np.ndarray, host_col: dict, join_col: dict,
                  col_lo: np.ndarray) -> None:
    """pins.assign: the pinned pair's join column (or, for a zone assigned to itself, its host column) is 1.
    `diagnose.precheck` has made sure every pinned pair is allowed."""
    pinned = zones[problem.assigned[zones] >= 0] if problem.assigned is not None else []
    if not len(pinned):
        return
    pair_of = _pair_lookup(problem, pairs)
    for z in pinned.tolist():
        j = int(problem.assigned[z])
        col_lo[host_col[z] if j == z else join_col[pair_of[(z, j)]]] = 1


def _add_fairness(model: MatrixModel, problem: Problem, zones: np.ndarray, pairs: np.ndarray) -> None:
    rows, cols, vals, lo = [], [], [], []
    for row in problem.fairness:
        host_part = row["host"][zones]
        pair_part = row["pair"][pairs]
        if not host_part.any() and not pair_part.any():
            continue
        k = len(lo)
        for z, v in zip(zones[host_part != 0], host_part[host_part != 0]):
            rows.append(k), cols.append(model.host_col[int(z)]), vals.append(float(v))
        for p, v in zip(pairs[pair_part != 0], pair_part[pair_part != 0]):
            rows.append(k), cols.append(model.join_col[int(p)]), vals.append(float(v))
        lo.append(row["bound"] - 1e-9 * max(1.0, row["bound"]))
    model.add_block("fairness", rows, cols, vals, np.array(lo), np.full(len(lo), np.inf))


def _add_forbidden(model: MatrixModel, problem: Problem) -> None:
    """pins.forbid_pairs: two zones never share a group, so never join the same host: join[a,j] + join[b,j] ≤ 1.
    (One joining the other is already excluded from the allowed pairs.)"""
    if not problem.forbidden:
        return
    by_member_host = _pair_lookup(problem, model.pairs)
    hosts_of: dict[int, set[int]] = {}
    for member, host in by_member_host:
        hosts_of.setdefault(member, set()).add(host)
    rows, cols = [], []
    for a, b in problem.forbidden:
        for j in sorted(hosts_of.get(a, set()) & hosts_of.get(b, set())):
            k = len(rows) // 2
            rows += [k, k]
            cols += [model.join_col[by_member_host[(a, j)]], model.join_col[by_member_host[(b, j)]]]
    n = len(rows) // 2
    model.add_block("forbidden", rows, cols, [1.0] * len(rows), np.full(n, -np.inf), np.ones(n))


def _add_flow(model: MatrixModel, problem: Problem, hosts: set[int] | None = None) -> int:
    """Single-commodity flow: each host j sends one unit to each of its members along graph edges whose
    ends both belong to j's group; an arc may carry flow only into a zone that is in the group.
    For every host, or only for `hosts` (global zone indices). Returns the number of hosts covered."""
    graph = problem.graph
    index = {z: k for k, z in enumerate(problem.zone_ids)}
    by_host: dict[int, list[int]] = {}
    for p in model.pairs:
        j = int(problem.pair_host[p])
        if hosts is None or j in hosts:
            by_host.setdefault(j, []).append(int(p))
    arcs = []  # (host j, u, v)
    for j, host_pairs in sorted(by_host.items()):
        group = {int(problem.pair_member[p]) for p in host_pairs} | {j}
        for u in sorted(group):
            for name in graph.neighbors(problem.zone_ids[u]):
                v = index[name]
                if v in group and v != j:
                    arcs.append((j, u, v))
    if not by_host:
        return 0
    big = {j: float(len(ps)) for j, ps in by_host.items()}
    cols = model.add_columns(np.zeros(len(arcs)), np.zeros(len(arcs)),
                             np.array([big[j] for j, _, _ in arcs]), np.zeros(len(arcs), bool))
    pair_of = _pair_lookup(problem, model.pairs)
    # capacity: f[j,u,v] ≤ big_j · join[v,j]
    rows, cc, vals = [], [], []
    for k, (j, u, v) in enumerate(arcs):
        rows += [k, k]
        cc += [cols[k], model.join_col[pair_of[(v, j)]]]
        vals += [1.0, -big[j]]
    model.add_block("flow_capacity", rows, cc, vals, np.full(len(arcs), -np.inf), np.zeros(len(arcs)))
    # balance at each member v of host j: inflow − outflow = join[v,j]
    balance: dict[tuple[int, int], int] = {}
    rows, cc, vals = [], [], []
    for p in model.pairs:
        if int(problem.pair_host[p]) in by_host:
            balance[(int(problem.pair_host[p]), int(problem.pair_member[p]))] = len(balance)
    for k, (j, u, v) in enumerate(arcs):
        if (j, v) in balance:
            rows.append(balance[(j, v)]), cc.append(cols[k]), vals.append(1.0)
        if (j, u) in balance:
            rows.append(balance[(j, u)]), cc.append(cols[k]), vals.append(-1.0)
    for (j, v), r in balance.items():
        rows.append(r), cc.append(model.join_col[pair_of[(v, j)]]), vals.append(-1.0)
    model.add_block("flow_balance", rows, cc, vals, np.zeros(len(balance)), np.zeros(len(balance)))
    return len(by_host)
