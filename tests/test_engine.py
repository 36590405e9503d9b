"""The engine's own contract: construction, opening, replay, serialisation, effects."""

from __future__ import annotations

import attrs
import pytest

from ruian_governance import (
    EVENT_LIFECYCLE,
    Actor,
    Case,
    Effect,
    Engine,
    HistoryRecord,
    Label,
    UnknownIdError,
)
from ruian_governance.errors import (
    InvalidTransitionError,
    TimeOrderError,
    UnexpectedDataError,
    UnknownReferenceError,
)
from ruian_governance.io import make_converter
from world import HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def closed_event(world: World) -> Case:
    """An event solved on the spot and evaluated."""
    case = open_case(world, "event")
    case = world.engine.apply(case, "solve_on_spot", actor=world["worker"], at=T0 + HOUR,
                              result="talked to both")  # fmt: skip
    return world.engine.apply(case, "evaluate", actor=world["worker"], at=T0 + 2 * HOUR, stars=5)


def test_engine_refuses_lifecycles_with_roles_the_hierarchy_lacks(world: World) -> None:
    """A lifecycle naming a role unknown to the hierarchy cannot be run."""
    from ruian_governance import Role, UnitKind

    pilot = Role(key="pilot", label=Label(en="pilot", zh="飞行员"), unit_kinds={UnitKind.GRID})
    custom = EVENT_LIFECYCLE.extend(key="custom", roles=[pilot]).allow("verify", "pilot")
    with pytest.raises(UnknownReferenceError) as info:
        Engine(world.h, [custom])
    assert info.value.keys == ("pilot",)


def test_unknown_lifecycle_location_and_severity(world: World) -> None:
    """Opening refuses an unknown lifecycle, location or severity with UnknownIdError."""
    facts = {"case_id": "X", "trigger": "report", "actor": world["worker"], "at": T0}
    with pytest.raises(UnknownIdError):
        world.engine.open("parking", location_id=world.grid, category="c", **facts)  # type: ignore[arg-type]
    with pytest.raises(UnknownIdError):
        world.engine.open("event", location_id="nowhere", category="c", **facts)  # type: ignore[arg-type]
    with pytest.raises(UnknownIdError):
        world.engine.open("event", location_id=world.grid, category="c", severity="huge", **facts)  # type: ignore[arg-type]
    with pytest.raises(UnexpectedDataError):
        world.engine.open("event", location_id=world.grid, category="c", description="x",
                          colour="red", **facts)  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(TimeOrderError):
        world.engine.open("event", location_id=world.grid, category="c",
                          **{**facts, "at": T0.replace(tzinfo=None)})  # type: ignore[arg-type]  # fmt: skip


def test_fast_built_cases_equal_attrs_built_ones(world: World) -> None:
    """The engine's fast construction gives cases equal to those attrs builds field by field."""
    case = closed_event(world)
    rebuilt = Case(**{a.name: getattr(case, a.name) for a in attrs.fields(Case)})
    assert rebuilt == case
    assert attrs.evolve(case) == case
    record = case.history[-1]
    assert (
        HistoryRecord(**{a.name: getattr(record, a.name) for a in attrs.fields(HistoryRecord)})
        == record
    )
    assert hash(record) == hash(attrs.evolve(record))


def test_cases_round_trip_through_cattrs(world: World) -> None:
    """Cases and their history are plain attrs data: a cattrs converter round-trips them."""
    converter = make_converter()
    case = closed_event(world)
    data = converter.unstructure(case)
    assert data["history"][0]["actor"]["role"] == "grid_worker"
    assert converter.structure(data, Case) == case


def test_replay_rejects_tampered_histories(world: World) -> None:
    """Replay refuses a history whose records do not follow one another."""
    case = closed_event(world)
    with pytest.raises(ValueError, match="empty"):
        world.engine.replay(())
    with pytest.raises(InvalidTransitionError):
        world.engine.replay(case.history[1:])
    swapped = (case.history[0], case.history[2], case.history[1])
    with pytest.raises(InvalidTransitionError):
        world.engine.replay(swapped)
    earlier = attrs.evolve(case.history[2], at=T0 - HOUR)
    with pytest.raises(TimeOrderError):
        world.engine.replay((*case.history[:2], earlier))


def test_effects_may_not_change_identity_fields(world: World) -> None:
    """An effect that tries to change the case's id or history is a programming error."""
    bad = Effect(key="bad", label=Label(en="bad", zh="坏"), apply=lambda _c: {"id": "other"})
    transition = EVENT_LIFECYCLE.transition("reported", "accept")
    assert transition is not None
    custom = EVENT_LIFECYCLE.extend(
        key="bad_event",
        remove_triggers=["accept"],
        transitions=[attrs.evolve(transition, effects=(bad,))],
    )
    engine = Engine(world.h, [custom])
    case = engine.open("bad_event", case_id="B", trigger="report", actor=world["worker"], at=T0,
                       location_id=world.grid, category="c")  # fmt: skip
    with pytest.raises(ValueError, match="may not change"):
        engine.apply(case, "accept", actor=world["operator"], at=T0 + HOUR)


def test_actor_of_finds_a_post(world: World) -> None:
    """Actor.of builds the actor for a person's post, and refuses a role they do not hold."""
    worker = world["worker"]
    assert Actor.of(world.h, worker.person_id, "grid_worker") == worker
    with pytest.raises(UnknownIdError):
        Actor.of(world.h, worker.person_id, "centre_officer")
    assert str(worker).startswith(worker.person_id)


def test_machine_keeps_no_model_after_a_run(world: World) -> None:
    """Running cases through the engine never attaches a model to the shared machine."""
    closed_event(world)
    for definition in world.engine.lifecycles.values():
        assert definition.machine.models == []
