"""Probing the engine and diving a new case deep (private to ``testing``).

The steering asks, with no draw, whether a trigger would be accepted now
(:func:`accepted_now`) and which commands would let it be (:func:`enablers`), to prepare a
guarded goal.  A machine opens each case and *dives* it to a drawn state by :func:`dive_step`:
a verified replay of a legal prefix, each command the first one (the main way, by the first
actor allowed) that the engine accepts on the way, at the case's last time, with drawn data
only.  A dive costs a run one draw for the state and the data of its commands, so a
counterexample deep in a lifecycle shrinks to a few rule calls quickly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hypothesis import strategies as st

from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case, DataValue

from ._values import fill_data
from ._walk import Asked, Context, Step

__all__ = ["accepted_now", "asked_dive_step", "dive_step", "enablers"]

_PROBE_VALUES: Mapping[str, DataValue] = {"days": 1, "stars": 5, "satisfaction": 5}
"""The value of a required key when the steering asks whether a trigger would be accepted (a
short text for the keys neither here nor in :func:`_probe_value`)."""

_PROBE_TEXT = "说明 note"


def _probe_value(engine: Engine, key: str) -> DataValue:
    """A fixed value of ``key`` for a probe: from the table, a task-force commander, or a text."""
    if key == "commander":
        found = sorted(
            p.id
            for p in engine.hierarchy.people
            if any(post.role == "task_force_commander" for post in p.posts)
        )
        return found[0] if found else _PROBE_TEXT
    return _PROBE_VALUES.get(key, _PROBE_TEXT)


_PROBE_ACTORS = 3
"""How many allowed actors a probe tries a trigger with."""


def _probe(ctx: Context, case: Case, trigger: str) -> Case | None:
    """The case after ``trigger``, fired now by one of the first allowed actors, or ``None``."""
    engine = ctx.engine
    transition = engine.lifecycle(case.lifecycle).transition(case.state, trigger)
    if transition is None:
        return None
    data = {key: _probe_value(engine, key) for key in sorted(transition.requires)}
    at = case.history[-1].at
    key = ctx.key_of(case)
    tried = 0
    for allowed, actor in ctx.allowed(case):
        if allowed != trigger:
            continue
        after = ctx.trial(case, key, trigger, actor=actor, at=at, data=data)
        if not isinstance(after, bool):
            return after
        tried += 1
        if tried == _PROBE_ACTORS:
            return None
    return None


def accepted_now(ctx: Context, case: Case, trigger: str) -> bool:
    """Whether an allowed actor could fire ``trigger`` on ``case`` now (no draw).

    Required data keys get fixed values (a short text, one day, five stars, the first
    task-force commander); the command is
    tried at the case's last record's time by the first few actors allowed.  For the
    steering's preparing of guarded goals.
    """
    return _probe(ctx, case, trigger) is not None


def enablers(ctx: Context, case: Case, trigger: str, among: Iterable[str]) -> frozenset[str]:
    """Those of ``among`` after which ``trigger`` would be accepted (see :func:`accepted_now`).

    A one-command look-ahead through the engine, with no draw: what the steering prepares a
    guarded goal with (an extension request before a pause, an assisting unit's signature).
    """
    found: set[str] = set()
    for candidate in among:
        after = _probe(ctx, case, candidate)
        if after is not None and accepted_now(ctx, after, trigger):
            found.add(candidate)
    return frozenset(found)


def _dive_step(
    draw: st.DrawFn,
    ctx: Context,
    case: Case,
    distance: Mapping[str, int],
    ahead: Mapping[str, frozenset[str]],
) -> Step | None:
    """The first command that takes ``case`` on along its dive, or ``None`` (there, or stuck).

    ``distance`` gives each state's distance to the dive's target (absent: it cannot reach
    it), ``ahead`` the states each state reaches by ways that only go deeper (so that no
    dive detours by a failed spot check back to ``accepted``).  The dive goes the main way,
    not the shortest (so that a case dived to a closed event was dispatched, signed and
    handled, not solved on the spot): the triggers to a state not yet visited that can still
    reach the target are tried, the state with most of the lifecycle ahead first (then in
    definition order), each with drawn data, by the actors allowed in turn, at the case's last
    record's time.
    """
    engine = ctx.engine
    definition = engine.lifecycle(case.lifecycle)
    if distance.get(case.state, 0) == 0:
        return None
    visited = {case.state, *(r.source for r in case.history if r.source is not None)}
    allowed = ctx.allowed(case)
    at = case.history[-1].at
    key = ctx.key_of(case)
    candidates = []
    for position, (trigger, transition) in enumerate(definition.transitions_from(case.state)):
        dest = definition.next_state(case.state, trigger)
        if dest is None or dest in visited or dest not in distance:
            continue
        candidates.append((-len(ahead[dest]), position, trigger, transition))
    for _, _, trigger, transition in sorted(candidates, key=lambda c: c[:2]):
        actors = [a for t, a in allowed if t == trigger]
        if not actors:
            continue
        data = fill_data(draw, engine, case, transition, ctx.values)
        for actor in actors:
            after = ctx.trial(case, key, trigger, actor=actor, at=at, data=data)
            if after is True:  # a guard refused it
                continue
            if after is False:
                break
            return Step(trigger=trigger, actor=actor, at=at, data=data)
    return None


dive_step = st.composite(_dive_step)


@st.composite
def asked_dive_step(draw: st.DrawFn, asked: Asked) -> Step | None:
    """:func:`dive_step` with the arguments ``asked`` holds when it is drawn (see ``Asked``)."""
    return _dive_step(draw, *asked.args, **asked.kwargs)
