"""GIS out: a plan as a GeoPackage that opens in QGIS and ArcGIS as it is (needs the [geo] extra).

    >>> write_plan_gpkg(plan, folder / "plan.gpkg")

Three layers, in the zones layer's CRS when the zones came from one (else WGS84):
- `zones`: each zone's polygon (or point) with its status, host, group, mode, new kind and distance to host;
- `groups`: each surviving group's dissolved polygons (points: their convex hull, widened to 200 m) with its
  host, member count and GDP;
- `links`: a line from each member's point to its host's.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .layers import WGS84

FIXED_DATE = "2000-01-01T00:00:00Z"  # GeoPackages carry a write time; a fixed one keeps same plan → same bytes
HULL_M = 200.0


def write_plan_gpkg(plan, path: Path) -> None:
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import LineString

    region, table = plan.region, plan.table
    zones = region.zones.reindex(table.index)
    points = gpd.GeoSeries(gpd.points_from_xy(zones["lon"], zones["lat"]), index=table.index, crs=WGS84)
    shapes = region.zone_shapes.reindex(table.index) if region.zone_shapes is not None else points
    crs = shapes.crs
    zone_layer = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=shapes.to_numpy(), crs=crs)
    zone_layer["gdp"] = zones["gdp"].to_numpy(float)

    kept = table[table["status"] != "revoked"]
    metric = shapes.to_crs(_utm_crs(shapes)) if not crs.is_projected else shapes
    parts = gpd.GeoDataFrame({"host_id": kept["group_id"].to_numpy(), "gdp": zones.loc[kept.index, "gdp"].to_numpy(float),
                              "zones": 1, "districts": kept["district_id"].astype(str).to_numpy()},
                             geometry=metric.loc[kept.index].to_numpy(), crs=metric.crs)
    shared = parts["host_id"].duplicated(keep=False).to_numpy()  # dissolve only groups of several (it is slow)
    merged = parts[shared].dissolve("host_id", aggfunc={"gdp": "sum", "zones": "sum",
                                                        "districts": lambda d: ",".join(sorted(set(d)))})
    groups = pd.concat([parts[~shared], merged.reset_index()]).sort_values("host_id", kind="stable")
    hull = ~groups.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()  # points: their hull, widened to be seen
    groups.loc[hull, "geometry"] = groups.geometry[hull].convex_hull.buffer(HULL_M)
    groups.insert(1, "host_name", table.loc[groups["host_id"], "name"].to_numpy())
    groups.insert(2, "members", groups["zones"] - 1)
    groups = gpd.GeoDataFrame(groups.reset_index(drop=True), geometry="geometry", crs=metric.crs)
    groups = groups.to_crs(crs)

    here = points.to_crs(crs)
    linked = table[table["status"] == "member"]
    linked = linked[~here[linked.index].is_empty.to_numpy() & ~here[linked["host_id"]].is_empty.to_numpy()]
    lines = [LineString([here[m], here[h]]) for m, h in zip(linked.index, linked["host_id"])]
    links = gpd.GeoDataFrame(linked[["zone_id", "host_id", "mode", "distance_to_host_km"]].reset_index(drop=True),
                             geometry=lines, crs=crs)

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
    try:
        for name, layer in (("zones", zone_layer), ("groups", groups), ("links", links)):
            kind = {"links": "LineString", "groups": "Unknown"}.get(name)
            layer.to_file(path, layer=name, driver="GPKG", engine="pyogrio",
                          **({"geometry_type": kind} if kind else {}))
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _utm_crs(shapes):
    """The WGS 84 UTM zone of the shapes' centre, as `estimate_utm_crs` picks it, without its query of PROJ's
    database (~0.13 s, almost half of writing a small plan's GeoPackage). Only for WGS 84 longitude/latitude
    within UTM's latitudes and off a zone's edge; anything else is left to geopandas."""
    import math

    from pyproj import CRS

    west, south, east, north = shapes.total_bounds
    lon, lat = (west + east) / 2, (south + north) / 2
    zone = (lon + 180) / 6
    if shapes.crs.to_epsg() != 4326 or not (-80 < lat < 84) or not (-180 < lon < 180) or zone == math.floor(zone) \
            or lat == 0:
        return shapes.estimate_utm_crs()
    return CRS.from_epsg((32600 if lat > 0 else 32700) + math.floor(zone) + 1)

