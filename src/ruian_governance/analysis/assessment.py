"""The bundled assessment 镇街、部门捆绑考核: towns scored together with their departments.

A town is scored on every case located in it, whoever handled it; each department is scored as
the case-weighted mean of the towns it served.  The components (on time, satisfaction, no
return, no escalation, hazards closed) and their weights are in :class:`AssessmentWeights`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case, Department, Hierarchy

from ._reading import Lifecycles, Reading
from .rates import Rate, escalation_rate, on_time_rate, return_rate, satisfaction

__all__ = ["AssessmentWeights", "BundledAssessment", "UnitScore", "bundled_assessment"]


def _weight(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise AnalysisError(
            argument=attribute.name, problem=f"{value!r} must be a finite number >= 0"
        )


@attrs.frozen(kw_only=True)
class AssessmentWeights:
    """Weights of the bundled assessment 镇街、部门捆绑考核 (configuration, not policy).

    Each component is a share in [0, 1]; the score is ``100 * sum(w * c) / sum(w)`` over the
    components that have data (a town without hazards is scored on the rest).

    Args:
        on_time: Weight of the on-time completion rate 按期办结率.
        satisfaction: Weight of the share of 4-5 star evaluations 满意率.
        no_return: Weight of one minus the return rate 退回率.
        no_escalation: Weight of one minus the escalation rate 提级率 (matters absorbed
            locally, 逐级消化).
        hazards_closed: Weight of the share of hazards closed 隐患销号率.

    Raises:
        AnalysisError: A weight is negative or not finite, or all are zero.
    """

    on_time: float = attrs.field(default=0.35, validator=_weight)
    satisfaction: float = attrs.field(default=0.25, validator=_weight)
    no_return: float = attrs.field(default=0.10, validator=_weight)
    no_escalation: float = attrs.field(default=0.10, validator=_weight)
    hazards_closed: float = attrs.field(default=0.20, validator=_weight)

    def __attrs_post_init__(self) -> None:
        if not sum(attrs.astuple(self)):
            raise AnalysisError(argument="weights", problem="must not all be zero")


@attrs.frozen(kw_only=True)
class UnitScore:
    """The assessment of one town or department.

    Args:
        unit_id: The town or department.
        score: 0-100, or ``None`` without any data.
        cases: The cases it was assessed on.
        components: Each component's share (``None`` without data).
    """

    unit_id: str
    score: float | None
    cases: int
    components: Mapping[str, float | None]


@attrs.frozen(kw_only=True)
class BundledAssessment:
    """Towns and the departments bundled with them.

    Args:
        towns: One score per town, best first (towns without cases last).
        departments: One score per department that handled a town's cases: the case-weighted
            mean of the scores of those towns, best first.
        weights: The weights used.
    """

    towns: tuple[UnitScore, ...]
    departments: tuple[UnitScore, ...]
    weights: AssessmentWeights


def _score(
    cases: Sequence[Case], weights: AssessmentWeights, reading: Reading
) -> tuple[float | None, dict[str, float | None]]:
    found = reading.keys_opened_by(TriggerKind.FIND)
    hazards = [c for c in cases if c.lifecycle in found]
    others = [c for c in cases if c.lifecycle not in found]
    returns = return_rate(others, lifecycles=reading)
    escalations = escalation_rate(others, lifecycles=reading)
    closed = Rate(
        count=sum(1 for c in hazards if reading.of_case(c).closed_at(c) is not None),
        total=len(hazards),
    )
    components: dict[str, float | None] = {
        "on_time": on_time_rate(cases, lifecycles=reading).value,
        "satisfaction": satisfaction(cases, lifecycles=reading).value,
        "no_return": None if returns.value is None else 1 - returns.value,
        "no_escalation": None if escalations.value is None else 1 - escalations.value,
        "hazards_closed": closed.value,
    }
    total = weighted = 0.0
    for name, value in components.items():
        w = getattr(weights, name)
        if value is not None and w:
            total += w
            weighted += w * value
    return (100 * weighted / total if total else None), components


def bundled_assessment(
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    weights: AssessmentWeights | None = None,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> BundledAssessment:
    """Assess each town together with its departments (镇街、部门捆绑考核).

    A town is scored on every case located in it, whoever handled it: its command room and
    stations, and the city departments its major events and difficult disputes went to, so a
    department's delay counts against the town.  In turn each department is bundled with the
    towns it served: its score is the mean of their scores weighted by the number of their cases
    it handled (the cases it was assigned or last dispatched).  Components and weights are in
    :class:`AssessmentWeights`; hazards are the cases of lifecycles opened by an inspection (a
    ``FIND`` trigger), and the return and escalation rates are over the other cases.

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    weights = weights or AssessmentWeights()
    reading = Reading.of(lifecycles)
    by_town: dict[str, list[Case]] = {t.id: [] for t in hierarchy.towns}
    served: dict[str, Counter[str]] = defaultdict(Counter)
    departments = {d.id for d in hierarchy.departments if isinstance(d, Department)}
    for case in cases:
        town = hierarchy.town_of(case.location_id)
        if town is None:
            continue
        by_town[town.id].append(case)
        for unit in {*case.assignees, *reading.of_case(case).handlers(case)}:
            if unit in departments:
                served[unit][town.id] += 1
    towns = []
    scores: dict[str, float | None] = {}
    for town_id, chosen in by_town.items():
        score, components = _score(chosen, weights, reading)
        scores[town_id] = score
        towns.append(
            UnitScore(unit_id=town_id, score=score, cases=len(chosen), components=components)
        )
    depts = []
    for dept, per_town in served.items():
        pairs = [(scores[t], n) for t, n in per_town.items() if scores[t] is not None]
        n_cases = sum(per_town.values())
        weight = sum(n for _, n in pairs)
        score = sum(s * n for s, n in pairs if s is not None) / weight if weight else None
        share = {t: n / n_cases for t, n in sorted(per_town.items())}
        depts.append(UnitScore(unit_id=dept, score=score, cases=n_cases, components=share))

    def order(u: UnitScore) -> tuple[bool, float, str]:
        return (u.score is None, -(u.score or 0.0), u.unit_id)

    return BundledAssessment(
        towns=tuple(sorted(towns, key=order)),
        departments=tuple(sorted(depts, key=order)),
        weights=weights,
    )
