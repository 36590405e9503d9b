"""Situation analysis 形势分析: the weekly review 周研判 of trends, new hotspots, risks and overdue.

Source: the seed names situation analysis 形势分析 among Rui'an's mechanisms; Zhejiang pages
report stability risks reviewed weekly (周研判) with daily consultation (日会商).  What one
review holds is a **design choice**: per window (a week by default) the cases opened and closed
by lifecycle and the change against the window before (the trend), the on-time rate of the
cases closed in it, the hotspots of the window that were not hotspots of the window before (new
hotspots), the risk disputes open at its end and the hazards overdue at its end.

>>> from ruian_governance import SimulationConfig, generate_hierarchy, simulate
>>> from ruian_governance.analysis import situation_analysis
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
>>> run = simulate(SimulationConfig(hierarchy=h, days=21, seed=1))
>>> weeks = situation_analysis(run.cases, h, start=run.cases[0].opened_at, weeks=3,
...                            lifecycles=run.lifecycles)
>>> len(weeks), weeks[1].start - weeks[0].start
(3, datetime.timedelta(days=7))
>>> sum(sum(w.opened.values()) for w in weeks) <= len(run.cases)
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import attrs

from ruian_governance._convert import require_aware
from ruian_governance.errors import AnalysisError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, TriggerKind
from ruian_governance.models import Case, Hierarchy

from ._reading import Lifecycles, Reading
from .criteria import CaseMatch
from .hotspots import HotspotFinding, hotspots
from .rates import Rate

__all__ = ["RISK_DISPUTES", "SituationReport", "situation_analysis"]

RISK_DISPUTES = CaseMatch(lifecycles={"dispute"}, severities={"complex", "difficult"})
"""Which open cases are risk disputes 风险纠纷 by default: complex or difficult disputes.

A design choice (the built-in dispute lifecycle's severities); pass your own ``risk``.
"""


@attrs.frozen(kw_only=True)
class SituationReport:
    """One window's situation analysis 形势分析 (a week: 周研判).

    Args:
        start: The window's first instant.
        end: The instant after it.
        opened: Cases opened in the window, by lifecycle key (every lifecycle given).
        closed: Cases that first entered a closing state in the window, by lifecycle key.
        change: ``opened`` minus the window before's, by lifecycle key (the trend; the first
            window compares with the cases opened in the same span before it).
        on_time: On-time rate of the cases closed in the window.
        new_hotspots: Hotspots of the cases opened in the window that were not hotspots of
            the window before (same unit and category), strongest first.
        risk_disputes: Ids of the risk disputes open at the window's end, sorted.
        overdue_hazards: Ids of the hazards (cases of lifecycles opened by inspection) open
            and past their deadline at the window's end, sorted.
    """

    start: datetime
    end: datetime
    opened: Mapping[str, int]
    closed: Mapping[str, int]
    change: Mapping[str, int]
    on_time: Rate
    new_hotspots: tuple[HotspotFinding, ...]
    risk_disputes: tuple[str, ...]
    overdue_hazards: tuple[str, ...]


def situation_analysis(  # noqa: PLR0913 - the data, the windows and the knobs
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    start: datetime,
    weeks: int = 1,
    window: timedelta = timedelta(days=7),
    risk: CaseMatch = RISK_DISPUTES,
    lifecycles: Lifecycles = BUILTIN_LIFECYCLES,
) -> tuple[SituationReport, ...]:
    """Return one :class:`SituationReport` per window from ``start`` (周研判 by default).

    Pure and deterministic: the windows are ``[start + i * window, start + (i + 1) * window)``;
    "open at the window's end" reads the cases' histories up to that instant.

    Raises:
        ArgumentError: ``start`` is not an aware datetime.
        AnalysisError: ``weeks`` is not a whole number from 1 to 1,000, ``window`` not
            positive, or ``risk`` not a :class:`~ruian_governance.analysis.CaseMatch`.
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    require_aware(start, "start")
    if type(weeks) is not int or not 1 <= weeks <= 1000:
        argument = "weeks"
        raise AnalysisError(argument, f"expected a whole number from 1 to 1000, got {weeks!r}")
    if not (isinstance(window, timedelta) and window > timedelta(0)):
        argument = "window"
        raise AnalysisError(argument, f"expected a positive timedelta, got {window!r}")
    given: object = risk
    if not isinstance(given, CaseMatch):
        argument = "risk"
        raise AnalysisError(argument, f"expected a CaseMatch, got {given!r}")
    reading = Reading.of(lifecycles)
    keys = [m.key for m in reading.meanings()]
    found = reading.keys_opened_by(TriggerKind.FIND)
    chosen = list(cases)
    previous_spots = _spots(chosen, hierarchy, reading, start - window, start)
    previous = _opened(chosen, start - window, start, keys)
    out = []
    for i in range(weeks):
        first, last = start + i * window, start + (i + 1) * window
        opened = _opened(chosen, first, last, keys)
        closed: Counter[str] = Counter()
        on_time = total = 0
        risky, overdue = [], []
        for case in chosen:
            meaning = reading.of_case(case)
            shut = meaning.closed_at(case)
            if shut is not None and first <= shut < last:
                closed[case.lifecycle] += 1
                total += 1
                on_time += case.due_at is None or shut < case.due_at
            if case.opened_at >= last or (shut is not None and shut < last):
                continue  # not open at the window's end
            if risk.matches(case, meaning, last):
                risky.append(case.id)
            if case.lifecycle in found and case.due_at is not None and case.due_at <= last:
                overdue.append(case.id)
        spots = _spots(chosen, hierarchy, reading, first, last)
        seen = {(f.unit_id, f.category) for f in previous_spots}
        out.append(
            SituationReport(
                start=first,
                end=last,
                opened=opened,
                closed={k: closed[k] for k in keys},
                change={k: opened[k] - previous[k] for k in keys},
                on_time=Rate(count=on_time, total=total),
                new_hotspots=tuple(f for f in spots if (f.unit_id, f.category) not in seen),
                risk_disputes=tuple(sorted(risky)),
                overdue_hazards=tuple(sorted(overdue)),
            )
        )
        previous, previous_spots = opened, spots
    return tuple(out)


def _opened(cases: list[Case], first: datetime, last: datetime, keys: list[str]) -> dict[str, int]:
    counts = Counter(c.lifecycle for c in cases if first <= c.opened_at < last)
    return {k: counts[k] for k in keys}


def _spots(
    cases: list[Case], hierarchy: Hierarchy, reading: Reading, first: datetime, last: datetime
) -> tuple[HotspotFinding, ...]:
    window = [c for c in cases if first <= c.opened_at < last]
    return hotspots(window, hierarchy, lifecycles=reading) if window else ()
