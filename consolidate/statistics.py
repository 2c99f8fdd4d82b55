"""What a plan's summary says, typed: named fields instead of string keys, and the verdict computed once.

    >>> stats = plan.stats                       # a PlanSummary (plan.summary stays the plain-dict view)
    >>> stats.verdict.text("zh")                 # '已证明最优' or '未证明最优（差距 0.42%）'
    >>> stats.verdict.text("en", detail=True)    # 'NOT proven optimal (stopped at the time limit …; gap …, bound …)'
    >>> stats.counts.revoked, stats.objective_parts["revocation"].weighted
    >>> PlanSummary.from_dict(json.loads(text)).to_dict()   # summary.json, key for key and byte for byte

`summary.json` is written from `to_dict()`; a key this module does not know (written by a newer
version, or added by another part of the toolkit) is kept in `extra` and written back where it was,
so reading and writing a summary never loses or reorders anything.

The objective's parts are named by the scenario schema (`scenario.Weights`): `OBJECTIVE_PARTS`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .scenario import Weights

OBJECTIVE_PARTS: tuple[str, ...] = tuple(Weights.model_fields)   # distance, revocation, host_quality, …

OPTIMAL, FEASIBLE, INFEASIBLE, NO_SOLUTION = "optimal", "feasible", "infeasible", "no_solution"
EDITED = "edited"  # a plan whose tables are not the ones its solve wrote (plan.read_plan): re-checked, never proven

VERDICT_TEXT = {
    "en": {OPTIMAL: "proven optimal", FEASIBLE: "NOT proven optimal (gap {gap})",
           "feasible_detail": "NOT proven optimal (stopped at the time limit or the allowed gap; gap {gap}, "
                              "bound {bound})",
           INFEASIBLE: "no plan: the rules cannot all be met", NO_SOLUTION: "no plan: the solver stopped without one",
           EDITED: "edited — not proven optimal", "unknown_gap": "unknown"},
    "zh": {OPTIMAL: "已证明最优", FEASIBLE: "未证明最优（差距 {gap}）",
           "feasible_detail": "未证明最优（达到时间上限或允许差距；差距 {gap}，界 {bound}）",
           INFEASIBLE: "无可行方案：规则无法同时满足", NO_SOLUTION: "无方案：求解器停止时没有方案",
           EDITED: "已编辑 — 未证明最优", "unknown_gap": "未知"},
}


@dataclass(frozen=True)
class Verdict:
    """Proven optimal, a plan not proven optimal (with its gap), infeasible, or no plan: from the solver's own
    status, never assumed."""

    status: str                        # optimal | feasible | edited | infeasible | no_solution
    gap: float | None = None           # relative gap of a feasible plan; None when unknown
    best_bound: float | None = None

    @property
    def proven_optimal(self) -> bool:
        return self.status == OPTIMAL

    @property
    def has_plan(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE, EDITED)

    def gap_text(self, lang: str = "en") -> str:
        return VERDICT_TEXT[lang]["unknown_gap"] if self.gap is None else f"{100 * float(self.gap):.2f}%"

    def text(self, lang: str = "en", detail: bool = False) -> str:
        """The verdict in `lang` (en, zh); `detail` says why a plan is not proven and gives its bound."""
        words = VERDICT_TEXT[lang]
        if self.status != FEASIBLE:
            return words.get(self.status, self.status)
        if detail:
            return words["feasible_detail"].format(gap=self.gap_text(lang), bound=self.best_bound)
        return words[FEASIBLE].format(gap=self.gap_text(lang))


@dataclass
class SolverInfo:
    name: str | None = None
    backend: str | None = None
    version: str = ""
    time_limit_s: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    processes: int | None = None


@dataclass
class ObjectivePart:
    value: float = 0.0
    weight: float = 0.0
    weighted: float = 0.0


@dataclass
class Seconds:
    build: float = 0.0
    solve: float = 0.0
    total: float = 0.0


@dataclass
class Counts:
    zones: int = 0
    hosts: int = 0
    members: int = 0
    revoked: int = 0
    by_mode: dict[str, int] = field(default_factory=dict)
    customs_folded: int = 0
    pairs_allowed: int = 0


@dataclass
class CheckResult:
    name: str
    passed: bool
    detail: str = ""


_NESTED = {"solver": SolverInfo, "seconds": Seconds, "counts": Counts}


@dataclass
class PlanSummary:
    """summary.json as named fields, in the order they are written."""

    region: str | None = None
    region_title: str | None = None
    region_path: str | None = None
    scenario: dict[str, Any] = field(default_factory=dict)      # the resolved scenario, every key filled in
    input_files: dict[str, Any] = field(default_factory=dict)   # file → sha256
    data_note: Any = None
    data_quality: dict[str, int] = field(default_factory=dict)
    solver: SolverInfo = field(default_factory=SolverInfo)
    status: str | None = None
    proven_optimal: bool = False
    objective: float | None = None
    objective_parts: dict[str, ObjectivePart] = field(default_factory=dict)
    best_bound: float | None = None
    gap: float | None = None
    seconds: Seconds = field(default_factory=Seconds)
    counts: Counts = field(default_factory=Counts)
    components: dict[str, Any] = field(default_factory=dict)
    allocation: dict[str, Any] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    checks_passed: bool = False
    # room for what other parts of the toolkit add (optional: absent in older summaries):
    label: str | None = None                    # the plan's name: scenario and overrides
    overrides: dict[str, Any] | None = None     # how the scenario differs from the file it is named after
    tables_sha256: dict[str, str] | None = None  # plan.csv, districts.csv, … as written, to tell an edited plan
    edited: bool | None = None                  # a table changed after the solve: re-checked, not proven optimal
    cap_excess: dict[str, Any] | None = None    # rules.cap_mode in_principle: zones above the caps, per district
    extra: dict[str, Any] = field(default_factory=dict)         # keys this version does not know, kept as they are
    _order: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def verdict(self) -> Verdict:
        status = self.status or NO_SOLUTION
        if self.edited:
            status = EDITED  # a plan edited after the solve: no longer what the solver proved
        elif status == OPTIMAL and not self.proven_optimal:
            status = FEASIBLE
        return Verdict(status, None if status == OPTIMAL else self.gap, self.best_bound)

    @property
    def scenario_name(self) -> str:
        return str(self.scenario.get("name", ""))

    @property
    def count_by(self) -> str | None:
        return self.scenario.get("count_by")

    def weighted_parts(self) -> dict[str, float]:
        """Each objective part's weighted value, every part the schema names (0 where the summary has none)."""
        return {p: self.objective_parts[p].weighted if p in self.objective_parts else 0.0 for p in OBJECTIVE_PARTS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanSummary:
        known = {f.name for f in dataclasses.fields(cls)} - {"extra", "_order"}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            if key in _NESTED and isinstance(value, dict):
                value = _build(_NESTED[key], value)
            elif key == "objective_parts" and isinstance(value, dict):
                value = {k: _build(ObjectivePart, v) if isinstance(v, dict) else v for k, v in value.items()}
            elif key == "checks" and isinstance(value, list):
                value = [_build(CheckResult, c) if isinstance(c, dict) else c for c in value]
            values[key] = value
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**values, extra=extra, _order=tuple(data))

    def to_dict(self) -> dict[str, Any]:
        """The summary as summary.json holds it: the keys it was read with, in their order (new keys after)."""
        out = {}
        for f in dataclasses.fields(self):
            if f.name in ("extra", "_order"):
                continue
            if self._order and f.name not in self._order:
                continue  # not in the summary this was read from: do not invent it
            out[f.name] = _plain(getattr(self, f.name))
        out.update(self.extra)
        order = [k for k in self._order if k in out] + [k for k in out if k not in self._order]
        return {k: out[k] for k in order}


def _build(kind, data: dict[str, Any]):
    names = {f.name for f in dataclasses.fields(kind)}
    made = kind(**{k: v for k, v in data.items() if k in names})
    made.__dict__["_extra"] = {k: v for k, v in data.items() if k not in names}
    made.__dict__["_keys"] = tuple(data)
    return made


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        keys = value.__dict__.get("_keys")
        data = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        data.update(value.__dict__.get("_extra", {}))
        if keys is not None:
            data = {k: data[k] for k in keys if k in data}   # as it was read: nothing invented
        return data
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
