"""The 2018 campaign: the tianjin-314 generator, the campaign scenarios, the comparison and its command."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidate.campaign import (DEFAULT_GRID, PUBLISHED, PUBLISHED_BEFORE, campaign_parks, closest_published,
                                  comparison_table, distance, plain_l1, run_campaign, sensitivity, sensitivity_text,
                                  sweep)
from consolidate.cli.campaign import campaign_command
from consolidate.region import load_region

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_tianjin  # noqa: E402
import generate_tianjin_314 as gen  # noqa: E402

MODEL = ROOT / "models" / "tianjin-314"


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return gen.generate(seed=0, out=tmp_path_factory.mktemp("tj314") / "model")


# --- the generator ---------------------------------------------------------------------------------


def test_generator_is_deterministic_and_matches_the_bundled_model(generated, tmp_path):
    again = gen.generate(seed=0, out=tmp_path / "again")
    assert (again / "zones.csv").read_bytes() == (generated / "zones.csv").read_bytes()
    for name in ("zones.csv", "region.yaml", "districts.csv", "districts.geojson"):
        assert (MODEL / name).read_bytes() == (generated / name).read_bytes(), f"models/tianjin-314/{name} is stale"


def test_another_seed_gives_other_parks(generated, tmp_path):
    other = gen.generate(seed=1, out=tmp_path / "seed1")
    assert (other / "zones.csv").read_bytes() != (generated / "zones.csv").read_bytes()


def test_campaign_parks_hit_the_published_counts_by_level(generated):
    zones = load_region(generated).zones
    counted = zones[campaign_parks(zones)]
    assert len(counted) == sum(PUBLISHED_BEFORE.values()) == 314
    assert counted["level"].value_counts().to_dict() == PUBLISHED_BEFORE
    assert sorted(zones.index[~campaign_parks(zones)]) == sorted(gen.CAMPAIGN_PART_OF)


def test_catalog_rows_are_copied_unchanged(generated):
    catalog = rows(ROOT / "models" / "tianjin" / "zones.csv")
    model = {r["zone_id"]: r for r in rows(generated / "zones.csv")}
    for r in catalog:
        copied = dict(model[r["zone_id"]])
        copied.pop("campaign_park")
        assert copied == r


def test_generated_rows_are_synthetic_inside_their_district_and_outside_the_centre(generated):
    polygons = {f["properties"]["district_id"]: f["geometry"]["coordinates"]
                for f in json.loads((generated / "districts.geojson").read_text(encoding="utf-8"))["features"]}
    synthetic = [r for r in rows(generated / "zones.csv") if r["zone_id"].startswith("TJP-")]
    assert len(synthetic) == 283
    assert [r["zone_id"] for r in synthetic] == [f"TJP-{i:04d}" for i in range(1, 284)]
    for r in synthetic:
        assert r["data_quality"] == r["coord_quality"] == r["econ_quality"] == r["indicator_quality"] == "synthetic"
        assert r["district_id"] not in gen.CENTRAL
        assert build_tianjin.inside(float(r["lon"]), float(r["lat"]), polygons[r["district_id"]]), r["zone_id"]


def test_generated_gdp_is_the_stated_share_and_small_parks_score_low(generated):
    from consolidate.evaluation import evaluate

    region = load_region(generated)
    zones = region.zones
    synthetic = zones[zones.index.str.startswith("TJP-")]
    holding = synthetic["district_id"].unique()
    district_gdp = region.districts.loc[holding, "gdp"].fillna(region.districts.loc[holding, "gdp"].min()).sum()
    assert synthetic["gdp"].sum() == pytest.approx(gen.GENERATED_GDP_SHARE * district_gdp, rel=1e-3)
    score = evaluate(zones)["score"]
    by_level = score.groupby(zones["level"]).median()
    assert by_level["subdistrict"] < by_level["district"] < by_level["municipal"] < by_level["national"]


def test_scaled_variant_is_smaller_and_still_valid(tmp_path):
    small = gen.generate(seed=0, out=tmp_path / "small", scale=0.2)
    zones = load_region(small).zones
    assert 33 < len(zones) < 120
    assert "reduced" in (small / "region.yaml").read_text(encoding="utf-8")


# --- the comparison --------------------------------------------------------------------------------


def test_distance_counts_the_long_term_cases_either_way():
    assert distance({"kept": 49 + 8, "integrated": 130, "revoked": 116 + 11}) == 0
    assert distance({"kept": 49, "integrated": 130, "revoked": 116}) == 19
    assert plain_l1({"kept": 49, "integrated": 130, "revoked": 116}) == 0
    assert distance({"kept": 146, "integrated": 168, "revoked": 0}) == (146 - 68) + (168 - 130) + 116
    d, target = closest_published({"kept": 40, "integrated": 130, "revoked": 144})
    assert (d, target) == (18, {"kept": 49, "integrated": 130, "revoked": 135})


@pytest.fixture(scope="module")
def push():
    return run_campaign("tianjin-2018-campaign-push")


def test_campaign_scenario_solves_with_checks_passed():
    result = run_campaign("tianjin-2018-campaign")
    s = result.plan.summary
    assert s["proven_optimal"] and s["checks_passed"]
    assert result.plan.region.name == "tianjin-314"
    assert sum(result.counts.values()) == 314
    assert result.counts["kept"] > PUBLISHED["kept"]  # the cap alone keeps far more than 49 (滨海新区 is exempt)


def test_push_scenario_comes_closer_than_the_cap_alone(push):
    s = push.plan.summary
    assert s["proven_optimal"] and s["checks_passed"]
    assert push.distance < distance(run_campaign("tianjin-2018-campaign").counts)
    assert push.distance <= 10


def test_comparison_table_has_the_right_rows(push):
    table = push.table
    assert table["outcome"].tolist() == ["kept", "integrated", "revoked", "long_term", "total"]
    assert table["published"].tolist() == [49, 130, 116, 19, 314]
    model = table.set_index("outcome")["model"]
    assert model["total"] == 314 and model[["kept", "integrated", "revoked"]].sum() == 314
    assert model.isna()["long_term"]
    assert (table["difference"].dropna() == (table["model"] - table["published"]).dropna()).all()
    levels = push.levels.set_index("level")
    assert levels.index.tolist() == ["national", "municipal", "district", "subdistrict", "national+municipal",
                                     "district+subdistrict", "all"]
    assert levels.loc[list(PUBLISHED_BEFORE), "published_before"].to_dict() == PUBLISHED_BEFORE
    assert (levels["model_before"] == levels["published_before"]).all()
    assert levels.loc["national", "model_kept"] == 10  # national parks are protected and host
    assert sorted(push.uncounted["zone_id"]) == ["G123003", "G123004"]
    assert comparison_table(push.plan).equals(table)


def test_connected_variant_on_a_smaller_model(tmp_path):
    small = gen.generate(seed=0, out=tmp_path / "small", scale=0.3)
    result = run_campaign("tianjin-2018-campaign-connect", region=str(small))
    assert result.plan.summary["proven_optimal"] and result.plan.summary["checks_passed"]
    assert result.plan.summary["scenario"]["merging"]["contiguity"] == "connected"


# --- the sweep and the command ---------------------------------------------------------------------


def test_sweep_ranks_settings_and_reports_failures():
    grid = {"objective.weights.zone_count": [0.0, 0.075], "merging.max_distance_km": [15, 25],
            "revocation.max_area_ha": [None]}
    frame = sweep("tianjin-2018-campaign-push", grid, processes=2)
    assert len(frame) == 4 and frame["variant"].is_unique
    solved = frame[frame["distance"].notna()]
    assert (solved["distance"].diff().dropna() >= 0).all()
    assert (frame.loc[frame["distance"].isna(), "status"] == "infeasible").all()  # 15 km leaves parks stranded
    assert (frame.loc[frame["distance"].isna(), "merging.max_distance_km"] == 15).all()
    best = solved.iloc[0]
    assert best["objective.weights.zone_count"] == 0.075
    assert best[["kept", "integrated", "revoked"]].sum() == 314
    sens = sensitivity(frame, grid)
    assert set(sens["knob"]) == set(grid) and sens["best"].sum() == len(grid)
    text = sensitivity_text(frame, sens, grid)
    assert text[0].startswith("closest: objective.weights.zone_count=0.075") and "no plan" in text[-2]


def test_bad_grid_values_are_rows_not_crashes():
    frame = sweep("tianjin-2018-campaign-push", {"merging.contiguity": ["nearby", "sideways"]}, processes=1)
    assert frame.set_index("merging.contiguity").loc["sideways", "status"] == "input_error"
    assert set(DEFAULT_GRID) == {"objective.weights.zone_count", "objective.weights.revocation",
                                 "merging.max_distance_km"}


def test_campaign_command_writes_the_comparison(tmp_path):
    out = tmp_path / "campaign"
    result = CliRunner().invoke(campaign_command, ["tianjin-2018-campaign-push", "--out", str(out), "--sweep",
                                                   "--grid", "objective.weights.zone_count=0.05,0.075",
                                                   "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "2018 年公布的方案与模型对比" in result.output and "距离" in result.output and "参数扫描" in result.output
    assert "公布数：仅国家级和市级园区" in result.output and "最接近：" in result.output and "已写入" in result.output
    assert "closest: " in (out / "sweep.txt").read_text(encoding="utf-8")   # the files stay in English
    for name in ("comparison.csv", "by_level.csv", "campaign.json", "comparison.png",
                 "not_counted.csv", "plan/plan.csv", "sweep.csv", "sensitivity.csv", "sweep.txt", "sweep.png"):
        assert (out / name).is_file(), name
    assert [r["outcome"] for r in rows(out / "comparison.csv")] == ["kept", "integrated", "revoked", "long_term",
                                                                    "total"]
    summary = json.loads((out / "campaign.json").read_text(encoding="utf-8"))
    assert summary["published"] == PUBLISHED and summary["checks_passed"]
    assert not list(tmp_path.glob(".*"))  # written atomically: no scratch folder left behind


def test_campaign_command_in_english(tmp_path):
    result = CliRunner().invoke(campaign_command, ["--lang", "en", "--no-charts", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "Published plan (2018) vs model" in result.output and "plain L1 to 49/130/116" in result.output
    assert "not counted (inside G121002): G123003" in result.output and "written to" in result.output


def test_campaign_command_reports_a_bad_scenario(tmp_path):
    result = CliRunner().invoke(campaign_command, ["no-such-scenario", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
