"""Hazard rectification 隐患整改: the loop, the five fixed, and the overdue ladder."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from ruian_governance import Case
from ruian_governance.errors import (
    GuardFailedError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
)
from ruian_governance.lifecycles import HAZARD_LADDER, hazard_rung
from world import DAY, FIVE_FIXED, HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def fire(
    world: World, case: Case, trigger: str, actor: str, delay: timedelta = HOUR, **data: object
) -> Case:
    """Fire ``trigger`` as ``actor`` some time after the case's last record."""
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + delay, **data)  # type: ignore[arg-type]


def assigned(world: World) -> Case:
    """A hazard found on patrol and assigned to the town's police station."""
    return fire(world, open_case(world, "hazard"), "assign", "operator",
                units=(world.station("police_station"),), notice="整改交办单 2025-001")  # fmt: skip


def test_hazard_loop_from_patrol_to_delisting(world: World) -> None:
    """Discovered -> assigned -> rectifying (五落实) -> checking -> closed 销号/摘牌."""
    case = assigned(world)
    assert case.due_at is not None
    assert case.due_at.date() == (T0 + 60 * DAY).date() + DAY
    with pytest.raises(MissingDataError) as info:
        fire(world, case, "start_rectification", "police", responsibility="owner Chen")
    assert info.value.missing == ("deadline", "funds", "measures", "plan")
    case = fire(world, case, "start_rectification", "police", **FIVE_FIXED)
    case = fire(world, case, "submit_for_check", "police", result="rewired")
    case = fire(world, case, "fail_check", "operator", reason="exit still blocked")
    assert case.state == "rectifying"
    case = fire(world, case, "submit_for_check", "police", result="exit cleared")
    case = fire(world, case, "pass_check", "centre")
    assert case.state == "closed"
    assert world.engine.replay(case.history) == case


def test_three_sources_of_discovery(world: World) -> None:
    """暗访 by the centre, routine checks by stations, patrols by grid workers."""
    engine = world.engine
    facts = {"at": T0, "location_id": world.grid, "category": "fire", "severity": "major"}
    covert = engine.open("hazard", case_id="H1", trigger="find_in_covert_inspection",
                         actor=world["centre"], **facts)  # type: ignore[arg-type]  # fmt: skip
    routine = engine.open("hazard", case_id="H2", trigger="find_in_routine_check",
                          actor=world["police"], **facts)  # type: ignore[arg-type]  # fmt: skip
    assert {covert.state, routine.state} == {"discovered"}
    with pytest.raises(JurisdictionError):
        engine.open("hazard", case_id="H3", trigger="find_in_routine_check",
                    actor=world["other_police"], **facts)  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(RoleNotAllowedError):
        engine.open("hazard", case_id="H4", trigger="find_in_covert_inspection",
                    actor=world["worker"], **facts)  # type: ignore[arg-type]  # fmt: skip


def test_overdue_ladder_climbs_one_rung_at_a_time(world: World) -> None:
    """通报 -> 约谈 -> 问责: only when overdue, in order, spaced, each recorded (issue 13.7)."""
    case = fire(world, assigned(world), "start_rectification", "police", **FIVE_FIXED)
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "circulate", "operator")
    assert info.value.guard == "overdue"
    case = fire(world, case, "circulate", "centre", delay=61 * DAY)
    police = world.station("police_station")
    with pytest.raises(GuardFailedError) as info:  # the same day: the spacing is not over
        fire(world, case, "summon", "operator", targets=(police,))
    assert info.value.guard == "after_circulate"
    with pytest.raises(GuardFailedError):
        fire(world, case, "hold_accountable", "operator", delay=8 * DAY, targets=(police,))
    with pytest.raises(GuardFailedError):
        fire(world, case, "circulate", "operator", delay=8 * DAY)  # no rung twice
    for rung in HAZARD_LADDER[1:]:
        case = fire(world, case, rung, "operator", delay=8 * DAY, targets=(police,),
                    note=f"{rung} issued")  # fmt: skip
    assert hazard_rung(case) == 3
    ladder = [
        (r.trigger, r.actor.person_id, r.at) for r in case.history if r.trigger in HAZARD_LADDER
    ]
    assert [t for t, _, _ in ladder] == list(HAZARD_LADDER)
    assert ladder[0][1] == world["centre"].person_id
    assert all(b[2] - a[2] >= 7 * DAY for a, b in pairwise(ladder))
    for rung in HAZARD_LADDER:
        with pytest.raises(GuardFailedError):
            fire(world, case, rung, "operator", delay=30 * DAY, targets=(police,))
    case = fire(world, case, "submit_for_check", "police", result="done at last")
    assert fire(world, case, "pass_check", "operator").state == "closed"


def test_only_the_assigned_unit_rectifies(world: World) -> None:
    """Another station, even of the same town, cannot act on the hazard."""
    case = assigned(world)
    with pytest.raises(JurisdictionError):
        fire(world, case, "start_rectification", "judicial", **FIVE_FIXED)
    with pytest.raises(InvalidTransitionError):
        fire(world, case, "pass_check", "operator")
