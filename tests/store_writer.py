"""A writer process for the crash test of the SQLite case store (tests/test_stores.py).

Run: ``python tests/store_writer.py DATABASE SEED TAG``.  Opens (or resumes) event cases in the
store and drives them round the event closed loop 事件闭环, sometimes several commands in one
save, forever.  After each commit it prints ``case_id version`` on its own line and flushes, so
every line printed names a committed version.  It prints ``READY`` once set up.  The test kills
it with SIGKILL at random moments.
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta
from typing import Any

from ruian_governance import Case, SQLiteCaseStore
from world import T0, World, build_world

STEP = timedelta(minutes=20)


def plan(world: World) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """The next command of the happy path from each state: (trigger, actor, data)."""
    return {
        "reported": ("accept", "operator", {}),
        "accepted": ("dispatch", "operator", {"units": (world.station("police_station"),)}),
        "dispatched": ("sign", "police", {}),
        "signed": ("start", "police", {}),
        "in_progress": ("feed_back", "police", {"result": "已调解 mediated"}),
        "feedback": ("verify", "worker", {}),
        "verified": ("close", "operator", {}),
        "closed": ("evaluate", "worker", {"stars": 5}),
    }


def advance(world: World, case: Case, steps: dict[str, tuple[str, str, dict[str, Any]]]) -> Case:
    """Apply the next happy-path command to ``case`` with the engine alone (not stored)."""
    trigger, actor, data = steps[case.state]
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + STEP, **data)


def main(path: str, seed: int, tag: str) -> None:
    """Write to the store at ``path`` until killed."""
    rng = random.Random(seed)
    world = build_world()
    steps = plan(world)
    out = sys.stdout
    with SQLiteCaseStore(path, world.engine) as store:
        active = [case.id for case in store if case.state in steps]
        out.write("READY\n")
        out.flush()
        opened = 0
        while True:
            if len(active) < 6 or rng.random() < 0.1:
                case_id = f"{tag}-{opened:05d}"
                opened += 1
                case = store.open("event", case_id=case_id, trigger="report",
                                  actor=world["worker"], at=T0, location_id=world.grid,
                                  category="噪音扰民", severity="ordinary")  # fmt: skip
                active.append(case_id)
            else:
                case_id = rng.choice(active)
                old = store.get(case_id)
                case = old
                for _ in range(rng.choice((1, 1, 2, 3))):
                    if case.state not in steps:
                        break
                    case = advance(world, case, steps)
                store.save(case, expected_version=old.version)
                if case.state not in steps:
                    active.remove(case_id)
            out.write(f"{case_id} {case.version}\n")
            out.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
