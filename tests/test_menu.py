"""Issue 14 point 2: why not, for a menu: each trigger allowed, waiting for data, or why not.

The menu agrees with the engine: a trigger is allowed exactly when ``Engine.apply`` takes the
command, a refusal names the error ``apply`` raises, and the triggers that pass state, post,
role and jurisdiction are ``Engine.allowed``'s.  Nothing changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pytest

from ruian_governance import why_not
from ruian_governance.errors import (
    ArgumentError,
    ForgedHistoryError,
    JurisdictionError,
    RuianGovernanceError,
    TransitionError,
)
from ruian_governance.lifecycles import Choice
from store_kit import advance, steps
from world import DAY, HOUR, T0, build_world, open_case

WORLD = build_world()


def _cases() -> list[Any]:
    case = open_case(WORLD, "event", "E1")
    found = [case]
    for _ in range(8):
        case = advance(WORLD, case)
        found.append(case)
    return [*found, open_case(WORLD, "dispute", "D1"), open_case(WORLD, "hazard", "H1")]


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}-{c.state}")
def test_menu_agrees_with_the_engine(case: Any) -> None:
    """Point 2: allowed iff apply takes it; a refusal is apply's error; allowed() agrees."""
    at = case.last.at + HOUR
    plan = steps(WORLD).get(case.state)
    for name, actor in WORLD.actors.items():
        for data in (None, {}, plan[2] if plan else {}, {"reason": "原因", "units": "x"}):
            menu = why_not(WORLD.engine, case, actor, at=at, data=data)
            assert all(isinstance(c, Choice) for c in menu)
            passed = {c.trigger for c in menu if c.status != "refused"
                      or c.check in ("time", "data", "guards")}  # fmt: skip
            assert passed == set(WORLD.engine.allowed(case, actor)), name
            for choice in menu:
                refusal: TransitionError | None = None
                try:
                    WORLD.engine.apply(case, choice.trigger, actor=actor, at=at, **(data or {}))
                except TransitionError as error:
                    refusal = error
                if refusal is None:
                    assert choice.allowed, (name, choice.trigger, choice.check)
                    assert choice.problem() is None
                    assert choice.check is None
                else:
                    assert not choice.allowed, (name, choice)
                    assert type(choice.error) is type(refusal), (name, choice.trigger)
                    assert choice.problem() is not None
                if data is None and choice.requires and choice.check == "data":
                    assert choice.status == "needs_data"


def test_menu_names_the_refusing_check() -> None:
    """Point 2: role, jurisdiction, state and guard refusals, each named, as data."""
    dispatched = CASES[2]
    assert dispatched.state == "dispatched"
    at = dispatched.last.at + HOUR
    police = {c.trigger: c for c in why_not(WORLD.engine, dispatched, WORLD["police"], at=at)}
    assert police["sign"].allowed
    assert police["sign"].label.zh
    other = {c.trigger: c for c in why_not(WORLD.engine, dispatched, WORLD["other_police"], at=at)}
    assert other["sign"].check == "jurisdiction"
    assert isinstance(other["sign"].error, JurisdictionError)
    problem = other["sign"].problem()
    assert problem is not None
    assert problem["status"] == 403
    worker = {c.trigger: c for c in why_not(WORLD.engine, dispatched, WORLD["worker"], at=at)}
    assert worker["sign"].check == "role"
    assert worker["accept"].check == "state"
    operator = {c.trigger: c for c in why_not(WORLD.engine, CASES[1], WORLD["operator"], at=at)}
    assert operator["supervise"].check == "guards"  # not yet overdue
    late = {c.trigger: c for c in why_not(WORLD.engine, CASES[1], WORLD["operator"],
                                          at=CASES[1].last.at + 30 * DAY)}  # fmt: skip
    assert late["supervise"].allowed
    early = why_not(WORLD.engine, dispatched, WORLD["police"], at=T0 - DAY)
    assert {c.check for c in early if c.trigger == "sign"} == {"time"}
    assert not any(c.trigger in ("report", "find_on_patrol") for c in early)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": ["units"]}, {"data": {1: "x"}}, {"data": "units=x"},
        {"at": datetime(2025, 1, 1)},
        {"at": float("nan")}, {"at": "2025-01-01T00:00:00+08:00"},
    ],
)  # fmt: skip
def test_menu_refuses_bad_arguments(kwargs: dict[str, Any]) -> None:
    """Point 2: wrong types are ArgumentError; the case is unchanged."""
    case = CASES[1]
    before = attrs.asdict(case)
    with pytest.raises(ArgumentError):
        why_not(WORLD.engine, case, WORLD["operator"], **kwargs)
    assert attrs.asdict(case) == before


def test_menu_verifies_a_forged_case() -> None:
    """Point 2: a case the engine did not make is verified first, as apply does."""
    forged = attrs.evolve(CASES[1], state="closed")
    with pytest.raises(ForgedHistoryError):
        why_not(WORLD.engine, forged, WORLD["operator"])
    with pytest.raises(ArgumentError):
        why_not("engine", CASES[1], WORLD["operator"])  # type: ignore[arg-type]
    odd = why_not(WORLD.engine, CASES[1], "not an actor")  # type: ignore[arg-type]
    assert {c.check for c in odd} <= {"state", "post"}
    assert all(isinstance(c.error, RuianGovernanceError) for c in odd)
