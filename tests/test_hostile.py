"""Hostile input at every public entry point: a typed error or a correct result, nothing changed.

For the engine, both stores, the document and JSON-lines loaders, the Open311 readers and routing,
each test draws values a careless or hostile caller passes (wrong types, None, NaN and infinities,
huge and out-of-range numbers, deep nesting, huge strings, control characters, bidirectional
overrides, lone surrogates, bytes, arbitrary objects) into one argument at a time, with every other
argument valid, and asserts the invariant of the issue "Trust": the call returns a correct result
or raises a :class:`~ruian_governance.RuianGovernanceError`, and a refused call changes nothing
(the case, its history and version, the store's cases and histories, its indexes).

Each outcome is counted per entry point (accepted / typed error, by class); with the environment
variable ``RG_HOSTILE_REPORT`` set to a path, the counts are written there as a Markdown table
(``docs/reliability.md`` quotes them).  Run it alone, without xdist, for the table:
``RG_HOSTILE_REPORT=hostile.md pytest -p no:xdist tests/test_hostile.py``.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import (
    RULES_2021,
    Actor,
    Case,
    MemoryCaseStore,
    Report,
    RuianGovernanceError,
    SQLiteCaseStore,
    from_document,
    loads,
    route,
)
from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.io import (
    DOCUMENT_KINDS,
    parse_open311_errors,
    parse_open311_post_response,
    parse_open311_requests,
    parse_open311_services,
    read_cases,
    report_from_service_request,
)
from ruian_governance.stores import CaseStore
from world import T0, World, build_world, open_case

WORLD = build_world()
OUTCOMES: Counter[tuple[str, str]] = Counter()


class _DeepList(list):  # type: ignore[type-arg]
    """A list nested ``depth`` deep that prints short (Hypothesis' printer recurses)."""

    depth = 0

    def __repr__(self) -> str:
        return f"<list nested {self.depth} deep>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def _deep(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    outer = _DeepList([value])
    outer.depth = depth
    return outer


class _Opaque:
    """An object no part of the library knows."""

    def __repr__(self) -> str:
        return "<opaque>"


_NASTY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x1b", "\u202e", "\u2066", "\ud800", "\udfff", "\n", "\t"]),
    ),
    max_size=30,
)

HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    _NASTY_TEXT,
    st.binary(max_size=16),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.integers(), st.integers()),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.sampled_from(
        [
            "x" * 100_000,
            float("nan"),
            10**30,
            "9999-12-31T23:59:59+08:00",
            datetime(9999, 12, 31, 23, tzinfo=T0.tzinfo),
            datetime(1, 1, 1, tzinfo=T0.tzinfo),
            datetime(2025, 3, 3, 9),  # naive
            T0.date(),
            timedelta(days=1),
            ("a", 1),
            frozenset({"a"}),
        ]
    ),
    st.builds(_deep, st.integers(min_value=500, max_value=3000)),
    st.builds(_Opaque),
)
"""Values a careless or hostile caller passes where the library expects something else."""


def _record(entry: str, call: Callable[[], Any]) -> Any:
    """Run ``call``; count and return its result, or count its typed error and return None.

    Any exception outside the package's error hierarchy fails the test.
    """
    try:
        result = call()
    except RuianGovernanceError as error:
        OUTCOMES[entry, type(error).__name__] += 1
        return None
    OUTCOMES[entry, "accepted"] += 1
    return result


@pytest.fixture(scope="session", autouse=True)
def _report() -> Iterator[None]:
    yield
    path = os.environ.get("RG_HOSTILE_REPORT")
    if not path or not OUTCOMES:
        return
    entries = sorted({e for e, _ in OUTCOMES})
    lines = [
        "| entry point | inputs tried | accepted | typed errors (by class) |",
        "|---|---|---|---|",
    ]
    for entry in entries:
        outcomes = {o: n for (e, o), n in OUTCOMES.items() if e == entry}
        total = sum(outcomes.values())
        accepted = outcomes.pop("accepted", 0)
        errors = ", ".join(f"{o} {n}" for o, n in sorted(outcomes.items()))
        lines.append(f"| `{entry}` | {total} | {accepted} | {errors or '-'} |")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- the engine


def _world() -> World:
    return WORLD


OPEN_ARGUMENTS = ("lifecycle", "case_id", "trigger", "actor", "at", "location_id", "category")


@given(argument=st.sampled_from((*OPEN_ARGUMENTS, "severity", "parties")), value=HOSTILE)
def test_engine_open_gives_a_case_or_a_typed_error(argument: str, value: Any) -> None:
    """Engine.open with one hostile argument opens a valid case or raises a typed error."""
    w = _world()
    kwargs: dict[str, Any] = {
        "case_id": "H1",
        "trigger": "report",
        "actor": w["worker"],
        "at": T0,
        "location_id": w.grid,
        "category": "neighbours",
        "severity": "ordinary",
    }
    lifecycle: Any = "event"
    if argument == "lifecycle":
        lifecycle = value
    else:
        kwargs[argument] = value
    case = _record("Engine.open", lambda: w.engine.open(lifecycle, **kwargs))
    if case is not None:
        assert w.engine.replay(case.history) == case


@given(
    argument=st.sampled_from(["trigger", "actor", "at", "data key", "data value"]),
    value=HOSTILE,
)
def test_engine_apply_gives_a_case_or_a_typed_error_and_never_changes_the_case(
    argument: str, value: Any
) -> None:
    """Engine.apply with one hostile argument: a new case or a typed error, the case unchanged."""
    w = _world()
    case = open_case(w, "event")
    before = (case, case.history, case.version)
    trigger: Any = "accept"
    actor: Any = w["operator"]
    at: Any = T0 + timedelta(hours=1)
    data: dict[str, Any] = {}
    if argument == "trigger":
        trigger = value
    elif argument == "actor":
        actor = value
    elif argument == "at":
        at = value
    elif argument == "data key":
        if isinstance(value, str):
            data[value] = "x"
    else:
        data["note"] = value
    new = _record("Engine.apply", lambda: w.engine.apply(case, trigger, actor=actor, at=at, **data))
    assert (case, case.history, case.version) == before
    if new is not None:
        assert new.version == case.version + 1
        assert w.engine.replay(new.history) == new


@given(value=HOSTILE)
def test_engine_allowed_and_overdue_give_an_answer_or_a_typed_error(value: Any) -> None:
    """Engine.allowed and Engine.overdue with a hostile actor, case or time."""
    w = _world()
    case = open_case(w, "event")
    _record("Engine.allowed", lambda: w.engine.allowed(case, value))
    _record("Engine.allowed", lambda: w.engine.allowed(value, w["operator"]))
    _record("Engine.overdue", lambda: w.engine.overdue([case], value))
    _record("Engine.overdue", lambda: w.engine.overdue(value, T0))


@given(
    field=st.sampled_from(["seq", "trigger", "source", "dest", "actor", "at", "data"]),
    index=st.integers(min_value=0, max_value=2),
    value=HOSTILE,
)
def test_engine_replay_of_a_damaged_history_is_a_case_or_a_typed_error(
    field: str, index: int, value: Any
) -> None:
    """Engine.replay of a history with one field of one record replaced by a hostile value."""
    w = _world()
    case = open_case(w, "event")
    case = w.engine.apply(case, "accept", actor=w["operator"], at=T0 + timedelta(hours=1))
    case = w.engine.apply(
        case,
        "dispatch",
        actor=w["operator"],
        at=T0 + timedelta(hours=2),
        units=(w.station("police_station"),),
    )
    records = list(case.history)
    record = records[index]
    fields = {f: getattr(record, f) for f in ("seq", "trigger", "source", "dest", "actor", "at")}
    fields["data"] = record.data
    fields[field] = value
    try:
        records[index] = type(record)(**fields)
    except RuianGovernanceError:
        OUTCOMES["HistoryRecord", "refused"] += 1
        return
    _record("Engine.replay", lambda: w.engine.replay(records))


# --------------------------------------------------------------------------- the stores


def _snapshot(store: CaseStore) -> dict[str, tuple[Case, tuple[Any, ...]]]:
    return {case_id: (store.get(case_id), store.history(case_id)) for case_id in store.ids()}


def _stores() -> Iterator[tuple[str, CaseStore, SimilarCaseLibrary]]:
    w = _world()
    for name, make in (
        ("MemoryCaseStore", lambda idx: MemoryCaseStore(w.engine, indexes=[idx])),
        ("SQLiteCaseStore", lambda idx: SQLiteCaseStore(":memory:", w.engine, indexes=[idx])),
    ):
        library = SimilarCaseLibrary(w.h)
        store = make(library)
        store.add(open_case(w, "event", "S1"))
        store.add(open_case(w, "dispute", "S2"))
        yield name, store, library


STORE_CALLS: dict[str, Callable[[CaseStore, World, Any], Any]] = {
    "get": lambda s, w, v: s.get(v),
    "load": lambda s, w, v: s.load(v),
    "history": lambda s, w, v: s.history(v),
    "by_state": lambda s, w, v: s.by_state(v),
    "by_unit": lambda s, w, v: s.by_unit(v),
    "by_town": lambda s, w, v: s.by_town(v),
    "overdue": lambda s, w, v: s.overdue(v),
    "add": lambda s, w, v: s.add(v),
    "save": lambda s, w, v: s.save(v, expected_version=0),
    "save expected_version": lambda s, w, v: s.save(s.get("S1"), expected_version=v),
    "apply case_id": lambda s, w, v: s.apply(v, 0, "accept", actor=w["operator"], at=T0),
    "apply version": lambda s, w, v: s.apply("S1", v, "accept", actor=w["operator"], at=T0),
    "apply trigger": lambda s, w, v: s.apply("S1", 0, v, actor=w["operator"], at=T0),
    "apply actor": lambda s, w, v: s.apply("S1", 0, "accept", actor=v, at=T0),
    "apply at": lambda s, w, v: s.apply("S1", 0, "accept", actor=w["operator"], at=v),
    "apply data": lambda s, w, v: s.apply(
        "S1", 0, "accept", actor=w["operator"], at=T0 + timedelta(hours=1), note=v
    ),
    "open case_id": lambda s, w, v: s.open(
        "event",
        case_id=v,
        trigger="report",
        actor=w["worker"],
        at=T0,
        location_id=w.grid,
        category="c",
        severity="ordinary",
    ),
}


@given(call=st.sampled_from(sorted(STORE_CALLS)), value=HOSTILE)
def test_store_methods_answer_or_refuse_and_a_refusal_changes_nothing(
    call: str, value: Any
) -> None:
    """Every store method with a hostile argument: an answer or a typed error, store unchanged.

    On a refusal, every stored case, every history and the similar-case library are as before.
    """
    w = _world()
    for name, store, library in _stores():
        with store:
            before = _snapshot(store)
            filed = len(library)
            entry = f"{name}.{call.split(maxsplit=1)[0]}"
            result = _record(entry, lambda s=store: STORE_CALLS[call](s, w, value))
            if result is None:
                assert _snapshot(store) == before
                assert len(library) == filed


# --------------------------------------------------------------------------- documents and files


@given(kind=st.sampled_from(sorted(DOCUMENT_KINDS)), value=HOSTILE)
def test_from_document_gives_a_model_or_a_data_error(kind: str, value: Any) -> None:
    """from_document of a hostile value, bare or as a document's field, for every kind."""
    _record("from_document", lambda: from_document(value, kind))
    document = {"format_version": value, "kind": kind}
    _record("from_document", lambda: from_document(document, kind))
    case = open_case(_world(), "event")
    if kind == "case":
        from ruian_governance import to_document

        damaged = to_document(case)
        damaged["state"] = value
        _record("from_document", lambda: from_document(damaged, "case"))


@given(text=st.one_of(_NASTY_TEXT, st.builds(lambda n: "[" * n + "]" * n, st.integers(1, 200_000))))
def test_loads_gives_a_model_or_a_data_error(text: str) -> None:
    """Loads of hostile JSON text, including very deep nesting."""
    _record("loads", lambda: loads(text, "case"))


@given(lines=st.lists(st.one_of(_NASTY_TEXT, st.just('{"kind": "case"}')), max_size=4))
def test_read_cases_gives_cases_or_a_data_error(lines: list[str]) -> None:
    """read_cases of a damaged JSON-lines stream."""
    stream = io.StringIO("\n".join(lines))
    _record("read_cases", lambda: list(read_cases(stream)))


# --------------------------------------------------------------------------- Open311 and routing


@given(
    key=st.sampled_from(["service_code", "address_id", "address_string", "lat", "description"]),
    value=HOSTILE,
    odd_key=HOSTILE,
)
def test_report_from_service_request_gives_a_report_or_a_typed_error(
    key: str, value: Any, odd_key: Any
) -> None:
    """report_from_service_request of a form with one hostile value and one hostile key."""
    w = _world()
    form: dict[Any, Any] = {
        "service_code": "neighbour_dispute",
        "address_id": w.grid,
        "description": "噪音扰民",
    }
    form[key] = value
    _record(
        "report_from_service_request",
        lambda: report_from_service_request(
            form, hierarchy=w.h, rules=RULES_2021, request_id="R1", at=T0
        ),
    )
    form = {"service_code": "neighbour_dispute", "address_id": w.grid}
    try:
        form[odd_key] = "x"
    except TypeError:  # an unhashable key cannot even be put in a form
        return
    _record(
        "report_from_service_request",
        lambda: report_from_service_request(
            form, hierarchy=w.h, rules=RULES_2021, request_id="R1", at=T0
        ),
    )


@given(value=HOSTILE)
def test_open311_readers_give_records_or_a_typed_error(value: Any) -> None:
    """Every Open311 reader of a hostile answer (bare, and as a list item)."""
    for name, reader in (
        ("parse_open311_services", parse_open311_services),
        ("parse_open311_requests", parse_open311_requests),
        ("parse_open311_post_response", parse_open311_post_response),
        ("parse_open311_errors", parse_open311_errors),
    ):
        _record(name, lambda reader=reader: reader(value))  # type: ignore[misc]
        _record(name, lambda reader=reader: reader([value]))  # type: ignore[misc]
        _record(name, lambda reader=reader: reader([{"service_code": value}]))  # type: ignore[misc]


@given(
    field=st.sampled_from(["id", "category", "grid_id", "severity", "reporter_id", "at"]),
    value=HOSTILE,
)
def test_route_gives_a_route_or_a_typed_error(field: str, value: Any) -> None:
    """Report construction and route() with one hostile field."""
    w = _world()
    fields: dict[str, Any] = {
        "id": "R1",
        "category": "neighbour_dispute",
        "grid_id": w.grid,
        "reporter_id": w["worker"].person_id,
    }
    fields[field] = value
    report = _record("Report", lambda: Report(**fields))
    if report is not None:
        _record("route", lambda: route(w.h, RULES_2021, report))


def test_a_deep_json_file_is_refused_not_a_recursion_error() -> None:
    """A 100,000-deep JSON document gives a DataError from loads and from_document."""
    deep = "[" * 100_000 + "]" * 100_000
    _record("loads", lambda: loads(deep, "hierarchy"))
    _record("from_document", lambda: from_document(json.loads("[]"), "hierarchy"))
    nested = _deep(100_000)
    _record("from_document", lambda: from_document({"format_version": nested}, "case"))


def test_actor_of_unknown_people_is_a_typed_error() -> None:
    """Actor.of with ids that are not people, or not strings."""
    w = _world()
    for value in ("nobody", "", None, 3, "\ud800", ["p"]):
        _record("Actor.of", lambda value=value: Actor.of(w.h, value))  # type: ignore[arg-type]


SIMULATION_FIELDS = (
    "days",
    "seed",
    "start",
    "reports_per_grid_per_day",
    "hazards_per_town_per_day",
    "station_capacity",
    "department_capacity",
    "hazard_deadline_days",
    "capacities",
    "category_mix",
    "severity_mix",
    "dispute_tier_mix",
    "dispute_categories",
    "hazard_categories",
    "hotspots",
    "on_the_spot",
    "reject",
    "agreement",
    "rules",
    "hierarchy",
)


@given(field=st.sampled_from(SIMULATION_FIELDS), value=HOSTILE)
def test_simulation_config_is_built_or_refused_with_a_typed_error(field: str, value: Any) -> None:
    """SimulationConfig with one hostile field: a config or SimulationConfigError/ArgumentError.

    Bounds are part of the refusal: an infinite rate or a 10**30-day run would never finish.
    """
    from ruian_governance import SimulationConfig
    from ruian_governance.sim import PlantedHotspot

    w = _world()
    fields = {"hierarchy": w.h, field: value}
    _record("SimulationConfig", lambda: SimulationConfig(**fields))
    spot = {"unit_id": w.grid, "category": "food_safety", "factor": value}
    _record(
        "SimulationConfig",
        lambda: SimulationConfig(hierarchy=w.h, hotspots=[PlantedHotspot(**spot)]),
    )
