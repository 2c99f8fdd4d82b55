"""Sharing measures between districts (article 18, 属地原则分成): hand-computed cases and properties."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidate.allocation import (Accounting, Rule, account, compare_rules, is_linear, linear_shares,
                                    parse_rule)
from consolidate.errors import InputError

# --- the hand-made case -------------------------------------------------------------------------
#
#   zone  lies in  run by  status           gdp    fiscal  area  investment
#   z1    A        A       host             100    10      300   10
#   z2    B        B       member of z1      40     4      100   30     ← cross-district member
#   z3    B        C       host              60     6      200    0     ← run from another district
#   z4    C        C       member of z3      20.5   2       50    0
#   z5    C        A       revoked            7.3   0.7     20    5     ← revoked (and run from A)
#
# Σ gdp = 100 + 40 + 60 + 20.5 + 7.3 = 227.8;  Σ fiscal = 10 + 4 + 6 + 2 + 0.7 = 22.7

DISTRICTS = ["A", "B", "C"]


def hand_zones() -> pd.DataFrame:
    return pd.DataFrame({
        "district_id": ["A", "B", "B", "C", "C"],
        "managing_district_id": ["A", "B", "C", "C", "A"],
        "approved_area_ha": [300.0, 100.0, 200.0, 50.0, 20.0],
        "investment": [10.0, 30.0, 0.0, 0.0, 5.0],
        "gdp": [100.0, 40.0, 60.0, 20.5, 7.3],
        "fiscal_revenue": [10.0, 4.0, 6.0, 2.0, 0.7],
    }, index=pd.Index(["z1", "z2", "z3", "z4", "z5"], name="zone_id"))


def hand_plan() -> pd.DataFrame:
    # as plan.py builds it: a zone_id column too, host_id self for hosts and "" when revoked
    ids = ["z1", "z2", "z3", "z4", "z5"]
    return pd.DataFrame({"zone_id": ids, "status": ["host", "member", "host", "member", "revoked"],
                         "host_id": ["z1", "z1", "z3", "z3", ""]}, index=ids)


def gdp(acc: Accounting, suffix: str) -> dict[str, float]:
    return acc.districts[f"gdp_{suffix}"].to_dict()


HAND = {
    # territorial: before = by location: A 100; B 40 + 60 = 100; C 20.5 + 7.3 = 27.8
    #              after: A 100; B 100; C 20.5 (z5 revoked: 7.3 on C's revoked line); no flows
    "territorial": dict(before={"A": 100.0, "B": 100.0, "C": 27.8}, after={"A": 100.0, "B": 100.0, "C": 20.5},
                        change={"A": 0.0, "B": 0.0, "C": -7.3}, flows=[]),
    # host: before = each zone to its own managing district: A 100 + 7.3 = 107.3; B 40; C 60 + 20.5 = 80.5
    #       after: z1, z2 → A (z1 run by A) = 140; z3, z4 → C (z3 run by C) = 80.5; B 0
    #       flows: z2's 40 moves B → A
    "host": dict(before={"A": 107.3, "B": 40.0, "C": 80.5}, after={"A": 140.0, "B": 0.0, "C": 80.5},
                 change={"A": 32.7, "B": -40.0, "C": 0.0}, flows=[("gdp", "B", "A", 40.0)]),
    # split 0.5: before: z1 A 100; z2 B 40; z3 half to C (runs it) 30, half to B (lies there) 30; z4 C 20.5;
    #            z5 half to A 3.65, half to C 3.65 → A 103.65, B 70, C 54.15
    #            after: z1 A 100; z2 20 to A (z1's district) + 20 to B; z3 30 C + 30 B; z4 C 20.5
    #            → A 120, B 50, C 50.5; flows: half of z2 (20) B → A
    "split:0.5": dict(before={"A": 103.65, "B": 70.0, "C": 54.15}, after={"A": 120.0, "B": 50.0, "C": 50.5},
                      change={"A": 16.35, "B": -20.0, "C": -3.65}, flows=[("gdp", "B", "A", 20.0)]),
    # area: before = territorial (one-zone groups); after:
    #   group z1: 140 shared by area A 300 : B 100 → A 105, B 35
    #   group z3: 80.5 shared by area B 200 : C 50 → B 64.4, C 16.1
    #   → A 105, B 99.4, C 16.1
    #   flows: z1 (100): A keeps 3/4, 25 A → B; z2 (40): 30 B → A; z3 (60): 12 B → C; z4 (20.5): 16.4 C → B
    "area": dict(before={"A": 100.0, "B": 100.0, "C": 27.8}, after={"A": 105.0, "B": 99.4, "C": 16.1},
                 change={"A": 5.0, "B": -0.6, "C": -11.7},
                 flows=[("gdp", "A", "B", 25.0), ("gdp", "B", "A", 30.0), ("gdp", "B", "C", 12.0),
                        ("gdp", "C", "B", 16.4)]),
    # investment: group z1: 140 by investment A 10 : B 30 → A 35, B 105;
    #   group z3: investment 0 + 0 → territorial fallback: B 60, C 20.5
    #   → A 35, B 165, C 20.5; flows: z1 (100): 75 A → B; z2 (40): 10 B → A
    "investment": dict(before={"A": 100.0, "B": 100.0, "C": 27.8}, after={"A": 35.0, "B": 165.0, "C": 20.5},
                       change={"A": -65.0, "B": 65.0, "C": -7.3},
                       flows=[("gdp", "A", "B", 75.0), ("gdp", "B", "A", 10.0)]),
}


@pytest.mark.parametrize("spec", list(HAND))
def test_hand_computed_gdp_under_each_rule(spec):
    acc = account(hand_plan(), hand_zones(), {"gdp": parse_rule(spec, "allocation.gdp")}, DISTRICTS)
    want = HAND[spec]
    assert gdp(acc, "before") == want["before"]
    assert gdp(acc, "after") == want["after"]
    assert gdp(acc, "change") == want["change"]
    # the revoked zone z5 (7.3) is reported on C, where it lies, whatever the rule
    assert gdp(acc, "revoked") == {"A": 0.0, "B": 0.0, "C": 7.3}
    # who ran what before: A runs z1, z5 = 107.3; B runs z2 = 40; C runs z3, z4 = 80.5
    assert gdp(acc, "before_managing") == pytest.approx({"A": 107.3, "B": 40.0, "C": 80.5}, abs=1e-12)
    change_vs = {d: want["after"][d] - {"A": 107.3, "B": 40.0, "C": 80.5}[d] for d in DISTRICTS}
    assert gdp(acc, "change_vs_managing") == pytest.approx(change_vs, abs=1e-12)
    assert list(acc.flows.itertuples(index=False, name=None)) == want["flows"]   # rounded: exact decimals
    assert acc.totals["gdp"] == {"before": 227.8, "after": 220.5, "revoked": 7.3, "conserved": True}
    assert acc.conserved
    assert list(acc.districts.columns) == ["gdp_before", "gdp_after", "gdp_change", "gdp_revoked",
                                           "gdp_before_managing", "gdp_change_vs_managing"]


def test_two_measures_and_rules_as_plain_data():
    rules = {"gdp": parse_rule("territorial", "allocation.gdp"),
             "fiscal_revenue": parse_rule({"split": 0.5}, "allocation.fiscal_revenue")}
    acc = account(hand_plan(), hand_zones(), rules, DISTRICTS)
    # fiscal, split 0.5: before A 10 + 0.35 (half of z5) = 10.35; B 4 + 3 (half of z3) = 7; C 3 + 2 + 0.35 = 5.35
    #                    after  A 10 + 2 (half of z2) = 12;   B 2 + 3 = 5;  C 3 + 2 = 5;  revoked C 0.7
    fr = acc.districts
    assert fr["fiscal_revenue_before"].to_dict() == pytest.approx({"A": 10.35, "B": 7.0, "C": 5.35})
    assert fr["fiscal_revenue_after"].to_dict() == pytest.approx({"A": 12.0, "B": 5.0, "C": 5.0})
    assert fr["fiscal_revenue_revoked"].to_dict() == {"A": 0.0, "B": 0.0, "C": 0.7}
    assert acc.rules == {"gdp": "territorial", "fiscal_revenue": {"split": 0.5}}
    assert acc.totals["fiscal_revenue"] == {"before": 22.7, "after": 22.0, "revoked": 0.7, "conserved": True}
    assert list(acc.flows.itertuples(index=False, name=None)) == [("fiscal_revenue", "B", "A", 2.0)]


def test_exact_per_district_ledger_with_a_revoked_zone_run_from_elsewhere():
    # under host, z5 (lies in C, run by A) was A's before; revoked, it shows on C's revoked line and
    # A's loss of it is in exact['revoked_held']: before − after = out − in + revoked_held, per district
    acc = account(hand_plan(), hand_zones(), {"gdp": Rule("host")}, DISTRICTS)
    ex = acc.exact["gdp"]
    assert ex["revoked_held"] == {"A": Fraction("7.3"), "B": 0, "C": 0}
    assert ex["revoked"] == {"A": 0, "B": 0, "C": Fraction("7.3")}
    # A: 107.3 − 140 = 0 (out) − 40 (in from B) + 7.3
    assert ex["before"]["A"] - ex["after"]["A"] == -40 + Fraction("7.3")


def test_plan_read_back_from_csv_has_nan_host_for_revoked():
    plan = hand_plan().drop(columns="zone_id")
    plan.loc["z5", "host_id"] = float("nan")
    acc = account(plan, hand_zones(), {"gdp": Rule("territorial")}, DISTRICTS)
    assert gdp(acc, "revoked") == {"A": 0.0, "B": 0.0, "C": 7.3}


def test_districts_without_zones_and_unlisted_districts_get_rows():
    acc = account(hand_plan(), hand_zones(), {"gdp": Rule("territorial")}, ["D", "A", "B"])
    assert list(acc.districts.index) == ["D", "A", "B", "C"]   # given order, then unlisted C: nothing dropped
    assert acc.districts.loc["D"].tolist() == [0.0] * 6


def test_compare_rules_side_by_side():
    sets = {"territorial": {"gdp": Rule("territorial")}, "host": {"gdp": Rule("host")},
            "split50": {"gdp": parse_rule("split:0.5", "x")}}
    table = compare_rules(hand_plan(), hand_zones(), sets, DISTRICTS)
    assert list(table.columns) == ["gdp_after_territorial", "gdp_after_host", "gdp_after_split50"]
    assert table.loc["A"].tolist() == pytest.approx([100.0, 140.0, 120.0])
    assert table.loc["B"].tolist() == pytest.approx([100.0, 0.0, 50.0])


def test_bad_plans_are_input_errors():
    plan = hand_plan()
    plan.loc["z4", "host_id"] = "z5"                     # a member of a revoked zone
    with pytest.raises(InputError, match="z4 joins z5, which is revoked"):
        account(plan, hand_zones(), {"gdp": Rule("territorial")}, DISTRICTS)
    with pytest.raises(InputError, match="'nope' is not a column"):
        account(hand_plan(), hand_zones(), {"nope": Rule("territorial")}, DISTRICTS)
    with pytest.raises(InputError, match="needs a 'investment' zone column"):
        account(hand_plan(), hand_zones().drop(columns="investment"), {"gdp": Rule("investment")}, DISTRICTS)


def test_a_plan_in_another_row_order_is_credited_the_same():
    """The plan is read in zones' order whatever its own order (and ids set twice or missing are errors)."""
    rules = {"gdp": Rule("split", 0.5), "fiscal_revenue": Rule("host")}
    mixed = hand_plan().iloc[[4, 2, 0, 3, 1]]
    assert account(mixed, hand_zones(), rules, DISTRICTS).districts.equals(
        account(hand_plan(), hand_zones(), rules, DISTRICTS).districts)
    with pytest.raises(InputError, match=r"appear more than once: \['z2'\]"):
        account(pd.concat([hand_plan(), hand_plan().iloc[[1]]]), hand_zones(), rules, DISTRICTS)
    with pytest.raises(InputError, match="1 zone"):
        account(hand_plan().iloc[:4], hand_zones(), rules, DISTRICTS)


# --- rounding -----------------------------------------------------------------------------------


def test_largest_remainder_keeps_the_identity_on_shown_figures():
    # one group of three zones, one in each district, equal area; the host carries 1, so area gives
    # each district 1/3 = 0.33333…: rounded alone that is 0.3333 × 3 = 0.9999 ≠ 1. Largest remainder
    # hands the missing unit to the first district among equal remainders: A 0.3334, B 0.3333, C 0.3333.
    zones = pd.DataFrame({"district_id": ["A", "B", "C"], "approved_area_ha": [1.0, 1.0, 1.0],
                          "gdp": [1.0, 0.0, 0.0]}, index=["a", "b", "c"])
    plan = pd.DataFrame({"status": ["host", "member", "member"], "host_id": ["a", "a", "a"]}, index=["a", "b", "c"])
    acc = account(plan, zones, {"gdp": Rule("area")}, DISTRICTS)
    assert gdp(acc, "after") == {"A": 0.3334, "B": 0.3333, "C": 0.3333}
    assert gdp(acc, "change") == {"A": -0.6666, "B": 0.3333, "C": 0.3333}
    assert acc.totals["gdp"] == {"before": 1.0, "after": 1.0, "revoked": 0.0, "conserved": True}
    assert acc.exact["gdp"]["after"]["B"] == Fraction(1, 3)


# --- parse_rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec, rule", [
    ("territorial", Rule("territorial")), ("host", Rule("host")), ("area", Rule("area")),
    ("investment", Rule("investment")), (" Host ", Rule("host")), ({"split": 0.5}, Rule("split", 0.5)),
    ({"split": 0}, Rule("split", 0.0)), ({"split": 1}, Rule("split", 1.0)), ("split:0.25", Rule("split", 0.25)),
    ({"split": "0.3"}, Rule("split", 0.3)),
])
def test_parse_rule_accepts(spec, rule):
    assert parse_rule(spec, "allocation.gdp") == rule


@pytest.mark.parametrize("spec, message", [
    ("proportional", "unknown sharing rule 'proportional'"),
    ({"split": 1.5}, "between 0 and 1"),
    ({"split": -0.1}, "between 0 and 1"),
    ({"split": "abc"}, "not 'abc'"),
    ("split:abc", "not 'abc'"),
    ({"split": True}, "must be a number"),
    ({"area": 1}, "takes no parameter"),
    ({"split": 0.5, "x": 1}, "must be {split: s}"),
    (0.5, "must be a name"),
])
def test_parse_rule_errors_name_the_key_and_what_is_allowed(spec, message):
    with pytest.raises(InputError) as info:
        parse_rule(spec, "allocation.fiscal_revenue")
    text = str(info.value)
    assert "allocation.fiscal_revenue" in text
    assert message in text
    assert "territorial, host, area, investment" in text and "split" in text
    assert info.value.exit_code == 2


def test_rule_specs_round_trip():
    for spec in ["territorial", "host", "area", "investment", {"split": 0.35}]:
        assert parse_rule(parse_rule(spec, "x").spec(), "x").spec() == spec


# --- linear shares ------------------------------------------------------------------------------


def test_linear_shares():
    assert linear_shares(Rule("territorial"), "A", "B") == [("A", 1.0)]
    assert linear_shares(Rule("host"), "A", "B") == [("B", 1.0)]
    assert linear_shares(Rule("split", 0.3), "A", "B") == [("A", 0.7), ("B", 0.3)]
    assert linear_shares(Rule("split", 0.3), "A", "A") == [("A", 1.0)]
    assert linear_shares(Rule("split", 0.0), "A", "B") == [("A", 1.0)]
    assert [is_linear(parse_rule(s, "x")) for s in ["territorial", "host", "split:0.2", "area", "investment"]] \
        == [True, True, True, False, False]
    with pytest.raises(ValueError, match="not linear"):
        linear_shares(Rule("area"), "A", "B")


# --- properties -----------------------------------------------------------------------------------

AWKWARD = st.one_of(
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 0.2, 0.3, 1 / 3, 2 / 3, 0.005, 0.00005, 1e-7, 123456.78905, 9.995, 0.0]),
    st.decimals(min_value=0, max_value=10 ** 6, places=5).map(float),
)
RULES = st.one_of(st.sampled_from(["territorial", "host", "area", "investment"]),
                  st.floats(min_value=0, max_value=1).map(lambda s: {"split": s}),
                  st.sampled_from([{"split": 0.5}, {"split": 1 / 3}, "split:0.1"]))
DISTRICT_POOL = ["A", "B", "C", "D"]


@st.composite
def plans(draw):
    n = draw(st.integers(min_value=1, max_value=10))
    ids = [f"z{i}" for i in range(n)]
    districts = st.sampled_from(DISTRICT_POOL)
    zones = pd.DataFrame({
        "district_id": [draw(districts) for _ in ids],
        "managing_district_id": [draw(st.one_of(districts, st.none())) for _ in ids],
        "approved_area_ha": [draw(st.one_of(AWKWARD, st.just(0.0))) for _ in ids],
        "investment": [draw(st.one_of(AWKWARD, st.just(0.0), st.just(float("nan")))) for _ in ids],
        "gdp": [draw(AWKWARD) for _ in ids],
        "fiscal_revenue": [draw(AWKWARD) for _ in ids],
    }, index=ids)
    roles = [draw(st.sampled_from(["host", "member", "revoked"])) for _ in ids]
    hosts = [z for z, r in zip(ids, roles) if r == "host"]
    status, host_id = [], []
    for z, r in zip(ids, roles):
        if r == "member" and not hosts:
            r = "revoked"
        status.append(r)
        host_id.append(z if r == "host" else draw(st.sampled_from(hosts)) if r == "member" else "")
    plan = pd.DataFrame({"status": status, "host_id": host_id}, index=ids)
    return plan, zones


def _units(x: float, decimals: int) -> int:
    scaled = Decimal(repr(x)) * 10 ** decimals
    assert scaled == scaled.to_integral_value(), x
    return int(scaled)


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(plans(), RULES, RULES, st.integers(min_value=0, max_value=6))
def test_conservation_exact_and_rounded(plan_zones, gdp_rule, fr_rule, decimals):
    plan, zones = plan_zones
    rules = {"gdp": parse_rule(gdp_rule, "allocation.gdp"), "fiscal_revenue": parse_rule(fr_rule, "allocation.fr")}
    acc = account(plan, zones, rules, ["A", "B", "C", "D"], decimals=decimals)
    assert acc.conserved
    for m in rules:
        ex = acc.exact[m]
        total = sum((Fraction(repr(v)) for v in zones[m]), Fraction(0))
        before, after, revoked = (sum(ex[k].values(), Fraction(0)) for k in ("before", "after", "revoked"))
        assert before == total == after + revoked == sum(ex["before_managing"].values(), Fraction(0))
        # revoked by location, exactly what the revoked zones carry
        gone = plan["status"] == "revoked"
        for d in DISTRICT_POOL:
            carried = sum((Fraction(repr(v)) for v in zones.loc[gone & (zones["district_id"] == d), m]), Fraction(0))
            assert ex["revoked"][d] == carried
            # per district: before − after = Σ out − Σ in + what revoked zones gave d before (flows rounded)
            f = acc.flows[acc.flows["measure"] == m]
            net = f.loc[f["from_district"] == d, "value"].sum() - f.loc[f["to_district"] == d, "value"].sum()
            assert float(ex["before"][d] - ex["after"][d] - ex["revoked_held"][d]) == \
                pytest.approx(net, abs=len(f) * 10 ** -decimals + 1e-9 * float(total) + 1e-12)
        # rounded figures, in units of the last decimal shown: the identity holds exactly
        t = acc.districts
        col = {s: [_units(x, decimals) for x in t[f"{m}_{s}"]] for s in
               ("before", "after", "change", "revoked", "before_managing", "change_vs_managing")}
        assert sum(col["before"]) == sum(col["after"]) + sum(col["revoked"]) == sum(col["before_managing"])
        assert all(c == a - b for c, a, b in zip(col["change"], col["after"], col["before"]))
        assert all(c == a - b for c, a, b in zip(col["change_vs_managing"], col["after"], col["before_managing"]))
        shown = acc.totals[m]
        assert _units(shown["before"], decimals) == _units(shown["after"], decimals) + _units(shown["revoked"], decimals)
        assert abs(_units(shown["before"], decimals) - total * 10 ** decimals) <= Fraction(1, 2)
        # each shown figure within one unit of the exact one
        for s in ("before", "after", "revoked", "before_managing"):
            for d, u in zip(t.index, col[s]):
                assert abs(u - ex[s][d] * 10 ** decimals) < 1 + 1e-9


@FAST
@given(plans(), st.one_of(st.sampled_from(["territorial", "host"]),
                          st.floats(min_value=0, max_value=1).map(lambda s: {"split": s})))
def test_linear_shares_agree_with_account(plan_zones, spec):
    plan, zones = plan_zones
    rule = parse_rule(spec, "allocation.gdp")
    acc = account(plan, zones, {"gdp": rule}, DISTRICT_POOL)
    location = zones["district_id"]
    managing = zones["managing_district_id"].fillna(location)
    before = dict.fromkeys(DISTRICT_POOL, 0.0)
    after = dict.fromkeys(DISTRICT_POOL, 0.0)
    for z in zones.index:
        for d, share in linear_shares(rule, location[z], managing[z]):   # each zone its own host
            before[d] += share * zones.at[z, "gdp"]
        if plan.at[z, "status"] != "revoked":
            host = plan.at[z, "host_id"]
            for d, share in linear_shares(rule, location[z], managing[host]):
                after[d] += share * zones.at[z, "gdp"]
    scale = max(1.0, float(zones["gdp"].sum()))
    for d in DISTRICT_POOL:
        assert float(acc.exact["gdp"]["before"][d]) == pytest.approx(before[d], abs=1e-9 * scale)
        assert float(acc.exact["gdp"]["after"][d]) == pytest.approx(after[d], abs=1e-9 * scale)
