"""A typed event queue: what happens next in simulated time.

Each scheduled event is an :class:`Event`: its time, a sequence number (events at the same time
run in the order they were scheduled), the handler to call and the handler's typed payload (a
case id, a :class:`DueReport`, a town id, a day number).  Events are plain tuples ordered by
(time, sequence number), so ``heapq`` orders them without ever comparing handlers or payloads.

>>> from datetime import datetime, timezone
>>> seen = []
>>> queue = EventQueue()
>>> noon = datetime(2025, 3, 3, 12, tzinfo=timezone.utc)
>>> queue.push(noon, lambda at, report: seen.append(report.category), DueReport("g1", "petition"))
>>> queue.push(noon.replace(hour=9), lambda at, day: seen.append(day), 0)
>>> for event in queue.until(noon.replace(hour=23)):
...     event.handler(event.time, event.payload)
>>> seen, len(queue)
([0, 'petition'], 0)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = ["DueReport", "Event", "EventQueue", "Handler"]

P = TypeVar("P")

Handler = Callable[[datetime, P], None]
"""What runs an event: called with the event's time and its payload."""


class DueReport(NamedTuple):
    """A report 上报 a grid worker will make: where and of what category."""

    grid_id: str
    category: str


class Event(NamedTuple, Generic[P]):
    """One scheduled event; ordered by ``time``, then by ``seq`` (unique within a queue)."""

    time: datetime
    seq: int
    handler: Handler[P]
    payload: P


class EventQueue:
    """A priority queue of :class:`Event` records (a binary heap over ``heapq``)."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[Event[Any]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, when: datetime, handler: Handler[P], payload: P) -> None:
        """Schedule ``handler(when, payload)``; after every event already due at ``when``."""
        self._seq += 1
        heapq.heappush(self._heap, Event(when, self._seq, handler, payload))

    def until(self, end: datetime) -> Iterator[Event[Any]]:
        """Pop and yield events in order while the next one is before ``end``.

        Events pushed while iterating are taken into account; later ones stay queued.
        """
        heap = self._heap
        pop = heapq.heappop
        while heap and heap[0].time < end:
            yield pop(heap)
