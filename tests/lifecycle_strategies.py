"""A small world for lifecycle tests, and Hypothesis strategies over commands on its cases.

Issue 5 will move reusable strategies into the package; until then they live here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Actor,
    Case,
    Engine,
    Hierarchy,
    Level,
    Person,
    Post,
    TransitionError,
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
    }
    return World(
        h=h,
        engine=Engine(h),
        grid=grid.id,
        village=village.id,
        town=town,
        other_grid=other_grid.id,
        actors=actors,
    )


# --------------------------------------------------------------------------- command sequences


@attrs.frozen
class Step:
    """One command of a random sequence."""

    trigger: str
    actor: str
    data: Mapping[str, Any]
    delay: timedelta


def data_options(world: World) -> dict[str, list[dict[str, Any]]]:
    """Candidate data per trigger: mostly valid, some missing or out of range."""
    police, judicial = world.station("police_station"), world.station("judicial_office")
    other_police = world.station("police_station", world.h.towns[1].id)
    return {
        "reject": [{"reason": "duplicate"}, {}],
        "dismiss": [{"reason": "not a dispute"}, {}],
        "solve_on_spot": [{"result": "fixed on site"}, {}],
        "escalate": [{"reason": "too big"}, {}],
        "dispatch": [
            {"units": (police,)},
            {"units": (police, judicial)},
            {"units": (world.department("public_security"),)},
            {"units": (other_police,)},
            {},
        ],
        "assign": [
            {"units": (police,), "notice": "ZG-1"},
            {"units": (world.department("emergency_management"),), "notice": "ZG-2"},
            {"units": (police,)},
        ],
        "return": [{"reason": "not our duty"}, {}],
        "extend": [{"days": 10}, {"days": 20}, {"days": 1}],
        "feed_back": [{"result": "handled"}],
        "fail_verification": [{"reason": "still noisy"}],
        "evaluate": [{"stars": 5}, {"stars": 1}, {"stars": 0}, {"stars": 6}, {}],
        "triage": [{"tier": "simple"}, {"tier": "complex"}, {"tier": "difficult"}, {"tier": "x"}],
        "next_mediation": [{"reason": "no agreement"}],
        "refer_litigation": [{"reason": "last resort"}],
        "form_task_force": [
            {"commander": "commander", "departments": (world.department("justice"),)},
            {"commander": world["worker"].person_id, "departments": ("nowhere",)},
        ],
        "draft_strategy": [{"strategy": "meet both families"}],
        "record_progress": [{"note": "claims collected"}],
        "reach_agreement": [{"terms": "pay 5000 yuan"}],
        "start_rectification": [
            {"responsibility": "a", "measures": "b", "deadline": "c", "funds": "d", "plan": "e"},
            {"responsibility": "a"},
        ],
        "submit_for_check": [{"result": "fixed"}],
        "fail_check": [{"reason": "not fixed"}],
    }


_DELAYS = (HOUR, HOUR, DAY, timedelta(0), 5 * DAY, 40 * DAY, -HOUR)


def steps(world: World, lifecycle: str) -> Callable[[Case], st.SearchStrategy[Step]]:
    """Return a function giving, for a case, a strategy of plausible next commands.

    Mostly a trigger some actor may fire now, fired by that actor with valid data (so
    sequences get far); sometimes any trigger, any actor, or other (possibly invalid) data.
    """
    engine = world.engine
    definition = engine.lifecycle(lifecycle)
    all_triggers = sorted({t.trigger for t in definition.transitions if not t.opening})
    options = data_options(world)
    actor_keys = sorted(world.actors)
    anything = st.tuples(st.sampled_from(all_triggers), st.sampled_from(actor_keys))

    def for_case(case: Case) -> st.SearchStrategy[Step]:
        allowed = [(t, a) for a in actor_keys for t in engine.allowed(case, world[a])]
        pairs = st.one_of(*([st.sampled_from(allowed)] * 3 if allowed else ()), anything)

        def with_data(pair: tuple[str, str]) -> st.SearchStrategy[Step]:
            trigger, actor = pair
            choices = options.get(trigger, [{}])
            return st.builds(
                Step,
                st.just(trigger),
                st.just(actor),
                st.one_of(st.just(choices[0]), st.sampled_from(choices)),
                st.sampled_from(_DELAYS),
            )

        return pairs.flatmap(with_data)

    return for_case


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


def run(world: World, case: Case, step: Step) -> tuple[Case, TransitionError | None]:
    """Apply ``step`` to ``case``; return the new case (or the same) and the refusal, if any."""
    at = case.last.at + step.delay
    try:
        new = world.engine.apply(case, step.trigger, actor=world[step.actor], at=at, **step.data)
    except TransitionError as error:
        return case, error
    return new, None
