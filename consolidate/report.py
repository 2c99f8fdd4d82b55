"""One self-contained HTML report of one or more plans, for readers who never run the toolkit.

    >>> from consolidate.report import write_report
    >>> write_report(["out/baseline", "out/cap-2"], "report.html")           # Chinese
    >>> write_report(["out/compare"], "report-en.html", lang="en")             # every plan of a comparison

What it says, in order: an executive summary (per plan: what the rules forced, zones before and after,
who merges into whom, what is revoked, what each district gains or loses under the chosen sharing rule
and the alternatives, proven optimal or not; then the data caveats); a comparison when there are several
plans; per plan its decisions, an interactive map, the district accounts and the scenario as its
differences from the baseline; and in appendices every resolved key of every plan and where the data
came from. Plans are named by their scenario and overrides (`baseline · cap 2 · nearby`) and described
from their resolved keys (consolidate.describe).

The file has everything inside it: the map is inline SVG with one small inline script (pan, zoom,
details; admitted by its hash in the Content-Security-Policy), charts are SVG data URIs, the CJK font is
embedded cut down to the characters used. No request leaves the page. Written atomically.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from . import describe, webmap
from .plan import EDITED, EDITED_VERDICT, Plan, read_plan
from .statistics import PlanSummary

GENERATOR_TAG = '<meta name="generator" content="consolidate">'  # marks a report we may overwrite

CSS = """
/*FONT-FACE*/
:root { color-scheme: light; }
body { font-family: "Consolidate Sans SC", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", "WenQuanYi Micro Hei", system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto;
       max-width: 1180px; padding: 1.5rem 2rem 3rem; line-height: 1.5; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid #2f6ea5; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
a { color: #1d4f7a; }
.lead { color: #333; }
.warn { color: #8b0000; font-weight: bold; }
.ok { color: #1b5e20; font-weight: bold; }
.gain { color: #1b5e20; }
.loss { color: #8b0000; }
.muted { color: #555; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .86rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; color: #1a1a1a; }
th, td { border: 1px solid #b0b0b0; padding: .22rem .5rem; vertical-align: top; }
th { background: #e8eef5; text-align: left; }
th.chosen { background: #cfe0f1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f7f7f7; }
thead { display: table-header-group; }
figure { margin: 1rem 0 1.6rem; }
figure img { width: 100%; height: auto; border: 1px solid #d0d0d0; }
figcaption { font-size: .85rem; color: #333; margin-top: .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
ul.points li { margin: .15rem 0; }
.plan-brief { border-left: 4px solid #2f6ea5; padding: .1rem 0 .1rem 1rem; margin: 1rem 0 1.5rem; }
nav ul { columns: 2; }
.keys td:first-child, .keys th[scope=row] { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
.keys td.same { color: #555; }
.keys td { overflow-wrap: anywhere; }
footer { margin-top: 3rem; font-size: .8rem; color: #444; border-top: 1px solid #ccc; padding-top: .5rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; line-height: 1.35; }
  nav { display: none; }
  h2 { margin-top: 1.2rem; }
  section.appendix > h2, section#comparison > h2 { break-before: page; }
  figure { break-inside: avoid; }
  tr, .plan-brief li { break-inside: avoid; }
  h2, h3, caption { break-after: avoid; }
  figure img { border: none; max-height: 175mm; object-fit: contain; }
  table { font-size: 8pt; }
  .keys table { font-size: 7pt; }
  .keys th, .keys td { padding: .05rem .3rem; }
  footer { display: none; }           /* its date is in the header's line */
  figure img { max-height: 120mm; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 14mm 12mm; }
""" + webmap.CSS

WORDS = {
    "zh": {
        "title": "开发区整合方案报告", "contents": "目录", "executive": "摘要", "comparison": "方案比较",
        "scenario": "方案", "decisions": "整合决定", "map": "交互式地图", "accounts": "各区账目",
        "charts": "图表", "flows": "区际转移（按分成规则）", "differences": "与基准方案（baseline）的差别",
        "same_as_baseline": "与基准方案相同。", "appendix_keys": "附录 A：全部参数", "provenance": "附录 B：数据来源与求解",
        "status": "状态", "proven": "已证明最优", "not_proven": "未证明最优", "gap": "差距", "objective": "目标值",
        "time": "用时", "hosts": "保留", "members": "整合", "revoked": "撤销", "revoked_gdp": "撤销区 GDP",
        "host": "牵头开发区", "zone": "开发区", "mode": "方式", "distance": "距离（km）", "district": "区",
        "before": "整合前", "after": "整合后", "cap": "上限", "exempt": "豁免", "change": "变化", "measure": "指标",
        "from": "转出区", "to": "转入区", "value": "数值", "key": "参数", "baseline": "基准方案",
        "quality": "数据质量", "count": "开发区数", "note": "说明", "files": "输入文件（SHA-256）", "solver": "求解器",
        "checks": "独立校验", "passed": "通过", "none": "无", "generated": "生成于", "region": "区域",
        "decision": "决定", "why": "原因", "gdp": "GDP", "fiscal_revenue": "财政收入", "zones": "开发区",
        "forced": "规则要求", "forced_none": "没有区超过上限，无需整合。",
        "forced_some": "{n} 个区超过上限，须整合：{list}。", "over": "{name} {before} 个（上限 {cap}）",
        "result": "结果", "result_text": "{zones} 个开发区 → 保留 {hosts} 个；整合 {members} 个（{modes}），撤销 {revoked} 个。",
        "merges": "谁并入谁", "revokes": "撤销", "revoked_text": "{list}（GDP 合计 {gdp}）",
        "gains": "各区得失（{unit}）", "gains_note": "每列为该分成规则下整合后减整合前（同一规则计算整合前）；"
        "★ 为本方案采用的规则。仅列出有变化的区。", "no_gains": "任何分成规则下各区都没有变化。",
        "caveats": "数据说明", "verdict": "求解", "checks_text": "独立校验 {passed}/{total} 通过",
        "rule_territorial": "属地", "rule_host": "归牵头方", "rule_split50": "五五分成", "rule_chosen": "本方案规则",
        "member_of": "并入 {host}", "kept_host": "保留，牵头 {n} 个", "kept": "保留", "revoked_word": "撤销",
        "why_cap": "{district}原有 {before} 个，超过上限 {cap}", "why_small": "GDP 占所在区开发区 GDP 的 {share}",
        "why_group": "与牵头开发区同组", "more": "另有 {n} 项（见 plan.csv）", "and": "、",
        "estimated": "估算", "real": "实际", "synthetic": "合成", "mixed": "部分估算",
        "quality_text": "{n} 个开发区的数据为“{q}”", "description": "说明", "label": "名称",
        "zones_per_district": "各区保留开发区数", "zones_alt": "各区开发区数量整合前后对比及上限",
        "alloc_alt": "各区 GDP 与财政收入整合前后对比及区际转移", "compare_alt": "各方案主要指标并列比较",
        "rule": "分成规则", "customs": "合并为综合保税区", "entrusted": "委托代管", "co_construction": "合作共建",
        "multi_park": "一区多园", "optimal": "最优", "feasible": "可行（未证明最优）", "infeasible": "无可行方案",
        "moved": "跨区并入的 GDP", "kept_zones": "保留开发区",
        EDITED: EDITED_VERDICT["zh"],
    },
    "en": {
        "title": "Development zone consolidation report", "contents": "Contents", "executive": "Executive summary",
        "comparison": "Comparison", "scenario": "Scenario", "decisions": "Decisions", "map": "Interactive map",
        "accounts": "District accounts", "charts": "Charts", "flows": "Flows between districts (sharing rule)",
        "differences": "Differences from the baseline", "same_as_baseline": "Same as the baseline.",
        "appendix_keys": "Appendix A: every scenario key", "provenance": "Appendix B: data and solving",
        "status": "status", "proven": "proven optimal", "not_proven": "NOT proven optimal", "gap": "gap",
        "objective": "objective", "time": "time", "hosts": "kept", "members": "merged", "revoked": "revoked",
        "revoked_gdp": "GDP of revoked zones", "host": "host", "zone": "zone", "mode": "mode",
        "distance": "distance (km)", "district": "district", "before": "before", "after": "after", "cap": "cap",
        "exempt": "exempt", "change": "change", "measure": "measure", "from": "from", "to": "to", "value": "value",
        "key": "key", "baseline": "baseline", "quality": "data quality", "count": "zones", "note": "note",
        "files": "input files (SHA-256)", "solver": "solver", "checks": "independent checks", "passed": "passed",
        "none": "none", "generated": "generated", "region": "region", "decision": "decision", "why": "why",
        "gdp": "GDP", "fiscal_revenue": "fiscal revenue", "zones": "zones", "forced": "What the rules forced",
        "forced_none": "No district is over its cap: nothing had to consolidate.",
        "forced_some": "{n} district(s) over their cap had to consolidate: {list}.",
        "over": "{name} {before} (cap {cap})", "result": "Result",
        "result_text": "{zones} zones → {hosts} kept; {members} merged ({modes}), {revoked} revoked.",
        "merges": "Who merges into whom", "revokes": "Revoked", "revoked_text": "{list} (GDP {gdp} in all)",
        "gains": "What each district gains or loses ({unit})",
        "gains_note": "Each column: after minus before under that sharing rule (before = the same rule applied "
        "to the zones before consolidation); ★ marks the plan's own rule. Only districts with a change are listed.",
        "no_gains": "No district gains or loses anything under any sharing rule.", "caveats": "Data caveats",
        "verdict": "Solved", "checks_text": "independent checks {passed}/{total} passed",
        "rule_territorial": "territorial", "rule_host": "host", "rule_split50": "split 50/50",
        "rule_chosen": "plan's rule", "member_of": "joins {host}", "kept_host": "kept, hosts {n}", "kept": "kept",
        "revoked_word": "revoked", "why_cap": "{district} had {before} zones, cap {cap}",
        "why_small": "its GDP is {share} of its district's zone GDP", "why_group": "in its host's group",
        "more": "{n} more (see plan.csv)", "and": ", ", "estimated": "estimated", "real": "real",
        "synthetic": "synthetic", "mixed": "partly estimated", "quality_text": "{n} zones: data {q}",
        "description": "description", "label": "name", "zones_per_district": "Zones kept per district",
        "zones_alt": "Zones per district before and after consolidation, with the cap",
        "alloc_alt": "GDP and fiscal revenue per district before and after, with flows between districts",
        "compare_alt": "Key figures of the plans side by side", "rule": "sharing rule",
        "customs": "folded into a comprehensive bonded zone", "entrusted": "entrusted",
        "co_construction": "co-construction", "multi_park": "one-zone-many-parks", "optimal": "optimal",
        "feasible": "feasible (not proven optimal)", "infeasible": "no feasible plan",
        "moved": "GDP joining a host of another district", "kept_zones": "zones kept",
        EDITED: EDITED_VERDICT["en"],
    },
}

LIST_LIMIT = 14      # names listed in the summary before "n more"


# --- small HTML helpers -------------------------------------------------------------------------------


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: Any, digits: int = 2) -> str:
    """A cell's text: numbers with separators, NaN and None empty, booleans as marks."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:,.{digits}f}"
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def signed(value: float, digits: int = 2) -> str:
    """+1.25 / −0.50 / 0 with a class for colour."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value) < 0.5 * 10 ** -digits:
        return "0"
    klass = "gain" if value > 0 else "loss"
    return f'<span class="{klass}">{"+" if value > 0 else "−"}{abs(value):,.{digits}f}</span>'


def table_html(frame: pd.DataFrame, caption: str, row_header: bool = True, raw: tuple[str, ...] = (),
               header_class: dict[str, str] | None = None) -> str:
    """An accessible table: caption, column headers with scope=col, first cell of each row scope=row.
    Columns named in `raw` hold HTML already (signed numbers)."""
    header_class = header_class or {}
    classes = {c: f' class="{header_class[c]}"' for c in header_class}
    head = "".join(f'<th scope="col"{classes.get(c, "")}>{esc(c)}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for k, (column, value) in enumerate(zip(frame.columns, values)):
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            text = str(value) if column in raw else esc(fmt(value))
            if k == 0 and row_header:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f'<td class="num">{text}</td>' if number or column in raw else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table>\n<caption>{esc(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>\n")


NUMBER = re.compile(r"(?<![\d.])([1-9]\d*\.\d)\d+")


def compact_svg(svg: str) -> str:
    """The chart's SVG with coordinates of 1 pt or more to 0.1 pt: a third of the bytes, no visible change
    (numbers below 1, such as the glyphs' scale factors, keep every digit)."""
    return NUMBER.sub(r"\1", svg)


def figure_html(svg: str, alt: str, caption: str) -> str:
    data = base64.b64encode(compact_svg(svg).encode("utf-8")).decode("ascii")
    return (f'<figure>\n<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}" title="{esc(caption)}">\n'
            f"<figcaption>{esc(caption)}</figcaption>\n</figure>\n")


def listing(items: list[str], w: dict) -> str:
    shown = items[:LIST_LIMIT]
    text = w["and"].join(shown)
    if len(items) > LIST_LIMIT:
        text += w["and"] + w["more"].format(n=len(items) - LIST_LIMIT)
    return text


# --- the document -------------------------------------------------------------------------------------


class Report:
    def __init__(self, plans: list[Plan], labels: list[str], lang: str = "zh"):
        if lang not in WORDS:
            raise ValueError(f"lang must be one of {sorted(WORDS)}")
        self.plans, self.labels, self.lang = plans, labels, lang
        self.w = WORDS[lang]
        self._reasons: dict[int, dict[str, str]] = {}

    # names in the report's language

    def zone_names(self, plan: Plan) -> dict[str, str]:
        names = plan.table["name"].astype(str).to_dict()
        if self.lang == "en" and plan.region is not None and "name_en" in plan.region.zones:
            english = plan.region.zones["name_en"].reindex(plan.table.index)
            names.update({z: str(e) for z, e in english.items() if isinstance(e, str) and e.strip()})
        return names

    def district_names(self, plan: Plan) -> dict[str, str]:
        names = {str(k): str(v) for k, v in plan.districts["name"].items()}
        if self.lang == "en" and plan.region is not None and "name_en" in plan.region.districts:
            english = plan.region.districts["name_en"]
            names.update({str(d): str(e) for d, e in english.items() if isinstance(e, str) and e.strip()})
        return names

    def name_map(self, plan: Plan) -> dict[str, str]:
        """District names as a scenario writes them (Chinese) → in the report's language."""
        return {str(n): self.district_names(plan).get(str(i), str(n)) for i, n in plan.districts["name"].items()}

    def unit(self, plan: Plan, measure: str = "gdp") -> str:
        from .compare import region_unit

        return region_unit(plan.region, measure, self.lang)

    def translated(self, value: Any, names: dict[str, str]) -> Any:
        """A scenario value with the district names in it in the report's language."""
        if isinstance(value, str):
            return names.get(value, value)
        if isinstance(value, list):
            return [self.translated(v, names) for v in value]
        return value

    def mode(self, mode: str) -> str:
        return self.w.get(str(mode), str(mode))

    def verdict(self, s: dict) -> str:
        verdict = PlanSummary.from_dict(s).verdict
        return f'<span class="{"ok" if verdict.proven_optimal else "warn"}">{esc(verdict.text(self.lang))}</span>'

    def render(self) -> str:
        w = self.w
        first = self.plans[0]
        region = first.region_title(self.lang)
        sections: list[tuple[str, str, str]] = [("executive", w["executive"], self.executive())]
        if len(self.plans) > 1:
            sections.append(("comparison", w["comparison"], self.comparison()))
        for k, (plan, label) in enumerate(zip(self.plans, self.labels), start=1):
            sections.append((f"plan-{k}", f'{w["scenario"]}: {label}', self.plan_section(plan, label, f"plan-{k}")))
        sections.append(("appendix-keys", w["appendix_keys"], self.all_keys()))
        sections.append(("provenance", w["provenance"], self.provenance()))
        toc = "".join(f'<li><a href="#{anchor}">{esc(text)}</a></li>' for anchor, text, _ in sections)
        lang = "zh-CN" if self.lang == "zh" else "en"
        title = f'{w["title"]} — {region}'
        stamp = _dt.date.today().isoformat() if os.environ.get("SOURCE_DATE_EPOCH") is None else \
            _dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), _dt.timezone.utc).date().isoformat()
        policy = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
                  f"script-src {webmap.script_hash()}")
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{GENERATOR_TAG}\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
                f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
                f"<header>\n<h1>{esc(title)}</h1>\n<p class=\"lead\">{esc(' | '.join(self.labels))}"
                f' <span class="muted">· {esc(w["generated"])} {esc(stamp)}</span></p>\n</header>\n'
                f'<nav aria-label="{esc(w["contents"])}">\n<h2 class="toc">{esc(w["contents"])}</h2>\n<ul>{toc}</ul>\n'
                f"</nav>\n<main>\n" + "\n".join(body for _, _, body in sections) + "</main>\n"
                f'<footer>{esc(w["generated"])} {esc(stamp)} · consolidate</footer>\n'
                f"<script>{webmap.SCRIPT}</script>\n</body>\n</html>\n")

    # the executive summary

    def executive(self) -> str:
        w = self.w
        out = ['<section id="executive" class="first" aria-labelledby="executive-h">\n'
               f'<h2 id="executive-h">{esc(w["executive"])}</h2>\n']
        for k, (plan, label) in enumerate(zip(self.plans, self.labels), start=1):
            out.append(f'<div class="plan-brief">\n<h3><a href="#plan-{k}">{esc(label)}</a></h3>\n'
                       f'<p class="muted">{esc(describe.describe(plan.summary.get("scenario") or {}, self.lang, self.name_map(plan)))}</p>\n'
                       f'<ul class="points">\n{self.brief(plan)}</ul>\n{self.gains(plan)}</div>\n')
        out.append(f'<h3>{esc(w["caveats"])}</h3>\n{self.caveats()}</section>\n')
        return "".join(out)

    def brief(self, plan: Plan) -> str:
        w, s, t = self.w, plan.summary, plan.table
        zones, districts = self.zone_names(plan), self.district_names(plan)
        d = plan.districts
        exempt = d["exempt"].astype(str).str.lower() == "true"
        cap = pd.to_numeric(d["cap"], errors="coerce")
        over = d[~exempt & (d["zones_before"] > cap)]
        items = [w["over"].format(name=districts.get(str(i), r["name"]), before=int(r["zones_before"]), cap=int(cap[i]))
                 for i, r in over.iterrows()]
        forced = w["forced_some"].format(n=len(items), list=listing(items, w)) if items else w["forced_none"]
        counts = s.get("counts", {})
        modes = w["and"].join(f"{n} {self.mode(m)}" for m, n in (counts.get("by_mode") or {}).items()) or w["none"]
        result = w["result_text"].format(zones=counts.get("zones", len(t)), hosts=counts.get("hosts", ""),
                                         members=counts.get("members", ""), modes=modes,
                                         revoked=counts.get("revoked", ""))
        members = t[t["status"] == "member"]
        merges = [f"{zones[z]} → {zones.get(r['host_id'], r['host_id'])} ({self.mode(r['mode'])}, "
                  f"{float(r['distance_to_host_km']):.1f} km)" for z, r in members.iterrows()]
        revoked = t[t["status"] == "revoked"]
        gdp = (s.get("allocation") or {}).get("totals", {}).get("gdp", {}).get("revoked")
        revoked_text = (w["revoked_text"].format(list=listing([zones[z] for z in revoked.index], w),
                                                 gdp=f"{fmt(gdp)} {self.unit(plan)}".strip())
                        if len(revoked) else w["none"])
        checks = s.get("checks", [])
        passed = sum(1 for c in checks if c.get("passed"))
        solved = f'{self.verdict(s)}; {esc(w["checks_text"].format(passed=passed, total=len(checks)))}'
        rows = [(w["forced"], esc(forced)), (w["result"], esc(result)),
                (w["merges"], esc(listing(merges, w) if merges else w["none"])), (w["revokes"], esc(revoked_text)),
                (w["verdict"], solved)]
        return "".join(f"<li><strong>{esc(k)}:</strong> {v}</li>\n" for k, v in rows)

    def gains(self, plan: Plan) -> str:
        """Per district, the change of each measure under the plan's rule and the usual alternatives."""
        from .allocation import STANDARD_RULES, parse_rule, side_by_side

        w = self.w
        if plan.region is None:
            return ""
        zones = plan.region.zones
        chosen = (plan.summary.get("allocation") or {}).get("rules") or {}
        measures = [m for m in ("gdp", "fiscal_revenue") if m in zones and m in chosen] or \
            [m for m in ("gdp", "fiscal_revenue") if m in zones]
        if not measures:
            return ""
        rule_sets = {name: {m: parse_rule(spec, name) for m in measures} for name, spec in STANDARD_RULES.items()}
        chosen_name = {}
        for m in measures:
            own = parse_rule(chosen.get(m, "territorial"), f"allocation.{m}")
            chosen_name[m] = next((n for n, rules in rule_sets.items() if rules[m] == own), "chosen")
        if "chosen" in chosen_name.values():
            rule_sets["chosen"] = {m: parse_rule(chosen.get(m, "territorial"), "chosen") for m in measures}
        long, _ = side_by_side(plan.table, zones, rule_sets, list(plan.region.districts.index))
        names = self.district_names(plan)
        changes = long.pivot_table(index="district_id", columns=["measure", "rule"], values="change", sort=False)
        changes = changes[(changes.abs() > 1e-9).any(axis=1)]
        if not len(changes):
            return f"<p>{esc(w['no_gains'])}</p>\n"
        frame = pd.DataFrame({w["district"]: [names.get(str(i), i) for i in changes.index]})
        before = plan.districts["zones_before"].reindex(changes.index)
        after = plan.districts["zones_after"].reindex(changes.index)
        frame[w["zones"]] = [f"{int(b)} → {int(a)}" if pd.notna(b) else "" for b, a in zip(before, after)]
        classes = {}
        for m in measures:
            for rule in rule_sets:
                header = f'{w.get(m, m)} {w.get(f"rule_{rule}", rule)}' + (" ★" if chosen_name[m] == rule else "")
                frame[header] = [signed(v) for v in changes[(m, rule)]]
                if chosen_name[m] == rule:
                    classes[header] = "chosen"
        units = sorted({self.unit(plan, m) for m in measures if self.unit(plan, m)})
        caption = w["gains"].format(unit="、".join(units) or "—")
        raw = tuple(c for c in frame.columns if c not in (w["district"], w["zones"]))
        return (table_html(frame, caption, raw=raw, header_class=classes)
                + f'<p class="muted">{esc(w["gains_note"])}</p>\n')

    def caveats(self) -> str:
        w = self.w
        lines, seen = [], set()
        for plan in self.plans:
            s = plan.summary
            key = json.dumps([s.get("region"), s.get("data_quality")], sort_keys=True, ensure_ascii=False)
            if key in seen:
                continue
            seen.add(key)
            quality = s.get("data_quality") or {}
            text = w["and"].join(w["quality_text"].format(n=n, q=w.get(q, q)) for q, n in sorted(quality.items()))
            lines.append(f"<li>{esc(plan.region_title(self.lang))}: {esc(text)}.</li>")
            note = plan.data_note(self.lang)
            if note:
                lines.append(f'<li class="muted">{esc(note)}</li>')
        return "<ul>\n" + "\n".join(lines) + "\n</ul>\n"

    # one plan

    def plan_section(self, plan: Plan, label: str, anchor: str) -> str:
        w, s = self.w, plan.summary
        parts = [f'<section id="{anchor}" class="plan" aria-labelledby="{anchor}-h">\n'
                 f'<h2 id="{anchor}-h">{esc(w["scenario"])}: {esc(label)}</h2>\n'
                 f'<p>{esc(describe.describe(s.get("scenario") or {}, self.lang, self.name_map(plan)))}</p>\n']
        parts.append(f'<h3>{esc(w["differences"])}</h3>\n' + self.differences(plan, label))
        parts.append(f'<h3>{esc(w["decisions"])}</h3>\n' + self.decisions(plan, label))
        if plan.region is not None:
            parts.append(f'<h3>{esc(w["map"])}</h3>\n' + webmap.plan_svg(
                plan, self.lang, reasons=self.reasons(plan), money=self.unit(plan),
                district_names=self.district_names(plan), anchor=f"{anchor}-map"))
        parts.append(f'<h3>{esc(w["accounts"])}</h3>\n' + self.districts(plan, label))
        parts.append(self.charts(plan, label))
        parts.append(f'<h3>{esc(w["flows"])}</h3>\n' + self.flows(plan))
        parts.append("</section>\n")
        return "".join(parts)

    def differences(self, plan: Plan, label: str) -> str:
        w = self.w
        base = baseline_for(plan)
        mine = plan.summary.get("scenario") or {}
        changed = describe.differences(mine, base, ("name", "description", "solver.", "evaluation."))
        if not changed:
            return f"<p>{esc(w['same_as_baseline'])}</p>\n"
        theirs = describe.flatten(base)
        frame = pd.DataFrame([(k, describe.value_text(theirs.get(k), self.lang), describe.value_text(v, self.lang))
                              for k, v in changed.items()], columns=[w["key"], w["baseline"], label])
        return '<div class="keys">' + table_html(frame, f'{label}: {w["differences"]}') + "</div>\n"

    def reasons(self, plan: Plan) -> dict[str, str]:
        """Why each zone that changes does: the facts that forced it (its district over the cap, a revoked
        zone's small GDP share), then what the cheapest alternative would cost (consolidate.explain)."""
        key = id(plan)
        if key not in self._reasons:
            facts = self.facts_forcing(plan)
            explained = explain_reasons(plan, self.lang, self.zone_names(plan))
            self._reasons[key] = {z: "; ".join(t for t in (facts.get(z, ""), explained.get(z, "")) if t)
                                  for z in {*facts, *explained}}
        return self._reasons[key]

    def facts_forcing(self, plan: Plan) -> dict[str, str]:
        w, t, d = self.w, plan.table, plan.districts
        names = self.district_names(plan)
        counted = t["managing_district_id"] if (plan.summary.get("scenario") or {}).get("count_by",
                                                                                          "managing_district") \
            == "managing_district" else t["district_id"]
        out = {}
        share_of = {}
        if plan.region is not None and "gdp" in plan.region.zones:
            gdp = pd.to_numeric(plan.region.zones["gdp"], errors="coerce").reindex(t.index).fillna(0.0)
            total = gdp.groupby(t["district_id"]).transform("sum")
            share_of = (gdp / total.where(total > 0)).to_dict()
        for z, r in t[t["status"].isin(["member", "revoked"])].iterrows():
            district = str(counted[z])
            why = []
            if district in d.index and str(d.at[district, "exempt"]).lower() != "true":
                before, cap = d.at[district, "zones_before"], pd.to_numeric(d.at[district, "cap"], errors="coerce")
                if pd.notna(cap) and before > cap:
                    why.append(w["why_cap"].format(district=names.get(district, district), before=int(before),
                                                   cap=int(cap)))
            if r["status"] == "revoked" and share_of.get(z) == share_of.get(z):
                why.append(w["why_small"].format(share=f"{100 * share_of[z]:.1f}%"))
            out[z] = "; ".join(why) or w["why_group"]
        return out

    def decisions(self, plan: Plan, label: str) -> str:
        w, t = self.w, plan.table
        zones, districts = self.zone_names(plan), self.district_names(plan)
        reasons = self.reasons(plan)
        gdp = (pd.to_numeric(plan.region.zones["gdp"], errors="coerce").reindex(t.index)
               if plan.region is not None and "gdp" in plan.region.zones else pd.Series(float("nan"), t.index))
        rows = []
        order = {"member": 0, "revoked": 1}
        for z, r in sorted(t[t["status"].isin(["member", "revoked"])].iterrows(),
                           key=lambda item: (order[item[1]["status"]], item[1]["host_id"], item[0])):
            member = r["status"] == "member"
            rows.append((zones[z], districts.get(str(r["district_id"]), r["district_id"]),
                         w["member_of"].format(host=zones.get(r["host_id"], r["host_id"])) if member
                         else w["revoked_word"], self.mode(r["mode"]) if member else "",
                         round(float(r["distance_to_host_km"]), 1) if member else None,
                         round(float(gdp[z]), 2) if pd.notna(gdp[z]) else None, reasons.get(z, "")))
        if not rows:
            return f"<p>{esc(w['none'])}</p>\n"
        unit = self.unit(plan)
        frame = pd.DataFrame(rows, columns=[w["zone"], w["district"], w["decision"], w["mode"], w["distance"],
                                            f'{w["gdp"]} ({unit})' if unit else w["gdp"], w["why"]])
        return table_html(frame, f'{label}: {w["decisions"]}')

    def districts(self, plan: Plan, label: str) -> str:
        from .charts.plan import measures

        w = self.w
        d = plan.districts
        names = self.district_names(plan)
        frame = pd.DataFrame({w["district"]: [names.get(str(i), n) for i, n in d["name"].items()],
                              w["before"]: d["zones_before"].astype(int), w["after"]: d["zones_after"].astype(int)})
        frame[w["cap"]] = [w["exempt"] if str(e).lower() == "true" else fmt(c) for c, e in zip(d["cap"], d["exempt"])]
        for m in measures(d):
            name = w.get(m, m)
            frame[f"{name} {w['before']}"] = d[f"{m}_before"].astype(float).round(2)
            frame[f"{name} {w['after']}"] = d[f"{m}_after"].astype(float).round(2)
            if f"{m}_change" in d:
                frame[f"{name} {w['change']}"] = d[f"{m}_change"].astype(float).round(2)
        frame = frame[(frame[w["before"]] > 0) | (frame[w["after"]] > 0)]
        unit = self.unit(plan)
        return table_html(frame, f'{label}: {w["accounts"]}' + (f" ({unit})" if unit else ""))

    def charts(self, plan: Plan, label: str) -> str:
        from .charts._style import svg_text
        from .charts.plan import allocation_chart, zones_chart

        w = self.w
        out = figure_html(svg_text(zones_chart(plan, self.lang)), w["zones_alt"],
                          f"{label}: {w['zones_alt']}")
        if plan.flows is not None and len(plan.flows):    # under the territorial rule nothing moves: no chart
            out += figure_html(svg_text(allocation_chart(plan, self.lang)), w["alloc_alt"],
                               f"{label}: {w['alloc_alt']}")
        return out

    def flows(self, plan: Plan) -> str:
        w = self.w
        rules = (plan.summary.get("allocation") or {}).get("rules") or {}
        text = "; ".join(f"{w.get(m, m)}: {describe.value_text(r, self.lang)}" for m, r in rules.items())
        out = f"<p>{esc(w['rule'])}: {esc(text or '—')}</p>\n"
        f = plan.flows
        if f is None or not len(f):
            return out + f"<p>{esc(w['none'])}</p>\n"
        names = self.district_names(plan)
        frame = pd.DataFrame({w["measure"]: [w.get(m, m) for m in f["measure"]],
                              w["from"]: [names.get(str(x), x) for x in f["from_district"]],
                              w["to"]: [names.get(str(x), x) for x in f["to_district"]],
                              w["value"]: pd.to_numeric(f["value"], errors="coerce").round(2)})
        return out + table_html(frame, w["flows"])

    # several plans

    def comparison(self) -> str:
        from .charts._style import svg_text
        from .charts.compare import _quantity_label, compare_figure
        from .compare import distance_unit, english_district_names

        w = self.w
        region = next((p.region for p in self.plans if p.region is not None), None)
        table, per_district = comparison_frames(self.plans, self.labels)
        shown = pd.DataFrame({
            w["scenario"]: table["scenario"], w["status"]: [w.get(x, x) for x in table["status"]],
            w["kept_zones"]: table["hosts"], w["members"]: table["members"], w["revoked"]: table["revoked"],
            w["revoked_gdp"]: table["revoked_gdp"], _quantity_label("gdp_km", self.lang, self.unit(self.plans[0]), distance_unit(region)): table["gdp_km"],
            w["moved"]: table["cross_district_gdp"], w["objective"]: table["objective"]})
        drawn = compare_figure(table, per_district, w["comparison"], lang=self.lang, unit=self.unit(self.plans[0]),
                               district_names=english_district_names(region), per=distance_unit(region))
        figure = figure_html(svg_text(drawn), w["compare_alt"], w["compare_alt"])
        zones = per_district[(per_district.fillna(0) > 0).any(axis=1)]
        zones = zones.rename(index=self.name_map(next((p for p in self.plans if p.region is not None), self.plans[0])))
        zones = zones.reset_index().rename(columns={"district": w["district"]})
        return (f'<section id="comparison" aria-labelledby="comparison-h">\n'
                f'<h2 id="comparison-h">{esc(w["comparison"])}</h2>\n' + table_html(shown, w["comparison"])
                + figure + table_html(zones, w["zones_per_district"]) + "</section>\n")

    # appendices

    def all_keys(self) -> str:
        """Every resolved key: one value across all plans where they agree, each plan's where they do not."""
        w = self.w
        flat = [{k: self.translated(v, self.name_map(p)) for k, v in describe.flatten(p.summary.get("scenario") or {}).items()}
                for p in self.plans]
        keys = [k for k in dict.fromkeys(k for f in flat for k in f) if k not in ("name", "description")]
        head = "".join(f'<th scope="col">{esc(label)}</th>' for label in self.labels)
        rows = []
        for key in keys:
            values = [describe.named_value(f.get(key)) for f in flat]
            if len(set(values)) == 1:
                cells = f'<td colspan="{len(values)}" class="same">{esc(values[0])}</td>'
            else:
                cells = "".join(f"<td>{esc(v)}</td>" for v in values)
            rows.append(f'<tr><th scope="row">{esc(key)}</th>{cells}</tr>')
        table = (f'<table>\n<caption>{esc(w["appendix_keys"])}</caption>\n<thead><tr><th scope="col">{esc(w["key"])}'
                 f"</th>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n")
        return (f'<section id="appendix-keys" class="appendix" aria-labelledby="appendix-keys-h">\n'
                f'<h2 id="appendix-keys-h">{esc(w["appendix_keys"])}</h2>\n<div class="keys">{table}</div>\n</section>\n')

    def provenance(self) -> str:
        w = self.w
        out = ['<section id="provenance" class="appendix" aria-labelledby="provenance-h">\n'
               f'<h2 id="provenance-h">{esc(w["provenance"])}</h2>\n']
        for plan, label in zip(self.plans, self.labels):
            out.append(f"<h3>{esc(label)}</h3>\n" + self.facts(plan))
        seen = set()
        for plan, label in zip(self.plans, self.labels):
            s = plan.summary
            key = (s.get("region_path"), json.dumps(s.get("input_files"), sort_keys=True))
            if key in seen:
                continue
            seen.add(key)
            out.append(f"<h3>{esc(plan.region_title(self.lang) or label)}</h3>\n")
            quality = s.get("data_quality") or {}
            frame = pd.DataFrame([(f"{w[q]} ({q})" if q in w else q, n) for q, n in sorted(quality.items())],
                                 columns=[w["quality"], w["count"]])
            out.append(table_html(frame, f'{w["quality"]} ({label})'))
            note = plan.data_note(self.lang)
            if note:
                out.append(f"<p><strong>{esc(w['note'])}:</strong> {esc(note)}</p>\n")
            files = s.get("input_files") or {}
            if files:
                out.append(table_html(pd.DataFrame(sorted(files.items()), columns=["file", "sha256"]), w["files"]))
        out.append("</section>\n")
        return "".join(out)

    def facts(self, plan: Plan) -> str:
        w, s = self.w, plan.summary
        seconds, solver, checks = s.get("seconds", {}), s.get("solver", {}), s.get("checks", [])
        passed = sum(1 for c in checks if c.get("passed"))
        parts = s.get("objective_parts") or {}
        items = [
            (w["status"], f"{esc(w.get(s.get('status', ''), s.get('status', '')))} — {self.verdict(s)}"),
            (w["objective"], esc(fmt(s.get("objective"), 4)) + (f" (bound {esc(fmt(s.get('best_bound'), 4))})"
                                                                if not s.get("proven_optimal") else "")
             + esc(" = " + " + ".join(f"{v.get('weight', 0):g} × {k} {v.get('value', 0):,.3f}"
                                      for k, v in parts.items() if v.get("weighted")))),
            (w["time"], esc(f"{seconds.get('total', '')} s")),
            (w["solver"], esc(f"{solver.get('name', '')} {solver.get('version', '')}, time limit "
                              f"{solver.get('time_limit_s', '')} s, mip_gap {solver.get('mip_gap', '')}")),
            (w["checks"], (f'<span class="ok">{passed}/{len(checks)} {esc(w["passed"])}</span>' if passed == len(checks)
                           else f'<span class="warn">{passed}/{len(checks)} {esc(w["passed"])}: '
                                + esc(", ".join(c["name"] for c in checks if not c.get("passed"))) + "</span>")),
        ]
        return '<dl class="facts">\n' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>\n" for k, v in items) + "</dl>\n"


EXPLAINED_AT_MOST = 40     # zones whose alternatives are re-solved for the report (each is one small re-solve)

EXPLAIN_WORDS = {
    "zh": {"next": "次优选择：{option}，目标值 +{cost:.3g}", "forced": "别无可行选择（其他选择都违反规则）",
           "join": "并入 {target}", "host": "单独保留", "revoke": "撤销", "delta_gdp_km": "GDP×km {v:+,.1f}",
           "delta_gdp_minutes": "GDP×分钟 {v:+,.1f}", "delta_gdp_under_weak_hosts": "弱牵头方下 GDP {v:+,.1f}", "delta_revoked_gdp": "撤销 GDP {v:+,.1f}",
           "delta_zones_kept": "保留数 {v:+.0f}", "delta_cross_district_members": "跨区成员 {v:+.0f}"},
    "en": {"next": "next best: {option}, objective +{cost:.3g}", "forced": "no other choice gives a plan",
           "join": "join {target}", "host": "stay a host", "revoke": "be revoked", "delta_gdp_km": "GDP×km {v:+,.1f}",
           "delta_gdp_minutes": "GDP×min {v:+,.1f}", "delta_gdp_under_weak_hosts": "GDP under weak hosts {v:+,.1f}", "delta_revoked_gdp": "revoked GDP {v:+,.1f}",
           "delta_zones_kept": "zones kept {v:+.0f}", "delta_cross_district_members": "cross-district members {v:+.0f}"},
}


def explain_reasons(plan: Plan, lang: str, names: dict[str, str] | None = None) -> dict[str, str]:
    """Per merged or revoked zone, what the cheapest alternative would cost, re-solved exactly by
    `consolidate.explain` ({} when the plan cannot be re-solved here or has too many such zones)."""
    changed = list(plan.table.index[plan.table["status"].isin(["member", "revoked"])])
    if not changed or len(changed) > EXPLAINED_AT_MOST or plan.region is None or plan.scenario is None:
        return {}
    try:
        from .explain import explain_plan
        options = explain_plan(plan, changed)
    except Exception:  # noqa: BLE001 - a reason is a courtesy; the decisions stand without it
        return {}
    from .compare import distance_unit

    w, names = EXPLAIN_WORDS[lang], names or {}
    if distance_unit(plan.region) == "minutes":
        w = {**w, "delta_gdp_km": w["delta_gdp_minutes"]}
    out = {}
    for zone, group in options.groupby("zone_id", sort=False):
        others = group[~group["chosen"] & group["allowed"] & group["extra_cost"].notna()]
        if not len(others):
            out[str(zone)] = w["forced"]
            continue
        best = others.loc[others["extra_cost"].idxmin()]
        option = w["join"].format(target=names.get(str(best["target_id"]), best["target_name"])) \
            if best["option"] == "join" else w.get(str(best["option"]), str(best["option"]))
        effects = [w[c].format(v=float(best[c])) for c in ("delta_gdp_km", "delta_gdp_under_weak_hosts",
                                                          "delta_revoked_gdp", "delta_zones_kept",
                                                          "delta_cross_district_members")
                   if c in best and pd.notna(best[c]) and abs(float(best[c])) > 1e-6]
        text = w["next"].format(option=option, cost=float(best["extra_cost"]))
        out[str(zone)] = text + (f" ({', '.join(effects)})" if effects else "")
    return out


def baseline_for(plan: Plan) -> dict:
    """The bundled baseline resolved on the plan's region: what the plan's differences are taken against."""
    from .scenario import load_scenario

    base = load_scenario("baseline")
    if plan.region is not None:
        base = base.for_region(plan.region)
    return base.as_dict()


def embedded_font_css(document: str) -> str:
    """An @font-face with a data URI of the bundled CJK font cut down to the document's characters.

    Nothing is fetched: the glyphs travel inside the file, so Chinese text renders even on a machine
    without a CJK font (the bundled font is OFL-licensed, which allows embedding it).
    """
    from . import fonts

    return fonts.font_face_css(html.unescape(re.sub(r"data:[^\"')]+", "", document)))


def comparison_frames(plans: list[Plan], labels: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `table` and `per_district` frames that `charts.compare.compare_figure` draws, from solved plans."""
    from .compare import metrics

    rows, per = [], {}
    for plan, label in zip(plans, labels):
        rows.append({"scenario": label, **metrics(plan), "seconds": (plan.summary.get("seconds") or {}).get("total")})
        per[label] = plan.districts.set_index("name")["zones_after"]
    per_district = pd.DataFrame(per)
    per_district.index.name = "district"
    return pd.DataFrame(rows), per_district


def plan_label(plan: Plan, folder: Path, lang: str) -> str:
    """`baseline · cap 2 · nearby` in the report's language (the folder's name for plans that predate labels)."""
    s = plan.summary
    name = (s.get("scenario") or {}).get("name")
    if not name:
        return folder.name
    if "overrides" in s:
        return describe.label(name, s["overrides"], lang)
    return s.get("label") or name


def unique_labels(plans: list[Plan], folders: list[Path], lang: str = "en") -> list[str]:
    labels: list[str] = []
    for plan, folder in zip(plans, folders):
        label = plan_label(plan, Path(folder), lang)
        if label in labels:
            label = f"{label} ({Path(folder).name})"
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def plan_folders(folders: list[str | Path]) -> list[Path]:
    """The plan folders to report: each folder as given, a `consolidate compare` folder as its plans
    (plans/NAME/, in the comparison's order)."""
    out: list[Path] = []
    for folder in map(Path, folders):
        plans = folder / "plans"
        if (folder / "comparison.csv").is_file() and plans.is_dir() and not (folder / "summary.json").is_file():
            order = pd.read_csv(folder / "comparison.csv", usecols=["scenario"], dtype=str)["scenario"].tolist()
            from .compare import safe_name

            found = {p.name: p for p in plans.iterdir() if (p / "summary.json").is_file()}
            ranked = [found.pop(safe_name(label)) for label in order if safe_name(label) in found]
            out += ranked + [found[k] for k in sorted(found)]
        else:
            out.append(folder)
    if not out:
        from .errors import InputError, InputIssue

        raise InputError(InputIssue(", ".join(map(str, folders)), "no solved plans in this comparison folder",
                                 "give plan folders from `consolidate run`, or a compare folder with plans/"))
    return out


def render_report(folders: list[str | Path], lang: str = "zh") -> str:
    """The report of the plan folders (or compare folders), as one HTML document."""
    paths = plan_folders(folders)
    plans = [read_plan(f) for f in paths]
    document = Report(plans, unique_labels(plans, paths, lang), lang).render()
    return document.replace("/*FONT-FACE*/", embedded_font_css(document), 1)


def write_report(folders: list[str | Path], out: str | Path, lang: str = "zh") -> Path:
    """Write the report to `out` atomically; returns its path."""
    from .io import check_file_target, output_path, write_text

    check_file_target(output_path(out, "--out"), GENERATOR_TAG)  # before the work, not after it
    write_text(out, render_report(folders, lang), signature=GENERATOR_TAG)
    return output_path(out)
