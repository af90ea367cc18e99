"""`udfs/` (the Excel entry points) depends on `xl_brm`, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth, plus importlib.import_module("...") calls."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def test_xl_brm_never_imports_udfs() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imports(path) if m.split(".")[0] == "udfs")
        for path in (ROOT / "xl_brm").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_udfs_is_built_on_xl_brm() -> None:
    for name in ("functions.py", "ribbon.py"):
        assert any(m.split(".")[0] == "xl_brm" for m in _imports(ROOT / "udfs" / name)), name


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _reachable(start: str) -> dict[str, str]:
    """Every xl_brm module that importing the package `start` can load, at any depth (imports
    inside functions included), each with a module that imports it: a path to explain a failure."""
    seen: dict[str, str] = {}
    todo = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in ROOT.joinpath(*start.split(".")).rglob("*.py")
    ]
    for name in todo:
        seen.setdefault(name, start)
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None:
            continue
        parts = name.split(".")
        wanted = {".".join(parts[:i]) for i in range(1, len(parts))}  # its packages load first
        for module in _imports(path):
            if module.split(".")[0] != "xl_brm":
                continue
            wanted.add(module)
            for sub in _from_names(path, module):
                wanted.add(f"{module}.{sub}")
        for module in wanted:
            if module not in seen and _module_file(module) is not None:
                seen[module] = name
                todo.append(module)
    return seen


def _from_names(path: Path, module: str) -> set[str]:
    """Names taken `from module import ...` in a file (some of them are submodules)."""
    return {
        alias.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == module and not node.level
        for alias in node.names
    }


def _chain(seen: dict[str, str], module: str, start: str) -> list[str]:
    chain = [module]
    while chain[-1] in seen and seen[chain[-1]] != start and len(chain) < 50:
        chain.append(seen[chain[-1]])
    return chain[::-1]


def test_the_sync_client_never_loads_the_national_store() -> None:
    """The client and the store share only the neutral wire contract (`xl_brm.contract`)."""
    seen = _reachable("xl_brm.sync")
    assert "xl_brm.contract" in seen
    leaks = [_chain(seen, m, "xl_brm.sync") for m in seen if m.startswith("xl_brm.national")]
    assert leaks == []


def test_the_national_store_never_loads_the_sync_client() -> None:
    seen = _reachable("xl_brm.national")
    assert "xl_brm.contract" in seen
    leaks = [_chain(seen, m, "xl_brm.national") for m in seen if m.startswith("xl_brm.sync")]
    assert leaks == []


def _module_level_imports(path: Path, name: str) -> set[str]:
    """The xl_brm modules a file loads when it is imported: its module-level imports (not those
    inside functions or under `if TYPE_CHECKING:`), each `from m import x` that names a
    submodule as `m.x`, and its own packages."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(inner, ast.Import):
                found |= {a.name for a in inner.names}
            elif isinstance(inner, ast.ImportFrom):
                base = inner.module or ""
                if inner.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - inner.level + 1]
                                    + ([base] if base else []))
                found.add(base)
                found |= {f"{base}.{a.name}" for a in inner.names}
    return {m for m in found if m.split(".")[0] == "xl_brm" and _module_file(m) is not None}


def test_no_module_level_import_cycles() -> None:
    """Importing any module on its own must work: a cycle of module-level imports fails for
    whichever module happens to be imported first (`display` -> `calc` -> `display`)."""
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "xl_brm").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = {m for m in _module_level_imports(path, name) if m != name}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph and not node.startswith(nxt + "."):  # its own packages load first
                if state.get(nxt) == 1:
                    cycles.append([*stack[stack.index(nxt):], nxt])
                elif nxt not in state:
                    visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []
