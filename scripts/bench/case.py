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
            "total_s": done - started, "components": comps.get("total"),
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
    """Scenario solves per minute: the grid SWEEP_GRID on the region, either in this process with the graph
    built once (workers 0: the sweep's inner loop) or through `consolidate.sweep.run_sweep` (the command)."""
    from consolidate.sweep import make_variants, parse_grid
    from consolidate.region import load_region
    from consolidate.scenario import load_scenario

    path = suite.region_path(case["region"])
    scenario_name, fixed = suite.scenario_of(case["region"])
    fixed = fixed + ([f"solver.backend={case['backend']}"] if case.get("backend") else [])
    grid = parse_grid(suite.SWEEP_GRID)
    workers = case["sweep"].get("workers", 0)
    started = time.perf_counter()
    if workers == 0:
        from consolidate.errors import ConsolidateError
        from consolidate.graph import zone_graph

        solve = importlib.import_module("consolidate").solve
        region = load_region(str(path))
        graph = zone_graph(region)
        variants, _ = make_variants(grid, None, fixed)
        statuses = []
        for v in variants:
            scenario = load_scenario(scenario_name, v.overrides, region=str(path))
            try:
                statuses.append(solve(region, scenario, graph=graph, probe=False).summary["status"])
            except ConsolidateError as error:
                statuses.append(type(error).__name__)
        count = len(variants)
    else:
        from consolidate.sweep import run_sweep as sweep

        with tempfile.TemporaryDirectory() as out:
            result = sweep(scenario_name, grid, out, fixed=fixed, region=str(path), workers=workers,
                           progress=False, echo=lambda _: None)
            statuses = list(result.rows["status"])
            count = len(result.rows)
    seconds = time.perf_counter() - started
    optimal = sum(s == "optimal" for s in statuses)
    return {"zones": len(load_region(str(path)).zones), "status": f"{optimal}/{count} optimal",
            "proven_optimal": optimal == count, "total_s": seconds, "sweep_solves": count,
            "solves_per_min": count / seconds * 60}


def main() -> int:
    case = json.loads(sys.argv[1])
    row = {"monolithic": run_monolithic, "sweep": run_sweep}.get(case["kind"], run_solve)(case)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    row["rss_self_mb"] = self_kb / 1024
    row["rss_children_mb"] = child_kb / 1024
    print("BENCH-RESULT " + json.dumps(row, default=float), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
