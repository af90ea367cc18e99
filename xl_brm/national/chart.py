"""A bar chart as inline SVG, drawn by the server: no script, nothing fetched, readable without
colour (each bar is labelled in its tooltip, and the chart's figures are in a table beside it).

The SVG is an image with a title and a description that says what it shows in words; the page
puts the same figures in a table right after it (`views.BarChart.table`).
"""

from __future__ import annotations

import math
from html import escape

from xl_brm import display
from xl_brm.national.views import BarChart

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 44, 64
COLOURS = {"cash": "#005eb8", "noncash": "#007f3b"}
"""NHS blue and NHS green: both at least 3:1 against white (WCAG 1.4.11)."""


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (always including 0)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def short_money(value: float) -> str:
    """£1.2m, £350k, £900, -£40k: axis labels that fit."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1e9:
        text = f"{v / 1e9:.3g}bn"
    elif v >= 1e6:
        text = f"{v / 1e6:.3g}m"
    elif v >= 1e3:
        text = f"{v / 1e3:.3g}k"
    else:
        text = f"{v:.0f}"
    return f"{sign}£{text}"


def bar_chart_svg(chart: BarChart) -> str:
    """The chart as an `<svg>` element (escaped text throughout)."""
    values = [v for bar in chart.bars for v in bar.values]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h - (value - low) / (high - low) * plot_h

    described = "; ".join(
        f"{bar.name}: "
        + ", ".join(f"{c} {display.money(v)}" for c, v in zip(chart.categories, bar.values, strict=True))
        for bar in chart.bars
    )
    parts = [
        f'<svg class="brm-chart__svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{chart.key}-title {chart.key}-desc" font-family="Arial, sans-serif" '
        'font-size="13">',
        f'<title id="{chart.key}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart.key}-desc">Bar chart. {escape(described or "No realised value yet.")} '
        "The same figures are in the table after the chart.</desc>",
    ]
    for i, bar in enumerate(chart.bars):  # legend
        x = LEFT + i * 220
        parts.append(f'<rect x="{x}" y="10" width="14" height="14" fill="{COLOURS[bar.style]}"/>')
        parts.append(f'<text x="{x + 20}" y="22" fill="#212b32">{escape(bar.name)}</text>')
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{"#4c6272" if tick == 0 else "#d8dde0"}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" fill="#212b32">'
            f"{short_money(tick)}</text>"
        )
    group = plot_w / max(len(chart.categories), 1)
    width = min(48.0, group * 0.8 / max(len(chart.bars), 1))
    for c, category in enumerate(chart.categories):
        centre = LEFT + group * (c + 0.5)
        start = centre - width * len(chart.bars) / 2
        for b, bar in enumerate(chart.bars):
            value = bar.values[c]
            top, bottom = sorted((y(value), y(0.0)))
            parts.append(
                f'<rect x="{start + b * width:.1f}" y="{top:.1f}" width="{width - 2:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{COLOURS[bar.style]}">'
                f"<title>{escape(bar.name)}, {escape(category)}: {display.money(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{TOP + plot_h + 20}" text-anchor="middle" fill="#212b32">'
            f"{escape(category)}</text>"
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle" fill="#212b32" '
        f'font-weight="bold">{escape(chart.x_label)}</text>'
    )
    parts.append(
        f'<text transform="translate(18 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="#212b32" font-weight="bold">{escape(chart.y_label)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)
