"""The house as built: the documented tree, module sizes, imports and the one error hierarchy.

These tests read the source, not the behaviour: they keep ``docs/architecture.md`` true to the
package, and keep the rules of the house (no import cycle, no private name across subpackages, no
module over about 600 lines, every raise from the package's error hierarchy) from drifting.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import grimp
import networkx as nx
import pytest

import ruian_governance
from ruian_governance.errors import RuianGovernanceError

SRC = Path(ruian_governance.__file__).resolve().parent
DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"
MAX_LINES = 650  # "no module over about 600 lines"


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (packages by their ``__init__``)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _documented_tree() -> set[str]:
    """The module paths listed in the tree block of docs/architecture.md."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- tree -->\n```text\n(.*?)```", text, re.DOTALL)
    assert match, "docs/architecture.md has no tree block after <!-- tree -->"
    paths: set[str] = set()
    stack: list[tuple[int, str]] = []
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        name = line.strip().split()[0]
        if name == "__init__.py":
            continue
        depth = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= depth:
            stack.pop()
        prefix = "/".join(s[1].rstrip("/") for s in stack)
        path = f"{prefix}/{name}" if prefix else name
        if name.endswith("/"):
            stack.append((depth, name))
        paths.add(path.rstrip("/"))
    return paths


def test_documented_tree_is_the_package() -> None:
    """Every module and folder in the package is in the architecture page's tree, and back."""
    built = {SRC.name}
    for path in SRC.rglob("*"):
        if "__pycache__" in path.parts or path.suffix in {".pyc", ".typed"}:
            continue
        if path.is_dir() or path.suffix == ".py":
            if path.name == "__init__.py" or path.parent.name == "schema_files":
                continue
            built.add(str(path.relative_to(SRC.parent)))
    documented = _documented_tree()
    assert documented - built == set(), "documented but not built"
    assert built - documented == set(), "built but not documented"


def test_no_module_is_over_about_600_lines() -> None:
    """A module over about 600 lines is usually two (house style)."""
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_cycle_between_modules() -> None:
    """The module import graph (grimp) has no cycle."""
    graph = grimp.build_graph("ruian_governance")
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            g.add_edge(module, imported)
    cycles = list(nx.simple_cycles(g, length_bound=6))
    assert cycles == []


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_private_name_crosses_a_subpackage() -> None:
    """No module imports a ``_private`` name from another subpackage."""
    crossings = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if not node.module.startswith("ruian_governance"):
                continue
            if _top(node.module) == _top(name):
                continue
            crossings.extend(
                f"{name} imports {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            )
    assert crossings == []


_ALLOWED_RAISES = {
    # Explicit AssertionErrors are the contract of Hypothesis' state machines' invariants.
    ("ruian_governance.testing.machines", "AssertionError"),
    # ``python -m ruian_governance`` ends the process with the command's exit status.
    ("ruian_governance.__main__", "SystemExit"),
    # ``ours`` is the RuianGovernanceError a model raised inside cattrs, unwrapped.
    ("ruian_governance.io.converter", "ours"),
}


def _handler_names(tree: ast.AST) -> set[str]:
    """Names bound by ``except ... as name`` anywhere in the module (re-raises of them are fine)."""
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and n.name}


def _raised_class(node: ast.expr) -> ast.expr:
    return node.func if isinstance(node, ast.Call) else node


def test_every_raise_is_from_the_error_hierarchy() -> None:
    """Every ``raise X`` in src raises a RuianGovernanceError subclass (or re-raises)."""
    bad = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = importlib.import_module(name)
        rebound = _handler_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            target = _raised_class(node.exc)
            if isinstance(target, ast.Attribute) and target.attr == "with_traceback":
                continue  # re-raises an error object already built (checked where it is built)
            if isinstance(target, ast.Name) and target.id in rebound:
                continue
            text = ast.unparse(target)
            try:
                obj = eval(text, vars(module))
            except Exception:
                obj = None
            if (name, text) in _ALLOWED_RAISES:
                continue
            if not (isinstance(obj, type) and issubclass(obj, RuianGovernanceError)):
                bad.append(f"{name}:{node.lineno} raises {text}")
    assert bad == []


@pytest.mark.parametrize(
    "package",
    [
        "models",
        "lifecycles",
        "routing",
        "presets",
        "io",
        "stores",
        "analysis",
        "sim",
        "cli",
        "testing",
    ],
)
def test_subpackage_names_the_modules_the_doc_lists(package: str) -> None:
    """Each subpackage of the house is a folder of the documented tree."""
    assert f"ruian_governance/{package}" in _documented_tree()
