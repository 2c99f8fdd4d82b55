"""The consolidation IP on hand-made regions whose optimal plans are known by construction."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from click.testing import CliRunner

from consolidate import load_region
from consolidate.cli import main
from consolidate.errors import InfeasibleError
from consolidate.scenario import load_scenario, scenario_from_dict
from consolidate.pipeline import solve

D3 = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}, {"district_id": "C", "name": "丙区"}]


def scenario(**overrides):
    data = load_scenario("baseline").as_dict()
    data["rules"]["exempt_districts"] = []
    for key, value in overrides.items():
        node = data
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return scenario_from_dict(data)


def zone(zone_id, district, lat, lon, **kw):
    return {"zone_id": zone_id, "name": zone_id, "district_id": district, "lat": lat, "lon": lon, **kw}


def four_in_a(make_region, edges, **kw):
    zones = [zone("a1", "A", 39.0, 117.0, level="national", kind="etdz", gdp=100),
             zone("a2", "A", 39.0, 117.1, gdp=40), zone("a3", "A", 39.1, 117.0, gdp=30),
             zone("a4", "A", 39.1, 117.1, gdp=1), zone("b1", "B", 39.2, 117.1, gdp=50)]
    return load_region(make_region(D3, zones, edges=edges, **kw))


def status(plan):
    return {z: (r["status"], r["host_id"]) for z, r in plan.table.iterrows()}


def test_forced_plan_the_only_merge_allowed(make_region):
    region = four_in_a(make_region, [("a1", "a4")])
    plan = solve(region, scenario(revocation__allowed=False))
    assert status(plan)["a4"] == ("member", "a1")
    assert [z for z, (s, _) in status(plan).items() if s != "host"] == ["a4"]
    assert plan.summary["proven_optimal"] and plan.summary["checks_passed"]
    assert plan.table.at["a4", "mode"] == "multi_park"   # same managing district: one zone, many parks


def test_only_revocation_works(make_region):
    region = four_in_a(make_region, [("a4", "b1")])
    plan = solve(region, scenario(merging__cross_district=False))
    assert status(plan)["a4"] == ("revoked", "")   # the only zone small enough (≤5% of 甲区's GDP)
    assert plan.districts.loc["A", "zones_after"] == 3


def test_only_a_cross_district_merge_works(make_region):
    region = four_in_a(make_region, [("a4", "b1"), ("a2", "a3")])
    plan = solve(region, scenario(revocation__allowed=False))
    assert status(plan)["a4"] == ("member", "b1") or {status(plan)["a2"][0], status(plan)["a3"][0]} == {"host", "member"}
    # with the intra-district edge gone, only the cross-district merge is left
    region = four_in_a(make_region, [("a4", "b1")])
    plan = solve(region, scenario(revocation__allowed=False))
    assert status(plan)["a4"] == ("member", "b1")
    assert plan.table.at["a4", "mode"] == "co_construction"   # another district's body, a peer host
    with pytest.raises(InfeasibleError) as caught:
        solve(region, scenario(revocation__allowed=False, merging__cross_district=False))
    message = str(caught.value)
    assert "甲区" in message and "cap of 3" in message and "cross-district merges off" in message
    assert "revocation not allowed" in message and "merging.cross_district=true" in message


def test_customs_areas_fold_into_a_comprehensive_bonded_zone(make_region):
    zones = [zone("c1", "A", 39.0, 117.0, level="national", kind="customs_bonded_zone", gdp=20),
             zone("c2", "A", 39.05, 117.0, level="national", kind="customs_export_processing", gdp=10),
             zone("e1", "A", 39.0, 117.05, level="national", kind="etdz", gdp=100)]
    region = load_region(make_region(D3, zones, derive={"method": "distance", "max_km": 20}))
    plan = solve(region, scenario(rules__district_cap=2))
    groups = status(plan)
    assert groups["e1"] == ("host", "e1")                            # an ETDZ may not take a customs area
    members = [z for z, (s, _) in groups.items() if s == "member"]
    assert len(members) == 1 and members[0] in ("c1", "c2")
    host = groups[members[0]][1]
    assert plan.table.at[host, "new_kind"] == "customs_comprehensive_bonded"
    assert plan.summary["counts"]["customs_folded"] == 1
    with pytest.raises(InfeasibleError):                              # customs areas never merge
        solve(region, scenario(rules__district_cap=2, merging__customs="separate"))


def test_infeasible_message_names_district_and_blocking_rule(make_region):
    zones = [zone("n1", "B", 39.0, 117.0, level="national", kind="etdz"),
             zone("n2", "B", 40.0, 118.0, level="national", kind="htz")]
    region = load_region(make_region(D3, zones, derive={"method": "distance", "max_km": 20}))
    with pytest.raises(InfeasibleError) as caught:
        solve(region, scenario(rules__district_cap=1))
    message = str(caught.value)
    assert "乙区 has 2 zones that count against a cap of 1" in message
    assert "national zones are protected from revocation" in message and "no eligible host" in message


def test_run_command_exit_code_3_when_infeasible(make_region, tmp_path):
    zones = [zone("n1", "B", 39.0, 117.0, level="national", kind="etdz"),
             zone("n2", "B", 40.0, 118.0, level="national", kind="htz")]
    folder = make_region(D3, zones, derive={"method": "distance", "max_km": 20})
    out = tmp_path / "plan"
    result = CliRunner().invoke(main, ["run", "baseline", "--region", str(folder), "--set", "rules.district_cap=1",
                                       "--set", "rules.exempt_districts=[]", "--out", str(out), "--no-charts"])
    assert result.exit_code == 3, result.output
    assert "乙区" in result.output and not out.exists()


# --- metamorphic: loosening a rule never makes the optimum worse -------------------------------------


def random_region(make_region, seed, n=36):
    rng = np.random.default_rng(seed)
    districts = [{"district_id": f"D{k}", "name": f"区{k}"} for k in range(4)]
    zones = []
    for k in range(n):
        d = k % 4
        zones.append(zone(f"z{k:02d}", f"D{d}", 39 + d * 0.15 + rng.normal(0, 0.08), 117 + rng.normal(0, 0.15),
                          level=rng.choice(["national", "municipal", "district"], p=[0.2, 0.4, 0.4]),
                          gdp=float(np.round(rng.lognormal(2, 1), 2)),
                          approved_area_ha=float(np.round(rng.uniform(50, 900), 1))))
    return load_region(make_region(districts, zones, derive={"method": "delaunay", "max_km": 40}))


LOOSENINGS = [
    ("rules__district_cap", 5, 6),
    ("revocation__allowed", False, True),
    ("merging__cross_district", False, True),
    ("merging__max_distance_km", 12.0, 25.0),
    ("revocation__max_gdp_share", 0.02, 0.2),
]


def optimum(region, **kw):
    try:
        plan = solve(region, scenario(merging__contiguity="nearby", **kw))
    except InfeasibleError:
        return float("inf")
    assert plan.summary["proven_optimal"] and plan.summary["checks_passed"]
    return plan.summary["objective"]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("key, tight, loose", LOOSENINGS)
def test_loosening_a_rule_never_makes_the_optimum_worse(make_region, seed, key, tight, loose):
    region = random_region(make_region, seed)
    base = {"rules__district_cap": 5}
    tight_value = optimum(region, **{**base, key: tight})
    loose_value = optimum(region, **{**base, key: loose})
    assert loose_value <= tight_value + 1e-7, (key, tight_value, loose_value)


def test_same_inputs_give_byte_identical_plans(make_region, tmp_path):
    region = random_region(make_region, 3)
    files = []
    for k in range(2):
        plan = solve(region, scenario(merging__contiguity="nearby", rules__district_cap=5))
        files.append(plan.to_dir(tmp_path / f"p{k}", charts=False))
    for name in ("plan.csv", "districts.csv", "flows.csv", "graph.csv"):
        assert (files[0] / name).read_bytes() == (files[1] / name).read_bytes(), name


@pytest.mark.parametrize("solver, backend", [("highs", "pulp"), ("cbc", "pulp"), ("highs", "highspy")])
def test_solvers_and_back_ends_agree(make_region, solver, backend):
    region = random_region(make_region, 4)
    reference = optimum(region, rules__district_cap=5)
    assert optimum(region, rules__district_cap=5, solver__name=solver, solver__backend=backend) \
        == pytest.approx(reference, abs=1e-6)


# --- regressions found by review: pins, forbidden pairs, CBC's verdicts --------------------------------


@pytest.mark.parametrize("backend", ["pulp", "highspy"])
def test_pinned_revocation_holds_on_every_back_end(make_region, backend):
    region = four_in_a(make_region, [("a1", "a4"), ("a2", "a3")])
    plan = solve(region, scenario(pins__revoke=["a2"], solver__backend=backend))
    assert plan.table.at["a2", "status"] == "revoked" and plan.summary["checks_passed"]


def test_forbidden_zones_never_share_a_host(make_region):
    zones = [zone("a1", "A", 39.0, 117.0, level="national", kind="etdz", gdp=100),
             zone("a2", "A", 39.05, 117.0, gdp=20), zone("a3", "A", 39.0, 117.05, gdp=20)]
    region = load_region(make_region(D3, zones, derive={"method": "distance", "max_km": 30}))
    plan = solve(region, scenario(rules__district_cap=1, revocation__allowed=False))
    assert status(plan)["a2"] == status(plan)["a3"] == ("member", "a1")
    with pytest.raises(InfeasibleError):   # both must join a1 (cap 1), but may not be in one group
        solve(region, scenario(rules__district_cap=1, revocation__allowed=False, pins__forbid_pairs=[["a2", "a3"]]))


def test_cbc_stopped_at_a_gap_is_not_called_optimal(make_region):
    region = random_region(make_region, 5)
    plan = solve(region, scenario(merging__contiguity="nearby", rules__district_cap=5, solver__name="cbc",
                                  solver__mip_gap=0.5))
    assert not plan.summary["proven_optimal"] and plan.summary["status"] != "optimal"
