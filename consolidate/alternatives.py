"""Near-optimal alternatives: the optimum and the next best distinct plans, each proven or labelled.

    >>> result = alternatives(region, scenario, k=3, within_pct=5)
    >>> [p.summary["objective"] for p in result.plans]     # non-decreasing; plans[0] is what `run` gives
    >>> result.fates                                       # zone × plan: its fate in each, and its stability

The optimum comes from the normal pipeline. The others come from one model over the whole region with a
no-good cut per plan found: each zone has exactly one of its host / join / revoke columns at 1, so
Σ (the n columns a plan sets) ≤ n − 1 excludes that plan and nothing else. Each solve then gives the best
plan not yet found — the next best, proven when the solver proves optimality; otherwise it is labelled
not proven. Under `rules.cap_mode: in_principle` the total excess is held at the optimum's minimum.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backends import FEASIBLE, OPTIMAL


@dataclass
class Alternatives:
    plans: list            # Plan objects: the optimum first
    table: pd.DataFrame    # one row per plan: rank, objective, extra cost, proven, zones that differ
    fates: pd.DataFrame    # one row per zone: its fate in each plan and its stability


def alternatives(region, scenario, k: int, within_pct: float | None = None, graph=None) -> Alternatives:
    from .engine import solve_rounds
    from .model import build_model
    from .plan import assemble_plan
    from .pipeline import prepare, solve

    best = solve(region, scenario, graph)
    started = time.perf_counter()
    scenario, graph, scores, grades, problem = prepare(region, scenario, graph)
    zones, pairs = np.arange(problem.n_zones), np.arange(len(problem.pair_member))
    in_principle = problem.cap_mode == "in_principle"
    model = build_model(problem, zones, pairs, excess=in_principle)
    if in_principle and model.excess_col:
        columns = np.array(sorted(model.excess_col.values()), np.int64)
        limit = float(best.summary.get("cap_excess", {}).get("total", 0))
        model.add_block("cap_excess", np.zeros(len(columns), np.int64), columns, np.ones(len(columns)),
                        np.array([-np.inf]), np.array([limit]))
    optimum = float(best.summary["objective"])
    bound = None if within_pct is None else optimum + abs(optimum) * within_pct / 100 + 1e-9
    plans = [best]
    _exclude(model, problem, best.table)
    for rank in range(1, k + 1):
        result = solve_rounds(model, problem, zones, scenario.solver)
        if result.status not in (OPTIMAL, FEASIBLE) or (bound is not None and result.objective > bound):
            break  # no further distinct plan (within PCT)
        plan = assemble_plan(region, scenario, graph, problem, [result], scores, grades,
                             seconds={"build": 0.0, "total": time.perf_counter() - started})
        proven = result.status == OPTIMAL
        plan.summary.update({"status": "feasible", "proven_optimal": False,
                             "alternative": {"rank": rank, "proven_next_best": proven,
                                             "extra_cost": round(plan.summary["objective"] - optimum, 9)}})
        plan.summary["label"] = f"{best.summary.get('label') or scenario.name} · alternative {rank}"
        plans.append(plan)
        _exclude(model, problem, plan.table)
    return Alternatives(plans, _plans_table(plans, optimum), _fates(plans))


def _exclude(model, problem, table: pd.DataFrame) -> None:
    """The no-good cut of one plan: Σ over the n columns it sets to 1 ≤ n − 1."""
    pair_of = {(int(m), int(h)): int(p) for p, (m, h) in enumerate(zip(problem.pair_member, problem.pair_host))}
    index = {z: k for k, z in enumerate(problem.zone_ids)}
    cols = []
    for z, row in table.iterrows():
        i = index[z]
        if row["status"] == "revoked":
            cols.append(model.revoke_col[i])
        elif row["status"] == "member":
            cols.append(model.join_col[pair_of[(i, index[row["host_id"]])]])
        else:
            cols.append(model.host_col[i])
    model.add_block("no_good", np.zeros(len(cols), np.int64), np.array(cols, np.int64), np.ones(len(cols)),
                    np.array([-np.inf]), np.array([len(cols) - 1.0]))


def fate(row) -> str:
    if row["status"] == "member":
        return f"→ {row['host_id']}"
    return row["status"]


def _fates(plans: list) -> pd.DataFrame:
    first = plans[0].table
    frame = pd.DataFrame({"zone_id": first.index, "name": first["name"].to_numpy()})
    for rank, plan in enumerate(plans):
        frame[f"alt-{rank}"] = [fate(r) for _, r in plan.table.loc[first.index].iterrows()]
    columns = [f"alt-{rank}" for rank in range(len(plans))]
    frame["stability"] = (frame[columns].to_numpy() == frame[["alt-0"]].to_numpy()).sum(axis=1)
    frame["stability"] = frame["stability"].astype(str) + f"/{len(plans)}"
    return frame


def _plans_table(plans: list, optimum: float) -> pd.DataFrame:
    rows = []
    first = plans[0].table
    for rank, plan in enumerate(plans):
        s = plan.summary
        differs = [z for z in first.index if fate(first.loc[z]) != fate(plan.table.loc[z])]
        extra = s["objective"] - optimum
        rows.append({"plan": f"alt-{rank}", "objective": s["objective"], "extra_cost": round(extra, 9),
                     "extra_pct": round(100 * extra / abs(optimum), 4) if optimum else np.nan,
                     "proven": s["proven_optimal"] if rank == 0 else s["alternative"]["proven_next_best"],
                     "zones_differing": len(differs), "differs": "; ".join(
                         f"{first.at[z, 'name']}: {fate(first.loc[z])} ⇒ {fate(plan.table.loc[z])}" for z in differs)})
    return pd.DataFrame(rows)


def write_alternatives(result: Alternatives, out, charts: bool = False, lang: str = "zh", svg: bool = False):
    """OUT/alt-0 (the optimum) … OUT/alt-K, each a full plan folder, plus plans.csv and alternatives.csv."""
    from .io import atomic_folder
    from .office import write_csv

    with atomic_folder(out, kind="alternatives") as tmp:
        for rank, plan in enumerate(result.plans):
            plan.to_dir(tmp / f"alt-{rank}", charts=charts, lang=lang, svg=svg)
        write_csv(result.table, tmp / "plans.csv", float_format="%.9g")
        write_csv(result.fates, tmp / "alternatives.csv")
    return out
