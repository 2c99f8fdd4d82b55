"""Checks of the geography: does each zone lie in the district it says, and do zone polygons overlap?

    >>> misplaced_zones(zones, layer, outlines, shapes, lookup, notes)   # Problems: zone in another district
    >>> overlapping_zones(zones, layer)                                  # notes: pairs of overlapping polygons

A zone's point (or most of its polygon) inside another district's outline contradicts its `district_id`
(where it physically lies): that is an input problem naming the district it is in instead. A point inside
no outline at all is only a note (outlines are often simplified along coasts and rivers). With the [geo]
extra the tests use shapely; without it, points are tested against GeoJSON outlines with an even-odd
point-in-polygon test (`inside_ring`), so the core install checks too (points against GeoJSON outlines are always tested this
way, so the answer does not depend on whether the extra is installed).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputIssue
from .layers import WGS84, has_geo

MOST = 0.5          # "most of its polygon": a zone is placed by where more than half of its area lies
OVERLAP_SHARE = 0.01  # overlaps under 1% of the smaller polygon are digitising slivers, not news


def misplaced_zones(zones: pd.DataFrame, layer, outlines: dict[str, list], district_shapes, lookup: dict[str, str],
                    notes: list[str], skip: set[int] = frozenset()) -> list[InputIssue]:
    """A problem for every zone lying (by point, or by most of its polygon) in another district's outline;
    rows (lines) in `skip` already have a problem of their own and are left until it is fixed."""
    where = zones.attrs.get("where", "zones.csv")
    label = zones.attrs.get("row_label", "row")
    lines = zones.attrs.get("lines", list(range(2, len(zones) + 2)))
    column = zones.attrs.get("shown", {}).get("district_id", "district_id")  # as the file names it (columns:)
    names = {i: n for n, i in lookup.items() if n != i}
    found, share = _district_of_each_zone(zones, layer, outlines, district_shapes)
    problems, outside = [], []
    for k, (zone_id, own) in enumerate(zip(zones["zone_id"], zones["district_id"])):
        if own is None or lines[k] in skip:
            continue
        if found[k] is None:
            if pd.notna(zones["lat"].iloc[k]):
                outside.append(str(zone_id))
            continue
        if found[k] == own:
            continue
        how = "by its point" if share[k] is None else f"by most of its polygon ({share[k]:.0%})"
        fix = "its point (lat, lon)" if share[k] is None else "its boundary"
        problems.append(InputIssue(
            where, f"zone {zone_id} ({zones['name'].iloc[k]}) lies in {names.get(found[k], found[k])} ({found[k]}) "
            f"{how}, but {column} says {names.get(own, own)} ({own})",
            f"set {column} to {found[k]} (or {names.get(found[k], found[k])}) if that is where it lies, "
            f"or correct {fix}", row=lines[k], column=column, row_label=label))
    if outside:
        notes.append(f"{where}: {len(outside)} zone(s) lie outside every district outline: "
                     f"{', '.join(outside[:10])}{' …' if len(outside) > 10 else ''} — check their points, "
                     "or the outlines (often simplified along coasts and rivers)")
    return problems


def _district_of_each_zone(zones: pd.DataFrame, layer, outlines: dict[str, list],
                           district_shapes) -> tuple[list[str | None], list[float | None]]:
    """For each zone, the district its point lies in (share None) or holding most of its polygon (the share)."""
    n = len(zones)
    found: list[str | None] = [None] * n
    share: list[float | None] = [None] * n
    if (layer is None and district_shapes is None) or not has_geo():  # points in GeoJSON outlines: the core's way
        lat, lon = zones["lat"].to_numpy(float), zones["lon"].to_numpy(float)
        ok = np.isfinite(lat) & np.isfinite(lon)
        points = np.column_stack([lon, lat])[ok]
        positions = np.flatnonzero(ok)
        for district, polygons in sorted(outlines.items()):
            inside = _inside_outline(points, polygons)
            for k in positions[inside]:
                found[k] = found[k] or district
        return found, share
    import geopandas as gpd
    from shapely.geometry import shape

    if district_shapes is None:
        district_shapes = gpd.GeoSeries([shape({"type": "MultiPolygon", "coordinates": polygons})
                                         for polygons in outlines.values()], index=list(outlines), crs=WGS84)
    districts = district_shapes.make_valid()
    points = gpd.GeoSeries(gpd.points_from_xy(zones["lon"], zones["lat"]), crs=WGS84).to_crs(districts.crs)
    polygons = None
    if layer is not None and layer.shapes.geom_type.fillna("").str.contains("Polygon").any():
        metric = layer.metric_shapes()
        polygons = metric.make_valid()
        districts_metric = districts.to_crs(metric.crs)
    for k in range(n):
        if polygons is not None and "Polygon" in (layer.shapes.geom_type.iloc[k] or ""):
            area = polygons.iloc[k].area
            if area > 0:
                shares = districts_metric.intersection(polygons.iloc[k]).area / area
                best = shares.idxmax()
                found[k], share[k] = str(best), float(shares[best])
                if shares[best] <= MOST:  # split between districts, none holding most of it: nothing to say
                    found[k] = None if shares.max() == 0 else zones["district_id"].iloc[k]
                continue
        if points.iloc[k].is_empty or not np.isfinite(zones["lat"].iloc[k]):
            continue
        hits = districts.index[districts.contains(points.iloc[k])]
        found[k] = str(hits[0]) if len(hits) else None
    return found, share


def _inside_outline(points: np.ndarray, polygons: list) -> np.ndarray:
    """Points (lon, lat) inside any of the polygons (exterior ring, minus holes)."""
    inside = np.zeros(len(points), bool)
    if len(points) == 0:
        return inside
    for polygon in polygons:
        rings = [np.asarray(r, float)[:, :2] for r in polygon if len(r) >= 3]
        if not rings:
            continue
        here = inside_ring(points, rings[0])
        for hole in rings[1:]:
            here &= ~inside_ring(points, hole)
        inside |= here
    return inside


def inside_ring(points: np.ndarray, ring: np.ndarray, chunk: int = 1 << 22) -> np.ndarray:
    """Points (x, y) inside the closed ring, by counting crossings of a ray (even-odd), with the crossing test
    of matplotlib's Path.contains_points — the same answers without loading matplotlib (~0.2 s) to read a
    region. Only points in the ring's bounding box are tested, a few at a time (points × vertices)."""
    inside = np.zeros(len(points), bool)
    (x_min, y_min), (x_max, y_max) = ring.min(axis=0), ring.max(axis=0)
    near = np.flatnonzero((points[:, 0] >= x_min) & (points[:, 0] <= x_max)
                          & (points[:, 1] >= y_min) & (points[:, 1] <= y_max))
    x0, y0 = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)          # each side, the last one closing the ring
    step = max(1, chunk // len(ring))
    for start in range(0, len(near), step):
        k = near[start:start + step]
        x, y = points[k, 0][:, None], points[k, 1][:, None]
        above0, above1 = y0 >= y, y1 >= y
        crosses = (above0 != above1) & (((y1 - y) * (x0 - x1) >= (x1 - x) * (y0 - y1)) == above1)
        inside[k] = np.count_nonzero(crosses, axis=1) % 2 == 1
    return inside


def overlapping_zones(zones: pd.DataFrame, layer) -> list[str]:
    """A note for every pair of zone polygons overlapping by more than OVERLAP_SHARE of the smaller."""
    kinds = layer.shapes.geom_type.fillna("")
    if not kinds.str.contains("Polygon").any():
        return []
    shapes = layer.metric_shapes().make_valid()
    ids = list(zones["zone_id"])
    tree_pairs = shapes.sindex.query(shapes, predicate="intersects")
    notes = []
    for a, b in zip(*tree_pairs):
        if a >= b:
            continue
        overlap = shapes.iloc[a].intersection(shapes.iloc[b]).area
        smaller = min(shapes.iloc[a].area, shapes.iloc[b].area)
        if smaller > 0 and overlap > OVERLAP_SHARE * smaller:
            notes.append(f"{layer.where}: zones {ids[a]} and {ids[b]} overlap by {overlap / 1e4:.1f} ha "
                         f"({overlap / smaller:.0%} of the smaller) — check their boundaries (the same land "
                         "approved twice?)")
    return notes
