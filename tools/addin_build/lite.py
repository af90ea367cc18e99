"""Which parts of xl-brm go into an xlwings Lite workbook's main.py, worked out from the sources.

xlwings Lite runs Python in the browser (Pyodide), where xl-brm cannot be installed (it is not
on PyPI and python-calamine has no Pyodide build). `xl-brm template --lite` therefore copies the
modules the cell functions and ribbon scripts need into main.py. Which modules those are, what
requirements.txt must hold and what is left out is decided here, once, by reading the imports of
`udfs` and `xl_brm` (no code is run), and shipped as `xl_brm/addin/lite_bundle.json`; the
command itself only copies the listed modules (`xl_brm.addin.lite`).

A cell-function module that would need a package Lite lacks is refused; other `udfs` modules
that cannot run in Lite are left out and named, and so are the ribbon buttons that need the
national store over the network (`Button.lite`).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from xl_brm.addin.buttons import BUTTONS
from xl_brm.addin.lite import BUNDLE_PATH, LITE_STUBS, EntryPoint, LiteBundle
from xl_brm.errors import XlBrmError

LITE_PACKAGES: dict[str, str] = {
    "xlwings": f"xlwings=={importlib.metadata.version('xlwings')}",
    "defusedxml": f"defusedxml=={importlib.metadata.version('defusedxml')}",
    "pydantic": "pydantic",
}
"""Import name -> requirements.txt line for what xlwings Lite installs. Lite's rule: pin pure
Python packages (xlwings, defusedxml: the versions we tested), never pin what Pyodide builds
itself (pydantic, whose pydantic-core must match Pyodide's)."""
LITE_BASE_REQUIREMENTS: tuple[str, ...] = ("pyodide-http",)
"""Lines every xlwings Lite workbook starts with besides xlwings (Lite's own starter list, as in
xlwings Server's Wasm runtime), so HTTP libraries a trust adds later work in the browser."""

_NOT_IN_PYODIDE = frozenset(
    {
        "_lzma", "_sqlite3", "_ssl", "_tkinter", "_winapi", "curses", "dbm", "ensurepip", "idlelib",
        "lzma", "msvcrt", "readline", "sqlite3", "ssl", "tkinter", "turtle", "turtledemo", "venv",
        "winreg", "winsound",
    }
)  # fmt: skip
"""Standard-library modules Pyodide removes or does not load by default."""

_ROOTS = ("udfs", "xl_brm")
NOT_IN_LITE = {
    b.script: f"{b.label}: {b.not_in_lite}; use the desktop or Office add-in"
    for b in BUTTONS
    if not b.lite
}
"""Ribbon scripts main.py does not offer, and why."""


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
    """The modules of the udfs package; folders that are not packages (udfs/office, the
    xlwings Server project) are data, not Lite code."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        if rel.name == "__init__" or "__pycache__" in rel.parts:
            continue
        folders = [root.joinpath(*rel.parts[:i]) for i in range(1, len(rel.parts))]
        if all((folder / "__init__.py").is_file() for folder in folders):
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


def analyse(*, roots: Mapping[str, Path] | None = None) -> LiteBundle:
    """What main.py must hold, from the udfs and xl_brm packages (`roots` maps each package name
    to its folder; by default the ones on sys.path)."""
    graph = _Graph(roots if roots is not None else _default_roots())
    collector = _Collector(graph)
    owners: dict[str, str] = {}
    entry_points: list[EntryPoint] = []
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
        scripts = {n: s for n, s in source.scripts.items() if n not in NOT_IN_LITE}
        for script in sorted(set(source.scripts) - set(scripts)):
            collector.left_out[f"{name}.{script}"] = NOT_IN_LITE[script]
        if source.functions or scripts:
            entry_points.append(EntryPoint(name, dict(source.functions), scripts))
    for name in list(collector.left_out):  # a module left out lazily may be copied after all
        if name in collector.modules:
            del collector.left_out[name]
    requirements = {*LITE_BASE_REQUIREMENTS, *(LITE_PACKAGES[p] for p in collector.packages)}
    return LiteBundle(
        modules={name: src.is_package for name, src in sorted(collector.modules.items())},
        stubs=tuple(sorted(collector.stubs)),
        requirements=tuple(sorted(requirements)),
        entry_points=tuple(entry_points),
        left_out=dict(sorted(collector.left_out.items())),
    )


def write_bundle(path: Path = BUNDLE_PATH) -> LiteBundle:
    bundle = analyse()
    path.write_text(json.dumps(bundle.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return bundle
