"""Time: an injectable clock, deadlines in calendar or Chinese working days.

The library never reads the wall clock.  Callers pass times in (``at=...``) or inject a
:class:`Clock`; tests and simulations use :class:`FixedClock` or :class:`ManualClock`.  All times
are timezone-aware; the default zone is China Standard Time (UTC+8, no daylight saving), built
without the tz database.

Deadlines count calendar days or Chinese working days.  Working days honour the official holiday
and make-up workday schedule (调休) through the ``chinesecalendar`` package (1.11 covers 2004 to
2026).  Beyond its last covered day the caller chooses (:class:`ChineseWorkdays`, ``beyond=``):
refuse with :class:`~ruian_governance.CalendarCoverageError` (the default) rather than give a
wrong date, or count Monday to Friday as working days and have the engine mark each deadline
counted so as provisional.

>>> from datetime import date, datetime
>>> from ruian_governance import CHINA_STANDARD_TIME, Deadline
>>> from ruian_governance.models import DayCount
>>> opened = datetime(2025, 9, 30, 10, 0, tzinfo=CHINA_STANDARD_TIME)
>>> Deadline(days=3).due(opened).isoformat()    # calendar days: by the end of 3 October
'2025-10-04T00:00:00+08:00'
>>> Deadline(days=3, count=DayCount.WORKING).due_date(opened.date())  # 1-8 Oct are holidays
datetime.date(2025, 10, 11)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

import attrs

from ruian_governance._convert import (
    check_aware,
    require_aware,
)
from ruian_governance.errors import ArgumentError, CalendarCoverageError

__all__ = [
    "CHINA_STANDARD_TIME",
    "CHINESE_WORKDAYS",
    "ChineseWorkdays",
    "Clock",
    "FixedClock",
    "ManualClock",
    "WorkdayCalendar",
    "add_working_days",
]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China Standard Time, UTC+8 (no daylight saving since 1991), the library's default zone."""


@runtime_checkable
class Clock(Protocol):
    """Anything that tells the current, timezone-aware time.

    The library never reads the wall clock itself; an application passes
    ``lambda: datetime.now(CHINA_STANDARD_TIME)``-like clocks in, tests pass a fake.
    """

    def now(self) -> datetime:
        """Return the current time (timezone-aware)."""
        ...


@attrs.frozen(kw_only=True)
class FixedClock:
    """A clock that always tells the same time.

    >>> from datetime import datetime
    >>> clock = FixedClock(at=datetime(2025, 1, 2, 9, 0, tzinfo=CHINA_STANDARD_TIME))
    >>> clock.now().isoformat()
    '2025-01-02T09:00:00+08:00'
    """

    at: datetime = attrs.field(validator=check_aware)

    def now(self) -> datetime:
        """Return the fixed time."""
        return self.at


@attrs.define(kw_only=True)
class ManualClock:
    """A clock that moves only when told to, for tests and simulations.

    >>> from datetime import datetime, timedelta
    >>> clock = ManualClock(at=datetime(2025, 1, 2, 9, 0, tzinfo=CHINA_STANDARD_TIME))
    >>> clock.advance(timedelta(hours=2)).isoformat()
    '2025-01-02T11:00:00+08:00'
    """

    at: datetime = attrs.field(validator=check_aware)

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new time.

        Raises:
            ArgumentError: ``delta`` is negative (a clock never runs backwards).
        """
        if delta < timedelta(0):
            reason = "a duration of at least 0 (clocks never run backwards)"
            raise ArgumentError(argument="delta", value=delta, reason=reason)
        self.at = self.at + delta
        return self.at

    def set(self, at: datetime) -> datetime:
        """Move the clock to ``at`` and return it.

        Raises:
            ArgumentError: ``at`` is naive or earlier than the clock's time.
        """
        require_aware(at, "at")
        if at < self.at:
            reason = f"a time from {self.at.isoformat()} on (clocks never run backwards)"
            raise ArgumentError(argument="at", value=at, reason=reason)
        self.at = at
        return at


# --------------------------------------------------------------------------- working days


@runtime_checkable
class WorkdayCalendar(Protocol):
    """Tells whether a day is a working day."""

    def is_workday(self, day: date) -> bool:
        """Return whether ``day`` is a working day.

        Raises:
            CalendarCoverageError: The calendar does not know ``day``'s year.
        """
        ...


def _holiday_tables() -> tuple[frozenset[date], frozenset[date], int, int]:
    from chinese_calendar import constants  # noqa: PLC0415 - read once, when first needed

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = [d.year for d in holidays]
    return holidays, workdays, min(years), max(years)


def _beyond(_self: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in ("refuse", "weekdays"):
        raise ArgumentError(attribute.name, value, "'refuse' or 'weekdays'")


@attrs.frozen(kw_only=True)
class ChineseWorkdays:
    """Mainland China's official working days, with holidays and make-up workdays (调休).

    Backed by the schedule of the ``chinesecalendar`` package, read once when the calendar is
    built; version 1.11 (the floor the package requires) covers 2004 to 2026, and each later
    release adds the year the State Council has published.  Before the first covered year a
    day raises :class:`~ruian_governance.CalendarCoverageError`; after
    :attr:`last_covered_day`, ``beyond`` decides, as the caller chooses:

    - ``"refuse"`` (the default): :class:`~ruian_governance.CalendarCoverageError`, so a
      deadline is never a wrong date (a command whose deadline reaches that far is refused);
    - ``"weekdays"``: Monday to Friday are working days (holidays not yet published are not
      known); the engine marks a deadline counted so ``deadline_provisional`` in the record of
      the command that set it (:meth:`DeadlinePolicy.provisional`).

    >>> from datetime import date
    >>> CHINESE_WORKDAYS.is_workday(date(2025, 1, 26))   # a Sunday, but a make-up workday
    True
    >>> CHINESE_WORKDAYS.is_workday(date(2025, 10, 6))   # a Monday in the National Day holiday
    False
    >>> CHINESE_WORKDAYS.years, CHINESE_WORKDAYS.last_covered_day
    ((2004, 2026), datetime.date(2026, 12, 31))
    >>> ChineseWorkdays(beyond="weekdays").is_workday(date(2027, 1, 1))  # a Friday
    True
    """

    beyond: str = attrs.field(default="refuse", validator=_beyond)
    _tables: tuple[frozenset[date], frozenset[date], int, int] = attrs.field(
        init=False, factory=_holiday_tables, repr=False, eq=False
    )

    @property
    def years(self) -> tuple[int, int]:
        """The first and last year the schedule covers."""
        return self._tables[2], self._tables[3]

    @property
    def last_covered_day(self) -> date:
        """The last day the schedule covers: 31 December of its last year."""
        return date(self._tables[3], 12, 31)

    def is_workday(self, day: date) -> bool:
        """Return whether ``day`` is an official working day.

        Raises:
            CalendarCoverageError: The schedule does not cover ``day``'s year (after the last
                covered day only with ``beyond="refuse"``).
        """
        holidays, workdays, first, last = self._tables
        if not first <= day.year <= last:
            if day.year > last and self.beyond == "weekdays":
                return day.weekday() < 5
            raise CalendarCoverageError(day, "chinesecalendar")
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in holidays


CHINESE_WORKDAYS = ChineseWorkdays()
"""The default working-day calendar: :class:`ChineseWorkdays`, refusing days beyond it."""


def add_working_days(
    start: date, days: int, *, calendar: WorkdayCalendar = CHINESE_WORKDAYS
) -> date:
    """Return the ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0).

    Args:
        start: The day counting starts from (it does not count itself).
        days: How many working days to count; not negative.
        calendar: Which days are working days.

    Raises:
        ArgumentError: ``days`` is negative, or the count passes the last day a ``date`` holds.
        CalendarCoverageError: A day counted lies in a year the calendar does not cover.

    >>> from datetime import date
    >>> add_working_days(date(2025, 2, 7), 1)   # Friday -> Saturday 8 Feb, a make-up workday
    datetime.date(2025, 2, 8)
    >>> add_working_days(date(2025, 9, 30), 1)  # -> 9 October, after the National Day holiday
    datetime.date(2025, 10, 9)
    """
    if days < 0:
        raise ArgumentError(argument="days", value=days, reason="a non-negative number of days")
    day = start
    counted = 0
    one = timedelta(days=1)
    while counted < days:
        if day == date.max:
            raise ArgumentError(argument="start", value=start, reason=_TOO_LATE)
        day += one
        if calendar.is_workday(day):
            counted += 1
    return day


_TOO_LATE = "a time whose deadline ends before the year 10000"
"""The reason a count that passes the last day a date holds is refused."""
