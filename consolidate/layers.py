"""GIS layers in: zones and districts from a GeoPackage, Shapefile or GeoJSON, as they are.

    >>> layer = read_layer(Path("zones.gpkg"), layer="zones", crs=None)   # needs the [geo] extra
    >>> layer.records[0]        # {"CODE": "Z1", "NAME": "…", …}: every property as text, as a CSV cell would be
    >>> layer.shapes            # the features' geometries, in the layer's own CRS

A layer is read into the same text cells as a CSV row, so it gets the same columns and the same checks
(row = feature, numbered from 1). Geometry fills what a CSV would say in columns: a point gives `lat`, `lon`
(WGS84); a polygon gives its representative point (a point surely inside it) and, when `approved_area_ha`
is empty, its area. Everything here needs geopandas, pyogrio and shapely: `pip install ".[geo]"`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, InputIssue

LAYER_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".gml", ".kml")
GEO_INSTALL = 'pip install "consolidate[geo]" (from a checkout of the toolkit: pip install ".[geo]")'
WGS84 = "EPSG:4326"


SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def layer_bytes(path: Path) -> bytes:
    """The bytes a layer is made of, for its hash: a Shapefile's .shp, .shx, .dbf, .prj and .cpg together."""
    if path.suffix.lower() != ".shp":
        return path.read_bytes()
    parts = [path.with_suffix(s) for s in SHAPEFILE_PARTS]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def is_layer(path: Path) -> bool:
    return path.suffix.lower() in LAYER_SUFFIXES


def has_geo() -> bool:
    """True when the GIS extra (geopandas, pyogrio, shapely) is installed (found, not imported: that is slow)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("geopandas", "pyogrio", "shapely"))


def geo_missing(file: str, what: str) -> InputIssue:
    """The problem to report when a GIS path is asked for without the extra."""
    return InputIssue(file, f"{what} needs the GIS extra (geopandas, pyogrio, shapely), which is not installed",
                   f"install it: {GEO_INSTALL}")


def require_geo(file: str, what: str) -> None:
    if not has_geo():
        raise InputError(geo_missing(file, what))


@dataclass
class Layer:
    """A layer's features: properties as text cells, geometries in the layer's CRS."""

    where: str                          # "zones.gpkg, layer 'zones'": how messages name it
    header: list[str]
    records: list[dict[str, str]]
    shapes: Any                         # geopandas.GeoSeries, one per record, in `crs`
    crs: Any                            # pyproj.CRS
    notes: list[str] = field(default_factory=list)

    @property
    def projected(self) -> bool:
        return bool(self.crs is not None and self.crs.is_projected)

    def metric_shapes(self):
        """The shapes in a metric CRS: the layer's own when projected (as GIS users draw them), else local UTM."""
        if self.projected:
            return self.shapes
        return self.shapes.to_crs(self.shapes.estimate_utm_crs())


def read_layer(path: Path, layer: str | None, crs: str | None, problems: list[InputIssue]) -> Layer | None:
    """Read one layer of a GIS file; problems (missing file, several layers, no CRS) go to `problems`."""
    where = path.name + (f", layer '{layer}'" if layer else "")
    if not has_geo():
        problems.append(geo_missing(path.name, "reading a GIS layer"))
        return None
    import geopandas as gpd
    import pyogrio

    if not path.exists():
        problems.append(InputIssue(path.name, "file not found", f"create it, or point region.yaml at the right file ({path})"))
        return None
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends for unreadable files
        problems.append(InputIssue(path.name, f"not a readable GIS file: {exc}",
                                "export it again from QGIS or ArcGIS (GeoPackage, Shapefile or GeoJSON)"))
        return None
    if layer is None and len(layers) > 1:
        problems.append(InputIssue(path.name, f"holds {len(layers)} layers: {', '.join(layers)}",
                                "name the one to use: {file: " + path.name + ", layer: " + layers[0] + "}"))
        return None
    if layer is not None and layer not in layers:
        problems.append(InputIssue(path.name, f"has no layer {layer!r} (it has: {', '.join(layers)})",
                                "fix 'layer:' in region.yaml"))
        return None
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        problems.append(InputIssue(where, f"cannot be read: {exc}", "export the layer again"))
        return None
    if crs:
        try:
            frame = frame.set_crs(crs, allow_override=True)
        except Exception as exc:
            problems.append(InputIssue(where, f"unknown crs {crs!r}: {exc}", "write e.g. crs: EPSG:4547"))
            return None
    if frame.crs is None:
        problems.append(InputIssue(where, "the layer has no coordinate reference system (a Shapefile without .prj?)",
                                "set it in QGIS (Layer → Set CRS) and save, or say it in region.yaml: crs: EPSG:4547"))
        return None
    header = [str(c) for c in frame.columns if c != frame.geometry.name]
    records = [{c: cell_text(v) for c, v in zip(header, row)} for row in frame[header].itertuples(index=False)]
    return Layer(where, header, records, frame.geometry.reset_index(drop=True), frame.crs)


def cell_text(value: Any) -> str:
    """A property as the text a CSV cell would hold (numbers without a spurious .0, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        value = float(value)
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        try:
            import pandas as pd

            if pd.isna(value):
                return ""
        except (TypeError, ValueError):
            pass
        return value.isoformat()[:10]
    return str(value).strip()


def fill_from_geometry(layer: Layer, problems: list[InputIssue], *, area_column: str | None = None,
                       area_tolerance: float = 0.1) -> None:
    """Put each feature's point (lat, lon in WGS84) and, for polygons, area into its cells.

    A polygon's point is its representative point (inside it, unlike a centroid). The area is measured in
    the layer's CRS when projected, else in local UTM; it fills `area_column` when that is empty and is
    compared with it otherwise (a note when they differ by more than `area_tolerance`)."""
    shapes = layer.shapes
    kinds = shapes.geom_type.fillna("")
    polygonal = kinds.str.contains("Polygon").to_numpy()
    points = shapes.copy()
    points[polygonal] = shapes[polygonal].representative_point()
    points = points.to_crs(WGS84)
    areas_ha = layer.metric_shapes().area.to_numpy() / 1e4
    for k, record in enumerate(layer.records):
        shape = shapes.iloc[k]
        if shape is None or shape.is_empty:
            if not record.get("lat") or not record.get("lon"):
                problems.append(InputIssue(layer.where, "the feature has no geometry", "draw it, or delete the feature",
                                        row=k + 1, row_label="feature"))
            continue
        if kinds.iloc[k] not in ("Point", "MultiPoint", "Polygon", "MultiPolygon"):
            problems.append(InputIssue(layer.where, f"the feature is a {kinds.iloc[k]}, not a point or polygon",
                                    "use a point or polygon layer", row=k + 1, row_label="feature"))
            continue
        point = points.iloc[k]
        if kinds.iloc[k] == "MultiPoint":
            point = point.geoms[0]
        if not record.get("lat") and not record.get("lon"):
            record["lat"], record["lon"] = f"{point.y:.7f}", f"{point.x:.7f}"
        if area_column is None or not polygonal[k]:
            continue
        measured = float(areas_ha[k])
        given = record.get(area_column, "")
        if given == "":
            record[area_column] = f"{measured:.4f}"
            continue
        try:
            stated = float(given)
        except ValueError:
            continue  # the column's own check reports it
        if abs(measured - stated) > area_tolerance * max(stated, measured):
            layer.notes.append(f"{layer.where}, feature {k + 1} ({record.get('zone_id') or record.get('name', '')}): "
                               f"{area_column} is {stated:g} ha but the polygon measures {measured:.1f} ha "
                               f"(more than {area_tolerance:.0%} apart) — check the figure or the boundary")


def shapes_by_id(layer: Layer, ids: list[str]):
    """The layer's shapes indexed by the given ids (one per feature, in order), in the layer's CRS."""
    shapes = layer.shapes.copy()
    shapes.index = ids
    return shapes


def outlines_of_layer(layer: Layer, ids: list[str | None], rows: list[int] | None = None) -> tuple[dict | None, Any]:
    """District outlines from a polygon layer: {district_id: [polygon rings in WGS84 lon/lat]} as charts and
    the core checks use them, and the shapes dissolved by district in the layer's CRS (None when the layer
    has no polygons)."""
    from shapely.geometry import mapping

    rows = list(range(len(layer.records))) if rows is None else rows
    shapes = layer.shapes.iloc[rows]
    keep = [k for k, (i, kind) in enumerate(zip(ids, shapes.geom_type.fillna(""))) if i is not None and "Polygon" in kind]
    if not keep:
        return None, None
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"district": [ids[k] for k in keep]}, geometry=shapes.iloc[keep].to_numpy(),
                             crs=shapes.crs)
    dissolved = frame.dissolve("district").geometry.rename_axis(None)  # a district drawn in several features
    outlines: dict[str, list] = {}
    for district, shape in dissolved.to_crs(WGS84).items():
        geo = mapping(shape)
        polygons = [geo["coordinates"]] if geo["type"] == "Polygon" else list(geo["coordinates"])
        outlines[str(district)] = [[[list(xy) for xy in ring] for ring in polygon] for polygon in polygons]
    return outlines, dissolved
