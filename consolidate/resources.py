"""Where the bundled region models and scenarios live.

In a source checkout they are the top-level `models/` and `scenarios/` folders; after
`pip install .` setup.py has copied them into the package as `consolidate/_bundled/`.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(folder: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / folder, _PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    return _PACKAGE / "_bundled" / folder


def models_dir() -> Path:
    """The folder of bundled region models (`models/NAME/region.yaml`)."""
    return _bundled("models")


def scenarios_dir() -> Path:
    """The folder of bundled scenarios (`scenarios/NAME.yaml`)."""
    return _bundled("scenarios")


def bundled_regions() -> list[str]:
    """Names of the bundled region models, sorted."""
    root = models_dir()
    return sorted(p.parent.name for p in root.glob("*/region.yaml"))


def bundled_scenarios() -> list[str]:
    """Names of the bundled scenarios, sorted."""
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
