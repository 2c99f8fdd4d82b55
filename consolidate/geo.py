"""Great-circle distances between points, exactly and fast (a KD-tree on the unit sphere).

    >>> haversine_km(39.04, 117.69, 39.01, 117.23)     # TEDA to Xiqing ETDZ
    39.7...
"""
from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on scalars and numpy arrays."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat, lon) -> np.ndarray:
    """Points as 3-D unit vectors, so that chord length orders pairs like great-circle distance."""
    lat, lon = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


COMPARE_ALL_UP_TO = 500_000   # point pairs: up to here comparing them all (≤ ~40 ms) beats loading SciPy's KD-tree (~0.3 s)


def _pairs_by_comparison(xyz: np.ndarray, some: np.ndarray, radius: float):
    """(i, j) for every point i in `some` and j with |xyz[i] − xyz[j]| ≤ radius (i = j included)."""
    found_i, found_j = [], []
    rows = max(1, 200_000 // max(len(xyz), 1))        # a few MB of differences at a time
    for start in range(0, len(some), rows):
        block = some[start:start + rows]
        gap = xyz[block, None, :] - xyz[None, :, :]
        k, j = np.nonzero(np.einsum("ijk,ijk->ij", gap, gap) <= radius * radius)
        found_i.append(block[k])
        found_j.append(j)
    return np.concatenate(found_i).astype(np.int64), np.concatenate(found_j).astype(np.int64)


def pairs_within_km(lat, lon, max_km: float, touching: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs (i < j) of points within max_km of each other: (i, j, km), sorted by (i, j). With `touching`
    (a mask), only the pairs with at least one point in it: the tree search starts from those points, so
    the pairs among the others are never formed (most of them on 100,000 zones whose few hosts are masked)."""
    xyz = unit_vectors(lat, lon)
    chord = 2 * np.sin(min(max_km, np.pi * EARTH_RADIUS_KM) / (2 * EARTH_RADIUS_KM))
    radius = chord * (1 + 1e-12)   # a superset: the great-circle km below decide
    some = np.arange(len(xyz)) if touching is None else np.flatnonzero(touching)
    if len(some) * len(xyz) <= COMPARE_ALL_UP_TO:
        i, j = _pairs_by_comparison(xyz, some, radius)
    elif touching is None:
        from scipy.spatial import cKDTree   # here: SciPy's spatial module takes time to load (~0.3 s)

        found = cKDTree(xyz).query_pairs(radius, output_type="ndarray")
        i, j = found[:, 0].astype(np.int64), found[:, 1].astype(np.int64)
    else:
        from scipy.spatial import cKDTree

        near = cKDTree(xyz[some]).sparse_distance_matrix(cKDTree(xyz), radius, output_type="ndarray")
        i, j = some[near["i"]].astype(np.int64), near["j"].astype(np.int64)
    i, j = unique_pairs(i, j, len(xyz))   # a pair of two searched points is found twice
    km = haversine_km(lat[i], lon[i], lat[j], lon[j])
    keep = km <= max_km
    return i[keep], j[keep], km[keep]


def unique_pairs(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs {a, b} (a ≠ b) of point indices below n, as (smaller, larger), sorted."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    low, high = np.minimum(a, b), np.maximum(a, b)
    key = unique_sorted((low * n + high)[low != high])
    return key // n, key % n


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique of integer keys, by one sort: NumPy 2.4's np.unique hashes first, 30 times slower on the
    million pair keys of a 100,000-zone region."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def local_xy_km(lat, lon) -> np.ndarray:
    """An equirectangular projection around the points' mean latitude, in km (for triangulation)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    k = np.pi / 180 * EARTH_RADIUS_KM
    return np.column_stack([(lon - lon.mean()) * k * np.cos(np.radians(lat.mean())), (lat - lat.mean()) * k])
