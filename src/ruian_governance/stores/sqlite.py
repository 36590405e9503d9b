"""The durable case store: :class:`SQLiteCaseStore`, in an SQLite database, and its SQL.

The one module of the package that imports ``sqlite3`` (the standard library's); the rows'
checksums and decoding are in :mod:`.base`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import quote

import attrs
import cattrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import (
    CaseStoreError,
    ConflictError,
    StoreCorruptError,
    StoreMismatchError,
    StoreReadOnlyError,
    UnknownIdError,
)
from ruian_governance.io import make_converter
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case, CaseIndex, Clock, HistoryRecord

from ._checks import _text
from ._layout import (
    _BUSY,
    _EXTRA_SELECT,
    _INSERT_CASE,
    _INSERT_RECORD,
    _MARK,
    _PAGE,
    _ROW,
    _SCHEMA,
    _SELECT,
    _UPDATE_CASE,
    Synchronous,
    _check_settings,
    _refusals,
)
from ._sqlite_rows import _SQLiteRows
from .base import (
    _CHAIN,
    _FIELDS,
    _SUM,
    _UNREADABLE,
    _VERSION,
    _WHERE,
    STORE_SCHEMA_VERSION,
    _BaseStore,
    _decoded,
    _Entry,
    _json,
    _link,
    _row_sum,
    _row_text,
    _seed,
    fingerprint,
)
from .queries import _NO_DUE, _utc

__all__ = ["SQLiteCaseStore", "Synchronous"]

_T = TypeVar("_T")


@attrs.frozen
class _Write:
    """One case's write, encoded and checked: its rows and the version it replaces."""

    case: Case
    base: Any  # the stored row's entry (None: a new case)
    expected: int
    row: tuple[Any, ...]
    extra: tuple[Any, ...]
    records: list[tuple[Any, ...]]
    chain: bytes
    checksum: bytes


class SQLiteCaseStore(_SQLiteRows, _BaseStore):
    """A durable case store in an SQLite database (standard library ``sqlite3``).

    Layout 3 (``docs/stores.md``): ``meta`` (the definitions' :attr:`fingerprint`, the number
    of cases added), ``cases`` (one row per case: the query columns and the case as JSON
    without its history), ``case_units`` (each case's assignees) and the append-only
    ``history`` (one row per record, as JSON).  Lists (:meth:`rows`, :meth:`inbox`,
    :meth:`count`) are answered from the ``cases`` columns and their indexes.  Each
    record carries a checksum chained from the one before; each case row a checksum of its
    columns and its chain.  Every read checks them (what is and is not detected:
    ``docs/reliability.md``); every write decodes what it is about to write first.

    Every write is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction guarded by the stored
    version, in WAL mode: a process killed at any moment leaves the last commit.
    ``synchronous="FULL"`` (the default) syncs each commit (safe against a power cut);
    ``"NORMAL"`` is faster and safe against a killed process, not a power cut.

    A store is one connection, safe to share between threads (a lock serialises its statements
    and its cache); several stores, in one process or many, may share a file.  Opening and
    every statement wait up to ``timeout`` seconds for another connection's lock.  Indexes
    hear of this store's own writes, after their commit, in order.  A new file is created
    complete and linked into place: an existing file without a store is refused.

    Args:
        path: Database file, or ``":memory:"`` for a private in-memory database.
        engine: Runs and verifies commands; the file records the fingerprint of its hierarchy
            and lifecycles and is refused by an engine with other definitions.
        clock: Tells the time of commands given without ``at=``.
        synchronous: SQLite's ``PRAGMA synchronous`` (``"FULL"``, ``"NORMAL"`` or ``"EXTRA"``).
        timeout: Seconds to wait for another connection's lock before giving up.
        converter: A converter from :func:`~ruian_governance.io.make_converter` (a new one by
            default).
        cache_size: How many cases to keep decoded and verified (``0``: none), used while
            their row is unchanged; after another connection's write only the new records are
            read and re-run, so a command's cost does not grow with the history's length.
        indexes: :class:`~ruian_governance.models.CaseIndex` objects told of every case this
            store stores.
        read_only: Open an existing file for reading only (SQLite ``mode=ro``): the file is
            never written; writes raise :class:`~ruian_governance.errors.StoreReadOnlyError`.

    Raises:
        ArgumentError: ``synchronous`` or ``timeout`` is not an accepted setting.
        CaseStoreError: The file cannot be opened (or, ``read_only``, does not exist).
        StoreCorruptError: The file is not a case store (empty, truncated, damaged, foreign).
        StoreMismatchError: The file was written with other definitions, by layout 1 or 2 (see
            :meth:`upgrade`) or by a newer release.
        StoreBusyError: Another connection held the file's lock past ``timeout``.

    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    >>> with SQLiteCaseStore(":memory:", engine, synchronous="NORMAL") as store:
    ...     print(len(store), store.closed, len(store.fingerprint))
    0 False 64
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
        read_only: bool = False,
    ) -> None:
        _check_settings(path, synchronous, timeout, cache_size, converter)
        super().__init__(engine, clock=clock, indexes=indexes)
        self._converter = converter or make_converter()
        self._path = os.fspath(path)
        self._timeout = float(timeout)
        self._read_only = bool(read_only)
        self._lock = threading.Lock()
        self._cache: dict[str, _Entry] = {}
        self._cache_size = cache_size
        self._fingerprint = fingerprint(engine)
        memory = self._path in ("", ":memory:")
        try:
            if read_only:
                if memory or not os.path.isfile(self._path):
                    raise CaseStoreError(None, f"{self._path}: no store file to read")
                uri = f"file:{quote(os.path.abspath(self._path))}?mode=ro"
                self._db = self._connect(uri, uri=True)
            else:
                if not memory and not os.path.exists(self._path):
                    self._create()
                self._db = self._connect(self._path)
        except CaseStoreError:
            raise
        except OSError as error:
            raise CaseStoreError(None, f"{self._path}: {error}") from None
        try:
            with self._sql(None):
                if memory:
                    self._fill(self._db)
                self._patiently(lambda: self._check_file(synchronous))
        except BaseException:
            self._db.close()
            raise

    # ---------------------------------------------------------------- opening

    def _connect(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        with self._sql(None):
            try:
                return sqlite3.connect(target, self._timeout, isolation_level=None,
                                       check_same_thread=False, uri=uri)  # fmt: skip
            except ValueError as error:  # a NUL in the path
                raise CaseStoreError(None, f"{target!r}: {error}") from None

    def _fill(self, db: sqlite3.Connection) -> None:
        """Write the layout and this engine's fingerprint into an empty database."""
        db.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA.split(";\n"):
            if statement.strip():
                db.execute(statement)
        meta = [("fingerprint", self._fingerprint), ("cases", 0)]
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta)
        db.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION}")
        db.execute("COMMIT")

    def _create(self) -> None:
        """Create the file complete, then link it into place (of racing processes, one wins)."""
        temporary = f"{self._path}.{os.getpid()}-{os.urandom(4).hex()}.new"
        try:
            db = self._connect(temporary)
            try:
                with self._sql(None):
                    db.execute("PRAGMA journal_mode = WAL")
                    self._fill(db)
            finally:
                db.close()
            try:
                os.link(temporary, self._path)
            except FileExistsError:
                pass  # another process created it first: open theirs
            except OSError:  # no hard links on this file system
                if not os.path.exists(self._path):
                    os.replace(temporary, self._path)
        finally:
            for leftover in (temporary, f"{temporary}-wal", f"{temporary}-shm"):
                with suppress(FileNotFoundError):
                    os.unlink(leftover)

    def _check_file(self, synchronous: str) -> None:
        """Refuse a file that is not a store of this layout and these definitions; set it up."""
        db, path = self._db, self._path
        (layout,) = db.execute("PRAGMA user_version").fetchone()
        if layout not in (0, STORE_SCHEMA_VERSION):
            problem = f"layout {layout}, not {STORE_SCHEMA_VERSION} (layouts 1, 2: see upgrade())"
            raise StoreMismatchError(None, f"{path}: {problem}")
        mark = db.execute(_MARK).fetchone() if layout else None
        if mark is None:
            problem = "not a case store (no fingerprint: empty, truncated or foreign)"
            raise StoreCorruptError(None, f"{path}: {problem}")
        if mark[0] != self._fingerprint:
            problem = f"written with other definitions ({str(mark[0])[:12]}..., not this engine's)"
            raise StoreMismatchError(None, f"{path}: {problem}")
        if self._read_only:
            db.execute("PRAGMA query_only = ON")
            return
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")  # ignores the busy timeout: _patiently
        db.execute(f"PRAGMA synchronous = {synchronous}")
        db.execute("PRAGMA foreign_keys = ON")

    def _patiently(self, work: Callable[[], _T]) -> _T:
        """Run ``work``, retrying while the file is locked, to ``timeout`` (bounded backoff).

        SQLite's busy timeout does not cover changing the journal mode: opening retries here.
        """
        deadline = time.monotonic() + self._timeout
        pause = 0.001
        while True:
            try:
                return work()
            except sqlite3.OperationalError as error:
                left = deadline - time.monotonic()
                if getattr(error, "sqlite_errorcode", 0) & 0xFF not in _BUSY or left <= 0:
                    raise
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.05)

    def _sql(self, case_id: str | None) -> AbstractContextManager[None]:
        """Turn SQLite's errors into the library's (:func:`_refusals`)."""
        return _refusals(self._path, case_id, self._timeout)

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self._path

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the engine's definitions the file records (hex sha256)."""
        return self._fingerprint

    @property
    def read_only(self) -> bool:
        """Whether the store was opened for reading only."""
        return self._read_only

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        try:
            self._db.total_changes  # noqa: B018 - raises once the connection is closed
        except (sqlite3.ProgrammingError, AttributeError):
            return True
        return False

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        with self._lock:
            self._db.close()

    # ---------------------------------------------------------------- writing

    def _writable(self) -> None:
        if self._read_only:
            raise StoreReadOnlyError(None, f"{self._path}: opened read-only")

    def _encode(
        self, case: Case, records: tuple[HistoryRecord, ...]
    ) -> tuple[tuple[Any, ...], tuple[Any, ...], list[str], bytes]:
        """The case row, the records' JSON and the row's text, once they decode back to ``case``.

        Raises:
            CaseStoreError: Something would be written that does not read back (nothing is).
        """
        converter = self._converter
        try:
            if len(records) == len(case.history):  # a new case: its whole history, at once
                head = converter.unstructure(case)
                plain = list(head.pop("history"))
            else:
                head = converter.unstructure(attrs.evolve(case, history=()))
                del head["history"]
                plain = [converter.unstructure(r) for r in records]
            due = case.due_at
            row = (case.id, case.lifecycle, case.state, case.unit_id, self._town_of(case.unit_id),
                   case.location_id, case.category, case.severity, case.opened_at.isoformat(),
                   None if due is None else due.isoformat(), None if due is None else _utc(due),
                   int(self._deadline_runs(case)), case.version, text := _json(head))  # fmt: skip
            closed = self._meanings.closed_at(case)
            extra = (_utc(case.opened_at), _NO_DUE if due is None else _utc(due),
                     None if closed is None else closed.isoformat(),
                     None if closed is None else _utc(closed),
                     _json(list(case.assignees)))  # fmt: skip
            texts = list(map(_json, plain))
            row_text = _row_text(row) + _row_text(extra)  # every column text SQLite holds, as:
            whole = f"[{','.join((text, *texts))}]"  # UTF-8 (no lone surrogate), read back:
            whole.encode("utf-8")
            back, *history = json.loads(whole)  # one parse: the values of each text alone
            back["history"] = history
            read: Case = converter.structure(back, Case)
        except (*_UNREADABLE, OverflowError, cattrs.BaseValidationError) as error:
            raise CaseStoreError(case.id, f"would not read back: {error}") from None
        if read.history != records or any(getattr(read, f) != getattr(case, f) for f in _FIELDS):
            raise CaseStoreError(case.id, "would not read back as the same case")
        return row, extra, texts, row_text

    def _prepared(self, case: Case, records: tuple[HistoryRecord, ...], base: Any) -> _Write:
        """What writing ``case`` and ``records`` over ``base`` puts in the file (checked)."""
        row, extra, texts, row_text = self._encode(case, records)
        chain = _seed(case.id) if base is None else base.chain
        rows = []
        for record, text in zip(records, texts, strict=True):
            chain = _link(chain, text)
            at = record.at
            rows.append(
                (case.id, record.seq, record.trigger, at.isoformat(), _utc(at), text, chain)
            )
        expected = case.version - len(records)
        return _Write(case, base, expected, row, extra, rows, chain, _row_sum(chain, row_text))

    def _write(self, db: sqlite3.Connection, writes: Sequence[_Write]) -> None:
        """Write the cases inside the open transaction, each if its ``base`` is what is stored.

        The case rows first, in order, each checked against the stored one; then every new
        case's row, every record and every assignee, one statement each for all the cases.
        """
        new_rows = []
        for write in writes:
            case, base, expected = write.case, write.base, write.expected
            chain, checksum, row, extra = write.chain, write.checksum, write.row, write.extra
            if base is None:
                found = db.execute(_ROW, (case.id,)).fetchone()
                if found is not None:
                    raise ConflictError(case.id, None, found[0])
                new_rows.append((*row, chain, checksum, *extra))
                continue
            update = (*row[1:], chain, checksum, *extra, case.id, expected, base.checksum)
            if db.execute(_UPDATE_CASE, update).rowcount != 1:
                found = db.execute(_ROW, (case.id,)).fetchone()
                if found is None or found[0] != expected:
                    raise ConflictError(case.id, expected, None if found is None else found[0])
                raise StoreCorruptError(case.id, "its row changed without a new version")
        db.executemany(_INSERT_CASE, new_rows)
        db.executemany(_INSERT_RECORD, [r for write in writes for r in write.records])
        self._assign(db, [(write.case, write.base is None) for write in writes])

    def _transaction(self, writes: Sequence[_Write], case_id: str | None) -> None:
        """Write ``writes`` in one transaction, all or nothing; then keep and tell them."""
        with self._lock, self._sql(case_id):
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                self._write(db, writes)
                added = sum(write.base is None for write in writes)
                if added:
                    db.execute("UPDATE meta SET value = value + ? WHERE key = 'cases'", (added,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            for write in writes:
                self._remember(_Entry(write.case, write.chain, write.checksum))
                self._tell(write.case)

    def _commit(self, case: Case, records: tuple[HistoryRecord, ...], base: Any) -> Case:
        """Write ``case`` and ``records`` in one transaction if ``base`` is what is stored."""
        self._transaction([self._prepared(case, records, base)], case.id)
        return case

    def _commit_batch(self, pending: Sequence[Any]) -> None:
        """Write a batch's cases in one transaction (each encoded and checked first)."""
        writes = [self._prepared(p.case, p.records, p.base) for p in pending]
        self._transaction(writes, None)

    # ---------------------------------------------------------------- reading

    def _remember(self, entry: _Entry) -> None:
        """Keep ``entry``, dropping the least recently kept case past the limit (under the lock)."""
        if not self._cache_size:
            return
        cache = self._cache
        cache.pop(entry.case.id, None)
        cache[entry.case.id] = entry
        if len(cache) > self._cache_size:
            del cache[next(iter(cache))]

    def _current(self, case_id: str) -> tuple[Case, Any]:
        """The stored case, verified, and its entry (see :meth:`get`)."""
        with self._lock, self._sql(case_id):
            kept = self._cache.get(case_id)
            after = -1 if kept is None else kept.case.version
            if kept is not None:
                found = self._db.execute(_ROW, (case_id,)).fetchone()
                if found == (kept.case.version, kept.checksum):
                    return kept.case, kept
                if found is None or found[0] <= after:
                    raise StoreCorruptError(case_id, "its row changed without a new version")
            select = _SELECT.format(after="?", where="c.id = ?", order="c.id", extra=_EXTRA_SELECT)
            rows = self._db.execute(select, (after, case_id)).fetchall()
            if not rows:
                raise UnknownIdError(case_id, _WHERE)
            entry = self._decode(rows, kept)
            self._remember(entry)
            return entry.case, entry

    def _decode(self, rows: Sequence[Any], base: _Entry | None) -> _Entry:
        """The case of ``rows``, checked and verified (only the records after ``base``'s)."""
        if base is None:
            case = self._engine.verify(_decoded(rows, self._converter))
        else:
            head = _decoded(rows, self._converter, base.chain, base.case.version)
            case = self._follow(base.case, head.history, head)
        return _Entry(case, rows[0][_CHAIN], rows[0][_SUM])

    def _cases(self, where: str, params: Sequence[Any], order: str = "c.id") -> list[Case]:
        """The cases matching ``where``, read in one statement (one consistent snapshot).

        Kept cases whose row is unchanged as kept; others decoded, checksums checked.
        """
        with self._lock, self._sql(None):
            select = _SELECT.format(after=-1, where=where, order=order, extra=_EXTRA_SELECT)
            rows = self._db.execute(select, params)
            cases: list[Case] = []
            for _, group in groupby(rows.fetchall(), key=itemgetter(0)):
                found = list(group)
                kept, first = self._cache.get(found[0][0]), found[0]
                if kept and (kept.case.version, kept.checksum) == (first[_VERSION], first[_SUM]):
                    cases.append(kept.case)
                else:
                    cases.append(_decoded(found, self._converter))
            return cases

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock, self._sql(None):
            return self._db.execute(sql, params).fetchall()

    def __len__(self) -> int:
        ((count, added),) = self._scalar(
            "SELECT (SELECT count(*) FROM cases), (SELECT value FROM meta WHERE key = 'cases')"
        )
        if count != added:
            raise StoreCorruptError(None, f"{self._path}: {count} case rows, {added} cases added")
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
        return bool(self._scalar("SELECT 1 FROM cases WHERE id = ?", (_text(case_id, "id"),)))

    def get(self, case_id: str) -> Case:
        """Return the stored case with its history (see :meth:`CaseStore.get`).

        The rows are checked (records ``0`` to ``version``, every checksum) and, the first
        time this store reads the case, the engine verifies it; a case kept decoded is
        returned while its row is unchanged, and brought up to date from the new records only.

        Raises:
            UnknownIdError: No case with this id is stored.
            StoreCorruptError: The stored rows do not hold together or fail a checksum.
            ForgedHistoryError: The stored history does not verify.
        """
        return self._current(_text(case_id, "case_id"))[0]

    def history(self, case_id: str) -> tuple[HistoryRecord, ...]:
        """Return the case's history records, oldest first (see :meth:`CaseStore.history`)."""
        return self.get(case_id).history

    def ids(self) -> tuple[str, ...]:
        """Return the ids of every stored case, sorted."""
        return tuple(row[0] for row in self._scalar("SELECT id FROM cases ORDER BY id"))

    def by_state(self, state: str, *, lifecycle: str | None = None) -> tuple[Case, ...]:
        """Return the cases in ``state`` (of ``lifecycle`` only, when given)."""
        if lifecycle is None:
            return tuple(self._cases("c.state = ?", (_text(state, "state"),)))
        params = (_text(state, "state"), _text(lifecycle, "lifecycle"))
        return tuple(self._cases("c.state = ? AND c.lifecycle = ?", params))

    def by_unit(self, unit_id: str) -> tuple[Case, ...]:
        """Return the cases held by ``unit_id``."""
        return tuple(self._cases("c.unit_id = ?", (_text(unit_id, "unit_id"),)))

    def by_town(self, town_id: str) -> tuple[Case, ...]:
        """Return the cases held by the town ``town_id`` or by any unit under it."""
        return tuple(self._cases("c.town_id = ?", (_text(town_id, "town_id"),)))

    def overdue(self, now: datetime) -> tuple[Case, ...]:
        """Return the cases late at ``now`` (see :meth:`CaseStore.overdue`), by deadline."""
        due = _utc(require_aware(now, "now"))
        where, params = "c.running = 1 AND c.due_utc <= ?", [due]
        meanings = self._meanings
        for lifecycle, states in sorted(meanings.paused().items()):  # candidates, then is_late
            marks = ", ".join("?" * len(states))
            where += f" OR (c.state IN ({marks}) AND c.lifecycle = ? AND c.due_utc <= ?)"
            params += [*sorted(states), lifecycle, due]
        found = self._cases(where, params, "c.due_utc, c.id")
        return tuple(
            c for c in found if self._deadline_runs(c) or meanings.late_while_paused(c, now)
        )

    # ---------------------------------------------------------------- the whole file

    def check(self) -> int:
        """Check the whole file; return the number of cases.

        SQLite's ``integrity_check``, the count of cases, every case's checksums and history.

        Raises:
            StoreCorruptError: The file or a case's rows are damaged.
            ForgedHistoryError: A stored history does not verify.
        """
        problems = [row[0] for row in self._scalar("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise StoreCorruptError(None, f"{self._path}: {'; '.join(problems[:3])}")
        count = len(self)
        seen = 0
        for case in self:
            self._engine.verify(case)
            seen += 1
        if seen != count:
            raise StoreCorruptError(None, f"{self._path}: {seen} cases read, {count} stored")
        return seen

    @classmethod
    def upgrade(
        cls, source: str | os.PathLike[str], target: str | os.PathLike[str], engine: Engine,
        **options: Any,
    ) -> int:  # fmt: skip
        """Copy every case of the store file ``source`` into ``target``; return how many.

        ``source`` is only read.  It may be of layout 1 (which records no fingerprint), of
        layout 2 (without the list columns), or a store written with other definitions (staff
        changed, a lifecycle extended): each case is verified by ``engine`` (:meth:`add`), so
        the copy holds only histories that are legal runs under the new definitions.
        ``options`` go to the target store.

        Raises:
            CaseStoreError: ``source`` is not a file (:class:`StoreCorruptError`: not a store).
            ForgedHistoryError: A case does not verify (the cases before it, by id, are copied).
        """
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise CaseStoreError(None, f"{path}: no store file to read")
        converter = options.get("converter") or make_converter()
        copied = 0
        with _refusals(path, None, 5.0):
            db = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
            try:
                with cls(target, engine, **options) as store:
                    (layout,) = db.execute("PRAGMA user_version").fetchone()
                    if layout not in (1, 2, STORE_SCHEMA_VERSION):
                        raise StoreCorruptError(None, f"{path}: not a case store of layout 1-3")
                    extra = _EXTRA_SELECT if layout == STORE_SCHEMA_VERSION else ""
                    select = _SELECT.format(after=-1, where="1", order="c.id", extra=extra)
                    if layout == 1:
                        select = select.replace("c.chain, c.checksum", "NULL, NULL")
                        select = select.replace("h.checksum", "NULL")
                    for _, group in groupby(db.execute(select), key=itemgetter(0)):
                        store.add(_decoded(list(group), converter, sums=layout != 1))
                        copied += 1
            finally:
                db.close()
        return copied
