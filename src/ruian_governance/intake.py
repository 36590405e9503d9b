"""One-call intake 受理: open a stored case from a report, a route or a posted Open311 request.

:func:`intake` reads an Open311 ``POST requests`` form into a report
(:func:`~ruian_governance.io.open311.report_from_service_request`), routes a report
(:class:`~ruian_governance.Router`), and has the command room of the route's town register the
case 登记 (the event lifecycle's ``register`` opening, channel ``open311`` for a posted request)
in the store, all at the store clock's time unless ``at`` is given.  The route decides the
registering room: a town's matter is registered by that town's command room (Rui'an practice:
the town's 基层治理指挥室 receives every channel's matter, ``docs/routing.md``).

Case ids are the caller's (``case_id=``) or made by :class:`CaseIds`: sortable by time (the
command's UTC time, to the microsecond, then a counter) and deterministic (the caller's seed,
never a random source), so a simulation or a test run twice gives the same ids.

This module sits above the stores (``intake`` beside ``sim`` in the layers): it needs the
routing, the lifecycles, :mod:`~ruian_governance.io.open311` and a store.

>>> from datetime import datetime
>>> from ruian_governance import (CHINA_STANDARD_TIME, RULES_2021, FixedClock,
...     MemoryCaseStore, builtin_engine, ruian_preset)
>>> h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                  micro_grid_workers=0)
>>> clock = FixedClock(at=datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME))
>>> store = MemoryCaseStore(builtin_engine(h), clock=clock)
>>> ids = CaseIds(seed=7, prefix="RA")
>>> grid = h.towns[0].id + ".v001.g01"
>>> form = {"service_code": "environmental_pollution", "address_id": grid,
...         "description": "夜间施工噪音"}
>>> taken = intake(store, form, rules=RULES_2021, ids=ids)
>>> taken.case.id, taken.case.state, taken.case.history[0].trigger
('RA20250303010000000000-0000-...', 'reported', 'register')
>>> taken.route.town_id == h.towns[0].id, taken.report.description
(True, '夜间施工噪音')
>>> ids.next(clock.now()) > taken.case.id  # later ids sort later
True
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import ArgumentError, CaseStoreError, UnknownIdError
from ruian_governance.io.open311 import report_from_service_request
from ruian_governance.labels import check_identifier
from ruian_governance.models import Actor, Case
from ruian_governance.routing import Report, Route, Router, RoutingRules
from ruian_governance.stores import CaseStore

__all__ = ["CaseIds", "Intake", "intake"]


class CaseIds:
    """Case ids, sortable by time and deterministic: ``prefix`` + UTC time + counter + seed mark.

    ``next(at)`` gives ``{prefix}{YYYYMMDDhhmmssffffff}-{counter:04d}-{mark}``: the time of the
    command in UTC to the microsecond, a counter of the ids this maker gave (so ids of one
    instant stay in order and distinct) and eight hex digits of sha256 of the seed and the
    counter (so two makers with other seeds do not collide).  Safe to share between threads.

    Args:
        seed: The caller's seed (an ``int`` or a text): the same seed gives the same ids.
        prefix: The start of every id (an id itself, e.g. ``"E"`` or a platform code).

    Raises:
        ArgumentError: ``seed`` is not an int or text, or ``prefix`` not an id.

    >>> from datetime import datetime, timezone
    >>> ids = CaseIds(seed=1)
    >>> at = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
    >>> first, second = ids.next(at), ids.next(at)
    >>> first, first < second, CaseIds(seed=1).next(at) == first
    ('E20250303010000000000-0000-ee3d96c3', True, True)
    """

    def __init__(self, *, seed: int | str, prefix: str = "E") -> None:
        if type(seed) not in (int, str):
            raise ArgumentError("seed", seed, "an int or a text")  # noqa: EM101 - a name
        self._seed = str(seed)
        self._prefix = check_identifier(prefix, "prefix")
        self._count = 0
        self._lock = threading.Lock()

    def next(self, at: datetime) -> str:
        """The next id, for a case opened at ``at`` (timezone-aware).

        Raises:
            ArgumentError: ``at`` is not a timezone-aware datetime.
        """
        moment = require_aware(at, "at").astimezone(UTC)
        with self._lock:
            count = self._count
            self._count += 1
        mark = hashlib.sha256(f"{self._seed}\0{count}".encode()).hexdigest()[:8]
        return f"{self._prefix}{moment:%Y%m%d%H%M%S%f}-{count:04d}-{mark}"


@attrs.frozen(kw_only=True, weakref_slot=False)
class Intake:
    """What :func:`intake` did: the stored case, the route it took, the report it read.

    ``report`` is ``None`` when a route was given.
    """

    case: Case
    route: Route
    report: Report | None


def _time(store: CaseStore, at: object) -> datetime:
    if at is not None:
        return require_aware(at, "at")
    clock = store.clock
    if clock is None:
        raise CaseStoreError(None, "give the intake's time (at=...) or a store with a clock")
    return clock.now()


def _registrar(store: CaseStore, route: Route) -> Actor:
    """The command room operator who registers a matter of ``route``'s town (the first)."""
    hierarchy = store.engine.hierarchy
    room = hierarchy.command_room_of(route.town_id)
    people = hierarchy.people_of(room.id, role="command_room_operator")
    if not people:
        post = f"{room.id}/command_room_operator"
        raise UnknownIdError(post, "the command room's posts")
    return Actor(person_id=people[0].id, role="command_room_operator", unit_id=room.id)


def intake(  # noqa: PLR0913 - the source, then keyword-only settings
    store: CaseStore,
    source: Report | Route | Mapping[str, Any],
    *,
    rules: RoutingRules | None = None,
    router: Router | None = None,
    ids: CaseIds | None = None,
    case_id: str | None = None,
    actor: Actor | None = None,
    at: datetime | None = None,
    lifecycle: str = "event",
) -> Intake:
    """Open a stored case from a report, a route or a posted Open311 form, in one call.

    A form (a mapping of the posted fields) is read into a report whose id is the case's; a
    report is routed with ``router`` (or a router of ``rules`` over the store's hierarchy); a
    route is taken as it is.  The case is registered (``register``, 登记) in ``lifecycle`` at
    the route's origin, with the route's category and severity, by ``actor`` or else the first
    command room operator of the route's town, with the report's description and, for a form,
    channel ``open311``.  All checks run before anything is stored; a refusal stores nothing.

    Args:
        store: Where the case is stored (its engine runs the opening, its clock tells the time).
        source: A :class:`~ruian_governance.Report`, a :class:`~ruian_governance.Route`, or the
            fields of an Open311 ``POST requests``.
        rules: The routing rules (needed for a form, and for a report without ``router``).
        router: A prebuilt router (faster for many reports).
        ids: Makes the case id when ``case_id`` is not given.
        case_id: The caller's own case id.
        actor: Who registers it (default: the route's town's first command room operator).
        at: When (default: the store's clock's time).
        lifecycle: The lifecycle opened (one whose ``register`` opening takes a description).

    Raises:
        ArgumentError: No ``case_id`` and no ``ids``; no ``rules`` or ``router`` where one is
            needed; a source of another type; ``at`` naive.
        Open311Error: The form is not a request this city takes (see
            :func:`~ruian_governance.io.open311.report_from_service_request`).
        RouteError: The report cannot be routed.
        CaseStoreError: No ``at`` and no clock; ConflictError: the case id is taken.
        TransitionError: The opening was refused (nothing was stored).
    """
    if not isinstance(store, CaseStore):
        raise ArgumentError("store", store, "a CaseStore")  # noqa: EM101 - a name
    when = _time(store, at)
    if case_id is None:
        if not isinstance(ids, CaseIds):
            raise ArgumentError("ids", ids, "a CaseIds (or give case_id=...)")  # noqa: EM101
        case_id = ids.next(when)
    check_identifier(case_id, "case_id")
    hierarchy = store.engine.hierarchy
    report: Report | None = None
    channel: dict[str, str] = {}
    if isinstance(source, Mapping):
        if not isinstance(rules, RoutingRules):
            raise ArgumentError("rules", rules, "the RoutingRules a form is read with")  # noqa: EM101
        report = report_from_service_request(
            source, hierarchy=hierarchy, rules=rules, request_id=case_id, at=when
        )
        channel = {"channel": "open311"}
    elif isinstance(source, Report):
        report = source
    elif not isinstance(source, Route):
        raise ArgumentError("source", source, "a Report, a Route or a posted form")  # noqa: EM101
    if report is not None:
        if router is None:
            if not isinstance(rules, RoutingRules):
                raise ArgumentError("rules", rules, "RoutingRules or a router")  # noqa: EM101
            router = Router(hierarchy, rules)
        elif not isinstance(router, Router):
            raise ArgumentError("router", router, "a Router or None")  # noqa: EM101 - a name
        route = router(report)
    else:
        route = cast("Route", source)  # checked above
    description = {"description": report.description} if report and report.description else {}
    case = store.open(
        lifecycle,
        case_id=case_id,
        trigger="register",
        actor=actor if actor is not None else _registrar(store, route),
        at=when,
        location_id=route.origin,
        category=route.category,
        severity=route.severity.value,
        **description,
        **channel,
    )
    return Intake(case=case, route=route, report=report)
