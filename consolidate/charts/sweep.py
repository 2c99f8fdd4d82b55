"""Charts of a sweep: each swept parameter against the objective and revoked GDP, and the trade-off.

    >>> sweep_charts(rows, ["rules.district_cap"], "out/sweep")
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._style import A4, GROUP_COLOURS, HALO, REVOKED, plt, save, style

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


def sweep_figure(rows: pd.DataFrame, parameters: list[str], title: str = "Sweep"):
    """Objective and revoked GDP against each swept parameter."""
    rows = rows.reset_index(drop=True)
    parameters = list(parameters) or [c for c in rows.columns if "." in c]
    n = max(1, len(parameters))
    with plt.rc_context(style()):
        fig, axes = plt.subplots(2, n, figsize=A4, squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.97, top=0.86, bottom=0.1, hspace=0.4, wspace=0.3)
        optimal = rows["status"].astype(str).eq("optimal") if "status" in rows else pd.Series(True, index=rows.index)
        for k, parameter in enumerate(parameters):
            for r, column, label in ((0, "objective", "objective"), (1, "revoked_gdp", "GDP in revoked zones")):
                ax = axes[r, k]
                if parameter not in rows or column not in rows:
                    ax.set_axis_off()
                    continue
                xs = _axis_values(rows[parameter])
                ys = pd.to_numeric(rows[column], errors="coerce")
                others = [p for p in parameters if p != parameter and p in rows]
                groups = rows.groupby([rows[p].astype(str) for p in others], sort=True) if others else [("", rows)]
                for i, (key, sub) in enumerate(groups):
                    if i >= 8:
                        break
                    order = np.argsort(xs[sub.index], kind="stable")
                    idx = sub.index[order]
                    key = key if isinstance(key, tuple) else (key,)
                    label_ = ", ".join(f"{p}={v}" for p, v in zip(others, key)) or None
                    ax.plot(xs[idx], ys[idx], "-", color=GROUP_COLOURS[i % len(GROUP_COLOURS)], lw=1.2, label=label_)
                    good = idx[optimal[idx].to_numpy()]
                    bad = idx[~optimal[idx].to_numpy()]
                    ax.plot(xs[good], ys[good], "o", color=GROUP_COLOURS[i % len(GROUP_COLOURS)], ms=5)
                    ax.plot(xs[bad], ys[bad], "o", mfc="white", color=GROUP_COLOURS[i % len(GROUP_COLOURS)], ms=5)
                failed = rows.index[ys.isna()]
                if len(failed):
                    ax.plot(xs[failed], np.zeros(len(failed)), "x", color=REVOKED, ms=7, label="no plan")
                ax.set_xlabel(parameter)
                ax.set_ylabel(label)
                if _categorical(rows[parameter]):
                    ax.set_xticks(range(len(_categories(rows[parameter]))), _categories(rows[parameter]))
                elif np.allclose(xs.dropna(), np.round(xs.dropna())):
                    ax.xaxis.get_major_locator().set_params(integer=True)
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(frameon=False, fontsize=6.5, loc="best")
        fig.text(0.015, 0.965, title, fontsize=13, va="top")
        fig.text(0.015, 0.925, f"{len(rows)} variants · filled: proven optimal, hollow: not proven, "
                               f"x: no plan", fontsize=8.5, va="top", color="#333333")
    return fig


def _categorical(series: pd.Series) -> bool:
    return pd.to_numeric(series, errors="coerce").isna().any()


def _categories(series: pd.Series) -> list[str]:
    return sorted(series.astype(str).unique())


def _axis_values(series: pd.Series) -> pd.Series:
    if _categorical(series):
        order = {c: i for i, c in enumerate(_categories(series))}
        return series.astype(str).map(order).astype(float)
    return pd.to_numeric(series, errors="coerce").astype(float)


def pareto_parts(rows: pd.DataFrame) -> tuple[str, str]:
    """The two objective parts that vary most across the variants (the trade-off to show)."""
    parts = [c for c in rows.columns if c.startswith("objective_")]
    spread = {c: float(pd.to_numeric(rows[c], errors="coerce").std(skipna=True) or 0) for c in parts}
    ranked = sorted(parts, key=lambda c: (-spread[c], parts.index(c)))
    while len(ranked) < 2:
        ranked.append("revoked_gdp" if "revoked_gdp" in rows and "revoked_gdp" not in ranked else "objective")
    return ranked[0], ranked[1]


def pareto_figure(rows: pd.DataFrame, parameters: list[str], parts: tuple[str, str] | None = None,
                  title: str = "Trade-off"):
    """Two objective parts against each other, with the non-dominated (Pareto) variants marked."""
    rows = rows.reset_index(drop=True)
    xcol, ycol = parts or pareto_parts(rows)
    x = pd.to_numeric(rows.get(xcol), errors="coerce").to_numpy(float)
    y = pd.to_numeric(rows.get(ycol), errors="coerce").to_numpy(float)
    front = pareto_front(x, y)
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=A4)
        fig.subplots_adjust(left=0.09, right=0.97, top=0.86, bottom=0.1)
        ax.scatter(x[~front], y[~front], s=28, color="#9E9E9E", label="dominated", zorder=3)
        ax.scatter(x[front], y[front], s=48, color=REVOKED, edgecolors="black", label="non-dominated (Pareto)",
                   zorder=4)
        order = np.argsort(x[front], kind="stable")
        ax.step(x[front][order], y[front][order], where="post", color=REVOKED, lw=1, zorder=2)
        params = [p for p in parameters if p in rows]
        for i in np.flatnonzero(front):
            label = ", ".join(f"{p.split('.')[-1]}={rows.at[i, p]}" for p in params)
            if label:
                ax.annotate(label, (x[i], y[i]), xytext=(6, 4), textcoords="offset points", fontsize=6.8,
                            path_effects=HALO)
        ax.set_xlabel(f"{xcol} (lower is better)")
        ax.set_ylabel(f"{ycol} (lower is better)")
        ax.legend(frameon=False)
        fig.text(0.015, 0.965, title, fontsize=13, va="top")
        fig.text(0.015, 0.925, f"{int(front.sum())} of {len(rows)} variants are non-dominated in "
                               f"{xcol} and {ycol}", fontsize=8.5, va="top", color="#333333")
    return fig


def sweep_charts(rows: pd.DataFrame, parameters: list[str], folder) -> list[Path]:
    """Write `sweep.*` (objective and revoked GDP per parameter) and `pareto.*` (trade-off) into `folder`."""
    folder = Path(folder)
    written = save(sweep_figure(rows, parameters), folder, "sweep")
    if len(rows) >= 2 and any(c.startswith("objective_") for c in rows.columns):
        written += save(pareto_figure(rows, parameters), folder, "pareto")
    return written
