"""The structural rules every lifecycle definition obeys, checked when it is built.

:func:`check_structure` applies them in order and raises a
:class:`~ruian_governance.errors.LifecycleDefinitionError` subclass naming every offending key
for the first rule broken: unique keys, every reference known, exactly one initial state (which
opening transitions lead into), no exits from final states, one transition per state and
trigger, every state reachable, every non-final state able to reach a final one.

The rules read transitions through :class:`TransitionShape` (the fields they need), so they sit
below the definition that holds the transitions' guards and effects.

>>> from ruian_governance import Jurisdiction, Label, State, Transition
>>> states = (State(key="open", label=Label(en="open", zh="待办"), initial=True),
...           State(key="done", label=Label(en="done", zh="办结"), final=True))
>>> finish = Transition(trigger="finish", sources=("open",), dest="done",
...                     roles={"grid_worker"}, jurisdiction=Jurisdiction.ANY)
>>> check_structure("tiny", states=states, trigger_keys=["finish"], severity_keys=[],
...                 transitions=[finish], deadline_keys=[], extra_role_keys=[])
'open'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from ruian_governance.errors import (
    AmbiguousTransitionError,
    DuplicateKeyError,
    FinalStateExitError,
    InitialStateError,
    TrapStateError,
    UnknownReferenceError,
    UnreachableStateError,
)
from ruian_governance.models import BUILTIN_ROLES

from .parts import State

__all__ = [
    "TransitionShape",
    "check_structure",
]


class TransitionShape(Protocol):
    """What the structural rules read of a transition."""

    @property
    def trigger(self) -> str:
        """The trigger key."""
        ...

    @property
    def sources(self) -> tuple[str, ...]:
        """The states it fires from (none for an opening transition)."""
        ...

    @property
    def dest(self) -> str | None:
        """Where it leads (``None``: it stays)."""
        ...

    @property
    def roles(self) -> frozenset[str]:
        """The roles that may fire it."""
        ...


def check_structure(  # noqa: PLR0912, PLR0913 - one block per rule; the parts it reads
    key: str,
    *,
    states: Sequence[State],
    trigger_keys: Iterable[str],
    severity_keys: Iterable[str],
    transitions: Sequence[TransitionShape],
    deadline_keys: Iterable[str],
    extra_role_keys: Iterable[str],
) -> str:
    """Check a definition's structure, rule by rule; return the key of its initial state.

    Args:
        key: The definition's key (named in every error).
        states: Its states.
        trigger_keys: The keys of its triggers.
        severity_keys: The keys of its severity tiers.
        transitions: Its transitions, opening ones included.
        deadline_keys: The severity keys its deadline policy names.
        extra_role_keys: Roles it introduces beyond the built-in ones.

    Raises:
        DuplicateKeyError, UnknownReferenceError, InitialStateError, FinalStateExitError,
        AmbiguousTransitionError, UnreachableStateError, TrapStateError: The first rule broken.
    """
    triggers = tuple(trigger_keys)
    severities = tuple(severity_keys)
    # 1. unique keys
    dup = _duplicates(s.key for s in states) | _duplicates(triggers) | _duplicates(severities)
    if dup:
        raise DuplicateKeyError(key, dup)
    state_keys = {s.key for s in states}

    # 2. every reference known
    known_roles = set(BUILTIN_ROLES) | set(extra_role_keys)
    unknown: set[str] = set()
    for t in transitions:
        if t.trigger not in triggers:
            unknown.add(t.trigger)
        unknown |= {s for s in t.sources if s not in state_keys}
        if t.dest is not None and t.dest not in state_keys:
            unknown.add(t.dest)
        unknown |= t.roles - known_roles
        if not t.roles:
            unknown.add(f"{t.trigger}: no roles")
    unknown |= {k for k in deadline_keys if k not in severities}
    if unknown:
        raise UnknownReferenceError(key, unknown)

    # 3. exactly one initial state; openings lead into it
    initials = [s.key for s in states if s.initial]
    if len(initials) != 1:
        raise InitialStateError(key, initials or ["<none>"])
    initial = initials[0]
    for t in transitions:
        if not t.sources and t.dest not in (initial, None):
            raise InitialStateError(
                key, [t.trigger], f"opening transitions must lead to {initial!r}"
            )

    # 4. no exits from final states
    finals = {s.key for s in states if s.final}
    exits = {f"{s}/{t.trigger}" for t in transitions for s in t.sources if s in finals}
    if exits:
        raise FinalStateExitError(key, exits)

    # 5. one transition per state and trigger
    pairs = [f"{s}/{t.trigger}" for t in transitions for s in t.sources]
    ambiguous = _duplicates(pairs) | _duplicates(t.trigger for t in transitions if not t.sources)
    if ambiguous:
        raise AmbiguousTransitionError(key, ambiguous)

    # 6. reachability, 7. every non-final state reaches a final one
    edges: dict[str, set[str]] = {s: set() for s in state_keys}
    for t in transitions:
        for s in t.sources:
            edges[s].add(t.dest or s)
    unreachable = state_keys - _closure({initial}, edges)
    if unreachable:
        raise UnreachableStateError(key, unreachable)
    reverse: dict[str, set[str]] = {s: set() for s in state_keys}
    for source, dests in edges.items():
        for dest in dests:
            reverse[dest].add(source)
    trapped = state_keys - _closure(finals, reverse)
    if trapped:
        raise TrapStateError(key, trapped)
    return initial


def _duplicates(keys: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for key in keys:
        (dup if key in seen else seen).add(key)
    return dup


def _closure(start: set[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen = set(start)
    frontier = list(start)
    while frontier:
        node = frontier.pop()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
