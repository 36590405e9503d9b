"""Benchmark: the full event closed loop 事件闭环 through the engine, against three baselines.

Run:  python benchmarks/bench_lifecycle.py [--cases 100000] [--stream 1000000] [--sample 2000]

Every variant runs the same command plans (10% of cases escalated to the city, 5% returned by
the first station and dispatched again, the rest on the happy path) and keeps the same
records (one ``HistoryRecord`` per command, a new immutable ``Case`` per command where the
variant builds cases):

- engine:    ``Engine.apply`` (checks post, role, jurisdiction, time, data, guards; effects)
- engine, attrs-built values: the same, with every record, case and command context built
             through attrs' own constructors instead of the engine's hand-tuned ones
             (``ruian_governance.lifecycles._fast``): what the hand-tuning saves
- floor:     a plain table-driven FSM, ``{(state, trigger): dest}``, building the same records
- naive:     ``transitions`` with one ``Machine`` per case (run on ``--sample`` cases, scaled)
- shared:    one shared ``transitions`` Machine, ``add_model`` / ``remove_model`` per case
             (run on ``--sample`` cases, scaled)

Each ``transitions`` baseline runs three ways: minimal (``auto_transitions=False``, records
kept by hand after each trigger), with callbacks (``send_event`` and an ``after_state_change``
callback keeping the record from the event data), and with transitions' default settings
(``auto_transitions=True``, as naive code leaves it).

Reported: time per transition of each variant and the ratios the issues set targets for
(engine within 2.5x of the floor; naive and shared at least 10x slower than the engine), memory
per closed case with its history (tracemalloc, distinct times per record), and memory while
streaming cases through (peak RSS and allocated blocks after 10% and after all of them).
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from transitions import Machine

from ruian_governance import (
    CHINA_STANDARD_TIME,
    EVENT_LIFECYCLE,
    Actor,
    Case,
    HistoryRecord,
    Level,
    builtin_engine,
    generate_hierarchy,
)
from ruian_governance.lifecycles import CommandContext, _fast  # the engine's own constructors

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
STEP_TIMES = [T0 + timedelta(minutes=20 * k) for k in range(16)]

Plan = list[tuple[str, Actor, datetime, dict[str, Any]]]


class World:
    """A 23-town hierarchy and, per town, the actors and command plans of the three kinds."""

    def __init__(self) -> None:
        self.h = generate_hierarchy(towns=23, villages=92, grids=184, micro_grids=0, seed=0)
        self.engine = builtin_engine(self.h)
        h = self.h
        self.towns = []
        dept = h.departments_of_kind("public_security")[0]
        dept_officer = Actor.of(h, h.people_of(dept.id)[0].id, "department_officer")
        centre = Actor.of(h, h.people_of(h.centre.id)[0].id, "centre_officer")
        for town in h.towns:
            grid = next(g for g in h.units_at(Level.GRID) if h.ancestors(g.id)[1].id == town.id)
            worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
            room = h.command_room_of(town.id)
            operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
            police = h.stations_of(town.id, station_kind="police_station")[0]
            judicial = h.stations_of(town.id, station_kind="judicial_office")[0]
            police_officer = Actor.of(h, h.people_of(police.id)[0].id, "station_officer")
            judicial_officer = Actor.of(h, h.people_of(judicial.id)[0].id, "station_officer")
            self.towns.append(
                (
                    grid.id,
                    worker,
                    {
                        "happy": _plan(worker, operator, police.id, police_officer, operator),
                        "escalated": _plan(
                            worker, operator, dept.id, dept_officer, centre, escalate=True
                        ),
                        "returned": _plan(
                            worker,
                            operator,
                            judicial.id,
                            judicial_officer,
                            operator,
                            returned_by=police_officer,
                            first_station=police.id,
                        ),
                    },
                )
            )

    def cases(self, n: int) -> Iterator[tuple[str, str, Actor, Plan]]:
        """Yield (case id, location, reporter, plan) for ``n`` cases: 10% escalated, 5% returned."""
        towns = self.towns
        for i in range(n):
            grid, worker, plans = towns[i % len(towns)]
            r = i % 20
            kind = "escalated" if r < 2 else "returned" if r == 2 else "happy"
            yield f"E{i:07d}", grid, worker, plans[kind]


def _plan(
    worker: Actor,
    operator: Actor,
    unit: str,
    officer: Actor,
    closer: Actor,
    *,
    escalate: bool = False,
    returned_by: Actor | None = None,
    first_station: str | None = None,
) -> Plan:
    steps: list[tuple[str, Actor, dict[str, Any]]] = [("accept", operator, {})]
    if escalate:
        steps.append(("escalate", operator, {"reason": "beyond the town"}))
        steps.append(("dispatch", closer, {"units": (unit,)}))
    else:
        if returned_by is not None:
            steps.append(("dispatch", operator, {"units": (first_station,)}))
            steps.append(("return", returned_by, {"reason": "not our duty"}))
        steps.append(("dispatch", operator, {"units": (unit,)}))
    steps += [
        ("sign", officer, {}),
        ("start", officer, {}),
        ("feed_back", officer, {"result": "handled"}),
        ("verify", worker, {}),
        ("close", closer, {}),
        ("evaluate", worker, {"stars": 5}),
    ]
    return [(t, a, STEP_TIMES[k + 1], d) for k, (t, a, d) in enumerate(steps)]


# --------------------------------------------------------------------------- variants


def run_engine(world: World, n: int) -> tuple[int, Case | None]:
    """The engine: open, then apply every command of the plan."""
    engine = world.engine
    apply = engine.apply
    open_ = engine.open
    transitions = 0
    case = None
    for case_id, grid, worker, plan in world.cases(n):
        case = open_(
            "event",
            case_id=case_id,
            trigger="report",
            actor=worker,
            at=T0,
            location_id=grid,
            category="noise",
            severity="ordinary",
        )
        for trigger, actor, at, data in plan:
            case = apply(case, trigger, actor=actor, at=at, **data)
        transitions += len(plan)
    return transitions, case


def _attrs_record(  # noqa: PLR0917 - the signature of _fast.record
    seq: int,
    trigger: str,
    source: str | None,
    dest: str,
    actor: Actor,
    at: datetime,
    data: tuple[tuple[str, Any], ...],
) -> HistoryRecord:
    return HistoryRecord(
        seq=seq, trigger=trigger, source=source, dest=dest, actor=actor, at=at, data=data
    )


def _attrs_opened(
    *,
    lifecycle: str,
    first: HistoryRecord,
    case_id: str,
    location_id: str,
    unit_id: str,
    parties: tuple[str, ...],
    category: str,
    severity: str | None,
    due_at: datetime | None,
    seal: object,
) -> Case:
    return _SEALED(
        Case(
            id=case_id,
            lifecycle=lifecycle,
            state=first.dest,
            location_id=location_id,
            unit_id=unit_id,
            reporter_id=first.actor.person_id,
            parties=parties,
            category=category,
            severity=severity,
            opened_at=first.at,
            due_at=due_at,
            history=(first,),
        ),
        seal,
    )


def _attrs_advance(
    case: Case, state: str, last: HistoryRecord, changes: dict[str, Any] | None = None
) -> Case:
    made = changes or {}
    return _SEALED(
        Case(
            id=case.id,
            lifecycle=case.lifecycle,
            state=state,
            location_id=case.location_id,
            unit_id=made.get("unit_id", case.unit_id),
            assignees=made.get("assignees", case.assignees),
            reporter_id=case.reporter_id,
            parties=made.get("parties", case.parties),
            category=case.category,
            severity=made.get("severity", case.severity),
            opened_at=case.opened_at,
            due_at=made.get("due_at", case.due_at),
            history=(*case.history, last),
            version=case.version + 1,
        ),
        case._seal,
    )


def _attrs_dated(case: Case, due_at: datetime | None) -> Case:
    return _SEALED(
        Case(
            id=case.id,
            lifecycle=case.lifecycle,
            state=case.state,
            location_id=case.location_id,
            unit_id=case.unit_id,
            assignees=case.assignees,
            reporter_id=case.reporter_id,
            parties=case.parties,
            category=case.category,
            severity=case.severity,
            opened_at=case.opened_at,
            due_at=due_at,
            history=case.history,
            version=case.version,
        ),
        case._seal,
    )


def _attrs_context(  # noqa: PLR0917 - the signature of _fast.context
    case: Case,
    trigger: str,
    actor: Actor,
    at: datetime,
    data: Any,
    hierarchy: Any,
    lifecycle: Any,
) -> CommandContext:
    return CommandContext(
        case=case,
        trigger=trigger,
        actor=actor,
        at=at,
        data=data,
        hierarchy=hierarchy,
        lifecycle=lifecycle,
    )


_SEALED = _fast.sealed
"""The engine's mark on the cases it made: set on attrs-built cases too (one slot write), so
that the engine does not verify them before each command."""


def _attrs_followed(  # noqa: PLR0917 - the signature of _fast.followed
    case: Case,
    state: str,
    trigger: str,
    actor: Actor,
    at: datetime,
    data: tuple[tuple[str, Any], ...],
    changes: dict[str, Any] | None,
) -> Case:
    last = _attrs_record(len(case.history), trigger, case.state, state, actor, at, data)
    return _attrs_advance(case, state, last, changes)


ATTRS_BUILT = {
    "record": _attrs_record,
    "opened": _attrs_opened,
    "advance": _attrs_advance,
    "followed": _attrs_followed,
    "dated": _attrs_dated,
    "dated_now": _attrs_dated,
    "context": _attrs_context,
}


def run_engine_attrs(world: World, n: int) -> tuple[int, Case | None]:
    """The engine with attrs-built values in place of the hand-tuned constructors."""
    saved = {name: getattr(_fast, name) for name in ATTRS_BUILT}
    for name, build in ATTRS_BUILT.items():
        setattr(_fast, name, build)
    try:
        return run_engine(world, n)
    finally:
        for name, build in saved.items():
            setattr(_fast, name, build)


TABLE = {(s, t.trigger): t.dest or s for t in EVENT_LIFECYCLE.transitions for s in t.sources}


def run_floor(world: World, n: int) -> tuple[int, Case | None]:
    """The floor: a plain dict-driven FSM building the same records, the same fast way."""
    table = TABLE
    transitions = 0
    case = None
    for case_id, grid, worker, plan in world.cases(n):
        first = _fast.record(
            0,
            "report",
            None,
            "reported",
            worker,
            T0,
            (("case_id", case_id), ("category", "noise"), ("location_id", grid)),
        )
        case = Case(
            id=case_id,
            lifecycle="event",
            state="reported",
            location_id=grid,
            unit_id=grid,
            reporter_id=worker.person_id,
            category="noise",
            severity="ordinary",
            opened_at=T0,
            due_at=None,
            history=(first,),
        )
        for trigger, actor, at, data in plan:
            state = case.state
            dest = table.get((state, trigger))
            if dest is None:
                raise ValueError(trigger)
            record = _fast.record(
                len(case.history),
                trigger,
                state,
                dest,
                actor,
                at,
                tuple(sorted(data.items())) if data else (),
            )
            case = _fast.advance(case, dest, record, data if "units" in data else None)
        transitions += len(plan)
    return transitions, case


MACHINE_STATES = [s.key for s in EVENT_LIFECYCLE.states]
MACHINE_TRANSITIONS = [
    {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest or "="}
    for t in EVENT_LIFECYCLE.transitions
    if not t.opening
]


class _Model:
    """A transitions model carrying the same record keeping as the other variants."""

    def __init__(self, case_id: str) -> None:
        self.id = case_id
        self.history: list[HistoryRecord] = []

    def record(self, event: Any) -> None:
        """``after_state_change`` callback: keep the record, the idiomatic transitions way."""
        kwargs = event.kwargs
        data = kwargs["data"]
        self.history.append(
            HistoryRecord(
                seq=len(self.history),
                trigger=event.event.name,
                source=event.transition.source,
                dest=event.transition.dest,
                actor=kwargs["actor"],
                at=kwargs["at"],
                data=tuple(sorted(data.items())) if data else (),
            )
        )


def _drive(model: Any, plan: Plan) -> None:
    """Minimal use: fire the trigger, then keep the record by hand."""
    for trigger, actor, at, data in plan:
        source = model.state
        model.trigger(trigger)
        model.history.append(
            HistoryRecord(
                seq=len(model.history),
                trigger=trigger,
                source=source,
                dest=model.state,
                actor=actor,
                at=at,
                data=tuple(sorted(data.items())) if data else (),
            )
        )


def _drive_callbacks(model: Any, plan: Plan) -> None:
    """Idiomatic use: pass the command's context as event data, a callback keeps the record."""
    for trigger, actor, at, data in plan:
        model.trigger(trigger, actor=actor, at=at, data=data)


def _machine(model: Any, *, callbacks: bool, defaults: bool) -> Any:
    """A transitions machine for the event loop.

    ``defaults`` keeps transitions' default settings (``auto_transitions=True`` adds a
    ``to_<state>`` trigger per state), as naive code does; otherwise they are switched off.
    """
    extra: dict[str, Any] = (
        {"send_event": True, "after_state_change": "record"} if callbacks else {}
    )
    if not defaults:
        extra["auto_transitions"] = False
    return Machine(
        model=model,
        states=MACHINE_STATES,
        transitions=MACHINE_TRANSITIONS,
        initial="reported",
        **extra,
    )


def run_naive(
    world: World, n: int, *, callbacks: bool = False, defaults: bool = False
) -> tuple[int, Any]:
    """Naive transitions: one Machine per case."""
    drive = _drive_callbacks if callbacks else _drive
    transitions = 0
    model = None
    for case_id, _grid, _worker, plan in world.cases(n):
        model = _Model(case_id)
        _machine(model, callbacks=callbacks, defaults=defaults)
        drive(model, plan)
        transitions += len(plan)
    return transitions, model


def run_shared(
    world: World, n: int, *, callbacks: bool = False, defaults: bool = False
) -> tuple[int, Any]:
    """One shared transitions Machine; each case's model is added, driven, then removed."""
    machine = _machine(None, callbacks=callbacks, defaults=defaults)
    drive = _drive_callbacks if callbacks else _drive
    transitions = 0
    model = None
    for case_id, _grid, _worker, plan in world.cases(n):
        model = _Model(case_id)
        machine.add_model(model, initial="reported")
        drive(model, plan)
        machine.remove_model(model)
        transitions += len(plan)
    assert not machine.models
    return transitions, model


# --------------------------------------------------------------------------- measurements


def timed(
    fn: Callable[[World, int], tuple[int, Any]], world: World, n: int, repeat: int
) -> tuple[float, int]:
    """Best-of-``repeat`` seconds, and the transitions, for ``fn`` on ``n`` cases."""
    best = float("inf")
    transitions = 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        transitions, _ = fn(world, n)
        best = min(best, time.perf_counter() - start)
    return best, transitions


def memory_per_closed_case(world: World, n: int) -> float:
    """Bytes per closed case retained with its history (distinct times per record)."""
    engine = world.engine
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept: list[Case] = []
    for i, (case_id, grid, worker, plan) in enumerate(world.cases(n)):
        offset = timedelta(seconds=i)
        case = engine.open(
            "event",
            case_id=case_id,
            trigger="report",
            actor=worker,
            at=T0 + offset,
            location_id=grid,
            category="noise",
            severity="ordinary",
        )
        for trigger, actor, at, data in plan:
            case = engine.apply(case, trigger, actor=actor, at=at + offset, **data)
        kept.append(case)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    list_overhead = sys.getsizeof(kept)
    assert all(c.state == "evaluated" for c in kept)
    return (after - before - list_overhead) / n


def stream(world: World, n: int) -> list[tuple[int, float, int]]:
    """Stream ``n`` cases through the engine keeping none; memory at 10% and at the end."""
    engine = world.engine
    checkpoints = {max(1, n // 10), n}
    marks = []
    closed = 0
    for i, (case_id, grid, worker, plan) in enumerate(world.cases(n), start=1):
        case = engine.open(
            "event",
            case_id=case_id,
            trigger="report",
            actor=worker,
            at=T0,
            location_id=grid,
            category="noise",
            severity="ordinary",
        )
        for trigger, actor, at, data in plan:
            case = engine.apply(case, trigger, actor=actor, at=at, **data)
        closed += case.state == "evaluated"
        if i in checkpoints:
            gc.collect()
            rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            marks.append((i, rss_kib / 1024, sys.getallocatedblocks()))
    assert closed == n
    assert not EVENT_LIFECYCLE.machine.models
    return marks


def main(argv: list[str] | None = None) -> None:
    """Run every variant and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="cases for transitions runs")
    parser.add_argument("--memory-cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; best is kept")
    parser.add_argument("--stream", type=int, default=0, help="cases to stream (e.g. 1000000)")
    args = parser.parse_args(argv)

    world = World()
    run_engine(world, 200)  # warm caches
    results = {}
    variants: list[tuple[str, Callable[[World, int], tuple[int, Any]], int]] = [
        ("floor: plain table FSM", run_floor, args.cases),
        ("engine: Engine.apply", run_engine, args.cases),
        ("engine, attrs-built values", run_engine_attrs, args.cases),
        ("naive: Machine per case", run_naive, args.sample),
        ("naive + callbacks", partial(run_naive, callbacks=True), args.sample),
        ("naive, transitions defaults", partial(run_naive, defaults=True), args.sample),
        ("shared: add/remove model", run_shared, args.sample),
        ("shared + callbacks", partial(run_shared, callbacks=True), args.sample),
        ("shared, transitions defaults", partial(run_shared, defaults=True), args.sample),
    ]
    for name, fn, n in variants:
        seconds, transitions = timed(fn, world, n, args.repeat)
        results[name] = seconds / transitions * 1e6
        print(
            f"{name:30s} {n:>9,} cases {transitions:>10,} transitions "
            f"{seconds:8.2f} s {results[name]:8.2f} us/transition"
        )
    engine = results["engine: Engine.apply"]
    floor = results["floor: plain table FSM"]
    print(f"engine / floor: {engine / floor:6.2f}x (target <= 2.5x)")
    built = results["engine, attrs-built values"]
    print(f"engine, attrs-built values / engine: {built / engine:6.2f}x (the hand-tuning's gain)")
    for name in variants[3:]:
        print(f"{name[0]} / engine: {results[name[0]] / engine:6.2f}x (target >= 10x)")

    per_case = memory_per_closed_case(world, args.memory_cases)
    print(f"memory per closed case with history: {per_case:,.0f} bytes (target < 2048)")

    if args.stream:
        for i, rss, blocks in stream(world, args.stream):
            print(f"streamed {i:>10,} cases: peak RSS {rss:8.1f} MiB, allocated blocks {blocks:,}")


if __name__ == "__main__":
    main()
