"""The bulk hierarchy path (issue 15 point 5): load_hierarchy equals from_document, always.

The fast path never refuses on its own: anything it does not accept as plainly good goes down
the ordinary path, so a bad document gets the same error (type and message) either way.
"""

from __future__ import annotations

import copy
import gc
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruian_governance import Hierarchy, RuianGovernanceError, generate_hierarchy, ruian_preset
from ruian_governance.errors import DataError
from ruian_governance.io import dumps, from_document, load_hierarchy, parse_json, to_document


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """A small generated hierarchy's document."""
    return to_document(generate_hierarchy(towns=3, villages=6, grids=12, micro_grids=12, seed=4))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_load_equals_the_ordinary_load(seed: int) -> None:
    """Point 5: the fast path builds the hierarchy from_document builds, field for field."""
    h = generate_hierarchy(towns=2, villages=5, grids=11, micro_grids=13, seed=seed)
    text = dumps(h)
    fast = load_hierarchy(text)
    assert fast == h == from_document(json.loads(text), Hierarchy)
    assert [attrs_tuple(u) for u in fast.units] == [attrs_tuple(u) for u in h.units]
    assert fast.people == h.people


def attrs_tuple(obj: object) -> tuple[Any, ...]:
    """The field values of an attrs instance, not recursing."""
    import attrs

    return attrs.astuple(obj, recurse=False)  # type: ignore[arg-type]


def test_preset_and_path_and_bytes(tmp_path: Path) -> None:
    """Point 5: text, UTF-8 bytes and a file path load alike (the Rui'an preset, Chinese names)."""
    h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23, micro_grid_workers=0)
    path = tmp_path / "h.json"
    path.write_text(dumps(h), encoding="utf-8")
    assert load_hierarchy(path) == load_hierarchy(path.read_bytes()) == h


def test_collector_setting_restored(document: dict[str, Any]) -> None:
    """Point 5: the collector paused for the load is on again afterwards (and off stays off)."""
    assert gc.isenabled()
    load_hierarchy(json.dumps(document))
    assert gc.isenabled()
    gc.disable()
    try:
        load_hierarchy(json.dumps(document))
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.fixture(params=["msgspec", "dicts"])
def fast_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs through the msgspec rows and through the plain-dict fast path."""
    from ruian_governance.io import bulk

    if request.param == "dicts":
        monkeypatch.setattr(bulk, "_from_rows", lambda text: None)
    return str(request.param)


def _errors(data: Any, text: str | None = None) -> tuple[Any, Any]:
    try:
        from_document(copy.deepcopy(data), Hierarchy)
    except RuianGovernanceError as error:
        expected = (type(error), str(error))
    else:  # pragma: no cover - every forged document below is refused
        pytest.fail("the ordinary path accepted the forged document")
    with pytest.raises(RuianGovernanceError) as raised:
        load_hierarchy(json.dumps(data, ensure_ascii=False) if text is None else text)
    return expected, (type(raised.value), str(raised.value))


FORGERIES = {
    "space in id": ("units", 1, "id", "a b"),
    "bool id": ("units", 1, "id", True),
    "int name": ("units", 2, "name", 5),
    "empty name": ("units", 2, "name", ""),
    "control in name": ("units", 2, "name", "a\x00b"),
    "bidi in name": ("units", 2, "name", "a\u202eb"),
    "long id": ("units", 3, "id", "x" * 201),
    "unknown level": ("units", 3, "level", "county"),
    "level as list": ("units", 3, "level", ["town"]),
    "parent not text": ("units", 3, "parent_id", 7),
    "extra key": ("units", 3, "extra", 1),
    "person id none": ("people", 0, "id", None),
    "posts not list": ("people", 0, "posts", "x"),
    "no posts": ("people", 0, "posts", []),
    "duplicate id": ("people", 1, "id", "city"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forged_documents_refused_as_by_the_ordinary_path(
    document: dict[str, Any], name: str, fast_path: str
) -> None:
    """Point 5: a forged document gets from_document's own error (type and message)."""
    part, index, key, value = FORGERIES[name]
    data = copy.deepcopy(document)
    data[part][index][key] = value
    expected, got = _errors(data)
    assert got == expected


@pytest.mark.parametrize("employment", ["boss", ["full_time"], {"a": 1}, 1, True, "FULL_TIME"])
def test_forged_employment(document: dict[str, Any], employment: Any, fast_path: str) -> None:
    """Point 5: an employment the enum does not know is refused as by the ordinary path."""
    data = copy.deepcopy(document)
    person = next(p for p in data["people"] if p["posts"][0]["employment"] is not None)
    person["posts"][0]["employment"] = employment
    expected, got = _errors(data)
    assert got == expected


@pytest.mark.parametrize(
    "change",
    [
        {"format_version": 99},
        {"kind": "case"},
        {"units": {}},
        {"people": None},
        {"preset": "2021"},
        {"bogus": 1},
        {"format_version": 1.0},
        {"format_version": True},
        {"centre": None},
        {"roles": [{"key": 5}]},
    ],
)
def test_forged_top_level(document: dict[str, Any], change: dict[str, Any], fast_path: str) -> None:
    """Point 5: a bad top-level field is refused as by the ordinary path."""
    expected, got = _errors({**document, **change})
    assert got == expected


def test_not_json() -> None:
    """Point 5: text that is not JSON is a DataError."""
    with pytest.raises(DataError, match="not JSON"):
        load_hierarchy("{")
    with pytest.raises(DataError, match="not JSON"):
        parse_json(b"\xff")


def test_without_orjson(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Point 5: without orjson (no scale extra) the standard json module parses the same."""
    from ruian_governance.io import bulk

    monkeypatch.setattr(bulk, "_orjson_loads", lambda: None)
    assert load_hierarchy(json.dumps(document)) == from_document(document, Hierarchy)
    with pytest.raises(DataError, match="not JSON"):
        parse_json("[")


@pytest.mark.parametrize("missing", ["preset", "centre", "command_rooms", "platforms", "stations"])
def test_missing_required_part(document: dict[str, Any], missing: str, fast_path: str) -> None:
    """Point 5: a document without a required part is a DataError naming it (was a TypeError)."""
    data = {k: v for k, v in document.items() if k != missing}
    expected, got = _errors(data)
    assert got == expected
    assert expected[0] is DataError


def _refuse(*args: Any) -> Any:
    raise AssertionError  # a path the test says is not taken


CENTROIDS = {
    "latitude out of range": [91, 0],
    "longitude out of range": [0, -180.5],
    "a flag": [True, 0],
    "three numbers": [1, 2, 3],
    "text": ["1", "2"],
    "an object": {"lat": 1, "long": 2},
    "huge integer": [10**30, 0],
}


@pytest.mark.parametrize("name", sorted(CENTROIDS))
def test_forged_centroid(document: dict[str, Any], name: str, fast_path: str) -> None:
    """Point 5: a centroid the model refuses is refused as by the ordinary path."""
    data = copy.deepcopy(document)
    data["units"][4]["centroid"] = CENTROIDS[name]
    expected, got = _errors(data)
    assert got == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("name", "安阳街道\u3000第1网格"),  # an ideographic space: a name, not printable
        ("name", "村\ue000"),  # a private-use character (生僻字 live there)
        ("name_en", ""),
        ("centroid", [27, 120]),  # integers: the model keeps floats
        ("centroid", [-90, 180.0]),
        ("centroid", None),
        ("parent_id", "city"),
    ],
)
def test_fast_path_accepts_what_the_model_accepts(
    document: dict[str, Any],
    key: str,
    value: Any,
    fast_path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Point 5: values the models accept load through the fast path as through from_document.

    The fast path itself takes them (the ordinary path is not asked).
    """
    data = copy.deepcopy(document)
    unit = next(u for u in data["units"] if u["level"] == "town")
    unit[key] = value
    text = json.dumps(data, ensure_ascii=False)
    expected = from_document(data, Hierarchy)
    from ruian_governance.io import bulk

    monkeypatch.setattr(bulk, "from_document", _refuse)
    if fast_path == "msgspec":
        monkeypatch.setattr(bulk, "parse_json", _refuse)
    assert load_hierarchy(text) == expected


def test_duplicate_keys_last_wins(document: dict[str, Any], fast_path: str) -> None:
    """Point 5: a key written twice means its last value, on every path (as JSON parsers do)."""
    text = json.dumps(document, ensure_ascii=False)
    first = json.dumps(document["units"][1]["id"])
    forged = text.replace('"id": ' + first, '"id": "bad id", "id": ' + first, 1)
    assert forged != text
    assert load_hierarchy(forged) == from_document(document, Hierarchy)
    forged = text.replace('"id": ' + first, '"id": ' + first + ', "id": "bad id"', 1)
    expected, got = _errors(json.loads(forged), forged)
    assert got == expected


@pytest.mark.parametrize(
    "text",
    ['{"format_version": 1, "units": [{"id": "\\ud800"}]}', "\ufeff{}", "{} x", "[1, 2]", "null"],
)
def test_not_a_document_text(text: str, fast_path: str) -> None:
    """Point 5: a lone surrogate, a byte-order mark, trailing text: the errors of the old path."""
    text = text.encode().decode("unicode_escape")
    try:
        expected: Any = from_document(parse_json(text), Hierarchy)
    except RuianGovernanceError as error:
        expected = (type(error), str(error))
    with pytest.raises(RuianGovernanceError) as raised:
        load_hierarchy(text)
    assert (type(raised.value), str(raised.value)) == expected


@pytest.mark.parametrize("depth", [50, 5000, 200_000])
def test_deeply_nested_small_part(document: dict[str, Any], depth: int, fast_path: str) -> None:
    """Point 5: a small part nested deeper than the parsers go is the old path's DataError."""
    text = json.dumps(document)[:-1] + ', "roles": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(DataError) as raised:
        load_hierarchy(text)
    if depth > 1000:
        assert "not JSON" in str(raised.value)


def test_the_msgspec_path_is_taken(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point 5: a good document is built from msgspec's rows alone (no dict parse, no cattrs)."""
    pytest.importorskip("msgspec")
    from ruian_governance.io import bulk

    for name in ("parse_json", "_fast", "from_document"):
        monkeypatch.setattr(bulk, name, _refuse)
    assert load_hierarchy(json.dumps(document)) == from_document(document, Hierarchy)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every value in a JSON document (containers included)."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _leaves(value, (*path, index))
    return found


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["town", "grid", "full_time", "t0001", "", " ", "a\u3000b", "x" * 201]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_one_change_loads_as_the_ordinary_path_loads(
    document: dict[str, Any], data: st.DataObject
) -> None:
    """Point 5 (property): any one change loads through the fast paths as from_document loads.

    One value of a document replaced by any JSON value (or a key dropped, or one added) gives
    the same hierarchy, or the same error (type and message), on both fast paths.
    """
    forged = copy.deepcopy(document)
    small = {"units": forged["units"][:4], "people": forged["people"][:3]}
    path = data.draw(st.sampled_from(_leaves(small)[1:]))
    *up, last = path
    parent: Any = forged
    for key in up:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "drop" and isinstance(parent, dict):
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["extra", "id", "centroid", "name_en"]))] = data.draw(
            _JSON_VALUES
        )
    else:
        parent[last] = data.draw(_JSON_VALUES)
    try:
        expected: Any = from_document(copy.deepcopy(forged), Hierarchy)
    except RuianGovernanceError as error:
        expected = (type(error), str(error))
    text = json.dumps(forged, ensure_ascii=False)
    for path_name in ("msgspec", "dicts"):
        from ruian_governance.io import bulk

        patched = pytest.MonkeyPatch()
        if path_name == "dicts":
            patched.setattr(bulk, "_from_rows", lambda text: None)
        try:
            got: Any = load_hierarchy(text)
        except RuianGovernanceError as error:
            got = (type(error), str(error))
        finally:
            patched.undo()
        assert got == expected, path_name
