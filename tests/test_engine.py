"""The engine's own contract: construction, opening, replay, serialisation, effects."""

from __future__ import annotations

import attrs
import pytest

from ruian_governance import (
    BUILTIN_LIFECYCLES,
    EVENT_LIFECYCLE,
    Actor,
    ArgumentError,
    Case,
    Effect,
    Engine,
    Guard,
    HistoryRecord,
    Label,
    LifecycleDefinition,
    TransitionError,
    UnknownIdError,
    builtin_engine,
)
from ruian_governance.errors import (
    ForgedHistoryError,
    GuardFailedError,
    InvalidActorError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TimeOrderError,
    UnexpectedDataError,
    UnknownReferenceError,
)
from ruian_governance.io import make_converter
from ruian_governance.lifecycles import CommandContext, _fast
from ruian_governance.lifecycles.checks import CHECK_ORDER
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
    return world.engine.apply(case, "evaluate", actor=world["cadre"], at=T0 + 2 * HOUR, stars=5)


def test_engine_refuses_lifecycles_with_roles_the_hierarchy_lacks(world: World) -> None:
    """A lifecycle naming a role unknown to the hierarchy cannot be run."""
    from ruian_governance import Role, UnitKind

    pilot = Role(key="pilot", label=Label(en="pilot", zh="飞行员"), unit_kinds={UnitKind.GRID})
    custom = EVENT_LIFECYCLE.extend(key="custom", roles=[pilot]).allow("verify", "pilot")
    with pytest.raises(UnknownReferenceError) as info:
        Engine(world.h, [custom])
    assert info.value.keys == ("pilot",)


def test_an_engine_runs_the_lifecycles_it_is_given_and_no_others(world: World) -> None:
    """Engine needs its lifecycles; builtin_engine gives the three built-in ones."""
    with pytest.raises(TypeError):
        Engine(world.h)  # type: ignore[call-arg]
    with pytest.raises(ArgumentError, match="lifecycles"):
        Engine(world.h, ["event"])  # type: ignore[list-item]
    assert sorted(builtin_engine(world.h).lifecycles) == ["dispute", "event", "hazard"]
    assert builtin_engine(world.h).lifecycles == Engine(world.h, BUILTIN_LIFECYCLES).lifecycles
    empty = Engine(world.h, [])
    assert empty.lifecycles == {}
    with pytest.raises(UnknownIdError):
        empty.open("event", case_id="X", trigger="report", actor=world["worker"], at=T0,
                   location_id=world.grid, category="c")  # fmt: skip


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
    rebuilt = Case(**{a.name: getattr(case, a.name) for a in attrs.fields(Case) if a.init})
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
    """Replay refuses a history whose records do not follow one another (the check's cause)."""
    case = closed_event(world)
    with pytest.raises(ArgumentError, match="history"):
        world.engine.replay(())
    with pytest.raises(ForgedHistoryError, match="lacks the case's case_id") as info:
        world.engine.replay(case.history[1:])
    assert info.value.seq == 0
    swapped = (case.history[0], case.history[2], case.history[1])
    with pytest.raises(ForgedHistoryError) as info:
        world.engine.replay(swapped)
    assert isinstance(info.value.__cause__, InvalidTransitionError)
    earlier = attrs.evolve(case.history[2], at=T0 - HOUR)
    with pytest.raises(ForgedHistoryError) as info:
        world.engine.replay((*case.history[:2], earlier))
    assert isinstance(info.value.__cause__, TimeOrderError)


def test_effects_may_not_change_identity_fields(world: World) -> None:
    """An effect that tries to change the case's id or history is refused (ArgumentError)."""
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
    with pytest.raises(ArgumentError, match="may not change id"):
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


# --------------------------------------------------------------------------- one check path


def _every_fault_until(world: World, step: int) -> tuple[str, Actor, object, dict[str, object]]:
    """A dispatch on an accepted event, wrong in every check from ``CHECK_ORDER[step]`` on."""
    other_station = world.station("police_station", world.h.towns[1].id)
    good_station = world.station("police_station")
    trigger = "sign" if step <= 0 else "dispatch"  # sign is not available in accepted
    actors = [
        Actor(person_id="nobody", role="grid_worker", unit_id=world.other_grid),  # no post
        world["other_worker"],  # a real post, but a role that may not dispatch
        world["other_operator"],  # the right role, in another town
        world["operator"],
    ]
    actor = actors[min(max(step - 1, 0), 3)]
    at = T0.replace(tzinfo=None) + 2 * HOUR if step <= 4 else T0 + 2 * HOUR
    data: dict[str, object] = {}
    if step > 5:
        data["units"] = (other_station if step <= 6 else good_station,)
    return trigger, actor, at, data


def test_checks_run_in_one_order_and_the_first_failing_one_raises(world: World) -> None:
    """A command wrong in every way is refused by the first check of CHECK_ORDER.

    Put right one check at a time, it is refused by each next check in turn, then accepted.
    """
    expected = {
        "state": InvalidTransitionError,
        "post": InvalidActorError,
        "role": RoleNotAllowedError,
        "jurisdiction": JurisdictionError,
        "time": TimeOrderError,
        "data": MissingDataError,
        "guards": GuardFailedError,
    }
    case = world.engine.apply(open_case(world, "event"), "accept", actor=world["operator"],
                              at=T0 + HOUR)  # fmt: skip
    for step, name in enumerate(CHECK_ORDER):
        trigger, actor, at, data = _every_fault_until(world, step)
        with pytest.raises(TransitionError) as info:
            world.engine.apply(case, trigger, actor=actor, at=at, **data)  # type: ignore[arg-type]
        assert type(info.value) is expected[name], name
    trigger, actor, at, data = _every_fault_until(world, len(CHECK_ORDER))
    assert world.engine.apply(case, trigger, actor=actor, at=at, **data).state == "dispatched"  # type: ignore[arg-type]


def test_opening_runs_the_same_checks_in_the_same_order(world: World) -> None:
    """Opening a case runs the same checks as apply, in CHECK_ORDER.

    An opening trigger, the post, the role, the jurisdiction, the time, then the data.
    """
    facts = {"case_id": "X", "location_id": world.grid, "category": "c"}
    naive = T0.replace(tzinfo=None)
    forged = Actor(person_id="nobody", role="grid_worker", unit_id=world.grid)
    attempts: list[tuple[str, Actor, object, dict[str, object], type[TransitionError]]] = [
        ("accept", forged, naive, {"colour": "red"}, InvalidTransitionError),
        ("report", forged, naive, {"colour": "red"}, InvalidActorError),
        ("report", world["police"], naive, {"colour": "red"}, RoleNotAllowedError),
        ("report", world["other_worker"], naive, {"colour": "red"}, JurisdictionError),
        ("report", world["worker"], naive, {"colour": "red"}, TimeOrderError),
        ("report", world["worker"], T0, {"colour": "red"}, UnexpectedDataError),
    ]
    for trigger, actor, at, data, error in attempts:
        with pytest.raises(error):
            world.engine.open("event", trigger=trigger, actor=actor, at=at, **facts, **data)  # type: ignore[arg-type]
    case = world.engine.open("event", trigger="report", actor=world["worker"], at=T0, **facts)  # type: ignore[arg-type]
    assert case.state == "reported"


class FlipFlop:
    """A guard that answers in turn from ``answers`` (the last one ever after), counting calls."""

    def __init__(self, *answers: bool) -> None:
        self.answers = answers
        self.calls = 0

    def __call__(self, context: CommandContext) -> bool:
        """Answer the next answer."""
        self.calls += 1
        return self.answers[min(self.calls, len(self.answers)) - 1]


def _guarded_accept(answers: FlipFlop) -> LifecycleDefinition:
    accept = EVENT_LIFECYCLE.transition("reported", "accept")
    assert accept is not None
    guard = Guard(key="flip_flop", label=Label(en="flip-flop", zh="反复"), check=answers)
    return EVENT_LIFECYCLE.extend(
        key="flip_flop", remove_triggers=["accept"],
        transitions=[attrs.evolve(accept, guards=(guard,))],
    )  # fmt: skip


@pytest.mark.parametrize("first", [False, True])
def test_a_guard_is_asked_once_and_its_answer_decides(world: World, first: bool) -> None:
    """A guard whose answer flips on a second call is asked once, and that answer decides.

    A first "no" refuses the command (it was once accepted: the guard was asked again and
    said "yes"); a first "yes" accepts it.
    """
    answers = FlipFlop(first, not first)
    engine = Engine(world.h, [_guarded_accept(answers)])
    case = engine.open("flip_flop", case_id="F", trigger="report", actor=world["worker"], at=T0,
                       location_id=world.grid, category="c")  # fmt: skip
    if first:
        assert engine.apply(case, "accept", actor=world["operator"], at=T0 + HOUR).state == (
            "accepted"
        )
    else:
        with pytest.raises(GuardFailedError, match="flip-flop"):
            engine.apply(case, "accept", actor=world["operator"], at=T0 + HOUR)
    assert answers.calls == 1


def test_nothing_is_built_before_every_check_passed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused command builds no record and no case.

    The guards' context is built only once the checks before the guards passed; an accepted
    command builds one record and one case, and its effect receives the guards' context
    (issue 15, events per CPU second: one context per command, not two).
    """
    built: dict[str, int] = {}
    for name in ("record", "advance", "followed", "context", "opened", "dated"):
        original = getattr(_fast, name)

        def counting(*args: object, _name: str = name, _original: object = original, **kw: object):  # type: ignore[no-untyped-def]
            built[_name] = built.get(_name, 0) + 1
            return _original(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(_fast, name, counting)
    case = world.engine.apply(open_case(world, "event"), "accept", actor=world["operator"],
                              at=T0 + HOUR)  # fmt: skip
    built.clear()
    with pytest.raises(MissingDataError):
        world.engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR)
    assert built == {}
    other = world.station("police_station", world.h.towns[1].id)
    with pytest.raises(GuardFailedError):
        world.engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR,
                           units=(other,))  # fmt: skip
    assert built == {"context": 1}
    built.clear()
    world.engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR,
                       units=(world.station("police_station"),))  # fmt: skip
    # one context, which the guards are asked with and the effect receives; record and case
    assert built == {"context": 1, "followed": 1}


def test_a_non_datetime_time_is_refused_like_a_naive_one(world: World) -> None:
    """Anything but an aware datetime as ``at`` is refused with TimeOrderError."""
    case = open_case(world, "event")
    for at in (T0.replace(tzinfo=None), T0.date(), "2025-03-03T10:00:00+08:00", None):
        with pytest.raises(TimeOrderError, match="timezone-aware"):
            world.engine.apply(case, "accept", actor=world["operator"], at=at)  # type: ignore[arg-type]
