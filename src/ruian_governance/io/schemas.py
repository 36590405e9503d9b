"""JSON Schema (draft 2020-12) documents generated from the library's attrs models.

One small generator of our own: it walks attrs fields and their type hints, so a schema always
matches what the converter of :mod:`ruian_governance.io` writes (enums by value,
datetimes as ISO 8601 strings, tuples and sets as arrays, no extra keys).  The schemas of the
main documents also ship as files in the package (``ruian_governance/io/schema_files/``).

>>> from ruian_governance import Label
>>> from ruian_governance.io import json_schema
>>> schema = json_schema(Label)
>>> schema["$ref"], sorted(schema["$defs"]["Label"]["properties"])
('#/$defs/Label', ['en', 'zh'])
"""

from __future__ import annotations

import datetime
import enum
import json
import types
import typing
from collections.abc import Mapping, Sequence, Set
from importlib.resources import files
from typing import Any

import attrs

from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.labels import Label
from ruian_governance.lifecycles import Effect, Guard
from ruian_governance.models import DeadlinePolicy, HistoryRecord

from .documents import DOCUMENT_KINDS, FORMAT_VERSION, FORMAT_VERSIONS

__all__ = ["document_schema", "json_schema", "shipped_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    Any: {},
    object: {},
}

_DATA_VALUE: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "integer"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
    ]
}
"""A command's data value: text, an integer, a flag or a list of ids."""

_FIELD_SCHEMAS: dict[tuple[type[Any], str], dict[str, Any]] = {
    (HistoryRecord, "data"): {"type": "object", "additionalProperties": _DATA_VALUE},
}
"""Fields the converter writes in a form of its own (not derived from the type hint)."""

_OMITTED_FIELDS = frozenset({(DeadlinePolicy, "calendar"), (DeadlinePolicy, "hours")})
"""Fields the converter does not write."""

_BY_KEY = frozenset({Guard, Effect})
"""Classes written as ``{"key", "label"}`` and resolved by key on load (they hold code)."""


def json_schema(
    cls: type[Any], *, document: str | None = None, title: str | None = None
) -> dict[str, Any]:
    """Return the JSON Schema of an attrs model class.

    Args:
        cls: An attrs class of the library (or of the user's, built the same way).
        document: If given, the schema is of a top-level document of this kind, which carries
            a ``format_version`` (``const`` the kind's current version in
            :data:`~ruian_governance.io.FORMAT_VERSIONS`) and may carry its ``kind``.
        title: The schema's title (default: the class name).

    Raises:
        ArgumentError: A field's type has no JSON form the generator knows (the error names
            the field, ``Class.field``).
    """
    definitions: dict[str, dict[str, Any]] = {}
    _define(cls, definitions)
    schema: dict[str, Any] = {"$schema": _DIALECT, "title": title or cls.__name__}
    if document is None:
        schema["$ref"] = f"#/$defs/{cls.__name__}"
    else:
        root = dict(definitions[cls.__name__])
        version = FORMAT_VERSIONS.get(document, FORMAT_VERSION)
        root["properties"] = {
            "format_version": {"const": version, "type": "integer"},
            "kind": {"const": document, "type": "string"},
            **root["properties"],
        }
        root["required"] = ["format_version", *root.get("required", [])]
        del definitions[cls.__name__]
        schema.update({k: v for k, v in root.items() if k != "title"})
    schema["$defs"] = dict(sorted(definitions.items()))
    return schema


def _define(cls: type[Any], definitions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    name = cls.__name__
    if name not in definitions and cls in _BY_KEY:
        definitions[name] = {
            "type": "object",
            "properties": {"key": {"type": "string", "minLength": 1}, "label": _label(definitions)},
            "required": ["key", "label"],
            "additionalProperties": False,
            "description": f"A {name.lower()} named by key, resolved on load in a code registry.",
        }
    if name not in definitions:
        definitions[name] = {}  # placeholder: recursive references stop here
        hints = {} if cls in _BY_KEY else typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init or (cls, field.name) in _OMITTED_FIELDS:
                continue
            key = field.alias
            custom = _FIELD_SCHEMAS.get((cls, field.name))
            properties[key] = (
                dict(custom)
                if custom is not None
                else _schema(hints.get(field.name, field.type), definitions, f"{name}.{key}")
            )
            if field.default is attrs.NOTHING:
                required.append(key)
        definition: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            definition["required"] = required
        definition["additionalProperties"] = False
        doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if doc:
            definition["description"] = doc
        definitions[name] = definition
    return {"$ref": f"#/$defs/{name}"}


def _label(definitions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return _define(Label, definitions)


def _schema(  # noqa: PLR0911
    tp: Any, definitions: dict[str, dict[str, Any]], field: str
) -> dict[str, Any]:
    """The schema of a field's type; ``field`` (``Class.field``) names it in an error."""
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        options = [_schema(arg, definitions, field) for arg in args]
        return {"anyOf": options}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [member.value for member in tp]}
    if isinstance(tp, type) and attrs.has(tp):
        return _define(tp, definitions)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _schema(args[0], definitions, field)}
        return {
            "type": "array",
            "prefixItems": [_schema(arg, definitions, field) for arg in args],
            "minItems": len(args),
            "maxItems": len(args),
        }
    if origin is not None and isinstance(origin, type):
        if issubclass(origin, Mapping):
            items = _schema(args[1], definitions, field)
            return {"type": "object", "additionalProperties": items}
        if issubclass(origin, Set):
            items = _schema(args[0], definitions, field)
            return {"type": "array", "items": items, "uniqueItems": True}
        if issubclass(origin, Sequence):
            return {"type": "array", "items": _schema(args[0], definitions, field)}
    raise ArgumentError(field, tp, "a type with a JSON Schema form")


def _model(kind: str) -> type[Any]:
    """The model of a document kind."""
    try:
        return DOCUMENT_KINDS[kind]
    except KeyError:
        raise UnknownIdError(kind, "document kinds") from None


def document_schema(kind: str) -> dict[str, Any]:
    """Generate the JSON Schema of a top-level document kind (see :data:`DOCUMENT_KINDS`).

    Raises:
        UnknownIdError: ``kind`` is not a document kind.

    >>> document_schema("hierarchy")["required"][:2]
    ['format_version', 'preset']
    """
    return json_schema(_model(kind), document=kind, title=f"ruian_governance {kind}")


def shipped_schema(kind: str) -> dict[str, Any]:
    """Read the schema file of a document kind shipped in the package.

    It equals :func:`document_schema` of the same kind (the test suite checks it); use it where
    a file is wanted, e.g. to hand to another language's validator.

    Raises:
        UnknownIdError: ``kind`` is not a document kind.
    """
    _model(kind)
    text = (
        files("ruian_governance.io")
        .joinpath("schema_files", f"{kind}.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
