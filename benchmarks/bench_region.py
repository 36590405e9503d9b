"""Benchmark a region of cities (issue 15): Dask vs one process, events/s, memory, linearity.

Four measurements, each a ratio against a baseline measured in the same invocation (the
machine may be shared: ``uptime`` is printed before and after; rerun on a quiet machine for
figures to quote):

1. **one process vs LocalCluster**: the same region run with ``workers=0`` (one by one, no
   Dask) and on a ``LocalCluster`` of ``--workers`` processes; wall seconds, their ratio, and
   whether the outputs are identical (every shard's digest and every file's SHA-256).
2. **events per second per core**: reported events over the CPU seconds the shards spent
   (measured inside each task, so Dask's own overhead is not counted here, only in 1); and
   the region's CPU cost per event (its total, about 1M events for a province-month) against
   that of a 50k-event city run in a fresh process in the same invocation.
3. **peak memory per worker**: one city run in a fresh process for ``D`` and ``4 D`` days,
   streaming its cases into a dataset (``simulate(sink=...)``): the process's peak resident
   memory should stay flat as the days grow.  With the default station capacity (8 a day,
   below a 200-grid town's reports) the backlog of open cases grows with the days, and a run
   must hold its open cases: ``--capacity 40`` measures a city whose stations keep up.  A run
   of fewer than ``SINK_BATCH`` (5,000) cases hands them all over at its end only.
4. **cost per event**: CPU microseconds per event of a small and a large city (default 50k
   and 200k events; ``--full`` for 50k vs 1M, which takes minutes): the ratio should stay
   near 1.

Usage::

    python benchmarks/bench_region.py                 # small: a few minutes on 2 cores
    python benchmarks/bench_region.py --cities 12 --grids 2000 --days 28 --full
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any


def warmed() -> None:
    """Import what a shard needs (the library, its dataset writer and pyarrow).

    Called before either clock starts, in this process and on each Dask worker, so that
    neither side of measurement 1 counts the imports (a cluster pays them once, not per run).
    """
    import pyarrow.parquet  # noqa: F401

    import ruian_governance.io.dataset
    import ruian_governance.sim.sharded  # noqa: F401


def timed_shard(shard: Any, config: Any, directory: str | None) -> tuple[Any, float, float]:
    """Run one shard; return its result, its CPU seconds and this process's peak RSS in MB."""
    from ruian_governance.sim.sharded import run_shard

    gc.disable()
    try:
        start = time.process_time()
        result = run_shard(shard, config, directory)
        cpu = time.process_time() - start
    finally:
        gc.enable()
    return result, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def region_run(args: argparse.Namespace) -> None:
    """Measurements 1 and 2."""
    import dask
    import distributed

    from ruian_governance import SimulationConfig
    from ruian_governance.sim.region import generate_region
    from ruian_governance.sim.sharded import LOCAL_CLUSTER_SETTINGS

    region = generate_region(
        cities=args.cities, towns=args.towns, villages=args.grids // 5, grids=args.grids, seed=1
    )
    config = SimulationConfig(days=args.days, seed=1, reports_per_grid_per_day=args.rate)
    with tempfile.TemporaryDirectory() as tmp:
        warmed()
        start = time.perf_counter()
        plain = [timed_shard(s, config, f"{tmp}/plain") for s in region.cities]
        one = time.perf_counter() - start
        with dask.config.set(dict(LOCAL_CLUSTER_SETTINGS)):  # as simulate_region starts it
            cluster = distributed.LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},  # as simulate_region
            )
        with cluster, distributed.Client(cluster) as client:
            client.run(warmed)  # the cluster is up and has imported before the clock starts
            start = time.perf_counter()
            futures = [
                client.submit(timed_shard, s, config, f"{tmp}/dask", pure=False)
                for s in region.cities
            ]
            dask = client.gather(futures)
            many = time.perf_counter() - start
    same = [r for r, _, _ in plain] == [r for r, _, _ in dask]
    events = sum(r.reported for r, _, _ in plain)
    cpu = sum(c for _, c, _ in plain)
    print(f"[1] region: {args.cities} cities x {args.grids} grids x {args.days} days, "
          f"{events:,} events, {sum(r.cases for r, _, _ in plain):,} cases")  # fmt: skip
    print(f"    one process (no Dask): {one:8.2f} s wall")
    label = f"LocalCluster({args.workers}):"
    print(f"    {label:<23}{many:8.2f} s wall   speed-up {one / many:.2f}x")
    print(f"    identical output (digests and file SHA-256): {same}")
    print(f"[2] events per CPU second (one process): {events / cpu:,.0f}")
    in_workers = sum(c for _, c, _ in dask)
    per_worker = in_workers / args.workers
    print(f"    events per CPU second (Dask workers, both busy): {events / in_workers:,.0f};"
          f" shards' CPU per worker {per_worker:.1f} s of {many:.1f} s wall")  # fmt: skip
    peak = max(m for _, _, m in dask)
    print(f"    peak RSS of a Dask worker: {peak:,.0f} MB")
    # The "cost per event at 1M events within 1.2x of the cost at 50k": its 1M events
    # are a province-month's, so the region's cost per event against a 50k-event city's.
    small = city_cost(50_000, args.rate)
    alone, busy = cpu / events * 1e6, in_workers / events * 1e6
    print(f"    cost per event: the region's {events:,} events {alone:.1f} us (one process), "
          f"{busy:.1f} us (Dask workers); a city of {small['events']:,} events "
          f"{small['us']:.1f} us: ratios {alone / small['us']:.2f} "
          f"and {busy / small['us']:.2f}")  # fmt: skip


def memory_one(spec: dict[str, Any]) -> dict[str, Any]:
    """One city streamed into a dataset for ``spec['days']`` days, in this process."""
    from ruian_governance import SimulationConfig
    from ruian_governance.sim.region import generate_region

    region = generate_region(
        cities=1, towns=spec["towns"], villages=spec["grids"] // 5, grids=spec["grids"], seed=1
    )
    config = SimulationConfig(
        days=spec["days"],
        seed=1,
        reports_per_grid_per_day=spec["rate"],
        station_capacity=spec.get("capacity", SimulationConfig().station_capacity),
    )
    with tempfile.TemporaryDirectory() as tmp:
        result, cpu, peak = timed_shard(region.cities[0], config, tmp if spec["write"] else None)
    return {"days": spec["days"], "cases": result.cases, "events": result.reported,
            "cpu_s": cpu, "peak_mb": peak}  # fmt: skip


def in_subprocess(spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``memory_one(spec)`` in a fresh interpreter (its own peak RSS)."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", json.dumps(spec)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def memory_and_cost(args: argparse.Namespace) -> None:
    """Measurements 3 and 4."""
    base = {"towns": args.towns, "grids": args.grids * 2, "rate": args.rate, "write": True}
    if args.capacity is not None:
        base["capacity"] = args.capacity
    print("[3] peak memory of one city streamed to a dataset, as the days grow"
          f" (station capacity {base.get('capacity', 'default')}):")  # fmt: skip
    first = None
    for days in (args.days, args.days * 4):
        m = in_subprocess({**base, "days": days})
        first = first or m["peak_mb"]
        print(f"    {days:4d} days: {m['cases']:8,} cases, peak {m['peak_mb']:7,.0f} MB "
              f"(x{m['peak_mb'] / first:.2f})")  # fmt: skip
    print("[4] CPU cost per event, small vs large city (28 days, cases streamed, not written):")
    small = None
    for events in (50_000, 1_000_000 if args.full else 200_000):
        m = city_cost(events, args.rate)
        small = small or m["us"]
        print(f"    {m['events']:9,} events: {m['us']:7.1f} us/event "
              f"({m['events'] / m['cpu_s']:,.0f} events/s), ratio {m['us'] / small:.2f}, "
              f"peak {m['peak_mb']:,.0f} MB")  # fmt: skip


def city_cost(events: int, rate: float) -> dict[str, Any]:
    """One city of about ``events`` events over 28 days, in a fresh process (measurement 4).

    Towns of about 130 grids; cases streamed, not written. Adds ``us``: CPU microseconds
    per event.
    """
    grids = max(10, round(events / (rate * 28)))
    m = in_subprocess({"towns": max(2, grids // 130), "grids": grids, "rate": rate,
                       "days": 28, "write": False})  # fmt: skip
    return {**m, "us": m["cpu_s"] / max(m["events"], 1) * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--cities", type=int, default=4)
    parser.add_argument("--towns", type=int, default=4)
    parser.add_argument("--grids", type=int, default=400, help="grids per city")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--rate", type=float, default=0.39, help="reports per grid per day")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="cost per event at 1M events")
    parser.add_argument(
        "--capacity",
        type=int,
        default=None,
        help="[3]: cases a station starts per day (default: the configuration's 8, below a "
        "200-grid town's reports, so its backlog of open cases grows with the days)",
    )
    parser.add_argument("--skip-region", action="store_true", help="only measurements 3 and 4")
    parser.add_argument("--region-only", action="store_true", help="only measurements 1 and 2")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(memory_one(json.loads(args.one))))
        return
    print(f"load before: {os.getloadavg()} on {os.cpu_count()} cores")
    if not args.skip_region:
        region_run(args)
    if not args.region_only:
        memory_and_cost(args)
    print(f"load after:  {os.getloadavg()}")


if __name__ == "__main__":
    main()
