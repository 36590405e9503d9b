"""The engine that opens cases and applies commands to them.

A :class:`~ruian_governance.Case` is an immutable record with an append-only history of
:class:`~ruian_governance.HistoryRecord` values.  The :class:`Engine` runs the lifecycle
definitions it is given: ``engine.apply(case, trigger, actor=..., at=..., **data)`` passes the
command through the checks of :mod:`~ruian_governance.lifecycles.checks` (state, post, role,
jurisdiction, time, data, guards, in that order) and returns a new case with one more history
record and its version one higher.  A refused command raises a
:class:`~ruian_governance.TransitionError` subclass that says why, and changes nothing.

Commands run through the table each definition compiles from its shared ``transitions``
machine (:attr:`~ruian_governance.LifecycleDefinition.table`), never through the machine's
per-model trigger methods; no model is attached to the machine, so memory does not grow with
the number of cases processed.  The engine knows no lifecycle of its own:
:func:`~ruian_governance.builtin_engine` gives one that runs the three built-in lifecycles.

>>> from datetime import datetime, timedelta
>>> import attrs
>>> from ruian_governance import (CHINA_STANDARD_TIME, BUILTIN_LIFECYCLES, Actor, Engine, Level,
...     generate_hierarchy)
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> engine = Engine(h, BUILTIN_LIFECYCLES)
>>> grid = h.units_at(Level.GRID)[0]
>>> worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
>>> t0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
>>> case = engine.open("event", case_id="E1", trigger="report", actor=worker, at=t0,
...                    location_id=grid.id, category="noise", severity="ordinary")
>>> case.state, case.version, case.due_at.isoformat()
('reported', 0, '2025-03-07T00:00:00+08:00')
>>> room = h.command_room_of(h.town_of(grid.id).id)
>>> operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
>>> case = engine.apply(case, "accept", actor=operator, at=t0 + timedelta(hours=1))
>>> case.state, case.version, [r.trigger for r in case.history]
('accepted', 1, ['report', 'accept'])
>>> engine.allowed(case, operator)
('escalate', 'dispatch', 'supervise')
>>> engine.verify(attrs.evolve(case)) == case
True
>>> engine.apply(attrs.evolve(case, assignees=("t0001.s01",)), "accept", actor=operator,
...              at=t0 + timedelta(hours=2))
Traceback (most recent call last):
...
ruian_governance.errors.ForgedHistoryError: case 'E1': the case does not follow from the rules: ...

A case the engine made carries its private mark, so a command on it costs no more than the
command's own checks.  A case from anywhere else (a store's decoding, a document,
``attrs.evolve``) is *verified* first (:meth:`Engine.verify`: its whole history replayed as
commands, every check run again, and the case compared with the rebuilt one), which costs a
replay of its history; verify a case read from a store or a document once, and run commands
on the case ``verify`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ruian_governance.errors import (
    ArgumentError,
    ForgedHistoryError,
    RuianGovernanceError,
    UnknownIdError,
    UnknownReferenceError,
)
from ruian_governance.models import Actor, Case, DataValue, Hierarchy, HistoryRecord

from . import _fast
from .checks import Check, Checks
from .definition import LifecycleDefinition, Transition
from .parts import Jurisdiction

__all__ = [
    "Engine",
]

_OPENING_KEYS = frozenset(
    ("lifecycle", "case_id", "location_id", "category", "severity", "parties")
)
"""The case's facts the opening record carries besides the command's data."""

_CACHE_LIMIT = 4096
"""How many distinct data tuples (and deadlines) an engine shares between records."""

_Step = tuple[str, Transition, tuple[Check, ...], LifecycleDefinition]
"""What a (state, trigger) pair of a lifecycle leads to: dest, transition, checks, definition."""

_APPLY_KEYWORDS = frozenset(("case", "trigger", "actor", "at"))
"""Names no command data can use: :meth:`Engine.apply` takes them as its own arguments."""

_OPEN_ARGUMENTS = frozenset(("trigger", "actor", "at"))
"""Names no opening data can use besides the case's facts: :meth:`Engine.open`'s arguments."""

_CASE_FIELDS = tuple(a.name for a in attrs.fields(Case) if a.eq and a.name != "history")
"""The fields :meth:`Engine.verify` compares with the rebuilt case (records one by one)."""


class _Seal:
    """One engine's mark on the cases it made (never copied out of the process)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[None], tuple[()]]:
        """A pickled or deep-copied case is unmarked: it is verified before it is used."""
        return type(None), ()


class Engine:
    """Opens cases and applies commands, for one hierarchy and the lifecycles it is given.

    The engine holds no cases; it is a pure function of its inputs, plus look-up caches that
    only ever hold facts of the (immutable) hierarchy and definitions.

    Args:
        hierarchy: The hierarchy actors and units are checked against.
        lifecycles: The lifecycle definitions it runs (e.g.
            :data:`~ruian_governance.BUILTIN_LIFECYCLES`, or extensions of them).

    Raises:
        ArgumentError: ``lifecycles`` holds something other than a lifecycle definition.
        UnknownReferenceError: A lifecycle names a role the hierarchy does not know.
    """

    __slots__ = (
        "_checks",
        "_data",
        "_definitions",
        "_dues",
        "_hierarchy",
        "_holders",
        "_openings",
        "_seal",
        "_steps",
    )

    def __init__(self, hierarchy: Hierarchy, lifecycles: Iterable[LifecycleDefinition]) -> None:
        self._hierarchy = hierarchy
        self._definitions: dict[str, LifecycleDefinition] = {}
        roles = hierarchy.all_roles
        given: tuple[object, ...] = tuple(lifecycles)
        for definition in given:
            if not isinstance(definition, LifecycleDefinition):
                argument = "lifecycles"
                raise ArgumentError(argument, definition, "LifecycleDefinition instances")
            missing = definition.role_keys - set(roles)
            if missing:
                raise UnknownReferenceError(
                    definition.key, missing, "roles the hierarchy does not know"
                )
            self._definitions[definition.key] = definition
        checks = self._checks = Checks(hierarchy)
        self._steps: dict[str, dict[tuple[str, str], _Step]] = {
            key: {
                pair: (dest, transition, checks.plan(definition, transition), definition)
                for pair, (dest, transition) in definition.table.items()
            }
            for key, definition in self._definitions.items()
        }
        self._openings: dict[tuple[str, str], tuple[Transition, tuple[Check, ...]]] = {
            (key, t.trigger): (t, checks.plan(definition, t))
            for key, definition in self._definitions.items()
            for t in definition.transitions
            if t.opening
        }
        self._data: dict[Any, Any] = {}
        self._holders: dict[tuple[str, str], str] = {}
        self._dues: dict[tuple[str, str, Any, Any], datetime] = {}
        self._seal = _Seal()

    @property
    def hierarchy(self) -> Hierarchy:
        """The hierarchy this engine checks against."""
        return self._hierarchy

    @property
    def lifecycles(self) -> Mapping[str, LifecycleDefinition]:
        """The lifecycle definitions this engine runs, by key."""
        return dict(self._definitions)

    def lifecycle(self, key: str) -> LifecycleDefinition:
        """Return the lifecycle definition with this key.

        Raises:
            UnknownIdError: The engine runs no lifecycle with this key.
        """
        try:
            return self._definitions[key]
        except KeyError:
            raise UnknownIdError(key, "the engine's lifecycles") from None

    def holder_for(self, definition: LifecycleDefinition, location_id: str) -> str:
        """Return the unit that holds a new case of ``definition`` located at ``location_id``.

        The ancestor of the location at the definition's holder level, or the location itself
        when it lies at or above that level.

        Raises:
            UnknownIdError: The location is not an administrative unit.
        """
        key = (definition.key, location_id)
        cached = self._holders.get(key)
        if cached is not None:
            return cached
        unit = self._hierarchy.unit(location_id)
        found = unit.id
        if unit.level.depth > definition.holder_level.depth:
            for above in self._hierarchy.ancestors(unit.id):
                if above.level is definition.holder_level:
                    found = above.id
                    break
        self._holders[key] = found
        return found

    def in_jurisdiction(self, rule: Jurisdiction, case: Case, actor: Actor) -> bool:
        """Whether ``actor``'s unit satisfies ``rule`` for ``case``.

        Raises:
            UnknownIdError: The actor's unit is not in the hierarchy.
        """
        return self._checks.in_jurisdiction(rule, case, actor)

    # ---------------------------------------------------------------- commands

    def open(  # noqa: PLR0913 - the facts of a new case, keyword-only
        self,
        lifecycle: str,
        *,
        case_id: str,
        trigger: str,
        actor: Actor,
        at: datetime,
        location_id: str,
        category: str,
        severity: str | None = None,
        parties: Sequence[str] = (),
        **data: DataValue,
    ) -> Case:
        """Open a case of ``lifecycle`` in its initial state, with its opening record.

        The opening record's data carries the case's facts (lifecycle, id, location,
        category, severity, parties) besides ``data``, so that the history alone rebuilds it.
        The command passes the same checks as :meth:`apply`, against the case as it opens.

        Args:
            lifecycle: Lifecycle key, e.g. ``"event"``.
            case_id: The case's id (one code per matter).
            trigger: An opening trigger of the lifecycle, e.g. ``"report"``.
            actor: Who opens it.
            at: When (timezone-aware).
            location_id: The administrative unit the matter is in.
            category: Category key.
            severity: Severity tier key, when known at opening.
            parties: Parties to the matter.
            **data: Further data the opening trigger requires or accepts.

        Raises:
            UnknownIdError: Unknown lifecycle, location or severity.
            InvalidTransitionError, InvalidActorError, RoleNotAllowedError, JurisdictionError,
                TimeOrderError, MissingDataError, UnexpectedDataError, GuardFailedError: As for
                :meth:`apply`.
        """
        definition = self.lifecycle(lifecycle)
        holder = self.holder_for(definition, location_id)  # checks the location exists
        if severity is not None and severity not in definition.severity_keys:
            raise UnknownIdError(severity, f"the severities of lifecycle {lifecycle!r}")
        initial = definition.initial.key
        found = self._openings.get((lifecycle, trigger))
        if found is None:
            self._checks.state(case_id, initial, trigger, actor, "not an opening trigger")
        opening, checks = found
        shared = self._shared
        pairs: list[tuple[str, DataValue]] = [
            shared(("lifecycle", definition.key)),
            ("case_id", case_id),
            shared(("location_id", location_id)),
            shared(("category", category)),
        ]
        if severity is not None:
            pairs.append(shared(("severity", severity)))
        if parties:
            pairs.append(("parties", tuple(parties)))
        pairs.extend(shared(item) for item in data.items())
        pairs.sort()
        first = _fast.record(0, opening.trigger, None, initial, actor, at, tuple(pairs))
        # The case the opening command is checked against.  Its deadline needs a time the
        # checks have accepted, so it is set once they all have.
        case = _fast.opened(
            lifecycle=definition.key,
            first=first,
            case_id=case_id,
            location_id=location_id,
            unit_id=holder,
            parties=tuple(parties),
            category=category,
            severity=severity,
            due_at=None,
            seal=self._seal,
        )
        for check in checks:
            check(case, actor, at, data)
        if severity is not None and severity in definition.deadlines.by_severity:
            case = _fast.dated(case, self._due(definition, severity, at))
        if opening.effects:
            changes = self._changes(definition, case, opening, actor, at, data)
            case = _fast.sealed(attrs.evolve(case, **changes), self._seal)
        return case

    def _opened(self, definition: LifecycleDefinition, first: HistoryRecord) -> Case:
        """The case an opening record opens, with its deadline, before the opening's effects."""
        facts = dict(first.data)
        location = str(facts["location_id"])
        severity = facts.get("severity")
        parties = facts.get("parties", ())
        due_at = None
        if severity is not None and str(severity) in definition.deadlines.by_severity:
            due_at = self._due(definition, str(severity), first.at)
        return _fast.opened(
            lifecycle=definition.key,
            first=first,
            case_id=str(facts["case_id"]),
            location_id=location,
            unit_id=self.holder_for(definition, location),
            parties=parties if isinstance(parties, tuple) else (str(parties),),
            category=str(facts["category"]),
            severity=None if severity is None else str(severity),
            due_at=due_at,
            seal=None,
        )

    def apply(
        self,
        case: Case,
        trigger: str,
        *,
        actor: Actor,
        at: datetime,
        **data: DataValue,
    ) -> Case:
        """Fire ``trigger`` on ``case`` and return the new case; ``case`` itself is unchanged.

        Checks, in order: the trigger is available in the case's state, the actor holds the
        post, the role may fire it, the actor's unit is in the case's jurisdiction, ``at`` is
        aware and not earlier than the last record, the data has every required key and no
        unknown one, and every guard passes (each asked once).  The first check that fails
        raises; nothing is built before every check has passed.  Then the transition's
        effects are applied and one history record is appended.

        A case this engine did not make (edited with ``attrs.evolve``, decoded from a store or
        a document) is verified first (:meth:`verify`, a replay of its history); a case the
        engine made is not.

        Raises:
            UnknownIdError: The engine does not run the case's lifecycle.
            ForgedHistoryError: The case is not one this engine made, and its history is not a
                run of legal commands or the case contradicts it.
            InvalidTransitionError, InvalidActorError, RoleNotAllowedError, JurisdictionError,
                TimeOrderError, MissingDataError, UnexpectedDataError, GuardFailedError: The
                command was refused; nothing changed.
        """
        if case._seal is not self._seal:
            case = self.verify(case)
        steps = self._steps.get(case.lifecycle)
        if steps is None:
            raise UnknownIdError(case.lifecycle, "the engine's lifecycles")
        state = case.state
        step = steps.get((state, trigger))
        if step is None:
            self._checks.state(case.id, state, trigger, actor)
        dest, transition, checks, definition = step
        for check in checks:
            check(case, actor, at, data)
        changes = (
            self._changes(definition, case, transition, actor, at, data)
            if transition.effects
            else None
        )
        last = _fast.record(
            len(case.history),
            transition.trigger,
            state,
            dest,
            actor,
            at,
            self._shared(tuple(sorted(data.items()))) if data else (),
        )
        return _fast.advance(case, dest, last, changes)

    def _changes(  # noqa: PLR0913, PLR0917 - the command's parts, private
        self,
        definition: LifecycleDefinition,
        case: Case,
        transition: Transition,
        actor: Actor,
        at: datetime,
        data: Mapping[str, DataValue],
    ) -> dict[str, Any]:
        """The changes the transition's effects make, in order (each sees the ones before).

        Raises:
            ArgumentError: An effect changes a field outside ``unit_id``, ``assignees``,
                ``severity``, ``due_at`` and ``parties`` (a broken definition).
        """
        changes: dict[str, Any] = {}
        for effect in transition.effects:
            made = effect.apply(
                _fast.context(
                    case, transition.trigger, actor, at, data, self._hierarchy, definition
                )
            )
            bad = made.keys() - _fast.EFFECT_FIELDS
            if bad:
                argument = f"changes of effect {effect.key!r}"
                allowed = ", ".join(sorted(_fast.EFFECT_FIELDS))
                refused = ", ".join(sorted(bad))
                raise ArgumentError(
                    argument, sorted(bad), f"changes of {allowed} (it may not change {refused})"
                )
            if made:
                changes.update(made)
                if len(transition.effects) > 1:  # the next effect sees this one's changes
                    case = attrs.evolve(case, **made)
        return changes

    def allowed(self, case: Case, actor: Actor) -> tuple[str, ...]:
        """Return the triggers ``actor`` may fire on ``case`` now, in definition order.

        Considers the state, the actor's post, role and jurisdiction; not data or guards,
        which depend on the command (a guard may still refuse it).  A case this engine did not
        make is verified first, as for :meth:`apply`.

        Raises:
            UnknownIdError: The engine does not run the case's lifecycle.
            ForgedHistoryError: As for :meth:`apply`.
        """
        if case._seal is not self._seal:
            case = self.verify(case)
        definition = self.lifecycle(case.lifecycle)
        checks = self._checks
        if not checks.holds_post(actor):
            return ()
        return tuple(
            trigger
            for trigger, transition in definition.transitions_from(case.state)
            if actor.role in transition.roles
            and checks.in_jurisdiction(transition.jurisdiction, case, actor)
        )

    def replay(self, history: Sequence[HistoryRecord]) -> Case:
        """Rebuild a case from its history, *unchecked*: ``engine.replay(case.history) == case``.

        Not a check of the history: permissions, data and guards are not re-checked (people
        may since have changed posts), only its structure, by the state and time checks: each
        record must follow from the state before it, in sequence, in time order.  Effects are
        applied again from each record's data.  The case it returns is not marked as made by
        the engine, so a command on it verifies it first; :meth:`verify` is the checked
        replay every write and read of a store relies on.

        Raises:
            ArgumentError: ``history`` is empty.
            UnknownIdError: The opening record names a lifecycle the engine does not run.
            InvalidTransitionError: A record does not follow from the state before it.
            TimeOrderError: A record is earlier than the one before it, or its time is naive.
        """
        if not history:
            argument = "history"
            raise ArgumentError(argument, history, "at least the opening record")
        first = history[0]
        key = first.get("lifecycle")
        definition = None if key is None or first.source is not None else self.lifecycle(str(key))
        opening = None if definition is None else definition.opening(first.trigger)
        if (
            definition is None
            or opening is None
            or first.seq != 0
            or first.dest != definition.initial.key
        ):
            self._checks.state(
                str(first.get("case_id")), "<none>", first.trigger, None, "not an opening record"
            )
        case = self._opened(definition, first)
        if opening.effects:
            extra = {k: v for k, v in first.data if k not in _OPENING_KEYS}
            case = attrs.evolve(
                case, **self._changes(definition, case, opening, first.actor, first.at, extra)
            )
        for record in history[1:]:
            entry = definition.entry(case.state, record.trigger)
            if (
                entry is None
                or entry[0] != record.dest
                or record.source != case.state
                or record.seq != len(case.history)
            ):
                self._checks.state(
                    case.id,
                    case.state,
                    record.trigger,
                    None,
                    f"record {record.seq} does not follow",
                )
            dest, transition = entry
            self._checks.time(transition)(case, record.actor, record.at, {})
            changes = (
                self._changes(
                    definition, case, transition, record.actor, record.at, dict(record.data)
                )
                if transition.effects
                else None
            )
            case = _fast.advance(case, dest, record, changes)
        return case

    def verify(self, case: Case) -> Case:
        """Return ``case`` rebuilt by a checked replay of its history, if it equals ``case``.

        Each record is run again as the command it records, through every check of
        :meth:`open` and :meth:`apply` against this engine's hierarchy and lifecycles (state,
        post, role, jurisdiction, time, data and its types, guards), and must equal the record
        that command makes (sequence number, states, data).  Then every field of the case
        (state, version, holder, assignees, severity, deadline, parties, times, ...) must equal
        the rebuilt case's.  The rebuilt case is returned, marked as made by this engine: run
        later commands on it, and :meth:`apply` does not verify it again.

        It checks against the engine's hierarchy *now*: a history whose actors have since left
        their posts does not verify (give the engine the hierarchy the commands were run under).
        The cost is a replay of the history: verify a case read from a store or a document once.

        Raises:
            ArgumentError: ``case`` is not a :class:`~ruian_governance.Case`.
            ForgedHistoryError: A record is not a legal command (``seq`` names it, the check's
                refusal is the ``__cause__``), or a field of the case differs from the rebuilt
                one (``seq`` is ``None``).  Nothing is changed.
        """
        given: object = case
        if not isinstance(given, Case):
            argument = "case"
            raise ArgumentError(argument, given, "a Case")
        case_id = case.id
        history = case.history
        if type(history) is not tuple or not history:
            raise ForgedHistoryError(case_id, 0, "the history has no opening record")
        rebuilt = self._verified_opening(case_id, history[0])
        for record in history[1:]:
            data = Checks.recorded_data(case_id, record, _APPLY_KEYWORDS)
            try:
                rebuilt = self.apply(
                    rebuilt, record.trigger, actor=record.actor, at=record.at, **data
                )
            except RuianGovernanceError as error:
                raise ForgedHistoryError(case_id, record.seq, str(error)) from error
            Checks.same_record(case_id, rebuilt.history[-1], record)
        for field in _CASE_FIELDS:
            if getattr(rebuilt, field) != getattr(case, field):
                reason = f"its {field} differs from the one its history gives"
                raise ForgedHistoryError(case_id, None, reason)
        return rebuilt

    def _verified_opening(self, case_id: object, first: HistoryRecord) -> Case:
        """The case the opening record ``first`` opens, run again as the opening command."""
        facts = Checks.recorded_data(case_id, first, _OPEN_ARGUMENTS)
        missing = sorted(
            k for k in ("lifecycle", "case_id", "location_id", "category") if k not in facts
        )
        if missing:
            reason = f"the opening record lacks the case's {', '.join(missing)}"
            raise ForgedHistoryError(case_id, 0, reason)
        lifecycle = facts.pop("lifecycle")
        if not isinstance(lifecycle, str):
            raise ForgedHistoryError(case_id, 0, f"lifecycle {lifecycle!r} is not a key")
        try:
            opened = self.open(
                lifecycle,
                case_id=facts.pop("case_id"),  # type: ignore[arg-type]
                trigger=first.trigger,
                actor=first.actor,
                at=first.at,
                location_id=facts.pop("location_id"),  # type: ignore[arg-type]
                category=facts.pop("category"),  # type: ignore[arg-type]
                severity=facts.pop("severity", None),  # type: ignore[arg-type]
                parties=facts.pop("parties", ()),  # type: ignore[arg-type]
                **facts,
            )
        except RuianGovernanceError as error:
            raise ForgedHistoryError(case_id, 0, str(error)) from error
        Checks.same_record(case_id, opened.history[0], first)
        return opened

    def overdue(self, cases: Iterable[Case], now: datetime) -> tuple[Case, ...]:
        """Return the cases past their deadline at ``now`` in a state whose deadline runs.

        Supervision (督办) and escalation stay explicit triggers for the caller to fire.

        Raises:
            UnknownIdError: A case's lifecycle is not run by this engine.
        """
        late: list[Case] = []
        for case in cases:
            due = case.due_at
            if due is None or now < due:
                continue
            state = self.lifecycle(case.lifecycle).state(case.state)
            if state.timed and not state.final:
                late.append(case)
        return tuple(late)

    # ---------------------------------------------------------------- caches

    def _shared(self, value: Any) -> Any:
        """Return an equal, shared copy of a hashable data tuple (bounded cache), or ``value``."""
        try:
            found = self._data.get(value)
        except TypeError:  # unhashable data is kept as given
            return value
        if found is not None:
            return found
        if len(self._data) < _CACHE_LIMIT:
            self._data[value] = value
        return value

    def _due(self, definition: LifecycleDefinition, severity: str, start: datetime) -> datetime:
        """The deadline of a case opened at ``start``: due at a midnight, so cached by day."""
        key = (definition.key, severity, start.date(), start.tzinfo)
        found = self._dues.get(key)
        if found is None:
            found = definition.deadlines.due(severity, start)
            if len(self._dues) < _CACHE_LIMIT:
                self._dues[key] = found
        return found
