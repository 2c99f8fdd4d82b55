"""Build the national region model `models/china-2018/` from the 2018 catalog copy.

    python scripts/build_china.py            # writes models/china-2018/{region.yaml,districts.csv,zones.csv,README.md}
    python scripts/build_china.py --check    # rebuild in memory and fail if the committed files differ

Deterministic and offline: it reads only `scripts/sources/china/` (a copy of the catalog
extraction described in SOURCES.md there) and writes byte-identical files on every run.
Every random-looking number (point jitter, synthetic economics) comes from a SHA-256 hash
of a fixed salt and the zone id, so it depends neither on row order nor on numpy's RNG.

What is real and what is not (also in the model's README.md and region.yaml data_note):
- real catalog facts: zone code, name, province, approval level, type, approval date,
  approved area, leading industries; the point for zones whose geocode is not flagged;
- estimated: points of flagged zones (kept as geocoded, or relocated by the rule below);
- synthetic: gdp, fiscal_revenue, employment (seeded rule below); districts (clusters of
  points, not administrative units).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = HERE / "sources" / "china"
OUT = ROOT / "models" / "china-2018"

CATALOG = "catalog_2018_zones.csv"
FLAGS = "catalog_2018_geocode_flags.csv"
SOURCE_REPO = "kaiwulaw/china-industrial-zones-atlas@358d79b"
CATALOG_CITE = "《中国开发区审核公告目录》(2018年版), 2018年第4号公告"
EARTH_RADIUS_KM = 6371.0088

# --- mappings -------------------------------------------------------------------------------

LEVELS = {"国务院": "national", "省政府": "municipal"}  # 省政府 = provincial approval, see README

KINDS = {
    "经济技术开发区": "etdz",
    "高新技术产业开发区": "htz",
    "经济开发区": "economic_zone",
    "工业园区": "industrial_park",
    "边境/跨境经济合作区": "border_cooperation_zone",
    "其他类型开发区": "other_zone",
}
CUSTOMS_TYPE = "海关特殊监管区域"
# checked in this order: 保税物流园区 and 保税港区 before the shorter 保税区
CUSTOMS_KINDS = (
    ("综合保税区", "customs_comprehensive_bonded"),
    ("保税港区", "customs_bonded_port"),
    ("出口加工区", "customs_export_processing"),
    ("保税物流园区", "customs_bonded_logistics"),
    ("保税区", "customs_bonded_zone"),
)

# ISO 3166-2:CN subdivision codes, used as district id prefixes
PROVINCES = {
    "北京市": "BJ", "天津市": "TJ", "河北省": "HE", "山西省": "SX", "内蒙古自治区": "NM",
    "辽宁省": "LN", "吉林省": "JL", "黑龙江省": "HL", "上海市": "SH", "江苏省": "JS",
    "浙江省": "ZJ", "安徽省": "AH", "福建省": "FJ", "江西省": "JX", "山东省": "SD",
    "河南省": "HA", "湖北省": "HB", "湖南省": "HN", "广东省": "GD", "广西壮族自治区": "GX",
    "海南省": "HI", "重庆市": "CQ", "四川省": "SC", "贵州省": "GZ", "云南省": "YN",
    "西藏自治区": "XZ", "陕西省": "SN", "甘肃省": "GS", "青海省": "QH", "宁夏回族自治区": "NX",
    "新疆维吾尔自治区": "XJ",
}
PROVINCE_SHORT = ("内蒙古", "黑龙江", "北京", "天津", "河北", "山西", "辽宁", "吉林", "上海", "江苏",
                  "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
                  "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆")
PLACE_PREFIXES = ("新疆生产建设兵团", "生产建设兵团", "兵团", "自治区", "省", "市")

# --- geocode repair ---------------------------------------------------------------------------

RELOCATE_FLAGS = ("address_province_mismatch", "shared_point_")
# Two-character prefixes that name more than one place in their province (阿拉尔 vs 阿拉山口,
# 阿克陶 vs 阿克苏) or no place at all: never used to pick anchors.
AMBIGUOUS_PREFIXES = {"阿拉", "阿克", "中俄", "中哈", "中德", "第四", "第十", "黄河"}
# Flagged zones whose geocoded point is right after all; kept as geocoded (coord estimated).
KEEP_POINT = {
    "G443108": "珠澳跨境工业区 straddles the Zhuhai–Macau border; AMap's Macau address is where it is",
}
JITTER_KM = {"prefix": (1.0, 5.0), "shared": (1.0, 5.0), "province": (2.0, 10.0)}
DUPLICATE_CODE_SUFFIX = "-2"

# --- districts ----------------------------------------------------------------------------------

CLUSTER_METHOD = "complete"  # complete linkage: a cut at D km bounds every cluster's diameter by D
CLUSTER_DIAMETER_KM = 40.0
CLUSTER_MAX_ZONES = 10

# --- synthetic economics --------------------------------------------------------------------------

ECON_SALT = "china-2018-econ-v1"
# GDP intensity, 亿元 per approved ha, by (level, kind group); order of magnitude from the
# national averages (a national ETDZ ~ 400–500 亿元 GDP on ~1,500 ha in 2017–18).
GDP_PER_HA = {
    ("national", "etdz"): 0.30, ("national", "htz"): 0.40, ("national", "customs"): 0.35,
    ("national", "border_cooperation_zone"): 0.05, ("national", "other_zone"): 0.10,
    ("municipal", "htz"): 0.12, ("municipal", "etdz"): 0.10, ("municipal", "economic_zone"): 0.08,
    ("municipal", "industrial_park"): 0.06, ("municipal", "customs"): 0.15,
    ("municipal", "border_cooperation_zone"): 0.03, ("municipal", "other_zone"): 0.05,
}
GDP_SIGMA = 0.6            # lognormal noise on GDP
FISCAL_SHARE = 0.11        # fiscal revenue / GDP, median
FISCAL_SIGMA = 0.3
JOBS_PER_YI = 150.0        # persons per 亿元 GDP, median (≈ 67万元 output per worker)
JOBS_SIGMA = 0.35


# --- helpers ------------------------------------------------------------------------------------


def hash_unit(*parts: str) -> float:
    """A uniform number in (0, 1) from a SHA-256 of the parts: reproducible anywhere."""
    digest = hashlib.sha256(":".join(parts).encode("utf-8")).digest()
    return (int.from_bytes(digest[:7], "big") + 0.5) / 2 ** 56


def hash_normal(*parts: str) -> float:
    return statistics.NormalDist().inv_cdf(hash_unit(*parts))


def offset_point(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point km away from (lat, lon) on a bearing (radians), small-distance approximation."""
    dlat = km * math.cos(bearing) / (EARTH_RADIUS_KM * math.pi / 180)
    dlon = km * math.sin(bearing) / (EARTH_RADIUS_KM * math.pi / 180 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def jitter(zone_id: str, lat: float, lon: float, km_range: tuple[float, float]) -> tuple[float, float]:
    low, high = km_range
    km = low + (high - low) * hash_unit("jitter-km", zone_id)
    bearing = 2 * math.pi * hash_unit("jitter-bearing", zone_id)
    return offset_point(lat, lon, km, bearing)


def place_key(place: str) -> str:
    """The catalog's place hint without a leading province name, 省/市 or 兵团 prefix."""
    key = place.strip()
    for short in PROVINCE_SHORT:
        if key.startswith(short) and len(key) > len(short):
            key = key[len(short):]
            break
    changed = True
    while changed:
        changed = False
        for prefix in PLACE_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix):], True
    return key


def kind_of(type_zh: str, name: str) -> str:
    if type_zh == CUSTOMS_TYPE:
        for word, kind in CUSTOMS_KINDS:
            if word in name:
                return kind
        return "customs_other"
    return KINDS[type_zh]


def median_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


def fmt(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buffer.getvalue()


# --- steps ------------------------------------------------------------------------------------------


def load_catalog() -> list[dict]:
    """Catalog rows in source order, with zone ids, flags, level and kind."""
    rows = read_csv(SOURCES / CATALOG)
    flags = {(r["seq"], r["code"]): r for r in read_csv(SOURCES / FLAGS)}
    seen: set[str] = set()
    zones = []
    for row in rows:
        code = row["code"]
        zone_id = code if code not in seen else code + DUPLICATE_CODE_SUFFIX
        if zone_id in seen:
            raise SystemExit(f"code {code} appears three times; extend the duplicate rule")
        seen.add(zone_id)
        flag_row = flags.get((row["seq"], code))
        zone_flags = flag_row["flags"].split(";") if flag_row else []
        zones.append({
            "zone_id": zone_id, "code": code, "seq": row["seq"], "name": row["name_zh"],
            "province": row["province_zh"], "place": row["place_zh"], "key": place_key(row["place_zh"]),
            "level": LEVELS[row["approval_level_zh"]], "kind": kind_of(row["type_zh"], row["name_zh"]),
            "approval_date": row["approval_date"], "approved_area_ha": float(row["approved_area_ha"]),
            "industries": row["main_industries"], "lat0": float(row["lat"]), "lon0": float(row["lon"]),
            "flags": zone_flags,
        })
    if len(flags) != sum(1 for z in zones if z["flags"]):
        raise SystemExit("some flag rows do not match a catalog row by (seq, code)")
    return zones


def needs_relocation(zone: dict) -> bool:
    return zone["zone_id"] not in KEEP_POINT and any(
        f == RELOCATE_FLAGS[0] or f.startswith(RELOCATE_FLAGS[1]) for f in zone["flags"])


def repair_points(zones: list[dict]) -> Counter:
    """Set lat, lon, coord_quality and a point note on every zone; returns how each was treated."""
    anchors: dict[str, list[dict]] = defaultdict(list)  # province -> zones whose point is trusted enough
    for zone in zones:
        if not needs_relocation(zone):
            anchors[zone["province"]].append(zone)
    outcome: Counter = Counter()
    for zone in zones:
        flags = ";".join(zone["flags"])
        if not zone["flags"]:
            zone["lat"], zone["lon"], zone["coord_quality"] = zone["lat0"], zone["lon0"], "reported"
            zone["point_note"] = "point: catalog geocode"
            outcome["reported"] += 1
            continue
        zone["coord_quality"] = "estimated"
        if not needs_relocation(zone):
            zone["lat"], zone["lon"] = zone["lat0"], zone["lon0"]
            why = KEEP_POINT.get(zone["zone_id"], "coarse geocode kept")
            zone["point_note"] = f"point: catalog geocode, estimated ({flags}; {why})"
            outcome["kept_estimated"] += 1
            continue
        # 1. trusted zones of the same province whose place hint shares the longest prefix (≥ 2 chars)
        key, matched, prefix = zone["key"], [], ""
        for length in range(min(len(key), 4), 1, -1):
            prefix = key[:length]
            if length == 2 and prefix in AMBIGUOUS_PREFIXES:
                break
            matched = [a for a in anchors[zone["province"]] if a["key"].startswith(prefix)]
            if matched:
                break
        mismatch = "address_province_mismatch" in zone["flags"]
        if matched:
            lat, lon = median_point([(a["lat0"], a["lon0"]) for a in matched])
            lat, lon = jitter(zone["zone_id"], lat, lon, JITTER_KM["prefix"])
            how = f"median of {len(matched)} trusted zone(s) in the province with place prefix '{prefix}'"
            outcome["prefix"] += 1
        elif not mismatch:
            # 2. a shared point inside the right province: keep it, jittered apart
            lat, lon = jitter(zone["zone_id"], zone["lat0"], zone["lon0"], JITTER_KM["shared"])
            how = "shared geocode in the right province, jittered"
            outcome["shared_kept"] += 1
        else:
            # 3. wrong province, no name match: the point of a trusted zone of the province picked by hash
            pool = sorted(anchors[zone["province"]], key=lambda a: a["zone_id"])
            pick = pool[int(hash_unit("anchor", zone["zone_id"]) * len(pool))]
            lat, lon = jitter(zone["zone_id"], pick["lat0"], pick["lon0"], JITTER_KM["province"])
            how = f"near a trusted zone of the province picked by hash ({pick['zone_id']}); placeholder only"
            outcome["province_anchor"] += 1
        zone["lat"], zone["lon"] = lat, lon
        zone["point_note"] = f"point: relocated, estimated ({flags}): {how}"
    return outcome


def project_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    k = math.pi / 180 * EARTH_RADIUS_KM
    lat0 = float(np.mean(lat))
    return np.column_stack([(lon - np.mean(lon)) * k * math.cos(math.radians(lat0)), (lat - lat0) * k])


def split_cluster(xy: np.ndarray, members: np.ndarray) -> list[np.ndarray]:
    """Complete-linkage clusters of diameter ≤ CLUSTER_DIAMETER_KM, each cut to ≤ CLUSTER_MAX_ZONES."""
    if len(members) <= 1:
        return [members]
    labels = fcluster(linkage(xy[members], method=CLUSTER_METHOD), t=CLUSTER_DIAMETER_KM, criterion="distance")
    out: list[np.ndarray] = []
    for label in sorted(set(labels.tolist())):
        out.extend(cap_size(xy, members[labels == label]))
    return out


def cap_size(xy: np.ndarray, group: np.ndarray) -> list[np.ndarray]:
    """The fewest complete-linkage sub-clusters of group with at most CLUSTER_MAX_ZONES zones each."""
    if len(group) <= CLUSTER_MAX_ZONES:
        return [group]
    tree = linkage(xy[group], method=CLUSTER_METHOD)
    for k in range(2, len(group) + 1):
        sub = fcluster(tree, t=k, criterion="maxclust")
        parts = [group[sub == label] for label in sorted(set(sub.tolist()))]
        if max(len(part) for part in parts) <= CLUSTER_MAX_ZONES:
            return parts
    return [group[i:i + 1] for i in range(len(group))]


def build_districts(zones: list[dict]) -> list[dict]:
    """Cluster each province's (repaired) points into county-sized districts; set zone district_id."""
    by_province: dict[str, list[int]] = defaultdict(list)
    for index, zone in enumerate(zones):
        by_province[zone["province"]].append(index)
    districts = []
    for province in sorted(by_province, key=lambda p: PROVINCES[p]):
        indices = sorted(by_province[province], key=lambda i: zones[i]["zone_id"])
        lat = np.array([zones[i]["lat"] for i in indices])
        lon = np.array([zones[i]["lon"] for i in indices])
        xy = project_km(lat, lon)
        groups = split_cluster(xy, np.arange(len(indices)))
        groups = sorted(groups, key=lambda g: min(zones[indices[i]]["zone_id"] for i in g))
        names: Counter = Counter()
        for number, group in enumerate(groups, start=1):
            members = [zones[indices[i]] for i in group]
            district_id = f"{PROVINCES[province]}-{number:02d}"
            label = cluster_label(members)
            names[label] += 1
            name = f"{province}·{label}" + (f"-{names[label]}" if names[label] > 1 else "")
            for member in members:
                member["district_id"] = district_id
            districts.append({
                "district_id": district_id, "name": name, "province": province,
                "lat": fmt(sum(m["lat"] for m in members) / len(members), 6),
                "lon": fmt(sum(m["lon"] for m in members) / len(members), 6),
                "n_zones": len(members),
                "source": (f"synthetic grouping, not an administrative unit: complete-linkage cluster "
                           f"(diameter ≤ {CLUSTER_DIAMETER_KM:g} km, ≤ {CLUSTER_MAX_ZONES} zones) of the "
                           f"province's catalog zone points; lat/lon = mean point; {len(members)} zones"),
            })
    return districts


def cluster_label(members: list[dict]) -> str:
    """The most common place key among the members (ties: the larger total area, then the key)."""
    counts: Counter = Counter(m["key"] for m in members)
    area: Counter = Counter()
    for m in members:
        area[m["key"]] += m["approved_area_ha"]
    return min(counts, key=lambda k: (-counts[k], -area[k], k))


def kind_group(kind: str) -> str:
    return "customs" if kind.startswith("customs_") else kind


def add_economics(zone: dict) -> None:
    zid = zone["zone_id"]
    intensity = GDP_PER_HA[(zone["level"], kind_group(zone["kind"]))]
    gdp = zone["approved_area_ha"] * intensity * math.exp(GDP_SIGMA * hash_normal(ECON_SALT, "gdp", zid))
    fiscal = gdp * FISCAL_SHARE * math.exp(FISCAL_SIGMA * hash_normal(ECON_SALT, "fiscal", zid))
    jobs = gdp * JOBS_PER_YI * math.exp(JOBS_SIGMA * hash_normal(ECON_SALT, "jobs", zid))
    zone["gdp"], zone["fiscal_revenue"], zone["employment"] = fmt(gdp, 2), fmt(fiscal, 3), str(round(jobs))


ZONE_COLUMNS = ["zone_id", "name", "district_id", "province", "level", "kind", "approved_area_ha",
                "lat", "lon", "gdp", "fiscal_revenue", "employment", "approval_date", "industries",
                "data_quality", "coord_quality", "econ_quality", "source"]
DISTRICT_COLUMNS = ["district_id", "name", "province", "lat", "lon", "source"]


def zone_row(zone: dict) -> dict[str, str]:
    ident = (f"catalog {zone['code']} seq {zone['seq']}"
             + (f" (duplicate code; id suffixed {DUPLICATE_CODE_SUFFIX})" if zone["zone_id"] != zone["code"] else ""))
    return {
        "zone_id": zone["zone_id"], "name": zone["name"], "district_id": zone["district_id"],
        "province": zone["province"], "level": zone["level"], "kind": zone["kind"],
        "approved_area_ha": fmt(zone["approved_area_ha"], 2), "lat": fmt(zone["lat"], 6), "lon": fmt(zone["lon"], 6),
        "gdp": zone["gdp"], "fiscal_revenue": zone["fiscal_revenue"], "employment": zone["employment"],
        "approval_date": zone["approval_date"], "industries": zone["industries"],
        "data_quality": "synthetic", "coord_quality": zone["coord_quality"], "econ_quality": "synthetic",
        "source": (f"{CATALOG_CITE} via {SOURCE_REPO}, {ident}; {zone['point_note']}; "
                   f"gdp/fiscal/employment synthetic ({ECON_SALT}, see README)"),
    }


REGION_YAML = """\
name: china-2018
title: China development zones (2018 national catalog, all 2,543 zones)
title_zh: 全国开发区（2018 年版国家目录，全部 2,543 个开发区）
districts: districts.csv
zones: zones.csv
adjacency:
  derive: {{method: delaunay, max_km: 50}}
rules:
  district_cap: 3
  exempt_districts: []
units: {{gdp: 亿元, fiscal_revenue: 亿元, employment: persons, area: ha}}
data_note: >-
  Real catalog facts ({cite}, via the {repo} extraction): zone code, name,
  province, approval level, type, approval date, approved area and leading industries.
  Points: the extraction's AMap geocode; {n_reported} are as geocoded (coord_quality reported),
  {n_estimated} flagged ones are estimated ({n_relocated} of them relocated by a documented
  rule, so their distances are placeholders). Districts are NOT administrative units:
  they are {n_districts} complete-linkage clusters of the points within each province.
  gdp, fiscal_revenue and employment are synthetic (area x level/kind intensity x
  lognormal noise, hashed from the zone id), so every row is data_quality synthetic.
  See README.md.
data_note_zh: >-
  实际的目录信息（{cite}，取自 {repo} 的提取结果）：开发区代码、名称、省份、审批级别、类型、批准日期、核准面积和主导产业。坐标：提取结果中的高德地理编码；{n_reported} 个为原始地理编码（coord_quality
  为 reported），{n_estimated} 个被标记的为估算坐标（其中 {n_relocated} 个按文档所述规则重新定位，其距离只是占位值）。这里的“区”不是行政区：它们是各省内坐标点的 {n_districts}
  个全链接聚类。gdp、fiscal_revenue 和 employment 是合成数据（面积 × 级别/类型强度 × 对数正态噪声，由开发区代码哈希生成），因此每一行的 data_quality
  都是 synthetic。见 README.md。
"""


def render(zones: list[dict], districts: list[dict], outcome: Counter) -> dict[str, str]:
    n_estimated = sum(1 for z in zones if z["coord_quality"] == "estimated")
    n_relocated = outcome["prefix"] + outcome["shared_kept"] + outcome["province_anchor"]
    region = REGION_YAML.format(cite=CATALOG_CITE, repo=SOURCE_REPO, n_reported=outcome["reported"],
                                n_estimated=n_estimated, n_relocated=n_relocated, n_districts=len(districts))
    files = {
        "region.yaml": region,
        "districts.csv": write_csv(DISTRICT_COLUMNS, districts),
        "zones.csv": write_csv(ZONE_COLUMNS, [zone_row(z) for z in zones]),
    }
    files["README.md"] = readme(zones, districts, outcome)
    return files


def readme(zones: list[dict], districts: list[dict], outcome: Counter) -> str:
    sizes = sorted(d["n_zones"] for d in districts)
    hist = Counter(sizes)
    over_cap = sum(1 for s in sizes if s > 3)
    flag_counts: Counter = Counter()
    for z in zones:
        for f in z["flags"]:
            flag_counts["shared_point_N" if f.startswith("shared_point_") else f.split(":")[0]] += 1
    n_flagged = sum(1 for z in zones if z["flags"])
    n_relocated = outcome["prefix"] + outcome["shared_kept"] + outcome["province_anchor"]
    levels = Counter(z["level"] for z in zones)
    kinds = Counter(z["kind"] for z in zones)
    kind_lines = "\n".join(f"| {k} | {n} |" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    hist_line = ", ".join(f"{s}: {hist[s]}" for s in sorted(hist))
    per_province = Counter(d["province"] for d in districts)
    prov_line = ", ".join(f"{PROVINCES[p]} {per_province[p]}" for p in sorted(per_province, key=lambda p: PROVINCES[p]))
    intensity_lines = "\n".join(f"| {lvl} | {kg} | {v:g} |" for (lvl, kg), v in GDP_PER_HA.items())
    relocated_list = "\n".join(
        f"| {z['zone_id']} | {z['name']} | {';'.join(z['flags'])} | {z['point_note'].split(': ', 2)[-1]} |"
        for z in zones if z["point_note"].startswith("point: relocated"))
    return f"""# china-2018 — all development zones of the 2018 national catalog

Generated by `scripts/build_china.py` (deterministic, offline) from `scripts/sources/china/`.
Do not edit by hand: change the script and re-run it. `python scripts/build_china.py --check`
verifies that the committed files are what the script writes.

| | |
|---|---|
| zones | {len(zones)} (all catalog zones; none left out) — {levels['national']} national, {levels['municipal']} municipal |
| districts | {len(districts)} synthetic, county-sized clusters (not administrative units) |
| zones per district | min {sizes[0]}, median {statistics.median(sizes):g}, mean {statistics.mean(sizes):.2f}, max {sizes[-1]}; over the cap of 3: {over_cap} districts |
| adjacency | derived: Delaunay triangulation, edges over 50 km dropped |
| rules | district_cap 3, no exempt districts |

## Sources

- 《中国开发区审核公告目录》(2018年版), issued as **2018年第4号公告** by the NDRC with MOST, MLR,
  MOHURD, MOFCOM and GACC, with the State Council's consent: 552 State-Council zones (`G…`) and
  1,991 provincial zones (`S…`).
- As extracted and geocoded (AMap, GCJ-02 → WGS84) by Kai Wu in GitHub
  `kaiwulaw/china-industrial-zones-atlas`, commit `358d79bb303c1cadbc98ef9244d5180f79184f5f`,
  file `data/enriched.csv` (a course project; no licence file; the catalog itself is a public
  government announcement). The NDRC PDF itself was not seen.
- The copy used here and its checks: `scripts/sources/china/SOURCES.md`,
  `catalog_2018_zones.csv` (2,543 rows) and `catalog_2018_geocode_flags.csv` (710 rows).
  GADM county units were **not** used (no redistribution licence).

## Columns and mapping

Real catalog facts: `zone_id` (the catalog code), `name`, `province`, `level`, `kind`,
`approval_date` (`YYYY-MM`; two cells with two dates keep the first, see SOURCES.md),
`approved_area_ha` (核准面积), `industries` (主导产业), and `lat`/`lon` where `coord_quality` is
`reported`.

- **zone_id**: the catalog code. The source repeats **S377018** (山东淄川经济开发区, seq 929, and
  山东临淄经济开发区, seq 932; S377017 is missing, so one of them is probably S377017). The first
  keeps `S377018`, the second is **`S377018-2`**.
- **level**: 国务院 → `national`; 省政府 → `municipal`. The toolkit's levels are
  national | municipal | district | subdistrict; provincial approval is the level right below
  the State Council, so it takes the `municipal` slot (for Beijing, Tianjin, Shanghai and
  Chongqing it is literally municipal). Read `municipal` here as "provincial".
- **kind** (开发区类型):

| catalog type | kind |
|---|---|
| 经济技术开发区 | etdz |
| 高新技术产业开发区 | htz |
| 经济开发区 | economic_zone |
| 工业园区 | industrial_park |
| 边境/跨境经济合作区 | border_cooperation_zone |
| 其他类型开发区 | other_zone |
| 海关特殊监管区域 | from the name, first match of 综合保税区 → customs_comprehensive_bonded, 保税港区 → customs_bonded_port, 出口加工区 → customs_export_processing, 保税物流园区 → customs_bonded_logistics, 保税区 → customs_bonded_zone; else customs_other |

Resulting kinds:

| kind | zones |
|---|---|
{kind_lines}

(`customs_other`: 珠澳跨境工业区 and 中哈霍尔果斯国际边境合作中心中方配套区.)

## Points and geocode flags

{n_flagged} zones carry at least one flag in `catalog_2018_geocode_flags.csv`
(address_province_mismatch {flag_counts['address_province_mismatch']},
shared_point_N {flag_counts['shared_point_N']},
coarse_or_nonzone_precision {flag_counts['coarse_or_nonzone_precision']},
status_city_only {flag_counts['status_city_only']}; a zone may have several). **No zone is left out.**

- **Unflagged** ({outcome['reported']}): the geocode as is, `coord_quality: reported`.
- **Kept, estimated** ({outcome['kept_estimated']}): flagged only `coarse_or_nonzone_precision`
  and/or `status_city_only` — the point is an admin centroid or landmark near the zone, in the
  right place at county/city scale. Also kept: G443108 珠澳跨境工业区, flagged for a Macau
  address, which is correct for a zone on the Zhuhai–Macau border.
- **Relocated, estimated** ({n_relocated}): every zone flagged `address_province_mismatch` or
  `shared_point_N`. "Trusted" zones are those with neither flag. In order:
  1. **place prefix** ({outcome['prefix']}): take the catalog place hint `place_zh`, strip a leading
     province name, 省/市/自治区 and 兵团 prefixes; find trusted zones of the same province whose
     hint starts with the longest common prefix (4 down to 2 characters; two-character prefixes
     that are ambiguous — {', '.join(sorted(AMBIGUOUS_PREFIXES))} — are not used); the point is the
     median lat/lon of those zones, moved 1–5 km in a hashed direction.
  2. **shared point, right province** ({outcome['shared_kept']}): no prefix match and the address is
     in the catalog province (the point is usually the city or county centroid): the shared
     point, moved 1–5 km so points do not coincide.
  3. **wrong province, no match** ({outcome['province_anchor']}): the point of one trusted zone of
     the province, picked by a hash of the zone id, moved 2–10 km. This only puts the zone
     somewhere plausible in its province (rather than stacking many on one median point, which
     would create a fake dense cluster); it says nothing about where the zone really is.

**What this means for distances.** For the {outcome['reported']} reported points, distances are as
good as AMap's geocodes. Kept-estimated points are off by up to a county or city radius
(typically 5–30 km). Relocated points by rule 1 are probably in the right city (tens of km
off); rule 2 keeps a shared city or county point, which is in the right province but can be a
neighbouring county (e.g. 大足, 永川, 铜梁, 潼南, 荣昌 all stay near the 重庆高新区 point); by rule 3 they can be a whole province away (hundreds of km), so the adjacency edges,
district membership and merge distances of those {outcome['province_anchor']} zones are
placeholders. The jitter is deterministic (SHA-256 of the zone id). Each row's `source` says
which rule set its point.

Relocated zones:

| zone_id | name | flags | rule |
|---|---|---|---|
{relocated_list}

## Districts (synthetic)

The catalog has no county code and GADM may not be redistributed, so districts are clusters of
the (repaired) points. Within each province: project the points to km (equirectangular around
the province's mean latitude), run complete-linkage hierarchical clustering (scipy) and cut at
{CLUSTER_DIAMETER_KM:g} km, so that every cluster's diameter is at most {CLUSTER_DIAMETER_KM:g} km (an average
Chinese county covers about 3,300 km², i.e. roughly 55–65 km across); any cluster with more than
{CLUSTER_MAX_ZONES} zones is cut, on its own complete-linkage tree, into the fewest sub-clusters
that have at most {CLUSTER_MAX_ZONES} zones each. Input is sorted by zone id, so the result is deterministic.

- `district_id`: `<ISO 3166-2:CN code>-<nn>`, e.g. `JS-07`, numbered in order of each cluster's
  smallest zone id.
- `name`: province + `·` + the most common stripped place hint among the members (ties: larger
  total area), with `-2`, `-3` … when a label repeats in a province. A label, not an admin name.
- `lat`, `lon`: mean of the members' points. `province`: the catalog province.

Result: **{len(districts)} districts**; zones per district min {sizes[0]}, median {statistics.median(sizes):g},
max {sizes[-1]}. Histogram (zones: districts): {hist_line}.
Districts per province: {prov_line}.

Because districts are clusters of points, the relocated zones of rule 3 sit in a district chosen
by their placeholder point, and real multi-park cities (e.g. Shanghai, Suzhou) are split by
distance and size, not by administrative boundaries. The district cap of 3 therefore binds on
clusters, not on real counties.

## Synthetic economics

The catalog has no GDP, fiscal revenue or employment. They are synthetic, `econ_quality:
synthetic`, and so every row is `data_quality: synthetic` (the weakest figure in the row):

- `gdp` (亿元) = approved_area_ha × intensity(level, kind) × exp({GDP_SIGMA:g}·z₁)
- `fiscal_revenue` (亿元) = gdp × {FISCAL_SHARE:g} × exp({FISCAL_SIGMA:g}·z₂)
- `employment` (persons) = gdp × {JOBS_PER_YI:g} × exp({JOBS_SIGMA:g}·z₃)

where z₁, z₂, z₃ are standard normal numbers from the inverse normal CDF of a SHA-256 hash of
`{ECON_SALT}`, the figure name and the zone id (reproducible, order-independent). Intensity in
亿元 per ha (all `customs_*` kinds share the `customs` row; order of magnitude from national
averages: a national ETDZ made roughly 400–500 亿元 GDP on ~1,500 ha around 2017–18):

| level | kind | 亿元 / ha |
|---|---|---|
{intensity_lines}

Use these numbers to exercise the planner, never as facts about a zone.

## The ~25,000-zone extension (not committed)

`scripts/generate_national.py` adds seeded, synthetic uncatalogued parks (levels `district`
and `subdistrict`, ids `GEN-000001` …) around the catalog zones, within their districts, at
about 8.8 per catalog zone (Tianjin had 314 parks for its 33 catalogued zones, ~9.5), and writes
a complete model folder. Generated parks inherit their parent's district and sit 1–30 km from
its point, so the parents' estimated or placeholder points carry over. With seed 0 and target
25,000: 22,457 generated parks, 1–37 per catalog zone, 3–104 zones per district (median 18);
it takes well under a second. Generate it on demand, e.g.

    python scripts/generate_national.py --seed 0 --target 25000 --out /tmp/china-2018-25k
    python -c "import consolidate.region as r; print(r.load_region('/tmp/china-2018-25k'))"

Purely synthetic benchmark regions (1k/3k/10k zones): `scripts/generate_region.py`
(`generate_region(n_zones, n_districts=16, seed=0, out_dir=...)`).
"""


def build() -> tuple[dict[str, str], dict]:
    zones = load_catalog()
    outcome = repair_points(zones)
    districts = build_districts(zones)
    for zone in zones:
        add_economics(zone)
    sizes = sorted(d["n_zones"] for d in districts)
    stats = {"zones": len(zones), "districts": len(districts), "min": sizes[0],
             "median": statistics.median(sizes), "max": sizes[-1], **outcome}
    return render(zones, districts, outcome), stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: models/china-2018)")
    parser.add_argument("--check", action="store_true", help="do not write; fail if the files differ")
    args = parser.parse_args(argv)
    files, stats = build()
    if args.check:
        stale = [n for n, text in files.items()
                 if not (args.out / n).is_file() or (args.out / n).read_bytes() != text.encode("utf-8")]
        if stale:
            print(f"out of date: {', '.join(stale)} — run scripts/build_china.py", file=sys.stderr)
            return 1
        print("up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_bytes(text.encode("utf-8"))
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
