"""What a simulation run depends on: its configuration, planted hotspots and the 211 cycle.

>>> config = SimulationConfig(days=3, seed=1)
>>> config.days, config.hierarchy is None, CYCLE_DAYS, INSPECTION_DAYS
(3, True, 28, 14)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from ruian_governance._convert import (
    id_frozenset,
    id_tuple,
    identifiers,
    instance_of,
    items_of,
    model_tuple,
    require_aware,
)
from ruian_governance.errors import ArgumentError, SimulationConfigError
from ruian_governance.io import from_document, to_document
from ruian_governance.labels import check_identifier
from ruian_governance.lifecycles import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    REWORK_LIMIT,
    LifecycleDefinition,
    event_lifecycle,
    hazard_deadlines,
    hazard_lifecycle,
)
from ruian_governance.models import (
    CHINA_STANDARD_TIME,
    CYCLE_211,
    Hierarchy,
    InspectionCycle,
)
from ruian_governance.presets import RULES_2016, RULES_2021
from ruian_governance.routing import RoutingRules, SeverityTier

from .intake import IntakeRates

__all__ = [
    "CYCLE_DAYS",
    "DEFAULT_CATEGORY_MIX",
    "DISPUTE_TIERS",
    "EVENT_PATHS",
    "EVENT_TIERS",
    "INSPECTION_DAYS",
    "MAX_CAPACITY",
    "MAX_DAYS",
    "MAX_FACTOR",
    "MAX_RATE",
    "PlantedHotspot",
    "SimulationConfig",
    "cycle_day",
    "simulation_lifecycles",
]

EVENT_PATHS: Mapping[str, float] = MappingProxyType(
    {
        "joint_meeting": 0.3,
        "assist_return": 0.05,
        "reassign": 0.02,
        "pause": 0.03,
        "extension": 0.08,
        "extension_refused": 0.25,
    }
)
"""Default rates of the event loop's side paths (design choices of plausible size, no source)."""


def _event_paths(paths: Mapping[str, float]) -> None:
    _mapping("event_paths", paths)
    keys = set(paths)
    if keys != set(EVENT_PATHS):
        problem = f"must give exactly the rates {sorted(EVENT_PATHS)}"
        raise SimulationConfigError(field="event_paths", problem=problem)
    for key, rate in paths.items():
        _probability(f"event_paths[{key!r}]", rate)


CYCLE_DAYS = CYCLE_211.days
"""Length of one default 211 covert-inspection cycle 211平安暗访机制, in days (28: the seed's
2 + 2 weeks, from :data:`~ruian_governance.models.CYCLE_211`)."""

INSPECTION_DAYS = CYCLE_211.inspection_days
"""Days of covert inspection 暗访 at the start of a default cycle; the rest is revisit 整改回访.
A run's own cycle is :attr:`SimulationConfig.cycle`."""

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

MAX_DAYS = 3660
"""The longest run: 3,660 simulated days, about ten years (a design bound: a run's cost grows
with its days, and the working-day calendar covers fewer years anyway)."""

MAX_RATE = 1000.0
"""The largest mean of reports per grid per day or hazards per town per day (design bound)."""

MAX_FACTOR = 1000.0
"""The largest factor of a planted hotspot (design bound)."""

MAX_CAPACITY = 100_000
"""The largest daily capacity of a station or department, and the longest hazard deadline in
days is :data:`MAX_DAYS` (design bounds)."""

EVENT_TIERS = (SeverityTier.ORDINARY, SeverityTier.LARGER, SeverityTier.MAJOR)
"""The event tiers, in the order of :attr:`SimulationConfig.severity_mix` draws."""

DISPUTE_TIERS = ("simple", "complex", "difficult")
"""The dispute tiers, in the order of :attr:`SimulationConfig.dispute_tier_mix` draws."""


_V = TypeVar("_V")


def _positive_weights(field: str, weights: Mapping[str, float]) -> None:
    if not weights:
        raise SimulationConfigError(field, "needs at least one weight")
    for key, weight in weights.items():
        if not (isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0):
            raise SimulationConfigError(field, f"weight of {key!r} must be a finite number >= 0")
    if sum(weights.values()) <= 0:
        raise SimulationConfigError(field, "weights must not all be zero")


def _probability(field: str, value: float) -> None:
    _number(field, value, 0.0, 1.0)


def _number(field: str, value: object, low: float, high: float, *, whole: bool = False) -> None:
    """Refuse anything but a finite number (an int when ``whole``) in ``[low, high]``."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    if (whole and not isinstance(value, int)) or not (
        math.isfinite(number) and low <= number <= high
    ):
        kind = "a whole number" if whole else "a finite number"
        raise SimulationConfigError(field, f"{value!r} is not {kind} in [{low:g}, {high:g}]")


def _frozen_mapping(value: Mapping[str, _V]) -> Mapping[str, _V]:
    # Anything but a mapping passes through to the check in __attrs_post_init__.
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


def _mapping(field: str, value: object) -> None:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise SimulationConfigError(field, f"{value!r:.80} is not a mapping of text keys")


@attrs.frozen(kw_only=True)
class PlantedHotspot:
    """A planted hotspot: reports of ``category`` in ``unit_id`` come ``factor`` times as often.

    Used to test that the analysis (:func:`~ruian_governance.analysis.hotspots`) finds what
    was planted.

    Args:
        unit_id: A grid or village (every grid under a village is raised).
        category: The category raised.
        factor: The multiplier of that category's rate there (> 1 plants a hotspot).
    """

    unit_id: str
    category: str
    factor: float


def _hotspot_tuple(value: Iterable[PlantedHotspot]) -> tuple[PlantedHotspot, ...]:
    # model_tuple, with the field's type: mypy's attrs plugin takes the argument type of
    # __init__ from the converter and cannot solve a generic converter's type variable.
    return model_tuple(value)


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
        event_paths: The rates of the event loop's side paths (issue 12, design choices):
            ``joint_meeting`` (share of larger events handled jointly 联办 whose command room
            holds a joint meeting 四平台联席会议 first), ``assist_return`` (share of assisting
            units 协办 that return it), ``reassign`` (share of signed events reassigned 转派),
            ``pause`` (share of handled events paused 挂起), ``extension`` (share of handled
            events whose lead asks for an extension 延期) and ``extension_refused`` (share of
            those requests refused); every key of :data:`EVENT_PATHS`, each from 0 to 1.
        agreement: Chance that one rung of mediation reaches an agreement 调解协议.
        confirmation: Share of agreements taken to judicial confirmation 司法确认.
        confirmation_refused: Share of confirmation applications the court refuses 驳回.
        village_mediation: Share of a village's disputes its people's mediation committee
            人民调解委员会 mediates (the others: the village cadre, or a village sage 新乡贤).
        panel_findings: Share of covert-inspection findings recorded by the citizens'
            supervision panel 平安市民监督团 (the others: the centre's inspectors).
        sectoral_assignment: Share of hazards assigned to a city department of their sector
            行业 (the category's departments) rather than to the town's stations.
        territorial_assignment: Share of hazards assigned to their town itself 属地 (its
            leader rectifies).
        rung_spacing_days: Days between two rungs of the overdue ladder (calendar days).
        inspection_weeks: Weeks of covert inspection 暗访 in each 211 cycle (the seed: 2).
        revisit_weeks: Weeks of revisit 整改回访 in each 211 cycle (the seed: 2).
        hotspots: Planted hotspots (none by default).
        intake: Citizens' intake, duplicates and honest evaluation (:class:`.IntakeRates`).
        seed: Seed of the private random generator.
        start: Start of the simulation (timezone-aware; within the working-day calendar).
        days: Number of simulated days (default 28, one 211 cycle).
        id_prefix: Put in every id the run makes: after the lifecycle's letter of a case id
            and before the ids of the staff it adds (default ``""``: ``E0000001``,
            ``sim.cadre...``).  A region's shard passes its city code and a dot
            (``"330381."``: ``E330381.0000001``, ``330381.sim.cadre...``), so that cities
            never share an id.

    A configuration pickles with the standard :mod:`pickle` (its routing rules travel as
    their JSON document, its mappings as plain dicts), so that a Dask worker can run it.

    Raises:
        SimulationConfigError: A rate, weight, probability, size or date is out of range.
    """

    hierarchy: Hierarchy | None = attrs.field(
        default=None, repr=False, validator=attrs.validators.optional(instance_of(Hierarchy))
    )
    rules: RoutingRules = attrs.field(default=RULES_2021, validator=instance_of(RoutingRules))
    category_mix: Mapping[str, float] = attrs.field(
        default=DEFAULT_CATEGORY_MIX, converter=_frozen_mapping, hash=False
    )
    dispute_categories: frozenset[str] = attrs.field(
        default=frozenset({"neighbour_dispute", "labour_dispute"}),
        converter=id_frozenset,
        validator=identifiers,
    )
    hazard_categories: tuple[str, ...] = attrs.field(
        default=("fire_hazard", "work_safety_hazard"), converter=id_tuple, validator=identifiers
    )
    reports_per_grid_per_day: float = 0.25
    severity_mix: Mapping[str, float] = attrs.field(
        default=MappingProxyType({"ordinary": 85.0, "larger": 10.0, "major": 5.0}),
        converter=_frozen_mapping,
        hash=False,
    )
    dispute_tier_mix: Mapping[str, float] = attrs.field(
        default=MappingProxyType({"simple": 60.0, "complex": 30.0, "difficult": 10.0}),
        converter=_frozen_mapping,
        hash=False,
    )
    station_capacity: int = 8
    department_capacity: int = 40
    capacities: Mapping[str, int] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_frozen_mapping, hash=False
    )
    hazards_per_town_per_day: float = 0.5
    hazard_deadline_days: int = 14
    on_the_spot: float = 0.15
    reject: float = 0.03
    return_: float = 0.05
    fail_verification: float = 0.05
    event_paths: Mapping[str, float] = attrs.field(
        default=EVENT_PATHS, converter=_frozen_mapping, hash=False
    )
    agreement: float = 0.7
    confirmation: float = 0.3
    confirmation_refused: float = 0.1
    village_mediation: float = 0.5
    panel_findings: float = 0.5
    sectoral_assignment: float = 0.3
    territorial_assignment: float = 0.1
    rung_spacing_days: int = 2
    inspection_weeks: int = 2
    revisit_weeks: int = 2
    hotspots: tuple[PlantedHotspot, ...] = attrs.field(
        default=(), converter=_hotspot_tuple, validator=items_of(PlantedHotspot)
    )
    intake: IntakeRates = attrs.field(factory=IntakeRates, validator=instance_of(IntakeRates))
    seed: int = 0
    start: datetime = datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME)
    days: int = CYCLE_DAYS
    id_prefix: str = ""

    def __attrs_post_init__(self) -> None:
        _number("days", self.days, 1, MAX_DAYS, whole=True)
        if self.id_prefix != "":
            try:
                check_identifier(self.id_prefix, "id_prefix")
            except ArgumentError as error:
                raise SimulationConfigError(field="id_prefix", problem=str(error)) from None
        _number("seed", self.seed, -(2**63), 2**63 - 1, whole=True)
        try:
            require_aware(self.start, "start")
        except ArgumentError as error:
            raise SimulationConfigError(field="start", problem="must be timezone-aware") from error
        for field in ("reports_per_grid_per_day", "hazards_per_town_per_day"):
            _number(field, getattr(self, field), 0, MAX_RATE)
        for field in ("station_capacity", "department_capacity"):
            _number(field, getattr(self, field), 1, MAX_CAPACITY, whole=True)
        _number("hazard_deadline_days", self.hazard_deadline_days, 1, MAX_DAYS, whole=True)
        for field in ("category_mix", "severity_mix", "dispute_tier_mix", "capacities"):
            _mapping(field, getattr(self, field))
        for key, capacity in self.capacities.items():
            _number(f"capacities[{key!r}]", capacity, 1, MAX_CAPACITY, whole=True)
        for field in (
            "on_the_spot",
            "reject",
            "return_",
            "fail_verification",
            "agreement",
            "confirmation",
            "confirmation_refused",
            "village_mediation",
            "panel_findings",
            "sectoral_assignment",
            "territorial_assignment",
        ):
            _probability(field, getattr(self, field))
        for field in ("inspection_weeks", "revisit_weeks"):
            _number(field, getattr(self, field), 1, 52, whole=True)
        _number("rung_spacing_days", self.rung_spacing_days, 1, MAX_DAYS, whole=True)
        _event_paths(self.event_paths)
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

    @property
    def cycle(self) -> InspectionCycle:
        """The run's 211 cycle: its weeks, starting on the run's first day (China time).

        >>> SimulationConfig(inspection_weeks=1).cycle.days
        21
        """
        return InspectionCycle(
            start=self.start.astimezone(CHINA_STANDARD_TIME).date(),
            inspection_weeks=self.inspection_weeks,
            revisit_weeks=self.revisit_weeks,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as plain values: the rules as their JSON document, the mappings as dicts."""
        values = {f.name: getattr(self, f.name) for f in attrs.fields(SimulationConfig)}
        for name, value in values.items():
            if isinstance(value, MappingProxyType):
                values[name] = dict(value)
        values["rules"] = to_document(self.rules)
        return (_unpickle_config, (values,))

    def _check_mixes(self, known: set[str]) -> None:
        _positive_weights("severity_mix", self.severity_mix)
        bad = sorted(set(self.severity_mix) - {t.value for t in EVENT_TIERS})
        if bad:
            raise SimulationConfigError(field="severity_mix", problem=f"unknown tiers {bad}")
        _positive_weights("dispute_tier_mix", self.dispute_tier_mix)
        bad = sorted(set(self.dispute_tier_mix) - set(DISPUTE_TIERS))
        if bad:
            raise SimulationConfigError(field="dispute_tier_mix", problem=f"unknown tiers {bad}")
        for spot in self.hotspots:
            if not isinstance(spot, PlantedHotspot) or spot.category not in known:
                raise SimulationConfigError(field="hotspots", problem=f"bad hotspot {spot!r}")
            _number("hotspots.factor", spot.factor, 0, MAX_FACTOR)


def _unpickle_config(values: dict[str, Any]) -> SimulationConfig:
    """The configuration :meth:`SimulationConfig.__reduce__` wrote (rules from their document)."""
    rules = values["rules"]
    shipped = {t.key: t for t in (RULES_2016, RULES_2021)}.get(rules.get("key"))
    if shipped is None or to_document(shipped) != rules:
        shipped = from_document(rules, RoutingRules)
    return SimulationConfig(**{**values, "rules": shipped})


def cycle_day(config: SimulationConfig, at: datetime) -> int:
    """Return the day of the run's 211 cycle that ``at`` falls on (``config.cycle``).

    >>> from datetime import timedelta
    >>> config = SimulationConfig(hierarchy=None)
    >>> cycle_day(config, config.start + timedelta(days=30, hours=9))
    2
    """
    return config.cycle.day_of_cycle(at)


def simulation_lifecycles(config: SimulationConfig) -> tuple[LifecycleDefinition, ...]:
    """Return the lifecycles a run uses: events, disputes, and hazards with the run's deadline.

    >>> [d.key for d in simulation_lifecycles(SimulationConfig(hazard_deadline_days=7))]
    ['event', 'dispute', 'hazard']
    """
    hazards = hazard_lifecycle(
        deadlines=hazard_deadlines(
            config.cycle,
            days=config.hazard_deadline_days,
            rung_spacing_days=config.rung_spacing_days,
        )
    )
    limit = config.intake.rework_limit
    events = EVENT_LIFECYCLE if limit == REWORK_LIMIT else event_lifecycle(rework_limit=limit)
    return (events, DISPUTE_LIFECYCLE, hazards)
