"""Turn a validated workbook into the body of `POST /v1/submissions`.

Only approved benefits are sent, with their measurements; local (trust-only) columns never are.
Any error finding anywhere in the workbook blocks the whole submission: the store would reject
those rows, and a half-submitted register is worse than none. Each value is sent as its
canonical JSON value (dates ISO, enums canonical) together with the row numbers and column
letters of the workbook, so the store rebuilds the same cells and its findings name the same
places as `xl-brm validate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xl_brm.enums import ApprovalStatus
from xl_brm.errors import SyncError
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, content_hash
from xl_brm.national.schemas import (
    MEASUREMENT_CELLS,
    BenefitIn,
    ClientInfo,
    MeasurementIn,
    SheetSource,
    SourceInfo,
    SubmissionIn,
)
from xl_brm.normalise import to_json_value
from xl_brm.sync._version import client_version as installed_version
from xl_brm.table import RawTable, RawWorkbook, column_letter

if TYPE_CHECKING:
    from xl_brm.validate import Validation

CLIENT_NAME = "xl-brm"
MAX_LISTED = 20
"""How many blocking cells an error message lists before saying 'and N more'."""


@dataclass(slots=True)
class Prepared:
    """A submission body and the local content hash of every approved benefit in it."""

    body: SubmissionIn
    hashes: dict[str, str] = field(default_factory=dict)
    """benefit_id -> `content_hash` of the benefit and its measurements, as parsed locally."""

    def only(self, benefit_ids: Iterable[str]) -> Prepared:
        """The same submission narrowed to some benefits (the ones that changed)."""
        keep = set(benefit_ids)
        benefits = [b for b in self.body.benefits if b.fields.get("benefit_id") in keep]
        body = self.body.model_copy(update={"benefits": benefits})
        return Prepared(body=body, hashes={k: v for k, v in self.hashes.items() if k in keep})


def blocking_errors(raw: RawWorkbook, validation: Validation) -> list[Finding]:
    """Every error finding of the workbook, structural ones included, each once."""
    seen: dict[tuple[Any, ...], Finding] = {}
    for finding in (*raw.findings, *validation.findings):
        if finding.severity == "error":
            key = (finding.code, finding.sheet, finding.row, finding.cell, finding.message)
            seen.setdefault(key, finding)
    return list(seen.values())


def _describe(findings: list[Finding]) -> str:
    parts = []
    for f in findings[:MAX_LISTED]:
        where = "!".join(p for p in (f.sheet, f.cell or (f"row {f.row}" if f.row else None)) if p)
        parts.append(f"{where or 'workbook'} {f.code}")
    more = len(findings) - MAX_LISTED
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def prepare(
    raw: RawWorkbook, validation: Validation, *, client_version: str | None = None
) -> Prepared:
    """`build_submission` plus the local content hash of each benefit sent."""
    errors = blocking_errors(raw, validation)
    if errors:
        raise SyncError(
            f"{Path(raw.path).name}: {len(errors)} error(s) block submission: {_describe(errors)}",
            hint="fix them (run `xl-brm validate` for the details) and submit again",
        )
    from xl_brm.rules import RULES_VERSION

    register = validation.register
    benefits_table = raw.tables.get("Benefits")
    if benefits_table is None:
        raise SyncError(f"{Path(raw.path).name}: no Benefits sheet to submit")
    trust = register.trust_ods or next((b.trust_ods for b in register.benefits), None)
    if not trust:
        raise SyncError(
            f"{Path(raw.path).name}: the trust's ODS code is not known",
            hint="add a trust_ods column, a 'BRM Settings' sheet, or pass --trust",
        )
    approved = [b for b in register.benefits if b.approval_status is ApprovalStatus.APPROVED]
    others = sorted({b.trust_ods for b in approved} - {trust})
    if others:
        raise SyncError(
            f"{Path(raw.path).name}: approved benefits belong to more than one trust "
            f"({', '.join([trust, *others])})",
            hint="submit each trust's register from its own workbook",
        )

    benefit_columns = _columns_with_defaults(benefits_table, approved)
    measurements_table = raw.tables.get("Measurements")
    measurement_columns = (
        {
            c.field: c.letter
            for c in measurements_table.columns
            if c.field in (*MEASUREMENT_CELLS, "benefit_id")
        }
        if measurements_table is not None
        else {}
    )

    body_benefits: list[BenefitIn] = []
    hashes: dict[str, str] = {}
    for benefit in approved:
        measurements = register.measurements.get(benefit.benefit_id, [])
        hashes[benefit.benefit_id] = content_hash(benefit, measurements)
        body_benefits.append(
            BenefitIn(
                row=_row_of(benefit, benefits_table),
                fields=_fields(benefit, benefit_columns),
                measurements=[_measurement(m, measurement_columns) for m in measurements],
            )
        )

    source = SourceInfo(
        path=Path(raw.path).name or "workbook.xlsx",
        benefits=SheetSource(
            sheet=benefits_table.sheet,
            header_row=benefits_table.header_row,
            columns=benefit_columns,
        ),
        measurements=(
            SheetSource(
                sheet=measurements_table.sheet,
                header_row=measurements_table.header_row,
                columns=measurement_columns,
            )
            if measurements_table is not None
            else None
        ),
    )
    body = SubmissionIn(
        trust_ods=trust,
        rules_version=RULES_VERSION,
        client=ClientInfo(name=CLIENT_NAME, version=client_version or installed_version()),
        source=source,
        benefits=body_benefits,
    )
    return Prepared(body=body, hashes=hashes)


def build_submission(
    raw: RawWorkbook, validation: Validation, *, client_version: str | None = None
) -> SubmissionIn:
    """The body of `POST /v1/submissions` for a workbook: approved rows only.

    Raises `SyncError` listing the cells when the workbook has any error finding.
    """
    return prepare(raw, validation, client_version=client_version).body


def _columns_with_defaults(table: RawTable, approved: list[Benefit]) -> dict[str, str]:
    """Canonical field -> column letter; a core field filled from a workbook-wide default
    (a `BRM Settings` sheet or `--trust`) gets a column just past the sheet's last one, so the
    store rebuilds the same value and the same content hash."""
    columns = {c.field: c.letter for c in table.columns if c.field is not None}
    next_index = max((c.index for c in table.columns), default=-1) + 1
    if not approved:
        return columns
    for name in ("trust_ods", "programme"):
        if name not in columns:
            columns[name] = column_letter(next_index)
            next_index += 1
    return columns


def _fields(benefit: Benefit, columns: dict[str, str]) -> dict[str, Any]:
    """The benefit's canonical JSON value for every field that has a column, in the form that
    reads back to the same value (`to_json_value`: 0.5% stays 0.5%, never 50%)."""
    return {
        name: to_json_value(BENEFIT_FIELD[name], getattr(benefit, name))
        for name in columns
        if name in BENEFIT_FIELD
    }


def _row_of(benefit: Benefit, table: RawTable) -> int:
    if benefit.row is not None:
        return benefit.row
    position = table.position("benefit_id")
    if position is not None:
        for raw_row in table.rows:
            cell = raw_row.values[position]
            if cell is not None and str(cell).strip() == benefit.benefit_id:
                return raw_row.row
    raise SyncError(f"cannot tell which Benefits row holds {benefit.benefit_id!r}")


def _measurement(m: Measurement, columns: dict[str, str]) -> MeasurementIn:
    if m.row is None:
        raise SyncError(f"cannot tell which Measurements row holds {m.benefit_id} {m.period}")
    cells = {
        name: to_json_value(MEASUREMENT_FIELD[name], getattr(m, name))
        for name in MEASUREMENT_CELLS
        if name in columns
    }
    return MeasurementIn(row=m.row, **cells)
