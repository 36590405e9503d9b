"""Issue 14 point 10 (finding 6): the routing graph kept by a Router, not rebuilt per request.

The worked front end rebuilt the whole city's routing graph for each routing diagram;
``Router.graph()`` builds it once per router and returns the same frozen graph after.
"""

from __future__ import annotations

import time

import networkx as nx
import pytest

from ruian_governance import RULES_2021, routing_graph
from ruian_governance.errors import ArgumentError
from ruian_governance.io import routing_to_node_link, town_routing_graph
from ruian_governance.routing import Router
from small_city import CITY


def test_the_graph_is_built_once_and_equal_to_a_fresh_one() -> None:
    """Same object on every call, equal to routing_graph, frozen against changes."""
    router = Router(CITY, RULES_2021)
    graph = router.graph()
    assert router.graph() is graph
    assert routing_to_node_link(graph) == routing_to_node_link(routing_graph(CITY, RULES_2021))
    without = router.graph(micro_grids=False)
    assert without is router.graph(micro_grids=False)
    fresh = routing_graph(CITY, RULES_2021, micro_grids=False)
    assert routing_to_node_link(without) == routing_to_node_link(fresh)
    assert nx.is_frozen(graph)
    with pytest.raises(nx.NetworkXError):
        graph.add_edge("a", "b")
    assert not nx.is_frozen(graph.copy())
    town = CITY.towns[0].id
    assert town_routing_graph(graph, town).number_of_nodes() > 0  # reads it, changes nothing
    with pytest.raises(ArgumentError):
        router.graph(micro_grids="yes")  # type: ignore[arg-type]


def test_a_kept_graph_is_faster_than_a_rebuilt_one() -> None:
    """Ten reads of the kept graph against ten builds, in the same run (a ratio, not a time)."""
    router = Router(CITY, RULES_2021)
    router.graph()
    start = time.perf_counter()
    for _ in range(10):
        router.graph()
    kept = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(10):
        routing_graph(CITY, RULES_2021)
    rebuilt = time.perf_counter() - start
    assert kept * 100 < rebuilt
