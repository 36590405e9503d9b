"""Routing graphs out: node-link JSON, GraphML, and Mermaid / DOT text of a town or a route.

Everything here returns plain values (dicts, strings, new graphs) and never changes the graph it
is given.  Node-link JSON and GraphML are networkx's own formats; Mermaid and DOT are written as
plain text, with English or Chinese labels, and need no extra package.

>>> from ruian_governance import RULES_2021, generate_hierarchy, routing_graph
>>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
...                   RULES_2021)
>>> print(routing_to_mermaid(town_routing_graph(g, "t0001", stations=False, escalation=False)))
flowchart TD
  n0["Town 1 Command Room"]
  n1["Village 1"]
  n2["Grid 1"]
  n0 -->|feedback, evaluate| n2
  n1 -->|escalate| n0
  n2 -->|report| n0
  n2 -->|escalate| n1
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import networkx as nx  # type: ignore[import-untyped, unused-ignore]  # types-networkx (dev)

from ruian_governance.errors import UnknownIdError
from ruian_governance.labels import Language
from ruian_governance.models import UnitKind
from ruian_governance.routing import EdgeKind, Route

from ._text import dot_quote, mermaid_text

__all__ = [
    "MERMAID_MAX_EDGES",
    "aggregate_grids",
    "route_graph",
    "routing_from_node_link",
    "routing_to_dot",
    "routing_to_graphml",
    "routing_to_mermaid",
    "routing_to_node_link",
    "town_routing_graph",
]


def routing_to_node_link(graph: nx.DiGraph[str]) -> dict[str, Any]:
    """Return the graph as networkx node-link data (JSON-ready; edges under ``"edges"``).

    >>> from ruian_governance import RULES_2021, generate_hierarchy, routing_graph
    >>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
    ...                   RULES_2021)
    >>> data = routing_to_node_link(g)
    >>> data["directed"], sorted(data)
    (True, ['directed', 'edges', 'graph', 'multigraph', 'nodes'])
    """
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


def routing_from_node_link(data: dict[str, Any]) -> nx.DiGraph[str]:
    """Rebuild a routing graph from :func:`routing_to_node_link` data.

    >>> from ruian_governance import RULES_2021, generate_hierarchy, routing_graph
    >>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
    ...                   RULES_2021)
    >>> back = routing_from_node_link(routing_to_node_link(g))
    >>> sorted(back.edges(data=True)) == sorted(g.edges(data=True))
    True
    """
    graph = nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")
    return cast("nx.DiGraph[str]", graph)


def routing_to_graphml(graph: nx.DiGraph[str]) -> str:
    """Return the graph as GraphML text (every attribute is a string).

    To write a file, pass the same graph to :func:`networkx.write_graphml`.

    >>> from ruian_governance import RULES_2021, generate_hierarchy, routing_graph
    >>> g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
    ...                   RULES_2021)
    >>> routing_to_graphml(g).startswith("<graphml")
    True
    """
    return "\n".join(nx.generate_graphml(graph))


def town_routing_graph(
    graph: nx.DiGraph[str],
    town_id: str,
    *,
    micro_grids: bool = False,
    stations: bool = True,
    escalation: bool = True,
) -> nx.DiGraph[str]:
    """Return a new graph of one town's routing, for drawing.

    It holds the town's nodes (command room, platforms, stations, villages, grids and, if asked,
    micro-grids) with the edges between them, and, with ``escalation``, the centre with the
    edges between it and the command room.

    Args:
        graph: A routing graph (only read).
        town_id: The town.
        micro_grids: Whether to keep micro-grids (there may be many).
        stations: Whether to keep platforms and stations.
        escalation: Whether to keep the centre and the escalate / feedback edges to it.

    Raises:
        UnknownIdError: No node of the graph belongs to ``town_id``.
    """
    dropped = {UnitKind.MICRO_GRID.value} if not micro_grids else set()
    if not stations:
        dropped |= {UnitKind.PLATFORM.value, UnitKind.STATION.value}
    keep = [
        n
        for n, data in graph.nodes(data=True)
        if data.get("town") == town_id and data.get("kind") not in dropped
    ]
    if not keep:
        raise UnknownIdError(town_id, "the routing graph's towns")
    if escalation:
        keep += [n for n, d in graph.nodes(data=True) if d.get("kind") == UnitKind.CENTRE.value]
    wanted = set(keep)
    sub: nx.DiGraph[str] = nx.DiGraph(**graph.graph)
    sub.add_nodes_from((n, dict(data)) for n, data in graph.nodes(data=True) if n in wanted)
    sub.add_edges_from(
        (u, v, dict(data)) for u, v, data in graph.edges(data=True) if u in wanted and v in wanted
    )
    return sub


MERMAID_MAX_EDGES = 500
"""The most edges Mermaid draws in one flowchart (its ``maxEdges`` setting, 500 by default,
which a diagram's own front matter may not raise); :func:`aggregate_grids` keeps a town of Rui'an
well under it."""

_GRID_KINDS = frozenset({UnitKind.GRID.value, UnitKind.MICRO_GRID.value})


def aggregate_grids(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """Return a new graph where each village's grids (and their micro-grids) are one node.

    A town of Rui'an has up to 186 grids, three edges each: drawn one by one they pass Mermaid's
    limit (:data:`MERMAID_MAX_EDGES`; Anyang's graph has 618 edges).  Every grid hands off the
    same way (report to the command room, escalate to its village, feedback and evaluation back),
    so the drawing keeps one node per village for its grids, named with their number, and one
    edge per pair of nodes and kinds (attribute ``count``: how many edges it stands for).  A grid
    belongs to the unit it escalates to (a micro-grid to its grid's village); a grid with none
    stays as it is.  Design choice: aggregate the level that multiplies, keep the rest as drawn.

    Args:
        graph: A routing graph, usually of one town (:func:`town_routing_graph`; only read).

    >>> from ruian_governance import RULES_2021, generate_hierarchy, routing_graph
    >>> g = routing_graph(generate_hierarchy(towns=1, villages=2, grids=6, micro_grids=0),
    ...                   RULES_2021)
    >>> town = town_routing_graph(g, "t0001", stations=False, escalation=False)
    >>> print(routing_to_mermaid(aggregate_grids(town)))
    flowchart TD
      n0["Town 1 Command Room"]
      n1["Village 1"]
      n2["3 grids of Village 1"]
      n3["Village 2"]
      n4["3 grids of Village 2"]
      n0 -->|feedback, evaluate| n2
      n0 -->|feedback, evaluate| n4
      n1 -->|escalate| n0
      n2 -->|report| n0
      n2 -->|escalate| n1
      n3 -->|escalate| n0
      n4 -->|report| n0
      n4 -->|escalate| n3
    """
    group_of = _grid_groups(graph)
    members: dict[str, list[str]] = {}
    for node, group in group_of.items():
        members.setdefault(group, []).append(node)
    out: nx.DiGraph[str] = nx.DiGraph(**graph.graph)
    for node, data in graph.nodes(data=True):
        if node not in group_of:
            out.add_node(node, **data)
            if f"{node}.grids" in members:  # a village's grids come right after it
                out.add_node(f"{node}.grids", **_group_attrs(graph, node, members[f"{node}.grids"]))
    for source, target, data in graph.edges(data=True):
        u, v = group_of.get(source, source), group_of.get(target, target)
        if u == v:
            continue  # a micro-grid reporting to a grid of the same group
        kinds = str(data.get("kinds", data.get("kind", ""))).split()
        if out.has_edge(u, v):
            edge = out.edges[u, v]
            kinds = [*edge["kinds"].split(), *(k for k in kinds if k not in edge["kinds"].split())]
            edge["count"] += 1
        else:
            out.add_edge(u, v, count=1)
        out.edges[u, v].update(kind=kinds[0] if kinds else "", kinds=" ".join(kinds))
    return out


def _grid_groups(graph: nx.DiGraph[str]) -> dict[str, str]:
    """Each grid or micro-grid node with the id of its group node (``<village>.grids``)."""
    groups: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") not in _GRID_KINDS:
            continue
        seen, current = {node}, node
        while graph.nodes[current].get("kind") in _GRID_KINDS:
            up = [
                v
                for v, data in graph.adj[current].items()
                if "escalate" in str(data.get("kinds", data.get("kind", ""))).split()
                and v not in seen
            ]
            if not up:
                break
            current = up[0]
            seen.add(current)
        if graph.nodes[current].get("kind") not in _GRID_KINDS:
            groups[node] = f"{current}.grids"
    return groups


def _group_attrs(graph: nx.DiGraph[str], village: str, nodes: list[str]) -> dict[str, Any]:
    owner = graph.nodes[village]
    grids = sum(1 for n in nodes if graph.nodes[n].get("kind") == UnitKind.GRID.value)
    micro = len(nodes) - grids
    name = str(owner.get("name") or village)
    name_en = str(owner.get("name_en") or name)
    zh = f"{name}的{grids}个网格" + (f"、{micro}个微网格" if micro else "")
    en = f"{_count(grids, 'grid')} of {name_en}" + (
        f" and {_count(micro, 'micro-grid')}" if micro else ""
    )
    return {
        "kind": "grids",
        "level": UnitKind.GRID.value,
        "town": owner.get("town", ""),
        "name": zh,
        "name_en": en,
        "grids": grids,
        "micro_grids": micro,
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def route_graph(route: Route, graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """Return a new graph of one route: its units (attributes from ``graph``) and its hops.

    Each edge's ``kind`` and ``kinds`` are the hop's kind, and ``role`` the role acting at its
    target.

    Raises:
        UnknownIdError: A unit of the route is not a node of ``graph``.
    """
    out: nx.DiGraph[str] = nx.DiGraph(name=f"route {route.report_id}")
    for unit in route.units:
        if unit not in graph:
            raise UnknownIdError(unit, "the routing graph")
        out.add_node(unit, **graph.nodes[unit])
    for hop in route.hops:
        out.add_edge(
            hop.source, hop.target, kind=hop.kind.value, kinds=hop.kind.value, role=hop.role
        )
    return out


def _node_text(data: dict[str, Any], node: str, language: Language) -> str:
    if language == "zh":
        return str(data.get("name") or node)
    return str(data.get("name_en") or data.get("name") or node)


def _edge_text(data: dict[str, Any], language: Language) -> str:
    values = str(data.get("kinds", data.get("kind", ""))).split()
    labels = []
    for value in values:
        try:
            labels.append(EdgeKind(value).label.text(language))
        except ValueError:
            labels.append(value)
    return ("、" if language == "zh" else ", ").join(labels)


def _sorted_edges(graph: nx.DiGraph[str]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    order = {node: i for i, node in enumerate(graph.nodes)}
    return sorted(graph.edges(data=True), key=lambda e: (order[e[0]], order[e[1]]))


def routing_to_mermaid(graph: nx.DiGraph[str], *, language: Language = "en") -> str:
    """Render a (small) routing graph as a Mermaid flowchart.

    Nodes are numbered ``n0``, ``n1``... in graph order and labelled with their name; edges are
    labelled with their kinds.  Use :func:`town_routing_graph` or :func:`route_graph` first: a whole
    city is too large to draw.

    Args:
        graph: The graph (only read).
        language: ``"en"`` or ``"zh"`` labels.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("a", name="第1网格", name_en="Grid 1")
    >>> g.add_node("b", name="指挥室", name_en="Command room")
    >>> g.add_edge("a", "b", kind="report", kinds="report")
    >>> print(routing_to_mermaid(g, language="zh"))
    flowchart TD
      n0["第1网格"]
      n1["指挥室"]
      n0 -->|上报| n1
    """
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart TD"]
    lines += [
        f'  {ids[node]}["{mermaid_text(_node_text(data, node, language))}"]'
        for node, data in graph.nodes(data=True)
    ]
    for source, target, data in _sorted_edges(graph):
        label = _edge_text(data, language)
        arrow = f"-->|{mermaid_text(label)}|" if label else "-->"
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
    return "\n".join(lines)


_SHAPES = {
    UnitKind.COMMAND_ROOM.value: "box",
    UnitKind.PLATFORM.value: "hexagon",
    UnitKind.STATION.value: "component",
    UnitKind.CENTRE.value: "doubleoctagon",
    UnitKind.DEPARTMENT.value: "box3d",
}


def routing_to_dot(graph: nx.DiGraph[str], *, language: Language = "en") -> str:
    """Render a (small) routing graph as Graphviz DOT text.

    Node ids are the graph's own ids (quoted), labels their names; backward edges (return,
    feedback, evaluate only) are dashed.

    Args:
        graph: The graph (only read).
        language: ``"en"`` or ``"zh"`` labels.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("a", name="第1网格", name_en="Grid 1", kind="grid")
    >>> g.add_node("b", name="指挥室", name_en="Command room", kind="command_room")
    >>> g.add_edge("a", "b", kind="report", kinds="report")
    >>> print(routing_to_dot(g))
    digraph routing {
      "a" [label="Grid 1", shape=ellipse];
      "b" [label="Command room", shape=box];
      "a" -> "b" [label="report"];
    }
    """
    backward = {k.value for k in EdgeKind if k.backward}
    lines = ["digraph routing {"]
    for node, data in graph.nodes(data=True):
        shape = _SHAPES.get(str(data.get("kind", "")), "ellipse")
        label = dot_quote(_node_text(data, node, language))
        lines.append(f"  {dot_quote(node)} [label={label}, shape={shape}];")
    for source, target, data in _sorted_edges(graph):
        values = set(str(data.get("kinds", data.get("kind", ""))).split())
        style = ", style=dashed" if values and values <= backward else ""
        label = dot_quote(_edge_text(data, language))
        lines.append(f"  {dot_quote(source)} -> {dot_quote(target)} [label={label}{style}];")
    lines.append("}")
    return "\n".join(lines)
