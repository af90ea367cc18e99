"""Which cells Excel shows as a percentage: python-calamine gives a cell's number, not its number
format, and 0.885 shown as "88.5%" or 1.5 shown as "150%" must read as what the user sees, as
the text "88.5%" does (SPEC §4: a cell's type as stored decides how it is read).

Only run on a file the safety gate has passed, and only for the columns of a sheet whose field
is a figure (a percent, a measurement, a baseline or target, a period column): the styles part
is parsed with defusedxml, and the sheet's percent cells are found in one pass by their
canonical spelling (`<c r="S12" s="3"`), which Excel, openpyxl and LibreOffice write.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from xl_brm.table import column_letter

STYLES_PART = "xl/styles.xml"
_PERCENT_BUILTIN = frozenset({9, 10})
"""Excel's built-in number formats 0% and 0.00%."""
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
"""Quoted text, escaped characters and [colour]/[condition] sections of a format code."""
_CHUNK = 4 * 1024 * 1024


def percent_cells(path: Path, part: str, columns: Collection[int],
                  styles_part: str | None = STYLES_PART) -> dict[int, set[int]]:
    """Column (0 = A) -> 0-based rows of the cells in `columns` of the sheet in `part` that have
    a percent format (`styles_part`: where the safety gate found the styles python-calamine
    reads). One pass over the sheet for every column, and none when no style shows a percentage."""
    wanted = set(columns)
    if styles_part is None or not wanted:
        return {}  # no styles: every cell is General
    with zipfile.ZipFile(path) as zf:
        styles = _percent_styles(zf, styles_part)
        if not styles:
            return {}
        # A block without a percent-styled cell costs one fast search; the full pattern then
        # only tries the columns asked for.
        ids = b"|".join(str(i).encode("ascii") for i in sorted(styles))
        letters = {column_letter(j).encode("ascii"): j for j in wanted}
        hint = re.compile(rb' s="(?:%s)"' % ids)
        cell = re.compile(rb'<c r="(%s)([0-9]+)"(?: [a-z]+="[^"<]*")*? s="(?:%s)"'
                          % (b"|".join(letters), ids))
        found: dict[int, set[int]] = {}

        def take(data: bytes) -> None:
            if hint.search(data) is None:
                return
            for letter, row in cell.findall(data):
                found.setdefault(letters[letter], set()).add(int(row) - 1)

        carry = b""
        with zf.open(part) as fh:
            while block := fh.read(_CHUNK):
                data = carry + block
                cut = data.rfind(b"<")  # a tag that may end in the next block
                if cut < 0:
                    cut = len(data)
                take(data[:cut])
                carry = data[cut:]
        take(carry)
        return found


def _percent_styles(zf: zipfile.ZipFile, part: str) -> frozenset[int]:
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
