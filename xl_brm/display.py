"""How figures read on every page people read: the compute table, the computed workbook and the
board report show the same number the same way.

Figures arrive already rounded for display (`BenefitFigures.to_json`); these functions write
them: "—" where there is no figure, never "-0.0" or "£-5.00", dates as people write them. A
figure that arrives with more places is rounded half-up here too, as a hand calculation does
(SPEC §5: £2.675 shows as £2.68, where Python's own formatting shows £2.67).
"""

from __future__ import annotations

from datetime import date, datetime

from xl_brm.enums import BenefitType, Category, Rag
from xl_brm.rounding import round_half_up

NO_FIGURE = "—"
"""What a page shows where a figure does not apply or nothing has been measured yet."""
TYPE_LABEL = {
    BenefitType.CASH_RELEASING: "Cash-releasing",
    BenefitType.NON_CASH_RELEASING: "Non-cash-releasing",
    BenefitType.QUANTITATIVE_NON_FINANCIAL: "Quantitative non-financial",
    BenefitType.QUALITATIVE: "Qualitative",
}
CATEGORY_LABEL = {
    Category.SAFETY_QUALITY: "Safety and quality",
    Category.CLINICAL_OUTCOMES: "Clinical outcomes",
    Category.PATIENT_EXPERIENCE: "Patient experience",
    Category.STAFF_EXPERIENCE: "Staff experience",
    Category.RESOURCE_SUSTAINABILITY: "Resource sustainability",
}
RAG_LABEL = {
    Rag.GREEN: "Green",
    Rag.AMBER: "Amber",
    Rag.RED: "Red",
    Rag.NOT_STARTED: "Not started",
    Rag.NO_DATA: "No data",
    Rag.QUALITATIVE: "Qualitative",
}
BLOCKED_LABEL = "Blocked"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """"1 benefit", "2,300 benefits": a count with its noun agreeing, never "benefit(s)"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def money(value: float | None) -> str:
    """£1,234.56; -£14,791.50; "—" for no figure. The value is shown to the penny as given."""
    if value is None:
        return NO_FIGURE
    value = round_half_up(value, 2)
    text = f"£{abs(value):,.2f}"
    return "-" + text if value < 0 and text != "£0.00" else text


def number(value: float | None, places: int = 1) -> str:
    """1,234.5 with `places` decimals; a value that rounds to zero is 0.0, never -0.0."""
    if value is None:
        return NO_FIGURE
    value = round_half_up(value, places)
    text = f"{abs(value):,.{places}f}"
    return "-" + text if value < 0 and any(ch not in "0.," for ch in text) else text


def quantity(value: float | None) -> str:
    """A measure's figure to at most 2 decimals, without trailing zeros: 1,900; 578.7; 5.23."""
    text = number(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: float | None, places: int = 1) -> str:
    """Percent of target as 20.4%; a value that rounds to zero is 0.0%, never -0.0%."""
    return NO_FIGURE if value is None else number(value, places) + "%"


def rag(value: Rag | None, *, blocked: bool = False) -> str:
    if blocked:
        return BLOCKED_LABEL
    return NO_FIGURE if value is None else RAG_LABEL[value]


def day(value: date | None) -> str:
    """7 Dec 2026: how people write a date in the NHS (no leading zero, month in words)."""
    return NO_FIGURE if value is None else f"{value.day} {value:%b %Y}"


def moment(value: datetime | str | None) -> str:
    """7 Dec 2026 04:33 in local time, from a datetime or an ISO 8601 timestamp."""
    if value is None or value == "":
        return NO_FIGURE
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is not None:
        when = when.astimezone()
    return f"{when.day} {when:%b %Y %H:%M}"
