"""Benchmark: a page of 50 rows from an SQLite store of 1,000,000 cases, against a full scan.

Run:  python benchmarks/bench_stores_paging.py [--cases 1000000] [--path /tmp/paging.db] [--reuse]

``--reuse`` measures a file an earlier run filled (its indexes brought up to this layout).

Issue 14 point 1.  The store is filled fast: one real event case is opened and stored in each
of 23 towns through the store's checks, then its rows are copied to ``--cases`` case rows with
new ids, opening times, categories, severities and states written straight into the file, each
with its checksum chain and row checksum computed as the store computes them (so every listed
row passes the store's row check; the copies' JSON still names the template's id and times,
so they are listed, never decoded: design choice of the benchmark, not a store feature).

Measured in the same run (median of repeats):

- page:       ``store.rows(RowQuery(town=..., closed=False, order="opened", descending=True),
              limit=50)``, the first page and the page after 20 pages (keyset cursor);
- inbox:      the first page of the town's command room's inbox, in each order;
- count:      ``store.count`` of the same query;
- full scan:  the same rows read with SQLite told to use no index (``NOT INDEXED``): every
              case row read, filtered and sorted, then the first 50 taken.

Reported: times and the full scan / page ratio.  Absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Actor,
    Level,
    SQLiteCaseStore,
    builtin_engine,
    generate_hierarchy,
)
from ruian_governance.stores import RowQuery
from ruian_governance.stores._layout import _SCHEMA
from ruian_governance.stores.base import _link, _row_sum, _row_text, _seed

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
STATES = ("reported", "accepted", "dispatched", "signed", "in_progress", "closed", "evaluated")
CATEGORIES = ("noise", "neighbours", "fire", "sanitation", "traffic")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def fill(path: str, cases: int) -> tuple[SQLiteCaseStore, list[str]]:
    """A store at ``path`` with ``cases`` case rows (see the module's docstring)."""
    h = generate_hierarchy(towns=23, villages=23, grids=23, micro_grids=0, seed=1)
    engine = builtin_engine(h)
    for leftover in (path, f"{path}-wal", f"{path}-shm"):
        if os.path.exists(leftover):
            os.unlink(leftover)
    store = SQLiteCaseStore(path, engine, synchronous="NORMAL")
    towns = [t.id for t in h.towns]
    for k, town in enumerate(towns):
        grid = next(g for g in h.units_at(Level.GRID) if h.town_of(g.id).id == town)
        worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
        store.open("event", case_id=f"T{k:02d}", trigger="report", actor=worker, at=T0,
                   location_id=grid.id, category="noise", severity="ordinary")  # fmt: skip
    db = sqlite3.connect(path, isolation_level=None)
    columns = [c[1] for c in db.execute("PRAGMA table_info(cases)")]
    templates = [list(r) for r in db.execute(f"SELECT {', '.join(columns)} FROM cases")]
    records = dict(db.execute("SELECT case_id, record FROM history"))
    at = {name: i for i, name in enumerate(columns)}
    first14 = columns.index("chain")
    extra_at = columns.index("checksum") + 1
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    batch: list[tuple[object, ...]] = []
    history: list[tuple[object, ...]] = []
    for n in range(cases - len(towns)):
        row = list(templates[n % len(towns)])
        template_id = row[0]
        case_id = f"E{n:08d}"
        opened = T0 + timedelta(minutes=n % 500_000)
        state = STATES[n % len(STATES)]
        closed = opened + timedelta(days=2) if state in ("closed", "evaluated") else None
        row[0] = case_id
        row[at["state"]] = state
        row[at["category"]] = CATEGORIES[n % len(CATEGORIES)]
        row[at["opened_at"]] = opened.isoformat()
        row[at["opened_utc"]] = _utc(opened)
        row[at["closed_at"]] = None if closed is None else closed.isoformat()
        row[at["closed_utc"]] = None if closed is None else _utc(closed)
        row[at["running"]] = int(closed is None)
        text = records[template_id]
        chain = _link(_seed(case_id), text)
        row[at["chain"]] = chain
        row[at["checksum"]] = _row_sum(chain, _row_text(row[:first14]) + _row_text(row[extra_at:]))
        batch.append(tuple(row))
        history.append((case_id, 0, "report", T0.isoformat(), _utc(T0), text, chain))
        if len(batch) == 50_000:
            _write(db, columns, batch, history)
    _write(db, columns, batch, history)
    db.execute("UPDATE meta SET value = (SELECT count(*) FROM cases) WHERE key = 'cases'")
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return store, towns


def reuse(path: str) -> tuple[SQLiteCaseStore, list[str]]:
    """The store an earlier run filled at ``path``, with this layout's indexes added."""
    h = generate_hierarchy(towns=23, villages=23, grids=23, micro_grids=0, seed=1)
    db = sqlite3.connect(path, isolation_level=None)
    for statement in _SCHEMA.split(";\n"):
        if statement.strip().startswith("CREATE INDEX"):
            db.execute(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
    db.execute("ANALYZE")
    db.close()
    return SQLiteCaseStore(path, builtin_engine(h), synchronous="NORMAL"), [t.id for t in h.towns]


def _write(db: sqlite3.Connection, columns: list[str], batch: list, history: list) -> None:
    marks = ", ".join("?" * len(columns))
    db.executemany(f"INSERT INTO cases ({', '.join(columns)}) VALUES ({marks})", batch)
    db.executemany("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?)", history)
    batch.clear()
    history.clear()


def timed(work: Callable[[], object], repeat: int) -> float:
    """The median seconds of ``repeat`` runs of ``work``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--path", default="/tmp/bench_paging.db")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.reuse:
        store, towns = reuse(args.path)
    else:
        store, towns = fill(args.path, args.cases)
    done = "reused" if args.reuse else "filled"
    print(f"{done} {len(store):,} cases in {time.perf_counter() - start:.1f} s "
          f"({os.path.getsize(args.path) / 1e6:.0f} MB)")  # fmt: skip
    town = towns[5]
    query = RowQuery(town=town, closed=False, order="opened", descending=True)
    first = store.rows(query, limit=50)
    assert len(first.items) == 50
    cursor = first.cursor
    for _ in range(20):
        cursor = store.rows(query, limit=50, cursor=cursor).cursor
    room = store.engine.hierarchy.command_room_of(town).id
    page = timed(lambda: store.rows(query, limit=50), 21)
    deep = timed(lambda: store.rows(query, limit=50, cursor=cursor), 21)
    inboxes = {
        order: timed(lambda o=order: store.inbox(room, limit=50, query=RowQuery(order=o)), 21)
        for order in ("id", "opened", "due")
    }
    count = timed(lambda: store.count(query), 5)
    select = ", ".join(f"c.{c}" for c in ("id", "lifecycle", "state", "unit_id", "town_id",
                                          "opened_at", "head", "chain", "checksum"))  # fmt: skip
    db = sqlite3.connect(args.path)
    sql = (f"SELECT {select} FROM cases AS c NOT INDEXED WHERE c.town_id = ? AND "
           "c.closed_utc IS NULL ORDER BY c.opened_utc DESC, c.id DESC")  # fmt: skip

    def scan() -> list[object]:
        return db.execute(sql, (town,)).fetchall()[:50]

    assert [r[0] for r in scan()] == [r.id for r in first.items]
    full = timed(scan, 3)
    db.close()
    store.close()
    print(json.dumps({"cases": args.cases}))
    for name, seconds in (("page of 50, first", page), ("page of 50, after 20 pages", deep),
                          *((f"inbox page of 50, by {o}", t) for o, t in inboxes.items()),
                          ("count", count),
                          ("full scan (NOT INDEXED), first 50", full)):  # fmt: skip
        print(f"{name:36s} {seconds * 1e3:10.2f} ms")
    print(
        f"full scan / first page: {full / page:,.0f}x; full scan / deep page: {full / deep:,.0f}x"
    )


if __name__ == "__main__":
    main()
