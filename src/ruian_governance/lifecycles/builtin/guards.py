"""What the built-in lifecycles share: label helpers, role groups, guards and effects.

The guards and effects here are used by more than one built-in lifecycle; an extension may
reuse them too (e.g. :data:`STARS` for its own evaluation).

>>> STARS.key, [e.key for e in (ASSIGN, UNASSIGN)]
('stars_1_to_5', ['assign', 'unassign'])
>>> str(SHARED_DATA["stars"]), str(SHARED_DATA["reason"])
('a whole number from 1 to 5', 'text of at most 2000 characters')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruian_governance.errors import UnknownIdError
from ruian_governance.labels import TEXT_MAX, Label
from ruian_governance.lifecycles.definition import CommandContext, Effect, Guard, Transition
from ruian_governance.lifecycles.parts import (
    DataSpec,
    Jurisdiction,
    State,
    Trigger,
    TriggerKind,
)
from ruian_governance.lifecycles.warnings import is_late
from ruian_governance.models import Department, Station, unit_ids

__all__ = [
    "ASSIGN",
    "GRID_ROLES",
    "HANDLERS",
    "NAME",
    "ONE_TARGET_IF_ORDINARY",
    "OVERDUE",
    "REPORTERS",
    "SHARED_DATA",
    "STARS",
    "SUPERVISORS",
    "TARGETS_FIT",
    "TEXT",
    "UNASSIGN",
    "UNITS",
    "evaluation",
    "label",
    "new_state",
    "new_trigger",
    "reported",
    "supervision",
]


def label(en: str, zh: str) -> Label:
    """A bilingual label."""
    return Label(en=en, zh=zh)


def new_state(key: str, zh: str, *, en: str | None = None, **flags: bool) -> State:
    """A state labelled ``en`` (default: its key in words) and ``zh``, with its flags."""
    return State(key=key, label=label(en or key.replace("_", " "), zh), **flags)


def new_trigger(
    key: str, zh: str, en: str | None = None, *, kind: TriggerKind | None = None
) -> Trigger:
    """A trigger labelled ``en`` (default: its key in words) and ``zh``, of ``kind``."""
    return Trigger(key=key, label=label(en or key.replace("_", " "), zh), kind=kind)


TEXT = DataSpec.text()
"""Free text of at most 2,000 characters: reasons, notes, results, descriptions, comments."""

NAME = DataSpec.text(TEXT_MAX)
"""Short text of at most 500 characters, as a name: a channel, a tier, a notice's number."""

UNITS = DataSpec.ids(max_items=50)
"""Unit ids a command names (stations, departments): 1 to 50 of them."""

SHARED_DATA = {
    "description": TEXT,
    "channel": NAME,
    "reason": TEXT,
    "note": TEXT,
    "result": TEXT,
    "comment": TEXT,
    "stars": DataSpec.integer(1, 5),
}
"""The types of the data keys every built-in lifecycle's commands share (report, register,
reasons, notes, results, the evaluation's 1-5 ``stars`` and ``comment``)."""

REPORTERS = frozenset({"grid_worker", "micro_grid_worker", "grid_leader", "village_cadre"})
"""The roles that report events and disputes and evaluate them."""

GRID_ROLES = frozenset({"grid_worker", "micro_grid_worker", "grid_leader"})
"""The grid's own roles (on-the-spot solving, verification, patrols)."""

HANDLERS = frozenset({"station_officer", "department_officer"})
"""The roles of the units a case is assigned to (stations, departments)."""

SUPERVISORS = frozenset({"command_room_operator", "centre_officer"})
"""The roles that triage, supervise 督办 and sanction: a town's command room, the city centre."""


def _is_overdue(context: CommandContext) -> bool:
    due = context.case.due_at
    if due is None or context.at < due:
        return False
    if context.lifecycle.state(context.case.state).paused:  # the clock stops while paused
        return is_late(context.case, context.lifecycle, context.at)
    return True


OVERDUE = Guard(
    key="overdue", label=label("the case is past its deadline", "已超期"), check=_is_overdue
)
"""The case is past its deadline (supervision 督办 and the hazard ladder need it); a paused
case 挂起 only once its pause granted has run out and its moved deadline has passed."""


def _stars_in_range(context: CommandContext) -> bool:
    stars = context.data.get("stars")
    return isinstance(stars, int) and not isinstance(stars, bool) and 1 <= stars <= 5


STARS = Guard(key="stars_1_to_5", label=label("1 to 5 stars", "1-5星"), check=_stars_in_range)
"""An evaluation gives 1 to 5 ``stars`` (a whole number)."""


def _targets_fit(context: CommandContext) -> bool:
    """Stations of the holding town, or city departments when the city holds the case."""
    targets = unit_ids(context.data.get("units"))
    if targets is None or len(set(targets)) != len(targets):
        return False
    h = context.hierarchy
    holder = context.case.unit_id
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
    label=label(
        "units are stations of the holding town, or departments when the city holds the case",
        "交办对象为承办镇街的站所或市级部门",
    ),
    check=_targets_fit,
)
"""The ``units`` are distinct stations of the holding town, or departments of a city case."""


def _one_target_unless_coordinated(context: CommandContext) -> bool:
    targets = unit_ids(context.data.get("units")) or ()
    return context.case.severity != "ordinary" or len(targets) == 1


ONE_TARGET_IF_ORDINARY = Guard(
    key="one_unit_if_ordinary",
    label=label("an ordinary case goes to exactly one unit", "一般事件交办一个单位"),
    check=_one_target_unless_coordinated,
)
"""An ordinary case goes to exactly one unit (larger ones may go to several that coordinate)."""


def _assign(context: CommandContext) -> Mapping[str, Any]:
    return {"assignees": unit_ids(context.data.get("units")) or ()}


ASSIGN = Effect(key="assign", label=label("assign the units", "交办"), apply=_assign)
"""Assign the case to the command's ``units``."""

UNASSIGN = Effect(
    key="unassign",
    label=label("clear the assignment", "撤回交办"),
    apply=lambda _c: {"assignees": ()},
)
"""Clear the case's assignment (a unit returned it)."""


def reported(dest: str) -> tuple[Transition, Transition]:
    """The two openings of a reported matter, into ``dest``.

    A reporter of its location reports it 上报 (``report``); the town's command room registers
    it 登记 (``register``, from the hotline or a walk-in, with its ``channel``).
    """
    return (
        Transition(
            trigger="report",
            sources=(),
            dest=dest,
            roles=REPORTERS,
            jurisdiction=Jurisdiction.LOCATION,
            accepts={"description"},
        ),
        Transition(
            trigger="register",
            sources=(),
            dest=dest,
            roles={"command_room_operator"},
            jurisdiction=Jurisdiction.TOWN,
            accepts={"description", "channel"},
        ),
    )


def evaluation(source: str) -> Transition:
    """The evaluation 评价 from ``source``: a reporter of the location gives 1-5 ``stars``."""
    return Transition(
        trigger="evaluate",
        sources=source,
        dest="evaluated",
        roles=REPORTERS,
        jurisdiction=Jurisdiction.LOCATION,
        requires={"stars"},
        accepts={"comment"},
        guards=(STARS,),
    )


def supervision(sources: tuple[str, ...]) -> Transition:
    """Supervision 督办 of an overdue case in ``sources``, recorded without a change of state."""
    return Transition(
        trigger="supervise",
        sources=sources,
        dest=None,
        roles=SUPERVISORS,
        jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
        accepts={"note"},
        guards=(OVERDUE,),
    )
