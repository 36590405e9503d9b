"""Verified replay: a case the engine did not make is checked before any command runs on it.

Finding 2 of the Trust issue (engine side): ``Engine.verify`` replays a history as commands,
every check run again, and refuses a forged record or a case that contradicts its history;
``apply`` and ``allowed`` verify a case the engine did not make (an edited value) first.
"""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest

from ruian_governance import Actor, ArgumentError, Case, HistoryRecord, builtin_engine
from ruian_governance.errors import (
    ForgedHistoryError,
    InvalidActorError,
    InvalidTransitionError,
    JurisdictionError,
    RoleNotAllowedError,
)
from ruian_governance.io import make_converter
from world import HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def dispatched_event(world: World) -> Case:
    """An event accepted and dispatched to the town's police station."""
    engine = world.engine
    case = open_case(world, "event")
    case = engine.apply(case, "accept", actor=world["operator"], at=T0 + HOUR)
    return engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR,
                        units=(world.station("police_station"),))  # fmt: skip


def test_verify_gives_back_an_equal_case_the_engine_accepts(world: World) -> None:
    """Finding 2: a genuine case verifies; a decoded copy verifies to an equal, usable case."""
    case = dispatched_event(world)
    decoded = make_converter().structure(make_converter().unstructure(case), Case)
    verified = world.engine.verify(decoded)
    assert verified == case
    signed = world.engine.apply(verified, "sign", actor=world["police"], at=T0 + 3 * HOUR)
    assert signed.version == 3


@pytest.mark.parametrize(
    "edit",
    [
        {"assignees": ("t0001.s01", "extra")},
        {"state": "closed"},
        {"version": 7},
        {"unit_id": "elsewhere"},
        {"severity": "major"},
        {"due_at": T0 + 100 * HOUR},
        {"parties": ("nobody",)},
        {"opened_at": T0 - HOUR},
        {"reporter_id": "someone"},
        {"location_id": "t0002.v001.g01"},
        {"category": "fire"},
    ],
    ids=lambda edit: next(iter(edit)),
)
def test_an_edited_case_is_refused_by_verify_apply_and_allowed(
    world: World, edit: dict[str, object]
) -> None:
    """Finding 2: any field that contradicts the history is refused, and nothing changes."""
    case = dispatched_event(world)
    edited = attrs.evolve(case, **edit)
    with pytest.raises(ForgedHistoryError) as info:
        world.engine.verify(edited)
    assert info.value.seq is None
    assert info.value.case_id == case.id
    with pytest.raises(ForgedHistoryError):
        world.engine.apply(edited, "sign", actor=world["police"], at=T0 + 3 * HOUR)
    with pytest.raises(ForgedHistoryError):
        world.engine.allowed(edited, world["police"])
    assert edited.history == case.history  # the refused case is left as it was


def test_a_made_up_history_is_refused_naming_the_record_and_the_check(world: World) -> None:
    """Finding 2: an actor who holds no post, a wrong role, a foreign town, a state jump."""
    case = dispatched_event(world)
    first, accept, dispatch = case.history
    nobody = Actor(person_id="nobody", role="god", unit_id="nowhere")
    foreign = world["other_operator"]
    police = world["police"]
    forged = {
        "nobody": (first, attrs.evolve(accept, actor=nobody), dispatch),
        "foreign town": (first, attrs.evolve(accept, actor=foreign), dispatch),
        "wrong role": (first, attrs.evolve(accept, actor=police), dispatch),
        "state jump": (first, attrs.evolve(accept, trigger="close", dest="closed")),
        "opening by nobody": (attrs.evolve(first, actor=nobody),),
    }
    causes = {  # the check that refuses, and the record it refuses
        "nobody": (InvalidActorError, 1),
        "foreign town": (JurisdictionError, 1),
        "wrong role": (RoleNotAllowedError, 1),
        "state jump": (InvalidTransitionError, 1),
        "opening by nobody": (InvalidActorError, 0),
    }
    for name, history in forged.items():
        made_up = attrs.evolve(case, history=history)
        with pytest.raises(ForgedHistoryError) as info:
            world.engine.verify(made_up)
        cause, seq = causes[name]
        assert isinstance(info.value.__cause__, cause), name
        assert info.value.seq == seq


def test_records_must_equal_what_their_commands_make(world: World) -> None:
    """Finding 2: a rewritten record (data, destination, sequence) does not verify."""
    case = dispatched_event(world)
    first, accept, dispatch = case.history
    units = dispatch.data[0][1]
    for history in (
        (first, accept, attrs.evolve(dispatch, data=(("units", ("t0001.s01",)),))),
        (first, accept, attrs.evolve(dispatch, seq=5)),
        (first, attrs.evolve(accept, dest="reported"), dispatch),
        (first, accept, attrs.evolve(dispatch, data=(("units", units), ("units", ("x",))))),
        (first, accept, attrs.evolve(dispatch, data=(("at", "x"),))),
    ):
        with pytest.raises(ForgedHistoryError):
            world.engine.verify(attrs.evolve(case, history=history))


def test_histories_of_the_wrong_shape_give_a_typed_error(world: World) -> None:
    """Finding 2: no history, non-records: ForgedHistoryError; a malformed record is not built.

    A record whose data is not pairs or whose trigger is not an id is refused when it is built
    (ArgumentError), so it can never reach a history.
    """
    case = dispatched_event(world)
    first = case.history[0]
    for history in ((), [first], (first, "record")):
        with pytest.raises(ForgedHistoryError):
            world.engine.verify(attrs.evolve(case, history=history))  # type: ignore[arg-type]
    for changes in ({"data": [("a", 1)]}, {"trigger": ["report"]}):
        with pytest.raises(ArgumentError):
            attrs.evolve(first, **changes)
    with pytest.raises(ArgumentError):
        world.engine.verify("case")  # type: ignore[arg-type]


def test_commands_on_engine_made_cases_are_not_verified_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 2: apply keeps its cost on the cases it made; other values are verified once."""
    engine = world.engine
    case = dispatched_event(world)
    calls: list[str] = []
    original = type(engine).verify

    def counting(self: object, value: Case) -> Case:
        calls.append(value.id)
        return original(engine, value)

    monkeypatch.setattr(type(engine), "verify", counting)
    engine.apply(case, "sign", actor=world["police"], at=T0 + 3 * HOUR)
    assert calls == []
    verified = engine.verify(attrs.evolve(case))
    engine.apply(verified, "sign", actor=world["police"], at=T0 + 3 * HOUR)
    assert calls == ["C1"]
    engine.apply(attrs.evolve(case), "sign", actor=world["police"], at=T0 + 3 * HOUR)
    assert calls == ["C1", "C1"]


def test_copies_out_of_the_process_and_other_engines_verify(world: World) -> None:
    """Finding 2: a pickled or deep-copied case, or one another engine made, is verified."""
    case = dispatched_event(world)
    for copied in (pickle.loads(pickle.dumps(case)), copy.deepcopy(case)):
        assert copied == case
        assert copied._seal is None
    other = builtin_engine(world.h)
    assert other.verify(case) == case
    assert copy.copy(case)._seal is case._seal


def test_replay_is_the_checked_rebuild(world: World) -> None:
    """Finding 2: replay runs the checks verify runs; what it rebuilds is ready for commands."""
    case = dispatched_event(world)
    first, accept, dispatch = case.history
    nobody = Actor(person_id="nobody", role="god", unit_id="nowhere")
    with pytest.raises(ForgedHistoryError) as info:
        world.engine.replay((first, attrs.evolve(accept, actor=nobody), dispatch))
    assert isinstance(info.value.__cause__, InvalidActorError)
    rebuilt = world.engine.replay(list(case.history))
    assert rebuilt == case
    assert world.engine.apply(rebuilt, "sign", actor=world["police"], at=T0 + 3 * HOUR)
    assert isinstance(rebuilt.history[0], HistoryRecord)
