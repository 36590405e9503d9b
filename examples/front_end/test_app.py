"""Issue 14 point 10: the worked front end, through an HTTP test client and an Open311 client.

The Open311 client is ``georeport`` (PyPI), an existing GeoReport v2 wrapper, talking over real
HTTP to the app served by uvicorn on a local port; it reads services and requests but cannot
post (its README says so), so posting is done as every GeoReport v2 client does it, a
form-encoded ``POST requests.json`` (with ``requests``, which ``georeport`` itself uses).
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import app as app_module
import httpx2 as httpx
import pytest
import requests
import uvicorn
from app import MERMAID_JS, create_app, form_value
from georeport import GeoReport
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ruian_governance import (
    CHINA_STANDARD_TIME,
    EVENT_LIFECYCLE,
    RULES_2021,
    ManualClock,
    builtin_engine,
    ruian_preset,
)
from ruian_governance.intake import CaseIds
from ruian_governance.io import MERMAID_MAX_EDGES, lifecycle_to_mermaid
from ruian_governance.lifecycles import DataSpec
from ruian_governance.stores import SQLiteCaseStore

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)
CITY = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23, micro_grid_workers=0)
TOWN = CITY.towns[0]
GRID = f"{TOWN.id}.v001.g01"
ROOM = CITY.command_room_of(TOWN.id)
OPERATOR = CITY.people_of(ROOM.id, role="command_room_operator")[0].id
WORKER = CITY.people_of(GRID, role="grid_worker")[0].id
STATION = CITY.stations_of(TOWN.id, station_kind="market_supervision_office")[0].id
FORM = {"service_code": "food_safety", "address_id": GRID, "description": "小餐馆后厨卫生差"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteCaseStore]:
    """A SQLite store of the small Rui'an city, its clock at T0."""
    clock = ManualClock(at=T0)
    with SQLiteCaseStore(tmp_path / "cases.sqlite", builtin_engine(CITY), clock=clock) as s:
        yield s


@pytest.fixture
def app(store: SQLiteCaseStore) -> Starlette:
    """The front end over the store."""
    return create_app(store, rules=RULES_2021, ids=CaseIds(seed=14))


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """An HTTP test client of the app."""
    with TestClient(app) as c:
        yield c


def _post(client: TestClient, form: dict[str, str] | None = None) -> str:
    answer = client.post("/open311/v2/requests.json", data=form or FORM)
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    assert created["service_notice"] == "已受理"
    return str(created["service_request_id"])


def _command(
    client: TestClient, case_id: str, trigger: str, version: int, **data: str
) -> httpx.Response:
    fields = {"trigger": trigger, "person": OPERATOR, "role": "command_room_operator",
              "version": str(version), **{f"data.{k}": v for k, v in data.items()}}  # fmt: skip
    return client.post(f"/cases/{case_id}/commands", data=fields, follow_redirects=False)


# --------------------------------------------------------------------------- Open311


def test_services_are_the_category_table(client: TestClient) -> None:
    """GET services.json lists the categories; another jurisdiction is the spec's 404."""
    services = client.get("/open311/v2/services.json").json()
    assert {"service_code": "food_safety"}.items() <= services[2].items()
    assert len(services) == len(RULES_2021.categories)
    other = client.get("/open311/v2/services.json", params={"jurisdiction_id": "gotham"})
    assert other.status_code == 404
    assert other.json() == [{"code": 404, "description": "jurisdiction_id 'gotham' not found"}]


def test_a_posted_request_is_registered_and_followed(
    client: TestClient, store: SQLiteCaseStore
) -> None:
    """POST requests.json opens a case (intake); GET requests and requests/{id} follow it."""
    request_id = _post(client)
    case = store.get(request_id)
    assert case.state == "reported"
    assert case.history[0].actor.unit_id == ROOM.id  # the route's town's command room
    [one] = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert (one["service_code"], one["status"], one["address_id"]) == ("food_safety", "open", GRID)
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert client.get("/open311/v2/requests.json", params={"status": "closed"}).json() == []
    other = next(c.key for c in RULES_2021.categories if c.key != "food_safety")
    by_code = client.get("/open311/v2/requests.json", params={"service_code": other})
    assert by_code.json() == []
    by_id = client.get("/open311/v2/requests.json", params={"service_request_id": request_id})
    assert [r["service_request_id"] for r in by_id.json()] == [request_id]


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({**FORM, "service_code": "potholes"}, 404),
        ({**FORM, "jurisdiction_id": "gotham"}, 404),
        ({"service_code": "food_safety"}, 400),
        ({**FORM, "address_id": "nowhere"}, 400),
    ],
)
def test_a_refused_post_is_the_spec_error_and_stores_nothing(
    client: TestClient, store: SQLiteCaseStore, form: dict[str, str], code: int
) -> None:
    """A request the city does not take: the error list with its status; no case stored."""
    answer = client.post("/open311/v2/requests.json", data=form)
    assert answer.status_code == code, answer.text
    [error] = answer.json()
    assert error["code"] == code
    assert isinstance(error["description"], str)
    assert len(store) == 0


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2025-01-01T00:00:00"},
        {"start_date": "2024-01-01T00:00:00Z", "end_date": "2025-03-03T00:00:00Z"},
        {"status": "pending"},
        {"service_code": "potholes"},
        {"jurisdiction_id": "gotham"},
    ],
)
def test_bad_searches_are_the_spec_errors(client: TestClient, params: dict[str, str]) -> None:
    """Bad dates, a range over 90 days, unknown status or code: 400 or 404 in the spec's form."""
    answer = client.get("/open311/v2/requests.json", params=params)
    assert answer.status_code in (400, 404)
    assert answer.json()[0]["code"] == answer.status_code


def test_an_unknown_request_is_404(client: TestClient) -> None:
    """GET requests/{id}.json of no case: the spec's 404."""
    answer = client.get("/open311/v2/requests/E-none.json")
    assert answer.status_code == 404
    assert answer.json()[0]["code"] == 404


# --------------------------------------------------------------------------- case page, commands


def test_case_page_shows_the_menu_of_the_actor(client: TestClient) -> None:
    """The operator may accept; a grid worker sees accept refused, with the reason."""
    case_id = _post(client)
    operator = {"person": OPERATOR, "role": "command_room_operator"}
    page = client.get(f"/cases/{case_id}", params=operator).text
    assert 'name="trigger" value="accept"' in page
    assert "小餐馆后厨卫生差" in page
    worker = client.get(f"/cases/{case_id}", params={"person": WORKER, "role": "grid_worker"})
    assert 'name="trigger" value="accept"' not in worker.text
    assert "class=refused" in worker.text
    assert "role" in worker.text
    assert client.get(f"/cases/{case_id}").status_code == 200  # no actor: only the form to pick
    nobody = client.get(f"/cases/{case_id}", params={"person": "p-none", "role": "x"})
    assert "class=refused" in nobody.text


def test_commands_run_and_a_stale_form_is_409(client: TestClient, store: SQLiteCaseStore) -> None:
    """Accept then dispatch (ids read from the form) run; a stale version changes nothing."""
    case_id = _post(client)
    accepted = _command(client, case_id, "accept", 0)
    assert accepted.status_code == 303
    assert store.get(case_id).state == "accepted"
    before = store.get(case_id)
    stale = _command(client, case_id, "dispatch", 0, units=STATION)
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["type"].endswith("ConflictError")
    assert store.get(case_id) == before
    assert store.history(case_id) == before.history
    dispatched = _command(client, case_id, "dispatch", 1, units=STATION)
    assert dispatched.status_code == 303, dispatched.text
    assert store.get(case_id).assignees == (STATION,)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"trigger": "accept", "person": WORKER, "role": "grid_worker", "version": "0"}, 403),
        (
            {"trigger": "fly", "person": OPERATOR, "role": "command_room_operator", "version": "0"},
            422,
        ),
        ({"trigger": "accept", "person": "p-none", "role": "x", "version": "0"}, 404),
        (
            {
                "trigger": "accept",
                "person": OPERATOR,
                "role": "command_room_operator",
                "version": "x",
            },
            409,
        ),
        (
            {
                "trigger": "dispatch",
                "person": OPERATOR,
                "role": "command_room_operator",
                "version": "0",
            },
            422,
        ),
    ],
)
def test_refused_commands_are_problem_details_and_change_nothing(
    client: TestClient, store: SQLiteCaseStore, fields: dict[str, str], status: int
) -> None:
    """Role, unknown trigger, unknown person, bad version, missing state: problem details."""
    case_id = _post(client)
    before = store.get(case_id)
    answer = client.post(f"/cases/{case_id}/commands", data=fields, follow_redirects=False)
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:ruian-governance:error:")
    assert store.get(case_id) == before
    assert len(store) == 1


def test_six_parallel_posts_of_one_form_one_wins(app: Starlette, store: SQLiteCaseStore) -> None:
    """Six concurrent submissions of the same form: one runs, five are 409 (the issue's test)."""
    with TestClient(app) as client:
        case_id = _post(client)

    async def six() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://front") as http:
            fields = {"trigger": "accept", "person": OPERATOR, "role": "command_room_operator",
                      "version": "0"}  # fmt: skip
            answers = await asyncio.gather(*(
                http.post(f"/cases/{case_id}/commands", data=fields,
                          headers={"accept": "application/json"})
                for _ in range(6)
            ))  # fmt: skip
        return sorted(a.status_code for a in answers)

    assert asyncio.run(six()) == [200, 409, 409, 409, 409, 409]
    assert store.get(case_id).version == 1


def test_form_values_are_read_by_the_data_spec() -> None:
    """The command form's text becomes the data key's kind; the engine checks it again."""
    assert form_value(DataSpec.integer(1, 5), "4") == 4
    assert form_value(DataSpec.integer(1, 5), "four") == "four"  # refused by the engine
    assert form_value(DataSpec.flag(), "on") is True
    assert form_value(DataSpec.ids(max_items=3), "a.b, c.d  e") == ("a.b", "c.d", "e")
    assert form_value(DataSpec.text(), " 原因 ") == " 原因 "


# --------------------------------------------------------------------------- inbox, diagrams


def test_inboxes_list_what_waits_for_each_unit(client: TestClient) -> None:
    """The command room's inbox holds the new case with accept; after dispatch the station's."""
    case_id = _post(client)
    room = client.get(f"/units/{ROOM.id}/inbox", params={"format": "json"}).json()
    assert [(i["id"], "accept" in i["triggers"]) for i in room["items"]] == [(case_id, True)]
    assert room["cursor"] is None
    assert room["items"][0]["warning"] in ("none", "green", "yellow", "red", "overdue")
    html_page = client.get(f"/units/{ROOM.id}/inbox").text
    assert f'href="/cases/{case_id}"' in html_page
    _command(client, case_id, "accept", 0)
    _command(client, case_id, "dispatch", 1, units=STATION)
    station = client.get(f"/units/{STATION}/inbox", params={"format": "json"}).json()
    assert [i["id"] for i in station["items"]] == [case_id]
    unknown = client.get("/units/nowhere/inbox")
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("UnknownIdError")


def test_inbox_pages_with_a_cursor(client: TestClient, store: SQLiteCaseStore) -> None:
    """More than a page: the cursor link reads the next page; a forged cursor is a 400."""
    ids = [_post(client) for _ in range(3)]
    first = store.inbox(ROOM.id, limit=2)
    assert first.cursor is not None
    rest = client.get(f"/units/{ROOM.id}/inbox", params={"format": "json", "cursor": first.cursor})
    seen = [i.row.id for i in first.items] + [i["id"] for i in rest.json()["items"]]
    assert sorted(seen) == sorted(ids)
    forged = client.get(f"/units/{ROOM.id}/inbox", params={"cursor": "forged"})
    assert forged.status_code == 400


def test_diagrams_are_drawn_without_network(client: TestClient) -> None:
    """Lifecycle and routing diagrams: Mermaid text, and pages with the vendored script."""
    text = client.get("/diagrams/lifecycles/event.mmd").text
    assert text == lifecycle_to_mermaid(EVENT_LIFECYCLE, language="zh")
    page = client.get("/diagrams/lifecycles/event").text
    assert '<pre class="mermaid">' in page
    assert '<script src="/static/mermaid.min.js"></script>' in page
    assert "http" not in page
    script = client.get("/static/mermaid.min.js")
    assert script.status_code == 200
    assert script.content == MERMAID_JS.read_bytes()
    routing = client.get(f"/diagrams/routing/{TOWN.id}.mmd").text
    assert routing.startswith("flowchart TD")
    assert 0 < routing.count("-->") < MERMAID_MAX_EDGES
    assert client.get("/diagrams/lifecycles/unicorn").status_code == 404
    assert client.get("/diagrams/routing/nowhere.mmd").status_code == 404
    home = client.get("/").text
    assert f'href="/units/{ROOM.id}/inbox"' in home


# --------------------------------------------------------------------------- an Open311 client


@pytest.fixture
def served(app: Starlette) -> Iterator[str]:
    """The app served over HTTP by uvicorn on a free local port: its Open311 root address."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/open311/v2"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_an_existing_open311_client_reads_the_app(served: str, store: SQLiteCaseStore) -> None:
    """The georeport client (PyPI) lists services and reads posted requests, by id and by search."""
    client = GeoReport(served, jurisdiction=CITY.city.id)
    services = client.get_service_list()
    assert "food_safety" in [s["service_code"] for s in services]
    form = {**FORM, "jurisdiction_id": CITY.city.id}
    posted = requests.post(f"{served}/requests.json", data=form,
                           timeout=30)  # fmt: skip
    assert posted.status_code == 200
    request_id = posted.json()[0]["service_request_id"]
    one = client.get_service_request(request_id)
    assert (one["service_request_id"], one["status"]) == (request_id, "open")
    assert one["description"] == "小餐馆后厨卫生差"
    found = client.get_service_requests(service_code="food_safety", status="open")
    assert [r["service_request_id"] for r in found] == [request_id]
    window = client.get_service_requests(
        start_date=(T0 - timedelta(days=1)).isoformat(),
        end_date=(T0 + timedelta(days=1)).isoformat(),
    )  # fmt: skip
    assert len(window) == 1
    with pytest.raises(requests.HTTPError):
        GeoReport(served, jurisdiction="gotham").get_service_list()
    assert len(store) == 1


def test_the_example_uses_the_public_api_alone() -> None:
    """Every name app.py imports from the package is in its module's ``__all__``."""
    tree = ast.parse(Path(app_module.__file__ or "").read_text(encoding="utf-8"))
    imported = [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ruian_governance")
        for alias in node.names
    ]
    assert len(imported) > 20
    for module, name in imported:
        assert name in importlib.import_module(module).__all__, (module, name)
