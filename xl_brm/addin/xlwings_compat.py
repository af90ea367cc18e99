"""Work-arounds for the installed xlwings, each with the reason and how to tell it is gone."""

from __future__ import annotations

import importlib.util
import sys


def skip_pyodide_probe() -> None:
    """Make xlwings' per-cell Pyodide check cheap outside Pyodide.

    xlwings 0.37.8 reads every cell of an Office.js argument through `utils.is_jsnull`, which
    tries `from pyodide.ffi import JsNull` each time. Outside Pyodide that import fails, and a
    failed import is not cached: Python searches sys.path again, about 0.5 ms per cell, so a
    10,000-row table took over 30 s. Marking `pyodide` as absent in `sys.modules` (the
    standard way to block an import) makes each check fail at once. In Pyodide (xlwings Lite)
    the real module is importable and nothing is changed.
    """
    if "pyodide" not in sys.modules and importlib.util.find_spec("pyodide") is None:
        sys.modules["pyodide"] = None  # type: ignore[assignment]
