"""Benchmark: build + validate + JSON round trip of the Rui'an preset and a province.

Run: ``.venv/bin/python benchmarks/bench_hierarchy.py [--skip-province]``.  Each scale runs in a
fresh subprocess so that its peak memory (ru_maxrss) is its own, once with Python's cyclic
garbage collector on (the default) and once with it paused, as the command line does for runs.
Times are wall-clock seconds on one core; peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import timeit

SCALES = {
    "ruian": {
        "towns": "RUIAN",
        "villages": 600,
        "grids": 3_000,
        "micro_grids": 30_000,
        "grid_workers": 18_000,
        "micro_grid_workers": 30_000,
    },
    "province": {
        "towns": 1_360,
        "villages": 20_000,
        "grids": 85_000,
        "micro_grids": 450_000,
        "grid_workers": 85_000,
        "micro_grid_workers": 450_000,
    },
}


def run_scale(name: str, *, gc_off: bool = False) -> dict[str, float]:
    import gc
    import resource
    import time

    import attrs

    from ruian_governance import Hierarchy, generate_hierarchy
    from ruian_governance.io import from_document, to_document
    from ruian_governance.presets import RUIAN_TOWNS

    sizes = dict(SCALES[name])
    towns = RUIAN_TOWNS if sizes.pop("towns") == "RUIAN" else SCALES[name]["towns"]
    result: dict[str, float] = {}
    if gc_off:
        gc.disable()
    start = time.perf_counter()
    h = generate_hierarchy(towns=towns, seed=1, **sizes)  # type: ignore[arg-type]
    result["generate_and_validate_s"] = time.perf_counter() - start
    result["peak_rss_after_build_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    attrs.evolve(h)  # construction from ready-made parts: validation and index building only
    result["validate_s"] = time.perf_counter() - start
    result["entities"] = len(h)
    start = time.perf_counter()
    data = to_document(h)
    result["to_dict_s"] = time.perf_counter() - start
    start = time.perf_counter()
    text = json.dumps(data, ensure_ascii=False)
    result["json_dumps_s"] = time.perf_counter() - start
    result["json_mb"] = len(text.encode()) / 2**20
    start = time.perf_counter()
    again = from_document(json.loads(text), Hierarchy)
    result["from_json_s"] = time.perf_counter() - start
    assert again == h
    grid_ids = [u.id for u in h.units if u.level.value == "micro_grid"][:10_000] or [h.city.id]
    n = len(grid_ids)
    result["town_of_us"] = (
        min(timeit.repeat(lambda: [h.town_of(i) for i in grid_ids], number=5, repeat=3))
        / (5 * n)
        * 1e6
    )
    result["get_us"] = (
        min(timeit.repeat(lambda: [h.get(i) for i in grid_ids], number=5, repeat=3)) / (5 * n) * 1e6
    )
    result["peak_rss_end_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-province", action="store_true")
    parser.add_argument("--scale", choices=sorted(SCALES), help=argparse.SUPPRESS)
    parser.add_argument("--gc-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale:
        print(json.dumps(run_scale(args.scale, gc_off=args.gc_off)))
        return
    for name in SCALES:
        if name == "province" and args.skip_province:
            continue
        for gc_off in (False, True):
            extra = ["--gc-off"] if gc_off else []
            out = subprocess.run(
                [sys.executable, __file__, "--scale", name, *extra],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(out)
            print(f"{name} (cyclic GC {'paused' if gc_off else 'on'}):")
            for key, value in figures.items():
                print(f"  {key:>24}: {value:,.3f}")


if __name__ == "__main__":
    main()
