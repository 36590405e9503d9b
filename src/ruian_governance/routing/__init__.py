"""Routing: which unit of the 141 system acts on a report, at which level.

- :mod:`~ruian_governance.routing.rules`: severity tiers (一般 / 较大 / 重大), category tables
  and reports;
- :mod:`~ruian_governance.routing.graph`: the routing graph (a plain ``networkx.DiGraph``) and
  its edge kinds;
- :mod:`~ruian_governance.routing.router`: the precomputed :class:`Router`, routes and hops,
  escalation paths;
- :mod:`~ruian_governance.routing.verify`: :func:`verify`, which lists every gap of a
  configuration.
"""

from __future__ import annotations

from .graph import BACKWARD_EDGE_KINDS, EdgeKind, edge_kinds, routing_graph
from .router import Hop, Route, Router, escalation_path, route
from .rules import Category, Report, RoutingRules, SeverityTier, check_rules
from .verify import Gap, GapKind, VerificationReport, verify

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
