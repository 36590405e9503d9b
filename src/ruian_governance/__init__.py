"""ruian_governance: grassroots social-governance workflows of Rui'an's "141" system.

One centre, four platforms, one grid (一中心、四平台、一网格) over city / town / village: typed
models of the hierarchy, lifecycles of the cases it handles, routing between its units, and the
data formats integrators need.

>>> import ruian_governance
>>> ruian_governance.ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                               micro_grid_workers=0).city.name
'瑞安市'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    CommandRoomError,
    DataError,
    DuplicateIdError,
    HierarchyError,
    MissingParentError,
    OrphanError,
    ParentLevelError,
    PlatformSetError,
    RuianGovernanceError,
    StationPlacementError,
    UnknownIdError,
    UnknownKindError,
    WorkerAssignmentError,
)
from .hierarchy import (
    BUILTIN_ROLES,
    AdminUnit,
    CommandRoom,
    Department,
    Employment,
    Entity,
    Hierarchy,
    Level,
    Organisation,
    Person,
    Platform,
    PlatformKind,
    PlatformPreset,
    Post,
    Role,
    SocialGovernanceCentre,
    Station,
    StationKind,
    UnitKind,
)
from .labels import Label, Language
from .presets import (
    DEFAULT_DEPARTMENTS,
    PLATFORMS_2016,
    PLATFORMS_2021,
    RUIAN_TOWNS,
    STATION_KINDS,
    DepartmentSpec,
    TownSpec,
    generate_hierarchy,
    ruian_preset,
)
from .serialisation import (
    FORMAT_VERSION,
    MIGRATIONS,
    Migration,
    configure_converter,
    hierarchy_from_dict,
    hierarchy_to_dict,
    make_converter,
    migrate,
)

try:
    __version__ = version("ruian_governance")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "BUILTIN_ROLES",
    "DEFAULT_DEPARTMENTS",
    "FORMAT_VERSION",
    "MIGRATIONS",
    "PLATFORMS_2016",
    "PLATFORMS_2021",
    "RUIAN_TOWNS",
    "STATION_KINDS",
    "AdminUnit",
    "CommandRoom",
    "CommandRoomError",
    "DataError",
    "Department",
    "DepartmentSpec",
    "DuplicateIdError",
    "Employment",
    "Entity",
    "Hierarchy",
    "HierarchyError",
    "Label",
    "Language",
    "Level",
    "Migration",
    "MissingParentError",
    "Organisation",
    "OrphanError",
    "ParentLevelError",
    "Person",
    "Platform",
    "PlatformKind",
    "PlatformPreset",
    "PlatformSetError",
    "Post",
    "Role",
    "RuianGovernanceError",
    "SocialGovernanceCentre",
    "Station",
    "StationKind",
    "StationPlacementError",
    "TownSpec",
    "UnitKind",
    "UnknownIdError",
    "UnknownKindError",
    "WorkerAssignmentError",
    "__version__",
    "configure_converter",
    "generate_hierarchy",
    "hierarchy_from_dict",
    "hierarchy_to_dict",
    "make_converter",
    "migrate",
    "ruian_preset",
]
