"""Hypothesis strategies for routing tests: rule tables, reports, hierarchies with gaps.

Kept in tests/ for now; issue 5 moves strategies for the library's types into the package.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from ruian_governance import (
    DEFAULT_DEPARTMENTS,
    Category,
    Hierarchy,
    Label,
    Level,
    PlatformPreset,
    Report,
    RoutingRules,
    SeverityTier,
)
from ruian_governance.strategies import hierarchies

DEPARTMENT_KINDS = tuple(d.department_kind for d in DEFAULT_DEPARTMENTS)


def small_hierarchies() -> st.SearchStrategy[Hierarchy]:
    """Hierarchies of one to two towns, a few villages, grids and micro-grids, either preset."""
    return hierarchies(
        max_towns=2, max_villages_per_town=2, max_grids_per_village=2, max_micro_grids_per_grid=2
    )


@st.composite
def categories(
    draw: st.DrawFn, preset: PlatformPreset, *, key: str, missing_departments: bool = True
) -> Category:
    """One category over ``preset``'s kinds; department kinds may include one nobody has."""
    station_keys = [kind.key for kind in preset.station_kinds]
    departments = (
        [*DEPARTMENT_KINDS, "no_such_department"] if missing_departments else [*DEPARTMENT_KINDS]
    )
    return Category(
        key=key,
        label=Label(en=key, zh=f"类别{key}"),
        platform=draw(st.sampled_from([kind.key for kind in preset.platforms])),
        station_kinds=draw(st.lists(st.sampled_from(station_keys), min_size=1, max_size=3,
                                    unique=True)),
        department_kinds=draw(st.lists(st.sampled_from(departments), max_size=2, unique=True)),
        default_severity=draw(st.sampled_from(SeverityTier)),
    )  # fmt: skip


@st.composite
def routing_rules(
    draw: st.DrawFn,
    preset: PlatformPreset,
    *,
    max_categories: int = 4,
    missing_departments: bool = True,
) -> RoutingRules:
    """A valid category table over ``preset`` with one to ``max_categories`` categories."""
    count = draw(st.integers(1, max_categories))
    return RoutingRules(
        key="drawn",
        label=Label(en="drawn", zh="生成"),
        preset=preset,
        categories=[
            draw(categories(preset, key=f"c{i}", missing_departments=missing_departments))
            for i in range(count)
        ],
    )


@st.composite
def reports(draw: st.DrawFn, hierarchy: Hierarchy, rules: RoutingRules) -> Report:
    """A report from a grid or micro-grid of ``hierarchy`` in a category of ``rules``."""
    units = hierarchy.units_at(Level.GRID) + hierarchy.units_at(Level.MICRO_GRID)
    return Report(
        id=f"r{draw(st.integers(0, 10_000))}",
        grid_id=draw(st.sampled_from(units)).id,
        category=draw(st.sampled_from(rules.keys)),
        severity=draw(st.one_of(st.none(), st.sampled_from(SeverityTier))),
    )


def without_stations(hierarchy: Hierarchy, town_id: str, station_kind: str) -> Hierarchy:
    """Return ``hierarchy`` without the stations of one kind in one town (and their officers).

    The town keeps its full platform set, so the result still validates.
    """
    gone = {
        s.id for s in hierarchy.stations if s.town_id == town_id and s.station_kind == station_kind
    }
    return attrs.evolve(
        hierarchy,
        stations=[s for s in hierarchy.stations if s.id not in gone],
        people=[p for p in hierarchy.people if not any(post.unit_id in gone for post in p.posts)],
    )
