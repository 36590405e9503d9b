"""The 平安鼎 award ladder and the three rates 三率 as survey inputs (issue 13, point 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ruian_governance import generate_hierarchy, to_document
from ruian_governance.analysis import (
    Rate,
    ThreeRates,
    beside_cases,
    consecutive_safe_years,
    ping_an_ding,
    summarise,
)
from ruian_governance.cli.commands import cli
from ruian_governance.errors import AnalysisError


@pytest.mark.parametrize(
    ("years", "zh", "rung_years", "stars"),
    [
        (3, "平安鼎", 3, 0), (5, "平安鼎", 3, 0), (6, "铜鼎", 6, 0), (9, "银鼎", 9, 0),
        (12, "金鼎", 12, 0), (14, "金鼎", 12, 0), (15, "一星金鼎", 15, 1),
        (18, "二星金鼎", 18, 2), (20, "二星金鼎", 18, 2), (42, "十星金鼎", 42, 10),
        (45, "11星金鼎", 45, 11),
    ],
)  # fmt: skip
def test_the_ladder_of_consecutive_safe_years(years: int, zh: str, rung_years: int, stars: int):
    """13.12: 3 tripod, 6 copper, 9 silver, 12 gold, 15 one-star gold, a star every 3 years."""
    rung = ping_an_ding(years)
    assert rung is not None
    assert (rung.label.zh, rung.years, rung.stars) == (zh, rung_years, stars)


@pytest.mark.parametrize("years", [0, 1, 2])
def test_fewer_than_three_years_earn_nothing(years: int) -> None:
    """13.12: below three consecutive safe years there is no tripod."""
    assert ping_an_ding(years) is None


@pytest.mark.parametrize("bad", [-1, 2.5, "3", None, True])
def test_bad_year_counts_are_refused(bad: object) -> None:
    """13.12: a count that is not a whole number >= 0 raises AnalysisError."""
    with pytest.raises(AnalysisError):
        ping_an_ding(bad)  # type: ignore[arg-type]


def test_a_gap_breaks_the_run_of_safe_years() -> None:
    """13.12: only the unbroken run ending at ``up_to`` counts; a missing year breaks it."""
    safe = dict.fromkeys(range(2010, 2023), True) | {2015: False}
    assert consecutive_safe_years(safe, up_to=2022) == 7
    assert consecutive_safe_years(safe, up_to=2014) == 5
    assert consecutive_safe_years({2020: True, 2022: True}, up_to=2022) == 1
    assert consecutive_safe_years({}, up_to=2022) == 0
    for bad in ({2020: "yes"}, {"2020": True}, [2020]):
        with pytest.raises(AnalysisError):
            consecutive_safe_years(bad, up_to=2022)  # type: ignore[arg-type]


def test_three_rates_are_survey_inputs_shown_beside_case_figures() -> None:
    """13.12: 三率 are validated survey rates; sense of safety sits beside 满意率."""
    survey = ThreeRates(
        sense_of_safety=Rate(count=969, total=1000),
        awareness=Rate(count=9, total=10),
        participation=Rate(count=0, total=0),
    )
    h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
    rows = beside_cases(survey, summarise([], h))
    assert [r["label"] for r in rows] == ["安全感满意度", "知晓率", "参与率"]
    assert rows[0]["survey"] == {"count": 969, "total": 1000, "value": 0.969}
    assert rows[0]["cases"] == {"count": 0, "total": 0, "value": None}
    assert rows[1]["cases"] is None
    assert rows[2]["survey"]["value"] is None
    for bad in (Rate(count=2, total=1), Rate(count=-1, total=1), 0.9, None):
        with pytest.raises(AnalysisError):
            ThreeRates(sense_of_safety=bad, awareness=bad, participation=bad)  # type: ignore[arg-type]
    with pytest.raises(AnalysisError):
        beside_cases({"sense_of_safety": 0.9}, summarise([], h))  # type: ignore[arg-type]


def test_the_report_shows_the_survey_and_the_award(tmp_path: Path) -> None:
    """13.12: ``summary --survey FILE --report`` shows 三率 and the 平安鼎 rung; bad: exit 2."""
    h = generate_hierarchy(towns=1, villages=2, grids=4, micro_grids=0, seed=0)
    (tmp_path / "h.json").write_text(json.dumps(to_document(h)), encoding="utf-8")
    out = tmp_path / "run"
    runner = CliRunner()
    args = ["simulate", "--hierarchy", str(tmp_path / "h.json"), "--days", "3"]
    assert runner.invoke(cli, [*args, "--out", str(out), "--quiet"]).exit_code == 0
    survey = {
        "sense_of_safety": {"count": 969, "total": 1000},
        "awareness": {"count": 900, "total": 1000},
        "participation": {"count": 700, "total": 1000},
        "safe_years": {str(y): True for y in range(2008, 2024)},
    }
    (tmp_path / "survey.json").write_text(json.dumps(survey), encoding="utf-8")
    report = tmp_path / "r.html"
    result = runner.invoke(
        cli,
        ["summary", str(out), "--survey", str(tmp_path / "survey.json"), "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    assert "安全感满意度" in page
    assert "96.9% (969/1000)" in page
    assert "2023: 16 consecutive safe years 连续平安年, 一星金鼎" in page
    for bad in ({"sense_of_safety": {"count": 2, "total": 1}}, [], {"safe_years": {"x": True}},
                {"awareness": {"count": 1}}):  # fmt: skip
        (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
        refused = runner.invoke(cli, ["summary", str(out), "--survey", str(tmp_path / "bad.json")])
        assert refused.exit_code == 2, (bad, refused.output)
