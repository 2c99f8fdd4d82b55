"""Charts of a sweep: what each swept parameter does in real units, and the trade-off (Pareto).

    >>> sweep_charts(rows, ["rules.district_cap"], "out/sweep")
"""
from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from ._style import A4, GROUP_COLOURS, REVOKED, figure, save, styled
from .compare import _parameter_label, _quantity_label, _solved, _tt  # the trade-off words
from .map import LabelPlacer


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
    number = _number(value)
    return (0, float(number), "") if number is not None else (1, 0.0, str(value))


def _value_text(value) -> str:
    if isinstance(value, dict) and set(value) == {"split"}:
        return f"split:{value['split']:g}"
    if isinstance(value, (dict, list)):
        return str(value)
    number = _number(value)
    if number is not None and float(number).is_integer():
        return str(int(number))
    return str(value)


def _number(value):
    """`value` as pandas reads it as a number (a NumPy scalar), None when it is not one; each value read once
    (a sweep's figure asks for the same few hundreds of times, and a pandas Series per question adds up)."""
    try:
        return _read_number(value)
    except TypeError:   # unhashable
        return _read_number.__wrapped__(value)


@functools.lru_cache(maxsize=4096, typed=True)
def _read_number(value):
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return number if pd.notna(number) else None


QUANTITIES = ("revoked_gdp", "gdp_km", "hosts")   # the sweep figure's rows of panels (those the table has)


Y_TICKS = 7      # ticks a panel's y axis usually shows (matplotlib's "auto" count at this panel height)
LEGEND_SIZE = 6.5
LINES_DRAWN = 8   # a panel draws the first 8 combinations of the other parameters' values


def sweep_frame(n_quantities: int, n_parameters: int, x_ticks: list[int] | None = None):
    """The sweep figure and its empty panels (nothing here depends on the rows): (figure, axes). With `x_ticks`
    (how many values each parameter takes) the panels' ticks are made now too, as drawing would make them
    (~10 % of drawing the figure; a panel that needs more makes them when drawn: the same figure either way)."""
    with styled():
        fig = figure(A4)
        axes = fig.subplots(max(1, n_quantities), max(1, n_parameters), squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.97, top=0.86, bottom=0.08, hspace=0.45, wspace=0.3)
        for k, count in enumerate(x_ticks or []):
            for ax in axes[:, k]:
                ax.xaxis.get_major_ticks(count)
                ax.yaxis.get_major_ticks(Y_TICKS)
    return fig, axes


def sweep_figure(rows: pd.DataFrame, parameters: list[str], title: str | None = None, lang: str = "zh",
                 unit: str = "", per: str = "km", frame=None):
    """What each swept parameter does in real units: revoked GDP, GDP × km to host, zones kept; one line per
    combination of the other parameters (legend in numeric order, only values that occur); variants without
    a plan marked × at the top of the panel, never drawn as 0. `frame`: `sweep_frame`'s, made beforehand (used
    when its panels are the ones these rows need)."""
    parameters = [p for p in (list(parameters) or [c for c in rows.columns if "." in c]) if p in rows]
    rows = _hashable(rows, parameters)
    quantities = [q for q in QUANTITIES if q in rows]
    n = max(1, len(parameters))
    solved = _solved(rows)
    optimal = rows["status"].astype(str).eq("optimal") if "status" in rows else solved
    if frame is None or frame[1].shape != (max(1, len(quantities)), n):
        frame = sweep_frame(len(quantities), n)
    fig, axes = frame
    with styled():
        for k, parameter in enumerate(parameters):
            others = [p for p in parameters if p != parameter]
            categories = sorted(rows[parameter].dropna().unique(), key=_sort_key)
            numeric = all(_sort_key(c)[0] == 0 for c in categories)
            xs = (pd.to_numeric(rows[parameter], errors="coerce") if numeric
                  else rows[parameter].map({c: i for i, c in enumerate(categories)}).astype(float))
            x_values, is_optimal = xs.to_numpy(float), optimal.to_numpy(bool)   # positions: rows has a range index
            keys = _legend_keys({tuple(r) for r in rows[others].itertuples(index=False)}) if others else [()]
            for r, column in enumerate(quantities):
                ax = axes[r, k]
                ys = pd.to_numeric(rows[column], errors="coerce").where(solved)
                y_values = ys.to_numpy(float)
                for i, key in enumerate(keys[:LINES_DRAWN]):
                    mask = np.ones(len(rows), bool)
                    for p, v in zip(others, key):
                        mask &= (rows[p] == v).to_numpy()
                    idx = np.flatnonzero(mask & solved.to_numpy())
                    idx = idx[np.argsort(x_values[idx], kind="stable")]
                    colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
                    label = _legend_label(others, key, lang)
                    ax.plot(x_values[idx], y_values[idx], "-", color=colour, lw=1.2, label=label or None)
                    good = idx[is_optimal[idx]]
                    ax.plot(x_values[good], y_values[good], "o", color=colour, ms=5)
                    bad = idx[~is_optimal[idx]]
                    if len(bad):
                        ax.plot(x_values[bad], y_values[bad], "o", mfc="white", color=colour, ms=5)
                failed = rows.index[~solved.to_numpy()]
                if len(failed):
                    ax.plot(xs[failed], np.full(len(failed), 0.97), "x", color=REVOKED, ms=8, mew=2,
                            transform=ax.get_xaxis_transform(), label=_tt(lang, "no_plan"), clip_on=False)
                ax.set_xlabel(_axis_name(parameter, lang))
                ax.set_ylabel(_quantity_label(column, lang, unit, per))
                ax.set_xticks(range(len(categories)) if not numeric else [float(c) for c in categories],
                              [_value_text(c) for c in categories])
                finite = ys.dropna()
                top = float(finite.max()) if len(finite) else 0.0
                ax.set_ylim(min(0.0, float(finite.min()) if len(finite) else 0.0), top * 1.25 if top > 0 else 1.0)
                if column == "revoked_gdp" and len(finite) and top == 0:
                    ax.text(0.5, 0.5, _tt(lang, "none_revoked"), transform=ax.transAxes, ha="center", va="center",
                            fontsize=8, color="#555555")
                if ax.get_legend_handles_labels()[0] and r == 0:
                    ax.legend(frameon=False, fontsize=LEGEND_SIZE, loc="upper right")
        fig.text(0.015, 0.965, title or _tt(lang, "sweep"), fontsize=13, va="top")
        fig.text(0.015, 0.925, _tt(lang, "variants", n=len(rows)), fontsize=8.5, va="top", color="#333333")
    return fig


def _legend_keys(combinations) -> list[tuple]:
    """The other parameters' value combinations, in numeric order: one line each (LINES_DRAWN are drawn)."""
    return sorted(combinations, key=lambda t: [_sort_key(v) for v in t])


def _legend_label(others: list[str], key: tuple, lang: str) -> str:
    return ", ".join(f"{_parameter_label(p, lang)} {_value_text(v)}" for p, v in zip(others, key))


def _axis_name(parameter: str, lang: str) -> str:
    return _parameter_label(parameter, lang) + (f" ({parameter})" if lang == "zh" else "")


def measure_known_texts(fig, values: dict[str, list], lang: str = "zh") -> None:
    """Measure now, on the sweep figure's own renderer, the texts its panels will show that the swept values
    already say (tick values, axis names, legend entries, the title), so drawing it finds them measured
    (matplotlib keeps each text's size per renderer; ~8 % of drawing the figure). A text that is not shown
    after all only took the time; the figure is the same either way."""
    from itertools import product

    renderer = fig.canvas.get_renderer()
    with styled():
        texts = [(_tt(lang, "sweep"), 13)]
        for parameter, listed in values.items():
            others = [p for p in values if p != parameter]
            texts += [(_value_text(v), matplotlib.rcParams["xtick.labelsize"]) for v in listed]
            texts.append((_axis_name(parameter, lang), matplotlib.rcParams["axes.labelsize"]))
            texts += [(_legend_label(others, key, lang), LEGEND_SIZE)
                      for key in _legend_keys(product(*(values[p] for p in others)))[:LINES_DRAWN]]
        for text, size in texts:
            probe = fig.text(0, 0, text, fontsize=size)
            probe.get_window_extent(renderer)
            probe.remove()


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
                  title: str | None = None, lang: str = "zh", unit: str = "", per: str = "km"):
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
    with styled():
        fig = figure(A4)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.09, right=0.97, top=0.86, bottom=0.1)
        if not front.all():   # (no legend entry for dominated plans when there are none)
            ax.scatter(x[~front], y[~front], s=28, color="#9E9E9E", label=_tt(lang, "dominated"), zorder=3)
        ax.scatter(x[front], y[front], s=48, color=REVOKED, edgecolors="black", label=_tt(lang, "front"), zorder=4)
        order = np.argsort(x[front], kind="stable")
        ax.step(x[front][order], y[front][order], where="post", color=REVOKED, lw=0.8, ls=(0, (3, 3)), alpha=0.6,
                zorder=2)
        ax.get_xlim(), ax.get_ylim()     # the limits and the box a draw would set: where the points are on the
        ax.apply_aspect()                # page, for the labels (the figure is drawn once, when it is saved)
        placer = LabelPlacer(ax, fig.canvas.get_renderer())
        placer.block_points(ax.transData.transform(np.column_stack([x, y])[~np.isnan(x) & ~np.isnan(y)]),
                            np.full(int((~np.isnan(x) & ~np.isnan(y)).sum()), 6.0))
        for i in np.flatnonzero(front):
            combos = variants_of.get(plans.at[i, "plan_id"], []) if variants_of else \
                [tuple(_value_text(plans.at[i, p]) for p in params)]
            text = _variants_text(params, combos, lang)
            if text:
                placer.place((x[i], y[i]), text, fontsize=7, radius_pt=4, must=True)
        ax.set_xlabel(_quantity_label(xcol, lang, unit, per))
        ax.set_ylabel(_quantity_label(ycol, lang, unit, per))
        ax.legend(frameon=False)
        heading = title or _tt(lang, "pareto", x=_quantity_label(xcol, lang, "", per).split("（")[0].split(" (")[0],
                               y=_quantity_label(ycol, lang, "", per).split("（")[0].split(" (")[0])
        fig.text(0.015, 0.965, heading, fontsize=13, va="top")
        fig.text(0.015, 0.925, _tt(lang, "front_note", f=int(front.sum()), k=len(plans), n=len(rows)),
                 fontsize=8.5, va="top", color="#333333")
    return fig


def sweep_charts(rows: pd.DataFrame, parameters: list[str], folder, lang: str = "zh", unit: str = "",
                 svg: bool = False, per: str = "km", figures: tuple[str, ...] = ("sweep", "pareto"),
                 frame=None) -> list[Path]:
    """Write `sweep.png` (real quantities per parameter) and `pareto.png` (the trade-off) into `folder`, and
    the same as SVG when `svg`; only those of `figures`; `per`: the unit the distance was priced in (km, or
    minutes); `frame`: see `sweep_figure`."""
    folder = Path(folder)
    written = []
    if "sweep" in figures:
        written += save(sweep_figure(rows, parameters, lang=lang, unit=unit, per=per, frame=frame), folder, "sweep",
                        svg=svg)
    if "pareto" in figures and int(_solved(rows).sum()) >= 2:
        written += save(pareto_figure(rows, parameters, lang=lang, unit=unit, per=per), folder, "pareto", svg=svg)
    return written
