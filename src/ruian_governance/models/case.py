"""Case values: who acts (:class:`Actor`), what happened (:class:`HistoryRecord`) and the case.

A :class:`Case` is an immutable record with an append-only history of :class:`HistoryRecord`s;
the engine (:mod:`ruian_governance.lifecycles`) makes every new version of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeAlias, runtime_checkable

import attrs

from ruian_governance._convert import identifier, instance_of, optional_identifier
from ruian_governance.errors import ArgumentError, UnknownIdError

from .hierarchy import Hierarchy
from .units import Person

__all__ = [
    "Actor",
    "Case",
    "CaseIndex",
    "DataValue",
    "HistoryRecord",
    "unit_ids",
]

DataValue: TypeAlias = str | int | bool | tuple[str, ...]
"""A value a command may carry: text, a number, a flag, or a tuple of ids."""


def unit_ids(value: object) -> tuple[str, ...] | None:
    """Read a unit-id list from command data: a tuple of ids, or one id as a string.

    The one reading of ``units``-like data in the library (the guards that check targets, the
    analysis that counts handlers, the strategies that draw targets).  Anything else, and an
    empty tuple, answers ``None``.

    >>> unit_ids(("s1", "s2")), unit_ids("s1"), unit_ids(()), unit_ids(3)
    (('s1', 's2'), ('s1',), None, None)
    """
    if type(value) is tuple and value and all(type(u) is str for u in value):
        return value
    if isinstance(value, str):
        return (value,)
    return None


@attrs.frozen(kw_only=True, weakref_slot=False)
class Actor:
    """Who fires a command: a person acting in one of their posts (role and unit).

    Actors are plain values; share one per post rather than building one per command.
    The engine checks that the person holds the post in the hierarchy.

    >>> Actor(person_id="p1", role="grid_worker", unit_id="t1.v001.g01")
    Actor(person_id='p1', role='grid_worker', unit_id='t1.v001.g01')
    """

    person_id: str = attrs.field(validator=identifier)
    role: str = attrs.field(validator=identifier)
    unit_id: str = attrs.field(validator=identifier)

    @classmethod
    def of(cls, hierarchy: Hierarchy, person_id: str, role: str | None = None) -> Actor:
        """Build the actor for a person's post in ``hierarchy`` (the first post in ``role``).

        Raises:
            UnknownIdError: No such person, or the person holds no post in ``role``.
        """
        person: Person = hierarchy.person(person_id)
        for post in person.posts:
            if role is None or post.role == role:
                return cls(person_id=person.id, role=post.role, unit_id=post.unit_id)
        post_id = f"{person_id}/{role}"
        raise UnknownIdError(post_id, "the person's posts")

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} in {self.unit_id}"


def _sequence_number(value: object) -> None:
    if type(value) is not int or value < 0:
        field = "seq"
        raise ArgumentError(field, value, "a whole number >= 0")


def _aware_time(value: object) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        field = "at"
        raise ArgumentError(field, value, "a timezone-aware datetime")


def _record_data(value: object) -> None:
    # The values' types are the lifecycle's data specs, checked when the record is replayed.
    if type(value) is not tuple or not all(
        type(item) is tuple and len(item) == 2 and type(item[0]) is str for item in value
    ):
        field = "data"
        raise ArgumentError(field, value, "a tuple of (key, value) pairs")


@attrs.frozen(kw_only=True, weakref_slot=False)
class HistoryRecord:
    """One entry of a case's append-only history.

    Args:
        seq: Sequence number, 0 for the opening record.
        trigger: The trigger fired.
        source: The state before (``None`` for the opening record).
        dest: The state after.
        actor: Who fired it.
        at: When (timezone-aware).
        data: The command's data as sorted ``(key, value)`` pairs; the opening record also
            carries the case's facts (lifecycle, id, location, category, severity, parties).
    """

    seq: int = attrs.field(validator=lambda _, __, v: _sequence_number(v))
    trigger: str = attrs.field(validator=identifier)
    source: str | None = attrs.field(validator=optional_identifier)
    dest: str = attrs.field(validator=identifier)
    actor: Actor = attrs.field(validator=instance_of(Actor))
    at: datetime = attrs.field(validator=lambda _, __, v: _aware_time(v))
    data: tuple[tuple[str, DataValue], ...] = attrs.field(
        default=(), validator=lambda _, __, v: _record_data(v)
    )

    def get(self, key: str, default: DataValue | None = None) -> DataValue | None:
        """Return the data value under ``key``, or ``default``."""
        for k, v in self.data:
            if k == key:
                return v
        return default


@attrs.frozen(kw_only=True, weakref_slot=False)
class Case:
    """A case: one run of a lifecycle, immutable; every change gives a new case.

    Args:
        id: One code per matter, tracked to the end (一事一编码).
        lifecycle: Key of its :class:`~ruian_governance.LifecycleDefinition`.
        state: Current state key.
        location_id: The administrative unit the matter is in (事发地).
        unit_id: The administrative unit holding the case (village, town or city).
        assignees: Units the case is assigned to (stations, departments).
        reporter_id: The person who opened it.
        parties: Parties to a dispute, or other people concerned.
        category: Free category key (routing tables give them meaning).
        severity: Severity tier key, or ``None`` before triage.
        opened_at: When it was opened.
        due_at: When it falls due, or ``None`` without a deadline.
        history: Every record, oldest first.
        version: Optimistic-concurrency version: the number of records after the opening one.

    A case the :class:`~ruian_governance.Engine` made carries the engine's private mark (not a
    field of equality, of ``repr`` or of documents): ``attrs.evolve``, this constructor, a
    document or a store's decoding give an unmarked case, which the engine verifies (replays
    with every check) before it runs a command on it.
    """

    id: str
    lifecycle: str
    state: str
    location_id: str
    unit_id: str
    assignees: tuple[str, ...] = ()
    reporter_id: str
    parties: tuple[str, ...] = ()
    category: str
    severity: str | None
    opened_at: datetime
    due_at: datetime | None
    history: tuple[HistoryRecord, ...]
    version: int = 0
    _seal: object = attrs.field(default=None, init=False, eq=False, repr=False, hash=False)

    def __repr__(self) -> str:
        """One line naming the case, its lifecycle, state and version (not its history).

        >>> from datetime import datetime, timezone
        >>> at = datetime(2025, 1, 2, tzinfo=timezone.utc)
        >>> actor = Actor(person_id="p1", role="grid_worker", unit_id="g1")
        >>> opening = HistoryRecord(seq=0, trigger="report", source=None, dest="reported",
        ...                         actor=actor, at=at)
        >>> Case(id="E-1", lifecycle="event", state="reported", location_id="g1", unit_id="t1",
        ...      reporter_id="p1", category="noise", severity=None, opened_at=at, due_at=None,
        ...      history=(opening,))
        <Case id='E-1' lifecycle='event' state='reported' version=0>
        """
        return (
            f"<Case id={self.id!r} lifecycle={self.lifecycle!r} state={self.state!r} "
            f"version={self.version}>"
        )

    @property
    def last(self) -> HistoryRecord:
        """The latest history record."""
        return self.history[-1]

    def records(self, trigger: str) -> tuple[HistoryRecord, ...]:
        """Return the history records of ``trigger``, oldest first."""
        return tuple(r for r in self.history if r.trigger == trigger)

    def is_overdue(self, now: datetime) -> bool:
        """Whether the case has a deadline and ``now`` is at or past it (state not considered).

        Neither its state nor a pause 挂起 still running is considered: ask
        :func:`~ruian_governance.lifecycles.is_late` (what ``Engine.overdue``, the warnings and
        supervision read) for a case that may be paused.
        """
        return self.due_at is not None and now >= self.due_at


# --------------------------------------------------------------------------- case indexes


@runtime_checkable
class CaseIndex(Protocol):
    """An index a case store tells of every case it stores (e.g. the similar-case library).

    Give indexes to :class:`~ruian_governance.MemoryCaseStore` or
    :class:`~ruian_governance.SQLiteCaseStore` with ``indexes=``.  ``observe`` is called
    with each stored case after its write succeeded (in memory: under the store's lock, right
    after the compare-and-set; in SQLite: after the commit); a refused or conflicting write
    never reaches it.
    """

    def observe(self, case: Case) -> None:
        """Take note of a stored case (new, or a new version of a known one)."""
        ...
