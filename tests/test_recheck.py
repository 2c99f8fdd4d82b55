"""A plan read back is re-checked as it is: an edited plan.csv is labelled, never reported as proven optimal,
and `consolidate check` says which rules a plan anyone wrote breaks."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.plan import EDITED_VERDICT, read_plan

WUQING = "120114"  # 武清区: under cap 2 its 天津武清福源经济开发区 joins 武清经济技术开发区


@pytest.fixture(scope="module")
def cap2(tmp_path_factory):
    out = tmp_path_factory.mktemp("recheck") / "cap2"
    result = CliRunner().invoke(main, ["run", "--set", "rules.district_cap=2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def edit(plan_dir, tmp_path, change) -> Path:
    edited = tmp_path / "edited"
    shutil.copytree(plan_dir, edited)
    table = pd.read_csv(edited / "plan.csv", dtype=str, keep_default_na=False)
    table = change(table)
    table.to_csv(edited / "plan.csv", index=False, lineterminator="\n")
    return edited


def wuqing_member_back_to_host(table: pd.DataFrame) -> None:
    """Turn 武清区's member back into a host, as a committee might: 武清区 then keeps 3 zones > cap 2."""
    member = (table["district_id"] == WUQING) & (table["status"] == "member")
    assert member.sum() == 1
    table.loc[member, "status"] = "host"
    table.loc[member, "host_id"] = table.loc[member, "zone_id"]
    table.loc[member, "group_id"] = table.loc[member, "zone_id"]
    table.loc[member, "mode"] = ""
    table.loc[member, "distance_to_host_km"] = "0.000"
    return table


def test_summary_vouches_for_the_tables_and_an_untouched_plan_reads_back_as_solved(cap2):
    summary = json.loads((cap2 / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["tables_sha256"]) == {"plan.csv", "districts.csv", "flows.csv", "graph.csv"}
    plan = read_plan(cap2)
    assert plan.summary["status"] == "optimal" and plan.summary["proven_optimal"]
    assert not plan.summary.get("edited") and plan.summary["checks_passed"]
    # districts.csv re-derived from plan.csv equals the one the solve wrote
    written = pd.read_csv(cap2 / "districts.csv", dtype={"district_id": str}).set_index("district_id")
    derived = plan.districts.set_index("district_id")
    assert (written["zones_after"] == derived["zones_after"].reindex(written.index)).all()


def test_an_edited_plan_is_labelled_and_rechecked(cap2, tmp_path):
    edited = edit(cap2, tmp_path, wuqing_member_back_to_host)
    plan = read_plan(edited)
    s = plan.summary
    assert s["status"] == "edited" and s["proven_optimal"] is False and s["edited_tables"] == ["plan.csv"]
    failed = {c["name"]: c["detail"] for c in s["checks"] if not c["passed"]}
    assert list(failed) == ["district_caps"] and "武清区" in failed["district_caps"]
    assert int(plan.districts.loc[WUQING, "zones_after"]) == 3  # re-derived, not the stale 2 of districts.csv
    assert s["objective"] != s["solved_objective"]  # priced from the table as it is


def test_check_command_names_the_broken_cap(cap2, tmp_path):
    edited = edit(cap2, tmp_path, wuqing_member_back_to_host)
    result = CliRunner().invoke(main, ["check", str(edited), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert EDITED_VERDICT["en"] in result.output
    assert "BREAKS district_caps: district 120114 (武清区) keeps 3 > cap 2" in result.output
    assert "how to fix" in result.output and "optimum of scenario" in result.output
    good = CliRunner().invoke(main, ["check", str(cap2), "--no-optimum", "--lang", "en"])
    assert good.exit_code == 0 and "proven optimal" in good.output and "10 of 10 hold" in good.output
    # the same plan checked against cap 3 holds (and is not the plan proven for that scenario)
    relaxed = CliRunner().invoke(main, ["check", str(edited), "--set", "rules.district_cap=3", "--no-optimum"])
    assert relaxed.exit_code == 0, relaxed.output


def test_check_speaks_the_region_language_else_chinese(cap2, tmp_path):
    from consolidate.checks import HOW_TO_FIX

    edited = edit(cap2, tmp_path, wuqing_member_back_to_host)
    result = CliRunner().invoke(main, ["check", str(edited)])   # tianjin says no language: Chinese
    assert result.exit_code == 1, result.output
    assert result.output.startswith("天津市开发区") and EDITED_VERDICT["zh"] in result.output
    assert "规则：10 项中 9 项满足" in result.output
    assert "不满足 district_caps: district 120114 (武清区) keeps 3 > cap 2" in result.output
    assert HOW_TO_FIX["zh"]["district_caps"] in result.output and "情景“baseline · 上限 2”的最优解" in result.output
    assert "how to fix" not in result.output and "BREAKS" not in result.output and "optimum" not in result.output
    assert set(HOW_TO_FIX["zh"]) == set(HOW_TO_FIX["en"])


def test_check_with_overrides_names_the_scenario_as_the_report_labels_it(cap2):
    result = CliRunner().invoke(main, ["check", str(cap2), "--set", "merging.contiguity=nearby",
                                       "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "scenario 'baseline · cap 2 · nearby':" in result.output.splitlines()[0]
    assert "optimum of scenario 'baseline · cap 2 · nearby': " in result.output


def test_check_a_bare_plan_csv(cap2, tmp_path):
    edited = edit(cap2, tmp_path, wuqing_member_back_to_host)
    bare = tmp_path / "committee.csv"
    shutil.copy(edited / "plan.csv", bare)
    unnamed = CliRunner().invoke(main, ["check", str(bare)])
    assert unnamed.exit_code == 2 and "--scenario" in unnamed.output
    result = CliRunner().invoke(main, ["check", str(bare), "--scenario", "baseline", "--set", "rules.district_cap=2",
                                       "--no-optimum", "--lang", "en"])
    assert result.exit_code == 1 and "武清区" in result.output and EDITED_VERDICT["en"] in result.output


def test_allocate_report_compare_and_plot_say_edited(cap2, tmp_path):
    edited = edit(cap2, tmp_path, wuqing_member_back_to_host)
    allocate = CliRunner().invoke(main, ["allocate", str(edited), "--lang", "en"])
    assert allocate.exit_code == 0, allocate.output
    assert EDITED_VERDICT["en"] in allocate.output and "district_caps" in allocate.output
    in_chinese = CliRunner().invoke(main, ["allocate", str(edited)])   # the region's language, else Chinese
    assert EDITED_VERDICT["zh"] in in_chinese.output and "不满足 district_caps" in in_chinese.output
    assert "各区GDP" in in_chinese.output and "属地整合后" in in_chinese.output
    plot = CliRunner().invoke(main, ["plot", str(edited), "--lang", "en"])
    assert plot.exit_code == 0 and EDITED_VERDICT["en"] in plot.output, plot.output
    for lang in ("zh", "en"):
        out = tmp_path / f"report-{lang}.html"
        report = CliRunner().invoke(main, ["report", str(edited), "--out", str(out), "--lang", lang])
        assert report.exit_code == 0, report.output
        html = out.read_text(encoding="utf-8")
        proven = '<span class="ok">' + ("已证明最优" if lang == "zh" else "proven optimal")
        assert EDITED_VERDICT[lang] in html and proven not in html and "10/10" not in html and "9/10" in html
    compare = CliRunner().invoke(main, ["compare", str(cap2), str(edited), "--out", str(tmp_path / "cmp")])
    assert compare.exit_code == 0, compare.output
    assert EDITED_VERDICT["en"] in compare.output
    assert EDITED_VERDICT["en"] in (tmp_path / "cmp" / "comparison.md").read_text(encoding="utf-8")
    # the copy of the edited plan a comparison keeps is still labelled when read back
    kept = sorted((tmp_path / "cmp" / "plans").iterdir())
    assert [read_plan(folder).summary["status"] for folder in kept].count("edited") == 1


def test_a_plan_without_a_hash_record_is_not_vouched_for(cap2, tmp_path):
    older = edit(cap2, tmp_path, lambda table: table)
    summary = json.loads((older / "summary.json").read_text(encoding="utf-8"))
    del summary["tables_sha256"]
    (older / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    s = read_plan(older).summary
    assert s["status"] == "edited" and not s["proven_optimal"]
    # the same plan priced from its table (plan.objective_parts) and by the solver agree
    assert s["objective"] == pytest.approx(s["solved_objective"], abs=1e-6)


def first_member_joins_another_member(t: pd.DataFrame) -> pd.DataFrame:
    members = t.index[t["status"] == "member"]
    t.loc[members[0], "host_id"] = t.loc[members[-1], "zone_id"]
    return t


def set_cell(column: str, value: str):
    def change(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[0, column] = value
        return t
    return change


MALFORMED = {
    "unknown zone": (set_cell("zone_id", "NOPE"), "zone_id", "is not a zone of region"),
    "missing zone": (lambda t: t.iloc[:-1], None, "have no row"),
    "bad status": (set_cell("status", "merged"), "status", "write host, member or revoked"),
    "host not a host": (first_member_joins_another_member, "host_id", "which has status 'member'"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_plan_is_bad_input(cap2, tmp_path, name):
    change, column, message = MALFORMED[name]
    broken = edit(cap2, tmp_path, change)
    for args in (["check", str(broken), "--no-optimum"], ["allocate", str(broken)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (name, result.output)
        assert "plan.csv" in result.output and message in result.output and "Traceback" not in result.output
        if column:
            assert f"column '{column}'" in result.output and "row " in result.output


def test_chart_titles_of_an_edited_plan_say_so(cap2, tmp_path):
    from consolidate.charts.plan import plan_figures

    plan = read_plan(edit(cap2, tmp_path, wuqing_member_back_to_host))
    for lang in ("en", "zh"):
        figures = plan_figures(plan, lang)
        texts = [t.get_text() for fig in figures.values() for t in fig.texts]
        # (the chart words are English when no CJK font is installed)
        assert any(EDITED_VERDICT[lang] in t or EDITED_VERDICT["en"] in t for t in texts)
        assert not any("proven optimal)" in t and "edited" not in t for t in texts)
