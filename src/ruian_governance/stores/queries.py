"""What a front end asks a store: rows without history, filters, pages, counts and inboxes.

Both stores answer the same questions with the same values (the SQLite store from its
indexes): :class:`RowQuery` says which cases (every given filter must hold), :class:`Row` is
one case without its history, :class:`Page` a page of rows in a stable order with the opaque
cursor of the next page, and :class:`InboxItem` a row of a unit's inbox with the triggers the
unit may fire on it.

A cursor is checked when it comes back: it carries a keyed checksum and the digest of the
query it was made for, so an edited, truncated or foreign cursor (or one given with another
query or order) raises :class:`~ruian_governance.errors.InvalidCursorError` (HTTP 400), never
a wrong page.  Paging is keyset paging (design choice): a page starts after the last row of
the page before, so a case written meanwhile does not shift later pages.

>>> from datetime import datetime, timezone
>>> q = RowQuery(town="t0001", closed=False, order="opened")
>>> q.town, q.states, q.order
('t0001', (), 'opened')
>>> RowQuery(states="reported").states
('reported',)
>>> RowQuery(order="random")
Traceback (most recent call last):
...
ruian_governance.errors.ArgumentError: order='random': expected one of id, opened, due
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import (
    Any,
    Generic,
    Literal,
    Protocol,
    TypeAlias,
    TypeVar,
    cast,
    get_args,
    runtime_checkable,
)

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import ArgumentError, InvalidCursorError
from ruian_governance.lifecycles import Engine, Jurisdiction, WarningLevel, warning_level
from ruian_governance.models import Case

__all__ = [
    "MAX_PAGE",
    "CaseLists",
    "CountBy",
    "InboxItem",
    "Order",
    "Page",
    "Row",
    "RowQuery",
]

MAX_PAGE = 1000
"""The largest page a store returns (``limit``): a front end pages, it never asks for all."""

Order: TypeAlias = Literal["id", "opened", "due"]
"""The stable orders of a page: by case id, by opening time, by deadline (then by case id).

Cases without a deadline sort after every deadline (design choice)."""

CountBy: TypeAlias = Literal["lifecycle", "state", "holder", "town", "category", "severity"]
"""The columns :meth:`counts` groups by."""


# --------------------------------------------------------------------------- rows


@attrs.frozen(kw_only=True, weakref_slot=False)
class Row:
    """One case as a list shows it, without its history (a store reads no history for it).

    Args:
        id: The case id.
        lifecycle: Its lifecycle's key.
        state: Its state's key.
        holder: The administrative unit holding it (:attr:`Case.unit_id`).
        assignees: The units it is assigned to (stations, departments).
        location: The administrative unit the matter is in (事发地).
        town: The town of its holder (``None``: held by the city).
        category: Its category key.
        severity: Its severity tier key, or ``None`` before triage.
        opened: When it was opened.
        due: When it falls due, or ``None``.
        closed: When it first entered a closing state (办结 / 销号), or ``None``.
        version: Its version, the ``expected_version`` of the next command.
        warning: The warning light 亮灯预警 at the query's ``now``
            (:func:`~ruian_governance.lifecycles.warning_level`: none, green, yellow, red,
            overdue), or ``None`` without a ``now``.
    """

    id: str
    lifecycle: str
    state: str
    holder: str
    assignees: tuple[str, ...]
    location: str
    town: str | None
    category: str
    severity: str | None
    opened: datetime
    due: datetime | None
    closed: datetime | None
    version: int
    warning: WarningLevel | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class InboxItem:
    """A case waiting for a unit's action (a :class:`Row`) and the triggers the unit may fire.

    ``triggers`` are the triggers a post of the unit (or the given role) may fire in the case's
    state on the unit's side of the case (holder, assignee or location), in definition order;
    data and guards are the command's (:func:`~ruian_governance.why_not` says which refuses).
    """

    row: Row
    triggers: tuple[str, ...]


_R = TypeVar("_R", Row, InboxItem)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Page(Generic[_R]):
    """A page of rows in the query's order, and the cursor of the next page (``None``: last).

    Give ``cursor`` back with the same query and order to read the next page.
    """

    items: tuple[_R, ...]
    cursor: str | None


def _light(engine: Engine, case: Case, now: datetime | None) -> WarningLevel | None:
    """The light of ``case`` at ``now`` (:func:`~ruian_governance.lifecycles.warning_level`)."""
    if now is None:
        return None
    return warning_level(case, now, engine.lifecycle(case.lifecycle))


def _utc(moment: datetime) -> str:
    """A fixed-width UTC ISO 8601 text that sorts in time order (years 1-9999)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


_NO_DUE = "~"
"""The sort key of a case without a deadline: after every UTC time text."""


def _sort_key(row: Row, order: Order) -> tuple[str, ...]:
    """The key of ``row`` in ``order``: the same text tuples in both stores."""
    if order == "opened":
        return (_utc(row.opened), row.id)
    if order == "due":
        return (_NO_DUE if row.due is None else _utc(row.due), row.id)
    return (row.id,)


class _Meanings:
    """What the stores read from the definitions for rows: closing states, running deadlines."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._closing: dict[str, frozenset[str]] = {}

    def closing(self, lifecycle: str) -> frozenset[str]:
        try:
            return self._closing[lifecycle]
        except KeyError:
            definition = self._engine.lifecycle(lifecycle)
            found = frozenset(s.key for s in definition.states if s.closing)
            self._closing[lifecycle] = found
            return found

    def closed_at(self, case: Case) -> datetime | None:
        """When ``case`` first entered a closing state, or ``None`` (as the analysis counts)."""
        closing = self.closing(case.lifecycle)
        if case.state not in closing and not any(r.dest in closing for r in case.history):
            return None
        return next(r.at for r in case.history if r.dest in closing)


# --------------------------------------------------------------------------- queries


def _optional_text(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not str or not value):
        raise ArgumentError(attribute.name, value, "a non-empty text (str) or None")


def _optional_flag(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and type(value) is not bool:
        raise ArgumentError(attribute.name, value, "True, False or None")


def _flag(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not bool:
        raise ArgumentError(attribute.name, value, "True or False")


def _optional_time(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        require_aware(value, attribute.name)


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, (tuple, list, frozenset, set)) and all(
        type(v) is str and v for v in value
    ):
        return tuple(sorted(set(value)))
    raise ArgumentError("states", value, "a state key or a collection of state keys")  # noqa: EM101


def _order(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in get_args(Order) or type(value) is not str:
        raise ArgumentError(attribute.name, value, "one of " + ", ".join(get_args(Order)))


@attrs.frozen(kw_only=True, weakref_slot=False)
class RowQuery:
    """Which cases a list shows, and in which order: every filter given must hold.

    Times are half-open ranges (``*_from`` included, ``*_before`` excluded), compared as
    instants whatever their time zones.

    Args:
        lifecycle: Only cases of this lifecycle.
        states: Only cases in one of these states (a key or a collection; empty: any).
        holder: Only cases held by this unit.
        assignee: Only cases assigned to this unit.
        town: Only cases whose holder is this town or a unit under it.
        category: Only cases of this category.
        severity: Only cases of this severity tier.
        closed: ``True``: only closed cases (办结); ``False``: only open ones.
        opened_from, opened_before: Range of opening times.
        due_from, due_before: Range of deadlines (a case without one is outside any range).
        closed_from, closed_before: Range of closing times.
        order: ``"id"``, ``"opened"`` or ``"due"`` (then by id: a total, stable order).
        descending: Newest (or last) first.

    Raises:
        ArgumentError: A filter of the wrong type (a number for a text, a naive time, ...).
    """

    lifecycle: str | None = attrs.field(default=None, validator=_optional_text)
    states: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    holder: str | None = attrs.field(default=None, validator=_optional_text)
    assignee: str | None = attrs.field(default=None, validator=_optional_text)
    town: str | None = attrs.field(default=None, validator=_optional_text)
    category: str | None = attrs.field(default=None, validator=_optional_text)
    severity: str | None = attrs.field(default=None, validator=_optional_text)
    closed: bool | None = attrs.field(default=None, validator=_optional_flag)
    opened_from: datetime | None = attrs.field(default=None, validator=_optional_time)
    opened_before: datetime | None = attrs.field(default=None, validator=_optional_time)
    due_from: datetime | None = attrs.field(default=None, validator=_optional_time)
    due_before: datetime | None = attrs.field(default=None, validator=_optional_time)
    closed_from: datetime | None = attrs.field(default=None, validator=_optional_time)
    closed_before: datetime | None = attrs.field(default=None, validator=_optional_time)
    order: Order = attrs.field(default="id", validator=_order)
    descending: bool = attrs.field(default=False, validator=_flag)

    def matches(self, row: Row) -> bool:
        """Whether ``row`` passes every filter (the memory store's reading of the query)."""
        for name in ("lifecycle", "holder", "town", "category", "severity"):
            wanted = getattr(self, name)
            if wanted is not None and getattr(row, name) != wanted:
                return False
        if self.states and row.state not in self.states:
            return False
        if self.assignee is not None and self.assignee not in row.assignees:
            return False
        if self.closed is not None and (row.closed is not None) != self.closed:
            return False
        return all(
            _within(
                getattr(row, name), getattr(self, f"{name}_from"), getattr(self, f"{name}_before")
            )
            for name in ("opened", "due", "closed")
        )

    def digest(self) -> str:
        """A short digest of the query (its filters and order): a cursor names its query.

        >>> RowQuery(town="t1").digest() == RowQuery(town="t1").digest() != RowQuery().digest()
        True
        """
        fields = {
            name: _utc(value) if isinstance(value, datetime) else value
            for name, value in attrs.asdict(self).items()
        }
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _within(value: datetime | None, start: datetime | None, before: datetime | None) -> bool:
    if start is None and before is None:
        return True
    if value is None:
        return False
    return (start is None or value >= start) and (before is None or value < before)


def _query(query: object) -> RowQuery:
    if query is None:
        return RowQuery()
    if not isinstance(query, RowQuery):
        raise ArgumentError("query", query, "a RowQuery or None")  # noqa: EM101 - a name
    return query


def _limit(limit: object) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE:
        expected = f"a whole number from 1 to {MAX_PAGE}"
        raise ArgumentError("limit", limit, expected)  # noqa: EM101 - a name
    return limit


def _now(now: object, clock_now: datetime | None) -> datetime | None:
    if now is None:
        return clock_now
    return require_aware(now, "now")


def _count_by(by: object) -> CountBy:
    if type(by) is not str or by not in get_args(CountBy):
        raise ArgumentError("by", by, "one of " + ", ".join(get_args(CountBy)))  # noqa: EM101
    return cast("CountBy", by)


# --------------------------------------------------------------------------- cursors

_CURSOR_KEY = b"ruian_governance page cursor 1"
"""The key of a cursor's checksum: it detects edits (a cursor holds no secret, design choice)."""


def _mac(body: bytes) -> str:
    digest = hmac.new(_CURSOR_KEY, body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _cursor(query: RowQuery, scope: str, key: tuple[str, ...]) -> str:
    """The opaque cursor after the row of ``key`` for ``query`` in ``scope`` (rows, an inbox)."""
    payload = {"q": query.digest(), "s": scope, "k": list(key)}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    body = base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=")
    return f"{body.decode('ascii')}.{_mac(body)}"


def _after(cursor: object, query: RowQuery, scope: str) -> tuple[str, ...] | None:
    """The key a cursor continues after, once its checksum and query check (``None``: start).

    Raises:
        InvalidCursorError: Not a cursor this library made for ``query`` and ``scope``.
    """
    if cursor is None:
        return None
    if type(cursor) is not str or len(cursor) > 4096 or cursor.count(".") != 1:
        raise InvalidCursorError(cursor, "not a cursor of this library")
    body, mac = cursor.split(".")
    try:
        raw = body.encode("ascii")
        if not hmac.compare_digest(_mac(raw), mac):
            raise InvalidCursorError(cursor, "its checksum fails (edited or forged)")
        payload = json.loads(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)))
    except (UnicodeEncodeError, binascii.Error, ValueError) as error:
        if isinstance(error, InvalidCursorError):
            raise
        raise InvalidCursorError(cursor, "not a cursor of this library") from None
    if not isinstance(payload, dict) or payload.get("q") != query.digest():
        raise InvalidCursorError(cursor, "made for another query or order")
    key = payload.get("k")
    width = 1 if query.order == "id" else 2
    if payload.get("s") != scope or not isinstance(key, list) or len(key) != width:
        raise InvalidCursorError(cursor, "made for another list")
    if not all(type(part) is str for part in key):
        raise InvalidCursorError(cursor, "not a cursor of this library")
    return tuple(key)


def _paged(  # noqa: PLR0913, PLR0917 - private, one caller each store
    items: Iterable[_R], query: RowQuery, scope: str, cursor: object, limit: object,
    row_of: Any = lambda item: item,
) -> Page[_R]:  # fmt: skip
    """The page of ``items`` (already filtered) after ``cursor``: the memory store's paging."""
    count = _limit(limit)
    after = _after(cursor, query, scope)
    order = query.order
    keyed = sorted(((_sort_key(row_of(i), order), i) for i in items),
                   key=lambda pair: pair[0], reverse=query.descending)  # fmt: skip
    if after is not None:
        keyed = [(k, i) for k, i in keyed if (k < after if query.descending else k > after)]
    taken = keyed[:count]
    more = len(keyed) > count
    next_cursor = _cursor(query, scope, taken[-1][0]) if more else None
    return Page(items=tuple(i for _, i in taken), cursor=next_cursor)


def _counted(values: Iterable[str | None]) -> dict[str | None, int]:
    """Counts by value, in key order (``None`` last)."""
    counts: dict[str | None, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or "")))


# --------------------------------------------------------------------------- the protocol


@runtime_checkable
class CaseLists(Protocol):
    """What a front end lists: the part of :class:`~ruian_governance.stores.CaseStore` for lists.

    Both stores answer with equal values and equal cursors.  ``now`` (default: the store's
    clock's time, else no warning lights) sets each row's :attr:`Row.warning`.
    """

    def rows(
        self, query: RowQuery | None = None, *, limit: int = 50, cursor: str | None = None,
        now: datetime | None = None,
    ) -> Page[Row]:  # fmt: skip
        """A page of at most ``limit`` rows matching ``query``, after ``cursor``, in its order.

        Raises:
            ArgumentError: ``query`` is not a :class:`RowQuery`, ``limit`` not a whole number
                from 1 to :data:`MAX_PAGE`, ``now`` not an aware datetime.
            InvalidCursorError: ``cursor`` is not one this library made for this query.
        """
        ...

    def inbox(  # noqa: PLR0913 - the unit, then keyword-only settings
        self, unit_id: str, *, role: str | None = None, query: RowQuery | None = None,
        limit: int = 50, cursor: str | None = None, now: datetime | None = None,
    ) -> Page[InboxItem]:  # fmt: skip
        """The cases waiting for ``unit_id``'s action (待办), as :meth:`rows` pages them.

        A case waits for a unit when the unit holds it or is among its assignees and a post of
        the unit (with ``role``: that role) may fire a trigger in its state; each item names
        those triggers.

        Raises:
            UnknownIdError: No unit or organisation has this id.
            ArgumentError, InvalidCursorError: As for :meth:`rows`.
        """
        ...

    def count(self, query: RowQuery | None = None) -> int:
        """How many cases match ``query``.

        Raises:
            ArgumentError: ``query`` is not a :class:`RowQuery`.
        """
        ...

    def counts(self, by: CountBy, query: RowQuery | None = None) -> dict[str | None, int]:
        """How many cases match ``query`` for each value of one column, in key order.

        Raises:
            ArgumentError: ``by`` is not one of :data:`CountBy`, or ``query`` not a query.
        """
        ...


# --------------------------------------------------------------------------- inboxes


_SIDES = {
    Jurisdiction.HOLDER: "held",
    Jurisdiction.HOLDER_OR_ABOVE: "held",
    Jurisdiction.ASSIGNED: "assigned",
    Jurisdiction.LEAD: "lead",
    Jurisdiction.ASSISTING: "assisting",
    Jurisdiction.LOCATION: "located",
}
"""Which side of a case a trigger waits on, by its jurisdiction (design choice): the holder's
unit (or an organisation acting for it), an assignee (any, the lead 主办 or an assisting one 协办),
or the unit of the case's location.
Triggers of other jurisdictions (anywhere, the town, the city) wait on no one's inbox."""


@attrs.frozen
class _Inbox:
    """A unit's inbox: the unit, its administrative unit, and the triggers waiting on each side.

    Each side maps ``(lifecycle, state)`` to the triggers the unit's roles fire there.
    """

    unit: str
    admin: str
    sides: Mapping[str, Mapping[tuple[str, str], tuple[str, ...]]]

    def triggers(self, row: Row) -> tuple[str, ...]:
        """The triggers waiting on the unit in ``row`` (empty: not in the inbox)."""
        key = (row.lifecycle, row.state)
        found: list[str] = []
        for side, applies in (
            ("held", row.holder in (self.unit, self.admin)),
            ("assigned", self.unit in row.assignees),
            ("lead", row.assignees[:1] == (self.unit,)),
            ("assisting", self.unit in row.assignees[1:]),
            ("located", row.location == self.unit),
        ):
            if applies:
                found.extend(t for t in self.sides[side].get(key, ()) if t not in found)
        return tuple(found)


def _inbox_scope(engine: Engine, unit_id: object, role: object) -> _Inbox:
    """The inbox of ``unit_id``: what its posts' roles (or only ``role``) fire, on each side.

    Raises:
        ArgumentError: ``unit_id`` or ``role`` is not a text.
        UnknownIdError: No unit or organisation has this id.
    """
    if type(unit_id) is not str:
        raise ArgumentError("unit_id", unit_id, "a unit id (str)")  # noqa: EM101 - a name
    if role is not None and type(role) is not str:
        raise ArgumentError("role", role, "a role key (str) or None")  # noqa: EM101 - a name
    hierarchy = engine.hierarchy
    people = hierarchy.people_of(unit_id)
    roles = (
        {role}
        if role is not None
        else {post.role for p in people for post in p.posts if post.unit_id == unit_id}
    )
    sides: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
        "held": {}, "assigned": {}, "lead": {}, "assisting": {}, "located": {}
    }  # fmt: skip
    for key, definition in sorted(engine.lifecycles.items()):
        for state in definition.states:
            for trigger, transition in definition.transitions_from(state.key):
                side = _SIDES.get(transition.jurisdiction)
                if side is not None and transition.roles & roles:
                    found = sides[side].get((key, state.key), ())
                    sides[side][key, state.key] = (*found, trigger)
    return _Inbox(unit_id, hierarchy.admin_unit_of(unit_id), sides)
