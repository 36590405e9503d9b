"""Lifecycles as data and the engine that runs commands on cases.

Layered inside, top to bottom: :mod:`.builtin` (the built-in event closed loop 事件闭环,
disputes 矛盾纠纷 and hazard rectification 隐患整改, and :func:`builtin_engine`), :mod:`.engine`
(the :class:`Engine`), :mod:`.checks` (the checks every command passes, in one order),
:mod:`.definition` (a :class:`LifecycleDefinition`, validated when built by :mod:`.rules`, and
the :class:`CommandContext` its guards and effects receive) and :mod:`.parts` (states,
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
    builtin_engine,
    dispute_lifecycle,
    event_lifecycle,
    hazard_lifecycle,
    hazard_rung,
)
from .definition import (
    CommandContext,
    Effect,
    Guard,
    LifecycleDefinition,
    Transition,
)
from .engine import Engine
from .parts import (
    DataKind,
    DataSpec,
    Jurisdiction,
    Severity,
    State,
    Trigger,
    TriggerKind,
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
    "CommandContext",
    "DataKind",
    "DataSpec",
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
    "builtin_engine",
    "dispute_lifecycle",
    "event_lifecycle",
    "hazard_lifecycle",
    "hazard_rung",
]
