"""Step deadlines and warnings 亮灯预警 (issue 12 point 5) and working time."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from ruian_governance import CHINA_STANDARD_TIME, EVENT_LIFECYCLE, Case
from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import (
    DueCommand,
    WarningLevel,
    due_commands,
    step_started,
    warning_level,
)
from ruian_governance.models import (
    DeadlinePolicy,
    StepLimit,
    WorkingHours,
    add_working_time,
    working_time,
)
from world import HOUR, T0, World, build_world, fire, open_case

LIFECYCLES = {"event": EVENT_LIFECYCLE}


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def dispatched(world: World) -> Case:
    """An ordinary event dispatched to the police station at 11:00 on Monday 3 March 2025."""
    case = fire(world, open_case(world, "event"), "accept", "operator")
    return fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))


def test_sign_within_two_working_hours_turns_yellow_then_red(world: World) -> None:
    """Point 5: green, yellow at 80% of the step's time, red when the step is due."""
    case = dispatched(world)
    step, started = step_started(case, EVENT_LIFECYCLE)
    assert (step, started) == ("dispatched", T0 + 2 * HOUR)
    level = [
        warning_level(case, started + timedelta(minutes=m), EVENT_LIFECYCLE)
        for m in (0, 60, 100, 119, 120, 600)
    ]
    assert level == [
        WarningLevel.GREEN,
        WarningLevel.GREEN,
        WarningLevel.YELLOW,
        WarningLevel.YELLOW,
        WarningLevel.RED,
        WarningLevel.RED,
    ]
    signed = fire(world, case, "sign", "police")
    assert warning_level(signed, signed.last.at, EVENT_LIFECYCLE) is WarningLevel.GREEN
    assert case.due_at is not None
    assert warning_level(case, case.due_at, EVENT_LIFECYCLE) is WarningLevel.OVERDUE


def test_office_hours_count_not_the_night(world: World) -> None:
    """Point 5: a step started at 17:00 on Monday counts 30 minutes, then Tuesday morning."""
    case = dispatched(world)
    late = attrs.evolve(EVENT_LIFECYCLE.deadlines)  # same policy
    assert late == EVENT_LIFECYCLE.deadlines
    evening = datetime(2025, 3, 3, 17, 0, tzinfo=CHINA_STANDARD_TIME)
    night = datetime(2025, 3, 4, 8, 0, tzinfo=CHINA_STANDARD_TIME)
    assert working_time(evening, night) == timedelta(minutes=30)
    assert add_working_time(evening, 2 * HOUR) == datetime(
        2025, 3, 4, 10, 0, tzinfo=CHINA_STANDARD_TIME
    )
    case = fire(
        world, open_case(world, "event", "E2"), "accept", "operator", delay=8 * HOUR
    )  # 17:00
    case = fire(
        world,
        case,
        "dispatch",
        "operator",
        delay=timedelta(0),
        units=(world.station("police_station"),),
    )
    assert warning_level(case, night, EVENT_LIFECYCLE) is WarningLevel.GREEN
    assert warning_level(case, night + 1.5 * HOUR, EVENT_LIFECYCLE) is WarningLevel.GREEN
    assert warning_level(case, night + 1.75 * HOUR, EVENT_LIFECYCLE) is WarningLevel.YELLOW
    assert warning_level(case, night + 2 * HOUR, EVENT_LIFECYCLE) is WarningLevel.RED


def test_configurable_hours_share_and_steps() -> None:
    """Point 5: working hours, the yellow share and step limits are configuration."""
    hours = WorkingHours(start=datetime(2025, 1, 1, 9).time(), end=datetime(2025, 1, 1, 12).time())
    assert hours.length == timedelta(hours=3)
    policy = DeadlinePolicy(by_severity={}, steps={"a": StepLimit(days=2)}, warn_share=0.5,
                            hours=hours)  # fmt: skip
    assert policy.steps["a"].days == 2
    for bad in ({"a": 3}, {3: StepLimit(hours=1)}):
        with pytest.raises(ArgumentError):
            DeadlinePolicy(by_severity={}, steps=bad)  # type: ignore[arg-type]
    for share in (0, 1, 1.5, float("nan"), "0.5", True):
        with pytest.raises(ArgumentError):
            DeadlinePolicy(by_severity={}, warn_share=share)  # type: ignore[arg-type]
    for kwargs in ({}, {"hours": 1, "days": 1}, {"hours": 0}, {"days": True}, {"hours": 10**9}):
        with pytest.raises(ArgumentError):
            StepLimit(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        WorkingHours(start=datetime(2025, 1, 1, 12).time(), end=datetime(2025, 1, 1, 9).time())


def test_closed_cases_have_no_light_and_the_lifecycle_must_match(world: World) -> None:
    """Point 5: a case whose clock does not run is 不计时; a wrong lifecycle is refused."""
    case = fire(world, open_case(world, "event"), "solve_on_spot", "worker", result="done")
    assert warning_level(case, case.last.at, EVENT_LIFECYCLE) is WarningLevel.NONE
    from ruian_governance import DISPUTE_LIFECYCLE

    with pytest.raises(ArgumentError):
        warning_level(case, case.last.at, DISPUTE_LIFECYCLE)
    with pytest.raises(ArgumentError):
        warning_level(case, case.last.at.replace(tzinfo=None), EVENT_LIFECYCLE)


def test_the_sweep_lists_supervision_once_per_overdue_case(world: World) -> None:
    """Point 5: due_commands names 督办 for an overdue case until it is fired."""
    case = fire(world, open_case(world, "event"), "accept", "operator")
    assert case.due_at is not None
    assert due_commands([case], case.due_at - HOUR, LIFECYCLES) == ()
    due = due_commands([case], case.due_at, LIFECYCLES)
    assert due == (
        DueCommand(case_id=case.id, trigger="escalate", level=WarningLevel.OVERDUE,
                   since=case.due_at),
        DueCommand(case_id=case.id, trigger="supervise", level=WarningLevel.OVERDUE,
                   since=case.due_at),
    )  # fmt: skip
    supervised = world.engine.apply(
        case, "supervise", actor=world["operator"], at=case.due_at + HOUR
    )
    assert [d.trigger for d in due_commands([supervised], case.due_at + 2 * HOUR, LIFECYCLES)] == [
        "escalate"
    ]
    with pytest.raises(ArgumentError):
        due_commands([case.id], case.due_at, LIFECYCLES)  # type: ignore[list-item]
