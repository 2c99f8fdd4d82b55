"""Every figure the toolkit draws (matplotlib figures on their own Agg canvas, no pyplot; each drawn once
per file through one save path: PNG, and SVG when asked).

    from consolidate.charts.plan import plan_charts         # a plan: map, zones per district, GDP/revenue
    from consolidate.charts.compare import compare_charts   # scenarios side by side
    from consolidate.charts.sweep import sweep_charts       # a sweep and its trade-off
    from consolidate.charts.campaign import comparison_chart, sweep_chart   # the 2018 campaign
    from consolidate.charts.scores import score_chart       # the comprehensive evaluation

`_style` holds what they share: the style and fonts, `figure`/`save`/`svg_text`, the zh/en chart words.
Importing this package loads nothing; each module loads matplotlib when imported. `drawer()` starts a
child process that draws a plan's charts while its parent writes the tables (`Plan.to_dir`).
"""


def drawer():
    """A child process that loads matplotlib, the fonts and the plan's modules now, while its parent goes on
    (solving), and draws a plan's charts when `Plan.to_dir` is given it:

        with drawer() as child:
            plan = solve(region, scenario)
            plan.to_dir(out, drawer=child)       # the charts drawn there while the tables are written here
    """
    import pandas  # noqa: F401  (both processes need it: loaded once, before the fork)

    from .._alongside import Helper

    return Helper(prepare=_prepare)


def _prepare() -> None:
    from .. import plan  # noqa: F401  (what unpickling a Plan needs)
    from .plan import warm_up

    warm_up()
