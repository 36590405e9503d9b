"""Grid centroids in the hierarchy, and Open311 lat/long located by them (issue 12, point 8).

"Open311 ``lat``/``long`` locate the grid when the hierarchy carries grid centroids": an
administrative unit has an optional ``centroid`` (lat, long), validated, written in documents
and their JSON Schema; ``generate_hierarchy(origin=...)`` places every unit deterministically;
Open311 intake reads the hierarchy's centroids by default (``grid_centroids=`` overrides).
"""

from __future__ import annotations

import json
import math

import attrs
import jsonschema
import pytest

from ruian_governance import (
    Actor,
    Hierarchy,
    MemoryCaseStore,
    SimulationConfig,
    builtin_engine,
    generate_hierarchy,
    simulate,
)
from ruian_governance.errors import ArgumentError, DataError, Open311Error
from ruian_governance.intake import intake
from ruian_governance.io import (
    document_schema,
    dumps,
    from_document,
    load_hierarchy,
    to_document,
)
from ruian_governance.io.open311 import (
    GRID_RADIUS_KM,
    case_to_service_request,
    report_from_service_request,
)
from ruian_governance.models import AdminUnit, Level
from ruian_governance.presets import RULES_2021
from test_bulk import _errors
from world import T0

ORIGIN = (27.78, 120.65)
"""About Rui'an's city centre (for the tests only)."""


def _placed(seed: int = 0, origin: tuple[float, float] = ORIGIN) -> Hierarchy:
    return generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=seed,
                              origin=origin)  # fmt: skip


def _unit(centroid: object) -> AdminUnit:
    return AdminUnit(id="g1", name="网格1", level="grid", parent_id="v1", centroid=centroid)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        (91, 0), (-90.5, 0), (0, 180.01), (0, -181), (math.nan, 0), (0, math.inf),
        (-math.inf, 0), "27.78,120.65", ("27.78", "120.65"), (True, 0), (0, False), (1.0,),
        (1, 2, 3), {"lat": 1, "long": 2}, 27.78, b"ab", (None, None), (1e309, 0),
    ],
)  # fmt: skip
def test_a_centroid_is_a_point_in_degrees_or_it_is_refused(bad: object) -> None:
    """12.8: finite, lat in [-90, 90], long in [-180, 180]; text, flags and shapes refused."""
    with pytest.raises(ArgumentError) as info:
        _unit(bad)
    assert info.value.argument == "centroid"


def test_a_centroid_is_kept_as_a_pair_of_floats() -> None:
    """12.8: a list or ints are taken as a (lat, long) tuple of floats; the edges are in."""
    assert _unit([27, 120]).centroid == (27.0, 120.0)
    assert _unit((90, -180)).centroid == (90.0, -180.0)
    assert _unit(None).centroid is None
    assert AdminUnit(id="g1", name="网格1", level="grid", parent_id="v1").centroid is None


def test_generated_units_are_placed_deterministically_from_the_seed() -> None:
    """12.8: every unit gets a centroid near its parent's; same seed, same places."""
    h = _placed()
    assert h == _placed()
    assert h != _placed(seed=1)
    assert h.city.centroid == ORIGIN
    for unit in h.units:
        assert unit.centroid is not None
        if unit.parent_id is not None:
            parent = h.unit(unit.parent_id).centroid
            assert parent is not None
            assert abs(unit.centroid[0] - parent[0]) <= 0.15
            assert abs(unit.centroid[1] - parent[1]) <= 0.15
    grids = [u.id for lv in (Level.GRID, Level.MICRO_GRID) for u in h.units_at(lv)]
    assert list(h.grid_centroids()) == grids


def test_placing_changes_nothing_else_the_seed_makes() -> None:
    """12.8: without coordinates the placed hierarchy is the unplaced one, person by person."""
    placed = _placed()
    plain = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=0)
    assert plain.grid_centroids() == {}
    stripped = attrs.evolve(placed, units=[attrs.evolve(u, centroid=None) for u in placed.units])
    assert stripped == plain
    assert placed.people == plain.people


@pytest.mark.parametrize("bad", [(91, 0), "27.78,120.65", (math.nan, 1), (True, 1), [1, 2, 3], 0])
def test_a_bad_origin_is_refused_as_origin(bad: object) -> None:
    """12.8: the origin is checked as a centroid and named in the refusal."""
    with pytest.raises(ArgumentError) as info:
        generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, origin=bad)  # type: ignore[arg-type]
    assert info.value.argument == "origin"


def test_centroids_are_written_in_documents_and_their_schema() -> None:
    """12.8: ``[lat, long]`` in the unit's document, left out without one; both load back."""
    h = _placed()
    document = to_document(h)
    assert document["units"][0]["centroid"] == list(ORIGIN)
    assert from_document(document, Hierarchy) == h
    assert load_hierarchy(dumps(h)) == h  # the fast path hands it to the ordinary path
    jsonschema.validate(document, document_schema("hierarchy"))
    plain = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    assert all("centroid" not in u for u in to_document(plain)["units"])
    assert load_hierarchy(dumps(plain)) == plain
    unit_schema = document_schema("hierarchy")["$defs"]["AdminUnit"]
    assert "centroid" not in unit_schema.get("required", [])
    assert unit_schema["properties"]["centroid"]["prefixItems"][0]["maximum"] == 90


@pytest.mark.parametrize(
    "bad", [[95, 0], [0, 200], ["27", "120"], [True, 1], [1], [1, 2, 3], "27,120", {"a": 1}]
)
def test_a_document_with_a_bad_centroid_is_refused_with_its_path(bad: object) -> None:
    """12.8: a bad centroid in a document is a DataError naming the unit; the schema agrees."""
    document = to_document(_placed())
    document["units"][3]["centroid"] = bad
    with pytest.raises(DataError) as info:
        from_document(document, Hierarchy)
    assert "$.units[3]" in str(info.value)
    with pytest.raises(DataError):
        load_hierarchy(json.dumps(document))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, document_schema("hierarchy"))


def _form(lat: object, long: object) -> dict[str, object]:
    return {"service_code": "public_order", "lat": str(lat), "long": str(long)}


def test_open311_lat_long_locate_the_grid_by_the_hierarchys_centroids() -> None:
    """12.8: a coordinate-only request lands in the nearest grid or micro-grid."""
    h = _placed()
    for grid_id, (lat, long) in h.grid_centroids().items():
        report = report_from_service_request(
            _form(lat + 0.0001, long), hierarchy=h, rules=RULES_2021, request_id="R1", at=T0
        )
        assert report.grid_id == grid_id


def test_given_centroids_override_the_hierarchys() -> None:
    """12.8: ``grid_centroids=`` is used instead of the hierarchy's (an override)."""
    h = _placed()
    first, second = list(h.grid_centroids())[:2]
    point = h.grid_centroids()[first]
    report = report_from_service_request(
        _form(*point), hierarchy=h, rules=RULES_2021, request_id="R1", at=T0,
        grid_centroids={second: point},
    )  # fmt: skip
    assert report.grid_id == second


@pytest.mark.parametrize(
    ("lat", "long"), [("nan", "1"), ("91", "0"), ("x", "0"), ("inf", "0"), ("1e400", "0")]
)
def test_open311_refuses_a_point_that_is_not_one(lat: str, long: str) -> None:
    """12.8: a latitude or longitude that is not one is refused with code 400."""
    with pytest.raises(Open311Error) as info:
        report_from_service_request(
            {"service_code": "public_order", "lat": lat, "long": long},
            hierarchy=_placed(), rules=RULES_2021, request_id="R1", at=T0,
        )  # fmt: skip
    assert info.value.code == 400


def test_open311_refuses_a_point_far_from_every_grid_or_without_coordinates() -> None:
    """12.8: beyond GRID_RADIUS_KM of every centroid, or no centroids at all: code 400."""
    h = _placed()
    lat, long = ORIGIN
    far = lat + 2 * GRID_RADIUS_KM / 111 + 1.0  # far beyond every placed grid
    bare = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    for hierarchy, point in ((h, (far, long)), (bare, ORIGIN)):
        with pytest.raises(Open311Error) as info:
            report_from_service_request(
                _form(*point), hierarchy=hierarchy, rules=RULES_2021, request_id="R1", at=T0
            )
        assert info.value.code == 400


def test_one_call_intake_opens_a_coordinate_only_request_at_its_grid() -> None:
    """12.8: a posted form with only lat/long is stored at the grid of the nearest centroid."""
    h = _placed()
    store = MemoryCaseStore(builtin_engine(h))
    grid_id, (lat, long) = next(iter(h.grid_centroids().items()))
    done = intake(store, _form(lat, long), rules=RULES_2021, case_id="E1", at=T0)
    assert done.case.location_id == grid_id
    assert store.get("E1") == done.case
    before = len(store)
    with pytest.raises(Open311Error):
        intake(store, _form(0, 0), rules=RULES_2021, case_id="E2", at=T0)
    assert len(store) == before


def test_service_requests_carry_the_locations_centroid() -> None:
    """12.8: GeoReport's lat/long are the location's centroid (null without one)."""
    h = _placed()
    engine = builtin_engine(h)
    grid_id, point = next(iter(h.grid_centroids().items()))
    case = engine.open(
        "event", case_id="E1", trigger="report", actor=_worker(h, grid_id), at=T0,
        location_id=grid_id, category="public_order", severity="ordinary",
    )  # fmt: skip
    request = case_to_service_request(
        case, hierarchy=h, rules=RULES_2021, lifecycle=engine.lifecycle("event")
    )
    assert (request["lat"], request["long"]) == point


def _worker(h: Hierarchy, grid_id: str) -> Actor:
    person = next(p for p in h.people if any(q.unit_id == grid_id for q in p.posts))
    return Actor.of(h, person.id, "grid_worker")


def test_a_simulation_on_a_placed_city_runs_as_on_the_unplaced_one() -> None:
    """12.8: the simulation has coordinates when asked, and they change none of its cases."""
    placed = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0,
                                origin=ORIGIN)  # fmt: skip
    plain = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    a = simulate(SimulationConfig(hierarchy=placed, days=7, seed=1))
    b = simulate(SimulationConfig(hierarchy=plain, days=7, seed=1))
    assert a.cases == b.cases
    assert a.hierarchy.grid_centroids()


def test_the_fast_load_reads_centroids_as_the_ordinary_path_does() -> None:
    """12.8: a placed hierarchy loads fast to the same value as from_document gives."""
    h = _placed(seed=4)
    text = dumps(h)
    assert load_hierarchy(text) == from_document(json.loads(text), Hierarchy) == h
    ints = to_document(h)
    ints["units"][2]["centroid"] = [27, 120]
    assert load_hierarchy(json.dumps(ints)).units[2].centroid == (27.0, 120.0)


@pytest.mark.parametrize(
    "bad",
    [[95, 0], [0, -181], ["27", "120"], [True, 1], [1], [1, 2, 3], "27,120", {"lat": 1}, 5,
     [None, 1]],
)  # fmt: skip
def test_the_fast_load_refuses_bad_centroids_as_the_ordinary_path(bad: object) -> None:
    """12.8: the fast path never accepts what the ordinary path refuses, with its message."""
    document = to_document(_placed())
    document["units"][2]["centroid"] = bad
    expected, got = _errors(document)
    assert got == expected
