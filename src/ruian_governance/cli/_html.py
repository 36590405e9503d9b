"""The HTML report a governance office prints: inline SVG charts and tables, no script, no network.

Private to the command line; :func:`~ruian_governance.cli.report.html_report` is its front.
Every chart is an ``<svg class="chart">`` with a date or value axis, gridlines and a title;
every name, label and id shown goes through :func:`~ruian_governance.io.printable` and is
escaped.  The figures come from :mod:`ruian_governance.analysis`; presentation choices (the
axis ranges, the on-time target line, how many rows a table shows) are design choices.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ruian_governance.analysis import (
    SituationReport,
    SixNonePeriod,
    Summary,
    ThreeRates,
    beside_cases,
    consecutive_safe_years,
    on_time_rate,
    ping_an_ding,
    situation_analysis,
    six_none_villages,
    volumes,
)
from ruian_governance.io import printable
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import Case, Hierarchy, Level
from ruian_governance.routing import RoutingRules

__all__ = ["ON_TIME_TARGET", "html_report"]

ON_TIME_TARGET = 0.9
"""The on-time target line drawn on the towns' chart (90%: a design choice, not a rule)."""

_LEGEND = {"event": "event 事件", "dispute": "dispute 纠纷", "hazard": "hazard 隐患"}
_PALETTE = ("#2f6db3", "#d9822b", "#b33a3a", "#3a8f5c", "#7a4fa3", "#8c8c8c")
_ROWS = 200
"""The most rows a long table (overdue cases) shows; the rest are counted."""
_WIDTH = 760

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em; color: #222; max-width: 60em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 2px solid #2f6db3; }
h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td:first-child { white-space: nowrap; } td, th { vertical-align: top; }
tr.veto td { color: #b33a3a; }
p.note { color: #555; font-size: 0.9em; }
svg.chart { display: block; margin: 0.5em 0; }
svg text { font-size: 11px; fill: #333; }
svg .grid { stroke: #ddd; stroke-width: 1; }
svg .axis { stroke: #666; stroke-width: 1; }
svg .target { stroke: #b33a3a; stroke-width: 1.5; stroke-dasharray: 5 3; }
@media print { body { margin: 1cm; max-width: none; } h2 { break-after: avoid; }
  table, svg { break-inside: avoid; } }
"""


class _Period:
    """The cases' lifecycle definitions and the period reported."""

    __slots__ = ("days", "lifecycles", "start")

    def __init__(self, lifecycles: Sequence[LifecycleDefinition], start: datetime, days: int):
        self.lifecycles, self.start, self.days = lifecycles, start, days


def _e(text: object) -> str:
    return html.escape(printable(text))


def _legend(lifecycle: str) -> str:
    return _LEGEND.get(lifecycle, lifecycle)


# --------------------------------------------------------------------------- axes


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def value_range(values: Sequence[float], *, high: float, step: float) -> tuple[float, float]:
    """The axis range from the data: from a round value below the lowest to ``high``.

    On-time rates of 81-98% are drawn on 80-100%, so their differences show.

    >>> value_range([0.81, 0.98], high=1.0, step=0.05)
    (0.8, 1.0)
    >>> value_range([], high=100.0, step=5.0)
    (0.0, 100.0)
    """
    if not values:
        return 0.0, high
    low = math.floor((min(values) - step / 10) / step) * step
    return max(0.0, round(low, 10)), high


def _svg(width: int, height: int, name: str, body: Sequence[str]) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" data-chart="{name}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(name)}">{"".join(body)}</svg>'
    )


def _stacked(
    name: str,
    counts: Mapping[str, Sequence[int]],
    starts: Sequence[datetime],
    keys: Sequence[str],
    *,
    unit: str,
) -> str:
    """Stacked bars per window, dates on the time axis, horizontal gridlines with values."""
    n = len(starts)
    width, height, left, right, top, bottom = _WIDTH, 280, 48, 10, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    colours = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(keys)}
    peak = max((sum(counts.get(k, (0,) * n)[i] for k in keys) for i in range(n)), default=0)
    step = _nice_step(max(peak, 1))
    ceiling = max(step, math.ceil(max(peak, 1) / step) * step)
    body = []
    tick = 0.0
    while tick <= ceiling + 1e-9:
        y = top + plot_h * (1 - tick / ceiling)
        body.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
        tick += step
    bar = plot_w / max(n, 1)
    label_every = max(1, math.ceil(n / 10))
    for i, first in enumerate(starts):
        y = float(top + plot_h)
        x = left + i * bar
        for key in keys:
            count = counts.get(key, (0,) * n)[i]
            h = plot_h * count / ceiling
            y -= h
            if count:
                body.append(
                    f'<rect x="{x:.2f}" y="{y:.2f}" width="{max(bar * 0.8, 0.5):.2f}" '
                    f'height="{h:.2f}" fill="{colours[key]}"><title>{first.date()} '
                    f"{_e(_legend(key))}: {count}</title></rect>"
                )
        if i % label_every == 0:
            body.append(
                f'<line class="axis" x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" '
                f'y2="{top + plot_h + 4}"/><text x="{x:.1f}" y="{top + plot_h + 16}">'
                f"{first:%m-%d}</text>"
            )
    body.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}"/><line class="axis" x1="{left}" y1="{top}" x2="{left}" '
        f'y2="{top + plot_h}"/>'
        f'<text x="{left}" y="{height - 6}">{starts[0]:%Y-%m-%d} … {starts[-1]:%Y-%m-%d} '
        f"({_e(unit)})</text>"
    )
    for k, key in enumerate(keys):
        body.append(
            f'<rect x="{left + 10 + k * 130}" y="6" width="10" height="10" '
            f'fill="{colours[key]}"/><text x="{left + 24 + k * 130}" y="15">'
            f"{_e(_legend(key))}</text>"
        )
    return _svg(width, height, name, body)


def _hbars(  # noqa: PLR0913 - the rows and their axis
    name: str,
    rows: Sequence[tuple[str, float | None, str]],
    *,
    axis: tuple[float, float],
    tick: float,
    shown: str,
    target: float | None = None,
) -> str:
    """Horizontal bars on a value axis from ``axis[0]``, vertical gridlines, a target line."""
    low, high = axis
    width, row, left, right, top = _WIDTH, 20, 200, 120, 24
    plot_w = width - left - right
    height = top + row * len(rows) + 24

    def x_of(value: float) -> float:
        return left + plot_w * (min(max(value, low), high) - low) / ((high - low) or 1)

    body = []
    value = math.ceil(round(low / tick, 9)) * tick
    while value <= high + 1e-9:
        x = x_of(value)
        body.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 16}"/>'
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle">{shown.format(value)}</text>'
        )
        value = round(value + tick, 10)
    for i, (label, score, text) in enumerate(rows):
        y = top + i * row
        w = 0.0 if score is None else x_of(score) - left
        body.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(w, 0.0):.1f}" height="{row - 6}" '
            f'fill="#2f6db3"><title>{_e(label)}: {_e(text)}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{_e(text)}</text>'
        )
    body.append(f'<line class="axis" x1="{left}" y1="{top - 4}" x2="{left}" y2="{height - 16}"/>')
    if target is not None and low <= target <= high:
        x = x_of(target)
        body.append(
            f'<line class="target" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 16}"/>'
            f'<text x="{x + 3:.1f}" y="{height - 2}" fill="#b33a3a">'
            f"target 目标 {shown.format(target)}</text>"
        )
    return _svg(width, height, name, body)


# --------------------------------------------------------------------------- names


class _Names:
    """How the report names places, categories and states (Chinese first)."""

    def __init__(self, hierarchy: Hierarchy, rules: RoutingRules | None, period: _Period) -> None:
        self.h = hierarchy
        self.rules = rules
        self.definitions = {d.key: d for d in period.lifecycles}

    def place(self, unit_id: str) -> str:
        """``town / village / grid`` (from the town down), else the unit's name."""
        if unit_id not in self.h:
            return unit_id
        chain = [u for u in reversed(self.h.ancestors(unit_id)) if u.level is not Level.CITY]
        node = self.h.node(unit_id)
        return " / ".join([*(u.name for u in chain), node.name])

    def category(self, key: str) -> str:
        """The category's Chinese and English label (its key if the table does not know it)."""
        rules = self.rules
        if rules is not None and key in rules.keys:
            label = rules.category(key).label
            return f"{label.zh} {label.en}"
        return key

    def state(self, lifecycle: str, key: str) -> str:
        """The state's Chinese label."""
        definition = self.definitions.get(lifecycle)
        if definition is None:
            return key
        return definition.state(key).label.zh

    def unit(self, unit_id: str) -> str:
        """Any unit or organisation's name."""
        return self.h.node(unit_id).name if unit_id in self.h else unit_id


# --------------------------------------------------------------------------- sections


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]) -> str:
    out = ["<table><tr>"]
    out += [f"<th{' class=n' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(head)]
    out.append("</tr>")
    for row in rows:
        out.append("<tr>")
        out += [f"<td{' class=n' if i in numeric else ''}>{_e(v)}</td>" for i, v in enumerate(row)]
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _volumes_section(cases: Sequence[Case], summary: Summary, options: _Period) -> str:
    keys = tuple(summary.on_time_rate)
    weekly = options.days > 120
    window = timedelta(days=7 if weekly else 1)
    windows = math.ceil(options.days / window.days)
    counts = volumes(
        cases, "lifecycle", start=options.start, window=window, windows=windows,
        lifecycles=options.lifecycles,
    ).counts  # fmt: skip
    starts = [options.start + i * window for i in range(windows)]
    title = "Weekly volumes 每周案件量" if weekly else "Daily volumes 每日案件量"
    unit = "cases opened per week 每周新增" if weekly else "cases opened per day 每日新增"
    return f"<h2>{title}</h2>" + _stacked("volumes", counts, starts, keys, unit=unit)


def _on_time_section(
    cases: Sequence[Case],
    hierarchy: Hierarchy,
    summary: Summary,
    options: _Period,
    target: float,
) -> str:
    loop = frozenset(summary.closed_loop)
    by_town: dict[str, list[Case]] = {t.id: [] for t in hierarchy.towns}
    for case in cases:
        town = hierarchy.town_of(case.location_id)
        if town is not None and case.lifecycle in loop:
            by_town[town.id].append(case)
    rows = []
    for town in hierarchy.towns:
        rate = on_time_rate(by_town[town.id], lifecycles=options.lifecycles)
        rows.append((f"{town.name} {town.name_en}", rate.value, str(rate)))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0.0), r[0]))
    values = [r[1] for r in rows if r[1] is not None]
    low, high = value_range([*values, target], high=1.0, step=0.05)
    tick = 0.05 if high - low <= 0.3 else 0.1
    chart = _hbars(
        "on-time-by-town", rows, axis=(low, high), tick=tick, shown="{:.0%}", target=target
    )
    return (
        "<h2>On-time rate of events by town 各镇街事件按期办结率</h2>"
        f'<p class="note">Axis from {low:.0%} to {high:.0%} (chosen from the data so '
        f"differences show); the dashed line is the target 目标线 {target:.0%} "
        "(a design choice).</p>" + chart
    )


def _assessment_section(summary: Summary, names: _Names) -> str:
    assessment = summary.assessment
    out = ["<h2>Bundled assessment 镇街、部门捆绑考核</h2>"]
    rules = assessment.rules
    items = [f"{d.label.zh} −{d.points:g}/件 (≤{d.cap:g})" if d.cap is not None
             else f"{d.label.zh} −{d.points:g}/件" for d in rules.deductions]  # fmt: skip
    items.append(f"平安市民监督团发现问题 −{rules.finding_points:g}/条")
    vetoes = "、".join(v.label.zh for v in rules.vetoes) or "none 无"
    vetoed = {v.key: v.label.zh for v in rules.vetoes}
    out.append(
        f'<p class="note">Base score from on time, satisfaction, no return, no escalation and '
        f"hazards closed; deductions 扣分: {_e('; '.join(items))}; veto items 一票否决: "
        f"{_e(vetoes)}. Illustrative defaults (a design choice).</p>"
    )
    for heading, units in (
        ("Towns 镇街", assessment.towns),
        ("Departments 部门", assessment.departments),
    ):
        out.append(f"<h3>{heading}</h3>")
        scored = [u.score for u in units if u.score is not None]
        if scored:
            low, high = value_range(scored, high=100.0, step=5.0)
            rows = [
                (names.unit(u.unit_id), u.score, _score(u.score) + (" 否决" if u.vetoes else ""))
                for u in units
            ]
            tick = _nice_step(high - low)
            out.append(
                _hbars(
                    f"scores-{heading.split()[0].lower()}",
                    rows,
                    axis=(low, high),
                    tick=tick,
                    shown="{:g}",
                )
            )
        out.append(
            _table(
                [
                    "unit 单位",
                    "score 得分",
                    "base 基础分",
                    "deducted 扣分",
                    "veto 一票否决",
                    "panel findings 监督团",
                    "cases 案件",
                ],
                [
                    (
                        names.unit(u.unit_id),
                        _score(u.score),
                        _score(u.base),
                        f"{sum(u.deductions.values()):.1f}",
                        "、".join(vetoed.get(k, k) for k in u.vetoes) or "-",
                        u.findings,
                        u.cases,
                    )
                    for u in units
                ],
                {1, 2, 3, 5, 6},
            )
        )
    return "".join(out)


def _hotspot_section(summary: Summary, names: _Names) -> str:
    head = "<h2>Hotspots 热点网格 (Poisson exact test, Benjamini-Hochberg, α = 0.05)</h2>"
    if not summary.hotspots:
        return head + (
            "<p>No hotspot: no grid's rate of a category is significantly above the city's. "
            "无显著热点。</p>"
        )
    rows = [
        (names.place(f.unit_id), names.category(f.category), f.observed, f"{f.expected:.2f}",
         f"×{f.ratio:.1f}", f"{f.p_value:.3e}", f"{f.adjusted:.3e}")
        for f in summary.hotspots[:30]
    ]  # fmt: skip
    more = len(summary.hotspots) - len(rows)
    note = f'<p class="note">{more} more 另有 {more} 个.</p>' if more > 0 else ""
    return head + _table(
        ["place 镇街 / 村社 / 网格", "category 类别", "observed 实际", "expected 期望",
         "ratio 倍数", "p", "adjusted p 校正后"],
        rows, {2, 3, 4, 5, 6},
    ) + note  # fmt: skip


def _overdue_section(cases: Sequence[Case], names: _Names, as_of: datetime) -> str:
    late = []
    for case in cases:
        definition = names.definitions.get(case.lifecycle)
        due = case.due_at
        if definition is None or due is None or due > as_of:
            continue
        state = definition.state(case.state)
        if state.timed and not state.final:
            late.append(case)
    late.sort(key=lambda c: (c.due_at, c.id))
    rows = [
        (c.id, names.place(c.location_id), names.category(c.category), _legend(c.lifecycle),
         names.state(c.lifecycle, c.state), f"{c.due_at:%Y-%m-%d}",
         f"{(as_of - c.due_at).total_seconds() / 86400:.1f}")
        for c in late[:_ROWS]
        if c.due_at is not None
    ]  # fmt: skip
    more = len(late) - len(rows)
    note = f'<p class="note">{more} more 另有 {more} 件.</p>' if more > 0 else ""
    head = f"<h2>Overdue cases 超期案件 ({len(late)}, as of 截至 {as_of:%Y-%m-%d %H:%M})</h2>"
    if not late:
        return head + "<p>None 无。</p>"
    return head + _table(
        ["case 案件", "place 地点", "category 类别", "kind 类型", "state 状态", "due 期限",
         "days overdue 超期天数"],
        rows, {6},
    ) + note  # fmt: skip


def _six_none_section(periods: Sequence[SixNonePeriod], hierarchy: Hierarchy) -> str:
    out = ["<h2>Six-none villages 六无村社</h2>"]
    out.append(
        '<p class="note">Criteria 标准 (illustrative, a design choice; the seed names the '
        "campaign, not its list): 无重大刑事案件、无群体性事件、无重大安全事故、无越级上访、"
        "无重大隐患逾期、无久拖未决纠纷.</p>"
    )
    for period in periods:
        qualifying = period.qualifying
        total = len(period.villages)
        out.append(
            f"<h3>{period.start:%Y-%m-%d} – {period.end - timedelta(seconds=1):%Y-%m-%d}: "
            f"{len(qualifying)} of {total} villages 个村社达标</h3>"
        )
        by_town: dict[str, list[str]] = {}
        for village_id in qualifying:
            town = hierarchy.town_of(village_id)
            name = town.name if town is not None else ""
            by_town.setdefault(name, []).append(hierarchy.unit(village_id).name)
        out.append(
            _table(
                ["town 镇街", "six-none villages 六无村社"],
                [(town, "、".join(v)) for town, v in by_town.items()],
                set(),
            )
        )
    return "".join(out)


def _situation_section(weeks: Sequence[SituationReport], names: _Names, keys: Sequence[str]) -> str:
    out = ["<h2>Situation analysis 形势分析 (weekly review 周研判)</h2>"]
    counts = {k: [w.opened.get(k, 0) for w in weeks] for k in keys}
    out.append(
        _stacked(
            "situation-weekly",
            counts,
            [w.start for w in weeks],
            keys,
            unit="cases opened per week 每周新增",
        )
    )
    shown = weeks[-12:]
    rows = []
    for w in shown:
        opened = ", ".join(
            f"{w.opened.get(k, 0)}" + ("" if w is weeks[0] else f" ({w.change.get(k, 0):+d})")
            for k in keys
        )
        spots = "; ".join(
            f"{names.place(f.unit_id)} {names.category(f.category)}" for f in w.new_hotspots[:3]
        )
        rows.append(
            (f"{w.start:%Y-%m-%d}", opened, sum(w.closed.values()), str(w.on_time),
             spots or "-", len(w.risk_disputes), len(w.overdue_hazards))
        )  # fmt: skip
    out.append(
        _table(
            [
                "week 周",
                f"opened (change) 新增(环比): {' / '.join(_legend(k) for k in keys)}",
                "closed 办结",
                "on time 按期",
                "new hotspots 新热点",
                "risk disputes 风险纠纷",
                "overdue hazards 逾期隐患",
            ],
            rows,
            {2, 3, 5, 6},
        )
    )
    if len(weeks) > len(shown):
        out.append(f'<p class="note">The last {len(shown)} of {len(weeks)} weeks.</p>')
    last = weeks[-1]
    if last.risk_disputes or last.overdue_hazards:
        out.append(
            f"<h3>At the end of the last week 本周末: risk disputes 风险纠纷 "
            f"{len(last.risk_disputes)}, overdue hazards 逾期隐患 {len(last.overdue_hazards)}</h3>"
            f"<p>{_e(', '.join((*last.risk_disputes, *last.overdue_hazards)[:60]))}</p>"
        )
    return "".join(out)


def _survey_section(
    summary: Summary, survey: ThreeRates | None, safe_years: Mapping[int, bool]
) -> str:
    out = ["<h2>Three rates 三率 and the 平安鼎 ladder</h2>"]
    if survey is None:
        out.append(
            '<p class="note">No survey given: the three rates (安全感满意度、知晓率、参与率) are '
            "survey inputs, not case figures.</p>"
        )
    else:
        rows = [
            (r["label"], _pct(r["survey"]), "-" if r["cases"] is None else _pct(r["cases"]))
            for r in beside_cases(survey, summary)
        ]
        out.append(
            _table(["rate 指标", "survey 调查", "from cases 案件 (满意率 4-5 stars)"], rows, {1, 2})
        )
    if safe_years:
        last = max(safe_years)
        years = consecutive_safe_years(safe_years, up_to=last)
        rung = ping_an_ding(years)
        award = "none yet 尚未获得" if rung is None else f"{rung.label.zh} {rung.label.en}"
        out.append(f"<p>{last}: {years} consecutive safe years 连续平安年, {_e(award)}.</p>")
    return "".join(out)


def _pct(rate: Mapping[str, Any]) -> str:
    value = rate["value"]
    shown = "n/a" if value is None else f"{value:.1%}"
    return f"{shown} ({rate['count']}/{rate['total']})"


def html_report(  # noqa: PLR0913 - the data, how to title it and what to show beside it
    cases: Sequence[Case],
    hierarchy: Hierarchy,
    summary: Summary,
    *,
    lifecycles: Sequence[LifecycleDefinition],
    start: datetime,
    days: int,
    title: str,
    parameters: Mapping[str, object] | None = None,
    rules: RoutingRules | None = None,
    target: float = ON_TIME_TARGET,
    survey: ThreeRates | None = None,
    safe_years: Mapping[int, bool] | None = None,
) -> str:
    """Return the report a governance office prints, as one self-contained HTML document.

    Inline SVG charts and CSS, no script, no network.  It shows the run's parameters
    (``parameters``, e.g. the settings of ``run.json``), the headline figures, volumes on a date
    axis, the on-time rate by town on an axis chosen from the data with the ``target`` line,
    the bundled assessment of towns and departments (deductions, veto items), the weekly
    situation analysis 形势分析, the overdue cases, the hotspots named by town / village / grid
    with their full p-values, the six-none villages 六无村社 and the categories by their Chinese
    names (from ``rules``, the run's category table); with ``survey`` the three rates 三率 beside
    the case figures, with ``safe_years`` (year -> rated safe) the 平安鼎 rung.  ``summary`` is
    :func:`~ruian_governance.analysis.summarise` of ``cases`` with ``lifecycles``, the
    definitions of their lifecycles; ``start`` and ``days`` are the period reported.
    """
    options = _Period(lifecycles, start, days)
    names = _Names(hierarchy, rules, options)
    keys = tuple(summary.on_time_rate)
    categories = Counter(c.category for c in cases)
    weeks = situation_analysis(
        cases, hierarchy, start=options.start, weeks=max(1, math.ceil(options.days / 7)),
        lifecycles=options.lifecycles,
    )  # fmt: skip
    periods = six_none_villages(
        cases, hierarchy, start=options.start, period=timedelta(days=options.days),
        lifecycles=options.lifecycles,
    )  # fmt: skip
    headline = [
        ("cases 案件", str(summary.cases)),
        *((f"{_legend(k)} on time 按期办结率", str(r)) for k, r in summary.on_time_rate.items()),
        ("satisfaction 满意率 (4-5 stars)", str(summary.satisfaction)),
        ("escalation rate 提级率", str(summary.escalation_rate)),
        ("return rate 退回率", str(summary.return_rate)),
        ("hotspots 热点", str(len(summary.hotspots))),
        ("repeat incidents 重复事件", str(len(summary.repeat_incidents))),
    ]
    end = options.start + timedelta(days=options.days)
    parameters = {
        "period 时段": f"{options.start:%Y-%m-%d} – {end - timedelta(seconds=1):%Y-%m-%d} "
        f"({options.days} days 天)",
        "city 城市": f"{hierarchy.city.name} {hierarchy.city.name_en}",
        "platform preset 平台版本": f"{hierarchy.preset.key} {hierarchy.preset.label.zh}",
        **{str(k): str(v) for k, v in (parameters or {}).items()},
    }
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        "<h2>Run parameters 运行参数</h2>",
        _table(["parameter 参数", "value 值"], list(parameters.items()), set()),
        "<h2>Headline figures 主要指标</h2>",
        _table(["figure 指标", "value 值"], headline, {1}),
        _volumes_section(cases, summary, options),
        _on_time_section(cases, hierarchy, summary, options, target),
        _assessment_section(summary, names),
        _situation_section(weeks, names, keys),
        _overdue_section(cases, names, end),
        _hotspot_section(summary, names),
        _six_none_section(periods, hierarchy),
        _survey_section(summary, survey, safe_years or {}),
        "<h2>Categories 事项类别</h2>",
        _table(
            ["category 类别", "cases 案件"],
            [(names.category(k), n) for k, n in categories.most_common()],
            {1},
        ),
        "</body></html>",
    ]
    return "\n".join(out)
