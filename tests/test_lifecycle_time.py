"""Time at the edges: the clock, the end of the calendar, the end of ``datetime``, bad ids.

Finding 4 of the Trust issue (a time beyond the configured clock is refused), finding 11
(typed errors, never a traceback: bad ids at ``open``, opening records without the case's
facts, times near the year 9999, absurd deadlines) and finding 15 (the working-day calendar's
last covered day, and the caller's explicit policy beyond it).
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Case,
    Deadline,
    Engine,
    FixedClock,
    ManualClock,
    Transition,
    builtin_engine,
)
from ruian_governance.errors import (
    ArgumentError,
    CalendarCoverageError,
    ForgedHistoryError,
    FutureTimeError,
    GuardFailedError,
    MissingDataError,
    RuianGovernanceError,
    TimeOrderError,
    UnexpectedDataError,
)
from ruian_governance.io import from_document, to_document
from ruian_governance.lifecycles import (
    BUILTIN_LIFECYCLES,
    DISPUTE_LIFECYCLE,
    EVENT_DEADLINES,
    EVENT_LIFECYCLE,
    Jurisdiction,
    LifecycleDefinition,
    dispute_lifecycle,
    event_lifecycle,
)
from ruian_governance.lifecycles.engine import PROVISIONAL
from ruian_governance.models import (
    CHINESE_WORKDAYS,
    MAX_DEADLINE_DAYS,
    ChineseWorkdays,
    DayCount,
    DeadlinePolicy,
)
from world import DAY, HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def late_event(world: World, engine: Engine) -> Case:
    """An event dispatched at T0 + 2h (due 6 March, three working days after T0)."""
    case = engine.open("event", case_id="E1", trigger="report", actor=world["worker"], at=T0,
                       location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    case = engine.apply(case, "accept", actor=world["operator"], at=T0 + HOUR)
    return engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR,
                        units=(world.station("police_station"),))  # fmt: skip


# --------------------------------------------------------------------------- finding 4


def test_a_time_beyond_the_clock_is_refused(world: World) -> None:
    """Finding 4: with a clock, a far-future time cannot satisfy the overdue guard (督办)."""
    clock = ManualClock(at=T0 + 3 * HOUR)
    engine = builtin_engine(world.h, clock=clock)
    case = late_event(world, engine)
    with pytest.raises(FutureTimeError) as info:
        engine.apply(case, "supervise", actor=world["operator"], at=T0 + 3650 * DAY)
    assert isinstance(info.value, TimeOrderError)
    # the case is not frozen: later commands at the clock's time go through
    signed = engine.apply(case, "sign", actor=world["police"], at=clock.now())
    assert signed.version == case.version + 1
    with pytest.raises(GuardFailedError):  # not overdue yet at the clock's time
        engine.apply(signed, "supervise", actor=world["operator"], at=clock.now())
    clock.advance(10 * DAY)
    assert engine.apply(signed, "supervise", actor=world["operator"], at=clock.now())


def test_the_tolerance_is_the_engine_s_choice(world: World) -> None:
    """Finding 4: five minutes by default; configurable; refused at open too."""
    clock = FixedClock(at=T0)
    engine = builtin_engine(world.h, clock=clock)
    facts = {"trigger": "report", "actor": world["worker"], "location_id": world.grid,
             "category": "noise"}  # fmt: skip
    assert engine.open("event", case_id="A", at=T0 + timedelta(minutes=5), **facts)
    with pytest.raises(FutureTimeError):
        engine.open("event", case_id="B", at=T0 + timedelta(minutes=6), **facts)
    strict = builtin_engine(world.h, clock=clock, future_tolerance=timedelta(0))
    with pytest.raises(FutureTimeError):
        strict.open("event", case_id="C", at=T0 + timedelta(seconds=1), **facts)
    assert builtin_engine(world.h).open("event", case_id="D", at=T0 + 999 * DAY, **facts)
    with pytest.raises(ArgumentError, match="future_tolerance"):
        builtin_engine(world.h, clock=clock, future_tolerance=-HOUR)
    with pytest.raises(ArgumentError, match="clock"):
        Engine(world.h, BUILTIN_LIFECYCLES, clock="now")  # type: ignore[arg-type]


def test_the_hazard_ladder_cannot_be_climbed_from_the_future(world: World) -> None:
    """Finding 4: a circular 通报 at a far-future time is refused with a clock; nothing changes."""
    engine = builtin_engine(world.h, clock=FixedClock(at=T0 + DAY))
    case = engine.open("hazard", case_id="H1", trigger="find_on_patrol",
                       actor=world["worker"], at=T0, location_id=world.grid, category="fire",
                       severity="general")  # fmt: skip
    case = engine.apply(case, "assign", actor=world["operator"], at=T0 + HOUR,
                        units=(world.station("police_station"),), notice="ZG-1")  # fmt: skip
    with pytest.raises(FutureTimeError):
        engine.apply(case, "circulate", actor=world["operator"], at=T0 + 100 * DAY)
    assert case.version == 1


def test_a_recorded_future_time_does_not_verify(world: World) -> None:
    """Finding 4: a history with a record beyond the clock is refused by verify."""
    case = late_event(world, builtin_engine(world.h))
    far = attrs.evolve(case.history[-1], at=T0 + 400 * DAY)
    forged = attrs.evolve(case, history=(*case.history[:-1], far))
    engine = builtin_engine(world.h, clock=FixedClock(at=T0 + DAY))
    with pytest.raises(ForgedHistoryError) as info:
        engine.verify(forged)
    assert isinstance(info.value.__cause__, FutureTimeError)


# --------------------------------------------------------------------------- finding 11


@pytest.mark.parametrize(
    "case_id",
    ["", "E\x00", "E\n1", "\ud800", "E\u202e1", "x" * 201, " E1", 5, None, ["E"]],
    ids=repr,
)
def test_open_refuses_ids_that_are_not_ids(world: World, case_id: object) -> None:
    """Finding 11: empty, control characters, lone surrogates, > 200 characters: ArgumentError."""
    with pytest.raises(ArgumentError, match="case_id"):
        world.engine.open("event", case_id=case_id, trigger="report",  # type: ignore[arg-type]
                          actor=world["worker"], at=T0, location_id=world.grid,
                          category="noise")  # fmt: skip


def test_open_refuses_other_bad_facts_with_typed_errors(world: World) -> None:
    """Finding 11: a bad category, location, lifecycle or parties list: typed errors."""
    facts = {"case_id": "E1", "trigger": "report", "actor": world["worker"], "at": T0}
    with pytest.raises(ArgumentError, match="category"):
        world.engine.open("event", location_id=world.grid, category="a\x00", **facts)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="location_id"):
        world.engine.open("event", location_id=["g"], category="c", **facts)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="lifecycle"):
        world.engine.open(["event"], location_id=world.grid, category="c", **facts)  # type: ignore[arg-type]
    for parties in (("甲", "\x00"), ("x" * 501,), tuple(str(i) for i in range(51)), 5, None):
        with pytest.raises(ArgumentError, match="parties"):
            world.engine.open("dispute", location_id=world.grid, category="c",
                              parties=parties, **facts)  # type: ignore[arg-type]  # fmt: skip
    one = world.engine.open("dispute", location_id=world.grid, category="c", parties="张三",
                            **facts)  # type: ignore[arg-type]  # fmt: skip
    assert one.parties == ("张三",)


@pytest.mark.parametrize("fact", ["location_id", "case_id", "lifecycle", "category"])
def test_an_opening_record_without_the_case_s_facts_gives_a_typed_error(
    world: World, fact: str
) -> None:
    """Finding 11: replay and verify refuse it with ForgedHistoryError, never KeyError."""
    case = open_case(world, "event")
    first = case.history[0]
    bare = attrs.evolve(first, data=tuple((k, v) for k, v in first.data if k != fact))
    with pytest.raises(ForgedHistoryError, match=fact) as info:
        world.engine.replay((bare,))
    assert info.value.seq == 0
    with pytest.raises(ForgedHistoryError):
        world.engine.verify(attrs.evolve(case, history=(bare,)))


def test_a_triage_record_without_a_tier_gives_a_typed_error(world: World) -> None:
    """Finding 11: the record is run again as a command: MissingDataError is the cause."""
    case = open_case(world, "dispute")
    case = world.engine.apply(case, "triage", actor=world["operator"], at=T0 + HOUR,
                              tier="complex")  # fmt: skip
    bare = attrs.evolve(case.history[1], data=())
    with pytest.raises(ForgedHistoryError) as info:
        world.engine.replay((case.history[0], bare))
    assert isinstance(info.value.__cause__, MissingDataError)


def test_times_near_the_year_9999_give_typed_errors(world: World) -> None:
    """Finding 11: no OverflowError from open, apply or overdue at the end of datetime."""
    end = datetime(9999, 12, 31, 12, tzinfo=CHINA_STANDARD_TIME)
    facts = {"trigger": "report", "actor": world["worker"], "location_id": world.grid,
             "category": "noise"}  # fmt: skip
    with pytest.raises(ArgumentError, match="year 10000"):
        world.engine.open("hazard", case_id="H", at=end, severity="general",
                          **{**facts, "trigger": "find_on_patrol"})  # fmt: skip
    with pytest.raises((CalendarCoverageError, ArgumentError)):  # working days
        world.engine.open("event", case_id="E", at=end, severity="ordinary", **facts)
    dispute = world.engine.open("dispute", case_id="D", at=end, **facts)
    with pytest.raises(ArgumentError, match="year 10000"):
        world.engine.apply(dispute, "triage", actor=world["operator"], at=end, tier="simple")
    assert world.engine.apply(dispute, "dismiss", actor=world["operator"], at=end,
                              reason="no such matter").state == "dismissed"  # fmt: skip
    latest = datetime.max.replace(tzinfo=UTC)
    assert world.engine.overdue([open_case(world, "event")], latest)
    with pytest.raises(ArgumentError):
        world.engine.overdue([open_case(world, "event")], datetime(2025, 1, 1))
    with pytest.raises(ArgumentError):
        world.engine.overdue(["case"], latest)  # type: ignore[list-item]
    with pytest.raises(ArgumentError):
        Deadline(days=1).due(datetime.max.replace(tzinfo=UTC))


@pytest.mark.parametrize("days", [10**9, MAX_DEADLINE_DAYS + 1, -1, 2.0, True])
def test_absurd_deadlines_are_refused_when_defined(days: object) -> None:
    """Finding 11: a deadline is 0 to 3,650 days, refused when built (and when loaded)."""
    with pytest.raises(ArgumentError, match="3650"):
        Deadline(days=days)  # type: ignore[arg-type]
    document = to_document(DISPUTE_LIFECYCLE)
    document["deadlines"]["by_severity"]["simple"]["days"] = days
    with pytest.raises(RuianGovernanceError):
        from_document(document, LifecycleDefinition)


def test_the_longest_deadline_is_fine() -> None:
    """Finding 11: 3,650 days counts without trouble."""
    policy = attrs.evolve(
        DISPUTE_LIFECYCLE.deadlines, by_severity={"simple": Deadline(days=MAX_DEADLINE_DAYS)}
    )
    assert dispute_lifecycle(deadlines=policy).deadlines.due("simple", T0) > T0


# --------------------------------------------------------------------------- finding 15


def test_the_calendar_says_its_last_covered_day() -> None:
    """Finding 15: the floor pinned (1.11) covers 2026; the last covered day is exposed."""
    assert CHINESE_WORKDAYS.last_covered_day == date(CHINESE_WORKDAYS.years[1], 12, 31)
    assert CHINESE_WORKDAYS.last_covered_day >= date(2026, 12, 31)
    pyproject = tomllib.loads(Path(__file__).parents[1].joinpath("pyproject.toml").read_text())
    assert "chinesecalendar>=1.11" in pyproject["project"]["dependencies"]
    with pytest.raises(ArgumentError, match="beyond"):
        ChineseWorkdays(beyond="sometimes")


def test_beyond_the_calendar_the_default_refuses(world: World) -> None:
    """Finding 15: an event opened on 29 December 2026 needs 2027: CalendarCoverageError."""
    at = datetime(2026, 12, 29, 9, tzinfo=CHINA_STANDARD_TIME)
    with pytest.raises(CalendarCoverageError):
        world.engine.open("event", case_id="E", trigger="report", actor=world["worker"],
                          at=at, location_id=world.grid, category="noise",
                          severity="ordinary")  # fmt: skip
    with pytest.raises(CalendarCoverageError):
        CHINESE_WORKDAYS.is_workday(date(2027, 1, 4))
    with pytest.raises(CalendarCoverageError):  # before the coverage: never a fallback
        ChineseWorkdays(beyond="weekdays").is_workday(date(2003, 6, 2))


def fallback_engine(world: World) -> Engine:
    """An engine whose event deadlines count weekdays beyond the calendar (the caller's choice)."""
    policy = attrs.evolve(EVENT_DEADLINES, calendar=ChineseWorkdays(beyond="weekdays"))
    others = [d for d in BUILTIN_LIFECYCLES if d.key != "event"]
    return Engine(world.h, [event_lifecycle(deadlines=policy), *others])


def test_the_weekday_fallback_marks_the_deadline_provisional(world: World) -> None:
    """Finding 15: the caller's fallback counts Monday-Friday and says so in the record."""
    engine = fallback_engine(world)
    at = datetime(2026, 12, 29, 9, tzinfo=CHINA_STANDARD_TIME)
    case = engine.open("event", case_id="E", trigger="report", actor=world["worker"], at=at,
                       location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    # 30, 31 December and 1 January, a Friday (in fact New Year's Day: hence provisional)
    assert case.due_at == datetime(2027, 1, 2, tzinfo=CHINA_STANDARD_TIME)
    assert case.history[0].get(PROVISIONAL) is True
    assert engine.verify(attrs.evolve(case)) == case
    unmarked = attrs.evolve(case.history[0], data=tuple(
        (k, v) for k, v in case.history[0].data if k != PROVISIONAL))  # fmt: skip
    with pytest.raises(ForgedHistoryError):
        engine.verify(attrs.evolve(case, history=(unmarked,)))
    covered = engine.open("event", case_id="F", trigger="report", actor=world["worker"],
                          at=T0, location_id=world.grid, category="noise",
                          severity="ordinary")  # fmt: skip
    assert covered.history[0].get(PROVISIONAL) is None


def test_a_command_that_sets_a_provisional_deadline_is_marked(world: World) -> None:
    """Finding 15: an extension 延期 past the coverage is marked in its own record."""
    engine = fallback_engine(world)
    at = datetime(2026, 12, 1, 9, tzinfo=CHINA_STANDARD_TIME)
    case = engine.open("event", case_id="E", trigger="report", actor=world["worker"], at=at,
                       location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    assert case.history[0].get(PROVISIONAL) is None
    steps = [("accept", "operator", {}), ("dispatch", "operator",
             {"units": (world.station("police_station"),)}), ("sign", "police", {}),
             ("start", "police", {}),
             ("request_extension", "police", {"days": 15, "reason": "waiting for a court"}),
             ("approve_extension", "operator", {})]  # fmt: skip
    for k, (trigger, who, data) in enumerate(steps, start=1):
        case = engine.apply(case, trigger, actor=world[who], at=at + k * HOUR, **data)
    assert case.due_at == datetime(2026, 12, 26, tzinfo=CHINA_STANDARD_TIME)  # 3 + 15 days
    assert case.last.get(PROVISIONAL) is None
    late = engine.open("event", case_id="G", trigger="report", actor=world["worker"],
                       at=datetime(2026, 12, 14, 9, tzinfo=CHINA_STANDARD_TIME),
                       location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    start = late.opened_at
    for k, (trigger, who, data) in enumerate(steps, start=1):
        late = engine.apply(late, trigger, actor=world[who], at=start + k * HOUR, **data)
    assert late.due_at is not None
    assert late.due_at.year == 2027
    assert late.last.get(PROVISIONAL) is True
    assert engine.verify(attrs.evolve(late)) == late
    policy = DeadlinePolicy(by_severity={"x": Deadline(days=3, count=DayCount.WORKING)})
    assert not policy.weekday_fallback
    assert not policy.provisional(late.due_at)


def test_no_lifecycle_may_take_the_engine_s_mark_as_data(world: World) -> None:
    """Finding 15: ``deadline_provisional`` is the engine's key alone."""
    accept = Transition(trigger="accept", sources=("reported",), dest="accepted",
                        roles={"command_room_operator"}, jurisdiction=Jurisdiction.HOLDER,
                        accepts={PROVISIONAL})  # fmt: skip
    bad = EVENT_LIFECYCLE.extend(key="event_marked", remove_triggers=["accept"],
                                 transitions=[accept])  # fmt: skip
    with pytest.raises(ArgumentError, match=PROVISIONAL):
        Engine(world.h, [bad])
    with pytest.raises(UnexpectedDataError):  # nor can a caller pass it
        world.engine.apply(open_case(world, "event"), "accept", actor=world["operator"],
                           at=T0 + HOUR, **{PROVISIONAL: True})  # fmt: skip
