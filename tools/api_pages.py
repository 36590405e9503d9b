"""Write the API reference pages (docs/api/*.md) from each public module's ``__all__``.

``python tools/api_pages.py`` rewrites the pages; ``python tools/api_pages.py --check`` exits 1
if a page differs from what the code would write (tests/test_api_reference.py runs the check).
Each page holds an autosummary table of every public name of one subpackage, then the
docstrings themselves (autodoc, which follows ``__all__``).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api"

#: The public modules, in the order of the layers (docs/architecture.md), top first.
MODULES = (
    "cli",
    "intake",
    "sim",
    "stores",
    "analysis",
    "io",
    "presets",
    "routing",
    "lifecycles",
    "models",
    "problems",
    "labels",
    "errors",
    "testing",
)


LONGEST_VALUE = 80  # a constant whose repr is longer is shown without its value


def public_names(module: str) -> list[str]:
    """The names of ``ruian_governance.<module>.__all__``, sorted."""
    return sorted(importlib.import_module(f"ruian_governance.{module}").__all__)


def directive(module: str, name: str) -> str:
    """The autodoc directive of one public name (a class, an exception, a function or data)."""
    value = getattr(importlib.import_module(f"ruian_governance.{module}"), name)
    if inspect.isclass(value):
        kind = "autoexception" if issubclass(value, BaseException) else "autoclass"
        options = ["members", "undoc-members", "show-inheritance"]
    elif inspect.isfunction(value) or inspect.isbuiltin(value):
        kind, options = "autofunction", []
    else:  # constants and type aliases; a long value is not printed
        kind = "autodata"
        options = [] if len(repr(value)) <= LONGEST_VALUE else ["no-value"]
    return f".. {kind}:: {name}\n" + "".join(f"   :{option}:\n" for option in options)


def page(module: str) -> str:
    """The Markdown text of one module's reference page."""
    name = f"ruian_governance.{module}"
    names = public_names(module)
    rows = "\n".join(f"   {n}" for n in names)
    entries = "\n".join(directive(module, n) for n in names)
    return (
        f"# `{name}`\n\n"
        f"<!-- written by tools/api_pages.py from {name}.__all__: do not edit -->\n\n"
        "```{eval-rst}\n"
        f".. automodule:: {name}\n\n"
        f".. currentmodule:: {name}\n\n"
        ".. autosummary::\n"
        "   :nosignatures:\n\n"
        f"{rows}\n\n"
        f"{entries}"
        "```\n"
    )


def index() -> str:
    """The Markdown text of the reference's index page."""
    toc = "\n".join(MODULES)
    return (
        "# API reference\n\n"
        "<!-- written by tools/api_pages.py: do not edit -->\n\n"
        "Every public name, by subpackage, generated from the docstrings: each page lists one\n"
        "module's `__all__`, then documents each name.  The package root\n"
        "(`import ruian_governance`) re-exports the names most users need from these modules;\n"
        "each is documented once, in the module it belongs to.  The `cli` module needs the\n"
        "`cli` extra and `testing` the `hypothesis` extra.\n\n"
        "```{toctree}\n"
        ":maxdepth: 1\n\n"
        f"{toc}\n"
        "```\n"
    )


def pages() -> dict[Path, str]:
    """Every page of the reference, by path."""
    out = {DOCS / "index.md": index()}
    out.update({DOCS / f"{module}.md": page(module) for module in MODULES})
    return out


def main(argv: list[str]) -> int:
    """Write the pages, or with ``--check`` report those that differ (exit 1)."""
    stale = []
    for path, text in pages().items():
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"stale: {path} (run python tools/api_pages.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
