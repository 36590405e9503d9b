"""Hand-tuned construction of the engine's immutable values (private to the engine).

attrs' generated ``__init__`` of a frozen slotted class sets each field through
``object.__setattr__``; writing the slots through their member descriptors builds an equal
object in about half the time.  ``benchmarks/bench_lifecycle.py`` measures what this saves per
command (its ``engine, attrs-built values`` line builds the same values through attrs), and
``tests/test_lifecycle_fast.py`` checks that every value built here equals the one attrs
builds from the same fields, for random inputs.  Adding a field to one of these classes makes
that test fail until the constructor here sets it too.

Faster still on the paths every command takes (:func:`followed`, :func:`record`): a twin class
with the same slots and no frozen ``__setattr__`` has its slots written by its own plain
``__init__`` (the interpreter's fast slot stores), then the object's class is set to the real
one; CPython allows that only between classes of the same layout and slot names, and refuses
(``TypeError``) anything else.  The result is an ordinary instance of the real class.

The engine builds values here only after a command passed every check.  A case built here
carries the seal it is given (:func:`opened`, :func:`sealed`) or the one of the case it follows
(:func:`dated`, :func:`advance`): the mark of the engine that made the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ruian_governance.models import Actor, Case, DataValue, Hierarchy, HistoryRecord

from .definition import CommandContext, LifecycleDefinition

__all__ = [
    "EFFECT_FIELDS",
    "Seal",
    "advance",
    "context",
    "dated",
    "dated_now",
    "followed",
    "marked",
    "opened",
    "opening",
    "record",
    "sealed",
]

EFFECT_FIELDS = frozenset({"unit_id", "assignees", "severity", "due_at", "parties"})
"""The case fields an :class:`~ruian_governance.Effect` may change (all others are refused)."""

_new = object.__new__


class Seal:
    """One engine's mark on the cases it made (never copied out of the process)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[None], tuple[()]]:
        """A pickled or deep-copied case is unmarked: it is verified before it is used."""
        return type(None), ()


def _setters(cls: type, *names: str) -> tuple[Any, ...]:
    return tuple(cls.__dict__[name].__set__ for name in names)


class _RecordSlots:
    """:class:`~ruian_governance.HistoryRecord`'s slots, written plainly; then made one."""

    __slots__ = ("seq", "trigger", "source", "dest", "actor", "at", "data")  # noqa: RUF023

    def __init__(  # noqa: PLR0913, PLR0917 - one argument per field
        self,
        seq: int,
        trigger: str,
        source: str | None,
        dest: str,
        actor: Actor,
        at: datetime,
        data: tuple[tuple[str, DataValue], ...],
    ) -> None:
        self.seq = seq
        self.trigger = trigger
        self.source = source
        self.dest = dest
        self.actor = actor
        self.at = at
        self.data = data


class _CaseSlots:
    """:class:`~ruian_governance.Case`'s slots, written plainly; then made a case."""

    __slots__ = (  # noqa: RUF023 - the case's, in its order
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
        "_seal",
    )

    def __init__(  # noqa: PLR0913, PLR0917 - one argument per field
        self,
        id: str,  # noqa: A002 - the field's name
        lifecycle: str,
        state: str,
        location_id: str,
        unit_id: str,
        assignees: tuple[str, ...],
        reporter_id: str,
        parties: tuple[str, ...],
        category: str,
        severity: str | None,
        opened_at: datetime,
        due_at: datetime | None,
        history: tuple[HistoryRecord, ...],
        version: int,
        seal: object,
    ) -> None:
        self.id = id
        self.lifecycle = lifecycle
        self.state = state
        self.location_id = location_id
        self.unit_id = unit_id
        self.assignees = assignees
        self.reporter_id = reporter_id
        self.parties = parties
        self.category = category
        self.severity = severity
        self.opened_at = opened_at
        self.due_at = due_at
        self.history = history
        self.version = version
        self._seal = seal


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
    _c_seal,
) = _setters(Case, *_CaseSlots.__slots__)
(_m_case, _m_trigger, _m_actor, _m_at, _m_data, _m_hierarchy, _m_lifecycle) = _setters(
    CommandContext, "case", "trigger", "actor", "at", "data", "hierarchy", "lifecycle"
)


def record(  # noqa: PLR0913, PLR0917 - one argument per field
    seq: int,
    trigger: str,
    source: str | None,
    dest: str,
    actor: Actor,
    at: datetime,
    data: tuple[tuple[str, DataValue], ...],
) -> HistoryRecord:
    """A :class:`~ruian_governance.HistoryRecord` with these fields."""
    new = _RecordSlots(seq, trigger, source, dest, actor, at, data)
    new.__class__ = HistoryRecord  # type: ignore[assignment]
    return new  # type: ignore[return-value]


def opened(  # noqa: PLR0913 - the facts of a new case, keyword-only
    *,
    lifecycle: str,
    first: HistoryRecord,
    case_id: str,
    location_id: str,
    unit_id: str,
    parties: tuple[str, ...],
    category: str,
    severity: str | None,
    due_at: datetime | None,
    seal: object,
) -> Case:
    """A new case at version 0 whose history is its opening record ``first``, with ``seal``."""
    new: Any = _CaseSlots(
        case_id,
        lifecycle,
        first.dest,
        location_id,
        unit_id,
        (),
        first.actor.person_id,
        parties,
        category,
        severity,
        first.at,
        due_at,
        (first,),
        0,
        seal,
    )
    new.__class__ = Case
    return new  # type: ignore[no-any-return]


def opening(  # noqa: PLR0913, PLR0917 - the parts of an opening command
    definition: LifecycleDefinition,
    trigger: str,
    facts: tuple[str, str, str, str | None, tuple[str, ...]],
    holder: str,
    actor: Actor,
    at: datetime,
    data: Mapping[str, DataValue],
    shared: Callable[[Any], Any],
    seal: object,
) -> Case:
    """The case an opening command opens (before its deadline and effects), with its record.

    The record's data is the case's facts (lifecycle, id, location, category, severity,
    parties) and the command's ``data``, sorted; ``shared`` gives the engine's shared copy of
    a value.
    """
    case_id, location_id, category, severity, parties = facts
    pairs: list[tuple[str, DataValue]] = [
        shared(("lifecycle", definition.key)),
        ("case_id", case_id),
        shared(("location_id", location_id)),
        shared(("category", category)),
    ]
    if severity is not None:
        pairs.append(shared(("severity", severity)))
    if parties:
        pairs.append(("parties", parties))
    pairs.extend(shared(item) for item in data.items())
    pairs.sort()
    first = record(0, trigger, None, definition.initial.key, actor, at, tuple(pairs))
    return opened(
        lifecycle=definition.key,
        first=first,
        case_id=case_id,
        location_id=location_id,
        unit_id=holder,
        parties=parties,
        category=category,
        severity=severity,
        due_at=None,
        seal=seal,
    )


def dated(case: Case, due_at: datetime | None) -> Case:
    """``case`` with its deadline set to ``due_at`` (nothing else changes)."""
    new: Case = _new(Case)
    _c_id(new, case.id)
    _c_lifecycle(new, case.lifecycle)
    _c_state(new, case.state)
    _c_location_id(new, case.location_id)
    _c_unit_id(new, case.unit_id)
    _c_assignees(new, case.assignees)
    _c_reporter_id(new, case.reporter_id)
    _c_parties(new, case.parties)
    _c_category(new, case.category)
    _c_severity(new, case.severity)
    _c_opened_at(new, case.opened_at)
    _c_due_at(new, due_at)
    _c_history(new, case.history)
    _c_version(new, case.version)
    _c_seal(new, case._seal)
    return new


def dated_now(case: Case, due_at: datetime | None) -> Case:
    """``case`` with its deadline set to ``due_at``, in place: as :func:`dated`, without a copy.

    Only for a case the engine has just built and not yet given out (as :func:`sealed`).
    """
    _c_due_at(case, due_at)
    return case


def marked(case: Case, key: str) -> Case:
    """``case`` with ``(key, True)`` added to the data of its last record.

    Rare: the engine's mark of a provisional deadline.
    """
    last = case.history[-1]
    data = tuple(sorted((*last.data, (key, True))))
    mark = record(last.seq, last.trigger, last.source, last.dest, last.actor, last.at, data)
    new: Case = _new(Case)
    for name, value in attrs.asdict(case, recurse=False).items():
        object.__setattr__(new, name, value)
    _c_history(new, (*case.history[:-1], mark))
    _c_seal(new, case._seal)
    return new


def sealed(case: Case, seal: object) -> Case:
    """``case`` with ``seal`` set; only for a case the engine has just built."""
    _c_seal(case, seal)
    return case


def advance(
    case: Case, state: str, last: HistoryRecord, changes: Mapping[str, Any] | None = None
) -> Case:
    """The next version of ``case``: in ``state``, ``last`` appended, ``changes`` made.

    ``changes`` holds only :data:`EFFECT_FIELDS` (the engine refuses any other first).
    """
    new: Case = _new(Case)
    _c_id(new, case.id)
    _c_lifecycle(new, case.lifecycle)
    _c_state(new, state)
    _c_location_id(new, case.location_id)
    _c_reporter_id(new, case.reporter_id)
    _c_category(new, case.category)
    _c_opened_at(new, case.opened_at)
    _c_history(new, (*case.history, last))
    _c_version(new, case.version + 1)
    _c_seal(new, case._seal)
    if changes:
        _c_unit_id(new, changes.get("unit_id", case.unit_id))
        _c_assignees(new, changes.get("assignees", case.assignees))
        _c_severity(new, changes.get("severity", case.severity))
        _c_due_at(new, changes.get("due_at", case.due_at))
        _c_parties(new, changes.get("parties", case.parties))
    else:
        _c_unit_id(new, case.unit_id)
        _c_assignees(new, case.assignees)
        _c_severity(new, case.severity)
        _c_due_at(new, case.due_at)
        _c_parties(new, case.parties)
    return new


def followed(  # noqa: PLR0913, PLR0917 - the parts of a command that passed its checks
    case: Case,
    state: str,
    trigger: str,
    actor: Actor,
    at: datetime,
    data: tuple[tuple[str, DataValue], ...],
    changes: Mapping[str, Any] | None,
) -> Case:
    """The next version of ``case``, with the record of ``trigger`` appended, in one call.

    The same as :func:`advance` of ``case`` with the record (:func:`record`) of ``trigger``
    fired by ``actor`` at ``at`` with ``data``, from the case's state to ``state``.
    """
    history = case.history
    last: Any = _RecordSlots(len(history), trigger, case.state, state, actor, at, data)
    last.__class__ = HistoryRecord
    new: Any
    if changes:
        get = changes.get
        new = _CaseSlots(
            case.id,
            case.lifecycle,
            state,
            case.location_id,
            get("unit_id", case.unit_id),
            get("assignees", case.assignees),
            case.reporter_id,
            get("parties", case.parties),
            case.category,
            get("severity", case.severity),
            case.opened_at,
            get("due_at", case.due_at),
            (*history, last),
            case.version + 1,
            case._seal,
        )
    else:
        new = _CaseSlots(
            case.id,
            case.lifecycle,
            state,
            case.location_id,
            case.unit_id,
            case.assignees,
            case.reporter_id,
            case.parties,
            case.category,
            case.severity,
            case.opened_at,
            case.due_at,
            (*history, last),
            case.version + 1,
            case._seal,
        )
    new.__class__ = Case
    return new  # type: ignore[no-any-return]


def context(  # noqa: PLR0913, PLR0917 - one argument per field
    case: Case,
    trigger: str,
    actor: Actor,
    at: datetime,
    data: Mapping[str, DataValue],
    hierarchy: Hierarchy,
    lifecycle: LifecycleDefinition,
) -> CommandContext:
    """The :class:`~ruian_governance.lifecycles.CommandContext` guards and effects receive."""
    new: CommandContext = _new(CommandContext)
    _m_case(new, case)
    _m_trigger(new, trigger)
    _m_actor(new, actor)
    _m_at(new, at)
    _m_data(new, data)
    _m_hierarchy(new, hierarchy)
    _m_lifecycle(new, lifecycle)
    return new
