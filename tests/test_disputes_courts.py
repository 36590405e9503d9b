"""Issue 13 points 1-5: courts, parties, village mediators, task forces, supervision."""

from __future__ import annotations

from collections import Counter

import attrs
import pytest

from ruian_governance import Case, Hierarchy, MemoryCaseStore, generate_hierarchy
from ruian_governance.errors import (
    ArgumentError,
    CourtPlacementError,
    GuardFailedError,
    InvalidDataError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
    RoleNotAllowedError,
    TransitionError,
    WorkerAssignmentError,
)
from ruian_governance.lifecycles.builtin.dispute_guards import case_leader, revisited_parties
from ruian_governance.models import Actor, Court, Person, Post, Tribunal
from ruian_governance.presets.courts import court_units
from world import DAY, HOUR, World, build_world, fire_as, open_case, refused_as

BOTH = ("张三", "李四")


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def agreed(world: World, tier: str = "simple", mediator: str = "cadre") -> Case:
    """A dispute triaged to ``tier`` with an agreement reached."""
    case = fire_as(world, open_case(world, "dispute"), "triage", "operator", tier=tier)
    case = fire_as(world, case, "start_mediation", mediator)
    if tier == "difficult":
        case = fire_as(
            world, case, "assign_leader", "centre", leader=world["city_leader"].person_id
        )
    return fire_as(world, case, "reach_agreement", mediator, terms="rebuild the wall")


# --------------------------------------------------------------------------- point 1: courts


def test_courts_are_units_of_the_generated_hierarchy(world: World) -> None:
    """Point 1: the basic-level court, its tribunals and shared courts are in the tree."""
    h = world.h
    court = h.courts[0]
    assert (court.kind.label.zh, h.parent(court.id).id) == ("基层人民法院", h.city.id)
    tribunal = h.tribunals[0]
    assert tribunal.kind.label.zh == "人民法庭"
    assert h.admin_unit_of(tribunal.id) == tribunal.town_id
    assert [c.id for c in h.courts_serving(world.grid)] == [tribunal.id, court.id]
    venues = h.shared_courts_of(world.grid)
    assert venues
    assert venues[0].kind.label.zh == "共享法庭"
    assert [c.id for c in h.courts_serving(h.city.id)] == [court.id]


def _with(h: Hierarchy, **parts: object) -> Hierarchy:
    return attrs.evolve(h, **parts)  # type: ignore[arg-type]


def test_court_placement_rule_refuses_misplaced_courts(world: World) -> None:
    """Point 1: a second court, a tribunal serving a village, a venue at a grid are refused."""
    h = world.h
    court = h.courts[0]
    with pytest.raises(CourtPlacementError):
        _with(h, courts=(court, attrs.evolve(court, id="court2")))
    tribunal = h.tribunals[0]
    with pytest.raises(CourtPlacementError) as info:
        _with(h, tribunals=(attrs.evolve(tribunal, town_ids=(world.village,)),))
    assert tribunal.id in info.value.ids  # and the venues it runs
    venue = h.shared_courts[0]
    with pytest.raises(CourtPlacementError):
        _with(h, shared_courts=(attrs.evolve(venue, unit_id=world.grid),))
    with pytest.raises(CourtPlacementError):
        _with(h, shared_courts=(attrs.evolve(venue, court_id="nowhere"),))
    judge = Person(id="j9", name="法官", posts=(Post(role="judge", unit_id=world.town),))
    with pytest.raises(WorkerAssignmentError):  # a judge sits in a court, not a town
        _with(h, people=(*h.people, judge))


def test_court_units_refuse_bad_arguments() -> None:
    """Point 1: the generator's court knobs are checked."""
    city = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0).city
    for bad in (-1, True, 1.5, "2"):
        with pytest.raises(ArgumentError):
            court_units(city, [], [], towns_per_tribunal=bad)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        court_units(city, [], [], shared_court_level="grid")
    courts, tribunals, venues = court_units(city, [], [], shared_court_level=None)
    assert (len(courts), tribunals, venues) == (1, [], [])
    assert isinstance(courts[0], Court)


def test_village_shared_courts_are_run_by_the_tribunal_of_their_town() -> None:
    """Point 1: shared courts may sit in villages; each is run by its town's tribunal."""
    h = generate_hierarchy(towns=3, villages=6, grids=6, micro_grids=0,
                           towns_per_tribunal=2, shared_court_level="village")  # fmt: skip
    assert len(h.shared_courts) == 6
    for venue in h.shared_courts:
        town = h.town_of(venue.unit_id)
        assert town is not None
        runner = h.get(venue.court_id)
        assert isinstance(runner, Tribunal)
        assert town.id in runner.served


def test_only_a_judge_of_a_serving_court_confirms(world: World) -> None:
    """Point 1: a department officer (the Finance Bureau), a mediator or the centre cannot."""
    case = agreed(world)
    refused_as(world, case, RoleNotAllowedError, "apply_confirmation", "cadre", applicants=BOTH)
    refused_as(world, case, RoleNotAllowedError, "apply_confirmation", "court", applicants=BOTH)
    applied = fire_as(world, case, "apply_confirmation", "judge", applicants=BOTH)
    for actor in ("court", "centre", "justice", "cadre"):
        refused_as(world, applied, RoleNotAllowedError, "confirm", actor)
    assert fire_as(world, applied, "confirm", "court_judge").state == "completed"
    assert fire_as(world, applied, "confirm", "judge").state == "completed"


def test_a_tribunal_not_serving_the_town_is_refused() -> None:
    """Point 1: a judge of a tribunal serving other towns may not act on this dispute."""
    from ruian_governance import Level, builtin_engine

    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=3,
                           towns_per_tribunal=1)  # fmt: skip
    engine = builtin_engine(h)
    town = h.towns[0].id
    other = next(t for t in h.tribunals if t.town_id != town)
    judge = Actor.of(h, h.people_of(other.id, role="judge")[0].id, "judge")
    grid = next(g for g in h.units_at(Level.GRID) if h.town_of(g.id).id == town)  # type: ignore[union-attr]
    worker = Actor.of(h, h.people_of(grid.id, role="grid_worker")[0].id, "grid_worker")
    case = engine.open("dispute", case_id="D1", trigger="report", actor=worker,
                       at=open_case(build_world(), "dispute").opened_at, location_id=grid.id,
                       category="land", parties=BOTH)  # fmt: skip
    room = Actor.of(h, h.people_of(h.command_room_of(town).id)[0].id)
    for trigger, data in (("triage", {"tier": "complex"}), ("start_mediation", {}),
                          ("reach_agreement", {"terms": "x"})):  # fmt: skip
        case = engine.apply(case, trigger, actor=room, at=case.last.at + HOUR, **data)
    with pytest.raises(GuardFailedError) as info:
        engine.apply(case, "apply_confirmation", actor=judge, at=case.last.at + HOUR,
                     applicants=BOTH)  # fmt: skip
    assert info.value.guard == "court_serves_case"


def test_application_is_joint_and_within_thirty_days(world: World) -> None:
    """Point 1: both parties apply together, within 30 days of the agreement."""
    case = agreed(world)
    for applicants in (("张三",), ("张三", "王五"), ("张三", "李四", "王五"), ("张三", "张三")):
        error = refused_as(world, case, GuardFailedError, "apply_confirmation", "judge",
                        applicants=applicants)  # fmt: skip
        assert error.guard == "joint_application"  # type: ignore[attr-defined]
    refused_as(world, case, MissingDataError, "apply_confirmation", "judge")
    for bad in (None, 3, float("nan"), ""):
        with pytest.raises(TransitionError):
            fire_as(world, case, "apply_confirmation", "judge", applicants=bad)
    late = refused_as(world, case, GuardFailedError, "apply_confirmation", "judge",
                   delay=31 * DAY, applicants=BOTH)  # fmt: skip
    assert late.guard == "within_confirmation_window"  # type: ignore[attr-defined]


def test_a_dispute_without_two_parties_cannot_apply(world: World) -> None:
    """Point 1: with no named parties there is no joint application."""
    case = world.engine.open("dispute", case_id="D2", trigger="report", actor=world["worker"],
                             at=open_case(world, "dispute").opened_at, location_id=world.grid,
                             category="land")  # fmt: skip
    case = fire_as(world, case, "triage", "operator", tier="simple")
    case = fire_as(world, case, "start_mediation", "cadre")
    case = fire_as(world, case, "reach_agreement", "cadre", terms="t")
    refused_as(world, case, GuardFailedError, "apply_confirmation", "judge", applicants=BOTH)


def test_the_venue_is_a_shared_court_of_the_town(world: World) -> None:
    """Point 1: the shared court 共享法庭 named must be one of the dispute's town."""
    case = agreed(world)
    venue = world.h.shared_courts_of(world.grid)[0].id
    other = world.h.shared_courts_of(world.other_grid)[0].id
    for bad in (other, world.town, world.h.courts[0].id, "nowhere"):
        error = refused_as(world, case, GuardFailedError, "apply_confirmation", "judge",
                        applicants=BOTH, venue=bad)  # fmt: skip
        assert error.guard == "venue_fits"  # type: ignore[attr-defined]
    applied = fire_as(world, case, "apply_confirmation", "judge", applicants=BOTH, venue=venue)
    assert applied.last.get("venue") == venue


def test_refusal_leads_to_re_mediation_or_litigation(world: World) -> None:
    """Point 1: 驳回 needs a reason; then mediate again, or go to litigation."""
    applied = fire_as(world, agreed(world), "apply_confirmation", "judge", applicants=BOTH)
    refused_as(world, applied, MissingDataError, "refuse_confirmation", "judge")
    refused_as(world, applied, RoleNotAllowedError, "refuse_confirmation", "cadre", reason="r")
    rejected = fire_as(world, applied, "refuse_confirmation", "judge", reason="违反法律规定")
    assert (rejected.state, world.engine.lifecycle("dispute").state(rejected.state).label.zh) == (
        "confirmation_refused",
        "驳回",
    )
    refused_as(world, rejected, InvalidTransitionError, "complete", "cadre")
    again = fire_as(world, rejected, "start_mediation", "cadre", note="重新调解")
    assert again.state == "people_mediation"
    sued = fire_as(world, rejected, "refer_litigation", "cadre", reason="起诉")
    assert sued.state == "litigation"
    assert fire_as(world, sued, "complete", "cadre").state == "completed"


# --------------------------------------------------------------------------- point 2: parties


def evaluated_ready(world: World) -> Case:
    """A simple dispute completed, reviewed and analysed."""
    case = fire_as(world, agreed(world), "complete", "cadre")
    case = fire_as(world, case, "review", "centre")
    return fire_as(world, case, "analyse", "centre")


def test_each_party_is_called_back_and_evaluates(world: World) -> None:
    """Point 2: 回访 of each party (1-5 stars); the evaluation closes once all are called."""
    case = evaluated_ready(world)
    refused_as(world, case, GuardFailedError, "evaluate", "operator")
    refused_as(world, case, RoleNotAllowedError, "revisit", "worker", party="张三", stars=5)
    refused_as(world, case, RoleNotAllowedError, "evaluate", "worker")
    for bad in ("王五", "张三 "):
        refused_as(world, case, GuardFailedError, "revisit", "operator", party=bad, stars=5)
    refused_as(world, case, InvalidDataError, "revisit", "operator", party="", stars=5)
    for stars in (0, 6, True, 4.5, "5", None):
        with pytest.raises(TransitionError):
            fire_as(world, case, "revisit", "operator", party="张三", stars=stars)
    case = fire_as(world, case, "revisit", "operator", party="张三", stars=2, comment="太慢")
    refused_as(world, case, GuardFailedError, "revisit", "centre", party="张三", stars=5)
    refused_as(world, case, GuardFailedError, "evaluate", "centre")
    case = fire_as(world, case, "revisit", "centre", party="李四", stars=5)
    assert revisited_parties(case) == Counter(BOTH)
    assert fire_as(world, case, "evaluate", "operator").state == "evaluated"


def test_the_grid_worker_no_longer_evaluates(world: World) -> None:
    """Point 2: before, the reporting grid worker gave the stars; now only a 回访 does."""
    definition = world.engine.lifecycle("dispute")
    assert "grid_worker" not in definition.transition("analysed", "evaluate").roles  # type: ignore[union-attr]
    assert definition.trigger("revisit").kind.value == "evaluate"  # type: ignore[union-attr]


def test_triage_may_rename_the_parties(world: World) -> None:
    """Point 2: the parties named at screening replace those of the report (two or more)."""
    case = open_case(world, "dispute")
    refused_as(
        world, case, GuardFailedError, "triage", "operator", tier="simple", parties=("王五",)
    )
    case = fire_as(world, case, "triage", "operator", tier="simple", parties=("王五", "赵六"))
    assert case.parties == ("王五", "赵六")
    assert world.engine.replay(case.history) == case


# --------------------------------------------------------------------------- point 3: mediators


@pytest.mark.parametrize("mediator", ["worker", "mediator", "cadre"])
def test_grid_workers_and_village_mediators_mediate(world: World, mediator: str) -> None:
    """Point 3: the grid worker, the mediation committee and cadres mediate a village case."""
    case = agreed(world, mediator=mediator)
    assert case.state == "agreement"
    assert fire_as(world, case, "complete", mediator).state == "completed"


def test_mediators_act_only_where_the_dispute_is_held(world: World) -> None:
    """Point 3: a worker of another grid, or a town sage on a village case, are refused."""
    case = fire_as(world, open_case(world, "dispute"), "triage", "operator", tier="simple")
    for actor in ("sibling_worker", "other_worker", "town_sage"):
        error = refused_as(world, case, GuardFailedError, "start_mediation", actor)
        assert error.guard == "mediator_in_place"  # type: ignore[attr-defined]
    town_case = fire_as(world, open_case(world, "dispute"), "triage", "operator", tier="complex")
    for actor in ("worker", "mediator", "cadre"):
        refused_as(world, town_case, GuardFailedError, "start_mediation", actor)
    assert fire_as(world, town_case, "start_mediation", "town_sage").state == "people_mediation"


def test_new_roles_are_labelled() -> None:
    """Point 3: the mediator roles carry their Chinese labels."""
    from ruian_governance.models import BUILTIN_ROLES

    assert BUILTIN_ROLES["mediation_committee_member"].label.zh == "人民调解委员会调解员"
    assert BUILTIN_ROLES["village_sage"].label.zh == "新乡贤"
    assert BUILTIN_ROLES["judge"].label.zh == "法官"


# --------------------------------------------------------------------------- point 4: task forces


def test_a_town_task_force_under_the_town_leader(world: World) -> None:
    """Point 4: stations and villages of the town under its leader form a 专班."""
    case = fire_as(world, open_case(world, "dispute"), "triage", "operator", tier="complex")
    case = fire_as(world, case, "start_mediation", "operator")
    leader = world["town_leader"].person_id
    station = world["judicial"].unit_id
    other_station = world["other_police"].unit_id
    for data in (
        {"commander": world["other_leader"].person_id, "members": (station,)},
        {"commander": world["worker"].person_id, "members": (station,)},
        {"commander": leader, "members": (other_station,)},
        {"commander": leader, "members": (world.grid,)},
        {"commander": leader, "members": (station, station)},
        {"commander": leader},
    ):
        refused_as(world, case, GuardFailedError, "form_task_force", "operator", **data)
    case = fire_as(world, case, "form_task_force", "operator", commander=leader,
                members=(station, world.village))  # fmt: skip
    assert set(case.assignees) == {station, world.village, world.town}
    case = fire_as(world, case, "draft_strategy", "town_leader", strategy="一案一策")
    case = fire_as(world, case, "record_progress", "judicial", note="走访")
    case = fire_as(world, case, "record_progress", "cadre", note="村里协助")
    refused_as(world, case, JurisdictionError, "record_progress", "police", note="not a member")


def test_a_difficult_dispute_needs_a_leader_who_owns_it(world: World) -> None:
    """Point 4: 领导包案 — a difficult dispute is completed only once a leader owns it."""
    case = fire_as(world, open_case(world, "dispute"), "triage", "operator", tier="difficult")
    case = fire_as(world, case, "start_mediation", "centre")
    case = fire_as(world, case, "reach_agreement", "centre", terms="t")
    error = refused_as(world, case, GuardFailedError, "complete", "centre")
    assert error.guard == "leader_if_difficult"  # type: ignore[attr-defined]
    case = fire_as(world, open_case(world, "dispute"), "triage", "operator", tier="difficult")
    for bad in (world["town_leader"].person_id, world["worker"].person_id, "nobody", world.town):
        refused_as(world, case, GuardFailedError, "assign_leader", "centre", leader=bad)
    refused_as(world, case, MissingDataError, "assign_leader", "centre")
    case = fire_as(world, case, "assign_leader", "centre", leader=world["city_leader"].person_id)
    assert case_leader(case) == world["city_leader"].person_id
    case = fire_as(world, case, "start_mediation", "centre")
    case = fire_as(world, case, "reach_agreement", "centre", terms="t")
    assert fire_as(world, case, "complete", "centre").state == "completed"


# --------------------------------------------------------------------------- point 5: supervision


def test_supervision_and_analysis_in_any_open_state(world: World) -> None:
    """Point 5: the centre and 政法委 record 监管 / 研判 while a dispute is handled."""
    case = open_case(world, "dispute")
    for step in (
        lambda c: c,
        lambda c: fire_as(world, c, "triage", "operator", tier="simple"),
        lambda c: fire_as(world, c, "start_mediation", "cadre"),
        lambda c: fire_as(world, c, "reach_agreement", "cadre", terms="t"),
        lambda c: fire_as(world, c, "apply_confirmation", "judge", applicants=BOTH),
        lambda c: fire_as(world, c, "refuse_confirmation", "judge", reason="r"),
    ):
        case = step(case)
        state = case.state
        case = fire_as(world, case, "review", "overseer", note="全程监管")
        case = fire_as(world, case, "analyse", "centre", finding="风险研判")
        assert case.state == state
    refused_as(world, case, RoleNotAllowedError, "analyse", "operator", finding="no")
    refused_as(world, case, RoleNotAllowedError, "review", "worker")


def test_a_refused_court_command_leaves_the_store_unchanged(world: World) -> None:
    """Refusals change nothing in a store either (issue 13, points 1 and 2)."""
    store = MemoryCaseStore(world.engine)
    case = store.add(agreed(world))
    with pytest.raises(GuardFailedError):
        store.apply(case.id, case.version, "apply_confirmation", actor=world["judge"],
                    at=case.last.at + HOUR, applicants=("张三",))  # fmt: skip
    with pytest.raises(InvalidDataError):
        store.apply(case.id, case.version, "apply_confirmation", actor=world["judge"],
                    at=case.last.at + HOUR, applicants=BOTH, venue=5)  # fmt: skip
    assert store.get(case.id) is case


def test_courts_survive_a_document_round_trip() -> None:
    """Point 1: the hierarchy's courts, tribunals and shared courts are written and read."""
    from ruian_governance.io import from_document, to_document

    h = generate_hierarchy(towns=2, villages=2, grids=2, micro_grids=0)
    assert all((h.courts, h.tribunals, h.shared_courts))
    assert from_document(to_document(h), Hierarchy) == h


def test_a_redacted_dispute_still_verifies(world: World) -> None:
    """Points 1-2: applicants and called-back parties are personal data; masked, it replays."""
    from ruian_governance.io import redact

    case = fire_as(world, agreed(world), "apply_confirmation", "judge", applicants=BOTH)
    case = fire_as(world, case, "confirm", "judge")
    case = fire_as(world, case, "review", "centre")
    case = fire_as(world, case, "analyse", "centre")
    for party in BOTH:
        case = fire_as(world, case, "revisit", "operator", party=party, stars=4)
    case = fire_as(world, case, "evaluate", "operator")
    masked = redact(case)
    texts = [str(v) for r in masked.history for _, v in r.data]
    assert not any(name in text for name in BOTH for text in texts)
    assert world.engine.replay(masked.history).state == "evaluated"
