"""The exact MIP of a scenario as a file any MIP solver opens (Gurobi, CPLEX, SCIP, CBC, HiGHS).

    >>> from consolidate.export import write_model
    >>> write_model(region, scenario, "model.mps")      # or "model.lp"

Written through PuLP, the modelling layer: one model of the whole region (the solve decomposes it
into independent components; their optima add up to this model's optimum). Groups that must be
`connected` get the single-commodity flow constraints, the exact formulation the cut loop converges
to. Columns: `h{i}` zone i survives, `j{i}_{j}` zone i joins host j, `r{i}` zone i is revoked, `f{k}`
flow (i, j: rows of the region's zones.csv, from 0). The objective is the solve's, so the optimum
equals `summary.json`'s objective.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import InputError, InputIssue
from .region import Region
from .scenario import Scenario

FORMATS = (".mps", ".lp")
NAME = "consolidate_model"  # in the file's first line: the toolkit's signature when overwriting it


def whole_model(problem):
    """The MIP over every zone and allowed pair, with flow constraints when groups must be connected."""
    from .model import build_model

    model = build_model(problem, np.arange(problem.n_zones), np.arange(len(problem.pair_member)))
    if problem.contiguity == "connected" and problem.connected_method == "cuts":
        model.add_flow(problem, set(problem.pair_host.tolist()))
    return model


def column_names(problem, model) -> list[str]:
    names = [""] * model.n_cols
    for z, col in model.host_col.items():
        names[col] = f"h{z}"
    for p, col in model.join_col.items():
        names[col] = f"j{problem.pair_member[p]}_{problem.pair_host[p]}"
    for z, col in model.revoke_col.items():
        names[col] = f"r{z}"
    flow = len(model.host_col) + len(model.join_col) + len(model.revoke_col)  # flow columns come last
    return names[:flow] + [f"f{k}" for k in range(model.n_cols - flow)]


def check_path(path: str | Path) -> Path:
    """The model file's path, refused (exit 2) unless it ends in .mps or .lp."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InputError(InputIssue(str(path), "is neither an .mps nor an .lp file",
                                      "name the model file model.mps or model.lp"))
    return path


def write_model(region: Region, scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario's MIP on `region` to `path` (.mps or .lp), atomically; returns the path."""
    from .backends import pulp_problem
    from .io import atomic_file
    from .pipeline import prepare

    path = check_path(path)
    _, _, _, _, problem = prepare(region, scenario)
    model = whole_model(problem)
    prob, _ = pulp_problem(model, NAME, column_names(problem, model))
    with atomic_file(path, signature=NAME) as tmp:
        if path.suffix.lower() == ".mps":
            prob.writeMPS(str(tmp))
        else:
            prob.writeLP(str(tmp))
    return path
