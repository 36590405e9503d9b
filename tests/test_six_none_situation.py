"""Six-none villages 六无村社 (issue 13, point 11) and situation analysis 形势分析 (point 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import test_analysis
from ruian_governance import Label, Level, SimulationConfig, generate_hierarchy
from ruian_governance import simulate as run_simulation
from ruian_governance.analysis import (
    SIX_NONE_CRITERIA,
    CaseMatch,
    VillageCriterion,
    situation_analysis,
    six_none_villages,
)
from ruian_governance.errors import AnalysisError, ArgumentError
from test_analysis import T0, H, Kit, event

WEEK = timedelta(days=7)

kit = test_analysis.kit  # the shared fixture: two towns, eight grids, staffed


def _village(kit: Kit, grid: str) -> str:
    return next(u.id for u in kit.h.ancestors(grid) if u.level is Level.VILLAGE)


def test_a_village_with_a_major_public_order_case_does_not_qualify(kit: Kit) -> None:
    """13.11: a major criminal case fails 无重大刑事案件; every other village qualifies."""
    g0, g1 = kit.grid(0), kit.grid(1)
    bad = event(kit, "M1", g0, escalated=True)  # public_order, severity major
    fine = event(kit, "F1", g1, close_after=5 * H, stars=5)
    (period,) = six_none_villages([bad, fine], kit.h, start=T0, period=WEEK)
    villages = [v.id for v in kit.h.units_at(Level.VILLAGE)]
    assert [v.village_id for v in period.villages] == villages
    failed = {v.village_id: dict(v.failed) for v in period.villages if not v.qualified}
    assert failed == {_village(kit, g0): {"no_major_criminal_case": 1}}
    assert _village(kit, g0) not in period.qualifying
    assert set(period.qualifying) == set(villages) - {_village(kit, g0)}
    assert (period.start, period.end) == (T0, T0 + WEEK)


def test_six_none_is_per_period_and_criteria_are_configuration(kit: Kit) -> None:
    """13.11: each period counts its own cases; a custom criterion and threshold apply."""
    g0 = kit.grid(0)
    late = [event(kit, f"L{i}", g0, opened=T0 + i * WEEK, close_after=timedelta(days=10))
            for i in range(2)]  # fmt: skip
    strict = VillageCriterion(
        key="no_late", label=Label(en="no late case", zh="无超期"),
        match=CaseMatch(overdue=True), threshold=1,
    )  # fmt: skip
    first, second, third = six_none_villages(
        late, kit.h, start=T0, period=WEEK, periods=3, criteria=[strict]
    )
    village = _village(kit, g0)
    assert village not in first.qualifying
    assert village not in second.qualifying
    assert village in third.qualifying
    lenient = VillageCriterion(key="no_late", label=strict.label, match=strict.match, threshold=2)
    (whole,) = six_none_villages(late, kit.h, start=T0, period=3 * WEEK, criteria=[lenient])
    assert village not in whole.qualifying
    assert len(SIX_NONE_CRITERIA) == 6


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"start": T0.replace(tzinfo=None)}, ArgumentError),
        ({"period": timedelta(0)}, AnalysisError),
        ({"periods": 0}, AnalysisError),
        ({"periods": 1.5}, AnalysisError),
        ({"criteria": "no_major"}, AnalysisError),
        ({"criteria": [SIX_NONE_CRITERIA[0], SIX_NONE_CRITERIA[0]]}, AnalysisError),
        ({"criteria": [None]}, AnalysisError),
    ],
)
def test_bad_six_none_arguments_are_refused(kit: Kit, kwargs, error) -> None:  # type: ignore[no-untyped-def]
    """13.11: bad periods and criteria raise typed errors."""
    args = {"start": T0, **kwargs}
    with pytest.raises(error):
        six_none_villages([], kit.h, **args)


@pytest.mark.parametrize(
    "build",
    [
        lambda: VillageCriterion(key="a b", label=Label(en="a", zh="a"), match=CaseMatch()),
        lambda: VillageCriterion(key="a", label="a", match=CaseMatch()),
        lambda: VillageCriterion(key="a", label=Label(en="a", zh="a"), match=None),
        lambda: VillageCriterion(key="a", label=Label(en="a", zh="a"), match=CaseMatch(),
                                 threshold=0),
    ],
)  # fmt: skip
def test_bad_criteria_are_refused(build) -> None:  # type: ignore[no-untyped-def]
    """13.11: a criterion checks its fields."""
    with pytest.raises(AnalysisError):
        build()


def test_weekly_situation_analysis_counts_trends_risks_and_overdue(kit: Kit) -> None:
    """13.13: opened/closed per week, the change, on time, risk disputes and overdue hazards."""
    g0 = kit.grid(0)
    week1 = [event(kit, f"A{i}", g0, close_after=5 * H) for i in range(3)]
    week2 = [event(kit, "B0", g0, opened=T0 + WEEK, close_after=timedelta(days=10))]
    first, second = situation_analysis([*week1, *week2], kit.h, start=T0, weeks=2)
    assert first.opened["event"] == 3
    assert first.change["event"] == 3  # nothing the week before
    assert second.opened["event"] == 1
    assert second.change["event"] == -2
    assert first.closed["event"] == 3
    assert first.on_time.count == first.on_time.total == 3
    assert second.closed["event"] == 0  # closed ten days later, in the next window
    assert (first.risk_disputes, first.overdue_hazards) == ((), ())


def test_situation_analysis_of_a_run_names_open_risks_and_hazards() -> None:
    """13.13: on a simulated run, the listed ids are open at the window's end and of their kind."""
    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    run = run_simulation(SimulationConfig(hierarchy=h, days=70, seed=3))
    start = min(c.opened_at for c in run.cases)
    weeks = situation_analysis(run.cases, h, start=start, weeks=10, lifecycles=run.lifecycles)
    assert weeks == situation_analysis(
        run.cases, h, start=start, weeks=10, lifecycles=run.lifecycles
    )  # deterministic
    by_id = {c.id: c for c in run.cases}
    hazards = [i for w in weeks for i in w.overdue_hazards]
    assert hazards
    for week in weeks:
        for case_id in week.overdue_hazards:
            case = by_id[case_id]
            assert case.lifecycle == "hazard"
            assert case.due_at is not None
            assert case.due_at <= week.end
        for case_id in week.risk_disputes:
            assert by_id[case_id].severity in {"complex", "difficult"}
    assert sum(sum(w.opened.values()) for w in weeks) == len(run.cases)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"start": T0.replace(tzinfo=None)}, ArgumentError),
        ({"weeks": 0}, AnalysisError),
        ({"weeks": True}, AnalysisError),
        ({"window": timedelta(seconds=-1)}, AnalysisError),
        ({"risk": "dispute"}, AnalysisError),
    ],
)
def test_bad_situation_arguments_are_refused(kit: Kit, kwargs, error) -> None:  # type: ignore[no-untyped-def]
    """13.13: bad windows and risk rules raise typed errors."""
    args = {"start": T0, **kwargs}
    with pytest.raises(error):
        situation_analysis([], kit.h, **args)
