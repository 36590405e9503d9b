"""Six-none villages 六无村社: the villages whose cases meet none of the configured criteria.

Source: the seed names the creation campaign 六无村社创建 without listing the six "none"s; the
criteria are therefore **configuration**, and the defaults (:data:`SIX_NONE_CRITERIA`) are
**illustrative** (a design choice after the issue's examples: no major criminal case, no mass
incident, no serious accident, no escalated petition, no major hazard left overdue, no dispute
left unresolved past its deadline).  A village qualifies for a period when, among the cases
opened in it (or under it) during the period, no criterion is met.

>>> from ruian_governance.analysis import SIX_NONE_CRITERIA
>>> [c.label.zh for c in SIX_NONE_CRITERIA][:3]
['无重大刑事案件', '无群体性事件', '无重大安全事故']
>>> [c.label.zh for c in SIX_NONE_CRITERIA][3:]
['无越级上访', '无重大隐患逾期', '无久拖未决纠纷']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import AnalysisError
from ruian_governance.labels import Label
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case, Hierarchy, Level

from ._reading import Lifecycles, Reading
from .criteria import CaseItem, CaseMatch, keyed_items, threshold

__all__ = [
    "SIX_NONE_CRITERIA",
    "SixNonePeriod",
    "VillageCriterion",
    "VillageResult",
    "six_none_villages",
]


@attrs.frozen(kw_only=True)
class VillageCriterion(CaseItem):
    """One "none" of the six-none villages: a village fails it with ``threshold`` matching cases.

    Args:
        key: The criterion's key (an identifier).
        label: Its English and Chinese name (e.g. 无重大刑事案件).
        match: Which cases break it (:class:`~ruian_governance.analysis.CaseMatch`).
        threshold: How many matching cases fail the village (a whole number >= 1).

    Raises:
        AnalysisError: As :class:`~ruian_governance.analysis.CaseItem`, or a threshold that is
            not a whole number >= 1.
    """

    threshold: int = attrs.field(default=1, validator=threshold)


def _criterion(key: str, en: str, zh: str, match: CaseMatch) -> VillageCriterion:
    return VillageCriterion(key=key, label=Label(en=en, zh=zh), match=match)


SIX_NONE_CRITERIA: tuple[VillageCriterion, ...] = (
    _criterion(
        "no_major_criminal_case", "no major criminal case", "无重大刑事案件",
        CaseMatch(categories={"public_order"}, severities={"major"}),
    ),
    _criterion(
        "no_mass_incident", "no mass incident", "无群体性事件",
        CaseMatch(categories={"labour_dispute", "petition"}, severities={"major", "difficult"}),
    ),
    _criterion(
        "no_serious_accident", "no serious accident", "无重大安全事故",
        CaseMatch(
            categories={"fire_hazard", "work_safety_hazard", "flood_typhoon"},
            severities={"major"},
            opened_by={TriggerKind.REPORT},
        ),
    ),
    _criterion(
        "no_escalated_petition", "no escalated petition", "无越级上访",
        CaseMatch(categories={"petition"}, trigger_kinds={TriggerKind.ESCALATE}),
    ),
    _criterion(
        "no_major_hazard_overdue", "no major hazard left overdue", "无重大隐患逾期",
        CaseMatch(opened_by={TriggerKind.FIND}, severities={"major"}, overdue=True),
    ),
    _criterion(
        "no_unresolved_dispute", "no dispute unresolved past its deadline", "无久拖未决纠纷",
        CaseMatch(lifecycles={"dispute"}, overdue=True),
    ),
)  # fmt: skip
"""Illustrative six-none criteria (a **design choice**; the seed does not list them).

Categories and severities are those of the shipped category tables and built-in lifecycles;
a city replaces them with its own campaign's list.
"""


@attrs.frozen(kw_only=True)
class VillageResult:
    """One village in one period.

    Args:
        village_id: The village or community.
        cases: Cases opened in it (or under it) during the period.
        failed: Matching cases by criterion key, for the criteria it failed (empty: it
            qualifies).
    """

    village_id: str
    cases: int
    failed: Mapping[str, int]

    @property
    def qualified(self) -> bool:
        """Whether the village met none of the criteria (a six-none village 六无村社)."""
        return not self.failed


@attrs.frozen(kw_only=True)
class SixNonePeriod:
    """The six-none assessment of one period ``[start, end)``.

    Args:
        start: The period's first instant.
        end: The instant after it.
        villages: Every village of the hierarchy, in hierarchy order.
    """

    start: datetime
    end: datetime
    villages: tuple[VillageResult, ...]

    @property
    def qualifying(self) -> tuple[str, ...]:
        """The ids of the villages that qualify, in hierarchy order."""
        return tuple(v.village_id for v in self.villages if v.qualified)


def six_none_villages(  # noqa: PLR0913 - the data, the periods and the criteria
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    start: datetime,
    period: timedelta = timedelta(days=365),
    periods: int = 1,
    criteria: Iterable[VillageCriterion] = SIX_NONE_CRITERIA,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> tuple[SixNonePeriod, ...]:
    """Assess every village per period over ``criteria`` (六无村社创建).

    Each period ``[start + i * period, start + (i + 1) * period)`` counts the cases opened in it
    and located in a village (or a grid or micro-grid under it); a case is overdue when closed
    after its deadline or open past it at the period's end.  A village qualifies when no
    criterion reaches its threshold.

    Raises:
        ArgumentError: ``start`` is not an aware datetime.
        AnalysisError: ``period`` is not positive, ``periods`` not a whole number from 1 to
            1,000, or a criterion is not a :class:`VillageCriterion` (or two share a key).
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    require_aware(start, "start")
    if not (isinstance(period, timedelta) and period > timedelta(0)):
        argument = "period"
        raise AnalysisError(argument, f"expected a positive timedelta, got {period!r}")
    if type(periods) is not int or not 1 <= periods <= 1000:
        argument = "periods"
        raise AnalysisError(argument, f"expected a whole number from 1 to 1000, got {periods!r}")
    chosen = _criteria(criteria)
    reading = Reading.of(lifecycles)
    villages = hierarchy.units_at(Level.VILLAGE)
    village_of = {v.id: v.id for v in villages}
    for each in villages:
        for unit in hierarchy.descendants(each.id):
            village_of[unit.id] = each.id
    end = start + period * periods
    buckets: list[list[tuple[str, Case]]] = [[] for _ in range(periods)]
    for case in cases:
        village = village_of.get(case.location_id)
        if village is not None and start <= case.opened_at < end:
            buckets[(case.opened_at - start) // period].append((village, case))
    out = []
    for i, bucket in enumerate(buckets):
        first, last = start + i * period, start + (i + 1) * period
        counts: Counter[str] = Counter()
        hits: dict[str, Counter[str]] = {v.id: Counter() for v in villages}
        for village, case in bucket:
            counts[village] += 1
            meaning = reading.of_case(case)
            for criterion in chosen:
                if criterion.match.matches(case, meaning, last):
                    hits[village][criterion.key] += 1
        thresholds = {c.key: c.threshold for c in chosen}
        results = tuple(
            VillageResult(
                village_id=v.id,
                cases=counts[v.id],
                failed={k: n for k, n in hits[v.id].items() if n >= thresholds[k]},
            )
            for v in villages
        )
        out.append(SixNonePeriod(start=first, end=last, villages=results))
    return tuple(out)


def _criteria(criteria: Iterable[VillageCriterion]) -> tuple[VillageCriterion, ...]:
    return keyed_items(VillageCriterion, criteria, "criteria")
