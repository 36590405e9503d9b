"""Intake, duplicates and honest evaluation in the event closed loop 事件闭环.

What daily work adds to the happy path (issue 12, points 6-8), as guards, effects and
transitions the event lifecycle takes in its own section:

- citizens' reports 群众来件 through the app, the 12345 hotline or the centre's walk-in window
  一窗受理 (``intake``, by a command room or the city centre), with a reporter *reference*,
  never personal data; the reporter may withdraw 撤件 before dispatch (``withdraw``, or
  ``withdraw_citizen`` recorded by the room or centre for a citizen, by their reference);
- duplicates 重复件合并: the command room merges a duplicate into a primary case (``merge`` on the
  duplicate, which ends as merged; ``take_duplicate`` on the primary, which records the
  duplicate's id and reporter); related cases 关联件 are linked (``link``);
- honest evaluation: nobody evaluates work they handled themselves (:data:`NOT_OWN_WORK`);
  the command room spot-checks 抽查 on-the-spot solutions (``spot_check``,
  ``fail_spot_check``); an unsatisfied rating (1-2 stars) sends the case back for rework 重办
  (``rework``) up to a configurable number of times; the reporter's callback 回访 records their
  satisfaction apart from the grid worker's evaluation (``callback``).

The views of a case these read (its reporters, merged and related ids, its handlers) are
computed from its history (:mod:`.casework`), so the case itself gains no field.

>>> from ruian_governance import EVENT_LIFECYCLE
>>> EVENT_LIFECYCLE.next_state("accepted", "merge"), EVENT_LIFECYCLE.next_state("closed", "rework")
('merged', 'accepted')
>>> sorted(CITIZEN_CHANNELS)
['app', 'hotline', 'window']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ruian_governance.errors import ArgumentError
from ruian_governance.labels import Label, check_identifier
from ruian_governance.lifecycles.definition import CommandContext, Effect, Guard, Transition
from ruian_governance.lifecycles.parts import (
    DataSpec,
    Jurisdiction,
    State,
    Trigger,
    TriggerKind,
)

from .casework import (
    HANDLING_TRIGGERS,
    called_back,
    merged_ids,
    related_ids,
    reporter_ref,
    reporters,
    reworks,
)
from .guards import REPORTERS, SHARED_DATA, SUPERVISORS, label, new_state, new_trigger

__all__ = [
    "CITIZEN_CHANNELS",
    "INTAKE_DATA",
    "NOT_OWN_WORK",
    "REWORK_LIMIT",
    "honest_evaluation",
    "intake_states",
    "intake_transitions",
    "intake_triggers",
]

CITIZEN_CHANNELS: Mapping[str, Label] = {
    "app": label("the citizens' app", "群众APP"),
    "hotline": label("the 12345 hotline", "12345热线"),
    "window": label("the centre's walk-in window", "一窗受理"),
}
"""The channels a citizen reports through (the ``channel`` of an ``intake``): Zhejiang's
people's app reports, the 12345 government service hotline and the walk-in window of the social
governance centre 一窗受理 (the domain notes; a design choice of keys)."""

REWORK_LIMIT = 1
"""How many times an unsatisfied rating may send a case back for rework 重办 (default once;
a design choice, configurable through :func:`~ruian_governance.event_lifecycle`)."""

_REF = DataSpec.ids(max_items=1)

INTAKE_DATA: Mapping[str, DataSpec] = {
    "reporter": _REF,
    "primary": _REF,
    "duplicate": _REF,
    "related": _REF,
    "satisfaction": DataSpec.integer(1, 5),
}
"""The types of the data keys of this section: a reporter reference and the ids of a primary,
duplicate or related case (one id each), and the reporter's 1-5 ``satisfaction`` at callback."""

_PERSONAL = re.compile(r"\d{7,}")


def _first(value: object) -> str | None:
    if type(value) is tuple and len(value) == 1 and type(value[0]) is str:
        return value[0]
    if type(value) is str:
        return value
    return None


# --------------------------------------------------------------------------- guards


def _not_own_work(context: CommandContext) -> bool:
    person = context.actor.person_id  # handlers_of without building the set (every evaluation)
    handling = HANDLING_TRIGGERS
    for record in context.case.history:
        if record.trigger in handling and record.actor.person_id == person:
            return False
    return True


NOT_OWN_WORK = Guard(
    key="not_own_work",
    label=label("the evaluator did not handle the case", "处置人不得自评"),
    check=_not_own_work,
)
"""The evaluator did not handle the case: nobody who solved it on the spot, signed, started
or fed it back (:data:`~.casework.HANDLING_TRIGGERS`) rates or sends back their own work."""


_READ_STARS = SHARED_DATA["stars"].read


def _stars(context: CommandContext) -> int | None:
    stars = _READ_STARS(context.data.get("stars"))
    return stars if type(stars) is int else None


def _unsatisfied(context: CommandContext) -> bool:
    stars = _stars(context)
    return stars is not None and stars <= 2


_UNSATISFIED = Guard(
    key="unsatisfied_1_to_2",
    label=label("an unsatisfied rating (1-2 stars)", "不满意（1-2星）"),
    check=_unsatisfied,
)


def _rework_guards(limit: int) -> tuple[Guard, Guard]:
    def left(context: CommandContext) -> bool:
        return reworks(context.case) < limit

    def settled(context: CommandContext) -> bool:
        stars = _stars(context)
        return stars is not None and (stars >= 3 or reworks(context.case) >= limit)

    return (
        Guard(
            key="rework_left",
            label=label(f"sent back for rework fewer than {limit} times", f"重办不超过{limit}次"),
            check=left,
        ),
        Guard(
            key="satisfied_or_reworked",
            label=label(
                "3-5 stars, or 1-2 once rework is used up",
                "满意，或重办次数已用完",
            ),
            check=settled,
        ),
    )


def _spot_checkable(context: CommandContext) -> bool:
    case = context.case
    return bool(case.records("solve_on_spot")) and not (
        case.records("spot_check") or case.records("fail_spot_check")
    )


_SPOT_CHECKABLE = Guard(
    key="solved_on_spot_unchecked",
    label=label("solved on the spot and not yet spot-checked", "就地解决且未抽查"),
    check=_spot_checkable,
)


_CASE_WORDS = {"primary": "主件", "duplicate": "重复件", "related": "关联件"}


def _other_case(key: str, taken: Any) -> Guard:
    def check(context: CommandContext) -> bool:
        other = _first(context.data.get(key))
        return other is not None and other != context.case.id and other not in taken(context.case)

    return Guard(
        key=f"{key}_other_case",
        label=label(
            f"the {key} is another case, not named before",
            f"{_CASE_WORDS.get(key, key)}为另一案件且未重复登记",
        ),
        check=check,
    )


def _reference(value: object) -> bool:
    ref = _first(value)
    if ref is None:
        return False
    try:
        check_identifier(ref, "reporter")
    except ArgumentError:
        return False
    return _PERSONAL.search(ref) is None


def _citizen_intake(context: CommandContext) -> bool:
    return context.data.get("channel") in CITIZEN_CHANNELS and _reference(
        context.data.get("reporter")
    )


_CITIZEN_INTAKE = Guard(
    key="citizen_channel_and_reference",
    label=label(
        "a citizen channel (app, 12345, window) and a reporter reference, not personal data",
        "群众来件渠道与来件人编号（不含个人信息）",
    ),
    check=_citizen_intake,
)


def _reporter_withdraws(context: CommandContext) -> bool:
    return context.actor.person_id == context.case.reporter_id


def _citizen_withdraws(context: CommandContext) -> bool:
    ref = reporter_ref(context.case)
    return ref is not None and _first(context.data.get("reporter")) == ref


_BY_REPORTER = Guard(
    key="withdrawn_by_reporter",
    label=label("the person who reported it withdraws it", "上报人撤件"),
    check=_reporter_withdraws,
)

_BY_CITIZEN = Guard(
    key="withdrawn_by_citizen_reporter",
    label=label("the citizen who reported it, by their reference", "来件人撤件（按来件人编号）"),
    check=_citizen_withdraws,
)


def _callback_due(context: CommandContext) -> bool:
    ref = _first(context.data.get("reporter"))
    case = context.case
    return ref is not None and ref in reporters(case) and ref not in called_back(case)


_CALLBACK_DUE = Guard(
    key="reporter_not_yet_called_back",
    label=label("a reporter of the case, not yet called back", "来件人尚未回访"),
    check=_callback_due,
)


def _reopen(_context: CommandContext) -> Mapping[str, Any]:
    """Back to the command room: no assignee (the case keeps its deadline)."""
    return {"assignees": ()}


_REOPEN = Effect(
    key="reopen_for_rework",
    label=label("back to the command room, unassigned", "退回指挥室重新交办"),
    apply=_reopen,
)


# --------------------------------------------------------------------------- the section


def intake_states() -> tuple[State, ...]:
    """The two final states this section adds: merged 已合并 and withdrawn 已撤件."""
    return (
        new_state("merged", "已合并", final=True),
        new_state("withdrawn", "已撤件", final=True),
    )


def intake_triggers() -> tuple[Trigger, ...]:
    """The triggers this section adds, with their labels and kinds."""
    return (
        new_trigger("intake", "群众来件受理", "citizen intake", kind=TriggerKind.REPORT),
        new_trigger("withdraw", "撤件"),
        new_trigger("withdraw_citizen", "群众撤件", "record a citizen's withdrawal"),
        new_trigger("merge", "重复件合并", "merge into a primary case"),
        new_trigger("take_duplicate", "并入重复件", "take a duplicate"),
        new_trigger("link", "关联件", "link a related case"),
        new_trigger("spot_check", "抽查", "spot-check"),
        new_trigger("fail_spot_check", "抽查不通过", "fail the spot check"),
        new_trigger("rework", "重办"),
        new_trigger("callback", "回访"),
    )


def honest_evaluation(evaluation: Transition, *, rework_limit: int = REWORK_LIMIT) -> Transition:
    """Return ``evaluation`` with the honest-evaluation guards added after its own.

    The evaluator did not handle the case (:data:`NOT_OWN_WORK`), and a rating of 1-2 stars is
    an evaluation only once rework is used up (before that it is a ``rework`` command).
    """
    settled = _rework_guards(rework_limit)[1]
    return Transition(
        trigger=evaluation.trigger,
        sources=evaluation.sources,
        dest=evaluation.dest,
        roles=evaluation.roles,
        jurisdiction=evaluation.jurisdiction,
        requires=evaluation.requires,
        accepts=evaluation.accepts,
        guards=(*evaluation.guards, NOT_OWN_WORK, settled),
        effects=evaluation.effects,
    )


def intake_transitions(
    *,
    before_dispatch: tuple[str, ...],
    open_states: tuple[str, ...],
    rework_limit: int = REWORK_LIMIT,
) -> tuple[Transition, ...]:
    """The transitions of this section, for a lifecycle with a ``closed`` state.

    Args:
        before_dispatch: The states a case is merged or withdrawn from (before dispatch 交办).
        open_states: The states a primary case takes duplicates and links in.
        rework_limit: How many times an unsatisfied rating sends a case back for rework 重办.

    Raises:
        ArgumentError: ``rework_limit`` is not a whole number from 0 to 10.
    """
    if type(rework_limit) is not int or not 0 <= rework_limit <= 10:
        argument = "rework_limit"
        raise ArgumentError(argument, rework_limit, "a whole number from 0 to 10")
    left, _settled = _rework_guards(rework_limit)
    t = Transition
    return (
        t(
            trigger="intake",
            sources=(),
            dest="reported",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"channel", "reporter"},
            accepts={"description"},
            guards=(_CITIZEN_INTAKE,),
        ),
        t(
            trigger="withdraw",
            sources=before_dispatch,
            dest="withdrawn",
            roles=REPORTERS,
            jurisdiction=Jurisdiction.LOCATION,
            requires={"reason"},
            guards=(_BY_REPORTER,),
        ),
        t(
            trigger="withdraw_citizen",
            sources=before_dispatch,
            dest="withdrawn",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"reporter", "reason"},
            guards=(_BY_CITIZEN,),
        ),
        t(
            trigger="merge",
            sources=before_dispatch,
            dest="merged",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"primary"},
            accepts={"note"},
            guards=(_other_case("primary", lambda _case: ()),),
        ),
        t(
            trigger="take_duplicate",
            sources=open_states,
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"duplicate", "reporter"},
            accepts={"note"},
            guards=(_other_case("duplicate", merged_ids),),
        ),
        t(
            trigger="link",
            sources=(*open_states, "closed"),
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"related"},
            accepts={"note"},
            guards=(_other_case("related", related_ids),),
        ),
        t(
            trigger="spot_check",
            sources="closed",
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"result"},
            guards=(_SPOT_CHECKABLE,),
        ),
        t(
            trigger="fail_spot_check",
            sources="closed",
            dest="accepted",
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER,
            requires={"reason"},
            guards=(_SPOT_CHECKABLE,),
            effects=(_REOPEN,),
        ),
        t(
            trigger="rework",
            sources="closed",
            dest="accepted",
            roles=REPORTERS,
            jurisdiction=Jurisdiction.LOCATION,
            requires={"stars", "reason"},
            accepts={"comment"},
            guards=(_UNSATISFIED, NOT_OWN_WORK, left),
            effects=(_REOPEN,),
        ),
        t(
            trigger="callback",
            sources="closed",
            dest=None,
            roles=SUPERVISORS,
            jurisdiction=Jurisdiction.HOLDER_OR_ABOVE,
            requires={"reporter", "satisfaction"},
            accepts={"comment"},
            guards=(_CALLBACK_DUE,),
        ),
    )
