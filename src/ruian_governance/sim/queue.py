"""A typed event queue: what happens next in simulated time.

Each scheduled event is an :data:`Event` record ``(time, seq, handler, payload)``: its time, a
sequence number (events at the same time run in the order they were scheduled), the handler to
call and the handler's typed payload (a case id, a :class:`DueReport`, a town id, a day
number).  :meth:`EventQueue.push` checks that the payload is what the handler takes; records
are ordered by (time, sequence number), so ``heapq`` never compares handlers or payloads.

Records are plain tuples rather than a ``NamedTuple``: a run keeps tens of thousands queued
and makes one per event, and tuple-subclass instances cost the Rui'an 28-day run about 7% of
its time with the cyclic collector on and 4% with it paused (measured on the benchmark).

>>> from datetime import datetime, timezone
>>> seen = []
>>> queue = EventQueue()
>>> noon = datetime(2025, 3, 3, 12, tzinfo=timezone.utc)
>>> queue.push(noon, lambda at, report: seen.append(report.category), DueReport("g1", "petition"))
>>> queue.push(noon.replace(hour=9), lambda at, day: seen.append(day), 0)
>>> for time, _, handler, payload in queue.until(noon.replace(hour=23)):
...     handler(time, payload)
>>> seen, len(queue)
([0, 'petition'], 0)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import count
from typing import Any, NamedTuple, TypeAlias, TypeVar

from ruian_governance._convert import require_aware
from ruian_governance.errors import ArgumentError

__all__ = ["DueReport", "Event", "EventQueue", "Handler"]

P = TypeVar("P")

Handler: TypeAlias = Callable[[datetime, P], None]
"""What runs an event: called with the event's time and its payload."""

Event: TypeAlias = tuple[datetime, int, Handler[P], P]
"""One scheduled event: (time, sequence number, handler, payload), ordered by the first two."""


class DueReport(NamedTuple):
    """A report 上报 a grid worker will make: where and of what category."""

    grid_id: str
    category: str


SPAN = timedelta(minutes=10)
"""The width of a bucket of the queue by default (a design choice, measured with
``benchmarks/bench_region.py``: a heap of one bucket's events stays small)."""

_SPAN_REPORTS = 1_800
"""Reports a day up to which a run's queue keeps buckets :data:`SPAN` wide (a 50,000-event
city of 28 days); a busier run narrows them in proportion (:func:`_span_for`)."""


def _span_for(reports_per_day: float) -> timedelta:
    """The width of a bucket for a run of ``reports_per_day``: about as many events per bucket.

    :data:`SPAN` up to :data:`_SPAN_REPORTS` reports a day, narrower in proportion above (a
    1,000,000-event city of 28 days: 30 seconds), never below a second.  A bucket's heap
    then holds about a hundred events whatever the city (measured: ``heappop`` of a
    400,000-event city 9.4 -> 5.0 µs per event with one-minute buckets, while one-minute
    buckets cost a 50,000-event city 2.8 µs per event more in bucket changes).  Any width
    pops the same order.
    """
    if not reports_per_day > _SPAN_REPORTS:  # NaN and fewer reports: the default
        return SPAN
    seconds = max(1, round(SPAN.total_seconds() * _SPAN_REPORTS / reports_per_day))
    return timedelta(seconds=seconds)


class _Never:
    """Later than no time: the end of the current bucket before the first push."""

    def __gt__(self, other: object) -> bool:
        return False

    __ge__ = __gt__


class EventQueue:
    """A priority queue of :data:`Event` records: a binary heap per bucket of time.

    Events of the current bucket (``span`` wide, :data:`SPAN` by default) are on a ``heapq``
    heap; later ones wait in lists by bucket, and a bucket's list becomes the heap
    (``heapify``) when the earlier buckets are done.  Popping gives the same order as one heap
    of every event, (time, sequence number), but each heap operation works on one bucket's
    events, which stay in the processor's caches however many events a large city has queued.
    """

    __slots__ = ("_end", "_heap", "_keys", "_later", "_numbers", "_origin", "_span", "_start")

    def __init__(self, span: timedelta = SPAN) -> None:
        """A queue of buckets ``span`` wide (any width pops the same order).

        Raises:
            ArgumentError: ``span`` is not a positive :class:`~datetime.timedelta`.
        """
        if type(span) is not timedelta or span <= timedelta(0):
            msg = "span"
            raise ArgumentError(msg, span, "a positive timedelta")
        self._span = span
        # the run's RunState and _Run push and pop on the current heap directly (a call less
        # per event), numbering each record with next(_numbers) as push does
        self._heap: list[Event[Any]] = []
        self._numbers = count(1)
        self._later: dict[int, list[Event[Any]]] = {}  # the records of later buckets, by key
        self._keys: list[int] = []  # a heap of the keys of _later
        self._origin: datetime | None = None  # the start of bucket 0 (the first time pushed)
        self._start: Any = None  # the current bucket's first time and the next bucket's
        self._end: Any = _Never()

    def __len__(self) -> int:
        return len(self._heap) + sum(map(len, self._later.values()))

    def push(self, when: datetime, handler: Handler[P], payload: P) -> None:
        """Schedule ``handler(when, payload)``; after every event already due at ``when``.

        Raises:
            ArgumentError: ``when`` is not a timezone-aware datetime, or ``handler`` cannot
                be called (nothing is queued).
        """
        require_aware(when, "when")
        checked: object = handler  # typed callable, but a caller may pass anything
        if not callable(checked):
            what = "handler"
            raise ArgumentError(what, handler, "a callable taking (time, payload)")
        event = (when, next(self._numbers), handler, payload)
        if when < self._end and when >= self._start:
            heapq.heappush(self._heap, event)
        else:
            self._defer(event)

    def defer(self, event: Event[Any]) -> None:
        """Queue a record numbered as :meth:`push` numbers them (the run's own code makes them).

        A record whose time falls in the current bucket goes onto its heap, as :meth:`push`
        puts it.

        Raises:
            ArgumentError: ``event`` is not a (time, sequence number, handler, payload) tuple
                with a timezone-aware time (nothing is queued).
        """
        if type(event) is not tuple or len(event) != 4 or type(event[1]) is not int:
            what = "event"
            raise ArgumentError(what, event, "a (time, sequence number, handler, payload) tuple")
        when = require_aware(event[0], "event time")
        if when < self._end and when >= self._start:
            heapq.heappush(self._heap, event)
        else:
            self._defer(event)

    def _defer(self, event: Event[Any]) -> None:
        # defer without its checks, for a record outside the current bucket: push's and the
        # run's own (sim.state), made from checked times (a call less per scheduled command)
        when = event[0]
        start = self._start
        if start is None or when < start:  # no current bucket, or one later than ``when``
            heap = self._heap
            if heap:  # the current bucket goes back among the later ones
                back = (start - self._origin) // self._span
                self._later[back] = heap[:]
                heapq.heappush(self._keys, back)
                heap.clear()
            if self._origin is None:
                self._origin = when
            span = self._span
            self._start = self._origin + (when - self._origin) // span * span
            self._end = self._start + span
            heap.append(event)  # the current bucket is ``when``'s
            return
        key = (when - self._origin) // self._span  # type: ignore[operator]
        found = self._later.get(key)
        if found is None:
            self._later[key] = [event]
            heapq.heappush(self._keys, key)
        else:
            found.append(event)

    def advance(self) -> bool:
        """Make the next bucket with events the current one; ``False`` if there is none.

        Called when the current heap is empty; the heap stays the same list.
        """
        if not self._keys:
            self._start, self._end = None, _Never()
            return False
        key = heapq.heappop(self._keys)
        heap = self._heap
        heap[:] = self._later.pop(key)
        heapq.heapify(heap)
        self._start = self._origin + key * self._span  # type: ignore[operator]
        self._end = self._start + self._span
        return True

    def until(self, end: datetime) -> Iterator[Event[Any]]:
        """Pop and yield events in order while the next one is before ``end``.

        Events pushed while iterating are taken into account; later ones stay queued.

        Raises:
            ArgumentError: ``end`` is not a timezone-aware datetime (nothing is popped).
        """
        require_aware(end, "end")
        heap = self._heap
        pop = heapq.heappop
        while (heap or self.advance()) and heap[0][0] < end:
            yield pop(heap)
