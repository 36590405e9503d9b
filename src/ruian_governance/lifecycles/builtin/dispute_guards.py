"""The guards and effects of the dispute lifecycle: mediators, parties, courts, task forces.

Each is a :class:`~ruian_governance.lifecycles.Guard` or
:class:`~ruian_governance.lifecycles.Effect` an extension of the dispute lifecycle may reuse.
Where each rule comes from is said beside it: the seed article, Zhejiang practice, national law,
or a design choice.

>>> [g.key for g in (MEDIATOR_IN_PLACE, PARTIES_NAMED, JOINT_APPLICATION, COURT_SERVES)]
['mediator_in_place', 'two_or_more_parties', 'joint_application', 'court_serves_case']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from ruian_governance.errors import UnknownIdError
from ruian_governance.lifecycles.definition import CommandContext, Effect, Guard
from ruian_governance.models import (
    Case,
    Court,
    Department,
    Hierarchy,
    Level,
    Person,
    SharedCourt,
    Tribunal,
    unit_ids,
)

from .guards import label

__all__ = [
    "ALL_PARTIES_REVISITED",
    "COURT_SERVES",
    "FORM_TASK_FORCE",
    "JOINT_APPLICATION",
    "LEADER_FITS",
    "LEADER_IF_DIFFICULT",
    "MEDIATOR_IN_PLACE",
    "PARTIES_NAMED",
    "PARTY_TO_REVISIT",
    "TASK_FORCE_FITS",
    "VENUE_FITS",
    "case_leader",
    "case_parties",
    "revisited_parties",
]


def case_parties(case: Case) -> tuple[str, ...]:
    """The parties 当事人 of a dispute: the case's ``parties`` (named at report or triage)."""
    return case.parties


def revisited_parties(case: Case) -> Counter[str]:
    """The parties called back 回访 since the dispute was last completed, with how often.

    Parties are counted as a multiset, so that two parties of the same name (or a history
    whose names were masked by a redaction) are each called back once.
    """
    done: Counter[str] = Counter()
    for record in reversed(case.history):
        if record.trigger in {"complete", "confirm"}:
            break
        if record.trigger == "revisit":
            party = record.get("party")
            if isinstance(party, str):
                done[party] += 1
    return done


def case_leader(case: Case) -> str | None:
    """The leader who owns the dispute 领导包案: the latest ``assign_leader`` record's."""
    for record in reversed(case.history):
        if record.trigger == "assign_leader":
            leader = record.get("leader")
            return leader if isinstance(leader, str) else None
    return None


# --------------------------------------------------------------------------- mediators


def _mediator_in_place(context: CommandContext) -> bool:
    """The actor acts for the holder, or, for a village's dispute, for the grid where it arose.

    The village's mediation committee, cadres and sages, and the grid worker of the grid (or
    micro-grid) where it happened, mediate a village's simple dispute; the town's command
    room, stations and sages a town's complex one; the centre and departments the city's.
    """
    h = context.hierarchy
    try:
        admin = h.admin_unit_of(context.actor.unit_id)
    except UnknownIdError:
        return False
    holder = context.case.unit_id
    if admin == holder:
        return True
    if h.unit(holder).level is not Level.VILLAGE:
        return False
    location = context.case.location_id
    chain = [location, *(u.id for u in h.ancestors(location))]
    return holder in chain and admin in chain[: chain.index(holder)]


MEDIATOR_IN_PLACE = Guard(
    key="mediator_in_place",
    label=label(
        "the mediator acts for the holder (or, in a village, for the grid where it arose)",
        "调解人属承办单位（村级纠纷含事发网格）",
    ),
    check=_mediator_in_place,
)
"""The mediator's unit is the holder, or, for a village's dispute, the grid or micro-grid where
it arose (design choice: 小事不出村, the grid and the village mediate what the village holds)."""


# --------------------------------------------------------------------------- parties


def _parties_named(context: CommandContext) -> bool:
    parties = unit_ids(context.data.get("parties"))
    return parties is not None and len(parties) >= 2


PARTIES_NAMED = Guard(
    key="two_or_more_parties",
    label=label("two or more parties", "两方以上当事人"),
    check=_parties_named,
)
"""``parties`` names two or more parties 当事人 (a dispute has two sides; two may share a
name)."""


def _party_to_revisit(context: CommandContext) -> bool:
    party = context.data.get("party")
    if not isinstance(party, str):
        return False
    case = context.case
    return revisited_parties(case)[party] < Counter(case_parties(case))[party]


PARTY_TO_REVISIT = Guard(
    key="party_to_revisit",
    label=label("a party of the dispute not yet called back", "尚未回访的当事人"),
    check=_party_to_revisit,
)
"""The ``party`` is one of the dispute's parties and has not been called back 回访 yet."""


def _all_parties_revisited(context: CommandContext) -> bool:
    parties = Counter(case_parties(context.case))
    return bool(parties) and parties <= revisited_parties(context.case)


ALL_PARTIES_REVISITED = Guard(
    key="all_parties_revisited",
    label=label("every party has been called back", "各方当事人均已回访"),
    check=_all_parties_revisited,
)
"""Every party of the dispute was called back 回访 and gave its evaluation."""


# --------------------------------------------------------------------------- courts


def _court_serves(context: CommandContext) -> bool:
    unit = context.actor.unit_id
    serving = context.hierarchy.courts_serving(context.case.location_id)
    return any(c.id == unit and isinstance(c, Court | Tribunal) for c in serving)


COURT_SERVES = Guard(
    key="court_serves_case",
    label=label(
        "a judge of the basic-level court or of a tribunal serving the dispute's town",
        "管辖法院或人民法庭法官",
    ),
    check=_court_serves,
)
"""The actor's unit is the basic-level court 基层人民法院, or a tribunal 人民法庭 serving the
town where the dispute arose (national law: only a court confirms a mediation agreement)."""


def _joint_application(context: CommandContext) -> bool:
    applicants = unit_ids(context.data.get("applicants"))
    parties = case_parties(context.case)
    return applicants is not None and len(parties) >= 2 and sorted(applicants) == sorted(parties)


JOINT_APPLICATION = Guard(
    key="joint_application",
    label=label("applied for jointly by every party", "双方当事人共同申请"),
    check=_joint_application,
)
"""The ``applicants`` are exactly the dispute's parties (each once, in any order): the
application is joint (national law: the parties apply together to the court)."""


def _venue_fits(context: CommandContext) -> bool:
    venue = context.data.get("venue")
    if venue is None:
        return True
    h = context.hierarchy
    if not isinstance(venue, str) or venue not in h or not isinstance(h.get(venue), SharedCourt):
        return False
    return any(v.id == venue for v in h.shared_courts_of(context.case.location_id))


VENUE_FITS = Guard(
    key="venue_fits",
    label=label("a shared court of the dispute's town, if one is named", "本镇街共享法庭"),
    check=_venue_fits,
)
"""A ``venue``, when given, is a shared court 共享法庭 in the dispute's town or one of its
villages (the seed: the parties join the court by video at their doorstep)."""


# --------------------------------------------------------------------------- leaders, task forces


def _leader_posts(h: Hierarchy, person_id: object) -> list[str]:
    if not isinstance(person_id, str) or person_id not in h:
        return []
    person = h.get(person_id)
    if not isinstance(person, Person):
        return []
    return [p.unit_id for p in person.posts if p.role == "leader"]


def _leader_fits(context: CommandContext) -> bool:
    h = context.hierarchy
    holder = context.case.unit_id
    above = {holder, *(u.id for u in h.ancestors(holder))}
    return any(unit in above for unit in _leader_posts(h, context.data.get("leader")))


LEADER_FITS = Guard(
    key="leader_fits",
    label=label("a leader of the holding town or the city", "承办镇街或市级领导"),
    check=_leader_fits,
)
"""The ``leader`` holds a leader 领导 post at the holding unit or above it."""


def _leader_if_difficult(context: CommandContext) -> bool:
    return context.case.severity != "difficult" or case_leader(context.case) is not None


LEADER_IF_DIFFICULT = Guard(
    key="leader_if_difficult",
    label=label("a difficult dispute has a leader who owns it", "疑难纠纷领导包案"),
    check=_leader_if_difficult,
)
"""A difficult 疑难 dispute is completed only once a leader owns it 领导包案 (Zhejiang practice)."""


def _commander_units(context: CommandContext) -> list[str] | None:
    """The units the commander acts from, or ``None`` if the commander may not command."""
    h = context.hierarchy
    commander = context.data.get("commander")
    if not isinstance(commander, str) or commander not in h:
        return None
    person = h.get(commander)
    if not isinstance(person, Person):
        return None
    units = [p.unit_id for p in person.posts if p.role == "task_force_commander"]
    holder = context.case.unit_id
    above = {holder, *(u.id for u in h.ancestors(holder))}
    units += [u for u in _leader_posts(h, commander) if u in above]
    return units or None


def _allowed_members(context: CommandContext) -> frozenset[str]:
    """City departments; at a town also its stations and villages."""
    h = context.hierarchy
    holder = context.case.unit_id
    allowed = {d.id for d in h.departments}
    if h.unit(holder).level is Level.TOWN:
        allowed |= {s.id for s in h.stations_of(holder)}
        allowed |= {v.id for v in h.children(holder)}
    return frozenset(allowed)


def _task_force_fits(context: CommandContext) -> bool:
    h = context.hierarchy
    if h.unit(context.case.unit_id).level is Level.VILLAGE:
        return False
    if _commander_units(context) is None:
        return False
    members = [
        *(unit_ids(context.data.get("departments")) or ()),
        *(unit_ids(context.data.get("members")) or ()),
    ]
    departments = unit_ids(context.data.get("departments")) or ()
    if not members or len(set(members)) != len(members):
        return False
    if not all(d in h and type(h.get(d)) is Department for d in departments):
        return False
    return set(members) <= _allowed_members(context)


TASK_FORCE_FITS = Guard(
    key="task_force_fits",
    label=label(
        "a town or city case, a commander and members (departments; at a town, its stations "
        "and villages)",
        "专班条件",
    ),
    check=_task_force_fits,
)
"""A task force 专班 of a town or city dispute: a commander (a task-force commander 专班指挥员,
or a leader 领导 of the holding unit or above) and members: city departments, and at a town
also its stations 站所 and villages 村社 (the seed's task forces span departments; town task
forces are Zhejiang practice)."""


def _form_task_force(context: CommandContext) -> Mapping[str, Any]:
    members = (
        *(unit_ids(context.data.get("departments")) or ()),
        *(unit_ids(context.data.get("members")) or ()),
    )
    units = _commander_units(context) or []
    return {"assignees": tuple(dict.fromkeys((*members, *units)))}


FORM_TASK_FORCE = Effect(
    key="task_force", label=label("assign the task force", "组建专班"), apply=_form_task_force
)
"""Assign the task force's members and the commander's units."""
