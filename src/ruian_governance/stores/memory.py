"""The case store in memory: :class:`MemoryCaseStore`, for tests, simulations and short runs."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime

from ruian_governance._convert import require_aware
from ruian_governance.errors import ConflictError, UnknownIdError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case, CaseIndex, Clock, HistoryRecord

from .base import _WHERE, _BaseStore

__all__ = ["MemoryCaseStore"]


class MemoryCaseStore(_BaseStore):
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
            self._tell(case)
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
        now = require_aware(now, "now")
        late = [
            c
            for c in list(self._cases.values())
            if c.due_at is not None and c.due_at <= now and self._deadline_runs(c)
        ]
        late.sort(key=lambda c: (c.due_at, c.id))
        return tuple(late)
