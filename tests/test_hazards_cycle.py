"""Issue 13 points 6-9: assignment 属地+行业, listing, the ladder, the 211 cycle, the panel."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs
import pytest

from ruian_governance import Case, MemoryCaseStore
from ruian_governance.errors import (
    ArgumentError,
    GuardFailedError,
    InvalidDataError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TransitionError,
)
from ruian_governance.lifecycles import (
    HAZARD_DEADLINES,
    HAZARD_LADDER,
    LISTING_LEVELS,
    PanelFinding,
    hazard_deadlines,
    hazard_lifecycle,
    hazard_listing,
    next_rung_at,
    panel_findings,
)
from ruian_governance.models import CHINA_STANDARD_TIME, CYCLE_211, CyclePhase, InspectionCycle
from world import DAY, FIVE_FIXED, HOUR, T0, World, build_world, fire_as, refused_as


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def found(world: World, severity: str = "general", actor: str = "centre", **data: object) -> Case:
    """A hazard found in a covert inspection in the world's grid at T0."""
    return world.engine.open("hazard", case_id="H1", trigger="find_in_covert_inspection",
                             actor=world[actor], at=T0, location_id=world.grid,
                             category="fire", severity=severity, **data)  # type: ignore[arg-type]  # fmt: skip


# --------------------------------------------------------------------------- point 6


def test_a_hazard_goes_to_its_town_a_station_or_a_sector_department(world: World) -> None:
    """Point 6: 属地 (the town, its stations) or 行业 (e.g. the emergency management bureau)."""
    case = found(world)
    emergency = world.department("emergency_management")
    police = world.station("police_station")
    for units in ((world.town,), (police,), (emergency,), (world.town, emergency)):
        assigned = fire_as(world, case, "assign", "operator", units=units, notice="ZG-1")
        assert assigned.assignees == units
    other_town = world.h.towns[1].id
    other_station = world["other_police"].unit_id
    for bad in ((other_town,), (other_station,), (world.village,), (world.grid,),
                (world.h.centre.id,), (police, police), ("nowhere",)):  # fmt: skip
        error = refused_as(world, case, GuardFailedError, "assign", "operator", units=bad,
                        notice="ZG-1")  # fmt: skip
        assert error.guard == "hazard_targets_fit"  # type: ignore[attr-defined]


def test_the_town_itself_rectifies_through_its_leader(world: World) -> None:
    """Point 6: a hazard assigned to the town is rectified by the town's leader."""
    case = fire_as(world, found(world), "assign", "operator", units=(world.town,), notice="ZG-2")
    refused_as(world, case, JurisdictionError, "start_rectification", "other_leader", **FIVE_FIXED)
    case = fire_as(world, case, "start_rectification", "town_leader", **FIVE_FIXED)
    assert (
        fire_as(world, case, "submit_for_check", "town_leader", result="done").state == "checking"
    )


def test_a_sector_department_rectifies(world: World) -> None:
    """Point 6: the sector department assigned rectifies; another department may not."""
    emergency = world.department("emergency_management")
    case = fire_as(world, found(world), "assign", "operator", units=(emergency,), notice="ZG-3")
    refused_as(world, case, JurisdictionError, "start_rectification", "justice", **FIVE_FIXED)
    officer = world.h.people_of(emergency, role="department_officer")[0]
    from ruian_governance.models import Actor

    actor = Actor(person_id=officer.id, role="department_officer", unit_id=emergency)
    case = world.engine.apply(case, "start_rectification", actor=actor, at=case.last.at + HOUR,
                              **FIVE_FIXED)  # fmt: skip
    assert case.state == "rectifying"


# --------------------------------------------------------------------------- point 7


def test_a_major_hazard_is_listed_at_a_level_once(world: World) -> None:
    """Point 7: 挂牌 at province / prefecture / county, for major hazards, not a rung."""
    general = found(world)
    error = refused_as(world, general, GuardFailedError, "list_hazard", "centre", level="county")
    assert error.guard == "major_hazard"  # type: ignore[attr-defined]
    major = found(world, "major")
    refused_as(world, major, MissingDataError, "list_hazard", "centre")
    for bad in ("city", "County", "", "national"):
        with pytest.raises(TransitionError):
            fire_as(world, major, "list_hazard", "centre", level=bad)
    refused_as(world, major, RoleNotAllowedError, "list_hazard", "worker", level="county")
    listed = fire_as(world, major, "list_hazard", "centre", level="province")
    assert hazard_listing(listed) == "province"
    assert listed.state == "discovered"
    refused_as(world, listed, GuardFailedError, "list_hazard", "centre", level="county")
    assert set(LISTING_LEVELS) == {"province", "prefecture", "county"}
    assert "list_hazard" not in HAZARD_LADDER


def test_summons_and_accountability_name_their_targets(world: World) -> None:
    """Point 7: 约谈 and 问责 record whom they target (units or people of the hierarchy)."""
    police = world.station("police_station")
    case = fire_as(world, found(world), "assign", "operator", units=(police,), notice="ZG-4")
    case = fire_as(world, case, "circulate", "centre", delay=10 * DAY)
    refused_as(world, case, MissingDataError, "summon", "centre")
    for bad in (("nowhere",), (police, police)):
        refused_as(world, case, GuardFailedError, "summon", "centre", targets=bad)
    leader = world["town_leader"].person_id
    case = fire_as(world, case, "summon", "centre", delay=8 * DAY, targets=(police, leader))
    assert case.last.get("targets") == (police, leader)


def test_the_spacing_and_the_order_are_configuration(world: World) -> None:
    """Point 7: the spacing is a limit of the policy; the order a parameter (design choice)."""
    policy = hazard_deadlines(rung_spacing_days=1)
    assert policy.limits["rung_spacing"].days == 1
    ladder = hazard_lifecycle(ladder=("summon", "circulate"))
    assert [
        t.key for t in ladder.triggers if t.kind is not None and t.kind.value == "sanction"
    ] == [
        "summon",
        "circulate",
    ]
    for bad in ((), ("summon", "summon"), ("list_for_supervision",), "summon", None, 3):
        with pytest.raises(ArgumentError):
            hazard_lifecycle(ladder=bad)  # type: ignore[arg-type]
    for bad in (0, -1, True, 1.5, 10_000):
        with pytest.raises(ArgumentError):
            hazard_deadlines(rung_spacing_days=bad)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        hazard_deadlines("cycle")  # type: ignore[arg-type]


def test_next_rung_at_follows_the_deadline_then_the_spacing(world: World) -> None:
    """Point 7: when the next rung may be climbed."""
    police = world.station("police_station")
    case = fire_as(world, found(world), "assign", "operator", units=(police,), notice="ZG-5")
    assert next_rung_at(case) == case.due_at
    case = fire_as(world, case, "circulate", "centre", delay=10 * DAY)
    spacing = HAZARD_DEADLINES.limits["rung_spacing"]
    assert next_rung_at(case) == spacing.due(case.last.at)


# --------------------------------------------------------------------------- point 8


def test_the_cycle_answers_day_phase_and_windows() -> None:
    """Point 8: inspection weeks, revisit weeks, start, day of cycle, what may happen."""
    cycle = InspectionCycle(start=date(2025, 3, 3))
    assert (cycle.days, cycle.inspection_days) == (28, 14)
    assert cycle == CYCLE_211
    days = [date(2025, 3, 3) + timedelta(days=d) for d in (0, 13, 14, 27, 28)]
    assert [cycle.day_of_cycle(d) for d in days] == [0, 13, 14, 27, 0]
    assert cycle.phase(date(2025, 3, 16)) is CyclePhase.INSPECTION
    assert cycle.phase(date(2025, 3, 17)) is CyclePhase.REVISIT
    assert "covert_inspection" in cycle.activities(date(2025, 3, 3))
    assert "accountability" in cycle.activities(date(2025, 3, 20))
    assert cycle.cycle_index(date(2025, 3, 2)) == -1
    assert cycle.day_of_cycle(date(2025, 3, 2)) == 27
    assert cycle.inspection_window(date(2025, 4, 1)) == (date(2025, 3, 31), date(2025, 4, 14))
    assert cycle.next_revisit(date(2025, 3, 20)) == date(2025, 3, 20)
    late = datetime(2025, 3, 16, 23, 30, tzinfo=CHINA_STANDARD_TIME)
    assert cycle.phase(late) is CyclePhase.INSPECTION  # read in China time
    assert (
        cycle.phase(late.astimezone(CHINA_STANDARD_TIME).replace(hour=23)) is CyclePhase.INSPECTION
    )
    other = InspectionCycle(start=date(2025, 1, 1), inspection_weeks=1, revisit_weeks=3)
    assert (other.days, other.phase(date(2025, 1, 8))) == (28, CyclePhase.REVISIT)


@pytest.mark.parametrize(
    "bad",
    [
        {"start": datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME)},
        {"start": "2025-03-03"},
        {"start": None},
        {"start": date(2025, 3, 3), "inspection_weeks": 0},
        {"start": date(2025, 3, 3), "revisit_weeks": 53},
        {"start": date(2025, 3, 3), "revisit_weeks": True},
        {"start": date(2025, 3, 3), "revisit_weeks": 2.0},
    ],
)
def test_the_cycle_refuses_bad_arguments(bad: dict[str, object]) -> None:
    """Point 8: dates, not datetimes; 1-52 whole weeks."""
    with pytest.raises(ArgumentError):
        InspectionCycle(**bad)  # type: ignore[arg-type]


def test_the_cycle_refuses_naive_or_foreign_times() -> None:
    """Point 8: a naive datetime or a string is not a day of the cycle."""
    for bad in (datetime(2025, 3, 3), "2025-03-03", None, float("nan")):
        with pytest.raises(ArgumentError):
            CYCLE_211.day_of_cycle(bad)  # type: ignore[arg-type]


def test_a_covert_finding_becomes_overdue_within_its_revisit_fortnight(world: World) -> None:
    """Point 8: before, the 60-day default never made a finding overdue in its fortnight."""
    cycle = InspectionCycle(start=T0.date())
    for day in range(cycle.inspection_days):
        at = T0 + timedelta(days=day, hours=2)
        case = world.engine.open("hazard", case_id="H1", trigger="find_in_covert_inspection",
                                 actor=world["centre"], at=at, location_id=world.grid,
                                 category="fire", severity="general")  # fmt: skip
        assert case.due_at is not None
        start, end = cycle.revisit_window(at)
        assert case.due_at.date() <= start + timedelta(days=7) < end, day  # overdue by mid-revisit
    patrol = world.engine.open("hazard", case_id="H2", trigger="find_on_patrol",
                               actor=world["worker"], at=T0, location_id=world.grid,
                               category="fire", severity="general")  # fmt: skip
    assert patrol.due_at is not None
    assert patrol.due_at.date() == (T0 + 61 * DAY).date()


# --------------------------------------------------------------------------- point 9


def test_the_panel_records_findings_about_units(world: World) -> None:
    """Point 9: the panel joins covert inspections and names the units; findings per unit."""
    panel = world.h.people_of(world.h.city.id, role="supervision_panel_member")[0]
    from ruian_governance.models import Actor

    member = Actor(person_id=panel.id, role="supervision_panel_member", unit_id=world.h.city.id)
    world.actors["panel"] = member
    police = world.station("police_station")
    case = found(world, actor="panel", inspected=(police,), description="消防通道堵塞")
    case = fire_as(world, case, "record_panel_finding", "panel", inspected=(world.town,),
                note="复查仍未整改")  # fmt: skip
    for bad in (("nowhere",), (police, police), (panel.id,)):
        refused_as(world, case, GuardFailedError, "record_panel_finding", "panel", inspected=bad,
                note="x")  # fmt: skip
    refused_as(world, case, RoleNotAllowedError, "record_panel_finding", "centre",
            inspected=(police,), note="not the panel")  # fmt: skip
    centre_case = attrs.evolve(found(world), id="H9")
    findings = panel_findings([case, centre_case])
    assert list(findings) == sorted([police, world.town])
    first = findings[police][0]
    assert isinstance(first, PanelFinding)
    assert (first.case_id, first.note, first.person_id) == ("H1", "消防通道堵塞", panel.id)
    assert findings[world.town][0].trigger == "record_panel_finding"
    assert panel_findings([centre_case]) == {}
    unnamed = world.engine.open("hazard", case_id="H3", trigger="find_in_covert_inspection",
                                actor=member, at=T0, location_id=world.grid,
                                category="fire", severity="general")  # fmt: skip
    assert list(panel_findings([unnamed])) == [world.grid]


def test_a_refused_hazard_command_leaves_the_store_unchanged(world: World) -> None:
    """Refusals change nothing in a store (points 6 and 7)."""
    store = MemoryCaseStore(world.engine)
    case = store.add(found(world, "major"))
    with pytest.raises(GuardFailedError):
        store.apply(case.id, case.version, "assign", actor=world["operator"],
                    at=case.last.at + HOUR, units=(world.grid,), notice="x")  # fmt: skip
    with pytest.raises(InvalidDataError):
        store.apply(case.id, case.version, "list_hazard", actor=world["centre"],
                    at=case.last.at + HOUR, level=3)  # fmt: skip
    assert store.get(case.id) is case


def test_the_simulation_runs_the_cycle_with_panel_findings_and_courts() -> None:
    """Points 1, 3, 8, 9: a run uses its InspectionCycle and the configurable rates."""
    from ruian_governance import generate_hierarchy
    from ruian_governance.sim import SimulationConfig, simulate

    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    config = SimulationConfig(hierarchy=h, days=42, seed=5, reports_per_grid_per_day=1.5,
                              hazards_per_town_per_day=2.0, panel_findings=1.0,
                              confirmation=1.0, village_mediation=1.0, inspection_weeks=1,
                              revisit_weeks=2)  # fmt: skip
    result = simulate(config)
    cycle = config.cycle
    hazards = [c for c in result.cases if c.lifecycle == "hazard"]
    assert hazards
    for case in hazards:
        assert cycle.phase(case.opened_at) is CyclePhase.INSPECTION
        assert case.history[0].actor.role == "supervision_panel_member"
    assert panel_findings(result.cases)
    disputes = [c for c in result.cases if c.lifecycle == "dispute"]
    triggers = {r.trigger for c in disputes for r in c.history}
    assert {"apply_confirmation", "revisit"} <= triggers
    roles = {r.actor.role for c in disputes for r in c.history}
    assert {"judge", "mediation_committee_member"} <= roles
    none = SimulationConfig(hierarchy=h, days=14, seed=5, panel_findings=0.0, confirmation=0.0)
    quiet = simulate(none)
    assert panel_findings(quiet.cases) == {}
    assert not any(r.trigger == "apply_confirmation" for c in quiet.cases for r in c.history)
