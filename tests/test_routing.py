"""Routing examples: category tables, each severity tier, every preset category, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from ruian_governance import (
    RULES_2016,
    RULES_2021,
    Category,
    Hierarchy,
    Label,
    Level,
    Report,
    Router,
    RoutingRules,
    SeverityTier,
    UnknownIdError,
    generate_hierarchy,
    route,
    ruian_preset,
)
from ruian_governance.errors import (
    ArgumentError,
    CategoryTableError,
    NoDepartmentError,
    NoStationError,
    RouteError,
    UnknownCategoryError,
    UnknownRoutingKindError,
)
from ruian_governance.io import make_converter
from ruian_governance.presets import DEFAULT_DEPARTMENTS, PLATFORMS_2016, PLATFORMS_2021
from ruian_governance.routing import EdgeKind, check_rules, escalation_path
from world import without_stations

GRID = "t0001.v001.g01"


@pytest.fixture(scope="module")
def h2021() -> Hierarchy:
    """A small 2021 hierarchy with micro-grids."""
    return generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=3)


@pytest.fixture(scope="module")
def h2016() -> Hierarchy:
    """A small 2016 hierarchy with micro-grids."""
    return generate_hierarchy(
        towns=2, villages=4, grids=8, micro_grids=8, seed=4, preset=PLATFORMS_2016
    )


def _report(category: str, severity: SeverityTier | None = None, grid: str = GRID) -> Report:
    return Report(id="r1", grid_id=grid, category=category, severity=severity)


# --------------------------------------------------------------------------- the tables


def test_preset_tables_cover_the_required_categories_in_both_languages() -> None:
    """Both presets ship the five categories the issue names, with their Chinese labels."""
    wanted = {
        "neighbour_dispute": "邻里纠纷",
        "illegal_building": "违法建筑",
        "food_safety": "食品安全",
        "fire_hazard": "消防隐患",
        "social_security_query": "社保咨询",
    }
    for rules in (RULES_2016, RULES_2021):
        labels = {c.key: c.label.zh for c in rules.categories}
        assert wanted.items() <= labels.items()
        assert len(rules.categories) >= 12


def test_preset_tables_are_validated_against_their_own_presets() -> None:
    """Each preset table names only kinds of its own platform preset, not of the other one."""
    check_rules(RULES_2016, PLATFORMS_2016)
    check_rules(RULES_2021, PLATFORMS_2021)
    with pytest.raises(UnknownRoutingKindError) as info:
        check_rules(RULES_2016, PLATFORMS_2021)
    assert "market_supervision" in info.value.kinds
    assert info.value.preset == "2021"


def test_preset_tables_name_only_shipped_department_kinds() -> None:
    """Every department kind of the preset tables is one of DEFAULT_DEPARTMENTS."""
    shipped = {d.department_kind for d in DEFAULT_DEPARTMENTS}
    for rules in (RULES_2016, RULES_2021):
        assert {k for c in rules.categories for k in c.department_kinds} <= shipped


def _category(key: str = "x", **changes: object) -> Category:
    fields: dict[str, object] = {
        "key": key,
        "label": Label(en=key, zh=key),
        "platform": "comprehensive_governance",
        "station_kinds": ("police_station",),
    }
    fields.update(changes)
    return Category(**fields)  # type: ignore[arg-type]


def test_rules_refuse_unknown_platform_and_station_kinds_naming_each() -> None:
    """An unknown platform kind and an unknown station kind are both named in one error."""
    with pytest.raises(UnknownRoutingKindError) as info:
        RoutingRules(
            key="bad",
            label=Label(en="bad", zh="坏"),
            preset=PLATFORMS_2016,
            categories=[
                _category("a", platform="nowhere"),
                _category("b", station_kinds=("police_station", "tea_house")),
            ],
        )
    assert info.value.kinds == ("nowhere", "tea_house")
    assert isinstance(info.value, ValueError)
    assert "'a'" in str(info.value)
    assert "'b'" in str(info.value)


def test_rules_refuse_duplicate_keys_and_categories_without_stations() -> None:
    """Duplicate category keys and empty station kinds are reported together."""
    with pytest.raises(CategoryTableError) as info:
        RoutingRules(
            key="bad",
            label=Label(en="bad", zh="坏"),
            preset=PLATFORMS_2016,
            categories=[_category("a"), _category("a"), _category("c", station_kinds=())],
        )
    assert len(info.value.problems) == 2


def test_unknown_category_error_names_the_category_and_the_table() -> None:
    """Looking up a category the table lacks raises a LookupError naming both."""
    with pytest.raises(UnknownCategoryError) as info:
        RULES_2021.category("karaoke_noise")
    assert (info.value.category, info.value.rules) == ("karaoke_noise", "2021")
    assert isinstance(info.value, LookupError)
    assert str(info.value) == "unknown category 'karaoke_noise' in routing rules '2021'"


def test_severity_tiers_have_chinese_labels() -> None:
    """The three tiers are ordinary 一般, larger 较大 and major 重大."""
    assert [t.label.zh for t in SeverityTier] == ["一般", "较大", "重大"]


def test_labelled_routing_enums_parse_their_values() -> None:
    """Tiers and edge kinds are labelled enums: each member has a label and parses its value."""
    for enum in (SeverityTier, EdgeKind):
        for member in enum:
            assert member.label.en
            assert member.label.zh
            assert enum.parse(member.value, "field") is member
    with pytest.raises(ArgumentError, match="severity"):
        SeverityTier.parse("huge", "severity")


def test_category_takes_a_lone_station_kind_as_one_kind() -> None:
    """A single string of station kinds is one kind, not its letters (the shared converter)."""
    category = Category(
        key="x", label=Label(en="x", zh="x"), platform="p", station_kinds="police_station"
    )
    assert category.station_kinds == ("police_station",)


# --------------------------------------------------------------------------- reports


def test_report_requires_an_aware_time() -> None:
    """A naive datetime is refused (an ArgumentError naming ``at``); an aware one is kept."""
    with pytest.raises(ArgumentError, match="timezone-aware") as info:
        Report(id="r", grid_id=GRID, category="petition", at=datetime(2024, 1, 1))
    assert info.value.argument == "at"
    assert isinstance(info.value, ValueError)
    at = datetime(2024, 1, 1, tzinfo=UTC)
    assert Report(id="r", grid_id=GRID, category="petition", at=at).at == at


def test_report_round_trips_through_the_converter() -> None:
    """A report unstructures to plain JSON data and structures back equal."""
    converter = make_converter()
    report = Report(
        id="r1",
        grid_id=GRID,
        category="fire_hazard",
        severity=SeverityTier.LARGER,
        reporter_id="p0000001",
        at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        description="堆放杂物堵塞消防通道",
    )
    data = converter.unstructure(report)
    assert data["severity"] == "larger"
    assert converter.structure(data, Report) == report


# --------------------------------------------------------------------------- one example per tier


def test_ordinary_report_goes_to_one_station_of_the_grids_town(h2021: Hierarchy) -> None:
    """Ordinary: grid -> command room (report) -> the first station kind's station (dispatch)."""
    r = route(h2021, RULES_2021, _report("neighbour_dispute", SeverityTier.ORDINARY))
    assert [(hop.source, hop.target, hop.kind, hop.role) for hop in r.hops] == [
        (GRID, "t0001.command_room", EdgeKind.REPORT, "command_room_operator"),
        ("t0001.command_room", "t0001.station.judicial_office", EdgeKind.DISPATCH,
         "station_officer"),
    ]  # fmt: skip
    assert r.handlers == ("t0001.station.judicial_office",)
    assert (r.origin, r.origin_role, r.town_id, r.escalated) == (
        GRID,
        "grid_worker",
        "t0001",
        False,
    )


def test_larger_report_is_coordinated_through_the_joint_meeting(h2021: Hierarchy) -> None:
    """Larger: the command room convenes the platforms, each platform its stations of the kinds."""
    r = route(h2021, RULES_2021, _report("fire_hazard", SeverityTier.LARGER))
    assert [(hop.source, hop.target) for hop in r.hops[1:]] == [
        ("t0001.command_room", "t0001.platform.emergency_management"),
        ("t0001.platform.emergency_management", "t0001.station.emergency_fire_station"),
        ("t0001.command_room", "t0001.platform.supervision_enforcement"),
        ("t0001.platform.supervision_enforcement", "t0001.station.law_enforcement_squad"),
    ]
    assert {hop.kind for hop in r.hops[1:]} == {EdgeKind.COORDINATE}
    assert set(r.handlers) == {
        "t0001.station.emergency_fire_station",
        "t0001.station.law_enforcement_squad",
    }


def test_major_report_is_escalated_to_the_centre_and_departments(h2021: Hierarchy) -> None:
    """Major: command room -> centre -> every department of the category's kinds (escalate)."""
    r = route(h2021, RULES_2021, _report("illegal_building", SeverityTier.MAJOR))
    assert [(hop.target, hop.kind, hop.role) for hop in r.hops[1:]] == [
        ("city.centre", EdgeKind.ESCALATE, "centre_officer"),
        ("city.dept.law_enforcement", EdgeKind.ESCALATE, "department_officer"),
        ("city.dept.natural_resources", EdgeKind.ESCALATE, "department_officer"),
        ("city.dept.housing", EdgeKind.ESCALATE, "department_officer"),
    ]
    assert r.escalated


def test_report_without_severity_takes_the_categorys_default(h2021: Hierarchy) -> None:
    """Flood and typhoon defaults to larger; neighbour disputes to ordinary."""
    assert route(h2021, RULES_2021, _report("flood_typhoon")).severity is SeverityTier.LARGER
    assert route(h2021, RULES_2021, _report("petition")).severity is SeverityTier.ORDINARY


def test_micro_grid_report_starts_at_the_micro_grid_and_goes_through_its_grid(
    h2021: Hierarchy,
) -> None:
    """A micro-grid's report is handed to its grid, then routed from there."""
    micro = h2021.units_at(Level.MICRO_GRID)[0]
    r = route(h2021, RULES_2021, _report("public_order", grid=micro.id))
    assert r.origin == micro.id
    assert r.origin_role == "micro_grid_worker"
    assert r.grid_id == micro.parent_id
    assert (r.hops[0].source, r.hops[0].target, r.hops[0].role) == (
        micro.id,
        micro.parent_id,
        "grid_worker",
    )
    assert r.units[0] == micro.id


@pytest.mark.parametrize(
    ("rules", "preset"), [(RULES_2016, PLATFORMS_2016), (RULES_2021, PLATFORMS_2021)]
)
@pytest.mark.parametrize("index", range(15))
def test_every_preset_category_routes_at_every_tier(
    rules: RoutingRules, preset: object, index: int, h2016: Hierarchy, h2021: Hierarchy
) -> None:
    """Each preset category routes at each tier in a generated hierarchy of its preset.

    Ordinary ends at a station of the category's first station kind in the grid's town; larger at
    every station of its station kinds there; major at the departments of its kinds.
    """
    h = h2016 if preset is PLATFORMS_2016 else h2021
    category = rules.categories[index]
    router = Router(h, rules)
    for grid in h.units_at(Level.GRID):
        town = h.town_of(grid.id)
        assert town is not None
        ordinary = router(_report(category.key, SeverityTier.ORDINARY, grid.id))
        (station_id,) = ordinary.handlers
        station = h.station(station_id)
        assert (station.town_id, station.station_kind) == (town.id, category.station_kinds[0])
        larger = router(_report(category.key, SeverityTier.LARGER, grid.id))
        expected = {
            s.id for k in category.station_kinds for s in h.stations_of(town.id, station_kind=k)
        }
        assert set(larger.handlers) == expected
        major = router(_report(category.key, SeverityTier.MAJOR, grid.id))
        assert {h.node(u).department_kind for u in major.handlers} == set(  # type: ignore[union-attr]
            category.department_kinds
        )


def test_ruian_preset_routes_to_its_own_towns_stations() -> None:
    """In the Rui'an preset a grid of 塘下镇 is dispatched to 塘下镇's station."""
    h = ruian_preset(villages=23, grids=46, micro_grids=0, grid_workers=46, micro_grid_workers=0)
    grid = next(g for g in h.units_at(Level.GRID) if g.id.startswith("tangxia."))
    r = route(h, RULES_2021, _report("food_safety", grid=grid.id))
    assert h.node(r.handlers[0]).name == "塘下镇市场监管所"


# --------------------------------------------------------------------------- unroutable reports


def test_unknown_category_raises_a_route_error(h2021: Hierarchy) -> None:
    """A report in a category the table lacks raises UnknownCategoryError."""
    with pytest.raises(UnknownCategoryError):
        route(h2021, RULES_2021, _report("karaoke_noise"))


def test_unknown_grid_raises_unknown_id(h2021: Hierarchy) -> None:
    """A report from a unit that is neither grid nor micro-grid raises UnknownIdError."""
    for unit in ("nowhere", "t0001.v001", "t0001.command_room"):
        with pytest.raises(UnknownIdError, match="grids and micro-grids"):
            route(h2021, RULES_2021, _report("petition", grid=unit))


def test_missing_station_kind_names_the_town_and_the_kind(h2021: Hierarchy) -> None:
    """Without a market-supervision office, food safety fails at every tier below major."""
    h = without_stations(h2021, "t0001", "market_supervision_office")
    for tier in (SeverityTier.ORDINARY, SeverityTier.LARGER):
        with pytest.raises(NoStationError) as info:
            route(h, RULES_2021, _report("food_safety", tier))
        assert info.value.town_id == "t0001"
        assert info.value.station_kinds == ("market_supervision_office",)
        assert "'t0001'" in str(info.value)
        assert "market_supervision_office" in str(info.value)
    assert route(h, RULES_2021, _report("food_safety", SeverityTier.MAJOR)).escalated


def test_ordinary_falls_back_to_the_next_station_kind_but_larger_does_not(
    h2021: Hierarchy,
) -> None:
    """Without a judicial office, an ordinary neighbour dispute goes to the police station."""
    h = without_stations(h2021, "t0001", "judicial_office")
    r = route(h, RULES_2021, _report("neighbour_dispute", SeverityTier.ORDINARY))
    assert r.handlers == ("t0001.station.police_station",)
    with pytest.raises(NoStationError):
        route(h, RULES_2021, _report("neighbour_dispute", SeverityTier.LARGER))


def test_jurisdiction_is_not_crossed_when_the_own_town_lacks_a_station(h2021: Hierarchy) -> None:
    """A town without the station kind is refused, never served by another town's station."""
    h = without_stations(h2021, "t0001", "petitions_office")
    with pytest.raises(NoStationError):
        route(h, RULES_2021, _report("petition"))
    other = next(g.id for g in h.units_at(Level.GRID) if g.id.startswith("t0002"))
    assert route(h, RULES_2021, _report("petition", grid=other)).handlers == (
        "t0002.station.petitions_office",
    )


def test_missing_department_kind_raises_no_department() -> None:
    """A major report whose departments the city lacks raises NoDepartmentError."""
    h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, departments=())
    with pytest.raises(NoDepartmentError) as info:
        route(h, RULES_2021, _report("food_safety", SeverityTier.MAJOR))
    assert info.value.department_kinds == ("market_supervision", "health")
    assert isinstance(info.value, RouteError)


def test_category_without_departments_ends_major_reports_at_the_centre(h2021: Hierarchy) -> None:
    """A major report of a category naming no department is owned by the centre (领导包案)."""
    rules = RoutingRules(
        key="small",
        label=Label(en="small", zh="小"),
        preset=PLATFORMS_2021,
        categories=[_category("x")],
    )
    assert route(h2021, rules, _report("x", SeverityTier.MAJOR)).handlers == ("city.centre",)


def test_router_refuses_rules_of_another_preset(h2021: Hierarchy) -> None:
    """Rules for the 2016 platforms cannot route a 2021 hierarchy."""
    with pytest.raises(UnknownRoutingKindError):
        Router(h2021, RULES_2016)


# --------------------------------------------------------------------------- escalation paths


def test_escalation_path_of_a_micro_grid_climbs_the_whole_ladder(h2021: Hierarchy) -> None:
    """Micro-grid -> grid -> village -> command room -> centre, all escalate edges."""
    micro = h2021.units_at(Level.MICRO_GRID)[0]
    grid = h2021.unit(micro.parent_id or "")
    path = escalation_path(h2021, micro.id)
    assert [hop.target for hop in path] == [
        grid.id,
        grid.parent_id,
        "t0001.command_room",
        "city.centre",
    ]
    assert {hop.kind for hop in path} == {EdgeKind.ESCALATE}
    assert [hop.role for hop in path] == [
        "grid_worker",
        "village_cadre",
        "command_room_operator",
        "centre_officer",
    ]


def test_escalation_path_of_organisations(h2021: Hierarchy) -> None:
    """Stations return, platforms and departments feed back; the centre's path is empty."""
    station = escalation_path(h2021, "t0002.station.police_station")
    assert [(hop.target, hop.kind) for hop in station] == [
        ("t0002.command_room", EdgeKind.RETURN),
        ("city.centre", EdgeKind.ESCALATE),
    ]
    platform = escalation_path(h2021, "t0002.platform.public_services")
    assert platform[0].kind is EdgeKind.FEEDBACK
    assert [hop.target for hop in escalation_path(h2021, "t0002.command_room")] == ["city.centre"]
    dept = escalation_path(h2021, "city.dept.justice")
    assert [(hop.target, hop.kind) for hop in dept] == [("city.centre", EdgeKind.FEEDBACK)]
    assert escalation_path(h2021, "city.centre") == ()


def test_router_views_are_read_only_and_agree_with_routing(h2021: Hierarchy) -> None:
    """The router's precomputed decisions are public read-only views matching what it routes."""
    router = Router(h2021, RULES_2021)
    assert router.hierarchy is h2021
    assert router.rules is RULES_2021
    with pytest.raises(AttributeError):
        router.rules = RULES_2021  # type: ignore[misc]
    with pytest.raises(TypeError):
        router.tails["t0001", "petition", SeverityTier.ORDINARY] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        router.grids["x"] = ("t0001", router.grids[GRID][1])  # type: ignore[index]
    assert set(router.command_rooms) == {t.id for t in h2021.towns}
    for town_id, grids in router.town_grids.items():
        assert grids == router.grids_of(town_id)
        assert all(router.grids[g][0] == town_id for g in grids)
    for (town_id, category, severity), tail in router.tails.items():
        grid = router.town_grids[town_id][0]
        report = _report(category, severity, grid=grid)
        if isinstance(tail, RouteError):
            with pytest.raises(type(tail)):
                router(report)
        else:
            assert router(report).hops == (router.grids[grid][1], *tail)
            assert router.tail(town_id, category, severity) == tail


def test_a_precomputed_failure_is_raised_with_a_fresh_traceback(h2021: Hierarchy) -> None:
    """Routing the same unroutable report many times does not grow the shared error's traceback."""
    router = Router(without_stations(h2021, "t0001", "market_supervision_office"), RULES_2021)
    depths = []
    for _ in range(5):
        with pytest.raises(NoStationError) as info:
            router(_report("food_safety", SeverityTier.LARGER))
        depth, tb = 0, info.value.__traceback__
        while tb is not None:
            depth, tb = depth + 1, tb.tb_next
        depths.append(depth)
    assert len(set(depths)) == 1


def test_escalation_path_refuses_areas_and_people(h2021: Hierarchy) -> None:
    """Towns, the city and people are not routing units."""
    for unit in ("t0001", "city", h2021.people[0].id, "nowhere"):
        with pytest.raises(UnknownIdError):
            escalation_path(h2021, unit)


def test_hierarchy_without_stations_of_a_kind_still_validates(h2021: Hierarchy) -> None:
    """The test helper removes stations and their officers and keeps the hierarchy valid."""
    h = without_stations(h2021, "t0002", "police_station")
    assert not h.stations_of("t0002", station_kind="police_station")
    assert attrs.evolve(h) == h
