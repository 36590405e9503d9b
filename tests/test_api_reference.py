"""Issue 14 point 9: the API reference covers every public name; diagrams need no network.

One strict Sphinx build (in a subprocess, as CI runs it) is shared by the tests of this module.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VENDORED = DOCS / "_static" / "mermaid"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


API_PAGES = _load(ROOT / "tools" / "api_pages.py", "api_pages")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation built strictly (-W) into a temporary directory."""
    out = tmp_path_factory.mktemp("html")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    result = subprocess.run(
        [*command, "-d", str(out / ".doctrees"), str(DOCS), str(out)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _inventory(out: Path) -> set[str]:
    from sphinx.util.inventory import InventoryFile

    with (out / "objects.inv").open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {
        name for kind, entries in inventory.items() if kind.startswith("py:") for name in entries
    }


def test_reference_pages_are_written_from_the_code() -> None:
    """docs/api/*.md are what tools/api_pages.py writes today (a new name cannot be left out)."""
    assert API_PAGES.main(["--check"]) == 0


def test_every_module_with_an_all_has_a_page() -> None:
    """Each public subpackage or module of the package (with an __all__) has its page."""
    package = ROOT / "src" / "ruian_governance"
    public = {
        path.parent.name if path.name == "__init__.py" else path.stem
        for path in [*package.glob("*/__init__.py"), *package.glob("*.py")]
        if not path.stem.startswith("_") or path.name == "__init__.py"
    } - {"ruian_governance"}
    public = {name for name in public if "__all__" in _module_text(package, name)}
    assert public == set(API_PAGES.MODULES)


def _module_text(package: Path, name: str) -> str:
    path = package / name / "__init__.py"
    return (path if path.exists() else package / f"{name}.py").read_text(encoding="utf-8")


def test_every_public_name_is_in_the_built_reference(built: Path) -> None:
    """Every name of each subpackage's __all__ has its entry (an anchor) in the reference."""
    documented = _inventory(built)
    missing = [
        f"ruian_governance.{module}.{name}"
        for module in API_PAGES.MODULES
        for name in API_PAGES.public_names(module)
        if f"ruian_governance.{module}.{name}" not in documented
    ]
    assert missing == []


def test_constants_show_their_own_docstrings(built: Path) -> None:
    """A constant defined in a submodule shows its docstring, not its type's (``dict()``)."""
    page = (built / "api" / "lifecycles.html").read_text(encoding="utf-8")
    assert "new empty dictionary" not in page
    assert "TRIAGE_LEVELS" in page


def test_no_page_loads_anything_from_the_network(built: Path) -> None:
    """No built page has a script, stylesheet, image or module import from another host."""
    remote = re.compile(r"""(?:src|href)=["']https?://|import[^;]*from\s*["']https?://""")
    pages = sorted(built.rglob("*.html"))
    assert pages
    offenders = [
        str(page.relative_to(built))
        for page in pages
        if any(
            remote.search(tag)
            for tag in re.findall(r"<(?:script|link|img)[^>]*>", page.read_text(encoding="utf-8"))
        )
        or re.search(r"import[^;\n]*from\s*[\"']https?://", page.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_pages_with_diagrams_load_the_vendored_mermaid(built: Path) -> None:
    """A page with a diagram loads the vendored build (a classic script, works from file://)."""
    page = (built / "integrators.html").read_text(encoding="utf-8")
    assert page.count('class="mermaid"') >= 3
    assert re.search(r'<script src="_static/mermaid/mermaid\.min\.js(\?v=\w+)?"></script>', page)
    assert "mermaid.initialize(" in page
    assert 'type="module"' not in page
    copied = built / "_static" / "mermaid" / "mermaid.min.js"
    assert copied.read_bytes() == (VENDORED / "mermaid.min.js").read_bytes()
    plain = (built / "quickstart.html").read_text(encoding="utf-8")
    assert "mermaid.min.js" not in plain  # only pages with a diagram pay for it


def test_the_vendored_mermaid_is_the_pinned_release_with_its_licence() -> None:
    """The vendored file is mermaid's npm build of the pinned version, with its MIT licence.

    The README (version and digest), the build's own version string and docs/conf.py agree.
    """
    conf = _load(DOCS / "conf.py", "docs_conf")
    readme = (VENDORED / "README.md").read_text(encoding="utf-8")
    data = (VENDORED / "mermaid.min.js").read_bytes()
    assert f"**{conf.MERMAID_VERSION}**" in readme
    assert hashlib.sha256(data).hexdigest() in readme
    assert conf.MERMAID_SCRIPT == "mermaid/mermaid.min.js"
    assert data.rstrip().endswith(
        b'globalThis["mermaid"] = globalThis.__esbuild_esm_mermaid_nm["mermaid"].default;'
    )
    assert f'"{conf.MERMAID_VERSION}"'.encode() in data  # the build's own version string
    licence = (VENDORED / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence
    assert "Knut Sveidqvist" in licence


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Chromium (.ci/run installs it)")
def test_diagrams_render_from_disk_in_a_headless_browser_without_network(built: Path) -> None:
    """Chromium draws each diagram as SVG from file://, every connection refused.

    The page is opened from disk and a dead proxy refuses any network fetch.
    """
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
        "--virtual-time-budget=15000", "--dump-dom", (built / "integrators.html").as_uri(),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    drawn = re.findall(
        r'<pre[^>]*class="mermaid"[^>]*data-processed="true"[^>]*>\s*<svg', result.stdout
    )
    assert len(drawn) >= 3
    assert "Syntax error" not in result.stdout
