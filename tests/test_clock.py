"""Clocks, deadlines, and Chinese working days with 调休."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Clock,
    Deadline,
    DeadlinePolicy,
    FixedClock,
    ManualClock,
    RuianGovernanceError,
)
from ruian_governance.errors import ArgumentError, CalendarCoverageError, UnknownIdError
from ruian_governance.models import CHINESE_WORKDAYS, DayCount, add_working_days

CST = CHINA_STANDARD_TIME


def test_china_standard_time_is_utc_plus_eight() -> None:
    """The default zone is a fixed UTC+8 offset, needing no tz database."""
    assert CST.utcoffset(None) == timedelta(hours=8)


def test_fixed_and_manual_clocks() -> None:
    """FixedClock never moves; ManualClock moves only forward, when told."""
    start = datetime(2025, 1, 2, 9, 0, tzinfo=CST)
    fixed = FixedClock(at=start)
    manual = ManualClock(at=start)
    assert isinstance(fixed, Clock)
    assert isinstance(manual, Clock)
    assert fixed.now() == start
    assert manual.advance(timedelta(days=1)) == start + timedelta(days=1)
    assert manual.set(start + timedelta(days=2)).day == 4
    with pytest.raises(ValueError, match="backwards"):
        manual.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="backwards"):
        manual.set(start)


def test_clocks_refuse_naive_times() -> None:
    """A clock's time must be timezone-aware."""
    with pytest.raises(ValueError, match="aware"):
        FixedClock(at=datetime(2025, 1, 2, 9, 0))
    with pytest.raises(ArgumentError, match="aware") as info:
        ManualClock(at=datetime(2025, 1, 2, 9, 0))
    assert info.value.argument == "at"
    manual = ManualClock(at=datetime(2025, 1, 2, 9, 0, tzinfo=CST))
    with pytest.raises(ArgumentError, match="aware"):
        manual.set(datetime(2025, 1, 3, 9, 0))
    with pytest.raises(ArgumentError, match="aware"):
        manual.at = datetime(2025, 1, 3, 9, 0)


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2025, 1, 26), True),  # Sunday, make-up workday for the Spring Festival
        (date(2025, 2, 8), True),  # Saturday, make-up workday
        (date(2025, 1, 28), False),  # Spring Festival eve holiday (Tuesday)
        (date(2025, 2, 3), False),  # Monday inside the Spring Festival holiday
        (date(2025, 9, 28), True),  # Sunday, make-up workday for National Day
        (date(2025, 10, 11), True),  # Saturday, make-up workday for National Day
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2024, 2, 4), True),  # Sunday, make-up workday in 2024
        (date(2024, 2, 18), True),  # Sunday, make-up workday in 2024
        (date(2024, 10, 7), False),  # National Day 2024
        (date(2024, 10, 12), True),  # Saturday, make-up workday in 2024
        (date(2025, 3, 8), False),  # an ordinary Saturday
    ],
)
def test_chinese_working_days_honour_tiaoxiu(day: date, workday: bool) -> None:
    """Holidays are off and make-up weekend days are on (调休), as officially scheduled."""
    assert CHINESE_WORKDAYS.is_workday(day) is workday


def test_working_days_skip_the_national_day_week() -> None:
    """Every day from 1 to 8 October 2025 is a holiday; the next working day is 9 October."""
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 27), 1) == date(2025, 9, 28)
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    assert add_working_days(date(2025, 3, 3), 0) == date(2025, 3, 3)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 3, 3), -1)


def test_uncovered_year_raises_a_typed_error_not_a_date() -> None:
    """A year the calendar does not cover raises CalendarCoverageError naming it."""
    with pytest.raises(CalendarCoverageError) as info:
        CHINESE_WORKDAYS.is_workday(date(2030, 1, 2))
    assert info.value.year == 2030
    assert isinstance(info.value, RuianGovernanceError)
    assert isinstance(info.value, ValueError)
    deadline = Deadline(days=5, count=DayCount.WORKING)
    with pytest.raises(CalendarCoverageError):
        deadline.due(datetime(2026, 12, 29, 9, 0, tzinfo=CST))  # runs into 2027


def test_deadline_falls_due_at_midnight_after_the_last_day() -> None:
    """N days from t: due at the midnight after the n-th day, in t's zone; 0 means same day."""
    t = datetime(2025, 5, 6, 15, 30, tzinfo=CST)
    assert Deadline(days=0).due(t) == datetime(2025, 5, 7, tzinfo=CST)
    assert Deadline(days=3).due(t) == datetime(2025, 5, 10, tzinfo=CST)
    working = Deadline(days=3, count=DayCount.WORKING).due(datetime(2025, 9, 30, 10, tzinfo=CST))
    assert working == datetime(2025, 10, 12, tzinfo=CST)  # 9, 10 and 11 (a make-up Saturday)
    with pytest.raises(ValueError, match="aware"):
        Deadline(days=1).due(datetime(2025, 5, 6))
    with pytest.raises(ValueError, match="from 0 to 3650"):
        Deadline(days=-1)


def test_deadline_policy_is_configurable() -> None:
    """A policy maps severities and named limits to deadlines; unknown keys raise UnknownIdError."""
    policy = DeadlinePolicy(
        by_severity={"ordinary": Deadline(days=2, count=DayCount.WORKING)},
        limits={"max_extension": Deadline(days=15, count=DayCount.WORKING)},
    )
    start = datetime(2025, 1, 24, 9, tzinfo=CST)  # Friday before the Spring Festival
    # working days: Sunday 26 January (make-up workday) and Monday 27; due at midnight after
    assert policy.due("ordinary", start) == datetime(2025, 1, 28, tzinfo=CST)
    assert policy.limit("max_extension").days == 15
    with pytest.raises(UnknownIdError, match="major"):
        policy.for_severity("major")
    with pytest.raises(UnknownIdError, match="no_such_limit"):
        policy.limit("no_such_limit")
    with pytest.raises(UnknownIdError):
        policy.due("major", start)


def test_day_count_is_labelled_and_parses_its_values() -> None:
    """DayCount members carry bilingual labels, hash by identity and parse from their values."""
    assert DayCount.WORKING.label.zh == "工作日"
    assert hash(DayCount.CALENDAR) == object.__hash__(DayCount.CALENDAR)
    assert DayCount.parse("working", "count") is DayCount.WORKING
    with pytest.raises(ArgumentError, match="count='weekly'"):
        DayCount.parse("weekly", "count")
    assert str(Deadline(days=2, count=DayCount.WORKING)) == "2 working days"
