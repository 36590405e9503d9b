"""Case stores: cases and their append-only history, in memory or durably in SQLite.

A store keeps the latest version of every case and every history record it ever had.  Both
implementations share one interface, :class:`CaseStore` (in :mod:`.base`):

- :class:`MemoryCaseStore` (:mod:`.memory`) keeps cases in a dictionary (for tests and short
  runs);
- :class:`SQLiteCaseStore` (:mod:`.sqlite`) keeps them in an SQLite database (standard library
  ``sqlite3``, write-ahead log, one transaction per stored command).

Every write goes through the rules: :meth:`CaseStore.add` stores a case only once
:meth:`Engine.verify <ruian_governance.Engine.verify>` accepts its whole history, and
:meth:`CaseStore.save` only a case that keeps the stored records and adds legal commands.
A store file records the :func:`fingerprint` of the definitions it was written with.

Lists (:mod:`.queries`): ``store.rows(RowQuery(...), limit=..., cursor=...)`` gives a
:class:`Page` of :class:`Row` values (no history) in a stable order, ``store.inbox(unit_id)``
the cases waiting for a unit's action, ``store.count`` and ``store.counts`` how many.

Writes use optimistic concurrency on the case version: :meth:`CaseStore.save` stores a new
version only if the stored one is still ``expected_version``; otherwise it raises
:class:`~ruian_governance.ConflictError` and writes nothing.  :meth:`CaseStore.apply` reads a
case, runs a command through the store's :class:`~ruian_governance.Engine` and saves the result,
and tells the store's indexes (:class:`~ruian_governance.models.CaseIndex` objects such as the
:class:`~ruian_governance.analysis.SimilarCaseLibrary`) of the stored case.

>>> from datetime import datetime, timedelta
>>> from ruian_governance import (CHINA_STANDARD_TIME, Actor, Level, SQLiteCaseStore,
...     builtin_engine, generate_hierarchy)
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
>>> grid = h.units_at(Level.GRID)[0]
>>> worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
>>> room = h.command_room_of(h.towns[0].id)
>>> operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
>>> t0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
>>> with SQLiteCaseStore(":memory:", builtin_engine(h)) as store:
...     case = store.open("event", case_id="E1", trigger="report", actor=worker, at=t0,
...                       location_id=grid.id, category="noise", severity="ordinary")
...     case = store.apply("E1", 0, "accept", actor=operator, at=t0 + timedelta(hours=1))
...     print(store.get("E1").state, store.get("E1").version, len(store.history("E1")))
accepted 1 2
"""

from __future__ import annotations

from ._batch import CaseBatch
from .base import STORE_SCHEMA_VERSION, CaseStore, fingerprint
from .memory import MemoryCaseStore
from .open311 import OPEN311_WINDOW, Open311Search, open311_requests, open311_search
from .queries import (
    MAX_PAGE,
    CaseLists,
    CountBy,
    InboxItem,
    Order,
    Page,
    Row,
    RowQuery,
)
from .sqlite import SQLiteCaseStore, Synchronous

__all__ = [
    "MAX_PAGE",
    "OPEN311_WINDOW",
    "STORE_SCHEMA_VERSION",
    "CaseBatch",
    "CaseLists",
    "CaseStore",
    "CountBy",
    "InboxItem",
    "MemoryCaseStore",
    "Open311Search",
    "Order",
    "Page",
    "Row",
    "RowQuery",
    "SQLiteCaseStore",
    "Synchronous",
    "fingerprint",
    "open311_requests",
    "open311_search",
]
