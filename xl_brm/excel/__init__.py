"""Workbooks xl-brm writes with openpyxl: the template, annotated copies, computed copies.

Nothing here evaluates a formula or runs a macro, and every file is written atomically. The
example registers are data, written by `xl_brm.examples`.
"""

from xl_brm.excel.annotate import annotate_copy
from xl_brm.excel.compute_out import write_compute
from xl_brm.excel.template import write_template

__all__ = [
    "annotate_copy",
    "write_compute",
    "write_template",
]
