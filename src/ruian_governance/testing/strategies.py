"""Hypothesis strategies for the library's types, for users' own property tests.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.  Nothing else in the
package imports this module, so the package works without Hypothesis.

Every strategy builds valid values directly (``@st.composite``), never by filtering; takes
keyword-only arguments, checks them at once (a bad argument raises when the strategy is built,
not when it is drawn from) and accepts sub-strategies where a part may vary:

- the "141" structure: :func:`hierarchies`, :func:`units`, :func:`actors`;
- routing: :func:`categories`, :func:`routing_rules`, :func:`reports`;
- time: :func:`datetimes` (biased towards the Spring Festival 春节 and National Day 国庆
  holidays and their make-up workdays 调休), :func:`clocks`, :func:`deadlines`,
  :func:`deadline_policies`;
- lifecycles: :func:`lifecycle_definitions` (small random ones, or extensions of a given one)
  and :func:`broken_lifecycle_definitions` (each broken in one named :class:`Breakage`);
- cases and commands: :func:`cases`, :func:`commands` and :func:`command_sequences`, which walk
  the engine (legal commands) and mix in commands refused for one named :class:`Fault`.

>>> from hypothesis import given
>>> from ruian_governance.testing.strategies import hierarchies
>>> @given(hierarchies(max_towns=2))
... def test_city_is_root(h):
...     assert h.parent(h.city.id) is None
>>> test_city_is_root()
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, TypeAlias

import attrs
from hypothesis import strategies as st

from ruian_governance.errors import (
    AmbiguousTransitionError,
    DuplicateKeyError,
    FinalStateExitError,
    InitialStateError,
    LifecycleDefinitionError,
    TransitionError,
    TrapStateError,
    UnknownReferenceError,
    UnreachableStateError,
)
from ruian_governance.labels import Label
from ruian_governance.lifecycles import (
    TRIAGE_LEVELS,
    Engine,
    Jurisdiction,
    LifecycleDefinition,
    Severity,
    State,
    Transition,
    Trigger,
)
from ruian_governance.models import (
    BUILTIN_ROLES,
    CHINA_STANDARD_TIME,
    CHINESE_WORKDAYS,
    Actor,
    AdminUnit,
    Case,
    DataValue,
    DayCount,
    Deadline,
    DeadlinePolicy,
    Department,
    FixedClock,
    Hierarchy,
    Level,
    ManualClock,
    PlatformPreset,
    Station,
)
from ruian_governance.presets import (
    DEFAULT_DEPARTMENTS,
    PLATFORMS_2016,
    PLATFORMS_2021,
    RULES_2021,
    generate_hierarchy,
)
from ruian_governance.routing import Category, Report, RoutingRules, SeverityTier, check_rules

__all__ = [
    "DEFAULT_DATA_VALUES",
    "HOLIDAY_PERIODS",
    "Breakage",
    "BrokenDefinition",
    "DataValues",
    "Fault",
    "Step",
    "actors",
    "broken_lifecycle_definitions",
    "cases",
    "categories",
    "clocks",
    "command_data",
    "command_sequences",
    "commands",
    "datetimes",
    "deadline_policies",
    "deadlines",
    "hierarchies",
    "lifecycle_definitions",
    "reports",
    "routing_rules",
    "units",
]


def _check_bound(name: str, value: int, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        msg = f"{name} must be an integer >= {low}, got {value!r}"
        raise ValueError(msg)


def hierarchies(  # noqa: PLR0913 - keyword-only bounds, as in Hypothesis' own strategies
    *,
    min_towns: int = 1,
    max_towns: int = 3,
    max_villages_per_town: int = 3,
    max_grids_per_village: int = 3,
    max_micro_grids_per_grid: int = 3,
    presets: Sequence[PlatformPreset] | st.SearchStrategy[PlatformPreset] = (
        PLATFORMS_2016,
        PLATFORMS_2021,
    ),
    micro_grids: bool | None = None,
) -> st.SearchStrategy[Hierarchy]:
    """Generate valid hierarchies, built directly (never by filtering).

    Sizes are drawn per level within the bounds; every parent gets at least one child.

    Args:
        min_towns: Fewest towns.
        max_towns: Most towns.
        max_villages_per_town: Most villages per town (on average).
        max_grids_per_village: Most grids per village (on average).
        max_micro_grids_per_grid: Most micro-grids per grid (on average).
        presets: Platform presets to draw from, or a strategy of them.
        micro_grids: ``True`` always, ``False`` never, ``None`` either.

    Raises:
        ValueError: At once (not when drawing) for bounds that make no hierarchy.
    """
    _check_bound("min_towns", min_towns, 1)
    _check_bound("max_towns", max_towns, min_towns)
    _check_bound("max_villages_per_town", max_villages_per_town, 1)
    _check_bound("max_grids_per_village", max_grids_per_village, 1)
    _check_bound("max_micro_grids_per_grid", max_micro_grids_per_grid, 1)
    preset_strategy = (
        presets if isinstance(presets, st.SearchStrategy) else st.sampled_from(tuple(presets))
    )

    @st.composite
    def build(draw: st.DrawFn) -> Hierarchy:
        towns = draw(st.integers(min_towns, max_towns), label="towns")
        villages = draw(st.integers(towns, towns * max_villages_per_town), label="villages")
        grids = draw(st.integers(villages, villages * max_grids_per_village), label="grids")
        with_micro = draw(st.booleans()) if micro_grids is None else micro_grids
        micro = (
            draw(st.integers(grids, grids * max_micro_grids_per_grid), label="micro_grids")
            if with_micro
            else 0
        )
        workers = draw(st.integers(grids, grids * 3), label="grid_workers")
        return generate_hierarchy(
            towns=towns,
            villages=villages,
            grids=grids,
            micro_grids=micro,
            grid_workers=workers,
            preset=draw(preset_strategy, label="preset"),
            seed=draw(st.integers(0, 2**32 - 1), label="seed"),
        )

    return build()


def _label(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


def _strategy(value: Any, name: str) -> st.SearchStrategy[Any]:
    """``value`` itself if it is a strategy, else ``st.sampled_from`` of its items."""
    if isinstance(value, st.SearchStrategy):
        return value
    items = tuple(value)
    if not items:
        msg = f"{name} must not be empty"
        raise ValueError(msg)
    return st.sampled_from(items)


def _need_type(name: str, value: object, kind: type | tuple[type, ...]) -> None:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        msg = f"{name} must be a {names}, got {type(value).__name__}"
        raise TypeError(msg)


# --------------------------------------------------------------------------- units and actors


def _admin_of(hierarchy: Hierarchy, unit_id: str) -> str:
    node = hierarchy.node(unit_id)
    if isinstance(node, AdminUnit):
        return node.id
    parent = hierarchy.parent(unit_id)
    return node.id if parent is None else parent.id


def _under(hierarchy: Hierarchy, unit_id: str, within: str) -> bool:
    """Whether ``unit_id`` (a unit or an organisation) is ``within`` or anywhere under it."""
    if unit_id == within:
        return True
    admin = _admin_of(hierarchy, unit_id)
    return admin == within or any(u.id == within for u in hierarchy.ancestors(admin))


def units(
    *, hierarchy: Hierarchy, level: Level | None = None, within: str | None = None
) -> st.SearchStrategy[AdminUnit]:
    """Generate administrative units of ``hierarchy``, of one level and under one unit.

    Args:
        hierarchy: The hierarchy the units come from.
        level: Only units at this level (default: any level).
        within: Only ``within`` itself and the units under it (default: anywhere).

    Raises:
        TypeError: ``hierarchy`` is not a :class:`~ruian_governance.Hierarchy`.
        ValueError: No unit matches (e.g. micro-grids of a hierarchy without them).
        UnknownIdError: ``within`` is not a unit of the hierarchy.

    >>> from hypothesis import given
    >>> from ruian_governance import Level, generate_hierarchy
    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    >>> @given(units(hierarchy=h, level=Level.GRID, within="t0001"))
    ... def test_grids_of_the_first_town(grid):
    ...     assert h.town_of(grid.id).id == "t0001" and grid.level is Level.GRID
    >>> test_grids_of_the_first_town()
    """
    _need_type("hierarchy", hierarchy, Hierarchy)
    if within is not None:
        hierarchy.unit(within)
    pool = tuple(
        u
        for u in (hierarchy.units if level is None else hierarchy.units_at(level))
        if within is None or _under(hierarchy, u.id, within)
    )
    if not pool:
        msg = f"no unit at level {level} within {within!r}"
        raise ValueError(msg)
    return st.sampled_from(pool)


def _all_actors(hierarchy: Hierarchy) -> tuple[Actor, ...]:
    return tuple(
        Actor(person_id=person.id, role=post.role, unit_id=post.unit_id)
        for person in hierarchy.people
        for post in person.posts
    )


def actors(
    *,
    hierarchy: Hierarchy,
    roles: Iterable[str] | None = None,
    units: Iterable[str] | None = None,
    within: str | None = None,
) -> st.SearchStrategy[Actor]:
    """Generate :class:`~ruian_governance.Actor`s: people of ``hierarchy`` in posts they hold.

    Args:
        hierarchy: The hierarchy whose people act.
        roles: Only posts in these roles (default: any role).
        units: Only posts in these units or organisations (default: any).
        within: Only posts in ``within`` or in a unit or organisation under it.

    Raises:
        TypeError: ``hierarchy`` is not a :class:`~ruian_governance.Hierarchy`.
        ValueError: No post matches.
        UnknownIdError: ``within`` or one of ``units`` is not in the hierarchy.

    >>> from hypothesis import given
    >>> from ruian_governance import generate_hierarchy
    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    >>> @given(actors(hierarchy=h, roles={"station_officer"}, within="t0002"))
    ... def test_officers_of_the_second_town(actor):
    ...     assert h.station(actor.unit_id).town_id == "t0002"
    >>> test_officers_of_the_second_town()
    """
    _need_type("hierarchy", hierarchy, Hierarchy)
    role_set = None if roles is None else frozenset((roles,) if isinstance(roles, str) else roles)
    unit_set = None if units is None else frozenset((units,) if isinstance(units, str) else units)
    for unit_id in unit_set or ():
        hierarchy.get(unit_id)
    if within is not None:
        hierarchy.get(within)
    pool = tuple(
        a
        for a in _all_actors(hierarchy)
        if (role_set is None or a.role in role_set)
        and (unit_set is None or a.unit_id in unit_set)
        and (within is None or _under(hierarchy, a.unit_id, within))
    )
    if not pool:
        msg = f"no post matches roles={sorted(role_set or ())} units={sorted(unit_set or ())}"
        msg += f" within={within!r}"
        raise ValueError(msg)
    return st.sampled_from(pool)


# --------------------------------------------------------------------------- routing

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
        TypeError: ``preset`` is not a :class:`~ruian_governance.PlatformPreset`.
        ValueError: ``max_station_kinds`` is below 1, or ``station_kinds`` names none of the
            preset's kinds.

    >>> from hypothesis import given
    >>> from ruian_governance.presets import PLATFORMS_2021
    >>> @given(categories(preset=PLATFORMS_2021, key="mine"))
    ... def test_category_names_preset_kinds(category):
    ...     assert category.platform in {p.key for p in PLATFORMS_2021.platforms}
    >>> test_category_names_preset_kinds()
    """
    _need_type("preset", preset, PlatformPreset)
    _check_bound("max_station_kinds", max_station_kinds, 1)
    keys = key if isinstance(key, st.SearchStrategy) else st.just(key)
    station_keys = [kind.key for kind in preset.station_kinds]
    if station_kinds is not None:
        wanted = frozenset((station_kinds,) if isinstance(station_kinds, str) else station_kinds)
        unknown = wanted - set(station_keys)
        if unknown or not wanted:
            msg = (
                f"station_kinds must be kinds of preset {preset.key!r}; unknown: {sorted(unknown)}"
            )
            raise ValueError(msg)
        station_keys = [k for k in station_keys if k in wanted]
    platform_keys = [kind.key for kind in preset.platforms]
    departments = [*_DEPARTMENT_KINDS, *(["no_such_department"] if missing_departments else [])]
    most = min(max_station_kinds, len(station_keys))

    @st.composite
    def build(draw: st.DrawFn) -> Category:
        drawn_key = draw(keys, label="key")
        return Category(
            key=drawn_key,
            label=_label(drawn_key, f"类别{drawn_key}"),
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
        ValueError: Bounds that make no table.

    >>> from hypothesis import given
    >>> from ruian_governance.presets import PLATFORMS_2016
    >>> from ruian_governance.routing import check_rules
    >>> @given(routing_rules(preset=PLATFORMS_2016))
    ... def test_tables_fit_their_preset(rules):
    ...     check_rules(rules, PLATFORMS_2016)
    >>> test_tables_fit_their_preset()
    """
    _check_bound("min_categories", min_categories, 1)
    _check_bound("max_categories", max_categories, min_categories)
    if not isinstance(preset, st.SearchStrategy):
        _need_type("preset", preset, PlatformPreset)
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
            key=key, label=_label(key, f"生成的分类表{key}"), preset=chosen, categories=rows
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
        TypeError: ``hierarchy`` or ``rules`` has the wrong type.
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
    _need_type("hierarchy", hierarchy, Hierarchy)
    _need_type("rules", rules, RoutingRules)
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


# --------------------------------------------------------------------------- time

HOLIDAY_PERIODS: tuple[str, ...] = ("Spring Festival", "National Day")
"""The holiday names :func:`datetimes` leans towards by default (春节, 国庆)."""

_COVERAGE_MARGIN = timedelta(days=60)


@cache
def _holiday_periods() -> tuple[tuple[str, date, date], ...]:
    """Every official holiday period (name, first day, last day) the calendar knows."""
    from chinese_calendar import constants  # noqa: PLC0415 - read once, when first needed

    periods: list[tuple[str, date, date]] = []
    for day, name in sorted(constants.holidays.items()):
        if periods and periods[-1][0] == name and (day - periods[-1][2]).days <= 1:
            periods[-1] = (name, periods[-1][1], day)
        else:
            periods.append((name, day, day))
    return tuple(periods)


def datetimes(
    *,
    min_year: int | None = None,
    max_year: int | None = None,
    holidays: Iterable[str] = HOLIDAY_PERIODS,
    near_holidays: bool | None = None,
) -> st.SearchStrategy[datetime]:
    """Generate times (China Standard Time) within the working-day calendar's coverage.

    About half the draws fall within a week of an official holiday period named in
    ``holidays`` (by default the Spring Festival 春节 and National Day 国庆 "golden weeks" and
    the make-up workdays 调休 around them), where working-day deadlines are most surprising.
    The last 60 days of the calendar's coverage are left out, so that a deadline of up to 15
    working days counted from a drawn time stays covered.

    Args:
        min_year: First year (default: the first the calendar covers, 2004).
        max_year: Last year (default: the last the calendar covers, 2026).
        holidays: Names of holiday periods to lean towards, as ``chinesecalendar`` names them
            (``"Spring Festival"``, ``"National Day"``, ``"Labour Day"``...).
        near_holidays: ``True`` only near those holidays, ``False`` never on purpose,
            ``None`` either.

    Raises:
        ValueError: Years outside the calendar's coverage, unknown holiday names, or no such
            holiday within the years when ``near_holidays`` is ``True``.

    >>> from hypothesis import given
    >>> from ruian_governance import Deadline
    >>> from ruian_governance.models import CHINESE_WORKDAYS, DayCount
    >>> @given(datetimes(near_holidays=True))
    ... def test_working_day_deadlines_are_covered(at):
    ...     assert Deadline(days=15, count=DayCount.WORKING).due(at) > at
    >>> test_working_day_deadlines_are_covered()
    """
    first, last = CHINESE_WORKDAYS.years
    low = first if min_year is None else min_year
    high = last if max_year is None else max_year
    for name, year in (("min_year", low), ("max_year", high)):
        if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
            msg = f"{name} must be a year from {first} to {last} (the calendar's coverage)"
            raise ValueError(msg)
    if low > high:
        msg = f"min_year {low} is after max_year {high}"
        raise ValueError(msg)
    names = frozenset((holidays,) if isinstance(holidays, str) else holidays)
    known = {name for name, _, _ in _holiday_periods()}
    if names - known:
        msg = f"unknown holiday names {sorted(names - known)}; known: {sorted(known)}"
        raise ValueError(msg)
    start = date(low, 1, 1)
    end = min(date(high, 12, 31), date(last, 12, 31) - _COVERAGE_MARGIN)
    if end < start:
        msg = f"years {low}-{high} lie within the last {_COVERAGE_MARGIN.days} days of coverage"
        raise ValueError(msg)
    week = timedelta(days=7)
    windows = tuple(
        (max(a - week, start), min(b + week, end))
        for name, a, b in _holiday_periods()
        if name in names and a - week <= end and b + week >= start
    )
    if near_holidays and not windows:
        msg = f"no {sorted(names)} holiday between {start} and {end}"
        raise ValueError(msg)
    anywhere = st.dates(start, end)
    near = st.sampled_from(windows).flatmap(lambda w: st.dates(w[0], w[1])) if windows else None
    days: st.SearchStrategy[date]
    if near_holidays is None:
        days = anywhere if near is None else st.one_of(near, anywhere)
    else:
        days = near if near_holidays and near is not None else anywhere

    @st.composite
    def build(draw: st.DrawFn) -> datetime:
        day = draw(days, label="date")
        minute = draw(st.integers(0, 24 * 60 - 1), label="minute")
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=CHINA_STANDARD_TIME)

    return build()


def clocks(
    *, times: st.SearchStrategy[datetime] | None = None, manual: bool | None = None
) -> st.SearchStrategy[FixedClock | ManualClock]:
    """Generate fresh clocks: :class:`~ruian_governance.FixedClock` or ``ManualClock``.

    Args:
        times: Their starting times (default: :func:`datetimes`).
        manual: ``True`` only manual clocks, ``False`` only fixed ones, ``None`` either.

    >>> from hypothesis import given
    >>> @given(clocks(manual=True))
    ... def test_manual_clocks_move_forward(clock):
    ...     before = clock.now()
    ...     assert clock.advance(timedelta(hours=1)) > before
    >>> test_manual_clocks_move_forward()
    """
    starts = datetimes() if times is None else times
    _need_type("times", starts, st.SearchStrategy)

    @st.composite
    def build(draw: st.DrawFn) -> FixedClock | ManualClock:
        at = draw(starts, label="at")
        is_manual = draw(st.booleans(), label="manual") if manual is None else manual
        return ManualClock(at=at) if is_manual else FixedClock(at=at)

    return build()


def deadlines(
    *, max_days: int = 20, counts: Iterable[DayCount] = tuple(DayCount)
) -> st.SearchStrategy[Deadline]:
    """Generate :class:`~ruian_governance.Deadline`s of 0 to ``max_days`` days.

    Args:
        max_days: Most days (keep it at 15 or below for working days counted from
            :func:`datetimes`, which leave 60 days of calendar coverage).
        counts: The ways of counting to draw from (calendar 自然日, working 工作日).

    Raises:
        ValueError: ``max_days`` is negative or ``counts`` empty.

    >>> from hypothesis import given
    >>> @given(deadlines(max_days=15), datetimes())
    ... def test_deadlines_never_precede_their_start(deadline, at):
    ...     assert deadline.due(at) > at
    >>> test_deadlines_never_precede_their_start()
    """
    _check_bound("max_days", max_days, 0)
    count_strategy = _strategy(counts, "counts")

    @st.composite
    def build(draw: st.DrawFn) -> Deadline:
        return Deadline(
            days=draw(st.integers(0, max_days), label="days"),
            count=draw(count_strategy, label="count"),
        )

    return build()


def deadline_policies(
    *,
    severities: Iterable[str] = ("ordinary", "larger", "major"),
    limits: Iterable[str] = (),
    deadline: st.SearchStrategy[Deadline] | None = None,
) -> st.SearchStrategy[DeadlinePolicy]:
    """Generate :class:`~ruian_governance.DeadlinePolicy`s: a limit per severity and per name.

    Args:
        severities: The severity keys that each get a time limit.
        limits: Names of further limits (e.g. ``"max_extension"``).
        deadline: The strategy of each limit (default: :func:`deadlines` up to 15 days).

    >>> from hypothesis import given
    >>> @given(deadline_policies(limits=["max_extension"]))
    ... def test_policies_cover_their_severities(policy):
    ...     assert set(policy.by_severity) == {"ordinary", "larger", "major"}
    >>> test_policies_cover_their_severities()
    """
    severity_keys = tuple((severities,) if isinstance(severities, str) else severities)
    limit_keys = tuple((limits,) if isinstance(limits, str) else limits)
    each = deadlines(max_days=15) if deadline is None else deadline
    _need_type("deadline", each, st.SearchStrategy)

    @st.composite
    def build(draw: st.DrawFn) -> DeadlinePolicy:
        return DeadlinePolicy(
            by_severity={k: draw(each, label=k) for k in severity_keys},
            limits={k: draw(each, label=k) for k in limit_keys},
        )

    return build()


# --------------------------------------------------------------------------- lifecycle definitions

_DATA_KEYS = ("reason", "result", "note")
_OPENERS = frozenset({"grid_worker", "micro_grid_worker", "grid_leader"})


def _role_pool(roles: Iterable[str] | None) -> tuple[str, ...]:
    pool = tuple(sorted(BUILTIN_ROLES if roles is None else roles))
    unknown = set(pool) - set(BUILTIN_ROLES)
    if unknown:
        msg = f"roles must be built-in role keys, unknown: {sorted(unknown)}"
        raise ValueError(msg)
    if not pool:
        msg = "roles must not be empty"
        raise ValueError(msg)
    return pool


def _transition(
    draw: st.DrawFn, pool: Sequence[str], trigger: str, source: str, dest: str | None
) -> Transition:
    return Transition(
        trigger=trigger,
        sources=(source,),
        dest=dest,
        roles=draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)),
        jurisdiction=draw(st.sampled_from(Jurisdiction)),
        requires=draw(st.lists(st.sampled_from(_DATA_KEYS), max_size=1)),
        accepts=draw(st.lists(st.sampled_from(_DATA_KEYS), max_size=1)),
    )


def _small_definition(  # noqa: PLR0913 - the drawing context and every bound
    draw: st.DrawFn,
    *,
    key: str,
    pool: Sequence[str],
    min_states: int,
    max_states: int,
    max_finals: int,
    severities: bool | None,
) -> LifecycleDefinition:
    count = draw(st.integers(min_states, max_states), label="states")
    finals = draw(st.integers(1, min(max_finals, count - 1)), label="final_states")
    open_keys = [f"s{i}" for i in range(count - finals)]
    final_keys = [f"f{j}" for j in range(finals)]
    edges: list[tuple[str, str | None]] = []
    has_exit: set[str] = set()
    for i in range(1, len(open_keys)):  # a random tree from the initial state
        parent = open_keys[draw(st.integers(0, i - 1), label="parent")]
        edges.append((parent, open_keys[i]))
        has_exit.add(parent)
    for final in final_keys:  # every final state reached
        source = draw(st.sampled_from(open_keys), label="into_final")
        edges.append((source, final))
        has_exit.add(source)
    edges.extend(  # every leaf of the tree can finish
        (leaf, draw(st.sampled_from(final_keys), label="finish"))
        for leaf in open_keys
        if leaf not in has_exit
    )
    for _ in range(draw(st.integers(0, 3), label="extra_edges")):  # loops, shortcuts, stays
        source = draw(st.sampled_from(open_keys))
        dest = draw(st.one_of(st.none(), st.sampled_from(open_keys + final_keys)))
        edges.append((source, dest))
    transitions = [
        Transition(
            trigger="open",
            sources=(),
            dest="s0",
            roles=draw(
                st.lists(
                    st.sampled_from(sorted(_OPENERS & set(pool)) or pool),
                    min_size=1,
                    max_size=2,
                    unique=True,
                ),
                label="openers",
            ),
            jurisdiction=draw(st.sampled_from([Jurisdiction.LOCATION, Jurisdiction.ANY])),
        ),
        *(_transition(draw, pool, f"t{n}", source, dest) for n, (source, dest) in enumerate(edges)),
    ]
    with_severities = draw(st.booleans(), label="severities") if severities is None else severities
    tiers = ("ordinary", "larger", "major") if with_severities else ()
    return LifecycleDefinition(
        key=key,
        label=_label(key, f"生成的流程{key}"),
        states=[
            State(key=k, label=_label(k, f"状态{k}"), initial=k == "s0", final=k in final_keys)
            for k in open_keys + final_keys
        ],
        triggers=[
            Trigger(key=t.trigger, label=_label(t.trigger, f"操作{t.trigger}")) for t in transitions
        ],
        transitions=transitions,
        severities=[Severity(key=k, label=_label(k, f"等级{k}")) for k in tiers],
        deadlines=draw(deadline_policies(severities=tiers), label="deadlines"),
        holder_level=draw(st.sampled_from([Level.TOWN, Level.VILLAGE]), label="holder_level"),
    )


def _extension(draw: st.DrawFn, base: LifecycleDefinition, key: str) -> LifecycleDefinition:
    pool = sorted(base.role_keys)
    open_states = [s.key for s in base.states if not s.final]
    all_states = [s.key for s in base.states]
    extra = f"extra_{draw(st.integers(0, 9), label='extra')}"
    while extra in all_states:
        extra += "_"
    states = [State(key=extra, label=_label(extra, "新增状态"))]
    transitions = [
        _transition(draw, pool, f"enter_{extra}", draw(st.sampled_from(open_states)), extra),
        _transition(draw, pool, f"leave_{extra}", extra, draw(st.sampled_from(all_states))),
    ]
    if draw(st.booleans(), label="extra_final"):
        states.append(State(key=f"{extra}_final", label=_label("ended", "终结"), final=True))
        transitions.append(
            _transition(draw, pool, f"end_{extra}", draw(st.sampled_from(open_states)),
                        f"{extra}_final")
        )  # fmt: skip
    extended = base.extend(
        key=key,
        states=states,
        triggers=[Trigger(key=t.trigger, label=_label(t.trigger, "新增操作")) for t in transitions],
        transitions=transitions,
    )
    if draw(st.booleans(), label="allow"):
        trigger = draw(st.sampled_from(sorted({t.trigger for t in base.transitions})))
        extended = extended.allow(trigger, draw(st.sampled_from(pool)))
    return extended


def lifecycle_definitions(  # noqa: PLR0913 - keyword-only bounds, as in Hypothesis' own strategies
    *,
    base: LifecycleDefinition | st.SearchStrategy[LifecycleDefinition] | None = None,
    min_states: int = 2,
    max_states: int = 6,
    max_finals: int = 2,
    roles: Iterable[str] | None = None,
    severities: bool | None = None,
    key: str | None = None,
) -> st.SearchStrategy[LifecycleDefinition]:
    """Generate valid :class:`~ruian_governance.LifecycleDefinition`s, built directly.

    Without ``base``: a small random definition with states ``s0`` (initial) ... and final
    states ``f0`` ...: a random tree of transitions from the initial state, every final state
    entered, every leaf able to finish, plus a few extra loops, shortcuts and stays; an opening
    trigger ``open`` for grid roles; random roles, jurisdictions and required data; optionally
    severities with a drawn deadline policy.  With ``base``: an extension of it (e.g. of a
    built-in lifecycle) by one extra state entered from and leaving to existing states, maybe
    an extra final state, and maybe one more role allowed on an existing trigger.

    Args:
        base: A definition (or strategy of them) to extend instead of drawing from scratch.
        min_states: Fewest states of a small definition (at least 2: one initial, one final).
        max_states: Most states of a small definition.
        max_finals: Most final states of a small definition.
        roles: Built-in role keys the transitions of a small definition draw from.
        severities: With severity tiers ``ordinary / larger / major`` always, never, or either.
        key: The key of the drawn definition (default: ``"drawn"``, or the key of ``base``).

    Raises:
        ValueError: Bounds that make no definition, or unknown roles.

    >>> from hypothesis import given
    >>> from ruian_governance import EVENT_LIFECYCLE
    >>> @given(lifecycle_definitions(base=EVENT_LIFECYCLE, key="event_plus"))
    ... def test_extensions_keep_the_built_in_states(definition):
    ...     assert {s.key for s in EVENT_LIFECYCLE.states} < {s.key for s in definition.states}
    >>> test_extensions_keep_the_built_in_states()
    """
    _check_bound("min_states", min_states, 2)
    _check_bound("max_states", max_states, min_states)
    _check_bound("max_finals", max_finals, 1)
    pool = _role_pool(roles)
    if key is not None and not key:
        msg = "key must not be empty"
        raise ValueError(msg)
    if base is not None and not isinstance(base, st.SearchStrategy):
        _need_type("base", base, LifecycleDefinition)
    bases = base if isinstance(base, st.SearchStrategy) or base is None else st.just(base)

    @st.composite
    def build(draw: st.DrawFn) -> LifecycleDefinition:
        if bases is not None:
            base_drawn = draw(bases, label="base")
            return _extension(draw, base_drawn, base_drawn.key if key is None else key)
        return _small_definition(
            draw,
            key="drawn" if key is None else key,
            pool=pool,
            min_states=min_states,
            max_states=max_states,
            max_finals=max_finals,
            severities=severities,
        )

    return build()


class Breakage(enum.Enum):
    """One way a lifecycle definition is broken, and the error the validator raises for it."""

    DUPLICATE_STATE = "duplicate_state"
    UNKNOWN_STATE = "unknown_state"
    NO_ROLES = "no_roles"
    NO_INITIAL_STATE = "no_initial_state"
    TWO_INITIAL_STATES = "two_initial_states"
    EXIT_FROM_FINAL_STATE = "exit_from_final_state"
    AMBIGUOUS_TRANSITION = "ambiguous_transition"
    UNREACHABLE_STATE = "unreachable_state"
    TRAP_STATE = "trap_state"

    @property
    def error(self) -> type[LifecycleDefinitionError]:
        """The :class:`~ruian_governance.LifecycleDefinitionError` subclass it must raise."""
        return _BREAKAGE_ERRORS[self]


_BREAKAGE_ERRORS: Mapping[Breakage, type[LifecycleDefinitionError]] = {
    Breakage.DUPLICATE_STATE: DuplicateKeyError,
    Breakage.UNKNOWN_STATE: UnknownReferenceError,
    Breakage.NO_ROLES: UnknownReferenceError,
    Breakage.NO_INITIAL_STATE: InitialStateError,
    Breakage.TWO_INITIAL_STATES: InitialStateError,
    Breakage.EXIT_FROM_FINAL_STATE: FinalStateExitError,
    Breakage.AMBIGUOUS_TRANSITION: AmbiguousTransitionError,
    Breakage.UNREACHABLE_STATE: UnreachableStateError,
    Breakage.TRAP_STATE: TrapStateError,
}


@attrs.frozen(kw_only=True)
class BrokenDefinition:
    """The arguments of a lifecycle definition broken in one named way.

    Args:
        breakage: How it is broken.
        arguments: Keyword arguments for :class:`~ruian_governance.LifecycleDefinition`.
        original: The valid definition it was made from.
    """

    breakage: Breakage
    arguments: Mapping[str, Any] = attrs.field(repr=False)
    original: LifecycleDefinition = attrs.field(repr=False)

    def build(self) -> LifecycleDefinition:
        """Construct the definition, which raises ``self.breakage.error``.

        Raises:
            LifecycleDefinitionError: Always (the subclass named by the breakage).
        """
        return LifecycleDefinition(**self.arguments)


def _arguments(d: LifecycleDefinition) -> dict[str, Any]:
    return {
        "key": d.key,
        "label": d.label,
        "states": d.states,
        "triggers": d.triggers,
        "transitions": d.transitions,
        "severities": d.severities,
        "deadlines": d.deadlines,
        "holder_level": d.holder_level,
        "roles": d.roles,
    }


def _break(draw: st.DrawFn, d: LifecycleDefinition, breakage: Breakage) -> dict[str, Any]:  # noqa: PLR0911 - one way per breakage
    args = _arguments(d)
    states: tuple[State, ...] = d.states
    open_states = [s for s in states if not s.final]
    final_states = [s for s in states if s.final]
    moves = [t for t in d.transitions if not t.opening]
    pool = sorted(d.role_keys)

    def new_trigger(name: str) -> tuple[Trigger, ...]:
        return (*d.triggers, Trigger(key=name, label=_label(name, "坏操作")))

    def edge(trigger: str, source: str | None, dest: str | None) -> Transition:
        return Transition(
            trigger=trigger,
            sources=() if source is None else (source,),
            dest=dest,
            roles=(draw(st.sampled_from(pool)),),
            jurisdiction=Jurisdiction.ANY,
        )

    if breakage is Breakage.DUPLICATE_STATE:
        return {**args, "states": (*states, draw(st.sampled_from(states)))}
    if breakage is Breakage.UNKNOWN_STATE:
        source = draw(st.sampled_from(open_states)).key
        return {
            **args,
            "triggers": new_trigger("go_nowhere"),
            "transitions": (*d.transitions, edge("go_nowhere", source, "no_such_state")),
        }
    if breakage is Breakage.NO_ROLES:
        victim = draw(st.sampled_from(d.transitions))
        return {
            **args,
            "transitions": tuple(
                attrs.evolve(t, roles=()) if t is victim else t for t in d.transitions
            ),
        }
    if breakage is Breakage.NO_INITIAL_STATE:
        return {**args, "states": tuple(attrs.evolve(s, initial=False) for s in states)}
    if breakage is Breakage.TWO_INITIAL_STATES:
        candidates = [s for s in states if not s.initial]
        second = draw(st.sampled_from(candidates))
        return {
            **args,
            "states": tuple(attrs.evolve(s, initial=True) if s is second else s for s in states),
        }
    if breakage is Breakage.EXIT_FROM_FINAL_STATE:
        final = draw(st.sampled_from(final_states)).key
        return {
            **args,
            "triggers": new_trigger("reopen_final"),
            "transitions": (*d.transitions, edge("reopen_final", final, d.initial.key)),
        }
    if breakage is Breakage.AMBIGUOUS_TRANSITION:
        copied = draw(st.sampled_from(moves))
        source = draw(st.sampled_from(copied.sources))
        return {
            **args,
            "transitions": (*d.transitions, edge(copied.trigger, source, None)),
        }
    name = "orphan" if breakage is Breakage.UNREACHABLE_STATE else "trap"
    while any(s.key == name for s in states):
        name += "_"
    extra = State(key=name, label=_label(name, "坏状态"))
    if breakage is Breakage.UNREACHABLE_STATE:
        new = edge(f"leave_{name}", name, draw(st.sampled_from(final_states)).key)
    else:  # TRAP_STATE
        new = edge(f"enter_{name}", draw(st.sampled_from(open_states)).key, name)
    return {
        **args,
        "states": (*states, extra),
        "triggers": new_trigger(new.trigger),
        "transitions": (*d.transitions, new),
    }


def broken_lifecycle_definitions(
    *,
    definitions: st.SearchStrategy[LifecycleDefinition] | None = None,
    breakages: Iterable[Breakage] = tuple(Breakage),
) -> st.SearchStrategy[BrokenDefinition]:
    """Generate lifecycle definitions broken in exactly one named way, for testing validators.

    Each draw takes a valid definition and breaks it by one :class:`Breakage` (a duplicated
    state, a transition to an unknown state or without roles, no or two initial states, an
    exit from a final state, two transitions for one state and trigger, an unreachable state,
    a trap state), chosen so that the validator's first failing rule is that one: building it
    always raises ``breakage.error``.

    Args:
        definitions: The valid definitions to break (default: :func:`lifecycle_definitions`).
        breakages: The ways to break them.

    Raises:
        ValueError: ``breakages`` is empty.
        TypeError: ``definitions`` is not a strategy.

    >>> import pytest
    >>> from hypothesis import given
    >>> @given(broken_lifecycle_definitions())
    ... def test_the_validator_rejects_every_breakage(broken):
    ...     with pytest.raises(broken.breakage.error):
    ...         broken.build()
    >>> test_the_validator_rejects_every_breakage()
    """
    chosen = _strategy(breakages, "breakages")
    valid = lifecycle_definitions() if definitions is None else definitions
    _need_type("definitions", valid, st.SearchStrategy)

    @st.composite
    def build(draw: st.DrawFn) -> BrokenDefinition:
        original = draw(valid, label="definition")
        breakage = draw(chosen, label="breakage")
        return BrokenDefinition(
            breakage=breakage, arguments=_break(draw, original, breakage), original=original
        )

    return build()


# --------------------------------------------------------------------------- cases and commands

DataValues: TypeAlias = Mapping[
    str, Callable[[Engine, "Case | None"], st.SearchStrategy[DataValue]]
]
"""Value strategies for command data, by data key: ``values[key](engine, case)``.

``case`` is ``None`` for the data of an opening command.  :func:`command_data` uses
:data:`DEFAULT_DATA_VALUES` for keys a caller's mapping leaves out, and short texts for keys
neither knows.
"""

_TEXTS = ("说明 note", "现场核实 checked on site", "不属本单位职责 not our duty", "已处理 handled")
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_DELAYS = (timedelta(0), _HOUR, _HOUR, 4 * _HOUR, _DAY, 3 * _DAY, 10 * _DAY, 40 * _DAY)


def _texts(_engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    return st.sampled_from(_TEXTS)


def _unit_targets(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Stations of the holding town, or departments when the city holds the case."""
    h = engine.hierarchy
    if case is None:
        return st.sampled_from(_TEXTS)
    holder = h.unit(case.unit_id)
    pool: Sequence[Station | Department]
    if holder.level is Level.CITY:
        pool = h.departments
    elif holder.level is Level.TOWN:
        pool = h.stations_of(holder.id)
    else:  # a village: the stations of its town (the built-in guards refuse them)
        town = h.town_of(holder.id)
        pool = () if town is None else h.stations_of(town.id)
    if not pool:
        return st.just(("no_such_unit",))
    most = 1 if case.severity in {None, "ordinary"} else 2
    return st.lists(
        st.sampled_from([u.id for u in pool]), min_size=1, max_size=most, unique=True
    ).map(tuple)


def _days(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    most = 15
    if case is not None:
        limit = engine.lifecycle(case.lifecycle).deadlines.limits.get("max_extension")
        most = 15 if limit is None or limit.days < 1 else limit.days
    return st.one_of(st.just(most), st.integers(1, most))


def _commanders(engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    found = sorted(
        p.id
        for p in engine.hierarchy.people
        if any(post.role == "task_force_commander" for post in p.posts)
    )
    return st.sampled_from(found) if found else st.just("no_such_commander")


def _departments(engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    ids = [d.id for d in engine.hierarchy.departments]
    if not ids:
        return st.just(("no_such_department",))
    return st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True).map(tuple)


DEFAULT_DATA_VALUES: DataValues = {
    "units": _unit_targets,
    "days": _days,
    "stars": lambda _e, _c: st.integers(1, 5),
    "tier": lambda _e, _c: st.sampled_from(sorted(TRIAGE_LEVELS)),
    "commander": _commanders,
    "departments": _departments,
    "notice": lambda _e, _c: st.integers(1, 999).map(lambda n: f"整改交办单 ZG-{n}"),
}
"""The value strategies :func:`command_data` knows: ``units`` (stations of the holding town,
or departments when the city holds the case; one unit for ordinary cases), ``days`` (up to the
``max_extension`` limit), ``stars`` (1-5), ``tier`` (a triage tier), ``commander`` (a person
with a task-force commander post), ``departments`` and ``notice``."""


def command_data(
    *,
    engine: Engine,
    case: Case | None,
    transition: Transition,
    values: DataValues | None = None,
) -> st.SearchStrategy[dict[str, DataValue]]:
    """Generate the data of a command: every key ``transition`` requires, some it accepts.

    Values come from ``values``, then :data:`DEFAULT_DATA_VALUES`, then short texts; they are
    meant to pass the built-in guards (1-5 stars, units of the holding town...), so that most
    commands built with them are accepted.

    Args:
        engine: The engine (its hierarchy supplies unit and person ids).
        case: The case the command is for (``None`` for an opening command).
        transition: The transition fired.
        values: Value strategies by data key, overriding the defaults.

    >>> from hypothesis import given
    >>> from ruian_governance import EVENT_LIFECYCLE, builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    >>> evaluate = EVENT_LIFECYCLE.transition("closed", "evaluate")
    >>> @given(command_data(engine=engine, case=None, transition=evaluate))
    ... def test_stars_are_in_range(data):
    ...     assert 1 <= data["stars"] <= 5
    >>> test_stars_are_in_range()
    """
    _need_type("engine", engine, Engine)
    _need_type("transition", transition, Transition)
    return _drawn_data(engine, case, transition, _known(values))


_ValueMakers: TypeAlias = dict[str, Callable[[Engine, "Case | None"], st.SearchStrategy[DataValue]]]


def _known(values: DataValues | None) -> _ValueMakers:
    return {**DEFAULT_DATA_VALUES, **(values or {})}


@st.composite
def _drawn_data(
    draw: st.DrawFn, engine: Engine, case: Case | None, transition: Transition, known: _ValueMakers
) -> dict[str, DataValue]:
    data: dict[str, DataValue] = {}
    for key in sorted(transition.requires):
        data[key] = draw(known.get(key, _texts)(engine, case), label=key)
    for key in sorted(transition.accepts - transition.requires):
        if draw(st.booleans(), label=f"with_{key}"):
            data[key] = draw(known.get(key, _texts)(engine, case), label=key)
    return data


class Fault(enum.Enum):
    """The one way a deliberately invalid command is wrong (the engine must refuse it)."""

    WRONG_ACTOR = "wrong_actor"
    """A trigger available in the case's state, fired by an actor whose role or unit may not."""
    WRONG_STATE = "wrong_state"
    """A trigger the case's state does not offer."""
    MISSING_DATA = "missing_data"
    """A required data key left out (or, where nothing is required, an unknown key added)."""
    TIME_BACKWARDS = "time_backwards"
    """A time earlier than the case's last record."""


@attrs.frozen(kw_only=True)
class Step:
    """One command of a drawn sequence: who fires what, when, with which data.

    Args:
        trigger: The trigger fired.
        actor: Who fires it.
        at: When.
        data: The command's data.
        fault: ``None`` for a legal command (the engine accepted it when it was drawn), or the
            way an invalid one is wrong (the engine refuses it).
    """

    trigger: str
    actor: Actor
    at: datetime
    data: Mapping[str, DataValue] = attrs.field(factory=dict)
    fault: Fault | None = None

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Print briefly in Hypothesis' (and IPython's) reports: one line per step."""
        fault = "legal" if self.fault is None else f"fault={self.fault.value}"
        printer.text(
            f"Step({self.trigger!r} by {self.actor} at {self.at.isoformat()}, "
            f"data={dict(self.data)!r}, {fault})"
        )

    def apply(self, engine: Engine, case: Case) -> Case:
        """Fire this command on ``case`` with ``engine`` and return the new case.

        Raises:
            TransitionError: The command was refused (always, when ``fault`` is set).
        """
        return engine.apply(case, self.trigger, actor=self.actor, at=self.at, **self.data)


@attrs.frozen
class _Context:
    engine: Engine
    pool: tuple[Actor, ...]
    values: _ValueMakers
    delays: st.SearchStrategy[timedelta]
    by_role: Mapping[str, tuple[Actor, ...]]

    def allowed(self, case: Case) -> list[tuple[str, Actor]]:
        """Every (trigger, actor) pair the engine would let through its permission checks."""
        engine = self.engine
        pairs: list[tuple[str, Actor]] = []
        for trigger, transition in engine.lifecycle(case.lifecycle).transitions_from(case.state):
            rule = transition.jurisdiction
            for role in sorted(transition.roles):
                pairs.extend(
                    (trigger, actor)
                    for actor in self.by_role.get(role, ())
                    if engine.in_jurisdiction(rule, case, actor)
                )
        return pairs


def _context(
    engine: Engine,
    actors: Iterable[Actor] | None,
    values: DataValues | None,
    delays: st.SearchStrategy[timedelta] | None,
) -> _Context:
    _need_type("engine", engine, Engine)
    pool = _all_actors(engine.hierarchy) if actors is None else tuple(actors)
    if not pool:
        msg = "actors must not be empty"
        raise ValueError(msg)
    for actor in pool:
        _need_type("each actor", actor, Actor)
    if delays is not None:
        _need_type("delays", delays, st.SearchStrategy)
    posts = {(a.person_id, a.role, a.unit_id) for a in _all_actors(engine.hierarchy)}
    by_role: dict[str, list[Actor]] = {}
    for actor in pool:
        if (actor.person_id, actor.role, actor.unit_id) in posts:
            by_role.setdefault(actor.role, []).append(actor)
    return _Context(
        engine=engine,
        pool=pool,
        values=_known(values),
        delays=st.sampled_from(_DELAYS) if delays is None else delays,
        by_role={role: tuple(found) for role, found in by_role.items()},
    )


def _rotated(draw: st.DrawFn, items: Sequence[Any], label: str) -> list[Any]:
    """``items`` starting at a drawn position (shrinks towards the first item)."""
    if not items:
        return []
    start = draw(st.integers(0, len(items) - 1), label=label)
    return [*items[start:], *items[:start]]


def _legal(draw: st.DrawFn, ctx: _Context, case: Case) -> tuple[Step, Case] | None:
    """Walk the engine: a command some actor may fire now, with data the engine accepts.

    Triggers are tried one at a time from a drawn position (each trigger as likely as any
    other, however many actors may fire it), those that keep the case open first three times
    in four, so that walks reach deep states; then the actors allowed to fire it, from a drawn
    position, each with freshly drawn data.
    """
    engine = ctx.engine
    delay = draw(ctx.delays, label="delay")
    if delay < timedelta(0):
        delay = -delay
    at = case.history[-1].at + delay
    definition = engine.lifecycle(case.lifecycle)
    finals = definition.final_states
    by_trigger: dict[str, list[Actor]] = {}
    for trigger, actor in ctx.allowed(case):
        by_trigger.setdefault(trigger, []).append(actor)
    onward = [t for t in by_trigger if definition.next_state(case.state, t) not in finals]
    ending = [t for t in by_trigger if t not in onward]
    if draw(st.integers(0, 3), label="end_first") == 3:
        order = _rotated(draw, ending, "ending") + _rotated(draw, onward, "onward")
    else:
        order = _rotated(draw, onward, "onward") + _rotated(draw, ending, "ending")
    for trigger in order:
        transition = definition.transition(case.state, trigger)
        if transition is None:  # pragma: no cover - allowed() offers only available triggers
            continue
        for actor in _rotated(draw, by_trigger[trigger], "actor"):
            data = draw(_drawn_data(engine, case, transition, ctx.values), label="data")
            try:
                new = engine.apply(case, trigger, actor=actor, at=at, **data)
            except TransitionError:
                continue
            return Step(trigger=trigger, actor=actor, at=at, data=data), new
    return None


def _faulty(draw: st.DrawFn, ctx: _Context, case: Case, fault: Fault) -> Step:
    """A command wrong in the one way ``fault`` names; the engine refuses it."""
    engine = ctx.engine
    definition = engine.lifecycle(case.lifecycle)
    last = case.history[-1].at
    at = last + abs(draw(ctx.delays, label="delay"))
    available = definition.transitions_from(case.state)
    allowed = ctx.allowed(case)

    def data_for(trigger: str) -> dict[str, DataValue]:
        transition = definition.transition(case.state, trigger)
        if transition is None:
            return {}
        return draw(_drawn_data(engine, case, transition, ctx.values), label="data")

    if fault is Fault.WRONG_STATE:
        offered = set(definition.triggers_from(case.state))
        others = sorted({t.trigger for t in definition.transitions if not t.opening} - offered)
        trigger = draw(st.sampled_from(others)) if others else "no_such_trigger"
        actor = draw(st.sampled_from(ctx.pool), label="actor")
        return Step(trigger=trigger, actor=actor, at=at, fault=fault)
    if fault is Fault.WRONG_ACTOR and available:
        trigger = draw(st.sampled_from([t for t, _ in available]), label="trigger")
        may = {a for t, a in allowed if t == trigger}
        refused = [a for a in ctx.pool if a not in may]
        actor = (
            draw(st.sampled_from(refused), label="actor")
            if refused
            else Actor(person_id="nobody", role="grid_worker", unit_id=case.unit_id)
        )
        return Step(trigger=trigger, actor=actor, at=at, data=data_for(trigger), fault=fault)
    if fault is Fault.MISSING_DATA and allowed:
        requires = {t: tr.requires for t, tr in available}
        needing = [(t, a) for t, a in allowed if requires[t]]
        trigger, actor = draw(st.sampled_from(needing or allowed), label="command")
        data = data_for(trigger)
        if needing:
            del data[draw(st.sampled_from(sorted(requires[trigger])), label="missing")]
        else:
            data["no_such_key"] = "unexpected"
        return Step(trigger=trigger, actor=actor, at=at, data=data, fault=fault)
    # TIME_BACKWARDS, or nothing available for the other faults: any command, back in time
    # (nothing at all is allowed here, so it is refused either way)
    if allowed:
        trigger, actor = draw(st.sampled_from(allowed), label="command")
    else:
        trigger = draw(st.sampled_from([t for t, _ in available] or ["no_such_trigger"]))
        actor = draw(st.sampled_from(ctx.pool), label="actor")
    back = timedelta(minutes=draw(st.integers(1, 14 * 24 * 60), label="minutes_back"))
    return Step(trigger=trigger, actor=actor, at=last - back, data=data_for(trigger), fault=fault)


def _faults(faults: Iterable[Fault]) -> tuple[Fault, ...]:
    found = tuple((faults,) if isinstance(faults, Fault) else faults)
    for fault in found:
        _need_type("each fault", fault, Fault)
    return found


def commands(  # noqa: PLR0913 - keyword-only context and sub-strategies
    *,
    engine: Engine,
    case: Case,
    actors: Iterable[Actor] | None = None,
    faults: Iterable[Fault] = (),
    data_values: DataValues | None = None,
    delays: st.SearchStrategy[timedelta] | None = None,
    legal: bool = True,
) -> st.SearchStrategy[Step | None]:
    """Generate one next command for ``case``: legal, or (with ``faults``) invalid in one way.

    A legal command is found by walking the engine, not by filtering: the triggers some actor
    may fire (as :meth:`~ruian_governance.Engine.allowed` answers) are tried from a drawn
    position, those that keep the case open first three times in four, each by the actors
    allowed to fire it with data from :func:`command_data`; the first command the engine
    accepts is drawn.
    ``None`` is drawn when nothing is accepted (a final state, or guards refusing every try).
    With ``faults``, about half the draws (all of them with ``legal=False``) are instead a
    command wrong in one drawn :class:`Fault`, which the engine always refuses.

    Args:
        engine: The engine that runs the case's lifecycle.
        case: The case the command is for.
        actors: Who may be drawn to act (default: every post of the engine's hierarchy).
        faults: The ways invalid commands may be wrong (default: only legal commands).
        data_values: Value strategies by data key (see :func:`command_data`).
        delays: Time from the case's last record to the command (default: from none to
            40 days, mostly hours).
        legal: Whether legal commands are drawn too; ``False`` (with ``faults``) draws only
            invalid ones.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: ``legal=False`` without faults.
        UnknownIdError: The engine does not run the case's lifecycle.

    >>> from datetime import datetime
    >>> from hypothesis import given
    >>> from ruian_governance import (CHINA_STANDARD_TIME, Actor, builtin_engine,
    ...     generate_hierarchy)
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    >>> engine = builtin_engine(h)
    >>> worker = Actor.of(h, h.people_of("t0001.v001.g01")[0].id, "grid_worker")
    >>> case = engine.open("event", case_id="E1", trigger="report", actor=worker,
    ...                    at=datetime(2025, 9, 30, 9, tzinfo=CHINA_STANDARD_TIME),
    ...                    location_id="t0001.v001.g01", category="noise", severity="ordinary")
    >>> @given(commands(engine=engine, case=case))
    ... def test_legal_commands_are_accepted(step):
    ...     assert step.apply(engine, case).version == 1
    >>> test_legal_commands_are_accepted()
    """
    ctx = _context(engine, actors, data_values, delays)
    _need_type("case", case, Case)
    engine.lifecycle(case.lifecycle)
    fault_list = _faults(faults)
    if not legal and not fault_list:
        msg = "legal=False needs at least one fault"
        raise ValueError(msg)
    return _next_command(ctx, case, fault_list, legal)


@st.composite
def _next_command(
    draw: st.DrawFn, ctx: _Context, case: Case, faults: tuple[Fault, ...], legal: bool
) -> Step | None:
    invalid = bool(faults) and (not legal or draw(st.booleans(), label="invalid"))
    if invalid:
        return _faulty(draw, ctx, case, draw(st.sampled_from(faults), label="fault"))
    found = _legal(draw, ctx, case)
    return None if found is None else found[0]


def command_sequences(  # noqa: PLR0913 - keyword-only context and sub-strategies
    *,
    engine: Engine,
    case: Case,
    max_size: int = 10,
    actors: Iterable[Actor] | None = None,
    faults: Iterable[Fault] = (),
    data_values: DataValues | None = None,
    delays: st.SearchStrategy[timedelta] | None = None,
) -> st.SearchStrategy[tuple[Step, ...]]:
    """Generate sequences of commands for ``case``, each drawn for the case the ones before left.

    Legal steps are found as for :func:`commands` and advance the case; with ``faults``,
    invalid steps (each wrong in one :class:`Fault`) are mixed in and leave it as it was.  A
    sequence ends early when no legal command is found (e.g. the case reached a final state).
    Applying the steps in order, every step with ``fault=None`` is accepted and every other
    one is refused.

    Args:
        engine: The engine that runs the case's lifecycle.
        case: The case the sequence starts from.
        max_size: Most steps.
        actors: As for :func:`commands`.
        faults: As for :func:`commands`.
        data_values: As for :func:`commands`.
        delays: As for :func:`commands`.

    Raises:
        ValueError: ``max_size`` is negative.

    >>> from datetime import datetime
    >>> from hypothesis import given
    >>> from ruian_governance import (CHINA_STANDARD_TIME, Actor, builtin_engine,
    ...     generate_hierarchy)
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    >>> engine = builtin_engine(h)
    >>> worker = Actor.of(h, h.people_of("t0001.v001.g01")[0].id, "grid_worker")
    >>> case = engine.open("event", case_id="E1", trigger="report", actor=worker,
    ...                    at=datetime(2025, 1, 20, 9, tzinfo=CHINA_STANDARD_TIME),
    ...                    location_id="t0001.v001.g01", category="noise", severity="ordinary")
    >>> @given(command_sequences(engine=engine, case=case, faults=list(Fault)))
    ... def test_faulty_steps_are_refused(steps):
    ...     current = case
    ...     for step in steps:
    ...         try:
    ...             current = step.apply(engine, current)
    ...         except TransitionError:
    ...             assert step.fault is not None
    ...         else:
    ...             assert step.fault is None
    >>> test_faulty_steps_are_refused()
    """
    ctx = _context(engine, actors, data_values, delays)
    _need_type("case", case, Case)
    engine.lifecycle(case.lifecycle)
    _check_bound("max_size", max_size, 0)
    return _sequence(ctx, case, max_size, _faults(faults))


@st.composite
def _sequence(
    draw: st.DrawFn, ctx: _Context, case: Case, max_size: int, faults: tuple[Fault, ...]
) -> tuple[Step, ...]:
    steps: list[Step] = []
    current = case
    for _ in range(draw(st.integers(0, max_size), label="length")):
        invalid = bool(faults) and draw(st.booleans(), label="invalid")
        if invalid:
            steps.append(_faulty(draw, ctx, current, draw(st.sampled_from(faults), label="fault")))
            continue
        found = _legal(draw, ctx, current)
        if found is None:
            break
        steps.append(found[0])
        current = found[1]
    return tuple(steps)


def cases(  # noqa: PLR0913 - keyword-only context and sub-strategies
    *,
    engine: Engine,
    lifecycle: str | Iterable[str] | None = None,
    locations: Iterable[str] | None = None,
    times: st.SearchStrategy[datetime] | None = None,
    category_keys: Iterable[str] | st.SearchStrategy[str] = RULES_2021.keys,
    actors: Iterable[Actor] | None = None,
    data_values: DataValues | None = None,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Case]:
    """Generate freshly opened cases, opened through the engine by an actor allowed to.

    The lifecycle, location, time, category, severity (or none), parties and opening trigger
    are drawn; the opening actors are tried from a drawn position and the first the engine
    accepts opens the case (then the next location, if none can open it there).

    Args:
        engine: The engine that opens them.
        lifecycle: Lifecycle key(s) to draw from (default: every lifecycle of the engine).
        locations: Unit ids to open them at (default: the grids and micro-grids).
        times: Opening times (default: :func:`datetimes`).
        category_keys: Category keys, or a strategy of them.
        actors: Who may open them (default: every post of the engine's hierarchy).
        data_values: As for :func:`commands`.
        ids: Case ids (default: ``C1`` to ``C99999``).

    Raises:
        TypeError: An argument of the wrong type.
        UnknownIdError: An unknown lifecycle or location.
        ValueError: No actor holds a role that may open a case of a lifecycle drawn from.

    >>> from hypothesis import given
    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0))
    >>> @given(cases(engine=engine, lifecycle="dispute"))
    ... def test_cases_open_in_the_initial_state(case):
    ...     assert case.state == "screening" and case.version == 0
    >>> test_cases_open_in_the_initial_state()
    """
    ctx = _context(engine, actors, data_values, None)
    keys = (
        tuple(engine.lifecycles)
        if lifecycle is None
        else ((lifecycle,) if isinstance(lifecycle, str) else tuple(lifecycle))
    )
    h = engine.hierarchy
    for key in keys:
        definition = engine.lifecycle(key)
        roles = {r for t in definition.transitions if t.opening for r in t.roles}
        if not any(a.role in roles for a in ctx.pool):
            msg = f"no actor holds a role that may open a {key!r} case: {sorted(roles)}"
            raise ValueError(msg)
    places = tuple(
        (u.id for u in h.units_at(Level.GRID) + h.units_at(Level.MICRO_GRID))
        if locations is None
        else locations
    )
    for place in places:
        h.unit(place)
    moments = datetimes() if times is None else times
    category_strategy = _strategy(category_keys, "category_keys")
    id_strategy = st.integers(1, 99_999).map(lambda n: f"C{n}") if ids is None else ids
    return _opened_case(
        _Opening(
            ctx=ctx,
            lifecycles=st.sampled_from(keys),
            places=places,
            times=moments,
            categories=category_strategy,
            ids=id_strategy,
        )
    )


@attrs.frozen
class _Opening:
    ctx: _Context
    lifecycles: st.SearchStrategy[str]
    places: tuple[str, ...]
    times: st.SearchStrategy[datetime]
    categories: st.SearchStrategy[Any]
    ids: st.SearchStrategy[str]


@st.composite
def _opened_case(draw: st.DrawFn, how: _Opening) -> Case:
    ctx = how.ctx
    engine = ctx.engine
    definition = engine.lifecycle(draw(how.lifecycles, label="lifecycle"))
    at = draw(how.times, label="at")
    category = str(draw(how.categories, label="category"))
    tiers = sorted(definition.severity_keys)
    severity = draw(st.one_of(st.none(), st.sampled_from(tiers)) if tiers else st.none())
    parties = tuple(draw(st.lists(st.sampled_from(("张三", "李四", "王五")), max_size=2,
                                  unique=True), label="parties"))  # fmt: skip
    case_id = draw(how.ids, label="case_id")
    openings = [t for t in definition.transitions if t.opening]
    for location in _rotated(draw, how.places, "location"):
        probe = Case(
            id=case_id,
            lifecycle=definition.key,
            state=definition.initial.key,
            location_id=location,
            unit_id=engine.holder_for(definition, location),
            reporter_id="",
            category=category,
            severity=severity,
            opened_at=at,
            due_at=None,
            history=(),
        )
        for opening in openings:
            openers = [
                a
                for a in ctx.pool
                if a.role in opening.roles
                and engine.in_jurisdiction(opening.jurisdiction, probe, a)
            ]
            if not openers:
                continue
            data = draw(_drawn_data(engine, None, opening, ctx.values), label="data")
            for actor in _rotated(draw, openers, "opener"):
                try:
                    return engine.open(definition.key, case_id=case_id,
                                       trigger=opening.trigger, actor=actor, at=at,
                                       location_id=location, category=category,
                                       severity=severity, parties=parties, **data)  # fmt: skip
                except TransitionError:
                    continue
    msg = f"no actor could open a {definition.key!r} case at any location"
    raise ValueError(msg)
