"""Issue 14 point 10 (findings 2 and 3): Open311 searches and refusals offered by the library.

The worked front end turned ``GET requests`` parameters into row queries itself and wrapped
non-Open311 refusals in ``Open311Error`` by hand; ``open311_search`` / ``open311_requests`` and
``as_open311_error`` now do it.  Adversarial: bad, naive, huge and overflowing dates, ranges
over 90 days, unknown statuses and codes, non-text values, too many ids; a case in a final
state that is not a closing one (rejected) is ``closed`` both in its request and in searches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    RULES_2021,
    MemoryCaseStore,
    SQLiteCaseStore,
)
from ruian_governance.errors import (
    ArgumentError,
    ConflictError,
    Open311Error,
    UnknownCategoryError,
    UnknownIdError,
)
from ruian_governance.intake import CaseIds, intake
from ruian_governance.io import as_open311_error
from ruian_governance.stores import (
    OPEN311_WINDOW,
    CaseStore,
    RowQuery,
    open311_requests,
    open311_search,
)
from small_city import CITY, ENGINE, GRID, OPERATOR, WORKER

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=CHINA_STANDARD_TIME)


def _fill(store: CaseStore) -> dict[str, str]:
    """Cases opened 100, 80, 30, 20, 10 and 1 days ago; one rejected, one closed on the spot."""
    ids = CaseIds(seed=10)
    made: dict[str, str] = {}
    for days, code in [(100, "food_safety"), (80, "food_safety"), (30, "petition"),
                       (20, "food_safety"), (10, "food_safety"), (1, "petition")]:  # fmt: skip
        form = {"service_code": code, "address_id": GRID, "description": f"{days} 天前"}
        taken = intake(store, form, rules=RULES_2021, ids=ids, at=NOW - timedelta(days=days))
        made[f"{days}"] = taken.case.id
    at = NOW - timedelta(days=9)
    store.apply(made["20"], 0, "reject", actor=OPERATOR, at=at, reason="不属实")
    store.apply(made["10"], 0, "solve_on_spot", actor=WORKER, at=NOW - timedelta(days=10, hours=-1),
                result="当场处理")  # fmt: skip
    return made


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def filled(request: pytest.FixtureRequest) -> Iterator[tuple[CaseStore, dict[str, str]]]:
    """The six cases in each store."""
    store: CaseStore = (
        MemoryCaseStore(ENGINE)
        if request.param == "memory"
        else SQLiteCaseStore(":memory:", ENGINE)
    )
    made = _fill(store)
    yield store, made
    if isinstance(store, SQLiteCaseStore):
        store.close()


def _ids(store: CaseStore, params: dict[str, Any], **kwargs: Any) -> list[str]:
    found = open311_requests(store, params, rules=RULES_2021, now=NOW, **kwargs)
    return [request["service_request_id"] for request in found]


def test_the_default_window_is_the_last_90_days_newest_first(
    filled: tuple[CaseStore, dict[str, str]],
) -> None:
    """No dates: the last 90 days, newest first; the 100-day-old case is left out."""
    store, made = filled
    assert _ids(store, {}) == [made[d] for d in ("1", "10", "20", "30", "80")]
    start = (NOW - timedelta(days=120)).isoformat()
    assert _ids(store, {"start_date": start}) == [made[d] for d in ("30", "80", "100")]
    end = (NOW - timedelta(days=15)).isoformat()
    assert _ids(store, {"end_date": end}) == [made[d] for d in ("20", "30", "80", "100")]
    exact = (NOW - timedelta(days=30)).isoformat()
    assert _ids(store, {"start_date": exact, "end_date": exact}) == [made["30"]]  # both included


def test_status_is_the_requests_status(filled: tuple[CaseStore, dict[str, str]]) -> None:
    """Rejected (final, not closing) and closed on the spot are ``closed``; the rest ``open``."""
    store, made = filled
    closed = _ids(store, {"status": "closed"})
    assert closed == [made["10"], made["20"]]
    assert _ids(store, {"status": "open"}) == [made[d] for d in ("1", "30", "80")]
    assert _ids(store, {"status": ["open", "closed"]}) == _ids(store, {})
    assert _ids(store, {"status": "CLOSED, closed"}) == closed
    statuses = {
        r["service_request_id"]: r["status"]
        for r in open311_requests(store, {}, rules=RULES_2021, now=NOW)
    }
    assert {i for i, s in statuses.items() if s == "closed"} == set(closed)
    # a page of one: the closed ones are found beyond the open ones of the first page
    assert _ids(store, {"status": "closed"}, limit=1) == [made["10"]]


def test_codes_and_ids(filled: tuple[CaseStore, dict[str, str]]) -> None:
    """Codes by comma or repeated; ids override every other parameter; unknown ids skipped."""
    store, made = filled
    assert _ids(store, {"service_code": "petition"}) == [made["1"], made["30"]]
    both = _ids(store, {"service_code": ["petition", "food_safety,petition"]})
    assert both == _ids(store, {})
    asked = f"{made['100']},nothing,{made['1']}"
    assert _ids(store, {"service_request_id": asked, "status": "closed", "start_date": "x"}) == [
        made["100"], made["1"]]  # fmt: skip
    assert _ids(store, {"service_request_id": ",,"}) == _ids(store, {})


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start_date": "yesterday"}, 400),
        ({"start_date": "2025-01-01T00:00:00"}, 400),
        ({"end_date": "2025-01-01"}, 400),
        ({"start_date": "2" * 10_000}, 400),
        ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2025-03-03T00:00:00Z"}, 400),
        ({"start_date": "2025-03-03T00:00:00Z", "end_date": "2025-03-02T00:00:00Z"}, 400),
        ({"start_date": "9999-12-31T00:00:00+00:00"}, 400),
        ({"end_date": "0001-01-02T00:00:00+00:00"}, 400),
        ({"end_date": "0001-04-01T00:00:00+14:00"}, 400),
        ({"start_date": "9999-12-30T00:00:00Z", "end_date": "9999-12-31T23:59:59.999999Z"}, 400),
        ({"status": "pending"}, 400),
        ({"status": "open,NaN"}, 400),
        ({"service_code": "potholes"}, 404),
        ({"service_code": "food_safety,\x00"}, 404),
        ({"jurisdiction_id": "gotham"}, 404),
        ({"status": 3}, 400),
        ({"service_code": [None]}, 400),
        ({"service_request_id": ",".join(f"E{i}" for i in range(1001))}, 400),
    ],
)
def test_bad_searches_are_the_spec_errors(params: dict[str, Any], code: int) -> None:
    """Each bad parameter is the spec's error with its code; nothing is read."""
    with pytest.raises(Open311Error) as caught:
        open311_search(params, hierarchy=CITY, rules=RULES_2021, now=NOW)
    assert caught.value.code == code
    assert len(caught.value.description) < 200


def test_search_values_and_arguments() -> None:
    """The queries are RowQuery values; bad arguments are ArgumentError."""
    search = open311_search({"status": "open"}, hierarchy=CITY, rules=RULES_2021, now=NOW)
    assert search.ids == ()
    assert search.queries == (
        RowQuery(closed=False, opened_from=NOW - OPEN311_WINDOW,
                 opened_before=NOW + timedelta(microseconds=1), order="opened",
                 descending=True),
    )  # fmt: skip
    with pytest.raises(ArgumentError):
        open311_search({}, hierarchy=CITY, rules=RULES_2021, now=NOW.replace(tzinfo=None))
    with pytest.raises(ArgumentError):
        open311_search([("status", "open")], hierarchy=CITY, rules=RULES_2021, now=NOW)  # type: ignore[arg-type]
    store = MemoryCaseStore(ENGINE)
    with pytest.raises(ArgumentError):
        open311_requests(store, {}, rules=RULES_2021)  # no clock, no now
    with pytest.raises(ArgumentError):
        open311_requests(store, {}, rules=RULES_2021, now=NOW, limit=0)


def test_other_refusals_in_open311_format() -> None:
    """Open311 errors as they are; others with their HTTP status and a bounded detail."""
    own = Open311Error(404, "service_code 'x' not found")
    assert as_open311_error(own) is own
    stale = as_open311_error(ConflictError("E1", expected=None, actual=0))
    assert (stale.code, stale.to_json()[0]["code"]) == (409, 409)
    unknown = as_open311_error(UnknownIdError("\ud800" * 5000, "cases"))
    assert unknown.code == 404
    assert len(unknown.description) <= 2000
    unknown.description.encode("utf-8")  # a lone surrogate is escaped
    route = as_open311_error(UnknownCategoryError("potholes", "RULES_2021"))
    assert route.code == 422
    with pytest.raises(ArgumentError):
        as_open311_error(ValueError("not ours"))  # type: ignore[arg-type]


def test_intake_refusals_in_open311_format() -> None:
    """A case id taken at intake: 409 in the spec's form; the store keeps one case."""
    store = MemoryCaseStore(ENGINE)
    form = {"service_code": "food_safety", "address_id": GRID}
    intake(store, form, rules=RULES_2021, case_id="E1", at=NOW)
    with pytest.raises(ConflictError) as caught:
        intake(store, form, rules=RULES_2021, case_id="E1", at=NOW)
    assert as_open311_error(caught.value).to_json()[0]["code"] == 409
    assert len(store) == 1
