"""Dispute resolution 矛盾纠纷多元化解: screening, triage, the mediation ladder, completion.

The backbone 筛选-流转-处置-办结-监管-研判-评价, with the mediation ladder inside 处置.

>>> DISPUTE_LIFECYCLE.next_state("people_mediation", "next_mediation")
'administrative_mediation'
"""

from __future__ import annotations

import functools
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
from ruian_governance.models import AdminUnit, Deadline, DeadlinePolicy, Level, unit_ids

from .dispute_guards import (
    ALL_PARTIES_REVISITED,
    COURT_SERVES,
    FORM_TASK_FORCE,
    JOINT_APPLICATION,
    LEADER_FITS,
    LEADER_IF_DIFFICULT,
    MEDIATOR_IN_PLACE,
    PARTIES_NAMED,
    PARTY_TO_REVISIT,
    TASK_FORCE_FITS,
    VENUE_FITS,
)
from .guards import (
    NAME,
    SHARED_DATA,
    STARS,
    SUPERVISORS,
    TEXT,
    UNITS,
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
    "MEDIATORS",
    "OVERSEERS",
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
    parties = unit_ids(context.data.get("parties"))
    if parties is not None:
        changes["parties"] = parties
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


def _parties_if_named(context: CommandContext) -> bool:
    return "parties" not in context.data or PARTIES_NAMED.check(context)


def _within_confirmation_window(context: CommandContext) -> bool:
    agreed = context.case.records("reach_agreement")
    limit = context.lifecycle.deadlines.limits.get("judicial_confirmation")
    if not agreed or limit is None:
        return False
    return context.at < limit.due(agreed[-1].at, calendar=context.lifecycle.deadlines.calendar)


MEDIATORS = frozenset(
    {
        "grid_worker",
        "village_cadre",
        "mediation_committee_member",
        "village_sage",
        "command_room_operator",
        "station_officer",
        "centre_officer",
        "department_officer",
    }
)
"""The roles that mediate 调解: grid workers (the seed lists 调解矛盾纠纷 among their duties),
village cadres, village mediation committees 人民调解委员会 (national law), new village sages
新乡贤 (the seed), the command room, stations, the centre and departments."""

OVERSEERS = frozenset({"centre_officer", "political_legal_officer"})
"""The roles that supervise 监管 and analyse 研判 a dispute at any point: the centre and the
political-legal committee / safety office 政法委/平安办 (the seed names 市委政法委 and the
centre as the dispute application's leads)."""

_MEDIATING = ("people_mediation", "administrative_mediation", "court_mediation")
_HANDLED = ("transferred", *_MEDIATING)
_DISPUTE_OPEN = (
    "transferred",
    *_MEDIATING,
    "litigation",
    "agreement",
    "judicial_confirmation",
    "confirmation_refused",
)
_WATCHED = ("screening", *_DISPUTE_OPEN)
_AFTER = ("completed", "reviewed", "analysed")
_IN_PLACE = (MEDIATOR_IN_PLACE,)


def dispute_lifecycle(*, deadlines: DeadlinePolicy = DISPUTE_DEADLINES) -> LifecycleDefinition:
    """Build the dispute lifecycle 矛盾纠纷多元化解 with the given deadlines.

    The backbone 筛选-流转-处置-办结-监管-研判-评价 (the seed): the town screens 筛选 a
    reported dispute, names its parties 当事人 and triages it (simple -> village, complex ->
    town, difficult -> city); it is transferred 流转 there and handled 处置 up the mediation
    ladder one rung at a time (people's 人民调解 -> administrative / professional 行政/专业调解
    -> pre-litigation court 诉前调解 -> litigation referral 诉讼).  Grid workers, village
    mediation committees 人民调解委员会, village sages 新乡贤, cadres, the command room,
    stations, the centre and departments mediate, at the holding level or below it where the
    dispute arose.  Escalation 上移 goes strictly one level up at a time (village -> town ->
    city), and the dispute takes the tier that level handles and that tier's time limit.

    A town or city case may get a task force 专班 (a commander, or a town or city leader, with
    departments, and at a town its stations and villages); a leader owns a difficult case
    领导包案 before it is completed.  A mediation agreement 调解协议 may be confirmed by a court
    司法确认: both parties apply jointly within 30 days, a judge of the basic-level court or
    of a tribunal 人民法庭 serving the town (optionally at a shared court 共享法庭) receives the
    application, and confirms it or refuses it 驳回 (then re-mediation or litigation).
    The centre and the political-legal committee / safety office 政法委/平安办 supervise 监管
    and analyse 研判 at any point; after completion 办结, the review and analysis states
    follow, each party is called back 回访 and evaluates the handling, and the evaluation
    评价 closes once every party has been called back.

    >>> d = dispute_lifecycle()
    >>> [d.state(k).label.zh for k in ("screening", "transferred", "completed", "reviewed")]
    ['筛选', '流转', '办结', '监管']
    >>> d.next_state("judicial_confirmation", "refuse_confirmation")
    'confirmation_refused'
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
        new_state("confirmation_refused", "驳回", en="judicial confirmation refused"),
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
        new_trigger("assign_leader", "领导包案", "a leader owns the case"),
        new_trigger("form_task_force", "组建专班", "form a task force"),
        new_trigger("draft_strategy", "制定调解方案", "draft the mediation strategy"),
        new_trigger("record_progress", "上传进展", "record progress"),
        new_trigger("reach_agreement", "达成调解协议", "reach a mediation agreement"),
        new_trigger("apply_confirmation", "受理司法确认申请", "receive the joint application"),
        new_trigger("confirm", "司法确认", "confirm judicially"),
        new_trigger("refuse_confirmation", "驳回申请", "refuse confirmation"),
        new_trigger("complete", "办结"),
        new_trigger("review", "监管"),
        new_trigger("analyse", "研判"),
        new_trigger("revisit", "回访", "call a party back", kind=TriggerKind.EVALUATE),
        new_trigger("evaluate", "评价", "close the evaluation"),
        new_trigger("supervise", "督办", kind=TriggerKind.SUPERVISE),
    )
    t = Transition
    mediated = functools.partial(
        Transition, roles=MEDIATORS, jurisdiction=Jurisdiction.ANY, guards=_IN_PLACE
    )
    judged = functools.partial(Transition, roles={"judge"}, jurisdiction=Jurisdiction.ANY)
    window = Guard(
        key="within_confirmation_window",
        label=label("within the window after the agreement", "协议生效后30日内申请"),
        check=_within_confirmation_window,
    )
    watched = tuple(
        t(
            trigger=trigger,
            sources=source,
            dest=None,
            roles=OVERSEERS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            accepts={key},
        )
        for trigger, key in (("review", "note"), ("analyse", "finding"))
        for source in _WATCHED
    )
    transitions = (
        *reported("screening"),
        t(
            trigger="triage",
            sources="screening",
            dest="transferred",
            roles={"command_room_operator"},
            jurisdiction=Jurisdiction.HOLDER,
            requires={"tier"},
            accepts={"note", "parties"},
            guards=(
                Guard(key="tier_known", label=label("a known tier", "已知分级"), check=_tier_known),
                Guard(
                    key="parties_if_named",
                    label=label("two or more distinct parties, if named", "当事人两方以上"),
                    check=_parties_if_named,
                ),
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
        mediated(
            trigger="start_mediation",
            sources="transferred",
            dest="people_mediation",
            accepts={"note"},
        ),
        mediated(
            trigger="start_mediation",
            sources="confirmation_refused",
            dest="people_mediation",
            accepts={"note"},
        ),
        mediated(
            trigger="next_mediation",
            sources="people_mediation",
            dest="administrative_mediation",
            requires={"reason"},
        ),
        mediated(
            trigger="next_mediation",
            sources="administrative_mediation",
            dest="court_mediation",
            requires={"reason"},
        ),
        mediated(
            trigger="refer_litigation",
            sources=("court_mediation", "confirmation_refused"),
            dest="litigation",
            requires={"reason"},
        ),
        t(
            trigger="escalate",
            sources=_HANDLED,
            dest=None,
            roles=MEDIATORS,
            jurisdiction=Jurisdiction.ANY,
            requires={"reason"},
            guards=(
                MEDIATOR_IN_PLACE,
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
            trigger="assign_leader",
            sources=_HANDLED,
            dest=None,
            roles=SUPERVISORS | OVERSEERS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"leader"},
            accepts={"note"},
            guards=(LEADER_FITS,),
        ),
        t(
            trigger="form_task_force",
            sources=_MEDIATING,
            dest=None,
            roles=SUPERVISORS | {"leader"},
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"commander"},
            accepts={"departments", "members"},
            guards=(TASK_FORCE_FITS,),
            effects=(FORM_TASK_FORCE,),
        ),
        t(
            trigger="draft_strategy",
            sources=_MEDIATING,
            dest=None,
            roles={"task_force_commander", "leader"},
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"strategy"},
        ),
        t(
            trigger="record_progress",
            sources=_MEDIATING,
            dest=None,
            roles={
                "task_force_commander",
                "leader",
                "department_officer",
                "station_officer",
                "village_cadre",
            },
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"note"},
            accepts={"claims"},
        ),
        mediated(
            trigger="reach_agreement",
            sources=_MEDIATING,
            dest="agreement",
            requires={"terms"},
        ),
        judged(
            trigger="apply_confirmation",
            sources="agreement",
            dest="judicial_confirmation",
            requires={"applicants"},
            accepts={"venue", "note"},
            guards=(COURT_SERVES, window, JOINT_APPLICATION, VENUE_FITS),
        ),
        judged(
            trigger="confirm",
            sources="judicial_confirmation",
            dest="completed",
            accepts={"ruling", "venue"},
            guards=(COURT_SERVES, VENUE_FITS),
        ),
        judged(
            trigger="refuse_confirmation",
            sources="judicial_confirmation",
            dest="confirmation_refused",
            requires={"reason"},
            guards=(COURT_SERVES,),
        ),
        t(
            trigger="complete",
            sources=("agreement", "litigation"),
            dest="completed",
            roles=MEDIATORS,
            jurisdiction=Jurisdiction.ANY,
            accepts={"outcome"},
            guards=(MEDIATOR_IN_PLACE, LEADER_IF_DIFFICULT),
        ),
        t(
            trigger="review",
            sources="completed",
            dest="reviewed",
            roles=OVERSEERS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            accepts={"note"},
        ),
        t(
            trigger="analyse",
            sources="reviewed",
            dest="analysed",
            roles=OVERSEERS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            accepts={"finding"},
        ),
        *watched,
        t(
            trigger="revisit",
            sources=_AFTER,
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"party", "stars"},
            accepts={"comment"},
            guards=(PARTY_TO_REVISIT, STARS),
        ),
        t(
            trigger="evaluate",
            sources="analysed",
            dest="evaluated",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            accepts={"comment"},
            guards=(ALL_PARTIES_REVISITED,),
        ),
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
            "leader": NAME,
            "party": NAME,
            "venue": NAME,
            "departments": UNITS,
            "members": UNITS,
            "parties": UNITS,  # the parties 当事人 (ids of people, not of units)
            "applicants": UNITS,
            "claims": UNITS,  # the parties whose claims were collected
            **dict.fromkeys(("strategy", "terms", "ruling", "outcome", "finding"), TEXT),
        },
    )


DISPUTE_LIFECYCLE = dispute_lifecycle()
"""The dispute lifecycle 矛盾纠纷多元化解 with default deadlines."""
