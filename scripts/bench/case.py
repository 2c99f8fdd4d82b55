"""Run one benchmark case in this process and print its result as one JSON line (run by `run.py`).

    python scripts/bench/case.py '{"kind": "solve", "region": "china-2018", "contiguity": "nearby", ...}'

Times (seconds, wall clock):
    load_s   reading the region model (CSV → frames, validation)
    build_s  graph, problem arrays, precheck, decomposition (solve()'s own "build")
    solve_s  the components: model building and solver, summed over components (solve()'s "solve");
             with processes > 1 this is the sum over workers, so it can exceed the wall time
    plan_s   after the solver: plan assembly, the independent checks, accounting
    total_s  load + solve() from start to plan: what a user waits for (imports excluded)
Memory: this process's peak RSS and its children's (CBC, worker processes); run.py also samples the
whole process tree.
"""
from __future__ import annotations

import importlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suite  # noqa: E402


def overrides(case: dict) -> list[str]:
    _, fixed = suite.scenario_of(case["region"])
    out = list(fixed) + [f"solver.name={case['solver']}", f"solver.processes={case['processes']}",
                         f"solver.time_limit_s={case['time_limit_s']}"]
    if case.get("contiguity"):
        out.append(f"merging.contiguity={case['contiguity']}")
    if case.get("method", "cuts") != "cuts":
        out.append(f"merging.connected_method={case['method']}")
    if case.get("backend"):
        out.append(f"solver.backend={case['backend']}")
    return out


def run_solve(case: dict) -> dict:
    from consolidate.errors import InfeasibleError, SolverStopped
    from consolidate.region import load_region
    from consolidate.scenario import load_scenario

    solve = importlib.import_module("consolidate").solve
    path = suite.region_path(case["region"])
    scenario_name, _ = suite.scenario_of(case["region"])
    started = time.perf_counter()
    cpu_started = time.process_time()
    region = load_region(str(path))
    loaded = time.perf_counter()
    scenario = load_scenario(scenario_name, overrides(case), region=str(path))
    row = {"zones": len(region.zones)}
    try:
        plan = solve(region, scenario, probe=False)
    except (InfeasibleError, SolverStopped) as error:
        lines = [line.strip(" -") for line in str(error).splitlines() if line.strip()]
        return {**row, "status": "infeasible" if isinstance(error, InfeasibleError) else "stopped",
                "proven_optimal": False, "note": " ".join(lines[1:2] or lines[:1])[:160],
                "load_s": loaded - started, "total_s": time.perf_counter() - started}
    done = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)   # worker processes (solver.processes > 1)
    cpu_s = time.process_time() + children.ru_utime + children.ru_stime
    summary = plan.summary
    seconds = summary.get("seconds", {})
    comps = summary.get("components", {})
    solved = comps.get("solved", [])
    gaps = [c.get("gap") for c in solved if c.get("gap") is not None]
    return {**row, "status": summary["status"], "proven_optimal": bool(summary["proven_optimal"]),
            "checks_passed": bool(summary.get("checks_passed")), "objective": summary.get("objective"),
            "gap": max(gaps) if gaps else 0.0, "load_s": loaded - started, "build_s": seconds.get("build"),
            "solve_s": seconds.get("solve"),
            "plan_s": (done - loaded) - float(seconds.get("total", 0.0)),
            "total_s": done - started, "cpu_s": cpu_s - cpu_started, "components": comps.get("total"),
            "solved_components": comps.get("total", 0) - comps.get("presolved", 0),
            "largest_component": max((c["zones"] for c in solved), default=0),
            "cut_rounds": max((c.get("cut_rounds", 0) for c in solved), default=0),
            "cuts": sum(c.get("cuts", 0) for c in solved),
            "solver_version": summary.get("solver", {}).get("version", "")}


def run_monolithic(case: dict) -> dict:
    import monolithic

    return monolithic.run(suite.region_path(case["region"]), *suite.scenario_of(case["region"]),
                          time_limit_s=case["time_limit_s"])


def run_sweep(case: dict) -> dict:
    """Scenario solves per minute over SWEEP_GRID (48 variants): `consolidate.sweep.run_sweep` with 1 or 2
    worker processes (the command, its closing chart included), or (workers 0) one `warm.WarmSolver` in
    this process (the sweep's inner loop). Afterwards, untimed, every variant is solved fresh
    (`consolidate.solve`) and its status, objective and plan fingerprint compared with the sweep's."""
    from consolidate.compare import real_units
    from consolidate.errors import ConsolidateError
    from consolidate.region import load_region
    from consolidate.scenario import load_scenario
    from consolidate.sweep import make_variants, parse_grid

    solve = importlib.import_module("consolidate").solve
    path = suite.region_path(case["region"])
    scenario_name, fixed = suite.scenario_of(case["region"])
    fixed = fixed + ([f"solver.backend={case['backend']}"] if case.get("backend") else [])
    grid = parse_grid(suite.SWEEP_GRID)
    variants, _ = make_variants(grid, None, fixed)
    workers = case["sweep"].get("workers", 0)

    def fingerprint(plan) -> tuple:
        return plan.summary["status"], round(plan.summary["objective"], 9), real_units(plan)["plan_id"]

    cpu = time.process_time()
    started = time.perf_counter()
    if workers == 0:
        from consolidate.warm import WarmSolver

        warm = WarmSolver(load_region(str(path)))
        got = {}
        for v in variants:
            try:
                got[v.id] = fingerprint(warm.solve(load_scenario(scenario_name, v.overrides, region=str(path)),
                                                   probe=False))
            except ConsolidateError as error:
                got[v.id] = (type(error).__name__,)
    else:
        from consolidate.sweep import run_sweep as sweep

        with tempfile.TemporaryDirectory() as out:
            result = sweep(scenario_name, grid, out, fixed=fixed, region=str(path), workers=workers,
                           progress=False, echo=lambda _: None)
        got = {r["variant"]: (r["status"], round(float(r["objective"]), 9), r["plan_id"]) if r["objective"] != ""
               else (r["status"],) for r in result.rows.to_dict("records")}
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = time.process_time() - cpu + usage.ru_utime + usage.ru_stime
    region = load_region(str(path))
    equal = 0
    for v in variants:  # the fresh solve of each variant, untimed
        try:
            fresh = fingerprint(solve(region, load_scenario(scenario_name, v.overrides, region=str(path)), probe=False))
        except ConsolidateError as error:
            fresh = (type(error).__name__,)
        mine = got.get(v.id)
        equal += mine is not None and (mine == fresh or (len(mine) == 1 and len(fresh) == 1))
    optimal = sum(g[0] == "optimal" for g in got.values())
    count = len(variants)
    return {"zones": len(region.zones), "status": f"{optimal}/{count} optimal, {equal}/{count} equal to fresh",
            "proven_optimal": optimal == count and equal == count, "total_s": seconds, "cpu_s": cpu_s,
            "sweep_solves": count, "solves_per_min": count / seconds * 60}


def run_process(case: dict) -> dict:
    """A whole `consolidate …` process as a user starts it: wall and CPU seconds (this child's children)."""
    import subprocess

    name = case["sweep"]["name"]
    argv = dict(suite.PROCESSES)[name]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(sys.executable).parent / "consolidate"   # the installed command, as a user runs it
        launcher = [str(script)] if script.is_file() else [sys.executable, "-c", "from consolidate.cli import main; main()"]
        command = [sys.executable, "-c", "import consolidate"] if argv is None else \
            [*launcher, *[a.format(tmp=tmp) for a in argv]]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    ok = done.returncode == 0
    return {"zones": None, "status": "ok" if ok else f"exit {done.returncode}", "proven_optimal": ok,
            "total_s": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "note": "" if ok else (done.stderr.strip().splitlines() or [""])[-1][:160]}


def main() -> int:
    case = json.loads(sys.argv[1])
    row = {"monolithic": run_monolithic, "sweep": run_sweep, "process": run_process}.get(case["kind"], run_solve)(case)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    row["rss_self_mb"] = self_kb / 1024
    row["rss_children_mb"] = child_kb / 1024
    print("BENCH-RESULT " + json.dumps(row, default=float), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
