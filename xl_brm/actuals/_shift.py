"""References that follow rows inserted into a sheet, as Excel moves them.

openpyxl's `insert_rows` moves cells but leaves every formula, name and validation pointing at
the old addresses: a `SUMIFS` over `Measurements!C3:C112` would quietly skip a row inserted in
its middle, and a formula below it would read its neighbour. `rows_inserted` moves what points
at the moved rows (formulas on every sheet, defined names, the sheet's data validations and
conditional formats), and stretches a range the new rows fall inside, as Excel does.
"""

from __future__ import annotations

import re

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange

_CELL = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+$")
_COLUMN_OR_ROW = re.compile(r"^\$?[A-Za-z]{1,3}$|^\$?\d+$")
_ROW = re.compile(r"(\d+)$")


def rows_inserted(wb: Workbook, sheet: str, at: int, count: int) -> None:
    """`count` rows were inserted at row `at` of `sheet`: move what refers to rows below them."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") and len(cell.value) > 1:
                    cell.value = shift_formula(cell.value, home=ws.title, sheet=sheet, at=at, count=count)
    names = [*wb.defined_names.values(), *(n for ws in wb.worksheets for n in ws.defined_names.values())]
    for name in names:
        if name.attr_text:
            name.attr_text = shift_formula("=" + name.attr_text, home="", sheet=sheet, at=at,
                                           count=count)[1:]
    target = wb[sheet]
    for validation in target.data_validations.dataValidation:
        validation.sqref = MultiCellRange(_shift_ranges(validation.sqref, at, count))
    formats = ConditionalFormattingList()
    for rules in target.conditional_formatting:
        for rule in rules.rules:
            rule.formula = [shift_formula("=" + f, home=sheet, sheet=sheet, at=at, count=count)[1:]
                            for f in rule.formula or []]
            formats.add(_shift_ranges(rules.sqref, at, count), rule)
    target.conditional_formatting = formats


def _shift_ranges(ranges: MultiCellRange, at: int, count: int) -> str:
    return " ".join(_shift_ref(str(r), at, count) for r in ranges.ranges)


def shift_formula(formula: str, *, home: str, sheet: str, at: int, count: int) -> str:
    """The formula (on sheet `home`) with its references to `sheet`'s rows from `at` moved."""
    try:
        tokens = Tokenizer(formula)
    except TokenizerError:  # a formula openpyxl cannot read is left exactly as it is
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            moved = _shift_operand(token.value, home=home, sheet=sheet, at=at, count=count)
            changed = changed or moved != token.value
            token.value = moved
    return tokens.render() if changed else formula


def _shift_operand(value: str, *, home: str, sheet: str, at: int, count: int) -> str:
    """'Data!C2:C20', 'C5', 'Data!A1:Data!A9', '$3:$5' with `sheet`'s rows from `at` moved; a
    name, a column ('C:C') or another sheet's cells as they were."""
    named, out = home, []
    parts = value.split(":")
    for part in parts:
        where, bang, ref = part.rpartition("!")
        if bang:
            named = where.strip("'").replace("''", "'")
        if not (_CELL.match(ref) or (len(parts) > 1 and _COLUMN_OR_ROW.match(ref))):
            return value  # a name, a function's text, something not a plain reference
        out.append(where + bang + (_shift_ref(ref, at, count) if named == sheet else ref))
    return ":".join(out)


def _shift_ref(ref: str, at: int, count: int) -> str:
    """'C3:C112' with rows from `at` moved down `count`: a range the rows fall in grows."""
    def one(part: str) -> str:
        found = _ROW.search(part)
        if found is None or int(found.group(1)) < at:
            return part
        return part[:found.start()] + str(int(found.group(1)) + count)

    return ":".join(one(part) for part in ref.split(":"))
