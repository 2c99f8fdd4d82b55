"""`consolidate compare`: scenarios side by side, an infeasible one as a row, plan folders reused."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate.cli.compare import compare_command
from consolidate.compare import TABLE_COLUMNS, compare, solve_outcome
from consolidate.resources import scenarios_dir
from regions import write_scenario

BASELINE = str(scenarios_dir() / "baseline.yaml")


@pytest.fixture
def three(small_region, tmp_path):
    """base (cap 3), tight (cap 2, no cross-district merges), impossible (cap 0, nothing may be revoked)."""
    exempt = {"exempt_districts": ["丙区"]}
    return [write_scenario(tmp_path / "base.yaml", small_region, extends=BASELINE, rules=exempt),
            write_scenario(tmp_path / "tight.yaml", small_region, extends=BASELINE,
                           rules={**exempt, "district_cap": 2}, merging={"cross_district": False}),
            write_scenario(tmp_path / "impossible.yaml", small_region, extends=BASELINE,
                           rules={**exempt, "district_cap": 0}, revocation={"allowed": False})]


def test_compare_three_writes_csv_and_markdown_with_an_infeasible_row(three, tmp_path):
    out = tmp_path / "cmp"
    result = CliRunner().invoke(compare_command, [*map(str, three), "--out", str(out), "--lang", "en"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Scenarios side by side" in result.output and "infeasible" in result.output
    # --lang zh: the same tables in Chinese, with the comparison chart's words (#17)
    chinese = CliRunner().invoke(compare_command, [str(out / "plans" / "base"), str(out / "plans" / "tight"),
                                                   "--out", str(tmp_path / "zh"), "--lang", "zh", "--no-charts"],
                                 terminal_width=200)
    assert chinese.exit_code == 0, chinese.output
    assert "方案并列比较" in chinese.output and "甲区" in chinese.output and "side by side" not in chinese.output

    table = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    assert list(table.columns) == [*TABLE_COLUMNS, "reason"]
    assert list(table["scenario"]) == ["base", "tight", "impossible"]
    rows = table.set_index("scenario")
    assert rows.loc["base", "status"] == "optimal" and rows.loc["base", "proven_optimal"] in (True, "True")
    assert rows.loc["impossible", "status"] == "infeasible" and "no plan satisfies" in rows.loc["impossible", "reason"]
    assert rows.loc["impossible", "objective"] == ""
    # 甲区 has 4 zones: cap 3 keeps 3, cap 2 keeps 2
    assert int(rows.loc["base", "hosts"]) + int(rows.loc["base", "members"]) + int(rows.loc["base", "revoked"]) == 7
    parts = [c for c in TABLE_COLUMNS if c.startswith("objective_")]
    for name in ("base", "tight"):
        assert float(rows.loc[name, "objective"]) == pytest.approx(sum(float(rows.loc[name, p]) for p in parts))
        assert sum(int(rows.loc[name, f"merges_{m}"]) for m in ("entrusted", "co_construction", "multi_park")) \
            == int(rows.loc[name, "members"])

    per = pd.read_csv(out / "zones_per_district.csv").set_index("district")
    assert list(per.columns) == ["zones_before", "base", "tight"]
    assert per.loc["甲区"].tolist() == [4, 3, 2]
    assert per.loc["乙区", "tight"] == 2 and per.loc["丙区", "base"] == 1

    changes = pd.read_csv(out / "district_changes.csv")
    assert set(changes["measure"]) == {"gdp", "fiscal_revenue"} and {"base", "tight"} <= set(changes.columns)

    fates = pd.read_csv(out / "zone_fates.csv", keep_default_na=False)
    assert len(fates) >= 1 and {"zone_id", "name", "base", "tight"} <= set(fates.columns)
    for _, row in fates.iterrows():
        assert row["base"] != row["tight"]

    md = (out / "comparison.md").read_text(encoding="utf-8")
    for text in ("## Key figures", "| status | optimal | optimal | infeasible |", "**impossible** (infeasible)",
                 "## Zones kept per district", "## Zones whose fate differs"):
        assert text in md
    assert (out / "plans" / "base" / "summary.json").is_file() and not (out / "plans" / "impossible").exists()


def test_plan_folders_are_read_not_solved_again(three, tmp_path):
    first = tmp_path / "first"
    assert CliRunner().invoke(compare_command, [str(three[0]), str(three[1]), "--out", str(first)]).exit_code == 0
    out = tmp_path / "again"
    result = CliRunner().invoke(compare_command, [str(first / "plans" / "base"), str(three[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "reading plan" in result.output and "solving tight" in result.output
    again = pd.read_csv(out / "comparison.csv").set_index("scenario")
    before = pd.read_csv(first / "comparison.csv").set_index("scenario")
    assert again.loc["base", "objective"] == before.loc["base", "objective"]
    assert again.loc["base", "hosts"] == before.loc["base", "hosts"]


def test_same_scenario_twice_gets_distinct_labels_and_no_fate_changes(three, tmp_path):
    out = tmp_path / "twice"
    assert CliRunner().invoke(compare_command, [str(three[0]), str(three[0]), "--out", str(out)]).exit_code == 0
    assert list(pd.read_csv(out / "comparison.csv")["scenario"]) == ["base", "base-2"]
    assert len(pd.read_csv(out / "zone_fates.csv")) == 0


def test_unknown_scenario_stops_before_solving(three, tmp_path):
    result = CliRunner().invoke(compare_command, [str(three[0]), "no-such-scenario", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "no such scenario" in result.output
    assert "solving" not in result.output and not (tmp_path / "x").exists()


def test_outcome_of_a_failing_load_is_a_row_not_a_crash():
    from consolidate.errors import InputError

    def load():
        raise InputError("broken on purpose")

    outcome = solve_outcome("broken", load)
    assert outcome.status == "input_error" and "broken on purpose" in outcome.message
    table = compare([outcome]).table
    assert table.loc[0, "status"] == "input_error" and table.loc[0, "hosts"] is None
