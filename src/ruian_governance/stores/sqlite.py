"""The durable case store: :class:`SQLiteCaseStore`, in an SQLite database, and its SQL.

This is the one module of the package that imports ``sqlite3`` (the standard library's).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias, get_args

import attrs
import cattrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import (
    ArgumentError,
    CaseStoreError,
    ConflictError,
    DataError,
    UnknownIdError,
)
from ruian_governance.io import make_converter
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case, CaseIndex, Clock, HistoryRecord

from .base import _WHERE, STORE_SCHEMA_VERSION, _BaseStore

__all__ = ["SQLiteCaseStore", "Synchronous"]

Synchronous: TypeAlias = Literal["FULL", "NORMAL", "EXTRA"]
"""SQLite's ``PRAGMA synchronous`` settings a :class:`SQLiteCaseStore` accepts."""

_WHAT = "case store"

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


class SQLiteCaseStore(_BaseStore):
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
        indexes: :class:`~ruian_governance.models.CaseIndex` objects (e.g. a
            :class:`~ruian_governance.analysis.SimilarCaseLibrary`), told of every case this store
            stores.
        synchronous: SQLite's ``PRAGMA synchronous`` (``"FULL"``, ``"NORMAL"`` or ``"EXTRA"``).
        timeout: Seconds to wait for another connection's write lock before giving up.
        converter: A converter from :func:`~ruian_governance.io.make_converter` (a new one by
            default).
        cache_size: How many cases to keep decoded (``0``: none).  A cached case is returned
            by :meth:`get` only while the database still holds its version; since history is
            append-only and every version is written once, that version's content is the
            cached one.  This spares :meth:`apply` decoding the whole history every command.

    Raises:
        ArgumentError: ``synchronous`` is not one of the accepted settings.
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
        if synchronous not in get_args(Synchronous):
            expected = "'FULL', 'NORMAL' or 'EXTRA'"
            raise ArgumentError("synchronous", synchronous, expected)  # noqa: EM101 - a name
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
                (_utc(require_aware(now, "now")),),
                order="c.due_utc, c.id",
            )
        )
