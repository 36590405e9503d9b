"""Benchmark: routing graph build, verify() and routing decisions per second.

Run: ``/work/venv/bin/python benchmarks/bench_routing.py [--province] [--reports N]``.

The Rui'an preset (``ruian_preset()`` default sizes) always runs; ``--province`` adds a
province-scale hierarchy (1,360 towns, 20,000 villages, 85,000 grids, 450,000 micro-grids).  Each
scale runs in a fresh subprocess so that its peak memory (ru_maxrss) is its own.

Routing decisions are measured twice in the same run over the same reports: with the
precomputed :class:`~ruian_governance.Router` (a few dict look-ups per report), and by computing
each route with ``networkx.shortest_path`` on the routing graph from the report's grid to each
unit that must act (the units themselves found by hierarchy look-ups, so only the path finding
differs).  Times are wall-clock seconds, best of a few repeats for the per-route figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_scale(name: str, n_reports: int) -> dict[str, Any]:  # noqa: PLR0915 - one script
    import random
    import time

    import networkx as nx

    from ruian_governance import (
        RULES_2021,
        Level,
        Report,
        Router,
        SeverityTier,
        generate_hierarchy,
        routing_graph,
        ruian_preset,
        verify,
    )

    result: dict[str, Any] = {"scale": name}
    start = time.perf_counter()
    if name == "ruian":
        h = ruian_preset()
    else:
        h = generate_hierarchy(
            towns=1_360, villages=20_000, grids=85_000, micro_grids=450_000, seed=1
        )
    result["hierarchy_build_s"] = time.perf_counter() - start
    result["peak_rss_after_hierarchy_mb"] = _rss_mb()
    rules = RULES_2021

    start = time.perf_counter()
    graph = routing_graph(h, rules)
    result["graph_build_s"] = time.perf_counter() - start
    result["graph_nodes"] = graph.number_of_nodes()
    result["graph_edges"] = graph.number_of_edges()
    result["peak_rss_after_graph_mb"] = _rss_mb()

    start = time.perf_counter()
    report = verify(h, rules, graph=graph)
    result["verify_on_graph_s"] = time.perf_counter() - start
    result["verify_ok"] = report.ok
    result["routes_checked"] = report.routes_checked
    result["peak_rss_after_verify_mb"] = _rss_mb()

    start = time.perf_counter()
    router = Router(h, rules)
    result["router_build_s"] = time.perf_counter() - start

    rng = random.Random(7)
    grids = [g.id for g in h.units_at(Level.GRID)]
    keys = rules.keys
    tiers = list(SeverityTier)
    reports = [
        Report(
            id=f"r{i}",
            grid_id=rng.choice(grids),
            category=rng.choice(keys),
            severity=rng.choice(tiers),
        )
        for i in range(n_reports)
    ]

    def with_router() -> None:
        for r in reports:
            router(r)

    def targets(r: Report) -> list[str]:
        town = h.town_of(r.grid_id)
        assert town is not None
        category = rules.category(r.category)
        if r.severity is SeverityTier.MAJOR:
            return [d.id for k in category.department_kinds for d in h.departments_of_kind(k)]
        found = [
            s.id for k in category.station_kinds for s in h.stations_of(town.id, station_kind=k)
        ]
        return found[:1] if r.severity is SeverityTier.ORDINARY else found

    def with_shortest_path(g: Any = graph) -> None:
        for r in reports:
            for target in targets(r):
                nx.shortest_path(g, r.grid_id, target)

    def targets_only() -> None:
        for r in reports:
            targets(r)

    def best(fn: Any, repeats: int = 3) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    router_s = best(with_router)
    path_s = best(with_shortest_path)
    lookups_s = best(targets_only)
    result["reports"] = n_reports
    result["router_routes_per_s"] = n_reports / router_s
    result["router_us_per_route"] = router_s / n_reports * 1e6
    result["shortest_path_routes_per_s"] = n_reports / path_s
    result["shortest_path_us_per_route"] = path_s / n_reports * 1e6
    result["target_lookup_share_of_shortest_path"] = lookups_s / path_s
    result["speedup_router_vs_shortest_path"] = path_s / router_s

    # verify() as users call it, building its own graph (which then is garbage)
    del graph
    start = time.perf_counter()
    verify(h, rules)
    result["verify_with_own_graph_s"] = time.perf_counter() - start
    result["peak_rss_mb"] = _rss_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", action="store_true", help="also run province scale")
    parser.add_argument("--reports", type=int, default=20_000, help="reports routed per method")
    parser.add_argument("--scale", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale:
        print(json.dumps(run_scale(args.scale, args.reports)))
        return
    scales = ["ruian", "province"] if args.province else ["ruian"]
    for scale in scales:
        out = subprocess.run(
            [sys.executable, __file__, "--scale", scale, "--reports", str(args.reports)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout)
        print(f"== {scale}")
        for key, value in result.items():
            shown = f"{value:,.3f}" if isinstance(value, float) else f"{value}"
            print(f"  {key:40s} {shown}")


if __name__ == "__main__":
    main()
