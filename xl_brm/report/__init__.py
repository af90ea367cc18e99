"""The trust's own reports from its register (SPEC §8): the board report and the Statement of
Planned Benefits, as an HTML page with a PDF beside it, or as sheets with native charts.

One content model (`Document`) is built from one `Computation`, the same that `xl-brm compute`
prints, and written by three writers: HTML (Jinja2 and NHS.UK frontend's vendored CSS), PDF
(WeasyPrint, from that HTML) and .xlsx (openpyxl). Charts are drawn offline by matplotlib.
Jinja2, matplotlib and WeasyPrint come with the `report` extra and are imported only here,
when a report is made: `pip install 'xl_brm[report]'`.

For the ribbon's Board report button: `make_report(source, out)` takes a workbook path, or
the `RawWorkbook` the add-in reads from an open workbook's grids (`addin.book.book_to_raw`).
"""

from __future__ import annotations

from xl_brm.report._board import board_report
from xl_brm.report._content import Chart, Column, Document, Facts, Section, Series, Table
from xl_brm.report._statement import statement
from xl_brm.report._write import REPORT_SUFFIXES, make_report, write_report

__all__ = [
    "REPORT_SUFFIXES",
    "Chart",
    "Column",
    "Document",
    "Facts",
    "Section",
    "Series",
    "Table",
    "board_report",
    "make_report",
    "statement",
    "write_report",
]
