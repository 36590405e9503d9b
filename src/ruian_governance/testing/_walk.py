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
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeAlias

import attrs
from hypothesis import strategies as st

from ruian_governance.errors import ArgumentError, TransitionError
from ruian_governance.lifecycles import (
    CITIZEN_CHANNELS,
    TRIAGE_LEVELS,
    Engine,
    Transition,
    reporters,
)
from ruian_governance.models import Actor, Case, DataValue, Department, Hierarchy, Level, Station

from ._args import need_type

__all__ = [
    "DEFAULT_DATA_VALUES",
    "Context",
    "DataValues",
    "Fault",
    "Opening",
    "Step",
    "ValueMakers",
    "drawn_data",
    "faults_of",
    "known_values",
    "make_context",
    "next_command",
    "opened_case",
    "posts_as_actors",
    "sequence",
]

# --------------------------------------------------------------------------- command data

DataValues: TypeAlias = Mapping[
    str, Callable[[Engine, "Case | None"], st.SearchStrategy[DataValue]]
]
"""Value strategies for command data, by data key: ``values[key](engine, case)``.

``case`` is ``None`` for the data of an opening command.
:func:`~ruian_governance.testing.strategies.command_data` uses :data:`DEFAULT_DATA_VALUES` for
keys a caller's mapping leaves out, and short texts for keys neither knows.
"""

_TEXTS = ("说明 note", "现场核实 checked on site", "不属本单位职责 not our duty", "已处理 handled")
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_DELAYS = (timedelta(0), _HOUR, _HOUR, 4 * _HOUR, _DAY, 3 * _DAY, 10 * _DAY, 40 * _DAY)


def _texts(_engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    return st.sampled_from(_TEXTS)


def _unit_targets(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Stations of the holding town, or departments when the city holds the case."""
    h = engine.hierarchy
    if case is None:
        return st.sampled_from(_TEXTS)
    holder = h.unit(case.unit_id)
    pool: Sequence[Station | Department]
    if holder.level is Level.CITY:
        pool = h.departments
    elif holder.level is Level.TOWN:
        pool = h.stations_of(holder.id)
    else:  # a village: the stations of its town (the built-in guards refuse them)
        town = h.town_of(holder.id)
        pool = () if town is None else h.stations_of(town.id)
    if not pool:
        return st.just(("no_such_unit",))
    most = 1 if case.severity in {None, "ordinary"} else 2
    return st.lists(
        st.sampled_from([u.id for u in pool]), min_size=1, max_size=most, unique=True
    ).map(tuple)


def _days(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    most = 15
    if case is not None:
        limit = engine.lifecycle(case.lifecycle).deadlines.limits.get("max_extension")
        most = 15 if limit is None or limit.days < 1 else limit.days
    return st.one_of(st.just(most), st.integers(1, most))


def _commanders(engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    found = sorted(
        p.id
        for p in engine.hierarchy.people
        if any(post.role == "task_force_commander" for post in p.posts)
    )
    return st.sampled_from(found) if found else st.just("no_such_commander")


def _departments(engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    ids = [d.id for d in engine.hierarchy.departments]
    if not ids:
        return st.just(("no_such_department",))
    return st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True).map(tuple)


def _reporter(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """A reporter reference: one of the case's reporters (callback, withdrawal), else new."""
    known = reporters(case) if case is not None else ()
    return st.sampled_from([(r,) for r in known] + [("citizen-a1",)])


def _other_case(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Another case's id (a primary, duplicate or related case), now and then the case's own."""
    own = [] if case is None else [(case.id,)]
    return st.sampled_from([("E-other-1",), ("E-other-2",), *own])


# issue 13 (disputes and hazards): the values that pass the new guards most of the time


def _parties(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    known = () if case is None else case.parties
    return st.just(known if len(known) >= 2 else ("当事人甲", "当事人乙"))


def _party(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    return st.sampled_from(case.parties) if case is not None and case.parties else st.just("无")


def _applicants(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    return st.just(case.parties if case is not None and case.parties else ("无",))


def _ids(ids: Sequence[str], most: int = 1) -> st.SearchStrategy[DataValue]:
    if not ids:
        return st.just(("no_such_unit",))
    return st.lists(st.sampled_from(list(ids)), min_size=1, max_size=most, unique=True).map(tuple)


def _leaders(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    found = sorted(p.id for p in h.people if any(q.role == "leader" for q in p.posts))
    if case is not None:
        above = {case.unit_id, *(u.id for u in h.ancestors(case.unit_id))}
        near = [i for i in found if any(q.unit_id in above for q in h.person(i).posts)]
        found = near or found
    return st.sampled_from(found) if found else st.just("no_such_leader")


def _members(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    if case is None or h.unit(case.unit_id).level is not Level.TOWN:
        return _ids([d.id for d in h.departments])
    town = case.unit_id
    return _ids([*(s.id for s in h.stations_of(town)), *(v.id for v in h.children(town))], 2)


def _venues(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    venues = () if case is None else engine.hierarchy.shared_courts_of(case.location_id)
    return st.sampled_from([v.id for v in venues]) if venues else st.just("no_such_venue")


def _targets(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    return _ids(case.assignees if case is not None and case.assignees else (), 2)


def _inspected(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    town = None if case is None else h.town_of(case.location_id)
    return _ids([] if town is None else [s.id for s in h.stations_of(town.id)])


DEFAULT_DATA_VALUES: DataValues = {
    "units": _unit_targets,
    "days": _days,
    "stars": lambda _e, _c: st.integers(1, 5),
    "tier": lambda _e, _c: st.sampled_from(sorted(TRIAGE_LEVELS)),
    "commander": _commanders,
    "departments": _departments,
    "notice": lambda _e, _c: st.integers(1, 999).map(lambda n: f"整改交办单 ZG-{n}"),
    "channel": lambda _e, _c: st.sampled_from(sorted(CITIZEN_CHANNELS)),
    "reporter": _reporter,
    "primary": _other_case,
    "duplicate": _other_case,
    "related": _other_case,
    "satisfaction": lambda _e, _c: st.integers(1, 5),
    "parties": _parties,
    "party": _party,
    "applicants": _applicants,
    "leader": _leaders,
    "members": _members,
    "venue": _venues,
    "targets": _targets,
    "inspected": _inspected,
    "level": lambda _e, _c: st.sampled_from(("province", "prefecture", "county")),
}
"""The value strategies :func:`~ruian_governance.testing.strategies.command_data` knows:
``units`` (stations of the holding town, or departments when the city holds the case; one unit
for ordinary cases), ``days`` (up to the ``max_extension`` limit), ``stars`` (1-5), ``tier`` (a
triage tier), ``commander`` (a person with a task-force commander post), ``departments`` and
``notice``; for the event loop's intake section ``channel`` (a citizen channel), ``reporter``
(one of the case's reporters, or a new reference), ``primary`` / ``duplicate`` / ``related``
(another case's id, now and then the case's own) and ``satisfaction`` (1-5); for the disputes'
and hazards' triggers ``parties``, ``party`` and ``applicants`` (the case's
parties), ``leader`` (a leader of the holding unit or above), ``members`` (stations and villages
of a holding town, else departments), ``venue`` (a shared court of the case's town),
``targets`` (its assignees), ``inspected`` (stations of its town) and a listing ``level``."""


ValueMakers: TypeAlias = dict[str, Callable[[Engine, "Case | None"], st.SearchStrategy[DataValue]]]
"""Value strategies by data key: the caller's over the defaults."""


def known_values(values: DataValues | None) -> ValueMakers:
    """The caller's ``values`` over :data:`DEFAULT_DATA_VALUES`."""
    return {**DEFAULT_DATA_VALUES, **(values or {})}


@st.composite
def drawn_data(
    draw: st.DrawFn, engine: Engine, case: Case | None, transition: Transition, known: ValueMakers
) -> dict[str, DataValue]:
    """Every key ``transition`` requires and some it accepts, valued from ``known`` (or texts)."""
    data: dict[str, DataValue] = {}
    for key in sorted(transition.requires):
        data[key] = draw(known.get(key, _texts)(engine, case), label=key)
    for key in sorted(transition.accepts - transition.requires):
        if draw(st.booleans(), label=f"with_{key}"):
            data[key] = draw(known.get(key, _texts)(engine, case), label=key)
    return data


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

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Print briefly in Hypothesis' (and IPython's) reports: one line per step."""
        fault = "legal" if self.fault is None else f"fault={self.fault.value}"
        printer.text(
            f"Step({self.trigger!r} by {self.actor} at {self.at.isoformat()}, "
            f"data={dict(self.data)!r}, {fault})"
        )

    def apply(self, engine: Engine, case: Case) -> Case:
        """Fire this command on ``case`` with ``engine`` and return the new case.

        Raises:
            TransitionError: The command was refused (always, when ``fault`` is set).
        """
        return engine.apply(case, self.trigger, actor=self.actor, at=self.at, **self.data)


# --------------------------------------------------------------------------- the walk


def posts_as_actors(hierarchy: Hierarchy) -> tuple[Actor, ...]:
    """Every post of ``hierarchy`` as an actor: the people who may be drawn to act."""
    return tuple(
        Actor(person_id=person.id, role=post.role, unit_id=post.unit_id)
        for person in hierarchy.people
        for post in person.posts
    )


@attrs.frozen
class Context:
    """What a walk needs besides the case: the engine, who may act, data values, delays."""

    engine: Engine
    pool: tuple[Actor, ...]
    values: ValueMakers
    delays: st.SearchStrategy[timedelta]
    by_role: Mapping[str, tuple[Actor, ...]]

    def allowed(self, case: Case) -> list[tuple[str, Actor]]:
        """Every (trigger, actor) pair the engine would let through its permission checks."""
        engine = self.engine
        pairs: list[tuple[str, Actor]] = []
        for trigger, transition in engine.lifecycle(case.lifecycle).transitions_from(case.state):
            rule = transition.jurisdiction
            for role in sorted(transition.roles):
                pairs.extend(
                    (trigger, actor)
                    for actor in self.by_role.get(role, ())
                    if engine.in_jurisdiction(rule, case, actor)
                )
        return pairs


def make_context(
    engine: Engine,
    actors: Iterable[Actor] | None,
    values: DataValues | None,
    delays: st.SearchStrategy[timedelta] | None,
) -> Context:
    """Check the walk's arguments at once and index the actors who hold their posts by role."""
    need_type("engine", engine, Engine)
    pool = posts_as_actors(engine.hierarchy) if actors is None else tuple(actors)
    if not pool:
        raise ArgumentError(argument="actors", value=pool, reason="at least one actor")
    for actor in pool:
        need_type("each actor", actor, Actor)
    if delays is not None:
        need_type("delays", delays, st.SearchStrategy)
    posts = {(a.person_id, a.role, a.unit_id) for a in posts_as_actors(engine.hierarchy)}
    by_role: dict[str, list[Actor]] = {}
    for actor in pool:
        if (actor.person_id, actor.role, actor.unit_id) in posts:
            by_role.setdefault(actor.role, []).append(actor)
    return Context(
        engine=engine,
        pool=pool,
        values=known_values(values),
        delays=st.sampled_from(_DELAYS) if delays is None else delays,
        by_role={role: tuple(found) for role, found in by_role.items()},
    )


def rotated(draw: st.DrawFn, items: Sequence[Any], label: str) -> list[Any]:
    """``items`` starting at a drawn position (shrinks towards the first item)."""
    if not items:
        return []
    start = draw(st.integers(0, len(items) - 1), label=label)
    return [*items[start:], *items[:start]]


def legal_step(draw: st.DrawFn, ctx: Context, case: Case) -> tuple[Step, Case] | None:
    """Walk the engine: a command some actor may fire now, with data the engine accepts.

    Triggers are tried one at a time from a drawn position (each trigger as likely as any
    other, however many actors may fire it), those that keep the case open first three times
    in four, so that walks reach deep states; then the actors allowed to fire it, from a drawn
    position, each with freshly drawn data.
    """
    engine = ctx.engine
    delay = draw(ctx.delays, label="delay")
    if delay < timedelta(0):
        delay = -delay
    at = case.history[-1].at + delay
    definition = engine.lifecycle(case.lifecycle)
    finals = definition.final_states
    by_trigger: dict[str, list[Actor]] = {}
    for trigger, actor in ctx.allowed(case):
        by_trigger.setdefault(trigger, []).append(actor)
    onward = [t for t in by_trigger if definition.next_state(case.state, t) not in finals]
    ending = [t for t in by_trigger if t not in onward]
    if draw(st.integers(0, 3), label="end_first") == 3:
        order = rotated(draw, ending, "ending") + rotated(draw, onward, "onward")
    else:
        order = rotated(draw, onward, "onward") + rotated(draw, ending, "ending")
    for trigger in order:
        transition = definition.transition(case.state, trigger)
        if transition is None:  # pragma: no cover - allowed() offers only available triggers
            continue
        for actor in rotated(draw, by_trigger[trigger], "actor"):
            data = draw(drawn_data(engine, case, transition, ctx.values), label="data")
            try:
                new = engine.apply(case, trigger, actor=actor, at=at, **data)
            except TransitionError:
                continue
            return Step(trigger=trigger, actor=actor, at=at, data=data), new
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
        return draw(drawn_data(engine, case, transition, ctx.values), label="data")

    if fault is Fault.WRONG_STATE:
        offered = set(definition.triggers_from(case.state))
        others = sorted({t.trigger for t in definition.transitions if not t.opening} - offered)
        trigger = draw(st.sampled_from(others)) if others else "no_such_trigger"
        actor = draw(st.sampled_from(ctx.pool), label="actor")
        return Step(trigger=trigger, actor=actor, at=at, fault=fault)
    if fault is Fault.WRONG_ACTOR and available:
        trigger = draw(st.sampled_from([t for t, _ in available]), label="trigger")
        may = {a for t, a in allowed if t == trigger}
        refused = [a for a in ctx.pool if a not in may]
        actor = (
            draw(st.sampled_from(refused), label="actor")
            if refused
            else Actor(person_id="nobody", role="grid_worker", unit_id=case.unit_id)
        )
        return Step(trigger=trigger, actor=actor, at=at, data=data_for(trigger), fault=fault)
    if fault is Fault.MISSING_DATA and allowed:
        requires = {t: tr.requires for t, tr in available}
        needing = [(t, a) for t, a in allowed if requires[t]]
        trigger, actor = draw(st.sampled_from(needing or allowed), label="command")
        data = data_for(trigger)
        if needing:
            del data[draw(st.sampled_from(sorted(requires[trigger])), label="missing")]
        else:
            data["no_such_key"] = "unexpected"
        return Step(trigger=trigger, actor=actor, at=at, data=data, fault=fault)
    # TIME_BACKWARDS, or nothing available for the other faults: any command, back in time
    # (nothing at all is allowed here, so it is refused either way)
    if allowed:
        trigger, actor = draw(st.sampled_from(allowed), label="command")
    else:
        trigger = draw(st.sampled_from([t for t, _ in available] or ["no_such_trigger"]))
        actor = draw(st.sampled_from(ctx.pool), label="actor")
    back = timedelta(minutes=draw(st.integers(1, 14 * 24 * 60), label="minutes_back"))
    return Step(trigger=trigger, actor=actor, at=last - back, data=data_for(trigger), fault=fault)


def faults_of(faults: Iterable[Fault]) -> tuple[Fault, ...]:
    """``faults`` as a tuple (one :class:`Fault` is one item), each checked to be a fault."""
    found = tuple((faults,) if isinstance(faults, Fault) else faults)
    for fault in found:
        need_type("each fault", fault, Fault)
    return found


@st.composite
def next_command(
    draw: st.DrawFn, ctx: Context, case: Case, faults: tuple[Fault, ...], legal: bool
) -> Step | None:
    """One next command for ``case``: faulty (when ``faults`` and drawn, or not ``legal``) or legal.

    ``None`` when no legal command is found.
    """
    invalid = bool(faults) and (not legal or draw(st.booleans(), label="invalid"))
    if invalid:
        return faulty_step(draw, ctx, case, draw(st.sampled_from(faults), label="fault"))
    found = legal_step(draw, ctx, case)
    return None if found is None else found[0]


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


@st.composite
def opened_case(draw: st.DrawFn, how: Opening) -> Case:
    """A case opened through the engine by the first drawn actor it accepts, at some place.

    Raises:
        ArgumentError: No actor could open a case of the drawn lifecycle at any place.
    """
    ctx = how.ctx
    engine = ctx.engine
    definition = engine.lifecycle(draw(how.lifecycles, label="lifecycle"))
    at = draw(how.times, label="at")
    category = str(draw(how.categories, label="category"))
    tiers = sorted(definition.severity_keys)
    severity = draw(st.one_of(st.none(), st.sampled_from(tiers)) if tiers else st.none())
    parties = tuple(draw(st.lists(st.sampled_from(("张三", "李四", "王五")), max_size=2,
                                  unique=True), label="parties"))  # fmt: skip
    case_id = draw(how.ids, label="case_id")
    openings = [t for t in definition.transitions if t.opening]
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
                for a in ctx.pool
                if a.role in opening.roles
                and engine.in_jurisdiction(opening.jurisdiction, probe, a)
            ]
            if not openers:
                continue
            data = draw(drawn_data(engine, None, opening, ctx.values), label="data")
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
