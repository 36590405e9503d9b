"""Sphinx configuration of the ruian_governance documentation (MyST Markdown pages)."""

project = "ruian_governance"
author = "ruian_governance maintainers"
copyright = "2026, ruian_governance maintainers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinxcontrib.mermaid"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "ruian_governance"
exclude_patterns = ["_build"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
suppress_warnings = ["myst.xref_missing"]
language = "en"
