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

import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs
from transitions import MachineError
from transitions.extensions.markup import MarkupMachine

from ruian_governance._convert import (
    id_frozenset,
    id_tuple,
    identifier,
    identifiers,
    instance_of,
    mapping_of,
    optional_identifier,
    tuple_of,
)
from ruian_governance.errors import ArgumentError, UnknownIdError, UnknownReferenceError
from ruian_governance.labels import Label
from ruian_governance.models import (
    Actor,
    Case,
    DataValue,
    DeadlinePolicy,
    Hierarchy,
    Level,
    Role,
)

from .parts import (
    DEFAULT_DATA_SPEC,
    DataSpec,
    Jurisdiction,
    Severity,
    State,
    Trigger,
    _holder_level,
    _jurisdiction,
)
from .rules import check_structure

__all__ = [
    "CommandContext",
    "Effect",
    "Guard",
    "LifecycleDefinition",
    "Transition",
]


@attrs.frozen(kw_only=True)
class CommandContext:
    """What a guard or an effect receives: the case, and the command asked of it.

    Built by the engine once a command has passed every check up to its guards; guards and
    effects read it and must not depend on anything else (no clock, no I/O), so that
    replaying a history gives the same case.

    Args:
        case: The case before the command.  For an opening command, the case as it opens,
            before its deadline is set (the deadline needs a time the checks have accepted).
        trigger: The trigger fired.
        actor: Who fires it.
        at: When.
        data: The command's data (for an opening command, the data besides the case's facts).
        hierarchy: The hierarchy the engine checks against.
        lifecycle: The case's lifecycle definition (its deadlines and limits).
    """

    case: Case
    trigger: str
    actor: Actor
    at: datetime
    data: Mapping[str, DataValue]
    hierarchy: Hierarchy
    lifecycle: LifecycleDefinition


@attrs.frozen(kw_only=True)
class Guard:
    """A named condition a command must meet, e.g. "1-5 stars" or "within 30 days".

    ``check`` gets the :class:`CommandContext` and answers whether the command may go ahead;
    the engine calls it once per command, and it must be a pure function of the context.
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    check: Callable[[CommandContext], bool] = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class Effect:
    """A named change a transition makes to the case besides its state.

    ``apply`` gets the :class:`CommandContext` and returns the case fields to change (any of
    ``unit_id``, ``assignees``, ``severity``, ``due_at``, ``parties``).  It must be a pure
    function of the context, so that replaying a history gives the same case.
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    apply: Callable[[CommandContext], Mapping[str, Any]] = attrs.field(eq=False)


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

    trigger: str = attrs.field(validator=identifier)
    sources: tuple[str, ...] = attrs.field(converter=id_tuple, validator=identifiers)
    dest: str | None = attrs.field(validator=optional_identifier)
    roles: frozenset[str] = attrs.field(converter=id_frozenset, validator=identifiers)
    jurisdiction: Jurisdiction = attrs.field(converter=_jurisdiction)
    requires: frozenset[str] = attrs.field(
        converter=id_frozenset, validator=identifiers, factory=frozenset
    )
    accepts: frozenset[str] = attrs.field(
        converter=id_frozenset, validator=identifiers, factory=frozenset
    )
    guards: tuple[Guard, ...] = attrs.field(converter=tuple_of, default=())
    effects: tuple[Effect, ...] = attrs.field(converter=tuple_of, default=())

    @property
    def opening(self) -> bool:
        """Whether this transition opens a case (it has no source states)."""
        return not self.sources

    def with_roles(self, *roles: str) -> Transition:
        """Return a copy that also lets ``roles`` fire it."""
        return attrs.evolve(self, roles=self.roles | frozenset(roles))


@attrs.frozen(kw_only=True)
class _Compiled:
    """What a definition compiles from its shared machine (built once, never changed)."""

    machine: Any
    initial: State
    table: dict[tuple[str, str], tuple[str, Transition]]
    view: Mapping[tuple[str, str], tuple[str, Transition]]
    openings: dict[str, Transition]
    states: dict[str, State]
    triggers: dict[str, Trigger]
    severities: dict[str, Severity]
    severity_keys: frozenset[str]
    by_state: dict[str, tuple[tuple[str, Transition], ...]]


class _Probe:
    """A throwaway model attached to the shared machine for one reference check."""

    state: str


def _data_specs(_self: object, attribute: attrs.Attribute[Any], value: Mapping[Any, Any]) -> None:
    for key, spec in value.items():
        if not isinstance(key, str) or not isinstance(spec, DataSpec):
            raise ArgumentError(attribute.name, {key: spec}, "data keys mapped to DataSpec values")


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
        data_specs: The type of each data key its commands take (text of a bounded length,
            an integer in a range, a flag, unit ids); a key not listed is text of at most
            2,000 characters (:data:`~ruian_governance.lifecycles.parts.DEFAULT_DATA_SPEC`).

    Raises:
        ArgumentError: ``data_specs`` maps a key to something other than a ``DataSpec``.
        DuplicateKeyError, UnknownReferenceError, InitialStateError, FinalStateExitError,
        AmbiguousTransitionError, UnreachableStateError, TrapStateError: The structure is
            broken; the error names every offending key for the first rule broken.
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    states: tuple[State, ...] = attrs.field(converter=tuple_of)
    triggers: tuple[Trigger, ...] = attrs.field(converter=tuple_of)
    transitions: tuple[Transition, ...] = attrs.field(converter=tuple_of)
    severities: tuple[Severity, ...] = attrs.field(converter=tuple_of, default=())
    deadlines: DeadlinePolicy = attrs.field(factory=lambda: DeadlinePolicy(by_severity={}))
    holder_level: Level = attrs.field(default=Level.TOWN, converter=_holder_level)
    roles: tuple[Role, ...] = attrs.field(converter=tuple_of, default=())
    data_specs: Mapping[str, DataSpec] = attrs.field(
        converter=mapping_of, factory=dict, hash=False, validator=_data_specs
    )
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
            UnknownIdError: No state has this key.
        """
        try:
            return self._compiled.states[key]
        except KeyError:
            raise UnknownIdError(key, f"the states of lifecycle {self.key!r}") from None

    def trigger(self, key: str) -> Trigger:
        """Return the trigger with this key.

        Raises:
            UnknownIdError: No trigger has this key.
        """
        try:
            return self._compiled.triggers[key]
        except KeyError:
            raise UnknownIdError(key, f"the triggers of lifecycle {self.key!r}") from None

    def severity(self, key: str) -> Severity:
        """Return the severity tier with this key.

        Raises:
            UnknownIdError: No severity has this key.
        """
        try:
            return self._compiled.severities[key]
        except KeyError:
            raise UnknownIdError(key, f"the severities of lifecycle {self.key!r}") from None

    @property
    def table(self) -> Mapping[tuple[str, str], tuple[str, Transition]]:
        """The compiled transition table, read-only: ``(state, trigger) -> (dest, transition)``.

        Compiled once from the shared machine when the definition is built; ``dest`` is the
        state the transition leads to (its source state for a transition that stays).  The
        engine runs every command through this table.

        >>> from ruian_governance import EVENT_LIFECYCLE
        >>> dest, transition = EVENT_LIFECYCLE.table["reported", "accept"]
        >>> dest, transition.jurisdiction.value
        ('accepted', 'holder')
        >>> EVENT_LIFECYCLE.table["dispatched", "supervise"][0]
        'dispatched'
        >>> EVENT_LIFECYCLE.table["closed", "accept"] = EVENT_LIFECYCLE.table["reported", "accept"]
        Traceback (most recent call last):
        ...
        TypeError: 'mappingproxy' object does not support item assignment
        """
        return self._compiled.view

    def data_spec(self, key: str) -> DataSpec:
        """Return the type of data key ``key``: as declared, else text of at most 2,000 chars.

        >>> from ruian_governance import EVENT_LIFECYCLE
        >>> str(EVENT_LIFECYCLE.data_spec("stars")), str(EVENT_LIFECYCLE.data_spec("colour"))
        ('a whole number from 1 to 5', 'text of at most 2000 characters')
        """
        return self.data_specs.get(key, DEFAULT_DATA_SPEC)

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
        """Return ``(destination, transition)`` for ``trigger`` in ``state``, or ``None``."""
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
            "data": {
                key: {"kind": spec.kind.value}
                | {
                    bound: getattr(spec, bound)
                    for bound in ("max_length", "minimum", "maximum", "max_items")
                    if getattr(spec, bound) is not None
                }
                for key, spec in sorted(self.data_specs.items())
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
        data_specs: Mapping[str, DataSpec] | None = None,
    ) -> LifecycleDefinition:
        """Return a new definition with more states, triggers, transitions, severities or roles.

        The result is validated like any definition.  ``data_specs`` adds or replaces the
        types of data keys.  ``remove_triggers`` drops every
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
            data_specs={**self.data_specs, **(data_specs or {})},
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


# --------------------------------------------------------------------------- compilation


def _compile(d: LifecycleDefinition) -> _Compiled:
    """Check ``d``'s structure, build its shared machine and compile the command table."""
    intern = sys.intern
    initial = check_structure(
        d.key,
        states=d.states,
        trigger_keys=[t.key for t in d.triggers],
        severity_keys=[s.key for s in d.severities],
        transitions=d.transitions,
        deadline_keys=d.deadlines.by_severity,
        extra_role_keys=[r.key for r in d.roles],
    )
    states = {s.key: s for s in d.states}
    severities = {s.key: s for s in d.severities}
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
        view=MappingProxyType(table),
        openings={t.trigger: t for t in d.transitions if t.opening},
        states=states,
        triggers={t.key: t for t in d.triggers},
        severities=severities,
        severity_keys=frozenset(severities),
        by_state={s: tuple(v) for s, v in by_state.items()},
    )
