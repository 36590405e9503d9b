"""Structural queries of `Hierarchy`.

Look-ups, parent/ancestors/children, towns, platforms, stations, people.
"""

from __future__ import annotations

import pytest

from ruian_governance import Hierarchy, Level, UnitKind, UnknownIdError, generate_hierarchy
from ruian_governance._convert import LabelledEnum
from ruian_governance.errors import ArgumentError
from ruian_governance.models import Employment
from ruian_governance.presets import PLATFORMS_2016


@pytest.fixture(scope="module")
def h() -> Hierarchy:
    """A small generated hierarchy with micro-grids and several workers per grid."""
    return generate_hierarchy(
        towns=3, villages=6, grids=12, micro_grids=24, grid_workers=20, seed=7
    )


def test_lookup_by_id_returns_each_kind(h: Hierarchy) -> None:
    """get() finds units, organisations and people by id; typed look-ups check the kind."""
    grid = h.units_at(Level.GRID)[0]
    assert h.get(grid.id) is grid
    assert h.unit(grid.id) is grid
    assert h.get(h.centre.id) is h.centre
    assert h.person(h.people[0].id) is h.people[0]
    assert h.station(h.stations[0].id) is h.stations[0]
    assert h.centre.id in h
    assert "nope" not in h


@pytest.mark.parametrize("lookup", ["get", "unit", "node", "person", "station", "role"])
def test_unknown_id_raises_lookup_error(h: Hierarchy, lookup: str) -> None:
    """Every look-up raises UnknownIdError (a LookupError) naming the id."""
    with pytest.raises(UnknownIdError) as info:
        getattr(h, lookup)("missing-id")
    assert isinstance(info.value, LookupError)
    assert info.value.id == "missing-id"
    assert "missing-id" in str(info.value)


def test_typed_lookup_refuses_wrong_kind(h: Hierarchy) -> None:
    """unit() of a station id, or person() of a unit id, is an unknown id for that kind."""
    with pytest.raises(UnknownIdError):
        h.unit(h.stations[0].id)
    with pytest.raises(UnknownIdError):
        h.person(h.city.id)


def test_parent_ancestors_children(h: Hierarchy) -> None:
    """parent() is one level up; ancestors() climb to the city; children() go one level down."""
    micro = h.units_at(Level.MICRO_GRID)[0]
    chain = h.ancestors(micro.id)
    assert [u.level for u in chain] == [Level.GRID, Level.VILLAGE, Level.TOWN, Level.CITY]
    assert h.parent(micro.id) == chain[0]
    assert micro in h.children(chain[0].id)
    assert h.parent(h.city.id) is None
    assert h.ancestors(h.city.id) == ()


def test_organisations_hang_from_their_town(h: Hierarchy) -> None:
    """Command rooms, platforms and stations answer their town as parent; centre the city."""
    town = h.towns[0]
    assert h.parent(h.command_room_of(town.id).id) == town
    station = h.stations_of(town.id)[0]
    assert h.ancestors(station.id) == (town, h.city)
    assert h.parent(h.centre.id) == h.city
    assert h.parent(h.departments[0].id) == h.city


def test_town_of_every_kind(h: Hierarchy) -> None:
    """town_of() answers the town of units, organisations and people; None at city level."""
    town = h.towns[1]
    grid = next(h.descendants(town.id))
    assert h.town_of(town.id) == town
    assert h.town_of(grid.id) == town
    assert h.town_of(h.command_room_of(town.id).id) == town
    assert h.town_of(h.stations_of(town.id)[0].id) == town
    worker = h.people_of(h.units_at(Level.GRID)[0].id)[0]
    assert h.town_of(worker.id) == h.town_of(h.units_at(Level.GRID)[0].id)
    assert h.town_of(h.city.id) is None
    assert h.town_of(h.centre.id) is None


def test_descendants_cover_the_subtree(h: Hierarchy) -> None:
    """descendants() of a town are exactly the units whose town is that town (minus itself)."""
    town = h.towns[2]
    below = {u.id for u in h.descendants(town.id)}
    expected = {u.id for u in h.units if u.level.depth > 1 and h.town_of(u.id) == town}
    assert below == expected


def test_platforms_and_stations_of_a_town(h: Hierarchy) -> None:
    """Each town has the preset's platforms in order, and the stations under them."""
    town = h.towns[0]
    kinds = [p.platform_kind for p in h.platforms_of(town.id)]
    assert kinds == [k.key for k in h.preset.platforms]
    for platform in h.platforms_of(town.id):
        for station in h.stations_of(platform.id):
            assert h.platform_of(station.id) == platform
            assert station.town_id == town.id
    police = h.stations_of(town.id, station_kind="police_station")
    assert [s.station_kind for s in police] == ["police_station"]
    with pytest.raises(UnknownIdError):
        h.stations_of(h.city.id)


def test_grid_and_workers_of_a_micro_grid(h: Hierarchy) -> None:
    """grid_of() answers a micro-grid's grid; people_of() its micro-grid workers."""
    micro = h.units_at(Level.MICRO_GRID)[3]
    grid = h.grid_of(micro.id)
    assert grid.level is Level.GRID
    assert micro in h.children(grid.id)
    workers = h.people_of(micro.id, role="micro_grid_worker")
    assert workers
    assert all(any(p.unit_id == micro.id for p in w.posts) for w in workers)
    with pytest.raises(UnknownIdError):
        h.grid_of(grid.id)


def test_grid_workers_full_and_part_time(h: Hierarchy) -> None:
    """Each grid's first worker is full-time and its grid leader; the rest are part-time."""
    for grid in h.units_at(Level.GRID):
        workers = h.people_of(grid.id, role="grid_worker")
        leaders = h.people_of(grid.id, role="grid_leader")
        assert workers
        assert leaders == workers[:1]
        assert workers[0].posts[0].employment is Employment.FULL_TIME
        assert all(w.posts[0].employment is Employment.PART_TIME for w in workers[1:])


def test_kinds_and_labels() -> None:
    """Every level, unit kind and role carries an English name and a Chinese label."""
    for level in Level:
        assert level.label.en
        assert level.label.zh
    for kind in UnitKind:
        assert kind.label.zh
    assert Level.CITY.above is None
    assert Level.MICRO_GRID.below is None
    assert Level.TOWN.below is Level.VILLAGE


def test_2016_preset_hierarchy() -> None:
    """A hierarchy on the 2016 preset has its four platforms per town."""
    h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, preset=PLATFORMS_2016)
    assert [p.platform_kind for p in h.platforms_of(h.towns[0].id)] == [
        "comprehensive_governance",
        "market_supervision",
        "law_enforcement",
        "convenience_services",
    ]
    assert h.units_at(Level.MICRO_GRID) == ()


def test_all_roles_include_builtin(h: Hierarchy) -> None:
    """all_roles holds the built-in roles, each with a Chinese label."""
    assert h.all_roles["grid_worker"].label.zh == "网格员"
    assert h.all_roles["supervision_panel_member"].label.zh == "平安市民监督团成员"


def test_repr_is_one_line_of_sizes(h: Hierarchy) -> None:
    """repr() names the city and counts its towns, villages, grids, micro-grids and people."""
    text = repr(h)
    assert text == (
        f"<Hierarchy city='示范市' towns=3 villages=6 grids=12 micro_grids=24 "
        f"people={len(h.people)}>"
    )


@pytest.mark.parametrize("enum_type", [Level, UnitKind, Employment])
def test_enums_hash_by_identity_and_carry_labels(enum_type: type[LabelledEnum]) -> None:
    """Members hash by identity (fast dict keys), have a bilingual label and parse by value."""
    for member in enum_type:
        assert hash(member) == object.__hash__(member)
        assert member.label.en
        assert member.label.zh
        assert enum_type.parse(member.value, "field") is member
        assert enum_type.parse(member, "field") is member
    with pytest.raises(ArgumentError, match="field='nonsense'"):
        enum_type.parse("nonsense", "field")
