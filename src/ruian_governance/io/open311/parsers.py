"""The GeoReport v2 records and fields, and reading any server's answers (JSON form) into them.

Service lists, service requests, the answer to ``POST requests`` and error answers; every
problem found is reported at once in a :class:`~ruian_governance.errors.DataError` naming its
JSON path.  Some servers wrap their arrays (``{"services": [...]}``): that is read too.

>>> parse_open311_services([{"service_code": "001", "service_name": "Cans left out"}])[0]
Open311Service(service_code='001', service_name='Cans left out', description=None, \
metadata=False, type='realtime', keywords=None, group=None)
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from ruian_governance.errors import DataError, Open311Error

__all__ = [
    "OPEN311_REQUEST_FIELDS",
    "OPEN311_SERVICE_FIELDS",
    "Open311Service",
    "Open311ServiceRequest",
    "Open311Status",
    "parse_open311_errors",
    "parse_open311_post_response",
    "parse_open311_requests",
    "parse_open311_services",
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

_REQUEST_TEXTS = tuple(
    key
    for key in OPEN311_REQUEST_FIELDS
    if key not in ("service_request_id", "status", "lat", "long") and not key.endswith("_datetime")
)
"""The text fields of a service request (every field but its id, status, times and place)."""

_SERVICE_LIST = "Open311 service list"
_REQUESTS = "Open311 service requests"
_POST_ANSWER = "Open311 POST answer"
_ERRORS = "Open311 errors"


# --------------------------------------------------------------------------- records


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


# --------------------------------------------------------------------------- reading


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


def _objects(data: Any, what: str, problems: list[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The objects of an answer's array with their JSON paths; other items are problems."""
    for index, item in enumerate(_list(data, what)):
        path = f"$[{index}]"
        if isinstance(item, Mapping):
            yield path, item
        else:
            problems.append(f"{path}: expected an object")


def parse_open311_services(data: Any) -> tuple[Open311Service, ...]:
    """Read a GeoReport v2 service list (``GET open311_services``, JSON form) from any server.

    Raises:
        DataError: Not a service list; each problem names its JSON path.
    """
    problems: list[str] = []
    read: list[Open311Service] = []
    for path, item in _objects(data, _SERVICE_LIST, problems):
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
    for path, item in _objects(data, _REQUESTS, problems):
        request_id = _text(item, "service_request_id", path, problems)
        status = item.get("status")
        if request_id is None:
            problems.append(f"{path}.service_request_id: required")
        if status not in ("open", "closed"):
            problems.append(f"{path}.status: expected 'open' or 'closed'")
        if request_id is None or status not in ("open", "closed"):
            continue
        texts = {key: _text(item, key, path, problems) for key in _REQUEST_TEXTS}
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
