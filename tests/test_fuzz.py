"""Generated garbage at every loader and at the command line (`consolidate check` included): a clean error
(exit 2, with a message, nothing written) or a result — never a traceback (#12).

Sized for CI (about 1,300 cases; the cheap loaders get most of them, the commands that write files a few). The long run, by hand:

    CONSOLIDATE_FUZZ=long pytest tests/test_fuzz.py      # 20× the cases, no time limit per case
"""
from __future__ import annotations

import json
import os
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from consolidate.cli import main
from consolidate.errors import InputError
from consolidate.region import load_region
from consolidate.scenario import Scenario, load_scenario, resolve_scenario
from regions import write_region

settings.register_profile("fuzz-ci", deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("fuzz-long", deadline=None, suppress_health_check=list(HealthCheck))
PROFILE = "fuzz-long" if os.environ.get("CONSOLIDATE_FUZZ") == "long" else "fuzz-ci"
SCALE = 20 if PROFILE == "fuzz-long" else 1


def fuzz(examples: int):
    return settings(settings.get_profile(PROFILE), max_examples=examples * SCALE)


# --- garbage -------------------------------------------------------------------------------------------

WORDS = ["", "null", "true", "1", "-1", "0", "2.5", ".inf", ".nan", "[]", "{}", "[a, b]", "{a: 1}", "滨海新区",
         "G121002", "baseline", "nearby", "split:0.5", "split:2", "host", "~", "'", "\"", "[[", "{{", "\x00",
         "a" * 300, "1e400", "-0", "0x10", "yes", "[[G121002, G121002]]", "!!python/object:os.system ls"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(WORDS))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8) | st.sampled_from(
                                                         ["rules", "merging", "district_cap", "extends", "region"]),
                                                         inner, max_size=4)), max_leaves=12)


def scenario_keys() -> list[str]:
    """Every dotted key of the scenario schema (and a few that are not)."""
    keys = []

    def walk(model, prefix):
        for name, field in model.model_fields.items():
            sub = field.annotation
            if isinstance(sub, type) and hasattr(sub, "model_fields"):
                walk(sub, f"{prefix}{name}.")
            else:
                keys.append(f"{prefix}{name}")
    walk(Scenario, "")
    return keys + ["rules.district_caps.滨海新区", "rules.district_caps.X", "allocation.nosuch", "nosuch",
                   "rules", "merging", "rules.district_cap.x", "pins.forbid_pairs.0"]


KEYS = scenario_keys()
OVERRIDE = st.builds(lambda k, v: f"{k}={v}", st.sampled_from(KEYS),
                     st.one_of(st.sampled_from(WORDS), st.text(max_size=10),
                               DATA.map(lambda d: json.dumps(d, ensure_ascii=False, default=str))))


def no_traceback(result) -> None:
    """A CliRunner result: exit code 0, 2 or 3, a message when not 0, and no exception but SystemExit."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}\n{result.output}"
    assert result.exit_code in (0, 2, 3), result.output
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.output.strip()


# --- scenario files and --set ------------------------------------------------------------------------------


@fuzz(500)
@given(data=DATA, text=st.one_of(st.none(), st.text(max_size=60), st.sampled_from(
    ["extends: [baseline]", "extends: 5", "extends: {a: 1}", "extends: ./s.yaml", "extends: ../x/s.yaml",
     "rules: " + "[" * 5000, "a: &x [*x]", "\ufeffrules: {district_cap: 2}", "rules:\n\tdistrict_cap: 2"])))
def test_scenario_files(tmp_path_factory, data, text):
    folder = tmp_path_factory.mktemp("s")
    (folder / "x").mkdir()
    path = folder / "s.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        scenario = load_scenario(path)
    except InputError as error:
        assert error.problems and all(p.file and p.message for p in error.problems)
        return
    assert isinstance(scenario, Scenario)


TIANJIN = load_region("tianjin")


@fuzz(500)
@given(overrides=st.lists(OVERRIDE, min_size=1, max_size=3))
def test_set_overrides(overrides):
    try:
        region, scenario = resolve_scenario("baseline", TIANJIN, overrides)
    except InputError as error:
        assert error.problems and all(p.file and p.message for p in error.problems)
        return
    again = Scenario.model_validate(scenario.as_dict())   # what a sweep worker gets is the same scenario
    assert again.model_dump() == scenario.model_dump()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    districts = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
    zones = [{"zone_id": f"a{i}", "name": f"甲{i}", "district_id": "A", "lat": 39 + i / 50, "lon": 117.0,
              "level": "national" if i == 0 else "municipal"} for i in range(4)]
    zones += [{"zone_id": "b0", "name": "乙0", "district_id": "B", "lat": 39.3, "lon": 117.2}]
    return write_region(tmp_path_factory.mktemp("tiny") / "tiny", districts, zones,
                        derive={"method": "distance", "max_km": 30}, rules={"district_cap": 3})


@fuzz(30)
@given(overrides=st.lists(OVERRIDE, min_size=1, max_size=2))
def test_run_with_garbage_overrides(tmp_path_factory, tiny, overrides):
    out = tmp_path_factory.mktemp("run") / "out"
    args = ["run", "--region", str(tiny), "--no-charts", "--out", str(out)]
    result = CliRunner().invoke(main, args + [x for o in overrides for x in ("--set", o)])
    no_traceback(result)
    assert out.exists() == (result.exit_code == 0)


# --- region files ------------------------------------------------------------------------------------------

CELL = st.one_of(st.text(max_size=8), st.sampled_from(["", "nan", "inf", "-1", "1e400", "甲区", "A", "national",
                                                        "true", "\x00", "a1", '"', "99999999999999999999"]),
                 st.floats(allow_nan=True, allow_infinity=True).map(str))
REGION_YAML = st.fixed_dictionaries({}, optional={
    "units": DATA, "rules": st.one_of(DATA, st.fixed_dictionaries({}, optional={
        "district_cap": SCALARS, "exempt_districts": DATA, "district_caps": DATA})),
    "adjacency": st.one_of(DATA, st.fixed_dictionaries({"derive": st.fixed_dictionaries({}, optional={
        "method": st.sampled_from(["knn", "delaunay", "distance", "x"]) | SCALARS, "max_km": SCALARS,
        "k": SCALARS})})),
    "outlines": st.sampled_from(["districts.geojson", "nosuch.geojson", "zo\x00nes.csv"]) | SCALARS,
    "districts": SCALARS, "zones": st.sampled_from(["zones.csv", "nosuch.csv"]) | SCALARS,
    "name": SCALARS, "title": SCALARS, "extra_columns": DATA, "language": SCALARS})
GEOMETRY = st.one_of(DATA, st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]),
                                                  "coordinates": DATA}))


@fuzz(150)
@given(which=st.sampled_from(["zones.csv", "districts.csv", "region.yaml", "districts.geojson"]),
       row=st.integers(0, 5), column=st.integers(0, 20), cell=CELL, spec=REGION_YAML, geometry=GEOMETRY,
       raw=st.one_of(st.none(), st.binary(max_size=40), st.just(b"[" * 10000)))
def test_region_files(tmp_path_factory, tiny, which, row, column, cell, spec, geometry, raw):
    folder = tmp_path_factory.mktemp("r") / "region"
    shutil.copytree(tiny, folder)
    path = folder / which
    if raw is not None:
        path.write_bytes(raw)
    elif which.endswith(".csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.iat[row % len(frame), column % len(frame.columns)] = cell
        frame.to_csv(path, index=False)
    elif which == "region.yaml":
        base = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump({**base, **spec}, allow_unicode=True), encoding="utf-8")
    else:
        base = yaml.safe_load((folder / "region.yaml").read_text(encoding="utf-8"))
        (folder / "region.yaml").write_text(yaml.safe_dump({**base, "outlines": "districts.geojson"}), "utf-8")
        feature = {"type": "Feature", "properties": {"district_id": "A"}, "geometry": geometry}
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, default=str), "utf-8")
    try:
        region = load_region(folder)
    except InputError as error:
        assert error.problems and all(p.file and p.message for p in error.problems)
        return
    assert region.zones.index.is_unique


# --- plan folders read by allocate, plot, report, compare ------------------------------------------------


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory, tiny):
    out = tmp_path_factory.mktemp("plan") / "good"
    result = CliRunner().invoke(main, ["run", "--region", str(tiny), "--set", "rules.district_cap=2",
                                       "--no-charts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


SUMMARY_KEYS = ["region", "region_path", "status", "proven_optimal", "objective", "gap", "counts", "seconds",
                "checks", "scenario", "objective_parts", "allocation", "label", "input_files"]


def spoil(folder: Path, which: str, key: str, value, row: int, column: int, cell: str, raw) -> None:
    path = folder / which
    if raw is not None:
        path.write_bytes(raw)
    elif which == "summary.json":
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary[key] = value
        path.write_text(json.dumps(summary, ensure_ascii=False, default=str), encoding="utf-8")
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if len(frame):
            frame.iat[row % len(frame), column % len(frame.columns)] = cell
        else:
            frame.columns = [cell if k == column % len(frame.columns) else c for k, c in enumerate(frame.columns)]
        frame.to_csv(path, index=False)


PLAN_CHANGE = dict(which=st.sampled_from(["summary.json", "plan.csv", "districts.csv", "flows.csv"]),
                   key=st.sampled_from(SUMMARY_KEYS), value=DATA, row=st.integers(0, 10),
                   column=st.integers(0, 30), cell=CELL,
                   raw=st.one_of(st.none(), st.none(), st.binary(max_size=30), st.just(b"[" * 10000)))


def spoiled_copy(tmp_path_factory, plan_dir, **change) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("p")
    folder = work / "plan"
    shutil.copytree(plan_dir, folder)
    spoil(folder, **change)
    return folder, work / "out"


@fuzz(25)
@given(**PLAN_CHANGE)
def test_allocate_and_compare_read_spoiled_plans(tmp_path_factory, plan_dir, **change):
    folder, out = spoiled_copy(tmp_path_factory, plan_dir, **change)
    no_traceback(CliRunner().invoke(main, ["allocate", str(folder)]))
    result = CliRunner().invoke(main, ["compare", str(plan_dir), str(folder), "--no-charts", "--out", str(out)])
    no_traceback(result)
    if result.exit_code == 2:
        assert not out.exists()


def checked(result) -> None:
    """`consolidate check`: exit 0 (every rule holds), 1 (a rule breaks, named) or 2 (not a plan of the region,
    with a message), never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}\n{result.output}"
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output, result.output
    assert {0: "hold", 1: "BREAKS", 2: "Error: "}[result.exit_code] in result.output, result.output


def test_check_says_a_plan_csv_that_is_no_plan_is_bad_input(tmp_path_factory, plan_dir, tiny):
    folder, _ = spoiled_copy(tmp_path_factory, plan_dir, which="plan.csv", key="", value=None, row=0, column=0,
                             cell="", raw=b"[" * 10000)
    for args in ([str(folder)], [str(folder / "plan.csv"), "--scenario", "baseline", "--region", str(tiny)]):
        result = CliRunner().invoke(main, ["check", *args, "--no-optimum", "--lang", "en"])
        checked(result)
        assert result.exit_code == 2 and "plan.csv" in result.output


@fuzz(20)
@given(**PLAN_CHANGE, bare=st.booleans(), optimum=st.sampled_from([False, False, False, True]))
def test_check_reads_spoiled_plans(tmp_path_factory, plan_dir, tiny, bare, optimum, **change):
    folder, _ = spoiled_copy(tmp_path_factory, plan_dir, **change)
    args = [str(folder / "plan.csv"), "--scenario", "baseline", "--region", str(tiny)] if bare else [str(folder)]
    checked(CliRunner().invoke(main, ["check", *args, "--lang", "en"] + ([] if optimum else ["--no-optimum"])))


@fuzz(3)
@given(**PLAN_CHANGE)
def test_plot_and_report_read_spoiled_plans(tmp_path_factory, plan_dir, **change):
    folder, out = spoiled_copy(tmp_path_factory, plan_dir, **change)
    no_traceback(CliRunner().invoke(main, ["plot", str(folder)]))
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out / "r.html")])
    no_traceback(result)
    if result.exit_code == 2:
        assert not (out / "r.html").exists()


@fuzz(60)
@given(text=st.text(alphabet=string.printable + "甲区滨海\x00", max_size=40))
def test_command_line_words(tmp_path_factory, text):
    """Garbage as scenario names, region names and grid specs."""
    out = tmp_path_factory.mktemp("w") / "out"
    for args in (["show-scenario", text], ["validate", text], ["sweep", "--grid", text, "--out", str(out)],
                 ["show-scenario", "--set", text]):
        no_traceback(CliRunner().invoke(main, args))
