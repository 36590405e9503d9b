"""Hazard rectification 隐患整改: discovered, assigned, rectified, checked, closed.

Overdue, a hazard climbs the ladder 挂牌督办 -> 通报 -> 约谈 -> 责任追究 one rung at a time.

>>> HAZARD_LIFECYCLE.state("closed").label.zh
'销号/摘牌'
"""

from __future__ import annotations

from collections.abc import Callable

from ruian_governance.lifecycles.definition import (
    CommandContext,
    Guard,
    LifecycleDefinition,
    Transition,
)
from ruian_governance.lifecycles.parts import Jurisdiction, Severity, TriggerKind
from ruian_governance.models import Case, Deadline, DeadlinePolicy, Level

from .guards import (
    ASSIGN,
    GRID_ROLES,
    HANDLERS,
    NAME,
    OVERDUE,
    SHARED_DATA,
    SUPERVISORS,
    TARGETS_FIT,
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
    "hazard_lifecycle",
    "hazard_rung",
]

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


def _next_rung(rung: int) -> Callable[[CommandContext], bool]:
    def check(context: CommandContext) -> bool:
        return hazard_rung(context.case) == rung

    return check


_FIVE_FIXED = frozenset({"responsibility", "measures", "deadline", "funds", "plan"})
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
        new_trigger("start_rectification", "落实整改", "start rectification"),
        new_trigger("submit_for_check", "申请验收", "submit for checking"),
        new_trigger("pass_check", "验收通过", "pass the check"),
        new_trigger("fail_check", "验收不通过", "fail the check"),
        *(
            new_trigger(k, zh, en, kind=TriggerKind.SANCTION)
            for k, zh, en in zip(HAZARD_LADDER, _LADDER_ZH, _LADDER_EN, strict=True)
        ),
    )
    t = Transition
    ladder = tuple(
        t(
            trigger=key,
            sources=("assigned", "rectifying"),
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            accepts={"note"},
            guards=(
                OVERDUE,
                Guard(
                    key=f"after_{HAZARD_LADDER[i - 1]}" if i else "first_rung",
                    label=label(
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
            jurisdiction=Jurisdiction.CITY,
            accepts={"description"},
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
            guards=(TARGETS_FIT,),
            effects=(ASSIGN,),
        ),
        t(
            trigger="start_rectification",
            sources="assigned",
            dest="rectifying",
            roles=HANDLERS,
            jurisdiction=Jurisdiction.ASSIGNED,
            requires=_FIVE_FIXED,
        ),
        t(
            trigger="submit_for_check",
            sources="rectifying",
            dest="checking",
            roles=HANDLERS,
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
        *ladder,
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
            "notice": NAME,
            **dict.fromkeys(sorted(_FIVE_FIXED), TEXT),
        },
    )


HAZARD_LIFECYCLE = hazard_lifecycle()
"""The hazard-rectification lifecycle 隐患整改 with default deadlines."""
