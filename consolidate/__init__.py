"""consolidate — plan the consolidation of development zones and test what-if policies.

    >>> import consolidate as cz
    >>> region = cz.load_region("tianjin")
    >>> scenario = cz.load_scenario("baseline")
    >>> plan = cz.solve(region, scenario)
    >>> plan.districts[["zones_before", "zones_after", "cap"]]
    >>> plan.to_dir("out/baseline")
"""
from .region import Region, load_region, region_from_frames

__version__ = "0.1.0"

__all__ = ["Region", "load_region", "region_from_frames", "__version__"]


def __getattr__(name):  # the heavier parts load on first use
    if name in ("load_scenario", "Scenario"):
        from . import scenario
        return getattr(scenario, name)
    if name in ("solve", "Plan"):
        from . import solve, plan
        return {"solve": solve.solve, "Plan": plan.Plan}[name]
    raise AttributeError(name)
