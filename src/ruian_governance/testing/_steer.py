"""Steering a state machine's run towards the transitions it has not taken (private to ``testing``).

A :class:`Steering` notes every transition a run takes and, for each command, says which
triggers the walk (:func:`ruian_governance.testing._walk.legal_step`) should try first, in
tiers.  Only the run's own history is used (never other runs'), so a run stays a function of
its draws and Hypothesis can replay and shrink it.

The first case of a run *explores*: the triggers of its state not yet taken in the run come
first.  The others *dive*: each pursues a goal, a transition not yet taken that it can still
reach, drawn (a ``goal`` draw in Hypothesis' report) when it has none, when its goal was taken,
or when it can no longer be reached.  A diver takes the triggers that lead one step nearer to
its goal's state, there the goal's trigger (while a guard refuses it, the triggers that stay in
the state, which may change what the guard sees; after :data:`GOAL_TRIES` commands in that
state it gives the goal up).  Goals that stay in their state or end the case (which walks
towards deep states pass by) are drawn twice as often as others, escalations four times (a
case escalated to the top escalates no more, so escalation from a deep state needs a case
that kept its levels for it; divers never escalate but for a goal).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TypeAlias

from hypothesis import strategies as st

from ruian_governance.lifecycles import LifecycleDefinition, TriggerKind
from ruian_governance.models import Case

__all__ = ["GOAL_TRIES", "Edge", "Geometry", "Steering", "geometries"]

Edge: TypeAlias = tuple[str, str | None, str]
"""A transition as a run notes it: ``(lifecycle, source state, trigger)``; the source is
``None`` for an opening transition."""

GOAL_TRIES = 5
"""How many commands a diving case spends in its goal's state before giving the goal up."""

Tiers: TypeAlias = tuple[frozenset[str], ...]


def _distances(definition: LifecycleDefinition, target: str) -> dict[str, int]:
    """How many state changes each state is from ``target`` (absent: it cannot reach it)."""
    before: dict[str, list[str]] = {}
    for (source, _), (dest, _) in definition.table.items():
        if dest != source:
            before.setdefault(dest, []).append(source)
    distance = {target: 0}
    frontier = [target]
    while frontier:
        following: list[str] = []
        for state in frontier:
            for source in before.get(state, ()):
                if source not in distance:
                    distance[source] = distance[state] + 1
                    following.append(source)
        frontier = following
    return distance


def _ahead(definition: LifecycleDefinition, state: str) -> set[str]:
    """The states reachable from ``state`` (itself included)."""
    seen = {state}
    frontier = [state]
    while frontier:
        following: list[str] = []
        for source in frontier:
            for trigger in definition.triggers_from(source):
                dest = definition.next_state(source, trigger)
                if dest is not None and dest not in seen:
                    seen.add(dest)
                    following.append(dest)
        frontier = following
    return seen


class Geometry:
    """The state graph of one lifecycle, computed once: what each state reaches, how far.

    Args:
        definition: The lifecycle definition.
    """

    def __init__(self, definition: LifecycleDefinition) -> None:
        keys = [s.key for s in definition.states]
        self.ahead: dict[str, frozenset[str]] = {k: frozenset(_ahead(definition, k)) for k in keys}
        self.distance: dict[str, dict[str, int]] = {k: _distances(definition, k) for k in keys}


def geometries(definitions: Mapping[str, LifecycleDefinition]) -> dict[str, Geometry]:
    """The :class:`Geometry` of each definition, by key."""
    return {key: Geometry(definition) for key, definition in definitions.items()}


class Steering:
    """Where one run of a machine has been, and which triggers each case should try next.

    Args:
        definitions: The lifecycle definitions the run drives, by key.
        geometry: Their :class:`Geometry` (see :func:`geometries`), shared by the runs.
    """

    def __init__(
        self, definitions: Mapping[str, LifecycleDefinition], geometry: Mapping[str, Geometry]
    ) -> None:
        self.definitions = definitions
        self.geometry = geometry
        self.reached: set[Edge] = set()
        self._goals: dict[str, tuple[tuple[str, str], int]] = {}
        self._given_up: dict[str, set[tuple[str, str]]] = {}
        self._explorer: str | None = None

    def opened(self, case: Case) -> None:
        """Note a newly opened case (the first one of the run explores)."""
        if self._explorer is None:
            self._explorer = case.id
        self.reached.add((case.lifecycle, None, case.history[0].trigger))

    def taken(self, case: Case, trigger: str) -> None:
        """Note that ``trigger`` was fired on ``case`` (before the command) in this run."""
        self.reached.add((case.lifecycle, case.state, trigger))

    def fresh_openings(self) -> dict[str, frozenset[str]]:
        """The opening triggers not yet fired in this run, by lifecycle key."""
        return {
            key: frozenset(
                t.trigger
                for t in definition.transitions
                if t.opening and (key, None, t.trigger) not in self.reached
            )
            for key, definition in self.definitions.items()
        }

    def untaken(self, case: Case) -> list[tuple[str, str]]:
        """The transitions not yet taken in this run that ``case`` can still reach, in order.

        As ``(source state, trigger)`` pairs, in definition order, without the goals the case
        gave up.
        """
        key, reached = case.lifecycle, self.reached
        definition = self.definitions[key]
        ahead = self.geometry[key].ahead[case.state]
        given_up = self._given_up.get(case.id, set())
        return [
            (source, t.trigger)
            for t in definition.transitions
            for source in t.sources
            if source in ahead
            and (key, source, t.trigger) not in reached
            and (source, t.trigger) not in given_up
        ]

    def tiers(self, data: st.DataObject, case: Case) -> Tiers:
        """The triggers to try first on ``case``, tier by tier (see the module's description)."""
        key, state = case.lifecycle, case.state
        definition = self.definitions[key]
        triggers = definition.triggers_from(state)
        fresh = frozenset(t for t in triggers if (key, state, t) not in self.reached)
        untaken = self.untaken(case)
        goal, tries = self._goals.get(case.id, (None, 0))
        if goal in untaken and goal[0] == state:
            tries += 1
            if tries > GOAL_TRIES:
                self._given_up.setdefault(case.id, set()).add(goal)
                untaken.remove(goal)
        if goal is None or goal not in untaken:
            if not untaken:
                return (fresh,) if fresh else ()
            goal, tries = self._new_goal(data, definition, untaken), 0
        self._goals[case.id] = (goal, tries)
        target, trigger = goal
        explorer = case.id == self._explorer
        if target == state:
            staying = frozenset(t for t in triggers if definition.next_state(state, t) == state)
            if explorer:
                return (fresh | {trigger}, staying)
            return (frozenset((trigger,)), fresh & staying, staying, fresh)
        distance = self.geometry[key].distance[target]
        here = distance.get(state, 0)
        toward = frozenset(
            t for t in triggers if distance.get(definition.next_state(state, t) or "") == here - 1
        )
        if explorer:
            return (fresh, toward)
        keep = frozenset(t for t in fresh if definition.trigger(t).kind is not TriggerKind.ESCALATE)
        return (toward, keep)

    @staticmethod
    def _new_goal(
        data: st.DataObject, definition: LifecycleDefinition, untaken: list[tuple[str, str]]
    ) -> tuple[str, str]:
        """Draw a goal among ``untaken``: aside twice as likely, escalations four times."""
        ends = definition.final_states
        aside = [(s, t) for s, t in untaken if definition.next_state(s, t) in {s, *ends}]
        scarce = [g for g in aside if definition.trigger(g[1]).kind is TriggerKind.ESCALATE]
        goal: tuple[str, str] = data.draw(
            _goals((*untaken, *aside, *scarce, *scarce)), label="goal"
        )
        return goal


@lru_cache(maxsize=1024)
def _goals(pool: tuple[tuple[str, str], ...]) -> st.SearchStrategy[tuple[str, str]]:
    """One of ``pool``, by a strategy built once per pool (runs meet the same pools often)."""
    return st.sampled_from(pool)
