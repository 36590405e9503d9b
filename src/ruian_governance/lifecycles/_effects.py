"""The changes a transition's effects make (private to the engine).

Moved out of :mod:`~ruian_governance.lifecycles.engine` to keep it under the house's module
bound.  :func:`changes` may be given the
:class:`~ruian_governance.lifecycles.CommandContext` the command's guards were asked with
(:func:`~ruian_governance.lifecycles._fused.fuse` returns it): it is the value the first
effect receives (the same case, trigger, actor, time, data, hierarchy and lifecycle), so a
transition with guards and an effect builds one context, not two.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ruian_governance.errors import ArgumentError
from ruian_governance.models import Actor, Case, DataValue, Hierarchy

from . import _fast
from .definition import CommandContext, LifecycleDefinition, Transition

__all__ = ["changes"]


def changes(  # noqa: PLR0913, PLR0917 - the command's parts, private
    definition: LifecycleDefinition,
    case: Case,
    transition: Transition,
    actor: Actor,
    at: datetime,
    data: Mapping[str, DataValue],
    hierarchy: Hierarchy,
    context: CommandContext | None = None,
) -> dict[str, Any]:
    """The changes the transition's effects make, in order (each sees the ones before).

    ``context``, when given, is the command's context for ``case`` (the guards' one): the
    first effect receives it instead of an equal one built anew.

    Raises:
        ArgumentError: An effect changes a field outside ``unit_id``, ``assignees``,
            ``severity``, ``due_at`` and ``parties`` (a broken definition).
    """
    made_all: dict[str, Any] = {}
    for effect in transition.effects:
        if context is None:
            context = _fast.context(
                case, transition.trigger, actor, at, data, hierarchy, definition
            )
        made = effect.apply(context)
        context = None  # the next effect gets its own context (of the changed case)
        if not made.keys() <= _fast.EFFECT_FIELDS:
            bad = made.keys() - _fast.EFFECT_FIELDS
            argument = f"changes of effect {effect.key!r}"
            allowed = ", ".join(sorted(_fast.EFFECT_FIELDS))
            refused = ", ".join(sorted(bad))
            raise ArgumentError(
                argument, sorted(bad), f"changes of {allowed} (it may not change {refused})"
            )
        if made:
            made_all.update(made)
            if len(transition.effects) > 1:  # the next effect sees this one's changes
                case = attrs.evolve(case, **made)
    return made_all
