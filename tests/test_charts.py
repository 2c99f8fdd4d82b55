"""Charts: they render for a small plan, every glyph drawn is in the font, PNG by default and SVG (text as text)
on request, the same bytes for the same plan whether drawn here or in a child process."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from consolidate import fonts, load_region
from consolidate.charts import _style, compare, plan as plan_charts_module, sweep
from consolidate.charts.map import plan_map
from consolidate.cli.plot import plot_command
from consolidate.plan import Plan
from consolidate.scenario import load_scenario, scenario_from_dict
from consolidate.pipeline import solve
from regions import write_region

DISTRICTS = [{"district_id": "A", "name": "甲区", "name_en": "Jia District", "lat": 39.05, "lon": 117.02},
             {"district_id": "B", "name": "乙区", "name_en": "Yi District", "lat": 39.05, "lon": 117.27},
             {"district_id": "C", "name": "丙区", "name_en": "Bing District", "lat": 39.3, "lon": 117.15}]


def _zone(zone_id, name, name_en, district, lat, lon, **kw):
    return {"zone_id": zone_id, "name": name, "name_en": name_en, "district_id": district, "lat": lat, "lon": lon,
            **kw}


ZONES = [
    _zone("a1", "甲一经济技术开发区", "Jia-1 ETDZ", "A", 39.00, 117.00, level="national", kind="etdz", gdp=100),
    _zone("a2", "甲二工业园", "Jia-2 Industrial Park", "A", 39.03, 117.14, gdp=10),
    _zone("a3", "甲三高新区", "Jia-3 High-tech Zone", "A", 39.10, 117.00, gdp=20),
    _zone("a4", "甲四小微园", "Jia-4 Small Park", "A", 39.02, 117.10, gdp=1),
    _zone("b1", "乙港保税区", "Yi Port Bonded Zone", "B", 39.05, 117.25, level="national",
          kind="customs_bonded_zone", gdp=30),
    _zone("b2", "乙出口加工区", "Yi Export Processing Zone", "B", 39.07, 117.27, level="national",
          kind="customs_export_processing", gdp=5),
    _zone("b3", "乙物流园", "Yi Logistics Park", "B", 39.02, 117.18, gdp=8),
    _zone("c1", "丙一开发区", "Bing-1 Development Zone", "C", 39.30, 117.15, level="national", kind="etdz", gdp=50),
]


def _square(x0, y0, x1, y1):
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


OUTLINES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"district_id": "A"}, "geometry": {"type": "Polygon",
                                                                        "coordinates": _square(116.9, 38.95, 117.15, 39.2)}},
    {"type": "Feature", "properties": {"district_id": "B"}, "geometry": {"type": "Polygon",
                                                                        "coordinates": _square(117.15, 38.95, 117.4, 39.2)}},
    {"type": "Feature", "properties": {"name": "丙区"}, "geometry": {"type": "MultiPolygon",
                                                                   "coordinates": [_square(116.9, 39.2, 117.4, 39.4)]}},
]}


def make_plan(folder, zones=ZONES, outlines=True, **overrides) -> Plan:
    """A solved plan of a three-district region with every status: hosts, members, a revoked zone, a fold."""
    extra = {}
    if outlines:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "districts.geojson").write_text(json.dumps(OUTLINES, ensure_ascii=False), encoding="utf-8")
        extra["outlines"] = "districts.geojson"
    root = write_region(folder, DISTRICTS, zones, derive={"method": "distance", "max_km": 30},
                        rules={"district_cap": 2, "exempt_districts": ["丙区"]}, units={"gdp": "亿元"}, **extra)
    data = load_scenario("baseline").as_dict()
    data["rules"].update(district_cap=2, exempt_districts=["丙区"])
    data["pins"]["revoke"] = ["a4"]
    data["pins"]["forbid_pairs"] = [["a2", "a1"], ["a2", "a3"]]      # so a2 joins b3 across the district line
    data["allocation"] = {"gdp": "host", "fiscal_revenue": {"split": 0.5}}
    for key, value in overrides.items():
        node = data
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return solve(load_region(root), scenario_from_dict(data))


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return make_plan(tmp_path_factory.mktemp("region"))


def test_the_small_plan_has_every_status(plan):
    status = plan.table["status"]
    assert set(status) == {"host", "member", "revoked"}
    assert (plan.table["new_kind"] != "").any()          # the customs fold is drawn too
    assert len(plan.flows)


def test_plan_charts_write_png_and_on_request_svg_with_text_as_text(plan, tmp_path):
    written = plan_charts_module.plan_charts(plan, tmp_path / "png")
    assert sorted(p.name for p in written) == sorted(f"{n}.png" for n in plan_charts_module.PLAN_CHARTS)
    for path in written:
        assert path.stat().st_size > 5_000
    with Image.open(tmp_path / "png" / "plan_map.png") as image:
        assert image.size == (int(_style.A4[0] * _style.DPI), int(_style.A4[1] * _style.DPI))
        assert "Software" not in image.info and "Creation Time" not in image.info
        assert len(np.unique(np.asarray(image.convert("L").resize((64, 64))))) > 10   # not a blank page
    assert not list((tmp_path / "png").glob(".*"))        # no temporary files left behind
    written = plan_charts_module.plan_charts(plan, tmp_path / "svg", svg=True)
    assert sorted(p.name for p in written) == sorted(f"{n}.{ext}" for n in plan_charts_module.PLAN_CHARTS
                                                     for ext in ("png", "svg"))
    svg = (tmp_path / "svg" / "plan_map.svg").read_text(encoding="utf-8")
    texts = _style.texts_of_svg(svg)
    assert "甲一经济技" in texts and "km" in texts            # zone names and the scale bar as text, not outlines
    assert '@font-face { font-family: "Consolidate Sans SC"' in svg and "data:font/woff;base64," in svg
    assert (tmp_path / "svg" / "plan_map.png").read_bytes() == (tmp_path / "png" / "plan_map.png").read_bytes()


def test_bundled_font_is_used_and_covers_what_we_draw():
    assert fonts.cjk_font() == fonts.BUNDLED_FAMILY
    assert fonts.covers("天津经济技术开发区 滨海新区（豁免）→ 1,000 亿元 — ≤5%")
    assert not fonts.covers("\ue000")                     # a private-use character: no font has it
    assert fonts.missing("甲\ue000乙") == "\ue000"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_glyph_of_every_label_is_in_the_font(plan, lang):
    for name, fig in plan_charts_module.plan_figures(plan, lang).items():
        texts = _style.drawn_texts(fig)
        assert texts, name
        uncovered = {t: fonts.missing(t) for t in texts if not fonts.covers(t)}
        assert not uncovered, f"{name}: tofu for {uncovered}"
        joined = "\n".join(texts)
        if name == "plan_map":
            # host labels in the language asked for (the common prefix is not shared here, so names are whole)
            assert ("甲一经济技" in joined) == (lang == "zh")
            assert ("Jia-1 ETDZ" in joined) == (lang == "en")


def test_png_and_svg_are_deterministic(plan, tmp_path):
    for render in (_style.svg_text, _style.svg_document):
        one, two = render(plan_map(plan, "zh")), render(plan_map(plan, "zh"))
        assert one == two
        assert "<dc:date>" not in one
    _style.write_png(plan_map(plan, "zh"), tmp_path / "one.png")
    _style.write_png(plan_map(plan, "zh"), tmp_path / "two.png")
    assert (tmp_path / "one.png").read_bytes() == (tmp_path / "two.png").read_bytes()


def test_the_charts_drawn_by_a_child_process_are_those_drawn_here(plan, tmp_path, monkeypatch):
    from consolidate import _alongside, charts

    plan.to_dir(tmp_path / "forked", svg=True)
    with charts.drawer() as drawer:                          # prepared beforehand, as `consolidate run` does
        plan.to_dir(tmp_path / "prepared", svg=True, drawer=drawer)
    monkeypatch.setattr(_alongside, "can_fork", lambda: False)
    plan.to_dir(tmp_path / "here", svg=True)
    for name in plan_charts_module.PLAN_CHARTS:
        for ext in ("png", "svg"):
            here = (tmp_path / "here" / f"{name}.{ext}").read_bytes()
            assert (tmp_path / "forked" / f"{name}.{ext}").read_bytes() == here, (name, ext)
            assert (tmp_path / "prepared" / f"{name}.{ext}").read_bytes() == here, (name, ext)


def test_charts_drawn_on_figures_made_beforehand_are_those_drawn_from_scratch(plan, tmp_path):
    """What a drawing child makes before the plan comes (figures, axes, ticks) changes no byte of the charts."""
    names = plan_charts_module.chart_names(plan)
    plan_charts_module.prepare_frames(measures=len(plan_charts_module.measures(plan.districts)))
    assert sorted(plan_charts_module._PREPARED) == sorted(names)
    plan_charts_module._write_charts(plan, tmp_path / "prepared", names, "zh", False)
    assert not plan_charts_module._PREPARED
    plan_charts_module._write_charts(plan, tmp_path / "fresh", names, "zh", False)
    for name in names:
        assert (tmp_path / "prepared" / f"{name}.png").read_bytes() == (tmp_path / "fresh" / f"{name}.png").read_bytes()


def test_a_drawing_child_finds_the_font_files_matplotlib_finds():
    """The font lookups a drawing child keeps (charts.drawing_only) answer as matplotlib's own (in a fresh Python:
    the lookup is replaced in the process that calls it)."""
    import subprocess
    import sys

    probe = ("from matplotlib.font_manager import FontProperties, fontManager\n"
             "from consolidate import charts, fonts\n"
             "props = [FontProperties(family=fonts.families(), size=s, weight=w) for s in (7, 8.5) for w in "
             "('normal', 'bold')] + [FontProperties(family='sans-serif', size=7), FontProperties(family='DejaVu Sans')]\n"
             "before = [fontManager._find_fonts_by_props(p) for p in props]\n"
             "charts.drawing_only()\n"
             "looked_up, kept = ([fontManager._find_fonts_by_props(p) for p in props] for _ in range(2))\n"
             "print(before == looked_up == kept)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def broken_charts(*args, **kwargs):
    raise ValueError("no ink")


def test_a_chart_failing_in_the_child_fails_the_write_and_leaves_nothing(plan, tmp_path, monkeypatch):
    from consolidate import charts

    monkeypatch.setattr(plan_charts_module, "plan_charts", broken_charts)
    for prepared in (False, True):
        out = tmp_path / f"out-{prepared}"
        with pytest.raises(ValueError, match="no ink"):
            if prepared:
                with charts.drawer() as drawer:
                    plan.to_dir(out, drawer=drawer)
            else:
                plan.to_dir(out)
        assert not out.exists() and not list(tmp_path.glob(".out-*"))


def test_a_name_no_font_covers_is_shown_in_english_with_a_footer_warning(tmp_path):
    zones = [dict(z) for z in ZONES]
    zones[0]["name"] = "甲一\ue000开发区"
    plan = make_plan(tmp_path / "region", zones=zones)
    fig = plan_map(plan, "zh")
    texts = "\n".join(_style.drawn_texts(fig))
    assert "\ue000" not in texts
    assert "Jia-1" in texts and "ETDZ" in texts
    assert "字体缺字" in texts


def test_without_any_cjk_font_everything_is_english(plan, monkeypatch):
    monkeypatch.setattr(fonts, "font_chain", lambda: ())
    fig = plan_map(plan, "zh")
    texts = _style.drawn_texts(fig)
    assert all(fonts.covers(t) for t in texts)
    assert not any(ord(c) > 0x2E80 for t in texts for c in t)
    assert any("no CJK font found" in t for t in texts)


def test_without_outlines_the_map_says_so(tmp_path):
    plan = make_plan(tmp_path / "region", outlines=False)
    fig = plan_map(plan, "en")
    texts = "\n".join(_style.drawn_texts(fig))
    assert "no district outlines" in texts and "Jia District" in texts


def test_plot_command_redraws_a_plan_folder(plan, tmp_path):
    folder = plan.to_dir(tmp_path / "out", charts=False)
    result = CliRunner().invoke(plot_command, [str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (folder / "allocation.png").is_file() and not (folder / "plan_map.svg").exists()
    result = CliRunner().invoke(plot_command, [str(folder), "--svg"])
    assert result.exit_code == 0, result.output
    assert (folder / "plan_map.svg").is_file()
    # drawn by two processes, each listing its files in the folder's marker: none lost, so none is refused later
    listed = json.loads((folder / ".consolidate").read_text(encoding="utf-8"))["files"]
    assert {f"{n}.{ext}" for n in plan_charts_module.PLAN_CHARTS for ext in ("png", "svg")} <= set(listed)


def test_run_writes_png_charts_and_svg_ones_on_request(plan, tmp_path):
    from consolidate.cli import main

    for extra in ([], ["--svg"]):
        out = tmp_path / f"run{len(extra)}"
        result = CliRunner().invoke(main, ["run", "--region", str(plan.region.root), "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        assert {p.name for p in out.glob("*.png")} == {f"{n}.png" for n in plan_charts_module.PLAN_CHARTS}
        assert {p.name for p in out.glob("*.svg")} == ({f"{n}.svg" for n in plan_charts_module.PLAN_CHARTS}
                                                      if extra else set())


def test_compare_and_sweep_charts(tmp_path):
    table = pd.DataFrame({
        "scenario": ["baseline", "cap-2", "no-revocation"], "status": ["optimal", "feasible", "infeasible"],
        "proven_optimal": [True, False, False], "gap": [0.0, 0.031, None], "objective": [1.2, 2.5, None],
        "objective_distance": [0.5, 1.0, None], "objective_revocation": [0.2, 1.1, None],
        "objective_host_quality": [0.5, 0.4, None], "objective_zone_count": [0.0, 0.0, None],
        "hosts": [31, 28, None], "members": [2, 4, None], "revoked": [0, 1, None], "revoked_gdp": [0.0, 12.5, None],
        "seconds": [0.3, 60.2, 0.1]})
    per_district = pd.DataFrame({"baseline": [3, 2, 11], "cap-2": [2, 2, 11]}, index=["津南区", "东丽区", "滨海新区"])
    per_district.index.name = "district"
    written = compare.compare_charts(table, per_district, tmp_path / "compare")
    assert [p.name for p in written] == ["compare.png"]
    rows = pd.DataFrame({"rules.district_cap": [1, 2, 3, 4, 1, 2, 3, 4],
                         "merging.max_distance_km": [20, 20, 20, 20, 40, 40, 40, 40],
                         "status": ["infeasible"] + ["optimal"] * 7,
                         "objective": [np.nan, 5, 2, 1, 4, 3, 1.5, 0.8],
                         "objective_distance": [np.nan, 1, 2, 0.5, 3, 1.5, 1, 0.5],
                         "objective_revocation": [np.nan, 4, 0, 0.5, 1, 1.5, 0.5, 0.3],
                         "objective_host_quality": [np.nan, 0, 0, 0, 0, 0, 0, 0],
                         "hosts": [None, 20, 25, 30, 22, 24, 27, 31], "members": [None, 10, 6, 2, 9, 7, 5, 2],
                         "revoked": [None, 3, 2, 1, 2, 2, 1, 0], "revoked_gdp": [None, 30, 10, 5, 20, 15, 5, 0],
                         "gdp_km": [None, 300, 100, 90, 300, 150, 120, 90],
                         "plan_id": [None, "p1", "p2", "p3", "p1", "p4", "p5", "p6"]})
    written = sweep.sweep_charts(rows, ["rules.district_cap", "merging.max_distance_km"], tmp_path / "sweep")
    assert sorted(p.name for p in written) == ["pareto.png", "sweep.png"]
    frame = sweep.sweep_frame(3, 2, x_ticks=[4, 2])                     # made early, with its ticks and
    sweep.measure_known_texts(frame[0], {"rules.district_cap": [1, 2, 3, 4], "merging.max_distance_km": [20, 40]})
    prepared = sweep.sweep_charts(rows, ["rules.district_cap", "merging.max_distance_km"], tmp_path / "prepared",
                                  figures=("sweep",), frame=frame)            # the texts the grid says measured
    assert prepared[0].read_bytes() == (tmp_path / "sweep" / "sweep.png").read_bytes()
    trade_off = sweep.pareto_figure(rows, ["rules.district_cap", "merging.max_distance_km"])
    ax = trade_off.axes[0]
    placed_in = ax.get_xlim(), ax.get_ylim(), tuple(ax.get_position().bounds)   # where its labels were placed
    trade_off.canvas.draw()
    assert (ax.get_xlim(), ax.get_ylim(), tuple(ax.get_position().bounds)) == placed_in   # is where it is drawn
    assert sweep.pareto_parts(rows) == ("gdp_km", "revoked_gdp")      # real units, never weighted parts
    assert list(sweep.distinct_plans(rows)["plan_id"]) == ["p1", "p2", "p3", "p4", "p5", "p6"]   # each plan once


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_comparison_labels_titles_and_legend_do_not_collide(lang):
    """Long scenario labels stack instead of overprinting, titles stay inside the page, the legend sits
    outside the bars (#17)."""
    labels = {"zh": ["baseline", "cap-2 · 相近", "host-takes-all · 上限 2", "split-50 · 上限 2 · 相近"],
              "en": ["baseline", "cap-2 · nearby", "host-takes-all · cap 2", "split-50 · cap 2 · nearby"]}[lang]
    table = pd.DataFrame({"scenario": labels, "status": ["optimal"] * 4, "hosts": [32, 28, 32, 28],
                          "members": [1, 5, 1, 5], "revoked": [0] * 4, "revoked_gdp": [0.0] * 4,
                          "gdp_km": [334.2, 2403.8, 334.2, 2403.8], "cross_district_gdp": [26.1, 88.3, 26.1, 88.3],
                          "seconds": [0.3] * 4})
    per_district = pd.DataFrame({n: [3, 2, 11] for n in labels}, index=["津南区", "东丽区", "滨海新区"])
    fig = compare.compare_figure(table, per_district, lang=lang, unit="100 million yuan" if lang == "en" else "亿元")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox

    def title_box(ax):
        from matplotlib.text import Text

        text = ax.get_title(loc="left")
        return next(t for t in ax.findobj(Text) if t.get_text() == text and text).get_window_extent(renderer)

    for ax in fig.axes[:4]:
        title = title_box(ax)
        assert page.x0 <= title.x0 and title.x1 <= page.x1, ax.get_title(loc="left")
        ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
        assert not any(a.overlaps(b) for a, b in zip(ticks, ticks[1:])), [t.get_text() for t in ax.get_xticklabels()]
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    assert legend.y0 >= fig.axes[0].get_window_extent(renderer).y1 - 1      # above the plotting area
    assert not legend.overlaps(title_box(fig.axes[0]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trade_off_charts_speak_the_language_and_show_no_plan_as_such(lang):
    rows = pd.DataFrame({"rules.district_cap": [10, 2, 5, 1], "status": ["optimal", "optimal", "optimal", "infeasible"],
                         "hosts": [30, 20, 25, None], "revoked_gdp": [0, 30, 10, None], "gdp_km": [0, 300, 100, None],
                         "plan_id": ["a", "b", "c", None]})
    fig = sweep.sweep_figure(rows, ["rules.district_cap"], lang=lang, unit="亿元")
    texts = _style.drawn_texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["1", "2", "5", "10"]                        # numeric order, only the values swept
    joined = "\n".join(texts)
    assert ("无方案" in joined) == (lang == "zh") and ("no plan" in joined) == (lang == "en")
    assert "objective" not in joined and "weighted" not in joined
    line = fig.axes[0].lines
    assert all(not (np.asarray(l.get_ydata(), float) == 0).all() or l.get_marker() != "x" for l in line)


def test_pareto_front_keeps_the_non_dominated_points():
    x = [1, 2, 3, 2, np.nan, 1]
    y = [3, 2, 1, 3, 0, 3]
    assert sweep.pareto_front(x, y).tolist() == [True, True, True, False, False, True]


def test_the_map_has_a_scale_bar_and_a_north_arrow(plan):
    fig = plan_map(plan, "en")
    texts = _style.drawn_texts(fig)
    assert any(t.endswith(" km") for t in texts) and "N" in texts
    assert not any(" estimated" == t[-10:] for t in texts)
    assert any("zones synthetic" in t for t in texts)       # data quality in words, not "8 synthetic"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_allocation_chart_states_each_rule_as_the_scenario_description_does(plan, lang):
    """One place states the sharing rules (describe.rule_sentence): the chart's titles are its sentences, and a
    rule reads the same however it is written (split:0.5 or {split: 0.5})."""
    from consolidate.charts.plan import allocation_chart
    from consolidate.describe import describe, rule_sentence

    figure = allocation_chart(plan, lang)
    titles = {ax.get_title(loc="left") for ax in figure.axes}
    for measure, rule in (("gdp", "host"), ("fiscal_revenue", {"split": 0.5})):
        assert rule_sentence(measure, rule, lang) in titles
        assert rule_sentence(measure, rule, lang) in describe(plan.scenario.as_dict(), lang)
    assert rule_sentence("gdp", "split:0.5", lang) == rule_sentence("gdp", {"split": 0.5}, lang)
