"""The SQLite layout of :class:`~ruian_governance.stores.SQLiteCaseStore`: tables and statements.

Layout 3 (``PRAGMA user_version``) adds to layout 2 the columns a list reads without decoding
a case (``opened_utc``, ``due_key``, ``closed_at``, ``closed_utc``, ``assignees``), the table
``case_units`` (a case's assignees, for inboxes) and the indexes of paged queries.  The row
checksum covers the new columns after the layout 2 ones, so a layout 2 file's rows still check
while :meth:`~ruian_governance.stores.SQLiteCaseStore.upgrade` copies them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeAlias, get_args

import cattrs

from ruian_governance.errors import (
    ArgumentError,
    CaseStoreError,
    StoreBusyError,
    StoreCorruptError,
    StoreReadOnlyError,
)

Synchronous: TypeAlias = Literal["FULL", "NORMAL", "EXTRA"]
"""SQLite's ``PRAGMA synchronous`` settings a :class:`SQLiteCaseStore` accepts."""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
CREATE TABLE cases (
    id TEXT PRIMARY KEY, lifecycle TEXT NOT NULL, state TEXT NOT NULL, unit_id TEXT NOT NULL,
    town_id TEXT, location_id TEXT NOT NULL, category TEXT NOT NULL, severity TEXT,
    opened_at TEXT NOT NULL, due_at TEXT, due_utc TEXT, running INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 0), head TEXT NOT NULL,
    chain BLOB NOT NULL, checksum BLOB NOT NULL,
    opened_utc TEXT NOT NULL, due_key TEXT NOT NULL, closed_at TEXT, closed_utc TEXT,
    assignees TEXT NOT NULL
);
CREATE TABLE history (
    case_id TEXT NOT NULL REFERENCES cases (id), seq INTEGER NOT NULL CHECK (seq >= 0),
    trigger TEXT NOT NULL, at TEXT NOT NULL, at_utc TEXT NOT NULL, record TEXT NOT NULL,
    checksum BLOB NOT NULL, PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TABLE case_units (
    unit_id TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES cases (id),
    lead INTEGER NOT NULL, PRIMARY KEY (unit_id, case_id)
) WITHOUT ROWID;
CREATE INDEX case_units_by_case ON case_units (case_id);
CREATE INDEX cases_by_state ON cases (state, lifecycle);
CREATE INDEX cases_by_unit ON cases (unit_id, opened_utc, id);
CREATE INDEX cases_by_unit_id ON cases (unit_id, id);
CREATE INDEX cases_by_unit_due ON cases (unit_id, due_key, id);
CREATE INDEX cases_by_location ON cases (location_id, lifecycle, state);
CREATE INDEX cases_by_town ON cases (town_id, opened_utc, id);
CREATE INDEX cases_by_due ON cases (running, due_utc);
CREATE INDEX cases_by_opened ON cases (opened_utc, id);
CREATE INDEX cases_by_due_key ON cases (due_key, id);
CREATE INDEX cases_by_category ON cases (category, opened_utc, id);
CREATE INDEX cases_by_closed ON cases (closed_utc) WHERE closed_utc IS NOT NULL;
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER fingerprint_fixed BEFORE UPDATE ON meta WHEN OLD.key = 'fingerprint'
BEGIN SELECT RAISE(ABORT, 'the fingerprint is fixed'); END;
"""

_COLUMNS = (
    "id, lifecycle, state, unit_id, town_id, location_id, category, severity, opened_at, due_at, "
    "due_utc, running, version, head"
)
"""The columns of layout 2, covered first by the row checksum."""

_EXTRA = "opened_utc, due_key, closed_at, closed_utc, assignees"
"""The columns layout 3 adds (after ``chain`` and ``checksum``), covered after the others."""

_ALL = f"{_COLUMNS}, chain, checksum, {_EXTRA}"
_INSERT_CASE = f"INSERT INTO cases ({_ALL}) VALUES ({', '.join('?' * 21)})"
_UPDATE_CASE = (
    "UPDATE cases SET "
    + ", ".join(f"{c.strip()} = ?" for c in _ALL.split(",")[1:])
    + " WHERE id = ? AND version = ? AND checksum = ?"
)
_INSERT_RECORD = "INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?)"
_SELECT = (
    "SELECT "
    + ", ".join(f"c.{c.strip()}" for c in _COLUMNS.split(","))
    + ", c.chain, c.checksum, h.seq, h.record, h.checksum{extra} FROM cases AS c "
    "LEFT JOIN history AS h ON h.case_id = c.id AND h.seq > {after} "
    "WHERE {where} ORDER BY {order}, h.seq"
)
"""Every case and history column of the matching cases (``{extra}``: layout 3's columns)."""

_EXTRA_SELECT = "".join(f", c.{c.strip()}" for c in _EXTRA.split(","))
_ROW = "SELECT version, checksum FROM cases WHERE id = ?"
_MARK = "SELECT value FROM meta WHERE key = 'fingerprint'"
_PAGE = 256
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT)


def _check_settings(path: Any, synchronous: Any, timeout: Any, size: Any, converter: Any) -> None:
    """Refuse a setting a :class:`SQLiteCaseStore` does not accept, with ArgumentError."""
    for name, value, good, expected in [
        ("path", path, isinstance(path, str | os.PathLike) and "\0" not in str(path), "a path"),
        ("synchronous", synchronous, synchronous in get_args(Synchronous), "FULL, NORMAL, EXTRA"),
        ("timeout", timeout, type(timeout) in (int, float) and 0 <= timeout <= 86400, "0 to 86400"),
        ("cache_size", size, type(size) is int and size >= 0, "a whole number >= 0"),
        ("converter", converter, isinstance(converter, cattrs.BaseConverter | None), "a converter"),
    ]:
        if not good:
            raise ArgumentError(name, value, expected)


@contextmanager
def _refusals(path: str, case_id: str | None, timeout: float) -> Iterator[None]:
    """Turn SQLite's errors (and undecodable text) into the library's typed errors."""
    try:
        yield
    except UnicodeDecodeError as error:  # text columns of a damaged file
        raise StoreCorruptError(case_id, f"{path}: {error}") from None
    except sqlite3.Error as error:
        code = getattr(error, "sqlite_errorcode", -1) & 0xFF
        if code in _BUSY:
            detail = f"{path}: still locked by another connection after {timeout:g} s"
            raise StoreBusyError(case_id, detail) from None
        if code == sqlite3.SQLITE_READONLY:
            raise StoreReadOnlyError(case_id, f"{path}: {error}") from None
        if code in _DAMAGED or isinstance(error, sqlite3.IntegrityError) or "decode" in str(error):
            raise StoreCorruptError(case_id, f"{path}: {error}") from None
        if isinstance(error, sqlite3.ProgrammingError) and "closed" in str(error):
            raise CaseStoreError(case_id, f"{path}: the store is closed") from None
        raise CaseStoreError(case_id, f"{path}: {error}") from None
