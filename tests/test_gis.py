"""GIS layers in and out: zones and districts from a GeoPackage and a Shapefile in a projected CRS, polygon
adjacency, geography checks, plan.gpkg. Layers are built here in code; without the [geo] extra these skip."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.region import load_region

from regions import write_scenario

gpd = pytest.importorskip("geopandas", reason="the GIS extra is not installed: pip install '.[geo]'")
from shapely.geometry import Polygon, box  # noqa: E402

CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E, as Chinese planning offices draw


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def square(x_km: float, y_km: float, side_km: float = 1.0) -> Polygon:
    """A square zone, its south-west corner x_km east and y_km north of a point near Tianjin, in CRS."""
    x0, y0 = 777_000.0, 4_334_000.0   # about 117.2 E, 39.1 N in EPSG:4547
    return box(x0 + x_km * 1000, y0 + y_km * 1000, x0 + (x_km + side_km) * 1000, y0 + (y_km + side_km) * 1000)


# 甲区 (x < 10 km) has four zones against a cap of 3; 乙区 (x ≥ 10 km) two. a2 touches a1; a3 is 300 m from a1;
# a4 is 3 km away from everything.
ZONES = [
    ("a1", "甲一开发区", "A", "national", 100.0, square(0, 0, 2)),
    ("a2", "甲二园区", "A", "municipal", 10.0, square(2, 0)),
    ("a3", "甲三园区", "A", "municipal", 20.0, square(0, 2.3)),
    ("a4", "甲四园区", "A", "municipal", 1.0, square(6, 6)),
    ("b1", "乙一开发区", "B", "national", 30.0, square(12, 0, 2)),
    ("b2", "乙二园区", "B", "municipal", 5.0, square(14, 0)),
]


def write_gis_region(folder, zones=ZONES, derive=None, **spec):
    """zones.gpkg (polygons, EPSG:4547, properties in capitals) + districts.shp (NAME) + region.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({
        "CODE": [z[0] for z in zones], "NAME": [z[1] for z in zones], "DIST": [z[2] for z in zones],
        "LEVEL": [z[3] for z in zones], "KIND": "industrial_park", "GDP": [z[4] for z in zones],
        "FISCAL": [z[4] / 10 for z in zones], "QUALITY": "synthetic", "SOURCE": "test layer",
    }, geometry=[z[5] for z in zones], crs=CRS).to_file(folder / "zones.gpkg", layer="zones", driver="GPKG")
    x0, y0 = 777_000.0, 4_334_000.0
    gpd.GeoDataFrame({"CODE": ["A", "B"], "NAME": ["甲区", "乙区"]},
                     geometry=[box(x0 - 5000, y0 - 5000, x0 + 10_000, y0 + 15_000),
                               box(x0 + 10_000, y0 - 5000, x0 + 25_000, y0 + 15_000)],
                     crs=CRS).to_crs("EPSG:4326").to_file(folder / "districts.shp", encoding="utf-8")
    region = {
        "name": "gis-test", "title": "GIS test region",
        "districts": {"file": "districts.shp", "columns": {"district_id": "CODE"}},
        "zones": {"file": "zones.gpkg", "layer": "zones",
                  "columns": {"zone_id": "CODE", "district_id": "DIST", "fiscal_revenue": "FISCAL",
                              "data_quality": "QUALITY"}},
        "adjacency": {"derive": derive or {"method": "polygons", "buffer_m": 500}},
        "rules": {"district_cap": 3, "exempt_districts": []},
        **spec,
    }
    import yaml

    (folder / "region.yaml").write_text(yaml.safe_dump(region, allow_unicode=True), encoding="utf-8")
    return folder


def edit_yaml(folder, change):
    import yaml

    spec = yaml.safe_load((folder / "region.yaml").read_text(encoding="utf-8"))
    change(spec)
    (folder / "region.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")


def test_a_region_of_a_zones_geopackage_and_a_districts_shapefile_validates(tmp_path):
    folder = write_gis_region(tmp_path / "gis")
    region = load_region(folder)
    zones = region.zones
    assert list(zones.index) == [z[0] for z in ZONES] and zones.at["a1", "name"] == "甲一开发区"
    assert region.district_name("A") == "甲区"                        # NAME from the Shapefile
    assert zones.at["a1", "approved_area_ha"] == pytest.approx(400.0, rel=1e-6)   # 2 km × 2 km from the polygon
    assert 39.0 < zones.at["a1", "lat"] < 39.2 and 117.1 < zones.at["a1", "lon"] < 117.3   # WGS84
    assert set(region.outlines) == {"A", "B"}
    result = run("validate", folder, "--lang", "en")
    assert result.exit_code == 0 and "no problems found" in result.output, result.output


def test_adjacency_from_polygons_touch_or_within_the_buffer_with_boundary_km(tmp_path):
    from consolidate.graph import zone_graph

    graph = zone_graph(load_region(write_gis_region(tmp_path / "gis")))
    assert sorted(graph.edges) == [("a1", "a2"), ("a1", "a3"), ("b1", "b2")]   # a3 at 300 m < 500 m; a4 alone
    assert graph.edges["a1", "a2"]["km"] == 0.0 and graph.edges["a1", "a3"]["km"] == pytest.approx(0.3, abs=1e-3)
    touching = zone_graph(load_region(write_gis_region(tmp_path / "touch", derive={"method": "polygons",
                                                                                    "buffer_m": 0})))
    assert sorted(touching.edges) == [("a1", "a2"), ("b1", "b2")]
    points = zone_graph(load_region(write_gis_region(tmp_path / "pt", derive={
        "method": "polygons", "buffer_m": 500, "distance_between": "point"})))
    assert points.edges["a1", "a2"]["km"] == pytest.approx(1.58, abs=0.05)   # between representative points


def test_the_region_runs_and_plan_gpkg_reads_back_with_the_statuses(tmp_path):
    folder = write_gis_region(tmp_path / "gis")
    scenario = write_scenario(tmp_path / "s.yaml", folder)
    result = run("run", scenario, "--out", tmp_path / "out", "--no-charts")
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert plan["proven_optimal"] and plan["counts"]["hosts"] == 5
    import pandas as pd

    table = pd.read_csv(tmp_path / "out" / "plan.csv", dtype=str, keep_default_na=False).set_index("zone_id")
    layers = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="zones").set_index("zone_id")
    assert layers.loc[table.index, "status"].tolist() == table["status"].tolist()
    assert layers.crs == gpd.read_file(folder / "zones.gpkg").crs and set(layers.geom_type) == {"Polygon"}
    groups = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="groups")
    assert sorted(groups["host_id"]) == sorted(table.index[table["status"] == "host"])
    links = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="links")
    assert len(links) == (table["status"] == "member").sum() and set(links.geom_type) <= {"LineString"}


def test_a_zone_moved_into_another_districts_polygon_is_reported(tmp_path):
    moved = [z if z[0] != "a4" else ("a4", "甲四园区", "A", "municipal", 1.0, square(16, 6)) for z in ZONES]
    result = run("validate", write_gis_region(tmp_path / "gis", zones=moved))
    assert result.exit_code == 2, result.output
    for text in ("zones.gpkg, layer 'zones', feature 4", "zone a4", "lies in 乙区 (B)",
                 "by most of its polygon (100%)", "DIST says 甲区 (A)", "set DIST to B", "column 'DIST'"):
        assert text in result.output, (text, result.output)


def test_overlapping_zone_polygons_and_a_stated_area_that_disagrees_are_noted(tmp_path):
    overlapping = [*ZONES[:5], ("b2", "乙二园区", "B", "municipal", 5.0, square(13.5, 0.5))]
    folder = write_gis_region(tmp_path / "gis", zones=overlapping)
    result = run("validate", folder)
    assert result.exit_code == 0, result.output
    assert "zones b1 and b2 overlap by 50.0 ha (50% of the smaller)" in result.output, result.output


def test_a_tianjin_zone_moved_into_another_district_is_reported(tmp_path):
    import shutil

    import pandas as pd
    from consolidate.resources import models_dir

    folder = tmp_path / "tianjin"
    shutil.copytree(models_dir() / "tianjin", folder)
    zones = pd.read_csv(folder / "zones.csv", dtype=str, keep_default_na=False)
    row = zones.index[zones["zone_id"] == "G121050"][0]           # 东丽经济技术开发区, in 东丽区
    zones.loc[row, ["lat", "lon"]] = ["39.037673", "117.693107"]   # moved onto TEDA, in 滨海新区
    zones.to_csv(folder / "zones.csv", index=False)
    result = run("validate", folder)
    assert result.exit_code == 2, result.output
    assert f"zones.csv, row {row + 2}, column 'district_id'" in result.output
    assert "lies in 滨海新区 (120116) by its point, but district_id says 东丽区 (120110)" in result.output


def test_bad_features_are_named_by_file_layer_feature_and_the_layers_own_column(tmp_path):
    bad = [z if z[0] != "a3" else ("a3", "甲三园区", "A", "provincial", 20.0, z[5]) for z in ZONES]
    result = run("validate", write_gis_region(tmp_path / "gis", zones=bad))
    assert result.exit_code == 2, result.output
    assert "zones.gpkg, layer 'zones', feature 3, column 'LEVEL': not an allowed value" in result.output


def test_a_stated_area_far_from_the_polygons_and_unused_properties_are_noted(tmp_path):
    folder = write_gis_region(tmp_path / "gis")
    layer = gpd.read_file(folder / "zones.gpkg", layer="zones")
    layer["AREA_HA"] = [400.0, 100.0, 100.0, 100.0, 400.0, 150.0]   # b2 is 100 ha, not 150
    layer["COLOUR"] = "red"
    layer.to_file(folder / "zones.gpkg", layer="zones", driver="GPKG")
    edit_yaml(folder, lambda spec: spec["zones"]["columns"].update(approved_area_ha="AREA_HA"))
    result = run("validate", folder)
    assert result.exit_code == 0, result.output
    assert "feature 6 (b2): approved_area_ha is 150 ha but the polygon measures 100.0 ha" in result.output
    assert "properties not used: COLOUR" in result.output


def test_zones_as_points_in_a_projected_geojson(tmp_path):
    folder = write_gis_region(tmp_path / "gis", derive={"method": "delaunay", "max_km": 30})
    layer = gpd.read_file(folder / "zones.gpkg", layer="zones")
    layer["AREA"] = 100.0
    layer.geometry = layer.representative_point()
    layer.to_file(folder / "zones.geojson", driver="GeoJSON")

    def to_geojson(spec):
        spec["zones"].update(file="zones.geojson")
        spec["zones"].pop("layer")
        spec["zones"]["columns"]["approved_area_ha"] = "AREA"
    edit_yaml(folder, to_geojson)
    region = load_region(folder)
    assert region.zones.at["a1", "approved_area_ha"] == 100.0 and 39.0 < region.zones.at["a1", "lat"] < 39.2


def test_plan_distance_is_the_boundary_km_the_objective_priced(tmp_path):
    """Polygon adjacency prices a member at the edge's boundary-to-boundary km; plan.csv, plan.gpkg and the
    terminal report that same km, and the objective's distance part is Σ GDP × that km."""
    import pandas as pd

    folder = write_gis_region(tmp_path / "gis")
    scenario = write_scenario(tmp_path / "s.yaml", folder, pins={"assign": {"a3": "a1"}})
    result = run("run", scenario, "--out", tmp_path / "out", "--no-charts")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "plan.csv", dtype={"zone_id": str}).set_index("zone_id")
    assert table.at["a3", "status"] == "member" and table.at["a3", "host_id"] == "a1"
    assert table.at["a3", "distance_to_host_km"] == pytest.approx(0.3, abs=1e-3)   # not the 1.3 km between points
    graph = pd.read_csv(tmp_path / "out" / "graph.csv", dtype={"zone_a": str, "zone_b": str})
    edge = graph[(graph["zone_a"] == "a1") & (graph["zone_b"] == "a3")]
    assert table.at["a3", "distance_to_host_km"] == pytest.approx(float(edge["km"].iloc[0]), abs=1e-9)
    links = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="links").set_index("zone_id")
    assert links.at["a3", "distance_to_host_km"] == pytest.approx(0.3, abs=1e-3)
    assert "0.3 km" in result.output and "1.3 km" not in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    members = table[table["status"] == "member"]
    gdp = load_region(folder).zones["gdp"]
    priced = float((gdp.reindex(members.index) * members["distance_to_host_km"]).sum())
    assert summary["objective_parts"]["distance"]["real"] == pytest.approx(priced, rel=1e-6, abs=1e-6)
    assert summary["checks_passed"]


def test_validate_lists_a_bad_level_and_a_zone_in_another_district_at_once(tmp_path):
    """Every problem at once: a3's LEVEL is not allowed and a4 lies in 乙区; both are reported in one go, the
    wrong district named by the layer's own column (DIST, mapped in region.yaml), as LEVEL is."""
    zones = [("a3", "甲三园区", "A", "provincial", 20.0, z[5]) if z[0] == "a3"
             else ("a4", "甲四园区", "A", "municipal", 1.0, square(16, 6)) if z[0] == "a4" else z for z in ZONES]
    result = run("validate", write_gis_region(tmp_path / "gis", zones=zones))
    assert result.exit_code == 2, result.output
    assert "zones.gpkg, layer 'zones', feature 3, column 'LEVEL': not an allowed value" in result.output
    assert "zones.gpkg, layer 'zones', feature 4, column 'DIST': zone a4" in result.output, result.output
    assert "column 'district_id'" not in result.output


def test_a_csv_region_and_the_same_region_as_gis_layers_give_the_same_plan_byte_for_byte(tmp_path):
    """Tianjin as zones.csv + districts.csv + outlines, and as the same rows in a GeoPackage of points and a
    GeoJSON of district polygons: `consolidate run` writes the same plan.csv, districts.csv and flows.csv."""
    import shutil

    import pandas as pd
    import yaml

    from consolidate.resources import models_dir

    csv, gis = tmp_path / "csv", tmp_path / "gis"
    shutil.copytree(models_dir() / "tianjin", csv)
    gis.mkdir()
    zones = pd.read_csv(csv / "zones.csv", dtype={"zone_id": str, "district_id": str, "managing_district_id": str,
                                                 "approval_date": str})
    gpd.GeoDataFrame(zones.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(zones["lon"], zones["lat"]),
                     crs="EPSG:4326").to_file(gis / "zones.gpkg", layer="zones", driver="GPKG")
    districts = pd.read_csv(csv / "districts.csv", dtype={"district_id": str})
    outlines = gpd.read_file(csv / "districts.geojson")[["district_id", "geometry"]]
    gpd.GeoDataFrame(districts.merge(outlines, on="district_id"), geometry="geometry",
                     crs=outlines.crs).to_file(gis / "districts.geojson", driver="GeoJSON")
    shutil.copy(csv / "district_adjacency.csv", gis)
    spec = yaml.safe_load((csv / "region.yaml").read_text(encoding="utf-8"))
    del spec["outlines"]                                  # the district layer's polygons are the outlines
    spec.update(zones={"file": "zones.gpkg", "layer": "zones"}, districts={"file": "districts.geojson"})
    (gis / "region.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    for region in (csv, gis):
        result = run("run", "cap-2", "--set", "merging.contiguity=nearby", "--region", region, "--no-charts",
                     "--out", tmp_path / f"out-{region.name}")
        assert result.exit_code == 0, result.output
    for name in ("plan.csv", "districts.csv", "flows.csv"):
        assert (tmp_path / "out-csv" / name).read_bytes() == (tmp_path / "out-gis" / name).read_bytes(), name


@pytest.mark.parametrize("lon, lat", [(117.2, 39.1), (87.6, 43.8), (-58.4, -34.6), (151.2, -33.9), (-179.5, 10.0),
                                      (10.5, 78.2), (3.0, 60.0), (114.0, 22.5)])
def test_plan_gpkgs_utm_zone_is_the_one_geopandas_estimates(lon, lat):
    """plan.gpkg's groups are dissolved in the UTM zone of the zones' centre: ours (no PROJ database query) is
    geopandas' `estimate_utm_crs`, in both hemispheres, at the antimeridian, in Svalbard and Norway's bands."""
    from consolidate.plan_layers import _utm_crs

    shapes = gpd.GeoSeries([box(lon - 0.2, lat - 0.1, lon + 0.2, lat + 0.1)], crs="EPSG:4326")
    assert _utm_crs(shapes) == shapes.estimate_utm_crs()
    edge = gpd.GeoSeries([box(113.9, 22.0, 114.1, 23.0)], crs="EPSG:4326")   # centre on a zone's edge: geopandas'
    assert _utm_crs(edge) == edge.estimate_utm_crs()
