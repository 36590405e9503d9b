"""How the analysis reads lifecycle definitions: closing states and trigger kinds, by lifecycle.

The analysis never knows a built-in state or trigger by its string.  A case is closed when it
enters a state flagged :attr:`~ruian_governance.lifecycles.State.closing`; a record escalates,
returns, dispatches, evaluates or sanctions when its trigger has that
:class:`~ruian_governance.lifecycles.TriggerKind` in the case's definition.  :class:`Reading`
looks each case's definition up by its lifecycle key, once per key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TypeAlias

from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.lifecycles import LifecycleDefinition, TriggerKind
from ruian_governance.models import Case, unit_ids

__all__ = ["Lifecycles", "Meaning", "Reading"]

Lifecycles: TypeAlias = Iterable[LifecycleDefinition] | Mapping[str, LifecycleDefinition]
"""Lifecycle definitions: a sequence of them, or a mapping by key (``Engine.lifecycles``)."""


class Meaning:
    """What one lifecycle definition means to the analysis."""

    __slots__ = ("closing", "definition", "key", "kinds", "opened_by", "triggers")

    def __init__(self, definition: LifecycleDefinition) -> None:
        self.definition = definition
        self.key = definition.key
        self.closing = frozenset(s.key for s in definition.states if s.closing)
        self.kinds: dict[str, TriggerKind] = {
            t.key: t.kind for t in definition.triggers if t.kind is not None
        }
        self.triggers: dict[TriggerKind, frozenset[str]] = {
            kind: frozenset(k for k, v in self.kinds.items() if v is kind) for kind in TriggerKind
        }
        self.opened_by = frozenset(
            self.kinds[t.trigger]
            for t in definition.transitions
            if t.opening and t.trigger in self.kinds
        )

    def closed_at(self, case: Case) -> datetime | None:
        """When ``case`` first entered a closing state, or ``None``."""
        closing = self.closing
        for record in case.history:
            if record.dest in closing:
                return record.at
        return None

    def fired(self, case: Case, kind: TriggerKind) -> bool:
        """Whether a record of ``case`` fired a trigger of ``kind``."""
        keys = self.triggers[kind]
        if keys:
            for record in case.history:
                if record.trigger in keys:
                    return True
        return False

    def handlers(self, case: Case) -> tuple[str, ...]:
        """The units the case was last dispatched to (the ``units`` of its last dispatch)."""
        keys = self.triggers[TriggerKind.DISPATCH]
        for record in reversed(case.history):
            if record.trigger in keys:
                units = unit_ids(record.get("units"))
                if units is not None:
                    return units
        return ()


class Reading(Iterable[LifecycleDefinition]):
    """Lifecycle definitions by key, with what each means to the analysis.

    Iterating gives the definitions, so a reading can be passed on wherever definitions are
    taken, and is then not read again.

    Raises:
        ArgumentError: Two definitions share a key.
    """

    def __init__(self, lifecycles: Lifecycles) -> None:
        definitions = lifecycles.values() if isinstance(lifecycles, Mapping) else lifecycles
        self._meanings: dict[str, Meaning] = {}
        for definition in definitions:
            if definition.key in self._meanings:
                argument = "lifecycles"
                raise ArgumentError(argument, definition.key, "one definition per key")
            self._meanings[definition.key] = Meaning(definition)

    @classmethod
    def of(cls, lifecycles: Lifecycles) -> Reading:
        """``lifecycles`` as a reading (itself if it is one already)."""
        return lifecycles if isinstance(lifecycles, Reading) else cls(lifecycles)

    def __iter__(self) -> Iterator[LifecycleDefinition]:
        return (m.definition for m in self._meanings.values())

    def meaning(self, key: str) -> Meaning:
        """What the lifecycle ``key`` means.

        Raises:
            UnknownIdError: No definition has this key.
        """
        meaning = self._meanings.get(key)
        if meaning is None:
            raise UnknownIdError(key, "the lifecycle definitions given")
        return meaning

    def of_case(self, case: Case) -> Meaning:
        """What the lifecycle of ``case`` means.

        Raises:
            UnknownIdError: No definition has the case's lifecycle key.
        """
        meaning = self._meanings.get(case.lifecycle)
        if meaning is None:
            raise UnknownIdError(case.lifecycle, "the lifecycle definitions given")
        return meaning

    def keys_opened_by(self, kind: TriggerKind) -> frozenset[str]:
        """Keys of the lifecycles whose cases open by a trigger of ``kind``."""
        return frozenset(k for k, m in self._meanings.items() if kind in m.opened_by)

    def meanings(self) -> tuple[Meaning, ...]:
        """Every definition's meaning, in the order given."""
        return tuple(self._meanings.values())
