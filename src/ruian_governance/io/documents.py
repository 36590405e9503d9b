"""Documents: the top-level JSON form of every model, versioned and migrated.

Top-level documents (:func:`to_document`, :func:`from_document`) carry a ``format_version``
(per document kind, :data:`FORMAT_VERSIONS`) and their ``kind`` (:data:`DOCUMENT_KINDS`);
older versions are migrated by registered migrations (:data:`MIGRATIONS`), newer or unknown
ones are refused.  Bad data raises :class:`~ruian_governance.errors.DataError` naming the JSON
path of every problem.  The text helpers :func:`dumps` / :func:`loads` write UTF-8 JSON with
``ensure_ascii=False``, so Chinese text stays readable.  The fields go through the converter
of :mod:`ruian_governance.io.converter`.

>>> from ruian_governance import Hierarchy, ruian_preset
>>> h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                  micro_grid_workers=0)
>>> data = to_document(h)
>>> data["format_version"], data["kind"], data["units"][1]["name"]
(1, 'hierarchy', '安阳街道')
>>> from_document(data, Hierarchy) == h
True
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar, overload

import cattrs

from ruian_governance.errors import DataError, UnknownIdError
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import AdminUnit, Case, Hierarchy, HistoryRecord, Person
from ruian_governance.routing import Report, Route, RoutingRules

from .converter import _short, structure, unstructure

__all__ = [
    "DOCUMENT_KINDS",
    "FORMAT_VERSION",
    "FORMAT_VERSIONS",
    "MIGRATIONS",
    "Migration",
    "dumps",
    "from_document",
    "loads",
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
    data: dict[str, Any] = unstructure(obj, converter=converter)
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

    A document without a ``kind`` (written before documents carried it) is read as ``kind``.

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
