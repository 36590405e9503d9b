"""The summary 研判摘要: the headline figures of a set of cases, as one typed value.

:func:`summarise` computes them; :meth:`Summary.to_json` writes them as plain JSON data (what
``ruian-governance simulate`` stores in ``summary.json``).

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> from ruian_governance.analysis import summarise
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> run = simulate(SimulationConfig(hierarchy=h, days=5, seed=1))
>>> summary = summarise(run.cases, run.hierarchy, lifecycles=run.lifecycles)
>>> summary.cases == len(run.cases) == sum(summary.by_lifecycle.values())
True
>>> list(summary.on_time_rate), summary.closed_loop
(['event', 'dispute', 'hazard'], ('event',))
>>> summary.to_json()["on_time_rate"]["event"] == {
...     "count": summary.on_time_rate["event"].count,
...     "total": summary.on_time_rate["event"].total,
...     "value": round(summary.on_time_rate["event"].value, 4)}
True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs

from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case, Hierarchy

from ._reading import Lifecycles, Reading
from .assessment import (
    DEFAULT_RULES,
    AssessmentRules,
    BundledAssessment,
    UnitScore,
    bundled_assessment,
)
from .hotspots import HotspotFinding, hotspots
from .rates import Rate, escalation_rate, on_time_rate, return_rate, satisfaction, time_to_close
from .repeats import RepeatIncident, repeat_incidents

__all__ = ["Summary", "summarise"]


@attrs.frozen(kw_only=True)
class Summary:
    """The headline figures of a set of cases.

    Args:
        cases: How many cases.
        by_state: Cases by lifecycle key and state, both sorted by key.
        on_time_rate: The on-time rate 按期办结率 of each lifecycle, in definition order.
        satisfaction: The share of 4-5 star evaluations 满意率, over all cases.
        escalation_rate: Cases escalated at least once 提级率, over every case but those of
            lifecycles opened by an inspection (hazards, with the built-ins).
        return_rate: Dispatched cases returned at least once 退回率 (:func:`return_rate`).
        closed_loop: The lifecycles of the event closed loop 事件闭环: opened by a report and
            dispatched to handling units (a ``REPORT`` and a ``DISPATCH`` trigger).
        time_to_close: Nearest-rank percentiles (50, 90, 95) of the time from opening to
            closing of the closed-loop cases.
        hazard_ladder: Records of each rung of the overdue ladder (the ``SANCTION`` triggers,
            in definition order).
        hotspots: Every hotspot (:func:`hotspots`), strongest first.
        repeat_incidents: Every repeat incident (:func:`repeat_incidents`), largest first.
        assessment: The bundled assessment of towns and departments (镇街、部门捆绑考核), with
            deductions, veto items and the supervision panel's findings.
    """

    cases: int
    by_state: Mapping[str, Mapping[str, int]]
    on_time_rate: Mapping[str, Rate]
    satisfaction: Rate
    escalation_rate: Rate
    return_rate: Rate
    closed_loop: tuple[str, ...]
    time_to_close: Mapping[float, timedelta]
    hazard_ladder: Mapping[str, int]
    hotspots: tuple[HotspotFinding, ...]
    repeat_incidents: tuple[RepeatIncident, ...]
    assessment: BundledAssessment

    @property
    def by_lifecycle(self) -> dict[str, int]:
        """Cases by lifecycle key, sorted by key."""
        return {k: sum(v.values()) for k, v in self.by_state.items()}

    def to_json(self, *, top: int = 10) -> dict[str, Any]:
        """Return the figures as plain JSON data (the ``top`` hotspots, the towns' scores).

        Rates are ``{"count", "total", "value"}`` with the value rounded to four places;
        times to close are in hours (``"time_to_close_hours"``, one decimal); hotspots and
        scores are rounded for reading; ``"hotspot_count"`` and ``"repeat_incidents"`` count
        every finding.  ``"assessment"`` holds the towns' scores, ``"department_assessment"``
        the departments' (each with its base, deductions, vetoes and panel findings).
        """
        return {
            "cases": self.cases,
            "by_lifecycle": self.by_lifecycle,
            "by_state": {k: dict(v) for k, v in self.by_state.items()},
            "on_time_rate": {k: rate_json(r) for k, r in self.on_time_rate.items()},
            "satisfaction": rate_json(self.satisfaction),
            "escalation_rate": rate_json(self.escalation_rate),
            "return_rate": rate_json(self.return_rate),
            "time_to_close_hours": {
                f"p{p:g}": round(span.total_seconds() / 3600, 1)
                for p, span in self.time_to_close.items()
            },
            "hazard_ladder": dict(self.hazard_ladder),
            "hotspots": [
                {
                    "unit_id": f.unit_id,
                    "category": f.category,
                    "observed": f.observed,
                    "expected": round(f.expected, 2),
                    "adjusted_p": f.adjusted,
                }
                for f in self.hotspots[:top]
            ],
            "hotspot_count": len(self.hotspots),
            "repeat_incidents": len(self.repeat_incidents),
            "assessment": [{"town_id": u.unit_id, **_score(u)} for u in self.assessment.towns],
            "department_assessment": [
                {"department_id": u.unit_id, **_score(u)} for u in self.assessment.departments
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _score(unit: UnitScore) -> dict[str, Any]:
    return {
        "score": _round(unit.score),
        "base": _round(unit.base),
        "cases": unit.cases,
        "deductions": {k: round(v, 2) for k, v in unit.deductions.items()},
        "vetoes": list(unit.vetoes),
        "findings": unit.findings,
    }


def rate_json(rate: Rate) -> dict[str, Any]:
    """A rate as JSON data: ``{"count", "total", "value"}``, the value rounded to four places."""
    value = rate.value
    return {
        "count": rate.count,
        "total": rate.total,
        "value": None if value is None else round(value, 4),
    }


def summarise(
    cases: Sequence[Case],
    hierarchy: Hierarchy,
    *,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
    rules: AssessmentRules = DEFAULT_RULES,
    findings: Iterable[object] = (),
) -> Summary:
    """Return the headline figures of a set of cases.

    Counts by lifecycle and state, the on-time rate of each lifecycle, satisfaction,
    escalation and return rates, time to close of the event closed loop, the hazard ladder,
    the hotspots, the repeat incidents and the bundled assessment of the towns: see
    :class:`Summary`.  What each state and trigger means comes from ``lifecycles``, the
    definitions of the cases' lifecycles; ``rules`` and ``findings`` (the supervision panel's
    ``(unit_id, finding)`` records) go to :func:`bundled_assessment`.

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``, or a finding's unit is
            unknown.
        AnalysisError: Bad ``rules`` or ``findings`` (see :func:`bundled_assessment`).
    """
    reading = Reading.of(lifecycles)
    meanings = reading.meanings()
    by_state: dict[str, Counter[str]] = defaultdict(Counter)
    ladder: Counter[str] = Counter()
    for case in cases:
        by_state[case.lifecycle][case.state] += 1
        sanctions = reading.of_case(case).triggers[TriggerKind.SANCTION]
        if sanctions:
            ladder.update(r.trigger for r in case.history if r.trigger in sanctions)
    found = reading.keys_opened_by(TriggerKind.FIND)
    loop = tuple(
        m.key
        for m in meanings
        if TriggerKind.REPORT in m.opened_by and m.triggers[TriggerKind.DISPATCH]
    )
    rungs = dict.fromkeys(
        k for m in meanings for k, kind in m.kinds.items() if kind is TriggerKind.SANCTION
    )
    return Summary(
        cases=len(cases),
        by_state={k: dict(sorted(v.items())) for k, v in sorted(by_state.items())},
        on_time_rate={
            m.key: on_time_rate(cases, lifecycle=m.key, lifecycles=reading) for m in meanings
        },
        satisfaction=satisfaction(cases, lifecycles=reading),
        escalation_rate=escalation_rate(
            [c for c in cases if c.lifecycle not in found], lifecycles=reading
        ),
        return_rate=return_rate(cases, lifecycles=reading),
        closed_loop=loop,
        time_to_close=time_to_close([c for c in cases if c.lifecycle in loop], lifecycles=reading),
        hazard_ladder={rung: ladder[rung] for rung in rungs},
        hotspots=hotspots(cases, hierarchy, lifecycles=reading),
        repeat_incidents=repeat_incidents(cases, lifecycles=reading),
        assessment=bundled_assessment(
            cases, hierarchy, lifecycles=reading, rules=rules, findings=findings
        ),
    )
