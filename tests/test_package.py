"""The public surface: every exported name resolves and is documented; Hypothesis is optional."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import ruian_governance


def test_all_is_sorted_and_resolves() -> None:
    """Every name in __all__ exists on the package, once (ruff RUF022 checks the order)."""
    names = ruian_governance.__all__
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(ruian_governance, name), name


def test_every_public_name_is_documented() -> None:
    """Every exported class and function has a docstring (constants are documented in docs/)."""
    undocumented = [
        name
        for name in ruian_governance.__all__
        if (inspect.isclass(obj := getattr(ruian_governance, name)) or inspect.isfunction(obj))
        and not inspect.getdoc(obj)
    ]
    assert undocumented == []


def test_version_is_a_string() -> None:
    """__version__ comes from the installed distribution's metadata."""
    assert isinstance(ruian_governance.__version__, str)
    assert ruian_governance.__version__[0].isdigit()


def test_py_typed_ships() -> None:
    """The package is marked as typed (PEP 561)."""
    from importlib.resources import files

    assert files("ruian_governance").joinpath("py.typed").is_file()


def _without(module: str, code: str) -> list[str]:
    """Run ``code`` in a new interpreter where ``module`` cannot be imported; its output lines.

    The package is imported first, and must not have imported ``module`` (nor failed to).
    """
    script = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "import ruian_governance as rg\n"
        "h = rg.generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=1)\n"
        f"assert {module!r} not in [m for m in sys.modules if sys.modules[m] is not None]\n" + code
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_imports_and_works_without_hypothesis() -> None:
    """With Hypothesis unimportable, the package imports and builds a hierarchy."""
    assert _without("hypothesis", "print(h.city.name)\n") == ["示范市"]


def test_imports_and_works_without_pyarrow() -> None:
    """With pyarrow unimportable, the package imports; the tables raise ParquetExtraError."""
    lines = _without(
        "pyarrow",
        "from ruian_governance.io import ParquetExtraError, cases_table, read_parquet\n"
        "for call in (lambda: cases_table([], h), lambda: read_parquet('x.parquet')):\n"
        "    try:\n"
        "        call()\n"
        "    except ParquetExtraError as error:\n"
        "        assert isinstance(error, ImportError) and error.module == 'pyarrow'\n"
        "        print(error)\n",
    )
    assert len(lines) == 2
    assert all("pip install 'ruian-governance[parquet]'" in line for line in lines)


def test_errors_share_one_root() -> None:
    """Every exception class exported derives from RuianGovernanceError."""
    for name in ruian_governance.__all__:
        obj = getattr(ruian_governance, name)
        if inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, ruian_governance.RuianGovernanceError), name


SUBPACKAGES = (
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
)


def _isort_key(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS first, then Classes, then everything else."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def test_root_all_is_thin() -> None:
    """The package root re-exports at most 64 names: the rest lives in the subpackages."""
    assert len(ruian_governance.__all__) <= 64


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_all_is_explicit_sorted_and_resolves(name: str) -> None:
    """Each subpackage lists its public names in its own sorted __all__, once, all importable."""
    package = importlib.import_module(f"ruian_governance.{name}")
    assert "__all__" in vars(package), f"{name} has no explicit __all__"
    names = list(package.__all__)
    assert names, name
    assert len(set(names)) == len(names), name
    assert names == sorted(names, key=_isort_key), name
    missing = [n for n in names if not hasattr(package, n)]
    assert missing == [], f"{name}: {missing}"


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_subpackage_classes_and_functions_are_documented(name: str) -> None:
    """Every class and function a subpackage exports has a docstring of its own."""
    package = importlib.import_module(f"ruian_governance.{name}")
    assert inspect.getdoc(package), name
    undocumented = []
    for exported in package.__all__:
        obj = getattr(package, exported)
        if inspect.isclass(obj):
            documented = bool(vars(obj).get("__doc__"))
        elif inspect.isfunction(obj):
            documented = bool(obj.__doc__)
        else:
            continue
        if not documented:
            undocumented.append(exported)
    assert undocumented == [], f"{name}: {undocumented}"
