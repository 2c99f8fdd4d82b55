"""Imports on demand: `consolidate --help` and `import consolidate` load no heavy library, and the lazy
command table says exactly what the commands say (speed itself is measured in scripts/bench)."""
import importlib
import subprocess
import sys

import click
import pytest

from consolidate.cli import COMMANDS, main
from probes import forked_probe

HEAVY = ["pandas", "numpy", "scipy", "networkx", "pydantic", "highspy", "pulp", "matplotlib", "yaml"]


def loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint('loaded:', *(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return out.rsplit("loaded:", 1)[1].split()


@pytest.mark.parametrize("code", [
    "import consolidate",
    "from consolidate.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "from consolidate.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass",
])
def test_help_and_import_load_no_heavy_library(code):
    assert loaded_after(code) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_lazy_table_matches_each_command(name):
    command = main.get_command(click.Context(main), name)
    assert command.name == name
    for limit in (45, 300):
        assert click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit) == command.get_short_help_str(limit)


def test_a_plans_module_loads_no_graph_or_model_code():
    """The drawing child of `consolidate run` unpickles a Plan, so consolidate.plan loads no networkx, solver
    or SciPy: the child is forked before the parent loads them, and never does (#14)."""
    assert set(loaded_after("import consolidate.plan")) & {"networkx", "scipy", "highspy", "pulp", "matplotlib"} == set()


def test_every_command_of_every_module_is_in_the_table():
    for module in {module for module, _, _ in COMMANDS.values()}:
        for command in importlib.import_module(f"consolidate.cli.{module}").COMMANDS:
            assert COMMANDS[command.name][0] == module
            assert main.get_command(click.Context(main), command.name) is command


def test_the_public_names_resolve_on_first_use():
    import consolidate as cz

    assert callable(cz.solve) and cz.solve.__module__ == "consolidate.pipeline"
    assert cz.load_region is importlib.import_module("consolidate.region").load_region


def test_the_default_run_loads_no_pyplot_no_pulp_and_no_model_export(tmp_path):
    """The charts are drawn on matplotlib's Figure and Agg canvas (no pyplot state), and PuLP and the model
    export are loaded only for --export-model (#14)."""
    probe = ("import sys\nfrom consolidate.cli import main\n"
             f"try:\n    main(['run', '--out', {str(tmp_path / 'out')!r}])\nexcept SystemExit as end:\n"
             "    assert not end.code, end.code\n"
             "print('loaded:', *(m for m in ('matplotlib.pyplot', 'pulp', 'consolidate.export') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.rsplit("loaded:", 1)[1].split() == []
    assert (tmp_path / "out" / "plan_map.png").is_file()


def test_a_run_that_draws_in_a_child_never_loads_matplotlib_itself(tmp_path):
    """Where the charts are drawn by a forked child, the parent hands it the work by name and loads no
    matplotlib (its drawing modules took ~0.6 s of the parent's critical path; matplotlib.path for the
    point-in-outline check 0.2 s) and no SciPy (sparse matrices 0.2 s; spatial for the Delaunay edges,
    which the bundled model ships, 0.4 s)."""
    out = forked_probe("from consolidate.cli import main\n"
                       f"try:\n    main(['run', '--out', {str(tmp_path / 'out')!r}])\nexcept SystemExit as end:\n"
                       "    assert not end.code, end.code\n"
                       "print('loaded', *(m for m in ('matplotlib', 'scipy') if m in sys.modules))")
    assert out.strip().endswith("loaded"), out
    assert (tmp_path / "out" / "plan_map.png").is_file()
