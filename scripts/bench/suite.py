"""The benchmark's regions and cases: what `run.py` runs, each in its own process.

A case is a dict (it travels to the child as JSON):
    id, group, kind (solve | monolithic | sweep), region (a key of REGIONS), contiguity,
    solver (highs | cbc), backend (None = the scenario's default choice | pulp | highspy),
    processes (auto = the scenario default, or a number), method (cuts | flow), time_limit_s.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
BENCH_SCENARIO = BENCH / "bench.yaml"

# key -> (zones, where the model comes from, scenario, fixed --set overrides)
REGIONS = {
    "tianjin": (33, "models/tianjin", "baseline", []),
    "tianjin-314": (316, "models/tianjin-314", "tianjin-2018-campaign", []),
    "china-2018": (2543, "models/china-2018", str(BENCH_SCENARIO), []),
    "synthetic-1k": (1000, "generate_region:1000", str(BENCH_SCENARIO), []),
    "synthetic-3k": (3000, "generate_region:3000", str(BENCH_SCENARIO), []),
    "synthetic-10k": (10000, "generate_region:10000", str(BENCH_SCENARIO), []),
    "china-2018-25k": (25000, "generate_national:25000", str(BENCH_SCENARIO), []),
    "china-2018-100k": (100000, "generate_national:100000", str(BENCH_SCENARIO), []),
}
CONTIGUITY = ("adjacent", "nearby", "connected")


def cache_dir() -> Path:
    base = os.environ.get("CONSOLIDATE_BENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "consolidate-bench")
    return Path(base)


def available(key: str) -> bool:
    source = REGIONS[key][1]
    return ":" in source or (ROOT / source / "region.yaml").is_file()


def region_path(key: str) -> Path:
    """The model folder of a region; generated ones are written once into the cache (same seed, same files)."""
    _, source, _, _ = REGIONS[key]
    if ":" not in source:
        return ROOT / source
    generator, size = source.split(":")
    out = cache_dir() / f"{key}-seed0"
    if (out / "region.yaml").is_file():
        return out
    sys.path.insert(0, str(ROOT / "scripts"))
    if generator == "generate_region":
        from generate_region import generate_region

        generate_region(int(size), n_districts=16, seed=0, out_dir=out)
    else:
        from generate_national import generate_national

        generate_national(seed=0, target=int(size), out_dir=out)
    return out


def scenario_of(key: str) -> tuple[str, list[str]]:
    _, _, scenario, fixed = REGIONS[key]
    if key == "tianjin-314" and not (ROOT / "scenarios" / f"{scenario}.yaml").is_file():
        scenario = "baseline"
    return scenario, list(fixed)


def case(group: str, region: str, contiguity: str = "", *, kind: str = "solve", solver: str = "highs",
         backend: str | None = None, processes: int | str = "auto", method: str = "cuts", time_limit_s: float = 600.0,
         sweep: dict | None = None) -> dict:
    parts = [region, contiguity or "-", kind if kind != "solve" else f"{solver}/{backend or 'default'}"]
    if method != "cuts":
        parts.append(method)
    if processes != "auto":   # the default (`solver.processes: auto`) is unnamed
        parts.append(f"p{processes}")
    if kind == "sweep":
        parts[-1] = f"sweep/{backend or 'default'}"
        parts.append(f"w{(sweep or {}).get('workers', 0)}")
    if kind == "process":
        parts = ["process", (sweep or {})["name"]]
    return {"id": ":".join(parts), "group": group, "kind": kind, "region": region, "zones": REGIONS[region][0],
            "contiguity": contiguity, "solver": solver, "backend": backend, "processes": processes,
            "method": method, "time_limit_s": time_limit_s, "sweep": sweep or {}}


SWEEP_GRID = ["rules.district_cap=2,3,4,5", "objective.weights.revocation=1,5,20",
              "objective.weights.distance=0.5,1,2,4"]   # 48 variants

# whole processes, as a user starts them: (id, argv after `consolidate`, or None for `python -c "import consolidate"`)
PROCESSES = [
    ("help", ["--help"]),
    ("import", None),
    ("run-tianjin-charts", ["run", "--out", "{tmp}/run"]),
    ("run-campaign-no-charts", ["run", "tianjin-2018-campaign", "--no-charts", "--out", "{tmp}/campaign"]),
    *[(f"sweep-48-w{w}", ["sweep", "tianjin-2018-campaign", "--region", "tianjin-314", "--workers", str(w),
                          "--no-progress", "--out", "{tmp}/sweep", *[x for g in SWEEP_GRID for x in ("--grid", g)]])
      for w in (1, 2)],
]


def cases(quick: bool, monolithic_limit_s: float) -> list[dict]:
    """The suite, in the order it runs (small first, so a quick look at the table is soon possible)."""
    out: list[dict] = []
    regions = ["tianjin", "tianjin-314", "china-2018", "synthetic-1k"] + \
        ([] if quick else ["synthetic-3k", "synthetic-10k", "china-2018-25k"])
    # A. every region × contiguity, the default settings (HiGHS; back end as chosen when none is named)
    for region in regions:
        for contiguity in CONTIGUITY:
            out.append(case("A default", region, contiguity))
    if quick:
        out += [case("A default", "synthetic-3k", "connected"), case("A default", "china-2018-25k", "nearby")]
    # B. solvers and back ends
    compare = ["tianjin-314", "china-2018", "synthetic-1k"] + ([] if quick else ["synthetic-3k"])
    for region in compare:
        for contiguity in ("nearby", "connected"):
            if quick and (region, contiguity) != ("synthetic-1k", "connected"):
                continue
            for solver, backend in (("highs", "pulp"), ("highs", "highspy"), ("cbc", "pulp")):
                out.append(case("B solver/back end", region, contiguity, solver=solver, backend=backend))
    if not quick:
        for region in ("synthetic-10k", "china-2018-25k"):
            for solver, backend in (("highs", "pulp"), ("highs", "highspy"), ("cbc", "pulp")):
                out.append(case("B solver/back end", region, "nearby", solver=solver, backend=backend))
        for region in ("synthetic-1k", "synthetic-3k"):  # the flow formulation instead of the cut loop
            out.append(case("B solver/back end", region, "connected", method="flow"))
    # C. one vs two processes
    for region in (["china-2018-25k"] if quick else ["china-2018", "synthetic-10k", "china-2018-25k"]):
        for contiguity in (("nearby",) if quick else CONTIGUITY):
            out.append(case("C processes", region, contiguity, processes=1))
            out.append(case("C processes", region, contiguity, processes=2))
    # D. the plain alternative: one PuLP model, flow for connectivity, CBC
    for region in (["synthetic-1k"] if quick else ["synthetic-1k", "synthetic-3k"]):
        out.append(case("D monolithic", region, "connected", kind="monolithic", solver="cbc",
                        time_limit_s=monolithic_limit_s))
    # E. sweep throughput (the 48 variants, every plan compared with its fresh solve afterwards)
    sweep_region = "tianjin-314" if available("tianjin-314") else "tianjin"
    for workers in ((0, 2) if quick else (0, 1, 2)):
        out.append(case("E sweep", sweep_region, kind="sweep", sweep={"workers": workers}))
    # F. whole processes: wall and CPU seconds of what a user types
    for name, _ in PROCESSES:
        out.append(case("F process", "tianjin", kind="process", sweep={"name": name}))
    # G. the national extensions, nearby
    for region in (["china-2018-25k", "china-2018-100k"]):
        out.append(case("G national", region, "nearby"))
    # duplicates (the same case asked for by two groups) run once
    seen, unique = set(), []
    for c in out:
        if available(c["region"]) and c["id"] not in seen:
            seen.add(c["id"])
            unique.append(c)
    return unique
