"""The event closed loop 事件闭环: happy path, side paths and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ruian_governance import EVENT_LIFECYCLE, Actor, Case, TransitionError
from ruian_governance.errors import (
    GuardFailedError,
    InvalidActorError,
    InvalidDataError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TimeOrderError,
    UnexpectedDataError,
)
from world import DAY, HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def fire(
    world: World, case: Case, trigger: str, actor: str, delay: timedelta = HOUR, **data: object
) -> Case:
    """Fire ``trigger`` as ``actor`` some time after the case's last record."""
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + delay, **data)  # type: ignore[arg-type]


def to_feedback(world: World, case: Case) -> Case:
    """Drive a reported event to the feedback state through one police station."""
    case = fire(world, case, "accept", "operator")
    case = fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))
    case = fire(world, case, "sign", "police")
    case = fire(world, case, "start", "police")
    return fire(world, case, "feed_back", "police", result="noise stopped")


def test_happy_path_reaches_evaluated(world: World) -> None:
    """Report, accept, dispatch, sign, handle, feed back, verify, close, evaluate: 9 records."""
    case = open_case(world, "event")
    case = to_feedback(world, case)
    case = fire(world, case, "verify", "worker")
    case = fire(world, case, "close", "operator")
    case = fire(world, case, "evaluate", "worker", stars=5)
    assert case.state == "evaluated"
    assert [r.trigger for r in case.history] == [
        "report", "accept", "dispatch", "sign", "start", "feed_back", "verify", "close", "evaluate",
    ]  # fmt: skip
    assert case.version == 8
    assert [r.seq for r in case.history] == list(range(9))
    assert case.assignees == (world.station("police_station"),)
    assert case.history[-1].get("stars") == 5
    assert world.engine.replay(case.history) == case


def test_opening_sets_holder_town_and_working_day_deadline(world: World) -> None:
    """A reported event is held by its town and due after 3 working days by default."""
    case = open_case(world, "event")
    assert case.unit_id == world.town
    assert case.reporter_id == world["worker"].person_id
    assert case.due_at == EVENT_LIFECYCLE.deadlines.due("ordinary", T0)
    assert case.due_at is not None
    assert case.due_at.date().isoformat() == "2025-03-07"


def test_reject_needs_a_reason_and_is_final(world: World) -> None:
    """不予受理 requires a reason; afterwards nothing may be fired."""
    case = open_case(world, "event")
    with pytest.raises(MissingDataError) as info:
        fire(world, case, "reject", "operator")
    assert info.value.missing == ("reason",)
    case = fire(world, case, "reject", "operator", reason="not a governance matter")
    assert case.state == "rejected"
    assert world.engine.allowed(case, world["operator"]) == ()
    with pytest.raises(InvalidTransitionError):
        fire(world, case, "accept", "operator")


def test_solved_on_the_spot_closes_directly(world: World) -> None:
    """就地解决: the grid worker closes a small matter at once, then it can be evaluated.

    By someone else of the location (issue 12 point 7: not by the worker who solved it).
    """
    case = fire(
        world, open_case(world, "event"), "solve_on_spot", "worker", result="talked to both"
    )
    assert case.state == "closed"
    with pytest.raises(GuardFailedError) as own:
        fire(world, case, "evaluate", "worker", stars=5)
    assert own.value.guard == "not_own_work"
    case = fire(world, case, "evaluate", "cadre", stars=4)
    assert case.state == "evaluated"
    with pytest.raises(GuardFailedError) as info:  # the next day is too late for 就地解决
        fire(world, open_case(world, "event"), "solve_on_spot", "worker", delay=DAY, result="ok")
    assert info.value.guard == "on_the_spot_in_time"


def test_return_then_dispatch_again(world: World) -> None:
    """退回: a station returns with a reason, the assignment is cleared, it is dispatched again."""
    case = fire(world, open_case(world, "event"), "accept", "operator")
    case = fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))
    case = fire(world, case, "return", "police", reason="not our duty")
    assert (case.state, case.assignees) == ("returned", ())
    with pytest.raises(InvalidTransitionError):
        fire(world, case, "sign", "police")
    case = fire(world, case, "dispatch", "operator", units=(world.station("judicial_office"),))
    case = fire(world, case, "sign", "judicial")
    assert case.state == "signed"


def test_failed_verification_goes_back_to_handling(world: World) -> None:
    """核查不通过: failure sends the case back to in_progress with a reason."""
    case = to_feedback(world, open_case(world, "event"))
    case = fire(world, case, "fail_verification", "worker", reason="still noisy")
    assert case.state == "in_progress"
    case = fire(world, case, "feed_back", "police", result="really fixed")
    assert fire(world, case, "verify", "worker").state == "verified"


def test_extension_is_requested_then_approved_within_the_limits(world: World) -> None:
    """延期 (issue 12 point 4): the lead asks, the command room approves or refuses.

    At most two are granted, 15 working days in all (the policy's configuration).
    """
    case = to_feedback(world, open_case(world, "event"))
    case = fire(world, case, "fail_verification", "worker", reason="redo")
    with pytest.raises(InvalidTransitionError):  # the room approves only what was asked
        fire(world, case, "extend", "operator", days=10)
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "approve_extension", "operator")
    assert info.value.guard == "extension_pending"
    with pytest.raises(RoleNotAllowedError):
        fire(world, case, "request_extension", "operator", days=10, reason="weather")
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "request_extension", "police", days=16, reason="too long")
    assert info.value.guard == "extension_within_limits"
    asked = fire(world, case, "request_extension", "police", days=10, reason="waiting for parts")
    assert asked.due_at == case.due_at
    assert asked.state == "in_progress"
    with pytest.raises(GuardFailedError) as info:  # one request pending at a time
        fire(world, asked, "request_extension", "police", days=1, reason="again")
    assert info.value.guard == "no_extension_pending"
    granted = fire(world, asked, "approve_extension", "operator")
    assert case.due_at is not None
    assert granted.due_at is not None
    assert granted.due_at.time() == case.due_at.time()
    assert granted.due_at > case.due_at
    refused = fire(world, asked, "refuse_extension", "operator", reason="not justified")
    assert refused.due_at == case.due_at
    with pytest.raises(GuardFailedError):  # 10 + 6 > 15 days in all
        fire(world, granted, "request_extension", "police", days=6, reason="more")
    again = fire(world, granted, "request_extension", "police", days=5, reason="more")
    again = fire(world, again, "approve_extension", "operator")
    with pytest.raises(GuardFailedError):  # two granted: the count is spent
        fire(world, again, "request_extension", "police", days=1, reason="more")
    assert world.engine.replay(again.history) == again


def test_supervision_only_when_overdue(world: World) -> None:
    """督办: refused before the deadline, recorded without a state change after it."""
    case = fire(world, open_case(world, "event"), "accept", "operator")
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "supervise", "operator")
    assert info.value.guard == "overdue"
    late = fire(world, case, "supervise", "centre", delay=10 * DAY, note="hurry")
    assert late.state == "accepted"
    assert late.history[-1].trigger == "supervise"
    assert world.engine.overdue([case, late], late.last.at) == (case, late)


def test_major_event_escalates_to_city_departments(world: World) -> None:
    """重大: escalation moves the case to the city; the centre dispatches to departments."""
    case = fire(world, open_case(world, "event"), "accept", "operator")
    case = fire(world, case, "escalate", "operator", reason="beyond the town")
    assert (case.unit_id, case.severity) == (world.h.city.id, "major")
    with pytest.raises(JurisdictionError):
        fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))
    with pytest.raises(GuardFailedError):
        fire(world, case, "dispatch", "centre", units=(world.station("police_station"),))
    dept = world.department("public_security")
    case = fire(world, case, "dispatch", "centre", units=(dept,))
    police_dept = Actor.of(world.h, world.h.people_of(dept)[0].id)
    case = world.engine.apply(case, "sign", actor=police_dept, at=case.last.at + HOUR)
    assert case.state == "signed"
    escalated = fire(world, fire(world, open_case(world, "event"), "accept", "operator"),
                     "escalate", "operator", reason="big")  # fmt: skip
    with pytest.raises(JurisdictionError):  # the town no longer holds it: no second escalation
        fire(world, escalated, "escalate", "operator", reason="again")


def test_larger_event_may_go_to_several_stations(world: World) -> None:
    """较大: several stations coordinate; an ordinary event goes to exactly one."""
    ordinary = fire(world, open_case(world, "event"), "accept", "operator")
    two = (world.station("police_station"), world.station("judicial_office"))
    with pytest.raises(GuardFailedError) as info:
        fire(world, ordinary, "dispatch", "operator", units=two)
    assert info.value.guard == "one_unit_if_ordinary"
    larger = world.engine.open(
        "event", case_id="L1", trigger="report", actor=world["worker"], at=T0,
        location_id=world.grid, category="flood", severity="larger",
    )  # fmt: skip
    larger = fire(
        world, fire(world, larger, "accept", "operator"), "dispatch", "operator", units=two
    )
    assert larger.assignees == two
    with pytest.raises(JurisdictionError):  # issue 12 point 1: an assisting unit's sign
        fire(world, larger, "sign", "judicial")  # no longer signs the case for both
    assert fire(world, larger, "assist_sign", "judicial").state == "dispatched"
    assert fire(world, larger, "sign", "police").state == "signed"


def test_only_assigned_stations_act(world: World) -> None:
    """A station not assigned the case, or of another town, cannot sign it."""
    case = fire(world, open_case(world, "event"), "accept", "operator")
    case = fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))
    for actor in ("judicial", "other_police"):
        with pytest.raises(JurisdictionError):
            fire(world, case, "sign", actor)


def test_other_town_and_other_grid_are_outside_jurisdiction(world: World) -> None:
    """Another town's command room cannot accept; another grid's worker cannot verify."""
    case = open_case(world, "event")
    with pytest.raises(JurisdictionError):
        fire(world, case, "accept", "other_operator")
    case = to_feedback(world, case)
    for actor in ("other_worker", "sibling_worker"):
        with pytest.raises(JurisdictionError):
            fire(world, case, "verify", actor)


def test_opening_checks_the_reporter(world: World) -> None:
    """Only grid-level people report in their own grid; operators register in their town."""
    engine = world.engine
    facts = {"at": T0, "location_id": world.grid, "category": "noise", "severity": "ordinary"}
    with pytest.raises(JurisdictionError):
        engine.open("event", case_id="X", trigger="report", actor=world["other_worker"], **facts)  # type: ignore[arg-type]
    with pytest.raises(RoleNotAllowedError):
        engine.open("event", case_id="X", trigger="report", actor=world["police"], **facts)  # type: ignore[arg-type]
    with pytest.raises(JurisdictionError):
        engine.open(
            "event", case_id="X", trigger="register", actor=world["other_operator"], **facts
        )  # type: ignore[arg-type]
    case = engine.open(
        "event", case_id="X", trigger="register", actor=world["operator"], channel="12345", **facts
    )  # type: ignore[arg-type]
    assert case.state == "reported"
    with pytest.raises(InvalidTransitionError):
        engine.open("event", case_id="X", trigger="accept", actor=world["operator"], **facts)  # type: ignore[arg-type]


def test_evaluation_needs_one_to_five_stars(world: World) -> None:
    """评价: 0 or 6 stars, or no stars, are refused (the data type of ``stars`` is 1-5)."""
    case = fire(world, open_case(world, "event"), "solve_on_spot", "worker", result="ok")
    for stars in (0, 6):
        with pytest.raises(InvalidDataError):
            fire(world, case, "evaluate", "worker", stars=stars)
    with pytest.raises(MissingDataError):
        fire(world, case, "evaluate", "worker")


@pytest.mark.parametrize(
    ("trigger", "actor", "data", "delay", "error"),
    [
        ("close", "operator", {}, HOUR, InvalidTransitionError),
        ("accept", "police", {}, HOUR, RoleNotAllowedError),
        ("accept", "other_operator", {}, HOUR, JurisdictionError),
        ("reject", "operator", {}, HOUR, MissingDataError),
        ("accept", "operator", {"colour": "red"}, HOUR, UnexpectedDataError),
        ("accept", "operator", {}, -HOUR, TimeOrderError),
        ("accept", "forged", {}, HOUR, InvalidActorError),
    ],
)
def test_refusals_change_nothing(  # noqa: PLR0917 - parametrised
    world: World,
    trigger: str,
    actor: str,
    data: dict[str, object],
    delay: timedelta,
    error: type[TransitionError],
) -> None:
    """Each kind of refusal raises its own error and leaves the case exactly as it was."""
    case = open_case(world, "event")
    snapshot = (case.state, case.version, case.history, case.due_at, case.assignees)
    forged = Actor(person_id=world["worker"].person_id, role="command_room_operator",
                   unit_id=world["operator"].unit_id)  # fmt: skip
    who = forged if actor == "forged" else world[actor]
    with pytest.raises(error) as info:
        world.engine.apply(case, trigger, actor=who, at=case.last.at + delay, **data)  # type: ignore[arg-type]
    assert info.value.case_id == case.id
    assert info.value.trigger == trigger
    assert (case.state, case.version, case.history, case.due_at, case.assignees) == snapshot
    assert world.engine.replay(case.history) == case


def test_naive_time_is_refused(world: World) -> None:
    """A naive datetime is refused with TimeOrderError."""
    case = open_case(world, "event")
    with pytest.raises(TimeOrderError):
        world.engine.apply(
            case, "accept", actor=world["operator"], at=T0.replace(tzinfo=None) + DAY
        )


def test_allowed_lists_what_each_actor_may_do(world: World) -> None:
    """allowed() reflects state, role and jurisdiction."""
    case = open_case(world, "event")
    assert world.engine.allowed(case, world["operator"]) == (
        "accept", "reject", "withdraw_citizen", "merge", "take_duplicate", "link",
    )  # fmt: skip
    assert world.engine.allowed(case, world["worker"]) == ("solve_on_spot", "withdraw")
    assert world.engine.allowed(case, world["other_operator"]) == ()
    assert world.engine.allowed(case, world["police"]) == ()
