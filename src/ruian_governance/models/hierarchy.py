"""The "141" hierarchy (一中心、四平台、一网格) over city / town / village.

Models are frozen, keyword-only attrs classes that refer to each other by id.  A
:class:`Hierarchy` holds them all, is validated when it is constructed (one typed error per broken
rule, naming every offending id) and answers the structural queries the rest of the library needs
in constant time (lookup by id, town of a unit, parent, children, posts of a unit).

>>> from ruian_governance import Level, ruian_preset
>>> h = ruian_preset(villages=46, grids=92, micro_grids=184, grid_workers=92,
...                  micro_grid_workers=184)
>>> h.city.name, len(h.units_at(Level.TOWN))
('瑞安市', 23)
>>> grid = h.units_at(Level.GRID)[0]
>>> [u.level.value for u in h.ancestors(grid.id)]
['village', 'town', 'city']
>>> h.town_of(grid.id).name
'安阳街道'
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import ClassVar, TypeAlias, TypeVar

import attrs

from ruian_governance.errors import (
    CommandRoomError,
    DuplicateIdError,
    MissingParentError,
    OrphanError,
    ParentLevelError,
    PlatformSetError,
    StationPlacementError,
    UnknownIdError,
    UnknownKindError,
    WorkerAssignmentError,
)
from ruian_governance.labels import Label

__all__ = [
    "BUILTIN_ROLES",
    "AdminUnit",
    "CommandRoom",
    "Department",
    "Employment",
    "Entity",
    "Hierarchy",
    "Level",
    "Organisation",
    "Person",
    "Platform",
    "PlatformKind",
    "PlatformPreset",
    "Post",
    "Role",
    "SocialGovernanceCentre",
    "Station",
    "StationKind",
    "UnitKind",
]


# --------------------------------------------------------------------------- levels and kinds


class Level(enum.Enum):
    """Administrative levels, top down.

    City 市, town/street 镇/街道, village/community 村/社区, grid 网格, micro-grid 微网格
    (micro-grids are optional per deployment).

    >>> Level.GRID.label.zh, Level.GRID.depth, Level.GRID.above
    ('网格', 3, <Level.VILLAGE: 'village'>)
    """

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    GRID = "grid"
    MICRO_GRID = "micro_grid"

    @property
    def label(self) -> Label:
        """The bilingual label of this level."""
        return _LEVEL_LABELS[self]

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


_LEVELS = tuple(Level)
_LEVEL_DEPTH = {level: i for i, level in enumerate(_LEVELS)}
_LEVEL_LABELS = {
    Level.CITY: Label(en="city", zh="市"),
    Level.TOWN: Label(en="town / street", zh="镇/街道"),
    Level.VILLAGE: Label(en="village / community", zh="村/社区"),
    Level.GRID: Label(en="grid", zh="网格"),
    Level.MICRO_GRID: Label(en="micro-grid", zh="微网格"),
}


class UnitKind(enum.Enum):
    """Every kind of node a hierarchy holds.

    The five administrative levels and the organisations (centre, command room, platform,
    station, department).

    >>> UnitKind.COMMAND_ROOM.label.zh
    '综合信息指挥室'
    """

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

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

    @property
    def label(self) -> Label:
        """The bilingual label of this kind."""
        return _KIND_LABELS[self]

    @property
    def level(self) -> Level | None:
        """The administrative level of this kind, or ``None`` for organisations."""
        return _LEVEL_OF_KIND.get(self)


_KIND_LABELS = {
    **{UnitKind(level.value): label for level, label in _LEVEL_LABELS.items()},
    UnitKind.CENTRE: Label(en="social-governance centre", zh="社会治理中心"),
    UnitKind.COMMAND_ROOM: Label(en="command room", zh="综合信息指挥室"),
    UnitKind.PLATFORM: Label(en="platform", zh="平台"),
    UnitKind.STATION: Label(en="station", zh="职能站所"),
    UnitKind.DEPARTMENT: Label(en="city department", zh="职能部门"),
}
_LEVEL_OF_KIND = {UnitKind(level.value): level for level in Level}
_KIND_OF_LEVEL = {level: kind for kind, level in _LEVEL_OF_KIND.items()}


class Employment(enum.Enum):
    """Whether a grid worker is full-time 专职 or part-time 兼职."""

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

    FULL_TIME = "full_time"
    PART_TIME = "part_time"

    @property
    def label(self) -> Label:
        """The bilingual label of this kind of employment."""
        return _EMPLOYMENT_LABELS[self]


_EMPLOYMENT_LABELS = {
    Employment.FULL_TIME: Label(en="full-time", zh="专职"),
    Employment.PART_TIME: Label(en="part-time", zh="兼职"),
}


def _unit_kinds(value: Iterable[UnitKind]) -> frozenset[UnitKind]:
    return frozenset(value)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Role:
    """A role a person acts in, and the kinds of unit it is held in.

    Roles are configuration: the built-in ones are in :data:`BUILTIN_ROLES`, and a hierarchy may
    be given more.

    >>> BUILTIN_ROLES["grid_worker"].label.zh
    '网格员'
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    unit_kinds: frozenset[UnitKind] = attrs.field(converter=_unit_kinds)


def _roles(*roles: Role) -> Mapping[str, Role]:
    return MappingProxyType({role.key: role for role in roles})


BUILTIN_ROLES: Mapping[str, Role] = _roles(
    Role(key="grid_worker", label=Label(en="grid worker", zh="网格员"), unit_kinds={UnitKind.GRID}),
    Role(
        key="micro_grid_worker",
        label=Label(en="micro-grid worker", zh="微网格员"),
        unit_kinds={UnitKind.MICRO_GRID},
    ),
    Role(key="grid_leader", label=Label(en="grid leader", zh="网格长"), unit_kinds={UnitKind.GRID}),
    Role(
        key="village_cadre",
        label=Label(en="village / community cadre", zh="村社干部"),
        unit_kinds={UnitKind.VILLAGE},
    ),
    Role(
        key="command_room_operator",
        label=Label(en="command-room operator", zh="指挥室工作人员"),
        unit_kinds={UnitKind.COMMAND_ROOM},
    ),
    Role(
        key="station_officer",
        label=Label(en="station officer", zh="站所工作人员"),
        unit_kinds={UnitKind.STATION},
    ),
    Role(
        key="centre_officer",
        label=Label(en="centre officer", zh="社会治理中心工作人员"),
        unit_kinds={UnitKind.CENTRE},
    ),
    Role(
        key="department_officer",
        label=Label(en="department officer", zh="部门工作人员"),
        unit_kinds={UnitKind.DEPARTMENT},
    ),
    Role(
        key="task_force_commander",
        label=Label(en="task-force commander", zh="专班指挥员"),
        unit_kinds={UnitKind.CENTRE, UnitKind.DEPARTMENT, UnitKind.COMMAND_ROOM, UnitKind.STATION},
    ),
    Role(
        key="supervision_panel_member",
        label=Label(en="citizen-supervision-panel member", zh="平安市民监督团成员"),
        unit_kinds={UnitKind.CITY},
    ),
)
"""The roles every hierarchy knows, by key."""


@attrs.frozen(kw_only=True)
class StationKind:
    """A kind of station 职能站所, e.g. police station 派出所."""

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label


@attrs.frozen(kw_only=True)
class PlatformKind:
    """A kind of platform 平台 and the station kinds it groups by default."""

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    station_kinds: tuple[str, ...] = attrs.field(converter=_str_tuple, default=())


def _platform_kinds(value: Iterable[PlatformKind]) -> tuple[PlatformKind, ...]:
    return tuple(value)


def _station_kinds(value: Iterable[StationKind]) -> tuple[StationKind, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PlatformPreset:
    """A versioned platform set: the platforms every town has, and the station kinds known.

    Two presets ship: :data:`~ruian_governance.PLATFORMS_2016` and
    :data:`~ruian_governance.PLATFORMS_2021`; users may define their own.
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    platforms: tuple[PlatformKind, ...] = attrs.field(converter=_platform_kinds)
    station_kinds: tuple[StationKind, ...] = attrs.field(converter=_station_kinds)

    def platform_kind(self, key: str) -> PlatformKind:
        """Return the platform kind with this key.

        Raises:
            UnknownIdError: No platform kind of the preset has this key.
        """
        for kind in self.platforms:
            if kind.key == key:
                return kind
        raise UnknownIdError(key, f"platform preset {self.key!r}")

    def station_kind(self, key: str) -> StationKind:
        """Return the station kind with this key.

        Raises:
            UnknownIdError: No station kind of the preset has this key.
        """
        for kind in self.station_kinds:
            if kind.key == key:
                return kind
        raise UnknownIdError(key, f"platform preset {self.key!r}")


# --------------------------------------------------------------------------- units, organisations


@attrs.frozen(kw_only=True)
class AdminUnit:
    """An administrative unit: the city, a town or street, a village, a grid or a micro-grid.

    ``parent_id`` is ``None`` only for the city.
    """

    id: str
    name: str
    level: Level
    parent_id: str | None = None
    name_en: str = ""

    @property
    def kind(self) -> UnitKind:
        """The :class:`UnitKind` matching this unit's level."""
        return _KIND_OF_LEVEL[self.level]


@attrs.frozen(kw_only=True)
class SocialGovernanceCentre:
    """The city's social-governance centre 社会治理中心 (formerly 矛调中心)."""

    id: str
    name: str
    city_id: str
    name_en: str = ""

    kind: ClassVar[UnitKind] = UnitKind.CENTRE
    """Always :attr:`UnitKind.CENTRE`."""


@attrs.frozen(kw_only=True)
class CommandRoom:
    """A town's integrated-information command room 综合信息指挥室 (exactly one per town)."""

    id: str
    name: str
    town_id: str
    name_en: str = ""

    kind: ClassVar[UnitKind] = UnitKind.COMMAND_ROOM
    """Always :attr:`UnitKind.COMMAND_ROOM`."""


@attrs.frozen(kw_only=True)
class Platform:
    """One of a town's platforms 平台; ``kind`` is a platform-kind key of the preset."""

    id: str
    name: str
    town_id: str
    platform_kind: str
    name_en: str = ""

    kind: ClassVar[UnitKind] = UnitKind.PLATFORM
    """Always :attr:`UnitKind.PLATFORM`."""


@attrs.frozen(kw_only=True)
class Station:
    """A functional station 职能站所 in a town, grouped under one platform of that town."""

    id: str
    name: str
    town_id: str
    platform_id: str
    station_kind: str
    name_en: str = ""

    kind: ClassVar[UnitKind] = UnitKind.STATION
    """Always :attr:`UnitKind.STATION`."""


@attrs.frozen(kw_only=True)
class Department:
    """A city department 职能部门; ``department_kind`` is a free key used by routing tables."""

    id: str
    name: str
    city_id: str
    department_kind: str
    name_en: str = ""

    kind: ClassVar[UnitKind] = UnitKind.DEPARTMENT
    """Always :attr:`UnitKind.DEPARTMENT`."""


Organisation: TypeAlias = SocialGovernanceCentre | CommandRoom | Platform | Station | Department
"""Any organisation of a hierarchy."""


# --------------------------------------------------------------------------- people


@attrs.frozen(kw_only=True)
class Post:
    """A role held in a unit: the person acts as ``role`` within ``unit_id``."""

    role: str
    unit_id: str
    employment: Employment | None = None


def _posts(value: Iterable[Post]) -> tuple[Post, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@attrs.frozen(kw_only=True)
class Person:
    """A person and the posts they hold (most hold one)."""

    id: str
    name: str
    posts: tuple[Post, ...] = attrs.field(converter=_posts)


Entity: TypeAlias = AdminUnit | Organisation | Person
"""Anything a hierarchy can look up by id."""

_Node: TypeAlias = AdminUnit | Organisation
_E = TypeVar("_E", AdminUnit, Person, Station)


# --------------------------------------------------------------------------- the aggregate


@attrs.define(slots=True)
class _Index:
    """Look-up tables a Hierarchy builds once, when it is validated."""

    by_id: dict[str, Entity]
    parent: dict[str, str]
    children: dict[str, list[AdminUnit]]
    town: dict[str, str]
    by_level: dict[Level, list[AdminUnit]]
    command_room: dict[str, CommandRoom]
    platforms: dict[str, list[Platform]]
    stations: dict[str, list[Station]]
    people: dict[str, list[Person]]
    roles: dict[str, Role]
    city: AdminUnit


def _tuple_of(value: Iterable[object]) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@attrs.frozen(kw_only=True)
class Hierarchy:
    """The validated aggregate of units, organisations and people of one city.

    Construction validates every structural rule and raises a
    :class:`~ruian_governance.HierarchyError` subclass for the first rule that is broken,
    naming every offending id for that rule; nothing is constructed then.

    Args:
        preset: The platform set every town must have.
        units: City, towns, villages, grids and micro-grids.
        centre: The city's social-governance centre.
        command_rooms: One per town.
        platforms: Exactly the preset's platform set per town.
        stations: Each under a platform of its own town.
        departments: City departments.
        people: People with their posts.
        roles: Extra roles beyond :data:`BUILTIN_ROLES` (a key given here replaces the built-in).

    Raises:
        DuplicateIdError, UnknownKindError, OrphanError, MissingParentError, ParentLevelError,
        CommandRoomError, PlatformSetError, StationPlacementError, WorkerAssignmentError.
    """

    preset: PlatformPreset
    units: tuple[AdminUnit, ...] = attrs.field(converter=_tuple_of)
    centre: SocialGovernanceCentre
    command_rooms: tuple[CommandRoom, ...] = attrs.field(converter=_tuple_of)
    platforms: tuple[Platform, ...] = attrs.field(converter=_tuple_of)
    stations: tuple[Station, ...] = attrs.field(converter=_tuple_of)
    departments: tuple[Department, ...] = attrs.field(converter=_tuple_of, default=())
    people: tuple[Person, ...] = attrs.field(converter=_tuple_of, default=())
    roles: tuple[Role, ...] = attrs.field(converter=_tuple_of, default=())
    _index: _Index = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _validate(self))

    # ---------------------------------------------------------------- look-ups

    def __contains__(self, id: object) -> bool:  # noqa: A002
        return id in self._index.by_id

    def __len__(self) -> int:
        """The number of entities (units, organisations and people)."""
        return len(self._index.by_id)

    def get(self, id: str) -> Entity:  # noqa: A002
        """Return the entity (unit, organisation or person) with this id.

        Raises:
            UnknownIdError: No entity has this id.
        """
        try:
            return self._index.by_id[id]
        except KeyError:
            raise UnknownIdError(id) from None

    def _typed(self, id: str, cls: type[_E], what: str) -> _E:  # noqa: A002
        entity = self._index.by_id.get(id)
        if not isinstance(entity, cls):
            raise UnknownIdError(id, f"the hierarchy's {what}")
        return entity

    def unit(self, id: str) -> AdminUnit:  # noqa: A002
        """Return the administrative unit with this id.

        Raises:
            UnknownIdError: No administrative unit has this id.
        """
        return self._typed(id, AdminUnit, "administrative units")

    def node(self, id: str) -> AdminUnit | Organisation:  # noqa: A002
        """Return the unit or organisation with this id (anything but a person).

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        entity = self._index.by_id.get(id)
        if entity is None or isinstance(entity, Person):
            raise UnknownIdError(id, "the hierarchy's units and organisations")
        return entity

    def person(self, id: str) -> Person:  # noqa: A002
        """Return the person with this id.

        Raises:
            UnknownIdError: No person has this id.
        """
        return self._typed(id, Person, "people")

    def station(self, id: str) -> Station:  # noqa: A002
        """Return the station with this id.

        Raises:
            UnknownIdError: No station has this id.
        """
        return self._typed(id, Station, "stations")

    def role(self, key: str) -> Role:
        """Return the role with this key (built-in or configured).

        Raises:
            UnknownIdError: No role has this key.
        """
        try:
            return self._index.roles[key]
        except KeyError:
            raise UnknownIdError(key, "the hierarchy's roles") from None

    @property
    def all_roles(self) -> Mapping[str, Role]:
        """Every role this hierarchy knows, built-in and configured, by key."""
        return MappingProxyType(self._index.roles)

    # ---------------------------------------------------------------- structure

    @property
    def city(self) -> AdminUnit:
        """The root unit."""
        return self._index.city

    def parent(self, id: str) -> AdminUnit | None:  # noqa: A002
        """Return the administrative unit directly above a unit or organisation.

        A command room, platform or station answers its town; the centre and departments answer
        the city; the city answers ``None``.

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        self.node(id)
        parent_id = self._index.parent.get(id)
        return None if parent_id is None else self._index.by_id[parent_id]  # type: ignore[return-value]

    def ancestors(self, id: str) -> tuple[AdminUnit, ...]:  # noqa: A002
        """Return the administrative units above ``id``, nearest first, ending at the city.

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        self.node(id)
        chain: list[AdminUnit] = []
        parent = self._index.parent
        current = parent.get(id)
        while current is not None:
            chain.append(self._index.by_id[current])  # type: ignore[arg-type]
            current = parent.get(current)
        return tuple(chain)

    def children(self, id: str) -> tuple[AdminUnit, ...]:  # noqa: A002
        """Return the administrative units directly below a unit.

        Raises:
            UnknownIdError: No administrative unit has this id.
        """
        self.unit(id)
        return tuple(self._index.children.get(id, ()))

    def descendants(self, id: str) -> Iterator[AdminUnit]:  # noqa: A002
        """Yield every administrative unit below ``id``, level by level.

        Raises:
            UnknownIdError: No administrative unit has this id.
        """
        frontier = list(self.children(id))
        children = self._index.children
        while frontier:
            yield from frontier
            frontier = [c for unit in frontier for c in children.get(unit.id, ())]

    def town_of(self, id: str) -> AdminUnit | None:  # noqa: A002
        """Return the town a unit, organisation or person's first post belongs to, in O(1).

        City-level entities (the city, the centre, departments) answer ``None``.

        Raises:
            UnknownIdError: No entity has this id.
        """
        entity = self.get(id)
        if isinstance(entity, Person):
            return self.town_of(entity.posts[0].unit_id)
        town_id = self._index.town.get(id)
        return None if town_id is None else self._index.by_id[town_id]  # type: ignore[return-value]

    def admin_unit_of(self, unit_id: str) -> str:
        """Return the id of the administrative unit a post's unit stands for.

        An administrative unit (city, town, village, grid, micro-grid) stands for itself; an
        organisation (centre, command room, platform, station, department) for the unit it sits
        under (a station for its platform's parent, the command room for its town, a
        department or the centre for the city).  This is the one place the library answers
        "where does this post act"; jurisdiction checks and the testing machines use it.

        >>> from ruian_governance import generate_hierarchy
        >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
        >>> room = h.command_room_of(h.towns[0].id)
        >>> h.admin_unit_of(room.id) == h.towns[0].id, h.admin_unit_of(h.towns[0].id)
        (True, 't0001')

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        node = self.node(unit_id)
        if isinstance(node, AdminUnit):
            return node.id
        parent = self.parent(unit_id)
        return node.id if parent is None else parent.id

    def units_at(self, level: Level) -> tuple[AdminUnit, ...]:
        """Return every administrative unit of ``level``, in the order they were given."""
        return tuple(self._index.by_level.get(level, ()))

    @property
    def towns(self) -> tuple[AdminUnit, ...]:
        """Every town or street."""
        return self.units_at(Level.TOWN)

    def command_room_of(self, town_id: str) -> CommandRoom:
        """Return the command room of a town.

        Raises:
            UnknownIdError: ``town_id`` is not a town.
        """
        try:
            return self._index.command_room[town_id]
        except KeyError:
            raise UnknownIdError(town_id, "the hierarchy's towns") from None

    def platforms_of(self, town_id: str) -> tuple[Platform, ...]:
        """Return the platforms of a town, in preset order.

        Raises:
            UnknownIdError: ``town_id`` is not a town.
        """
        self.command_room_of(town_id)
        return tuple(self._index.platforms.get(town_id, ()))

    def platform_of(self, station_id: str) -> Platform:
        """Return the platform a station belongs to.

        Raises:
            UnknownIdError: ``station_id`` is not a station.
        """
        return self._index.by_id[self.station(station_id).platform_id]  # type: ignore[return-value]

    def stations_of(self, id: str, *, station_kind: str | None = None) -> tuple[Station, ...]:  # noqa: A002
        """Return the stations of a town or of one platform, optionally of one kind.

        Raises:
            UnknownIdError: ``id`` is neither a town nor a platform.
        """
        entity = self._index.by_id.get(id)
        if isinstance(entity, Platform):
            found = [s for s in self._index.stations.get(entity.town_id, ()) if s.platform_id == id]
        elif id in self._index.command_room:
            found = self._index.stations.get(id, [])
        else:
            raise UnknownIdError(id, "the hierarchy's towns and platforms")
        if station_kind is not None:
            return tuple(s for s in found if s.station_kind == station_kind)
        return tuple(found)

    def grid_of(self, micro_grid_id: str) -> AdminUnit:
        """Return the grid a micro-grid belongs to.

        Raises:
            UnknownIdError: ``micro_grid_id`` is not a micro-grid.
        """
        unit = self.unit(micro_grid_id)
        if unit.level is not Level.MICRO_GRID:
            raise UnknownIdError(micro_grid_id, "the hierarchy's micro-grids")
        return self._index.by_id[self._index.parent[micro_grid_id]]  # type: ignore[return-value]

    def people_of(self, id: str, *, role: str | None = None) -> tuple[Person, ...]:  # noqa: A002
        """Return the people holding a post in a unit or organisation, optionally in one role.

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        self.node(id)
        people = self._index.people.get(id, ())
        if role is None:
            return tuple(people)
        return tuple(p for p in people if any(s.role == role and s.unit_id == id for s in p.posts))

    def departments_of_kind(self, department_kind: str) -> tuple[Department, ...]:
        """Return the city departments with this department kind."""
        return tuple(d for d in self.departments if d.department_kind == department_kind)


# --------------------------------------------------------------------------- validation


def _validate(h: Hierarchy) -> _Index:  # noqa: PLR0912, PLR0915 - one pass per rule, in order
    """Check every structural rule and build the look-up tables.

    Rules are reported in a fixed order (ids, kinds, roots, parents, levels, command rooms,
    platforms, stations, posts); each error names every offending id for its rule.
    """
    roles = dict(BUILTIN_ROLES)
    roles.update((role.key, role) for role in h.roles)

    # 1. unique ids
    by_id: dict[str, Entity] = {}
    groups: tuple[Iterable[Entity], ...] = (
        h.units,
        (h.centre,),
        h.command_rooms,
        h.platforms,
        h.stations,
        h.departments,
        h.people,
    )
    for group in groups:
        by_id.update((entity.id, entity) for entity in group)
    if len(by_id) != sum(1 for group in groups for _ in group):
        counts = Counter(entity.id for group in groups for entity in group)
        raise DuplicateIdError(id_ for id_, count in counts.items() if count > 1)

    # 2. kinds and roles are known
    platform_kinds = {kind.key for kind in h.preset.platforms}
    station_kinds = {kind.key for kind in h.preset.station_kinds}
    unknown = {p.id for p in h.platforms if p.platform_kind not in platform_kinds}
    unknown |= {s.id for s in h.stations if s.station_kind not in station_kinds}
    unknown |= {p.id for p in h.people for post in p.posts if post.role not in roles}
    if unknown:
        raise UnknownKindError(unknown, f"preset {h.preset.key!r} and the known roles")

    # 3. one root, no unit without a parent, no person without a post
    by_level: dict[Level, list[AdminUnit]] = {level: [] for level in Level}
    for unit in h.units:
        by_level[unit.level].append(unit)
    roots = [u for u in h.units if u.parent_id is None]
    cities = [u for u in roots if u.level is Level.CITY]
    bad_roots = {u.id for u in roots if u.level is not Level.CITY}
    if bad_roots or len(cities) != 1:
        detail = "exactly one city, and nothing else, may have no parent"
        raise OrphanError(bad_roots or {u.id for u in cities} or {"<no city>"}, detail)
    city = cities[0]
    orphans = {p.id for p in h.people if not p.posts}
    if orphans:
        raise OrphanError(orphans, "people must hold at least one post")

    # 4 and 5. every parent exists and is one level up; organisations sit under a town or the city
    parent: dict[str, str] = {}
    children: dict[str, list[AdminUnit]] = {}
    town: dict[str, str] = {}
    missing: set[str] = set()
    wrong_level: set[str] = set()
    for level in Level:
        above = level.above
        for unit in by_level[level]:
            parent_id = unit.parent_id
            if parent_id is None:
                continue
            up = by_id.get(parent_id)
            if up is None:
                missing.add(unit.id)
            elif type(up) is not AdminUnit or up.level is not above:
                wrong_level.add(unit.id)
            else:
                parent[unit.id] = parent_id
                siblings = children.get(parent_id)
                if siblings is None:
                    children[parent_id] = [unit]
                else:
                    siblings.append(unit)
                if level is Level.TOWN:
                    town[unit.id] = unit.id
                elif parent_id in town:
                    town[unit.id] = town[parent_id]
    organisations: list[tuple[_Node, str, Level]] = [(h.centre, h.centre.city_id, Level.CITY)]
    organisations += [(d, d.city_id, Level.CITY) for d in h.departments]
    organisations += [(c, c.town_id, Level.TOWN) for c in h.command_rooms]
    organisations += [(p, p.town_id, Level.TOWN) for p in h.platforms]
    organisations += [(s, s.town_id, Level.TOWN) for s in h.stations]
    for node, parent_id, level in organisations:
        up = by_id.get(parent_id)
        if up is None:
            missing.add(node.id)
        elif type(up) is not AdminUnit or up.level is not level:
            wrong_level.add(node.id)
        else:
            parent[node.id] = parent_id
            if level is Level.TOWN:
                town[node.id] = parent_id
    missing |= {s.id for s in h.stations if s.platform_id not in by_id}
    if missing:
        raise MissingParentError(missing)
    if wrong_level:
        raise ParentLevelError(wrong_level)

    # 6. exactly one command room per town
    towns = by_level[Level.TOWN]
    rooms = {room.town_id: room for room in h.command_rooms}
    room_counts = Counter(room.town_id for room in h.command_rooms)
    bad_towns = {t.id for t in towns if room_counts[t.id] != 1}
    if bad_towns:
        raise CommandRoomError(bad_towns)

    # 7. exactly the preset's platform set per town
    platforms: dict[str, list[Platform]] = {t.id: [] for t in towns}
    for platform in h.platforms:
        platforms[platform.town_id].append(platform)
    wanted = Counter(kind.key for kind in h.preset.platforms)
    bad_towns = {
        town_id
        for town_id, found in platforms.items()
        if Counter(p.platform_kind for p in found) != wanted
    }
    if bad_towns:
        raise PlatformSetError(bad_towns, f"preset {h.preset.key!r}: {sorted(wanted)}")
    order = {kind.key: i for i, kind in enumerate(h.preset.platforms)}
    for found in platforms.values():
        found.sort(key=lambda p: order[p.platform_kind])

    # 8. every station under a platform of its own town
    stations: dict[str, list[Station]] = {t.id: [] for t in towns}
    misplaced: set[str] = set()
    for station in h.stations:
        home = by_id[station.platform_id]
        if not isinstance(home, Platform) or home.town_id != station.town_id:
            misplaced.add(station.id)
        stations[station.town_id].append(station)
    if misplaced:
        raise StationPlacementError(misplaced)

    # 9. every post in a unit that exists and fits the role
    allowed = {key: role.unit_kinds for key, role in roles.items()}
    people: dict[str, list[Person]] = {}
    bad_posts: set[str] = set()
    for person in h.people:
        for post in person.posts:
            held_in = by_id.get(post.unit_id)
            if held_in is None or isinstance(held_in, Person):
                bad_posts.add(person.id)
                continue
            if held_in.kind not in allowed[post.role]:
                bad_posts.add(person.id)
                continue
            held = people.get(post.unit_id)
            if held is None:
                people[post.unit_id] = [person]
            elif held[-1] is not person:
                held.append(person)
    if bad_posts:
        raise WorkerAssignmentError(bad_posts)

    return _Index(
        by_id=by_id,
        parent=parent,
        children=children,
        town=town,
        by_level=by_level,
        command_room=rooms,
        platforms=platforms,
        stations=stations,
        people=people,
        roles=roles,
        city=city,
    )
