"""Analysis 研判: the figures governance staff read, as pure functions over cases.

Every function takes cases (with their histories) and, where it needs the structure, the
hierarchy; none reads a clock, a file or a database, so a dashboard can call them on any
selection of cases (one town, one week...).  Times come from the histories: a case is *closed*
when it first reaches its lifecycle's closing state (:data:`CLOSING_STATES`: 办结 for events and
disputes, 销号 for hazards) and *on time* when that happened before its deadline.

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> from ruian_governance.analysis import on_time_rate, satisfaction
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> cases = simulate(SimulationConfig(hierarchy=h, days=7, seed=1)).cases
>>> rate = on_time_rate(cases)
>>> 0 <= rate.count <= rate.total
True
>>> satisfaction(cases).value is not None
True
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import HAZARD_LADDER
from ruian_governance.models import Case, Department, Hierarchy, Level, Station

from .case_library import LibraryEntry, SimilarCaseLibrary

__all__ = [
    "CLOSING_STATES",
    "VOLUME_KEYS",
    "AssessmentWeights",
    "BundledAssessment",
    "HotspotFinding",
    "Rate",
    "RepeatIncident",
    "UnitScore",
    "Volumes",
    "bundled_assessment",
    "closed_at",
    "escalation_rate",
    "hotspots",
    "on_time_rate",
    "poisson_upper_tail",
    "repeat_incidents",
    "return_rate",
    "satisfaction",
    "similar_disputes",
    "summarise",
    "time_to_close",
    "volumes",
]

CLOSING_STATES: Mapping[str, str] = MappingProxyType(
    {"event": "closed", "dispute": "completed", "hazard": "closed"}
)
"""The state in which a case of each built-in lifecycle counts as closed (办结 / 销号)."""

VOLUME_KEYS = ("town", "platform", "station", "category", "lifecycle")
"""What :func:`volumes` can count by."""

_HANDLING_TRIGGERS = frozenset({"dispatch", "assign"})


@attrs.frozen(kw_only=True)
class Rate:
    """A share: ``count`` of ``total``; ``value`` is ``None`` when there is nothing to count.

    >>> Rate(count=3, total=4).value, str(Rate(count=0, total=0))
    (0.75, 'n/a (0/0)')
    """

    count: int
    total: int

    @property
    def value(self) -> float | None:
        """``count / total``, or ``None`` without a total."""
        return self.count / self.total if self.total else None

    def __str__(self) -> str:
        value = self.value
        shown = "n/a" if value is None else f"{value:.1%}"
        return f"{shown} ({self.count}/{self.total})"


def _of(cases: Iterable[Case], lifecycle: str | None) -> list[Case]:
    return [c for c in cases if lifecycle is None or c.lifecycle == lifecycle]


def closed_at(case: Case) -> datetime | None:
    """When ``case`` first reached its closing state (:data:`CLOSING_STATES`), or ``None``."""
    target = CLOSING_STATES.get(case.lifecycle)
    for record in case.history:
        if record.dest == target:
            return record.at
    return None


def on_time_rate(cases: Iterable[Case], *, lifecycle: str | None = None) -> Rate:
    """The on-time completion rate 按期办结率: closed cases closed before their deadline.

    Cases closed without a deadline count as on time; open cases are not counted.

    Args:
        cases: The cases.
        lifecycle: Only cases of this lifecycle (default: all).
    """
    count = total = 0
    for case in _of(cases, lifecycle):
        closed = closed_at(case)
        if closed is None:
            continue
        total += 1
        if case.due_at is None or closed < case.due_at:
            count += 1
    return Rate(count=count, total=total)


def time_to_close(
    cases: Iterable[Case],
    *,
    percentiles: Sequence[float] = (50, 90, 95),
    lifecycle: str | None = None,
) -> dict[float, timedelta]:
    """Percentiles of the time from opening to closing (nearest-rank), over closed cases.

    Raises:
        AnalysisError: A percentile is outside (0, 100].

    >>> time_to_close([])
    {}
    """
    for p in percentiles:
        if not 0 < p <= 100:
            raise AnalysisError(argument="percentiles", problem=f"{p!r} is not in (0, 100]")
    spans = sorted(
        closed - case.opened_at
        for case in _of(cases, lifecycle)
        if (closed := closed_at(case)) is not None
    )
    if not spans:
        return {}
    return {p: spans[max(0, math.ceil(p / 100 * len(spans)) - 1)] for p in percentiles}


def escalation_rate(cases: Iterable[Case], *, lifecycle: str | None = None) -> Rate:
    """Share of cases escalated 提级/上移 at least once (an ``escalate`` record)."""
    chosen = _of(cases, lifecycle)
    count = sum(1 for c in chosen if any(r.trigger == "escalate" for r in c.history))
    return Rate(count=count, total=len(chosen))


def return_rate(cases: Iterable[Case]) -> Rate:
    """Share of dispatched events returned 退回 by a station at least once."""
    dispatched = [
        c
        for c in cases
        if c.lifecycle == "event" and any(r.trigger == "dispatch" for r in c.history)
    ]
    count = sum(1 for c in dispatched if any(r.trigger == "return" for r in c.history))
    return Rate(count=count, total=len(dispatched))


def satisfaction(cases: Iterable[Case], *, lifecycle: str | None = None) -> Rate:
    """Satisfaction 满意率: share of evaluations 评价 with 4 or 5 stars."""
    stars = [
        r.get("stars") for c in _of(cases, lifecycle) for r in c.history if r.trigger == "evaluate"
    ]
    good = sum(1 for s in stars if isinstance(s, int) and s >= 4)
    return Rate(count=good, total=len(stars))


# --------------------------------------------------------------------------- volumes


@attrs.frozen(kw_only=True)
class Volumes:
    """Case counts per key and time window.

    Args:
        by: What was counted by (one of :data:`VOLUME_KEYS`).
        start: Start of the first window.
        window: Length of each window.
        counts: For each key, the count in each window, oldest first.
    """

    by: str
    start: datetime
    window: timedelta
    counts: Mapping[str, tuple[int, ...]]

    @property
    def windows(self) -> tuple[datetime, ...]:
        """The start of each window."""
        n = max((len(v) for v in self.counts.values()), default=0)
        return tuple(self.start + i * self.window for i in range(n))

    def totals(self) -> dict[str, int]:
        """The count of each key over all windows, largest first."""
        totals = {k: sum(v) for k, v in self.counts.items()}
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


def _handlers(case: Case) -> tuple[str, ...]:
    """The units that last had the case dispatched or assigned to them."""
    for record in reversed(case.history):
        if record.trigger in _HANDLING_TRIGGERS:
            units = record.get("units")
            if isinstance(units, tuple):
                return units
            if isinstance(units, str):
                return (units,)
    return ()


def _keys(case: Case, by: str, hierarchy: Hierarchy | None) -> tuple[str, ...]:
    if by == "category":
        return (case.category,)
    if by == "lifecycle":
        return (case.lifecycle,)
    if hierarchy is None:
        raise AnalysisError(argument="hierarchy", problem=f"counting by {by!r} needs the hierarchy")
    if by == "town":
        town = hierarchy.town_of(case.location_id)
        return (hierarchy.city.id if town is None else town.id,)
    handlers = _handlers(case)
    if by == "station":
        return handlers
    platforms = []
    for unit in handlers:
        node = hierarchy.get(unit)
        if isinstance(node, Station):
            platforms.append(node.platform_id)
    return tuple(dict.fromkeys(platforms))


def volumes(  # noqa: PLR0913 - the cases, the key and the windows
    cases: Iterable[Case],
    by: str,
    *,
    start: datetime,
    window: timedelta = timedelta(days=7),
    windows: int | None = None,
    hierarchy: Hierarchy | None = None,
) -> Volumes:
    """Count cases opened per window, by town, platform, station, category or lifecycle.

    A case counts once per key: by ``town`` the town of its location (the city id for a case
    located at the city); by ``station`` every unit it was last dispatched or assigned to
    (stations, and departments for major events); by ``platform`` the platforms of those
    stations.  Cases opened before ``start`` are left out.

    Args:
        cases: The cases.
        by: One of :data:`VOLUME_KEYS`.
        start: Start of the first window.
        window: Length of a window (default a week).
        windows: Number of windows (default: up to the last case opened).
        hierarchy: Needed by town, platform and station.

    Raises:
        AnalysisError: Unknown ``by``, a window that is not positive, or no hierarchy where
            one is needed.

    >>> from datetime import datetime
    >>> from ruian_governance import CHINA_STANDARD_TIME
    >>> volumes([], "category", start=datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME)).counts
    {}
    """
    if by not in VOLUME_KEYS:
        raise AnalysisError(argument="by", problem=f"{by!r} is not one of {', '.join(VOLUME_KEYS)}")
    if window <= timedelta(0):
        raise AnalysisError(argument="window", problem="must be positive")
    slots: dict[str, Counter[int]] = defaultdict(Counter)
    last = -1
    for case in cases:
        if case.opened_at < start:
            continue
        i = int((case.opened_at - start) / window)
        if windows is not None and i >= windows:
            continue
        last = max(last, i)
        for key in _keys(case, by, hierarchy):
            slots[key][i] += 1
    n = windows if windows is not None else last + 1
    counts = {k: tuple(c[i] for i in range(n)) for k, c in sorted(slots.items())}
    return Volumes(by=by, start=start, window=window, counts=counts)


# --------------------------------------------------------------------------- hotspots


def poisson_upper_tail(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu), computed without cancellation for small tails.

    >>> round(poisson_upper_tail(0, 3.0), 6), round(poisson_upper_tail(1, 1.0), 6)
    (1.0, 0.632121)
    >>> poisson_upper_tail(30, 2.0) < 1e-15
    True
    """
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    if k <= mu:  # the lower tail is the small part: sum it and subtract
        term = math.exp(-mu)
        lower = term
        for i in range(1, k):
            term *= mu / i
            lower += term
        return max(0.0, 1.0 - lower)
    term = math.exp(-mu + k * math.log(mu) - math.lgamma(k + 1))
    total = 0.0
    i = k
    while term > 1e-300:
        total += term
        i += 1
        term *= mu / i
        if term < total * 1e-17:
            break
    return min(1.0, total)


@attrs.frozen(kw_only=True)
class HotspotFinding:
    """A unit whose count of a category is unusually high against the city.

    Args:
        unit_id: The grid or village.
        category: The category.
        observed: Cases of the category located there.
        expected: Cases expected there at the city's rate (by share of grids).
        p_value: One-sided Poisson exact test, P(X >= observed).
        adjusted: The p-value after the multiple-testing correction.
    """

    unit_id: str
    category: str
    observed: int
    expected: float
    p_value: float
    adjusted: float

    @property
    def ratio(self) -> float:
        """Observed over expected."""
        return self.observed / self.expected if self.expected else math.inf


def hotspots(  # noqa: PLR0913 - each knob is a documented statistical choice
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    level: Level = Level.GRID,
    alpha: float = 0.05,
    correction: str = "benjamini-hochberg",
    lifecycles: Iterable[str] = ("event", "dispute"),
) -> tuple[HotspotFinding, ...]:
    """Find grids or villages where a category is unusually frequent (热点研判).

    The test: for each unit ``u`` at ``level`` and each category ``c``, the count ``k`` of
    cases of ``c`` located in ``u`` (or under it) is compared with a Poisson distribution whose
    mean is the city's count of ``c`` times ``u``'s share of the city's grids (exposure by
    grids, so a village of five grids is expected to see five times a one-grid village).  The
    p-value is the one-sided Poisson exact test P(X >= k).  All ``units x categories`` tests
    form one family, corrected with Benjamini-Hochberg (false discovery rate, default) or
    Bonferroni (family-wise error); findings with an adjusted p-value at or below ``alpha``
    are returned, strongest first.

    Args:
        cases: The cases.
        hierarchy: Locates cases in units and gives each unit's grids.
        level: ``Level.GRID`` or ``Level.VILLAGE``.
        alpha: The significance level after correction.
        correction: ``"benjamini-hochberg"`` or ``"bonferroni"``.
        lifecycles: The lifecycles counted (default events and disputes, which grid workers
            report; hazards come from inspections and are left out).

    Raises:
        AnalysisError: Another level or correction, or ``alpha`` outside (0, 1).
    """
    if level not in (Level.GRID, Level.VILLAGE):
        raise AnalysisError(argument="level", problem=f"{level.value!r} is not grid or village")
    if correction not in ("benjamini-hochberg", "bonferroni"):
        raise AnalysisError(
            argument="correction", problem=f"{correction!r} is not benjamini-hochberg or bonferroni"
        )
    if not 0 < alpha < 1:
        raise AnalysisError(argument="alpha", problem=f"{alpha!r} is not in (0, 1)")
    kept = frozenset(lifecycles)
    grids = hierarchy.units_at(Level.GRID)
    unit_of_grid: dict[str, str] = {
        g.id: g.id if level is Level.GRID else (g.parent_id or g.id) for g in grids
    }
    share = Counter(unit_of_grid.values())
    n_grids = len(grids)
    counts: Counter[tuple[str, str]] = Counter()
    city: Counter[str] = Counter()
    for case in cases:
        if case.lifecycle not in kept:
            continue
        grid = _grid_of(hierarchy, case.location_id)
        if grid is None:
            continue
        counts[unit_of_grid[grid], case.category] += 1
        city[case.category] += 1
    if not city or not n_grids:
        return ()
    m = len(share) * len(city)
    tests = []
    for (unit, category), k in counts.items():
        mu = city[category] * share[unit] / n_grids
        tests.append((poisson_upper_tail(k, mu), unit, category, k, mu))
    tests.sort()
    adjusted = _adjust([t[0] for t in tests], m, correction)
    found = [
        HotspotFinding(unit_id=u, category=c, observed=k, expected=mu, p_value=p, adjusted=a)
        for (p, u, c, k, mu), a in zip(tests, adjusted, strict=True)
        if a <= alpha
    ]
    return tuple(sorted(found, key=lambda f: (f.adjusted, f.p_value, f.unit_id, f.category)))


def _grid_of(hierarchy: Hierarchy, unit_id: str) -> str | None:
    unit = hierarchy.unit(unit_id)
    if unit.level is Level.GRID:
        return unit.id
    if unit.level is Level.MICRO_GRID:
        return unit.parent_id
    return None


def _adjust(sorted_p: Sequence[float], m: int, correction: str) -> list[float]:
    """Adjusted p-values of ascending ``sorted_p`` in a family of ``m`` tests."""
    if correction == "bonferroni":
        return [min(1.0, p * m) for p in sorted_p]
    adjusted = [0.0] * len(sorted_p)
    running = 1.0
    for i in range(len(sorted_p) - 1, -1, -1):
        running = min(running, sorted_p[i] * m / (i + 1))
        adjusted[i] = min(1.0, running)
    return adjusted


# --------------------------------------------------------------------------- repeat incidents


@attrs.frozen(kw_only=True)
class RepeatIncident:
    """Cases of one category at one place, each within a window of the one before.

    Args:
        location_id: The place (grid or micro-grid).
        category: The category.
        case_ids: The cases, oldest first.
        first: When the first was opened.
        last: When the last was opened.
    """

    location_id: str
    category: str
    case_ids: tuple[str, ...]
    first: datetime
    last: datetime


def repeat_incidents(
    cases: Iterable[Case],
    *,
    within: timedelta = timedelta(days=7),
    min_count: int = 2,
    lifecycles: Iterable[str] = ("event", "dispute"),
) -> tuple[RepeatIncident, ...]:
    """Find repeat incidents 重复事件: the same category at the same place, again and again.

    Cases are grouped by location and category and chained in opening order: a case opened
    within ``within`` of the one before joins its run.  Runs of at least ``min_count`` cases
    are returned, largest first.

    Raises:
        AnalysisError: ``min_count`` below 2 or a window that is not positive.
    """
    if min_count < 2:
        raise AnalysisError(argument="min_count", problem=f"{min_count} must be at least 2")
    if within <= timedelta(0):
        raise AnalysisError(argument="within", problem="must be positive")
    kept = frozenset(lifecycles)
    groups: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        if case.lifecycle in kept:
            groups[case.location_id, case.category].append(case)
    found: list[RepeatIncident] = []
    for (location, category), group in groups.items():
        group.sort(key=lambda c: (c.opened_at, c.id))
        runs = [[group[0]]]
        for case in group[1:]:
            if case.opened_at - runs[-1][-1].opened_at <= within:
                runs[-1].append(case)
            else:
                runs.append([case])
        found.extend(
            RepeatIncident(
                location_id=location,
                category=category,
                case_ids=tuple(c.id for c in run),
                first=run[0].opened_at,
                last=run[-1].opened_at,
            )
            for run in runs
            if len(run) >= min_count
        )
    return tuple(sorted(found, key=lambda r: (-len(r.case_ids), r.location_id, r.category)))


# --------------------------------------------------------------------------- assessment


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
    cases: Sequence[Case], weights: AssessmentWeights
) -> tuple[float | None, dict[str, float | None]]:
    hazards = [c for c in cases if c.lifecycle == "hazard"]
    others = [c for c in cases if c.lifecycle != "hazard"]
    returns, escalations = return_rate(others), escalation_rate(others)
    closed = Rate(count=sum(1 for c in hazards if closed_at(c) is not None), total=len(hazards))
    components: dict[str, float | None] = {
        "on_time": on_time_rate(cases).value,
        "satisfaction": satisfaction(cases).value,
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
) -> BundledAssessment:
    """Assess each town together with its departments (镇街、部门捆绑考核).

    A town is scored on every case located in it, whoever handled it: its command room and
    stations, and the city departments its major events and difficult disputes went to, so a
    department's delay counts against the town.  In turn each department is bundled with the
    towns it served: its score is the mean of their scores weighted by the number of their cases
    it handled.  Components and weights are in :class:`AssessmentWeights`.
    """
    weights = weights or AssessmentWeights()
    by_town: dict[str, list[Case]] = {t.id: [] for t in hierarchy.towns}
    served: dict[str, Counter[str]] = defaultdict(Counter)
    departments = {d.id for d in hierarchy.departments if isinstance(d, Department)}
    for case in cases:
        town = hierarchy.town_of(case.location_id)
        if town is None:
            continue
        by_town[town.id].append(case)
        for unit in {*case.assignees, *_handlers(case)}:
            if unit in departments:
                served[unit][town.id] += 1
    towns = []
    scores: dict[str, float | None] = {}
    for town_id, chosen in by_town.items():
        score, components = _score(chosen, weights)
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


# --------------------------------------------------------------------------- similar cases


def similar_disputes(
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    category: str | None = None,
    location_id: str | None = None,
    keywords: Iterable[str] = (),
) -> tuple[LibraryEntry, ...]:
    """Query the similar-case library 类案库 built from ``cases`` (completed disputes).

    The cases are filed in a :class:`~ruian_governance.SimilarCaseLibrary` as a case store's
    index would file them, then queried by category, place (a unit and everything under it) and
    keywords (all must appear in the dossier).
    """
    library = SimilarCaseLibrary(hierarchy)
    for case in cases:
        library.observe(case)
    return library.query(category=category, location_id=location_id, keywords=keywords)


# --------------------------------------------------------------------------- a summary


def _hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 1)


def _rate(rate: Rate) -> dict[str, Any]:
    value = rate.value
    return {
        "count": rate.count,
        "total": rate.total,
        "value": None if value is None else round(value, 4),
    }


def summarise(cases: Sequence[Case], hierarchy: Hierarchy, *, top: int = 10) -> dict[str, Any]:
    """Return the headline figures of a set of cases as JSON-ready data.

    Counts by lifecycle and state, on-time rate, satisfaction, escalation and return rates,
    time-to-close percentiles (hours), the hazard ladder, the ``top`` hotspots and repeat
    incidents, and the bundled assessment of the towns.
    """
    by_state: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        by_state[case.lifecycle][case.state] += 1
    ladder = Counter(r.trigger for c in cases for r in c.history if r.trigger in HAZARD_LADDER)
    spots = hotspots(cases, hierarchy)
    repeats = repeat_incidents(cases)
    assessment = bundled_assessment(cases, hierarchy)
    return {
        "cases": len(cases),
        "by_lifecycle": {k: sum(v.values()) for k, v in sorted(by_state.items())},
        "by_state": {k: dict(sorted(v.items())) for k, v in sorted(by_state.items())},
        "on_time_rate": {
            lc: _rate(on_time_rate(cases, lifecycle=lc)) for lc in ("event", "dispute", "hazard")
        },
        "satisfaction": _rate(satisfaction(cases)),
        "escalation_rate": _rate(escalation_rate([c for c in cases if c.lifecycle != "hazard"])),
        "return_rate": _rate(return_rate(cases)),
        "time_to_close_hours": {
            f"p{p:g}": _hours(span) for p, span in time_to_close(cases, lifecycle="event").items()
        },
        "hazard_ladder": {rung: ladder[rung] for rung in HAZARD_LADDER},
        "hotspots": [
            {
                "unit_id": f.unit_id,
                "category": f.category,
                "observed": f.observed,
                "expected": round(f.expected, 2),
                "adjusted_p": f.adjusted,
            }
            for f in spots[:top]
        ],
        "hotspot_count": len(spots),
        "repeat_incidents": len(repeats),
        "assessment": [
            {
                "town_id": u.unit_id,
                "score": None if u.score is None else round(u.score, 1),
                "cases": u.cases,
            }
            for u in assessment.towns
        ],
    }
