"""The one rule engine: raw sheets in, a typed Register and located findings out (SPEC §6).

Each rule of the catalogue (`xl_brm.rules`) is checked by one function, registered with its
code beside the code like it (`xl_brm.rules._checks`):

- `cells`: every cell read as its field's type (BRM2xx, BRM101 and BRM210);
- `rows`: one benefit's fields together (BRM3xx);
- `tables`: across rows and sheets (BRM401, BRM402, BRM406, BRM409, BRM410);
- `series`: one benefit's measurements in period order (BRM403-BRM405, BRM407, BRM408, BRM501,
  BRM504);
- `plausibility`: likely slips in one row (BRM502, BRM503, BRM505).

`_engine` runs them in stages; `_models` builds the typed Register; `xl_brm._speed` fences
the speed tricks behind one switch. How to add a rule: docs/rules-engine.md.
"""

from xl_brm.validate._engine import Validation, Validator, validate_row, validate_workbook
from xl_brm.validate._shared import Defaults
from xl_brm.validate._shared import Reading as _Reading
from xl_brm.validate.series import HISTORY_MONTHS

__all__ = ["Defaults", "Validation", "Validator", "validate_row", "validate_workbook"]

_ = (_Reading, HISTORY_MONTHS)  # as validate.py offered them (tests use them)
