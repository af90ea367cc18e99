"""Charts drawn offline with matplotlib (the `report` extra), as SVG for the page and the PDF.

No pyplot: each chart is its own `Figure`, so nothing global is touched and reports can be
made from threads (the add-in's server). Sizes and fonts are chosen to read in print on A4.
"""

from __future__ import annotations

import io
import math
from typing import Any

from xl_brm.report._content import Chart

NHS_BLUE, DARK_GREY, MID_GREY, GREEN = "#005eb8", "#425563", "#768692", "#007f3b"
STYLE: dict[str, dict[str, Any]] = {
    "actual": {"color": NHS_BLUE, "linewidth": 2.2, "marker": "o", "markersize": 3.5},
    "plan": {"color": DARK_GREY, "linewidth": 1.6, "linestyle": (0, (5, 3))},
    "baseline": {"color": MID_GREY, "linewidth": 1.2, "linestyle": (0, (1, 2))},
    "target": {"color": GREEN, "linewidth": 1.2, "linestyle": (0, (8, 2, 1, 2))},
}
MAX_TICKS = 12


def chart_svg(chart: Chart) -> bytes:
    """The chart as a standalone SVG document."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with rc_context(
        {
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
            "font.size": 9,
            "svg.hashsalt": chart.title,
        }
    ):
        figure = Figure(figsize=(7.2, 3.0), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        xs = list(range(len(chart.periods)))
        for series in chart.series:
            ys = [math.nan if v is None else v for v in series.values]
            axes.plot(xs, ys, label=series.name, **STYLE[series.style])
        step = max(1, math.ceil(len(xs) / MAX_TICKS))
        axes.set_xticks(xs[::step], chart.periods[::step], rotation=45, ha="right")
        axes.set_xlabel("Period")
        axes.set_ylabel(chart.y_label)
        axes.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
        axes.grid(axis="y", color="#d8dde0", linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
