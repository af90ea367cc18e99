"""The sheets xl-brm writes into a trust's workbook, named once for every route.

The ribbon (desktop, Office add-in, xlwings Lite), `xl-brm compute --out` and the template's
Guide all use these names, so a user who reads "Compute fills the Computed sheet" finds it
whichever way they ran Compute. A sheet of the trust's own that happens to carry one of these
names is never overwritten: a sheet is ours only when its first row is our header.
"""

from __future__ import annotations

from xl_brm.calc import JSON_KEYS

ISSUES = "Issues"
"""Validate: one row per finding; the offending cells are highlighted with a note."""
COMPUTED = "Computed"
"""Compute: one row per benefit, the SPEC §7.2 figures."""
COMPUTED_BY_PERIOD = "Computed by period"
"""Compute: one row per benefit per period."""
SUMMARY = "Summary"
"""Compute: totals by benefit type and a chart of planned versus realised £."""
NATIONAL = "National status"
"""Submit to national and Pull national status: what the national store answered."""
BOARD_REPORT = "Board report"
"""Board report: the report's headline and RAG tables, and where its HTML and PDF were written."""

OUTPUT_SHEETS: tuple[str, ...] = (ISSUES, COMPUTED, COMPUTED_BY_PERIOD, SUMMARY, NATIONAL, BOARD_REPORT)
"""Every sheet xl-brm writes: never read back as the trust's own data."""

COMPUTED_COLUMNS: tuple[str, ...] = ("benefit_id", "title", "benefit_type", "is_disbenefit", *JSON_KEYS[1:])
"""The Computed sheet's header: the compute JSON keys (SPEC §7.2), with what a reader of the
sheet needs to tell benefits apart."""
SUMMARY_TITLE = "Benefits summary"
"""Cell A1 of the Summary sheet."""

FIRST_CELLS: dict[str, str] = {
    ISSUES: "sheet",
    COMPUTED: COMPUTED_COLUMNS[0],
    COMPUTED_BY_PERIOD: "benefit_id",
    SUMMARY: SUMMARY_TITLE,
    NATIONAL: NATIONAL,
    BOARD_REPORT: BOARD_REPORT,
}
"""What cell A1 of each sheet of ours holds (compared without regard to case)."""
OURS_SUFFIX = " (xl-brm)"
"""Added to the name of a sheet of ours when the trust has a sheet of that name already."""


def is_output_sheet(name: str, first_cell: object) -> bool:
    """Whether a sheet is one xl-brm wrote: an output name (or that name with OURS_SUFFIX and
    perhaps a number) whose A1 is our header's first cell."""
    for title, cell in FIRST_CELLS.items():
        if (name == title or name.startswith(title + OURS_SUFFIX)) and isinstance(first_cell, str):
            return first_cell.strip().casefold() == cell.casefold()
    return False
