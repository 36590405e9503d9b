"""The exception hierarchy of ruian_governance.

Every error the library raises on purpose derives from :class:`RuianGovernanceError`, and also
from the built-in exception that fits (``ValueError``, ``LookupError``, ...), so callers can catch
either.  Each error keeps its context as attributes and builds its own message.

>>> from ruian_governance import Hierarchy, UnknownIdError, ruian_preset
>>> try:
...     ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                  micro_grid_workers=0).unit("nowhere")
... except UnknownIdError as error:
...     print(error.id, isinstance(error, LookupError))
nowhere True
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from typing import NotRequired, TypedDict, Unpack

# Several names a line (fmt: skip): the hierarchy's many short names would take 45 lines.
__all__ = [
    "AmbiguousTransitionError", "AnalysisError", "ArgumentError", "CalendarCoverageError",
    "CaseStoreError", "CategoryTableError", "CommandRoomError", "ConflictError", "DataError",
    "DuplicateIdError", "DuplicateKeyError", "FinalStateExitError", "ForgedHistoryError",
    "FutureTimeError", "GuardFailedError", "HierarchyError", "InitialStateError",
    "InvalidActorError", "InvalidDataError", "InvalidTransitionError", "JurisdictionError",
    "LifecycleDefinitionError", "MissingDataError", "MissingParentError", "NoDepartmentError",
    "NoStationError", "Open311Error", "OrphanError", "ParentLevelError", "PlatformSetError",
    "RoleNotAllowedError", "RouteError", "RuianGovernanceError", "SimulationConfigError",
    "StationPlacementError", "StoreBusyError", "StoreCorruptError", "StoreMismatchError",
    "StoreReadOnlyError", "TimeOrderError", "TransitionError", "TrapStateError",
    "UnexpectedDataError", "UnknownCategoryError", "UnknownIdError", "UnknownKindError",
    "UnknownReferenceError", "UnknownRoutingKindError", "UnreachableStateError",
    "WorkerAssignmentError",
]  # fmt: skip

_SHOWN = 10


def _shown(items: Iterable[str], separator: str = ", ") -> str:
    """Join the first few items of a list, and say how many more there are, for a message."""
    listed = list(items)
    shown = separator.join(listed[:_SHOWN])
    if len(listed) > _SHOWN:
        shown += f"{separator}... ({len(listed) - _SHOWN} more)"
    return shown


_REPR = reprlib.Repr()  # bounded: a 100k-deep list or a 10 MB string is shown in a few steps
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 3, 200, 200, 200


def _clipped_repr(value: object) -> str:
    """``repr(value)`` in at most 80 characters, whatever the value (deep, huge or hostile)."""
    try:
        shown = _REPR.repr(value)
    except Exception:  # a value whose repr fails is still reported, by its type
        shown = f"<{type(value).__name__} object>"
    return shown if len(shown) <= 80 else shown[:77] + "..."


_r = _clipped_repr  # short, for the messages below


def _rule_message(rule: str, keys: tuple[str, ...], detail: str) -> str:
    """``rule: 'a', 'b' (detail)``: a broken rule, its sorted offending keys, an optional detail."""
    message = f"{rule}: {_shown(_r(key) for key in keys)}"
    return f"{message} ({detail})" if detail else message


class RuianGovernanceError(Exception):
    """Root of every error raised by ruian_governance.

    Added in 0.1.0.
    """


class ArgumentError(RuianGovernanceError, ValueError):
    """A function or constructor was called with an argument it does not accept.

    ``argument`` names the parameter (or field), ``value`` is what was passed (clipped in the
    message, however deep or large) and ``reason`` says what was expected.

    >>> ArgumentError("days", -1, "a whole number of at least 1").argument
    'days'

    Added in 0.2.0.
    """

    def __init__(self, argument: str, value: object, reason: str) -> None:
        self.argument = argument
        self.value = value
        self.reason = reason
        super().__init__(f"{argument}={_r(value)}: expected {reason}")


# --------------------------------------------------------------------------- hierarchy


class _RuleError(RuianGovernanceError, ValueError):
    """A definition broke one of its rules: the base of the hierarchy and lifecycle rule errors.

    Each subclass names its rule in the class statement (``class X(HierarchyError, rule=...)``),
    so the many rule errors differ only in their rule and docstring.
    """

    rule: str = "rule"

    def __init_subclass__(cls, *, rule: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if rule:
            cls.rule = rule


class HierarchyError(_RuleError, rule="hierarchy rule"):
    """A :class:`~ruian_governance.Hierarchy` broke one of its structural rules.

    Each rule has its own subclass; ``ids`` holds every offending id found for that rule.

    Added in 0.1.0.
    """

    def __init__(self, ids: Iterable[str], detail: str = "") -> None:
        self.ids: tuple[str, ...] = tuple(sorted(ids))
        self.detail = detail
        super().__init__(_rule_message(self.rule, self.ids, detail))


class DuplicateIdError(HierarchyError, rule="duplicate ids"):
    """Two or more entities of a hierarchy share an id.

    Added in 0.1.0.
    """


class MissingParentError(HierarchyError, rule="parent does not exist"):
    """An entity names a parent (unit, town, platform, city) that does not exist.

    Added in 0.1.0.
    """


class ParentLevelError(HierarchyError, rule="parent is not one level up"):
    """A unit's parent is not exactly one administrative level above it.

    Added in 0.1.0.
    """


class OrphanError(HierarchyError, rule="orphaned entities"):
    """An entity hangs outside the tree: a second root, or a unit without a parent.

    Added in 0.1.0.
    """


class CommandRoomError(HierarchyError, rule="each town needs exactly one command room"):
    """A town has no command room (综合信息指挥室), or more than one.

    Added in 0.1.0.
    """


class PlatformSetError(HierarchyError, rule="town platforms differ from the preset"):
    """A town's platforms (平台) are not exactly the platform set of the hierarchy's preset.

    Added in 0.1.0.
    """


class StationPlacementError(HierarchyError, rule="station not under a platform of its own town"):
    """A station (职能站所) is not under a platform of its own town.

    Added in 0.1.0.
    """


class WorkerAssignmentError(
    HierarchyError, rule="post in a unit that does not exist or does not fit the role"
):
    """A person's post names a unit that does not exist or does not fit the role.

    For example a grid worker (网格员) assigned to a village instead of a grid.

    Added in 0.1.0.
    """


class UnknownKindError(HierarchyError, rule="unknown kind or role"):
    """A platform kind, station kind or role key is not defined in the configuration.

    Added in 0.1.0.
    """


class UnknownIdError(RuianGovernanceError, LookupError):
    """No entity with this id exists where it was looked up.

    Added in 0.1.0.
    """

    def __init__(self, id: str, where: str = "hierarchy") -> None:  # noqa: A002
        self.id = id
        self.where = where
        super().__init__(f"unknown id {_r(id)} in {where}")


# --------------------------------------------------------------------------- routing


class CategoryTableError(RuianGovernanceError, ValueError):
    """A routing category table (事项分类表) breaks one of its rules.

    ``problems`` lists every problem found, one line each (duplicate category keys, a category
    without station kinds, ...).

    Added in 0.1.0.
    """

    def __init__(self, rules: str, problems: Iterable[str]) -> None:
        self.rules = rules
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(f"routing rules {_r(rules)}: {_shown(self.problems, '; ')}")


class UnknownRoutingKindError(CategoryTableError):
    """A category names a platform kind or station kind its platform preset does not define.

    ``kinds`` holds every unknown key, ``preset`` the key of the platform preset checked against.

    Added in 0.1.0.
    """

    def __init__(self, rules: str, preset: str, unknown: Iterable[tuple[str, str, str]]) -> None:
        found = sorted(set(unknown))
        self.preset = preset
        self.kinds: tuple[str, ...] = tuple(sorted({kind for _, _, kind in found}))
        super().__init__(
            rules,
            (
                f"category {_r(category)} names {what} {_r(kind)}, unknown to preset {_r(preset)}"
                for category, what, kind in found
            ),
        )


class RouteError(RuianGovernanceError, LookupError):
    """A report cannot be routed: a rule or a unit it needs is missing.

    Added in 0.1.0.
    """


class UnknownCategoryError(RouteError):
    """A report names a category (事项类别) the routing rules do not define.

    Added in 0.1.0.
    """

    def __init__(self, category: str, rules: str) -> None:
        self.category = category
        self.rules = rules
        super().__init__(f"unknown category {_r(category)} in routing rules {_r(rules)}")


class NoStationError(RouteError):
    """A town lacks the station kinds (职能站所) a category needs at this severity.

    ``station_kinds`` holds the missing kinds.

    Added in 0.1.0.
    """

    def __init__(
        self, town_id: str, category: str, severity: str, station_kinds: Iterable[str]
    ) -> None:
        self.town_id = town_id
        self.category = category
        self.severity = severity
        self.station_kinds: tuple[str, ...] = tuple(station_kinds)
        kinds = ", ".join(repr(k) for k in self.station_kinds)
        super().__init__(
            f"town {_r(town_id)} has no station of kind {kinds}, "
            f"needed for a {severity} {_r(category)} report"
        )


class NoDepartmentError(RouteError):
    """The city lacks the departments (职能部门) a category names for major reports.

    ``department_kinds`` holds the missing kinds.

    Added in 0.1.0.
    """

    def __init__(self, category: str, department_kinds: Iterable[str]) -> None:
        self.category = category
        self.department_kinds: tuple[str, ...] = tuple(department_kinds)
        kinds = ", ".join(repr(k) for k in self.department_kinds)
        super().__init__(
            f"the city has no department of kind {kinds}, needed for a major {_r(category)} report"
        )


# --------------------------------------------------------------------------- data in and out


class DataError(RuianGovernanceError, ValueError):
    """Plain data (JSON) could not be loaded into the library's models.

    ``problems`` lists one line per bad field, each starting with its JSON path
    (``$.units[3].level``).

    Added in 0.1.0.
    """

    def __init__(self, what: str, problems: Iterable[str]) -> None:
        self.what = what
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(f"invalid {what}: {_shown(self.problems, '; ')}")


class AnalysisError(RuianGovernanceError, ValueError):
    """An analysis (研判) function was asked for something it cannot compute.

    ``argument`` names the argument, ``problem`` says what is wrong with it.

    Added in 0.1.0.
    """

    def __init__(self, argument: str, problem: str) -> None:
        self.argument = argument
        self.problem = problem
        super().__init__(f"analysis {argument}: {problem}")


class SimulationConfigError(RuianGovernanceError, ValueError):
    """A simulation configuration is inconsistent (a bad rate, weight, date or size).

    ``field`` names the configuration field, ``problem`` says what is wrong with it.

    Added in 0.1.0.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"simulation config {field}: {problem}")


class Open311Error(RuianGovernanceError, ValueError):
    """An Open311 GeoReport v2 request was refused, or a server answered with an error.

    ``code`` is the HTTP status the spec gives the error (400 bad request, 403 bad API key,
    404 unknown service code, ...), ``description`` the text; :meth:`to_json` writes the
    spec's error format.

    Added in 0.1.0.
    """

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(f"Open311 error {code}: {description}")

    def to_json(self) -> list[dict[str, object]]:
        """Return the error in GeoReport v2 form: ``[{"code": ..., "description": ...}]``."""
        return [{"code": self.code, "description": self.description}]


# --------------------------------------------------------------------------- time


class CalendarCoverageError(RuianGovernanceError, ValueError):
    """A working-day calendar has no schedule for a day's year.

    Raised instead of guessing, so a deadline is never a wrong date.

    Added in 0.1.0.
    """

    def __init__(self, day: object, calendar: str) -> None:
        self.day = day
        self.year: int | None = getattr(day, "year", None)
        self.calendar = calendar
        super().__init__(f"the {calendar} calendar does not cover {day} (year {self.year})")


# --------------------------------------------------------------------------- lifecycle definitions


class LifecycleDefinitionError(_RuleError, rule="lifecycle definition rule"):
    """A lifecycle definition broke one of its structural rules.

    Each rule has its own subclass; ``keys`` holds every offending state, trigger or role key
    found for that rule, and ``lifecycle`` the key of the definition.

    Added in 0.1.0.
    """

    def __init__(self, lifecycle: str, keys: Iterable[str], detail: str = "") -> None:
        self.lifecycle = lifecycle
        self.keys: tuple[str, ...] = tuple(sorted(keys))
        self.detail = detail
        super().__init__(
            f"lifecycle {_r(lifecycle)}: {_rule_message(self.rule, self.keys, detail)}"
        )


class InitialStateError(LifecycleDefinitionError, rule="exactly one initial state is needed"):
    """A lifecycle has no initial state, or more than one.

    Added in 0.1.0.
    """


class FinalStateExitError(LifecycleDefinitionError, rule="final states have no exits"):
    """A transition leaves a final state.

    Added in 0.1.0.
    """


class UnreachableStateError(
    LifecycleDefinitionError, rule="states unreachable from the initial state"
):
    """A state cannot be reached from the initial state.

    Added in 0.1.0.
    """


class TrapStateError(
    LifecycleDefinitionError, rule="non-final states that cannot reach a final state"
):
    """A non-final state from which no final state can be reached.

    Added in 0.1.0.
    """


class UnknownReferenceError(
    LifecycleDefinitionError, rule="unknown states, triggers, roles or severities"
):
    """A transition names a state, trigger, role or severity the definition does not know.

    Added in 0.1.0.
    """


class DuplicateKeyError(LifecycleDefinitionError, rule="duplicate keys"):
    """Two states, triggers or severities of a lifecycle share a key.

    Added in 0.1.0.
    """


class AmbiguousTransitionError(
    LifecycleDefinitionError, rule="more than one transition for the same state and trigger"
):
    """Two transitions fire on the same trigger from the same state.

    Keys are rendered ``state/trigger``.

    Added in 0.1.0.
    """


# --------------------------------------------------------------------------- commands on cases


class _Command(TypedDict):
    """The refused command a :class:`TransitionError` names: case, state, trigger, actor."""

    case_id: str
    state: str
    trigger: str
    actor: NotRequired[object]


class TransitionError(RuianGovernanceError):
    """A command on a case was refused; the case and every index are left as they were.

    ``case_id``, ``state``, ``trigger`` and ``actor`` (an
    :class:`~ruian_governance.Actor`, or ``None``) say which command was refused.

    Added in 0.1.0.
    """

    reason: str = "command refused"

    def __init_subclass__(cls, *, reason: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if reason:
            cls.reason = reason

    def __init__(self, *, detail: str = "", **command: Unpack[_Command]) -> None:
        self.case_id = command["case_id"]
        self.state = command["state"]
        self.trigger = trigger = command["trigger"]
        self.actor = command.get("actor")
        self.detail = detail
        case_id, state, trigger = (_r(v) for v in (self.case_id, self.state, trigger))
        message = f"case {case_id} in state {state}: {trigger} refused: {self.reason}"
        if self.actor is not None:  # an Actor says who; anything else is shown clipped
            try:
                who = str(self.actor) if hasattr(self.actor, "person_id") else None
            except Exception:  # a hostile actor whose text fails
                who = None
            message += f" (actor {who if who and len(who) <= 200 else _r(self.actor)})"
        super().__init__(f"{message}: {detail}" if detail else message)


class InvalidTransitionError(TransitionError, ValueError, reason="not available in this state"):
    """The trigger is unknown, or not available in the case's current state. Added in 0.1.0."""


class InvalidActorError(
    TransitionError, PermissionError, reason="the actor does not hold this post"
):
    """The actor does not hold the post (person, role, unit) they claim. Added in 0.1.0."""


class RoleNotAllowedError(TransitionError, PermissionError, reason="role not allowed"):
    """The actor's role may not fire this trigger. Added in 0.1.0."""


class JurisdictionError(
    TransitionError, PermissionError, reason="actor outside the case's jurisdiction"
):
    """The actor's unit lies outside the case's jurisdiction for this trigger.

    For example a station that was not assigned the case, or a town acting in another town.

    Added in 0.1.0.
    """


class GuardFailedError(TransitionError, ValueError, reason="guard failed"):
    """A guard of the transition said no; ``guard`` is its key. Added in 0.1.0."""

    def __init__(self, *, guard: str, detail: str = "", **command: Unpack[_Command]) -> None:
        self.guard = guard
        super().__init__(detail=f"{guard}: {detail}" if detail else guard, **command)


class MissingDataError(TransitionError, ValueError, reason="required data missing"):
    """The trigger requires data the command did not give (``missing``). Added in 0.1.0."""

    def __init__(self, *, missing: Iterable[str], **command: Unpack[_Command]) -> None:
        self.missing: tuple[str, ...] = tuple(sorted(missing))
        super().__init__(detail=", ".join(self.missing), **command)


class UnexpectedDataError(TransitionError, ValueError, reason="unexpected data"):
    """The command gave data the trigger does not take (``unexpected``). Added in 0.1.0."""

    def __init__(self, *, unexpected: Iterable[str], **command: Unpack[_Command]) -> None:
        self.unexpected: tuple[str, ...] = tuple(sorted(unexpected))
        super().__init__(detail=", ".join(self.unexpected), **command)


class TimeOrderError(TransitionError, ValueError, reason="time out of order"):
    """The command's time is naive, or earlier than the case's last record. Added in 0.1.0."""


class ConflictError(RuianGovernanceError, RuntimeError):
    """Optimistic concurrency: the case changed since the caller read it.

    ``expected`` is the version the caller read (``None`` when adding a new case), ``actual``
    the version stored (``None`` when no case is stored under ``case_id``).

    Added in 0.1.0.
    """

    def __init__(self, case_id: str, expected: int | None, actual: int | None) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"case {_r(case_id)}: expected version {expected}, found {actual}; re-read and retry"
        )


class CaseStoreError(RuianGovernanceError, ValueError):
    """A case store refused a request, or found stored data that does not hold together.

    For example saving a case whose version does not follow its history, asking for overdue
    cases at a naive time, or a stored case whose history rows do not match its version.
    ``case_id`` names the case (``None`` when the request concerns no one case) and ``detail``
    says what is wrong.

    Added in 0.1.0.
    """

    def __init__(self, case_id: str | None, detail: str) -> None:
        self.case_id = case_id
        self.detail = detail
        where = "case store" if case_id is None else f"case store, case {_r(case_id)}"
        super().__init__(f"{where}: {detail}")


# --------------------------------------------------------------------------- engine (Trust)


class ForgedHistoryError(RuianGovernanceError, ValueError):
    """A record is not a legal command, or the case contradicts its history. Added in 0.2.0.

    ``seq`` is the record (``None``: a field of the case), ``reason`` which check refused it
    (that refusal is the ``__cause__``).
    """

    def __init__(self, case_id: object, seq: int | None, reason: str) -> None:
        self.case_id, self.seq, self.reason = case_id, seq, reason
        where = "the case" if seq is None else f"history record {_r(seq)}"
        where = f"case {_r(case_id)}: {where}"
        super().__init__(f"{where} does not follow from the rules: {reason}")


class InvalidDataError(TransitionError, ValueError, reason="data of the wrong type"):
    """A data value (``key``) is not of its declared type (``expected``). Added in 0.2.0."""

    def __init__(self, *, key: str, expected: str, **command: Unpack[_Command]) -> None:
        self.key, self.expected = key, expected
        super().__init__(detail=f"{key}: expected {expected}", **command)


class FutureTimeError(TimeOrderError, reason="time ahead of the clock"):
    """The command's time is beyond the engine's clock plus its tolerance. Added in 0.2.0."""


# --------------------------------------------------------------------------- stores (Trust)


class StoreCorruptError(CaseStoreError):
    """A store file or its rows are damaged (not a store, a checksum fails). Added in 0.2.0."""


class StoreMismatchError(CaseStoreError):
    """A store file was written with other definitions or another layout. Added in 0.2.0."""


class StoreBusyError(CaseStoreError, TimeoutError):
    """Another connection held the store file's lock past the timeout. Added in 0.2.0."""


class StoreReadOnlyError(CaseStoreError, PermissionError):
    """A write on a store opened read-only, or on a file that cannot be written. Added in 0.2.0."""
