"""Extend the china-2018 model with seeded, synthetic uncatalogued parks to about --target zones.

    python scripts/generate_national.py --seed 0 --target 25000 --out /tmp/china-2018-25k

The 2018 catalog lists only State-Council and provincial zones; most parks are approved by
cities, counties or towns and are in no national list. Tianjin is the one place we have a
count for: 314 parks for its 33 catalogued zones, about 9.5 per catalog zone. This script adds
`target - 2543` parks (about 8.8 per catalog zone for 25,000), all `data_quality: synthetic`:

- how many per catalog zone: weights LN(0, 0.5) per catalog zone, the total split by largest
  remainder (ties: catalog order), so the total is exactly the target;
- where: around its parent catalog zone, in the parent's district: distance LN(median 6 km,
  sigma 0.6) clipped to [1, 30] km, uniform bearing (so the point may cross into a neighbouring
  cluster; its district stays the parent's);
- level: `district` 60 %, `subdistrict` 40 %; kind: industrial_park 70 %, economic_zone 20 %,
  other_zone 10 %;
- approved_area_ha: LN with median 150 ha (district) or 50 ha (subdistrict), sigma 0.7, clipped
  to [5, 20,000];
- gdp, fiscal_revenue, employment: the rule of generate_region.synthetic_economics, with
  intensity 0.04 (district) and 0.025 (subdistrict) 亿元 per ha;
- ids `GEN-000001` … in catalog order of their parents.

Output: a complete model folder (region.yaml, districts.csv copied, zones.csv = the catalog
rows unchanged + the generated rows, README.md). Reproducible: same seed and target → same files.
"""
from __future__ import annotations

import argparse
import csv
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_region import (  # noqa: E402
    AREA_CLIP_HA, AREA_SIGMA, GDP_PER_HA, KM_PER_DEG, ZONE_COLUMNS, fmt_array, synthetic_economics,
    write_csv, write_region_yaml,
)

BASE = Path(__file__).resolve().parent.parent / "models" / "china-2018"
WEIGHT_SIGMA = 0.5
DISTANCE_MEDIAN_KM, DISTANCE_SIGMA, DISTANCE_CLIP_KM = 6.0, 0.6, (1.0, 30.0)
LEVEL_SHARES = {"district": 0.6, "subdistrict": 0.4}
KIND_SHARES = {"industrial_park": 0.7, "economic_zone": 0.2, "other_zone": 0.1}
AREA_MEDIAN_HA = {"district": 150.0, "subdistrict": 50.0}


def allocate(rng: np.random.Generator, n_parents: int, total: int) -> np.ndarray:
    """Integer counts per parent summing to total, proportional to LN(0, WEIGHT_SIGMA) weights."""
    weights = np.exp(WEIGHT_SIGMA * rng.standard_normal(n_parents))
    share = weights / weights.sum() * total
    counts = np.floor(share).astype(np.int64)
    short = total - int(counts.sum())
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def generate_national(seed: int = 0, target: int = 25000, out_dir: str | Path = "/tmp/china-2018-25k",
                      base: str | Path = BASE) -> Path:
    base, out = Path(base), Path(out_dir)
    with (base / "zones.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        catalog = list(reader)
    if columns != ZONE_COLUMNS:
        raise SystemExit(f"unexpected columns in {base / 'zones.csv'}: {columns}")
    n_new = target - len(catalog)
    if n_new < 0:
        raise SystemExit(f"--target {target} is below the {len(catalog)} catalog zones")
    rng = np.random.default_rng(seed)

    counts = allocate(rng, len(catalog), n_new)
    parent = np.repeat(np.arange(len(catalog)), counts)
    p_lat = np.array([float(z["lat"]) for z in catalog])[parent]
    p_lon = np.array([float(z["lon"]) for z in catalog])[parent]
    km = np.clip(DISTANCE_MEDIAN_KM * np.exp(DISTANCE_SIGMA * rng.standard_normal(n_new)), *DISTANCE_CLIP_KM)
    bearing = rng.uniform(0, 2 * math.pi, n_new)
    lat = p_lat + km * np.cos(bearing) / KM_PER_DEG
    lon = p_lon + km * np.sin(bearing) / (KM_PER_DEG * np.cos(np.radians(p_lat)))

    levels = rng.choice(list(LEVEL_SHARES), size=n_new, p=list(LEVEL_SHARES.values()))
    kinds = rng.choice(list(KIND_SHARES), size=n_new, p=list(KIND_SHARES.values()))
    median = np.where(levels == "district", AREA_MEDIAN_HA["district"], AREA_MEDIAN_HA["subdistrict"])
    area = np.clip(median * np.exp(AREA_SIGMA * rng.standard_normal(n_new)), *AREA_CLIP_HA)
    intensity = np.where(levels == "district", GDP_PER_HA["district"], GDP_PER_HA["subdistrict"])
    gdp, fiscal, jobs = synthetic_economics(rng, area, intensity)

    # k-th child of each parent, for the name
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    child = np.arange(n_new) - starts + 1
    ids = [f"GEN-{i + 1:06d}" for i in range(n_new)]
    parents = [catalog[p] for p in parent]
    generated = {
        "zone_id": ids,
        "name": [f"{p['name']}·合成园{k}" for p, k in zip(parents, child.tolist())],
        "district_id": [p["district_id"] for p in parents],
        "province": [p["province"] for p in parents],
        "level": levels.tolist(), "kind": kinds.tolist(),
        "approved_area_ha": fmt_array(area, 2), "lat": fmt_array(lat, 6), "lon": fmt_array(lon, 6),
        "gdp": fmt_array(gdp, 3), "fiscal_revenue": fmt_array(fiscal, 4), "employment": fmt_array(jobs, 0),
        "data_quality": ["synthetic"] * n_new, "coord_quality": ["synthetic"] * n_new,
        "econ_quality": ["synthetic"] * n_new,
        "source": [f"synthetic: generate_national.py seed={seed} target={target}; near {p['zone_id']}"
                   for p in parents],
    }
    rows = catalog + [{c: generated[c][i] if c in generated else "" for c in ZONE_COLUMNS} for i in range(n_new)]

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "zones.csv", ZONE_COLUMNS, rows)
    shutil.copyfile(base / "districts.csv", out / "districts.csv")
    spec = yaml.safe_load((base / "region.yaml").read_text(encoding="utf-8"))
    spec["name"] = f"china-2018-{target}"
    spec["title"] = (f"China development zones: the 2018 catalog ({len(catalog)}) plus {n_new} synthetic "
                     f"uncatalogued parks (seed {seed})")
    spec["data_note"] = (f"The {len(catalog)} catalog rows are models/china-2018 unchanged (see its README for "
                         f"what is real there). The {n_new} GEN-* rows are entirely synthetic "
                         f"(scripts/generate_national.py, seed {seed}): points near a catalog zone, "
                         "district/subdistrict levels, lognormal areas, synthetic economics.")
    write_region_yaml(out / "region.yaml", spec)
    per_parent = np.bincount(counts) if n_new else np.array([len(catalog)])
    (out / "README.md").write_text(
        f"# {spec['name']}\n\nGenerated, not committed: `python scripts/generate_national.py --seed {seed} "
        f"--target {target} --out {out}`.\n\n{spec['data_note']}\n\n"
        f"- zones: {len(rows)} ({len(catalog)} catalog + {n_new} generated, "
        f"{n_new / len(catalog):.2f} per catalog zone; per parent min {counts.min()}, max {counts.max()}; "
        f"{int(per_parent[0]) if len(per_parent) else 0} parents got none)\n"
        f"- districts: copied from {base.name}/districts.csv\n"
        f"- rules of generation: see the docstring of scripts/generate_national.py\n",
        encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=int, default=25000, help="total zones wanted (catalog + generated)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--base", type=Path, default=BASE, help="the china-2018 model folder")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = generate_national(args.seed, args.target, args.out, args.base)
    print(f"wrote {out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
