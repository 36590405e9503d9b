"""The HTML report a governance office prints (issue 14, point 8; issue 13, points 10, 11, 13).

The content is checked here; ``tests/test_report_browser.py`` loads it in headless Chromium.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ruian_governance import SimulationConfig, generate_hierarchy, simulate
from ruian_governance.analysis import summarise
from ruian_governance.cli._html import value_range
from ruian_governance.cli.report import html_report
from ruian_governance.presets import RULES_2021
from ruian_governance.sim import PlantedHotspot, SimulationResult

DAYS = 42


@pytest.fixture(scope="module")
def run() -> SimulationResult:
    """Six weeks of a small city with a planted food-safety hotspot."""
    h = generate_hierarchy(towns=3, villages=9, grids=27, micro_grids=0, seed=0)
    grid = h.towns[0].id + ".v001.g01"
    config = SimulationConfig(
        hierarchy=h, days=DAYS, seed=2, reports_per_grid_per_day=1.0,
        hotspots=[PlantedHotspot(unit_id=grid, category="food_safety", factor=30.0)],
    )  # fmt: skip
    return simulate(config)


@pytest.fixture(scope="module")
def page(run: SimulationResult) -> str:
    """The report of the run, with its parameters and category table."""
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    return html_report(
        run.cases, run.hierarchy, summary, lifecycles=run.lifecycles, start=run.config.start,
        days=DAYS, title="示范市 report", parameters={"seed": 2, "rate": 1.0}, rules=RULES_2021,
    )  # fmt: skip


def test_the_report_is_self_contained(page: str) -> None:
    """14.8: one HTML file, inline SVG and CSS, no script and no network address."""
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert re.findall(r"https?://[^\"']+", page) == ["http://www.w3.org/2000/svg"] * len(
        re.findall(r'xmlns="http://www.w3.org/2000/svg"', page)
    )
    assert "<link" not in page
    assert "@import" not in page


def test_every_chart_has_a_size_a_name_and_gridlines(page: str) -> None:
    """14.8: each chart is an svg.chart with width and height; gridlines drawn."""
    charts = re.findall(
        r'<svg class="chart"[^>]*data-chart="([^"]+)" width="(\d+)" height="(\d+)"', page
    )
    names = [c[0] for c in charts]
    assert {"volumes", "on-time-by-town", "scores-towns", "situation-weekly"} <= set(names)
    assert all(int(w) > 0 and int(h) > 0 for _, w, h in charts)
    assert page.count('class="grid"') >= 10


def test_the_time_axis_shows_dates(page: str, run: SimulationResult) -> None:
    """14.8: the volume chart labels days by date (03-03 ...), not "d1"."""
    start = run.config.start
    assert f">{start:%m-%d}</text>" in page
    assert f"{start:%Y-%m-%d}" in page
    assert ">d1<" not in page


def test_the_value_axis_is_chosen_from_the_data_with_a_target_line(page: str) -> None:
    """14.8: on-time rates are drawn on an axis from a round value below the lowest, with 90%."""
    assert value_range([0.81, 0.98], high=1.0, step=0.05) == (0.8, 1.0)
    assert value_range([0.95, 0.99], high=1.0, step=0.05) == (0.9, 1.0)
    assert value_range([0.0], high=1.0, step=0.05) == (0.0, 1.0)
    assert 'class="target"' in page
    assert "target 目标 90%" in page
    note = re.search(r"Axis from (\d+)% to 100%", page)
    assert note is not None
    assert int(note.group(1)) > 0  # not a 0-100% axis


def test_categories_hotspots_and_places_are_named_in_chinese(
    page: str, run: SimulationResult
) -> None:
    """14.8: 食品安全 not food_safety; the hotspot by town / village / grid; p in full."""
    assert "食品安全 food safety" in page
    h = run.hierarchy
    town = h.towns[0]
    grid = h.node(town.id + ".v001.g01")
    village = h.node(town.id + ".v001")
    assert f"{town.name} / {village.name} / {grid.name}" in page
    section = page.split("Hotspots 热点网格")[1].split("<h2>", maxsplit=1)[0]
    assert re.search(r"\d\.\d{3}e[-+]\d\d", section)  # 1.234e-05, never cut
    assert "food_safety" not in section


def test_the_run_parameters_overdue_cases_and_assessment_are_shown(page: str) -> None:
    """14.8 with 13.10: parameters, the overdue list and department scores are in the report."""
    assert "Run parameters 运行参数" in page
    assert "<td>seed</td><td>2</td>" in page
    assert "Overdue cases 超期案件" in page
    assert "days overdue 超期天数" in page
    assert "Departments 部门" in page
    assert "一票否决" in page
    assert "平安市民监督团" in page


def test_six_none_villages_and_situation_analysis_are_shown(page: str) -> None:
    """14.8 with 13.11 and 13.13: the 六无村社 list and the weekly 形势分析."""
    assert "Six-none villages 六无村社" in page
    assert "个村社达标" in page
    assert "Situation analysis 形势分析" in page
    assert "risk disputes 风险纠纷" in page
    assert "overdue hazards 逾期隐患" in page
    weeks = page.split("Situation analysis")[1].split("Overdue cases", maxsplit=1)[0]
    assert weeks.count("<tr>") == 1 + DAYS // 7  # a header and one row per week


def test_a_long_run_is_drawn_by_week(run: SimulationResult) -> None:
    """14.8: more than 120 days are drawn as weekly bars, labelled by date."""
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    page = html_report(
        run.cases, run.hierarchy, summary, lifecycles=run.lifecycles,
        start=run.config.start - timedelta(days=200), days=250, title="long",
    )  # fmt: skip
    assert "Weekly volumes 每周案件量" in page
    assert "<script" not in page


def test_names_and_parameters_are_escaped(run: SimulationResult) -> None:
    """14.8: a town named ``<script>...`` and a parameter holding markup are shown as text."""
    from ruian_governance import Hierarchy, from_document, to_document

    document = to_document(run.hierarchy)
    town = run.hierarchy.towns[0].id
    for unit in document["units"]:
        if unit["id"] == town:
            unit["name"] = "<script>alert(1)</script>&镇"
    hierarchy = from_document(document, Hierarchy)
    summary = summarise(run.cases, hierarchy, lifecycles=run.lifecycles)
    page = html_report(
        run.cases, hierarchy, summary, lifecycles=run.lifecycles, start=run.config.start,
        days=DAYS, title="<b>t</b>", parameters={"<i>note</i>": "<img src=x onerror=1>"},
    )  # fmt: skip
    assert "<script" not in page
    assert "<img" not in page
    assert "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;镇" in page
    assert "<title>&lt;b&gt;t&lt;/b&gt;</title>" in page
