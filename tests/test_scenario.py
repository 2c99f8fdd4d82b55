"""Scenario files: schema errors name the key and what is allowed; extends:, --set and the bundled set."""
from __future__ import annotations

from consolidate.region import load_region

import pytest
import yaml
from click.testing import CliRunner

from consolidate.cli.scenarios import differences, scenarios_command, show_scenario_command
from consolidate.errors import InputError
from consolidate.resources import bundled_scenarios, scenarios_dir
from consolidate.scenario import deep_merge, load_scenario, parse_override
from regions import write_region


def write(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_key_names_its_path_and_the_allowed_keys(tmp_path):
    bad = write(tmp_path / "bad.yaml", {"extends": str(scenarios_dir() / "baseline.yaml"),
                                        "merging": {"contiguty": "nearby"}})
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    text = str(caught.value)
    assert "merging.contiguty" in text and "allowed keys here:" in text
    for key in ("contiguity", "cross_district", "max_distance_km", "modes"):
        assert key in text
    result = CliRunner().invoke(show_scenario_command, [str(bad)])
    assert result.exit_code == 2 and "merging.contiguty" in result.output


def test_unknown_top_level_key(tmp_path):
    with pytest.raises(InputError, match=r"rule: .*allowed keys here: .*rules"):
        load_scenario(write(tmp_path / "s.yaml", {"rule": {"district_cap": 2}}))


@pytest.mark.parametrize("override, key", [
    ("rules.district_cap=three", "rules.district_cap"),
    ("merging.cross_district=perhaps", "merging.cross_district"),
    ("merging.contiguity=touching", "merging.contiguity"),
    ("revocation.max_gdp_share=2", "revocation.max_gdp_share"),
    ("merging.modes=[entrusted, annexed]", "merging.modes"),
])
def test_wrong_type_or_value_names_the_key(override, key):
    with pytest.raises(InputError) as caught:
        load_scenario("baseline", [override])
    assert key in str(caught.value)


def test_allowed_values_are_listed_for_a_literal():
    with pytest.raises(InputError, match=r"adjacent.*nearby.*connected"):
        load_scenario("baseline", ["merging.contiguity=touching"])


def test_extends_deep_merges_and_replaces_lists(tmp_path):
    parent = write(tmp_path / "parent.yaml", {"description": "parent", "rules": {"district_cap": 2},
                                              "merging": {"cross_district": False, "modes": ["entrusted"]}})
    child = write(tmp_path / "child.yaml", {"extends": "parent.yaml", "merging": {"max_distance_km": 12},
                                            "rules": {"exempt_districts": ["甲区"]}})
    s = load_scenario(child)
    assert s.name == "child" and s.description == ""          # name and description are not inherited
    assert s.rules.district_cap == 2 and s.rules.exempt_districts == ["甲区"]
    assert s.merging.cross_district is False and s.merging.max_distance_km == 12
    assert s.merging.modes == ["entrusted"] and s.merging.contiguity == "adjacent"   # defaults fill the rest
    assert deep_merge({"a": [1, 2], "b": {"c": 1}}, {"a": [3], "b": {"d": 2}}) == {"a": [3], "b": {"c": 1, "d": 2}}


def test_allocation_is_replaced_per_measure_not_merged_into_a_split(tmp_path):
    child = write(tmp_path / "c.yaml", {"extends": str(scenarios_dir() / "split-50.yaml"),
                                        "allocation": {"gdp": "host"}})
    s = load_scenario(child)
    assert s.allocation == {"gdp": "host", "fiscal_revenue": {"split": 0.5}}


def test_extends_loop_is_an_error(tmp_path):
    write(tmp_path / "a.yaml", {"extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml"})
    with pytest.raises(InputError, match="loops back"):
        load_scenario(tmp_path / "a.yaml")
    result = CliRunner().invoke(show_scenario_command, [str(tmp_path / "a.yaml")])
    assert result.exit_code == 2 and "a.yaml → b.yaml → a.yaml" in result.output


@pytest.mark.parametrize("text, expected", [
    ("rules.district_cap=2", 2),
    ("revocation.max_gdp_share=0.1", 0.1),
    ("merging.cross_district=false", False),
    ("revocation.allowed=true", True),
    ("rules.exempt_districts=[滨海新区, 甲区]", ["滨海新区", "甲区"]),
    ("rules.exempt_districts=[]", []),
    ("merging.max_distance_km=null", None),
    ("allocation.gdp=split:0.5", {"split": 0.5}),
    ("allocation.gdp={split: 0.25}", {"split": 0.25}),
    ("allocation.gdp=host", "host"),
])
def test_set_values_are_typed(text, expected):
    path, value = parse_override(text)
    assert value == expected and type(value) is type(expected)
    s = load_scenario("baseline", [text])
    node = s.as_dict()
    for part in path:
        node = node[part]
    assert node == expected


def test_set_applies_after_extends_and_last_wins():
    s = load_scenario("cap-2", ["rules.district_cap=5", "rules.district_cap=4", "fairness.max_district_loss=0.2"])
    assert s.rules.district_cap == 4 and s.fairness.max_district_loss == 0.2 and s.name == "cap-2"


@pytest.mark.parametrize("rule", ["bogus", "split:1.5", "{split: 0.5, host: 1}", "{host: 1}"])
def test_bad_allocation_rule_is_exit_2(rule):
    with pytest.raises(InputError, match="allocation.gdp"):
        load_scenario("baseline", [f"allocation.gdp={rule}"])
    result = CliRunner().invoke(show_scenario_command, ["baseline", "--set", f"allocation.gdp={rule}"])
    assert result.exit_code == 2 and "allocation.gdp" in result.output


def test_set_without_equals_is_exit_2():
    result = CliRunner().invoke(show_scenario_command, ["baseline", "--set", "rules.district_cap"])
    assert result.exit_code == 2 and "key=value" in result.output


def test_show_scenario_prints_a_resolved_scenario_that_loads_again(tmp_path):
    result = CliRunner().invoke(show_scenario_command, ["cap-2", "--set", "merging.cross_district=false"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert data["rules"]["district_cap"] == 2 and data["merging"]["cross_district"] is False
    assert data["solver"]["name"] == "highs"                  # defaults are filled in
    again = load_scenario(write(tmp_path / "again.yaml", data))
    expected = load_scenario("cap-2", ["merging.cross_district=false"]).for_region(load_region("tianjin"))
    # the same keys; the description is generated from them (the file's prose does not know about --set)
    assert again.as_dict() == {**expected.as_dict(), "region": again.region, "description": data["description"]}
    assert data["rules"]["exempt_districts"] == ["滨海新区"]   # from models/tianjin/region.yaml
    assert "最多保留 2 个" in data["description"] and "不跨区" in data["description"]


def test_a_description_is_generated_from_the_keys_and_the_region(tmp_path):
    districts = [{"district_id": "A", "name": "Alpha", "lat": 30.0, "lon": 120.0},
                 {"district_id": "B", "name": "Beta", "lat": 30.1, "lon": 120.1}]
    zones = [{"zone_id": "a1", "name": "A1", "district_id": "A", "lat": 30.0, "lon": 120.0, "level": "national"},
             {"zone_id": "b1", "name": "B1", "district_id": "B", "lat": 30.1, "lon": 120.1}]
    root = write_region(tmp_path / "my-city", districts, zones, derive={"method": "distance", "max_km": 30},
                        rules={"district_cap": 1, "exempt_districts": ["Beta"]})
    result = CliRunner().invoke(show_scenario_command, ["baseline", "--region", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = yaml.safe_load(result.output)["description"]
    assert "滨海" not in text and "At most 1 zone per district (Beta exempt)" in text


def test_a_plan_is_named_by_its_scenario_and_overrides():
    from consolidate.describe import label, overrides_from_named

    region = load_region("tianjin")
    scenario = load_scenario("baseline", ["rules.district_cap=2", "merging.contiguity=nearby", "solver.name=cbc"])
    overrides = overrides_from_named(scenario, region)
    assert overrides == {"rules.district_cap": 2, "merging.contiguity": "nearby"}     # solver choices are not names
    assert label(scenario.name, overrides) == "baseline · cap 2 · nearby"
    assert label(scenario.name, overrides, "zh") == "baseline · 上限 2 · 相近"
    assert overrides_from_named(load_scenario("cap-2"), region) == {}


def test_bundled_scenarios_load_describe_themselves_and_differ_from_baseline():
    names = bundled_scenarios()
    expected = {"baseline", "nearby-30km", "connected", "no-revocation", "cap-2", "cap-4", "no-cross-district",
                "count-by-location", "binhai-not-exempt", "host-takes-all", "split-50", "fair-host"}
    assert expected <= set(names)
    tianjin = load_region("tianjin")
    base = load_scenario("baseline").for_region(tianjin)
    for name in names:
        s = load_scenario(name)
        assert s.name == name and s.description.strip(), name
        if name in expected - {"baseline"}:      # (others may add scenarios that extend these)
            text = (scenarios_dir() / f"{name}.yaml").read_text(encoding="utf-8")
            assert "extends: baseline.yaml" in text and "\n" not in s.description.strip(), name
            assert differences(s.for_region(tianjin), base), f"{name} is the same as baseline"
    assert "rules.district_cap=2" == differences(load_scenario("cap-2").for_region(tianjin), base)


def test_scenarios_command_lists_every_bundled_scenario():
    result = CliRunner().invoke(scenarios_command, [], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in bundled_scenarios():
        assert name in result.output
    assert "内置方案" in result.output and "每区最多保留" in result.output     # described from its keys
    english = CliRunner().invoke(scenarios_command, ["--lang", "en"], terminal_width=200)
    assert "Bundled scenarios" in english.output and "Article 18 as written" in english.output   # the file's prose
