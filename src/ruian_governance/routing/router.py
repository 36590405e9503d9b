"""The router: from a grid's report to the units that must act, and up the ladder.

:class:`Router` precomputes every decision for a hierarchy and a category table, so routing a
:class:`~ruian_governance.routing.Report` costs a few dictionary look-ups; :func:`route` routes
one report.  A :class:`Route` is the ordered hand-offs (:class:`Hop`) from the grid to the units
that act; :func:`escalation_path` is the way up from any unit to the city centre.

>>> from ruian_governance import RULES_2021, Report, SeverityTier, generate_hierarchy, route
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=1)
>>> report = Report(id="r1", grid_id="t0001.v001.g01", category="food_safety")
>>> [(hop.target, hop.kind.value) for hop in route(h, RULES_2021, report).hops]
[('t0001.command_room', 'report'), ('t0001.station.market_supervision_office', 'dispatch')]
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import networkx as nx  # type: ignore[import-untyped, unused-ignore]  # types-networkx (dev)

from ruian_governance.errors import (
    ArgumentError,
    NoDepartmentError,
    NoStationError,
    RouteError,
    UnknownCategoryError,
    UnknownIdError,
)
from ruian_governance.models import Hierarchy, Level, UnitKind

from .graph import EdgeKind, routing_graph
from .rules import Category, Report, RoutingRules, SeverityTier, _tier, check_rules

__all__ = ["Hop", "Route", "Router", "escalation_path", "route"]


# --------------------------------------------------------------------------- hops and routes


def _edge_kind(value: EdgeKind | str) -> EdgeKind:
    # The converter of Hop.kind: one small typed function per enum field (see _convert).
    return EdgeKind.parse(value, "kind")


@attrs.frozen(kw_only=True)
class Hop:
    """One hand-off of a route: an edge of the routing graph and who acts where it arrives.

    Args:
        source: The unit handing the matter on.
        target: The unit receiving it.
        kind: The kind of hand-off (the edge kind).
        role: The key of the role that acts at ``target`` (e.g. ``"station_officer"``).
    """

    source: str
    target: str
    kind: EdgeKind = attrs.field(converter=_edge_kind)
    role: str


@attrs.frozen(kw_only=True)
class Route:
    """Where a report goes: its origin and the ordered hand-offs to the units that act.

    Hops are in pre-order: a larger report fans out from the command room to several platforms
    and from each platform to its stations, so a hop's ``source`` is not always the previous
    hop's ``target``; it is always a unit the route has already reached.

    Args:
        report_id: The routed report.
        category: Its category key.
        severity: The tier it was routed at.
        origin: The unit it was reported in (a grid or a micro-grid).
        origin_role: The role reporting there (``grid_worker`` or ``micro_grid_worker``).
        grid_id: The grid it was reported in.
        town_id: That grid's town (the jurisdiction).
        hops: The hand-offs, in order.
    """

    report_id: str
    category: str
    severity: SeverityTier = attrs.field(converter=_tier)
    origin: str
    origin_role: str
    grid_id: str
    town_id: str
    hops: tuple[Hop, ...]

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit on the route, origin first, each once, in the order reached."""
        return (self.origin, *(hop.target for hop in self.hops))

    @property
    def handlers(self) -> tuple[str, ...]:
        """The units that act on the matter: the route's leaves (stations, departments...)."""
        sources = {hop.source for hop in self.hops}
        return tuple(hop.target for hop in self.hops if hop.target not in sources)

    @property
    def escalated(self) -> bool:
        """Whether the route leaves the town by an escalate edge."""
        return any(hop.kind is EdgeKind.ESCALATE for hop in self.hops)


# --------------------------------------------------------------------------- escalation


_FORWARD_ROLE = {
    UnitKind.MICRO_GRID: "micro_grid_worker",
    UnitKind.GRID: "grid_worker",
    UnitKind.VILLAGE: "village_cadre",
    UnitKind.COMMAND_ROOM: "command_room_operator",
    UnitKind.PLATFORM: "command_room_operator",
    UnitKind.STATION: "station_officer",
    UnitKind.CENTRE: "centre_officer",
    UnitKind.DEPARTMENT: "department_officer",
}
"""The role that acts at a unit of each kind when a matter arrives there."""


def escalation_path(hierarchy: Hierarchy, unit_id: str) -> tuple[Hop, ...]:
    """Return the escalation path of a unit: the hops up the ladder to the city centre.

    A micro-grid escalates to its grid, a grid to its village, a village to its town's command
    room, the command room to the centre (自下而上、逐级消化).  A station goes back to its
    command room by a return edge, a platform by a feedback edge, a department by a feedback
    edge to the centre; the centre's path is empty.

    Raises:
        UnknownIdError: ``unit_id`` is not a node of the routing graph (a town, the city, a
            person, or nothing).

    >>> from ruian_governance import generate_hierarchy
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=1)
    >>> [hop.target for hop in escalation_path(h, "t0001.v001.g01.m01")]
    ['t0001.v001.g01', 't0001.v001', 't0001.command_room', 'city.centre']
    """
    node = hierarchy.node(unit_id)
    centre = hierarchy.centre.id
    officer = _FORWARD_ROLE[UnitKind.CENTRE]
    kind = node.kind
    if kind is UnitKind.CENTRE:
        return ()
    if kind is UnitKind.DEPARTMENT:
        return (Hop(source=unit_id, target=centre, kind=EdgeKind.FEEDBACK, role=officer),)
    if kind in (UnitKind.CITY, UnitKind.TOWN):
        raise UnknownIdError(unit_id, "the routing graph's units (towns and the city are areas)")
    town = hierarchy.town_of(unit_id)
    assert town is not None  # every unit below the city has a town
    room = hierarchy.command_room_of(town.id).id
    operator = _FORWARD_ROLE[UnitKind.COMMAND_ROOM]
    hops: list[Hop] = []
    if kind is UnitKind.STATION:
        hops.append(Hop(source=unit_id, target=room, kind=EdgeKind.RETURN, role=operator))
    elif kind is UnitKind.PLATFORM:
        hops.append(Hop(source=unit_id, target=room, kind=EdgeKind.FEEDBACK, role=operator))
    elif kind is not UnitKind.COMMAND_ROOM:
        current = unit_id
        parent = hierarchy.parent(current)
        while parent is not None and parent.level is not Level.TOWN:
            hops.append(
                Hop(
                    source=current,
                    target=parent.id,
                    kind=EdgeKind.ESCALATE,
                    role=_FORWARD_ROLE[parent.kind],
                )
            )
            current = parent.id
            parent = hierarchy.parent(current)
        hops.append(Hop(source=current, target=room, kind=EdgeKind.ESCALATE, role=operator))
    hops.append(Hop(source=room, target=centre, kind=EdgeKind.ESCALATE, role=officer))
    return tuple(hops)


# --------------------------------------------------------------------------- routing


class Router:
    """Routes reports with every decision precomputed: a route costs a few dict look-ups.

    ``Router(hierarchy, rules)`` checks the rules against the hierarchy's preset and builds, for
    every town, category and severity, the hops after the grid's report, and for every grid its
    town and report hop.  Calling it with a :class:`Report` returns its :class:`Route`.

    What it precomputed is public and read-only (:attr:`command_rooms`, :attr:`grids`,
    :attr:`town_grids`, :attr:`tails`): :func:`~ruian_governance.routing.verify` reads it to
    check every route at once.

    Args:
        hierarchy: The hierarchy to route in.
        rules: The category table.

    Raises:
        UnknownRoutingKindError: ``rules`` names kinds the hierarchy's preset lacks.

    >>> from ruian_governance import RULES_2021, Report, SeverityTier, generate_hierarchy
    >>> router = Router(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
    ...                 RULES_2021)
    >>> r = router(Report(id="r1", grid_id="t0001.v001.g01", category="neighbour_dispute",
    ...                   severity=SeverityTier.MAJOR))
    >>> [(hop.target, hop.role) for hop in r.hops]
    [('t0001.command_room', 'command_room_operator'), ('city.centre', 'centre_officer'),
     ('city.dept.justice', 'department_officer')]
    """

    def __init__(self, hierarchy: Hierarchy, rules: RoutingRules) -> None:
        check_rules(rules, hierarchy.preset)
        self._hierarchy = hierarchy
        self._rules = rules
        self._room = {t.id: hierarchy.command_room_of(t.id).id for t in hierarchy.towns}
        operator = _FORWARD_ROLE[UnitKind.COMMAND_ROOM]
        self._grids: dict[str, tuple[str, Hop]] = {}
        grids_of_town: dict[str, list[str]] = {t: [] for t in self._room}
        town_of_village = {v.id: v.parent_id or "" for v in hierarchy.units_at(Level.VILLAGE)}
        for grid in hierarchy.units_at(Level.GRID):
            town_id = town_of_village[grid.parent_id or ""]
            hop = Hop(
                source=grid.id, target=self._room[town_id], kind=EdgeKind.REPORT, role=operator
            )
            self._grids[grid.id] = (town_id, hop)
            grids_of_town[town_id].append(grid.id)
        self._grids_of_town = {town: tuple(grids) for town, grids in grids_of_town.items()}
        self._major: dict[str, tuple[Hop, ...] | NoDepartmentError] = {
            c.key: self._major_tail(c) for c in rules.categories
        }
        self._tails: dict[tuple[str, str, SeverityTier], tuple[Hop, ...] | RouteError] = {}
        for town_id, room_id in self._room.items():
            for category in rules.categories:
                self._add_town_tails(town_id, room_id, category)
        self._graphs: dict[bool, nx.DiGraph[str]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the hierarchy and the rules: unpickling precomputes the routes again.

        >>> import pickle
        >>> from ruian_governance import RULES_2021, generate_hierarchy
        >>> router = Router(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
        ...                 RULES_2021)
        >>> pickle.loads(pickle.dumps(router)).tails == router.tails
        True
        """
        return Router, (self._hierarchy, self._rules)

    def graph(self, *, micro_grids: bool = True) -> nx.DiGraph[str]:
        """The routing graph of this router's hierarchy and rules, built once and kept.

        :func:`~ruian_governance.routing.routing_graph` of :attr:`hierarchy` and :attr:`rules`,
        built at the first call (for each ``micro_grids``) and then returned as it is: a
        server answering diagrams per request builds it once.  The graph is frozen
        (``networkx.freeze``: changing it raises ``NetworkXError``); ``graph.copy()`` gives
        one to change.  Safe to call from several threads (two first calls at once may each
        build it; one is kept).

        >>> from ruian_governance import RULES_2021, generate_hierarchy
        >>> router = Router(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
        ...                 RULES_2021)
        >>> router.graph() is router.graph(), router.graph().number_of_nodes() > 0
        (True, True)

        Raises:
            ArgumentError: ``micro_grids`` is not a bool.
        """
        if type(micro_grids) is not bool:
            raise ArgumentError("micro_grids", micro_grids, "True or False")  # noqa: EM101
        found = self._graphs.get(micro_grids)
        if found is None:
            found = routing_graph(self._hierarchy, self._rules, micro_grids=micro_grids)
            found = self._graphs.setdefault(micro_grids, _frozen(found))
        return found

    # ---------------------------------------------------------------- read-only views

    @property
    def hierarchy(self) -> Hierarchy:
        """The hierarchy this router routes in."""
        return self._hierarchy

    @property
    def rules(self) -> RoutingRules:
        """The category table this router routes by."""
        return self._rules

    @property
    def command_rooms(self) -> Mapping[str, str]:
        """Each town's command room id, by town id (a read-only view)."""
        return MappingProxyType(self._room)

    @property
    def grids(self) -> Mapping[str, tuple[str, Hop]]:
        """Each grid's ``(town_id, report_hop)``, by grid id, in hierarchy order (read-only).

        The report hop is the grid's hand-off to its town's command room, the first hop of
        every route from the grid (the second, after the micro-grid's, from a micro-grid).
        """
        return MappingProxyType(self._grids)

    @property
    def town_grids(self) -> Mapping[str, tuple[str, ...]]:
        """The ids of each town's grids, by town id (a read-only view; see :meth:`grids_of`)."""
        return MappingProxyType(self._grids_of_town)

    @property
    def tails(self) -> Mapping[tuple[str, str, SeverityTier], tuple[Hop, ...] | RouteError]:
        """Every precomputed decision, by ``(town_id, category, severity)`` (read-only).

        A decision is the hops after the command room receives the report (as :meth:`tail`
        returns them), or the :class:`~ruian_governance.errors.RouteError` routing raises
        (:class:`~ruian_governance.errors.NoStationError`,
        :class:`~ruian_governance.errors.NoDepartmentError`).

        >>> from ruian_governance import RULES_2021, generate_hierarchy
        >>> router = Router(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
        ...                 RULES_2021)
        >>> [hop.target for hop in router.tails["t0001", "petition", SeverityTier.ORDINARY]]
        ['t0001.station.petitions_office']
        """
        return MappingProxyType(self._tails)

    # ---------------------------------------------------------------- precomputation

    def _major_tail(self, category: Category) -> tuple[Hop, ...] | NoDepartmentError:
        departments = [self._hierarchy.departments_of_kind(k) for k in category.department_kinds]
        missing = [k for k, found in zip(category.department_kinds, departments, strict=True)
                   if not found]  # fmt: skip
        if missing:
            return NoDepartmentError(category.key, missing)
        centre = self._hierarchy.centre.id
        role = _FORWARD_ROLE[UnitKind.DEPARTMENT]
        return tuple(
            Hop(source=centre, target=d.id, kind=EdgeKind.ESCALATE, role=role)
            for found in departments
            for d in found
        )

    def _add_town_tails(self, town_id: str, room_id: str, category: Category) -> None:
        h = self._hierarchy
        key = category.key
        by_kind = {k: h.stations_of(town_id, station_kind=k) for k in category.station_kinds}
        officer = _FORWARD_ROLE[UnitKind.STATION]
        operator = _FORWARD_ROLE[UnitKind.COMMAND_ROOM]
        # ordinary: the first station of the first kind the town has
        first = next((found[0] for found in by_kind.values() if found), None)
        self._tails[town_id, key, SeverityTier.ORDINARY] = (
            NoStationError(town_id, key, "ordinary", category.station_kinds)
            if first is None
            else (Hop(source=room_id, target=first.id, kind=EdgeKind.DISPATCH, role=officer),)
        )
        # larger: every station of every kind, through the joint meeting of the platforms
        missing = [k for k, found in by_kind.items() if not found]
        if missing:
            self._tails[town_id, key, SeverityTier.LARGER] = NoStationError(
                town_id, key, "larger", missing
            )
        else:
            stations = [s for found in by_kind.values() for s in found]
            lead = [p.id for p in h.platforms_of(town_id) if p.platform_kind == category.platform]
            platforms = list(dict.fromkeys([*lead, *(s.platform_id for s in stations)]))
            hops: list[Hop] = []
            for platform_id in platforms:
                under = [s for s in stations if s.platform_id == platform_id]
                if not under:
                    continue
                hops.append(
                    Hop(source=room_id, target=platform_id, kind=EdgeKind.COORDINATE, role=operator)
                )
                hops += [
                    Hop(source=platform_id, target=s.id, kind=EdgeKind.COORDINATE, role=officer)
                    for s in under
                ]
            self._tails[town_id, key, SeverityTier.LARGER] = tuple(hops)
        # major: the command room escalates to the centre, the centre to the departments
        major = self._major[key]
        if isinstance(major, NoDepartmentError):
            self._tails[town_id, key, SeverityTier.MAJOR] = major
        else:
            up = Hop(
                source=room_id,
                target=self._hierarchy.centre.id,
                kind=EdgeKind.ESCALATE,
                role=_FORWARD_ROLE[UnitKind.CENTRE],
            )
            self._tails[town_id, key, SeverityTier.MAJOR] = (up, *major)

    # ---------------------------------------------------------------- routing

    def tail(self, town_id: str, category: str, severity: SeverityTier) -> tuple[Hop, ...]:
        """Return the hops after the command room receives a report of a town.

        Raises:
            UnknownCategoryError: No such category.
            UnknownIdError: ``town_id`` is not a town.
            NoStationError, NoDepartmentError: The town or the city lacks the units needed.
        """
        found = self._tails.get((town_id, category, severity))
        if found is None:
            self._rules.category(category)
            raise UnknownIdError(town_id, "the hierarchy's towns")
        if isinstance(found, RouteError):
            # one shared error per decision: raise it without the frames of earlier raises
            raise found.with_traceback(None)
        return found

    def __call__(self, report: Report) -> Route:
        """Route ``report``.

        Raises:
            UnknownCategoryError: The rules have no such category.
            UnknownIdError: ``report.grid_id`` is neither a grid nor a micro-grid.
            NoStationError: The grid's town lacks the station kinds needed.
            NoDepartmentError: The city lacks the department kinds a major report needs.
        """
        origin = report.grid_id
        entry = self._grids.get(origin)
        if entry is not None:
            prefix: tuple[Hop, ...] = (entry[1],)
            grid_id, origin_role = origin, "grid_worker"
        else:
            try:
                grid_id = self._hierarchy.grid_of(origin).id
            except UnknownIdError:
                raise UnknownIdError(origin, "the hierarchy's grids and micro-grids") from None
            entry = self._grids[grid_id]
            up = Hop(source=origin, target=grid_id, kind=EdgeKind.REPORT, role="grid_worker")
            prefix = (up, entry[1])
            origin_role = "micro_grid_worker"
        town_id = entry[0]
        severity = report.severity
        if severity is None:
            severity = self._rules.category(report.category).default_severity
        found = self._tails.get((town_id, report.category, severity))
        if found is None:
            raise UnknownCategoryError(report.category, self._rules.key)
        if isinstance(found, RouteError):
            raise found.with_traceback(None)
        return Route(
            report_id=report.id,
            category=report.category,
            severity=severity,
            origin=origin,
            origin_role=origin_role,
            grid_id=grid_id,
            town_id=town_id,
            hops=prefix + found,
        )

    def grids_of(self, town_id: str) -> tuple[str, ...]:
        """Return the ids of a town's grids (the origins of its reports)."""
        return self._grids_of_town.get(town_id, ())


def route(hierarchy: Hierarchy, rules: RoutingRules, report: Report) -> Route:
    """Route one report; to route many, build a :class:`Router` once and call it.

    Raises:
        UnknownCategoryError, UnknownIdError, NoStationError, NoDepartmentError: As
            :meth:`Router.__call__`.
        UnknownRoutingKindError: ``rules`` names kinds the hierarchy's preset lacks.

    >>> from ruian_governance import RULES_2016, generate_hierarchy
    >>> from ruian_governance.errors import NoStationError
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0,
    ...                        preset=RULES_2016.preset)
    >>> r = route(h, RULES_2016, Report(id="r1", grid_id="t0001.v001.g01",
    ...                                 category="illegal_building", severity=SeverityTier.LARGER))
    >>> [(hop.source, hop.target, hop.kind.value) for hop in r.hops][1:]
    [('t0001.command_room', 't0001.platform.law_enforcement', 'coordinate'),
     ('t0001.platform.law_enforcement', 't0001.station.law_enforcement_squad', 'coordinate'),
     ('t0001.platform.law_enforcement', 't0001.station.natural_resources_office', 'coordinate')]
    """
    return Router(hierarchy, rules)(report)


def _frozen(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """``graph`` frozen in place (networkx refuses every change to it)."""
    frozen: nx.DiGraph[str] = nx.freeze(graph)
    return frozen
