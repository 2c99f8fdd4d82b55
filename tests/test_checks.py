"""The independent plan checks: a hand-made valid plan passes all, each broken variant fails one."""
from __future__ import annotations

import copy

import math

import pandas as pd
import pytest

from consolidate.checks import CHECK_NAMES, CheckResult, check_plan, failed, preferred_mode
from consolidate.geo import haversine_km
from consolidate.graph import zone_graph
from consolidate.region import region_from_frames
from consolidate.scenario import Scenario

# three districts; D1 Alpha, D2 Beta, D3 Gamma
DISTRICTS = pd.DataFrame({"district_id": ["D1", "D2", "D3"], "name": ["Alpha", "Beta", "Gamma"]})

#  zone  district managing level        kind                         lat    lon     gdp  func   score
ZONES = [
    ("N1", "D1", "D1", "national",  "etdz",                      39.00, 117.00, 500, "false", ""),
    ("M1", "D1", "D1", "municipal", "industrial_park",           39.05, 117.00,  50, "",      "0.3"),
    ("M2", "D1", "D2", "municipal", "industrial_park",           39.00, 117.10,  40, "",      ""),
    ("H2", "D2", "D2", "municipal", "economic_zone",             39.30, 117.30, 200, "",      "0.8"),
    ("M3", "D3", "D3", "municipal", "industrial_park",           39.30, 117.40,  30, "",      "0.2"),
    ("C1", "D1", "D1", "national",  "customs_bonded_zone",       39.60, 117.00,  80, "",      ""),
    ("C2", "D1", "D1", "national",  "customs_export_processing", 39.65, 117.00,  20, "",      ""),
    ("R1", "D3", "D3", "district",  "industrial_park",           39.25, 117.50,   1, "",      ""),
    ("K1", "D3", "D3", "municipal", "industrial_park",           38.70, 117.50,  20, "",      ""),
]

#  zone  status     host   group mode               new_kind
PLAN = [
    ("N1", "host",    "N1", "g1", "",                ""),
    ("M1", "member",  "N1", "g1", "multi_park",      ""),   # same managing district
    ("M2", "member",  "N1", "g1", "entrusted",       ""),   # other managing district, national host
    ("H2", "host",    "H2", "g2", "",                ""),
    ("M3", "member",  "H2", "g2", "co_construction", ""),   # other managing district, municipal host
    ("C1", "host",    "C1", "g3", "",                "customs_comprehensive_bonded"),
    ("C2", "member",  "C1", "g3", "multi_park",      ""),
    ("R1", "revoked", None,  "",  "",                ""),
    ("K1", "host",    "K1", "g4", "",                ""),
]

BASE_SCENARIO = {
    "rules": {"district_cap": 2, "exempt_districts": ["Gamma"], "district_caps": {"Beta": 1}},
    "merging": {"contiguity": "adjacent", "max_distance_km": 30, "hosts": {"min_score": 0.6}},
    "revocation": {"max_gdp_share": 0.05},
    "fairness": {"max_district_loss": 0.5, "min_kept": 1.0},
}


def build_region(rows=ZONES):
    zones = pd.DataFrame(rows, columns=["zone_id", "district_id", "managing_district_id", "level", "kind",
                                         "lat", "lon", "gdp", "functional_area", "score"])
    zones["name"] = "Zone " + zones["zone_id"]
    zones["approved_area_ha"] = 100.0
    zones["fiscal_revenue"] = zones["gdp"] / 10
    zones["data_quality"] = "synthetic"
    zones["source"] = "test"
    return region_from_frames(DISTRICTS, zones, derive={"method": "distance", "max_km": 30})


@pytest.fixture(scope="module")
def region():
    return build_region()


@pytest.fixture(scope="module")
def graph(region):
    return zone_graph(region)


def scenario(**changes) -> Scenario:
    """The base scenario with nested changes, e.g. scenario(merging={"cross_district": False})."""
    data = {k: dict(v) for k, v in BASE_SCENARIO.items()}
    for key, value in changes.items():
        if isinstance(value, dict):
            data.setdefault(key, {}).update(value)
        else:
            data[key] = value
    return Scenario.model_validate(data)


def make_plan(region) -> pd.DataFrame:
    plan = pd.DataFrame(PLAN, columns=["zone_id", "status", "host_id", "group_id", "mode", "new_kind"]).set_index("zone_id")
    z = region.zones
    distance = []
    for zone, row in plan.iterrows():
        if row.status == "revoked":
            distance.append(math.nan)
        else:
            h = row.host_id
            distance.append(round(float(haversine_km(z.at[zone, "lat"], z.at[zone, "lon"], z.at[h, "lat"], z.at[h, "lon"])), 3))
    plan["distance_to_host_km"] = distance
    plan["district_id"] = z.loc[plan.index, "district_id"]
    plan["managing_district_id"] = z.loc[plan.index, "managing_district_id"]
    return plan


def accounting(region, plan) -> pd.DataFrame:
    """A territorial accounting table, computed by hand: revoked zones carry their measure away."""
    zones = region.zones
    revoked = plan.index[plan["status"] == "revoked"]
    table = pd.DataFrame(index=list(region.districts.index))
    for m in ("gdp", "fiscal_revenue"):
        table[f"{m}_before"] = zones.groupby("district_id")[m].sum().reindex(table.index, fill_value=0.0)
        table[f"{m}_revoked"] = zones.loc[revoked].groupby("district_id")[m].sum().reindex(table.index, fill_value=0.0)
        table[f"{m}_after"] = table[f"{m}_before"] - table[f"{m}_revoked"]
    return table


def run(region, graph, plan=None, scen=None, table=None, **kwargs) -> list[CheckResult]:
    plan = make_plan(region) if plan is None else plan
    table = accounting(region, plan) if table is None else table
    return check_plan(plan, region, scen or scenario(), graph, districts=table, **kwargs)


def assert_only(results: list[CheckResult], name: str) -> None:
    bad = {r.name: r.detail for r in failed(results)}
    assert set(bad) == {name}, f"expected exactly '{name}' to fail, got: {bad}"
    assert bad[name], f"'{name}' failed without saying why"


# --- the valid plan -------------------------------------------------------------------------------


def test_fixture_is_as_designed(graph):
    for member, host in (("M1", "N1"), ("M2", "N1"), ("M3", "H2"), ("C2", "C1")):
        assert graph.has_edge(member, host), (member, host)


def test_valid_plan_passes_every_check(region, graph):
    results = run(region, graph)
    assert [r.name for r in results] == list(CHECK_NAMES)
    assert failed(results) == [], "\n".join(map(str, failed(results)))


@pytest.mark.parametrize("merging", [
    {"contiguity": "nearby"},
    {"contiguity": "connected"},
    {"contiguity": "adjacent", "max_distance_km": None},
])
def test_valid_plan_passes_other_contiguity_rules(region, graph, merging):
    assert failed(run(region, graph, scen=scenario(merging=merging))) == []


def test_optional_checks_are_skipped(region, graph):
    names = [r.name for r in check_plan(make_plan(region), region, scenario(fairness={"max_district_loss": None,
                                                                                        "min_kept": None}), graph)]
    assert "conservation" not in names and "fairness" not in names
    names = [r.name for r in run(region, graph, scen=scenario(fairness={"max_district_loss": None, "min_kept": None}))]
    assert "conservation" in names and "fairness" not in names


def test_preferred_mode():
    assert preferred_mode(True, False, ["entrusted", "co_construction", "multi_park"]) == "multi_park"
    assert preferred_mode(True, False, ["co_construction", "entrusted"]) == "entrusted"
    assert preferred_mode(False, True, ["co_construction", "entrusted"]) == "entrusted"
    assert preferred_mode(False, True, ["co_construction", "multi_park"]) == "co_construction"
    assert preferred_mode(False, False, ["entrusted", "co_construction"]) == "co_construction"
    assert preferred_mode(False, False, ["multi_park"]) is None


# --- one broken variant per check ------------------------------------------------------------------


def test_every_zone_once_duplicate(region, graph):
    plan = make_plan(region)
    assert_only(run(region, graph, plan=pd.concat([plan, plan.loc[["K1"]]]), table=accounting(region, plan)),
                "every_zone_once")


def test_every_zone_once_missing_zone_and_bad_status(region, graph):
    plan = make_plan(region)
    plan.loc["K1", "status"] = "kept"
    assert_only(run(region, graph, plan=plan), "every_zone_once")
    results = run(region, graph, plan=make_plan(region).drop(index="K1"))
    assert "every_zone_once" in {r.name for r in failed(results)}


def test_hosts_host_themselves(region, graph):
    plan = make_plan(region)
    plan.loc["M1", "group_id"] = "g9"
    assert_only(run(region, graph, plan=plan), "hosts_host_themselves")


def test_hosts_host_themselves_revoked_with_host(region, graph):
    plan = make_plan(region)
    plan.loc["R1", "host_id"] = "K1"
    assert_only(run(region, graph, plan=plan), "hosts_host_themselves")


def test_district_caps(region, graph):
    plan = make_plan(region)  # M1 kept on its own: Alpha (cap 2) would keep N1, C1 and M1
    plan.loc["M1", ["status", "host_id", "group_id", "mode", "distance_to_host_km"]] = ["host", "M1", "g5", "", 0.0]
    assert_only(run(region, graph, plan=plan), "district_caps")
    # Beta has cap 1 by name; Gamma (exempt) may keep any number
    assert_only(run(region, graph, scen=scenario(rules={"district_caps": {"Beta": 0}})), "district_caps")
    assert failed(run(region, graph, scen=scenario(rules={"district_cap": 1, "exempt_districts": ["Alpha", "D3"]}))) == []


def test_district_caps_count_by_location(region, graph):
    plan = make_plan(region)  # M2 lies in Alpha but is run by Beta: under location counting Alpha keeps 3
    plan.loc["M2", ["status", "host_id", "group_id", "mode", "distance_to_host_km"]] = ["host", "M2", "g5", "", 0.0]
    scen = scenario(rules={"district_caps": {"Beta": 2}})
    assert failed(run(region, graph, plan=plan, scen=scen)) == []
    assert_only(run(region, graph, plan=plan, scen=scen.model_copy(update={"count_by": "location_district"})),
                "district_caps")


def test_host_eligibility_by_score(region, graph):
    assert_only(run(region, graph, scores=pd.Series({"H2": 0.5})), "host_eligibility")


def test_host_eligibility_by_level_and_pins(region, graph):
    plan = make_plan(region)  # M3 joins K1 (municipal, no score: the level default 0.6) instead of H2
    plan.loc["M3", ["host_id", "group_id", "mode", "distance_to_host_km"]] = [
        "K1", "g4", "multi_park", float(haversine_km(39.30, 117.40, 38.70, 117.50))]
    strict = {"contiguity": "nearby", "max_distance_km": 100, "hosts": {"min_score": 0.65}}
    assert_only(run(region, graph, plan=plan, scen=scenario(merging=strict)), "host_eligibility")
    lenient = {"contiguity": "nearby", "max_distance_km": 100, "hosts": {"min_score": 0.6}}
    assert failed(run(region, graph, plan=plan, scen=scenario(merging=lenient))) == []
    scen = scenario(merging=strict, pins={"hosts": ["K1"]})
    assert failed(run(region, graph, plan=plan, scen=scen)) == []


def test_membership_rules_forbidden_pair(region, graph):
    assert_only(run(region, graph, scen=scenario(pins={"forbid_pairs": [["M2", "N1"]]})), "membership_rules")


def test_membership_rules_distance(region, graph):
    for contiguity in ("adjacent", "nearby", "connected"):
        results = run(region, graph, scen=scenario(merging={"contiguity": contiguity, "max_distance_km": 7}))
        assert_only(results, "membership_rules")
        assert "M2" in failed(results)[0].detail


def test_membership_rules_cross_district(region, graph):
    results = run(region, graph, scen=scenario(merging={"cross_district": False}))
    assert_only(results, "membership_rules")
    assert "M3" in failed(results)[0].detail and "M1" not in failed(results)[0].detail


def test_membership_rules_not_adjacent(region, graph):
    plan = make_plan(region)  # M3 joins K1: 67 km away, no edge
    plan.loc["M3", ["host_id", "group_id", "mode", "distance_to_host_km"]] = [
        "K1", "g4", "multi_park", float(haversine_km(39.30, 117.40, 38.70, 117.50))]
    scen = scenario(pins={"hosts": ["K1"]})
    assert_only(run(region, graph, plan=plan, scen=scen), "membership_rules")
    scen = scenario(pins={"hosts": ["K1"]}, merging={"contiguity": "connected", "max_distance_km": None})
    assert_only(run(region, graph, plan=plan, scen=scen), "membership_rules")


def test_customs_rule_missing_new_kind(region, graph):
    plan = make_plan(region)
    plan.loc["C1", "new_kind"] = ""
    assert_only(run(region, graph, plan=plan), "customs_rule")


def test_customs_rule_stray_new_kind_and_mixing(region, graph):
    plan = make_plan(region)
    plan.loc["K1", "new_kind"] = "customs_comprehensive_bonded"
    assert_only(run(region, graph, plan=plan), "customs_rule")
    assert_only(run(region, graph, scen=scenario(merging={"customs": "separate"})), "customs_rule")
    assert_only(run(region, graph, scen=scenario(merging={"customs": "ignore"})), "customs_rule")  # stray new_kind
    plan = make_plan(region)
    plan.loc["C1", "new_kind"] = ""
    assert failed(run(region, graph, plan=plan, scen=scenario(merging={"customs": "ignore"}))) == []


def test_merge_modes_not_preferred(region, graph):
    plan = make_plan(region)
    plan.loc["M2", "mode"] = "co_construction"
    assert_only(run(region, graph, plan=plan), "merge_modes")


def test_merge_modes_multi_park_across_managing_districts(region, graph):
    plan = make_plan(region)
    plan.loc["M3", "mode"] = "multi_park"
    assert_only(run(region, graph, plan=plan), "merge_modes")


def test_functional_area_host():
    # H2 becomes a district-level functional area: it may host only as a functional area, and a
    # member run by another district joins it entrusted (as it would a national host)
    rows = [("H2", "D2", "D2", "district", "functional_area", 39.30, 117.30, 200, "true", "")
            if row[0] == "H2" else row for row in ZONES]
    region = build_region(rows)
    graph = zone_graph(region)
    plan = make_plan(region)
    assert_only(run(region, graph, plan=plan), "merge_modes")
    plan.loc["M3", "mode"] = "entrusted"
    assert failed(run(region, graph, plan=plan)) == []
    scen = scenario(merging={"hosts": {"functional_areas": False, "not_below_member": False}})
    assert_only(run(region, graph, plan=plan, scen=scen), "host_eligibility")
    scen = scenario(merging={"hosts": {"functional_areas": True, "not_below_member": True}})
    assert failed(run(region, graph, plan=plan, scen=scen)) == []   # a functional area hosts whatever its level


def test_member_joins_a_lower_level_host(region, graph):
    region = copy.deepcopy(region)   # the fixture is shared
    plan = make_plan(region)
    host = plan.loc[plan["status"] == "member", "host_id"].iloc[0]
    member = plan.index[(plan["status"] == "member") & (plan["host_id"] == host)][0]
    region.zones.loc[member, "level"] = "national"   # a national zone under a municipal host
    if region.zones.at[host, "level"] == "national":
        region.zones.loc[host, "level"] = "municipal"
    results = run(region, graph, plan=plan, scen=scenario(merging={"hosts": {"levels": ["national", "municipal"],
                                                                              "functional_areas": False}}))
    assert "membership_rules" in {r.name for r in failed(results)}


def test_merge_modes_disallowed(region, graph):
    assert_only(run(region, graph, scen=scenario(merging={"modes": ["entrusted", "co_construction"]})), "merge_modes")


def test_revocation_rules_gdp_share(region, graph):
    # R1 carries 1 of Gamma's 51: 2% of its zone GDP
    assert_only(run(region, graph, scen=scenario(revocation={"max_gdp_share": 0.01})), "revocation_rules")


@pytest.mark.parametrize("change", [
    {"revocation": {"allowed": False}},
    {"revocation": {"protect_levels": ["national", "district"]}},
    {"revocation": {"max_area_ha": 50}},
    {"revocation": {"require_grade": "unqualified"}},
    {"pins": {"keep": ["R1"]}},
    {"pins": {"revoke": ["K1"]}},
])
def test_revocation_rules_variants(region, graph, change):
    assert_only(run(region, graph, scen=scenario(**change)), "revocation_rules")


def test_revocation_rules_pinned_and_graded(region, graph):
    assert failed(run(region, graph, scen=scenario(revocation={"allowed": False}, pins={"revoke": ["R1"]}))) == []
    scen = scenario(revocation={"require_grade": "unqualified"})
    assert failed(run(region, graph, scen=scen, grades=pd.Series({"R1": "unqualified"}))) == []
    assert_only(run(region, graph, scen=scen, grades=pd.Series({"R1": "qualified"})), "revocation_rules")


def test_conservation(region, graph):
    table = accounting(region, make_plan(region))
    table.loc["D1", "gdp_after"] += 1.0
    assert_only(run(region, graph, table=table), "conservation")


def test_conservation_revoked_in_wrong_district(region, graph):
    table = accounting(region, make_plan(region))
    table.loc["D3", ["gdp_revoked", "gdp_after"]] = [0.0, table.at["D3", "gdp_before"]]
    table.loc["D2", ["gdp_revoked", "gdp_after"]] = [1.0, table.at["D2", "gdp_before"] - 1.0]
    assert_only(run(region, graph, table=table), "conservation")


def test_fairness(region, graph):
    assert_only(run(region, graph, scen=scenario(fairness={"max_district_loss": 0.01})), "fairness")
    assert_only(run(region, graph, scen=scenario(fairness={"min_kept": 100})), "fairness")  # Gamma keeps 50


def test_distances(region, graph):
    plan = make_plan(region)
    plan.loc["M1", "distance_to_host_km"] += 1.0
    assert_only(run(region, graph, plan=plan), "distances")
    plan = make_plan(region)
    plan.loc["R1", "distance_to_host_km"] = 0.0
    assert_only(run(region, graph, plan=plan), "distances")


def test_malformed_plan_fails_without_raising(region, graph):
    plan = make_plan(region).drop(columns=["mode"])
    results = run(region, graph, plan=plan)
    assert "every_zone_once" in {r.name for r in failed(results)}
    assert len(results) == len(CHECK_NAMES)
