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

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> result = simulate(SimulationConfig(hierarchy=h, days=3, seed=1))
>>> result.reported == sum(1 for c in result.cases if c.lifecycle != "hazard")
True
>>> simulate(SimulationConfig(hierarchy=h, days=3, seed=1)).cases == result.cases
True
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time, timedelta
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import RouteError, SimulationConfigError
from ruian_governance.lifecycles import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    HAZARD_LADDER,
    Engine,
    LifecycleDefinition,
    hazard_lifecycle,
    hazard_rung,
)
from ruian_governance.models import (
    CHINA_STANDARD_TIME,
    Actor,
    Case,
    Deadline,
    DeadlinePolicy,
    Department,
    Hierarchy,
    Level,
)
from ruian_governance.presets import RULES_2021, ruian_preset, with_staff
from ruian_governance.routing import Report, Router, RoutingRules, SeverityTier
from ruian_governance.stores import MemoryCaseStore

__all__ = [
    "CYCLE_DAYS",
    "DEFAULT_CATEGORY_MIX",
    "INSPECTION_DAYS",
    "PlantedHotspot",
    "ProgressCallback",
    "SimulationConfig",
    "SimulationResult",
    "cycle_day",
    "simulate",
    "simulation_lifecycles",
]

CYCLE_DAYS = 28
"""Length of one 211 covert-inspection cycle 211平安暗访机制, in days."""

INSPECTION_DAYS = 14
"""Days of covert inspection 暗访 at the start of each cycle; the rest is revisit 整改回访."""

DEFAULT_CATEGORY_MIX: Mapping[str, float] = MappingProxyType(
    {
        "neighbour_dispute": 12.0,
        "illegal_building": 8.0,
        "food_safety": 5.0,
        "fire_hazard": 6.0,
        "social_security_query": 9.0,
        "public_order": 10.0,
        "labour_dispute": 5.0,
        "environmental_pollution": 7.0,
        "unlicensed_business": 5.0,
        "work_safety_hazard": 5.0,
        "flood_typhoon": 2.0,
        "road_occupation": 9.0,
        "petition": 4.0,
        "illegal_land_use": 4.0,
        "social_assistance": 9.0,
    }
)
"""Relative weights of report categories (modelling defaults [design], not Rui'an figures)."""

ProgressCallback: TypeAlias = Callable[[int, int], None]
"""Called after each simulated day with (days done, days in all)."""

_TIERS = (SeverityTier.ORDINARY, SeverityTier.LARGER, SeverityTier.MAJOR)
_DISPUTE_TIERS = ("simple", "complex", "difficult")
_MEDIATING = frozenset({"people_mediation", "administrative_mediation", "court_mediation"})
_FIVE_FIXED = {
    "responsibility": "落实责任人",
    "measures": "落实整改措施",
    "deadline": "落实整改时限",
    "funds": "落实整改资金",
    "plan": "落实应急预案",
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _positive_weights(field: str, weights: Mapping[str, float]) -> None:
    if not weights:
        raise SimulationConfigError(field, "needs at least one weight")
    for key, weight in weights.items():
        if not (isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0):
            raise SimulationConfigError(field, f"weight of {key!r} must be a finite number >= 0")
    if sum(weights.values()) <= 0:
        raise SimulationConfigError(field, "weights must not all be zero")


def _probability(field: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise SimulationConfigError(field, f"{value!r} is not a probability in [0, 1]")


@attrs.frozen(kw_only=True)
class PlantedHotspot:
    """A planted hotspot: reports of ``category`` in ``unit_id`` come ``factor`` times as often.

    Used to test that the analysis (:func:`~ruian_governance.hotspots`) finds what was planted.

    Args:
        unit_id: A grid or village (every grid under a village is raised).
        category: The category raised.
        factor: The multiplier of that category's rate there (> 1 plants a hotspot).
    """

    unit_id: str
    category: str
    factor: float


def _planted(value: Iterable[PlantedHotspot]) -> tuple[PlantedHotspot, ...]:
    return tuple(value)


def _keys(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _key_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _capacities(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


def _mapping(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class SimulationConfig:
    """Everything a simulation run depends on; the same config gives the same run.

    Args:
        hierarchy: The city (default ``None``: the Rui'an preset, :func:`ruian_preset`).
        rules: Routing rules matching the hierarchy's platform preset (default ``RULES_2021``).
        category_mix: Relative weight of each report category (keys of ``rules``).
        dispute_categories: Categories reported as disputes 矛盾纠纷 rather than events.
        hazard_categories: Categories of hazards found in covert inspections.
        reports_per_grid_per_day: Mean reports per grid per day (events and disputes).
        severity_mix: Weights of the event tiers ordinary / larger / major.
        dispute_tier_mix: Weights of the dispute tiers simple / complex / difficult.
        station_capacity: Cases a station starts handling per day (职能站所处置能力).
        department_capacity: Cases a city department starts handling per day.
        capacities: Overrides of the daily capacity by station or department id, or by
            station or department kind (an id wins over its kind), e.g.
            ``{"police_station": 12}``.
        hazards_per_town_per_day: Mean hazards found per town per covert-inspection day.
        hazard_deadline_days: Days a covert-inspection hazard has to be rectified (calendar
            days; the library default of 60 is the whole closed loop, the simulation uses the
            revisit fortnight so that overdue hazards show within a cycle).
        on_the_spot: Share of ordinary events the grid worker solves on the spot 就地解决.
        reject: Share of events the command room rejects 不予受理.
        return_: Share of dispatches a station returns 退回 as not its duty.
        fail_verification: Share of feedbacks that fail the on-site check 核查不通过.
        agreement: Chance that one rung of mediation reaches an agreement 调解协议.
        confirmation: Share of agreements taken to judicial confirmation 司法确认.
        hotspots: Planted hotspots (none by default).
        seed: Seed of the private random generator.
        start: Start of the simulation (timezone-aware; within the working-day calendar).
        days: Number of simulated days (default 28, one 211 cycle).

    Raises:
        SimulationConfigError: A rate, weight, probability, size or date is out of range.
    """

    hierarchy: Hierarchy | None = attrs.field(default=None, repr=False)
    rules: RoutingRules = RULES_2021
    category_mix: Mapping[str, float] = attrs.field(
        default=DEFAULT_CATEGORY_MIX, converter=_mapping, hash=False
    )
    dispute_categories: frozenset[str] = attrs.field(
        default=frozenset({"neighbour_dispute", "labour_dispute"}), converter=_key_set
    )
    hazard_categories: tuple[str, ...] = attrs.field(
        default=("fire_hazard", "work_safety_hazard"), converter=_keys
    )
    reports_per_grid_per_day: float = 0.25
    severity_mix: Mapping[str, float] = attrs.field(
        default=MappingProxyType({"ordinary": 85.0, "larger": 10.0, "major": 5.0}),
        converter=_mapping,
        hash=False,
    )
    dispute_tier_mix: Mapping[str, float] = attrs.field(
        default=MappingProxyType({"simple": 60.0, "complex": 30.0, "difficult": 10.0}),
        converter=_mapping,
        hash=False,
    )
    station_capacity: int = 8
    department_capacity: int = 40
    capacities: Mapping[str, int] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_capacities, hash=False
    )
    hazards_per_town_per_day: float = 0.5
    hazard_deadline_days: int = 14
    on_the_spot: float = 0.15
    reject: float = 0.03
    return_: float = 0.05
    fail_verification: float = 0.05
    agreement: float = 0.7
    confirmation: float = 0.3
    hotspots: tuple[PlantedHotspot, ...] = attrs.field(default=(), converter=_planted)
    seed: int = 0
    start: datetime = datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME)
    days: int = CYCLE_DAYS

    def __attrs_post_init__(self) -> None:
        if self.days < 1:
            raise SimulationConfigError(field="days", problem=f"{self.days} must be at least 1")
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise SimulationConfigError(field="start", problem="must be timezone-aware")
        for field in ("reports_per_grid_per_day", "hazards_per_town_per_day"):
            value = getattr(self, field)
            if not (math.isfinite(value) and value >= 0):
                raise SimulationConfigError(field, f"{value!r} must be a finite number >= 0")
        for field in ("station_capacity", "department_capacity", "hazard_deadline_days"):
            if getattr(self, field) < 1:
                raise SimulationConfigError(field, f"{getattr(self, field)} must be at least 1")
        for key, capacity in self.capacities.items():
            if not isinstance(capacity, int) or capacity < 1:
                raise SimulationConfigError(
                    field="capacities", problem=f"{key!r}: {capacity!r} is not >= 1"
                )
        for field in (
            "on_the_spot",
            "reject",
            "return_",
            "fail_verification",
            "agreement",
            "confirmation",
        ):
            _probability(field, getattr(self, field))
        _positive_weights("category_mix", self.category_mix)
        known = set(self.rules.keys)
        unknown = sorted(set(self.category_mix) - known)
        if unknown:
            raise SimulationConfigError(
                field="category_mix", problem=f"unknown categories {unknown}"
            )
        unknown = sorted(set(self.hazard_categories) - known)
        if unknown or not self.hazard_categories:
            raise SimulationConfigError(
                field="hazard_categories", problem=f"unknown categories {unknown}"
            )
        self._check_mixes(known)

    def _check_mixes(self, known: set[str]) -> None:
        _positive_weights("severity_mix", self.severity_mix)
        bad = sorted(set(self.severity_mix) - {t.value for t in _TIERS})
        if bad:
            raise SimulationConfigError(field="severity_mix", problem=f"unknown tiers {bad}")
        _positive_weights("dispute_tier_mix", self.dispute_tier_mix)
        bad = sorted(set(self.dispute_tier_mix) - set(_DISPUTE_TIERS))
        if bad:
            raise SimulationConfigError(field="dispute_tier_mix", problem=f"unknown tiers {bad}")
        for spot in self.hotspots:
            if spot.category not in known or not spot.factor >= 0:
                raise SimulationConfigError(field="hotspots", problem=f"bad hotspot {spot!r}")


def cycle_day(config: SimulationConfig, at: datetime) -> int:
    """Return the day of the 211 cycle (0-27) that ``at`` falls on; days < 14 are inspection.

    >>> from datetime import timedelta
    >>> config = SimulationConfig(hierarchy=None)
    >>> cycle_day(config, config.start + timedelta(days=30, hours=9))
    2
    """
    start = config.start.astimezone(CHINA_STANDARD_TIME).date()
    return (at.astimezone(CHINA_STANDARD_TIME).date() - start).days % CYCLE_DAYS


def simulation_lifecycles(config: SimulationConfig) -> tuple[LifecycleDefinition, ...]:
    """Return the lifecycles a run uses: events, disputes, and hazards with the run's deadline."""
    deadline = Deadline(days=config.hazard_deadline_days)
    hazards = hazard_lifecycle(
        deadlines=DeadlinePolicy(by_severity={"general": deadline, "major": deadline})
    )
    return (EVENT_LIFECYCLE, DISPUTE_LIFECYCLE, hazards)


@attrs.frozen(kw_only=True)
class SimulationResult:
    """What a run produced.

    Args:
        config: The configuration run.
        hierarchy: The hierarchy run (staffed by
            :func:`~ruian_governance.presets.with_staff`, ids starting ``sim.``).
        lifecycles: The lifecycle definitions run (:func:`simulation_lifecycles`).
        cases: Every case with its full history, sorted by id.
        reported: Events and disputes reported by grid workers.
        commands: Commands applied in all (opening records included).
        library: The similar-case library 类案库 of completed disputes.
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
    """One run: the event queue, the case store and the actors."""

    def __init__(self, config: SimulationConfig, hierarchy: Hierarchy) -> None:
        self.config = config
        self.h = hierarchy
        self.rng = random.Random(config.seed)
        self.lifecycles = simulation_lifecycles(config)
        self.engine = Engine(hierarchy, self.lifecycles)
        self.library = SimilarCaseLibrary(hierarchy)
        self.store = MemoryCaseStore(self.engine, indexes=(self.library,))
        self.router = Router(hierarchy, config.rules)
        self.queue: list[tuple[datetime, int, Callable[[datetime, str], None], str]] = []
        self.seq = 0
        self.commands = 0
        self.reported = 0
        self.counter = {"E": 0, "D": 0, "H": 0}
        self.open: dict[str, None] = {}
        self.handlers: dict[str, tuple[str, ...]] = {}
        self.load: dict[tuple[str, object], int] = {}
        self.flags: dict[str, set[str]] = {}
        self._actors(hierarchy)
        self.grids = tuple(u.id for u in hierarchy.units_at(Level.GRID))
        self.towns = tuple(t.id for t in hierarchy.towns)
        self.town_grids = {t: self.router.grids_of(t) for t in self.towns}
        mix = config.category_mix
        self.categories = tuple(k for k, w in mix.items() if w > 0)
        self.category_cum = _cumulative([mix[k] for k in self.categories])
        self.tiers = tuple(t for t in _TIERS if config.severity_mix.get(t.value, 0) > 0)
        self.tier_cum = _cumulative([config.severity_mix[t.value] for t in self.tiers])
        dtm = config.dispute_tier_mix
        self.dispute_tiers = tuple(k for k in _DISPUTE_TIERS if dtm.get(k, 0) > 0)
        self.dispute_tier_cum = _cumulative([dtm[k] for k in self.dispute_tiers])
        self.hot = self._hotspot_grids()

    # ------------------------------------------------------------------ set-up

    def _actors(self, h: Hierarchy) -> None:
        def first(unit_id: str, role: str) -> Actor | None:
            people = h.people_of(unit_id, role=role)
            if not people:
                return None
            return Actor(person_id=people[0].id, role=role, unit_id=unit_id)

        def need(unit_id: str, role: str) -> Actor:
            actor = first(unit_id, role)
            if actor is None:
                raise SimulationConfigError(
                    field="hierarchy", problem=f"nobody is {role} in {unit_id!r}"
                )
            return actor

        self.worker = {g.id: need(g.id, "grid_worker") for g in h.units_at(Level.GRID)}
        self.cadre = {v.id: need(v.id, "village_cadre") for v in h.units_at(Level.VILLAGE)}
        self.operator = {
            t.id: need(h.command_room_of(t.id).id, "command_room_operator") for t in h.towns
        }
        self.officer = {s.id: need(s.id, "station_officer") for s in h.stations}
        self.officer.update({d.id: need(d.id, "department_officer") for d in h.departments})
        self.centre = need(h.centre.id, "centre_officer")
        commander = next(
            p for p in h.people for post in p.posts if post.role == "task_force_commander"
        )
        self.commander = Actor.of(h, commander.id, "task_force_commander")
        panel = [p for p in h.people if any(q.role == "supervision_panel_member" for q in p.posts)]
        self.panel = Actor.of(h, panel[0].id, "supervision_panel_member") if panel else None
        courts = h.departments_of_kind("court")
        self.court = self.officer[courts[0].id] if courts else None
        self.city = h.city.id
        self.departments = frozenset(d.id for d in h.departments if isinstance(d, Department))
        self.kind_of = {s.id: s.station_kind for s in h.stations}
        self.kind_of.update({d.id: d.department_kind for d in h.departments})
        self.capacity: dict[str, int] = {}

    def _hotspot_grids(self) -> list[tuple[tuple[str, ...], str, float]]:
        planted = []
        for spot in self.config.hotspots:
            unit = self.h.unit(spot.unit_id)
            grids = (
                (unit.id,)
                if unit.level is Level.GRID
                else tuple(u.id for u in self.h.descendants(unit.id) if u.level is Level.GRID)
            )
            planted.append((grids, spot.category, spot.factor))
        return planted

    # ------------------------------------------------------------------ the queue

    def at(self, when: datetime, handler: Callable[[datetime, str], None], case_id: str) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (when, self.seq, handler, case_id))

    def later(
        self,
        now: datetime,
        low: float,
        high: float,
        handler: Callable[[datetime, str], None],
        case_id: str,
    ) -> None:
        """Schedule ``handler`` between ``low`` and ``high`` hours after ``now``."""
        hours = low + (high - low) * self.rng.random()
        self.at(now + timedelta(hours=hours), handler, case_id)

    def fire(self, case_id: str, trigger: str, actor: Actor, now: datetime, **data: Any) -> Case:
        case = self.store.get(case_id)
        new = self.store.apply(case_id, case.version, trigger, actor=actor, at=now, **data)
        self.commands += 1
        if self.engine.lifecycle(new.lifecycle).state(new.state).final:
            self.open.pop(case_id, None)
        return new

    def new_id(self, prefix: str) -> str:
        self.counter[prefix] += 1
        return f"{prefix}{self.counter[prefix]:07d}"

    def run(self, progress: ProgressCallback | None) -> None:
        config = self.config
        end = config.start + timedelta(days=config.days)
        for day in range(config.days):
            self.at(config.start + timedelta(days=day), self.start_day, str(day))
        day_ends = [config.start + timedelta(days=d + 1) for d in range(config.days)]
        done = 0
        queue = self.queue
        while queue and queue[0][0] < end:
            when, _, handler, case_id = heapq.heappop(queue)
            while done < len(day_ends) and when >= day_ends[done]:
                done += 1
                if progress is not None:
                    progress(done, config.days)
            handler(when, case_id)
        if progress is not None and done < config.days:
            progress(config.days, config.days)

    # ------------------------------------------------------------------ days

    def start_day(self, now: datetime, day: str) -> None:
        rng = self.rng
        config = self.config
        day_start = now
        expected = config.reports_per_grid_per_day * len(self.grids)
        for _ in range(_count(rng, expected)):
            grid = self.grids[int(rng.random() * len(self.grids))]
            category = self.categories[_pick(rng, self.category_cum)]
            self.at(_office_time(rng, day_start), self.report, f"{grid}|{category}")
        total = sum(config.category_mix.values())
        for grids, category, factor in self.hot:
            share = config.category_mix.get(category, 0.0) / total
            extra = config.reports_per_grid_per_day * share * (factor - 1.0) * len(grids)
            for _ in range(_count(rng, max(extra, 0.0))):
                grid = grids[int(rng.random() * len(grids))]
                self.at(_office_time(rng, day_start), self.report, f"{grid}|{category}")
        phase = cycle_day(config, now)
        if phase < INSPECTION_DAYS:
            for _ in range(_count(rng, config.hazards_per_town_per_day * len(self.towns))):
                town = self.towns[int(rng.random() * len(self.towns))]
                self.at(_office_time(rng, day_start), self.inspect, town)
        else:
            self.at(day_start + timedelta(hours=10), self.revisit, day)
        self.at(day_start + timedelta(hours=17, minutes=30), self.supervise, day)

    def report(self, now: datetime, what: str) -> None:
        grid, category = what.split("|")
        self.reported += 1
        if category in self.config.dispute_categories:
            self.open_dispute(now, grid, category)
        else:
            self.open_event(now, grid, category)

    # ------------------------------------------------------------------ events 事件闭环

    def route(self, grid: str, category: str, tier: SeverityTier) -> tuple[str, ...]:
        try:
            return self.router(
                Report(id="r", grid_id=grid, category=category, severity=tier)
            ).handlers
        except RouteError:
            return ()

    def open_event(self, now: datetime, grid: str, category: str) -> None:
        rng = self.rng
        tier = self.tiers[_pick(rng, self.tier_cum)]
        handlers = self.route(grid, category, tier)
        if tier is SeverityTier.MAJOR and not handlers:  # no department: the town handles it
            tier = SeverityTier.LARGER
            handlers = self.route(grid, category, tier)
        case_id = self.new_id("E")
        self.store.open(
            "event",
            case_id=case_id,
            trigger="report",
            actor=self.worker[grid],
            at=now,
            location_id=grid,
            category=category,
            severity=tier.value,
        )
        self.commands += 1
        self.open[case_id] = None
        self.handlers[case_id] = handlers
        if tier is SeverityTier.ORDINARY and rng.random() < self.config.on_the_spot:
            midnight = datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo)
            when = min(now + timedelta(hours=0.5 + 2.5 * rng.random()), midnight)
            self.at(when - timedelta(minutes=1), self.solve_on_spot, case_id)
        else:
            self.later(now, 0.2, 3, self.triage_event, case_id)

    def holder_actor(self, case: Case) -> Actor:
        """The triage actor of the unit holding a case: the command room, or the centre."""
        if case.unit_id == self.city:
            return self.centre
        return self.operator[case.unit_id]

    def solve_on_spot(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        self.fire(
            case_id, "solve_on_spot", self.worker[case.location_id], now, result="现场劝导解决"
        )
        self.later(now, 1, 24, self.evaluate_event, case_id)

    def triage_event(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        actor = self.holder_actor(case)
        if not self.handlers[case_id] or self.rng.random() < self.config.reject:
            self.fire(case_id, "reject", actor, now, reason="不属于受理范围")
            return
        self.fire(case_id, "accept", actor, now)
        self.later(now, 0.2, 2, self.dispatch_event, case_id)

    def dispatch_event(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        units = self.handlers[case_id]
        if case.severity == "major" and case.unit_id != self.city:
            self.fire(
                case_id, "escalate", self.holder_actor(case), now, reason="重大事件，提级处置"
            )
            self.later(now, 0.5, 4, self.dispatch_event, case_id)
            return
        self.fire(case_id, "dispatch", self.holder_actor(case), now, units=units)
        self.later(now, 0.5, 6, self.sign_event, case_id)

    def capacity_of(self, unit_id: str) -> int:
        found = self.capacity.get(unit_id)
        if found is None:
            config = self.config
            kind = self.kind_of.get(unit_id, "")
            default = (
                config.department_capacity
                if unit_id in self.departments
                else config.station_capacity
            )
            found = config.capacities.get(unit_id, config.capacities.get(kind, default))
            self.capacity[unit_id] = found
        return found

    def slot(self, units: tuple[str, ...], now: datetime) -> datetime:
        """The first time from ``now`` on a day every unit still has capacity for (08:30 on)."""
        day = now.date()
        load = self.load
        while any(load.get((u, day), 0) >= self.capacity_of(u) for u in units):
            day += timedelta(days=1)
        for unit in units:
            load[unit, day] = load.get((unit, day), 0) + 1
        if day == now.date():
            return now
        opening = datetime.combine(day, time(8, 30), now.tzinfo)
        return opening + timedelta(minutes=int(self.rng.random() * 480))

    def sign_event(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        lead = case.assignees[0]
        flags = self.flags.setdefault(case_id, set())
        if "returned" not in flags and self.rng.random() < self.config.return_:
            flags.add("returned")
            self.fire(case_id, "return", self.officer[lead], now, reason="非本单位职责")
            self.handlers[case_id] = self.alternative(case, lead)
            self.later(now, 0.5, 4, self.dispatch_event, case_id)
            return
        self.fire(case_id, "sign", self.officer[lead], now)
        self.at(self.slot(case.assignees, now), self.start_event, case_id)

    def alternative(self, case: Case, returned: str) -> tuple[str, ...]:
        """Where a returned case goes next: another station of the category, else the same."""
        units = self.handlers[case.id]
        if len(units) != 1 or case.unit_id == self.city:
            return units
        kinds = self.config.rules.category(case.category).station_kinds
        for kind in kinds:
            for station in self.h.stations_of(case.unit_id, station_kind=kind):
                if station.id != returned:
                    return (station.id,)
        return units

    def start_event(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        self.fire(case_id, "start", self.officer[case.assignees[0]], now)
        hours = {"ordinary": (2, 60), "larger": (24, 120), "major": (48, 160)}[
            case.severity or "ordinary"
        ]
        self.later(now, *hours, self.feed_back, case_id)

    def feed_back(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        self.fire(case_id, "feed_back", self.officer[case.assignees[0]], now, result="已处置")
        self.later(now, 1, 24, self.verify_event, case_id)

    def verify_event(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        worker = self.worker[case.location_id]
        flags = self.flags.setdefault(case_id, set())
        if "failed" not in flags and self.rng.random() < self.config.fail_verification:
            flags.add("failed")
            self.fire(case_id, "fail_verification", worker, now, reason="现场核查未整改到位")
            self.later(now, 12, 48, self.feed_back, case_id)
            return
        self.fire(case_id, "verify", worker, now)
        self.later(now, 0.5, 4, self.close_event, case_id)

    def close_event(self, now: datetime, case_id: str) -> None:
        self.fire(case_id, "close", self.holder_actor(self.store.get(case_id)), now)
        self.later(now, 1, 48, self.evaluate_event, case_id)

    def stars(self, case: Case, closed_at: datetime) -> int:
        on_time = case.due_at is None or closed_at < case.due_at
        weights = (1, 1, 2, 6, 14) if on_time else (2, 4, 5, 5, 4)
        return 1 + _pick(self.rng, _cumulative(weights))

    def evaluate_event(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        stars = self.stars(case, case.last.at)
        self.fire(case_id, "evaluate", self.worker[case.location_id], now, stars=stars)

    # ------------------------------------------------------------------ disputes 矛盾纠纷

    def open_dispute(self, now: datetime, grid: str, category: str) -> None:
        rng = self.rng
        case_id = self.new_id("D")
        parties = tuple(rng.choice(_SURNAMES) + rng.choice(_GIVEN) for _ in range(2))
        label = self.config.rules.category(category).label.zh
        village = self.h.unit(grid).parent_id or ""
        self.store.open(
            "dispute",
            case_id=case_id,
            trigger="report",
            actor=self.worker[grid],
            at=now,
            location_id=grid,
            category=category,
            parties=parties,
            description=f"{self.h.unit(village).name}{label}：{parties[0]}与{parties[1]}",
        )
        self.commands += 1
        self.open[case_id] = None
        self.later(now, 1, 6, self.triage_dispute, case_id)

    def mediator(self, case: Case) -> Actor:
        unit = self.h.unit(case.unit_id)
        if unit.level is Level.VILLAGE:
            return self.cadre[unit.id]
        return self.holder_actor(case)

    def triage_dispute(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        actor = self.holder_actor(case)
        if self.rng.random() < self.config.reject:
            self.fire(case_id, "dismiss", actor, now, reason="不属于矛盾纠纷")
            return
        tier = self.dispute_tiers[_pick(self.rng, self.dispute_tier_cum)]
        self.fire(case_id, "triage", actor, now, tier=tier)
        self.later(now, 0.5, 8, self.start_mediation, case_id)

    def start_mediation(self, now: datetime, case_id: str) -> None:
        case = self.fire(case_id, "start_mediation", self.mediator(self.store.get(case_id)), now)
        if case.severity in {"complex", "difficult"} and self.task_force_departments(case):
            self.later(now, 1, 8, self.form_task_force, case_id)
        else:
            self.schedule_outcome(now, case)

    def task_force_departments(self, case: Case) -> tuple[str, ...]:
        kinds = self.config.rules.category(case.category).department_kinds
        return tuple(d.id for k in kinds for d in self.h.departments_of_kind(k))

    def form_task_force(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        departments = self.task_force_departments(case)
        self.fire(
            case_id,
            "form_task_force",
            self.holder_actor(case),
            now,
            commander=self.commander.person_id,
            departments=departments,
        )
        self.fire(case_id, "draft_strategy", self.commander, now, strategy="分类施策、一案一策")
        self.fire(
            case_id,
            "record_progress",
            self.officer[departments[0]],
            now,
            note="线上会商，收集各方诉求",
            claims=self.store.get(case_id).parties,
        )
        self.schedule_outcome(now, self.store.get(case_id))

    def schedule_outcome(self, now: datetime, case: Case) -> None:
        hours = {"simple": (2, 30), "complex": (24, 140), "difficult": (72, 360)}
        self.later(now, *hours.get(case.severity or "simple", (2, 30)), self.mediate, case.id)

    def mediate(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        actor = self.mediator(case)
        if self.rng.random() < self.config.agreement:
            self.fire(case_id, "reach_agreement", actor, now, terms="双方达成调解协议")
            if self.court is not None and self.rng.random() < self.config.confirmation:
                self.later(now, 2, 72, self.apply_confirmation, case_id)
            else:
                self.later(now, 1, 24, self.complete_dispute, case_id)
        elif case.state == "court_mediation":
            self.fire(case_id, "refer_litigation", actor, now, reason="调解不成，引导诉讼")
            self.later(now, 48, 240, self.complete_dispute, case_id)
        else:
            self.fire(case_id, "next_mediation", actor, now, reason="调解未果")
            self.schedule_outcome(now, case)

    def apply_confirmation(self, now: datetime, case_id: str) -> None:
        self.fire(case_id, "apply_confirmation", self.mediator(self.store.get(case_id)), now)
        self.later(now, 24, 120, self.confirm, case_id)

    def confirm(self, now: datetime, case_id: str) -> None:
        if self.court is None:  # pragma: no cover - apply_confirmation needs a court
            return
        self.fire(case_id, "confirm", self.court, now, ruling="确认调解协议有效")
        self.later(now, 12, 48, self.review, case_id)

    def complete_dispute(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        outcome = "判决结案" if case.state == "litigation" else "调解结案"
        self.fire(case_id, "complete", self.mediator(case), now, outcome=outcome)
        self.later(now, 12, 48, self.review, case_id)

    def review(self, now: datetime, case_id: str) -> None:
        self.fire(case_id, "review", self.centre, now, note="监管复核")
        self.later(now, 12, 48, self.analyse, case_id)

    def analyse(self, now: datetime, case_id: str) -> None:
        self.fire(case_id, "analyse", self.centre, now, finding="纳入类案研判")
        self.later(now, 12, 48, self.evaluate_dispute, case_id)

    def evaluate_dispute(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        done = case.records("complete") or case.records("confirm")
        stars = self.stars(case, done[-1].at if done else now)
        self.fire(case_id, "evaluate", self.worker[case.location_id], now, stars=stars)

    # ------------------------------------------------------------------ supervision 督办

    def supervise(self, now: datetime, _day: str) -> None:
        ids = [i for i in self.open if not i.startswith("H")]
        late = self.engine.overdue([self.store.get(i) for i in ids], now)
        for case in late:
            flags = self.flags.setdefault(case.id, set())
            if case.lifecycle == "dispute":
                self.supervise_dispute(now, case, flags)
                continue
            if "supervised" not in flags:
                flags.add("supervised")
                self.fire(case.id, "supervise", self.holder_actor(case), now, note="超期督办")
            elif (
                "city_supervised" not in flags
                and case.unit_id != self.city
                and case.due_at is not None
                and now - case.due_at >= timedelta(days=3)
            ):
                flags.add("city_supervised")
                self.fire(case.id, "supervise", self.centre, now, note="市级提级督办")

    def supervise_dispute(self, now: datetime, case: Case, flags: set[str]) -> None:
        movable = case.state == "transferred" or case.state in _MEDIATING
        if movable and "escalated" not in flags and case.unit_id != self.city:
            flags.add("escalated")
            reason = "超期未化解，逐级上移"
            self.fire(case.id, "escalate", self.mediator(case), now, reason=reason)
        elif "supervised" not in flags:
            flags.add("supervised")
            self.fire(case.id, "supervise", self.centre, now, note="超期督办")

    # ------------------------------------------------------------------ hazards 隐患整改

    def inspect(self, now: datetime, town: str) -> None:
        rng = self.rng
        grids = self.town_grids[town]
        grid = grids[int(rng.random() * len(grids))]
        category = self.config.hazard_categories[
            int(rng.random() * len(self.config.hazard_categories))
        ]
        use_panel = self.panel is not None and rng.random() < 0.5
        actor = self.panel if use_panel and self.panel is not None else self.centre
        case_id = self.new_id("H")
        self.store.open(
            "hazard",
            case_id=case_id,
            trigger="find_in_covert_inspection",
            actor=actor,
            at=now,
            location_id=grid,
            category=category,
            severity="major" if rng.random() < 0.2 else "general",
            description=f"暗访发现{self.config.rules.category(category).label.zh}",
        )
        self.commands += 1
        self.open[case_id] = None
        self.handlers[case_id] = self.route(grid, category, SeverityTier.ORDINARY)
        if self.handlers[case_id]:
            self.later(now, 2, 24, self.assign_hazard, case_id)

    def assign_hazard(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        self.fire(
            case_id,
            "assign",
            self.holder_actor(case),
            now,
            units=self.handlers[case_id],
            notice="整改交办单",
        )
        self.later(now, 4, 48, self.start_rectification, case_id)

    def start_rectification(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        self.fire(
            case_id, "start_rectification", self.officer[case.assignees[0]], now, **_FIVE_FIXED
        )
        self.later(now, 48, 600, self.submit_hazard, case_id)

    def submit_hazard(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        self.fire(
            case_id, "submit_for_check", self.officer[case.assignees[0]], now, result="已整改"
        )
        when = now + timedelta(hours=4)
        day = cycle_day(self.config, when)
        if day < INSPECTION_DAYS:  # checks are made in the revisit fortnight 整改回访
            midnight = datetime.combine(when.date(), time(), when.tzinfo)
            when = midnight + timedelta(days=INSPECTION_DAYS - day, hours=9)
        self.at(when + timedelta(minutes=int(self.rng.random() * 480)), self.check_hazard, case_id)

    def check_hazard(self, now: datetime, case_id: str) -> None:
        case = self.store.get(case_id)
        actor = self.holder_actor(case)
        if self.rng.random() < 0.15:
            self.fire(case_id, "fail_check", actor, now, reason="整改不到位")
            self.later(now, 48, 120, self.submit_hazard, case_id)
        else:
            self.fire(case_id, "pass_check", actor, now, note="验收通过，销号")

    def revisit(self, now: datetime, _day: str) -> None:
        """The revisit fortnight: overdue hazards climb one rung, at most every other day."""
        ids = [i for i in self.open if i.startswith("H")]
        for case in self.engine.overdue([self.store.get(i) for i in ids], now):
            if case.state not in {"assigned", "rectifying"}:
                continue
            rung = hazard_rung(case)
            if rung >= len(HAZARD_LADDER):
                continue
            if rung and now - case.last.at < timedelta(days=2):
                continue
            self.fire(case.id, HAZARD_LADDER[rung], self.centre, now, note="整改回访：超期")


def _cumulative(weights: Iterable[float]) -> tuple[float, ...]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


def _pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    x = rng.random() * cumulative[-1]
    for i, bound in enumerate(cumulative):
        if x < bound:
            return i
    return len(cumulative) - 1


def _count(rng: random.Random, expected: float) -> int:
    """A Poisson-distributed count with mean ``expected`` (normal approximation above 50)."""
    if expected <= 0:
        return 0
    if expected > 50:
        return max(0, round(rng.gauss(expected, math.sqrt(expected))))
    limit = math.exp(-expected)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _office_time(rng: random.Random, day_start: datetime) -> datetime:
    """A time between 08:00 and 20:00 of the day, to the second."""
    return day_start + timedelta(seconds=8 * 3600 + int(rng.random() * 12 * 3600))


def simulate(
    config: SimulationConfig | None = None, *, progress: ProgressCallback | None = None
) -> SimulationResult:
    """Run the simulation and return every case with its full history.

    Args:
        config: The configuration (default: the Rui'an preset for one 28-day cycle).
        progress: Called after each simulated day with (days done, days in all).

    Raises:
        SimulationConfigError: The configuration does not fit its hierarchy.
        UnknownRoutingKindError: The rules do not fit the hierarchy's platform preset.
    """
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
    run = _Run(config, with_staff(base, id_prefix="sim."))
    run.run(progress)
    cases = tuple(run.store)  # by id
    return SimulationResult(
        config=config,
        hierarchy=run.h,
        lifecycles=run.lifecycles,
        cases=cases,
        reported=run.reported,
        commands=run.commands,
        library=run.library,
    )
