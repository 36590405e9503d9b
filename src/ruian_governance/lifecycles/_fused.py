"""One fused check per transition: the checks of a plan in one call (private to the engine).

:meth:`~ruian_governance.lifecycles.checks.Checks.plan` compiles a transition's checks (post,
role, jurisdiction, time, data, guards) into one closure each; a command through them pays a
call and a loop step per check.  :func:`fuse` compiles the same checks into one closure that
asks the same questions inline, in the same order.  It raises nothing of its own making on the
first four checks and the data check: when a question answers "no" (or cannot be asked
inline, e.g. a time in a zone that is not a fixed offset, or an engine with a clock), it runs
the plan's own check(s) up to and including that one, which raise the same error, with the same
message, as the plan does.  Those checks are pure (the data check only replaces ids given as a
list with their tuple), so asking again changes nothing.  Guards are asked once each, inline,
and refused with the guard check's own error (:class:`~ruian_governance.GuardFailedError`).

``tests/test_lifecycle_fused.py`` runs random commands through both and asserts the same
outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone

from ruian_governance.errors import GuardFailedError
from ruian_governance.models import Actor, Case, DataValue, Hierarchy

from . import _fast
from .definition import CommandContext, LifecycleDefinition, Transition

__all__ = ["fuse"]

_Check = Callable[[Case, Actor, datetime, Mapping[str, DataValue]], None]
_Fused = Callable[[Case, Actor, datetime, Mapping[str, DataValue]], CommandContext | None]
_Rule = Callable[[Case, Actor], bool]


def fuse(  # noqa: PLR0913 - the parts of the checks, compiled once per transition
    *,
    definition: LifecycleDefinition,
    transition: Transition,
    plan: tuple[_Check, ...],
    posts: frozenset[tuple[str, str, str]],
    within: _Rule | None,
    clocked: bool,
    hierarchy: Hierarchy,
) -> _Fused:
    """The checks of ``plan`` (compiled for ``transition``) as one closure.

    The closure returns the :class:`~ruian_governance.lifecycles.CommandContext` its guards
    were asked with (``None`` when the transition has no guards): the engine hands it to the
    first effect (:func:`~ruian_governance.lifecycles._effects.changes`), which would build an
    equal one.

    Args:
        definition: The transition's lifecycle.
        transition: The transition the plan checks.
        plan: :meth:`~ruian_governance.lifecycles.checks.Checks.plan` of the transition: post,
            role, jurisdiction (when ``within`` is not ``None``), time, data, guards (when the
            transition has guards), in this order.
        posts: The hierarchy's posts, ``(person, role, unit)``.
        within: The jurisdiction rule's test, or ``None`` when any unit may fire it.
        clocked: Whether the engine checks times against a clock (then the plan's time check
            runs as it is).
        hierarchy: The hierarchy guards receive.
    """
    roles = transition.roles
    trigger = transition.trigger
    guards = transition.guards
    requires = transition.requires
    known = requires | transition.accepts
    readers = {key: definition.data_spec(key).read for key in known}
    first = 3 if within is not None else 2  # post, role (and jurisdiction)
    before = plan[:first]
    time_check = plan[first]
    data_check = plan[first + 1]

    def check(  # noqa: PLR0912 - the checks inline, for speed
        case: Case, actor: Actor, at: datetime, data: Mapping[str, DataValue]
    ) -> CommandContext | None:
        try:
            held = (actor.person_id, actor.role, actor.unit_id) in posts
        except (AttributeError, TypeError):  # not an actor, or one of unhashable fields
            held = False
        if not held or actor.role not in roles or (within is not None and not within(case, actor)):
            for earlier in before:  # the refusing check raises its own error
                earlier(case, actor, at, data)
        if (
            clocked
            or type(at) is not datetime
            or type(at.tzinfo) is not timezone
            or at < case.history[-1].at
        ):
            time_check(case, actor, at, data)
        if data:
            keys = data.keys()
            if keys >= requires and keys <= known:
                read: dict[str, DataValue] | None = None
                for key, value in data.items():
                    found = readers[key](value)
                    if found is None:  # never a data value
                        data_check(case, actor, at, data)
                        read = None
                        break
                    if found is not value:
                        read = {key: found} if read is None else {**read, key: found}
                if read is not None:  # the engine's own dict of the command's data
                    data.update(read)  # type: ignore[attr-defined]
            else:
                data_check(case, actor, at, data)
        elif requires:
            data_check(case, actor, at, data)
        if guards:
            context = _fast.context(case, trigger, actor, at, data, hierarchy, definition)
            for each in guards:
                if not each.check(context):
                    raise GuardFailedError(
                        guard=each.key,
                        case_id=case.id,
                        state=case.state,
                        trigger=trigger,
                        actor=actor,
                        detail=each.label.en,
                    )
            return context
        return None

    return check
