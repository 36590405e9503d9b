"""The bundled assessment 镇街、部门捆绑考核: towns scored together with their departments.

Source: the seed names the bundled assessment of towns and departments (镇街、部门捆绑考核) and
the citizens' supervision panel (平安市民监督团); how the score is made is a **design choice**:

1. a base score, 0-100: the weighted components of :class:`AssessmentWeights` (on time,
   satisfaction, no return, no escalation, hazards closed);
2. minus deductions 扣分 (:class:`Deduction`: points per matching case, capped), and points per
   supervision-panel finding about the unit or a unit under it;
3. veto items 一票否决 (:class:`VetoItem`): a unit with a vetoed item fails whatever its score and
   is ranked after every unit without one.

A town is scored on every case located in it, whoever handled it; each department is bundled
with the towns it served (the case-weighted mean of their final scores), minus its own
deductions on the cases it handled and the panel's findings about it; a veto item met by a case
it handled vetoes it too.  Every default item and number (:data:`DEFAULT_RULES`) is
illustrative, to be replaced by a city's own assessment rules.

>>> from ruian_governance.analysis import DEFAULT_RULES
>>> [(d.key, d.label.zh, d.points, d.cap) for d in DEFAULT_RULES.deductions]
... # doctest: +NORMALIZE_WHITESPACE
[('overdue', '超期未办结', 0.5, 10.0),
 ('sanctioned_hazard', '隐患被挂牌、通报、约谈或问责', 1.0, 10.0)]
>>> [(v.key, v.label.zh) for v in DEFAULT_RULES.vetoes]
[('major_hazard_overdue', '重大隐患逾期未整改')]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import AnalysisError
from ruian_governance.labels import Label
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case, Department, Hierarchy

from ._reading import Lifecycles, Reading
from .criteria import CaseItem, CaseMatch, keyed_items, latest, threshold
from .rates import Rate, escalation_rate, on_time_rate, return_rate, satisfaction

__all__ = [
    "DEFAULT_RULES",
    "PANEL_FINDINGS",
    "AssessmentRules",
    "AssessmentWeights",
    "BundledAssessment",
    "Deduction",
    "UnitScore",
    "VetoItem",
    "bundled_assessment",
]

PANEL_FINDINGS = "panel_findings"
"""The deduction key of the supervision panel's findings 平安市民监督团 (in ``deductions``)."""


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


def _cap(_: object, attribute: attrs.Attribute[float | None], value: float | None) -> None:
    if value is not None:
        _points(_, attribute, value)  # type: ignore[arg-type]


def _points(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnalysisError(attribute.name, f"expected a number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise AnalysisError(attribute.name, f"{value!r} must be a finite number >= 0")


@attrs.frozen(kw_only=True)
class Deduction(CaseItem):
    """A deduction item 扣分项: ``points`` for each matching case, at most ``cap`` in all.

    Args:
        key: The item's key (an identifier).
        label: Its English and Chinese name.
        match: Which cases count (:class:`CaseMatch`).
        points: Points deducted per matching case (finite, >= 0).
        cap: The most this item deducts from one unit (``None``: no cap).

    Raises:
        AnalysisError: A key that is not an identifier, a label that is not a ``Label``, a match
            that is not a ``CaseMatch``, or points or a cap that are not finite numbers >= 0.
    """

    points: float = attrs.field(validator=_points)
    cap: float | None = attrs.field(default=None, validator=_cap)

    def deducted(self, count: int) -> float:
        """The points deducted for ``count`` matching cases."""
        total = self.points * count
        return total if self.cap is None else min(total, self.cap)


@attrs.frozen(kw_only=True)
class VetoItem(CaseItem):
    """A veto item 一票否决: ``threshold`` matching cases fail the unit whatever its score.

    Args:
        key: The item's key (an identifier).
        label: Its English and Chinese name.
        match: Which cases count (:class:`CaseMatch`).
        threshold: How many matching cases veto (a whole number >= 1).

    Raises:
        AnalysisError: As :class:`CaseItem`, or a threshold that is not a whole number >= 1.
    """

    threshold: int = attrs.field(default=1, validator=threshold)


def _deductions(value: object) -> tuple[Deduction, ...]:
    return keyed_items(Deduction, value, "deductions")


def _vetoes(value: object) -> tuple[VetoItem, ...]:
    return keyed_items(VetoItem, value, "vetoes")


@attrs.frozen(kw_only=True)
class AssessmentRules:
    """The deduction and veto rules of the bundled assessment (configuration, not policy).

    Args:
        deductions: The deduction items 扣分项, applied in order.
        vetoes: The veto items 一票否决.
        finding_points: Points per supervision-panel finding 平安市民监督团 about the unit (or a
            unit, organisation or person under a town, for the town).
        finding_cap: The most the findings deduct from one unit (``None``: no cap).

    Raises:
        AnalysisError: An item is not a :class:`Deduction` / :class:`VetoItem`, two items share a
            key (or a deduction is keyed :data:`PANEL_FINDINGS`), or a number is not finite >= 0.
    """

    deductions: tuple[Deduction, ...] = attrs.field(default=(), converter=_deductions)
    vetoes: tuple[VetoItem, ...] = attrs.field(default=(), converter=_vetoes)
    finding_points: float = attrs.field(default=1.0, validator=_points)
    finding_cap: float | None = attrs.field(default=None, validator=_cap)

    def __attrs_post_init__(self) -> None:
        if any(d.key == PANEL_FINDINGS for d in self.deductions):
            argument = "deductions"
            raise AnalysisError(argument, f"the key {PANEL_FINDINGS!r} is the panel's findings")


DEFAULT_RULES = AssessmentRules(
    deductions=(
        Deduction(
            key="overdue",
            label=Label(en="closed late or open past the deadline", zh="超期未办结"),
            match=CaseMatch(overdue=True),
            points=0.5,
            cap=10.0,
        ),
        Deduction(
            key="sanctioned_hazard",
            label=Label(
                en="hazard listed, circulated, summoned or held to account",
                zh="隐患被挂牌、通报、约谈或问责",
            ),
            match=CaseMatch(trigger_kinds={TriggerKind.SANCTION}),
            points=1.0,
            cap=10.0,
        ),
    ),
    vetoes=(
        VetoItem(
            key="major_hazard_overdue",
            label=Label(en="major hazard not rectified in time", zh="重大隐患逾期未整改"),
            match=CaseMatch(opened_by={TriggerKind.FIND}, severities={"major"}, overdue=True),
        ),
    ),
    finding_points=1.0,
    finding_cap=10.0,
)
"""Illustrative deduction and veto items (a **design choice**, not Rui'an's published rules).

Overdue cases deduct 0.5 each (at most 10); hazards that climbed the overdue ladder (any
``SANCTION`` trigger) deduct 1 each (at most 10); each supervision-panel finding deducts 1 (at
most 10); a major hazard 重大隐患 (a case of a lifecycle opened by inspection, a ``FIND``
trigger) closed late or open past its deadline vetoes the unit.
"""


@attrs.frozen(kw_only=True)
class UnitScore:
    """The assessment of one town or department.

    Args:
        unit_id: The town or department.
        score: The final score, 0-100 (the base minus the deductions, at least 0), or ``None``
            without any data.
        cases: The cases it was assessed on.
        components: A town: each component's share (``None`` without data); a department: the
            share of its cases in each town it served.
        base: The score before deductions (a department: the mean of its towns' final scores).
        deductions: Points deducted, by deduction key (:data:`PANEL_FINDINGS` for the panel's
            findings); only items that deducted something.
        vetoes: The keys of the veto items 一票否决 the unit met (then it fails).
        findings: How many supervision-panel findings were about it.
    """

    unit_id: str
    score: float | None
    cases: int
    components: Mapping[str, float | None]
    base: float | None = None
    deductions: Mapping[str, float] = attrs.field(factory=dict)
    vetoes: tuple[str, ...] = ()
    findings: int = 0

    @property
    def passed(self) -> bool:
        """Whether no veto item was met (一票否决 fails the unit whatever its score)."""
        return not self.vetoes


@attrs.frozen(kw_only=True)
class BundledAssessment:
    """Towns and the departments bundled with them.

    Args:
        towns: One score per town, best first (vetoed towns after the others, towns without
            cases last).
        departments: One score per department that handled a town's cases or was the subject of
            a panel finding, in the same order.
        weights: The weights used.
        rules: The deduction and veto rules used.
        as_of: When open cases were judged overdue (``None``: there were no cases).
    """

    towns: tuple[UnitScore, ...]
    departments: tuple[UnitScore, ...]
    weights: AssessmentWeights
    rules: AssessmentRules = DEFAULT_RULES
    as_of: datetime | None = None


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


def _findings(
    findings: Iterable[object], hierarchy: Hierarchy, departments: set[str]
) -> Counter[str]:
    """Panel findings counted by the town or department they are about."""
    if isinstance(findings, str | bytes) or not isinstance(findings, Iterable):
        argument = "findings"
        raise AnalysisError(argument, f"expected (unit_id, finding) records, got {findings!r}")
    counts: Counter[str] = Counter()
    for record in findings:
        if isinstance(record, str | bytes) or not isinstance(record, Sequence) or len(record) != 2:
            argument = "findings"
            raise AnalysisError(argument, f"expected a (unit_id, finding) pair, got {record!r}")
        unit_id = record[0]
        if not isinstance(unit_id, str):
            argument = "findings"
            raise AnalysisError(argument, f"expected a unit id, got {unit_id!r}")
        if unit_id in departments:
            counts[unit_id] += 1
            continue
        town = hierarchy.town_of(unit_id)  # UnknownIdError for an unknown id
        if town is None:
            argument = "findings"
            raise AnalysisError(argument, f"{unit_id!r} is neither in a town nor a department")
        counts[town.id] += 1
    return counts


def _judge(
    base: float | None,
    cases: Sequence[Case],
    findings: int,
    rules: AssessmentRules,
    context: tuple[Reading, datetime | None],
) -> tuple[float | None, dict[str, float], tuple[str, ...]]:
    """The final score, the deductions by key and the vetoes met, of one unit."""
    reading, as_of = context
    meanings = [(c, reading.of_case(c)) for c in cases]
    deducted: dict[str, float] = {}
    for item in rules.deductions:
        n = sum(1 for c, m in meanings if item.match.matches(c, m, as_of))
        if n and item.deducted(n):
            deducted[item.key] = item.deducted(n)
    if findings:
        total = rules.finding_points * findings
        points = total if rules.finding_cap is None else min(total, rules.finding_cap)
        if points:
            deducted[PANEL_FINDINGS] = points
    vetoes = tuple(
        v.key
        for v in rules.vetoes
        if sum(1 for c, m in meanings if v.match.matches(c, m, as_of)) >= v.threshold
    )
    score = None if base is None else max(0.0, base - sum(deducted.values()))
    return score, deducted, vetoes


def bundled_assessment(  # noqa: PLR0913 - the cases, the city and the configuration
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    weights: AssessmentWeights | None = None,
    rules: AssessmentRules = DEFAULT_RULES,
    findings: Iterable[object] = (),
    as_of: datetime | None = None,
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

    Then the deductions and veto items of ``rules`` apply (see the module), with ``findings``,
    the supervision panel's findings 平安市民监督团: any iterable of ``(unit_id, finding)`` pairs
    (a town, or anything under a town, counts for the town; a department for itself).  Open
    cases are overdue when past their deadline at ``as_of`` (default: the latest record of
    ``cases``, so the result depends on the cases alone).

    Raises:
        UnknownIdError: A case's lifecycle is not in ``lifecycles``, or a finding names an
            unknown unit.
        AnalysisError: ``rules`` is not :class:`AssessmentRules`, a finding is not a
            ``(unit_id, finding)`` pair (or is about the city or the centre).
        ArgumentError: ``as_of`` is not an aware datetime.
    """
    weights = weights or AssessmentWeights()
    given: object = rules
    if not isinstance(given, AssessmentRules):
        argument = "rules"
        raise AnalysisError(argument, f"expected AssessmentRules, got {given!r}")
    if as_of is not None:
        require_aware(as_of, "as_of")
    reading = Reading.of(lifecycles)
    by_town: dict[str, list[Case]] = {t.id: [] for t in hierarchy.towns}
    served: dict[str, Counter[str]] = defaultdict(Counter)
    handled: dict[str, list[Case]] = defaultdict(list)
    departments = {d.id for d in hierarchy.departments if isinstance(d, Department)}
    found = _findings(findings, hierarchy, departments)
    chosen_cases = list(cases)
    as_of = as_of or latest(chosen_cases)
    for case in chosen_cases:
        town = hierarchy.town_of(case.location_id)
        if town is None:
            continue
        by_town[town.id].append(case)
        for unit in sorted({*case.assignees, *reading.of_case(case).handlers(case)}):
            if unit in departments:
                served[unit][town.id] += 1
                handled[unit].append(case)
    towns = []
    scores: dict[str, float | None] = {}
    for town_id, chosen in by_town.items():
        base, components = _score(chosen, weights, reading)
        score, deducted, vetoes = _judge(base, chosen, found[town_id], rules, (reading, as_of))
        scores[town_id] = score
        towns.append(
            UnitScore(
                unit_id=town_id,
                score=score,
                cases=len(chosen),
                components=components,
                base=base,
                deductions=deducted,
                vetoes=vetoes,
                findings=found[town_id],
            )
        )
    depts = []
    for dept in sorted({*served, *(u for u in found if u in departments)}):
        per_town = served.get(dept, Counter())
        pairs = [(scores[t], n) for t, n in per_town.items() if scores[t] is not None]
        n_cases = sum(per_town.values())
        weight = sum(n for _, n in pairs)
        base = sum(s * n for s, n in pairs if s is not None) / weight if weight else None
        share = {t: n / n_cases for t, n in sorted(per_town.items())}
        score, deducted, vetoes = _judge(base, handled[dept], found[dept], rules, (reading, as_of))
        depts.append(
            UnitScore(
                unit_id=dept,
                score=score,
                cases=n_cases,
                components=share,
                base=base,
                deductions=deducted,
                vetoes=vetoes,
                findings=found[dept],
            )
        )

    def order(u: UnitScore) -> tuple[bool, bool, float, str]:
        return (u.score is None, bool(u.vetoes), -(u.score or 0.0), u.unit_id)

    return BundledAssessment(
        towns=tuple(sorted(towns, key=order)),
        departments=tuple(sorted(depts, key=order)),
        weights=weights,
        rules=rules,
        as_of=as_of,
    )
