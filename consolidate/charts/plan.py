"""Charts of a plan (matplotlib, Agg; PNG, and SVG on request).

    >>> plan_charts(plan, "out/baseline")             # plan_map, zones_per_district, allocation (.png)
    >>> plan_charts(plan, "out/baseline", svg=True)   # and .svg (text as text, the font embedded)
    >>> plan_charts(plan, "out/baseline", lang="en")  # English labels
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ..describe import rule_sentence
from ._style import A4, AFTER, BEFORE, REVOKED, Namer, _footer, _title, _truthy, figure, save, styled
from .map import map_frame, plan_map

PLAN_CHARTS = ("plan_map", "zones_per_district", "allocation")


# --- zones per district -----------------------------------------------------------------------------


def zones_frame():
    """The zones chart's figure and axes (nothing here depends on the plan): (figure, axes)."""
    with styled():
        fig = figure(A4)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.16, right=0.86, top=0.86, bottom=0.1)
    return fig, ax


def zones_chart(plan, lang: str = "zh", limit: int = 40, frame=None):
    """Zones per district before and after, with each district's cap and exempt districts marked (`frame`:
    `zones_frame`'s, made beforehand)."""
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
    with styled():
        fig, ax = frame if frame is not None else zones_frame()
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


def allocation_frame(n_measures: int, flows: bool = True):
    """The allocation chart's figure and, per measure, its bars' axes and (with `flows`) its flows' axes;
    nothing here depends on the plan but how many measures it accounts: (figure, [(bars, flows), …])."""
    with styled():
        fig = figure(A4)
        grid = fig.add_gridspec(2, n_measures, height_ratios=[3.2, 1], left=0.11, right=0.97, top=0.86,
                                bottom=0.08, wspace=0.45, hspace=0.18)
        panels = [(fig.add_subplot(grid[0, k]), fig.add_subplot(grid[1, k]) if flows else None)
                  for k in range(n_measures)]
    return fig, panels


def allocation_chart(plan, lang: str = "zh", limit: int = 25, frame=None):
    """Each measure per district before and after under the scenario's rule, and the flows between districts
    (`frame`: `allocation_frame`'s, made beforehand; used when it has the panels this plan needs)."""
    namer = Namer(lang)
    d = plan.districts.copy()
    d["label"] = _district_labels(plan, namer)
    names = list(measures(d))[:3] or ["gdp"]
    rules = plan.stats.allocation.get("rules") or plan.stats.scenario.get("allocation") or {}
    units = (plan.region.units or {}) if plan.region is not None else {}
    flows = plan.flows if plan.flows is not None else pd.DataFrame()
    accounted = all(f"{m}_{when}" in d for m in names for when in ("before", "after"))
    if frame is None or len(frame[1]) != len(names) or not accounted:
        frame = allocation_frame(len(names), flows=accounted)
    fig, panels = frame
    with styled():
        for k, m in enumerate(names):
            ax, tax = panels[k]
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
            ax.set_title(rule_sentence(m, rules.get(m, "territorial"), namer.ui), loc="left")
            if k == 0:
                ax.legend(loc="lower right", frameon=False)
            ax.set_ylim(-0.7, max(len(sub), 1) - 0.3)
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


DRAWN_BY = {"plan_map": plan_map, "zones_per_district": zones_chart, "allocation": allocation_chart}


def chart_names(plan) -> list[str]:
    """The plan's charts: the map (with a region model), zones per district, the measures (when accounted)."""
    return [name for name, shown in (("plan_map", plan.region is not None), ("zones_per_district", True),
                                     ("allocation", bool(measures(plan.districts)))) if shown]


def plan_figures(plan, lang: str = "zh") -> dict:
    """The plan's figures by name (plan_map, zones_per_district, allocation)."""
    return {name: DRAWN_BY[name](plan, lang) for name in chart_names(plan)}


def plan_charts(plan, folder, lang: str = "zh", svg: bool = False) -> list[Path]:
    """Write the plan's charts into `folder` as PNG (and SVG, text as text, when `svg`); returns the files.

    The map (about half the work) is drawn here while a forked child draws the others (2 cores)."""
    from .._alongside import alongside

    names = chart_names(plan)
    with alongside(_write_charts, plan, folder, names[1:], lang, svg):
        _write_charts(plan, folder, names[:1], lang, svg)
    return [Path(folder) / f"{name}.{ext}" for name in names for ext in (("png", "svg") if svg else ("png",))]


def _write_charts(plan, folder, names: list[str], lang: str, svg: bool) -> None:
    for name in names:
        save(DRAWN_BY[name](plan, lang, frame=_PREPARED.pop(name, None)), Path(folder), name, svg=svg)


_PREPARED: dict = {}     # in a drawing child: the charts' figures, made before the plan comes (prepare_frames)
TICKS = {"x": 8, "y": 12}   # the bar charts' usual ticks: a scale of counts, a city's districts


def frames_to_make(measures: int = 2):
    """Steps (callables, a few ms each) that make the plan charts' figures and axes, then the ticks their bars
    usually need, before there is a plan: a drawing child takes them one at a time while it waits for one, the
    map's first (it draws that itself). `measures`: how many the allocation chart is expected to show (GDP and
    fiscal revenue). Charts drawn on them are those drawn from scratch: a chart that needs more ticks makes
    them, one whose plan has other measures makes its own figure."""
    yield lambda: _PREPARED.update(plan_map=map_frame())
    yield lambda: _PREPARED.update(zones_per_district=zones_frame())
    yield lambda: _PREPARED.update(allocation=allocation_frame(measures))
    bars = [_PREPARED["zones_per_district"][1]] + [ax for ax, _ in _PREPARED["allocation"][1]]
    for ax in bars:
        yield functools.partial(_make_ticks, ax)


def prepare_frames(measures: int = 2) -> None:
    """All of `frames_to_make`, now."""
    for step in frames_to_make(measures):
        step()


def _make_ticks(ax) -> None:
    with styled():
        ax.xaxis.get_major_ticks(TICKS["x"])
        ax.yaxis.get_major_ticks(TICKS["y"])


def warm_up() -> None:
    """Load what drawing needs (matplotlib, the font chain, the fonts' files and glyph caches) before a plan
    is there to draw: a child process does this while its parent solves (Plan.to_dir's `drawer`)."""
    from PIL import Image

    from .. import fonts

    fonts.covers("开发区")
    with styled():
        fig = figure((2, 1))
        fig.text(0.1, 0.5, "开发区 GDP 0,123.4 km")
        fig.canvas.draw()
    Image.preinit()         # the image format plugins PIL loads on its first save
