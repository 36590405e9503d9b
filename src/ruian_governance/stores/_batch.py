"""Many commands, one transaction: :class:`CaseBatch`, the store's :meth:`batch` (issue 15).

A batch runs every command with the checks of the store's own :meth:`~CaseStore.open`,
:meth:`~CaseStore.add`, :meth:`~CaseStore.save` and :meth:`~CaseStore.apply`, against the
store *as the batch leaves it* (a case opened in the batch can be driven on in it), and writes
nothing until the ``with`` block ends: then each case the batch touched is written once (its
last version and every record the batch added), all in one transaction, each guarded by the
version the batch read.  Any refusal, at the command or at the end, writes nothing; the error
is a :class:`~ruian_governance.errors.BatchRefusedError` naming the command.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

import attrs

from ruian_governance.errors import (
    BatchRefusedError,
    CaseStoreError,
    ConflictError,
    RuianGovernanceError,
)
from ruian_governance.models import Actor, Case, DataValue, HistoryRecord

from ._checks import _checked_case, _command_time, _text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ruian_governance.lifecycles import Engine
    from ruian_governance.models import Clock


class _Store(Protocol):
    """What a batch needs of its store (``_BaseStore``: its checks, reads and batch write)."""

    @property
    def engine(self) -> Engine: ...

    @property
    def clock(self) -> Clock | None: ...

    def __contains__(self, case_id: object) -> bool: ...

    def get(self, case_id: str) -> Case: ...

    def _current(self, case_id: str) -> tuple[Case, Any]: ...

    def _check_new(self, case: Case) -> None: ...

    def _check_placed(self, case: Case) -> None: ...

    def _new_records(self, case: Case, expected_version: int) -> tuple[HistoryRecord, ...]: ...

    def _later(
        self, stored: Case, case: Case, expected_version: int, new: tuple[HistoryRecord, ...]
    ) -> Case: ...

    def _fired(  # noqa: PLR0913, PLR0917 - apply's arguments
        self, stored: Case, expected_version: int, trigger: str, actor: Actor,
        at: datetime | None, data: dict[str, DataValue],
    ) -> Case: ...  # fmt: skip

    def _commit_batch(self, pending: Sequence[Any]) -> None: ...


__all__ = ["CaseBatch"]


@attrs.define
class _Pending:
    """A case the batch touched: the token and version it read, and its latest version."""

    base: Any  # the store's token of the row read (None: a new case)
    read: int  # the version read (-1: a new case)
    case: Case
    index: int  # the first command of the batch on this case

    @property
    def records(self) -> tuple[HistoryRecord, ...]:
        """The records the batch adds to the stored case."""
        return self.case.history[self.read + 1 :]


class CaseBatch:
    """Commands collected for one transaction of a store (made by :meth:`CaseStore.batch`).

    Its :meth:`open`, :meth:`add`, :meth:`save` and :meth:`apply` take the arguments of the
    store's and check each command at once; :meth:`get` reads a case as the batch leaves it.
    Leaving the ``with`` block writes every case the batch touched, all or nothing; an
    exception in the block, or a refused command (even one the block caught), writes nothing.

    >>> from datetime import datetime
    >>> from ruian_governance import (CHINA_STANDARD_TIME, Actor, Level, MemoryCaseStore,
    ...     builtin_engine, generate_hierarchy)
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
    >>> grid = h.units_at(Level.GRID)[0]
    >>> worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
    >>> room = h.command_room_of(h.towns[0].id)
    >>> operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
    >>> at = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
    >>> store = MemoryCaseStore(builtin_engine(h))
    >>> with store.batch() as batch:
    ...     for k in range(3):
    ...         case = batch.open("event", case_id=f"E{k}", trigger="report", actor=worker,
    ...                           at=at, location_id=grid.id, category="noise",
    ...                           severity="ordinary")
    ...         case = batch.apply(case.id, 0, "accept", actor=operator, at=at)
    >>> len(batch), store.ids(), store.get("E2").state
    (6, ('E0', 'E1', 'E2'), 'accepted')
    """

    def __init__(self, store: _Store) -> None:
        self._store = store
        self._pending: dict[str, _Pending] = {}
        self._count = 0
        self._refused: BatchRefusedError | None = None
        self._done = False

    def __len__(self) -> int:
        """The number of commands given so far (refused ones aside)."""
        return self._count

    @property
    def cases(self) -> tuple[Case, ...]:
        """The latest version of every case the batch touched, in the order first touched."""
        return tuple(pending.case for pending in self._pending.values())

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Write the batch if the block ended normally and no command was refused."""
        if kind is None:
            self.commit()
        else:
            self._done = True

    # ---------------------------------------------------------------- commands

    def get(self, case_id: str) -> Case:
        """The case as the batch leaves it (the stored one if the batch did not touch it)."""
        pending = self._pending.get(case_id)
        return self._store.get(case_id) if pending is None else pending.case

    def open(self, lifecycle: str, *, at: datetime | None = None, **facts: Any) -> Case:
        """Open a case (see :meth:`CaseStore.open`), to be written with the batch."""
        case_id = facts.get("case_id")
        return self._run(case_id if isinstance(case_id, str) else None, lambda: self._open(
            lifecycle, at, facts))  # fmt: skip

    def add(self, case: Case) -> Case:
        """Add a case with its whole history (see :meth:`CaseStore.add`), once verified."""
        return self._run(getattr(case, "id", None), lambda: self._add(case))

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Save a later version of a case (see :meth:`CaseStore.save`), checked the same way."""
        return self._run(getattr(case, "id", None), lambda: self._save(case, expected_version))

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
        """Fire ``trigger`` on the case (see :meth:`CaseStore.apply`), as the batch leaves it."""
        key = case_id if isinstance(case_id, str) else None
        return self._run(key, lambda: self._apply(case_id, expected_version, trigger,
                                                  actor=actor, at=at, data=data))  # fmt: skip

    # ---------------------------------------------------------------- the checks

    def _run(self, case_id: str | None, command: Callable[[], tuple[Case, _Pending]]) -> Case:
        """Run one command; on a refusal, poison the batch and name the command."""
        if self._refused is not None:  # the same refusal, again
            raise self._refused.with_traceback(self._refused.__traceback__)
        if self._done:
            raise CaseStoreError(case_id, "this batch is finished; start another")
        try:
            case, pending = command()
        except RuianGovernanceError as error:
            self._refused = BatchRefusedError(self._count, case_id, error)
            raise self._refused.with_traceback(None) from error
        pending.case = case
        self._pending.setdefault(case.id, pending)
        self._count += 1
        return case

    def _new(self, case: Case) -> tuple[Case, _Pending]:
        """A new case's pending entry, unless its id is in the batch or the store already."""
        store = self._store
        store._check_placed(case)
        pending = self._pending.get(case.id)
        if pending is not None:
            raise ConflictError(case.id, None, pending.case.version)
        if case.id in store:
            raise ConflictError(case.id, None, store.get(case.id).version)
        return case, _Pending(None, -1, case, self._count)

    def _open(
        self, lifecycle: str, at: datetime | None, facts: dict[str, Any]
    ) -> tuple[Case, _Pending]:
        store = self._store
        return self._new(store.engine.open(lifecycle, at=_command_time(store, at), **facts))

    def _add(self, case: Case) -> tuple[Case, _Pending]:
        self._store._check_new(_checked_case(case))
        return self._new(self._store.engine.verify(case))

    def _latest(self, case_id: str) -> tuple[Case, _Pending]:
        """The case as the batch leaves it, and its pending entry (a new one if untouched)."""
        pending = self._pending.get(case_id)
        if pending is not None:
            return pending.case, pending
        stored, base = self._store._current(case_id)
        return stored, _Pending(base, stored.version, stored, self._count)

    def _save(self, case: Case, expected_version: int) -> tuple[Case, _Pending]:
        new = self._store._new_records(_checked_case(case), expected_version)
        latest, pending = self._latest(case.id)
        return self._store._later(latest, case, expected_version, new), pending

    def _apply(  # noqa: PLR0913 - the arguments of apply
        self, case_id: str, expected_version: int, trigger: str, *, actor: Actor,
        at: datetime | None, data: dict[str, DataValue],
    ) -> tuple[Case, _Pending]:  # fmt: skip
        latest, pending = self._latest(_text(case_id, "case_id"))
        return self._store._fired(latest, expected_version, trigger, actor, at, data), pending

    # ---------------------------------------------------------------- the write

    def commit(self) -> tuple[Case, ...]:
        """Write the batch now (leaving the ``with`` block does it); return :attr:`cases`.

        Raises:
            BatchRefusedError: A command was refused (nothing is written), or a case the
                batch read was changed by another writer since (a ``ConflictError``).
            StoreBusyError: Another connection held the file's lock past the timeout.
        """
        if self._refused is not None:  # the same refusal, again
            raise self._refused.with_traceback(self._refused.__traceback__)
        if self._done:
            raise CaseStoreError(None, "this batch is finished; start another")
        self._done = True
        pending = list(self._pending.values())
        if pending:
            try:
                self._store._commit_batch(pending)
            except RuianGovernanceError as error:  # a conflict, or a case that would not read back
                case_id = getattr(error, "case_id", None)
                first = next((p for p in pending if p.case.id == case_id), None)
                if first is None:  # not one case's: the file is busy, damaged...
                    raise
                self._refused = BatchRefusedError(first.index, case_id, error)
                raise self._refused.with_traceback(None) from error
        return self.cases
