"""The 2018 campaign's charts: the published plan against the model, and a sweep's distance per knob.

    >>> comparison_chart(result, "out/campaign")   # comparison.png/.svg (a consolidate.campaign.CampaignResult)
    >>> sweep_chart(sens, grid, "out/campaign-sweep")
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..fonts import covers
from ._style import A4, figure, save, styled

def _chart_text() -> dict[str, str]:
    """Chart labels: Chinese with English when the font chain covers them (consolidate.fonts), else English."""
    en = {"kept": "kept", "integrated": "integrated", "revoked": "revoked", "long_term": "long-term",
          "published": "published (2018 plan)", "model": "model", "title": "Tianjin 2018 campaign: "
          "published plan vs model", "levels": "model outcome by level (◆ = published count before)",
          "count": "parks"}
    zh = {"kept": "保留 kept", "integrated": "整合 integrated", "revoked": "撤销 revoked", "long_term": "长期 long-term",
          "published": "公布方案 published", "model": "模型 model",
          "title": "天津园区围城治理 2018: 公布方案与模型 (published vs model)",
          "levels": "模型结果按级别 model outcome by level (◆ = 公布的治理前数量 published before)",
          "count": "园区数 parks"}
    return zh if all(covers(text) for text in zh.values()) else en


def comparison_chart(result, folder: Path, svg: bool = False) -> list[Path]:
    """comparison.png (and .svg when `svg`): published vs model counts, and the model's outcome by level.

    `result` is a consolidate.campaign.CampaignResult; the published numbers come from its summary."""
    text = _chart_text()
    published_counts = result.summary["published"]
    level_names = list(result.summary["published_before"])
    with styled():
        fig = figure((A4[0], A4[1] * 0.6))
        ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})
        outcomes = ["kept", "integrated", "revoked", "long_term"]
        x = range(len(outcomes))
        published = [published_counts[k] for k in outcomes]
        model = [result.counts.get(k, 0) for k in outcomes]  # long_term: 0, no such outcome in a plan
        ax.bar([i - 0.2 for i in x], published, 0.4, label=text["published"], color="#7f7f7f")
        ax.bar([i + 0.2 for i in x], model, 0.4, label=text["model"], color="#2F6EA5")
        for i, (p, m, k) in enumerate(zip(published, model, outcomes)):
            ax.text(i - 0.2, p, str(p), ha="center", va="bottom")
            ax.text(i + 0.2, m, "–" if k == "long_term" else str(m), ha="center", va="bottom")
        ax.set_ylim(0, 1.3 * max(published + model))
        ax.set_xticks(list(x), [text[k] for k in outcomes])
        ax.set_ylabel(text["count"])
        ax.legend(frameon=False, loc="upper right")
        ax.set_title(f"{result.summary['scenario']}: distance {result.distance}")
        levels = result.levels.set_index("level").loc[level_names]
        bottom = [0] * len(level_names)
        colours = {"kept": "#009E73", "integrated": "#2F6EA5", "revoked": "#C0392B"}
        for k in result.counts:  # kept, integrated, revoked
            values = levels[f"model_{k}"].tolist()
            bx.bar(level_names, values, 0.6, bottom=bottom, label=text[k], color=colours[k])
            bottom = [b + v for b, v in zip(bottom, values)]
        bx.scatter(level_names, levels["published_before"].tolist(), marker="D", color="black", zorder=3)
        bx.set_ylim(0, 1.1 * max(levels["published_before"].max(), max(bottom)))
        bx.set_title(text["levels"])
        bx.legend(frameon=False, loc="upper left")
        fig.suptitle(text["title"])
        fig.tight_layout()
    return save(fig, folder, "comparison", svg=svg)


def sweep_chart(sens: pd.DataFrame, grid: dict[str, list[Any]] | list[tuple[str, list]], folder: Path,
                svg: bool = False) -> list[Path]:
    """sweep.png (and .svg when `svg`): the distance along each knob, the others at the closest setting."""
    grid = dict(grid)
    with styled():
        fig = figure((3.6 * max(1, len(grid)), 3.2))
        axes = fig.subplots(1, max(1, len(grid)), squeeze=False)[0]
        for ax, knob in zip(axes, grid):
            part = sens[sens["knob"] == knob]
            ax.plot([str(v) for v in part["value"]],
                    part["distance"].astype("Float64").to_numpy(dtype=float, na_value=float("nan")),
                    marker="o", color="#2F6EA5")
            ax.set_title(knob)
            ax.set_ylabel("distance to 49 / 130 / 116")
            ax.set_ylim(bottom=0)
        fig.suptitle("one knob at a time around the closest setting (a missing point: no plan)")
        fig.tight_layout()
    return save(fig, folder, "sweep", svg=svg)
