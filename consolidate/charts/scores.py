"""The comprehensive evaluation's chart: scores by district, one dot per zone coloured by grade.

    >>> score_chart(region, config, ranked, "out/scores")   # scores.png, scores.svg
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import fonts
from ..evaluation import GRADES, EvaluationConfig
from ._style import plt, save

GRADE_COLOURS = {"excellent": "#1a9850", "qualified": "#fdae61", "unqualified": "#d73027"}


def score_chart(region, config: EvaluationConfig, ranked: pd.DataFrame, folder: Path) -> list[Path]:
    """Scores by district: one dot per zone coloured by grade, the grade thresholds as lines."""
    rc = fonts.use_fonts()
    covers = fonts.covers if fonts.cjk_font() is not None else (lambda text: False)

    def english(value, fallback) -> str:
        return str(value) if isinstance(value, str) and value.strip() else str(fallback)

    def label_of(row) -> str:  # the Chinese name when every glyph renders, else English, else the id
        return str(row["name"]) if covers(str(row["name"])) else english(row.get("name_en"), row["zone_id"])

    district_label = {}
    for d in region.districts.index:
        name = str(region.districts.at[d, "name"])
        district_label[d] = name if covers(name) else english(
            region.districts.at[d, "name_en"] if "name_en" in region.districts else None, d)
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
    with plt.rc_context({"svg.hashsalt": "consolidate", **rc}):
        fig, ax = plt.subplots(figsize=(width, 5.0))
        for g in GRADES:
            part = ordered[ordered["grade"] == g]
            ax.scatter(part["x"], part["score"], s=36 if label_points else 8, color=GRADE_COLOURS[g],
                       edgecolor="black", linewidth=0.4 if label_points else 0.1, zorder=3, label=g)
        if label_points:
            for _, row in ordered.iterrows():
                ax.annotate(label_of(row), (row["x"], row["score"]), xytext=(4, 0), textcoords="offset points",
                            fontsize=5.5, va="center", color="#333333")
        for g, value in (("excellent", config.grades.excellent), ("qualified", config.grades.qualified)):
            ax.axhline(value, color=GRADE_COLOURS[g], linestyle="--", linewidth=1)
            ax.annotate(f"{g} ≥ {value:g}", (len(districts) - 0.45, value), xytext=(0, 2),
                        textcoords="offset points", color=GRADE_COLOURS[g], fontsize=7, va="bottom", ha="right")
        ax.set_xticks(range(len(districts)))
        ax.set_xticklabels([district_label.get(d, str(d)) for d in districts], rotation=45, ha="right",
                           fontsize=8 if len(districts) <= 60 else 3)
        ax.set_xlim(-0.6, len(districts) - 0.4)
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel("comprehensive evaluation score (1 = best)")
        ax.set_title(f"{region.title}: zone scores by district ({config.normalisation}, missing: {config.missing})",
                     fontsize=9, loc="left", pad=16)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=7, frameon=False, ncol=3,
                  borderaxespad=0.1, handletextpad=0.2, columnspacing=1.0)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
    return save(fig, folder, "scores")
