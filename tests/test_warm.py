"""The warm re-solve engine gives the plan of a fresh solve, byte for byte, whatever it solved before;
and a sweep on 1 or 2 worker processes gives the same table. (Speed is measured in scripts/bench.)"""
import itertools

import numpy as np
import pytest

import consolidate as cz
from consolidate.sweep import parse_grid, run_sweep
from consolidate.warm import WarmSolver

GRID = {"rules.district_cap": [2, 4], "objective.weights.revocation": [1, 20], "objective.weights.distance": [2]}


def fingerprint(plan, folder):
    plan.to_dir(folder, charts=False)
    return (plan.summary["status"], round(plan.summary["objective"], 9), (folder / "plan.csv").read_bytes(),
            (folder / "districts.csv").read_bytes(), (folder / "scores.csv").read_bytes(), plan.summary["checks"],
            plan.summary["objective_parts"])


@pytest.fixture(scope="module")
def campaign():
    region = cz.load_region("tianjin-314")
    return region, cz.load_scenario("tianjin-2018-campaign", region="tianjin-314")


def test_warm_plans_equal_fresh_plans_over_a_grid(campaign, tmp_path):
    region, base = campaign
    warm = WarmSolver(region, base)
    for k, values in enumerate(itertools.product(*GRID.values())):
        overrides = [f"{key}={value}" for key, value in zip(GRID, values)]
        fresh = cz.solve(region, cz.load_scenario("tianjin-2018-campaign", overrides, region="tianjin-314"))
        assert fingerprint(warm.solve(overrides=overrides), tmp_path / f"w{k}") == \
            fingerprint(fresh, tmp_path / f"f{k}"), overrides
    assert warm.stats["warm"] > 0  # the warm path was taken, not only the fresh fallback


def test_kept_problem_arrays_equal_build_problem(campaign):
    """A variant that changes caps and weights reuses the pairs and gets the caps and costs build_problem gives."""
    import dataclasses


    from consolidate.pipeline import prepare

    region, _ = campaign
    warm = WarmSolver(region)
    for values in itertools.product(*GRID.values()):
        scenario = cz.load_scenario("tianjin-2018-campaign", [f"{k}={v}" for k, v in zip(GRID, values)],
                                    region="tianjin-314")
        kept = prepare(region, scenario, warm.graph, warm)[-1]
        fresh = prepare(region, scenario, warm.graph)[-1]
        for item in dataclasses.fields(fresh):
            mine, theirs = getattr(kept, item.name), getattr(fresh, item.name)
            if isinstance(theirs, np.ndarray):
                assert np.array_equal(mine, theirs), item.name
            elif item.name == "cost_parts":
                assert {p: {k: v.tolist() for k, v in c.items()} for p, c in mine.items()} == \
                       {p: {k: v.tolist() for k, v in c.items()} for p, c in theirs.items()}
            elif item.name != "rules":
                assert mine == theirs, item.name
    assert len(warm._problems) == 1   # one set of pairs served every variant


def test_an_extra_pin_equals_the_fresh_solve_of_the_pinned_scenario(campaign, tmp_path):
    region, base = campaign
    warm = WarmSolver(region, base)
    plan = warm.solve()
    member = plan.table.index[plan.table["status"] == "member"][0]
    for key in ("revoke",):
        pinned = warm.solve(pins={key: [member]})
        fresh = cz.solve(region, cz.load_scenario("tianjin-2018-campaign", [f"pins.{key}=[{member}]"],
                                                  region="tianjin-314"))
        assert fingerprint(pinned, tmp_path / f"w-{key}") == fingerprint(fresh, tmp_path / f"f-{key}")
    assert fingerprint(warm.solve(), tmp_path / "again") == fingerprint(plan, tmp_path / "first")


def test_a_sweep_on_one_or_two_workers_gives_the_same_table(tmp_path):
    grid = parse_grid([f"{key}={','.join(map(str, values))}" for key, values in GRID.items()])
    quiet = dict(progress=False, echo=lambda _: None)
    one = run_sweep("baseline", grid, tmp_path / "one", workers=1, **quiet).rows
    two = run_sweep("baseline", grid, tmp_path / "two", workers=2, **quiet).rows
    assert (one.drop(columns="seconds").to_csv() == two.drop(columns="seconds").to_csv())
    assert "optimal" in set(one["status"])


def test_checks_with_kept_facts_equal_checks_read_afresh(campaign):
    """The facts the checks keep between plans give the same verdicts, on the solved plan and on a broken one."""
    from consolidate.checks import check_plan

    region, base = campaign
    warm = WarmSolver(region, base)
    plan = warm.solve()
    broken = plan.table.copy()
    member = broken.index[broken["status"] == "member"][0]
    broken.loc[member, ["status", "host_id", "group_id"]] = ["host", member, member]   # one zone too many kept
    for table in (plan.table, broken):
        kept = check_plan(table, region, plan.scenario, warm.graph, districts=plan.districts, kept=warm.kept)
        fresh = check_plan(table, region, plan.scenario, warm.graph, districts=plan.districts)
        assert kept == fresh
    assert not all(c.passed for c in fresh)


def test_a_sweep_after_the_region_changed_solves_the_changed_region(tmp_path):
    """A second sweep in the same process reads the region again: an edited zone is not served from before."""
    import shutil

    from consolidate.resources import models_dir

    region = tmp_path / "tj"
    shutil.copytree(models_dir() / "tianjin", region)
    grid = parse_grid(["rules.district_cap=2"])
    quiet = dict(progress=False, echo=lambda _: None, charts=False, workers=1)
    first = run_sweep("baseline", grid, tmp_path / "a", region=str(region), **quiet).rows
    zones = (region / "zones.csv").read_text(encoding="utf-8").splitlines()
    (region / "zones.csv").write_text("\n".join([zones[0]] + zones[2:]) + "\n", encoding="utf-8")  # one zone fewer
    second = run_sweep("baseline", grid, tmp_path / "b", region=str(region), **quiet).rows
    fresh = cz.solve(cz.load_region(str(region)), cz.load_scenario("baseline", ["rules.district_cap=2"],
                                                                   region=str(region)))
    assert first["plan_id"].iloc[0] != second["plan_id"].iloc[0]
    assert second["objective"].iloc[0] == repr(round(fresh.summary["objective"], 9))


def test_kept_components_equal_a_fresh_decomposition(campaign):
    """The components kept for a variant that changes caps and weights are those `decompose` gives it; a
    variant with other pairs gets its own."""

    from consolidate.engine import decompose
    from consolidate.pipeline import prepare

    region, _ = campaign
    warm = WarmSolver(region)
    for overrides in ([], ["rules.district_cap=2", "objective.weights.distance=4"], ["rules.district_cap=5"],
                      ["merging.contiguity=adjacent"]):
        scenario = cz.load_scenario("tianjin-2018-campaign", overrides, region="tianjin-314")
        problem = prepare(region, scenario, warm.graph, warm)[-1]
        kept, fresh = warm.decompose(problem), decompose(prepare(region, scenario, warm.graph)[-1])
        assert len(kept) == len(fresh)
        for (zones, pairs), (fresh_zones, fresh_pairs) in zip(kept, fresh):
            assert np.array_equal(zones, fresh_zones) and np.array_equal(pairs, fresh_pairs)
    assert len(warm._components) == 2   # one decomposition per set of pairs


def test_a_higher_cost_on_columns_the_proven_plan_leaves_at_zero_keeps_that_plan(campaign, tmp_path):
    """A variant that only raises costs where the proven unique plan has zeros (revocation weight 5 → 20 when
    nothing is revoked) takes that plan without an LP: the same plan as its fresh solve. Lower costs, or a
    higher cost on a column at 1, or other bounds, go the LP's way."""
    import dataclasses

    from consolidate.warm import _still_unique

    region, base = campaign
    warm = WarmSolver(region, base)
    for k, weight in enumerate([5, 20, 1]):
        overrides = ["rules.district_cap=3", "objective.weights.distance=2", f"objective.weights.revocation={weight}"]
        fresh = cz.solve(region, cz.load_scenario("tianjin-2018-campaign", overrides, region="tianjin-314"))
        assert fingerprint(warm.solve(overrides=overrides), tmp_path / f"w{k}") == \
            fingerprint(fresh, tmp_path / f"f{k}"), overrides
        assert warm.stats["dominated"] == (0 if weight == 5 else 2 if weight == 20 else warm.stats["dominated"])
    model, x = next(iter(warm._proven.values()))[0]
    assert _still_unique(model, model, x) is not None
    at_one, at_zero = int(np.flatnonzero(x > 0.5)[0]), int(np.flatnonzero(x < 0.5)[0])
    for column, change in ((at_zero, -1.0), (at_one, 1.0)):
        c = model.c.copy()
        c[column] += change
        assert _still_unique(dataclasses.replace(model, c=c), model, x) is None
    assert _still_unique(dataclasses.replace(model, col_hi=np.zeros_like(model.col_hi)), model, x) is None
    assert _still_unique(dataclasses.replace(model, row_hi=[hi - 1 for hi in model.row_hi]), model, x) is None


def test_accounting_of_a_recurring_plan_equals_accounting_computed_afresh(campaign):
    """A plan whose hosts equal a recent plan's is credited from that plan's accounting: the same as computing
    it, and a copy nobody else changes; another plan is computed anew."""
    import dataclasses

    from consolidate.allocation import account
    from consolidate.plan import accounting_rules

    def plain(accounting):
        return {f.name: getattr(accounting, f.name).to_dict() if hasattr(getattr(accounting, f.name), "to_dict")
                else getattr(accounting, f.name) for f in dataclasses.fields(accounting)}

    region, base = campaign
    warm = WarmSolver(region, base)
    plan = warm.solve()
    other = plan.table.copy()
    member = other.index[other["status"] == "member"][0]
    other.loc[member, ["status", "host_id", "group_id"]] = ["revoked", "", ""]
    rules, ids = accounting_rules(plan.scenario), list(region.districts.index)
    for table in (plan.table, other, plan.table.copy()):
        kept = account(table, region.zones, rules, ids, kept=warm.kept)
        kept.districts.iloc[:, :] = 0            # a caller changing its copy changes no later one
        kept.exact.clear()
        assert plain(account(table, region.zones, rules, ids, kept=warm.kept)) == \
            plain(account(table, region.zones, rules, ids))
    assert len(warm.kept["allocation.recent"]) == 2
