"""Benefit calculations of SPEC §5: baselines, improvement, realised quantity and value,
Green Book present value, planned trajectory, progress and RAG. Pure code: no I/O.

Decisions where SPEC §5 is silent:

- **Period length.** A benefit's period length is that of its measurements (months, or NHS
  quarters; a mix is rolled up to quarters with a warning). N for the straight-line plan, the
  "two expected periods" of `no_data` and realisation_start/target_date/as-of are all taken in
  periods of that length, so quarterly data gives N in quarters.
- **Counted periods** run from realisation_start's period (every period if blank) to the as-of
  period inclusive, and need an actual and a baseline. Σd, Σpd, Σq and Σv use the same periods;
  a missing month changes none of them (it shows as `no_data` when it is one of the last two).
- **Baseline window** is whole months from baseline_start's month to baseline_end's month; a
  blank end means "up to realisation_start". Fewer than 3 points → a warning in
  `BenefitFigures.warnings`, never an exception.
- **Present value before the base year** is compounded forward with the same Green Book rates
  (discount_factor(-n) = 1 / discount_factor(n)); beyond 125 years the Green Book's 2.0/1.5/1.0%
  continue. The base FY is `base_fy`, else realisation_start's FY, else the first counted period's.
- **Roll-up.** Values are levels: a quarter's level is the mean of its months. Realised quantity
  and value are amounts: a quarter's is the sum of its months (`realised_by_quarter`).
- **RAG** with a zero or negative plan uses the same thresholds as a shortfall of |planned|.
- **Nothing counted yet** (before realisation_start, or no measurement since): improvement,
  realised quantity and value, PV and planned to date are None ("—"), never a realised 0.
- **Rounding** never happens in calculations. `to_json` rounds for display only, half up: money
  to the penny (2 dp), other figures to 6 dp; `to_json(rounded=False)` keeps full floats.
"""

from xl_brm.calc._arithmetic import as_direction, improvement, realised_quantity, realised_value
from xl_brm.calc._baseline import (
    MIN_BASELINE_POINTS,
    as_method,
    compute_baseline,
    in_window,
    same_period_last_year,
)
from xl_brm.calc._compute import compute_benefit, compute_register
from xl_brm.calc._figures import JSON_KEYS, BenefitFigures, PeriodFigures
from xl_brm.calc._plan import TrajectoryPlan, periods_inclusive, straight_line_level
from xl_brm.calc._present_value import (
    GREEN_BOOK_RATES,
    LONG_TERM_RATE,
    discount_factor,
    present_value,
    rate_for_year,
)
from xl_brm.calc._rag import DEFAULT_THRESHOLDS, RagThresholds, rag_status
from xl_brm.calc._rollup import (
    QuarterTotal,
    realised_by_quarter,
    roll_up_to_quarters,
    weakest_grade,
)
from xl_brm.rounding import round_half_up

__all__ = [
    "DEFAULT_THRESHOLDS",
    "GREEN_BOOK_RATES",
    "JSON_KEYS",
    "LONG_TERM_RATE",
    "MIN_BASELINE_POINTS",
    "BenefitFigures",
    "PeriodFigures",
    "QuarterTotal",
    "RagThresholds",
    "TrajectoryPlan",
    "as_direction",
    "as_method",
    "compute_baseline",
    "compute_benefit",
    "compute_register",
    "discount_factor",
    "improvement",
    "in_window",
    "periods_inclusive",
    "present_value",
    "rag_status",
    "rate_for_year",
    "realised_by_quarter",
    "realised_quantity",
    "realised_value",
    "roll_up_to_quarters",
    "round_half_up",
    "same_period_last_year",
    "straight_line_level",
    "weakest_grade",
]
