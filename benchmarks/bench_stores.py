"""Benchmark: commands per second applied *and stored*, against the engine alone.

Run:  python benchmarks/bench_stores.py [--cases 300] [--dir /tmp]

Every variant runs the same event closed loops 事件闭环 (report, accept, dispatch, sign, start,
feed back, verify, close, evaluate: 9 commands per case):

- engine:          ``Engine.open`` / ``Engine.apply`` only, nothing stored (the baseline)
- memory:          ``MemoryCaseStore.open`` / ``.apply`` (read, apply, compare-and-set)
- sqlite :memory:  ``SQLiteCaseStore(":memory:")``: the SQL and JSON work without a disk
- sqlite NORMAL:   a WAL database file, ``synchronous=NORMAL`` (safe against a killed process)
- sqlite FULL:     a WAL database file, ``synchronous=FULL`` (the default; safe against power
                   loss: every commit is synced to disk)

Every stored command is one transaction.  Reported: commands per second and the slowdown
against the baseline measured in the same run.  Disk figures depend on the file system's
fsync cost.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Actor,
    Level,
    MemoryCaseStore,
    SQLiteCaseStore,
    builtin_engine,
    generate_hierarchy,
)
from ruian_governance.stores import CaseStore

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
STEP = timedelta(minutes=20)


class World:
    """A four-town hierarchy, its engine and the actors of one town's closed loop."""

    def __init__(self) -> None:
        h = generate_hierarchy(towns=4, villages=8, grids=16, micro_grids=0, seed=0)
        self.engine = builtin_engine(h)
        town = h.towns[0]
        grid = next(g for g in h.units_at(Level.GRID) if h.town_of(g.id) == town)
        self.grid = grid.id
        self.worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
        room = h.command_room_of(town.id)
        operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
        police = h.stations_of(town.id, station_kind="police_station")[0]
        officer = Actor.of(h, h.people_of(police.id)[0].id, "station_officer")
        self.plan: list[tuple[str, Actor, datetime, dict[str, Any]]] = [
            (trigger, actor, T0 + (k + 1) * STEP, data)
            for k, (trigger, actor, data) in enumerate(
                [
                    ("accept", operator, {}),
                    ("dispatch", operator, {"units": (police.id,)}),
                    ("sign", officer, {}),
                    ("start", officer, {}),
                    ("feed_back", officer, {"result": "已处理 handled"}),
                    ("verify", self.worker, {}),
                    ("close", operator, {}),
                    ("evaluate", self.worker, {"stars": 5}),
                ]
            )
        ]

    def facts(self, i: int) -> dict[str, Any]:
        """The opening facts of case ``i``."""
        return {
            "case_id": f"E{i:06d}",
            "trigger": "report",
            "actor": self.worker,
            "at": T0,
            "location_id": self.grid,
            "category": "噪音扰民",
            "severity": "ordinary",
        }


def run_engine(world: World, n: int) -> int:
    """The baseline: the engine alone, nothing stored."""
    engine = world.engine
    commands = 0
    for i in range(n):
        case = engine.open("event", **world.facts(i))
        for trigger, actor, at, data in world.plan:
            case = engine.apply(case, trigger, actor=actor, at=at, **data)
        commands += 1 + len(world.plan)
    return commands


def run_store(world: World, n: int, store: CaseStore) -> int:
    """Open and drive every case through ``store`` (one stored transaction per command)."""
    commands = 0
    with store:
        for i in range(n):
            case = store.open("event", **world.facts(i))
            for trigger, actor, at, data in world.plan:
                case = store.apply(case.id, case.version, trigger, actor=actor, at=at, **data)
            commands += 1 + len(world.plan)
        if len(store) != n:
            raise AssertionError(len(store))
    return commands


def timed(run: Callable[[], int]) -> tuple[int, float]:
    """Run once; return (commands, seconds)."""
    start = time.perf_counter()
    commands = run()
    return commands, time.perf_counter() - start


def main() -> None:
    """Run every variant and print commands per second and ratios to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--dir", default=None, help="directory for the database files")
    args = parser.parse_args()
    world = World()
    run_engine(world, 20)  # warm the engine's caches
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        variants: list[tuple[str, Callable[[], int]]] = [
            ("engine (no store)", lambda: run_engine(world, args.cases)),
            ("memory", lambda: run_store(world, args.cases, MemoryCaseStore(world.engine))),
            (
                "sqlite :memory:",
                lambda: run_store(world, args.cases, SQLiteCaseStore(":memory:", world.engine)),
            ),
            (
                "sqlite WAL NORMAL",
                lambda: run_store(
                    world,
                    args.cases,
                    SQLiteCaseStore(Path(tmp, "normal.db"), world.engine, synchronous="NORMAL"),
                ),
            ),
            (
                "sqlite WAL FULL",
                lambda: run_store(
                    world, args.cases, SQLiteCaseStore(Path(tmp, "full.db"), world.engine)
                ),
            ),
        ]
        results = [(name, *timed(run)) for name, run in variants]
    base = results[0][1] / results[0][2]
    print(f"{args.cases} cases, {results[0][1]} commands per variant")
    print(f"{'variant':<20} {'commands/s':>12} {'us/command':>11} {'slowdown':>9}")
    for name, commands, seconds in results:
        rate = commands / seconds
        print(f"{name:<20} {rate:>12,.0f} {1e6 / rate:>11.1f} {base / rate:>8.1f}x")


if __name__ == "__main__":
    main()
