"""The walk's context: the engine, who may act, what it answered (private to ``testing``).

A :class:`Context` holds what a walk of the engine needs besides the case (the engine, the
actors who may be drawn, data values, delays) and keeps, per case, what the engine answered:
the commands its permission checks let through (:meth:`Context.allowed`), the outcome of each
command tried on a case (:meth:`Context.trial`) and whether a case replays to itself
(:meth:`Context.replays_to_itself`).  The state machines' runs, and Hypothesis' shrinking of
them, replay the same prefixes of commands again and again; a context shared by the runs of a
machine class answers them from what it kept.  :mod:`ruian_governance.testing._walk` draws the
commands.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

import attrs
from hypothesis import strategies as st

from ruian_governance.errors import (
    ArgumentError,
    CalendarCoverageError,
    GuardFailedError,
    TransitionError,
)
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case, DataValue, Hierarchy

from ._args import need_type
from ._values import DELAYS, DataValues, ValueMakers, known_values

__all__ = ["Context", "Outcome", "make_context", "posts_as_actors"]


def posts_as_actors(hierarchy: Hierarchy) -> tuple[Actor, ...]:
    """Every post of ``hierarchy`` as an actor: the people who may be drawn to act."""
    return tuple(
        Actor(person_id=person.id, role=post.role, unit_id=post.unit_id)
        for person in hierarchy.people
        for post in person.posts
    )


_ALLOWED_KEPT = 4096
"""How many permission answers a walk context keeps (then it starts afresh)."""

_CASE_KEY = tuple(
    f.name for f in attrs.fields(Case) if f.init and f.name not in {"history", "version"}
)
"""The fields of a case its permissions are kept by."""

_TRIALS_KEPT = 50_000
"""How many command outcomes a walk context keeps (then it starts afresh)."""

_OBJECTS_KEPT = 4096
"""How many case objects a walk context remembers the key of (then it starts afresh)."""

Outcome = Case | bool
"""What a command tried on a case gave: the new case, or ``True`` (a guard refused it) or
``False`` (another check refused it, or a deadline fell past the calendar's years)."""


@attrs.frozen
class Context:
    """What a walk needs besides the case: the engine, who may act, data values, delays."""

    engine: Engine
    pool: tuple[Actor, ...]
    values: ValueMakers
    delays: st.SearchStrategy[timedelta]
    by_role: Mapping[str, tuple[Actor, ...]]
    _allowed: dict[tuple[object, ...], list[tuple[str, Actor]]] = attrs.field(
        factory=dict, eq=False, repr=False
    )
    _keys: dict[object, int] = attrs.field(factory=dict, eq=False, repr=False)
    _trials: dict[tuple[object, ...], Outcome] = attrs.field(factory=dict, eq=False, repr=False)
    _replayed: set[int] = attrs.field(factory=set, eq=False, repr=False)
    _objects: dict[int, tuple[Case, int]] = attrs.field(factory=dict, eq=False, repr=False)
    _numbers: Iterator[int] = attrs.field(factory=itertools.count, eq=False, repr=False)

    def key_of(self, case: Case) -> int | None:
        """A small key for ``case`` as it stands, its history included, for :meth:`trial`.

        ``None`` for a case with a field of an unhashable value (its trials are not kept).
        Equal cases have the same key; the key of a case object asked again is found at once.
        A key is never given to another case, not even after the kept ones were let go, so
        that what is kept by keys elsewhere (a machine class's rates) stays true.
        """
        seen = self._objects.get(id(case))
        if seen is not None and seen[0] is case:
            return seen[1]
        whole = (tuple(getattr(case, name) for name in _CASE_KEY), case.history)
        try:
            found = self._keys.get(whole)
            if found is None:
                if len(self._keys) > _TRIALS_KEPT:
                    self._keys.clear()
                    self._trials.clear()
                    self._replayed.clear()
                    self._objects.clear()
                found = self._keys[whole] = next(self._numbers)  # never one used before
        except TypeError:
            return None
        if len(self._objects) > _OBJECTS_KEPT:
            self._objects.clear()
        self._objects[id(case)] = (case, found)  # the case kept alive: its id stays its own
        return found

    def replays_to_itself(self, case: Case) -> bool:
        """Whether replaying ``case``'s history through the engine gives ``case`` back.

        Kept by the case's key (:meth:`key_of`): a replay is a function of the history, and
        a case of the same key is equal, history included.
        """
        key = self.key_of(case)
        if key is not None and key in self._replayed:
            return True
        same = self.engine.replay(case.history) == case
        if same and key is not None:
            self._replayed.add(key)
        return same

    def trial(  # noqa: PLR0913 - the case, its key and one command
        self,
        case: Case,
        key: int | None,
        trigger: str,
        *,
        actor: Actor,
        at: datetime,
        data: Mapping[str, DataValue],
    ) -> Outcome:
        """Fire a command on ``case`` through the engine: the new case, or why it was refused.

        ``True``: a guard refused it; ``False``: another check did (or a deadline it sets fell
        past the calendar's years).  Kept by the case's key (:meth:`key_of`) and the command,
        as a run and its shrinking try the same commands on equal cases many times (the
        engine's answer is a function of the case, its history included, and the command).
        """
        memo: tuple[object, ...] | None = None
        if key is not None:
            memo = (key, trigger, actor, at, tuple(sorted(data.items())))
            try:
                found = self._trials.get(memo)
            except TypeError:  # a data value of an unhashable type: not kept
                memo, found = None, None
            if found is not None:
                return found
        outcome: Outcome
        try:
            outcome = self.engine.apply(case, trigger, actor=actor, at=at, **data)
        except GuardFailedError:
            outcome = True
        except (TransitionError, CalendarCoverageError):
            outcome = False
        if memo is not None:
            self._trials[memo] = outcome
        return outcome

    def allowed(self, case: Case) -> list[tuple[str, Actor]]:
        """Every (trigger, actor) pair the engine would let through its permission checks.

        Kept per case as it stands (every field but its history and version: all that a
        permission check may read), as the machines' runs and their shrinking meet the same
        cases often.
        """
        key = tuple(getattr(case, name) for name in _CASE_KEY)
        try:
            found = self._allowed.get(key)
        except TypeError:  # a field of an unhashable value: not kept
            return self._permitted(case)
        if found is None:
            if len(self._allowed) > _ALLOWED_KEPT:
                self._allowed.clear()
            found = self._allowed[key] = self._permitted(case)
        return list(found)

    def _permitted(self, case: Case) -> list[tuple[str, Actor]]:
        engine = self.engine
        pairs: list[tuple[str, Actor]] = []
        for trigger, transition in engine.lifecycle(case.lifecycle).transitions_from(case.state):
            rule = transition.jurisdiction
            for role in sorted(transition.roles):
                pairs.extend(
                    (trigger, actor)
                    for actor in self.by_role.get(role, ())
                    if engine.in_jurisdiction(rule, case, actor)
                )
        return pairs


def make_context(
    engine: Engine,
    actors: Iterable[Actor] | None,
    values: DataValues | None,
    delays: st.SearchStrategy[timedelta] | None,
) -> Context:
    """Check the walk's arguments at once and index the actors who hold their posts by role."""
    need_type("engine", engine, Engine)
    pool = posts_as_actors(engine.hierarchy) if actors is None else tuple(actors)
    if not pool:
        raise ArgumentError(argument="actors", value=pool, reason="at least one actor")
    for actor in pool:
        need_type("each actor", actor, Actor)
    if delays is not None:
        need_type("delays", delays, st.SearchStrategy)
    posts = {(a.person_id, a.role, a.unit_id) for a in posts_as_actors(engine.hierarchy)}
    by_role: dict[str, list[Actor]] = {}
    for actor in pool:
        if (actor.person_id, actor.role, actor.unit_id) in posts:
            by_role.setdefault(actor.role, []).append(actor)
    return Context(
        engine=engine,
        pool=pool,
        values=known_values(values),
        delays=st.sampled_from(DELAYS) if delays is None else delays,
        by_role={role: tuple(found) for role, found in by_role.items()},
    )
