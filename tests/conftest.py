"""Fixtures: small hand-made regions whose optimal plans are known by construction."""
from __future__ import annotations

import pytest

from regions import write_region


@pytest.fixture
def make_region(tmp_path):
    counter = {"n": 0}

    def make(districts, zones, **kw):
        counter["n"] += 1
        return write_region(tmp_path / f"region{counter['n']}", districts, zones, **kw)

    return make


@pytest.fixture
def small_region(make_region):
    """Three districts; 甲区 has 4 zones against a cap of 3, 丙区 is exempt."""
    districts = [{"district_id": "A", "name": "甲区"}, {"district_id": "B", "name": "乙区"},
                 {"district_id": "C", "name": "丙区"}]
    zones = [
        {"zone_id": "a1", "name": "甲一", "district_id": "A", "level": "national", "kind": "etdz", "lat": 39.0,
         "lon": 117.0, "gdp": 100},
        {"zone_id": "a2", "name": "甲二", "district_id": "A", "lat": 39.05, "lon": 117.05, "gdp": 10},
        {"zone_id": "a3", "name": "甲三", "district_id": "A", "lat": 39.10, "lon": 117.0, "gdp": 20},
        {"zone_id": "a4", "name": "甲四", "district_id": "A", "lat": 39.02, "lon": 117.10, "gdp": 1},
        {"zone_id": "b1", "name": "乙一", "district_id": "B", "lat": 39.30, "lon": 117.20, "gdp": 30},
        {"zone_id": "b2", "name": "乙二", "district_id": "B", "lat": 39.32, "lon": 117.22, "gdp": 5},
        {"zone_id": "c1", "name": "丙一", "district_id": "C", "level": "national", "kind": "customs_bonded_zone",
         "lat": 39.5, "lon": 117.5, "gdp": 50},
    ]
    return make_region(districts, zones, derive={"method": "distance", "max_km": 30},
                       rules={"district_cap": 3, "exempt_districts": ["丙区"]})
