"""Timeliness 时效研判: warning lights by level, paused time, extensions, joint handling.

A pure function of cases, a time and the lifecycle definitions: the open cases by warning
level 亮灯预警 at that time, the cases paused 挂起 and the working time their pauses credit,
the extensions 延期 granted, and the cases handled jointly 联办 (dispatched to several units).
Like the rest of the analysis it reads trigger kinds and state flags, never a trigger's key.

>>> from datetime import timedelta
>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> config = SimulationConfig(hierarchy=h, days=14, seed=1)
>>> figures = timeliness(simulate(config).cases, config.start + timedelta(days=14))
>>> sum(figures.warnings.values()) == figures.total
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.lifecycles import (
    BUILTIN_LIFECYCLES,
    TriggerKind,
    WarningLevel,
    paused_time,
    warning_level,
)
from ruian_governance.models import Case, unit_ids

from ._reading import Lifecycles, Reading

__all__ = ["Timeliness", "timeliness"]


@attrs.frozen(kw_only=True)
class Timeliness:
    """The timeliness figures of a set of cases at a time (see :func:`timeliness`).

    Args:
        at: The time the figures are taken at.
        total: The cases counted.
        warnings: Cases by warning level value (``"none"`` for cases whose clock does not
            run: closed, final), every level present.
        paused: Cases paused 挂起 at least once.
        paused_now: Cases paused at ``at``.
        paused_time: The working time their pauses credit, in all.
        extended: Cases granted at least one extension 延期.
        extensions: Extensions granted, in all.
        joint: Cases dispatched to several units at once 联办.
    """

    at: datetime
    total: int
    warnings: Mapping[str, int]
    paused: int
    paused_now: int
    paused_time: timedelta
    extended: int
    extensions: int
    joint: int

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON-ready data (times ISO 8601, paused time in hours)."""
        return {
            "at": self.at.isoformat(),
            "total": self.total,
            "warnings": dict(self.warnings),
            "paused": self.paused,
            "paused_now": self.paused_now,
            "paused_hours": round(self.paused_time / timedelta(hours=1), 2),
            "extended": self.extended,
            "extensions": self.extensions,
            "joint": self.joint,
        }


def timeliness(
    cases: Iterable[Case], at: datetime, *, lifecycles: Lifecycles = BUILTIN_LIFECYCLES
) -> Timeliness:
    """Count warning levels, paused time, extensions and joint handling at ``at``.

    Only what the cases' histories tell up to ``at`` is read for paused time; the warning
    level is :func:`~ruian_governance.lifecycles.warning_level` of each case at ``at``.

    Raises:
        ArgumentError: ``at`` is naive.
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    require_aware(at, "at")
    reading = Reading.of(lifecycles)
    levels = dict.fromkeys((level.value for level in WarningLevel), 0)
    total = paused = paused_now = extended = extensions = joint = 0
    credited = timedelta(0)
    for case in cases:
        meaning = reading.of_case(case)
        definition = meaning.definition
        total += 1
        levels[warning_level(case, at, definition).value] += 1
        pausing = meaning.triggers[TriggerKind.PAUSE]
        granting = meaning.triggers[TriggerKind.EXTEND]
        dispatching = meaning.triggers[TriggerKind.DISPATCH]
        if any(r.trigger in pausing for r in case.history):
            paused += 1
            credited += paused_time(case, definition, at)
        paused_now += definition.state(case.state).paused
        granted = sum(r.trigger in granting for r in case.history)
        extensions += granted
        extended += granted > 0
        joint += any(
            r.trigger in dispatching and len(unit_ids(r.get("units")) or ()) > 1
            for r in case.history
        )
    return Timeliness(
        at=at,
        total=total,
        warnings=MappingProxyType(levels),
        paused=paused,
        paused_now=paused_now,
        paused_time=credited,
        extended=extended,
        extensions=extensions,
        joint=joint,
    )
