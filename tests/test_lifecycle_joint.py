"""Joint handling 联办, reassignment 转派 and pause 挂起 (issue 12 points 1-3).

Through the engine and both stores; refused commands change nothing; property tests over
command sequences for the per-assignee invariants and paused time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruian_governance import (
    EVENT_LIFECYCLE,
    Case,
    MemoryCaseStore,
    SQLiteCaseStore,
    TransitionError,
    from_document,
    to_document,
)
from ruian_governance.errors import GuardFailedError, JurisdictionError, RoleNotAllowedError
from ruian_governance.lifecycles import (
    ProgressStatus,
    WarningLevel,
    assignee_progress,
    event_lifecycle,
    is_late,
    paused_time,
    pauses,
    warning_level,
)
from ruian_governance.models import working_time
from ruian_governance.stores import CaseStore
from world import DAY, HOUR, T0, World, build_world, fire

MINUTE = timedelta(minutes=1)


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, world: World, tmp_path: Path) -> Iterator[CaseStore]:
    """A fresh store of each kind."""
    if request.param == "memory":
        yield MemoryCaseStore(world.engine)
    else:
        handle = SQLiteCaseStore(tmp_path / "cases.db", world.engine)
        yield handle
        handle.close()


def larger(world: World, case_id: str = "L1") -> Case:
    """A larger 较大 event, accepted by the command room."""
    case = world.engine.open(
        "event", case_id=case_id, trigger="report", actor=world["worker"], at=T0,
        location_id=world.grid, category="flood", severity="larger",
    )  # fmt: skip
    return fire(world, case, "accept", "operator")


def joint(world: World, case_id: str = "L1") -> Case:
    """A larger event dispatched to the judicial office (lead 主办) and the police (协办)."""
    units = (world.station("police_station"), world.station("judicial_office"))
    return fire(world, larger(world, case_id), "dispatch", "operator", units=units,
                lead=world.station("judicial_office"))  # fmt: skip


def statuses(case: Case) -> list[tuple[str, bool, ProgressStatus]]:
    """Each assignee's unit, whether it leads, and its status."""
    return [(p.unit_id, p.lead, p.status) for p in assignee_progress(case)]


# --------------------------------------------------------------------------- point 1


def test_each_assignee_signs_and_feeds_back_on_its_own(world: World) -> None:
    """Point 1: the lead named first; signs are per unit; feedback waits for the helpers."""
    police, judicial = world.station("police_station"), world.station("judicial_office")
    case = joint(world)
    assert case.assignees == (judicial, police)  # the lead first
    assert statuses(case) == [(judicial, True, ProgressStatus.ASSIGNED),
                              (police, False, ProgressStatus.ASSIGNED)]  # fmt: skip
    with pytest.raises(JurisdictionError):
        fire(world, case, "sign", "police")  # an assisting unit does not sign for the lead
    helped = fire(world, case, "assist_sign", "police")
    assert helped.state == "dispatched"
    assert statuses(helped)[1][2] is ProgressStatus.SIGNED
    with pytest.raises(GuardFailedError):
        fire(world, helped, "assist_sign", "police")  # once
    case = fire(world, helped, "sign", "judicial")
    case = fire(world, case, "start", "judicial")
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "feed_back", "judicial", result="done")
    assert info.value.guard == "assisting_units_fed_back"
    case = fire(world, case, "assist_feed_back", "police", result="patrolled")
    assert statuses(case)[1][2] is ProgressStatus.FED_BACK
    case = fire(world, case, "feed_back", "judicial", result="done")
    assert case.state == "feedback"
    assert [p.status for p in assignee_progress(case)] == [ProgressStatus.FED_BACK] * 2
    assert world.engine.replay(case.history) == case


def test_an_assisting_return_removes_only_that_unit(world: World) -> None:
    """Point 1: 协办退回 leaves the others; the lead's return goes back to the command room."""
    judicial = world.station("judicial_office")
    case = joint(world)
    left = fire(world, case, "assist_return", "police", reason="not our duty")
    assert left.state == "dispatched"
    assert left.assignees == (judicial,)
    with pytest.raises(JurisdictionError):
        fire(world, left, "assist_sign", "police")
    back = fire(world, case, "return", "judicial", reason="not our duty")
    assert (back.state, back.assignees) == ("returned", ())
    signed = fire(world, case, "assist_sign", "police")
    with pytest.raises(GuardFailedError):  # a unit that signed does not return
        fire(world, signed, "assist_return", "police", reason="changed my mind")
    # the lead feeds back alone once its only helper has left
    alone = fire(world, fire(world, fire(world, left, "sign", "judicial"), "start", "judicial"),
                 "feed_back", "judicial", result="done")  # fmt: skip
    assert alone.state == "feedback"


def test_a_lead_outside_the_units_is_refused(world: World) -> None:
    """Point 1: the ``lead`` must be one of the ``units``; without it the first unit leads."""
    units = (world.station("police_station"), world.station("judicial_office"))
    case = larger(world)
    with pytest.raises(GuardFailedError) as info:
        fire(
            world,
            case,
            "dispatch",
            "operator",
            units=units,
            lead=world.station("police_station", world.h.towns[1].id),
        )
    assert info.value.guard == "lead_among_units"
    assert fire(world, case, "dispatch", "operator", units=units).assignees == units


def test_the_joint_meeting_is_recorded_with_platforms_and_decision(world: World) -> None:
    """Point 1: 四平台联席会议 records the platforms present and the decision."""
    platforms = tuple(p.id for p in world.h.platforms_of(world.town))
    case = larger(world)
    met = fire(world, case, "joint_meeting", "operator", platforms=platforms,
               decision="综治主办，派出所协办")  # fmt: skip
    assert met.state == "accepted"
    assert met.last.get("platforms") == platforms
    assert met.last.get("decision") == "综治主办，派出所协办"
    with pytest.raises(GuardFailedError):  # one platform is no joint meeting
        fire(world, case, "joint_meeting", "operator", platforms=platforms[:1], decision="x")
    ordinary = fire(world, world.engine.open(
        "event", case_id="O1", trigger="report", actor=world["worker"], at=T0,
        location_id=world.grid, category="noise", severity="ordinary",
    ), "accept", "operator")  # fmt: skip
    with pytest.raises(GuardFailedError) as info:
        fire(world, ordinary, "joint_meeting", "operator", platforms=platforms, decision="x")
    assert info.value.guard == "larger_or_major"
    with pytest.raises(RoleNotAllowedError):
        fire(world, case, "joint_meeting", "police", platforms=platforms, decision="x")


def test_joint_progress_round_trips_through_both_stores_and_documents(
    world: World, store: CaseStore
) -> None:
    """Point 1: per-assignee progress survives a store and a document (it is the history)."""
    case = fire(world, joint(world), "assist_sign", "police")
    store.add(case)
    stored = store.get(case.id)
    assert stored == case
    assert assignee_progress(stored) == assignee_progress(case)
    again = from_document(to_document(case), "case")
    assert assignee_progress(again) == assignee_progress(case)
    # a refused command through the store writes nothing
    before = store.get(case.id)
    with pytest.raises(TransitionError):
        store.apply(case.id, case.version, "assist_sign", actor=world["police"],
                    at=case.last.at + HOUR)  # fmt: skip
    assert store.get(case.id) == before
    assert store.history(case.id) == before.history
    new = store.apply(case.id, case.version, "sign", actor=world["judicial"],
                      at=case.last.at + HOUR)  # fmt: skip
    assert statuses(new)[0][2] is ProgressStatus.SIGNED
    assert world.engine.verify(store.get(case.id)) == new


_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["sign", "return", "start", "feed_back", "assist_sign",
                         "assist_return", "assist_feed_back"]),
        st.sampled_from(["police", "judicial"]),
        st.integers(1, 600),
    ),
    max_size=14,
)  # fmt: skip
_DATA = {"return": {"reason": "r"}, "assist_return": {"reason": "r"},
         "feed_back": {"result": "ok"}, "assist_feed_back": {"result": "ok"}}  # fmt: skip
_LEAD_STATUS = {
    "dispatched": ProgressStatus.ASSIGNED,
    "signed": ProgressStatus.SIGNED,
    "in_progress": ProgressStatus.HANDLING,
    "feedback": ProgressStatus.FED_BACK,
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=_ACTIONS)
def test_per_assignee_invariants_hold_over_any_command_sequence(world: World, actions) -> None:  # type: ignore[no-untyped-def]
    """Point 1, property: whatever the units fire, in any order, the invariants hold."""
    case = joint(world)
    lead = case.assignees[0]
    for trigger, who, minutes in actions:
        before = case
        try:
            case = fire(world, case, trigger, who, delay=minutes * MINUTE, **_DATA.get(trigger, {}))
        except TransitionError:
            assert case is before
            continue
        unit = world[who].unit_id
        progress = assignee_progress(case)
        assert len(set(case.assignees)) == len(case.assignees)
        if case.state == "returned":
            assert case.assignees == ()
            break
        assert case.assignees[0] == lead
        assert progress[0].status is _LEAD_STATUS[case.state]
        if trigger == "assist_return":
            assert unit not in case.assignees
            assert len(case.assignees) == len(before.assignees) - 1
        if trigger.startswith("assist_"):
            assert case.state == before.state
        if case.state == "feedback":
            assert all(p.status is ProgressStatus.FED_BACK for p in progress)
    assert world.engine.replay(case.history) == case


# --------------------------------------------------------------------------- point 2


def test_reassignment_takes_the_case_from_the_unit_that_signed(world: World) -> None:
    """Point 2: 转派 after signing, with a reason; the clock restarts only if the policy says."""
    police, judicial = world.station("police_station"), world.station("judicial_office")
    case = fire(world, joint(world), "sign", "judicial")
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "reassign", "operator", units=(judicial,), reason="x")
    assert info.value.guard == "signed_unit_leaves"
    with pytest.raises(RoleNotAllowedError):
        fire(world, case, "reassign", "police", units=(police,), reason="x")
    moved = fire(world, case, "reassign", "operator", units=(police,), reason="人手不足")
    assert (moved.state, moved.assignees, moved.due_at) == ("dispatched", (police,), case.due_at)
    with pytest.raises(JurisdictionError):
        fire(world, moved, "sign", "judicial")
    assert statuses(moved) == [(police, True, ProgressStatus.ASSIGNED)]
    # a policy that restarts the clock
    restarting = event_lifecycle(
        deadlines=attrs.evolve(EVENT_LIFECYCLE.deadlines, restart_on_reassign=True)
    )
    engine = type(world.engine)(world.h, (restarting,))
    rebuilt = engine.replay(case.history)
    later = engine.apply(rebuilt, "reassign", actor=world["operator"], at=case.last.at + DAY,
                         units=(police,), reason="人手不足")  # fmt: skip
    assert later.due_at == restarting.deadlines.due("larger", case.last.at + DAY)
    assert later.due_at is not None
    assert case.due_at is not None
    assert later.due_at > case.due_at


# --------------------------------------------------------------------------- point 3


def handling(world: World) -> Case:
    """An ordinary event in handling 处置 by the police station."""
    case = fire(world, world.engine.open(
        "event", case_id="P1", trigger="report", actor=world["worker"], at=T0,
        location_id=world.grid, category="noise", severity="ordinary",
    ), "accept", "operator")  # fmt: skip
    case = fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))
    return fire(world, fire(world, case, "sign", "police"), "start", "police")


def test_pause_stops_the_clock_and_resume_moves_the_deadline(world: World) -> None:
    """Point 3: 挂起 by the command room; not late while paused; due moves by paused time."""
    case = handling(world)
    assert case.due_at is not None
    with pytest.raises(RoleNotAllowedError):  # the command room approves a pause
        fire(world, case, "pause", "police", days=2, reason="waiting")
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "pause", "operator", days=31, reason="too long")
    assert info.value.guard == "pause_within_limit"
    paused = fire(world, case, "pause", "operator", days=5, reason="等待法院")
    assert paused.state == "paused"
    after_due = case.due_at + 2 * DAY
    assert not is_late(paused, EVENT_LIFECYCLE, after_due)
    assert world.engine.overdue([paused], after_due) == ()
    with pytest.raises(GuardFailedError) as info:  # no supervision 督办 while the clock stops
        fire(world, paused, "supervise", "operator", delay=after_due - paused.last.at)
    assert info.value.guard == "overdue"
    level = warning_level(paused, after_due, EVENT_LIFECYCLE)
    assert level is warning_level(paused, paused.last.at, EVENT_LIFECYCLE)
    resumed = fire(world, paused, "resume", "operator", delay=after_due - paused.last.at)
    assert resumed.state == "in_progress"
    assert resumed.due_at is not None
    lifecycle = EVENT_LIFECYCLE.deadlines
    left_before = working_time(paused.last.at, case.due_at, hours=lifecycle.hours)
    left_after = working_time(resumed.last.at, resumed.due_at, hours=lifecycle.hours)
    assert left_before == left_after
    assert paused_time(resumed, EVENT_LIFECYCLE, resumed.last.at) == working_time(
        paused.last.at, resumed.last.at, hours=lifecycle.hours
    )
    assert world.engine.replay(resumed.history) == resumed


def test_a_pause_beyond_its_grant_runs_the_clock_again(world: World) -> None:
    """Point 3: past the days granted the paused case can be late; an overdue case not paused."""
    case = handling(world)
    assert case.due_at is not None
    paused = fire(world, case, "pause", "operator", days=1, reason="rain")
    assert not is_late(paused, EVENT_LIFECYCLE, case.due_at + DAY)
    assert is_late(paused, EVENT_LIFECYCLE, case.due_at + 10 * DAY)
    assert warning_level(paused, case.due_at + 10 * DAY, EVENT_LIFECYCLE) is WarningLevel.OVERDUE
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "pause", "operator", delay=case.due_at - case.last.at, days=1,
             reason="late")  # fmt: skip
    assert info.value.guard == "not_overdue"
    again = fire(world, fire(world, paused, "resume", "operator"), "pause", "operator",
                 days=29, reason="again")  # fmt: skip
    resumed = fire(world, again, "resume", "operator")
    with pytest.raises(GuardFailedError):  # 30 working days in all
        fire(world, resumed, "pause", "operator", days=1, reason="once more")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.integers(0, 2 * 24 * 60),
    length=st.integers(1, 20 * 24 * 60),
    probe=st.floats(0, 1),
    days=st.integers(1, 30),
)
def test_paused_time_is_never_counted_late(
    world: World, before: int, length: int, probe: float, days: int
) -> None:
    """Point 3, property: paused time is never counted late.

    While paused within its grant a case is not late, and the working time left at the pause
    is the working time left at the resume.
    """
    case = handling(world)
    assert case.due_at is not None
    at = case.last.at + before * MINUTE
    if is_late(case, EVENT_LIFECYCLE, at):
        return
    paused = world.engine.apply(case, "pause", actor=world["operator"], at=at, days=days,
                                reason="wait")  # fmt: skip
    end = at + length * MINUTE
    within = EVENT_LIFECYCLE.deadlines
    inside = at + (end - at) * probe
    granted = pauses(paused, EVENT_LIFECYCLE, inside)[-1].granted_until
    assert granted is not None
    if inside < granted:
        assert not is_late(paused, EVENT_LIFECYCLE, inside)
        assert world.engine.overdue([paused], inside) == ()
    if end > granted:
        return
    resumed = world.engine.apply(paused, "resume", actor=world["operator"], at=end)
    assert resumed.due_at is not None
    assert working_time(end, resumed.due_at, hours=within.hours) == working_time(
        at, case.due_at, hours=within.hours
    )
    assert is_late(resumed, EVENT_LIFECYCLE, end) == (
        working_time(at, case.due_at, hours=within.hours) == timedelta(0) and end >= resumed.due_at
    )


def test_timeliness_counts_paused_time_extensions_joint_cases_and_levels(world: World) -> None:
    """Points 1, 3, 4, 5: the analysis reports paused time, extensions, warnings by level."""
    from ruian_governance.analysis import timeliness

    paused = fire(world, handling(world), "pause", "operator", days=2, reason="rain")
    resumed = fire(world, paused, "resume", "operator", delay=2 * HOUR)
    asked = fire(world, resumed, "request_extension", "police", days=3, reason="parts")
    extended = fire(world, asked, "approve_extension", "operator")
    together = joint(world, "L2")
    at = extended.last.at
    figures = timeliness([paused, extended, together], at)
    assert figures.total == 3
    assert (figures.paused, figures.paused_now) == (2, 1)
    assert figures.paused_time == paused_time(paused, EVENT_LIFECYCLE, at) + 2 * HOUR
    assert (figures.extended, figures.extensions, figures.joint) == (1, 1, 1)
    assert sum(figures.warnings.values()) == 3
    assert figures.to_json()["paused_hours"] == round(figures.paused_time / HOUR, 2)


@pytest.mark.parametrize(
    ("trigger", "actor", "data"),
    [
        ("pause", "operator", {"days": True, "reason": "x"}),
        ("pause", "operator", {"days": "5", "reason": "x"}),
        ("pause", "operator", {"days": float("nan"), "reason": "x"}),
        ("pause", "operator", {"days": 10**9, "reason": "x"}),
        ("pause", "operator", {"days": 0, "reason": "x"}),
        ("pause", "operator", {"days": None, "reason": "x"}),
        ("request_extension", "police", {"days": -1, "reason": "x"}),
        ("request_extension", "police", {"days": 2.5, "reason": "x"}),
        ("reassign", "operator", {"units": "nowhere", "reason": "x"}),
        ("reassign", "operator", {"units": (), "reason": "x"}),
        ("reassign", "operator", {"units": ("a", "a"), "reason": "x", "lead": ("a", "b")}),
        ("resume", "operator", {}),
        ("approve_extension", "operator", {}),
    ],
)
def test_hostile_clock_commands_are_refused_and_change_nothing(
    world: World, store: CaseStore, trigger: str, actor: str, data: dict[str, object]
) -> None:
    """Points 2-4: strings, bools, NaN, huge and empty values are refused; nothing changes."""
    case = handling(world)
    store.add(case)
    before, history = store.get(case.id), store.history(case.id)
    with pytest.raises(TransitionError):
        store.apply(case.id, case.version, trigger, actor=world[actor],
                    at=case.last.at + HOUR, **data)  # fmt: skip
    assert store.get(case.id) == before
    assert store.history(case.id) == history


def test_a_forged_assisting_record_does_not_verify(world: World) -> None:
    """Point 1: a history where an unassigned unit signs as 协办 is a forgery."""
    from ruian_governance.errors import ForgedHistoryError

    alone = fire(world, larger(world), "dispatch", "operator",
                 units=(world.station("judicial_office"),))  # fmt: skip
    helped = fire(world, joint(world), "assist_sign", "police")
    forged = attrs.evolve(
        alone,
        history=(*alone.history, attrs.evolve(helped.last, seq=alone.version + 1)),
        version=alone.version + 1,
    )
    with pytest.raises(ForgedHistoryError):
        world.engine.verify(forged)


def test_paused_time_is_not_late_in_the_on_time_rate(world: World) -> None:
    """Point 3: a case closed after its first deadline, by less than its pause, is on time."""
    from ruian_governance.analysis import on_time_rate

    case = handling(world)
    assert case.due_at is not None
    paused = fire(world, case, "pause", "operator", days=5, reason="等待当事人")
    resumed = fire(world, paused, "resume", "operator", delay=3 * DAY)
    done = fire(world, resumed, "feed_back", "police", result="ok")
    done = fire(world, fire(world, done, "verify", "worker"), "close", "operator", delay=DAY)
    assert done.last.at > case.due_at  # past the first deadline
    assert resumed.due_at is not None
    assert done.last.at < resumed.due_at
    assert on_time_rate([done]).count == 1
