"""Joint handling 联办 of the event closed loop: a lead unit 主办 and assisting units 协办.

A dispatch (or a reassignment 转派) to several units names its lead (``lead``, else the first
of ``units``); the case's assignees are the lead first, then the assisting units.  The lead
signs 签收, returns 退回, starts and feeds back 反馈 with the loop's own triggers (its return
sends the case back to the command room); each assisting unit signs (``assist_sign`` 协办签收),
returns before signing (``assist_return`` 协办退回, which removes only that unit) and feeds
back (``assist_feed_back`` 协办反馈) on its own, and the lead's feedback moves the case to
feedback only once every remaining assisting unit has fed back.  Per-assignee progress is read
from the history (:func:`assignee_progress`): the history is the record of who did what, so
every store and document that keeps a case keeps its progress.

>>> [s.value for s in ProgressStatus]
['assigned', 'signed', 'handling', 'fed_back']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ruian_governance._convert import LabelledEnum
from ruian_governance.labels import Label
from ruian_governance.lifecycles.definition import CommandContext, Effect, Guard
from ruian_governance.lifecycles.parts import DataSpec
from ruian_governance.models import Case, HistoryRecord, unit_ids

from .guards import label

__all__ = [
    "ALL_ASSISTING_FED_BACK",
    "ASSIGN_WITH_LEAD",
    "ASSIST_NOT_SIGNED",
    "ASSIST_SIGNED",
    "DROP_ASSISTING",
    "JOINT_DATA",
    "LEAD_AMONG_UNITS",
    "NOT_ORDINARY",
    "TWO_PLATFORMS",
    "AssigneeProgress",
    "ProgressStatus",
    "assignee_progress",
]

JOINT_DATA = {
    "lead": DataSpec.ids(max_items=1),
    "platforms": DataSpec.ids(max_items=10),
    "decision": DataSpec.text(),
}
"""The data of joint handling: the ``lead`` unit 主办 of a dispatch, the ``platforms`` present
at a joint meeting 四平台联席会议 and its ``decision``."""


class ProgressStatus(LabelledEnum):
    """Where one assignee of a case stands: assigned, signed, handling, fed back.

    >>> ProgressStatus.FED_BACK.label.zh
    '已反馈'
    """

    ASSIGNED = "assigned"
    SIGNED = "signed"
    HANDLING = "handling"
    FED_BACK = "fed_back"


ProgressStatus._labels_ = {
    ProgressStatus.ASSIGNED: Label(en="assigned", zh="已交办"),
    ProgressStatus.SIGNED: Label(en="signed", zh="已签收"),
    ProgressStatus.HANDLING: Label(en="handling", zh="处置中"),
    ProgressStatus.FED_BACK: Label(en="fed back", zh="已反馈"),
}


@attrs.frozen(kw_only=True)
class AssigneeProgress:
    """One assignee's progress on a case (a typed value, read from the history).

    Args:
        unit_id: The unit.
        lead: Whether it is the lead unit 主办 (else an assisting unit 协办).
        status: Where it stands.
        signed_at: When it signed 签收 since its assignment, or ``None``.
        fed_back_at: When it last fed back 反馈 since its assignment, or ``None``.
    """

    unit_id: str
    lead: bool
    status: ProgressStatus
    signed_at: datetime | None = None
    fed_back_at: datetime | None = None


_LEAD_STEPS = {
    "sign": ProgressStatus.SIGNED,
    "start": ProgressStatus.HANDLING,
    "feed_back": ProgressStatus.FED_BACK,
}
_ASSIST_STEPS = {
    "assist_sign": ProgressStatus.SIGNED,
    "assist_feed_back": ProgressStatus.FED_BACK,
}


def _since_assignment(history: tuple[HistoryRecord, ...]) -> tuple[HistoryRecord, ...]:
    for i in range(len(history) - 1, -1, -1):
        if history[i].get("units") is not None:
            return history[i + 1 :]
    return ()


def assignee_progress(case: Case) -> tuple[AssigneeProgress, ...]:
    """Return the progress of each of ``case``'s assignees, the lead first.

    Read from the records since the latest record that assigned units (a dispatch or a
    reassignment, the ones carrying ``units``): the lead's ``sign``, ``start`` and
    ``feed_back`` (a failed verification 核查不通过 puts it back to handling), each assisting
    unit's ``assist_sign`` and ``assist_feed_back``.

    >>> assignee_progress.__name__
    'assignee_progress'
    """
    assignees = case.assignees
    if not assignees:
        return ()
    status = dict.fromkeys(assignees, ProgressStatus.ASSIGNED)
    signed: dict[str, datetime] = {}
    fed: dict[str, datetime] = {}
    lead = assignees[0]
    for record in _since_assignment(case.history):
        unit = record.actor.unit_id
        trigger = record.trigger
        if trigger == "fail_verification" and status[lead] is ProgressStatus.FED_BACK:
            status[lead] = ProgressStatus.HANDLING
            continue
        steps = _LEAD_STEPS if unit == lead else _ASSIST_STEPS
        step = steps.get(trigger)
        if step is None or unit not in status:
            continue
        status[unit] = step
        if step is ProgressStatus.SIGNED:
            signed[unit] = record.at
        elif step is ProgressStatus.FED_BACK:
            fed[unit] = record.at
    return tuple(
        AssigneeProgress(
            unit_id=unit,
            lead=unit == lead,
            status=status[unit],
            signed_at=signed.get(unit),
            fed_back_at=fed.get(unit),
        )
        for unit in assignees
    )


def _actor_at(status: ProgressStatus, key: str, en: str, zh: str) -> Guard:
    """A guard: the unit firing the command stands at ``status`` on the case."""

    def check(context: CommandContext) -> bool:
        unit = context.actor.unit_id
        return any(
            p.unit_id == unit and p.status is status for p in assignee_progress(context.case)
        )

    return Guard(key=key, label=label(en, zh), check=check)


ASSIST_NOT_SIGNED = _actor_at(
    ProgressStatus.ASSIGNED,
    "assisting_unit_not_signed",
    "the assisting unit has not signed yet",
    "协办单位尚未签收",
)
"""The assisting unit firing the command has not signed since its assignment."""

ASSIST_SIGNED = _actor_at(
    ProgressStatus.SIGNED,
    "assisting_unit_signed",
    "the assisting unit has signed and not fed back",
    "协办单位已签收未反馈",
)
"""The assisting unit firing the command has signed and not yet fed back."""


def _all_fed_back(context: CommandContext) -> bool:
    if len(context.case.assignees) < 2:
        return True
    return all(
        p.status is ProgressStatus.FED_BACK for p in assignee_progress(context.case) if not p.lead
    )


ALL_ASSISTING_FED_BACK = Guard(
    key="assisting_units_fed_back",
    label=label("every assisting unit has fed back", "协办单位均已反馈"),
    check=_all_fed_back,
)
"""Every remaining assisting unit has fed back (the lead's feedback closes joint handling)."""


def _lead_among_units(context: CommandContext) -> bool:
    lead = context.data.get("lead")
    if lead is None:
        return True
    given = unit_ids(lead)
    units = unit_ids(context.data.get("units")) or ()
    return given is not None and len(given) == 1 and given[0] in units


LEAD_AMONG_UNITS = Guard(
    key="lead_among_units",
    label=label("the lead unit is one of the units", "主办单位在交办单位之中"),
    check=_lead_among_units,
)
"""A dispatch's ``lead``, when given, is one of its ``units``."""


def _with_lead(context: CommandContext) -> Mapping[str, Any]:
    units = unit_ids(context.data.get("units")) or ()
    lead = unit_ids(context.data.get("lead"))
    if lead is None or lead[0] not in units:
        return {"assignees": units}
    first = lead[0]
    return {"assignees": (first, *(u for u in units if u != first))}


ASSIGN_WITH_LEAD = Effect(
    key="assign_with_lead",
    label=label("assign the units, the lead first", "交办（主办在前）"),
    apply=_with_lead,
)
"""Assign the case to its ``units``, the ``lead`` (default: the first unit) first."""


def _drop_actor(context: CommandContext) -> Mapping[str, Any]:
    unit = context.actor.unit_id
    return {"assignees": tuple(u for u in context.case.assignees if u != unit)}


DROP_ASSISTING = Effect(
    key="drop_assisting_unit",
    label=label("remove the assisting unit", "撤回该协办单位"),
    apply=_drop_actor,
)
"""Remove the assisting unit that returned the case (the others keep it)."""


def _two_platforms(context: CommandContext) -> bool:
    platforms = unit_ids(context.data.get("platforms"))
    return platforms is not None and len(set(platforms)) == len(platforms) >= 2


TWO_PLATFORMS = Guard(
    key="two_or_more_platforms",
    label=label("two or more distinct platforms present", "两个以上平台参会"),
    check=_two_platforms,
)
"""A joint meeting 四平台联席会议 names two or more distinct platforms present."""


def _not_ordinary(context: CommandContext) -> bool:
    return context.case.severity not in (None, "ordinary")


NOT_ORDINARY = Guard(
    key="larger_or_major",
    label=label("a larger or major event", "较大或重大事件"),
    check=_not_ordinary,
)
"""The case is larger 较大 or major 重大 (a joint meeting is for them)."""
