"""Benchmark: case documents out and in (JSON text), against the engine and plain json.

Run: ``/work/venv/bin/python benchmarks/bench_documents.py [--cases N]``.

Builds N event cases through the engine (each taken through report, accept, dispatch, sign,
start, feed back, verify and close: 8 history records), then measures in the same run:

- ``dumps``: each case to JSON text (``ruian_governance.dumps``), against ``json.dumps`` of the
  already-unstructured documents (the cost of the JSON encoder alone);
- ``loads``: each text back to a validated ``Case`` (``ruian_governance.loads``), against
  ``json.loads`` alone and against ``Engine.replay`` of the same histories (rebuilding a case from
  its records with every structural check, the other way a store can restore a case).

Times are wall-clock seconds, best of three repeats; ratios are against the baselines above.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any


def _best(fn: Callable[[], Any], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def build_cases(n: int) -> tuple[Any, list[Any]]:
    from ruian_governance import (
        CHINA_STANDARD_TIME,
        Actor,
        Level,
        builtin_engine,
        generate_hierarchy,
    )

    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    engine = builtin_engine(h)
    grid = h.units_at(Level.GRID)[0]
    town = h.town_of(grid.id)
    worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
    room = h.command_room_of(town.id)
    operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
    station = h.stations_of(town.id, station_kind="police_station")[0]
    officer = Actor.of(h, h.people_of(station.id)[0].id, "station_officer")
    t0 = datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME)
    hour = timedelta(hours=1)
    cases = []
    for i in range(n):
        case = engine.open(
            "event",
            case_id=f"E{i}",
            trigger="report",
            actor=worker,
            at=t0,
            location_id=grid.id,
            category="noise",
            severity="ordinary",
            description="楼上噪音扰民",
        )
        steps: list[tuple[str, Any, dict[str, Any]]] = [
            ("accept", operator, {}),
            ("dispatch", operator, {"units": (station.id,)}),
            ("sign", officer, {}),
            ("start", officer, {}),
            ("feed_back", officer, {"result": "已劝导"}),
            ("verify", worker, {}),
            ("close", operator, {}),
        ]
        for k, (trigger, actor, data) in enumerate(steps, start=1):
            case = engine.apply(case, trigger, actor=actor, at=t0 + k * hour, **data)
        cases.append(case)
    return engine, cases


def main() -> None:
    from ruian_governance import Case, dumps, loads, to_document

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    engine, cases = build_cases(args.cases)
    texts = [dumps(c) for c in cases]
    documents = [to_document(c) for c in cases]
    assert all(loads(t, Case) == c for t, c in zip(texts, cases, strict=True))

    t_dumps = _best(lambda: [dumps(c) for c in cases])
    t_json_dumps = _best(lambda: [json.dumps(d, ensure_ascii=False) for d in documents])
    t_loads = _best(lambda: [loads(t, Case) for t in texts])
    t_json_loads = _best(lambda: [json.loads(t) for t in texts])
    t_replay = _best(lambda: [engine.replay(c.history) for c in cases])
    n = len(cases)
    records = sum(len(c.history) for c in cases)
    print(f"cases: {n}, history records: {records}, mean text: {sum(map(len, texts)) // n} chars")
    print(f"dumps   {n / t_dumps:10.0f} cases/s  ({t_dumps / t_json_dumps:.1f}x json.dumps alone)")
    print(
        f"loads   {n / t_loads:10.0f} cases/s  ({t_loads / t_json_loads:.1f}x json.loads alone, "
        f"{t_loads / t_replay:.2f}x Engine.replay)"
    )
    print(f"replay  {n / t_replay:10.0f} cases/s")


if __name__ == "__main__":
    main()
