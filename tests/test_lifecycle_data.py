"""Command data is typed: each lifecycle declares what each data key holds.

Finding 5 of the Trust issue: a data value of the wrong type (None, a float, NaN, a dict,
bytes, a lone surrogate, control characters, ``object()``, a tuple of ints) is refused with a
typed error before anything is built, and a JSON list of ids is read as the tuple it is
recorded as.  The types are data of the definition and round-trip through lifecycle documents.
"""

from __future__ import annotations

import math

import attrs
import pytest

from ruian_governance import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    HAZARD_LIFECYCLE,
    ArgumentError,
    Case,
    LifecycleDefinition,
)
from ruian_governance.errors import InvalidDataError, RuianGovernanceError
from ruian_governance.io import dumps, from_document, loads, to_document
from ruian_governance.labels import check_identifier
from ruian_governance.lifecycles.parts import DEFAULT_DATA_SPEC, DataKind, DataSpec
from world import HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def accepted(world: World) -> Case:
    """An event the command room has accepted."""
    case = open_case(world, "event")
    return world.engine.apply(case, "accept", actor=world["operator"], at=T0 + HOUR)


BAD_VALUES = [
    None,
    1.5,
    math.nan,
    {"a": "b"},
    b"bytes",
    "\ud800",
    "x\x00y",
    "right-to-left \u202e override",
    "",
    "x" * 2001,
    object(),
    (1, 2),
    ["a", 3],
    True,
    7,
]


def _shown(value: object) -> str:
    """A test id the same in every worker (no memory address), not too long."""
    return "object()" if type(value) is object else repr(value)[:30]


@pytest.mark.parametrize("value", BAD_VALUES, ids=_shown)
def test_text_data_of_any_other_type_is_refused_and_nothing_changes(
    world: World, value: object
) -> None:
    """Finding 5: a reason that is not clean text of at most 2,000 characters is refused."""
    case = open_case(world, "event")
    before = (case.history, case.version, case.state)
    with pytest.raises(InvalidDataError) as info:
        world.engine.apply(case, "reject", actor=world["operator"], at=T0 + 2 * HOUR,
                           reason=value)  # type: ignore[arg-type]  # fmt: skip
    assert info.value.key == "reason"
    assert "2000 characters" in info.value.expected
    assert (case.history, case.version, case.state) == before


@pytest.mark.parametrize(
    "units",
    [None, "", (), ("a", 3), (1, 2), [["x"]], {"a": 1}, 1.0, b"x", ("\x00",), ("x",) * 51],
    ids=_shown,
)
def test_unit_ids_of_any_other_type_are_refused(world: World, units: object) -> None:
    """Finding 5: units are 1 to 50 ids; a tuple of ints is no longer read as targets."""
    case = accepted(world)
    with pytest.raises(InvalidDataError) as info:
        world.engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR,
                           units=units)  # type: ignore[arg-type]  # fmt: skip
    assert info.value.key == "units"


def test_a_json_list_of_ids_is_read_as_the_tuple_it_is_recorded_as(world: World) -> None:
    """Finding 5: ``units=[...]`` (JSON's form) is accepted, and recorded as a tuple."""
    case = accepted(world)
    station = world.station("police_station")
    dispatched = world.engine.apply(case, "dispatch", actor=world["operator"],
                                    at=T0 + 2 * HOUR, units=[station])  # type: ignore[arg-type]  # fmt: skip
    assert dispatched.assignees == (station,)
    assert dispatched.last.get("units") == (station,)
    assert world.engine.verify(attrs.evolve(dispatched)) == dispatched
    one = world.engine.apply(case, "dispatch", actor=world["operator"], at=T0 + 2 * HOUR,
                             units=station)  # fmt: skip
    assert one.last == dispatched.last


@pytest.mark.parametrize("stars", [0, 6, 2.5, "5", True, None, math.inf], ids=_shown)
def test_integers_are_whole_numbers_in_range(world: World, stars: object) -> None:
    """Finding 5: stars are a whole number from 1 to 5 (never a bool, a float or text)."""
    case = open_case(world, "event")
    case = world.engine.apply(case, "solve_on_spot", actor=world["worker"], at=T0 + HOUR,
                              result="talked to both")  # fmt: skip
    with pytest.raises(InvalidDataError, match="from 1 to 5"):
        world.engine.apply(case, "evaluate", actor=world["worker"], at=T0 + 2 * HOUR,
                           stars=stars)  # type: ignore[arg-type]  # fmt: skip


def test_opening_data_is_typed_too(world: World) -> None:
    """Finding 5: an opening command's data passes the same check."""
    with pytest.raises(InvalidDataError):
        world.engine.open("event", case_id="C9", trigger="report", actor=world["worker"], at=T0,
                          location_id=world.grid, category="noise",
                          description=math.nan)  # type: ignore[arg-type]  # fmt: skip


def test_every_built_in_data_key_has_a_declared_type() -> None:
    """Finding 5: the built-ins declare each key they require or accept (none defaulted)."""
    for definition in (EVENT_LIFECYCLE, DISPUTE_LIFECYCLE, HAZARD_LIFECYCLE):
        keys = {k for t in definition.transitions for k in t.requires | t.accepts}
        assert keys <= definition.data_specs.keys(), definition.key
    assert EVENT_LIFECYCLE.data_spec("stars") == DataSpec.integer(1, 5)
    assert EVENT_LIFECYCLE.data_spec("units").kind is DataKind.IDS
    assert EVENT_LIFECYCLE.data_spec("unknown") == DEFAULT_DATA_SPEC
    assert EVENT_LIFECYCLE.to_dict()["data"]["stars"] == {
        "kind": "integer",
        "minimum": 1,
        "maximum": 5,
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "text"},
        {"kind": "text", "max_length": 0},
        {"kind": "text", "max_length": 10, "minimum": 1},
        {"kind": "integer", "minimum": 1},
        {"kind": "integer", "minimum": 5, "maximum": 1},
        {"kind": "ids", "max_items": 0},
        {"kind": "flag", "max_items": 3},
        {"kind": "colour"},
        {"kind": "integer", "minimum": 1.5, "maximum": 3},
    ],
    ids=str,
)
def test_data_specs_refuse_bounds_of_another_kind(fields: dict[str, object]) -> None:
    """A spec takes its own kind's bounds, and no other (ArgumentError)."""
    with pytest.raises(ArgumentError):
        DataSpec(**fields)  # type: ignore[arg-type]


def test_flags_and_the_text_rule() -> None:
    """Flags are bools; text follows the rule of names (labels), at any length up to the bound."""
    assert DataSpec.flag().read(True) is True
    assert DataSpec.flag().read(1) is None
    text = DataSpec.text(2000).read
    assert text("全角\u3000空格 " * 100) is not None  # 800 characters, U+3000 spaces welcome
    for bad in ("第一行\n第二行", "bell\x07", "a" * 1000 + "\u202e", "x" * 2001):
        assert text(bad) is None
    ids = DataSpec.ids(3).read
    assert ids(check_identifier("t0001.v001.g01", "id")) == ("t0001.v001.g01",)
    assert ids(("a" * 201,)) is None
    assert ids(("tab\tid",)) is None


def test_lifecycle_documents_round_trip_the_data_types() -> None:
    """Finding 5: the types are data: a lifecycle document writes and reads them."""
    custom = EVENT_LIFECYCLE.extend(
        key="event_flagged",
        data_specs={"urgent": DataSpec.flag(), "stars": DataSpec.integer(1, 10)},
    )
    document = to_document(custom)
    assert document["data_specs"]["urgent"]["kind"] == "flag"
    loaded = from_document(document, LifecycleDefinition)
    assert loaded == custom
    assert loaded.data_spec("stars").read(10) == 10
    assert loads(dumps(EVENT_LIFECYCLE), "lifecycle").data_specs == EVENT_LIFECYCLE.data_specs
    broken = {**document, "data_specs": {"urgent": {"kind": "flag", "max_length": 3}}}
    with pytest.raises(RuianGovernanceError, match="max_length"):  # a DataError naming the path
        from_document(broken, LifecycleDefinition)
    with pytest.raises(ArgumentError, match="data_specs"):
        attrs.evolve(custom, data_specs={"x": "text"})
