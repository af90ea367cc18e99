"""The driver: runs the registered checks in stages over one workbook and gathers findings.

Stages, each seeing what the earlier ones read: cells (every cell as its field's type, into
benefit rows and readings) -> rows (each benefit row's own checks) -> tables (across rows and
sheets) -> series (each benefit's measurements) -> benefits (a row with its measurements).
A check belongs to a stage by its scope (`xl_brm.rules._checks`); the engine runs every check
of a scope, so a new check needs no change here.

Decisions where SPEC §6 is silent:
- Register membership: a benefit row joins the Register when every national-core field was
  read (after workbook defaults); a bad optional cell is reported and left None (or its model
  default) so the calculations can still run. A later row repeating a benefit_id is left out.
  Findings are reported whether or not the row joined.
- A Measurements row with a benefit and a period but a blank value is a placeholder for a
  period not yet measured: skipped silently. Blank optional cells are never findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from xl_brm._gc import gc_paused
from xl_brm._speed import plain as plain_wanted
from xl_brm.findings import Finding
from xl_brm.rules._checks import Scope, checks_of
from xl_brm.table import Column, RawRow, RawTable, RawWorkbook
from xl_brm.validate import cells, plausibility, rows, series, tables
from xl_brm.validate._shared import BENEFITS, BenefitRow, Defaults, State
from xl_brm.validate.rows import RowView

if TYPE_CHECKING:  # the typed models (pydantic: a tenth of a second to load) load with a Register
    from xl_brm.model import Register

_REGISTERING = (plausibility, rows)
"""Modules imported for the checks they register."""


def _empty_register() -> Register:
    from xl_brm.model import Register

    return Register()


@dataclass(slots=True)
class Validation:
    """What validation found: the Register of usable rows and every finding, in stage order."""

    findings: list[Finding]
    trust_ods: str | None = None
    """The workbook's trust: `register.trust_ods`, known without building the Register."""
    benefit_count: int = 0
    """`len(register.benefits)`, known without building the Register."""
    measurement_count: int = 0
    """`register.measurement_count`, known without building the Register."""
    left_out: list[tuple[str, str, int]] = field(default_factory=list)
    """(benefit_id, sheet, Excel row) of each benefit whose row could not join the Register (a core
    field unreadable: an unknown benefit type, a blank owner...): reported so that outputs can
    name it rather than drop it in silence."""
    places: Callable[[str], set[tuple[str, int]]] = field(default=lambda _: set(), repr=False)
    """benefit_id -> the (sheet, Excel row) pairs that belong to it (benefit, measurements...)."""
    build_register: Callable[[], Register] = field(default=_empty_register, repr=False)
    """Makes the Register on first use: checking alone (BRM_ISSUES, `xl-brm validate`) needs
    none of its 10k Benefit and 240k Measurement objects."""
    _register: Register | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def register(self) -> Register:
        """The typed Register of the rows that joined it, built once when first read."""
        if self._register is None:
            self._register = self.build_register()
        return self._register

    @property
    def ok(self) -> bool:
        """True when nothing blocks approval or submission (no error findings)."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(f.severity for f in self.findings)
        return {s: tally.get(s, 0) for s in ("error", "warning", "info")}

    def for_benefit(self, benefit_id: str) -> list[Finding]:
        """Findings on a benefit's own row and on its measurement and trajectory rows."""
        places = self.places(benefit_id)
        return [f for f in self.findings if (f.sheet, f.row) in places]


def validate_workbook(
    raw: RawWorkbook,
    *,
    defaults: Defaults | None = None,
    today: date | None = None,
    plain: bool | None = None,
) -> Validation:
    """Validate a workbook the reader (or the national store) built; never raises on bad data.

    `plain=True` runs the plain path (no speed tricks, see `xl_brm._speed`); the default
    follows `XL_BRM_PLAIN`."""
    return Validator(defaults, today, plain=plain).finish(raw)


class Validator:
    """One validation, which may start before the whole workbook is read.

    The reader hands over the Benefits table as soon as it has it (`benefits_read`), and the
    stages that need nothing else run then, while a thread is still parsing the Measurements
    sheet; `finish` runs the rest. The findings come out in the same order either way.
    """

    def __init__(
        self, defaults: Defaults | None = None, today: date | None = None, *, plain: bool | None = None
    ) -> None:
        self._defaults = defaults or Defaults()
        self._today = today or date.today()
        self._plain = plain_wanted() if plain is None else plain
        self._run: _Run | None = None

    def benefits_read(self, so_far: RawWorkbook) -> None:
        """The reader's workbook so far: settings, its findings and the Benefits table."""
        self._run = _Run(State(so_far, self._defaults, self._today, plain=self._plain))
        with gc_paused():
            self._run.benefit_stages()

    @property
    def found_early(self) -> int:
        """How many findings the stages run on the Benefits table alone have found so far."""
        early = self._run.early if self._run is not None else None
        return len(early[0]) + len(early[1]) if early is not None else 0

    def finish(self, raw: RawWorkbook, *, checked: Callable[[str | None], bool] | None = None) -> Validation:
        """The rest of the validation, once the whole workbook is read. `checked(benefit_id)`
        picks the benefits whose own checks with their measurements (the "benefit" stage) run
        here: for a workbook whose Measurements rows are validated in two parts, one per
        process (`xl_brm.validate.parts`); all of them when None."""
        run = self._run
        if run is None or run.state.btable is not raw.tables.get(BENEFITS):
            run = _Run(State(raw, self._defaults, self._today, plain=self._plain))
        else:
            run.state.raw = raw
        run.checked = checked
        with gc_paused():
            findings = list(raw.findings)
            findings.extend(run.run())
        trust, benefits, measurements = run.summary()
        return Validation(
            findings=findings,
            trust_ods=trust,
            benefit_count=benefits,
            measurement_count=measurements,
            left_out=run.left_out(),
            places=run.places,
            build_register=run.register,
        )


def validate_row(
    values: Mapping[str, Any], *, defaults: Defaults | None = None, today: date | None = None
) -> list[Finding]:
    """Check one Benefits row given as canonical field -> raw value (the BRM_VALIDATE function).

    Runs the cell, row and row-level plausibility rules, and the trust check against
    `defaults`; findings name the column but no sheet, row or cell.
    """
    from xl_brm.fields import BENEFIT_FIELD

    columns = [Column(name if name in BENEFIT_FIELD else None, name, i) for i, name in enumerate(values)]
    table = RawTable(BENEFITS, BENEFITS, 1, columns, [RawRow(2, tuple(values.values()))])
    raw = RawWorkbook(path="", tables={BENEFITS: table})
    run = _Run(
        State(raw, defaults or Defaults(), today or date.today(), single_row=True, plain=plain_wanted())
    )
    return [f.replace(sheet=None, row=None, cell=None) for f in run.run()]


class _Run:
    """One validation: runs the stages over a `State`."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.early: tuple[list[Finding], list[Finding]] | None = None
        """Findings of `benefit_stages`: cells (with defaults), rows."""
        self.checked: Callable[[str | None], bool] | None = None
        """The benefits whose "benefit" stage runs (see `Validator.finish`); None: all."""

    def benefit_stages(self) -> tuple[list[Finding], list[Finding]]:
        """Run, once, the stages that read only the defaults and the Benefits table (cells, then
        each row's own checks); `run` reports them in their places."""
        if self.early is None:
            state = self.state
            found = list(cells.defaults(state))
            if state.btable is not None:
                found.extend(cells.benefit_cells(state, state.btable))
            self.early = (found, list(self._row_checks("row", lambda b: None)))
        return self.early

    def _row_checks(self, scope: Scope, measurements: Callable[[BenefitRow], Any],
                    checked: Callable[[str | None], bool] | None = None) -> Iterator[Finding]:
        state = self.state
        every = [(c.codes[0], c.function) for c in checks_of(scope)]
        today, at = state.today, state.at_benefit
        for b in state.benefits:
            if checked is not None and not checked(b.values.get("benefit_id")):
                continue
            view = RowView(b.values, b.bad, today, measurements(b))
            for code, function in every:
                for name, value, params in function(view):
                    yield at(code, b, name, value, params)

    def run(self) -> Iterator[Finding]:
        state = self.state
        found, row_found = self.benefit_stages()
        yield from found
        yield from cells.read_cells(state)
        yield from row_found
        tables.index_benefits(state)
        for table_check in checks_of("table"):
            yield from table_check.function(state)
        yield from series.run_series(state)
        yield from self._row_checks("benefit", self._measurements_of, self.checked)

    def _measurements_of(self, b: BenefitRow) -> Any:
        """A row's benefit's kept measurements, when this row is the benefit's (first) row."""
        state = self.state
        if state.single_row:
            return None
        bid = b.values.get("benefit_id")
        return state.kept(bid) if bid is not None and state.by_id.get(bid) is b else None

    def register(self) -> Register:
        from xl_brm.validate import _models

        with gc_paused():
            return _models.register(self.state)

    def summary(self) -> tuple[str | None, int, int]:
        """(trust, benefits, measurements) of the Register, without building it."""
        state = self.state
        joined = {bid for bid, b in state.by_id.items() if b.complete}
        return state.trust, len(joined), sum(len(state.kept(bid)) for bid in state.readings if bid in joined)

    def left_out(self) -> list[tuple[str, str, int]]:
        """Benefits with a row and an ID that did not join the Register (see `Validation`)."""
        table = self.state.btable
        if table is None:
            return []
        return [(bid, table.sheet, b.row) for bid, b in self.state.by_id.items() if not b.complete]

    def places(self, benefit_id: str) -> set[tuple[str, int]]:
        """The (sheet, Excel row) pairs of a benefit's row and its measurement/trajectory rows."""
        state = self.state
        found: set[tuple[str, int]] = set()
        if state.btable is not None:
            sheet = state.btable.sheet
            found.update((sheet, b.row) for b in state.benefits if b.values.get("benefit_id") == benefit_id)
        if state.mtable is not None:
            found.update((state.mtable.sheet, m.row or 0) for m in state.readings.get(benefit_id, ()))
        if state.ttable is not None:
            found.update((state.ttable.sheet, p[-1]) for p in state.plans.get(benefit_id, ()))
        return found
