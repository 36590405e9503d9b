"""ruian_governance: grassroots social-governance workflows of Rui'an's "141" system.

One centre, four platforms, one grid (一中心、四平台、一网格) over city / town / village: typed
models of the hierarchy, lifecycles of the cases it handles, routing between its units, and the
data formats integrators need.

The package root holds what most users need; everything else lives in its subpackage, each with
an explicit ``__all__``: :mod:`~ruian_governance.models`, :mod:`~ruian_governance.lifecycles`,
:mod:`~ruian_governance.routing`, :mod:`~ruian_governance.presets`, :mod:`~ruian_governance.io`,
:mod:`~ruian_governance.stores`, :mod:`~ruian_governance.analysis`, :mod:`~ruian_governance.sim`,
:mod:`~ruian_governance.cli` and :mod:`~ruian_governance.testing` (the ``hypothesis`` extra).

>>> import ruian_governance
>>> ruian_governance.ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                               micro_grid_workers=0).city.name
'瑞安市'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    ArgumentError,
    ConflictError,
    DataError,
    RuianGovernanceError,
    TransitionError,
    UnknownIdError,
)
from .io import (
    dumps,
    from_document,
    loads,
    to_document,
)
from .labels import (
    Label,
)
from .lifecycles import (
    BUILTIN_LIFECYCLES,
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    HAZARD_LIFECYCLE,
    Effect,
    Engine,
    Guard,
    Jurisdiction,
    LifecycleDefinition,
    Severity,
    State,
    Transition,
    Trigger,
    builtin_engine,
    why_not,
)
from .models import (
    CHINA_STANDARD_TIME,
    Actor,
    AdminUnit,
    Case,
    Clock,
    Deadline,
    DeadlinePolicy,
    FixedClock,
    Hierarchy,
    HistoryRecord,
    Level,
    ManualClock,
    Person,
    Post,
    Role,
    UnitKind,
)
from .presets import (
    RULES_2016,
    RULES_2021,
    RULES_2022,
    generate_hierarchy,
    ruian_preset,
)
from .routing import (
    Category,
    Report,
    Route,
    Router,
    RoutingRules,
    SeverityTier,
    route,
    routing_graph,
    verify,
)
from .sim import (
    SimulationConfig,
    simulate,
)
from .stores import (
    MemoryCaseStore,
    SQLiteCaseStore,
)

try:
    __version__ = version("ruian_governance")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "BUILTIN_LIFECYCLES",
    "CHINA_STANDARD_TIME",
    "DISPUTE_LIFECYCLE",
    "EVENT_LIFECYCLE",
    "HAZARD_LIFECYCLE",
    "RULES_2016",
    "RULES_2021",
    "RULES_2022",
    "Actor",
    "AdminUnit",
    "ArgumentError",
    "Case",
    "Category",
    "Clock",
    "ConflictError",
    "DataError",
    "Deadline",
    "DeadlinePolicy",
    "Effect",
    "Engine",
    "FixedClock",
    "Guard",
    "Hierarchy",
    "HistoryRecord",
    "Jurisdiction",
    "Label",
    "Level",
    "LifecycleDefinition",
    "ManualClock",
    "MemoryCaseStore",
    "Person",
    "Post",
    "Report",
    "Role",
    "Route",
    "Router",
    "RoutingRules",
    "RuianGovernanceError",
    "SQLiteCaseStore",
    "Severity",
    "SeverityTier",
    "SimulationConfig",
    "State",
    "Transition",
    "TransitionError",
    "Trigger",
    "UnitKind",
    "UnknownIdError",
    "__version__",
    "builtin_engine",
    "dumps",
    "from_document",
    "generate_hierarchy",
    "loads",
    "route",
    "routing_graph",
    "ruian_preset",
    "simulate",
    "to_document",
    "verify",
    "why_not",
]
