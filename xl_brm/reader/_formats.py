"""Which cells Excel shows as a percentage: python-calamine gives a cell's number, not its number
format, and 0.885 shown as "88.5%" or 1.5 shown as "150%" must read as what the user sees, as
the text "88.5%" does (SPEC §4: a cell's type as stored decides how it is read).

The safety gate finds them while it streams each sheet anyway (`PercentCells`), so knowing them
costs no second pass over the XML: a chunk without a percent-styled cell costs one fast search,
and a workbook without a percent style costs nothing. The styles part is parsed with defusedxml,
and cells are found by their canonical spelling (`<c r="S12" s="3"`), which Excel, openpyxl and
LibreOffice write. The reader then reads the figure columns' percent cells as shown.
"""

from __future__ import annotations

import re
import zipfile
from array import array
from functools import cache
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from xl_brm.table import column_index

_PERCENT_BUILTIN = frozenset({9, 10})
"""Excel's built-in number formats 0% and 0.00%."""
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
"""Quoted text, escaped characters and [colour]/[condition] sections of a format code."""


class PercentCells:
    """The cells of one sheet whose style shows a percentage, fed the sheet's XML in chunks that
    end between tags. `found`: column (0 = A) -> rows (0-based) of such cells."""

    def __init__(self, styles: frozenset[int]) -> None:
        ids = b"|".join(str(i).encode("ascii") for i in sorted(styles))
        self._hint = re.compile(rb' s="(?:%s)"' % ids)
        self._cell = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: [a-z]+="[^"<]*+")*? s="(?:%s)"' % ids)
        self._columns: dict[bytes, int] = {}
        self.found: dict[int, array[int]] = {}

    def feed(self, data: bytes) -> None:
        if self._hint.search(data) is None:
            return
        columns, found = self._columns, self.found
        for letters, row in self._cell.findall(data):
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = column_index(letters.decode("ascii"))
            rows = found.get(column)
            if rows is None:
                rows = found[column] = array("L")
            rows.append(int(row) - 1)


def percent_styles(zf: zipfile.ZipFile, part: str) -> frozenset[int]:
    """Indices of the cell styles (`cellXfs`) whose number format shows a percentage. Styles
    that cannot be read (damaged, or ids that are not numbers) show nothing as a percentage,
    as python-calamine then reads those cells as plain numbers too."""
    try:
        root = fromstring(zf.read(part))
    except (KeyError, ParseError, DefusedXmlException, LookupError):  # none, or unreadable:
        # every cell is General
        return frozenset()
    custom = {_format_id(f.get("numFmtId")): f.get("formatCode", "") for f in root.iter(f"{_NS}numFmt")}
    xfs = root.find(f"{_NS}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(i for i, xf in enumerate(xfs.iter(f"{_NS}xf"))
                     if _is_percent(_format_id(xf.get("numFmtId", "0")), custom))


def _format_id(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1


def _is_percent(fmt: int, custom: dict[int, str]) -> bool:
    if fmt in _PERCENT_BUILTIN:
        return True
    code = custom.get(fmt)
    return code is not None and _shows_percent(code)


@cache
def _shows_percent(code: str) -> bool:
    """A custom format code multiplies by 100 when it has a % outside quoted text."""
    return "%" in _LITERAL.sub("", code.split(";")[0])
