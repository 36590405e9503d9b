"""The model boundary: enum fields, ids and names, and hostile constructor arguments.

Findings 1 (strings where enums are expected) and 13 (control, bidirectional and surrogate
characters in ids and names) of the "Trust" issue, and the hostile-input property suite of every
public model constructor of the boundary: units, organisations, people, kinds, presets, the
hierarchy, labels, lifecycle parts, routing values and deadlines.

``python tests/test_boundary.py`` runs the property suite and prints, per constructor, how many
inputs were tried and how each was answered: accepted (and then a correct value), refused with
an ``ArgumentError``, or refused with another typed error of the library.
"""

from __future__ import annotations

import sys
import types
import typing
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import (
    CHINA_STANDARD_TIME,
    EVENT_LIFECYCLE,
    Engine,
    LifecycleDefinition,
)
from ruian_governance._convert import check_identifier
from ruian_governance.errors import ArgumentError, JurisdictionError, RuianGovernanceError
from ruian_governance.labels import FREE_TEXT_MAX, IDENTIFIER_MAX, TEXT_MAX, Label
from ruian_governance.lifecycles import Jurisdiction, Severity, State, Transition, Trigger
from ruian_governance.lifecycles.parts import TriggerKind
from ruian_governance.models import (
    AdminUnit,
    CommandRoom,
    DayCount,
    Deadline,
    Department,
    Employment,
    Hierarchy,
    Level,
    Person,
    Platform,
    PlatformKind,
    PlatformPreset,
    Post,
    Role,
    SocialGovernanceCentre,
    Station,
    StationKind,
    UnitKind,
)
from ruian_governance.presets import (
    DEFAULT_DEPARTMENTS,
    PLATFORMS_2016,
    PLATFORMS_2021,
    RULES_2021,
    DepartmentSpec,
    TownSpec,
    generate_hierarchy,
)
from ruian_governance.routing import (
    Category,
    EdgeKind,
    Hop,
    Report,
    Route,
    RoutingRules,
    SeverityTier,
)
from ruian_governance.routing.verify import Gap, GapKind

sys.path.insert(0, str(Path(__file__).parent))  # for `python tests/test_boundary.py`
from world import build_world, open_case

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
L = Label(en="x", zh="叉")
SMALL = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
POST = Post(role="grid_worker", unit_id="g1", employment="full_time")


def _enum(cls: Any, field: str) -> Callable[..., object]:
    def parse(value: object) -> object:
        return cls.parse(value, field)

    return parse


# Each public constructor of the boundary with a valid call (keyword arguments).
CONSTRUCTORS: dict[str, tuple[Callable[..., object], dict[str, Any]]] = {
    "Label": (Label, {"en": "grid", "zh": "网格"}),
    "Level.parse": (_enum(Level, "level"), {"value": "town"}),
    "UnitKind.parse": (_enum(UnitKind, "kind"), {"value": "station"}),
    "Employment.parse": (_enum(Employment, "employment"), {"value": "part_time"}),
    "Jurisdiction.parse": (_enum(Jurisdiction, "jurisdiction"), {"value": "holder"}),
    "TriggerKind.parse": (_enum(TriggerKind, "kind"), {"value": "dispatch"}),
    "SeverityTier.parse": (_enum(SeverityTier, "severity"), {"value": "major"}),
    "DayCount.parse": (_enum(DayCount, "count"), {"value": "working"}),
    "Role": (Role, {"key": "r", "label": L, "unit_kinds": ("grid", UnitKind.VILLAGE)}),
    "StationKind": (StationKind, {"key": "police_station", "label": L}),
    "PlatformKind": (PlatformKind, {"key": "p", "label": L, "station_kinds": ("s", "t")}),
    "PlatformPreset": (
        PlatformPreset,
        {
            "key": "mine",
            "label": L,
            "platforms": PLATFORMS_2021.platforms,
            "station_kinds": PLATFORMS_2021.station_kinds,
        },
    ),
    "AdminUnit": (
        AdminUnit,
        {"id": "t1", "name": "安阳街道", "level": "town", "parent_id": "c", "name_en": "Anyang"},
    ),
    "SocialGovernanceCentre": (
        SocialGovernanceCentre,
        {"id": "c.centre", "name": "社会治理中心", "city_id": "c", "name_en": "Centre"},
    ),
    "CommandRoom": (
        CommandRoom,
        {"id": "t1.room", "name": "指挥室", "town_id": "t1", "name_en": "Command room"},
    ),
    "Platform": (
        Platform,
        {"id": "t1.p", "name": "平台", "town_id": "t1", "platform_kind": "p", "name_en": ""},
    ),
    "Station": (
        Station,
        {
            "id": "t1.s",
            "name": "派出所",
            "town_id": "t1",
            "platform_id": "t1.p",
            "station_kind": "police_station",
            "name_en": "Police station",
        },
    ),
    "Department": (
        Department,
        {"id": "c.d", "name": "司法局", "city_id": "c", "department_kind": "justice"},
    ),
    "Post": (Post, {"role": "grid_worker", "unit_id": "g1", "employment": "full_time"}),
    "Person": (Person, {"id": "p1", "name": "陈建国", "posts": (POST,)}),
    "Hierarchy": (
        Hierarchy,
        {f.name: getattr(SMALL, f.name) for f in attrs.fields(Hierarchy) if f.init},
    ),
    "TownSpec": (TownSpec, {"id": "anyang", "name": "安阳街道", "name_en": "Anyang"}),
    "DepartmentSpec": (
        DepartmentSpec,
        {"department_kind": "justice", "name": "司法局", "name_en": "Justice Bureau"},
    ),
    "generate_hierarchy": (
        generate_hierarchy,
        {
            "towns": 1,
            "villages": 1,
            "grids": 2,
            "micro_grids": 0,
            "seed": 0,
            "preset": PLATFORMS_2016,
            "city_id": "c",
            "city_name": "示范市",
            "city_name_en": "Example",
            "departments": DEFAULT_DEPARTMENTS[:2],
            "supervision_panel": 1,
        },
    ),
    "State": (
        State,
        {"key": "open", "label": L, "initial": True, "final": False, "timed": True},
    ),
    "Trigger": (Trigger, {"key": "report", "label": L, "kind": "report"}),
    "Severity": (Severity, {"key": "ordinary", "label": L}),
    "Transition": (
        Transition,
        {
            "trigger": "go",
            "sources": ("a",),
            "dest": "b",
            "roles": ("grid_worker",),
            "jurisdiction": "holder",
            "requires": ("reason",),
            "accepts": ("note",),
        },
    ),
    "Report": (
        Report,
        {
            "id": "r1",
            "grid_id": "g1",
            "category": "petition",
            "severity": "major",
            "reporter_id": "p1",
            "at": T0,
            "description": "占道经营\n第二行",
        },
    ),
    "Category": (
        Category,
        {
            "key": "c",
            "label": L,
            "platform": "comprehensive_governance",
            "station_kinds": ("police_station",),
            "department_kinds": ("justice",),
            "default_severity": "larger",
        },
    ),
    "RoutingRules": (
        RoutingRules,
        {"key": "mine", "label": L, "preset": PLATFORMS_2021, "categories": RULES_2021.categories},
    ),
    "Deadline": (Deadline, {"days": 3, "count": "working"}),
}


def build(name: str, /, **changes: Any) -> Any:
    """Call constructor ``name`` with its valid arguments, changed by ``changes``."""
    make, base = CONSTRUCTORS[name]
    return make(**{**base, **changes})


# --------------------------------------------------------------------------- finding 1: enums

_OUTPUTS: dict[str, tuple[Callable[..., object], dict[str, Any]]] = {
    "Hop": (Hop, {"source": "a", "target": "b", "kind": "report", "role": "grid_worker"}),
    "Route": (
        Route,
        {
            "report_id": "r",
            "category": "c",
            "severity": "major",
            "origin": "g",
            "origin_role": "grid_worker",
            "grid_id": "g",
            "town_id": "t",
            "hops": (),
        },
    ),
    "Gap": (Gap, {"kind": "cycle", "message": "m", "severity": "larger"}),
    "LifecycleDefinition": (
        lambda **changes: attrs.evolve(EVENT_LIFECYCLE, **changes),
        {"holder_level": "village"},
    ),
}

ENUM_FIELDS = [
    # (constructor, enum-typed field, a member: its value is the string documents use)
    ("Transition", "jurisdiction", Jurisdiction.HOLDER),
    ("Transition", "jurisdiction", Jurisdiction.HOLDER_OR_ABOVE),
    ("Report", "severity", SeverityTier.LARGER), ("Deadline", "count", DayCount.WORKING),
    ("Category", "default_severity", SeverityTier.MAJOR), ("AdminUnit", "level", Level.VILLAGE),
    ("Post", "employment", Employment.PART_TIME), ("Trigger", "kind", TriggerKind.ESCALATE),
    ("LifecycleDefinition", "holder_level", Level.VILLAGE), ("Hop", "kind", EdgeKind.DISPATCH),
    ("Route", "severity", SeverityTier.ORDINARY), ("Gap", "kind", GapKind.NO_STATION),
    ("Gap", "severity", SeverityTier.MAJOR),
]  # fmt: skip


def _build_any(name: str, /, **changes: Any) -> Any:
    make, base = CONSTRUCTORS[name] if name in CONSTRUCTORS else _OUTPUTS[name]
    return make(**{**base, **changes})


@pytest.mark.parametrize(("name", "field", "member"), ENUM_FIELDS)
def test_enum_fields_take_their_documented_string_values(
    name: str, field: str, member: Any
) -> None:
    """Finding 1: ``Transition(jurisdiction="holder")`` holds ``Jurisdiction.HOLDER``.

    The string the JSON documents use and the member build equal values.
    """
    built = _build_any(name, **{field: member.value})
    assert getattr(built, field) is member
    assert built == _build_any(name, **{field: member})


@pytest.mark.parametrize(("name", "field", "member"), ENUM_FIELDS)
@pytest.mark.parametrize(
    "bad",
    ["nowhere", "urgent", "fortnightly", "sometimes", "HOLDER", " holder", "", 1, 2.5, b"holder",
     ["holder"], {"value": "holder"}, Level.CITY, Jurisdiction.ANY],
)  # fmt: skip
def test_enum_fields_refuse_anything_else_naming_field_and_value(
    name: str, field: str, member: object, bad: object
) -> None:
    """Finding 1: an unknown value is an ArgumentError naming the field and the value.

    (A member of another enum is refused too: ``Level.CITY`` is no jurisdiction.)
    """
    if isinstance(bad, type(member)):
        return  # a member of the field's own enum is a good value
    with pytest.raises(ArgumentError) as refused:
        _build_any(name, **{field: bad})
    assert (refused.value.argument, refused.value.value) == (field, bad)


def test_role_unit_kinds_are_converted_item_by_item() -> None:
    """Finding 1: a role's unit kinds are members or their values; anything else is refused."""
    role = build("Role", unit_kinds=["grid", UnitKind.STATION])
    assert role.unit_kinds == {UnitKind.GRID, UnitKind.STATION}
    assert build("Role", unit_kinds="grid").unit_kinds == {UnitKind.GRID}
    for bad in ("province", None, 3):
        with pytest.raises(ArgumentError) as refused:
            build("Role", unit_kinds=["grid", bad])
        assert (refused.value.argument, refused.value.value) == ("unit_kinds", bad)
    with pytest.raises(ArgumentError, match=r"^unit_kinds="):
        build("Role", unit_kinds=5)


def test_a_definition_spelled_with_strings_still_denies_another_town() -> None:
    """Finding 1: jurisdictions written as strings ("holder") check as the members do.

    Before the fix the definition kept the strings (it differed from the built-in one) and an
    engine could not be built on it (a raw ``KeyError`` from the jurisdiction check's table).
    Now the definition equals the built-in one, and the other town's operator is refused
    (fail closed) while the case's own operator accepts.
    """
    world = build_world()
    spelled = attrs.evolve(
        EVENT_LIFECYCLE,
        transitions=[
            attrs.evolve(t, jurisdiction=t.jurisdiction.value) for t in EVENT_LIFECYCLE.transitions
        ],
    )
    assert spelled == EVENT_LIFECYCLE
    assert all(type(t.jurisdiction) is Jurisdiction for t in spelled.transitions)
    engine = Engine(world.h, [spelled])
    case = open_case(attrs.evolve(world, engine=engine), "event")
    with pytest.raises(JurisdictionError):
        engine.apply(case, "accept", actor=world["other_operator"], at=T0 + timedelta(hours=1))
    accepted = engine.apply(case, "accept", actor=world["operator"], at=T0 + timedelta(hours=1))
    assert accepted.version == case.version + 1


def test_a_definition_refuses_an_unknown_jurisdiction() -> None:
    """Finding 1: ``jurisdiction="nowhere"`` never reaches a definition (nor its checks)."""
    with pytest.raises(ArgumentError, match=r"^jurisdiction='nowhere': expected one of 'any'"):
        Transition(trigger="go", sources=("a",), dest="b", roles={"r"}, jurisdiction="nowhere")
    assert isinstance(EVENT_LIFECYCLE, LifecycleDefinition)


# --------------------------------------------------------------------------- finding 13: text

# (constructor, field): every id field of the boundary's constructors; collection fields
# (marked by a tuple in their valid call) hold ids.
ID_FIELDS = [
    ("Role", "key"), ("StationKind", "key"), ("PlatformKind", "key"),
    ("PlatformKind", "station_kinds"), ("PlatformPreset", "key"), ("AdminUnit", "id"),
    ("AdminUnit", "parent_id"), ("SocialGovernanceCentre", "id"),
    ("SocialGovernanceCentre", "city_id"), ("CommandRoom", "id"), ("CommandRoom", "town_id"),
    ("Platform", "id"), ("Platform", "town_id"), ("Platform", "platform_kind"), ("Station", "id"),
    ("Station", "town_id"), ("Station", "platform_id"), ("Station", "station_kind"),
    ("Department", "id"), ("Department", "city_id"), ("Department", "department_kind"),
    ("Post", "role"), ("Post", "unit_id"), ("Person", "id"), ("TownSpec", "id"),
    ("DepartmentSpec", "department_kind"), ("generate_hierarchy", "city_id"), ("State", "key"),
    ("Trigger", "key"), ("Severity", "key"), ("Transition", "trigger"),
    ("Transition", "sources"), ("Transition", "dest"), ("Transition", "roles"),
    ("Transition", "requires"), ("Transition", "accepts"), ("Report", "id"),
    ("Report", "grid_id"), ("Report", "category"), ("Report", "reporter_id"), ("Category", "key"),
    ("Category", "platform"), ("Category", "station_kinds"), ("Category", "department_kinds"),
    ("RoutingRules", "key"),
]  # fmt: skip

# (constructor, field, may be empty): every name and label field.
NAME_FIELDS = [
    ("Label", "en", False), ("Label", "zh", False), ("AdminUnit", "name", False),
    ("AdminUnit", "name_en", True), ("SocialGovernanceCentre", "name", False),
    ("SocialGovernanceCentre", "name_en", True), ("CommandRoom", "name", False),
    ("CommandRoom", "name_en", True), ("Platform", "name", False), ("Platform", "name_en", True),
    ("Station", "name", False), ("Station", "name_en", True), ("Department", "name", False),
    ("Department", "name_en", True), ("Person", "name", False), ("TownSpec", "name", False),
    ("TownSpec", "name_en", True), ("DepartmentSpec", "name", False),
    ("DepartmentSpec", "name_en", True), ("generate_hierarchy", "city_name", False),
    ("generate_hierarchy", "city_name_en", True),
]  # fmt: skip

FREE_TEXT_FIELDS = [("Report", "description")]

REFUSED_IN_NAMES = [
    "\x00", "\t", "\n", "\r", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\u061c", "\u200e",
    "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
    "\u2069", "\u2028", "\u2029", "\ud800", "\udfff",
]  # fmt: skip
REFUSED_IN_IDS = [
    *REFUSED_IN_NAMES, " ", "\xa0", "\u3000", "\u200b", "\u200d", "\ufeff", "\u00ad", "\ue000",
    "\U000e0001", "\u0378",
]  # fmt: skip
GOOD_NAMES = [
    "安阳街道", "第1网格 (东)", "Rui'an — “Example” City", "\u3000全角空格开头", "陈\ue000明",
    "👩\u200d💻 grid", "a", "名" * TEXT_MAX,
]  # fmt: skip
GOOD_IDS = ["t0001.v001.g01", "food_safety", "安阳", "a-b:c/d#e", "x" * IDENTIFIER_MAX]


def _in_field(name: str, field: str, value: str) -> Any:
    """``value`` as the field wants it: a collection field gets a one-item tuple."""
    return (value,) if isinstance(CONSTRUCTORS[name][1][field], tuple) else value


def test_every_text_field_is_an_id_a_name_or_free_text() -> None:
    """The lists above cover every string field of the boundary's models (nothing forgotten)."""
    listed = {(n, f) for n, f in ID_FIELDS} | {(n, f) for n, f, _ in NAME_FIELDS}
    listed |= set(FREE_TEXT_FIELDS)
    found = set()
    for name, (make, _) in CONSTRUCTORS.items():
        if not (isinstance(make, type) and attrs.has(make)):
            continue
        hints = typing.get_type_hints(make)
        for field in attrs.fields(make):
            text = str in _flat(hints[field.name])
            if field.init and text:
                found.add((name, field.name))
    assert found <= listed, found - listed


def _flat(tp: Any) -> set[Any]:
    args = typing.get_args(tp)
    return {tp} if not args else {leaf for arg in args for leaf in _flat(arg)}


@pytest.mark.parametrize(("name", "field"), ID_FIELDS)
def test_ids_refuse_control_bidi_surrogate_and_other_non_printable_characters(
    name: str, field: str
) -> None:
    """Finding 13: an id with a character that is not printable is an ArgumentError.

    NUL, controls, bidi marks, overrides and isolates, lone surrogates, zero-width,
    private-use, unassigned and space characters are refused, naming the field and the
    character; so are an empty and a too-long id.  Good ids are kept as they are.
    """
    for char in REFUSED_IN_IDS:
        with pytest.raises(ArgumentError) as refused:
            build(name, **{field: _in_field(name, field, f"a{char}b")})
        assert refused.value.argument == field, char
        assert f"U+{ord(char):04X}" in str(refused.value)
    for bad in ("", "x" * (IDENTIFIER_MAX + 1)):
        with pytest.raises(ArgumentError):
            build(name, **{field: _in_field(name, field, bad)})
    if name == "generate_hierarchy":
        return  # ids are derived from the city's: a 200-character one makes longer ones
    for good in GOOD_IDS:
        built = build(name, **{field: _in_field(name, field, good)})
        held = getattr(built, field)
        assert held == good or set(held) == {good}


@pytest.mark.parametrize(("name", "field", "empty"), NAME_FIELDS)
def test_names_refuse_control_bidi_and_surrogate_characters(
    name: str, field: str, empty: bool
) -> None:
    """Finding 13: names and labels refuse control, bidi and surrogate characters.

    Control characters (NUL, tab and line breaks too), lone surrogates, line separators and
    bidirectional marks, overrides and isolates are refused; Chinese, spaces, punctuation,
    emoji and private-use characters are kept as they are.
    """
    for char in REFUSED_IN_NAMES:
        with pytest.raises(ArgumentError) as refused:
            build(name, **{field: f"名{char}字"})
        assert refused.value.argument == field, char
        assert f"U+{ord(char):04X}" in str(refused.value)
    with pytest.raises(ArgumentError):
        build(name, **{field: "名" * (TEXT_MAX + 1)})
    if empty:
        build(name, **{field: ""})
    else:
        with pytest.raises(ArgumentError, match="non-empty"):
            build(name, **{field: ""})
    for good in GOOD_NAMES:
        if name == "generate_hierarchy" and len(good) > TEXT_MAX - 10:
            continue  # other names are derived from the city's: a 500-character one is too long
        built = build(name, **{field: good})
        if name == "generate_hierarchy":
            assert good in (built.city.name, built.city.name_en)
        else:
            assert getattr(built, field) == good


def test_free_text_keeps_line_breaks_and_refuses_only_what_cannot_be_stored() -> None:
    """Finding 13: a description is free text, kept as written but for what cannot be stored.

    Line breaks and tabs are kept (exports escape them); a lone surrogate (no UTF-8 form) and
    more than FREE_TEXT_MAX characters are refused.
    """
    text = "第一行\n\t第二行 \u202e"
    assert build("Report", description=text).description == text
    for bad in ("a\ud800", "x" * (FREE_TEXT_MAX + 1), None, 5, b"x"):
        with pytest.raises(ArgumentError, match=r"^description="):
            build("Report", description=bad)


def test_check_identifier_is_the_one_id_rule_for_other_layers() -> None:
    """Finding 13: ``_convert.check_identifier`` (e.g. for case ids) is the id rule, once."""
    assert check_identifier("C-2025-0001", "case_id") == "C-2025-0001"
    with pytest.raises(ArgumentError, match=r"^case_id='C\\u202e1': expected an id"):
        check_identifier("C\u202e1", "case_id")
    with pytest.raises(ArgumentError, match=r"^case_id=None: expected an id"):
        check_identifier(None, "case_id")


# --------------------------------------------------------------------------- hostile inputs


class Big:
    """A marker for a value too big or deep to draw, print or shrink: built in the test."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"Big({self.key!r})"


def _deep(make: Callable[[Any], Any], depth: int = 100_000) -> Any:
    value: Any = make(None)
    for _ in range(depth):
        value = make(value)
    return value


BIG: dict[str, Any] = {
    "deep list": _deep(lambda inner: [inner]),
    "deep tuple": _deep(lambda inner: (inner,)),
    "deep dict": _deep(lambda inner: {"a": inner}),
    "huge str": "x" * 1_000_000,
    "huge id": "a" * (IDENTIFIER_MAX + 1),
    "huge name": "名" * (TEXT_MAX + 1),
    "huge int": 10**5000,
    "huge list": ["a"] * 100_000,
    "nan": float("nan"),
    "object": object(),
    "generator": None,  # replaced by a fresh generator in _expand
}

_WORDS = [
    "", " ", "holder", "nowhere", "town", "city", "grid", "major", "urgent", "working",
    "fortnightly", "full_time", "sometimes", "report", "grid_worker", "true", "1",
]  # fmt: skip
"""Strings that are (or look like) valid values somewhere: "", enum values, ids, a space."""

NASTY = [*REFUSED_IN_IDS, "\x00\x00", "\u202eevil", "a\u2066b\u2069"]

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=6),
    st.text(max_size=6),
    st.text(st.sampled_from([*REFUSED_IN_IDS, "a", "名"]), max_size=5),
    st.sampled_from(_WORDS),
    st.sampled_from([Level.TOWN, Jurisdiction.HOLDER, SeverityTier.MAJOR, UnitKind.GRID, L, POST]),
    st.sampled_from([Big(key) for key in BIG]),
    st.datetimes(max_value=datetime(2100, 1, 1)),
    st.datetimes(timezones=st.just(CHINA_STANDARD_TIME)),
)
HOSTILE = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=6,
)


def _expand(value: Any) -> Any:
    """Replace the :class:`Big` markers by their values (fresh generators each time)."""
    if isinstance(value, Big):
        return (x for x in ("a", "b")) if value.key == "generator" else BIG[value.key]
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_expand(v) for v in value)
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def _mutations(good: Any) -> st.SearchStrategy[Any]:
    """Hostile values for a field whose valid value is ``good``: anything, or ``good`` spoiled."""
    spoiled: list[st.SearchStrategy[Any]] = [HOSTILE]
    if isinstance(good, str) and good:
        spoiled.append(
            st.builds(
                lambda char, at: good[:at] + char + good[at:],
                st.sampled_from(NASTY),
                st.integers(0, len(good)),
            )
        )
    if isinstance(good, tuple) and good:
        spoiled.append(
            st.builds(
                lambda item, at: (*good[:at], item, *good[at:]),
                HOSTILE,
                st.integers(0, len(good)),
            )
        )
        spoiled.append(st.just(list(good)))  # a list instead of a tuple: converted
    return st.one_of(*spoiled)


OUTCOMES: defaultdict[str, Counter[str]] = defaultdict(Counter)
"""Per constructor, how many inputs were answered each way (see :func:`outcome_table`)."""


def _conforms(value: Any, tp: Any) -> bool:  # noqa: PLR0911 - one return per type form
    """Whether ``value`` is of the (resolved) type hint ``tp``, items included."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, arg) for arg in args)
    if tp is type(None):
        return value is None
    if tp is Any:
        return True
    if origin is tuple:
        items = args[0] if len(args) == 2 and args[1] is Ellipsis else None
        return isinstance(value, tuple) and all(_conforms(v, items) for v in value if items)
    if origin is frozenset:
        return isinstance(value, frozenset) and all(_conforms(v, args[0]) for v in value)
    if origin is not None:
        return isinstance(value, origin)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, tp)


def _assert_correct(name: str, built: Any) -> None:
    """An accepted call built a correct value: every field of its declared type, rebuildable."""
    if name.endswith(".parse"):
        assert isinstance(built, LabelledEnumTypes[name])
        return
    cls = type(built)
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        if field.init:
            value = getattr(built, field.name)
            assert _conforms(value, hints[field.name]), (field.name, value)
    attrs.validate(built)
    assert attrs.evolve(built) == built


LabelledEnumTypes: Mapping[str, type] = {
    "Level.parse": Level,
    "UnitKind.parse": UnitKind,
    "Employment.parse": Employment,
    "Jurisdiction.parse": Jurisdiction,
    "TriggerKind.parse": TriggerKind,
    "SeverityTier.parse": SeverityTier,
    "DayCount.parse": DayCount,
}


def _try(name: str, changes: dict[str, Any]) -> str:
    """Call constructor ``name`` with ``changes``; return the outcome class and count it.

    Anything but a correct value or a typed error of the library fails the test.
    """
    try:
        built = build(name, **changes)
    except ArgumentError as error:
        refusal: RuianGovernanceError | None = error
        outcome = "ArgumentError" if error.argument else "ArgumentError without an argument"
    except RuianGovernanceError as error:
        refusal = error
        outcome = f"other typed ({type(error).__name__})"
    else:
        refusal = None
        _assert_correct(name, built)
        outcome = "accepted"
    assert refusal is None or str(refusal)  # the message is built, however odd the value
    assert outcome != "ArgumentError without an argument"
    OUTCOMES[name][outcome] += 1
    return outcome


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
@given(data=st.data())
def test_hostile_arguments_give_a_typed_error_or_a_correct_value(
    name: str, data: st.DataObject
) -> None:
    """Findings 1 and 13 (and the Trust issue's hostile-input suite), for every constructor.

    One or two arguments are replaced by a value of the wrong type (None, numbers, NaN, bytes,
    containers), an out-of-range number, a deep (100,000 levels) or huge value, a string with
    control, bidirectional or surrogate characters, or a valid collection with one such item.
    The answer is a typed error of the library, or a value whose every field has its declared
    type and passes its validators again.
    """
    _, base = CONSTRUCTORS[name]
    fields = data.draw(
        st.lists(st.sampled_from(sorted(base)), min_size=1, max_size=2, unique=True),
        label="fields",
    )
    changes = {field: _expand(data.draw(_mutations(base[field]), label=field)) for field in fields}
    if name == "generate_hierarchy":
        for field, value in changes.items():  # keep the sizes small (a size is drawn freely)
            if isinstance(value, int) and 100 < value <= 10_000_000 and field != "seed":
                changes[field] = value % 100
    _try(name, changes)


def test_the_valid_calls_are_accepted() -> None:
    """Each constructor's valid call builds a correct value (the suite's starting point)."""
    for name in CONSTRUCTORS:
        assert _try(name, {}) == "accepted"


def outcome_table() -> str:
    """The inputs tried per constructor and how they were answered, as a Markdown table."""
    lines = ["| constructor | inputs tried | accepted | ArgumentError | other typed |"]
    lines.append("|---|---:|---:|---:|---:|")
    total: Counter[str] = Counter()
    for name in sorted(OUTCOMES):
        counts = OUTCOMES[name]
        other = sum(n for k, n in counts.items() if k.startswith("other"))
        kinds = ", ".join(sorted(k[13:-1] for k in counts if k.startswith("other")))
        row = (sum(counts.values()), counts["accepted"], counts["ArgumentError"], other)
        total.update(tried=row[0], accepted=row[1], argument=row[2], other=row[3])
        lines.append(f"| {name} | {row[0]} | {row[1]} | {row[2]} | {row[3]} {kinds} |".rstrip())
    lines.append(
        f"| **all** | {total['tried']} | {total['accepted']} | {total['argument']} "
        f"| {total['other']} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - the report's table
    import os

    examples = int(os.environ.get("EXAMPLES", "200"))
    run = settings(max_examples=examples, deadline=None, database=None)(
        test_hostile_arguments_give_a_typed_error_or_a_correct_value
    )
    for name in sorted(CONSTRUCTORS):
        run(name)
    print(outcome_table())
