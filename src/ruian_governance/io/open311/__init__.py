"""Open311 GeoReport v2: the category table as a service list, cases as service requests.

GeoReport v2 is the open standard citizen apps and hotlines use to file and follow requests
(JSON form here).  The mapping:

- **Service list** (``GET open311_services``): one service per routing category (事项类别):
  ``service_code`` is the category key, ``service_name`` its label, ``group`` its lead platform
  (牵头平台), ``keywords`` its English and Chinese names, ``metadata`` false (no extra
  attributes), ``type`` ``"realtime"``.
- **Service requests** (``GET requests``): a case becomes one request: ``status`` is
  ``"closed"`` from the moment it reaches a closing state of its lifecycle (办结, also when
  solved on the spot) or a final one, and ``"open"`` otherwise; ``agency_responsible``
  is the name of the units handling it (its assignees, else its holding unit 承办单位);
  ``expected_datetime`` its deadline (``due_at``); ``requested_datetime`` and
  ``updated_datetime`` the times of its first and latest history records; ``status_notes`` the
  latest record (trigger, and its reason or result if any); ``address`` the name path of its
  location and ``address_id`` the location's id.  The hierarchy has no coordinates: ``lat`` and
  ``long`` are written as ``null``.  The feed is public: personal data in ``description``
  and ``status_notes`` (parties' names, phone and identity-card numbers) is masked by a
  :class:`~ruian_governance.io.Redaction` (on by default).
- **Jurisdiction**: a server answers to one ``jurisdiction_id``, its city's id
  (:func:`open311_jurisdiction`); another one is refused with code 404.
- **Posting a request** (``POST requests``): the form fields become a
  :class:`~ruian_governance.Report` that routes like any other.  The location is ``address_id``
  (a grid or micro-grid id) or ``address_string`` (a name path as written in ``address``);
  ``lat`` / ``long`` locate the grid when the integrator gives grid centroids
  (:func:`nearest_grid`), and are otherwise accepted and ignored.
  ``attribute[severity]`` may give the severity tier (ordinary / larger / major); contact
  fields (``email``, ``phone``, names, ``device_id``, ``account_id``) are accepted and not kept:
  the report holds no personal data of citizens.
- **Errors** are :class:`~ruian_governance.errors.Open311Error` (``code`` and
  ``description``), written and read in the spec's error format.
- **Reading other servers**: the ``parse_open311_*`` functions read any server's service list,
  service requests, ``POST`` answer and errors into :class:`Open311Service` and
  :class:`Open311ServiceRequest` records.

:mod:`~ruian_governance.io.open311.mapping` writes our data and reads a posted request;
:mod:`~ruian_governance.io.open311.parsers` reads other servers' answers;
:mod:`~ruian_governance.io.open311.intake` opens a citizen's report as a case
(:func:`open_citizen_report`, refusing a category the rules do not define) and finds the grid
of a point.

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

from .intake import GRID_RADIUS_KM, nearest_grid, open_citizen_report
from .mapping import (
    case_to_service_request,
    open311_address,
    open311_jurisdiction,
    open311_post_response,
    open311_services,
    report_from_service_request,
    report_to_service_request,
)
from .parsers import (
    OPEN311_REQUEST_FIELDS,
    OPEN311_SERVICE_FIELDS,
    Open311Service,
    Open311ServiceRequest,
    Open311Status,
    parse_open311_errors,
    parse_open311_post_response,
    parse_open311_requests,
    parse_open311_services,
)

__all__ = [
    "GRID_RADIUS_KM",
    "OPEN311_REQUEST_FIELDS",
    "OPEN311_SERVICE_FIELDS",
    "Open311Service",
    "Open311ServiceRequest",
    "Open311Status",
    "case_to_service_request",
    "nearest_grid",
    "open311_address",
    "open311_jurisdiction",
    "open311_post_response",
    "open311_services",
    "open_citizen_report",
    "parse_open311_errors",
    "parse_open311_post_response",
    "parse_open311_requests",
    "parse_open311_services",
    "report_from_service_request",
    "report_to_service_request",
]
