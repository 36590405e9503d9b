"""Hotspots 热点研判: grids or villages where a category is unusually frequent.

The test is a one-sided Poisson exact test per unit and category against the city's rate
(exposure by grids), with Benjamini-Hochberg or Bonferroni correction over the whole family.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case, Hierarchy, Level

from ._reading import Lifecycles, Reading

__all__ = [
    "HotspotFinding",
    "HotspotTest",
    "adjusted_p_values",
    "hotspot_findings",
    "hotspot_tests",
    "hotspots",
    "poisson_upper_tail",
]


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
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
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
        lifecycles: The lifecycles counted: of these definitions, those whose cases open by a
            report (a ``REPORT`` trigger); the built-ins' events and disputes, which grid
            workers report, by default.  Hazards come from inspections and are left out, as
            are cases of lifecycles not given.

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
    kept = Reading.of(lifecycles).keys_opened_by(TriggerKind.REPORT)
    counted = Counter((c.location_id, c.category) for c in cases if c.lifecycle in kept)
    tests, family = hotspot_tests(
        hierarchy, ((location, category, k) for (location, category), k in counted.items()), level
    )
    return hotspot_findings(tests, family, alpha=alpha, correction=correction)


HotspotTest = tuple[float, str, str, int, float]
"""One test: (p-value, unit id, category, observed, expected)."""


def hotspot_tests(
    hierarchy: Hierarchy, counted: Iterable[tuple[str, str, int]], level: Level = Level.GRID
) -> tuple[list[HotspotTest], int]:
    """One city's tests of :func:`hotspots` and the size of its family.

    ``counted`` gives (location id, category, number of cases) of the reported cases; a case
    located above the grids (a village, a town) is not counted.  The family is every unit at
    ``level`` times every category seen, so cities' tests can be pooled and corrected as one
    family (a region's hotspots, :mod:`ruian_governance.sim.regional`).

    Raises:
        AnalysisError: Another level, or a count that is not a positive integer.
        UnknownIdError: A location not in the hierarchy.
    """
    if level not in (Level.GRID, Level.VILLAGE):
        raise AnalysisError(argument="level", problem=f"{level!r} is not grid or village")
    grids = hierarchy.units_at(Level.GRID)
    unit_of_grid = {g.id: g.id if level is Level.GRID else (g.parent_id or g.id) for g in grids}
    share = Counter(unit_of_grid.values())
    counts: Counter[tuple[str, str]] = Counter()
    city: Counter[str] = Counter()
    for location, category, k in counted:
        if type(k) is not int or k < 1:
            raise AnalysisError(argument="counted", problem=f"{k!r} is not a positive count")
        grid = _grid_of(hierarchy, location)
        if grid is None:
            continue
        counts[unit_of_grid[grid], category] += k
        city[category] += k
    if not city or not grids:
        return [], 0
    tests = []
    for (unit, category), k in counts.items():
        mu = city[category] * share[unit] / len(grids)
        tests.append((poisson_upper_tail(k, mu), unit, category, k, mu))
    return tests, len(share) * len(city)


def hotspot_findings(
    tests: Iterable[HotspotTest],
    family: int,
    *,
    alpha: float = 0.05,
    correction: str = "benjamini-hochberg",
) -> tuple[HotspotFinding, ...]:
    """The findings among ``tests`` (of :func:`hotspot_tests`) in a family of ``family`` tests.

    Corrected with :func:`adjusted_p_values`; those at or below ``alpha`` after correction,
    strongest first.

    Raises:
        AnalysisError: Another correction, ``alpha`` outside (0, 1), or a family smaller than
            the tests.
    """
    if not 0 < alpha < 1:
        raise AnalysisError(argument="alpha", problem=f"{alpha!r} is not in (0, 1)")
    ordered = sorted(tests)
    if type(family) is not int or family < len(ordered):
        raise AnalysisError(
            argument="family", problem=f"{family!r} is fewer than the {len(ordered)} tests"
        )
    adjusted = adjusted_p_values([t[0] for t in ordered], family, correction)
    found = [
        HotspotFinding(unit_id=u, category=c, observed=k, expected=mu, p_value=p, adjusted=a)
        for (p, u, c, k, mu), a in zip(ordered, adjusted, strict=True)
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


def adjusted_p_values(
    sorted_p: Sequence[float], m: int, correction: str = "benjamini-hochberg"
) -> list[float]:
    """Adjusted p-values of ascending ``sorted_p`` in a family of ``m`` tests.

    The correction :func:`hotspots` applies (``"benjamini-hochberg"`` or ``"bonferroni"``),
    for a family gathered elsewhere (a region's cities, :mod:`ruian_governance.sim.regional`).

    Raises:
        AnalysisError: Another correction.

    >>> [round(p, 3) for p in adjusted_p_values([0.01, 0.02, 0.04], 4)]
    [0.04, 0.04, 0.053]
    """
    if correction not in ("benjamini-hochberg", "bonferroni"):
        raise AnalysisError(
            argument="correction", problem=f"{correction!r} is not benjamini-hochberg or bonferroni"
        )
    return _adjust(sorted_p, m, correction)
