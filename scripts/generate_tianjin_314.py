#!/usr/bin/env python3
"""Generate `models/tianjin-314/`: the 33 real catalog zones plus synthetic parks up to the 314 of 2018.

    python scripts/generate_tianjin_314.py --seed 0 --out models/tianjin-314
    python scripts/generate_tianjin_314.py --seed 0 --scale 0.3 --out /tmp/tj-small   # fewer parks (tests)

The 2018 园区围城治理 plan (scripts/sources/tianjin/SOURCES.md §2) counts 314 industrial parks
(工业园区/集聚区) before the campaign: 10 national, 42 municipal, 93 district-level and 169 below
district level. Only the 33 zones of the national catalog are known one by one; this script copies
them unchanged from `models/tianjin/zones.csv` and generates the rest (`data_quality: synthetic`,
ids `TJP-0001`, …) so that the campaign parks number exactly 10 / 42 / 93 / 169 by level:

- **National (10 = the catalog's 12 rows).** 天津出口加工区 (G123003, inside TEDA) and 天津保税物流园区
  (G123004, run by the 天津港保税区) are taken as parts of TEDA and of the 保税区, not separate campaign
  parks (a judgement; the 2022 evaluation also speaks of 10 national opening areas). Column
  `campaign_park` says which campaign park each row counts as; every other row counts as itself.
- **Municipal (42 = 21 catalog + 21 generated).** The catalog's 21 provincial zones are among the 42;
  the 21 others (city-designated parks outside the catalog) are generated.
- **District (93) and below district (169):** all generated.

Rules (every number is a named constant below, and the generated README.md repeats them):

- Districts: none in the six central urban districts; the rest share the parks of each level in
  proportion to w = ½ × share of 2023 GDP + ½ × share of catalog zones located there (largest
  remainder; 蓟州区's missing GDP is imputed as the smallest known among these districts).
- Points: around anchors — the catalog zone points in the district, the district seat (DataV
  "center") and synthetic town centres drawn uniformly in the polygon — with a normal offset of
  sigma by level, redrawn until the point (rounded to 6 decimals) lies inside the district polygon.
- Area: lognormal by level (median, sigma), clipped.
- GDP: area × intensity by level × lognormal noise, then one scale factor so that the generated
  parks' GDP is a fixed share of the 2023 GDP of the districts that hold them. Fiscal revenue =
  GDP × the catalog model's ratio; employment = jobs per ha by level × area × noise.
- Indicators: by level with noise, so district and sub-district parks tend to score low.

Deterministic: numpy PCG64 seeded with --seed, no clock, no network; same arguments → byte-identical
files. Helpers (point in polygon, CSV writing, the fiscal ratio) are imported from build_tianjin.py
and generate_region.py.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import re
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_tianjin as bt  # noqa: E402  (scripts/ is not a package)
from generate_region import KM_PER_DEG, fmt_array  # noqa: E402

ROOT = HERE.parent
TIANJIN = ROOT / "models" / "tianjin"
DEFAULT_OUT = ROOT / "models" / "tianjin-314"

# --- the published counts (SOURCES.md §2), and how the catalog rows map onto them ----------------

CAMPAIGN_LEVELS = {"national": 10, "municipal": 42, "district": 93, "subdistrict": 169}
CAMPAIGN_PART_OF = {  # catalog rows not counted as separate campaign parks → the park they count in
    "G123003": "G121002",   # 天津出口加工区 lies inside TEDA
    "G123004": "G123002",   # 天津保税物流园区 is run by the 天津港保税区
}
CENTRAL = ("120101", "120102", "120103", "120104", "120105", "120106")  # 和平 河东 河西 南开 河北 红桥

# --- generator parameters ----------------------------------------------------------------------

WEIGHT_GDP, WEIGHT_CATALOG = 0.5, 0.5        # district weight = ½ GDP share + ½ catalog-zone share
TOWNS_PER_PARKS = 8                          # one synthetic town centre per 8 generated parks (at least 2)
ANCHOR_TOWN_PROB = {"municipal": 0.2, "district": 0.4, "subdistrict": 0.7}  # else a catalog zone or the seat
SIGMA_KM = {"municipal": 4.0, "district": 3.0, "subdistrict": 2.0}
AREA_MEDIAN_HA = {"municipal": 400.0, "district": 120.0, "subdistrict": 35.0}
AREA_SIGMA = {"municipal": 0.6, "district": 0.7, "subdistrict": 0.8}
AREA_CLIP_HA = (5.0, 3000.0)
GDP_PER_HA = {"municipal": 0.0815, "district": 0.05, "subdistrict": 0.03}  # 亿元/ha before scaling
GDP_SIGMA = 0.5
GENERATED_GDP_SHARE = 0.10                   # generated parks' GDP = 10% of their districts' 2023 GDP
JOBS_PER_HA = {"municipal": 50.0, "district": 40.0, "subdistrict": 30.0}
JOBS_SIGMA = 0.3
# indicators: (mean, sd) of a normal, or (median, sigma) of a lognormal ("ln")
DEV_DEGREE = {"municipal": (0.60, 0.15), "district": (0.45, 0.15), "subdistrict": (0.35, 0.15)}
INVESTMENT_SIGMA = 0.3                       # investment = CAPITAL_OUTPUT × gdp × LN(0, 0.3)
RND = {"municipal": (1.2, 0.4), "district": (0.7, 0.4), "subdistrict": (0.3, 0.4)}           # ln
HIGH_TECH = {"municipal": (20.0, 5.0), "district": (12.0, 5.0), "subdistrict": (6.0, 3.0)}   # normal, ≥ 1
ENERGY = {"municipal": (0.25, 0.3), "district": (0.35, 0.3), "subdistrict": (0.50, 0.3)}     # ln
ENV = {"municipal": (0.92, 0.03), "district": (0.87, 0.04), "subdistrict": (0.80, 0.05)}     # normal, ≤ 1
DEBT = {"municipal": (0.62, 0.05), "district": (0.66, 0.06), "subdistrict": (0.70, 0.07)}    # normal
LEVEL_ZH = {"municipal": "市级", "district": "区级", "subdistrict": "镇级"}
GENERATED_LEVELS = ("municipal", "district", "subdistrict")

COLUMNS = bt.ZONE_COLUMNS + ["campaign_park"]
RESULTS_START, RESULTS_END = "<!-- campaign-results:start -->", "<!-- campaign-results:end -->"


# --- inputs ------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_inputs() -> dict:
    districts = read_rows(TIANJIN / "districts.csv")
    zones = read_rows(TIANJIN / "zones.csv")
    geojson = json.loads((TIANJIN / "districts.geojson").read_text(encoding="utf-8"))
    polygons = {f["properties"]["district_id"]: f["geometry"]["coordinates"] for f in geojson["features"]}
    seats = {r["code"]: (float(r["seat_center_lat_wgs84"]), float(r["seat_center_lon_wgs84"]))
             for r in read_rows(bt.SRC / "district_geometry_derived.csv")}
    return {"districts": districts, "zones": zones, "polygons": polygons, "seats": seats}


def district_weights(districts: list[dict], zones: list[dict]) -> tuple[dict[str, float], dict]:
    """w_d = ½ GDP_d / ΣGDP + ½ catalog zones in d / Σ, over the non-central districts."""
    outer = [d for d in districts if d["district_id"] not in CENTRAL]
    known = [float(d["gdp"]) for d in outer if d["gdp"]]
    imputed = {d["district_id"]: min(known) for d in outer if not d["gdp"]}
    gdp = {d["district_id"]: float(d["gdp"]) if d["gdp"] else imputed[d["district_id"]] for d in outer}
    count = {d: sum(z["district_id"] == d for z in zones) for d in gdp}
    total_gdp, total_count = sum(gdp.values()), sum(count.values())
    weights = {d: WEIGHT_GDP * gdp[d] / total_gdp + WEIGHT_CATALOG * count[d] / total_count for d in gdp}
    return weights, {"gdp": gdp, "imputed": imputed, "catalog_count": count}


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integers proportional to `weights` summing to `total` (ties by key order)."""
    keys = sorted(weights)
    s = sum(weights.values())
    exact = {k: total * weights[k] / s for k in keys}
    out = {k: int(math.floor(exact[k])) for k in keys}
    rest = sorted(keys, key=lambda k: (-(exact[k] - out[k]), k))
    for k in rest[:total - sum(out.values())]:
        out[k] += 1
    return out


# --- geometry ----------------------------------------------------------------------------------


def bbox(polygons: list) -> tuple[float, float, float, float]:
    xs = [x for polygon in polygons for ring in polygon for x, _ in ring]
    ys = [y for polygon in polygons for ring in polygon for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def inside_rounded(lat: float, lon: float, polygons: list) -> bool:
    return bt.inside(round(lon, 6), round(lat, 6), polygons)


def uniform_point(rng: np.random.Generator, polygons: list) -> tuple[float, float]:
    x0, y0, x1, y1 = bbox(polygons)
    while True:
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if inside_rounded(lat, lon, polygons):
            return lat, lon


def point_near(rng: np.random.Generator, anchor: tuple[float, float], sigma_km: float, polygons: list,
               tries: int = 10000) -> tuple[float, float]:
    """A normal offset of sigma_km around `anchor`, redrawn until it lies inside the polygons."""
    lat0, lon0 = anchor
    for _ in range(tries):
        dy, dx = rng.standard_normal(2) * sigma_km
        lat = lat0 + dy / KM_PER_DEG
        lon = lon0 + dx / (KM_PER_DEG * math.cos(math.radians(lat0)))
        if inside_rounded(lat, lon, polygons):
            return lat, lon
    raise RuntimeError(f"no point inside the district near {anchor} after {tries} tries")


# --- generation --------------------------------------------------------------------------------


def generate(seed: int = 0, out: Path = DEFAULT_OUT, scale: float = 1.0) -> Path:
    """Write the region model folder; returns its path. scale < 1 generates fewer parks (for tests)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    data = load_inputs()
    districts, catalog, polygons, seats = data["districts"], data["zones"], data["polygons"], data["seats"]
    by_id = {d["district_id"]: d for d in districts}
    weights, wparams = district_weights(districts, catalog)

    catalog_levels = {lv: sum(z["level"] == lv and z["zone_id"] not in CAMPAIGN_PART_OF for z in catalog)
                      for lv in CAMPAIGN_LEVELS}
    assert catalog_levels["national"] == CAMPAIGN_LEVELS["national"], catalog_levels
    to_generate = {lv: CAMPAIGN_LEVELS[lv] - catalog_levels[lv] for lv in GENERATED_LEVELS}
    if scale != 1.0:
        to_generate = {lv: max(1, int(round(n * scale))) for lv, n in to_generate.items()}
    counts = {lv: largest_remainder(n, weights) for lv, n in to_generate.items()}

    # anchors: catalog points in each district, its seat, and synthetic town centres
    parks_in = {d: sum(counts[lv][d] for lv in GENERATED_LEVELS) for d in weights}
    anchors = {}
    for d in sorted(weights):
        zone_points = [(float(z["lat"]), float(z["lon"])) for z in catalog if z["district_id"] == d]
        seat = seats[d]
        core = zone_points + ([seat] if inside_rounded(*seat, polygons[d]) else [])
        towns = [uniform_point(rng, polygons[d]) for _ in range(max(2, round(parks_in[d] / TOWNS_PER_PARKS)))]
        anchors[d] = {"core": core, "towns": towns}

    rows = []
    for level in GENERATED_LEVELS:
        for d in sorted(weights):
            for k in range(counts[level][d]):
                pool = "towns" if rng.random() < ANCHOR_TOWN_PROB[level] else "core"
                choices = anchors[d][pool] or anchors[d]["towns"]
                anchor = choices[int(rng.integers(len(choices)))]
                lat, lon = point_near(rng, anchor, SIGMA_KM[level], polygons[d])
                rows.append({"level": level, "district_id": d, "k": k + 1, "lat": lat, "lon": lon,
                             "anchor": pool})
    n = len(rows)
    levels = np.array([r["level"] for r in rows])

    def pick(table: dict, i: int | None = None) -> np.ndarray:
        """Per-park values of a level table (a number, or element i of a (centre, spread) pair)."""
        return np.array([table[lv] if i is None else table[lv][i] for lv in levels], dtype=float)

    area = np.clip(pick(AREA_MEDIAN_HA) * np.exp(pick(AREA_SIGMA) * rng.standard_normal(n)), *AREA_CLIP_HA)
    raw_gdp = area * pick(GDP_PER_HA) * np.exp(GDP_SIGMA * rng.standard_normal(n))
    holding = sorted({r["district_id"] for r in rows})
    target = GENERATED_GDP_SHARE * sum(wparams["gdp"][d] for d in holding)
    gdp_scale = target / raw_gdp.sum()
    area = np.round(area, 2)
    gdp = raw_gdp * gdp_scale
    _, _, fiscal_ratio = fiscal_params()
    jobs = pick(JOBS_PER_HA) * area * np.exp(JOBS_SIGMA * rng.standard_normal(n))
    dev = np.clip(pick(DEV_DEGREE, 0) + pick(DEV_DEGREE, 1) * rng.standard_normal(n), 0.05, 0.95)
    investment = bt.CAPITAL_OUTPUT * gdp * np.exp(INVESTMENT_SIGMA * rng.standard_normal(n))
    rnd = pick(RND, 0) * np.exp(pick(RND, 1) * rng.standard_normal(n))
    high_tech = np.maximum(1.0, pick(HIGH_TECH, 0) + pick(HIGH_TECH, 1) * rng.standard_normal(n))
    energy = pick(ENERGY, 0) * np.exp(pick(ENERGY, 1) * rng.standard_normal(n))
    env = np.clip(pick(ENV, 0) + pick(ENV, 1) * rng.standard_normal(n), 0.5, 1.0)
    debt = np.clip(pick(DEBT, 0) + pick(DEBT, 1) * rng.standard_normal(n), 0.1, 0.95)

    cols = {
        "approved_area_ha": fmt_array(area, 2), "gdp": fmt_array(gdp, 3),
        "fiscal_revenue": fmt_array(gdp * fiscal_ratio, 4), "employment": fmt_array(np.round(jobs, -1), 0),
        "built_area_ha": fmt_array(area * dev, 1), "investment": fmt_array(investment, 3),
        "rnd_intensity": fmt_array(rnd, 2), "high_tech_share": fmt_array(high_tech, 1),
        "energy_per_output": fmt_array(energy, 3), "env_compliance": fmt_array(env, 3),
        "debt_ratio": fmt_array(debt, 3), "lat": fmt_array([r["lat"] for r in rows], 6),
        "lon": fmt_array([r["lon"] for r in rows], 6),
    }
    generated = []
    for i, r in enumerate(rows):
        d, level = r["district_id"], r["level"]
        zid = f"TJP-{i + 1:04d}"
        row = {c: cols[c][i] for c in cols}
        row.update({
            "zone_id": zid, "name": f"{by_id[d]['name']}{LEVEL_ZH[level]}园区{r['k']:02d}（合成）",
            "name_en": f"Synthetic {level} park {r['k']:02d}, {by_id[d]['name_en']}",
            "district_id": d, "managing_district_id": d, "level": level, "kind": "industrial_park",
            "approval_date": "", "industries": "", "functional_area": "false",
            "coord_quality": "synthetic", "econ_quality": "synthetic", "indicator_quality": "synthetic",
            "data_quality": "synthetic", "campaign_park": zid,
            "source": (f"synthetic: scripts/generate_tianjin_314.py --seed {seed}"
                       + (f" --scale {scale:g}" if scale != 1.0 else "")
                       + f"; point near a {'synthetic town centre' if r['anchor'] == 'towns' else 'catalog zone or the district seat'}"
                       f" (sigma {SIGMA_KM[level]:g} km) inside the district polygon; area, economics and "
                       "indicators by the level rules in README.md"),
        })
        generated.append(row)

    real = []
    for z in catalog:
        row = dict(z)
        row["campaign_park"] = CAMPAIGN_PART_OF.get(z["zone_id"], z["zone_id"])
        real.append(row)

    shutil.copyfile(TIANJIN / "districts.csv", out / "districts.csv")
    shutil.copyfile(TIANJIN / "districts.geojson", out / "districts.geojson")
    bt.write_csv(out / "zones.csv", COLUMNS, real + generated)
    params = {"seed": seed, "scale": scale, "weights": weights, "counts": counts, "gdp_scale": gdp_scale,
              "target": target, "fiscal_ratio": fiscal_ratio, "holding": holding, **wparams,
              "towns": {d: len(a["towns"]) for d, a in anchors.items()}}
    bt.write_text(out / "region.yaml", region_yaml(seed, scale, len(generated)))
    params["derived_edges"], sha256 = bt.write_derived_edges(out)
    bt.write_text(out / "region.yaml", region_yaml(seed, scale, len(generated), sha256))
    bt.write_text(out / "README.md", readme(out, real, generated, params, by_id))
    return out


def fiscal_params() -> tuple[float, float, float]:
    """The catalog model's core GDP, core fiscal revenue and their ratio (build_tianjin.py)."""
    gdp_share, tax_share = bt.econ_shares()
    core_gdp, core_fiscal = gdp_share * bt.TJ_GDP, tax_share * bt.TJ_REVENUE
    return core_gdp, core_fiscal, core_fiscal / core_gdp


# --- text outputs ------------------------------------------------------------------------------

DATA_NOTE = (
    "Real: the 33 zones of the 2018 national catalog, copied unchanged from models/tianjin (their economics and "
    "indicators are that model's estimates), the district table and polygons, and the published 2018 campaign "
    "counts (314 parks: 10 national, 42 municipal, 93 district-level, 169 below district level). Synthetic: every "
    "TJP-* row ({n} parks) — location, size, economics and indicators are drawn by scripts/generate_tianjin_314.py "
    "from stated distributions; no real park stands behind any of them. Use this model to test the campaign's "
    "counts, never to say anything about a particular generated park."
)

DATA_NOTE_ZH = (
    "实际数据：2018 年版国家目录中的 33 个开发区，原样取自 models/tianjin（其经济数据和评价指标是该模型的估算值）；区划表和区界；"
    "公布的 2018 年整治数量（314 个园区：国家级 10 个、市级 42 个、区级 93 个、区级以下 169 个）。合成数据：全部 TJP-* 行"
    "（{n} 个园区）——位置、规模、经济数据和评价指标都由 scripts/generate_tianjin_314.py 按所述分布抽取，没有任何真实园区与之对应。"
    "此模型只宜用于检验整治数量，不能用来说明任何一个生成的园区。"
)


def region_yaml(seed: int, scale: float, n_generated: int, derived_sha256: str | None = None) -> str:
    cmd = f"--seed {seed}" + (f" --scale {scale:g}" if scale != 1.0 else "")
    return "\n".join([
        f"# Generated by scripts/generate_tianjin_314.py {cmd} — do not edit by hand.",
        "name: tianjin-314",
        f"title: Tianjin's 314 industrial parks of 2018 (33 catalog zones + {n_generated} synthetic)"
        + ("" if scale == 1.0 else f" — reduced, --scale {scale:g}"),
        f"title_zh: 天津市 2018 年的 314 个工业园区（33 个国家目录开发区 + {n_generated} 个合成园区）"
        + ("" if scale == 1.0 else f"——缩减版，--scale {scale:g}"),
        "districts: districts.csv",
        "zones: zones.csv",
        "outlines: districts.geojson",
        "extra_columns: [campaign_park]",
        "adjacency:",
        "  derive: {method: delaunay, max_km: 25}",
        *bt.derived_edges_yaml(derived_sha256),
        "rules:",
        "  district_cap: 3",
        f"  exempt_districts: [{bt.BINHAI_NAME}]",
        "units: {gdp: 亿元, fiscal_revenue: 亿元, employment: persons, area: ha}",
        "data_note: >-",
        *("  " + line for line in bt.wrap(DATA_NOTE.format(n=n_generated), 100)),
        "data_note_zh: >-",
        *("  " + line for line in bt.wrap(DATA_NOTE_ZH.format(n=n_generated), 100)),
        "",
    ])


def _fmt(x: float, nd: int = 2) -> str:
    return f"{x:,.{nd}f}"


def readme(out: Path, real: list[dict], generated: list[dict], p: dict, by_id: dict) -> str:
    holding = p["holding"]
    num = lambda rows, col: sum(float(r[col]) for r in rows)  # noqa: E731
    per_district = []
    for d in sorted(p["weights"]):
        rows = [r for r in generated if r["district_id"] == d]
        cat = [r for r in real if r["district_id"] == d]
        gen_gdp = num(rows, "gdp")
        per_district.append([
            f"{by_id[d]['name']} ({d})", f"{p['gdp'][d]:,.2f}" + (" (imputed)" if d in p["imputed"] else ""),
            str(p["catalog_count"][d]), f"{p['weights'][d]:.4f}",
            *(str(p["counts"][lv][d]) for lv in GENERATED_LEVELS), str(len(rows)), str(p["towns"][d]),
            _fmt(num(rows, "approved_area_ha"), 0), _fmt(gen_gdp), f"{100 * gen_gdp / p['gdp'][d]:.1f}%",
            _fmt(num(cat, "gdp")),
        ])
    by_level = []
    for lv in GENERATED_LEVELS:
        rows = [r for r in generated if r["level"] == lv]
        if not rows:
            continue
        area = sorted(float(r["approved_area_ha"]) for r in rows)
        gdp = num(rows, "gdp")
        by_level.append([lv, str(len(rows)), _fmt(area[len(area) // 2], 1), _fmt(sum(area), 0), _fmt(gdp),
                         f"{gdp / sum(area):.4f}", _fmt(num(rows, "employment"), 0)])
    counted = [r for r in real + generated if r["campaign_park"] == r["zone_id"]]
    level_counts = {lv: sum(r["level"] == lv for r in counted) for lv in CAMPAIGN_LEVELS}
    cat_gdp, gen_gdp = num(real, "gdp"), num(generated, "gdp")
    cat_area, gen_area = num(real, "approved_area_ha"), num(generated, "approved_area_ha")
    outer_area = sum(float(by_id[d]["area_km2"]) for d in p["weights"])
    core_gdp, _, _ = fiscal_params()
    tj2021 = bt.TJ_GDP

    previous = (out / "README.md").read_text(encoding="utf-8") if (out / "README.md").is_file() else ""
    m = re.search(re.escape(RESULTS_START) + r"(.*?)" + re.escape(RESULTS_END), previous, re.S)
    results = m.group(1).strip("\n") if m else (
        "_Not measured yet for this folder: run `consolidate campaign tianjin-2018-campaign` and paste its table "
        "here (the generator keeps whatever stands between these markers)._")

    params_table = bt.md_table(["parameter", "municipal", "district", "subdistrict", "rule"], [
        ["area median (ha)", *(f"{AREA_MEDIAN_HA[lv]:g}" for lv in GENERATED_LEVELS),
         f"lognormal, clipped to [{AREA_CLIP_HA[0]:g}, {AREA_CLIP_HA[1]:g}] ha"],
        ["area sigma (log)", *(f"{AREA_SIGMA[lv]:g}" for lv in GENERATED_LEVELS), ""],
        ["gdp intensity before scaling (亿元/ha)", *(f"{GDP_PER_HA[lv]:g}" for lv in GENERATED_LEVELS),
         f"× LN(0, {GDP_SIGMA:g}); municipal = the catalog model's group-C intensity (0.25 × 0.326091)"],
        ["point sigma (km)", *(f"{SIGMA_KM[lv]:g}" for lv in GENERATED_LEVELS), "normal offset around the anchor"],
        ["P(anchor is a synthetic town)", *(f"{ANCHOR_TOWN_PROB[lv]:g}" for lv in GENERATED_LEVELS),
         "else a catalog zone point or the district seat, uniformly"],
        ["jobs per ha", *(f"{JOBS_PER_HA[lv]:g}" for lv in GENERATED_LEVELS), f"× LN(0, {JOBS_SIGMA:g}), rounded to 10"],
        ["development degree (built/approved)", *(f"N({DEV_DEGREE[lv][0]:g}, {DEV_DEGREE[lv][1]:g})"
                                                   for lv in GENERATED_LEVELS), "clipped to [0.05, 0.95]"],
        ["investment", *(["3 × gdp × LN(0, 0.3)"] * 3), "capital–output ratio of build_tianjin.py"],
        ["rnd_intensity (%)", *(f"{RND[lv][0]:g} × LN(0, {RND[lv][1]:g})" for lv in GENERATED_LEVELS), ""],
        ["high_tech_share (%)", *(f"N({HIGH_TECH[lv][0]:g}, {HIGH_TECH[lv][1]:g})" for lv in GENERATED_LEVELS),
         "at least 1"],
        ["energy_per_output (tce/万元)", *(f"{ENERGY[lv][0]:g} × LN(0, {ENERGY[lv][1]:g})" for lv in GENERATED_LEVELS), ""],
        ["env_compliance", *(f"N({ENV[lv][0]:g}, {ENV[lv][1]:g})" for lv in GENERATED_LEVELS), "clipped to [0.5, 1]"],
        ["debt_ratio", *(f"N({DEBT[lv][0]:g}, {DEBT[lv][1]:g})" for lv in GENERATED_LEVELS), "clipped to [0.1, 0.95]"],
    ])
    district_table = bt.md_table(
        ["district", "2023 GDP 亿元", "catalog zones there", "weight", "municipal", "district", "subdistrict",
         "generated", "town centres", "generated ha", "generated gdp 亿元", "of district GDP",
         "catalog gdp there 亿元"], per_district)
    level_table = bt.md_table(["level", "generated", "median ha", "total ha", "gdp 亿元", "gdp per ha",
                               "employment"], by_level)
    scale_note = "" if p["scale"] == 1.0 else (
        f"\n**This folder was generated with --scale {p['scale']:g}: it has fewer parks than the campaign counted "
        "and does not reach the published counts.**\n")
    cmd = f"--seed {p['seed']}" + (f" --scale {p['scale']:g}" if p["scale"] != 1.0 else "")
    return f"""# `models/tianjin-314` — Tianjin's 314 industrial parks of 2018 (33 real + {len(generated)} synthetic)

Generated by `python scripts/generate_tianjin_314.py {cmd} --out models/tianjin-314` — deterministic
(numpy PCG64 seeded with --seed; no clock, no network; re-running gives byte-identical files). Do not edit
by hand, except the measured results between the markers at the end, which the generator keeps.
Format: `docs/region-format.md`. Scenarios: `scenarios/tianjin-2018-campaign.yaml` (the cap alone) and its
variants `-push`, `-connect`, `-by-size`; the comparison with the published plan: `consolidate campaign`
(`consolidate/campaign.py`).
{scale_note}
| file | content |
|---|---|
| `region.yaml` | files; adjacency derived by Delaunay on the zone points, edges up to 25 km; rules: cap 3 per district, 滨海新区 exempt; `extra_columns: [campaign_park]`; data note |
| `districts.csv`, `districts.geojson` | copies of `models/tianjin/` (16 districts, 2023 GDP for 14, WGS84 outlines) |
| `zones.csv` | {len(real) + len(generated)} rows: the 33 catalog zones, then `TJP-0001` … `TJP-{len(generated):04d}`; the columns of `models/tianjin/zones.csv` plus `campaign_park` |
| `derived_edges.csv` | the {p['derived_edges']} zone pairs the adjacency rule gives (Delaunay ≤ 25 km from the zone points), computed by the generator with the toolkit's own derivation so a run need not triangulate; used while the sha256 in region.yaml still matches the points, the rule and the file, else derived again |

## What is real and what is synthetic

**Real (from the sources, unchanged):**

- the **33 catalog zones** — every cell copied unchanged from `models/tianjin/zones.csv`, with one column
  (`campaign_park`) added (see that model's README: the
  names, levels, kinds, approval dates, approved areas and industries are the 2018 catalog; the points are a
  third-party geocode; their gdp, fiscal revenue, employment and indicators are that model's *estimates*);
- the **16 districts** (`districts.csv`) and their **outlines** (`districts.geojson`), copied from
  `models/tianjin/`;
- the **published counts** of the 2018 园区围城治理 plan (`scripts/sources/tianjin/SOURCES.md` §2,
  《天津市工业园区(集聚区)围城问题治理工作实施方案》, July 2018): before — 314 parks, 10 national, 42 municipal,
  93 district-level, 169 below district level; plan — keep 49, integrate 130 (35/24/71 in 2018/2019/2020),
  revoke 116 (10/30/76), 19 long-term cases.

**Synthetic (every `TJP-*` row, {len(generated)} parks, `data_quality: synthetic`):** the existence of each row
as a park of a given level in a given district is only a device to reach the published counts; its **location,
size, economics and indicators** are all drawn from the distributions below. No real park stands behind any
`TJP-*` row, and its name (e.g. `武清区镇级园区07（合成）`) says so.

## Reconciling the catalog with the campaign's levels

The catalog has 12 national zones (6 ETDZ, 1 HTZ, 5 customs areas) and 21 municipal ones; the campaign counted
10 national and 42 municipal 工业园区/集聚区. Decision:

- **National: the campaign's 10 are the catalog's 12 rows less two small customs areas counted inside another
  national zone** — G123003 天津出口加工区 (inside TEDA) → counted in G121002, and G123004 天津保税物流园区
  (run by the 天津港保税区) → counted in G123002. A judgement (no source lists the campaign's 10); it matches the
  "10 national opening areas" of the 2022 evaluation in spirit. The two rows stay in the model as they are
  (the solver plans them); the column `campaign_park` names the campaign park each row counts as, and the
  comparison counts only rows with `campaign_park == zone_id`. Not generating any national park keeps
  every national row real.
- **Municipal: the catalog's 21 are among the 42; {to_gen(p, 'municipal')} more are generated** — city-designated
  parks outside the national catalog (the catalog lists only parks approved through the national review).
- **District-level ({to_gen(p, 'district')}) and below district level ({to_gen(p, 'subdistrict')}): all generated.**
- Campaign parks in this folder by level: {', '.join(f'{lv} {level_counts[lv]}' for lv in CAMPAIGN_LEVELS)}
  (total {len(counted)}; plus the 2 customs rows counted inside others = {len(real) + len(generated)} rows).

## Generator rules and parameters

**Where.** No park in the six central urban districts (和平 河东 河西 南开 河北 红桥; no source places one there).
For each generated level, the parks are shared among the other 10 districts in proportion to
w = {WEIGHT_GDP:g} × (2023 GDP share) + {WEIGHT_CATALOG:g} × (share of the 33 catalog zones located there), by
largest remainder. 蓟州区's 2023 GDP is missing in `districts.csv` and is imputed as the smallest known among the
10 ({min(v for k, v in p['gdp'].items() if k not in p['imputed']):,.2f}, 宁河区) — for the weight and the GDP
calibration only; `districts.csv` is not changed.

**Points.** Anchors per district: the catalog zone points located there, the district seat (DataV "center" in
`scripts/sources/tianjin/district_geometry_derived.csv`) and max(2, round(generated parks / {TOWNS_PER_PARKS})) synthetic
town centres drawn uniformly inside the polygon. Each park picks a town centre with the probability below (else
a catalog point or the seat), then a normal offset of the level's sigma; a point outside the district polygon
(even–odd ray casting, `build_tianjin.inside`, on the 6-decimal coordinates written) is redrawn. Parks are
therefore clustered around existing zones and towns; the town centres are not real towns.

**Size, economics, indicators** (per level):

{params_table}

GDP calibration: raw gdp = area × intensity × noise; then every generated gdp is multiplied by one factor,
**{p['gdp_scale']:.6f}**, so that the generated parks' total GDP is **{100 * GENERATED_GDP_SHARE:g}% of the 2023
GDP of the districts that hold them** ({p['target']:,.2f} 亿元; our assumption — no total is published for the
parks outside the 16 evaluated zones). fiscal_revenue = gdp × {p['fiscal_ratio']:.6f} (the catalog model's ratio:
51.4% of 2021 budget revenue over 42.3% of 2021 GDP). The indicator rules make small district and sub-district
parks score low under the default rank-based evaluation (low output, investment and jobs per ha, low R&D and
high-tech shares, high energy use and debt), so `revocation.require_grade: unqualified` mostly hits them.

Generated parks by level:

{level_table}

Per district:

{district_table}

Totals: catalog zones {cat_area:,.0f} ha and {cat_gdp:,.2f} 亿元 (2021 estimates); generated {gen_area:,.0f} ha and
{gen_gdp:,.2f} 亿元; together {(cat_area + gen_area) / 100:,.0f} km² = {100 * (cat_area + gen_area) / 100 / outer_area:.1f}% of
the 10 districts' {outer_area:,.0f} km², and {cat_gdp + gen_gdp:,.2f} 亿元 = {100 * (cat_gdp + gen_gdp) / tj2021:.1f}% of
Tianjin's 2021 GDP ({tj2021:,.2f}; general knowledge, as in models/tianjin). For scale: the 16 evaluated zones made
42.3% of 2021 GDP ({core_gdp:,.2f} 亿元) on less than a tenth of the land (`zone_economic_figures.csv`).
District GDP is 2023, the catalog estimates 2021: the "of district GDP" column mixes years.

## What the comparison with 49 / 130 / 116 can and cannot show

It can show whether the article-18 rules as this package models them (a cap of 3 zones per district, hosts of
national and municipal level, merging within a distance, revocation of weak parks) *can* produce a plan of the
published size from a park population of the published size and level mix, and which settings it takes. It
cannot show that the model reproduces the campaign: 283 of the 314 parks are invented, so *which* parks are
kept, merged or revoked means nothing for them, and a close count may come from compensating errors. The
published plan is a target negotiated district by district over three years, with 19 cases left open; the model
is one optimisation. The published numbers give levels only for the 314 before the campaign, so by level the
only check is that the 49 kept were national and municipal parks. Matching the three counts is a calibration
of the scenario knobs to the published outcome, not a validation.

## Measured results

{RESULTS_START}
{results}
{RESULTS_END}
"""


def to_gen(p: dict, level: str) -> int:
    return sum(p["counts"][level].values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default models/tianjin-314)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="generate this fraction of the synthetic parks (tests; default 1 = the published counts)")
    args = parser.parse_args(argv)
    generate(args.seed, args.out, args.scale)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
