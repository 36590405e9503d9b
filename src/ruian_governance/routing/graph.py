"""The routing graph: the hierarchy's acting units and the hand-offs between them.

:func:`routing_graph` builds a plain :class:`networkx.DiGraph` whose nodes are the units that
act (grids, command rooms, platforms, stations, the centre, departments...) and whose edges
carry the kinds of hand-off they allow (:class:`EdgeKind`): forward kinds towards the unit that
acts, backward kinds (:data:`BACKWARD_EDGE_KINDS`) back to where the matter came from.

>>> from ruian_governance import RULES_2021, generate_hierarchy
>>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
...                   RULES_2021)
>>> sorted(k.value for k in edge_kinds(g, "t0001.command_room", "t0001.v001.g01"))
['evaluate', 'feedback']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import networkx as nx  # type: ignore[import-untyped, unused-ignore]  # types-networkx (dev)

from ruian_governance._convert import LabelledEnum
from ruian_governance.errors import UnknownIdError
from ruian_governance.labels import Label
from ruian_governance.models import (
    AdminUnit,
    Hierarchy,
    Level,
    Organisation,
    Platform,
    Station,
    UnitKind,
)

from .rules import RoutingRules, check_rules

__all__ = ["BACKWARD_EDGE_KINDS", "EdgeKind", "edge_kinds", "routing_graph"]


class EdgeKind(LabelledEnum):
    """The kinds of hand-off an edge of the routing graph allows.

    Forward kinds carry a matter towards the unit that acts: report, dispatch, coordinate,
    escalate.  Backward kinds (:data:`BACKWARD_EDGE_KINDS`) carry it back: return, feedback,
    evaluate.

    >>> EdgeKind.DISPATCH.label.zh, EdgeKind.RETURN.backward
    ('分流交办', True)
    """

    REPORT = "report"
    DISPATCH = "dispatch"
    COORDINATE = "coordinate"
    ESCALATE = "escalate"
    RETURN = "return"
    FEEDBACK = "feedback"
    EVALUATE = "evaluate"

    @property
    def backward(self) -> bool:
        """Whether this kind carries a matter back (return, feedback, evaluate)."""
        return self in BACKWARD_EDGE_KINDS


EdgeKind._labels_ = {
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


def _kinds_of(data: Mapping[str, Any]) -> str:
    """The space-separated kinds of an edge's attribute dict (``kinds``, else ``kind``)."""
    text = data.get("kinds")
    if text is None:
        text = data.get("kind", "")
    return str(text)


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
    edge = f"{source} -> {target}"
    try:
        data = graph.adj[source][target]
    except KeyError:
        raise UnknownIdError(edge, "the routing graph's edges") from None
    return frozenset(EdgeKind.parse(value, f"kinds of {edge}") for value in _kinds_of(data).split())


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
            (grid.id, cast("str", grid.parent_id), escalate),
            (room_of[town_of[grid.id]], grid.id, back),
        )
    )
    if micro_grids:
        micros = hierarchy.units_at(Level.MICRO_GRID)
        graph.add_nodes_from(
            (micro.id, _node_attrs(micro, town_of[micro.parent_id or ""])) for micro in micros
        )
        up = _edge_data(EdgeKind.REPORT, EdgeKind.ESCALATE)
        graph.add_edges_from((micro.id, cast("str", micro.parent_id), up) for micro in micros)
    return graph
