"""The structural rules of a hierarchy, one function per rule, and the index they build.

:func:`validate` checks the rules in a fixed order (ids, kinds, roots, parents and levels,
command rooms, platforms, stations, courts, posts) and raises the first broken rule's
:class:`~ruian_governance.errors.HierarchyError` subclass, naming every offending id for that
rule.  Each rule function also returns the look-up tables it had to build anyway, so checking
and indexing are one pass over the parts.  The tables no rule needs (the town of every unit,
the children of a unit, the people of a unit) are built on first use: a province's hierarchy
(about 1.1 million units and people) is checked without building them, and a unit's parent
is its own ``parent_id`` (only an organisation's is kept in a table).  The big columns are
checked in C where the rule allows (the parents of one level looked up at once, their types
and levels compared as sets); a broken rule is then found again one part at a time, to name
every offending id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Protocol

import attrs

from ruian_governance.errors import (
    CommandRoomError,
    CourtPlacementError,
    DuplicateIdError,
    MissingParentError,
    OrphanError,
    ParentLevelError,
    PlatformSetError,
    StationPlacementError,
    UnknownKindError,
    WorkerAssignmentError,
)

from .units import (
    _KIND_OF_LEVEL,
    BUILTIN_ROLES,
    AdminUnit,
    CommandRoom,
    Court,
    Department,
    Entity,
    Level,
    Organisation,
    Person,
    Platform,
    PlatformPreset,
    Role,
    SharedCourt,
    SocialGovernanceCentre,
    Station,
    Tribunal,
    UnitKind,
)

__all__ = ["HierarchyIndex", "HierarchyParts", "validate"]


class HierarchyParts(Protocol):
    """What the rules read: the parts a :class:`~ruian_governance.models.Hierarchy` is made of.

    One read-only property per part (a frozen attrs field matches only a read-only protocol
    member), so that the rules need not import the Hierarchy that calls them.
    """

    @property
    def preset(self) -> PlatformPreset:
        """The platform set every town must have."""

    @property
    def units(self) -> tuple[AdminUnit, ...]:
        """City, towns, villages, grids and micro-grids."""

    @property
    def centre(self) -> SocialGovernanceCentre:
        """The city's social-governance centre."""

    @property
    def command_rooms(self) -> tuple[CommandRoom, ...]:
        """One per town."""

    @property
    def platforms(self) -> tuple[Platform, ...]:
        """The preset's platform set per town."""

    @property
    def stations(self) -> tuple[Station, ...]:
        """Each under a platform of its own town."""

    @property
    def departments(self) -> tuple[Department, ...]:
        """City departments."""

    @property
    def people(self) -> tuple[Person, ...]:
        """People with their posts."""

    @property
    def roles(self) -> tuple[Role, ...]:
        """Roles beyond the built-in ones."""

    @property
    def courts(self) -> tuple[Court, ...]:
        """The basic-level people's court (one, or none)."""

    @property
    def tribunals(self) -> tuple[Tribunal, ...]:
        """People's tribunals, each seated in a town."""

    @property
    def shared_courts(self) -> tuple[SharedCourt, ...]:
        """Shared-court venues in towns and villages."""


@attrs.define(slots=True)
class HierarchyIndex:
    """Look-up tables a hierarchy builds once: while its rules are checked, or on first use.

    ``parent`` holds the parent of each organisation (an administrative unit's is its own
    ``parent_id``); :attr:`town`, :attr:`children` and :attr:`people` are built the first
    time they are asked for (the same tables every time: the hierarchy is frozen).
    """

    by_id: dict[str, Entity]
    parent: dict[str, str]
    by_level: dict[Level, list[AdminUnit]]
    command_room: dict[str, CommandRoom]
    platforms: dict[str, list[Platform]]
    stations: dict[str, list[Station]]
    roles: dict[str, Role]
    city: AdminUnit
    tribunals: dict[str, list[Tribunal]]
    organisation_town: dict[str, str]
    holders: tuple[Person, ...]
    _town: dict[str, str] | None = attrs.field(default=None, init=False)
    _children: dict[str, list[AdminUnit]] | None = attrs.field(default=None, init=False)
    _people: dict[str, list[Person]] | None = attrs.field(default=None, init=False)
    venues: dict[str, tuple[SharedCourt, ...]] | None = attrs.field(default=None, init=False)
    """The shared courts 共享法庭 in each town, by the town's id, in the order given; built by
    :meth:`~ruian_governance.Hierarchy.shared_courts_of` the first time it is asked."""

    def parent_of(self, entity: Entity) -> str | None:
        """The id of the unit directly above a unit or organisation (``None`` for the city)."""
        if isinstance(entity, AdminUnit):
            return entity.parent_id
        return self.parent.get(entity.id)

    @property
    def town(self) -> dict[str, str]:
        """The town of every unit and organisation below the city, by id."""
        if self._town is None:
            self._town = _town_table(self.by_level, self.organisation_town)
        return self._town

    @property
    def children(self) -> dict[str, list[AdminUnit]]:
        """The units directly below each unit that has any, by id, in the order given."""
        if self._children is None:
            self._children = _children_table(self.by_level)
        return self._children

    @property
    def people(self) -> dict[str, list[Person]]:
        """The people holding a post in each unit or organisation, by id, in the order given."""
        if self._people is None:
            self._people = _people_table(self.holders)
        return self._people


def validate(h: HierarchyParts) -> HierarchyIndex:
    """Check every structural rule of ``h``, in order, and return its look-up tables.

    Raises:
        DuplicateIdError, UnknownKindError, OrphanError, MissingParentError, ParentLevelError,
        CommandRoomError, PlatformSetError, StationPlacementError, CourtPlacementError,
        WorkerAssignmentError.
    """
    roles = dict(BUILTIN_ROLES)
    roles.update((role.key, role) for role in h.roles)
    by_id = _unique_ids(h)
    _known_kinds(h, roles)
    by_level: dict[Level, list[AdminUnit]] = {level: [] for level in Level}
    for unit in h.units:
        by_level[unit.level].append(unit)
    city = _one_root(h)
    parent, town = _tree(h, by_id, by_level)
    towns = by_level[Level.TOWN]
    index = HierarchyIndex(
        by_id=by_id,
        parent=parent,
        by_level=by_level,
        command_room=_one_command_room(h, towns),
        platforms=_platform_sets(h, towns),
        stations=_station_placement(h, towns, by_id),
        tribunals=_court_placement(h, by_id, parent, town, city),
        roles=roles,
        city=city,
        organisation_town=town,
        holders=h.people,
    )
    _posts(h, by_id, roles)
    return index


_ID = attrgetter("id")


def _unique_ids(h: HierarchyParts) -> dict[str, Entity]:
    """Rule 1: ids are unique across units, organisations and people."""
    by_id: dict[str, Entity] = {}
    groups: tuple[Collection[Entity], ...] = (
        h.units,
        (h.centre,),
        h.command_rooms,
        h.platforms,
        h.stations,
        h.departments,
        h.courts,
        h.tribunals,
        h.shared_courts,
        h.people,
    )
    for group in groups:
        by_id.update(zip(map(_ID, group), group, strict=True))
    if len(by_id) != sum(len(group) for group in groups):
        counts = Counter(entity.id for group in groups for entity in group)
        raise DuplicateIdError(id_ for id_, count in counts.items() if count > 1)
    return by_id


def _known_kinds(h: HierarchyParts, roles: Mapping[str, Role]) -> None:
    """Rule 2: platform kinds and station kinds are the preset's; roles are known."""
    platform_kinds = {kind.key for kind in h.preset.platforms}
    station_kinds = {kind.key for kind in h.preset.station_kinds}
    unknown = {p.id for p in h.platforms if p.platform_kind not in platform_kinds}
    unknown |= {s.id for s in h.stations if s.station_kind not in station_kinds}
    unknown |= {p.id for p in h.people for post in p.posts if post.role not in roles}
    if unknown:
        raise UnknownKindError(unknown, f"preset {h.preset.key!r} and the known roles")


def _one_root(h: HierarchyParts) -> AdminUnit:
    """Rule 3: one city is the only unit without a parent; every person holds a post."""
    roots = [u for u in h.units if u.parent_id is None]
    cities = [u for u in roots if u.level is Level.CITY]
    bad_roots = {u.id for u in roots if u.level is not Level.CITY}
    if bad_roots or len(cities) != 1:
        detail = "exactly one city, and nothing else, may have no parent"
        raise OrphanError(bad_roots or {u.id for u in cities} or {"<no city>"}, detail)
    orphans = {p.id for p in h.people if not p.posts}
    if orphans:
        raise OrphanError(orphans, "people must hold at least one post")
    return cities[0]


_PARENT_ID, _LEVEL = attrgetter("parent_id"), attrgetter("level")


def _tree(
    h: HierarchyParts, by_id: Mapping[str, Entity], by_level: Mapping[Level, list[AdminUnit]]
) -> tuple[dict[str, str], dict[str, str]]:
    """Rules 4 and 5: every parent exists and is one level up (organisations: a town or the city).

    Returns the parent and the town of each organisation.  A missing parent is reported before
    a parent at the wrong level.
    """
    if not all(map(_one_level_up, (by_level[level] for level in Level), repeat(by_id))):
        _units_misplaced(by_id, by_level)  # raises, naming every offending id
    parent: dict[str, str] = {}
    town: dict[str, str] = {}
    missing: set[str] = set()
    wrong_level: set[str] = set()
    organisations: list[tuple[Organisation, str, Level]] = [
        (h.centre, h.centre.city_id, Level.CITY)
    ]
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
    return parent, town


def _one_level_up(units: Sequence[AdminUnit], by_id: Mapping[str, Entity]) -> bool:
    """Whether every unit of one level has a parent, an :class:`AdminUnit` one level up.

    The city has no parent (rule 3): a city-level unit with one fails.  A column at a time.
    """
    if not units:
        return True
    above = units[0].level.above
    if above is None:
        return all(unit.parent_id is None for unit in units)
    ups = list(map(by_id.get, map(_PARENT_ID, units)))
    return set(map(type, ups)) == {AdminUnit} and set(map(_LEVEL, ups)) == {above}


def _units_misplaced(
    by_id: Mapping[str, Entity], by_level: Mapping[Level, list[AdminUnit]]
) -> None:
    """Raise for the units whose parent is missing, else for those whose parent is misplaced."""
    missing: set[str] = set()
    wrong_level: set[str] = set()
    for level in Level:
        for unit in by_level[level]:
            if unit.parent_id is None:
                continue
            up = by_id.get(unit.parent_id)
            if up is None:
                missing.add(unit.id)
            elif type(up) is not AdminUnit or up.level is not level.above:
                wrong_level.add(unit.id)
    if missing:
        raise MissingParentError(missing)
    if wrong_level:
        raise ParentLevelError(wrong_level)


def _town_table(
    by_level: Mapping[Level, list[AdminUnit]], organisation_town: Mapping[str, str]
) -> dict[str, str]:
    """The town of every unit below the city and of every organisation in a town."""
    towns = list(map(_ID, by_level[Level.TOWN]))
    town = dict(zip(towns, towns, strict=True))
    villages = by_level[Level.VILLAGE]
    town.update(zip(map(_ID, villages), map(_PARENT_ID, villages), strict=True))
    for level in (Level.GRID, Level.MICRO_GRID):  # the town of a unit is its parent's
        units = by_level[level]
        town.update(
            zip(map(_ID, units), map(town.__getitem__, map(_PARENT_ID, units)), strict=True)
        )
    town.update(organisation_town)
    return town


def _children_table(by_level: Mapping[Level, list[AdminUnit]]) -> dict[str, list[AdminUnit]]:
    """The units directly below each unit that has any, level by level, in the order given."""
    children: dict[str, list[AdminUnit]] = {}
    kids = children.get
    for level in Level:
        for unit in by_level[level]:
            parent_id = unit.parent_id
            if parent_id is None:
                continue
            siblings = kids(parent_id)
            if siblings is None:
                children[parent_id] = [unit]
            else:
                siblings.append(unit)
    return children


def _one_command_room(h: HierarchyParts, towns: list[AdminUnit]) -> dict[str, CommandRoom]:
    """Rule 6: each town has exactly one command room."""
    rooms = {room.town_id: room for room in h.command_rooms}
    room_counts = Counter(room.town_id for room in h.command_rooms)
    bad_towns = {t.id for t in towns if room_counts[t.id] != 1}
    if bad_towns:
        raise CommandRoomError(bad_towns)
    return rooms


def _platform_sets(h: HierarchyParts, towns: list[AdminUnit]) -> dict[str, list[Platform]]:
    """Rule 7: each town has exactly the preset's platform set (listed in preset order)."""
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
    return platforms


def _station_placement(
    h: HierarchyParts, towns: list[AdminUnit], by_id: Mapping[str, Entity]
) -> dict[str, list[Station]]:
    """Rule 8: every station sits under a platform of its own town."""
    stations: dict[str, list[Station]] = {t.id: [] for t in towns}
    misplaced: set[str] = set()
    for station in h.stations:
        home = by_id[station.platform_id]
        if not isinstance(home, Platform) or home.town_id != station.town_id:
            misplaced.add(station.id)
        stations[station.town_id].append(station)
    if misplaced:
        raise StationPlacementError(misplaced)
    return stations


def _court_placement(
    h: HierarchyParts,
    by_id: Mapping[str, Entity],
    parent: dict[str, str],
    town: dict[str, str],
    city: AdminUnit,
) -> dict[str, list[Tribunal]]:
    """Rule 9: the courts fit the tree.

    At most one basic-level court, of the city; each tribunal seated in a town, serving towns
    only, of that court; each shared court in a town or village and run by the court or by a
    tribunal serving its town.  Adds the courts to the parent and town tables, and returns the
    tribunals serving each town.
    """
    bad: set[str] = {c.id for c in h.courts if c.city_id != city.id}
    if len(h.courts) > 1:
        bad |= {c.id for c in h.courts}
    courts = {c.id for c in h.courts}
    serving: dict[str, list[Tribunal]] = {}
    for tribunal in h.tribunals:
        served = tribunal.served
        if tribunal.court_id not in courts or not all(map(_is_town, map(by_id.get, served))):
            bad.add(tribunal.id)
            continue
        for t in sorted(served, key=lambda t: t != tribunal.town_id):
            serving.setdefault(t, []).append(tribunal)
    tribunals = {t.id: t for t in h.tribunals if t.id not in bad}
    for venue in h.shared_courts:
        unit = by_id.get(venue.unit_id)
        if type(unit) is not AdminUnit or unit.level not in (Level.TOWN, Level.VILLAGE):
            bad.add(venue.id)
            continue
        runner = tribunals.get(venue.court_id)
        if venue.court_id not in courts and (runner is None or _town_id(unit) not in runner.served):
            bad.add(venue.id)
    if bad:
        raise CourtPlacementError(bad)
    for court in h.courts:
        parent[court.id] = city.id
    for tribunal in h.tribunals:
        parent[tribunal.id] = town[tribunal.id] = tribunal.town_id
    for venue in h.shared_courts:
        parent[venue.id] = venue.unit_id
        town[venue.id] = _town_id(by_id[venue.unit_id])  # type: ignore[arg-type, assignment]
    return serving


def _is_town(entity: Entity | None) -> bool:
    return type(entity) is AdminUnit and entity.level is Level.TOWN


def _town_id(unit: AdminUnit) -> str | None:
    """The town of a town or village (checked to be one)."""
    return unit.id if unit.level is Level.TOWN else unit.parent_id


_KINDS: dict[type, UnitKind] = {
    cls: cls.kind
    for cls in (
        SocialGovernanceCentre, CommandRoom, Platform, Station, Department, Court, Tribunal,
        SharedCourt,
    )
}  # fmt: skip
"""The kind of each organisation class (a class constant); a unit's is its level's."""


def _posts(h: HierarchyParts, by_id: Mapping[str, Entity], roles: Mapping[str, Role]) -> None:
    """Rule 10: every post is in a unit that exists and fits the role (a grid worker in a grid).

    A column at a time: each distinct (role, class, level) of the posts' units is asked once.
    """
    posts = [post for person in h.people for post in person.posts]
    held_in = list(map(by_id.get, map(_UNIT_ID, posts)))
    levels = map(getattr, held_in, repeat("level"), repeat(None))
    held = set(zip(map(_ROLE, posts), map(type, held_in), levels, strict=True))
    allowed = {key: role.unit_kinds for key, role in roles.items()}
    if all(_kind(cls, level) in allowed[role] for role, cls, level in held):
        return
    bad_posts: set[str] = set()
    for person in h.people:
        for post in person.posts:
            unit = by_id.get(post.unit_id)
            if unit is None or isinstance(unit, Person):
                kind = None
            elif type(unit) in _KINDS or type(unit) is AdminUnit:
                kind = _kind(type(unit), getattr(unit, "level", None))
            else:
                kind = unit.kind  # a subclass: asked, not guessed
            if kind is None or kind not in allowed[post.role]:
                bad_posts.add(person.id)
    if bad_posts:
        raise WorkerAssignmentError(bad_posts)


_UNIT_ID, _ROLE = attrgetter("unit_id"), attrgetter("role")


def _kind(cls: type, level: Level | None) -> UnitKind | None:
    """The kind of a unit of this class (and level); ``None``: not a known unit's class."""
    if cls is AdminUnit:
        return _KIND_OF_LEVEL[level]  # type: ignore[index]
    return _KINDS.get(cls)


def _people_table(people: Sequence[Person]) -> dict[str, list[Person]]:
    """The people holding a post in each unit or organisation, by id, in the order given."""
    table: dict[str, list[Person]] = {}
    held_by = table.get
    for person in people:
        for post in person.posts:
            unit_id = post.unit_id
            held = held_by(unit_id)
            if held is None:
                table[unit_id] = [person]
            elif held[-1] is not person:
                held.append(person)
    return table
