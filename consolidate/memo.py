"""Values computed from a region that does not change between plans, kept by whoever solves many plans on
it (`warm.WarmSolver`: one per worker and region).

    >>> kept = {}
    >>> facts = once(kept, "checks.facts", lambda: read_facts(region))   # computed on the first plan only
    >>> once(None, "checks.facts", lambda: read_facts(region))           # None: nothing is kept, computed now

Each module names its own keys, so what the checks keep stays the checks' own (computed by their code,
never shared with the model's).
"""
from __future__ import annotations

from typing import Any, Callable, Hashable


def once(kept: dict | None, key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept in `kept` under `key` for the next call (every call when `kept` is None)."""
    if kept is None:
        return compute()
    if key not in kept:
        kept[key] = compute()
    return kept[key]
