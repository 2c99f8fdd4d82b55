"""Sweeps: one scenario solved under many variants of its keys, in parallel, into one table.

    >>> grid = parse_grid(["rules.district_cap=2,3,4", "objective.weights.distance=0.5,1,4"])
    >>> result = run_sweep("baseline", grid, out="out/sweep", workers=4)          # local processes
    >>> result = run_sweep("baseline", grid, out="out/sweep", dask="local")       # or a Dask cluster
    >>> result.rows          # sweep.csv: variant, the parameters, status, objective and its parts, …, seconds

A variant is a set of `--set` overrides on top of the scenario; its id is a hash of them (stable across
runs, machines and the order the grid is written in). Each variant is solved by `compare.solve_outcome`,
so infeasible, stopped and invalid variants are rows with their status and message, never a crash.
Rows come out in grid order whatever order they finish in, and every column but `seconds` is the
same run to run, locally or on Dask. `sweep.csv` is rewritten (atomically) as variants finish, so
`resume=True` after an interruption solves only what has no final status yet.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import yaml

from .compare import METRICS, distance_unit, draw_charts, metrics, one_line, region_unit, solve_outcome
from .errors import ConsolidateError, InputError, InputIssue
from .io import claim_folder, write_text
from .office import csv_text
from .scenario import parse_override, resolve_scenario, resolve_scenario_path

FINAL = {"optimal", "feasible", "infeasible", "stopped", "input_error", "check_failed"}
CSV_NAME, META_NAME = "sweep.csv", "sweep.json"


# --- variants ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """What a worker needs to solve one variant (plain data: it travels to other processes and machines)."""

    variant: str
    scenario: dict            # the resolved scenario (region rules applied), validated by the client
    region: str               # the scenario's region (bundled name or absolute path)


def make_task(variant: str, scenario: str | Path, region: str | None, overrides: list[str],
              loaded: dict | None = None) -> Task:
    """The Task for one variant: the scenario `consolidate run SCENARIO --region REGION --set …` solves.
    `loaded`: regions already read, by name (see `resolve_scenario`)."""
    _, resolved = resolve_scenario(scenario, region, overrides, loaded=loaded)
    return Task(variant, resolved.as_dict(), resolved.region)


@dataclass
class Variant:
    index: int
    values: dict[str, Any]                     # parameter key → value
    overrides: list[str] = field(default_factory=list)
    id: str = ""


def _canonical(override: str) -> tuple[str, str]:
    path, value = parse_override(override)
    return ".".join(path), json.dumps(value, ensure_ascii=False, sort_keys=True)


def variant_id(overrides: Iterable[str]) -> str:
    """A stable id for a set of overrides: the same keys and values give the same id, in any order."""
    final = dict(_canonical(o) for o in overrides)   # a later override of a key wins, as in --set
    text = "\n".join(f"{k}={v}" for k, v in sorted(final.items()))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def parse_grid(specs: Iterable[str]) -> list[tuple[str, list]]:
    """`key=v1,v2,…` → (key, [values]), each value read as YAML (`[a,b]` lists and `split:0.5` work)."""
    grid = []
    for spec in specs:
        key, sep, raw = spec.partition("=")
        if not sep or not key.strip() or not raw.strip():
            raise InputError(InputIssue("--grid", f"'{spec}' is not key=v1,v2,…",
                                     "write e.g. --grid rules.district_cap=2,3,4"))
        try:
            items = yaml.safe_load(f"[{raw}]")
        except yaml.YAMLError:
            items = [part.strip() for part in raw.split(",")]
        values = [parse_override(f"{key}={json.dumps(item, ensure_ascii=False)}")[1] for item in items]
        grid.append((key.strip(), values))
    return grid


def read_variants(path: str | Path) -> list[dict[str, Any]]:
    """Explicit variants: a CSV (a column per key, a row per variant, cells read as YAML) or a YAML list
    of mappings {key: value} with dotted keys."""
    path = Path(path)
    if not path.is_file():
        raise InputError(InputIssue(str(path), "no such file", "give a .csv or .yaml file of variants"))
    if path.suffix.lower() == ".csv":
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(InputIssue(path.name, f"cannot be read as CSV: {exc}",
                                     "write a header of scenario keys and a row per variant")) from None
        return [{k: parse_override(f"{k}={v}")[1] for k, v in row.items() if v != ""}
                for row in frame.to_dict("records")]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(InputIssue(path.name, f"not valid YAML: {exc}", "fix the YAML syntax")) from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise InputError(InputIssue(path.name, "variants must be a YAML list of mappings",
                                 "write e.g. - {rules.district_cap: 2, merging.cross_district: false}"))
    return [{str(k): v for k, v in row.items()} for row in data]


def swept_keys(grid: list[tuple[str, list]], explicit: list[dict] | None = None) -> list[str]:
    """The parameters of a sweep: the explicit variants' keys, then the grid's."""
    parameters: list[str] = []
    for row in explicit or []:
        parameters += [k for k in row if k not in parameters]
    parameters += [k for k, _ in grid if k not in parameters]
    return parameters


def make_variants(grid: list[tuple[str, list]], explicit: list[dict] | None = None,
                  fixed: Iterable[str] = ()) -> tuple[list[Variant], list[str]]:
    """Every explicit variant (or one empty one) × the cartesian product of the grid; duplicates dropped."""
    fixed = list(fixed)
    parameters = swept_keys(grid, explicit)
    keys = [k for k, _ in grid]
    out, seen = [], set()
    for base in explicit or [{}]:
        for combo in itertools.product(*[values for _, values in grid]):
            values = {**base, **dict(zip(keys, combo))}
            overrides = fixed + [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
            vid = variant_id(overrides)
            if vid not in seen:
                seen.add(vid)
                out.append(Variant(len(out), values, overrides, vid))
    return out, parameters


# --- solving one variant (in a worker) -----------------------------------------------------------------

_SOLVERS: dict[str, Any] = {}   # per process: region name/path → its WarmSolver (region, graph, models), built once


def warm_solver(name: str, region=None):
    """This process's `warm.WarmSolver` of region `name`, kept for every later variant: loaded once, or
    made for `region` when one is given (a region just read replaces the one kept: the files may have
    changed since)."""
    from .warm import WarmSolver

    if region is not None and (name not in _SOLVERS or _SOLVERS[name].region is not region):
        _SOLVERS[name] = WarmSolver(region)
    elif name not in _SOLVERS:
        from .region import load_region

        _SOLVERS[name] = WarmSolver(load_region(name))
    return _SOLVERS[name]


def cached_region(name: str):
    """(region, graph) of region `name`, loaded once per process."""
    solver = warm_solver(name)
    return solver.region, solver.graph


def run_variant(task: Task) -> dict[str, Any]:
    """Solve one variant into its row; never raises (a failure is a row with its status and message)."""
    from .scenario import scenario_from_dict

    started = time.perf_counter()
    try:
        def load():
            region, graph = cached_region(task.region)
            return region, scenario_from_dict(task.scenario, where=f"variant {task.variant}"), graph

        outcome = solve_outcome(task.variant, load, warm=warm_solver(task.region))
        row = {**metrics(outcome.plan, outcome.status), "message": outcome.message}
    except Exception as error:  # noqa: BLE001 - a worker must report, not die
        row = {**metrics(None, "error"), "message": one_line(error)}
    row["variant"] = task.variant
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def failed_row(variant: str, status: str, message: str) -> dict[str, Any]:
    return {**metrics(None, status), "message": message, "variant": variant, "seconds": 0.0}


# --- running many ---------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    rows: pd.DataFrame
    parameters: list[str]
    solved: int                 # variants solved in this run
    skipped: int                # variants already final in sweep.csv (--resume)
    seconds: float
    folder: Path
    lang: str = "zh"            # the words its charts and lines are in


def columns(parameters: list[str]) -> list[str]:
    return ["variant", *parameters, *METRICS, "message", "seconds"]


def run_sweep(scenario: str, grid: list[tuple[str, list]], out: str | Path, *, variants: list[dict] | None = None,
              fixed: Iterable[str] = (), region: str | None = None, workers: int | None = None,
              dask: str | None = None, resume: bool = False, progress: bool = True, charts: bool = True,
              echo: Callable[[str], None] = print, lang: str | None = None) -> SweepResult:
    """Solve `scenario` under every combination of `grid` (and each of `variants`) into OUT/sweep.csv; see the
    `consolidate sweep` command. `lang`: the words of the charts and of `echo`; by default the region's."""
    from ._alongside import Helper

    started = time.perf_counter()
    # the closing charts' child forks first (no thread runs yet): it loads matplotlib and the fonts while
    # the region is read and the variants are solved, and draws when the rows are there
    prepare = functools.partial(_prepare_charts, _swept_values(grid, variants), lang or "zh")   # (a guess at worst)
    with Helper(prepare=prepare) if charts else contextlib.nullcontext() as drawer:
        return _sweep(scenario, grid, out, variants, list(fixed), region, workers, dask, resume, progress, charts,
                      echo, lang, drawer, started)


def _sweep(scenario, grid, out, variants, fixed, region, workers, dask, resume, progress, charts, echo, lang,
           drawer, started) -> SweepResult:
    if region and Path(region).expanduser().exists():   # workers may run elsewhere than this folder
        region = str(Path(region).expanduser().resolve())
    base_region, base = resolve_scenario(scenario, region, fixed)   # a bad base scenario stops here (exit 2)
    lang = base_region.words_in(lang)
    scenario_path = str(resolve_scenario_path(scenario))
    all_variants, parameters = make_variants(grid, variants, fixed)
    if not all_variants or not parameters:
        raise InputError(InputIssue("sweep", "nothing to sweep", "give at least one --grid KEY=V1,V2 or --variants FILE"))
    folder = claim_folder(out, kind="sweep")  # filled in place as variants finish, so --resume can keep them
    meta = {"scenario": scenario_path, "region": region, "set": fixed, "parameters": parameters}
    done = _previous(folder, meta) if resume else {}

    order = {v.id: v.index for v in all_variants}
    rows: dict[str, dict] = dict(done)
    tasks, skipped, invalid = [], 0, 0
    loaded = {base.region: base_region}   # every variant's region read once
    for v in all_variants:
        row = rows.setdefault(v.id, {})
        row.update({"variant": v.id, **{k: _text(val) for k, val in v.values.items()}})
        if row.get("status") in FINAL:
            skipped += 1
            continue
        try:
            tasks.append(make_task(v.id, scenario_path, region, v.overrides, loaded))
        except ConsolidateError as error:   # this variant's values are invalid: a row, not a crash
            row.update(_texts(failed_row(v.id, "input_error", one_line(error))))
            invalid += 1
    if invalid == len(all_variants):
        raise InputError(InputIssue("sweep", "no variant is a valid scenario: " + rows[all_variants[0].id]["message"],
                                 "check the --grid keys and values"))
    words = STARTING[lang]
    echo(words["line"].format(name=base.name, n=len(all_variants), keys=", ".join(parameters), todo=len(tasks))
         + (words["done"].format(n=skipped) if skipped else "") + (words["invalid"].format(n=invalid) if invalid else ""))
    _write_json(folder / META_NAME, meta)

    writer = _Writer(folder, parameters, rows, order)
    try:
        for row in _execute(tasks, workers, dask, progress, echo, loaded):
            rows[row["variant"]].update(_texts(row))
            writer.maybe_write()
    finally:
        writer.write()
    table = writer.frame()
    if charts:
        draw_charts(_drawn_by, drawer, _typed(table), parameters, folder, lang=lang, **_units(base.region, lang))
    return SweepResult(table, parameters, len(tasks), skipped, time.perf_counter() - started, folder, lang)


STARTING = {"en": {"line": "sweep of {name}: {n} variants over {keys}; {todo} to solve", "done": ", {n} already done",
                   "invalid": ", {n} invalid"},
            "zh": {"line": "方案 {name} 的参数扫描：{keys} 的 {n} 个组合，待求解 {todo} 个", "done": "，已完成 {n} 个",
                   "invalid": "，无效 {n} 个"}}


_PREPARED: dict[str, Any] = {}   # in the closing charts' child: the sweep figure's panels, made before the rows come


def _swept_values(grid: list[tuple[str, list]], variants: list[dict] | None) -> dict[str, list]:
    """The values of each swept parameter as far as known before the rows (the grid's and the explicit
    variants', each once): the sweep figure's x ticks and legend entries."""
    values: dict[str, dict[str, Any]] = {key: {} for key in swept_keys(grid, variants)}
    for row in variants or []:
        for key, value in row.items():
            values[key].setdefault(_text(value), value)
    for key, listed in grid:
        for value in listed:
            values[key].setdefault(_text(value), value)
    return {key: list(known.values()) for key, known in values.items()}


def _prepare_charts(values: dict[str, list], lang: str) -> None:
    """What the closing charts need, loaded by their child while the sweep runs (a child that only draws and
    ends, so without matplotlib's Artist docstrings, as `charts.drawer`'s), and the sweep figure's empty panels
    with the ticks they will need and the texts the swept values say measured."""
    from .charts import drawing_only

    drawing_only()
    from .charts.plan import warm_up
    from .charts.sweep import QUANTITIES, measure_known_texts, sweep_frame

    warm_up()
    frame = sweep_frame(len(QUANTITIES), len(values), x_ticks=[len(v) for v in values.values()])
    measure_known_texts(frame[0], values, lang)
    _PREPARED["sweep"] = frame


def _drawn_by(drawer, rows: pd.DataFrame, parameters: list[str], folder: Path, **options) -> None:
    """The closing charts drawn by `drawer`, the child `run_sweep` forked at its start; its failure raised here."""
    with drawer.alongside(_charts, rows, parameters, folder, **options):
        pass


def _charts(rows: pd.DataFrame, parameters: list[str], folder: Path, **options) -> None:
    """The closing charts: the trade-off figure drawn by a forked child while this process draws the other."""
    from ._alongside import alongside
    from .charts.sweep import sweep_charts

    with alongside(sweep_charts, rows, parameters, folder, figures=("pareto",), **options):
        sweep_charts(rows, parameters, folder, figures=("sweep",), frame=_PREPARED.pop("sweep", None), **options)


def _units(region: str, lang: str = "zh") -> dict[str, str]:
    """The base region's GDP unit and the unit its distances are priced in, for the charts' axes (none
    when the region cannot be read here)."""
    try:
        loaded = cached_region(region)[0]
    except ConsolidateError:
        return {}
    return {"unit": region_unit(loaded, lang=lang), "per": distance_unit(loaded)}


def _execute(tasks: list[Task], workers: int | None, dask: str | None, progress: bool,
             echo: Callable[[str], None], loaded: dict | None = None) -> Iterable[dict]:
    if not tasks:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    # Processes start (and work is submitted) before the progress bar's thread does.
    runner = _dask_rows(tasks, dask, workers, echo) if dask else _local_rows(tasks, workers, loaded or {})
    with _progress(len(tasks), progress) as advance:
        for row in runner:
            advance(row)
            yield row


def _local_rows(tasks: list[Task], workers: int, loaded: dict) -> Iterable[dict]:
    """Rows of `tasks` solved here (1 worker) or by worker processes, each on its own run of neighbours."""
    from concurrent.futures import as_completed

    from .engine import pool_context, pool_forks, worker_pool

    if workers == 1 or pool_forks():
        prepare_workers(tasks, loaded)
    if workers == 1:
        return (run_variant(task) for task in tasks)
    pool = worker_pool(workers, initializer=_join_runs, initargs=(tasks, runs_of(len(tasks), workers, pool_context())))
    futures = dict.fromkeys(pool.submit(_run_next) for _ in tasks)   # each call solves the task its worker claims
    return _finished(futures, tasks, as_completed,
                     lambda failed: pool.shutdown(wait=not failed, cancel_futures=failed))


# Each worker process solves its own run of neighbouring variants (next to each other in the grid they differ in
# one value, so its warm models re-solve from a neighbour's basis and `warm._still_unique` finds the cheaper
# neighbour it proved), and a worker whose run is done takes the last task of the longest run left, the far end
# from where that run's worker is. The runs' bounds are in shared memory: [next worker number, start₀, end₀, …].


def runs_of(n: int, workers: int, context) -> Any:
    """Tasks 0…n−1 cut into `workers` runs of neighbours (shared memory, for `_join_runs`)."""
    size = -(-n // workers)
    return context.Array("l", [0, *(min(k * size + end, n) for k in range(workers) for end in (0, size))])


def claim(runs, own: int) -> int:
    """The next task of run `own` (a worker's own), or when it is done the last task of the longest run left."""
    with runs.get_lock():
        if runs[1 + 2 * own] < runs[2 + 2 * own]:
            runs[1 + 2 * own] += 1
            return runs[1 + 2 * own] - 1
        longest = max(range(len(runs) // 2), key=lambda k: runs[2 + 2 * k] - runs[1 + 2 * k])
        runs[2 + 2 * longest] -= 1
        return runs[2 + 2 * longest]


_RUNS: tuple = ()   # in a worker process: (the tasks, the runs' shared bounds, this worker's run)


def _join_runs(tasks: list[Task], runs) -> None:
    global _RUNS
    # what this worker inherited stays uncollected: a collection would touch (and so copy) every page of it
    gc.freeze()
    with runs.get_lock():
        _RUNS = (tasks, runs, runs[0])
        runs[0] += 1


def _run_next() -> dict[str, Any]:
    tasks, runs, own = _RUNS
    return run_variant(tasks[claim(runs, own)])


def prepare_workers(tasks: list[Task], loaded: dict) -> None:
    """What every worker needs, made here once before the workers fork (they inherit it): each region's
    WarmSolver (the region read for the tasks, its graph), the evaluation scores, problem arrays and components
    of the first task's settings, and the modules a solve and its checks load."""
    import highspy  # noqa: F401 - imported once here (it starts no thread), not in every worker

    from . import allocation, checks, pipeline  # noqa: F401
    from .backends import _highs_version
    from .scenario import scenario_from_dict

    _highs_version()
    for task in {t.region: t for t in tasks}.values():
        warm = warm_solver(task.region, loaded.get(task.region))
        scenario = scenario_from_dict(task.scenario, where=f"variant {task.variant}")
        *_, problem = pipeline.prepare(warm.region, scenario, warm.graph, warm)
        warm.decompose(problem)


def _dask_rows(tasks: list[Task], address: str, workers: int, echo: Callable[[str], None]) -> Iterable[dict]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(InputIssue("--dask", "Dask is not installed",
                                 "install the dask extra: pip install 'consolidate[dask]'")) from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(processes=True, n_workers=workers, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise InputError(InputIssue("--dask", f"cannot reach a Dask scheduler at {address}: {error}",
                                     "give the scheduler's address (tcp://host:8786), or `local`")) from None
    echo(f"dask: {len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}")
    futures = {client.submit(run_variant, task, key=f"variant-{task.variant}", pure=False): task for task in tasks}

    def close(_failed: bool) -> None:
        client.close()
        if cluster is not None:
            cluster.close()

    return _finished(futures, tasks, as_completed, close)


def _finished(futures: dict, tasks: list[Task], as_completed, close: Callable[[bool], None]) -> Iterable[dict]:
    """Rows of `futures` (future → its Task, or None where the worker claims the task) as they finish, then a row
    for each task left without one (its worker died); then close(failed), also on an interrupt."""
    failed, solved, died = True, set(), None
    try:
        for future in as_completed(futures):
            try:
                row = future.result()
            except Exception as error:  # noqa: BLE001 - a dead worker is a row too
                if futures[future] is None:
                    died = died or error
                    continue
                row = failed_row(futures[future].variant, "error", one_line(error))
            solved.add(row["variant"])
            yield row
        failed = False
    finally:
        close(failed)
    yield from (failed_row(task.variant, "error", one_line(died)) for task in tasks if task.variant not in solved)


class _progress:
    """The progress bar (consolidate.progress), advanced once per finished variant with the statuses so far."""

    def __init__(self, total: int, enabled: bool):
        from .progress import ProgressBar

        self.bar = ProgressBar("sweep", total, enabled=enabled, eta=True)
        self.counts: dict[str, int] = {}

    def __enter__(self):
        self.bar.__enter__()
        return self.advance

    def advance(self, row: dict) -> None:
        self.counts[row["status"]] = self.counts.get(row["status"], 0) + 1
        self.bar.update(advance=1, description=", ".join(f"{n} {s}" for s, n in sorted(self.counts.items())))

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)


# --- the table on disk ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """One cell as text, the same wherever the row was computed (so local and Dask CSVs are identical)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _texts(row: dict) -> dict[str, str]:
    return {k: _text(v) for k, v in row.items()}


class _Writer:
    """Rewrites sweep.csv atomically: at most every few seconds while running, and at the end."""

    def __init__(self, folder: Path, parameters: list[str], rows: dict[str, dict], order: dict[str, int],
                 every_s: float = 2.0):
        self.path, self.parameters, self.rows, self.order = folder / CSV_NAME, parameters, rows, order
        self.every_s, self.last = every_s, 0.0

    def frame(self) -> pd.DataFrame:
        cols = columns(self.parameters)
        extra = sorted({k for row in self.rows.values() for k in row} - set(cols))
        ids = sorted(self.rows, key=lambda v: (self.order.get(v, len(self.order)), v))
        return pd.DataFrame([[self.rows[v].get(c, "") for c in cols + extra] for v in ids], columns=cols + extra,
                            dtype=str)

    def maybe_write(self) -> None:
        if time.monotonic() - self.last >= self.every_s:
            self.write()

    def write(self) -> None:
        write_text(self.path, csv_text(self.frame()))
        self.last = time.monotonic()


def _write_json(path: Path, data: dict) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _previous(folder: Path, meta: dict) -> dict[str, dict]:
    """Rows of an earlier run of the same sweep in `folder` (for --resume)."""
    if not (folder / CSV_NAME).is_file():
        return {}
    if (folder / META_NAME).is_file():
        old = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        for key in ("scenario", "region", "set"):
            if old.get(key) != meta[key]:
                raise InputError(InputIssue(str(folder / META_NAME), f"the sweep in this folder has a different {key} "
                                         f"({old.get(key)!r}, now {meta[key]!r})",
                                         "resume with the same scenario, --region and --set, or use another --out"))
    frame = pd.read_csv(folder / CSV_NAME, dtype=str, keep_default_na=False)
    return {row["variant"]: row for row in frame.to_dict("records")}


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """sweep.csv's text read back as numbers, booleans and lists where they are (for charts and callers)."""
    out = table.copy()
    for column in out.columns:
        if column not in ("variant", "status", "message"):
            out[column] = out[column].map(_value)
    return out


def _value(text: str) -> Any:
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_sweep(folder: str | Path) -> pd.DataFrame:
    """A sweep.csv as a typed table (parameters and figures as numbers and booleans where they are)."""
    return _typed(pd.read_csv(Path(folder) / CSV_NAME, dtype=str, keep_default_na=False))
