"""The Benefits ribbon tab: one `@script` per button, the same Python for every Excel.

In the Office add-in (xlwings Server) each button posts the workbook, the script runs on an
`xw.Book` built from it, and the actions that change the workbook go back to Excel. In desktop
Excel the xl_brm.xlam ribbon calls `run_desktop(name)` through RunPython. In xlwings Lite the
scripts run in the browser (Submit and Pull are not offered there). A refusal is shown to the
user as a message box, never a traceback.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

import xlwings as xw
from xlwings import script

from xl_brm.addin import actions
from xl_brm.errors import XlBrmError

__all__ = [
    "board_report",
    "compute",
    "pull_national_status",
    "run_desktop",
    "submit_to_national",
    "validate_workbook",
]

TITLE = "xl-brm"


def _told(book: xw.Book, action: Callable[[Any], Any]) -> None:
    """Run `action` on the book; a refusal (no national store, a bad setting...) becomes a
    message box with what to do."""
    try:
        action(book)
    except XlBrmError as exc:
        book.app.alert(str(exc), title=TITLE)


@script(name="Validate workbook")
def validate_workbook(book: xw.Book) -> None:
    """Check every row against the national rules: an Issues sheet, and the offending cells
    highlighted with a note saying what is wrong."""
    _told(book, actions.validate)


@script(name="Compute")
def compute(book: xw.Book) -> None:
    """Baseline, improvement, realised value, present value and RAG for every benefit on the
    Computed sheet, and totals with a planned-versus-realised £ chart on the Summary sheet."""
    _told(book, actions.compute)


@script(name="Board report")
def board_report(book: xw.Book) -> None:
    """The trust's board report as HTML and PDF (next to a saved workbook; in the Office add-in,
    on its server), and a Board report sheet with its headline and where the files are."""
    _told(book, actions.board_report)


@script(name="Submit to national")
def submit_to_national(book: xw.Book) -> None:
    """Send approved benefits to the national store. Any error blocks the submission and its
    cells are highlighted; the store's answer is written to the National status sheet."""
    _told(book, actions.submit)


@script(name="Pull national status")
def pull_national_status(book: xw.Book) -> None:
    """Show, for each benefit, whether the national store holds its current content."""
    _told(book, actions.pull)


def run_desktop(name: str) -> None:
    """Entry point of the desktop ribbon (`RunPython "import udfs.ribbon; ...run_desktop('compute')"`)."""
    handler = inspect.unwrap(getattr(sys.modules[__name__], name))
    handler(xw.Book.caller())
