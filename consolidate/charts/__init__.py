"""Every figure the toolkit draws (matplotlib, Agg; PNG and SVG through one save path).

    from consolidate.charts.plan import plan_charts         # a plan: map, zones per district, GDP/revenue
    from consolidate.charts.compare import compare_charts   # scenarios side by side
    from consolidate.charts.sweep import sweep_charts       # a sweep and its trade-off
    from consolidate.charts.campaign import comparison_chart, sweep_chart   # the 2018 campaign
    from consolidate.charts.scores import score_chart       # the comprehensive evaluation

`_style` holds what they share: the style and fonts, `save`/`svg_text`, the zh/en chart words.
Importing this package loads nothing; each module loads matplotlib when imported.
"""
