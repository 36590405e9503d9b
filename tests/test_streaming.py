"""Bounded memory (issue 15 point 3): a run hands its finished cases over as it goes.

With a sink, a run holds its open cases only: the finished ones are handed over in batches
and dropped; together the batches are exactly the cases the run gives without a sink.
"""

from __future__ import annotations

import pytest

from ruian_governance import SimulationConfig, generate_hierarchy, simulate
from ruian_governance.errors import ConflictError, UnknownIdError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case
from ruian_governance.sim import run as run_module
from ruian_governance.sim.cases import RunCases


@pytest.fixture
def config() -> SimulationConfig:
    """A small city for 60 days."""
    h = generate_hierarchy(towns=2, villages=6, grids=20, micro_grids=0, seed=2)
    return SimulationConfig(hierarchy=h, days=60, seed=7, reports_per_grid_per_day=0.5)


def test_sink_gets_every_case_once(
    config: SimulationConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point 3: the batches together are the run's cases; the result holds none."""
    monkeypatch.setattr(run_module, "SINK_BATCH", 20)
    plain = simulate(config)
    batches: list[tuple[Case, ...]] = []
    streamed = simulate(config, sink=batches.append)
    assert streamed.cases == ()
    assert len(batches) > 3
    every = sorted((c for b in batches for c in b), key=lambda c: c.id)
    assert tuple(every) == plain.cases
    assert streamed.commands == plain.commands
    assert streamed.reported == plain.reported
    final = {d.key: {s.key for s in d.states if s.final} for d in plain.lifecycles}
    for batch in batches[:-1]:  # the last batch is the cases still open at the end
        assert all(c.state in final[c.lifecycle] for c in batch)
        assert list(batch) == sorted(batch, key=lambda c: c.id)


def test_sink_batches_are_deterministic(
    config: SimulationConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point 3: the same configuration hands over the same batches."""
    monkeypatch.setattr(run_module, "SINK_BATCH", 15)
    first: list[tuple[Case, ...]] = []
    second: list[tuple[Case, ...]] = []
    simulate(config, sink=first.append)
    simulate(config, sink=second.append)
    assert first == second


def test_run_holds_open_cases_only(
    config: SimulationConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point 3: at each hand-over the run holds fewer cases than it has opened."""
    monkeypatch.setattr(run_module, "SINK_BATCH", 10)
    held: list[int] = []
    original = RunCases.drop

    def drop(self: RunCases, ids: object) -> tuple[Case, ...]:
        dropped = original(self, ids)  # type: ignore[arg-type]
        held.append(len(self))
        return dropped

    monkeypatch.setattr(RunCases, "drop", drop)
    plain = simulate(config)
    simulate(config, sink=lambda batch: None)
    assert held
    assert max(held) < len(plain.cases) / 2


def test_run_cases_refusals() -> None:
    """Point 3: the run's case holder refuses an unknown id, a stale version, a reopened id.

    A refusal changes nothing.
    """
    h = generate_hierarchy(towns=1, villages=2, grids=4, micro_grids=0, seed=0)
    run = simulate(SimulationConfig(hierarchy=h, days=5, seed=1, reports_per_grid_per_day=2))
    event = next(c for c in run.cases if c.lifecycle == "event" and c.version >= 1)
    opening = event.history[0]
    facts = {k: v for k, v in opening.data if k != "lifecycle"}
    cases = RunCases(Engine(run.hierarchy, run.lifecycles))
    with pytest.raises(UnknownIdError):
        cases.get(event.id)
    assert cases.drop([event.id]) == ()
    with pytest.raises(UnknownIdError):
        cases.apply(event.id, 0, "accept", actor=opening.actor, at=opening.at)
    opened = cases.open(
        "event", trigger=opening.trigger, actor=opening.actor, at=opening.at, **facts
    )
    assert opened.history == event.history[:1]
    with pytest.raises(ConflictError):
        cases.open("event", trigger=opening.trigger, actor=opening.actor, at=opening.at, **facts)
    second = event.history[1]
    with pytest.raises(ConflictError):
        cases.apply(event.id, 5, second.trigger, actor=second.actor, at=second.at)
    assert cases.get(event.id) is opened
    assert list(cases) == [opened]
    assert cases.drop([event.id, "nothing"]) == (opened,)
    assert len(cases) == 0
