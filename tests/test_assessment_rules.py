"""Deductions, veto items and panel findings of the bundled assessment (issue 13, point 10)."""

from __future__ import annotations

import math
from datetime import timedelta

import attrs
import pytest

import test_analysis
from ruian_governance import Label, generate_hierarchy
from ruian_governance.analysis import (
    DEFAULT_RULES,
    PANEL_FINDINGS,
    AssessmentRules,
    CaseMatch,
    Deduction,
    VetoItem,
    bundled_assessment,
    summarise,
)
from ruian_governance.errors import AnalysisError, ArgumentError, UnknownIdError
from ruian_governance.lifecycles import TriggerKind
from test_analysis import T0, H, Kit, event

LATE = timedelta(days=10)

kit = test_analysis.kit  # the shared fixture: two towns, eight grids, staffed


def _late_rule(points: float = 2.0, cap: float | None = None) -> Deduction:
    return Deduction(
        key="late", label=Label(en="late", zh="超期"), match=CaseMatch(overdue=True),
        points=points, cap=cap,
    )  # fmt: skip


def test_deductions_subtract_points_per_matching_case_up_to_the_cap(kit: Kit) -> None:
    """13.10: each overdue case deducts its points; the cap bounds the item; floor at 0."""
    g0 = kit.grid(0)
    cases = [event(kit, f"L{i}", g0, close_after=LATE, stars=5) for i in range(3)]
    cases.append(event(kit, "OK", g0, close_after=5 * H, stars=5))
    rules = AssessmentRules(deductions=[_late_rule()])
    town = bundled_assessment(cases, kit.h, rules=rules).towns[0]
    assert town.unit_id == kit.h.towns[0].id
    assert town.deductions == {"late": 6.0}
    assert town.score == pytest.approx(town.base - 6.0)  # type: ignore[operator]
    capped = AssessmentRules(deductions=[_late_rule(cap=1.0)])
    assert bundled_assessment(cases, kit.h, rules=capped).towns[0].deductions == {"late": 1.0}
    huge = AssessmentRules(deductions=[_late_rule(points=1e6)])
    assert bundled_assessment(cases, kit.h, rules=huge).towns[0].score == 0.0
    none = bundled_assessment(cases, kit.h, rules=AssessmentRules())
    assert none.towns[0].score == none.towns[0].base
    assert none.towns[0].deductions == {}


def test_open_cases_are_overdue_as_of_the_latest_record_or_the_given_time(kit: Kit) -> None:
    """13.10: an open case past its deadline deducts; ``as_of`` decides, default the data."""
    g0 = kit.grid(0)
    open_case = event(kit, "O1", g0)  # dispatched, never closed
    recent = event(kit, "R1", g0, opened=T0 + timedelta(days=30), close_after=4 * H)
    rules = AssessmentRules(deductions=[_late_rule()])
    result = bundled_assessment([open_case, recent], kit.h, rules=rules)
    assert result.as_of == recent.history[-1].at
    assert result.towns[0].deductions == {"late": 2.0}
    early = bundled_assessment([open_case, recent], kit.h, rules=rules, as_of=T0 + H)
    assert early.towns[0].deductions == {}
    with pytest.raises(ArgumentError):
        bundled_assessment([open_case], kit.h, as_of=T0.replace(tzinfo=None))


def test_a_veto_item_fails_the_unit_and_ranks_it_last(kit: Kit) -> None:
    """13.10: 一票否决: a vetoed town ranks after a worse-scoring town without a veto."""
    g0, g1 = kit.grid(0), kit.grid(1)
    good = [event(kit, f"G{i}", g0, close_after=5 * H, stars=5) for i in range(3)]
    good.append(event(kit, "GX", g0, category="fire_hazard", close_after=5 * H, stars=5))
    bad = [event(kit, f"B{i}", g1, close_after=LATE, stars=1) for i in range(3)]
    veto = VetoItem(
        key="fire", label=Label(en="fire", zh="火灾"), match=CaseMatch(categories={"fire_hazard"})
    )
    result = bundled_assessment([*good, *bad], kit.h, rules=AssessmentRules(vetoes=[veto]))
    first, second = result.towns
    assert first.unit_id == kit.h.towns[1].id
    assert first.passed
    assert second.vetoes == ("fire",)
    assert not second.passed
    assert second.score is not None
    assert first.score is not None
    assert second.score > first.score  # the score stands; the veto fails the town
    twice = attrs.evolve(veto, threshold=2)
    spared = bundled_assessment([*good, *bad], kit.h, rules=AssessmentRules(vetoes=[twice]))
    assert all(t.passed for t in spared.towns)


def test_panel_findings_count_for_the_town_or_department_they_are_about(kit: Kit) -> None:
    """13.10 with 13.9: findings (unit_id, finding) deduct from the town under which they fall."""
    g0 = kit.grid(0)
    cases = [event(kit, "F1", g0, close_after=5 * H, stars=5)]
    town0, town1 = kit.h.towns[0].id, kit.h.towns[1].id
    station = kit.h.stations_of(town1, station_kind="police_station")[0].id
    dept = kit.h.departments[0].id
    findings = [(g0, "no fire extinguisher"), (town0, {"any": "payload"}), (station, None),
                (dept, "slow")]  # fmt: skip
    result = bundled_assessment(cases, kit.h, findings=iter(findings))
    by_id = {u.unit_id: u for u in (*result.towns, *result.departments)}
    assert by_id[town0].findings == 2
    assert by_id[town0].deductions == {PANEL_FINDINGS: 2.0}
    assert by_id[town1].findings == 1
    assert by_id[dept].findings == 1
    assert by_id[dept].deductions == {PANEL_FINDINGS: 1.0}
    assert by_id[dept].score is None  # nothing handled: no base to deduct from
    many = [(g0, i) for i in range(50)]
    assert bundled_assessment(cases, kit.h, findings=many).towns[0].deductions == {
        PANEL_FINDINGS: DEFAULT_RULES.finding_cap
    }


@pytest.mark.parametrize(
    ("findings", "error"),
    [
        ("t0001", AnalysisError),
        ([("t0001",)], AnalysisError),
        (["t0001x"], AnalysisError),
        ([(7, "x")], AnalysisError),
        ([("nowhere", "x")], UnknownIdError),
        ([("city", "x")], AnalysisError),
        (None, AnalysisError),
    ],
)
def test_bad_findings_are_refused(kit: Kit, findings: object, error: type[Exception]) -> None:
    """13.10: findings that are not (unit_id, finding) pairs about a unit are refused."""
    with pytest.raises(error):
        bundled_assessment([], kit.h, findings=findings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda: Deduction(key="x y", label=Label(en="x", zh="x"), match=CaseMatch(), points=1),
        lambda: Deduction(key="x", label="x", match=CaseMatch(), points=1),
        lambda: Deduction(key="x", label=Label(en="x", zh="x"), match="any", points=1),
        lambda: Deduction(key="x", label=Label(en="x", zh="x"), match=CaseMatch(), points=-1),
        lambda: Deduction(key="x", label=Label(en="x", zh="x"), match=CaseMatch(), points=math.nan),
        lambda: Deduction(key="x", label=Label(en="x", zh="x"), match=CaseMatch(), points=True),
        lambda: Deduction(
            key="x", label=Label(en="x", zh="x"), match=CaseMatch(), points=1, cap=math.inf
        ),
        lambda: VetoItem(key="x", label=Label(en="x", zh="x"), match=CaseMatch(), threshold=0),
        lambda: VetoItem(key="x", label=Label(en="x", zh="x"), match=CaseMatch(), threshold=1.5),
        lambda: AssessmentRules(deductions=[_late_rule(), _late_rule()]),
        lambda: AssessmentRules(deductions=["late"]),
        lambda: AssessmentRules(deductions="late"),
        lambda: AssessmentRules(vetoes=[_late_rule()]),
        lambda: AssessmentRules(deductions=[attrs.evolve(_late_rule(), key=PANEL_FINDINGS)]),
        lambda: AssessmentRules(finding_points=-1),
        lambda: CaseMatch(lifecycles="hazard"),
        lambda: CaseMatch(categories=[None]),
        lambda: CaseMatch(severities=[""]),
        lambda: CaseMatch(overdue="yes"),
        lambda: CaseMatch(trigger_kinds=["nonsense"]),
    ],
)
def test_bad_rules_are_refused(build: object) -> None:
    """13.10: assessment rules check every item when built (AnalysisError / ArgumentError)."""
    with pytest.raises((AnalysisError, ArgumentError)):
        build()  # type: ignore[operator]


def test_bundled_assessment_refuses_rules_of_another_type(kit: Kit) -> None:
    """13.10: ``rules`` must be AssessmentRules."""
    with pytest.raises(AnalysisError):
        bundled_assessment([], kit.h, rules={"deductions": []})  # type: ignore[arg-type]


def test_the_defaults_are_labelled_illustrative() -> None:
    """13.10: the default items are a design choice, said so in the docs."""
    from ruian_governance.analysis import assessment

    assert "illustrative" in (assessment.__doc__ or "")
    assert "design choice" in (assessment.__doc__ or "")
    assert [d.match.trigger_kinds for d in DEFAULT_RULES.deductions][1] == {TriggerKind.SANCTION}
    assert DEFAULT_RULES.vetoes[0].match.describe() == "major; opened by find; overdue 超期"


def test_department_scores_in_the_summary_json(kit: Kit) -> None:
    """13.10: the summary carries department scores, deductions and vetoes as JSON."""
    g0 = kit.grid(0)
    cases = [event(kit, "S1", g0, close_after=LATE, stars=5)]
    dept = kit.h.departments[0].id
    summary = summarise(cases, kit.h, findings=[(dept, "x")])
    data = summary.to_json()
    assert data["department_assessment"] == [
        {"department_id": dept, "score": None, "base": None, "cases": 0,
         "deductions": {PANEL_FINDINGS: 1.0}, "vetoes": [], "findings": 1}
    ]  # fmt: skip
    town = data["assessment"][0]
    assert town["deductions"] == {"overdue": 0.5}
    assert town["vetoes"] == []


def test_the_command_line_prints_department_scores(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """13.10: ``summary`` shows the departments' scores beside the towns'."""
    import json

    from click.testing import CliRunner

    from ruian_governance import to_document
    from ruian_governance.cli.commands import cli

    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    (tmp_path / "h.json").write_text(json.dumps(to_document(h)), encoding="utf-8")
    out = tmp_path / "run"
    runner = CliRunner()
    args = ["simulate", "--hierarchy", str(tmp_path / "h.json"), "--days", "30", "--rate", "2"]
    args += ["--out", str(out), "--quiet"]
    assert runner.invoke(cli, args).exit_code == 0
    shown = runner.invoke(cli, ["summary", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "departments 部门" in shown.stdout
    assert "veto 否决" in shown.stdout
    assert "示范市公安局" in shown.stdout
