"""Issue 12's and 13's analysis reaching the user: the summary, the CLI tables, the HTML report.

Issue 12 (Done when: "the analysis reports merged share, paused time, extensions, warnings by
level, rework rate and citizen satisfaction"): :func:`summarise` carries the intake figures and
the timeliness figures, ``Summary.to_json`` writes them, the command line prints them and the
HTML report shows them.  Issue 13 point 9: the supervision panel's findings 平安市民监督团 in
the cases' histories reach the assessment by default.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

import attrs
import pytest

from ruian_governance import Label, SimulationConfig, generate_hierarchy, simulate
from ruian_governance.analysis import (
    DEFAULT_RULES,
    SIX_NONE_CRITERIA,
    AssessmentRules,
    CaseMatch,
    Deduction,
    Rate,
    bundled_assessment,
    intake_figures,
    panel_records,
    summarise,
    timeliness,
)
from ruian_governance.cli.report import html_report, plain_console, print_summary
from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import (
    BUILTIN_LIFECYCLES,
    HAZARD_LADDER,
    TriggerKind,
    is_late,
    panel_findings,
)
from ruian_governance.models import CyclePhase
from ruian_governance.presets import RULES_2016, RULES_2021, RULES_2022
from ruian_governance.sim import SimulationResult
from test_lifecycle_joint import handling
from world import DAY, World, build_world, fire

DAYS = 56


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


@pytest.fixture(scope="module")
def run() -> SimulationResult:
    """Two 211 cycles of a small city: citizens' reports, pauses, panel findings."""
    h = generate_hierarchy(towns=3, villages=6, grids=12, micro_grids=0, seed=0)
    return simulate(SimulationConfig(hierarchy=h, days=DAYS, seed=1, reports_per_grid_per_day=0.6))


def test_the_summary_carries_the_intake_and_timeliness_figures(run: SimulationResult) -> None:
    """Issue 12: intake figures and timeliness at the latest record, in the JSON form too."""
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    at = max(c.history[-1].at for c in run.cases)
    assert summary.intake == intake_figures(run.cases)
    assert summary.timeliness == timeliness(run.cases, at, lifecycles=run.lifecycles)
    assert summary.intake.merged.total == summary.by_lifecycle["event"]
    assert summary.intake.citizen_satisfaction.total > 0
    data = summary.to_json()
    assert data["timeliness"] == summary.timeliness.to_json()  # type: ignore[union-attr]
    assert set(data["timeliness"]["warnings"]) == {"none", "green", "yellow", "red", "overdue"}
    assert data["intake"]["merged"]["total"] == summary.intake.merged.total
    assert data["intake"]["by_channel"] == dict(summary.intake.by_channel)
    channels = summary.intake.satisfaction_by_channel
    assert sum(r.count for r in channels.values()) == summary.intake.citizen_satisfaction.count
    assert sum(r.total for r in channels.values()) == summary.intake.citizen_satisfaction.total
    assert set(data["intake"]["satisfaction_by_channel"]) == set(channels)


def test_the_summary_time_is_given_or_the_latest_record(run: SimulationResult) -> None:
    """Issue 12: ``at`` moves the warning lights; a naive time is refused; no cases, no time."""
    later = run.config.start + timedelta(days=DAYS + 30)
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles, at=later)
    assert summary.timeliness == timeliness(run.cases, later, lifecycles=run.lifecycles)
    assert summary.assessment.as_of == later
    with pytest.raises(ArgumentError):
        summarise(run.cases, run.hierarchy, at=datetime(2025, 3, 3))
    with pytest.raises(ArgumentError):
        summarise(run.cases, run.hierarchy, at="2025-03-03")  # type: ignore[arg-type]
    empty = summarise([], run.hierarchy)
    assert empty.timeliness is None
    assert empty.intake.cases == 0
    assert empty.to_json()["timeliness"] is None
    assert empty.to_json()["intake"]["merged"] == {"count": 0, "total": 0, "value": None}


def test_the_panel_findings_reach_the_assessment_by_default(run: SimulationResult) -> None:
    """13.9: the findings in the hazards' histories score towns and departments by default."""
    found = panel_findings(run.cases)
    records = panel_records(run.cases, run.hierarchy)
    assert records
    assert len(records) == sum(len(v) for v in found.values())
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    scored = sum(u.findings for u in (*summary.assessment.towns, *summary.assessment.departments))
    assert scored == len(records)
    assert any(u.deductions.get("panel_findings") for u in summary.assessment.towns)
    given = bundled_assessment(
        run.cases, run.hierarchy, lifecycles=run.lifecycles, findings=records
    )
    assert summary.assessment == given
    without = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles, findings=())
    assert all(u.findings == 0 for u in without.assessment.towns)
    assert without.to_json()["assessment"] != summary.to_json()["assessment"]


def test_panel_records_leave_out_findings_the_assessment_cannot_place(
    run: SimulationResult,
) -> None:
    """13.9: a finding about the city (no town, no department) or an unknown id is not scored."""
    hazard = next(
        c for c in run.cases if any(r.trigger == "record_panel_finding" for r in c.history)
    )
    city = run.hierarchy.city.id
    records = [
        attrs.evolve(
            r, data=tuple(sorted({**dict(r.data), "inspected": (city, "nowhere")}.items()))
        )
        if r.trigger == "record_panel_finding"
        else r
        for r in hazard.history
    ]
    forged = attrs.evolve(hazard, history=tuple(records))
    assert {city, "nowhere"} <= set(panel_findings([forged]))
    assert panel_records([forged], run.hierarchy) == [
        (u, f) for u, fs in panel_findings([forged]).items() if u not in {city, "nowhere"}
        for f in fs
    ]  # fmt: skip
    summarise([forged], run.hierarchy, lifecycles=run.lifecycles)  # does not raise


def test_the_command_line_prints_intake_and_timeliness(run: SimulationResult) -> None:
    """Issue 12: the summary tables show channels, merged share, rework, callbacks, lights."""
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    console = plain_console(record=True, width=160)
    print_summary(console, summary, run.hierarchy)
    text = console.export_text()
    for shown in ("受理与时效", "重复件合并", "重办", "抽查", "回访满意率", "亮灯", "超期", "挂起",
                  "延期", "联办"):  # fmt: skip
        assert shown in text, shown
    assert str(summary.intake.merged) in text


def _page(run: SimulationResult, summary: object) -> str:
    return html_report(
        run.cases, run.hierarchy, summary, lifecycles=run.lifecycles,  # type: ignore[arg-type]
        start=run.config.start, days=DAYS, title="示范市 report", rules=RULES_2021,
    )  # fmt: skip


def test_the_report_shows_intake_and_timeliness(run: SimulationResult) -> None:
    """Issue 12: a section with the intake figures and the warning lights, still self-contained."""
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    page = _page(run, summary)
    assert "受理与时效研判" in page
    for shown in ("重复件合并", "撤件", "重办", "抽查", "回访满意率", "亮灯预警", "绿灯", "黄灯",
                  "红灯", "挂起", "延期", "联办"):  # fmt: skip
        assert shown in page, shown
    assert "<script" not in page
    assert str(summary.intake.citizen_satisfaction) in page


def test_hostile_channel_names_are_escaped_in_the_report(run: SimulationResult) -> None:
    """Issue 12: a channel name holding markup is shown as text, not as HTML."""
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    hostile = attrs.evolve(
        summary.intake,
        by_channel={"<script>alert(1)</script>": 3},
        satisfaction_by_channel={"<img src=x onerror=1>": Rate(count=1, total=2)},
    )
    page = _page(run, attrs.evolve(summary, intake=hostile))
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r"&lt;img src=x onerror=1&gt;", page)


def test_the_report_lists_a_paused_case_within_its_grant_as_not_overdue(
    run: SimulationResult,
) -> None:
    """Issue 12 point 3: the report's overdue list counts paused time as the engine does."""
    paused = [c for c in run.cases if any(r.trigger == "pause" for r in c.history)]
    assert paused
    summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
    page = _page(run, summary)
    head = re.search(r"Overdue cases 超期案件 \((\d+),", page)
    assert head is not None
    end = run.config.start + timedelta(days=DAYS)
    definitions = {d.key: d for d in run.lifecycles}
    late = [c for c in run.cases if is_late(c, definitions[c.lifecycle], end)]
    assert int(head.group(1)) == len(late)


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_the_simulation_records_panel_findings_in_revisit_weeks_at_its_rate(rate: float) -> None:
    """13.9: ``record_panel_finding`` only in revisit weeks, by the panel, once per hazard.

    At rate 0 the panel records none (and finds no hazard); at rate 1 every overdue hazard on
    the ladder has exactly one, naming the units assigned to it.
    """
    h = generate_hierarchy(towns=3, villages=6, grids=12, micro_grids=0, seed=0)
    config = SimulationConfig(hierarchy=h, days=DAYS, seed=3, panel_findings=rate)
    cases = simulate(config).cases
    records = [
        (case, r) for case in cases for r in case.history if r.trigger == "record_panel_finding"
    ]
    if rate == 0.0:
        assert records == []
        assert panel_findings(cases) == {}
        return
    assert records
    for case, record in records:
        assert config.cycle.phase(record.at) is CyclePhase.REVISIT
        assert record.actor.role == "supervision_panel_member"
        assert set(record.get("inspected") or ()) <= {*case.assignees, *(
            u for r in case.history for u in (r.get("units") or ()))}  # fmt: skip
    per_case = Counter(case.id for case, _ in records)
    assert set(per_case.values()) == {1}
    climbed = {c.id for c in cases if any(r.trigger == "circulate" for r in c.history)}
    assert climbed <= set(per_case)


def _items() -> list[tuple[str, CaseMatch]]:
    return [
        *((d.key, d.match) for d in DEFAULT_RULES.deductions),
        *((v.key, v.match) for v in DEFAULT_RULES.vetoes),
        *((c.key, c.match) for c in SIX_NONE_CRITERIA),
    ]


@pytest.mark.parametrize(("key", "match"), _items(), ids=[k for k, _ in _items()])
def test_default_items_name_keys_the_built_ins_have(key: str, match: CaseMatch) -> None:
    """13.10-11: the default veto, deductions and six-none criteria can match a built-in case.

    Every lifecycle, category, severity and trigger key they name exists (the hazard ladder
    changed: listing is no longer a rung, so a ``SANCTION`` item reads circulate, summon and
    hold accountable), and some built-in lifecycle meets all their lifecycle, kind and
    severity conditions at once.
    """
    del key
    built = list(BUILTIN_LIFECYCLES)
    categories = {k for rules in (RULES_2016, RULES_2021, RULES_2022) for k in rules.keys}
    assert match.categories <= categories
    assert match.lifecycles <= {d.key for d in built}
    triggers = {t.key for d in built for t in d.triggers}
    assert match.triggers <= triggers
    fitting = []
    for definition in built:
        opens = {t.kind for t in definition.triggers if t.kind is not None} & {
            TriggerKind.REPORT,
            TriggerKind.FIND,
        }
        kinds = {t.kind for t in definition.triggers if t.kind is not None}
        severities = {s.key for s in definition.severities}
        if (
            (not match.lifecycles or definition.key in match.lifecycles)
            and (not match.opened_by or match.opened_by & opens)
            and (not match.trigger_kinds or match.trigger_kinds & kinds)
            and (not match.severities or match.severities & severities)
        ):
            fitting.append(definition.key)
    assert fitting, match.describe()
    sanctions = {t.key for d in built for t in d.triggers if t.kind is TriggerKind.SANCTION}
    assert sanctions == set(HAZARD_LADDER)


def test_a_paused_case_within_its_grant_is_not_overdue_in_the_assessment(world: World) -> None:
    """Issue 12 point 3 in the assessment: paused time is not late; past the grant it is."""
    case = handling(world)
    assert case.due_at is not None
    paused = fire(world, case, "pause", "operator", days=1, reason="rain")
    rules = AssessmentRules(
        deductions=[Deduction(key="late", label=Label(en="late", zh="超期"),
                              match=CaseMatch(overdue=True), points=1.0)]
    )  # fmt: skip
    town = world.h.town_of(paused.location_id)
    assert town is not None

    def deducted(at: datetime) -> dict[str, float]:
        scores = bundled_assessment([paused], world.h, rules=rules, as_of=at, findings=())
        return dict(next(u for u in scores.towns if u.unit_id == town.id).deductions)

    assert deducted(case.due_at + DAY) == {}
    assert deducted(case.due_at + 10 * DAY) == {"late": 1.0}
