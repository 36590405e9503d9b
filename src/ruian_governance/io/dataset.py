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

from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ruian_governance.errors import ArgumentError
from ruian_governance.labels import check_identifier
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES
from ruian_governance.models import Case, Hierarchy

from .tables import Lifecycles, ParquetExtraError, _arrow, _path, cases_table, history_table

__all__ = [
    "DATASET_PARTS",
    "PART_FILE",
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


class CityWriter:
    """Appends one city's cases to a dataset, a row group per town and batch.

    Use it as a context manager (the files are complete once it is closed); :meth:`write`
    takes a batch of cases, in the order they should be written.

    Args:
        root: The dataset's root directory (created if missing).
        city: The city's code (its partition value).
        hierarchy: The city's hierarchy (towns, stations).
        lifecycles: The definitions of the cases' lifecycles.

    Raises:
        ParquetExtraError: pyarrow is not installed.
        ArgumentError: ``city`` is not a plain id, or ``root`` not a path.
    """

    def __init__(
        self,
        root: str | PathLike[str],
        city: str,
        *,
        hierarchy: Hierarchy,
        lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
    ) -> None:
        self._pa = _arrow()
        partition_dir(root, "cases", city, city)  # checks root and city
        self.root = _path(root, "root")
        self.city = city
        self.hierarchy = hierarchy
        given = lifecycles.values() if isinstance(lifecycles, Mapping) else lifecycles
        self.lifecycles = tuple(given)
        self._writers: dict[tuple[str, str], Any] = {}
        self.cases = 0
        """Cases written so far."""

    def _town(self, case: Case) -> str:
        town = self.hierarchy.town_of(case.location_id)
        return self.hierarchy.city.id if town is None else town.id

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

        Raises:
            ArgumentError, UnknownIdError: As :func:`~ruian_governance.io.cases_table`.
        """
        by_town: dict[str, list[Case]] = {}
        for case in cases:
            by_town.setdefault(self._town(case), []).append(case)
        count = 0
        for town in sorted(by_town):
            chosen = by_town[town]
            table = cases_table(chosen, self.hierarchy, lifecycles=self.lifecycles)
            self._writer("cases", town, table.schema).write_table(table)
            table = history_table(chosen, lifecycles=self.lifecycles)
            self._writer("history", town, table.schema).write_table(table)
            count += len(chosen)
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
