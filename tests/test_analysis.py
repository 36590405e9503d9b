"""Analysis 研判 over small hand-made case sets with known answers, and planted hotspots."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    Actor,
    Case,
    Engine,
    Hierarchy,
    Level,
    SimulationConfig,
    generate_hierarchy,
    simulate,
)
from ruian_governance.analysis import (
    AssessmentWeights,
    Rate,
    bundled_assessment,
    closed_at,
    escalation_rate,
    hotspots,
    on_time_rate,
    poisson_upper_tail,
    repeat_incidents,
    return_rate,
    satisfaction,
    similar_disputes,
    summarise,
    time_to_close,
    volumes,
)
from ruian_governance.errors import AnalysisError
from ruian_governance.presets import with_staff
from ruian_governance.sim import PlantedHotspot

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
H = timedelta(hours=1)


@attrs.frozen
class Kit:
    """A tiny hierarchy, its engine and a few actors."""

    h: Hierarchy
    engine: Engine

    def actor(self, unit_id: str, role: str) -> Actor:
        """The first person in ``role`` at ``unit_id``."""
        return Actor(
            person_id=self.h.people_of(unit_id, role=role)[0].id, role=role, unit_id=unit_id
        )

    def grid(self, town: int, k: int = 0) -> str:
        """The ``k``-th grid of the ``town``-th town."""
        town_id = self.h.towns[town].id
        return [g.id for g in self.h.units_at(Level.GRID) if self.h.town_of(g.id).id == town_id][k]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def kit() -> Kit:
    """Two towns, eight grids, staffed for disputes."""
    h = with_staff(
        generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0), id_prefix="sim."
    )
    return Kit(h=h, engine=Engine(h))


def event(
    kit: Kit,
    case_id: str,
    grid: str,
    *,
    opened: datetime = T0,
    category: str = "public_order",
    close_after: timedelta | None = None,
    stars: int | None = None,
    returned: bool = False,
    escalated: bool = False,
) -> Case:
    """An event driven through the closed loop; closed ``close_after`` after opening."""
    e, h = kit.engine, kit.h
    town = h.town_of(grid).id  # type: ignore[union-attr]
    worker = kit.actor(grid, "grid_worker")
    operator = kit.actor(h.command_room_of(town).id, "command_room_operator")
    station = h.stations_of(town, station_kind="police_station")[0].id
    officer = kit.actor(station, "station_officer")
    severity = "major" if escalated else "ordinary"
    case = e.open("event", case_id=case_id, trigger="report", actor=worker, at=opened,
                  location_id=grid, category=category, severity=severity)  # fmt: skip
    case = e.apply(case, "accept", actor=operator, at=opened + H)
    if escalated:
        return e.apply(case, "escalate", actor=operator, at=opened + H, reason="重大")
    if returned:
        case = e.apply(case, "dispatch", actor=operator, at=opened + H, units=(station,))
        case = e.apply(case, "return", actor=officer, at=opened + H, reason="非本单位职责")
    case = e.apply(case, "dispatch", actor=operator, at=opened + 2 * H, units=(station,))
    if close_after is None:
        return case
    case = e.apply(case, "sign", actor=officer, at=opened + 2 * H)
    case = e.apply(case, "start", actor=officer, at=opened + 2 * H)
    case = e.apply(case, "feed_back", actor=officer, at=opened + 3 * H, result="ok")
    case = e.apply(case, "verify", actor=worker, at=opened + 3 * H)
    case = e.apply(case, "close", actor=operator, at=opened + close_after)
    if stars is not None:
        case = e.apply(case, "evaluate", actor=worker, at=opened + close_after, stars=stars)
    return case


def test_rates_on_a_hand_made_set(kit: Kit):
    """On-time, satisfaction, return and escalation rates count exactly what they say."""
    g = kit.grid(0)
    cases = [
        event(kit, "E1", g, close_after=5 * H, stars=5),  # on time, happy
        event(kit, "E2", g, close_after=timedelta(days=10), stars=2),  # late, unhappy
        event(kit, "E3", g, close_after=6 * H, stars=4, returned=True),  # on time, returned
        event(kit, "E4", g),  # open
        event(kit, "E5", g, escalated=True),  # escalated, open
    ]
    assert on_time_rate(cases) == Rate(count=2, total=3)
    assert satisfaction(cases) == Rate(count=2, total=3)
    assert return_rate(cases) == Rate(count=1, total=4)
    assert escalation_rate(cases) == Rate(count=1, total=5)
    assert closed_at(cases[0]) == T0 + 5 * H
    assert closed_at(cases[3]) is None
    spans = time_to_close(cases, percentiles=(50, 100))
    assert spans == {50: 6 * H, 100: timedelta(days=10)}


def test_bad_percentile_is_refused():
    """A percentile outside (0, 100] raises AnalysisError naming the argument."""
    with pytest.raises(AnalysisError) as info:
        time_to_close([], percentiles=(0,))
    assert info.value.argument == "percentiles"


def test_volumes_by_town_station_platform_category_and_window(kit: Kit):
    """Volumes count each case in its window under each key."""
    g0, g1 = kit.grid(0), kit.grid(1)
    cases = [
        event(kit, "V1", g0, opened=T0),
        event(kit, "V2", g0, opened=T0 + timedelta(days=8), category="petition"),
        event(kit, "V3", g1, opened=T0 + timedelta(days=1)),
    ]
    towns = [t.id for t in kit.h.towns]
    by_town = volumes(cases, "town", start=T0, hierarchy=kit.h)
    assert by_town.counts == {towns[0]: (1, 1), towns[1]: (1, 0)}
    assert by_town.windows == (T0, T0 + timedelta(days=7))
    by_category = volumes(cases, "category", start=T0, window=timedelta(days=14))
    assert by_category.counts == {"petition": (1,), "public_order": (2,)}
    assert by_category.totals() == {"public_order": 2, "petition": 1}
    stations = volumes(cases, "station", start=T0, hierarchy=kit.h, windows=1)
    assert stations.counts == {
        f"{towns[0]}.station.police_station": (1,),
        f"{towns[1]}.station.police_station": (1,),
    }
    platforms = volumes(cases, "platform", start=T0, hierarchy=kit.h).totals()
    assert platforms == {
        f"{towns[0]}.platform.comprehensive_governance": 2,
        f"{towns[1]}.platform.comprehensive_governance": 1,
    }
    with pytest.raises(AnalysisError):
        volumes(cases, "colour", start=T0)
    with pytest.raises(AnalysisError):
        volumes(cases, "town", start=T0)  # needs the hierarchy


def test_poisson_upper_tail_matches_the_definition():
    """P(X >= k) equals 1 - sum of the pmf below k, for small and large tails."""
    import math

    for mu in (0.3, 2.0, 9.5):
        for k in range(15):
            direct = 1 - sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k))
            assert poisson_upper_tail(k, mu) == pytest.approx(direct, abs=1e-12)
    assert 0 < poisson_upper_tail(60, 1.0) < 1e-60


def test_hotspot_test_finds_a_planted_hotspot_and_nothing_in_a_uniform_city():
    """A grid with 10x the city's rate of one category is found; a uniform city has none."""
    h = generate_hierarchy(towns=2, villages=8, grids=40, micro_grids=0, seed=4)
    hot_grid = h.units_at(Level.GRID)[5].id
    base = SimulationConfig(hierarchy=h, days=28, seed=3, reports_per_grid_per_day=1.0)
    uniform = simulate(base)
    assert hotspots(uniform.cases, uniform.hierarchy) == ()
    planted = simulate(
        attrs.evolve(
            base, hotspots=(PlantedHotspot(unit_id=hot_grid, category="petition", factor=10),)
        )
    )
    found = hotspots(planted.cases, planted.hierarchy)
    assert [(f.unit_id, f.category) for f in found] == [(hot_grid, "petition")]
    assert found[0].ratio > 3
    assert found[0].adjusted <= 0.05
    strict = hotspots(planted.cases, planted.hierarchy, correction="bonferroni")
    assert [(f.unit_id, f.category) for f in strict] == [(hot_grid, "petition")]
    village = h.units_at(Level.VILLAGE)[6].id
    spread = simulate(
        attrs.evolve(
            base, hotspots=(PlantedHotspot(unit_id=village, category="road_occupation", factor=4),)
        )
    )
    by_village = hotspots(spread.cases, spread.hierarchy, level=Level.VILLAGE)
    assert [(f.unit_id, f.category) for f in by_village] == [(village, "road_occupation")]


def test_hotspots_refuse_bad_arguments(kit: Kit):
    """Another level, correction or alpha raises AnalysisError."""
    for kwargs in ({"level": Level.TOWN}, {"correction": "holm"}, {"alpha": 1.5}):
        with pytest.raises(AnalysisError):
            hotspots([], kit.h, **kwargs)  # type: ignore[arg-type]


def test_repeat_incidents_chain_within_the_window(kit: Kit):
    """Three cases a few days apart at one grid form one run; a late fourth starts another."""
    g = kit.grid(0)
    days = (0, 3, 6, 30)
    cases = [event(kit, f"R{i}", g, opened=T0 + timedelta(days=d)) for i, d in enumerate(days)]
    cases.append(event(kit, "R9", kit.grid(1), opened=T0))
    found = repeat_incidents(cases, within=timedelta(days=4))
    assert [r.case_ids for r in found] == [("R0", "R1", "R2")]
    assert found[0].location_id == g
    assert repeat_incidents(cases, within=timedelta(days=2)) == ()
    with pytest.raises(AnalysisError):
        repeat_incidents(cases, min_count=1)


def test_bundled_assessment_scores_towns_with_their_departments(kit: Kit):
    """The better town scores higher; weights are configurable and checked."""
    g0, g1 = kit.grid(0), kit.grid(1)
    good = [event(kit, f"G{i}", g0, close_after=5 * H, stars=5) for i in range(3)]
    bad = [event(kit, f"B{i}", g1, close_after=timedelta(days=10), stars=1) for i in range(3)]
    bad.append(event(kit, "B9", g1, escalated=True))
    result = bundled_assessment([*good, *bad], kit.h)
    first, second = result.towns
    assert first.unit_id == kit.h.towns[0].id
    assert first.score == pytest.approx(100.0)
    assert second.components["on_time"] == 0.0
    assert second.components["no_escalation"] == pytest.approx(0.75)
    assert second.score is not None
    assert second.score < first.score
    only_on_time = bundled_assessment(
        [*good, *bad],
        kit.h,
        weights=AssessmentWeights(
            on_time=1, satisfaction=0, no_return=0, no_escalation=0, hazards_closed=0
        ),
    )
    assert [t.score for t in only_on_time.towns] == [100.0, 0.0]
    with pytest.raises(AnalysisError):
        AssessmentWeights(on_time=-1)
    with pytest.raises(AnalysisError):
        AssessmentWeights(on_time=0, satisfaction=0, no_return=0, no_escalation=0,
                          hazards_closed=0)  # fmt: skip


def test_departments_are_bundled_with_the_towns_they_served():
    """A department's score is the case-weighted mean of the towns whose cases it handled."""
    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    run = simulate(SimulationConfig(hierarchy=h, days=10, seed=5, reports_per_grid_per_day=2.0))
    result = bundled_assessment(run.cases, run.hierarchy)
    scores = {t.unit_id: t.score for t in result.towns}
    assert result.departments
    for dept in result.departments:
        expected = sum(scores[t] * share for t, share in dept.components.items())  # type: ignore[operator]
        assert dept.score == pytest.approx(expected)


def test_similar_disputes_query_the_library(kit: Kit):
    """Completed disputes are found by category, place and keyword; open ones are not."""
    run = simulate(SimulationConfig(hierarchy=kit.h, days=14, seed=2, reports_per_grid_per_day=1.0))
    found = similar_disputes(run.cases, run.hierarchy, category="neighbour_dispute")
    assert found
    assert {e.case_id for e in found} == {
        c.id
        for c in run.cases
        if c.lifecycle == "dispute"
        and c.category == "neighbour_dispute"
        and c.state in {"completed", "reviewed", "analysed", "evaluated"}
    }
    town = kit.h.towns[0].id
    in_town = similar_disputes(run.cases, run.hierarchy, location_id=town, keywords=["调解"])
    assert all(kit.h.town_of(e.location_id).id == town for e in in_town)  # type: ignore[union-attr]
    assert similar_disputes(run.cases, run.hierarchy, keywords=["no such words"]) == ()


def test_summary_is_json_ready(kit: Kit):
    """Summarise returns plain data whose counts add up."""
    import json

    run = simulate(SimulationConfig(hierarchy=kit.h, days=5, seed=1))
    summary = summarise(run.cases, run.hierarchy)
    json.dumps(summary)
    assert summary["cases"] == len(run.cases) == sum(summary["by_lifecycle"].values())
    assert len(summary["assessment"]) == len(kit.h.towns)
