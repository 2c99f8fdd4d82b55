"""consolidate — plan the consolidation of development zones and test what-if policies.

    >>> import consolidate as cz
    >>> region = cz.load_region("tianjin")
    >>> scenario = cz.load_scenario("baseline")
    >>> plan = cz.solve(region, scenario)
    >>> plan.districts[["zones_before", "zones_after", "cap"]]
    >>> plan.to_dir("out/baseline")
"""
from ._interrupt import guard_startup

guard_startup()   # before the imports below, which take seconds: Ctrl-C in them is one line and exit 130

from ._version import __version__
from .region import Region, load_region, region_from_frames
from .scenario import Resolved, Scenario, load_scenario, resolve_scenario
from .plan import Plan
from .pipeline import solve  # consolidate.solve is this function; its module is consolidate.pipeline

__all__ = ["Region", "load_region", "region_from_frames", "Scenario", "load_scenario", "resolve_scenario", "Resolved",
           "Plan", "solve",
           "__version__"]
