"""Issue 12 points 6-9: duplicates, honest evaluation, citizens' intake, unknown categories.

Duplicates and related cases, honest evaluation, citizens' intake and callback, unknown
categories refused at open; through the engine and both stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import (
    RULES_2021,
    Actor,
    Case,
    MemoryCaseStore,
    Report,
    SimulationConfig,
    SQLiteCaseStore,
    builtin_engine,
    simulate,
)
from ruian_governance.analysis import intake_figures
from ruian_governance.errors import (
    ArgumentError,
    BatchRefusedError,
    ConflictError,
    GuardFailedError,
    InvalidTransitionError,
    JurisdictionError,
    Open311Error,
    SimulationConfigError,
    TransitionError,
    UnknownCategoryError,
)
from ruian_governance.io.open311 import (
    nearest_grid,
    open_citizen_report,
    report_from_service_request,
)
from ruian_governance.lifecycles import (
    DISPUTE_LIFECYCLE,
    HAZARD_LIFECYCLE,
    Engine,
    event_lifecycle,
    link_cases,
    merge_duplicate,
    merged_ids,
    primary_of,
    related_ids,
    reporters,
    suggest_duplicates,
)
from ruian_governance.lifecycles.builtin.casework import HANDLING_TRIGGERS, called_back
from ruian_governance.models import Level
from ruian_governance.presets import with_staff
from ruian_governance.sim.citizens import Citizens
from ruian_governance.sim.intake import IntakeRates
from ruian_governance.sim.state import RunState
from ruian_governance.stores import CaseStore
from world import DAY, HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, world: World) -> Iterator[CaseStore]:
    """A fresh store of each kind."""
    made: CaseStore = (
        MemoryCaseStore(world.engine)
        if request.param == "memory"
        else SQLiteCaseStore(":memory:", world.engine)
    )
    yield made
    made.close()


def fire(world: World, case: Case, trigger: str, actor: str, **data: Any) -> Case:
    """Apply ``trigger`` one hour after the case's last record."""
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + HOUR, **data)


def police(world: World) -> tuple[str, ...]:
    """The units of a dispatch to the case town's police station."""
    return (world.station("police_station"),)


def closed_by_station(world: World, case: Case | None = None) -> Case:
    """An event reported by the grid worker, handled by the police station and closed."""
    case = case or open_case(world, "event")
    case = fire(world, case, "accept", "operator")
    case = fire(world, case, "dispatch", "operator", units=police(world))
    case = fire(world, case, "sign", "police")
    case = fire(world, case, "start", "police")
    case = fire(world, case, "feed_back", "police", result="已处置")
    case = fire(world, case, "verify", "worker")
    return fire(world, case, "close", "operator")


def citizen_case(world: World, case_id: str = "C1", channel: str = "hotline") -> Case:
    """An event a citizen reported through ``channel``, registered by the centre."""
    return world.engine.open(
        "event",
        case_id=case_id,
        trigger="intake",
        actor=world["centre"],
        at=T0,
        location_id=world.grid,
        category="neighbours",
        severity="ordinary",
        channel=channel,
        reporter=("citizen-a1",),
    )


def snapshot(store: CaseStore) -> list[tuple[Case, tuple[Any, ...]]]:
    """Every stored case and its history, in id order."""
    return [(c, c.history) for c in sorted(store, key=lambda c: c.id)]


# --------------------------------------------------------------------------- point 7


def test_the_handler_never_evaluates_their_own_on_the_spot_fix(world: World) -> None:
    """Point 7: the grid worker who solved it on the spot can neither rate nor send it back."""
    case = fire(world, open_case(world, "event"), "solve_on_spot", "worker", result="劝导")
    for trigger, data in (("evaluate", {"stars": 5}), ("rework", {"stars": 1, "reason": "x"})):
        with pytest.raises(GuardFailedError) as info:
            fire(world, case, trigger, "worker", **data)
        assert info.value.guard == "not_own_work"
    assert fire(world, case, "evaluate", "cadre", stars=5).state == "evaluated"


def test_station_staff_never_rate_their_own_work(world: World) -> None:
    """Station staff never rate their own work.

    Point 7: nobody who signed, started or fed back is an evaluator (forged post aside,
    the guard reads the persons of the handling records).
    """
    case = closed_by_station(world)
    handlers = {r.actor.person_id for r in case.history if r.trigger in HANDLING_TRIGGERS}
    assert handlers == {world["police"].person_id}
    assert world["worker"].person_id not in handlers


def test_an_unsatisfied_rating_sends_the_case_back_for_rework_once(world: World) -> None:
    """An unsatisfied rating sends the case back for rework once.

    Point 7: 1-2 stars is rework 重办 (back to the command room, unassigned) while rework
    is left; once used up, 1-2 stars is the evaluation.
    """
    case = closed_by_station(world)
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "evaluate", "worker", stars=2)
    assert info.value.guard == "satisfied_or_reworked"
    case = fire(world, case, "rework", "worker", stars=2, reason="问题仍在")
    assert (case.state, case.assignees) == ("accepted", ())
    case = fire(world, case, "dispatch", "operator", units=police(world))
    for trigger, actor, data in (
        ("sign", "police", {}),
        ("start", "police", {}),
        ("feed_back", "police", {"result": "再次处置"}),
        ("verify", "worker", {}),
        ("close", "operator", {}),
    ):
        case = fire(world, case, trigger, actor, **data)
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "rework", "worker", stars=1, reason="again")
    assert info.value.guard == "rework_left"
    assert fire(world, case, "evaluate", "worker", stars=1).state == "evaluated"


@pytest.mark.parametrize("limit", [0, 2])
def test_the_rework_limit_is_configuration(world: World, limit: int) -> None:
    """Point 7: ``event_lifecycle(rework_limit=...)``; 0 rates 1-2 stars at once."""
    engine = Engine(world.h, (event_lifecycle(rework_limit=limit), DISPUTE_LIFECYCLE,
                              HAZARD_LIFECYCLE))  # fmt: skip
    case = engine.verify(closed_by_station(world))
    at = case.last.at + HOUR
    if limit == 0:
        assert engine.apply(case, "evaluate", actor=world["worker"], at=at, stars=1).state == (
            "evaluated"
        )
    else:
        again = engine.apply(case, "rework", actor=world["worker"], at=at, stars=1, reason="x")
        assert again.state == "accepted"
    with pytest.raises(ArgumentError):
        event_lifecycle(rework_limit=-1)


def test_on_the_spot_solutions_are_spot_checked_once(world: World) -> None:
    """On-the-spot solutions are spot-checked once.

    Point 7: the command room spot-checks 抽查 an on-the-spot solution once; a failed check
    sends the case back to the room; a case handled by a station is not spot-checked.
    """
    solved = fire(world, open_case(world, "event"), "solve_on_spot", "worker", result="劝导")
    checked = fire(world, solved, "spot_check", "operator", result="属实")
    assert checked.state == "closed"
    with pytest.raises(GuardFailedError):
        fire(world, checked, "fail_spot_check", "operator", reason="again")
    failed = fire(world, solved, "fail_spot_check", "operator", reason="未解决")
    assert failed.state == "accepted"
    with pytest.raises(GuardFailedError) as info:
        fire(world, closed_by_station(world), "spot_check", "operator", result="x")
    assert info.value.guard == "solved_on_spot_unchecked"
    with pytest.raises(TransitionError):  # a grid worker does not spot-check
        fire(world, solved, "spot_check", "worker", result="x")


def test_refused_evaluations_change_nothing_in_either_store(world: World, store: CaseStore) -> None:
    """Refused evaluations change nothing in either store.

    Point 7 through the stores: a self-evaluation or a premature 1-star rating is refused,
    and the store, its case, history and state index are as before.
    """
    store.open("event", case_id="C1", trigger="report", actor=world["worker"], at=T0,
               location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    store.apply("C1", 0, "solve_on_spot", actor=world["worker"], at=T0 + HOUR, result="劝导")
    before, closed = snapshot(store), store.by_state("closed")
    for actor, stars in ((world["worker"], 5), (world["cadre"], 1)):
        with pytest.raises(GuardFailedError):
            store.apply("C1", 1, "evaluate", actor=actor, at=T0 + 2 * HOUR, stars=stars)
    assert snapshot(store) == before
    assert store.by_state("closed") == closed
    assert store.by_state("evaluated") == ()
    assert store.apply("C1", 1, "evaluate", actor=world["cadre"], at=T0 + 2 * HOUR,
                       stars=4).state == "evaluated"  # fmt: skip


# --------------------------------------------------------------------------- point 9


def test_a_category_unknown_to_the_rules_is_refused_at_open(world: World) -> None:
    """Point 9: the Open311 opener knows the rules and refuses before the case exists."""
    report = Report(id="R1", grid_id=world.grid, category="no_such_category", at=T0)
    with pytest.raises(UnknownCategoryError) as info:
        open_citizen_report(world.engine, report, rules=RULES_2021, actor=world["centre"],
                            channel="hotline", reporter="citizen-1")  # fmt: skip
    assert info.value.category == "no_such_category"
    known = Report(id="R2", grid_id=world.grid, category="public_order", at=T0)
    case = open_citizen_report(world.engine, known, rules=RULES_2021, actor=world["centre"],
                               channel="hotline", reporter="citizen-1")  # fmt: skip
    assert (case.state, case.severity, case.history[0].trigger) == ("reported", "ordinary",
                                                                    "intake")  # fmt: skip


def test_the_simulation_refuses_an_unknown_category_at_open() -> None:
    """Point 9: the simulation's opener checks its rules; nothing is opened."""
    from ruian_governance import generate_hierarchy

    h = with_staff(generate_hierarchy(towns=1, villages=1, grids=2, micro_grids=0),
                   id_prefix="sim.")  # fmt: skip
    state = RunState(SimulationConfig(hierarchy=h, days=1), h)
    citizens = Citizens(state, dispatch=lambda _n, _c: None, triage=lambda _n, _c: None)
    grid = h.units_at(Level.GRID)[0].id
    with pytest.raises(UnknownCategoryError):
        citizens.open(T0, grid, "no_such_category", "ordinary")
    assert len(state.store) == 0
    assert state.open == {}


# --------------------------------------------------------------------------- point 6


def test_a_duplicate_is_merged_into_its_primary(world: World) -> None:
    """A duplicate is merged into its primary.

    Point 6: the duplicate ends as merged (final, nobody may act on it); the primary lists
    the merged id and both reporters, and the callback reaches each reporter once.
    """
    primary = open_case(world, "event", "P1")
    duplicate = citizen_case(world, "D1")
    merged, taken = merge_duplicate(world.engine, duplicate, primary, actor=world["operator"],
                                    at=T0 + HOUR)  # fmt: skip
    assert merged.state == "merged"
    assert merged.state in world.engine.lifecycle("event").final_states
    assert all(world.engine.allowed(merged, a) == () for a in world.actors.values())
    assert merged_ids(taken) == ("D1",)
    assert (primary_of(merged), primary_of(taken)) == ("P1", None)
    assert reporters(taken) == (world["worker"].person_id, "citizen-a1")
    closed = closed_by_station(world, taken)
    for ref in reporters(closed):
        closed = fire(world, closed, "callback", "operator", reporter=ref, satisfaction=4)
    assert called_back(closed) == reporters(closed)
    with pytest.raises(GuardFailedError):  # once each
        fire(world, closed, "callback", "operator", reporter="citizen-a1", satisfaction=5)
    with pytest.raises(GuardFailedError):  # not a reporter of the case
        fire(world, closed, "callback", "operator", reporter="citizen-zz", satisfaction=5)


def test_a_refused_merge_changes_neither_case(world: World) -> None:
    """A refused merge changes neither case.

    Point 6: merging a dispatched report, into itself, or twice is refused; both cases are
    as they were (the engine keeps nothing of the half that passed).
    """
    primary = open_case(world, "event", "P1")
    dispatched = fire(world, fire(world, citizen_case(world, "D1"), "accept", "operator"),
                      "dispatch", "operator", units=police(world))  # fmt: skip
    with pytest.raises(InvalidTransitionError):
        merge_duplicate(world.engine, dispatched, primary, actor=world["operator"],
                        at=T0 + 5 * HOUR)  # fmt: skip
    with pytest.raises(ArgumentError):
        merge_duplicate(world.engine, primary, primary, actor=world["operator"], at=T0 + HOUR)
    _, taken = merge_duplicate(world.engine, citizen_case(world, "D2"), primary,
                               actor=world["operator"], at=T0 + HOUR)  # fmt: skip
    with pytest.raises(GuardFailedError):
        merge_duplicate(world.engine, citizen_case(world, "D2"), taken,
                        actor=world["operator"], at=T0 + 2 * HOUR)  # fmt: skip
    with pytest.raises(GuardFailedError):  # a case is not its own primary
        fire(world, citizen_case(world, "D3"), "merge", "operator", primary="D3")
    assert primary.version == 0
    assert dispatched.state == "dispatched"


def test_merging_through_either_store(world: World, store: CaseStore) -> None:
    """Point 6 through the stores: the two commands stored; a refused one changes nothing."""
    store.add(open_case(world, "event", "P1"))
    store.add(citizen_case(world, "D1"))
    op, at = world["operator"], T0 + HOUR
    store.apply("D1", 0, "merge", actor=op, at=at, primary="P1")
    primary = store.apply("P1", 0, "take_duplicate", actor=op, at=at, duplicate="D1",
                          reporter="citizen-a1")  # fmt: skip
    assert merged_ids(store.get("P1")) == ("D1",) == merged_ids(primary)
    before = snapshot(store)
    with pytest.raises(InvalidTransitionError):  # merged cases are never reopened
        store.apply("D1", 1, "accept", actor=op, at=at + HOUR)
    with pytest.raises(GuardFailedError):
        store.apply("P1", 1, "take_duplicate", actor=op, at=at + HOUR, duplicate="D1",
                    reporter="citizen-a1")  # fmt: skip
    assert snapshot(store) == before
    assert [c.id for c in store.by_state("merged")] == ["D1"]


def test_a_merge_is_one_transaction_through_a_batch(world: World, store: CaseStore) -> None:
    """A merge saved in one batch is written all or nothing.

    Point 6 through the stores: ``merge_duplicate`` gives both cases; saving them in one
    ``store.batch()`` writes both, and a write to the primary meanwhile refuses both (the
    duplicate stays unmerged, unlike two separate saves).
    """
    store.add(open_case(world, "event", "P1"))
    store.add(citizen_case(world, "D1"))
    store.add(citizen_case(world, "D2"))
    op, at = world["operator"], T0 + HOUR
    merged, taken = merge_duplicate(world.engine, store.get("D1"), store.get("P1"), actor=op,
                                    at=at)  # fmt: skip
    with store.batch() as batch:
        batch.save(merged, expected_version=0)
        batch.save(taken, expected_version=0)
    assert (store.get("D1").state, merged_ids(store.get("P1"))) == ("merged", ("D1",))
    merged, taken = merge_duplicate(world.engine, store.get("D2"), store.get("P1"), actor=op,
                                    at=at + HOUR)  # fmt: skip
    store.apply("P1", 1, "accept", actor=op, at=at + HOUR)  # another operator, meanwhile
    before = snapshot(store)

    def save_both() -> None:
        with store.batch() as batch:
            batch.save(merged, expected_version=0)
            batch.save(taken, expected_version=0)

    with pytest.raises(BatchRefusedError) as refused:
        save_both()
    assert isinstance(refused.value.__cause__, ConflictError)
    assert snapshot(store) == before
    assert store.get("D2").state != "merged"


def test_related_cases_are_linked_both_ways_once(world: World) -> None:
    """Point 6: 关联件, linked both ways; a second link of the same pair is refused."""
    one, two = link_cases(world.engine, open_case(world, "event", "A"),
                          open_case(world, "event", "B"), actor=world["operator"],
                          at=T0 + HOUR)  # fmt: skip
    assert (related_ids(one), related_ids(two)) == (("B",), ("A",))
    with pytest.raises(GuardFailedError):
        link_cases(world.engine, one, two, actor=world["operator"], at=T0 + 2 * HOUR)


def test_suggested_duplicates_are_same_category_near_and_recent(world: World) -> None:
    """Suggested duplicates are same category near and recent.

    Point 6: same category, same or neighbouring (same village) grid, within the window,
    still open; the same grid first, then the nearest in time.
    """
    h = world.h
    neighbour = next(g.id for g in h.children(world.village) if g.id != world.grid)
    far = world.other_grid

    def report(case_id: str, grid: str, category: str = "noise", hours: float = 0) -> Case:
        return world.engine.open("event", case_id=case_id, trigger="report",
                                 actor=_worker(world, grid), at=T0 + timedelta(hours=hours),
                                 location_id=grid, category=category,
                                 severity="ordinary")  # fmt: skip

    new = report("N", world.grid, hours=30)
    cases = [
        report("S1", world.grid, hours=0),  # same grid, 30 h before
        report("S2", neighbour, hours=29),  # neighbouring grid, 1 h before
        report("X1", far),  # another village
        report("X2", world.grid, category="fire"),  # another category
        report("X3", world.grid, hours=-60),  # too long before
        fire(world, report("X4", world.grid, hours=28), "reject", "operator", reason="x"),
        report("S3", world.grid, hours=31),  # same grid, 1 h after
    ]
    found = suggest_duplicates(new, cases, h)
    assert [c.id for c in found] == ["S3", "S1", "S2"]
    assert suggest_duplicates(new, [new], h) == ()
    with pytest.raises(ArgumentError):
        suggest_duplicates(new, cases, h, window=timedelta(days=-1))


def _worker(world: World, grid: str) -> Actor:
    person = world.h.people_of(grid, role="grid_worker")[0]
    return Actor(person_id=person.id, role="grid_worker", unit_id=grid)


# --------------------------------------------------------------------------- point 8


@pytest.mark.parametrize(("channel", "actor"), [("app", "operator"), ("hotline", "centre"),
                                                ("window", "centre")])  # fmt: skip
def test_citizens_report_through_the_app_the_hotline_and_the_window(
    world: World, channel: str, actor: str
) -> None:
    """Citizens report through the app the hotline and the window.

    Point 8: the command room or the centre (一窗受理) opens a citizen's case; the history
    keeps the channel and the reporter's reference, the case the registering person.
    """
    case = world.engine.open("event", case_id="C1", trigger="intake", actor=world[actor],
                             at=T0, location_id=world.grid, category="noise",
                             severity="ordinary", channel=channel,
                             reporter="citizen-a1")  # fmt: skip
    assert case.history[0].get("reporter") == ("citizen-a1",)
    assert case.history[0].get("channel") == channel
    assert case.reporter_id == world[actor].person_id
    assert reporters(case) == ("citizen-a1",)


@pytest.mark.parametrize(
    ("actor", "data", "error"),
    [
        ("centre", {"channel": "email", "reporter": "citizen-a1"}, GuardFailedError),
        ("centre", {"channel": "hotline", "reporter": "13812345678"}, GuardFailedError),
        ("centre", {"channel": "hotline", "reporter": "张三 13812345678"}, TransitionError),
        ("centre", {"channel": "hotline"}, TransitionError),
        ("other_operator", {"channel": "app", "reporter": "citizen-a1"}, JurisdictionError),
        ("worker", {"channel": "app", "reporter": "citizen-a1"}, TransitionError),
    ],
)
def test_bad_citizen_intake_is_refused(
    world: World, store: CaseStore, actor: str, data: dict[str, Any], error: type[Exception]
) -> None:
    """Bad citizen intake is refused.

    Point 8: no personal data as the reference, a known channel, a holder or the centre;
    the store stays empty.
    """
    with pytest.raises(error):
        store.open("event", case_id="C1", trigger="intake", actor=world[actor], at=T0,
                   location_id=world.grid, category="noise", severity="ordinary",
                   **data)  # fmt: skip
    assert len(store) == 0
    assert "C1" not in store


def test_the_reporter_withdraws_before_dispatch_only(world: World) -> None:
    """The reporter withdraws before dispatch only.

    Point 8: 撤件 by the grid worker who reported it, or recorded for the citizen by the
    holder with their reference; not after dispatch, not by someone else.
    """
    case = open_case(world, "event")
    assert fire(world, case, "withdraw", "worker", reason="已自行解决").state == "withdrawn"
    accepted = fire(world, case, "accept", "operator")
    assert fire(world, accepted, "withdraw", "worker", reason="x").state == "withdrawn"
    dispatched = fire(world, accepted, "dispatch", "operator", units=police(world))
    with pytest.raises(InvalidTransitionError):
        fire(world, dispatched, "withdraw", "worker", reason="x")
    with pytest.raises(GuardFailedError):  # the village cadre did not report it
        fire(world, case, "withdraw", "cadre", reason="x")
    citizen = citizen_case(world)
    with pytest.raises(GuardFailedError):
        fire(world, citizen, "withdraw_citizen", "operator", reporter="citizen-b2", reason="x")
    done = fire(world, citizen, "withdraw_citizen", "operator", reporter="citizen-a1",
                reason="来件人撤回")  # fmt: skip
    assert done.state == "withdrawn"
    assert all(world.engine.allowed(done, a) == () for a in world.actors.values())


def test_callback_satisfaction_is_apart_from_the_evaluation(world: World) -> None:
    """Point 8: 回访 records the citizen's satisfaction; the grid's 评价 its own stars."""
    case = closed_by_station(world, citizen_case(world))
    case = fire(world, case, "callback", "centre", reporter="citizen-a1", satisfaction=2)
    case = fire(world, case, "evaluate", "worker", stars=5)
    figures = intake_figures([case])
    assert figures.citizen_satisfaction.count == 0
    assert figures.citizen_satisfaction.total == 1
    assert case.records("evaluate")[0].get("stars") == 5
    assert figures.by_channel == {"hotline": 1}


def test_open311_lat_long_locate_the_grid_by_centroids(world: World) -> None:
    """Open311 lat/long locate the grid by centroids.

    Point 8: coordinates alone locate the nearest grid centroid given beside the hierarchy;
    without centroids, or far from all, they are refused as before.
    """
    form = {"service_code": "public_order", "lat": "27.7801", "long": "120.6502"}
    centroids = {world.grid: (27.78, 120.65), world.other_grid: (27.90, 120.80)}
    report = report_from_service_request(form, hierarchy=world.h, rules=RULES_2021,
                                         request_id="R1", at=T0,
                                         grid_centroids=centroids)  # fmt: skip
    assert report.grid_id == world.grid
    for extra in ({}, {"grid_centroids": {world.grid: (30.0, 121.0)}}):
        with pytest.raises(Open311Error):
            report_from_service_request(form, hierarchy=world.h, rules=RULES_2021,
                                        request_id="R1", at=T0, **extra)  # fmt: skip
    for lat, long in (("nan", "1"), ("91", "0"), ("x", "0")):
        with pytest.raises(ArgumentError):
            nearest_grid(centroids, lat, long)
    assert nearest_grid({}, 27.0, 120.0) is None


# --------------------------------------------------------------------------- properties

_MENU: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("solve_on_spot", "worker", {"result": "劝导"}),
    ("accept", "operator", {}),
    ("dispatch", "operator", {"units": ("POLICE",)}),
    ("sign", "police", {}),
    ("start", "police", {}),
    ("feed_back", "police", {"result": "ok"}),
    ("verify", "worker", {}),
    ("close", "operator", {}),
    ("evaluate", "worker", {"stars": 5}),
    ("evaluate", "worker", {"stars": 1}),
    ("evaluate", "cadre", {"stars": 4}),
    ("rework", "worker", {"stars": 1, "reason": "x"}),
    ("rework", "cadre", {"stars": 2, "reason": "x"}),
    ("spot_check", "operator", {"result": "ok"}),
    ("fail_spot_check", "operator", {"reason": "x"}),
    ("merge", "operator", {"primary": "P9"}),
    ("withdraw", "worker", {"reason": "x"}),
    ("link", "operator", {"related": "R9"}),
    ("accept", "operator", {}),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, len(_MENU) - 1), max_size=40))
def test_no_self_evaluation_and_merged_cases_never_reopen(picks: list[int]) -> None:
    """No self evaluation and merged cases never reopen.

    Points 6-7 as properties over command sequences with the new triggers: nobody who
    handled a case evaluates or sends it back; rework at most once; a merged (or withdrawn)
    case takes no command; a refused command leaves the case as it was.
    """
    world = _WORLD
    case = open_case(world, "event")
    for pick in picks:
        trigger, actor, data = _MENU[pick]
        data = {k: police(world) if v == ("POLICE",) else v for k, v in data.items()}
        before = (case, case.history)
        try:
            case = fire(world, case, trigger, actor, **data)
        except TransitionError:
            assert (case, case.history) == before
    for index, record in enumerate(case.history):
        if record.trigger in ("evaluate", "rework"):
            handled = {r.actor.person_id for r in case.history[:index]
                       if r.trigger in HANDLING_TRIGGERS}  # fmt: skip
            assert record.actor.person_id not in handled
    assert len(case.records("rework")) <= 1
    for end in ("merged", "withdrawn"):
        seqs = [r.seq for r in case.history if r.dest == end]
        assert not seqs or seqs[0] == case.history[-1].seq


_WORLD = build_world()


# --------------------------------------------------------------------------- simulation


def test_the_simulation_runs_intake_at_configurable_rates() -> None:
    """The simulation runs intake at configurable rates.

    Points 6-8 in the simulation: citizens' channels, duplicates merged, withdrawals,
    spot checks, rework and callbacks at the configured rates; none at rate 0.
    """
    from ruian_governance import generate_hierarchy

    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    rates = IntakeRates(citizens=0.5, duplicate=0.3, withdraw=0.2, spot_check=1.0)
    busy = intake_figures(simulate(SimulationConfig(hierarchy=h, days=28, seed=2,
                                                    intake=rates)).cases)  # fmt: skip
    assert busy.merged.count > 0
    assert busy.withdrawn.count > 0
    assert busy.spot_checked.count == busy.spot_checked.total > 0
    assert sum(busy.by_channel.values()) > 0
    assert busy.citizen_satisfaction.total > 0
    quiet = IntakeRates(citizens=0.0, duplicate=0.0, withdraw=0.0, spot_check=0.0,
                        callback=0.0, rework_limit=0)  # fmt: skip
    none = intake_figures(simulate(SimulationConfig(hierarchy=h, days=28, seed=2,
                                                    intake=quiet)).cases)  # fmt: skip
    assert (none.merged.count, none.withdrawn.count, none.reworked.count) == (0, 0, 0)
    assert none.by_channel == {}
    assert none.citizen_satisfaction.total == 0
    with pytest.raises(SimulationConfigError):
        IntakeRates(channel_mix={"fax": 1.0})
    with pytest.raises(SimulationConfigError):
        IntakeRates(rework_limit=11)


def test_builtin_engine_still_runs_the_three_lifecycles(world: World) -> None:
    """The intake section is part of the event lifecycle of every built-in engine."""
    engine = builtin_engine(world.h)
    assert {"intake", "merge", "rework", "callback"} <= {
        t.key for t in engine.lifecycle("event").triggers
    }


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "value", [None, "5", 5.0, float("nan"), True, 10**100, -1, 0, 6, ("5",), [5]]
)
def test_hostile_satisfaction_is_refused_and_changes_nothing(
    world: World, store: CaseStore, value: object
) -> None:
    """Hostile callback data.

    Points 6-8: a satisfaction that is not a whole number from 1 to 5 is refused by the data
    check, and the stored case is unchanged.
    """
    store.add(closed_by_station(world, citizen_case(world)))
    before = snapshot(store)
    version = store.get("C1").version
    with pytest.raises(TransitionError):
        store.apply("C1", version, "callback", actor=world["centre"], at=T0 + DAY,
                    reporter="citizen-a1", satisfaction=value)  # fmt: skip
    assert snapshot(store) == before


@pytest.mark.parametrize("value", [None, "", "a b", 7, ("x", "y"), "x" * 10_000, "\u202e"])
def test_hostile_references_are_refused(world: World, value: object) -> None:
    """Hostile ids.

    Points 6 and 8: a reporter, primary or related id that is not one id is refused.
    """
    case = citizen_case(world)
    for trigger, key in (("merge", "primary"), ("link", "related"), ("withdraw_citizen",
                                                                         "reporter")):  # fmt: skip
        data: dict[str, Any] = {key: value}
        if trigger == "withdraw_citizen":
            data["reason"] = "x"
        with pytest.raises(TransitionError):
            fire(world, case, trigger, "operator", **data)


def test_hostile_arguments_of_the_pure_functions(world: World) -> None:
    """Hostile arguments.

    Points 6, 8 and the analysis: typed errors, never AttributeError or TypeError.
    """
    case = open_case(world, "event")
    for report, cases, h in ((None, [], world.h), (case, [None], world.h), (case, [], None),
                             (case, "abc", world.h)):  # fmt: skip
        with pytest.raises(ArgumentError):
            suggest_duplicates(report, cases, h)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        suggest_duplicates(case, [], world.h, closed_states="closed")
    with pytest.raises(ArgumentError):
        intake_figures([None])  # type: ignore[list-item]
    with pytest.raises(ArgumentError):
        nearest_grid(None, 27.0, 120.0)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        nearest_grid({"g": (1.0,)}, 27.0, 120.0)  # type: ignore[dict-item]
    with pytest.raises(ArgumentError):
        nearest_grid({}, 27.0, 120.0, radius_km=float("inf"))
    with pytest.raises(ArgumentError):
        merge_duplicate(world.engine, "D1", case, actor=world["operator"], at=T0)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        link_cases(world.engine, case, case, actor=world["operator"], at=T0)
