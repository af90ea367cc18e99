"""A minimal streaming .xlsx writer for benchmark-sized registers.

openpyxl's write-only mode took 100 s for 10k benefits + 240k measurements on the build
machine (without lxml), which makes the 50k / 1.2M benchmark register a ten-minute wait.
This writes the same cells as plain SpreadsheetML straight into the zip, with a shared-strings
table as Excel itself writes, in a few seconds. Values only: text, numbers and blanks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.utils import get_column_letter

Cell = str | int | float | None

_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


class _Strings:
    """The shared-strings table: each distinct text once, cells refer to it by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self.index)
        return (
            f'{_HEAD}<sst xmlns="{_MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _write_sheet(
    out: IO[bytes], rows: Iterable[Sequence[Cell]], *, n_rows: int, n_cols: int, strings: _Strings
) -> None:
    letters = [get_column_letter(i + 1) for i in range(n_cols)]
    out.write(
        f'{_HEAD}<worksheet xmlns="{_MAIN}"><dimension ref="A1:{letters[-1]}{n_rows}"/><sheetData>'.encode()
    )
    chunk: list[str] = []
    for r, row in enumerate(rows, start=1):
        chunk.append(f'<row r="{r}">')
        for letter, value in zip(letters, row, strict=False):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                chunk.append(f'<c r="{letter}{r}" t="s"><v>{strings(value)}</v></c>')
            else:
                chunk.append(f'<c r="{letter}{r}"><v>{value!r}</v></c>')
        chunk.append("</row>")
        if len(chunk) > 20_000:
            out.write("".join(chunk).encode())
            chunk.clear()
    chunk.append("</sheetData></worksheet>")
    out.write("".join(chunk).encode())


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Iterable[Sequence[Cell]], int, int]]) -> None:
    """Write `(name, rows, n_rows, n_cols)` sheets to `path` (the caller makes it atomic)."""
    strings = _Strings()
    with ZipFile(path, "w", ZIP_DEFLATED, compresslevel=1) as zf:
        for i, (_name, rows, n_rows, n_cols) in enumerate(sheets, start=1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                _write_sheet(out, rows, n_rows=n_rows, n_cols=n_cols, strings=strings)
        zf.writestr("xl/sharedStrings.xml", strings.xml())
        n = len(sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        sheet_list = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _rows, _n, _c) in enumerate(sheets, start=1)
        )
        zf.writestr("xl/workbook.xml", _WORKBOOK.format(sheets=sheet_list))
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += (
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/styles" Target="styles.xml"/>'
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG}">{rels}</Relationships>',
        )
        zf.writestr("xl/styles.xml", _STYLES)


_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
    "{overrides}</Types>"
)
_ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">' + "<sheets>{sheets}</sheets></workbook>"
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
