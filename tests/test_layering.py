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
