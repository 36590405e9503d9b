"""Rates 研判指标: on time, time to close, escalation, return and satisfaction, as pure functions.

Every function takes cases (with their histories) and the lifecycle definitions that say what
their states and triggers mean (default: the built-in lifecycles).  A case is *closed* when it
first enters a closing state of its definition (:attr:`~ruian_governance.lifecycles.State.closing`:
办结 for events and disputes, 销号 for hazards) and *on time* when that happened before its
deadline; escalations, returns, dispatches and evaluations are the records whose trigger has that
:class:`~ruian_governance.lifecycles.TriggerKind`.  An extension of a built-in lifecycle is
counted exactly like the built-in, whatever its key.

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> from ruian_governance.analysis import on_time_rate, satisfaction
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> cases = simulate(SimulationConfig(hierarchy=h, days=7, seed=1)).cases
>>> rate = on_time_rate(cases)
>>> 0 <= rate.count <= rate.total
True
>>> satisfaction(cases).value is not None
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case

from ._reading import Lifecycles, Reading

__all__ = [
    "Rate",
    "closed_at",
    "escalation_rate",
    "on_time_rate",
    "return_rate",
    "satisfaction",
    "time_to_close",
]


@attrs.frozen(kw_only=True)
class Rate:
    """A share: ``count`` of ``total``; ``value`` is ``None`` when there is nothing to count.

    ``str(rate)`` is how every report shows a rate: the percentage and the counts.

    >>> Rate(count=3, total=4).value, str(Rate(count=3, total=4)), str(Rate(count=0, total=0))
    (0.75, '75.0% (3/4)', 'n/a (0/0)')
    """

    count: int
    total: int

    @property
    def value(self) -> float | None:
        """``count / total``, or ``None`` without a total."""
        return self.count / self.total if self.total else None

    def __str__(self) -> str:
        value = self.value
        shown = "n/a" if value is None else f"{value:.1%}"
        return f"{shown} ({self.count}/{self.total})"


def _of(cases: Iterable[Case], lifecycle: str | None) -> list[Case]:
    return [c for c in cases if lifecycle is None or c.lifecycle == lifecycle]


def closed_at(case: Case, *, lifecycles: Lifecycles = BUILTIN_LIFECYCLES) -> datetime | None:
    """When ``case`` first entered a closing state of its lifecycle, or ``None``.

    Raises:
        UnknownIdError: No definition in ``lifecycles`` has the case's lifecycle key.
    """
    return Reading.of(lifecycles).of_case(case).closed_at(case)


def on_time_rate(
    cases: Iterable[Case],
    *,
    lifecycle: str | None = None,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> Rate:
    """The on-time completion rate 按期办结率: closed cases closed before their deadline.

    Cases closed without a deadline count as on time; open cases are not counted.

    Args:
        cases: The cases.
        lifecycle: Only cases of this lifecycle key (default: all).
        lifecycles: The definitions of the cases' lifecycles.

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    reading = Reading.of(lifecycles)
    count = total = 0
    for case in _of(cases, lifecycle):
        closed = reading.of_case(case).closed_at(case)
        if closed is None:
            continue
        total += 1
        if case.due_at is None or closed < case.due_at:
            count += 1
    return Rate(count=count, total=total)


def time_to_close(
    cases: Iterable[Case],
    *,
    percentiles: Sequence[float] = (50, 90, 95),
    lifecycle: str | None = None,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> dict[float, timedelta]:
    """Percentiles of the time from opening to closing (nearest-rank), over closed cases.

    Raises:
        AnalysisError: A percentile is outside (0, 100].
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.

    >>> time_to_close([])
    {}
    """
    for p in percentiles:
        if not 0 < p <= 100:
            raise AnalysisError(argument="percentiles", problem=f"{p!r} is not in (0, 100]")
    reading = Reading.of(lifecycles)
    spans = sorted(
        closed - case.opened_at
        for case in _of(cases, lifecycle)
        if (closed := reading.of_case(case).closed_at(case)) is not None
    )
    if not spans:
        return {}
    return {p: spans[max(0, math.ceil(p / 100 * len(spans)) - 1)] for p in percentiles}


def escalation_rate(
    cases: Iterable[Case],
    *,
    lifecycle: str | None = None,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> Rate:
    """Share of cases escalated 提级/上移 at least once (a record of an ``ESCALATE`` trigger).

    Every case counts in the total, escalated or not (pass only the cases that can be).

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.

    >>> str(escalation_rate([]))
    'n/a (0/0)'
    """
    reading = Reading.of(lifecycles)
    chosen = _of(cases, lifecycle)
    count = sum(1 for c in chosen if reading.of_case(c).fired(c, TriggerKind.ESCALATE))
    return Rate(count=count, total=len(chosen))


def return_rate(cases: Iterable[Case], *, lifecycles: Lifecycles = BUILTIN_LIFECYCLES) -> Rate:
    """Share of dispatched cases returned 退回 by a handling unit at least once.

    Counted over the cases that were dispatched (a record of a ``DISPATCH`` trigger) in a
    lifecycle whose handling units can return them (one with a ``RETURN`` trigger): dispatched
    events, with the built-ins.

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    reading = Reading.of(lifecycles)
    count = total = 0
    for case in cases:
        meaning = reading.of_case(case)
        if meaning.triggers[TriggerKind.RETURN] and meaning.fired(case, TriggerKind.DISPATCH):
            total += 1
            count += meaning.fired(case, TriggerKind.RETURN)
    return Rate(count=count, total=total)


def satisfaction(
    cases: Iterable[Case],
    *,
    lifecycle: str | None = None,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> Rate:
    """Satisfaction 满意率: share of evaluations 评价 (``EVALUATE`` records) with 4 or 5 stars.

    The total counts evaluations, not cases: a case evaluated twice counts twice.

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    reading = Reading.of(lifecycles)
    good = total = 0
    for case in _of(cases, lifecycle):
        evaluations = reading.of_case(case).triggers[TriggerKind.EVALUATE]
        for record in case.history:
            if record.trigger in evaluations:
                total += 1
                stars = record.get("stars")
                good += isinstance(stars, int) and stars >= 4
    return Rate(count=good, total=total)
