"""Which parts of a workbook's zip python-calamine parses as sheets, found the way it finds them.

The safety gate is only as good as its agreement with the parser: a far cell in a part the gate
took for something else reaches python-calamine unchecked. So the package is read here with
python-calamine's own rules (calamine 0.37, `src/xlsx/mod.rs`), not with an XML library's:

- part names are looked up ignoring ASCII case, and a stored `\\` answers for `/`;
- `_rels/.rels`: the LAST officeDocument relationship names the workbook's folder, and
  calamine then reads `<folder>workbook.xml` and `<folder>_rels/workbook.xml.rels`, whatever
  the relationship's target is called;
- relationships: `Id`, `Type` and `Target` are read as written (no entity decoding),
  `TargetMode` is ignored, and a repeated `Id` keeps its last target;
- `<sheet>`: the LAST attribute named `id` under any prefix (`q:id` before `r:id` means
  `r:id`); a target starting with `/` is from the root, any other is appended to the folder,
  never normalised;
- two sheets with one name: the first is the one read by name.

Beyond that mirror, every part that any sheet-typed relationship points at is checked as well,
so that a difference in a corner the mirror missed still cannot hide a sheet. A package these
rules cannot read one way only (two parts whose names differ only in case) is refused.
"""

from __future__ import annotations

import codecs
import re
import string
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from xl_brm.errors import UnsafeWorkbookError

SHEET_TYPES = frozenset({"worksheet", "chartsheet", "dialogsheet"})
"""Relationship types (their last path segment) calamine reads as a sheet."""
CHECKED_TYPES = SHEET_TYPES | {"macrosheet"}
"""Relationship types whose targets the gate checks as sheets."""
OFFICE_DOCUMENT = "/relationships/officeDocument"

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NAME_END = re.compile(rb"[ \t\r\n]")
_ATTR_SPACE = b" \t\n\x0c\r"
# quick-xml's markup: comments, CDATA and processing instructions are skipped; a tag runs to
# the first '>' outside quotes. Anything else between tags is text.
_MARKUP = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>|(/?)((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>)", re.S)
_DECLARED = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)")
_XML_ESCAPE = re.compile(r"&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9a-fA-F]+));|&")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}


def fold(name: str) -> str:
    """A part name as calamine's lookup sees it: ASCII lower case (only ASCII, as Rust does)."""
    return name.translate(_ASCII_LOWER)


class PartNames:
    """The zip's parts, looked up as python-calamine looks them up."""

    def __init__(self, p: Path, infos: list[zipfile.ZipInfo]) -> None:
        self.exact: dict[str, zipfile.ZipInfo] = {}
        self.folded: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = fold(info.filename.replace("\\", "/"))
            other = self.folded.get(key) or self.exact.get(info.filename)
            if other is not None:
                raise UnsafeWorkbookError(
                    f"holds two parts named {other.filename} and {info.filename}: readers would "
                    "disagree on which one is the workbook, so it is damaged or crafted",
                    path=p, hint="do not open this file; ask the sender for the original workbook")
            self.folded[key] = info
            self.exact[info.filename] = info

    def find(self, path: str) -> zipfile.ZipInfo | None:
        """The part calamine opens for `path`: by folded name, else by the name as given."""
        return self.folded.get(fold(path)) or self.exact.get(path)


@dataclass(frozen=True, slots=True)
class Package:
    """Where a workbook's sheets are, as python-calamine will read them."""

    sheets: dict[str, str]
    """Sheet name -> part, in workbook order (the first sheet of a name is the one read)."""
    checked: frozenset[str]
    """Every part to check as a sheet: the named ones and every sheet-typed relationship's."""
    read: frozenset[str]
    """The structural parts read here (package and workbook relationships, the workbook)."""
    folder: str
    """The workbook's folder ('xl/'): calamine reads sharedStrings.xml and styles.xml there."""


Reader = Callable[[zipfile.ZipInfo], bytes]
"""The whole of one part, already checked for entity declarations by the gate."""


def read_package(p: Path, names: PartNames, read: Reader) -> Package:
    """Read `_rels/.rels`, the workbook and its relationships as python-calamine does."""
    package = _Reading(p, names, read)
    folder, target = package.office_document()
    if target.lower().endswith(".bin"):
        raise UnsafeWorkbookError(
            "is an Excel binary workbook (.xlsb), which xl-brm cannot check safely", path=p,
            hint="open it in Excel and save it as an Excel Workbook (.xlsx)")
    rels = package.relationships(folder + "_rels/workbook.xml.rels")
    sheets = package.sheets(folder + "workbook.xml", folder, rels)
    checked = {part for _, part in sheets}
    for _, typ, target in package.all_relationships:
        if typ.rsplit("/", 1)[-1] in CHECKED_TYPES:
            info = names.find(_sheet_path(folder, target))
            if info is not None:
                checked.add(info.filename)
    named: dict[str, str] = {}
    for name, part in sheets:
        named.setdefault(name, part)
    return Package(sheets=named, checked=frozenset(checked), read=frozenset(package.done),
                   folder=folder)


class _Reading:
    """One reading of the package's structural parts (holds what was read so far)."""

    def __init__(self, p: Path, names: PartNames, read: Reader) -> None:
        self.p = p
        self.names = names
        self._read = read
        self.done: set[str] = set()
        self.all_relationships: list[tuple[bytes, str, str]] = []

    def office_document(self) -> tuple[str, str]:
        """(folder of the workbook, officeDocument target) from `_rels/.rels`."""
        tags = self._tags("_rels/.rels")
        _until_start(tags, b"Relationships")
        target: str | None = None
        for end, local, attrs in tags:
            if end and local == b"Relationships":
                break
            if not end and local == b"Relationship":
                typ, found = _get_attrs(attrs, self.p, b"Type", b"Target")
                if typ is not None and typ.endswith(OFFICE_DOCUMENT.encode()) and found is not None:
                    target = _unescape(self._text(found))
        if target is None:
            raise self._not_a_workbook("_rels/.rels names no workbook part")
        cut = target.rfind("/")
        folder = target[: cut + 1] if cut >= 0 else ""
        return folder.removeprefix("/"), target

    def relationships(self, part: str) -> dict[bytes, tuple[str, str]]:
        """Id (as written) -> (type, target) of the workbook's relationships."""
        found: dict[bytes, tuple[str, str]] = {}
        for end, local, attrs in self._tags(part):
            if end and local == b"Relationships":
                break
            if not end and local == b"Relationship":
                rid, typ, target = _get_attrs(attrs, self.p, b"Id", b"Type", b"Target")
                entry = (self._text(typ or b""), self._text(target or b""))
                self.all_relationships.append((rid or b"", *entry))
                if rid is not None:
                    found[rid] = entry
        return found

    def sheets(self, part: str, folder: str,
               rels: dict[bytes, tuple[str, str]]) -> list[tuple[str, str]]:
        """(name, part) of each `<sheet>` whose part exists, in workbook order."""
        out: list[tuple[str, str]] = []
        tags = self._tags(part)
        for end, local, attrs in tags:
            if end and local == b"workbook":
                break
            if end:
                continue
            if local == b"definedName" and _get_attrs(attrs, self.p, b"name")[0] is not None:
                _until_end(tags, local)  # calamine reads its text, and nothing inside it
                continue
            if local != b"sheet":
                continue
            name, rid = "", b""
            for key, value in raw_attrs(attrs, self.p):
                if key == b"name":
                    name = _unescape(self._text(value))
                elif key == b"id" or key.endswith(b":id"):
                    rid = value
            info = self.names.find(_sheet_path(folder, rels[rid][1])) if rid in rels else None
            if info is not None:
                out.append((name, info.filename))
        return out

    # -- reading a part ----------------------------------------------------------------------

    def _tags(self, part: str) -> Iterator[tuple[bool, bytes, bytes]]:
        info = self.names.find(part)
        if info is None:
            raise self._not_a_workbook(f"the part {part} is missing")
        self.done.add(info.filename)
        data = self._read(info)
        self._encoding = _encoding(self.p, info.filename, data)
        return _elements(data)

    def _text(self, raw: bytes) -> str:
        try:
            return codecs.decode(raw, self._encoding)
        except UnicodeDecodeError:
            raise UnsafeWorkbookError(
                "has text in its workbook structure that is not in its declared encoding, so it is "
                "damaged or crafted", path=self.p,
                hint="open it in Excel and save it as an Excel Workbook (.xlsx)") from None

    def _not_a_workbook(self, why: str) -> UnsafeWorkbookError:
        return UnsafeWorkbookError(
            f"is not an Excel workbook: {why}", path=self.p,
            hint="open it in Excel and save it as an Excel Workbook (.xlsx)")


def _sheet_path(folder: str, target: str) -> str:
    return target[1:] if target.startswith("/") else folder + target


def _encoding(p: Path, part: str, data: bytes) -> str:
    """The codec for a structural part's text: UTF-8, or what a declared single-byte encoding
    means to calamine (encoding_rs reads latin-1 and ASCII labels as windows-1252)."""
    declared = _DECLARED.match(data)
    label = declared.group(1).decode("ascii", "replace").lower() if declared else "utf-8"
    if b"\x00" in data[:4] or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        label = "utf-16"
    if label in ("utf-8", "utf8"):
        return "utf-8"
    if label in ("us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252"):
        return "cp1252"
    raise UnsafeWorkbookError(
        f"part {part} is not stored as UTF-8 text, which Excel always writes, so it is damaged "
        "or crafted", path=p, hint="open it in Excel and save it as an Excel Workbook (.xlsx)")


def _elements(data: bytes) -> Iterator[tuple[bool, bytes, bytes]]:
    """(is an end tag, local name, raw attributes) of each tag in document order, as quick-xml
    gives them to calamine: an empty element is a start and an end, the local name is what
    follows the first ':'. Reading stops at markup that never closes (quick-xml fails there)."""
    pos = data.find(b"<")
    while pos >= 0:
        m = _MARKUP.match(data, pos)
        if m is None:
            return
        pos = data.find(b"<", m.end())
        body = m.group(2)
        if body is None:
            continue  # a comment, CDATA or a processing instruction
        end = m.group(1) == b"/"
        empty = not end and body.endswith(b"/")
        if empty:
            body = body[:-1]
        split = _NAME_END.search(body)
        name, attrs = (body[: split.start()], body[split.start():]) if split else (body, b"")
        local = name.split(b":", 1)[-1]
        yield end, local, attrs
        if empty:
            yield True, local, b""


def _until_start(tags: Iterator[tuple[bool, bytes, bytes]], local: bytes) -> None:
    for end, name, _ in tags:
        if not end and name == local:
            return


def _until_end(tags: Iterator[tuple[bool, bytes, bytes]], local: bytes) -> None:
    for end, name, _ in tags:
        if end and name == local:
            return


def raw_attrs(raw: bytes, p: Path) -> Iterator[tuple[bytes, bytes]]:
    """Attributes as calamine's `RawAttrIter` reads them: the key runs to the first '=', the
    value to the matching quote; a key without '=' or an unquoted value is malformed (calamine
    then fails to read the workbook, so refusing it loses nothing)."""
    pos, n = 0, len(raw)
    while True:
        while pos < n and raw[pos] in _ATTR_SPACE:
            pos += 1
        if pos >= n:
            return
        eq = raw.find(b"=", pos)
        if eq < 0:
            raise _malformed(p)
        key = raw[pos:eq].rstrip(_ATTR_SPACE)
        pos = eq + 1
        while pos < n and raw[pos] in _ATTR_SPACE:
            pos += 1
        if pos >= n or raw[pos] not in b"\"'":
            raise _malformed(p)
        close = raw.find(raw[pos: pos + 1], pos + 1)
        value = raw[pos + 1: close if close >= 0 else n]
        pos = close + 1 if close >= 0 else n
        yield key, value


def _get_attrs(raw: bytes, p: Path, *keys: bytes) -> list[bytes | None]:
    """calamine's `get_attrs!`: the named attributes, the scan stopping once as many matches
    as names were seen (so a repeated key can hide a later one, as it does for calamine)."""
    found: dict[bytes, bytes | None] = dict.fromkeys(keys)
    seen = 0
    for key, value in raw_attrs(raw, p):
        if key in found:
            found[key] = value
            seen += 1
            if seen == len(keys):
                break
    return [found[k] for k in keys]


def _unescape(text: str) -> str:
    """XML's five entities and character references, as quick-xml's `unescape` reads them."""
    def one(m: re.Match[str]) -> str:
        named, decimal, hexa = m.groups()
        if named:
            return _NAMED[named]
        try:
            return chr(int(decimal) if decimal else int(hexa, 16))
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"a bad character reference {m.group(0)!r}") from None

    try:
        return _XML_ESCAPE.sub(one, text) if "&" in text else text
    except ValueError:
        return text  # calamine fails on it: no sheet of that name is ever read


def _malformed(p: Path) -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        "has a malformed attribute in its workbook structure, so it is damaged or crafted",
        path=p, hint="open it in Excel and save it as an Excel Workbook (.xlsx)")
