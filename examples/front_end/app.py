"""A worked front end on ruian_governance's public API: an ASGI app (Starlette), SQLite store.

The integrators' starting point (``docs/front_end.md``): copy it, put your authentication where
the ``person`` and ``role`` fields are, and your templates where the small HTML helpers are.

- Open311 GeoReport v2 (``/open311/v2``): ``GET services.json``, ``POST requests.json``
  (one-call intake: the route's town's command room registers the case), ``GET requests.json``
  (filters ``service_request_id``, ``service_code``, ``status``, ``start_date`` /
  ``end_date``; the last 90 days by default) and ``GET requests/{id}.json``.  Refusals are the
  spec's error list (``[{"code": ..., "description": ...}]``) with the error's HTTP status.
- ``GET /cases/{id}?person=...&role=...``: the case page: its facts, its history, and the
  command menu for that actor (``why_not``: each trigger allowed, waiting for the form's data,
  or refused and why).
- ``POST /cases/{id}/commands``: the command form (``trigger``, ``person``, ``role``,
  ``version`` and ``data.<key>`` fields): the store applies it if the case is still at that
  version (optimistic concurrency: a stale form is 409).  Refusals are RFC 9457 problem details.
- ``GET /units/{unit_id}/inbox``: the unit's inbox 待办 (``role``, ``cursor``; ``format=json``).
- ``GET /diagrams/lifecycles/{key}`` and ``/diagrams/routing/{town}``: Mermaid diagrams drawn
  in the page by the vendored Mermaid of the docs (no network); ``.mmd`` gives the text.

Everything here uses the package's public names only.  Run it with
``RUIAN_DB=cases.sqlite uvicorn --factory app:demo_app`` from this directory.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from ruian_governance import (
    CHINA_STANDARD_TIME,
    RULES_2021,
    Actor,
    Case,
    RoutingRules,
    builtin_engine,
    routing_graph,
    ruian_preset,
    why_not,
)
from ruian_governance.errors import Open311Error, RuianGovernanceError, UnknownIdError
from ruian_governance.intake import CaseIds, intake
from ruian_governance.io import (
    aggregate_grids,
    case_to_service_request,
    lifecycle_to_mermaid,
    open311_jurisdiction,
    open311_post_response,
    open311_services,
    routing_to_mermaid,
    town_routing_graph,
)
from ruian_governance.lifecycles import DataKind, DataSpec
from ruian_governance.models import Clock
from ruian_governance.problems import PROBLEM_MEDIA_TYPE, http_status, problem_details
from ruian_governance.stores import CaseStore, RowQuery, SQLiteCaseStore

MERMAID_JS = Path(__file__).resolve().parents[2] / "docs" / "_static" / "mermaid" / "mermaid.min.js"
"""The Mermaid build vendored for the docs, served to the diagram pages (no CDN)."""

OPEN311_WINDOW = timedelta(days=90)
"""GeoReport v2: ``GET requests`` covers the last 90 days by default, and never more."""

OPEN311_PAGE = 1000
"""The most requests one ``GET requests`` answers (the spec leaves the number to the server)."""


class WallClock:
    """The server's clock (China Standard Time): the one place the app reads the wall clock."""

    def now(self) -> datetime:
        """Return the current time."""
        return datetime.now(CHINA_STANDARD_TIME)


# --------------------------------------------------------------------------- the app


def create_app(store: CaseStore, *, rules: RoutingRules, ids: CaseIds) -> Starlette:
    """The ASGI app over ``store`` (its engine's hierarchy, its clock), routing with ``rules``."""
    front = _Front(store, rules, ids)
    return Starlette(
        routes=[
            Route("/", front.home),
            Route("/open311/v2/services.json", front.services),
            Route("/open311/v2/requests.json", front.post_request, methods=["POST"]),
            Route("/open311/v2/requests.json", front.requests),
            Route("/open311/v2/requests/{request_id}.json", front.request),
            Route("/cases/{case_id}", front.case_page),
            Route("/cases/{case_id}/commands", front.command, methods=["POST"]),
            Route("/units/{unit_id}/inbox", front.inbox),
            Route("/diagrams/lifecycles/{key}.mmd", front.lifecycle_text),
            Route("/diagrams/lifecycles/{key}", front.lifecycle_page),
            Route("/diagrams/routing/{town}.mmd", front.routing_text),
            Route("/diagrams/routing/{town}", front.routing_page),
            Route("/static/mermaid.min.js", front.mermaid_js),
        ],
    )


def demo_app() -> Starlette:
    """The app on the Rui'an preset, its cases in the SQLite file ``$RUIAN_DB``."""
    engine = builtin_engine(ruian_preset())
    store = SQLiteCaseStore(os.environ.get("RUIAN_DB", "cases.sqlite"), engine, clock=WallClock())
    return create_app(store, rules=RULES_2021, ids=CaseIds(seed=int(os.environ.get("SEED", "0"))))


class _Front:
    """The handlers, sharing the store, its engine and hierarchy, the rules and the ids."""

    def __init__(self, store: CaseStore, rules: RoutingRules, ids: CaseIds) -> None:
        self.store = store
        self.engine = store.engine
        self.hierarchy = store.engine.hierarchy
        self.rules = rules
        self.ids = ids
        clock: Clock | None = store.clock
        if clock is None:
            msg = "the store needs a clock: the app takes each command's time from it"
            raise ValueError(msg)
        self.clock = clock

    # ------------------------------------------------------------------- Open311 GeoReport v2

    def _jurisdiction(self, request: Request) -> None:
        open311_jurisdiction(self.hierarchy, request.query_params.get("jurisdiction_id"))

    async def services(self, request: Request) -> Response:
        """GET services.json: the category table as the service list."""
        try:
            self._jurisdiction(request)
        except Open311Error as error:
            return _open311_error(error)
        return JSONResponse(open311_services(self.rules))

    async def post_request(self, request: Request) -> Response:
        """POST requests.json: a citizen's request, taken in by one call (``intake``)."""
        form = await request.form()
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        fields.pop("api_key", None)  # a real server checks it here
        try:
            taken = intake(self.store, fields, rules=self.rules, ids=self.ids)
        except Open311Error as error:
            return _open311_error(error)
        except RuianGovernanceError as error:  # a route or an opening refused: same format
            return _open311_error(Open311Error(http_status(error), str(error)))
        return JSONResponse(open311_post_response(taken.case.id, service_notice="已受理"))

    async def requests(self, request: Request) -> Response:
        """GET requests.json: the requests matching the spec's filters, newest first."""
        params = request.query_params
        try:
            self._jurisdiction(request)
            if params.get("service_request_id"):
                ids = [i for i in params["service_request_id"].split(",") if i]
                cases = [self.store.get(i) for i in ids if i in self.store]
            else:
                cases = self._search(params)
        except Open311Error as error:
            return _open311_error(error)
        return JSONResponse([self._service_request(case) for case in cases])

    def _search(self, params: Mapping[str, str]) -> list[Case]:
        now = self.clock.now()
        end = _w3_time(params.get("end_date"), "end_date")
        start = _w3_time(params.get("start_date"), "start_date")
        start = start or (end or now) - OPEN311_WINDOW
        if end is not None and (end - start > OPEN311_WINDOW or start > end):
            raise Open311Error(400, "start_date and end_date: a range of at most 90 days")
        before = None if end is None else end + timedelta(microseconds=1)  # end included
        status = params.get("status")
        if status not in (None, "", "open", "closed"):
            raise Open311Error(400, "status: open or closed")
        codes: list[str | None] = [c for c in params.get("service_code", "").split(",") if c]
        codes = codes or [None]  # no code: every service
        known = {service["service_code"] for service in open311_services(self.rules)}
        for code in codes:
            if code is not None and code not in known:
                raise Open311Error(404, f"service_code {code!r} not found")
        found: list[Case] = []
        for code in codes:
            query = RowQuery(
                category=code, closed=None if not status else status == "closed",
                opened_from=start, opened_before=before, order="opened", descending=True,
            )  # fmt: skip
            page = self.store.rows(query, limit=OPEN311_PAGE, now=now)
            found += [self.store.get(row.id) for row in page.items]
        found.sort(key=lambda case: (case.opened_at, case.id), reverse=True)
        return found[:OPEN311_PAGE]

    async def request(self, request: Request) -> Response:
        """GET requests/{id}.json: one request, as a list of one (the spec's form)."""
        request_id = request.path_params["request_id"]
        try:
            self._jurisdiction(request)
            if request_id not in self.store:
                raise Open311Error(404, f"service_request_id {request_id!r} not found")
        except Open311Error as error:
            return _open311_error(error)
        return JSONResponse([self._service_request(self.store.get(request_id))])

    def _service_request(self, case: Case) -> dict[str, Any]:
        return case_to_service_request(
            case, hierarchy=self.hierarchy, rules=self.rules,
            lifecycle=self.engine.lifecycle(case.lifecycle),
        )  # fmt: skip

    # ------------------------------------------------------------------- pages

    async def home(self, request: Request) -> Response:
        """Links to each town's command-room inbox, the diagrams and the service list."""
        rooms = [self.hierarchy.command_room_of(town.id) for town in self.hierarchy.towns]
        items = "".join(
            f'<li><a href="/units/{_q(room.id)}/inbox">{_e(room.name)}</a> · '
            f'<a href="/diagrams/routing/{_q(room.town_id)}">路由图</a></li>'
            for room in rooms
        )
        diagrams = "".join(
            f'<li><a href="/diagrams/lifecycles/{_q(d.key)}">{_e(d.label.zh)}</a></li>'
            for d in self.engine.lifecycles.values()
        )
        body = (
            f"<h1>{_e(self.hierarchy.city.name)} 基层治理</h1>"
            '<p><a href="/open311/v2/services.json">Open311 services</a></p>'
            f"<h2>指挥室待办 Inboxes</h2><ul>{items}</ul>"
            f"<h2>流程图 Lifecycles</h2><ul>{diagrams}</ul>"
        )
        return _page(self.hierarchy.city.name, body)

    async def case_page(self, request: Request) -> Response:
        """The case: facts, history and, for the actor in the query, the command menu."""
        try:
            case = self.store.get(request.path_params["case_id"])
        except UnknownIdError as error:
            return _problem(error)
        definition = self.engine.lifecycle(case.lifecycle)
        facts = {
            "编号 id": case.id,
            "流程 lifecycle": definition.label.zh,
            "状态 state": definition.state(case.state).label.zh,
            "承办单位 holder": self._name(case.unit_id),
            "交办单位 assignees": "、".join(self._name(u) for u in case.assignees) or "—",
            "事发地 location": self._name(case.location_id),
            "类别 category": case.category,
            "等级 severity": case.severity or "—",
            "期限 due": case.due_at.isoformat() if case.due_at else "—",
            "版本 version": str(case.version),
        }
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts.items())
        history = "".join(
            f"<tr><td>{r.seq}</td><td>{_e(r.at.isoformat())}</td>"
            f"<td>{_e(definition.trigger(r.trigger).label.zh)}</td>"
            f"<td>{_e(r.actor.person_id)} ({_e(r.actor.role)}, "
            f"{_e(self._name(r.actor.unit_id))})</td>"
            f"<td>{_e(json.dumps(dict(r.data), ensure_ascii=False, default=str))}</td></tr>"
            for r in case.history
        )
        body = (
            f"<h1>{_e(case.id)}</h1><table>{rows}</table><h2>记录 History</h2>"
            f"<table><tr><th>#</th><th>time</th><th>command</th><th>by</th><th>data</th></tr>"
            f"{history}</table>{self._menu(case, request.query_params)}"
            f'<p><a href="/diagrams/lifecycles/{_q(case.lifecycle)}">流程图</a></p>'
        )
        return _page(case.id, body)

    def _menu(self, case: Case, params: Mapping[str, str]) -> str:
        person, role = params.get("person", ""), params.get("role", "")
        ask = (
            f'<form method="get"><label>person <input name="person" value="{_e(person)}"></label>'
            f' <label>role <input name="role" value="{_e(role)}"></label>'
            " <button>菜单 menu</button></form>"
        )
        if not person or not role:
            return f"<h2>操作 Commands</h2>{ask}"
        try:
            actor = Actor.of(self.hierarchy, person, role)
        except RuianGovernanceError as error:
            return f"<h2>操作 Commands</h2>{ask}<p class=refused>{_e(str(error))}</p>"
        definition = self.engine.lifecycle(case.lifecycle)
        entries = []
        for choice in why_not(self.engine, case, actor, at=self.clock.now()):
            label = _e(f"{choice.label.zh} {choice.label.en}")
            if choice.status == "refused":
                problem = choice.problem() or {}
                why = _e(f"{choice.check}: {problem.get('detail', '')}")
                entries.append(f"<li class=refused><s>{label}</s> — {why}</li>")
                continue
            fields = "".join(
                f"<label>{_e(key)}{' *' if key in choice.requires else ''} "
                f'<input name="data.{_e(key)}" title="{_e(str(definition.data_spec(key)))}"'
                f"{' required' if key in choice.requires else ''}></label> "
                for key in sorted(choice.requires | choice.accepts)
            )
            entries.append(
                f'<li><form method="post" action="/cases/{_q(case.id)}/commands">'
                f'<input type="hidden" name="trigger" value="{_e(choice.trigger)}">'
                f'<input type="hidden" name="person" value="{_e(person)}">'
                f'<input type="hidden" name="role" value="{_e(role)}">'
                f'<input type="hidden" name="version" value="{case.version}">'
                f"{fields}<button>{label}</button></form></li>"
            )
        return f"<h2>操作 Commands</h2>{ask}<ul class=menu>{''.join(entries)}</ul>"

    async def command(self, request: Request) -> Response:
        """The command form: fire a trigger if the case is still at the form's version."""
        case_id = request.path_params["case_id"]
        form = await request.form()
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        try:
            case = self.store.get(case_id)
            definition = self.engine.lifecycle(case.lifecycle)
            actor = Actor.of(self.hierarchy, fields.get("person", ""), fields.get("role", ""))
            data = {
                key.removeprefix("data."): form_value(definition.data_spec(key[5:]), value)
                for key, value in fields.items()
                if key.startswith("data.") and value != ""
            }
            new = self.store.apply(
                case_id, _version(fields.get("version")), fields.get("trigger", ""),
                actor=actor, **data,
            )  # fmt: skip
        except RuianGovernanceError as error:
            return _problem(error)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"id": new.id, "state": new.state, "version": new.version})
        back = f"/cases/{_q(case_id)}?person={_q(actor.person_id)}&role={_q(actor.role)}"
        return RedirectResponse(back, status_code=303)

    async def inbox(self, request: Request) -> Response:
        """A unit's inbox 待办: the cases waiting for its action, a page at a time."""
        unit_id = request.path_params["unit_id"]
        params = request.query_params
        try:
            page = self.store.inbox(
                unit_id, role=params.get("role") or None, cursor=params.get("cursor") or None,
                now=self.clock.now(),
            )  # fmt: skip
        except RuianGovernanceError as error:
            return _problem(error)
        if params.get("format") == "json":
            items = [
                {"id": i.row.id, "state": i.row.state, "category": i.row.category,
                 "due": i.row.due.isoformat() if i.row.due else None,
                 "warning": i.row.warning.value if i.row.warning else None,
                 "version": i.row.version, "triggers": list(i.triggers)}
                for i in page.items
            ]  # fmt: skip
            return JSONResponse({"items": items, "cursor": page.cursor})
        rows = "".join(
            f'<tr><td><a href="/cases/{_q(i.row.id)}">{_e(i.row.id)}</a></td>'
            f"<td>{_e(i.row.state)}</td><td>{_e(i.row.category)}</td>"
            f"<td>{_e(i.row.due.isoformat() if i.row.due else '—')}</td>"
            f"<td>{_e(i.row.warning.label.zh if i.row.warning else '—')}</td>"
            f"<td>{_e(', '.join(i.triggers))}</td></tr>"
            for i in page.items
        )
        more = (
            f'<p><a href="?cursor={_q(page.cursor)}&role={_q(params.get("role", ""))}">'
            "下一页 next</a></p>"
            if page.cursor
            else ""
        )
        body = (
            f"<h1>{_e(self._name(unit_id))} 待办</h1><table><tr><th>case</th><th>state</th>"
            f"<th>category</th><th>due</th><th>light</th><th>may fire</th></tr>{rows}</table>{more}"
        )
        return _page(f"{unit_id} inbox", body)

    # ------------------------------------------------------------------- diagrams

    def _lifecycle_mermaid(self, key: str) -> str:
        return lifecycle_to_mermaid(self.engine.lifecycle(key), language="zh")

    def _routing_mermaid(self, town: str) -> str:
        graph = town_routing_graph(routing_graph(self.hierarchy, self.rules), town)
        return routing_to_mermaid(aggregate_grids(graph), language="zh")

    async def lifecycle_text(self, request: Request) -> Response:
        """The lifecycle's Mermaid text."""
        return _diagram_text(self._lifecycle_mermaid, request.path_params["key"])

    async def lifecycle_page(self, request: Request) -> Response:
        """The lifecycle drawn in the page."""
        return _diagram_page(self._lifecycle_mermaid, request.path_params["key"])

    async def routing_text(self, request: Request) -> Response:
        """The town's routing (each village's grids one node) as Mermaid text."""
        return _diagram_text(self._routing_mermaid, request.path_params["town"])

    async def routing_page(self, request: Request) -> Response:
        """The town's routing drawn in the page."""
        return _diagram_page(self._routing_mermaid, request.path_params["town"])

    async def mermaid_js(self, request: Request) -> Response:
        """The vendored Mermaid build."""
        return FileResponse(MERMAID_JS, media_type="text/javascript")

    def _name(self, unit_id: str) -> str:
        try:
            return self.hierarchy.node(unit_id).name
        except RuianGovernanceError:
            return unit_id


# --------------------------------------------------------------------------- helpers


def form_value(spec: DataSpec, text: str) -> Any:
    """A form field's text as the value a command's data key takes (by its ``DataSpec``).

    The engine checks the value again (bounds, length); this only reads the text: an integer,
    a flag (``true``/``on``/``1``), ids separated by commas or spaces, or the text itself.
    """
    if spec.kind == DataKind.INTEGER:
        return int(text) if text.strip().lstrip("-").isdigit() else text
    if spec.kind == DataKind.FLAG:
        return text.strip().lower() in ("true", "on", "1", "yes")
    if spec.kind == DataKind.IDS:
        return tuple(part for part in text.replace(",", " ").split() if part)
    return text


def _version(text: str | None) -> int:
    if text is None or not text.isdigit():
        return -1  # the store refuses it as a stale version (409), never guesses
    return int(text)


def _w3_time(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)  # Python 3.11 reads the "Z" of w3 times
    except ValueError:
        raise Open311Error(400, f"{name}: a w3 date-time such as 2025-03-03T00:00:00Z") from None
    if moment.utcoffset() is None:
        raise Open311Error(400, f"{name}: give its time zone (Z or +08:00)")
    return moment


def _open311_error(error: Open311Error) -> Response:
    return JSONResponse(error.to_json(), status_code=error.code)


def _problem(error: RuianGovernanceError) -> Response:
    problem = problem_details(error)
    return JSONResponse(problem, status_code=http_status(error), media_type=PROBLEM_MEDIA_TYPE)


def _diagram_text(render: Any, key: str) -> Response:
    try:
        return PlainTextResponse(render(key))
    except RuianGovernanceError as error:
        return _problem(error)


def _diagram_page(render: Any, key: str) -> Response:
    try:
        text = render(key)
    except RuianGovernanceError as error:
        return _problem(error)
    body = (
        f'<pre class="mermaid">{_e(text)}</pre>'
        '<script src="/static/mermaid.min.js"></script>'
        "<script>mermaid.initialize({startOnLoad: true});</script>"
    )
    return _page(key, body)


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"</head><body>{body}</body></html>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _q(text: str | None) -> str:
    return quote(text or "", safe="")
