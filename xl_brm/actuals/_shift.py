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
from collections.abc import Sequence
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


def inserted(wb: Workbook, inserts: Sequence[Insert]) -> None:
    """Move what refers to the cells the inserts moved along. Every insert is given where it
    went in the workbook as it was before any of them (one pass, however many there are)."""
    if not inserts:
        return
    sheets = {i.sheet.casefold() for i in inserts}
    spelt = {n for s in sheets for n in (s, s.replace("'", "''"))}  # as a formula writes them
    for ws in wb.worksheets:
        home = ws.title.casefold() in sheets
        for cell in list(ws._cells.values()):  # the cells that exist: iter_rows would make the rest
            value = cell.value
            if isinstance(value, str) and value.startswith("=") and len(value) > 1 and (
                    home or any(s in value.casefold() for s in spelt)):
                cell.value = shift_formula(value, home=ws.title, inserts=inserts)
    names = [*wb.defined_names.values(), *(n for ws in wb.worksheets for n in ws.defined_names.values())]
    for name in names:
        if name.attr_text:
            name.attr_text = shift_formula("=" + name.attr_text, home="", inserts=inserts)[1:]
    for sheet in dict.fromkeys(i.sheet for i in inserts):
        target = wb[sheet]
        here = [i for i in inserts if i.sheet == sheet]
        for validation in target.data_validations.dataValidation:
            validation.sqref = MultiCellRange(_shift_ranges(validation.sqref, here))
        formats = ConditionalFormattingList()
        for rules in target.conditional_formatting:
            for rule in rules.rules:
                rule.formula = [shift_formula("=" + f, home=sheet, inserts=inserts)[1:]
                                for f in rule.formula or []]
                formats.add(_shift_ranges(rules.sqref, here), rule)
        target.conditional_formatting = formats


def shift_formula(formula: str, *, home: str, inserts: Sequence[Insert]) -> str:
    """The formula (on sheet `home`) with its references to the cells the inserts moved, moved."""
    try:
        tokens = Tokenizer(formula)
    except TokenizerError:  # a formula openpyxl cannot read is left exactly as it is
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            moved = _shift_operand(token.value, home=home, inserts=inserts)
            changed = changed or moved != token.value
            token.value = moved
    return tokens.render() if changed else formula


def _shift_operand(value: str, *, home: str, inserts: Sequence[Insert]) -> str:
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
        here = [i for i in inserts if i.sheet.casefold() == named.casefold()]
        out.append(where + bang + (_shift_part(ref, here) if here else ref))
    return ":".join(out)


def _shift_ranges(ranges: MultiCellRange, inserts: Sequence[Insert]) -> str:
    return " ".join(":".join(_shift_part(p, inserts) for p in str(r).split(":")) for r in ranges.ranges)


def _shift_part(part: str, inserts: Sequence[Insert]) -> str:
    """One end of a reference ('$C$12', 'C', '12') on the inserts' sheet: moved along by every
    insert at or before it, so a range the new cells fall in grows."""
    found = _PARTS.match(part)
    if found is None:
        return part
    dollar_column, column, dollar_row, row = found.groups()
    if row:
        number = int(row)
        row = str(number + sum(i.count for i in inserts if i.rows and number >= i.at))
    if column:
        index = column_index_from_string(column.upper())
        moved = index + sum(i.count for i in inserts if not i.rows and index >= i.at)
        column = get_column_letter(moved) if moved != index else column
    return f"{dollar_column}{column}{dollar_row}{row}"
