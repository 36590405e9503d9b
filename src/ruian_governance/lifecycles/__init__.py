"""Lifecycles as data and the engine that runs commands on cases.

A :class:`LifecycleDefinition` is validated when built; the :class:`Engine` checks every
command (state, post, role, jurisdiction, time, data, guards) before it builds anything.
The built-in event closed loop 事件闭环, disputes 矛盾纠纷 and hazard rectification 隐患整改 live
in :mod:`ruian_governance.lifecycles.builtin`.
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
    dispute_lifecycle,
    event_lifecycle,
    hazard_lifecycle,
    hazard_rung,
)
from .definition import (
    Effect,
    Guard,
    Jurisdiction,
    LifecycleDefinition,
    Severity,
    State,
    Transition,
    Trigger,
    TriggerKind,
)
from .engine import (
    Command,
    Engine,
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
    "Command",
    "Effect",
    "Engine",
    "Guard",
    "Jurisdiction",
    "LifecycleDefinition",
    "Severity",
    "State",
    "Transition",
    "Trigger",
    "TriggerKind",
    "dispute_lifecycle",
    "event_lifecycle",
    "hazard_lifecycle",
    "hazard_rung",
]
