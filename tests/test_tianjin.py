"""The bundled Tianjin model and scenarios, end to end with the real solver."""
from __future__ import annotations

import pytest

from consolidate import load_region
from consolidate.scenario import load_scenario
from consolidate.pipeline import evaluation_scores, solve
from consolidate.resources import bundled_scenarios


@pytest.fixture(scope="module")
def tianjin():
    return load_region("tianjin")


def test_tianjin_model_facts(tianjin):
    zones = tianjin.zones
    assert len(tianjin.districts) == 16 and len(zones) == 33
    assert (zones["level"] == "national").sum() == 12 and (zones["level"] == "municipal").sum() == 21
    assert (zones["district_id"] == tianjin.district_id("滨海新区")).sum() == 7
    # lies in 东丽区, run from 滨海新区 (SOURCES.md)
    for name in ("天津空港经济区", "天津滨海新区综合保税区"):
        row = zones[zones["name"] == name].iloc[0]
        assert tianjin.district_name(row["district_id"]) == "东丽区"
        assert tianjin.district_name(row["managing_district_id"]) == "滨海新区"
    assert (zones["econ_quality"] == "estimated").all()


@pytest.mark.parametrize("name", ["tianjin", "tianjin-314"])
def test_shipped_derived_edges_are_the_rule_applied_now(name):
    """models/tianjin and tianjin-314 ship the edges of their rule (Delaunay ≤ 30 / 25 km from the zone points,
    computed by their build scripts) so a run need not load SciPy's spatial module: they are exactly the
    rule's edges now, and the graph (edges, km, kind) is the one derived at run time."""
    import dataclasses

    from consolidate.graph import derived_edges, edges_table, zone_graph

    region = load_region(name)
    shipped, zones = region.derived_edges, region.zones
    assert shipped is not None and shipped.applies(zones, region.derive)
    assert set(zip(shipped.zone_a, shipped.zone_b)) == derived_edges(
        zones["lat"].to_numpy(), zones["lon"].to_numpy(), list(zones.index), region.derive)
    at_run_time = dataclasses.replace(region, derived_edges=None)
    assert edges_table(zone_graph(region)).equals(edges_table(zone_graph(at_run_time)))


@pytest.mark.parametrize("copy", ["a point moved", "the file left out"])
def test_a_changed_copy_derives_its_edges_again(tianjin, tmp_path, copy):
    """A copy of models/tianjin whose zone point moved, or without derived_edges.csv, does not use the shipped
    edges: it derives them by the rule, with a note."""
    import shutil

    from consolidate.resources import models_dir

    folder = tmp_path / "tianjin"
    shutil.copytree(models_dir() / "tianjin", folder)
    if copy == "a point moved":
        zones = (folder / "zones.csv").read_text(encoding="utf-8")
        lat = str(tianjin.zones.at["S127018", "lat"])
        (folder / "zones.csv").write_text(zones.replace(lat, lat[:-1] + "7", 1), encoding="utf-8")
    else:
        (folder / "derived_edges.csv").unlink()
    region = load_region(folder)
    assert region.derived_edges is None and any("derived" in note for note in region.notes)


def test_baseline_is_proven_optimal_within_every_cap(tianjin):
    plan = solve(tianjin, load_scenario("baseline"))
    assert plan.summary["proven_optimal"] and plan.summary["gap"] == 0.0
    assert plan.summary["checks_passed"]
    capped = plan.districts[~plan.districts["exempt"]]
    assert (capped["zones_after"] <= capped["cap"]).all()
    assert plan.districts.loc[tianjin.district_id("津南区"), "zones_before"] == 4   # the district that must act


def test_count_by_location_moves_zones_onto_dongli(tianjin):
    plan = solve(tianjin, load_scenario("count-by-location"))
    dongli = tianjin.district_id("东丽区")
    assert plan.districts.loc[dongli, "zones_before"] == 4 and plan.districts.loc[dongli, "zones_after"] <= 3
    assert plan.summary["proven_optimal"] and plan.summary["checks_passed"]


def test_raising_min_score_bars_weak_municipal_hosts(tianjin):
    base = load_scenario("high-performing-hosts", ["merging.hosts.min_score=null"])
    plan = solve(tianjin, base)
    scores, _ = evaluation_scores(tianjin, base)
    members = plan.table[plan.table["status"] == "member"]
    weak_hosts = {h for h in members["host_id"] if tianjin.zones.at[h, "level"] != "national"}
    assert weak_hosts, "cap 2 without cross-district merges uses municipal hosts on Tianjin"
    weakest = min(weak_hosts, key=lambda h: scores[h])
    threshold = round(scores[weakest] + 0.001, 4)
    raised = solve(tianjin, load_scenario("high-performing-hosts", [f"merging.hosts.min_score={threshold}"]))
    new_members = raised.table[raised.table["status"] == "member"]
    assert weakest not in set(new_members["host_id"])
    assert raised.summary["checks_passed"] and raised.summary["proven_optimal"]
    assert raised.summary["objective"] >= plan.summary["objective"] - 1e-9   # a tighter rule never helps


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_loads(name):
    scenario = load_scenario(name)
    assert scenario.description, f"{name} needs a description"
