"""The xlwings Lite route: the template with the BRM Python code stored inside the workbook.

xlwings Lite (a free Office add-in running Python in the browser with Pyodide) keeps a
workbook's `main.py` and `requirements.txt` as Office add-in document settings, which Excel
saves in `xl/webextensions/webextension1.xml` ([MS-OWEXML]). We write that part ourselves, so
a trust opens the template, starts xlwings Lite and has `=BRM.VALIDATE(...)` with nothing to
install.

Pyodide cannot install xl-brm (it is not on PyPI and python-calamine has no Pyodide build), so
`main.py` carries copies of the modules the cell functions and scripts need, and a small
importer that serves them. A cell-function module that would need a package Lite lacks is
refused at build time; other `udfs` modules that cannot run in Lite are left out and named.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import io
import json
import re
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET

from xl_brm import __version__
from xl_brm.addin.buttons import FUNCTION_NAMESPACE
from xl_brm.errors import InputError, UsageError, XlBrmError
from xl_brm.excel._save import atomic_path
from xl_brm.excel.template import write_template

__all__ = [
    "FUNC_NAMESPACE",
    "LITE_PACKAGES",
    "LITE_STUBS",
    "XLWINGS_LITE_STORE_ID",
    "LiteCode",
    "build_lite_code",
    "embed_lite_code",
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

LITE_PACKAGES: dict[str, str] = {
    "xlwings": f"xlwings=={importlib.metadata.version('xlwings')}",
    "defusedxml": f"defusedxml=={importlib.metadata.version('defusedxml')}",
    "pydantic": "pydantic",
}
"""Import name -> requirements.txt line for what xlwings Lite installs. xlwings and defusedxml
are pure Python, so we pin the versions we tested; pydantic is left unpinned because Pyodide
ships its own build of pydantic-core and micropip must pick the pydantic that matches it."""

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

_NOT_IN_PYODIDE = frozenset(
    {
        "_lzma", "_sqlite3", "_ssl", "_tkinter", "_winapi", "curses", "dbm", "ensurepip", "idlelib",
        "lzma", "msvcrt", "readline", "sqlite3", "ssl", "tkinter", "turtle", "turtledemo", "venv",
        "winreg", "winsound",
    }
)  # fmt: skip
"""Standard-library modules Pyodide removes or does not load by default."""

_FILE_PREFIX = "<xl-brm>/"
_ROOTS = ("udfs", "xl_brm")


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


# -- reading the sources ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Import:
    name: str
    must_exist: bool
    """False for `from pkg import name`, where name may be an attribute rather than a module."""
    kind: str
    """eager (module level), lazy (inside a function) or optional (guarded by except ImportError)."""


@dataclass(frozen=True)
class _Source:
    name: str
    is_package: bool
    text: str
    imports: tuple[_Import, ...]
    functions: dict[str, tuple[str, str]]
    """Python name -> (Excel name, first docstring line) of each @func."""
    scripts: dict[str, str]
    """Python name -> first docstring line of each @script."""
    uses_func: bool

    @property
    def rel_path(self) -> str:
        return self.name.replace(".", "/") + ("/__init__.py" if self.is_package else ".py")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    names: list[str] = []
    for handler in handlers:
        if handler.type is None:
            return True
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names += [k.id for k in kinds if isinstance(k, ast.Name)]
    return bool({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"} & set(names))


class _ImportVisitor(ast.NodeVisitor):
    """Every import of a module, marked eager, lazy or optional; TYPE_CHECKING blocks skipped."""

    def __init__(self, module: str, *, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: list[_Import] = []
        self.depth = 0
        self.guarded = 0

    def _kind(self) -> str:
        return "optional" if self.guarded else "lazy" if self.depth else "eager"

    def _add(self, dotted: str, *, must_exist: bool = True) -> None:
        parts = dotted.split(".")
        for i in range(1, len(parts) + 1):
            last = i == len(parts)
            self.imports.append(_Import(".".join(parts[:i]), must_exist or not last, self._kind()))

    def _nested(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        guarded = _catches_import_error(node.handlers)
        self.guarded += guarded
        for child in node.body:
            self.visit(child)
        self.guarded -= guarded
        rest: list[ast.AST] = [*node.handlers, *node.orelse, *node.finalbody]
        for other in rest:
            self.visit(other)

    visit_TryStar = visit_Try  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "__future__":
            return
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        self._add(base)
        for alias in node.names:
            if alias.name != "*":
                self._add(f"{base}.{alias.name}", must_exist=False)


def _decorator_kind(decorator: ast.expr, names: dict[str, str], xw_aliases: set[str]) -> str | None:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        return names.get(target.id)
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in xw_aliases
        and target.attr in ("func", "script")
    ):
        return target.attr
    return None


def _excel_name(decorators: list[ast.expr], names: dict[str, str], xw: set[str], default: str) -> str:
    for decorator in decorators:
        if _decorator_kind(decorator, names, xw) == "func" and isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return default


def _parse(name: str, path: Path, *, is_package: bool) -> _Source:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise XlBrmError(f"{path}: cannot build the xlwings Lite code: {exc}") from exc
    visitor = _ImportVisitor(name, is_package=is_package)
    visitor.visit(tree)
    decorator_names: dict[str, str] = {}  # local name -> "func" | "script"
    xw_aliases: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "xlwings":
            for alias in node.names:
                if alias.name in ("func", "script"):
                    decorator_names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            xw_aliases |= {a.asname or a.name for a in node.names if a.name == "xlwings"}
    functions: dict[str, tuple[str, str]] = {}
    scripts: dict[str, str] = {}
    uses_func = "func" in decorator_names.values()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        kinds = {_decorator_kind(d, decorator_names, xw_aliases) for d in node.decorator_list}
        summary = " ".join((ast.get_docstring(node) or "").strip().split("\n\n", 1)[0].split())
        if "func" in kinds:
            uses_func = True
            excel = _excel_name(node.decorator_list, decorator_names, xw_aliases, node.name)
            functions[node.name] = (excel, summary)
        elif "script" in kinds:
            scripts[node.name] = summary
    return _Source(name, is_package, text, tuple(visitor.imports), functions, scripts, uses_func)


class _Graph:
    """The xl_brm and udfs modules on disk, and why (if at all) each cannot load in Lite."""

    def __init__(self, roots: Mapping[str, Path]) -> None:
        self.roots = {top: Path(p) for top, p in roots.items()}
        self._sources: dict[str, _Source | None] = {}
        self._broken: dict[str, str | None] = {}
        self._busy: set[str] = set()

    def source(self, name: str) -> _Source | None:
        if name not in self._sources:
            top, *rest = name.split(".")
            folder = self.roots[top].joinpath(*rest)
            if "__init__" in rest:
                self._sources[name] = None
            elif (folder / "__init__.py").is_file():
                self._sources[name] = _parse(name, folder / "__init__.py", is_package=True)
            elif rest and folder.with_suffix(".py").is_file():
                self._sources[name] = _parse(name, folder.with_suffix(".py"), is_package=False)
            else:
                self._sources[name] = None
        return self._sources[name]

    def kind(self, name: str) -> str:
        """internal, stdlib, package (installed by Lite), stub or missing."""
        top = name.split(".")[0]
        if top in self.roots:
            return "internal"
        if top in LITE_PACKAGES:
            return "package"
        if top in LITE_STUBS:
            return "stub"
        if top in sys.stdlib_module_names and top not in _NOT_IN_PYODIDE:
            return "stdlib"
        return "missing"

    def broken(self, name: str) -> str | None:
        """Why `import name` fails in xlwings Lite ("imports httpx"), or None if it loads."""
        if name in self._broken:
            return self._broken[name]
        if name in self._busy:  # an import cycle: the other edges decide
            return None
        self._busy.add(name)
        try:
            reason = self._find_break(name)
        finally:
            self._busy.discard(name)
        self._broken[name] = reason
        return reason

    def _find_break(self, name: str) -> str | None:
        source = self.source(name)
        if source is None:
            return f"is not part of xl-brm (no file for {name})"
        parent = name.rpartition(".")[0]
        if parent and (why := self.broken(parent)) is not None:
            return f"needs {parent}, which {why}"
        for imp in source.imports:
            if imp.kind != "eager" or imp.name == name:
                continue
            kind = self.kind(imp.name)
            if kind == "missing":
                return f"imports {imp.name.split('.')[0]}"
            if kind != "internal" or (not imp.must_exist and self.source(imp.name) is None):
                continue
            why = self.broken(imp.name)
            if why is not None:
                return f"needs {imp.name}, which {why}"
        return None


def _default_roots() -> dict[str, Path]:
    roots: dict[str, Path] = {}
    for top in _ROOTS:
        spec = importlib.util.find_spec(top)
        if spec is None or not spec.submodule_search_locations:
            raise XlBrmError(f"cannot find the {top} package to copy into main.py")
        roots[top] = Path(next(iter(spec.submodule_search_locations)))
    return roots


def _udfs_modules(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        if rel.name == "__init__" or "__pycache__" in rel.parts:
            continue
        yield ".".join(["udfs", *rel.parts])


class _Collector:
    def __init__(self, graph: _Graph) -> None:
        self.graph = graph
        self.modules: dict[str, _Source] = {}
        self.left_out: dict[str, str] = {}
        self.packages: set[str] = {"xlwings"}
        self.stubs: set[str] = set()

    def include(self, name: str, *, strict: bool = False) -> None:
        """Copy `name` and what it imports; lazy imports that cannot load in Lite are left out
        (or, with strict, refused: a cell function must not fail on first use)."""
        if name in self.modules:
            return
        source = self.graph.source(name)
        assert source is not None
        self.modules[name] = source
        if "." in name:  # Python imports the parent package first
            self.include(name.rpartition(".")[0])
        for imp in source.imports:
            kind = self.graph.kind(imp.name)
            top = imp.name.split(".")[0]
            if kind == "package":
                self.packages.add(top)
            elif kind == "stub":
                self.stubs.add(top)
            elif kind == "missing":
                if imp.kind == "lazy":
                    if strict:
                        raise _refusal(name, f"imports {top} inside a cell function")
                    self.left_out.setdefault(top, f"not installed in xlwings Lite (used inside {name})")
            elif kind == "internal" and imp.name != name:
                if self.graph.source(imp.name) is None:
                    continue
                why = self.graph.broken(imp.name)
                if why is None:
                    self.include(imp.name)
                elif imp.kind == "lazy":
                    if strict:
                        raise _refusal(name, f"needs {imp.name}, which {why}")
                    self.left_out.setdefault(imp.name, f"{why} (used by {name})")


def _refusal(module: str, reason: str) -> XlBrmError:
    return XlBrmError(
        f"{module} {reason}: the cell functions would not load in xlwings Lite",
        hint="keep file reading and network code out of the modules the cell functions import",
    )


def build_lite_code(*, roots: Mapping[str, Path] | None = None) -> LiteCode:
    """Build main.py and requirements.txt for xlwings Lite from the udfs and xl_brm packages
    (`roots` maps each package name to its folder; by default the installed ones)."""
    graph = _Graph(roots if roots is not None else _default_roots())
    collector = _Collector(graph)
    owners: dict[str, str] = {}
    entry_points: list[_Source] = []
    for name in _udfs_modules(graph.roots["udfs"]):
        source = graph.source(name)
        assert source is not None
        why = graph.broken(name)
        cell_functions = source.uses_func or name == "udfs.functions"
        if why is not None:
            if cell_functions:
                raise _refusal(name, why)
            collector.left_out[name] = why
            continue
        collector.include(name, strict=cell_functions)
        for exported in [*source.functions, *source.scripts]:
            if exported in owners:
                raise XlBrmError(
                    f"{exported} is defined in both {owners[exported]} and {name}",
                    hint="rename one of them: main.py imports both into one namespace",
                )
            owners[exported] = name
        if source.functions or source.scripts:
            entry_points.append(source)
    for name in list(collector.left_out):  # a module left out lazily may be copied after all
        if name in collector.modules:
            del collector.left_out[name]
    requirements = sorted(LITE_PACKAGES[p] for p in collector.packages)
    main_py = _main_py(collector, entry_points)
    return LiteCode(
        main_py=main_py,
        requirements_txt="\n".join(requirements) + "\n",
        modules=tuple(sorted(collector.modules)),
        functions=tuple(sorted(f for s in entry_points for f in s.functions)),
        scripts=tuple(sorted(f for s in entry_points for f in s.scripts)),
        left_out=dict(sorted(collector.left_out.items())),
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


def _main_py(collector: _Collector, entry_points: list[_Source]) -> str:
    embedded = {name: (src.is_package, src.text) for name, src in collector.modules.items()}
    embedded |= {stub: (False, LITE_STUBS[stub]) for stub in collector.stubs}
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
    if collector.left_out:
        lines += ["", "Left out (these will not work in xlwings Lite):"]
        lines += [f"  {name}: {why}" for name, why in sorted(collector.left_out.items())]
    lines += [
        "",
        f"Copied below: {len(collector.modules)} modules of xl-brm {__version__}, served by a small",
        "importer, and stand-ins for: " + (", ".join(sorted(collector.stubs)) or "nothing") + ".",
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
        out.append(f"from {source.name} import (  # noqa: E402")
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
