"""The command walk shared by the strategies and the state machines (private to ``testing``).

Legal commands are found by walking the engine, never by filtering: the triggers some actor may
fire in the case's state are tried from a drawn position, each by the actors allowed to fire it
with freshly drawn data, and the first command the engine accepts is the step; a faulty step is
wrong in one named :class:`Fault`.  :func:`ruian_governance.testing.strategies.commands`,
``command_sequences`` and ``cases`` draw from here, and so do the machines of
:mod:`ruian_governance.testing`, so that the two never walk differently.

The walk's vocabulary is public and re-exported by
:mod:`ruian_governance.testing.strategies`: :class:`Fault`, :class:`Step`, :data:`DataValues`
and :data:`DEFAULT_DATA_VALUES`.  It is defined here, below both users, so that neither
imports the other's internals.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from ruian_governance.errors import (
    ArgumentError,
    TransitionError,
)
from ruian_governance.lifecycles import Engine, LifecycleDefinition
from ruian_governance.models import Actor, Case, DataValue

from ._args import need_type
from ._context import Context, make_context, posts_as_actors
from ._values import (
    BOOLEANS,
    DEFAULT_DATA_VALUES,
    DataValues,
    ValueMakers,
    drawn_data,
    fill_data,
    indexes,
    known_values,
)

__all__ = [
    "DEFAULT_DATA_VALUES",
    "Asked",
    "Context",
    "DataValues",
    "Fault",
    "Opening",
    "Step",
    "ValueMakers",
    "admitted",
    "asked_command",
    "drawn_data",
    "fault_holds",
    "faults_of",
    "fill_data",
    "known_values",
    "make_context",
    "next_command",
    "opened_case",
    "pick",
    "posts_as_actors",
    "sequence",
]

# --------------------------------------------------------------------------- steps


class Fault(enum.Enum):
    """The one way a deliberately invalid command is wrong (the engine must refuse it)."""

    WRONG_ACTOR = "wrong_actor"
    """A trigger available in the case's state, fired by an actor whose role or unit may not."""
    WRONG_STATE = "wrong_state"
    """A trigger the case's state does not offer."""
    MISSING_DATA = "missing_data"
    """A required data key left out (or, where nothing is required, an unknown key added)."""
    TIME_BACKWARDS = "time_backwards"
    """A time earlier than the case's last record."""


@attrs.frozen(kw_only=True)
class Step:
    """One command of a drawn sequence: who fires what, when, with which data.

    Args:
        trigger: The trigger fired.
        actor: Who fires it.
        at: When.
        data: The command's data.
        fault: ``None`` for a legal command (the engine accepted it when it was drawn), or the
            way an invalid one is wrong (the engine refuses it).
    """

    trigger: str
    actor: Actor
    at: datetime
    data: Mapping[str, DataValue] = attrs.field(factory=dict)
    fault: Fault | None = None

    def __str__(self) -> str:
        """One line: who fires what, when, with which data, and whether it is legal."""
        fault = "legal" if self.fault is None else f"fault={self.fault.value}"
        return (
            f"Step({self.trigger!r} by {self.actor} at {self.at.isoformat()}, "
            f"data={dict(self.data)!r}, {fault})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Print briefly in Hypothesis' (and IPython's) reports: one line per step."""
        printer.text(str(self))

    def apply(self, engine: Engine, case: Case) -> Case:
        """Fire this command on ``case`` with ``engine`` and return the new case.

        Raises:
            TransitionError: The command was refused (always, when ``fault`` is set).
        """
        return engine.apply(case, self.trigger, actor=self.actor, at=self.at, **self.data)


# --------------------------------------------------------------------------- the walk


_GUARDED_TRIES = 2
"""How many actors (with the data drawn for the trigger) try a trigger that guards keep refusing
(but for the triggers of the first preferred tier, which every actor allowed tries)."""

_PAUSE_RUN_OUT = timedelta(days=45)
"""After its deadline, when a paused case is surely late: its pause granted (15 working days at
most, in the built-in limits) has run out and the deadline moved by its credit has passed."""

_T = TypeVar("_T")

_BACKS = (
    timedelta(minutes=1),
    timedelta(minutes=59),
    timedelta(hours=8),
    timedelta(days=1),
    timedelta(days=14),
)
"""How far back in time a command wrong in :attr:`Fault.TIME_BACKWARDS` is."""


def pick(draw: st.DrawFn, items: Sequence[_T], label: str) -> _T:
    """One of ``items`` (not empty), drawn by position (shrinks towards the first)."""
    return items[draw(indexes(len(items)), label=label)] if len(items) > 1 else items[0]


def rotated(draw: st.DrawFn, items: Sequence[Any], label: str) -> list[Any]:
    """``items`` starting at a drawn position (shrinks towards the first item)."""
    if len(items) < 2:
        return list(items)
    start = draw(indexes(len(items)), label=label)
    return [*items[start:], *items[:start]]


def _order(
    draw: st.DrawFn,
    definition: LifecycleDefinition,
    state: str,
    triggers: list[str],
    prefer: Sequence[frozenset[str]],
) -> list[str]:
    """The order in which :func:`legal_step` tries ``triggers`` (see there).

    Two draws: the mode (what comes first in each group) and one turn that rotates every
    part.  Mode 0, the simplest, moves the case on, to the state from which most of the
    lifecycle can still be reached (so that the simplest walk, and a shrunk sequence, goes
    straight along the main path); modes 1 and 2 stay in the state first (supervision,
    progress records, sanctions...); mode 3 ends the case first.
    """
    if len(triggers) < 2:  # nothing to order: no draw (fewer choices to shrink)
        return list(triggers)
    mode = draw(indexes(4), label="order")
    finals = definition.final_states
    groups: list[tuple[list[str], list[str], list[str]]] = []
    placed: set[str] = set()
    for chosen in (*prefer, frozenset(triggers)):
        group = [t for t in triggers if t in chosen and t not in placed]
        placed.update(group)
        staying = [t for t in group if definition.next_state(state, t) == state]
        ending = [t for t in group if definition.next_state(state, t) in finals]
        moving = [t for t in group if t not in staying and t not in ending]
        groups.append((staying, ending, moving))
    parted = any(len(part) > 1 for group in groups for part in group)
    turn = draw(indexes(_TURNS), label="turn") if parted else 0
    order: list[str] = []
    for staying, ending, moving in groups:
        if mode == 0:  # the simplest walk goes where most of the lifecycle still lies ahead
            ahead = _reaches(definition)
            moving.sort(key=lambda t: -ahead[definition.next_state(state, t) or state])
            order += moving + _turned(staying, turn) + _turned(ending, turn)
            continue
        parts = (ending, moving, staying) if mode == 3 else (staying, moving, ending)
        for part in parts:
            order += _turned(part, turn)
    return order


_REACHES: dict[int, tuple[LifecycleDefinition, dict[str, int]]] = {}


def _reaches(definition: LifecycleDefinition) -> dict[str, int]:
    """How many states each state of ``definition`` can still reach (itself included).

    Kept per definition object (a few dozen at most in a test session).
    """
    found = _REACHES.get(id(definition))
    if found is not None and found[0] is definition:
        return found[1]
    sizes: dict[str, int] = {}
    for start in (s.key for s in definition.states):
        seen, frontier = {start}, [start]
        while frontier:
            state = frontier.pop()
            for trigger in definition.triggers_from(state):
                dest = definition.next_state(state, trigger)
                if dest is not None and dest not in seen:
                    seen.add(dest)
                    frontier.append(dest)
        sizes[start] = len(seen)
    if len(_REACHES) > _REACHES_KEPT:
        _REACHES.clear()
    _REACHES[id(definition)] = (definition, sizes)
    return sizes


_REACHES_KEPT = 256

_TURNS = 60
"""How far a group of triggers may be turned (60: every turn of up to 6 is equally likely)."""


def _turned(items: list[str], turn: int) -> list[str]:
    """``items`` starting at position ``turn`` (modulo their number)."""
    if len(items) < 2:
        return items
    start = turn % len(items)
    return [*items[start:], *items[:start]]


_HURRY = timedelta(hours=1)
"""The longest delay of a hurried step (a steered case on its way to its goal's state)."""


def legal_step(
    draw: st.DrawFn,
    ctx: Context,
    case: Case,
    prefer: Sequence[frozenset[str]] = (),
    hurry: bool = False,
) -> tuple[Step, Case] | None:
    """Walk the engine: a command some actor may fire now, with data the engine accepts.

    Triggers are tried one at a time from a drawn position (each trigger as likely as any
    other, however many actors may fire it): first those of each tier of ``prefer`` in turn
    (a state machine's steering: the triggers it has not yet seen fired from the case's
    state in this run, then those that lead nearer to such a trigger), then the others.  In
    each group, those that keep the case open come first three times in four, so that walks
    reach deep states; in the first tier, half the time, those that stay in the state come
    first of all.  Each trigger is tried by the actors allowed to fire it, from a drawn
    position, with data drawn once for the trigger (a trigger that guards keep refusing is
    given up after two tries, but those of the first tier, which every allowed actor tries: a
    guard may ask for the actor in place, as a mediator's does).  A preferred trigger that a
    guard refuses at the drawn time is tried again at once (at the last record's time), at the
    moment the case falls due and, for a paused case, well after its pause ran out (if those
    are later), so that the commands on overdue cases (supervision, sanctions, a paused case's
    supervision) and those a late case may not take are reached.  A ``hurry`` step comes at
    most an hour after the case's last record (a steered case on its way to a deeper state,
    which a late case may not enter: a pause 挂起 needs a case within its deadline).
    """
    engine = ctx.engine
    delay = draw(ctx.delays, label="delay")
    if delay < timedelta(0):
        delay = -delay
    if hurry:
        delay = min(delay, _HURRY)
    at = case.history[-1].at + delay
    definition = engine.lifecycle(case.lifecycle)
    by_trigger: dict[str, list[Actor]] = {}
    for trigger, actor in ctx.allowed(case):
        by_trigger.setdefault(trigger, []).append(actor)
    order = _order(draw, definition, case.state, list(by_trigger), prefer)
    preferred = frozenset().union(*prefer)
    first = prefer[0] if prefer else frozenset()
    due = case.due_at
    now = (case.history[-1].at,) if delay else ()
    later: tuple[datetime, ...] = ()
    if due is not None:
        paused = definition.state(case.state).paused
        later = tuple(t for t in (due, due + _PAUSE_RUN_OUT if paused else None) if t and t > at)
    key = ctx.key_of(case)
    for trigger in order:
        transition = definition.transition(case.state, trigger)
        if transition is None:  # pragma: no cover - allowed() offers only available triggers
            continue
        times = (at, *now, *later) if trigger in preferred else (at,)
        guarded = 0
        data = fill_data(draw, engine, case, transition, ctx.values)
        for actor in rotated(draw, by_trigger[trigger], "actor"):
            for when in times:
                new = ctx.trial(case, key, trigger, actor=actor, at=when, data=data)
                if new is True:  # a guard refused it
                    continue
                if new is False:
                    break  # refused; or a working-day deadline past the calendar's years
                return Step(trigger=trigger, actor=actor, at=when, data=data), new
            else:  # every time tried was refused by a guard, which seldom depends on the actor
                guarded += 1
                if guarded == _GUARDED_TRIES and trigger not in first:
                    break
    return None


def faulty_step(draw: st.DrawFn, ctx: Context, case: Case, fault: Fault) -> Step:
    """A command wrong in the one way ``fault`` names; the engine refuses it."""
    engine = ctx.engine
    definition = engine.lifecycle(case.lifecycle)
    last = case.history[-1].at
    at = last + abs(draw(ctx.delays, label="delay"))
    available = definition.transitions_from(case.state)
    allowed = ctx.allowed(case)

    def data_for(trigger: str) -> dict[str, DataValue]:
        transition = definition.transition(case.state, trigger)
        if transition is None:
            return {}
        return fill_data(draw, engine, case, transition, ctx.values)

    if fault is Fault.WRONG_STATE:
        offered = set(definition.triggers_from(case.state))
        others = sorted({t.trigger for t in definition.transitions if not t.opening} - offered)
        trigger = pick(draw, others, "trigger") if others else "no_such_trigger"
        actor = pick(draw, ctx.pool, "actor")
        return Step(trigger=trigger, actor=actor, at=at, fault=fault)
    if fault is Fault.WRONG_ACTOR and available:
        trigger = pick(draw, [t for t, _ in available], "trigger")
        may = {a for t, a in allowed if t == trigger}
        refused = [a for a in ctx.pool if a not in may]
        actor = (
            pick(draw, refused, "actor")
            if refused
            else Actor(person_id="nobody", role="grid_worker", unit_id=case.unit_id)
        )
        return Step(trigger=trigger, actor=actor, at=at, data=data_for(trigger), fault=fault)
    if fault is Fault.MISSING_DATA and allowed:
        requires = {t: tr.requires for t, tr in available}
        needing = [(t, a) for t, a in allowed if requires[t]]
        trigger, actor = pick(draw, needing or allowed, "command")
        data = data_for(trigger)
        if needing:
            del data[pick(draw, sorted(requires[trigger]), "missing")]
        else:
            data["no_such_key"] = "unexpected"
        return Step(trigger=trigger, actor=actor, at=at, data=data, fault=fault)
    # TIME_BACKWARDS, or nothing available for the other faults: any command, back in time
    # (nothing at all is allowed here, so it is refused either way)
    if allowed:
        trigger, actor = pick(draw, allowed, "command")
    else:
        trigger = pick(draw, [t for t, _ in available] or ["no_such_trigger"], "trigger")
        actor = pick(draw, ctx.pool, "actor")
    back = pick(draw, _BACKS, "back")
    return Step(trigger=trigger, actor=actor, at=last - back, data=data_for(trigger), fault=fault)


def fault_holds(ctx: Context, case: Case, step: Step) -> bool:  # noqa: PLR0911 - one per fault
    """Whether ``step`` is still wrong on ``case`` in the way its ``fault`` names.

    What :func:`faulty_step` makes of ``case``, judged again (a command drawn for one case
    may be replayed on another, or on the same case after other commands): a time before the
    case's last record is wrong whatever the fault (the fallback of :func:`faulty_step`);
    otherwise a trigger the state does not offer (``WRONG_STATE``), an actor the permission
    checks do not let fire an offered trigger (``WRONG_ACTOR``), or an offered trigger without
    a key it requires, or with an unknown key where it requires none (``MISSING_DATA``).
    ``False`` for a legal step.
    """
    fault = step.fault
    if fault is None:
        return False
    if step.at < case.history[-1].at:
        return True
    definition = ctx.engine.lifecycle(case.lifecycle)
    if fault is Fault.WRONG_STATE:
        return step.trigger not in definition.triggers_from(case.state)
    transition = definition.transition(case.state, step.trigger)
    if transition is None:
        return False
    if fault is Fault.WRONG_ACTOR:
        return (step.trigger, step.actor) not in ctx.allowed(case)
    if fault is Fault.MISSING_DATA:
        if transition.requires:
            return not transition.requires <= step.data.keys()
        return "no_such_key" in step.data
    return False  # TIME_BACKWARDS at or after the last record


def admitted(ctx: Context, case: Case, step: Step) -> bool:
    """Whether ``step`` could be drawn for ``case`` as it now is (the command shrinker's test).

    A legal step if the engine accepts it on ``case`` now, a faulty one if it is still wrong
    in its fault's way (:func:`fault_holds`).
    """
    if step.fault is not None:
        return fault_holds(ctx, case, step)
    outcome = ctx.trial(
        case, ctx.key_of(case), step.trigger, actor=step.actor, at=step.at, data=step.data
    )
    return isinstance(outcome, Case)


def faults_of(faults: Iterable[Fault]) -> tuple[Fault, ...]:
    """``faults`` as a tuple (one :class:`Fault` is one item), each checked to be a fault."""
    found = tuple((faults,) if isinstance(faults, Fault) else faults)
    for fault in found:
        need_type("each fault", fault, Fault)
    return found


def _next_command(  # noqa: PLR0913 - the walk's context and the machine's preferences
    draw: st.DrawFn,
    ctx: Context,
    case: Case,
    faults: tuple[Fault, ...],
    legal: bool,
    *,
    prefer: Sequence[frozenset[str]] = (),
    hurry: bool = False,
) -> Step | None:
    """One next command for ``case``: faulty (when ``faults`` and drawn, or not ``legal``) or legal.

    ``None`` when no legal command is found; the triggers of ``prefer`` are tried first, and a
    ``hurry`` step comes soon (see :func:`legal_step`).
    """
    invalid = bool(faults) and (not legal or draw(BOOLEANS, label="invalid"))
    if invalid:
        return faulty_step(draw, ctx, case, pick(draw, faults, "fault"))
    found = legal_step(draw, ctx, case, prefer, hurry)
    return None if found is None else found[0]


next_command = st.composite(_next_command)


class Asked:
    """The arguments a reusable strategy draws with next (set before each draw).

    A machine draws a command at every step; a strategy object built for each draw would be
    checked by Hypothesis each time (a cost of every step, in every replay while shrinking),
    so it builds :func:`asked_command` once with an ``Asked`` and sets its arguments before
    each draw.  The draws are those of :func:`next_command` with the same arguments.
    """

    __slots__ = ("args", "kwargs")

    def __init__(self) -> None:
        self.args: tuple[Any, ...] = ()
        self.kwargs: dict[str, Any] = {}

    def __repr__(self) -> str:
        return "Asked(...)"


@st.composite
def asked_command(draw: st.DrawFn, asked: Asked) -> Step | None:
    """:func:`next_command` with the arguments ``asked`` holds when it is drawn."""
    return _next_command(draw, *asked.args, **asked.kwargs)


@st.composite
def sequence(
    draw: st.DrawFn, ctx: Context, case: Case, max_size: int, faults: tuple[Fault, ...]
) -> tuple[Step, ...]:
    """Up to ``max_size`` steps, each drawn for the case the legal ones before it left."""
    steps: list[Step] = []
    current = case
    for _ in range(draw(st.integers(0, max_size), label="length")):
        invalid = bool(faults) and draw(st.booleans(), label="invalid")
        if invalid:
            steps.append(
                faulty_step(draw, ctx, current, draw(st.sampled_from(faults), label="fault"))
            )
            continue
        found = legal_step(draw, ctx, current)
        if found is None:
            break
        steps.append(found[0])
        current = found[1]
    return tuple(steps)


# --------------------------------------------------------------------------- opening cases


@attrs.frozen
class Opening:
    """How cases are opened: by whom (``ctx``), of which lifecycles, where, when, with what."""

    ctx: Context
    lifecycles: st.SearchStrategy[str]
    places: tuple[str, ...]
    times: st.SearchStrategy[datetime]
    categories: st.SearchStrategy[Any]
    ids: st.SearchStrategy[str]


_PARTIES = st.lists(st.sampled_from(("张三", "李四", "王五")), max_size=2, unique=True).map(tuple)


@lru_cache(maxsize=256)
def _severities(tiers: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    """No severity, or one of ``tiers``, each as likely (a larger event may be handled jointly)."""
    return st.sampled_from((None, *tiers)) if tiers else st.none()


@st.composite
def opened_case(
    draw: st.DrawFn, how: Opening, fresh: Mapping[str, frozenset[str]] | None = None
) -> Case:
    """A case opened through the engine by the first drawn actor it accepts, at some place.

    The opening triggers are tried from a drawn position, the ``fresh`` ones of the drawn
    lifecycle (by its key: those a state machine has not yet seen fired in its run) first; at
    each place, each by the actors allowed to fire it.

    Raises:
        ArgumentError: No actor could open a case of the drawn lifecycle at any place.
    """
    ctx = how.ctx
    engine = ctx.engine
    definition = engine.lifecycle(draw(how.lifecycles, label="lifecycle"))
    at = draw(how.times, label="at")
    category = str(draw(how.categories, label="category"))
    severity = draw(_severities(tuple(sorted(definition.severity_keys))), label="severity")
    parties = draw(_PARTIES, label="parties")
    case_id = draw(how.ids, label="case_id")
    openings = [t for t in definition.transitions if t.opening]
    first = (fresh or {}).get(definition.key, frozenset())
    openings = rotated(draw, [t for t in openings if t.trigger in first], "opening") + rotated(
        draw, [t for t in openings if t.trigger not in first], "opening"
    )
    for location in rotated(draw, how.places, "location"):
        probe = Case(
            id=case_id,
            lifecycle=definition.key,
            state=definition.initial.key,
            location_id=location,
            unit_id=engine.holder_for(definition, location),
            reporter_id="",
            category=category,
            severity=severity,
            opened_at=at,
            due_at=None,
            history=(),
        )
        for opening in openings:
            openers = [
                a
                for role in sorted(opening.roles)
                for a in ctx.by_role.get(role, ())
                if engine.in_jurisdiction(opening.jurisdiction, probe, a)
            ]
            if not openers:
                continue
            data = fill_data(draw, engine, None, opening, ctx.values)
            for actor in rotated(draw, openers, "opener"):
                try:
                    return engine.open(definition.key, case_id=case_id,
                                       trigger=opening.trigger, actor=actor, at=at,
                                       location_id=location, category=category,
                                       severity=severity, parties=parties, **data)  # fmt: skip
                except TransitionError:
                    continue
    reason = f"a place where some actor may open a {definition.key!r} case"
    raise ArgumentError(argument="locations", value=how.places, reason=reason)
