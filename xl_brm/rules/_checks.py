"""Where each rule is checked: every catalogue code has exactly one registered check.

A check is registered with `@check(code, ...)` beside the code that does it, in a module named
for what it looks at (`xl_brm.validate.rows`, `.series`, `xl_brm.reader.grid`, ...). Most checks
answer one code; a few answer a family of codes that are outcomes of one test (a cell parser
refuses a number with BRM201 or BRM214). `every_check()` imports `CHECK_MODULES` and returns the
registry, so a test can prove that the catalogue and the checks match, code for code.

Scopes say what a check sees and so when the engine runs it (see `docs/rules-engine.md`):
- "reader": the workbook's structure, while it is read (`xl_brm.reader`, `xl_brm.api`);
- "cell": one cell as its field's type (the parsers of `xl_brm.normalise`, `validate.cells`);
- "row": one benefit row's values together (`validate.rows`, `validate.plausibility`);
- "benefit": a benefit row with its measurements, once they are read (`validate.rows`);
- "table": a whole sheet, or two sheets together (`validate.tables`);
- "series": one benefit's measurements, in period order (`validate.series`);
- "store", "import": the national store's and `xl-brm actuals import`'s own checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

Scope = Literal["reader", "cell", "row", "benefit", "table", "series", "store", "import"]

CHECK_MODULES = (
    "xl_brm.api",
    "xl_brm.reader.grid",
    "xl_brm.reader.wide",
    "xl_brm.validate",
    "xl_brm.actuals.plan",
    "xl_brm.national.ingest",
)
"""Every module that registers a check (importing them fills the registry)."""


@dataclass(frozen=True, slots=True)
class Check:
    codes: tuple[str, ...]
    scope: Scope
    function: Callable[..., Any]
    quiet: bool = False
    """Series checks: True when the check can find nothing in a quiet series (see
    `xl_brm.validate.series.quiet`), so the engine may skip it there. A check that does not
    say so runs on every series: a new check is never skipped silently."""

    @property
    def where(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


CHECKS: dict[str, Check] = {}
"""Code -> the check that reports it."""

_F = TypeVar("_F", bound=Callable[..., Any])


def check(*codes: str, scope: Scope, quiet: bool = False) -> Callable[[_F], _F]:
    """Register the decorated function as the one check of `codes`."""

    def register(function: _F) -> _F:
        entry = Check(codes, scope, function, quiet)
        for code in codes:
            known = CHECKS.get(code)
            if known is not None and known.function is not function:
                raise RuntimeError(f"{code} is checked twice: by {known.where} and by {entry.where}")
            CHECKS[code] = entry
        return function

    return register


def checks_of(scope: Scope) -> list[Check]:
    """The checks of one scope, each once, in the order they were registered."""
    seen: dict[int, Check] = {}
    for entry in CHECKS.values():
        if entry.scope == scope:
            seen.setdefault(id(entry.function), entry)
    return list(seen.values())


def every_check() -> dict[str, Check]:
    """The whole registry, after importing every module that registers checks."""
    for name in CHECK_MODULES:
        importlib.import_module(name)
    return CHECKS
