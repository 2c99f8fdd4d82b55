"""`consolidate sweep`: a grid of variants, locally and on Dask, identical rows; resume; failures are rows."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate.cli.sweep import sweep_command
from consolidate.errors import InputError
from consolidate.resources import scenarios_dir
from consolidate.sweep import make_variants, parse_grid, read_sweep, run_sweep, variant_id
from probes import forked_probe
from regions import write_scenario

GRID = ["rules.district_cap=0,1,2,3", "merging.cross_district=true,false"]   # 8 variants; cap 0 is infeasible


@pytest.fixture
def base(small_region, tmp_path):
    return write_scenario(tmp_path / "base.yaml", small_region, extends=str(scenarios_dir() / "baseline.yaml"),
                          rules={"exempt_districts": ["丙区"]}, revocation={"allowed": False})


def without_timing(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="seconds")


def test_grid_values_are_typed_and_ids_are_stable():
    grid = parse_grid(["rules.district_cap=2,3", "allocation.gdp=host,split:0.5",
                       "rules.exempt_districts=[],[滨海新区]", "merging.max_distance_km=null,12.5"])
    assert grid == [("rules.district_cap", [2, 3]), ("allocation.gdp", ["host", {"split": 0.5}]),
                    ("rules.exempt_districts", [[], ["滨海新区"]]), ("merging.max_distance_km", [None, 12.5])]
    variants, parameters = make_variants(grid)
    assert len(variants) == 16 and len({v.id for v in variants}) == 16
    assert parameters == [k for k, _ in grid]
    assert variant_id(["a.b=1", "c=true"]) == variant_id(["c=true", "a.b=1"]) != variant_id(["a.b=2", "c=true"])
    assert variant_id(["a=1", "a=2"]) == variant_id(["a=2"])


def test_local_and_dask_give_identical_rows_and_resume_solves_nothing(base, tmp_path):
    local, dask = tmp_path / "local", tmp_path / "dask"
    args = [str(base), *[x for g in GRID for x in ("--grid", g)], "--workers", "2", "--no-progress", "--lang", "en"]
    result = CliRunner().invoke(sweep_command, [*args, "--out", str(local)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "8 variants" in result.output and "8 solved now" in result.output
    pytest.importorskip("distributed")
    result = CliRunner().invoke(sweep_command, [*args, "--out", str(dask), "--dask", "local"], terminal_width=200)
    assert result.exit_code == 0, result.output

    rows = without_timing(local / "sweep.csv")
    pd.testing.assert_frame_equal(rows, without_timing(dask / "sweep.csv"))
    assert len(rows) == 8 and list(rows.columns[:3]) == ["variant", "rules.district_cap", "merging.cross_district"]
    assert list(rows["rules.district_cap"]) == ["0", "0", "1", "1", "2", "2", "3", "3"]   # grid order
    status = dict(zip(zip(rows["rules.district_cap"], rows["merging.cross_district"]), rows["status"]))
    assert status[("0", "true")] == "infeasible" and status[("3", "true")] == "optimal"
    infeasible = rows[rows["status"] == "infeasible"]
    assert (infeasible["message"].str.contains("no plan satisfies")).all() and (infeasible["objective"] == "").all()

    before = pd.read_csv(local / "sweep.csv", dtype=str, keep_default_na=False)
    again = run_sweep(str(base), parse_grid(reversed(GRID)), local, workers=2, resume=True, progress=False,
                      echo=lambda _: None)
    assert again.solved == 0 and again.skipped == 8
    after = pd.read_csv(local / "sweep.csv", dtype=str, keep_default_na=False)
    assert set(before["variant"]) == set(after["variant"])
    merged = before.merge(after, on="variant", suffixes=("", "_again"))
    assert (merged["seconds"] == merged["seconds_again"]).all()      # the same timings: nothing re-solved
    assert (merged["status"] == merged["status_again"]).all()


def test_resume_solves_only_new_and_unfinished_variants(base, tmp_path):
    out = tmp_path / "sweep"
    quiet = dict(workers=1, progress=False, echo=lambda _: None)
    run_sweep(str(base), parse_grid(["rules.district_cap=2,3"]), out, **quiet)
    table = pd.read_csv(out / "sweep.csv", dtype=str, keep_default_na=False)
    table.loc[0, "status"] = "error"              # as if the worker had died on it
    table.to_csv(out / "sweep.csv", index=False)
    result = run_sweep(str(base), parse_grid(["rules.district_cap=2,3,4"]), out, resume=True, **quiet)
    assert (result.solved, result.skipped) == (2, 1)
    assert list(result.rows["status"]) == ["optimal"] * 3
    with pytest.raises(InputError, match="different set"):
        run_sweep(str(base), parse_grid(["rules.district_cap=2"]), out, fixed=["merging.cross_district=false"],
                  resume=True, **quiet)


def test_invalid_and_infeasible_variants_are_rows(base, tmp_path):
    out = tmp_path / "bad"
    result = run_sweep(str(base), parse_grid(["rules.district_cap=-1,0,3"]), out, workers=1, progress=False,
                       echo=lambda _: None)
    rows = result.rows.set_index("rules.district_cap")
    assert rows.loc["-1", "status"] == "input_error" and "rules.district_cap" in rows.loc["-1", "message"]
    assert rows.loc["0", "status"] == "infeasible"
    assert rows.loc["3", "status"] == "optimal" and rows.loc["3", "proven_optimal"] == "true"
    typed = read_sweep(out).set_index("rules.district_cap")
    assert typed.loc[3, "hosts"] + typed.loc[3, "members"] + typed.loc[3, "revoked"] == 7
    assert typed.loc[3, "proven_optimal"] is True


def test_a_sweep_where_no_variant_is_valid_is_exit_2(base, tmp_path):
    result = CliRunner().invoke(sweep_command, [str(base), "--grid", "rules.district_cpa=1,2",
                                                "--out", str(tmp_path / "typo")])
    assert result.exit_code == 2 and "district_cpa" in result.output


def test_variants_file(base, tmp_path):
    variants = tmp_path / "variants.csv"
    variants.write_text("rules.district_cap,allocation.gdp\n2,host\n3,split:0.5\n", encoding="utf-8")
    result = CliRunner().invoke(sweep_command, [str(base), "--variants", str(variants), "--workers", "1",
                                                "--no-progress", "--out", str(tmp_path / "v")])
    assert result.exit_code == 0, result.output
    rows = read_sweep(tmp_path / "v")
    assert list(rows["allocation.gdp"]) == ["host", {"split": 0.5}] and list(rows["status"]) == ["optimal"] * 2


def test_closing_charts_drawn_by_the_early_child_equal_charts_drawn_here(base, small_region, tmp_path):
    """The child a sweep forks at its start draws the same chart files as drawing them in this process, and
    the sweep's own process never loads matplotlib (a fresh process: no threads, so it forks)."""
    from consolidate.charts.sweep import sweep_charts
    from consolidate.sweep import _units

    out = forked_probe("from consolidate.sweep import parse_grid, run_sweep\n"
                       f"run_sweep({str(base)!r}, parse_grid({GRID!r}), {str(tmp_path / 'sweep')!r}, "
                       f"region={str(small_region)!r}, workers=2, progress=False, echo=lambda _: None)\n"
                       "print('figure', 'matplotlib.figure' in sys.modules)")
    assert "figure False" in out
    here = sweep_charts(read_sweep(tmp_path / "sweep"), [k.split("=")[0] for k in GRID], tmp_path / "here",
                        **_units(str(small_region)))
    assert sorted(p.name for p in here) == ["pareto.png", "sweep.png"]
    for path in here:
        assert (tmp_path / "sweep" / path.name).read_bytes() == path.read_bytes(), path.name


# --- the workers' runs ------------------------------------------------------------------------------------------


def test_each_worker_takes_its_own_run_then_the_far_end_of_the_longest_run_left():
    import multiprocessing
    import random

    from consolidate.sweep import claim, runs_of

    runs = runs_of(8, 2, multiprocessing.get_context())
    assert [claim(runs, 0) for _ in range(6)] == [0, 1, 2, 3, 7, 6]   # its run, then the other's from its end
    assert [claim(runs, 1) for _ in range(2)] == [4, 5]
    for n, workers in ((7, 2), (8, 3), (2, 2), (10, 4)):
        runs, rng = runs_of(n, workers, multiprocessing.get_context()), random.Random(n)
        taken = [(k, claim(runs, k)) for k in (rng.randrange(workers) for _ in range(n))]
        assert sorted(i for _, i in taken) == list(range(n))         # every task once
        size = -(-n // workers)
        for worker in range(workers):
            own = [i for k, i in taken if k == worker and i // size == worker]
            assert own == list(range(worker * size, worker * size + len(own)))   # its own run in order


def test_rows_are_the_same_whichever_worker_takes_which_variant(base, monkeypatch):
    """Each worker keeps the warm models of the variants it solved: whatever runs and steals give it, each row
    is the row one worker solving the grid in order gives."""
    import multiprocessing
    import random

    from consolidate import sweep

    variants, _ = make_variants(parse_grid(GRID))
    tasks = [sweep.make_task(v.id, str(base), None, v.overrides) for v in variants]

    def rows(order):   # order: (worker, task index), each worker with its own kept solvers, as its own process
        kept, out = {}, {}
        for worker, i in order:
            monkeypatch.setattr(sweep, "_SOLVERS", kept.setdefault(worker, {}))
            out[i] = {k: v for k, v in sweep.run_variant(tasks[i]).items() if k != "seconds"}
        return out

    expected = rows([(0, i) for i in range(len(tasks))])
    assert {row["status"] for row in expected.values()} == {"optimal", "infeasible"}
    for workers in (2, 3):
        runs, rng = sweep.runs_of(len(tasks), workers, multiprocessing.get_context()), random.Random(workers)
        order = [(k, sweep.claim(runs, k)) for k in (rng.randrange(workers) for _ in tasks)]
        assert rows(order) == expected, order


@pytest.mark.skipif(not __import__("consolidate.engine").engine.pool_forks(), reason="the workers must inherit the patch")
def test_a_worker_that_dies_leaves_rows_with_the_error(base, tmp_path, monkeypatch):
    import os

    from consolidate import sweep

    variants, _ = make_variants(parse_grid(GRID))
    solve = sweep.run_variant
    monkeypatch.setattr(sweep, "run_variant", lambda task: os._exit(1) if task.variant == variants[5].id else solve(task))
    result = run_sweep(str(base), parse_grid(GRID), tmp_path / "died", workers=2, charts=False, progress=False,
                       echo=lambda _: None)
    rows = result.rows.set_index("variant")
    assert len(rows) == 8 and rows.loc[variants[5].id, "status"] == "error"
    assert "terminated abruptly" in rows.loc[variants[5].id, "message"]
    assert set(rows["status"]) <= {"optimal", "infeasible", "error"}


def test_the_sweep_prints_in_the_language_asked_else_the_regions(base, small_region, tmp_path):
    """`--lang zh` prints Chinese lines, `--lang en` English; unset, the region's `language:` decides (as `run`)."""
    args = [str(base), "--grid", "rules.district_cap=2,3", "--no-progress", "--no-charts"]
    chinese = CliRunner().invoke(sweep_command, [*args, "--out", str(tmp_path / "zh"), "--lang", "zh"])
    assert chinese.exit_code == 0 and "2 个组合" in chinese.output and "已写入" in chinese.output
    assert "variants" not in chinese.output and "written to" not in chinese.output
    english = CliRunner().invoke(sweep_command, [*args, "--out", str(tmp_path / "en"), "--lang", "en"])
    assert english.exit_code == 0 and "2 variants: 2 optimal" in english.output and "written to" in english.output
    with open(small_region / "region.yaml", "a", encoding="utf-8") as spec:
        spec.write("language: en\n")
    by_region = CliRunner().invoke(sweep_command, [*args, "--out", str(tmp_path / "region")])
    assert by_region.exit_code == 0 and "2 variants" in by_region.output
    assert without_timing(tmp_path / "zh" / "sweep.csv").equals(without_timing(tmp_path / "en" / "sweep.csv"))
