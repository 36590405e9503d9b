"""Deadlines: time limits in calendar or working days, office hours, step limits, policies.

A :class:`Deadline` counts calendar days or Chinese working days (:mod:`.clock`); a
:class:`StepLimit` is the limit of one step of a lifecycle, in office hours or working days;
:class:`WorkingHours` are the office hours such limits count; a :class:`DeadlinePolicy` holds a
lifecycle's limits.  :func:`working_time` and :func:`add_working_time` count office hours of
working days (paused time 挂起 and hour limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import attrs

from ruian_governance._convert import LabelledEnum, instance_of, mapping_of, require_aware
from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.labels import Label

from .clock import (
    _TOO_LATE,
    CHINA_STANDARD_TIME,
    CHINESE_WORKDAYS,
    ChineseWorkdays,
    WorkdayCalendar,
    add_working_days,
)

__all__ = [
    "MAX_DEADLINE_DAYS",
    "OFFICE_HOURS",
    "DayCount",
    "Deadline",
    "DeadlinePolicy",
    "StepLimit",
    "WorkingHours",
    "add_working_time",
    "working_time",
]


# --------------------------------------------------------------------------- working hours


def _time_of_day(_self: object, attribute: attrs.Attribute[time], value: object) -> None:
    if type(value) is not time or value.tzinfo is not None:
        raise ArgumentError(attribute.name, value, "a naive time of day (local office hours)")


@attrs.frozen(kw_only=True)
class WorkingHours:
    """Office hours 工作时间 on working days: one span a day, in one timezone.

    The default, 08:30 to 17:30 China Standard Time (nine hours), is a design choice: town
    command rooms and stations in Zhejiang keep office hours of about that length (the
    lunch break is not subtracted).  Time limits in hours (sign within 2 hours, ...) and the
    paused time a pause 挂起 credits count only these hours on the calendar's working days.

    Raises:
        ArgumentError: ``start`` or ``end`` is not a naive time, or ``start`` is not before
            ``end``.

    >>> WorkingHours().length
    datetime.timedelta(seconds=32400)
    """

    start: time = attrs.field(default=time(8, 30), validator=_time_of_day)
    end: time = attrs.field(default=time(17, 30), validator=_time_of_day)
    zone: timezone = attrs.field(default=CHINA_STANDARD_TIME, validator=instance_of(timezone))

    def __attrs_post_init__(self) -> None:
        if not self.start < self.end:
            argument = "end"
            raise ArgumentError(argument, self.end, f"a time after the start {self.start}")

    @property
    def length(self) -> timedelta:
        """The length of one working day's hours."""
        day = date(2000, 1, 1)
        return datetime.combine(day, self.end) - datetime.combine(day, self.start)

    def span(self, day: date) -> tuple[datetime, datetime]:
        """The office hours of ``day`` as two aware datetimes (whether a working day or not)."""
        return (
            datetime.combine(day, self.start, tzinfo=self.zone),
            datetime.combine(day, self.end, tzinfo=self.zone),
        )


OFFICE_HOURS = WorkingHours()
"""The default office hours: 08:30 to 17:30, China Standard Time (a design choice)."""

_MAX_SCAN_DAYS = 3 * 3660
"""The most days the working-time functions walk (a calendar with no working days ends)."""


def working_time(
    start: datetime,
    end: datetime,
    *,
    calendar: WorkdayCalendar = CHINESE_WORKDAYS,
    hours: WorkingHours = OFFICE_HOURS,
) -> timedelta:
    """Return the working time between ``start`` and ``end``: office hours on working days.

    Zero when ``end`` is not after ``start``.

    Raises:
        ArgumentError: A time is naive, or the span is longer than about 30 years.
        CalendarCoverageError: A day of the span lies beyond the calendar's coverage.

    >>> from datetime import datetime
    >>> fri = datetime(2025, 3, 7, 16, 30, tzinfo=CHINA_STANDARD_TIME)
    >>> working_time(fri, fri + timedelta(days=3))     # Fri 16:30 to Mon 16:30
    datetime.timedelta(seconds=32400)
    """
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        return timedelta(0)
    first = start.astimezone(hours.zone).date()
    last = end.astimezone(hours.zone).date()
    if (last - first).days > _MAX_SCAN_DAYS:
        msg = "end"
        raise ArgumentError(msg, end, "a time within about 30 years of the start")
    total = timedelta(0)
    day = first
    one = timedelta(days=1)
    while day <= last:
        if calendar.is_workday(day):
            opens, closes = hours.span(day)
            low, high = max(start, opens), min(end, closes)
            if high > low:
                total += high - low
        day += one
    return total


def add_working_time(
    start: datetime,
    duration: timedelta,
    *,
    calendar: WorkdayCalendar = CHINESE_WORKDAYS,
    hours: WorkingHours = OFFICE_HOURS,
) -> datetime:
    """Return the moment ``duration`` of working time after ``start`` has passed.

    ``start`` itself for a zero duration; otherwise a moment within office hours of a working
    day.  The inverse of :func:`working_time`:
    ``working_time(start, add_working_time(start, d)) == d``.

    Raises:
        ArgumentError: A naive ``start``, a negative ``duration``, or one that needs more than
            about 30 years.
        CalendarCoverageError: A day counted lies beyond the calendar's coverage.

    >>> from datetime import datetime
    >>> fri = datetime(2025, 3, 7, 16, 30, tzinfo=CHINA_STANDARD_TIME)
    >>> add_working_time(fri, timedelta(hours=2)).isoformat()   # 1 hour Friday, 1 Monday
    '2025-03-10T09:30:00+08:00'
    """
    require_aware(start, "start")
    if type(duration) is not timedelta or duration < timedelta(0):
        msg = "duration"
        raise ArgumentError(msg, duration, "a timedelta of at least 0")
    if not duration:
        return start
    left = duration
    day = start.astimezone(hours.zone).date()
    one = timedelta(days=1)
    for _ in range(_MAX_SCAN_DAYS):
        if calendar.is_workday(day):
            opens, closes = hours.span(day)
            low = max(start, opens)
            if closes > low:
                if low + left <= closes:
                    return (low + left).astimezone(start.tzinfo)
                left -= closes - low
        if day == date.max:
            break
        day += one
    msg = "duration"
    raise ArgumentError(msg, duration, "working time that ends within about 30 years")


def _step_amount(_self: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None and (type(value) is not int or not 0 < value <= MAX_DEADLINE_DAYS):
        raise ArgumentError(attribute.name, value, f"a whole number from 1 to {MAX_DEADLINE_DAYS}")


@attrs.frozen(kw_only=True)
class StepLimit:
    """The time limit of one step of a lifecycle: working hours, or working days.

    Give exactly one of ``hours`` (office hours of working days, e.g. sign 签收 within 2
    hours) or ``days`` (working days, the step falls due at the midnight after the last one,
    as a :class:`Deadline` does).

    Raises:
        ArgumentError: Neither or both given, or one out of 1 to 3,650.

    >>> from datetime import datetime
    >>> mon = datetime(2025, 3, 10, 16, 0, tzinfo=CHINA_STANDARD_TIME)
    >>> StepLimit(hours=2).due(mon).isoformat(), str(StepLimit(days=1))
    ('2025-03-11T09:00:00+08:00', '1 working days')
    """

    hours: int | None = attrs.field(default=None, validator=_step_amount)
    days: int | None = attrs.field(default=None, validator=_step_amount)

    def __attrs_post_init__(self) -> None:
        if (self.hours is None) == (self.days is None):
            argument = "hours"
            raise ArgumentError(argument, self.hours, "exactly one of hours and days")

    def due(
        self,
        start: datetime,
        *,
        calendar: WorkdayCalendar = CHINESE_WORKDAYS,
        hours: WorkingHours = OFFICE_HOURS,
    ) -> datetime:
        """Return when a step started at ``start`` falls due under this limit.

        Raises:
            ArgumentError, CalendarCoverageError: As :func:`add_working_time` and
                :meth:`Deadline.due` say.
        """
        if self.hours is not None:
            return add_working_time(
                start, timedelta(hours=self.hours), calendar=calendar, hours=hours
            )
        days = self.days if self.days is not None else 0
        return Deadline(days=days, count=DayCount.WORKING).due(start, calendar=calendar)

    def __str__(self) -> str:
        if self.hours is not None:
            return f"{self.hours} working hours"
        return f"{self.days} working days"


# --------------------------------------------------------------------------- deadlines


_LAST_DAY = date.max
"""The last day a date holds: deadlines must end before it (they fall due the day after)."""


class DayCount(LabelledEnum):
    """How a deadline counts days: calendar days 自然日 or working days 工作日.

    >>> DayCount.WORKING.label.zh
    '工作日'
    """

    CALENDAR = "calendar"
    WORKING = "working"


DayCount._labels_ = {
    DayCount.CALENDAR: Label(en="calendar days", zh="自然日"),
    DayCount.WORKING: Label(en="working days", zh="工作日"),
}


MAX_DEADLINE_DAYS = 3650
"""The longest time limit a :class:`Deadline` may count: ten years of days."""


def _day_count(value: DayCount | str) -> DayCount:
    # The converter of Deadline.count: one small typed function per enum field (see _convert).
    return DayCount.parse(value, "count")


def _days(_self: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 <= value <= MAX_DEADLINE_DAYS:
        raise ArgumentError(attribute.name, value, f"a whole number from 0 to {MAX_DEADLINE_DAYS}")


@attrs.frozen(kw_only=True)
class Deadline:
    """A time limit: a number of calendar or working days.

    A deadline of ``n`` days started at time ``t`` falls due at the end of the ``n``-th day after
    ``t``'s date (of the ``n``-th working day for working days), i.e. at the midnight that
    follows it, in ``t``'s timezone.  Zero days means "the same day" (当日).

    Args:
        days: How many days, from 0 to :data:`MAX_DEADLINE_DAYS` (3,650).
        count: Calendar days (the default) or working days.

    Raises:
        ArgumentError: ``days`` is not a whole number in that range.

    >>> from datetime import datetime
    >>> t = datetime(2025, 5, 6, 15, 30, tzinfo=CHINA_STANDARD_TIME)
    >>> Deadline(days=0).due(t).isoformat()
    '2025-05-07T00:00:00+08:00'
    """

    days: int = attrs.field(validator=_days)
    count: DayCount = attrs.field(default=DayCount.CALENDAR, converter=_day_count)

    def due_date(self, start: date, *, calendar: WorkdayCalendar = CHINESE_WORKDAYS) -> date:
        """Return the last day of the time limit counted from ``start``.

        Raises:
            ArgumentError: The limit ends after the last day a ``date`` holds (year 9999).
            CalendarCoverageError: Working days reach a year the calendar does not cover.
        """
        if self.count is DayCount.CALENDAR:
            if start > _LAST_DAY - timedelta(days=self.days):
                raise ArgumentError(argument="start", value=start, reason=_TOO_LATE)
            return start + timedelta(days=self.days)
        return add_working_days(start, self.days, calendar=calendar)

    def due(self, start: datetime, *, calendar: WorkdayCalendar = CHINESE_WORKDAYS) -> datetime:
        """Return the moment the time limit started at ``start`` runs out.

        Raises:
            ArgumentError: ``start`` is naive, or the limit ends after the last day a
                ``datetime`` holds (year 9999).
            CalendarCoverageError: Working days reach a year the calendar does not cover.
        """
        require_aware(start, "start")
        last = self.due_date(start.date(), calendar=calendar)
        if last >= _LAST_DAY:
            raise ArgumentError(argument="start", value=start, reason=_TOO_LATE)
        return datetime.combine(last + timedelta(days=1), time(0), tzinfo=start.tzinfo)

    def __str__(self) -> str:
        return f"{self.days} {self.count.label.en}"


def _step_limits(_self: object, attribute: attrs.Attribute[Any], value: Mapping[Any, Any]) -> None:
    for key, limit in value.items():
        if type(key) is not str or not isinstance(limit, StepLimit):
            raise ArgumentError(attribute.name, {key: limit}, "state keys mapped to StepLimit")


def _share(_self: object, attribute: attrs.Attribute[float], value: object) -> None:
    if type(value) not in (int, float) or not 0 < value < 1:  # type: ignore[operator]
        raise ArgumentError(attribute.name, value, "a share above 0 and below 1")


def _flag(_self: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if type(value) is not bool:
        raise ArgumentError(attribute.name, value, "True or False")


def _count(_self: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 0 <= value <= 100:
        raise ArgumentError(attribute.name, value, "a whole number from 0 to 100")


@attrs.frozen(kw_only=True)
class DeadlinePolicy:
    """The time limits of one lifecycle: per severity, and named limits its guards use.

    Args:
        by_severity: The time limit of a case, by severity key (e.g. ``"ordinary"``).
        limits: Other named limits, e.g. ``"max_extension"`` (延期上限, the total days of
            every extension of a case), ``"max_pause"`` (挂起上限, the total working days a
            case may be paused) or ``"judicial_confirmation"`` (司法确认申请期限).
        calendar: The working-day calendar used by working-day limits.
        steps: The time limit of each step, by state key (亮灯预警: sign 签收 within hours,
            handle 处置 within working days, ...); a state without one has only the case's.
        hours: The office hours working-hour limits and paused time count.
        warn_share: The share of a step's (or the case's) time used at which its warning
            turns yellow 黄灯, above 0 and below 1 (default 0.8).
        max_extensions: How many extensions 延期 a case may be granted (default 2).
        restart_on_reassign: Whether a reassignment 转派 restarts the case's clock (its
            deadline counted again from the reassignment by its severity); default ``False``:
            the deadline stays (the command room's delay is not the new unit's credit).

    Raises:
        ArgumentError: A step limit that is not a :class:`StepLimit`, a share outside (0, 1),
            a count that is not a whole number from 0 to 100.

    >>> policy = DeadlinePolicy(by_severity={"ordinary": Deadline(days=3)})
    >>> str(policy.for_severity("ordinary"))
    '3 calendar days'
    """

    by_severity: Mapping[str, Deadline] = attrs.field(converter=mapping_of, hash=False)
    limits: Mapping[str, Deadline] = attrs.field(converter=mapping_of, factory=dict, hash=False)
    calendar: WorkdayCalendar = attrs.field(default=CHINESE_WORKDAYS, eq=False)
    steps: Mapping[str, StepLimit] = attrs.field(
        converter=mapping_of, factory=dict, hash=False, validator=_step_limits
    )
    hours: WorkingHours = attrs.field(default=OFFICE_HOURS, validator=instance_of(WorkingHours))
    warn_share: float = attrs.field(default=0.8, validator=_share)
    max_extensions: int = attrs.field(default=2, validator=_count)
    restart_on_reassign: bool = attrs.field(default=False, validator=_flag)

    def for_severity(self, severity: str) -> Deadline:
        """Return the time limit for ``severity``.

        Raises:
            UnknownIdError: The policy has no limit for this severity.
        """
        try:
            return self.by_severity[severity]
        except KeyError:
            raise UnknownIdError(severity, "the deadline policy's severities") from None

    def limit(self, key: str) -> Deadline:
        """Return the named limit ``key``.

        Raises:
            UnknownIdError: The policy has no such limit.
        """
        try:
            return self.limits[key]
        except KeyError:
            raise UnknownIdError(key, "the deadline policy's limits") from None

    def due(self, severity: str, start: datetime) -> datetime:
        """Return when a case of ``severity`` opened at ``start`` falls due.

        Raises:
            UnknownIdError: The policy has no limit for this severity.
            ArgumentError: ``start`` is naive, or the deadline ends after the year 9999.
            CalendarCoverageError: Working days reach a year the calendar does not cover.
        """
        return self.for_severity(severity).due(start, calendar=self.calendar)

    @property
    def weekday_fallback(self) -> bool:
        """Whether this policy counts working days past its calendar's coverage as weekdays.

        True when it counts working days and its calendar is a :class:`ChineseWorkdays` with
        ``beyond="weekdays"``.
        """
        calendar = self.calendar
        return (
            isinstance(calendar, ChineseWorkdays)
            and calendar.beyond == "weekdays"
            and any(
                d.count is DayCount.WORKING
                for d in (*self.by_severity.values(), *self.limits.values())
            )
        )

    def provisional(self, due_at: datetime) -> bool:
        """Whether a deadline ``due_at`` of this policy may be provisional.

        True with the :attr:`weekday_fallback` when the deadline's last day lies past the
        calendar's coverage: holidays not yet published may move it.

        >>> from datetime import datetime
        >>> policy = DeadlinePolicy(by_severity={"x": Deadline(days=3, count=DayCount.WORKING)},
        ...                         calendar=ChineseWorkdays(beyond="weekdays"))
        >>> at = datetime(2026, 12, 30, 9, tzinfo=CHINA_STANDARD_TIME)
        >>> policy.due("x", at).isoformat(), policy.provisional(policy.due("x", at))
        ('2027-01-05T00:00:00+08:00', True)
        """
        calendar = self.calendar
        if not self.weekday_fallback or not isinstance(calendar, ChineseWorkdays):
            return False
        return due_at.date() - timedelta(days=1) > calendar.last_covered_day
