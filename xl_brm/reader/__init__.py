"""Reading trust workbooks safely and fast (SPEC §4).

`check_safety` refuses hostile or broken files before any parser opens them; `read_workbook`
finds the sheets, header rows and columns and hands the rule engine raw cells in their stored
types; `propose_mapping` and `HeaderMapping` let a trust map its own headers once.
"""

from xl_brm.reader._limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    HEADER_SCAN_ROWS,
    MAX_COMPRESSION_RATIO,
    MAX_GRID_CELLS,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_TOTAL_BYTES,
    MIN_HEADER_MATCHES,
    RATIO_CHECK_BYTES,
)
from xl_brm.reader._mapping import HeaderMapping, SheetMapping
from xl_brm.reader._read import propose_mapping, read_workbook
from xl_brm.reader._safety import SafetyReport, SheetScan, check_safety

__all__ = [
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "HEADER_SCAN_ROWS",
    "MAX_COMPRESSION_RATIO",
    "MAX_GRID_CELLS",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_TOTAL_BYTES",
    "MIN_HEADER_MATCHES",
    "RATIO_CHECK_BYTES",
    "HeaderMapping",
    "SafetyReport",
    "SheetMapping",
    "SheetScan",
    "check_safety",
    "propose_mapping",
    "read_workbook",
]
