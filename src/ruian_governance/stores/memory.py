"""The case store in memory: :class:`MemoryCaseStore`, for tests, simulations and short runs."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import ConflictError, UnknownIdError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case, CaseIndex, Clock, HistoryRecord

from ._checks import _text
from .base import _WHERE, _BaseStore
from .queries import (
    CountBy,
    InboxItem,
    Page,
    Row,
    RowQuery,
    _count_by,
    _counted,
    _inbox_scope,
    _light,
    _now,
    _paged,
    _query,
)

__all__ = ["MemoryCaseStore"]


class MemoryCaseStore(_BaseStore):
    """A case store in a dictionary: the :class:`CaseStore` interface without durability.

    Safe to share between threads: the compare-and-set of a write holds a lock; commands are
    checked by the engine outside it.  The stored cases are the engine's own (every write is
    verified, see :class:`CaseStore`), so :meth:`get` returns a case the engine runs commands
    on without verifying it again.  Of two commands on the same version of a case, exactly
    one is stored; the other raises :class:`~ruian_governance.ConflictError`.  Each index is
    told of a stored case under the lock, right after the compare-and-set, so indexes see the
    versions of a case in order; a refused or conflicting write never reaches them.

    Args:
        engine: Runs commands and replays histories; its hierarchy gives each unit's town.
        clock: Tells the time of commands given without ``at=`` (the store never reads the
            wall clock itself); without a clock, every command needs its ``at``.
        indexes: :class:`~ruian_governance.models.CaseIndex` objects (e.g. a
            :class:`~ruian_governance.analysis.SimilarCaseLibrary`), told of every stored case.

    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> from ruian_governance.stores import CaseStore
    >>> store = MemoryCaseStore(builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1,
    ...                                                    micro_grids=0)))
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
        self._rows: dict[str, tuple[Case, Row]] = {}
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
        return isinstance(case_id, str) and case_id in self._cases

    def _current(self, case_id: str) -> tuple[Case, Any]:
        """The stored case; its token is the case object itself."""
        case = self.get(case_id)
        return case, case

    def _commit(self, case: Case, records: tuple[HistoryRecord, ...], base: Any) -> Case:
        """Compare-and-set under the lock: store ``case`` if ``base`` is still the stored one."""
        with self._lock:
            current = self._cases.get(case.id)
            if base is None:
                if current is not None:
                    raise ConflictError(case.id, None, current.version)
            elif current is not base:
                actual = None if current is None else current.version
                raise ConflictError(case.id, case.version - len(records), actual)
            self._cases[case.id] = case
            self._tell(case)
        return case

    def _commit_batch(self, pending: Sequence[Any]) -> None:
        """Compare-and-set every case of a batch under the lock, all or none."""
        with self._lock:
            for entry in pending:
                current = self._cases.get(entry.case.id)
                if entry.base is None and current is not None:
                    raise ConflictError(entry.case.id, None, current.version)
                if entry.base is not None and current is not entry.base:
                    actual = None if current is None else current.version
                    raise ConflictError(entry.case.id, entry.read, actual)
            for entry in pending:
                self._cases[entry.case.id] = entry.case
                self._tell(entry.case)

    def get(self, case_id: str) -> Case:
        """Return the stored case (see :meth:`CaseStore.get`)."""
        try:
            return self._cases[case_id]
        except (KeyError, TypeError):
            raise UnknownIdError(_text(case_id, "case_id"), _WHERE) from None

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
        state = _text(state, "state")
        if lifecycle is not None:
            lifecycle = _text(lifecycle, "lifecycle")
        return self._sorted(
            c
            for c in list(self._cases.values())
            if c.state == state and (lifecycle is None or c.lifecycle == lifecycle)
        )

    def by_unit(self, unit_id: str) -> tuple[Case, ...]:
        """Return the cases held by ``unit_id``."""
        unit_id = _text(unit_id, "unit_id")
        return self._sorted(c for c in list(self._cases.values()) if c.unit_id == unit_id)

    def by_town(self, town_id: str) -> tuple[Case, ...]:
        """Return the cases held by the town ``town_id`` or by any unit under it."""
        town_id = _text(town_id, "town_id")
        return self._sorted(
            c for c in list(self._cases.values()) if self._town_of(c.unit_id) == town_id
        )

    def overdue(self, now: datetime) -> tuple[Case, ...]:
        """Return the cases late at ``now`` (see :meth:`CaseStore.overdue`), by deadline."""
        now = require_aware(now, "now")
        meanings = self._meanings
        late = [
            c
            for c in list(self._cases.values())
            if c.due_at is not None
            and c.due_at <= now
            and (self._deadline_runs(c) or meanings.late_while_paused(c, now))
        ]
        late.sort(key=lambda c: (c.due_at, c.id))
        return tuple(late)

    # ---------------------------------------------------------------- lists (a scan)

    def _row(self, case: Case) -> Row:
        """The row of a stored case (kept while the case is the stored one)."""
        kept = self._rows.get(case.id)
        if kept is not None and kept[0] is case:
            return kept[1]
        row = Row(
            id=case.id, lifecycle=case.lifecycle, state=case.state, holder=case.unit_id,
            assignees=case.assignees, location=case.location_id,
            town=self._town_of(case.unit_id), category=case.category,
            severity=case.severity, opened=case.opened_at, due=case.due_at,
            closed=self._meanings.closed_at(case), version=case.version,
        )  # fmt: skip
        self._rows[case.id] = (case, row)
        return row

    def _lit(self, row: Row, now: datetime | None) -> Row:
        case = self._cases[row.id]
        return attrs.evolve(row, warning=_light(self._engine, case, now))

    def _matching(self, query: RowQuery) -> list[Row]:
        return [row for row in map(self._row, list(self._cases.values())) if query.matches(row)]

    def rows(
        self, query: RowQuery | None = None, *, limit: int = 50, cursor: str | None = None,
        now: datetime | None = None,
    ) -> Page[Row]:  # fmt: skip
        """A page of rows matching ``query``, in its order (see :meth:`CaseStore.rows`)."""
        query = _query(query)
        moment = _now(now, None if self._clock is None else self._clock.now())
        page = _paged(self._matching(query), query, "rows", cursor, limit)
        return Page(items=tuple(self._lit(r, moment) for r in page.items), cursor=page.cursor)

    def inbox(  # noqa: PLR0913 - the unit, then keyword-only settings
        self, unit_id: str, *, role: str | None = None, query: RowQuery | None = None,
        limit: int = 50, cursor: str | None = None, now: datetime | None = None,
    ) -> Page[InboxItem]:  # fmt: skip
        """The cases waiting for ``unit_id``'s action (see :meth:`CaseStore.inbox`)."""
        query = _query(query)
        box = _inbox_scope(self._engine, unit_id, role)
        moment = _now(now, None if self._clock is None else self._clock.now())
        waiting = [
            InboxItem(row=row, triggers=triggers)
            for row in self._matching(query)
            if (triggers := box.triggers(row))
        ]
        page = _paged(waiting, query, f"inbox {box.unit} {role}", cursor, limit, lambda i: i.row)
        items = tuple(attrs.evolve(i, row=self._lit(i.row, moment)) for i in page.items)
        return Page(items=items, cursor=page.cursor)

    def count(self, query: RowQuery | None = None) -> int:
        """How many cases match ``query`` (see :meth:`CaseStore.count`)."""
        return len(self._matching(_query(query)))

    def counts(self, by: CountBy, query: RowQuery | None = None) -> dict[str | None, int]:
        """How many cases match ``query``, by one column (see :meth:`CaseStore.counts`)."""
        column = {"holder": "holder", "town": "town"}.get(_count_by(by), by)
        return _counted(getattr(row, column) for row in self._matching(_query(query)))
