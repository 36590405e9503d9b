"""Routing: from a grid's report to the unit that must act, and up the ladder.

Routing rules are configuration: a category table (:class:`RoutingRules`) maps each category of
matter (事项类别) to its lead platform, the station kinds that handle it and the city departments
that take it when it is major.  Severity tiers (:class:`SeverityTier`) decide the level: ordinary
一般 goes to one station of the grid's own town, larger 较大 is coordinated across several stations
of that town through the joint meeting of the platforms 四平台联席会议, major 重大 is escalated to
the city's social-governance centre and its departments.

The routing graph (:func:`routing_graph`) is a plain :class:`networkx.DiGraph` of the hierarchy's
acting units and the hand-offs between them; :class:`Router` precomputes every decision so that
routing a :class:`Report` costs a few dictionary look-ups; :func:`verify` lists every gap of a
hierarchy under a rule table.

>>> from ruian_governance import RULES_2021, Report, SeverityTier, generate_hierarchy, route
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=1)
>>> report = Report(id="r1", grid_id="t0001.v001.g01", category="food_safety")
>>> [(hop.target, hop.kind.value) for hop in route(h, RULES_2021, report).hops]
[('t0001.command_room', 'report'), ('t0001.station.market_supervision_office', 'dispatch')]
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs
import networkx as nx  # type: ignore[import-untyped]  # no stubs in the dev dependencies

from ruian_governance.errors import (
    CategoryTableError,
    NoDepartmentError,
    NoStationError,
    RouteError,
    UnknownCategoryError,
    UnknownIdError,
    UnknownRoutingKindError,
)
from ruian_governance.labels import Label
from ruian_governance.models import (
    AdminUnit,
    Hierarchy,
    Level,
    Organisation,
    Platform,
    PlatformPreset,
    Station,
    UnitKind,
)

__all__ = [
    "BACKWARD_EDGE_KINDS",
    "Category",
    "EdgeKind",
    "Gap",
    "GapKind",
    "Hop",
    "Report",
    "Route",
    "Router",
    "RoutingRules",
    "SeverityTier",
    "VerificationReport",
    "check_rules",
    "edge_kinds",
    "escalation_path",
    "route",
    "routing_graph",
    "verify",
]


# --------------------------------------------------------------------------- enums


class SeverityTier(enum.Enum):
    """Severity tiers (事件等级) that decide the level a report is handled at.

    >>> [(s.value, s.label.zh) for s in SeverityTier]
    [('ordinary', '一般'), ('larger', '较大'), ('major', '重大')]
    """

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

    ORDINARY = "ordinary"
    LARGER = "larger"
    MAJOR = "major"

    @property
    def label(self) -> Label:
        """The bilingual label of this tier."""
        return _SEVERITY_LABELS[self]


_SEVERITY_LABELS = {
    SeverityTier.ORDINARY: Label(en="ordinary", zh="一般"),
    SeverityTier.LARGER: Label(en="larger", zh="较大"),
    SeverityTier.MAJOR: Label(en="major", zh="重大"),
}


class EdgeKind(enum.Enum):
    """The kinds of hand-off an edge of the routing graph allows.

    Forward kinds carry a matter towards the unit that acts: report, dispatch, coordinate,
    escalate.  Backward kinds (:data:`BACKWARD_EDGE_KINDS`) carry it back: return, feedback,
    evaluate.

    >>> EdgeKind.DISPATCH.label.zh, EdgeKind.RETURN.backward
    ('分流交办', True)
    """

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

    REPORT = "report"
    DISPATCH = "dispatch"
    COORDINATE = "coordinate"
    ESCALATE = "escalate"
    RETURN = "return"
    FEEDBACK = "feedback"
    EVALUATE = "evaluate"

    @property
    def label(self) -> Label:
        """The bilingual label of this kind."""
        return _EDGE_LABELS[self]

    @property
    def backward(self) -> bool:
        """Whether this kind carries a matter back (return, feedback, evaluate)."""
        return self in BACKWARD_EDGE_KINDS


_EDGE_LABELS = {
    EdgeKind.REPORT: Label(en="report", zh="上报"),
    EdgeKind.DISPATCH: Label(en="dispatch", zh="分流交办"),
    EdgeKind.COORDINATE: Label(en="coordinate", zh="联席协调"),
    EdgeKind.ESCALATE: Label(en="escalate", zh="提级上交"),
    EdgeKind.RETURN: Label(en="return", zh="退回"),
    EdgeKind.FEEDBACK: Label(en="feedback", zh="反馈"),
    EdgeKind.EVALUATE: Label(en="evaluate", zh="评价"),
}
_EDGE_ORDER = {kind: i for i, kind in enumerate(EdgeKind)}

BACKWARD_EDGE_KINDS: frozenset[EdgeKind] = frozenset(
    {EdgeKind.RETURN, EdgeKind.FEEDBACK, EdgeKind.EVALUATE}
)
"""Edge kinds that carry a matter back; only they may close a cycle in the routing graph."""


# --------------------------------------------------------------------------- the category table


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@attrs.frozen(kw_only=True)
class Category:
    """One category of matter (事项类别) and who handles it.

    Args:
        key: The category's key, e.g. ``"neighbour_dispute"``.
        label: Its bilingual label (邻里纠纷).
        platform: The key of the lead platform kind (牵头平台).
        station_kinds: Station kinds that handle it, in order of preference: an ordinary report
            goes to the first of them a town has; a larger one to all of them.
        department_kinds: City department kinds that take a major report.
        default_severity: The tier of a report that states none.

    >>> Category(key="petition", label=Label(en="petition", zh="信访"),
    ...          platform="comprehensive_governance",
    ...          station_kinds=["petitions_office"]).station_kinds
    ('petitions_office',)
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    platform: str = attrs.field(validator=attrs.validators.min_len(1))
    station_kinds: tuple[str, ...] = attrs.field(converter=_str_tuple)
    department_kinds: tuple[str, ...] = attrs.field(converter=_str_tuple, default=())
    default_severity: SeverityTier = SeverityTier.ORDINARY


def _categories(value: Iterable[Category]) -> tuple[Category, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@attrs.frozen(kw_only=True)
class RoutingRules:
    """A category table for one platform preset, validated when it is constructed.

    Args:
        key: The table's key, e.g. ``"2021"``.
        label: Its bilingual label.
        preset: The platform preset whose platform and station kinds the categories name.
        categories: The categories, each key once.

    Raises:
        CategoryTableError: Duplicate category keys, or a category without station kinds.
        UnknownRoutingKindError: A category names a platform or station kind the preset lacks.

    >>> from ruian_governance.presets import PLATFORMS_2016
    >>> bad = Category(key="x", label=Label(en="x", zh="x"), platform="emergency_management",
    ...                station_kinds=["service_centre"])
    >>> RoutingRules(key="mine", label=Label(en="mine", zh="我的"), preset=PLATFORMS_2016,
    ...              categories=[bad])
    Traceback (most recent call last):
    ...
    ruian_governance.errors.UnknownRoutingKindError: routing rules 'mine': category 'x' names \
platform kind 'emergency_management', unknown to preset '2016'
    """

    key: str = attrs.field(validator=attrs.validators.min_len(1))
    label: Label
    preset: PlatformPreset
    categories: tuple[Category, ...] = attrs.field(converter=_categories)
    _by_key: Mapping[str, Category] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        seen: set[str] = set()
        for category in self.categories:
            if category.key in seen:
                problems.append(f"category key {category.key!r} appears more than once")
            seen.add(category.key)
            if not category.station_kinds:
                problems.append(f"category {category.key!r} names no station kind")
        if problems:
            raise CategoryTableError(self.key, problems)
        check_rules(self, self.preset)
        by_key = MappingProxyType({c.key: c for c in self.categories})
        object.__setattr__(self, "_by_key", by_key)

    def category(self, key: str) -> Category:
        """Return the category with this key.

        Raises:
            UnknownCategoryError: The table has no such category.
        """
        try:
            return self._by_key[key]
        except KeyError:
            raise UnknownCategoryError(key, self.key) from None

    @property
    def keys(self) -> tuple[str, ...]:
        """The category keys, in table order."""
        return tuple(self._by_key)


def check_rules(rules: RoutingRules, preset: PlatformPreset) -> None:
    """Check that every kind ``rules`` names is defined by ``preset``.

    Routing a hierarchy checks its rules against the hierarchy's own preset this way, so a table
    written for one preset is refused for a hierarchy of an incompatible one.

    Raises:
        UnknownRoutingKindError: Naming every unknown platform or station kind.

    >>> from ruian_governance.presets import PLATFORMS_2021, RULES_2021
    >>> check_rules(RULES_2021, PLATFORMS_2021)
    """
    platforms = {kind.key for kind in preset.platforms}
    stations = {kind.key for kind in preset.station_kinds}
    unknown = [(c.key, "platform kind", c.platform) for c in rules.categories]
    unknown = [item for item in unknown if item[2] not in platforms]
    unknown += [
        (c.key, "station kind", kind)
        for c in rules.categories
        for kind in c.station_kinds
        if kind not in stations
    ]
    if unknown:
        raise UnknownRoutingKindError(rules.key, preset.key, unknown)


# --------------------------------------------------------------------------- reports and routes


def _aware(_: object, attribute: attrs.Attribute[datetime | None], value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        msg = f"{attribute.name} must be a timezone-aware datetime, got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Report:
    """A matter reported from a grid or micro-grid (网格员信息采集上报).

    Args:
        id: The report's id (一事一编码).
        grid_id: The grid it was reported in; a micro-grid id is routed from its grid.
        category: The key of its category in the routing rules.
        severity: Its tier; ``None`` takes the category's default.
        reporter_id: The person who reported it, if known.
        at: When it was reported (timezone-aware), if known.
        description: Free text.

    >>> Report(id="r1", grid_id="t0001.v001.g01", category="petition").severity is None
    True
    """

    id: str
    grid_id: str
    category: str
    severity: SeverityTier | None = None
    reporter_id: str | None = None
    at: datetime | None = attrs.field(default=None, validator=_aware)
    description: str = ""


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
    kind: EdgeKind
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
    severity: SeverityTier
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


# --------------------------------------------------------------------------- the graph


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


def _node_attrs(node: AdminUnit | Organisation, town: str) -> dict[str, str]:
    data = {
        "kind": node.kind.value,
        "level": "" if node.kind.level is None else node.kind.level.value,
        "town": town,
        "name": node.name,
        "name_en": node.name_en or node.name,
    }
    if isinstance(node, Station):
        data["station_kind"] = node.station_kind
        data["platform"] = node.platform_id
    elif isinstance(node, Platform):
        data["platform_kind"] = node.platform_kind
    elif node.kind is UnitKind.DEPARTMENT:
        data["department_kind"] = node.department_kind  # type: ignore[union-attr]
    return data


def _kinds_text(kinds: Iterable[EdgeKind]) -> str:
    return " ".join(k.value for k in sorted(set(kinds), key=_EDGE_ORDER.__getitem__))


def _edge_data(*kinds: EdgeKind) -> dict[str, str]:
    text = _kinds_text(kinds)
    return {"kind": text.split(" ", 1)[0], "kinds": text}


def edge_kinds(graph: nx.DiGraph[str], source: str, target: str) -> frozenset[EdgeKind]:
    """Return the kinds of hand-off the edge ``source -> target`` allows.

    An edge's ``kinds`` attribute holds them as space-separated values; ``kind`` holds the first
    of them (in :class:`EdgeKind` order), for tools that show one label per edge.

    Raises:
        UnknownIdError: The graph has no such edge.

    >>> from ruian_governance import RULES_2021, generate_hierarchy, routing_graph
    >>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
    ...                   RULES_2021)
    >>> sorted(k.value for k in edge_kinds(g, "t0001.station.police_station",
    ...                                    "t0001.command_room"))
    ['feedback', 'return']
    """
    try:
        data = graph.adj[source][target]
    except KeyError:
        edge = f"{source} -> {target}"
        raise UnknownIdError(edge, "the routing graph's edges") from None
    return frozenset(EdgeKind(value) for value in str(data.get("kinds", data["kind"])).split())


def routing_graph(
    hierarchy: Hierarchy, rules: RoutingRules, *, micro_grids: bool = True
) -> nx.DiGraph[str]:
    """Build the routing graph: the hierarchy's acting units and the hand-offs between them.

    Nodes are micro-grids, grids, villages, command rooms, platforms, stations, the centre and
    the departments (towns and the city are areas: they act through their command room and
    centre, and appear as each node's ``town`` attribute).  Node attributes are strings:
    ``kind``, ``level``, ``town``, ``name``, ``name_en``, and ``station_kind`` / ``platform``,
    ``platform_kind`` or ``department_kind`` where they apply.

    Edges (attribute ``kinds``, see :func:`edge_kinds`), per town with command room C:

    * micro-grid -> grid: report, escalate
    * grid -> C: report;  grid -> village: escalate;  village -> C: escalate
    * C -> station: dispatch;  C -> platform and platform -> its stations: coordinate
    * C -> centre: escalate;  centre -> department: escalate
    * station -> C: return, feedback;  platform -> C: feedback
    * C -> grid: feedback, evaluate;  centre -> C: feedback;  department -> centre: feedback

    ``rules`` is checked against the hierarchy's preset; the graph itself does not depend on it,
    so users may route several tables over one graph.

    Args:
        hierarchy: The hierarchy.
        rules: The category table (checked for compatibility).
        micro_grids: Whether to include micro-grid nodes (most of a province's nodes).

    Raises:
        UnknownRoutingKindError: ``rules`` names kinds the hierarchy's preset lacks.

    >>> from ruian_governance import RULES_2021, generate_hierarchy
    >>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=2),
    ...                   RULES_2021)
    >>> g.nodes["t0001.command_room"]["kind"], g.edges["t0001.v001.g01", "t0001.command_room"]
    ('command_room', {'kind': 'report', 'kinds': 'report'})
    """
    check_rules(rules, hierarchy.preset)
    graph: nx.DiGraph[str] = nx.DiGraph(name=f"routing {hierarchy.city.id} / {rules.key}")
    centre = hierarchy.centre
    graph.add_node(centre.id, **_node_attrs(centre, ""))
    graph.add_nodes_from((d.id, _node_attrs(d, "")) for d in hierarchy.departments)
    report = _edge_data(EdgeKind.REPORT)
    escalate = _edge_data(EdgeKind.ESCALATE)
    graph.add_edges_from((centre.id, d.id, dict(escalate)) for d in hierarchy.departments)
    graph.add_edges_from(
        (d.id, centre.id, _edge_data(EdgeKind.FEEDBACK)) for d in hierarchy.departments
    )
    room_of: dict[str, str] = {}
    for town in hierarchy.towns:
        room = hierarchy.command_room_of(town.id)
        room_of[town.id] = room.id
        graph.add_node(room.id, **_node_attrs(room, town.id))
        graph.add_edge(room.id, centre.id, **escalate)
        graph.add_edge(centre.id, room.id, **_edge_data(EdgeKind.FEEDBACK))
        for platform in hierarchy.platforms_of(town.id):
            graph.add_node(platform.id, **_node_attrs(platform, town.id))
            graph.add_edge(room.id, platform.id, **_edge_data(EdgeKind.COORDINATE))
            graph.add_edge(platform.id, room.id, **_edge_data(EdgeKind.FEEDBACK))
        for station in hierarchy.stations_of(town.id):
            graph.add_node(station.id, **_node_attrs(station, town.id))
            graph.add_edge(room.id, station.id, **_edge_data(EdgeKind.DISPATCH))
            graph.add_edge(station.platform_id, station.id, **_edge_data(EdgeKind.COORDINATE))
            graph.add_edge(station.id, room.id, **_edge_data(EdgeKind.RETURN, EdgeKind.FEEDBACK))
    town_of: dict[str, str] = {}
    for village in hierarchy.units_at(Level.VILLAGE):
        town_id = village.parent_id or ""
        town_of[village.id] = town_id
        graph.add_node(village.id, **_node_attrs(village, town_id))
        graph.add_edge(village.id, room_of[town_id], **escalate)
    back = _edge_data(EdgeKind.FEEDBACK, EdgeKind.EVALUATE)
    grids = hierarchy.units_at(Level.GRID)
    for grid in grids:
        town_of[grid.id] = town_of[grid.parent_id or ""]
    graph.add_nodes_from((grid.id, _node_attrs(grid, town_of[grid.id])) for grid in grids)
    graph.add_edges_from(
        edge
        for grid in grids
        for edge in (
            (grid.id, room_of[town_of[grid.id]], report),
            (grid.id, grid.parent_id, escalate),
            (room_of[town_of[grid.id]], grid.id, back),
        )
    )
    if micro_grids:
        micros = hierarchy.units_at(Level.MICRO_GRID)
        graph.add_nodes_from(
            (micro.id, _node_attrs(micro, town_of[micro.parent_id or ""])) for micro in micros
        )
        up = _edge_data(EdgeKind.REPORT, EdgeKind.ESCALATE)
        graph.add_edges_from((micro.id, micro.parent_id, up) for micro in micros)
    return graph


# --------------------------------------------------------------------------- routing


def _escalation_hops(hierarchy: Hierarchy, unit_id: str) -> tuple[Hop, ...]:
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
    return _escalation_hops(hierarchy, unit_id)


@attrs.frozen(kw_only=True)
class _Failure:
    """A precomputed reason why a (town, category, severity) cannot be routed."""

    error: RouteError


_Tail = tuple[Hop, ...] | _Failure


class Router:
    """Routes reports with every decision precomputed: a route costs a few dict look-ups.

    ``Router(hierarchy, rules)`` checks the rules against the hierarchy's preset and builds, for
    every town, category and severity, the hops after the grid's report, and for every grid its
    town and report hop.  Calling it with a :class:`Report` returns its :class:`Route`.

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
        self.hierarchy = hierarchy
        self.rules = rules
        self._room = {t.id: hierarchy.command_room_of(t.id).id for t in hierarchy.towns}
        operator = _FORWARD_ROLE[UnitKind.COMMAND_ROOM]
        self._grids: dict[str, tuple[str, Hop]] = {}
        self._grids_of_town: dict[str, list[str]] = {t: [] for t in self._room}
        town_of_village = {v.id: v.parent_id or "" for v in hierarchy.units_at(Level.VILLAGE)}
        for grid in hierarchy.units_at(Level.GRID):
            town_id = town_of_village[grid.parent_id or ""]
            hop = Hop(
                source=grid.id, target=self._room[town_id], kind=EdgeKind.REPORT, role=operator
            )
            self._grids[grid.id] = (town_id, hop)
            self._grids_of_town[town_id].append(grid.id)
        self._major: dict[str, tuple[Hop, ...] | NoDepartmentError] = {
            c.key: self._major_tail(c) for c in rules.categories
        }
        self._tails: dict[tuple[str, str, SeverityTier], _Tail] = {}
        for town_id, room_id in self._room.items():
            for category in rules.categories:
                self._add_town_tails(town_id, room_id, category)

    # ---------------------------------------------------------------- precomputation

    def _major_tail(self, category: Category) -> tuple[Hop, ...] | NoDepartmentError:
        departments = [self.hierarchy.departments_of_kind(k) for k in category.department_kinds]
        missing = [k for k, found in zip(category.department_kinds, departments, strict=True)
                   if not found]  # fmt: skip
        if missing:
            return NoDepartmentError(category.key, missing)
        centre = self.hierarchy.centre.id
        role = _FORWARD_ROLE[UnitKind.DEPARTMENT]
        return tuple(
            Hop(source=centre, target=d.id, kind=EdgeKind.ESCALATE, role=role)
            for found in departments
            for d in found
        )

    def _add_town_tails(self, town_id: str, room_id: str, category: Category) -> None:
        h = self.hierarchy
        key = category.key
        by_kind = {k: h.stations_of(town_id, station_kind=k) for k in category.station_kinds}
        officer = _FORWARD_ROLE[UnitKind.STATION]
        operator = _FORWARD_ROLE[UnitKind.COMMAND_ROOM]
        # ordinary: the first station of the first kind the town has
        first = next((found[0] for found in by_kind.values() if found), None)
        self._tails[town_id, key, SeverityTier.ORDINARY] = (
            _Failure(error=NoStationError(town_id, key, "ordinary", category.station_kinds))
            if first is None
            else (Hop(source=room_id, target=first.id, kind=EdgeKind.DISPATCH, role=officer),)
        )
        # larger: every station of every kind, through the joint meeting of the platforms
        missing = [k for k, found in by_kind.items() if not found]
        if missing:
            self._tails[town_id, key, SeverityTier.LARGER] = _Failure(
                error=NoStationError(town_id, key, "larger", missing)
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
            self._tails[town_id, key, SeverityTier.MAJOR] = _Failure(error=major)
        else:
            up = Hop(
                source=room_id,
                target=self.hierarchy.centre.id,
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
            self.rules.category(category)
            raise UnknownIdError(town_id, "the hierarchy's towns")
        if isinstance(found, _Failure):
            raise found.error
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
                grid_id = self.hierarchy.grid_of(origin).id
            except UnknownIdError:
                raise UnknownIdError(origin, "the hierarchy's grids and micro-grids") from None
            entry = self._grids[grid_id]
            up = Hop(source=origin, target=grid_id, kind=EdgeKind.REPORT, role="grid_worker")
            prefix = (up, entry[1])
            origin_role = "micro_grid_worker"
        town_id = entry[0]
        severity = report.severity
        if severity is None:
            severity = self.rules.category(report.category).default_severity
        found = self._tails.get((town_id, report.category, severity))
        if found is None:
            raise UnknownCategoryError(report.category, self.rules.key)
        if isinstance(found, _Failure):
            raise found.error
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
        return tuple(self._grids_of_town.get(town_id, ()))


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


# --------------------------------------------------------------------------- verification


class GapKind(enum.Enum):
    """The kinds of gap :func:`verify` finds.

    >>> GapKind.NO_STATION.value
    'no_station'
    """

    __hash__ = object.__hash__  # members are singletons: identity hash is exact and fast

    NO_STATION = "no_station"
    """A town lacks station kinds a category needs at some tier: its grids' reports fail."""
    NO_DEPARTMENT = "no_department"
    """The city lacks department kinds a category names for major reports."""
    UNSTAFFED = "unstaffed"
    """A unit on some route has nobody in the role that must act there."""
    MISSING_EDGE = "missing_edge"
    """A hop some route needs is not an edge (of that kind) of the routing graph."""
    UNREACHABLE_STATION = "unreachable_station"
    """A station no grid reaches by forward edges of the graph."""
    UNROUTED_STATION = "unrouted_station"
    """A station of a kind no category names: no report is ever routed to it."""
    BROKEN_ESCALATION = "broken_escalation"
    """Units whose escalation chain does not end at the city centre."""
    CYCLE = "cycle"
    """Units on a cycle of forward (non-return, non-feedback, non-evaluate) edges."""


@attrs.frozen(kw_only=True)
class Gap:
    """One gap found by :func:`verify`.

    Args:
        kind: What is wrong.
        message: A sentence naming the rule and the units.
        category: The category concerned, if any.
        severity: The tier concerned, if any.
        town_id: The town concerned, if any.
        unit_ids: The units at fault (stations, cycle members, ...).
        missing: Missing station or department kinds, or missing edges as ``"a -> b (kind)"``.
        grid_ids: The grids whose reports the gap breaks.
    """

    kind: GapKind
    message: str
    category: str | None = None
    severity: SeverityTier | None = None
    town_id: str | None = None
    unit_ids: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    grid_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class VerificationReport:
    """Every gap :func:`verify` found; empty (and true) when routing is complete.

    Args:
        gaps: The gaps, grouped by kind in :class:`GapKind` order.
        routes_checked: (category, grid, severity) triples checked.
    """

    gaps: tuple[Gap, ...]
    routes_checked: int

    @property
    def ok(self) -> bool:
        """Whether no gap was found."""
        return not self.gaps

    def __bool__(self) -> bool:
        return self.ok

    def __len__(self) -> int:
        return len(self.gaps)

    def __iter__(self) -> Iterator[Gap]:
        return iter(self.gaps)

    def of_kind(self, kind: GapKind) -> tuple[Gap, ...]:
        """Return the gaps of one kind."""
        return tuple(gap for gap in self.gaps if gap.kind is kind)

    @property
    def failing_routes(self) -> int:
        """(category, grid, severity) triples that cannot be routed."""
        routing = (GapKind.NO_STATION, GapKind.NO_DEPARTMENT)
        return sum(len(gap.grid_ids) for gap in self.gaps if gap.kind in routing)

    def summary(self) -> str:
        """One line per gap kind found, with counts.

        >>> VerificationReport(gaps=(), routes_checked=3).summary()
        'routing complete: 3 routes checked, no gaps'
        """
        if self.ok:
            return f"routing complete: {self.routes_checked} routes checked, no gaps"
        lines = [f"{len(self.gaps)} gaps, {self.routes_checked} routes checked:"]
        lines += [
            f"  {kind.value}: {len(found)}" for kind in GapKind if (found := self.of_kind(kind))
        ]
        return "\n".join(lines)


def _edge_has(adj: Mapping[str, Mapping[str, Mapping[str, Any]]], hop: Hop) -> bool:
    data = adj.get(hop.source, {}).get(hop.target)
    if data is None:
        return False
    return hop.kind.value in _kinds_of(data).split()


def verify(
    hierarchy: Hierarchy, rules: RoutingRules, *, graph: nx.DiGraph[str] | None = None
) -> VerificationReport:
    """Check routing completeness and list every gap, not just the first.

    For every category, grid and severity tier a route must exist and end at units able to act
    (holding someone in the acting role); every station must be reachable from some grid and be
    routed to by some category; every unit's escalation chain must end at the city centre; and
    forward edges (report, dispatch, coordinate, escalate) must form no cycle: only return,
    feedback and evaluate edges go back.  Route checks are computed once per town and category
    and expanded to the town's grids, so a province-scale hierarchy verifies in seconds.

    Args:
        hierarchy: The hierarchy.
        rules: The category table.
        graph: A routing graph to check (for instance one a user extended); by default the one
            :func:`routing_graph` builds.  It is only read.

    Raises:
        UnknownRoutingKindError: ``rules`` names kinds the hierarchy's preset lacks.

    >>> from ruian_governance import RULES_2021, generate_hierarchy
    >>> verify(generate_hierarchy(towns=2, villages=2, grids=4, micro_grids=0),
    ...        RULES_2021).summary()
    'routing complete: 180 routes checked, no gaps'
    """
    router = Router(hierarchy, rules)
    if graph is None:
        graph = routing_graph(hierarchy, rules)
    gaps: list[Gap] = []
    gaps += _route_gaps(router)
    gaps += _staffing_gaps(router)
    gaps += _edge_gaps(router, graph)
    succ = _forward(graph)
    gaps += _station_gaps(hierarchy, rules, graph, succ)
    gaps += _escalation_gaps(hierarchy, graph)
    gaps += _cycle_gaps(succ)
    order = {kind: i for i, kind in enumerate(GapKind)}
    gaps.sort(key=lambda gap: order[gap.kind])
    checked = len(rules.categories) * len(router._grids) * len(SeverityTier)
    return VerificationReport(gaps=tuple(gaps), routes_checked=checked)


def _route_gaps(router: Router) -> Iterator[Gap]:
    department_gaps: dict[str, Gap] = {}
    all_grids = tuple(router._grids)
    for (town_id, category, severity), tail in router._tails.items():
        if not isinstance(tail, _Failure):
            continue
        error = tail.error
        grids = router.grids_of(town_id)
        if isinstance(error, NoDepartmentError):
            if category not in department_gaps and all_grids:
                department_gaps[category] = Gap(
                    kind=GapKind.NO_DEPARTMENT,
                    message=str(error),
                    category=category,
                    severity=SeverityTier.MAJOR,
                    missing=error.department_kinds,
                    grid_ids=all_grids,
                )
        elif isinstance(error, NoStationError) and grids:
            yield Gap(
                kind=GapKind.NO_STATION,
                message=f"{error} ({len(grids)} grids affected)",
                category=category,
                severity=severity,
                town_id=town_id,
                unit_ids=(town_id,),
                missing=error.station_kinds,
                grid_ids=grids,
            )
    yield from department_gaps.values()


def _routable_tails(router: Router) -> Iterator[tuple[str, str, SeverityTier, tuple[Hop, ...]]]:
    for (town_id, category, severity), tail in router._tails.items():
        if not isinstance(tail, _Failure) and router._grids_of_town[town_id]:
            yield town_id, category, severity, tail


def _staffing_gaps(router: Router) -> Iterator[Gap]:
    h = router.hierarchy
    needs: dict[tuple[str, str], set[str]] = {}  # (unit, role) -> categories
    for town_id, room_id in router._room.items():
        if router._grids_of_town[town_id]:
            needs.setdefault((room_id, "command_room_operator"), set()).update(router.rules.keys)
    for _, category, _, tail in _routable_tails(router):
        for hop in tail:
            if h.node(hop.target).kind is not UnitKind.PLATFORM:
                needs.setdefault((hop.target, hop.role), set()).add(category)
    for (unit_id, role), categories in needs.items():
        if not h.people_of(unit_id, role=role):
            town = h.town_of(unit_id)
            yield Gap(
                kind=GapKind.UNSTAFFED,
                message=f"{unit_id!r} has nobody in role {role!r}, needed by "
                f"{len(categories)} categories",
                category=min(categories) if len(categories) == 1 else None,
                town_id=None if town is None else town.id,
                unit_ids=(unit_id,),
                missing=(role,),
            )


def _edge_gaps(router: Router, graph: nx.DiGraph[str]) -> Iterator[Gap]:
    adj = dict(graph.adjacency())  # plain dicts: much faster than the graph's views
    missing_by_town: dict[str, list[str]] = {}
    for grid_id, (town_id, hop) in router._grids.items():
        if not _edge_has(adj, hop):
            missing_by_town.setdefault(town_id, []).append(grid_id)
    for town_id, grids in missing_by_town.items():
        room = router._room[town_id]
        yield Gap(
            kind=GapKind.MISSING_EDGE,
            message=f"{len(grids)} grids of town {town_id!r} have no report edge to {room!r}",
            town_id=town_id,
            unit_ids=tuple(grids),
            missing=tuple(f"{g} -> {room} (report)" for g in grids),
            grid_ids=tuple(grids),
        )
    present: dict[Hop, bool] = {}
    missing: dict[Hop, list[tuple[str, str, SeverityTier]]] = {}
    for town_id, category, severity, tail in _routable_tails(router):
        for hop in tail:
            found = present.get(hop)
            if found is None:
                found = present[hop] = _edge_has(adj, hop)
            if not found:
                missing.setdefault(hop, []).append((town_id, category, severity))
    for hop, uses in missing.items():
        towns = sorted({u[0] for u in uses})
        yield Gap(
            kind=GapKind.MISSING_EDGE,
            message=f"edge {hop.source!r} -> {hop.target!r} ({hop.kind.value}) is missing, "
            f"needed by {len(uses)} (town, category, severity) routes",
            town_id=towns[0] if len(towns) == 1 else None,
            unit_ids=(hop.source, hop.target),
            missing=(f"{hop.source} -> {hop.target} ({hop.kind.value})",),
            grid_ids=tuple(g for t in towns for g in router._grids_of_town[t]),
        )


_FORWARD_VALUES = frozenset(k.value for k in EdgeKind if not k.backward)


def _kinds_of(data: Mapping[str, Any]) -> str:
    """The space-separated kinds of an edge's attribute dict (``kinds``, else ``kind``)."""
    text = data.get("kinds")
    if text is None:
        text = data.get("kind", "")
    return str(text)


def _forward(graph: nx.DiGraph[str]) -> dict[str, list[str]]:
    """Adjacency of the edges with at least one forward kind (nodes without one are left out)."""
    cache: dict[object, bool] = {}
    succ: dict[str, list[str]] = {}
    for u, nbrs in graph.adjacency():
        out = None
        for v, data in nbrs.items():
            text = data.get("kinds")
            is_forward = cache.get(text)
            if is_forward is None:
                is_forward = cache[text] = not _FORWARD_VALUES.isdisjoint(_kinds_of(data).split())
            if is_forward:
                if out is None:
                    out = succ[u] = [v]
                else:
                    out.append(v)
    return succ


def _station_gaps(
    hierarchy: Hierarchy,
    rules: RoutingRules,
    graph: nx.DiGraph[str],
    succ: Mapping[str, list[str]],
) -> Iterator[Gap]:
    nodes = graph.nodes
    seen = {n for n, kind in nodes(data="kind") if kind == UnitKind.GRID.value}
    frontier = deque(seen)
    while frontier:
        for v in succ.get(frontier.popleft(), ()):
            if v not in seen:
                seen.add(v)
                frontier.append(v)
    routed = {kind for c in rules.categories for kind in c.station_kinds}
    for station in hierarchy.stations:
        if station.id not in seen:
            yield Gap(
                kind=GapKind.UNREACHABLE_STATION,
                message=f"station {station.id!r} is reached from no grid of the routing graph",
                town_id=station.town_id,
                unit_ids=(station.id,),
            )
        if station.station_kind not in routed:
            yield Gap(
                kind=GapKind.UNROUTED_STATION,
                message=f"station {station.id!r} is of kind {station.station_kind!r}, "
                f"which no category of rules {rules.key!r} names",
                town_id=station.town_id,
                unit_ids=(station.id,),
                missing=(station.station_kind,),
            )


_TOP_KINDS = frozenset({UnitKind.DEPARTMENT.value, UnitKind.PLATFORM.value, "task_force"})


def _escalation_gaps(hierarchy: Hierarchy, graph: nx.DiGraph[str]) -> Iterator[Gap]:
    """Units from which no upward chain reaches the centre.

    Upward edges are escalate and return edges, and feedback edges leaving a platform, a
    department or a task force (the way :func:`escalation_path` goes).
    """
    centre = hierarchy.centre.id
    kinds = graph.nodes
    pred = dict(graph.reverse(copy=False).adjacency())  # plain dicts, not views
    # per kinds text: 2 = always upward (escalate, return), 1 = upward from top units, 0 = never
    cache: dict[object, int] = {}
    reached = {centre} if centre in graph else set()
    frontier = deque(reached)
    while frontier:
        v = frontier.popleft()
        for u, data in pred[v].items():
            if u in reached:
                continue
            text = data.get("kinds")
            up = cache.get(text)
            if up is None:
                values = _kinds_of(data).split()
                up = cache[text] = (
                    2 if "escalate" in values or "return" in values else int("feedback" in values)
                )
            if up == 2 or (up == 1 and kinds[u].get("kind") in _TOP_KINDS):
                reached.add(u)
                frontier.append(u)
    broken: dict[str, list[str]] = {}
    for node, town in graph.nodes(data="town", default=""):
        if node not in reached:
            broken.setdefault(str(town), []).append(node)
    for town, units in broken.items():
        where = f"town {town!r}" if town else "the city"
        yield Gap(
            kind=GapKind.BROKEN_ESCALATION,
            message=f"{len(units)} units of {where} have no escalation chain to the centre "
            f"{centre!r}: {', '.join(repr(u) for u in units[:5])}"
            + (", ..." if len(units) > 5 else ""),
            town_id=town or None,
            unit_ids=tuple(units),
        )


def _cycle_gaps(succ: Mapping[str, list[str]]) -> Iterator[Gap]:
    indegree = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for v in targets:
            indegree[v] = indegree.get(v, 0) + 1
    frontier = deque(n for n, d in indegree.items() if d == 0)
    removed = 0
    while frontier:
        u = frontier.popleft()
        removed += 1
        for v in succ.get(u, ()):
            indegree[v] -= 1
            if indegree[v] == 0:
                frontier.append(v)
    if removed == len(indegree):
        return
    left = {n for n, d in indegree.items() if d > 0}
    sub: nx.DiGraph[str] = nx.DiGraph()
    sub.add_edges_from((u, v) for u in left for v in succ.get(u, ()) if v in left)
    for component in nx.strongly_connected_components(sub):
        members = sorted(component)
        if len(members) == 1 and not sub.has_edge(members[0], members[0]):
            continue
        yield Gap(
            kind=GapKind.CYCLE,
            message=f"{len(members)} units lie on a cycle of forward edges: "
            f"{', '.join(repr(m) for m in members[:5])}" + (", ..." if len(members) > 5 else ""),
            unit_ids=tuple(members),
        )
