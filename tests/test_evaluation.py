"""The comprehensive evaluation (articles 12, 19, 21): scores computed by hand, policies, grades, CLI."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from pydantic import ValidationError

from consolidate.errors import InputError
from consolidate.evaluation import (DEFAULT_INDICATORS, EvaluationConfig, config_from_dict, evaluate, grade,
                                    revocation_candidates, weights_sweep, zone_scores)

# Four zones, two scored indicators: output_per_ha = gdp / approved_area_ha (higher is better, weight 2)
# and energy_per_output (lower is better, weight 1). Every other default indicator has weight 0.
#
#            area   gdp   output_per_ha   energy_per_output
#   A         100    50        0.5              0.2
#   B         200    40        0.2              0.4
#   C         100    10        0.1              0.6
#   D          50    20        0.4              0.2


def four_zones(**changes) -> pd.DataFrame:
    zones = pd.DataFrame({
        "approved_area_ha": [100.0, 200.0, 100.0, 50.0],
        "gdp": [50.0, 40.0, 10.0, 20.0],
        "fiscal_revenue": [5.0, 4.0, 1.0, 2.0],
        "energy_per_output": [0.2, 0.4, 0.6, 0.2],
    }, index=["A", "B", "C", "D"])
    for column, values in changes.items():
        zones[column] = values
    return zones


def two_indicators(**settings) -> EvaluationConfig:
    indicators = {name: None for name in DEFAULT_INDICATORS}  # null = weight 0
    indicators.update({"output_per_ha": 2, "energy_per_output": {"weight": 1}})
    settings.setdefault("normalisation", "minmax")
    return EvaluationConfig(indicators=indicators, **settings)


def phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def check(table: pd.DataFrame, column: str, expected: dict[str, float]) -> None:
    for zone, value in expected.items():
        assert table.at[zone, column] == pytest.approx(value, abs=1e-9), (zone, column)


# --- the three normalisations, by hand --------------------------------------------------------------


def test_minmax_by_hand():
    table = evaluate(four_zones(), two_indicators(normalisation="minmax"))
    check(table, "output_per_ha", {"A": 0.5, "B": 0.2, "C": 0.1, "D": 0.4})
    # output: (x − 0.1) / 0.4; energy, lower better: (0.6 − x) / 0.4
    check(table, "norm_output_per_ha", {"A": 1.0, "B": 0.25, "C": 0.0, "D": 0.75})
    check(table, "norm_energy_per_output", {"A": 1.0, "B": 0.5, "C": 0.0, "D": 1.0})
    # score = (2·output + energy) / 3
    check(table, "score", {"A": 1.0, "B": 1 / 3, "C": 0.0, "D": 2.5 / 3})
    assert table["rank"].to_dict() == {"A": 1, "B": 3, "C": 4, "D": 2}
    assert table["grade"].to_dict() == {"A": "excellent", "B": "unqualified", "C": "unqualified", "D": "excellent"}
    assert table["missing_filled"].eq("").all()
    assert zone_scores(four_zones(), two_indicators()).to_dict() == pytest.approx(table["score"].to_dict())


def test_rank_by_hand():
    table = evaluate(four_zones(), two_indicators(normalisation="rank"))
    # output ranks from worst: C 1, B 2, D 3, A 4 → (r − 1) / 3
    check(table, "norm_output_per_ha", {"A": 1.0, "B": 1 / 3, "C": 0.0, "D": 2 / 3})
    # energy (lower better) from worst: C 1, B 2, A and D tie for 3 and 4 → 3.5 each
    check(table, "norm_energy_per_output", {"A": 2.5 / 3, "B": 1 / 3, "C": 0.0, "D": 2.5 / 3})
    check(table, "score", {"A": (2 + 2.5 / 3) / 3, "B": 1 / 3, "C": 0.0, "D": (4 / 3 + 2.5 / 3) / 3})
    assert table["rank"].to_dict() == {"A": 1, "B": 3, "C": 4, "D": 2}
    assert table.at["D", "grade"] == "excellent"  # 13/18 = 0.722


def test_zscore_by_hand():
    table = evaluate(four_zones(), two_indicators(normalisation="zscore"))
    # output: mean 0.3, population variance (0.04 + 0.01 + 0.04 + 0.01) / 4 = 0.025
    sd = math.sqrt(0.025)
    out = {"A": phi(0.2 / sd), "B": phi(-0.1 / sd), "C": phi(-0.2 / sd), "D": phi(0.1 / sd)}
    # energy: mean 0.35, variance (0.0225 + 0.0025 + 0.0625 + 0.0225) / 4 = 0.0275; lower better → −z
    sd = math.sqrt(0.0275)
    energy = {"A": phi(0.15 / sd), "B": phi(-0.05 / sd), "C": phi(-0.25 / sd), "D": phi(0.15 / sd)}
    check(table, "norm_output_per_ha", out)
    check(table, "norm_energy_per_output", energy)
    check(table, "score", {z: (2 * out[z] + energy[z]) / 3 for z in out})
    assert table["score"].between(0, 1).all()
    assert table["rank"].to_dict() == {"A": 1, "B": 3, "C": 4, "D": 2}


def test_direction_flips():
    lower = evaluate(four_zones(), two_indicators())
    config = two_indicators()
    higher = config.model_copy(deep=True)
    higher.indicators["energy_per_output"].direction = "higher"
    flipped = evaluate(four_zones(), higher)
    for zone in "ABCD":
        assert flipped.at[zone, "norm_energy_per_output"] == pytest.approx(
            1 - lower.at[zone, "norm_energy_per_output"])


def test_constant_column_is_one_and_no_division_by_zero():
    for method in ("minmax", "zscore", "rank"):
        table = evaluate(four_zones(energy_per_output=[0.3] * 4), two_indicators(normalisation=method))
        assert table["norm_energy_per_output"].eq(1.0).all(), method
    single = evaluate(four_zones().iloc[:1], two_indicators())
    assert single.at["A", "score"] == 1.0


def test_ties_ranked_by_zone_id():
    zones = four_zones(gdp=[10.0, 20.0, 10.0, 5.0], energy_per_output=[0.2] * 4)  # output 0.1 0.1 0.1 0.1
    table = evaluate(zones, two_indicators())
    assert table["rank"].to_dict() == {"A": 1, "B": 2, "C": 3, "D": 4}


# --- missing values ----------------------------------------------------------------------------------


def missing_b() -> pd.DataFrame:
    return four_zones(energy_per_output=[0.2, None, 0.6, 0.2])


def test_missing_mean():
    table = evaluate(missing_b(), two_indicators(missing="mean"))
    # B gets the mean of 0.2, 0.6, 0.2 = 1/3; minmax over 0.2..0.6: (0.6 − 1/3) / 0.4 = 2/3
    check(table, "energy_per_output", {"B": 1 / 3})
    check(table, "norm_energy_per_output", {"A": 1.0, "B": 2 / 3, "C": 0.0, "D": 1.0})
    check(table, "score", {"B": (0.5 + 2 / 3) / 3})
    assert "energy_per_output: mean" in table.at["B", "missing_filled"]
    assert table.at["A", "missing_filled"] == ""
    assert any("energy_per_output" in note for note in table.attrs["notes"])


def test_missing_worst():
    table = evaluate(missing_b(), two_indicators(missing="worst"))
    check(table, "norm_energy_per_output", {"A": 1.0, "B": 0.0, "C": 0.0, "D": 1.0})
    check(table, "score", {"B": 0.5 / 3})
    assert "worst" in table.at["B", "missing_filled"]


def test_missing_zero():
    table = evaluate(missing_b(), two_indicators(missing="zero"))
    # raw 0 joins the others: minmax over 0..0.6, lower better: (0.6 − x) / 0.6
    check(table, "norm_energy_per_output", {"A": 2 / 3, "B": 1.0, "C": 0.0, "D": 2 / 3})
    check(table, "score", {"A": (2 + 2 / 3) / 3, "B": 1.5 / 3})
    assert "zero" in table.at["B", "missing_filled"]


def test_missing_exclude_renormalises():
    table = evaluate(missing_b(), two_indicators(missing="exclude"))
    assert math.isnan(table.at["B", "norm_energy_per_output"])
    check(table, "score", {"A": 1.0, "B": 0.25, "C": 0.0, "D": 2.5 / 3})  # B: output alone, weight 2 / 2
    assert "excluded" in table.at["B", "missing_filled"]


def test_missing_error_names_zone_and_indicator():
    with pytest.raises(InputError) as error:
        evaluate(missing_b(), two_indicators(missing="error"))
    assert "zone B" in str(error.value) and "energy_per_output" in str(error.value)


def test_zero_area_is_missing_not_a_division_by_zero():
    zones = four_zones(approved_area_ha=[100.0, 200.0, 100.0, 0.0])
    table = evaluate(zones, two_indicators(missing="worst"))
    assert table.at["D", "norm_output_per_ha"] == 0.0
    assert "approved_area_ha is 0" in table.at["D", "missing_filled"]


def test_indicator_without_any_data_is_dropped_and_said_so():
    config = two_indicators()
    config.indicators["rnd_intensity"].weight = 1.0  # no zone has rnd_intensity
    table = evaluate(four_zones(), config)
    assert "rnd_intensity" in table.attrs["dropped"]
    check(table, "score", {"B": 1 / 3})  # as without it
    with pytest.raises(InputError, match="rnd_intensity"):
        evaluate(four_zones(), EvaluationConfig(**{**config.model_dump(), "missing": "error"}))


def test_given_score_column_is_used_or_ignored():
    zones = four_zones(score=[None, 0.9, None, None])
    used = evaluate(zones, two_indicators())
    assert used.at["B", "score"] == 0.9 and used.at["B", "score_source"] == "given"
    assert used.at["B", "rank"] == 2  # A 1.0, B 0.9, D 0.833
    ignored = evaluate(zones, two_indicators(given_scores="ignore"))
    assert ignored.at["B", "score"] == pytest.approx(1 / 3)


# --- grades, consequences, revocation ------------------------------------------------------------


def one_indicator(values: list[float]) -> tuple[pd.DataFrame, EvaluationConfig]:
    zones = pd.DataFrame({"approved_area_ha": 1.0, "gdp": 1.0, "fiscal_revenue": 1.0, "x": values},
                         index=[f"Z{i}" for i in range(len(values))])
    indicators = {name: None for name in DEFAULT_INDICATORS}
    indicators["x"] = {"column": "x"}
    return zones, EvaluationConfig(indicators=indicators, normalisation="minmax")


def test_grade_edges():
    # minmax over 0..1 leaves the values as they are
    zones, config = one_indicator([0.0, 0.4, 0.39999, 0.7, 0.69999, 1.0])
    table = evaluate(zones, config)
    assert table["grade"].tolist() == ["unqualified", "qualified", "unqualified", "excellent", "qualified",
                                       "excellent"]
    assert grade(0.4) == "qualified" and grade(0.4 - 1e-6) == "unqualified"
    assert grade(0.7) == "excellent" and grade(0.7 - 1e-6) == "qualified"
    assert "限期整改" in table.at["Z0", "consequence"]
    assert "扩区" in table.at["Z5", "consequence"]
    assert revocation_candidates(table) == ["Z0", "Z2"]


def test_custom_thresholds():
    zones, config = one_indicator([0.0, 0.5, 1.0])
    config.grades.qualified = 0.6
    assert evaluate(zones, config)["grade"].tolist() == ["unqualified", "unqualified", "excellent"]


# --- article 19: expansion -------------------------------------------------------------------------


def test_expansion_eligibility_edges():
    # area 100 each; built 90 = exactly the 0.9 threshold; investment 30 → 0.3/ha; gdp 20 → 0.2/ha
    zones = pd.DataFrame({
        "approved_area_ha": [100.0, 100.0, 100.0, 100.0, 100.0, 0.0],
        "built_area_ha": [90.0, 89.9, None, 95.0, 95.0, 0.0],
        "investment": [30.0, 30.0, 30.0, 29.0, None, 1.0],
        "gdp": [20.0, 20.0, 20.0, 20.0, 20.0, 1.0],
        "fiscal_revenue": 1.0,
    }, index=["edge", "short", "nodata", "thin", "noinv", "noarea"])
    table = evaluate(zones)
    assert table["expansion_eligible"].to_dict() == {
        "edge": True, "short": False, "nodata": False, "thin": False, "noinv": False, "noarea": False}
    assert "not built out" in table.at["short", "expansion_reason"]
    assert "investment" in table.at["thin", "expansion_reason"]
    loose = evaluate(zones, EvaluationConfig(min_investment_per_ha=None))
    assert bool(loose.at["noinv", "expansion_eligible"]) and bool(loose.at["thin", "expansion_eligible"])
    assert not evaluate(zones, EvaluationConfig(min_output_per_ha=0.21)).at["edge", "expansion_eligible"]


# --- configuration ---------------------------------------------------------------------------------


def test_indicator_overrides_merge_over_defaults():
    config = EvaluationConfig(indicators={"rnd_intensity": {"weight": 2}})
    assert config.indicators["rnd_intensity"].weight == 2
    assert config.indicators["energy_per_output"].direction == "lower"
    assert set(DEFAULT_INDICATORS) <= set(config.indicators)
    assert EvaluationConfig.model_validate(config.model_dump()) == config  # round trip


def test_bad_config():
    with pytest.raises(ValidationError):
        EvaluationConfig(indicators={"rnd_intensity": {"weight": -1}})
    with pytest.raises(ValidationError):
        EvaluationConfig(normalisation="logistic")
    with pytest.raises(ValidationError):
        EvaluationConfig(colour="red")
    with pytest.raises(ValidationError):
        EvaluationConfig(grades={"excellent": 0.3, "qualified": 0.5})
    with pytest.raises(ValidationError):
        EvaluationConfig(indicators={name: 0 for name in DEFAULT_INDICATORS})
    with pytest.raises(InputError, match="normalisation"):
        config_from_dict({"normalisation": "logistic"})
    with pytest.raises(InputError, match="weight"):
        config_from_dict({"indicators": {"debt_ratio": {"weight": -2}}})


def test_weights_sweep():
    sweep = weights_sweep(four_zones(), two_indicators(), n=10, seed=0)
    assert sweep.attrs["variants"] == 2 * 2 + 10
    assert (sweep["min_rank"] <= sweep["base_rank"]).all() and (sweep["base_rank"] <= sweep["max_rank"]).all()
    shares = sweep[["share_excellent", "share_qualified", "share_unqualified"]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0)
    # C is worst on both indicators: last and unqualified whatever the weights
    assert sweep.at["C", "min_rank"] == 4 and sweep.at["C", "share_unqualified"] == 1.0
    # B: 1/3 at base; with output weight ×0.5, (0.25 + 0.5) / 2 = 0.375 — still unqualified
    assert bool(sweep.at["B", "grade_stable"])
    assert weights_sweep(four_zones(), two_indicators(), n=10, seed=0).equals(sweep)  # reproducible


def test_scenario_embeds_the_config():
    scenario = pytest.importorskip("consolidate.scenario")
    assert isinstance(scenario.Scenario().evaluation, EvaluationConfig)


# --- the command line ----------------------------------------------------------------------------


def write_region(root) -> None:
    districts = pd.DataFrame({"district_id": ["D1", "D2"], "name": ["甲区", "乙区"], "name_en": ["Jia", "Yi"]})
    zones = pd.DataFrame({
        "zone_id": ["Z1", "Z2", "Z3", "Z4"], "name": ["一园", "二园", "三园", "四园"],
        "name_en": ["One", "Two", "Three", "Four"], "district_id": ["D1", "D1", "D2", "D2"],
        "level": ["national", "municipal", "municipal", "municipal"], "kind": "etdz",
        "approved_area_ha": [100, 200, 100, 50], "lat": [39.0, 39.1, 39.2, 39.05],
        "lon": [117.0, 117.1, 117.0, 117.2], "gdp": [50, 40, 10, 20], "fiscal_revenue": [5, 4, 1, 2],
        "built_area_ha": [95, 120, 60, 48], "investment": [40, 30, 5, 20],
        "energy_per_output": [0.2, 0.4, 0.6, None], "data_quality": "synthetic", "source": "test",
    })
    root.mkdir(parents=True, exist_ok=True)
    districts.to_csv(root / "districts.csv", index=False)
    zones.to_csv(root / "zones.csv", index=False)
    (root / "region.yaml").write_text(yaml.safe_dump({
        "name": "mini", "title": "Mini", "districts": "districts.csv", "zones": "zones.csv",
        "adjacency": {"derive": {"method": "delaunay", "max_km": 30}}, "units": {"gdp": "亿元"},
    }, allow_unicode=True), encoding="utf-8")


@pytest.fixture()
def region_dir(tmp_path):
    write_region(tmp_path / "mini")
    return tmp_path / "mini"


def test_cli_scores(region_dir, tmp_path):
    from consolidate.cli.score import score_command

    out = tmp_path / "out"
    result = CliRunner().invoke(score_command, [str(region_dir), "--out", str(out), "--weights-sweep",
                                                "--set", "evaluation.normalisation=minmax"])
    assert result.exit_code == 0, result.output
    for name in ("scores.csv", "scores.png", "evaluation.json", "weights_sweep.csv"):
        assert (out / name).is_file(), name
    scores = pd.read_csv(out / "scores.csv")
    assert scores["rank"].tolist() == [1, 2, 3, 4]
    for column in ("zone_id", "name", "district", "level", "score", "grade", "consequence", "expansion_eligible",
                   "output_per_ha", "norm_output_per_ha"):
        assert column in scores
    summary = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert summary["evaluation"]["normalisation"] == "minmax"
    assert "Z1" in result.output
    # a second run into the same folder replaces our files and keeps others
    (out / "keep.txt").write_text("mine")
    again = CliRunner().invoke(score_command, [str(region_dir), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert (out / "keep.txt").is_file() and not (out / "weights_sweep.csv").exists()


def test_cli_config_file_and_bad_config(region_dir, tmp_path):
    from consolidate.cli.score import score_command

    good = tmp_path / "good.yaml"
    good.write_text("evaluation:\n  missing: worst\n  grades: {qualified: 0.3}\n", encoding="utf-8")
    result = CliRunner().invoke(score_command, [str(region_dir), "--config", str(good), "--out", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    assert "worst" in pd.read_csv(tmp_path / "g" / "scores.csv")["missing_filled"].fillna("").str.cat()

    bad = tmp_path / "bad.yaml"
    bad.write_text("evaluation:\n  normalisation: logistic\n", encoding="utf-8")
    result = CliRunner().invoke(score_command, [str(region_dir), "--config", str(bad), "--out", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "normalisation" in result.output
    assert not (tmp_path / "b").exists()

    result = CliRunner().invoke(score_command, [str(region_dir), "--set", "missing=error", "--out",
                                                str(tmp_path / "e")])
    assert result.exit_code == 2 and "Z4" in result.output


def test_cli_scenario(region_dir, tmp_path):
    pytest.importorskip("consolidate.allocation")  # the scenario loader checks allocation rules with it
    from consolidate.cli.score import score_command

    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\nregion: {region_dir}\nevaluation:\n  normalisation: rank\n", encoding="utf-8")
    out = tmp_path / "s"
    result = CliRunner().invoke(score_command, ["--scenario", str(scenario), "--set", "missing=worst",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    used = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))["evaluation"]
    assert (used["normalisation"], used["missing"]) == ("rank", "worst")
    both = CliRunner().invoke(score_command, ["--scenario", str(scenario), "--config", str(scenario),
                                              "--out", str(out)])
    assert both.exit_code == 2


def test_development_degree_capped_at_one():
    zones = four_zones(built_area_ha=[100.0, 260.0, 50.0, 50.0])  # B is built beyond its approved 200 ha
    table = evaluate(zones, EvaluationConfig(normalisation="minmax"))
    check(table, "development_degree", {"A": 1.0, "B": 1.0, "C": 0.5, "D": 1.0})
    assert table.at["A", "norm_development_degree"] == table.at["B", "norm_development_degree"] == 1.0


def test_default_is_rank():
    # one outlier does not squash everyone else under rank (it would under minmax)
    zones = four_zones(gdp=[1000.0, 40.0, 10.0, 20.0])
    table = evaluate(zones, two_indicators(normalisation="rank"))
    assert EvaluationConfig().normalisation == "rank"
    check(table, "norm_output_per_ha", {"A": 1.0, "B": 1 / 3, "C": 0.0, "D": 2 / 3})


def test_weights_sweep_without_spread_reproduces_the_base():
    zones = four_zones(gdp=[10.0, 20.0, 10.0, 5.0], energy_per_output=[0.2] * 4)  # all tied: ids decide
    sweep = weights_sweep(zones, two_indicators(), n=3, spread=0.0)
    assert (sweep["min_rank"] == sweep["base_rank"]).all() and (sweep["max_rank"] == sweep["base_rank"]).all()
    assert sweep["grade_stable"].all()


def test_an_unqualified_zone_may_not_expand_even_when_built_out():
    from consolidate.evaluation import EvaluationConfig, evaluate

    zones = pd.DataFrame({
        "approved_area_ha": [100.0, 100.0], "built_area_ha": [99.0, 99.0], "gdp": [90.0, 50.0],
        "fiscal_revenue": [9.0, 1.0], "investment": [300.0, 100.0], "employment": [1000.0, 100.0],
    }, index=["good", "poor"])
    config = EvaluationConfig.model_validate({
        "indicators": {"output_per_ha": 1.0, "development_degree": None, "investment_per_ha": None,
                       "tax_per_ha": None, "employment_per_ha": None, "rnd_intensity": None,
                       "high_tech_share": None, "energy_per_output": None, "env_compliance": None,
                       "debt_ratio": None},
        "normalisation": "minmax", "min_investment_per_ha": 0.1, "min_output_per_ha": 0.1})
    table = evaluate(zones, config)
    assert table.at["poor", "grade"] == "unqualified" and table.at["good", "grade"] == "excellent"
    assert table.at["good", "expansion_eligible"] and not table.at["poor", "expansion_eligible"]
    assert "article 21" in table.at["poor", "expansion_reason"]


def test_cli_scores_print_in_the_language_asked(region_dir, tmp_path):
    """`score --lang zh` prints Chinese words and headers (the scores chart's words); --lang en English (#17)."""
    from consolidate.cli.score import score_command

    chinese = CliRunner().invoke(score_command, [str(region_dir), "--out", str(tmp_path / "zh"), "--lang", "zh"])
    assert chinese.exit_code == 0, chinese.output
    assert "综合评价" in chinese.output and "排名" in chinese.output and "grades:" not in chinese.output
    english = CliRunner().invoke(score_command, [str(region_dir), "--out", str(tmp_path / "en"), "--lang", "en"])
    assert "grades:" in english.output and "One" in english.output and "排名" not in english.output
