"""Our data as Open311 GeoReport v2: the service list, service requests, and posted requests.

The category table becomes the service list (:func:`open311_services`); a case or a report not
yet opened becomes a service request (:func:`case_to_service_request`,
:func:`report_to_service_request`, both through one mapping); the fields of a ``POST
requests`` become a :class:`~ruian_governance.routing.Report` (:func:`report_from_service_request`).
See :mod:`ruian_governance.io.open311` for the mapping field by field.

>>> from ruian_governance import generate_hierarchy
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
>>> open311_address(h, "t0001.v001.g01", language="en")
'Example City/Town 1/Village 1/Grid 1'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import (
    ArgumentError,
    Open311Error,
    RouteError,
    UnknownCategoryError,
    UnknownIdError,
)
from ruian_governance.io.converter import _short as _repr
from ruian_governance.io.documents import STANDARD_REDACTION, Redaction
from ruian_governance.labels import Language
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import AdminUnit, Case, Hierarchy, HistoryRecord, Level
from ruian_governance.routing import Report, RoutingRules, SeverityTier, route

from .intake import nearest_grid
from .parsers import Open311Status

__all__ = [
    "case_to_service_request",
    "open311_address",
    "open311_jurisdiction",
    "open311_post_response",
    "open311_services",
    "report_from_service_request",
    "report_to_service_request",
]

_ADDRESS_SEPARATOR = "/"
"""Between the names of an address, city first."""
_REPORT_LEVELS = frozenset({Level.GRID, Level.MICRO_GRID})
_SEVERITY_ATTRIBUTE = "attribute[severity]"


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


def open311_jurisdiction(hierarchy: Hierarchy, jurisdiction_id: object = None) -> str:
    """Return the ``jurisdiction_id`` a server of ``hierarchy`` answers to: its city's id.

    An endpoint serving one jurisdiction may be called without a ``jurisdiction_id``; one that
    names another jurisdiction is refused as the spec answers an unknown one.

    Args:
        hierarchy: The hierarchy served.
        jurisdiction_id: The ``jurisdiction_id`` a request gave, if any.

    Raises:
        Open311Error: Code 404: ``jurisdiction_id`` is given and is not the city's id.

    >>> from ruian_governance import generate_hierarchy
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    >>> open311_jurisdiction(h), open311_jurisdiction(h, "city")
    ('city', 'city')
    >>> open311_jurisdiction(h, "gotham")
    Traceback (most recent call last):
    ...
    ruian_governance.errors.Open311Error: Open311 error 404: jurisdiction_id 'gotham' not found
    """
    if jurisdiction_id is not None and jurisdiction_id != hierarchy.city.id:
        raise Open311Error(404, f"jurisdiction_id {_short(jurisdiction_id)} not found")
    return hierarchy.city.id


def _name(entity: Any, language: Language) -> str:
    if language == "en":
        return str(getattr(entity, "name_en", "") or entity.name)
    return str(entity.name)


def _time(value: _dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _notes(record: HistoryRecord, definition: LifecycleDefinition, language: Language) -> str:
    try:
        text = definition.trigger(record.trigger).label.text(language)
    except LookupError:  # a trigger the definition does not know: its key
        text = record.trigger
    for key in ("reason", "result", "note", "terms"):
        value = record.get(key)
        if isinstance(value, str) and value:
            return f"{text}: {value}"
    return text


def _closed(case: Case, lifecycle: LifecycleDefinition) -> bool:
    """Closed from the moment the case reached a closing state (办结), or in a final state."""
    if case.state in lifecycle.final_states:
        return True
    closing = {s.key for s in lifecycle.states if s.closing}
    return any(record.dest in closing for record in case.history)


@attrs.frozen(kw_only=True)
class _Request:
    """What a case or a report says as a service request; :meth:`written` maps both alike."""

    id: str
    status: Open311Status
    notes: str | None
    category: str
    description: str | None
    handlers: tuple[str, ...] | None  # units handling it; None: not known (no route)
    requested: _dt.datetime | None
    updated: _dt.datetime | None
    expected: _dt.datetime | None
    location_id: str

    def written(
        self, hierarchy: Hierarchy, rules: RoutingRules, language: Language
    ) -> dict[str, Any]:
        """The GeoReport v2 service request, its fields in the spec's order.

        The order is :data:`~ruian_governance.io.open311.OPEN311_REQUEST_FIELDS`.
        """
        try:
            service_name: str | None = rules.category(self.category).label.text(language)
        except UnknownCategoryError:
            service_name = None
        separator = "、" if language == "zh" else ", "
        agency = (
            None
            if self.handlers is None
            else separator.join(_name(hierarchy.get(unit), language) for unit in self.handlers)
        )
        return {
            "service_request_id": self.id,
            "status": self.status,
            "status_notes": self.notes,
            "service_name": service_name,
            "service_code": self.category,
            "description": self.description,
            "agency_responsible": agency,
            "service_notice": None,
            "requested_datetime": _time(self.requested),
            "updated_datetime": _time(self.updated),
            "expected_datetime": _time(self.expected),
            "address": open311_address(hierarchy, self.location_id, language=language),
            "address_id": self.location_id,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }


def case_to_service_request(  # noqa: PLR0913 - keyword-only options
    case: Case,
    *,
    hierarchy: Hierarchy,
    rules: RoutingRules,
    lifecycle: LifecycleDefinition,
    language: Language = "zh",
    redaction: Redaction | None = STANDARD_REDACTION,
    jurisdiction_id: str | None = None,
) -> dict[str, Any]:
    """Return a case as a GeoReport v2 service request (one item of ``GET requests``).

    ``status`` is ``"closed"`` from the moment the case reaches a closing state of its
    lifecycle (办结, also when solved on the spot) or a final one (e.g. not accepted), else
    ``"open"``.  The ``GET requests`` feed is public: personal data in ``description`` and
    ``status_notes`` is masked by ``redaction`` (default :data:`STANDARD_REDACTION`: parties'
    names, phone and identity-card numbers).

    Args:
        case: The case.
        hierarchy: Where its units' names are found.
        rules: The category table (for the service name).
        lifecycle: The case's lifecycle definition (its closing and final states).
        language: The language of names and notes.
        redaction: The redaction policy of the public feed; ``None`` shows the text as stored
            (for a non-public, authenticated feed only).
        jurisdiction_id: The ``jurisdiction_id`` the request gave, if any.

    Raises:
        ArgumentError: ``lifecycle`` is not the case's lifecycle.
        UnknownIdError: A unit of the case is not in ``hierarchy``.
        Open311Error: Code 404: ``jurisdiction_id`` is not the hierarchy's.
    """
    open311_jurisdiction(hierarchy, jurisdiction_id)
    if lifecycle.key != case.lifecycle:
        reason = f"the lifecycle of case {case.id!r} ({case.lifecycle!r})"
        raise ArgumentError("lifecycle", lifecycle.key, reason)  # noqa: EM101 - a name
    description = case.history[0].get("description")
    notes = _notes(case.last, lifecycle, language)
    if redaction is not None:
        names = redaction.names_of(case)
        notes = redaction.text(notes, names=names)
        if isinstance(description, str):
            description = redaction.text(description, names=names)
    return _Request(
        id=case.id,
        status="closed" if _closed(case, lifecycle) else "open",
        notes=notes,
        category=case.category,
        description=description if isinstance(description, str) else None,
        handlers=case.assignees or (case.unit_id,),
        requested=case.history[0].at,
        updated=case.last.at,
        expected=case.due_at,
        location_id=case.location_id,
    ).written(hierarchy, rules, language)


def report_to_service_request(  # noqa: PLR0913 - keyword-only options
    report: Report,
    *,
    hierarchy: Hierarchy,
    rules: RoutingRules,
    language: Language = "zh",
    redaction: Redaction | None = STANDARD_REDACTION,
    jurisdiction_id: str | None = None,
) -> dict[str, Any]:
    """Return a report not yet opened as a case as an open GeoReport v2 service request.

    ``agency_responsible`` names the units its route hands it to (``null`` if it cannot be
    routed); there is no deadline yet, so ``expected_datetime`` is ``null``.  Phone and
    identity-card numbers in the description are masked by ``redaction`` (default
    :data:`STANDARD_REDACTION`; ``None`` for a non-public feed).

    Raises:
        UnknownIdError: The report's grid is not in ``hierarchy``.
        Open311Error: Code 404: ``jurisdiction_id`` is not the hierarchy's.
    """
    open311_jurisdiction(hierarchy, jurisdiction_id)
    try:
        handlers: tuple[str, ...] | None = route(hierarchy, rules, report).handlers
    except RouteError:
        handlers = None
    description = report.description
    if redaction is not None:
        description = redaction.text(description)
    return _Request(
        id=report.id,
        status="open",
        notes=None,
        category=report.category,
        description=description or None,
        handlers=handlers,
        requested=report.at,
        updated=report.at,
        expected=None,
        location_id=report.grid_id,
    ).written(hierarchy, rules, language)


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


# --------------------------------------------------------------------------- a posted request


def _field(form: Mapping[str, Any], key: str) -> str | None:
    """A form field as one string: the first of repeated values, numbers as text."""
    value = form.get(key)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray):
        value = value[0] if value else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Open311Error(400, f"{key} must be text")
    text = str(value).strip()
    return text or None


def _short(value: object, limit: int = 60) -> str:
    return _repr(value, limit)


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


def _locate(
    hierarchy: Hierarchy,
    address_id: str | None,
    address_string: str | None,
    point: tuple[str | None, str | None, Mapping[str, tuple[float, float]] | None] = (
        None,
        None,
        None,
    ),
) -> str:
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
    lat, long, centroids = point
    if centroids is not None and lat is not None and long is not None:
        try:
            found = nearest_grid(centroids, lat, long)
        except ArgumentError:
            raise Open311Error(400, f"lat/long {_short((lat, long))} is not a point") from None
        if found is None or found not in hierarchy:
            raise Open311Error(400, f"lat/long {_short((lat, long))} is in no known grid")
        return found
    raise Open311Error(
        400,
        "address_id or address_string required (or lat/long with grid centroids): "
        "the hierarchy has no coordinates",
    )


def report_from_service_request(  # noqa: PLR0913 - the form and keyword-only context
    form: Mapping[str, Any],
    *,
    hierarchy: Hierarchy,
    rules: RoutingRules,
    request_id: str,
    at: _dt.datetime,
    grid_centroids: Mapping[str, tuple[float, float]] | None = None,
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
        grid_centroids: Grid centroids ``{grid_id: (lat, long)}`` kept beside the hierarchy;
            with them a request giving only ``lat``/``long`` is located in the grid of the
            nearest centroid within :data:`~ruian_governance.io.open311.intake.GRID_RADIUS_KM`
            (:func:`~ruian_governance.io.open311.intake.nearest_grid`).

    Raises:
        Open311Error: Code 404 for an unknown ``service_code`` or ``jurisdiction_id`` (not
            the hierarchy's city, :func:`open311_jurisdiction`); 400 for a field name that is
            not text, a field value that is not text, a missing service code or location, an
            unknown grid or address, an unknown attribute or severity.
        ArgumentError: ``form`` is not a mapping, or ``at`` is not a timezone-aware datetime.
    """
    require_aware(at, "at")
    if not isinstance(form, Mapping):
        raise ArgumentError("form", form, "a mapping of the posted fields")  # noqa: EM101
    names = [key for key in form if not isinstance(key, str)]
    if names:
        raise Open311Error(400, f"field names must be text, got {_short(names[0])}")
    open311_jurisdiction(hierarchy, _field(form, "jurisdiction_id"))
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
    point = (_field(form, "lat"), _field(form, "long"), grid_centroids)
    grid_id = _locate(hierarchy, _field(form, "address_id"), _field(form, "address_string"), point)
    return Report(
        id=request_id,
        grid_id=grid_id,
        category=code,
        severity=severity,
        at=at,
        description=_field(form, "description") or "",
    )
