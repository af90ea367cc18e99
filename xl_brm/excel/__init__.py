"""Workbooks xl-brm writes with openpyxl: the template, annotated copies, computed copies, examples.

Nothing here evaluates a formula or runs a macro, and every file is written atomically.
"""

from xl_brm.excel.annotate import annotate_copy
from xl_brm.excel.compute_out import write_compute
from xl_brm.excel.examples import write_examples, write_large_register
from xl_brm.excel.template import write_template

__all__ = [
    "annotate_copy",
    "write_compute",
    "write_examples",
    "write_large_register",
    "write_template",
]
