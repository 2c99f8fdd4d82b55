"""`consolidate validate` and `consolidate regions`: check a region model and say what is in it."""
from __future__ import annotations

import click
import pandas as pd

from ..errors import ConsolidateError
from ..graph import islands, zone_graph
from ..region import LEVELS, load_region
from ..resources import bundled_regions
from ._common import echo_table, reports_errors


@click.command("validate")
@click.argument("region", default="tianjin", required=False)
@reports_errors
def validate_command(region: str) -> None:
    """Check the region model REGION (a bundled name or a folder) and summarise it.

    Every problem is reported at once, with file, row, column and how to fix it;
    the exit code is 2 when there is any. Example: `consolidate validate tianjin`.
    """
    region = load_region(region)
    graph = zone_graph(region)
    zones, districts = region.zones, region.districts
    click.secho(f"{region.title}  ({region.name})", bold=True)
    levels = zones["level"].value_counts().reindex(list(LEVELS)).dropna().astype(int)
    click.echo(f"{len(districts)} districts, {len(zones)} zones: "
               + ", ".join(f"{n} {level}" for level, n in levels.items()))
    kinds = zones["kind"].value_counts().sort_index()
    click.echo("kinds: " + ", ".join(f"{kind} {n}" for kind, n in kinds.items()))
    quality = zones["data_quality"].value_counts().sort_index()
    click.echo("data quality: " + ", ".join(f"{q} {n}" for q, n in quality.items()))
    exempt = set(region.rules.get("exempt_districts", []))
    table = pd.DataFrame({
        "district": districts["name"],
        "by location": zones.groupby("district_id").size().reindex(districts.index, fill_value=0),
        "by managing district": zones.groupby("managing_district_id").size().reindex(districts.index, fill_value=0),
        "national": zones[zones["level"] == "national"].groupby("district_id").size()
        .reindex(districts.index, fill_value=0),
        "exempt": ["yes" if d in exempt else "" for d in districts.index],
    })
    title = f"Zones per district (cap {region.rules.get('district_cap', '—')})"
    if len(table) > 40:
        table = table.sort_values("by managing district", ascending=False, kind="stable").head(40)
        title += f" — the 40 with most zones of {len(districts)}"
    echo_table(table.reset_index(drop=True), title=title)
    derive = region.derive or {}
    how = ", ".join(f"{k}={v}" for k, v in derive.items()) if derive else "explicit edges only"
    km = [d["km"] for _, _, d in graph.edges(data=True)]
    click.echo(f"adjacency ({how}): {graph.number_of_edges()} edges"
               + (f", {min(km):.1f}–{max(km):.1f} km" if km else ""))
    lonely = islands(graph)
    shown = ", ".join(f"{z} {zones.at[z, 'name']}" for z in lonely[:20])
    more = f" … and {len(lonely) - 20} more" if len(lonely) > 20 else ""
    click.echo(f"islands (no neighbour): {len(lonely)}" + (f": {shown}{more}" if lonely else ""))
    for note in region.notes:
        click.secho(f"note: {note}", fg="yellow")
    click.secho("no problems found", fg="green")


@click.command("regions")
def regions_command() -> None:
    """List the bundled region models."""
    for name in bundled_regions():
        try:
            click.echo(f"{name:16s} {load_region(name).title}")
        except ConsolidateError as error:  # a broken bundled model must not hide the others
            click.echo(f"{name:16s} (does not load: {str(error).splitlines()[0]})")


COMMANDS = [validate_command, regions_command]
