"""Explaining decisions: pins.assign, the cross-district weight, and extra costs that re-solving confirms."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate import load_region
from consolidate.cli import main
from consolidate.errors import InfeasibleError, InputError
from consolidate.explain import explain_plan, regrets
from consolidate.scenario import load_scenario, scenario_from_dict
from consolidate.pipeline import solve

MUST_SHOW = ["rules.district_cap=2", "merging.contiguity=nearby"]
DAQIUZHUANG = "S129027"  # 天津大邱庄工业区


@pytest.fixture(scope="module")
def tianjin():
    return load_region("tianjin")


@pytest.fixture(scope="module")
def must_show(tianjin):
    return solve(tianjin, load_scenario("cap-2", ["merging.contiguity=nearby"]))


def with_keys(scenario, **keys):
    data = scenario.as_dict()
    for key, value in keys.items():
        node = data
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return scenario_from_dict(data)


def decisions(plan):
    return {z: (r["status"], r["host_id"]) for z, r in plan.table.iterrows()}


def test_pins_assign_forces_a_member_and_the_checks_verify_it(tianjin, must_show):
    scenario = with_keys(must_show.scenario, pins__assign={DAQIUZHUANG: "G121054"})
    plan = solve(tianjin, scenario)
    assert decisions(plan)[DAQIUZHUANG] == ("member", "G121054")
    assert plan.summary["checks_passed"]
    from consolidate.checks import check_plan, failed
    from consolidate.graph import zone_graph

    edited = plan.table.copy()
    edited.loc[DAQIUZHUANG, ["host_id", "group_id"]] = "G122002"
    results = check_plan(edited, tianjin, scenario, zone_graph(tianjin))
    assert any("pins.assign" in r.detail for r in failed(results))


def test_pins_assign_to_a_forbidden_host_is_explained_as_infeasible(tianjin, must_show):
    scenario = with_keys(must_show.scenario, pins__assign={DAQIUZHUANG: "G123002"})  # 天津港保税区, customs
    with pytest.raises(InfeasibleError) as caught:
        solve(tianjin, scenario)
    assert "customs areas merge only with customs areas" in str(caught.value)
    with pytest.raises(InputError):
        solve(tianjin, with_keys(must_show.scenario, pins__assign={"nowhere": "G123002"}))


def test_a_zone_assigned_to_itself_stays(tianjin, must_show):
    plan = solve(tianjin, with_keys(must_show.scenario, pins__assign={DAQIUZHUANG: DAQIUZHUANG}))
    assert decisions(plan)[DAQIUZHUANG] == ("host", DAQIUZHUANG) and plan.summary["checks_passed"]


def test_cross_district_cost_counts_members_of_another_districts_host(tianjin, must_show):
    plan = solve(tianjin, with_keys(must_show.scenario, objective__weights__cross_district=0.5))
    table, zones = plan.table, tianjin.zones
    members = table[table["status"] == "member"]
    crossing = int((zones.loc[members.index, "managing_district_id"].to_numpy()
                    != zones.loc[members["host_id"], "managing_district_id"].to_numpy()).sum())
    part = plan.summary["objective_parts"]["cross_district"]
    assert part["real"] == crossing and part["weighted"] == pytest.approx(0.5 * crossing)
    assert plan.summary["objective"] == pytest.approx(sum(p["weighted"] for p in plan.summary["objective_parts"].values()))
    assert plan.summary["objective"] >= must_show.summary["objective"] - 1e-9


def test_must_show_explain_daqiuzhuang(must_show):
    options = explain_plan(must_show, ["天津大邱庄工业区"])
    chosen = options[options["chosen"]]
    assert list(chosen["target_id"]) == ["G122002"] and float(chosen["extra_cost"].iloc[0]) == 0
    others = options[(options["option"] == "join") & options["allowed"] & ~options["chosen"]]
    assert len(others) >= 2 and (others["extra_cost"] >= -1e-9).all()
    forbidden = options[options["status"] == "forbidden"]
    assert len(forbidden) and forbidden["reason"].str.len().gt(0).all()
    assert forbidden["reason"].str.contains("too far").any() and forbidden["reason"].str.contains("customs").any()


def second_best(options):
    others = options[~options["chosen"] & options["allowed"] & options["extra_cost"].notna()]
    return others.loc[others["extra_cost"].idxmin()]


def force(scenario, row):
    zone = row["zone_id"]
    if row["option"] == "revoke":
        return with_keys(scenario, pins__revoke=[*scenario.pins.revoke, zone])
    target = zone if row["option"] == "host" else row["target_id"]
    return with_keys(scenario, pins__assign={**scenario.pins.assign, zone: target})


@pytest.mark.parametrize("zone", [DAQIUZHUANG, "S129022", "S127024", "G121050"])
def test_forcing_the_second_best_costs_exactly_what_explain_printed(tianjin, must_show, zone):
    row = second_best(explain_plan(must_show, [zone]))
    forced = solve(tianjin, force(must_show.scenario, row))
    assert forced.summary["proven_optimal"] and forced.summary["checks_passed"]
    assert forced.summary["objective"] == pytest.approx(must_show.summary["objective"] + row["extra_cost"], abs=1e-6)


def small_region(make_region):
    districts = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
    zones = [{"zone_id": "a1", "name": "甲一", "district_id": "A", "level": "national", "kind": "etdz",
              "lat": 39.0, "lon": 117.0, "gdp": 100},
             {"zone_id": "a2", "name": "甲二", "district_id": "A", "lat": 39.05, "lon": 117.05, "gdp": 10},
             {"zone_id": "a3", "name": "甲三", "district_id": "A", "lat": 39.10, "lon": 117.0, "gdp": 20},
             {"zone_id": "a4", "name": "甲四", "district_id": "A", "lat": 39.02, "lon": 117.10, "gdp": 2},
             {"zone_id": "b1", "name": "乙一", "district_id": "B", "lat": 39.08, "lon": 117.12, "gdp": 30,
              "level": "national", "kind": "htz"},
             {"zone_id": "b2", "name": "乙二", "district_id": "B", "lat": 39.12, "lon": 117.15, "gdp": 5}]
    return load_region(make_region(districts, zones, derive={"method": "distance", "max_km": 30},
                                   rules={"district_cap": 2, "exempt_districts": []}))


def test_extra_costs_on_a_small_region_match_re_solves(make_region):
    region = small_region(make_region)
    scenario = load_scenario("baseline", ["merging.contiguity=nearby", "rules.district_cap=2"])
    plan = solve(region, scenario)
    options = explain_plan(plan)
    table = regrets(options, plan.summary["objective"])
    assert set(table["zone_id"]) == set(plan.table.index)
    for zone in ("a2", "a3", "a4"):
        row = second_best(options[options["zone_id"] == zone])
        forced = solve(region, force(plan.scenario, row))
        assert forced.summary["objective"] == pytest.approx(plan.summary["objective"] + row["extra_cost"], abs=1e-6)


def test_explain_command_prints_and_writes_csv(must_show, tmp_path):
    folder = must_show.to_dir(tmp_path / "plan", charts=False)
    result = CliRunner().invoke(main, ["explain", str(folder), "--zone", "天津大邱庄工业区", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "天津子牙经济技术开发区" in result.output and "规则禁止" in result.output
    assert "并入 天津滨海高新技术产业开发区" in result.output and "距离过远" in result.output
    assert "海关特殊监管区只与同类整合" in result.output and "已写入" in result.output
    assert not [w for w in ("joins", "too far", "customs areas", "GDP above", "written to") if w in result.output]
    in_english = CliRunner().invoke(main, ["explain", str(folder), "--zone", DAQIUZHUANG, "--lang", "en",
                                           "--out", str(folder / "en.csv")])
    assert "joins 天津滨海高新技术产业开发区 (G122002)" in in_english.output and "too far: 31.3 km" in in_english.output
    written = pd.read_csv(folder / "explain.csv", dtype={"zone_id": str}, encoding="utf-8-sig")
    assert set(written["zone_id"]) == {DAQIUZHUANG}
    bad = CliRunner().invoke(main, ["explain", str(folder), "--zone", "nowhere"])
    assert bad.exit_code == 2 and "no zone" in bad.output


# --- the cap in principle ----------------------------------------------------------------------------


def test_in_principle_gives_the_strict_plan_where_the_caps_can_be_met(tmp_path):
    runner = CliRunner()
    outs = {}
    for mode in ("strict", "in_principle"):
        outs[mode] = tmp_path / mode
        result = runner.invoke(main, ["run", "cap-2", "--set", "merging.contiguity=nearby", "--set",
                                      f"rules.cap_mode={mode}", "--out", str(outs[mode]), "--no-charts"])
        assert result.exit_code == 0, result.output
    assert (outs["strict"] / "plan.csv").read_bytes() == (outs["in_principle"] / "plan.csv").read_bytes()


def over_cap_region(make_region):
    """甲区 (cap 1) has two national zones that may neither merge nor be revoked, and a small one that may go."""
    districts = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"}]
    zones = [{"zone_id": "a1", "name": "甲一", "district_id": "A", "level": "national", "kind": "etdz",
              "lat": 39.0, "lon": 117.0, "gdp": 100},
             {"zone_id": "a2", "name": "甲二", "district_id": "A", "level": "national", "kind": "htz",
              "lat": 40.0, "lon": 118.0, "gdp": 90},
             {"zone_id": "a3", "name": "甲三", "district_id": "A", "lat": 39.05, "lon": 117.05, "gdp": 20},
             {"zone_id": "b1", "name": "乙一", "district_id": "B", "lat": 41.0, "lon": 119.0, "gdp": 30}]
    return load_region(make_region(districts, zones, derive={"method": "distance", "max_km": 20},
                                   rules={"district_cap": 1, "exempt_districts": []}))


def test_in_principle_minimises_the_excess_first_and_the_checks_hold_it_to_the_minimum(make_region):
    region = over_cap_region(make_region)
    strict = load_scenario("baseline", ["revocation.allowed=false"])
    with pytest.raises(InfeasibleError):
        solve(region, strict)
    scenario = load_scenario("baseline", ["revocation.allowed=false", "rules.cap_mode=in_principle"])
    plan = solve(region, scenario)
    excess = plan.summary["cap_excess"]
    assert plan.summary["proven_optimal"] and excess["total"] == 1 and excess["proven"]
    assert decisions(plan)["a3"] == ("member", "a1")       # the one zone that can go, goes: excess 1, not 2
    (district,) = excess["districts"]
    assert district["name"] == "甲区" and district["over"] == 1 and "protected from revocation" not in district["reason"]
    assert "can neither join a host nor be revoked" in district["reason"]
    from consolidate.checks import check_plan, failed
    from consolidate.graph import zone_graph

    worse = plan.table.copy()
    worse.loc["a3", ["status", "host_id", "group_id", "mode", "distance_to_host_km"]] = ["host", "a3", "a3", "", 0.0]
    graph = zone_graph(region)
    assert not failed(check_plan(plan.table, region, plan.scenario, graph, cap_excess=1))
    assert [r.name for r in failed(check_plan(worse, region, plan.scenario, graph, cap_excess=1))] == ["district_caps"]


# --- locking a hand-edited plan -----------------------------------------------------------------------


def edit(folder, zone, host, mode, km):
    path = folder / "plan.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = table["zone_id"] == zone
    table.loc[row, ["status", "host_id", "group_id", "mode", "distance_to_host_km"]] = ["member", host, host, mode, km]
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return table.set_index("zone_id")


def test_lock_keeps_a_hand_edited_plan_and_it_passes_the_checks(must_show, tmp_path):
    folder = must_show.to_dir(tmp_path / "edited", charts=False)
    edited = edit(folder, DAQIUZHUANG, "G121054", "multi_park", "17.986")   # the near tie: 子牙, same district
    runner = CliRunner()
    args = ["run", "cap-2", "--set", "merging.contiguity=nearby", "--no-charts"]
    result = runner.invoke(main, [*args, "--lock", str(folder), "--out", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    locked = pd.read_csv(tmp_path / "all" / "plan.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig").set_index("zone_id")
    assert (locked[["status", "host_id"]] == edited[["status", "host_id"]]).all().all()
    summary = json.loads((tmp_path / "all" / "summary.json").read_text(encoding="utf-8"))
    assert summary["checks_passed"] and summary["objective"] > must_show.summary["objective"]
    assert summary["locked"]["decisions"] == len(edited) and "locked from" in result.output

    one = runner.invoke(main, [*args, "--lock", f"{folder}:天津大邱庄工业区", "--out", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    locked = pd.read_csv(tmp_path / "one" / "plan.csv", dtype=str, encoding="utf-8-sig").set_index("zone_id")
    assert locked.at[DAQIUZHUANG, "host_id"] == "G121054"


def test_an_impossible_lock_is_explained_like_any_infeasibility(must_show, tmp_path):
    folder = must_show.to_dir(tmp_path / "edited", charts=False)
    edit(folder, DAQIUZHUANG, "G123002", "entrusted", "58.657")   # a customs area, 58 km away
    result = CliRunner().invoke(main, ["run", "cap-2", "--set", "merging.contiguity=nearby", "--no-charts",
                                       "--lock", f"{folder}:{DAQIUZHUANG}", "--out", str(tmp_path / "x")])
    assert result.exit_code == 3, result.output
    assert "customs areas merge only with customs areas" in result.output and "too far" in result.output


# --- near-optimal alternatives ------------------------------------------------------------------------


def test_three_alternatives_are_distinct_non_decreasing_and_checked(tmp_path, must_show):
    out = tmp_path / "alt"
    result = CliRunner().invoke(main, ["run", "cap-2", "--set", "merging.contiguity=nearby", "--alternatives", "3",
                                       "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    tables, objectives = [], []
    for rank in range(4):
        summary = json.loads((out / f"alt-{rank}" / "summary.json").read_text(encoding="utf-8"))
        assert summary["checks_passed"]
        assert summary["proven_optimal"] == (rank == 0)
        assert rank == 0 or summary["alternative"]["proven_next_best"]
        objectives.append(summary["objective"])
        tables.append((out / f"alt-{rank}" / "plan.csv").read_bytes())
    assert len(set(tables)) == 4 and objectives == sorted(objectives)
    assert tables[0] == must_show.to_dir(tmp_path / "run", charts=False).joinpath("plan.csv").read_bytes()
    fates = pd.read_csv(out / "alternatives.csv", encoding="utf-8-sig")
    assert "stability" in fates and (fates["stability"] != "4/4").any()
    # the next best plan costs what explain says the cheapest single change costs
    best_regret = regrets(explain_plan(must_show), must_show.summary["objective"])["regret"].min()
    assert objectives[1] == pytest.approx(objectives[0] + best_regret, abs=1e-6)


def test_within_stops_at_the_percentage(tmp_path):
    result = CliRunner().invoke(main, ["run", "cap-2", "--set", "merging.contiguity=nearby", "--alternatives", "3",
                                       "--within", "0.1", "--out", str(tmp_path / "alt"), "--no-charts"])
    assert result.exit_code == 0, result.output
    plans = pd.read_csv(tmp_path / "alt" / "plans.csv", encoding="utf-8-sig")
    assert list(plans["plan"]) == ["alt-0", "alt-1"] and (plans["extra_pct"] <= 0.1).all()


# --- in the planner's language ------------------------------------------------------------------------


def test_every_rule_has_the_same_values_in_both_languages():
    from string import Formatter

    from consolidate.problem import RULE_TEXT

    def fields(text):
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    assert set(RULE_TEXT["en"]) == set(RULE_TEXT["zh"])
    assert all(fields(RULE_TEXT["en"][k]) == fields(RULE_TEXT["zh"][k]) for k in RULE_TEXT["en"])


def english_words(text: str) -> set[str]:
    """Words of English left in a text, beyond the scenario keys it names (merging.customs=fold) and GDP."""
    import re

    text = re.sub(r"[a-z_]+\.[a-z_.]+(=\S+?)?(?=[）;；，,\s]|$)", "", str(text))
    return set(re.findall(r"[A-Za-z]{3,}", text)) - {"GDP"}


def test_explain_in_chinese_has_the_same_numbers_and_no_english(make_region):
    region = small_region(make_region)
    plan = solve(region, load_scenario("baseline", ["merging.contiguity=nearby", "rules.district_cap=2",
                                                    "merging.max_distance_km=8", "pins.revoke=[a4]"]))
    english, chinese = explain_plan(plan), explain_plan(plan, lang="zh")
    words = ["decision", "reason"]
    pd.testing.assert_frame_equal(english.drop(columns=words), chinese.drop(columns=words))
    assert set(english["status"]) >= {"forbidden", "optimal"} and english["reason"].str.contains("too far").any()
    for text in [*chinese["decision"], *chinese["reason"].dropna(), *regrets(chinese, lang="zh")["next_best"]]:
        assert not english_words(text), text
    assert chinese["reason"].str.contains("距离过远").any() and chinese["decision"].str.contains("并入").any()


def test_why_a_district_is_stuck_over_its_cap_in_chinese(make_region):
    from consolidate.diagnose import districts_stuck_over_cap
    from consolidate.pipeline import prepare

    region = over_cap_region(make_region)
    scenario, *_, problem = prepare(region, load_scenario("baseline", ["revocation.allowed=false"]))
    (english,), (chinese,) = (districts_stuck_over_cap(problem, region, scenario, lang)[1] for lang in ("en", "zh"))
    assert "can neither join a host nor be revoked" in english and "甲一" in english
    assert "既不能并入牵头开发区也不能撤销" in chinese and "甲一" in chinese and not english_words(chinese), chinese
