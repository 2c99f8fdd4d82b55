"""One self-contained HTML report of one or more plans, for readers who never run the toolkit.

    >>> from consolidate.report import write_report
    >>> write_report(["out/baseline", "out/cap-2"], "report.html")           # Chinese labels
    >>> write_report(["out/baseline"], "report-en.html", lang="en")

The file has everything inside it: charts are SVG data URIs, styles are inline, there are no
scripts, web fonts or links out, so it opens offline and makes no network request. It holds the
scenarios and their assumptions (every resolved key), the summary figures (status, proven optimal
or the gap, objective, time), district and allocation tables, the flows, a comparison when there
are several plans, and where the data came from. Written atomically (temporary file, then rename).
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .plan import Plan

GENERATOR_TAG = '<meta name="generator" content="consolidate">'  # marks a report we may overwrite

CSS = """
/*FONT-FACE*/
:root { color-scheme: light; }
body { font-family: "Consolidate Sans SC", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "WenQuanYi Micro Hei", system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto;
       max-width: 1180px; padding: 1.5rem 2rem 3rem; line-height: 1.5; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid #2f6ea5; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
a { color: #1d4f7a; }
.lead { color: #333; }
.warn { color: #8b0000; font-weight: bold; }
.ok { color: #1b5e20; font-weight: bold; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .88rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; color: #1a1a1a; }
th, td { border: 1px solid #b0b0b0; padding: .25rem .55rem; vertical-align: top; }
th { background: #e8eef5; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f7f7f7; }
figure { margin: 1rem 0 1.6rem; }
figure img { width: 100%; height: auto; border: 1px solid #d0d0d0; }
figcaption { font-size: .85rem; color: #333; margin-top: .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
nav ul { columns: 2; }
.keys td:first-child { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
footer { margin-top: 3rem; font-size: .8rem; color: #444; border-top: 1px solid #ccc; padding-top: .5rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2 { break-before: page; }
  section.first h2 { break-before: auto; }
  figure, table { break-inside: avoid; }
  h3, caption { break-after: avoid; }
  figure img { border: none; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 14mm; }
"""

WORDS = {
    "zh": {
        "title": "开发区整合方案报告", "contents": "目录", "comparison": "方案比较", "scenario": "方案",
        "summary": "结果摘要", "charts": "图表", "districts": "各区情况", "allocation": "整合安排",
        "flows": "区际转移（分成）", "assumptions": "方案假设（全部参数）", "provenance": "数据来源",
        "status": "状态", "proven": "已证明最优", "not_proven": "未证明最优", "gap": "差距", "objective": "目标值",
        "time": "用时", "zones": "开发区", "hosts": "保留", "members": "整合", "revoked": "撤销",
        "revoked_gdp": "撤销区 GDP", "host": "牵头开发区", "member": "成员", "mode": "方式", "distance": "距离（km）",
        "district": "区", "before": "整合前", "after": "整合后", "cap": "上限", "exempt": "豁免", "change": "变化",
        "measure": "指标", "from": "转出区", "to": "转入区", "value": "数值", "key": "参数", "setting": "取值",
        "quality": "数据质量", "count": "开发区数", "note": "说明", "files": "输入文件（SHA-256）", "solver": "求解器",
        "checks": "独立校验", "passed": "通过", "failed": "未通过", "none": "无", "yes": "是", "no": "否",
        "generated": "生成于", "zones_after": "各区保留开发区数", "description": "说明", "region": "区域",
        "parts": "目标分项（加权）", "no_members": "（无成员）", "revoked_zones": "撤销的开发区",
        "kept_alone": "单独保留的开发区", "map_alt": "整合方案图：各区边界、开发区（按 GDP 大小）、成员到牵头开发区的连线",
        "zones_alt": "各区开发区数量整合前后对比及上限", "alloc_alt": "各区 GDP 与财政收入整合前后对比及区际转移",
        "compare_alt": "各方案主要指标并列比较", "rule": "分成规则", "folded": "整合为综合保税区",
    },
    "en": {
        "title": "Development zone consolidation report", "contents": "Contents", "comparison": "Comparison",
        "scenario": "Scenario", "summary": "Summary", "charts": "Charts", "districts": "Districts",
        "allocation": "Who joins whom", "flows": "Flows between districts (sharing)",
        "assumptions": "Assumptions (every scenario key)", "provenance": "Data provenance", "status": "status",
        "proven": "proven optimal", "not_proven": "NOT proven optimal", "gap": "gap", "objective": "objective",
        "time": "time", "zones": "zones", "hosts": "kept", "members": "merged", "revoked": "revoked",
        "revoked_gdp": "GDP of revoked zones", "host": "host", "member": "members", "mode": "mode",
        "distance": "distance (km)", "district": "district", "before": "before", "after": "after", "cap": "cap",
        "exempt": "exempt", "change": "change", "measure": "measure", "from": "from", "to": "to", "value": "value",
        "key": "key", "setting": "value", "quality": "data quality", "count": "zones", "note": "note",
        "files": "input files (SHA-256)", "solver": "solver", "checks": "independent checks", "passed": "passed",
        "failed": "FAILED", "none": "none", "yes": "yes", "no": "no", "generated": "generated",
        "zones_after": "Zones kept per district", "description": "description", "region": "region",
        "parts": "objective parts (weighted)", "no_members": "(no members)", "revoked_zones": "revoked zones",
        "kept_alone": "zones kept on their own",
        "map_alt": "Plan map: district outlines, zones sized by GDP, lines from members to their hosts",
        "zones_alt": "Zones per district before and after consolidation, with the cap",
        "alloc_alt": "GDP and fiscal revenue per district before and after, with flows between districts",
        "compare_alt": "Key figures of the scenarios side by side", "rule": "sharing rule",
        "folded": "folded into a comprehensive bonded zone",
    },
}

CHART_ALT = {"plan_map": "map_alt", "zones_per_district": "zones_alt", "allocation": "alloc_alt"}


# --- small HTML helpers -------------------------------------------------------------------------------


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: Any, digits: int = 2) -> str:
    """A cell's text: numbers with separators, NaN and None empty, booleans as words."""
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


def table_html(frame: pd.DataFrame, caption: str, row_header: bool = True) -> str:
    """An accessible table: caption, column headers with scope=col, first cell of each row scope=row."""
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for k, value in enumerate(values):
            text = esc(fmt(value))
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if k == 0 and row_header:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f'<td class="num">{text}</td>' if number else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table>\n<caption>{esc(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>\n")


def figure_html(svg: str, alt: str, caption: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<figure>\n<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}" title="{esc(caption)}">\n'
            f"<figcaption>{esc(caption)}</figcaption>\n</figure>\n")


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested scenario keys as (dotted.key, value) rows, values as compact JSON."""
    if isinstance(data, dict) and data:
        out = []
        for key in data:
            out += flatten(data[key], f"{prefix}.{key}" if prefix else str(key))
        return out
    return [(prefix, json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data)]


# --- sections -----------------------------------------------------------------------------------------


class Report:
    def __init__(self, plans: list[Plan], labels: list[str], lang: str = "zh"):
        if lang not in WORDS:
            raise ValueError(f"lang must be one of {sorted(WORDS)}")
        self.plans, self.labels, self.lang = plans, labels, lang
        self.w = WORDS[lang]

    def verdict(self, s: dict) -> str:
        if s.get("proven_optimal"):
            return f'<span class="ok">{esc(self.w["proven"])}</span>'
        gap = s.get("gap")
        gap = "?" if gap is None else f"{100 * float(gap):.2f}%"
        return f'<span class="warn">{esc(self.w["not_proven"])} ({esc(self.w["gap"])} {esc(gap)})</span>'

    def render(self) -> str:
        w = self.w
        first = self.plans[0]
        region = first.summary.get("region_title") or first.summary.get("region") or ""
        sections, nav = [], []
        if len(self.plans) > 1:
            nav.append(("comparison", w["comparison"]))
            sections.append(self.comparison())
        for k, (plan, label) in enumerate(zip(self.plans, self.labels), start=1):
            nav.append((f"plan-{k}", f'{w["scenario"]}: {label}'))
            sections.append(self.plan_section(plan, label, f"plan-{k}", first=(k == 1 and len(self.plans) == 1)))
        nav.append(("provenance", w["provenance"]))
        sections.append(self.provenance())
        toc = "".join(f'<li><a href="#{anchor}">{esc(text)}</a></li>' for anchor, text in nav)
        lang = "zh-CN" if self.lang == "zh" else "en"
        title = f'{w["title"]} — {region}'
        stamp = _dt.date.today().isoformat() if os.environ.get("SOURCE_DATE_EPOCH") is None else \
            _dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), _dt.timezone.utc).date().isoformat()
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{GENERATOR_TAG}\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
                f'style-src \'unsafe-inline\'; font-src data:">\n'
                f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
                f"<header>\n<h1>{esc(title)}</h1>\n<p class=\"lead\">{esc(', '.join(self.labels))}</p>\n</header>\n"
                f'<nav aria-label="{esc(w["contents"])}">\n<h2 class="toc">{esc(w["contents"])}</h2>\n<ul>{toc}</ul>\n'
                f"</nav>\n<main>\n" + "\n".join(sections) + "</main>\n"
                f'<footer>{esc(w["generated"])} {esc(stamp)} · consolidate</footer>\n</body>\n</html>\n')

    # one plan

    def plan_section(self, plan: Plan, label: str, anchor: str, first: bool) -> str:
        from . import charts

        w, s = self.w, plan.summary
        scenario = s.get("scenario") or {}
        parts = []
        klass = ' class="first"' if first else ""
        parts.append(f'<section id="{anchor}"{klass} aria-labelledby="{anchor}-h">\n'
                     f'<h2 id="{anchor}-h">{esc(w["scenario"])}: {esc(label)}</h2>\n')
        if scenario.get("description"):
            parts.append(f"<p>{esc(scenario['description'])}</p>\n")
        parts.append(f'<h3>{esc(w["summary"])}</h3>\n' + self.facts(plan))
        parts.append(f'<h3>{esc(w["charts"])}</h3>\n')
        for name, fig in charts.plan_figures(plan, self.lang).items():
            caption = f"{label}: {w[CHART_ALT[name]]}"
            parts.append(figure_html(charts.svg_text(fig), w[CHART_ALT[name]], caption))
        parts.append(f'<h3>{esc(w["districts"])}</h3>\n' + self.districts(plan))
        parts.append(f'<h3>{esc(w["allocation"])}</h3>\n' + self.allocation(plan))
        parts.append(f'<h3>{esc(w["flows"])}</h3>\n' + self.flows(plan))
        keys = pd.DataFrame(flatten(scenario), columns=[w["key"], w["setting"]])
        parts.append(f'<h3>{esc(w["assumptions"])}</h3>\n<div class="keys">'
                     + table_html(keys, f'{label}: {w["assumptions"]}') + "</div>\n")
        parts.append("</section>\n")
        return "".join(parts)

    def facts(self, plan: Plan) -> str:
        w, s = self.w, plan.summary
        counts = s.get("counts", {})
        seconds = s.get("seconds", {})
        solver = s.get("solver", {})
        checks = s.get("checks", [])
        passed = sum(1 for c in checks if c.get("passed"))
        objective = s.get("objective")
        items = [
            (w["region"], esc(s.get("region_title") or s.get("region") or "")),
            (w["status"], f"{esc(s.get('status', ''))} — {self.verdict(s)}"),
            (w["objective"], esc(fmt(objective, 4)) + (f" (bound {esc(fmt(s.get('best_bound'), 4))})"
                                                      if not s.get("proven_optimal") else "")),
            (w["parts"], esc(", ".join(f"{k} {v.get('weighted', 0):.4f}"
                                       for k, v in (s.get("objective_parts") or {}).items()))),
            (w["zones"], esc(f"{counts.get('zones', '')} → {w['hosts']} {counts.get('hosts', '')}, "
                             f"{w['members']} {counts.get('members', '')}, {w['revoked']} {counts.get('revoked', '')}"
                             f", {w['folded']} {counts.get('customs_folded', 0)}")),
            (w["time"], esc(f"{seconds.get('total', '')} s")),
            (w["solver"], esc(f"{solver.get('name', '')} {solver.get('version', '')}, time limit "
                              f"{solver.get('time_limit_s', '')} s, mip_gap {solver.get('mip_gap', '')}")),
            (w["checks"], (f'<span class="ok">{passed}/{len(checks)} {esc(w["passed"])}</span>' if passed == len(checks)
                           else f'<span class="warn">{passed}/{len(checks)} {esc(w["passed"])}: '
                                + esc(", ".join(c["name"] for c in checks if not c.get("passed"))) + "</span>")),
        ]
        return '<dl class="facts">\n' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>\n" for k, v in items) + "</dl>\n"

    def districts(self, plan: Plan) -> str:
        from .charts import measures

        w = self.w
        d = plan.districts
        frame = pd.DataFrame({w["district"]: d["name"], w["before"]: d["zones_before"].astype(int),
                              w["after"]: d["zones_after"].astype(int)})
        frame[w["cap"]] = [w["exempt"] if str(e).lower() == "true" else fmt(c) for c, e in zip(d["cap"], d["exempt"])]
        for m in measures(d):
            frame[f"{m} {w['before']}"] = d[f"{m}_before"].astype(float).round(2)
            frame[f"{m} {w['after']}"] = d[f"{m}_after"].astype(float).round(2)
            if f"{m}_change" in d:
                frame[f"{m} {w['change']}"] = d[f"{m}_change"].astype(float).round(2)
        frame = frame[(frame[w["before"]] > 0) | (frame[w["after"]] > 0)]
        return table_html(frame, w["districts"])

    def allocation(self, plan: Plan) -> str:
        w, t = self.w, plan.table
        names = t["name"].to_dict()
        rows = []
        for host in t.index[t["status"] == "host"]:
            members = t[(t["status"] == "member") & (t["host_id"] == host)]
            if not len(members):
                continue
            for member, r in members.iterrows():
                rows.append((names[host], names[member], r["mode"], float(r["distance_to_host_km"])))
        out = ""
        if rows:
            out += table_html(pd.DataFrame(rows, columns=[w["host"], w["member"], w["mode"], w["distance"]]),
                              w["allocation"])
        revoked = t[t["status"] == "revoked"]
        out += f"<p><strong>{esc(w['revoked_zones'])}:</strong> " + \
            esc("、".join(revoked["name"]) if len(revoked) else w["none"]) + "</p>\n"
        alone = [names[h] for h in t.index[t["status"] == "host"] if not ((t["host_id"] == h) &
                                                                          (t["status"] == "member")).any()]
        out += f"<p><strong>{esc(w['kept_alone'])}:</strong> {esc('、'.join(alone) if alone else w['none'])}</p>\n"
        return out

    def flows(self, plan: Plan) -> str:
        w = self.w
        rules = (plan.summary.get("allocation") or {}).get("rules") or {}
        text = "; ".join(f"{m}: {json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r}"
                         for m, r in rules.items())
        out = f"<p>{esc(w['rule'])}: {esc(text or '—')}</p>\n"
        f = plan.flows
        if f is None or not len(f):
            return out + f"<p>{esc(w['none'])}</p>\n"
        names = plan.districts["name"].to_dict()
        frame = pd.DataFrame({w["measure"]: f["measure"], w["from"]: [names.get(str(x), x) for x in f["from_district"]],
                              w["to"]: [names.get(str(x), x) for x in f["to_district"]],
                              w["value"]: pd.to_numeric(f["value"], errors="coerce").round(2)})
        return out + table_html(frame, w["flows"])

    # several plans

    def comparison(self) -> str:
        from . import charts

        w = self.w
        table, per_district = comparison_frames(self.plans, self.labels)
        shown = table[["scenario", "status", "proven_optimal", "gap", "objective", "hosts", "members", "revoked",
                       "revoked_gdp", "seconds"]].rename(columns={
                           "scenario": w["scenario"], "status": w["status"], "proven_optimal": w["proven"],
                           "gap": w["gap"], "objective": w["objective"], "hosts": w["hosts"],
                           "members": w["members"], "revoked": w["revoked"], "revoked_gdp": w["revoked_gdp"],
                           "seconds": f'{w["time"]} (s)'})
        figure = figure_html(charts.svg_text(charts.compare_figure(table, per_district, w["comparison"])),
                             w["compare_alt"], w["compare_alt"])
        zones = per_district[(per_district.fillna(0) > 0).any(axis=1)].reset_index() \
            .rename(columns={"district": w["district"]})
        return (f'<section id="comparison" class="first" aria-labelledby="comparison-h">\n'
                f'<h2 id="comparison-h">{esc(w["comparison"])}</h2>\n' + table_html(shown, w["comparison"])
                + figure + table_html(zones, w["zones_after"]) + "</section>\n")

    def provenance(self) -> str:
        w = self.w
        out = ['<section id="provenance" aria-labelledby="provenance-h">\n'
               f'<h2 id="provenance-h">{esc(w["provenance"])}</h2>\n']
        seen = set()
        for plan, label in zip(self.plans, self.labels):
            s = plan.summary
            key = (s.get("region_path"), json.dumps(s.get("input_files"), sort_keys=True))
            if key in seen:
                continue
            seen.add(key)
            out.append(f"<h3>{esc(s.get('region_title') or s.get('region') or label)}</h3>\n")
            quality = s.get("data_quality") or {}
            frame = pd.DataFrame(sorted(quality.items()), columns=[w["quality"], w["count"]])
            out.append(table_html(frame, f'{w["quality"]} ({label})'))
            note = s.get("data_note") or (plan.region.data_note if plan.region is not None else "")
            if note:
                out.append(f"<p><strong>{esc(w['note'])}:</strong> {esc(note)}</p>\n")
            files = s.get("input_files") or {}
            if files:
                out.append(table_html(pd.DataFrame(sorted(files.items()), columns=["file", "sha256"]), w["files"]))
        out.append("</section>\n")
        return "".join(out)


def embedded_font_css(document: str) -> str:
    """An @font-face with a data URI of the bundled CJK font cut down to the document's characters.

    Nothing is fetched: the glyphs travel inside the file, so Chinese text renders even on a machine
    without a CJK font (the bundled font is OFL-licensed, which allows embedding it).
    """
    from . import fonts

    if not fonts.BUNDLED_FILE.is_file():
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:  # fontTools comes with matplotlib; without it, local fonts only
        return ""
    import io
    import re

    text = html.unescape(re.sub(r"data:[^\"')]+", "", document))
    points = sorted({ord(c) for c in text if ord(c) >= 0x20})
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    font = TTFont(str(fonts.BUNDLED_FILE), recalcTimestamp=False)   # same document, same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return ('@font-face { font-family: "Consolidate Sans SC"; font-style: normal; font-weight: 100 900; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


def comparison_frames(plans: list[Plan], labels: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `table` and `per_district` frames that `charts.compare_charts` draws, from solved plans."""
    rows, per = [], {}
    for plan, label in zip(plans, labels):
        s = plan.summary
        counts = s.get("counts", {})
        row = {"scenario": label, "status": s.get("status"), "proven_optimal": bool(s.get("proven_optimal")),
               "gap": s.get("gap"), "objective": s.get("objective")}
        for part in ("distance", "revocation", "host_quality", "zone_count"):
            row[f"objective_{part}"] = (s.get("objective_parts") or {}).get(part, {}).get("weighted", 0.0)
        gdp = ((s.get("allocation") or {}).get("totals") or {}).get("gdp") or {}
        row.update(hosts=counts.get("hosts"), members=counts.get("members"), revoked=counts.get("revoked"),
                   revoked_gdp=gdp.get("revoked", 0.0), seconds=(s.get("seconds") or {}).get("total"))
        rows.append(row)
        per[label] = plan.districts.set_index("name")["zones_after"]
    per_district = pd.DataFrame(per)
    per_district.index.name = "district"
    return pd.DataFrame(rows), per_district


def unique_labels(plans: list[Plan], folders: Iterable[Path]) -> list[str]:
    labels = []
    for plan, folder in zip(plans, folders):
        label = (plan.summary.get("scenario") or {}).get("name") or Path(folder).name
        if label in labels:
            label = f"{label} ({Path(folder).name})"
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def render_report(folders: list[str | Path], lang: str = "zh") -> str:
    """The report of the plan folders, as one HTML document."""
    plans = [Plan.from_dir(f) for f in folders]
    document = Report(plans, unique_labels(plans, [Path(f) for f in folders]), lang).render()
    return document.replace("/*FONT-FACE*/", embedded_font_css(document), 1)


def write_report(folders: list[str | Path], out: str | Path, lang: str = "zh") -> Path:
    """Write the report to `out` atomically; returns its path."""
    from .io import check_file_target, output_path, write_text

    check_file_target(output_path(out, "--out"), GENERATOR_TAG)  # before the work, not after it
    write_text(out, render_report(folders, lang), signature=GENERATOR_TAG)
    return output_path(out)
