"""Open311 GeoReport v2: the category table as a service list, cases as service requests.

GeoReport v2 is the open standard citizen apps and hotlines use to file and follow requests
(JSON form here).  The mapping:

- **Open311Service list** (``GET open311_services``): one service per routing category (事项类别):
  ``service_code`` is the category key, ``service_name`` its label, ``group`` its lead platform
  (牵头平台), ``keywords`` its English and Chinese names, ``metadata`` false (no extra
  attributes), ``type`` ``"realtime"``.
- **Open311Service requests** (``GET requests``): a case becomes one request: ``status`` is
  ``"closed"`` in a final state of its lifecycle and ``"open"`` otherwise; ``agency_responsible``
  is the name of the units handling it (its assignees, else its holding unit 承办单位);
  ``expected_datetime`` its deadline (``due_at``); ``requested_datetime`` and
  ``updated_datetime`` the times of its first and latest history records; ``status_notes`` the
  latest record (trigger, and its reason or result if any); ``address`` the name path of its
  location and ``address_id`` the location's id.  The hierarchy has no coordinates: ``lat`` and
  ``long`` are written as ``null``.
- **Posting a request** (``POST requests``): the form fields become a
  :class:`~ruian_governance.Report` that routes like any other.  The location is ``address_id``
  (a grid or micro-grid id) or ``address_string`` (a name path as written in ``address``);
  ``lat`` / ``long`` are accepted and ignored, since there is nothing to match them against.
  ``attribute[severity]`` may give the severity tier (ordinary / larger / major); contact
  fields (``email``, ``phone``, names, ``device_id``, ``account_id``) are accepted and not kept:
  the report holds no personal data of citizens.
- **Errors** are :class:`~ruian_governance.Open311Error` (``code`` and ``description``), written
  and read in the spec's error format.

>>> from ruian_governance import RULES_2021, generate_hierarchy, route
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
>>> open311_services(RULES_2021)[2]["service_code"], open311_services(RULES_2021)[2]["service_name"]
('food_safety', '食品安全')
>>> from datetime import datetime
>>> from ruian_governance import CHINA_STANDARD_TIME
>>> report = report_from_service_request(
...     {"service_code": "food_safety", "address_id": "t0001.v001.g01",
...      "description": "餐馆后厨脏乱", "lat": "27.78", "long": "120.65"},
...     hierarchy=h, rules=RULES_2021, request_id="311-1",
...     at=datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME))
>>> [hop.target for hop in route(h, RULES_2021, report).hops]
['t0001.command_room', 't0001.station.market_supervision_office']
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

import attrs

from ruian_governance.errors import (
    DataError,
    Open311Error,
    RouteError,
    UnknownCategoryError,
    UnknownIdError,
)
from ruian_governance.labels import Language
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import AdminUnit, Case, Hierarchy, HistoryRecord, Level
from ruian_governance.routing import Report, RoutingRules, SeverityTier, route

__all__ = [
    "OPEN311_REQUEST_FIELDS",
    "OPEN311_SERVICE_FIELDS",
    "Open311Service",
    "Open311ServiceRequest",
    "Open311Status",
    "case_to_service_request",
    "open311_address",
    "open311_post_response",
    "open311_services",
    "parse_open311_errors",
    "parse_open311_post_response",
    "parse_open311_requests",
    "parse_open311_services",
    "report_from_service_request",
    "report_to_service_request",
]

Open311Status: TypeAlias = Literal["open", "closed"]
"""The two statuses of a GeoReport v2 service request."""

OPEN311_SERVICE_FIELDS: tuple[str, ...] = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
"""The fields of a service in a GeoReport v2 service list, in the spec's order."""

OPEN311_REQUEST_FIELDS: tuple[str, ...] = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
"""The fields of a service request in a GeoReport v2 ``GET requests`` answer, in order."""

_ADDRESS_SEPARATOR = "/"
_REPORT_LEVELS = frozenset({Level.GRID, Level.MICRO_GRID})
_CONTACT_FIELDS = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "media_url",
        "lat",
        "long",
    }
)
_SEVERITY_ATTRIBUTE = "attribute[severity]"
_SERVICE_LIST = "Open311 service list"
_REQUESTS = "Open311 service requests"
_POST_ANSWER = "Open311 POST answer"
_ERRORS = "Open311 errors"


# --------------------------------------------------------------------------- models


@attrs.frozen(kw_only=True)
class Open311Service:
    """One service of a GeoReport v2 service list, as read from any Open311 server."""

    service_code: str
    service_name: str
    description: str | None = None
    metadata: bool = False
    type: str = "realtime"
    keywords: str | None = None
    group: str | None = None


@attrs.frozen(kw_only=True)
class Open311ServiceRequest:
    """One service request of a GeoReport v2 ``GET requests`` answer, as read.

    Ids, zip codes and coordinates are kept as the text the server sent (some servers send
    numbers); datetimes are timezone-aware.
    """

    service_request_id: str
    status: Open311Status
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: _dt.datetime | None = None
    updated_datetime: _dt.datetime | None = None
    expected_datetime: _dt.datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


# --------------------------------------------------------------------------- writing


def open311_services(rules: RoutingRules, *, language: Language = "zh") -> list[dict[str, Any]]:
    """Return the GeoReport v2 service list (``GET open311_services``) of a category table.

    Args:
        rules: The category table; each category becomes one service.
        language: The language of names, descriptions and groups.

    >>> from ruian_governance import RULES_2021
    >>> open311_services(RULES_2021, language="en")[0]
    {'service_code': 'neighbour_dispute', 'service_name': 'neighbour dispute', \
'description': 'neighbour dispute: handled by the comprehensive governance platform, \
ordinary by default', 'metadata': False, 'type': 'realtime', \
'keywords': 'neighbour_dispute, neighbour dispute, 邻里纠纷', 'group': 'comprehensive_governance'}
    """
    listed: list[dict[str, Any]] = []
    for category in rules.categories:
        platform = rules.preset.platform_kind(category.platform).label.text(language)
        severity = category.default_severity.label.text(language)
        name = category.label.text(language)
        if language == "zh":
            description = f"{name}：由{platform}平台牵头，默认{severity}"
        else:
            description = f"{name}: handled by the {platform} platform, {severity} by default"
        listed.append(
            {
                "service_code": category.key,
                "service_name": name,
                "description": description,
                "metadata": False,
                "type": "realtime",
                "keywords": ", ".join((category.key, category.label.en, category.label.zh)),
                "group": category.platform,
            }
        )
    return listed


def open311_address(hierarchy: Hierarchy, unit_id: str, *, language: Language = "zh") -> str:
    """Return the name path of a unit, city first: the ``address`` of its requests.

    Raises:
        UnknownIdError: No such unit.

    >>> from ruian_governance import generate_hierarchy
    >>> open311_address(generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0),
    ...            "t0001.v001.g01")
    '示范市/第1镇/第11村/第1网格'
    """
    unit = hierarchy.get(unit_id)
    chain = [*reversed(hierarchy.ancestors(unit_id)), unit] if isinstance(unit, AdminUnit) else []
    if not chain:
        return _name(unit, language)
    return _ADDRESS_SEPARATOR.join(_name(u, language) for u in chain)


def _name(entity: Any, language: Language) -> str:
    if language == "en":
        return str(getattr(entity, "name_en", "") or entity.name)
    return str(entity.name)


def _time(value: _dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _notes(record: HistoryRecord, definition: LifecycleDefinition, language: Language) -> str:
    try:
        text = definition.trigger(record.trigger).label.text(language)
    except UnknownIdError:
        text = record.trigger
    for key in ("reason", "result", "note", "terms"):
        value = record.get(key)
        if isinstance(value, str) and value:
            return f"{text}: {value}"
    return text


def case_to_service_request(
    case: Case,
    *,
    hierarchy: Hierarchy,
    rules: RoutingRules,
    lifecycle: LifecycleDefinition,
    language: Language = "zh",
) -> dict[str, Any]:
    """Return a case as a GeoReport v2 service request (one item of ``GET requests``).

    Args:
        case: The case.
        hierarchy: Where its units' names are found.
        rules: The category table (for the service name).
        lifecycle: The case's lifecycle definition (its final states are "closed").
        language: The language of names and notes.

    Raises:
        ValueError: ``lifecycle`` is not the case's lifecycle.
        UnknownIdError: A unit of the case is not in ``hierarchy``.
    """
    if lifecycle.key != case.lifecycle:
        msg = f"case {case.id!r} runs lifecycle {case.lifecycle!r}, not {lifecycle.key!r}"
        raise ValueError(msg)
    try:
        service_name: str | None = rules.category(case.category).label.text(language)
    except UnknownCategoryError:
        service_name = None
    handlers = case.assignees or (case.unit_id,)
    separator = "、" if language == "zh" else ", "
    description = case.history[0].get("description")
    return {
        "service_request_id": case.id,
        "status": "closed" if case.state in lifecycle.final_states else "open",
        "status_notes": _notes(case.last, lifecycle, language),
        "service_name": service_name,
        "service_code": case.category,
        "description": description if isinstance(description, str) else None,
        "agency_responsible": separator.join(
            _name(hierarchy.get(unit), language) for unit in handlers
        ),
        "service_notice": None,
        "requested_datetime": _time(case.history[0].at),
        "updated_datetime": _time(case.last.at),
        "expected_datetime": _time(case.due_at),
        "address": open311_address(hierarchy, case.location_id, language=language),
        "address_id": case.location_id,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def report_to_service_request(
    report: Report, *, hierarchy: Hierarchy, rules: RoutingRules, language: Language = "zh"
) -> dict[str, Any]:
    """Return a report not yet opened as a case as an open GeoReport v2 service request.

    ``agency_responsible`` names the units its route hands it to (``null`` if it cannot be
    routed); there is no deadline yet, so ``expected_datetime`` is ``null``.

    Raises:
        UnknownIdError: The report's grid is not in ``hierarchy``.
    """
    try:
        handlers: tuple[str, ...] | None = route(hierarchy, rules, report).handlers
    except RouteError:
        handlers = None
    try:
        service_name: str | None = rules.category(report.category).label.text(language)
    except UnknownCategoryError:
        service_name = None
    separator = "、" if language == "zh" else ", "
    return {
        "service_request_id": report.id,
        "status": "open",
        "status_notes": None,
        "service_name": service_name,
        "service_code": report.category,
        "description": report.description or None,
        "agency_responsible": None
        if handlers is None
        else separator.join(_name(hierarchy.get(unit), language) for unit in handlers),
        "service_notice": None,
        "requested_datetime": _time(report.at),
        "updated_datetime": _time(report.at),
        "expected_datetime": None,
        "address": open311_address(hierarchy, report.grid_id, language=language),
        "address_id": report.grid_id,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def open311_post_response(
    service_request_id: str, *, service_notice: str | None = None
) -> list[dict[str, Any]]:
    """Return the GeoReport v2 answer to ``POST requests`` for a created request.

    >>> open311_post_response("311-1", service_notice="已受理")
    [{'service_request_id': '311-1', 'service_notice': '已受理', 'account_id': None}]
    """
    return [
        {"service_request_id": service_request_id, "service_notice": service_notice,
         "account_id": None}
    ]  # fmt: skip


# --------------------------------------------------------------------------- reading


def _field(form: Mapping[str, Any], key: str) -> str | None:
    """A form field as one string: the first of repeated values, numbers as text."""
    value = form.get(key)
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if value else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Open311Error(400, f"{key} must be text")
    text = str(value).strip()
    return text or None


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _walk(hierarchy: Hierarchy, address: str) -> str:
    """Follow a name path (either language) down the tree, from the city to a grid."""
    parts = [part.strip() for part in address.split(_ADDRESS_SEPARATOR)]
    matches = [hierarchy.city] if parts[0] in (hierarchy.city.name, hierarchy.city.name_en) else []
    for part in parts[1:]:
        matches = [
            child
            for unit in matches
            for child in hierarchy.children(unit.id)
            if part in (child.name, child.name_en)
        ]
    if len(matches) > 1:
        raise Open311Error(400, f"address_string {_short(address)} matches more than one grid")
    if not matches or matches[0].level not in _REPORT_LEVELS:
        raise Open311Error(400, f"address_string {_short(address)} matches no grid")
    return matches[0].id


def _locate(hierarchy: Hierarchy, address_id: str | None, address_string: str | None) -> str:
    if address_id is not None:
        try:
            unit = hierarchy.get(address_id)
        except UnknownIdError:
            raise Open311Error(
                400, f"address_id {_short(address_id)} is not a known grid"
            ) from None
        if not isinstance(unit, AdminUnit) or unit.level not in _REPORT_LEVELS:
            raise Open311Error(400, f"address_id {_short(address_id)} is not a grid or micro-grid")
        return unit.id
    if address_string is not None:
        return _walk(hierarchy, address_string)
    raise Open311Error(
        400,
        "address_id or address_string required: lat/long are not used "
        "(the hierarchy has no coordinates)",
    )


def report_from_service_request(
    form: Mapping[str, Any],
    *,
    hierarchy: Hierarchy,
    rules: RoutingRules,
    request_id: str,
    at: _dt.datetime,
) -> Report:
    """Read the fields of a GeoReport v2 ``POST requests`` into a report that can be routed.

    Args:
        form: The posted fields (``service_code``, ``address_id`` or ``address_string``,
            ``description``, ``attribute[severity]``, ...); a field may be one value or a list
            of values (as web frameworks give repeated fields).
        hierarchy: Where the location is found.
        rules: The category table the service code must be in.
        request_id: The id to give the report (and the created service request).
        at: When the request was received (timezone-aware).

    Raises:
        Open311Error: Code 404 for an unknown ``service_code``; 400 for a missing service code
            or location, an unknown grid or address, an unknown attribute or severity.
        ValueError: ``at`` is naive.
    """
    if at.utcoffset() is None:
        msg = f"at must be timezone-aware, got {at.isoformat()}"
        raise ValueError(msg)
    code = _field(form, "service_code")
    if code is None:
        raise Open311Error(400, "service_code required")
    try:
        rules.category(code)
    except UnknownCategoryError:
        raise Open311Error(404, f"service_code {_short(code)} not found") from None
    unknown = sorted(
        key for key in form if key.startswith("attribute[") and key != _SEVERITY_ATTRIBUTE
    )
    if unknown:
        raise Open311Error(400, f"unknown attributes: {', '.join(unknown)} (metadata is false)")
    severity_text = _field(form, _SEVERITY_ATTRIBUTE)
    try:
        severity = None if severity_text is None else SeverityTier(severity_text)
    except ValueError:
        choices = ", ".join(s.value for s in SeverityTier)
        raise Open311Error(
            400, f"attribute[severity] {_short(severity_text)} is not one of {choices}"
        ) from None
    grid_id = _locate(hierarchy, _field(form, "address_id"), _field(form, "address_string"))
    return Report(
        id=request_id,
        grid_id=grid_id,
        category=code,
        severity=severity,
        at=at,
        description=_field(form, "description") or "",
    )


def _list(data: Any, what: str) -> list[Any]:
    if isinstance(data, Mapping):
        # Some servers wrap the array: {"services": [...]} / {"service_requests": [...]}.
        for key in ("services", "service_requests", "requests", "errors"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise DataError(what, [f"$: expected an array, got {type(data).__name__}"])
    return data


def _text(item: Mapping[str, Any], key: str, path: str, problems: list[str]) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    problems.append(f"{path}.{key}: expected text, got {type(value).__name__}")
    return None


def _number(item: Mapping[str, Any], key: str, path: str, problems: list[str]) -> float | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        problems.append(f"{path}.{key}: expected a number, got {str(value)[:40]!r}")
        return None
    return number


def _datetime(
    item: Mapping[str, Any], key: str, path: str, problems: list[str]
) -> _dt.datetime | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        problems.append(f"{path}.{key}: expected an ISO 8601 date-time with a UTC offset")
        return None
    return parsed


def parse_open311_services(data: Any) -> tuple[Open311Service, ...]:
    """Read a GeoReport v2 service list (``GET open311_services``, JSON form) from any server.

    Raises:
        DataError: Not a service list; each problem names its JSON path.
    """
    problems: list[str] = []
    read: list[Open311Service] = []
    for index, item in enumerate(_list(data, _SERVICE_LIST)):
        path = f"$[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{path}: expected an object")
            continue
        code = _text(item, "service_code", path, problems)
        name = _text(item, "service_name", path, problems)
        if code is None or name is None:
            problems.append(f"{path}: service_code and service_name are required")
            continue
        metadata = item.get("metadata", False)
        if not isinstance(metadata, bool):
            problems.append(f"{path}.metadata: expected true or false")
            continue
        read.append(
            Open311Service(
                service_code=code,
                service_name=name,
                description=_text(item, "description", path, problems),
                metadata=metadata,
                type=_text(item, "type", path, problems) or "realtime",
                keywords=_text(item, "keywords", path, problems),
                group=_text(item, "group", path, problems),
            )
        )
    if problems:
        raise DataError(_SERVICE_LIST, problems)
    return tuple(read)


def parse_open311_requests(data: Any) -> tuple[Open311ServiceRequest, ...]:
    """Read GeoReport v2 service requests (``GET requests``, JSON form) from any server.

    Raises:
        DataError: Not a list of service requests; each problem names its JSON path.
    """
    problems: list[str] = []
    read: list[Open311ServiceRequest] = []
    for index, item in enumerate(_list(data, _REQUESTS)):
        path = f"$[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{path}: expected an object")
            continue
        request_id = _text(item, "service_request_id", path, problems)
        status = item.get("status")
        if request_id is None:
            problems.append(f"{path}.service_request_id: required")
        if status not in ("open", "closed"):
            problems.append(f"{path}.status: expected 'open' or 'closed'")
        if request_id is None or status not in ("open", "closed"):
            continue
        texts = {
            key: _text(item, key, path, problems)
            for key in (
                "status_notes",
                "service_name",
                "service_code",
                "description",
                "agency_responsible",
                "service_notice",
                "address",
                "address_id",
                "zipcode",
                "media_url",
            )
        }
        read.append(
            Open311ServiceRequest(
                service_request_id=request_id,
                status=status,
                requested_datetime=_datetime(item, "requested_datetime", path, problems),
                updated_datetime=_datetime(item, "updated_datetime", path, problems),
                expected_datetime=_datetime(item, "expected_datetime", path, problems),
                lat=_number(item, "lat", path, problems),
                long=_number(item, "long", path, problems),
                **texts,
            )
        )
    if problems:
        raise DataError(_REQUESTS, problems)
    return tuple(read)


def parse_open311_post_response(data: Any) -> tuple[str | None, str | None, str | None]:
    """Read the answer to ``POST requests``: ``(service_request_id, token, service_notice)``.

    A server answers with the new request's id, or with a ``token`` to look the id up later.

    Raises:
        DataError: Not such an answer.
    """
    items = _list(data, _POST_ANSWER)
    if len(items) != 1 or not isinstance(items[0], Mapping):
        raise DataError(_POST_ANSWER, ["$: expected an array of one object"])
    problems: list[str] = []
    item = items[0]
    request_id = _text(item, "service_request_id", "$[0]", problems)
    token = _text(item, "token", "$[0]", problems)
    notice = _text(item, "service_notice", "$[0]", problems)
    if request_id is None and token is None:
        problems.append("$[0]: service_request_id or token required")
    if problems:
        raise DataError(_POST_ANSWER, problems)
    return request_id, token, notice


def parse_open311_errors(data: Any) -> tuple[Open311Error, ...]:
    """Read a GeoReport v2 error answer (``[{"code": 400, "description": "..."}]``).

    Raises:
        DataError: Not an error answer.
    """
    problems: list[str] = []
    errors: list[Open311Error] = []
    for index, item in enumerate(_list(data, _ERRORS)):
        path = f"$[{index}]"
        code = item.get("code") if isinstance(item, Mapping) else None
        description = item.get("description") if isinstance(item, Mapping) else None
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        if not isinstance(code, int) or isinstance(code, bool) or not isinstance(description, str):
            problems.append(f"{path}: expected {{code: integer, description: text}}")
            continue
        errors.append(Open311Error(code, description))
    if problems or not errors:
        raise DataError(_ERRORS, problems or ["$: no errors listed"])
    return tuple(errors)
