"""Shipped facts: platform presets, towns, departments, category tables and generators.

Platform presets, Rui'an's towns, city departments, category tables, and
generators of hierarchies of any size.
"""

from __future__ import annotations

from .categories import (
    RULES_2016,
    RULES_2021,
    RULES_2022,
)
from .departments import DEFAULT_DEPARTMENTS, DepartmentSpec
from .generators import generate_hierarchy, ruian_preset
from .platforms import PLATFORMS_2016, PLATFORMS_2021, PLATFORMS_2022, STATION_KINDS
from .staffing import with_staff
from .towns import RUIAN_TOWNS, TownSpec

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "PLATFORMS_2016",
    "PLATFORMS_2021",
    "PLATFORMS_2022",
    "RUIAN_TOWNS",
    "RULES_2016",
    "RULES_2021",
    "RULES_2022",
    "STATION_KINDS",
    "DepartmentSpec",
    "TownSpec",
    "generate_hierarchy",
    "ruian_preset",
    "with_staff",
]
