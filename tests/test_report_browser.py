"""The HTML report in a real headless browser (issue 14, point 8).

Chromium from the distribution's packages loads the report: no console error, every chart
present with a non-zero size, and a full-page screenshot kept as a CI artefact (in
``$RUIAN_ARTIFACTS``, default ``build/ci-artifacts``).  Skipped only when no Chromium is
installed AND not in CI; in CI (``CI`` set) a missing Chromium fails.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from ruian_governance import SimulationConfig, generate_hierarchy, simulate
from ruian_governance.analysis import summarise
from ruian_governance.cli.report import html_report
from ruian_governance.presets import RULES_2021
from ruian_governance.sim import PlantedHotspot

ROOT = Path(__file__).resolve().parent.parent
DAYS = 28


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "browser_check", ROOT / "tools" / "browser_check.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["browser_check"] = module
    spec.loader.exec_module(module)
    return module


def test_the_report_loads_in_chromium_without_errors_and_every_chart_has_a_size(
    tmp_path: Path,
) -> None:
    """14.8: no console errors, every chart present with a size, a screenshot kept."""
    tool = _tool()
    chromium = tool.find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI: chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("no chromium on PATH (not in CI)")
    h = generate_hierarchy(towns=3, villages=9, grids=27, micro_grids=0, seed=0)
    grid = h.towns[0].id + ".v001.g01"
    run = simulate(
        SimulationConfig(
            hierarchy=h, days=DAYS, seed=2, reports_per_grid_per_day=1.0,
            hotspots=[PlantedHotspot(unit_id=grid, category="food_safety", factor=30.0)],
        )
    )  # fmt: skip
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    page = tmp_path / "report.html"
    page.write_text(
        html_report(
            run.cases, run.hierarchy, summary, lifecycles=run.lifecycles,
            start=run.config.start, days=DAYS, title="示范市 141 研判报告",
            parameters={"seed": 2, "days": DAYS}, rules=RULES_2021,
        ),
        encoding="utf-8",
    )  # fmt: skip
    artefacts = Path(os.environ.get("RUIAN_ARTIFACTS", ROOT / "build" / "ci-artifacts"))
    shot = artefacts / "report.png"
    result = tool.check(page, shot, chromium=chromium)
    assert result["errors"] == []
    names = {c["name"] for c in result["charts"]}
    assert {"volumes", "on-time-by-town", "scores-towns", "situation-weekly"} <= names
    assert page.read_text(encoding="utf-8").count('<svg class="chart"') == len(result["charts"])
    for chart in result["charts"]:
        assert chart["width"] > 0, chart
        assert chart["height"] > 0, chart
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert result["page"]["height"] > 2000
