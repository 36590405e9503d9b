"""Routing properties over generated hierarchies, rule tables and reports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import (
    RULES_2016,
    RULES_2021,
    Hierarchy,
    Level,
    Report,
    Router,
    RoutingRules,
    SeverityTier,
    routing_graph,
    verify,
)
from ruian_governance.errors import NoStationError, RouteError
from ruian_governance.routing import EdgeKind, GapKind, edge_kinds, escalation_path
from ruian_governance.testing.strategies import hierarchies, reports, routing_rules
from world import without_stations


def small_hierarchies() -> st.SearchStrategy[Hierarchy]:
    """Hierarchies of one or two towns, a few villages, grids and micro-grids, either preset."""
    return hierarchies(
        max_towns=2, max_villages_per_town=2, max_grids_per_village=2, max_micro_grids_per_grid=2
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Hierarchy, RoutingRules, list]:  # type: ignore[type-arg]
    """A hierarchy, a drawn rule table for its preset, and a few reports."""
    h = draw(small_hierarchies())
    rules = draw(routing_rules(preset=h.preset, missing_departments=True))
    return h, rules, draw(st.lists(reports(hierarchy=h, rules=rules), min_size=1, max_size=8))


@given(scenarios())
def test_every_route_starts_at_the_report_and_follows_graph_edges(scenario: tuple) -> None:  # type: ignore[type-arg]
    """Invariant: a route starts at the reporting unit, and every hop is an edge of its kind.

    Each hop leaves a unit the route has already reached; an unroutable report raises a
    RouteError instead.
    """
    h, rules, drawn = scenario
    graph = routing_graph(h, rules)
    router = Router(h, rules)
    for report in drawn:
        try:
            r = router(report)
        except RouteError:
            continue
        assert r.origin == report.grid_id
        assert r.units[0] == report.grid_id
        assert r.hops[0].source == report.grid_id
        unit = h.unit(report.grid_id)
        assert r.grid_id == (unit.id if unit.level is Level.GRID else unit.parent_id)
        reached = {r.origin}
        for hop in r.hops:
            assert hop.source in reached
            assert hop.kind in edge_kinds(graph, hop.source, hop.target)
            assert hop.role in h.all_roles
            assert graph.nodes[hop.target]["kind"] in {
                k.value for k in h.role(hop.role).unit_kinds
            } | {"platform"}
            reached.add(hop.target)


@given(scenarios())
def test_no_route_leaves_its_town_without_an_escalate_edge(scenario: tuple) -> None:  # type: ignore[type-arg]
    """Invariant: a hop may reach a unit outside the grid's town only after an escalate hop."""
    h, rules, drawn = scenario
    graph = routing_graph(h, rules, micro_grids=True)
    router = Router(h, rules)
    for report in drawn:
        try:
            r = router(report)
        except RouteError:
            continue
        escalated = False
        for hop in r.hops:
            escalated = escalated or hop.kind is EdgeKind.ESCALATE
            if graph.nodes[hop.target]["town"] != r.town_id:
                assert escalated
        assert r.escalated == (r.severity is SeverityTier.MAJOR)


@given(small_hierarchies(), st.data())
def test_verify_gaps_are_exactly_the_failing_routes(h: Hierarchy, data: st.DataObject) -> None:
    """Invariant: verify() lists a (category, grid, tier) as a gap iff routing it raises."""
    rules = data.draw(routing_rules(preset=h.preset, missing_departments=True))
    report = verify(h, rules)
    listed = {
        (gap.category, grid, gap.severity)
        for gap in report.gaps
        if gap.kind in (GapKind.NO_STATION, GapKind.NO_DEPARTMENT)
        for grid in gap.grid_ids
    }
    router = Router(h, rules)
    failing = set()
    for category in rules.keys:
        for grid in h.units_at(Level.GRID):
            for tier in SeverityTier:
                try:
                    router(Report(id="r", grid_id=grid.id, category=category, severity=tier))
                except RouteError:
                    failing.add((category, grid.id, tier))
    assert listed == failing
    assert report.failing_routes == len(failing)


@given(small_hierarchies(), st.data())
def test_verify_finds_a_gap_whenever_a_required_station_kind_is_removed(
    h: Hierarchy, data: st.DataObject
) -> None:
    """Invariant: removing from a town a station kind the table requires is always a gap.

    The gap names the town, the category and the removed kind, at the larger tier.
    """
    rules = RULES_2016 if h.preset.key == "2016" else RULES_2021
    town = data.draw(st.sampled_from(h.towns)).id
    kinds = sorted({s.station_kind for s in h.stations_of(town)})
    kind = data.draw(st.sampled_from(kinds))
    assert verify(h, rules).ok
    report = verify(without_stations(h, town, kind), rules)
    gaps = report.of_kind(GapKind.NO_STATION)
    needing = {c.key for c in rules.categories if kind in c.station_kinds}
    assert needing
    assert {g.category for g in gaps if g.severity is SeverityTier.LARGER} == needing
    assert all(g.town_id == town and kind in g.missing for g in gaps)


@given(small_hierarchies(), st.data())
def test_drawn_tables_and_station_removal_gap_in_drawn_rules(
    h: Hierarchy, data: st.DataObject
) -> None:
    """Invariant: for drawn tables too, removing a required kind adds a larger-tier gap."""
    rules = data.draw(routing_rules(preset=h.preset))
    town = data.draw(st.sampled_from(h.towns)).id
    category = data.draw(st.sampled_from(rules.categories))
    kind = data.draw(st.sampled_from(category.station_kinds))
    report = verify(without_stations(h, town, kind), rules)
    assert any(
        g.town_id == town and g.category == category.key and g.severity is SeverityTier.LARGER
        for g in report.of_kind(GapKind.NO_STATION)
    )
    with pytest.raises(NoStationError) as info:
        Router(without_stations(h, town, kind), rules).tail(town, category.key, SeverityTier.LARGER)
    assert kind in info.value.station_kinds


@given(small_hierarchies(), st.data())
def test_every_escalation_path_ends_at_the_centre_along_graph_edges(
    h: Hierarchy, data: st.DataObject
) -> None:
    """Invariant: a unit's escalation path is a chain of graph edges ending at the centre."""
    rules = RULES_2016 if h.preset.key == "2016" else RULES_2021
    graph = routing_graph(h, rules)
    node = data.draw(st.sampled_from(sorted(graph.nodes)))
    path = escalation_path(h, node)
    current = node
    for hop in path:
        assert hop.source == current
        assert hop.kind in edge_kinds(graph, hop.source, hop.target)
        current = hop.target
    assert current == h.centre.id


@given(small_hierarchies())
def test_graph_attributes_are_strings(h: Hierarchy) -> None:
    """Invariant: every node and edge attribute is a string (GraphML and JSON friendly)."""
    rules = RULES_2016 if h.preset.key == "2016" else RULES_2021
    graph = routing_graph(h, rules)
    assert all(isinstance(v, str) for _, d in graph.nodes(data=True) for v in d.values())
    assert all(isinstance(v, str) for _, _, d in graph.edges(data=True) for v in d.values())
    expected = len(h.units) - 1 - len(h.towns) + 1 + len(h.departments) + len(h.command_rooms)
    assert graph.number_of_nodes() == expected + len(h.platforms) + len(h.stations)
