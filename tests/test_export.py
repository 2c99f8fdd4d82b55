"""--export-model writes the exact MIP: solved elsewhere (PuLP/CBC from the MPS, HiGHS from the LP file)
it has the plan's optimal objective."""
import warnings

import highspy
import pulp
import pytest
from click.testing import CliRunner

import consolidate as cz
from consolidate.cli import main
from consolidate.export import write_model


def cbc_optimum(path) -> float:
    _, prob = pulp.LpProblem.fromMPS(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[prob.status] == "Optimal"
    return pulp.value(prob.objective) or 0.0


def highs_optimum(path) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


@pytest.mark.parametrize("overrides", [[], ["rules.district_cap=2"], ["merging.contiguity=connected"]])
def test_the_exported_model_has_the_plans_optimum(tmp_path, overrides):
    region = cz.load_region("tianjin")
    scenario = cz.load_scenario("baseline", overrides)
    plan = cz.solve(region, scenario)
    assert plan.summary["proven_optimal"]
    mps = write_model(region, scenario, tmp_path / "model.mps")
    lp = write_model(region, scenario, tmp_path / "model.lp")
    assert cbc_optimum(mps) == pytest.approx(plan.summary["objective"], abs=1e-6)
    assert highs_optimum(lp) == pytest.approx(plan.summary["objective"], abs=1e-6)


def test_run_exports_the_model_and_refuses_another_suffix(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["run", "--no-charts", "--out", str(tmp_path / "plan"),
                                  "--export-model", str(tmp_path / "model.mps")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "model.mps").read_text().count("consolidate_model") == 1
    result = runner.invoke(main, ["run", "--no-charts", "--out", str(tmp_path / "plan2"),
                                  "--export-model", str(tmp_path / "model.txt")])
    assert result.exit_code == 2 and "model.mps or model.lp" in result.output
    assert not (tmp_path / "plan2").exists()
