"""Sphinx configuration of the ruian_governance documentation (MyST Markdown pages).

The API reference (docs/api, written by tools/api_pages.py) is autodoc and autosummary.
Mermaid diagrams are drawn in the browser by the vendored build in _static/mermaid (see its
README.md), loaded as a classic script: no page fetches anything from the network.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinxcontrib.mermaid import install_js, mermaid

project = "ruian_governance"
author = "ruian_governance maintainers"
copyright = "2026, ruian_governance maintainers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "ruian_governance"
html_static_path = ["_static"]
exclude_patterns = ["_build", "_static"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autosummary_generate = False  # the tables link to the autodoc entries on the same page
napoleon_use_ivar = True  # a class's "Attributes:" are fields, not second entries beside autodoc's
suppress_warnings = ["myst.xref_missing"]
language = "en"

# Mermaid: sphinxcontrib-mermaid writes each diagram as <pre class="mermaid">; the script that
# draws them is ours (setup below), never its CDN module.
MERMAID_VERSION = "11.12.1"
MERMAID_SCRIPT = "mermaid/mermaid.min.js"
mermaid_output_format = "raw"
mermaid_version = MERMAID_VERSION
mermaid_use_local = f"_static/{MERMAID_SCRIPT}"
_MERMAID_START = 'mermaid.initialize({startOnLoad: true, theme: "neutral"});'


def _offline_mermaid(
    app: Any, pagename: str, templatename: str, context: Any, doctree: Any
) -> None:
    """Load the vendored Mermaid on the pages that hold a diagram."""
    if doctree is not None and doctree.next_node(mermaid) is not None:
        app.add_js_file(MERMAID_SCRIPT)
        app.add_js_file(None, body=_MERMAID_START)


def _constant_doc(  # noqa: PLR0913, PLR0917  (the signature of Sphinx's event)
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Give a constant re-exported by a subpackage the docstring written where it is defined.

    autodoc reads a constant's docstring (the string under it) in the module it documents, the
    subpackage's ``__init__``; the constant lives in a submodule, so autodoc would show the
    docstring of the value's type (``dict()``...).  This looks the name up in the submodules.
    """
    if what != "data" or "." not in name:
        return
    package, _, attr = name.rpartition(".")
    doc = _submodule_attr_docs(package).get(attr)
    if doc is not None:
        lines[:] = doc


def _submodule_attr_docs(package: str) -> dict[str, list[str]]:
    if package not in _ATTR_DOCS:
        found: dict[str, list[str]] = {}
        module = importlib.import_module(package)
        names = [package]
        if hasattr(module, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(module.__path__, f"{package}.")]
        for module_name in names:
            try:
                docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
            except PycodeError:
                continue
            for (scope, attr), doc in docs.items():
                if scope == "":
                    found.setdefault(attr, list(doc))
        _ATTR_DOCS[package] = found
    return _ATTR_DOCS[package]


_ATTR_DOCS: dict[str, dict[str, list[str]]] = {}


def setup(app: Any) -> None:
    """Replace sphinxcontrib-mermaid's ES-module loader by the vendored classic script."""
    app.connect("autodoc-process-docstring", _constant_doc)
    for listener in list(app.events.listeners.get("html-page-context", [])):
        if listener.handler is install_js:
            app.disconnect(listener.id)
    app.connect("html-page-context", _offline_mermaid)
