"""A deterministic discrete-event simulation of a city under the 141 system.

:mod:`.config` holds what a run depends on, :mod:`.run` runs it (:func:`simulate`); the
mechanisms live one per module (:mod:`.events`, :mod:`.disputes`, :mod:`.hazards`,
:mod:`.supervision`, and :mod:`.citizens` at the rates of :mod:`.intake`) around a typed event
queue (:mod:`.queue`) and a shared run state (:mod:`.state`).
"""

from __future__ import annotations

from .config import (
    CYCLE_DAYS,
    DEFAULT_CATEGORY_MIX,
    INSPECTION_DAYS,
    MAX_CAPACITY,
    MAX_DAYS,
    MAX_FACTOR,
    MAX_RATE,
    PlantedHotspot,
    SimulationConfig,
    cycle_day,
    simulation_lifecycles,
)
from .intake import IntakeRates
from .run import ProgressCallback, SimulationResult, simulate

__all__ = [
    "CYCLE_DAYS",
    "DEFAULT_CATEGORY_MIX",
    "INSPECTION_DAYS",
    "MAX_CAPACITY",
    "MAX_DAYS",
    "MAX_FACTOR",
    "MAX_RATE",
    "IntakeRates",
    "PlantedHotspot",
    "ProgressCallback",
    "SimulationConfig",
    "SimulationResult",
    "cycle_day",
    "simulate",
    "simulation_lifecycles",
]
