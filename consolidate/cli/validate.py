"""`consolidate validate` and `consolidate regions`: check a region model and say what is in it."""
from __future__ import annotations

import click
import pandas as pd

from ..errors import ConsolidateError
from ..graph import islands, zone_graph
from ..region import LEVELS, load_region
from ..resources import bundled_regions
from ._common import echo_table, lang_option, language, reports_errors


WORDS = {
    "en": {"counts": "{districts} districts, {zones} zones: {levels}", "level": "{n} {level}", "sep": ", ",
           "kinds": "kinds: ", "quality": "data quality: ", "district": "district", "by_location": "by location",
           "by_managing": "by managing district", "national": "national", "exempt": "exempt", "yes": "yes",
           "title": "Zones per district (cap {cap})", "most": " — the 40 with most zones of {n}",
           "explicit": "explicit edges only", "adjacency": "adjacency ({how}): {n} edges", "km": ", {a:.1f}–{b:.1f} km",
           "islands": "islands (no neighbour): {n}", "more": " … and {n} more", "note": "note: ",
           "fine": "no problems found"},
    "zh": {"counts": "{districts} 个区，{zones} 个开发区：{levels}", "level": "{level} {n}", "sep": "、",
           "kinds": "类型：", "quality": "数据质量：", "district": "区", "by_location": "按所在区",
           "by_managing": "按管理区", "national": "国家级", "exempt": "豁免", "yes": "是",
           "title": "各区开发区数（上限 {cap}）", "most": "——开发区最多的 40 个区（共 {n} 个）",
           "explicit": "仅列明的相邻关系", "adjacency": "相邻关系（{how}）：{n} 条", "km": "，{a:.1f}–{b:.1f} 公里",
           "islands": "孤立开发区（没有相邻开发区）：{n}", "more": " ……另有 {n} 个", "note": "说明：",
           "fine": "未发现问题"},
}


@click.command("validate")
@click.argument("region", default="tianjin", required=False)
@lang_option
@reports_errors
def validate_command(region: str, lang: str | None) -> None:
    """Check the region model REGION (a bundled name or a folder) and summarise it.

    Every problem is reported at once, with file, row, column and how to fix it;
    the exit code is 2 when there is any. Example: `consolidate validate tianjin`.
    """
    from ..describe import LEVEL_NAMES

    region = load_region(region)
    lang = language(lang, region)
    w = WORDS[lang]
    graph = zone_graph(region)
    zones, districts = region.zones, region.districts
    click.secho(f"{region.title_in(lang)}  ({region.name})", bold=True)
    levels = zones["level"].value_counts().reindex(list(LEVELS)).dropna().astype(int)
    named = LEVEL_NAMES["zh"] if lang == "zh" else {}
    click.echo(w["counts"].format(districts=len(districts), zones=len(zones), levels=w["sep"].join(
        w["level"].format(n=n, level=named.get(level, level)) for level, n in levels.items())))
    kinds = zones["kind"].value_counts().sort_index()
    click.echo(w["kinds"] + w["sep"].join(f"{kind} {n}" for kind, n in kinds.items()))
    quality = zones["data_quality"].value_counts().sort_index()
    click.echo(w["quality"] + w["sep"].join(f"{q} {n}" for q, n in quality.items()))
    exempt = set(region.rules.get("exempt_districts", []))
    table = pd.DataFrame({
        w["district"]: districts["name"],
        w["by_location"]: zones.groupby("district_id").size().reindex(districts.index, fill_value=0),
        w["by_managing"]: zones.groupby("managing_district_id").size().reindex(districts.index, fill_value=0),
        w["national"]: zones[zones["level"] == "national"].groupby("district_id").size()
        .reindex(districts.index, fill_value=0),
        w["exempt"]: [w["yes"] if d in exempt else "" for d in districts.index],
    })
    title = w["title"].format(cap=region.rules.get("district_cap", "—"))
    if len(table) > 40:
        table = table.sort_values(w["by_managing"], ascending=False, kind="stable").head(40)
        title += w["most"].format(n=len(districts))
    echo_table(table.reset_index(drop=True), title=title)
    derive = region.derive or {}
    how = ", ".join(f"{k}={v}" for k, v in derive.items()) if derive else w["explicit"]
    km = [d["km"] for _, _, d in graph.edges(data=True)]
    click.echo(w["adjacency"].format(how=how, n=graph.number_of_edges())
               + (w["km"].format(a=min(km), b=max(km)) if km else ""))
    lonely = islands(graph)
    shown = w["sep"].join(f"{z} {zones.at[z, 'name']}" for z in lonely[:20])
    more = w["more"].format(n=len(lonely) - 20) if len(lonely) > 20 else ""
    click.echo(w["islands"].format(n=len(lonely)) + (f"{'：' if lang == 'zh' else ': '}{shown}{more}" if lonely else ""))
    for note in region.notes:
        click.secho(w["note"] + note, fg="yellow")
    click.secho(w["fine"], fg="green")


@click.command("regions")
def regions_command() -> None:
    """List the bundled region models."""
    for name in bundled_regions():
        try:
            click.echo(f"{name:16s} {load_region(name).title}")
        except ConsolidateError as error:  # a broken bundled model must not hide the others
            click.echo(f"{name:16s} (does not load: {str(error).splitlines()[0]})")


COMMANDS = [validate_command, regions_command]
