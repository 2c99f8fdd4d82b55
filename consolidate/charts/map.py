"""The plan map: district outlines, zones sized by GDP and coloured by group, merge links, labels placed
so they do not collide, an inset where labels crowd, and the legend.

    >>> fig = plan_map(plan, "en")
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import ConnectionPatch, Patch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from ..webmap import nice_km
from ._style import (A4, ALONE, FOLD, GROUP_COLOURS, HALO, LEVEL_MARKERS, MODE_STYLES, REVOKED, Namer, _footer, _title,
                     _truthy, common_prefix, figure, styled, wrap_label)

MANY_ZONES, MANY_LABELS = 150, 60     # above MANY_ZONES zones, the map names the MANY_LABELS biggest hosts
DENSE_MAP = 60                       # above this many zones, groups are hulls named by their hosts
MANY_DISTRICTS = 80                   # above this, district names are left off the map


# --- label placement ------------------------------------------------------------------------------------


DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


class LabelPlacer:
    """Greedy placement of labels around points, avoiding markers and each other (display pixels)."""

    def __init__(self, ax, renderer, pad_px: float = 1.5, dry: bool = False, rings: int = 5, sizes: dict | None = None):
        self.ax, self.renderer, self.pad, self.dry, self.rings = ax, renderer, pad_px, dry, rings
        self.sizes = {} if sizes is None else sizes      # (text, fontsize) -> pixels, shared by a figure's placers
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
        if (text, fontsize) not in self.sizes:
            probe = self.ax.text(0, 0, text, fontsize=fontsize, linespacing=1.05)
            box = probe.get_window_extent(self.renderer)
            probe.remove()
            self.sizes[text, fontsize] = box.width, box.height
        return self.sizes[text, fontsize]

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
        arrow = dict(arrowstyle="-", lw=0.5, color="#555555", shrinkA=0, shrinkB=radius_pt, patchA=None) \
            if ring > 0 else None     # patchA None: the leader starts at the label's corner, no clipping to its box
        text_kw.setdefault("bbox", HALO)
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
    edge = edge[::max(1, len(edge) // 400)]       # a long coastline: every few vertices are near enough
    dx = np.subtract.outer(inside[:, 0], edge[:, 0]) / aspect
    dy = np.subtract.outer(inside[:, 1], edge[:, 1])
    x, y = inside[int(np.argmax((dx * dx + dy * dy).min(axis=1)))]
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
    _paths: dict = field(default_factory=dict, repr=False)        # shared by the main map and the inset
    _label_points: dict = field(default_factory=dict, repr=False)
    label_sizes: dict = field(default_factory=dict, repr=False)   # LabelPlacer's measurements, shared

    def paths(self, district) -> list[MplPath]:
        """The district's outline as matplotlib paths (built once)."""
        if district not in self._paths:
            found = (_ring_path(polygon) for polygon in self.outlines.get(district, []))
            self._paths[district] = [path for path in found if path is not None]
        return self._paths[district]

    def label_point(self, district) -> tuple[float, float] | None:
        """Where the district's name goes (computed once)."""
        if district not in self._label_points:
            self._label_points[district] = label_point(self.outlines.get(district, []), self.aspect)
        return self._label_points[district]


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
    trial = LabelPlacer(ax, renderer, dry=True, rings=2, sizes=data.label_sizes)
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
    paths, faces, hatched = [], [], []
    for i, (district, polygons) in enumerate(sorted(data.outlines.items())):
        face = "#F2F1EC" if i % 2 else "#E9ECEF"
        for path in data.paths(district):
            paths.append(path)
            faces.append(face)
            if district in exempt:
                hatched.append(path)
        if label and district in data.districts.index and len(data.outlines) <= MANY_DISTRICTS:
            point = data.label_point(district)
            if point is not None:
                labels.append((district, point))
    # one collection each (the axes' limits are set, so no patch-by-patch limit updates)
    if paths:
        ax.add_collection(PathCollection(paths, facecolors=faces, edgecolors="#8C8C8C", linewidths=0.6, zorder=1),
                          autolim=False)
    if hatched:
        ax.add_collection(PathCollection(hatched, facecolors="none", edgecolors="#C9B458", linewidths=0,
                                         hatch="////", zorder=1.1), autolim=False)
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


def map_frame():
    """The map's figure and main axes (nothing here depends on the plan): (figure, axes)."""
    with styled():
        fig = figure(A4)
        ax = fig.add_axes((0.015, 0.075, 0.57, 0.80))
    return fig, ax


def plan_map(plan, lang: str = "zh", frame=None):
    """The plan map: outlines, zones sized by GDP and coloured by group, links, labels, legend (`frame`:
    `map_frame`'s, made beforehand)."""
    namer = Namer(lang)
    data = _map_data(plan, namer)
    exempt = {d for d, e in plan.districts["exempt"].items() if _truthy(e)} if "exempt" in plan.districts else set()
    with styled():
        fig, ax = frame if frame is not None else map_frame()
        ax.set_xlim(data.extent[0], data.extent[1])
        ax.set_ylim(data.extent[2], data.extent[3])
        ax.set_aspect(data.aspect, adjustable="box", anchor="C")
        ax.set_axis_off()
        district_labels = _draw_outlines(ax, data, exempt, namer, label=True)
        dense = len(data.zones) > DENSE_MAP
        if dense:   # a campaign: each group as a shaded hull, named by its host, members unnamed
            _draw_group_hulls(ax, data.zones)
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
        placer = LabelPlacer(ax, renderer, sizes=data.label_sizes)
        if box is not None:
            bx = ax.transData.transform([(box[0], box[2]), (box[1], box[3])])
            placer.block(bx[0, 0], bx[0, 1], bx[1, 0], bx[1, 1])
        left_out = _label_zones(ax, placer, data.zones[~inside], member_labels=not dense)
        for district, (x, y) in district_labels:
            if box is not None and box[0] <= x <= box[1] and box[2] <= y <= box[3]:
                continue
            _district_name(ax, placer, (x, y), data.districts.at[district, "label"])
        if box is not None:
            inset = _inset(fig, ax, data, box, exempt, namer)
            side_top = inset.get_position().y0 - 0.02
            left_out += inset._left_out
        scale_bar_and_north(ax, data, namer)
        _map_legend(fig, plan, data, exempt, namer, side_top)
        _title(fig, plan, namer, namer.t("map_title"))
        notes = list(namer.footer_notes())
        if not data.outlines:
            notes.append(namer.t("no_outlines"))
        if dense:
            notes.append(namer.t("hulls"))
        elif left_out:
            notes.append(namer.t("omitted", n=left_out))
        _footer(fig, plan, namer, notes)
    return fig


def _draw_group_hulls(ax, zones: pd.DataFrame) -> None:
    """Each group of three or more zones as its convex hull in the group's colour (two are already a line)."""
    from scipy.spatial import ConvexHull, QhullError

    kept = zones[zones["status"] != "revoked"]
    for group, rows in kept.groupby("group_id", sort=True):
        points = rows[["lon", "lat"]].to_numpy(float)
        if len(points) < 3:
            continue
        try:
            hull = ConvexHull(points)
        except QhullError:            # all on one line
            continue
        ring = points[hull.vertices]
        colour = rows["colour"].iloc[0]
        ax.add_patch(Polygon(ring, closed=True, facecolor=colour, alpha=0.16, edgecolor=colour, lw=0.8, zorder=2))


def scale_bar_and_north(ax, data: MapData, namer: Namer) -> None:
    """A scale bar (a round number of km, about a fifth of the map's width) at the lower left and a north
    arrow at the upper right of the map axes."""
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    km_per_degree = 111.195 / data.aspect                      # a degree of longitude at the map's latitude
    km = nice_km(0.2 * (x1 - x0) * km_per_degree)
    width = km / km_per_degree / (x1 - x0)                     # in axes fractions
    ax.add_patch(Rectangle((0.03, 0.03), width, 0.008, transform=ax.transAxes, color="#333333", zorder=8))
    ax.add_patch(Rectangle((0.03 + width / 2, 0.03), width / 2, 0.008, transform=ax.transAxes, color="white",
                           ec="#333333", lw=0.6, zorder=9))
    ax.text(0.03 + width + 0.01, 0.034, f"{km:g} km", transform=ax.transAxes, fontsize=7.5, va="center", zorder=9,
            bbox=HALO)
    ax.annotate(namer.t("north"), xy=(0.96, 0.985), xytext=(0.96, 0.9), xycoords="axes fraction",
                textcoords="axes fraction", ha="center", va="top", fontsize=9,
                arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.4), zorder=9)


def _district_name(ax, placer: LabelPlacer, xy, text: str) -> None:
    px, py = ax.transData.transform(xy)
    probe = ax.text(*xy, text, fontsize=7.5, ha="center", va="center", color="#6B6B6B", zorder=2,
                    bbox=HALO)
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
    sub = MapData(data.zones, data.outlines, data.districts, data.aspect, box, data._paths, data._label_points,
                  data.label_sizes)
    labels = _draw_outlines(inset, sub, exempt, namer, label=True)
    zoom = min(1.6, max(1.0, ((data.extent[1] - data.extent[0]) / (x1 - x0)) ** 0.25))
    _draw_zones(inset, data.zones, scale=zoom)
    renderer = fig.canvas.get_renderer()
    inset.apply_aspect()
    placer = LabelPlacer(inset, renderer, sizes=data.label_sizes)
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
    """Two legend columns right of the map, below the inset (on the figure: no axes of their own)."""
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
    for x, items in ((0.605, first), (0.605 + 0.56 * 0.38, handles)):
        legend = fig.legend(handles=items, loc="upper left", bbox_to_anchor=(x, top), frameon=False, fontsize=7.5,
                            handlelength=2.4, borderaxespad=0, labelspacing=0.9)
        for text in legend.get_texts():
            if text.get_text() in headers:
                text.set_fontsize(8.5)
                text.set_color("#000000")


def _nice_steps(top: float) -> list[float]:
    if top <= 0:
        return [1.0]
    magnitude = 10 ** math.floor(math.log10(top))
    steps = [magnitude / 100, magnitude / 10, magnitude]
    return [s for s in steps if s >= top / 300] or [magnitude]


