"""The Benefits ribbon tab: four scripts, the same Python for desktop Excel and Office.js.

In the Office add-in each button posts the workbook to `xl-brm addin serve`, which runs the
script on an `xw.Book` built from it and answers with the actions that change the workbook.
In desktop Excel the xl_brm.xlam ribbon calls `run_desktop(name)` through RunPython.
"""

from __future__ import annotations

import inspect
import sys

import xlwings as xw
from xlwings import script

from xl_brm.addin import actions

__all__ = ["compute", "pull_national_status", "run_desktop", "submit_to_national", "validate_workbook"]


@script(name="Validate workbook")
def validate_workbook(book: xw.Book) -> None:
    """Check every row against the national rules: an Issues sheet, and the offending cells
    highlighted with a note saying what is wrong."""
    actions.validate(book)


@script(name="Compute")
def compute(book: xw.Book) -> None:
    """Baseline, improvement, realised value, present value and RAG for every benefit
    (BRM Computed sheet) and a summary with a planned-versus-realised chart (BRM Summary)."""
    actions.compute(book)


@script(name="Submit to national")
def submit_to_national(book: xw.Book) -> None:
    """Send approved benefits to the national store. Any error blocks the submission and its
    cells are highlighted; the store's answer is written to the BRM National sheet."""
    actions.submit(book)


@script(name="Pull national status")
def pull_national_status(book: xw.Book) -> None:
    """Show, for each benefit, whether the national store holds its current content."""
    actions.pull(book)


def run_desktop(name: str) -> None:
    """Entry point of the desktop ribbon (`RunPython "import udfs.ribbon; ...run_desktop('compute')"`)."""
    from xl_brm.errors import XlBrmError

    book = xw.Book.caller()
    handler = inspect.unwrap(getattr(sys.modules[__name__], name))
    try:
        handler(book)
    except XlBrmError as exc:
        book.app.alert(str(exc), title="xl-brm")
