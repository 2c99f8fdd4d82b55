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
    metric = shapes.to_crs(shapes.estimate_utm_crs()) if not crs.is_projected else shapes
    rows, geometries = [], []
    for host, members in kept.groupby("group_id").groups.items():
        members = list(members)
        union = metric.loc[members].union_all()
        if union.geom_type not in ("Polygon", "MultiPolygon"):
            union = union.convex_hull.buffer(HULL_M)
        rows.append({"host_id": host, "host_name": table.at[host, "name"], "members": len(members) - 1,
                     "zones": len(members), "gdp": float(zones.loc[members, "gdp"].sum()),
                     "districts": ",".join(sorted(set(table.loc[members, "district_id"].astype(str))))})
        geometries.append(union)
    groups = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometries, crs=metric.crs).to_crs(crs)

    linked = table[table["status"] == "member"]
    here = points.to_crs(crs)
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
