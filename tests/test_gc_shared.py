"""One pause of the cyclic collector for every layer (ruian_governance._gc).

sim.run's ``collector_paused`` and io.bulk's JSON parsing used to keep a copy each: a block of
one ending while a block of the other went on turned the collector back on under it.
"""

from __future__ import annotations

import gc
import threading

import pytest

from ruian_governance import _gc
from ruian_governance.io import bulk
from ruian_governance.sim.run import collections_eased, collector_paused


def test_a_bulk_parse_ending_inside_a_run_block_leaves_the_collector_paused() -> None:
    """Interleaved across threads: bulk's block starts first, ends while the run's goes on."""
    assert bulk.gc_paused is _gc.gc_paused
    before = gc.isenabled()
    gc.enable()
    try:
        bulk_started, run_started, bulk_done = (threading.Event() for _ in range(3))
        seen: list[bool] = []

        def parse_side() -> None:
            with bulk.gc_paused():
                bulk_started.set()
                run_started.wait(5)
            bulk_done.set()

        worker = threading.Thread(target=parse_side)
        worker.start()
        bulk_started.wait(5)
        with collector_paused():
            run_started.set()
            bulk_done.wait(5)
            seen.append(gc.isenabled())  # the bulk block has ended; the run's goes on
        worker.join(5)
        assert seen == [False]
        assert gc.isenabled()  # both ended: back as it was before either
    finally:
        if not before:
            gc.disable()


def test_thresholds_nest_and_a_higher_one_is_kept() -> None:
    """The first of nested blocks sets the threshold (never lowers it); the last restores it."""
    before = gc.get_threshold()
    try:
        gc.set_threshold(50_000, *before[1:])
        with collections_eased(), _gc.young_collections_at_least(20):
            assert gc.get_threshold()[0] == 50_000
        gc.set_threshold(100, *before[1:])
        with collections_eased():
            eased = gc.get_threshold()[0]
            with _gc.young_collections_at_least(1_000_000):  # nested: the first block's wins
                assert gc.get_threshold()[0] == eased
        assert gc.get_threshold() == (100, *before[1:])
    finally:
        gc.set_threshold(*before)


def _fail_paused() -> None:
    with _gc.gc_paused():
        assert not gc.isenabled()
        raise KeyError(0)


def test_the_setting_is_restored_after_an_error() -> None:
    """An error inside the block restores the collector as it was."""
    before = gc.isenabled()
    with pytest.raises(KeyError):
        _fail_paused()
    assert gc.isenabled() == before
