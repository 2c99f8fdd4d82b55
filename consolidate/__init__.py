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

from .region import Region, load_region, region_from_frames
from .scenario import Resolved, Scenario, load_scenario, resolve_scenario
from .plan import Plan
from .solve import solve  # the function; the module stays importable as consolidate.solve via sys.modules

__version__ = "0.1.0"

__all__ = ["Region", "load_region", "region_from_frames", "Scenario", "load_scenario", "resolve_scenario", "Resolved",
           "Plan", "solve",
           "__version__"]
