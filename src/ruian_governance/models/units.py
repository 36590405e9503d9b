"""The parts of a hierarchy: levels, kinds, roles, platform presets, units, organisations, people.

Every part is a frozen, keyword-only attrs value that refers to others by id; a
:class:`~ruian_governance.models.Hierarchy` holds them all and checks how they fit together.

Each part checks its own fields when it is built: ids and names as
:mod:`ruian_governance.labels` says (no control, bidirectional or surrogate characters),
enum fields from a member or its documented string value (``level="town"``), collections of
the right items; anything else raises :class:`~ruian_governance.errors.ArgumentError` naming
the field and the value.

>>> from ruian_governance.models import AdminUnit, Level
>>> town = AdminUnit(id="anyang", name="安阳街道", level="town", parent_id="ruian")
>>> town.kind.label.zh, town.level.above
('镇/街道', <Level.CITY: 'city'>)
>>> AdminUnit(id="anyang", name="安阳街道", level="province")
Traceback (most recent call last):
...
ruian_governance.errors.ArgumentError: level='province': expected one of 'city', 'town', ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import ClassVar, TypeAlias, TypeVar

import attrs

from ruian_governance._convert import (
    LabelledEnum,
    id_tuple,
    identifier,
    identifiers,
    instance_of,
    items_of,
    model_tuple,
    optional_identifier,
    text,
    text_or_empty,
)
from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.labels import Label

__all__ = [
    "BUILTIN_ROLES",
    "AdminUnit",
    "CommandRoom",
    "Court",
    "Department",
    "Employment",
    "Entity",
    "Level",
    "Organisation",
    "Person",
    "Platform",
    "PlatformKind",
    "PlatformPreset",
    "Post",
    "Role",
    "SharedCourt",
    "SocialGovernanceCentre",
    "Station",
    "StationKind",
    "Tribunal",
    "UnitKind",
]


# --------------------------------------------------------------------------- levels and kinds


class Level(LabelledEnum):
    """Administrative levels, top down.

    City 市, town/street 镇/街道, village/community 村/社区, grid 网格, micro-grid 微网格
    (micro-grids are optional per deployment).

    >>> Level.GRID.label.zh, Level.GRID.depth, Level.GRID.above
    ('网格', 3, <Level.VILLAGE: 'village'>)
    """

    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    GRID = "grid"
    MICRO_GRID = "micro_grid"

    @property
    def depth(self) -> int:
        """0 for the city, 1 for towns, ... 4 for micro-grids."""
        return _LEVEL_DEPTH[self]

    @property
    def above(self) -> Level | None:
        """The level directly above this one (``None`` for the city)."""
        return None if self is Level.CITY else _LEVELS[self.depth - 1]

    @property
    def below(self) -> Level | None:
        """The level directly below this one (``None`` for micro-grids)."""
        return None if self is Level.MICRO_GRID else _LEVELS[self.depth + 1]


Level._labels_ = {
    Level.CITY: Label(en="city", zh="市"),
    Level.TOWN: Label(en="town / street", zh="镇/街道"),
    Level.VILLAGE: Label(en="village / community", zh="村/社区"),
    Level.GRID: Label(en="grid", zh="网格"),
    Level.MICRO_GRID: Label(en="micro-grid", zh="微网格"),
}
_LEVELS = tuple(Level)
_LEVEL_DEPTH = {level: i for i, level in enumerate(_LEVELS)}


class UnitKind(LabelledEnum):
    """Every kind of node a hierarchy holds.

    The five administrative levels and the organisations (centre, command room, platform,
    station, department, and the courts: the basic-level people's court 基层人民法院, its
    people's tribunals 人民法庭 and the shared courts 共享法庭 they run in towns and villages).

    >>> UnitKind.COMMAND_ROOM.label.zh, UnitKind.GRID.level
    ('综合信息指挥室', <Level.GRID: 'grid'>)
    """

    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    GRID = "grid"
    MICRO_GRID = "micro_grid"
    CENTRE = "centre"
    COMMAND_ROOM = "command_room"
    PLATFORM = "platform"
    STATION = "station"
    DEPARTMENT = "department"
    COURT = "court"
    TRIBUNAL = "tribunal"
    SHARED_COURT = "shared_court"

    @property
    def level(self) -> Level | None:
        """The administrative level of this kind, or ``None`` for organisations."""
        return _LEVEL_OF_KIND.get(self)


UnitKind._labels_ = {
    **{UnitKind(level.value): level.label for level in Level},
    UnitKind.CENTRE: Label(en="social-governance centre", zh="社会治理中心"),
    UnitKind.COMMAND_ROOM: Label(en="command room", zh="综合信息指挥室"),
    UnitKind.PLATFORM: Label(en="platform", zh="平台"),
    UnitKind.STATION: Label(en="station", zh="职能站所"),
    UnitKind.DEPARTMENT: Label(en="city department", zh="职能部门"),
    UnitKind.COURT: Label(en="basic-level people's court", zh="基层人民法院"),
    UnitKind.TRIBUNAL: Label(en="people's tribunal", zh="人民法庭"),
    UnitKind.SHARED_COURT: Label(en="shared court (venue)", zh="共享法庭"),
}
_LEVEL_OF_KIND = {UnitKind(level.value): level for level in Level}
_KIND_OF_LEVEL = {level: kind for kind, level in _LEVEL_OF_KIND.items()}


class Employment(LabelledEnum):
    """Whether a grid worker is full-time 专职 or part-time 兼职.

    >>> Employment.PART_TIME.label.zh
    '兼职'
    """

    FULL_TIME = "full_time"
    PART_TIME = "part_time"


Employment._labels_ = {
    Employment.FULL_TIME: Label(en="full-time", zh="专职"),
    Employment.PART_TIME: Label(en="part-time", zh="兼职"),
}


# The converters of enum-typed fields: one small typed function each (see _convert).


def _level(value: Level | str) -> Level:
    return value if isinstance(value, Level) else Level.parse(value, "level")


def _employment(value: Employment | str | None) -> Employment | None:
    return None if value is None else Employment.parse(value, "employment")


def _unit_kinds(value: Iterable[UnitKind | str] | UnitKind | str) -> frozenset[UnitKind]:
    items = (value,) if isinstance(value, UnitKind | str) else model_tuple(value)
    if not isinstance(items, tuple):
        raise ArgumentError("unit_kinds", value, "a collection of unit kinds")  # noqa: EM101 - a name
    return frozenset(UnitKind.parse(kind, "unit_kinds") for kind in items)


# --------------------------------------------------------------------------- roles


@attrs.frozen(kw_only=True)
class Role:
    """A role a person acts in, and the kinds of unit it is held in.

    Roles are configuration: the built-in ones are in :data:`BUILTIN_ROLES`, and a hierarchy may
    be given more.

    >>> BUILTIN_ROLES["grid_worker"].label.zh
    '网格员'
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    unit_kinds: frozenset[UnitKind] = attrs.field(converter=_unit_kinds)


def _roles(*rows: tuple[str, str, str, tuple[UnitKind, ...]]) -> Mapping[str, Role]:
    return MappingProxyType(
        {
            key: Role(key=key, label=Label(en=en, zh=zh), unit_kinds=kinds)
            for key, en, zh, kinds in rows
        }
    )


BUILTIN_ROLES: Mapping[str, Role] = _roles(
    ("grid_worker", "grid worker", "网格员", (UnitKind.GRID,)),
    ("micro_grid_worker", "micro-grid worker", "微网格员", (UnitKind.MICRO_GRID,)),
    ("grid_leader", "grid leader", "网格长", (UnitKind.GRID,)),
    ("village_cadre", "village / community cadre", "村社干部", (UnitKind.VILLAGE,)),
    ("command_room_operator", "command-room operator", "指挥室工作人员", (UnitKind.COMMAND_ROOM,)),
    ("station_officer", "station officer", "站所工作人员", (UnitKind.STATION,)),
    ("centre_officer", "centre officer", "社会治理中心工作人员", (UnitKind.CENTRE,)),
    ("department_officer", "department officer", "部门工作人员", (UnitKind.DEPARTMENT,)),
    (
        "task_force_commander",
        "task-force commander",
        "专班指挥员",
        (UnitKind.CENTRE, UnitKind.DEPARTMENT, UnitKind.COMMAND_ROOM, UnitKind.STATION),
    ),
    (
        "supervision_panel_member",
        "citizen-supervision-panel member",
        "平安市民监督团成员",
        (UnitKind.CITY,),
    ),
    ("judge", "judge", "法官", (UnitKind.COURT, UnitKind.TRIBUNAL)),
    (
        "mediation_committee_member",
        "people's mediator (village mediation committee)",
        "人民调解委员会调解员",
        (UnitKind.VILLAGE,),
    ),
    (
        "village_sage",
        "new village sage",
        "新乡贤",
        (UnitKind.CITY, UnitKind.TOWN, UnitKind.VILLAGE),
    ),
    ("leader", "town / city leader", "镇街/市领导", (UnitKind.CITY, UnitKind.TOWN)),
    (
        "political_legal_officer",
        "political-legal committee / safety office officer",
        "政法委/平安办工作人员",
        (UnitKind.CITY, UnitKind.TOWN),
    ),
)
"""The roles every hierarchy knows, by key.

Sources: grid workers, micro-grid workers, the command room, stations, the centre, city
departments, the task-force commander 专班指挥员 and the citizens' supervision panel
平安市民监督团 are the seed's; village mediation committees 人民调解委员会 are national law
(the People's Mediation Law) and Zhejiang practice; new village sages 新乡贤 are the seed's
three-level sage system (全市统筹、乡镇主体、村居配合: city, town and village posts); judges 法官
of the basic-level court and its tribunals confirm mediation agreements 司法确认 (national law);
leaders 领导 own difficult disputes 领导包案 (Zhejiang practice); the political-legal committee
and safety office 政法委/平安办 supervise and analyse disputes (the seed names 市委政法委 as the
dispute application's lead). Where each role is posted (unit kinds) is a design choice.
"""


# --------------------------------------------------------------------------- platform presets


@attrs.frozen(kw_only=True)
class StationKind:
    """A kind of station 职能站所, e.g. police station 派出所."""

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))


@attrs.frozen(kw_only=True)
class PlatformKind:
    """A kind of platform 平台 and the station kinds it groups by default."""

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    station_kinds: tuple[str, ...] = attrs.field(
        converter=id_tuple, validator=identifiers, default=()
    )


@attrs.frozen(kw_only=True)
class PlatformPreset:
    """A versioned platform set: the platforms every town has, and the station kinds known.

    Two presets ship: :data:`~ruian_governance.PLATFORMS_2016` and
    :data:`~ruian_governance.PLATFORMS_2021`; users may define their own.
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    platforms: tuple[PlatformKind, ...] = attrs.field(
        converter=model_tuple, validator=items_of(PlatformKind)
    )
    station_kinds: tuple[StationKind, ...] = attrs.field(
        converter=model_tuple, validator=items_of(StationKind)
    )

    def platform_kind(self, key: str) -> PlatformKind:
        """Return the platform kind with this key.

        Raises:
            UnknownIdError: No platform kind of the preset has this key.
        """
        return _by_key(self.platforms, key, self.key)

    def station_kind(self, key: str) -> StationKind:
        """Return the station kind with this key.

        Raises:
            UnknownIdError: No station kind of the preset has this key.
        """
        return _by_key(self.station_kinds, key, self.key)


_K = TypeVar("_K", PlatformKind, StationKind)


def _by_key(kinds: tuple[_K, ...], key: str, preset: str) -> _K:
    for kind in kinds:
        if kind.key == key:
            return kind
    raise UnknownIdError(key, f"platform preset {preset!r}")


# --------------------------------------------------------------------------- units, organisations


@attrs.frozen(kw_only=True)
class AdminUnit:
    """An administrative unit: the city, a town or street, a village, a grid or a micro-grid.

    ``parent_id`` is ``None`` only for the city.
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    level: Level = attrs.field(converter=_level)
    parent_id: str | None = attrs.field(default=None, validator=optional_identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    @property
    def kind(self) -> UnitKind:
        """The :class:`UnitKind` matching this unit's level."""
        return _KIND_OF_LEVEL[self.level]


# Each organisation is a named node hanging from the city (``city_id``) or a town (``town_id``);
# ``kind`` is a class constant.  The classes differ only in their parent and kind fields, which
# stay written out so that the field order (and so the documents) remain those of each class.


@attrs.frozen(kw_only=True)
class SocialGovernanceCentre:
    """The city's social-governance centre 社会治理中心 (formerly 矛调中心)."""

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    city_id: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.CENTRE
    """Always :attr:`UnitKind.CENTRE`."""


@attrs.frozen(kw_only=True)
class CommandRoom:
    """A town's integrated-information command room 综合信息指挥室 (exactly one per town)."""

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    town_id: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.COMMAND_ROOM
    """Always :attr:`UnitKind.COMMAND_ROOM`."""


@attrs.frozen(kw_only=True)
class Platform:
    """One of a town's platforms 平台; ``platform_kind`` is a platform-kind key of the preset."""

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    town_id: str = attrs.field(validator=identifier)
    platform_kind: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.PLATFORM
    """Always :attr:`UnitKind.PLATFORM`."""


@attrs.frozen(kw_only=True)
class Station:
    """A functional station 职能站所 in a town, grouped under one platform of that town."""

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    town_id: str = attrs.field(validator=identifier)
    platform_id: str = attrs.field(validator=identifier)
    station_kind: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.STATION
    """Always :attr:`UnitKind.STATION`."""


@attrs.frozen(kw_only=True)
class Department:
    """A city department 职能部门; ``department_kind`` is a free key used by routing tables."""

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    city_id: str = attrs.field(validator=identifier)
    department_kind: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.DEPARTMENT
    """Always :attr:`UnitKind.DEPARTMENT`."""


@attrs.frozen(kw_only=True)
class Court:
    """The city's basic-level people's court 基层人民法院 (e.g. 瑞安市人民法院).

    Only a court (through its judges 法官) confirms a mediation agreement 司法确认 (national
    law: the Civil Procedure Law and the People's Mediation Law).
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    city_id: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.COURT
    """Always :attr:`UnitKind.COURT`."""


@attrs.frozen(kw_only=True)
class Tribunal:
    """A people's tribunal 人民法庭: a branch of the basic-level court seated in a town.

    ``town_id`` is its seat; ``town_ids`` the towns it serves (its seat is always one of
    them: given empty, the seat alone).  ``court_id`` names the court it belongs to.
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    town_id: str = attrs.field(validator=identifier)
    court_id: str = attrs.field(validator=identifier)
    town_ids: tuple[str, ...] = attrs.field(converter=id_tuple, validator=identifiers, default=())
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.TRIBUNAL
    """Always :attr:`UnitKind.TRIBUNAL`."""

    @property
    def served(self) -> frozenset[str]:
        """The towns this tribunal serves: ``town_ids`` and its seat."""
        return frozenset((self.town_id, *self.town_ids))


@attrs.frozen(kw_only=True)
class SharedCourt:
    """A shared court 共享法庭: a venue in a town or village where parties meet the court.

    The seed: parties join the court by remote video at their doorstep (行政共享法庭, 2021).
    ``unit_id`` is the town or village it sits in; ``court_id`` the court or tribunal that runs
    it.  A venue holds no posts: the judge acts from the court or tribunal.
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    unit_id: str = attrs.field(validator=identifier)
    court_id: str = attrs.field(validator=identifier)
    name_en: str = attrs.field(default="", validator=text_or_empty)

    kind: ClassVar[UnitKind] = UnitKind.SHARED_COURT
    """Always :attr:`UnitKind.SHARED_COURT`."""


Organisation: TypeAlias = (
    SocialGovernanceCentre
    | CommandRoom
    | Platform
    | Station
    | Department
    | Court
    | Tribunal
    | SharedCourt
)
"""Any organisation of a hierarchy."""


# --------------------------------------------------------------------------- people


@attrs.frozen(kw_only=True)
class Post:
    """A role held in a unit: the person acts as ``role`` within ``unit_id``."""

    role: str = attrs.field(validator=identifier)
    unit_id: str = attrs.field(validator=identifier)
    employment: Employment | None = attrs.field(default=None, converter=_employment)


@attrs.frozen(kw_only=True)
class Person:
    """A person and the posts they hold (most hold one)."""

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    posts: tuple[Post, ...] = attrs.field(converter=model_tuple, validator=items_of(Post))


Entity: TypeAlias = AdminUnit | Organisation | Person
"""Anything a hierarchy can look up by id."""
