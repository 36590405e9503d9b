"""The checks every command passes, in one order, before the engine builds anything.

A command is checked in the order of :data:`CHECK_ORDER`; the first check that fails raises its
:class:`~ruian_governance.TransitionError` subclass, and nothing is built before every check has
passed:

1. ``state``: the trigger is available in the case's state (``InvalidTransitionError``);
2. ``post``: the actor holds the post (``InvalidActorError``);
3. ``role``: the role may fire the trigger (``RoleNotAllowedError``);
4. ``jurisdiction``: the actor's unit lies where the transition's rule says
   (``JurisdictionError``);
5. ``time``: the time is timezone-aware, not before the case's last record
   (``TimeOrderError``) and, with a clock, not beyond its time plus the engine's tolerance
   (``FutureTimeError``);
6. ``data``: every required key is given and no unknown one (``MissingDataError``,
   ``UnexpectedDataError``), each value of its declared type (``InvalidDataError``);
7. ``guards``: every guard passes (``GuardFailedError``); each guard is called once.

:meth:`Checks.state` refuses a trigger with no transition in the state (the first check is the
look-up of that transition); :meth:`Checks.plan` gives the other checks a transition runs, in
order (a transition skips the checks that cannot refuse it: the jurisdiction check
when any unit may fire it, the guard check when it has no guards).  Opening a case, applying a
command and replaying a history all go through these checks.

>>> CHECK_ORDER
('state', 'post', 'role', 'jurisdiction', 'time', 'data', 'guards')
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import NoReturn, TypedDict

from ruian_governance._convert import require_aware
from ruian_governance.errors import (
    ArgumentError,
    ForgedHistoryError,
    FutureTimeError,
    GuardFailedError,
    InvalidActorError,
    InvalidDataError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TimeOrderError,
    UnexpectedDataError,
)
from ruian_governance.labels import TEXT_MAX, check_text
from ruian_governance.models import Actor, Case, Clock, DataValue, Hierarchy, HistoryRecord

from . import _fast, _fused
from .definition import CommandContext, LifecycleDefinition, Transition
from .parts import Jurisdiction

__all__ = [
    "CHECK_ORDER",
    "Check",
    "Checks",
    "Fused",
]

CHECK_ORDER = ("state", "post", "role", "jurisdiction", "time", "data", "guards")
"""The names of the checks, in the order a command passes them."""

Check = Callable[[Case, Actor, datetime, Mapping[str, DataValue]], None]
"""One check after the state check, compiled for one transition: ``check(case, actor, at,
data)`` raises its typed error, or returns ``None``."""

Fused = Callable[[Case, Actor, datetime, Mapping[str, DataValue]], CommandContext | None]
"""A transition's checks as one (:meth:`Checks.fused`): raises as they do, or returns the
context its guards were asked with (``None`` without guards), for the first effect."""

_Rule = Callable[[Case, Actor], bool]

_MAX_PARTIES = 50
"""The most parties a case may name."""


class _Where(TypedDict):
    """The context every refusal names: which case, in which state, which trigger, by whom."""

    case_id: str
    state: str
    trigger: str
    actor: object


def _leads(case: Case, actor: Actor) -> bool:
    """Whether the actor's unit is the case's lead unit 主办 (its first assignee)."""
    assignees = case.assignees
    return bool(assignees) and assignees[0] == actor.unit_id


def _where(case: Case, trigger: str, actor: Actor) -> _Where:
    return {"case_id": case.id, "state": case.state, "trigger": trigger, "actor": actor}


class Checks:
    """The checks of one engine, bound to its hierarchy.

    Each check after the state check is compiled once per transition (:meth:`plan`), so a
    command pays only for the checks that can refuse it.  Holds the hierarchy's posts and
    caches of its structure (a unit's town, administrative unit and ancestors); the hierarchy
    is immutable, so the caches never go stale.

    Args:
        hierarchy: The hierarchy actors and units are checked against.
        clock: The clock command times may not run ahead of (``None``: no such check).
        future_tolerance: How far ahead of the clock a command's time may be.

    Raises:
        ArgumentError: An argument of the wrong type, or a negative tolerance.
    """

    __slots__ = (
        "_above",
        "_admin",
        "_clock",
        "_hierarchy",
        "_posts",
        "_rules",
        "_tolerance",
        "_town",
    )

    def __init__(
        self,
        hierarchy: Hierarchy,
        *,
        clock: Clock | None = None,
        future_tolerance: timedelta = timedelta(minutes=5),
    ) -> None:
        units: object = hierarchy
        if not isinstance(units, Hierarchy):
            argument = "hierarchy"
            raise ArgumentError(argument, units, "a Hierarchy")
        time: object = clock
        if time is not None and not isinstance(time, Clock):
            argument = "clock"
            raise ArgumentError(argument, time, "a Clock (an object with now()) or None")
        if type(future_tolerance) is not timedelta or future_tolerance < timedelta(0):
            argument = "future_tolerance"
            raise ArgumentError(argument, future_tolerance, "a timedelta of at least 0")
        self._hierarchy = hierarchy
        self._clock = clock
        self._tolerance = future_tolerance
        intern = sys.intern
        self._posts: frozenset[tuple[str, str, str]] = frozenset(
            (intern(p.id), intern(post.role), intern(post.unit_id))
            for p in hierarchy.people
            for post in p.posts
        )
        self._town: dict[str, str | None] = {}
        self._admin: dict[str, str] = {}
        self._above: dict[str, frozenset[str]] = {}
        self._rules: dict[Jurisdiction, _Rule] = {
            Jurisdiction.ANY: lambda _case, _actor: True,
            Jurisdiction.LOCATION: self._location,
            Jurisdiction.TOWN: self._same_town,
            Jurisdiction.HOLDER: self._holder,
            Jurisdiction.HOLDER_OR_ABOVE: self._holder_or_above,
            Jurisdiction.ASSIGNED: lambda case, actor: actor.unit_id in case.assignees,
            Jurisdiction.CITY: lambda _case, actor: self._town_of(actor.unit_id) is None,
            Jurisdiction.LEAD: _leads,
            Jurisdiction.ASSISTING: lambda case, actor: actor.unit_id in case.assignees[1:],
        }

    # ---------------------------------------------------------------- what the checks ask

    def holds_post(self, actor: Actor) -> bool:
        """Whether the actor's person holds the actor's post (role in unit).

        ``False`` for anything that is not an actor.
        """
        try:
            return (actor.person_id, actor.role, actor.unit_id) in self._posts
        except (AttributeError, TypeError):  # not an actor, or one of unhashable fields
            return False

    def in_jurisdiction(self, rule: Jurisdiction, case: Case, actor: Actor) -> bool:
        """Whether ``actor``'s unit satisfies ``rule`` for ``case``.

        Raises:
            UnknownIdError: The actor's unit is not in the hierarchy.
        """
        return self._rules[rule](case, actor)

    def _location(self, case: Case, actor: Actor) -> bool:
        unit = actor.unit_id
        return unit == case.location_id or unit in self._ancestors(case.location_id)

    def _same_town(self, case: Case, actor: Actor) -> bool:
        town = self._town_of(actor.unit_id)
        return town is not None and town == self._town_of(case.location_id)

    def _holder(self, case: Case, actor: Actor) -> bool:
        unit = actor.unit_id
        return unit == case.unit_id or self._admin_of(unit) == case.unit_id

    def _holder_or_above(self, case: Case, actor: Actor) -> bool:
        unit = actor.unit_id
        admin = self._admin_of(unit)
        return case.unit_id in (unit, admin) or admin in self._ancestors(case.unit_id)

    def _town_of(self, unit_id: str) -> str | None:
        try:
            return self._town[unit_id]
        except KeyError:
            town = self._hierarchy.town_of(unit_id)
            found = None if town is None else town.id
            self._town[unit_id] = found
            return found

    def _admin_of(self, unit_id: str) -> str:
        try:
            return self._admin[unit_id]
        except KeyError:
            found = self._admin[unit_id] = self._hierarchy.admin_unit_of(unit_id)
            return found

    def _ancestors(self, unit_id: str) -> frozenset[str]:
        try:
            return self._above[unit_id]
        except KeyError:
            found = frozenset(u.id for u in self._hierarchy.ancestors(unit_id))
            self._above[unit_id] = found
            return found

    # ---------------------------------------------------------------- the checks, in order

    @staticmethod
    def state(
        case_id: str, state: str, trigger: str, actor: Actor | None, detail: str = ""
    ) -> NoReturn:
        """The state check's refusal, where the look-up of the trigger's transition found none.

        The state check is that look-up: in the compiled table for a command on a case, among
        the opening transitions for a new case, in the table again for each replayed record.

        Raises:
            InvalidTransitionError: Always: the trigger is not available in ``state``.
        """
        raise InvalidTransitionError(
            case_id=case_id, state=state, trigger=trigger, actor=actor, detail=detail
        )

    def plan(self, definition: LifecycleDefinition, transition: Transition) -> tuple[Check, ...]:
        """Return the checks after the state check that ``transition`` runs, in order.

        The checks of :data:`CHECK_ORDER` compiled for the transition, without those that
        cannot refuse it (no jurisdiction rule, no guards).
        """
        compiled = (
            self.post(transition),
            self.role(transition),
            self.jurisdiction(transition),
            self.time(transition),
            self.data(definition, transition),
            self.guards(definition, transition),
        )
        return tuple(check for check in compiled if check is not None)

    def fused(self, definition: LifecycleDefinition, transition: Transition) -> Fused:
        """Return the checks of :meth:`plan` as one check, for speed.

        The same questions in the same order, refused with the same errors
        (:func:`~ruian_governance.lifecycles._fused.fuse`).
        """
        rule = transition.jurisdiction
        return _fused.fuse(
            definition=definition,
            transition=transition,
            plan=self.plan(definition, transition),
            posts=self._posts,
            within=None if rule is Jurisdiction.ANY else self._rules[rule],
            clocked=self._clock is not None,
            hierarchy=self._hierarchy,
        )

    def post(self, transition: Transition) -> Check:
        """The post check: the actor holds the post (``InvalidActorError``)."""
        posts = self._posts
        trigger = transition.trigger

        def post(case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]) -> None:
            try:
                held = (actor.person_id, actor.role, actor.unit_id) in posts
            except (AttributeError, TypeError):  # not an actor, or one of unhashable fields
                held = False
            if not held:
                raise InvalidActorError(**_where(case, trigger, actor))

        return post

    @staticmethod
    def role(transition: Transition) -> Check:
        """The role check: the role may fire the trigger (``RoleNotAllowedError``)."""
        roles = transition.roles
        trigger = transition.trigger

        def role(case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]) -> None:
            if actor.role not in roles:
                raise RoleNotAllowedError(
                    **_where(case, trigger, actor), detail=f"allowed: {', '.join(sorted(roles))}"
                )

        return role

    def jurisdiction(self, transition: Transition) -> Check | None:
        """The jurisdiction check: the actor's unit lies where the transition's rule says.

        A unit outside raises ``JurisdictionError``; ``None`` for a transition any unit may fire.
        """
        rule = transition.jurisdiction
        if rule is Jurisdiction.ANY:
            return None
        within = self._rules[rule]
        trigger = transition.trigger

        def jurisdiction(
            case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]
        ) -> None:
            if not within(case, actor):
                raise JurisdictionError(
                    **_where(case, trigger, actor), detail=f"must be {rule.label.en}"
                )

        return jurisdiction

    def time(self, transition: Transition) -> Check:
        """The time check: aware, not before the case's last record (``TimeOrderError``).

        Aware as :func:`~ruian_governance._convert.require_aware` says; a datetime in a
        fixed-offset zone (``datetime.timezone``, e.g. China Standard Time) always is, and is
        let through without asking (``utcoffset()`` costs as much as the rest of the check).
        With a clock, a time beyond the clock's time plus the tolerance raises
        ``FutureTimeError`` (a ``TimeOrderError``).
        """
        trigger = transition.trigger
        clock = self._clock
        tolerance = self._tolerance

        def time(case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]) -> None:
            if type(at) is not datetime or type(at.tzinfo) is not timezone:
                try:
                    require_aware(at, "at")
                except ArgumentError:
                    raise TimeOrderError(
                        **_where(case, trigger, actor), detail="time must be timezone-aware"
                    ) from None
            last = case.history[-1].at
            if at < last:
                raise TimeOrderError(
                    **_where(case, trigger, actor),
                    detail=f"{at.isoformat()} is before the last record at {last.isoformat()}",
                )
            if clock is not None:
                now = require_aware(clock.now(), "clock.now()")
                if at - now > tolerance:
                    raise FutureTimeError(
                        **_where(case, trigger, actor),
                        detail=f"{at.isoformat()} is ahead of the clock's {now.isoformat()} "
                        f"by more than {tolerance}",
                    )

        return time

    @staticmethod
    def data(definition: LifecycleDefinition, transition: Transition) -> Check:
        """The data check: every required key, no unknown one, each value of its type.

        A missing key raises ``MissingDataError``, an unknown one ``UnexpectedDataError``, a
        value that is not of the type the definition declares for its key
        (:meth:`~ruian_governance.LifecycleDefinition.data_spec`) ``InvalidDataError``.  Ids
        given as a list (JSON's form) are read as the tuple they are recorded as: the check
        puts the tuple in ``data``.  For an opening command, the data is what it gives
        besides the case's facts.
        """
        requires = transition.requires
        known = requires | transition.accepts
        specs = {key: definition.data_spec(key) for key in known}
        readers = {key: spec.read for key, spec in specs.items()}
        trigger = transition.trigger

        def data_keys(
            case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]
        ) -> None:
            if data or requires:
                keys = data.keys()
                if not keys >= requires:
                    missing = requires - keys
                    raise MissingDataError(missing=missing, **_where(case, trigger, actor))
                if not keys <= known:
                    unexpected = keys - known
                    raise UnexpectedDataError(unexpected=unexpected, **_where(case, trigger, actor))
                read: dict[str, DataValue] | None = None
                for key, value in data.items():
                    found = readers[key](value)
                    if found is None:  # never a data value
                        expected = str(specs[key])
                        where = _where(case, trigger, actor)
                        raise InvalidDataError(key=key, expected=expected, **where)
                    if found is not value:
                        read = {key: found} if read is None else {**read, key: found}
                if read is not None:  # the engine's own dict of the command's data
                    data.update(read)  # type: ignore[attr-defined]

        return data_keys

    def guards(self, definition: LifecycleDefinition, transition: Transition) -> Check | None:
        """The guard check: every guard passes, each asked once (``GuardFailedError``).

        ``None`` for a transition without guards.
        """
        guards = transition.guards
        if not guards:
            return None
        hierarchy = self._hierarchy
        trigger = transition.trigger

        def guard(case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]) -> None:
            context = _fast.context(case, trigger, actor, at, data, hierarchy, definition)
            for each in guards:
                if not each.check(context):
                    raise GuardFailedError(
                        guard=each.key, **_where(case, trigger, actor), detail=each.label.en
                    )

        return guard

    # ---------------------------------------------------------------- facts and records

    @staticmethod
    def parties(parties: object) -> tuple[str, ...]:
        """Check the parties of a new case: up to 50 names (one name alone is one party).

        Each is a name as :func:`~ruian_governance.labels.check_text` says (a person's name,
        with a phone number say: one line of at most 500 characters).

        Raises:
            ArgumentError: ``parties`` is not a list of names, or too long, or a name is not
                a name.
        """
        names = (parties,) if isinstance(parties, str) else parties
        if not isinstance(names, tuple | list) or len(names) > _MAX_PARTIES:
            argument = "parties"
            reason = f"a list of up to {_MAX_PARTIES} names of at most {TEXT_MAX} characters"
            raise ArgumentError(argument, parties, reason)
        for name in names:
            check_text(name, "parties")
        return tuple(names)

    @staticmethod
    def recorded_data(
        case_id: object, record: object, reserved: frozenset[str]
    ) -> dict[str, DataValue]:
        """A record's data as a dict, once its shape is that of a record the engine makes.

        Raises:
            ForgedHistoryError: Not a history record, a field of the wrong type, data that is
                not distinct ``(key, value)`` pairs, or a key in ``reserved`` (the command's
                own arguments).
        """
        seq = getattr(record, "seq", None)
        where = seq if type(seq) is int else None
        if type(record) is not HistoryRecord:
            reason = f"a {type(record).__name__} is not a HistoryRecord"
            raise ForgedHistoryError(case_id, where, reason)
        if (
            type(record.seq) is not int
            or type(record.trigger) is not str
            or not isinstance(record.actor, Actor)
        ):
            reason = "its sequence number, trigger or actor is of the wrong type"
            raise ForgedHistoryError(case_id, where, reason)
        pairs = record.data
        if type(pairs) is not tuple or not all(
            type(p) is tuple and len(p) == 2 and type(p[0]) is str for p in pairs
        ):
            raise ForgedHistoryError(case_id, where, "its data is not (key, value) pairs")
        data = dict(pairs)
        if len(data) != len(pairs):
            raise ForgedHistoryError(case_id, where, "its data repeats a key")
        clash = sorted(data.keys() & reserved)
        if clash:
            raise ForgedHistoryError(case_id, where, f"no command has data {', '.join(clash)}")
        return data

    @staticmethod
    def opening_record(
        case_id: object, first: object, mark: str
    ) -> tuple[str, dict[str, DataValue]]:
        """An opening record's lifecycle key, and the rest of its data (``mark`` left out).

        Raises:
            ForgedHistoryError: Not a record as :meth:`recorded_data` says, or without the
                case's lifecycle, id, location or category.
        """
        facts = Checks.recorded_data(case_id, first, frozenset(("trigger", "actor", "at")))
        facts.pop(mark, None)
        needed = ("lifecycle", "case_id", "location_id", "category")
        missing = [key for key in needed if key not in facts]
        if missing:
            reason = f"the opening record lacks the case's {', '.join(sorted(missing))}"
            raise ForgedHistoryError(case_id, 0, reason)
        lifecycle = facts.pop("lifecycle")
        if not isinstance(lifecycle, str):
            raise ForgedHistoryError(case_id, 0, f"lifecycle {lifecycle!r} is not a key")
        return lifecycle, facts

    @staticmethod
    def same_record(case_id: object, made: HistoryRecord, given: HistoryRecord) -> None:
        """Refuse a record that differs from the one the engine made for the same command.

        Raises:
            ForgedHistoryError: A field differs (named in the reason).
        """
        if made != given:
            differ = [
                name
                for name in ("seq", "trigger", "source", "dest", "actor", "at", "data")
                if getattr(made, name) != getattr(given, name)
            ]
            reason = f"its {', '.join(differ)} differ from the record its command makes"
            seq = given.seq if type(given.seq) is int else None
            raise ForgedHistoryError(case_id, seq, reason)
