"""Explaining decisions: pins.assign, the cross-district weight, and extra costs that re-solving confirms."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate import load_region
from consolidate.cli import main
from consolidate.errors import InfeasibleError, InputError
from consolidate.explain import explain_plan, regrets
from consolidate.scenario import load_scenario, scenario_from_dict
from consolidate.solve import solve

MUST_SHOW = ["rules.district_cap=2", "merging.contiguity=nearby"]
DAQIUZHUANG = "S129027"  # 天津大邱庄工业区


@pytest.fixture(scope="module")
def tianjin():
    return load_region("tianjin")


@pytest.fixture(scope="module")
def must_show(tianjin):
    return solve(tianjin, load_scenario("cap-2", ["merging.contiguity=nearby"]))


def with_keys(scenario, **keys):
    data = scenario.resolved()
    for key, value in keys.items():
        node = data
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return scenario_from_dict(data)


def decisions(plan):
    return {z: (r["status"], r["host_id"]) for z, r in plan.table.iterrows()}


def test_pins_assign_forces_a_member_and_the_checks_verify_it(tianjin, must_show):
    scenario = with_keys(must_show.scenario, pins__assign={DAQIUZHUANG: "G121054"})
    plan = solve(tianjin, scenario)
    assert decisions(plan)[DAQIUZHUANG] == ("member", "G121054")
    assert plan.summary["checks_passed"]
    from consolidate.checks import check_plan, failed
    from consolidate.graph import zone_graph

    edited = plan.table.copy()
    edited.loc[DAQIUZHUANG, ["host_id", "group_id"]] = "G122002"
    results = check_plan(edited, tianjin, scenario, zone_graph(tianjin))
    assert any("pins.assign" in r.detail for r in failed(results))


def test_pins_assign_to_a_forbidden_host_is_explained_as_infeasible(tianjin, must_show):
    scenario = with_keys(must_show.scenario, pins__assign={DAQIUZHUANG: "G123002"})  # 天津港保税区, customs
    with pytest.raises(InfeasibleError) as caught:
        solve(tianjin, scenario)
    assert "customs areas merge only with customs areas" in str(caught.value)
    with pytest.raises(InputError):
        solve(tianjin, with_keys(must_show.scenario, pins__assign={"nowhere": "G123002"}))


def test_a_zone_assigned_to_itself_stays(tianjin, must_show):
    plan = solve(tianjin, with_keys(must_show.scenario, pins__assign={DAQIUZHUANG: DAQIUZHUANG}))
    assert decisions(plan)[DAQIUZHUANG] == ("host", DAQIUZHUANG) and plan.summary["checks_passed"]


def test_cross_district_cost_counts_members_of_another_districts_host(tianjin, must_show):
    plan = solve(tianjin, with_keys(must_show.scenario, objective__weights__cross_district=0.5))
    table, zones = plan.table, tianjin.zones
    members = table[table["status"] == "member"]
    crossing = int((zones.loc[members.index, "managing_district_id"].to_numpy()
                    != zones.loc[members["host_id"], "managing_district_id"].to_numpy()).sum())
    part = plan.summary["objective_parts"]["cross_district"]
    assert part["real"] == crossing and part["weighted"] == pytest.approx(0.5 * crossing)
    assert plan.summary["objective"] == pytest.approx(sum(p["weighted"] for p in plan.summary["objective_parts"].values()))
    assert plan.summary["objective"] >= must_show.summary["objective"] - 1e-9


def test_must_show_explain_daqiuzhuang(must_show):
    options = explain_plan(must_show, ["天津大邱庄工业区"])
    chosen = options[options["chosen"]]
    assert list(chosen["target_id"]) == ["G122002"] and float(chosen["extra_cost"].iloc[0]) == 0
    others = options[(options["option"] == "join") & options["allowed"] & ~options["chosen"]]
    assert len(others) >= 2 and (others["extra_cost"] >= -1e-9).all()
    forbidden = options[options["status"] == "forbidden"]
    assert len(forbidden) and forbidden["reason"].str.len().gt(0).all()
    assert forbidden["reason"].str.contains("too far").any() and forbidden["reason"].str.contains("customs").any()


def second_best(options):
    others = options[~options["chosen"] & options["allowed"] & options["extra_cost"].notna()]
    return others.loc[others["extra_cost"].idxmin()]


def force(scenario, row):
    zone = row["zone_id"]
    if row["option"] == "revoke":
        return with_keys(scenario, pins__revoke=[*scenario.pins.revoke, zone])
    target = zone if row["option"] == "host" else row["target_id"]
    return with_keys(scenario, pins__assign={**scenario.pins.assign, zone: target})


@pytest.mark.parametrize("zone", [DAQIUZHUANG, "S129022", "S127024", "G121050"])
def test_forcing_the_second_best_costs_exactly_what_explain_printed(tianjin, must_show, zone):
    row = second_best(explain_plan(must_show, [zone]))
    forced = solve(tianjin, force(must_show.scenario, row))
    assert forced.summary["proven_optimal"] and forced.summary["checks_passed"]
    assert forced.summary["objective"] == pytest.approx(must_show.summary["objective"] + row["extra_cost"], abs=1e-6)


def small_region(make_region):
    districts = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
    zones = [{"zone_id": "a1", "name": "甲一", "district_id": "A", "level": "national", "kind": "etdz",
              "lat": 39.0, "lon": 117.0, "gdp": 100},
             {"zone_id": "a2", "name": "甲二", "district_id": "A", "lat": 39.05, "lon": 117.05, "gdp": 10},
             {"zone_id": "a3", "name": "甲三", "district_id": "A", "lat": 39.10, "lon": 117.0, "gdp": 20},
             {"zone_id": "a4", "name": "甲四", "district_id": "A", "lat": 39.02, "lon": 117.10, "gdp": 2},
             {"zone_id": "b1", "name": "乙一", "district_id": "B", "lat": 39.08, "lon": 117.12, "gdp": 30,
              "level": "national", "kind": "htz"},
             {"zone_id": "b2", "name": "乙二", "district_id": "B", "lat": 39.12, "lon": 117.15, "gdp": 5}]
    return load_region(make_region(districts, zones, derive={"method": "distance", "max_km": 30},
                                   rules={"district_cap": 2, "exempt_districts": []}))


def test_extra_costs_on_a_small_region_match_re_solves(make_region):
    region = small_region(make_region)
    scenario = load_scenario("baseline", ["merging.contiguity=nearby", "rules.district_cap=2"])
    plan = solve(region, scenario)
    options = explain_plan(plan)
    table = regrets(options, plan.summary["objective"])
    assert set(table["zone_id"]) == set(plan.table.index)
    for zone in ("a2", "a3", "a4"):
        row = second_best(options[options["zone_id"] == zone])
        forced = solve(region, force(plan.scenario, row))
        assert forced.summary["objective"] == pytest.approx(plan.summary["objective"] + row["extra_cost"], abs=1e-6)


def test_explain_command_prints_and_writes_csv(must_show, tmp_path):
    folder = must_show.to_dir(tmp_path / "plan", charts=False)
    result = CliRunner().invoke(main, ["explain", str(folder), "--zone", "天津大邱庄工业区", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "天津子牙经济技术开发区" in result.output and "规则禁止" in result.output
    written = pd.read_csv(folder / "explain.csv", dtype={"zone_id": str}, encoding="utf-8-sig")
    assert set(written["zone_id"]) == {DAQIUZHUANG}
    bad = CliRunner().invoke(main, ["explain", str(folder), "--zone", "nowhere"])
    assert bad.exit_code == 2 and "no zone" in bad.output
