"""The comparison of scenarios side by side.

    >>> compare_charts(table, per_district, "out/compare")
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import fonts
from ..statistics import EDITED, VERDICT_TEXT
from ._style import A4, AFTER, GROUP_COLOURS, REVOKED, Namer, figure, save, styled, wrap_label


# --- comparison of scenarios ------------------------------------------------------------------------


TRADE_TEXT = {
    "zh": {"compare": "方案比较", "outcome": "开发区去向", "kept": "保留", "merged": "整合", "revoked": "撤销",
           "revoked_gdp": "撤销区 GDP（{unit}）", "gdp_km": "GDP × 到牵头距离（{unit}·km）",
           "gdp_minutes": "GDP × 到牵头行程分钟（{unit}·分钟）", "cross": "并入外区牵头的 GDP（{unit}）", "hosts": "保留开发区数", "no_plan": "无方案",
           "none_revoked": "没有开发区被撤销", "heat": "整合后各区开发区数", "sweep": "参数扫描",
           "variants": "{n} 个变体 · 实心：已证明最优，空心：未证明，×：无方案（不可行或未解出）",
           "pareto": "权衡：{x} 与 {y}（两者都越低越好）", "better": "越低越好", "dominated": "被支配", "front": "非支配（帕累托）",
           "front_note": "{k} 个不同方案中 {f} 个非支配（{n} 个变体；相同方案只画一次）", "optimal": "最优",
           "feasible": "可行", "infeasible": "不可行", "stopped": "未解出", "input_error": "输入错误",
           "check_failed": "校验失败", "error": "错误", EDITED: VERDICT_TEXT["zh"][EDITED], "district_cap": "上限", "revocation": "撤销权重",
           "distance": "距离权重", "max_distance_km": "最远距离", "contiguity": "相邻方式",
           # what `consolidate compare` prints
           "side_by_side": "方案并列比较", "figure": "指标", "yes": "是", "no": "否", "host": "保留",
           "per_district": "各区保留开发区数（{n} / {total} 个区有变化）", "first": " — 前 {n} 个",
           "fates": "去向不同的开发区（{n}）", "zone_id": "编号", "name": "名称", "district": "区",
           "zones_before": "整合前", "written": "已写入", "figure_status": "状态", "figure_proven_optimal": "已证明最优",
           "figure_gap": "差距", "figure_objective": "目标值", "figure_objective_distance": "目标值：距离",
           "figure_objective_revocation": "目标值：撤销", "figure_objective_host_quality": "目标值：牵头质量",
           "figure_objective_zone_count": "目标值：开发区数", "figure_objective_cross_district": "目标值：跨区",
           "figure_hosts": "保留", "figure_members": "整合", "figure_revoked": "撤销",
           "figure_revoked_gdp": "撤销区 GDP（{unit}）", "figure_gdp_km": "GDP × 到牵头距离（{unit}·km）",
           "figure_gdp_minutes": "GDP × 到牵头行程分钟（{unit}·分钟）",
           "figure_cross_district_gdp": "并入外区牵头的 GDP（{unit}）", "figure_plan_id": "方案编号",
           "figure_merges_entrusted": "委托代管", "figure_merges_co_construction": "合作共建",
           "figure_merges_multi_park": "一区多园", "figure_seconds": "用时（秒）"},
    "en": {"compare": "Scenario comparison", "outcome": "Zones by outcome", "kept": "kept", "merged": "merged",
           "revoked": "revoked", "revoked_gdp": "GDP of revoked zones ({unit})", "gdp_km": "GDP × km to host ({unit}·km)",
           "gdp_minutes": "GDP × minutes to host ({unit}·min)",
           "cross": "GDP joining another district's host ({unit})", "hosts": "zones kept", "no_plan": "no plan",
           "none_revoked": "no zone is revoked", "heat": "Zones per district after consolidation",
           "sweep": "Sweep", "variants": "{n} variants · filled: proven optimal, hollow: not proven, ×: no plan "
           "(infeasible or not solved)", "pareto": "Trade-off: {x} against {y} (lower is better in both)",
           "better": "lower is better", "dominated": "dominated", "front": "non-dominated (Pareto)",
           "front_note": "{f} of {k} distinct plans are non-dominated ({n} variants; a plan several variants share "
           "is drawn once)", "optimal": "optimal", "feasible": "feasible", "infeasible": "infeasible",
           "stopped": "stopped", "input_error": "input error", "check_failed": "check failed", "error": "error",
           EDITED: VERDICT_TEXT["en"][EDITED],
           "district_cap": "cap", "revocation": "revocation weight", "distance": "distance weight",
           "max_distance_km": "max km", "contiguity": "contiguity",
           "side_by_side": "Scenarios side by side", "figure": "figure", "yes": "yes", "no": "no", "host": "host",
           "per_district": "Zones kept per district ({n} of {total} districts change)", "first": " — the first {n}",
           "fates": "Zones whose fate differs ({n})", "zone_id": "zone_id", "name": "name", "district": "district",
           "zones_before": "zones_before", "written": "written to"},
}
QUANTITIES = ("revoked_gdp", "gdp_km", "cross_district_gdp", "hosts")      # real units, never weighted parts
SOLVED_STATUSES = ("optimal", "feasible", EDITED)  # an edited plan is drawn, labelled as such


def _tt(lang: str, key: str, **kw) -> str:
    text = words(lang).get(key, key)
    return text.format(**kw) if kw else text


def words(lang: str) -> dict[str, str]:
    """The comparison's words in `lang` (English where no CJK font is found): the charts' and the terminal's."""
    return TRADE_TEXT["zh" if lang == "zh" and fonts.cjk_font() else "en"]


def _quantity_label(column: str, lang: str, unit: str, per: str = "km") -> str:
    """A real quantity's axis label; `per`: the unit the distance was priced in (compare.distance_unit)."""
    key = {"revoked_gdp": "revoked_gdp", "gdp_km": "gdp_km" if per == "km" else "gdp_minutes",
           "cross_district_gdp": "cross", "hosts": "hosts"}[column]
    return _tt(lang, key, unit=unit or "GDP").replace("（）", "").replace(" ()", "")


def _parameter_label(parameter: str, lang: str) -> str:
    last = parameter.split(".")[-1]
    return _tt(lang, last) if last in TRADE_TEXT["en"] else parameter


def _solved(rows: pd.DataFrame) -> pd.Series:
    if "status" not in rows:
        return pd.Series(True, index=rows.index)
    return rows["status"].astype(str).isin(SOLVED_STATUSES)


def compare_figure(table: pd.DataFrame, per_district: pd.DataFrame, title: str | None = None, lang: str = "zh",
                   unit: str = "", district_names: dict[str, str] | None = None, per: str = "km"):
    """Key figures of several scenarios side by side, in real units; a scenario without a plan says so."""
    t = table.reset_index(drop=True).copy()
    names = [str(s) for s in t["scenario"]]
    x = np.arange(len(t))
    solved = _solved(t).to_numpy()
    rotation = _rotation(names)
    with styled():
        fig = figure(A4)
        longest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in n) for n in names), default=0)
        grid = fig.add_gridspec(2, 4, left=min(0.2, max(0.06, 0.02 + 0.0062 * longest)), right=0.98, top=0.84,
                                bottom=0.1, wspace=0.38, hspace=0.7)

        def ticks(ax):   # a label's parts (`cap-2 · nearby`) one per line: nothing overprints, nothing is cut
            ax.set_xticks(x, [_stacked(n) for n in names], rotation=rotation, ha="right" if rotation else "center",
                          fontsize=7)

        def panel_title(ax, text):   # wrapped to the panel's width, above the legend's row
            ax.set_title(wrap_label(text, cjk_width=13, latin_width=30), loc="left", fontsize=8.5, pad=17)

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
        panel_title(ax, _tt(lang, "outcome"))
        ax.legend(frameon=False, fontsize=7, ncol=3, loc="lower left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.1,
                  handlelength=1.2, columnspacing=0.8)     # above the bars and ticks, under the title
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
            panel_title(ax, _quantity_label(column, lang, unit, per))
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
    upright = len(labels) <= 12
    ax.set_xticks(range(len(labels)), [wrap_label(n, cjk_width=4, latin_width=9) if upright else n for n in labels],
                  rotation=0 if upright else 90, ha="center", fontsize=7)
    ax.set_yticks(range(len(frame.columns)), [str(c) for c in frame.columns])
    ax.set_title(_tt(lang, "heat"), loc="left")
    for spine in ax.spines.values():
        spine.set_visible(False)


def _rotation(names: list[str]) -> int:
    """Stacked labels stand upright while they fit side by side; many scenarios lean."""
    return 0 if len(names) <= 5 else 45


def _stacked(name: str) -> str:
    """`host-takes-all · cap 2` → one line per part, a long part broken after a hyphen."""
    return "\n".join(wrap_label(part, cjk_width=6, latin_width=10) for part in name.split(" · "))


def _pct(gap) -> str:
    try:
        return f"{100 * float(gap):.2f}%"
    except (TypeError, ValueError):
        return "?"


def compare_charts(table: pd.DataFrame, per_district: pd.DataFrame, folder, lang: str = "zh", unit: str = "",
                   district_names: dict[str, str] | None = None, svg: bool = False, per: str = "km") -> list[Path]:
    """Write `compare.png` (and `compare.svg` when `svg`): scenarios' key figures side by side; `per`: the unit
    the distance was priced in (km, or minutes)."""
    return save(compare_figure(table, per_district, lang=lang, unit=unit, district_names=district_names, per=per),
                Path(folder), "compare", svg=svg)


