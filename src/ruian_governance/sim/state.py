"""The state one run shares between its mechanisms, and the base of every mechanism.

A :class:`RunState` holds the run's random generator, engine, case store, router, event queue
and cast, and the bookkeeping the mechanisms share (case ids, open cases, routed handlers,
per-case flags, counts).  Every command goes through :meth:`RunState.open_case` or
:meth:`RunState.fire`, so the counts and the set of open cases stay right.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from heapq import heappush
from typing import Any

from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import ArgumentError, ConflictError, RouteError, UnknownIdError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case, Hierarchy, Level
from ruian_governance.routing import Report, Router, SeverityTier

from .cases import RunCases
from .cast import Cast
from .config import SimulationConfig, simulation_lifecycles
from .queue import EventQueue, Handler, P, _span_for

__all__ = ["Mechanism", "RunState"]

_ID_PREFIX = {"event": "E", "dispute": "D", "hazard": "H"}


class RunState:
    """Everything one run's mechanisms share; built once per :func:`~.run.simulate` call.

    Raises:
        ArgumentError: ``config`` is not a :class:`SimulationConfig` (or ``hierarchy`` not a
            hierarchy).
        SimulationConfigError: The hierarchy lacks a post the simulation needs.
        UnknownRoutingKindError: The rules do not fit the hierarchy's platform preset.
    """

    def __init__(self, config: SimulationConfig, hierarchy: Hierarchy) -> None:
        checked: object = config  # typed, but a caller may pass anything
        if not isinstance(checked, SimulationConfig):
            what = "config"
            raise ArgumentError(what, config, "a SimulationConfig")
        self.config = config
        self.hierarchy = hierarchy
        self.rng = random.Random(config.seed)
        self.lifecycles = simulation_lifecycles(config)
        self.engine = Engine(hierarchy, self.lifecycles)
        self.library = SimilarCaseLibrary(hierarchy)
        """Files each case's last version when the run is done with it (:meth:`file`)."""
        self.filing = True
        """Whether :meth:`file` files cases in :attr:`library` (a run may keep none: see
        :func:`~.run.simulate`'s ``library``)."""
        self.store = RunCases(self.engine)
        self._held = self.store._cases  # the run's own store, written by fire
        self._apply = self.engine.apply
        self._open = self.engine.open
        self.router = Router(hierarchy, config.rules)
        grids = len(hierarchy.units_at(Level.GRID))
        # buckets about as full in a large city as in a small one (see _span_for)
        self.queue = queue = EventQueue(_span_for(config.reports_per_grid_per_day * grids))
        self._heap = queue._heap  # later pushes here itself, numbered as push numbers
        self._numbers = queue._numbers
        self._random = self.rng.random
        self.cast = Cast(hierarchy)
        self.commands = 0
        """Commands applied in all (opening records included)."""
        self.reported = 0
        """Events and disputes reported by grid workers."""
        self.open: dict[str, None] = {}
        """Ids of the cases not yet in a final state, in the order they were opened."""
        self.sweepable: dict[str, None] = {}
        """Ids of the open cases other than hazards that an evening sweep may still act on,
        in the order they were opened (the sweep drops those it can do nothing more to)."""
        self.finished: list[str] = []
        """Ids of the cases that reached a final state, in that order (the run may hand them
        out and drop them: see :func:`~.run.simulate`'s ``sink``)."""
        self.handlers: dict[str, tuple[str, ...]] = {}
        """The units the router named for each event and hazard."""
        self.flags: dict[str, set[str]] = {}
        """What has happened to a case once and must not happen again ("returned", ...)."""
        self._counter = dict.fromkeys(_ID_PREFIX, 0)
        self._routes: dict[tuple[str, str, SeverityTier], tuple[str, ...]] = {}
        self._town_key: dict[str, str] = {}  # a grid's town id (itself if in no town)
        self._open_hazards: dict[str, None] = {}  # the hazards of open, in the same order
        self._final = {
            d.key: frozenset(s.key for s in d.states if s.final) for d in self.lifecycles
        }

    def file(self, cases: Iterable[Case]) -> tuple[Case, ...]:
        """File ``cases`` (their last versions) in the similar-case library; return them.

        The library files a dispute from its completion on and keeps the last version it
        observed; a completed dispute never leaves the library's states, so observing each
        case's last version once, when the run drops it or ends, files what observing every
        version would have filed, for a fraction of the work.
        """
        cases = tuple(cases)
        if self.filing:
            observe = self.library.observe
            for case in cases:
                observe(case)
        return cases

    def due(self, now: datetime, *, hazards: bool) -> list[Case]:
        """The open hazards (or the :attr:`sweepable` cases) whose deadline is ``now`` or earlier.

        In the order they were opened: those :meth:`Engine.overdue` may find late (it skips
        a case without a deadline or not due yet, so it is not asked about them).
        """
        held = self._held
        return [
            case
            for case_id in (self._open_hazards if hazards else self.sweepable)
            if (due := (case := held[case_id]).due_at) is not None and due <= now
        ]

    def later(
        self, now: datetime, low: float, high: float, handler: Handler[P], payload: P
    ) -> None:
        """Schedule ``handler`` between ``low`` and ``high`` hours after ``now``."""
        hours = low + (high - low) * self._random()
        # queue.push inline; timedelta(hours=hours), its arguments by position: the same value
        when = now + timedelta(0, 0, 0, 0, 0, hours)
        event = (when, next(self._numbers), handler, payload)
        queue = self.queue
        if when < queue._end and when >= queue._start:  # the current bucket
            heappush(self._heap, event)
        else:
            queue._defer(event)

    def open_case(self, lifecycle: str, **facts: Any) -> str:
        """Open a case with the lifecycle's next id (one command); return its id.

        Ids number each lifecycle's cases from 1: ``E0000001`` events, ``D...`` disputes,
        ``H...`` hazards; the configuration's ``id_prefix`` comes after the letter
        (``E330381.0000001``), which the mechanisms read the lifecycle from.

        Raises:
            ArgumentError: ``lifecycle`` is not one the run numbers (event, dispute, hazard).
            ConflictError: The run holds a case of this id already (as
                :meth:`RunCases.open <.cases.RunCases.open>`).
            RuianGovernanceError: What the engine raises for the opening (nothing changes
                then: the next case still takes this number).
        """
        prefix = _ID_PREFIX.get(lifecycle) if type(lifecycle) is str else None
        if prefix is None:
            what = "lifecycle"
            raise ArgumentError(what, lifecycle, f"one of {', '.join(_ID_PREFIX)}")
        number = self._counter[lifecycle] + 1
        case_id = f"{prefix}{self.config.id_prefix}{number:07d}"
        # what RunCases.open does, without a call more (the run's store tells no index)
        case = self._open(lifecycle, case_id=case_id, **facts)
        held = self._held
        if case_id in held:
            raise ConflictError(case_id, None, held[case_id].version)
        self._counter[lifecycle] = number
        held[case_id] = case
        self.commands += 1
        self.open[case_id] = None
        if lifecycle == "hazard":
            self._open_hazards[case_id] = None
        else:
            self.sweepable[case_id] = None
        return case_id

    def open_report(
        self, lifecycle: str, now: datetime, grid: str, category: str, **facts: Any
    ) -> str:
        """Open a case the grid worker of ``grid`` reports 上报 at ``now``; return its id.

        Raises:
            UnknownIdError: ``grid`` is not a grid of the run's hierarchy with a worker.
            ArgumentError, ConflictError, RuianGovernanceError: As :meth:`open_case`.
        """
        try:
            worker = self.cast.worker[grid]
        except (KeyError, TypeError):  # TypeError: an unhashable id
            raise UnknownIdError(grid, "the grids of the run's hierarchy") from None
        return self.open_case(
            lifecycle,
            trigger="report",
            actor=worker,
            at=now,
            location_id=grid,
            category=category,
            **facts,
        )

    def fire(self, case_id: str, trigger: str, actor: Actor, now: datetime, **data: Any) -> Case:
        """Apply ``trigger`` to a stored case at ``now``; a case reaching a final state closes.

        The run's own path: the case it fires on is the one held, so there is no version to
        compare (the engine checks the command as :meth:`RunCases.apply
        <.cases.RunCases.apply>` has it checked), and the run's store tells no index.

        Raises:
            UnknownIdError: The run does not hold a case of this id.
        """
        held = self._held
        try:
            case = held[case_id]
        except KeyError:
            raise UnknownIdError(case_id, "the cases the run holds") from None
        if data:
            new = self._apply(case, trigger, actor=actor, at=now, **data)
        else:  # without data, a plain call: no dict to unpack and pack again
            new = self._apply(case, trigger, actor=actor, at=now)
        held[case_id] = new
        self.commands += 1
        if new.state in self._final[new.lifecycle]:
            self.open.pop(case_id, None)
            self._open_hazards.pop(case_id, None)
            self.sweepable.pop(case_id, None)
            self.finished.append(case_id)
        return new

    def route(self, grid: str, category: str, tier: SeverityTier) -> tuple[str, ...]:
        """The units the router names for a report, or none if it cannot route it.

        Remembered by (town, category, tier): a route's handlers are the leaves of its
        town's tail, the same for every grid of the town (the router is a pure function).
        """
        place = self._town_key.get(grid)
        if place is None:
            town = self.hierarchy.town_of(grid)
            place = self._town_key[grid] = grid if town is None else town.id
        key = (place, category, tier)
        found = self._routes.get(key)
        if found is None:
            try:
                found = self.router(
                    Report(id="r", grid_id=grid, category=category, severity=tier)
                ).handlers
            except RouteError:
                found = ()
            self._routes[key] = found
        return found


class Mechanism:
    """A part of the run (events, disputes, hazards, supervision) acting on the shared state."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self.config = state.config
        self.hierarchy = state.hierarchy
        self.rng = state.rng
        self.store = state.store
        self.cast = state.cast
        self.fire = state.fire
        self.later = state.later
        self.at = state.queue.push
