"""The simulation's hot path, fourth pass (issue 15: "events per second per core at least 6,000").

Each speed-up answers what the plain code answered: the tests compare them with it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import Case, SimulationConfig, generate_hierarchy, simulate
from ruian_governance.errors import ArgumentError
from ruian_governance.io import _rows
from ruian_governance.io.dataset import CaseDigest
from ruian_governance.io.tables import cases_table
from ruian_governance.presets import with_staff
from ruian_governance.sim.draws import cumulative, pick
from ruian_governance.sim.run import _Run
from ruian_governance.sim.state import RunState
from ruian_governance.sim.supervision import _SWEPT

H = with_staff(generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0))


def _scanned_pick(rng: random.Random, bounds: tuple[float, ...]) -> int:
    """``pick`` as it was: a scan for the first bound above the draw."""
    x = rng.random() * bounds[-1]
    for i, bound in enumerate(bounds):
        if x < bound:
            return i
    return len(bounds) - 1


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(
        st.sampled_from([0.0, 0.5, 1.0, 2.5, 1e-300, 7.0]), min_size=1, max_size=8
    ).filter(lambda w: sum(w) > 0),
    seed=st.integers(0, 2**32),
)
def test_pick_bisects_to_the_index_the_scan_found(weights: list[float], seed: int) -> None:
    """Point "events per second": pick bisects to the index the scan drew.

    Zero weights included, from the same one ``random()`` call.
    """
    bounds = cumulative(weights)
    a, b = random.Random(seed), random.Random(seed)
    assert [pick(a, bounds) for _ in range(20)] == [_scanned_pick(b, bounds) for _ in range(20)]
    assert a.random() == b.random()


def test_pick_past_the_last_bound_is_the_last_index() -> None:
    """A draw at the last bound (a rounding) is the last index, as the scan had it."""

    class Top(random.Random):
        def random(self) -> float:
            return 1.0

    assert pick(Top(), (1.0, 1.0, 2.0)) == _scanned_pick(Top(), (1.0, 1.0, 2.0)) == 2


def test_the_hazard_sweep_reads_the_open_hazards_in_opening_order() -> None:
    """Point "events per second": ``due`` answers what the filter over every open case did.

    Day after day of a run, in the same order, for hazards and for the other cases.
    """
    config = SimulationConfig(hierarchy=H, days=28, seed=3, hazards_per_town_per_day=2.0)
    run = _Run(config, H)
    state: RunState = run.state
    checked = 0

    def plain(now: object, *, hazards: bool) -> list[object]:
        held = state.store._cases
        return [
            held[i]
            for i in state.open
            if i.startswith("H") is hazards and held[i].due_at is not None and held[i].due_at <= now  # type: ignore[operator]
        ]

    def asked(cases: list[Any]) -> list[Any]:  # what the evening sweep asks about
        return [c for c in cases if not _SWEPT[c.lifecycle] <= state.flags.get(c.id, set())]

    def progress(done: int, _days: int) -> None:
        nonlocal checked
        now = config.start + timedelta(days=done)
        assert state.due(now, hazards=True) == plain(now, hazards=True)
        # the other cases: less those swept for good (hotpath6), the same asked
        assert asked(state.due(now, hazards=False)) == asked(plain(now, hazards=False))
        checked += any(i.startswith("H") for i in state.open)

    run.run(progress)
    assert checked  # hazards were open on some evening


def test_cases_table_names_the_bad_case_after_the_one_pass_fails() -> None:
    """cases_table in one pass: the same rows; a bad field is still named by its case.

    The one pass falls back to case by case on a field of the wrong type, and the error is
    the one it was (naming the case).
    """
    result = simulate(SimulationConfig(hierarchy=H, days=3, seed=1))
    cases = list(result.cases[:5])
    table = cases_table(cases, result.hierarchy, lifecycles=result.lifecycles)
    assert table.num_rows == len(cases)
    bad = attrs.evolve(cases[3])
    object.__setattr__(bad, "opened_at", bad.opened_at.replace(tzinfo=None))
    with pytest.raises(ArgumentError, match=cases[3].id):
        cases_table([*cases[:3], bad], result.hierarchy, lifecycles=result.lifecycles)
    rows = [
        cases_table([c], result.hierarchy, lifecycles=result.lifecycles).to_pylist()[0]
        for c in cases
    ]
    assert table.to_pylist() == rows


def _rezoned(case: Case, zones: Sequence[tzinfo]) -> Case:
    history = tuple(
        attrs.evolve(r, at=r.at.astimezone(zones[i % len(zones)]))
        for i, r in enumerate(case.history)
    )
    return attrs.evolve(case, history=history)


def test_the_digest_of_one_fixed_offset_is_the_digest_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Point "events per second": one fixed offset is read without every time's offset.

    The same hex as the offsets of every time give (the digest with its shortcut switched
    off) whatever the zones: one, several, not fixed, none.
    """
    cases = list(simulate(SimulationConfig(hierarchy=H, days=3, seed=1)).cases)
    shanghai = ZoneInfo("Asia/Shanghai")
    for zones in ([], [UTC], [UTC, timezone(timedelta(hours=8))], [shanghai]):
        given = [_rezoned(c, zones) for c in cases] if zones else cases
        for batch in (given, given[:1], []):
            fast, plain = CaseDigest(H), CaseDigest(H)
            fast.add(batch)
            with monkeypatch.context() as patch:  # no zone is "fixed": every offset is read
                patch.setattr(_rows, "timezone", type("NoZone", (), {}))
                plain.add(batch)
            assert fast.hexdigest() == plain.hexdigest()
