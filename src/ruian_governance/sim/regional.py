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
from datetime import datetime, timedelta
from os import PathLike
from types import TracebackType
from typing import Any, Self

from ruian_governance.analysis import (
    DEFAULT_RULES,
    AssessmentRules,
    AssessmentWeights,
    BundledAssessment,
    HotspotFinding,
    HotspotTest,
    Rate,
    RepeatIncident,
    bundled_assessment,
    hotspot_findings,
    hotspot_tests,
)
from ruian_governance.errors import AnalysisError
from ruian_governance.io import cases_from_history, history_schema
from ruian_governance.io.dataset import connect_dataset
from ruian_governance.lifecycles import (
    BUILTIN_LIFECYCLES,
    Engine,
    LifecycleDefinition,
    TriggerKind,
)
from ruian_governance.models import Level
from ruian_governance.presets import with_staff

from .region import Region

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
        definitions = tuple(lifecycles)
        self._definitions = definitions
        self._city = city
        self._returnable = sorted(
            d.key for d in definitions if any(t.kind is TriggerKind.RETURN for t in d.triggers)
        )
        kinds = [{t.key: t.kind for t in d.triggers} for d in definitions]
        self._reported = sorted(
            d.key
            for d, kind in zip(definitions, kinds, strict=True)
            if any(t.opening and kind.get(t.trigger) is TriggerKind.REPORT for t in d.transitions)
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

    def repeat_incidents(
        self, *, within: timedelta = timedelta(days=7), min_count: int = 2
    ) -> tuple[RepeatIncident, ...]:
        """As :func:`~ruian_governance.analysis.repeat_incidents`, over the whole dataset.

        Runs of cases of one category at one place, each opened within ``within`` of the one
        before (window functions over the cases opened by a report), largest first.

        Raises:
            AnalysisError: ``min_count`` below 2 or a window that is not positive.
        """
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 2:
            raise AnalysisError(argument="min_count", problem=f"{min_count} must be at least 2")
        if within <= timedelta(0):
            raise AnalysisError(argument="within", problem="must be positive")
        if not self._reported:
            return ()
        marks = ", ".join("?" for _ in self._reported)
        rows = self._db.execute(
            "WITH c AS (SELECT location, category, id, opened_at FROM cases "
            f"WHERE lifecycle IN ({marks})), "
            "g AS (SELECT *, CASE WHEN opened_at - lag(opened_at) OVER w <= to_microseconds(?) "
            "THEN 0 ELSE 1 END AS fresh FROM c "
            "WINDOW w AS (PARTITION BY location, category ORDER BY opened_at, id)), "
            "r AS (SELECT *, sum(fresh) OVER (PARTITION BY location, category "
            "ORDER BY opened_at, id ROWS UNBOUNDED PRECEDING) AS run FROM g) "
            "SELECT location, category, list(id ORDER BY opened_at, id), min(opened_at), "
            "max(opened_at) FROM r GROUP BY location, category, run HAVING count(*) >= ?",
            [*self._reported, within // timedelta(microseconds=1), min_count],
        ).fetchall()
        found = [
            RepeatIncident(
                location_id=str(location), category=str(category),
                case_ids=tuple(str(i) for i in ids), first=first, last=last,
            )
            for location, category, ids, first, last in rows
        ]  # fmt: skip
        return tuple(
            sorted(found, key=lambda r: (-len(r.case_ids), r.location_id, r.category, r.first))
        )

    def hotspots(
        self,
        region: Region,
        *,
        level: Level = Level.GRID,
        alpha: float = 0.05,
        correction: str = "benjamini-hochberg",
    ) -> tuple[HotspotFinding, ...]:
        """Hotspots 热点研判 of the whole region, one family of tests corrected together.

        As :func:`~ruian_governance.analysis.hotspots` city by city (a unit's expected count
        is its city's count of the category times the unit's share of its city's grids; the
        cases of lifecycles opened by a report), but every test of every city is one family
        for the Benjamini-Hochberg (or Bonferroni) correction: a region of one city finds
        what the in-memory function finds.

        Args:
            region: The region the dataset holds (its cities' grids are the exposure).
            level: ``Level.GRID`` or ``Level.VILLAGE``.
            alpha: The significance level after correction.
            correction: ``"benjamini-hochberg"`` or ``"bonferroni"``.

        Raises:
            AnalysisError: Another level or correction, or ``alpha`` outside (0, 1).
        """
        if level not in (Level.GRID, Level.VILLAGE):
            raise AnalysisError(argument="level", problem=f"{level.value!r} is not grid or village")
        if correction not in ("benjamini-hochberg", "bonferroni"):
            problem = f"{correction!r} is not benjamini-hochberg or bonferroni"
            raise AnalysisError(argument="correction", problem=problem)
        if not 0 < alpha < 1:
            raise AnalysisError(argument="alpha", problem=f"{alpha!r} is not in (0, 1)")
        if not self._reported:
            return ()
        marks = ", ".join("?" for _ in self._reported)
        rows = self._db.execute(
            f"SELECT city_code, location, category, count(*) FROM cases WHERE lifecycle IN "
            f"({marks}) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            self._reported,
        ).fetchall()
        by_city: dict[str, list[tuple[str, str, int]]] = {}
        for code, location, category, count in rows:
            by_city.setdefault(str(code), []).append((str(location), str(category), int(count)))
        tests: list[HotspotTest] = []
        family = 0
        for shard in region.cities:
            if shard.code not in by_city:
                continue  # no case: no test (a lazy city is not built for nothing)
            found, size = hotspot_tests(shard.build().hierarchy, by_city[shard.code], level)
            tests += found
            family += size
        return hotspot_findings(tests, family, alpha=alpha, correction=correction)

    def bundled_assessment(  # noqa: PLR0913 - the region, then the assessment's settings
        self,
        region: Region,
        *,
        weights: AssessmentWeights | None = None,
        rules: AssessmentRules = DEFAULT_RULES,
        findings: Mapping[str, Iterable[object]] | None = None,
        as_of: datetime | None = None,
        simulated: bool = True,
    ) -> dict[str, BundledAssessment]:
        """Each city's bundled assessment 镇街、部门捆绑考核, by city code.

        A town is assessed with the departments of its own city, so the region's assessment
        is one :func:`~ruian_governance.analysis.bundled_assessment` per city, with the same
        ``weights`` and ``rules``: DuckDB reads one city's history at a time (ordered by case
        and record), its cases are rebuilt and verified by an engine of the city's hierarchy
        and this analysis's lifecycles (:func:`~ruian_governance.io.cases_from_history`), and
        scored in memory, so the memory needed is that of the largest city, not the region.
        The result equals the in-memory function on the same cases ordered by id (a test
        checks it).  A city without cases in the dataset (or, with ``city=``, another city)
        has no entry.

        Args:
            region: The region the dataset holds (each city's hierarchy).
            weights: As the in-memory function.
            rules: As the in-memory function (deductions, vetoes, panel findings).
            findings: The supervision panel's findings 平安市民监督团 by city code.
            as_of: When open cases are overdue (default: per city, its latest record).
            simulated: The dataset was written by a simulation of the region
                (:func:`~ruian_governance.sim.sharded.simulate_region`), so its actors are the
                run's staff (``with_staff``, ids ``code.sim.``); ``False``: the cities'
                hierarchies as built hold every actor.

        Raises:
            DataError: A stored history is not a run of legal commands for its city.
            AnalysisError, UnknownIdError, ArgumentError: As the in-memory function.
        """
        found = {} if findings is None else dict(findings)
        columns = ", ".join(field.name for field in history_schema())
        codes = {
            str(c) for (c,) in self._db.execute("SELECT DISTINCT city_code FROM history").fetchall()
        }
        results: dict[str, BundledAssessment] = {}
        for shard in region.cities:
            if shard.code not in codes or (self._city is not None and shard.code != self._city):
                continue
            query = f"SELECT {columns} FROM history WHERE city_code = ? ORDER BY case_id, seq"
            table = self._db.sql(query, params=[shard.code]).to_arrow_table()
            table = table.cast(history_schema())
            h = shard.build().hierarchy
            if simulated:
                h = with_staff(h, id_prefix=f"{shard.code}.sim.")
            cases = cases_from_history(table, engine=Engine(h, self._definitions))
            results[shard.code] = bundled_assessment(
                cases, h, weights=weights, rules=rules, findings=found.get(shard.code, ()),
                as_of=as_of, lifecycles=self._definitions,
            )  # fmt: skip
        return results
