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
import importlib
import sys
import types

from ._version import __version__

_PUBLIC = {  # name -> the module that defines it
    "Region": ".region", "load_region": ".region", "region_from_frames": ".region",
    "Scenario": ".scenario", "load_scenario": ".scenario",
    "Plan": ".plan",
}

__all__ = [*_PUBLIC, "solve", "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """`consolidate.solve` is the function, although a submodule has the same name: importing a submodule
    binds it as an attribute of its package, which this property ignores (the module itself stays
    importable as `consolidate.solve` through sys.modules)."""

    @property
    def solve(self):
        return importlib.import_module(".solve", __name__).solve

    @solve.setter
    def solve(self, module):
        pass


sys.modules[__name__].__class__ = _Package
