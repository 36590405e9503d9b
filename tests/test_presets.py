"""The Rui'an preset, the platform presets and the size-parameterised generator."""

from __future__ import annotations

import pytest

from ruian_governance import Hierarchy, Level, generate_hierarchy, ruian_preset
from ruian_governance.errors import ArgumentError
from ruian_governance.presets import (
    DEFAULT_DEPARTMENTS,
    PLATFORMS_2016,
    PLATFORMS_2021,
    RUIAN_TOWNS,
    STATION_KINDS,
)


@pytest.fixture(scope="module")
def ruian() -> Hierarchy:
    """The Rui'an preset at its default sizes."""
    return ruian_preset()


def test_ruian_has_its_23_real_towns(ruian: Hierarchy) -> None:
    """The preset holds Rui'an's 12 streets, 9 towns and 2 townships by their real names."""
    names = [t.name for t in ruian.towns]
    assert len(names) == 23
    assert sum(n.endswith("街道") for n in names) == 12
    assert sum(n.endswith("镇") for n in names) == 9
    assert sum(n.endswith("乡") for n in names) == 2
    assert {"安阳街道", "塘下镇", "北麂乡", "平阳坑镇", "云周街道"} <= set(names)


def test_ruian_worker_counts_match_the_article(ruian: Hierarchy) -> None:
    """Default sizes give about 18,000 grid workers and 30,000 micro-grid workers."""
    grid_workers = sum(
        len(ruian.people_of(g.id, role="grid_worker")) for g in ruian.units_at(Level.GRID)
    )
    micro = sum(
        len(ruian.people_of(m.id, role="micro_grid_worker"))
        for m in ruian.units_at(Level.MICRO_GRID)
    )
    assert grid_workers == 18_000
    assert micro == 30_000


def test_ruian_organisations(ruian: Hierarchy) -> None:
    """One centre, one command room per town, four platforms per town, 22 departments."""
    assert ruian.centre.name == "瑞安市社会治理中心"
    assert len(ruian.command_rooms) == 23
    assert len(ruian.platforms) == 23 * 4
    assert len(ruian.departments) == len(DEFAULT_DEPARTMENTS) == 22


def test_generator_is_deterministic() -> None:
    """The same seed gives an equal hierarchy; another seed a different one."""
    a = generate_hierarchy(towns=3, villages=9, grids=20, micro_grids=40, seed=5)
    b = generate_hierarchy(towns=3, villages=9, grids=20, micro_grids=40, seed=5)
    c = generate_hierarchy(towns=3, villages=9, grids=20, micro_grids=40, seed=6)
    assert a == b
    assert a != c


def test_generator_exact_sizes() -> None:
    """Requested totals are met exactly, each parent getting at least one child."""
    h = generate_hierarchy(
        towns=4, villages=10, grids=33, micro_grids=100, grid_workers=50, micro_grid_workers=70
    )
    assert [len(h.units_at(level)) for level in Level] == [1, 4, 10, 33, 100]
    for level in (Level.TOWN, Level.VILLAGE, Level.GRID):
        assert all(h.children(u.id) for u in h.units_at(level))
    assert sum(len(h.people_of(g.id, role="grid_worker")) for g in h.units_at(Level.GRID)) == 50


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"towns": 3, "villages": 2}, "villages"),
        ({"villages": 5, "grids": 4}, "grids"),
        ({"grids": 5, "micro_grids": 3}, "micro_grids"),
        ({"grids": -1}, "negative"),
        ({"micro_grids": 0, "micro_grid_workers": 3}, "micro_grid_workers"),
    ],
)
def test_generator_rejects_impossible_sizes(sizes: dict[str, int], message: str) -> None:
    """Sizes that make no hierarchy are refused at once with an ArgumentError (a ValueError)."""
    args = {"towns": 1, "villages": 5, "grids": 5, "micro_grids": 5, **sizes}
    with pytest.raises(ArgumentError, match=message):
        generate_hierarchy(**args)  # type: ignore[arg-type]


def test_presets_are_bilingual_and_consistent() -> None:
    """Both platform presets name known station kinds and carry Chinese labels."""
    known = {k.key for k in STATION_KINDS}
    for preset in (PLATFORMS_2016, PLATFORMS_2021):
        assert len(preset.platforms) == 4
        for platform in preset.platforms:
            assert platform.label.zh
            assert set(platform.station_kinds) <= known
    assert RUIAN_TOWNS[0].name_en == "Anyang Subdistrict"


def test_ruian_repr_is_one_short_line(ruian: Hierarchy) -> None:
    """repr() of the full Rui'an preset is one line naming the city and its sizes."""
    text = repr(ruian)
    assert "\n" not in text
    assert len(text) < 200
    people = len(ruian.people)
    assert text == (
        f"<Hierarchy city='瑞安市' towns=23 villages=600 grids=3000 micro_grids=30000 "
        f"people={people}>"
    )
