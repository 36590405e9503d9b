"""The HTML report's drawing: inline SVG charts (stacked bars, horizontal bars) and tables.

Private to the command line (``cli._html`` draws the report with these).  Every name, label
and id shown goes through :func:`~ruian_governance.io.printable` and is escaped; axis ranges
and colours are presentation choices (design choices).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from datetime import datetime

from ruian_governance.io import printable

__all__ = ["escaped", "hbars", "legend", "nice_step", "stacked_bars", "table", "value_range"]

_LEGEND = {"event": "event 事件", "dispute": "dispute 纠纷", "hazard": "hazard 隐患"}
_PALETTE = ("#2f6db3", "#d9822b", "#b33a3a", "#3a8f5c", "#7a4fa3", "#8c8c8c")
_WIDTH = 760


def escaped(text: object) -> str:
    """``text`` made printable and HTML-escaped (``'<b>'`` -> ``'&lt;b&gt;'``)."""
    return html.escape(printable(text))


def legend(lifecycle: str) -> str:
    """How a lifecycle is named in charts (``"event 事件"``, else its key)."""
    return _LEGEND.get(lifecycle, lifecycle)


# --------------------------------------------------------------------------- axes


def nice_step(span: float, ticks: int = 5) -> float:
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
        f'aria-label="{escaped(name)}">{"".join(body)}</svg>'
    )


def stacked_bars(
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
    step = nice_step(max(peak, 1))
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
                    f"{escaped(legend(key))}: {count}</title></rect>"
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
        f"({escaped(unit)})</text>"
    )
    for k, key in enumerate(keys):
        body.append(
            f'<rect x="{left + 10 + k * 130}" y="6" width="10" height="10" '
            f'fill="{colours[key]}"/><text x="{left + 24 + k * 130}" y="15">'
            f"{escaped(legend(key))}</text>"
        )
    return _svg(width, height, name, body)


def hbars(  # noqa: PLR0913 - the rows and their axis
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
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escaped(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(w, 0.0):.1f}" height="{row - 6}" '
            f'fill="#2f6db3"><title>{escaped(label)}: {escaped(text)}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{escaped(text)}</text>'
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


def table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]) -> str:
    """An HTML table of ``rows`` under ``head``; the columns in ``numeric`` right-aligned."""
    out = ["<table><tr>"]
    out += [
        f"<th{' class=n' if i in numeric else ''}>{escaped(h)}</th>" for i, h in enumerate(head)
    ]
    out.append("</tr>")
    for row in rows:
        out.append("<tr>")
        out += [
            f"<td{' class=n' if i in numeric else ''}>{escaped(v)}</td>" for i, v in enumerate(row)
        ]
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)
