"""consolidate — plan the consolidation of development zones and test what-if policies.

    >>> import consolidate as cz
    >>> region = cz.load_region("tianjin")
    >>> scenario = cz.load_scenario("baseline")
    >>> plan = cz.solve(region, scenario)
    >>> plan.districts[["zones_before", "zones_after", "cap"]]
    >>> plan.to_dir("out/baseline")

The names below are imported on first use (PEP 562), so `import consolidate` and the command line
load pandas, SciPy, the solver and matplotlib only when a command needs them.
"""
from ._interrupt import guard_startup

guard_startup()   # before any import that takes time: Ctrl-C while the command starts is one line and exit 130

import importlib

from ._version import __version__

_PUBLIC = {  # name -> the module that defines it
    "Region": ".region", "load_region": ".region", "region_from_frames": ".region",
    "Scenario": ".scenario", "load_scenario": ".scenario", "resolve_scenario": ".scenario", "Resolved": ".scenario",
    "Plan": ".plan",
    "solve": ".pipeline",  # consolidate.solve is the function; its module is consolidate.pipeline
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

