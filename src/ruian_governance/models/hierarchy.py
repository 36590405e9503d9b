"""The "141" hierarchy (一中心、四平台、一网格) over city / town / village.

Models are frozen, keyword-only attrs classes that refer to each other by id (their parts are in
:mod:`ruian_governance.models.units`).  A :class:`Hierarchy` holds them all, is validated when it
is constructed (:mod:`ruian_governance.models.rules`: one typed error per broken rule, naming
every offending id) and answers the structural queries the rest of the library needs in constant
time (lookup by id, town of a unit, parent, children, posts of a unit).

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

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TypeVar

import attrs

from ruian_governance._convert import instance_of, items_of, model_tuple
from ruian_governance.errors import UnknownIdError

from .rules import HierarchyIndex, validate
from .units import (
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
)

__all__ = ["Hierarchy"]

_E = TypeVar("_E", AdminUnit, Person, Station)


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
        courts: The basic-level people's court 基层人民法院 (one per city, or none).
        tribunals: People's tribunals 人民法庭, each seated in a town of the court's city.
        shared_courts: Shared courts 共享法庭: venues in a town or village, each run by the
            court or by a tribunal serving that town.
        roles: Extra roles beyond :data:`BUILTIN_ROLES` (a key given here replaces the built-in).

    Raises:
        ArgumentError: A part is not of its type (e.g. ``units`` holding something else than
            :class:`~ruian_governance.models.AdminUnit` values), naming the field.
        DuplicateIdError, UnknownKindError, OrphanError, MissingParentError, ParentLevelError,
        CommandRoomError, PlatformSetError, StationPlacementError, CourtPlacementError,
        WorkerAssignmentError.
    """

    preset: PlatformPreset = attrs.field(validator=instance_of(PlatformPreset))
    units: tuple[AdminUnit, ...] = attrs.field(converter=model_tuple, validator=items_of(AdminUnit))
    centre: SocialGovernanceCentre = attrs.field(validator=instance_of(SocialGovernanceCentre))
    command_rooms: tuple[CommandRoom, ...] = attrs.field(
        converter=model_tuple, validator=items_of(CommandRoom)
    )
    platforms: tuple[Platform, ...] = attrs.field(
        converter=model_tuple, validator=items_of(Platform)
    )
    stations: tuple[Station, ...] = attrs.field(converter=model_tuple, validator=items_of(Station))
    departments: tuple[Department, ...] = attrs.field(
        converter=model_tuple, validator=items_of(Department), default=()
    )
    people: tuple[Person, ...] = attrs.field(
        converter=model_tuple, validator=items_of(Person), default=()
    )
    roles: tuple[Role, ...] = attrs.field(
        converter=model_tuple, validator=items_of(Role), default=()
    )
    courts: tuple[Court, ...] = attrs.field(
        converter=model_tuple, validator=items_of(Court), default=()
    )
    tribunals: tuple[Tribunal, ...] = attrs.field(
        converter=model_tuple, validator=items_of(Tribunal), default=()
    )
    shared_courts: tuple[SharedCourt, ...] = attrs.field(
        converter=model_tuple, validator=items_of(SharedCourt), default=()
    )
    _index: HierarchyIndex = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", validate(self))

    def __repr__(self) -> str:
        """One line: the city and how many units of each level and people it holds.

        >>> from ruian_governance import generate_hierarchy
        >>> generate_hierarchy(towns=2, villages=3, grids=4, micro_grids=0, seed=0)
        <Hierarchy city='示范市' towns=2 villages=3 grids=4 micro_grids=0 people=...>
        """
        count = {level: len(units) for level, units in self._index.by_level.items()}
        return (
            f"<Hierarchy city={self._index.city.name!r} towns={count[Level.TOWN]} "
            f"villages={count[Level.VILLAGE]} grids={count[Level.GRID]} "
            f"micro_grids={count[Level.MICRO_GRID]} people={len(self.people)}>"
        )

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
        except (KeyError, TypeError):  # TypeError: an unhashable "id"
            raise UnknownIdError(id) from None

    def _typed(self, id: str, cls: type[_E], what: str) -> _E:  # noqa: A002
        entity = self._index.by_id.get(id) if isinstance(id, str) else None
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
        parent_id = self._index.parent_of(self.node(id))
        return None if parent_id is None else self._index.by_id[parent_id]  # type: ignore[return-value]

    def ancestors(self, id: str) -> tuple[AdminUnit, ...]:  # noqa: A002
        """Return the administrative units above ``id``, nearest first, ending at the city.

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        chain: list[AdminUnit] = []
        by_id = self._index.by_id
        current = self._index.parent_of(self.node(id))
        while current is not None:  # every unit above is an administrative unit
            unit: AdminUnit = by_id[current]  # type: ignore[assignment]
            chain.append(unit)
            current = unit.parent_id
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

    def grid_centroids(self) -> dict[str, tuple[float, float]]:
        """Return the centroid ``(lat, long)`` of every grid and micro-grid that has one.

        In the order the units were given, grids first; an empty dict when the hierarchy
        carries no coordinates (see :attr:`AdminUnit.centroid`).  Open311 intake reads a
        request that gives only ``lat``/``long`` against these.  Added in 0.2.0.

        >>> from ruian_governance import generate_hierarchy
        >>> generate_hierarchy(towns=1, villages=1, grids=2, micro_grids=0).grid_centroids()
        {}
        >>> placed = generate_hierarchy(towns=1, villages=1, grids=2, micro_grids=0,
        ...                             origin=(27.78, 120.65))
        >>> sorted(placed.grid_centroids()) == sorted(g.id for g in placed.units_at(Level.GRID))
        True
        """
        return {
            unit.id: unit.centroid
            for level in (Level.GRID, Level.MICRO_GRID)
            for unit in self._index.by_level.get(level, ())
            if unit.centroid is not None
        }

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
        return self._index.by_id[unit.parent_id]  # type: ignore[index, return-value]

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

    def courts_serving(self, id: str) -> tuple[Court | Tribunal, ...]:  # noqa: A002
        """Return the courts that serve a unit: the tribunals serving its town, then the courts.

        A unit of a town (the town, its villages, grids, command room, stations) is served by
        every tribunal 人民法庭 whose served towns include that town, and by the basic-level
        court 基层人民法院; a city-level unit by the court alone.

        >>> from ruian_governance import ruian_preset
        >>> h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
        ...                  micro_grid_workers=0)
        >>> [c.name for c in h.courts_serving(h.towns[0].id)]
        ['瑞安市人民法院安阳街道法庭', '瑞安市人民法院']

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        town = self.town_of(self.node(id).id)
        tribunals = () if town is None else self._index.tribunals.get(town.id, ())
        return (*tribunals, *self.courts)

    def shared_courts_of(self, id: str) -> tuple[SharedCourt, ...]:  # noqa: A002
        """Return the shared courts 共享法庭 in a town or village, or in the town of any unit.

        Raises:
            UnknownIdError: No unit or organisation has this id.
        """
        town = self.town_of(self.node(id).id)
        if town is None:
            return ()
        index = self._index
        venues = index.venues
        if venues is None:  # by town, once: the hierarchy is frozen
            grouped: dict[str, list[SharedCourt]] = {}
            for venue in self.shared_courts:
                seat = index.town.get(venue.id)
                if seat is not None:
                    grouped.setdefault(seat, []).append(venue)
            venues = index.venues = {seat: tuple(found) for seat, found in grouped.items()}
        return venues.get(town.id, ())
