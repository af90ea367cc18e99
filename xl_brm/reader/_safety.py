"""The safety gate: refuse hostile or broken workbooks before any parser opens them.

Nothing here parses a cell value. The zip's central directory is checked first (sizes, ratios,
encryption), then every XML part is streamed in chunks and searched with byte patterns: entity
declarations (XXE, billion laughs), the farthest cell of each sheet (python-calamine aborts the
whole process when one stray cell makes its grid too big to allocate, calamine issue 693), and
formula cells that carry no cached value (they would otherwise read as blank).

Speed matters: the gate runs before every read, so a 60 MB sheet must cost little more than
decompressing it. Each chunk gets a few byte probes that C runs at memory speed (`!` for
declarations, `f` for formulas, NUL for UTF-16) and one compiled pattern that skips every cell
written the way Excel writes them. Anything unusual sends the sheet to an exact, slower pass.
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from xl_brm.errors import InputError, UnsafeWorkbookError
from xl_brm.reader import _limits as lim
from xl_brm.reader._formats import PercentCells, percent_styles
from xl_brm.reader._package import PartNames, fold, raw_attrs, read_package
from xl_brm.table import column_index, column_letter

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XML_SUFFIXES = (".xml", ".rels", ".vml")
ASCII_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1",
                             "latin-1", "windows-1252", "cp1252"})
"""Declared encodings whose markup bytes are plain ASCII, so byte patterns see what a parser sees."""

_DECL = re.compile(rb"<!(?!--|\[CDATA\[)")
_DECL16 = re.compile(rb"<\x00!\x00(?!-\x00-\x00|\[\x00)|\x00<\x00!(?!\x00-\x00-|\x00\[)")
_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)")
_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_SST_TAG = re.compile(rb"<(?:[^\s<>/:]+:)?sst(?=[\s/>])((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>")
# counted with literal searches first: a pattern that opens with an optional prefix is tried at
# every '<' of a sheet, which costs more than the whole fast path
_PREFIXED_SI = re.compile(rb"<[^\s<>/:]+:si[\s/>]")
_PREFIXED_MERGE = re.compile(rb"<[^\s<>/:]+:mergeCell[\s/>]")

# The fast path. A cell start tag in the spelling Excel, openpyxl and LibreOffice write:
# `<c r="B7"` first, then at most two double-quoted attributes named s or t. python-calamine
# takes the LAST `r` of a tag and matches elements by local name, so a second `r`, single
# quotes, `r = "..."` or a prefixed `<x:c>` must never pass here: they go to the exact pass.
_CANON_TAIL = rb'"(?: [st]="[^"<]*+"){0,2}+/?>'
_CANON_REF = re.compile(rb'<c r="([A-Z]+)([0-9]+)' + _CANON_TAIL)
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
# chunks worth a closer look: a formula tag, a cell typed as an Excel error (t="e"); `re` finds
# these short literals about 3x faster than `in` on bytes, which matters over 50 MB of cells
_FORMULA_TAG = re.compile(rb"<f")
_ERROR_TYPE = re.compile(rb'"e"')

# The exact pass: every `c` and `row` start tag, with any prefix, its attributes read with
# their quotes so a `>` inside a value does not end the tag. `<` is not allowed in a tag.
_NAME_PREFIX = rb"(?:[^\s<>/:=\"'!?]+:)?"
_TAG_START = re.compile(rb"<" + _NAME_PREFIX + rb"(?:c|row)(?=[\s>/])")
_TAG = re.compile(rb"<" + _NAME_PREFIX + rb"(c|row)(?=[\s>/])"
                  rb"((?:[^<>\"']++|\"[^<\"]*+\"|'[^<']*+')*+)>")
_R_ATTR = re.compile(rb"(?<![^\s\"'])" + _NAME_PREFIX + rb"r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF_VALUE = re.compile(rb"\s*\$?([A-Za-z]+)\$?([0-9]+)\s*")
# The exact pass in bulk, for stretches whose `r`s carry no prefix: led by the literal `r` so
# the engine skips to candidates at memory speed. Tags are joined with NUL between them.
_R_LEAD = rb"r(?<=[\s\"']r)\s*=\s*"
_R_ANY = re.compile(_R_LEAD + rb"[\"']")
_R_CELL = re.compile(_R_LEAD + rb"([\"'])\s*\$?([A-Za-z]+)\$?([0-9]+)\s*\1")
_R_ROW = re.compile(_R_LEAD + rb"([\"'])\s*()[A-Za-z$]*([0-9]+)\s*\1")
_HAS_R = re.compile(rb"\x00[^\x00]*?" + _R_LEAD)

_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
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
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column), both 0-based -> Excel error text ('#DIV/0!'), which calamine reads as blank."""
    percent: dict[int, array[int]] = field(default_factory=dict)
    """Column (0-based) -> rows (0-based) of the cells shown as a percentage (`_formats`)."""


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """A workbook that passed the gate, and what the reader should know about it."""

    path: str
    has_macros: bool
    """It holds VBA or Excel 4.0 macros. We never run them (calamine executes nothing)."""
    sheets: dict[str, SheetScan]
    """Sheet name -> scan."""
    styles: str | None = None
    """The styles part python-calamine reads (number formats), if there is one."""

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        scan = self.sheets.get(sheet)
        return scan.formulas if scan else {}

    def errors(self, sheet: str) -> dict[tuple[int, int], str]:
        scan = self.sheets.get(sheet)
        return scan.errors if scan else {}



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
        try:
            return _Gate(p, zf).run(infos)
        except InputError:
            raise
        except Exception as exc:  # the last line of defence: a file no check foresaw is damaged
            raise _damaged(p, exc) from None


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
        names = PartNames(self.p, infos)
        if names.find("mimetype") and names.find("content.xml"):
            raise UnsafeWorkbookError(
                "is an OpenDocument spreadsheet (.ods), not an Excel workbook", path=self.p,
                hint="open it and save it as an Excel Workbook (.xlsx)")
        package = read_package(self.p, names, self._structural)
        named: dict[str, str] = {}
        for name, part in package.sheets.items():
            named.setdefault(part, name)
        shared_strings = names.find(package.folder + "sharedStrings.xml")
        styles = names.find(package.folder + "styles.xml")
        # defusedxml refuses entities; the part's own scan below still refuses the file for them
        percent = percent_styles(self.zf, styles.filename) if styles is not None else frozenset()
        by_part: dict[str, SheetScan] = {}
        for info in infos:
            if info.filename in package.checked:
                by_part[info.filename] = self._scan_sheet(info, named.get(info.filename), percent)
            if info is shared_strings:
                self._scan_shared_strings(info)
            elif info.filename not in package.checked | package.read and \
                    info.filename.lower().endswith(XML_SUFFIXES):
                self._scan_entities_only(info)
        scans = {name: replace(by_part[part], sheet=name) for name, part in package.sheets.items()}
        lower = {fold(n) for n in names.exact}
        has_macros = any(n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in lower)
        return SafetyReport(path=str(self.p), has_macros=has_macros, sheets=scans,
                            styles=styles.filename if styles is not None else None)

    def _structural(self, info: zipfile.ZipInfo) -> bytes:
        """A part that says where the sheets are: entity-checked, and well-formed XML (Excel
        never writes anything else, so a damaged one is refused before the readers differ)."""
        if info.file_size > lim.MAX_STRUCTURE_BYTES:
            raise UnsafeWorkbookError(
                f"part {info.filename} would expand to {_mib(info.file_size)}, far more than a "
                f"workbook's structure needs (the limit is {_mib(lim.MAX_STRUCTURE_BYTES)})",
                path=self.p, hint="open it in Excel and save it as an Excel Workbook (.xlsx)")
        data = b"".join(self._chunks(info, check_entities=True))
        try:
            fromstring(data)
        except (ParseError, DefusedXmlException, ValueError, LookupError) as exc:  # LookupError:
            # an encoding Python does not know
            raise _damaged(self.p, exc) from None
        return data

    def _scan_shared_strings(self, info: zipfile.ZipInfo) -> None:
        """python-calamine reserves room for as many strings as the `<sst>` tag's `uniqueCount`
        declares before reading one: a huge count aborts the process. It must be about what
        the part holds."""
        declared: int | None = None
        held = 0
        for n, data in enumerate(self._chunks(info, check_entities=True)):
            self._check_text(info, data, first=n == 0)  # in UTF-16 the count would hide
            if n == 0 and (tag := _SST_TAG.search(data)) is not None:
                declared = _declared_count(tag.group(1), self.p)
            held += sum(map(data.count, (b"<si>", b"<si ", b"<si/")))
            if b":si" in data:
                held += len(_PREFIXED_SI.findall(data))
        if declared is not None and declared > 2 * held + lim.SHARED_STRINGS_SLACK:
            raise UnsafeWorkbookError(
                f"part {info.filename} declares {declared:,} shared strings but holds {held:,}: "
                "reading it would reserve memory for all of them, so it is damaged or crafted",
                path=self.p, hint="open it in Excel and save it as an Excel Workbook (.xlsx)")

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

    def _scan_sheet(self, info: zipfile.ZipInfo, sheet: str | None,
                    percent: frozenset[int] = frozenset()) -> SheetScan:
        """Bound the farthest cell and find formulas without a cached value, in one pass, and
        the cells shown as a percentage where some style (`percent`) shows one.

        The fast path vouches for sheets written the usual way; formulas are looked for only in
        chunks that hold `<f`. A sheet the fast path cannot vouch for, or whose bounds would be
        refused, gets the exact pass, so a refusal names a real cell. `sheet` is None for a part
        no sheet name reaches that a relationship still calls a sheet: checked all the same.
        """
        fast = _FastExtent()
        formulas: dict[tuple[int, int], str] = {}
        errors: dict[tuple[int, int], str] = {}
        shared: dict[bytes, str] = {}
        merges = 0
        shown = PercentCells(percent) if percent else None
        for n, data in enumerate(self._chunks(info, check_entities=True, cut=b"</c>")):
            self._check_text(info, data, first=n == 0)
            fast.feed(data)
            if shown is not None:
                shown.feed(data)
            if _FORMULA_TAG.search(data):
                _formulas_in(data, formulas, shared)
            if _ERROR_TYPE.search(data) or (b"'" in data and b"'e'" in data):
                _errors_in(data, errors)
            if b"mergeCell" in data:
                merges += _merge_cells(data)
            self._check_unread(info, sheet, formulas, errors)
        if merges > lim.MAX_MERGED_RANGES:
            raise UnsafeWorkbookError(
                f"part {info.filename} merges {merges:,} ranges of cells (the limit is "
                f"{lim.MAX_MERGED_RANGES:,}): not a normal register", path=self.p, sheet=sheet,
                hint="unmerge the cells (Home > Merge & Center > Unmerge Cells), save, and try again")
        vouched = fast.extent()
        if vouched is not None and not vouched.acceptable:
            vouched = self._refined(info, fast.bounds)  # what the fast path could not pin down
        extent = vouched if vouched is not None and vouched.acceptable else self._exact_extent(info)
        if vouched is None:  # odd spellings (prefixes, attribute order): look at every cell
            for data in self._chunks(info, check_entities=False, cut=b"</c>"):
                _find_formulas(data, formulas, shared)
                self._check_unread(info, sheet, formulas, errors)
        if not extent.acceptable:
            raise self._too_far(info, sheet, extent)
        return SheetScan(sheet=sheet or info.filename, part=info.filename, max_row=extent.max_row,
                         max_col=extent.max_col, formulas=formulas, errors=errors,
                         percent=shown.found if shown is not None else {})

    def _check_unread(self, info: zipfile.ZipInfo, sheet: str | None,
                      formulas: dict[tuple[int, int], str], errors: dict[tuple[int, int], str]) -> None:
        """The cells the gate keeps for the reader stay within `MAX_UNREAD_CELLS`."""
        if len(formulas) + len(errors) > lim.MAX_UNREAD_CELLS:
            raise UnsafeWorkbookError(
                f"part {info.filename} holds over {lim.MAX_UNREAD_CELLS:,} formulas saved without "
                "their results or error cells", path=self.p, sheet=sheet,
                hint="open it in Excel and save it (Excel stores each formula's result), then "
                     "try again")

    def _refined(self, info: zipfile.ZipInfo, bounds: _Bounds) -> _Extent:
        """The fast path's bounds made exact in one more pass, for a sheet they were too coarse
        to accept and that the first pass could not refine on its way (see `_FastExtent`)."""
        top = _TopBand(bounds)
        for data in self._chunks(info, check_entities=False, cut=b"</c>"):
            top.feed(data)
        return _Extent(top.max_row or bounds.max_row, top.max_col or bounds.max_col)

    def _check_text(self, info: zipfile.ZipInfo, data: bytes, *, first: bool) -> None:
        """A sheet must be ASCII-compatible text, so that byte patterns see what a parser sees
        (in UTF-16 every `<c` would hide behind NUL bytes)."""
        declared = _ENCODING.match(data) if first else None
        encoding = declared.group(1).decode("ascii", "replace").lower() if declared else "utf-8"
        if b"\x00" in data or encoding not in ASCII_ENCODINGS:
            raise UnsafeWorkbookError(
                f"part {info.filename} is not stored as UTF-8 text, which Excel always writes, so "
                "it is damaged or crafted",
                path=self.p, hint="open it in Excel and save it as an Excel Workbook (.xlsx)")

    def _exact_extent(self, info: zipfile.ZipInfo) -> _Extent:
        """Farthest row and column of any cell, and the number of cells (slow path)."""
        exact = _ExactExtent()
        for data in self._chunks(info, check_entities=False):
            if not exact.feed(data):
                break
        if not exact.readable:
            raise UnsafeWorkbookError(
                f"part {info.filename} has a cell or row tag that cannot be read (an unclosed "
                "quote, or a '<' inside the tag), so it is damaged or crafted",
                path=self.p, hint="do not open this file; ask the sender for the original workbook")
        return exact.extent()

    def _too_far(self, info: zipfile.ZipInfo, sheet: str | None, extent: _Extent) -> UnsafeWorkbookError:
        max_row, max_col = extent.max_row, extent.max_col
        far = f"{column_letter(max_col - 1)}{max_row}" if max_col <= lim.EXCEL_MAX_COLUMNS * 27 else None
        grid = f"{max_row:,} rows x {max_col:,} columns"
        if max_row > lim.EXCEL_MAX_ROWS or max_col > lim.EXCEL_MAX_COLUMNS:
            why = f"has a cell beyond Excel's grid (A1:XFD1048576) at {grid}, so it is damaged or crafted"
            hint = "do not open this file; ask the sender for the original workbook"
        else:
            why = (f"reaches cell {far}: a grid of {grid} = {max_row * max_col:,} cells "
                   f"(the limit is {lim.MAX_GRID_CELLS:,}) holding only {extent.cells or 0:,} cells; "
                   "reading it would allocate the whole grid and can crash the reader")
            hint = ("in Excel press Ctrl+End to find the stray last cell, delete the empty rows "
                    "and columns between it and your data, save, and try again")
        if sheet is None:  # a part only a relationship calls a sheet: name the part
            why = f"part {info.filename} {why}"
        return UnsafeWorkbookError(why, path=self.p, sheet=sheet, cell=far, hint=hint)


def _acceptable(max_row: int, max_col: int) -> bool:
    return (max_row <= lim.EXCEL_MAX_ROWS and max_col <= lim.EXCEL_MAX_COLUMNS
            and max_row * max_col <= lim.MAX_GRID_CELLS)


def _read(fh: IO[bytes]) -> bytes:
    return fh.read(lim.SCAN_CHUNK_BYTES)


def _cut(data: bytes, cut: bytes) -> int:
    """Where to end a chunk: after the last `cut` (else the last '>'), or -1 for nowhere."""
    end = data.rfind(cut)
    if end >= 0:
        return end + len(cut)
    end = data.rfind(b">")
    return end + 1 if end >= 0 else -1


# -- the farthest cell ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Extent:
    """Farthest row and column (1-based upper bounds) and, from the exact pass, the cell count."""

    max_row: int
    max_col: int
    cells: int | None = None

    @property
    def acceptable(self) -> bool:
        return _acceptable(self.max_row, self.max_col)


class _FastExtent:
    """Bounds on the farthest cell, proved cheaply for sheets written the usual way.

    Every cell start tag must be in the canonical spelling (`_CANON_REF`) with its reference
    inside the current bounds: one compiled pattern skips all such cells without Python seeing
    them and stops at the rest. A canonical cell beyond the bounds widens them (a few dozen
    times a sheet, as rows grow); anything else gives up, and the exact pass decides.

    Bounds too coarse to accept (a 1M-row sheet is bounded by 1,999,999 rows, beyond Excel's
    grid) are made exact on the way: the farthest row can only be among the references with
    as many digits as the bounds, led by their top digit (their top band), and since bounds
    only widen, those turn up no earlier than the chunk that widened the bounds to that band.
    From the first chunk the bounds are too coarse, each chunk's top-band references are read
    (few cells), for rows and columns alike; a band reached before that chunk stays coarse.
    """

    __slots__ = ("bounds", "chunk", "ok", "refine_from", "since", "top")

    def __init__(self) -> None:
        self.bounds = _Bounds()
        self.ok = True
        self.chunk = 0
        self.since = (0, 0)
        """The chunks that widened the bounds to their current row band and column band."""
        self.refine_from: int | None = None
        self.top: _TopBand | None = None

    def feed(self, data: bytes) -> None:
        """Take one chunk; after a give-up the rest is ignored."""
        if not self.ok:
            return
        bounds = self.bounds
        before = bounds.bands()
        self.ok = _PREFIXED_CELL.search(data) is None and _widen_over(data, bounds)
        after = bounds.bands()
        if after != before:
            self.since = (self.chunk if after[0] != before[0] else self.since[0],
                          self.chunk if after[1] != before[1] else self.since[1])
        if self.ok and self.refine_from is None and not _acceptable(bounds.max_row, bounds.max_col):
            self.refine_from = self.chunk
        if self.refine_from is not None:
            if self.top is None or after != before:
                self.top = _TopBand(bounds, self.top)
            self.top.feed(data)
        self.chunk += 1

    def extent(self) -> _Extent | None:
        """The proved bounds, exact where they had to be and could be, or None when the sheet
        needs the exact pass."""
        if not self.ok:
            return None
        rows, cols = self.bounds.max_row, self.bounds.max_col
        if self.top is not None and self.refine_from is not None:
            if self.since[0] >= self.refine_from:
                rows = self.top.max_row or rows
            if self.since[1] >= self.refine_from:
                cols = self.top.max_col or cols
        return _Extent(rows, cols if rows else 0)


class _TopBand:
    """The farthest row and column among the references in the bounds' top bands (see
    `_FastExtent`): the exact extent of a sheet whose every cell the bounds hold."""

    __slots__ = ("cols", "max_col", "max_row", "rows")

    def __init__(self, bounds: _Bounds, before: _TopBand | None = None) -> None:
        self.rows = re.compile(b'<c r="[A-Z]+(%c[0-9]{%d})"' % (bounds.top_digit, bounds.digits - 1))
        self.cols = re.compile(b'<c r="(%c[A-Z]{%d})[0-9]' % (bounds.top_letter, bounds.letters - 1))
        self.max_row: int = 0
        self.max_col: int = 0
        if before is not None:  # a band that stayed keeps what it found
            if before.rows.pattern == self.rows.pattern:
                self.max_row = before.max_row
            if before.cols.pattern == self.cols.pattern:
                self.max_col = before.max_col

    def feed(self, data: bytes) -> None:
        self.max_row = max(self.max_row, max(map(int, self.rows.findall(data)), default=0))
        letters = {c.decode("ascii") for c in self.cols.findall(data)}
        self.max_col = max(self.max_col, max((column_index(c) + 1 for c in letters), default=0))


def _widen_over(data: bytes, bounds: _Bounds) -> bool:
    """Widen `bounds` over every cell of a chunk; False at the first cell the fast path
    cannot place (not canonical, or beyond what Excel can hold)."""
    pos = 0
    while (stop := bounds.pattern.search(data, pos)) is not None:
        ref = _CANON_REF.match(data, stop.start())
        if ref is None or not bounds.widen(ref.group(1), ref.group(2)):
            return False
        pos = stop.start()  # look at this cell again with the wider bounds
    return True


class _Bounds:
    """Coarse bounds on cell references that widen as bigger references turn up.

    References are bounded by their length and leading character: with 6 digits led by at
    most '2', every row is below 300,000. That is at most about twice the real extent, which
    is plenty to tell a register from a grid of billions, and it lets one compiled pattern
    skip every ordinary cell without Python seeing it.
    """

    __slots__ = ("digits", "letters", "pattern", "top_digit", "top_letter")

    def __init__(self) -> None:
        self.letters, self.top_letter = 1, ord("A")
        self.digits, self.top_digit = 1, ord("0")
        self.pattern = _bounds_pattern(self.letters, self.top_letter, self.digits, self.top_digit)

    def bands(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(digits, top digit) of the rows and (letters, top letter) of the columns."""
        return (self.digits, self.top_digit), (self.letters, self.top_letter)

    def covers(self, letters: bytes, digits: bytes) -> bool:
        return (_within(letters, self.letters, self.top_letter)
                and _within(digits, self.digits, self.top_digit))

    def widen(self, letters: bytes, digits: bytes) -> bool:
        """Take in a reference beyond the bounds; False when the fast path must give up."""
        if len(letters) > 3 or len(digits) > 7 or self.covers(letters, digits):
            return False  # beyond Excel's grid, or a stop the bounds cannot explain
        self.letters, self.top_letter = _wider(letters, self.letters, self.top_letter)
        self.digits, self.top_digit = _wider(digits, self.digits, self.top_digit)
        self.pattern = _bounds_pattern(self.letters, self.top_letter, self.digits, self.top_digit)
        return True

    @property
    def max_row(self) -> int:
        return int(chr(self.top_digit) + "9" * (self.digits - 1))

    @property
    def max_col(self) -> int:
        return column_index(chr(self.top_letter) + "Z" * (self.letters - 1)) + 1


@lru_cache(maxsize=256)
def _bounds_pattern(letters: int, top_letter: int, digits: int, top_digit: int) -> re.Pattern[bytes]:
    """A pattern that stops at every cell tag that is not canonical or lies beyond the bounds."""
    cols, rows = _run(letters, chr(top_letter), "A-Z"), _run(digits, chr(top_digit), "0-9")
    return re.compile(b'<c(?! r="' + f"{cols}{rows}".encode("ascii") + _CANON_TAIL + rb")[\s>/]")


def _run(length: int, top: str, every: str) -> str:
    """Regex for a run of at most `length` characters, led by at most `top` when it is that long.

    `[0-2]?[0-9]{1,5}` says "up to 6 digits, led by 0-2 when there are 6" with less work per
    cell than the obvious alternation.
    """
    lead = f"[{every[0]}-{top}]"
    return f"{lead}?[{every}]{{1,{length - 1}}}" if length > 1 else lead


def _within(text: bytes, length: int, top: int) -> bool:
    return len(text) < length or (len(text) == length and text[0] <= top)


def _wider(text: bytes, length: int, top: int) -> tuple[int, int]:
    if len(text) > length:
        return len(text), text[0]
    if len(text) == length:
        return length, max(top, text[0])
    return length, top


class _ExactExtent:
    """Where a reader would put every cell, read tag by tag: the slow, sure path.

    A cell goes where its `r` says, and every `r` of a tag counts (python-calamine takes the
    last one), quoted either way, with or without a prefix. A cell without `r` follows the
    previous cell of its row; a row without `r` follows the farthest row so far. Both are upper
    bounds of what a reader does. A tag that cannot be read (an unclosed quote, a `<` inside it)
    makes the sheet unreadable: guessing there could miss a cell.
    """

    __slots__ = ("carry", "cells", "col", "max_col", "max_row", "readable", "row", "top_row")

    def __init__(self) -> None:
        self.max_row = self.max_col = self.cells = 0
        self.row = self.col = self.top_row = 0
        self.carry = b""
        self.readable = True

    def feed(self, block: bytes) -> bool:
        """Take one chunk; False once the sheet is unreadable."""
        data = self.carry + block
        cut = data.rfind(b"<")
        if cut < 0 or _TAG_START.match(data, cut) is None:
            cut = len(data)  # the last '<' opens no cell or row: nothing to wait for
        self.carry = data[cut:]  # a tag that may end in the next chunk
        self.readable = self._take_all(data[:cut]) and len(self.carry) <= lim.MAX_TAG_BYTES
        return self.readable

    def extent(self) -> _Extent:
        if self.carry and self.readable:
            self.readable = self._take_all(self.carry)
        return _Extent(self.max_row, self.max_col, self.cells)

    def _take_all(self, data: bytes) -> bool:
        """Every tag of a stretch that ends between tags; False if one cannot be read."""
        tags = _TAG.findall(data)
        if len(tags) != len(_TAG_START.findall(data)):
            return False  # tags hold no '<', so each start must give a whole tag
        if not self._take_bulk(tags):
            for kind, attrs in tags:
                self._take(kind, attrs)
        return True

    def _take_bulk(self, tags: list[tuple[bytes, bytes]]) -> bool:
        """All tags in a few C-level passes, when every one has a readable `r` (so no cell's
        place depends on the one before). False, having changed nothing, otherwise."""
        cells = [attrs for kind, attrs in tags if kind == b"c"]
        rows = [attrs for kind, attrs in tags if kind != b"c"]
        refs = _every_r(cells, _R_CELL)
        numbers = _every_r(rows, _R_ROW)
        if refs is None or numbers is None:
            return False
        self.cells += len(cells)
        if refs:
            self.max_row = max(self.max_row, max(map(_saturated, {digits for _, _, digits in refs})))
            self.max_col = max(self.max_col, max(map(_column_number, {col for _, col, _ in refs})))
        row_numbers = {digits for _, _, digits in numbers}
        self.top_row = max(self.top_row, self.max_row, max(map(_saturated, row_numbers), default=0))
        last_row = next((i for i in range(len(tags) - 1, -1, -1) if tags[i][0] != b"c"), None)
        if last_row is not None:
            self._take(*tags[last_row])  # where a later cell without `r` would go
        if tags and tags[-1][0] == b"c":
            self.col = max(_column_number(col) for _, col, _ in _R_CELL.findall(tags[-1][1]))
        return True

    def _take(self, kind: bytes, attrs: bytes) -> None:
        values = [m.group(1) if m.group(1) is not None else m.group(2) for m in _R_ATTR.finditer(attrs)]
        if kind == b"row":
            rows = [n for n in map(_row_number, values) if n is not None]
            self.row = max(rows) if rows else self.top_row + 1
            self.top_row = max(self.top_row, self.row)
            self.col = 0
            return
        self.cells += 1
        places = [p for p in map(_cell_place, values) if p is not None]
        row = max((r for r, _ in places), default=max(self.row, 1))
        self.col = max((c for _, c in places), default=self.col + 1)
        self.top_row = max(self.top_row, row)
        self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, self.col)


def _every_r(tags: list[bytes], readable: re.Pattern[bytes]) -> list[tuple[bytes, bytes, bytes]] | None:
    """Every `r` of the tags as (quote, letters, digits); None unless each tag has one and all
    of them read."""
    joined = b"\x00" + b"\x00".join(tags)
    if b":r" in joined:
        return None  # a prefixed `r` (or one lookalike): leave it to the tag-by-tag reading
    values: list[tuple[bytes, bytes, bytes]] = readable.findall(joined)
    if len(_HAS_R.findall(joined)) != len(tags) or len(_R_ANY.findall(joined)) != len(values):
        return None
    return values


def _row_number(value: bytes) -> int | None:
    m = re.fullmatch(rb"\s*[A-Za-z$]*([0-9]+)\s*", value)
    return _saturated(m.group(1)) if m else None


def _cell_place(value: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of an `r` value; absurd ones saturate beyond Excel's grid."""
    m = _REF_VALUE.fullmatch(value)
    if m is None:
        return None
    return _saturated(m.group(2)), _column_number(m.group(1))


def _saturated(digits: bytes) -> int:
    return int(digits) if len(digits) <= 9 else lim.EXCEL_MAX_ROWS * 10


def _column_number(letters: bytes) -> int:
    """b'A' -> 1, b'XFD' -> 16384; absurdly long letter runs saturate instead of growing."""
    if len(letters) > 4:
        return lim.EXCEL_MAX_COLUMNS * 27
    return column_index(letters.decode("ascii").upper()) + 1


# -- error cells -----------------------------------------------------------------------------------

_ERROR_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*?\bt\s*=\s*[\"']e[\"'][^>]*>")
_CACHED_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_ANY_ATTR = re.compile(rb"\b([\w:]+)\s*=\s*[\"']([^\"']*)[\"']")


def _errors_in(data: bytes, out: dict[tuple[int, int], str]) -> None:
    """Cells stored as an Excel error (`t="e"`): their text, so the rules can report a broken
    formula at its cell instead of a blank (python-calamine reads error cells as '')."""
    for tag in _ERROR_CELL.finditer(data):
        attrs = dict(_ANY_ATTR.findall(tag.group(0)))
        a1 = _A1.fullmatch(attrs.get(b"r", b"").decode("ascii", "replace"))
        end = _CELL_END.search(data, tag.end())
        if a1 is None or end is None:
            continue
        value = _CACHED_VALUE.search(data, tag.end(), end.start())
        text = html.unescape(value.group(1).decode("utf-8", "replace")) if value else "#VALUE!"
        out[(int(a1.group(2)) - 1, column_index(a1.group(1).upper()))] = text or "#VALUE!"


# -- formulas without a cached value -------------------------------------------------------------


def _formulas_in(data: bytes, out: dict[tuple[int, int], str], shared: dict[bytes, str]) -> None:
    """Formula cells without a cached value in a chunk, found from their `<f` tags."""
    for tag in _F_TAG.finditer(data):
        cell = data.rfind(b"<c", 0, tag.start())
        if cell >= 0:
            _formula_at(data, cell, out, shared)


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
    if si is not None and text and len(shared) < lim.MAX_UNREAD_CELLS:
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
    if b"f" not in data or (b"<f" not in data and b":f" not in data):
        return
    for m in _CELL_TAG.finditer(data):
        _formula_at(data, m.start(), out, shared)


def _merge_cells(data: bytes) -> int:
    """`mergeCell` elements in a chunk, with or without a prefix (not `mergeCells`)."""
    plain = sum(map(data.count, (b"<mergeCell ", b"<mergeCell/", b"<mergeCell>", b"<mergeCell\t",
                                 b"<mergeCell\n", b"<mergeCell\r")))
    return plain + (len(_PREFIXED_MERGE.findall(data)) if b":mergeCell" in data else 0)


def _declared_count(attrs: bytes, p: Path) -> int | None:
    """The `uniqueCount` calamine would parse, read generously: any digits in it count."""
    for key, value in raw_attrs(attrs, p):
        if key == b"uniqueCount":
            digits = re.search(rb"[0-9]+", value)
            return int(digits.group(0)) if digits else None
    return None
