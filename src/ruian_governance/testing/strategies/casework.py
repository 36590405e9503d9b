"""Strategies for cases and commands: opened cases, command data, legal and faulty commands.

Part of :mod:`ruian_governance.testing.strategies`, which re-exports every public name here.
The commands are found by the command walk the state machines share
(:mod:`ruian_governance.testing._walk`), where :class:`Fault`, :class:`Step`,
:data:`DataValues` and :data:`DEFAULT_DATA_VALUES` are defined.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hypothesis import strategies as st

from ruian_governance._convert import str_tuple
from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import Engine, Transition
from ruian_governance.models import Actor, Case, DataValue, Level
from ruian_governance.presets import RULES_2021
from ruian_governance.testing._args import check_bound, need_type, sampled
from ruian_governance.testing._walk import (
    DEFAULT_DATA_VALUES,
    DataValues,
    Fault,
    Opening,
    Step,
    drawn_data,
    faults_of,
    known_values,
    make_context,
    next_command,
    opened_case,
    sequence,
)

from .time import datetimes

__all__ = [
    "DEFAULT_DATA_VALUES",
    "DataValues",
    "Fault",
    "Step",
    "cases",
    "command_data",
    "command_sequences",
    "commands",
]


def command_data(
    *,
    engine: Engine,
    case: Case | None,
    transition: Transition,
    values: DataValues | None = None,
) -> st.SearchStrategy[dict[str, DataValue]]:
    """Generate the data of a command: every key ``transition`` requires, some it accepts.

    Values come from ``values``, then :data:`DEFAULT_DATA_VALUES`, then short texts; they are
    meant to pass the built-in guards (1-5 stars, units of the holding town...), so that most
    commands built with them are accepted.

    Args:
        engine: The engine (its hierarchy supplies unit and person ids).
        case: The case the command is for (``None`` for an opening command).
        transition: The transition fired.
        values: Value strategies by data key, overriding the defaults.

    >>> from hypothesis import given
    >>> from ruian_governance import EVENT_LIFECYCLE, builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0))
    >>> evaluate = EVENT_LIFECYCLE.transition("closed", "evaluate")
    >>> @given(command_data(engine=engine, case=None, transition=evaluate))
    ... def test_stars_are_in_range(data):
    ...     assert 1 <= data["stars"] <= 5
    >>> test_stars_are_in_range()
    """
    need_type("engine", engine, Engine)
    need_type("transition", transition, Transition)
    return drawn_data(engine, case, transition, known_values(values))


def commands(  # noqa: PLR0913 - keyword-only context and sub-strategies
    *,
    engine: Engine,
    case: Case,
    actors: Iterable[Actor] | None = None,
    faults: Iterable[Fault] = (),
    data_values: DataValues | None = None,
    delays: st.SearchStrategy[timedelta] | None = None,
    legal: bool = True,
) -> st.SearchStrategy[Step | None]:
    """Generate one next command for ``case``: legal, or (with ``faults``) invalid in one way.

    A legal command is found by walking the engine, not by filtering: the triggers some actor
    may fire (as :meth:`~ruian_governance.Engine.allowed` answers) are tried from a drawn
    position, those that keep the case open first three times in four, each by the actors
    allowed to fire it with data from :func:`command_data`; the first command the engine
    accepts is drawn.
    ``None`` is drawn when nothing is accepted (a final state, or guards refusing every try).
    With ``faults``, about half the draws (all of them with ``legal=False``) are instead a
    command wrong in one drawn :class:`Fault`, which the engine always refuses.

    Args:
        engine: The engine that runs the case's lifecycle.
        case: The case the command is for.
        actors: Who may be drawn to act (default: every post of the engine's hierarchy).
        faults: The ways invalid commands may be wrong (default: only legal commands).
        data_values: Value strategies by data key (see :func:`command_data`).
        delays: Time from the case's last record to the command (default: from none to
            40 days, mostly hours).
        legal: Whether legal commands are drawn too; ``False`` (with ``faults``) draws only
            invalid ones.

    Raises:
        ArgumentError: An argument of the wrong type, or ``legal=False`` without faults.
        UnknownIdError: The engine does not run the case's lifecycle.

    >>> from datetime import datetime
    >>> from hypothesis import given
    >>> from ruian_governance import CHINA_STANDARD_TIME, Actor, builtin_engine, generate_hierarchy
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    >>> engine = builtin_engine(h)
    >>> worker = Actor.of(h, h.people_of("t0001.v001.g01")[0].id, "grid_worker")
    >>> case = engine.open("event", case_id="E1", trigger="report", actor=worker,
    ...                    at=datetime(2025, 9, 30, 9, tzinfo=CHINA_STANDARD_TIME),
    ...                    location_id="t0001.v001.g01", category="noise", severity="ordinary")
    >>> @given(commands(engine=engine, case=case))
    ... def test_legal_commands_are_accepted(step):
    ...     assert step.apply(engine, case).version == 1
    >>> test_legal_commands_are_accepted()
    """
    ctx = make_context(engine, actors, data_values, delays)
    need_type("case", case, Case)
    engine.lifecycle(case.lifecycle)
    fault_list = faults_of(faults)
    if not legal and not fault_list:
        reason = "at least one fault when legal=False"
        raise ArgumentError(argument="faults", value=fault_list, reason=reason)
    return next_command(ctx, case, fault_list, legal)


def command_sequences(  # noqa: PLR0913 - keyword-only context and sub-strategies
    *,
    engine: Engine,
    case: Case,
    max_size: int = 10,
    actors: Iterable[Actor] | None = None,
    faults: Iterable[Fault] = (),
    data_values: DataValues | None = None,
    delays: st.SearchStrategy[timedelta] | None = None,
) -> st.SearchStrategy[tuple[Step, ...]]:
    """Generate sequences of commands for ``case``, each drawn for the case the ones before left.

    Legal steps are found as for :func:`commands` and advance the case; with ``faults``,
    invalid steps (each wrong in one :class:`Fault`) are mixed in and leave it as it was.  A
    sequence ends early when no legal command is found (e.g. the case reached a final state).
    Applying the steps in order, every step with ``fault=None`` is accepted and every other
    one is refused.

    Args:
        engine: The engine that runs the case's lifecycle.
        case: The case the sequence starts from.
        max_size: Most steps.
        actors: As for :func:`commands`.
        faults: As for :func:`commands`.
        data_values: As for :func:`commands`.
        delays: As for :func:`commands`.

    Raises:
        ArgumentError: ``max_size`` is negative, or another argument is of the wrong type.
        UnknownIdError: The engine does not run the case's lifecycle.

    >>> from datetime import datetime
    >>> from hypothesis import given
    >>> from ruian_governance import CHINA_STANDARD_TIME, Actor, TransitionError
    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    >>> engine = builtin_engine(h)
    >>> worker = Actor.of(h, h.people_of("t0001.v001.g01")[0].id, "grid_worker")
    >>> case = engine.open("event", case_id="E1", trigger="report", actor=worker,
    ...                    at=datetime(2025, 1, 20, 9, tzinfo=CHINA_STANDARD_TIME),
    ...                    location_id="t0001.v001.g01", category="noise", severity="ordinary")
    >>> @given(command_sequences(engine=engine, case=case, faults=list(Fault)))
    ... def test_faulty_steps_are_refused(steps):
    ...     current = case
    ...     for step in steps:
    ...         try:
    ...             current = step.apply(engine, current)
    ...         except TransitionError:
    ...             assert step.fault is not None
    ...         else:
    ...             assert step.fault is None
    >>> test_faulty_steps_are_refused()
    """
    ctx = make_context(engine, actors, data_values, delays)
    need_type("case", case, Case)
    engine.lifecycle(case.lifecycle)
    check_bound("max_size", max_size, 0)
    return sequence(ctx, case, max_size, faults_of(faults))


def cases(  # noqa: PLR0913 - keyword-only context and sub-strategies
    *,
    engine: Engine,
    lifecycle: str | Iterable[str] | None = None,
    locations: Iterable[str] | None = None,
    times: st.SearchStrategy[datetime] | None = None,
    category_keys: Iterable[str] | st.SearchStrategy[str] = RULES_2021.keys,
    actors: Iterable[Actor] | None = None,
    data_values: DataValues | None = None,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Case]:
    """Generate freshly opened cases, opened through the engine by an actor allowed to.

    The lifecycle, location, time, category, severity (or none), parties and opening trigger
    are drawn; the opening actors are tried from a drawn position and the first the engine
    accepts opens the case (then the next location, if none can open it there).

    Args:
        engine: The engine that opens them.
        lifecycle: Lifecycle key(s) to draw from (default: every lifecycle of the engine).
        locations: Unit ids to open them at (default: the grids and micro-grids).
        times: Opening times (default: :func:`datetimes`).
        category_keys: Category keys, or a strategy of them.
        actors: Who may open them (default: every post of the engine's hierarchy).
        data_values: As for :func:`commands`.
        ids: Case ids (default: ``C1`` to ``C99999``).

    Raises:
        ArgumentError: An argument of the wrong type, or no actor holds a role that may open
            a case of a lifecycle drawn from.
        UnknownIdError: An unknown lifecycle or location.

    >>> from hypothesis import given
    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> engine = builtin_engine(generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0))
    >>> @given(cases(engine=engine, lifecycle="dispute"))
    ... def test_cases_open_in_the_initial_state(case):
    ...     assert case.state == "screening" and case.version == 0
    >>> test_cases_open_in_the_initial_state()
    """
    ctx = make_context(engine, actors, data_values, None)
    keys = tuple(engine.lifecycles) if lifecycle is None else str_tuple(lifecycle)
    h = engine.hierarchy
    for key in keys:
        definition = engine.lifecycle(key)
        roles = {r for t in definition.transitions if t.opening for r in t.roles}
        if not any(a.role in roles for a in ctx.pool):
            reason = f"a lifecycle some actor may open (opening roles: {sorted(roles)})"
            raise ArgumentError(argument="lifecycle", value=key, reason=reason)
    places = tuple(
        (u.id for u in h.units_at(Level.GRID) + h.units_at(Level.MICRO_GRID))
        if locations is None
        else locations
    )
    for place in places:
        h.unit(place)
    moments = datetimes() if times is None else times
    category_strategy = sampled(category_keys, "category_keys")
    id_strategy = st.integers(1, 99_999).map(lambda n: f"C{n}") if ids is None else ids
    return opened_case(
        Opening(
            ctx=ctx,
            lifecycles=st.sampled_from(keys),
            places=places,
            times=moments,
            categories=category_strategy,
            ids=id_strategy,
        )
    )
