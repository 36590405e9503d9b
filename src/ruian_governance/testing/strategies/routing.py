"""Strategies for routing: category rows, category tables 分类表 and reports from grids.

Part of :mod:`ruian_governance.testing.strategies`, which re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hypothesis import strategies as st

from ruian_governance._convert import str_frozenset
from ruian_governance.errors import ArgumentError
from ruian_governance.labels import Label
from ruian_governance.models import Hierarchy, Level, PlatformPreset
from ruian_governance.presets import DEFAULT_DEPARTMENTS, RULES_2021
from ruian_governance.routing import Category, Report, RoutingRules, SeverityTier, check_rules
from ruian_governance.testing._args import check_bound, need_type

__all__ = ["categories", "reports", "routing_rules"]

_DEPARTMENT_KINDS: tuple[str, ...] = tuple(d.department_kind for d in DEFAULT_DEPARTMENTS)


def categories(
    *,
    preset: PlatformPreset,
    key: str | st.SearchStrategy[str] = "drawn",
    max_station_kinds: int = 3,
    missing_departments: bool = False,
    station_kinds: Iterable[str] | None = None,
) -> st.SearchStrategy[Category]:
    """Generate :class:`~ruian_governance.Category` rows over ``preset``'s kinds.

    Args:
        preset: The platform preset whose platform and station kinds the category names.
        key: The category's key, or a strategy of keys.
        max_station_kinds: Most station kinds per category (at least one is drawn).
        missing_departments: Also draw a department kind no default city has, so that routing
            a major report may fail (:class:`~ruian_governance.NoDepartmentError`).
        station_kinds: Only these station kinds of the preset (e.g. those a hierarchy's towns
            actually have, so that every report routes); default: any of the preset's.

    Raises:
        ArgumentError: ``preset`` is not a :class:`~ruian_governance.PlatformPreset`,
            ``max_station_kinds`` is below 1, or ``station_kinds`` names kinds the preset lacks
            (or none at all).

    >>> from hypothesis import given
    >>> from ruian_governance.presets import PLATFORMS_2021
    >>> @given(categories(preset=PLATFORMS_2021, key="mine"))
    ... def test_category_names_preset_kinds(category):
    ...     assert category.platform in {p.key for p in PLATFORMS_2021.platforms}
    >>> test_category_names_preset_kinds()
    """
    need_type("preset", preset, PlatformPreset)
    check_bound("max_station_kinds", max_station_kinds, 1)
    keys = key if isinstance(key, st.SearchStrategy) else st.just(key)
    station_keys = [kind.key for kind in preset.station_kinds]
    if station_kinds is not None:
        wanted = str_frozenset(station_kinds)
        unknown = wanted - set(station_keys)
        if unknown or not wanted:
            reason = f"kinds of preset {preset.key!r}; unknown: {sorted(unknown)}"
            raise ArgumentError(argument="station_kinds", value=sorted(wanted), reason=reason)
        station_keys = [k for k in station_keys if k in wanted]
    platform_keys = [kind.key for kind in preset.platforms]
    departments = [*_DEPARTMENT_KINDS, *(["no_such_department"] if missing_departments else [])]
    most = min(max_station_kinds, len(station_keys))

    @st.composite
    def build(draw: st.DrawFn) -> Category:
        drawn_key = draw(keys, label="key")
        return Category(
            key=drawn_key,
            label=Label(en=drawn_key, zh=f"类别{drawn_key}"),
            platform=draw(st.sampled_from(platform_keys), label="platform"),
            station_kinds=draw(
                st.lists(st.sampled_from(station_keys), min_size=1, max_size=most, unique=True),
                label="station_kinds",
            ),
            department_kinds=draw(
                st.lists(st.sampled_from(departments), max_size=2, unique=True),
                label="department_kinds",
            ),
            default_severity=draw(st.sampled_from(SeverityTier), label="default_severity"),
        )

    return build()


def routing_rules(  # noqa: PLR0913 - keyword-only bounds, as in Hypothesis' own strategies
    *,
    preset: PlatformPreset | st.SearchStrategy[PlatformPreset],
    min_categories: int = 1,
    max_categories: int = 4,
    missing_departments: bool = False,
    station_kinds: Iterable[str] | None = None,
    key: str = "drawn",
) -> st.SearchStrategy[RoutingRules]:
    """Generate valid :class:`~ruian_governance.RoutingRules` (category tables) for a preset.

    Categories are keyed ``c0``, ``c1``, ... and each names only kinds of the preset, so every
    drawn table constructs and passes :func:`~ruian_governance.check_rules` for its preset.

    Args:
        preset: The platform preset, or a strategy of presets.
        min_categories: Fewest categories.
        max_categories: Most categories.
        missing_departments: As for :func:`categories`.
        station_kinds: As for :func:`categories`.
        key: The table's key.

    Raises:
        ArgumentError: Bounds that make no table, or a ``preset`` that is not a preset.

    >>> from hypothesis import given
    >>> from ruian_governance.presets import PLATFORMS_2016
    >>> from ruian_governance.routing import check_rules
    >>> @given(routing_rules(preset=PLATFORMS_2016))
    ... def test_tables_fit_their_preset(rules):
    ...     check_rules(rules, PLATFORMS_2016)
    >>> test_tables_fit_their_preset()
    """
    check_bound("min_categories", min_categories, 1)
    check_bound("max_categories", max_categories, min_categories)
    if not isinstance(preset, st.SearchStrategy):
        need_type("preset", preset, PlatformPreset)
    presets = preset if isinstance(preset, st.SearchStrategy) else st.just(preset)
    kinds = None if station_kinds is None else tuple(station_kinds)

    @st.composite
    def build(draw: st.DrawFn) -> RoutingRules:
        chosen = draw(presets, label="preset")
        count = draw(st.integers(min_categories, max_categories), label="categories")
        rows = [
            draw(
                categories(
                    preset=chosen,
                    key=f"c{i}",
                    missing_departments=missing_departments,
                    station_kinds=kinds,
                )
            )
            for i in range(count)
        ]
        return RoutingRules(
            key=key, label=Label(en=key, zh=f"生成的分类表{key}"), preset=chosen, categories=rows
        )

    return build()


def reports(
    *,
    hierarchy: Hierarchy,
    rules: RoutingRules = RULES_2021,
    micro_grids: bool = True,
    severities: bool = True,
    times: st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[Report]:
    """Generate :class:`~ruian_governance.Report`s from grids of ``hierarchy`` in ``rules``.

    The report's grid (or micro-grid) is a unit of the hierarchy, its category a key of the
    table, its reporter a worker of that grid when it has one.  With a hierarchy whose towns
    have every station kind the table names (e.g. the built-in tables and generated
    hierarchies, or :func:`routing_rules` given the hierarchy's station kinds) and the
    departments it names, every drawn report routes.

    Args:
        hierarchy: Where reports come from.
        rules: The category table (its preset must fit the hierarchy's).
        micro_grids: Also report from micro-grids.
        severities: Also draw an explicit tier (else the category's default applies).
        times: A strategy of report times (default: no time).

    Raises:
        ArgumentError: ``hierarchy`` or ``rules`` has the wrong type.
        UnknownRoutingKindError: ``rules`` names kinds the hierarchy's preset lacks.

    >>> from hypothesis import given
    >>> from ruian_governance import RULES_2021, Router, generate_hierarchy
    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=0)
    >>> router = Router(h, RULES_2021)
    >>> @given(reports(hierarchy=h, rules=RULES_2021))
    ... def test_reports_route(report):
    ...     assert router(report).origin == report.grid_id
    >>> test_reports_route()
    """
    need_type("hierarchy", hierarchy, Hierarchy)
    need_type("rules", rules, RoutingRules)
    check_rules(rules, hierarchy.preset)
    origins = hierarchy.units_at(Level.GRID) + (
        hierarchy.units_at(Level.MICRO_GRID) if micro_grids else ()
    )
    reporters = {
        u.id: tuple(p.id for p in hierarchy.people_of(u.id))
        for u in origins  # people posted in the unit itself
    }
    tiers: st.SearchStrategy[SeverityTier | None] = (
        st.one_of(st.none(), st.sampled_from(SeverityTier)) if severities else st.none()
    )
    moments: st.SearchStrategy[datetime | None] = st.none() if times is None else times

    @st.composite
    def build(draw: st.DrawFn) -> Report:
        origin = draw(st.sampled_from(origins), label="grid")
        people = reporters[origin.id]
        return Report(
            id=f"r{draw(st.integers(0, 99_999), label='id')}",
            grid_id=origin.id,
            category=draw(st.sampled_from(rules.keys), label="category"),
            severity=draw(tiers, label="severity"),
            reporter_id=draw(st.sampled_from(people)) if people else None,
            at=draw(moments, label="at"),
        )

    return build()
