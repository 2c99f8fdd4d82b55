"""Office formats: CSVs Excel opens with Chinese names intact (BOM), GBK input accepted, plan.xlsx."""
from __future__ import annotations

import csv

import pandas as pd
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.region import load_region

from regions import write_region, write_scenario

DISTRICTS = [{"district_id": "A", "name": "滨海新区"}, {"district_id": "B", "name": "西青区"}]
ZONES = [
    {"zone_id": "z1", "name": "天津经济技术开发区", "district_id": "A", "level": "national", "lat": 39.0, "lon": 117.0},
    {"zone_id": "z2", "name": "西青汽车工业区", "district_id": "西青区", "lat": 39.1, "lon": 117.1},
]


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_every_plan_csv_starts_with_a_bom_and_reads_back_with_chinese_names(tmp_path, small_region):
    scenario = write_scenario(tmp_path / "s.yaml", small_region)
    result = run("run", scenario, "--out", tmp_path / "out", "--no-charts", "--xlsx")
    assert result.exit_code == 0, result.output
    for name in ("plan.csv", "districts.csv", "flows.csv", "graph.csv"):
        assert (tmp_path / "out" / name).read_bytes().startswith(b"\xef\xbb\xbf"), name
    # what Excel does: honour the BOM as UTF-8
    with open(tmp_path / "out" / "districts.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["甲区", "乙区", "丙区"] and "district_id" in rows[0]
    assert run("allocate", tmp_path / "out").exit_code == 0    # our own readers accept the BOM
    book = pd.read_excel(tmp_path / "out" / "plan.xlsx", sheet_name=None)
    assert {"plan", "districts", "flows", "graph"} <= set(book)
    plan = pd.read_csv(tmp_path / "out" / "plan.csv", dtype=str, keep_default_na=False)
    assert book["plan"]["status"].tolist() == plan["status"].tolist()
    assert book["districts"]["name"].tolist() == ["甲区", "乙区", "丙区"]


def test_a_gbk_csv_saved_by_excel_is_read_with_a_note(tmp_path):
    folder = write_region(tmp_path / "gbk", DISTRICTS, ZONES, derive={"method": "delaunay"})
    for name in ("districts.csv", "zones.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(text.encode("gbk"))
    region = load_region(folder)
    assert region.zones.loc["z2", "name"] == "西青汽车工业区" and region.district_name("A") == "滨海新区"
    assert any("zones.csv: read as GBK" in note for note in region.notes)
    result = run("validate", folder)
    assert result.exit_code == 0 and "read as GBK/GB18030" in result.output, result.output


def test_bytes_that_are_neither_utf8_nor_gbk_are_rejected_with_how_to_fix(tmp_path):
    folder = write_region(tmp_path / "bin", DISTRICTS, ZONES, derive={"method": "delaunay"})
    (folder / "zones.csv").write_bytes(b"zone_id,name\n\x81\x20\xff\xfe\n")
    result = run("validate", folder)
    assert result.exit_code == 2 and "zones.csv" in result.output and "CSV UTF-8" in result.output, result.output


def test_csv_text_of_text_and_float_columns_is_what_pandas_writes():
    """csv_text writes text and float columns itself (a sweep takes a plan.csv per variant): the same text as
    DataFrame.to_csv, with missing values, quotes, commas, line breaks and Chinese; other tables go to to_csv."""
    import numpy as np
    import pandas as pd

    from consolidate.office import _plain_csv, csv_text

    frame = pd.DataFrame({
        "zone_id": pd.array(["G1", "G,2", 'say "hi"', "two\nlines", None], dtype="str"),
        "name": ["天津", "", None, float("nan"), " lead"],
        "km": [0.0, -0.0, 1.23456, np.nan, 1e6 + 0.0005],
        "other": ["a", "b", "c", "d", "e"]}, index=[3, 1, 4, 1, 5])
    for options in ({"float_format": "%.3f"}, {"float_format": "%.4f", "columns": ["km", "zone_id"]}):
        assert _plain_csv(frame, list(options.get("columns", frame.columns)), options["float_format"]) is not None
        assert csv_text(frame, **options) == "\ufeff" + frame.to_csv(index=False, lineterminator="\n", **options)
    mixed = frame.assign(count=range(5), code=[1, "x", "y", "z", pd.NA])
    assert _plain_csv(mixed, list(mixed.columns), "%.3f") is None
    assert csv_text(mixed, float_format="%.3f") == "\ufeff" + mixed.to_csv(index=False, lineterminator="\n",
                                                                          float_format="%.3f")
    assert csv_text(frame.iloc[:0], float_format="%.3f") == "\ufeff" + frame.iloc[:0].to_csv(index=False,
                                                                                             lineterminator="\n")
