"""The safety gate: refuse hostile or broken workbooks before any parser opens them.

Nothing here parses a cell value. The zip's central directory is checked first (sizes, ratios,
encryption), then every XML part is streamed in chunks and searched with byte patterns: entity
declarations (XXE, billion laughs), the farthest cell of each sheet (python-calamine aborts the
whole process when one stray cell makes its grid too big to allocate, calamine issue 693), and
formula cells that carry no cached value (they would otherwise read as blank).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from xl_brm.errors import InputError, UnsafeWorkbookError
from xl_brm.reader import _limits as lim
from xl_brm.table import column_index, column_letter

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XML_SUFFIXES = (".xml", ".rels", ".vml")
SHEET_REL_TYPES = ("/worksheet", "/macrosheet", "/dialogsheet")

_DECL = re.compile(rb"<!(?!--|\[CDATA\[)")
_DECL16 = re.compile(rb"<\x00!\x00(?!-\x00-\x00|\[\x00)|\x00<\x00!(?!\x00-\x00-|\x00\[)")
_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_NS_BINDING = re.compile(rb"xmlns:[\w.-]+=\"[^\"]*spreadsheetml")
_REF_AT = re.compile(rb"<c\s+r=\"([A-Za-z]+)([0-9]+)\"")
_REF_ANY = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br=\"([A-Za-z]+)([0-9]+)\"")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_CELL_NO_R = re.compile(rb"<(?:[\w.-]+:)?c(?:>|\s(?![^>]*\br=)[^>]*>)")
_ROW_BLOCK = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>(.*?)</(?:[\w.-]+:)?row>", re.S)
_ROW_NUMBER = re.compile(rb"\br=\"([0-9]+)\"")
_F_TAG = re.compile(rb"<f[\s>/]")
_F_AT = re.compile(
    rb"<(?:[\w.-]+:)?c\s([^>]*)>\s*<(?:[\w.-]+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:[\w.-]+:)?f>)")
_NO_VALUE = re.compile(
    rb"\s*(<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)?\s*</(?:[\w.-]+:)?c>")
_ATTR = re.compile(rb"\b([\w:]+)=\"([^\"]*)\"")

@dataclass(frozen=True, slots=True)
class SheetScan:
    """What the gate learnt about one worksheet without parsing it."""

    sheet: str
    part: str
    max_row: int
    """Farthest row (1-based), an upper bound; 0 for an empty sheet."""
    max_col: int
    """Farthest column (1-based), an upper bound; 0 for an empty sheet."""
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column), both 0-based -> formula text, for formula cells with no cached value."""


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """A workbook that passed the gate, and what the reader should know about it."""

    path: str
    has_macros: bool
    """It holds VBA or Excel 4.0 macros. We never run them (calamine executes nothing)."""
    sheets: dict[str, SheetScan]
    """Sheet name -> scan."""

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        scan = self.sheets.get(sheet)
        return scan.formulas if scan else {}


def check_safety(path: str | Path) -> SafetyReport:
    """Refuse a workbook that is not a sound .xlsx/.xlsm before any parser touches it.

    Raises `UnsafeWorkbookError` (naming the file and what to do) for: password-protected or
    legacy .xls files, anything that is not a zip, damaged zips, zip bombs, XML entity
    declarations, and sheets whose farthest cell is absurdly far from the data.
    """
    p = Path(path)
    _check_file(p)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged(p, exc) from None
    with zf:
        infos = zf.infolist()
        _check_directory(p, infos)
        gate = _Gate(p, zf)
        return gate.run(infos)


def _check_file(p: Path) -> None:
    if not p.exists():
        raise InputError("file not found", path=p, hint="check the path and the file name")
    if p.is_dir():
        raise InputError("this is a folder, not a workbook", path=p, hint="give the path of an .xlsx file")
    try:
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot be opened ({exc.strerror})", path=p,
                         hint="close it in Excel or check you may read it, then try again") from None
    if not head:
        raise UnsafeWorkbookError("the file is empty (0 bytes)", path=p,
                                  hint="get a fresh copy of the workbook")
    if head == OLE2_MAGIC:
        raise UnsafeWorkbookError(
            "is a password-protected (encrypted) workbook or an old Excel 97-2003 .xls file, "
            "which xl-brm does not open",
            path=p,
            hint="open it in Excel, remove any password (File > Info > Protect Workbook > "
                 "Encrypt with Password, clear the box) and save it as an Excel Workbook (.xlsx)",
        )
    if not head.startswith(b"PK"):
        raise UnsafeWorkbookError(
            "is not an Excel workbook: .xlsx and .xlsm files are zip packages and this one is not "
            "(perhaps a CSV, HTML or text file renamed to .xlsx)",
            path=p,
            hint="open it in Excel and save it as an Excel Workbook (.xlsx)",
        )


def _damaged(p: Path, exc: BaseException) -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        f"is damaged or incomplete and cannot be read safely ({exc.__class__.__name__}: {exc})",
        path=p,
        hint="the copy or download may have been cut short: get a fresh copy, or open it in Excel "
             "and save it again",
    )


def _check_directory(p: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Zip-bomb and encryption checks on the declared sizes, before decompressing anything."""
    if len(infos) > lim.MAX_PARTS:
        raise UnsafeWorkbookError(
            f"holds {len(infos):,} parts (the limit is {lim.MAX_PARTS:,}): not a normal workbook",
            path=p, hint="save a clean copy from Excel and try again")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeWorkbookError(
                f"part {info.filename} is encrypted", path=p,
                hint="remove the password in Excel and save it as an Excel Workbook (.xlsx)")
        size = info.file_size
        total += size
        if size > lim.MAX_PART_BYTES:
            raise UnsafeWorkbookError(
                f"part {info.filename} would expand to {_mib(size)} (the limit is "
                f"{_mib(lim.MAX_PART_BYTES)}): refused as a possible zip bomb",
                path=p, hint="split the workbook, or remove unused rows, images and sheets")
        ratio = size / max(info.compress_size, 1)
        if size > lim.RATIO_CHECK_BYTES and ratio > lim.MAX_COMPRESSION_RATIO:
            raise UnsafeWorkbookError(
                f"part {info.filename} expands {ratio:,.0f} times to {_mib(size)} (workbooks expand "
                f"at most {lim.MAX_COMPRESSION_RATIO} times): refused as a possible zip bomb",
                path=p, hint="do not open this file; ask the sender for the original workbook")
    if total > lim.MAX_TOTAL_BYTES:
        raise UnsafeWorkbookError(
            f"would expand to {_mib(total)} (the limit is {_mib(lim.MAX_TOTAL_BYTES)}): refused "
            "as a possible zip bomb",
            path=p, hint="split the workbook, or remove unused rows, images and sheets")


def _mib(n: int) -> str:
    return f"{n / lim.MiB:,.1f} MiB"


class _Gate:
    """One pass over a zip's parts. Holds the open zip so helpers stay short."""

    def __init__(self, p: Path, zf: zipfile.ZipFile) -> None:
        self.p = p
        self.zf = zf

    def run(self, infos: list[zipfile.ZipInfo]) -> SafetyReport:
        by_name = {i.filename: i for i in infos}
        structural: set[str] = set()
        sheets = self._sheet_parts(by_name, structural)
        scans: dict[str, SheetScan] = {}
        sheet_of = {part: name for name, part in sheets.items()}
        for info in infos:
            if info.filename in structural or not info.filename.lower().endswith(XML_SUFFIXES):
                continue
            name = sheet_of.get(info.filename)
            if name is None:
                self._scan_entities_only(info)
            else:
                scans[name] = self._scan_sheet(info, name)
        lower = {n.lower() for n in by_name}
        has_macros = any(n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in lower)
        return SafetyReport(path=str(self.p), has_macros=has_macros, sheets=scans)

    # -- package structure ------------------------------------------------------------------

    def _sheet_parts(self, by_name: dict[str, zipfile.ZipInfo], structural: set[str]) -> dict[str, str]:
        """Sheet name -> part name, from the package and workbook relationships."""
        if "mimetype" in by_name and "content.xml" in by_name:
            raise UnsafeWorkbookError(
                "is an OpenDocument spreadsheet (.ods), not an Excel workbook", path=self.p,
                hint="open it and save it as an Excel Workbook (.xlsx)")
        root_rels = self._parse(by_name, "_rels/.rels", structural)
        workbook = next(
            (_resolve("", t) for typ, t in _relationships(root_rels) if typ.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        if workbook.lower().endswith(".bin"):
            raise UnsafeWorkbookError(
                "is an Excel binary workbook (.xlsb), which xl-brm cannot check safely", path=self.p,
                hint="open it in Excel and save it as an Excel Workbook (.xlsx)")
        wb_root = self._parse(by_name, workbook, structural)
        folder, base = posixpath.split(workbook)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        targets = {
            rid: (typ, _resolve(workbook, target)) for rid, typ, target in _relationship_ids(
                self._parse(by_name, rels_name, structural))
        }
        sheets: dict[str, str] = {}
        for el in wb_root.iter():
            if _local(el.tag) != "sheet":
                continue
            name = el.get("name") or ""
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            typ, part = targets.get(rid or "", ("", ""))
            if part in by_name and typ.endswith(SHEET_REL_TYPES):
                sheets[name] = part
        return sheets

    def _parse(self, by_name: dict[str, zipfile.ZipInfo], part: str, structural: set[str]) -> Element:
        info = by_name.get(part)
        if info is None:
            raise UnsafeWorkbookError(
                f"is not an Excel workbook: the part {part} is missing", path=self.p,
                hint="open it in Excel and save it as an Excel Workbook (.xlsx)")
        structural.add(part)
        data = b"".join(self._chunks(info, check_entities=True))
        try:
            root: Element = fromstring(data)
        except (ParseError, DefusedXmlException, ValueError) as exc:
            raise _damaged(self.p, exc) from None
        return root

    # -- streaming ---------------------------------------------------------------------------

    def _chunks(self, info: zipfile.ZipInfo, *, check_entities: bool, cut: bytes = b">") -> Iterator[bytes]:
        """Decompressed data in chunks that end at a tag boundary (`cut`), entity-checked."""
        pattern = _DECL
        carry = b""
        seen = 0
        try:
            with self.zf.open(info) as fh:
                first = True
                while True:
                    block = _read(fh)
                    if first:
                        if block[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in block[:2]:
                            pattern = _DECL16  # UTF-16 XML
                        first = False
                    seen += len(block)
                    if seen > info.file_size:
                        raise UnsafeWorkbookError(
                            f"part {info.filename} is bigger than its zip entry declares: refused as "
                            "a possible zip bomb", path=self.p,
                            hint="do not open this file; ask the sender for the original workbook")
                    if not block:
                        if carry:
                            self._entities(pattern, carry, info)
                            yield carry
                        return
                    data = carry + block
                    end = _cut(data, cut)
                    if end < 0 and len(data) < 4 * lim.SCAN_CHUNK_BYTES:
                        carry = data
                        continue
                    if end < 0:
                        end = len(data)
                    data, carry = data[:end], data[end:]
                    if check_entities:
                        self._entities(pattern, data, info)
                    yield data
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise _damaged(self.p, exc) from None

    def _entities(self, pattern: re.Pattern[bytes], data: bytes, info: zipfile.ZipInfo) -> None:
        if b"!" in data and pattern.search(data):
            raise UnsafeWorkbookError(
                f"part {info.filename} declares a DOCTYPE or XML entities, which Excel never writes "
                "(an XXE or 'billion laughs' attack)",
                path=self.p, hint="do not open this file; ask the sender for the original workbook")

    def _scan_entities_only(self, info: zipfile.ZipInfo) -> None:
        for _ in self._chunks(info, check_entities=True):
            pass

    # -- worksheets --------------------------------------------------------------------------

    def _scan_sheet(self, info: zipfile.ZipInfo, sheet: str) -> SheetScan:
        """Bound the farthest cell and find formulas without a cached value, in one regex pass.

        The pattern skips every plain cell whose reference lies within the current bounds and
        stops at the rest: a cell beyond them (the bounds widen, as rows grow down the sheet), or
        anything unusual (a cell without `r`, prefixed elements), which sends the sheet to an
        exact pass. Formula cells are looked at only in chunks that hold a formula. Only a sheet
        whose bounds would be refused pays for that exact pass, so a refusal names a real cell.
        """
        bounds = _Bounds()
        formulas: dict[tuple[int, int], str] = {}
        shared: dict[bytes, str] = {}
        exact = False
        for data in self._chunks(info, check_entities=True, cut=b"</c>"):
            if exact:
                continue
            if b"spreadsheetml" in data and _NS_BINDING.search(data):
                exact = True
                continue
            exact = not _scan_chunk(data, bounds, formulas, shared)
        max_row, max_col, cells = bounds.max_row, bounds.max_col, None
        if exact or not _acceptable(max_row, max_col):
            max_row, max_col, cells = self._exact_extent(info)
            if exact:
                for data in self._chunks(info, check_entities=False, cut=b"</c>"):
                    _find_formulas(data, formulas, shared)
        if not _acceptable(max_row, max_col):
            far = f"{column_letter(max_col - 1)}{max_row}" if max_col <= lim.EXCEL_MAX_COLUMNS * 27 else None
            grid = f"{max_row:,} rows x {max_col:,} columns"
            if max_row > lim.EXCEL_MAX_ROWS or max_col > lim.EXCEL_MAX_COLUMNS:
                why = f"has a cell beyond Excel's grid (A1:XFD1048576) at {grid}, so it is damaged or crafted"
                hint = "do not open this file; ask the sender for the original workbook"
            else:
                why = (f"reaches cell {far}: a grid of {grid} = {max_row * max_col:,} cells "
                       f"(the limit is {lim.MAX_GRID_CELLS:,}) holding only {cells or 0:,} cells; "
                       "reading it would allocate the whole grid and can crash the reader")
                hint = ("in Excel press Ctrl+End to find the stray last cell, delete the empty rows "
                        "and columns between it and your data, save, and try again")
            raise UnsafeWorkbookError(why, path=self.p, sheet=sheet, cell=far, hint=hint)
        return SheetScan(sheet=sheet, part=info.filename, max_row=max_row, max_col=max_col,
                         formulas=formulas)

    def _exact_extent(self, info: zipfile.ZipInfo) -> tuple[int, int, int]:
        """Farthest row and column of any cell, and the number of cells (slow path)."""
        max_row = max_col = cells = 0
        for data in self._chunks(info, check_entities=False, cut=b"</row>"):
            cells += len(_CELL_TAG.findall(data))
            for letters, digits in set(_REF_ANY.findall(data)):
                max_row = max(max_row, int(digits))
                max_col = max(max_col, _column_number(letters))
            if _CELL_NO_R.search(data):
                # A cell without `r` sits after the previous cell of its row.
                for attrs, body in _ROW_BLOCK.findall(data):
                    row = _ROW_NUMBER.search(attrs)
                    if row:
                        max_row = max(max_row, int(row.group(1)))
                    max_col = max(max_col, len(_CELL_TAG.findall(body)))
        return max_row, max_col, cells


def _acceptable(max_row: int, max_col: int) -> bool:
    return (max_row <= lim.EXCEL_MAX_ROWS and max_col <= lim.EXCEL_MAX_COLUMNS
            and max_row * max_col <= lim.MAX_GRID_CELLS)


def _column_number(letters: bytes) -> int:
    """b'A' -> 1, b'XFD' -> 16384; absurdly long letter runs saturate instead of growing."""
    if len(letters) > 4:
        return lim.EXCEL_MAX_COLUMNS * 27
    return column_index(letters.decode("ascii").upper()) + 1


def _read(fh: IO[bytes]) -> bytes:
    return fh.read(lim.SCAN_CHUNK_BYTES)


def _cut(data: bytes, cut: bytes) -> int:
    """Where to end a chunk: after the last `cut` (else the last '>'), or -1 for nowhere."""
    end = data.rfind(cut)
    if end >= 0:
        return end + len(cut)
    end = data.rfind(b">")
    return end + 1 if end >= 0 else -1


class _Bounds:
    """Coarse bounds on cell references that widen as bigger references turn up.

    References are bounded by their length and leading character: with 6 digits led by at
    most '2', every row is below 300,000. That is at most about twice the real extent, which
    is plenty to tell a register from a grid of billions, and it lets one compiled pattern
    skip every ordinary cell without Python seeing it.
    """

    __slots__ = ("digits", "letters", "pattern", "top_digit", "top_letter")

    def __init__(self) -> None:
        self.letters, self.top_letter = 1, "A"
        self.digits, self.top_digit = 1, "0"
        self.pattern = self._compile()

    def _compile(self) -> re.Pattern[bytes]:
        cols = f"[A-{self.top_letter}]" + (f"[A-Z]{{{self.letters - 1}}}" if self.letters > 1 else "")
        if self.letters > 1:
            cols = f"(?:[A-Z]{{1,{self.letters - 1}}}|{cols})"
        rows = f"[0-{self.top_digit}]" + (f"[0-9]{{{self.digits - 1}}}" if self.digits > 1 else "")
        if self.digits > 1:
            rows = f"(?:[0-9]{{1,{self.digits - 1}}}|{rows})"
        return re.compile(f'<c(?=[\\s>/])(?!\\sr="{cols}{rows}")'.encode("ascii"))

    def covers(self, letters: str, digits: str) -> bool:
        return _within(letters, self.letters, self.top_letter) and _within(
            digits, self.digits, self.top_digit)

    def widen(self, letters: str, digits: str) -> bool:
        """Take in a reference; False when it lies beyond anything Excel can hold."""
        if len(letters) > 3 or len(digits) > 7:
            return False
        self.letters, self.top_letter = _wider(letters, self.letters, self.top_letter)
        self.digits, self.top_digit = _wider(digits, self.digits, self.top_digit)
        self.pattern = self._compile()
        return True

    @property
    def max_row(self) -> int:
        return int(self.top_digit + "9" * (self.digits - 1))

    @property
    def max_col(self) -> int:
        return column_index(self.top_letter + "Z" * (self.letters - 1)) + 1


def _within(text: str, length: int, top: str) -> bool:
    return len(text) < length or (len(text) == length and text[0] <= top)


def _wider(text: str, length: int, top: str) -> tuple[int, str]:
    if len(text) > length:
        return len(text), text[0]
    if len(text) == length:
        return length, max(top, text[0])
    return length, top


def _scan_chunk(data: bytes, bounds: _Bounds, formulas: dict[tuple[int, int], str],
                shared: dict[bytes, str]) -> bool:
    """One chunk of sheet XML; False when the sheet needs the exact pass."""
    if b"<f" in data:
        for tag in _F_TAG.finditer(data):
            cell = data.rfind(b"<c", 0, tag.start())
            if cell >= 0:
                _formula_at(data, cell, formulas, shared)
    pos = 0
    pattern = bounds.pattern
    while True:
        m = pattern.search(data, pos)
        if m is None:
            return True
        start = m.start()
        ref = _REF_AT.match(data, start)
        if ref is None:
            return False  # a cell without `r`, or `r` not first: positions need the exact pass
        letters, digits = ref.group(1).decode("ascii").upper(), ref.group(2).decode("ascii")
        if not bounds.covers(letters, digits):
            if not bounds.widen(letters, digits):
                return False
            pattern = bounds.pattern
            continue  # look at this cell again with the wider bounds
        pos = start + 2


def _formula_at(data: bytes, start: int, out: dict[tuple[int, int], str],
                shared: dict[bytes, str]) -> None:
    """If the cell at `start` is a formula with no cached value, record it."""
    fm = _F_AT.match(data, start)
    if fm is None:
        return
    cell_attrs = dict(_ATTR.findall(fm.group(1)))
    f_attrs = dict(_ATTR.findall(fm.group(2)))
    text = html.unescape(fm.group(3).decode("utf-8", "replace")) if fm.group(3) else ""
    si = f_attrs.get(b"si")
    if si is not None and text:
        shared.setdefault(si, text)
    tail = _NO_VALUE.match(data, fm.end())
    if tail is None:
        return  # it has a cached value
    if tail.group(1) is not None and cell_attrs.get(b"t") == b"str":
        return  # a cached empty-string result is a value
    a1 = _A1.fullmatch(cell_attrs.get(b"r", b"").decode("ascii", "replace"))
    if a1 is None:
        return
    if not text and si is not None:
        text = shared.get(si, "")
    out[(int(a1.group(2)) - 1, column_index(a1.group(1).upper()))] = text


def _find_formulas(data: bytes, out: dict[tuple[int, int], str], shared: dict[bytes, str]) -> None:
    """Formula cells without a cached value anywhere in a chunk (used by the exact pass)."""
    for m in _CELL_TAG.finditer(data):
        _formula_at(data, m.start(), out, shared)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(root: Element) -> Iterator[tuple[str, str]]:
    for _, typ, target in _relationship_ids(root):
        yield typ, target


def _relationship_ids(root: Element) -> Iterator[tuple[str, str, str]]:
    for el in root.iter():
        if _local(el.tag) == "Relationship" and el.get("TargetMode", "") != "External":
            yield el.get("Id", ""), el.get("Type", ""), el.get("Target", "")


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))
