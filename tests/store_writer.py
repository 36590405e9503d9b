"""A writer process for the crash and stress tests of the SQLite case store.

Run: ``python tests/store_writer.py DATABASE SEED TAG [COMMANDS [GO]]``.  Opens (or resumes) event
cases in the store and drives them round the event closed loop 事件闭环, sometimes several
commands in one save; it stops after ``COMMANDS`` writes (default: never; the crash test kills
it with SIGKILL).  With ``GO``, it first waits until the file ``GO`` exists, so that several
writers open a fresh database at the same moment.  After each commit it prints ``case_id
version`` on its own line and flushes, so every line printed names a committed version; it
prints ``READY`` once set up and ``DONE`` when it stops by itself.  A conflict with another
writer is retried (a re-read and the next command).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from ruian_governance import ConflictError, SQLiteCaseStore
from store_kit import advance, steps
from world import T0, build_world

STEP = timedelta(minutes=20)


def main(path: str, seed: int, tag: str, commands: int | None, go: str | None) -> None:
    """Write to the store at ``path`` (``commands`` writes, or until killed)."""
    rng = random.Random(seed)
    world = build_world()
    open_states = steps(world)
    out = sys.stdout
    if go is not None:
        out.write("WAITING\n")
        out.flush()
        while not Path(go).exists():
            time.sleep(0.001)
    with SQLiteCaseStore(path, world.engine, synchronous="NORMAL", timeout=30) as store:
        active = [c.id for c in store if c.state in open_states and c.id.startswith(tag)]
        out.write("READY\n")
        out.flush()
        opened = written = 0
        while commands is None or written < commands:
            if len(active) < 6 or rng.random() < 0.1:
                case_id = f"{tag}-{opened:05d}"
                opened += 1
                case = store.open("event", case_id=case_id, trigger="report",
                                  actor=world["worker"], at=T0, location_id=world.grid,
                                  category="噪音扰民", severity="ordinary")  # fmt: skip
                active.append(case_id)
            else:
                case_id = rng.choice(active)
                old = case = store.get(case_id)
                for _ in range(rng.choice((1, 1, 2, 3))):
                    if case.state not in open_states:
                        break
                    case = advance(world, case, STEP)
                try:
                    store.save(case, expected_version=old.version)
                except ConflictError:
                    continue
                if case.state not in open_states:
                    active.remove(case_id)
            written += 1
            out.write(f"{case_id} {case.version}\n")
            out.flush()
    out.write("DONE\n")
    out.flush()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], int(args[1]), args[2], int(args[3]) if len(args) > 3 else None,
         args[4] if len(args) > 4 else None)  # fmt: skip
