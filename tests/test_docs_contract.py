"""docs/ as the contract: what docs/checks.md and docs/policy.md say is what the code does (#12)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from consolidate.checks import CHECK_NAMES, check_plan
from consolidate.errors import InputError
from consolidate.graph import zone_graph
from consolidate.problem import build_problem
from consolidate.region import load_region
from consolidate.scenario import load_scenario, resolve_scenario
from consolidate import solve

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_checks_md_lists_every_check_in_the_order_the_code_runs_them():
    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    described = re.findall(r"^\*\*`(\w+)`\*\*", text, re.M)
    assert tuple(described) == CHECK_NAMES
    order = text.split("## The checks, in the order they run", 1)[1].split("##", 1)[0]
    assert tuple(re.findall(r"`(\w+)`", order)[:len(CHECK_NAMES)]) == CHECK_NAMES


def test_a_zone_without_a_score_takes_its_level_default_for_min_score(small_region):
    """Municipal zones without a score count as 0.6 (docs/policy.md): they may host under min_score 0.5,
    not under 0.7 — in the model and in the check alike."""
    region = load_region(small_region)
    assert "score" not in region.zones or region.zones["score"].isna().all()
    for min_score, municipal_may_host in ((0.5, True), (0.7, False)):
        _, scenario = resolve_scenario("baseline", small_region, [f"merging.hosts.min_score={min_score}",
                                                                   "revocation.allowed=false"])
        plan = solve(region, scenario)
        assert all(c["passed"] for c in plan.summary["checks"])
        table = plan.table
        hosts_with_members = set(table.loc[table["status"] == "member", "host_id"])
        levels = set(region.zones.loc[sorted(hosts_with_members), "level"])
        assert municipal_may_host or levels <= {"national"}

        # the same hand-made plan: a2 (municipal, no score) hosts a4
        forced = table.copy()
        forced.loc[:, ["status", "host_id", "group_id", "mode", "new_kind"]] = ["host", "", "", "", ""]
        forced["host_id"] = forced.index
        forced["group_id"] = forced.index
        forced["distance_to_host_km"] = 0.0
        forced.loc["a4", ["status", "host_id", "group_id", "mode"]] = ["member", "a2", "a2", "multi_park"]
        forced.loc["a4", "distance_to_host_km"] = np.nan
        results = {r.name: r for r in check_plan(forced, region, scenario, zone_graph(region))}
        assert results["host_eligibility"].passed == municipal_may_host, results["host_eligibility"]


def test_min_kept_above_what_a_district_had_means_keep_all_it_had(small_region):
    """fairness.min_kept: after ≥ min(min_kept, before) — schema, policy.md, checks.md, model and check."""
    from consolidate.scenario import Fairness

    assert "or all it had" in Fairness.model_fields["min_kept"].description
    region, scenario = resolve_scenario("baseline", small_region, [
        "fairness.min_kept=1000000", "allocation.gdp=host", "allocation.fiscal_revenue=host"])
    plan = solve(region, scenario)   # a floor above every district's total is not infeasible
    assert all(c["passed"] for c in plan.summary["checks"])
    d = plan.districts
    assert (d["gdp_after"] >= d["gdp_before"] - 1e-4).all()


def test_nearby_without_a_distance_is_refused_at_the_scenario():
    with pytest.raises(InputError, match="max_distance_km"):
        load_scenario("baseline", ["merging.contiguity=nearby", "merging.max_distance_km=null"])
    load_scenario("baseline", ["merging.contiguity=connected", "merging.max_distance_km=null"])   # no limit: fine


def test_a_pair_costs_the_same_distance_under_adjacent_and_nearby():
    """adjacent takes a pair's km from the graph's edge, nearby from the points: the same km, to the bit."""
    region = load_region("tianjin")
    graph = zone_graph(region)
    km = {}
    for contiguity in ("adjacent", "nearby"):
        _, scenario = resolve_scenario("baseline", region, [f"merging.contiguity={contiguity}"])
        problem = build_problem(region, scenario, graph)
        km[contiguity] = {(int(m), int(h)): k for m, h, k in
                          zip(problem.pair_member, problem.pair_host, problem.pair_km)}
    common = set(km["adjacent"]) & set(km["nearby"])
    assert len(common) > 10
    assert all(km["adjacent"][p] == km["nearby"][p] for p in common)
