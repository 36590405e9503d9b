"""Benchmark the city simulation: time, events per second, peak memory, and linearity.

Each run happens in its own subprocess so that its peak resident memory (``ru_maxrss``) is its
own.  Runs:

- ``ruian``: the Rui'an preset for one 28-day 211 cycle (about 20,000 reported events);
- a scaled series of generated cities (about 50k, 100k and 200k events in 28 days) to show that
  the cost per event stays flat (ratios against the smallest run of the series, measured in the
  same invocation);
- ``--province``: Zhejiang scale, ``generate_hierarchy(towns=1360, villages=20000,
  grids=85000, micro_grids=450000, seed=1)`` for 30 days at about a million events (needs
  several GB of memory and minutes).

Usage::

    python benchmarks/bench_simulation.py              # Rui'an + scaled series
    python benchmarks/bench_simulation.py --quick      # Rui'an + 25k/50k series
    python benchmarks/bench_simulation.py --province   # also the province run
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from typing import Any


def one(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one simulation as described by ``spec`` (in this process) and measure it.

    With ``spec["gc"]`` false the cyclic garbage collector is off for the whole run, as the
    command line runs the simulation (cases are immutable trees without reference cycles).
    """
    if not spec.get("gc", True):
        gc.disable()
    from ruian_governance import (
        Level,
        SimulationConfig,
        generate_hierarchy,
        ruian_preset,
        simulate,
    )

    t0 = time.perf_counter()
    if spec["kind"] == "ruian":
        hierarchy = ruian_preset()
    else:
        hierarchy = generate_hierarchy(**spec["hierarchy"])
    build = time.perf_counter() - t0
    config = SimulationConfig(
        hierarchy=hierarchy,
        days=spec["days"],
        reports_per_grid_per_day=spec["rate"],
        seed=spec.get("seed", 0),
    )
    t0, c0 = time.perf_counter(), time.process_time()
    result = simulate(config)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "name": spec["name"] + ("" if spec.get("gc", True) else " nogc"),
        "grids": len(hierarchy.units_at(Level.GRID)),
        "build_s": round(build, 2),
        "simulate_s": round(elapsed, 2),
        "cpu_s": round(cpu, 2),
        "reported": result.reported,
        "cases": len(result.cases),
        "commands": result.commands,
        "events_per_s": round(result.reported / cpu),
        "commands_per_s": round(result.commands / cpu),
        "peak_rss_mb": round(maxrss_kb / 1024),
    }


def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``spec`` in a fresh subprocess and return its measurements."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", json.dumps(spec)],
        check=True,
        capture_output=True,
        text=True,
    )
    measured: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return measured


def scaled(name: str, events: int, days: int = 28) -> dict[str, Any]:
    """A generated city sized for about ``events`` reports in ``days`` at 0.25 per grid-day."""
    rate = 0.25
    grids = max(8, round(events / (rate * days)))
    towns = max(2, grids // 130)
    villages = max(towns, grids // 5)
    return {
        "name": name,
        "kind": "generated",
        "hierarchy": {
            "towns": towns,
            "villages": villages,
            "grids": grids,
            "micro_grids": 0,
            "seed": 1,
        },
        "days": days,
        "rate": rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--province", action="store_true", help="also the ~1M-event run")
    parser.add_argument("--quick", action="store_true", help="a shorter scaled series")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(json.loads(args.one))))
        return
    ruian = {"name": "ruian-28d", "kind": "ruian", "days": 28, "rate": 0.25}
    specs: list[dict[str, Any]] = [ruian, {**ruian, "gc": False}]
    sizes = (25_000, 50_000) if args.quick else (50_000, 100_000, 200_000)
    for n in sizes:
        specs += [
            scaled(f"scaled-{n // 1000}k", n),
            {**scaled(f"scaled-{n // 1000}k", n), "gc": False},
        ]
    if args.province:
        specs.append(
            {
                "name": "province-30d",
                "kind": "generated",
                "hierarchy": {
                    "towns": 1360,
                    "villages": 20000,
                    "grids": 85000,
                    "micro_grids": 450000,
                    "seed": 1,
                },
                "days": 30,
                "rate": 0.39,
                "gc": False,
            }
        )
    header = (
        f"{'run':<19}{'grids':>8}{'build s':>9}{'wall s':>8}{'cpu s':>8}{'events':>9}"
        f"{'commands':>10}"
        f"{'events/s':>10}{'cmds/s':>9}{'peak MB':>9}{'us/event':>10}{'ratio':>7}"
    )
    print(header)
    baselines: dict[bool, float] = {}
    for spec in specs:
        m = run_spec(spec)
        per_event = m["cpu_s"] / max(m["reported"], 1) * 1e6
        ratio = ""
        if spec["name"].startswith(("scaled", "province")):
            base = baselines.setdefault(spec.get("gc", True), per_event)
            ratio = f"{per_event / base:.2f}"
        print(
            f"{m['name']:<19}{m['grids']:>8}{m['build_s']:>9}{m['simulate_s']:>8}"
            f"{m['cpu_s']:>8}{m['reported']:>9}{m['commands']:>10}{m['events_per_s']:>10}"
            f"{m['commands_per_s']:>9}{m['peak_rss_mb']:>9}{per_event:>10.1f}{ratio:>7}",
            flush=True,
        )
    print(
        "events/s, cmds/s and us/event use the simulation's CPU time (the machine may be shared).\n"
        "ratio: CPU cost per event against the smallest scaled run of this invocation with the\n"
        "same collector setting (1.00 = linear); nogc: the cyclic garbage collector is off, as\n"
        "the command line runs the simulation."
    )


if __name__ == "__main__":
    main()
