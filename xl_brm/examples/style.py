"""How an imaginary trust lays out its register (`Style`), and the register's contents in
canonical terms (`Register`): the two halves the one writer (`writer.write_register`) puts
together. The example registers and the accuracy harness (`tests/accuracy`) both describe
their trusts with these, so every workbook xl-brm ships or scores itself on comes from data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

BENEFITS, MEASUREMENTS, TRAJECTORY = "Benefits", "Measurements", "Trajectory"

# -- cell markers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Raw:
    """Write this value exactly as given (a typo, a word in a number column...)."""

    value: Any


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula with no cached result, as a script (not Excel) writes it."""

    text: str


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    def plus(self, n: int) -> Month:
        k = self.year * 12 + self.month - 1 + n
        return Month(k // 12, k % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.plus(1).first_day - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Quarter:
    fy: int
    """First calendar year of the NHS financial year (2019 for 2019/20)."""
    q: int

    @property
    def first_month(self) -> Month:
        return Month(self.fy, 4).plus(3 * (self.q - 1))


# -- the register, in canonical terms -----------------------------------------------------------------

KIND: dict[str, str] = {
    "benefit_id": "id",
    "trust_ods": "text",
    "programme": "text",
    "project": "text",
    "title": "text",
    "benefit_type": "enum",
    "category": "enum",
    "beneficiary": "enum",
    "is_disbenefit": "bool",
    "planned": "bool",
    "measure": "text",
    "unit": "enum",
    "direction": "enum",
    "baseline_value": "number",
    "baseline_start": "date",
    "baseline_end": "date",
    "baseline_method": "enum",
    "target_value": "number",
    "target_date": "date",
    "realisation_start": "date",
    "unit_value_gbp": "money",
    "attribution_pct": "percent",
    "benefit_owner": "text",
    "approval_status": "enum",
    "approved_by": "text",
    "approved_on": "date",
    "confidence": "enum",
    "evidence": "text",
    # Measurements and Trajectory
    "period": "period",
    "value": "value",
    "source": "text",
    "evidence_grade": "enum",
    "note": "text",
    "planned_value": "number",
}


@dataclass(slots=True)
class Row:
    uid: str
    cells: dict[str, Any]
    local: dict[str, Any] = field(default_factory=dict)
    """The trust's own columns, header -> value (a header missing here gets an invented value)."""


@dataclass(slots=True)
class Register:
    trust: str
    programme: str
    benefits: list[Row]
    measurements: list[Row]
    quarterly: bool
    trajectory: list[Row] = field(default_factory=list)

    def benefit(self, uid: str) -> Row:
        return next(r for r in self.benefits if r.uid == uid)


# -- the house style --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Look:
    """How the sheets look: fills, fonts, widths, frozen panes. None = Excel's plain default."""

    header_fill: str | None = None
    header_font: str = "000000"
    title_fonts: tuple[tuple[bool, bool, int | None, str | None], ...] = ()
    """Per title row: (bold, italic, size, colour)."""
    title_fill: str | None = None
    centre_titles: bool = False
    measurement_title_font: tuple[bool, int] | None = None
    """(bold, size) of the measurements sheet's title rows."""
    notes_font: str | None = None
    """Colour of the notes rows below the register, in italics."""
    widths: tuple[int, ...] = ()
    measurement_widths: tuple[int, ...] = ()
    trajectory_widths: tuple[int, ...] = ()
    settings_widths: tuple[int, ...] = ()
    freeze: str | None = None
    """The register's frozen panes ('B4'); None: the row under the header."""
    measurement_freeze: str | None = None
    trajectory_freeze: str | None = None
    bold_totals: bool = False


@dataclass(frozen=True)
class Style:
    """How one trust lays out its register."""

    name: str
    trust: str
    id_style: str
    quarterly: bool
    benefit_sheet: str
    measurement_sheet: str
    benefit_headers: dict[str, str]
    """Canonical field -> the trust's header, in the trust's column order (absent = no column)."""
    measurement_headers: dict[str, str]
    local_columns: tuple[tuple[int, str], ...] = ()
    """(position among the columns, header) of the trust's own columns."""
    hidden_local: int | None = None
    """Index into local_columns of a column hidden in Excel."""
    title_rows: tuple[str, ...] = ()
    merge_titles: bool = True
    title_span: int | None = 8
    """How many columns a merged title spans (None: the whole header)."""
    blank_after_title: bool = True
    spacer_every: int = 0
    spacer_by: str | None = None
    """A blank row wherever this field changes (between schemes)."""
    totals_row: str | None = None
    totals_gap: bool = True
    """A blank row between the register and its totals row."""
    totals_of: tuple[str, ...] = ("unit_value_gbp",)
    """Fields or local headers the totals row adds up."""
    notes: tuple[str, ...] = ()
    measurement_title: tuple[str, ...] = ()
    measurement_title_gap: bool = True
    """A blank row between the measurements sheet's title and its header."""
    measurement_spacers: bool = False
    settings: tuple[tuple[str, str], ...] = ()
    """Rows of a BRM Settings sheet (key, value); empty = no such sheet."""
    settings_header: tuple[str, str] | None = ("Setting", "Value")
    settings_note: str | None = None
    """A line beside the settings (in D1) saying what they are for."""
    dates: str = "uk_text"
    """uk_text (31/03/2021), cell (date cells), mixed, dmon (3 Apr 2019), dots (31.03.2021)."""
    date_format: str = "dd/mm/yyyy"
    """The number format of date cells."""
    money: str = "gbp_text"
    """gbp_text (£1,200.50), number, number_fmt (£ number format), mixed."""
    money_format: str = '"£"#,##0.00'
    number_format: str | None = None
    """The number format of baselines, targets and planned values; None: General."""
    thousands: bool = True
    """Big numbers are now and then typed as text with a thousands separator ('11,800')."""
    percent: str = "text"
    """text (80%), number (80), spaced (80 %)."""
    percent_format: str | None = None
    """The number format of a percent written as a number ('0"%"')."""
    flags: str = "yes_no"
    """yes_no, y_n, bool."""
    periods: str = "mon_yy"
    """mon_yy (Apr-19), iso (2019-04), date_cell (01/04/2019 cell), long (April 2019),
    month_end (30/04/2019 cell), q_fy (2019/20 Q1), q_first (Q1 2019/20), q_short (Q1 19/20),
    short_q (19/20 Q1), qtr (Qtr 1 2019/20)."""
    canonical: bool = False
    """Enum values written by their canonical names (cash_releasing), as the template does."""
    spellings: dict[str, dict[str, str]] = field(default_factory=dict)
    """field -> canonical value -> the trust's spelling."""
    local_formats: dict[str, str] = field(default_factory=dict)
    """Local header -> the number format of its cells."""
    extra_sheets: tuple[str, ...] = ()
    section_rows: bool = False
    """A merged band row ('Workstream: EPMA') above each project's rows."""
    group_band: tuple[tuple[str, int, int], ...] = ()
    """A row of merged group labels just above the header (label, first col, last col)."""
    wide: str = ""
    """Measurements one column per period (SPEC §2.2): 'sheet' on a tracking sheet with a row
    per benefit, 'right' to the right of the register's own columns; '' one row each (long)."""
    wide_headers: tuple[str, ...] = ("Measure",)
    """A tracking sheet's columns between the benefit ID and the periods (the measure's name)."""
    trajectory_sheet: str | None = None
    trajectory_headers: dict[str, str] = field(default_factory=dict)
    look: Look = Look()


DEFAULT_SPELLINGS: dict[str, dict[str, str]] = {
    "benefit_type": {
        "cash_releasing": "Cash releasing",
        "non_cash_releasing": "Non-cash releasing",
        "quantitative_non_financial": "Quantitative",
        "qualitative": "Qualitative",
    },
    "category": {
        "safety_quality": "Safety and quality",
        "clinical_outcomes": "Clinical outcomes",
        "patient_experience": "Patient experience",
        "staff_experience": "Staff experience",
        "resource_sustainability": "Resource and sustainability",
    },
    "beneficiary": {
        "trust": "Trust",
        "patients": "Patients",
        "staff": "Staff",
        "wider_nhs": "Wider NHS",
        "society": "Society",
    },
    "direction": {"increase": "Increase", "decrease": "Decrease"},
    "baseline_method": {"given": "Given", "mean": "Mean"},
    "approval_status": {
        "draft": "Draft",
        "submitted": "Submitted",
        "approved": "Approved",
        "rejected": "Rejected",
    },
    "confidence": {"high": "High", "medium": "Medium", "low": "Low"},
    "evidence_grade": {"measured": "Measured", "estimated": "Estimated", "assumed": "Assumed"},
    "unit": {
        "count": "Count",
        "hours": "Hours",
        "minutes": "Minutes",
        "days": "Days",
        "percent": "%",
        "rate_per_1000": "Rate per 1,000",
        "gbp": "£",
    },
}


def spell(style: Style, name: str, value: str) -> str:
    """A canonical value in the style's spelling."""
    own = style.spellings.get(name, {})
    if value in own:
        return own[value]
    if style.canonical:
        return value
    return DEFAULT_SPELLINGS.get(name, {}).get(value, value)
