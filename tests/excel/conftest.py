"""Fixtures for the Excel layer, run through xlwings' own Office.js machinery.

`XLWINGS_ON_SERVER=true` and `XLWINGS_LICENSE_KEY=noncommercial` are set here for these tests
only (a monkeypatch for the session of tests/excel), before udfs is imported, so the cell
functions and ribbon scripts carry xlwings Server's decorations exactly as under
`xl-brm addin serve`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def xlwings_server() -> Iterator[ModuleType]:
    """xlwings imported in server mode (reloaded if something imported it before)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLWINGS_ON_SERVER", "true")
        mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        from xl_brm.addin.xlwings_compat import skip_pyodide_probe

        skip_pyodide_probe()  # as the add-in server does
        import xlwings

        if not xlwings.on_server:
            xlwings = importlib.reload(xlwings)
        for name in ("udfs.functions", "udfs.ribbon"):
            sys.modules.pop(name, None)
        yield xlwings


@pytest.fixture(scope="session")
def functions(xlwings_server: ModuleType) -> ModuleType:
    return importlib.import_module("udfs.functions")


@pytest.fixture(scope="session")
def ribbon(xlwings_server: ModuleType) -> ModuleType:
    return importlib.import_module("udfs.ribbon")


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example trust registers (with their planted mistakes)."""
    from xl_brm.examples import write_examples

    folder = tmp_path_factory.mktemp("examples")
    write_examples(folder)
    return folder
