"""The typed plan summary: summary.json read and written back byte for byte, and the verdict stated once."""
from __future__ import annotations

import json

import pytest

from consolidate.plan import Plan
from consolidate.scenario import Weights
from consolidate.statistics import OBJECTIVE_PARTS, PlanSummary, Verdict
from test_charts import make_plan


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return make_plan(tmp_path_factory.mktemp("region"))


def test_summary_json_round_trips_byte_for_byte(plan, tmp_path):
    folder = plan.to_dir(tmp_path / "plan", charts=False)
    text = (folder / "summary.json").read_text(encoding="utf-8")
    data = json.loads(text)
    again = PlanSummary.from_dict(data).to_dict()
    assert again == data and list(again) == list(data)
    assert json.dumps(again, ensure_ascii=False, indent=2) + "\n" == text
    # keys this version does not know stay where they were
    data = {"first": 1, **data, "later": {"x": [1, 2]}}
    assert list(PlanSummary.from_dict(data).to_dict()) == list(data)
    assert Plan.from_dir(folder).stats.to_dict() == plan.stats.to_dict()


def test_named_fields_read_what_the_dict_holds(plan):
    s, d = plan.stats, plan.summary
    assert (s.status, s.proven_optimal, s.objective, s.gap) == (d["status"], d["proven_optimal"], d["objective"], d["gap"])
    assert (s.counts.zones, s.counts.hosts, s.counts.revoked) == (d["counts"]["zones"], d["counts"]["hosts"],
                                                                 d["counts"]["revoked"])
    assert s.seconds.total == d["seconds"]["total"] and s.solver.version == d["solver"]["version"]
    assert s.scenario_name == d["scenario"]["name"] and s.checks_passed and all(c.passed for c in s.checks)
    assert {k: v.weighted for k, v in s.objective_parts.items()} == {k: v["weighted"]
                                                                   for k, v in d["objective_parts"].items()}


def test_objective_parts_are_named_by_the_scenario_schema(plan):
    assert OBJECTIVE_PARTS == tuple(Weights.model_fields)
    assert set(plan.stats.objective_parts) <= set(OBJECTIVE_PARTS)
    assert list(plan.stats.weighted_parts()) == list(OBJECTIVE_PARTS)


def test_the_verdict_in_both_languages():
    assert Verdict("optimal", 0.0, 3.0).text("en") == "proven optimal"
    assert Verdict("optimal", 0.0, 3.0).text("zh") == "已证明最优"
    assert Verdict("feasible", 0.0123, 2.5).text("en") == "NOT proven optimal (gap 1.23%)"
    assert Verdict("feasible", None).text("zh") == "未证明最优（差距 未知）"
    assert Verdict("feasible", 0.5, 1.0).text("en", detail=True) == \
        "NOT proven optimal (stopped at the time limit or the allowed gap; gap 50.00%, bound 1.0)"
    assert not Verdict("infeasible").has_plan and Verdict("infeasible").text("en").startswith("no plan")
    # never 'optimal' unless the solver proved it: an optimal status without the proof, or an edited plan, is not
    assert PlanSummary(status="optimal", proven_optimal=False).verdict.status == "feasible"
    edited = PlanSummary(status="optimal", proven_optimal=True, edited=True).verdict
    assert edited.status == "edited" and not edited.proven_optimal and edited.has_plan
    assert edited.text("en") == "edited — not proven optimal" and edited.text("zh") == "已编辑 — 未证明最优"
    assert PlanSummary(status="optimal", proven_optimal=True).verdict.proven_optimal
