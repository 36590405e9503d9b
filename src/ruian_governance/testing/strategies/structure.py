"""Strategies for the "141" structure: hierarchies, their administrative units, actors in posts.

Part of :mod:`ruian_governance.testing.strategies`, which re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hypothesis import strategies as st

from ruian_governance._convert import str_frozenset
from ruian_governance.errors import ArgumentError
from ruian_governance.models import Actor, AdminUnit, Hierarchy, Level, PlatformPreset
from ruian_governance.presets import PLATFORMS_2016, PLATFORMS_2021, generate_hierarchy
from ruian_governance.testing._args import check_bound, need_type
from ruian_governance.testing._walk import posts_as_actors

__all__ = ["actors", "hierarchies", "units"]


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
        ArgumentError: At once (not when drawing) for bounds that make no hierarchy.
    """
    check_bound("min_towns", min_towns, 1)
    check_bound("max_towns", max_towns, min_towns)
    check_bound("max_villages_per_town", max_villages_per_town, 1)
    check_bound("max_grids_per_village", max_grids_per_village, 1)
    check_bound("max_micro_grids_per_grid", max_micro_grids_per_grid, 1)
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


def _under(hierarchy: Hierarchy, unit_id: str, within: str) -> bool:
    """Whether ``unit_id`` (a unit or an organisation) is ``within`` or anywhere under it."""
    if unit_id == within:
        return True
    admin = hierarchy.admin_unit_of(unit_id)
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
        ArgumentError: ``hierarchy`` is not a :class:`~ruian_governance.Hierarchy`, or no unit
            matches (e.g. micro-grids of a hierarchy without them).
        UnknownIdError: ``within`` is not a unit of the hierarchy.

    >>> from hypothesis import given
    >>> from ruian_governance import Level, generate_hierarchy
    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    >>> @given(units(hierarchy=h, level=Level.GRID, within="t0001"))
    ... def test_grids_of_the_first_town(grid):
    ...     assert h.town_of(grid.id).id == "t0001" and grid.level is Level.GRID
    >>> test_grids_of_the_first_town()
    """
    need_type("hierarchy", hierarchy, Hierarchy)
    if within is not None:
        hierarchy.unit(within)
    pool = tuple(
        u
        for u in (hierarchy.units if level is None else hierarchy.units_at(level))
        if within is None or _under(hierarchy, u.id, within)
    )
    if not pool:
        where = "" if within is None else f" within {within!r}"
        reason = f"a level with units{where}; none found"
        raise ArgumentError(argument="level", value=level, reason=reason)
    return st.sampled_from(pool)


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
        ArgumentError: ``hierarchy`` is not a :class:`~ruian_governance.Hierarchy`, or no post
            matches.
        UnknownIdError: ``within`` or one of ``units`` is not in the hierarchy.

    >>> from hypothesis import given
    >>> from ruian_governance import generate_hierarchy
    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    >>> @given(actors(hierarchy=h, roles={"station_officer"}, within="t0002"))
    ... def test_officers_of_the_second_town(actor):
    ...     assert h.station(actor.unit_id).town_id == "t0002"
    >>> test_officers_of_the_second_town()
    """
    need_type("hierarchy", hierarchy, Hierarchy)
    role_set = None if roles is None else str_frozenset(roles)
    unit_set = None if units is None else str_frozenset(units)
    for unit_id in unit_set or ():
        hierarchy.get(unit_id)
    if within is not None:
        hierarchy.get(within)
    pool = tuple(
        a
        for a in posts_as_actors(hierarchy)
        if (role_set is None or a.role in role_set)
        and (unit_set is None or a.unit_id in unit_set)
        and (within is None or _under(hierarchy, a.unit_id, within))
    )
    if not pool:
        asked = {"roles": sorted(role_set or ()), "units": sorted(unit_set or ()), "within": within}
        reason = "a filter some post matches; none does"
        raise ArgumentError(argument="roles, units, within", value=asked, reason=reason)
    return st.sampled_from(pool)
