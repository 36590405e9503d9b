"""The three built-in lifecycles: events 事件闭环, disputes 矛盾纠纷, hazards 隐患整改.

Each is a :class:`~ruian_governance.LifecycleDefinition` built by a factory that takes its
deadline policy, so every time limit is configurable; the module constants use the defaults of
the domain notes (same day on the spot, 3 working days ordinary, 7 hard, extension to 15 at most;
disputes 1 / 7 / 20 days and 30 days to apply for judicial confirmation; hazards a 60-day loop,
7 days for a covert-inspection finding, rungs 7 days apart).
One module per lifecycle (:mod:`.event`, :mod:`.dispute`, :mod:`.hazard`), and the guards and
effects they share in :mod:`.guards`.

>>> from ruian_governance import DISPUTE_LIFECYCLE, EVENT_LIFECYCLE, HAZARD_LIFECYCLE
>>> " ".join(s.label.zh for s in EVENT_LIFECYCLE.states)
'上报 受理 不予受理 分流交办 退回 签收 处置 挂起 反馈 核查 办结 评价 已合并 已撤件'
>>> DISPUTE_LIFECYCLE.next_state("people_mediation", "next_mediation")
'administrative_mediation'
>>> HAZARD_LIFECYCLE.state("closed").label.zh
'销号/摘牌'
"""

from __future__ import annotations

from datetime import timedelta

from ruian_governance.lifecycles.definition import LifecycleDefinition
from ruian_governance.lifecycles.engine import Engine
from ruian_governance.models import Clock, Hierarchy

from .casework import (
    DUPLICATE_WINDOW,
    link_cases,
    merge_duplicate,
    merged_ids,
    primary_of,
    related_ids,
    reporters,
    suggest_duplicates,
)
from .dispute import (
    DISPUTE_DEADLINES,
    DISPUTE_LIFECYCLE,
    MEDIATION_LADDER,
    TRIAGE_LEVELS,
    dispute_lifecycle,
)
from .event import EVENT_DEADLINES, EVENT_LIFECYCLE, event_lifecycle
from .hazard import (
    HAZARD_DEADLINES,
    HAZARD_LADDER,
    HAZARD_LIFECYCLE,
    HAZARD_RUNGS,
    LISTING_LEVELS,
    hazard_deadlines,
    hazard_lifecycle,
    hazard_listing,
    hazard_rung,
    next_rung_at,
)
from .intake import CITIZEN_CHANNELS, NOT_OWN_WORK, REWORK_LIMIT
from .joint import AssigneeProgress, ProgressStatus, assignee_progress
from .panel import PanelFinding, panel_findings
from .timing import extensions_granted, pending_extension

__all__ = [
    "BUILTIN_LIFECYCLES",
    "CITIZEN_CHANNELS",
    "DISPUTE_DEADLINES",
    "DISPUTE_LIFECYCLE",
    "DUPLICATE_WINDOW",
    "EVENT_DEADLINES",
    "EVENT_LIFECYCLE",
    "HAZARD_DEADLINES",
    "HAZARD_LADDER",
    "HAZARD_LIFECYCLE",
    "HAZARD_RUNGS",
    "LISTING_LEVELS",
    "MEDIATION_LADDER",
    "NOT_OWN_WORK",
    "REWORK_LIMIT",
    "TRIAGE_LEVELS",
    "AssigneeProgress",
    "PanelFinding",
    "ProgressStatus",
    "assignee_progress",
    "builtin_engine",
    "dispute_lifecycle",
    "event_lifecycle",
    "extensions_granted",
    "hazard_deadlines",
    "hazard_lifecycle",
    "hazard_listing",
    "hazard_rung",
    "link_cases",
    "merge_duplicate",
    "merged_ids",
    "next_rung_at",
    "panel_findings",
    "pending_extension",
    "primary_of",
    "related_ids",
    "reporters",
    "suggest_duplicates",
]

BUILTIN_LIFECYCLES: tuple[LifecycleDefinition, ...] = (
    EVENT_LIFECYCLE,
    DISPUTE_LIFECYCLE,
    HAZARD_LIFECYCLE,
)
"""The three built-in lifecycles: what :func:`builtin_engine` runs."""


def builtin_engine(
    hierarchy: Hierarchy,
    *,
    clock: Clock | None = None,
    future_tolerance: timedelta = timedelta(minutes=5),
) -> Engine:
    """Return an :class:`~ruian_governance.Engine` running the three built-in lifecycles.

    The same as ``Engine(hierarchy, BUILTIN_LIFECYCLES, clock=..., future_tolerance=...)``;
    give ``Engine`` your own definitions (e.g. extensions of the built-ins) to run others.

    Raises:
        ArgumentError: ``clock`` or ``future_tolerance`` is not what :class:`Engine` takes.
        UnknownReferenceError: A built-in lifecycle names a role the hierarchy does not know.

    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    >>> sorted(engine.lifecycles)
    ['dispute', 'event', 'hazard']
    """
    return Engine(hierarchy, BUILTIN_LIFECYCLES, clock=clock, future_tolerance=future_tolerance)
