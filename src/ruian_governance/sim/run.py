"""A deterministic discrete-event simulation of a city under the 141 system.

The simulation drives the library's public API end to end: grid workers report events 上报
(routed by a :class:`~ruian_governance.Router`), command rooms accept 受理, reject 不予受理 and
dispatch 分流交办, stations and departments sign 签收, return 退回 and handle 处置 within a daily
capacity, grid workers verify 核查 and evaluate 评价 (1-5 stars); overdue cases are supervised
督办 and, when still late, supervised again by the city centre; disputes 矛盾纠纷 are triaged,
mediated up the ladder, escalated one level when overdue, and get a task force 专班 when complex;
the 211 covert-inspection cycle 211平安暗访 discovers hazards 隐患 in the first two weeks of each
28-day cycle and, in the last two, revisits them 整改回访: checks are made and overdue hazards
climb the ladder 挂牌督办 -> 通报 -> 约谈 -> 责任追究.

Time is simulated from the start date through a ``heapq`` event queue; every command is applied
at the simulated time of the event that fires it, so histories are in time order.  Randomness
comes only from a private ``random.Random(seed)``: the same configuration gives the same cases.
The simulation returns data; writing files is the caller's (see :func:`write_cases`).

The run is wired here from its parts: :mod:`.config` (what a run depends on), :mod:`.queue`
(the typed event queue), :mod:`.state` (what the mechanisms share), :mod:`.cast` (who acts),
:mod:`.draws` (the random draws), and one module per mechanism: :mod:`.events` (the event
closed loop), :mod:`.disputes`, :mod:`.hazards` (the 211 cycle and the ladder) and
:mod:`.supervision` (the evening overdue sweep).

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> result = simulate(SimulationConfig(hierarchy=h, days=3, seed=1))
>>> result.reported == sum(1 for c in result.cases if c.lifecycle != "hazard")
True
>>> simulate(SimulationConfig(hierarchy=h, days=3, seed=1)).cases == result.cases
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from heapq import heappop
from typing import TypeAlias

import attrs

from ruian_governance._gc import gc_paused, young_collections_at_least
from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import ArgumentError, SimulationConfigError
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import Case, CyclePhase, Hierarchy, Level
from ruian_governance.presets import ruian_preset, with_staff

from .config import SimulationConfig
from .disputes import Disputes
from .draws import cumulative, office_time, pick, poisson
from .events import EventLoop
from .hazards import Hazards
from .queue import DueReport
from .state import RunState
from .supervision import Supervision

__all__ = [
    "YOUNG_COLLECTION",
    "CaseSink",
    "ProgressCallback",
    "SimulationResult",
    "collections_eased",
    "collector_paused",
    "simulate",
]

ProgressCallback: TypeAlias = Callable[[int, int], None]
"""Called after each simulated day with (days done, days in all)."""

CaseSink: TypeAlias = Callable[[tuple[Case, ...]], None]
"""Takes a batch of finished cases, by id, that the run then drops (see :func:`simulate`)."""

SINK_BATCH = 5_000
"""Finished cases a run gathers before it hands them to its sink (a design choice: large
enough for Parquet row groups, small against a city's cases)."""


YOUNG_COLLECTION = 10_000
"""Allocations between two collections of the youngest generation while a run goes on (a
design choice, measured: ``benchmarks/bench_region.py``; Python's default is 700)."""


@contextmanager
def collections_eased() -> Iterator[None]:
    """Collect the youngest generation every :data:`YOUNG_COLLECTION` allocations meanwhile.

    Runs in several threads nest: the first to start saves the threshold, the last to end
    restores it.  A threshold already higher is kept; whether the collector runs at all
    (``gc.isenabled()``) is not changed.

    >>> import gc
    >>> before = gc.get_threshold()
    >>> with collections_eased():
    ...     gc.get_threshold()[0] >= YOUNG_COLLECTION
    True
    >>> gc.get_threshold() == before
    True
    """
    with young_collections_at_least(YOUNG_COLLECTION):
        yield


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector meanwhile; restore it afterwards.

    A run makes millions of container objects without reference cycles (its cycles are the
    run's own structure, freed when the run ends), and the collections that scan them were
    about a tenth of a region shard's CPU with the collector on, as a Dask worker has it (one
    7,000-grid city of 82,193 events over 30 days: 1.45 to 1.6 s of 14.5 to 15 s; the same
    peak memory, 387 MB, paused or not).  :func:`~.sharded.run_shard` and the command line's
    ``simulate`` run in this block.  Blocks in several threads nest: the first to start saves
    whether the collector was on, the last to end restores it (also after an error).  Nothing
    a run computes depends on it.

    >>> import gc
    >>> before = gc.isenabled()
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled() == before
    True
    """
    with gc_paused():
        yield


@attrs.frozen(kw_only=True)
class SimulationResult:
    """What a run produced.

    Args:
        config: The configuration run.
        hierarchy: The hierarchy run (staffed by
            :func:`~ruian_governance.presets.with_staff`, ids starting ``sim.``).
        lifecycles: The lifecycle definitions run (:func:`simulation_lifecycles`).
        cases: Every case with its full history, sorted by id (none with a sink: the sink
            had them all).
        reported: Events and disputes reported by grid workers.
        commands: Commands applied in all (opening records included).
        library: The similar-case library 类案库 of completed disputes (empty when the run
            was asked to keep none: :func:`simulate`'s ``library``).
    """

    config: SimulationConfig
    hierarchy: Hierarchy = attrs.field(eq=False, repr=False)
    lifecycles: tuple[LifecycleDefinition, ...] = attrs.field(repr=False)
    cases: tuple[Case, ...] = attrs.field(repr=False)
    reported: int
    commands: int
    library: SimilarCaseLibrary = attrs.field(eq=False, repr=False)

    @property
    def end(self) -> datetime:
        """The end of the simulated period."""
        return self.config.start + timedelta(days=self.config.days)


class _Run:
    """One run: the shared state, its mechanisms, and each day's schedule."""

    def __init__(self, config: SimulationConfig, hierarchy: Hierarchy) -> None:
        self.config = config
        self.state = state = RunState(config, hierarchy)
        self.events = EventLoop(state)
        self.disputes = Disputes(state)
        self.hazards = Hazards(state)
        self.supervision = Supervision(state)
        self.grids = tuple(u.id for u in hierarchy.units_at(Level.GRID))
        self.towns = tuple(t.id for t in hierarchy.towns)
        mix = config.category_mix
        self.categories = tuple(k for k, w in mix.items() if w > 0)
        self.category_cum = cumulative([mix[k] for k in self.categories])
        self.hot = self._hotspot_grids(hierarchy)

    def _hotspot_grids(self, h: Hierarchy) -> list[tuple[tuple[str, ...], str, float]]:
        planted = []
        for spot in self.config.hotspots:
            unit = h.unit(spot.unit_id)
            grids = (
                (unit.id,)
                if unit.level is Level.GRID
                else tuple(u.id for u in h.descendants(unit.id) if u.level is Level.GRID)
            )
            planted.append((grids, spot.category, spot.factor))
        return planted

    def hand_over(self, sink: CaseSink, *, least: int) -> None:
        """Hand the finished cases to ``sink`` and drop them, if there are ``least`` or more."""
        state = self.state
        if len(state.finished) < least or not state.finished:
            return
        ids, state.finished = state.finished, []
        by_citizen = self.events.citizens.citizen_cases
        for case_id in ids:
            state.handlers.pop(case_id, None)
            state.flags.pop(case_id, None)
            by_citizen.discard(case_id)  # asked of new cases only
        sink(state.file(state.store.drop(ids)))

    def run(self, progress: ProgressCallback | None, sink: CaseSink | None = None) -> None:
        """Schedule every day and run the queue to the end of the last one."""
        config, queue = self.config, self.state.queue
        end = config.start + timedelta(days=config.days)
        for day in range(config.days):
            queue.push(config.start + timedelta(days=day), self.start_day, day)
        day_ends = [config.start + timedelta(days=d + 1) for d in range(config.days)]
        done, days = 0, len(day_ends)
        next_day = day_ends[0] if days else end
        heap = queue._heap  # queue.until(end) inline: a generator step less per event
        advance = queue.advance
        while (heap or advance()) and heap[0][0] < end:
            when, _, handler, payload = heappop(heap)
            if when >= next_day:  # a day (or more) has ended
                while done < days and when >= day_ends[done]:
                    done += 1
                    if sink is not None:
                        self.hand_over(sink, least=SINK_BATCH)
                    if progress is not None:
                        progress(done, config.days)
                next_day = day_ends[done] if done < days else end
            handler(when, payload)
        if progress is not None and done < config.days:
            progress(config.days, config.days)

    def start_day(self, now: datetime, day: int) -> None:
        """Draw the day's reports, inspections or revisit, and the evening sweep."""
        rng, config, at = self.state.rng, self.config, self.state.queue.push
        expected = config.reports_per_grid_per_day * len(self.grids)
        for _ in range(poisson(rng, expected)):
            grid = self.grids[int(rng.random() * len(self.grids))]
            category = self.categories[pick(rng, self.category_cum)]
            at(office_time(rng, now), self.report, DueReport(grid, category))
        total = sum(config.category_mix.values())
        for grids, category, factor in self.hot:
            share = config.category_mix.get(category, 0.0) / total
            extra = config.reports_per_grid_per_day * share * (factor - 1.0) * len(grids)
            for _ in range(poisson(rng, max(extra, 0.0))):
                grid = grids[int(rng.random() * len(grids))]
                at(office_time(rng, now), self.report, DueReport(grid, category))
        if config.cycle.phase(now) is CyclePhase.INSPECTION:
            for _ in range(poisson(rng, config.hazards_per_town_per_day * len(self.towns))):
                town = self.towns[int(rng.random() * len(self.towns))]
                at(office_time(rng, now), self.hazards.inspect, town)
        else:
            at(now + timedelta(hours=10), self.hazards.revisit, day)
        at(now + timedelta(hours=17, minutes=30), self.supervision.sweep, day)

    def report(self, now: datetime, due: DueReport) -> None:
        """A grid worker reports: a dispute or an event by its category."""
        self.state.reported += 1
        if due.category in self.config.dispute_categories:
            self.disputes.open_dispute(now, due.grid_id, due.category)
        else:
            self.events.open_event(now, due.grid_id, due.category)


def simulate(
    config: SimulationConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    sink: CaseSink | None = None,
    library: bool = True,
) -> SimulationResult:
    """Run the simulation and return every case with its full history.

    Args:
        config: The configuration (default: the Rui'an preset for one 28-day cycle).
        progress: Called after each simulated day with (days done, days in all).
        sink: Takes the cases as the run goes, so that it holds its open cases only: at the
            end of a day, once :data:`SINK_BATCH` cases or more have reached a final state,
            they are handed over (by id) and dropped; at the end, the last finished cases,
            then the cases still open.  Every case is handed over once, with its full
            history, and the result's ``cases`` is empty.  The same configuration hands over
            the same batches.
        library: Whether the run keeps the similar-case library 类案库 of its completed
            disputes (the result's ``library``).  It holds each completed dispute whole, so a
            streamed run that does not need it (a region's shard: its dataset has every case)
            passes ``False`` to hold its open cases only; the result's library is then empty.
            The cases, their order and the draws are the same either way.

    While it runs, the cyclic garbage collector's youngest generation is collected every
    :data:`YOUNG_COLLECTION` allocations rather than Python's 700 (a run makes millions of
    long-lived objects without cycles, and rescanning them cost a fifth of the run); the
    threshold is restored afterwards (:func:`collections_eased`).  Nothing the run computes
    depends on it.

    Raises:
        SimulationConfigError: The configuration does not fit its hierarchy.
        UnknownRoutingKindError: The rules do not fit the hierarchy's platform preset.
        ArgumentError: ``library`` is not ``True`` or ``False``.
    """
    given: object = library
    if not isinstance(given, bool):
        argument = "library"
        raise ArgumentError(argument, library, "True or False")
    config = config or SimulationConfig()
    base = config.hierarchy if config.hierarchy is not None else ruian_preset()
    if config.rules.preset.key != base.preset.key:
        raise SimulationConfigError(
            field="rules",
            problem=f"rules {config.rules.key!r} are for preset {config.rules.preset.key!r}, "
            f"the hierarchy uses {base.preset.key!r}",
        )
    for spot in config.hotspots:
        if spot.unit_id not in base:
            raise SimulationConfigError(field="hotspots", problem=f"unknown unit {spot.unit_id!r}")
    run = _Run(config, with_staff(base, id_prefix=f"{config.id_prefix}sim."))
    state = run.state
    state.filing = library
    with collections_eased():
        run.run(progress, sink)
        if sink is not None:
            run.hand_over(sink, least=1)
            rest = state.file(state.store.drop([c.id for c in state.store]))
            if rest:
                sink(rest)
    return SimulationResult(
        config=config,
        hierarchy=state.hierarchy,
        lifecycles=state.lifecycles,
        cases=state.file(state.store),  # by id (none left with a sink)
        reported=state.reported,
        commands=state.commands,
        library=state.library,
    )
