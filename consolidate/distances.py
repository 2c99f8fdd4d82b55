"""How far apart two zones are, as the planner chooses to measure it (region.yaml `distances:`).

    great_circle (default)    along the earth's surface between the zones' points, km
    planar                    straight line in a projected CRS (the zones layer's, or `crs: EPSG:4547`), km
    distances.csv             an explicit matrix `zone_a, zone_b, km` or `zone_a, zone_b, minutes`, such as road
                              distance or travel time from the planner's own network tool

    >>> region.distances.between(["a1"], ["h1"])       # array([12.5]); NaN where the matrix has no such pair

With a matrix, a pair missing from it is not an allowed pair (no member joins a host the planner gave no
distance to), and `merging.max_distance_km` is read in the matrix's unit (minutes for a time matrix). A row
holds for both directions unless the reverse row is given too (member → host is what counts).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .geo import haversine_km, pairs_within_km

METHODS = ("great_circle", "planar")


@dataclass
class Distances:
    method: str = "great_circle"          # great_circle | planar | matrix
    unit: str = "km"                      # km | minutes
    source: str = ""                      # the matrix file, or the planar CRS
    lat: pd.Series | None = None          # by zone_id (great_circle, and km beside a time matrix)
    lon: pd.Series | None = None
    xy_km: pd.DataFrame | None = None     # planar: x, y in km by zone_id
    matrix: pd.Series | None = None       # matrix: value by (zone_a, zone_b), both directions present

    def describe(self) -> str:
        if self.method == "matrix":
            what = "travel minutes" if self.unit == "minutes" else "km"
            return f"{what} from {self.source} (pairs missing from it are not allowed)"
        if self.method == "planar":
            return f"planar km in {self.source}"
        return "great-circle km between the zones' points"

    def between(self, a, b) -> np.ndarray:
        """The planner's distance from zones `a` to zones `b` (ids, element-wise); NaN where unknown."""
        a, b = list(a), list(b)
        if self.method == "matrix":
            return self.matrix.reindex(pd.MultiIndex.from_arrays([a, b])).to_numpy(dtype=float)
        return self.km_between(a, b)

    def km_between(self, a, b) -> np.ndarray:
        """Kilometres between zones (the matrix's when it is in km; else planar or great-circle)."""
        a, b = list(a), list(b)
        if self.method == "matrix" and self.unit == "km":
            return self.between(a, b)
        if self.method == "planar":
            pa, pb = self.xy_km.reindex(a).to_numpy(float), self.xy_km.reindex(b).to_numpy(float)
            return np.hypot(*(pa - pb).T) if len(a) else np.empty(0)
        return np.asarray(haversine_km(self.lat.reindex(a).to_numpy(float), self.lon.reindex(a).to_numpy(float),
                                       self.lat.reindex(b).to_numpy(float), self.lon.reindex(b).to_numpy(float)),
                          dtype=float).reshape(-1)

    def pairs_within(self, ids: list[str], limit: float) -> tuple[np.ndarray, np.ndarray]:
        """Index pairs (i < j) into `ids` that may be within `limit` (either direction), sorted."""
        if self.method == "matrix":
            index = {z: k for k, z in enumerate(ids)}
            keys = self.matrix[self.matrix <= limit].index
            pairs = {(min(index[x], index[y]), max(index[x], index[y])) for x, y in keys if x in index and y in index
                     and x != y}
            pairs = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
            return pairs[:, 0], pairs[:, 1]
        if self.method == "planar":
            from scipy.spatial import cKDTree

            xy = self.xy_km.reindex(ids).to_numpy(float)
            ok = np.flatnonzero(np.isfinite(xy).all(axis=1))
            found = cKDTree(xy[ok]).query_pairs(limit * (1 + 1e-12), output_type="ndarray")
            pairs = np.sort(ok[found], axis=1) if len(found) else np.empty((0, 2), np.int64)
            pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
            return pairs[:, 0], pairs[:, 1]
        i, j, _ = pairs_within_km(self.lat.reindex(ids).to_numpy(float), self.lon.reindex(ids).to_numpy(float), limit)
        return i, j


def great_circle(zones: pd.DataFrame) -> Distances:
    return Distances(lat=zones["lat"], lon=zones["lon"])


def planar(zones: pd.DataFrame, crs) -> Distances:
    """Straight-line km in a projected CRS (the zones' WGS84 points projected with pyproj)."""
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(zones["lon"].to_numpy(float),
                                                                             zones["lat"].to_numpy(float))
    xy = pd.DataFrame({"x": np.asarray(x) / 1000, "y": np.asarray(y) / 1000}, index=zones.index)
    return Distances(method="planar", source=str(crs), lat=zones["lat"], lon=zones["lon"], xy_km=xy)


def matrix(zones: pd.DataFrame, table: pd.DataFrame, unit: str, source: str) -> Distances:
    """A matrix read from `zone_a, zone_b, km|minutes`; each row holds both ways unless the reverse is given."""
    forward = pd.Series(table[unit].to_numpy(float), index=pd.MultiIndex.from_arrays([table["zone_a"], table["zone_b"]]))
    backward = pd.Series(forward.to_numpy(), index=forward.index.swaplevel())
    values = pd.concat([forward, backward[~backward.index.isin(forward.index)]])
    values = values[~values.index.duplicated(keep="first")].sort_index()
    return Distances(method="matrix", unit=unit, source=source, lat=zones["lat"], lon=zones["lon"], matrix=values)
