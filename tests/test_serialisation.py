"""JSON in and out: format versions, migrations, and errors that name JSON paths."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import DataError, Hierarchy, RuianGovernanceError, generate_hierarchy
from ruian_governance.errors import HierarchyError
from ruian_governance.io import (
    DOCUMENT_KINDS,
    FORMAT_VERSION,
    FORMAT_VERSIONS,
    configure_converter,
    from_document,
    loads,
    make_converter,
    migrate,
    to_document,
)


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """A small hierarchy document."""
    return to_document(generate_hierarchy(towns=2, villages=2, grids=3, micro_grids=3))


def load_error(data: dict[str, Any]) -> DataError:
    """Load `data`, expect a DataError (a ValueError) and return it."""
    with pytest.raises(DataError) as info:
        from_document(data, Hierarchy)
    assert isinstance(info.value, ValueError)
    return info.value


def test_document_carries_format_version(data: dict[str, Any]) -> None:
    """Every written hierarchy document starts with the current format_version."""
    assert next(iter(data)) == "format_version"
    assert data["format_version"] == FORMAT_VERSION


def test_output_is_plain_json_types(data: dict[str, Any]) -> None:
    """Unstructured data holds only dicts, lists, strings, numbers, booleans and None."""

    def walk(value: object) -> None:
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert value is None or isinstance(value, str | int | float | bool)

    walk(data)


def test_sets_are_written_sorted() -> None:
    """Frozensets (role unit kinds) are written as sorted lists: output is deterministic."""
    from ruian_governance.models import BUILTIN_ROLES

    converter = make_converter()
    role = BUILTIN_ROLES["grid_worker"]
    assert converter.unstructure(role)["unit_kinds"] == ["grid"]


def test_wrong_type_names_path(data: dict[str, Any]) -> None:
    """A number where a string belongs is refused with the JSON path of the field."""
    bad = copy.deepcopy(data)
    bad["units"][2]["name"] = 5
    error = load_error(bad)
    assert any(p.endswith("@ $.units[2].name") for p in error.problems), error.problems


def test_unknown_enum_value_names_path(data: dict[str, Any]) -> None:
    """An unknown level is refused with its path."""
    bad = copy.deepcopy(data)
    bad["units"][1]["level"] = "province"
    error = load_error(bad)
    assert any("$.units[1].level" in p for p in error.problems), error.problems


def test_missing_field_names_path(data: dict[str, Any]) -> None:
    """A missing required field is refused with its path."""
    bad = copy.deepcopy(data)
    del bad["centre"]["city_id"]
    error = load_error(bad)
    assert any("$.centre.city_id" in p for p in error.problems), error.problems


def test_extra_field_is_refused(data: dict[str, Any]) -> None:
    """An unknown field (a typo) is refused rather than silently dropped."""
    bad = copy.deepcopy(data)
    bad["stations"][0]["platfrom_id"] = "x"
    error = load_error(bad)
    assert any("platfrom_id" in p for p in error.problems), error.problems


def test_deeply_nested_junk_is_a_data_error(data: dict[str, Any]) -> None:
    """Junk (nested lists where objects belong, huge strings) gets a DataError, no traceback."""
    bad = copy.deepcopy(data)
    junk: Any = "x" * 1_000_000
    for _ in range(200):
        junk = [junk]
    bad["people"] = junk
    error = load_error(bad)
    assert error.problems
    assert len(str(error)) < 5_000


@pytest.mark.parametrize("document", [[], "hierarchy", None, 3])
def test_not_an_object(document: Any) -> None:
    """A document that is not a JSON object is refused at $."""
    error = load_error(document)
    assert error.problems[0].startswith("$")


def test_newer_version_is_refused(data: dict[str, Any]) -> None:
    """A document from a newer release is refused, naming both versions."""
    error = load_error({**data, "format_version": FORMAT_VERSION + 1})
    assert "newer" in str(error)


@pytest.mark.parametrize("version", [None, "1", True])
def test_missing_or_malformed_version_is_refused(data: dict[str, Any], version: object) -> None:
    """format_version must be an integer."""
    error = load_error({**data, "format_version": version})
    assert "$.format_version" in error.problems[0]


def test_older_version_without_migration_is_refused(data: dict[str, Any]) -> None:
    """An older version with no registered migration is refused, not guessed at."""
    error = load_error({**data, "format_version": 0})
    assert "no migration from version 0" in str(error)


def test_registered_migration_runs(data: dict[str, Any]) -> None:
    """migrate() applies registered steps in order and stamps the current version."""
    old = {key: value for key, value in data.items() if key != "format_version"}
    old["format_version"] = 0
    old["town_units"] = old.pop("units")  # a fictional version 0 named the field differently

    def rename(document: dict[str, Any]) -> dict[str, Any]:
        document = dict(document)
        document["units"] = document.pop("town_units")
        return document

    migrated = migrate(old, "hierarchy", {("hierarchy", 0): rename})
    assert migrated == data
    assert "town_units" in old  # the input was not mutated


def test_structural_error_passes_through(data: dict[str, Any]) -> None:
    """Well-formed data that breaks a hierarchy rule raises that rule's error."""
    bad = copy.deepcopy(data)
    bad["command_rooms"] = bad["command_rooms"][1:]
    with pytest.raises(HierarchyError):
        from_document(bad, Hierarchy)


def test_configure_converter_on_users_converter(data: dict[str, Any]) -> None:
    """Users can configure their own converter and pass it in."""
    import cattrs

    converter = cattrs.Converter()
    configure_converter(converter)
    h = from_document(data, Hierarchy, converter=converter)
    assert isinstance(h, Hierarchy)
    assert to_document(h, converter=converter) == data


def test_strict_scalars() -> None:
    """The converter does not coerce "5" into 5 or 1 into "1"."""
    converter = make_converter()
    with pytest.raises(Exception, match="expected int"):
        converter.structure("5", int)
    with pytest.raises(Exception, match="expected str"):
        converter.structure(1, str)


def test_refused_values_are_data_errors_with_any_converter(data: dict[str, Any]) -> None:
    """A value a hook refuses is a DataError naming its path, whichever converter loads it."""
    import cattrs

    bad = copy.deepcopy(data)
    bad["units"][0]["name"] = 5
    users = cattrs.Converter()
    configure_converter(users)
    for converter in (None, make_converter(), users):
        with pytest.raises(DataError) as info:
            from_document(bad, Hierarchy, converter=converter)
        assert info.value.problems == ("invalid value for type, expected str @ $.units[0].name",)


# --------------------------------------------------------------------------- hostile input


def _deep(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf] if depth % 2 else {"a": leaf}
    return leaf


_ANY = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=6)
    | st.binary(max_size=3)
    | st.sampled_from([5000, -5000]).map(lambda n: 10 ** abs(n) * (1 if n > 0 else -1))
    | st.sampled_from(["\ud800", "\u202e\x00", "x" * 100_000, object()])
    | st.integers(min_value=60, max_value=3_000).map(lambda d: _deep(d, 1)),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.frozensets(st.integers(), max_size=2)
        | st.dictionaries(st.text(max_size=6) | st.integers() | st.none(), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200)
@given(kind=st.sampled_from(sorted(DOCUMENT_KINDS)), junk=_ANY, spread=st.booleans())
def test_any_python_value_is_loaded_or_refused_with_a_data_error(
    kind: str, junk: Any, spread: bool
) -> None:
    """Finding 11: any Python value, as a document or inside one, is a DataError or a model.

    Deep nesting, keys that are not text, huge integers, bytes, sets and objects included;
    never RecursionError, TypeError, AttributeError or ValueError from inside the loaders.
    """
    document = {"format_version": FORMAT_VERSIONS[kind], "kind": kind, "x": junk}
    if spread and isinstance(junk, dict):
        document = {**document, **junk}
    for data in (junk, document):
        refusal: DataError | None = None
        try:
            from_document(data, kind)
        except DataError as error:
            refusal = error
        except RuianGovernanceError:
            continue  # a model's own rule about the whole
        if refusal is not None:
            assert refusal.problems
            assert all("$" in p for p in refusal.problems)
            assert len(str(refusal)) < 10_000


@settings(max_examples=100)
@given(kind=st.sampled_from(sorted(DOCUMENT_KINDS)), text=st.text() | st.binary())
def test_any_text_is_loaded_or_refused_with_a_data_error(kind: str, text: str | bytes) -> None:
    """Finding 11: ``loads`` of any text or bytes is a DataError or a model."""
    with contextlib.suppress(DataError):
        loads(text, kind)
