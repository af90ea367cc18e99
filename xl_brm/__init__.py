"""xl-brm: benefits realisation management inside NHS trusts' own Excel workbooks.

For analysts: `xl_brm.read_register(path)` gives a register's benefits, measurements and
findings as pandas DataFrames, and `xl_brm.compute(register, as_of=...).to_frame()` its figures
(see `xl_brm.frames`; pandas is the optional extra `xl_brm[pandas]`, loaded only when used).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xl_brm.frames import Figures, RegisterFrames, compute, read_register

__version__ = "0.1.0"

__all__ = ["Figures", "RegisterFrames", "__version__", "compute", "read_register"]

_LAZY = {name: "xl_brm.frames" for name in ("Figures", "RegisterFrames", "compute", "read_register")}


def __getattr__(name: str) -> Any:
    """The DataFrame API, imported on first use: `import xl_brm` stays as light as it was."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
