"""Repeat incidents 重复事件: the same category at the same place, again and again.

>>> from ruian_governance.analysis import repeat_incidents
>>> repeat_incidents([])
()
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case

from ._reading import Lifecycles, Reading

__all__ = ["RepeatIncident", "repeat_incidents"]


@attrs.frozen(kw_only=True)
class RepeatIncident:
    """Cases of one category at one place, each within a window of the one before.

    Args:
        location_id: The place (grid or micro-grid).
        category: The category.
        case_ids: The cases, oldest first.
        first: When the first was opened.
        last: When the last was opened.
    """

    location_id: str
    category: str
    case_ids: tuple[str, ...]
    first: datetime
    last: datetime


def repeat_incidents(
    cases: Iterable[Case],
    *,
    within: timedelta = timedelta(days=7),
    min_count: int = 2,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> tuple[RepeatIncident, ...]:
    """Find repeat incidents 重复事件: the same category at the same place, again and again.

    Cases are grouped by location and category and chained in opening order: a case opened
    within ``within`` of the one before joins its run.  Runs of at least ``min_count`` cases
    are returned, largest first.  Counted are the cases of the lifecycles in ``lifecycles``
    that open by a report (a ``REPORT`` trigger): the built-ins' events and disputes by default.

    Raises:
        AnalysisError: ``min_count`` below 2 or a window that is not positive.
    """
    if min_count < 2:
        raise AnalysisError(argument="min_count", problem=f"{min_count} must be at least 2")
    if within <= timedelta(0):
        raise AnalysisError(argument="within", problem="must be positive")
    kept = Reading.of(lifecycles).keys_opened_by(TriggerKind.REPORT)
    groups: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        if case.lifecycle in kept:
            groups[case.location_id, case.category].append(case)
    found: list[RepeatIncident] = []
    for (location, category), group in groups.items():
        group.sort(key=lambda c: (c.opened_at, c.id))
        runs = [[group[0]]]
        for case in group[1:]:
            if case.opened_at - runs[-1][-1].opened_at <= within:
                runs[-1].append(case)
            else:
                runs.append([case])
        found.extend(
            RepeatIncident(
                location_id=location,
                category=category,
                case_ids=tuple(c.id for c in run),
                first=run[0].opened_at,
                last=run[-1].opened_at,
            )
            for run in runs
            if len(run) >= min_count
        )
    return tuple(sorted(found, key=lambda r: (-len(r.case_ids), r.location_id, r.category)))
