#!/usr/bin/env python3
"""Build the bundled Tianjin region model `models/tianjin/` from the copied source files.

    python scripts/build_tianjin.py [--out models/tianjin]

Reads only `scripts/sources/tianjin/` (copies of the research files, with their SOURCES.md)
and writes region.yaml, districts.csv, zones.csv, districts.geojson, district_adjacency.csv,
derived_edges.csv and README.md. Deterministic: no network, no randomness, no clock; running it twice gives
byte-identical files. derived_edges.csv is the adjacency rule applied to the zone points by the installed
`consolidate` (its Delaunay triangulation), so that a run need not load SciPy's spatial module. Every estimation rule lives in this file as a named constant and is
written out again in the generated README.md.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "sources" / "tianjin"
DEFAULT_OUT = HERE.parent / "models" / "tianjin"

BINHAI = "120116"
BINHAI_NAME = "滨海新区"

# --- catalog mappings ---------------------------------------------------------------------------

LEVEL = {"national": "national", "provincial": "municipal"}  # catalog 国务院 / 省政府
KIND = {
    "经济技术开发区": "etdz",
    "高新技术产业开发区": "htz",
    "经济开发区": "economic_zone",
    "工业园区": "industrial_park",
    "海关特殊监管区域-保税区": "customs_bonded_zone",
    "海关特殊监管区域-出口加工区": "customs_export_processing",
    "海关特殊监管区域-保税物流园区": "customs_bonded_logistics",
    "海关特殊监管区域-保税港区": "customs_bonded_port",
    "海关特殊监管区域-综合保税区": "customs_comprehensive_bonded",
}

# --- who runs a zone (managing_district_id) -----------------------------------------------------
# Zones not listed are run by the district they lie in.
MANAGED_FROM_BINHAI = {
    "S129001": "run by the 天津港保税区 administrative committee (滨海新区) though it lies on 东丽区 land "
               "(SOURCES.md §1; NBS unit 120110402 is filed under 东丽区, which is statistical filing only)",
    "G123006": "run by the 天津港保税区 administrative committee (滨海新区) though it lies at the airport on "
               "东丽区 land (SOURCES.md §1; NBS unit 120110405 filed under 东丽区)",
    "G122002": "multi-site zone run under 滨海新区 (SOURCES.md §1); its catalog point (华苑) lies in 西青区",
    "S129012": "DECISION (see README): taken as run from 滨海新区 by the TEDA administrative committee. Evidence: "
               "(1) the catalog name 天津开发区现代产业区, 天津开发区 being TEDA's own short name; (2) the TEDA row "
               "of the source lists 现代产业区 among TEDA's sites (a note by the source collector, not itself cited); "
               "(3) TEDA's own site tedala.teda.gov.cn/tdyx/index.html (undated, c.2009) says TEDA comprises "
               "东区, 西区 and three small zones 现代产业区, 逸仙科学工业园, 微电子工业区. Counter-evidence: "
               "《天津市宁河县志1979-2014》 (meta.librarydata.cn 021920020230000657) treats a 现代(工业)产业区 "
               "founded by 宁河县 in 2008 (装备制造, 新能源新材料) as a county park; 宁河区's township-level list "
               "(zh-Wikipedia) has 天津未来科技城宁河片区现代产业区组团; NBS unit 120117451 宁河县现代产业园区 is "
               "filed under 宁河区. The catalog zone (approved 1996-10; 石化, 装备制造, 医药) does not match that "
               "2008 county park, so these may describe a different park of the same name; if so the catalog "
               "geocode (宁河区) may have matched the wrong park too. No management document for the catalog zone "
               "was found",
}

# --- Binhai New Area functional areas (article 18 hosts) ----------------------------------------
# functional_area is true for a zone run from 滨海新区 through one of the New Area's economic
# functional-area bodies. tjbh.gov.cn's self-description (quoted at ji7.net/mulu/show_2586.html)
# names five: 开发区 (TEDA), 保税区, 高新区, 东疆保税港区, 生态城.
FUNCTIONAL_BODY = {
    "G121002": ("开发区 (TEDA)", "TEDA itself"),
    "G123003": ("开发区 (TEDA)", "the export processing zone lies inside TEDA (general knowledge, not in the sources)"),
    "S129012": ("开发区 (TEDA)", "follows the managing decision above"),
    "G123002": ("保税区", "the 天津港保税区 itself"),
    "G123004": ("保税区", "the logistics park adjoins the port and is run by the 保税区 (general knowledge, not in the sources)"),
    "S129001": ("保税区", "SOURCES.md §1"),
    "G123006": ("保税区", "SOURCES.md §1"),
    "G122002": ("高新区", "SOURCES.md §1"),
    "G123005": ("东疆保税港区", "the 东疆 bonded port area itself"),
}
NOT_FUNCTIONAL_NOTE = {
    "S127014": "false although run from 滨海新区: a zone of the former 大港区 (a district merged in 2009, not a "
               "functional area); no source ties it to a functional-area body",
    "S129015": "false although run from 滨海新区: a zone of the former 大港区 (a district merged in 2009, not a "
               "functional area); no source ties it to a functional-area body",
}

# --- estimated points for the two 大港 zones ----------------------------------------------------
# The catalog geocodes are unusable for these two. Reference point: the coordinate zh-Wikipedia
# gives for the former 大港区 (infobox of 大港区 (天津市), mirror 54e1ad4b4888.kfd.me:
# 38°43′39″N 117°26′10″E = 38.7276, 117.4362), a representative point of the former district
# (its seat was on 振兴路; no coordinate for the seat was found). The two zones are offset by
# ±0.004° (about 0.4 km) each way so that they do not coincide.
DAGANG_REF = (38.7276, 117.4362)
DAGANG_OFFSET = {"S127014": (+0.004, -0.004), "S129015": (-0.004, +0.004)}

# --- economic estimates -------------------------------------------------------------------------
ECON_YEAR = 2021
# Tianjin totals for 2021, general knowledge (Tianjin statistical communiqué / budget report),
# not found in the stored sources: GDP 15,695.05 亿元; general public budget revenue 2,141.06 亿元.
TJ_GDP = 15695.05
TJ_REVENUE = 2141.06
# Weights of approved area, per estimation group (see group_of()).
WEIGHT = {"A": 1.0, "B": 0.5, "C": 0.25}
N_EVALUATED_MUNICIPAL = 6          # the 2022 evaluation covered 6 municipal EDZs
JOBS_PER_HA = {"A": 120, "A_customs": 60, "B": 80, "C": 50}
CAPITAL_OUTPUT = 3.0               # cumulative fixed-asset investment = 3 × annual gdp

# --- evaluation indicators ----------------------------------------------------------------------
BUILT_BASE, BUILT_PER_YEAR, BUILT_CAP = 0.30, 0.025, 0.95
HIGH_TECH_WORDS = ("电子", "信息", "医药", "生物", "新能源", "新材料", "智能", "医疗器械", "航空", "科技研发")
HEAVY_WORDS = ("钢铁", "冶金", "石化", "化工", "冶炼", "压延")
RND_BY_KIND = {"htz": 4.0, "etdz": 2.5, "economic_zone": 1.5, "industrial_park": 1.2, "customs": 0.5}
RND_HIGH_TECH_BONUS = 0.5
HIGH_TECH_BY_KIND = {"htz": 60.0, "etdz": 40.0, "economic_zone": 25.0, "industrial_park": 20.0, "customs": 15.0}
HIGH_TECH_BONUS, HEAVY_MALUS, HIGH_TECH_FLOOR = 10.0, 10.0, 5.0
ENERGY_BY_KIND = {"customs": 0.05, "htz": 0.10, "etdz": 0.15, "economic_zone": 0.20, "industrial_park": 0.25}
ENERGY_HEAVY = 0.60
ENV_BY_LEVEL = {"national": 0.97, "municipal": 0.94}
ENV_HEAVY_MALUS = 0.04
DEBT = {"customs": 0.35, "A": 0.50, "B": 0.58, "C": 0.62}

QUALITY_ORDER = ("reported", "estimated", "synthetic")

ZONE_COLUMNS = [
    "zone_id", "name", "name_en", "district_id", "managing_district_id", "level", "kind", "approved_area_ha",
    "lat", "lon", "approval_date", "industries", "functional_area", "gdp", "fiscal_revenue", "employment",
    "built_area_ha", "investment", "rnd_intensity", "high_tech_share", "energy_per_output", "env_compliance",
    "debt_ratio", "coord_quality", "econ_quality", "indicator_quality", "data_quality", "source",
]
DISTRICT_COLUMNS = ["district_id", "name", "name_en", "area_km2", "lat", "lon", "gdp", "gdp_year", "source"]


# --- helpers ------------------------------------------------------------------------------------


def read_csv(name: str) -> list[dict[str, str]]:
    with open(SRC / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def f(x: float, nd: int) -> str:
    return f"{x:.{nd}f}"


def inside(lon: float, lat: float, polygons: list) -> bool:
    """Even-odd ray casting over every ring of a MultiPolygon (holes count as rings)."""
    hit = False
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    hit = not hit
    return hit


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dlat, dlon = (math.radians(v) for v in (lat1, lat2, lat2 - lat1, lon2 - lon1))
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def kind_key(kind: str) -> str:
    return "customs" if kind.startswith("customs_") else kind


def has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def weakest(*qualities: str) -> str:
    return max(qualities, key=QUALITY_ORDER.index)


def age_years(approval: str) -> float:
    """Years from the start of the approval month to the end of ECON_YEAR."""
    year, month = (int(p) for p in approval.split("-")[:2])
    return ((ECON_YEAR + 1) * 12 - (year * 12 + month - 1)) / 12


# --- build --------------------------------------------------------------------------------------


def build_districts() -> tuple[list[dict], dict[str, str], dict[str, dict]]:
    rows, by_name, info = [], {}, {}
    for r in read_csv("districts.csv"):
        row = {
            "district_id": r["code"], "name": r["name_zh"], "name_en": r["name_en"], "area_km2": r["area_km2"],
            "lat": r["centroid_lat"], "lon": r["centroid_lon"], "gdp": r["gdp_100m_yuan"],
            "gdp_year": r["gdp_year"], "source": r["source"] + " (SOURCES.md §3)",
        }
        rows.append(row)
        by_name[r["name_zh"]] = r["code"]
        info[r["code"]] = row
    rows.sort(key=lambda r: r["district_id"])
    return rows, by_name, info


def build_outlines(by_name: dict[str, str]) -> tuple[dict, dict[str, list]]:
    data = json.loads((SRC / "districts.geojson").read_text(encoding="utf-8"))
    features, polygons = [], {}
    for feat in data["features"]:
        code = str(feat["properties"]["adcode"])
        name = feat["properties"]["name"]
        assert by_name.get(name) == code, (name, code)
        geometry = feat["geometry"]
        features.append({"type": "Feature", "properties": {"district_id": code, "name": name}, "geometry": geometry})
        polygons[code] = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    features.sort(key=lambda feat: feat["properties"]["district_id"])
    return {"type": "FeatureCollection", "features": features}, polygons


def build_adjacency(by_name: dict[str, str]) -> list[dict]:
    rows = []
    for r in read_csv("district_adjacency.csv"):
        a, b = sorted((by_name[r["district_a"]], by_name[r["district_b"]]))
        m = re.search(r"shared boundary ([0-9.]+) km", r["source"])
        rows.append({"district_a": a, "district_b": b, "shared_km": m.group(1) if m else "",
                     "source": f"{r['district_a']}–{r['district_b']}: {r['source']} (SOURCES.md §4)"})
    rows.sort(key=lambda r: (r["district_a"], r["district_b"]))
    return rows


def econ_shares() -> tuple[float, float]:
    gdp_share = tax_share = None
    for r in read_csv("zone_economic_figures.csv"):
        if r["zone_zh"].startswith("16家参评开发区合计") and r["year"] == str(ECON_YEAR):
            if r["indicator"] == "GDP share of Tianjin":
                gdp_share = float(r["value"]) / 100
            elif r["indicator"] == "tax revenue share":
                tax_share = float(r["value"]) / 100
    assert gdp_share is not None and tax_share is not None
    return gdp_share, tax_share


def build_zones(by_name: dict[str, str], polygons: dict[str, list]) -> tuple[list[dict], dict]:
    catalog = read_csv("catalog_zones.csv")
    zones = []
    for r in catalog:
        code = re.search(r"code ([GS]\d{6})", r["source"]).group(1)
        zones.append({"zone_id": code, "cat": r})
    zones.sort(key=lambda z: z["zone_id"])

    # location, management, functional area, points
    for z in zones:
        r, zid = z["cat"], z["zone_id"]
        z["name"], z["name_en"] = r["name_zh"], r["name_en"]
        z["district_id"] = by_name[r["district_zh"]]
        z["managing_district_id"] = BINHAI if zid in MANAGED_FROM_BINHAI else z["district_id"]
        z["level"] = LEVEL[r["level"]]
        z["kind"] = KIND[r["type"]]
        z["area"] = float(r["approved_area_ha"])
        z["approved_area_ha"] = r["approved_area_ha"]
        z["approval_date"] = r["approval_date"]
        z["industries"] = r["main_industries"]
        z["is_functional"] = zid in FUNCTIONAL_BODY
        assert not z["is_functional"] or z["managing_district_id"] == BINHAI, zid
        if r["lat"]:
            z["lat"], z["lon"] = r["lat"], r["lon"]
            z["coord_quality"] = "reported"
        else:
            dlat, dlon = DAGANG_OFFSET[zid]
            lat, lon = DAGANG_REF[0] + dlat, DAGANG_REF[1] + dlon
            assert z["district_id"] == BINHAI and inside(lon, lat, polygons[BINHAI]), zid
            z["lat"], z["lon"] = f(lat, 6), f(lon, 6)
            z["coord_quality"] = "estimated"

    # estimation groups: A = national, or a municipal zone run by a Binhai functional-area body
    # (its output is in that national zone's statistics); B = the 6 largest remaining municipal
    # economic_zone rows (stand-ins for the 6 evaluated municipal EDZs); C = the rest.
    for z in zones:
        z["group"] = "A" if (z["level"] == "national" or z["is_functional"]) else None
    candidates = sorted((z for z in zones if z["group"] is None and z["kind"] == "economic_zone"),
                        key=lambda z: (-z["area"], z["zone_id"]))
    for z in candidates[:N_EVALUATED_MUNICIPAL]:
        z["group"] = "B"
    for z in zones:
        z["group"] = z["group"] or "C"

    gdp_share, tax_share = econ_shares()
    core_gdp = gdp_share * TJ_GDP
    core_fiscal = tax_share * TJ_REVENUE
    core_weighted_area = sum(WEIGHT[z["group"]] * z["area"] for z in zones if z["group"] in ("A", "B"))
    intensity = core_gdp / core_weighted_area           # 亿元 per weighted ha
    fiscal_ratio = core_fiscal / core_gdp
    params = {"gdp_share": gdp_share, "tax_share": tax_share, "core_gdp": core_gdp, "core_fiscal": core_fiscal,
              "core_weighted_area": core_weighted_area, "intensity": intensity, "fiscal_ratio": fiscal_ratio}

    for z in zones:
        zid, g, kind, ind = z["zone_id"], z["group"], z["kind"], z["industries"]
        kk = kind_key(kind)
        heavy, tech = has_any(ind, HEAVY_WORDS), has_any(ind, HIGH_TECH_WORDS)
        gdp = intensity * WEIGHT[g] * z["area"]
        jobs_rate = JOBS_PER_HA["A_customs"] if (g == "A" and kk == "customs") else JOBS_PER_HA[g]
        z["gdp_value"], z["fiscal_value"] = gdp, gdp * fiscal_ratio
        z["jobs_rate"], z["heavy"], z["tech"] = jobs_rate, heavy, tech
        z["gdp"] = f(gdp, 2)
        z["fiscal_revenue"] = f(gdp * fiscal_ratio, 2)
        z["employment"] = str(int(round(jobs_rate * z["area"] / 100.0)) * 100)
        age = age_years(z["approval_date"])
        z["built_share"] = min(BUILT_CAP, BUILT_BASE + BUILT_PER_YEAR * age)
        z["built_area_ha"] = f(z["area"] * z["built_share"], 1)
        z["investment"] = f(CAPITAL_OUTPUT * gdp, 2)
        z["rnd_intensity"] = f(RND_BY_KIND[kk] + (RND_HIGH_TECH_BONUS if tech else 0.0), 1)
        ht = HIGH_TECH_BY_KIND[kk] + (HIGH_TECH_BONUS if tech else 0.0) - (HEAVY_MALUS if heavy else 0.0)
        z["high_tech_share"] = f(max(HIGH_TECH_FLOOR, ht), 1)
        z["energy_per_output"] = f(ENERGY_HEAVY if heavy else ENERGY_BY_KIND[kk], 2)
        z["env_compliance"] = f(ENV_BY_LEVEL[z["level"]] - (ENV_HEAVY_MALUS if heavy else 0.0), 2)
        z["debt_ratio"] = f(DEBT["customs"] if kk == "customs" else DEBT[g], 2)
        z["functional_area"] = "true" if z["is_functional"] else "false"
        z["econ_quality"] = "estimated"
        z["indicator_quality"] = "estimated"
        z["data_quality"] = weakest("reported", z["coord_quality"], z["econ_quality"], z["indicator_quality"])
        z["source"] = zone_source(z, params)
    return zones, params


def zone_source(z: dict, p: dict) -> str:
    zid, r = z["zone_id"], z["cat"]
    parts = [f"catalog: {r['source']}"]
    if z["coord_quality"] == "estimated":
        dlat, dlon = DAGANG_OFFSET[zid]
        parts.append(
            f"point ESTIMATED: zh-Wikipedia 大港区 (天津市) infobox point {DAGANG_REF[0]}N {DAGANG_REF[1]}E for the "
            f"former 大港区 (mirror 54e1ad4b4888.kfd.me), offset {dlat:+.3f}° lat {dlon:+.3f}° lon; "
            f"checked inside the 滨海新区 polygon")
    if zid in MANAGED_FROM_BINHAI:
        parts.append(f"managing district 滨海新区: {MANAGED_FROM_BINHAI[zid]}")
    else:
        parts.append("managing district = location (no source says otherwise)")
    if zid in FUNCTIONAL_BODY:
        body, basis = FUNCTIONAL_BODY[zid]
        parts.append(f"functional_area true: run by the 滨海新区 functional area {body} ({basis})")
    elif zid in NOT_FUNCTIONAL_NOTE:
        parts.append(f"functional_area {NOT_FUNCTIONAL_NOTE[zid]}")
    g = z["group"]
    parts.append(
        f"gdp/fiscal_revenue/employment ESTIMATED for {ECON_YEAR} (not published per zone): group {g} "
        f"(weight {WEIGHT[g]:g}); gdp = {p['intensity']:.6f} 亿元/ha × {WEIGHT[g]:g} × approved area; "
        f"fiscal_revenue = gdp × {p['fiscal_ratio']:.6f}; employment = {z['jobs_rate']} jobs/ha × approved area, "
        f"rounded to 100 (rules in README)")
    parts.append("indicators ESTIMATED by the rules in README (none published per zone)")
    parts.append("data_quality = weakest of coord/econ/indicator quality")
    return "; ".join(parts)


# --- text outputs -------------------------------------------------------------------------------

DATA_NOTE = (
    "Real: the 33 zones of the 2018 national catalog (names, levels, kinds, approval dates, approved areas, "
    "industries) via a third-party copy; zone points are a third-party Amap geocode (2 zones in the former 大港 "
    "area have estimated points); district codes, areas, centroids, 2023 GDP (14 of 16) and polygons (DataV, "
    "converted to WGS84). Managing districts follow the sources for 空港, the 综保区 and 滨海高新区; the one for "
    "天津开发区现代产业区 is a judgement (see README). Estimated: every zone's gdp, fiscal_revenue and employment "
    "(2021 totals shared out by approved area and group weights, anchored on the 2022 evaluation's 42.3% GDP and "
    "51.4% tax shares for its 16 zones) and every evaluation indicator (simple rules by kind, level, age and "
    "industries). Use the zone economics for relative comparisons, not as statistics. District GDP is for 2023, "
    "zone figures for 2021."
)
DATA_NOTE_ZH = (
    "实际数据：2018 年版国家目录中的 33 个开发区（名称、级别、类型、批准日期、核准面积、主导产业），取自第三方副本；"
    "开发区坐标为第三方高德地理编码（原大港地区 2 个开发区的坐标为估算）；区划代码、面积、中心点、2023 年 GDP（16 个区中的 14 个）"
    "和区界（DataV，已转换为 WGS84）。空港、综保区和滨海高新区的管理区依据资料来源；天津开发区现代产业区的管理区为判断"
    "（见 README）。估算数据：各开发区的 GDP、财政收入和就业（2021 年总量按核准面积和分组权重分摊，以 2022 年评价中 16 个"
    "开发区 GDP 占 42.3%、税收占 51.4% 为锚）以及全部评价指标（按类型、级别、设立年限和产业的简单规则）。开发区经济数据只宜"
    "作相对比较，不宜作统计数据使用。区 GDP 为 2023 年数据，开发区数据为 2021 年数据。"
)


DERIVED_EDGES = "derived_edges.csv"


def region_yaml(derived_sha256: str | None = None) -> str:
    return "\n".join([
        "# Generated by scripts/build_tianjin.py from scripts/sources/tianjin/ — do not edit by hand.",
        "name: tianjin",
        "title: Tianjin development zones (2018 national catalog)",
        "title_zh: 天津市开发区（2018 年版国家目录）",
        "districts: districts.csv",
        "zones: zones.csv",
        "outlines: districts.geojson",
        "district_adjacency: district_adjacency.csv",
        "adjacency:",
        "  derive: {method: delaunay, max_km: 30}",
        *derived_edges_yaml(derived_sha256),
        "rules:",
        "  district_cap: 3",
        f"  exempt_districts: [{BINHAI_NAME}]",
        "units: {gdp: 亿元, fiscal_revenue: 亿元, employment: persons, area: ha}",
        "data_note: >-",
        *("  " + line for line in wrap(DATA_NOTE, 100)),
        "data_note_zh: >-",
        *("  " + line for line in wrap(DATA_NOTE_ZH, 100)),
        "",
    ])


def wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def readme(districts: list[dict], zones: list[dict], adjacency: list[dict], p: dict, derived: int) -> str:
    names = {d["district_id"]: d["name"] for d in districts}
    zname = {z["zone_id"]: z["name"] for z in zones}
    by_id = {z["zone_id"]: z for z in zones}

    count_rows = []
    for d in districts:
        did = d["district_id"]
        loc = [z for z in zones if z["district_id"] == did]
        man = [z for z in zones if z["managing_district_id"] == did]
        over = [what for what, n in (("by location", len(loc)), ("by managing", len(man))) if n > 3]
        count_rows.append([f"{d['name']} ({did})", len(loc), len(man),
                           "exempt" if did == BINHAI else ("over 3 " + " and ".join(over) if over else "ok"),
                           ", ".join(z["zone_id"] for z in loc) or "—",
                           ", ".join(z["zone_id"] for z in man) or "—"])
    count_rows.append(["**total**", len(zones), len(zones), "", "", ""])

    zone_rows = [[z["zone_id"], z["name"], names[z["district_id"]], names[z["managing_district_id"]],
                  z["level"], z["kind"], z["approved_area_ha"], z["group"], z["functional_area"], z["gdp"],
                  z["fiscal_revenue"], z["employment"], z["coord_quality"]] for z in zones]

    groups = {g: [z for z in zones if z["group"] == g] for g in ("A", "B", "C")}
    gsum = {g: (sum(z["area"] for z in groups[g]), sum(z["gdp_value"] for z in groups[g]),
                sum(z["fiscal_value"] for z in groups[g])) for g in groups}
    total_gdp = sum(z["gdp_value"] for z in zones)
    total_fis = sum(z["fiscal_value"] for z in zones)
    group_rows = [[g, f"{WEIGHT[g]:g}", len(groups[g]), f(gsum[g][0], 2), f(gsum[g][1], 2), f(gsum[g][2], 2),
                   ", ".join(z["zone_id"] for z in groups[g])] for g in ("A", "B", "C")]
    group_rows.append(["all", "", len(zones), f(sum(z["area"] for z in zones), 2), f(total_gdp, 2), f(total_fis, 2), ""])

    bonded = by_id["G123002"]["gdp_value"] + by_id["S129001"]["gdp_value"]
    wq = by_id["G121053"]
    zy = by_id["G121054"]
    land_km2 = sum(z["area"] for z in zones) / 100
    tj_km2 = sum(float(d["area_km2"]) for d in districts)

    functional = [z for z in zones if z["is_functional"]]
    isolated = []
    for z in zones:
        nearest = min(haversine_km(float(z["lat"]), float(z["lon"]), float(o["lat"]), float(o["lon"]))
                      for o in zones if o is not z)
        if nearest > 30:
            isolated.append(f"{z['zone_id']} {z['name']} (nearest zone {nearest:.1f} km)")
    isolated = "; ".join(isolated) or "none"
    src_files = sorted(p.name for p in SRC.iterdir() if p.is_file())

    return f"""# `models/tianjin` — Tianjin development zones (2018 national catalog)

Generated by `scripts/build_tianjin.py` from the copies in `scripts/sources/tianjin/`
(`python scripts/build_tianjin.py [--out models/tianjin]`; deterministic, no network).
Do not edit these files by hand: change the script or its sources and run it again.
The format is the one in `docs/region-format.md`.

## What is in the model

| file | rows | content |
|---|---|---|
| `region.yaml` | — | files, adjacency rule (Delaunay on zone points, edges up to 30 km), rules (cap 3 zones per district, 滨海新区 exempt), units, data note |
| `districts.csv` | {len(districts)} | district_id (GB/T 2260 code), name, name_en, area_km2, centroid lat/lon (WGS84), gdp (亿元) with gdp_year (2023; blank for 红桥区 and 蓟州区: not found), source |
| `districts.geojson` | {len(districts)} | district polygons (WGS84, MultiPolygon), properties `district_id` and `name`; geometry copied unchanged |
| `district_adjacency.csv` | {len(adjacency)} | district pairs sharing a boundary, with the shared length in km parsed from the source text |
| `derived_edges.csv` | {derived} | the zone adjacency the rule in region.yaml gives (derived by Delaunay ≤ 30 km from the zone points), computed by the script with the toolkit's own derivation so a run need not triangulate; region.yaml records its sha256 with the points and the rule, and a run whose zones differ derives the edges again |
| `zones.csv` | {len(zones)} | the {len(zones)} zones of the 2018 catalog: {sum(z['level'] == 'national' for z in zones)} national, {sum(z['level'] == 'municipal' for z in zones)} municipal |

`zone_id` is the catalog code (G… national, S… provincial/municipal). `district_id` is where the zone
physically lies (the catalog geocode tested against the polygons), `managing_district_id` is the district
whose body runs it.

## Sources

All facts come from the files in `scripts/sources/tianjin/` ({", ".join(f"`{n}`" for n in src_files)}),
copied verbatim from the project's shared research folder; their `SOURCES.md` is the full account. Cited as
it cites them:

- **Catalog** (`catalog_zones.csv`): 《中国开发区审核公告目录》(2018年版), Tianjin rows, via the GitHub repo
  `kaiwulaw/china-industrial-zones-atlas`, `data/enriched.csv`, commit `358d79bb303c1cadbc98ef9244d5180f79184f5f`
  (a third-party geocoded copy; the NDRC PDF was not found). Coordinates are that author's Amap geocode in
  WGS84; districts by point-in-polygon. English zone names are the collector's own translations (not official).
- **Districts** (`districts.csv`): GB/T 2260 codes (NBS/MCA; many GitHub region tables); areas from
  en-/zh-Wikipedia and harrysworldatlas (宝坻); centroids from the DataV GeoJSON in `anzhou99/GeoJsons:120000_full.json`,
  GCJ-02 → WGS84; 2023 GDP from 414w.com/read/906958.html (2024-07-16, compiled from district bulletins).
- **Polygons** (`districts.geojson`): `anzhou99/GeoJsons`, `120000_full.json`, commit
  `ae3304715838d7d37de1e682434d146614237f11` (Aliyun DataV, from AMap; not official survey lines), converted
  to WGS84 and repaired as SOURCES.md §7 describes.
- **District adjacency** (`district_adjacency.csv`): derived from the same polygons (shared identical edges).
- **Statistical units** (`nbs_devzone_stat_units.csv`): `xiangyuecn/AreaCity-JsSpider-StatsGov`,
  `ok_data_level4.csv`, version 2023.240319.250114 — used only as evidence on where zones are filed.
- **Zone economic figures** (`zone_economic_figures.csv`): the 2021 shares of the 16 zones evaluated by
  天津市商务局 (2022年天津市开发区综合发展水平评价; reposts te-ch.tech/news/show-211776.html, me-long.cn) — the
  anchor of the economic estimates; the few single-zone figures are used only as cross-checks below.

Added by this build (not in SOURCES.md):

- zh-Wikipedia 《大港区 (天津市)》 infobox (mirror 54e1ad4b4888.kfd.me): coordinate 38°43′39″N 117°26′10″E of the
  former 大港区 — reference point for the two 大港 zones.
- tedala.teda.gov.cn/tdyx/index.html (TEDA's own site, undated, c.2009): TEDA comprises 东区, 西区 and three
  small zones 现代产业区, 逸仙科学工业园, 微电子工业区.
- 《天津市宁河县志:1979—2014》 第十三编 园区建设 (meta.librarydata.cn, id 021920020230000657) and zh-Wikipedia
  《宁河区》 (township-level list with 天津未来科技城宁河片区现代产业区组团) — counter-evidence on 现代产业区.
- tjbh.gov.cn self-description quoted at ji7.net/mulu/show_2586.html: the New Area's five economic functional
  areas are 开发区, 保税区, 高新区, 东疆保税港区, 生态城.
- **General knowledge, not verified in the stored sources:** Tianjin's 2021 GDP {TJ_GDP:,.2f} 亿元 and 2021 general
  public budget revenue {TJ_REVENUE:,.2f} 亿元; that the 出口加工区 lies in TEDA and the 保税物流园区 is run by the
  保税区.

## Who runs a zone, and functional areas

Managing district differs from location for {sum(z['managing_district_id'] != z['district_id'] for z in zones)} zones:

- **S129001 天津空港经济区** and **G123006 天津滨海新区综合保税区** lie in 东丽区 (their NBS units 120110402 and
  120110405 are filed there) but are run by the 天津港保税区 committee → 滨海新区 (SOURCES.md §1).
- **G122002 天津滨海高新区**: multi-site, run under 滨海新区; its catalog point (华苑) lies in 西青区 (SOURCES.md §1).
- **S129012 天津开发区现代产业区** (point in 宁河区) — **judgement: run from 滨海新区 (TEDA).** For: the catalog
  name (天津开发区 is TEDA's own short name); the TEDA row of the source lists 现代产业区 among TEDA's sites
  (a note by the collector, itself uncited); TEDA's own site (c.2009) names 现代产业区 as one of its three small
  zones. Against: the 宁河县志 (1979–2014) describes a 现代(工业)产业区 founded by 宁河县 in 2008 (装备制造,
  新能源新材料); 宁河区's township-level list has 天津未来科技城宁河片区现代产业区组团; NBS unit 120117451
  宁河县现代产业园区 is filed under 宁河区. The catalog zone was approved in 1996-10 with 石化/装备制造/医药,
  which does not match the 2008 county park, so the 宁河 evidence may concern a different park of the same
  name — and then the catalog geocode may have matched that park, i.e. even the zone's location is in doubt.
  So the evidence is more than the name, but it is old (c.2009) and contested; no management document for
  the catalog zone was found. To test the other reading, set its `managing_district_id` to 120117 and
  `functional_area` to false.

`functional_area` is **true for a zone run from 滨海新区 through one of the New Area's economic functional-area
bodies** (开发区/TEDA, 保税区, 高新区, 东疆保税港区, 生态城): {", ".join(f"{z['zone_id']} {z['name']}" for z in functional)}
({len(functional)} zones). The two zones of the former 大港区 (S127014, S129015) are run from 滨海新区 too but are
**false**: 大港 was a district merged in 2009, not a functional area, and no source ties them to a
functional-area body (doubtful either way; it matters little since 滨海新区 is exempt from the cap).

## Zones per district

By location (`district_id`) and by managing district (`managing_district_id`); the cap is 3 (滨海新区 exempt).

{md_table(["district", "by location", "by managing", "cap 3", "zones there", "zones it runs"], count_rows)}

## Points

Catalog geocodes are used as given (`coord_quality: reported`; they are points, not zone centroids, and
some are matched by name only — SOURCES.md §1). The two 大港 zones have no usable geocode: they are placed at
the zh-Wikipedia point of the former 大港区 ({DAGANG_REF[0]}, {DAGANG_REF[1]}), S127014 at
({by_id['S127014']['lat']}, {by_id['S127014']['lon']}) and S129015 at ({by_id['S129015']['lat']},
{by_id['S129015']['lon']}) — ±0.004° so they do not coincide — with `coord_quality: estimated`. The build
checks (ray casting) that both lie inside the 滨海新区 polygon. They are reference points for the former
district, not the zones' real sites (the petrochemical park in particular is likely nearer the coast).

## Economic estimates (`econ_quality: estimated`)

No gdp, fiscal revenue or employment is published per zone. The rule:

1. **Anchor.** The 16 zones evaluated in 2022 (10 national opening areas + 6 municipal EDZs) made
   {p['gdp_share']:.1%} of Tianjin's 2021 GDP and {p['tax_share']:.1%} of its tax revenue (`zone_economic_figures.csv`).
   With the 2021 totals (general knowledge, above): core GDP = {p['gdp_share']:.3f} × {TJ_GDP:,.2f} =
   **{p['core_gdp']:,.4f} 亿元**, core fiscal revenue = {p['tax_share']:.3f} × {TJ_REVENUE:,.2f} =
   **{p['core_fiscal']:,.4f} 亿元**. (The tax share is applied to general public budget revenue: this assumes the
   zones' share of non-tax revenue equals their tax share.)
2. **Groups.** The evaluated 16 are not named. They are approximated by the "core":
   - **A** (weight {WEIGHT['A']:g}): the 12 national zones, plus the municipal zones run by a 滨海新区 functional-area
     body (空港, 现代产业区), whose output is counted in that body's national-zone statistics (the 2011 figure for
     "天津保税区" covers 港保税区 + 空港). The 12 catalog rows stand for the 10 national opening areas (customs
     areas were regrouped around 2020).
   - **B** (weight {WEIGHT['B']:g}): the {N_EVALUATED_MUNICIPAL} largest remaining municipal `economic_zone` rows by approved area,
     standing in for the 6 evaluated municipal EDZs.
   - **C** (weight {WEIGHT['C']:g}): all other municipal zones — outside the 16, given half the group-B intensity;
     their output comes **on top of** the {p['gdp_share']:.1%}.
3. **Share-out.** intensity = core GDP / Σ_A,B (weight × approved area) = {p['core_gdp']:.4f} / {p['core_weighted_area']:.2f}
   = **{p['intensity']:.6f} 亿元 per weighted ha**; zone gdp = intensity × weight × approved_area_ha. Fiscal revenue
   = gdp × (core fiscal / core GDP) = gdp × **{p['fiscal_ratio']:.6f}** for every zone.
4. **Employment** = jobs per ha × approved area, rounded to 100: group A {JOBS_PER_HA['A']}/ha (customs areas
   {JOBS_PER_HA['A_customs']}/ha: warehousing and logistics are land-extensive), B {JOBS_PER_HA['B']}/ha, C {JOBS_PER_HA['C']}/ha.
   These densities are assumptions, checked only against 武清 below.

Sums (unrounded; the CSV is rounded to 0.01 亿元):

{md_table(["group", "weight", "zones", "approved ha", "gdp 亿元", "fiscal 亿元", "zones"], group_rows)}

Groups A + B sum to the core GDP {p['core_gdp']:,.4f} and core fiscal {p['core_fiscal']:,.4f} by construction; all
33 zones together: {total_gdp:,.2f} 亿元 = {total_gdp / TJ_GDP:.1%} of Tianjin's 2021 GDP.

**Cross-checks** (single-zone figures, different years, for orders of magnitude only):

- 天津港保税区 + 空港 (G123002 + S129001): estimate {bonded:,.1f} 亿元 (2021) vs 870 亿元 reported for
  "天津保税区" in 2011 (medium-low) and 1,280 亿元 in an unsourced 2012 infobox (low).
- 武清 ETDZ (G121053): estimate {wq['gdp_value']:,.1f} 亿元 gdp and {int(wq['employment']):,} jobs vs 130,000+ direct jobs
  and 1,574 亿元 cumulative GDP since 1991 as of 2015 (medium; its managed area exceeds the approved area).
- 子牙 ETDZ (G121054): estimated built area {zy['built_area_ha']} ha vs 2.5 km² already developed c.2008 — the approved
  area ({zy['approved_area_ha']} ha) is only the approved core, so built areas here are shares of approved area, not
  of the real extent.
- Land: the 33 approved areas total {land_km2:,.1f} km², {land_km2 / tj_km2:.1%} of the {tj_km2:,.0f} km² the districts' areas add up to,
  consistent with "less than 1/10 of Tianjin's land" for the evaluated zones.

## Evaluation indicators (`indicator_quality: estimated`)

None is published per zone; each is a simple deterministic rule of kind, level, age and the catalog's
industries text. Keyword sets: high-tech = {"/".join(HIGH_TECH_WORDS)}; heavy = {"/".join(HEAVY_WORDS)}.

| column | rule |
|---|---|
| built_area_ha | approved area × min({BUILT_CAP}, {BUILT_BASE} + {BUILT_PER_YEAR} × years from the approval month to the end of {ECON_YEAR}) |
| investment | cumulative fixed-asset investment, 亿元 = {CAPITAL_OUTPUT:g} × estimated gdp (a capital–output ratio) |
| rnd_intensity (%) | by kind: {", ".join(f"{k} {v:g}" for k, v in RND_BY_KIND.items())}; +{RND_HIGH_TECH_BONUS:g} if any high-tech keyword |
| high_tech_share (%) | by kind: {", ".join(f"{k} {v:g}" for k, v in HIGH_TECH_BY_KIND.items())}; +{HIGH_TECH_BONUS:g} if high-tech keyword, −{HEAVY_MALUS:g} if heavy keyword, at least {HIGH_TECH_FLOOR:g} |
| energy_per_output (tce/万元) | by kind: {", ".join(f"{k} {v:g}" for k, v in ENERGY_BY_KIND.items())}; {ENERGY_HEAVY:g} if any heavy keyword |
| env_compliance (0–1) | national {ENV_BY_LEVEL['national']:g}, municipal {ENV_BY_LEVEL['municipal']:g}; −{ENV_HEAVY_MALUS:g} if heavy keyword |
| debt_ratio (0–1) | customs areas {DEBT['customs']:g}; otherwise group A {DEBT['A']:g}, B {DEBT['B']:g}, C {DEBT['C']:g} |

`customs` means any `customs_*` kind. The levels chosen are illustrative; only the ordering between zones
carries meaning. `score` is left out (computed by the package).

## Quality per column

| column(s) | quality | note |
|---|---|---|
| zone_id, name, level, kind, approval_date, approved_area_ha, industries | reported | 2018 catalog via a third-party copy (high confidence) |
| name_en | — | the collector's translations, not official |
| district_id | reported | point-in-polygon of the geocode; for the two 大港 zones inferred from the name (medium) |
| lat, lon | reported (31) / estimated (2) | `coord_quality`; geocodes are points, some matched by name only |
| managing_district_id | reported (3 differences from SOURCES.md) / judgement (S129012) | see above |
| functional_area | judgement | rule above |
| gdp, fiscal_revenue, employment | estimated | `econ_quality`; rule above |
| built_area_ha … debt_ratio | estimated | `indicator_quality`; rules above |
| data_quality | estimated (all rows) | the weakest of the row's qualities |
| districts: code, name, area, centroid | reported | medium-high |
| districts: gdp | reported | 2023, secondary compilation (medium); 2 blank |

## All zones

{md_table(["zone_id", "name", "lies in", "run by", "level", "kind", "approved ha", "group", "functional", "gdp 亿元", "fiscal 亿元", "employment", "point"], zone_rows)}

## Doubts

- S129012 天津开发区现代产业区: managing district (and possibly location) contested — see above.
- 天津滨海民营经济成长示范基地 (S129026): the geocode has precision 未知 and its address says 滨海新区, but the
  point falls in 津南区 (near 葛沽); kept in 津南区 as the source has it.
- The 大港 points are reference points for the former district, not the zones' sites.
- The economics are a share-out of two city-wide totals; zone-to-zone differences reflect only approved
  area and the group weights. District GDP is 2023, zone estimates 2021.
- {", ".join(d["name"] for d in districts if "centroid lies outside" in d["source"]) or "No district"}: the district
  centroid (lat/lon in districts.csv) falls in a hole of its own polygon (宁河区: the Hebei enclave); kept,
  since the format asks for the centroid.
- With `adjacency.derive` = Delaunay up to 30 km, zones whose nearest other zone is farther than 30 km get no
  neighbour: {isolated}.
- The catalog is the 2018 state; customs areas were regrouped into 综合保税区 around 2020 (SOURCES.md §1),
  which the model does not reflect.
"""


def build(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    districts, by_name, _info = build_districts()
    geojson, polygons = build_outlines(by_name)
    for d in districts:  # the centroid of a polygon with a hole can fall in the hole (宁河区)
        if not inside(float(d["lon"]), float(d["lat"]), polygons[d["district_id"]]):
            d["source"] += ("; note: this centroid lies outside the district's own land (in a hole of its polygon, "
                            "e.g. an enclave of another province)")
    adjacency = build_adjacency(by_name)
    zones, params = build_zones(by_name, polygons)

    write_csv(out / "districts.csv", DISTRICT_COLUMNS, districts)
    write_csv(out / "zones.csv", ZONE_COLUMNS, zones)
    write_csv(out / "district_adjacency.csv", ["district_a", "district_b", "shared_km", "source"], adjacency)
    write_text(out / "districts.geojson", json.dumps(geojson, ensure_ascii=False, separators=(",", ":")) + "\n")
    write_text(out / "region.yaml", region_yaml())
    derived, sha256 = write_derived_edges(out)
    write_text(out / "region.yaml", region_yaml(sha256))
    write_text(out / "README.md", readme(districts, zones, adjacency, params, derived))


def write_derived_edges(out: Path) -> tuple[int, str]:
    """derived_edges.csv: the adjacency rule of the model just written to `out`, applied by the toolkit (what a
    run would derive); returns the number of edges and the sha256 that region.yaml records with the file."""
    from consolidate.graph import shipped_derived_edges
    from consolidate.region import load_region

    pairs, sha256 = shipped_derived_edges(load_region(out))
    write_csv(out / DERIVED_EDGES, ["zone_a", "zone_b"], [{"zone_a": a, "zone_b": b} for a, b in pairs])
    return len(pairs), sha256


def derived_edges_yaml(sha256: str | None) -> list[str]:
    """region.yaml's lines (under adjacency:) naming derived_edges.csv, when it was written."""
    if not sha256:
        return []
    return ["  # the rule's edges from these zone points, computed by the script; a run uses them while the sha256",
            "  # of the points, the rule and the edges still matches, else it derives the edges again",
            f"  derived_edges: {{file: {DERIVED_EDGES}, sha256: {sha256}}}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: models/tianjin)")
    args = parser.parse_args()
    build(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
