"""Shared pieces of the store tests and their helper processes.

The event closed loop's happy path (one command from each state), an index that records what
it is told, and long cases (many supervision records) for the cost and concurrency tests.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs

from ruian_governance import Case
from world import HOUR, T0, World

Step = tuple[str, str, dict[str, Any]]
"""A command of the happy path: trigger, actor key in the world, data."""


def steps(world: World) -> dict[str, Step]:
    """The next command of the event closed loop's happy path from each state."""
    return {
        "reported": ("accept", "operator", {}),
        "accepted": ("dispatch", "operator", {"units": (world.station("police_station"),)}),
        "dispatched": ("sign", "police", {}),
        "signed": ("start", "police", {}),
        "in_progress": ("feed_back", "police", {"result": "已处理"}),
        "feedback": ("verify", "worker", {}),
        "verified": ("close", "operator", {}),
        "closed": ("evaluate", "worker", {"stars": 5}),
    }


def reported(world: World, case_id: str) -> dict[str, Any]:
    """The facts of ``store.open("event", ...)`` for a noise report by the world's grid worker."""
    return {"case_id": case_id, "trigger": "report", "actor": world["worker"], "at": T0,
            "location_id": world.grid, "category": "noise"}  # fmt: skip


def advance(world: World, case: Case, step: timedelta = HOUR) -> Case:
    """Apply the happy path's next command to ``case`` with the engine alone (not stored)."""
    trigger, actor, data = steps(world)[case.state]
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + step, **data)


def happy(world: World, case: Case, n: int) -> Case:
    """Apply the first ``n`` commands of the event closed loop with the engine alone."""
    for _ in range(n):
        case = advance(world, case)
    return case


def supervised(world: World, case: Case, n: int) -> Case:
    """``case`` with ``n`` more supervision records (督办), one minute apart, once it is late."""
    operator = world["operator"]
    at = max(case.last.at, case.due_at or case.last.at)
    for k in range(n):
        at += timedelta(minutes=1)
        case = world.engine.apply(case, "supervise", actor=operator, at=at, note=f"催办 {k}")
    return case


@attrs.define
class Recorder:
    """A CaseIndex that records the id and version of every case it is told of."""

    seen: list[tuple[str, int]] = attrs.field(factory=list)

    def observe(self, case: Case) -> None:
        """Record ``case``'s id and version."""
        self.seen.append((case.id, case.version))
