"""Writing small hand-made region models and scenarios for tests."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

ZONE_DEFAULTS = {"level": "municipal", "kind": "industrial_park", "approved_area_ha": 100.0, "gdp": 10.0,
                 "fiscal_revenue": 1.0, "data_quality": "synthetic", "source": "test fixture"}


def write_region(folder: Path, districts: list[dict], zones: list[dict], *, derive=None, edges=None,
                 rules=None, **extra_spec) -> Path:
    """Write a region model folder from plain rows; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(districts).to_csv(folder / "districts.csv", index=False)
    pd.DataFrame([{**ZONE_DEFAULTS, **z} for z in zones]).to_csv(folder / "zones.csv", index=False)
    spec = {"name": folder.name, "title": f"test region {folder.name}", "districts": "districts.csv",
            "zones": "zones.csv", "adjacency": {}, "rules": rules or {"district_cap": 3, "exempt_districts": []}}
    if edges is not None:
        pd.DataFrame(edges, columns=["zone_a", "zone_b"]).to_csv(folder / "adjacency.csv", index=False)
        spec["adjacency"]["edges"] = "adjacency.csv"
    if derive is not None:
        spec["adjacency"]["derive"] = derive
    spec.update(extra_spec)
    (folder / "region.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return folder


def write_scenario(path: Path, region: Path | str, **keys) -> Path:
    data = {"name": path.stem, "region": str(region), **keys}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


