"""Build the desktop add-in `xl_brm/addin/xl_brm.xlam` on any OS, from sources in this repo.

The VBA project is written with the `ms-ovba` package (with our MS-OVBA compressor swapped in,
see `ovba_compression`), then read back with olevba: a build whose modules do not read back
identical to their sources is refused. The ribbon XML is checked against the customUI14 schema.
The package is written with fixed timestamps, so the same sources give the same bytes.

    python -m tools.addin_build            (rebuilds the add-in and the xlwings Lite bundle)
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import tempfile
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tools.addin_build import customui, vba
from tools.addin_build.ovba_compression import patched_ms_ovba
from xl_brm.errors import XlBrmError

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "xl_brm" / "addin" / "xl_brm.xlam"
"""Shipped inside the wheel (package data): `xl-brm addin path` prints where it landed."""
PROJECT_ID = "{6A1F3B52-0C7E-4E55-9B1D-2F3C8E4B7A10}"
"""Fixed so rebuilds are reproducible."""
CODEPAGE = "cp1252"
CONFIG_SHEET = f"{vba.PROJECT_NAME}.conf"
CONFIG: tuple[tuple[str, str], ...] = (("UDF Modules", vba.UDF_MODULE),)
"""Rows of the add-in's own config sheet: only where the cell functions live. xlwings' VBA reads
this sheet before the user's `xl_brm.conf` and lets any key present here win, even an empty
one, so the interpreter, PYTHONPATH and the like must never appear here: users set them in
%USERPROFILE%\\.xl_brm\\xl_brm.conf (docs/excel.md)."""

_DOCUMENT_BASES = {
    "ThisWorkbook": "00020819-0000-0000-C000-000000000046",
    "Sheet1": "00020820-0000-0000-C000-000000000046",
}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class BuildReport:
    path: Path
    modules: tuple[str, ...]
    """VBA modules proven (with olevba) to read back identical to their sources."""
    callbacks: dict[str, str]
    """Ribbon button id -> VBA callback sub."""


def module_text(module: vba.Module) -> str:
    """The exact text stored in a module's stream (document modules carry their attributes)."""
    if not module.document:
        return module.code
    lines = module.code.split(vba.CRLF)
    name_line, body = lines[0], vba.CRLF.join(lines[1:])
    attrs = [
        name_line,
        f'Attribute VB_Base = "0{{{_DOCUMENT_BASES[module.name]}}}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return vba.CRLF.join(attrs) + vba.CRLF + body


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    """`ms-ovba` writes its intermediate files to the current directory."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _seeded_random() -> Iterator[None]:
    """The PROJECT stream's CMG/DPB/GC obfuscation draws random bytes: give it a generator of
    its own, seeded, so rebuilds are byte-identical and nobody else's random state is touched."""
    from ms_ovba_crypto import ms_ovba_crypto

    module: Any = ms_ovba_crypto
    original = module.random
    module.random = random.Random(PROJECT_ID)
    try:
        yield
    finally:
        module.random = original


def build_vba_project(modules: list[vba.Module], workdir: Path) -> bytes:
    """vbaProject.bin for `modules` (written by ms-ovba with a correct compressor)."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.project_ole_file import ProjectOleFile

    project = VbaProject()
    project.project_id = PROJECT_ID
    for module in modules:
        source = workdir / module.name
        # ms-ovba compresses "<name>.new"; we write it ourselves, in the project's code page.
        Path(f"{source}.new").write_bytes(module_text(module).encode(CODEPAGE))
        entry = DocModule(module.name) if module.document else StdModule(module.name)
        entry.add_file(str(source))
        project.add_module(entry)
    project.add_reference(
        Reference(
            ReferenceRegistered(
                LibidReference(
                    uuid.UUID("00020430-0000-0000-C000-000000000046"),
                    "2.0",
                    "0",
                    "C:\\Windows\\System32\\stdole2.tlb",
                    "OLE Automation",
                )
            ),
            "stdole",
        )
    )
    project.add_reference(
        Reference(
            ReferenceRegistered(
                LibidReference(
                    uuid.UUID("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52"),
                    "2.0",
                    "0",
                    "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
                    "Microsoft Office 16.0 Object Library",
                )
            ),
            "Office",
        )
    )
    with _working_directory(workdir), patched_ms_ovba(), _seeded_random(), warnings.catch_warnings():
        # ms-cfb leaves files to be closed (and flushed) by reference counting; a warning that
        # kept one alive (pytest records them) would leave it unflushed and the project corrupt.
        warnings.simplefilter("ignore", ResourceWarning)
        ProjectOleFile.write_file(project)
        gc.collect()
    return (workdir / "vbaProject.bin").read_bytes()


def olevba() -> Any:
    """oletools' olevba module, imported without its pyparsing deprecation warnings."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools import olevba as module
    return module


def read_back(vba_project: bytes) -> dict[str, str]:
    """Module name -> source text, as olevba (oletools) reads it from vbaProject.bin."""
    parser = olevba().VBA_Parser("vbaProject.bin", data=vba_project)

    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def check_project_stream(modules: list[vba.Module], vba_project: bytes) -> None:
    """The PROJECT stream (module list, protection) must be intact text naming every module."""
    import olefile

    with olefile.OleFileIO(vba_project) as ole:
        text = ole.openstream("PROJECT").read().decode(CODEPAGE)
    expected = [f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}" for m in modules]
    lines = text.split("\r\n")
    if lines[1 : 1 + len(expected)] != expected or not all(ch.isprintable() for ch in "".join(lines)):
        raise XlBrmError(
            "the VBA project's PROJECT stream is damaged",
            hint="the compound-file writer did not flush its files; do not ship this add-in",
        )


def prove_round_trip(modules: list[vba.Module], vba_project: bytes) -> tuple[str, ...]:
    """Raise unless the PROJECT stream is intact and every module reads back (olevba) exactly
    as its source."""
    check_project_stream(modules, vba_project)
    found = read_back(vba_project)
    for module in modules:
        expected = module_text(module)
        got = found.get(module.name)
        if got is None:
            raise XlBrmError(f"VBA module {module.name} is missing from the built project")
        if got != expected:
            at = next(
                (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                min(len(got), len(expected)),
            )
            raise XlBrmError(
                f"VBA module {module.name} reads back different from its source at character "
                f"{at} ({len(got)} vs {len(expected)} characters)",
                hint="the MS-OVBA compressor is at fault; do not ship this add-in",
            )
    return tuple(m.name for m in modules)


def _config_sheet_xml() -> str:
    rows = []
    for i, (key, value) in enumerate(CONFIG, start=1):
        cells = f'<c r="A{i}" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
        if value:
            cells += f'<c r="B{i}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        rows.append(f'<row r="{i}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr codeName="Sheet1"/><cols><col min="1" max="2" width="24" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "application/vnd.openxmlformats-officedocument"
_OVERRIDES = (
    ("/xl/workbook.xml", "application/vnd.ms-excel.addin.macroEnabled.main+xml"),
    ("/xl/worksheets/sheet1.xml", f"{_OFFICE_DOC}.spreadsheetml.worksheet+xml"),
    ("/xl/styles.xml", f"{_OFFICE_DOC}.spreadsheetml.styles+xml"),
    ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
    ("/docProps/app.xml", f"{_OFFICE_DOC}.extended-properties+xml"),
)


def _content_types() -> str:
    defaults = (
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("xml", "application/xml"),
        ("bin", "application/vnd.ms-office.vbaProject"),
    )
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults)
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in _OVERRIDES)
        + "</Types>"
    )


def _relationships(*targets: tuple[str, str]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'<Relationships xmlns="{_PKG_REL}">{items}</Relationships>'


def package_parts(vba_project: bytes, ribbon_xml: str) -> dict[str, bytes]:
    """Every part of the .xlam package, by name."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts = {
        "[Content_Types].xml": head + _content_types(),
        "_rels/.rels": head
        + _relationships(
            (f"{_REL}/officeDocument", "xl/workbook.xml"),
            (f"{_PKG}/metadata/core-properties", "docProps/core.xml"),
            (f"{_REL}/extended-properties", "docProps/app.xml"),
            (customui.RELATIONSHIP_TYPE, customui.PART_NAME),
        ),
        "docProps/core.xml": head
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>xl-brm: Benefits</dc:title>'
        "<dc:creator>xl-brm</dc:creator></cp:coreProperties>",
        "docProps/app.xml": head
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>",
        "xl/workbook.xml": head
        + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView visibility="hidden"/></bookViews>'
        f'<sheets><sheet name="{escape(CONFIG_SHEET)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": head
        + _relationships(
            (f"{_REL}/worksheet", "worksheets/sheet1.xml"),
            (f"{_REL}/styles", "styles.xml"),
            ("http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"),
        ),
        "xl/styles.xml": head + f'<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        "</styleSheet>",
        "xl/worksheets/sheet1.xml": _config_sheet_xml(),
        customui.PART_NAME: ribbon_xml,
    }
    out = {name: text.encode("utf-8") for name, text in parts.items()}
    out["xl/vbaProject.bin"] = vba_project
    return out


def write_package(path: Path, parts: dict[str, bytes]) -> None:
    """Write the zip atomically (a temp file renamed into place), with fixed timestamps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".xl_brm-", suffix=".xlam", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_xlam(output: Path = DEFAULT_OUTPUT) -> BuildReport:
    """Build, prove and write the add-in. Nothing is written unless every check passes."""
    modules = vba.all_modules()
    ribbon_xml = customui.customui_xml()
    customui.validate_customui(ribbon_xml)
    callbacks = customui.on_actions(ribbon_xml)
    subs = {name for m in modules for name in vba.sub_names(m.code)}
    missing = sorted(set(callbacks.values()) - subs)
    if missing:
        raise XlBrmError(f"ribbon callbacks without a VBA sub: {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="xl_brm_vba_") as tmp:
        project = build_vba_project(modules, Path(tmp))
    proven = prove_round_trip(modules, project)
    write_package(output, package_parts(project, ribbon_xml))
    return BuildReport(path=output, modules=proven, callbacks=callbacks)
