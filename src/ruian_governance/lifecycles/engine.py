"""Cases and the engine that runs commands on them.

A :class:`Case` is an immutable record with an append-only history of :class:`HistoryRecord`s.
The :class:`Engine` opens cases and applies commands: ``engine.apply(case, trigger, actor=...,
at=..., **data)`` checks the state, the actor's post, role and jurisdiction, the time, the data
and the guards, in that order, and returns a new case with one more history record and its
version one higher.  A refused command raises a
:class:`~ruian_governance.TransitionError` subclass that says why, and changes nothing.

Commands run through the table each definition compiles from its shared ``transitions``
machine, never through the machine's per-model trigger methods; no model is attached to the
machine, so memory does not grow with the number of cases processed.

>>> from datetime import datetime, timedelta
>>> from ruian_governance import CHINA_STANDARD_TIME, Actor, Engine, Level, generate_hierarchy
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> engine = Engine(h)
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
>>> engine.replay(case.history) == case
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

import attrs

from ruian_governance.errors import (
    GuardFailedError,
    InvalidActorError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TimeOrderError,
    UnexpectedDataError,
    UnknownIdError,
    UnknownReferenceError,
)
from ruian_governance.models import Actor, AdminUnit, Case, DataValue, Hierarchy, HistoryRecord

from .definition import Effect, Jurisdiction, LifecycleDefinition, Transition

__all__ = [
    "Command",
    "Engine",
]

_OPENING_KEYS = ("lifecycle", "case_id", "location_id", "category", "severity", "parties")
_OPENING_KEY_SET = frozenset(_OPENING_KEYS)
_ANY = Jurisdiction.ANY


@attrs.frozen(kw_only=True)
class Command:
    """A command as guards and effects see it: the case before, and what is asked of it."""

    case: Case
    trigger: str
    actor: Actor
    at: datetime
    data: Mapping[str, DataValue]
    hierarchy: Hierarchy
    lifecycle: LifecycleDefinition


_CASE_FIELDS = frozenset(a.name for a in attrs.fields(Case)) - {
    "id",
    "lifecycle",
    "state",
    "history",
    "version",
}
"""The case fields an :class:`~ruian_governance.Effect` may change."""

# Fast construction of the immutable records on the hot path.  attrs' generated __init__ for
# frozen classes sets each field through ``object.__setattr__``; writing the slots through
# their member descriptors builds an equal object about twice as fast.  The field order is
# checked against attrs at import, so adding a field without updating this fails loudly.
_new = object.__new__
_RECORD_NAMES = ("seq", "trigger", "source", "dest", "actor", "at", "data")
_CASE_NAMES = (
    "id",
    "lifecycle",
    "state",
    "location_id",
    "unit_id",
    "assignees",
    "reporter_id",
    "parties",
    "category",
    "severity",
    "opened_at",
    "due_at",
    "history",
    "version",
)
_COMMAND_NAMES = ("case", "trigger", "actor", "at", "data", "hierarchy", "lifecycle")
for _cls, _names in (
    (HistoryRecord, _RECORD_NAMES),
    (Case, _CASE_NAMES),
    (Command, _COMMAND_NAMES),
):
    if tuple(a.name for a in attrs.fields(_cls)) != _names:  # pragma: no cover - developer error
        _msg = f"fast constructor of {_cls.__name__} is out of date"
        raise RuntimeError(_msg)
(_r_seq, _r_trigger, _r_source, _r_dest, _r_actor, _r_at, _r_data) = (
    HistoryRecord.__dict__[n].__set__ for n in _RECORD_NAMES
)
(
    _c_id,
    _c_lifecycle,
    _c_state,
    _c_location_id,
    _c_unit_id,
    _c_assignees,
    _c_reporter_id,
    _c_parties,
    _c_category,
    _c_severity,
    _c_opened_at,
    _c_due_at,
    _c_history,
    _c_version,
) = (Case.__dict__[n].__set__ for n in _CASE_NAMES)
(_m_case, _m_trigger, _m_actor, _m_at, _m_data, _m_hierarchy, _m_lifecycle) = (
    Command.__dict__[n].__set__ for n in _COMMAND_NAMES
)


def _record(  # noqa: PLR0913, PLR0917 - one argument per field
    seq: int,
    trigger: str,
    source: str | None,
    dest: str,
    actor: Actor,
    at: datetime,
    data: tuple[tuple[str, DataValue], ...],
) -> HistoryRecord:
    record: HistoryRecord = _new(HistoryRecord)
    _r_seq(record, seq)
    _r_trigger(record, trigger)
    _r_source(record, source)
    _r_dest(record, dest)
    _r_actor(record, actor)
    _r_at(record, at)
    _r_data(record, data)
    return record


def _advance(
    case: Case, state: str, record: HistoryRecord, changes: Mapping[str, Any] | None = None
) -> Case:
    """The next version of ``case``: in ``state``, with ``record`` appended, ``changes`` made."""
    new: Case = _new(Case)
    _c_id(new, case.id)
    _c_lifecycle(new, case.lifecycle)
    _c_state(new, state)
    _c_location_id(new, case.location_id)
    _c_reporter_id(new, case.reporter_id)
    _c_parties(new, case.parties)
    _c_category(new, case.category)
    _c_opened_at(new, case.opened_at)
    _c_history(new, (*case.history, record))
    _c_version(new, case.version + 1)
    if changes:
        _c_unit_id(new, changes.get("unit_id", case.unit_id))
        _c_assignees(new, changes.get("assignees", case.assignees))
        _c_severity(new, changes.get("severity", case.severity))
        _c_due_at(new, changes.get("due_at", case.due_at))
        if "parties" in changes:
            _c_parties(new, changes["parties"])
    else:
        _c_unit_id(new, case.unit_id)
        _c_assignees(new, case.assignees)
        _c_severity(new, case.severity)
        _c_due_at(new, case.due_at)
    return new


def _command(  # noqa: PLR0913, PLR0917 - one argument per field
    case: Case,
    trigger: str,
    actor: Actor,
    at: datetime,
    data: Mapping[str, DataValue],
    hierarchy: Hierarchy,
    lifecycle: LifecycleDefinition,
) -> Command:
    command: Command = _new(Command)
    _m_case(command, case)
    _m_trigger(command, trigger)
    _m_actor(command, actor)
    _m_at(command, at)
    _m_data(command, data)
    _m_hierarchy(command, hierarchy)
    _m_lifecycle(command, lifecycle)
    return command


class _Where(TypedDict):
    """The context every refusal names: which case, in which state, which trigger, by whom."""

    case_id: str
    state: str
    trigger: str
    actor: object


_CACHE_LIMIT = 4096
"""How many distinct data tuples (and opening facts) an engine shares between records."""


class Engine:
    """Opens cases and applies commands, for one hierarchy and a set of lifecycles.

    The engine holds no cases; it is a pure function of its inputs, plus look-up caches that
    only ever hold facts of the (immutable) hierarchy.

    Args:
        hierarchy: The hierarchy actors and units are checked against.
        lifecycles: The lifecycle definitions it runs (default: the three built-in ones).

    Raises:
        UnknownReferenceError: A lifecycle names a role the hierarchy does not know.
    """

    __slots__ = (
        "_above",
        "_admin",
        "_data",
        "_definitions",
        "_dues",
        "_hierarchy",
        "_holders",
        "_posts",
        "_tables",
        "_town",
    )

    def __init__(
        self,
        hierarchy: Hierarchy,
        lifecycles: Iterable[LifecycleDefinition] | None = None,
    ) -> None:
        if lifecycles is None:
            from .builtin import BUILTIN_LIFECYCLES  # noqa: PLC0415 - layered below

            lifecycles = BUILTIN_LIFECYCLES
        self._hierarchy = hierarchy
        self._definitions: dict[str, LifecycleDefinition] = {}
        roles = hierarchy.all_roles
        for definition in lifecycles:
            missing = definition.role_keys - set(roles)
            if missing:
                raise UnknownReferenceError(
                    definition.key, missing, "roles the hierarchy does not know"
                )
            self._definitions[definition.key] = definition
        intern = sys.intern
        self._posts: frozenset[tuple[str, str, str]] = frozenset(
            (intern(p.id), intern(post.role), intern(post.unit_id))
            for p in hierarchy.people
            for post in p.posts
        )
        self._town: dict[str, str | None] = {}
        self._admin: dict[str, str] = {}
        self._above: dict[str, frozenset[str]] = {}
        self._data: dict[Any, Any] = {}
        self._holders: dict[tuple[str, str], str] = {}
        self._dues: dict[tuple[str, str, Any, Any], datetime] = {}
        self._tables = {key: d._compiled.table for key, d in self._definitions.items()}

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

    # ---------------------------------------------------------------- structure caches

    def _town_of(self, unit_id: str) -> str | None:
        try:
            return self._town[unit_id]
        except KeyError:
            town = self._hierarchy.town_of(unit_id)
            found = None if town is None else town.id
            self._town[unit_id] = found
            return found

    def _admin_of(self, unit_id: str) -> str:
        """The administrative unit of a unit: itself, or the unit an organisation sits under."""
        try:
            return self._admin[unit_id]
        except KeyError:
            node = self._hierarchy.node(unit_id)
            if isinstance(node, AdminUnit):
                found = node.id
            else:
                parent = self._hierarchy.parent(unit_id)
                found = node.id if parent is None else parent.id
            self._admin[unit_id] = found
            return found

    def _ancestors(self, unit_id: str) -> frozenset[str]:
        try:
            return self._above[unit_id]
        except KeyError:
            found = frozenset(u.id for u in self._hierarchy.ancestors(unit_id))
            self._above[unit_id] = found
            return found

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

    def _due(self, definition: LifecycleDefinition, severity: str, start: datetime) -> datetime:
        """The deadline of a case opened at ``start``: due at a midnight, so cached by day."""
        key = (definition.key, severity, start.date(), start.tzinfo)
        found = self._dues.get(key)
        if found is None:
            found = definition.deadlines.due(severity, start)
            if len(self._dues) < _CACHE_LIMIT:
                self._dues[key] = found
        return found

    def in_jurisdiction(  # noqa: PLR0911 - one answer per rule
        self, rule: Jurisdiction, case: Case, actor: Actor
    ) -> bool:
        """Whether ``actor``'s unit satisfies ``rule`` for ``case``.

        Raises:
            UnknownIdError: The actor's unit is not in the hierarchy.
        """
        unit = actor.unit_id
        if rule is Jurisdiction.ASSIGNED:
            return unit in case.assignees
        if rule is Jurisdiction.HOLDER:
            return unit == case.unit_id or self._admin_of(unit) == case.unit_id
        if rule is Jurisdiction.HOLDER_OR_ABOVE:
            admin = self._admin_of(unit)
            return case.unit_id in (unit, admin) or admin in self._ancestors(case.unit_id)
        if rule is Jurisdiction.TOWN:
            town = self._town_of(unit)
            return town is not None and town == self._town_of(case.location_id)
        if rule is Jurisdiction.LOCATION:
            return unit == case.location_id or unit in self._ancestors(case.location_id)
        if rule is Jurisdiction.CITY:
            return self._town_of(unit) is None
        return True

    # ---------------------------------------------------------------- commands

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
        self.holder_for(definition, location_id)  # checks the location exists
        if severity is not None and severity not in definition.severity_keys:
            raise UnknownIdError(severity, f"the severities of lifecycle {lifecycle!r}")
        initial = definition.initial.key
        opening = definition.opening(trigger)
        if opening is None:
            raise InvalidTransitionError(
                case_id=case_id,
                state=initial,
                trigger=trigger,
                actor=actor,
                detail="not an opening trigger",
            )
        if at.tzinfo is None or at.utcoffset() is None:
            raise TimeOrderError(
                case_id=case_id,
                state=initial,
                trigger=trigger,
                actor=actor,
                detail="time must be timezone-aware",
            )
        clash = data.keys() & _OPENING_KEY_SET
        if clash:
            raise UnexpectedDataError(
                unexpected=clash, case_id=case_id, state=initial, trigger=trigger, actor=actor
            )
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
        record = _record(0, opening.trigger, None, initial, actor, at, tuple(pairs))
        case = self._opened(definition, record)
        self._check(definition, case, opening, actor, at, data, opening=True)
        if opening.effects:
            case = self._effects(definition, case, opening, actor, at, data)
        return case

    def _opened(self, definition: LifecycleDefinition, record: HistoryRecord) -> Case:
        facts = dict(record.data)
        location = str(facts["location_id"])
        severity = facts.get("severity")
        parties = facts.get("parties", ())
        due_at = None
        if severity is not None and str(severity) in definition.deadlines.by_severity:
            due_at = self._due(definition, str(severity), record.at)
        case: Case = _new(Case)
        _c_id(case, str(facts["case_id"]))
        _c_lifecycle(case, definition.key)
        _c_state(case, record.dest)
        _c_location_id(case, location)
        _c_unit_id(case, self.holder_for(definition, location))
        _c_assignees(case, ())
        _c_reporter_id(case, record.actor.person_id)
        _c_parties(case, parties if isinstance(parties, tuple) else (str(parties),))
        _c_category(case, str(facts["category"]))
        _c_severity(case, None if severity is None else str(severity))
        _c_opened_at(case, record.at)
        _c_due_at(case, due_at)
        _c_history(case, (record,))
        _c_version(case, 0)
        return case

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
        unknown one, and every guard passes.  Then the transition's effects are applied and
        one history record is appended.

        Raises:
            UnknownIdError: The engine does not run the case's lifecycle.
            InvalidTransitionError, InvalidActorError, RoleNotAllowedError, JurisdictionError,
                TimeOrderError, MissingDataError, UnexpectedDataError, GuardFailedError: The
                command was refused; nothing changed.
        """
        table = self._tables.get(case.lifecycle)
        if table is None:
            raise UnknownIdError(case.lifecycle, "the engine's lifecycles")
        state = case.state
        entry = table.get((state, trigger))
        if entry is None:
            raise InvalidTransitionError(case_id=case.id, state=state, trigger=trigger, actor=actor)
        dest, transition = entry
        definition = self._definitions[case.lifecycle]
        # The fast path answers "is every check passed?"; on a "no", _check runs the checks
        # again, in order, and raises the error that says which one failed.
        rule = transition.jurisdiction
        requires = transition.requires
        if (
            (actor.person_id, actor.role, actor.unit_id) not in self._posts
            or actor.role not in transition.roles
            or (rule is not _ANY and not self.in_jurisdiction(rule, case, actor))
            or at.tzinfo is None
            or at < case.history[-1].at
            or (
                (data or requires)
                and (requires - data.keys() or data.keys() - requires - transition.accepts)
            )
        ):
            self._check(definition, case, transition, actor, at, data)
        command = None
        if transition.guards:
            command = _command(case, trigger, actor, at, data, self._hierarchy, definition)
            for guard in transition.guards:
                if not guard.check(command):
                    self._check(definition, case, transition, actor, at, data)
        history = case.history
        record = _record(
            len(history),
            transition.trigger,
            state,
            dest,
            actor,
            at,
            self._shared(tuple(sorted(data.items()))) if data else (),
        )
        if not transition.effects:
            return _advance(case, dest, record)
        if len(transition.effects) == 1:
            effect = transition.effects[0]
            if command is None:
                command = _command(case, trigger, actor, at, data, self._hierarchy, definition)
            changes = effect.apply(command)
            if changes.keys() - _CASE_FIELDS:
                self._changes(definition, case, transition, effect, actor, at, data)  # raises
            return _advance(case, dest, record, changes)
        case = self._effects(definition, case, transition, actor, at, data)
        return _advance(case, dest, record)

    def _check(  # noqa: PLR0913, PLR0917 - the command's parts, in order
        self,
        definition: LifecycleDefinition,
        case: Case,
        transition: Transition,
        actor: Actor,
        at: datetime,
        data: Mapping[str, DataValue],
        *,
        opening: bool = False,
    ) -> None:
        trigger = transition.trigger
        where: _Where = {
            "case_id": case.id,
            "state": case.state,
            "trigger": trigger,
            "actor": actor,
        }
        if (actor.person_id, actor.role, actor.unit_id) not in self._posts:
            raise InvalidActorError(**where)
        if actor.role not in transition.roles:
            raise RoleNotAllowedError(
                **where, detail=f"allowed: {', '.join(sorted(transition.roles))}"
            )
        rule = transition.jurisdiction
        if rule is not Jurisdiction.ANY and not self.in_jurisdiction(rule, case, actor):
            raise JurisdictionError(**where, detail=f"must be {rule.label.en}")
        if not opening:
            if at.tzinfo is None:
                raise TimeOrderError(**where, detail="time must be timezone-aware")
            last = case.history[-1].at
            if at < last:
                raise TimeOrderError(
                    **where,
                    detail=f"{at.isoformat()} is before the last record at {last.isoformat()}",
                )
        requires = transition.requires
        if data or requires:
            keys = data.keys()
            missing = requires - keys
            if missing:
                raise MissingDataError(missing=missing, **where)
            unexpected = keys - requires - transition.accepts
            if unexpected:
                raise UnexpectedDataError(unexpected=unexpected, **where)
        if transition.guards:
            command = _command(case, trigger, actor, at, data, self._hierarchy, definition)
            for guard in transition.guards:
                if not guard.check(command):
                    raise GuardFailedError(guard=guard.key, **where, detail=guard.label.en)

    def _changes(  # noqa: PLR0913, PLR0917 - the command's parts, private
        self,
        definition: LifecycleDefinition,
        case: Case,
        transition: Transition,
        effect: Effect,
        actor: Actor,
        at: datetime,
        data: Mapping[str, DataValue],
    ) -> Mapping[str, Any]:
        command = _command(case, transition.trigger, actor, at, data, self._hierarchy, definition)
        changes = effect.apply(command)
        bad = changes.keys() - _CASE_FIELDS
        if bad:
            msg = f"effect {effect.key!r} may not change {sorted(bad)}"
            raise ValueError(msg)
        return changes

    def _effects(  # noqa: PLR0913, PLR0917 - the command's parts, private
        self,
        definition: LifecycleDefinition,
        case: Case,
        transition: Transition,
        actor: Actor,
        at: datetime,
        data: Mapping[str, DataValue],
    ) -> Case:
        for effect in transition.effects:
            changes = self._changes(definition, case, transition, effect, actor, at, data)
            if changes:
                case = attrs.evolve(case, **changes)
        return case

    def allowed(self, case: Case, actor: Actor) -> tuple[str, ...]:
        """Return the triggers ``actor`` may fire on ``case`` now, in definition order.

        Considers the state, the actor's post, role and jurisdiction; not data or guards,
        which depend on the command (a guard may still refuse it).

        Raises:
            UnknownIdError: The engine does not run the case's lifecycle.
        """
        definition = self.lifecycle(case.lifecycle)
        if (actor.person_id, actor.role, actor.unit_id) not in self._posts:
            return ()
        return tuple(
            trigger
            for trigger, transition in definition.transitions_from(case.state)
            if actor.role in transition.roles
            and self.in_jurisdiction(transition.jurisdiction, case, actor)
        )

    def replay(self, history: Sequence[HistoryRecord]) -> Case:
        """Rebuild a case from its history: ``engine.replay(case.history) == case``.

        Permissions are not re-checked (people may since have changed posts); the structure
        is: each record must follow from the state before it, in sequence, in time order.
        Effects are applied again from each record's data.

        Raises:
            ValueError: ``history`` is empty.
            UnknownIdError: The opening record names a lifecycle the engine does not run.
            InvalidTransitionError: A record does not follow from the state before it.
            TimeOrderError: A record is earlier than the one before it.
        """
        if not history:
            msg = "cannot replay an empty history"
            raise ValueError(msg)
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
            raise InvalidTransitionError(
                case_id=str(first.get("case_id")),
                state="<none>",
                trigger=first.trigger,
                detail="not an opening record",
            )
        case = self._opened(definition, first)
        extra = {k: v for k, v in first.data if k not in _OPENING_KEYS}
        if opening.effects:
            case = self._effects(definition, case, opening, first.actor, first.at, extra)
        for record in history[1:]:
            entry = definition.entry(case.state, record.trigger)
            if (
                entry is None
                or entry[0] != record.dest
                or record.source != case.state
                or record.seq != len(case.history)
            ):
                raise InvalidTransitionError(
                    case_id=case.id,
                    state=case.state,
                    trigger=record.trigger,
                    detail=f"record {record.seq} does not follow",
                )
            if record.at < case.history[-1].at:
                raise TimeOrderError(
                    case_id=case.id,
                    state=case.state,
                    trigger=record.trigger,
                    detail=f"record {record.seq} is earlier than the one before",
                )
            transition = entry[1]
            if transition.effects:
                case = self._effects(
                    definition, case, transition, record.actor, record.at, dict(record.data)
                )
            case = _advance(case, record.dest, record)
        return case

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
