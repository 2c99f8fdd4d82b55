"""Sharing GDP, fiscal revenue and other measures between districts (属地原则分成, article 18).

Article 18 of the Tianjin reform plan: "被整合的开发区的地区生产总值、财政收入等经济统计数据，
可按属地原则进行分成" — the statistics of a consolidated zone may be shared out by the
territorial principle. This module says, for a plan, which district is credited with what.

Rules (one per measure; a measure is any numeric zone column):

    territorial   the zone's value stays with the district where it lies (district_id)
    host          the value goes to the managing district of the zone's host
    {split: s}    share s to the host's managing district, 1 − s territorial ("split:s" on the command line)
    area          the group's total (host + members) is shared among districts in proportion to the
    investment    approved_area_ha (or investment) each district contributes by location; a group
                  whose total contribution is 0 falls back to territorial

    >>> rules = {"gdp": parse_rule("territorial", "allocation.gdp"),
    ...          "fiscal_revenue": parse_rule({"split": 0.5}, "allocation.fiscal_revenue")}
    >>> acc = account(plan_table, region.zones, rules, list(region.districts.index))
    >>> acc.districts          # gdp_before, gdp_after, gdp_change, gdp_revoked, gdp_before_managing, …
    >>> acc.flows              # measure, from_district, to_district, value
    >>> acc.totals["gdp"]      # {"before": …, "after": …, "revoked": …, "conserved": True}

Arithmetic is exact (fractions.Fraction of each value's decimal string), so before = after + revoked
holds exactly; figures are then rounded for display by largest remainder so it holds on the rounded
figures too. See docs/allocation.md.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import Any, Mapping

import pandas as pd

from .errors import InputError, InputIssue

LINEAR_KINDS = ("territorial", "host", "split")
WEIGHTED_KINDS = {"area": "approved_area_ha", "investment": "investment"}
RULE_NAMES = ("territorial", "host", "area", "investment")
ALLOWED = ("territorial, host, area, investment, or {split: s} with 0 ≤ s ≤ 1 "
           "(on the command line: split:s, e.g. split:0.5)")

_ZERO = Fraction(0)
_ONE = Fraction(1)


# --- rules ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A sharing rule: kind is territorial | host | split | area | investment; share only for split."""

    kind: str
    share: float | None = None

    @property
    def exact_share(self) -> Fraction:
        """The split share as an exact fraction (from its decimal string: 0.1 is 1/10)."""
        return _exact(self.share) if self.share is not None else _ZERO

    def spec(self) -> str | dict[str, float]:
        """The rule as plain data, as a scenario writes it (for summary.json)."""
        if self.kind == "split":
            return {"split": float(self.share)}
        return self.kind

    def __str__(self) -> str:
        return f"split:{self.share:g}" if self.kind == "split" else self.kind


def parse_rule(spec: Any, where: str) -> Rule:
    """Read a rule: "territorial", "host", "area", "investment", {"split": s} or "split:s".

    `where` names the key (e.g. "allocation.gdp") in the error a bad spec raises.
    """
    if isinstance(spec, Rule):
        return spec
    if isinstance(spec, str):
        text = spec.strip()
        name = text.lower()
        if name in RULE_NAMES:
            return Rule(name)
        if name.startswith("split:") or name.startswith("split="):
            return Rule("split", _share(text[6:].strip(), where, spec))
        raise _bad(where, f"unknown sharing rule {text!r}", spec)
    if isinstance(spec, Mapping):
        keys = [str(k).strip().lower() for k in spec]
        if keys == ["split"]:
            return Rule("split", _share(next(iter(spec.values())), where, spec))
        if len(keys) == 1 and keys[0] in RULE_NAMES:
            raise _bad(where, f"rule {keys[0]!r} takes no parameter", spec)
        raise _bad(where, f"a sharing rule written as a mapping must be {{split: s}}, not {dict(spec)!r}", None)
    raise _bad(where, f"a sharing rule must be a name or {{split: s}}, not {type(spec).__name__}", spec)


def check_measures(zones: pd.DataFrame, allocation: Mapping[str, Any], where: str) -> list[InputIssue]:
    """What is wrong with a scenario's `allocation:` on these zones: unknown rules, measures that are not
    numeric zone columns, weighted rules without their weight column. Checked before solving, so a bad
    measure is reported as bad input even when the rules also leave no plan."""
    problems = []
    for measure, spec in allocation.items():
        try:
            rule = parse_rule(spec, f"{where}: allocation.{measure}")
        except InputError as error:
            problems.extend(error.problems)
            continue
        needed = [(measure, "name a numeric zone column: gdp, fiscal_revenue, employment, …")]
        if not is_linear(rule):
            needed.append((WEIGHTED_KINDS[rule.kind], f"add it to zones.csv or choose another rule: {ALLOWED}"))
        for column, fix in needed:
            if column not in zones.columns:
                problems.append(InputIssue(where, f"allocation.{measure}: '{column}' is not a column of the zones", fix))
            elif pd.to_numeric(zones[column], errors="coerce").notna().sum() < zones[column].notna().sum():
                problems.append(InputIssue(where, f"allocation.{measure}: zone column '{column}' is not all numbers",
                                        fix))
    return problems


def _share(raw: Any, where: str, spec: Any) -> float:
    if isinstance(raw, bool):
        raise _bad(where, f"the split share must be a number between 0 and 1, not {raw!r}", spec)
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise _bad(where, f"the split share must be a number between 0 and 1, not {raw!r}", spec) from None
    elif isinstance(raw, Real):
        value = float(raw)
    else:
        raise _bad(where, f"the split share must be a number between 0 and 1, not {raw!r}", spec)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise _bad(where, f"the split share must be between 0 and 1 (the host's district's part), not {raw!r}",
                   spec)
    return value


def _bad(where: str, message: str, spec: Any) -> InputError:
    return InputError(InputIssue(file=where, message=message, fix=f"allowed: {ALLOWED}",
                              value=spec if not isinstance(spec, Mapping) else None))


def is_linear(rule: Rule) -> bool:
    """True for territorial, host and split: each zone's value goes to fixed districts in fixed shares
    given only its host, so a district's after-value is linear in the plan's decision variables.
    area and investment share a group's total by the group's composition: not linear."""
    return rule.kind in LINEAR_KINDS


def linear_shares(rule: Rule, location_district: str, host_managing_district: str) -> list[tuple[str, float]]:
    """For a linear rule, the fractions of one zone's value credited to each district when the zone
    (lying in `location_district`) is in a group whose host is run by `host_managing_district`.

    A zone that is its own host passes its own managing district. Shares sum to 1; districts with a
    zero share are left out; sorted by district. area/investment are not linear: ValueError.

        >>> linear_shares(Rule("split", 0.3), "A", "B")
        [('A', 0.7), ('B', 0.3)]
    """
    return [(d, float(s)) for d, s in _linear_exact(rule, str(location_district), str(host_managing_district))]


def _linear_exact(rule: Rule, location: str, host_managing: str) -> list[tuple[str, Fraction]]:
    if rule.kind == "territorial":
        parts = [(location, _ONE)]
    elif rule.kind == "host":
        parts = [(host_managing, _ONE)]
    elif rule.kind == "split":
        s = rule.exact_share
        parts = [(host_managing, s), (location, _ONE - s)]
    else:
        raise ValueError(f"sharing rule {rule} is not linear: it shares a group's total by the group's "
                         f"{WEIGHTED_KINDS.get(rule.kind, rule.kind)}, which depends on the whole plan; "
                         f"use territorial, host or split for linear (MIP fairness) constraints")
    merged: dict[str, Fraction] = defaultdict(Fraction)
    for d, s in parts:
        merged[d] += s
    return sorted((d, s) for d, s in merged.items() if s != 0)


# --- accounting -------------------------------------------------------------------------------------


@dataclass
class Accounting:
    """What each district is credited with, before and after a plan, under the rules.

    districts: indexed by district_id; per measure m the columns m_before, m_after, m_change,
        m_revoked, m_before_managing, m_change_vs_managing (rounded, see docs/allocation.md).
    flows: measure, from_district, to_district, value — what surviving zones' values move between
        districts under each measure's rule (before → after), aggregated by pair.
    totals: per measure {"before", "after", "revoked", "conserved"} (rounded floats; conserved is
        checked on the exact values).
    conserved: every measure conserves exactly (Σ after + Σ revoked = Σ before).
    rules: per measure the rule as plain data (for summary.json).
    exact: per measure, per column (before, after, revoked, before_managing, revoked_held), per
        district, the exact Fraction. `revoked_held` is what revoked zones gave each district before
        under the rule (equal to `revoked` for territorial/area/investment).
    """

    districts: pd.DataFrame
    flows: pd.DataFrame
    totals: dict[str, dict[str, Any]]
    conserved: bool
    rules: dict[str, Any]
    decimals: int = 4
    exact: dict[str, dict[str, dict[str, Fraction]]] = field(default_factory=dict, repr=False)


def account(plan: pd.DataFrame, zones: pd.DataFrame, rules: Mapping[str, Rule], district_ids: list[str],
            decimals: int = 4, kept: dict | None = None) -> Accounting:
    """Credit each measure to districts before and after `plan`, under `rules` (measure → Rule).

    plan: indexed by zone_id; status (host | member | revoked) and host_id (self for a host, empty for
    revoked). zones: indexed by zone_id; district_id, managing_district_id (defaults to district_id),
    approved_area_ha, investment (for the investment rule) and the measure columns (empty = 0).
    kept: what is read from `zones` is kept there for the next plan on the same zones (`memo.once`).
    """
    rules = {m: parse_rule(r, f"allocation.{m}") for m, r in rules.items()}
    zone_ids, location, managing, host_of = _read_plan(plan, zones, kept)
    if kept is None:
        return _account(zones, rules, district_ids, decimals, None, zone_ids, location, managing, host_of)
    # the accounting reads nothing of the plan but each zone's host (host_of, in zones' fixed order), so a plan
    # whose hosts equal a recent one's (a sweep's neighbouring variants often agree) is credited the same
    recent = kept.setdefault("allocation.recent", {})
    key = (tuple(host_of.values()), tuple(rules.items()), tuple(district_ids), decimals)
    if key not in recent:
        recent[key] = _account(zones, rules, district_ids, decimals, kept, zone_ids, location, managing, host_of)
        if len(recent) > RECENT_PLANS:
            del recent[next(iter(recent))]
    return _copy(recent[key])


RECENT_PLANS = 8   # accountings kept per region for plans that recur (see account)


def _copy(accounting: "Accounting") -> "Accounting":
    """Another Accounting equal to `accounting` that shares nothing a caller could change with it."""
    return replace(
        accounting, districts=accounting.districts.copy(), flows=accounting.flows.copy(),
        totals={m: dict(t) for m, t in accounting.totals.items()}, rules=dict(accounting.rules),
        exact={m: {k: dict(col) for k, col in ex.items()} for m, ex in accounting.exact.items()})


def _account(zones, rules, district_ids, decimals, kept, zone_ids, location, managing, host_of) -> "Accounting":
    from .memo import once

    districts = _district_order(district_ids, location, managing)

    columns: dict[str, list[float]] = {}
    flow_rows: list[tuple[str, str, str, Fraction]] = []
    totals: dict[str, dict[str, Any]] = {}
    exact: dict[str, dict[str, dict[str, Fraction]]] = {}
    all_conserved = True
    for measure, rule in rules.items():
        values, scale = once(kept, ("allocation.measure", measure), lambda: _measure(zones, zone_ids, measure))
        weights = once(kept, ("allocation.weights", measure, rule.kind), lambda: _weights(zones, zone_ids, rule, measure))
        result = _account_measure(zone_ids, values, scale, weights, rule, location, managing, host_of)
        before, after, revoked, before_managing, held, flows = result
        ex = {name: {d: col.get(d, _ZERO) for d in districts} for name, col in
              (("before", before), ("after", after), ("revoked", revoked), ("before_managing", before_managing),
               ("revoked_held", held))}
        exact[measure] = ex
        total_b, total_a, total_r = (sum(ex[k].values(), _ZERO) for k in ("before", "after", "revoked"))
        conserved = total_b == total_a + total_r and sum(ex["before_managing"].values(), _ZERO) == total_b
        all_conserved &= conserved

        shown = _round_measure(ex, districts, decimals)
        for suffix in ("before", "after", "change", "revoked", "before_managing", "change_vs_managing"):
            columns[f"{measure}_{suffix}"] = [_to_float(shown[suffix][d], decimals) for d in districts]
        totals[measure] = {"before": _to_float(sum(shown["before"].values()), decimals),
                           "after": _to_float(sum(shown["after"].values()), decimals),
                           "revoked": _to_float(sum(shown["revoked"].values()), decimals),
                           "conserved": bool(conserved)}
        flow_rows.extend((measure, a, b, v) for (a, b), v in flows.items() if v != 0)

    frame = pd.DataFrame(columns, index=pd.Index(districts, name="district_id"))
    order = {m: k for k, m in enumerate(rules)}
    flow_rows.sort(key=lambda r: (order[r[0]], r[1], r[2]))
    flows = pd.DataFrame([(m, a, b, float(round(v, decimals))) for m, a, b, v in flow_rows],
                         columns=["measure", "from_district", "to_district", "value"])
    return Accounting(districts=frame, flows=flows, totals=totals, conserved=all_conserved,
                      rules={m: r.spec() for m, r in rules.items()}, decimals=decimals, exact=exact)


def compare_rules(plan: pd.DataFrame, zones: pd.DataFrame, rule_sets: Mapping[str, Mapping[str, Rule]],
                  district_ids: list[str], decimals: int = 4) -> pd.DataFrame:
    """Per district, each measure's `after` under each named rule set, side by side.

    Columns `{measure}_after_{name}`, measure by measure, rule sets in the order given; e.g.
    compare_rules(plan, zones, {"territorial": {...}, "host": {...}, "split50": {...}}, ids).
    """
    frames = {}
    for name, rules in rule_sets.items():
        frames[name] = account(plan, zones, rules, district_ids, decimals).districts
    index = next(iter(frames.values())).index if frames else pd.Index(district_ids, name="district_id")
    measures: list[str] = []
    for rules in rule_sets.values():
        measures.extend(m for m in rules if m not in measures)
    out = pd.DataFrame(index=index)
    for m in measures:
        for name, frame in frames.items():
            if f"{m}_after" in frame.columns:
                out[f"{m}_after_{name}"] = frame[f"{m}_after"].reindex(index)
    return out


STANDARD_RULES = {"territorial": "territorial", "host": "host", "split50": {"split": 0.5}}   # the usual choices


def side_by_side(plan_table: pd.DataFrame, zones: pd.DataFrame, rule_sets: Mapping[str, Mapping[str, Any]],
                 district_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables (district_id, measure, rule, before, after, change, revoked) and flows (with `rule`),
    one block per named rule set, e.g. {"territorial": {"gdp": territorial_rule}, "host": {...}}."""
    rows, flows = [], []
    for label, rules in rule_sets.items():
        accounting = account(plan_table, zones, rules, district_ids)
        for measure in rules:
            block = accounting.districts[[f"{measure}_{c}" for c in ("before", "after", "change", "revoked")]]
            block.columns = ["before", "after", "change", "revoked"]
            rows.append(block.reset_index().assign(measure=measure, rule=label))
        flows.append(accounting.flows.assign(rule=label))
    table = pd.concat(rows, ignore_index=True)[["district_id", "measure", "rule", "before", "after", "change", "revoked"]]
    return table, pd.concat(flows, ignore_index=True)


# --- the arithmetic -----------------------------------------------------------------------------


def _account_measure(zone_ids, values, scale, weights, rule, location, managing, host_of):
    """Exact per-district sums for one measure; returns before, after, revoked, before_managing,
    revoked_held and flows {(from, to): value}, all Fractions.

    Values come in as integers of 1/scale (their decimal digits), so the sums are integer sums;
    shares multiply the per-district sums, not each zone. Every linear rule is split with s = 0
    (territorial), s = 1 (host) or s: a zone gives s·v to its host's managing district and (1 − s)·v to
    where it lies, so between before (own host) and after only the s part moves, from the zone's own
    managing district to its host's. Under area/investment a group's total is shared by weight w_d/W;
    the part of a zone's value credited to districts other than where it lies flows from there to them.
    """
    by_loc, by_man = defaultdict(int), defaultdict(int)            # before: by location / managing district
    rev_loc, rev_man = defaultdict(int), defaultdict(int)          # revoked zones, by location / managing
    kept_loc, kept_host = defaultdict(int), defaultdict(int)       # surviving zones, by location / host's managing
    moved: dict[tuple[str, str], int] = defaultdict(int)           # surviving: (own managing, host's managing)
    group_loc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))   # group → location → value
    group_weight: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # group → location → weight
    for z in zone_ids:
        v, loc, man, h = values[z], location[z], managing[z], host_of[z]
        by_loc[loc] += v
        by_man[man] += v
        if h is None:
            rev_loc[loc] += v
            rev_man[man] += v
            continue
        kept_loc[loc] += v
        kept_host[managing[h]] += v
        if man != managing[h]:
            moved[(man, managing[h])] += v
        if weights:
            group_loc[h][loc] += v
            group_weight[h][loc] += weights[z]

    def exact(sums, share=_ONE):
        return {d: share * Fraction(x, scale) for d, x in sums.items() if x}

    if is_linear(rule):
        s = _ONE if rule.kind == "host" else _ZERO if rule.kind == "territorial" else rule.exact_share
        before = _add(exact(by_man, s), exact(by_loc, _ONE - s))
        after = _add(exact(kept_host, s), exact(kept_loc, _ONE - s))
        held = _add(exact(rev_man, s), exact(rev_loc, _ONE - s))
        flows = {pair: s * Fraction(x, scale) for pair, x in moved.items() if x and s}
    else:
        before, held = exact(by_loc), exact(rev_loc)
        after_units: dict[str, Fraction] = defaultdict(Fraction)
        flow_units: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for h, parts in group_loc.items():
            w = {d: x for d, x in group_weight[h].items() if x}
            total_w = sum(w.values())
            if total_w == 0:                        # nothing contributed: territorial fallback
                for loc, v in parts.items():
                    after_units[loc] += v
                continue
            for d, x in w.items():
                after_units[d] += Fraction(sum(parts.values()) * x, total_w)
            for loc, v in parts.items():
                for d, x in w.items():
                    if d != loc and v:
                        flow_units[(loc, d)] += Fraction(v * x, total_w)
        after = {d: x / scale for d, x in after_units.items() if x}
        flows = {pair: x / scale for pair, x in flow_units.items() if x}
    return before, after, exact(rev_loc), exact(by_man), held, flows


def _add(a: dict[str, Fraction], b: dict[str, Fraction]) -> dict[str, Fraction]:
    out = dict(a)
    for d, x in b.items():
        out[d] = out.get(d, _ZERO) + x
    return out


def _round_measure(ex: dict[str, dict[str, Fraction]], districts: list[str], decimals: int) -> dict[str, dict]:
    """Round a measure's columns to `decimals` places, in integer units of 10^-decimals.

    Totals: before and revoked rounded half-to-even; after's total := before's − revoked's, so
    before = after + revoked holds on the shown totals. Each column is then rounded district by
    district by largest remainder so that it sums to its shown total (before_managing to before's,
    whose exact total it shares). change = after − before and change_vs_managing = after −
    before_managing are differences of shown figures, so they add up too.
    """
    scale = 10 ** decimals
    total = {k: sum(ex[k].values(), _ZERO) for k in ("before", "after", "revoked")}
    t_before = round(total["before"] * scale)
    t_revoked = round(total["revoked"] * scale)
    t_after = t_before - t_revoked
    shown = {
        "before": _largest_remainder(ex["before"], districts, scale, t_before),
        "after": _largest_remainder(ex["after"], districts, scale, t_after),
        "revoked": _largest_remainder(ex["revoked"], districts, scale, t_revoked),
        "before_managing": _largest_remainder(ex["before_managing"], districts, scale, t_before),
    }
    shown["change"] = {d: shown["after"][d] - shown["before"][d] for d in districts}
    shown["change_vs_managing"] = {d: shown["after"][d] - shown["before_managing"][d] for d in districts}
    return shown


def _largest_remainder(column: dict[str, Fraction], districts: list[str], scale: int, target: int) -> dict[str, int]:
    """Integer units per district summing to `target`: floor each, then hand the missing units to the
    largest remainders (ties: the order of `districts`). Exact figures stay exact."""
    units = {d: column[d] * scale for d in districts}
    floors = {d: math.floor(u) for d, u in units.items()}
    k = target - sum(floors.values())
    position = {d: i for i, d in enumerate(districts)}
    order = sorted(districts, key=lambda d: (-(units[d] - floors[d]), position[d]))
    n = len(order)
    if n == 0:
        return floors
    # |target − exact total| ≤ 1 unit, so 0 ≤ k ≤ n in practice; the loop covers any k.
    step = 1 if k >= 0 else -1
    if k < 0:
        order = order[::-1]
    for i in range(abs(k)):
        floors[order[i % n]] += step
    return floors


def _to_float(units: int, decimals: int) -> float:
    return units / 10 ** decimals   # int / int is correctly rounded: the float of Fraction(units, 10 ** decimals)


# --- reading inputs -----------------------------------------------------------------------------


def _exact(x: Any) -> Fraction:
    """A number as the exact fraction of its decimal string (0.1 → 1/10); empty/NaN → 0."""
    if x is None:
        return _ZERO
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, Integral):
        return Fraction(int(x))
    f = float(x)
    if math.isnan(f):
        return _ZERO
    if math.isinf(f):
        raise ValueError(f"{x!r} is not finite")
    if f.is_integer():
        return Fraction(int(f))
    return Fraction(repr(f))


def _empty(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    try:
        if pd.isna(x):
            return True
    except (TypeError, ValueError):
        pass
    return str(x).strip() in ("", "nan", "None", "<NA>")


def _read_plan(plan: pd.DataFrame, zones: pd.DataFrame, kept: dict | None = None):
    """Zone ids (in zones' order), their location and managing districts, and each zone's host
    (None when revoked); checks that the plan and zones agree."""
    from .memo import once

    index = pd.Index(plan["zone_id"].astype(str)) if "zone_id" in plan.columns else plan.index.astype(str)
    problems: list[InputIssue] = []
    for column in ("status", "host_id"):
        if column not in plan.columns:
            problems.append(InputIssue("plan", f"the plan has no '{column}' column",
                                    "a plan has status (host | member | revoked) and host_id per zone"))
    if "district_id" not in zones.columns:
        problems.append(InputIssue("zones", "zones have no 'district_id' column",
                                "every zone needs the district where it lies"))
    if problems:
        raise InputError(problems)
    zones_twice = once(kept, "allocation.twice", lambda: _twice(zones.index.astype(str)))
    for name, twice in (("plan", _twice(index)), ("zones", zones_twice)):
        if twice:
            problems.append(InputIssue(name, f"zone ids appear more than once: {twice[:10]}", "one row per zone"))
    if problems:
        raise InputError(problems)
    zone_ids, location, managing = once(kept, "allocation.zones", lambda: _zone_districts(zones))
    plan_ids = index.tolist()
    known, planned = set(zone_ids), set(plan_ids)
    missing = [z for z in zone_ids if z not in planned]
    extra = [z for z in plan_ids if z not in known]
    if missing:
        problems.append(InputIssue("plan", f"{len(missing)} zone(s) have no row in the plan: {missing[:10]}",
                                "the plan needs one row per zone"))
    if extra:
        problems.append(InputIssue("plan", f"{len(extra)} plan row(s) name unknown zones: {extra[:10]}",
                                "use zone_ids of the region"))
    if problems:
        raise InputError(problems)

    # each zone once, every zone known: the plan's rows in zones' order (plain lists: a sweep reads one per variant)
    statuses, hosts = plan["status"].tolist(), plan["host_id"].tolist()
    if plan_ids != zone_ids:
        row = {z: k for k, z in enumerate(plan_ids)}
        statuses, hosts = [statuses[row[z]] for z in zone_ids], [hosts[row[z]] for z in zone_ids]
    status = {z: str(s).strip() for z, s in zip(zone_ids, statuses)}
    host_of: dict[str, str | None] = {}
    for z, raw in zip(zone_ids, hosts):
        s = status[z]
        h = _host_text(raw)
        if s == "revoked":
            host_of[z] = None
        elif s == "host":
            if h not in (None, z):
                problems.append(InputIssue("plan", f"zone {z} is a host but its host_id is {h!r}",
                                        "a host's host_id is its own zone_id", column="host_id"))
            host_of[z] = z
        elif s == "member":
            if h is None or h not in status:
                problems.append(InputIssue("plan", f"member {z} has host_id {h!r}, not a zone of the plan",
                                        "give each member the zone_id of its host", column="host_id"))
            elif status[h] != "host":
                problems.append(InputIssue("plan", f"member {z} joins {h}, which is {status[h]}, not a host",
                                        "a member's host_id must be a zone whose status is host", column="host_id"))
            host_of[z] = h
        else:
            problems.append(InputIssue("plan", f"zone {z} has status {s!r}", "allowed: host, member, revoked",
                                    column="status"))
    if problems:
        raise InputError(problems)
    return zone_ids, location, managing, host_of


def _twice(index: pd.Index) -> list:
    """The ids that appear more than once in `index`, sorted."""
    return [] if index.is_unique else sorted(set(index[index.duplicated()]))


def _host_text(raw: Any) -> str | None:
    """A plan's host_id as text, None when empty (`_empty`); text, the usual case, without pandas."""
    if type(raw) is str:
        text = raw.strip()
        return None if text in ("", "nan", "None", "<NA>") else text
    return None if _empty(raw) else str(raw).strip()


def _zone_districts(zones: pd.DataFrame) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The zone ids (text, in zones' order) and each zone's location and managing district."""
    zones = zones.set_axis(zones.index.astype(str))
    zone_ids = zones.index.tolist()  # plain lists: iterating a pandas string index costs ~10 µs a zone
    location = {z: str(d) for z, d in zip(zone_ids, zones["district_id"].tolist())}
    if "managing_district_id" in zones.columns:
        managing = {z: (location[z] if _empty(m) else str(m))
                    for z, m in zip(zone_ids, zones["managing_district_id"].tolist())}
    else:
        managing = dict(location)
    return zone_ids, location, managing


def _district_order(district_ids: list[str], location: dict, managing: dict) -> list[str]:
    """The given districts in their order, then (sorted) any district the zones name that is not among
    them — a value is never dropped for want of a row."""
    order = [str(d) for d in district_ids]
    seen = set(order)
    extra = sorted((set(location.values()) | set(managing.values())) - seen)
    return order + extra


def _numbers(zones: pd.DataFrame, zone_ids: list[str], column: str, what: str) -> tuple[dict[str, int], int]:
    """A column as exact integers of 1/scale (scale a power of ten): each value is taken by its
    decimal string (shortest repr of the float, so 0.1 is exactly 1/10); empty counts as 0."""
    problems = []
    decimals: dict[str, Decimal] = {}
    lines = zones.attrs.get("lines") or list(range(2, len(zones) + 2))   # spreadsheet rows (header = 1)
    for row, z, raw in zip(lines, zone_ids, zones[column].tolist()):
        if _empty(raw):
            decimals[z] = Decimal(0)
            continue
        try:
            if isinstance(raw, Integral) and not isinstance(raw, bool):
                number = Decimal(int(raw))
            else:
                f = float(raw if isinstance(raw, Real) else str(raw).strip())
                if not math.isfinite(f):
                    raise ValueError(raw)
                number = Decimal(repr(f))
            decimals[z] = number
        except (TypeError, ValueError):
            problems.append(InputIssue("zones.csv", f"{what}: zone {z} has a value that is not a finite number",
                                    "write a number (or leave it empty for 0)", row=row, column=column, value=raw))
    if problems:
        raise InputError(problems)
    places = max([0] + [-d.as_tuple().exponent for d in decimals.values()])
    out = {}
    for z, d in decimals.items():
        sign, digits, exponent = d.as_tuple()
        n = int("".join(map(str, digits)) or "0") * 10 ** (exponent + places)
        out[z] = -n if sign else n
    return out, 10 ** places


def _measure(zones: pd.DataFrame, zone_ids: list[str], measure: str) -> tuple[dict[str, int], int]:
    if measure not in zones.columns:
        raise InputError(InputIssue(f"allocation.{measure}", f"'{measure}' is not a column of the zones",
                                 "name a numeric zone column: gdp, fiscal_revenue, employment, …"))
    return _numbers(zones, zone_ids, measure, f"measure {measure}")


def _weights(zones: pd.DataFrame, zone_ids: list[str], rule: Rule, measure: str) -> dict[str, int]:
    """area/investment weights as integers (of a common unit, which cancels in the shares)."""
    if is_linear(rule):
        return {}
    column = WEIGHTED_KINDS[rule.kind]
    if column not in zones.columns:
        raise InputError(InputIssue(f"allocation.{measure}", f"the {rule.kind} rule needs a '{column}' zone column",
                                 f"add {column} to zones.csv or choose another rule: {ALLOWED}"))
    weights, _ = _numbers(zones, zone_ids, column, f"{rule.kind} rule for {measure}")
    negative = [z for z, w in weights.items() if w < 0]
    if negative:
        raise InputError(InputIssue("zones.csv", f"the {rule.kind} rule for {measure} needs {column} ≥ 0; "
                                 f"negative for {negative[:10]}", "correct the values", column=column))
    return weights
