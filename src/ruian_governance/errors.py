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

from collections.abc import Iterable

__all__ = [
    "CategoryTableError",
    "CommandRoomError",
    "DataError",
    "DuplicateIdError",
    "HierarchyError",
    "MissingParentError",
    "NoDepartmentError",
    "NoStationError",
    "OrphanError",
    "ParentLevelError",
    "PlatformSetError",
    "RouteError",
    "RuianGovernanceError",
    "StationPlacementError",
    "UnknownCategoryError",
    "UnknownIdError",
    "UnknownKindError",
    "UnknownRoutingKindError",
    "WorkerAssignmentError",
]

_SHOWN = 10


def _ids(ids: Iterable[str]) -> str:
    """Render a list of offending ids, cut after a few so messages stay readable."""
    items = sorted(ids)
    shown = ", ".join(repr(i) for i in items[:_SHOWN])
    if len(items) > _SHOWN:
        shown += f", ... ({len(items) - _SHOWN} more)"
    return shown


class RuianGovernanceError(Exception):
    """Root of every error raised by ruian_governance.

    Added in 0.1.0.
    """


# --------------------------------------------------------------------------- hierarchy


class HierarchyError(RuianGovernanceError, ValueError):
    """A :class:`~ruian_governance.Hierarchy` broke one of its structural rules.

    Each rule has its own subclass; ``ids`` holds every offending id found for that rule.

    Added in 0.1.0.
    """

    rule: str = "hierarchy rule"

    def __init__(self, ids: Iterable[str], detail: str = "") -> None:
        self.ids: tuple[str, ...] = tuple(sorted(ids))
        self.detail = detail
        message = f"{self.rule}: {_ids(self.ids)}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class DuplicateIdError(HierarchyError):
    """Two or more entities of a hierarchy share an id.

    Added in 0.1.0.
    """

    rule = "duplicate ids"


class MissingParentError(HierarchyError):
    """An entity names a parent (unit, town, platform, city) that does not exist.

    Added in 0.1.0.
    """

    rule = "parent does not exist"


class ParentLevelError(HierarchyError):
    """A unit's parent is not exactly one administrative level above it.

    Added in 0.1.0.
    """

    rule = "parent is not one level up"


class OrphanError(HierarchyError):
    """An entity hangs outside the tree: a second root, or a unit without a parent.

    Added in 0.1.0.
    """

    rule = "orphaned entities"


class CommandRoomError(HierarchyError):
    """A town has no command room (综合信息指挥室), or more than one.

    Added in 0.1.0.
    """

    rule = "each town needs exactly one command room"


class PlatformSetError(HierarchyError):
    """A town's platforms (平台) are not exactly the platform set of the hierarchy's preset.

    Added in 0.1.0.
    """

    rule = "town platforms differ from the preset"


class StationPlacementError(HierarchyError):
    """A station (职能站所) is not under a platform of its own town.

    Added in 0.1.0.
    """

    rule = "station not under a platform of its own town"


class WorkerAssignmentError(HierarchyError):
    """A person's post names a unit that does not exist or does not fit the role.

    For example a grid worker (网格员) assigned to a village instead of a grid.

    Added in 0.1.0.
    """

    rule = "post in a unit that does not exist or does not fit the role"


class UnknownKindError(HierarchyError):
    """A platform kind, station kind or role key is not defined in the configuration.

    Added in 0.1.0.
    """

    rule = "unknown kind or role"


class UnknownIdError(RuianGovernanceError, LookupError):
    """No entity with this id exists where it was looked up.

    Added in 0.1.0.
    """

    def __init__(self, id: str, where: str = "hierarchy") -> None:  # noqa: A002
        self.id = id
        self.where = where
        super().__init__(f"unknown id {id!r} in {where}")

    def __str__(self) -> str:
        # LookupError subclasses would otherwise show repr(args[0]).
        return str(self.args[0])


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
        shown = "; ".join(self.problems[:_SHOWN])
        if len(self.problems) > _SHOWN:
            shown += f"; ... ({len(self.problems) - _SHOWN} more)"
        super().__init__(f"routing rules {rules!r}: {shown}")


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
                f"category {category!r} names {what} {kind!r}, unknown to preset {preset!r}"
                for category, what, kind in found
            ),
        )


class RouteError(RuianGovernanceError, LookupError):
    """A report cannot be routed: a rule or a unit it needs is missing.

    Added in 0.1.0.
    """

    def __str__(self) -> str:
        # LookupError subclasses would otherwise show repr(args[0]).
        return str(self.args[0])


class UnknownCategoryError(RouteError):
    """A report names a category (事项类别) the routing rules do not define.

    Added in 0.1.0.
    """

    def __init__(self, category: str, rules: str) -> None:
        self.category = category
        self.rules = rules
        super().__init__(f"unknown category {category!r} in routing rules {rules!r}")


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
            f"town {town_id!r} has no station of kind {kinds}, "
            f"needed for a {severity} {category!r} report"
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
            f"the city has no department of kind {kinds}, needed for a major {category!r} report"
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
        shown = "; ".join(self.problems[:_SHOWN])
        if len(self.problems) > _SHOWN:
            shown += f"; ... ({len(self.problems) - _SHOWN} more)"
        super().__init__(f"invalid {what}: {shown}")
