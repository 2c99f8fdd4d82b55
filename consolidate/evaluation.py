"""The comprehensive evaluation of zones (综合评价考核): articles 12, 19 and 21 of the Tianjin plan.

    >>> from consolidate.evaluation import EvaluationConfig, evaluate, zone_scores
    >>> table = evaluate(region.zones)                      # the defaults (article-21 indicators)
    >>> table[["score", "rank", "grade", "expansion_eligible"]].head()
    >>> evaluate(region.zones, EvaluationConfig(normalisation="rank", missing="worst"))

Each indicator is a zone column, or a column divided by another (per hectare, development
degree). Values are normalised to [0, 1] with 1 the best (directions flip "lower is better"
indicators), combined into a weighted mean `score`, ranked, and graded; each grade carries
its article-21 consequence. Article 19's expansion test (built out and intensive enough) is
reported separately. Missing values are handled by an explicit policy and every fill is
written next to the zone (`missing_filled`); nothing is filled silently.

docs/evaluation.md describes the indicators, where each comes from, and which defaults are
our own assumptions.
"""
from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError, InputIssue

GRADES = ("excellent", "qualified", "unqualified")
AREA = "area"  # an IndicatorSpec.per value: the area named by EvaluationConfig.area_basis
TOLERANCE = 1e-9  # scores within this of a threshold count as reaching it (floating-point noise)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False,
                              defer_build=True)  # as scenario.Strict


class IndicatorSpec(_Strict):
    """One indicator: which column (optionally per another column), its weight and direction."""

    column: str | None = Field(None, description="zone column holding the value (default: the indicator's name)")
    per: str | None = Field(None, description="divide by this zone column; 'area' = the area named by "
                            "area_basis (a zero or missing divisor makes the value missing)")
    weight: float = Field(1.0, ge=0, description="weight in the score (0 = reported, not scored)")
    direction: Literal["higher", "lower"] = Field("higher", description="higher or lower values are better")
    cap: float | None = Field(None, description="values above this count as this (e.g. development degree 1.0: "
                              "building beyond the approved area is not better); null = no cap")
    label: str = Field("", description="what it measures and the article it comes from")


def _spec(column: str | None, per: str | None, direction: str, label: str, cap: float | None = None
          ) -> dict[str, Any]:
    return {"column": column, "per": per, "weight": 1.0, "direction": direction, "cap": cap, "label": label}


DEFAULT_INDICATORS: dict[str, dict[str, Any]] = {
    "development_degree": _spec("built_area_ha", "approved_area_ha", "higher",
                                "built / approved area: 开发程度 (art. 21), 建设用地开发强度 (art. 12)", cap=1.0),
    "investment_per_ha": _spec("investment", AREA, "higher", "fixed-asset investment per ha: 单位土地投资强度 "
                               "(art. 21), 土地投资强度 (art. 12)"),
    "output_per_ha": _spec("gdp", AREA, "higher", "GDP per ha: 产出率 (art. 21)"),
    "tax_per_ha": _spec("fiscal_revenue", AREA, "higher", "fiscal revenue per ha: 经济效益 (art. 21), "
                        "综合效益 (art. 12)"),
    "employment_per_ha": _spec("employment", AREA, "higher", "jobs per ha: 带动就业能力 (art. 21), "
                               "人均用地指标 (art. 12, inverted)"),
    "rnd_intensity": _spec(None, None, "higher", "R&D spending / output: 技术创新能力 (art. 21)"),
    "high_tech_share": _spec(None, None, "higher", "high-tech share of output: 技术创新能力, 产业 (art. 21; "
                             "our proxy)"),
    "energy_per_output": _spec(None, None, "lower", "energy per output: 能源利用效率, 低碳发展 (art. 21)"),
    "env_compliance": _spec(None, None, "higher", "share of environmental checks passed: 生态环保 (art. 21)"),
    "debt_ratio": _spec(None, None, "lower", "platform debt / assets: 债务风险 (art. 21)"),
}


class Consequences(_Strict):
    """What article 21 attaches to each grade (written next to each zone)."""

    excellent: str = Field("priority for expansion and upgrading, more policy support "
                           "(优先考虑扩区、升级，加大政策支持力度)", description="consequence of grade excellent")
    qualified: str = Field("none: normal management", description="consequence of grade qualified")
    unqualified: str = Field("warning; no new land quota; rectify within a deadline (限制新增土地指标，提出警告，"
                             "限期整改); if rectification fails: area reduced, downgraded or revoked "
                             "(核减面积或予以降级、撤销)", description="consequence of grade unqualified")


class Grades(_Strict):
    """Score thresholds of the grades: excellent ≥ excellent, qualified ≥ qualified, else unqualified."""

    excellent: float = Field(0.7, ge=0, le=1, description="lowest score graded excellent (our assumption)")
    qualified: float = Field(0.4, ge=0, le=1, description="lowest score graded qualified (our assumption)")
    consequences: Consequences = Field(default_factory=Consequences)

    @model_validator(mode="after")
    def _ordered(self) -> "Grades":
        if self.qualified > self.excellent:
            raise ValueError(f"grades.qualified ({self.qualified}) must not exceed grades.excellent "
                             f"({self.excellent})")
        return self


class EvaluationConfig(_Strict):
    """How zones are evaluated (the scenario's `evaluation:` key). Every field has a default.

    `indicators` entries are merged over the defaults: `{rnd_intensity: {weight: 2}}` changes one
    weight and keeps the rest; a bare number sets the weight; `null` sets the weight to 0; a new
    name adds an indicator (give `column`, and `per` to divide).
    """

    indicators: dict[str, IndicatorSpec] = Field(
        default_factory=lambda: {k: IndicatorSpec(**v) for k, v in DEFAULT_INDICATORS.items()},
        description="indicator name → {column, per, weight, direction}; merged over the article-21 defaults")
    normalisation: Literal["minmax", "zscore", "rank"] = Field(
        "rank", description="rank: (average rank − 1)/(n − 1), robust to the long tails of per-ha figures; "
        "minmax: (x−min)/(max−min); zscore: normal CDF of the z-score; all oriented so 1 is best, a "
        "constant indicator gives 1.0")
    missing: Literal["mean", "worst", "zero", "exclude", "error"] = Field(
        "mean", description="a zone without a value: mean of the others' raw values | worst (normalised 0) | "
        "zero (raw 0) | exclude (weights renormalised over its present indicators) | error")
    area_basis: Literal["approved", "built"] = Field(
        "approved", description="the area per-ha indicators divide by: approved_area_ha or built_area_ha")
    given_scores: Literal["use", "ignore"] = Field(
        "use", description="use: a zone's own `score` column value (a precomputed evaluation) replaces the "
        "computed score; ignore: always compute")
    grades: Grades = Field(default_factory=Grades)
    built_out_threshold: float = Field(
        0.9, ge=0, le=1, description="development degree counted as 基本建成 (art. 19; our assumption)")
    min_investment_per_ha: float | None = Field(
        0.3, ge=0, description="investment intensity standard for expansion, money unit of gdp per ha "
        "(0.3 亿元/ha = 3,000 万元/ha; our assumption); null = not checked")
    min_output_per_ha: float | None = Field(
        0.2, ge=0, description="output (GDP) per ha standard for expansion, money unit of gdp per ha "
        "(0.2 亿元/ha; our assumption); null = not checked")

    @field_validator("indicators", mode="before")
    @classmethod
    def _merge_defaults(cls, value: Any) -> Any:
        if value is None:
            return {k: dict(v) for k, v in DEFAULT_INDICATORS.items()}
        if not isinstance(value, dict):
            return value
        merged: dict[str, Any] = {k: dict(v) for k, v in DEFAULT_INDICATORS.items()}
        for name, spec in value.items():
            name = str(name)
            if spec is None:
                spec = {"weight": 0.0}
            elif isinstance(spec, (int, float)) and not isinstance(spec, bool):
                spec = {"weight": spec}
            elif isinstance(spec, IndicatorSpec):
                merged[name] = spec
                continue
            if isinstance(spec, dict) and isinstance(merged.get(name), dict):
                merged[name] = {**merged[name], **spec}
            else:
                merged[name] = spec
        return merged

    @field_validator("indicators")
    @classmethod
    def _some_weight(cls, value: dict[str, IndicatorSpec]) -> dict[str, IndicatorSpec]:
        if not any(spec.weight > 0 for spec in value.values()):
            raise ValueError("give at least one indicator a weight above 0")
        return value

    def scored(self) -> list[str]:
        """Names of the indicators that count in the score (weight > 0)."""
        return [name for name, spec in self.indicators.items() if spec.weight > 0]


def config_from_dict(data: Any, where: str = "evaluation") -> EvaluationConfig:
    """Validate plain data (an `evaluation:` mapping) as an EvaluationConfig; problems → InputError."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(InputIssue(where, "the evaluation settings must be a mapping (key: value lines)",
                                 "see docs/evaluation.md"))
    try:
        return EvaluationConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = ".".join(str(p) for p in ("evaluation",) + tuple(err["loc"]))
            fix = ""
            if err["type"] == "extra_forbidden":
                fix = "unknown key; see docs/evaluation.md for the allowed keys"
            elif "expected" in err.get("ctx", {}):
                fix = f"allowed: {err['ctx']['expected']}"
            value = err.get("input")
            problems.append(InputIssue(where, f"{path}: {err['msg']}", fix,
                                    value=None if isinstance(value, (dict, list)) else value))
        raise InputError(problems) from None


# --- computing ----------------------------------------------------------------------------------


def _numeric(zones: pd.DataFrame, column: str) -> pd.Series:
    if column not in zones:
        return pd.Series(np.nan, index=zones.index, dtype=float)
    values = pd.to_numeric(zones[column], errors="coerce").astype(float)
    return values.where(np.isfinite(values))


def _area_column(config: EvaluationConfig) -> str:
    return "approved_area_ha" if config.area_basis == "approved" else "built_area_ha"


def indicator_values(zones: pd.DataFrame, config: EvaluationConfig | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw indicator values (NaN where missing) and, per cell, why a value is missing ('' if present)."""
    config = config or EvaluationConfig()
    raw = pd.DataFrame(index=zones.index)
    why = pd.DataFrame(index=zones.index)
    for name, spec in config.indicators.items():
        column = spec.column or name
        values = _numeric(zones, column)
        # numpy masks, not series[mask] = …: pandas formats the mask for an error it then catches (~1 ms each)
        reason = np.where(values.isna().to_numpy(), f"no {column}", "").astype(object)
        if spec.per:
            per = _area_column(config) if spec.per == AREA else spec.per
            divisor = _numeric(zones, per)
            bad = (values.notna() & ~(divisor > 0)).to_numpy()
            no_divisor = divisor.isna().to_numpy()
            reason[bad & no_divisor] = f"no {per}"
            reason[bad & ~no_divisor] = f"{per} is 0"
            values = (values / divisor.where(divisor > 0)).where(lambda s: np.isfinite(s))
        if spec.cap is not None:
            values = values.clip(upper=spec.cap)
        raw[name] = values
        why[name] = pd.Series(reason, index=zones.index, dtype=object)
    return raw, why


def _is_constant(values: pd.Series) -> bool:
    lo, hi = values.min(), values.max()
    return bool(hi - lo <= 1e-12 * max(1.0, abs(hi), abs(lo)))


def normalise(values: pd.Series, direction: str = "higher", method: str = "minmax") -> pd.Series:
    """Map present values to [0, 1], 1 the best; NaN stays NaN. A constant (or single) column gives 1.0.

    minmax: (x − min)/(max − min); zscore: Φ(z), the standard normal CDF of the (population) z-score;
    rank: (r − 1)/(n − 1) with r the average rank from worst (1) to best (n). "lower" flips the order.
    """
    present = values.dropna().astype(float)
    out = pd.Series(np.nan, index=values.index, dtype=float)
    if present.empty:
        return out
    where = values.index.get_indexer(present.index)
    if _is_constant(present):
        out.iloc[where] = 1.0
        return out
    oriented = present if direction == "higher" else -present
    if method == "minmax":
        result = (oriented - oriented.min()) / (oriented.max() - oriented.min())
    elif method == "zscore":
        z = (oriented - oriented.mean()) / oriented.std(ddof=0)
        result = z.map(lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))))
    elif method == "rank":
        result = (oriented.rank(method="average") - 1.0) / (len(oriented) - 1)
    else:  # pragma: no cover - the config only allows the three
        raise ValueError(f"unknown normalisation {method!r}")
    out.iloc[where] = result.clip(0.0, 1.0).to_numpy()
    return out


def _prepare(zones: pd.DataFrame, config: EvaluationConfig):
    """Raw values (after fills), normalised values, fill notes per zone, dropped indicators, notes."""
    raw, why = indicator_values(zones, config)
    norm = pd.DataFrame(index=zones.index)
    fills: dict[Any, list[str]] = {z: [] for z in zones.index}
    dropped: list[str] = []
    notes: list[str] = []
    problems: list[InputIssue] = []
    scored = set(config.scored())
    for name, spec in config.indicators.items():
        values = raw[name].copy()
        missing = values.isna()
        if name not in scored:
            norm[name] = normalise(values, spec.direction, config.normalisation)
            continue
        if missing.all():
            if config.missing == "error":
                problems.append(InputIssue("zones", f"indicator '{name}' has no value in any zone "
                                        f"({why[name].iloc[0] if len(why) else 'no data'})",
                                        "fill the column, give the indicator weight 0, or choose "
                                        "evaluation.missing: mean | worst | zero | exclude",
                                        column=spec.column or name))
            else:
                dropped.append(name)
                notes.append(f"{name}: no zone has a value ({why[name].iloc[0]}); dropped from the score")
            norm[name] = np.nan
            continue
        if missing.any():
            if config.missing == "error":
                for zone in values.index[missing]:
                    problems.append(InputIssue("zones", f"zone {zone}: no value for indicator '{name}' "
                                            f"({why.at[zone, name]})",
                                            "fill it, or choose evaluation.missing: mean | worst | zero | exclude",
                                            column=spec.column or name))
                continue
            notes.append(f"{name}: {int(missing.sum())} zone(s) without a value, policy '{config.missing}'")
        fill_value = None
        if config.missing == "mean" and missing.any():
            fill_value = float(values.mean())
            values = values.mask(missing, fill_value)
        elif config.missing == "zero" and missing.any():
            fill_value = 0.0
            values = values.mask(missing, 0.0)
        raw[name] = values
        normalised = normalise(values, spec.direction, config.normalisation)
        if config.missing == "worst":
            normalised = normalised.mask(missing, 0.0)
        norm[name] = normalised
        label = {"mean": f"mean {fill_value:.6g}" if fill_value is not None else "mean", "zero": "zero",
                 "worst": "worst (normalised 0)", "exclude": "excluded, weights renormalised"}.get(config.missing, "")
        for zone in values.index[missing]:
            cause = why.at[zone, name]
            cause = "" if cause == f"no {name}" else f" [{cause}]"
            fills[zone].append(f"{name}: {label}{cause}")
    if problems:
        raise InputError(problems)
    return raw, norm, fills, dropped, notes


def _weights(config: EvaluationConfig, dropped: list[str]) -> pd.Series:
    return pd.Series({n: config.indicators[n].weight for n in config.scored() if n not in dropped}, dtype=float)


def _weighted_score(norm: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Σ w·u / Σ w over each zone's present indicators (all present unless missing = exclude)."""
    if weights.empty:
        return pd.Series(np.nan, index=norm.index, dtype=float)
    values = norm[weights.index]
    present = values.notna()
    total = present.mul(weights, axis=1).sum(axis=1)
    score = values.fillna(0.0).mul(weights, axis=1).sum(axis=1) / total.where(total > 0)
    return score.clip(0.0, 1.0)


def grade(score: float, config: EvaluationConfig | None = None) -> str:
    """excellent if score ≥ grades.excellent, qualified if ≥ grades.qualified, else unqualified."""
    grades = (config or EvaluationConfig()).grades
    if score >= grades.excellent - TOLERANCE:
        return "excellent"
    if score >= grades.qualified - TOLERANCE:
        return "qualified"
    return "unqualified"


def _ranks(score: pd.Series) -> pd.Series:
    """1 = best; equal scores (to 12 decimals) are ordered by zone_id."""
    order = sorted(score.index, key=lambda z: (-round(float(score[z]), 12), str(z)))
    return pd.Series({z: i for i, z in enumerate(order, start=1)}, dtype=int).reindex(score.index)


def _expansion(zones: pd.DataFrame, config: EvaluationConfig) -> tuple[pd.Series, pd.Series]:
    """Article 19: built out (development degree ≥ threshold) and meeting the intensity standards."""
    approved = _numeric(zones, "approved_area_ha")
    built = _numeric(zones, "built_area_ha")
    area = _numeric(zones, _area_column(config))
    investment = _numeric(zones, "investment")
    gdp = _numeric(zones, "gdp")
    eligible, reasons = {}, {}
    for zone in zones.index:
        why: list[str] = []
        ok = True
        a, b = approved[zone], built[zone]
        if not a > 0:
            ok, why = False, why + ["no approved area"]
        elif pd.isna(b):
            ok, why = False, why + ["no built_area_ha: cannot show it is built out"]
        else:
            degree = b / a
            if degree >= config.built_out_threshold - TOLERANCE:
                why.append(f"built out ({degree:.0%} ≥ {config.built_out_threshold:.0%})")
            else:
                ok = False
                why.append(f"not built out ({degree:.0%} < {config.built_out_threshold:.0%})")
        for label, standard, numerator in (("investment", config.min_investment_per_ha, investment[zone]),
                                           ("output", config.min_output_per_ha, gdp[zone])):
            if standard is None:
                continue
            land = area[zone]
            if pd.isna(numerator) or not land > 0:
                ok = False
                why.append(f"no {label} per ha data")
                continue
            intensity = numerator / land
            if intensity >= standard - TOLERANCE:
                why.append(f"{label} {intensity:.3g}/ha ≥ {standard:.3g}")
            else:
                ok = False
                why.append(f"{label} {intensity:.3g}/ha < {standard:.3g}")
        eligible[zone], reasons[zone] = ok, "; ".join(why)
    return (pd.Series(eligible, dtype=bool).reindex(zones.index),
            pd.Series(reasons, dtype=object).reindex(zones.index))


def evaluate(zones: pd.DataFrame, config: EvaluationConfig | None = None) -> pd.DataFrame:
    """Evaluate every zone: indicators, normalised values, score, rank, grade, consequence, expansion.

    Returns a table indexed like `zones` with, per indicator NAME, the raw value `NAME` (after any
    fill) and the normalised `norm_NAME` (0–1, 1 best), then `score`, `score_source` (computed |
    given), `rank` (1 = best, ties by zone_id), `grade`, `consequence`, `expansion_eligible`,
    `expansion_reason` and `missing_filled` (which indicators were filled and how; '' if none).
    `.attrs["notes"]` lists what was done table-wide (dropped indicators, fill counts).
    Raises InputError for missing values under `missing: error`, or for a zone with nothing to
    score under `missing: exclude`.
    """
    config = config or EvaluationConfig()
    if len(zones) == 0:
        raise InputError(InputIssue("zones", "no zones to evaluate", "give at least one zone"))
    raw, norm, fills, dropped, notes = _prepare(zones, config)
    weights = _weights(config, dropped)
    if weights.empty:
        raise InputError(InputIssue("zones", "no scored indicator has data in any zone: nothing to score",
                                 f"fill some of: {', '.join(config.scored())}, or add indicators"))
    score = _weighted_score(norm, weights)
    unscored = score.index[score.isna()]
    source = pd.Series("computed", index=zones.index, dtype=object)
    if config.given_scores == "use" and "score" in zones:
        given = _numeric(zones, "score")
        has = given.notna() & given.between(0, 1)
        score[has] = given[has]
        source[has] = "given"
        if has.any():
            notes.append(f"{int(has.sum())} zone(s) use their given `score` column value")
        unscored = score.index[score.isna()]
    if len(unscored):
        raise InputError([InputIssue("zones", f"zone {z}: none of the scored indicators has a value, so it cannot "
                                  "be scored under missing: exclude",
                                  "fill one of: " + ", ".join(weights.index) + ", or choose another "
                                  "evaluation.missing policy") for z in unscored])
    out = pd.DataFrame(index=zones.index)
    for name in config.indicators:
        out[name] = raw[name]
    for name in config.indicators:
        out[f"norm_{name}"] = norm[name]
    out["score"] = score.astype(float)
    out["score_source"] = source
    out["rank"] = _ranks(out["score"])
    out["grade"] = [grade(s, config) for s in out["score"]]
    consequences = config.grades.consequences
    out["consequence"] = [getattr(consequences, g) for g in out["grade"]]
    out["expansion_eligible"], out["expansion_reason"] = _expansion(zones, config)
    # article 21: an unqualified zone gets no new land (限制新增土地指标), so it cannot expand either
    unqualified = out["grade"] == "unqualified"
    out.loc[unqualified, "expansion_eligible"] = False
    out.loc[unqualified, "expansion_reason"] = "graded unqualified: no new land (article 21); " \
        + out.loc[unqualified, "expansion_reason"]
    out["missing_filled"] = ["; ".join(fills[z]) for z in zones.index]
    out.attrs["notes"] = notes
    out.attrs["dropped"] = dropped
    out.attrs["weights"] = {k: float(v) for k, v in (weights / weights.sum()).items()}
    return out


def zone_scores(zones: pd.DataFrame, config: EvaluationConfig | None = None) -> pd.Series:
    """Just the score in [0, 1] per zone (index like `zones`), as the MIP uses it (host quality 1 − score)."""
    return evaluate(zones, config)["score"].rename("score")


def revocation_candidates(evaluated: pd.DataFrame) -> list:
    """zone_ids graded unqualified in an `evaluate` table (article 21: may be reduced, downgraded or revoked)."""
    return [z for z in evaluated.index if evaluated.at[z, "grade"] == "unqualified"]


def weights_sweep(zones: pd.DataFrame, config: EvaluationConfig | None = None, n: int = 0, seed: int = 0,
                  spread: float = 0.5) -> pd.DataFrame:
    """How ranks and grades move when the weights move.

    The variants are: each scored weight in turn × (1 − spread) and × (1 + spread) (one at a time),
    plus `n` random variants in which every weight is multiplied by a uniform factor in
    [1 − spread, 1 + spread] (numpy generator seeded by `seed`). Returns per zone: base_rank,
    min_rank, max_rank, base_grade, share_excellent / share_qualified / share_unqualified (over the
    variants) and grade_stable (the grade never changes). `.attrs["variants"]` counts them.
    Zones with a given score (given_scores: use) do not move with the weights.
    """
    config = config or EvaluationConfig()
    if not 0 <= spread < 1:
        raise InputError(InputIssue("weights_sweep", f"spread must be in [0, 1), got {spread}"))
    base = evaluate(zones, config)
    _, norm, _, dropped, _ = _prepare(zones, config)
    weights = _weights(config, dropped)
    given = base["score_source"] == "given"
    k = len(weights)
    variants = []
    for i in range(k):
        for factor in (1 - spread, 1 + spread):
            w = weights.to_numpy(copy=True)
            w[i] *= factor
            variants.append(w)
    rng = np.random.default_rng(seed)
    for _ in range(max(0, int(n))):
        variants.append(weights.to_numpy() * rng.uniform(1 - spread, 1 + spread, size=k))
    W = np.array([w for w in variants if w.sum() > 0]).reshape(-1, k)  # variants × indicators
    values = norm[weights.index].to_numpy(dtype=float)  # zones × indicators
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = (np.where(present, values, 0.0) @ W.T) / (present.astype(float) @ W.T)  # zones × variants
    scores = np.clip(scores, 0.0, 1.0)
    scores[given.to_numpy()] = base.loc[given, "score"].to_numpy()[:, None]
    # ranks: best first, equal scores (to 12 decimals) by zone_id, as in evaluate
    id_order = np.argsort(np.argsort([str(z) for z in zones.index], kind="stable"), kind="stable")
    ranks = np.empty(scores.shape, dtype=int)
    for j in range(scores.shape[1]):
        order = np.lexsort((id_order, -np.round(scores[:, j], 12)))
        ranks[order, j] = np.arange(1, len(order) + 1)
    g = config.grades
    grades = np.where(scores >= g.excellent - TOLERANCE, "excellent",
                      np.where(scores >= g.qualified - TOLERANCE, "qualified", "unqualified"))
    out = pd.DataFrame(index=zones.index)
    out["base_rank"] = base["rank"]
    count = W.shape[0]
    out["min_rank"] = ranks.min(axis=1) if count else base["rank"].to_numpy()
    out["max_rank"] = ranks.max(axis=1) if count else base["rank"].to_numpy()
    out["base_grade"] = base["grade"]
    for name in GRADES:
        out[f"share_{name}"] = ((grades == name).sum(axis=1) / count) if count else \
            (base["grade"] == name).astype(float).to_numpy()
    out["grade_stable"] = (grades == base["grade"].to_numpy()[:, None]).all(axis=1)
    out.attrs["variants"] = count
    return out


def evaluation_scores(region, scenario) -> tuple[pd.Series | None, pd.Series | None]:
    """Comprehensive-evaluation scores and grades of a region's zones under a scenario's `evaluation:`, when
    the region has indicator data to score (the solve and a plan read back both use them)."""
    indicators = ["built_area_ha", "investment", "rnd_intensity", "high_tech_share", "energy_per_output",
                  "env_compliance", "debt_ratio"]
    if not any(col in region.zones and region.zones[col].notna().any() for col in indicators):
        return None, None
    table = evaluate(region.zones, scenario.evaluation)
    return table["score"], table["grade"]
