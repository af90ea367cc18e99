"""References that follow rows inserted into a sheet, as Excel moves them.

openpyxl's `insert_rows` moves cells but leaves every formula, name and validation pointing at
the old addresses: a `SUMIFS` over `Measurements!C3:C112` would quietly skip a row inserted in
its middle, and a formula below it would read its neighbour. `rows_inserted` moves what points
at the moved rows, and stretches a range the new rows fall inside, as Excel does.
"""

from __future__ import annotations

import re

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.workbook.workbook import Workbook

_CELLS = re.compile(r"^(\$?[A-Za-z]{1,3}\$?\d+)(?::(\$?[A-Za-z]{1,3}\$?\d+))?$|^\$?\d+:\$?\d+$")
_ROW = re.compile(r"(\d+)$")


def rows_inserted(wb: Workbook, sheet: str, at: int, count: int) -> None:
    """`count` rows were inserted at row `at` of `sheet`: move what refers to rows below them."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") and len(cell.value) > 1:
                    cell.value = shift_formula(cell.value, home=ws.title, sheet=sheet, at=at, count=count)
    for name in list(wb.defined_names.values()):
        if name.attr_text:
            name.attr_text = shift_formula("=" + name.attr_text, home="", sheet=sheet, at=at,
                                           count=count)[1:]
    target = wb[sheet]
    for validation in target.data_validations.dataValidation:
        validation.sqref = type(validation.sqref)(" ".join(
            _shift_ref(str(r), at, count) for r in validation.sqref.ranges))


def shift_formula(formula: str, *, home: str, sheet: str, at: int, count: int) -> str:
    """The formula (on sheet `home`) with its references to `sheet`'s rows from `at` moved."""
    try:
        tokens = Tokenizer(formula)
    except Exception:  # a formula openpyxl cannot tokenise is left exactly as it is
        return formula
    changed = False
    for token in tokens.items:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        where, bang, ref = token.value.rpartition("!")
        named = where.strip("'").replace("''", "'") if bang else home
        if named != sheet or not _CELLS.match(ref):
            continue
        moved = _shift_ref(ref, at, count)
        if moved != ref:
            token.value = f"{where}{bang}{moved}"
            changed = True
    return tokens.render() if changed else formula


def _shift_ref(ref: str, at: int, count: int) -> str:
    """'C3:C112' with rows from `at` moved down `count`: a range the rows fall in grows."""
    def one(part: str) -> str:
        found = _ROW.search(part)
        if found is None or int(found.group(1)) < at:
            return part
        return part[:found.start()] + str(int(found.group(1)) + count)

    return ":".join(one(part) for part in ref.split(":"))
