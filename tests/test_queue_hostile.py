"""A hostile caller of the public event queue (sim.queue.EventQueue).

Every refusal is an ArgumentError and leaves the queue as it was: the same events pop in the
same order afterwards as from a queue that never saw the bad call.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from ruian_governance.errors import ArgumentError, RuianGovernanceError
from ruian_governance.sim.queue import EventQueue

NOON = datetime(2025, 3, 3, 12, tzinfo=UTC)


def _record(at: datetime, payload: Any) -> None:
    """A handler that does nothing (the tests pop events, they do not run them)."""


def _filled() -> EventQueue:
    """A queue with events in the current bucket and in later ones."""
    queue = EventQueue()
    for minutes in (0, 3, 25, 600, 24 * 60):
        queue.push(NOON + timedelta(minutes=minutes), _record, minutes)
    return queue


def _drained(queue: EventQueue) -> list[tuple[datetime, Any]]:
    return [(when, payload) for when, _, _, payload in queue.until(NOON + timedelta(days=3))]


BAD_TIMES = [
    None,
    "2025-03-03T12:00:00+08:00",
    1_741_000_000,
    math.nan,
    float("inf"),
    date(2025, 3, 3),
    datetime(2025, 3, 3, 12),  # naive
    [NOON],
]


@pytest.mark.parametrize("when", BAD_TIMES, ids=repr)
def test_push_refuses_what_is_not_an_aware_time_and_queues_nothing(when: object) -> None:
    """A bad time is an ArgumentError, on an empty queue and on a filled one."""
    empty = EventQueue()
    with pytest.raises(ArgumentError):
        empty.push(when, _record, 0)  # type: ignore[arg-type]
    assert len(empty) == 0
    empty.push(NOON, _record, "after")  # the queue still works (no origin was set)
    assert _drained(empty) == [(NOON, "after")]

    queue = _filled()
    with pytest.raises(ArgumentError):
        queue.push(when, _record, 0)  # type: ignore[arg-type]
    assert _drained(queue) == _drained(_filled())


@pytest.mark.parametrize(
    "handler", [None, "close", 3, object()], ids=["None", "str", "int", "object"]
)
def test_push_refuses_a_handler_that_cannot_be_called(handler: object) -> None:
    """A handler that cannot be called is refused when pushed, not when its time comes."""
    queue = _filled()
    with pytest.raises(ArgumentError) as refused:
        queue.push(NOON, handler, 0)  # type: ignore[arg-type]
    assert isinstance(refused.value, RuianGovernanceError)
    assert len(queue) == 5
    assert _drained(queue) == _drained(_filled())


@pytest.mark.parametrize(
    "event",
    [
        None,
        (NOON, 1, _record),
        [NOON, 1, _record, 0],
        (NOON, "1", _record, 0),
        (NOON, 1.0, _record, 0),
        (datetime(2025, 3, 3, 12), 1, _record, 0),
        ("noon", 1, _record, 0),
        (NOON, 1, _record, 0, "extra"),
    ],
    ids=["None", "three", "list", "str-number", "float-number", "naive", "str-time", "five"],
)
def test_defer_refuses_a_forged_event_record(event: object) -> None:
    """``defer`` takes only (aware time, int, handler, payload) records."""
    queue = _filled()
    with pytest.raises(ArgumentError):
        queue.defer(event)  # type: ignore[arg-type]
    assert _drained(queue) == _drained(_filled())


@pytest.mark.parametrize("end", BAD_TIMES, ids=repr)
def test_until_refuses_a_bad_end_and_pops_nothing(end: object) -> None:
    """A bad end is refused before anything is popped."""
    queue = _filled()
    with pytest.raises(ArgumentError):
        next(queue.until(end))  # type: ignore[arg-type]
    assert len(queue) == 5
    assert _drained(queue) == _drained(_filled())


def test_times_in_other_zones_order_by_instant() -> None:
    """An aware time of another zone is the same instant, ordered as such."""
    queue = EventQueue()
    beijing = timezone(timedelta(hours=8))
    queue.push(NOON, _record, "utc noon")
    queue.push(NOON.astimezone(beijing) - timedelta(minutes=1), _record, "a minute before")
    queue.push(NOON + timedelta(days=400), _record, "next year")
    assert [p for _, p in _drained_far(queue)] == ["a minute before", "utc noon", "next year"]


def _drained_far(queue: EventQueue) -> list[tuple[datetime, Any]]:
    return [(w, p) for w, _, _, p in queue.until(NOON + timedelta(days=500))]


def test_defer_of_a_time_in_the_current_bucket_keeps_every_event_in_order() -> None:
    """A record of the current bucket given to ``defer`` is popped in order, none lost.

    (It used to go among the later buckets under the current bucket's key, where the
    current heap overwrote it when an earlier time was pushed.)
    """
    queue = _filled()  # the current bucket is NOON's
    queue.defer((NOON + timedelta(minutes=1), 100, _record, "deferred"))
    queue.push(NOON - timedelta(hours=1), _record, "earlier")  # sends the current bucket back
    drained = _drained(queue)
    assert [p for _, p in drained] == ["earlier", 0, "deferred", 3, 25, 600, 24 * 60]
