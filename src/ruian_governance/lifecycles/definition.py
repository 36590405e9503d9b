"""Lifecycle definitions as data, validated when they are built.

A :class:`LifecycleDefinition` lists its states, triggers, severities, transitions and deadlines.
Building one checks its structure and raises a
:class:`~ruian_governance.LifecycleDefinitionError` subclass naming the problem: exactly one
initial state, no exits from final states, every state reachable, every non-final state able to
reach a final state, every state, trigger, role and severity known, at most one transition per
state and trigger.

Each definition builds one shared ``transitions`` machine (a ``MarkupMachine``) that is its
reference semantics and the source of its exported structure, and compiles from it the table
the engine runs commands through.  No model stays attached to the shared machine.

>>> from ruian_governance import (Jurisdiction, Label, LifecycleDefinition, State, Transition,
...     Trigger)
>>> from ruian_governance.errors import TrapStateError
>>> def lab(en): return Label(en=en, zh=en)
>>> try:
...     LifecycleDefinition(
...         key="demo", label=lab("demo"),
...         states=(State(key="open", label=lab("open"), initial=True),
...                 State(key="stuck", label=lab("stuck")),
...                 State(key="done", label=lab("done"), final=True)),
...         triggers=(Trigger(key="go", label=lab("go")), Trigger(key="end", label=lab("end"))),
...         transitions=(
...             Transition(trigger="go", sources=("open",), dest="stuck",
...                        roles={"grid_worker"}, jurisdiction=Jurisdiction.ANY),
...             Transition(trigger="end", sources=("open",), dest="done",
...                        roles={"grid_worker"}, jurisdiction=Jurisdiction.ANY)))
... except TrapStateError as error:
...     print(error)
lifecycle 'demo': non-final states that cannot reach a final state: 'stuck'
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from transitions import MachineError
from transitions.extensions.markup import MarkupMachine

from ruian_governance._convert import LabelledEnum
from ruian_governance.errors import (
    AmbiguousTransitionError,
    DuplicateKeyError,
    FinalStateExitError,
    InitialStateError,
    TrapStateError,
    UnknownReferenceError,
    UnreachableStateError,
)
from ruian_governance.labels import Label
from ruian_governance.models import BUILTIN_ROLES, DeadlinePolicy, Level, Role

if TYPE_CHECKING:
    from .engine import Command

__all__ = [
    "Effect",
    "Guard",
    "Jurisdiction",
    "LifecycleDefinition",
    "Severity",
    "State",
    "Transition",
    "Trigger",
    "TriggerKind",
]


class Jurisdiction(enum.Enum):
    """Where an actor's unit must lie, relative to the case, to fire a trigger.

    - ``ANY``: anywhere (the role alone decides).
    - ``LOCATION``: the case's location (事发地) or a unit above it, e.g. the grid worker of the
      case's grid, or the cadre of its village.
    - ``TOWN``: the same town or street as the case's location.
    - ``HOLDER``: the unit holding the case (承办单位): the administrative unit itself, or an
      organisation directly under it (a town's command room and stations, the city's centre
      and departments).
    - ``HOLDER_OR_ABOVE``: the holder as for ``HOLDER``, or a level above it (e.g. the city
      centre acting on a case a town holds).
    - ``ASSIGNED``: one of the units the case was assigned to (交办单位).
    - ``CITY``: a city-level unit or organisation (the centre, a department).

    >>> Jurisdiction.ASSIGNED.label.zh
    '交办单位'
    """

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

    ANY = "any"
    LOCATION = "location"
    TOWN = "town"
    HOLDER = "holder"
    HOLDER_OR_ABOVE = "holder_or_above"
    ASSIGNED = "assigned"
    CITY = "city"

    @property
    def label(self) -> Label:
        """The bilingual label of this jurisdiction rule."""
        return _JURISDICTION_LABELS[self]


_JURISDICTION_LABELS = {
    Jurisdiction.ANY: Label(en="anywhere", zh="不限"),
    Jurisdiction.LOCATION: Label(en="the case's location or above", zh="事发地"),
    Jurisdiction.TOWN: Label(en="the case's town", zh="同一镇街"),
    Jurisdiction.HOLDER: Label(en="the unit holding the case", zh="承办单位"),
    Jurisdiction.HOLDER_OR_ABOVE: Label(en="the holding unit or above", zh="承办单位或上级"),
    Jurisdiction.ASSIGNED: Label(en="a unit assigned the case", zh="交办单位"),
    Jurisdiction.CITY: Label(en="city level", zh="市级"),
}


@attrs.frozen(kw_only=True)
class State:
    """A state of a lifecycle.

    Args:
        key: English key used in code and history records.
        label: Bilingual label.
        initial: The state every case starts in (exactly one per lifecycle).
        final: A state no transition leaves.
        timed: Whether the case's deadline runs in this state (final states never count).
        closing: Reaching this state closes the case (办结 / 销号): the analysis counts a case
            as closed, and on time or late, from the first record that enters a closing
            state.  A state may close a case without being final (an event is closed 办结
            before the grid worker evaluates it).
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    initial: bool = False
    final: bool = False
    timed: bool = True
    closing: bool = False


class TriggerKind(LabelledEnum):
    """What a trigger means to the analysis, whatever its key (design choice).

    The analysis (研判) never knows a built-in trigger by its string: a definition says which
    of its triggers open a case from a report, dispatch it, return it, escalate it, supervise
    it, sanction its holder or evaluate it, and an extension is counted exactly like the
    built-ins.

    - ``REPORT``: opens a case from a report 上报 / 登记 (counted in volumes and hotspots).
    - ``FIND``: opens a case from an inspection or check 发现 (a hazard found, not reported).
    - ``DISPATCH``: hands the case to the units named in its ``units`` data 交办.
    - ``RETURN``: a handling unit sends the case back 退回.
    - ``ESCALATE``: moves the case up a level 上报 / 提级.
    - ``SUPERVISE``: supervision of a late case 督办.
    - ``SANCTION``: a rung of the overdue ladder (挂牌督办, 通报, 约谈, 责任追究), in order.
    - ``EVALUATE``: an evaluation 评价 carrying ``stars`` (1-5).

    >>> TriggerKind.parse("dispatch", "kind").label.zh
    '交办'
    """

    REPORT = "report"
    FIND = "find"
    DISPATCH = "dispatch"
    RETURN = "return"
    ESCALATE = "escalate"
    SUPERVISE = "supervise"
    SANCTION = "sanction"
    EVALUATE = "evaluate"


TriggerKind._labels_ = {
    TriggerKind.REPORT: Label(en="report", zh="上报"),
    TriggerKind.FIND: Label(en="find", zh="发现"),
    TriggerKind.DISPATCH: Label(en="dispatch", zh="交办"),
    TriggerKind.RETURN: Label(en="return", zh="退回"),
    TriggerKind.ESCALATE: Label(en="escalate", zh="提级"),
    TriggerKind.SUPERVISE: Label(en="supervise", zh="督办"),
    TriggerKind.SANCTION: Label(en="sanction", zh="问责阶梯"),
    TriggerKind.EVALUATE: Label(en="evaluate", zh="评价"),
}


def _trigger_kind(value: object) -> TriggerKind | None:
    return None if value is None else TriggerKind.parse(value, "kind")


@attrs.frozen(kw_only=True)
class Trigger:
    """A trigger (command name) of a lifecycle, with its bilingual label.

    ``kind`` says what the trigger means to the analysis (:class:`TriggerKind`), or ``None``
    for triggers the analysis does not count.
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    kind: TriggerKind | None = attrs.field(default=None, converter=_trigger_kind)


@attrs.frozen(kw_only=True)
class Severity:
    """A severity tier of a lifecycle, e.g. ordinary 一般 / larger 较大 / major 重大."""

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label


@attrs.frozen(kw_only=True)
class Guard:
    """A named condition a command must meet, e.g. "1-5 stars" or "within 30 days".

    ``check`` gets the :class:`~ruian_governance.Command` and answers whether it may go ahead;
    it must be a pure function of the command (no clock, no I/O).
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    check: Callable[[Command], bool] = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class Effect:
    """A named change a transition makes to the case besides its state.

    ``apply`` gets the :class:`~ruian_governance.Command` and returns the case fields to change
    (any of ``unit_id``, ``assignees``, ``severity``, ``due_at``, ``parties``).  It must be a
    pure function of the command, so that replaying a history gives the same case.
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    apply: Callable[[Command], Mapping[str, Any]] = attrs.field(eq=False)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _str_frozenset(value: Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


def _guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(value)


def _effects(value: Iterable[Effect]) -> tuple[Effect, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Transition:
    """A transition: who may fire ``trigger`` from ``sources``, what it needs and where it goes.

    Args:
        trigger: The trigger key.
        sources: States it fires from; empty for an opening transition, which creates a case in
            the initial state.
        dest: The state it leads to; ``None`` to stay in the source state (e.g. supervision
            督办, recorded in the history without a change of state).
        roles: Role keys allowed to fire it.
        jurisdiction: Where the actor's unit must lie relative to the case.
        requires: Data keys the command must give (e.g. ``"reason"`` for a rejection).
        accepts: Further data keys the command may give.
        guards: Conditions checked after permissions and data, in order.
        effects: Changes to the case besides its state, applied in order.
    """

    trigger: str = attrs.field(validator=attrs.validators.min_len(1))
    sources: tuple[str, ...] = attrs.field(converter=_str_tuple)
    dest: str | None
    roles: frozenset[str] = attrs.field(converter=_str_frozenset)
    jurisdiction: Jurisdiction
    requires: frozenset[str] = attrs.field(converter=_str_frozenset, factory=frozenset)
    accepts: frozenset[str] = attrs.field(converter=_str_frozenset, factory=frozenset)
    guards: tuple[Guard, ...] = attrs.field(converter=_guards, default=())
    effects: tuple[Effect, ...] = attrs.field(converter=_effects, default=())

    @property
    def opening(self) -> bool:
        """Whether this transition opens a case (it has no source states)."""
        return not self.sources

    def with_roles(self, *roles: str) -> Transition:
        """Return a copy that also lets ``roles`` fire it."""
        return attrs.evolve(self, roles=self.roles | frozenset(roles))


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class _Compiled:
    """What a definition compiles from its shared machine (built once, never changed)."""

    machine: Any
    initial: State
    table: dict[tuple[str, str], tuple[str, Transition]]
    openings: dict[str, Transition]
    states: dict[str, State]
    triggers: dict[str, Trigger]
    severities: dict[str, Severity]
    severity_keys: frozenset[str]
    by_state: dict[str, tuple[tuple[str, Transition], ...]]


class _Probe:
    """A throwaway model attached to the shared machine for one reference check."""

    state: str


@attrs.frozen(kw_only=True)
class LifecycleDefinition:
    """A lifecycle as data: states, triggers, severities, transitions and deadlines.

    Args:
        key: The lifecycle's key, stored on every case (e.g. ``"event"``).
        label: Bilingual label.
        states: Its states; exactly one is initial.
        triggers: Every trigger its transitions use, with labels.
        transitions: Opening transitions (no sources) and the transitions between states.
        severities: The severity tiers a case may have.
        deadlines: Time limits per severity and named limits used by guards.
        holder_level: The administrative level that holds a case when it opens: the location's
            ancestor (or the location itself) at this level.
        roles: Roles the lifecycle introduces beyond
            :data:`~ruian_governance.BUILTIN_ROLES` (a hierarchy must know them too).

    Raises:
        DuplicateKeyError, UnknownReferenceError, InitialStateError, FinalStateExitError,
        AmbiguousTransitionError, UnreachableStateError, TrapStateError: The structure is
            broken; the error names every offending key for the first rule broken.
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    states: tuple[State, ...] = attrs.field(converter=_tuple)
    triggers: tuple[Trigger, ...] = attrs.field(converter=_tuple)
    transitions: tuple[Transition, ...] = attrs.field(converter=_tuple)
    severities: tuple[Severity, ...] = attrs.field(converter=_tuple, default=())
    deadlines: DeadlinePolicy = attrs.field(factory=lambda: DeadlinePolicy(by_severity={}))
    holder_level: Level = Level.TOWN
    roles: tuple[Role, ...] = attrs.field(converter=_tuple, default=())
    _compiled: _Compiled = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _compile(self))

    # ---------------------------------------------------------------- look-ups

    @property
    def initial(self) -> State:
        """The initial state."""
        return self._compiled.initial

    @property
    def final_states(self) -> frozenset[str]:
        """Keys of the final states."""
        return frozenset(s.key for s in self.states if s.final)

    @property
    def severity_keys(self) -> frozenset[str]:
        """Keys of the severity tiers."""
        return self._compiled.severity_keys

    @property
    def role_keys(self) -> frozenset[str]:
        """Every role key some transition of this lifecycle names."""
        return frozenset(role for t in self.transitions for role in t.roles)

    def state(self, key: str) -> State:
        """Return the state with this key.

        Raises:
            KeyError: No state has this key.
        """
        return self._compiled.states[key]

    def trigger(self, key: str) -> Trigger:
        """Return the trigger with this key.

        Raises:
            KeyError: No trigger has this key.
        """
        return self._compiled.triggers[key]

    def severity(self, key: str) -> Severity:
        """Return the severity tier with this key.

        Raises:
            KeyError: No severity has this key.
        """
        return self._compiled.severities[key]

    def opening(self, trigger: str) -> Transition | None:
        """Return the opening transition fired by ``trigger``, or ``None``."""
        return self._compiled.openings.get(trigger)

    def transition(self, state: str, trigger: str) -> Transition | None:
        """Return the transition ``trigger`` fires from ``state``, or ``None``."""
        entry = self._compiled.table.get((state, trigger))
        return None if entry is None else entry[1]

    def next_state(self, state: str, trigger: str) -> str | None:
        """Return where ``trigger`` leads from ``state`` by the compiled table, or ``None``.

        >>> from ruian_governance import EVENT_LIFECYCLE
        >>> EVENT_LIFECYCLE.next_state("reported", "accept")
        'accepted'
        >>> EVENT_LIFECYCLE.next_state("closed", "accept") is None
        True
        """
        entry = self._compiled.table.get((state, trigger))
        return None if entry is None else entry[0]

    def triggers_from(self, state: str) -> tuple[str, ...]:
        """Return the triggers available from ``state``, in definition order."""
        return tuple(trigger for trigger, _ in self._compiled.by_state.get(state, ()))

    def transitions_from(self, state: str) -> tuple[tuple[str, Transition], ...]:
        """Return ``(trigger, transition)`` for every transition from ``state``, in order."""
        return self._compiled.by_state.get(state, ())

    def entry(self, state: str, trigger: str) -> tuple[str, Transition] | None:
        """Return ``(destination, transition)`` for ``trigger`` in ``state``, or ``None``.

        The engine's hot path: one dictionary look-up in the compiled table.
        """
        return self._compiled.table.get((state, trigger))

    # ---------------------------------------------------------------- the shared machine

    @property
    def machine(self) -> Any:
        """The shared ``transitions`` machine of this definition (no model attached).

        It is the reference semantics and the diagram source; the engine does not run commands
        through it.  Attach a model only for a check, and remove it again.
        """
        return self._compiled.machine

    def reference_next(self, state: str, trigger: str) -> str | None:
        """Return where ``trigger`` leads from ``state`` according to the shared machine.

        A throwaway model is attached to the machine for the check and removed afterwards.
        Returns ``None`` where the machine refuses the trigger.

        >>> from ruian_governance import EVENT_LIFECYCLE
        >>> EVENT_LIFECYCLE.reference_next("feedback", "fail_verification")
        'in_progress'
        >>> len(EVENT_LIFECYCLE.machine.models)
        0
        """
        machine = self._compiled.machine
        probe = _Probe()
        machine.add_model(probe, initial=state)
        try:
            probe.trigger(trigger)  # type: ignore[attr-defined]
        except (MachineError, AttributeError):
            return None
        finally:
            machine.remove_model(probe)
        return probe.state

    def to_dict(self) -> dict[str, Any]:
        """Export the structure as plain data (for diagrams, documentation and review).

        Holds labels, the states with their flags, the transitions with roles, jurisdiction,
        required data and guard keys, the deadlines, and ``"machine"``: the shared machine's
        own markup.

        >>> from ruian_governance import EVENT_LIFECYCLE
        >>> data = EVENT_LIFECYCLE.to_dict()
        >>> data["states"][0]
        {'key': 'reported', 'en': 'reported', 'zh': '上报', 'initial': True, 'final': False}
        >>> data["machine"]["initial"]
        'reported'
        """
        markup = self._compiled.machine.markup
        return {
            "key": self.key,
            "en": self.label.en,
            "zh": self.label.zh,
            "states": [
                {
                    "key": s.key,
                    "en": s.label.en,
                    "zh": s.label.zh,
                    "initial": s.initial,
                    "final": s.final,
                }
                for s in self.states
            ],
            "triggers": [{"key": t.key, "en": t.label.en, "zh": t.label.zh} for t in self.triggers],
            "severities": [
                {"key": s.key, "en": s.label.en, "zh": s.label.zh} for s in self.severities
            ],
            "transitions": [
                {
                    "trigger": t.trigger,
                    "sources": list(t.sources),
                    "dest": t.dest,
                    "roles": sorted(t.roles),
                    "jurisdiction": t.jurisdiction.value,
                    "requires": sorted(t.requires),
                    "accepts": sorted(t.accepts),
                    "guards": [g.key for g in t.guards],
                    "effects": [e.key for e in t.effects],
                }
                for t in self.transitions
            ],
            "deadlines": {
                key: {"days": d.days, "count": d.count.value}
                for key, d in self.deadlines.by_severity.items()
            },
            "limits": {
                key: {"days": d.days, "count": d.count.value}
                for key, d in self.deadlines.limits.items()
            },
            "machine": {
                "initial": markup["initial"],
                "states": [dict(s) for s in markup["states"]],
                "transitions": [dict(t) for t in markup["transitions"]],
            },
        }

    # ---------------------------------------------------------------- extension

    def extend(  # noqa: PLR0913 - every part of a definition can be extended
        self,
        *,
        key: str | None = None,
        label: Label | None = None,
        states: Iterable[State] = (),
        triggers: Iterable[Trigger] = (),
        transitions: Iterable[Transition] = (),
        severities: Iterable[Severity] = (),
        roles: Iterable[Role] = (),
        remove_triggers: Iterable[str] = (),
        deadlines: DeadlinePolicy | None = None,
    ) -> LifecycleDefinition:
        """Return a new definition with more states, triggers, transitions, severities or roles.

        The result is validated like any definition.  ``remove_triggers`` drops every
        transition of those triggers first (the triggers themselves stay declared unless no
        transition uses them).

        Raises:
            LifecycleDefinitionError: The extended structure breaks a rule.

        >>> from ruian_governance import (EVENT_LIFECYCLE, Jurisdiction, Label, State,
        ...     Transition, Trigger)
        >>> archived = EVENT_LIFECYCLE.extend(
        ...     key="event_archived",
        ...     states=[State(key="archived", label=Label(en="archived", zh="归档"), final=True)],
        ...     triggers=[Trigger(key="archive", label=Label(en="archive", zh="归档"))],
        ...     transitions=[Transition(trigger="archive", sources=["closed"], dest="archived",
        ...                             roles={"command_room_operator"},
        ...                             jurisdiction=Jurisdiction.HOLDER)])
        >>> archived.next_state("closed", "archive")
        'archived'
        """
        removed = frozenset(remove_triggers)
        kept = tuple(t for t in self.transitions if t.trigger not in removed)
        new_transitions = (*kept, *transitions)
        used = {t.trigger for t in new_transitions}
        new_triggers = tuple(t for t in self.triggers if t.key not in removed or t.key in used)
        return LifecycleDefinition(
            key=self.key if key is None else key,
            label=self.label if label is None else label,
            states=(*self.states, *states),
            triggers=(*new_triggers, *triggers),
            transitions=new_transitions,
            severities=(*self.severities, *severities),
            deadlines=self.deadlines if deadlines is None else deadlines,
            holder_level=self.holder_level,
            roles=(*self.roles, *roles),
        )

    def allow(self, trigger: str, *roles: str) -> LifecycleDefinition:
        """Return a new definition in which ``roles`` may also fire every ``trigger`` transition.

        Raises:
            UnknownReferenceError: No transition uses ``trigger``, or a role is unknown.

        >>> from ruian_governance import EVENT_LIFECYCLE
        >>> sorted(EVENT_LIFECYCLE.allow("verify", "village_cadre")
        ...        .transition("feedback", "verify").roles)
        ['grid_leader', 'grid_worker', 'micro_grid_worker', 'village_cadre']
        """
        if not any(t.trigger == trigger for t in self.transitions):
            raise UnknownReferenceError(self.key, [trigger], "no transition uses this trigger")
        return attrs.evolve(
            self,
            transitions=tuple(
                t.with_roles(*roles) if t.trigger == trigger else t for t in self.transitions
            ),
        )


# --------------------------------------------------------------------------- validation


def _duplicates(keys: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for key in keys:
        (dup if key in seen else seen).add(key)
    return dup


def _compile(d: LifecycleDefinition) -> _Compiled:  # noqa: PLR0912, PLR0915 - one block per rule, in order
    """Validate ``d``'s structure, build its shared machine and compile the command table."""
    intern = sys.intern
    # 1. unique keys
    dup = (
        _duplicates(s.key for s in d.states)
        | _duplicates(t.key for t in d.triggers)
        | _duplicates(s.key for s in d.severities)
    )
    if dup:
        raise DuplicateKeyError(d.key, dup)
    states = {s.key: s for s in d.states}
    triggers = {t.key: t for t in d.triggers}
    severities = {s.key: s for s in d.severities}

    # 2. every reference known
    known_roles = set(BUILTIN_ROLES) | {r.key for r in d.roles}
    unknown: set[str] = set()
    for t in d.transitions:
        if t.trigger not in triggers:
            unknown.add(t.trigger)
        unknown |= {s for s in t.sources if s not in states}
        if t.dest is not None and t.dest not in states:
            unknown.add(t.dest)
        unknown |= t.roles - known_roles
        if not t.roles:
            unknown.add(f"{t.trigger}: no roles")
    unknown |= {k for k in d.deadlines.by_severity if k not in severities}
    if unknown:
        raise UnknownReferenceError(d.key, unknown)

    # 3. exactly one initial state; openings lead into it
    initials = [s.key for s in d.states if s.initial]
    if len(initials) != 1:
        raise InitialStateError(d.key, initials or ["<none>"])
    initial = initials[0]
    openings: dict[str, Transition] = {}
    for t in d.transitions:
        if t.opening:
            if t.dest not in (initial, None):
                raise InitialStateError(
                    d.key, [t.trigger], f"opening transitions must lead to {initial!r}"
                )
            openings[t.trigger] = t

    # 4. no exits from final states
    finals = {s.key for s in d.states if s.final}
    exits = {f"{s}/{t.trigger}" for t in d.transitions for s in t.sources if s in finals}
    if exits:
        raise FinalStateExitError(d.key, exits)

    # 5. one transition per state and trigger
    pairs = [f"{s}/{t.trigger}" for t in d.transitions for s in t.sources]
    ambiguous = _duplicates(pairs) | (_duplicates(t.trigger for t in d.transitions if t.opening))
    if ambiguous:
        raise AmbiguousTransitionError(d.key, ambiguous)

    # 6. reachability, 7. every non-final state reaches a final one
    edges: dict[str, set[str]] = {s: set() for s in states}
    for t in d.transitions:
        for s in t.sources:
            edges[s].add(t.dest or s)
    reached = _closure({initial}, edges)
    unreachable = set(states) - reached
    if unreachable:
        raise UnreachableStateError(d.key, unreachable)
    reverse: dict[str, set[str]] = {s: set() for s in states}
    for source, dests in edges.items():
        for dest in dests:
            reverse[dest].add(source)
    can_finish = _closure(finals, reverse)
    trapped = set(states) - can_finish
    if trapped:
        raise TrapStateError(d.key, trapped)

    # the shared machine: one per definition, never one per case
    machine = MarkupMachine(
        model=None,
        states=[intern(s.key) for s in d.states],
        initial=initial,
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest or "="}
            for t in d.transitions
            if not t.opening
        ],
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )
    by_transition = {(s, t.trigger): t for t in d.transitions for s in t.sources}
    table: dict[tuple[str, str], tuple[str, Transition]] = {}
    for trigger_key, event in machine.events.items():
        for source, compiled in event.transitions.items():
            (first,) = compiled  # one transition per state and trigger, checked above
            key = (intern(source), intern(trigger_key))
            table[key] = (intern(str(first.dest)), by_transition[(source, trigger_key)])
    by_state: dict[str, list[tuple[str, Transition]]] = {s: [] for s in states}
    for t in d.transitions:
        for s in t.sources:
            by_state[s].append((t.trigger, t))
    return _Compiled(
        machine=machine,
        initial=states[initial],
        table=table,
        openings=openings,
        states=states,
        triggers=triggers,
        severities=severities,
        severity_keys=frozenset(severities),
        by_state={s: tuple(v) for s, v in by_state.items()},
    )


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
