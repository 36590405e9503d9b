"""The event closed loop 事件闭环: report, dispatch, handle, verify, close, evaluate.

"网格员信息采集上报 → 综合信息指挥室分流交办 → 四个平台各职能站所执行处置 → 网格员评价".

>>> " ".join(s.label.zh for s in EVENT_LIFECYCLE.states)
'上报 受理 不予受理 分流交办 退回 签收 处置 挂起 反馈 核查 办结 评价 已合并 已撤件'
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
from ruian_governance.models import (
    MAX_DEADLINE_DAYS,
    DayCount,
    Deadline,
    DeadlinePolicy,
    Level,
    StepLimit,
)

from .guards import (
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
from .intake import (
    INTAKE_DATA,
    REWORK_LIMIT,
    honest_evaluation,
    intake_states,
    intake_transitions,
    intake_triggers,
)
from .joint import (
    ALL_ASSISTING_FED_BACK,
    ASSIGN_WITH_LEAD,
    ASSIST_NOT_SIGNED,
    ASSIST_SIGNED,
    DROP_ASSISTING,
    JOINT_DATA,
    LEAD_AMONG_UNITS,
    NOT_ORDINARY,
    TWO_PLATFORMS,
)
from .timing import (
    EXTEND_BY_REQUEST,
    EXTENSION_PENDING,
    EXTENSION_WITHIN_LIMITS,
    MOVE_DUE_BY_PAUSE,
    NO_EXTENSION_PENDING,
    NOT_LATE,
    PAUSE_WITHIN_LIMIT,
    RESTART_IF_POLICY,
    SIGNED_UNIT_LEAVES,
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
        "max_pause": Deadline(days=30, count=DayCount.WORKING),
    },
    steps={
        "reported": StepLimit(hours=4),
        "accepted": StepLimit(hours=4),
        "returned": StepLimit(hours=4),
        "dispatched": StepLimit(hours=2),
        "signed": StepLimit(days=1),
        "feedback": StepLimit(days=1),
        "verified": StepLimit(days=1),
    },
    warn_share=0.8,
    max_extensions=2,
)
"""Event deadlines: 3 working days ordinary, 7 larger and major [other]; extensions add at most
15 working days in all, two at most; pauses at most 30 working days in all.  Step limits 亮灯预警
(design choice, after common county practice): accept, dispatch and re-dispatch within 4
working hours, sign 签收 within 2, start within a working day, verify 核查 and close 办结 each
within a working day; handling 处置 itself runs against the case's deadline.  Yellow at 80%."""


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


_EVENT_OPEN = (
    "accepted",
    "returned",
    "dispatched",
    "signed",
    "in_progress",
    "paused",
    "feedback",
    "verified",
)

_HANDLING = ("dispatched", "signed", "in_progress")
"""The states in which assisting units 协办 sign, return and feed back on their own."""


def event_lifecycle(
    *, deadlines: DeadlinePolicy = EVENT_DEADLINES, rework_limit: int = REWORK_LIMIT
) -> LifecycleDefinition:
    """Build the event closed loop 事件闭环 with the given deadlines.

    Grid workers report 上报; the town's command room accepts 受理 or rejects 不予受理 (with a
    reason) and dispatches 分流交办 to one station, or several for a larger 较大 event: a lead
    unit 主办 (``lead``, else the first of ``units``) and assisting units 协办, who may meet in a
    joint meeting of the four platforms 四平台联席会议 (recorded with the ``platforms`` present
    and the ``decision``); a major 重大 event is escalated to the city centre, which dispatches
    to departments.  The lead signs 签收 or returns 退回 it (with a reason: back to the command
    room), handles it 处置 and feeds back 反馈 once every assisting unit has fed back; each
    assisting unit signs, returns (leaving the others) and feeds back on its own.  After
    signing the command room may reassign 转派 it (with a reason) to other units.  While it is
    handled, the command room may pause 挂起 it for some working days (the clock stops) and
    resume 恢复 it (the deadline moves by the paused working time), and answer the lead's
    extension requests 延期申请 (approve 批准 or refuse 不予延期).  The grid worker verifies 核查
    on site (failure sends it back to handling); the command room closes it 办结 and the grid
    worker evaluates 评价 it with 1-5 stars.  Small matters solved on the spot 就地解决 close
    at once; overdue cases may be supervised 督办.

    Intake, duplicates and honest evaluation (:mod:`.intake`): citizens' reports through the
    app, the 12345 hotline or the walk-in window 一窗受理, withdrawal 撤件, duplicates merged
    重复件合并 and related cases linked 关联件, spot checks 抽查 of on-the-spot solutions, rework
    重办 after an unsatisfied rating (at most ``rework_limit`` times) and the reporter's
    callback 回访; nobody evaluates their own work.

    Raises:
        ArgumentError: ``rework_limit`` is not a whole number from 0 to 10.

    >>> e = event_lifecycle()
    >>> e.next_state("reported", "solve_on_spot"), sorted(e.final_states)
    ('closed', ['evaluated', 'merged', 'rejected', 'withdrawn'])
    >>> e.next_state("in_progress", "pause"), e.next_state("paused", "resume")
    ('paused', 'in_progress')
    """
    states = (
        new_state("reported", "上报", initial=True),
        new_state("accepted", "受理"),
        new_state("rejected", "不予受理", final=True),
        new_state("dispatched", "分流交办"),
        new_state("returned", "退回"),
        new_state("signed", "签收"),
        new_state("in_progress", "处置", en="in progress"),
        new_state("paused", "挂起", timed=False, paused=True),
        new_state("feedback", "反馈"),
        new_state("verified", "核查"),
        new_state("closed", "办结", timed=False, closing=True),
        new_state("evaluated", "评价", final=True),
        # -- intake, duplicates, honest evaluation (issue 12 points 6-8: .intake)
        *intake_states(),
    )
    triggers = (
        new_trigger("report", "上报", kind=TriggerKind.REPORT),
        new_trigger("register", "登记", "register (hotline, walk-in)", kind=TriggerKind.REPORT),
        new_trigger("solve_on_spot", "就地解决", "solve on the spot"),
        new_trigger("accept", "受理"),
        new_trigger("reject", "不予受理"),
        new_trigger("escalate", "上报市级", "escalate to the city", kind=TriggerKind.ESCALATE),
        new_trigger("dispatch", "分流交办", kind=TriggerKind.DISPATCH),
        new_trigger("joint_meeting", "四平台联席会议", "joint meeting of the platforms"),
        new_trigger("sign", "签收"),
        new_trigger("return", "退回", kind=TriggerKind.RETURN),
        new_trigger("assist_sign", "协办签收", "sign as an assisting unit"),
        new_trigger("assist_return", "协办退回", "return as an assisting unit"),
        new_trigger("assist_feed_back", "协办反馈", "feed back as an assisting unit"),
        new_trigger("reassign", "转派", kind=TriggerKind.DISPATCH),
        new_trigger("start", "开始处置", "start handling"),
        new_trigger("pause", "挂起", kind=TriggerKind.PAUSE),
        new_trigger("resume", "恢复", kind=TriggerKind.RESUME),
        new_trigger("request_extension", "延期申请", "request an extension"),
        new_trigger(
            "approve_extension", "批准延期", "approve the extension", kind=TriggerKind.EXTEND
        ),
        new_trigger("refuse_extension", "不予延期", "refuse the extension"),
        new_trigger("feed_back", "反馈", "feed back"),
        new_trigger("verify", "核查"),
        new_trigger("fail_verification", "核查不通过", "fail verification"),
        new_trigger("close", "办结"),
        new_trigger("evaluate", "评价", kind=TriggerKind.EVALUATE),
        new_trigger("supervise", "督办", kind=TriggerKind.SUPERVISE),
        # -- intake, duplicates, honest evaluation (issue 12 points 6-8: .intake)
        *intake_triggers(),
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
            accepts={"note", "lead"},
            guards=(TARGETS_FIT, ONE_TARGET_IF_ORDINARY, LEAD_AMONG_UNITS),
            effects=(ASSIGN_WITH_LEAD,),
        ),
        *_joint_handling(),
        t(
            trigger="start",
            sources="signed",
            dest="in_progress",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.LEAD,
        ),
        *_clock(),
        t(
            trigger="feed_back",
            sources="in_progress",
            dest="feedback",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.LEAD,
            requires={"result"},
            guards=(ALL_ASSISTING_FED_BACK,),
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
        supervision(_EVENT_OPEN),
        # -- intake, duplicates, honest evaluation (issue 12 points 6-8: .intake)
        honest_evaluation(evaluation("closed"), rework_limit=rework_limit),
        *intake_transitions(
            before_dispatch=("reported", "accepted"),
            open_states=("reported", *_EVENT_OPEN),
            rework_limit=rework_limit,
        ),
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
            **JOINT_DATA,
            "units": UNITS,
            "days": DataSpec.integer(1, MAX_DEADLINE_DAYS),
            **INTAKE_DATA,
        },
    )


def _joint_handling() -> tuple[Transition, ...]:
    """Joint handling 联办 and reassignment 转派 (see :mod:`.joint`).

    The lead's sign and return, the assisting units' own commands, the joint meeting
    四平台联席会议 and the reassignment.
    """
    t = Transition
    return (
        t(
            trigger="joint_meeting",
            sources=("accepted", "returned", *_HANDLING),
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"platforms", "decision"},
            accepts={"note"},
            guards=(NOT_ORDINARY, TWO_PLATFORMS),
        ),
        t(
            trigger="sign",
            sources="dispatched",
            dest="signed",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.LEAD,
        ),
        t(
            trigger="return",
            sources="dispatched",
            dest="returned",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.LEAD,
            requires={"reason"},
            effects=(UNASSIGN,),
        ),
        t(
            trigger="assist_sign",
            sources=_HANDLING,
            dest=None,
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSISTING,
            guards=(ASSIST_NOT_SIGNED,),
        ),
        t(
            trigger="assist_return",
            sources=_HANDLING,
            dest=None,
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSISTING,
            requires={"reason"},
            guards=(ASSIST_NOT_SIGNED,),
            effects=(DROP_ASSISTING,),
        ),
        t(
            trigger="assist_feed_back",
            sources=_HANDLING,
            dest=None,
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSISTING,
            requires={"result"},
            guards=(ASSIST_SIGNED,),
        ),
        t(
            trigger="reassign",
            sources=("signed", "in_progress"),
            dest="dispatched",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"units", "reason"},
            accepts={"note", "lead"},
            guards=(TARGETS_FIT, ONE_TARGET_IF_ORDINARY, LEAD_AMONG_UNITS, SIGNED_UNIT_LEAVES),
            effects=(ASSIGN_WITH_LEAD, RESTART_IF_POLICY),
        ),
    )


def _clock() -> tuple[Transition, ...]:
    """Pause 挂起 and resume 恢复, extension requests 延期 (see :mod:`.timing`)."""
    t = Transition
    return (
        t(
            trigger="pause",
            sources="in_progress",
            dest="paused",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"days", "reason"},
            guards=(NOT_LATE, PAUSE_WITHIN_LIMIT),
        ),
        t(
            trigger="resume",
            sources="paused",
            dest="in_progress",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            accepts={"note"},
            effects=(MOVE_DUE_BY_PAUSE,),
        ),
        t(
            trigger="request_extension",
            sources="in_progress",
            dest=None,
            roles=HANDLERS,
            jurisdiction=Jurisdiction.LEAD,
            requires={"days", "reason"},
            guards=(NO_EXTENSION_PENDING, EXTENSION_WITHIN_LIMITS),
        ),
        t(
            trigger="approve_extension",
            sources=("in_progress", "paused"),
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            accepts={"note"},
            guards=(EXTENSION_PENDING,),
            effects=(EXTEND_BY_REQUEST,),
        ),
        t(
            trigger="refuse_extension",
            sources=("in_progress", "paused"),
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
            guards=(EXTENSION_PENDING,),
        ),
    )


EVENT_LIFECYCLE = event_lifecycle()
"""The event closed loop 事件闭环 with default deadlines."""
