"""A small world for the tests: a two-town hierarchy, its engine and named actors.

Fixtures, not generators: the Hypothesis strategies the tests draw from are the ones the
package ships (``ruian_governance.testing.strategies``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import attrs

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Actor,
    Case,
    Engine,
    Hierarchy,
    Level,
    Person,
    Post,
    builtin_engine,
    generate_hierarchy,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
"""A Monday morning, far from holidays."""

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@attrs.frozen(kw_only=True)
class World:
    """A two-town hierarchy, its engine and one actor per part the tests need."""

    h: Hierarchy
    engine: Engine
    grid: str
    village: str
    town: str
    other_grid: str
    actors: Mapping[str, Actor]

    def __getitem__(self, key: str) -> Actor:
        return self.actors[key]

    def station(self, kind: str, town: str | None = None) -> str:
        """The id of the station of ``kind`` in ``town`` (default: the case town)."""
        return self.h.stations_of(town or self.town, station_kind=kind)[0].id

    def department(self, kind: str) -> str:
        """The id of the city department of ``kind``."""
        return self.h.departments_of_kind(kind)[0].id


def _actor(h: Hierarchy, unit_id: str, role: str) -> Actor:
    person = h.people_of(unit_id, role=role)[0]
    return Actor(person_id=person.id, role=role, unit_id=unit_id)


def build_world() -> World:
    """Build the test world: 2 towns, 4 villages, 8 grids, plus a task-force commander."""
    base = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=3)
    town, other_town = (t.id for t in base.towns)
    grids = [g for g in base.units_at(Level.GRID) if base.ancestors(g.id)[1].id == town]
    grid = grids[0]
    village = base.ancestors(grid.id)[0]
    other_grid = next(g for g in base.units_at(Level.GRID) if base.ancestors(g.id)[1].id != town)
    sibling = next((g for g in grids if g.parent_id != village.id), grids[-1])
    extra = (
        Person(
            id="commander",
            name="专班指挥员",
            posts=(Post(role="task_force_commander", unit_id=base.centre.id),),
        ),
        Person(id="cadre1", name="村干部", posts=(Post(role="village_cadre", unit_id=village.id),)),
    )
    h = attrs.evolve(base, people=(*base.people, *extra))
    room = h.command_room_of(town).id
    actors = {
        "worker": _actor(h, grid.id, "grid_worker"),
        "sibling_worker": _actor(h, sibling.id, "grid_worker"),
        "other_worker": _actor(h, other_grid.id, "grid_worker"),
        "operator": _actor(h, room, "command_room_operator"),
        "other_operator": _actor(h, h.command_room_of(other_town).id, "command_room_operator"),
        "police": _actor(
            h, h.stations_of(town, station_kind="police_station")[0].id, "station_officer"
        ),
        "judicial": _actor(
            h, h.stations_of(town, station_kind="judicial_office")[0].id, "station_officer"
        ),
        "other_police": _actor(
            h, h.stations_of(other_town, station_kind="police_station")[0].id, "station_officer"
        ),
        "centre": _actor(h, h.centre.id, "centre_officer"),
        "court": _actor(h, h.departments_of_kind("court")[0].id, "department_officer"),
        "justice": _actor(h, h.departments_of_kind("justice")[0].id, "department_officer"),
        "commander": Actor(person_id="commander", role="task_force_commander", unit_id=h.centre.id),
        "cadre": Actor(person_id="cadre1", role="village_cadre", unit_id=village.id),
        # issue 13: courts, village mediators, sages, leaders, 政法委 (generated posts)
        "judge": _actor(h, h.courts_serving(town)[0].id, "judge"),
        "court_judge": _actor(h, h.courts[0].id, "judge"),
        "mediator": _actor(h, village.id, "mediation_committee_member"),
        "town_sage": _actor(h, town, "village_sage"),
        "town_leader": _actor(h, town, "leader"),
        "other_leader": _actor(h, other_town, "leader"),
        "city_leader": _actor(h, h.city.id, "leader"),
        "overseer": _actor(h, h.city.id, "political_legal_officer"),
    }
    return World(
        h=h,
        engine=builtin_engine(h),
        grid=grid.id,
        village=village.id,
        town=town,
        other_grid=other_grid.id,
        actors=actors,
    )


def open_case(world: World, lifecycle: str, case_id: str = "C1") -> Case:
    """Open a case of ``lifecycle`` in the world's first grid at :data:`T0`."""
    if lifecycle == "hazard":
        return world.engine.open(
            "hazard",
            case_id=case_id,
            trigger="find_on_patrol",
            actor=world["worker"],
            at=T0,
            location_id=world.grid,
            category="fire",
            severity="general",
        )
    return world.engine.open(
        lifecycle,
        case_id=case_id,
        trigger="report",
        actor=world["worker"],
        at=T0,
        location_id=world.grid,
        category="neighbours",
        severity="ordinary" if lifecycle == "event" else None,
        parties=("张三", "李四") if lifecycle == "dispute" else (),
    )


def without_stations(hierarchy: Hierarchy, town_id: str, station_kind: str) -> Hierarchy:
    """Return ``hierarchy`` without the stations of one kind in one town (and their officers).

    The town keeps its full platform set, so the result still validates.
    """
    gone = {
        s.id for s in hierarchy.stations if s.town_id == town_id and s.station_kind == station_kind
    }
    return attrs.evolve(
        hierarchy,
        stations=[s for s in hierarchy.stations if s.id not in gone],
        people=[p for p in hierarchy.people if not any(post.unit_id in gone for post in p.posts)],
    )


FIVE_FIXED = {
    "responsibility": "owner Chen",
    "measures": "replace wiring",
    "deadline": "2025-04-01",
    "funds": "8000 yuan",
    "plan": "weekly checks",
}
"""The five fixed 五落实 of a hazard's rectification, as test data."""


def fire_as(
    world: World, case: Case, trigger: str, actor: str, delay: timedelta = HOUR, **data: object
) -> Case:
    """Fire ``trigger`` as the world's ``actor`` some time after the case's last record."""
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + delay, **data)  # type: ignore[arg-type]


def refused_as(
    world: World, case: Case, error: type[Exception], trigger: str, actor: str, **data: object
) -> Exception:
    """Fire a command that must be refused with ``error``; the case is unchanged after it."""
    import pytest

    before = attrs.evolve(case)
    with pytest.raises(error) as info:
        fire_as(world, case, trigger, actor, **data)  # type: ignore[arg-type]
    assert case == before
    assert world.engine.verify(case) == case
    return info.value


def fire(
    world: World, case: Case, trigger: str, actor: str, delay: timedelta = HOUR, **data: object
) -> Case:
    """Fire ``trigger`` as ``actor`` some time after the case's last record."""
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + delay, **data)  # type: ignore[arg-type]
