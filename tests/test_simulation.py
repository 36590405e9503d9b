"""The city simulation: determinism, conservation, the 211 cycle, configuration errors."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

import attrs
import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    RULES_2016,
    DataError,
    Engine,
    Hierarchy,
    Level,
    SimulationConfig,
    generate_hierarchy,
    simulate,
)
from ruian_governance.errors import ArgumentError, SimulationConfigError
from ruian_governance.io import read_cases, write_cases
from ruian_governance.lifecycles import HAZARD_LADDER
from ruian_governance.presets import with_staff
from ruian_governance.sim import (
    CYCLE_DAYS,
    INSPECTION_DAYS,
    MAX_FACTOR,
    PlantedHotspot,
    SimulationResult,
    cycle_day,
)
from ruian_governance.sim.queue import DueReport, EventQueue


@pytest.fixture(scope="module")
def tiny() -> Hierarchy:
    """A tiny city: 2 towns, 4 villages, 8 grids."""
    return generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=0)


@pytest.fixture(scope="module")
def config(tiny: Hierarchy) -> SimulationConfig:
    """Two 211 cycles of a busy tiny city."""
    return SimulationConfig(
        hierarchy=tiny, days=2 * CYCLE_DAYS, seed=7, reports_per_grid_per_day=1.0
    )


@pytest.fixture(scope="module")
def result(config: SimulationConfig) -> SimulationResult:
    """The run of ``config``."""
    return simulate(config)


def jsonl(result: SimulationResult) -> str:
    """The run's cases as JSON lines."""
    out = io.StringIO()
    write_cases(result.cases, out)
    return out.getvalue()


def test_same_seed_gives_identical_json_lines(config: SimulationConfig, result: SimulationResult):
    """Determinism: the same configuration and seed give byte-identical JSON lines."""
    assert jsonl(simulate(config)) == jsonl(result)


def test_different_seed_gives_different_output(tiny: Hierarchy, result: SimulationResult):
    """A different seed gives a different run."""
    other = simulate(
        SimulationConfig(hierarchy=tiny, days=2 * CYCLE_DAYS, seed=8, reports_per_grid_per_day=1.0)
    )
    assert jsonl(other) != jsonl(result)


def test_every_report_has_a_case_and_every_history_replays(result: SimulationResult):
    """Conservation: reports == event + dispute cases; every case replays from its history."""
    opened = Counter(c.lifecycle for c in result.cases)
    assert result.reported == opened["event"] + opened["dispute"]
    assert result.reported > 0
    assert opened["hazard"] > 0
    assert result.commands == sum(len(c.history) for c in result.cases)
    engine = Engine(result.hierarchy, result.lifecycles)
    for case in result.cases:
        assert engine.replay(case.history) == case
    assert len({c.id for c in result.cases}) == len(result.cases)


def test_histories_stay_inside_the_simulated_period(result: SimulationResult):
    """Every record falls within [start, start + days) and in time order."""
    for case in result.cases:
        times = [r.at for r in case.history]
        assert times == sorted(times)
        assert result.config.start <= times[0]
        assert times[-1] < result.end


def test_hazards_are_discovered_only_in_the_inspection_fortnight(result: SimulationResult):
    """211 cycle: covert inspections find hazards only on cycle days 0-13."""
    hazards = [c for c in result.cases if c.lifecycle == "hazard"]
    assert hazards
    days = {cycle_day(result.config, c.opened_at) for c in hazards}
    assert days <= set(range(INSPECTION_DAYS))
    assert all(c.history[0].trigger == "find_in_covert_inspection" for c in hazards)


def test_ladder_rungs_and_checks_only_in_the_revisit_fortnight(result: SimulationResult):
    """Ladder rungs and acceptance checks fall on cycle days 14-27, one rung at a time."""
    ladder = set(HAZARD_LADDER)
    rungs = []
    for case in result.cases:
        if case.lifecycle != "hazard":
            continue
        climbed = [r.trigger for r in case.history if r.trigger in ladder]
        assert tuple(climbed) == HAZARD_LADDER[: len(climbed)]
        for record in case.history:
            if record.trigger in ladder | {"pass_check", "fail_check"}:
                rungs.append(record.trigger)
                assert cycle_day(result.config, record.at) >= INSPECTION_DAYS
    assert "circulate" in rungs


def test_the_closed_loop_and_side_paths_all_happen(result: SimulationResult):
    """A busy run exercises the whole closed loop, supervision, escalation and task forces."""
    triggers = Counter(r.trigger for c in result.cases for r in c.history)
    for trigger in (
        "accept",
        "dispatch",
        "sign",
        "return",
        "feed_back",
        "fail_verification",
        "close",
        "evaluate",
        "solve_on_spot",
        "supervise",
        "escalate",
        "form_task_force",
        "reach_agreement",
        "assign",
        "start_rectification",
    ):
        assert triggers[trigger] > 0, trigger
    assert len(result.library) == sum(
        1
        for c in result.cases
        if c.lifecycle == "dispute"
        and c.state in {"completed", "reviewed", "analysed", "evaluated"}
    )


def test_capacity_limits_cases_started_per_station_per_day(tiny: Hierarchy):
    """No station starts more cases in a day than its capacity."""
    run = simulate(
        SimulationConfig(hierarchy=tiny, days=7, seed=2, reports_per_grid_per_day=3.0,
                         station_capacity=2)
    )  # fmt: skip
    starts = Counter(
        (r.actor.unit_id, r.at.date())
        for c in run.cases
        for r in c.history
        if r.trigger == "start" and c.unit_id != run.hierarchy.city.id
    )
    assert starts
    assert max(starts.values()) <= 2


def test_capacity_overrides_by_kind_and_by_id(tiny: Hierarchy):
    """Capacities override the default by station kind, and an id wins over its kind."""
    police = tiny.stations_of(tiny.towns[0].id, station_kind="police_station")[0].id
    run = simulate(
        SimulationConfig(
            hierarchy=tiny,
            days=7,
            seed=2,
            reports_per_grid_per_day=3.0,
            station_capacity=50,
            capacities={"police_station": 1, police: 3},
            category_mix={"public_order": 1.0},
        )
    )
    stations = {s.id for s in tiny.stations if s.station_kind == "police_station"}
    starts = Counter(
        (c.assignees[0], r.at.date())
        for c in run.cases
        for r in c.history
        if r.trigger == "start" and c.assignees[0] in stations
    )
    assert max(n for (unit, _), n in starts.items() if unit != police) == 1
    assert max(n for (unit, _), n in starts.items() if unit == police) == 3
    with pytest.raises(SimulationConfigError):
        SimulationConfig(capacities={"police_station": 0})


def test_cases_round_trip_through_json_lines(result: SimulationResult):
    """write_cases / read_cases give back equal cases."""
    assert tuple(read_cases(io.StringIO(jsonl(result)))) == result.cases


def test_bad_json_line_names_the_line():
    """A line that is not a case raises DataError naming its line number."""
    with pytest.raises(DataError, match="line 2"):
        list(read_cases(io.StringIO('\n{"id": 3}\n')))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days": 0}, "days"),
        ({"reports_per_grid_per_day": -1.0}, "reports_per_grid_per_day"),
        ({"category_mix": {"unicorns": 1.0}}, "category_mix"),
        ({"category_mix": {"petition": 0.0}}, "category_mix"),
        ({"severity_mix": {"huge": 1.0}}, "severity_mix"),
        ({"reject": 1.5}, "reject"),
        ({"station_capacity": 0}, "station_capacity"),
        ({"start": datetime(2025, 3, 3)}, "start"),
    ],
)
def test_bad_config_raises_a_typed_error(changes: dict[str, object], field: str):
    """Each out-of-range setting raises SimulationConfigError naming the field."""
    with pytest.raises(SimulationConfigError) as info:
        SimulationConfig(**changes)  # type: ignore[arg-type]
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_rules_of_another_preset_are_refused(tiny: Hierarchy):
    """2016 rules on a 2021 hierarchy are refused before anything runs."""
    with pytest.raises(SimulationConfigError) as info:
        simulate(SimulationConfig(hierarchy=tiny, rules=RULES_2016, days=1))
    assert info.value.field == "rules"


def test_staffing_adds_cadres_and_a_commander_once(tiny: Hierarchy):
    """with_staff adds the missing posts and is idempotent."""
    staffed = with_staff(tiny, id_prefix="sim.")
    assert len(staffed.people) == len(tiny.people) + 4 + 1
    assert with_staff(staffed, id_prefix="sim.") is staffed
    assert with_staff(staffed) is staffed


def test_progress_is_reported_once_per_day(tiny: Hierarchy):
    """The progress callback sees every day, ending with (days, days)."""
    seen: list[tuple[int, int]] = []
    simulate(
        SimulationConfig(hierarchy=tiny, days=3, seed=1), progress=lambda d, n: seen.append((d, n))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_cycle_day_wraps_every_28_days():
    """cycle_day counts days since the start modulo 28."""
    config = SimulationConfig(start=datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME))
    assert cycle_day(config, config.start + timedelta(days=27, hours=23)) == 27
    assert cycle_day(config, config.start + timedelta(days=28)) == 0


def test_event_queue_runs_in_time_order_and_same_times_in_push_order():
    """Events run by time; events at the same time run in the order they were pushed."""
    t0 = datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME)
    seen: list[object] = []

    def note(at: datetime, payload: object) -> None:
        seen.append((at.hour, payload))

    queue = EventQueue()
    queue.push(t0 + timedelta(hours=2), note, "late")
    queue.push(t0, note, DueReport("g1", "petition"))
    queue.push(t0, note, 7)
    assert [payload for _, _, _, payload in queue.until(t0 + timedelta(hours=1))] == [
        DueReport("g1", "petition"),
        7,
    ]
    assert len(queue) == 1


def test_event_queue_sees_events_pushed_while_running_and_keeps_later_ones():
    """A handler may schedule more events: those before the end run, later ones stay queued."""
    t0 = datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME)
    queue = EventQueue()
    ran: list[int] = []

    def step(at: datetime, n: int) -> None:
        ran.append(n)
        queue.push(at + timedelta(hours=1), step, n + 1)

    queue.push(t0, step, 0)
    for when, _, handler, payload in queue.until(t0 + timedelta(hours=3)):
        handler(when, payload)
    assert ran == [0, 1, 2]
    assert len(queue) == 1


def test_a_hierarchy_without_grid_workers_is_refused(tiny: Hierarchy):
    """A grid nobody works in raises SimulationConfigError naming the hierarchy."""
    no_workers = attrs.evolve(
        tiny,
        people=[p for p in tiny.people if all(q.role != "grid_worker" for q in p.posts)],
    )
    with pytest.raises(SimulationConfigError) as info:
        simulate(SimulationConfig(hierarchy=no_workers, days=1))
    assert info.value.field == "hierarchy"


def test_a_naive_start_is_refused_through_the_shared_check():
    """A naive start raises SimulationConfigError, chained from the shared ArgumentError."""
    with pytest.raises(SimulationConfigError) as info:
        SimulationConfig(start=datetime(2025, 3, 3))
    assert isinstance(info.value.__cause__, ArgumentError)
    assert info.value.__cause__.argument == "start"


@pytest.mark.parametrize(
    "fields",
    [
        {"days": 10**20},
        {"days": 1.5},
        {"days": True},
        {"reports_per_grid_per_day": float("inf")},
        {"reports_per_grid_per_day": 1e300},
        {"hazards_per_town_per_day": float("nan")},
        {"hazard_deadline_days": 10**9},
        {"station_capacity": 0},
        {"capacities": {"police_station": 10**9}},
        {"capacities": ["police_station"]},
        {"category_mix": 5},
        {"severity_mix": None},
        {"hazard_categories": None},
        {"dispute_categories": 3},
        {"hotspots": None},
        {"rules": None},
        {"hierarchy": "瑞安"},
        {"seed": 2**80},
        {"agreement": "0.5"},
    ],
)
def test_a_config_that_would_not_finish_or_is_not_one_is_refused(fields: dict[str, object]):
    """Trust, finding 12 (library side): unbounded or wrongly typed settings are refused.

    An infinite or astronomically large rate, run length, deadline or capacity would never
    finish (the CLI hung on some); wrong types gave raw TypeErrors.  Each is now a
    SimulationConfigError or ArgumentError naming the field.
    """
    with pytest.raises((SimulationConfigError, ArgumentError)):
        SimulationConfig(**fields)  # type: ignore[arg-type]


def test_a_hotspot_factor_must_be_finite_and_bounded():
    """A planted hotspot with an infinite or huge factor is refused (it hung the run)."""
    h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
    grid = h.units_at(Level.GRID)[0].id
    for factor in (float("inf"), float("nan"), -1.0, MAX_FACTOR * 2):
        spot = PlantedHotspot(unit_id=grid, category="food_safety", factor=factor)
        with pytest.raises(SimulationConfigError):
            SimulationConfig(hierarchy=h, hotspots=[spot])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_extension_requests_wait_for_answers_and_respect_the_limits(tiny: Hierarchy, seed: int):
    """No second extension request while one is pending; never more than the limits allow.

    An event back in handling (failed verification, reassignment) asked again, and a region
    run stopped with GuardFailedError ``no_extension_pending`` before this was checked.
    """
    from ruian_governance.lifecycles import EVENT_LIFECYCLE, extensions_granted

    paths = {"joint_meeting": 0.3, "assist_return": 0.05, "reassign": 0.3, "pause": 0.0,
             "extension": 1.0, "extension_refused": 0.0}  # fmt: skip
    run = simulate(
        SimulationConfig(hierarchy=tiny, days=28, seed=seed, reports_per_grid_per_day=2.0,
                         station_capacity=1, event_paths=paths)
    )  # fmt: skip
    policy = EVENT_LIFECYCLE.deadlines
    limit = policy.limits["max_extension"].days
    events = [c for c in run.cases if c.lifecycle == "event"]
    asked = [c for c in events if any(r.trigger == "request_extension" for r in c.history)]
    assert asked
    for case in events:
        count, days = extensions_granted(case)
        assert count <= policy.max_extensions, case.id
        assert days <= limit, case.id
