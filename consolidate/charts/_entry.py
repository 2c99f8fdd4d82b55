"""The plan's charts under a name that loads nothing: what `Plan.to_dir` hands the drawing child. Pickling
the work pickles this name, so the handing process never loads matplotlib (~0.6 s of a run's critical path)."""
from __future__ import annotations


def plan_charts(plan, folder, lang: str = "zh", svg: bool = False):
    """`charts.plan.plan_charts`, loaded where it runs."""
    from .plan import plan_charts as draw

    return draw(plan, folder, lang=lang, svg=svg)
