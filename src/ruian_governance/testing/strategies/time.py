"""Strategies for time: aware datetimes near the holidays 节假日, clocks, deadlines, policies.

Part of :mod:`ruian_governance.testing.strategies`, which re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache

from hypothesis import strategies as st

from ruian_governance._convert import str_frozenset, str_tuple
from ruian_governance.errors import ArgumentError
from ruian_governance.models import (
    CHINA_STANDARD_TIME,
    CHINESE_WORKDAYS,
    DayCount,
    Deadline,
    DeadlinePolicy,
    FixedClock,
    ManualClock,
)
from ruian_governance.testing._args import check_bound, need_type, sampled

__all__ = ["HOLIDAY_PERIODS", "clocks", "datetimes", "deadline_policies", "deadlines"]

HOLIDAY_PERIODS: tuple[str, ...] = ("Spring Festival", "National Day")
"""The holiday names :func:`datetimes` leans towards by default (春节, 国庆)."""

_COVERAGE_MARGIN = timedelta(days=60)


@cache
def _holiday_periods() -> tuple[tuple[str, date, date], ...]:
    """Every official holiday period (name, first day, last day) the calendar knows."""
    from chinese_calendar import constants  # noqa: PLC0415 - read once, when first needed

    periods: list[tuple[str, date, date]] = []
    for day, name in sorted(constants.holidays.items()):
        if periods and periods[-1][0] == name and (day - periods[-1][2]).days <= 1:
            periods[-1] = (name, periods[-1][1], day)
        else:
            periods.append((name, day, day))
    return tuple(periods)


def datetimes(
    *,
    min_year: int | None = None,
    max_year: int | None = None,
    holidays: Iterable[str] = HOLIDAY_PERIODS,
    near_holidays: bool | None = None,
) -> st.SearchStrategy[datetime]:
    """Generate times (China Standard Time) within the working-day calendar's coverage.

    About half the draws fall within a week of an official holiday period named in
    ``holidays`` (by default the Spring Festival 春节 and National Day 国庆 "golden weeks" and
    the make-up workdays 调休 around them), where working-day deadlines are most surprising.
    The last 60 days of the calendar's coverage are left out, so that a deadline of up to 15
    working days counted from a drawn time stays covered.

    Args:
        min_year: First year (default: the first the calendar covers, 2004).
        max_year: Last year (default: the last the calendar covers, 2026).
        holidays: Names of holiday periods to lean towards, as ``chinesecalendar`` names them
            (``"Spring Festival"``, ``"National Day"``, ``"Labour Day"``...).
        near_holidays: ``True`` only near those holidays, ``False`` never on purpose,
            ``None`` either.

    Raises:
        ArgumentError: Years outside the calendar's coverage, unknown holiday names, or no such
            holiday within the years when ``near_holidays`` is ``True``.

    >>> from hypothesis import given
    >>> from ruian_governance import Deadline
    >>> from ruian_governance.models import CHINESE_WORKDAYS, DayCount
    >>> @given(datetimes(near_holidays=True))
    ... def test_working_day_deadlines_are_covered(at):
    ...     assert Deadline(days=15, count=DayCount.WORKING).due(at) > at
    >>> test_working_day_deadlines_are_covered()
    """
    first, last = CHINESE_WORKDAYS.years
    low = first if min_year is None else min_year
    high = last if max_year is None else max_year
    for name, year in (("min_year", low), ("max_year", high)):
        if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
            reason = f"a year from {first} to {last} (the calendar's coverage)"
            raise ArgumentError(argument=name, value=year, reason=reason)
    if low > high:
        reason = f"a year not before min_year {low}"
        raise ArgumentError(argument="max_year", value=high, reason=reason)
    names = str_frozenset(holidays)
    known = {name for name, _, _ in _holiday_periods()}
    if names - known:
        reason = f"holiday names the calendar knows ({sorted(known)})"
        raise ArgumentError(argument="holidays", value=sorted(names - known), reason=reason)
    start = date(low, 1, 1)
    end = min(date(high, 12, 31), date(last, 12, 31) - _COVERAGE_MARGIN)
    if end < start:
        reason = f"years before the last {_COVERAGE_MARGIN.days} days of coverage"
        raise ArgumentError(argument="min_year", value=low, reason=reason)
    week = timedelta(days=7)
    windows = tuple(
        (max(a - week, start), min(b + week, end))
        for name, a, b in _holiday_periods()
        if name in names and a - week <= end and b + week >= start
    )
    if near_holidays and not windows:
        reason = f"holidays with one between {start} and {end} (for near_holidays=True)"
        raise ArgumentError(argument="holidays", value=sorted(names), reason=reason)
    anywhere = st.dates(start, end)
    # one strategy per window, built once (a flatmap would build one at every draw)
    near = st.one_of(*(st.dates(a, b) for a, b in windows)) if windows else None
    days: st.SearchStrategy[date]
    if near_holidays is None:
        days = anywhere if near is None else st.one_of(near, anywhere)
    else:
        days = near if near_holidays and near is not None else anywhere

    @st.composite
    def build(draw: st.DrawFn) -> datetime:
        day = draw(days, label="date")
        minute = draw(st.integers(0, 24 * 60 - 1), label="minute")
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=CHINA_STANDARD_TIME)

    return build()


def clocks(
    *, times: st.SearchStrategy[datetime] | None = None, manual: bool | None = None
) -> st.SearchStrategy[FixedClock | ManualClock]:
    """Generate fresh clocks: :class:`~ruian_governance.FixedClock` or ``ManualClock``.

    Args:
        times: Their starting times (default: :func:`datetimes`).
        manual: ``True`` only manual clocks, ``False`` only fixed ones, ``None`` either.

    Raises:
        ArgumentError: ``times`` is not a strategy.

    >>> from hypothesis import given
    >>> @given(clocks(manual=True))
    ... def test_manual_clocks_move_forward(clock):
    ...     before = clock.now()
    ...     assert clock.advance(timedelta(hours=1)) > before
    >>> test_manual_clocks_move_forward()
    """
    starts = datetimes() if times is None else times
    need_type("times", starts, st.SearchStrategy)

    @st.composite
    def build(draw: st.DrawFn) -> FixedClock | ManualClock:
        at = draw(starts, label="at")
        is_manual = draw(st.booleans(), label="manual") if manual is None else manual
        return ManualClock(at=at) if is_manual else FixedClock(at=at)

    return build()


def deadlines(
    *, max_days: int = 20, counts: Iterable[DayCount] = tuple(DayCount)
) -> st.SearchStrategy[Deadline]:
    """Generate :class:`~ruian_governance.Deadline`s of 0 to ``max_days`` days.

    Args:
        max_days: Most days (keep it at 15 or below for working days counted from
            :func:`datetimes`, which leave 60 days of calendar coverage).
        counts: The ways of counting to draw from (calendar 自然日, working 工作日).

    Raises:
        ArgumentError: ``max_days`` is negative or ``counts`` empty.

    >>> from hypothesis import given
    >>> @given(deadlines(max_days=15), datetimes())
    ... def test_deadlines_never_precede_their_start(deadline, at):
    ...     assert deadline.due(at) > at
    >>> test_deadlines_never_precede_their_start()
    """
    check_bound("max_days", max_days, 0)
    count_strategy = sampled(counts, "counts")

    @st.composite
    def build(draw: st.DrawFn) -> Deadline:
        return Deadline(
            days=draw(st.integers(0, max_days), label="days"),
            count=draw(count_strategy, label="count"),
        )

    return build()


def deadline_policies(
    *,
    severities: Iterable[str] = ("ordinary", "larger", "major"),
    limits: Iterable[str] = (),
    deadline: st.SearchStrategy[Deadline] | None = None,
) -> st.SearchStrategy[DeadlinePolicy]:
    """Generate :class:`~ruian_governance.DeadlinePolicy` objects: a limit per severity and name.

    Args:
        severities: The severity keys that each get a time limit.
        limits: Names of further limits (e.g. ``"max_extension"``).
        deadline: The strategy of each limit (default: :func:`deadlines` up to 15 days).

    Raises:
        ArgumentError: ``deadline`` is not a strategy.

    >>> from hypothesis import given
    >>> @given(deadline_policies(limits=["max_extension"]))
    ... def test_policies_cover_their_severities(policy):
    ...     assert set(policy.by_severity) == {"ordinary", "larger", "major"}
    >>> test_policies_cover_their_severities()
    """
    severity_keys = str_tuple(severities)
    limit_keys = str_tuple(limits)
    each = deadlines(max_days=15) if deadline is None else deadline
    need_type("deadline", each, st.SearchStrategy)

    @st.composite
    def build(draw: st.DrawFn) -> DeadlinePolicy:
        return DeadlinePolicy(
            by_severity={k: draw(each, label=k) for k in severity_keys},
            limits={k: draw(each, label=k) for k in limit_keys},
        )

    return build()
