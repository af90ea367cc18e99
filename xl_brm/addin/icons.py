"""Ribbon icons for the Office add-in, drawn in code (no binary files in the repo).

Office asks for 16, 32 and 80 pixel PNGs per button; each is a rounded tile in NHS blue with a
simple white glyph, so the buttons can be told apart (a name without a glyph: a plain tile).
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

SIZES = (16, 32, 64, 80)
NHS_BLUE = (0x00, 0x5E, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)


def _glyph(name: str, x: float, y: float) -> bool:
    """Whether the unit-square point (x, y) is inside the icon's glyph."""
    if name == "validate":  # a tick
        return _near(x, y, (0.25, 0.52), (0.43, 0.70)) or _near(x, y, (0.43, 0.70), (0.76, 0.30))
    if name == "compute":  # an equals sign
        return 0.25 < x < 0.75 and (abs(y - 0.4) < 0.06 or abs(y - 0.6) < 0.06)
    if name == "submit":  # an up arrow
        return (abs(x - 0.5) < 0.07 and 0.3 < y < 0.78) or (0.22 < y < 0.5 and abs(x - 0.5) < (y - 0.22))
    if name == "pull":  # a down arrow
        return (abs(x - 0.5) < 0.07 and 0.22 < y < 0.7) or (0.5 < y < 0.78 and abs(x - 0.5) < (0.78 - y))
    if name == "report":  # a page with lines of text
        page = 0.28 < x < 0.72 and 0.2 < y < 0.8 and not (0.34 < x < 0.66 and 0.26 < y < 0.74)
        return page or (0.4 < x < 0.6 and any(abs(y - line) < 0.035 for line in (0.38, 0.5, 0.62)))
    if name == "pane":  # a window with a side panel
        frame = 0.22 < x < 0.78 and 0.25 < y < 0.75 and not (0.28 < x < 0.72 and 0.31 < y < 0.69)
        return frame or (0.55 < x < 0.61 and 0.25 < y < 0.75)
    return False


def _near(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Within the stroke width of the segment a-b."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 < 0.07**2


@lru_cache(maxsize=64)
def icon_png(name: str, size: int) -> bytes:
    """A `size` x `size` RGBA PNG of the named icon."""
    rows = bytearray()
    radius = 0.18
    for py in range(size):
        rows.append(0)  # filter: none
        for px in range(size):
            x, y = (px + 0.5) / size, (py + 0.5) / size
            cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
            inside = (x - cx) ** 2 + (y - cy) ** 2 <= radius**2
            colour = WHITE if _glyph(name, x, y) else NHS_BLUE
            rows += bytes((*colour, 255 if inside else 0))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )
