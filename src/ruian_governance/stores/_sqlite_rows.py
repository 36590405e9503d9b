"""The SQLite store's lists: rows, pages, counts and inboxes, answered from the indexes.

A mix-in of :class:`~ruian_governance.stores.SQLiteCaseStore` (kept apart from its writes): a
page reads one statement of the ``cases`` columns, never the history, and checks each row's
checksum (one sha256 each) without decoding the case.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import attrs

from ruian_governance.errors import StoreCorruptError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case, Clock

from ._layout import _ALL
from .base import _row_sum, _row_text
from .queries import (
    CountBy,
    InboxItem,
    Page,
    Row,
    RowQuery,
    _after,
    _count_by,
    _cursor,
    _inbox_scope,
    _light,
    _limit,
    _Meanings,
    _now,
    _query,
    _utc,
)

_ROW_SELECT = "SELECT " + ", ".join(f"c.{c.strip()}" for c in _ALL.split(",")) + " FROM cases AS c"
_KEYS = {"id": ("c.id",), "opened": ("c.opened_utc", "c.id"), "due": ("c.due_key", "c.id")}
_KEY_OF: dict[str, Callable[[Sequence[Any]], tuple[str, ...]]] = {
    "id": lambda r: (r[0],),
    "opened": lambda r: (r[16], r[0]),
    "due": lambda r: (r[17], r[0]),
}
"""A page's sort key from an SQL row of ``_ROW_SELECT`` (the cursor's key)."""
_BY = {"lifecycle": "lifecycle", "state": "state", "holder": "unit_id", "town": "town_id",
       "category": "category", "severity": "severity"}  # fmt: skip
_EQUAL = (("lifecycle", "lifecycle"), ("holder", "unit_id"), ("town", "town_id"),
          ("category", "category"), ("severity", "severity"))  # fmt: skip
_RANGES = (("opened", "opened_utc"), ("due", "due_utc"), ("closed", "closed_utc"))
_LEADING = "c.id IN (SELECT case_id FROM case_units WHERE unit_id = ? AND lead = {lead})"
_ASSIGNED = "c.id IN (SELECT case_id FROM case_units WHERE unit_id = ?)"


def _where(query: RowQuery) -> tuple[list[str], list[Any]]:
    """The SQL conditions and parameters of ``query``'s filters."""
    where: list[str] = []
    params: list[Any] = []
    for name, column in _EQUAL:
        value = getattr(query, name)
        if value is not None:
            where.append(f"c.{column} = ?")
            params.append(value)
    if query.states:
        where.append(f"c.state IN ({', '.join('?' * len(query.states))})")
        params.extend(query.states)
    if query.assignee is not None:
        where.append(_ASSIGNED)
        params.append(query.assignee)
    if query.closed is not None:
        where.append(f"c.closed_utc IS {'NOT ' if query.closed else ''}NULL")
    for name, column in _RANGES:
        start, before = getattr(query, f"{name}_from"), getattr(query, f"{name}_before")
        if start is not None:
            where.append(f"c.{column} >= ?")
            params.append(_utc(start))
        if before is not None:
            where.append(f"c.{column} < ?")
            params.append(_utc(before))
    return where, params


class _SQLiteRows:
    """Lists from the ``cases`` columns (see :class:`~ruian_governance.stores.CaseStore`)."""

    _db: sqlite3.Connection
    _lock: threading.Lock
    _engine: Engine
    _clock: Clock | None
    _meanings: _Meanings
    _sql: Callable[[str | None], AbstractContextManager[None]]
    _cases: Callable[[str, Sequence[Any]], list[Case]]

    # ---------------------------------------------------------------- keeping case_units

    @staticmethod
    def _assign(db: sqlite3.Connection, cases: Sequence[tuple[Case, bool]]) -> None:
        """Write the cases' assignees into ``case_units`` (inside the write's transaction).

        Each case is paired with whether it is new (a stored case's rows are replaced).
        """
        db.executemany(
            "DELETE FROM case_units WHERE case_id = ?", [(c.id,) for c, new in cases if not new]
        )
        db.executemany(
            "INSERT OR IGNORE INTO case_units (unit_id, case_id, lead) VALUES (?, ?, ?)",
            [(unit, c.id, int(k == 0)) for c, _ in cases for k, unit in enumerate(c.assignees)],
        )

    # ---------------------------------------------------------------- lists

    def rows(
        self, query: RowQuery | None = None, *, limit: int = 50, cursor: str | None = None,
        now: datetime | None = None,
    ) -> Page[Row]:  # fmt: skip
        """A page of rows matching ``query``, in its order (see :meth:`CaseStore.rows`)."""
        query = _query(query)
        where, params = _where(query)
        found = self._page(query, "rows", where, params, cursor, limit, now)
        return Page(items=tuple(row for row, _ in found[0]), cursor=found[1])

    def inbox(  # noqa: PLR0913 - the unit, then keyword-only settings
        self, unit_id: str, *, role: str | None = None, query: RowQuery | None = None,
        limit: int = 50, cursor: str | None = None, now: datetime | None = None,
    ) -> Page[InboxItem]:  # fmt: skip
        """The cases waiting for ``unit_id``'s action (see :meth:`CaseStore.inbox`)."""
        query = _query(query)
        box = _inbox_scope(self._engine, unit_id, role)
        scope = f"inbox {box.unit} {role}"
        base, base_params = _where(query)
        holders = dict.fromkeys((box.unit, box.admin))  # the unit, or the unit it acts for
        sides: list[tuple[list[str], list[Any]]] = []
        for side, test, values in (
            *(("held", "c.unit_id = ?", (h,)) for h in holders),
            ("assigned", _ASSIGNED, (box.unit,)),
            ("lead", _LEADING.format(lead=1), (box.unit,)),
            ("assisting", _LEADING.format(lead=0), (box.unit,)),
            ("located", "c.location_id = ?", (box.unit,)),
        ):  # fmt: skip
            pairs = box.sides[side]
            if pairs:
                marks = ", ".join("(?, ?)" for _ in pairs)
                where = [*base, test, f"(c.lifecycle, c.state) IN (VALUES {marks})"]
                flat = [part for pair in pairs for part in pair]
                sides.append((where, [*base_params, *values, *flat]))
        count = _limit(limit)
        after = _after(cursor, query, scope)
        moment = _now(now, None if self._clock is None else self._clock.now())
        merged: dict[str, Sequence[Any]] = {}
        for where, params in sides:  # each side in its index's order, then merged
            for found in self._select(query, where, params, after, count):
                merged.setdefault(found[0], found)
        ordered = sorted(merged.values(), key=_KEY_OF[query.order], reverse=query.descending)
        rows, next_cursor = self._rows_of(query, scope, ordered, count, moment)
        items = tuple(InboxItem(row=row, triggers=box.triggers(row)) for row, _ in rows)
        return Page(items=items, cursor=next_cursor)

    def count(self, query: RowQuery | None = None) -> int:
        """How many cases match ``query`` (see :meth:`CaseStore.count`)."""
        where, params = _where(_query(query))
        sql = "SELECT count(*) FROM cases AS c WHERE " + (" AND ".join(where) or "1")
        with self._lock, self._sql(None):
            return int(self._db.execute(sql, params).fetchone()[0])

    def counts(self, by: CountBy, query: RowQuery | None = None) -> dict[str | None, int]:
        """How many cases match ``query``, by one column (see :meth:`CaseStore.counts`)."""
        column = _BY[_count_by(by)]
        where, params = _where(_query(query))
        sql = (
            f"SELECT c.{column}, count(*) FROM cases AS c WHERE "
            + (" AND ".join(where) or "1")
            + f" GROUP BY c.{column}"
        )
        with self._lock, self._sql(None):
            found = self._db.execute(sql, params).fetchall()
        return dict(sorted(((k, int(n)) for k, n in found),
                           key=lambda kv: (kv[0] is None, kv[0] or "")))  # fmt: skip

    def _lit(
        self, rows: list[tuple[Row, Sequence[Any]]], now: datetime
    ) -> list[tuple[Row, Sequence[Any]]]:
        """The rows with their warning lights at ``now``, from their cases' histories.

        The light reads the history (step and pause times), so the page's cases are read
        (checksums checked; kept decoded ones reused), in a second statement after the rows'.
        """
        ids = [row.id for row, _ in rows]
        where = f"c.id IN ({', '.join('?' * len(ids))})"
        cases = {case.id: case for case in self._cases(where, ids)}
        return [
            (attrs.evolve(row, warning=_light(self._engine, cases[row.id], now)), found)
            if row.id in cases else (row, found)
            for row, found in rows
        ]  # fmt: skip

    def _page(  # noqa: PLR0913, PLR0917 - the parts of one statement, private
        self, query: RowQuery, scope: str, where: list[str], params: list[Any],
        cursor: object, limit: object, now: object,
    ) -> tuple[list[tuple[Row, Sequence[Any]]], str | None]:  # fmt: skip
        """The rows of one page (each with its SQL row) and the next page's cursor."""
        count = _limit(limit)
        after = _after(cursor, query, scope)
        moment = _now(now, None if self._clock is None else self._clock.now())
        found = self._select(query, where, params, after, count)
        return self._rows_of(query, scope, found, count, moment)

    def _select(
        self, query: RowQuery, where: list[str], params: list[Any],
        after: tuple[str, ...] | None, count: int,
    ) -> list[Sequence[Any]]:  # fmt: skip
        """The SQL rows of at most ``count + 1`` cases matching ``where`` after ``after``."""
        keys = _KEYS[query.order]
        direction = " DESC" if query.descending else ""
        if after is not None:
            than = "<" if query.descending else ">"
            where = [*where, f"({', '.join(keys)}) {than} ({', '.join('?' * len(keys))})"]
            params = [*params, *after]
        sql = (
            f"{_ROW_SELECT} WHERE {' AND '.join(where) or '1'} "
            f"ORDER BY {', '.join(k + direction for k in keys)} LIMIT {count + 1}"
        )
        with self._lock, self._sql(None):
            return list(self._db.execute(sql, params).fetchall())

    def _rows_of(
        self, query: RowQuery, scope: str, found: list[Sequence[Any]], count: int,
        moment: datetime | None,
    ) -> tuple[list[tuple[Row, Sequence[Any]]], str | None]:  # fmt: skip
        """The page's rows (lit at ``moment``) of ``found`` in order, and the next cursor."""
        rows = [(_row(sql_row), sql_row) for sql_row in found[:count]]
        if moment is not None and rows:
            rows = self._lit(rows, moment)
        if len(found) <= count:
            return rows, None
        return rows, _cursor(query, scope, _KEY_OF[query.order](rows[-1][1]))


def _row(found: Sequence[Any]) -> Row:
    """The :class:`Row` of an SQL row of ``_ROW_SELECT``, its checksum checked.

    Raises:
        StoreCorruptError: The row fails its checksum or does not read.
    """
    case_id = found[0]
    if _row_sum(found[14], _row_text(found[:14]) + _row_text(found[16:])) != found[15]:
        raise StoreCorruptError(case_id, "the case row fails its checksum")
    try:
        row = Row(
            id=case_id, lifecycle=found[1], state=found[2], holder=found[3],
            assignees=tuple(json.loads(found[20])), location=found[5], town=found[4],
            category=found[6],
            severity=found[7], opened=datetime.fromisoformat(found[8]),
            due=None if found[9] is None else datetime.fromisoformat(found[9]),
            closed=None if found[18] is None else datetime.fromisoformat(found[18]),
            version=found[12],
        )  # fmt: skip
    except (ValueError, TypeError) as error:
        raise StoreCorruptError(case_id, f"the case row does not read: {error}") from None
    return row
