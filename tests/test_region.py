"""Region loading: every kind of bad input gives file, row, column and exit code 2 — never a traceback."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from consolidate.cli import main
from consolidate.errors import InputError
from consolidate.region import load_region
from consolidate.resources import bundled_regions

from regions import write_region

DISTRICTS = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
ZONES = [
    {"zone_id": "z1", "name": "一", "district_id": "A", "lat": 39.0, "lon": 117.0},
    {"zone_id": "z2", "name": "二", "district_id": "甲区", "lat": 39.1, "lon": 117.1},
    {"zone_id": "z3", "name": "三", "district_id": "B", "lat": 39.2, "lon": 117.2},
]


def validate(folder, *args):
    result = CliRunner().invoke(main, ["validate", str(folder), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_valid_region_loads_and_resolves_district_names(tmp_path):
    region = load_region(write_region(tmp_path / "ok", DISTRICTS, ZONES, derive={"method": "delaunay"}))
    assert region.zones.loc["z2", "district_id"] == "A"            # named by name, stored as id
    assert region.zones.loc["z1", "managing_district_id"] == "A"   # defaults to where it lies
    result = validate(region.root)   # in the region's language, else Chinese
    assert result.exit_code == 0, result.output
    assert "2 个区，3 个开发区：市级 3" in result.output and "未发现问题" in result.output
    result = validate(region.root, "--lang", "en")
    assert "2 districts, 3 zones: 3 municipal" in result.output and "no problems found" in result.output


@pytest.mark.parametrize("mutate, expected", [
    (lambda z: z.drop(columns="gdp"), ["zones.csv", "row 1", "column 'gdp'", "missing required column"]),
    (lambda z: z.rename(columns={"approved_area_ha": "approved_area"}),
     ["zones.csv", "unknown column 'approved_area'", "did you mean 'approved_area_ha'"]),
    (lambda z: z.assign(zone_id=["z1", "z1", "z3"]), ["zones.csv", "row 3", "column 'zone_id'", "duplicate"]),
    (lambda z: z.assign(district_id=["A", "X区", "B"]), ["zones.csv", "row 3", "column 'district_id'", "unknown district"]),
    (lambda z: z.assign(gdp=["12", "lots", "3"]), ["zones.csv", "row 3", "column 'gdp'", "not a number", "'lots'"]),
    (lambda z: z.assign(approved_area_ha=[1, -5, 3]), ["zones.csv", "row 3", "column 'approved_area_ha'", "≥ 0"]),
    (lambda z: z.assign(lat=[39.0, 139.1, 39.2]), ["zones.csv", "row 3", "column 'lat'", "out of range"]),
    (lambda z: z.assign(lon=[117.0, None, 117.2]), ["zones.csv", "row 3", "column 'lon'", "missing coordinate"]),
    (lambda z: z.assign(level=["national", "provincial", "municipal"]), ["zones.csv", "row 3", "column 'level'",
                                                                          "municipal"]),
])
def test_bad_zone_tables_name_file_row_and_column(tmp_path, mutate, expected):
    folder = write_region(tmp_path / "bad", DISTRICTS, ZONES, derive={"method": "delaunay"})
    zones = pd.read_csv(folder / "zones.csv", dtype=str, keep_default_na=False)
    mutate(zones).to_csv(folder / "zones.csv", index=False)
    result = validate(folder)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output, (text, result.output)
    assert "Traceback" not in result.output


def test_exempt_district_must_exist(tmp_path):
    folder = write_region(tmp_path / "r", DISTRICTS, ZONES, derive={"method": "delaunay"},
                          rules={"district_cap": 3, "exempt_districts": ["滨海新区"]})
    result = validate(folder)
    assert result.exit_code == 2
    assert "region.yaml" in result.output and "exempt district '滨海新区' does not exist" in result.output


def test_edges_naming_unknown_zones_and_self_loops(tmp_path):
    folder = write_region(tmp_path / "r", DISTRICTS, ZONES, edges=[("z1", "z2"), ("z1", "z9"), ("z3", "z3")])
    result = validate(folder)
    assert result.exit_code == 2
    assert "adjacency.csv, row 3, column 'zone_b'" in result.output and "unknown zone" in result.output
    assert "adjacency.csv, row 4, column 'zone_b'" in result.output and "self-loop" in result.output


def test_every_problem_is_reported_at_once(tmp_path):
    folder = write_region(tmp_path / "r", DISTRICTS, ZONES, derive={"method": "delaunay"})
    zones = pd.read_csv(folder / "zones.csv", dtype=str, keep_default_na=False)
    zones.assign(gdp=["x", "1", "-2"], lat=["39", "95", "39"]).to_csv(folder / "zones.csv", index=False)
    with pytest.raises(InputError) as caught:
        load_region(folder)
    assert len(caught.value.problems) == 3
    assert {(p.row, p.column) for p in caught.value.problems} == {(2, "gdp"), (4, "gdp"), (3, "lat")}


def test_yaml_is_read_with_a_safe_loader(tmp_path):
    folder = write_region(tmp_path / "r", DISTRICTS, ZONES, derive={"method": "delaunay"})
    (folder / "region.yaml").write_text("name: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    result = validate(folder)
    assert result.exit_code == 2 and "not valid YAML" in result.output


def test_unknown_region_lists_the_bundled_ones():
    result = CliRunner().invoke(main, ["validate", "atlantis"])
    assert result.exit_code == 2 and "tianjin" in result.output


CELL = st.one_of(st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True).map(str),
                 st.integers(-10**6, 10**6).map(str), st.sampled_from(["", "A", "甲区", "national", "z1", "nan", "1e400"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({c: CELL for c in ["zone_id", "name", "district_id", "level", "kind",
                                                              "approved_area_ha", "lat", "lon", "gdp",
                                                              "fiscal_revenue", "data_quality", "source"]}),
                     min_size=0, max_size=6),
       junk=st.sampled_from(["", "\n,,,\n", '\n"unterminated', "\nz9,only,two", "\x00"]))
def test_garbage_gives_a_clean_error_or_a_valid_model(tmp_path_factory, rows, junk):
    folder = write_region(tmp_path_factory.mktemp("g"), DISTRICTS, ZONES, derive={"method": "knn", "k": 2})
    text = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["zone_id"]).to_csv(index=False) + junk
    (folder / "zones.csv").write_text(text, encoding="utf-8")
    try:
        region = load_region(folder)
    except InputError as error:
        assert error.problems and all(p.file for p in error.problems)
        return
    assert region.zones.index.is_unique
    assert set(region.zones["district_id"]) <= set(region.districts.index)


@pytest.mark.parametrize("name", bundled_regions())
def test_every_bundled_region_has_its_title_and_data_note_in_chinese_saying_what_is_not_real(name):
    import yaml

    from consolidate.resources import models_dir

    spec = yaml.safe_load((models_dir() / name / "region.yaml").read_text(encoding="utf-8"))
    assert spec.get("title_zh") and spec.get("data_note_zh")
    note, note_zh = spec["data_note"].lower(), spec["data_note_zh"]
    assert ("synthetic" in note) == ("合成" in note_zh) and ("estimat" in note) == ("估算" in note_zh), note_zh
