"""Region models: load `models/NAME/` and validate it, reporting every problem at once.

    >>> from consolidate.region import load_region
    >>> region = load_region("tianjin")          # a bundled name, or a folder path
    >>> region.zones.loc["G121002", "name"]
    '天津经济技术开发区'

The format is documented in docs/region-format.md. Validation never stops at the first
problem: it collects them all (file, row, column, value, how to fix) and raises one
`InputError`, which the CLI turns into a message and exit code 2.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import InputError, InputIssue
from . import distances as measures
from .geography import misplaced_zones, overlapping_zones
from .layers import (cell_text, fill_from_geometry, geo_missing, has_geo, is_layer, layer_bytes, outlines_of_layer,
                     read_layer, shapes_by_id)
from .office import decode_csv
from .parsing import parse_json, parse_yaml
from .resources import bundled_regions, models_dir

LEVELS = ("national", "municipal", "district", "subdistrict")
QUALITIES = ("reported", "estimated", "synthetic")
CUSTOMS_PREFIX = "customs_"
DERIVE_METHODS = ("delaunay", "knn", "distance", "polygons")
DERIVE_KEYS = {"delaunay": ("max_km",), "knn": ("k", "max_km"), "distance": ("max_km",),
               "polygons": ("buffer_m", "distance_between")}

# --- column schemas ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an input table: its type, whether it must be there, and its allowed values."""

    name: str
    kind: str  # "id" | "text" | "number" | "lat" | "lon" | "bool" | "choice" | "month" | "share"
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    nullable: bool = True  # may a cell be empty?


DISTRICT_COLUMNS = (
    Column("district_id", "id", required=True, nullable=False),
    Column("name", "text", required=True, nullable=False),
    Column("name_en", "text"),
    Column("province", "text"),
    Column("area_km2", "number", minimum=0),
    Column("lat", "lat"),
    Column("lon", "lon"),
    Column("gdp", "number", minimum=0),
    Column("gdp_year", "text"),
    Column("fiscal_revenue", "number", minimum=0),
    Column("source", "text"),
)

ZONE_COLUMNS = (
    Column("zone_id", "id", required=True, nullable=False),
    Column("name", "text", required=True, nullable=False),
    Column("name_en", "text"),
    Column("district_id", "district", required=True, nullable=False),
    Column("managing_district_id", "district"),
    Column("level", "choice", required=True, choices=LEVELS, nullable=False),
    Column("kind", "text", required=True, nullable=False),
    Column("approved_area_ha", "number", required=True, minimum=0, nullable=False),
    Column("lat", "lat"),
    Column("lon", "lon"),
    Column("gdp", "number", required=True, minimum=0, nullable=False),
    Column("fiscal_revenue", "number", required=True, minimum=0, nullable=False),
    Column("employment", "number", minimum=0),
    Column("approval_date", "month"),
    Column("industries", "text"),
    Column("province", "text"),
    Column("functional_area", "bool"),
    Column("score", "share"),
    Column("data_quality", "choice", required=True, choices=QUALITIES, nullable=False),
    Column("coord_quality", "choice", choices=QUALITIES),
    Column("econ_quality", "choice", choices=QUALITIES),
    Column("source", "text", required=True),
    # evaluation indicators (article 21), all optional
    Column("built_area_ha", "number", minimum=0),
    Column("investment", "number", minimum=0),
    Column("rnd_intensity", "number", minimum=0),
    Column("high_tech_share", "number", minimum=0),
    Column("energy_per_output", "number", minimum=0),
    Column("env_compliance", "share"),
    Column("debt_ratio", "number", minimum=0),
    Column("indicator_quality", "choice", choices=QUALITIES),
)

EDGE_COLUMNS = (
    Column("zone_a", "zone", required=True, nullable=False),
    Column("zone_b", "zone", required=True, nullable=False),
    Column("kind", "text"),
)

DISTRICT_EDGE_COLUMNS = (
    Column("district_a", "district", required=True, nullable=False),
    Column("district_b", "district", required=True, nullable=False),
    Column("shared_km", "number", minimum=0),
    Column("source", "text"),
)

REGION_KEYS = {
    "name", "title", "description", "districts", "zones", "outlines", "district_adjacency",
    "adjacency", "rules", "units", "data_note", "extra_columns", "distances", "language", "title_zh", "data_note_zh",
}
RULE_KEYS = {"district_cap", "exempt_districts", "district_caps"}


# --- the region model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedEdges:
    """The edges `adjacency.derive` gives, computed beforehand by a data-build step and shipped with the model
    (`adjacency.derived_edges` in region.yaml), so that a run need not load SciPy's spatial module (~0.4 s)
    to triangulate 33 points. They stand for the rule only while `sha256` still matches the zone ids and
    points, the rule and the edges themselves (`derivation_sha256`); otherwise the rule is applied again."""

    zone_a: tuple[str, ...]
    zone_b: tuple[str, ...]
    sha256: str

    def applies(self, zones: pd.DataFrame, derive: dict | None) -> bool:
        return derive is not None and derivation_sha256(zones, derive, self.zone_a, self.zone_b) == self.sha256


def derivation_sha256(zones: pd.DataFrame, derive: dict, zone_a, zone_b) -> str:
    """sha256 of what the derived edges follow from (zone ids and points, the rule) and of the edges."""
    digest = hashlib.sha256(json.dumps({"rule": derive, "zones": [str(z) for z in zones.index],
                                        "edges": [list(zone_a), list(zone_b)]},
                                       sort_keys=True, ensure_ascii=False).encode())
    for column in ("lat", "lon"):
        digest.update(np.ascontiguousarray(zones[column].to_numpy(float), "<f8").tobytes())
    return digest.hexdigest()



@dataclass
class Region:
    """A region as it is: districts, zones, explicit edges and how to derive the rest.

    `districts` is indexed by `district_id`, `zones` by `zone_id`; district references in
    zones (`district_id`, `managing_district_id`) are always ids after loading, whatever
    the file used (ids or names).
    """

    name: str
    title: str
    root: Path | None
    districts: pd.DataFrame
    zones: pd.DataFrame
    edges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["zone_a", "zone_b", "kind"]))
    derive: dict[str, Any] | None = None
    district_edges: pd.DataFrame | None = None
    outlines: dict[str, list] | None = None  # district_id -> list of polygons, each a list of [lon, lat] rings
    derived_edges: DerivedEdges | None = None  # the rule's edges shipped with the model (used while they match)
    rules: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    data_note: str = ""
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    notes: list[str] = field(default_factory=list)  # accepted with a remark: a GBK file, an area that disagrees
    language: str = ""  # zh | en: what the commands print and draw in unless --lang says otherwise
    zone_shapes: Any = None      # GeoSeries by zone_id in the zones layer's CRS, when zones came from a GIS layer
    district_shapes: Any = None  # GeoSeries by district_id (a district layer or layer outlines), with the extra
    distances: Any = None        # distances.Distances: how the planner measures distance (great-circle by default)
    title_zh: str = ""           # the title and data note in Chinese, where the model gives them
    data_note_zh: str = ""

    def words_in(self, lang: str | None = None) -> str:
        """The language to print and draw in: `lang` (--lang) when given, else the model's `language:`, else zh."""
        if lang:
            return lang
        return self.language if self.language in ("zh", "en") else "zh"

    def title_in(self, lang: str) -> str:
        """The title in `lang` (zh: title_zh where the model has one), else the title as written."""
        return self.title_zh if lang == "zh" and self.title_zh else self.title

    def data_note_in(self, lang: str) -> str:
        return self.data_note_zh if lang == "zh" and self.data_note_zh else self.data_note

    def district_id(self, ref: str, file: str = "scenario") -> str:
        """The id of a district named by id or by name; raises InputError (naming `file`) if unknown."""
        found = _district_lookup(self.districts).get(str(ref).strip())
        if found is None:
            raise InputError(InputIssue(
                file=file, message=f"unknown district {ref!r}",
                fix=f"use one of: {', '.join(self.districts['name'])} (or their ids)"))
        return found

    def district_name(self, district_id: str) -> str:
        return str(self.districts.at[district_id, "name"])

    @property
    def is_customs(self) -> pd.Series:
        """True for customs special supervision areas (kind `customs_*`)."""
        return self.zones["kind"].str.startswith(CUSTOMS_PREFIX)

    def __repr__(self) -> str:
        levels = self.zones["level"].value_counts().reindex(list(LEVELS)).dropna().astype(int)
        by_level = ", ".join(f"{n} {lvl}" for lvl, n in levels.items())
        return (f"<Region {self.name!r}: {len(self.districts)} districts, "
                f"{len(self.zones)} zones ({by_level}), {len(self.edges)} explicit edges>")


# --- loading ------------------------------------------------------------------------------------


def resolve_region_path(name_or_path: str | Path) -> Path:
    """The region.yaml for a bundled name, a folder, or a region.yaml path."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    if (path / "region.yaml").is_file():
        return path / "region.yaml"
    bundled = models_dir() / str(name_or_path) / "region.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(bundled_regions()) or "(none installed)"
    raise InputError(InputIssue(
        file=str(name_or_path), message="no region model here",
        fix=f"give a folder holding region.yaml, or a bundled region: {known}"))


def load_region(name_or_path: str | Path = "tianjin") -> Region:
    """Load and validate a region model (bundled name, folder, or region.yaml path).

        >>> load_region("tianjin")
        <Region 'tianjin': 16 districts, 33 zones (12 national, 21 municipal), 0 explicit edges>
    """
    yaml_path = resolve_region_path(name_or_path)
    root = yaml_path.parent
    problems: list[InputIssue] = []
    files: dict[str, str] = {}
    notes: list[str] = []  # what was accepted but is worth knowing (e.g. a GBK file)

    spec = _read_yaml(yaml_path, problems, files)
    if spec is None:
        raise InputError(problems)
    _check_region_keys(spec, yaml_path.name, problems)
    extra = spec.get("extra_columns") or []
    extra = [str(c) for c in extra] if isinstance(extra, list) else []

    districts_source = _source(spec.get("districts"), "districts.csv", "districts", yaml_path.name,
                               DISTRICT_COLUMNS, problems)
    zones_source = _source(spec.get("zones"), "zones.csv", "zones", yaml_path.name, ZONE_COLUMNS, problems)
    districts_file, zones_file = districts_source.file, zones_source.file
    districts = _read_table(root / districts_file, DISTRICT_COLUMNS, problems, files, extra, {}, set(), notes,
                            districts_source)
    lookup = _district_lookup(districts) if districts is not None else {}
    _check_unique(districts, "district_id", districts_file, problems)
    _check_unique(districts, "name", districts_file, problems)

    zones = _read_table(root / zones_file, ZONE_COLUMNS, problems, files, extra, lookup, set(), notes, zones_source)
    _check_unique(zones, "zone_id", zones_file, problems)
    if zones is not None and len(zones) == 0:
        problems.append(InputIssue(zones_file, "the file has no zones", "add one row per zone"))
    zone_layer = zones.attrs.get("layer") if zones is not None else None

    adjacency = spec.get("adjacency") or {}
    if not isinstance(adjacency, dict):
        problems.append(InputIssue(yaml_path.name, "'adjacency' must be a mapping with 'edges' and/or 'derive'",
                                "write e.g. adjacency: {derive: {method: delaunay, max_km: 25}}"))
        adjacency = {}
    derive = _check_derive(adjacency.get("derive"), yaml_path.name, problems)

    edges = pd.DataFrame(columns=["zone_a", "zone_b", "kind"])
    if adjacency.get("edges"):
        zone_ids = set(zones["zone_id"]) if zones is not None else set()
        edges_file = str(adjacency["edges"])
        read = _read_table(root / edges_file, EDGE_COLUMNS, problems, files, extra, {}, zone_ids, notes)
        if read is not None:
            _check_edges(read, edges_file, "zone_a", "zone_b", problems)
            edges = read
    elif derive is None:
        problems.append(InputIssue(yaml_path.name, "no adjacency: neither 'adjacency.edges' nor 'adjacency.derive' given",
                                "add adjacency: {derive: {method: delaunay, max_km: 25}} or an edges file"))
    derived_edges = _read_derived_edges(adjacency.get("derived_edges"), derive, root, yaml_path.name, problems, files,
                                        notes)

    if zones is not None and derive is not None:
        if derive["method"] == "polygons":
            _check_polygons_present(zone_layer, zones_file, yaml_path.name, problems)
        else:
            _check_points_present(zones, zones_file, derive["method"], problems)

    district_edges = None
    if spec.get("district_adjacency"):
        name = str(spec["district_adjacency"])
        district_edges = _read_table(root / name, DISTRICT_EDGE_COLUMNS, problems, files, extra, lookup, set(), notes)
        if district_edges is not None:
            _check_edges(district_edges, name, "district_a", "district_b", problems)

    outlines, district_shapes = None, None
    if spec.get("outlines"):
        outlines, district_shapes = _read_outlines(spec["outlines"], root, yaml_path.name, lookup, problems, files)
    elif districts is not None and districts.attrs.get("layer") is not None:
        outlines, district_shapes = outlines_of_layer(districts.attrs["layer"], list(districts["district_id"]))
    distances = _read_distances(spec.get("distances"), root, yaml_path.name, zones, zone_layer, problems, files,
                                notes, extra)
    if zones is not None and outlines and not any(_unread(p) for p in problems):
        broken = {p.row for p in problems if p.file == zones.attrs.get("where")}  # checked once they are fixed
        problems.extend(misplaced_zones(zones, zone_layer, outlines, district_shapes, lookup, notes, skip=broken))
    if zone_layer is not None and not problems:
        notes.extend(overlapping_zones(zones, zone_layer))

    rules = spec.get("rules") or {}
    if not isinstance(rules, dict):
        problems.append(InputIssue(yaml_path.name, "'rules' must be a mapping", "e.g. rules: {district_cap: 3}"))
        rules = {}
    rules = _check_rules(rules, yaml_path.name, lookup, problems)
    units = _check_units(spec.get("units"), yaml_path.name, problems)

    if problems:
        raise InputError(problems)
    zone_shapes = shapes_by_id(zone_layer, list(zones["zone_id"])) if zone_layer is not None else None
    for frame in (districts, zones, edges, district_edges):
        if frame is not None:
            frame.attrs.clear()  # row numbers were for messages only; pandas would copy them into every derived frame

    districts = districts.set_index("district_id", drop=False).rename_axis(None)
    zones = zones.set_index("zone_id", drop=False).rename_axis(None)
    zones["managing_district_id"] = zones["managing_district_id"].fillna(zones["district_id"])
    for quality in ("coord_quality", "econ_quality", "indicator_quality"):
        if quality in zones:
            zones[quality] = zones[quality].fillna(zones["data_quality"])
    distances = distances(zones)
    if distances.method != "great_circle":
        notes.append(f"distances: {distances.describe()}")
    if derived_edges is not None and not derived_edges.applies(zones, derive):
        notes.append(f"{adjacency['derived_edges']['file']} was computed from other zone points or another rule "
                     "(its sha256 differs): the edges are derived again by adjacency.derive")
        derived_edges = None
    return Region(
        name=str(spec.get("name") or root.name), title=str(spec.get("title") or spec.get("name") or root.name),
        root=root, districts=districts, zones=zones, edges=edges.reset_index(drop=True), derive=derive,
        district_edges=district_edges, outlines=outlines, rules=rules, units=units,
        data_note=str(spec.get("data_note") or "").strip(), files=files, notes=notes,
        language=str(spec.get("language") or "").strip(), zone_shapes=zone_shapes,
        district_shapes=district_shapes, distances=distances, title_zh=str(spec.get("title_zh") or "").strip(),
        data_note_zh=str(spec.get("data_note_zh") or "").strip(), derived_edges=derived_edges,
    )


def _unread(problem: InputIssue) -> bool:
    """A problem with a whole file or its header (not one row's cell): later checks cannot trust the file."""
    return problem.row is None or (problem.row_label == "row" and problem.row == 1)


def region_from_frames(districts: pd.DataFrame, zones: pd.DataFrame, *, name: str = "custom",
                       edges: pd.DataFrame | None = None, derive: dict | None = None,
                       rules: dict | None = None) -> Region:
    """Build a region from in-memory tables (notebooks, tests), with the same validation.

        >>> region = region_from_frames(districts_df, zones_df, derive={"method": "delaunay", "max_km": 25})
    """
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        districts.to_csv(root / "districts.csv", index=False)
        zones.to_csv(root / "zones.csv", index=False)
        spec: dict[str, Any] = {"name": name, "districts": "districts.csv", "zones": "zones.csv",
                                "adjacency": {}, "rules": rules or {}}
        if edges is not None:
            edges.to_csv(root / "adjacency.csv", index=False)
            spec["adjacency"]["edges"] = "adjacency.csv"
        if derive is not None:
            spec["adjacency"]["derive"] = derive
        (root / "region.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        region = load_region(root)
    region.root = None
    return region


# --- helpers ------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_yaml(path: Path, problems: list[InputIssue], files: dict[str, str]) -> dict | None:
    try:
        raw = path.read_bytes()
        files[path.name] = _sha256(raw)
        spec = parse_yaml(raw.decode("utf-8"), path.name)
    except UnicodeDecodeError as exc:
        problems.append(InputIssue(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                "save the file as UTF-8"))
        return None
    except InputError as error:
        problems.extend(error.problems)
        return None
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        problems.append(InputIssue(path.name, "must be a YAML mapping (key: value lines)",
                                "see docs/region-format.md for an example"))
        return None
    return spec


def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def _check_region_keys(spec: dict, file: str, problems: list[InputIssue]) -> None:
    for key in spec:
        if key not in REGION_KEYS:
            hint = _suggest(key, REGION_KEYS)
            problems.append(InputIssue(file, f"unknown key '{key}'",
                                    hint or f"allowed keys: {', '.join(sorted(REGION_KEYS))}"))


def _read_derived_edges(value: Any, derive: dict | None, root: Path, file: str, problems: list[InputIssue],
                        files: dict[str, str], notes: list[str]) -> DerivedEdges | None:
    """adjacency.derived_edges: {file: CSV of zone_a, zone_b, sha256: derivation_sha256 when it was written}.
    A file that is missing or unreadable is only noted: the rule gives the edges all the same."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"file", "sha256"} or derive is None:
        problems.append(InputIssue(file, "adjacency.derived_edges must be {file: CSV, sha256: HEX} next to "
                                   "adjacency.derive", "remove it: the edges are then derived by the rule"))
        return None
    path = root / str(value["file"])
    try:
        raw = path.read_bytes()
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    except (OSError, ValueError):   # ValueError: not UTF-8, or a NUL byte in the name
        rows = []
    if not rows or rows[0] != ["zone_a", "zone_b"] or any(len(row) != 2 for row in rows[1:]):
        notes.append(f"{path.name} (adjacency.derived_edges) is missing or not a zone_a, zone_b table: "
                     "the edges are derived by adjacency.derive")
        return None
    files[path.name] = _sha256(raw)
    return DerivedEdges(tuple(a for a, _ in rows[1:]), tuple(b for _, b in rows[1:]), str(value["sha256"]))


def _check_derive(derive: Any, file: str, problems: list[InputIssue]) -> dict | None:
    if derive is None:
        return None
    if not isinstance(derive, dict) or derive.get("method") not in DERIVE_METHODS:
        problems.append(InputIssue(file, "adjacency.derive needs a 'method'",
                                f"one of: {', '.join(DERIVE_METHODS)}", column="adjacency.derive",
                                value=derive if not isinstance(derive, dict) else derive.get("method")))
        return None
    out = {"method": derive["method"]}
    allowed = DERIVE_KEYS[derive["method"]]
    for key, value in derive.items():
        if key == "method":
            continue
        if key not in allowed:
            problems.append(InputIssue(file, f"unknown key adjacency.derive.{key} for method {derive['method']}",
                                    f"allowed: method, {', '.join(allowed)}"))
            continue
        if key == "distance_between":
            if value not in ("boundary", "point"):
                problems.append(InputIssue(file, "adjacency.derive.distance_between must be boundary or point",
                                        "boundary: edge km between the polygons' edges; point: between their points",
                                        value=value))
            else:
                out[key] = value
            continue
        if key == "buffer_m" and isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
            out[key] = 0.0  # touching only
            continue
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
        if key == "k":
            ok = ok and float(value).is_integer()
        if not ok:
            problems.append(InputIssue(file, f"adjacency.derive.{key} must be a positive number"
                                    + (" (whole)" if key == "k" else ""), value=value))
            continue
        out[key] = int(value) if key == "k" else float(value)
    if out["method"] == "knn" and "k" not in out:
        out["k"] = 4
    if out["method"] == "polygons":
        out.setdefault("buffer_m", 0.0)
        out.setdefault("distance_between", "boundary")
    if out["method"] == "distance" and "max_km" not in out:
        problems.append(InputIssue(file, "adjacency.derive method 'distance' needs max_km", "add max_km: 20"))
    return out


def _district_lookup(districts: pd.DataFrame | None) -> dict[str, str]:
    """Map both district ids and names to ids."""
    if districts is None or len(districts) == 0:
        return {}
    lookup = {str(n).strip(): str(i) for i, n in zip(districts["district_id"], districts["name"]) if pd.notna(n)}
    lookup.update({str(i): str(i) for i in districts["district_id"]})
    return lookup


def _check_rules(rules: dict, file: str, lookup: dict[str, str], problems: list[InputIssue]) -> dict:
    out = dict(rules)
    for key in rules:
        if key not in RULE_KEYS:
            problems.append(InputIssue(file, f"unknown key rules.{key}", _suggest(key, RULE_KEYS)
                                    or f"allowed: {', '.join(sorted(RULE_KEYS))}"))
    cap = rules.get("district_cap")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        problems.append(InputIssue(file, "rules.district_cap must be a whole number ≥ 0", value=cap))
    exempt = rules.get("exempt_districts") or []
    if not isinstance(exempt, list):
        problems.append(InputIssue(file, "rules.exempt_districts must be a list", "e.g. [滨海新区]", value=exempt))
        exempt = []
    ids = []
    for ref in exempt:
        if str(ref) not in lookup:
            problems.append(InputIssue(file, f"exempt district '{ref}' does not exist",
                                    _suggest(ref, lookup) or "name a district by id or name from districts.csv",
                                    column="rules.exempt_districts"))
        else:
            ids.append(lookup[str(ref)])
    out["exempt_districts"] = ids
    caps = rules.get("district_caps")
    if caps is not None and not isinstance(caps, dict):
        problems.append(InputIssue(file, "rules.district_caps must map districts to caps", "e.g. {和平区: 2}", value=caps))
    for ref, value in (caps or {}).items() if isinstance(caps, dict) else ():
        if str(ref) not in lookup:
            problems.append(InputIssue(file, f"district '{ref}' in rules.district_caps does not exist",
                                    _suggest(ref, lookup) or "name a district by id or name from districts.csv",
                                    column="rules.district_caps"))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(InputIssue(file, f"rules.district_caps.{ref} must be a whole number ≥ 0", value=value))
    return out


def _check_units(units: Any, file: str, problems: list[InputIssue]) -> dict[str, str]:
    """`units:` maps a measure to the unit its figures are in (gdp: 亿元); anything else is a problem."""
    if units is None:
        return {}
    if not isinstance(units, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in units.items()):
        problems.append(InputIssue(file, "'units' must map each measure to its unit", "write e.g. units: {gdp: 亿元, "
                                "fiscal_revenue: 亿元}", value=units if not isinstance(units, dict) else None))
        return {}
    return dict(units)


@dataclass(frozen=True)
class Source:
    """Where a table comes from (region.yaml `zones:`, `districts:`): a CSV or a GIS layer, and how its
    columns are named there (`columns: {zone_id: CODE, name: NAME}`)."""

    file: str
    layer: str | None = None
    crs: str | None = None                       # for a layer without one (a Shapefile without .prj)
    columns: dict[str, str] = field(default_factory=dict)   # our name -> the file's name
    area_tolerance: float = 0.1                  # polygon area vs approved_area_ha, as a share

    def renamed(self, header: list[str], schema: dict[str, Column], layer: bool) -> dict[str, str]:
        """The file's column -> our column: as mapped, and (in a GIS layer) case-insensitively."""
        out = {theirs: ours for ours, theirs in self.columns.items() if theirs in header}
        if layer:
            taken = set(out.values())
            for name in header:
                if name not in out and name.lower() in schema and name.lower() not in taken and name != name.lower():
                    out[name] = name.lower()
                    taken.add(name.lower())
        return out


SOURCE_KEYS = {"file", "layer", "crs", "columns", "area_tolerance"}


def _source(value: Any, default: str, key: str, file: str, schema: tuple[Column, ...],
            problems: list[InputIssue]) -> Source:
    """A table's source from region.yaml: a file name, or {file, layer, crs, columns, area_tolerance}."""
    if value is None:
        return Source(default)
    if not isinstance(value, dict):
        return Source(str(value))
    for unknown in sorted(set(value) - SOURCE_KEYS):
        problems.append(InputIssue(file, f"unknown key {key}.{unknown}", f"allowed: {', '.join(sorted(SOURCE_KEYS))}"))
    columns = value.get("columns") or {}
    if not isinstance(columns, dict):
        problems.append(InputIssue(file, f"{key}.columns must map our column names to the file's",
                                "e.g. columns: {zone_id: CODE, name: NAME}"))
        columns = {}
    names = {c.name for c in schema}
    for ours in columns:
        if ours not in names:
            problems.append(InputIssue(file, f"{key}.columns names unknown column {ours!r}",
                                    _suggest(ours, names) or "map a column of docs/region-format.md to the file's"))
    tolerance = value.get("area_tolerance", 0.1)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
        problems.append(InputIssue(file, f"{key}.area_tolerance must be a share ≥ 0", "e.g. 0.1", value=tolerance))
        tolerance = 0.1
    return Source(str(value.get("file", default)), str(value["layer"]) if value.get("layer") is not None else None,
                  str(value["crs"]) if value.get("crs") else None,
                  {str(k): str(v) for k, v in columns.items()}, float(tolerance))


def _read_table(path: Path, columns: tuple[Column, ...], problems: list[InputIssue], files: dict[str, str],
                extra: list[str], districts: dict[str, str], zone_ids: set[str],
                notes: list[str], source: Source | None = None) -> pd.DataFrame | None:
    """Read a CSV or a GIS layer and convert each column to its type, recording every bad cell.

    A layer's rows are its features (numbered from 1), its geometries kept in attrs["layer"]."""
    source = source or Source(path.name)
    schema = {c.name: c for c in columns}
    layer = None
    if is_layer(path):
        layer = read_layer(path, source.layer, source.crs, problems)
        if layer is None:
            return None
        files[path.name] = _sha256(layer_bytes(path))
        name, header, records = layer.where, layer.header, layer.records
        lines = list(range(1, len(records) + 1))
    else:
        read = _read_csv_rows(path, columns, problems, files, notes)
        if read is None:
            return None
        header, records, lines, row_problems = read
        name = path.name
    renamed = source.renamed(header, schema, layer is not None)
    shown = {ours: theirs for theirs, ours in renamed.items()}   # messages name a column as the file does
    header = [renamed.get(h, h) for h in header]
    if renamed:
        records = [{renamed.get(k, k): v for k, v in r.items()} for r in records]
    if layer is not None:
        layer.records = records
        wanted = set(schema) | set(extra)
        unused = [shown.get(h, h) for h in header if h not in wanted]
        header = [h for h in header if h in wanted]
        if unused:
            notes.append(f"{name}: properties not used: {', '.join(unused)} (map one to a column with "
                         f"columns: in region.yaml, or list it under extra_columns:)")
        if "approved_area_ha" in schema or "lat" in schema:
            fill_from_geometry(layer, problems, area_column="approved_area_ha" if "approved_area_ha" in schema
                               else None, area_tolerance=source.area_tolerance)
            notes.extend(layer.notes)
            for column in ("lat", "lon", "approved_area_ha"):
                if column in schema and column not in header and any(r.get(column) for r in records):
                    header.append(column)
    bad_header = False
    for position, column in enumerate(header):
        if header.index(column) != position:
            problems.append(InputIssue(name, f"column '{shown.get(column, column)}' appears twice",
                                    "delete or rename one", row=1))
            bad_header = True
        elif column not in schema and column not in extra:
            hint = _suggest(column, schema)
            problems.append(InputIssue(name, f"unknown column '{column}'", (hint + " " if hint else "")
                                    + "rename it, or list it under extra_columns: in region.yaml", row=1,
                                    column=column))
    for column in columns:
        if column.required and column.name not in header:
            problems.append(InputIssue(name, f"missing required column '{column.name}'",
                                    "add the column (see docs/region-format.md)"
                                    + (f", or map the file's own name for it: {column.name}: NAME under "
                                       "columns: in region.yaml" if layer is not None or source.columns else ""),
                                    row=None if layer is not None else 1, column=column.name))
            bad_header = True
    if bad_header:
        return None
    if layer is None:
        problems.extend(row_problems)
    label = "feature" if layer is not None else "row"

    table: dict[str, list] = {}
    invalid: set[tuple[int, str]] = set()  # cells already reported, so later checks do not repeat them
    for column in header:
        spec = schema.get(column)
        convert = _converter(spec, districts, zone_ids) if spec else _as_extra
        values = []
        for record, line in zip(records, lines):
            cell = record[column]
            if cell == "":
                if spec is not None and not spec.nullable:
                    problems.append(InputIssue(name, "empty cell in a required column", "fill it in", row=line,
                                            column=shown.get(column, column), row_label=label))
                values.append(None)
                continue
            try:
                values.append(convert(cell))
            except ValueError as exc:
                problems.append(InputIssue(name, str(exc).split(" — ")[0], str(exc).partition(" — ")[2], row=line,
                                        column=shown.get(column, column), value=cell, row_label=label))
                invalid.add((line, column))
                values.append(None)
        table[column] = values
    frame = pd.DataFrame(table, columns=header)
    frame.attrs.update(lines=_Shared(lines), invalid=_SharedSet(invalid), where=name, row_label=label, layer=layer,
                       shown=shown)
    for column in columns:  # optional columns absent from the file exist, empty
        if column.name not in frame:
            frame[column.name] = None
    for column in columns:
        if column.kind in ("number", "lat", "lon", "share"):
            frame[column.name] = pd.to_numeric(frame[column.name], errors="coerce").astype(float)
    return frame


class _Shared(list):
    """Row numbers kept in a frame's attrs for messages. pandas deep-copies attrs into every frame it derives
    (each column read during validation: 1.7 s on 25,000 rows); they are only read, so derived frames share them."""

    def __deepcopy__(self, memo):
        return self


class _SharedSet(set):
    """The cells already reported (see `_Shared`)."""

    def __deepcopy__(self, memo):
        return self


def _read_csv_rows(path: Path, columns: tuple[Column, ...], problems: list[InputIssue], files: dict[str, str],
                   notes: list[str]) -> tuple[list[str], list[dict[str, str]], list[int], list[InputIssue]] | None:
    """A CSV's header, its non-empty rows as text cells with their line numbers, and rows it could not split."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(InputIssue(name, "file not found", f"create it, or point region.yaml at the right file ({path})"))
        return None
    except OSError as exc:
        problems.append(InputIssue(name, f"cannot be read: {exc.strerror}", "check the path and permissions"))
        return None
    except ValueError:   # a NUL byte in the name, which no file system takes
        problems.append(InputIssue(name.replace("\0", "\\0"), "a file name cannot hold a NUL byte",
                                "fix the file name in region.yaml"))
        return None
    files[name] = _sha256(raw)
    try:
        text, note = decode_csv(raw, name)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    if note:
        notes.append(note)
    if "\x00" in text:
        problems.append(InputIssue(name, "contains NUL bytes: not a text CSV file", "export it again as UTF-8 CSV"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(InputIssue(name, f"not a readable CSV file: {exc}", "export it again as UTF-8 CSV", row=1))
        return None
    if not header or all(not h.strip() for h in header):
        problems.append(InputIssue(name, "the file is empty (no header row)",
                                f"start with a header: {', '.join(c.name for c in columns if c.required)}"))
        return None
    header = [h.strip() for h in header]
    records: list[dict[str, str]] = []
    lines: list[int] = []
    row_problems: list[InputIssue] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                row_problems.append(InputIssue(name, f"has {len(fields)} fields but the header has {len(header)}",
                                            "check for a missing or extra comma (quote cells that contain commas)",
                                            row=line))
                continue
            records.append(dict(zip(header, (f.strip() for f in fields))))
            lines.append(line)
    except csv.Error as exc:
        problems.append(InputIssue(name, f"not a readable CSV file: {exc}", "export it again as UTF-8 CSV",
                                row=reader.line_num))
        return None
    return header, records, lines, row_problems


def _converter(column: Column, districts: dict[str, str], zone_ids: set[str]) -> Callable[[str], Any]:
    def number(cell: str) -> float:
        try:
            value = float(cell)
        except ValueError:
            raise ValueError("not a number — write a plain number such as 123.4 (no units or thousands separators)") from None
        if not math.isfinite(value):
            raise ValueError("not a finite number — write a plain number such as 123.4")
        if column.minimum is not None and value < column.minimum:
            raise ValueError(f"must be ≥ {column.minimum:g} — correct the sign or the value")
        return value

    def bounded(low: float, high: float, what: str) -> Callable[[str], float]:
        def convert(cell: str) -> float:
            value = number(cell)
            if not low <= value <= high:
                raise ValueError(f"{what} out of range [{low:g}, {high:g}] — check the value (and that lat/lon are not swapped)")
            return value
        return convert

    def choice(cell: str) -> str:
        if cell not in column.choices:
            raise ValueError(f"not an allowed value — use one of: {', '.join(column.choices)}"
                             + (f" ({_suggest(cell, column.choices)})" if _suggest(cell, column.choices) else ""))
        return cell

    def boolean(cell: str) -> bool:
        low = cell.lower()
        if low in ("true", "yes", "1", "y"):
            return True
        if low in ("false", "no", "0", "n"):
            return False
        raise ValueError("not a yes/no value — write true or false")

    def month(cell: str) -> str:
        parts = cell.split("-")
        if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()) or not 1 <= int(parts[1]) <= 12:
            raise ValueError("not a date — write YYYY-MM, e.g. 2006-04")
        return cell

    def district(cell: str) -> str:
        if cell not in districts:
            hint = _suggest(cell, districts)
            raise ValueError(f"unknown district — {hint + ' ' if hint else ''}use a district_id or name from districts.csv")
        return districts[cell]

    def zone(cell: str) -> str:
        if cell not in zone_ids:
            hint = _suggest(cell, zone_ids)
            raise ValueError(f"edge names an unknown zone — {hint + ' ' if hint else ''}use a zone_id from zones.csv")
        return cell

    return {
        "id": str, "text": str, "number": number, "lat": bounded(-90, 90, "latitude"),
        "lon": bounded(-180, 180, "longitude"), "share": bounded(0, 1, "share"), "bool": boolean,
        "choice": choice, "month": month, "district": district, "zone": zone,
    }[column.kind]


def _as_extra(cell: str) -> Any:
    try:
        return float(cell)
    except ValueError:
        return cell


def _check_unique(frame: pd.DataFrame | None, column: str, file: str, problems: list[InputIssue]) -> None:
    if frame is None or column not in frame:
        return
    lines = frame.attrs.get("lines", list(range(2, len(frame) + 2)))
    file, label = frame.attrs.get("where", file), frame.attrs.get("row_label", "row")
    seen: dict[Any, int] = {}
    for value, line in zip(frame[column], lines):
        if value is None:
            continue
        if value in seen:
            problems.append(InputIssue(file, f"duplicate {column}: also on {label} {seen[value]}",
                                    f"make every {column} unique", row=line, column=column, value=value,
                                    row_label=label))
        else:
            seen[value] = line


def _check_edges(frame: pd.DataFrame, file: str, a: str, b: str, problems: list[InputIssue]) -> None:
    lines = frame.attrs.get("lines", list(range(2, len(frame) + 2)))
    for left, right, line in zip(frame[a], frame[b], lines):
        if left is not None and left == right:
            problems.append(InputIssue(file, "self-loop: an edge from a node to itself",
                                    "delete the row", row=line, column=b, value=right))


def _check_points_present(zones: pd.DataFrame, file: str, method: str, problems: list[InputIssue]) -> None:
    lines = zones.attrs.get("lines", list(range(2, len(zones) + 2)))
    invalid = zones.attrs.get("invalid", set())
    file, label = zones.attrs.get("where", file), zones.attrs.get("row_label", "row")
    for lat, lon, line in zip(zones["lat"], zones["lon"], lines):
        for column, value in (("lat", lat), ("lon", lon)):
            if (line, column) in invalid:
                continue
            if value is None or (isinstance(value, float) and math.isnan(value)):
                problems.append(InputIssue(file, f"missing coordinate, but adjacency is derived by '{method}' from points",
                                        "give the zone's point (an estimated one, marked coord_quality: estimated), "
                                        "or list its edges in an adjacency file", row=line, column=column,
                                        row_label=label))


DISTANCE_COLUMNS = (
    Column("zone_a", "zone", required=True, nullable=False),
    Column("zone_b", "zone", required=True, nullable=False),
    Column("km", "number", minimum=0),
    Column("minutes", "number", minimum=0),
)


def _read_distances(value: Any, root: Path, file: str, zones: pd.DataFrame | None, zone_layer,
                    problems: list[InputIssue], files: dict[str, str], notes: list[str],
                    extra: list[str]) -> Callable[[pd.DataFrame], measures.Distances]:
    """Check region.yaml `distances:` and read its matrix; returns how to build the measure from the zones."""
    if value is None or value == "great_circle":
        return measures.great_circle
    method = value.get("method") if isinstance(value, dict) else value
    if method == "planar":
        crs = value.get("crs") if isinstance(value, dict) else None
        if not has_geo():
            problems.append(geo_missing(file, "distances: planar (projecting points)"))
            return measures.great_circle
        if crs is None and zone_layer is not None and zone_layer.projected:
            crs = zone_layer.crs
        if crs is None:
            problems.append(InputIssue(file, "distances: planar needs a projected CRS, and the zones are not in one",
                                    "name it: distances: {method: planar, crs: EPSG:4547}"))
            return measures.great_circle
        return lambda zones: measures.planar(zones, crs)
    name = value.get("file") if isinstance(value, dict) else value
    if not isinstance(name, str) or not name.lower().endswith(".csv"):
        problems.append(InputIssue(file, f"distances: {value!r} is not understood",
                                "write great_circle, planar, {method: planar, crs: EPSG:4547} or a CSV file "
                                "of zone_a, zone_b, km (or minutes)"))
        return measures.great_circle
    zone_ids = set(zones["zone_id"]) if zones is not None else set()
    table = _read_table(root / name, DISTANCE_COLUMNS, problems, files, extra, {}, zone_ids, notes)
    if table is None:
        return measures.great_circle
    given = [u for u in ("km", "minutes") if table[u].notna().any()]
    if len(given) != 1:
        problems.append(InputIssue(name, "give exactly one of the columns km or minutes" if given else
                                "no distances: the km (or minutes) column is missing or empty",
                                "one matrix, one unit: zone_a, zone_b, km — or zone_a, zone_b, minutes"))
        return measures.great_circle
    unit = given[0]
    lines = table.attrs["lines"]
    for value_, line in zip(table[unit], lines):
        if pd.isna(value_) and (line, unit) not in table.attrs["invalid"]:
            problems.append(InputIssue(name, "empty distance", "fill it in, or delete the row (a missing pair is "
                                    "not an allowed pair)", row=line, column=unit))
    _check_edges(table, name, "zone_a", "zone_b", problems)
    table = table[["zone_a", "zone_b", unit]].copy()
    return lambda zones: measures.matrix(zones, table, unit, name)


def _check_polygons_present(layer, zones_file: str, file: str, problems: list[InputIssue]) -> None:
    if layer is None:
        problems.append(InputIssue(file, f"adjacency.derive method 'polygons' needs zone polygons, but {zones_file} "
                                "is not a GIS layer", "give zones as a GeoPackage, Shapefile or GeoJSON of polygons, "
                                "or derive adjacency from points (method: delaunay)"))
        return
    kinds = layer.shapes.geom_type.fillna("")
    for k in range(len(kinds)):
        if "Polygon" not in kinds.iloc[k]:
            problems.append(InputIssue(layer.where, f"the feature is a {kinds.iloc[k] or 'missing geometry'}, but "
                                    "adjacency is derived from polygons", "draw the zone's boundary",
                                    row=k + 1, row_label="feature"))


def _read_outlines(value: Any, root: Path, file: str, lookup: dict[str, str], problems: list[InputIssue],
                   files: dict[str, str]) -> tuple[dict[str, list] | None, Any]:
    """District outlines: GeoJSON (core) or any GIS layer (the extra); the feature property naming the
    district is `property:` (e.g. NAME), else district_id or name in any case (DISTRICT_ID, Name, NAME)."""
    if isinstance(value, dict):
        path, prop, layer_name = root / str(value.get("file", "")), value.get("property"), value.get("layer")
        for unknown in sorted(set(value) - {"file", "property", "layer"}):
            problems.append(InputIssue(file, f"unknown key outlines.{unknown}", "allowed: file, property, layer"))
    else:
        path, prop, layer_name = root / str(value), None, None
    if path.suffix.lower() not in (".geojson", ".json"):  # GeoJSON is read by the core; other layers need the extra
        if not is_layer(path):
            problems.append(InputIssue(path.name, "outlines must be GeoJSON, a GeoPackage or a Shapefile",
                                    "export the district polygons in one of these"))
            return None, None
        layer = read_layer(path, layer_name, None, problems)
        if layer is None:
            return None, None
        files[path.name] = _sha256(layer_bytes(path))
        return _outlines_from_refs(layer, [_outline_ref(r, prop) for r in layer.records], lookup, problems)
    try:
        raw = path.read_bytes()
        files[path.name] = _sha256(raw)
        data = parse_json(raw.decode("utf-8-sig"), path.name, "export the outlines again as GeoJSON")
    except (FileNotFoundError, ValueError):   # ValueError: a NUL byte in the name
        problems.append(InputIssue(path.name, "outline file not found", "fix 'outlines:' in region.yaml or remove it"))
        return None, None
    except UnicodeDecodeError as exc:
        problems.append(InputIssue(path.name, f"not valid GeoJSON: {exc}", "export the outlines again as GeoJSON"))
        return None, None
    except InputError as error:
        problems.extend(error.problems)
        return None, None
    outlines: dict[str, list] = {}
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        problems.append(InputIssue(path.name, "not a GeoJSON FeatureCollection", "export a FeatureCollection"))
        return None, None
    for number, feature in enumerate(features, start=1):
        try:
            ref = _outline_ref(feature.get("properties") or {}, prop)
            geometry = feature["geometry"]
            kind, coords = geometry["type"], geometry["coordinates"]
        except (AttributeError, KeyError, TypeError):
            problems.append(InputIssue(path.name, f"feature {number} has no usable geometry", "check the file"))
            continue
        if ref not in lookup:
            problems.append(_unknown_outline(path.name, number, ref, prop, lookup))
            continue
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
        if polygons is None:
            problems.append(InputIssue(path.name, f"feature {number} is a {kind}, not a (Multi)Polygon", "check the file"))
            continue
        if not _are_polygons(polygons):
            problems.append(InputIssue(path.name, f"feature {number} ({ref}): malformed {kind} coordinates",
                                    "each ring must be a list of at least 4 [lon, lat] number pairs, the first "
                                    "repeated last; export the outlines again as GeoJSON"))
            continue
        outlines.setdefault(lookup[ref], []).extend(polygons)
    return outlines, None


def _outline_ref(properties: dict, prop: str | None) -> str:
    """The district an outline feature names: by `prop`, else by district_id or name in any letter case."""
    if prop:
        return str(properties.get(prop, "")).strip()
    folded = {str(k).lower(): v for k, v in properties.items()}
    for key in ("district_id", "name"):
        if folded.get(key) not in (None, ""):
            return cell_text(folded[key])
    return ""


def _unknown_outline(file: str, number: int, ref: str, prop: str | None, lookup: dict[str, str]) -> InputIssue:
    named = f"its {prop} property" if prop else "its district_id / name property"
    return InputIssue(file, f"feature {number} names unknown district {ref!r}",
                   (_suggest(ref, lookup) + " " if _suggest(ref, lookup) else "")
                   + f"set {named} to a district_id or name from the districts table, or say which property "
                   "names the district: outlines: {file: …, property: NAME}", row_label="feature")


def _outlines_from_refs(layer, refs: list[str], lookup: dict[str, str],
                        problems: list[InputIssue]) -> tuple[dict[str, list] | None, Any]:
    ids = []
    for number, ref in enumerate(refs, start=1):
        if ref not in lookup:
            problems.append(_unknown_outline(layer.where, number, ref, None, lookup))
            ids.append(None)
        else:
            ids.append(lookup[ref])
    keep = [k for k, i in enumerate(ids) if i is not None]
    return outlines_of_layer(layer, [ids[k] for k in keep], keep)
def _are_polygons(polygons: Any) -> bool:
    """GeoJSON Polygon coordinate arrays: each a list of rings, each ring ≥ 4 finite [lon, lat] positions."""
    def position(p):
        return (isinstance(p, list) and len(p) >= 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p[:2])
                and -180 <= p[0] <= 180 and -90 <= p[1] <= 90)

    return isinstance(polygons, list) and all(
        isinstance(rings, list) and rings and all(
            isinstance(ring, list) and len(ring) >= 4 and all(position(p) for p in ring) for ring in rings)
        for rings in polygons)


