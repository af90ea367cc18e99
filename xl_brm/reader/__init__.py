"""Reading trust workbooks safely and fast (SPEC §4).

`check_safety` refuses hostile or broken files before any parser opens them; `read_workbook`
finds the sheets, header rows and columns and hands the rule engine raw cells in their stored
types; `propose_mapping` and `HeaderMapping` let a trust map its own headers once.

`tables_from_grids` and `table_from_grid` do the same for cell values already in memory (an
open workbook in Excel, a cell function's range). They need no python-calamine, so the file
readers are imported only when first used (everything but the limits is: see `__getattr__`):
`xl_brm.reader.grid` works in Pyodide too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from xl_brm.reader._limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    HEADER_SCAN_ROWS,
    MAX_COMPRESSION_RATIO,
    MAX_GRID_CELLS,
    MAX_MERGED_RANGES,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_TOTAL_BYTES,
    MIN_HEADER_MATCHES,
    RATIO_CHECK_BYTES,
    READER_MEMORY_BYTES,
)

if TYPE_CHECKING:
    from xl_brm.reader._mapping import HeaderMapping, SheetMapping
    from xl_brm.reader._read import GatedReader, propose_mapping, read_workbook
    from xl_brm.reader._safety import SafetyReport, SheetScan, check_safety
    from xl_brm.reader.grid import (
        SheetSource,
        header_columns,
        reader_grid,
        table_from_grid,
        tables_from_grids,
    )

_LAZY = {
    "HeaderMapping": "xl_brm.reader._mapping",
    "SheetMapping": "xl_brm.reader._mapping",
    "SheetSource": "xl_brm.reader.grid",
    "header_columns": "xl_brm.reader.grid",
    "reader_grid": "xl_brm.reader.grid",
    "table_from_grid": "xl_brm.reader.grid",
    "tables_from_grids": "xl_brm.reader.grid",
    "GatedReader": "xl_brm.reader._read",
    "propose_mapping": "xl_brm.reader._read",
    "read_workbook": "xl_brm.reader._read",
    "SafetyReport": "xl_brm.reader._safety",
    "SheetScan": "xl_brm.reader._safety",
    "check_safety": "xl_brm.reader._safety",
}


def __getattr__(name: str) -> Any:
    """Everything but the limits, imported on first use: the file readers (python-calamine,
    defusedxml) only where files are read, and none of it where only a limit is wanted (the
    forked reader of `xl_brm.sandbox` sets its memory limit before it loads anything else)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "HEADER_SCAN_ROWS",
    "MAX_COMPRESSION_RATIO",
    "MAX_GRID_CELLS",
    "MAX_MERGED_RANGES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_TOTAL_BYTES",
    "MIN_HEADER_MATCHES",
    "RATIO_CHECK_BYTES",
    "READER_MEMORY_BYTES",
    "GatedReader",
    "HeaderMapping",
    "SafetyReport",
    "SheetMapping",
    "SheetScan",
    "SheetSource",
    "check_safety",
    "header_columns",
    "propose_mapping",
    "read_workbook",
    "reader_grid",
    "table_from_grid",
    "tables_from_grids",
]
