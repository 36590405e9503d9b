"""The state machines at their documented budget: reach per transition, plants found, shrinking.

Run:  python benchmarks/bench_machines.py reach  [--seeds 100] [--machine EventMachine ...]
      python benchmarks/bench_machines.py plants [--seeds 20]    # each plant found in k of n
      python benchmarks/bench_machines.py shrink [--seeds 3]     # shrinking time and length
      python benchmarks/bench_machines.py example [--seeds 12]   # the docs' worked example

Every figure of docs/testing.md's "Budget, reach and the catalogue" comes from here, at
``ruian_governance.testing.budget.BUDGET`` (40 runs of 30 steps), one Hypothesis seed per
trial (seeds 0, 1, ...).  Prints Markdown tables.  Timings are wall-clock and processor time
of this process: on a shared machine, read the processor time and note ``uptime``.
"""

from __future__ import annotations

import argparse
import doctest
import os
import time
from pathlib import Path

from hypothesis import settings

from ruian_governance.testing import DisputeMachine, EventMachine, HazardMachine
from ruian_governance.testing.budget import BUDGET, reach, run_machine
from ruian_governance.testing.plants import PLANTS


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


MACHINES = {m.__name__: m for m in (EventMachine, DisputeMachine, HazardMachine)}


def reach_table(seeds: int, names: list[str]) -> None:
    """Per machine, the runs (of ``seeds``) in which each transition was taken."""
    print(f"Reach over {seeds} seeds at BUDGET ({_load()})\n")
    for machine in (MACHINES[name] for name in names):
        started = time.perf_counter()
        counts = reach(machine, seeds=range(seeds))
        elapsed = time.perf_counter() - started
        lowest = min(counts.values())
        print(f"### {machine.__name__}: lowest {lowest}/{seeds} ({elapsed:.0f} s)\n")
        print("| from | trigger | runs |")
        print("|---|---|---|")
        for (_, source, trigger), count in counts.items():
            print(f"| {source or '(opening)'} | {trigger} | {count}/{seeds} |")
        print()


def plants_table(seeds: int) -> None:
    """Per plant, in how many seeds (of ``seeds``) the machine found it, without shrinking."""
    print(f"Plants found over {seeds} seeds at BUDGET, first failure ({_load()})\n")
    print("| plant | found | processor s (all seeds) |")
    print("|---|---|---|")
    for plant in PLANTS:
        cpu = time.process_time()
        found = sum(plant.found(seed=seed) for seed in range(seeds))
        print(f"| {plant.key} | {found}/{seeds} | {time.process_time() - cpu:.1f} |")


def shrink_table(seeds: int) -> None:
    """Per plant and seed, the time to find and shrink the counterexample, and its length."""
    print(f"Find and shrink at BUDGET ({_load()})\n")
    print("| plant | seed | wall s | processor s | rule calls | draws | shrunk by |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for plant in PLANTS:
        for seed in range(seeds):
            finding = run_machine(plant.machine(), seed=seed, budget=BUDGET)
            if finding is None:
                print(f"| {plant.key} | {seed} | not found | | | |")
                continue
            calls = sum(1 for line in finding.steps if line.startswith("state."))
            draws = sum(1 for line in finding.steps if line.startswith("Draw "))
            worst = max(worst, finding.cpu_seconds)
            print(
                f"| {plant.key} | {seed} | {finding.seconds:.1f} | {finding.cpu_seconds:.1f} "
                f"| {calls} | {draws} | {finding.shrunk_by} |"
            )
    print(f"\nslowest: {worst:.1f} processor seconds")


def _worked_example() -> type:
    """``WrongMachine`` of docs/testing.md's worked example, built by the page's own code.

    Runs the doctest examples of the section "A worked example" up to the machine's definition
    (but the passing run of ``MaterialsMachine``), so the benchmark never drifts from the page.
    """
    page = (Path(__file__).parent.parent / "docs" / "testing.md").read_text(encoding="utf-8")
    section = page.split("## A worked example", 1)[1].split("finding = run_machine", 1)[0]
    namespace: dict[str, object] = {"settings": settings}  # imported earlier on the page
    for example in doctest.DocTestParser().get_examples(section):
        if "run_state_machine_as_test(" not in example.source:
            exec(compile(example.source, "docs/testing.md", "exec"), namespace)
    return namespace["WrongMachine"]  # type: ignore[return-value]


def example_table(seeds: int) -> None:
    """Per seed, the time to find and shrink the docs' worked example (``WrongMachine``)."""
    machine = _worked_example()
    print(f"The worked example (WrongMachine) at BUDGET ({_load()})\n")
    print("| seed | wall s | processor s | rule calls | draws | shrunk by |")
    print("|---|---|---|---|---|---|")
    times = []
    for seed in range(seeds):
        finding = run_machine(machine, seed=seed, budget=BUDGET)
        if finding is None:
            print(f"| {seed} | not found | | | |")
            continue
        calls = sum(1 for line in finding.steps if line.startswith("state."))
        draws = sum(1 for line in finding.steps if line.startswith("Draw "))
        times.append(finding.cpu_seconds)
        print(
            f"| {seed} | {finding.seconds:.1f} | {finding.cpu_seconds:.1f} | {calls} | {draws} "
            f"| {finding.shrunk_by} |"
        )
    under = sum(t < 10.0 for t in times)  # the bound
    print(f"\nunder 10 processor seconds: {under} of {seeds}")


def main() -> None:
    """Parse the command line and print the table asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", choices=["reach", "plants", "shrink", "example"])
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument(
        "--machine", action="append", choices=sorted(MACHINES), help="reach: these machines only"
    )
    args = parser.parse_args()
    if args.table == "reach":
        reach_table(args.seeds or 100, args.machine or list(MACHINES))
    elif args.table == "plants":
        plants_table(args.seeds or 20)
    elif args.table == "example":
        example_table(args.seeds or 12)
    else:
        shrink_table(args.seeds or 3)


if __name__ == "__main__":
    main()
