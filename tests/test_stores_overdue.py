"""The stores' overdue query agrees with ``lifecycles.is_late`` (issue 12, point 3).

A case paused 挂起 within the days granted is not late; one paused past its grant is, and is
listed by ``overdue(now)`` on both stores exactly as ``Engine.overdue`` lists it (the SQLite
store reads its candidates from columns, then checks the paused ones with ``is_late``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_lifecycle_joint
from ruian_governance import EVENT_LIFECYCLE, Case, MemoryCaseStore, SQLiteCaseStore
from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import is_late
from ruian_governance.stores import CaseStore
from world import DAY, T0, World, fire

world = test_lifecycle_joint.world  # the shared fixtures: the test world, a store of each kind
store = test_lifecycle_joint.store


def _handling(world: World, case_id: str) -> Case:
    """An ordinary event in handling 处置 by the police station, under ``case_id``."""
    case = world.engine.open(
        "event", case_id=case_id, trigger="report", actor=world["worker"], at=T0,
        location_id=world.grid, category="noise", severity="ordinary",
    )  # fmt: skip
    case = fire(world, case, "accept", "operator")
    case = fire(world, case, "dispatch", "operator", units=(world.station("police_station"),))
    return fire(world, fire(world, case, "sign", "police"), "start", "police")


def _paused(world: World, days: int, case_id: str) -> tuple[Case, Case]:
    """The case in handling, and it paused 挂起 by the command room for ``days`` working days."""
    case = _handling(world, case_id)
    return case, fire(world, case, "pause", "operator", days=days, reason="等待法院")


def test_a_paused_case_is_late_only_past_its_grant_on_both_stores(
    world: World, store: CaseStore
) -> None:
    """12.3: within the grant not overdue; past the grant overdue; the engine agrees."""
    running, paused = _paused(world, 1, "P1")
    store.add(paused)
    assert running.due_at is not None
    within, past = running.due_at + DAY, running.due_at + 10 * DAY
    assert not is_late(paused, EVENT_LIFECYCLE, within)
    assert is_late(paused, EVENT_LIFECYCLE, past)
    assert store.overdue(within) == ()
    assert store.overdue(past) == (paused,)
    assert store.overdue(past) == world.engine.overdue([paused], past)
    assert store.overdue(running.due_at - DAY) == ()


def test_overdue_lists_running_and_paused_cases_by_deadline(world: World, store: CaseStore) -> None:
    """12.3: late running cases and paused ones past their grant, in deadline order."""
    running, paused = _paused(world, 1, "P1")
    _, long_pause = _paused(world, 20, "P2")
    store.add(paused)
    store.add(long_pause)
    store.add(_handling(world, "P3"))
    assert running.due_at is not None
    at = running.due_at + 10 * DAY
    listed = store.overdue(at)
    assert [c.id for c in listed] == ["P1", "P3"]  # P2 is within its 20 days
    cases = [store.get(i) for i in ("P1", "P2", "P3")]
    assert set(listed) == set(world.engine.overdue(cases, at))
    assert [c.due_at for c in listed] == sorted(c.due_at for c in listed)  # type: ignore[type-var]


@pytest.mark.parametrize("now", [None, "2025-03-03", datetime(2025, 3, 3), 0])
def test_overdue_refuses_a_time_that_is_not_aware(store: CaseStore, now: object) -> None:
    """12.3: a naive or missing time is refused with ArgumentError; nothing changes."""
    with pytest.raises(ArgumentError):
        store.overdue(now)  # type: ignore[arg-type]
    assert len(store) == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(days=st.integers(1, 30), hours=st.integers(-48, 24 * 60))
def test_the_stores_agree_with_is_late_for_any_grant_and_time(
    world: World, tmp_path_factory: pytest.TempPathFactory, days: int, hours: int
) -> None:
    """12.3: for any grant and any time, both stores list the paused case iff it is late."""
    running, paused = _paused(world, days, "P1")
    assert running.due_at is not None
    at = running.due_at + timedelta(hours=hours)
    expected = (paused,) if is_late(paused, EVENT_LIFECYCLE, at) else ()
    memory = MemoryCaseStore(world.engine)
    memory.add(paused)
    assert memory.overdue(at) == expected
    with SQLiteCaseStore(tmp_path_factory.mktemp("s") / "c.db", world.engine) as sqlite:
        sqlite.add(paused)
        assert sqlite.overdue(at) == expected
