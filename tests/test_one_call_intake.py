"""Issue 14 point 4: one-call intake from a form, a report or a route, with library-made ids.

Refusals store nothing: the store's length and cases are the same after a refused intake.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    RULES_2021,
    FixedClock,
    MemoryCaseStore,
    Report,
    Router,
    SQLiteCaseStore,
    builtin_engine,
    ruian_preset,
)
from ruian_governance.errors import (
    ArgumentError,
    CaseStoreError,
    ConflictError,
    Open311Error,
    RuianGovernanceError,
)
from ruian_governance.intake import CaseIds, Intake, intake
from ruian_governance.stores import CaseStore, RowQuery

H = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23, micro_grid_workers=0)
ENGINE = builtin_engine(H)
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
TOWN = H.towns[3]
GRID = f"{TOWN.id}.v001.g01"
FORM = {"service_code": "environmental_pollution", "address_id": GRID, "description": "噪音"}


def _store(tmp_path: Path, kind: str) -> CaseStore:
    clock = FixedClock(at=T0)
    if kind == "memory":
        return MemoryCaseStore(ENGINE, clock=clock)
    return SQLiteCaseStore(tmp_path / "cases.db", ENGINE, clock=clock)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_posted_form_is_registered_by_the_routes_command_room(tmp_path: Path, kind: str) -> None:
    """Point 4: form -> report -> route -> registered case, stored, with a generated id."""
    with _store(tmp_path, kind) as store:
        taken = intake(store, FORM, rules=RULES_2021, ids=CaseIds(seed=1))
        assert isinstance(taken, Intake)
        case = store.get(taken.case.id)
        assert case == taken.case
        opening = case.history[0]
        assert opening.trigger == "register"
        assert opening.actor.unit_id == H.command_room_of(TOWN.id).id
        assert opening.get("channel") == "open311"
        assert opening.get("description") == "噪音"
        assert (case.location_id, case.category) == (GRID, "environmental_pollution")
        assert taken.report is not None
        assert taken.report.id == case.id
        assert taken.route.town_id == TOWN.id
        assert store.count(RowQuery(town=TOWN.id)) == 1


def test_reports_and_routes_and_own_ids(tmp_path: Path) -> None:
    """Point 4: a report is routed (rules or a router); a route is taken; own ids are kept."""
    store = _store(tmp_path, "memory")
    report = Report(id="r1", grid_id=GRID, category="neighbour_dispute", severity="larger")
    by_rules = intake(store, report, rules=RULES_2021, case_id="OWN-1")
    assert by_rules.case.id == "OWN-1"
    assert by_rules.case.severity == "larger"
    router = Router(H, RULES_2021)
    by_router = intake(store, report, router=router, case_id="OWN-2")
    assert by_router.route == by_rules.route
    by_route = intake(store, by_rules.route, case_id="OWN-3", at=T0 + timedelta(hours=1))
    assert by_route.report is None
    assert by_route.case.opened_at == T0 + timedelta(hours=1)
    assert store.ids() == ("OWN-1", "OWN-2", "OWN-3")


def test_generated_ids_sort_by_time_and_repeat_with_the_seed() -> None:
    """Point 4: ids sort by time (any zone), are distinct at one instant, repeat per seed."""
    ids, again, other = CaseIds(seed="s"), CaseIds(seed="s"), CaseIds(seed="t")
    times = [T0 + timedelta(seconds=s) for s in (0, 0, 1, 3600, 86400 * 400)]
    made = [ids.next(t) for t in times]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert [again.next(t) for t in times] == made
    assert other.next(T0) != made[0]
    utc = CaseIds(seed="s").next(T0.astimezone(UTC))
    assert utc == made[0]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, ArgumentError),  # no ids, no case_id
        ({"ids": "ids"}, ArgumentError),
        ({"ids": CaseIds(seed=1), "rules": None}, ArgumentError),
        ({"ids": CaseIds(seed=1), "at": datetime(2025, 1, 1)}, ArgumentError),
        ({"ids": CaseIds(seed=1), "at": float("nan")}, ArgumentError),
        ({"case_id": "has space"}, ArgumentError),
        ({"case_id": 7}, ArgumentError),
        ({"case_id": "TAKEN"}, ConflictError),
    ],
)
def test_refused_intakes_store_nothing(kwargs: dict[str, Any], error: type[Exception]) -> None:
    """Point 4: bad arguments and a taken id are typed errors; the store is unchanged."""
    store = MemoryCaseStore(ENGINE, clock=FixedClock(at=T0))
    intake(store, FORM, rules=RULES_2021, case_id="TAKEN")
    before = list(store)
    arguments = {"rules": RULES_2021, **kwargs}
    with pytest.raises(error):
        intake(store, FORM, **arguments)
    assert list(store) == before


@pytest.mark.parametrize(
    "source",
    [
        {"service_code": "no_such", "address_id": GRID},
        {"address_id": GRID},
        {"service_code": "environmental_pollution"},
        {"service_code": "environmental_pollution", "address_id": "nowhere"},
        {1: "x"},
        "service_code=x",
        None,
        3.5,
    ],
)
def test_bad_sources_are_refused(source: object) -> None:
    """Point 4: a form Open311 refuses, or a source of no accepted type, stores nothing."""
    store = MemoryCaseStore(ENGINE, clock=FixedClock(at=T0))
    with pytest.raises((Open311Error, ArgumentError)) as caught:
        intake(store, source, rules=RULES_2021, ids=CaseIds(seed=1))  # type: ignore[arg-type]
    assert isinstance(caught.value, RuianGovernanceError)
    assert len(store) == 0


def test_without_a_clock_the_time_is_needed() -> None:
    """Point 4: no at= and no clock is a CaseStoreError; seeds and prefixes are checked."""
    store = MemoryCaseStore(ENGINE)
    with pytest.raises(CaseStoreError):
        intake(store, FORM, rules=RULES_2021, ids=CaseIds(seed=1))
    assert intake(store, FORM, rules=RULES_2021, ids=CaseIds(seed=1), at=T0).case.opened_at == T0
    for seed in (1.5, float("nan"), None, b"x", True):
        with pytest.raises(ArgumentError):
            CaseIds(seed=seed)  # type: ignore[arg-type]
    for prefix in ("", "a b", 3):
        with pytest.raises(ArgumentError):
            CaseIds(seed=1, prefix=prefix)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        intake("store", FORM, rules=RULES_2021, case_id="x")  # type: ignore[arg-type]
