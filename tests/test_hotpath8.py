"""The hot path, eighth pass (issue 15: "cost per event at 1M events within 1.2x of at 50k").

Memos that a large city outgrows are emptied and filled again rather than frozen when full;
the event queue's buckets narrow as a run's reports a day grow, so that a bucket's heap holds
about as many events in a large city as in a small one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ruian_governance import SimulationConfig, generate_hierarchy
from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import parts
from ruian_governance.lifecycles.parts import DataSpec
from ruian_governance.models import Level
from ruian_governance.presets import with_staff
from ruian_governance.sim.queue import SPAN, EventQueue, _span_for
from ruian_governance.sim.state import RunState


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Count the id checks the ids reader makes (each item of a tuple it has not memoised)."""
    asked: list[object] = []
    real = parts._is_id

    def is_id(item: Any) -> bool:
        asked.append(item)
        return real(item)

    monkeypatch.setattr(parts, "_is_id", is_id)
    return asked


def test_a_full_ids_memo_is_emptied_and_remembers_what_comes_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15, 1M city: the ids reader's memo refills when full (it stopped adding at 4,096)."""
    monkeypatch.setattr(parts, "_SEEN_LIMIT", 3)
    asked = _counted(monkeypatch)
    read = DataSpec.ids(2).read
    for n in range(5):  # more distinct tuples than the memo holds
        value = (f"u{n}", "u9")
        assert read(value) is value
    del asked[:]
    last = ("u4", "u9")
    assert read(last) is last  # remembered after the memo was full: no item checked again
    assert asked == []
    assert read(["u4", "u9"]) == last  # a list is read as its tuple, from the memo too
    assert asked == []


@pytest.mark.parametrize(
    "hostile",
    [("ok", "bad id"), ("ok", None), ("ok", ["x"]), (), ("a", "b", "c"), ("a", float("nan"))],
)
def test_the_ids_memo_never_remembers_what_it_refused(
    monkeypatch: pytest.MonkeyPatch, hostile: tuple[Any, ...]
) -> None:
    """Issue 15, 1M city: refused values stay refused however full the memo is."""
    monkeypatch.setattr(parts, "_SEEN_LIMIT", 2)
    read = DataSpec.ids(2).read
    for n in range(5):
        assert read((f"v{n}",)) == (f"v{n}",)
    for _ in range(3):
        assert read(hostile) is None
        assert read(list(hostile)) is None


@pytest.mark.parametrize(
    "hostile", [timedelta(0), timedelta(seconds=-1), 600, "10m", None, float("nan"), True]
)
def test_a_queue_refuses_a_span_that_is_not_a_positive_timedelta(hostile: Any) -> None:
    """Issue 15, 1M city: the queue's new ``span`` argument is checked."""
    with pytest.raises(ArgumentError) as raised:
        EventQueue(hostile)
    assert raised.value.argument == "span"
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("reports", "span"),
    [
        (0, SPAN),
        (-5.0, SPAN),
        (float("nan"), SPAN),
        (1_800, SPAN),
        (7_150, timedelta(seconds=151)),
        (35_700, timedelta(seconds=30)),
        (1e12, timedelta(seconds=1)),
        (float("inf"), timedelta(seconds=1)),
    ],
)
def test_the_span_narrows_with_the_reports_a_day(reports: float, span: timedelta) -> None:
    """Issue 15, 1M city: 10 minutes up to 1,800 reports a day, then in proportion, >= 1 s."""
    assert _span_for(reports) == span


def test_a_run_sizes_its_queue_by_its_grids() -> None:
    """Issue 15, 1M city: a run's queue is as wide as its reports a day make it."""
    h = with_staff(generate_hierarchy(towns=2, villages=4, grids=40, micro_grids=0, seed=0))
    grids = len(h.units_at(Level.GRID))
    small = RunState(SimulationConfig(hierarchy=h, days=2, seed=1), h)
    assert small.queue._span == SPAN
    busy = RunState(
        SimulationConfig(hierarchy=h, days=2, seed=1, reports_per_grid_per_day=3_600 / grids), h
    )
    assert busy.queue._span == timedelta(minutes=5)
