"""Write a purely synthetic region model of n zones, for benchmarks (1k / 3k / 10k zones).

    >>> import sys; sys.path.insert(0, "scripts")
    >>> from generate_region import generate_region
    >>> generate_region(3000, n_districts=16, seed=0, out_dir="/tmp/synth-3k")
    PosixPath('/tmp/synth-3k')

    python scripts/generate_region.py --zones 10000 --districts 16 --seed 0 --out /tmp/synth-10k

Everything is synthetic (`data_quality: synthetic`) and reproducible from the seed
(numpy's PCG64 `default_rng(seed)`). The rules:

- the box: a square around `center` (default Tianjin) whose area is `n_zones × km2_per_zone`
  (default 35 km² per zone, about Tianjin's density of ~350 parks on 12,000 km²), so density
  stays the same whatever n is; zone points are uniform in it;
- districts: `n_districts` seed points uniform in the box; each zone belongs to the nearest
  seed (a Voronoi partition); ids `D01`, `D02`, …; lat/lon = the seed;
- levels: national 4 %, municipal 8 %, district 48 %, subdistrict 40 %;
- kinds: by level (see KINDS_BY_LEVEL), including a few customs areas among national zones;
- approved_area_ha: lognormal, median by level (national 1,500, municipal 600, district 150,
  subdistrict 50 ha; sigma 0.7), clipped to [5, 20,000];
- gdp, fiscal_revenue, employment: `synthetic_economics` (area × intensity × lognormal noise).
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import tempfile
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG = math.pi / 180 * EARTH_RADIUS_KM

ZONE_COLUMNS = ["zone_id", "name", "district_id", "province", "level", "kind", "approved_area_ha",
                "lat", "lon", "gdp", "fiscal_revenue", "employment", "approval_date", "industries",
                "data_quality", "coord_quality", "econ_quality", "source"]
DISTRICT_COLUMNS = ["district_id", "name", "province", "lat", "lon", "source"]
UNITS = {"gdp": "亿元", "fiscal_revenue": "亿元", "employment": "persons", "area": "ha"}

LEVEL_SHARES = {"national": 0.04, "municipal": 0.08, "district": 0.48, "subdistrict": 0.40}
AREA_MEDIAN_HA = {"national": 1500.0, "municipal": 600.0, "district": 150.0, "subdistrict": 50.0}
AREA_SIGMA = 0.7
AREA_CLIP_HA = (5.0, 20000.0)
KINDS_BY_LEVEL = {
    "national": {"etdz": 0.4, "htz": 0.35, "customs_comprehensive_bonded": 0.2, "border_cooperation_zone": 0.05},
    "municipal": {"economic_zone": 0.5, "industrial_park": 0.3, "htz": 0.15, "etdz": 0.05},
    "district": {"industrial_park": 0.7, "economic_zone": 0.2, "other_zone": 0.1},
    "subdistrict": {"industrial_park": 0.7, "economic_zone": 0.2, "other_zone": 0.1},
}
# GDP intensity, 亿元 per approved ha, by level (catalog levels as in scripts/build_china.py)
GDP_PER_HA = {"national": 0.30, "municipal": 0.08, "district": 0.04, "subdistrict": 0.025}
GDP_SIGMA, FISCAL_SHARE, FISCAL_SIGMA, JOBS_PER_YI, JOBS_SIGMA = 0.6, 0.11, 0.3, 150.0, 0.35


def synthetic_economics(rng: np.random.Generator, area_ha: np.ndarray,
                        intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """gdp = area × intensity × LN(0, 0.6); fiscal = gdp × 0.11 × LN(0, 0.3); jobs = gdp × 150 × LN(0, 0.35)."""
    n = len(area_ha)
    gdp = area_ha * intensity * np.exp(GDP_SIGMA * rng.standard_normal(n))
    fiscal = gdp * FISCAL_SHARE * np.exp(FISCAL_SIGMA * rng.standard_normal(n))
    jobs = gdp * JOBS_PER_YI * np.exp(JOBS_SIGMA * rng.standard_normal(n))
    return gdp, fiscal, jobs


def lognormal_area(rng: np.random.Generator, levels: np.ndarray) -> np.ndarray:
    median = np.array([AREA_MEDIAN_HA[level] for level in levels])
    return np.clip(median * np.exp(AREA_SIGMA * rng.standard_normal(len(levels))), *AREA_CLIP_HA)


def pick_kinds(rng: np.random.Generator, levels: np.ndarray) -> np.ndarray:
    kinds = np.empty(len(levels), dtype=object)
    for level, table in KINDS_BY_LEVEL.items():
        mask = levels == level
        if mask.any():
            kinds[mask] = rng.choice(list(table), size=int(mask.sum()), p=list(table.values()))
    return kinds


def fmt_array(values: np.ndarray, digits: int) -> list[str]:
    """Fixed decimals with trailing zeros dropped (same style as build_china.py)."""
    out = []
    for value in np.round(np.asarray(values, dtype=float), digits):
        text = f"{value:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        out.append("0" if text in ("-0", "") else text)
    return out


def write_csv(path: Path, columns: list[str], rows: list[dict] | dict[str, list]) -> None:
    """Rows as dicts, or a dict of equal-length columns; UTF-8, `\\n` line ends."""
    if isinstance(rows, dict):
        n = len(next(iter(rows.values())))
        rows = [{c: rows[c][i] if c in rows else "" for c in columns} for i in range(n)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def write_region_yaml(path: Path, spec: dict) -> None:
    import yaml

    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def generate_region(n_zones: int, n_districts: int = 16, seed: int = 0, out_dir: str | Path | None = None, *,
                    center: tuple[float, float] = (39.1, 117.2), km2_per_zone: float = 35.0,
                    district_cap: int = 3, max_km: float = 25.0) -> Path:
    """Write a synthetic region model folder (region.yaml, districts.csv, zones.csv); return its path.

    n_zones zones in n_districts districts; `out_dir` is created if needed (a new temporary
    folder when None). Same arguments → byte-identical files.
    """
    if n_zones < 1 or n_districts < 1:
        raise ValueError("n_zones and n_districts must be at least 1")
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix=f"synthetic-{n_zones}-"))
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    side_km = math.sqrt(n_zones * km2_per_zone)
    lat0, lon0 = center
    half_lat = side_km / 2 / KM_PER_DEG
    half_lon = side_km / 2 / (KM_PER_DEG * math.cos(math.radians(lat0)))

    def uniform_points(n: int) -> tuple[np.ndarray, np.ndarray]:
        return (lat0 + rng.uniform(-half_lat, half_lat, n), lon0 + rng.uniform(-half_lon, half_lon, n))

    d_lat, d_lon = uniform_points(n_districts)
    z_lat, z_lon = uniform_points(n_zones)
    scale = math.cos(math.radians(lat0))
    _, home = cKDTree(np.column_stack([d_lat, d_lon * scale])).query(np.column_stack([z_lat, z_lon * scale]))

    width = max(2, len(str(n_districts)))
    district_ids = [f"D{i + 1:0{width}d}" for i in range(n_districts)]
    write_csv(out / "districts.csv", DISTRICT_COLUMNS, {
        "district_id": district_ids,
        "name": [f"合成区{i + 1:0{width}d}" for i in range(n_districts)],
        "province": ["synthetic"] * n_districts,
        "lat": fmt_array(d_lat, 6), "lon": fmt_array(d_lon, 6),
        "source": [f"synthetic: generate_region seed={seed}; Voronoi cell of a uniform seed point"] * n_districts,
    })

    levels = rng.choice(list(LEVEL_SHARES), size=n_zones, p=list(LEVEL_SHARES.values()))
    kinds = pick_kinds(rng, levels)
    area = lognormal_area(rng, levels)
    gdp, fiscal, jobs = synthetic_economics(rng, area, np.array([GDP_PER_HA[level] for level in levels]))
    zone_width = max(5, len(str(n_zones)))
    zone_ids = [f"Z{i + 1:0{zone_width}d}" for i in range(n_zones)]
    source = f"synthetic: generate_region(n_zones={n_zones}, n_districts={n_districts}, seed={seed})"
    write_csv(out / "zones.csv", ZONE_COLUMNS, {
        "zone_id": zone_ids,
        "name": [f"合成园区{z[1:]}" for z in zone_ids],
        "district_id": [district_ids[h] for h in home],
        "province": ["synthetic"] * n_zones,
        "level": levels.tolist(), "kind": kinds.tolist(),
        "approved_area_ha": fmt_array(area, 2), "lat": fmt_array(z_lat, 6), "lon": fmt_array(z_lon, 6),
        "gdp": fmt_array(gdp, 3), "fiscal_revenue": fmt_array(fiscal, 4), "employment": fmt_array(jobs, 0),
        "data_quality": ["synthetic"] * n_zones, "coord_quality": ["synthetic"] * n_zones,
        "econ_quality": ["synthetic"] * n_zones, "source": [source] * n_zones,
    })
    write_region_yaml(out / "region.yaml", {
        "name": f"synthetic-{n_zones}",
        "title": f"Synthetic region: {n_zones} zones in {n_districts} districts (seed {seed})",
        "districts": "districts.csv", "zones": "zones.csv",
        "adjacency": {"derive": {"method": "delaunay", "max_km": max_km}},
        "rules": {"district_cap": district_cap, "exempt_districts": []},
        "units": UNITS,
        "data_note": (f"Entirely synthetic (scripts/generate_region.py, seed {seed}): uniform points in a "
                      f"{side_km:.0f} km square, Voronoi districts, lognormal areas, synthetic economics. "
                      "For benchmarks only."),
    })
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a purely synthetic region model (benchmarks).")
    parser.add_argument("--zones", type=int, required=True)
    parser.add_argument("--districts", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    print(generate_region(args.zones, args.districts, args.seed, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
