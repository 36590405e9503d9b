"""Hypothesis strategies for the library's types, for users' own property tests.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.  Nothing else in the
package imports this module, so the package works without Hypothesis.

>>> from hypothesis import given
>>> from ruian_governance.strategies import hierarchies
>>> @given(hierarchies(max_towns=2))
... def test_city_is_root(h):
...     assert h.parent(h.city.id) is None
>>> test_city_is_root()
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from .hierarchy import Hierarchy, PlatformPreset
from .presets import PLATFORMS_2016, PLATFORMS_2021, generate_hierarchy

__all__ = ["hierarchies"]


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
