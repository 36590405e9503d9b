"""The root of the exception tree and the errors of hierarchies, routing, data and time."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

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


def _blank(cls: type[RuianGovernanceError]) -> RuianGovernanceError:
    """A bare instance of ``cls``, made by the built-in base whose layout it has (OSError's...)."""
    base: Any
    for base in cls.__mro__[:-2]:
        if base.__module__ == "builtins":
            with suppress(TypeError):  # ValueError.__new__ of a TimeoutError is "not safe"
                made: RuianGovernanceError = base.__new__(cls)
                return made
    return BaseException.__new__(cls)


def _rebuilt(
    cls: type[RuianGovernanceError], args: tuple[object, ...], state: dict[str, object]
) -> RuianGovernanceError:
    """An error of ``cls`` with ``args`` and attributes ``state``, without calling ``__init__``.

    What :meth:`RuianGovernanceError.__reduce__` unpickles with.
    """
    error: RuianGovernanceError = _blank(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class RuianGovernanceError(Exception):
    """Root of every error raised by ruian_governance.

    Every error pickles with the standard :mod:`pickle` (Dask ships a worker's exceptions to
    the client) and comes back with its message, its attributes and its notes: it is rebuilt
    from its ``args`` and attributes, without calling its ``__init__`` again (whose parameters
    are not its message).

    >>> import pickle
    >>> error = pickle.loads(pickle.dumps(ArgumentError("days", -1, "a whole number")))
    >>> error.argument, error.value, str(error)
    ('days', -1, 'days=-1: expected a whole number')

    Added in 0.1.0 (pickles with its attributes since 0.2.0).
    """

    def __reduce__(self) -> tuple[object, ...]:
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


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
