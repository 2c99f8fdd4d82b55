"""The plain alternative a user would write: ONE PuLP model of the whole region, a single-commodity
flow per host for connected groups, solved by CBC — no decomposition, no presolve, no cut loop.

The data (which zone may join which host, at what cost; who may host or be revoked; the caps) are the
same arrays `consolidate` derives from the scenario (`build_problem`), so both solve the same problem
and the objectives must agree; only the modelling and solving differ. Written the way the PuLP
documentation teaches: LpVariable per decision, lpSum per constraint.

    python scripts/bench/monolithic.py REGION_DIR [SCENARIO] [--time-limit 600]
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import pulp


def build(problem) -> tuple[pulp.LpProblem, dict]:
    """The whole MIP as one PuLP model."""
    n = problem.n_zones
    prob = pulp.LpProblem("consolidation", pulp.LpMinimize)
    host = {i: pulp.LpVariable(f"host_{i}", cat=pulp.LpBinary) for i in range(n)}
    revoke = {i: pulp.LpVariable(f"revoke_{i}", cat=pulp.LpBinary) for i in range(n) if problem.revocable[i]}
    pairs = list(zip(problem.pair_member.tolist(), problem.pair_host.tolist()))
    join = {(i, j): pulp.LpVariable(f"join_{i}_{j}", cat=pulp.LpBinary) for i, j in pairs}

    prob += (pulp.lpSum(float(problem.cost_host[i]) * host[i] for i in range(n))
             + pulp.lpSum(float(c) * join[p] for p, c in zip(pairs, problem.cost_pair.tolist()))
             + pulp.lpSum(float(problem.cost_revoke[i]) * revoke[i] for i in revoke))

    hosts_of = defaultdict(list)   # member -> its candidate hosts
    members_of = defaultdict(list)  # host -> its candidate members
    for i, j in pairs:
        hosts_of[i].append(j)
        members_of[j].append(i)
    for i in range(n):  # every zone exactly once: survives, joins one host, or is revoked
        prob += host[i] + pulp.lpSum(join[i, j] for j in hosts_of[i]) + (revoke[i] if i in revoke else 0) == 1
    for i, j in pairs:  # join only a surviving host
        prob += join[i, j] <= host[j]
    for district, cap in problem.caps.items():  # the cap per district
        counted = [i for i in range(n) if problem.count_district[i] == district]
        if len(counted) > cap:
            prob += pulp.lpSum(host[i] for i in counted) <= cap
    for i in range(n):
        if problem.must_host[i]:
            prob += host[i] == 1
        if problem.must_revoke[i]:
            prob += revoke[i] == 1
    if problem.fairness:
        raise SystemExit("the monolithic model has no fairness rows; use a scenario without fairness bounds")

    if problem.contiguity == "connected":
        # host j sends one unit of flow to each of its members, along edges inside its group
        index = {z: k for k, z in enumerate(problem.zone_ids)}
        neighbours = {k: [index[v] for v in problem.graph.neighbors(z)] for k, z in enumerate(problem.zone_ids)}
        for j, members in members_of.items():
            group = set(members) | {j}
            big = len(members)
            flow = {(u, v): pulp.LpVariable(f"flow_{j}_{u}_{v}", lowBound=0, upBound=big)
                    for u in group for v in neighbours[u] if v in group and v != j}
            for (u, v), f in flow.items():  # flow only into a member of the group
                prob += f <= big * join[v, j]
            inflow, outflow = defaultdict(list), defaultdict(list)
            for (u, v), f in flow.items():
                inflow[v].append(f)
                outflow[u].append(f)
            for v in members:  # each member keeps one unit
                prob += pulp.lpSum(inflow[v]) - pulp.lpSum(outflow[v]) == join[v, j]
    return prob, {"host": host, "join": join, "revoke": revoke}


def run(region_dir: str | Path, scenario: str, overrides: list[str], time_limit_s: float,
        contiguity: str = "connected") -> dict:
    from consolidate.graph import zone_graph
    from consolidate.problem import build_problem
    from consolidate.region import load_region
    from consolidate.scenario import load_scenario

    started = time.perf_counter()
    region = load_region(str(region_dir))
    scen = load_scenario(scenario, overrides + [f"merging.contiguity={contiguity}"], region=str(region_dir))
    scen = scen.for_region(region) if hasattr(scen, "for_region") else scen
    problem = build_problem(region, scen, zone_graph(region))
    prepared = time.perf_counter()
    prob, variables = build(problem)
    built = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, threads=1)
    prob.solve(solver)
    solved = time.perf_counter()
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    proven = prob.sol_status == pulp.LpSolutionOptimal and (solved - built) < time_limit_s
    status = "optimal" if proven else ("time_limit_feasible" if has_solution else "no_solution")
    return {"zones": problem.n_zones, "status": status, "proven_optimal": proven,
            "objective": float(pulp.value(prob.objective)) if has_solution else None,
            "load_s": prepared - started, "build_s": built - prepared, "solve_s": solved - built,
            "total_s": solved - started, "variables": len(prob.variables()), "constraints": len(prob.constraints),
            "note": "" if proven else f"no proven optimum in {time_limit_s:g} s"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("region")
    parser.add_argument("scenario", nargs="?", default="baseline")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args(argv)
    print(run(args.region, args.scenario, args.overrides, args.time_limit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
