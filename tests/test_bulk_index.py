"""The hierarchy's checks a column at a time and its tables built on first use (issue 15 point 5).

The rules of parents and posts are checked a level (or a column) at a time, and found again one
part at a time only when one is broken: these tests break them in the ways the column checks
could miss (a parent that is an organisation, a city with a parent, a subclass) and show the
typed error names exactly the offending ids, and that a good hierarchy's lazily built tables
(town, children, people of a unit) are the ones its structure gives, pickled or not.
"""

from __future__ import annotations

import pickle
from typing import ClassVar

import attrs
import pytest

from ruian_governance import AdminUnit, Hierarchy, Level, Person, Post, generate_hierarchy
from ruian_governance.errors import MissingParentError, ParentLevelError, WorkerAssignmentError
from ruian_governance.models import CommandRoom, UnitKind


@pytest.fixture(scope="module")
def h() -> Hierarchy:
    """A small valid hierarchy."""
    return generate_hierarchy(towns=2, villages=3, grids=5, micro_grids=6, seed=0)


def test_a_unit_under_an_organisation(h: Hierarchy) -> None:
    """Point 5: a grid whose parent is a command room (an id that exists) is a ParentLevelError."""
    room = h.command_rooms[0]
    grid = AdminUnit(id="g-bad", name="网格", level=Level.GRID, parent_id=room.id)
    with pytest.raises(ParentLevelError) as raised:
        attrs.evolve(h, units=(*h.units, grid))
    assert raised.value.ids == ("g-bad",)


def test_a_city_level_unit_with_a_parent(h: Hierarchy) -> None:
    """Point 5: a second city hanging under the city is a ParentLevelError naming it."""
    second = AdminUnit(id="c2", name="二市", level=Level.CITY, parent_id=h.city.id)
    with pytest.raises(ParentLevelError) as raised:
        attrs.evolve(h, units=(*h.units, second))
    assert raised.value.ids == ("c2",)


def test_missing_parent_reported_before_wrong_level(h: Hierarchy) -> None:
    """Point 5: with a missing parent and a misplaced one, the missing parent is named first."""
    village = h.units_at(Level.VILLAGE)[0]
    lost = AdminUnit(id="g-lost", name="网格", level=Level.GRID, parent_id="nowhere")
    misplaced = AdminUnit(id="m-bad", name="微网格", level=Level.MICRO_GRID, parent_id=village.id)
    with pytest.raises(MissingParentError) as raised:
        attrs.evolve(h, units=(*h.units, misplaced, lost))
    assert raised.value.ids == ("g-lost",)
    with pytest.raises(ParentLevelError) as raised_level:
        attrs.evolve(h, units=(*h.units, misplaced))
    assert raised_level.value.ids == ("m-bad",)


def test_one_bad_post_among_good_ones(h: Hierarchy) -> None:
    """Point 5: a person whose second post does not fit its role is named, and only they are."""
    grid, village = h.units_at(Level.GRID)[0], h.units_at(Level.VILLAGE)[0]
    good, bad = (Post(role="grid_worker", unit_id=u.id) for u in (grid, village))
    person = Person(id="p-bad", name="张三", posts=(good, bad))
    with pytest.raises(WorkerAssignmentError) as raised:
        attrs.evolve(h, people=(*h.people, person))
    assert raised.value.ids == ("p-bad",)


@attrs.frozen(kw_only=True)
class _Room(CommandRoom):
    """A command room of the user's own class (its kind is asked of it)."""

    kind: ClassVar[UnitKind] = UnitKind.COMMAND_ROOM


def test_a_post_in_a_subclass_is_asked_its_kind(h: Hierarchy) -> None:
    """Point 5: a post in an organisation of a subclass is checked by the kind it gives."""
    old = h.command_rooms[0]
    room = _Room(id=old.id, name=old.name, town_id=old.town_id)
    built = attrs.evolve(h, command_rooms=(room, *h.command_rooms[1:]))
    assert built.people_of(room.id) == h.people_of(room.id)


def _tables(h: Hierarchy) -> tuple[object, ...]:
    units = [u.id for u in h.units]
    nodes = [*units, *(o.id for o in h.command_rooms), *(o.id for o in h.platforms)]
    nodes += [s.id for s in h.stations]
    return (
        [h.town_of(i) for i in nodes],
        [h.children(i) for i in units],
        [h.people_of(i) for i in nodes],
        [h.parent(i) for i in nodes],
        [h.ancestors(i) for i in nodes],
    )


def test_tables_built_on_first_use_are_the_structure(h: Hierarchy) -> None:
    """Point 5: town, children and people of a unit, asked after building, are the structure's."""
    fresh = attrs.evolve(h)
    for i in (u.id for u in fresh.units):
        unit = fresh.unit(i)
        chain = fresh.ancestors(i)
        assert [u.id for u in chain] == [
            *([unit.parent_id] if unit.parent_id else []),
            *(u.id for u in chain[1:]),
        ]
        town = next((u for u in (unit, *chain) if u.level is Level.TOWN), None)
        assert fresh.town_of(i) == town
        assert fresh.children(i) == tuple(u for u in fresh.units if u.parent_id == i)
        holders = tuple(p for p in fresh.people if any(s.unit_id == i for s in p.posts))
        assert fresh.people_of(i) == holders
    assert _tables(fresh) == _tables(h)


def test_pickled_before_and_after_the_tables_are_built(h: Hierarchy) -> None:
    """Point 5: a hierarchy pickles with its tables built or not, and answers the same."""
    before = pickle.loads(pickle.dumps(attrs.evolve(h)))
    expected = _tables(h)
    after = pickle.loads(pickle.dumps(h))
    assert before == after == h
    assert _tables(before) == _tables(after) == expected
