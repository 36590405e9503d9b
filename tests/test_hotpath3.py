"""The simulation's hot path, third pass (issue 15: "cost per event at 1M events in one city").

Each speed-up answers what the plain code answered: the tests compare them with it.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from ruian_governance import (
    Case,
    Hierarchy,
    SimulationConfig,
    builtin_engine,
    generate_hierarchy,
    simulate,
)
from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.lifecycles import engine as engine_module
from ruian_governance.presets import ruian_preset
from ruian_governance.sim import run as run_module
from ruian_governance.sim.region import generate_region
from ruian_governance.sim.sharded import run_shard


def _scanned(h: Hierarchy, unit_id: str) -> tuple[object, ...]:
    """``shared_courts_of`` as it was: a scan of every shared court of the hierarchy."""
    town = h.town_of(h.node(unit_id).id)
    if town is None:
        return ()
    return tuple(v for v in h.shared_courts if h.town_of(v.id) == town)


@pytest.mark.parametrize(
    "hierarchy",
    [generate_hierarchy(towns=4, villages=8, grids=16, micro_grids=32, seed=2), ruian_preset()],
    ids=["generated", "ruian"],
)
def test_shared_courts_of_a_town_are_those_the_scan_found(hierarchy: Hierarchy) -> None:
    """Point 2 (cost per event independent of the city's size): a table, not a scan.

    ``shared_courts_of`` looks the town up in a table built once instead of scanning every
    shared court of the city (a scan per dispute, 700 courts long in a million-event city);
    same courts, same order, for every unit and organisation, also after a pickle round trip.
    """
    ids = [u.id for u in hierarchy.units] + [v.id for v in hierarchy.shared_courts]
    ids += [s.id for s in hierarchy.stations]
    copied = pickle.loads(pickle.dumps(hierarchy))
    hierarchy.shared_courts_of(hierarchy.towns[0].id)
    built = hierarchy._index.venues  # the table, built once on first use
    assert built is not None
    for unit_id in ids:
        expected = _scanned(hierarchy, unit_id)
        assert hierarchy.shared_courts_of(unit_id) == expected
        assert copied.shared_courts_of(unit_id) == expected
    assert any(hierarchy.shared_courts_of(i) for i in ids)
    assert hierarchy._index.venues is built  # not built again


def test_shared_courts_of_an_unknown_unit_is_refused() -> None:
    """Point 2: the table changes no refusal: an unknown or unhashable id is still refused."""
    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    for bad in ("nowhere", "", None, 3.5):
        with pytest.raises(UnknownIdError):
            h.shared_courts_of(bad)  # type: ignore[arg-type]


def _small() -> SimulationConfig:
    h = generate_hierarchy(towns=2, villages=6, grids=40, micro_grids=0, seed=5)
    return SimulationConfig(hierarchy=h, days=12, seed=4, reports_per_grid_per_day=1.5)


def test_a_run_without_a_library_runs_the_same_cases() -> None:
    """Point 3 (memory flat as the days grow): ``simulate(library=False)`` keeps no library.

    The library holds every completed dispute whole for the run's whole length; a shard does
    not need it (its dataset has every case).  Without it the run hands over the same
    batches of the same cases, and its result's library is empty.
    """
    config = _small()
    kept: list[tuple[Case, ...]] = []
    none: list[tuple[Case, ...]] = []
    with_library = simulate(config, sink=kept.append)
    without = simulate(config, sink=none.append, library=False)
    assert kept == none
    assert len(kept) > 1
    assert len(with_library.library) > 0
    assert len(without.library) == 0
    assert without.library.query() == ()
    assert (without.reported, without.commands) == (with_library.reported, with_library.commands)
    assert simulate(config, library=False).cases == simulate(config).cases


@pytest.mark.parametrize("bad", [None, 0, 1, "False", "yes", float("nan"), (), [True]])
def test_a_library_that_is_not_a_bool_is_refused(bad: object) -> None:
    """Point 3: ``library`` takes ``True`` or ``False`` only; refused before anything runs."""
    with pytest.raises(ArgumentError, match="library"):
        simulate(_small(), library=bad)  # type: ignore[arg-type]


def test_a_streamed_run_forgets_the_citizens_of_the_cases_it_handed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Point 3: the set of cases a citizen reported kept every id to the end of the run.

    It is asked only of a case just opened, so a handed-over case leaves it with the rest
    of the run's bookkeeping of that case (its handlers and flags).
    """
    seen: list[tuple[set[str], set[str]]] = []
    original = run_module._Run.hand_over

    def spy(self: Any, sink: Any, *, least: int) -> None:
        original(self, sink, least=least)
        citizens = self.events.citizens.citizen_cases
        seen.append((set(citizens), set(self.state.store.held)))

    monkeypatch.setattr(run_module._Run, "hand_over", spy)
    streamed: list[Case] = []
    simulate(_small(), sink=streamed.extend)
    assert any(citizen for citizen, _ in seen)
    assert all(citizen <= held for citizen, held in seen)
    assert len({c.id for c in streamed}) == len(streamed)


def test_the_engine_still_shares_data_once_its_cache_has_filled() -> None:
    """Point 2: a large city filled the engine's cache of shared data tuples within a day.

    Every data tuple after that went unshared: a copy per record, and a text per record in
    the tables and digests, so the cost per event grew with the city.  A full cache is now
    emptied and fills again; it stays bounded.
    """
    engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    for i in range(engine_module._DATA_LIMIT + 10):
        engine._shared((("reporter", (f"citizen-{i:x}",)),))
    first = (("reason", "".join(["等待", "当事人"])),)
    second = (("reason", "".join(["等待", "当事人"])),)
    assert first == second
    assert first is not second
    assert engine._shared(first) is first
    assert engine._shared(second) is first
    assert len(engine._data) <= engine_module._DATA_LIMIT
    assert engine._shared([1]) == [1]  # unhashable: kept as given


def test_a_run_whose_engine_cache_fills_writes_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Point 2: which records share a data tuple changes nothing a shard writes or digests."""
    region = generate_region(cities=1, towns=2, villages=6, grids=60, seed=7)
    config = SimulationConfig(days=14, seed=3, reports_per_grid_per_day=1.5)
    plain = run_shard(region.cities[0], config, tmp_path / "plain")
    monkeypatch.setattr(engine_module, "_DATA_LIMIT", 16)
    churned = run_shard(region.cities[0], config, tmp_path / "churned")
    assert churned == plain
