"""What the speed-ups must not change: the same optimum whichever way it is reached.

- the cut loop (HiGHS rounds with a warm LP, or a fresh MIP per round) and the flow model agree;
- decomposition changes nothing but time: all components solved together as one model give the
  same objective;
- the presolve (keep every zone of a component with no district over its cap) fixes only what is
  forced: with it switched off every component goes to the solver, and the objective is unchanged;
- processes=2 writes the same plan.csv bytes as processes=1;
- HighsRounds' reduced-cost fixing gives the MIP optimum where the LP relaxation is fractional;
- a small component's unique integral LP optimum is the plan the MIP gives, byte for byte.
"""
from __future__ import annotations

import importlib

import numpy as np
import pytest

from consolidate import load_region
from consolidate import engine
from consolidate.backends import OPTIMAL, solve_model
from consolidate.engine import HighsRounds
from consolidate.model import MatrixModel
from test_solve import scenario as solve_scenario  # baseline, no exempt district, with overrides

solve_module = importlib.import_module("consolidate.pipeline")


def scenario(**overrides):
    return solve_scenario(revocation__max_gdp_share=None, **overrides)


def random_region(make_region, seed, n=48, districts=6):
    """Districts ~100 km apart (so the problem decomposes) of random sizes, two within a cap of 2-3 (so
    presolvable); points scattered around each district's centre and a sparse graph (2 nearest
    neighbours), so that `connected` binds: a group may not jump over zones that are not in it."""
    rng = np.random.default_rng(seed)
    sizes = np.concatenate([[2, 3], rng.multinomial(n - 5 - 2 * (districts - 2), np.ones(districts - 2)
                                                   / (districts - 2)) + 2])
    rows, k = [], 0
    for d, size in enumerate(sizes):
        centre = (39.0 + 0.9 * (d % 3), 115.0 + 1.2 * (d // 3))
        for _ in range(size):
            rows.append({"zone_id": f"z{k:03d}", "name": f"z{k:03d}", "district_id": f"D{d}",
                         "lat": centre[0] + rng.normal(0, 0.12), "lon": centre[1] + rng.normal(0, 0.16),
                         "level": rng.choice(["national", "municipal", "district"], p=[0.15, 0.35, 0.5]),
                         "gdp": float(np.round(rng.lognormal(2, 1), 2)),
                         "approved_area_ha": float(np.round(rng.uniform(50, 900), 1))})
            k += 1
    return load_region(make_region([{"district_id": f"D{d}", "name": f"区{d}"} for d in range(districts)], rows,
                                   derive={"method": "knn", "k": 2, "max_km": 40}))


RULES = {"merging__max_distance_km": 40.0, "rules__district_cap": 2}


def solved(region, **kw):
    plan = solve_module.solve(region, scenario(**{**RULES, **kw}), probe=False)
    assert plan.summary["proven_optimal"] and plan.summary["checks_passed"], plan.summary["status"]
    return plan


@pytest.mark.parametrize("seed", [0, 2, 5, 9])
def test_cut_loop_and_flow_model_give_the_same_optimum(make_region, seed):
    region = random_region(make_region, seed)
    flow = solved(region, merging__contiguity="connected", merging__connected_method="flow", solver__backend="highspy")
    warm = solved(region, merging__contiguity="connected", solver__backend="highspy")   # HighsRounds
    fresh = solved(region, merging__contiguity="connected", solver__backend="pulp")     # a new MIP each round
    assert sum(c["cuts"] for c in warm.summary["components"]["solved"]) > 0             # connectivity binds
    assert warm.summary["objective"] == pytest.approx(flow.summary["objective"], abs=1e-7)
    assert fresh.summary["objective"] == pytest.approx(flow.summary["objective"], abs=1e-7)


@pytest.mark.parametrize("seed, contiguity", [(2, "connected"), (6, "nearby"), (7, "adjacent")])
def test_decomposition_changes_nothing_but_time(make_region, monkeypatch, seed, contiguity):
    region = random_region(make_region, seed)
    apart = solved(region, merging__contiguity=contiguity)
    assert apart.summary["components"]["total"] > 1          # the instance does decompose

    def one_component(problem):
        return [(np.arange(problem.n_zones), np.arange(len(problem.pair_member)))]

    monkeypatch.setattr(solve_module, "decompose", one_component)
    together = solved(region, merging__contiguity=contiguity)
    assert together.summary["components"]["total"] == 1
    assert together.summary["objective"] == pytest.approx(apart.summary["objective"], abs=1e-7)


@pytest.mark.parametrize("seed, contiguity", [(9, "connected"), (8, "nearby")])
def test_presolve_fixes_only_what_is_forced(make_region, monkeypatch, seed, contiguity):
    region = random_region(make_region, seed)
    with_presolve = solved(region, merging__contiguity=contiguity, rules__district_cap=3)
    assert with_presolve.summary["components"]["presolved"] > 0   # the presolve does something here
    monkeypatch.setattr(engine, "_presolvable", lambda problem, zones: False)
    without = solved(region, merging__contiguity=contiguity, rules__district_cap=3)
    assert without.summary["components"]["presolved"] == 0
    assert without.summary["objective"] == pytest.approx(with_presolve.summary["objective"], abs=1e-7)


@pytest.mark.parametrize("contiguity", ["nearby", "connected"])
def test_two_processes_write_the_same_plan_as_one(make_region, tmp_path, contiguity):
    region = random_region(make_region, 9, n=60)
    plans = []
    for processes in (1, 2):
        plan = solved(region, merging__contiguity=contiguity, solver__processes=processes)
        assert plan.summary["components"]["total"] - plan.summary["components"]["presolved"] > 1
        plans.append(plan.to_dir(tmp_path / f"p{processes}", charts=False))
    assert (plans[0] / "plan.csv").read_bytes() == (plans[1] / "plan.csv").read_bytes()


def test_rounds_fix_by_reduced_cost_and_still_find_the_mip_optimum():
    # max x1 + x2 + x3 with pairwise x_a + x_b ≤ 1: the LP gives 1.5 (all ½), the MIP 1; seven dear columns
    # (cost 5, at 0 in the LP) are fixed by their reduced cost, the three others go to a small MIP
    n = 10
    c = np.array([-1.0, -1.0, -1.0] + [5.0] * 7)
    model = MatrixModel(zones=np.empty(0, np.int64), pairs=np.empty(0, np.int64), revocable=np.empty(0, np.int64),
                        c=c, col_lo=np.zeros(n), col_hi=np.ones(n), integer=np.ones(n, bool))
    rows, cols = [0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 1, 2, 0, 2, 3, 0]
    model.add_block("pairs", rows, cols, np.ones(len(rows)), np.full(4, -np.inf), np.ones(4))
    settings = scenario(solver__backend="highspy").solver
    fixed_calls = []
    original = HighsRounds._fix_and_solve

    def spy(self, *args):
        fixed_calls.append(1)
        return original(self, *args)

    rounds = HighsRounds(model, settings)
    HighsRounds._fix_and_solve = spy
    try:
        solution = rounds.solve()
    finally:
        HighsRounds._fix_and_solve = original
    reference = solve_model(model, settings)
    assert fixed_calls and solution.status == OPTIMAL and reference.status == OPTIMAL
    assert solution.objective == pytest.approx(reference.objective) == pytest.approx(-1.0)
    # a cut that removes that optimum: the rounds see the new row and find the next one
    model.add_block("cut", [0, 0, 0], [0, 1, 2], np.ones(3), np.full(1, -np.inf), np.zeros(1))
    assert rounds.solve().objective == pytest.approx(solve_model(model, settings).objective) == pytest.approx(0.0)


@pytest.mark.parametrize("seed, contiguity", [(6, "nearby"), (7, "adjacent"), (3, "nearby")])
def test_a_unique_lp_optimum_is_the_plan_the_mip_gives(make_region, monkeypatch, tmp_path, seed, contiguity):
    region = random_region(make_region, seed)
    used = []
    original = engine._unique_lp_optimum

    def spy(*args):
        solution = original(*args)
        used.append(solution is not None)
        return solution

    monkeypatch.setattr(engine, "_unique_lp_optimum", spy)
    lp_first = solved(region, merging__contiguity=contiguity).to_dir(tmp_path / "lp", charts=False)
    assert any(used)                                          # some component was settled by its LP
    monkeypatch.setattr(engine, "LP_FIRST_MAX_COLUMNS", -1)   # every component through the MIP
    mip = solved(region, merging__contiguity=contiguity).to_dir(tmp_path / "mip", charts=False)
    for name in ("plan.csv", "districts.csv"):
        assert (lp_first / name).read_bytes() == (mip / name).read_bytes()


@pytest.mark.parametrize("seed, contiguity", [(2, "connected"), (6, "nearby"), (7, "adjacent")])
def test_small_and_large_region_component_labels_decompose_alike(make_region, seed, contiguity):
    """networkx (small regions) and SciPy's csgraph (large ones) number components differently; the
    decomposition, and so every plan, must not depend on which one ran."""
    from consolidate.problem import build_problem
    from consolidate.graph import zone_graph

    region = random_region(make_region, seed)
    chosen = scenario(**{**RULES, "merging__contiguity": contiguity})
    problem = build_problem(region, chosen, zone_graph(region))
    by_walk = engine.decompose(problem, component_labels=engine.labels_networkx)
    by_sparse = engine.decompose(problem, component_labels=engine.labels_sparse)
    assert len(by_walk) == len(by_sparse) > 1
    for (zones_a, pairs_a), (zones_b, pairs_b) in zip(by_walk, by_sparse):
        assert np.array_equal(zones_a, zones_b) and np.array_equal(pairs_a, pairs_b)
    rng = np.random.default_rng(seed)                  # and on bare random links, isolated nodes included
    a, b = rng.integers(0, 300, 200), rng.integers(0, 300, 200)
    walk, sparse_ = engine.labels_networkx(300, a, b), engine.labels_sparse(300, a, b)
    assert len(set(zip(walk.tolist(), sparse_.tolist()))) == len(set(walk.tolist())) == len(set(sparse_.tolist()))


@pytest.mark.parametrize("contiguity", ["nearby", "connected"])
def test_auto_processes_write_the_same_plan_as_one_and_two(make_region, tmp_path, monkeypatch, contiguity):
    """`solver.processes: auto` on a region over its threshold (lowered here, so a small region will do) solves
    the components in threads, and its plan is the bytes of one process's and of two's; under the threshold
    it solves them one at a time."""
    region = random_region(make_region, 9, n=60)
    threaded = []
    in_threads = engine._solve_in_threads
    monkeypatch.setattr(engine, "_solve_in_threads", lambda *args: threaded.append(args[-2]) or in_threads(*args))
    auto_small = solved(region, merging__contiguity=contiguity)
    assert threaded == []                                       # too little work: one at a time
    monkeypatch.setattr(engine, "THREADS_FROM", 0)
    monkeypatch.setattr(engine, "usable_cores", lambda: 2)      # side by side even on one core
    plans = {}
    for processes in ("auto", 1, 2):
        plan = solved(region, merging__contiguity=contiguity, solver__processes=processes)
        plans[processes] = (plan.to_dir(tmp_path / f"p{processes}", charts=False) / "plan.csv").read_bytes()
    assert threaded == [2]
    assert plans["auto"] == plans[1] == plans[2]
    assert (auto_small.to_dir(tmp_path / "small", charts=False) / "plan.csv").read_bytes() == plans[1]


def test_auto_processes_use_threads_only_where_they_pay():
    settings = scenario(solver__backend="highspy").solver
    cores = min(engine.usable_cores(), engine.AUTO_MAX_CORES)
    assert engine.threads_for(settings, [30_000, 25_000, 20_000, 20_000], 20_000) == cores   # 65,000 beyond
    assert engine.threads_for(settings, [3_000, 1_000, 500], 20_000) == 1                    # china-2018-like
    assert engine.threads_for(settings, [30_000], 20_000) == 1
    pulp = scenario(solver__backend="pulp").solver
    assert engine.threads_for(pulp, [30_000, 25_000, 20_000, 20_000], 20_000) == 1


def test_auto_processes_stay_one_in_a_worker_process():
    settings = scenario(solver__backend="highspy").solver
    with engine.worker_pool(1) as pool:
        assert pool.submit(engine.threads_for, settings, [30_000, 25_000, 20_000, 20_000], 20_000).result() == 1
