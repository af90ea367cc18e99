"""Static files xl-brm ships: NHS.UK frontend's compiled CSS (vendored by tools/vendor_nhsuk.py)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

NHSUK_CSS = "nhsuk-frontend.min.css"


@cache
def nhsuk_css() -> str:
    """NHS.UK frontend's styles, with no reference to anything outside the file."""
    return files(__package__).joinpath(NHSUK_CSS).read_text(encoding="utf-8")
