"""The library's front door: read a workbook, validate it, compute it. The CLI, the ribbon
scripts and the sync client all come through here, so each does the same thing the same way.

The rule engine is imported when first used, so that a caller can start reading a file first
(see `xl_brm.sandbox`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from xl_brm.errors import InputError, XlBrmError
from xl_brm.findings import FileReport, Finding
from xl_brm.rules import RULES
from xl_brm.rules._checks import check
from xl_brm.table import RawWorkbook

if TYPE_CHECKING:
    from xl_brm.computation import Computation
    from xl_brm.periods import Period
    from xl_brm.reader import HeaderMapping
    from xl_brm.validate import Defaults, Validation, Validator

UNREADABLE = "BRM100"
"""Code of the one finding a file gets when it cannot be read at all."""


@dataclass(frozen=True, slots=True)
class Options:
    """How to read a workbook: a saved header mapping and workbook-wide defaults."""

    mapping: Path | None = None
    defaults: Defaults | None = None


class Reader(Protocol):
    def __call__(
        self, path: str | Path, *, mapping: HeaderMapping | None = None,
        on_benefits: Callable[[RawWorkbook], None] | None = None,
    ) -> RawWorkbook: ...


def load(
    path: str | Path, options: Options = Options(), *, read: Reader | None = None, worded: bool = True
) -> tuple[RawWorkbook, Validation]:
    """Read and validate one workbook. Raises `InputError` when the file cannot be used.
    `read` replaces `read_workbook` (the CLI's sandbox reads while the gate runs elsewhere).
    `worded=False` leaves the findings in the engine's words, for the caller to put in the
    trust's words (`placed`)."""
    raw, early = started(path, options, read=read)
    validation = early.finish(raw)
    return raw, placed(raw, validation) if worded else validation


def started(path: str | Path, options: Options = Options(), *,
            read: Reader | None = None) -> tuple[RawWorkbook, EarlyStart]:
    """Read one workbook, its Benefits sheet validated as soon as it was read; the validation's
    `finish` is the caller's. Raises `InputError` when the file cannot be used."""
    from xl_brm.reader import HeaderMapping, read_workbook

    mapping = HeaderMapping.load(options.mapping) if options.mapping else None
    early = EarlyStart(options.defaults)
    raw = (read or read_workbook)(path, mapping=mapping, on_benefits=early)
    return raw, early


def placed(raw: RawWorkbook, validation: Validation) -> Validation:
    """The validation with findings in the trust's words (its headings, `xl_brm.wording`) and
    those on tables the reader assembled (periods across the page) moved to the trust's own
    cells (see `xl_brm.reader.wide`)."""
    from xl_brm._gc import gc_paused
    from xl_brm.reader.wide import relocate
    from xl_brm.wording import in_trust_words

    with gc_paused():  # a finding said again per finding: 90k objects that form no cycles
        validation.findings[:] = relocate(raw, in_trust_words(raw, validation.findings))
    return validation


class EarlyStart:
    """Starts validating the Benefits table as soon as the reader has it, while the other
    sheets are still being parsed; the engine is imported only then (see the module docstring)."""

    def __init__(self, defaults: Defaults | None) -> None:
        self._defaults = defaults
        self._validator: Validator | None = None

    def __call__(self, so_far: RawWorkbook) -> None:
        from xl_brm.validate import Validator

        self._validator = Validator(self._defaults)
        self._validator.benefits_read(so_far)

    @property
    def found_early(self) -> int:
        """Findings of the Benefits table so far (`Validator.found_early`)."""
        return self._validator.found_early if self._validator is not None else 0

    def finish(self, raw: RawWorkbook, *, checked: Callable[[str | None], bool] | None = None) -> Validation:
        """The rest of the validation (`Validator.finish`)."""
        from xl_brm.validate import Validator

        return (self._validator or Validator(self._defaults)).finish(raw, checked=checked)


def report_for(path: str | Path, raw: RawWorkbook, validation: Validation) -> FileReport:
    """The `xl-brm validate` report of a workbook that was read (counts only: building the
    typed Register would cost more than validating)."""
    return FileReport(
        path=str(path),
        trust_ods=validation.trust_ods,
        benefits=validation.benefit_count,
        measurements=validation.measurement_count,
        issues=ordered(validation.findings),
        unmapped=local_headers(raw),
    )


def local_headers(raw: RawWorkbook) -> list[str]:
    """The headers kept as the trust's own fields (a report's `unmapped`)."""
    return sorted({c.header for t in raw.tables.values() for c in t.columns if c.field is None})


@check(UNREADABLE, scope="reader")
def unreadable_report(path: str | Path, error: InputError) -> FileReport:
    """A file that could not be read gets one error finding naming the file and what to do."""
    finding = RULES[UNREADABLE].finding(detail=str(error))
    return FileReport(path=str(path), issues=[finding])


def validate_file(
    path: str | Path,
    options: Options = Options(),
    *,
    annotate_dir: Path | None = None,
    read: Reader | None = None,
) -> FileReport:
    """Validate one workbook (and write an annotated copy into `annotate_dir` if given).

    An unreadable file becomes a report with one finding, never an exception, so that one bad
    file in a folder never stops the others. A copy that cannot be written leaves the findings
    as they are and says why on `annotate_error`.
    """
    try:
        raw, validation = load(path, options, read=read)
    except InputError as error:
        return unreadable_report(path, error)
    report = report_for(path, raw, validation)
    if annotate_dir is not None:
        from xl_brm.excel.annotate import annotate_copy

        try:
            annotate_copy(Path(path), annotate_dir, report.issues)
        except Exception as error:  # whatever stops the copy, the findings stand
            report.annotate_error = _copy_failure(path, error)
    return report


def _copy_failure(path: str | Path, error: Exception) -> str:
    if isinstance(error, XlBrmError):
        return f"no annotated copy written: {error}"
    what = "needs more memory than a reader may use" if isinstance(error, MemoryError) else \
        f"{type(error).__name__}: {error}"
    return f"{Path(path).name}: no annotated copy written ({what})"


def ordered(findings: list[Finding]) -> list[Finding]:
    """Findings as a report lists them: by sheet, row, cell and code."""
    return sorted(findings, key=_finding_order)


def _finding_order(finding: Finding) -> tuple[str, int, str, str]:
    return (finding.sheet or "", finding.row or 0, finding.cell or "", finding.code)


def compute_file(
    path: str | Path, options: Options = Options(), read: Reader | None = None, *,
    as_of: Period | None = None, base_fy: int | None = None, smooth: bool = False,
    out: Path | None = None,
) -> Computation:
    """`xl-brm compute` and `report`: the workbook read, validated and computed as of `as_of`
    (default: its latest period with data), and the computed copy written to `out` when asked.
    `read` as for `load`."""
    from xl_brm.computation import compute

    _raw, validation = load(path, options, read=read)
    computed = compute(validation, as_of=as_of, base_fy=base_fy, smooth=smooth)
    if out is not None:
        from xl_brm.excel.compute_out import write_compute

        write_compute(Path(path), out, computed)
    return computed
