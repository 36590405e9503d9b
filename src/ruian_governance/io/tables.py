"""Cases and their history as Arrow tables and Parquet files, for analysts (the ``parquet`` extra).

Two tables with flat, typed columns, ready for DuckDB, pandas (``table.to_pandas()``) or polars
(``polars.from_arrow(table)``):

- :func:`cases_table`: one row per case: its facts (lifecycle, state, category, severity, town,
  holder, reporter, version), its times (opened, due, closed) as timestamps with a time zone,
  and what its history means (on time, stars, escalated, returned, the station that handled it);
- :func:`history_table`: one row per history record: case, sequence number, trigger and its
  kind, states, actor, time and the command's data as JSON text.

The meaning of a history is read from the lifecycle definitions, as the analysis reads it: a
case is closed when it first enters a state flagged
:attr:`~ruian_governance.lifecycles.State.closing`, and a record evaluates, escalates, returns
or dispatches when its trigger has that :class:`~ruian_governance.lifecycles.TriggerKind`, so
an extended lifecycle is tabled exactly as a built-in one.  :func:`write_parquet` writes both
tables into a directory; :func:`read_parquet` reads one back, checked, and
:func:`cases_from_history` rebuilds the cases from a history table (every record verified by an
engine).

pyarrow is imported when a function needs it: ``import ruian_governance`` works without it,
and a call without it raises :class:`ParquetExtraError`
(``pip install 'ruian-governance[parquet]'``).

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> from ruian_governance.io import cases_table, history_table
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> run = simulate(SimulationConfig(hierarchy=h, days=7, seed=1))
>>> cases = cases_table(run.cases, h, lifecycles=run.lifecycles)
>>> cases.num_rows == len(run.cases), str(cases.schema.field("closed_at").type)
(True, 'timestamp[us, tz=+08:00]')
>>> history_table(run.cases, lifecycles=run.lifecycles).num_rows == sum(
...     len(c.history) for c in run.cases)
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import chain, repeat
from os import PathLike, fspath
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from ruian_governance.errors import ArgumentError, DataError, RuianGovernanceError, UnknownIdError
from ruian_governance.lifecycles import (
    BUILTIN_LIFECYCLES,
    Engine,
    LifecycleDefinition,
    TriggerKind,
)
from ruian_governance.models import Actor, Case, Hierarchy, HistoryRecord, Station, unit_ids

from ._rows import record_columns
from .converter import _RECORD_DATA, _record_data_text, structure
from .documents import Redaction

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CASES_FILE",
    "HISTORY_FILE",
    "TABLE_TIME_ZONE",
    "ParquetExtraError",
    "cases_from_history",
    "cases_schema",
    "cases_table",
    "history_schema",
    "history_table",
    "read_parquet",
    "write_parquet",
]

CASES_FILE = "cases.parquet"
"""The file name :func:`write_parquet` gives the cases table."""
HISTORY_FILE = "history.parquet"
"""The file name :func:`write_parquet` gives the history table."""
TABLE_TIME_ZONE = "+08:00"
"""The time zone of every timestamp column: China Standard Time (the instants are exact)."""

Lifecycles: TypeAlias = Iterable[LifecycleDefinition] | Mapping[str, LifecycleDefinition]

_KIND = b"ruian_governance.table"  # schema metadata: which table a file holds
_PARQUET, _HISTORY = "parquet table", "history table"  # what a DataError names
_T, _TN, _S, _SN, _B, _I = "time", "time?", "text", "text?", "flag?", "int"
_CASE_COLUMNS = (
    ("id", _S), ("lifecycle", _S), ("state", _S), ("category", _S), ("severity", _SN),
    ("town", _S), ("town_name", _S), ("location", _S), ("holder", _S), ("platform", _SN),
    ("station", _SN), ("reporter", _S), ("opened_at", _T), ("due_at", _TN), ("closed_at", _TN),
    ("on_time", _B), ("stars", "stars?"), ("escalated", "flag"), ("returned", "flag"),
    ("version", _I),
)  # fmt: skip
_HISTORY_COLUMNS = (
    ("case_id", _S), ("lifecycle", _S), ("seq", _I), ("trigger", _S), ("kind", _SN),
    ("source", _SN), ("dest", _S), ("actor_person", _S), ("actor_role", _S),
    ("actor_unit", _S), ("fired_at", _T), ("data", _S),
)  # fmt: skip


class ParquetExtraError(RuianGovernanceError, ImportError):
    """Arrow tables and Parquet files need the ``parquet`` extra, and ``module`` is missing.

    >>> print(ParquetExtraError("pyarrow"))  # doctest: +NORMALIZE_WHITESPACE
    Arrow tables and Parquet files need the 'parquet' extra (pyarrow):
    pip install 'ruian-governance[parquet]' (pyarrow is not installed)

    Added in 0.2.0.
    """

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__(
            "Arrow tables and Parquet files need the 'parquet' extra (pyarrow): "
            f"pip install 'ruian-governance[parquet]' ({module} is not installed)"
        )


def _arrow() -> Any:
    """pyarrow, with its Parquet module loaded (``pa.parquet``), or :class:`ParquetExtraError`."""
    try:
        import pyarrow as pa  # noqa: PLC0415 - the parquet extra loads only when used
        import pyarrow.parquet  # noqa: PLC0415
    except ModuleNotFoundError as missing:
        raise ParquetExtraError((missing.name or "pyarrow").partition(".")[0]) from None
    return pa


def _schema(columns: tuple[tuple[str, str], ...], kind: str) -> pa.Schema:
    pa = _arrow()
    types = {
        "text": pa.string(),
        "time": pa.timestamp("us", tz=TABLE_TIME_ZONE),
        "flag": pa.bool_(),
        "stars": pa.int8(),
        "int": pa.int64(),
    }
    fields = [
        pa.field(name, types[spec.rstrip("?")], nullable=spec.endswith("?"))
        for name, spec in columns
    ]
    return pa.schema(fields, metadata={_KIND: kind.encode()})


def cases_schema() -> pa.Schema:
    """The schema of :func:`cases_table` (its metadata names the table: ``cases``).

    >>> [(f.name, str(f.type)) for f in cases_schema()][:3]
    [('id', 'string'), ('lifecycle', 'string'), ('state', 'string')]
    """
    return _schema(_CASE_COLUMNS, "cases")


def history_schema() -> pa.Schema:
    """The schema of :func:`history_table` (its metadata names the table: ``history``)."""
    return _schema(_HISTORY_COLUMNS, "history")


# --------------------------------------------------------------------------- the checks


def _listed(cases: object, redaction: object) -> list[Case]:
    """``cases`` as a list, each a :class:`Case`; masked by ``redaction`` if one is given."""
    if redaction is not None and not isinstance(redaction, Redaction):
        argument = "redaction"
        raise ArgumentError(argument, redaction, "a Redaction or None")
    if isinstance(cases, (str, bytes, Mapping)) or not isinstance(cases, Iterable):
        argument = "cases"
        raise ArgumentError(argument, cases, "an iterable of Case")
    listed = list(cases)
    for case in listed:
        if not isinstance(case, Case):
            argument = "cases"
            raise ArgumentError(argument, case, "a Case (every item of cases)")
    return listed if redaction is None else [redaction.case(c) for c in listed]


_COUNTED = frozenset({
    TriggerKind.EVALUATE, TriggerKind.ESCALATE, TriggerKind.RETURN, TriggerKind.DISPATCH
})  # fmt: skip


class _Meanings:
    """What each lifecycle's states and triggers mean: closing states, trigger kinds by key."""

    def __init__(self, lifecycles: object) -> None:
        given = lifecycles.values() if isinstance(lifecycles, Mapping) else lifecycles
        if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
            argument = "lifecycles"
            raise ArgumentError(argument, lifecycles, "lifecycle definitions")
        self.closing: dict[str, frozenset[str]] = {}
        self.kinds: dict[str, dict[str, TriggerKind]] = {}
        self.counted: dict[str, dict[str, TriggerKind]] = {}
        """The kinds a case's row counts (:data:`_COUNTED`), by trigger key."""
        for definition in given:
            if not isinstance(definition, LifecycleDefinition):
                argument = "lifecycles"
                raise ArgumentError(argument, definition, "a LifecycleDefinition")
            if definition.key in self.kinds:
                argument = "lifecycles"
                raise ArgumentError(argument, definition.key, "one definition per key")
            self.closing[definition.key] = frozenset(s.key for s in definition.states if s.closing)
            self.kinds[definition.key] = {
                t.key: t.kind for t in definition.triggers if t.kind is not None
            }
            self.counted[definition.key] = {
                t: k for t, k in self.kinds[definition.key].items() if k in _COUNTED
            }

    def of(self, case: Case) -> dict[str, TriggerKind]:
        """The trigger kinds of the case's lifecycle (:class:`UnknownIdError` if unknown)."""
        kinds = self.kinds.get(case.lifecycle)
        if kinds is None:
            raise UnknownIdError(str(case.lifecycle), "the lifecycle definitions given")
        return kinds


def _aware(case: Case, at: object) -> object:
    """``at`` if it is an aware datetime (or ``None``): a naive time would be read as UTC."""
    if at is not None and not (isinstance(at, datetime) and at.utcoffset() is not None):
        argument = "cases"
        raise ArgumentError(argument, case, f"times with a UTC offset, not {at!r}")
    return at


@contextmanager
def _fields_of(case: Case) -> Iterator[None]:
    """A case or record field of the wrong type (a case built by hand) is an ArgumentError."""
    try:
        yield
    except (TypeError, AttributeError, ValueError) as error:
        if isinstance(error, RuianGovernanceError):
            raise
        argument = "cases"
        reason = f"a case whose fields and records have their types ({str(error)[:80]})"
        raise ArgumentError(argument, case, reason) from None


def _table(columns: tuple[tuple[str, str], ...], kind: str, rows: dict[str, list[Any]]) -> Any:
    """The table of ``rows`` (column lists); a value of the wrong type names its column."""
    pa = _arrow()
    schema = _schema(columns, kind)
    arrays = []
    for field in schema:
        try:
            arrays.append(pa.array(rows[field.name], type=field.type))
        except (pa.ArrowException, OverflowError, TypeError) as error:
            argument = "cases"
            reason = f"column {field.name!r} of type {field.type}: {str(error)[:120]}"
            raise ArgumentError(argument, kind, reason) from None
    try:
        return pa.Table.from_arrays(arrays, schema=schema)
    except (pa.ArrowException, ValueError) as error:  # a null in a column that has none
        argument = "cases"
        raise ArgumentError(argument, kind, f"columns that fit: {str(error)[:120]}") from None


# --------------------------------------------------------------------------- the tables


def cases_table(
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> pa.Table:
    """One row per case, in the order given, with flat, typed columns.

    ``id``, ``lifecycle``, ``state``, ``category``, ``severity`` (null before triage),
    ``location`` (where the matter is), ``holder`` (the unit holding it) and ``reporter`` are
    the case's own; ``town`` is the town of its location (the city's id for a case at the
    city) and ``town_name`` its name; ``station`` is the first station among the units of the
    case's last dispatch (null if it was not dispatched to one) and ``platform`` that station's
    platform.  ``opened_at``, ``due_at`` and ``closed_at`` (when it first entered a closing
    state) are timestamps in :data:`TABLE_TIME_ZONE`; ``on_time`` says whether it closed before
    its deadline (true without a deadline, null while open), as
    :func:`~ruian_governance.analysis.on_time_rate` counts; ``stars`` are those of its last
    evaluation (1 to 5, null without one); ``escalated`` and ``returned`` whether a record
    escalated or returned it; ``version`` is the case's.

    Args:
        cases: The cases.
        hierarchy: The hierarchy they ran in (towns, stations and platforms).
        lifecycles: The definitions of the cases' lifecycles.

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: ``cases`` is not an iterable of cases, a case's field is not of its
            type (a naive time), ``hierarchy`` is not a hierarchy, or ``lifecycles`` are not
            definitions.
        UnknownIdError: A case's lifecycle is not in ``lifecycles``, or its location is not in
            the hierarchy.
    """
    listed = _listed(cases, None)
    given: object = hierarchy
    if not isinstance(given, Hierarchy):
        argument = "hierarchy"
        raise ArgumentError(argument, given, "a Hierarchy")
    meanings = _Meanings(lifecycles)
    try:  # all at once; a field of the wrong type: again case by case, to name the case
        made = [_case_row(case, hierarchy, meanings) for case in listed]
    except (TypeError, AttributeError, ValueError):
        made = []
        for case in listed:
            with _fields_of(case):
                made.append(_case_row(case, hierarchy, meanings))
    columns = zip(*made, strict=True) if made else ([] for _ in _CASE_COLUMNS)
    rows = {name: list(values) for (name, _), values in zip(_CASE_COLUMNS, columns, strict=True)}
    return _table(_CASE_COLUMNS, "cases", rows)


def _case_row(case: Case, h: Hierarchy, meanings: _Meanings) -> tuple[Any, ...]:
    """The values of ``case``'s row, in the order of ``_CASE_COLUMNS``."""
    meanings.of(case)  # a lifecycle not given is an UnknownIdError
    kinds = meanings.counted[case.lifecycle]  # the kinds counted; other records skipped
    closing = meanings.closing[case.lifecycle]
    closed_at = stars = None
    escalated = returned = False
    handlers: tuple[str, ...] = ()
    for record in case.history:
        if closed_at is None and record.dest in closing:
            closed_at = _aware(case, record.at)
        kind = kinds.get(record.trigger)
        if kind is None:
            continue
        if kind is TriggerKind.EVALUATE:
            value = record.get("stars")
            stars = value if type(value) is int and 1 <= value <= 5 else None
        elif kind is TriggerKind.ESCALATE:
            escalated = True
        elif kind is TriggerKind.RETURN:
            returned = True
        elif kind is TriggerKind.DISPATCH:
            handlers = unit_ids(record.get("units")) or handlers
    town = h.town_of(case.location_id) or h.city
    station = next((n for u in handlers if isinstance(n := h.get(u), Station)), None)
    due_at = _aware(case, case.due_at)
    on_time = None
    if closed_at is not None:
        on_time = due_at is None or closed_at < due_at  # type: ignore[operator]
    return (
        case.id, case.lifecycle, case.state, case.category, case.severity, town.id, town.name,
        case.location_id, case.unit_id, None if station is None else station.platform_id,
        None if station is None else station.id, case.reporter_id,
        _aware(case, case.opened_at), due_at, closed_at, on_time, stars, escalated, returned,
        case.version,
    )  # fmt: skip


def history_table(
    cases: Iterable[Case],
    *,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
    redaction: Redaction | None = None,
) -> pa.Table:
    """One row per history record, case by case in the order given, oldest record first.

    ``case_id``, ``lifecycle``, ``seq``, ``trigger``, ``kind`` (the trigger's
    :class:`~ruian_governance.lifecycles.TriggerKind` value in the case's definition, or null),
    ``source`` (null for the opening record), ``dest``, ``actor_person``, ``actor_role``,
    ``actor_unit``, ``at`` (a timestamp in :data:`TABLE_TIME_ZONE`) and ``data``: the
    command's data as a JSON object in text (``{"units": ["t0001.station.police"]}``; the
    opening record's also carries the case's facts).  The history alone rebuilds every case
    (:func:`cases_from_history`).

    Args:
        cases: The cases.
        lifecycles: The definitions of the cases' lifecycles.
        redaction: Mask personal data in the records' data first (see
            :class:`~ruian_governance.io.Redaction`); by default the data is written exactly.

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: ``cases`` is not an iterable of cases, a record's field is not of its
            type (a naive time), or ``lifecycles`` are not definitions.
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    listed = _listed(cases, redaction)
    meanings = _Meanings(lifecycles)
    texts: dict[int, str] = {}  # the JSON text of each data tuple, by identity: the engine
    # shares equal data between records, and equal is not enough (1 == 1.0 == True)
    rows = _history_columns(listed, meanings, texts)
    if rows is None:  # something is off: case by case, the first bad case named
        rows = {name: [] for name, _ in _HISTORY_COLUMNS}
        columns = tuple(rows.values())  # in the order of the columns
        for case in listed:
            with _fields_of(case):
                _add_records(case, meanings.of(case), columns, texts)
    return _table(_HISTORY_COLUMNS, "history", rows)


def _history_columns(
    listed: list[Case],
    meanings: _Meanings,
    texts: dict[int, str],
    rows: dict[str, list[Any]] | None = None,
) -> dict[str, list[Any]] | None:
    """The columns of the history table, a column at a time; ``None`` if a case is off.

    ``rows`` are the records' columns (:func:`~._rows.record_columns`) if already made.  Off:
    a lifecycle not in ``meanings``, a field of the wrong type, a naive time.  Then
    :func:`history_table` goes case by case, which names the first bad case as it always did.
    """
    if rows is None:
        rows = record_columns(listed, texts)
    if rows is None:
        return None
    try:
        counts, times = rows["counts"], rows["fired_at"]
        names = {
            key: {t: k.value for t, k in kinds.items()} for key, kinds in meanings.kinds.items()
        }
        lifecycles = list(chain.from_iterable(map(repeat, [c.lifecycle for c in listed], counts)))
        triggers = rows["trigger"]
        kinds = [names[key].get(t) for key, t in zip(lifecycles, triggers, strict=True)]
        if not all(type(at) is datetime and type(at.tzinfo) is timezone for at in times):
            return None  # another zone or none: case by case
        return {
            "case_id": list(chain.from_iterable(map(repeat, [c.id for c in listed], counts))),
            "lifecycle": lifecycles,
            "seq": rows["seq"],
            "trigger": triggers,
            "kind": kinds,
            **{name: rows[name] for name, _ in _HISTORY_COLUMNS[5:]},
        }
    except (LookupError, AttributeError, TypeError, ValueError):
        return None


def _add_records(
    case: Case,
    kinds: Mapping[str, TriggerKind],
    columns: tuple[list[Any], ...],
    texts: dict[int, str],
) -> None:
    """Append the rows of ``case``'s records to ``columns`` (those of ``_HISTORY_COLUMNS``).

    The rows are made first, so that a record of the wrong type leaves no row of the case.
    """
    rows = []
    case_id, lifecycle = case.id, case.lifecycle
    for record in case.history:
        kind = kinds.get(record.trigger)
        actor = record.actor
        data = record.data
        text = texts.get(id(data))
        if text is None:
            text = texts[id(data)] = _record_data_text(data)
        rows.append((
            case_id, lifecycle, record.seq, record.trigger, None if kind is None else kind.value,
            record.source, record.dest, actor.person_id, actor.role, actor.unit_id,
            _aware(case, record.at), text,
        ))  # fmt: skip
    for column, values in zip(columns, zip(*rows, strict=True), strict=False):
        column.extend(values)


# --------------------------------------------------------------------------- Parquet files


def _path(value: object, argument: str) -> Path:
    text = fspath(value) if isinstance(value, (str, PathLike)) else None
    if not isinstance(text, str) or not text or "\x00" in text:
        raise ArgumentError(argument, value, "a path (str or os.PathLike, no NUL character)")
    return Path(text)


def write_parquet(
    cases: Iterable[Case],
    directory: str | PathLike[str],
    *,
    hierarchy: Hierarchy,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
    redaction: Redaction | None = None,
) -> tuple[Path, Path]:
    """Write :func:`cases_table` and :func:`history_table` as Parquet files into ``directory``.

    The files are :data:`CASES_FILE` and :data:`HISTORY_FILE`, replaced if they exist; the same
    cases give the same bytes.  Returns their paths.

    Args:
        cases: The cases.
        directory: An existing directory.
        hierarchy: The hierarchy they ran in.
        lifecycles: The definitions of the cases' lifecycles.
        redaction: Mask personal data in the history's data (see :func:`history_table`).

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: As :func:`cases_table` and :func:`history_table`; ``directory`` is not
            a path.
        UnknownIdError: As :func:`cases_table`.
        OSError: The files cannot be written (no such directory, no permission).
    """
    where = _path(directory, "directory")
    listed = _listed(cases, redaction)
    if isinstance(lifecycles, Iterator):  # read twice below: a generator is read once here
        lifecycles = tuple(lifecycles)
    tables = (
        cases_table(listed, hierarchy, lifecycles=lifecycles),
        history_table(listed, lifecycles=lifecycles),
    )
    pa = _arrow()
    paths = (where / CASES_FILE, where / HISTORY_FILE)
    for table, path in zip(tables, paths, strict=True):
        with path.open("wb") as stream:
            pa.parquet.write_table(table, stream)
    return paths


def read_parquet(path: str | PathLike[str]) -> pa.Table:
    """Read a Parquet file :func:`write_parquet` wrote, checked: a cases or a history table.

    The table's schema is the one :func:`cases_schema` or :func:`history_schema` gives (its
    metadata says which).  Analysts' tools read the files directly; this reads them back into
    Python with the check, e.g. for :func:`cases_from_history`.

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: ``path`` is not a path.
        OSError: The file cannot be opened (missing, a directory, no permission).
        DataError: The file is not Parquet, is damaged, or does not hold one of these tables
            (the problems name the missing and mistyped columns).
    """
    where = _path(path, "path")
    pa = _arrow()
    with where.open("rb") as stream:
        try:
            table = pa.parquet.read_table(stream)
        except (pa.ArrowException, OSError, ValueError, TypeError, IndexError) as error:
            problem = f"{where}: not a readable Parquet file ({str(error)[:120]})"
            raise DataError(_PARQUET, [problem]) from None
    kind = (table.schema.metadata or {}).get(_KIND, b"").decode("utf-8", "replace")
    expected = {"cases": cases_schema, "history": history_schema}.get(kind)
    if expected is None:
        problem = f"{where}: not a cases or history table (its schema does not say which)"
        raise DataError(_PARQUET, [problem])
    problems = _differences(table.schema, expected())
    if problems:
        what = f"{kind} table"
        raise DataError(what, [f"{where}: {p}" for p in problems])
    return table


def _differences(schema: pa.Schema, expected: pa.Schema) -> list[str]:
    """Each column of ``expected`` that ``schema`` lacks or types otherwise, and extra ones."""
    found = {field.name: field for field in schema}
    problems = []
    for field in expected:
        other = found.pop(field.name, None)
        if other is None:
            problems.append(f"column {field.name!r} is missing")
        elif not other.type.equals(field.type) or other.nullable != field.nullable:
            problems.append(
                f"column {field.name!r}: expected {field.type}"
                f"{'' if field.nullable else ' not null'}, got {other.type}"
                f"{'' if other.nullable else ' not null'}"
            )
    problems.extend(f"column {name!r} is not one of the table's" for name in found)
    if not problems and [f.name for f in schema] != [f.name for f in expected]:
        problems.append("the columns are not in the table's order")
    return problems


def cases_from_history(table: pa.Table, *, engine: Engine) -> Iterator[Case]:
    """Rebuild the cases of a history table, each verified by ``engine``.

    The records of a case must be consecutive rows, numbered from 0; each case is replayed
    from its records and verified (:meth:`~ruian_governance.Engine.verify`: every record run
    again as the command it records), so a case read back is exactly the case written (with
    its personal data masked, if the table was written with a redaction).

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: ``table`` is not a history table, or ``engine`` is not an engine.
        DataError: A row's data is not a JSON object of data values, a case's records are not
            consecutive and numbered from 0, or a history is not a run of legal commands (the
            problem names the case and the row).
    """
    pa = _arrow()
    given: tuple[object, object] = (table, engine)
    if not isinstance(given[1], Engine):
        argument = "engine"
        raise ArgumentError(argument, given[1], "an Engine")
    if not isinstance(given[0], pa.Table) or _differences(table.schema, history_schema()):
        argument = "table"
        raise ArgumentError(argument, given[0], "a history table (read_parquet, history_table)")
    columns = {name: table.column(name).to_pylist() for name, _ in _HISTORY_COLUMNS}
    records: list[HistoryRecord] = []
    case_id: str | None = None
    seen: set[str] = set()
    for row in range(table.num_rows):
        if columns["case_id"][row] != case_id:
            if case_id is not None:
                yield _rebuilt(case_id, records, engine)
            case_id = columns["case_id"][row]
            if case_id in seen:
                _refuse(row, case_id, "its records are not consecutive rows")
            seen.add(case_id)
            records = []
        if columns["seq"][row] != len(records):
            _refuse(row, case_id, f"record {columns['seq'][row]} where {len(records)} belongs")
        records.append(_record(row, case_id, columns))
    if case_id is not None:
        yield _rebuilt(case_id, records, engine)


def _refuse(row: int, case_id: object, problem: str) -> NoReturn:
    raise DataError(_HISTORY, [f"row {row}, case {case_id!r}: {problem}"])


def _record(row: int, case_id: object, columns: Mapping[str, list[Any]]) -> HistoryRecord:
    try:
        data = json.loads(columns["data"][row])
    except (ValueError, RecursionError):
        _refuse(row, case_id, "its data is not JSON")
    try:
        pairs = structure(data, _RECORD_DATA, what="history record data")
        actor = Actor(
            person_id=columns["actor_person"][row],
            role=columns["actor_role"][row],
            unit_id=columns["actor_unit"][row],
        )
        return HistoryRecord(
            seq=columns["seq"][row], trigger=columns["trigger"][row],
            source=columns["source"][row], dest=columns["dest"][row], actor=actor,
            at=columns["fired_at"][row], data=pairs,
        )  # fmt: skip
    except RuianGovernanceError as error:
        _refuse(row, case_id, str(error))


def _rebuilt(case_id: str, records: list[HistoryRecord], engine: Engine) -> Case:
    try:
        return engine.verify(engine.replay(tuple(records)))
    except RuianGovernanceError as error:
        raise DataError(_HISTORY, [f"case {case_id!r}: {error}"]) from None
