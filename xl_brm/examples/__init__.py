"""Registers from data: the example trusts (`trusts`), house styles (`style`) and the one writer
that renders them (`writer`, shared with the accuracy harness in `tests/accuracy`), and the
large registers of the benchmarks (`large`, and `dirty`: the same with ~3% of cells spoilt).

Build tooling, not part of reading or validating a register: nothing on the `xl-brm validate`
path imports this package.
"""

from __future__ import annotations

from xl_brm.examples.dirty import Spoilt, write_dirty_register
from xl_brm.examples.large import write_large_register
from xl_brm.examples.trusts import AS_OF, EXAMPLES, Example, Mistake, Planted, write_examples

__all__ = [
    "AS_OF",
    "EXAMPLES",
    "Example",
    "Mistake",
    "Planted",
    "Spoilt",
    "write_dirty_register",
    "write_examples",
    "write_large_register",
]
