"""Hazard rectification 隐患整改: discovered, assigned, rectified, checked, closed.

A major hazard may be listed 挂牌 at a level (province, prefecture, county); overdue, a hazard
climbs a configurable ladder, by default 通报 -> 约谈 -> 问责, one rung at a time and a
configurable spacing apart.

>>> HAZARD_LIFECYCLE.state("closed").label.zh
'销号/摘牌'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles.definition import (
    CommandContext,
    Effect,
    Guard,
    LifecycleDefinition,
    Transition,
)
from ruian_governance.lifecycles.parts import Jurisdiction, Severity, TriggerKind
from ruian_governance.models import (
    CYCLE_211,
    Case,
    Deadline,
    DeadlinePolicy,
    InspectionCycle,
    Level,
    unit_ids,
)

from .guards import (
    ASSIGN,
    GRID_ROLES,
    HANDLERS,
    NAME,
    OVERDUE,
    SHARED_DATA,
    SUPERVISORS,
    TEXT,
    UNITS,
    label,
    new_state,
    new_trigger,
)

__all__ = [
    "HAZARD_DEADLINES",
    "HAZARD_LADDER",
    "HAZARD_LIFECYCLE",
    "HAZARD_RUNGS",
    "HAZARD_TARGETS_FIT",
    "INSPECTED_KNOWN",
    "LISTING_LEVELS",
    "TARGETS_KNOWN",
    "hazard_deadlines",
    "hazard_lifecycle",
    "hazard_listing",
    "hazard_rung",
    "next_rung_at",
]

LISTING_LEVELS: Mapping[str, str] = {
    "province": "省级挂牌",
    "prefecture": "市级挂牌",
    "county": "县级挂牌",
}
"""The levels at which a major hazard is listed 挂牌督办 (Zhejiang practice): province,
prefecture (Wenzhou), county (Rui'an, a county-level city)."""

HAZARD_RUNGS: Mapping[str, tuple[str, str]] = {
    "circulate": ("circulate", "通报"),
    "summon": ("summon", "约谈"),
    "hold_accountable": ("hold accountable", "问责"),
}
"""The rungs a ladder may use, with their English and Chinese labels: a circular 通报, a
summons 约谈 and accountability 问责 (责任追究) — the methods the seed names (挂牌、通报、约谈,
责任追究); listing 挂牌 is not a rung but its own step (:data:`LISTING_LEVELS`)."""

HAZARD_LADDER: tuple[str, ...] = ("circulate", "summon", "hold_accountable")
"""The default overdue ladder, one rung at a time: 通报 -> 约谈 -> 问责.  The order is a design
choice: the seed names the methods, not an order."""

_TARGETED = frozenset({"summon", "hold_accountable"})


def hazard_deadlines(
    cycle: InspectionCycle = CYCLE_211,
    *,
    days: int = 60,
    rung_spacing_days: int = 7,
) -> DeadlinePolicy:
    """The hazard time limits that fit a 211 cycle.

    Every hazard has ``days`` (the 60-day closed loop of one Zhejiang district [zj]); a
    covert-inspection finding 暗访发现 is due half the cycle's revisit weeks after it is found,
    so that even a finding of the last inspection day becomes overdue within its revisit
    fortnight (design choice: the seed says the last two weeks are for revisits and
    accountability); the ladder's rungs are at least ``rung_spacing_days`` apart (design
    choice).

    >>> policy = hazard_deadlines()
    >>> policy.limits["covert_inspection"].days, policy.limits["rung_spacing"].days
    (7, 7)

    Raises:
        ArgumentError: ``cycle`` is no :class:`~ruian_governance.models.InspectionCycle`, or a
            number of days is not a whole number from 1 to 3,660.
    """
    if not isinstance(cycle, InspectionCycle):
        raise ArgumentError("cycle", cycle, "an InspectionCycle")  # noqa: EM101 - a name
    for name, value in (("days", days), ("rung_spacing_days", rung_spacing_days)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3660:
            raise ArgumentError(name, value, "a whole number of days from 1 to 3660")
    covert = max(1, (cycle.days - cycle.inspection_days) // 2)
    return DeadlinePolicy(
        by_severity={"general": Deadline(days=days), "major": Deadline(days=days)},
        limits={
            "covert_inspection": Deadline(days=covert),
            "rung_spacing": Deadline(days=rung_spacing_days),
        },
    )


HAZARD_DEADLINES = hazard_deadlines()
"""Hazard deadlines: 60 days for every hazard, 7 for a covert-inspection finding (half the
211 cycle's revisit fortnight), rungs at least 7 days apart (calendar days)."""


def hazard_rung(case: Case, ladder: Iterable[str] = HAZARD_LADDER) -> int:
    """Return how many rungs of ``ladder`` a hazard case has climbed.

    >>> from ruian_governance.lifecycles import HAZARD_LADDER
    >>> len(HAZARD_LADDER)
    3
    """
    rungs = set(ladder)
    return sum(1 for r in case.history if r.trigger in rungs)


def hazard_listing(case: Case) -> str | None:
    """The level a hazard is listed at 挂牌 (``None`` if not listed)."""
    for record in reversed(case.history):
        if record.trigger == "list_hazard":
            level = record.get("level")
            return level if isinstance(level, str) else None
    return None


def next_rung_at(
    case: Case, deadlines: DeadlinePolicy = HAZARD_DEADLINES, ladder: Iterable[str] = HAZARD_LADDER
) -> datetime | None:
    """When the next rung may be climbed: the deadline for the first, the spacing after.

    ``None`` when the hazard has no deadline, or has climbed the whole ladder.
    """
    rungs = tuple(ladder)
    climbed = [r for r in case.history if r.trigger in set(rungs)]
    if len(climbed) >= len(rungs):
        return None
    if not climbed:
        return case.due_at
    spacing = deadlines.limits.get("rung_spacing")
    if spacing is None:
        return climbed[-1].at
    return spacing.due(climbed[-1].at, calendar=deadlines.calendar)


def _next_rung(rung: int, ladder: tuple[str, ...]) -> Callable[[CommandContext], bool]:
    def check(context: CommandContext) -> bool:
        if hazard_rung(context.case, ladder) != rung:
            return False
        when = next_rung_at(context.case, context.lifecycle.deadlines, ladder)
        return rung == 0 or (when is not None and context.at >= when)

    return check


def _targets_known(context: CommandContext) -> bool:
    targets = unit_ids(context.data.get("targets"))
    if targets is None or len(set(targets)) != len(targets):
        return False
    return all(t in context.hierarchy for t in targets)


TARGETS_KNOWN = Guard(
    key="targets_known",
    label=label("the units or people targeted exist", "约谈/问责对象存在"),
    check=_targets_known,
)
"""The ``targets`` of a summons or accountability are distinct units or people of the
hierarchy (whom it targets is recorded)."""


def _hazard_targets_fit(context: CommandContext) -> bool:
    """Territorial and sectoral: the hazard's town, its stations, or any city department."""
    targets = unit_ids(context.data.get("units"))
    if targets is None or len(set(targets)) != len(targets):
        return False
    h = context.hierarchy
    allowed = {d.id for d in h.departments}
    town = h.town_of(context.case.location_id)
    if town is not None:
        allowed |= {town.id, *(s.id for s in h.stations_of(town.id))}
    return set(targets) <= allowed


HAZARD_TARGETS_FIT = Guard(
    key="hazard_targets_fit",
    label=label(
        "the hazard's town or its stations (territorial), or a city department (sectoral)",
        "属地镇街及其站所或行业主管部门",
    ),
    check=_hazard_targets_fit,
)
"""Responsibility is territorial and sectoral 属地+行业 (Zhejiang practice): a hazard is
assigned to the town where it is (属地, acting through its leader), that town's stations, or a
city department of its sector (行业, e.g. the emergency management bureau 应急管理局)."""


def _major(context: CommandContext) -> bool:
    return context.case.severity == "major"


def _listing_fits(context: CommandContext) -> bool:
    return context.data.get("level") in LISTING_LEVELS and hazard_listing(context.case) is None


def _covert_due(context: CommandContext) -> Mapping[str, Any]:
    limit = context.lifecycle.deadlines.limits.get("covert_inspection")
    if limit is None:
        return {}
    due = limit.due(context.at, calendar=context.lifecycle.deadlines.calendar)
    current = context.case.due_at
    return {"due_at": due if current is None or due < current else current}


_FIVE_FIXED = frozenset({"responsibility", "measures", "deadline", "funds", "plan"})
_OPEN = ("discovered", "assigned", "rectifying", "checking")
_HANDLERS = HANDLERS | {"leader"}


def _check_ladder(ladder: object) -> tuple[str, ...]:
    if isinstance(ladder, str) or not isinstance(ladder, Iterable):
        raise ArgumentError("ladder", ladder, f"a sequence of rungs from {sorted(HAZARD_RUNGS)}")  # noqa: EM101 - a name
    rungs = tuple(ladder)
    if not rungs or len(set(rungs)) != len(rungs) or not set(rungs) <= set(HAZARD_RUNGS):
        raise ArgumentError("ladder", ladder, f"distinct rungs from {sorted(HAZARD_RUNGS)}")  # noqa: EM101 - a name
    return rungs


def _inspected_known(context: CommandContext) -> bool:
    inspected = context.data.get("inspected")
    if inspected is None:
        return True
    units = unit_ids(inspected)
    if units is None or len(set(units)) != len(units):
        return False
    h = context.hierarchy
    return all(u in h and not hasattr(h.get(u), "posts") for u in units)


INSPECTED_KNOWN = Guard(
    key="inspected_known",
    label=label("the inspected units exist", "被暗访单位存在"),
    check=_inspected_known,
)
"""The ``inspected`` units a finding is about, when named, are distinct units or
organisations of the hierarchy."""


def hazard_lifecycle(
    *, deadlines: DeadlinePolicy = HAZARD_DEADLINES, ladder: Iterable[str] = HAZARD_LADDER
) -> LifecycleDefinition:
    """Build the hazard-rectification lifecycle 隐患整改 with the given deadlines and ladder.

    A hazard is discovered in a covert inspection 暗访 (by the centre's inspectors or the
    citizens' supervision panel 平安市民监督团, naming the ``inspected`` units), a routine
    check or a grid patrol; a covert-inspection finding is due by the ``covert_inspection``
    limit (within its 211 revisit fortnight).  The command room (or the centre) assigns it
    with a rectification notice 整改交办单, territorially or sectorally 属地+行业: to the
    hazard's town (its leader acts), the town's stations, or a city department of the sector.
    The assigned unit rectifies it with the five fixed 五落实 (responsibility, measures,
    deadline, funds, plan), submits it for checking 验收, and it is closed 销号 (delisted 摘牌)
    or sent back.  A major hazard may be listed 挂牌 at a level (province, prefecture,
    county).  Overdue, it climbs ``ladder`` one rung at a time (default 通报 -> 约谈 -> 问责),
    each rung at least the ``rung_spacing`` limit after the one before; a summons and
    accountability name whom they target.  The panel may record further findings about units
    on an open hazard.

    >>> h = hazard_lifecycle()
    >>> [h.trigger(k).label.zh for k in HAZARD_LADDER]
    ['通报', '约谈', '问责']
    >>> hazard_lifecycle(ladder=("summon", "circulate")).trigger("summon").label.zh
    '约谈'

    Raises:
        ArgumentError: ``ladder`` is empty, repeats a rung or names an unknown one.
    """
    rungs = _check_ladder(ladder)
    states = (
        new_state("discovered", "发现", initial=True),
        new_state("assigned", "交办", en="assigned (rectification notice)"),
        new_state("rectifying", "整改中"),
        new_state("checking", "验收", en="checking / acceptance"),
        new_state("closed", "销号/摘牌", en="closed / delisted", final=True, closing=True),
    )
    triggers = (
        new_trigger(
            "find_in_covert_inspection",
            "暗访发现",
            "found in a covert inspection",
            kind=TriggerKind.FIND,
        ),
        new_trigger(
            "find_in_routine_check",
            "日常检查发现",
            "found in a routine check",
            kind=TriggerKind.FIND,
        ),
        new_trigger(
            "find_on_patrol", "网格巡查发现", "found on grid patrol", kind=TriggerKind.FIND
        ),
        new_trigger("assign", "整改交办", kind=TriggerKind.DISPATCH),
        new_trigger("list_hazard", "挂牌督办", "list a major hazard"),
        new_trigger("record_panel_finding", "监督团发现", "record a panel finding"),
        new_trigger("start_rectification", "落实整改", "start rectification"),
        new_trigger("submit_for_check", "申请验收", "submit for checking"),
        new_trigger("pass_check", "验收通过", "pass the check"),
        new_trigger("fail_check", "验收不通过", "fail the check"),
        *(
            new_trigger(key, HAZARD_RUNGS[key][1], HAZARD_RUNGS[key][0], kind=TriggerKind.SANCTION)
            for key in rungs
        ),
    )
    t = Transition
    climbed = tuple(
        t(
            trigger=key,
            sources=("assigned", "rectifying"),
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"targets"} if key in _TARGETED else set(),
            accepts={"note"} if key in _TARGETED else {"note", "targets"},
            guards=(
                OVERDUE,
                Guard(
                    key=f"after_{rungs[i - 1]}" if i else "first_rung",
                    label=label(
                        f"after {HAZARD_RUNGS[rungs[i - 1]][0]}, spaced" if i else "the first rung",
                        f"已{HAZARD_RUNGS[rungs[i - 1]][1]}且间隔已满" if i else "第一级",
                    ),
                    check=_next_rung(i, rungs),
                ),
                *((TARGETS_KNOWN,) if key in _TARGETED else ()),
            ),
        )
        for i, key in enumerate(rungs)
    )
    transitions = (
        t(
            trigger="find_in_covert_inspection",
            sources=(),
            dest="discovered",
            roles={"centre_officer", "supervision_panel_member"},
            jurisdiction=Jurisdiction.CITY,
            accepts={"description", "inspected"},
            guards=(INSPECTED_KNOWN,),
            effects=(
                Effect(
                    key="covert_due",
                    label=label("due within the revisit fortnight", "回访期内整改"),
                    apply=_covert_due,
                ),
            ),
        ),
        t(
            trigger="find_in_routine_check",
            sources=(),
            dest="discovered",
            roles={"command_room_operator", "station_officer"},
            jurisdiction=Jurisdiction.TOWN,
            accepts={"description"},
        ),
        t(
            trigger="find_on_patrol",
            sources=(),
            dest="discovered",
            roles=GRID_ROLES,
            jurisdiction=Jurisdiction.LOCATION,
            accepts={"description"},
        ),
        t(
            trigger="assign",
            sources="discovered",
            dest="assigned",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"units", "notice"},
            guards=(HAZARD_TARGETS_FIT,),
            effects=(ASSIGN,),
        ),
        t(
            trigger="list_hazard",
            sources=_OPEN,
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"level"},
            accepts={"note"},
            guards=(
                Guard(key="major_hazard", label=label("a major hazard", "重大隐患"), check=_major),
                Guard(
                    key="listing_level",
                    label=label("province, prefecture or county, once", "省/市/县级挂牌一次"),
                    check=_listing_fits,
                ),
            ),
        ),
        t(
            trigger="record_panel_finding",
            sources=_OPEN,
            dest=None,
            roles={"supervision_panel_member"},
            jurisdiction=Jurisdiction.CITY,
            requires={"inspected", "note"},
            guards=(INSPECTED_KNOWN,),
        ),
        t(
            trigger="start_rectification",
            sources="assigned",
            dest="rectifying",
            roles=_HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
            requires=_FIVE_FIXED,
        ),
        t(
            trigger="submit_for_check",
            sources="rectifying",
            dest="checking",
            roles=_HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
            requires={"result"},
        ),
        t(
            trigger="pass_check",
            sources="checking",
            dest="closed",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            accepts={"note"},
        ),
        t(
            trigger="fail_check",
            sources="checking",
            dest="rectifying",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"reason"},
        ),
        *climbed,
    )
    return LifecycleDefinition(
        key="hazard",
        label=label("hazard rectification", "隐患整改"),
        states=states,
        triggers=triggers,
        transitions=transitions,
        severities=(
            Severity(key="general", label=label("general hazard", "一般隐患")),
            Severity(key="major", label=label("major hazard", "重大隐患")),
        ),
        deadlines=deadlines,
        holder_level=Level.TOWN,
        data_specs={
            **SHARED_DATA,
            "units": UNITS,
            "targets": UNITS,
            "inspected": UNITS,
            "notice": NAME,
            "level": NAME,
            **dict.fromkeys(sorted(_FIVE_FIXED), TEXT),
        },
    )


HAZARD_LIFECYCLE = hazard_lifecycle()
"""The hazard-rectification lifecycle 隐患整改 with default deadlines."""
