"""Why not: for a case and an actor, every trigger with allowed or the check that refuses it.

A front end draws a command menu from :func:`why_not`: one :class:`Choice` per trigger of the
case's lifecycle, in definition order, saying whether the actor may fire it now, whether the
form must first supply data (a required key, or a guard that reads the form's data), or which
check refuses it (state, post, role, jurisdiction, time, data, guards: the engine's own checks
of :mod:`~ruian_governance.lifecycles.checks`, run in their order) with the typed error
:meth:`Engine.apply <ruian_governance.Engine.apply>` would raise and its problem details.

:meth:`Engine.allowed <ruian_governance.Engine.allowed>` says which triggers pass state, post,
role and jurisdiction; :func:`why_not` says the same for those checks and goes on to time, data
and guards, and says why for the others.

>>> from datetime import datetime, timedelta
>>> from ruian_governance import (CHINA_STANDARD_TIME, Actor, Level, builtin_engine,
...     generate_hierarchy)
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
>>> engine = builtin_engine(h)
>>> grid = h.units_at(Level.GRID)[0]
>>> worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
>>> room = h.command_room_of(h.towns[0].id)
>>> operator = Actor.of(h, h.people_of(room.id)[0].id, "command_room_operator")
>>> t0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
>>> case = engine.open("event", case_id="E1", trigger="report", actor=worker, at=t0,
...                    location_id=grid.id, category="noise", severity="ordinary")
>>> case = engine.apply(case, "accept", actor=operator, at=t0 + timedelta(hours=1))
>>> at = t0 + timedelta(hours=2)
>>> menu = {c.trigger: c for c in why_not(engine, case, operator, at=at)}
>>> menu["dispatch"].status, sorted(menu["dispatch"].requires)
('needs_data', ['units'])
>>> menu["supervise"].status, menu["supervise"].check, menu["supervise"].error.guard
('refused', 'guards', 'overdue')
>>> menu["sign"].status, menu["sign"].check
('refused', 'state')
>>> filled = why_not(engine, case, operator, at=at, data={"reason": "跨镇街"})
>>> [c.trigger for c in filled if c.allowed]
['escalate']
>>> refused = {c.trigger: c for c in why_not(engine, case, worker, at=at)}["dispatch"]
>>> refused.check, refused.problem()["status"]
('role', 403)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal, TypeAlias

import attrs

from ruian_governance.errors import (
    ArgumentError,
    GuardFailedError,
    InvalidActorError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TimeOrderError,
    TransitionError,
)
from ruian_governance.labels import Label
from ruian_governance.models import Actor, Case, DataValue
from ruian_governance.problems import problem_details

from .checks import Checks
from .definition import LifecycleDefinition, Transition
from .engine import Engine

__all__ = ["Choice", "ChoiceStatus", "why_not"]

ChoiceStatus: TypeAlias = Literal["allowed", "needs_data", "refused"]
"""A menu entry's status: fire it now, fill the form first, or refused (:attr:`Choice.check`)."""

_CHECK_OF: tuple[tuple[type[TransitionError], str], ...] = (
    (InvalidActorError, "post"),
    (RoleNotAllowedError, "role"),
    (JurisdictionError, "jurisdiction"),
    (TimeOrderError, "time"),
    (GuardFailedError, "guards"),
)
"""The check (of ``CHECK_ORDER``) each refusal comes from; any other TransitionError: data."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Choice:
    """One trigger of a command menu: may the actor fire it, and if not, why not.

    Args:
        trigger: The trigger's key.
        label: Its bilingual label (for the menu).
        status: ``"allowed"`` (every check passes with the data given), ``"needs_data"``
            (state, post, role, jurisdiction and time pass; the form must supply data: a
            required key, or a guard refuses without the form's data), ``"refused"``.
        check: The check that refuses or waits (``"state"``, ``"post"``, ``"role"``,
            ``"jurisdiction"``, ``"time"``, ``"data"``, ``"guards"``), ``None`` when allowed.
        error: The error :meth:`Engine.apply <ruian_governance.Engine.apply>` would raise,
            ``None`` when allowed.
        requires: The data keys the form must supply.
        accepts: The optional data keys the form may supply.
    """

    trigger: str
    label: Label
    status: ChoiceStatus
    check: str | None
    error: TransitionError | None
    requires: frozenset[str]
    accepts: frozenset[str]

    @property
    def allowed(self) -> bool:
        """Whether the actor may fire the trigger now, with the data given."""
        return self.status == "allowed"

    def problem(self) -> dict[str, object] | None:
        """The refusal as RFC 9457 problem details (:func:`~ruian_governance.problem_details`).

        ``None`` when allowed.
        """
        return None if self.error is None else problem_details(self.error)


def _check_of(error: TransitionError) -> str:
    return next((name for kind, name in _CHECK_OF if isinstance(error, kind)), "data")


def why_not(
    engine: Engine,
    case: Case,
    actor: Actor,
    *,
    at: datetime | None = None,
    data: Mapping[str, DataValue] | None = None,
) -> tuple[Choice, ...]:
    """Every trigger of the case's lifecycle for ``actor``: allowed, the form's data, or why not.

    The engine's checks run in their order on a copy of ``data``; nothing is built or changed.
    ``at`` is the command's time: give it (a front end: its clock's now), since guards that
    read the time (is the case overdue?) are asked at it; without it the time check is left
    to the command and guards are asked at the case's last record's time.  The engine's
    clock, if any, is asked only by :meth:`Engine.apply <ruian_governance.Engine.apply>`.
    Without ``data`` (the form not filled yet), a trigger that requires data is
    ``"needs_data"`` and its guards, which may read that data, are asked once it is given;
    a trigger without required data has its guards asked with no data.  The triggers that
    only open a case are not listed.

    Raises:
        ArgumentError: ``engine`` is not an Engine, ``data`` not a mapping with text keys,
            ``at`` not an aware datetime.
        UnknownIdError: The engine does not run the case's lifecycle.
        ForgedHistoryError: The case is not one the engine made and does not verify.
    """
    if not isinstance(engine, Engine):
        raise ArgumentError("engine", engine, "an Engine")  # noqa: EM101 - a name
    if data is not None and (
        not isinstance(data, Mapping) or not all(type(k) is str for k in data)
    ):
        raise ArgumentError("data", data, "a mapping of data keys (str) to values, or None")  # noqa: EM101
    if at is not None and (not isinstance(at, datetime) or at.utcoffset() is None):
        raise ArgumentError("at", at, "a timezone-aware datetime or None")  # noqa: EM101
    engine.allowed(case, actor)  # verifies a case the engine did not make, as apply does
    definition = engine.lifecycle(case.lifecycle)
    checks = Checks(engine.hierarchy)
    listed: list[Choice] = []
    for trigger in definition.triggers:
        transitions = [t for t in definition.transitions if t.trigger == trigger.key]
        if transitions and all(t.opening for t in transitions):
            continue
        entry = definition.entry(case.state, trigger.key)
        if entry is None:
            try:
                checks.state(case.id, case.state, trigger.key, actor)
            except TransitionError as error:
                transition = transitions[0] if transitions else None
                listed.append(_choice(trigger.key, trigger.label, "state", error, transition))
            continue
        listed.append(_judge(checks, definition, entry[1], case, actor, at, data, trigger.label))
    return tuple(listed)


def _choice(  # noqa: PLR0913, PLR0917 - a menu entry's parts, private
    trigger: str,
    label: Label,
    check: str | None,
    error: TransitionError | None,
    transition: Transition | None,
    status: ChoiceStatus = "refused",
) -> Choice:
    return Choice(
        trigger=trigger,
        label=label,
        status="allowed" if error is None else status,
        check=check,
        error=error,
        requires=frozenset() if transition is None else transition.requires,
        accepts=frozenset() if transition is None else transition.accepts,
    )


def _judge(  # noqa: PLR0913, PLR0917 - one trigger's command, private
    checks: Checks,
    definition: LifecycleDefinition,
    transition: Transition,
    case: Case,
    actor: Actor,
    at: datetime | None,
    data: Mapping[str, DataValue] | None,
    label: Label,
) -> Choice:
    """The menu entry of one available transition: its checks run in order."""
    trigger = transition.trigger
    given: dict[str, DataValue] = dict(data or {})
    when = case.history[-1].at if at is None else at
    compiled = [
        checks.post(transition),
        checks.role(transition),
        checks.jurisdiction(transition),
        checks.time(transition) if at is not None else None,
        checks.data(definition, transition),
        checks.guards(definition, transition),
    ]
    for check in compiled:
        if check is None:
            continue
        try:
            check(case, actor, when, given)
        except TransitionError as error:
            name = _check_of(error)
            waits = data is None and isinstance(error, MissingDataError)
            status: ChoiceStatus = "needs_data" if waits else "refused"
            return _choice(trigger, label, name, error, transition, status)
    return _choice(trigger, label, None, None, transition)
