"""Actuals from an extract (`xl-brm actuals import`): no re-keying of figures that already exist.

A trust's actuals usually exist as an extract from its EPR or BI warehouse (a benefit or measure
code, a day or month, a number). `import_actuals` reads one (`extract`), works out where each
figure goes in the register and what it changes (`plan`), and writes it there in the trust's
own layout (`write`), long or wide, never half-written and never silently over a value the
register already holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from xl_brm.actuals.extract import ExtractMapping, propose_extract_mapping, read_extract
from xl_brm.actuals.plan import Change, Figure, Plan, RollUp, plan_import, roll_up_method
from xl_brm.api import Options, load
from xl_brm.errors import InputError

__all__ = [
    "Change",
    "ExtractMapping",
    "Figure",
    "Imported",
    "Plan",
    "RollUp",
    "import_actuals",
    "propose_extract_mapping",
    "roll_up_method",
]


@dataclass(slots=True)
class Imported:
    plan: Plan
    written: Path | None
    """The register written (None for a dry run, or when nothing changed)."""


def import_actuals(
    extract: str | Path, register: str | Path, *, mapping: ExtractMapping | None = None,
    options: Options | None = None, overwrite: bool = False, roll_up: RollUp | None = None,
    dry_run: bool = False, out: str | Path | None = None, source: str | None = None,
) -> Imported:
    """Import an extract's figures into a register's measurement cells (see the module).

    `out` writes the updated register to another file (default: the register itself);
    `source` is what the register's source column (or a cell's note) names as the figures'
    origin (default: the extract's file name). Raises `InputError` / `UsageError` /
    `MappingError` when a file cannot be used; bad extract lines are findings on the plan.
    """
    register_path = Path(register)
    options = options or Options()
    read = read_extract(extract, mapping)
    raw, validation = load(register_path, options)
    plan = plan_import(read, raw, validation.register, register_path=register_path,
                       overwrite=overwrite, roll_up=roll_up)
    if dry_run or not any(c.writes for c in plan.changes):
        return Imported(plan, None)
    from xl_brm.actuals.write import write_plan

    target = Path(out) if out is not None else register_path
    label = source or read.path.name

    def check(written: Path) -> None:
        _, again = load(written, options)
        found = {(m.benefit_id, m.period): m.value for ms in again.register.measurements.values() for m in ms}
        for change in plan.changes:
            if not change.writes:
                continue
            f = change.figure
            value = found.get((f.benefit_id, f.period))
            # a cell formatted as a percentage reads as it is shown (0.912 as 91.2)
            if not isinstance(value, float) or not math.isclose(value, f.value, rel_tol=1e-12, abs_tol=1e-9):
                raise InputError(
                    f"the register was not changed: {f.benefit_id} {f.period} did not read back as "
                    f"{f.value:g} from {change.sheet}!{change.cell} (it read {value!r})",
                    path=register_path, hint="please report this; map the sheet with `xl-brm map` and retry")
        if again.benefit_count != validation.benefit_count:
            raise InputError("the register was not changed: it would have read differently afterwards",
                             path=register_path, hint="please report this")

    return Imported(plan, write_plan(plan, target=target, source=label, check=check))
