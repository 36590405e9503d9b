"""Routing exports: node-link JSON, GraphML, Mermaid and DOT."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from ruian_governance import (
    RULES_2021,
    Hierarchy,
    Report,
    SeverityTier,
    UnknownIdError,
    generate_hierarchy,
    route,
    routing_graph,
)
from ruian_governance.io import (
    route_graph,
    routing_from_node_link,
    routing_to_dot,
    routing_to_graphml,
    routing_to_mermaid,
    routing_to_node_link,
    town_routing_graph,
)


@pytest.fixture(scope="module")
def h() -> Hierarchy:
    """A small 2021 hierarchy with micro-grids."""
    return generate_hierarchy(towns=2, villages=3, grids=5, micro_grids=6, seed=8)


@pytest.fixture(scope="module")
def graph(h: Hierarchy) -> nx.DiGraph:
    """Its routing graph."""
    return routing_graph(h, RULES_2021)


def _same(a: nx.DiGraph, b: nx.DiGraph) -> bool:
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and {
        (u, v): d for u, v, d in a.edges(data=True)
    } == {(u, v): d for u, v, d in b.edges(data=True)}


def test_node_link_round_trips_through_json(graph: nx.DiGraph) -> None:
    """Node-link data survives json.dumps / json.loads and rebuilds the same graph."""
    data = json.loads(json.dumps(routing_to_node_link(graph), ensure_ascii=False))
    back = routing_from_node_link(data)
    assert isinstance(back, nx.DiGraph)
    assert back.is_directed()
    assert _same(back, graph)


def test_graphml_parses_back_to_the_same_graph(graph: nx.DiGraph) -> None:
    """GraphML text read back by networkx gives the same nodes, edges and attributes."""
    text = routing_to_graphml(graph)
    back = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
    assert _same(back, graph)
    assert back.nodes["t0001.command_room"]["name"].endswith("综合信息指挥室")


def test_town_graph_keeps_one_towns_units_and_the_centre(h: Hierarchy, graph: nx.DiGraph) -> None:
    """A town's graph has its command room, platforms, stations, villages, grids and the centre."""
    town = town_routing_graph(graph, "t0002")
    towns = {d["town"] for _, d in town.nodes(data=True)}
    assert towns == {"t0002", ""}
    assert "city.centre" in town
    assert not any(d["kind"] == "micro_grid" for _, d in town.nodes(data=True))
    assert len(town_routing_graph(graph, "t0002", micro_grids=True)) > len(town)
    assert "city.centre" not in town_routing_graph(graph, "t0002", escalation=False)
    with pytest.raises(UnknownIdError):
        town_routing_graph(graph, "nowhere")


def test_town_mermaid_names_every_unit_and_edge_kind(graph: nx.DiGraph) -> None:
    """The Mermaid text of a town shows each unit's name and each edge's kinds."""
    town = town_routing_graph(graph, "t0001")
    en = routing_to_mermaid(town)
    zh = routing_to_mermaid(town, language="zh")
    assert en.startswith("flowchart TD\n")
    for _, data in town.nodes(data=True):
        assert f'["{data["name_en"]}"]' in en
        assert f'["{data["name"]}"]' in zh
    for label in ("|report|", "|dispatch|", "|coordinate|", "|escalate|", "|return, feedback|"):
        assert label in en
    assert "|分流交办|" in zh
    assert "|联席协调|" in zh
    assert en.count("-->") == town.number_of_edges()


def test_route_mermaid_and_dot_show_the_hops(h: Hierarchy, graph: nx.DiGraph) -> None:
    """One route renders as its units and hops, in both formats and languages."""
    grid = "t0001.v001.g01"
    r = route(
        h, RULES_2021, Report(id="r1", grid_id=grid, category="fire_hazard",
                              severity=SeverityTier.LARGER)
    )  # fmt: skip
    sub = route_graph(r, graph)
    assert list(sub.nodes) == list(r.units)
    mermaid = routing_to_mermaid(sub, language="zh")
    assert mermaid.count("-->") == len(r.hops)
    assert "应急消防管理站" in mermaid
    dot = routing_to_dot(sub)
    assert dot.startswith("digraph routing {")
    assert dot.endswith("}")
    for hop in r.hops:
        assert f'"{hop.source}" -> "{hop.target}"' in dot
    assert 'label="coordinate"' in dot


def test_dot_dashes_backward_edges_and_escapes_quotes() -> None:
    """Backward-only edges are dashed; quotes in names are escaped."""
    g = nx.DiGraph()
    g.add_node("s", name='站"所', name_en='the "station"', kind="station")
    g.add_node("c", name="室", name_en="room", kind="command_room")
    g.add_edge("s", "c", kind="return", kinds="return feedback")
    g.add_edge("c", "s", kind="dispatch", kinds="dispatch")
    dot = routing_to_dot(g)
    assert r'label="the \"station\""' in dot
    assert '"s" -> "c" [label="return, feedback", style=dashed];' in dot
    assert '"c" -> "s" [label="dispatch"];' in dot
    assert "#quot;" in routing_to_mermaid(g)


def test_exports_do_not_change_the_graph(graph: nx.DiGraph) -> None:
    """Rendering and subgraphs leave the routing graph as it was."""
    before = routing_to_node_link(graph)
    town = town_routing_graph(graph, "t0001")
    town.add_node("extra")
    routing_to_mermaid(town)
    routing_to_dot(town)
    routing_to_graphml(graph)
    assert routing_to_node_link(graph) == before
