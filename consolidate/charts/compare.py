"""The comparison of scenarios side by side.

    >>> compare_charts(table, per_district, "out/compare")
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._style import A4, AFTER, GROUP_COLOURS, REVOKED, Namer, _truthy, plt, save, style

# --- comparison of scenarios ------------------------------------------------------------------------


PARTS = ("objective_distance", "objective_revocation", "objective_host_quality", "objective_zone_count")
PART_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


def compare_figure(table: pd.DataFrame, per_district: pd.DataFrame, title: str = "Scenario comparison"):
    """Key figures of several scenarios side by side."""
    t = table.reset_index(drop=True).copy()
    names = [str(s) for s in t["scenario"]]
    x = np.arange(len(t))
    with plt.rc_context(style()):
        fig = plt.figure(figsize=A4)
        grid = fig.add_gridspec(2, 3, left=0.07, right=0.98, top=0.88, bottom=0.1, wspace=0.35, hspace=0.45)
        ax = fig.add_subplot(grid[0, 0])
        bottom = np.zeros(len(t))
        for col, colour, label in (("hosts", AFTER, "kept (hosts)"), ("members", GROUP_COLOURS[1], "merged"),
                                   ("revoked", REVOKED, "revoked")):
            values = pd.to_numeric(t.get(col, pd.Series(0, index=t.index)), errors="coerce").fillna(0).to_numpy()
            ax.bar(x, values, bottom=bottom, color=colour, label=label, width=0.6)
            bottom += values
        ax.set_xticks(x, names, rotation=_rotation(names), ha="right" if _rotation(names) else "center")
        ax.set_title("Zones by outcome", loc="left")
        ax.set_ylim(0, max(float(bottom.max()), 1) * 1.25)
        ax.legend(frameon=False, fontsize=7, ncol=3, loc="upper center")
        ax = fig.add_subplot(grid[0, 1])
        bottom = np.zeros(len(t))
        for part, colour in zip(PARTS, PART_COLOURS):
            if part in t:
                values = pd.to_numeric(t[part], errors="coerce").fillna(0).to_numpy()
                if np.abs(values).sum() > 0:
                    ax.bar(x, values, bottom=bottom, color=colour, width=0.6, label=part.replace("objective_", ""))
                    bottom += values
        objective = pd.to_numeric(t.get("objective"), errors="coerce")
        for xi, value, proven, gap, status in zip(x, objective, t.get("proven_optimal", [True] * len(t)),
                                                  t.get("gap", [None] * len(t)), t.get("status", [""] * len(t))):
            if pd.isna(value):
                ax.text(xi, 0, str(status or "no plan"), rotation=90, ha="center", va="bottom", fontsize=7,
                        color=REVOKED)
                continue
            mark = "" if _truthy(proven) else f"\nnot proven (gap {_pct(gap)})"
            ax.text(xi, value, f"{value:.3g}{mark}", ha="center", va="bottom", fontsize=6.8,
                    color="black" if not mark else REVOKED)
        ax.set_xticks(x, names, rotation=_rotation(names), ha="right" if _rotation(names) else "center")
        ax.set_title("Objective (weighted parts)", loc="left")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=7)
        ax = fig.add_subplot(grid[0, 2])
        revoked_gdp = pd.to_numeric(t.get("revoked_gdp", pd.Series(0, index=t.index)), errors="coerce").fillna(0)
        ax.bar(x, revoked_gdp, color=REVOKED, width=0.6)
        for xi, v in zip(x, revoked_gdp):
            ax.text(xi, v, f"{v:,.1f}", ha="center", va="bottom", fontsize=6.8)
        ax.set_xticks(x, names, rotation=_rotation(names), ha="right" if _rotation(names) else "center")
        ax.set_title("GDP in revoked zones", loc="left")
        ax.set_ylim(0, max(float(revoked_gdp.max()), 1.0) * 1.2)
        ax = fig.add_subplot(grid[1, :])
        _district_heatmap(ax, per_district)
        fig.text(0.015, 0.965, title, fontsize=13, va="top")
        seconds = pd.to_numeric(t.get("seconds"), errors="coerce")
        fig.text(0.015, 0.925, " · ".join(f"{n}: {s}, {sec:.1f} s" for n, s, sec in
                                          zip(names, t.get("status", [""] * len(t)), seconds.fillna(0))),
                 fontsize=8.5, va="top", color="#333333")
    return fig


def _district_heatmap(ax, per_district: pd.DataFrame) -> None:
    namer = Namer("zh")
    frame = per_district.copy()
    if frame.empty:
        ax.set_axis_off()
        return
    frame = frame.loc[frame.max(axis=1) > 0] if len(frame.columns) else frame
    frame = frame.head(30)
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(float).T
    labels = [namer.name(n, n, n) for n in frame.index]
    ax.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=max(np.nanmax(values), 1) * 1.3)
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 10 else 0,
                  ha="right" if len(labels) > 10 else "center")
    ax.set_yticks(range(len(frame.columns)), [str(c) for c in frame.columns])
    ax.set_title("Zones per district after consolidation", loc="left")
    for spine in ax.spines.values():
        spine.set_visible(False)


def _rotation(names: list[str]) -> int:
    return 30 if sum(len(n) for n in names) > 40 else 0


def _pct(gap) -> str:
    try:
        return f"{100 * float(gap):.2f}%"
    except (TypeError, ValueError):
        return "?"


def compare_charts(table: pd.DataFrame, per_district: pd.DataFrame, folder) -> list[Path]:
    """Write `compare.png` and `compare.svg`: scenarios' key figures side by side."""
    return save(compare_figure(table, per_district), Path(folder), "compare")

