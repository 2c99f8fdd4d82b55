"""Fairness bounds constrain the plan itself, and plans can be re-accounted without re-solving."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from consolidate import load_region
from consolidate.cli import main
from consolidate.errors import InfeasibleError
from consolidate.scenario import load_scenario, scenario_from_dict
from consolidate.pipeline import solve

D2 = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
ZONES = [
    {"zone_id": "a1", "name": "甲一", "district_id": "A", "level": "national", "kind": "etdz", "lat": 39.0, "lon": 117.0,
     "gdp": 200},
    {"zone_id": "a2", "name": "甲二", "district_id": "A", "lat": 39.0, "lon": 117.1, "gdp": 150},
    {"zone_id": "a3", "name": "甲三", "district_id": "A", "lat": 39.08, "lon": 117.02, "gdp": 120},
    {"zone_id": "a4", "name": "甲四", "district_id": "A", "lat": 39.1, "lon": 117.2, "gdp": 10},
    {"zone_id": "b1", "name": "乙一", "district_id": "B", "level": "national", "kind": "etdz", "lat": 39.12,
     "lon": 117.22, "gdp": 300},
]


def scenario(**extra):
    data = load_scenario("baseline").as_dict()
    data.update(rules={"district_cap": 3, "exempt_districts": [], "district_caps": {}})
    data["merging"]["contiguity"] = "nearby"
    data["allocation"] = {"gdp": "host", "fiscal_revenue": "host"}
    for key, value in extra.items():
        data[key] = {**data[key], **value}
    return scenario_from_dict(data)


@pytest.fixture
def region(make_region):
    return load_region(make_region(D2, ZONES, derive={"method": "distance", "max_km": 40}))


def test_a_fairness_bound_changes_the_optimal_plan(region):
    free = solve(region, scenario())
    assert free.table.at["a4", "host_id"] == "b1"              # cheapest: the strong host next door, in 乙区
    assert free.districts.at["A", "gdp_change"] == -10.0        # …so 甲区 hands a4's GDP to 乙区 under `host`

    fair = solve(region, scenario(fairness={"max_district_loss": 0.01}))
    assert fair.table.at["a4", "host_id"] == "a1"               # now it stays in 甲区
    assert fair.summary["objective"] > free.summary["objective"]
    checks = {c["name"]: c["passed"] for c in fair.summary["checks"]}
    assert checks["fairness"] and all(checks.values())
    assert fair.districts.at["A", "gdp_after"] >= 0.99 * fair.districts.at["A", "gdp_before"]


def test_territorial_sharing_makes_the_bound_slack(region):
    plan = solve(region, scenario(fairness={"max_district_loss": 0.0}, allocation={"gdp": "territorial",
                                                                                  "fiscal_revenue": "territorial"}))
    assert plan.table.at["a4", "host_id"] == "b1"               # territorial: no district loses by merging


def test_infeasible_fairness_is_named(region):
    with pytest.raises(InfeasibleError) as caught:
        solve(region, scenario(fairness={"max_district_loss": 0.0},
                               rules={"district_cap": 3, "exempt_districts": [], "district_caps": {"甲区": 0}}))
    message = str(caught.value)                                # 甲区 may keep no zone, nor lose any GDP
    assert "fairness" in message and "甲区" in message
    assert "--set fairness.max_district_loss=null" in message  # the probe found the relaxation that works


def test_fairness_needs_a_linear_rule(region):
    from consolidate.errors import InputError

    with pytest.raises(InputError) as caught:
        solve(region, scenario(fairness={"max_district_loss": 0.1}, allocation={"gdp": "area"}))
    assert "linear" in str(caught.value) and "allocation.gdp" in str(caught.value)


def test_allocate_re_accounts_a_plan_without_re_solving(region, tmp_path):
    runner = CliRunner()
    out = tmp_path / "plan"
    result = runner.invoke(main, ["run", "baseline", "--region", str(region.root), "--set", "rules.exempt_districts=[]",
                                  "--set", "merging.contiguity=nearby", "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["allocate", str(out), "--rule", "gdp=host", "--out", str(tmp_path / "acc")])
    assert result.exit_code == 0, result.output
    table = (tmp_path / "acc" / "allocation.csv").read_text(encoding="utf-8")
    assert "A,gdp,chosen,480.0000,470.0000,-10.0000" in table     # 200+150+120+10, a4 goes to 乙区
    assert "B,gdp,chosen,300.0000,310.0000,10.0000" in table
    assert json.loads((out / "summary.json").read_text())["allocation"]["rules"]["gdp"] == "territorial"
    for bad, message in (("gdp=split:1.5", "between 0 and 1"), ("gdp=fair", "allowed"), ("gdp", "MEASURE=RULE")):
        result = runner.invoke(main, ["allocate", str(out), "--rule", bad])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
