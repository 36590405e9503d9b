"""A region's cases as one Parquet dataset, partitioned by city and town (the ``parquet`` extra).

The dataset under a root directory is two trees of Parquet files, Hive-partitioned::

    cases/city_code=330381/town_id=330381.t01/part-0.parquet   (rows of cases_table)
    history/city_code=330381/town_id=330381.t01/part-0.parquet (rows of history_table)

A file holds the rows of one city's cases located in one town (``town_id`` is the city's id
for a case located at the city), in case-id order; the columns are those of
:func:`~ruian_governance.io.cases_table` and :func:`~ruian_governance.io.history_table`, so
each file reads back with :func:`~ruian_governance.io.read_parquet`.  :class:`CityWriter`
appends a city's cases as row groups while a run goes on (a run hands over the cases that
closed, then the rest), so that no more than one batch is held; the same cases handed in the
same batches give the same bytes.  Ids never collide across cities (a region's ids carry the
city's code), so the dataset holds many cities; :func:`connect_dataset` opens it in DuckDB
(which :class:`~ruian_governance.sim.regional.RegionalAnalysis` queries).

>>> import tempfile
>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> run = simulate(SimulationConfig(hierarchy=h, days=5, seed=1))
>>> with tempfile.TemporaryDirectory() as root:
...     with CityWriter(root, "330381", hierarchy=run.hierarchy,
...                     lifecycles=run.lifecycles) as writer:
...         writer.write(run.cases) == len(run.cases)
...     sorted(p.parent.name for p in dataset_files(root, "cases"))
True
['town_id=t0001', 'town_id=t0002']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ruian_governance.errors import ArgumentError
from ruian_governance.labels import check_identifier
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES
from ruian_governance.models import Case, Hierarchy

from ._rows import DIGEST_CASES, digest_rows, record_columns
from .tables import (
    _HISTORY_COLUMNS,
    Lifecycles,
    ParquetExtraError,
    _arrow,
    _history_columns,
    _listed,
    _Meanings,
    _path,
    _table,
    cases_table,
    history_table,
)

__all__ = [
    "DATASET_PARTS",
    "PART_FILE",
    "CaseDigest",
    "CityWriter",
    "connect_dataset",
    "dataset_files",
    "partition_dir",
]

DATASET_PARTS = ("cases", "history")
"""The two trees of a dataset: one row per case, one row per history record."""

PART_FILE = "part-0.parquet"
"""The name of the one file in each partition directory."""


def partition_dir(root: str | PathLike[str], part: str, city: str, town: str) -> Path:
    """The directory of one city's and town's rows of ``part`` (``"cases"`` or ``"history"``).

    Raises:
        ArgumentError: ``part`` is not one of :data:`DATASET_PARTS`, or ``city`` or ``town``
            is not an id (a partition value must be a plain path segment: no ``/``).
    """
    if part not in DATASET_PARTS:
        msg = "part"
        raise ArgumentError(msg, part, f"one of {DATASET_PARTS}")
    for name, value in (("city", city), ("town", town)):
        check_identifier(value, name)
        if "/" in value or "\\" in value or value in {".", ".."}:
            raise ArgumentError(name, value, "an id that is a plain path segment")
    return _path(root, "root") / part / f"city_code={city}" / f"town_id={town}"


def dataset_files(root: str | PathLike[str], part: str) -> list[Path]:
    """Every Parquet file of ``part`` under ``root``, sorted (city, then town).

    Raises:
        ArgumentError: ``part`` is not one of :data:`DATASET_PARTS`, or ``root`` no path.
    """
    if part not in DATASET_PARTS:
        msg = "part"
        raise ArgumentError(msg, part, f"one of {DATASET_PARTS}")
    return sorted((_path(root, "root") / part).glob(f"city_code=*/town_id=*/{PART_FILE}"))


def _by_town(hierarchy: Hierarchy, cases: Iterable[Case]) -> dict[str, list[Case]]:
    """``cases`` by the id of the town they are located in (the city's for the city's)."""
    by_town: dict[str, list[Case]] = {}
    city = hierarchy.city.id
    for case in cases:
        town = hierarchy.town_of(case.location_id)
        by_town.setdefault(city if town is None else town.id, []).append(case)
    return by_town


class CaseDigest:
    """A SHA-256 of cases as a dataset holds them: equal digests, equal rows.

    :meth:`add` takes a batch of cases: the batch's cases by town (the towns' ids in order,
    the cases in the batch's order within a town, as :class:`CityWriter` writes them), 1,000
    cases at a time, each a line (id, state, version, number of records) followed by its
    records' columns: sequence numbers, triggers, destinations, actors (person, role, unit),
    the times (the bytes of each wall-clock time and the UTC offsets) and the data's JSON text
    as the history table writes it.  Every field of every case head and record is covered, in
    order.  A :class:`CityWriter` given the digest adds each batch it writes from the rows it
    writes (so each text is made once); the same batches give the same digest either way.

    Args:
        hierarchy: The cases' hierarchy (the town of each case's location).

    >>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    >>> run = simulate(SimulationConfig(hierarchy=h, days=3, seed=1))
    >>> one, other = CaseDigest(h), CaseDigest(h)
    >>> one.add(run.cases); other.add(run.cases[:5]); other.add(run.cases[5:])
    >>> len(one.hexdigest()), one.hexdigest() == other.hexdigest()
    (64, False)

    Added in 0.2.0.
    """

    def __init__(self, hierarchy: Hierarchy) -> None:
        given: object = hierarchy
        if not isinstance(given, Hierarchy):
            argument = "hierarchy"
            raise ArgumentError(argument, given, "a Hierarchy")
        self.hierarchy = hierarchy
        self._sha = hashlib.sha256()

    def add(self, cases: Iterable[Case]) -> None:
        """Add a batch of cases (see the class).

        Raises:
            ArgumentError: A case is not a case, or a field of a case or record is not of
                its type.
            UnknownIdError: A case's location is not in the hierarchy.
        """
        by_town = _by_town(self.hierarchy, _listed(cases, None))
        sha = self._sha.copy()  # a refused batch adds nothing
        for town in sorted(by_town):
            chosen = by_town[town]
            texts: dict[int, str] = {}
            for first in range(0, len(chosen), DIGEST_CASES):  # a bounded text at a time
                part = chosen[first : first + DIGEST_CASES]
                _digest_part(sha, part, record_columns(part, texts))
        self._sha = sha

    def hexdigest(self) -> str:
        """The digest of every batch added so far, in hexadecimal."""
        return self._sha.hexdigest()


def _digest_part(sha: Any, cases: list[Case], rows: dict[str, list[Any]] | None) -> None:
    """Add ``cases`` and their ``rows`` to ``sha``; rows not made are an ArgumentError."""
    if rows is not None:
        try:
            digest_rows(sha, cases, rows)
        except (AttributeError, TypeError, ValueError):
            rows = None  # a field of the wrong type: refused below, as rows not made
        else:
            return
    argument = "cases"
    raise ArgumentError(argument, "a batch", "cases whose fields and records have their types")


class CityWriter:
    """Appends one city's cases to a dataset, a row group per town and batch.

    Use it as a context manager (the files are complete once it is closed); :meth:`write`
    takes a batch of cases, in the order they should be written.

    Args:
        root: The dataset's root directory (created if missing).
        city: The city's code (its partition value).
        hierarchy: The city's hierarchy (towns, stations).
        lifecycles: The definitions of the cases' lifecycles.
        digest: A :class:`CaseDigest` of the same hierarchy that each batch written is added
            to, from the rows written (default: none).

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: ``city`` is not a plain id, ``root`` not a path, or ``digest`` not a
            :class:`CaseDigest` of ``hierarchy``.
    """

    def __init__(
        self,
        root: str | PathLike[str],
        city: str,
        *,
        hierarchy: Hierarchy,
        lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
        digest: CaseDigest | None = None,
    ) -> None:
        self._pa = _arrow()
        partition_dir(root, "cases", city, city)  # checks root and city
        given: object = digest
        if given is not None and not (
            isinstance(given, CaseDigest) and given.hierarchy is hierarchy
        ):
            argument = "digest"
            raise ArgumentError(argument, given, "a CaseDigest of the writer's hierarchy")
        self.root = _path(root, "root")
        self.city = city
        self.hierarchy = hierarchy
        given = lifecycles.values() if isinstance(lifecycles, Mapping) else lifecycles
        self.lifecycles = tuple(given)
        self.digest = digest
        self._writers: dict[tuple[str, str], Any] = {}
        self.cases = 0
        """Cases written so far."""

    def _writer(self, part: str, town: str, schema: Any) -> Any:
        key = (part, town)
        writer = self._writers.get(key)
        if writer is None:
            where = partition_dir(self.root, part, self.city, town)
            where.mkdir(parents=True, exist_ok=True)
            writer = self._pa.parquet.ParquetWriter(str(where / PART_FILE), schema)
            self._writers[key] = writer
        return writer

    def write(self, cases: Iterable[Case]) -> int:
        """Append ``cases`` (one row group per town they are in); return how many.

        With a :attr:`digest`, the batch is added to it once it is written.

        Raises:
            ArgumentError, UnknownIdError: As :func:`~ruian_governance.io.cases_table`.
        """
        by_town = _by_town(self.hierarchy, cases)
        count = 0
        sha = None if self.digest is None else self.digest._sha.copy()
        for town in sorted(by_town):
            chosen = by_town[town]
            table = cases_table(chosen, self.hierarchy, lifecycles=self.lifecycles)
            self._writer("cases", town, table.schema).write_table(table)
            texts: dict[int, str] = {}  # the data's text, made once for the table and digest
            rows = record_columns(chosen, texts)
            columns = None
            if rows is not None:
                meanings = _Meanings(self.lifecycles)  # checked by cases_table above
                columns = _history_columns(chosen, meanings, texts, rows)
            if columns is None:  # something is off: the table names it as it always did
                table = history_table(chosen, lifecycles=self.lifecycles)
            else:
                table = _table(_HISTORY_COLUMNS, "history", columns)
            self._writer("history", town, table.schema).write_table(table)
            if sha is not None:  # the rows written (DIGEST_CASES at a time, as add)
                _digest_part(sha, chosen, rows if rows is not None else record_columns(chosen, {}))
            count += len(chosen)
        if self.digest is not None and sha is not None:  # the batch, once all written
            self.digest._sha = sha
        self.cases += count
        return count

    def close(self) -> None:
        """Finish every file (idempotent)."""
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _duckdb() -> Any:
    try:
        import duckdb  # noqa: PLC0415 - the parquet extra loads only when used
    except ModuleNotFoundError as missing:
        raise ParquetExtraError((missing.name or "duckdb").partition(".")[0]) from None
    return duckdb


def _quoted(text: str) -> str:
    """``text`` inside single quotes of SQL."""
    return text.replace("'", "''")


def connect_dataset(root: str | PathLike[str], *, city: str | None = None) -> Any:
    """A DuckDB connection (in memory) with the dataset as two views, ``cases`` and ``history``.

    Each view reads its tree's files where they are, with the partition columns
    ``city_code`` and ``town_id``; given a ``city``, only that city's rows.

    Raises:
        ParquetExtraError: duckdb is not installed.
        ArgumentError: ``root`` is not a path or holds no dataset.
    """
    where = _path(root, "root")
    if not any((where / "cases").glob(f"city_code=*/town_id=*/{PART_FILE}")):
        msg = "root"
        raise ArgumentError(msg, str(root), "a dataset directory (cases/city_code=...)")
    db = _duckdb().connect(":memory:")
    only = "" if city is None else f" WHERE city_code = '{_quoted(city)}'"
    for part in DATASET_PARTS:
        pattern = _quoted(str(where / part / "city_code=*" / "town_id=*" / PART_FILE))
        source = (  # partition values are ids (text), never guessed numbers: 330381 is a code
            f"read_parquet('{pattern}', hive_partitioning = true, "
            "hive_types = {'city_code': VARCHAR, 'town_id': VARCHAR})"
        )
        db.execute(f"CREATE VIEW {part} AS SELECT * FROM {source}{only}")
    return db
