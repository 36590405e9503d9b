"""Issue 14 point 1: the lists a front end needs, on both stores, equal to each other.

Rows without history, filters that combine, date ranges, keyset pages with checked cursors,
counts and a unit's inbox; adversarial arguments (forged cursors, huge pages, NaN, wrong
types) are typed errors that change nothing.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ruian_governance import MemoryCaseStore, SQLiteCaseStore
from ruian_governance.errors import (
    ArgumentError,
    InvalidCursorError,
    StoreCorruptError,
    StoreMismatchError,
    UnknownIdError,
)
from ruian_governance.lifecycles import WarningLevel, warning_level
from ruian_governance.stores import CaseStore, InboxItem, Page, Row, RowQuery
from ruian_governance.stores.base import _row_sum, _row_text
from store_kit import advance
from world import DAY, HOUR, T0, World, build_world

WORLD = build_world()


def _fill(store: CaseStore, world: World) -> None:
    """24 events, opened an hour and a half apart, each advanced 0 to 8 steps of the loop."""
    for k in range(24):
        case = world.engine.open(
            "event", case_id=f"E{k:03d}", trigger="report", actor=world["worker"],
            at=T0 + k * 90 * timedelta(minutes=1), location_id=world.grid,
            category=("noise", "neighbours", "fire")[k % 3],
            severity=("ordinary", "larger")[k % 2],
        )  # fmt: skip
        for _ in range(k % 9):
            case = advance(world, case)
        store.add(case)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CaseStore, CaseStore]]:
    """The same 24 cases in a memory store and an SQLite store."""
    memory = MemoryCaseStore(WORLD.engine)
    sqlite = SQLiteCaseStore(tmp_path_factory.mktemp("lists") / "cases.db", WORLD.engine)
    _fill(memory, WORLD)
    _fill(sqlite, WORLD)
    yield memory, sqlite
    sqlite.close()


def _all(store: CaseStore, query: RowQuery, limit: int, now: datetime | None) -> list[Row]:
    rows: list[Row] = []
    cursor = None
    for _ in range(100):
        page = store.rows(query, limit=limit, cursor=cursor, now=now)
        assert len(page.items) <= limit
        rows.extend(page.items)
        cursor = page.cursor
        if cursor is None:
            return rows
    message = "paging does not end"
    raise AssertionError(message)


QUERIES = [
    RowQuery(),
    RowQuery(order="opened", descending=True),
    RowQuery(order="due"),
    RowQuery(order="due", descending=True, closed=False),
    RowQuery(category="noise", severity="ordinary"),
    RowQuery(states=("dispatched", "signed"), order="opened"),
    RowQuery(closed=True, closed_from=T0 + DAY),
    RowQuery(opened_from=T0 + 3 * HOUR, opened_before=T0 + 20 * HOUR, order="opened"),
    RowQuery(due_from=T0 + 2 * DAY, due_before=T0 + 30 * DAY),
    RowQuery(town=WORLD.town, lifecycle="event", holder=WORLD.town),
    RowQuery(assignee=WORLD.station("police_station")),
    RowQuery(town="nowhere"),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_both_stores_page_alike(stores: tuple[CaseStore, CaseStore], query: RowQuery) -> None:
    """Point 1: equal rows, cursors and counts; paging equals filtering the cases by hand."""
    memory, sqlite = stores
    now = T0 + 5 * DAY
    for limit in (1, 4, 50):
        a, b = _all(memory, query, limit, now), _all(sqlite, query, limit, now)
        assert a == b
    first = memory.rows(query, limit=3, now=now), sqlite.rows(query, limit=3, now=now)
    assert first[0] == first[1]
    expected = [r for r in a if query.matches(r)]
    assert a == expected
    assert memory.count(query) == sqlite.count(query) == len(a)
    for by in ("state", "town", "category", "severity", "holder", "lifecycle"):
        assert memory.counts(by, query) == sqlite.counts(by, query)  # type: ignore[arg-type]
        assert sum(memory.counts(by, query).values()) == len(a)  # type: ignore[arg-type]


def test_rows_say_what_a_list_shows(stores: tuple[CaseStore, CaseStore]) -> None:
    """Point 1: a row's fields are the case's; closed is the first closing record's time."""
    memory, sqlite = stores
    for store in stores:
        rows = {r.id: r for r in _all(store, RowQuery(), 50, T0 + 5 * DAY)}
        assert len(rows) == 24
        for case in memory:
            row = rows[case.id]
            assert (row.state, row.holder, row.version, row.opened, row.due) == (
                case.state, case.unit_id, case.version, case.opened_at, case.due_at)  # fmt: skip
            assert row.town == WORLD.town
            assert row.assignees == case.assignees
            closing = [r.at for r in case.history if r.dest == "closed"]
            assert row.closed == (closing[0] if closing else None)
            definition = WORLD.engine.lifecycle(case.lifecycle)
            assert row.warning is warning_level(case, T0 + 5 * DAY, definition)
    assert memory.rows(limit=1).items[0].warning is None  # no now, no clock: no light
    early = sqlite.rows(RowQuery(states="reported"), limit=1, now=T0).items[0]
    assert early.warning is WarningLevel.GREEN
    lights = {r.warning for r in _all(sqlite, RowQuery(), 50, T0 + 5 * DAY)}
    assert WarningLevel.NONE in lights
    assert len(lights) > 1


def test_inbox_lists_what_a_unit_may_do(stores: tuple[CaseStore, CaseStore]) -> None:
    """Point 1: a unit's inbox: held or assigned, open, with the triggers its posts fire."""
    memory, sqlite = stores
    police = WORLD.station("police_station")
    room = WORLD.h.command_room_of(WORLD.town).id
    for unit, role in ((police, None), (room, None), (room, "command_room_operator")):
        a = memory.inbox(unit, role=role, limit=5)
        b = sqlite.inbox(unit, role=role, limit=5)
        assert a == b
        assert all(isinstance(i, InboxItem) and i.triggers for i in a.items)
    station_box = memory.inbox(police, limit=50)
    states = {i.row.state for i in station_box.items}
    assert states == {"dispatched", "signed", "in_progress"}
    assert all(police in i.row.assignees for i in station_box.items)
    signing = next(i for i in station_box.items if i.row.state == "dispatched")
    assert "sign" in signing.triggers
    room_box = sqlite.inbox(room, limit=50, query=RowQuery(states="reported"))
    assert room_box.items
    assert all("accept" in i.triggers for i in room_box.items)
    assert sqlite.inbox(room, role="no_such_role", limit=5) == Page(items=(), cursor=None)
    cursor = sqlite.inbox(room, limit=2).cursor
    assert cursor is not None
    with pytest.raises(InvalidCursorError):
        sqlite.inbox(police, limit=2, cursor=cursor)  # another unit's inbox
    with pytest.raises(InvalidCursorError):
        sqlite.rows(limit=2, cursor=cursor)  # an inbox cursor is no rows cursor
    with pytest.raises(UnknownIdError):
        memory.inbox("nowhere")
    with pytest.raises(ArgumentError):
        sqlite.inbox(None)  # type: ignore[arg-type]


def _forged(cursor: str) -> list[Any]:
    body, mac = cursor.split(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    payload = json.loads(raw)
    payload["k"] = ["' OR 1=1 --"] * len(payload["k"])
    again = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    return [
        f"{again}.{mac}",  # edited payload, old checksum
        f"{flipped}.{mac}",  # one character changed
        f"{body}.{mac[::-1]}",  # checksum changed
        body,  # no checksum
        f"{body}.{mac}.{mac}",
        "",
        "..",
        "é.é",
        "\udcff.x",
        "A" * 10_000,
        f"{body}.{mac}" + "=" * 3,
    ]


@pytest.mark.parametrize("which", [0, 1])
def test_forged_cursors_are_typed_errors(stores: tuple[CaseStore, CaseStore], which: int) -> None:
    """Point 1: an edited, forged, foreign or mistyped cursor is InvalidCursorError (400)."""
    store = stores[which]
    query = RowQuery(order="opened")
    cursor = store.rows(query, limit=2).cursor
    assert cursor is not None
    before = store.count()
    for bad in _forged(cursor):
        with pytest.raises(InvalidCursorError):
            store.rows(query, limit=2, cursor=bad)
    for other in (RowQuery(), RowQuery(order="opened", descending=True),
                  RowQuery(order="opened", category="noise")):  # fmt: skip
        with pytest.raises(InvalidCursorError, match="another"):
            store.rows(other, limit=2, cursor=cursor)
    for bad_type in (5, b"x", ["a"], float("nan")):
        with pytest.raises(InvalidCursorError):
            store.rows(query, limit=2, cursor=bad_type)  # type: ignore[arg-type]
    assert isinstance(InvalidCursorError("x", "y"), ArgumentError)
    assert store.count() == before


@pytest.mark.parametrize("which", [0, 1])
def test_bad_arguments_are_argument_errors(stores: tuple[CaseStore, CaseStore], which: int) -> None:
    """Point 1: huge or odd page sizes, NaN, naive times, wrong types: ArgumentError."""
    store = stores[which]
    for limit in (0, -1, 1001, 10**18, float("nan"), 2.0, True, "50", None):
        with pytest.raises(ArgumentError, match="limit"):
            store.rows(limit=limit)  # type: ignore[arg-type]
    for query in ({"town": "t"}, "town", 3):
        with pytest.raises(ArgumentError, match="query"):
            store.rows(query)  # type: ignore[arg-type]
        with pytest.raises(ArgumentError, match="query"):
            store.count(query)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="now"):
        store.rows(now=datetime(2025, 1, 1))
    with pytest.raises(ArgumentError, match="now"):
        store.rows(now=float("nan"))  # type: ignore[arg-type]
    for by in ("head", "id", None, 1):
        with pytest.raises(ArgumentError, match="by"):
            store.counts(by)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"town": 1}, {"town": ""}, {"states": 5}, {"states": ("a", 1)}, {"states": [""]},
        {"closed": "yes"}, {"closed": 1}, {"descending": None}, {"order": "random"},
        {"order": ["id"]}, {"opened_from": datetime(2025, 1, 1)},
        {"due_before": float("nan")}, {"category": None, "severity": 3},
    ],
)  # fmt: skip
def test_row_queries_refuse_wrong_types(fields: dict[str, Any]) -> None:
    """Point 1: a RowQuery checks every filter's type when it is built."""
    with pytest.raises(ArgumentError):
        RowQuery(**fields)


def test_rows_check_their_checksum(tmp_path: Path) -> None:
    """Point 1: a row edited in the file fails its checksum when listed (no decoding)."""
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, WORLD.engine) as store:
        _fill(store, WORLD)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE cases SET state = 'closed' WHERE id = 'E001'")
    db.close()
    with SQLiteCaseStore(path, WORLD.engine) as store:
        with pytest.raises(StoreCorruptError, match="E001"):
            store.rows(limit=10)
        assert store.count() == 24


def _as_layout_2(path: Path) -> None:
    """Turn a layout 3 file into the layout 2 this release wrote before (checksums and all)."""
    db = sqlite3.connect(path, isolation_level=None)
    columns = ("id, lifecycle, state, unit_id, town_id, location_id, category, severity, "
               "opened_at, due_at, due_utc, running, version, head")  # fmt: skip
    rows = db.execute(f"SELECT {columns}, chain FROM cases").fetchall()
    indexes = ("case_units_by_case", "cases_by_opened", "cases_by_due_key", "cases_by_category",
               "cases_by_closed", "cases_by_unit", "cases_by_town", "cases_by_unit_id",
               "cases_by_unit_due", "cases_by_location")  # fmt: skip
    for name in indexes:
        db.execute(f"DROP INDEX {name}")
    db.execute("DROP TABLE case_units")
    for column in ("opened_utc", "due_key", "closed_at", "closed_utc", "assignees"):
        db.execute(f"ALTER TABLE cases DROP COLUMN {column}")
    for row in rows:
        db.execute("UPDATE cases SET checksum = ? WHERE id = ?",
                   (_row_sum(row[-1], _row_text(row[:-1])), row[0]))  # fmt: skip
    db.execute("PRAGMA user_version = 2")
    db.close()


def test_layout_2_files_are_refused_and_upgraded(tmp_path: Path) -> None:
    """Point 1: a layout 2 file is refused (see upgrade()); upgrade() copies it to layout 3."""
    old = tmp_path / "old.db"
    with SQLiteCaseStore(old, WORLD.engine) as store:
        _fill(store, WORLD)
        cases = list(store)
    _as_layout_2(old)
    with pytest.raises(StoreMismatchError, match="upgrade"):
        SQLiteCaseStore(old, WORLD.engine)
    assert SQLiteCaseStore.upgrade(old, tmp_path / "new.db", WORLD.engine) == 24
    with SQLiteCaseStore(tmp_path / "new.db", WORLD.engine) as new:
        assert list(new) == cases
        memory = MemoryCaseStore(WORLD.engine)
        for case in cases:
            memory.add(case)
        assert _all(new, RowQuery(order="due"), 7, T0) == _all(memory, RowQuery(order="due"), 7, T0)


def test_rows_follow_writes(tmp_path: Path) -> None:
    """Point 1: a command moves a case between lists; keyset pages do not shift."""
    with SQLiteCaseStore(tmp_path / "c.db", WORLD.engine) as store:
        _fill(store, WORLD)
        query = RowQuery(states="reported")
        first = store.rows(query, limit=1)
        case = store.get(first.items[0].id)
        store.apply(case.id, case.version, "accept", actor=WORLD["operator"],
                    at=case.last.at + HOUR)  # fmt: skip
        assert store.count(query) == 2
        rest = store.rows(query, limit=10, cursor=first.cursor)
        assert [r.id for r in rest.items] == [r.id for r in store.rows(query).items]
        row = store.rows(RowQuery(states="accepted", holder=WORLD.town), limit=50).items
        assert case.id in [r.id for r in row]


def test_joint_handling_inboxes(tmp_path: Path) -> None:
    """Point 1: a case dispatched to two units waits on the lead 主办 and the assisting 协办."""
    police, judicial = WORLD.station("police_station"), WORLD.station("judicial_office")
    memory = MemoryCaseStore(WORLD.engine)
    with SQLiteCaseStore(tmp_path / "c.db", WORLD.engine) as sqlite:
        for store in (memory, sqlite):
            store.open("event", case_id="J1", trigger="report", actor=WORLD["worker"],
                       at=T0, location_id=WORLD.grid, category="neighbours",
                       severity="larger")  # fmt: skip
            store.apply("J1", 0, "accept", actor=WORLD["operator"], at=T0 + HOUR)
            store.apply("J1", 1, "dispatch", actor=WORLD["operator"], at=T0 + 2 * HOUR,
                        units=(police, judicial))  # fmt: skip
        for unit in (police, judicial):
            assert memory.inbox(unit) == sqlite.inbox(unit)
        lead = sqlite.inbox(police).items
        assert [i.row.id for i in lead] == ["J1"]
        assert "sign" in lead[0].triggers
        assisting = sqlite.inbox(judicial).items
        assert all("sign" not in i.triggers for i in assisting)
        assert sqlite.rows(RowQuery(assignee=judicial)).items[0].assignees == (police, judicial)
