"""Distances the planner chooses: a travel-time matrix decides who joins whom exactly as it says; pairs missing
from it are not allowed; planar km in a projected CRS."""
from __future__ import annotations

import pandas as pd
import pytest

from consolidate.region import load_region
from consolidate.scenario import load_scenario
from consolidate.pipeline import solve

from regions import write_region

# 甲区 may keep 2 of its 3 zones. m lies 4.3 km from h1 and 8.6 km from h2 (great-circle), and is too large
# to revoke, so it joins one of the two national zones.
DISTRICTS = [{"district_id": "A", "name": "甲区"}]
ZONES = [
    {"zone_id": "h1", "name": "东开发区", "district_id": "A", "level": "national", "gdp": 100, "lat": 39.0, "lon": 117.05},
    {"zone_id": "h2", "name": "西开发区", "district_id": "A", "level": "national", "gdp": 100, "lat": 39.0, "lon": 116.9},
    {"zone_id": "m", "name": "中园区", "district_id": "A", "level": "municipal", "gdp": 50, "lat": 39.0, "lon": 117.0},
]


def plan_for(tmp_path, name, matrix=None, **region_keys):
    if matrix is not None:
        region_keys["distances"] = "distances.csv"
    folder = write_region(tmp_path / name, DISTRICTS, ZONES, derive={"method": "distance", "max_km": 50},
                          rules={"district_cap": 2, "exempt_districts": []}, **region_keys)
    if matrix is not None:
        pd.DataFrame(matrix, columns=["zone_a", "zone_b", "minutes"]).to_csv(folder / "distances.csv", index=False)
    region = load_region(folder)
    scenario = load_scenario("baseline", ["merging.contiguity=nearby", "merging.max_distance_km=90"],
                             region=str(folder))
    return solve(region, scenario)


def test_great_circle_m_joins_the_nearer_host(tmp_path):
    plan = plan_for(tmp_path, "gc")
    assert plan.table.at["m", "host_id"] == "h1" and plan.table.at["m", "distance_to_host_km"] == pytest.approx(4.3, abs=0.1)


def test_a_travel_minutes_matrix_changes_who_joins_whom_as_it_says(tmp_path):
    plan = plan_for(tmp_path, "minutes", [("m", "h1", 40), ("m", "h2", 10), ("h1", "h2", 60)])
    table = plan.table
    assert table.at["m", "status"] == "member" and table.at["m", "host_id"] == "h2"
    assert table.at["m", "minutes_to_host"] == 10 and table.at["m", "distance_to_host_km"] == pytest.approx(8.6, abs=0.1)
    assert plan.summary["checks_passed"] and "travel minutes from distances.csv" in plan.summary["distances"]
    distance = plan.summary["objective_parts"]["distance"]   # priced in the matrix's minutes, and says so
    assert distance["real"] == pytest.approx(50 * 10) and "·min" in distance["unit"] and "·km" not in distance["unit"]
    from consolidate.problem import part_unit_text

    assert "行程分钟" in part_unit_text(distance["unit"], "zh")
    # the matrix the other way round: m joins h1
    plan = plan_for(tmp_path, "minutes-2", [("m", "h1", 10), ("m", "h2", 40), ("h1", "h2", 60)])
    assert plan.table.at["m", "host_id"] == "h1"


def test_a_pair_missing_from_the_matrix_is_not_allowed(tmp_path):
    plan = plan_for(tmp_path, "missing", [("m", "h2", 50), ("h1", "h2", 60)])   # no m–h1 though it is nearest
    assert plan.table.at["m", "host_id"] == "h2"
    assert not ((plan.table["status"] == "member") & (plan.table["host_id"] == "h1")
                & (plan.table.index == "m")).any()


def test_the_limit_is_read_in_the_matrix_unit(tmp_path):
    plan = plan_for(tmp_path, "limit", [("m", "h1", 95), ("m", "h2", 80), ("h1", "h2", 200)])   # max 90 minutes
    assert plan.table.at["m", "host_id"] == "h2"


def test_a_bad_matrix_names_file_row_and_column(tmp_path):
    from click.testing import CliRunner

    from consolidate.cli import main

    folder = write_region(tmp_path / "bad", DISTRICTS, ZONES, derive={"method": "distance", "max_km": 50},
                          distances="distances.csv")
    (folder / "distances.csv").write_text("zone_a,zone_b,minutes\nm,h9,10\nm,h1,soon\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2, result.output
    assert "distances.csv, row 2, column 'zone_b'" in result.output and "distances.csv, row 3, column 'minutes'" \
        in result.output


def test_planar_distances_in_a_projected_crs(tmp_path):
    pytest.importorskip("pyproj", reason="the GIS extra is not installed: pip install '.[geo]'")
    from pyproj import Transformer

    plan = plan_for(tmp_path, "planar", distances={"method": "planar", "crs": "EPSG:4547"})
    to = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    (x1, y1), (x2, y2) = to.transform(117.0, 39.0), to.transform(117.05, 39.0)
    assert plan.table.at["m", "distance_to_host_km"] == pytest.approx(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 / 1000,
                                                                      abs=1e-3)
    assert "planar km in EPSG:4547" in plan.summary["distances"]


def test_infeasibility_explained_by_the_matrix(tmp_path):
    from consolidate.errors import InfeasibleError

    try:
        plan = plan_for(tmp_path, "none", [("h1", "h2", 95)])   # over 90 minutes; m in no pair; none revocable
    except InfeasibleError as error:
        text = str(error) + " ".join(error.reasons)
        assert "中园区 (no eligible host within 90 minutes in distances.csv (pairs missing from it are not allowed)" \
            in text, text
    else:
        raise AssertionError(f"m has no allowed host, yet a plan was found: {plan.table}")


def test_a_pin_to_a_pair_missing_from_the_matrix_says_so(tmp_path):
    from consolidate.errors import InfeasibleError

    folder = write_region(tmp_path / "pin", DISTRICTS, ZONES, derive={"method": "distance", "max_km": 50},
                          rules={"district_cap": 2, "exempt_districts": []}, distances="distances.csv")
    pd.DataFrame([("m", "h2", 50), ("h1", "h2", 60)], columns=["zone_a", "zone_b", "minutes"]).to_csv(
        folder / "distances.csv", index=False)
    scenario = load_scenario("baseline", ["merging.contiguity=nearby", "merging.max_distance_km=90",
                                          "pins.assign={m: h1}"], region=str(folder))
    with pytest.raises(InfeasibleError, match="not in distances.csv"):
        solve(load_region(folder), scenario)


def test_charts_report_and_compare_say_the_unit_the_objective_priced(tmp_path):
    """The compare/sweep/report figure 'GDP × distance to host' is the objective's distance part in its own
    unit: GDP × km on great-circle distances, GDP × minutes with a travel-time matrix — value and label."""
    from click.testing import CliRunner

    from consolidate.charts.compare import _quantity_label
    from consolidate.cli import main
    from consolidate.compare import distance_unit, real_units

    for name, matrix, unit in (("gc", None, "km"), ("minutes", [("m", "h1", 40), ("m", "h2", 10), ("h1", "h2", 60)],
                                                    "minutes")):
        plan = plan_for(tmp_path, name, matrix)
        assert distance_unit(plan.region) == unit
        priced = plan.summary["objective_parts"]["distance"]["real"]   # plan.csv's distances have 3 decimals
        assert real_units(plan)["gdp_km"] == pytest.approx(priced, abs=50 * 5e-4)
    assert "minutes to host" in _quantity_label("gdp_km", "en", "亿元", "minutes")
    assert "km" not in _quantity_label("gdp_km", "en", "亿元", "minutes")
    assert "km to host" in _quantity_label("gdp_km", "en", "亿元")
    folder = plan.to_dir(tmp_path / "plan", charts=False)
    shown = CliRunner().invoke(main, ["explain", str(folder), "--zone", "m", "--lang", "en", "--out",
                                      str(tmp_path / "e.csv")])
    assert shown.exit_code == 0 and "Δ GDP·min" in shown.output and "Δ GDP·km" not in shown.output


def test_explain_measures_the_hosts_it_may_not_join_as_the_objective_prices(tmp_path):
    from click.testing import CliRunner

    from consolidate.cli import main
    from consolidate.explain import explain_plan

    plan = plan_for(tmp_path, "explain", [("m", "h1", 95), ("m", "h2", 80), ("h1", "h2", 200)])   # max 90 minutes
    assert plan.table.at["m", "host_id"] == "h2"
    options = explain_plan(plan, ["m"]).set_index(["option", "target_id"])
    assert options.at[("join", "h2"), "km"] == 80 and options.at[("join", "h2"), "allowed"]
    assert options.at[("join", "h1"), "km"] == 95 and not options.at[("join", "h1"), "allowed"]  # not 4.3 km
    folder = plan.to_dir(tmp_path / "plan", charts=False)
    printed = CliRunner().invoke(main, ["explain", str(folder), "--zone", "m", "--lang", "en"]).output
    assert "join 东开发区 (95.0 min)" in printed and "join 西开发区 (80.0 min)" in printed and " km)" not in printed
