"""Builders of hostile and broken workbooks, shared by the reader and CLI tests.

Each starts from a real openpyxl workbook and edits its zip parts, so the files look like what
an attacker or a broken script would really send.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import openpyxl

SHEET1 = "xl/worksheets/sheet1.xml"
Edit = Callable[[bytes], bytes]

XXE_DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _billion_laughs() -> bytes:
    entities = [b'<!ENTITY lol "lol">']
    previous = b"lol"
    for i in range(1, 10):
        entities.append(b'<!ENTITY lol%d "%s">' % (i, (b"&" + previous + b";") * 10))
        previous = b"lol%d" % i
    return b"<!DOCTYPE lolz [" + b"".join(entities) + b"]>"


BILLION_LAUGHS = _billion_laughs()
"""Ten nested entities of ten references each: a billion 'lol's from a few hundred bytes."""


def workbook(path: Path, sheets: Mapping[str, Iterable[Iterable[Any]]] | None = None) -> Path:
    """A small real workbook; `sheets` maps sheet name -> rows (default: a tiny Benefits sheet)."""
    sheets = sheets or {"Benefits": [["Benefit ID", "Title"], ["B1", "Fewer errors"]]}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def rewrite(src: Path, dst: Path, edits: Mapping[str, Edit] | None = None,
            add: Mapping[str, bytes] | None = None) -> Path:
    """Copy a zip, passing chosen parts through edit functions and adding extra parts."""
    edits = edits or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _after_declaration(extra: bytes) -> Edit:
    def edit(data: bytes) -> bytes:
        if data.startswith(b"<?xml"):
            end = data.index(b"?>") + 2
            return data[:end] + extra + data[end:]
        return extra + data
    return edit


def xxe(tmp: Path, name: str = "xxe.xlsx") -> Path:
    """A sheet declaring an external entity and using it in a cell (XXE)."""
    base = workbook(tmp / f"base-{name}")

    def edit(data: bytes) -> bytes:
        data = _after_declaration(XXE_DOCTYPE)(data)
        return data.replace(b"<t>Fewer errors</t>", b"<t>&xxe;</t>")
    return rewrite(base, tmp / name, {SHEET1: edit})


def billion_laughs(tmp: Path, name: str = "lol.xlsx", part: str = "xl/workbook.xml") -> Path:
    """Nested entity definitions that expand to a billion 'lol's."""
    base = workbook(tmp / f"base-{name}")
    return rewrite(base, tmp / name, {part: _after_declaration(BILLION_LAUGHS)})


def far_cell(tmp: Path, ref: str = "XFD1048576", *, with_a1: bool = False,
             name: str = "far.xlsx") -> Path:
    """A tiny file with one cell at `ref` (python-calamine aborts on A1 + XFD1048576)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    if with_a1:
        ws["A1"] = "Benefit ID"
    ws[ref] = "x"
    wb.save(tmp / name)
    return tmp / name


def zip_bomb(tmp: Path, name: str = "bomb.xlsx", *, mib: int = 24) -> Path:
    """A sheet padded with `mib` MiB of whitespace: compresses about a thousand times."""
    base = workbook(tmp / f"base-{name}")
    pad = b" " * (mib * 1024 * 1024)

    def edit(data: bytes) -> bytes:
        return data.replace(b"<sheetData>", b"<sheetData>" + pad, 1)
    return rewrite(base, tmp / name, {SHEET1: edit})


def declared_bomb(tmp: Path, name: str = "declared.xlsx", *, declared: int = 2**32 - 2) -> Path:
    """A zip whose central directory declares a sheet of `declared` bytes (a bomb's signature),
    without the test having to compress gigabytes."""
    base = workbook(tmp / f"base-{name}")
    data = bytearray(base.read_bytes())
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        name_len = struct.unpack_from("<H", data, entry + 28)[0]
        filename = bytes(data[entry + 46: entry + 46 + name_len])
        if filename == SHEET1.encode():
            struct.pack_into("<I", data, entry + 24, declared)
        entry = data.find(b"PK\x01\x02", entry + 4)
    (tmp / name).write_bytes(bytes(data))
    return tmp / name


def ole_encrypted(tmp: Path, name: str = "locked.xlsx") -> Path:
    """What Excel writes for a password-protected workbook: an OLE2 compound file."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff"
    (tmp / name).write_bytes(header + b"\x00" * (4096 - len(header)) + b"EncryptedPackage")
    return tmp / name


def truncated(tmp: Path, name: str = "cut.xlsx") -> Path:
    """A real workbook cut short, as by an interrupted download."""
    base = workbook(tmp / f"base-{name}")
    data = base.read_bytes()
    (tmp / name).write_bytes(data[: len(data) // 2])
    return tmp / name


def csv_renamed(tmp: Path, name: str = "export.xlsx") -> Path:
    """A CSV file saved with an .xlsx name."""
    (tmp / name).write_text("Benefit ID,Title\nB1,Fewer errors\n", encoding="utf-8")
    return tmp / name


def with_macros(tmp: Path, name: str = "macros.xlsm") -> Path:
    """An .xlsm with a vbaProject.bin part (never run by xl-brm)."""
    base = workbook(tmp / "base-macros.xlsx")

    def content_types(data: bytes) -> bytes:
        return data.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    return rewrite(base, tmp / name, {"[Content_Types].xml": content_types},
                   add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 512})


def set_dimension(ref: str) -> Edit:
    """An edit that rewrites a sheet's <dimension ref=...>."""
    def edit(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="%s"/>' % ref.encode(), data)
    return edit


# -- packages written part by part (the gate must find the sheets python-calamine reads) ---------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET = REL_NS + "/worksheet"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    b'ContentType="application/xml"/></Types>')


def root_rels(*targets: str) -> bytes:
    """`_rels/.rels` with one officeDocument relationship per target, in order."""
    items = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/officeDocument" Target="{t}"/>'
                    for i, t in enumerate(targets, start=1))
    return rels_part(items)


def rels_part(items: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{items}</Relationships>').encode()


def sheet_rel(rid: str, target: str, extra: str = "", typ: str = WORKSHEET) -> str:
    return f'<Relationship Id="{rid}" Type="{typ}" Target="{target}"{extra}/>'


def workbook_part(sheets: str) -> bytes:
    """A workbook part whose <sheets> holds `sheets` (prefix q is bound, for odd attributes)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}" '
            f'xmlns:q="urn:q"><sheets>{sheets}</sheets></workbook>').encode()


def sheet_part(marker: str, far: str | None = None) -> bytes:
    """A sheet holding `marker` in A1 (and, when given, a second cell at `far`)."""
    extra = ""
    if far is not None:
        row = re.sub(r"[A-Z]+", "", far)
        extra = f'<row r="{row}"><c r="{far}" t="inlineStr"><is><t>far</t></is></c></row>'
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>{marker}</t></is></c></row>{extra}'
            "</sheetData></worksheet>").encode()


def package(path: Path, parts: Iterable[tuple[str, bytes]]) -> Path:
    """A zip of exactly these parts, in this order (repeated names kept, as an attacker may)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a repeated name: that is the point
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts:
                zf.writestr(name, data)
    return path
