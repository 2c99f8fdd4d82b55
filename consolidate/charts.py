"""Charts of a plan, of a scenario comparison and of a sweep (matplotlib, Agg, PNG and SVG).

    >>> plan_charts(plan, "out/baseline")             # plan_map, zones_per_district, allocation (.png, .svg)
    >>> plan_charts(plan, "out/baseline", lang="en")  # English labels
    >>> compare_charts(table, per_district, "out/compare")
    >>> sweep_charts(rows, ["rules.district_cap"], "out/sweep")

Every figure is A4 landscape, drawn with the CJK font chain of `consolidate.fonts` (no tofu: a
name no font covers is shown in English, with a note in the footer). Output is deterministic:
the same plan gives the same SVG bytes (fixed `svg.hashsalt`, no date in the metadata).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import ConnectionPatch, Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from . import fonts  # noqa: E402

A4 = (11.69, 8.27)               # landscape, inches
DPI = 150
LANGS = ("zh", "en")
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C564B", "#6A3D9A",
                 "#17BECF", "#7F7F00", "#1F78B4", "#B15928", "#33A02C", "#E7298A", "#666699", "#A6761D")
ALONE = "#7a7a7a"                # a host with no members
REVOKED = "#C0392B"
FOLD = "#6A3D9A"
BEFORE = "#BDBDBD"
AFTER = "#2F6EA5"
LEVEL_MARKERS = {"national": "*", "municipal": "o", "district": "s", "subdistrict": "^"}
MODE_STYLES = {"entrusted": "-", "co_construction": (0, (5, 2)), "multi_park": (0, (1, 1.5))}
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]

PLAN_CHARTS = ("plan_map", "zones_per_district", "allocation")
MANY_ZONES, MANY_LABELS = 150, 60     # above MANY_ZONES zones, the map names the MANY_LABELS biggest hosts
MANY_DISTRICTS = 80                   # above this, district names are left off the map

TEXT = {
    "zh": {
        "host": "保留（牵头）", "member": "整合（并入）", "revoked": "撤销", "fold": "整合为综合保税区",
        "status": "状态", "level": "级别", "mode": "整合方式", "size": "圆面积 = GDP（{unit}）",
        "national": "国家级", "municipal": "市级", "district": "区级", "subdistrict": "街镇级",
        "entrusted": "托管", "co_construction": "共建", "multi_park": "一区多园",
        "exempt": "豁免", "exempt_district": "豁免区（不受上限约束）", "cap": "上限", "before": "整合前",
        "after": "整合后", "zones": "开发区数量", "zones_title": "各区开发区数量：整合前后与上限",
        "map_title": "整合方案图", "inset": "放大图", "see_inset": "见放大图",
        "alloc_title": "各区经济指标：整合前后（按分成规则）", "flows": "转移",
        "revoked_value": "撤销区所含", "change": "变化", "no_flows": "无转移", "rule": "规则",
        "territorial": "属地原则", "host_rule": "全部归牵头开发区的管理区",
        "split": "{share:.0%} 归牵头开发区的管理区，其余属地",
        "area": "按面积分成", "investment": "按投资分成",
        "gdp": "GDP", "fiscal_revenue": "财政收入",
        "summary": "{zones} 个开发区 → 保留 {hosts}，整合 {members}，撤销 {revoked}",
        "optimal": "已证明最优", "not_optimal": "未证明最优（差距 {gap}）",
        "objective": "目标值", "colour_group": "颜色 = 整合组（牵头区及其成员）", "alone": "保留，无成员",
        "no_outlines": "区域模型无区界：区名标在各区中心", "no_cjk": "未找到中文字体：名称以英文显示",
        "uncovered": "字体缺字，以英文显示：{names}", "omitted": "{n} 个开发区名称因空间不足未标注（见 plan.csv）",
        "data": "数据", "more_districts": "另有 {n} 个区未显示", "count_by_managing": "按管理区计数",
        "count_by_location": "按所在区计数", "zero_districts": "{n} 个无开发区的区未显示",
        "prefix": "图中名称略去共同前缀“{prefix}”",
    },
    "en": {
        "host": "kept (host)", "member": "merged (member)", "revoked": "revoked",
        "fold": "folded into a comprehensive bonded zone", "status": "Status", "level": "Level",
        "mode": "Merge mode", "size": "area = GDP ({unit})", "national": "national", "municipal": "municipal",
        "district": "district", "subdistrict": "subdistrict", "entrusted": "entrusted",
        "co_construction": "co-construction", "multi_park": "one zone, many parks", "exempt": "exempt",
        "exempt_district": "exempt district (no cap)", "cap": "cap", "before": "before", "after": "after",
        "zones": "zones", "zones_title": "Zones per district before and after, against the cap",
        "map_title": "Consolidation plan", "inset": "inset", "see_inset": "see inset",
        "alloc_title": "District figures before and after, under the sharing rule", "flows": "flows",
        "revoked_value": "in revoked zones", "change": "change", "no_flows": "no flows", "rule": "rule",
        "territorial": "territorial (属地)", "host_rule": "to the host's district",
        "split": "{share:.0%} to the host's district", "area": "shared by area", "investment": "shared by investment",
        "gdp": "GDP", "fiscal_revenue": "fiscal revenue",
        "summary": "{zones} zones → {hosts} kept, {members} merged, {revoked} revoked",
        "optimal": "proven optimal", "not_optimal": "NOT proven optimal (gap {gap})", "objective": "objective",
        "colour_group": "colour = group (a host and its members)", "alone": "kept, no members",
        "no_outlines": "no district outlines in the region model: district names at their centres",
        "no_cjk": "no CJK font found: names shown in English", "uncovered": "no glyphs, shown in English: {names}",
        "omitted": "{n} zone names left out for space (see plan.csv)", "data": "data",
        "more_districts": "{n} more districts not shown", "count_by_managing": "counted by managing district",
        "count_by_location": "counted by location district", "zero_districts": "{n} districts without zones not shown",
        "prefix": "labels leave out the common prefix “{prefix}”",
    },
}


# --- style, saving ------------------------------------------------------------------------------------


def style() -> dict:
    """rcParams for every chart: the font chain, readable sizes at A4, deterministic SVG."""
    return {**fonts.use_fonts(), "svg.hashsalt": "consolidate", "svg.fonttype": "path", "text.parse_math": False,
            "font.size": 8, "axes.titlesize": 10, "axes.labelsize": 8, "xtick.labelsize": 7.5,
            "ytick.labelsize": 7.5, "legend.fontsize": 7.5, "axes.spines.top": False, "axes.spines.right": False,
            "figure.dpi": DPI, "savefig.dpi": DPI, "path.simplify": True}


def save(fig, folder: Path, stem: str) -> list[Path]:
    """Write `stem.png` and `stem.svg` into `folder`, each with io.atomic_file; closes the figure."""
    from .io import atomic_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            target = folder / f"{stem}.{ext}"
            with atomic_file(target) as tmp, plt.rc_context(style()):
                fig.savefig(tmp, format=ext, metadata=meta)
            written.append(target)
    finally:
        plt.close(fig)
    return written


def svg_text(fig, close: bool = True) -> str:
    """The figure as an SVG document (deterministic), e.g. to inline in a report."""
    import io

    buffer = io.StringIO()
    with plt.rc_context(style()):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    if close:
        plt.close(fig)
    return buffer.getvalue()


def drawn_texts(fig) -> list[str]:
    """Every non-empty string the figure draws (titles, labels, ticks, legend, annotations)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# --- names: Chinese where the font covers them ----------------------------------------------------------


@dataclass
class Namer:
    """Chooses the label of a zone or district in a language, never one that would draw tofu."""

    lang: str = "zh"
    fallbacks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}")
        self.cjk = fonts.cjk_font() is not None

    @property
    def ui(self) -> str:
        """The language of the chart's own words (English when there is no CJK font)."""
        return self.lang if self.cjk else "en"

    def t(self, key: str, **kw) -> str:
        text = TEXT[self.ui].get(key, TEXT["en"].get(key, key))
        return text.format(**kw) if kw else text

    def name(self, zh: object, en: object, ident: object = "") -> str:
        zh = "" if _missing(zh) else str(zh)
        en = "" if _missing(en) else str(en)
        first, second = (zh, en) if self.lang == "zh" else (en, zh)
        for choice in (first, second):
            if choice and fonts.covers(choice):
                if choice is not first and first:
                    self.fallbacks.append(first)
                return choice.replace("$", r"\$")
        if first:
            self.fallbacks.append(first)
        return str(ident)

    def plain(self, text: object, fallback: str = "") -> str:
        """Text from the data (a title, a unit) as it is when the fonts cover it, else `fallback`."""
        text = "" if _missing(text) else str(text)
        return text.replace("$", r"\$") if fonts.covers(text) else fallback

    def footer_notes(self) -> list[str]:
        """Warnings for the footer: names that could not be shown as asked."""
        notes = []
        if not self.cjk:
            notes.append(TEXT["en"]["no_cjk"])
        elif self.fallbacks:
            shown = "、".join(sorted(set(self.fallbacks))[:5]) + ("…" if len(set(self.fallbacks)) > 5 else "")
            shown = "".join(c if fonts.covers(c) else "?" for c in shown)
            notes.append(self.t("uncovered", names=shown))
        return notes


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() in ("", "nan")


def common_prefix(names: list[str], share: float = 0.5) -> str:
    """The leading word (Latin) or two characters (CJK) that at least `share` of the names start with."""
    heads = []
    for name in names:
        if any(ord(c) > 0x2E80 for c in name[:2]):
            heads.append(name[:2] if len(name) > 4 else "")
        else:
            word = name.split(" ", 1)[0]
            heads.append(word + " " if " " in name and len(name) > len(word) + 4 else "")
    counts = pd.Series([h for h in heads if h]).value_counts()
    if len(counts) and counts.iloc[0] >= share * len(names) and len(names) >= 4:
        return str(counts.index[0])
    return ""


def wrap_label(text: str, cjk_width: int = 8, latin_width: int = 20) -> str:
    """Break a long name into balanced lines (CJK anywhere, Latin at spaces)."""
    if any(ord(c) > 0x2E80 for c in text):
        if len(text) <= cjk_width + 1:
            return text
        lines = math.ceil(len(text) / cjk_width)
        step = math.ceil(len(text) / lines)
        return "\n".join(text[i:i + step] for i in range(0, len(text), step))
    return "\n".join(textwrap.wrap(text, latin_width)) or text


# --- label placement ------------------------------------------------------------------------------------


DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


class LabelPlacer:
    """Greedy placement of labels around points, avoiding markers and each other (display pixels)."""

    def __init__(self, ax, renderer, pad_px: float = 1.5, dry: bool = False, rings: int = 5):
        self.ax, self.renderer, self.pad, self.dry, self.rings = ax, renderer, pad_px, dry, rings
        self.px_per_pt = ax.figure.dpi / 72.0
        box = ax.get_window_extent(renderer)
        self.frame = (box.x0, box.y0, box.x1, box.y1)
        self.boxes = np.empty((0, 4))

    def block(self, x0, y0, x1, y1) -> None:
        self.boxes = np.vstack([self.boxes, [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]])

    def block_points(self, xy_px: np.ndarray, radius_px: np.ndarray) -> None:
        if len(xy_px):
            r = np.asarray(radius_px, float)
            self.boxes = np.vstack([self.boxes, np.column_stack([xy_px[:, 0] - r, xy_px[:, 1] - r,
                                                                 xy_px[:, 0] + r, xy_px[:, 1] + r])])

    def _size(self, text: str, fontsize: float) -> tuple[float, float]:
        probe = self.ax.text(0, 0, text, fontsize=fontsize, linespacing=1.05)
        box = probe.get_window_extent(self.renderer)
        probe.remove()
        return box.width, box.height

    def _overlap(self, box) -> float:
        if not len(self.boxes):
            return 0.0
        b = self.boxes
        w = np.clip(np.minimum(b[:, 2], box[2] + self.pad) - np.maximum(b[:, 0], box[0] - self.pad), 0, None)
        h = np.clip(np.minimum(b[:, 3], box[3] + self.pad) - np.maximum(b[:, 1], box[1] - self.pad), 0, None)
        return float((w * h).sum())

    def place(self, xy_data, text: str, fontsize: float, radius_pt: float, must: bool, **text_kw):
        """Put `text` next to the data point; returns the annotation, or None when it did not fit."""
        px, py = self.ax.transData.transform(xy_data)
        w, h = self._size(text, fontsize)
        best = None
        r0 = radius_pt * self.px_per_pt + 2
        step = 9 * self.px_per_pt
        f = self.frame
        for ring in range(self.rings):
            for ux, uy in DIRECTIONS:
                dist = r0 + ring * step
                diag = 0.7071 if ux and uy else 1.0
                ax_, ay_ = px + ux * dist * diag, py + uy * dist * diag
                x0 = ax_ if ux > 0 else ax_ - w if ux < 0 else ax_ - w / 2
                y0 = ay_ if uy > 0 else ay_ - h if uy < 0 else ay_ - h / 2
                box = (x0, y0, x0 + w, y0 + h)
                if box[0] < f[0] + 2 or box[2] > f[2] - 2 or box[1] < f[1] + 2 or box[3] > f[3] - 2:
                    continue
                score = self._overlap(box)
                if score == 0:
                    return self._draw(xy_data, text, fontsize, (ax_ - px, ay_ - py), (ux, uy), ring, box,
                                      radius_pt, **text_kw)
                if best is None or score < best[0]:
                    best = (score, (ax_ - px, ay_ - py), (ux, uy), ring, box)
        if self.dry:                       # a trial: say it did not fit, but take the best place anyway
            if best is not None:
                self.block(*best[4])
            return None
        if must and best is not None:
            return self._draw(xy_data, text, fontsize, best[1], best[2], best[3], best[4], radius_pt, **text_kw)
        return None

    def _draw(self, xy, text, fontsize, offset_px, direction, ring, box, radius_pt, **text_kw):
        if self.dry:
            self.block(*box)
            return True
        ux, uy = direction
        ha = "left" if ux > 0 else "right" if ux < 0 else "center"
        va = "bottom" if uy > 0 else "top" if uy < 0 else "center"
        offset_pt = (offset_px[0] / self.px_per_pt, offset_px[1] / self.px_per_pt)
        arrow = dict(arrowstyle="-", lw=0.5, color="#555555", shrinkA=0, shrinkB=radius_pt) if ring > 0 else None
        text_kw.setdefault("path_effects", HALO)
        note = self.ax.annotate(text, xy=xy, xytext=offset_pt, textcoords="offset points", ha=ha, va=va,
                                fontsize=fontsize, linespacing=1.05, arrowprops=arrow, zorder=6,
                                annotation_clip=False, **text_kw)
        self.block(*box)
        return note


# --- geometry -------------------------------------------------------------------------------------------


def _ring_path(polygon: list) -> MplPath | None:
    verts, codes = [], []
    for ring in polygon:
        ring = [(float(p[0]), float(p[1])) for p in ring]
        if len(ring) < 3:
            continue
        verts += ring + [ring[0]]
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY]
    return MplPath(verts, codes) if verts else None


def _area(ring) -> float:
    xy = np.asarray(ring, float)[:, :2]
    return 0.5 * abs(np.dot(xy[:, 0], np.roll(xy[:, 1], 1)) - np.dot(xy[:, 1], np.roll(xy[:, 0], 1)))


def label_point(polygons: list, aspect: float) -> tuple[float, float] | None:
    """A point well inside the largest polygon (the grid point farthest from its edge)."""
    polygons = [p for p in polygons if p and len(p[0]) >= 3]
    if not polygons:
        return None
    biggest = max(polygons, key=lambda p: _area(p[0]))
    path = _ring_path(biggest)
    outer = np.asarray(biggest[0], float)[:, :2]
    (x0, y0), (x1, y1) = outer.min(axis=0), outer.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 24), np.linspace(y0, y1, 24))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    inside = grid[path.contains_points(grid)]
    if not len(inside):
        return float(outer[:, 0].mean()), float(outer[:, 1].mean())
    edge = np.vstack([np.asarray(r, float)[:, :2] for r in biggest])
    scale = np.array([1.0 / aspect, 1.0])
    d = np.sqrt((((inside[:, None, :] - edge[None, :, :]) * scale) ** 2).sum(axis=2)).min(axis=1)
    x, y = inside[int(np.argmax(d))]
    return float(x), float(y)


def _dodge(lon: np.ndarray, lat: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Spread points that share a position around a small circle, so each stays visible."""
    lon, lat = lon.copy(), lat.copy()
    keys = pd.Series(list(zip(np.round(lon, 3), np.round(lat, 3))))
    for _, idx in keys.groupby(keys).groups.items():
        idx = list(idx)
        if len(idx) < 2:
            continue
        for k, i in enumerate(idx):
            angle = 2 * math.pi * k / len(idx) + math.pi / 4
            lon[i] += span * 0.011 * math.cos(angle)
            lat[i] += span * 0.011 * math.sin(angle)
    return lon, lat


def marker_area(gdp, top: float) -> np.ndarray:
    """Marker area (pt²) for GDP values: area grows as GDP^0.7, from 14 to 420 pt²."""
    g = np.clip(np.asarray(gdp, float), 0, None)
    top = max(float(top), 1e-9)
    return 14 + 406 * (g / top) ** 0.7


def size_scale(n_zones: int) -> float:
    """Markers shrink on maps of many zones (a country), so they do not hide each other."""
    return min(1.0, math.sqrt(MANY_ZONES / max(n_zones, 1)))


# --- the plan map -------------------------------------------------------------------------------------


@dataclass
class MapData:
    zones: pd.DataFrame            # plan table + lon, lat, gdp, size, colour, label
    outlines: dict
    districts: pd.DataFrame
    aspect: float
    extent: tuple[float, float, float, float]


def _map_data(plan, namer: Namer) -> MapData:
    region = plan.region
    table = plan.table.copy()
    zones = region.zones
    table["lon"] = pd.to_numeric(zones["lon"].reindex(table.index), errors="coerce")
    table["lat"] = pd.to_numeric(zones["lat"].reindex(table.index), errors="coerce")
    table["gdp"] = pd.to_numeric(zones["gdp"].reindex(table.index), errors="coerce").fillna(0)
    en = zones["name_en"].reindex(table.index) if "name_en" in zones else pd.Series("", index=table.index)
    table["label"] = [namer.name(n, e, z) for z, n, e in zip(table.index, table["name"], en)]
    prefix = common_prefix(list(table["label"]))
    if prefix:   # "天津…" / "Tianjin …" on every label of a Tianjin map only takes room
        table["label"] = [lab[len(prefix):] if lab.startswith(prefix) else lab for lab in table["label"]]
        namer.notes.append(namer.t("prefix", prefix=prefix.strip()))
    table = table[table["lon"].notna() & table["lat"].notna()].copy()
    outlines = region.outlines or {}
    points = [np.asarray(r, float)[:, :2] for polys in outlines.values() for p in polys for r in p[:1] if len(r)]
    if points:
        allxy = np.vstack(points)
        x0, y0 = allxy.min(axis=0)
        x1, y1 = allxy.max(axis=0)
    else:
        x0, x1 = table["lon"].min(), table["lon"].max()
        y0, y1 = table["lat"].min(), table["lat"].max()
    if not np.isfinite([x0, x1, y0, y1]).all():
        x0, x1, y0, y1 = 0.0, 1.0, 0.0, 1.0
    pad_x, pad_y = max((x1 - x0) * 0.03, 0.02), max((y1 - y0) * 0.03, 0.02)
    extent = (x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y)
    aspect = 1.0 / max(math.cos(math.radians((y0 + y1) / 2)), 0.1)
    span = max(x1 - x0, y1 - y0, 1e-3)
    table["lon"], table["lat"] = _dodge(table["lon"].to_numpy(float), table["lat"].to_numpy(float), span)
    table["size"] = marker_area(table["gdp"], table["gdp"].max()) * size_scale(len(table))
    # colour by group: groups with members get a colour each (biggest group GDP first), lone hosts grey
    kept = table[table["status"] != "revoked"]
    group_gdp = kept.groupby("group_id")["gdp"].sum()
    group_n = kept.groupby("group_id").size()
    shared = sorted((g for g in group_n.index if group_n[g] > 1), key=lambda g: (-group_gdp[g], g))
    colours = {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(shared)}
    table["colour"] = [REVOKED if s == "revoked" else colours.get(g, ALONE)
                       for s, g in zip(table["status"], table["group_id"])]
    districts = region.districts.copy()
    districts["label"] = [namer.name(n, districts.at[d, "name_en"] if "name_en" in districts else "", d)
                          for d, n in zip(districts.index, districts["name"])]
    return MapData(table, outlines, districts, aspect, extent)


def _cluster_box(ax, data: MapData, renderer) -> tuple[float, float, float, float] | None:
    """The data box around the zones whose labels do not fit on the main map, if they cluster."""
    zones = data.zones
    if not 4 <= len(zones) <= MANY_ZONES:
        return None
    trial = LabelPlacer(ax, renderer, dry=True, rings=2)
    failed = _label_zones(ax, trial, zones, failures=True)
    if len(failed) < 2:
        return None
    xy = ax.transData.transform(zones[["lon", "lat"]].to_numpy(float))
    position = {z: i for i, z in enumerate(zones.index)}
    reach = 0.3 * ax.figure.dpi
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    seeds = [position[z] for z in failed]
    # the failed zones and their close neighbours, joined by single linkage; keep the biggest cluster
    members = sorted(set(seeds) | {j for i in seeds for j in np.flatnonzero(d[i] < reach)})
    parent = {i: i for i in members}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in members:
        for b in members:
            if a < b and d[a, b] < reach:
                parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in members:
        groups.setdefault(root(i), []).append(i)
    best = max(groups.values(), key=lambda g: (len(set(g) & set(seeds)), len(g), -min(g)))
    if len(set(best) & set(seeds)) < 2 or len(best) < 3:
        return None
    sub = zones.iloc[best]
    x0, x1 = sub["lon"].min(), sub["lon"].max()
    y0, y1 = sub["lat"].min(), sub["lat"].max()
    w = max(x1 - x0, (y1 - y0) * data.aspect, (data.extent[1] - data.extent[0]) * 0.05)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = w * 0.62
    half_h = max(half_w / data.aspect * 0.75, (y1 - y0) / 2 * 1.3)
    return cx - half_w, cx + half_w, cy - half_h, cy + half_h


def _draw_outlines(ax, data: MapData, exempt: set[str], namer: Namer, label: bool) -> list:
    """District outlines (exempt districts hatched) and names; returns the name positions drawn."""
    labels = []
    for i, (district, polygons) in enumerate(sorted(data.outlines.items())):
        face = "#F2F1EC" if i % 2 else "#E9ECEF"
        for polygon in polygons:
            path = _ring_path(polygon)
            if path is None:
                continue
            ax.add_patch(PathPatch(path, facecolor=face, edgecolor="#8C8C8C", lw=0.6, zorder=1))
            if district in exempt:
                ax.add_patch(PathPatch(path, facecolor="none", edgecolor="#C9B458", lw=0, hatch="////", zorder=1.1))
        if label and district in data.districts.index and len(data.outlines) <= MANY_DISTRICTS:
            point = label_point(polygons, data.aspect)
            if point is not None:
                labels.append((district, point))
    if label and not data.outlines and len(data.districts) <= MANY_DISTRICTS:
        for district, row in data.districts.iterrows():
            lon, lat = pd.to_numeric(row.get("lon"), errors="coerce"), pd.to_numeric(row.get("lat"), errors="coerce")
            if pd.isna(lon) or pd.isna(lat):
                here = data.zones[data.zones["district_id"] == district]
                if not len(here):
                    continue
                lon, lat = here["lon"].mean(), here["lat"].mean()
            labels.append((district, (float(lon), float(lat))))
    return labels


def _draw_zones(ax, zones: pd.DataFrame, scale: float = 1.0) -> None:
    hosts = {z: (x, y) for z, x, y in zip(zones.index, zones["lon"], zones["lat"])}
    for mode, style_ in MODE_STYLES.items():
        rows = zones[(zones["status"] == "member") & (zones["mode"] == mode) & zones["host_id"].isin(hosts)]
        if len(rows):
            segs = [[(x, y), hosts[h]] for x, y, h in zip(rows["lon"], rows["lat"], rows["host_id"])]
            ax.add_collection(LineCollection(segs, colors=list(rows["colour"]), linewidths=1.4 * scale,
                                             linestyles=[style_], zorder=3, capstyle="round"))
    others = zones[(zones["status"] == "member") & ~zones["mode"].isin(list(MODE_STYLES)) & zones["host_id"].isin(hosts)]
    if len(others):
        segs = [[(x, y), hosts[h]] for x, y, h in zip(others["lon"], others["lat"], others["host_id"])]
        ax.add_collection(LineCollection(segs, colors=list(others["colour"]), linewidths=1.2 * scale, zorder=3))
    folded = zones[zones["new_kind"].fillna("").astype(str) != ""]
    if len(folded):
        ax.scatter(folded["lon"], folded["lat"], s=(np.sqrt(folded["size"] * scale ** 2) + 9) ** 2, facecolors="none",
                   edgecolors=FOLD, linewidths=1.3, linestyles="--", zorder=3.5)
    for level in sorted(set(zones["level"]) | set(LEVEL_MARKERS)):
        marker = LEVEL_MARKERS.get(level, "o")
        boost = 2.2 if marker == "*" else 1.0
        at = zones[zones["level"] == level] if level in LEVEL_MARKERS else \
            zones[~zones["level"].isin(list(LEVEL_MARKERS)) & (zones["level"] == level)]
        for status, z, face_alpha, edge, lw in (("member", 4, 0.78, "white", 0.6), ("host", 5, 1.0, "black", 0.9),
                                                 ("revoked", 4, 1.0, "#555555", 0.8)):
            rows = at[at["status"] == status]
            if not len(rows):
                continue
            faces = ["white" if status == "revoked" else c for c in rows["colour"]]
            ax.scatter(rows["lon"], rows["lat"], s=rows["size"] * boost * scale ** 2, marker=marker, c=faces,
                       edgecolors=edge, linewidths=lw, alpha=face_alpha, zorder=z)
            if status == "revoked":
                ax.scatter(rows["lon"], rows["lat"], s=np.maximum(rows["size"] * 0.9, 70) * scale ** 2, marker="x",
                           c=REVOKED, linewidths=2, zorder=z + 0.5)


def _label_zones(ax, placer: LabelPlacer, zones: pd.DataFrame, scale: float = 1.0, member_labels: bool = True,
                 failures: bool = False):
    """Hosts first (always), then members and revoked zones where they fit.

    Returns how many labels were left out, or with `failures` the zone ids whose labels did not fit.
    """
    radius = np.sqrt(zones["size"].to_numpy(float)) * scale / 2 * np.where(zones["level"] == "national", 1.3, 1.0)
    placer.block_points(ax.transData.transform(zones[["lon", "lat"]].to_numpy(float)), radius * placer.px_per_pt)
    order = zones.assign(_r=radius, _host=(zones["status"] == "host"))
    order = order.sort_values(["_host", "gdp", "zone_id"], ascending=[False, False, True])
    left_out = []
    crowded = len(zones) > MANY_ZONES           # a country: name only the biggest hosts
    for rank, (zone, row) in enumerate(order.iterrows()):
        host = row["status"] == "host"
        if crowded and (not host or rank >= MANY_LABELS):
            left_out.append(zone)
            continue
        if not host and not member_labels:
            left_out.append(zone)
            continue
        text = wrap_label(row["label"])
        color = "black" if host else (REVOKED if row["status"] == "revoked" else "#3A3A3A")
        size = (7.0 if host else 6.2) if any(ord(c) > 0x2E80 for c in text) else (6.5 if host else 6.0)
        placed = placer.place((row["lon"], row["lat"]), text, size, row["_r"], must=host and not crowded, color=color)
        if placed is None:
            left_out.append(zone)
    return left_out if failures else len(left_out)


def plan_map(plan, lang: str = "zh"):
    """The plan map: outlines, zones sized by GDP and coloured by group, links, labels, legend."""
    namer = Namer(lang)
    data = _map_data(plan, namer)
    exempt = {d for d, e in plan.districts["exempt"].items() if _truthy(e)} if "exempt" in plan.districts else set()
    with plt.rc_context(style()):
        fig = plt.figure(figsize=A4)
        ax = fig.add_axes((0.015, 0.075, 0.57, 0.80))
        ax.set_xlim(data.extent[0], data.extent[1])
        ax.set_ylim(data.extent[2], data.extent[3])
        ax.set_aspect(data.aspect, adjustable="box", anchor="C")
        ax.set_axis_off()
        district_labels = _draw_outlines(ax, data, exempt, namer, label=True)
        _draw_zones(ax, data.zones)
        renderer = fig.canvas.get_renderer()
        ax.apply_aspect()
        box = _cluster_box(ax, data, renderer)
        inside = pd.Series(False, index=data.zones.index)
        side_top = 0.875
        if box is not None:
            x0, x1, y0, y1 = box
            inside = data.zones["lon"].between(x0, x1) & data.zones["lat"].between(y0, y1)
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#333333", lw=0.9, ls="--", zorder=7))
        placer = LabelPlacer(ax, renderer)
        if box is not None:
            bx = ax.transData.transform([(box[0], box[2]), (box[1], box[3])])
            placer.block(bx[0, 0], bx[0, 1], bx[1, 0], bx[1, 1])
        left_out = _label_zones(ax, placer, data.zones[~inside])
        for district, (x, y) in district_labels:
            if box is not None and box[0] <= x <= box[1] and box[2] <= y <= box[3]:
                continue
            _district_name(ax, placer, (x, y), data.districts.at[district, "label"])
        if box is not None:
            inset = _inset(fig, ax, data, box, exempt, namer)
            side_top = inset.get_position().y0 - 0.02
            left_out += inset._left_out
        _map_legend(fig, plan, data, exempt, namer, side_top)
        _title(fig, plan, namer, namer.t("map_title"))
        notes = list(namer.footer_notes())
        if not data.outlines:
            notes.append(namer.t("no_outlines"))
        if left_out:
            notes.append(namer.t("omitted", n=left_out))
        _footer(fig, plan, namer, notes)
    return fig


def _district_name(ax, placer: LabelPlacer, xy, text: str) -> None:
    px, py = ax.transData.transform(xy)
    probe = ax.text(*xy, text, fontsize=7.5, ha="center", va="center", color="#6B6B6B", zorder=2,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    bb = probe.get_window_extent(placer.renderer)
    f = placer.frame
    for dx, dy in [(0, 0)] + [(dx, dy) for dy in (-12, 12, -24, 24, -36, 36) for dx in (0, -40, 40)]:
        shifted = (bb.x0 + dx, bb.y0 + dy, bb.x1 + dx, bb.y1 + dy)
        inside = shifted[0] >= f[0] and shifted[2] <= f[2] and shifted[1] >= f[1] and shifted[3] <= f[3]
        if inside and placer._overlap(shifted) == 0:
            probe.set_position(ax.transData.inverted().transform((px + dx, py + dy)))
            placer.block(*shifted)
            return
    probe.remove()


def _inset(fig, ax, data: MapData, box, exempt, namer: Namer):
    x0, x1, y0, y1 = box
    height = min(0.44, 0.38 * (y1 - y0) / ((x1 - x0) / data.aspect) * (A4[0] / A4[1]))
    inset = fig.add_axes((0.605, 0.875 - height, 0.38, height))
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_aspect(data.aspect, adjustable="box", anchor="N")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_visible(True)
        spine.set_linestyle("--")
        spine.set_color("#333333")
    sub = MapData(data.zones, data.outlines, data.districts, data.aspect, box)
    labels = _draw_outlines(inset, sub, exempt, namer, label=True)
    zoom = min(1.6, max(1.0, ((data.extent[1] - data.extent[0]) / (x1 - x0)) ** 0.25))
    _draw_zones(inset, data.zones, scale=zoom)
    renderer = fig.canvas.get_renderer()
    inset.apply_aspect()
    placer = LabelPlacer(inset, renderer)
    inside = data.zones["lon"].between(x0, x1) & data.zones["lat"].between(y0, y1)
    near = data.zones[data.zones["lon"].between(x0 - (x1 - x0), x1 + (x1 - x0))
                      & data.zones["lat"].between(y0 - (y1 - y0), y1 + (y1 - y0))]
    radius = np.sqrt(near["size"].to_numpy(float)) * zoom / 2
    placer.block_points(inset.transData.transform(near[["lon", "lat"]].to_numpy(float)), radius * placer.px_per_pt)
    inset._left_out = _label_zones(inset, placer, data.zones[inside], scale=zoom)
    for district, (x, y) in labels:
        if x0 <= x <= x1 and y0 <= y <= y1:
            _district_name(inset, placer, (x, y), data.districts.at[district, "label"])
    inset.set_title(namer.t("inset"), fontsize=8, loc="left")
    for corner_main, corner_inset in (((x1, y1), (x0, y1)), ((x1, y0), (x0, y0))):
        fig.add_artist(ConnectionPatch(xyA=corner_main, coordsA=ax.transData, xyB=corner_inset,
                                       coordsB=inset.transData, color="#999999", lw=0.6, ls=":", zorder=0))
    return inset


def _map_legend(fig, plan, data: MapData, exempt: set, namer: Namer, top: float) -> None:
    lax = fig.add_axes((0.605, 0.075, 0.38, max(0.05, top - 0.075)))
    lax.set_axis_off()
    zones = data.zones
    headers: list[str] = []

    def header(text: str) -> Line2D:
        headers.append(text)
        return Line2D([], [], linestyle="none", label=text)

    handles = [header(namer.t("status"))]
    handles.append(Line2D([], [], marker="o", ls="none", mfc=GROUP_COLOURS[0], mec="black", ms=8,
                          label=namer.t("host")))
    handles.append(Line2D([], [], marker="o", ls="-", color=GROUP_COLOURS[0], mfc=GROUP_COLOURS[0], mec="white",
                          ms=7, alpha=0.8, label=namer.t("member")))
    handles.append(Line2D([], [], marker="X", ls="none", mfc=REVOKED, mec=REVOKED, ms=7, label=namer.t("revoked")))
    if (zones["new_kind"].fillna("").astype(str) != "").any():
        handles.append(Line2D([], [], marker="o", ls="none", mfc="none", mec=FOLD, ms=11, mew=1.3,
                              label=namer.t("fold")))
    handles.append(Line2D([], [], marker="o", ls="none", mfc=ALONE, mec="black", ms=7, label=namer.t("alone")))
    handles.append(Line2D([], [], linestyle="none", label=namer.t("colour_group")))
    if exempt:
        handles.append(Patch(facecolor="#F2F1EC", edgecolor="#C9B458", hatch="////", label=namer.t("exempt_district")))
    first = handles
    handles = []
    modes = [m for m in MODE_STYLES if (zones["mode"] == m).any()]
    if modes:
        handles.append(header(namer.t("mode")))
        handles += [Line2D([], [], color="#333333", lw=1.6, ls=MODE_STYLES[m], label=namer.t(m)) for m in modes]
    handles.append(header(namer.t("level")))
    for level, marker in LEVEL_MARKERS.items():
        if (zones["level"] == level).any():
            handles.append(Line2D([], [], marker=marker, ls="none", mfc="white", mec="black",
                                  ms=11 if marker == "*" else 7, label=namer.t(level)))
    unit = (plan.region.units or {}).get("gdp", "") if plan.region is not None else ""
    handles.append(header(namer.t("size", unit=namer.plain(unit, "—") or "—")))
    top_gdp = float(zones["gdp"].max() or 1)
    for value in _nice_steps(top_gdp):
        handles.append(Line2D([], [], marker="o", ls="none", mfc="#CCCCCC", mec="#555555",
                              ms=math.sqrt(float(marker_area([value], top_gdp)[0]) * size_scale(len(zones))),
                              label=f"{value:,.0f}"))
    for column, (x, items) in enumerate(((0.0, first), (0.56, handles))):
        legend = lax.legend(handles=items, loc="upper left", bbox_to_anchor=(x, 1), frameon=False, fontsize=7.5,
                            handlelength=2.4, borderaxespad=0, labelspacing=0.9)
        for text in legend.get_texts():
            if text.get_text() in headers:
                text.set_fontsize(8.5)
                text.set_color("#000000")
        if column == 0:
            lax.add_artist(legend)


def _nice_steps(top: float) -> list[float]:
    if top <= 0:
        return [1.0]
    magnitude = 10 ** math.floor(math.log10(top))
    steps = [magnitude / 100, magnitude / 10, magnitude]
    return [s for s in steps if s >= top / 300] or [magnitude]


def _title(fig, plan, namer: Namer, what: str) -> None:
    s = plan.summary
    region = namer.plain(s.get("region_title"), namer.plain(s.get("region"), "?"))
    scenario = namer.plain((s.get("scenario") or {}).get("name", ""), "?")
    fig.text(0.015, 0.965, f"{what} — {region}", fontsize=13.5, va="top")
    counts = s.get("counts", {})
    line = namer.t("summary", zones=counts.get("zones", len(plan.table)), hosts=counts.get("hosts", "?"),
                   members=counts.get("members", "?"), revoked=counts.get("revoked", "?"))
    fig.text(0.015, 0.925, f"scenario “{scenario}” · {line} · {_verdict(s, namer)}", fontsize=9, va="top",
             color="#333333")


def _verdict(summary: dict, namer: Namer) -> str:
    objective = summary.get("objective")
    obj = f"{namer.t('objective')} {objective:.4g}" if isinstance(objective, (int, float)) else ""
    if summary.get("proven_optimal"):
        verdict = namer.t("optimal")
    else:
        gap = summary.get("gap")
        verdict = namer.t("not_optimal", gap="?" if gap is None else f"{100 * gap:.2f}%")
    return f"{obj} ({verdict})" if obj else verdict


def _footer(fig, plan, namer: Namer, notes: list[str]) -> None:
    s = plan.summary
    quality = s.get("data_quality") or {}
    parts = []
    if quality:
        parts.append(f"{namer.t('data')}: " + ", ".join(f"{v} {k}" for k, v in sorted(quality.items())))
    count_by = (s.get("scenario") or {}).get("count_by")
    if count_by:
        parts.append(namer.t("count_by_managing" if count_by == "managing_district" else "count_by_location"))
    text = " · ".join(parts + namer.notes + notes)
    warned = bool(namer.footer_notes())
    fig.text(0.015, 0.012, "\n".join(textwrap.wrap(text, 190)) if text else "", fontsize=7,
             color="#8B0000" if warned else "#555555", va="bottom")


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


# --- zones per district -----------------------------------------------------------------------------


def zones_chart(plan, lang: str = "zh", limit: int = 40):
    """Zones per district before and after, with each district's cap and exempt districts marked."""
    namer = Namer(lang)
    d = plan.districts.copy()
    d["label"] = _district_labels(plan, namer)
    zero = int(((d["zones_before"] == 0) & (d["zones_after"] == 0)).sum())
    d = d[(d["zones_before"] > 0) | (d["zones_after"] > 0)]
    d = d.sort_values(["zones_before", "zones_after", "district_id"], ascending=[False, False, True])
    more = max(0, len(d) - limit)
    d = d.head(limit).iloc[::-1]
    exempt = d["exempt"].map(_truthy) if "exempt" in d else pd.Series(False, index=d.index)
    caps = pd.to_numeric(d["cap"], errors="coerce") if "cap" in d else pd.Series(np.nan, index=d.index)
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=A4)
        fig.subplots_adjust(left=0.16, right=0.86, top=0.86, bottom=0.1)
        y = np.arange(len(d))
        ax.barh(y + 0.2, d["zones_before"], height=0.38, color=BEFORE, label=namer.t("before"))
        after = ax.barh(y - 0.2, d["zones_after"], height=0.38, color=AFTER, label=namer.t("after"))
        for bar, is_exempt in zip(after, exempt):
            if is_exempt:
                bar.set_hatch("////")
                bar.set_edgecolor("#C9B458")
        for yi, before, aft in zip(y, d["zones_before"], d["zones_after"]):
            ax.text(before + 0.08, yi + 0.2, str(int(before)), va="center", fontsize=7, color="#555555")
            ax.text(aft + 0.08, yi - 0.2, str(int(aft)), va="center", fontsize=7, color=AFTER)
        capped = [(yi, c) for yi, c, e in zip(y, caps, exempt) if not e and pd.notna(c)]
        if capped:
            ax.vlines([c for _, c in capped], [yi - 0.45 for yi, _ in capped], [yi + 0.45 for yi, _ in capped],
                      colors=REVOKED, lw=2, label=namer.t("cap"), zorder=4)
            if len({c for _, c in capped}) == 1:
                ax.axvline(capped[0][1], color=REVOKED, lw=0.8, ls="--", zorder=0)
        labels = [f"{lab}（{namer.t('exempt')}）" if e and namer.ui == "zh" else f"{lab} ({namer.t('exempt')})" if e
                  else lab for lab, e in zip(d["label"], exempt)]
        ax.set_yticks(y, labels)
        ax.set_xlabel(namer.t("zones"))
        ax.xaxis.get_major_locator().set_params(integer=True)
        handles, _ = ax.get_legend_handles_labels()
        if exempt.any():
            handles.append(Patch(facecolor=AFTER, edgecolor="#C9B458", hatch="////", label=namer.t("exempt_district")))
        ax.legend(handles=handles, loc="lower right", frameon=False)
        ax.set_ylim(-0.7, len(d) - 0.3)
        _title(fig, plan, namer, namer.t("zones_title"))
        notes = namer.footer_notes()
        if zero:
            notes.append(namer.t("zero_districts", n=zero))
        if more:
            notes.append(namer.t("more_districts", n=more))
        _footer(fig, plan, namer, notes)
    return fig


def _district_labels(plan, namer: Namer) -> pd.Series:
    d = plan.districts
    en = None
    if plan.region is not None and "name_en" in plan.region.districts:
        en = plan.region.districts["name_en"].reindex(d.index)
    return pd.Series([namer.name(n, en[i] if en is not None else "", i) for i, n in zip(d.index, d["name"])],
                     index=d.index)


# --- GDP and revenue under the sharing rule --------------------------------------------------------------


def measures(districts: pd.DataFrame) -> list[str]:
    """The measures accounted in a districts table (gdp, fiscal_revenue, …)."""
    return [c[: -len("_before")] for c in districts.columns
            if c.endswith("_before") and c != "zones_before" and f"{c[: -len('_before')]}_after" in districts]


def rule_text(rule, namer: Namer) -> str:
    if isinstance(rule, dict) and "split" in rule:
        return namer.t("split", share=float(rule["split"]))
    rule = str(rule)
    if rule.startswith("split:"):
        return namer.t("split", share=float(rule.split(":", 1)[1]))
    return namer.t("host_rule" if rule == "host" else rule)


def allocation_chart(plan, lang: str = "zh", limit: int = 25):
    """Each measure per district before and after under the scenario's rule, and the flows between districts."""
    namer = Namer(lang)
    d = plan.districts.copy()
    d["label"] = _district_labels(plan, namer)
    names = list(measures(d))[:3] or ["gdp"]
    rules = ((plan.summary.get("allocation") or {}).get("rules") or (plan.summary.get("scenario") or {})
             .get("allocation") or {})
    units = (plan.region.units or {}) if plan.region is not None else {}
    flows = plan.flows if plan.flows is not None else pd.DataFrame()
    with plt.rc_context(style()):
        fig = plt.figure(figsize=A4)
        grid = fig.add_gridspec(2, len(names), height_ratios=[3.2, 1], left=0.11, right=0.97, top=0.86,
                                bottom=0.08, wspace=0.45, hspace=0.18)
        for k, m in enumerate(names):
            ax = fig.add_subplot(grid[0, k])
            cols = [f"{m}_before", f"{m}_after"]
            if not all(c in d for c in cols):
                ax.set_axis_off()
                continue
            sub = d[(d[cols[0]].abs() > 0) | (d[cols[1]].abs() > 0)]
            sub = sub.sort_values([cols[0], "district_id"], ascending=[False, True]).head(limit).iloc[::-1]
            y = np.arange(len(sub))
            ax.barh(y + 0.2, sub[cols[0]], height=0.38, color=BEFORE, label=namer.t("before"))
            ax.barh(y - 0.2, sub[cols[1]], height=0.38, color=AFTER, label=namer.t("after"))
            revoked = sub.get(f"{m}_revoked")
            if revoked is not None and (revoked > 0).any():
                ax.barh(y - 0.2, revoked, left=sub[cols[1]], height=0.38, color="white", edgecolor=REVOKED,
                        hatch="xxxx", lw=0.5, label=namer.t("revoked_value"))
            top = float(max(sub[cols[0]].max(), sub[cols[1]].max(), 1e-9)) if len(sub) else 1.0
            change = sub[cols[1]] - sub[cols[0]]
            for yi, before, ch in zip(y, sub[cols[0]], change):
                if abs(ch) > 1e-9:
                    share = f" ({ch / before:+.0%})" if before else ""
                    ax.text(top * 1.02, yi, f"{ch:+,.1f}{share}", va="center", fontsize=6.8,
                            color=AFTER if ch > 0 else REVOKED)
            ax.set_xlim(0, top * 1.32)
            ax.set_yticks(y, list(sub["label"]))
            unit = namer.plain(units.get(m, ""))
            ax.set_xlabel(f"{namer.t(m)}{f' ({unit})' if unit else ''}")
            ax.set_title(f"{namer.t(m)} — {namer.t('rule')}: {rule_text(rules.get(m, 'territorial'), namer)}",
                         loc="left")
            if k == 0:
                ax.legend(loc="lower right", frameon=False)
            ax.set_ylim(-0.7, max(len(sub), 1) - 0.3)
            tax = fig.add_subplot(grid[1, k])
            tax.set_axis_off()
            tax.text(0, 1, _flow_lines(flows, m, d["label"], unit, namer), va="top", ha="left", fontsize=7.2,
                     transform=tax.transAxes, linespacing=1.35)
        _title(fig, plan, namer, namer.t("alloc_title"))
        _footer(fig, plan, namer, namer.footer_notes())
    return fig


def _flow_lines(flows: pd.DataFrame, measure: str, labels: pd.Series, unit: str, namer: Namer, top: int = 6) -> str:
    header = f"{namer.t('flows')} ({namer.t(measure)}{', ' + unit if unit else ''}):"
    if flows is None or not len(flows) or "measure" not in flows:
        return f"{header} {namer.t('no_flows')}"
    rows = flows[flows["measure"] == measure].copy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows[rows["value"].abs() > 1e-12].sort_values(["value", "from_district", "to_district"],
                                                         ascending=[False, True, True])
    if not len(rows):
        return f"{header} {namer.t('no_flows')}"
    name = lambda d: labels.get(str(d), str(d))
    lines = [f"{name(r.from_district)} → {name(r.to_district)}  {r.value:,.1f}" for r in rows.head(top).itertuples()]
    if len(rows) > top:
        lines.append(f"… +{len(rows) - top}")
    return header + "\n" + "\n".join(lines)


# --- all plan charts --------------------------------------------------------------------------------


def plan_figures(plan, lang: str = "zh") -> dict:
    """The plan's figures by name (plan_map, zones_per_district, allocation); caller closes them."""
    figures = {}
    if plan.region is not None:
        figures["plan_map"] = plan_map(plan, lang)
    figures["zones_per_district"] = zones_chart(plan, lang)
    if measures(plan.districts):
        figures["allocation"] = allocation_chart(plan, lang)
    return figures


def plan_charts(plan, folder, lang: str = "zh") -> list[Path]:
    """Write the plan's charts (PNG and SVG) into `folder`; returns the files written."""
    written: list[Path] = []
    for name, fig in plan_figures(plan, lang).items():
        written += save(fig, Path(folder), name)
    return written


# --- comparison of scenarios ------------------------------------------------------------------------


TRADE_TEXT = {
    "zh": {"compare": "方案比较", "outcome": "开发区去向", "kept": "保留", "merged": "整合", "revoked": "撤销",
           "revoked_gdp": "撤销区 GDP（{unit}）", "gdp_km": "GDP × 到牵头距离（{unit}·km）",
           "cross": "并入外区牵头的 GDP（{unit}）", "hosts": "保留开发区数", "no_plan": "无方案",
           "none_revoked": "没有开发区被撤销", "heat": "整合后各区开发区数", "sweep": "参数扫描",
           "variants": "{n} 个变体 · 实心：已证明最优，空心：未证明，×：无方案（不可行或未解出）",
           "pareto": "权衡：{x} 与 {y}（两者都越低越好）", "better": "越低越好", "dominated": "被支配", "front": "非支配（帕累托）",
           "front_note": "{k} 个不同方案中 {f} 个非支配（{n} 个变体；相同方案只画一次）", "optimal": "最优",
           "feasible": "可行", "infeasible": "不可行", "stopped": "未解出", "input_error": "输入错误",
           "check_failed": "校验失败", "error": "错误", "district_cap": "上限", "revocation": "撤销权重",
           "distance": "距离权重", "max_distance_km": "最远距离", "contiguity": "相邻方式"},
    "en": {"compare": "Scenario comparison", "outcome": "Zones by outcome", "kept": "kept", "merged": "merged",
           "revoked": "revoked", "revoked_gdp": "GDP of revoked zones ({unit})", "gdp_km": "GDP × km to host ({unit}·km)",
           "cross": "GDP joining another district's host ({unit})", "hosts": "zones kept", "no_plan": "no plan",
           "none_revoked": "no zone is revoked", "heat": "Zones per district after consolidation",
           "sweep": "Sweep", "variants": "{n} variants · filled: proven optimal, hollow: not proven, ×: no plan "
           "(infeasible or not solved)", "pareto": "Trade-off: {x} against {y} (lower is better in both)",
           "better": "lower is better", "dominated": "dominated", "front": "non-dominated (Pareto)",
           "front_note": "{f} of {k} distinct plans are non-dominated ({n} variants; a plan several variants share "
           "is drawn once)", "optimal": "optimal", "feasible": "feasible", "infeasible": "infeasible",
           "stopped": "stopped", "input_error": "input error", "check_failed": "check failed", "error": "error",
           "district_cap": "cap", "revocation": "revocation weight", "distance": "distance weight",
           "max_distance_km": "max km", "contiguity": "contiguity"},
}
QUANTITIES = ("revoked_gdp", "gdp_km", "cross_district_gdp", "hosts")      # real units, never weighted parts
SOLVED_STATUSES = ("optimal", "feasible")


def _tt(lang: str, key: str, **kw) -> str:
    text = TRADE_TEXT["zh" if lang == "zh" and fonts.cjk_font() else "en"].get(key, key)
    return text.format(**kw) if kw else text


def _quantity_label(column: str, lang: str, unit: str) -> str:
    key = {"revoked_gdp": "revoked_gdp", "gdp_km": "gdp_km", "cross_district_gdp": "cross", "hosts": "hosts"}[column]
    return _tt(lang, key, unit=unit or "GDP").replace("（）", "").replace(" ()", "")


def _parameter_label(parameter: str, lang: str) -> str:
    last = parameter.split(".")[-1]
    return _tt(lang, last) if last in TRADE_TEXT["en"] else parameter


def _solved(rows: pd.DataFrame) -> pd.Series:
    if "status" not in rows:
        return pd.Series(True, index=rows.index)
    return rows["status"].astype(str).isin(SOLVED_STATUSES)


def compare_figure(table: pd.DataFrame, per_district: pd.DataFrame, title: str | None = None, lang: str = "zh",
                   unit: str = "", district_names: dict[str, str] | None = None):
    """Key figures of several scenarios side by side, in real units; a scenario without a plan says so."""
    t = table.reset_index(drop=True).copy()
    names = [str(s) for s in t["scenario"]]
    x = np.arange(len(t))
    solved = _solved(t).to_numpy()
    rotation = _rotation(names)
    with plt.rc_context(style()):
        fig = plt.figure(figsize=A4)
        longest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in n) for n in names), default=0)
        grid = fig.add_gridspec(2, 4, left=min(0.2, max(0.06, 0.02 + 0.0062 * longest)), right=0.98, top=0.86,
                                bottom=0.08, wspace=0.38, hspace=0.55)

        def ticks(ax):
            ax.set_xticks(x, names, rotation=rotation, ha="right" if rotation else "center")

        def no_plan(ax, top):
            for xi in x[~solved]:
                ax.text(xi, top * 0.02, f"{_tt(lang, 'no_plan')}\n({_tt(lang, str(t.at[xi, 'status']))})",
                        ha="center", va="bottom", fontsize=7, color=REVOKED, rotation=90)

        ax = fig.add_subplot(grid[0, 0])
        bottom = np.zeros(len(t))
        for col, colour, key in (("hosts", AFTER, "kept"), ("members", GROUP_COLOURS[1], "merged"),
                                 ("revoked", REVOKED, "revoked")):
            values = pd.to_numeric(t.get(col, pd.Series(0, index=t.index)), errors="coerce").fillna(0).to_numpy()
            ax.bar(x, values, bottom=bottom, color=colour, label=_tt(lang, key), width=0.6)
            bottom += values
        top = max(float(bottom.max()), 1) * 1.25
        ax.set_ylim(0, top)
        no_plan(ax, top)
        ticks(ax)
        ax.set_title(_tt(lang, "outcome"), loc="left")
        ax.legend(frameon=False, fontsize=7, ncol=3, loc="upper center")
        for k, column in enumerate(("revoked_gdp", "gdp_km", "cross_district_gdp"), start=1):
            ax = fig.add_subplot(grid[0, k])
            values = pd.to_numeric(t.get(column, pd.Series(np.nan, index=t.index)), errors="coerce")
            shown = values.where(pd.Series(solved))
            ax.bar(x[solved], shown[solved].fillna(0), color=(REVOKED, "#0072B2", "#009E73")[k - 1], width=0.6)
            top = max(float(shown.max()) if shown.notna().any() else 0.0, 1.0) * 1.25
            ax.set_ylim(0, top)
            for xi, v in zip(x[solved], shown[solved]):
                if pd.notna(v):
                    ax.text(xi, v, f"{v:,.1f}", ha="center", va="bottom", fontsize=6.8)
            no_plan(ax, top)
            if column == "revoked_gdp" and solved.any() and not (shown[solved].fillna(0) > 0).any():
                ax.text(0.5, 0.5, _tt(lang, "none_revoked"), transform=ax.transAxes, ha="center", va="center",
                        fontsize=8, color="#555555")
            ticks(ax)
            ax.set_title(_quantity_label(column, lang, unit), loc="left", fontsize=8.5)
        ax = fig.add_subplot(grid[1, :])
        _district_heatmap(ax, per_district, lang, district_names)
        fig.text(0.015, 0.965, title or _tt(lang, "compare"), fontsize=13, va="top")
        seconds = pd.to_numeric(t.get("seconds"), errors="coerce").fillna(0)
        fig.text(0.015, 0.925, " · ".join(f"{n}: {_tt(lang, str(st))}, {sec:.1f} s" for n, st, sec in
                                          zip(names, t.get("status", [""] * len(t)), seconds)),
                 fontsize=8.5, va="top", color="#333333")
    return fig


def _district_heatmap(ax, per_district: pd.DataFrame, lang: str = "zh",
                      district_names: dict[str, str] | None = None) -> None:
    namer = Namer(lang)
    frame = per_district.copy()
    if frame.empty:
        ax.set_axis_off()
        return
    frame = frame.loc[frame.max(axis=1) > 0] if len(frame.columns) else frame
    frame = frame.head(30)
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(float).T
    english = district_names or {}
    labels = [namer.name(n, english.get(str(n), ""), n) for n in frame.index]
    ax.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=max(np.nanmax(values), 1) * 1.3)
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 8 else 0,
                  ha="right" if len(labels) > 8 else "center")
    ax.set_yticks(range(len(frame.columns)), [str(c) for c in frame.columns])
    ax.set_title(_tt(lang, "heat"), loc="left")
    for spine in ax.spines.values():
        spine.set_visible(False)


def _rotation(names: list[str]) -> int:
    return 30 if sum(len(n) for n in names) > 40 else 0


def _pct(gap) -> str:
    try:
        return f"{100 * float(gap):.2f}%"
    except (TypeError, ValueError):
        return "?"


def compare_charts(table: pd.DataFrame, per_district: pd.DataFrame, folder, lang: str = "zh", unit: str = "",
                   district_names: dict[str, str] | None = None) -> list[Path]:
    """Write `compare.png` and `compare.svg`: scenarios' key figures side by side."""
    return save(compare_figure(table, per_district, lang=lang, unit=unit, district_names=district_names),
                Path(folder), "compare")


# --- sweeps ---------------------------------------------------------------------------------------


def pareto_front(x, y) -> np.ndarray:
    """Boolean mask of the non-dominated points when both x and y are minimised."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = ~(np.isnan(x) | np.isnan(y))
    mask = np.zeros(len(x), bool)
    for i in np.flatnonzero(ok):
        dominated = ok & (x <= x[i]) & (y <= y[i]) & ((x < x[i]) | (y < y[i]))
        mask[i] = not dominated.any()
    return mask


def _hashable(rows: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """Swept values as the sweep writes them ({split: 0.5} as text), so they can be grouped and sorted."""
    rows = rows.reset_index(drop=True).copy()
    for p in parameters:
        if p in rows:
            rows[p] = rows[p].map(lambda v: _value_text(v) if isinstance(v, (dict, list)) else v)
    return rows


def _sort_key(value):
    """Numbers in numeric order, before any text."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return (0, float(number), "") if pd.notna(number) else (1, 0.0, str(value))


def _value_text(value) -> str:
    if isinstance(value, dict) and set(value) == {"split"}:
        return f"split:{value['split']:g}"
    if isinstance(value, (dict, list)):
        return str(value)
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.notna(number) and float(number).is_integer():
        return str(int(number))
    return str(value)


def sweep_figure(rows: pd.DataFrame, parameters: list[str], title: str | None = None, lang: str = "zh",
                 unit: str = ""):
    """What each swept parameter does in real units: revoked GDP, GDP × km to host, zones kept; one line per
    combination of the other parameters (legend in numeric order, only values that occur); variants without
    a plan marked × at the top of the panel, never drawn as 0."""
    parameters = [p for p in (list(parameters) or [c for c in rows.columns if "." in c]) if p in rows]
    rows = _hashable(rows, parameters)
    quantities = [q for q in ("revoked_gdp", "gdp_km", "hosts") if q in rows]
    n = max(1, len(parameters))
    solved = _solved(rows)
    optimal = rows["status"].astype(str).eq("optimal") if "status" in rows else solved
    with plt.rc_context(style()):
        fig, axes = plt.subplots(max(1, len(quantities)), n, figsize=A4, squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.97, top=0.86, bottom=0.08, hspace=0.45, wspace=0.3)
        for k, parameter in enumerate(parameters):
            others = [p for p in parameters if p != parameter]
            categories = sorted(rows[parameter].dropna().unique(), key=_sort_key)
            numeric = all(_sort_key(c)[0] == 0 for c in categories)
            xs = (pd.to_numeric(rows[parameter], errors="coerce") if numeric
                  else rows[parameter].map({c: i for i, c in enumerate(categories)}).astype(float))
            keys = sorted({tuple(r) for r in rows[others].itertuples(index=False)}, key=lambda t: [_sort_key(v) for v in t]) \
                if others else [()]
            for r, column in enumerate(quantities):
                ax = axes[r, k]
                ys = pd.to_numeric(rows[column], errors="coerce").where(solved)
                for i, key in enumerate(keys[:8]):
                    mask = np.ones(len(rows), bool)
                    for p, v in zip(others, key):
                        mask &= (rows[p] == v).to_numpy()
                    idx = rows.index[mask & solved.to_numpy()]
                    idx = idx[np.argsort(xs[idx].to_numpy(), kind="stable")]
                    colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
                    label = ", ".join(f"{_parameter_label(p, lang)} {_value_text(v)}" for p, v in zip(others, key))
                    ax.plot(xs[idx], ys[idx], "-", color=colour, lw=1.2, label=label or None)
                    good = idx[optimal[idx].to_numpy()]
                    ax.plot(xs[good], ys[good], "o", color=colour, ms=5)
                    bad = idx[~optimal[idx].to_numpy()]
                    ax.plot(xs[bad], ys[bad], "o", mfc="white", color=colour, ms=5)
                failed = rows.index[~solved.to_numpy()]
                if len(failed):
                    ax.plot(xs[failed], np.full(len(failed), 0.97), "x", color=REVOKED, ms=8, mew=2,
                            transform=ax.get_xaxis_transform(), label=_tt(lang, "no_plan"), clip_on=False)
                ax.set_xlabel(_parameter_label(parameter, lang) + (f" ({parameter})" if lang == "zh" else ""))
                ax.set_ylabel(_quantity_label(column, lang, unit))
                ax.set_xticks(range(len(categories)) if not numeric else [float(c) for c in categories],
                              [_value_text(c) for c in categories])
                finite = ys.dropna()
                top = float(finite.max()) if len(finite) else 0.0
                ax.set_ylim(min(0.0, float(finite.min()) if len(finite) else 0.0), top * 1.25 if top > 0 else 1.0)
                if column == "revoked_gdp" and len(finite) and top == 0:
                    ax.text(0.5, 0.5, _tt(lang, "none_revoked"), transform=ax.transAxes, ha="center", va="center",
                            fontsize=8, color="#555555")
                if ax.get_legend_handles_labels()[0] and r == 0:
                    ax.legend(frameon=False, fontsize=6.5, loc="upper right")
        fig.text(0.015, 0.965, title or _tt(lang, "sweep"), fontsize=13, va="top")
        fig.text(0.015, 0.925, _tt(lang, "variants", n=len(rows)), fontsize=8.5, va="top", color="#333333")
    return fig


def pareto_parts(rows: pd.DataFrame) -> tuple[str, str]:
    """The two real quantities to trade off: GDP × km to host against revoked GDP when revocation varies,
    else against the zones kept (never weighted objective parts, which change with the weights swept)."""
    def varies(column):
        return column in rows and pd.to_numeric(rows[column], errors="coerce").nunique(dropna=True) > 1

    for pair in (("gdp_km", "revoked_gdp"), ("gdp_km", "hosts"), ("revoked_gdp", "hosts")):
        if all(varies(c) for c in pair):
            return pair
    return ("gdp_km", "revoked_gdp") if "gdp_km" in rows else ("revoked_gdp", "hosts")


def distinct_plans(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct plan among the solved variants (by plan_id, else by its figures), with
    `variants`: how many variants gave it, and the first variant's parameters."""
    solved = rows[_solved(rows)].copy()
    if "plan_id" in solved and solved["plan_id"].notna().all():
        key = solved["plan_id"].astype(str)
    else:
        figures = [c for c in ("hosts", "members", "revoked", "revoked_gdp", "gdp_km") if c in solved]
        key = solved[figures].round(6).astype(str).agg("|".join, axis=1)
    solved["_plan"] = key.to_numpy()
    first = solved.drop_duplicates("_plan", keep="first").set_index("_plan")
    first["variants"] = solved.groupby("_plan").size().reindex(first.index)
    return first.reset_index(drop=True)


def _variants_text(params: list[str], combos: list[tuple], lang: str) -> str:
    """The variants that give one plan: `cap 4 · revocation weight 1, 5, 20` when they are a full grid,
    else each combination, at most four."""
    if not combos:
        return ""
    values = [sorted({c[k] for c in combos}, key=_sort_key) for k in range(len(params))]
    join = "、" if lang == "zh" else ", "
    if len(combos) == int(np.prod([len(v) for v in values])):
        return " · ".join(f"{_parameter_label(p, lang)} {join.join(v)}" for p, v in zip(params, values))
    shown = "; ".join(", ".join(f"{_parameter_label(p, lang)} {v}" for p, v in zip(params, c)) for c in combos[:4])
    return shown + (" …" if len(combos) > 4 else "")


def pareto_figure(rows: pd.DataFrame, parameters: list[str], parts: tuple[str, str] | None = None,
                  title: str | None = None, lang: str = "zh", unit: str = ""):
    """Two real quantities against each other, each distinct plan once, the non-dominated ones marked and
    labelled with every variant that gives them."""
    rows = _hashable(rows, parameters)
    xcol, ycol = parts or pareto_parts(rows)
    plans = distinct_plans(rows)
    params = [p for p in parameters if p in rows]
    solved = rows[_solved(rows)]
    if "plan_id" in rows and len(plans) and "plan_id" in plans:
        variants_of = {pid: sorted(({tuple(_value_text(v) for v in r) for r in
                                     solved.loc[solved["plan_id"] == pid, params].itertuples(index=False)}),
                                   key=lambda t: [_sort_key(v) for v in t]) for pid in plans["plan_id"]}
    else:
        variants_of = {}
    x = pd.to_numeric(plans.get(xcol), errors="coerce").to_numpy(float)
    y = pd.to_numeric(plans.get(ycol), errors="coerce").to_numpy(float)
    front = pareto_front(x, y)
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=A4)
        fig.subplots_adjust(left=0.09, right=0.97, top=0.86, bottom=0.1)
        ax.scatter(x[~front], y[~front], s=28, color="#9E9E9E", label=_tt(lang, "dominated"), zorder=3)
        ax.scatter(x[front], y[front], s=48, color=REVOKED, edgecolors="black", label=_tt(lang, "front"), zorder=4)
        order = np.argsort(x[front], kind="stable")
        ax.step(x[front][order], y[front][order], where="post", color=REVOKED, lw=0.8, ls=(0, (3, 3)), alpha=0.6,
                zorder=2)
        fig.canvas.draw()
        placer = LabelPlacer(ax, fig.canvas.get_renderer())
        placer.block_points(ax.transData.transform(np.column_stack([x, y])[~np.isnan(x) & ~np.isnan(y)]),
                            np.full(int((~np.isnan(x) & ~np.isnan(y)).sum()), 6.0))
        for i in np.flatnonzero(front):
            combos = variants_of.get(plans.at[i, "plan_id"], []) if variants_of else \
                [tuple(_value_text(plans.at[i, p]) for p in params)]
            text = _variants_text(params, combos, lang)
            if text:
                placer.place((x[i], y[i]), text, fontsize=7, radius_pt=4, must=True)
        ax.set_xlabel(_quantity_label(xcol, lang, unit))
        ax.set_ylabel(_quantity_label(ycol, lang, unit))
        ax.legend(frameon=False)
        heading = title or _tt(lang, "pareto", x=_quantity_label(xcol, lang, "").split("（")[0].split(" (")[0],
                               y=_quantity_label(ycol, lang, "").split("（")[0].split(" (")[0])
        fig.text(0.015, 0.965, heading, fontsize=13, va="top")
        fig.text(0.015, 0.925, _tt(lang, "front_note", f=int(front.sum()), k=len(plans), n=len(rows)),
                 fontsize=8.5, va="top", color="#333333")
    return fig


def sweep_charts(rows: pd.DataFrame, parameters: list[str], folder, lang: str = "zh", unit: str = "") -> list[Path]:
    """Write `sweep.*` (real quantities per parameter) and `pareto.*` (the trade-off) into `folder`."""
    folder = Path(folder)
    written = save(sweep_figure(rows, parameters, lang=lang, unit=unit), folder, "sweep")
    if int(_solved(rows).sum()) >= 2:
        written += save(pareto_figure(rows, parameters, lang=lang, unit=unit), folder, "pareto")
    return written
