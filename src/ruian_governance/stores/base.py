"""The case store interface, and the write checks both stores share.

:class:`CaseStore` is the interface every store offers.  It is a protocol, so any class with
its members is a case store; a class that subclasses it explicitly also inherits
:meth:`CaseStore.open`, :meth:`CaseStore.apply`, :meth:`CaseStore.load` and the context
manager, written once here on top of the other members.  ``_BaseStore`` (private to this
subpackage) adds what :class:`~ruian_governance.stores.MemoryCaseStore` and
:class:`~ruian_governance.stores.SQLiteCaseStore` share: the indexes, cached look-ups of each
unit's town and each state's deadline, and the checks that a written case follows its history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from ruian_governance.errors import CaseStoreError, ConflictError, UnknownIdError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case, CaseIndex, Clock, DataValue, HistoryRecord

__all__ = ["STORE_SCHEMA_VERSION", "CaseStore"]

STORE_SCHEMA_VERSION = 1
"""The version of the SQLite layout this release writes (kept in ``PRAGMA user_version``)."""

_WHERE = "the case store"
"""Where an unknown case id was looked up (the ``where`` of :class:`UnknownIdError`)."""


@runtime_checkable
class CaseStore(Protocol):
    """What every case store offers: writes with optimistic concurrency, reads and queries.

    Queries return tuples of cases sorted by case id (:meth:`overdue`: by deadline, then id).
    Stores are context managers; leaving the ``with`` block closes them.

    A class that subclasses :class:`CaseStore` explicitly inherits :meth:`open`,
    :meth:`apply`, :meth:`load`, ``__enter__`` and ``__exit__``, built on the other members.
    """

    @property
    def engine(self) -> Engine:
        """The engine that runs commands and replays histories for this store."""
        ...

    @property
    def clock(self) -> Clock | None:
        """The clock that tells the time of commands given without ``at=`` (or ``None``)."""
        ...

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        ...

    def close(self) -> None:
        """Release the store's resources (idempotent); the store is not used afterwards."""
        ...

    def __enter__(self) -> Self:
        """Return the store itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Case]: ...

    def __contains__(self, case_id: object) -> bool: ...

    def add(self, case: Case) -> Case:
        """Store a new case with its whole history.

        Raises:
            ConflictError: A case with this id is already stored (``expected`` is ``None``).
            CaseStoreError: The case's version does not follow its history.
            UnknownIdError: The engine does not run its lifecycle, or its unit is unknown.
        """
        ...

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store ``case``, a later version of a stored case, if that is at ``expected_version``.

        Writes the case and only the history records after ``expected_version``, all or
        nothing.  The records up to ``expected_version`` are taken to be the stored ones, as
        they are when ``case`` comes from :meth:`Engine.apply` on the case read from the store.

        Raises:
            UnknownIdError: No case with this id is stored.
            ConflictError: The stored case is at another version; nothing was written.
            CaseStoreError: ``case`` is not a later version with one record per version.
        """
        ...

    def open(self, lifecycle: str, *, at: datetime | None = None, **facts: Any) -> Case:
        """Open a case with :meth:`Engine.open` (at ``at``, or the clock's time) and add it.

        Raises:
            CaseStoreError: No ``at`` and no clock.
            ConflictError: A case with this id is already stored.
            TransitionError: The opening command was refused; nothing was written.
        """
        return self.add(self.engine.open(lifecycle, at=_command_time(self, at), **facts))

    def apply(
        self,
        case_id: str,
        expected_version: int,
        trigger: str,
        *,
        actor: Actor,
        at: datetime | None = None,
        **data: DataValue,
    ) -> Case:
        """Fire ``trigger`` on the stored case if it is at ``expected_version``, and save it.

        The command is checked by the engine first; the new case and its one new history
        record are then written with :meth:`save`, guarded by the version.

        Raises:
            CaseStoreError: No ``at`` and no clock.
            UnknownIdError: No case with this id is stored.
            ConflictError: The stored case is at another version; nothing was written.
            TransitionError: The command was refused; nothing was written.
        """
        case = self.get(case_id)
        if case.version != expected_version:
            raise ConflictError(case_id, expected_version, case.version)
        new = self.engine.apply(case, trigger, actor=actor, at=_command_time(self, at), **data)
        return self.save(new, expected_version=expected_version)

    def get(self, case_id: str) -> Case:
        """Return the stored case, with its history.

        Raises:
            UnknownIdError: No case with this id is stored.
        """
        ...

    def load(self, case_id: str) -> Case:
        """Return the stored case rebuilt by replaying its history with the engine.

        The replayed case is compared with the stored one (:meth:`get`), so a store whose
        case rows and history disagree is noticed.

        Raises:
            UnknownIdError: No case with this id is stored.
            CaseStoreError: The replayed case differs from the stored one.
            TransitionError: The history does not replay with this engine's lifecycles.
        """
        stored = self.get(case_id)
        replayed = self.engine.replay(stored.history)
        if replayed != stored:
            raise CaseStoreError(case_id, "the stored case differs from its replayed history")
        return replayed

    def history(self, case_id: str) -> tuple[HistoryRecord, ...]:
        """Return the case's history records, oldest first.

        Raises:
            UnknownIdError: No case with this id is stored.
        """
        ...

    def ids(self) -> tuple[str, ...]:
        """Return the ids of every stored case, sorted."""
        ...

    def by_state(self, state: str, *, lifecycle: str | None = None) -> tuple[Case, ...]:
        """Return the cases in ``state`` (of ``lifecycle`` only, when given)."""
        ...

    def by_unit(self, unit_id: str) -> tuple[Case, ...]:
        """Return the cases held by ``unit_id`` (their :attr:`Case.unit_id`)."""
        ...

    def by_town(self, town_id: str) -> tuple[Case, ...]:
        """Return the cases held by the town ``town_id`` or by any unit under it."""
        ...

    def overdue(self, now: datetime) -> tuple[Case, ...]:
        """Return the cases late at ``now``, as :meth:`Engine.overdue` would, by deadline.

        Raises:
            ArgumentError: ``now`` is not a timezone-aware datetime.
        """
        ...


def _command_time(store: CaseStore, at: datetime | None) -> datetime:
    """The time of a command: ``at`` if given, else the time of the store's clock."""
    if at is not None:
        return at
    clock = store.clock
    if clock is None:
        raise CaseStoreError(None, "give the command's time (at=...) or a clock")
    return clock.now()


class _BaseStore(CaseStore):
    """What both stores share: the engine, the clock, the indexes, and the write checks.

    Private to this subpackage: the checks are the stores' own business, not an extension
    point.  Subclasses implement the storage members of :class:`CaseStore`.
    """

    def __init__(
        self, engine: Engine, *, clock: Clock | None, indexes: Iterable[CaseIndex]
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._indexes = tuple(indexes)
        self._towns: dict[str, str | None] = {}
        self._running: dict[tuple[str, str], bool] = {}

    @property
    def engine(self) -> Engine:
        """The engine that runs commands and replays histories for this store."""
        return self._engine

    @property
    def clock(self) -> Clock | None:
        """The clock that tells the time of commands given without ``at=`` (or ``None``)."""
        return self._clock

    @property
    def indexes(self) -> tuple[CaseIndex, ...]:
        """The indexes told of every stored case, in the order they are told."""
        return self._indexes

    def _tell(self, case: Case) -> None:
        """Tell every index of ``case``, which was just stored."""
        for index in self._indexes:
            index.observe(case)

    def _town_of(self, unit_id: str) -> str | None:
        """The id of the town holding ``unit_id`` (``None``: the city's), cached."""
        try:
            return self._towns[unit_id]
        except KeyError:
            town = self._engine.hierarchy.town_of(unit_id)
            found = None if town is None else town.id
            self._towns[unit_id] = found
            return found

    def _deadline_runs(self, case: Case) -> bool:
        """Whether the case's deadline runs in its state (timed and not final), cached."""
        key = (case.lifecycle, case.state)
        try:
            return self._running[key]
        except KeyError:
            definition = self._engine.lifecycle(case.lifecycle)
            try:
                state = definition.state(case.state)
            except LookupError:
                raise UnknownIdError(
                    case.state, f"the states of lifecycle {case.lifecycle!r}"
                ) from None
            runs = state.timed and not state.final
            self._running[key] = runs
            return runs

    def _check_new(self, case: Case) -> None:
        """Check a case before it is first stored: one record per version, in sequence."""
        if case.version != len(case.history) - 1:
            raise CaseStoreError(
                case.id, f"version {case.version} does not fit {len(case.history)} records"
            )
        for seq, record in enumerate(case.history):
            if record.seq != seq:
                raise CaseStoreError(case.id, f"record {seq} has seq {record.seq}")
        self._check_placed(case)

    def _check_placed(self, case: Case) -> None:
        """Check that the case's state is one of its lifecycle's and its unit is known.

        Both answers are cached, so a known state and unit cost two dictionary lookups.
        """
        if (case.lifecycle, case.state) not in self._running:
            self._deadline_runs(case)
        if case.unit_id not in self._towns:
            self._town_of(case.unit_id)

    def _new_records(self, case: Case, expected_version: int) -> tuple[HistoryRecord, ...]:
        """The records ``case`` adds to version ``expected_version``, checked."""
        version = case.version
        history = case.history
        if expected_version < 0 or version <= expected_version:
            raise CaseStoreError(
                case.id,
                f"version {version} is not later than expected version {expected_version}",
            )
        if version != len(history) - 1:
            raise CaseStoreError(case.id, f"version {version} does not fit {len(history)} records")
        new = history[expected_version + 1 :]
        if version == expected_version + 1:  # one command, the usual case: one record
            if new[0].seq != version:
                raise CaseStoreError(case.id, f"record {version} has seq {new[0].seq}")
        else:
            for seq, record in enumerate(new, start=expected_version + 1):
                if record.seq != seq:
                    raise CaseStoreError(case.id, f"record {seq} has seq {record.seq}")
        self._check_placed(case)
        return new
