"""Verification: every gap of a hierarchy's routing under a category table, not just the first.

:func:`verify` checks that every category, grid and severity tier has a route ending at units
able to act, that every station is reachable and routed to, that every escalation chain ends at
the city centre and that forward edges form no cycle; it returns a :class:`VerificationReport`
listing each :class:`Gap` by :class:`GapKind`.

>>> from ruian_governance import RULES_2021, generate_hierarchy
>>> report = verify(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0), RULES_2021)
>>> report.ok, report.routes_checked
(True, 45)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import networkx as nx  # type: ignore[import-untyped, unused-ignore]  # types-networkx (dev)

from ruian_governance._convert import LabelledEnum
from ruian_governance.errors import NoDepartmentError, NoStationError, RouteError
from ruian_governance.labels import Label
from ruian_governance.models import Hierarchy, UnitKind

from .graph import EdgeKind, _kinds_of, routing_graph
from .router import Hop, Router
from .rules import RoutingRules, SeverityTier, _severity

__all__ = ["Gap", "GapKind", "VerificationReport", "verify"]


class GapKind(LabelledEnum):
    """The kinds of gap :func:`verify` finds.

    >>> GapKind.NO_STATION.value, GapKind.NO_STATION.label.zh
    ('no_station', '缺少站所')
    """

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


GapKind._labels_ = {
    GapKind.NO_STATION: Label(en="no station", zh="缺少站所"),
    GapKind.NO_DEPARTMENT: Label(en="no department", zh="缺少职能部门"),
    GapKind.UNSTAFFED: Label(en="unstaffed", zh="无人在岗"),
    GapKind.MISSING_EDGE: Label(en="missing edge", zh="缺少流转关系"),
    GapKind.UNREACHABLE_STATION: Label(en="unreachable station", zh="站所不可达"),
    GapKind.UNROUTED_STATION: Label(en="unrouted station", zh="站所无事项"),
    GapKind.BROKEN_ESCALATION: Label(en="broken escalation", zh="上报链断裂"),
    GapKind.CYCLE: Label(en="cycle", zh="流转成环"),
}


def _gap_kind(value: GapKind | str) -> GapKind:
    # The converter of Gap.kind: one small typed function per enum field (see _convert).
    return GapKind.parse(value, "kind")


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

    kind: GapKind = attrs.field(converter=_gap_kind)
    message: str
    category: str | None = None
    severity: SeverityTier | None = attrs.field(default=None, converter=_severity)
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
    checked = len(rules.categories) * len(router.grids) * len(SeverityTier)
    return VerificationReport(gaps=tuple(gaps), routes_checked=checked)


def _route_gaps(router: Router) -> Iterator[Gap]:
    department_gaps: dict[str, Gap] = {}
    all_grids = tuple(router.grids)
    for (town_id, category, severity), error in router.tails.items():
        if not isinstance(error, RouteError):
            continue
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
    town_grids = router.town_grids
    for (town_id, category, severity), tail in router.tails.items():
        if not isinstance(tail, RouteError) and town_grids[town_id]:
            yield town_id, category, severity, tail


def _staffing_gaps(router: Router) -> Iterator[Gap]:
    h = router.hierarchy
    needs: dict[tuple[str, str], set[str]] = {}  # (unit, role) -> categories
    for town_id, room_id in router.command_rooms.items():
        if router.town_grids[town_id]:
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
    for grid_id, (town_id, hop) in router.grids.items():
        if not _edge_has(adj, hop):
            missing_by_town.setdefault(town_id, []).append(grid_id)
    for town_id, grids in missing_by_town.items():
        room = router.command_rooms[town_id]
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
            grid_ids=tuple(g for t in towns for g in router.town_grids[t]),
        )


_FORWARD_VALUES = frozenset(k.value for k in EdgeKind if not k.backward)


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
    seen = {n for n, data in nodes(data=True) if data.get("kind") == UnitKind.GRID.value}
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
    for node, data in graph.nodes(data=True):
        town = data.get("town", "")
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
