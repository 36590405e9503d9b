"""Plain-JSON data in and out, through one configured cattrs converter.

There is no global converter: :func:`make_converter` returns a new one configured by
:func:`configure_converter`, which users may also apply to a converter of their own and then
extend.  Every public model converts: hierarchies and their units and people, routing rules,
reports and routes, lifecycle definitions, cases and their history records.

- Datetimes are ISO 8601 text with a UTC offset; a naive datetime is refused on load.
- Enums go by value; sets become sorted lists; Chinese text stays as it is (the text helpers
  :func:`dumps` / :func:`loads` write UTF-8 JSON with ``ensure_ascii=False``).
- Guards and effects of a lifecycle are code: they are written as their key and label, and
  resolved on load by key in a :class:`CodeRegistry` (default :data:`BUILTIN_CODE`, the guards
  and effects of the built-in lifecycles).  A deadline policy's working-day calendar is not
  written; loaded policies use :data:`~ruian_governance.CHINESE_WORKDAYS`.

Top-level documents (:func:`to_document`, :func:`from_document`) carry a ``format_version``
(per document kind, :data:`FORMAT_VERSIONS`) and their ``kind``; older versions are migrated by
registered migrations (:data:`MIGRATIONS`), newer or unknown ones are refused.  Bad data raises
:class:`~ruian_governance.DataError` naming the JSON path of every problem.

>>> from ruian_governance import ruian_preset
>>> from ruian_governance.io import hierarchy_from_dict, hierarchy_to_dict
>>> h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                  micro_grid_workers=0)
>>> data = hierarchy_to_dict(h)
>>> data["format_version"], data["kind"], data["units"][1]["name"]
(1, 'hierarchy', '安阳街道')
>>> hierarchy_from_dict(data) == h
True
"""

from __future__ import annotations

import datetime
import enum
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar, overload

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as _make_json_converter
from cattrs.v import format_exception

from ruian_governance.errors import DataError, RuianGovernanceError, UnknownIdError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, Effect, Guard, LifecycleDefinition
from ruian_governance.models import (
    AdminUnit,
    Case,
    DataValue,
    DeadlinePolicy,
    Hierarchy,
    HistoryRecord,
    Person,
)
from ruian_governance.routing import Report, Route, RoutingRules

__all__ = [
    "BUILTIN_CODE",
    "DOCUMENT_KINDS",
    "FORMAT_VERSION",
    "FORMAT_VERSIONS",
    "MIGRATIONS",
    "CodeRegistry",
    "Migration",
    "configure_converter",
    "dumps",
    "from_document",
    "hierarchy_from_dict",
    "hierarchy_to_dict",
    "loads",
    "make_converter",
    "migrate",
    "to_document",
]

_T = TypeVar("_T")

FORMAT_VERSION = 1
"""The first ``format_version`` of every document kind (still the hierarchy's).

Each kind's current version is in :data:`FORMAT_VERSIONS`.
"""

DOCUMENT_KINDS: Mapping[str, type[Any]] = MappingProxyType(
    {
        "hierarchy": Hierarchy,
        "unit": AdminUnit,
        "person": Person,
        "routing_rules": RoutingRules,
        "report": Report,
        "route": Route,
        "lifecycle": LifecycleDefinition,
        "case": Case,
        "history_record": HistoryRecord,
    }
)
"""The model of each top-level document kind, by kind."""

FORMAT_VERSIONS: Mapping[str, int] = MappingProxyType(
    {
        "hierarchy": FORMAT_VERSION,
        "unit": FORMAT_VERSION,
        "person": FORMAT_VERSION,
        "routing_rules": FORMAT_VERSION,
        "report": FORMAT_VERSION,
        "route": FORMAT_VERSION,
        "lifecycle": FORMAT_VERSION,
        "case": 2,
        "history_record": 2,
    }
)
"""The ``format_version`` this release writes, per document kind.

Version 2 of ``case`` and ``history_record``: a history record's ``data`` is a JSON object
(``{"units": [...], "reason": "..."}``) instead of version 1's list of ``[key, value]`` pairs.
"""

_KIND_OF_MODEL: Mapping[type[Any], str] = {cls: kind for kind, cls in DOCUMENT_KINDS.items()}

Migration: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a document of one format version into the next (it must not mutate its argument)."""


def _record_data_as_object(record: Any) -> Any:
    """Version 1 -> 2 of one history record: ``data`` pairs become an object."""
    if not isinstance(record, Mapping):
        return record  # not a record: left for the loader to name
    data = record.get("data")
    if not isinstance(data, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in data
    ):
        return record
    if len({pair[0] for pair in data}) != len(data):
        return record  # duplicate keys: left as they are, for the loader to refuse
    return {**record, "data": dict(data)}


def _history_record_1_to_2(document: dict[str, Any]) -> dict[str, Any]:
    """Migrate a version 1 ``history_record`` document to version 2."""
    migrated: dict[str, Any] = _record_data_as_object(document)
    return migrated


def _case_1_to_2(document: dict[str, Any]) -> dict[str, Any]:
    """Migrate a version 1 ``case`` document to version 2 (every history record's data)."""
    history = document.get("history")
    if not isinstance(history, list):
        return dict(document)
    return {**document, "history": [_record_data_as_object(r) for r in history]}


MIGRATIONS: Mapping[tuple[str, int], Migration] = MappingProxyType(
    {("case", 1): _case_1_to_2, ("history_record", 1): _history_record_1_to_2}
)
"""Registered migrations, by (document kind, version migrated from).

- ``("case", 1)``, ``("history_record", 1)``: history record ``data`` from a list of
  ``[key, value]`` pairs to an object.
"""


# --------------------------------------------------------------------------- code by key


def _no_duplicates(items: Iterable[Guard] | Iterable[Effect], what: str) -> None:
    seen: dict[str, object] = {}
    for item in items:
        if seen.setdefault(item.key, item) != item:
            msg = f"two different {what}s share the key {item.key!r}"
            raise ValueError(msg)


def _guard_map(value: Mapping[str, Guard]) -> Mapping[str, Guard]:
    return MappingProxyType(dict(value))


def _effect_map(value: Mapping[str, Effect]) -> Mapping[str, Effect]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class CodeRegistry:
    """The guards and effects a converter resolves by key when it loads lifecycle definitions.

    Guards and effects hold Python callables, which JSON cannot carry: a lifecycle document
    names them by key (with their label), and loading takes the registry's object of that key.

    Args:
        guards: Guards by key.
        effects: Effects by key.

    >>> from ruian_governance import EVENT_LIFECYCLE
    >>> code = CodeRegistry.of(EVENT_LIFECYCLE)
    >>> code.guards["stars_1_to_5"].label.zh
    '1-5星'
    """

    guards: Mapping[str, Guard] = attrs.field(converter=_guard_map)
    effects: Mapping[str, Effect] = attrs.field(converter=_effect_map)

    @classmethod
    def of(cls, *lifecycles: LifecycleDefinition) -> CodeRegistry:
        """Collect every guard and effect the transitions of ``lifecycles`` use.

        Raises:
            ValueError: Two different guards (or effects) share a key.
        """
        guards = [g for d in lifecycles for t in d.transitions for g in t.guards]
        effects = [e for d in lifecycles for t in d.transitions for e in t.effects]
        _no_duplicates(guards, "guard")
        _no_duplicates(effects, "effect")
        return cls(guards={g.key: g for g in guards}, effects={e.key: e for e in effects})

    def merge(self, other: CodeRegistry) -> CodeRegistry:
        """Return a registry with the entries of both (``other`` wins on a shared key)."""
        return CodeRegistry(
            guards={**self.guards, **other.guards}, effects={**self.effects, **other.effects}
        )


BUILTIN_CODE: CodeRegistry = CodeRegistry.of(*BUILTIN_LIFECYCLES)
"""The guards and effects of the three built-in lifecycles, by key."""


# --------------------------------------------------------------------------- the converter


class _RefusedError(ValueError):
    """A value our hooks refuse; its message is shown as the problem at the value's path."""


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _strict(tp: type[Any]) -> Callable[[Any, type[Any]], Any]:
    def structure(value: Any, _: type[Any]) -> Any:
        # bool is an int in Python, but never a valid int or str in our documents.
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            msg = f"expected {tp.__name__}, got {type(value).__name__}"
            raise TypeError(msg)
        return value

    return structure


def _structure_float(value: Any, _: type[Any]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"expected float, got {type(value).__name__}"
        raise TypeError(msg)
    return float(value)


def _structure_datetime(value: Any, _: type[Any]) -> datetime.datetime:
    if not isinstance(value, str):
        msg = f"expected an ISO 8601 date-time string, got {type(value).__name__}"
        raise _RefusedError(msg)
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        msg = f"not an ISO 8601 date-time: {_short(value)}"
        raise _RefusedError(msg) from None
    if parsed.utcoffset() is None:
        msg = f"naive date-time {_short(value)}: a UTC offset is required"
        raise _RefusedError(msg)
    return parsed


def _unstructure_datetime(value: datetime.datetime) -> str:
    return value.isoformat()


def _structure_data_value(value: Any, _: Any) -> DataValue:
    if isinstance(value, str | bool) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    msg = f"expected text, an integer, a boolean or a list of ids, got {type(value).__name__}"
    raise _RefusedError(msg)


_RECORD_DATA = typing.get_type_hints(HistoryRecord)["data"]
"""The type of :attr:`HistoryRecord.data`: sorted ``(key, value)`` pairs."""


def _structure_record_data(value: Any, _: Any) -> tuple[tuple[str, DataValue], ...]:
    if not isinstance(value, Mapping):
        msg = f"expected an object of data values, got {type(value).__name__}"
        raise _RefusedError(msg)
    pairs: list[tuple[str, DataValue]] = []
    for key, item in value.items():
        try:
            pairs.append((key, _structure_data_value(item, None)))
        except _RefusedError as error:
            msg = f"{_short(key)}: {error}"
            raise _RefusedError(msg) from None
    return tuple(sorted(pairs))


def _unstructure_record_data(value: tuple[tuple[str, DataValue], ...]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in value}


def _by_key(
    registry: Mapping[str, _T], what: str
) -> tuple[Callable[[Any, Any], _T], Callable[[Any], dict[str, Any]]]:
    def structure(value: Any, _: Any) -> _T:
        key = value.get("key") if isinstance(value, Mapping) else value
        if not isinstance(key, str):
            msg = f"expected a {what} object with a string key, got {type(value).__name__}"
            raise _RefusedError(msg)
        try:
            return registry[key]
        except KeyError:
            msg = f"unknown {what} {_short(key)}: not in the code registry"
            raise _RefusedError(msg) from None

    def unstructure(value: Any) -> dict[str, Any]:
        return {"key": value.key, "label": {"en": value.label.en, "zh": value.label.zh}}

    return structure, unstructure


def configure_converter(converter: cattrs.Converter, *, code: CodeRegistry | None = None) -> None:
    """Configure ``converter`` for the library's models.

    - Strings, integers, floats and booleans are taken only as they are (no silent
      ``"5"`` -> ``5``).
    - Datetimes are ISO 8601 strings; loading refuses naive ones (no UTC offset).
    - Sets become sorted lists, so output is deterministic; enums go by value.
    - A history record's data is an object (values: text, integers, booleans or lists of ids);
      the record keeps it as sorted ``(key, value)`` pairs.
    - Guards and effects are ``{"key", "label"}`` objects, resolved on load by key in ``code``.
    - A deadline policy is its ``by_severity`` and ``limits``; its calendar is not written.

    Args:
        converter: The converter to configure (e.g. a ``cattrs.Converter()`` of your own).
        code: Where guards and effects are found by key (default :data:`BUILTIN_CODE`).
    """
    code = BUILTIN_CODE if code is None else code
    for tp in (str, int, bool):
        converter.register_structure_hook(tp, _strict(tp))
    converter.register_structure_hook(float, _structure_float)

    def unstructure_set(value: frozenset[Any] | set[Any]) -> list[Any]:
        items = [converter.unstructure(v) for v in value]
        return sorted(items, key=str)

    converter.register_unstructure_hook_func(
        lambda tp: getattr(tp, "__origin__", tp) in (frozenset, set), unstructure_set
    )
    converter.register_unstructure_hook(enum.Enum, lambda e: e.value)
    converter.register_structure_hook(datetime.datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime.datetime, _unstructure_datetime)
    converter.register_structure_hook_func(lambda tp: tp == _RECORD_DATA, _structure_record_data)
    converter.register_unstructure_hook_func(
        lambda tp: tp == _RECORD_DATA, _unstructure_record_data
    )
    guard_in, guard_out = _by_key(code.guards, "guard")
    effect_in, effect_out = _by_key(code.effects, "effect")
    # Guards and effects are (un)structured by key, through the code registry.
    converter.register_structure_hook_func(lambda tp: tp is Guard, guard_in)
    converter.register_unstructure_hook_func(lambda tp: tp is Guard, guard_out)
    converter.register_structure_hook_func(lambda tp: tp is Effect, effect_in)
    converter.register_unstructure_hook_func(lambda tp: tp is Effect, effect_out)
    converter.register_structure_hook(
        DeadlinePolicy,
        make_dict_structure_fn(
            DeadlinePolicy,
            converter,
            calendar=override(omit=True),
            _cattrs_forbid_extra_keys=True,
        ),
    )
    converter.register_unstructure_hook(
        DeadlinePolicy,
        make_dict_unstructure_fn(DeadlinePolicy, converter, calendar=override(omit=True)),
    )


def make_converter(
    *, detailed_validation: bool = True, code: CodeRegistry | None = None
) -> cattrs.Converter:
    """Return a new JSON-ready converter configured for the library's models.

    Args:
        detailed_validation: Collect every problem with its path (slower); without it the
            first problem raises bare.
        code: Where guards and effects are found by key (default :data:`BUILTIN_CODE`).

    >>> from ruian_governance import Label
    >>> from ruian_governance.io import make_converter
    >>> make_converter().unstructure(Label(en="grid", zh="网格"))
    {'en': 'grid', 'zh': '网格'}
    """
    converter = _make_json_converter(
        forbid_extra_keys=True, detailed_validation=detailed_validation
    )
    configure_converter(converter, code=code)
    return converter


_CONVERTER = make_converter()
_FAST_CONVERTER = make_converter(detailed_validation=False)


# --------------------------------------------------------------------------- documents


def _kind_of(kind: str | type[Any]) -> tuple[str, type[Any]]:
    if isinstance(kind, str):
        try:
            return kind, DOCUMENT_KINDS[kind]
        except KeyError:
            raise UnknownIdError(kind, "document kinds") from None
    try:
        return _KIND_OF_MODEL[kind], kind
    except KeyError:
        raise UnknownIdError(getattr(kind, "__name__", repr(kind)), "document kinds") from None


def migrate(
    data: Mapping[str, Any],
    kind: str,
    migrations: Mapping[tuple[str, int], Migration] = MIGRATIONS,
) -> dict[str, Any]:
    """Bring a document of ``kind`` up to its current version (:data:`FORMAT_VERSIONS`).

    Args:
        data: The document (not changed).
        kind: Its document kind.
        migrations: The migration steps to use (default: the registered ones).

    Raises:
        DataError: The document is not an object, or its version is missing, newer than this
            release, or has no migration.
    """
    if not isinstance(data, Mapping):
        raise DataError(kind, [f"$: expected an object, got {type(data).__name__}"])
    current = FORMAT_VERSIONS.get(kind, FORMAT_VERSION)
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DataError(kind, [f"$.format_version: expected an integer, got {_short(version)}"])
    if version > current:
        problem = f"$.format_version: {version} is newer than this release ({current})"
        raise DataError(kind, [problem])
    document = dict(data)
    while version < current:
        step = migrations.get((kind, version))
        if step is None:
            raise DataError(kind, [f"$.format_version: no migration from version {version}"])
        document = step(document)
        version += 1
        document["format_version"] = version
    return document


def to_document(obj: Any, *, converter: cattrs.Converter | None = None) -> dict[str, Any]:
    """Return a model as a top-level document: ``format_version``, ``kind``, then its fields.

    Raises:
        UnknownIdError: ``obj``'s type is not a document kind (:data:`DOCUMENT_KINDS`).

    >>> from ruian_governance import Report
    >>> to_document(Report(id="r1", grid_id="g1", category="petition", description="上访"))
    {'format_version': 1, 'kind': 'report', 'id': 'r1', 'grid_id': 'g1', 'category': 'petition', \
'severity': None, 'reporter_id': None, 'at': None, 'description': '上访'}
    """
    kind, _ = _kind_of(type(obj))
    data: dict[str, Any] = (converter or _CONVERTER).unstructure(obj)
    return {"format_version": FORMAT_VERSIONS[kind], "kind": kind, **data}


@overload
def from_document(
    data: Any, kind: type[_T], *, converter: cattrs.Converter | None = None
) -> _T: ...
@overload
def from_document(data: Any, kind: str, *, converter: cattrs.Converter | None = None) -> Any: ...
def from_document(
    data: Any, kind: str | type[Any], *, converter: cattrs.Converter | None = None
) -> Any:
    """Load a document written by :func:`to_document` (migrating older versions).

    Args:
        data: The document.
        kind: Its kind (``"case"``) or model class (``Case``).
        converter: A converter of your own (e.g. with your own :class:`CodeRegistry`).

    Raises:
        UnknownIdError: ``kind`` is not a document kind.
        DataError: The data is not such a document; each problem names its JSON path.
        RuianGovernanceError: The data is well formed but breaks a rule of the model (e.g. a
            :class:`~ruian_governance.HierarchyError`).

    >>> from ruian_governance import Report
    >>> from_document({"format_version": 1, "kind": "report", "id": "r1", "grid_id": "g1",
    ...                "category": "petition"}, Report).category
    'petition'
    """
    name, cls = _kind_of(kind)
    document = migrate(data, name)
    document.pop("format_version")
    written = document.pop("kind", name)
    if written != name:
        raise DataError(name, [f"$.kind: expected {name!r}, got {_short(written)}"])
    return structure(document, cls, converter=converter, what=name)


def dumps(obj: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None) -> str:
    """Return a model as JSON text (a :func:`to_document`), Chinese text left readable.

    >>> from ruian_governance import Report
    >>> dumps(Report(id="r1", grid_id="g1", category="petition", description="上访"))[-20:]
    '"description": "上访"}'
    """
    return json.dumps(to_document(obj, converter=converter), ensure_ascii=False, indent=indent)


def loads(
    text: str | bytes, kind: str | type[Any], *, converter: cattrs.Converter | None = None
) -> Any:
    """Load a model from JSON text written by :func:`dumps`.

    Raises:
        DataError: The text is not JSON, or not such a document.
        UnknownIdError: ``kind`` is not a document kind.
    """
    name, _ = _kind_of(kind)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise DataError(name, [f"$: not JSON text ({_short(str(error), 80)})"]) from None
    return from_document(data, kind, converter=converter)


def hierarchy_to_dict(
    hierarchy: Hierarchy, *, converter: cattrs.Converter | None = None
) -> dict[str, Any]:
    """Return ``hierarchy`` as plain JSON-compatible data (a ``"hierarchy"`` document)."""
    return to_document(hierarchy, converter=converter)


def hierarchy_from_dict(
    data: Mapping[str, Any], *, converter: cattrs.Converter | None = None
) -> Hierarchy:
    """Load a hierarchy written by :func:`hierarchy_to_dict` (migrating older versions).

    Documents without a ``kind`` (written before it was added) are read too.

    Raises:
        DataError: The data is not a hierarchy document; each problem names its JSON path.
        HierarchyError: The data is well formed but breaks a structural rule.
    """
    hierarchy: Hierarchy = from_document(data, Hierarchy, converter=converter)
    return hierarchy


# --------------------------------------------------------------------------- structuring

_PROBLEM_LIMIT = 300
"""Longest problem line kept in a DataError (junk values can be huge)."""


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(tp))
    if tp is type(None):
        return "null"
    return str(getattr(tp, "__name__", tp))


def _format(error: BaseException, tp: type[Any] | None) -> str:
    if isinstance(error, _RefusedError):
        return str(error)
    if isinstance(error, ValueError | TypeError) and typing.get_origin(tp) in (
        typing.Union,
        types.UnionType,
    ):
        return f"invalid value for type, expected {_type_name(tp)}"
    return format_exception(error, tp)


def _clip(problem: str) -> str:
    if len(problem) <= _PROBLEM_LIMIT:
        return problem
    return problem[: _PROBLEM_LIMIT - 3] + "..."


def structure(
    data: Any,
    cls: type[Any],
    *,
    converter: cattrs.Converter | None = None,
    what: str | None = None,
) -> Any:
    """Structure ``data`` as ``cls``, turning cattrs' errors into a :class:`DataError`.

    Without a converter of the caller's, good data takes a fast path and only bad data is
    structured again with detailed validation, to name the path of every problem.
    """
    if converter is None:
        try:
            return _FAST_CONVERTER.structure(data, cls)
        except RuianGovernanceError:
            raise
        except Exception:  # any failure: structure again to find the paths
            converter = _CONVERTER
    name = what or cls.__name__
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        ours = _our_error(error)
        if ours is not None:
            # A model's own validation (e.g. a hierarchy rule) refused well-formed data.
            raise ours from None
        problems = cattrs.transform_error(error, path="$", format_exception=_format)
        raise DataError(name, [_clip(p) for p in problems]) from None
    except RuianGovernanceError:
        raise
    except RecursionError:
        raise DataError(name, ["$: nested too deeply"]) from None
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        raise DataError(name, [_clip(f"$: {error}")]) from None


def _our_error(error: BaseException) -> RuianGovernanceError | None:
    """Find an error of ours that a model's constructor raised inside cattrs' error groups."""
    if isinstance(error, RuianGovernanceError):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _our_error(inner)
        if found is not None:
            return found
    return None
