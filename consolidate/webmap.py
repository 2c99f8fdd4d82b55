"""The report's interactive map: one inline SVG per plan and one small script for all of them.

    >>> svg = plan_svg(plan, lang="en", reasons={"G121050": "nearest national host"})
    >>> SCRIPT            # pan (drag), zoom (wheel, +/−), click a zone for its decision

Everything is drawn here, in Python, as plain SVG: district outlines, zones as circles coloured by
their group (a host and its members share a colour; revoked zones are red crosses), a line from each
member to its host, the names of hosts, a scale bar and a north arrow. The SVG reads and prints without
the script; the script only adds pan/zoom and the details panel. No tiles, no fetches, no libraries:
the page's Content-Security-Policy admits exactly this script by its hash (`script_hash`).
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math

import numpy as np
import pandas as pd

WIDTH = 1000.0
PAD = 24.0
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C564B", "#6A3D9A",
                 "#B8860B", "#2E8B57", "#4682B4", "#C71585")
ALONE = "#7a7a7a"
REVOKED = "#C0392B"
DENSE = 60            # above this many zones, only hosts with members are named on the map

WORDS = {
    "zh": {"host": "保留（牵头）", "member": "整合（并入）", "revoked": "撤销", "alone": "保留（无成员）",
           "decision": "决定", "host_of": "牵头开发区", "distance": "距离", "gdp": "GDP", "reason": "理由",
           "district": "区", "mode": "方式", "zoom_in": "放大", "zoom_out": "缩小", "reset": "复原",
           "hint": "拖动平移，滚轮或 +/− 缩放，点击开发区查看详情。", "north": "北",
           "legend": "颜色 = 整合组（牵头开发区及其成员，黑边 = 牵头）；灰色 = 单独保留；红圈 = 撤销；圆面积 = GDP",
           "map": "交互式整合方案图", "entrusted": "委托代管", "co_construction": "合作共建", "multi_park": "一区多园"},
    "en": {"host": "kept (host)", "member": "merged (member)", "revoked": "revoked", "alone": "kept (no members)",
           "decision": "decision", "host_of": "host", "distance": "distance", "gdp": "GDP", "reason": "reason",
           "district": "district", "mode": "mode", "zoom_in": "Zoom in", "zoom_out": "Zoom out", "reset": "Reset",
           "hint": "Drag to pan, wheel or +/− to zoom, click a zone for its details.", "north": "N",
           "legend": "colour = group (a host, black-ringed, and its members); grey = kept alone; red ring = revoked; circle area = GDP",
           "map": "Interactive plan map", "entrusted": "entrusted", "co_construction": "co-construction",
           "multi_park": "one zone, many parks"},
}


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


class Projection:
    """Longitude/latitude to SVG units: equirectangular, shrunk by cos(latitude) so a km is a km both ways."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray):
        self.lon0, self.lat1 = float(np.min(lon)), float(np.max(lat))
        self.kx = math.cos(math.radians(float(np.mean(lat))))
        span = max((float(np.max(lon)) - self.lon0) * self.kx, float(np.max(lat)) - float(np.min(lat)), 1e-6)
        self.scale = (WIDTH - 2 * PAD) / span          # SVG units per degree of latitude
        self.width = WIDTH
        self.height = 2 * PAD + (float(np.max(lat)) - float(np.min(lat))) * self.scale

    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x = PAD + (np.asarray(lon, float) - self.lon0) * self.kx * self.scale
        y = PAD + (self.lat1 - np.asarray(lat, float)) * self.scale
        return x, y

    @property
    def units_per_km(self) -> float:
        return self.scale / 111.195


def _ring_path(ring: list, projection: Projection) -> str:
    points = np.asarray(ring, float)
    if len(points) < 3:
        return ""
    x, y = projection.xy(points[:, 0], points[:, 1])
    xy = np.round(np.column_stack([x, y]), 1)
    keep = np.r_[True, np.any(np.diff(xy, axis=0) != 0, axis=1)]   # drop points that round onto the last
    xy = xy[keep]
    if len(xy) < 3:
        return ""
    return "M" + "L".join(f"{a:g} {b:g}" for a, b in xy) + "Z"


def nice_km(km: float) -> float:
    """The round length (1, 2, 5 × 10^k km) at most `km`."""
    if km <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(km))
    return max(step * base for step in (1, 2, 5) if step * base <= km)


FONT = 11.0          # label size in SVG units at zoom 1


def _text_width(text: str) -> float:
    return sum(FONT if ord(c) > 0x2E80 else 0.58 * FONT for c in text)


def place_labels(items: list[tuple[tuple[float, float], float, str]]) -> dict[int, tuple[float, float, str]]:
    """Greedy: each label (in the order given) goes right, left, above or below its circle, wherever it
    overlaps neither a circle nor a label placed before; one that fits nowhere is left to its tooltip."""
    taken = [(x - r, y - r, x + r, y + r) for (x, y), r, _ in items]
    placed: dict[int, tuple[float, float, str]] = {}
    for k, ((x, y), r, text) in enumerate(items):
        w, h = _text_width(text), FONT
        for lx, ly, anchor, box in ((x + r + 2, y + h / 3, "start", (x + r + 2, y - h / 2, x + r + 2 + w, y + h / 2)),
                                    (x - r - 2, y + h / 3, "end", (x - r - 2 - w, y - h / 2, x - r - 2, y + h / 2)),
                                    (x, y - r - 3, "middle", (x - w / 2, y - r - 3 - h, x + w / 2, y - r - 3)),
                                    (x, y + r + h, "middle", (x - w / 2, y + r + 1, x + w / 2, y + r + 1 + h))):
            clear = all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3]
                        for j, b in enumerate(taken) if j != k)
            if clear:
                placed[k] = (lx, ly, anchor)
                taken.append(box)
                break
    return placed


def _name(row: pd.Series, lang: str) -> str:
    zh, en = row.get("name", ""), row.get("name_en", "")
    en = "" if pd.isna(en) else str(en)
    return en if (lang == "en" and en) else str(zh)


def plan_svg(plan, lang: str = "zh", reasons: dict[str, str] | None = None, money: str = "",
             district_names: dict[str, str] | None = None, anchor: str = "map") -> str:
    """The plan's interactive map as an SVG element with its controls (a <figure>)."""
    words = WORDS[lang]
    region = plan.region
    table = plan.table
    zones = region.zones.reindex(table.index)
    names = {z: _name(zones.loc[z], lang) for z in table.index}
    district_names = district_names or {}
    outlines = region.outlines or {}
    lon = zones["lon"].astype(float).to_numpy()
    lat = zones["lat"].astype(float).to_numpy()
    ring_points = [np.asarray(ring, float) for polys in outlines.values() for poly in polys for ring in poly]
    all_lon = np.concatenate([lon, *[r[:, 0] for r in ring_points]]) if ring_points else lon
    all_lat = np.concatenate([lat, *[r[:, 1] for r in ring_points]]) if ring_points else lat
    projection = Projection(all_lon, all_lat)
    x, y = projection.xy(lon, lat)
    position = {z: (float(a), float(b)) for z, a, b in zip(table.index, x, y)}

    status = table["status"]
    hosts_with_members = sorted(set(table.loc[status == "member", "host_id"]))
    colour = {h: GROUP_COLOURS[k % len(GROUP_COLOURS)] for k, h in enumerate(hosts_with_members)}
    gdp = pd.to_numeric(zones.get("gdp"), errors="coerce").fillna(0.0) if "gdp" in zones else pd.Series(0.0, zones.index)
    top = max(float(gdp.max()), 1e-9)
    radius = 3.0 + 11.0 * np.sqrt(gdp.clip(lower=0) / top)          # a Series by zone id
    reasons = reasons or {}

    parts = [f'<g class="outlines" fill="#f4f1ea" stroke="#8a8a8a" stroke-width="0.8" vector-effect="non-scaling-stroke">']
    for district, polygons in outlines.items():
        d = "".join(_ring_path(ring, projection) for polygon in polygons for ring in polygon)
        if d:
            title = esc(district_names.get(str(district), district))
            parts.append(f'<path d="{d}" fill-rule="evenodd"><title>{title}</title></path>')
    parts.append("</g>")
    label_parts = []
    for district, polygons in outlines.items():
        biggest = max((np.asarray(p[0], float) for p in polygons if p and len(p[0]) >= 3), key=len, default=None)
        if biggest is None or str(district) not in district_names:
            continue
        cx, cy = projection.xy(biggest[:, 0].mean(), biggest[:, 1].mean())
        label_parts.append(f'<text x="{float(cx):.1f}" y="{float(cy):.1f}" class="dn">'
                           f'{esc(district_names[str(district)])}</text>')
    parts.append('<g class="districts">' + "".join(label_parts) + "</g>")

    lines = ['<g class="links" stroke-width="1.2">']
    for z in table.index[status == "member"]:
        h = table.at[z, "host_id"]
        (x0, y0), (x1, y1) = position[z], position[h]
        lines.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{colour[h]}"/>')
    lines.append("</g>")
    parts += lines

    dots = ['<g class="zones">']
    order = np.argsort(-radius.to_numpy(), kind="stable")     # big circles first, small ones on top
    for k in order:
        z = table.index[k]
        s = status.iloc[k]
        host = table.at[z, "host_id"]
        fill = REVOKED if s == "revoked" else colour.get(host if s == "member" else z, ALONE)
        decision = words["revoked"] if s == "revoked" else words["member"] if s == "member" else \
            words["host"] if z in colour else words["alone"]
        info = {"name": names[z], "decision": decision,
                "district": district_names.get(str(zones.at[z, "district_id"]), ""),
                "gdp": f"{gdp.iloc[k]:,.1f} {money}".strip()}
        if s == "member":
            info.update(host=names.get(host, host), distance=f"{float(table.at[z, 'distance_to_host_km']):.1f} km",
                        mode=words.get(str(table.at[z, "mode"]), str(table.at[z, "mode"])))
        if z in reasons:
            info["reason"] = reasons[z]
        cx, cy = position[z]
        r = float(radius.iloc[k])
        data = esc(json.dumps(info, ensure_ascii=False))
        title = esc(f"{names[z]} — {decision}")
        if s == "revoked":
            paint = f'fill="#fff" fill-opacity="0.7" stroke="{REVOKED}" stroke-width="2.5"'
        elif z in colour:
            paint = f'fill="{fill}" fill-opacity="0.9" stroke="#111" stroke-width="1.6"'
        else:
            paint = f'fill="{fill}" fill-opacity="0.85" stroke="#fff" stroke-width="0.8"'
        dots.append(f'<circle class="z" tabindex="0" cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" data-r="{r:.1f}" {paint} '
                    f'data-z="{data}"><title>{title}</title></circle>')
    dots.append("</g>")
    parts += dots

    named = [z for z in table.index if (z in colour) or (len(table) <= DENSE and status[z] != "member")]
    named.sort(key=lambda z: -float(gdp.get(z, 0.0)))
    labels = ['<g class="labels">']
    for z, (lx, ly, anchor) in place_labels([(position[z], float(radius[z]), names[z]) for z in named]).items():
        cx, cy = position[named[z]]
        labels.append(f'<text x="{lx:.1f}" y="{ly:.1f}" data-dx="{lx - cx:.1f}" data-dy="{ly - cy:.1f}" '
                      f'data-cx="{cx:.1f}" data-cy="{cy:.1f}" text-anchor="{anchor}">{esc(names[named[z]])}</text>')
    labels.append("</g>")
    parts += labels

    km = nice_km(0.2 * projection.width / projection.units_per_km)
    bar = km * projection.units_per_km
    height = projection.height
    overlay = (f'<g class="furniture" font-size="13">'
               f'<g class="scale" data-km-per-unit="{1 / projection.units_per_km:.6g}" '
               f'transform="translate({PAD:.0f},{height - 14:.0f})">'
               f'<rect x="0" y="-6" width="{bar:.1f}" height="6" fill="#333"/>'
               f'<text x="{bar + 6:.1f}" y="0">{km:g} km</text></g>'
               f'<g class="north" transform="translate({projection.width - 30:.0f},34)">'
               f'<path d="M0 -22L8 4L0 -2L-8 4Z" fill="#333"/><text x="0" y="20" text-anchor="middle">'
               f'{esc(words["north"])}</text></g></g>')
    svg = (f'<svg class="webmap-svg" viewBox="0 0 {projection.width:.0f} {height:.0f}" role="img" '
           f'aria-label="{esc(words["map"])}" xmlns="http://www.w3.org/2000/svg">'
           f'<g class="view">{"".join(parts)}</g>{overlay}</svg>')
    controls = (f'<div class="webmap-controls" role="group">'
                f'<button type="button" data-act="in" aria-label="{esc(words["zoom_in"])}">+</button>'
                f'<button type="button" data-act="out" aria-label="{esc(words["zoom_out"])}">−</button>'
                f'<button type="button" data-act="reset">{esc(words["reset"])}</button>'
                f'<span class="hint">{esc(words["hint"])}</span></div>')
    panel = f'<div class="webmap-info" aria-live="polite" data-labels="{esc(json.dumps(words, ensure_ascii=False))}"></div>'
    return (f'<figure class="webmap" id="{esc(anchor)}">{controls}<div class="webmap-frame">{svg}{panel}</div>'
            f'<figcaption>{esc(words["legend"])}</figcaption></figure>\n')


CSS = """
.webmap-frame { position: relative; border: 1px solid #c8c8c8; background: #fbfaf7; }
.webmap-svg { display: block; width: 100%; height: auto; max-height: 80vh; touch-action: none; cursor: grab;
              font-family: inherit; user-select: none; }
.webmap-svg .outlines path, .webmap-svg .links line, .webmap-svg .z { vector-effect: non-scaling-stroke; }
.webmap-svg .labels text { font-size: 11px; paint-order: stroke; stroke: #fff; stroke-width: 3px; fill: #111; }
.webmap-svg .dn { font-size: 15px; fill: #6b6b6b; text-anchor: middle; font-weight: bold; opacity: .8; }
.webmap-svg .z { cursor: pointer; }
.webmap-svg .z:focus, .webmap-svg .z.on { outline: none; stroke: #000; stroke-width: 3px; }
.webmap-controls { display: flex; gap: .4rem; align-items: center; margin-bottom: .3rem; font-size: .85rem; }
.webmap-controls button { font: inherit; min-width: 2rem; padding: .1rem .5rem; }
.webmap-info { position: absolute; top: .5rem; right: .5rem; max-width: 20rem; background: rgba(255,255,255,.95);
               border: 1px solid #999; padding: .4rem .6rem; font-size: .85rem; display: none; }
.webmap-info.open { display: block; }
.webmap-info dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; }
.webmap-info dt { font-weight: bold; }
.webmap-info dd { margin: 0; }
@media print { .webmap-controls, .webmap-info { display: none !important; } .webmap-svg { max-height: 125mm; }
               .webmap-frame { border: none; } }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var KEYS = ["decision", "district", "host", "mode", "distance", "gdp", "reason"];
  function setup(figure) {
    var svg = figure.querySelector("svg"), view = svg.querySelector(".view");
    var scaleBar = svg.querySelector(".scale"), info = figure.querySelector(".webmap-info");
    var labels = JSON.parse(info.getAttribute("data-labels"));
    var box = svg.viewBox.baseVal, base = {x: box.x, y: box.y, w: box.width, h: box.height};
    var k = 1, tx = 0, ty = 0, drag = null, moved = false;
    var circles = svg.querySelectorAll("circle.z"), texts = svg.querySelectorAll(".labels text");
    var kmPerUnit = parseFloat(scaleBar.getAttribute("data-km-per-unit"));
    function nice(km) {
      var p = Math.pow(10, Math.floor(Math.log(km) / Math.LN10)), best = p;
      [1, 2, 5].forEach(function (s) { if (s * p <= km) { best = s * p; } });
      return best;
    }
    function draw() {
      view.setAttribute("transform", "translate(" + tx + " " + ty + ") scale(" + k + ")");
      Array.prototype.forEach.call(circles, function (c) {
        c.setAttribute("r", (parseFloat(c.getAttribute("data-r")) / Math.pow(k, 0.6)).toFixed(2));
      });
      Array.prototype.forEach.call(texts, function (t) {
        var s = 1 / Math.pow(k, 0.6);
        t.setAttribute("x", (parseFloat(t.getAttribute("data-cx")) + parseFloat(t.getAttribute("data-dx")) * s).toFixed(2));
        t.setAttribute("y", (parseFloat(t.getAttribute("data-cy")) + parseFloat(t.getAttribute("data-dy")) * s).toFixed(2));
        t.style.fontSize = (11 / k).toFixed(3) + "px"; t.style.strokeWidth = (3 / k).toFixed(3) + "px";
      });
      var km = nice(0.2 * base.w * kmPerUnit / k);
      scaleBar.querySelector("rect").setAttribute("width", (km / kmPerUnit * k).toFixed(1));
      var text = scaleBar.querySelector("text");
      text.setAttribute("x", (km / kmPerUnit * k + 6).toFixed(1));
      text.textContent = km + " km";
    }
    function point(evt) {
      var r = svg.getBoundingClientRect();
      return {x: base.x + (evt.clientX - r.left) / r.width * base.w, y: base.y + (evt.clientY - r.top) / r.height * base.h};
    }
    function zoom(factor, at) {
      var next = Math.min(40, Math.max(1, k * factor));
      factor = next / k;
      tx = at.x - (at.x - tx) * factor; ty = at.y - (at.y - ty) * factor; k = next;
      if (k === 1) { tx = 0; ty = 0; }
      draw();
    }
    svg.addEventListener("wheel", function (evt) {
      evt.preventDefault();
      zoom(evt.deltaY < 0 ? 1.25 : 0.8, point(evt));
    }, {passive: false});
    svg.addEventListener("pointerdown", function (evt) {
      drag = {p: point(evt), tx: tx, ty: ty}; moved = false;
    });
    svg.addEventListener("pointermove", function (evt) {
      if (!drag) { return; }
      var p = point(evt);
      if (Math.abs(p.x - drag.p.x) + Math.abs(p.y - drag.p.y) > 2) { moved = true; }
      tx = drag.tx + p.x - drag.p.x; ty = drag.ty + p.y - drag.p.y; draw();
    });
    function release() { drag = null; }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointerleave", release);
    function show(zone) {
      var data = JSON.parse(zone.getAttribute("data-z"));
      var old = svg.querySelector(".z.on");
      if (old) { old.classList.remove("on"); }
      zone.classList.add("on");
      while (info.firstChild) { info.removeChild(info.firstChild); }
      var head = document.createElement("strong"); head.textContent = data.name; info.appendChild(head);
      var list = document.createElement("dl");
      KEYS.forEach(function (key) {
        if (!data[key]) { return; }
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = labels[key === "host" ? "host_of" : key] || key; dd.textContent = data[key];
        list.appendChild(dt); list.appendChild(dd);
      });
      info.appendChild(list); info.classList.add("open");
    }
    Array.prototype.forEach.call(svg.querySelectorAll(".z"), function (zone) {
      zone.addEventListener("click", function () { if (!moved) { show(zone); } });
      zone.addEventListener("keydown", function (evt) { if (evt.key === "Enter" || evt.key === " ") { show(zone); } });
    });
    figure.querySelector(".webmap-controls").addEventListener("click", function (evt) {
      var act = evt.target.getAttribute("data-act"), centre = {x: base.x + base.w / 2, y: base.y + base.h / 2};
      if (act === "in") { zoom(1.5, centre); }
      if (act === "out") { zoom(1 / 1.5, centre); }
      if (act === "reset") { k = 1; tx = 0; ty = 0; draw(); info.classList.remove("open"); }
    });
    draw();
  }
  Array.prototype.forEach.call(document.querySelectorAll("figure.webmap"), setup);
}());
"""


def script_hash(script: str = SCRIPT) -> str:
    """The CSP source that admits exactly this inline script: 'sha256-…'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
