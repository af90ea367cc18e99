"""A seeded generator of hostile and broken workbooks, mutated from the example registers.

Three levels, as an attacker or a broken script would produce them:
- the zip (truncated, bit rot, repeated or case-twin parts, lying sizes, unknown compression,
  junk around the archive, bombs, encryption flags, not a zip at all, backslashes, 10,000 parts);
- the XML (far cells in every spelling and in every part a reader might take for a sheet,
  huge dimensions, merged ranges, 32,767-character words, entities, shared strings out of
  range, bad styles, odd workbook structure, formulas without values, broken and re-encoded
  XML, non-finite and absurd values, control characters, impossible rows);
- openpyxl (what a script writing a workbook does: merges, hidden and renamed sheets, rows
  inserted above the header, formulas without cached values, percent formats, far dates).

`mutants(seed, count)` yields `Mutant`s: a family name, a file name, the bytes, and whether the
safety gate must refuse the file. The same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "workbooks" / "examples").glob("*.xlsx"))
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

Parts = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Mutant:
    index: int
    family: str
    name: str
    data: bytes
    must_refuse: bool = False
    """The safety gate must refuse it (so every command exits 2)."""


class Book:
    """An example register as its zip parts, in order, to be edited and zipped again."""

    def __init__(self, parts: Parts, stem: str) -> None:
        self.parts = list(parts)
        self.stem = stem

    @classmethod
    def load(cls, path: Path) -> Book:
        with zipfile.ZipFile(path) as zf:
            return cls([(i.filename, zf.read(i)) for i in zf.infolist()], path.stem)

    def copy(self) -> Book:
        return Book(self.parts, self.stem)

    def get(self, name: str) -> bytes:
        return next(d for n, d in self.parts if n == name)

    def set(self, name: str, data: bytes) -> None:
        for i, (n, _) in enumerate(self.parts):
            if n == name:
                self.parts[i] = (n, data)
                return
        self.parts.append((name, data))

    def edit(self, name: str, change: Callable[[bytes], bytes]) -> None:
        self.set(name, change(self.get(name)))

    def sheets(self) -> list[str]:
        return [n for n, _ in self.parts if n.startswith("xl/worksheets/sheet")]

    def zip(self, method: int = zipfile.ZIP_DEFLATED) -> bytes:
        buffer = io.BytesIO()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # repeated names are the point of some mutants
            with zipfile.ZipFile(buffer, "w", method) as zf:
                for name, data in self.parts:  # a fixed time: the same seed, the same bytes
                    zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data,
                                compress_type=method)
        return buffer.getvalue()


# -- helpers --------------------------------------------------------------------------------------

FAR_BEYOND = ("XFD1048576", "CV1048576", "Q1048576", "A1048577", "XFE1", "AAAA1", "B99999999")
"""Cells whose grid a reader must never allocate (beyond 16.8M cells or beyond Excel)."""
FAR_WITHIN = ("P1048576", "Z5000", "AB300000", "H1048576", "CV100000")
"""Far, but within the gate's limit: read (P1048576 is exactly at it)."""


def _letters(rng: random.Random, n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz") -> str:
    """`n` random characters of `alphabet` (single-byte), at C speed."""
    table = bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))
    return rng.randbytes(n).translate(table).decode("latin-1")


def _cell_xml(ref: str, spelling: str, value: str = "far") -> bytes:
    body = f"<is><t>{value}</t></is>"
    return {
        "canonical": f'<c r="{ref}" t="inlineStr">{body}</c>',
        "prefixed": f'<x:c xmlns:x="{MAIN_NS}" r="{ref}" t="inlineStr">{body}</x:c>',
        "lower": f'<c r="{ref.lower()}" t="inlineStr">{body}</c>',
        "single": f"<c r='{ref}' t='inlineStr'>{body}</c>",
        "second r": f'<c r="A1" t="inlineStr" r="{ref}">{body}</c>',
        "spaced": f'<c r = "{ref}" t="inlineStr">{body}</c>',
        "number": f'<c r="{ref}"><v>1</v></c>',
        "empty": f'<c r="{ref}" s="1"/>',
    }[spelling].encode()


def _row_of(ref: str) -> str:
    return re.sub(r"[A-Za-z]+", "", ref) or "1"


def _add_cell(data: bytes, ref: str, spelling: str = "canonical") -> bytes:
    row = f'<row r="{_row_of(ref)}">'.encode() + _cell_xml(ref, spelling) + b"</row>"
    if b"</sheetData>" in data:
        return data.replace(b"</sheetData>", row + b"</sheetData>", 1)
    return data.replace(b"<sheetData/>", b"<sheetData>" + row + b"</sheetData>", 1)


def _add_merges(data: bytes, refs: list[str]) -> bytes:
    cells = b"".join(b'<mergeCell ref="%s"/>' % r.encode() for r in refs)
    if b"<mergeCells" in data:
        return re.sub(rb"(<mergeCells[^>]*>)", lambda m: m.group(1) + cells, data, count=1)
    return data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + cells + b"</mergeCells>", 1)


def _inline_texts(data: bytes) -> list[bytes]:
    return re.findall(rb"<is><t[^>]*>([^<]*)</t></is>", data)


def _to_shared_strings(book: Book) -> list[bytes]:
    """Inline strings become shared strings (as Excel writes them); returns the strings."""
    table: dict[bytes, int] = {}

    def share(m: re.Match[bytes]) -> bytes:
        index = table.setdefault(m.group(2), len(table))
        return m.group(1) + b't="s"><v>%d</v></c>' % index

    for sheet in book.sheets():
        book.edit(sheet, lambda d: re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")? )t="inlineStr">'
                                          rb"<is><t[^>]*>([^<]*)</t></is></c>", share, d))
    strings = list(table)
    book.set("xl/sharedStrings.xml", _sst(strings, len(strings)))
    book.edit("xl/_rels/workbook.xml.rels", lambda d: d.replace(
        b"</Relationships>", b'<Relationship Id="rIdSst" Type="%s/sharedStrings" '
        b'Target="sharedStrings.xml"/></Relationships>' % REL_NS.encode()))
    return strings


def _sst(strings: list[bytes], unique: int | str) -> bytes:
    items = b"".join(b"<si><t>" + s + b"</t></si>" for s in strings)
    return (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="%d" uniqueCount="%s">'
            % (MAIN_NS.encode(), len(strings), str(unique).encode()) + items + b"</sst>")


def _central_entries(data: bytes) -> Iterator[int]:
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        yield at
        at = data.find(b"PK\x01\x02", at + 4)


def _local_entries(data: bytes) -> Iterator[int]:
    at = data.find(b"PK\x03\x04")
    while at >= 0:
        yield at
        at = data.find(b"PK\x03\x04", at + 4)


# -- zip structure ---------------------------------------------------------------------------------


def zip_truncated(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = book.zip()
    return data[: rng.randrange(1, len(data))], False


def zip_bit_rot(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = bytearray(book.zip())
    for _ in range(rng.randint(1, 24)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data), False


def zip_repeated_part(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    name = rng.choice([*book.sheets(), "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"])
    twin = rng.choice([name, name.upper(), name.replace("worksheets", "Worksheets"),
                       name.replace("/", "\\")])
    extra = _add_cell(book.get(name), "XFD1048576") if name in book.sheets() else book.get(name)
    book.parts.insert(rng.randrange(len(book.parts) + 1), (twin, extra))
    return book.zip(), True  # readers would disagree on which of the two is meant


def zip_dropped_part(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    del book.parts[rng.randrange(len(book.parts))]
    return book.zip(), False


def zip_lying_size(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = bytearray(book.zip())
    entries = list(_central_entries(bytes(data)))
    at = rng.choice(entries)
    size = rng.choice([0, 1, 100, 2**31, 2**32 - 1, struct.unpack_from("<I", data, at + 24)[0] * 3])
    struct.pack_into("<I", data, at + 24, size)
    return bytes(data), False


def zip_unknown_method(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = bytearray(book.zip())
    method = rng.choice([1, 6, 9, 12, 14, 95, 99])
    victims = rng.sample(list(_central_entries(bytes(data))), k=rng.randint(1, 3))
    for at in victims:
        struct.pack_into("<H", data, at + 10, method)
    return bytes(data), False


def zip_encrypted_flag(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = bytearray(book.zip())
    for at in list(_central_entries(bytes(data))) + list(_local_entries(bytes(data))):
        if rng.random() < 0.5:
            offset = 8 if data[at + 2:at + 4] == b"\x01\x02" else 6
            data[at + offset] |= 0x01
    return bytes(data), False


def zip_junk_around(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = book.zip()
    junk = rng.randbytes(rng.randint(1, 4096))
    choice = rng.randrange(4)
    if choice == 0:
        return junk + data, False
    if choice == 1:
        return data + junk, False
    if choice == 2:  # two archives end to end: both readers take the last directory
        other = Book.load(rng.choice(EXAMPLES))
        other.edit(other.sheets()[0], lambda d: _add_cell(d, "XFD1048576"))
        return data + other.zip(), True
    return data + b"PK\x05\x06" + rng.randbytes(18), False  # a second, bogus end record


def zip_bomb(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    sheet = rng.choice(book.sheets())
    pad = b" " * (rng.randint(11, 20) * 1024 * 1024)
    book.edit(sheet, lambda d: d.replace(b"<sheetData>", b"<sheetData>" + pad, 1))
    return book.zip(), True


def zip_declared_bomb(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    data = bytearray(book.zip())
    for at in _central_entries(bytes(data)):
        struct.pack_into("<I", data, at + 24, 2**32 - rng.randint(2, 1000))
        break
    return bytes(data), True


def not_a_zip(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    kind = rng.randrange(5)
    if kind == 0:
        return b"", True
    if kind == 1:  # what Excel writes for a password-protected workbook
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4096), True
    if kind == 2:
        return b"Benefit ID,Title\nB1,Fewer falls\n", True
    if kind == 3:
        return b"<html><body><table><tr><td>B1</td></tr></table></body></html>", True
    return b"PK" + rng.randbytes(rng.randint(0, 2000)), False


def zip_many_parts(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    count = rng.choice([10_001, 3_000])
    for i in range(count):
        book.parts.append((f"xl/media/part{i}.xml", b"<x/>"))
    return book.zip(), count > 10_000


def zip_backslashes(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    book.parts = [(n.replace("/", "\\") if rng.random() < 0.6 else n, d) for n, d in book.parts]
    return book.zip(), False


# -- XML content ----------------------------------------------------------------------------------


def far_cell(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    beyond = rng.random() < 0.7
    ref = rng.choice(FAR_BEYOND if beyond else FAR_WITHIN)
    spelling = rng.choice(["canonical", "prefixed", "lower", "single", "second r", "spaced",
                           "number", "empty"])
    book.edit(rng.choice(book.sheets()), lambda d: _add_cell(d, ref, spelling))
    return book.zip(), beyond


def far_cell_where_readers_disagree(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    """The issue's families: the part python-calamine reads is not the one a naive reader
    would pick, and that part holds a far cell."""
    far = rng.choice(("XFD1048576", "CV1048576"))
    sheets = book.sheets()
    first = sheets[0]
    wb = book.get("xl/workbook.xml")
    name = re.search(rb'<sheet name="([^"]*)"', wb)
    assert name is not None
    case = rng.randrange(7)
    if case == 0:  # two sheets with one name: calamine reads the first
        book.edit(first, lambda d: _add_cell(d, far))
        book.edit("xl/workbook.xml", lambda d: re.sub(rb'(<sheet name=")[^"]*(" sheetId="2")',
                                                      rb"\g<1>" + name.group(1) + rb"\2", d))
    elif case == 1:  # TargetMode="External" on the sheet's relationship
        book.edit(first, lambda d: _add_cell(d, far))
        book.edit("xl/_rels/workbook.xml.rels", lambda d: d.replace(
            b'Id="rId1"', b'Id="rId1" TargetMode="External"', 1))
    elif case == 2:  # q:id before r:id
        book.edit(first, lambda d: _add_cell(d, far))
        book.edit("xl/workbook.xml", lambda d: d.replace(
            b'r:id="rId1"', b'xmlns:q="urn:q" q:id="rId2" r:id="rId1"', 1))
    elif case == 3:  # a part name differing only in case
        data = _add_cell(book.get(first), far)
        book.parts = [(n, d) for n, d in book.parts if n != first]
        book.parts.append((first.replace("worksheets/sheet", "workSheets/Sheet"), data))
    elif case == 4:  # the workbook part named otherwise, the real one elsewhere
        book.edit("_rels/.rels", lambda d: d.replace(b"xl/workbook.xml", b"xl/book.xml"))
        book.set("xl/book.xml", book.get("xl/workbook.xml"))
        book.edit(first, lambda d: _add_cell(d, far))
    elif case == 5:  # a sheet part not named .xml
        data = _add_cell(book.get(first), far)
        book.parts = [(n, d) for n, d in book.parts if n != first]
        book.parts.append((first.replace(".xml", ".bin"), data))
        book.edit("xl/_rels/workbook.xml.rels", lambda d: d.replace(
            first.rsplit("/", 1)[-1].encode(), first.rsplit("/", 1)[-1].replace(".xml", ".bin").encode(), 1))
    else:  # a chart-sheet relationship whose part holds cells
        book.edit(sheets[-1], lambda d: _add_cell(d, far))
        book.edit("xl/_rels/workbook.xml.rels", lambda d: re.sub(
            rb"/worksheet(\" Target=\"[^\"]*" + sheets[-1].rsplit("/", 1)[-1].encode() + rb")",
            rb"/chartsheet\1", d))
    return book.zip(), True


def huge_dimension(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    ref = rng.choice([b"A1:XFD1048576", b"A1:CV1048576", b"XFD1048576", b"A1:ZZZZ99999999",
                      b"garbage", b"", b"B2:A1"])
    book.edit(rng.choice(book.sheets()),
              lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', d))
    return book.zip(), False


def merged_ranges(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    kind = rng.randrange(6)
    if kind == 0:
        refs = [rng.choice(["A1:XFD1048576", "AA1:XFD1048576", "A1:A1048576", "B3:XFD3"])]
    elif kind == 1:  # above the header, to the right of every cell
        refs = [f"{rng.choice(['AD', 'BA', 'ZZ'])}{r}:XFD{r}" for r in (1, 2, 3)]
    elif kind == 2:  # overlapping tall merges, repeated
        refs = ["A2:A1048576"] * rng.randint(100, 5000)
    elif kind == 3:
        refs = [f"A{2 * i + 1}:B{2 * i + 1}" for i in range(rng.choice([100_001, 20_000]))]
    elif kind == 4:
        refs = [rng.choice(["ZZZZ1:A0", "A1:", ":", "A0:B0", "$A$1:$C$3", "a1:c3", "B5:A1"])]
    else:
        refs = [f"{_col(rng.randint(1, 30))}{r}:{_col(rng.randint(1, 40))}{r + rng.randint(0, 50)}"
                for r in (rng.randint(1, 200) for _ in range(rng.randint(1, 50)))]
    book.edit(rng.choice(book.sheets()), lambda d: _add_merges(d, refs))
    return book.zip(), len(refs) > 100_000


def _col(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def long_words(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    sheet = rng.choice(book.sheets())
    alphabet = rng.choice(["abcdefghij", "(", "[", "0123456789", "%$", "ab (c) "])
    length = rng.choice([32_767, 10_000, 32_767])
    data = book.get(sheet)
    texts = _inline_texts(data)
    victims = set(rng.sample(texts, k=min(len(texts), rng.randint(5, 100))))

    def lengthen(m: re.Match[bytes]) -> bytes:
        if m.group(1) not in victims:
            return m.group(0)
        word = (alphabet * (length // len(alphabet) + 1))[:length] if rng.random() < 0.5 else \
            _letters(rng, length, alphabet)
        return b"<is><t>" + word.encode() + b"</t></is>"
    book.set(sheet, re.sub(rb"<is><t[^>]*>([^<]*)</t></is>", lengthen, data))
    return book.zip(), False


def entities(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    part = rng.choice([n for n, _ in book.parts if n.endswith((".xml", ".rels"))])
    decl = rng.choice([
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>',
        b"<!DOCTYPE worksheet>",
        b'<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">',
    ])
    refused = True
    if rng.random() < 0.2:  # inside a comment or CDATA it declares nothing
        decl, refused = b"<!-- " + decl.replace(b"--", b"") + b" -->", False

    def edit(data: bytes) -> bytes:
        if data.startswith(b"<?xml"):
            end = data.index(b"?>") + 2
            return data[:end] + decl + data[end:]
        return decl + data
    book.edit(part, edit)
    return book.zip(), refused


def shared_strings(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    strings = _to_shared_strings(book)
    kind = rng.randrange(6)
    refused = False
    if kind == 0:  # an index beyond the table
        sheet = rng.choice(book.sheets())
        book.edit(sheet, lambda d: re.sub(rb'(t="s"><v>)[0-9]+', lambda m: m.group(1) + rng.choice(
            [b"99999", b"-1", b"abc", b"1e9", b"", b"18446744073709551616"]), d, count=rng.randint(1, 5)))
    elif kind == 1:  # a count the reader would reserve memory for
        unique = rng.choice(["99999999999999", "4294967296", "18446744073709551615"])
        book.set("xl/sharedStrings.xml", _sst(strings, unique))
        refused = True
    elif kind == 2:
        book.set("xl/sharedStrings.xml", _sst(strings, rng.choice(["-5", "garbage", "0", ""])))
    elif kind == 3:  # the table is missing
        book.parts = [(n, d) for n, d in book.parts if n != "xl/sharedStrings.xml"]
    elif kind == 4:  # rich text runs and empty items
        book.edit("xl/sharedStrings.xml", lambda d: d.replace(
            b"<si><t>", b"<si><r><rPr><b/></rPr><t>x</t></r><t>", 3).replace(b"</sst>", b"<si/></sst>"))
    else:  # shared strings in UTF-16, where byte patterns see nothing
        book.edit("xl/sharedStrings.xml", lambda d: b"\xff\xfe" + d.decode().replace(
            'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"))
        refused = True
    return book.zip(), refused


def bad_styles(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    kind = rng.randrange(5)
    if kind == 0:
        book.edit("xl/styles.xml", lambda d: re.sub(rb'numFmtId="[0-9]+"', rng.choice(
            [b'numFmtId="x"', b'numFmtId="-1"', b'numFmtId="99999999999"', b'numFmtId=""']), d, count=3))
    elif kind == 1:
        book.edit("xl/styles.xml", lambda d: d.replace(b"<numFmts count=\"0\" />", b'<numFmts count="1">'
                  b'<numFmt numFmtId="164" formatCode="0%%%;[Red]&quot;%&quot;;@"/></numFmts>'))
    elif kind == 2:  # cells naming styles that do not exist
        sheet = rng.choice(book.sheets())
        style = rng.choice([b' s="9999"', b' s="-1"', b' s="x"'])
        book.edit(sheet, lambda d: re.sub(rb' s="[0-9]+"', style, d))
    elif kind == 3:
        book.parts = [(n, d) for n, d in book.parts if n != "xl/styles.xml"]
    else:
        many = b"".join(b'<xf numFmtId="10"/>' for _ in range(50_000))
        book.edit("xl/styles.xml",
                  lambda d: re.sub(rb"(<cellXfs[^>]*>)", lambda m: m.group(1) + many, d, count=1))
    return book.zip(), False


def workbook_structure(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    kind = rng.randrange(8)
    wb = "xl/workbook.xml"
    if kind == 0:
        name = rng.choice([b"", b"x" * 300, b"&quot;'&lt;&gt;", b"Benefits", b"BRM Settings", b"Issues",
                           b"\xc3\xa9\xc3\xa0", b"Sheet1&amp;2"])
        times, named = rng.randint(1, 3), b'<sheet name="' + name + b'"'
        book.edit(wb, lambda d: re.sub(rb'<sheet name="[^"]*"', named, d, count=times))
    elif kind == 1:
        book.edit(wb, lambda d: d.replace(b'state="visible"', rng.choice(
            [b'state="hidden"', b'state="veryHidden"', b'state="gone"']), rng.randint(1, 3)))
    elif kind == 2:
        book.edit(wb, lambda d: d.replace(b'r:id="rId1"', rng.choice([b"", b'r:id="rId99"', b'r:id=""']), 1))
    elif kind == 3:
        book.parts = [(n, d) for n, d in book.parts if n != "xl/_rels/workbook.xml.rels"]
    elif kind == 4:
        book.edit("xl/_rels/workbook.xml.rels", lambda d: d.replace(b"/worksheet\"", rng.choice(
            [b"/chartsheet\"", b"/dialogsheet\"", b"/macrosheet\"", b"/styles\""]), 1))
    elif kind == 5:
        book.edit(wb, lambda d: d.replace(b"<definedNames />", b"<definedNames>" + b"".join(
            b'<definedName name="n%d">Sheet!$A$1:$XFD$1048576</definedName>' % i for i in range(200))
            + b"</definedNames>"))
    elif kind == 6:  # every sheet twice
        book.edit(wb, lambda d: re.sub(rb"(<sheets>)(.*?)(</sheets>)", lambda m: m.group(1) + m.group(2)
                                       + m.group(2) + m.group(3), d, flags=re.S))
    else:
        book.parts = [(n, d) for n, d in book.parts if n != wb]
    return book.zip(), False


def formulas(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    sheet = rng.choice(book.sheets())
    kind = rng.randrange(4)

    def edit(data: bytes) -> bytes:
        refs = re.findall(rb'<c r="([A-Z]+[0-9]+)"', data)
        chosen = set(rng.sample(refs, k=min(len(refs), rng.randint(1, 40))))

        def one(m: re.Match[bytes]) -> bytes:
            if m.group(1) not in chosen:
                return m.group(0)
            ref = m.group(1)
            return [b'<c r="%s"><f>1/0</f></c>' % ref,
                    b'<c r="%s"><f t="shared" si="99999999999" ref="%s">A1*2</f></c>' % (ref, ref),
                    b'<c r="%s" t="e"><v>#DIV/0!</v></c>' % ref,
                    b'<c r="%s" t="str"><f>"="&amp;"1+1"</f><v>=1+1</v></c>' % ref][kind]
        return re.sub(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', one, data)
    book.edit(sheet, edit)
    return book.zip(), False


def broken_xml(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    part = rng.choice([n for n, _ in book.parts if n.endswith((".xml", ".rels"))])
    data = book.get(part)
    kind = rng.randrange(4)
    if kind == 0:
        data = data[: rng.randrange(1, len(data))]
    elif kind == 1:
        at = rng.randrange(len(data))
        data = data[:at] + rng.choice([b"<", b"&", b"</row>", b'"', b"<c r=", b"\x00"]) + data[at:]
    elif kind == 2:
        data = data.replace(b"</row>", b"", rng.randint(1, 5))
    else:
        data = rng.randbytes(rng.randint(0, 500))
    book.set(part, data)
    return book.zip(), False


def encodings(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    part = rng.choice([*book.sheets(), "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
    kind = rng.randrange(3)
    if kind == 0:
        book.edit(part, lambda d: b"\xff\xfe" + d.decode().encode("utf-16-le"))
    elif kind == 1:
        label = rng.choice([b"UTF-16", b"EBCDIC-US", b"ISO-8859-1", b"windows-1252", b"x-unknown"])
        declaration = b'<?xml version="1.0" encoding="' + label + b'"?>'
        book.edit(part, lambda d: declaration + re.sub(rb"^<\?xml[^>]*\?>", b"", d))
    else:
        book.edit(part, lambda d: b"\xef\xbb\xbf" + d)
    return book.zip(), kind == 0


def values(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    sheet = rng.choice(book.sheets())
    odd = [b"NaN", b"nan", b"inf", b"-inf", b"Infinity", b"1e309", b"-1e309", b"9.9e307",
           b"1.7976931348623157e308", b"", b"abc", b"1" * 400, b"0x1F", b"1_000", b"-0", b"4e-400"]

    def edit(data: bytes) -> bytes:
        data = re.sub(rb"<v>([^<]*)</v>", lambda m: b"<v>" + rng.choice(odd) + b"</v>" if rng.random() < 0.3
                      else m.group(0), data)
        if rng.random() < 0.5:  # typed cells with values that do not fit their type
            data = re.sub(rb'(<c r="[A-Z]+[0-9]+")( s="[0-9]+")? t="n"><v>[^<]*</v>',
                          lambda m: m.group(1) + rng.choice([
                              b' t="d"><v>9999-99-99</v>', b' t="b"><v>2</v>', b' t="d"><v>-0001-01-01</v>',
                              b' t="zz"><v>1</v>', b' t="n"><v>2958466</v>']), data, count=20)
        return data
    book.edit(sheet, edit)
    return book.zip(), False


def control_characters(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    sheet = rng.choice(book.sheets())
    odd = [b"_x0000_", b"_x0001_=1+1", b"\x01", b"&#1;", b"&#0;", b"\xed\xa0\x80", b"\xff\xfe",
           b"=HYPERLINK(\"http://x\")", b"\t=1+1", b";=1+1", b"\xef\xbc\x9d1+1"]
    def spoil(m: re.Match[bytes]) -> bytes:
        return b"<t>" + m.group(1) + rng.choice(odd) + b"</t>" if rng.random() < 0.2 else m.group(0)
    book.edit(sheet, lambda d: re.sub(rb"<t>([^<]*)</t>", spoil, d))
    return book.zip(), False


def impossible_rows(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    sheet = rng.choice(book.sheets())
    kind = rng.randrange(4)
    if kind == 0:
        book.edit(sheet, lambda d: re.sub(rb'<row r="[0-9]+"', lambda m: rng.choice(
            [b'<row r="0"', b'<row r="-5"', b'<row r="1A"', b'<row r=""', m.group(0)]), d))
    elif kind == 1:
        book.edit(sheet, lambda d: re.sub(rb'<c r="([A-Z]+)[0-9]+"', lambda m: rng.choice(
            [b'<c r="A0"', b'<c r="' + m.group(1) + b'"', b"<c", m.group(0)]), d))
    elif kind == 2:  # rows without cells, as far down as Excel goes
        rows = b"".join(b'<row r="%d" ht="20" customHeight="1"/>' % r
                        for r in sorted(rng.sample(range(100, 1_048_577), 2000)))
        book.edit(sheet, lambda d: d.replace(b"</sheetData>", rows + b"</sheetData>", 1))
    else:
        book.edit(sheet, lambda d: re.sub(rb"<sheetData>.*</sheetData>", rng.choice(
            [b"<sheetData/>", b"", b"<sheetData></sheetData>"]), d, flags=re.S))
    return book.zip(), False


# -- openpyxl: what a script writing a workbook does -----------------------------------------------


def openpyxl_edits(rng: random.Random, book: Book) -> tuple[bytes, bool]:
    import datetime as dt
    import warnings

    import openpyxl
    from openpyxl.cell.cell import MergedCell

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(book.zip()))
    ws = rng.choice(wb.worksheets)

    def put(row: int, column: int, value: object) -> None:
        cell = ws.cell(row, column)
        if not isinstance(cell, MergedCell):
            cell.value = value

    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(11)
        if kind == 0:
            ws.merge_cells(start_row=rng.randint(1, 20), start_column=rng.randint(1, 10),
                           end_row=rng.randint(21, 60), end_column=rng.randint(11, 40))
        elif kind == 1:
            ws.sheet_state = rng.choice(["hidden", "veryHidden"])
        elif kind == 2:
            ws.title = rng.choice(["Benefits", "Measurements", "Sheet'1", "x" * 31, "Ben efits",
                                   "Trajectory"])
        elif kind == 3:
            ws.insert_rows(1, rng.randint(1, 40))
        elif kind == 4:
            ws.insert_cols(1, rng.randint(1, 5))
        elif kind == 5:  # formulas saved without a cached value
            for _ in range(rng.randint(1, 20)):
                put(rng.randint(1, 60), rng.randint(1, 30), rng.choice(["=1/0", "=A1*2", "=SUM(A:A)"]))
        elif kind == 6:
            for _ in range(rng.randint(1, 30)):
                cell = ws.cell(rng.randint(2, 60), rng.randint(1, 30))
                cell.number_format = rng.choice(["0%", "0.00%", '0"%"'])
        elif kind == 7:
            for _ in range(rng.randint(1, 20)):
                put(rng.randint(2, 60), rng.randint(1, 30), rng.choice([
                    dt.datetime(9999, 12, 31), dt.date(1900, 1, 1), dt.time(1, 0), dt.timedelta(days=-3),
                    float("nan"), float("inf"), -1e308, 10**30, True, "", " ", "=cmd|' /C calc'!A0"]))
        elif kind == 8:
            wb.remove(ws)
            ws = wb.create_sheet(rng.choice(["Benefits", "Notes"]))
        elif kind == 9:
            wb.copy_worksheet(ws)
        else:
            ws.freeze_panes = "C3"
            ws.auto_filter.ref = "A1:XFD1048576"
    if all(sheet.sheet_state != "visible" for sheet in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # openpyxl saves no workbook without one
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb.save(buffer)
    return _timeless(buffer.getvalue(), book), False


def _timeless(saved: bytes, original: Book) -> bytes:
    """What openpyxl saved, without the save's time (zip dates, docProps): same seed, same bytes."""
    with zipfile.ZipFile(io.BytesIO(saved)) as zf:
        book = Book([(i.filename, zf.read(i)) for i in zf.infolist()], original.stem)
    book.set("docProps/core.xml", original.get("docProps/core.xml"))
    return book.zip()


FAMILIES: dict[str, Callable[[random.Random, Book], tuple[bytes, bool]]] = {
    f.__name__: f for f in (
        zip_truncated, zip_bit_rot, zip_repeated_part, zip_dropped_part, zip_lying_size,
        zip_unknown_method, zip_encrypted_flag, zip_junk_around, zip_bomb, zip_declared_bomb,
        not_a_zip, zip_many_parts, zip_backslashes,
        far_cell, far_cell_where_readers_disagree, huge_dimension, merged_ranges, long_words,
        entities, shared_strings, bad_styles, workbook_structure, formulas, broken_xml, encodings,
        values, control_characters, impossible_rows,
        openpyxl_edits,
    )
}
HEAVY = frozenset({"zip_bomb", "zip_many_parts"})
"""Families that cost seconds to build: drawn a quarter as often as the others."""


def bases() -> list[Book]:
    """The example registers as they are (each with mistakes planted on purpose), and as their
    benefits leads correct them in the demo (clean, so a submission reaches the store)."""
    import shutil
    import tempfile

    from xl_brm.demo import CORRECTIONS, _correct

    books = [Book.load(p) for p in EXAMPLES]
    with tempfile.TemporaryDirectory() as tmp:
        for path in EXAMPLES:
            if path.name not in CORRECTIONS:
                continue
            clean = Path(tmp) / f"{path.stem}_clean.xlsx"
            shutil.copy(path, clean)
            _correct(clean, CORRECTIONS[path.name])  # as the demo's benefits lead does
            clean.write_bytes(_timeless(clean.read_bytes(), books[EXAMPLES.index(path)]))
            books.append(Book.load(clean))
    return books


def mutants(seed: int, count: int, wanted: set[int] | None = None) -> Iterator[Mutant]:
    """`count` mutants from `seed` (only those numbered in `wanted`, if given): every family in
    turn first, then families at random. File i is the same whatever else is wanted."""
    rng = random.Random(seed)
    books = bases()
    names = list(FAMILIES)
    light = [n for n in names if n not in HEAVY]
    for i in range(count):
        family = names[i] if i < len(names) else rng.choice(light * 4 + sorted(HEAVY))
        base = rng.choice(books)
        if wanted is not None and i not in wanted:
            continue
        case_rng = random.Random(f"{seed}:{i}")  # each file reproducible on its own
        data, must_refuse = FAMILIES[family](case_rng, base.copy())
        yield Mutant(i, family, f"{i:04d}-{family}-{base.stem}.xlsx", data, must_refuse)
