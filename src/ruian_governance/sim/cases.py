"""The run's cases: the engine's own, by id, and the closed ones handed out as the run goes.

A run applies every command through its engine to the engine's own cases, so it needs no
store's write checks (a store verifies cases that come from elsewhere); :class:`RunCases`
keeps them in a dictionary, tells the run's indexes (the similar-case library) of every new
version, as :class:`~ruian_governance.stores.MemoryCaseStore` does, and can :meth:`drop` the
cases the run is done with, so that a long run holds its open cases, not every case it ever
had.

>>> from ruian_governance import builtin_engine, generate_hierarchy
>>> cases = RunCases(builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1,
...                                                    micro_grids=0)))
>>> len(cases), "E1" in cases
(0, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from ruian_governance.errors import ConflictError, UnknownIdError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case, CaseIndex, DataValue

__all__ = ["RunCases"]


class RunCases:
    """The cases of one run (see the module's description).

    Args:
        engine: Runs the commands.
        indexes: Told of every case version stored, in order.
    """

    def __init__(self, engine: Engine, *, indexes: Iterable[CaseIndex] = ()) -> None:
        self.engine = engine
        self._indexes = tuple(indexes)
        self._cases: dict[str, Case] = {}
        self._view = MappingProxyType(self._cases)

    def __len__(self) -> int:
        return len(self._cases)

    @property
    def held(self) -> Mapping[str, Case]:
        """The cases held, by id (a read-only view, in the order they were first held)."""
        return self._view

    def __iter__(self) -> Iterator[Case]:
        """The cases held, by id."""
        return iter(sorted(self._cases.values(), key=lambda c: c.id))

    def __contains__(self, case_id: object) -> bool:
        return isinstance(case_id, str) and case_id in self._cases

    def _keep(self, case: Case) -> Case:
        self._cases[case.id] = case
        for index in self._indexes:
            index.observe(case)
        return case

    def open(self, lifecycle: str, *, at: datetime, **facts: Any) -> Case:
        """Open a case with :meth:`Engine.open` and keep it.

        Raises:
            ConflictError: A case of this id is held already.
        """
        case = self.engine.open(lifecycle, at=at, **facts)
        if case.id in self._cases:
            raise ConflictError(case.id, None, self._cases[case.id].version)
        return self._keep(case)

    def apply(
        self,
        case_id: str,
        expected_version: int,
        trigger: str,
        *,
        actor: Actor,
        at: datetime,
        **data: DataValue,
    ) -> Case:
        """Fire ``trigger`` on the held case (of ``expected_version``) and keep the result.

        Raises:
            UnknownIdError: No case of this id is held.
            ConflictError: The held case is of another version.
        """
        stored = self.get(case_id)
        if stored.version != expected_version:
            raise ConflictError(case_id, expected_version, stored.version)
        return self._keep(self.engine.apply(stored, trigger, actor=actor, at=at, **data))

    def get(self, case_id: str) -> Case:
        """The held case of this id.

        Raises:
            UnknownIdError: No case of this id is held (never opened, or dropped).
        """
        try:
            return self._cases[case_id]
        except KeyError:
            raise UnknownIdError(case_id, "the cases the run holds") from None

    def find(self, case_id: str) -> Case | None:
        """The held case of this id, or ``None`` (never opened, or dropped)."""
        return self._cases.get(case_id)

    def drop(self, case_ids: Iterable[str]) -> tuple[Case, ...]:
        """Stop holding these cases; return them, by id (ids not held are skipped)."""
        cases = self._cases
        dropped = [cases.pop(i) for i in case_ids if i in cases]
        return tuple(sorted(dropped, key=lambda c: c.id))
