"""Disputes 矛盾纠纷: triage, the mediation ladder, escalation, task forces, the library."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from ruian_governance import Case, Level, MemoryCaseStore
from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import (
    GuardFailedError,
    InvalidDataError,
    InvalidTransitionError,
    JurisdictionError,
    MissingDataError,
)
from ruian_governance.lifecycles import MEDIATION_LADDER
from world import DAY, HOUR, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def fire(
    world: World, case: Case, trigger: str, actor: str, delay: timedelta = HOUR, **data: object
) -> Case:
    """Fire ``trigger`` as ``actor`` some time after the case's last record."""
    return world.engine.apply(case, trigger, actor=world[actor], at=case.last.at + delay, **data)  # type: ignore[arg-type]


def triaged(world: World, tier: str) -> Case:
    """A dispute reported in the world's grid and triaged to ``tier``."""
    return fire(world, open_case(world, "dispute"), "triage", "operator", tier=tier)


def test_simple_dispute_happy_path_through_the_seven_stages(world: World) -> None:
    """筛选-流转-处置-办结-监管-研判-评价: a simple dispute is mediated in its village."""
    case = open_case(world, "dispute")
    assert (case.state, case.unit_id, case.parties) == ("screening", world.town, ("张三", "李四"))
    case = fire(world, case, "triage", "operator", tier="simple")
    assert (case.state, case.unit_id, case.severity) == ("transferred", world.village, "simple")
    assert case.due_at == case.last.at.replace(hour=0, minute=0) + 2 * DAY
    case = fire(world, case, "start_mediation", "cadre")
    case = fire(world, case, "reach_agreement", "cadre", terms="rebuild the wall together")
    case = fire(world, case, "complete", "cadre")
    case = fire(world, case, "review", "centre")
    case = fire(world, case, "analyse", "centre", finding="boundary disputes rising")
    case = fire(world, case, "revisit", "operator", party="张三", stars=4)
    case = fire(world, case, "revisit", "operator", party="李四", stars=5)
    case = fire(world, case, "evaluate", "operator")
    assert case.state == "evaluated"
    stages = [world.engine.lifecycle("dispute").state(r.dest).label.zh for r in case.history]
    assert stages == [
        "筛选", "流转", "人民调解", "调解协议", "办结", "监管", "研判", "研判", "研判", "评价",
    ]  # fmt: skip
    assert world.engine.replay(case.history) == case


@pytest.mark.parametrize(
    ("tier", "level"),
    [("simple", Level.VILLAGE), ("complex", Level.TOWN), ("difficult", Level.CITY)],
)
def test_triage_sends_each_tier_to_its_level(world: World, tier: str, level: Level) -> None:
    """Simple -> village, complex -> town, difficult -> city (领导包案)."""
    case = triaged(world, tier)
    assert world.h.unit(case.unit_id).level is level


def test_unknown_tier_is_refused(world: World) -> None:
    """A tier outside simple / complex / difficult fails the tier guard."""
    with pytest.raises(GuardFailedError) as info:
        triaged(world, "trivial")
    assert info.value.guard == "tier_known"


def test_mediation_ladder_one_rung_at_a_time(world: World) -> None:
    """人民调解 -> 行政/专业调解 -> 诉前调解 -> 诉讼; no rung can be skipped."""
    case = fire(world, triaged(world, "simple"), "start_mediation", "cadre")
    with pytest.raises(InvalidTransitionError):
        fire(world, case, "refer_litigation", "cadre", reason="skip")
    seen = [case.state]
    case = fire(world, case, "next_mediation", "cadre", reason="no agreement")
    seen.append(case.state)
    case = fire(world, case, "next_mediation", "cadre", reason="no agreement")
    seen.append(case.state)
    case = fire(world, case, "refer_litigation", "cadre", reason="last resort")
    seen.append(case.state)
    assert tuple(seen) == MEDIATION_LADDER
    assert fire(world, case, "complete", "cadre", outcome="filed in court").state == "completed"


def test_escalation_goes_one_level_at_a_time_and_stops_at_the_city(world: World) -> None:
    """Village -> town -> city, each by one escalate; the village cannot act after it moves."""
    case = fire(world, triaged(world, "simple"), "start_mediation", "cadre")
    case = fire(world, case, "escalate", "cadre", reason="beyond the village")
    assert case.unit_id == world.town
    with pytest.raises(GuardFailedError) as refused:
        fire(world, case, "escalate", "cadre", reason="again")
    assert refused.value.guard == "mediator_in_place"
    case = fire(world, case, "escalate", "judicial", reason="beyond the town")
    assert case.unit_id == world.h.city.id
    with pytest.raises(GuardFailedError) as info:
        fire(world, case, "escalate", "centre", reason="no higher level")
    assert info.value.guard == "below_city"


def test_an_escalated_dispute_takes_the_deadline_of_the_level_that_holds_it(
    world: World,
) -> None:
    """Finding 14: a simple village dispute escalated is due as the new level's tier, from then.

    Before, it kept the one-day deadline of the village and was overdue at once at the city.
    """
    deadlines = world.engine.lifecycle("dispute").deadlines
    case = fire(world, triaged(world, "simple"), "start_mediation", "cadre")
    escalated_at = case.last.at + 3 * DAY  # the one-day deadline has long passed
    assert case.due_at is not None
    assert escalated_at > case.due_at
    case = fire(world, case, "escalate", "cadre", delay=3 * DAY, reason="beyond the village")
    assert (case.unit_id, case.severity) == (world.town, "complex")
    assert case.due_at == deadlines.due("complex", escalated_at)
    assert world.engine.overdue([case], escalated_at) == ()
    case = fire(world, case, "escalate", "judicial", delay=DAY, reason="beyond the town")
    assert (case.unit_id, case.severity) == (world.h.city.id, "difficult")
    assert case.due_at == deadlines.due("difficult", case.last.at)
    assert world.engine.verify(attrs.evolve(case)) == case


def test_in_a_simulated_city_escalated_disputes_are_due_from_their_escalation() -> None:
    """Finding 14: in a simulated run, each escalation restarts the deadline of the new tier."""
    from ruian_governance import generate_hierarchy
    from ruian_governance.sim import SimulationConfig, simulate

    hierarchy = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    result = simulate(SimulationConfig(hierarchy=hierarchy, days=28, seed=3,
                                       reports_per_grid_per_day=1.0))  # fmt: skip
    deadlines = {d.key: d for d in result.lifecycles}["dispute"].deadlines
    checked = 0
    for case in result.cases:
        setting = [r for r in case.history if r.trigger in {"triage", "escalate"}]
        if case.lifecycle == "dispute" and setting and setting[-1].trigger == "escalate":
            assert case.severity is not None
            assert case.due_at == deadlines.due(case.severity, setting[-1].at)
            checked += 1
    assert checked > 0


def test_task_force_for_complex_cases(world: World) -> None:
    """专班: a town case gets a commander and departments, who record their progress."""
    village_case = fire(world, triaged(world, "simple"), "start_mediation", "cadre")
    justice = world.department("justice")
    with pytest.raises(GuardFailedError):
        fire(world, village_case, "form_task_force", "operator", commander="commander",
             departments=(justice,))  # fmt: skip
    case = fire(world, triaged(world, "complex"), "start_mediation", "judicial")
    with pytest.raises(GuardFailedError):
        fire(world, case, "form_task_force", "operator", commander=world["worker"].person_id,
             departments=(justice,))  # fmt: skip
    case = fire(world, case, "form_task_force", "operator", commander="commander",
                departments=(justice,))  # fmt: skip
    assert set(case.assignees) == {justice, world.h.centre.id}
    case = fire(world, case, "draft_strategy", "commander", strategy="meet both families")
    case = fire(world, case, "record_progress", "justice", note="claims collected")
    with pytest.raises(JurisdictionError):
        fire(world, case, "record_progress", "court", note="not a member")
    assert case.state == "people_mediation"
    assert [r.trigger for r in case.history][-3:] == [
        "form_task_force", "draft_strategy", "record_progress",
    ]  # fmt: skip


def test_judicial_confirmation_within_thirty_days(world: World) -> None:
    """司法确认: applying within 30 days of the agreement succeeds; after that it is refused."""
    case = fire(world, triaged(world, "simple"), "start_mediation", "cadre")
    agreed = fire(world, case, "reach_agreement", "cadre", terms="pay 5000 yuan")
    both = ("张三", "李四")
    late_error = None
    try:
        fire(world, agreed, "apply_confirmation", "judge", delay=31 * DAY, applicants=both)
    except GuardFailedError as error:
        late_error = error
    assert late_error is not None
    assert late_error.guard == "within_confirmation_window"
    applied = fire(world, agreed, "apply_confirmation", "judge", delay=29 * DAY, applicants=both)
    assert applied.state == "judicial_confirmation"
    confirmed = fire(world, applied, "confirm", "judge", ruling="confirmed")
    assert confirmed.state == "completed"


def test_dismissal_needs_a_reason(world: World) -> None:
    """不予受理 at screening requires a reason and ends the case."""
    case = open_case(world, "dispute")
    with pytest.raises(MissingDataError):
        fire(world, case, "dismiss", "operator")
    assert fire(world, case, "dismiss", "operator", reason="a contract matter").state == "dismissed"


def completed_in_store(
    world: World, store: MemoryCaseStore, case_id: str, category: str, terms: str
) -> Case:
    """Open, mediate and complete a simple dispute through ``store``."""
    engine = world.engine
    case = store.add(
        engine.open(
            "dispute", case_id=case_id, trigger="report", actor=world["worker"],
            at=open_case(world, "dispute").opened_at, location_id=world.grid,
            category=category, parties=("王五", "赵六"),
        )
    )  # fmt: skip
    for trigger, actor, data in (
        ("triage", "operator", {"tier": "simple"}),
        ("start_mediation", "cadre", {}),
        ("reach_agreement", "cadre", {"terms": terms}),
        ("complete", "cadre", {}),
    ):
        case = store.apply(case.id, case.version, trigger, actor=world[actor],
                           at=case.last.at + HOUR, **data)  # fmt: skip
    return case


def test_completed_disputes_join_the_similar_case_library(world: World) -> None:
    """类案库: completed disputes are filed; queries by category, location and keywords."""
    library = SimilarCaseLibrary(world.h)
    store = MemoryCaseStore(world.engine, indexes=[library])
    completed_in_store(world, store, "D1", "land", "重新划定宅基地边界")
    completed_in_store(world, store, "D2", "debt", "分期偿还欠款")
    assert len(library) == 2
    assert [e.case_id for e in library.query(category="land")] == ["D1"]
    assert [e.case_id for e in library.query(location_id=world.town)] == ["D1", "D2"]
    assert [e.case_id for e in library.query(location_id=world.h.towns[1].id)] == []
    assert [e.case_id for e in library.query(keywords=["宅基地"])] == ["D1"]
    assert [e.case_id for e in library.query(keywords=["欠款"], category="land")] == []
    open_one = store.open(
        "dispute", case_id="D3", trigger="report", actor=world["worker"],
        at=open_case(world, "dispute").opened_at, location_id=world.grid, category="land",
    )  # fmt: skip
    assert open_one.id not in library


def test_refused_command_leaves_store_and_library_unchanged(world: World) -> None:
    """A refused command changes neither the stored case nor the library."""
    library = SimilarCaseLibrary(world.h)
    store = MemoryCaseStore(world.engine, indexes=[library])
    case = completed_in_store(world, store, "D9", "land", "围墙纠纷")
    for trigger in ("review", "analyse"):
        case = store.apply("D9", case.version, trigger, actor=world["centre"],
                           at=case.last.at + HOUR)  # fmt: skip
    entry = library.entry("D9")
    assert entry is not None
    assert entry.case is case
    with pytest.raises(InvalidDataError):
        store.apply("D9", case.version, "revisit", actor=world["operator"],
                    at=case.last.at + HOUR, party="王五", stars=9)  # fmt: skip
    assert store.get("D9") is case
    assert library.entry("D9") is entry
    assert len(library) == 1
