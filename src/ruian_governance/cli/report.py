"""What the command line shows: a run's summary tables, a hierarchy's summary, the HTML report.

The HTML report (:func:`html_report`, drawn by ``cli._html``) is self-contained: inline SVG
charts and CSS, no JavaScript, no network, no extra package.
Private: the command line's ``simulate``, ``summary`` and ``hierarchy`` print and write these.
Every name, label and id shown goes through :func:`~ruian_governance.io.printable`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ruian_governance.analysis import Summary
from ruian_governance.io import printable
from ruian_governance.lifecycles import WarningLevel
from ruian_governance.models import Hierarchy, Level

from ._html import html_report

__all__ = [
    "hierarchy_json",
    "html_report",
    "legend",
    "on_time_label",
    "plain_console",
    "print_departments",
    "print_intake",
    "print_summary",
    "progress_bar",
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


def legend(lifecycle: str) -> str:
    """How a lifecycle is named in tables and charts (``"event 事件"``, else its key)."""
    return _LEGEND.get(lifecycle, lifecycle)


def on_time_label(lifecycle: str) -> str:
    """The label of a lifecycle's on-time rate (``"events on time 事件按期办结率"``)."""
    return _ON_TIME.get(lifecycle, f"{lifecycle} on time 按期办结率")


def score_text(score: float | None) -> str:
    """An assessment score as shown: one decimal, or ``n/a``."""
    return "n/a" if score is None else f"{score:.1f}"


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
    示范市 Example City, platform preset 2021 基层治理四平台(设计示例,非官方)
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


def print_departments(console: Console, summary: Summary, hierarchy: Hierarchy) -> None:
    """Print the departments' scores of the bundled assessment (部门得分), every cell printable."""
    if not summary.assessment.departments:
        return
    table = Table(title="departments 部门 (bundled with the towns they served 捆绑考核)")
    for column in ("department 部门", "score 得分", "base 基础分", "deducted 扣分", "veto 否决"):
        table.add_column(column, justify="left" if "部门" in column else "right")
    for unit in summary.assessment.departments:
        name = hierarchy.node(unit.unit_id).name if unit.unit_id in hierarchy else unit.unit_id
        table.add_row(
            printable(name), score_text(unit.score), score_text(unit.base),
            f"{sum(unit.deductions.values()):.1f}", printable(", ".join(unit.vetoes)) or "-",
        )  # fmt: skip
    console.print(table)


def print_intake(console: Console, summary: Summary) -> None:
    """Print intake 受理 and timeliness 时效 figures (issue 12), every cell printable."""
    table = Table(title="intake and timeliness 受理与时效", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    figures = summary.intake
    for channel, n in figures.by_channel.items():
        table.add_row(printable(f"citizens' reports 群众来件: {channel}"), str(n))
    table.add_row("merged duplicates 重复件合并", str(figures.merged))
    table.add_row("withdrawn 撤件", str(figures.withdrawn))
    table.add_row("rework 重办 (of closed)", str(figures.reworked))
    table.add_row("spot-checked 抽查 (of on-the-spot)", str(figures.spot_checked))
    table.add_row("spot checks failed 抽查不合格", str(figures.spot_check_failed))
    table.add_row("citizens satisfied at callback 回访满意率", str(figures.citizen_satisfaction))
    for channel, rate in figures.satisfaction_by_channel.items():
        table.add_row(printable(f"  callback 回访: {channel}"), str(rate))
    timely = summary.timeliness
    if timely is not None:
        for level, n in timely.warnings.items():
            label = WarningLevel(level).label
            table.add_row(printable(f"warning light 亮灯: {label.en} {label.zh}"), str(n))
        hours = timely.paused_time.total_seconds() / 3600
        table.add_row("paused 挂起 (cases, now)", f"{timely.paused}, {timely.paused_now}")
        table.add_row("paused working hours 挂起工时", f"{hours:.1f}")
        table.add_row("extensions 延期 (cases, granted)", f"{timely.extended}, {timely.extensions}")
        table.add_row("joint cases 联办", str(timely.joint))
    console.print(table)


def plain_console(**options: Any) -> Console:
    """A console that reads no markup, emoji codes or highlighting in what it prints."""
    return Console(markup=False, highlight=False, emoji=False, **options)


@contextmanager
def progress_bar(
    console: Console, unit: str, total: int, *, quiet: bool
) -> Iterator[Callable[[int, int], None]]:
    """A "simulating 模拟" bar counting ``unit`` (days, cities) up to ``total``.

    Yields the ``progress(done, total)`` callback a simulation takes; nothing shows when
    ``quiet``.
    """
    with Progress(
        TextColumn("simulating 模拟"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task(unit, total=total)

        def advance(done: int, _total: int) -> None:
            progress.update(task, completed=done)

        yield advance


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
    print_intake(console, summary)
    names = {t.id: t.name for t in hierarchy.towns}
    towns = Table(title="bundled assessment 镇街、部门捆绑考核 (best and worst)")
    towns.add_column("town 镇街")
    for column in ("score 得分", "deducted 扣分", "veto 否决", "cases 案件"):
        towns.add_column(column, justify="right")
    ranked = summary.assessment.towns
    shown = ranked if len(ranked) <= 6 else (*ranked[:3], *ranked[-3:])
    for town in shown:
        name = printable(names.get(town.unit_id, town.unit_id))
        towns.add_row(
            name, score_text(town.score), f"{sum(town.deductions.values()):.1f}",
            printable(", ".join(town.vetoes)) or "-", str(town.cases),
        )  # fmt: skip
    console.print(towns)
    print_departments(console, summary, hierarchy)
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
