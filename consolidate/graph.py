"""The adjacency graph of zones: explicit edges, derived edges, or both.

    >>> from consolidate.graph import zone_graph, islands
    >>> G = zone_graph(region)            # networkx.Graph; edge attribute km (great-circle)
    >>> islands(G)                        # zones with no neighbour
    []

Derivation methods (region.yaml `adjacency.derive`):
- `delaunay` (max_km): Delaunay triangulation of the zone points, edges longer than max_km dropped;
- `knn` (k, max_km): each zone linked to its k nearest zones;
- `distance` (max_km): every pair within max_km.
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from .geo import haversine_km, local_xy_km, pairs_within_km, unique_pairs, unit_vectors
from .region import Region, derivation_sha256


def zone_graph(region: Region) -> nx.Graph:
    """Every zone a node (with its attributes), every edge weighted by great-circle km."""
    zones = region.zones
    ids = list(zones.index)
    n = len(ids)
    row = {zone: k for k, zone in enumerate(ids)}
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    kinds = {(min(a, b), max(a, b)): k for a, b, k in
             zip(region.edges["zone_a"], region.edges["zone_b"], region.edges["kind"])}
    given = [(row[a], row[b]) for a, b in kinds]
    boundary_km: dict[tuple[str, str], float] = {}
    if region.derive and region.derive["method"] == "polygons":
        boundary_km = polygon_edges(region.zone_shapes, region.derive["buffer_m"])
        given += [(row[a], row[b]) for a, b in boundary_km]
        a, b = np.empty(0, np.int64), np.empty(0, np.int64)
    elif region.derive:
        a, b = _derived_pairs_of(region, row)
    else:
        a, b = np.empty(0, np.int64), np.empty(0, np.int64)
    if given:
        a = np.concatenate([a, np.array([x for x, _ in given], np.int64)])
        b = np.concatenate([b, np.array([y for _, y in given], np.int64)])
    # every edge once, as (smaller id, larger id), in the order of the ids (what sorting the id pairs gives)
    a, b = unique_pairs(a, b, n)
    rank = np.empty(n, np.int64)
    rank[sorted(range(n), key=ids.__getitem__)] = np.arange(n)
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    order = np.lexsort((rank[b], rank[a]))
    a, b = a[order], b[order]
    names = np.asarray(ids, dtype=object)
    first, second = names[a].tolist(), names[b].tolist()
    if region.distances is not None and region.distances.method != "great_circle":
        km = list(region.distances.km_between(first, second))
    else:
        lat, lon = zones["lat"].to_numpy(dtype=float), zones["lon"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            km = haversine_km(lat[a], lon[a], lat[b], lon[b]).tolist()
    if region.derive and region.derive.get("distance_between") == "boundary":
        km = [boundary_km.get(pair, k) for pair, k in zip(zip(first, second), km)]
    graph.add_edges_from((x, y, {"km": float(k), "kind": kinds.get((x, y)) or "derived"})
                         for x, y, k in zip(first, second, km))
    return graph


def polygon_edges(shapes, buffer_m: float) -> dict[tuple[str, str], float]:
    """Zones whose polygons touch or come within buffer_m of each other: {(a, b): boundary-to-boundary km},
    measured in the zones layer's CRS when projected (else local UTM)."""
    if shapes.crs is None or not shapes.crs.is_projected:
        shapes = shapes.to_crs(shapes.estimate_utm_crs())
    ids = list(shapes.index)
    shapes = shapes.reset_index(drop=True).make_valid()
    left, right = shapes.sindex.query(shapes, predicate="dwithin", distance=buffer_m) if buffer_m > 0 \
        else shapes.sindex.query(shapes, predicate="intersects")
    out = {}
    for i, j in zip(left.tolist(), right.tolist()):
        if i < j:
            out[(min(ids[i], ids[j]), max(ids[i], ids[j]))] = round(shapes.iloc[i].distance(shapes.iloc[j]) / 1000, 6)
    return out


def _derived_pairs_of(region: Region, row: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The region's derived edges as point indices: those shipped with the model while they still match its
    points and rule (region.DerivedEdges), else by the rule now."""
    shipped = region.derived_edges
    if shipped is not None and shipped.applies(region.zones, region.derive):
        return (np.array([row[z] for z in shipped.zone_a], np.int64),
                np.array([row[z] for z in shipped.zone_b], np.int64))
    return _derived_pairs(region.zones["lat"].to_numpy(), region.zones["lon"].to_numpy(), region.derive)


def shipped_derived_edges(region: Region) -> tuple[list[tuple[str, str]], str]:
    """What a model's build script writes so runs need not derive: the rule's edges from the region's points
    (sorted id pairs) and their `region.derivation_sha256` (region.yaml: adjacency.derived_edges)."""
    zones = region.zones
    pairs = sorted(derived_edges(zones["lat"].to_numpy(), zones["lon"].to_numpy(), list(zones.index), region.derive))
    return pairs, derivation_sha256(zones, region.derive, [a for a, _ in pairs], [b for _, b in pairs])


def derived_edges(lat: np.ndarray, lon: np.ndarray, ids: list[str], derive: dict) -> set[tuple[str, str]]:
    """Edges (as sorted id pairs) from points by the region's derivation rule."""
    a, b = _derived_pairs(lat, lon, derive)
    names = np.asarray(ids, dtype=object)
    return {(x, y) if x < y else (y, x) for x, y in zip(names[a].tolist(), names[b].tolist())}


def _derived_pairs(lat: np.ndarray, lon: np.ndarray, derive: dict) -> tuple[np.ndarray, np.ndarray]:
    """derived_edges as point indices (i, j), each pair once."""
    method, max_km = derive["method"], derive.get("max_km", np.inf)
    n = len(lat)
    empty = np.empty(0, np.int64)
    if n < 2:
        return empty, empty
    a, b = empty, empty
    if method == "distance":
        a, b, _ = pairs_within_km(lat, lon, max_km)
    elif method == "knn":
        from scipy.spatial import cKDTree   # loaded only when edges are derived (SciPy's spatial module is slow to load)

        k = min(derive.get("k", 4), n - 1)
        _, neighbours = cKDTree(unit_vectors(lat, lon)).query(unit_vectors(lat, lon), k=k + 1)
        a, b = unique_pairs(np.repeat(np.arange(n), k), neighbours[:, 1:].ravel(), n)
    elif method == "delaunay":
        a, b = _delaunay_pairs(local_xy_km(lat, lon))
    if np.isfinite(max_km) and len(a):
        keep = haversine_km(lat[a], lon[a], lat[b], lon[b]) <= max_km
        a, b = a[keep], b[keep]
    return a, b


def _delaunay_pairs(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.spatial import Delaunay, QhullError

    n = len(xy)
    if n == 2:
        return np.array([0]), np.array([1])
    try:
        # QJ joggles the input so every point, even a duplicate, is a vertex of the triangulation
        triangles = Delaunay(xy, qhull_options="QJ Qbb Qc").simplices
    except (QhullError, ValueError):  # all points on a line: link consecutive points along it
        order = np.lexsort((xy[:, 1], xy[:, 0]))
        return unique_pairs(order[:-1], order[1:], n)
    sides = np.vstack([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
    return unique_pairs(sides[:, 0], sides[:, 1], n)


def islands(graph: nx.Graph) -> list[str]:
    """Zones with no neighbour, sorted."""
    return sorted(n for n, d in graph.degree() if d == 0)


def edges_table(graph: nx.Graph):
    """The graph's edges as a table (zone_a, zone_b, km, kind), sorted."""
    import pandas as pd

    rows = [(a, b, d["km"], d.get("kind", "")) for a, b, d in graph.edges(data=True)]
    rows = [(min(a, b), max(a, b), km, kind) for a, b, km, kind in rows]
    return pd.DataFrame(sorted(rows), columns=["zone_a", "zone_b", "km", "kind"])
