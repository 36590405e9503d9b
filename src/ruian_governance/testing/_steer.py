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
towards deep states pass by) are drawn twice as often as others, escalations four times, and
goals deep in the lifecycle more often than shallow ones (a
case escalated to the top escalates no more, so escalation from a deep state needs a case
that kept its levels for it; divers never escalate but for a goal, and a case held at the top
of the hierarchy draws no escalation goal).

A guarded goal trigger that the state before the goal's offers too (an extension answered
while paused, an assisting unit's feedback once the lead signed) is *prepared for*: while the
trigger would be refused there (asked of ``accepts``, with no draw), the diver fires the
triggers that stay in that state first (a request for an extension, an assisting unit's
signature...), for at most :data:`GOAL_TRIES` commands, and moves on once it would be
accepted, so that what its guard needs is carried into the goal's state.  Supervision 督办 is
not prepared for: its guard asks for an overdue case, which the walk meets by trying it again
when the case falls due.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeAlias

from hypothesis import strategies as st

from ruian_governance.lifecycles import LifecycleDefinition, TriggerKind
from ruian_governance.models import Case, Hierarchy

__all__ = ["GOAL_TRIES", "Edge", "Geometry", "Steering", "geometries"]

Edge: TypeAlias = tuple[str, str | None, str]
"""A transition as a run notes it: ``(lifecycle, source state, trigger)``; the source is
``None`` for an opening transition."""

GOAL_TRIES = 5

_POOLS_KEPT = 4096
"""How many goal strategies a :class:`Geometry` keeps (then it starts afresh)."""
"""How many commands a diving case spends in its goal's state before giving the goal up."""

Tiers: TypeAlias = tuple[frozenset[str], ...]

GoalStrategy: TypeAlias = st.SearchStrategy[tuple[str, str]]

Accepts: TypeAlias = Callable[[Case, str], bool]
"""Whether the engine would accept ``trigger`` on ``case`` now (asked with no draw)."""

Enablers: TypeAlias = Callable[[Case, str, frozenset[str]], frozenset[str]]
"""Those of some triggers after which the engine would accept ``trigger`` on ``case``."""


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


def _ahead(
    definition: LifecycleDefinition, state: str, depth: Mapping[str, int] | None = None
) -> set[str]:
    """The states reachable from ``state`` (itself included).

    With ``depth``, by deeper states only (a way back to a shallower state does not count).
    """
    seen = {state}
    frontier = [state]
    while frontier:
        following: list[str] = []
        for source in frontier:
            for trigger in definition.triggers_from(source):
                dest = definition.next_state(source, trigger)
                if depth is not None and dest is not None and depth[dest] <= depth[source]:
                    continue
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
        start = definition.initial.key
        self.depth: dict[str, int] = {k: self.distance[k].get(start, 0) for k in keys}
        """How many state changes each state is from the initial one (0 if it cannot be)."""
        self.forward: dict[str, frozenset[str]] = {
            k: frozenset(_ahead(definition, k, self.depth)) for k in keys
        }
        """The states each state reaches by ways that only go deeper (what a dive ranks its
        ways by: a way back, as a failed spot check's to ``accepted``, adds nothing)."""
        finals = definition.final_states
        open_ahead = [k for k in keys if k in self.ahead[start] and k not in finals]
        deepest_first = sorted(open_ahead, key=lambda k: -self.depth[k])  # stable
        self.dives: tuple[str, ...] = tuple(
            k for k in deepest_first for _ in range(1 + self.depth[k])
        )
        """The states a new case may be dived to, each once per state change it is deep plus
        one (a deep state is drawn more often: a walk seldom gets there), deepest first (so
        that shrinking, which lowers the drawn position, dives deeper and drops the commands a
        walk needed), the initial state last."""
        escalations = frozenset(
            t.trigger
            for t in definition.transitions
            if definition.trigger(t.trigger).kind is TriggerKind.ESCALATE
        )
        self.pairs: dict[tuple[str, bool], tuple[tuple[Edge, tuple[str, str]], ...]] = {
            (k, top): tuple(
                ((definition.key, source, t.trigger), (source, t.trigger))
                for t in definition.transitions
                if not (top and t.trigger in escalations)
                for source in t.sources
                if source in self.ahead[k]
            )
            for k in keys
            for top in (False, True)
        }
        """Per state, and whether the case is held at the top of the hierarchy, the
        transitions it can still reach (escalations left out at the top), in definition
        order, each as the run notes it and as a ``(source, trigger)`` pair: what
        :meth:`Steering.untaken` filters by the run's history."""
        self.goal_pools: dict[tuple[str, tuple[tuple[str, str], ...]], GoalStrategy] = {}
        """The goal strategy for a case in a state with some transitions untaken, built once
        (the runs of a machine class, and their shrinking, meet the same ones often)."""


def geometries(definitions: Mapping[str, LifecycleDefinition]) -> dict[str, Geometry]:
    """The :class:`Geometry` of each definition, by key."""
    return {key: Geometry(definition) for key, definition in definitions.items()}


class Steering:
    """Where one run of a machine has been, and which triggers each case should try next.

    Args:
        definitions: The lifecycle definitions the run drives, by key.
        geometry: Their :class:`Geometry` (see :func:`geometries`), shared by the runs.
        hierarchy: The hierarchy the cases are held in (so that a case held at its top is
            given no escalation goal); ``None``: no such check.
    """

    def __init__(
        self,
        definitions: Mapping[str, LifecycleDefinition],
        geometry: Mapping[str, Geometry],
        hierarchy: Hierarchy | None = None,
    ) -> None:
        self.definitions = definitions
        self.geometry = geometry
        self.hierarchy = hierarchy
        self.reached: set[Edge] = set()
        self._goals: dict[str, tuple[tuple[str, str], int]] = {}
        self._prepared: dict[str, int] = {}
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
        gave up (nor escalations, for a case held at the top of the hierarchy).
        """
        reached = self.reached
        given_up = self._given_up.get(case.id, ())
        return [
            pair for edge, pair in self._pairs(case) if edge not in reached and pair not in given_up
        ]

    def can_take(self, case: Case) -> bool:
        """Whether :meth:`untaken` has any transition for ``case`` (quicker than asking it)."""
        reached = self.reached
        given_up = self._given_up.get(case.id, ())
        return any(edge not in reached and pair not in given_up for edge, pair in self._pairs(case))

    def _pairs(self, case: Case) -> tuple[tuple[Edge, tuple[str, str]], ...]:
        h = self.hierarchy
        top = h is not None and h.parent(case.unit_id) is None
        return self.geometry[case.lifecycle].pairs[case.state, top]

    def tiers(
        self,
        data: st.DataObject,
        case: Case,
        accepts: Accepts | None = None,
        enablers: Enablers | None = None,
    ) -> Tiers:
        """The triggers to try first on ``case``, tier by tier (see the module's description).

        ``accepts`` says whether a trigger would be accepted now, ``enablers`` which triggers
        would let it be (for the preparing of guarded goals; ``None``: no preparing).
        """
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
            goal, tries = self._new_goal(data, definition, self.geometry[key], state, untaken), 0
            self._prepared[case.id] = 0
        self._goals[case.id] = (goal, tries)
        target, trigger = goal
        explorer = case.id == self._explorer
        if target == state:
            staying = frozenset(t for t in triggers if definition.next_state(state, t) == state)
            if explorer:
                return (fresh | {trigger}, staying)
            useful: frozenset[str] = frozenset()
            if accepts is not None and enablers is not None and not accepts(case, trigger):
                useful = enablers(case, trigger, staying - {trigger})
            return (frozenset((trigger,)), useful, fresh & staying, staying, fresh)
        distance = self.geometry[key].distance[target]
        here = distance.get(state, 0)
        toward = frozenset(
            t for t in triggers if distance.get(definition.next_state(state, t) or "") == here - 1
        )
        if explorer:
            return (fresh, toward)
        keep = frozenset(t for t in fresh if definition.trigger(t).kind is not TriggerKind.ESCALATE)
        if accepts is not None and self._prepare(case, trigger, accepts):
            staying = frozenset(
                t for t in triggers if t != trigger and definition.next_state(state, t) == state
            )
            useful = enablers(case, trigger, staying) if enablers is not None else frozenset()
            return (useful, staying, toward, keep) if useful else (staying, toward, keep)
        return (toward, keep)

    def hurrying(self, case: Case) -> bool:
        """Whether ``case`` is on its way to its goal's state (its next step comes soon).

        A diver on its way walks without long delays, so that it does not fall due before it
        enters a state that a late case may not enter (a pause needs a case within its
        deadline); in the goal's state, and for the explorer, delays are as drawn.
        """
        goal = self._goals.get(case.id)
        return goal is not None and case.id != self._explorer and goal[0][0] != case.state

    def _prepare(self, case: Case, trigger: str, accepts: Accepts) -> bool:
        """Whether ``case`` should prepare here for its goal's ``trigger`` (see the module)."""
        definition = self.definitions[case.lifecycle]
        here = definition.transition(case.state, trigger)
        if here is None or not here.guards:
            return False
        if definition.trigger(trigger).kind is TriggerKind.SUPERVISE:
            return False
        spent = self._prepared.get(case.id, 0)
        if spent >= GOAL_TRIES or accepts(case, trigger):
            return False
        self._prepared[case.id] = spent + 1
        return True

    @staticmethod
    def _new_goal(
        data: st.DataObject,
        definition: LifecycleDefinition,
        geometry: Geometry,
        state: str,
        untaken: list[tuple[str, str]],
    ) -> tuple[str, str]:
        """Draw a goal among ``untaken`` for a case in ``state``, weighted (see the module).

        Aside twice as likely, escalations four times; and a goal ``d`` state changes deep
        ``1 + d`` times as likely (a deep goal needs a long walk that few cases of a run
        finish), a goal from ``state`` itself ``10 + d`` times (it is taken at once).
        """
        pools = geometry.goal_pools
        asked = (state, tuple(untaken))
        goals = pools.get(asked)
        if goals is None:
            ends = definition.final_states
            pool: list[tuple[str, str]] = []
            for goal in untaken:
                source, trigger = goal
                weight = 1
                if definition.next_state(source, trigger) in {source, *ends}:
                    weight = 4 if definition.trigger(trigger).kind is TriggerKind.ESCALATE else 2
                near = 10 if source == state else 1
                pool.extend([goal] * (weight * (near + geometry.depth[source])))
            if len(pools) > _POOLS_KEPT:
                pools.clear()
            goals = pools[asked] = st.sampled_from(tuple(pool))
        drawn: tuple[str, str] = data.draw(goals, label="goal")
        return drawn
