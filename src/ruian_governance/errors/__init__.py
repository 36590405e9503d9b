"""The exception hierarchy of ruian_governance.

Every error the library raises on purpose derives from :class:`RuianGovernanceError`, and also
from the built-in exception that fits (``ValueError``, ``LookupError``, ...), so callers can catch
either.  Each error keeps its context as attributes and builds its own message.

>>> from ruian_governance import Hierarchy, UnknownIdError, ruian_preset
>>> try:
...     ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                  micro_grid_workers=0).unit("nowhere")
... except UnknownIdError as error:
...     print(error.id, isinstance(error, LookupError))
nowhere True

The classes live in private modules by area (``_core``: the root, hierarchies, routing, data and
time; ``_cases``: lifecycle definitions, commands, the engine and the stores); each is shown and
pickled under this package's name, ``ruian_governance.errors``.
"""

from __future__ import annotations

from ruian_governance.errors._cases import (
    AmbiguousTransitionError,
    CaseStoreError,
    ConflictError,
    DuplicateKeyError,
    FinalStateExitError,
    ForgedHistoryError,
    FutureTimeError,
    GuardFailedError,
    InitialStateError,
    InvalidActorError,
    InvalidDataError,
    InvalidTransitionError,
    JurisdictionError,
    LifecycleDefinitionError,
    MissingDataError,
    RoleNotAllowedError,
    StoreBusyError,
    StoreCorruptError,
    StoreMismatchError,
    StoreReadOnlyError,
    TimeOrderError,
    TransitionError,
    TrapStateError,
    UnexpectedDataError,
    UnknownReferenceError,
    UnreachableStateError,
)
from ruian_governance.errors._core import (
    AnalysisError,
    ArgumentError,
    CalendarCoverageError,
    CategoryTableError,
    CommandRoomError,
    DataError,
    DuplicateIdError,
    HierarchyError,
    MissingParentError,
    NoDepartmentError,
    NoStationError,
    Open311Error,
    OrphanError,
    ParentLevelError,
    PlatformSetError,
    RouteError,
    RuianGovernanceError,
    SimulationConfigError,
    StationPlacementError,
    UnknownCategoryError,
    UnknownIdError,
    UnknownKindError,
    UnknownRoutingKindError,
    WorkerAssignmentError,
)
from ruian_governance.errors._disputes import CourtPlacementError
from ruian_governance.errors._finish14 import FormError
from ruian_governance.errors._finish15 import BatchRefusedError
from ruian_governance.errors._scale import ScaleExtraError
from ruian_governance.errors._ui import InvalidCursorError

# Several names a line (fmt: skip): the hierarchy's many short names would take 45 lines.
__all__ = [
    "AmbiguousTransitionError", "AnalysisError", "ArgumentError", "BatchRefusedError",
    "CalendarCoverageError",
    "CaseStoreError", "CategoryTableError", "CommandRoomError", "ConflictError",
    "CourtPlacementError", "DataError",
    "DuplicateIdError", "DuplicateKeyError", "FinalStateExitError", "ForgedHistoryError",
    "FormError",
    "FutureTimeError", "GuardFailedError", "HierarchyError", "InitialStateError",
    "InvalidActorError", "InvalidCursorError", "InvalidDataError", "InvalidTransitionError",
    "JurisdictionError", "LifecycleDefinitionError", "MissingDataError", "MissingParentError",
    "NoDepartmentError", "NoStationError", "Open311Error", "OrphanError", "ParentLevelError",
    "PlatformSetError", "RoleNotAllowedError", "RouteError", "RuianGovernanceError",
    "ScaleExtraError",
    "SimulationConfigError", "StationPlacementError", "StoreBusyError", "StoreCorruptError",
    "StoreMismatchError", "StoreReadOnlyError", "TimeOrderError", "TransitionError",
    "TrapStateError", "UnexpectedDataError", "UnknownCategoryError", "UnknownIdError",
    "UnknownKindError", "UnknownReferenceError", "UnknownRoutingKindError",
    "UnreachableStateError", "WorkerAssignmentError",
]  # fmt: skip

for _name in __all__:  # one public name, whatever module a class is written in
    globals()[_name].__module__ = __name__
del _name
