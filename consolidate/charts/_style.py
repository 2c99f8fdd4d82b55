"""What every chart shares: matplotlib figures on their own Agg canvas (no pyplot state), the style
(fonts, sizes), the one save path, the chart words in zh/en with a `Namer` that never draws tofu, and
the page's title and footer.

Every figure is A4 landscape, drawn with the CJK font chain of `consolidate.fonts` (no tofu: a
name no font covers is shown in English, with a note in the footer). Each figure is drawn once per
file: PNG always, SVG only when asked (`svg=True`; text kept as text, in the bundled font, which the
SVG carries cut down to its characters). Output is deterministic: the same plan gives the same bytes
(no date or software in the PNG or SVG metadata, a fixed `svg.hashsalt`).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import fonts
from ..statistics import PlanSummary

A4 = (11.69, 8.27)               # landscape, inches
DPI = 150
LANGS = ("zh", "en")
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C564B", "#6A3D9A",
                 "#17BECF", "#7F7F00", "#1F78B4", "#B15928", "#33A02C", "#E7298A", "#666699", "#A6761D")
ALONE = "#7a7a7a"                # a host with no members
REVOKED = "#C0392B"
FOLD = "#6A3D9A"
BEFORE = "#BDBDBD"
AFTER = "#2F6EA5"
LEVEL_MARKERS = {"national": "*", "municipal": "o", "district": "s", "subdistrict": "^"}
MODE_STYLES = {"entrusted": "-", "co_construction": (0, (5, 2)), "multi_park": (0, (1, 1.5))}
# a label's backing over the map: a box, not a stroked outline (path effects turn text into paths: slow to
# draw, and no longer text in SVG)
HALO = {"boxstyle": "round,pad=0.1,rounding_size=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.72}

TEXT = {
    "zh": {
        "host": "保留（牵头）", "member": "整合（并入）", "revoked": "撤销", "fold": "整合为综合保税区",
        "status": "状态", "level": "级别", "mode": "整合方式", "size": "圆面积 = GDP（{unit}）",
        "national": "国家级", "municipal": "市级", "district": "区级", "subdistrict": "街镇级",
        "entrusted": "托管", "co_construction": "共建", "multi_park": "一区多园",
        "exempt": "豁免", "exempt_district": "豁免区（不受上限约束）", "cap": "上限", "before": "整合前",
        "after": "整合后", "zones": "开发区数量", "zones_title": "各区开发区数量：整合前后与上限",
        "map_title": "整合方案图", "inset": "放大图", "see_inset": "见放大图",
        "alloc_title": "各区经济指标：整合前后（按分成规则）", "flows": "转移",
        "revoked_value": "撤销区所含", "change": "变化", "no_flows": "无转移\n（属地原则下各区只因撤销而减少；\n其他分成规则见 consolidate allocate 或报告）",
        "gdp": "GDP", "fiscal_revenue": "财政收入",
        "summary": "{zones} 个开发区 → 保留 {hosts}，整合 {members}，撤销 {revoked}",
        "objective": "目标值", "colour_group": "颜色 = 整合组（牵头区及其成员）", "alone": "保留，无成员",
        "no_outlines": "区域模型无区界：区名标在各区中心", "no_cjk": "未找到中文字体：名称以英文显示",
        "uncovered": "字体缺字，以英文显示：{names}", "omitted": "{n} 个开发区名称因空间不足未标注（见 plan.csv）",
        "data": "数据", "more_districts": "另有 {n} 个区未显示", "count_by_managing": "按管理区计数",
        "count_by_location": "按所在区计数", "zero_districts": "{n} 个无开发区的区未显示",
        "prefix": "图中名称略去共同前缀“{prefix}”",
        "quality": "{n} 个开发区为{q}", "estimated": "估算", "real": "实际", "synthetic": "合成",
        "scenario_word": "方案", "north": "北", "hulls": "阴影 = 整合组范围，只标注牵头开发区（成员见 plan.csv）",
    },
    "en": {
        "host": "kept (host)", "member": "merged (member)", "revoked": "revoked",
        "fold": "folded into a comprehensive bonded zone", "status": "Status", "level": "Level",
        "mode": "Merge mode", "size": "area = GDP ({unit})", "national": "national", "municipal": "municipal",
        "district": "district", "subdistrict": "subdistrict", "entrusted": "entrusted",
        "co_construction": "co-construction", "multi_park": "one zone, many parks", "exempt": "exempt",
        "exempt_district": "exempt district (no cap)", "cap": "cap", "before": "before", "after": "after",
        "zones": "zones", "zones_title": "Zones per district before and after, against the cap",
        "map_title": "Consolidation plan", "inset": "inset", "see_inset": "see inset",
        "alloc_title": "District figures before and after, under the sharing rule", "flows": "flows",
        "revoked_value": "in revoked zones", "change": "change", "no_flows": "none\n(territorial: a district loses only what is revoked;\nother sharing rules: consolidate allocate, or the report)",
        "gdp": "GDP", "fiscal_revenue": "fiscal revenue",
        "summary": "{zones} zones → {hosts} kept, {members} merged, {revoked} revoked",
        "objective": "objective",
        "colour_group": "colour = group (a host and its members)", "alone": "kept, no members",
        "no_outlines": "no district outlines in the region model: district names at their centres",
        "no_cjk": "no CJK font found: names shown in English", "uncovered": "no glyphs, shown in English: {names}",
        "omitted": "{n} zone names left out for space (see plan.csv)", "data": "data",
        "more_districts": "{n} more districts not shown", "count_by_managing": "counted by managing district",
        "count_by_location": "counted by location district", "zero_districts": "{n} districts without zones not shown",
        "prefix": "labels leave out the common prefix “{prefix}”",
        "quality": "{n} zones {q}", "estimated": "estimated", "real": "real", "synthetic": "synthetic",
        "scenario_word": "scenario", "north": "N",
        "hulls": "shaded = the extent of each group; only hosts are named (members in plan.csv)",
    },
}



# --- style, figures, saving --------------------------------------------------------------------------


def style(svg_text: bool = False) -> dict:
    """rcParams for every chart: the font chain, readable sizes at A4, deterministic SVG (text as paths
    unless `svg_text`)."""
    return {**fonts.use_fonts(), "svg.hashsalt": "consolidate", "svg.fonttype": "none" if svg_text else "path",
            "text.parse_math": False, "font.size": 8, "axes.titlesize": 10, "axes.labelsize": 8,
            "xtick.labelsize": 7.5, "ytick.labelsize": 7.5, "legend.fontsize": 7.5, "axes.spines.top": False,
            "axes.spines.right": False, "figure.dpi": DPI, "savefig.dpi": DPI, "path.simplify": True}


def styled(rc: dict | None = None):
    """The chart style for the figures made inside (`with styled(): fig = figure()`)."""
    return matplotlib.rc_context(style() if rc is None else rc)


def figure(figsize: tuple[float, float] = A4) -> Figure:
    """A new figure on its own Agg canvas: nothing global (no pyplot), garbage-collected like any object."""
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


SVG_META = {"Date": None, "Creator": None}
PNG_LEVEL = 3      # zlib level: a third of the time of the default 6 for 1 % more bytes


def save(fig, folder: Path, stem: str, svg: bool = False) -> list[Path]:
    """Write `stem.png` (and `stem.svg` when `svg`) into `folder`, each with io.atomic_file."""
    from ..io import atomic_file, write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}.png"
    with atomic_file(target) as tmp:
        write_png(fig, tmp)
    written = [target]
    if svg:
        written.append(write_text(folder / f"{stem}.svg", svg_document(fig)))
    return written


def write_png(fig, path) -> None:
    """The figure drawn once on its Agg canvas, written as an opaque RGB PNG with only its resolution as
    metadata (no date, no software: same figure, same bytes)."""
    from PIL import Image

    with styled():
        fig.canvas.draw()
    width, height = fig.canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.convert("RGB").save(path, format="png", compress_level=PNG_LEVEL, dpi=(fig.dpi, fig.dpi))


def svg_text(fig) -> str:
    """The figure as a self-contained SVG document with text as paths (deterministic), e.g. to inline in
    a report that embeds its own font."""
    import io

    buffer = io.StringIO()
    with styled():
        fig.savefig(buffer, format="svg", metadata=SVG_META)
    return buffer.getvalue()


def svg_document(fig) -> str:
    """The figure as SVG with its text kept as text (selectable, searchable, small), in the bundled font,
    which the document carries as an @font-face cut down to the characters it draws."""
    import io

    buffer = io.StringIO()
    with styled(style(svg_text=True)):
        fig.savefig(buffer, format="svg", metadata=SVG_META)
    document = buffer.getvalue()
    face = fonts.font_face_css(texts_of_svg(document))
    anchor = '<style type="text/css">'
    if face and anchor in document:
        document = document.replace(anchor, anchor + face, 1)
    return document


def texts_of_svg(document: str) -> str:
    """The characters of an SVG document's <text> elements."""
    import html
    import re

    return html.unescape("".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", document)))


def drawn_texts(fig) -> list[str]:
    """Every non-empty string the figure draws (titles, labels, ticks, legend, annotations)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# --- names: Chinese where the font covers them ----------------------------------------------------------


@dataclass
class Namer:
    """Chooses the label of a zone or district in a language, never one that would draw tofu."""

    lang: str = "zh"
    fallbacks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}")
        self.cjk = fonts.cjk_font() is not None

    @property
    def ui(self) -> str:
        """The language of the chart's own words (English when there is no CJK font)."""
        return self.lang if self.cjk else "en"

    def t(self, key: str, **kw) -> str:
        text = TEXT[self.ui].get(key, TEXT["en"].get(key, key))
        return text.format(**kw) if kw else text

    def name(self, zh: object, en: object, ident: object = "") -> str:
        zh = "" if _missing(zh) else str(zh)
        en = "" if _missing(en) else str(en)
        first, second = (zh, en) if self.lang == "zh" else (en, zh)
        for choice in (first, second):
            if choice and fonts.covers(choice):
                if choice is not first and first:
                    self.fallbacks.append(first)
                return choice.replace("$", r"\$")
        if first:
            self.fallbacks.append(first)
        return str(ident)

    def plain(self, text: object, fallback: str = "") -> str:
        """Text from the data (a title, a unit) as it is when the fonts cover it, else `fallback`."""
        text = "" if _missing(text) else str(text)
        return text.replace("$", r"\$") if fonts.covers(text) else fallback

    def footer_notes(self) -> list[str]:
        """Warnings for the footer: names that could not be shown as asked."""
        notes = []
        if not self.cjk:
            notes.append(TEXT["en"]["no_cjk"])
        elif self.fallbacks:
            shown = "、".join(sorted(set(self.fallbacks))[:5]) + ("…" if len(set(self.fallbacks)) > 5 else "")
            shown = "".join(c if fonts.covers(c) else "?" for c in shown)
            notes.append(self.t("uncovered", names=shown))
        return notes


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() in ("", "nan")


def common_prefix(names: list[str], share: float = 0.5) -> str:
    """The leading word (Latin) or two characters (CJK) that at least `share` of the names start with."""
    heads = []
    for name in names:
        if any(ord(c) > 0x2E80 for c in name[:2]):
            heads.append(name[:2] if len(name) > 4 else "")
        else:
            word = name.split(" ", 1)[0]
            heads.append(word + " " if " " in name and len(name) > len(word) + 4 else "")
    counts = pd.Series([h for h in heads if h]).value_counts()
    if len(counts) and counts.iloc[0] >= share * len(names) and len(names) >= 4:
        return str(counts.index[0])
    return ""


def wrap_label(text: str, cjk_width: int = 8, latin_width: int = 20) -> str:
    """Break a long name into balanced lines (CJK anywhere, Latin at spaces)."""
    if any(ord(c) > 0x2E80 for c in text):
        if len(text) <= cjk_width + 1:
            return text
        lines = math.ceil(len(text) / cjk_width)
        step = math.ceil(len(text) / lines)
        return "\n".join(text[i:i + step] for i in range(0, len(text), step))
    return "\n".join(textwrap.wrap(text, latin_width)) or text


# --- a plan figure's title and footer ------------------------------------------------------------------


def _title(fig, plan, namer: Namer, what: str) -> None:
    s = plan.stats
    region = namer.plain(plan.region_title(namer.ui), namer.plain(s.region, "?"))
    scenario = namer.plain(_plan_label(s, namer.ui), namer.plain(s.scenario_name, "?"))
    fig.text(0.015, 0.965, f"{what} — {region}", fontsize=13.5, va="top")
    counted = "counts" in plan.summary
    line = namer.t("summary", zones=s.counts.zones if counted else len(plan.table),
                   hosts=s.counts.hosts if counted else "?", members=s.counts.members if counted else "?",
                   revoked=s.counts.revoked if counted else "?")
    fig.text(0.015, 0.925, f"{namer.t('scenario_word')} “{scenario}” · {line} · {_verdict(s, namer)}", fontsize=9,
             va="top", color="#333333")


def _plan_label(summary: PlanSummary, lang: str) -> str:
    """`baseline · cap 2 · nearby` in the chart's language (the scenario's name for older plans)."""
    from ..describe import label

    if summary.overrides is not None:
        return label(summary.scenario_name, summary.overrides, lang)
    return summary.label or summary.scenario_name


def _verdict(summary: PlanSummary, namer: Namer) -> str:
    objective = summary.objective
    obj = f"{namer.t('objective')} {objective:.4g}" if isinstance(objective, (int, float)) else ""
    verdict = summary.verdict.text(namer.ui)
    return f"{obj} ({verdict})" if obj else verdict


def _footer(fig, plan, namer: Namer, notes: list[str]) -> None:
    s = plan.stats
    quality = s.data_quality or {}
    parts = []
    if quality:
        parts.append(f"{namer.t('data')}: " + ", ".join(namer.t("quality", n=v, q=namer.t(k)) for k, v
                                                        in sorted(quality.items())))
    count_by = s.count_by
    if count_by:
        parts.append(namer.t("count_by_managing" if count_by == "managing_district" else "count_by_location"))
    text = " · ".join(parts + namer.notes + notes)
    warned = bool(namer.footer_notes())
    fig.text(0.015, 0.012, "\n".join(textwrap.wrap(text, 190)) if text else "", fontsize=7,
             color="#8B0000" if warned else "#555555", va="bottom")


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


