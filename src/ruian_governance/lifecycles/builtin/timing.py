"""The clock of the event closed loop: pause 挂起 / resume 恢复, extension 延期, reassignment 转派.

Guards and effects the event lifecycle (:mod:`.event`) wires into its transitions, reading the
limits of its :class:`~ruian_governance.DeadlinePolicy`:

- a pause is approved by the command room for ``days`` working days, at most
  ``limits["max_pause"]`` in all for one case, and never for a case already overdue; the
  resume moves the deadline by the paused working time credited
  (:func:`~ruian_governance.lifecycles.warnings.pauses`);
- the handling lead unit asks for an extension of ``days`` working days (one request pending
  at a time); the command room approves (the deadline moves by those days) or refuses it; at
  most ``max_extensions`` are granted, adding at most ``limits["max_extension"]`` days in all;
- a reassignment takes the case from the unit that signed it (which may not be named again);
  ``restart_on_reassign`` says whether the clock restarts.

>>> PAUSE_WITHIN_LIMIT.key, EXTENSION_PENDING.key
('pause_within_limit', 'extension_pending')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from ruian_governance.lifecycles.definition import CommandContext, Effect, Guard
from ruian_governance.lifecycles.warnings import is_late, pauses
from ruian_governance.models import (
    Case,
    HistoryRecord,
    add_working_days,
    add_working_time,
    unit_ids,
)

from .guards import label

__all__ = [
    "EXTEND_BY_REQUEST",
    "EXTENSION_PENDING",
    "EXTENSION_WITHIN_LIMITS",
    "MOVE_DUE_BY_PAUSE",
    "NOT_LATE",
    "NO_EXTENSION_PENDING",
    "PAUSE_WITHIN_LIMIT",
    "RESTART_IF_POLICY",
    "SIGNED_UNIT_LEAVES",
    "extensions_granted",
    "pending_extension",
]


def _days(context: CommandContext) -> int | None:
    days = context.data.get("days")
    return days if type(days) is int and days > 0 else None


# --------------------------------------------------------------------------- pause 挂起


def _pause_within_limit(context: CommandContext) -> bool:
    days = _days(context)
    if days is None:
        return False
    limit = context.lifecycle.deadlines.limits.get("max_pause")
    if limit is None:
        return True
    paused = {s.key for s in context.lifecycle.states if s.paused}
    before = sum(
        d
        for r in context.case.history
        if r.dest in paused and r.source not in paused
        for d in (r.get("days"),)
        if type(d) is int
    )
    return before + days <= limit.days


PAUSE_WITHIN_LIMIT = Guard(
    key="pause_within_limit",
    label=label("the pauses stay within the pause limit", "挂起不超过上限"),
    check=_pause_within_limit,
)
"""The pause's ``days`` and the case's earlier pauses stay within ``limits["max_pause"]``."""


NOT_LATE = Guard(
    key="not_overdue",
    label=label("the case is not overdue", "未超期"),
    check=lambda c: not is_late(c.case, c.lifecycle, c.at),
)
"""The case is not past its deadline (a clock that ran out cannot be stopped)."""


def _move_due(context: CommandContext) -> Mapping[str, Any]:
    due = context.case.due_at
    found = pauses(context.case, context.lifecycle, context.at)
    if due is None or not found or found[-1].ended_at is not None:
        return {}
    policy = context.lifecycle.deadlines
    credit = found[-1].credited
    return {"due_at": add_working_time(due, credit, calendar=policy.calendar, hours=policy.hours)}


MOVE_DUE_BY_PAUSE = Effect(
    key="move_due_by_pause",
    label=label("move the deadline by the paused working time", "顺延挂起时间"),
    apply=_move_due,
)
"""On resume, move the deadline by the working time the pause credits (up to its grant)."""


# --------------------------------------------------------------------------- extension 延期

_REQUEST = "request_extension"
_ANSWERS = frozenset(("approve_extension", "refuse_extension"))


def pending_extension(case: Case) -> HistoryRecord | None:
    """Return the extension request 延期申请 of ``case`` still awaiting an answer, or ``None``."""
    for record in reversed(case.history):
        if record.trigger in _ANSWERS:
            return None
        if record.trigger == _REQUEST:
            return record
    return None


def extensions_granted(case: Case) -> tuple[int, int]:
    """Return how many extensions ``case`` was granted and how many days they add in all."""
    count = days = 0
    request: HistoryRecord | None = None
    for record in case.history:
        if record.trigger == _REQUEST:
            request = record
        elif record.trigger == "approve_extension" and request is not None:
            asked = request.get("days")
            count += 1
            days += asked if type(asked) is int else 0
            request = None
        elif record.trigger == "refuse_extension":
            request = None
    return count, days


def _within_limits(context: CommandContext) -> bool:
    days = _days(context)
    if days is None:
        return False
    policy = context.lifecycle.deadlines
    count, total = extensions_granted(context.case)
    if count >= policy.max_extensions:
        return False
    limit = policy.limits.get("max_extension")
    return limit is None or total + days <= limit.days


EXTENSION_WITHIN_LIMITS = Guard(
    key="extension_within_limits",
    label=label("within the count and days of extensions allowed", "延期次数与天数不超过上限"),
    check=_within_limits,
)
"""Fewer than ``max_extensions`` granted, and the days stay within ``limits["max_extension"]``."""

NO_EXTENSION_PENDING = Guard(
    key="no_extension_pending",
    label=label("no extension request awaits an answer", "无待审批的延期申请"),
    check=lambda c: pending_extension(c.case) is None,
)
"""No earlier extension request awaits the command room's answer."""

EXTENSION_PENDING = Guard(
    key="extension_pending",
    label=label("an extension request awaits an answer", "有待审批的延期申请"),
    check=lambda c: pending_extension(c.case) is not None,
)
"""An extension request awaits the command room's answer."""


def later_by_working_days(due: datetime, days: int, context: CommandContext) -> datetime:
    """``due`` moved ``days`` working days later (a midnight deadline stays a midnight)."""
    calendar = context.lifecycle.deadlines.calendar
    if due.time() == time(0):
        last = add_working_days((due - timedelta(days=1)).date(), days, calendar=calendar)
        return datetime.combine(last + timedelta(days=1), time(0), tzinfo=due.tzinfo)
    day = add_working_days(due.date(), days, calendar=calendar)
    return datetime.combine(day, due.timetz())


def _extend(context: CommandContext) -> Mapping[str, Any]:
    request = pending_extension(context.case)
    due = context.case.due_at
    days = None if request is None else request.get("days")
    if due is None or type(days) is not int:
        return {}
    return {"due_at": later_by_working_days(due, days, context)}


EXTEND_BY_REQUEST = Effect(
    key="extend_by_request",
    label=label("extend the deadline by the days asked", "按申请延期"),
    apply=_extend,
)
"""Move the deadline by the working days of the pending extension request."""


# --------------------------------------------------------------------------- reassignment 转派


def _signed_unit_leaves(context: CommandContext) -> bool:
    units = unit_ids(context.data.get("units")) or ()
    lead = context.case.assignees[:1]
    return bool(lead) and lead[0] not in units


SIGNED_UNIT_LEAVES = Guard(
    key="signed_unit_leaves",
    label=label("the unit that signed is not named again", "原签收单位不再承办"),
    check=_signed_unit_leaves,
)
"""A reassignment names other units than the lead unit that signed the case."""


def _restart(context: CommandContext) -> Mapping[str, Any]:
    policy = context.lifecycle.deadlines
    severity = context.case.severity
    if not policy.restart_on_reassign or severity is None or severity not in policy.by_severity:
        return {}
    return {"due_at": policy.due(severity, context.at)}


RESTART_IF_POLICY = Effect(
    key="restart_clock_if_policy",
    label=label("restart the clock if the policy says so", "按规定重新计时"),
    apply=_restart,
)
"""Restart the deadline from the reassignment when the policy's ``restart_on_reassign``."""
