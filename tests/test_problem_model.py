"""The core's own unit tests on a region small enough to write every array out by hand.

    a1 national ── a2 municipal ── a3 district        (district A, cap 1)
     │
    b1 municipal                                      (district B, cap 1)

GDP 60 / 30 / 10 / 20 (120 in all), adjacency as drawn, the default scenario but any zone small or large
may be revoked (national ones are protected). Who may join whom, at what cost, and the matrix rows of
the MIP follow from the policy by hand; the tests say so array by array.
"""
from __future__ import annotations

import numpy as np
import pytest

from consolidate.diagnose import districts_stuck_over_cap, must_survive, precheck
from consolidate.errors import InfeasibleError
from consolidate.graph import zone_graph
from consolidate.model import build_model
from consolidate.problem import among, build_problem
from consolidate.region import load_region
from consolidate.scenario import scenario_from_dict

DISTRICTS = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
ZONES = [
    {"zone_id": "a1", "name": "甲一", "district_id": "A", "level": "national", "kind": "etdz", "lat": 39.0,
     "lon": 117.0, "gdp": 60},
    {"zone_id": "a2", "name": "甲二", "district_id": "A", "lat": 39.0, "lon": 117.1, "gdp": 30},
    {"zone_id": "a3", "name": "甲三", "district_id": "A", "level": "district", "lat": 39.0, "lon": 117.2, "gdp": 10},
    {"zone_id": "b1", "name": "乙一", "district_id": "B", "lat": 39.1, "lon": 117.0, "gdp": 20},
]
EDGES = [("a1", "a2"), ("a2", "a3"), ("a1", "b1")]


@pytest.fixture
def setup(make_region):
    def build(cap=1, **scenario):
        folder = make_region(DISTRICTS, ZONES, edges=EDGES, rules={"district_cap": cap, "exempt_districts": []})
        region = load_region(folder)
        data = {"name": "unit", "region": str(folder), "revocation": {"max_gdp_share": None}, **scenario}
        resolved = scenario_from_dict(data).for_region(region)
        graph = zone_graph(region)
        return region, resolved, graph, build_problem(region, resolved, graph)

    return build


def test_build_problem_arrays(setup):
    region, _, graph, problem = setup()
    assert problem.zone_ids == ["a1", "a2", "a3", "b1"]
    assert problem.caps == {"A": 1, "B": 1}
    assert problem.count_district.tolist() == ["A", "A", "A", "B"]
    assert problem.can_host.tolist() == [True, True, False, True]       # national and municipal host; a3 cannot
    assert problem.revocable.tolist() == [False, True, True, True]      # national zones are protected
    assert not problem.must_host.any() and not problem.must_revoke.any()
    # adjacent pairs, host eligible and not below its member: a2→a1, a3→a2, b1→a1 (a1 never joins a lower host)
    assert problem.pair_member.tolist() == [1, 2, 3]
    assert problem.pair_host.tolist() == [0, 1, 0]
    assert problem.pair_mode.tolist() == ["multi_park", "multi_park", "entrusted"]   # same body / national host
    km = [graph.edges["a1", "a2"]["km"], graph.edges["a2", "a3"]["km"], graph.edges["a1", "b1"]["km"]]
    assert problem.pair_km == pytest.approx(km, abs=1e-6)
    assert km[0] == pytest.approx(8.65, abs=0.05) and km[2] == pytest.approx(11.12, abs=0.05)


def test_build_problem_costs(setup):
    _, _, _, problem = setup()
    pct = np.array([60, 30, 10, 20]) / 120 * 100          # GDP as a percentage of the region's zone GDP
    score = np.array([0.8, 0.6, 0.4, 0.6])                 # level defaults: no evaluation data
    m, h = problem.pair_member, problem.pair_host
    distance = pct[m] * problem.pair_km / 30.0             # km over max_distance_km
    quality = pct[m] * (1 - score[h])
    assert problem.cost_pair == pytest.approx(1.0 * distance + 2.0 * quality, abs=1e-8)   # default weights 1, 2
    assert problem.cost_revoke == pytest.approx(5.0 * pct, abs=1e-8)                       # revocation weight 5
    assert problem.cost_host.tolist() == [0, 0, 0, 0]                                      # zone_count weight 0
    assert problem.cost_parts["zone_count"]["host"].tolist() == [25.0] * 4
    assert problem.cost_parts["host_quality"]["pair"] == pytest.approx([25 * 0.2, 25 / 3 * 0.4, 50 / 3 * 0.2])


def test_build_problem_follows_the_rules(setup):
    assert setup(merging={"cross_district": False})[3].pair_member.tolist() == [1, 2]        # b1→a1 crosses
    assert setup(merging={"hosts": {"not_below_member": False}})[3].pair_host.tolist() == [1, 3, 0, 1, 0]
    assert not setup(revocation={"allowed": False})[3].revocable.any()
    pinned = setup(pins={"hosts": ["a3"], "revoke": ["b1"]})[3]
    assert pinned.must_host.tolist() == [False, False, True, False]
    assert pinned.can_host.tolist() == [True, True, True, True] and pinned.revocable.tolist() == [False, True, False, True]
    # a3 (pinned) may host a2 although it is lower; b1 is revoked, so it neither joins nor hosts
    assert pinned.pair_member.tolist() == [1, 1] and pinned.pair_host.tolist() == [0, 2]


def test_precheck_passes_when_a_plan_may_exist(setup):
    region, scenario, _, problem = setup(cap=1)
    assert precheck(problem, region, scenario) is None


def test_precheck_names_the_district_the_zones_and_the_rules(setup):
    region, scenario, _, problem = setup(cap=0)
    with pytest.raises(InfeasibleError) as raised:
        precheck(problem, region, scenario)
    message = str(raised.value)
    # a1 can join no host (none is national beside it) and national zones are protected: A keeps ≥ 1 > 0
    assert "甲区 has 3 zones that count against a cap of 0, but 1 of them can neither join a host nor be revoked" \
        in message
    assert "甲一 (no eligible host it is adjacent to within 30 km; national zones are protected from revocation)" \
        in message
    assert "乙区" not in message.split("what would relax it")[0]          # b1 may join a1 or be revoked
    assert "raise the cap (--set rules.district_caps.甲区=N)" in message


@pytest.mark.parametrize("cap", [0, 1, 2])
def test_districts_stuck_over_cap_counts_as_the_loop_did(setup, cap):
    region, scenario, _, problem = setup(cap=cap)
    stuck = must_survive(problem)
    loop = [d for d, c in sorted(problem.caps.items())    # the old loop: every zone compared per district
            if (stuck[problem.count_district == d]).sum() > c]
    blocked, reasons = districts_stuck_over_cap(problem, region, scenario)
    assert blocked == loop == (["A"] if cap == 0 else [])
    assert len(reasons) == len(blocked)


def test_among_is_isin():
    values = np.array(["a1", "b1", "a2", "", "b1"], dtype=object)
    for wanted in ([], ["b1"], ["a2", "zz", "a1"], {"b1": 3}):
        assert among(values, wanted).tolist() == np.isin(values, list(wanted)).tolist()
    assert among(["national", "district"], ("national",)).tolist() == [True, False]


def test_build_model_rows(setup):
    _, _, _, problem = setup()
    model = build_model(problem, np.arange(4), np.arange(3))
    # columns: host a1..b1 (0-3), join a2→a1, a3→a2, b1→a1 (4-6), revoke a2, a3, b1 (7-9)
    assert model.host_col == {0: 0, 1: 1, 2: 2, 3: 3}
    assert model.join_col == {0: 4, 1: 5, 2: 6}
    assert model.revoke_col == {1: 7, 2: 8, 3: 9}
    assert model.c == pytest.approx(np.concatenate([problem.cost_host, problem.cost_pair, problem.cost_revoke[1:]]))
    assert model.col_lo.tolist() == [0] * 10 and model.col_hi.tolist() == [1] * 10 and model.integer.all()
    A, lo, hi = model.matrix()
    assert model.row_kind == ["assign"] * 4 + ["link"] * 3 + ["cap"] * 2
    assert A.toarray().tolist() == [
        # h1 h2 h3 hb  j21 j32 jb1  r2 r3 rb
        [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],     # a1: host (it can neither join nor be revoked)
        [0, 1, 0, 0, 1, 0, 0, 1, 0, 0],     # a2: host, join a1 or be revoked
        [0, 0, 1, 0, 0, 1, 0, 0, 1, 0],     # a3
        [0, 0, 0, 1, 0, 0, 1, 0, 0, 1],     # b1
        [-1, 0, 0, 0, 1, 0, 0, 0, 0, 0],    # a2 joins a1 only if a1 hosts
        [0, -1, 0, 0, 0, 1, 0, 0, 0, 0],    # a3 joins a2 only if a2 hosts
        [-1, 0, 0, 0, 0, 0, 1, 0, 0, 0],    # b1 joins a1 only if a1 hosts
        [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],     # cap of A
        [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],     # cap of B
    ]
    assert lo.tolist() == [1, 1, 1, 1] + [-np.inf] * 5
    assert hi.tolist() == [1, 1, 1, 1, 0, 0, 0, 1, 1]


def test_build_model_pins_fix_columns(setup):
    _, _, _, problem = setup(pins={"hosts": ["a2"], "revoke": ["b1"]})
    model = build_model(problem, np.arange(4), np.arange(len(problem.pair_member)))
    assert model.col_lo[model.host_col[1]] == 1 and model.col_lo[model.revoke_col[3]] == 1
    assert int(model.col_lo.sum()) == 2


def _derived_edges_by_loops(lat, lon, ids, derive):
    """graph.derived_edges as it was written with Python sets (the reference for the vectorised one)."""
    from scipy.spatial import Delaunay, cKDTree

    from consolidate.geo import haversine_km, local_xy_km, pairs_within_km, unit_vectors

    method, max_km, n = derive["method"], derive.get("max_km", np.inf), len(ids)
    if method == "distance":
        i, j, _ = pairs_within_km(lat, lon, max_km)
        pairs = set(zip(i.tolist(), j.tolist()))
    elif method == "knn":
        k = min(derive.get("k", 4), n - 1)
        _, neighbours = cKDTree(unit_vectors(lat, lon)).query(unit_vectors(lat, lon), k=k + 1)
        pairs = {(min(a, b), max(a, b)) for a, row in enumerate(neighbours) for b in row[1:] if a != b}
    else:
        triangles = Delaunay(local_xy_km(lat, lon), qhull_options="QJ Qbb Qc").simplices
        sides = np.vstack([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
        sides.sort(axis=1)
        pairs = set(map(tuple, np.unique(sides, axis=0).tolist()))
    if np.isfinite(max_km) and pairs:
        a, b = np.array(sorted(pairs)).T
        km = haversine_km(lat[a], lon[a], lat[b], lon[b])
        pairs = {(int(x), int(y)) for x, y, d in zip(a, b, km) if d <= max_km}
    return {(min(ids[a], ids[b]), max(ids[a], ids[b])) for a, b in pairs}


@pytest.mark.parametrize("derive", [{"method": "delaunay", "max_km": 12}, {"method": "delaunay"},
                                    {"method": "knn", "k": 3, "max_km": 15}, {"method": "knn", "k": 2},
                                    {"method": "distance", "max_km": 14}])
def test_derived_edges_are_those_of_the_loops(derive):
    from consolidate.graph import derived_edges

    rng = np.random.default_rng(3)
    lat, lon = 39 + rng.uniform(0, 0.3, 40), 117 + rng.uniform(0, 0.4, 40)
    lat[7], lon[7] = lat[3], lon[3]                               # a duplicate point
    ids = [f"z{k:02d}" for k in rng.permutation(40)]              # ids not in point order
    assert derived_edges(lat, lon, ids, derive) == _derived_edges_by_loops(lat, lon, ids, derive)
    line = np.full(4, 39.0), 117 + np.array([0.3, 0.1, 0.0, 0.2]), ["d", "c", "b", "a"], {"method": "delaunay"}
    assert derived_edges(*line) == _derived_edges_by_loops(*line)   # collinear points


def test_pairs_touching_a_mask_are_the_pairs_of_the_mask():
    from consolidate.geo import pairs_within_km

    rng = np.random.default_rng(5)
    lat, lon = 39 + rng.uniform(0, 0.5, 60), 117 + rng.uniform(0, 0.6, 60)
    lat[9], lon[9] = lat[4], lon[4]                                 # two zones at one point
    mask = rng.random(60) < 0.2
    mask[4] = mask[9] = True
    i, j, km = pairs_within_km(lat, lon, 12.0)
    near = mask[i] | mask[j]
    got = pairs_within_km(lat, lon, 12.0, touching=mask)
    for full, part in zip((i[near], j[near], km[near]), got):
        assert np.array_equal(full, part)


@pytest.mark.parametrize("masked", [False, True])
def test_pairs_within_km_by_comparison_are_the_kd_trees(monkeypatch, masked):
    """Small regions compare every pair of points (NumPy; no SciPy spatial to load), large ones search a
    KD-tree: the same pairs and km, duplicate points included."""
    import consolidate.geo as geo

    rng = np.random.default_rng(8)
    lat, lon = 39 + rng.uniform(0, 0.8, 300), 117 + rng.uniform(0, 0.9, 300)
    lat[7], lon[7] = lat[3], lon[3]
    mask = rng.random(300) < 0.3 if masked else None
    compared = geo.pairs_within_km(lat, lon, 9.0, touching=mask)
    monkeypatch.setattr(geo, "COMPARE_ALL_UP_TO", 0)
    searched = geo.pairs_within_km(lat, lon, 9.0, touching=mask)
    assert len(compared[0]) > 100
    for a, b in zip(compared, searched):
        assert np.array_equal(a, b)


def test_nearby_pairs_leave_out_only_pairs_without_a_host(setup):
    from consolidate.problem import _candidate_pairs

    region, scenario, graph, problem = setup(cap=1, merging={"contiguity": "nearby", "max_distance_km": 30})
    index = {z: k for k, z in enumerate(region.zones.index)}
    every = _candidate_pairs(region, scenario, graph, index)
    hosted = _candidate_pairs(region, scenario, graph, index, problem.can_host)
    keep = problem.can_host[every[1]]
    assert not keep.all()                                           # some pairs are left out
    for full, part in zip(every, hosted):
        assert np.array_equal(full[keep], part[problem.can_host[hosted[1]]])
    assert set(zip(problem.pair_member.tolist(), problem.pair_host.tolist())) <= set(zip(*map(np.ndarray.tolist, hosted[:2])))


def test_zone_graph_is_the_graph_of_sorted_id_pairs(make_region):
    """zone_graph as it was written (every id pair sorted as text, then added): same nodes, edges, order, km."""
    from consolidate.geo import haversine_km
    from consolidate.graph import derived_edges

    rng = np.random.default_rng(8)
    ids = [f"Z{k}" for k in rng.permutation(30)]                    # ids not in text order
    zones = [{"zone_id": z, "name": z, "district_id": "A", "lat": 39 + rng.uniform(0, 0.3),
              "lon": 117 + rng.uniform(0, 0.3)} for z in ids]
    edges = [(ids[0], ids[1]), (ids[5], ids[2]), (ids[7], ids[20])]
    region = load_region(make_region(DISTRICTS, zones, edges=edges, derive={"method": "knn", "k": 2, "max_km": 20}))
    import networkx as nx

    z, e = region.zones, region.edges
    kinds = {(min(a, b), max(a, b)): k for a, b, k in zip(e["zone_a"], e["zone_b"], e["kind"])}
    pairs = sorted(set(kinds) | derived_edges(z["lat"].to_numpy(), z["lon"].to_numpy(), list(z.index), region.derive))
    reference = nx.Graph()
    reference.add_nodes_from(z.index)
    reference.add_edges_from((a, b, {"km": float(haversine_km(z.at[a, "lat"], z.at[a, "lon"], z.at[b, "lat"], z.at[b, "lon"])),
                                     "kind": kinds.get((a, b)) or "derived"}) for a, b in pairs)
    graph = zone_graph(region)
    assert list(graph.nodes) == list(reference.nodes)
    for node in reference:   # neighbours in the same order, with the same km and kind
        assert repr(list(graph.adj[node].items())) == repr(list(reference.adj[node].items()))


def test_sparse_rows_are_scipys_csr():
    """model.SparseRows (NumPy only, so a small run need not import scipy.sparse) holds what SciPy's csr_matrix
    would: the same arrays, column copy, product and slices — so the solver gets the same model."""
    from scipy import sparse

    from consolidate.model import SparseRows

    rng = np.random.default_rng(3)
    rows, cols = rng.integers(0, 7, 40), rng.integers(0, 9, 40)
    vals = rng.choice([-1.0, 1.0, 2.5, 0.0], 40)
    ours, theirs = SparseRows.from_entries(rows, cols, vals, (8, 9)), sparse.csr_matrix((vals, (rows, cols)), shape=(8, 9))
    for a, b in ((ours, theirs), (ours.tocsc(), theirs.tocsc())):
        assert a.indptr.tolist() == b.indptr.tolist() and a.indices.tolist() == b.indices.tolist()
        assert a.data.tolist() == b.data.tolist() and a.shape == b.shape
    x = rng.normal(size=9)
    assert (ours @ x).tolist() == (theirs @ x).tolist()
    keep = rng.random(9) < 0.6
    assert (ours.columns(keep).toarray() == theirs[:, np.flatnonzero(keep)].toarray()).all()
    touched = ours.columns(keep).nonempty_rows()
    assert (ours.columns(keep).take_rows(touched).toarray() == theirs[:, np.flatnonzero(keep)].tocsr()[touched].toarray()).all()
    stacked = SparseRows.stack([ours, ours.take_rows(touched)], 9)
    assert (stacked.toarray() == sparse.vstack([theirs, theirs[touched]]).toarray()).all()
