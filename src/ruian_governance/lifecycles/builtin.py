"""The three built-in lifecycles: events 事件闭环, disputes 矛盾纠纷, hazards 隐患整改.

Each is a :class:`~ruian_governance.LifecycleDefinition` built by a factory that takes its
deadline policy, so every time limit is configurable; the module constants use the defaults of
the domain notes (same day on the spot, 3 working days ordinary, 7 hard, extension to 15 at most;
disputes 1 / 7 / 20 days and 30 days to apply for judicial confirmation; hazards a 60-day loop).

>>> from ruian_governance import DISPUTE_LIFECYCLE, EVENT_LIFECYCLE, HAZARD_LIFECYCLE
>>> [s.label.zh for s in EVENT_LIFECYCLE.states]
['上报', '受理', '不予受理', '分流交办', '退回', '签收', '处置', '反馈', '核查', '办结', '评价']
>>> DISPUTE_LIFECYCLE.next_state("people_mediation", "next_mediation")
'administrative_mediation'
>>> HAZARD_LIFECYCLE.state("closed").label.zh
'销号/摘牌'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ruian_governance.errors import UnknownIdError
from ruian_governance.labels import Label
from ruian_governance.models import (
    AdminUnit,
    Case,
    DayCount,
    Deadline,
    DeadlinePolicy,
    Department,
    Level,
    Station,
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
from .engine import Command

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
    "dispute_lifecycle",
    "event_lifecycle",
    "hazard_lifecycle",
    "hazard_rung",
]

_J = Jurisdiction


def _l(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


def _state(key: str, zh: str, *, en: str | None = None, **flags: bool) -> State:
    return State(key=key, label=_l(en or key.replace("_", " "), zh), **flags)


_FIND = TriggerKind.FIND


def _trigger(
    key: str, zh: str, en: str | None = None, *, kind: TriggerKind | None = None
) -> Trigger:
    return Trigger(key=key, label=_l(en or key.replace("_", " "), zh), kind=kind)


# --------------------------------------------------------------------------- shared guards


def _is_overdue(command: Command) -> bool:
    due = command.case.due_at
    return due is not None and command.at >= due


OVERDUE = Guard(
    key="overdue", label=_l("the case is past its deadline", "已超期"), check=_is_overdue
)


def _stars_in_range(command: Command) -> bool:
    stars = command.data.get("stars")
    return isinstance(stars, int) and not isinstance(stars, bool) and 1 <= stars <= 5


STARS = Guard(key="stars_1_to_5", label=_l("1 to 5 stars", "1-5星"), check=_stars_in_range)


def _targets(command: Command) -> tuple[str, ...] | None:
    units = command.data.get("units")
    if type(units) is tuple and units and all(type(u) is str for u in units):
        return units
    if isinstance(units, str):
        return (units,)
    return None


def _targets_fit(command: Command) -> bool:
    """Stations of the holding town, or city departments when the city holds the case."""
    targets = _targets(command)
    if targets is None or len(set(targets)) != len(targets):
        return False
    h = command.hierarchy
    holder = command.case.unit_id
    for target in targets:
        try:
            node = h.get(target)
        except UnknownIdError:
            return False
        if type(node) is Station:
            if node.town_id != holder:
                return False
        elif type(node) is Department:
            if holder != h.city.id:
                return False
        else:
            return False
    return True


TARGETS_FIT = Guard(
    key="targets_fit",
    label=_l(
        "units are stations of the holding town, or departments when the city holds the case",
        "交办对象为承办镇街的站所或市级部门",
    ),
    check=_targets_fit,
)


def _one_target_unless_coordinated(command: Command) -> bool:
    targets = _targets(command) or ()
    return command.case.severity != "ordinary" or len(targets) == 1


ONE_TARGET_IF_ORDINARY = Guard(
    key="one_unit_if_ordinary",
    label=_l("an ordinary case goes to exactly one unit", "一般事件交办一个单位"),
    check=_one_target_unless_coordinated,
)


def _assign(command: Command) -> Mapping[str, Any]:
    return {"assignees": _targets(command) or ()}


ASSIGN = Effect(key="assign", label=_l("assign the units", "交办"), apply=_assign)
UNASSIGN = Effect(
    key="unassign", label=_l("clear the assignment", "撤回交办"), apply=lambda _c: {"assignees": ()}
)


# --------------------------------------------------------------------------- event closed loop

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


def _on_the_spot_in_time(command: Command) -> bool:
    limit = command.lifecycle.deadlines.limits.get("on_the_spot")
    if limit is None:
        return True
    calendar = command.lifecycle.deadlines.calendar
    return command.at < limit.due(command.case.opened_at, calendar=calendar)


def _holder_is_town(command: Command) -> bool:
    return command.hierarchy.unit(command.case.unit_id).level is Level.TOWN


def _to_city(command: Command) -> Mapping[str, Any]:
    deadlines = command.lifecycle.deadlines
    changes: dict[str, Any] = {"unit_id": command.hierarchy.city.id, "severity": "major"}
    if "major" in deadlines.by_severity:
        changes["due_at"] = deadlines.due("major", command.case.opened_at)
    return changes


def _extension(command: Command) -> Deadline | None:
    days = command.data.get("days")
    if not isinstance(days, int) or isinstance(days, bool):
        return None
    limit = command.lifecycle.deadlines.limits.get("max_extension")
    if limit is None or not 0 < days <= limit.days:
        return None
    return Deadline(days=days, count=limit.count)


def _extension_fits(command: Command) -> bool:
    deadline = _extension(command)
    if deadline is None:
        return False
    new_due = deadline.due(command.case.opened_at, calendar=command.lifecycle.deadlines.calendar)
    return command.case.due_at is None or new_due > command.case.due_at


def _extend(command: Command) -> Mapping[str, Any]:
    deadline = _extension(command)
    if deadline is None:  # the guard refuses such commands first
        return {}
    calendar = command.lifecycle.deadlines.calendar
    return {"due_at": deadline.due(command.case.opened_at, calendar=calendar)}


_EVENT_REPORTERS = frozenset({"grid_worker", "micro_grid_worker", "grid_leader", "village_cadre"})
_GRID = frozenset({"grid_worker", "micro_grid_worker", "grid_leader"})
_TRIAGE = frozenset({"command_room_operator", "centre_officer"})
_HANDLERS = frozenset({"station_officer", "department_officer"})
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
        _state("reported", "上报", initial=True),
        _state("accepted", "受理"),
        _state("rejected", "不予受理", final=True),
        _state("dispatched", "分流交办"),
        _state("returned", "退回"),
        _state("signed", "签收"),
        _state("in_progress", "处置", en="in progress"),
        _state("feedback", "反馈"),
        _state("verified", "核查"),
        _state("closed", "办结", timed=False, closing=True),
        _state("evaluated", "评价", final=True),
    )
    triggers = (
        _trigger("report", "上报", kind=TriggerKind.REPORT),
        _trigger("register", "登记", "register (hotline, walk-in)", kind=TriggerKind.REPORT),
        _trigger("solve_on_spot", "就地解决", "solve on the spot"),
        _trigger("accept", "受理"),
        _trigger("reject", "不予受理"),
        _trigger("escalate", "上报市级", "escalate to the city", kind=TriggerKind.ESCALATE),
        _trigger("dispatch", "分流交办", kind=TriggerKind.DISPATCH),
        _trigger("sign", "签收"),
        _trigger("return", "退回", kind=TriggerKind.RETURN),
        _trigger("start", "开始处置", "start handling"),
        _trigger("extend", "延期"),
        _trigger("feed_back", "反馈", "feed back"),
        _trigger("verify", "核查"),
        _trigger("fail_verification", "核查不通过", "fail verification"),
        _trigger("close", "办结"),
        _trigger("evaluate", "评价", kind=TriggerKind.EVALUATE),
        _trigger("supervise", "督办", kind=TriggerKind.SUPERVISE),
    )
    t = Transition
    transitions = (
        t(
            trigger="report",
            sources=(),
            dest="reported",
            roles=_EVENT_REPORTERS,
            jurisdiction=_J.LOCATION,
            accepts={"description"},
        ),
        t(
            trigger="register",
            sources=(),
            dest="reported",
            roles={"command_room_operator"},
            jurisdiction=_J.TOWN,
            accepts={"description", "channel"},
        ),
        t(
            trigger="solve_on_spot",
            sources="reported",
            dest="closed",
            roles=_GRID,
            jurisdiction=_J.LOCATION,
            requires={"result"},
            guards=(
                Guard(
                    key="on_the_spot_in_time",
                    label=_l("within the on-the-spot limit (the same day)", "当日就地解决"),
                    check=_on_the_spot_in_time,
                ),
            ),
        ),
        t(
            trigger="accept",
            sources="reported",
            dest="accepted",
            roles=_TRIAGE,
            jurisdiction=_J.HOLDER,
        ),
        t(
            trigger="reject",
            sources="reported",
            dest="rejected",
            roles=_TRIAGE,
            jurisdiction=_J.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="escalate",
            sources=("accepted", "returned"),
            dest=None,
            roles={"command_room_operator"},
            jurisdiction=_J.HOLDER,
            requires={"reason"},
            guards=(
                Guard(
                    key="held_by_town",
                    label=_l("the case is held by a town", "由镇街承办"),
                    check=_holder_is_town,
                ),
            ),
            effects=(
                Effect(key="to_city", label=_l("to the city centre", "上报市级"), apply=_to_city),
            ),
        ),
        t(
            trigger="dispatch",
            sources=("accepted", "returned"),
            dest="dispatched",
            roles=_TRIAGE,
            jurisdiction=_J.HOLDER,
            requires={"units"},
            accepts={"note"},
            guards=(TARGETS_FIT, ONE_TARGET_IF_ORDINARY),
            effects=(ASSIGN,),
        ),
        t(
            trigger="sign",
            sources="dispatched",
            dest="signed",
            roles=_HANDLERS,
            jurisdiction=_J.ASSIGNED,
        ),
        t(
            trigger="return",
            sources="dispatched",
            dest="returned",
            roles=_HANDLERS,
            jurisdiction=_J.ASSIGNED,
            requires={"reason"},
            effects=(UNASSIGN,),
        ),
        t(
            trigger="start",
            sources="signed",
            dest="in_progress",
            roles=_HANDLERS,
            jurisdiction=_J.ASSIGNED,
        ),
        t(
            trigger="extend",
            sources="in_progress",
            dest=None,
            roles=_TRIAGE,
            jurisdiction=_J.HOLDER,
            requires={"days"},
            accepts={"reason"},
            guards=(
                Guard(
                    key="extension_within_limit",
                    label=_l("longer than now, within the extension limit", "延期不超过上限"),
                    check=_extension_fits,
                ),
            ),
            effects=(
                Effect(
                    key="extend_deadline", label=_l("extend the deadline", "延期"), apply=_extend
                ),
            ),
        ),
        t(
            trigger="feed_back",
            sources="in_progress",
            dest="feedback",
            roles=_HANDLERS,
            jurisdiction=_J.ASSIGNED,
            requires={"result"},
        ),
        t(
            trigger="verify",
            sources="feedback",
            dest="verified",
            roles=_GRID,
            jurisdiction=_J.LOCATION,
        ),
        t(
            trigger="fail_verification",
            sources="feedback",
            dest="in_progress",
            roles=_GRID,
            jurisdiction=_J.LOCATION,
            requires={"reason"},
        ),
        t(
            trigger="close",
            sources="verified",
            dest="closed",
            roles=_TRIAGE,
            jurisdiction=_J.HOLDER,
        ),
        t(
            trigger="evaluate",
            sources="closed",
            dest="evaluated",
            roles=_EVENT_REPORTERS,
            jurisdiction=_J.LOCATION,
            requires={"stars"},
            accepts={"comment"},
            guards=(STARS,),
        ),
        t(
            trigger="supervise",
            sources=_EVENT_OPEN,
            dest=None,
            roles=_TRIAGE,
            jurisdiction=_J.HOLDER_OR_ABOVE,
            accepts={"note"},
            guards=(OVERDUE,),
        ),
    )
    return LifecycleDefinition(
        key="event",
        label=_l("event closed loop", "事件闭环"),
        states=states,
        triggers=triggers,
        transitions=transitions,
        severities=(
            Severity(key="ordinary", label=_l("ordinary", "一般")),
            Severity(key="larger", label=_l("larger", "较大")),
            Severity(key="major", label=_l("major", "重大")),
        ),
        deadlines=deadlines,
        holder_level=Level.TOWN,
    )


# --------------------------------------------------------------------------- disputes

DISPUTE_DEADLINES = DeadlinePolicy(
    by_severity={
        "simple": Deadline(days=1),
        "complex": Deadline(days=7),
        "difficult": Deadline(days=20),
    },
    limits={"judicial_confirmation": Deadline(days=30)},
)
"""Dispute deadlines (calendar days) by triage tier, and 30 days to apply for 司法确认."""

TRIAGE_LEVELS: Mapping[str, Level] = {
    "simple": Level.VILLAGE,
    "complex": Level.TOWN,
    "difficult": Level.CITY,
}
"""Which level a dispute of each triage tier goes to: simple -> village, complex -> town,
difficult -> city (领导包案)."""

MEDIATION_LADDER: tuple[str, ...] = (
    "people_mediation",
    "administrative_mediation",
    "court_mediation",
    "litigation",
)
"""The mediation ladder, one rung at a time: 人民调解 -> 行政/专业调解 -> 诉前调解 -> 诉讼."""


def _level_unit(command: Command, level: Level) -> str:
    h = command.hierarchy
    location = h.unit(command.case.location_id)
    if location.level.depth <= level.depth:
        return location.id
    return next(u.id for u in h.ancestors(location.id) if u.level is level)


def _tier_known(command: Command) -> bool:
    return command.data.get("tier") in TRIAGE_LEVELS


def _triage(command: Command) -> Mapping[str, Any]:
    tier = str(command.data["tier"])
    changes: dict[str, Any] = {
        "severity": tier,
        "unit_id": _level_unit(command, TRIAGE_LEVELS[tier]),
    }
    if tier in command.lifecycle.deadlines.by_severity:
        changes["due_at"] = command.lifecycle.deadlines.due(tier, command.at)
    return changes


def _below_city(command: Command) -> bool:
    return command.hierarchy.unit(command.case.unit_id).level is not Level.CITY


def _one_level_up(command: Command) -> Mapping[str, Any]:
    parent = command.hierarchy.parent(command.case.unit_id)
    if not isinstance(parent, AdminUnit):  # the city: the guard refuses such commands first
        return {}
    return {"unit_id": parent.id}


def _task_force_fits(command: Command) -> bool:
    h = command.hierarchy
    if h.unit(command.case.unit_id).level is Level.VILLAGE:
        return False
    commander = command.data.get("commander")
    departments = command.data.get("departments")
    if isinstance(departments, str):
        departments = (departments,)
    if not isinstance(commander, str) or commander not in h:
        return False
    person = h.get(commander)
    if not hasattr(person, "posts") or not any(
        p.role == "task_force_commander" for p in person.posts
    ):
        return False
    return (
        isinstance(departments, tuple)
        and len(departments) > 0
        and all(
            isinstance(d, str) and isinstance(h.get(d) if d in h else None, Department)
            for d in departments
        )
    )


def _form_task_force(command: Command) -> Mapping[str, Any]:
    h = command.hierarchy
    departments = command.data["departments"]
    members = (departments,) if isinstance(departments, str) else tuple(departments)  # type: ignore[arg-type]
    commander = h.person(str(command.data["commander"]))
    units = [p.unit_id for p in commander.posts if p.role == "task_force_commander"]
    return {"assignees": tuple(dict.fromkeys((*members, *units)))}


def _within_confirmation_window(command: Command) -> bool:
    agreed = command.case.records("reach_agreement")
    limit = command.lifecycle.deadlines.limits.get("judicial_confirmation")
    if not agreed or limit is None:
        return False
    return command.at < limit.due(agreed[-1].at, calendar=command.lifecycle.deadlines.calendar)


_DISPUTE_REPORTERS = _EVENT_REPORTERS
_MEDIATORS = frozenset(
    {
        "village_cadre",
        "command_room_operator",
        "station_officer",
        "centre_officer",
        "department_officer",
    }
)
_MEDIATING = ("people_mediation", "administrative_mediation", "court_mediation")
_DISPUTE_OPEN = ("transferred", *_MEDIATING, "litigation", "agreement", "judicial_confirmation")


def dispute_lifecycle(*, deadlines: DeadlinePolicy = DISPUTE_DEADLINES) -> LifecycleDefinition:
    """Build the dispute lifecycle 矛盾纠纷多元化解 with the given deadlines.

    The backbone 筛选-流转-处置-办结-监管-研判-评价: the town screens 筛选 a reported dispute
    and triages it (simple -> village, complex -> town, difficult -> city); it is transferred
    流转 there and handled 处置 up the mediation ladder one rung at a time (people's 人民调解 ->
    administrative / professional 行政/专业调解 -> pre-litigation court 诉前调解 -> litigation
    referral 诉讼); escalation 上移 goes strictly one level up at a time (village -> town ->
    city).  A town or city case may get a task force 专班 (a commander and member departments)
    who record their progress.  A mediation agreement 调解协议 may apply for judicial
    confirmation 司法确认 within 30 days.  Completion 办结 is followed by supervision review 监管,
    analysis 研判 and evaluation 评价.

    >>> d = dispute_lifecycle()
    >>> [d.state(k).label.zh for k in ("screening", "transferred", "completed", "reviewed")]
    ['筛选', '流转', '办结', '监管']
    """
    states = (
        _state("screening", "筛选", initial=True),
        _state("dismissed", "不予受理", final=True),
        _state("transferred", "流转"),
        _state("people_mediation", "人民调解", en="people's mediation"),
        _state(
            "administrative_mediation",
            "行政/专业调解",
            en="administrative / professional mediation",
        ),
        _state("court_mediation", "诉前调解", en="pre-litigation court mediation"),
        _state("litigation", "诉讼", en="referred to litigation"),
        _state("agreement", "调解协议", en="mediation agreement"),
        _state("judicial_confirmation", "司法确认", en="judicial confirmation applied for"),
        _state("completed", "办结", timed=False, closing=True),
        _state("reviewed", "监管", en="supervision review", timed=False),
        _state("analysed", "研判", timed=False),
        _state("evaluated", "评价", final=True),
    )
    triggers = (
        _trigger("report", "上报", kind=TriggerKind.REPORT),
        _trigger("register", "登记", kind=TriggerKind.REPORT),
        _trigger("triage", "分级分流"),
        _trigger("dismiss", "不予受理"),
        _trigger("start_mediation", "开始调解", "start mediation"),
        _trigger("next_mediation", "转下一级调解", "move up the mediation ladder"),
        _trigger("refer_litigation", "引导诉讼", "refer to litigation"),
        _trigger("escalate", "逐级上移", "escalate one level", kind=TriggerKind.ESCALATE),
        _trigger("form_task_force", "组建专班", "form a task force"),
        _trigger("draft_strategy", "制定调解方案", "draft the mediation strategy"),
        _trigger("record_progress", "上传进展", "record progress"),
        _trigger("reach_agreement", "达成调解协议", "reach a mediation agreement"),
        _trigger("apply_confirmation", "申请司法确认", "apply for judicial confirmation"),
        _trigger("confirm", "司法确认", "confirm judicially"),
        _trigger("complete", "办结"),
        _trigger("review", "监管"),
        _trigger("analyse", "研判"),
        _trigger("evaluate", "评价", kind=TriggerKind.EVALUATE),
        _trigger("supervise", "督办", kind=TriggerKind.SUPERVISE),
    )
    t = Transition
    transitions = (
        t(
            trigger="report",
            sources=(),
            dest="screening",
            roles=_DISPUTE_REPORTERS,
            jurisdiction=_J.LOCATION,
            accepts={"description"},
        ),
        t(
            trigger="register",
            sources=(),
            dest="screening",
            roles={"command_room_operator"},
            jurisdiction=_J.TOWN,
            accepts={"description", "channel"},
        ),
        t(
            trigger="triage",
            sources="screening",
            dest="transferred",
            roles={"command_room_operator"},
            jurisdiction=_J.HOLDER,
            requires={"tier"},
            accepts={"note"},
            guards=(
                Guard(key="tier_known", label=_l("a known tier", "已知分级"), check=_tier_known),
            ),
            effects=(
                Effect(
                    key="triage", label=_l("send to the tier's level", "分级分流"), apply=_triage
                ),
            ),
        ),
        t(
            trigger="dismiss",
            sources="screening",
            dest="dismissed",
            roles={"command_room_operator"},
            jurisdiction=_J.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="start_mediation",
            sources="transferred",
            dest="people_mediation",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            accepts={"note"},
        ),
        t(
            trigger="next_mediation",
            sources="people_mediation",
            dest="administrative_mediation",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="next_mediation",
            sources="administrative_mediation",
            dest="court_mediation",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="refer_litigation",
            sources="court_mediation",
            dest="litigation",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="escalate",
            sources=("transferred", *_MEDIATING),
            dest=None,
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            requires={"reason"},
            guards=(
                Guard(
                    key="below_city",
                    label=_l("not yet at the city", "尚未到市级"),
                    check=_below_city,
                ),
            ),
            effects=(
                Effect(
                    key="one_level_up", label=_l("one level up", "上移一级"), apply=_one_level_up
                ),
            ),
        ),
        t(
            trigger="form_task_force",
            sources=_MEDIATING,
            dest=None,
            roles={"command_room_operator", "centre_officer"},
            jurisdiction=_J.HOLDER,
            requires={"commander", "departments"},
            guards=(
                Guard(
                    key="task_force_fits",
                    label=_l("a town or city case, a commander and departments", "专班条件"),
                    check=_task_force_fits,
                ),
            ),
            effects=(
                Effect(
                    key="task_force",
                    label=_l("assign the task force", "组建专班"),
                    apply=_form_task_force,
                ),
            ),
        ),
        t(
            trigger="draft_strategy",
            sources=_MEDIATING,
            dest=None,
            roles={"task_force_commander"},
            jurisdiction=_J.ASSIGNED,
            requires={"strategy"},
        ),
        t(
            trigger="record_progress",
            sources=_MEDIATING,
            dest=None,
            roles={"task_force_commander", "department_officer"},
            jurisdiction=_J.ASSIGNED,
            requires={"note"},
            accepts={"claims"},
        ),
        t(
            trigger="reach_agreement",
            sources=_MEDIATING,
            dest="agreement",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            requires={"terms"},
        ),
        t(
            trigger="apply_confirmation",
            sources="agreement",
            dest="judicial_confirmation",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            guards=(
                Guard(
                    key="within_confirmation_window",
                    label=_l("within the window after the agreement", "协议生效后30日内申请"),
                    check=_within_confirmation_window,
                ),
            ),
        ),
        t(
            trigger="confirm",
            sources="judicial_confirmation",
            dest="completed",
            roles={"department_officer"},
            jurisdiction=_J.CITY,
            accepts={"ruling"},
        ),
        t(
            trigger="complete",
            sources=("agreement", "litigation"),
            dest="completed",
            roles=_MEDIATORS,
            jurisdiction=_J.HOLDER,
            accepts={"outcome"},
        ),
        t(
            trigger="review",
            sources="completed",
            dest="reviewed",
            roles={"centre_officer"},
            jurisdiction=_J.CITY,
            accepts={"note"},
        ),
        t(
            trigger="analyse",
            sources="reviewed",
            dest="analysed",
            roles={"centre_officer"},
            jurisdiction=_J.CITY,
            accepts={"finding"},
        ),
        t(
            trigger="evaluate",
            sources="analysed",
            dest="evaluated",
            roles=_DISPUTE_REPORTERS,
            jurisdiction=_J.LOCATION,
            requires={"stars"},
            accepts={"comment"},
            guards=(STARS,),
        ),
        t(
            trigger="supervise",
            sources=_DISPUTE_OPEN,
            dest=None,
            roles={"centre_officer", "command_room_operator"},
            jurisdiction=_J.HOLDER_OR_ABOVE,
            accepts={"note"},
            guards=(OVERDUE,),
        ),
    )
    return LifecycleDefinition(
        key="dispute",
        label=_l("dispute resolution", "矛盾纠纷多元化解"),
        states=states,
        triggers=triggers,
        transitions=transitions,
        severities=(
            Severity(key="simple", label=_l("simple", "简单")),
            Severity(key="complex", label=_l("complex", "复杂")),
            Severity(key="difficult", label=_l("difficult", "疑难")),
        ),
        deadlines=deadlines,
        holder_level=Level.TOWN,
    )


# --------------------------------------------------------------------------- hazards

HAZARD_DEADLINES = DeadlinePolicy(
    by_severity={"general": Deadline(days=60), "major": Deadline(days=60)},
)
"""Hazard deadlines: the 60-day closed loop (calendar days) for every hazard."""

HAZARD_LADDER: tuple[str, ...] = ("list_for_supervision", "circulate", "summon", "hold_accountable")
"""The overdue ladder, one rung at a time: 挂牌督办 -> 通报 -> 约谈 -> 责任追究."""


def hazard_rung(case: Case) -> int:
    """Return how many rungs of :data:`HAZARD_LADDER` a hazard case has climbed (0-4).

    >>> from ruian_governance.lifecycles import HAZARD_LADDER
    >>> len(HAZARD_LADDER)
    4
    """
    ladder = set(HAZARD_LADDER)
    return sum(1 for r in case.history if r.trigger in ladder)


def _next_rung(rung: int) -> Callable[[Command], bool]:
    def check(command: Command) -> bool:
        return hazard_rung(command.case) == rung

    return check


_FIVE_FIXED = frozenset({"responsibility", "measures", "deadline", "funds", "plan"})
_SUPERVISORS = frozenset({"command_room_operator", "centre_officer"})
_LADDER_ZH = ("挂牌督办", "通报", "约谈", "责任追究")
_LADDER_EN = ("list for supervision", "circulate", "summon", "hold accountable")


def hazard_lifecycle(*, deadlines: DeadlinePolicy = HAZARD_DEADLINES) -> LifecycleDefinition:
    """Build the hazard-rectification lifecycle 隐患整改 with the given deadlines.

    A hazard is discovered in a covert inspection 暗访, a routine check or a grid patrol; the
    command room (or the centre) assigns it with a rectification notice 整改交办单; the assigned
    unit rectifies it with the five fixed 五落实 (responsibility, measures, deadline, funds,
    plan), submits it for checking 验收, and it is closed 销号 (delisted 摘牌) or sent back.
    Overdue, it climbs the ladder one rung at a time: listed for supervision 挂牌督办 ->
    circular 通报 -> summons 约谈 -> accountability 责任追究, each a history record.

    >>> h = hazard_lifecycle()
    >>> [h.trigger(k).label.zh for k in HAZARD_LADDER]
    ['挂牌督办', '通报', '约谈', '责任追究']
    """
    states = (
        _state("discovered", "发现", initial=True),
        _state("assigned", "交办", en="assigned (rectification notice)"),
        _state("rectifying", "整改中"),
        _state("checking", "验收", en="checking / acceptance"),
        _state("closed", "销号/摘牌", en="closed / delisted", final=True, closing=True),
    )
    triggers = (
        _trigger(
            "find_in_covert_inspection",
            "暗访发现",
            "found in a covert inspection",
            kind=TriggerKind.FIND,
        ),
        _trigger(
            "find_in_routine_check",
            "日常检查发现",
            "found in a routine check",
            kind=TriggerKind.FIND,
        ),
        _trigger("find_on_patrol", "网格巡查发现", "found on grid patrol", kind=TriggerKind.FIND),
        _trigger("assign", "整改交办", kind=TriggerKind.DISPATCH),
        _trigger("start_rectification", "落实整改", "start rectification"),
        _trigger("submit_for_check", "申请验收", "submit for checking"),
        _trigger("pass_check", "验收通过", "pass the check"),
        _trigger("fail_check", "验收不通过", "fail the check"),
        *(
            _trigger(k, zh, en, kind=TriggerKind.SANCTION)
            for k, zh, en in zip(HAZARD_LADDER, _LADDER_ZH, _LADDER_EN, strict=True)
        ),
    )
    t = Transition
    ladder = tuple(
        t(
            trigger=key,
            sources=("assigned", "rectifying"),
            dest=None,
            roles=_SUPERVISORS,
            jurisdiction=_J.HOLDER_OR_ABOVE,
            accepts={"note"},
            guards=(
                OVERDUE,
                Guard(
                    key=f"after_{HAZARD_LADDER[i - 1]}" if i else "first_rung",
                    label=_l(
                        f"after {_LADDER_EN[i - 1]}" if i else "the first rung",
                        f"已{_LADDER_ZH[i - 1]}" if i else "第一级",
                    ),
                    check=_next_rung(i),
                ),
            ),
        )
        for i, key in enumerate(HAZARD_LADDER)
    )
    transitions = (
        t(
            trigger="find_in_covert_inspection",
            sources=(),
            dest="discovered",
            roles={"centre_officer", "supervision_panel_member"},
            jurisdiction=_J.CITY,
            accepts={"description"},
        ),
        t(
            trigger="find_in_routine_check",
            sources=(),
            dest="discovered",
            roles={"command_room_operator", "station_officer"},
            jurisdiction=_J.TOWN,
            accepts={"description"},
        ),
        t(
            trigger="find_on_patrol",
            sources=(),
            dest="discovered",
            roles=_GRID,
            jurisdiction=_J.LOCATION,
            accepts={"description"},
        ),
        t(
            trigger="assign",
            sources="discovered",
            dest="assigned",
            roles=_SUPERVISORS,
            jurisdiction=_J.HOLDER_OR_ABOVE,
            requires={"units", "notice"},
            guards=(TARGETS_FIT,),
            effects=(ASSIGN,),
        ),
        t(
            trigger="start_rectification",
            sources="assigned",
            dest="rectifying",
            roles=_HANDLERS,
            jurisdiction=_J.ASSIGNED,
            requires=_FIVE_FIXED,
        ),
        t(
            trigger="submit_for_check",
            sources="rectifying",
            dest="checking",
            roles=_HANDLERS,
            jurisdiction=_J.ASSIGNED,
            requires={"result"},
        ),
        t(
            trigger="pass_check",
            sources="checking",
            dest="closed",
            roles=_SUPERVISORS,
            jurisdiction=_J.HOLDER_OR_ABOVE,
            accepts={"note"},
        ),
        t(
            trigger="fail_check",
            sources="checking",
            dest="rectifying",
            roles=_SUPERVISORS,
            jurisdiction=_J.HOLDER_OR_ABOVE,
            requires={"reason"},
        ),
        *ladder,
    )
    return LifecycleDefinition(
        key="hazard",
        label=_l("hazard rectification", "隐患整改"),
        states=states,
        triggers=triggers,
        transitions=transitions,
        severities=(
            Severity(key="general", label=_l("general hazard", "一般隐患")),
            Severity(key="major", label=_l("major hazard", "重大隐患")),
        ),
        deadlines=deadlines,
        holder_level=Level.TOWN,
    )


EVENT_LIFECYCLE = event_lifecycle()
"""The event closed loop 事件闭环 with default deadlines."""

DISPUTE_LIFECYCLE = dispute_lifecycle()
"""The dispute lifecycle 矛盾纠纷多元化解 with default deadlines."""

HAZARD_LIFECYCLE = hazard_lifecycle()
"""The hazard-rectification lifecycle 隐患整改 with default deadlines."""

BUILTIN_LIFECYCLES: tuple[LifecycleDefinition, ...] = (
    EVENT_LIFECYCLE,
    DISPUTE_LIFECYCLE,
    HAZARD_LIFECYCLE,
)
"""The three built-in lifecycles, the default of :class:`~ruian_governance.Engine`."""
