"""Lifecycles as data and the engine that runs commands on cases.

Layered inside, top to bottom: :mod:`.builtin` (the built-in event closed loop 事件闭环,
disputes 矛盾纠纷 and hazard rectification 隐患整改, and :func:`builtin_engine`), :mod:`.engine`
(the :class:`Engine`), :mod:`.checks` (the checks every command passes, in one order) beside
:mod:`.warnings` (step deadlines, warning lights 亮灯预警 and paused time, pure functions),
:mod:`.definition` (a :class:`LifecycleDefinition`, validated when built by :mod:`.rules`,
and the :class:`CommandContext` its guards and effects receive) and :mod:`.parts` (states,
triggers, severities, jurisdiction rules, the types of command data).  The engine knows no
lifecycle of its own.
"""

from __future__ import annotations

from .builtin import (
    BUILTIN_LIFECYCLES,
    DISPUTE_DEADLINES,
    DISPUTE_LIFECYCLE,
    EVENT_DEADLINES,
    EVENT_LIFECYCLE,
    HAZARD_DEADLINES,
    HAZARD_LADDER,
    HAZARD_LIFECYCLE,
    MEDIATION_LADDER,
    TRIAGE_LEVELS,
    AssigneeProgress,
    ProgressStatus,
    assignee_progress,
    builtin_engine,
    dispute_lifecycle,
    event_lifecycle,
    extensions_granted,
    hazard_lifecycle,
    hazard_rung,
    pending_extension,
)
from .definition import (
    CommandContext,
    Effect,
    Guard,
    LifecycleDefinition,
    Transition,
)
from .engine import Engine
from .menu import Choice, ChoiceStatus, why_not
from .parts import (
    DataKind,
    DataSpec,
    Jurisdiction,
    Severity,
    State,
    Trigger,
    TriggerKind,
)
from .warnings import (
    DueCommand,
    Pause,
    WarningLevel,
    due_commands,
    effective_due,
    is_late,
    paused_time,
    pauses,
    step_started,
    warning_level,
)

__all__ = [
    "BUILTIN_LIFECYCLES",
    "DISPUTE_DEADLINES",
    "DISPUTE_LIFECYCLE",
    "EVENT_DEADLINES",
    "EVENT_LIFECYCLE",
    "HAZARD_DEADLINES",
    "HAZARD_LADDER",
    "HAZARD_LIFECYCLE",
    "MEDIATION_LADDER",
    "TRIAGE_LEVELS",
    "AssigneeProgress",
    "Choice",
    "ChoiceStatus",
    "CommandContext",
    "DataKind",
    "DataSpec",
    "DueCommand",
    "Effect",
    "Engine",
    "Guard",
    "Jurisdiction",
    "LifecycleDefinition",
    "Pause",
    "ProgressStatus",
    "Severity",
    "State",
    "Transition",
    "Trigger",
    "TriggerKind",
    "WarningLevel",
    "assignee_progress",
    "builtin_engine",
    "dispute_lifecycle",
    "due_commands",
    "effective_due",
    "event_lifecycle",
    "extensions_granted",
    "hazard_lifecycle",
    "hazard_rung",
    "is_late",
    "paused_time",
    "pauses",
    "pending_extension",
    "step_started",
    "warning_level",
    "why_not",
]
