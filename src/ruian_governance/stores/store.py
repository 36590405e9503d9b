"""Case stores: cases and their append-only history, in memory or durably in SQLite.

A store keeps the latest version of every case and every history record it ever had.  Both
implementations share one interface, :class:`CaseStore`:

- :class:`MemoryCaseStore` keeps cases in a dictionary (for tests and short runs);
- :class:`SQLiteCaseStore` keeps them in an SQLite database (standard library ``sqlite3``,
  write-ahead log, one transaction per stored command).

Writes use optimistic concurrency on the case version: :meth:`CaseStore.save` stores a new
version only if the stored one is still ``expected_version``; otherwise it raises
:class:`~ruian_governance.ConflictError` and writes nothing.  :meth:`CaseStore.apply` reads a
case, runs a command through the store's :class:`~ruian_governance.Engine` and saves the result,
and tells the store's indexes (:class:`~ruian_governance.CaseIndex` objects such as the
:class:`~ruian_governance.SimilarCaseLibrary`) of the stored case.

>>> from datetime import datetime, timedelta
>>> from ruian_governance import (CHINA_STANDARD_TIME, Actor, Level, SQLiteCaseStore,
...     builtin_engine, generate_hierarchy)
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
>>> grid = h.units_at(Level.GRID)[0]
>>> worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
>>> room = h.command_room_of(h.towns[0].id)
>>> operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
>>> t0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
>>> with SQLiteCaseStore(":memory:", builtin_engine(h)) as store:
...     case = store.open("event", case_id="E1", trigger="report", actor=worker, at=t0,
...                       location_id=grid.id, category="noise", severity="ordinary")
...     case = store.apply("E1", 0, "accept", actor=operator, at=t0 + timedelta(hours=1))
...     print(store.get("E1").state, store.get("E1").version, len(store.history("E1")))
accepted 1 2
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Protocol, Self, TypeAlias, runtime_checkable

import attrs
import cattrs

from ruian_governance.errors import CaseStoreError, ConflictError, DataError, UnknownIdError
from ruian_governance.io import make_converter
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case, CaseIndex, Clock, DataValue, HistoryRecord

__all__ = [
    "STORE_SCHEMA_VERSION",
    "CaseStore",
    "MemoryCaseStore",
    "SQLiteCaseStore",
    "Synchronous",
]

STORE_SCHEMA_VERSION = 1
"""The version of the SQLite layout this release writes (kept in ``PRAGMA user_version``)."""

Synchronous: TypeAlias = Literal["FULL", "NORMAL", "EXTRA"]
"""SQLite's ``PRAGMA synchronous`` settings a :class:`SQLiteCaseStore` accepts."""

_WHERE = "the case store"
_WHAT = "case store"


@runtime_checkable
class CaseStore(Protocol):
    """What every case store offers: writes with optimistic concurrency, reads and queries.

    Queries return tuples of cases sorted by case id (:meth:`overdue`: by deadline, then id).
    Stores are context managers; leaving the ``with`` block closes them.
    """

    @property
    def engine(self) -> Engine:
        """The engine that runs commands and replays histories for this store."""
        ...

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        ...

    def close(self) -> None:
        """Release the store's resources (idempotent); the store is not used afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

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
        """Open a case with :meth:`Engine.open` (at ``at``, or the clock's time) and add it."""
        ...

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
        """Fire ``trigger`` on the stored case if it is at ``expected_version``, and save it."""
        ...

    def get(self, case_id: str) -> Case:
        """Return the stored case, with its history.

        Raises:
            UnknownIdError: No case with this id is stored.
        """
        ...

    def load(self, case_id: str) -> Case:
        """Return the stored case rebuilt by replaying its history (checked against :meth:`get`).

        Raises:
            UnknownIdError: No case with this id is stored.
            CaseStoreError: The replayed case differs from the stored one.
        """
        ...

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
            CaseStoreError: ``now`` is naive.
        """
        ...


class _Store(ABC):
    """What both stores share: the engine, the clock, the indexes, checks and command helpers."""

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
    def indexes(self) -> tuple[CaseIndex, ...]:
        """The indexes told of every stored case, in the order they are told."""
        return self._indexes

    def _tell(self, case: Case) -> None:
        """Tell every index of ``case``, which was just stored."""
        for index in self._indexes:
            index.observe(case)

    def _town_of(self, unit_id: str) -> str | None:
        try:
            return self._towns[unit_id]
        except KeyError:
            town = self._engine.hierarchy.town_of(unit_id)
            found = None if town is None else town.id
            self._towns[unit_id] = found
            return found

    def _deadline_runs(self, case: Case) -> bool:
        """Whether the case's deadline runs in its state (timed and not final)."""
        key = (case.lifecycle, case.state)
        try:
            return self._running[key]
        except KeyError:
            state = self._engine.lifecycle(case.lifecycle).state(case.state)
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

    def _now(self, at: datetime | None) -> datetime:
        if at is not None:
            return at
        if self._clock is None:
            raise CaseStoreError(None, "give the command's time (at=...) or a clock")
        return self._clock.now()

    @staticmethod
    def _aware(now: datetime) -> datetime:
        if now.tzinfo is None or now.utcoffset() is None:
            raise CaseStoreError(None, f"time {now.isoformat()} must be timezone-aware")
        return now

    @abstractmethod
    def add(self, case: Case) -> Case:
        """Store a new case with its whole history."""

    @abstractmethod
    def get(self, case_id: str) -> Case:
        """Return the stored case."""

    @abstractmethod
    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store a later version of a stored case."""

    def open(self, lifecycle: str, *, at: datetime | None = None, **facts: Any) -> Case:
        """Open a case with :meth:`Engine.open` (at ``at``, or the clock's time) and add it.

        Raises:
            CaseStoreError: No ``at`` and no clock.
            ConflictError: A case with this id is already stored.
            TransitionError: The opening command was refused; nothing was written.
        """
        return self.add(self._engine.open(lifecycle, at=self._now(at), **facts))

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
        record are then written in one transaction, guarded by the version.

        Raises:
            CaseStoreError: No ``at`` and no clock.
            UnknownIdError: No case with this id is stored.
            ConflictError: The stored case is at another version; nothing was written.
            TransitionError: The command was refused; nothing was written.
        """
        case = self.get(case_id)
        if case.version != expected_version:
            raise ConflictError(case_id, expected_version, case.version)
        new = self._engine.apply(case, trigger, actor=actor, at=self._now(at), **data)
        return self.save(new, expected_version=expected_version)

    def load(self, case_id: str) -> Case:
        """Return the stored case rebuilt by replaying its history with the engine.

        The replayed case is compared with the stored one, so a store whose case rows and
        history disagree is noticed.

        Raises:
            UnknownIdError: No case with this id is stored.
            CaseStoreError: The replayed case differs from the stored one.
            TransitionError: The history does not replay with this engine's lifecycles.
        """
        stored = self.get(case_id)
        replayed = self._engine.replay(stored.history)
        if replayed != stored:
            raise CaseStoreError(case_id, "the stored case differs from its replayed history")
        return replayed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Release the store's resources."""


# --------------------------------------------------------------------------- in memory


class MemoryCaseStore(_Store):
    """A case store in a dictionary: the :class:`CaseStore` interface without durability.

    Safe to share between threads: the compare-and-set of a write holds a lock; commands are
    checked by the engine outside it.  Of two commands on the same version of a case, exactly
    one is stored; the other raises :class:`~ruian_governance.ConflictError`.  Each index is
    told of a stored case under the lock, right after the compare-and-set, so indexes see the
    versions of a case in order; a refused or conflicting write never reaches them.

    Args:
        engine: Runs commands and replays histories; its hierarchy gives each unit's town.
        clock: Tells the time of commands given without ``at=`` (the store never reads the
            wall clock itself); without a clock, every command needs its ``at``.
        indexes: :class:`~ruian_governance.CaseIndex` objects (e.g. a
            :class:`~ruian_governance.SimilarCaseLibrary`), told of every stored case.

    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> store = MemoryCaseStore(builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1,
    ...                                                            micro_grids=0)))
    >>> len(store), isinstance(store, CaseStore)
    (0, True)
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        indexes: Iterable[CaseIndex] = (),
    ) -> None:
        super().__init__(engine, clock=clock, indexes=indexes)
        self._cases: dict[str, Case] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Mark the store closed (its cases stay in memory until it is dropped)."""
        self._closed = True

    def __len__(self) -> int:
        return len(self._cases)

    def __iter__(self) -> Iterator[Case]:
        return iter(self._sorted(self._cases.values()))

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._cases

    def add(self, case: Case) -> Case:
        """Store a new case with its whole history (see :meth:`CaseStore.add`)."""
        self._check_new(case)
        with self._lock:
            current = self._cases.get(case.id)
            if current is not None:
                raise ConflictError(case.id, None, current.version)
            self._cases[case.id] = case
            self._tell(case)
        return case

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store a later version of a stored case (see :meth:`CaseStore.save`)."""
        self._new_records(case, expected_version)
        with self._lock:
            current = self._cases.get(case.id)
            if current is None:
                raise UnknownIdError(case.id, _WHERE)
            if current.version != expected_version:
                raise ConflictError(case.id, expected_version, current.version)
            self._cases[case.id] = case
            for index in self._indexes:
                index.observe(case)
        return case

    def get(self, case_id: str) -> Case:
        """Return the stored case (see :meth:`CaseStore.get`)."""
        try:
            return self._cases[case_id]
        except KeyError:
            raise UnknownIdError(case_id, _WHERE) from None

    def history(self, case_id: str) -> tuple[HistoryRecord, ...]:
        """Return the case's history records, oldest first (see :meth:`CaseStore.history`)."""
        return self.get(case_id).history

    def ids(self) -> tuple[str, ...]:
        """Return the ids of every stored case, sorted."""
        return tuple(sorted(self._cases))

    @staticmethod
    def _sorted(cases: Iterable[Case]) -> tuple[Case, ...]:
        return tuple(sorted(cases, key=lambda c: c.id))

    def by_state(self, state: str, *, lifecycle: str | None = None) -> tuple[Case, ...]:
        """Return the cases in ``state`` (of ``lifecycle`` only, when given)."""
        return self._sorted(
            c
            for c in list(self._cases.values())
            if c.state == state and (lifecycle is None or c.lifecycle == lifecycle)
        )

    def by_unit(self, unit_id: str) -> tuple[Case, ...]:
        """Return the cases held by ``unit_id``."""
        return self._sorted(c for c in list(self._cases.values()) if c.unit_id == unit_id)

    def by_town(self, town_id: str) -> tuple[Case, ...]:
        """Return the cases held by the town ``town_id`` or by any unit under it."""
        return self._sorted(
            c for c in list(self._cases.values()) if self._town_of(c.unit_id) == town_id
        )

    def overdue(self, now: datetime) -> tuple[Case, ...]:
        """Return the cases late at ``now`` (see :meth:`CaseStore.overdue`), by deadline."""
        now = self._aware(now)
        late = [
            c
            for c in list(self._cases.values())
            if c.due_at is not None and c.due_at <= now and self._deadline_runs(c)
        ]
        late.sort(key=lambda c: (c.due_at, c.id))
        return tuple(late)


# --------------------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id          TEXT PRIMARY KEY,
    lifecycle   TEXT NOT NULL,
    state       TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    town_id     TEXT,
    location_id TEXT NOT NULL,
    category    TEXT NOT NULL,
    severity    TEXT,
    opened_at   TEXT NOT NULL,
    due_at      TEXT,
    due_utc     TEXT,
    running     INTEGER NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 0),
    head        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq     INTEGER NOT NULL CHECK (seq >= 0),
    trigger TEXT NOT NULL,
    at      TEXT NOT NULL,
    at_utc  TEXT NOT NULL,
    record  TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cases_by_state ON cases (state, lifecycle);
CREATE INDEX IF NOT EXISTS cases_by_unit ON cases (unit_id);
CREATE INDEX IF NOT EXISTS cases_by_town ON cases (town_id);
CREATE INDEX IF NOT EXISTS cases_by_due ON cases (running, due_utc);
CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
"""

_CASE_COLUMNS = (
    "lifecycle, state, unit_id, town_id, location_id, category, severity, opened_at, due_at, "
    "due_utc, running, version, head"
)
_INSERT_CASE = f"INSERT INTO cases (id, {_CASE_COLUMNS}) VALUES ({', '.join('?' * 14)})"
_UPDATE_CASE = (
    "UPDATE cases SET "
    + ", ".join(f"{c.strip()} = ?" for c in _CASE_COLUMNS.split(","))
    + " WHERE id = ? AND version = ?"
)
_INSERT_RECORD = (
    "INSERT INTO history (case_id, seq, trigger, at, at_utc, record) VALUES (?, ?, ?, ?, ?, ?)"
)
_SELECT = (
    "SELECT c.id, c.version, c.head, h.seq, h.record FROM cases AS c "
    "JOIN history AS h ON h.case_id = c.id WHERE {where} ORDER BY {order}, h.seq"
)
_PAGE = 256


def _utc(moment: datetime) -> str:
    """A fixed-width UTC ISO 8601 text that sorts in time order (years 1-9999)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class SQLiteCaseStore(_Store):
    """A durable case store in an SQLite database (standard library ``sqlite3``).

    Layout: a ``cases`` table (one row per case: id, lifecycle, state, holding unit and its
    town, location, category, severity, times, version and the case as JSON without its
    history) and an append-only ``history`` table (one row per record, primary key
    ``(case_id, seq)``, the record as JSON), with indexes on the query columns.  Times are
    ISO 8601 with their offset, plus a sortable UTC column for the overdue query; JSON is
    written with the library's converter and keeps Chinese text readable.

    The database runs in WAL mode.  Every write (:meth:`add`, :meth:`save`, so every applied
    command) is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction: the case row and its new
    history rows are written together or not at all, guarded by
    ``UPDATE ... WHERE id = ? AND version = ?``.  A process killed at any moment leaves the
    database at its last commit.

    ``synchronous`` defaults to ``"FULL"``: every commit is synced to disk, so a command
    reported stored survives a power cut too.  ``"NORMAL"`` is faster and, in WAL mode, still
    safe against a killed process and never corrupts the database, but a power cut may lose
    the last commits.

    A store is one connection.  It may be shared between threads (a lock serialises its
    statements); several stores, in one process or many, may share a database file, and
    optimistic concurrency settles their conflicts.

    Each index is told of a stored case after its transaction committed (still under the
    store's lock, so it sees this store's writes of a case in order); a refused, conflicting
    or rolled-back write never reaches it.  Indexes hear only of this store's own writes, not
    of those other connections make to the same file.

    Args:
        path: Database file, or ``":memory:"`` for a private in-memory database.
        engine: Runs commands and replays histories; its hierarchy gives each unit's town.
        clock: Tells the time of commands given without ``at=``.
        indexes: :class:`~ruian_governance.CaseIndex` objects (e.g. a
            :class:`~ruian_governance.SimilarCaseLibrary`), told of every case this store
            stores.
        synchronous: SQLite's ``PRAGMA synchronous`` (``"FULL"``, ``"NORMAL"`` or ``"EXTRA"``).
        timeout: Seconds to wait for another connection's write lock before giving up.
        converter: A converter from :func:`~ruian_governance.make_converter` (a new one by
            default).
        cache_size: How many cases to keep decoded (``0``: none).  A cached case is returned
            by :meth:`get` only while the database still holds its version; since history is
            append-only and every version is written once, that version's content is the
            cached one.  This spares :meth:`apply` decoding the whole history every command.

    Raises:
        CaseStoreError: ``synchronous`` is not one of the accepted settings.
        DataError: The file cannot be opened, or is not a case store of this or an earlier
            layout.

    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    >>> with SQLiteCaseStore(":memory:", engine, synchronous="NORMAL") as store:
    ...     print(len(store), store.closed)
    0 False
    >>> store.closed
    True
    """

    def __init__(  # noqa: PLR0913 - settings, keyword-only
        self,
        path: str | os.PathLike[str],
        engine: Engine,
        *,
        clock: Clock | None = None,
        synchronous: Synchronous = "FULL",
        timeout: float = 5.0,
        converter: cattrs.Converter | None = None,
        cache_size: int = 1024,
        indexes: Iterable[CaseIndex] = (),
    ) -> None:
        if synchronous not in {"FULL", "NORMAL", "EXTRA"}:
            raise CaseStoreError(
                None, f"synchronous must be FULL, NORMAL or EXTRA: {synchronous!r}"
            )
        super().__init__(engine, clock=clock, indexes=indexes)
        self._converter = converter or make_converter()
        self._path = os.fspath(path)
        self._lock = threading.Lock()
        self._cache: dict[str, Case] = {}
        self._cache_size = max(cache_size, 0)
        try:
            self._db = sqlite3.connect(
                self._path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.DatabaseError as error:
            raise DataError(_WHAT, [f"{self._path}: {error}"]) from None
        try:
            self._setup(synchronous)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise DataError(_WHAT, [f"{self._path}: {error}"]) from None
        except BaseException:
            self._db.close()
            raise

    def _setup(self, synchronous: str) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(f"PRAGMA synchronous = {synchronous}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            (found,) = db.execute("PRAGMA user_version").fetchone()
            if found > STORE_SCHEMA_VERSION:
                problem = (
                    f"layout version {found} is newer than this release ({STORE_SCHEMA_VERSION})"
                )
                raise DataError(_WHAT, [f"{self._path}: {problem}"])
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self._path

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        try:
            self._db.total_changes  # noqa: B018 - raises once the connection is closed
        except sqlite3.ProgrammingError:
            return True
        return False

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        with self._lock:
            self._db.close()

    # ---------------------------------------------------------------- writing

    def _write(self, work: Any, case: Case) -> None:
        """Run ``work(db)`` in one immediate transaction, then tell the indexes of ``case``.

        All of ``work`` is committed, or none; the indexes are told only after the commit.
        """
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                work(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            self._tell(case)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of one statement (one consistent snapshot of the database)."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _dumps(self, value: Any) -> str:
        return json.dumps(
            self._converter.unstructure(value), ensure_ascii=False, separators=(",", ":")
        )

    def _case_row(self, case: Case) -> tuple[Any, ...]:
        head = self._converter.unstructure(attrs.evolve(case, history=()))
        del head["history"]
        due = case.due_at
        return (
            case.lifecycle,
            case.state,
            case.unit_id,
            self._town_of(case.unit_id),
            case.location_id,
            case.category,
            case.severity,
            case.opened_at.isoformat(),
            None if due is None else due.isoformat(),
            None if due is None else _utc(due),
            int(self._deadline_runs(case)),
            case.version,
            json.dumps(head, ensure_ascii=False, separators=(",", ":")),
        )

    def _record_rows(self, case_id: str, records: Sequence[HistoryRecord]) -> list[tuple[Any, ...]]:
        return [
            (case_id, r.seq, r.trigger, r.at.isoformat(), _utc(r.at), self._dumps(r))
            for r in records
        ]

    def add(self, case: Case) -> Case:
        """Store a new case and its history in one transaction (see :meth:`CaseStore.add`)."""
        self._check_new(case)
        row = (case.id, *self._case_row(case))
        records = self._record_rows(case.id, case.history)

        def work(db: sqlite3.Connection) -> None:
            found = db.execute("SELECT version FROM cases WHERE id = ?", (case.id,)).fetchone()
            if found is not None:
                raise ConflictError(case.id, None, found[0])
            db.execute(_INSERT_CASE, row)
            db.executemany(_INSERT_RECORD, records)

        self._write(work, case)
        self._remember(case)
        return case

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store a later version of a case in one transaction (see :meth:`CaseStore.save`)."""
        new = self._new_records(case, expected_version)
        row = (*self._case_row(case), case.id, expected_version)
        records = self._record_rows(case.id, new)

        def work(db: sqlite3.Connection) -> None:
            if db.execute(_UPDATE_CASE, row).rowcount != 1:
                found = db.execute("SELECT version FROM cases WHERE id = ?", (case.id,)).fetchone()
                if found is None:
                    raise UnknownIdError(case.id, _WHERE)
                raise ConflictError(case.id, expected_version, found[0])
            db.executemany(_INSERT_RECORD, records)

        self._write(work, case)
        self._remember(case)
        return case

    # ---------------------------------------------------------------- reading

    def _remember(self, case: Case) -> None:
        """Keep ``case`` decoded, dropping the least recently stored case past the limit."""
        if not self._cache_size:
            return
        cache = self._cache
        cache.pop(case.id, None)
        cache[case.id] = case
        if len(cache) > self._cache_size:
            del cache[next(iter(cache))]

    def _cases(self, where: str, params: Sequence[Any], order: str = "c.id") -> list[Case]:
        """The cases matching ``where``, read in one statement (one consistent snapshot)."""
        rows = self._query(_SELECT.format(where=where, order=order), params)
        cases: list[Case] = []
        start = 0
        for end in range(1, len(rows) + 1):
            if end == len(rows) or rows[end][0] != rows[start][0]:
                cases.append(self._build(rows[start:end]))
                start = end
        return cases

    def _build(self, rows: Sequence[tuple[Any, ...]]) -> Case:
        case_id, version, head = rows[0][0], rows[0][1], rows[0][2]
        seqs = [row[3] for row in rows]
        if seqs != list(range(version + 1)):
            raise CaseStoreError(
                case_id, f"stored version {version} but history records {seqs[:3]}...{seqs[-1:]}"
            )
        try:
            data = json.loads(head)
            data["history"] = [json.loads(row[4]) for row in rows]
            case: Case = self._converter.structure(data, Case)
        except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as error:
            raise CaseStoreError(case_id, f"stored JSON does not load: {error}") from None
        return case

    def __len__(self) -> int:
        ((count,),) = self._query("SELECT count(*) FROM cases")
        return int(count)

    def __iter__(self) -> Iterator[Case]:
        """Iterate over the stored cases by id, reading them a page at a time."""
        after = ""
        while True:
            page = self._cases(
                f"c.id IN (SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT {_PAGE})",
                (after,),
            )
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].id

    def __contains__(self, case_id: object) -> bool:
        if not isinstance(case_id, str):
            return False
        return bool(self._query("SELECT 1 FROM cases WHERE id = ?", (case_id,)))

    def get(self, case_id: str) -> Case:
        """Return the stored case with its history (see :meth:`CaseStore.get`).

        The case row and its history rows are read in one statement and checked: the
        history holds records ``0`` to ``version``, no more and no fewer.

        Raises:
            UnknownIdError: No case with this id is stored.
            CaseStoreError: The stored rows do not hold together.
        """
        cached = self._cache.get(case_id)
        if cached is not None:
            row = self._query("SELECT version FROM cases WHERE id = ?", (case_id,))
            if row and row[0][0] == cached.version:
                return cached
        found = self._cases("c.id = ?", (case_id,))
        if not found:
            raise UnknownIdError(case_id, _WHERE)
        self._remember(found[0])
        return found[0]

    def history(self, case_id: str) -> tuple[HistoryRecord, ...]:
        """Return the case's history records, oldest first (see :meth:`CaseStore.history`)."""
        rows = self._query("SELECT record FROM history WHERE case_id = ? ORDER BY seq", (case_id,))
        if not rows:
            raise UnknownIdError(case_id, _WHERE)
        try:
            return tuple(
                self._converter.structure(json.loads(row[0]), HistoryRecord) for row in rows
            )
        except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as error:
            raise CaseStoreError(case_id, f"stored JSON does not load: {error}") from None

    def ids(self) -> tuple[str, ...]:
        """Return the ids of every stored case, sorted."""
        return tuple(row[0] for row in self._query("SELECT id FROM cases ORDER BY id"))

    def by_state(self, state: str, *, lifecycle: str | None = None) -> tuple[Case, ...]:
        """Return the cases in ``state`` (of ``lifecycle`` only, when given)."""
        if lifecycle is None:
            return tuple(self._cases("c.state = ?", (state,)))
        return tuple(self._cases("c.state = ? AND c.lifecycle = ?", (state, lifecycle)))

    def by_unit(self, unit_id: str) -> tuple[Case, ...]:
        """Return the cases held by ``unit_id``."""
        return tuple(self._cases("c.unit_id = ?", (unit_id,)))

    def by_town(self, town_id: str) -> tuple[Case, ...]:
        """Return the cases held by the town ``town_id`` or by any unit under it."""
        return tuple(self._cases("c.town_id = ?", (town_id,)))

    def overdue(self, now: datetime) -> tuple[Case, ...]:
        """Return the cases late at ``now`` (see :meth:`CaseStore.overdue`), by deadline."""
        return tuple(
            self._cases(
                "c.running = 1 AND c.due_utc <= ?",
                (_utc(self._aware(now)),),
                order="c.due_utc, c.id",
            )
        )
