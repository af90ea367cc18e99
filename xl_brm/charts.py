"""What the charts of planned versus realised value plot, whichever route draws them.

`xl-brm compute --out` (openpyxl) and the ribbon's Compute (xlwings, in every Excel, xlwings
Lite included) chart the same table, so it is computed here, without any workbook library.
Money only: improvements in hours, letters or percentages are never put on a £ axis.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from xl_brm.calc import round_half_up
from xl_brm.enums import BenefitType
from xl_brm.periods import Period

if TYPE_CHECKING:
    from xl_brm.computation import Computation

VALUE_KEYS = ("planned_cash", "realised_cash", "planned_noncash", "realised_noncash")
VALUE_LABELS = (
    "Planned cash-releasing (£)",
    "Realised cash-releasing (£)",
    "Planned non-cash-releasing (£)",
    "Realised non-cash-releasing (£)",
)
"""Column headings of the chart table, in the order of `VALUE_KEYS`."""


def cumulative_value_by_period(computed: Computation) -> list[tuple[str, dict[str, float | None]]]:
    """Cumulative planned and realised £ per period, cash and non-cash apart, dis-benefits out.

    Months are used when every financial benefit reports monthly; otherwise everything is rolled
    up to NHS financial quarters. Realised stops at the as-of period; planned runs on. At the
    as-of period, planned is the sum of `Computation.planned_value_gbp` (the same periods).
    """
    as_of = computed.as_of
    keys = VALUE_KEYS
    chosen = [f for f in computed.figures if not f.is_disbenefit and f.benefit_type.is_financial]
    points = [(f, p, p.period) for f in chosen for p in f.series]
    quarterly = any(period.is_quarter for _, _, period in points)
    planned: dict[Period, dict[str, float]] = defaultdict(lambda: dict.fromkeys(keys, 0.0))
    factors = {f.benefit_id: computed.gbp_per_unit(f.benefit_id) for f in chosen}
    for fig, point, period in points:
        slot = planned[period.to_quarter() if quarterly else period]
        suffix = "cash" if fig.benefit_type is BenefitType.CASH_RELEASING else "noncash"
        factor = factors[fig.benefit_id]
        if point.planned_improvement is not None and factor is not None:
            slot[f"planned_{suffix}"] += point.planned_improvement * factor
        if point.counted and point.realised_value_gbp is not None and period <= as_of:
            slot[f"realised_{suffix}"] += point.realised_value_gbp
    last = as_of.to_quarter() if quarterly else as_of
    running = dict.fromkeys(keys, 0.0)
    out: list[tuple[str, dict[str, float | None]]] = []
    for period in sorted(planned):
        row: dict[str, float | None] = {}
        for key in keys:
            running[key] += planned[period][key]
            future = key.startswith("realised") and period > last
            row[key] = None if future else round_half_up(running[key], 2)
        out.append((str(period), row))
    return out
