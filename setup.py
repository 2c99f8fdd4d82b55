"""Install `consolidate`: the package, its CLI, and the bundled region models and scenarios.

The top-level `models/` and `scenarios/` folders are shipped inside the package as
`consolidate/_bundled/`, so that `consolidate run` works from any directory after
`pip install .` (see consolidate/resources.py).
"""
import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
# GIS layers in (GeoPackage, Shapefile), polygon adjacency, projected CRSs, plan.gpkg out; pyproj comes with
# geopandas. Binary wheels for Linux, macOS and Windows; about 13 s to install from a local index.
GEO = ["geopandas>=1.0", "pyogrio>=0.9", "shapely>=2.0"]


def files_under(folder: str) -> list[str]:
    root = HERE / folder
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


setup(
    name="consolidate",
    version=re.search(r'__version__ = "(.+)"', (HERE / "consolidate" / "_version.py").read_text()).group(1),
    description="Plan the consolidation of development zones (开发区) and test what-if policies on them",
    long_description=(HERE / "README.md").read_text(encoding="utf-8") if (HERE / "README.md").exists() else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=["consolidate", "consolidate.charts", "consolidate.cli", "consolidate._bundled.models", "consolidate._bundled.scenarios"],
    package_dir={"consolidate._bundled.models": "models", "consolidate._bundled.scenarios": "scenarios"},
    package_data={
        "consolidate": ["fonts/*"],
        "consolidate._bundled.models": files_under("models"),
        "consolidate._bundled.scenarios": files_under("scenarios"),
    },
    install_requires=[
        "pulp==3.3.2",          # the modelling layer; pinned: the MIP interface we tested
        "highspy==1.16.0",      # HiGHS, the default solver; pinned so plans are reproducible
        "networkx>=3.2",
        "pandas>=2.1",
        "numpy>=1.26",
        "scipy>=1.11",          # Delaunay triangulation, KD-trees, sparse model matrices
        "matplotlib>=3.8",
        "fonttools>=4.40",      # the report embeds the CJK font cut down to its characters (report.py imports it)
        "click>=8.1",
        "pyyaml>=6.0",          # safe YAML loading of region models and scenarios
        "pydantic>=2.5",        # scenario schema validation
        "rich>=13",             # progress bars and terminal tables
        "openpyxl>=3.1",        # --xlsx workbooks: pure Python and small, and planners live in Excel
    ],
    extras_require={
        "dask": ["dask[distributed]>=2024.1"],
        "geo": GEO,
        "test": ["pytest>=8", "hypothesis>=6.100", "dask[distributed]>=2024.1", *GEO],
    },
    entry_points={"console_scripts": ["consolidate=consolidate.cli:main"]},
)
