"""The fused check of a transition answers every command as its plan of checks does.

Issue 15 (events per CPU second): the engine runs one fused check per transition
(``Checks.fused``) instead of a loop over the plan's checks (``Checks.plan``).  Every check
stays: the same acceptances, the same refusals with the same error types and messages, the
same reading of ids given as a list, each guard asked once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import (
    BUILTIN_LIFECYCLES,
    CHINA_STANDARD_TIME,
    Actor,
    Case,
    Engine,
    FixedClock,
    Level,
    generate_hierarchy,
)
from ruian_governance.lifecycles.checks import Checks

H = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
ENGINE = Engine(H, BUILTIN_LIFECYCLES)
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
GRID = H.units_at(Level.GRID)[0]
WORKER = Actor.of(H, H.people_of(GRID.id, role="grid_worker")[0].id, "grid_worker")
ROOM = H.command_room_of(H.town_of(GRID.id).id)
OPERATOR = Actor.of(H, H.people_of(ROOM.id)[0].id, "command_room_operator")
OTHER_ROOM = next(r for t in H.towns if (r := H.command_room_of(t.id)) != ROOM)
OTHER = Actor.of(H, H.people_of(OTHER_ROOM.id)[0].id, "command_room_operator")
STATION = H.stations_of(H.town_of(GRID.id).id)[0]


def _cases() -> list[Case]:
    """An event case in a few states: reported, accepted, dispatched."""
    opened = ENGINE.open("event", case_id="E1", trigger="report", actor=WORKER, at=T0,
                         location_id=GRID.id, category="noise", severity="ordinary")  # fmt: skip
    accepted = ENGINE.apply(opened, "accept", actor=OPERATOR, at=T0 + timedelta(hours=1))
    dispatched = ENGINE.apply(
        accepted, "dispatch", actor=OPERATOR, at=T0 + timedelta(hours=2), units=(STATION.id,)
    )
    return [opened, accepted, dispatched]


CASES = _cases()
ACTORS: list[Any] = [
    WORKER,
    OPERATOR,
    OTHER,
    None,
    "operator",
    Actor(person_id=OPERATOR.person_id, role="centre_officer", unit_id=OPERATOR.unit_id),
    Actor(person_id=OPERATOR.person_id, role=OPERATOR.role, unit_id=OTHER.unit_id),
    SimpleNamespace(person_id=["x"], role=OPERATOR.role, unit_id=OPERATOR.unit_id),
]
TIMES: list[Any] = [
    T0 + timedelta(hours=5),
    T0 - timedelta(days=1),
    datetime(2025, 3, 4, 9, 0),
    datetime(2025, 3, 4, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
    "2025-03-04",
    None,
]
DATA: list[dict[str, Any]] = [
    {},
    {"units": [STATION.id]},
    {"units": (STATION.id,)},
    {"units": ("nowhere",)},
    {"units": 3},
    {"stars": 5},
    {"stars": "5"},
    {"stars": True},
    {"note": "ok"},
    {"bogus": 1},
    {"reason": "x", "units": [STATION.id]},
]


def _outcome(check: Callable[..., None], case: Case, actor: Any, at: Any, data: Any) -> object:
    given = dict(data)
    try:
        check(case, actor, at, given)
    except Exception as error:
        return (type(error), str(error), given)
    return ("passed", given)


def _pairs(engine: Engine) -> list[tuple[Any, Any]]:
    checks = Checks(engine.hierarchy)
    pairs = []
    for d in engine.lifecycles.values():
        for t in d.transitions:
            plan = checks.plan(d, t)
            pairs.append((checks.fused(d, t), _looped(plan)))
    return pairs


def _looped(plan: tuple[Any, ...]) -> Callable[..., None]:
    def run(*args: Any) -> None:
        for check in plan:
            check(*args)

    return run


PAIRS = _pairs(ENGINE)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(PAIRS),
    st.sampled_from(CASES),
    st.sampled_from(ACTORS),
    st.sampled_from(TIMES),
    st.sampled_from(DATA),
)
def test_fused_answers_as_the_plan(
    pair: tuple[Any, Any], case: Case, actor: Any, at: Any, data: dict[str, Any]
) -> None:
    """Issue 15: the same acceptance or refusal (type, message), the same data read."""
    fused, plan = pair
    assert _outcome(fused, case, actor, at, data) == _outcome(plan, case, actor, at, data)


def test_every_pair_of_a_clocked_engine_refuses_a_future_time() -> None:
    """Issue 15: with a clock, the fused check still refuses a time ahead of it."""
    checks = Checks(H, clock=FixedClock(at=T0 + timedelta(hours=1)))
    definition = ENGINE.lifecycle("event")
    transition = next(t for t in definition.transitions if t.trigger == "accept")
    fused, plan = checks.fused(definition, transition), checks.plan(definition, transition)
    at = T0 + timedelta(days=2)
    outcome = _outcome(fused, CASES[0], OPERATOR, at, {})
    assert outcome == _outcome(_looped(plan), CASES[0], OPERATOR, at, {})
    assert outcome[0].__name__ == "FutureTimeError"  # type: ignore[index,union-attr]


def test_a_guard_is_asked_once() -> None:
    """Issue 15: the fused check asks each guard once, also when it refuses."""
    calls: list[str] = []
    definition = ENGINE.lifecycle("event")
    transition = next(t for t in definition.transitions if t.trigger == "dispatch")
    checks = Checks(H)
    fused = checks.fused(definition, transition)
    guard = transition.guards[0]
    original = guard.check
    object.__setattr__(guard, "check", lambda c: calls.append(guard.key) or original(c))
    try:
        with pytest.raises(Exception, match="guard"):
            fused(CASES[1], OPERATOR, T0 + timedelta(hours=3), {"units": ("nowhere",)})
    finally:
        object.__setattr__(guard, "check", original)
    assert calls == [guard.key]
