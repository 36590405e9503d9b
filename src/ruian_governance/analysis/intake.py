"""Figures of intake and honest evaluation: merged share, rework rate, citizen satisfaction.

The event closed loop's intake section (:mod:`ruian_governance.lifecycles.builtin.intake`)
names its triggers; these figures read them through the views of
:mod:`ruian_governance.lifecycles.builtin.casework` and :data:`INTAKE_TRIGGERS`, so an
extension of the event lifecycle that keeps the section is counted the same way.

>>> intake_figures([]).merged
Rate(count=0, total=0)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import reporters
from ruian_governance.models import Case

from .rates import Rate

__all__ = ["INTAKE_TRIGGERS", "IntakeFigures", "intake_figures"]

INTAKE_TRIGGERS: Mapping[str, str] = MappingProxyType(
    {
        "intake": "intake",
        "merge": "merge",
        "withdraw": "withdraw",
        "withdraw_citizen": "withdraw_citizen",
        "rework": "rework",
        "spot_check": "spot_check",
        "fail_spot_check": "fail_spot_check",
        "callback": "callback",
        "close": "close",
        "solve_on_spot": "solve_on_spot",
    }
)
"""The trigger of each figure, by role (the event lifecycle's keys)."""


def _frozen(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class IntakeFigures:
    """Intake and honest-evaluation figures of a selection of cases.

    Args:
        cases: Cases counted (those with the intake section's triggers in their lifecycle:
            every case given whose lifecycle is ``lifecycle``).
        by_channel: Citizens' reports 群众来件 by channel (``app``, ``hotline``, ``window``).
        merged: Cases merged into another 重复件合并, of all cases.
        withdrawn: Cases withdrawn 撤件, of all cases.
        reporters_per_case: Mean reporters per case that took duplicates (``None`` if none).
        reworked: Cases sent back for rework 重办 at least once, of cases closed at least once.
        spot_checked: On-the-spot solutions spot-checked 抽查, of on-the-spot solutions.
        spot_check_failed: Spot checks that failed, of spot checks.
        citizen_satisfaction: Callbacks 回访 with a satisfaction of 4 or 5, of callbacks
            (recorded apart from the grid's evaluation 评价).
    """

    cases: int
    by_channel: Mapping[str, int] = attrs.field(converter=_frozen)
    merged: Rate
    withdrawn: Rate
    reporters_per_case: float | None
    reworked: Rate
    spot_checked: Rate
    spot_check_failed: Rate
    citizen_satisfaction: Rate


def _need_case(value: object) -> None:
    if not isinstance(value, Case):
        argument = "cases"
        raise ArgumentError(argument, value, "cases only")


def intake_figures(cases: Iterable[Case], *, lifecycle: str = "event") -> IntakeFigures:
    """Count intake, duplicates, withdrawals, rework, spot checks and callbacks.

    A pure function over the cases' histories; cases of other lifecycles are skipped.

    Raises:
        ArgumentError: An item of ``cases`` is not a case.
    """
    t = INTAKE_TRIGGERS
    channels: Counter[str] = Counter()
    total = merged = withdrawn = closed = reworked = 0
    solved = checked = failed = calls = happy = 0
    taking: list[int] = []
    for case in cases:
        _need_case(case)
        if case.lifecycle != lifecycle:
            continue
        total += 1
        triggers = Counter(r.trigger for r in case.history)
        first = case.history[0]
        if first.trigger == t["intake"]:
            channel = first.get("channel")
            channels[channel if isinstance(channel, str) else "?"] += 1
        merged += triggers[t["merge"]] > 0
        withdrawn += (triggers[t["withdraw"]] + triggers[t["withdraw_citizen"]]) > 0
        closed += (triggers[t["close"]] + triggers[t["solve_on_spot"]]) > 0
        reworked += triggers[t["rework"]] > 0
        solved += triggers[t["solve_on_spot"]]
        checked += triggers[t["spot_check"]] + triggers[t["fail_spot_check"]]
        failed += triggers[t["fail_spot_check"]]
        if triggers["take_duplicate"]:
            taking.append(len(reporters(case)))
        for record in case.history:
            if record.trigger == t["callback"]:
                calls += 1
                value = record.get("satisfaction")
                happy += isinstance(value, int) and value >= 4
    return IntakeFigures(
        cases=total,
        by_channel=dict(sorted(channels.items())),
        merged=Rate(count=merged, total=total),
        withdrawn=Rate(count=withdrawn, total=total),
        reporters_per_case=sum(taking) / len(taking) if taking else None,
        reworked=Rate(count=reworked, total=closed),
        spot_checked=Rate(count=checked, total=solved),
        spot_check_failed=Rate(count=failed, total=checked),
        citizen_satisfaction=Rate(count=happy, total=calls),
    )
