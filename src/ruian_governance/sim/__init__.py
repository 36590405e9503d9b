"""A deterministic discrete-event simulation of a city under the 141 system."""

from __future__ import annotations

from .run import (
    CYCLE_DAYS,
    DEFAULT_CATEGORY_MIX,
    INSPECTION_DAYS,
    PlantedHotspot,
    ProgressCallback,
    SimulationConfig,
    SimulationResult,
    cycle_day,
    simulate,
    simulation_lifecycles,
)

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
