"""The package's layering: no import circle among consolidate's modules, and the library never imports its CLI.

Every import counts, at the top of a module or inside a function (a deferred import is still a
dependency, and a circle through one is still a circle); imports under `if TYPE_CHECKING:` do not,
nor do the few documented accessors (`ACCESSORS`).
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import consolidate

PACKAGE = Path(consolidate.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "_bundled" not in p.parts}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            yield from (n for child in node.orelse for n in _imports(ast.Module(body=[child], type_ignores=[])))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node)


def _known(name: str) -> str | None:
    """The consolidate module `name` refers to (itself, or the nearest enclosing module), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imported_modules(name: str) -> set[str]:
    """The consolidate modules that module `name` imports."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from . import charts` imports a module; `from .plan import Plan` imports from one
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem for alias in node.names]
        found |= {m for m in map(_known, targets) if m and m != name}
    return found


# Accessors: a method on a low-level object that hands over to a higher module, for convenience
# (like PyPSA's n.statistics). The higher module may use the lower one; the edge back is not a circle
# in the layering. Each one is listed here with why.
ACCESSORS = {
    ("consolidate.plan", "consolidate.explain"),   # Plan.explain(zone) → explain.explain_plan(plan, [zone])
}


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name in MODULES:
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in imported_modules(name) if (name, target) not in ACCESSORS)
    return graph


def test_the_import_graph_is_read_correctly():
    graph = import_graph()
    assert "consolidate.engine" in graph.successors("consolidate.pipeline")
    assert "consolidate.charts.plan" in graph.successors("consolidate.plan")    # a deferred import counts
    assert "consolidate._version" in graph.successors("consolidate.cli")        # from .._version import __version__


def test_no_import_circle_among_consolidate_modules():
    circles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert not circles, f"modules that import each other (directly or round a circle): {circles}"


def test_the_library_never_imports_the_cli():
    offenders = {name: sorted(m for m in targets if m == "consolidate.cli" or m.startswith("consolidate.cli."))
                 for name, targets in ((n, imported_modules(n)) for n in MODULES)
                 if not (name == "consolidate.cli" or name.startswith("consolidate.cli."))}
    offenders = {name: cli for name, cli in offenders.items() if cli}
    assert not offenders, f"library modules that import the command line: {offenders}"


def test_the_old_names_are_gone():
    """errors.Problem (now InputIssue) and Scenario.resolved (now as_dict) were aliases kept for code written
    before the renames; every caller uses the new names."""
    from consolidate import errors
    from consolidate.scenario import Scenario

    assert not hasattr(errors, "Problem") and not hasattr(Scenario, "resolved")
    sources = "\n".join(path.read_text(encoding="utf-8") for path in Path(consolidate.__file__).parent.rglob("*.py"))
    assert ".resolved()" not in sources and "[Problem]" not in sources and "Problem as " not in sources
