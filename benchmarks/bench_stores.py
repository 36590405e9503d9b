"""Benchmark: commands per second applied *and stored*, against the engine alone.

Run:  python benchmarks/bench_stores.py [--cases 300] [--dir /tmp] [--commands 400]
                                        [--lengths 10,1000,10000] [--threads 8]
                                        [--batch 200] [--batch-cases 2000] [--only-batches]

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

Then batches (``--batch-cases``, ``--batch``): the same closed loops, one commit a command
against ``store.batch()`` (``--batch`` cases' commands a transaction) and ``import_cases`` of
closed cases (each record a command), WAL and ``synchronous=FULL``, in the same run.

Then three more measurements:

- history length: the cost of one stored command (a supervision 督办, ``store.apply``) on a
  case of 10, 1,000 and 10,000 records, in one store, and with a second connection reading
  the case back after each command (it decodes and re-runs only the new record);
- contention: 8 threads on 4 cases of 1,000 records (2 threads a case, re-reading and
  retrying on conflict), with one connection each and with one shared store, against one
  thread doing the same commands;
- the definitions' fingerprint a store file records, computed on ``ruian_preset()``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Actor,
    Case,
    ConflictError,
    Level,
    MemoryCaseStore,
    SQLiteCaseStore,
    builtin_engine,
    generate_hierarchy,
    ruian_preset,
)
from ruian_governance.stores import CaseStore, fingerprint

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
        self.operator = operator
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


def run_batches(world: World, n: int, store: CaseStore, size: int) -> int:
    """The same commands through ``store.batch()``: ``size`` cases' closed loops a transaction."""
    commands = 0
    with store:
        for start in range(0, n, size):
            with store.batch() as batch:
                for i in range(start, min(n, start + size)):
                    case = batch.open("event", **world.facts(i))
                    for trigger, actor, at, data in world.plan:
                        case = batch.apply(case.id, case.version, trigger, actor=actor, at=at,
                                           **data)  # fmt: skip
            commands += len(batch)
        if len(store) != n:
            raise AssertionError(len(store))
    return commands


def closed_cases(world: World, n: int) -> list[Case]:
    """``n`` closed loops run by the engine alone, to import (9 records each)."""
    cases = []
    for i in range(n):
        case = world.engine.open("event", **world.facts(i))
        for trigger, actor, at, data in world.plan:
            case = world.engine.apply(case, trigger, actor=actor, at=at, **data)
        cases.append(case)
    return cases


def run_import(store: CaseStore, cases: list[Case], size: int) -> int:
    """``import_cases`` in chunks of ``size`` cases; counts the commands (history records)."""
    with store:
        for start in range(0, len(cases), size):
            store.import_cases(cases[start : start + size])
    return sum(len(case.history) for case in cases)


def batches(world: World, tmp: str, n: int, size: int) -> None:
    """Single-command commits against batches, WAL and ``synchronous=FULL``, in one run."""
    cases = closed_cases(world, n)

    def full(name: str) -> SQLiteCaseStore:
        return SQLiteCaseStore(Path(tmp, f"{name}.db"), world.engine)

    variants: list[tuple[str, Callable[[], int]]] = [
        ("one command a commit", lambda: run_store(world, n, full("single"))),
        (f"batch of {size} cases", lambda: run_batches(world, n, full("batch"), size)),
        (f"import_cases x{size}", lambda: run_import(full("import"), cases, size)),
        ("memory, one a time", lambda: run_store(world, n, MemoryCaseStore(world.engine))),
        (
            f"memory, batch of {size}",
            lambda: run_batches(world, n, MemoryCaseStore(world.engine), size),
        ),
    ]
    results = []
    for name, run in variants:
        cpu = time.process_time()
        commands, seconds = timed(run)
        results.append((name, commands, seconds, time.process_time() - cpu))
    print(f"\nbatches: {n} closed loops (9 commands each), WAL, synchronous=FULL")
    print(
        f"{'variant':<24} {'commands/s':>12} {'us/command':>11} {'vs single':>10} {'per CPU s':>10}"
    )
    single = results[0][1] / results[0][2]
    for name, commands, seconds, cpu in results:
        rate = commands / seconds
        print(f"{name:<24} {rate:>12,.0f} {1e6 / rate:>11.1f} {rate / single:>9.1f}x"
              f" {commands / cpu:>10,.0f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def long_case(world: World, case_id: str, records: int) -> Case:
    """An accepted event case with supervisions (督办) up to ``records`` history records."""
    engine = world.engine
    case = engine.open("event", **{**world.facts(0), "case_id": case_id})
    trigger, actor, at, data = world.plan[0]
    case = engine.apply(case, trigger, actor=actor, at=at, **data)
    at = case.due_at or at
    while len(case.history) < records:
        at += STEP
        case = engine.apply(case, "supervise", actor=world.operator, at=at, note="催办")
    return case


def supervise(store: CaseStore, world: World, case_id: str) -> Case:
    """Store one more supervision on ``case_id`` (re-reading and retrying on a conflict)."""
    while True:
        case = store.get(case_id)
        try:
            return store.apply(case_id, case.version, "supervise", actor=world.operator,
                               at=case.last.at + STEP, note="催办")  # fmt: skip
        except ConflictError:
            continue


def by_length(world: World, tmp: str, lengths: list[int], commands: int) -> None:
    """Print the cost of one stored command against the length of the case's history.

    Best of 3 rounds of ``commands`` commands (the machine's noise is one-sided).
    """
    print(f"\nhistory length: {commands} supervisions, best of 3 (WAL, synchronous=NORMAL)")
    print(f"{'records':>8} {'us/command':>11} {'with a reader':>14}")
    for length in lengths:
        path = Path(tmp, f"long{length}.db")
        with (
            SQLiteCaseStore(path, world.engine, synchronous="NORMAL") as store,
            SQLiteCaseStore(path, world.engine, synchronous="NORMAL") as reader,
        ):
            store.add(long_case(world, "L", length))
            reader.get("L")

            def alone() -> int:
                for _ in range(commands):
                    supervise(store, world, "L")
                return commands

            def with_reader() -> int:
                for _ in range(commands):
                    supervise(store, world, "L")
                    reader.get("L")
                return commands

            best = [min(timed(run)[1] for _ in range(3)) for run in (alone, with_reader)]
        us = [1e6 * seconds / commands for seconds in best]
        print(f"{length:>8,} {us[0]:>11.1f} {us[1]:>14.1f}")


def contention(world: World, tmp: str, threads: int, commands: int) -> None:
    """Print commands/s of ``threads`` threads on 4 long cases against one thread.

    Stores are opened and the cases read before the clock starts; best of 3 rounds each.
    """
    path = Path(tmp, "contended.db")
    with SQLiteCaseStore(path, world.engine, synchronous="NORMAL") as store:
        for i in range(4):
            store.add(long_case(world, f"C{i}", 1000))
    per_thread = commands // threads

    def opened() -> SQLiteCaseStore:
        store = SQLiteCaseStore(path, world.engine, synchronous="NORMAL", timeout=60)
        for i in range(4):
            store.get(f"C{i}")
        return store

    def single() -> float:
        with opened() as store:
            start = time.perf_counter()
            for k in range(per_thread * threads):
                supervise(store, world, f"C{k % 4}")
            return time.perf_counter() - start

    def parallel(shared: bool) -> float:
        one = opened()
        stores = [one if shared else opened() for _ in range(threads)]
        start = threading.Barrier(threads + 1)

        def work(n: int) -> None:
            start.wait()
            for _ in range(per_thread):
                supervise(stores[n], world, f"C{n % 4}")

        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        start.wait()
        began = time.perf_counter()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - began
        for store in {id(s): s for s in stores}.values():
            store.close()
        return elapsed

    print(f"\ncontention: {threads} threads on 4 cases of 1,000 records, {per_thread} commands "
          "each, best of 3")  # fmt: skip
    runs: list[tuple[str, Callable[[], float]]] = [
        ("1 thread", single),
        (f"{threads} threads, a connection each", lambda: parallel(False)),
        (f"{threads} threads, one shared store", lambda: parallel(True)),
    ]
    best = [min(run() for _ in range(3)) for _, run in runs]
    for (name, _), seconds in zip(runs, best, strict=True):
        rate = per_thread * threads / seconds
        print(f"{name:<38} {rate:>9,.0f} commands/s {best[0] / seconds:>6.0%}")


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
    parser.add_argument("--commands", type=int, default=400)
    parser.add_argument("--lengths", default="10,1000,10000")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=200, help="cases per batch")
    parser.add_argument("--batch-cases", type=int, default=2000)
    parser.add_argument("--only-batches", action="store_true")
    args = parser.parse_args()
    world = World()
    run_engine(world, 20)  # warm the engine's caches
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        batches(world, tmp, args.batch_cases, args.batch)
    if args.only_batches:
        return
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
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        by_length(world, tmp, [int(n) for n in args.lengths.split(",")], args.commands)
        contention(world, tmp, args.threads, args.commands)
    preset = builtin_engine(ruian_preset())
    _, seconds = timed(lambda: len(fingerprint(preset)))
    print(f"\nfingerprint of ruian_preset() and the built-in lifecycles: {seconds:.2f} s")


if __name__ == "__main__":
    main()
