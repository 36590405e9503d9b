"""The shipped Hypothesis strategies: every drawn value is valid, bad arguments fail at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    HAZARD_LIFECYCLE,
    RULES_2016,
    RULES_2021,
    Actor,
    Engine,
    Hierarchy,
    Level,
    LifecycleDefinition,
    ManualClock,
    Router,
    RoutingRules,
    TransitionError,
    UnknownIdError,
    builtin_engine,
    generate_hierarchy,
)
from ruian_governance.errors import (
    ArgumentError,
    LifecycleDefinitionError,
    UnknownRoutingKindError,
)
from ruian_governance.models import CHINESE_WORKDAYS
from ruian_governance.presets import PLATFORMS_2016, PLATFORMS_2021
from ruian_governance.routing import check_rules
from ruian_governance.testing.strategies import (
    HOLIDAY_PERIODS,
    Breakage,
    BrokenDefinition,
    Fault,
    actors,
    broken_lifecycle_definitions,
    cases,
    categories,
    clocks,
    command_data,
    command_sequences,
    commands,
    datetimes,
    deadline_policies,
    deadlines,
    hierarchies,
    lifecycle_definitions,
    reports,
    routing_rules,
    units,
)
from world import T0, build_world, open_case

H = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=0)
H2016 = generate_hierarchy(
    towns=2, villages=4, grids=8, micro_grids=0, seed=1, preset=PLATFORMS_2016
)
ENGINE = builtin_engine(H)


# --------------------------------------------------------------------------- structure


@given(hierarchies(max_towns=2, max_villages_per_town=2, max_grids_per_village=2))
def test_drawn_hierarchies_validate(h: Hierarchy) -> None:
    """Invariant: every drawn hierarchy constructs again from its own parts (it validates)."""
    rebuilt = Hierarchy(
        preset=h.preset,
        units=h.units,
        centre=h.centre,
        command_rooms=h.command_rooms,
        platforms=h.platforms,
        stations=h.stations,
        departments=h.departments,
        people=h.people,
        roles=h.roles,
        courts=h.courts,
        tribunals=h.tribunals,
        shared_courts=h.shared_courts,
    )
    assert rebuilt == h
    assert 1 <= len(h.towns) <= 2


@given(units(hierarchy=H, level=Level.VILLAGE, within="t0002"))
def test_drawn_units_have_the_level_and_lie_within(unit: object) -> None:
    """Invariant: a drawn unit has the asked level and lies under the asked unit."""
    assert getattr(unit, "level", None) is Level.VILLAGE
    town = H.town_of(unit.id)  # type: ignore[attr-defined]
    assert town is not None
    assert town.id == "t0002"


@given(actors(hierarchy=H, roles={"grid_worker", "station_officer"}, within="t0001"))
def test_drawn_actors_hold_their_posts(actor: Actor) -> None:
    """Invariant: a drawn actor holds the post (role in unit) it acts in, within the asked unit."""
    assert Actor.of(H, actor.person_id, actor.role) is not None
    assert any(
        p.role == actor.role and p.unit_id == actor.unit_id for p in H.person(actor.person_id).posts
    )
    assert actor.role in {"grid_worker", "station_officer"}
    town = H.town_of(actor.unit_id)
    assert town is not None
    assert town.id == "t0001"


def test_structure_strategies_check_their_arguments_at_once() -> None:
    """Bad arguments raise ArgumentError when the strategy is built, before anything is drawn."""
    with pytest.raises(ArgumentError, match="hierarchy"):
        units(hierarchy="not a hierarchy")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="none found") as info:
        units(hierarchy=H2016, level=Level.MICRO_GRID)
    assert info.value.argument == "level"
    with pytest.raises(UnknownIdError):
        units(hierarchy=H, within="nowhere")
    with pytest.raises(ArgumentError, match="no_such_role"):
        actors(hierarchy=H, roles={"no_such_role"})
    with pytest.raises(ArgumentError, match="max_towns"):
        hierarchies(min_towns=3, max_towns=2)


# --------------------------------------------------------------------------- routing


@given(st.sampled_from([PLATFORMS_2016, PLATFORMS_2021]).flatmap(
    lambda preset: routing_rules(preset=preset, max_categories=5)))  # fmt: skip
def test_drawn_rule_tables_construct_and_fit_their_preset(rules: RoutingRules) -> None:
    """Invariant: a drawn table constructs (keys unique, kinds known) and fits its preset."""
    check_rules(rules, rules.preset)
    assert len(set(rules.keys)) == len(rules.categories)
    assert all(c.station_kinds for c in rules.categories)


@given(categories(preset=PLATFORMS_2016, key=st.sampled_from(["a", "b"])))
def test_drawn_categories_name_only_preset_kinds(category: object) -> None:
    """Invariant: a drawn category names a platform and station kinds of its preset."""
    stations = {k.key for k in PLATFORMS_2016.station_kinds}
    assert getattr(category, "platform", None) in {p.key for p in PLATFORMS_2016.platforms}
    assert set(getattr(category, "station_kinds", ())) <= stations


ROUTER_2021 = Router(H, RULES_2021)
ROUTER_2016 = Router(H2016, RULES_2016)


@given(reports(hierarchy=H, rules=RULES_2021, times=datetimes()))
def test_drawn_reports_route_with_the_built_in_table(report: object) -> None:
    """Invariant: every drawn report from a hierarchy of the table's preset routes."""
    route = ROUTER_2021(report)  # type: ignore[arg-type]
    assert route.origin == getattr(report, "grid_id", None)
    assert getattr(report, "at", None) is not None


@given(st.data())
def test_drawn_reports_route_with_drawn_tables(data: st.DataObject) -> None:
    """Invariant: a report drawn for a drawn table (departments all present) routes."""
    kinds = {station.station_kind for station in H2016.stations}
    rules = data.draw(routing_rules(preset=PLATFORMS_2016, station_kinds=kinds))
    report = data.draw(reports(hierarchy=H2016, rules=rules))
    assert Router(H2016, rules)(report).category == report.category


def test_reports_refuse_a_table_of_another_preset() -> None:
    """A table that names kinds the hierarchy's preset lacks is refused when building."""
    with pytest.raises(UnknownRoutingKindError):
        reports(hierarchy=H2016, rules=RULES_2021)
    with pytest.raises(ArgumentError, match="min_categories"):
        routing_rules(preset=PLATFORMS_2021, min_categories=0)


# --------------------------------------------------------------------------- time


@given(datetimes(near_holidays=True))
def test_drawn_times_near_holidays_are_within_a_week_of_one(at: object) -> None:
    """Invariant: times drawn near holidays lie within a week of one (in CST, in coverage).

    The holidays are the Spring Festival and National Day periods the calendar knows.
    """
    from chinese_calendar import constants

    day: date = at.date()  # type: ignore[attr-defined]
    first, last = CHINESE_WORKDAYS.years
    assert first <= day.year <= last
    near = {day + timedelta(days=k) for k in range(-7, 8)} & {
        d for d, name in constants.holidays.items() if name in HOLIDAY_PERIODS
    }
    assert near
    assert at.utcoffset() == timedelta(hours=8)  # type: ignore[attr-defined]


@given(deadlines(max_days=15), datetimes())
def test_deadlines_never_precede_their_start(deadline: object, at: object) -> None:
    """Invariant: a drawn deadline counted from a drawn time falls due after it (covered)."""
    assert deadline.due(at) > at  # type: ignore[attr-defined]


@given(deadline_policies(limits=["max_extension"]), clocks(manual=True))
def test_drawn_policies_and_clocks_work(policy: object, clock: ManualClock) -> None:
    """Invariant: a drawn policy times every severity; a drawn manual clock only moves on."""
    for severity in ("ordinary", "larger", "major"):
        assert policy.due(severity, clock.now()) > clock.now()  # type: ignore[attr-defined]
    before = clock.now()
    assert clock.advance(timedelta(days=1)) > before


def test_time_strategies_check_their_arguments_at_once() -> None:
    """Years outside the calendar, unknown holidays and bad bounds fail when building."""
    with pytest.raises(ArgumentError, match="coverage"):
        datetimes(min_year=1999)
    with pytest.raises(ArgumentError, match="Christmas") as info:
        datetimes(holidays=["Christmas"])
    assert info.value.argument == "holidays"
    with pytest.raises(ArgumentError, match="max_days"):
        deadlines(max_days=-1)
    with pytest.raises(ArgumentError, match="empty"):
        deadlines(counts=[])
    with pytest.raises(ArgumentError, match="times"):
        clocks(times="2025-01-01")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- lifecycles


@given(lifecycle_definitions(max_states=7), st.data())
def test_drawn_definitions_validate_and_open_cases(
    definition: LifecycleDefinition, data: st.DataObject
) -> None:
    """Invariant: a drawn small definition validates, an engine runs it and a case opens."""
    engine = Engine(H, [definition])
    case = data.draw(cases(engine=engine, times=st.just(T0)), label="case")
    assert case.state == definition.initial.key
    assert case.opened_at == T0
    assert definition.final_states


@given(lifecycle_definitions(base=st.sampled_from([EVENT_LIFECYCLE, DISPUTE_LIFECYCLE,
                                                   HAZARD_LIFECYCLE])))  # fmt: skip
def test_drawn_extensions_of_the_built_ins_validate(definition: LifecycleDefinition) -> None:
    """Invariant: an extension of a built-in keeps its states and adds one (maybe two)."""
    base = {"event": EVENT_LIFECYCLE, "dispute": DISPUTE_LIFECYCLE, "hazard": HAZARD_LIFECYCLE}
    original = base[definition.key]
    assert {s.key for s in original.states} < {s.key for s in definition.states}
    Engine(H, [definition])


@given(broken_lifecycle_definitions())
def test_broken_definitions_are_always_rejected_with_the_named_error(
    broken: BrokenDefinition,
) -> None:
    """Invariant: a definition broken in one named way raises that way's error, every time."""
    with pytest.raises(LifecycleDefinitionError) as info:
        broken.build()
    assert type(info.value) is broken.breakage.error


@given(broken_lifecycle_definitions(definitions=lifecycle_definitions(base=EVENT_LIFECYCLE)))
def test_broken_extensions_of_the_event_lifecycle_are_rejected(broken: BrokenDefinition) -> None:
    """Invariant: breaking an extension of the built-in event lifecycle is caught too.

    The breakage is confined to the states, triggers and transitions (restoring them mends it).
    """
    with pytest.raises(broken.breakage.error):
        broken.build()
    assert LifecycleDefinition(**{**broken.arguments, **_arguments_of(broken.original)})


def _arguments_of(definition: LifecycleDefinition) -> dict[str, object]:
    """The constructor arguments of a valid definition."""
    return {
        "states": definition.states,
        "triggers": definition.triggers,
        "transitions": definition.transitions,
    }


@pytest.mark.parametrize("breakage", list(Breakage))
def test_every_breakage_is_drawn(breakage: Breakage) -> None:
    """Each named breakage can be asked for alone, and is what it says."""

    @given(broken_lifecycle_definitions(breakages=[breakage]))
    def check(broken: BrokenDefinition) -> None:
        assert broken.breakage is breakage
        with pytest.raises(breakage.error):
            broken.build()

    check()


def test_lifecycle_strategies_check_their_arguments_at_once() -> None:
    """Bad bounds, unknown roles and empty breakage lists fail when building."""
    with pytest.raises(ArgumentError, match="min_states"):
        lifecycle_definitions(min_states=1)
    with pytest.raises(ArgumentError, match="unknown"):
        lifecycle_definitions(roles=["wizard"])
    with pytest.raises(ArgumentError, match="base"):
        lifecycle_definitions(base="event")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="empty"):
        broken_lifecycle_definitions(breakages=[])


# --------------------------------------------------------------------------- cases and commands


@given(cases(engine=ENGINE))
def test_drawn_cases_are_open_and_replay(case: object) -> None:
    """Invariant: a drawn case is freshly opened in its initial state and replays to itself."""
    definition = ENGINE.lifecycle(case.lifecycle)  # type: ignore[attr-defined]
    assert case.state == definition.initial.key  # type: ignore[attr-defined]
    assert case.version == 0  # type: ignore[attr-defined]
    assert ENGINE.replay(case.history) == case  # type: ignore[attr-defined]


@given(st.data())
def test_command_sequences_walk_the_engine(data: st.DataObject) -> None:
    """Invariant: in a drawn sequence every legal step is accepted, every faulty one refused."""
    case = data.draw(cases(engine=ENGINE), label="case")
    steps = data.draw(command_sequences(engine=ENGINE, case=case, max_size=15,
                                        faults=list(Fault)), label="steps")  # fmt: skip
    for step in steps:
        if step.fault is None:
            case = step.apply(ENGINE, case)
            continue
        with pytest.raises(TransitionError):
            step.apply(ENGINE, case)


@given(st.data())
def test_faults_are_what_they_say(data: st.DataObject) -> None:
    """Invariant: each fault is refused, and for the reason it names where one applies."""
    case = data.draw(cases(engine=ENGINE, lifecycle="event"), label="case")
    fault = data.draw(st.sampled_from(Fault), label="fault")
    step = data.draw(commands(engine=ENGINE, case=case, faults=[fault], legal=False))
    assert step is not None
    assert step.fault is fault
    if fault is Fault.TIME_BACKWARDS:
        assert step.at < case.last.at
    if fault is Fault.WRONG_STATE:
        assert step.trigger not in ENGINE.lifecycle("event").triggers_from(case.state)
    if fault is Fault.WRONG_ACTOR:
        assert step.trigger not in ENGINE.allowed(case, step.actor)
    with pytest.raises(TransitionError):
        step.apply(ENGINE, case)


def test_command_data_fills_every_required_key() -> None:
    """Drawn data has every key the transition requires (checked over a few draws)."""
    dispatch = EVENT_LIFECYCLE.transition("accepted", "dispatch")
    assert dispatch is not None

    @given(command_data(engine=ENGINE, case=None, transition=dispatch))
    def check(data: dict[str, object]) -> None:
        assert dispatch.requires <= data.keys()

    check()


def test_command_strategies_check_their_arguments_at_once() -> None:
    """Bad engines, cases, faults and sizes fail when building."""
    world = build_world()
    case = open_case(world, "event")
    world_engine = world.engine
    with pytest.raises(ArgumentError, match="engine"):
        commands(engine="engine", case=case)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="fault"):
        commands(engine=world_engine, case=case, legal=False)
    with pytest.raises(ArgumentError, match="fault"):
        commands(engine=world_engine, case=case, faults=["wrong_actor"])  # type: ignore[list-item]
    with pytest.raises(ArgumentError, match="max_size"):
        command_sequences(engine=world_engine, case=case, max_size=-1)
    with pytest.raises(UnknownIdError):
        cases(engine=world_engine, lifecycle="no_such_lifecycle")
    with pytest.raises(ArgumentError, match="actors"):
        cases(engine=world_engine, actors=[])


def test_every_public_name_of_strategies_and_testing_is_documented() -> None:
    """Every name in the two Hypothesis modules' __all__ resolves, once, and is documented."""
    import inspect

    from ruian_governance import testing
    from ruian_governance.testing import strategies

    for module in (strategies, testing):
        assert len(set(module.__all__)) == len(module.__all__)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert inspect.getdoc(obj), f"{module.__name__}.{name}"


def test_the_strategies_package_re_exports_every_topic_module() -> None:
    """``testing.strategies`` re-exports exactly the public names of its topic modules."""
    import importlib

    from ruian_governance.testing import strategies

    names: list[str] = []
    for topic in ("structure", "routing", "time", "lifecycles", "casework"):
        module = importlib.import_module(f"ruian_governance.testing.strategies.{topic}")
        names.extend(module.__all__)
        for name in module.__all__:
            assert getattr(strategies, name) is getattr(module, name), f"{topic}.{name}"
    assert sorted(names) == sorted(strategies.__all__)
