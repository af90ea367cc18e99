"""MS-OVBA 2.4.1 compression, written because `ms-ovba-compression` 1.0.1 gets it wrong.

That package computes a copy token's maximum length as `0xFFFF << bit_count + 3` instead of
the specification's `(0xFFFF >> bit_count) + 3`. Any match longer than the length field can hold
(common in source code after a few hundred bytes: runs of spaces, repeated `Dim ... As`) is
packed with its high bits spilling into the offset, so the module reads back corrupted. The
`ms-ovba` project writer takes its compressor from that package; `patched_ms_ovba()` swaps in
this one for the duration of a build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

CHUNK = 4096
_SIGNATURE = 0x01
_MIN_MATCH = 3
_MAX_CANDIDATES = 256
"""How far back along a hash chain to look: plenty for VBA source, bounded for speed."""


def _help(difference: int) -> tuple[int, int]:
    """CopyToken Help (MS-OVBA 2.4.1.3.19.1): (bit_count, maximum_length)."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def compress(data: bytes) -> bytes:
    """A CompressedContainer for `data` (MS-OVBA 2.4.1.3.7)."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data, start, min(start + CHUNK, len(data)))
    return bytes(out)


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    body = bytearray()
    chains: dict[bytes, list[int]] = {}
    pos = start
    while pos < end:
        flag_index = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            offset, length = _match(data, start, pos, end, chains)
            if length:
                bit_count, _ = _help(pos - start)
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                body += token.to_bytes(2, "little")
                flags |= 1 << bit
                step = length
            else:
                body.append(data[pos])
                step = 1
            for p in range(pos, pos + step):
                if p + _MIN_MATCH <= end:
                    chains.setdefault(data[p : p + _MIN_MATCH], []).append(p)
            pos += step
        body[flag_index] = flags
    if len(body) > CHUNK:
        # Raw chunk (MS-OVBA 2.4.1.3.10): always 4096 bytes of data.
        header = 0x3000 | (CHUNK - 1)
        return header.to_bytes(2, "little") + data[start:end].ljust(CHUNK, b"\x00")
    header = 0xB000 | (len(body) + 2 - 3)
    return header.to_bytes(2, "little") + bytes(body)


def _match(data: bytes, start: int, pos: int, end: int, chains: dict[bytes, list[int]]) -> tuple[int, int]:
    """Longest earlier match in this chunk, capped at the copy token's maximum length."""
    if pos + _MIN_MATCH > end or pos == start:
        return 0, 0
    candidates = chains.get(data[pos : pos + _MIN_MATCH])
    if not candidates:
        return 0, 0
    _, maximum = _help(pos - start)
    limit = min(maximum, end - pos)
    best_len = 0
    best_pos = 0
    for cand in reversed(candidates[-_MAX_CANDIDATES:]):
        n = _MIN_MATCH
        while n < limit and data[cand + n] == data[pos + n]:
            n += 1
        if n > best_len:
            best_len, best_pos = n, cand
            if n == limit:
                break
    if best_len < _MIN_MATCH:
        return 0, 0
    return pos - best_pos, min(best_len, limit)


def decompress(container: bytes) -> bytes:
    """Inverse of `compress` (MS-OVBA 2.4.1.3.1), for self-checks; olevba is the outside proof."""
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    i = 1
    while i < len(container):
        header = int.from_bytes(container[i : i + 2], "little")
        size = (header & 0x0FFF) + 3
        chunk_end = i + size
        i += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += container[i : i + CHUNK]
            i += CHUNK
            continue
        while i < chunk_end:
            flags = container[i]
            i += 1
            for bit in range(8):
                if i >= chunk_end:
                    break
                if flags & (1 << bit):
                    token = int.from_bytes(container[i : i + 2], "little")
                    i += 2
                    bit_count, _ = _help(len(out) - chunk_start)
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(container[i])
                    i += 1
    return bytes(out)


@contextlib.contextmanager
def patched_ms_ovba() -> Iterator[None]:
    """Make `ms-ovba` compress with this module while the block runs."""
    from ms_ovba_compression.ms_ovba import MsOvba

    original = MsOvba.compress

    def _compress(self: object, data: bytes) -> bytes:
        return compress(data)

    MsOvba.compress = _compress  # type: ignore[method-assign]
    try:
        yield
    finally:
        MsOvba.compress = original  # type: ignore[method-assign]
