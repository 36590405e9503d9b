"""Volumes 案件量: cases opened per time window, by town, platform, station, category or lifecycle.

>>> from datetime import datetime
>>> from ruian_governance import CHINA_STANDARD_TIME
>>> from ruian_governance.analysis import volumes
>>> volumes([], "category", start=datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME)).counts
{}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES
from ruian_governance.models import Case, Hierarchy, Station

from ._reading import Lifecycles, Reading

__all__ = ["VOLUME_KEYS", "Volumes", "volumes"]

VOLUME_KEYS = ("town", "platform", "station", "category", "lifecycle")
"""What :func:`volumes` can count by."""


@attrs.frozen(kw_only=True)
class Volumes:
    """Case counts per key and time window.

    Args:
        by: What was counted by (one of :data:`VOLUME_KEYS`).
        start: Start of the first window.
        window: Length of each window.
        counts: For each key, the count in each window, oldest first.
    """

    by: str
    start: datetime
    window: timedelta
    counts: Mapping[str, tuple[int, ...]]

    @property
    def windows(self) -> tuple[datetime, ...]:
        """The start of each window."""
        n = max((len(v) for v in self.counts.values()), default=0)
        return tuple(self.start + i * self.window for i in range(n))

    def totals(self) -> dict[str, int]:
        """The count of each key over all windows, largest first."""
        totals = {k: sum(v) for k, v in self.counts.items()}
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


def _keys(case: Case, by: str, hierarchy: Hierarchy | None, reading: Reading) -> tuple[str, ...]:
    if by == "category":
        return (case.category,)
    if by == "lifecycle":
        return (case.lifecycle,)
    if hierarchy is None:
        raise AnalysisError(argument="hierarchy", problem=f"counting by {by!r} needs the hierarchy")
    if by == "town":
        town = hierarchy.town_of(case.location_id)
        return (hierarchy.city.id if town is None else town.id,)
    handlers = reading.of_case(case).handlers(case)
    if by == "station":
        return handlers
    platforms = []
    for unit in handlers:
        node = hierarchy.get(unit)
        if isinstance(node, Station):
            platforms.append(node.platform_id)
    return tuple(dict.fromkeys(platforms))


def volumes(  # noqa: PLR0913 - the cases, the key, the windows and what they need
    cases: Iterable[Case],
    by: str,
    *,
    start: datetime,
    window: timedelta = timedelta(days=7),
    windows: int | None = None,
    hierarchy: Hierarchy | None = None,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> Volumes:
    """Count cases opened per window, by town, platform, station, category or lifecycle.

    A case counts once per key: by ``town`` the town of its location (the city id for a case
    located at the city); by ``station`` every unit it was last dispatched to (the ``units`` of
    its last ``DISPATCH`` record: stations, and departments for major events); by ``platform``
    the platforms of those stations.  Cases opened before ``start`` are left out.

    Args:
        cases: The cases.
        by: One of :data:`VOLUME_KEYS`.
        start: Start of the first window.
        window: Length of a window (default a week).
        windows: Number of windows (default: up to the last case opened).
        hierarchy: Needed by town, platform and station.
        lifecycles: The definitions of the cases' lifecycles (read by platform and station).

    Raises:
        AnalysisError: Unknown ``by``, a window that is not positive, or no hierarchy where
            one is needed.
        UnknownIdError: By platform or station, a case's lifecycle is not in ``lifecycles``.
    """
    if by not in VOLUME_KEYS:
        raise AnalysisError(argument="by", problem=f"{by!r} is not one of {', '.join(VOLUME_KEYS)}")
    if window <= timedelta(0):
        raise AnalysisError(argument="window", problem="must be positive")
    reading = Reading.of(lifecycles)
    slots: dict[str, Counter[int]] = defaultdict(Counter)
    last = -1
    for case in cases:
        if case.opened_at < start:
            continue
        i = int((case.opened_at - start) / window)
        if windows is not None and i >= windows:
            continue
        last = max(last, i)
        for key in _keys(case, by, hierarchy, reading):
            slots[key][i] += 1
    n = windows if windows is not None else last + 1
    counts = {k: tuple(c[i] for i in range(n)) for k, c in sorted(slots.items())}
    return Volumes(by=by, start=start, window=window, counts=counts)
