"""Routing: which unit of the 141 system acts on a report, at which level.

Category tables and severity tiers (一般 / 较大 / 重大), the routing graph (a plain
``networkx.DiGraph``), the precomputed :class:`Router` and :func:`verify`, which lists every gap
of a configuration.
"""

from __future__ import annotations

from .router import (
    BACKWARD_EDGE_KINDS,
    Category,
    EdgeKind,
    Gap,
    GapKind,
    Hop,
    Report,
    Route,
    Router,
    RoutingRules,
    SeverityTier,
    VerificationReport,
    check_rules,
    edge_kinds,
    escalation_path,
    route,
    routing_graph,
    verify,
)

__all__ = [
    "BACKWARD_EDGE_KINDS",
    "Category",
    "EdgeKind",
    "Gap",
    "GapKind",
    "Hop",
    "Report",
    "Route",
    "Router",
    "RoutingRules",
    "SeverityTier",
    "VerificationReport",
    "check_rules",
    "edge_kinds",
    "escalation_path",
    "route",
    "routing_graph",
    "verify",
]
