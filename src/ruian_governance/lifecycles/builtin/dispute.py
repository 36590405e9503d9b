"""Dispute resolution 矛盾纠纷多元化解: screening, triage, the mediation ladder, completion.

The backbone 筛选-流转-处置-办结-监管-研判-评价, with the mediation ladder inside 处置.

>>> DISPUTE_LIFECYCLE.next_state("people_mediation", "next_mediation")
'administrative_mediation'
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
from ruian_governance.lifecycles.parts import Jurisdiction, Severity, TriggerKind
from ruian_governance.models import AdminUnit, Deadline, DeadlinePolicy, Department, Level, unit_ids

from .guards import (
    NAME,
    SHARED_DATA,
    SUPERVISORS,
    TEXT,
    UNITS,
    evaluation,
    label,
    new_state,
    new_trigger,
    reported,
    supervision,
)

__all__ = [
    "DISPUTE_DEADLINES",
    "DISPUTE_LIFECYCLE",
    "MEDIATION_LADDER",
    "TRIAGE_LEVELS",
    "dispute_lifecycle",
]

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


def _level_unit(context: CommandContext, level: Level) -> str:
    h = context.hierarchy
    location = h.unit(context.case.location_id)
    if location.level.depth <= level.depth:
        return location.id
    return next(u.id for u in h.ancestors(location.id) if u.level is level)


def _tier_known(context: CommandContext) -> bool:
    return context.data.get("tier") in TRIAGE_LEVELS


def _triage(context: CommandContext) -> Mapping[str, Any]:
    tier = str(context.data["tier"])
    changes: dict[str, Any] = {
        "severity": tier,
        "unit_id": _level_unit(context, TRIAGE_LEVELS[tier]),
    }
    if tier in context.lifecycle.deadlines.by_severity:
        changes["due_at"] = context.lifecycle.deadlines.due(tier, context.at)
    return changes


def _below_city(context: CommandContext) -> bool:
    return context.hierarchy.unit(context.case.unit_id).level is not Level.CITY


_LEVEL_TIERS = {level: tier for tier, level in TRIAGE_LEVELS.items()}
"""The tier each level handles: the inverse of :data:`TRIAGE_LEVELS`."""


def _one_level_up(context: CommandContext) -> Mapping[str, Any]:
    """One level up, re-tiered to the tier that level handles, with that tier's deadline.

    A village's simple dispute escalated to the town becomes complex and is due the complex
    time limit after the escalation; escalated to the city, difficult, and so on.
    """
    parent = context.hierarchy.parent(context.case.unit_id)
    if not isinstance(parent, AdminUnit):  # the city: the guard refuses such commands first
        return {}
    changes: dict[str, Any] = {"unit_id": parent.id}
    tier = _LEVEL_TIERS.get(parent.level)
    if tier is not None and tier in context.lifecycle.severity_keys:
        changes["severity"] = tier
        if tier in context.lifecycle.deadlines.by_severity:
            changes["due_at"] = context.lifecycle.deadlines.due(tier, context.at)
    return changes


def _task_force_fits(context: CommandContext) -> bool:
    h = context.hierarchy
    if h.unit(context.case.unit_id).level is Level.VILLAGE:
        return False
    commander = context.data.get("commander")
    departments = unit_ids(context.data.get("departments"))
    if not isinstance(commander, str) or commander not in h:
        return False
    person = h.get(commander)
    if not hasattr(person, "posts") or not any(
        p.role == "task_force_commander" for p in person.posts
    ):
        return False
    return departments is not None and all(
        d in h and isinstance(h.get(d), Department) for d in departments
    )


def _form_task_force(context: CommandContext) -> Mapping[str, Any]:
    h = context.hierarchy
    members = unit_ids(context.data.get("departments")) or ()
    commander = h.person(str(context.data["commander"]))
    units = [p.unit_id for p in commander.posts if p.role == "task_force_commander"]
    return {"assignees": tuple(dict.fromkeys((*members, *units)))}


def _within_confirmation_window(context: CommandContext) -> bool:
    agreed = context.case.records("reach_agreement")
    limit = context.lifecycle.deadlines.limits.get("judicial_confirmation")
    if not agreed or limit is None:
        return False
    return context.at < limit.due(agreed[-1].at, calendar=context.lifecycle.deadlines.calendar)


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
    city), and the dispute takes the tier that level handles (complex at the town, difficult
    at the city) and that tier's time limit, counted from the escalation.  A town or city case
    may get a task force 专班 (a commander and member departments) who record their progress.
    A mediation agreement 调解协议 may apply for judicial confirmation 司法确认 within 30 days.
    Completion 办结 is followed by supervision review 监管, analysis 研判 and evaluation 评价.

    >>> d = dispute_lifecycle()
    >>> [d.state(k).label.zh for k in ("screening", "transferred", "completed", "reviewed")]
    ['筛选', '流转', '办结', '监管']
    """
    states = (
        new_state("screening", "筛选", initial=True),
        new_state("dismissed", "不予受理", final=True),
        new_state("transferred", "流转"),
        new_state("people_mediation", "人民调解", en="people's mediation"),
        new_state(
            "administrative_mediation",
            "行政/专业调解",
            en="administrative / professional mediation",
        ),
        new_state("court_mediation", "诉前调解", en="pre-litigation court mediation"),
        new_state("litigation", "诉讼", en="referred to litigation"),
        new_state("agreement", "调解协议", en="mediation agreement"),
        new_state("judicial_confirmation", "司法确认", en="judicial confirmation applied for"),
        new_state("completed", "办结", timed=False, closing=True),
        new_state("reviewed", "监管", en="supervision review", timed=False),
        new_state("analysed", "研判", timed=False),
        new_state("evaluated", "评价", final=True),
    )
    triggers = (
        new_trigger("report", "上报", kind=TriggerKind.REPORT),
        new_trigger("register", "登记", kind=TriggerKind.REPORT),
        new_trigger("triage", "分级分流"),
        new_trigger("dismiss", "不予受理"),
        new_trigger("start_mediation", "开始调解", "start mediation"),
        new_trigger("next_mediation", "转下一级调解", "move up the mediation ladder"),
        new_trigger("refer_litigation", "引导诉讼", "refer to litigation"),
        new_trigger("escalate", "逐级上移", "escalate one level", kind=TriggerKind.ESCALATE),
        new_trigger("form_task_force", "组建专班", "form a task force"),
        new_trigger("draft_strategy", "制定调解方案", "draft the mediation strategy"),
        new_trigger("record_progress", "上传进展", "record progress"),
        new_trigger("reach_agreement", "达成调解协议", "reach a mediation agreement"),
        new_trigger("apply_confirmation", "申请司法确认", "apply for judicial confirmation"),
        new_trigger("confirm", "司法确认", "confirm judicially"),
        new_trigger("complete", "办结"),
        new_trigger("review", "监管"),
        new_trigger("analyse", "研判"),
        new_trigger("evaluate", "评价", kind=TriggerKind.EVALUATE),
        new_trigger("supervise", "督办", kind=TriggerKind.SUPERVISE),
    )
    t = Transition
    transitions = (
        *reported("screening"),
        t(
            trigger="triage",
            sources="screening",
            dest="transferred",
            roles={"command_room_operator"},
            jurisdiction=Jurisdiction.HOLDER,
            requires={"tier"},
            accepts={"note"},
            guards=(
                Guard(key="tier_known", label=label("a known tier", "已知分级"), check=_tier_known),
            ),
            effects=(
                Effect(
                    key="triage", label=label("send to the tier's level", "分级分流"), apply=_triage
                ),
            ),
        ),
        t(
            trigger="dismiss",
            sources="screening",
            dest="dismissed",
            roles={"command_room_operator"},
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="start_mediation",
            sources="transferred",
            dest="people_mediation",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            accepts={"note"},
        ),
        t(
            trigger="next_mediation",
            sources="people_mediation",
            dest="administrative_mediation",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="next_mediation",
            sources="administrative_mediation",
            dest="court_mediation",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="refer_litigation",
            sources="court_mediation",
            dest="litigation",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
        ),
        t(
            trigger="escalate",
            sources=("transferred", *_MEDIATING),
            dest=None,
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
            guards=(
                Guard(
                    key="below_city",
                    label=label("not yet at the city", "尚未到市级"),
                    check=_below_city,
                ),
            ),
            effects=(
                Effect(
                    key="one_level_up", label=label("one level up", "上移一级"), apply=_one_level_up
                ),
            ),
        ),
        t(
            trigger="form_task_force",
            sources=_MEDIATING,
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"commander", "departments"},
            guards=(
                Guard(
                    key="task_force_fits",
                    label=label("a town or city case, a commander and departments", "专班条件"),
                    check=_task_force_fits,
                ),
            ),
            effects=(
                Effect(
                    key="task_force",
                    label=label("assign the task force", "组建专班"),
                    apply=_form_task_force,
                ),
            ),
        ),
        t(
            trigger="draft_strategy",
            sources=_MEDIATING,
            dest=None,
            roles={"task_force_commander"},
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"strategy"},
        ),
        t(
            trigger="record_progress",
            sources=_MEDIATING,
            dest=None,
            roles={"task_force_commander", "department_officer"},
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"note"},
            accepts={"claims"},
        ),
        t(
            trigger="reach_agreement",
            sources=_MEDIATING,
            dest="agreement",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"terms"},
        ),
        t(
            trigger="apply_confirmation",
            sources="agreement",
            dest="judicial_confirmation",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            guards=(
                Guard(
                    key="within_confirmation_window",
                    label=label("within the window after the agreement", "协议生效后30日内申请"),
                    check=_within_confirmation_window,
                ),
            ),
        ),
        t(
            trigger="confirm",
            sources="judicial_confirmation",
            dest="completed",
            roles={"department_officer"},
            jurisdiction=Jurisdiction.CITY,
            accepts={"ruling"},
        ),
        t(
            trigger="complete",
            sources=("agreement", "litigation"),
            dest="completed",
            roles=_MEDIATORS,
            jurisdiction=Jurisdiction.HOLDER,
            accepts={"outcome"},
        ),
        t(
            trigger="review",
            sources="completed",
            dest="reviewed",
            roles={"centre_officer"},
            jurisdiction=Jurisdiction.CITY,
            accepts={"note"},
        ),
        t(
            trigger="analyse",
            sources="reviewed",
            dest="analysed",
            roles={"centre_officer"},
            jurisdiction=Jurisdiction.CITY,
            accepts={"finding"},
        ),
        evaluation("analysed"),
        supervision(_DISPUTE_OPEN),
    )
    return LifecycleDefinition(
        key="dispute",
        label=label("dispute resolution", "矛盾纠纷多元化解"),
        states=states,
        triggers=triggers,
        transitions=transitions,
        severities=(
            Severity(key="simple", label=label("simple", "简单")),
            Severity(key="complex", label=label("complex", "复杂")),
            Severity(key="difficult", label=label("difficult", "疑难")),
        ),
        deadlines=deadlines,
        holder_level=Level.TOWN,
        data_specs={
            **SHARED_DATA,
            "tier": NAME,
            "commander": NAME,
            "departments": UNITS,
            "claims": UNITS,  # the parties whose claims were collected
            **dict.fromkeys(("strategy", "terms", "ruling", "outcome", "finding"), TEXT),
        },
    )


DISPUTE_LIFECYCLE = dispute_lifecycle()
"""The dispute lifecycle 矛盾纠纷多元化解 with default deadlines."""
