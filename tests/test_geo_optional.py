"""Without the [geo] extra: GIS paths say how to install it (exit 2); points are still checked against GeoJSON
outlines (an even-odd point-in-polygon test, the same answers as matplotlib's); plan folders have no plan.gpkg. The extra is hidden by patching."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

import consolidate.geography
import consolidate.layers
import consolidate.plan
import consolidate.region
from consolidate.cli import main
from consolidate.resources import models_dir

from regions import write_region, write_scenario


@pytest.fixture
def no_geo(monkeypatch):
    for module in (consolidate.layers, consolidate.geography, consolidate.plan, consolidate.region):
        monkeypatch.setattr(module, "has_geo", lambda: False)


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_gis_layer_without_the_extra_says_how_to_install_it(tmp_path, no_geo):
    folder = write_region(tmp_path / "r", [{"district_id": "A", "name": "甲区"}],
                          [{"zone_id": "z1", "name": "一", "district_id": "A", "lat": 39.0, "lon": 117.0}],
                          derive={"method": "delaunay"})
    (folder / "region.yaml").write_text((folder / "region.yaml").read_text(encoding="utf-8")
                                        .replace("zones: zones.csv", "zones: zones.gpkg"), encoding="utf-8")
    (folder / "zones.gpkg").write_bytes(b"")
    result = run("validate", folder)
    assert result.exit_code == 2 and "needs the GIS extra" in result.output and 'pip install ".[geo]"' in result.output


def test_planar_distances_without_the_extra_say_how_to_install_it(tmp_path, no_geo):
    folder = write_region(tmp_path / "r", [{"district_id": "A", "name": "甲区"}],
                          [{"zone_id": "z1", "name": "一", "district_id": "A", "lat": 39.0, "lon": 117.0}],
                          derive={"method": "delaunay"}, distances={"method": "planar", "crs": "EPSG:4547"})
    result = run("validate", folder)
    assert result.exit_code == 2 and "needs the GIS extra" in result.output, result.output


def test_the_core_reports_a_tianjin_zone_moved_into_another_district(tmp_path, no_geo):
    folder = tmp_path / "tianjin"
    shutil.copytree(models_dir() / "tianjin", folder)
    zones = pd.read_csv(folder / "zones.csv", dtype=str, keep_default_na=False)
    row = zones.index[zones["zone_id"] == "G121050"][0]
    zones.loc[row, ["lat", "lon"]] = ["39.037673", "117.693107"]
    zones.to_csv(folder / "zones.csv", index=False)
    result = run("validate", folder)
    assert result.exit_code == 2, result.output
    assert "lies in 滨海新区 (120116) by its point, but district_id says 东丽区 (120110)" in result.output
    assert run("validate", models_dir() / "tianjin").exit_code == 0


def test_plan_folders_have_no_gpkg_without_the_extra(tmp_path, small_region, no_geo):
    result = run("run", write_scenario(tmp_path / "s.yaml", small_region), "--out", tmp_path / "out", "--no-charts")
    assert result.exit_code == 0 and not (tmp_path / "out" / "plan.gpkg").exists()


def test_outlines_named_by_a_qgis_style_name_property(tmp_path, no_geo):
    import json

    square = [[[116.9, 38.9], [117.1, 38.9], [117.1, 39.1], [116.9, 39.1], [116.9, 38.9]]]
    outlines = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME": "甲区", "ADCODE": 1}, "geometry": {"type": "Polygon",
                                                                                     "coordinates": square}}]}
    zones = [{"zone_id": "z1", "name": "一", "district_id": "A", "lat": 39.0, "lon": 117.0}]
    for name, spec in (("caps", "districts.geojson"), ("named", {"file": "districts.geojson", "property": "NAME"})):
        folder = write_region(tmp_path / name, [{"district_id": "A", "name": "甲区"}], zones,
                              derive={"method": "delaunay"}, outlines=spec)
        (folder / "districts.geojson").write_text(json.dumps(outlines, ensure_ascii=False), encoding="utf-8")
        result = run("validate", folder)
        assert result.exit_code == 0, result.output
    wrong = json.dumps(outlines, ensure_ascii=False).replace("甲区", "乙区")
    (folder / "districts.geojson").write_text(wrong, encoding="utf-8")
    result = run("validate", folder)
    assert result.exit_code == 2 and "names unknown district '乙区'" in result.output \
        and "property: NAME" in result.output, result.output


@pytest.mark.parametrize("region", ["tianjin", "tianjin-314"])
def test_points_in_outlines_as_matplotlib_finds_them(region):
    """geography's point-in-outline test (NumPy, so reading a region loads no matplotlib) agrees with
    matplotlib.path on the bundled outlines: every zone point and 4,000 random points around them."""
    import numpy as np
    from matplotlib.path import Path

    from consolidate.geography import _inside_outline
    from consolidate.region import load_region

    loaded = load_region(models_dir() / region)
    zones = loaded.zones[["lon", "lat"]].dropna().to_numpy(float)
    low, high = zones.min(axis=0) - 0.3, zones.max(axis=0) + 0.3
    points = np.vstack([zones, np.random.default_rng(0).uniform(low, high, (4000, 2))])
    for polygons in loaded.outlines.values():
        expected = np.zeros(len(points), bool)
        for polygon in polygons:
            here = Path(np.asarray(polygon[0], float)[:, :2]).contains_points(points)
            for hole in polygon[1:]:
                here &= ~Path(np.asarray(hole, float)[:, :2]).contains_points(points)
            expected |= here
        assert (_inside_outline(points, polygons) == expected).all()
