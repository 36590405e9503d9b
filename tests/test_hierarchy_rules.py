"""One test per structural rule of `Hierarchy`.

Each shows the typed error, the ids it names, and that nothing was constructed (the original
hierarchy is untouched).
"""

from __future__ import annotations

import attrs
import pytest

from ruian_governance import (
    AdminUnit,
    Hierarchy,
    Label,
    Level,
    Person,
    Post,
    Role,
    RuianGovernanceError,
    UnitKind,
    generate_hierarchy,
)
from ruian_governance.errors import (
    ArgumentError,
    CommandRoomError,
    DuplicateIdError,
    HierarchyError,
    MissingParentError,
    OrphanError,
    ParentLevelError,
    PlatformSetError,
    StationPlacementError,
    UnknownIdError,
    UnknownKindError,
    WorkerAssignmentError,
)
from ruian_governance.models import (
    CommandRoom,
    Platform,
    PlatformKind,
    PlatformPreset,
    Station,
    StationKind,
)


@pytest.fixture(scope="module")
def h() -> Hierarchy:
    """A small valid hierarchy to break in one way per test."""
    return generate_hierarchy(towns=2, villages=3, grids=5, micro_grids=6, seed=0)


def rejected(h: Hierarchy, error: type[HierarchyError], **changes: object) -> HierarchyError:
    """Build h with `changes`, expect `error`, and check h itself was left as it was."""
    before = (h.units, h.people, h.stations, h.platforms, h.command_rooms)
    with pytest.raises(error) as info:
        attrs.evolve(h, **changes)
    assert (h.units, h.people, h.stations, h.platforms, h.command_rooms) == before
    assert isinstance(info.value, RuianGovernanceError)
    assert isinstance(info.value, ValueError)
    return info.value


def test_valid_hierarchy_builds(h: Hierarchy) -> None:
    """The fixture hierarchy validates and holds what the generator was asked for."""
    assert [len(h.units_at(level)) for level in Level] == [1, 2, 3, 5, 6]


def test_duplicate_ids(h: Hierarchy) -> None:
    """Two entities with one id raise DuplicateIdError naming that id."""
    grid = h.units_at(Level.GRID)[0]
    clash = attrs.evolve(h.units_at(Level.MICRO_GRID)[0], id=grid.id)
    error = rejected(h, DuplicateIdError, units=(*h.units, clash))
    assert error.ids == (grid.id,)
    assert grid.id in str(error)


def test_duplicate_id_across_kinds(h: Hierarchy) -> None:
    """Ids are unique across units, organisations and people, not only within a kind."""
    person = attrs.evolve(h.people[0], id=h.city.id)
    error = rejected(h, DuplicateIdError, people=(person, *h.people[1:]))
    assert error.ids == (h.city.id,)


def test_unknown_station_kind(h: Hierarchy) -> None:
    """A station of a kind the preset does not define raises UnknownKindError."""
    station = attrs.evolve(h.stations[0], station_kind="spaceport")
    error = rejected(h, UnknownKindError, stations=(station, *h.stations[1:]))
    assert error.ids == (station.id,)


def test_unknown_role(h: Hierarchy) -> None:
    """A post in a role nobody defined raises UnknownKindError naming the person."""
    person = attrs.evolve(h.people[0], posts=(Post(role="wizard", unit_id=h.city.id),))
    error = rejected(h, UnknownKindError, people=(person, *h.people[1:]))
    assert error.ids == (person.id,)


def test_second_root_is_an_orphan(h: Hierarchy) -> None:
    """A unit below the city level without a parent raises OrphanError."""
    village = h.units_at(Level.VILLAGE)[0]
    loose = AdminUnit(id="loose", name="散村", level=Level.VILLAGE)
    error = rejected(h, OrphanError, units=(*h.units, loose))
    assert error.ids == ("loose",)
    assert village.id not in error.ids


def test_two_cities_are_orphans(h: Hierarchy) -> None:
    """Two parentless cities raise OrphanError naming both."""
    other = AdminUnit(id="other_city", name="他市", level=Level.CITY)
    error = rejected(h, OrphanError, units=(*h.units, other))
    assert set(error.ids) == {h.city.id, "other_city"}


def test_person_without_post_is_an_orphan(h: Hierarchy) -> None:
    """A person holding no post raises OrphanError."""
    person = Person(id="nobody", name="无名", posts=())
    error = rejected(h, OrphanError, people=(*h.people, person))
    assert error.ids == ("nobody",)


def test_missing_parent(h: Hierarchy) -> None:
    """A unit whose parent does not exist raises MissingParentError naming the unit."""
    grid = AdminUnit(id="g.x", name="网格", level=Level.GRID, parent_id="no.such.village")
    error = rejected(h, MissingParentError, units=(*h.units, grid))
    assert error.ids == ("g.x",)


def test_missing_platform_of_station(h: Hierarchy) -> None:
    """A station naming a platform that does not exist raises MissingParentError."""
    station = attrs.evolve(h.stations[0], platform_id="nowhere")
    error = rejected(h, MissingParentError, stations=(station, *h.stations[1:]))
    assert error.ids == (station.id,)


def test_parent_not_one_level_up(h: Hierarchy) -> None:
    """A grid hanging directly under a town raises ParentLevelError."""
    town = h.towns[0]
    grid = AdminUnit(id="g.skip", name="网格", level=Level.GRID, parent_id=town.id)
    error = rejected(h, ParentLevelError, units=(*h.units, grid))
    assert error.ids == ("g.skip",)


def test_command_room_under_a_village(h: Hierarchy) -> None:
    """Organisations must hang from the right level: a command room under a village fails."""
    village = h.units_at(Level.VILLAGE)[0]
    room = attrs.evolve(h.command_rooms[0], town_id=village.id)
    error = rejected(h, ParentLevelError, command_rooms=(room, *h.command_rooms[1:]))
    assert error.ids == (room.id,)


def test_town_without_command_room(h: Hierarchy) -> None:
    """A town with no command room raises CommandRoomError naming the town."""
    error = rejected(h, CommandRoomError, command_rooms=h.command_rooms[1:])
    assert error.ids == (h.command_rooms[0].town_id,)


def test_town_with_two_command_rooms(h: Hierarchy) -> None:
    """A town with two command rooms raises CommandRoomError naming the town."""
    extra = CommandRoom(id="extra_room", name="第二指挥室", town_id=h.towns[1].id)
    error = rejected(h, CommandRoomError, command_rooms=(*h.command_rooms, extra))
    assert error.ids == (h.towns[1].id,)


def test_town_missing_a_platform(h: Hierarchy) -> None:
    """A town lacking one of the preset's platforms raises PlatformSetError."""
    town = h.towns[0]
    dropped = h.platforms_of(town.id)[-1]
    # Its stations must go too, or they would point at a missing platform.
    stations = tuple(s for s in h.stations if s.platform_id != dropped.id)
    platforms = tuple(p for p in h.platforms if p.id != dropped.id)
    error = rejected(h, PlatformSetError, platforms=platforms, stations=stations)
    assert error.ids == (town.id,)


def test_town_with_an_extra_platform(h: Hierarchy) -> None:
    """A town with the same platform kind twice raises PlatformSetError."""
    town = h.towns[1]
    twin = attrs.evolve(h.platforms_of(town.id)[0], id="twin")
    error = rejected(h, PlatformSetError, platforms=(*h.platforms, twin))
    assert error.ids == (town.id,)


def test_station_under_platform_of_another_town(h: Hierarchy) -> None:
    """A station whose platform belongs to another town raises StationPlacementError."""
    first, second = h.towns
    station = h.stations_of(first.id)[0]
    foreign = h.platforms_of(second.id)[0]
    moved = attrs.evolve(station, platform_id=foreign.id)
    stations = tuple(moved if s.id == station.id else s for s in h.stations)
    error = rejected(h, StationPlacementError, stations=stations)
    assert error.ids == (station.id,)


def test_station_under_a_non_platform(h: Hierarchy) -> None:
    """A station whose 'platform' is the command room raises StationPlacementError."""
    station = h.stations[0]
    moved = attrs.evolve(station, platform_id=h.command_room_of(station.town_id).id)
    error = rejected(h, StationPlacementError, stations=(moved, *h.stations[1:]))
    assert error.ids == (station.id,)


def test_grid_worker_in_missing_grid(h: Hierarchy) -> None:
    """A grid worker assigned to a grid that does not exist raises WorkerAssignmentError."""
    worker = Person(id="w.lost", name="王五", posts=(Post(role="grid_worker", unit_id="no.grid"),))
    error = rejected(h, WorkerAssignmentError, people=(*h.people, worker))
    assert error.ids == ("w.lost",)


def test_grid_worker_in_a_village(h: Hierarchy) -> None:
    """A grid worker posted to a village (not a grid) raises WorkerAssignmentError."""
    village = h.units_at(Level.VILLAGE)[0]
    worker = Person(id="w.v", name="赵六", posts=(Post(role="grid_worker", unit_id=village.id),))
    error = rejected(h, WorkerAssignmentError, people=(*h.people, worker))
    assert error.ids == ("w.v",)


def test_custom_role_is_accepted(h: Hierarchy) -> None:
    """A role configured on the hierarchy may be held where its unit kinds allow."""
    instructor = Role(
        key="grid_instructor",
        label=Label(en="grid instructor", zh="网格指导员"),
        unit_kinds={UnitKind.VILLAGE},
    )
    village = h.units_at(Level.VILLAGE)[0]
    person = Person(
        id="inst", name="钱七", posts=(Post(role="grid_instructor", unit_id=village.id),)
    )
    extended = attrs.evolve(h, roles=(instructor,), people=(*h.people, person))
    assert extended.people_of(village.id, role="grid_instructor") == (person,)
    assert extended.role("grid_instructor") is instructor


def test_error_message_lists_many_ids_briefly(h: Hierarchy) -> None:
    """Errors name every offending id as attributes, and cut the message after ten."""
    loose = [AdminUnit(id=f"loose{i:02d}", name="散", level=Level.GRID) for i in range(15)]
    error = rejected(h, OrphanError, units=(*h.units, *loose))
    assert len(error.ids) == 15
    assert "(5 more)" in str(error)


def test_platform_and_station_types_are_checked_by_id(h: Hierarchy) -> None:
    """Stations and platforms are reported with their own ids, e.g. in a platform clash."""
    assert all(isinstance(p, Platform) for p in h.platforms)
    assert all(isinstance(s, Station) for s in h.stations)


def test_parts_refuse_empty_keys() -> None:
    """Roles, station kinds, platform kinds and presets need a key: '' is an ArgumentError."""
    label = Label(en="x", zh="x")
    makers = [
        lambda: Role(key="", label=label, unit_kinds=()),
        lambda: StationKind(key="", label=label),
        lambda: PlatformKind(key="", label=label),
        lambda: PlatformPreset(key="", label=label, platforms=(), station_kinds=()),
    ]
    for make in makers:
        with pytest.raises(ArgumentError, match="key=''"):
            make()


def test_platform_preset_lookups_name_the_preset() -> None:
    """An unknown platform or station kind key is an UnknownIdError naming the preset."""
    preset = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0).preset
    assert preset.station_kind("police_station").label.zh == "派出所"
    assert preset.platform_kind(preset.platforms[0].key) is preset.platforms[0]
    for lookup in (preset.platform_kind, preset.station_kind):
        with pytest.raises(UnknownIdError, match=f"platform preset '{preset.key}'"):
            lookup("no_such_kind")
