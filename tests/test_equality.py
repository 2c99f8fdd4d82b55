"""A sweep row and a compare row are the plan `consolidate run` gives with the same `--set`.

Status, objective and plan.csv byte for byte: for every bundled scenario on its own region, and for a grid
over the cap, contiguity, revocation and an objective weight — sweeps in 1 and 2 processes and on Dask.
They all resolve the scenario through `consolidate.scenario.resolve_scenario`; these tests say so.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.compare import safe_name as plan_folder_name
from consolidate.resources import bundled_scenarios
from consolidate.scenario import load_scenario

SLOW = {"tianjin-2018-campaign-connect"}   # 20 s a solve: run and compare only (the grid sweeps `connected`)
EXIT_STATUS = {3: "infeasible", 4: "stopped", 2: "input_error"}
GRID = ["rules.district_cap=2,3", "merging.contiguity=nearby,connected", "revocation.allowed=true,false",
        "objective.weights.distance=1,4"]   # 16 variants on baseline (adjacent is baseline's own)


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), terminal_width=200)
    assert result.exit_code in (0, 3, 4), result.output
    return result


def run(tmp: Path, scenario: str, overrides: list[str]) -> tuple[str, float | None, str | None]:
    """(status, objective, sha256 of plan.csv) of `consolidate run SCENARIO --set …`."""
    out = tmp / f"run-{hashlib.sha1(json.dumps([scenario, overrides]).encode()).hexdigest()[:10]}"
    result = cli("run", scenario, *[x for o in overrides for x in ("--set", o)], "--no-charts", "--out", str(out))
    if result.exit_code:
        return EXIT_STATUS[result.exit_code], None, None
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary["status"], summary["objective"], sha256(out / "plan.csv")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sweep_rows(out: Path) -> dict[tuple, tuple]:
    """sweep.csv as {parameter values: (status, objective, plan sha256)}."""
    rows = pd.read_csv(out / "sweep.csv", dtype=str, keep_default_na=False)
    parameters = list(rows.columns[1:rows.columns.get_loc("status")])
    return {tuple(f"{p}={row[p]}" for p in parameters):
            (row["status"], float(row["objective"]) if row["objective"] else None, row["plan_sha256"] or None)
            for _, row in rows.iterrows()}


def compare_rows(out: Path) -> dict[str, tuple]:
    """comparison.csv as {label: (status, objective, plan sha256)}, the objective and plan.csv from plans/LABEL/."""
    rows = pd.read_csv(out / "comparison.csv", dtype=str, keep_default_na=False)
    found = {}
    for row in rows.itertuples():
        plan = out / "plans" / plan_folder_name(row.scenario)
        if (plan / "summary.json").is_file():
            summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
            assert summary["status"] == row.status
            assert hashlib.sha256((plan / "plan.csv").read_bytes()).hexdigest() == row.plan_sha256
            found[row.scenario] = (row.status, summary["objective"], row.plan_sha256)
        else:
            found[row.scenario] = (row.status, None, None)
    return found


def grid_overrides() -> list[list[str]]:
    from consolidate.sweep import make_variants, parse_grid

    variants, _ = make_variants(parse_grid(GRID))
    return [[f"{k}={v if not isinstance(v, bool) else str(v).lower()}" for k, v in variant.values.items()]
            for variant in variants]   # as a planner types them: --set merging.contiguity=nearby


def key(overrides: list[str]) -> tuple:
    """The sweep.csv row of these overrides (its values are JSON)."""
    return tuple(overrides)


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("equality")


# --- the reported bug ---------------------------------------------------------------------------------


def test_sweep_of_cap_3_is_the_run_of_cap_3_with_binhai_exempt(tmp):
    """#12: the sweep wrote each variant before the region's rules were applied, so `exempt_districts: []`
    overrode Tianjin's 滨海新区 and cap 3 came out infeasible; it is the run's proven optimum, 0.3416."""
    cli("sweep", "baseline", "--grid", "rules.district_cap=3,4", "--workers", "1", "--no-progress", "--no-charts",
        "--out", str(tmp / "bug"))
    rows = sweep_rows(tmp / "bug")
    status, objective, plan = rows[("rules.district_cap=3",)]
    assert (status, round(objective, 4)) == ("optimal", 0.3416)
    assert (status, objective, plan) == run(tmp, "baseline", ["rules.district_cap=3"])
    assert rows[("rules.district_cap=4",)] == run(tmp, "baseline", ["rules.district_cap=4"])


# --- every bundled scenario, on its own region -------------------------------------------------------------


def test_every_bundled_scenario_swept_and_compared_equals_its_run(tmp):
    names = bundled_scenarios()
    by_region: dict[str, list[str]] = {}
    for name in names:
        by_region.setdefault(load_scenario(name).region, []).append(name)
    assert set(by_region) == {"tianjin", "tianjin-314"}

    compared = {}
    for region, group in by_region.items():
        out = tmp / f"compare-{region}"
        cli("compare", *group, "--no-charts", "--out", str(out))
        compared.update(compare_rows(out))
    for name in names:
        ran = run(tmp, name, [])
        assert compared[name] == ran, name
        if name in SLOW:
            continue
        out = tmp / f"sweep-{name}"   # a one-variant sweep: a key set to its own value
        cli("sweep", name, "--grid", "solver.threads=1", "--workers", "1", "--no-progress", "--no-charts",
            "--out", str(out))
        assert sweep_rows(out) == {("solver.threads=1",): ran}, name


# --- a grid over the cap, contiguity, revocation and a weight ----------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp):
    return {key(o): run(tmp, "baseline", o) for o in grid_overrides()}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_grid_sweep_rows_equal_runs(tmp, runs, workers):
    out = tmp / f"grid-sweep-{workers}"
    cli("sweep", "baseline", *[x for g in GRID for x in ("--grid", g)], "--workers", workers, "--no-progress",
        "--no-charts", "--out", str(out))
    rows = sweep_rows(out)
    assert rows == runs
    assert {status for status, _, _ in rows.values()} >= {"optimal"}


def test_grid_compare_rows_equal_runs(tmp, runs):
    for overrides in grid_overrides()[::5]:   # 4 of the 16, every value of every key among them
        out = tmp / "grid-compare"
        cli("compare", "baseline", *[x for o in overrides for x in ("--set", o)], "--no-charts", "--out", str(out))
        assert list(compare_rows(out).values()) == [runs[key(overrides)]], overrides


def test_dask_sweep_rows_equal_runs(tmp, runs):
    pytest.importorskip("distributed")
    grid = ["rules.district_cap=2,3", "merging.contiguity=connected", "revocation.allowed=false",
            "objective.weights.distance=4"]
    out = tmp / "grid-dask"
    cli("sweep", "baseline", *[x for g in grid for x in ("--grid", g)], "--workers", "2", "--dask", "local",
        "--no-progress", "--no-charts", "--out", str(out))
    rows = sweep_rows(out)
    assert len(rows) == 2 and rows == {k: runs[k] for k in rows}
