"""Issue 14 point 10 (finding 4): rows, inbox items and pages have a JSON form of their own.

The worked front end wrote each inbox item's dict by hand; ``Row``, ``InboxItem`` and ``Page``
now give ``to_json()``: the library converter's form (as in documents), valid against
``json_schema(Row)`` / ``json_schema(InboxItem)``, the same from both stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import jsonschema
import pytest

from ruian_governance import MemoryCaseStore, SQLiteCaseStore
from ruian_governance.io import json_schema
from ruian_governance.io.converter import structure
from ruian_governance.stores import CaseStore, InboxItem, Row, RowQuery
from store_kit import advance
from world import DAY, T0, build_world

WORLD = build_world()


@pytest.fixture(scope="module")
def stores() -> Iterator[tuple[CaseStore, CaseStore]]:
    """Six events at several steps in a memory store and an SQLite store."""
    memory = MemoryCaseStore(WORLD.engine)
    sqlite = SQLiteCaseStore(":memory:", WORLD.engine)
    for k in range(6):
        case = WORLD.engine.open(
            "event", case_id=f"E{k}", trigger="report", actor=WORLD["worker"],
            at=T0 + k * timedelta(hours=1), location_id=WORLD.grid, category="noise",
            severity="ordinary",
        )  # fmt: skip
        for _ in range(k):
            case = advance(WORLD, case)
        memory.add(case)
        sqlite.add(case)
    yield memory, sqlite
    sqlite.close()


def test_rows_and_pages_as_json(stores: tuple[CaseStore, CaseStore]) -> None:
    """Equal JSON from both stores, plain (json.dumps), valid against the schema, loads back."""
    memory, sqlite = stores
    now = T0 + 3 * DAY
    page = memory.rows(RowQuery(order="opened"), limit=4, now=now)
    document = page.to_json()
    assert document == sqlite.rows(RowQuery(order="opened"), limit=4, now=now).to_json()
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    assert isinstance(document["cursor"], str)
    schema = json_schema(Row)
    for row, item in zip(page.items, document["items"], strict=True):
        jsonschema.validate(item, schema)
        assert item["warning"] == row.warning.value if row.warning else item["warning"] is None
        assert item["opened"] == row.opened.isoformat()
        assert structure(item, Row) == row
    no_light = memory.rows(limit=1).to_json()["items"][0]
    assert no_light["warning"] is None
    jsonschema.validate(no_light, schema)


def test_inbox_items_as_json(stores: tuple[CaseStore, CaseStore]) -> None:
    """An inbox page: each item its row and triggers; the same from both stores."""
    memory, sqlite = stores
    room = WORLD.h.command_room_of(WORLD.town).id
    page = memory.inbox(room, now=T0 + DAY)
    document = page.to_json()
    assert document == sqlite.inbox(room, now=T0 + DAY).to_json()
    assert document["items"], "the room has cases waiting"
    schema = json_schema(InboxItem)
    for item, value in zip(document["items"], page.items, strict=True):
        jsonschema.validate(item, schema)
        assert item["triggers"] == list(value.triggers)
        assert item["row"]["id"] == value.row.id
        assert structure(item, InboxItem) == value
