"""The hot path, sixth pass (issue 15: "events per second per core at least 6,000").

A shard's digest is made from the rows its dataset writes (``CaseDigest``): each record's
columns and each data tuple's JSON text are made once, for the history table and the digest.
The event queue keeps a heap per bucket of time, so its heap operations stay cheap in a large
city ("cost per event at 1M events within 1.2x of the cost at 50k").
"""

from __future__ import annotations

import gc
import heapq
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import Case, SimulationConfig, builtin_engine, generate_hierarchy, simulate
from ruian_governance.errors import ArgumentError, SimulationConfigError, UnknownIdError
from ruian_governance.io import _rows, converter
from ruian_governance.io.dataset import CaseDigest, CityWriter
from ruian_governance.presets import with_staff
from ruian_governance.sim import sharded
from ruian_governance.sim.queue import EventQueue
from ruian_governance.sim.region import generate_region
from ruian_governance.sim.run import _Run, collector_paused
from ruian_governance.sim.sharded import run_shard

H = generate_hierarchy(towns=3, villages=6, grids=12, micro_grids=0, seed=0)
RUN = simulate(SimulationConfig(hierarchy=H, days=6, seed=2))


def _written_digest(root: Path, batches: list[tuple[Case, ...]]) -> str:
    pytest.importorskip("pyarrow")
    digest = CaseDigest(H)
    with CityWriter(root, "330381", hierarchy=H, lifecycles=RUN.lifecycles, digest=digest) as w:
        for batch in batches:
            w.write(batch)
    return digest.hexdigest()


def test_the_writer_digests_what_the_digest_alone_digests(tmp_path: Path) -> None:
    """Point "events per second": written or not, the same batches give the same digest."""
    cases = RUN.cases
    batches = [cases[:7], cases[7:40], cases[40:]]
    alone = CaseDigest(H)
    for batch in batches:
        alone.add(batch)
    assert _written_digest(tmp_path / "a", batches) == alone.hexdigest()
    once = CaseDigest(H)
    once.add(cases)
    assert once.hexdigest() != alone.hexdigest()  # the batches are part of what is digested
    assert _written_digest(tmp_path / "b", [cases]) == once.hexdigest()


def test_a_written_batch_makes_each_text_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point "events per second": the table and the digest share one text per data tuple.

    Before, the digest made its own ``str`` of every data tuple the table had made JSON of.
    """
    calls: list[int] = []
    made = converter._record_data_text

    def counted(data: Any) -> str:
        calls.append(id(data))
        return made(data)

    monkeypatch.setattr(_rows, "_record_data_text", counted)
    _written_digest(tmp_path, [RUN.cases])
    by_town: dict[str, set[int]] = {}
    for case in RUN.cases:
        town = H.town_of(case.location_id)
        key = H.city.id if town is None else town.id
        by_town.setdefault(key, set()).update(id(r.data) for r in case.history)
    assert len(calls) == sum(len(ids) for ids in by_town.values())


def test_a_refused_batch_adds_nothing() -> None:
    """Point "events per second": hostile batches are refused and the digest is unchanged."""
    digest = CaseDigest(H)
    digest.add(RUN.cases[:3])
    before = digest.hexdigest()
    case = RUN.cases[5]
    last = case.history[-1]
    odd = attrs.evolve(case, history=(*case.history[:-1], attrs.evolve(last, data=(("x", {1}),))))
    elsewhere = attrs.evolve(case, location_id="nowhere")
    for batch, error in (
        ("abc", ArgumentError),
        ([5], ArgumentError),
        (None, ArgumentError),
        ([*RUN.cases[:4], odd], ArgumentError),
        ([*RUN.cases[:4], elsewhere], UnknownIdError),
    ):
        with pytest.raises(error):
            digest.add(batch)  # type: ignore[arg-type]
        assert digest.hexdigest() == before
    with pytest.raises(ArgumentError):
        CaseDigest("a hierarchy")  # type: ignore[arg-type]


def test_a_writer_takes_a_digest_of_its_own_hierarchy(tmp_path: Path) -> None:
    """Point "events per second": a digest of another hierarchy (or none of one) is refused."""
    pytest.importorskip("pyarrow")
    other = generate_hierarchy(towns=3, villages=6, grids=12, micro_grids=0, seed=0)
    for digest in (CaseDigest(other), "digest", 5):
        with pytest.raises(ArgumentError, match="digest"):
            CityWriter(tmp_path, "330381", hierarchy=H, digest=digest)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())


@settings(max_examples=60, deadline=None)
@given(
    st.none() | st.integers(1, 4_000),
    st.lists(
        st.tuples(st.booleans(), st.integers(-3_000, 30_000), st.integers(0, 3)), max_size=120
    ),
)
def test_the_bucketed_queue_pops_what_one_heap_pops(
    seconds: int | None, steps: list[tuple[bool, int, int]]
) -> None:
    """Cost per event flat: buckets of time pop in the order of one heap of every event.

    Pushes at any time (before the current bucket too), pops in between, ends in between;
    buckets of the default width or of ``seconds`` (the eighth pass: a busy run's are narrower).
    """
    t0 = datetime(2025, 3, 3, 9, tzinfo=timezone(timedelta(hours=8)))
    queue = EventQueue() if seconds is None else EventQueue(timedelta(seconds=seconds))
    plain: list[tuple[datetime, int, Any, Any]] = []
    number = 0

    def handler(at: datetime, payload: int) -> None:
        del at, payload

    for push, minutes, pops in steps:
        when = t0 + timedelta(minutes=minutes, microseconds=pops)
        if push:
            number += 1
            queue.push(when, handler, number)
            heapq.heappush(plain, (when, number, handler, number))
            continue
        got = [(at, payload) for at, _, _, payload in queue.until(when)]
        expected = []
        while plain and plain[0][0] < when:
            at, _, _, payload = heapq.heappop(plain)
            expected.append((at, payload))
        assert got == expected
        assert len(queue) == len(plain)
    rest = [(at, payload) for at, _, _, payload in queue.until(t0 + timedelta(days=60))]
    assert rest == [(at, payload) for at, _, _, payload in sorted(plain)]


def test_the_evening_sweep_forgets_the_cases_it_has_swept_for_good() -> None:
    """Events per CPU second: a case the sweep can do nothing more to is not read again.

    Before, every evening read every open case; a backlog of supervised cases was read day
    after day.  The cases left are the open events and disputes not swept for good, in order.
    """
    h = with_staff(generate_hierarchy(towns=1, villages=4, grids=12, micro_grids=0, seed=0))
    config = SimulationConfig(hierarchy=h, days=21, seed=3, reports_per_grid_per_day=2.0)
    run = _Run(config, h)
    state = run.state
    run.run(None)
    swept = {"event": {"supervised", "city_supervised"}, "dispute": {"supervised", "escalated"}}
    held = state.store._cases
    others = [i for i in state.open if not i.startswith("H")]
    left = [i for i in others if not swept[held[i].lifecycle] <= state.flags.get(i, set())]
    assert len(left) < len(others)  # a backlog was swept for good
    assert set(left) <= set(state.sweepable) <= set(others)
    assert list(state.sweepable) == [i for i in others if i in state.sweepable]  # in order


def test_the_engine_shares_data_across_the_grids_of_a_large_city() -> None:
    """Cost per event flat: a city of 100,000 grids keeps its shared data tuples shared.

    Each grid's opening location pair is one entry of the engine's cache; before, a cache of
    16,384 was emptied every few thousand reports in such a city, and the commands' data after
    each emptying were copies again (a text each in the tables and the digest).
    """
    engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    common = (("units", ("t0001.station.police",)),)
    assert engine._shared(common) is common
    for i in range(100_000):
        engine._shared(("location_id", f"g{i:06d}"))
    again = (("units", ("t0001.station.police",)),)
    assert engine._shared(again) is common


def test_a_shard_runs_with_the_collector_paused_and_restores_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Events per CPU second: the collections were a tenth of a worker's shard; now paused.

    Paused while the shard runs; restored afterwards whether it was on or off, also after a
    refused run; shards in several threads nest (the last to end restores it).
    """
    region = generate_region(cities=1, towns=2, villages=4, grids=8, seed=3)
    config = SimulationConfig(days=2, seed=1)
    seen: list[bool] = []
    plain = sharded.simulate
    refuse = [False]

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        if refuse[0]:
            raise SimulationConfigError(field="days", problem="refused by the test")
        return plain(*args, **kwargs)

    monkeypatch.setattr(sharded, "simulate", watched)
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            run_shard(region.cities[0], config)
            assert gc.isenabled() is enabled
            refuse[0] = True
            with pytest.raises(SimulationConfigError):
                run_shard(region.cities[0], config)
            refuse[0] = False
            assert gc.isenabled() is enabled
        assert seen == [False] * 4
        gc.enable()
        inside = threading.Event()
        release = threading.Event()

        def held() -> None:
            with collector_paused():
                inside.set()
                release.wait(10)

        other = threading.Thread(target=held)
        other.start()
        inside.wait(10)
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other shard still runs
        release.set()
        other.join()
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_a_run_keeps_no_empty_flag_sets() -> None:
    """Cost per event flat: a case gets its set of flags only once it has a flag.

    Before, every signed or verified event (and every revisited hazard) kept an empty set for
    as long as the run held it.
    """
    h = with_staff(generate_hierarchy(towns=2, villages=4, grids=12, micro_grids=0, seed=0))
    config = SimulationConfig(hierarchy=h, days=28, seed=3, hazards_per_town_per_day=2.0)
    run = _Run(config, h)
    run.run(None)
    assert run.state.flags  # some cases were flagged
    assert all(run.state.flags.values())
