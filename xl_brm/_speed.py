"""The one switch for xl-brm's speed tricks: `XL_BRM_PLAIN=1` runs the plain path.

The fast paths give the same findings and figures as the plain code they shortcut; the plain
path exists so a test can prove it (tests/rules/test_plain_path.py) and so that a suspected
fast-path bug can be ruled out in the field (`XL_BRM_PLAIN=1 xl-brm validate FILE`).
The tricks, each fenced by this switch:
- `xl_brm._gc.gc_paused`: the cyclic garbage collector paused around bulk work;
- `xl_brm.validate.cells`: Benefits columns read once per distinct value, Measurements rows
  read with memoised look-ups instead of the parsers (a bad cell seen before too: its finding
  is the first one's, moved);
- `xl_brm.validate.series`: checks that can find nothing in a quiet series skip it.
- `xl_brm.json_report`: `validate FILE --format json` rendered by the forked reader, which
  writes the report itself instead of handing the CLI its findings (and `xl_brm.launch`
  hands the reader that work without loading the command line);
- `xl_brm._halves`: a report with thousands of findings said and written in two halves, the
  second in a forked copy, on the machine's two cores;
- `xl_brm.validate.parts`: a dirty register of 50k measurements or more validated in two parts
  side by side, its Measurements rows cut where no benefit's rows lie on both sides.
`validate_workbook(..., plain=True)` asks for the plain path for one call.
"""

from __future__ import annotations

import os

PLAIN_ENV = "XL_BRM_PLAIN"


def plain() -> bool:
    """True when the environment asks for the plain path."""
    return os.environ.get(PLAIN_ENV, "") not in ("", "0")
