"""References that follow rows or columns inserted into a sheet, as Excel moves them.

openpyxl's `insert_rows` and `insert_cols` move cells but leave every formula, name and
validation pointing at the old addresses: a `SUMIFS` over `Measurements!C3:C112` would quietly
skip a row inserted in its middle, and a formula below it would read its neighbour. `inserted`
moves what points at the moved cells (formulas on every sheet, defined names, the sheet's data
validations and conditional formats), and stretches a range the new cells fall inside, as
Excel does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange

_CELL = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+$")
_COLUMN_OR_ROW = re.compile(r"^\$?[A-Za-z]{1,3}$|^\$?\d+$")
_PARTS = re.compile(r"^(\$?)([A-Za-z]{0,3})(\$?)(\d*)$")


@dataclass(frozen=True, slots=True)
class Insert:
    """`count` rows (or columns) put in at row (column) `at`, 1-based, of `sheet`."""

    sheet: str
    at: int
    count: int
    rows: bool = True


def inserted(wb: Workbook, insert: Insert) -> None:
    """Move what refers to the cells the insert moved along."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") and len(cell.value) > 1:
                    cell.value = shift_formula(cell.value, home=ws.title, insert=insert)
    names = [*wb.defined_names.values(), *(n for ws in wb.worksheets for n in ws.defined_names.values())]
    for name in names:
        if name.attr_text:
            name.attr_text = shift_formula("=" + name.attr_text, home="", insert=insert)[1:]
    target = wb[insert.sheet]
    for validation in target.data_validations.dataValidation:
        validation.sqref = MultiCellRange(_shift_ranges(validation.sqref, insert))
    formats = ConditionalFormattingList()
    for rules in target.conditional_formatting:
        for rule in rules.rules:
            rule.formula = [shift_formula("=" + f, home=insert.sheet, insert=insert)[1:]
                            for f in rule.formula or []]
            formats.add(_shift_ranges(rules.sqref, insert), rule)
    target.conditional_formatting = formats


def shift_formula(formula: str, *, home: str, insert: Insert) -> str:
    """The formula (on sheet `home`) with its references to the cells the insert moved, moved."""
    try:
        tokens = Tokenizer(formula)
    except TokenizerError:  # a formula openpyxl cannot read is left exactly as it is
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            moved = _shift_operand(token.value, home=home, insert=insert)
            changed = changed or moved != token.value
            token.value = moved
    return tokens.render() if changed else formula


def _shift_operand(value: str, *, home: str, insert: Insert) -> str:
    """'Data!C2:C20', 'C5', 'Data!A1:Data!A9', '$3:$5', 'C:E' with the moved cells moved; a
    name or another sheet's cells as they were."""
    named, out = home, []
    parts = value.split(":")
    for part in parts:
        where, bang, ref = part.rpartition("!")
        if bang:
            named = where.strip("'").replace("''", "'")
        if not (_CELL.match(ref) or (len(parts) > 1 and _COLUMN_OR_ROW.match(ref))):
            return value  # a name, a function's text, something not a plain reference
        out.append(where + bang + (_shift_part(ref, insert) if named == insert.sheet else ref))
    return ":".join(out)


def _shift_ranges(ranges: MultiCellRange, insert: Insert) -> str:
    return " ".join(":".join(_shift_part(p, insert) for p in str(r).split(":")) for r in ranges.ranges)


def _shift_part(part: str, insert: Insert) -> str:
    """One end of a reference ('$C$12', 'C', '12'): moved along when at or past the insert, so a
    range the new cells fall in grows."""
    found = _PARTS.match(part)
    if found is None:
        return part
    dollar_column, column, dollar_row, row = found.groups()
    if insert.rows and row and int(row) >= insert.at:
        row = str(int(row) + insert.count)
    if not insert.rows and column and column_index_from_string(column.upper()) >= insert.at:
        column = get_column_letter(column_index_from_string(column.upper()) + insert.count)
    return f"{dollar_column}{column}{dollar_row}{row}"
