"""What the command line shows: a run's summary tables, a hierarchy's summary, the HTML report.

The HTML report is self-contained: inline SVG charts, no JavaScript, no extra package.
Private: the command line's ``simulate``, ``summary`` and ``hierarchy`` print and write these.
Every name, label and id shown goes through :func:`~ruian_governance.io.printable`.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from ruian_governance.analysis import Summary, on_time_rate, volumes
from ruian_governance.io import printable
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import Case, Hierarchy, Level

__all__ = [
    "hierarchy_json",
    "html_report",
    "legend",
    "on_time_label",
    "plain_console",
    "print_summary",
    "score_text",
    "summarise_hierarchy",
]

# How the command line shows the built-in lifecycles (presentation only: the figures come from
# the definitions); another lifecycle shows its key and a colour of the palette.
_LEGEND = {"event": "event 事件", "dispute": "dispute 纠纷", "hazard": "hazard 隐患"}
_ON_TIME = {
    "event": "events on time 事件按期办结率",
    "dispute": "disputes on time 纠纷按期化解率",
    "hazard": "hazards on time 隐患按期销号率",
}
_PALETTE = ("#2f6db3", "#d9822b", "#b33a3a", "#3a8f5c", "#7a4fa3", "#8c8c8c")


def legend(lifecycle: str) -> str:
    """How a lifecycle is named in tables and charts (``"event 事件"``, else its key)."""
    return _LEGEND.get(lifecycle, lifecycle)


def on_time_label(lifecycle: str) -> str:
    """The label of a lifecycle's on-time rate (``"events on time 事件按期办结率"``)."""
    return _ON_TIME.get(lifecycle, f"{lifecycle} on time 按期办结率")


def score_text(score: float | None) -> str:
    """An assessment score as shown: one decimal, or ``n/a``."""
    return "n/a" if score is None else f"{score:.1f}"


_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 2em;
       color: #222; max-width: 70em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 0.2em 0.8em; border-bottom: 1px solid #ddd;
text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg text { font-size: 11px; fill: #333; }
"""


def _e(text: object) -> str:
    return html.escape(printable(text))


def _daily_chart(
    cases: Sequence[Case], lifecycles: Sequence[str], start: datetime, days: int
) -> str:
    counts = volumes(cases, "lifecycle", start=start, window=timedelta(days=1), windows=days).counts
    colours = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(lifecycles)}
    width, height, left, bottom = 760, 240, 40, 30
    peak = max((sum(v[i] for v in counts.values()) for i in range(days)), default=0) or 1
    bar = (width - left - 10) / days
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">']
    for i in range(days):
        y = float(height - bottom)
        for lifecycle in lifecycles:
            n = counts.get(lifecycle, (0,) * days)[i]
            h = (height - bottom - 20) * n / peak
            y -= h
            parts.append(
                f'<rect x="{left + i * bar:.1f}" y="{y:.1f}" width="{bar * 0.8:.1f}" '
                f'height="{h:.1f}" fill="{colours[lifecycle]}"><title>day {i + 1} '
                f"{_e(lifecycle)}: {n}</title></rect>"
            )
        if i % 7 == 0:
            parts.append(f'<text x="{left + i * bar:.1f}" y="{height - 12}">d{i + 1}</text>')
    parts.append(f'<text x="2" y="20">{peak}</text><text x="2" y="{height - bottom}">0</text>')
    for k, lifecycle in enumerate(lifecycles):
        parts.append(
            f'<rect x="{left + 10 + k * 120}" y="4" width="10" height="10" '
            f'fill="{colours[lifecycle]}"/>'
            f'<text x="{left + 24 + k * 120}" y="13">{_e(legend(lifecycle))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bars(rows: Sequence[tuple[str, float, str]], *, scale: float = 1.0) -> str:
    """Horizontal bars: (label, value in [0, scale], text shown)."""
    width, row, left = 760, 18, 220
    height = row * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">']
    for i, (label, value, shown) in enumerate(rows):
        y = 5 + i * row
        w = (width - left - 80) * (value / scale if scale else 0)
        parts.append(
            f'<text x="0" y="{y + 12}">{_e(label)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{max(w, 0):.1f}" height="{row - 5}" '
            f'fill="#2f6db3"/><text x="{left + w + 4:.1f}" y="{y + 12}">{_e(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def html_report(  # noqa: PLR0913 - the data and how to title it
    cases: Sequence[Case],
    hierarchy: Hierarchy,
    summary: Summary,
    *,
    lifecycles: Sequence[LifecycleDefinition],
    start: datetime,
    days: int,
    title: str,
) -> str:
    """Return the report as one HTML document (charts are inline SVG).

    ``summary`` is :func:`~ruian_governance.analysis.summarise` of ``cases`` with
    ``lifecycles``, the definitions of their lifecycles.
    """
    towns = {t.id: t for t in hierarchy.towns}
    by_town: dict[str, list[Case]] = {t: [] for t in towns}
    loop = frozenset(summary.closed_loop)
    for case in cases:
        town = hierarchy.town_of(case.location_id)
        if town is not None and case.lifecycle in loop:
            by_town[town.id].append(case)
    on_time_rows = []
    for town_id, chosen in by_town.items():
        rate = on_time_rate(chosen, lifecycles=lifecycles)
        town = towns[town_id]
        on_time_rows.append((f"{town.name} {town.name_en}", rate.value or 0.0, str(rate)))
    on_time_rows.sort(key=lambda r: -r[1])
    spot_rows = [
        (
            f"{hierarchy.unit(f.unit_id).name} {f.category}",
            f.ratio,
            f"x{f.ratio:.1f} p={f.adjusted:.1g}",
        )
        for f in summary.hotspots[:15]
    ]
    categories = Counter(c.category for c in cases)
    headline = [
        ("cases 案件", str(summary.cases)),
        *((on_time_label(k), str(r)) for k, r in summary.on_time_rate.items()),
        ("satisfaction 满意率 (4-5 stars)", str(summary.satisfaction)),
        ("escalation rate 提级率", str(summary.escalation_rate)),
        ("return rate 退回率", str(summary.return_rate)),
        ("hotspots 热点", str(len(summary.hotspots))),
        ("repeat incidents 重复事件", str(len(summary.repeat_incidents))),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(start.date().isoformat())}, {days} days 天.</p>",
        "<table>",
        *(f"<tr><th>{_e(k)}</th><td class=n>{_e(v)}</td></tr>" for k, v in headline),
        "</table>",
        "<h2>Daily volumes 每日案件量</h2>",
        _daily_chart(cases, tuple(summary.on_time_rate), start, days),
        "<h2>On-time rate of events by town 各镇街事件按期办结率</h2>",
        _bars(on_time_rows),
        "<h2>Hotspots 热点网格 (Poisson exact test, Benjamini-Hochberg, α = 0.05)</h2>",
        _bars(spot_rows, scale=max((r[1] for r in spot_rows), default=1.0))
        if spot_rows
        else "<p>No hotspot: no grid's rate of a category is significantly above the city's."
        " 无显著热点。</p>",
        "<h2>Categories 事项类别</h2><table>",
        *(f"<tr><td>{_e(k)}</td><td class=n>{n}</td></tr>" for k, n in categories.most_common()),
        "</table>",
        "<h2>Bundled assessment 镇街、部门捆绑考核</h2><table>",
        "<tr><th>town 镇街</th><th>score 得分</th><th>cases 案件</th></tr>",
        *(
            f"<tr><td>{_e(towns[u.unit_id].name)}</td><td class=n>{score_text(u.score)}</td>"
            f"<td class=n>{u.cases}</td></tr>"
            for u in summary.assessment.towns
        ),
        "</table></body></html>",
    ]
    return "\n".join(out)


# --------------------------------------------------------------------------- text


def hierarchy_json(hierarchy: Hierarchy) -> dict[str, Any]:
    """A hierarchy's summary as JSON: counts by level, organisations, posts by role, towns.

    >>> from ruian_governance import generate_hierarchy
    >>> facts = hierarchy_json(generate_hierarchy(towns=1, villages=1, grids=2, micro_grids=2))
    >>> facts["city"]["name"], facts["units"]["grid"], facts["towns"][0]["villages"]
    ('示范市', 2, 1)
    """
    city, preset = hierarchy.city, hierarchy.preset
    roles = Counter(post.role for person in hierarchy.people for post in person.posts)
    return {
        "city": {"id": city.id, "name": city.name, "name_en": city.name_en},
        "preset": {"key": preset.key, "label": preset.label.zh},
        "units": {level.value: len(hierarchy.units_at(level)) for level in Level},
        "command_rooms": len(hierarchy.command_rooms),
        "platforms": len(hierarchy.platforms),
        "stations": len(hierarchy.stations),
        "departments": len(hierarchy.departments),
        "people": len(hierarchy.people),
        "posts": dict(sorted(roles.items(), key=lambda item: (-item[1], item[0]))),
        "towns": [
            {
                "id": town.id,
                "name": town.name,
                "name_en": town.name_en,
                "villages": len(hierarchy.children(town.id)),
            }
            for town in hierarchy.towns
        ],
    }


def summarise_hierarchy(hierarchy: Hierarchy) -> str:
    """Return a bilingual text summary of a hierarchy: counts by level, organisations, people.

    The figures of :func:`hierarchy_json`, with labels.  Names and labels are shown through
    :func:`~ruian_governance.io.printable`, so each line of the summary is one printed line,
    whatever the names hold.

    >>> from ruian_governance import generate_hierarchy
    >>> print(summarise_hierarchy(generate_hierarchy(towns=1, villages=1, grids=2,
    ...                                              micro_grids=2)))
    ... # doctest: +ELLIPSIS
    示范市 Example City, platform preset 2021 基层治理四平台(2021)
      city 市: 1, town / street 镇/街道: 1, village / community 村/社区: 1, grid 网格: 2, ...
    ...
    """
    facts = hierarchy_json(hierarchy)
    city, preset = facts["city"], facts["preset"]
    lines = [f"{city['name']} {city['name_en']}, platform preset {preset['key']} {preset['label']}"]
    units = facts["units"]
    lines.append(
        "  " + ", ".join(f"{lv.label.en} {lv.label.zh}: {units[lv.value]}" for lv in Level)
    )
    lines.append(
        f"  command rooms 综合信息指挥室: {facts['command_rooms']}, "
        f"platforms 平台: {facts['platforms']}, "
        f"stations 职能站所: {facts['stations']}, "
        f"departments 职能部门: {facts['departments']}"
    )
    lines.append(f"  people: {facts['people']}")
    for key, count in facts["posts"].items():
        role = hierarchy.role(key)
        lines.append(f"    {role.label.en} {role.label.zh}: {count}")
    lines.append("  towns and streets 镇/街道:")
    lines.extend(
        f"    {town['name']} {town['name_en']}: {town['villages']} villages"
        for town in facts["towns"]
    )
    return "\n".join(map(printable, lines))


def plain_console(**options: Any) -> Console:
    """A console that reads no markup, emoji codes or highlighting in what it prints."""
    return Console(markup=False, highlight=False, emoji=False, **options)


def print_summary(console: Console, summary: Summary, hierarchy: Hierarchy) -> None:
    """Print the summary's tables, every cell through :func:`printable`.

    Give it a :func:`plain_console`, which reads no markup: a name like ``[red]`` is text.
    """
    table = Table(title="研判 summary", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for lifecycle, n in summary.by_lifecycle.items():
        table.add_row(printable(f"{lifecycle} cases"), str(n))
    for lifecycle, rate in summary.on_time_rate.items():
        table.add_row(printable(on_time_label(lifecycle)), str(rate))
    table.add_row("satisfaction 满意率", str(summary.satisfaction))
    table.add_row("escalation rate 提级率", str(summary.escalation_rate))
    table.add_row("return rate 退回率", str(summary.return_rate))
    loop = printable("/".join(summary.closed_loop))
    for p, span in summary.time_to_close.items():
        table.add_row(f"{loop} time to close p{p:g} (hours)", f"{span.total_seconds() / 3600:.1f}")
    for rung, n in summary.hazard_ladder.items():
        table.add_row(printable(f"hazard ladder: {rung}"), str(n))
    table.add_row("hotspots 热点", str(len(summary.hotspots)))
    table.add_row("repeat incidents 重复事件", str(len(summary.repeat_incidents)))
    console.print(table)
    names = {t.id: t.name for t in hierarchy.towns}
    towns = Table(title="bundled assessment 镇街、部门捆绑考核 (best and worst)")
    towns.add_column("town 镇街")
    towns.add_column("score", justify="right")
    towns.add_column("cases", justify="right")
    ranked = summary.assessment.towns
    shown = ranked if len(ranked) <= 6 else (*ranked[:3], *ranked[-3:])
    for town in shown:
        name = printable(names.get(town.unit_id, town.unit_id))
        towns.add_row(name, score_text(town.score), str(town.cases))
    console.print(towns)
    if summary.hotspots:
        spots = Table(title="hotspots 热点 (Poisson exact test, Benjamini-Hochberg)")
        for column in ("unit", "category", "observed", "expected", "adjusted p"):
            spots.add_column(column)
        for f in summary.hotspots[:10]:
            spots.add_row(
                printable(f.unit_id), printable(f.category), str(f.observed),
                str(round(f.expected, 2)), f"{f.adjusted:.2g}",
            )  # fmt: skip
        console.print(spots)
