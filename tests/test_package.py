"""The public surface: every exported name resolves and is documented; Hypothesis is optional."""

from __future__ import annotations

import inspect
import subprocess
import sys

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


def test_imports_and_works_without_hypothesis() -> None:
    """With Hypothesis unimportable, the package imports and builds a hierarchy."""
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import ruian_governance as rg\n"
        "h = rg.generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=1)\n"
        "assert 'hypothesis' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print(h.city.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "示范市"


def test_errors_share_one_root() -> None:
    """Every exception class exported derives from RuianGovernanceError."""
    for name in ruian_governance.__all__:
        obj = getattr(ruian_governance, name)
        if inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, ruian_governance.RuianGovernanceError), name
