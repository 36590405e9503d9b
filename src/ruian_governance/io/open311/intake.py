"""Opening a citizen's report as a case, and finding the grid of a point.

:func:`open_citizen_report` opens an event from a :class:`~ruian_governance.Report` (e.g. one
read from a posted GeoReport request) with the ``intake`` trigger 群众来件受理 of the event
closed loop: the routing rules are known here, so a category they do not define is refused
before the case exists (:class:`~ruian_governance.errors.UnknownCategoryError`), and a feed of
service requests never shows a case without a service name.

:func:`nearest_grid` locates a point (``lat``/``long``) by grid centroids an integrator keeps
beside the hierarchy (the hierarchy itself holds no geometry): the nearest centroid within a
distance.

>>> nearest_grid({"g1": (27.78, 120.65), "g2": (27.80, 120.70)}, 27.781, 120.651)
'g1'
>>> nearest_grid({"g1": (27.78, 120.65)}, 28.5, 121.0) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ruian_governance._convert import require_aware
from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case
from ruian_governance.routing import Report, RoutingRules

__all__ = ["GRID_RADIUS_KM", "nearest_grid", "open_citizen_report"]

GRID_RADIUS_KM = 3.0
"""How far from a grid's centroid a point is still taken to be in it (a design choice: a
rural grid of Rui'an is a few square kilometres)."""

_EARTH_KM = 6371.0


def _point(lat: object, long: object) -> tuple[float, float]:
    try:
        la, lo = float(lat), float(long)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        argument = "lat/long"
        raise ArgumentError(argument, (lat, long), "numbers") from None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        argument = "lat/long"
        raise ArgumentError(argument, (lat, long), "a latitude and a longitude in degrees")
    return la, lo


def _centroid(grid_id: str, value: object) -> tuple[float, float]:
    if not isinstance(value, tuple) or len(value) != 2:
        argument = f"centroids[{grid_id!r}]"
        raise ArgumentError(argument, value, "a (lat, long) pair")
    return _point(*value)


def _need_mapping(value: object) -> None:
    if not isinstance(value, Mapping):
        argument = "centroids"
        raise ArgumentError(argument, value, "a mapping of grid ids to (lat, long)")


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two points in degrees (haversine), in km."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest_grid(
    centroids: Mapping[str, tuple[float, float]],
    lat: object,
    long: object,
    *,
    radius_km: float = GRID_RADIUS_KM,
) -> str | None:
    """The id of the grid whose centroid is nearest the point, if within ``radius_km``.

    Ties go to the smaller id.  ``None`` when no centroid is near enough (or none is given).

    Raises:
        ArgumentError: ``lat``/``long`` are not a latitude and longitude in degrees, a
            centroid is not, ``centroids`` is not a mapping, or ``radius_km`` is not a
            positive number.
    """
    point = _point(lat, long)
    if (
        isinstance(radius_km, bool)
        or not isinstance(radius_km, int | float)
        or not math.isfinite(radius_km)
        or radius_km <= 0
    ):
        argument = "radius_km"
        raise ArgumentError(argument, radius_km, "a positive number of kilometres")
    _need_mapping(centroids)
    best: tuple[float, str] | None = None
    for grid_id, centroid in centroids.items():
        distance = _km(point, _centroid(grid_id, centroid))
        if distance <= radius_km and (best is None or (distance, str(grid_id)) < best):
            best = (distance, str(grid_id))
    return None if best is None else best[1]


def open_citizen_report(  # noqa: PLR0913 - the report and the intake's parts, keyword-only
    engine: Engine,
    report: Report,
    *,
    rules: RoutingRules,
    actor: Actor,
    channel: str,
    reporter: str,
    case_id: str | None = None,
) -> Case:
    """Open the event a citizen reported 群众来件 (``intake``), refusing unknown categories.

    Args:
        engine: The engine (its event lifecycle must have the ``intake`` trigger).
        report: The report; its ``at`` is when the case opens, its severity (or the
            category's default) the case's tier.
        rules: The routing rules the category must be in.
        actor: The command room operator or centre officer registering it.
        channel: ``"app"``, ``"hotline"`` (12345) or ``"window"`` (一窗受理).
        reporter: The citizen's reference (not a name, phone or identity-card number).
        case_id: The case's id (default: the report's id).

    Returns:
        The case, not stored: give it to a store's ``add`` (or open through
        ``store.open`` with the same facts).

    Raises:
        UnknownCategoryError: The report's category is not in ``rules`` (nothing is opened).
        ArgumentError: The report has no time.
        GuardFailedError, JurisdictionError, ...: As for :meth:`~ruian_governance.Engine.open`
            (an unknown channel, a reporter reference that looks like personal data).
    """
    category = rules.category(report.category)  # UnknownCategoryError before anything else
    if report.at is None:
        argument = "report.at"
        raise ArgumentError(argument, None, "the time the report was made")
    require_aware(report.at, "report.at")
    severity = report.severity or category.default_severity
    extra: dict[str, str] = {}
    text = " ".join(report.description.split())[:2000]
    if text:
        extra["description"] = text
    return engine.open(
        "event",
        case_id=case_id or report.id,
        trigger="intake",
        actor=actor,
        at=report.at,
        location_id=report.grid_id,
        category=report.category,
        severity=severity.value,
        channel=channel,
        reporter=(reporter,),
        **extra,
    )
