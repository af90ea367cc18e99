"""The submission builder as it was before it was made fast: one pydantic object per benefit and
per measurement, every value through `to_json_value`. Kept as the oracle the fast builder must
match byte for byte (`test_sync_build_fast.py`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xl_brm.contract import (
    MEASUREMENT_CELLS,
    BenefitIn,
    ClientInfo,
    MeasurementIn,
    SheetSource,
    SourceInfo,
    SubmissionIn,
)
from xl_brm.enums import ApprovalStatus
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.model import Benefit, Measurement
from xl_brm.normalise import to_json_value
from xl_brm.sync._build import CLIENT_NAME, _columns_with_defaults, _row_of
from xl_brm.table import RawWorkbook

if TYPE_CHECKING:
    from xl_brm.validate import Validation


def legacy_body(raw: RawWorkbook, validation: Validation, *, client_version: str) -> SubmissionIn:
    """The old `build_submission` for a workbook without error findings."""
    from xl_brm.rules import RULES_VERSION

    register = validation.register
    benefits_table = raw.tables["Benefits"]
    trust = register.trust_ods or next(b.trust_ods for b in register.benefits)
    approved = [b for b in register.benefits if b.approval_status is ApprovalStatus.APPROVED]
    benefit_columns = _columns_with_defaults(benefits_table, approved)
    measurements_table = raw.tables.get("Measurements")
    measurement_columns = (
        {c.field: c.letter for c in measurements_table.columns
         if c.field in (*MEASUREMENT_CELLS, "benefit_id")}
        if measurements_table is not None else {}
    )
    body_benefits = [
        BenefitIn(
            row=_row_of(benefit, benefits_table),
            fields=_fields(benefit, benefit_columns),
            measurements=[_measurement(m, measurement_columns)
                          for m in register.measurements.get(benefit.benefit_id, [])],
        )
        for benefit in approved
    ]
    source = SourceInfo(
        path=Path(raw.path).name or "workbook.xlsx",
        benefits=SheetSource(sheet=benefits_table.sheet, header_row=benefits_table.header_row,
                             columns=benefit_columns),
        measurements=(
            SheetSource(sheet=measurements_table.sheet, header_row=measurements_table.header_row,
                        columns=measurement_columns)
            if measurements_table is not None else None
        ),
    )
    return SubmissionIn(
        trust_ods=trust,
        rules_version=RULES_VERSION,
        client=ClientInfo(name=CLIENT_NAME, version=client_version),
        source=source,
        benefits=body_benefits,
    )


def legacy_bytes(body: SubmissionIn) -> bytes:
    """The old `_body_bytes`."""
    data = body.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _fields(benefit: Benefit, columns: dict[str, str]) -> dict[str, Any]:
    return {name: to_json_value(BENEFIT_FIELD[name], getattr(benefit, name))
            for name in columns if name in BENEFIT_FIELD}


def _measurement(m: Measurement, columns: dict[str, str]) -> MeasurementIn:
    cells = {name: to_json_value(MEASUREMENT_FIELD[name], getattr(m, name))
             for name in MEASUREMENT_CELLS if name in columns}
    assert m.row is not None
    return MeasurementIn(row=m.row, **cells)
