"""Scenarios: the what-if policy choices, validated, with `extends:` and `--set` overrides.

    >>> from consolidate.scenario import load_scenario
    >>> s = load_scenario("baseline", overrides=["rules.district_cap=2"])
    >>> s.rules.district_cap, s.merging.contiguity
    (2, 'adjacent')

Every key has a default (the policy as written) and a one-line meaning (`Field(description=...)`);
`consolidate show-scenario NAME` prints the resolved YAML. Unknown keys and wrong types are
rejected with the key path and what is allowed (InputError, exit 2).
"""
from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterable, Literal, NamedTuple, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic import Strict as PydanticStrict

from .errors import InputError, InputIssue
from .parsing import parse_yaml, read_text
from .resources import bundled_scenarios, scenarios_dir

if TYPE_CHECKING:
    from .region import Region

MODES = ("entrusted", "co_construction", "multi_park")
LEVELS = ("national", "municipal", "district", "subdistrict")


class Strict(BaseModel):
    """Unknown keys, and values of the wrong type, are errors: `true` is not the cap 1, `"2"` is not 2, and
    `.inf` or `.nan` is no weight or limit (they would reach the solver as numbers it cannot use)."""

    # defer_build: the validators are built when a scenario is first validated, not on import, so the drawing
    # child (forked after this module loads, never validating: it unpickles plans) does not wait for them (#14)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False,
                              defer_build=True)


class Rules(Strict):
    """The cap. Keys a scenario leaves out come from the region model's `rules:` (region.yaml), then
    from these defaults: Tianjin's region.yaml holds article 18's 3 per district with 滨海新区 exempt."""

    district_cap: int = Field(3, ge=0, description="most zones a district may keep (article 18: 3)")
    exempt_districts: list[str] = Field([], description="districts without a cap (article 18: 滨海新区)")
    district_caps: dict[str, Annotated[int, Field(ge=0)]] = Field(
        {}, description="per-district caps overriding district_cap (id or name → cap)")
    cap_mode: Literal["strict", "in_principle"] = Field(
        "strict", description="strict: no plan when a cap cannot be met; in_principle (原则上): first keep the total "
        "number of zones above the caps as low as possible, then the usual objective (docs/explain.md)")


class Hosts(Strict):
    levels: list[Literal["national", "municipal", "district", "subdistrict"]] = Field(
        ["national", "municipal"], description="levels that may host other zones (国家级和发展水平高的市级开发区)")
    min_score: float | None = Field(None, ge=0, le=1, description="municipal and lower hosts need at least this "
                                    "evaluation score (发展水平高); national zones are exempt")
    functional_areas: bool = Field(True, description="Binhai functional areas (functional_area=true) may host")
    not_below_member: bool = Field(True, description="a zone joins only a host of its own level or higher "
                                   "(national > municipal > district > subdistrict): hosts are the main body (主体); "
                                   "Binhai functional areas and pinned hosts are exempt")


class Merging(Strict):
    contiguity: Literal["adjacent", "nearby", "connected"] = Field(
        "adjacent", description="adjacent: member shares a graph edge with its host; nearby: within "
        "max_distance_km of it (区位相邻、相近); connected: each group is a connected subgraph")
    max_distance_km: float | None = Field(30.0, gt=0, description="farthest a member may be from its host (km); "
                                          "null = no limit for adjacent, and for connected within the graph "
                                          "component (at most 200 km in regions of over 2,000 zones); nearby "
                                          "needs a number (near without a distance is every zone)")
    cross_district: bool = Field(True, description="may a zone join a host in another district?")
    hosts: Hosts = Field(default_factory=Hosts)
    modes: list[Literal["entrusted", "co_construction", "multi_park"]] = Field(
        list(MODES), description="merge modes allowed: 委托代管 entrusted, 合作共建 co_construction, 一区多园 multi_park")
    customs: Literal["fold", "separate", "ignore"] = Field(
        "fold", description="fold: customs areas merge only with customs areas and a customs host with customs "
        "members becomes a comprehensive bonded zone; separate: customs areas never merge; ignore: no rule")
    connected_method: Literal["cuts", "flow"] = Field(
        "cuts", description="how `connected` is enforced: iterate-and-cut loop or a single-commodity flow model")

    @field_validator("modes")
    @classmethod
    def _some_mode(cls, modes: list[str]) -> list[str]:
        if not modes:
            raise ValueError("allow at least one merge mode (entrusted, co_construction, multi_park)")
        return modes

    @model_validator(mode="after")
    def _nearby_has_a_distance(self) -> "Merging":
        if self.contiguity == "nearby" and self.max_distance_km is None:
            raise ValueError("max_distance_km is required for contiguity: nearby (set e.g. "
                             "merging.max_distance_km: 30; docs/policy.md 18.3)")
        return self


class Revocation(Strict):
    allowed: bool = Field(True, description="may zones be revoked (撤销)?")
    protect_levels: list[Literal["national", "municipal", "district", "subdistrict"]] = Field(
        ["national"], description="levels that are never revoked")
    max_gdp_share: float | None = Field(0.05, ge=0, le=1, description="only zones whose GDP is at most this share "
                                        "of their district's zone GDP may be revoked (小而散); null = any")
    max_area_ha: float | None = Field(None, ge=0, description="only zones of at most this approved area may be "
                                      "revoked; null = any")
    require_grade: Literal["unqualified"] | None = Field(
        None, description="only zones graded unqualified by the evaluation may be revoked (article 21)")


class Fairness(Strict):
    max_district_loss: float | None = Field(None, ge=0, le=1, description="no district may lose more than this "
                                            "share of its before-value of a measure under the sharing rule")
    min_kept: float | None = Field(None, ge=0, description="every district keeps at least this much of each "
                                   "measure after consolidation (absolute, in the measure's unit), or all it had "
                                   "when it had less: after ≥ min(min_kept, before)")
    measures: list[str] = Field(["gdp", "fiscal_revenue"], description="measures the fairness bounds apply to")


class Weights(Strict):
    distance: float = Field(1.0, ge=0, description="GDP-weighted distance from members to hosts")
    revocation: float = Field(5.0, ge=0, description="GDP lost by revocation")
    host_quality: float = Field(2.0, ge=0, description="GDP of members placed under weak hosts (1 − score)")
    zone_count: float = Field(0.0, ge=0, description="a cost per surviving zone (pushes consolidation beyond the cap)")
    cross_district: float = Field(0.0, ge=0, description="a cost per member that joins a host run by another district")


class Objective(Strict):
    weights: Weights = Field(default_factory=Weights)


class Pins(Strict):
    hosts: list[str] = Field([], description="zones that must survive (and may host)")
    keep: list[str] = Field([], description="zones that must not be revoked")
    revoke: list[str] = Field([], description="zones that must be revoked")
    forbid_pairs: list[Annotated[tuple[str, str], PydanticStrict(False)]] = Field(  # YAML has lists, not tuples
        [], description="pairs [a, b] that may not be in one group")
    assign: dict[str, str] = Field({}, description="member → host: the zone joins that host; a zone assigned to "
                                   "itself stays a host (survives) without becoming a named host")


AUTO_MAX_CORES = 4   # `solver.processes: auto` uses at most this many: the largest component bounds the time


def usable_cores() -> int:
    """The cores this process may run on (its affinity, e.g. under taskset or a container's cpuset)."""
    if hasattr(os, "process_cpu_count"):  # Python ≥ 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Solver(Strict):
    name: Literal["highs", "cbc"] = Field("highs", description="MIP solver")
    backend: Literal["highspy", "pulp", "auto"] = Field(
        "highspy", description="highspy: HiGHS straight from the model's matrices (the fastest); pulp: the model "
        "through PuLP (HiGHS or CBC; CBC always goes this way); auto: the same as highspy (kept for older files)")
    time_limit_s: float = Field(60.0, gt=0, description="time limit per component (seconds)")
    mip_gap: float = Field(0.0, ge=0, le=1, description="relative gap at which the solver may stop (0 = prove optimal)")
    threads: int = Field(1, ge=1, description="solver threads (1 keeps plans byte-identical run to run)")
    processes: Union[Literal["auto"], Annotated[int, Field(ge=1)]] = Field(
        "auto", description="independent components solved at once: auto: in this one process, side by side in "
        "threads on up to 4 of the usable cores when the region splits into many components that together are much "
        "more work than the largest (the national extensions; not Tianjin, china-2018's 2,543 zones, a sweep's or "
        "campaign's workers, or the pulp back end), one at a time otherwise; a number N: in N processes (this one "
        "and N − 1 forked workers)")

    @field_validator("processes", mode="before")
    @classmethod
    def _processes(cls, value):
        if value != "auto" and (type(value) is not int or value < 1):
            raise ValueError("give a number of processes (1, 2, …) or auto")
        return value


def _evaluation_config():
    try:
        from .evaluation import EvaluationConfig
    except ImportError:  # pragma: no cover - the evaluation module ships with the package
        return dict
    return EvaluationConfig


AllocationRule = Union[str, dict[str, float]]


class Scenario(Strict):
    name: str = Field("scenario", description="short name")
    description: str = Field("", description="one line on what this scenario asks")
    region: str = Field("tianjin", description="bundled region name or a path (relative to the scenario file)")
    rules: Rules = Field(default_factory=Rules)
    count_by: Literal["managing_district", "location_district"] = Field(
        "managing_district", description="a zone counts against the cap of the district that runs it, or where it lies")
    merging: Merging = Field(default_factory=Merging)
    revocation: Revocation = Field(default_factory=Revocation)
    allocation: dict[str, AllocationRule] = Field(
        {"gdp": "territorial", "fiscal_revenue": "territorial"},
        description="sharing rule per measure: territorial | host | {split: s} | area | investment (属地原则分成)")
    fairness: Fairness = Field(default_factory=Fairness)
    objective: Objective = Field(default_factory=Objective)
    pins: Pins = Field(default_factory=Pins)
    solver: Solver = Field(default_factory=Solver)
    evaluation: _evaluation_config() = Field(default_factory=_evaluation_config(),  # type: ignore[valid-type]
                                             description="comprehensive evaluation (articles 12, 19, 21)")
    _source: str = PrivateAttr("scenario")

    @property
    def source(self) -> str:
        """Where this scenario came from, as error messages name it: `cap-2.yaml with --set overrides`."""
        return self._source

    def for_region(self, region) -> "Scenario":
        """This scenario with the region's own rules (region.yaml `rules:`) wherever it leaves a rule unset."""
        given = self.rules.model_fields_set
        missing = {k: v for k, v in region.rules.items() if k not in given and k in Rules.model_fields}
        if not missing:
            return self
        if "exempt_districts" in missing:
            missing["exempt_districts"] = [region.district_name(d) for d in missing["exempt_districts"]]
        data = self.as_dict()
        data["rules"].update(missing)
        return scenario_from_dict(data, where=self.source)

    def as_dict(self) -> dict[str, Any]:
        """The scenario as plain data, every default filled in (written into summary.json)."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.as_dict(), allow_unicode=True, sort_keys=False)


# --- loading --------------------------------------------------------------------------------------


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    path = Path(_path_text(name_or_path, str(name_or_path).replace("\0", "\\0"), "scenario")).expanduser()
    if path.is_file():
        return path.resolve()
    for candidate in (scenarios_dir() / f"{name_or_path}.yaml", scenarios_dir() / str(name_or_path)):
        if candidate.is_file():
            return candidate
    raise InputError(InputIssue(str(name_or_path), "no such scenario",
                             f"give a YAML file, or a bundled scenario: {', '.join(bundled_scenarios())}"))


def _scenario_yaml(path: Path) -> Any:
    """A scenario file parsed once per version (sweeps, compare and the plan's label read the same files again
    and again); a copy, since callers change what they get."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None:
        return parse_yaml(read_text(path, path.name), path.name)   # the missing/unreadable file's InputError
    return copy.deepcopy(_parsed_yaml(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=256)
def _parsed_yaml(path: Path, mtime_ns: int, size: int) -> Any:
    return parse_yaml(read_text(path, path.name), path.name)


def _read(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file as data, with its `extends:` parents deep-merged underneath."""
    path = path.resolve()   # `../x/self.yaml` and `self.yaml` are one file: a cycle, not an ever longer name
    if path in chain:
        raise InputError(InputIssue(chain[0].name, "extends cycle: extends: loops back to itself",
                                 "remove the `extends:` that loops: " + " → ".join(p.name for p in chain + (path,))))
    data = _scenario_yaml(path)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise InputError(InputIssue(path.name, "a scenario must be a YAML mapping", "see scenarios/baseline.yaml"))
    if isinstance(data.get("region"), str) and not _is_bundled_region(_path_text(data["region"], path.name, "region")):
        data["region"] = str((path.parent / data["region"]).resolve())
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise InputError(InputIssue(path.name, "extends: must name one scenario (a bundled name or a YAML file)",
                                     "write e.g. extends: baseline", value=parent))
        _path_text(parent, path.name, "extends")
        parent_path = (path.parent / parent) if (path.parent / parent).is_file() else resolve_scenario_path(parent)
        base = _read(parent_path, chain + (path,))
        base.pop("name", None)
        base.pop("description", None)
        data = deep_merge(base, data)
    return data


def _path_text(text: str | Path, file: str, key: str) -> str:
    """A file name from a scenario, refused when it holds a NUL byte (no file system takes one)."""
    if "\0" in str(text):
        raise InputError(InputIssue(file, f"{key}: a file name cannot hold a NUL byte", "write the name again",
                                 value=str(text).replace("\0", "\\0")))
    return str(text)


def _is_bundled_region(name: str) -> bool:
    from .resources import models_dir

    return (models_dir() / name / "region.yaml").is_file()


def deep_merge(base: dict, override: dict) -> dict:
    """`override` on top of `base`, merging nested mappings key by key (lists are replaced)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "allocation":
            out[key] = deep_merge(out[key], value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_override(text: str) -> tuple[list[str], Any]:
    """`a.b=value` → (['a', 'b'], value), the value read as YAML (numbers, booleans, lists)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InputError(InputIssue("--set", f"'{text}' is not key=value", "write e.g. --set rules.district_cap=2"))
    try:
        value = parse_yaml(raw, f"--set {key.strip()}") if raw.strip() else None
    except InputError:
        if "\n" in raw or len(raw) > 1000:   # not a plain word meant as text
            raise
        value = raw
    if isinstance(value, str) and value.startswith("split:"):  # --set allocation.gdp=split:0.5
        try:
            value = {"split": float(value.split(":", 1)[1])}
        except ValueError:
            pass
    return [part.strip() for part in key.strip().split(".")], value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    out = copy.deepcopy(data)
    for text in overrides:
        path, value = parse_override(text)
        node = out
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[path[-1]] = value
    return out


def scenario_from_dict(data: dict, where: str = "scenario") -> Scenario:
    """Validate plain data as a Scenario; every problem is reported with its key path."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            allowed = ""
            if err["type"] == "extra_forbidden":
                parent = _field_names(err["loc"][:-1])
                allowed = f"allowed keys here: {', '.join(parent)}" if parent else ""
            elif "expected" in err.get("ctx", {}):
                allowed = f"allowed: {err['ctx']['expected']}"
            problems.append(InputIssue(where, f"{path}: {err['msg']}", allowed, value=err.get("input")
                                    if not isinstance(err.get("input"), dict) else None))
        raise InputError(problems) from None
    _check_allocation(scenario, where)
    scenario._source = where
    return scenario


def _field_names(loc: tuple) -> list[str]:
    model: Any = Scenario
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
    return sorted(getattr(model, "model_fields", {}))


def _check_allocation(scenario: Scenario, where: str) -> None:
    from .allocation import parse_rule

    for measure, spec in scenario.allocation.items():
        parse_rule(spec, f"{where}: allocation.{measure}")


def load_scenario(name_or_path: str | Path | None = "baseline", overrides: list[str] | None = None,
                  region: str | None = None) -> Scenario:
    """Load a scenario (bundled name or YAML path), apply `extends:` and `--set` overrides, validate.

        >>> load_scenario("baseline", ["merging.cross_district=false"]).merging.cross_district
        False
    """
    if name_or_path is None:
        name_or_path = "baseline"
    path = resolve_scenario_path(name_or_path)
    data = apply_overrides(_read(path), overrides or [])
    if region:
        data["region"] = region
    data.setdefault("name", path.stem)
    return scenario_from_dict(data, where=path.name + (" with --set overrides" if overrides else ""))


# --- resolving: the one way every command and the API turn a scenario into what is solved ------------


class Resolved(NamedTuple):
    region: "Region"
    scenario: Scenario


def resolve_scenario(scenario: str | Path | Scenario | None = "baseline",
                     region: "str | Path | Region | None" = None, overrides: Iterable[str] = (),
                     solver: str | None = None, time_limit: float | None = None,
                     loaded: "dict[str, Region] | None" = None) -> Resolved:
    """The region model and the scenario to solve on it: `scenario` (a bundled name, a YAML file or a
    Scenario) with `extends:` and the `--set` overrides applied (`solver` and `time_limit`, the CLI's
    --solver and --time-limit, are overrides too), on `region` (a name, a folder or a loaded Region;
    default: the scenario's own), with the region's `rules:` wherever the scenario sets none.

    `run`, `compare`, `sweep` (every worker), `campaign` and `solve` all go through here, so a variant
    solved anywhere is the scenario `consolidate run` with the same `--set` solves. The result is
    final: its `as_dict()` data, validated again (in a worker, on another machine), is the same scenario.
    `loaded`: regions read before, by the scenario's `region` (a sweep resolves many variants on one);
    a region read here is added to it.

        >>> region, s = resolve_scenario("baseline", overrides=["rules.district_cap=2"])
        >>> s.rules.district_cap, s.rules.exempt_districts
        (2, ['滨海新区'])
    """
    from .region import Region, load_region

    overrides = [*overrides, *solver_overrides(solver, time_limit)]
    if isinstance(region, (str, Path)) and Path(region).expanduser().exists():
        region = str(Path(region).expanduser().resolve())   # workers may run in another folder
    given = None if isinstance(region, Region) or region is None else str(region)
    if isinstance(scenario, Scenario):
        if overrides or given:
            data = apply_overrides(scenario.model_dump(mode="json", exclude_unset=True), overrides)
            if given:
                data["region"] = given
            data.setdefault("name", scenario.name)
            scenario = scenario_from_dict(data, where=f"scenario '{scenario.name}'"
                                          + (" with --set overrides" if overrides else ""))
    else:
        scenario = load_scenario(scenario, overrides, region=given)
    if isinstance(region, Region):
        model = region
    elif loaded is not None and scenario.region in loaded:
        model = loaded[scenario.region]
    else:
        model = load_region(scenario.region)
        if loaded is not None:
            loaded[scenario.region] = model
    return Resolved(model, scenario.for_region(model))


def solver_overrides(solver: str | None = None, time_limit: float | None = None) -> list[str]:
    """`--solver` and `--time-limit` as `--set` overrides (0 or less is rejected by the schema, not ignored)."""
    return ([f"solver.name={solver}"] if solver else []) + \
        ([f"solver.time_limit_s={time_limit}"] if time_limit is not None else [])
