"""Benchmark the bulk hierarchy load (issue 15 point 5): load_hierarchy vs from_document.

Generates a hierarchy (default: the province of ``bench_hierarchy.py``, about 1.1 million units
and people), writes it as JSON, then loads it both ways in this one process and prints the
seconds of each and their ratio (the machine may be shared: compare the ratio, and rerun on a
quiet machine for absolute figures).

Usage::

    python benchmarks/bench_bulk.py              # the province (needs about 6 GB, a minute)
    python benchmarks/bench_bulk.py --small      # a 20x smaller city
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path

from bench_hierarchy import SCALES  # the province of bench_hierarchy.py (run from here)

PROVINCE: dict[str, int] = {k: v for k, v in SCALES["province"].items() if isinstance(v, int)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a 20x smaller hierarchy")
    args = parser.parse_args()
    from ruian_governance import Hierarchy, generate_hierarchy
    from ruian_governance.io import dumps, from_document, load_hierarchy

    sizes = {k: max(1, v // 20) for k, v in PROVINCE.items()} if args.small else PROVINCE
    h = generate_hierarchy(seed=1, **sizes)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hierarchy.json"
        path.write_text(dumps(h), encoding="utf-8")
        print(f"{len(h):,} entities, {path.stat().st_size / 2**20:.0f} MB of JSON")
        del h
        gc.collect()
        start = time.perf_counter()
        ordinary = from_document(json.loads(path.read_bytes()), Hierarchy)
        slow = time.perf_counter() - start
        del ordinary
        gc.collect()
        start = time.perf_counter()
        fast = load_hierarchy(path)
        quick = time.perf_counter() - start
        del fast
    load = os.getloadavg()[0]
    from ruian_governance.io import bulk

    try:
        import msgspec  # noqa: F401 - which fast path load_hierarchy takes

        rows = hasattr(bulk, "_from_rows")  # a release before 0.2.0 has only the dict path
    except ImportError:
        rows = False
    print(f"fast path: {'msgspec rows' if rows else 'orjson (or json) dicts'}")
    print(f"from_document(json.loads(...)): {slow:6.2f} s")
    print(f"load_hierarchy(path):            {quick:6.2f} s   ratio {slow / quick:.1f}x")
    print(f"load average during the run: {load:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
