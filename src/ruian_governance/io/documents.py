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
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar, overload

import attrs
import cattrs

from ruian_governance.errors import ArgumentError, DataError, ForgedHistoryError, UnknownIdError
from ruian_governance.lifecycles import Engine, LifecycleDefinition
from ruian_governance.models import AdminUnit, Case, Hierarchy, HistoryRecord, Person
from ruian_governance.routing import Report, Route, RoutingRules

from .converter import MAX_NESTING, _short, structure, unstructure

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


# --------------------------------------------------------------------------- redaction

MOBILE_PATTERN = r"(?<!\d)1[3-9]\d{9}(?!\d)"
"""A mainland Chinese mobile number: 11 digits starting 13-19 (not inside a longer number)."""

ID_CARD_PATTERN = r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])"
"""A resident identity card number: 18 characters (the last a digit or X), or the old 15 digits."""

LANDLINE_PATTERN = r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"
"""A landline number with its area code and a dash (``0577-65812345``)."""

PERSONAL_DATA_KEYS = frozenset({"parties", "claims", "applicants", "party"})
"""History-record data keys whose values are personal data: the parties to a dispute, their
claims (诉求), the applicants for judicial confirmation and the party called back 回访.
``parties`` is also the case field of the same name."""


def _patterns(value: Iterable[str]) -> tuple[str, ...]:
    patterns = tuple(value)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as error:
            reason = f"a regular expression ({error})"
            raise ArgumentError("patterns", pattern, reason) from None  # noqa: EM101 - a name
    return patterns


def _mask(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ArgumentError("mask", value, "non-empty text")  # noqa: EM101 - a name
    return value


@attrs.frozen(kw_only=True)
class Redaction:
    """What an export masks, and how: the redaction policy of documents, JSON lines and Open311.

    Personal data is masked whole where it is stored under a personal key; in free text,
    matches of the patterns (phone and identity-card numbers) and the names the personal keys
    hold are masked where they occur.  Staff ids (a case's ``reporter_id``, an actor's
    ``person_id``) are not personal data here: they are the officials accountable for each
    step, from the hierarchy.  A history record written alone does not know its case's
    parties: its personal keys and the patterns are masked, names only when given.

    Args:
        data_keys: Record data keys holding personal data, masked whole (text by ``mask``, a
            list by as many masks); ``"parties"`` also masks the case's ``parties``.
        patterns: Regular expressions masked wherever they match in free text: every text
            value of a record's data and a report's description.
        names: Also mask, in that free text, every text of at least 2 characters that the
            case's personal keys hold (the parties' names as they appear in a description).
        mask: What replaces each masked value or match.

    >>> Redaction().text("张三 13912345678，身份证330381199001011234")
    '张三 ***，身份证***'
    >>> Redaction().text("张三与李四", names=("张三", "李四"))
    '***与***'

    Added in 0.2.0.
    """

    data_keys: frozenset[str] = attrs.field(default=PERSONAL_DATA_KEYS, converter=frozenset)
    patterns: tuple[str, ...] = attrs.field(
        default=(MOBILE_PATTERN, ID_CARD_PATTERN, LANDLINE_PATTERN), converter=_patterns
    )
    names: bool = True
    mask: str = attrs.field(default="***", converter=_mask)
    _compiled: re.Pattern[str] | None = attrs.field(init=False, eq=False, repr=False)

    @_compiled.default
    def _compile(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns)) if self.patterns else None

    def text(self, value: str, *, names: Iterable[str] = ()) -> str:
        """Mask the patterns' matches and ``names`` (longest first) in free text ``value``."""
        if self._compiled is not None:
            value = self._compiled.sub(self.mask, value)
        shown = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
        if self.names and shown:
            value = re.sub("|".join(map(re.escape, shown)), self.mask, value)
        return value

    def names_of(self, case: Case) -> tuple[str, ...]:
        """The texts the personal keys of ``case`` hold (its parties, their claims, ...)."""
        found: list[str] = list(case.parties) if "parties" in self.data_keys else []
        for record in case.history:
            for key, value in record.data:
                if key in self.data_keys:
                    found.extend([value] if isinstance(value, str) else _texts(value))
        return tuple(dict.fromkeys(found))

    def record(self, record: HistoryRecord, *, names: Iterable[str] = ()) -> HistoryRecord:
        """Return ``record`` with its personal data masked (names: also masked in its text)."""
        names = (*names, *(v for k, v in record.data if k in self.data_keys and isinstance(v, str)))
        data = tuple((key, self._value(key, value, names)) for key, value in record.data)
        return record if data == record.data else attrs.evolve(record, data=data)

    def case(self, case: Case) -> Case:
        """Return ``case`` with its personal data masked, in its fields and every record."""
        names = self.names_of(case)
        history = tuple(self.record(r, names=names) for r in case.history)
        parties = case.parties
        if "parties" in self.data_keys:
            parties = tuple(self.mask for _ in parties)
        return attrs.evolve(case, parties=parties, history=history)

    def report(self, report: Report) -> Report:
        """Return ``report`` with the patterns masked in its description."""
        return attrs.evolve(report, description=self.text(report.description))

    def _value(self, key: str, value: Any, names: Iterable[str]) -> Any:
        if key in self.data_keys:
            return self.mask if not isinstance(value, tuple) else tuple(self.mask for _ in value)
        return self.text(value, names=names) if isinstance(value, str) else value


def _texts(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, tuple) else []


STANDARD_REDACTION = Redaction()
"""The default policy: parties and claims masked, phone and identity-card numbers and the
parties' names masked in free text.  Open311 output uses it unless told otherwise."""


def redact(obj: _T, redaction: Redaction | None = STANDARD_REDACTION) -> _T:
    """Return a case, history record or report with its personal data masked by ``redaction``.

    Other values, and any value with ``redaction=None``, are returned as they are.
    """
    if redaction is None:
        return obj
    if isinstance(obj, Case):
        return redaction.case(obj)  # type: ignore[return-value]
    if isinstance(obj, HistoryRecord):
        return redaction.record(obj)  # type: ignore[return-value]
    if isinstance(obj, Report):
        return redaction.report(obj)  # type: ignore[return-value]
    return obj


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
        problem = f"$.format_version: {_short(version)} is newer than this release ({current})"
        raise DataError(kind, [problem])
    document = dict(data)
    while version < current:
        step = migrations.get((kind, version))
        if step is None:
            problem = f"$.format_version: no migration from version {_short(version)}"
            raise DataError(kind, [problem])
        document = step(document)
        version += 1
        document["format_version"] = version
    return document


def to_document(
    obj: Any, *, converter: cattrs.Converter | None = None, redaction: Redaction | None = None
) -> dict[str, Any]:
    """Return a model as a top-level document: ``format_version``, ``kind``, then its fields.

    Args:
        obj: The model.
        converter: A converter of your own.
        redaction: Mask the personal data of a case, history record or report (see
            :class:`Redaction`); default ``None``: written exactly, so it loads back equal.

    Raises:
        UnknownIdError: ``obj``'s type is not a document kind (:data:`DOCUMENT_KINDS`).

    >>> from ruian_governance import Report
    >>> to_document(Report(id="r1", grid_id="g1", category="petition", description="上访"))
    {'format_version': 1, 'kind': 'report', 'id': 'r1', 'grid_id': 'g1', 'category': 'petition', \
'severity': None, 'reporter_id': None, 'at': None, 'description': '上访'}
    """
    kind, _ = _kind_of(type(obj))
    data: dict[str, Any] = unstructure(redact(obj, redaction), converter=converter)
    return {"format_version": FORMAT_VERSIONS[kind], "kind": kind, **data}


@overload
def from_document(
    data: Any,
    kind: type[_T],
    *,
    converter: cattrs.Converter | None = None,
    engine: Engine | None = None,
) -> _T: ...
@overload
def from_document(
    data: Any,
    kind: str,
    *,
    converter: cattrs.Converter | None = None,
    engine: Engine | None = None,
) -> Any: ...
def from_document(
    data: Any,
    kind: str | type[Any],
    *,
    converter: cattrs.Converter | None = None,
    engine: Engine | None = None,
) -> Any:
    """Load a document written by :func:`to_document` (migrating older versions).

    A document without a ``kind`` (written before documents carried it) is read as ``kind``.
    A case must agree with its history: its state is the last record's, its version counts
    the records after the opening one, the records are numbered from 0 and chained state to
    state, time never runs backwards, and the opening record's facts are the case's (id,
    lifecycle, location, category, reporter, opening time).  Given an ``engine``, the history
    is also replayed by it and every field of the case must be what the replay gives (holder,
    assignees, severity, deadline, ...).

    Args:
        data: The document.
        kind: Its kind (``"case"``) or model class (``Case``).
        converter: A converter of your own (e.g. with your own :class:`CodeRegistry`).
        engine: For a case: the engine that verifies it (the hierarchy the commands ran under).

    Raises:
        UnknownIdError: ``kind`` is not a document kind.
        DataError: The data is not such a document: not plain JSON (keys that are not text,
            nesting deeper than :data:`~ruian_governance.io.converter.MAX_NESTING`), a bad
            field, a value a model refuses, or a case its history contradicts; each problem
            names its JSON path.
        RuianGovernanceError: The data is well formed but breaks a rule of the model about
            the whole (e.g. a :class:`~ruian_governance.HierarchyError`).

    >>> from ruian_governance import Report
    >>> from_document({"format_version": 1, "kind": "report", "id": "r1", "grid_id": "g1",
    ...                "category": "petition"}, Report).category
    'petition'
    """
    name, cls = _kind_of(kind)
    try:
        document = migrate(data, name)
        document.pop("format_version")
        written = document.pop("kind", name)
        if written != name:
            raise DataError(name, [f"$.kind: expected {name!r}, got {_short(written)}"])
    except RecursionError:
        raise DataError(name, [f"$: nested more than {MAX_NESTING} levels deep"]) from None
    loaded = structure(document, cls, converter=converter, what=name)
    return _checked(loaded, engine) if isinstance(loaded, Case) else loaded


# --------------------------------------------------------------------------- a case and its history


_CASE = "case"


def _case_problems(case: Case) -> list[str]:
    """What in ``case`` contradicts its history, each with its JSON path (no engine needed)."""
    history = case.history
    if not history:
        return ["$.history: expected at least the opening record"]
    problems: list[str] = []
    source: str | None = None
    at = history[0].at
    for index, record in enumerate(history):
        if record.seq != index or record.source != source or record.at < at:
            problems.extend(_record_problems(index, record, source, at))
        source, at = record.dest, record.at
    last, first = history[-1], history[0]
    opening = "the opening record's"
    facts = {
        "state": (case.state, last.dest, "the last record's dest"),
        "version": (case.version, len(history) - 1, "the count of records after the opening"),
        "id": (case.id, first.get("case_id"), f"{opening} case_id"),
        "lifecycle": (case.lifecycle, first.get("lifecycle"), f"{opening} lifecycle"),
        "location_id": (case.location_id, first.get("location_id"), f"{opening} location_id"),
        "category": (case.category, first.get("category"), f"{opening} category"),
        "reporter_id": (case.reporter_id, first.actor.person_id, f"{opening} actor"),
        "opened_at": (case.opened_at, first.at, f"{opening} time"),
    }
    problems.extend(
        f"$.{field}: {_short(value)} contradicts the history ({source}: {_short(expected)})"
        for field, (value, expected, source) in facts.items()
        if value != expected
    )
    return problems


def _record_problems(
    index: int, record: HistoryRecord, source: str | None, at: datetime
) -> list[str]:
    path = f"$.history[{index}]"
    problems = [] if record.seq == index else [f"{path}.seq: expected {index}, got {record.seq}"]
    if record.source != source:
        problems.append(f"{path}.source: expected {_short(source)}, got {_short(record.source)}")
    if record.at < at:
        problems.append(f"{path}.at: earlier than the record before it")
    return problems


def _checked(case: Case, engine: Engine | None) -> Case:
    """``case`` if its history agrees with it (``engine``: the case :meth:`Engine.verify` gives)."""
    problems = _case_problems(case)
    if problems:
        raise DataError(_CASE, problems)
    if engine is None:
        return case
    try:
        return engine.verify(case)
    except ForgedHistoryError as error:
        if error.seq is not None:
            problems = [f"$.history[{error.seq}]: {_short(error.reason, 200)}"]
        else:  # every record is a legal command: name the fields the history contradicts
            replayed = engine.replay(case.history)
            problems = [
                f"$.{field.name}: {_short(getattr(case, field.name))} contradicts the history "
                f"(replayed: {_short(getattr(replayed, field.name))})"
                for field in attrs.fields(Case)
                if getattr(case, field.name) != getattr(replayed, field.name)
            ] or [f"$: {_short(error.reason, 200)}"]
        raise DataError(_CASE, problems) from error


# --------------------------------------------------------------------------- text


def dumps(
    obj: Any,
    *,
    converter: cattrs.Converter | None = None,
    indent: int | None = None,
    redaction: Redaction | None = None,
) -> str:
    """Return a model as JSON text (a :func:`to_document`), Chinese text left readable.

    ``redaction`` masks personal data as in :func:`to_document` (default: none).

    >>> from ruian_governance import Report
    >>> dumps(Report(id="r1", grid_id="g1", category="petition", description="上访"))[-20:]
    '"description": "上访"}'
    """
    document = to_document(obj, converter=converter, redaction=redaction)
    return json.dumps(document, ensure_ascii=False, indent=indent)


@overload
def loads(
    text: str | bytes,
    kind: type[_T],
    *,
    converter: cattrs.Converter | None = None,
    engine: Engine | None = None,
) -> _T: ...
@overload
def loads(
    text: str | bytes,
    kind: str | None = None,
    *,
    converter: cattrs.Converter | None = None,
    engine: Engine | None = None,
) -> Any: ...
def loads(
    text: str | bytes,
    kind: str | type[Any] | None = None,
    *,
    converter: cattrs.Converter | None = None,
    engine: Engine | None = None,
) -> Any:
    """Load a model from JSON text written by :func:`dumps` (see :func:`from_document`).

    Without ``kind``, the document's own ``kind`` says what it is; given a model class
    (``loads(text, Case)``), the result is typed as that class.

    >>> from ruian_governance import Report
    >>> report = loads('{"format_version": 1, "kind": "report", "id": "r1", "grid_id": "g1", '
    ...                '"category": "petition"}')
    >>> type(report).__name__, report.category
    ('Report', 'petition')

    Raises:
        DataError: The text is not JSON (or not UTF-8, or nested too deeply to read), or not
            such a document; without ``kind``, a document that does not name its kind.
        UnknownIdError: ``kind`` (given or written) is not a document kind.
    """
    name = "document" if kind is None else _kind_of(kind)[0]
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise DataError(name, [f"$: not JSON text ({_short(str(error), 80)})"]) from None
    if kind is None:
        written = data.get("kind") if isinstance(data, dict) else None
        if type(written) is not str:
            raise DataError(name, [f"$.kind: a document kind is needed, got {_short(written)}"])
        kind = written
    return from_document(data, kind, converter=converter, engine=engine)
