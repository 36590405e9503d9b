"""verify(): complete presets, and one example for every kind of gap."""

from __future__ import annotations

import networkx as nx
import pytest

from ruian_governance import (
    RULES_2016,
    RULES_2021,
    Category,
    Hierarchy,
    Label,
    Level,
    RoutingRules,
    SeverityTier,
    generate_hierarchy,
    routing_graph,
    ruian_preset,
    verify,
)
from ruian_governance.io import routing_to_node_link
from ruian_governance.presets import DEFAULT_DEPARTMENTS, PLATFORMS_2016
from ruian_governance.routing import GapKind
from world import without_stations


@pytest.fixture(scope="module")
def h() -> Hierarchy:
    """A small 2021 hierarchy."""
    return generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=5)


def test_preset_tables_verify_complete_on_generated_hierarchies() -> None:
    """Both preset tables route every category, grid and tier of a hierarchy of their preset."""
    h16 = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, preset=PLATFORMS_2016)
    h21 = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8)
    for hierarchy, rules in ((h16, RULES_2016), (h21, RULES_2021)):
        report = verify(hierarchy, rules)
        assert report.ok, report.summary()
        assert report.routes_checked == 15 * 8 * 3
        assert report.failing_routes == 0


def test_ruian_preset_verifies_complete() -> None:
    """The Rui'an preset's 23 towns are complete under the 2021 table."""
    h = ruian_preset(villages=23, grids=46, micro_grids=0, grid_workers=46, micro_grid_workers=0)
    assert verify(h, RULES_2021).ok


def test_removed_station_kind_gives_a_gap_per_category_and_tier(h: Hierarchy) -> None:
    """Removing a town's judicial office breaks larger reports of every category needing it.

    Ordinary reports fall back to the next station kind where the category has one; labour
    disputes and neighbour disputes both do, so only the larger tier is a gap.
    """
    report = verify(without_stations(h, "t0001", "judicial_office"), RULES_2021)
    gaps = report.of_kind(GapKind.NO_STATION)
    assert {(g.category, g.severity, g.town_id) for g in gaps} == {
        ("neighbour_dispute", SeverityTier.LARGER, "t0001"),
        ("labour_dispute", SeverityTier.LARGER, "t0001"),
    }
    grids = {g.id for g in h.units_at(Level.GRID) if g.id.startswith("t0001.")}
    for gap in gaps:
        assert set(gap.grid_ids) == grids
        assert gap.missing == ("judicial_office",)
        assert "t0001" in gap.message
    assert report.failing_routes == 2 * len(grids)


def test_every_gap_is_listed_not_just_the_first(h: Hierarchy) -> None:
    """Two towns missing different kinds both show up, at both failing tiers."""
    broken = without_stations(
        without_stations(h, "t0001", "petitions_office"), "t0002", "service_centre"
    )
    gaps = verify(broken, RULES_2021).of_kind(GapKind.NO_STATION)
    found = {(g.town_id, g.category, g.severity) for g in gaps}
    assert ("t0001", "petition", SeverityTier.ORDINARY) in found
    assert ("t0001", "petition", SeverityTier.LARGER) in found
    assert ("t0002", "social_security_query", SeverityTier.ORDINARY) in found
    assert ("t0002", "social_assistance", SeverityTier.LARGER) in found
    assert ("t0002", "labour_dispute", SeverityTier.LARGER) in found


def test_missing_departments_are_a_city_wide_gap() -> None:
    """Without a health bureau, major food-safety reports fail from every grid."""
    departments = [d for d in DEFAULT_DEPARTMENTS if d.department_kind != "health"]
    h = generate_hierarchy(towns=2, villages=2, grids=3, micro_grids=0, departments=departments)
    (gap,) = verify(h, RULES_2021).of_kind(GapKind.NO_DEPARTMENT)
    assert (gap.category, gap.severity, gap.missing) == (
        "food_safety",
        SeverityTier.MAJOR,
        ("health",),
    )
    assert len(gap.grid_ids) == 3


def test_unstaffed_station_is_a_gap() -> None:
    """A station with no station officer cannot act on what is routed to it."""
    h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, officers_per_station=0)
    gaps = verify(h, RULES_2021).of_kind(GapKind.UNSTAFFED)
    assert {g.unit_ids[0] for g in gaps} == {s.id for s in h.stations}
    assert all(g.missing == ("station_officer",) for g in gaps)


def test_unrouted_station_kind_is_a_gap(h: Hierarchy) -> None:
    """A station kind no category names gets no reports: each such station is listed."""
    rules = RoutingRules(
        key="tiny",
        label=Label(en="tiny", zh="小"),
        preset=h.preset,
        categories=[
            Category(
                key="public_order",
                label=Label(en="public order", zh="治安"),
                platform="comprehensive_governance",
                station_kinds=["police_station"],
            )
        ],
    )
    gaps = verify(h, rules).of_kind(GapKind.UNROUTED_STATION)
    assert {g.unit_ids[0] for g in gaps} == {
        s.id for s in h.stations if s.station_kind != "police_station"
    }


def test_missing_report_edge_in_a_user_graph_is_a_gap(h: Hierarchy) -> None:
    """A user graph that drops a grid's report edge fails that grid's routes."""
    g = routing_graph(h, RULES_2021)
    grid = h.units_at(Level.GRID)[0].id
    g.remove_edge(grid, "t0001.command_room")
    gaps = verify(h, RULES_2021, graph=g).of_kind(GapKind.MISSING_EDGE)
    assert [gap.grid_ids for gap in gaps] == [(grid,)]


def test_missing_dispatch_edge_in_a_user_graph_is_a_gap(h: Hierarchy) -> None:
    """A dispatch edge removed from the graph is named with the routes that need it."""
    g = routing_graph(h, RULES_2021)
    g.remove_edge("t0002.command_room", "t0002.station.police_station")
    (gap,) = verify(h, RULES_2021, graph=g).of_kind(GapKind.MISSING_EDGE)
    assert gap.missing == ("t0002.command_room -> t0002.station.police_station (dispatch)",)
    assert gap.town_id == "t0002"


def test_unreachable_station_in_a_user_graph_is_a_gap(h: Hierarchy) -> None:
    """A station whose forward in-edges are all removed is reached from no grid."""
    g = routing_graph(h, RULES_2021)
    station = "t0001.station.petitions_office"
    g.remove_edges_from([(u, station) for u in list(g.predecessors(station))])
    report = verify(h, RULES_2021, graph=g)
    (gap,) = report.of_kind(GapKind.UNREACHABLE_STATION)
    assert gap.unit_ids == (station,)


def test_broken_escalation_chain_is_a_gap(h: Hierarchy) -> None:
    """Without the command room's escalate edge, its town's units no longer reach the centre."""
    g = routing_graph(h, RULES_2021)
    g.remove_edge("t0001.command_room", "city.centre")
    gaps = verify(h, RULES_2021, graph=g).of_kind(GapKind.BROKEN_ESCALATION)
    assert [gap.town_id for gap in gaps] == ["t0001"]
    assert "t0001.command_room" in gaps[0].unit_ids
    assert all(n.startswith("t0001") for n in gaps[0].unit_ids)


def test_forward_cycle_is_a_gap_but_return_edges_are_not(h: Hierarchy) -> None:
    """A dispatch edge back from a station to a grid closes a forward cycle; returns do not."""
    g = routing_graph(h, RULES_2021)
    assert verify(h, RULES_2021, graph=g).of_kind(GapKind.CYCLE) == ()
    grid = h.units_at(Level.GRID)[0].id
    g.add_edge("t0001.station.police_station", grid, kind="dispatch", kinds="dispatch")
    (gap,) = verify(h, RULES_2021, graph=g).of_kind(GapKind.CYCLE)
    assert {grid, "t0001.command_room", "t0001.station.police_station"} <= set(gap.unit_ids)


def test_verify_does_not_change_a_graph_it_is_given(h: Hierarchy) -> None:
    """The graph passed to verify() is only read."""
    g = routing_graph(h, RULES_2021)
    before = routing_to_node_link(g)
    verify(h, RULES_2021, graph=g)
    assert routing_to_node_link(g) == before


def test_user_task_force_nodes_are_accepted(h: Hierarchy) -> None:
    """A task force 专班 added by a user, escalated to and feeding back, is not a gap."""
    g = routing_graph(h, RULES_2021)
    g.add_node("tf1", kind="task_force", town="", name="专班", name_en="task force")
    g.add_edge("city.centre", "tf1", kind="escalate", kinds="escalate")
    g.add_edge("tf1", "city.centre", kind="feedback", kinds="feedback")
    assert verify(h, RULES_2021, graph=g).ok


def test_gap_kinds_are_labelled_in_both_languages() -> None:
    """Every gap kind has an English and a Chinese label, and parses from its value."""
    assert len({kind.label.zh for kind in GapKind}) == len(GapKind)
    for kind in GapKind:
        assert kind.label.en == kind.value.replace("_", " ")
        assert GapKind.parse(kind.value, "kind") is kind


def test_summary_counts_gaps_by_kind(h: Hierarchy) -> None:
    """The summary has one line per kind of gap found."""
    text = verify(without_stations(h, "t0001", "petitions_office"), RULES_2021).summary()
    assert text.splitlines()[1:] == ["  no_station: 2"]


def test_graph_of_the_presets_has_no_forward_cycle() -> None:
    """Without return, feedback and evaluate edges the routing graph is a DAG."""
    g = routing_graph(
        generate_hierarchy(towns=2, villages=2, grids=4, micro_grids=4, preset=PLATFORMS_2016),
        RULES_2016,
    )
    forward = nx.DiGraph(
        (u, v)
        for u, v, kinds in g.edges(data="kinds")
        if set(kinds.split()) - {"return", "feedback", "evaluate"}
    )
    assert nx.is_directed_acyclic_graph(forward)
    assert not nx.is_directed_acyclic_graph(g)
