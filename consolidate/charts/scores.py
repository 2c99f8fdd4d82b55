"""The comprehensive evaluation's chart: scores by district, one dot per zone coloured by grade.

    >>> score_chart(region, config, ranked, "out/scores", lang="en")   # scores.png (svg=True: and scores.svg)
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import fonts
from ..evaluation import GRADES, EvaluationConfig
from ._style import figure, save, styled
from .map import LabelPlacer

GRADE_COLOURS = {"excellent": "#1a9850", "qualified": "#fdae61", "unqualified": "#d73027"}


SCORE_WORDS = {
    "zh": {"excellent": "优秀", "qualified": "合格", "unqualified": "不合格", "score": "综合评价得分（1 = 最好）",
           "title": "{region}：各区开发区得分（{norm}，缺失值：{missing}）", "omitted": "{n} 个名称因空间不足未标注（见 scores.csv）",
           "minmax": "极差标准化", "zscore": "标准分数", "rank": "排名", "mean": "均值", "worst": "最差值",
           "zero": "零", "exclude": "排除", "error": "报错",
           # what `consolidate score` prints
           "heading": "{region}：{n} 个开发区的综合评价", "settings": "标准化：{norm}，缺失值：{missing}；权重：",
           "note": "说明", "grades": "等级：", "eligible": "符合扩区条件（第十九条）：{n}",
           "top": "前 {top} 名（共 {n} 个）", "rank": "排名", "zone_id": "编号", "name": "名称", "district": "区",
           "level": "级别", "score_column": "得分", "grade": "等级", "expansion_eligible": "可扩区", "yes": "是",
           "candidates": "不合格（整改不力的，可核减面积、降级或撤销）：", "more": " … 另有 {n} 个（见 {file}）",
           "sweep": "权重扰动（{variants} 组，各权重 ×0.5–1.5）：{n} 个开发区等级改变",
           "ranks": "{grade}，排名 {low}–{high}", "written": "已写入"},
    "en": {"excellent": "excellent", "qualified": "qualified", "unqualified": "unqualified",
           "score": "comprehensive evaluation score (1 = best)",
           "title": "{region}: zone scores by district ({norm}, missing: {missing})",
           "omitted": "{n} names left out for space (see scores.csv)",
           "omitted_one": "1 name left out for space (see scores.csv)",
           "heading": "{region} — comprehensive evaluation of {n} zones",
           "settings": "normalisation {norm}, missing values: {missing}; weights: ", "note": "note",
           "grades": "grades: ", "eligible": "expansion-eligible (art. 19): {n}", "top": "Top {top} of {n}",
           "rank": "rank", "zone_id": "zone_id", "name": "name", "district": "district", "level": "level",
           "score_column": "score", "grade": "grade", "expansion_eligible": "expansion_eligible", "yes": "yes",
           "candidates": "unqualified (may be reduced, downgraded or revoked after failed rectification): ",
           "more": " … and {n} more (see {file})",
           "sweep": "weights sweep ({variants} variants, each weight ×0.5–1.5): {n} zone(s) change grade",
           "ranks": "{grade}, ranks {low}–{high}", "written": "written to"},
}


def score_chart(region, config: EvaluationConfig, ranked: pd.DataFrame, folder: Path, lang: str = "zh",
                svg: bool = False) -> list[Path]:
    """Scores by district: one dot per zone coloured by grade, the grade thresholds as lines; names placed
    where they do not collide (with a leader line when moved away), the rest left to scores.csv."""
    rc = fonts.use_fonts()
    covers = fonts.covers if fonts.cjk_font() is not None else (lambda text: False)
    words = SCORE_WORDS["zh" if lang == "zh" and covers(SCORE_WORDS["zh"]["score"]) else "en"]

    def english(value, fallback) -> str:
        return str(value) if isinstance(value, str) and value.strip() else str(fallback)

    def label_of(row) -> str:  # the name in the language asked when every glyph renders, else English, else the id
        if lang == "en" or not covers(str(row["name"])):
            return english(row.get("name_en"), row["zone_id"]) if covers(english(row.get("name_en"), "")) \
                else str(row["zone_id"])
        return str(row["name"])

    district_label = {}
    for d in region.districts.index:
        name = str(region.districts.at[d, "name"])
        en = region.districts.at[d, "name_en"] if "name_en" in region.districts else None
        district_label[d] = name if (lang == "zh" and covers(name)) else english(en, name if covers(name) else d)
    districts = [d for d in region.districts.index if d in set(ranked["district_id"])]
    districts += sorted(set(ranked["district_id"]) - set(districts))
    x_of = {d: i for i, d in enumerate(districts)}
    # dots spread sideways within their district, lowest score on the left
    ordered = ranked.sort_values(["district_id", "score", "zone_id"]).reset_index(drop=True)
    within = ordered.groupby("district_id").cumcount().to_numpy()
    size = ordered.groupby("district_id")["zone_id"].transform("size").to_numpy()
    step = [min(0.6 / max(k, 1), 0.15) for k in size]
    xs = [x_of[d] + (j - (k - 1) / 2) * st for d, j, k, st in zip(ordered["district_id"], within, size, step)]
    ordered["x"] = xs
    label_points = len(ordered) <= 80  # names on the dots only while they stay readable
    width = min(30.0, max(7.0, 0.7 * len(districts) + 2))
    with styled({"svg.hashsalt": "consolidate", **rc}):
        fig = figure((width, 5.0))
        ax = fig.subplots()
        for g in GRADES:
            part = ordered[ordered["grade"] == g]
            ax.scatter(part["x"], part["score"], s=36 if label_points else 8, color=GRADE_COLOURS[g],
                       edgecolor="black", linewidth=0.4 if label_points else 0.1, zorder=3, label=words[g])
        thresholds = []
        for g, value in (("excellent", config.grades.excellent), ("qualified", config.grades.qualified)):
            ax.axhline(value, color=GRADE_COLOURS[g], linestyle="--", linewidth=1)
            thresholds += [ax.annotate(f"{words[g]} ≥ {value:g}", (len(districts) - 0.45, value), xytext=(0, 2),
                        textcoords="offset points", color=GRADE_COLOURS[g], fontsize=7, va="bottom", ha="right")]
        ax.set_xticks(range(len(districts)))
        ax.set_xticklabels([district_label.get(d, str(d)) for d in districts], rotation=45, ha="right",
                           fontsize=8 if len(districts) <= 60 else 3)
        ax.set_xlim(-0.6, len(districts) - 0.4)
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel(words["score"])
        ax.set_title(words["title"].format(region=region.title_in("zh" if words is SCORE_WORDS["zh"] else "en"),
                                          norm=words.get(config.normalisation, config.normalisation),
                                          missing=words.get(config.missing, config.missing)),
                     fontsize=9, loc="left", pad=16)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=7, frameon=False, ncol=3,
                  borderaxespad=0.1, handletextpad=0.2, columnspacing=1.0)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        if label_points:   # names where they fit: around the dot, or further out with a leader line
            fig.canvas.draw()
            placer = LabelPlacer(ax, fig.canvas.get_renderer())
            points = ordered[["x", "score"]].to_numpy(float)
            placer.block_points(ax.transData.transform(points), [3.5 * placer.px_per_pt] * len(points))
            for text in thresholds:   # no name over "excellent ≥ 0.7"
                box = text.get_window_extent(fig.canvas.get_renderer())
                placer.block(box.x0, box.y0, box.x1, box.y1)
            left_out = sum(placer.place((row["x"], row["score"]), label_of(row), 5.5, 3.0, must=False,
                                        color="#333333") is None for _, row in ordered.iterrows())
            if left_out:
                fig.text(0.01, 0.005, words.get("omitted_one" if left_out == 1 else "omitted",
                                               words["omitted"]).format(n=left_out), fontsize=6.5, color="#555555")
    return save(fig, folder, "scores", svg=svg)
