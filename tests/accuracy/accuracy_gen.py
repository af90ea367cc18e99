"""Seeded generator of realistic trust benefit registers in house styles xl-brm was not tuned on.

A register is built as canonical values first (`Register`: dates, floats, canonical enum names,
periods), so that the injector can break it at known places; `write_register` then renders it
in a house style (header spellings, title rows, merged cells, spacer / totals / notes rows, local
and hidden columns, UK text dates or date cells, £ strings, percent strings, Yes/No flags,
monthly or quarterly periods, a BRM Settings sheet instead of an ODS column) with openpyxl and
returns where every row and column landed, so an expected finding can be given as an A1 cell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BENEFITS, MEASUREMENTS = "Benefits", "Measurements"

# ---------------------------------------------------------------------------- cell markers


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


# ---------------------------------------------------------------------------- the register

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
    # Measurements
    "period": "period",
    "value": "value",
    "source": "text",
    "evidence_grade": "enum",
    "note": "text",
}


@dataclass(slots=True)
class Row:
    uid: str
    cells: dict[str, Any]
    local: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Register:
    trust: str
    programme: str
    benefits: list[Row]
    measurements: list[Row]
    quarterly: bool

    def benefit(self, uid: str) -> Row:
        return next(r for r in self.benefits if r.uid == uid)


@dataclass(frozen=True, slots=True)
class Idea:
    project: str
    title: str
    benefit_type: str
    category: str
    beneficiary: str
    measure: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline: float = 0.0
    factor: float = 1.0
    unit_value: float | None = None
    disbenefit: bool = False
    planned: bool = True


IDEAS: tuple[Idea, ...] = (
    Idea(
        "EPMA",
        "Reduction in medication administration errors",
        "quantitative_non_financial",
        "safety_quality",
        "patients",
        "medication administration errors reported on Datix",
        "count",
        "decrease",
        124,
        0.55,
    ),
    Idea(
        "EPMA",
        "Pharmacist time released from drug chart rewriting",
        "non_cash_releasing",
        "resource_sustainability",
        "staff",
        "pharmacist hours spent rewriting charts per month",
        "hours",
        "decrease",
        410,
        0.6,
        38.5,
    ),
    Idea(
        "E-Rostering",
        "Reduced agency nurse spend",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "agency nursing shifts booked per month",
        "count",
        "decrease",
        310,
        0.8,
        285.0,
    ),
    Idea(
        "Patient Portal",
        "Fewer outpatient DNAs",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "outpatient DNAs per month",
        "count",
        "decrease",
        930,
        0.85,
        120.0,
    ),
    Idea(
        "Digital Dictation",
        "Faster clinic letter turnaround",
        "quantitative_non_financial",
        "patient_experience",
        "patients",
        "median days from clinic to letter sent",
        "days",
        "decrease",
        14,
        0.45,
    ),
    Idea(
        "Paper-light Outpatients",
        "Reduced case note pulls and storage",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "case notes pulled per month",
        "count",
        "decrease",
        11800,
        0.6,
        3.4,
    ),
    Idea(
        "Sepsis Alerting",
        "Increase in sepsis screening compliance",
        "quantitative_non_financial",
        "clinical_outcomes",
        "patients",
        "% of eligible patients screened for sepsis",
        "percent",
        "increase",
        62,
        1.35,
    ),
    Idea(
        "Theatres Scheduling",
        "Improved theatre utilisation",
        "non_cash_releasing",
        "resource_sustainability",
        "trust",
        "theatre session utilisation %",
        "percent",
        "increase",
        76,
        1.1,
        1450.0,
    ),
    Idea(
        "VTE Assessment",
        "VTE risk assessment within 14 hours",
        "quantitative_non_financial",
        "safety_quality",
        "patients",
        "% of admissions assessed within 14 hours",
        "percent",
        "increase",
        81,
        1.15,
    ),
    Idea(
        "Electronic Observations",
        "Fewer cardiac arrests on wards",
        "quantitative_non_financial",
        "clinical_outcomes",
        "patients",
        "cardiac arrests per 1,000 admissions",
        "rate_per_1000",
        "decrease",
        1.9,
        0.7,
    ),
    Idea(
        "Bed Management",
        "Reduced length of stay for emergency admissions",
        "non_cash_releasing",
        "resource_sustainability",
        "wider_nhs",
        "bed days for emergency admissions per month",
        "bed days",
        "decrease",
        5200,
        0.93,
        295.0,
    ),
    Idea(
        "Order Comms",
        "Fewer duplicate pathology tests",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "duplicate pathology tests per month",
        "count",
        "decrease",
        1450,
        0.7,
        6.2,
    ),
    Idea(
        "EPR", "Clinicians can see the full record across sites", "qualitative", "staff_experience", "staff"
    ),
    Idea(
        "Patient Portal",
        "Patients feel more in control of their appointments",
        "qualitative",
        "patient_experience",
        "patients",
    ),
    Idea(
        "Single Sign-On",
        "Improved staff satisfaction with IT log-in",
        "qualitative",
        "staff_experience",
        "staff",
    ),
    Idea(
        "Shared Care Record",
        "Better information sharing with GPs and social care",
        "qualitative",
        "clinical_outcomes",
        "wider_nhs",
    ),
    Idea(
        "EPR",
        "Extra documentation time at go-live",
        "quantitative_non_financial",
        "staff_experience",
        "staff",
        "minutes of documentation per nursing shift",
        "minutes",
        "decrease",
        95,
        1.2,
        disbenefit=True,
    ),
    Idea(
        "Digital Dictation",
        "Reduced courier costs between sites",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "courier runs per month",
        "count",
        "decrease",
        220,
        0.5,
        18.0,
        planned=False,
    ),
    Idea(
        "E-Rostering",
        "Reduced time spent compiling rotas",
        "non_cash_releasing",
        "staff_experience",
        "staff",
        "ward manager hours on rotas per month",
        "hours",
        "decrease",
        640,
        0.7,
        31.0,
    ),
    Idea(
        "Electronic Observations",
        "Improved NEWS2 escalation compliance",
        "quantitative_non_financial",
        "safety_quality",
        "patients",
        "% of NEWS2 >= 5 escalated within 1 hour",
        "percent",
        "increase",
        58,
        1.4,
    ),
)

OWNERS = (
    "Chief Pharmacist",
    "Deputy Chief Nurse",
    "Director of Operations",
    "Head of Outpatients",
    "CCIO",
    "Associate Director of Finance",
    "Clinical Director for Surgery",
    "Dr A. Khan",
    "Mrs J. O'Neill",
    "Head of Digital Transformation",
)
APPROVERS = ("Director of Finance", "Chief Nursing Officer", "Digital Programme Board", "Deputy CEO", "CIO")
EVIDENCE = (
    "Staff survey Jan 2020: 78% of respondents find the new system quicker (n=212)",
    "Audit of 40 discharge summaries, Feb 2020: all viewable across both sites",
    "Patient panel feedback March 2020; 9 of 12 positive comments",
    "GP practice survey Dec 2020: 31 of 40 practices report faster access to letters",
)


def _round(x: float, unit: str | None) -> float:
    if unit in ("percent", "rate_per_1000"):
        return round(x, 1)
    return float(round(x))


def make_register(
    seed: int, *, trust: str, quarterly: bool, id_style: str, n: int = 26, computed_baselines: bool = True
) -> Register:
    """A clean register: every row should validate without an error.

    `computed_baselines`: some monthly benefits use a mean baseline (needs a method column)."""
    rng = random.Random(seed)
    ideas = list(IDEAS)
    rng.shuffle(ideas)
    chosen = (ideas * (n // len(ideas) + 1))[:n]
    # make sure every kind the injector needs is present
    needed = [i for i in IDEAS if i.benefit_type == "qualitative"][:2]
    needed += [i for i in IDEAS if i.benefit_type in ("cash_releasing", "non_cash_releasing")][:3]
    for idea in needed:
        if idea not in chosen:
            chosen[rng.randrange(len(chosen))] = idea
    benefits: list[Row] = []
    measurements: list[Row] = []
    counters: dict[str, int] = {}
    for k, idea in enumerate(chosen):
        counters[idea.project] = counters.get(idea.project, 0) + 1
        bid = _benefit_id(id_style, idea.project, counters[idea.project], k + 1)
        year = rng.choice((2018, 2019, 2019, 2020))
        base_start = Month(year, 4)
        base_end = base_start.plus(5)
        realise = base_start.plus(6 + rng.choice((0, 0, 3)))
        target_date = Month(year + 2, 3).last_day
        quantitative = idea.benefit_type != "qualitative"
        status = rng.choice(("approved", "approved", "approved", "submitted", "draft", "rejected"))
        method = "given"
        if (
            computed_baselines
            and quantitative
            and not quarterly
            and rng.random() < 0.2
            and not idea.disbenefit
        ):
            method = "mean"
        cells: dict[str, Any] = {
            "benefit_id": bid,
            "trust_ods": trust,
            "programme": "GDE",
            "project": idea.project,
            "title": idea.title,
            "benefit_type": idea.benefit_type,
            "category": idea.category,
            "beneficiary": idea.beneficiary,
            "is_disbenefit": idea.disbenefit,
            "planned": idea.planned,
            "benefit_owner": rng.choice(OWNERS),
            "approval_status": status,
            "confidence": rng.choice(("high", "medium", "low")),
            "realisation_start": realise.first_day,
            "attribution_pct": float(rng.choice((100, 100, 90, 80, 75, 60, 50))),
        }
        baseline = idea.baseline * rng.uniform(0.9, 1.1)
        target = baseline * idea.factor
        if idea.unit == "percent":
            target = min(target, 98.0)
        if quantitative:
            cells.update(
                {
                    "measure": idea.measure,
                    "unit": idea.unit,
                    "direction": idea.direction,
                    "baseline_start": base_start.first_day,
                    "baseline_end": base_end.last_day,
                    "baseline_method": method,
                }
            )
            if method == "given":
                cells["baseline_value"] = _round(baseline, idea.unit)
            if idea.planned:
                cells["target_value"] = _round(target, idea.unit)
                cells["target_date"] = target_date
            if idea.unit_value is not None:
                cells["unit_value_gbp"] = idea.unit_value
        if status == "approved":
            cells["approved_by"] = rng.choice(APPROVERS)
            cells["approved_on"] = date(year + 1, rng.randint(1, 12), rng.randint(1, 28))
            if not quantitative:
                cells["evidence"] = rng.choice(EVIDENCE)
        elif not quantitative and rng.random() < 0.5:
            cells["evidence"] = rng.choice(EVIDENCE)
        if k >= len(IDEAS):
            cells["title"] = f"{idea.title} (second site)"
        row = Row(f"b{k}", {f: v for f, v in cells.items() if v is not None})
        benefits.append(row)
        if status == "draft" and method == "given" and rng.random() < 0.5:
            continue  # a draft benefit not yet measured
        measurements.extend(_series(rng, row, idea, baseline, target, base_start, realise, quarterly))
    for j, m in enumerate(measurements):
        m.uid = f"m{j}"
    return Register(trust, "GDE", benefits, measurements, quarterly)


def _benefit_id(style: str, project: str, n: int, k: int) -> Any:
    words = project.replace("-", " ").split()
    short = ("".join(w[0] for w in words) if len(words) > 1 else words[0][:4]).upper()
    if style == "gde":
        return f"GDE-{short}-{n:02d}"
    if style == "slash":
        return f"BR/{k:03d}"
    if style == "number":
        return float(k)
    return f"{short}{n:02d}"


def _series(
    rng: random.Random,
    row: Row,
    idea: Idea,
    baseline: float,
    target: float,
    start: Month,
    realise: Month,
    quarterly: bool,
) -> list[Row]:
    """Monthly (or quarterly) actuals from the baseline window to March 2021/22."""
    bid = row.cells["benefit_id"]
    end = Month(start.year + 2, 3)
    out: list[Row] = []
    if idea.benefit_type == "qualitative":
        for q in range(1, 5):
            period: Any = Quarter(start.year + 1, q) if quarterly else Month(start.year + 1, 3 * q)
            out.append(
                Row(
                    "",
                    {
                        "benefit_id": bid,
                        "period": period,
                        "value": rng.choice(EVIDENCE),
                        "source": "Survey",
                        "evidence_grade": "measured",
                    },
                )
            )
        return out
    months: list[Any]
    if quarterly:
        months = [Quarter(fy, q) for fy in range(start.year, end.year) for q in (1, 2, 3, 4)]
    else:
        months = []
        m = start
        while (m.year, m.month) <= (end.year, end.month):
            months.append(m)
            m = m.plus(1)
    total = max(1, len(months) - 6)
    for i, p in enumerate(months):
        first = p.first_month if isinstance(p, Quarter) else p
        done = 0.0
        if (first.year, first.month) >= (realise.year, realise.month):
            done = min(1.0, (i - 5) / total)
        level = baseline + (target - baseline) * done
        value = _round(level * rng.uniform(0.96, 1.04), idea.unit)
        if idea.unit == "count" and value == 0:
            value = 1.0
        cells: dict[str, Any] = {
            "benefit_id": bid,
            "period": p,
            "value": value,
            "source": rng.choice(("Datix", "EPR report", "Finance ledger", "Rostering")),
        }
        grade = rng.choice(("measured", "measured", "measured", "estimated"))
        cells["evidence_grade"] = grade
        if rng.random() < 0.05:
            cells["note"] = "Revised after data quality check"
        out.append(Row("", cells))
    return out


# ---------------------------------------------------------------------------- house styles


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
    blank_after_title: bool = True
    spacer_every: int = 0
    totals_row: str | None = None
    notes: tuple[str, ...] = ()
    measurement_title: tuple[str, ...] = ()
    measurement_spacers: bool = False
    settings: tuple[tuple[str, str], ...] = ()
    """Rows of a BRM Settings sheet (key, value); empty = no such sheet."""
    dates: str = "uk_text"
    """uk_text (31/03/2021), cell (date cells), mixed, dmon (3 Apr 2019), dots (31.03.2021)."""
    money: str = "gbp_text"
    """gbp_text (£1,200.50), number, number_fmt (£ number format), mixed."""
    percent: str = "text"
    """text (80%), number (80), spaced (80 %)."""
    flags: str = "yes_no"
    """yes_no, y_n, bool."""
    periods: str = "mon_yy"
    """mon_yy (Apr-19), iso (2019-04), date_cell (01/04/2019 cell), long (April 2019),
    month_end (30/04/2019 cell), q_fy (2019/20 Q1), q_first (Q1 2019/20), q_short (Q1 19/20),
    short_q (19/20 Q1), qtr (Qtr 1 2019/20)."""
    spellings: dict[str, dict[str, str]] = field(default_factory=dict)
    """field -> canonical value -> the trust's spelling."""
    extra_sheets: tuple[str, ...] = ()
    section_rows: bool = False
    """Stretch: a merged band row ('Workstream: EPMA') above each project's rows."""
    group_band: tuple[tuple[str, int, int], ...] = ()
    """Stretch: a row of merged group labels just above the header (label, first col, last col)."""
    wide: str = ""
    """Measurements one column per period (SPEC §2.2): 'sheet' on a tracking sheet with a row
    per benefit, 'right' to the right of the register's own columns; '' one row each (long)."""


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


def _spell(style: Style, name: str, value: str) -> str:
    own = style.spellings.get(name, {})
    if value in own:
        return own[value]
    return DEFAULT_SPELLINGS.get(name, {}).get(value, value)


# ---------------------------------------------------------------------------- rendering


@dataclass(slots=True)
class Layout:
    """Where the register landed: uid -> Excel row, field -> column letter, per canonical sheet."""

    path: Path
    sheet_names: dict[str, str]
    rows: dict[str, dict[str, int]]
    columns: dict[str, dict[str, str]]
    measured: dict[str, str] = field(default_factory=dict)
    """Wide layouts: measurement uid -> the column letter of its period (its value's cell)."""

    def cell(self, sheet: str, uid: str, name: str) -> str | None:
        if sheet == MEASUREMENTS and uid in self.measured and name in ("period", "value"):
            return f"{self.measured[uid]}{self.rows[sheet][uid]}"
        letter = self.columns[sheet].get(name)
        if letter is None:
            return None
        return f"{letter}{self.rows[sheet][uid]}"


@dataclass(slots=True)
class _Cell:
    value: Any
    fmt: str | None = None
    force_text: bool = False


def _cell_rng(seed: int, uid: str, name: str) -> random.Random:
    return random.Random(f"{seed}:{uid}:{name}")


def _render(style: Style, seed: int, uid: str, name: str, value: Any) -> _Cell:
    """One canonical value in the style's spelling."""
    if value is None:
        return _Cell(None)
    if isinstance(value, Raw):
        v = value.value
        if isinstance(v, date):
            return _Cell(v, "dd/mm/yyyy")
        return _Cell(v, force_text=isinstance(v, str) and v.startswith("="))
    if isinstance(value, Formula):
        return _Cell(value.text)
    kind = KIND[name]
    rng = _cell_rng(seed, uid, name)
    if kind == "date":
        return _date(style.dates, rng, value)
    if kind == "period":
        return _period(style.periods, value)
    if kind == "money":
        return _money(style.money, rng, value)
    if kind == "percent":
        if style.percent == "number":
            return _Cell(value)
        if style.percent == "spaced":
            return _Cell(f"{value:g} %")
        return _Cell(f"{value:g}%")
    if kind == "bool":
        if style.flags == "bool":
            return _Cell(bool(value))
        if style.flags == "y_n":
            return _Cell("Y" if value else "N")
        return _Cell("Yes" if value else "No")
    if kind == "enum":
        return _Cell(_spell(style, name, value))
    if kind == "number":
        if rng.random() < 0.15 and value >= 1000:
            return _Cell(f"{value:,.0f}")  # typed with a thousands separator
        return _Cell(value)
    if isinstance(value, str):
        return _Cell(value, force_text=value.startswith("="))
    return _Cell(value)


def _date(mode: str, rng: random.Random, d: date) -> _Cell:
    if mode == "mixed":
        mode = rng.choice(("uk_text", "cell", "dmon"))
    if mode == "cell":
        return _Cell(datetime(d.year, d.month, d.day), "dd/mm/yyyy")
    if mode == "dmon":
        return _Cell(f"{d.day} {d:%b %Y}")
    if mode == "dots":
        return _Cell(f"{d:%d.%m.%Y}")
    return _Cell(f"{d:%d/%m/%Y}")


def _money(mode: str, rng: random.Random, x: float) -> _Cell:
    if mode == "mixed":
        mode = rng.choice(("gbp_text", "number", "number_fmt"))
    if mode == "number":
        return _Cell(x)
    if mode == "number_fmt":
        return _Cell(x, '"£"#,##0.00')
    return _Cell(f"£{x:,.2f}")


def _period(mode: str, p: Any) -> _Cell:
    if isinstance(p, Quarter):
        fy = f"{p.fy}/{(p.fy + 1) % 100:02d}"
        short = f"{p.fy % 100:02d}/{(p.fy + 1) % 100:02d}"
        if mode == "q_first":
            return _Cell(f"Q{p.q} {fy}")
        if mode == "q_short":
            return _Cell(f"Q{p.q} {short}")
        if mode == "short_q":
            return _Cell(f"{short} Q{p.q}")
        if mode == "qtr":
            return _Cell(f"Qtr {p.q} {fy}")
        return _Cell(f"{fy} Q{p.q}")
    assert isinstance(p, Month)
    if mode == "iso":
        return _Cell(f"{p.year}-{p.month:02d}")
    if mode == "date_cell":
        return _Cell(datetime(p.year, p.month, 1), "mmm-yy")
    if mode == "month_end":
        d = p.last_day
        return _Cell(datetime(d.year, d.month, d.day), "dd/mm/yyyy")
    if mode == "long":
        return _Cell(f"{p.first_day:%B %Y}")
    return _Cell(f"{p.first_day:%b-%y}")


def _columns(
    style: Style, headers: dict[str, str], local: tuple[tuple[int, str], ...]
) -> list[tuple[str, str]]:
    """(key, header) in sheet order; key is a canonical field or 'local:<header>'."""
    cols: list[tuple[str, str]] = list(headers.items())
    for pos, header in sorted(local):
        cols.insert(min(pos, len(cols)), (f"local:{header}", header))
    return cols


def _write(ws: Worksheet, r: int, c: int, cell: _Cell) -> None:
    target = ws.cell(row=r, column=c)
    target.value = cell.value
    if cell.force_text:
        target.data_type = "s"
    if cell.fmt:
        target.number_format = cell.fmt


def write_register(reg: Register, style: Style, path: Path, *, seed: int) -> Layout:
    """Write the register in the style; return where each row and field landed."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = style.benefit_sheet
    rows: dict[str, dict[str, int]] = {BENEFITS: {}, MEASUREMENTS: {}}
    columns: dict[str, dict[str, str]] = {BENEFITS: {}, MEASUREMENTS: {}}

    # --- Benefits
    cols = _columns(style, style.benefit_headers, style.local_columns)
    width = len(cols)
    r = 1
    for text in style.title_rows:
        ws.cell(row=r, column=1, value=text)
        if style.merge_titles:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=min(width, 8))
        r += 1
    if style.title_rows and style.blank_after_title:
        r += 1
    if style.group_band:
        for label, c1, c2 in style.group_band:
            ws.cell(row=r, column=c1, value=label)
            if c2 > c1:
                ws.merge_cells(start_row=r, start_column=c1, end_row=r, end_column=c2)
        r += 1
    for c, (key, header) in enumerate(cols, start=1):
        ws.cell(row=r, column=c, value=header)
        if not key.startswith("local:"):
            columns[BENEFITS][key] = get_column_letter(c)
    if style.hidden_local is not None:
        header = style.local_columns[style.hidden_local][1]
        c = next(i for i, (k, _) in enumerate(cols, start=1) if k == f"local:{header}")
        ws.column_dimensions[get_column_letter(c)].hidden = True
    ws.freeze_panes = ws.cell(row=r + 1, column=1)
    r_header = r
    r += 1
    project = None
    for k, row in enumerate(reg.benefits):
        if (
            style.section_rows
            and row.cells.get("project") != project
            and isinstance(row.cells.get("project"), str)
        ):
            project = row.cells["project"]
            ws.cell(row=r, column=1, value=f"Workstream: {project}")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=min(width, 6))
            r += 1
        if style.spacer_every and k and k % style.spacer_every == 0:
            r += 1  # a blank spacer row
        rows[BENEFITS][row.uid] = r
        for c, (key, header) in enumerate(cols, start=1):
            if key.startswith("local:"):
                value = row.local.get(header, _local_value(header, seed, row.uid))
                _write(ws, r, c, _Cell(value, "dd/mm/yyyy" if isinstance(value, datetime) else None))
            else:
                _write(ws, r, c, _render(style, seed, row.uid, key, row.cells.get(key)))
        r += 1
    last_data = r - 1
    if style.totals_row:
        r += 1
        label_col = 1
        ws.cell(row=r, column=label_col, value=style.totals_row)
        for key in ("unit_value_gbp",):
            letter = columns[BENEFITS].get(key)
            if letter:
                total = sum(b.cells[key] for b in reg.benefits if isinstance(b.cells.get(key), float))
                ws[f"{letter}{r}"] = round(total, 2)
        r += 1
    if style.notes:
        r += 1
        for text in style.notes:
            ws.cell(row=r, column=1, value=text)
            r += 1
    del last_data

    # --- Measurements
    if style.wide:
        measured = _write_wide(wb, ws, reg, style, seed, rows, columns, header_row=r_header, width=width)
        _trust_sheets(wb, style)
        wb.save(path)
        sheet = style.benefit_sheet if style.wide == "right" else style.measurement_sheet
        return Layout(path, {BENEFITS: style.benefit_sheet, MEASUREMENTS: sheet}, rows, columns, measured)
    ms = wb.create_sheet(style.measurement_sheet)
    mcols = list(style.measurement_headers.items())
    r = 1
    for text in style.measurement_title:
        ms.cell(row=r, column=1, value=text)
        r += 1
    if style.measurement_title:
        r += 1
    for c, (key, header) in enumerate(mcols, start=1):
        ms.cell(row=r, column=c, value=header)
        columns[MEASUREMENTS][key] = get_column_letter(c)
    r += 1
    previous = None
    for m in reg.measurements:
        bid = m.cells.get("benefit_id")
        if style.measurement_spacers and previous is not None and bid != previous:
            r += 1
        previous = bid
        rows[MEASUREMENTS][m.uid] = r
        for c, (key, _header) in enumerate(mcols, start=1):
            value = m.cells.get(key)
            if key == "benefit_id" and isinstance(value, str | float) and not isinstance(value, Raw):
                cell = _Cell(value)
            else:
                cell = _render(style, seed, m.uid, key, value)
            _write(ms, r, c, cell)
        r += 1

    _trust_sheets(wb, style)
    wb.save(path)
    names = {BENEFITS: style.benefit_sheet, MEASUREMENTS: style.measurement_sheet}
    return Layout(path, names, rows, columns)


def _trust_sheets(wb: Workbook, style: Style) -> None:
    """The BRM Settings sheet and the trust's own sheets."""
    if style.settings:
        st = wb.create_sheet("BRM Settings")
        st.append(("Setting", "Value"))
        for key, value in style.settings:
            st.append((key, value))
    for name in style.extra_sheets:
        other = wb.create_sheet(name)
        other.append(("Risk", "Owner", "Score"))
        other.append(("Go-live slips", "CCIO", 12))


def _period_key(p: Any) -> tuple[int, int]:
    return (p.fy, p.q) if isinstance(p, Quarter) else (p.year * 12 + p.month, 0)


def _write_wide(
    wb: Workbook, ws: Worksheet, reg: Register, style: Style, seed: int,
    rows: dict[str, dict[str, int]], columns: dict[str, dict[str, str]], *, header_row: int, width: int,
) -> dict[str, str]:
    """Measurements a column per period: on the register's own rows ('right') or a tracking
    sheet with a row per benefit ('sheet'); a measurement for a benefit that already has one
    for its period, or for an ID the register lacks, goes on a further row of its own."""
    periods = sorted({m.cells["period"] for m in reg.measurements}, key=_period_key)
    if style.wide == "right":
        sheet, first_col, r = ws, width + 1, header_row
        id_letter = columns[BENEFITS]["benefit_id"]
        placed = {b.cells["benefit_id"]: rows[BENEFITS][b.uid] for b in reg.benefits}
    else:
        sheet, first_col, r = wb.create_sheet(style.measurement_sheet), 3, 1
        for text in style.measurement_title:
            sheet.cell(row=r, column=1, value=text)
            r += 1
        if style.measurement_title:
            r += 1
        header = style.measurement_headers.get("benefit_id", "Benefit ID")
        for c, text in enumerate((header, "Measure"), start=1):
            sheet.cell(row=r, column=c, value=text)
        id_letter = "A"
        placed = {}
    columns[MEASUREMENTS] = {"benefit_id": id_letter}
    at = {_period_key(p): first_col + k for k, p in enumerate(periods)}
    for p in periods:
        _write(sheet, r, at[_period_key(p)], _period(style.periods, p))
    taken: dict[int, set[tuple[int, int]]] = {}
    next_row = max(placed.values(), default=r) + 1
    measured: dict[str, str] = {}
    measure = {b.cells["benefit_id"]: b.cells.get("measure") for b in reg.benefits}
    for m in reg.measurements:
        bid, key = m.cells["benefit_id"], _period_key(m.cells["period"])
        row = placed.get(bid)
        if row is None or key in taken.get(row, set()):
            row = next_row
            next_row += 1
            placed.setdefault(bid, row)
            if style.wide == "sheet":
                sheet.cell(row=row, column=1, value=bid.value if isinstance(bid, Raw) else bid)
                sheet.cell(row=row, column=2, value=measure.get(bid))
        taken.setdefault(row, set()).add(key)
        rows[MEASUREMENTS][m.uid] = row
        measured[m.uid] = get_column_letter(at[key])
        _write(sheet, row, at[key], _render(style, seed, m.uid, "value", m.cells.get("value")))
    return measured


LOCAL_VALUES: dict[str, tuple[Any, ...]] = {
    "RAG (local)": ("G", "A", "R", "Green", "Amber"),
    "Finance validated?": ("Y", "N", "Pending", ""),
    "Exec Sponsor": ("Medical Director", "Chief Nurse", "COO"),
    "Last Reviewed": ("12/03/2020", "not yet", "Q3"),
    "Risk Ref": ("R-101", "R-214", "", "n/a"),
    "PMO Comments": ("Awaiting data from BI", "Discussed at board 4/2/20", "", "Check with finance"),
    "Row No.": (),
    "Workstream Lead": ("S. Patel", "T. Okafor", "R. Hughes"),
    "Data Source (BI)": ("Qlik", "Tableau", "Manual"),
    "Benefits Realised to Date (£)": ("see tracker", "£0", ""),
    "Priority": ("1", "2", "3", "High"),
}


def _local_value(header: str, seed: int, uid: str) -> Any:
    if header == "Row No.":
        return float(int(uid[1:]) + 1)
    options = LOCAL_VALUES.get(header, ("x", "", "local note"))
    value = _cell_rng(seed, uid, header).choice(options)
    return value or None
