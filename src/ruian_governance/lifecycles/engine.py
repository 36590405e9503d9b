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
>>> " ".join(engine.allowed(case, operator))
'escalate dispatch joint_meeting supervise withdraw_citizen merge take_duplicate link'
>>> engine.verify(attrs.evolve(case)) == case
True
>>> engine.apply(attrs.evolve(case, assignees=("t0001.s01",)), "accept", actor=operator,
...              at=t0 + timedelta(hours=2))
Traceback (most recent call last):
...
ruian_governance.errors.ForgedHistoryError: case 'E1': the case does not follow from the rules: ...

A case the engine made carries its private mark; any other case value (a store's decoding, a
document, ``attrs.evolve``) is verified (:meth:`Engine.verify`, a replay of its history) before
a command runs on it: verify a case read from a store or a document once, and go on from the
case ``verify`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import (
    ArgumentError,
    ForgedHistoryError,
    InvalidActorError,
    RuianGovernanceError,
    UnknownIdError,
    UnknownReferenceError,
)
from ruian_governance.labels import check_identifier
from ruian_governance.models import (
    Actor,
    Case,
    Clock,
    DataValue,
    Hierarchy,
    HistoryRecord,
)

from . import _effects, _fast
from .checks import Checks, Fused
from .definition import LifecycleDefinition, Transition
from .parts import Jurisdiction
from .warnings import is_late

__all__ = [
    "PROVISIONAL",
    "Engine",
]

PROVISIONAL = "deadline_provisional"
"""The data key the engine adds (``True``) to the record of a command that set a deadline
counted past its calendar's coverage with the weekday fallback
(:meth:`~ruian_governance.DeadlinePolicy.provisional`); no lifecycle may use it."""

_CACHE_LIMIT = 16_384
"""How many deadlines (and category ids) an engine remembers."""

_DATA_LIMIT = 262_144
"""How many distinct data tuples an engine shares between records at a time (see
``Engine._shared``): room for the opening facts of a city of 100,000 grids (each grid's
location pair) besides the commands' data, in about 30 MB at most."""

_Step = tuple[str, Transition, Fused, LifecycleDefinition]
"""What a (lifecycle, state, trigger) leads to: dest, transition, its checks fused
into one (:meth:`Checks.fused`), definition."""

_APPLY_KEYWORDS = frozenset(("case", "trigger", "actor", "at"))
"""Names no command data can use: :meth:`Engine.apply` takes them as its own arguments."""

_Facts = tuple[str, str, str, str | None, tuple[str, ...]]
"""A new case's id, location, category, severity and parties."""

_CASE_FIELDS = tuple(a.name for a in attrs.fields(Case) if a.eq and a.name != "history")
"""The fields :meth:`Engine.verify` compares with the rebuilt case (records one by one)."""


class Engine:
    """Opens cases and applies commands, for one hierarchy and the lifecycles it is given.

    The engine holds no cases; it is a pure function of its inputs, plus look-up caches that
    only ever hold facts of the (immutable) hierarchy and definitions.

    Args:
        hierarchy: The hierarchy actors and units are checked against.
        lifecycles: The lifecycle definitions it runs (e.g.
            :data:`~ruian_governance.BUILTIN_LIFECYCLES`, or extensions of them).
        clock: The application's clock (give the store the same one).  With it, a command's
            time may not lie beyond the clock's time plus ``future_tolerance``
            (``FutureTimeError``): a future time cannot make a case overdue, nor freeze it.
            Without it the caller's ``at=`` is trusted (simulations, replays of past records).
        future_tolerance: How far ahead of the clock a time may be (clocks drift): 5 minutes.

    Raises:
        ArgumentError: ``lifecycles`` holds something other than a lifecycle definition, or
            one whose commands take the data key ``deadline_provisional`` (the engine's own
            mark); ``clock`` is not a clock; ``future_tolerance`` is not a duration of at
            least 0.
        UnknownReferenceError: A lifecycle names a role the hierarchy does not know.
    """

    __slots__ = (
        "_categories",
        "_checks",
        "_data",
        "_definitions",
        "_dues",
        "_hierarchy",
        "_holders",
        "_openings",
        "_provisional",
        "_seal",
        "_steps",
    )

    def __init__(
        self,
        hierarchy: Hierarchy,
        lifecycles: Iterable[LifecycleDefinition],
        *,
        clock: Clock | None = None,
        future_tolerance: timedelta = timedelta(minutes=5),
    ) -> None:
        # the checks refuse a hierarchy, clock or tolerance of the wrong type first
        checks = self._checks = Checks(hierarchy, clock=clock, future_tolerance=future_tolerance)
        listed: object = lifecycles
        if not isinstance(listed, Iterable) or isinstance(listed, str | bytes):
            argument = "lifecycles"
            raise ArgumentError(argument, listed, "LifecycleDefinition instances")
        self._hierarchy = hierarchy
        self._definitions: dict[str, LifecycleDefinition] = {}
        roles = hierarchy.all_roles
        given: tuple[object, ...] = tuple(lifecycles)
        for definition in given:
            if not isinstance(definition, LifecycleDefinition):
                argument = "lifecycles"
                raise ArgumentError(argument, definition, "LifecycleDefinition instances")
            if any(PROVISIONAL in t.requires | t.accepts for t in definition.transitions):
                argument = "lifecycles"
                reason = f"lifecycles whose commands do not take {PROVISIONAL!r} (the engine's)"
                raise ArgumentError(argument, definition.key, reason)
            missing = definition.role_keys - set(roles)
            if missing:
                raise UnknownReferenceError(
                    definition.key, missing, "roles the hierarchy does not know"
                )
            self._definitions[definition.key] = definition
        self._steps: dict[tuple[str, str, str], _Step] = {
            (key, *pair): (dest, transition, checks.fused(definition, transition), definition)
            for key, definition in self._definitions.items()
            for pair, (dest, transition) in definition.table.items()
        }
        self._openings: dict[tuple[str, str], tuple[Transition, Fused]] = {
            (key, t.trigger): (t, checks.fused(definition, t))
            for key, definition in self._definitions.items()
            for t in definition.transitions
            if t.opening
        }
        self._data: dict[Any, Any] = {}
        self._holders: dict[tuple[str, str], str] = {}
        self._dues: dict[tuple[str, str, Any, Any], datetime] = {}
        self._seal = _fast.Seal()
        self._categories: set[str] = set()
        self._provisional = frozenset(  # lifecycles whose deadlines may be provisional
            key for key, d in self._definitions.items() if d.deadlines.weekday_fallback
        )

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
            ArgumentError: ``key`` is not a string.
            UnknownIdError: The engine runs no lifecycle with this key.
        """
        if type(key) is not str:
            argument = "lifecycle"
            raise ArgumentError(argument, key, "a lifecycle key")
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
        if type(location_id) is not str:
            check_identifier(location_id, "location_id")
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
            ArgumentError: ``rule``, ``case`` or ``actor`` is not of its type.
            UnknownIdError: The actor's unit is not in the hierarchy.
        """
        for argument, value, kind in (("rule", rule, Jurisdiction), ("case", case, Case),
                                      ("actor", actor, Actor)):  # fmt: skip
            if not isinstance(value, kind):
                raise ArgumentError(argument, value, f"a {kind.__name__}")
        try:
            return self._checks.in_jurisdiction(rule, case, actor)
        except TypeError:  # an actor's unit that is not an id
            return False

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
            ArgumentError: ``case_id``, ``location_id`` or ``category`` is not an id
                (:func:`~ruian_governance.labels.check_identifier`), or ``parties`` is not up
                to 50 names (:func:`~ruian_governance.labels.check_text`).
            UnknownIdError: Unknown lifecycle, location or severity.
            InvalidTransitionError, InvalidActorError, RoleNotAllowedError, JurisdictionError,
                TimeOrderError, MissingDataError, UnexpectedDataError, InvalidDataError,
                GuardFailedError: As for :meth:`apply`.
            CalendarCoverageError: The case's deadline counts working days past the calendar's
                last covered day, and the calendar refuses them (``beyond="refuse"``, the
                default of :class:`~ruian_governance.models.ChineseWorkdays`).
            ArgumentError: Also when the deadline would end after the year 9999.
        """
        definition = self.lifecycle(lifecycle)
        key = definition.key
        check_identifier(case_id, "case_id")
        categories = self._categories  # the categories found to be ids before
        if type(category) is not str or category not in categories:
            check_identifier(category, "category")
            if len(categories) < _CACHE_LIMIT:
                categories.add(category)
        names = () if parties == () else Checks.parties(parties)
        facts = (case_id, location_id, category, severity, names)
        holder = self.holder_for(definition, location_id)  # checks the location exists
        if severity is not None:
            if type(severity) is not str:
                argument = "severity"
                raise ArgumentError(argument, severity, "a severity key or None")
            if severity not in definition.severity_keys:
                raise UnknownIdError(severity, f"the severities of lifecycle {lifecycle!r}")
        found = self._openings.get((lifecycle, trigger)) if type(trigger) is str else None
        if found is None:
            initial = definition.initial.key
            self._checks.state(case_id, initial, trigger, actor, "not an opening trigger")
        opening, check = found
        who: object = actor
        if not isinstance(who, Actor):  # the post check's refusal, before the case is built
            initial = definition.initial.key
            raise InvalidActorError(case_id=case_id, state=initial, trigger=trigger, actor=actor)
        given = tuple(data.values()) if data else ()
        # The case the opening command is checked against.  Its deadline needs a time the
        # checks have accepted, so it is set once they all have.
        case = _fast.opening(
            definition, opening.trigger, facts, holder, actor, at, data, self._shared, self._seal
        )
        check(case, actor, at, data)
        if data and any(a is not b for a, b in zip(given, data.values(), strict=True)):
            # the data check read ids given as a list as the tuple they are recorded as
            case = _fast.opening(
                definition,
                opening.trigger,
                facts,
                holder,
                actor,
                at,
                data,
                self._shared,
                self._seal,
            )
        if severity is not None and severity in definition.deadlines.by_severity:
            case = _fast.dated_now(case, self._due(definition, severity, at))
        if opening.effects:
            changes = _effects.changes(definition, case, opening, actor, at, data, self._hierarchy)
            case = _fast.sealed(attrs.evolve(case, **changes), self._seal)
        due = case.due_at
        if due is not None and key in self._provisional and definition.deadlines.provisional(due):
            case = _fast.marked(case, PROVISIONAL)
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
        aware, not earlier than the last record and not ahead of the clock, the data has every
        required key, no unknown one and each value of its type, and every guard passes (each
        asked once).  The first check that fails
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
                TimeOrderError (FutureTimeError: ahead of the clock), MissingDataError,
                UnexpectedDataError, InvalidDataError, GuardFailedError: The command was
                refused; nothing changed.
            CalendarCoverageError, ArgumentError: A deadline the command sets, as for
                :meth:`open`; nothing changed.
        """
        try:
            made = case._seal is self._seal
        except AttributeError:  # not a case: verify says so
            made = False
        if not made:
            case = self.verify(case)
        state = case.state
        try:
            step = self._steps.get((case.lifecycle, state, trigger))
        except TypeError:  # an unhashable trigger: not one
            step = None
        if step is None:
            if case.lifecycle not in self._definitions:
                raise UnknownIdError(case.lifecycle, "the engine's lifecycles")
            self._checks.state(case.id, state, trigger, actor)
        dest, transition, check, definition = step
        context = check(case, actor, at, data)  # the guards' context, if any: effects share it
        changes = (
            _effects.changes(
                definition, case, transition, actor, at, data, self._hierarchy, context
            )
            if transition.effects
            else None
        )
        pairs: tuple[tuple[str, DataValue], ...] = ()
        if data:
            pairs = tuple(data.items())
            pairs = self._shared(pairs if len(pairs) == 1 else tuple(sorted(pairs)))
        new = _fast.followed(case, dest, transition.trigger, actor, at, pairs, changes)
        if changes and case.lifecycle in self._provisional:
            due = changes.get("due_at")
            if due is not None and definition.deadlines.provisional(due):
                return _fast.marked(new, PROVISIONAL)
        return new

    def allowed(self, case: Case, actor: Actor) -> tuple[str, ...]:
        """Return the triggers ``actor`` may fire on ``case`` now, in definition order.

        Considers the state, the actor's post, role and jurisdiction; not data or guards,
        which depend on the command (a guard may still refuse it).  A case this engine did not
        make is verified first, as for :meth:`apply`.

        Raises:
            UnknownIdError: The engine does not run the case's lifecycle.
            ForgedHistoryError: As for :meth:`apply`.
        """
        if getattr(case, "_seal", None) is not self._seal:
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
        """Rebuild a case from its history: ``engine.replay(case.history) == case``.

        The same checked replay as :meth:`verify` (each record run again as the command it
        records, with every check), without a case to compare the result with.

        Raises:
            ArgumentError: ``history`` is empty.
            ForgedHistoryError: A record is not a legal command (the check's refusal is the
                ``__cause__``).
        """
        if not isinstance(history, tuple | list) or not history:
            argument = "history"
            raise ArgumentError(argument, history, "a list of records, the opening one first")
        first = history[0]
        case_id = first.get("case_id") if type(first) is HistoryRecord else None
        return self._rebuild(case_id, tuple(history))

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
        their posts does not verify.  It costs a replay: verify a case read from a store once.

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
        rebuilt = self._rebuild(case_id, case.history)
        for field in _CASE_FIELDS:
            made, given = getattr(rebuilt, field), getattr(case, field)
            if type(made) is not type(given) or made != given:  # True is not version 1
                reason = f"its {field} differs from the one its history gives"
                raise ForgedHistoryError(case_id, None, reason)
        return rebuilt

    def _rebuild(self, case_id: object, history: object) -> Case:
        """The case ``history`` gives, each record run again as the command it records."""
        if type(history) is not tuple or not history:
            raise ForgedHistoryError(case_id, 0, "the history has no opening record")
        rebuilt = self._verified_opening(case_id, history[0])
        for record in history[1:]:
            data = Checks.recorded_data(case_id, record, _APPLY_KEYWORDS)
            data.pop(PROVISIONAL, None)  # the engine's own mark: made again if due
            try:
                rebuilt = self.apply(
                    rebuilt, record.trigger, actor=record.actor, at=record.at, **data
                )
            except RuianGovernanceError as error:
                raise ForgedHistoryError(case_id, record.seq, str(error)) from error
            Checks.same_record(case_id, rebuilt.history[-1], record)
        return rebuilt

    def _verified_opening(self, case_id: object, first: HistoryRecord) -> Case:
        """The case the opening record ``first`` opens, run again as the opening command."""
        lifecycle, facts = Checks.opening_record(case_id, first, PROVISIONAL)
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

        Paused time is not counted late (:func:`~ruian_governance.lifecycles.warnings.is_late`).

        Supervision (督办) and escalation stay explicit triggers for the caller to fire.

        Raises:
            ArgumentError: ``now`` is not an aware datetime, or a case is not a ``Case``.
            UnknownIdError: A case's lifecycle is not run by this engine.
        """
        require_aware(now, "now")
        late: list[Case] = []
        given: object = cases
        if not isinstance(given, Iterable):
            argument = "cases"
            raise ArgumentError(argument, given, "an iterable of cases")
        for case in given:
            if not isinstance(case, Case):
                argument = "cases"
                raise ArgumentError(argument, case, "Case values")
            due = case.due_at
            if due is None or now < due:
                continue
            if is_late(case, self.lifecycle(case.lifecycle), now):
                late.append(case)
        return tuple(late)

    # ---------------------------------------------------------------- caches

    def _shared(self, value: Any) -> Any:
        """Return an equal, shared copy of a hashable data tuple (bounded cache), or ``value``.

        A full cache is emptied and fills again with what comes next, rather than sharing the
        first :data:`_DATA_LIMIT` tuples forever: a large city's grids and citizens' references
        filled it within a day, and every tuple after went unshared (a copy, and a text for
        each record in the tables and digests, the more so the larger the city).
        """
        data = self._data
        try:
            found = data.get(value)
        except TypeError:  # unhashable data is kept as given
            return value
        if found is not None:
            return found
        if len(data) >= _DATA_LIMIT:
            data.clear()
        data[value] = value
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
