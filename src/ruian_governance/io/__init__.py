"""Data in and out: documents, schemas, JSON lines, Open311 and diagrams.

JSON documents of every model (cattrs), JSON Schemas, JSON lines of cases, the Open311
GeoReport v2 mapping, and diagrams of lifecycles and routing.
"""

from __future__ import annotations

from .converter import (
    BUILTIN_CODE,
    MAX_NESTING,
    CodeRegistry,
    configure_converter,
    make_converter,
)
from .documents import (
    DOCUMENT_KINDS,
    FORMAT_VERSION,
    FORMAT_VERSIONS,
    ID_CARD_PATTERN,
    LANDLINE_PATTERN,
    MIGRATIONS,
    MOBILE_PATTERN,
    PERSONAL_DATA_KEYS,
    STANDARD_REDACTION,
    Migration,
    Redaction,
    dumps,
    from_document,
    loads,
    migrate,
    redact,
    to_document,
)
from .jsonl import (
    read_cases,
    write_cases,
)
from .open311 import (
    OPEN311_REQUEST_FIELDS,
    OPEN311_SERVICE_FIELDS,
    Open311Service,
    Open311ServiceRequest,
    Open311Status,
    case_to_service_request,
    open311_address,
    open311_jurisdiction,
    open311_post_response,
    open311_services,
    parse_open311_errors,
    parse_open311_post_response,
    parse_open311_requests,
    parse_open311_services,
    report_from_service_request,
    report_to_service_request,
)
from .render._text import printable
from .render.lifecycle import (
    lifecycle_to_dot,
    lifecycle_to_mermaid,
)
from .render.routing import (
    route_graph,
    routing_from_node_link,
    routing_to_dot,
    routing_to_graphml,
    routing_to_mermaid,
    routing_to_node_link,
    town_routing_graph,
)
from .schemas import (
    document_schema,
    json_schema,
    shipped_schema,
)

__all__ = [
    "BUILTIN_CODE",
    "DOCUMENT_KINDS",
    "FORMAT_VERSION",
    "FORMAT_VERSIONS",
    "ID_CARD_PATTERN",
    "LANDLINE_PATTERN",
    "MAX_NESTING",
    "MIGRATIONS",
    "MOBILE_PATTERN",
    "OPEN311_REQUEST_FIELDS",
    "OPEN311_SERVICE_FIELDS",
    "PERSONAL_DATA_KEYS",
    "STANDARD_REDACTION",
    "CodeRegistry",
    "Migration",
    "Open311Service",
    "Open311ServiceRequest",
    "Open311Status",
    "Redaction",
    "case_to_service_request",
    "configure_converter",
    "document_schema",
    "dumps",
    "from_document",
    "json_schema",
    "lifecycle_to_dot",
    "lifecycle_to_mermaid",
    "loads",
    "make_converter",
    "migrate",
    "open311_address",
    "open311_jurisdiction",
    "open311_post_response",
    "open311_services",
    "parse_open311_errors",
    "parse_open311_post_response",
    "parse_open311_requests",
    "parse_open311_services",
    "printable",
    "read_cases",
    "redact",
    "report_from_service_request",
    "report_to_service_request",
    "route_graph",
    "routing_from_node_link",
    "routing_to_dot",
    "routing_to_graphml",
    "routing_to_mermaid",
    "routing_to_node_link",
    "shipped_schema",
    "to_document",
    "town_routing_graph",
    "write_cases",
]
