"""The event closed loop 事件闭环: report, dispatch, handle, verify, close, evaluate.

"网格员信息采集上报 → 综合信息指挥室分流交办 → 四个平台各职能站所执行处置 → 网格员评价".

>>> [s.label.zh for s in EVENT_LIFECYCLE.states]
['上报', '受理', '不予受理', '分流交办', '退回', '签收', '处置', '反馈', '核查', '办结', '评价']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruian_governance.lifecycles.definition import (
    CommandContext,
    Effect,
    Guard,
    LifecycleDefinition,
    Transition,
)
from ruian_governance.lifecycles.parts import DataSpec, Jurisdiction, Severity, TriggerKind
from ruian_governance.models import MAX_DEADLINE_DAYS, DayCount, Deadline, DeadlinePolicy, Level

from .guards import (
    ASSIGN,
    GRID_ROLES,
    HANDLERS,
    ONE_TARGET_IF_ORDINARY,
    SHARED_DATA,
    SUPERVISORS,
    TARGETS_FIT,
    UNASSIGN,
    UNITS,
    evaluation,
    label,
    new_state,
    new_trigger,
    reported,
    supervision,
)

__all__ = [
    "EVENT_DEADLINES",
    "EVENT_LIFECYCLE",
    "event_lifecycle",
]

EVENT_DEADLINES = DeadlinePolicy(
    by_severity={
        "ordinary": Deadline(days=3, count=DayCount.WORKING),
        "larger": Deadline(days=7, count=DayCount.WORKING),
        "major": Deadline(days=7, count=DayCount.WORKING),
    },
    limits={
        "on_the_spot": Deadline(days=0),
        "max_extension": Deadline(days=15, count=DayCount.WORKING),
    },
)
"""Event deadlines: 3 working days ordinary, 7 larger and major, extension to 15 at most."""


def _on_the_spot_in_time(context: CommandContext) -> bool:
    limit = context.lifecycle.deadlines.limits.get("on_the_spot")
    if limit is None:
        return True
    calendar = context.lifecycle.deadlines.calendar
    return context.at < limit.due(context.case.opened_at, calendar=calendar)


def _holder_is_town(context: CommandContext) -> bool:
    return context.hierarchy.unit(context.case.unit_id).level is Level.TOWN


def _to_city(context: CommandContext) -> Mapping[str, Any]:
    deadlines = context.lifecycle.deadlines
    changes: dict[str, Any] = {"unit_id": context.hierarchy.city.id, "severity": "major"}
    if "major" in deadlines.by_severity:
        changes["due_at"] = deadlines.due("major", context.case.opened_at)
    return changes


def _extension(context: CommandContext) -> Deadline | None:
    days = context.data.get("days")
    if not isinstance(days, int) or isinstance(days, bool):
        return None
    limit = context.lifecycle.deadlines.limits.get("max_extension")
    if limit is None or not 0 < days <= limit.days:
        return None
    return Deadline(days=days, count=limit.count)


def _extension_fits(context: CommandContext) -> bool:
    deadline = _extension(context)
    if deadline is None:
        return False
    new_due = deadline.due(context.case.opened_at, calendar=context.lifecycle.deadlines.calendar)
    return context.case.due_at is None or new_due > context.case.due_at


def _extend(context: CommandContext) -> Mapping[str, Any]:
    deadline = _extension(context)
    if deadline is None:  # the guard refuses such commands first
        return {}
    calendar = context.lifecycle.deadlines.calendar
    return {"due_at": deadline.due(context.case.opened_at, calendar=calendar)}


_EVENT_OPEN = (
    "accepted",
    "returned",
    "dispatched",
    "signed",
    "in_progress",
    "feedback",
    "verified",
)


def event_lifecycle(*, deadlines: DeadlinePolicy = EVENT_DEADLINES) -> LifecycleDefinition:
    """Build the event closed loop 事件闭环 with the given deadlines.

    Grid workers report 上报; the town's command room accepts 受理 or rejects 不予受理 (with a
    reason) and dispatches 分流交办 to one station, or several for a larger 较大 event; a major
    重大 event is escalated to the city centre, which dispatches to departments.  A station signs
    签收 or returns 退回 it (with a reason), handles it 处置 (the command room may approve an
    extension 延期 up to the limit), and feeds back 反馈; the grid worker verifies 核查 on site
    (failure sends it back to handling); the command room closes it 办结 and the grid worker
    evaluates 评价 it with 1-5 stars.  Small matters solved on the spot 就地解决 close at once;
    overdue cases may be supervised 督办.

    >>> e = event_lifecycle()
    >>> e.next_state("reported", "solve_on_spot"), e.final_states == {"rejected", "evaluated"}
    ('closed', True)
    """
    states = (
        new_state("reported", "上报", initial=True),
        new_state("accepted", "受理"),
        new_state("rejected", "不予受理", final=True),
        new_state("dispatched", "分流交办"),
        new_state("returned", "退回"),
        new_state("signed", "签收"),
        new_state("in_progress", "处置", en="in progress"),
        new_state("feedback", "反馈"),
        new_state("verified", "核查"),
        new_state("closed", "办结", timed=False, closing=True),
        new_state("evaluated", "评价", final=True),
    )
    triggers = (
        new_trigger("report", "上报", kind=TriggerKind.REPORT),
        new_trigger("register", "登记", "register (hotline, walk-in)", kind=TriggerKind.REPORT),
        new_trigger("solve_on_spot", "就地解决", "solve on the spot"),
        new_trigger("accept", "受理"),
        new_trigger("reject", "不予受理"),
        new_trigger("escalate", "上报市级", "escalate to the city", kind=TriggerKind.ESCALATE),
        new_trigger("dispatch", "分流交办", kind=TriggerKind.DISPATCH),
        new_trigger("sign", "签收"),
        new_trigger("return", "退回", kind=TriggerKind.RETURN),
        new_trigger("start", "开始处置", "start handling"),
        new_trigger("extend", "延期"),
        new_trigger("feed_back", "反馈", "feed back"),
        new_trigger("verify", "核查"),
        new_trigger("fail_verification", "核查不通过", "fail verification"),
        new_trigger("close", "办结"),
        new_trigger("evaluate", "评价", kind=TriggerKind.EVALUATE),
        new_trigger("supervise", "督办", kind=TriggerKind.SUPERVISE),
    )
    t = Transition
    transitions = (
        *reported("reported"),
        t(
            trigger="solve_on_spot",
            sources="reported",
            dest="closed",
            roles=GRID_ROLES,
            jurisdiction=Jurisdiction.LOCATION,
            requires={"result"},
            guards=(
                Guard(
                    key="on_the_spot_in_time",
                    label=label("within the on-the-spot limit (the same day)", "当日就地解决"),
                    check=_on_the_spot_in_time,
                ),
            ),
        ),
        t(
            trigger="accept",
            sources="reported",
            dest="accepted",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
        ),
        t(
            trigger="reject",
            sources="reported",
            dest="rejected",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="escalate",
            sources=("accepted", "returned"),
            dest=None,
            roles={"command_room_operator"},
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
            guards=(
                Guard(
                    key="held_by_town",
                    label=label("the case is held by a town", "由镇街承办"),
                    check=_holder_is_town,
                ),
            ),
            effects=(
                Effect(
                    key="to_city", label=label("to the city centre", "上报市级"), apply=_to_city
                ),
            ),
        ),
        t(
            trigger="dispatch",
            sources=("accepted", "returned"),
            dest="dispatched",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"units"},
            accepts={"note"},
            guards=(TARGETS_FIT, ONE_TARGET_IF_ORDINARY),
            effects=(ASSIGN,),
        ),
        t(
            trigger="sign",
            sources="dispatched",
            dest="signed",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
        ),
        t(
            trigger="return",
            sources="dispatched",
            dest="returned",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"reason"},
            effects=(UNASSIGN,),
        ),
        t(
            trigger="start",
            sources="signed",
            dest="in_progress",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
        ),
        t(
            trigger="extend",
            sources="in_progress",
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"days"},
            accepts={"reason"},
            guards=(
                Guard(
                    key="extension_within_limit",
                    label=label("longer than now, within the extension limit", "延期不超过上限"),
                    check=_extension_fits,
                ),
            ),
            effects=(
                Effect(
                    key="extend_deadline", label=label("extend the deadline", "延期"), apply=_extend
                ),
            ),
        ),
        t(
            trigger="feed_back",
            sources="in_progress",
            dest="feedback",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"result"},
        ),
        t(
            trigger="verify",
            sources="feedback",
            dest="verified",
            roles=GRID_ROLES,
            jurisdiction=Jurisdiction.LOCATION,
        ),
        t(
            trigger="fail_verification",
            sources="feedback",
            dest="in_progress",
            roles=GRID_ROLES,
            jurisdiction=Jurisdiction.LOCATION,
            requires={"reason"},
        ),
        t(
            trigger="close",
            sources="verified",
            dest="closed",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
        ),
        evaluation("closed"),
        supervision(_EVENT_OPEN),
    )
    return LifecycleDefinition(
        key="event",
        label=label("event closed loop", "事件闭环"),
        states=states,
        triggers=triggers,
        transitions=transitions,
        severities=(
            Severity(key="ordinary", label=label("ordinary", "一般")),
            Severity(key="larger", label=label("larger", "较大")),
            Severity(key="major", label=label("major", "重大")),
        ),
        deadlines=deadlines,
        holder_level=Level.TOWN,
        data_specs={
            **SHARED_DATA,
            "units": UNITS,
            "days": DataSpec.integer(1, MAX_DEADLINE_DAYS),
        },
    )


EVENT_LIFECYCLE = event_lifecycle()
"""The event closed loop 事件闭环 with default deadlines."""
