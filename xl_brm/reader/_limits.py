"""Limits of the safety gate and the reader. Module constants so a deployment can see them.

They bound what an untrusted workbook may cost before any parser sees it: a 1 MB zip can expand
to gigabytes, and one stray cell far from the data makes some readers allocate the whole grid.
"""

from __future__ import annotations

MiB = 1024 * 1024

MAX_PARTS = 10_000
"""Most files (parts) a workbook's zip may hold; real workbooks hold tens."""

MAX_PART_BYTES = 256 * MiB
"""Largest declared uncompressed size of any one part."""

MAX_TOTAL_BYTES = 512 * MiB
"""Largest declared uncompressed size of all parts together."""

MAX_COMPRESSION_RATIO = 200
"""Largest uncompressed/compressed ratio of a part bigger than `RATIO_CHECK_BYTES`.
Real sheet XML compresses 5-30 times; a zip bomb compresses about a thousand times."""

RATIO_CHECK_BYTES = 10 * MiB
"""Parts smaller than this are never refused for their ratio (small XML can compress well)."""

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
"""Excel's own grid (A1:XFD1048576): a cell beyond it means a damaged or crafted file."""

MAX_GRID_CELLS = EXCEL_MAX_ROWS * 16
"""Largest rectangle from A1 to a sheet's farthest cell. Readers allocate the whole rectangle
(python-calamine aborts the process when it cannot: calamine issue 693), so one stray cell at
XFD1048576 makes a 1 KB file cost 17 billion cells. Every row Excel has, 16 columns wide
(16.8 million cells): a grid costs about 42 bytes a cell to read even where it is empty, so
an empty grid of this size needs about 700 MB, within `READER_MEMORY_BYTES`."""

MAX_MERGED_RANGES = 100_000
"""Most merged ranges one sheet may hold; registers hold tens. Each costs the readers objects
(python-calamine lists them all) and annotating looks each one up."""

MAX_STRUCTURE_BYTES = 16 * MiB
"""Largest part that says where the sheets are (relationships, the workbook part), which the
gate reads whole: Excel's are kilobytes, a few megabytes with thousands of defined names."""

MAX_UNREAD_CELLS = 1_000_000
"""Most formula cells without a cached value and Excel error cells a workbook may hold: the
gate keeps each one to put it back where python-calamine reads a blank."""

SHARED_STRINGS_SLACK = 10_000
"""How far a shared-strings part's declared `uniqueCount` may exceed twice the strings it holds
(python-calamine reserves memory for the declared count before reading any)."""

SCAN_CHUNK_BYTES = 4 * MiB
"""How much decompressed XML the gate inspects at a time (memory stays flat)."""

MAX_TAG_BYTES = 1 * MiB
"""Longest cell or row start tag the exact pass waits for across chunks; Excel's are tens of bytes."""

READER_MEMORY_BYTES = 1280 * MiB
"""Memory a forked reader may use (its data segment: `RLIMIT_DATA`), so that a command and its
reader stay under 1.5 GB. Validating the 50k-benefit, 1M-row benchmark register needs about
960 MB (computing it, about 1.5 GB); past the limit the reader stops with a clear message
instead of taking the machine down. `XL_BRM_READER_MEMORY_MB` overrides it."""

HEADER_SCAN_ROWS = 30
"""How many rows from the top of a sheet may hold title rows above the header."""

MIN_HEADER_MATCHES = 2
"""A header row must name at least this many canonical fields of its sheet."""
