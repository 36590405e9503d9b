"""A region's analysis 研判 over its Parquet dataset, with DuckDB (the ``parquet`` extra).

It lives beside the region's run: it reads the analysis's types and the dataset of ``io``,
which are siblings that do not import each other.

:class:`RegionalAnalysis` opens a dataset written by
:class:`~ruian_governance.io.dataset.CityWriter` (many cities, partitioned by city and town)
through :func:`~ruian_governance.io.dataset.connect_dataset`, as two DuckDB views, ``cases``
and ``history`` (with the partition columns ``city_code`` and ``town_id``), and answers the
same questions as the in-memory analysis (:mod:`ruian_governance.analysis`) with the same
meaning, over the whole region or one city, without loading the cases into Python: volumes,
the on-time rate 按期办结率, time to close, the escalation and return rates and satisfaction
满意率.  The cases table already holds what each case's history means (closed at, on time,
escalated, returned: read from the lifecycle definitions when it was written); the history
table holds each record's trigger kind, and the stars of evaluations in its data.

DuckDB reads the files where they are, a row group at a time, so the region's analysis needs
memory for its answers, not for its cases.

>>> import tempfile
>>> from ruian_governance import SimulationConfig
>>> from ruian_governance.sim.region import generate_region
>>> from ruian_governance.sim.sharded import simulate_region
>>> region = generate_region(cities=2, towns=2, villages=4, grids=8, seed=3)
>>> with tempfile.TemporaryDirectory() as root:
...     _ = simulate_region(region, SimulationConfig(days=5, seed=1), workers=0, directory=root)
...     with RegionalAnalysis(root) as analysis:
...         sorted(analysis.volumes("city_code")), analysis.on_time_rate().total > 0
(['330302', '330303'], True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from os import PathLike
from types import TracebackType
from typing import Any, Self

from ruian_governance.analysis import Rate
from ruian_governance.errors import AnalysisError
from ruian_governance.io.dataset import connect_dataset
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, LifecycleDefinition, TriggerKind

__all__ = ["REGIONAL_VOLUME_KEYS", "RegionalAnalysis"]

REGIONAL_VOLUME_KEYS = ("city_code", "town_id", "category", "lifecycle", "state")
"""What :meth:`RegionalAnalysis.volumes` counts cases by."""


class RegionalAnalysis:
    """The analysis of a region's dataset (see the module's description).

    Args:
        root: The dataset's root directory.
        city: Only this city's cases (its code; default: the whole region).
        lifecycles: The definitions of the cases' lifecycles (which can return a case).

    Raises:
        ParquetExtraError: duckdb is not installed.
        ArgumentError: ``root`` is not a path or holds no dataset.
    """

    def __init__(
        self,
        root: str | PathLike[str],
        *,
        city: str | None = None,
        lifecycles: Iterable[LifecycleDefinition] = BUILTIN_LIFECYCLES,
    ) -> None:
        self._db = connect_dataset(root, city=city)
        self._returnable = sorted(
            d.key for d in lifecycles if any(t.kind is TriggerKind.RETURN for t in d.triggers)
        )

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        row = self._db.execute(sql, list(params)).fetchone()
        return tuple(row) if row is not None else ()

    @staticmethod
    def _where(lifecycle: str | None) -> tuple[str, list[Any]]:
        return ("", []) if lifecycle is None else (" AND lifecycle = ?", [lifecycle])

    def volumes(self, by: str) -> Mapping[str, int]:
        """Cases by ``by`` (one of :data:`REGIONAL_VOLUME_KEYS`), keys sorted.

        Raises:
            AnalysisError: Unknown ``by``.
        """
        if by not in REGIONAL_VOLUME_KEYS:
            raise AnalysisError(
                argument="by", problem=f"{by!r} is not one of {REGIONAL_VOLUME_KEYS}"
            )
        rows = self._db.execute(f"SELECT {by}, count(*) FROM cases GROUP BY 1 ORDER BY 1")
        return {str(key): int(count) for key, count in rows.fetchall()}

    def on_time_rate(self, *, lifecycle: str | None = None) -> Rate:
        """As :func:`~ruian_governance.analysis.on_time_rate`: closed cases closed on time."""
        extra, params = self._where(lifecycle)
        count, total = self._one(
            "SELECT count(*) FILTER (WHERE on_time), count(*) FROM cases "
            f"WHERE closed_at IS NOT NULL{extra}",
            params,
        )
        return Rate(count=int(count), total=int(total))

    def escalation_rate(self, *, lifecycle: str | None = None) -> Rate:
        """As :func:`~ruian_governance.analysis.escalation_rate`: cases escalated at least once."""
        extra, params = self._where(lifecycle)
        count, total = self._one(
            f"SELECT count(*) FILTER (WHERE escalated), count(*) FROM cases WHERE true{extra}",
            params,
        )
        return Rate(count=int(count), total=int(total))

    def return_rate(self) -> Rate:
        """As :func:`~ruian_governance.analysis.return_rate`: dispatched cases returned."""
        if not self._returnable:
            return Rate(count=0, total=0)
        marks = ", ".join("?" for _ in self._returnable)
        count, total = self._one(
            "SELECT count(*) FILTER (WHERE returned), count(*) FROM cases c "
            f"WHERE lifecycle IN ({marks}) AND EXISTS (SELECT 1 FROM history h "
            "WHERE h.case_id = c.id AND h.kind = 'dispatch')",
            self._returnable,
        )
        return Rate(count=int(count), total=int(total))

    def satisfaction(self, *, lifecycle: str | None = None) -> Rate:
        """As :func:`~ruian_governance.analysis.satisfaction`: evaluations of 4 or 5 stars."""
        extra, params = self._where(lifecycle)
        count, total = self._one(
            "SELECT count(*) FILTER (WHERE json_type(data, '$.stars') IN ('BIGINT', 'UBIGINT') "
            "AND CAST(json_extract(data, '$.stars') AS BIGINT) >= 4), count(*) FROM history "
            f"WHERE kind = 'evaluate'{extra}",
            params,
        )
        return Rate(count=int(count), total=int(total))

    def time_to_close(
        self, *, percentiles: Sequence[float] = (50, 90, 95), lifecycle: str | None = None
    ) -> dict[float, timedelta]:
        """As :func:`~ruian_governance.analysis.time_to_close` (nearest rank), over closed cases.

        Raises:
            AnalysisError: A percentile is outside (0, 100].
        """
        for p in percentiles:
            if not 0 < p <= 100:
                raise AnalysisError(argument="percentiles", problem=f"{p!r} is not in (0, 100]")
        extra, params = self._where(lifecycle)
        (n,) = self._one(f"SELECT count(*) FROM cases WHERE closed_at IS NOT NULL{extra}", params)
        if not n:
            return {}
        ranks = {p: max(1, math.ceil(p / 100 * n)) for p in percentiles}
        rows = self._db.execute(
            "SELECT rank, span FROM (SELECT closed_at - opened_at AS span, row_number() OVER "
            f"(ORDER BY closed_at - opened_at) AS rank FROM cases WHERE closed_at IS NOT NULL"
            f"{extra}) WHERE rank IN ({', '.join('?' for _ in ranks)})",
            [*params, *ranks.values()],
        ).fetchall()
        spans = {int(rank): span for rank, span in rows}
        return {p: spans[rank] for p, rank in ranks.items()}
