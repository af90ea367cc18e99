"""The xlwings Lite route: the template with the BRM Python code stored inside the workbook.

xlwings Lite (a free Office add-in running Python in the browser with Pyodide) keeps a
workbook's `main.py` and `requirements.txt` as Office add-in document settings, which Excel
saves in `xl/webextensions/webextension1.xml` ([MS-OWEXML]). We write that part ourselves, so
a trust opens the template, starts xlwings Lite and has `=BRM.VALIDATE(...)` with nothing to
install.

Pyodide cannot install xl-brm (it is not on PyPI and python-calamine has no Pyodide build), so
`main.py` carries copies of the modules the cell functions and scripts need, and a small
importer that serves them. Which modules, which requirements and what is left out was worked
out from the sources when the package was built (`tools/addin_build/lite.py`) and ships as
`lite_bundle.json`; here the installed modules are only copied. Submit and Pull need the
national store over the network and are not offered in Lite.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET

from xl_brm import __version__
from xl_brm.addin.buttons import FUNCTION_NAMESPACE
from xl_brm.errors import InputError, UsageError, XlBrmError
from xl_brm.excel._save import atomic_path
from xl_brm.excel.template import write_template

__all__ = [
    "BUNDLE_PATH",
    "FUNC_NAMESPACE",
    "LITE_STUBS",
    "XLWINGS_LITE_STORE_ID",
    "EntryPoint",
    "LiteBundle",
    "LiteCode",
    "build_lite_code",
    "embed_lite_code",
    "load_bundle",
    "read_lite_code",
    "write_lite_template",
]

XLWINGS_LITE_STORE_ID = "wa200008175"
"""xlwings Lite's id in Microsoft AppSource (the Office store, store type OMEX)."""
FUNC_NAMESPACE = FUNCTION_NAMESPACE
"""Cell functions appear as `=BRM.VALIDATE(...)`, as in the Office add-in."""

WEBEXTENSION_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS = "xl/webextensions/_rels/taskpanes.xml.rels"
CT_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
CT_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"
REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
NS_WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
NS_WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_SETTINGS_BYTES = 2 * 1024 * 1024
"""Office keeps at most 2 MB of settings per add-in; a bigger part would be lost on save."""

_CALAMINE_STUB = '''\
"""Stand-in for python-calamine, which has no Pyodide build: modules that import it still
load in xlwings Lite, and anything that tries to read a file says why it cannot."""

MESSAGE = (
    "reading .xlsx files (python-calamine) is not available in xlwings Lite: "
    "use the cell functions and buttons, or xl-brm on a computer"
)


class _Unavailable(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ModuleNotFoundError(MESSAGE, name="python_calamine")

    def __call__(cls, *args, **kwargs):
        raise ModuleNotFoundError(MESSAGE, name="python_calamine")


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    bases = (Exception,) if name.endswith(("Error", "Exception")) else ()
    made = _Unavailable(name, bases, {"__module__": __name__})
    globals()[name] = made
    return made
'''

LITE_STUBS: dict[str, str] = {"python_calamine": _CALAMINE_STUB}
"""Packages Pyodide lacks that xl-brm imports at module level but the cell functions never use:
import name -> source of the stand-in module embedded in main.py."""

_FILE_PREFIX = "<xl-brm>/"
BUNDLE_PATH = Path(__file__).with_name("lite_bundle.json")


@dataclass(frozen=True)
class LiteCode:
    """What goes into the workbook: main.py, requirements.txt, and what they hold."""

    main_py: str
    requirements_txt: str
    modules: tuple[str, ...]
    """The xl-brm and udfs modules copied into main.py, sorted."""
    functions: tuple[str, ...]
    """Python names of the cell functions main.py imports (BRM_VALIDATE...)."""
    scripts: tuple[str, ...]
    """Python names of the scripts (ribbon buttons) main.py imports."""
    left_out: dict[str, str] = field(default_factory=dict)
    """Module or package -> why it is not in main.py (these will not work in xlwings Lite)."""


@dataclass(frozen=True)
class EntryPoint:
    """A udfs module whose cell functions and scripts main.py imports by name."""

    module: str
    functions: dict[str, tuple[str, str]]
    """Python name -> (Excel name, first docstring line) of each @func."""
    scripts: dict[str, str]
    """Python name -> first docstring line of each @script offered in Lite."""


@dataclass(frozen=True)
class LiteBundle:
    """What goes into main.py and requirements.txt, decided from the sources at build time."""

    modules: dict[str, bool]
    """Module name -> whether it is a package, for every module copied into main.py."""
    stubs: tuple[str, ...]
    """Packages Pyodide lacks that get a stand-in (`LITE_STUBS`)."""
    requirements: tuple[str, ...]
    """The lines of requirements.txt."""
    entry_points: tuple[EntryPoint, ...]
    left_out: dict[str, str]
    """Module, package or script -> why it is not in main.py."""

    def to_json(self) -> dict[str, Any]:
        return {
            "modules": self.modules,
            "stubs": list(self.stubs),
            "requirements": list(self.requirements),
            "entry_points": [
                {
                    "module": e.module,
                    "functions": {k: list(v) for k, v in e.functions.items()},
                    "scripts": e.scripts,
                }
                for e in self.entry_points
            ],
            "left_out": self.left_out,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LiteBundle:
        return cls(
            modules=dict(data["modules"]),
            stubs=tuple(data["stubs"]),
            requirements=tuple(data["requirements"]),
            entry_points=tuple(
                EntryPoint(
                    e["module"],
                    {k: (v[0], v[1]) for k, v in e["functions"].items()},
                    dict(e["scripts"]),
                )
                for e in data["entry_points"]
            ),
            left_out=dict(data["left_out"]),
        )


def load_bundle(path: Path = BUNDLE_PATH) -> LiteBundle:
    try:
        return LiteBundle.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise XlBrmError(
            f"the xlwings Lite bundle {path.name} is missing or damaged ({exc})",
            hint="reinstall xl-brm; developers rebuild it with `make addins`",
        ) from exc


def _installed_roots() -> dict[str, Path]:
    roots: dict[str, Path] = {}
    for top in ("udfs", "xl_brm"):
        spec = importlib.util.find_spec(top)
        if spec is None or not spec.submodule_search_locations:
            raise XlBrmError(f"cannot find the {top} package to copy into main.py")
        roots[top] = Path(next(iter(spec.submodule_search_locations)))
    return roots


def _module_source(roots: Mapping[str, Path], name: str, is_package: bool) -> str:
    top, *rest = name.split(".")
    folder = roots[top].joinpath(*rest)
    path = folder / "__init__.py" if is_package else folder.with_suffix(".py")
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except OSError as exc:
        raise XlBrmError(
            f"cannot copy {name} into main.py: {exc}",
            hint="reinstall xl-brm (the installation is incomplete)",
        ) from exc


def build_lite_code(
    bundle: LiteBundle | None = None, *, roots: Mapping[str, Path] | None = None
) -> LiteCode:
    """main.py and requirements.txt for xlwings Lite: the bundle's modules, copied from the
    installed udfs and xl_brm packages (`roots` maps each package name to its folder)."""
    bundle = bundle if bundle is not None else load_bundle()
    roots = roots if roots is not None else _installed_roots()
    sources = {name: (is_pkg, _module_source(roots, name, is_pkg)) for name, is_pkg in bundle.modules.items()}
    return LiteCode(
        main_py=_main_py(bundle, sources),
        requirements_txt="\n".join(bundle.requirements) + "\n",
        modules=tuple(sorted(bundle.modules)),
        functions=tuple(sorted(f for e in bundle.entry_points for f in e.functions)),
        scripts=tuple(sorted(s for e in bundle.entry_points for s in e.scripts)),
        left_out=dict(bundle.left_out),
    )


# -- writing main.py --------------------------------------------------------------------------


def _literal(text: str) -> str:
    """A Python literal for `text`: a raw triple-quoted string when that reads back exactly
    (so the copied modules stay readable in the xlwings Lite editor), else repr()."""
    if all(ch.isprintable() or ch in "\n\t" for ch in text):
        for quote in ("'''", '"""'):
            if quote not in text and not text.endswith((quote[0], "\\")):
                return f"r{quote}{text}{quote}"
    return repr(text)


_IMPORTER = '''
import importlib as _xlbrm_importlib
import importlib.abc as _xlbrm_abc
import importlib.util as _xlbrm_util
import sys as _xlbrm_sys


class _XlBrmImporter(_xlbrm_abc.MetaPathFinder, _xlbrm_abc.Loader):
    """Serves the modules copied above, ahead of anything installed."""

    xl_brm_embedded = True

    def find_spec(self, name, path=None, target=None):
        if name not in _XLBRM_MODULES:
            return None
        return _xlbrm_util.spec_from_loader(name, self, is_package=_XLBRM_MODULES[name][0])

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        is_package, source = _XLBRM_MODULES[module.__name__]
        module.__file__ = _xlbrm_origin(module.__name__)
        if module.__name__.split(".")[0] == "udfs":
            module.__xlwings_func_namespace__ = _XLBRM_NAMESPACE
        exec(compile(source, module.__file__, "exec"), module.__dict__)

    def get_source(self, name):
        return _XLBRM_MODULES[name][1]


def _xlbrm_origin(name):
    path = name.replace(".", "/") + ("/__init__.py" if _XLBRM_MODULES[name][0] else ".py")
    return _XLBRM_PREFIX + path


# Take over: whatever xl_brm was imported before (an earlier run of this file, or an installed
# copy) makes way for the code above.
_xlbrm_tops = {name.split(".")[0] for name in _XLBRM_MODULES}
for _xlbrm_name in list(_xlbrm_sys.modules):
    if _xlbrm_name.split(".")[0] in _xlbrm_tops:
        del _xlbrm_sys.modules[_xlbrm_name]
_xlbrm_sys.meta_path[:] = [f for f in _xlbrm_sys.meta_path if not getattr(f, "xl_brm_embedded", False)]
_xlbrm_sys.meta_path.insert(0, _XlBrmImporter())
'''


def _main_py(bundle: LiteBundle, sources: Mapping[str, tuple[bool, str]]) -> str:
    embedded = dict(sources)
    embedded |= {stub: (False, LITE_STUBS[stub]) for stub in bundle.stubs}
    entry_points = bundle.entry_points
    functions = sorted((f for s in entry_points for f in s.functions.items()), key=lambda f: f[1][0])
    scripts = sorted(s for src in entry_points for s in src.scripts.items())
    lines = [
        f"xl-brm {__version__} for xlwings Lite: the benefits register's cell functions and buttons.",
        "",
        "Built by `xl-brm template --lite`; edit xl-brm and rebuild rather than this file.",
        "",
        "Cell functions: type = and the name in a cell, e.g. =BRM.VALIDATE(A4:T4, A3:T3).",
        "Excel shows each function's help as you type.",
    ]
    lines += [f"    ={FUNC_NAMESPACE}.{excel}()  {summary}" for _, (excel, summary) in functions]
    if scripts:
        lines += ["", "Scripts: run them from the xlwings Lite task pane."]
        lines += [f"    {name}  {summary}" for name, summary in scripts]
    if bundle.left_out:
        lines += ["", "Left out (these will not work in xlwings Lite):"]
        lines += [f"  {name}: {why}" for name, why in sorted(bundle.left_out.items())]
    lines += [
        "",
        f"Copied below: {len(sources)} modules of xl-brm {__version__}, served by a small",
        "importer, and stand-ins for: " + (", ".join(sorted(bundle.stubs)) or "nothing") + ".",
    ]
    header = "\n".join(lines).replace("\\", "/") + "\n"
    out = [
        _literal(header),
        "",
        f"_XLBRM_NAMESPACE = {FUNC_NAMESPACE!r}",
        f"_XLBRM_PREFIX = {_FILE_PREFIX!r}",
    ]
    out.append("_XLBRM_MODULES = {")
    for name in sorted(embedded):
        is_package, text = embedded[name]
        out.append(f"    {name!r}: ({is_package!r}, {_literal(text)}),")
    out += ["}", _IMPORTER]
    for source in entry_points:
        names = sorted([*source.functions, *source.scripts])
        out.append(f"from {source.module} import (  # noqa: E402")
        out += [f"    {n}," for n in names]
        out.append(")")
    out += [
        "",
        "# Load every copied module now: nothing is imported from elsewhere later.",
        "for _xlbrm_name in sorted(_XLBRM_MODULES):",
        "    _xlbrm_importlib.import_module(_xlbrm_name)",
        "",
    ]
    return "\n".join(out)


# -- the workbook -----------------------------------------------------------------------------


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _webextension_xml(code: LiteCode, workbook_id: str) -> bytes:
    extension_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"xl-brm-lite:{workbook_id}")).upper()
    settings = {
        "main.py": code.main_py,
        "requirements.txt": code.requirements_txt,
        "xlwingsWorkbookId": workbook_id,
    }
    props = "".join(
        f'<we:property name="{_attr(name)}" value="{_attr(json.dumps(value, ensure_ascii=False))}"/>'
        for name, value in settings.items()
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<we:webextension xmlns:we="{NS_WE}" id="{{{extension_id}}}">'
        f'<we:reference id="{XLWINGS_LITE_STORE_ID}" version="1.0.0.0" store="en-US" storeType="OMEX"/>'
        "<we:alternateReferences/>"
        f"<we:properties>{props}</we:properties>"
        "<we:bindings/>"
        f'<we:snapshot xmlns:r="{NS_R}"/>'
        "</we:webextension>"
    )
    return xml.encode("utf-8")


def _taskpanes_xml() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<wetp:taskpanes xmlns:wetp="{NS_WETP}">'
        '<wetp:taskpane dockstate="right" visibility="1" width="350" row="4">'
        f'<wetp:webextensionref xmlns:r="{NS_R}" r:id="rId1"/>'
        "</wetp:taskpane></wetp:taskpanes>"
    ).encode()


def _taskpanes_rels() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_WEBEXTENSION}" Target="webextension1.xml"/>'
        "</Relationships>"
    ).encode()


def _insert_before(xml: bytes, closing: bytes, addition: str, part: str) -> bytes:
    at = xml.rfind(closing)
    if at < 0:
        raise XlBrmError(f"cannot add the xlwings Lite code: {part} has no {closing.decode()}")
    return xml[:at] + addition.encode("utf-8") + xml[at:]


def embed_lite_code(xlsx: bytes, code: LiteCode, *, workbook_id: str | None = None) -> bytes:
    """The .xlsx `xlsx` with `code` stored as xlwings Lite's settings (a new web-extension
    task pane that opens with the workbook). `workbook_id` defaults to a new random UUID."""
    wid = _workbook_id(workbook_id)
    extension = _webextension_xml(code, wid)
    if len(extension) > MAX_SETTINGS_BYTES:
        raise XlBrmError(
            f"the xlwings Lite code is {len(extension) / 1e6:.1f} MB, over the 2 MB Office keeps "
            "for an add-in's settings",
            hint="the cell functions import too much of xl-brm; trim what udfs/ imports",
        )
    try:
        source = zipfile.ZipFile(io.BytesIO(xlsx))
    except zipfile.BadZipFile as exc:
        raise UsageError("cannot add the xlwings Lite code: the workbook is not an .xlsx file") from exc
    with source:
        names = source.namelist()
        if any(n.startswith("xl/webextensions/") for n in names):
            raise UsageError(
                "the workbook already holds Office add-in settings",
                hint="start from a fresh template: `xl-brm template --lite`",
            )
        types = source.read("[Content_Types].xml")
        rels = source.read("_rels/.rels")
        ids = {r.get("Id") for r in SafeET.fromstring(rels)}
        rel_id = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
        types = _insert_before(
            types,
            b"</Types>",
            f'<Override PartName="/{WEBEXTENSION_PART}" ContentType="{CT_WEBEXTENSION}"/>'
            f'<Override PartName="/{TASKPANES_PART}" ContentType="{CT_TASKPANES}"/>',
            "[Content_Types].xml",
        )
        rels = _insert_before(
            rels,
            b"</Relationships>",
            f'<Relationship Id="{rel_id}" Type="{REL_TASKPANES}" Target="{TASKPANES_PART}"/>',
            "_rels/.rels",
        )
        replaced = {"[Content_Types].xml": types, "_rels/.rels": rels}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info, replaced.get(info.filename) or source.read(info))
            stamp = source.getinfo("[Content_Types].xml").date_time
            for part, data in (
                (TASKPANES_PART, _taskpanes_xml()),
                (TASKPANES_RELS, _taskpanes_rels()),
                (WEBEXTENSION_PART, extension),
            ):
                info = zipfile.ZipInfo(part, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, data)
    return out.getvalue()


def _workbook_id(workbook_id: str | None) -> str:
    if workbook_id is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(workbook_id))
    except ValueError as exc:
        raise UsageError(
            f"'{workbook_id}' is not a workbook id", hint="give a UUID, or leave it out for a new one"
        ) from exc


def write_lite_template(
    path: str | Path,
    *,
    trust_ods: str | None = None,
    programme: str | None = None,
    workbook_id: str | None = None,
) -> Path:
    """Write the benefits-register template with the xlwings Lite code inside (atomically)."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(
            f"the xlwings Lite template must be an .xlsx file, not '{target.name}'",
            hint="choose a name ending in .xlsx",
        )
    if not target.parent.is_dir():
        raise InputError(
            "the folder to write into does not exist", path=target, hint=f"create {target.parent} first"
        )
    code = build_lite_code()
    with tempfile.TemporaryDirectory(prefix="xl-brm-lite-") as folder:
        base = write_template(Path(folder) / "template.xlsx", trust_ods=trust_ods, programme=programme)
        data = embed_lite_code(base.read_bytes(), code, workbook_id=workbook_id)
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except PermissionError as exc:
            raise InputError(
                "cannot write the workbook", path=target, hint="close it in Excel or choose another folder"
            ) from exc
    return target


_WEBEXTENSION_NAME = re.compile(r"^xl/webextensions/webextension\d*\.xml$")


def read_lite_code(path: str | Path) -> dict[str, object]:
    """The xlwings Lite settings stored in a workbook (main.py, requirements.txt, ...)."""
    p = Path(path)
    try:
        book = zipfile.ZipFile(p)
    except FileNotFoundError as exc:
        raise InputError("file not found", path=p, hint="check the name and folder") from exc
    except (zipfile.BadZipFile, IsADirectoryError) as exc:
        raise InputError("not an .xlsx workbook", path=p, hint="give an .xlsx file") from exc
    with book:
        for info in book.infolist():
            if not _WEBEXTENSION_NAME.match(info.filename) or info.file_size > MAX_SETTINGS_BYTES * 4:
                continue
            try:
                root = SafeET.fromstring(book.read(info))
                reference = root.find(f"{{{NS_WE}}}reference")
                if reference is None or (reference.get("id") or "").lower() != XLWINGS_LITE_STORE_ID:
                    continue
                return {
                    str(prop.get("name")): json.loads(prop.get("value") or "null")
                    for prop in root.iter(f"{{{NS_WE}}}property")
                }
            except (SafeET.ParseError, ValueError) as exc:
                raise InputError(
                    f"the xlwings Lite settings in {info.filename} cannot be read ({exc})",
                    path=p,
                    hint="write a fresh template with `xl-brm template --lite`",
                ) from exc
    raise InputError(
        "the workbook holds no xlwings Lite code",
        path=p,
        hint="write one with `xl-brm template --lite`",
    )
