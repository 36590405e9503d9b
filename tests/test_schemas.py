"""JSON Schemas generated from the models, shipped as files, validated with jsonschema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs
import jsonschema
import pytest
from hypothesis import given

from ruian_governance import Hierarchy, to_document
from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.io import (
    DOCUMENT_KINDS,
    document_schema,
    json_schema,
    shipped_schema,
)
from ruian_governance.testing.strategies import hierarchies


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS))
def test_shipped_files_match_the_models(kind: str) -> None:
    """The schema files in the package equal the schemas generated from the models now.

    If this fails, run ``python tools/regenerate_schemas.py`` and commit the files.
    """
    assert shipped_schema(kind) == document_schema(kind)


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS))
def test_schemas_are_valid_draft_2020_12(kind: str) -> None:
    """Every document schema is itself a valid draft 2020-12 schema."""
    jsonschema.Draft202012Validator.check_schema(document_schema(kind))


_VALIDATOR = jsonschema.Draft202012Validator(
    document_schema("hierarchy"), format_checker=jsonschema.FormatChecker()
)


@given(hierarchies())
def test_every_hierarchy_document_validates(h: Hierarchy) -> None:
    """Invariant: every hierarchy document the library writes validates against its schema."""
    _VALIDATOR.validate(to_document(h))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("units", 1, "level"), "province"),
        (("units", 1, "name"), 7),
        (("format_version",), 99),
        (("centre", "surprise"), "x"),
    ],
)
def test_bad_documents_fail_the_schema(path: tuple[Any, ...], value: object) -> None:
    """Wrong enum values, wrong types, wrong versions and extra keys fail validation."""
    from ruian_governance import generate_hierarchy

    data = to_document(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not _VALIDATOR.is_valid(data)


def test_unknown_field_type_is_an_argument_error_naming_the_field() -> None:
    """A field type with no JSON form is refused with an ArgumentError naming field and type."""

    @attrs.frozen
    class Odd:
        value: complex

    with pytest.raises(ArgumentError, match="complex") as info:
        json_schema(Odd)
    assert info.value.argument == "Odd.value"


def test_unknown_document_kind_is_an_unknown_id() -> None:
    """Asking for the schema of a kind that is not a document kind raises UnknownIdError."""
    for lookup in (document_schema, shipped_schema):
        with pytest.raises(UnknownIdError, match="document kinds"):
            lookup("nothing")


@attrs.frozen(kw_only=True)
class Sample:
    """A model with every field form the generator maps."""

    maybe: int | None = None
    tags: frozenset[str] = frozenset()
    scores: Mapping[str, float] = attrs.field(factory=dict)
    lang: Literal["en", "zh"] = "en"
    pair: tuple[int, str] = (1, "a")


def test_optional_union_literal_and_mapping_forms() -> None:
    """Optional fields become anyOf with null, mappings objects, sets unique arrays."""
    props = json_schema(Sample)["$defs"]["Sample"]["properties"]
    assert props["maybe"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    assert props["scores"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert props["lang"] == {"enum": ["en", "zh"]}
    assert props["pair"]["prefixItems"] == [{"type": "integer"}, {"type": "string"}]
