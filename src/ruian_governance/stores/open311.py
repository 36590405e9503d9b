"""Open311 GeoReport v2 ``GET requests`` answered from a store's rows.

:func:`open311_search` reads the query parameters of ``GET requests`` into an
:class:`Open311Search` (the ids asked for, or one :class:`~ruian_governance.stores.RowQuery`
per service code), refusing what the spec refuses with its errors
(:class:`~ruian_governance.errors.Open311Error`: 400, or 404 for an unknown service code or
jurisdiction).  :func:`open311_requests` answers the whole request from a store: the matching
cases as service requests (:func:`~ruian_governance.io.case_to_service_request`), newest first.

The parameters, as GeoReport v2 gives them:

- ``service_request_id``: ids separated by commas; it overrides every other parameter (ids no
  case has are left out);
- ``service_code``: codes separated by commas (each a category of the rules; none: every
  service);
- ``status``: ``open``, ``closed`` or both, separated by commas (none: both); a case is
  closed from the moment it reaches a closing state (办结) or a final one, as its service
  request says;
- ``start_date`` / ``end_date``: w3 date-times with their time zone (``Z`` or ``+08:00``),
  both included, a range of at most :data:`OPEN311_WINDOW` (90 days); without them the last
  90 days up to ``now``; with only one, the 90 days after ``start_date`` or before
  ``end_date`` (design choice: the spec's 90-day bound holds for every search);
- ``jurisdiction_id``: the city's id, or none; every other parameter (``api_key``, ...) is
  left to the server.

A parameter may be one text or a list of texts (a repeated parameter, joined by commas).

>>> from datetime import datetime
>>> from ruian_governance import CHINA_STANDARD_TIME, RULES_2021, generate_hierarchy
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
>>> now = datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME)
>>> search = open311_search({"service_code": "food_safety,petition", "status": "open"},
...                         hierarchy=h, rules=RULES_2021, now=now)
>>> [(q.category, q.opened_from.date().isoformat()) for q in search.queries]
[('food_safety', '2024-12-03'), ('petition', '2024-12-03')]
>>> open311_search({"status": "pending"}, hierarchy=h, rules=RULES_2021, now=now)
Traceback (most recent call last):
...
ruian_governance.errors.Open311Error: Open311 error 400: status: open, closed or both
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import ArgumentError, Open311Error, UnknownCategoryError
from ruian_governance.io.documents import STANDARD_REDACTION, Redaction
from ruian_governance.io.open311 import case_to_service_request, open311_jurisdiction
from ruian_governance.labels import Language
from ruian_governance.models import Hierarchy
from ruian_governance.routing import RoutingRules

from .base import CaseStore
from .queries import MAX_PAGE, Row, RowQuery

__all__ = [
    "OPEN311_WINDOW",
    "Open311Search",
    "open311_requests",
    "open311_search",
]

OPEN311_WINDOW = timedelta(days=90)
"""GeoReport v2: ``GET requests`` covers the last 90 days by default, and never more."""

_MAX_IDS = MAX_PAGE
"""The most ids one ``service_request_id`` may ask for (a page of requests)."""

_STATUSES = frozenset({"open", "closed"})


@attrs.frozen(kw_only=True, weakref_slot=False)
class Open311Search:
    """What a ``GET requests`` asks for: the ids given, or the queries of its filters.

    Args:
        ids: The ``service_request_id`` values, in the order given (empty: a search).
        queries: One row query per service code (one for every service without a code),
            newest first; empty when ``ids`` are given.
        statuses: The statuses asked for (``open``, ``closed`` or both): rows of another
            status are left out of the answer.
    """

    ids: tuple[str, ...]
    queries: tuple[RowQuery, ...]
    statuses: frozenset[str]


def _param(params: Mapping[str, Any], name: str) -> str:
    """A parameter as one text (a repeated one joined by commas), ``""`` when absent."""
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return ",".join(v.strip() for v in value)
    raise Open311Error(400, f"{name}: text expected")


def _list(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _w3_time(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 64 else None
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, f"{name}: a w3 date-time such as 2025-03-03T00:00:00Z")
    if moment.utcoffset() is None:
        raise Open311Error(400, f"{name}: give its time zone (Z or +08:00)")
    return moment


def _window(params: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    """The range of opening times asked for: its start, and the instant after its end."""
    start = _w3_time(_param(params, "start_date"), "start_date")
    end = _w3_time(_param(params, "end_date"), "end_date")
    try:
        if start is None:
            end = end or now
            start = end - OPEN311_WINDOW
        elif end is None:
            end = start + OPEN311_WINDOW
        before = end + timedelta(microseconds=1)  # end included
        start.astimezone(UTC), before.astimezone(UTC)  # both within the years 1 to 9999
    except OverflowError:
        raise Open311Error(400, "start_date and end_date: within the years 1 to 9999") from None
    if start > end or end - start > OPEN311_WINDOW:
        raise Open311Error(400, "start_date and end_date: a range of at most 90 days")
    return start, before


def open311_search(
    params: Mapping[str, Any], *, hierarchy: Hierarchy, rules: RoutingRules, now: datetime
) -> Open311Search:
    """Read the parameters of a GeoReport v2 ``GET requests`` into ids or row queries.

    Args:
        params: The query parameters (text, or a list of texts for a repeated one).
        hierarchy: The hierarchy served (its city is the jurisdiction).
        rules: The category table (the service codes).
        now: The server's time (timezone-aware): the end of the default window.

    Raises:
        Open311Error: 404 for another ``jurisdiction_id`` or an unknown ``service_code``; 400
            for a date that is not a w3 date-time with a time zone, a range of more than 90
            days or ending before it starts, an unknown status, more than 1,000 ids, a value
            that is not text.
        ArgumentError: ``params`` is not a mapping, or ``now`` not an aware datetime.
    """
    require_aware(now, "now")
    if not isinstance(params, Mapping):
        raise ArgumentError("params", params, "a mapping of the query parameters")  # noqa: EM101
    open311_jurisdiction(hierarchy, _param(params, "jurisdiction_id") or None)
    ids = _list(_param(params, "service_request_id"))
    if len(ids) > _MAX_IDS:
        raise Open311Error(400, f"service_request_id: at most {_MAX_IDS} ids")
    if ids:
        return Open311Search(ids=tuple(ids), queries=(), statuses=frozenset(_STATUSES))
    statuses = _list(_param(params, "status").lower()) or sorted(_STATUSES)
    if not set(statuses) <= _STATUSES:
        raise Open311Error(400, "status: open, closed or both")
    codes: list[str | None] = [*_list(_param(params, "service_code"))]
    for code in codes:
        try:
            rules.category(str(code))
        except UnknownCategoryError:
            raise Open311Error(404, f"service_code {str(code)[:60]!r} not found") from None
    start, before = _window(params, now)
    open_only = statuses == ["open"]  # closed ones are filtered by status (final states too)
    queries = tuple(
        RowQuery(
            category=code,
            closed=False if open_only else None,
            opened_from=start,
            opened_before=before,
            order="opened",
            descending=True,
        )
        for code in (codes or [None])  # no code: every service
    )
    return Open311Search(ids=(), queries=queries, statuses=frozenset(statuses))


def _status(store: CaseStore, row: Row) -> str:
    """The row's GeoReport v2 status: closed once it reached a closing or final state."""
    final = store.engine.lifecycle(row.lifecycle).final_states
    return "closed" if row.closed is not None or row.state in final else "open"


def _matching(store: CaseStore, query: RowQuery, search: Open311Search, limit: int) -> list[Row]:
    """The first ``limit`` rows of ``query`` whose status is asked for, page by page."""
    found: list[Row] = []
    cursor: str | None = None
    while True:
        page = store.rows(query, limit=limit, cursor=cursor)
        found += [row for row in page.items if _status(store, row) in search.statuses]
        cursor = page.cursor
        if len(found) >= limit or cursor is None:
            return found[:limit]


def open311_requests(  # noqa: PLR0913 - the store and parameters, then keyword-only settings
    store: CaseStore,
    params: Mapping[str, Any],
    *,
    rules: RoutingRules,
    now: datetime | None = None,
    language: Language = "zh",
    redaction: Redaction | None = STANDARD_REDACTION,
    limit: int = MAX_PAGE,
) -> list[dict[str, Any]]:
    """Answer a GeoReport v2 ``GET requests`` from ``store``: the service requests, newest first.

    Args:
        store: The cases (its engine's hierarchy is the jurisdiction served).
        params: The query parameters (see :func:`open311_search`).
        rules: The category table.
        now: The server's time (default: the store's clock's time).
        language: The language of names and notes.
        redaction: The public feed's redaction (see
            :func:`~ruian_governance.io.case_to_service_request`).
        limit: The most requests answered (1 to :data:`~ruian_governance.stores.MAX_PAGE`).

    Raises:
        Open311Error: As :func:`open311_search`.
        ArgumentError: No ``now`` and no clock, ``limit`` out of range.
    """
    if now is None:
        clock = store.clock
        if clock is None:
            raise ArgumentError("now", now, "the server's time, or a store with a clock")  # noqa: EM101
        now = clock.now()
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE:
        raise ArgumentError("limit", limit, f"a whole number from 1 to {MAX_PAGE}")  # noqa: EM101
    hierarchy = store.engine.hierarchy
    search = open311_search(params, hierarchy=hierarchy, rules=rules, now=now)
    if search.ids:
        cases = [store.get(i) for i in search.ids[:limit] if i in store]
    else:
        rows = [row for query in search.queries for row in _matching(store, query, search, limit)]
        rows.sort(key=lambda row: (row.opened, row.id), reverse=True)
        cases = [store.get(row.id) for row in rows[:limit]]
    return [
        case_to_service_request(
            case,
            hierarchy=hierarchy,
            rules=rules,
            lifecycle=store.engine.lifecycle(case.lifecycle),
            language=language,
            redaction=redaction,
        )
        for case in cases
    ]
