"""Turn a validated workbook into the body of `POST /v1/submissions`.

Only approved benefits are sent, with their measurements; local (trust-only) columns never are.
Any error finding anywhere in the workbook blocks the whole submission: the store would reject
those rows, and a half-submitted register is worse than none. Each value is sent as its
canonical JSON value (dates ISO, enums canonical) together with the row numbers and column
letters of the workbook, so the store rebuilds the same cells and its findings name the same
places as `xl-brm validate`.

A 10k-benefit register carries about 240k measurements, so the body is built as plain JSON data
(exactly what `SubmissionIn.model_dump(mode="json")` gives) rather than one pydantic object per
row, with each repeated value (a period, an evidence grade) converted once. What the schema would
refuse is still refused here, before anything is written or sent: the benefits through
`SubmissionIn` itself, the measurements by `_checked` (the same limits, without 240k objects).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from xl_brm import display
from xl_brm._gc import gc_paused
from xl_brm.contract import (
    MAX_TEXT,
    MEASUREMENT_CELLS,
    JsonScalar,
    MeasurementIn,
    SubmissionIn,
)
from xl_brm.enums import ApprovalStatus
from xl_brm.errors import SubmissionBlocked, SyncError
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD, Field
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, content_hash
from xl_brm.normalise import to_json_value
from xl_brm.periods import Period
from xl_brm.sync._version import client_version as installed_version
from xl_brm.table import RawTable, RawWorkbook, column_letter

if TYPE_CHECKING:
    from xl_brm.validate import Validation

CLIENT_NAME = "xl-brm"
MAX_LISTED = 20
"""How many blocking cells an error message lists before saying 'and N more'."""


MAX_ROW = 1_048_576
"""Excel's last row: the schema's limit on a row number."""

_SCALAR: TypeAdapter[Any] = TypeAdapter(JsonScalar)
_PLAIN = frozenset({str, int, float, bool})
_MISSING = object()
_USUAL_KEYS = ("row", "period", "value", "source", "evidence_grade", "note")
"""`MeasurementIn`'s fields, in order: the keys of each measurement sent."""


class Prepared:
    """A submission body and the local content hash of every approved benefit in it.

    `data` is the body as JSON data, exactly `SubmissionIn.model_dump(mode="json")`: that is what
    is sent. `body` is the same as a `SubmissionIn`, validated the first time it is asked for
    (seconds on a 240k-measurement register, so sending never asks for it).
    """

    __slots__ = ("_body", "data", "hashes")

    def __init__(
        self,
        body: SubmissionIn | None = None,
        hashes: dict[str, str] | None = None,
        *,
        data: dict[str, Any] | None = None,
    ) -> None:
        if data is None:
            if body is None:
                raise TypeError("Prepared needs a body or its data")
            data = body.model_dump(mode="json")
        self.data: dict[str, Any] = data
        self.hashes: dict[str, str] = {} if hashes is None else hashes
        """benefit_id -> `content_hash` of the benefit and its measurements, as parsed locally."""
        self._body = body

    @property
    def body(self) -> SubmissionIn:
        if self._body is None:
            self._body = SubmissionIn.model_validate(self.data)
        return self._body

    @property
    def trust_ods(self) -> str:
        return str(self.data["trust_ods"])

    @property
    def source_path(self) -> str:
        return str(self.data["source"]["path"])

    def only(self, benefit_ids: Iterable[str]) -> Prepared:
        """The same submission narrowed to some benefits (the ones that changed)."""
        keep = set(benefit_ids)
        benefits = [b for b in self.data["benefits"] if b["fields"].get("benefit_id") in keep]
        return Prepared(
            data={**self.data, "benefits": benefits},
            hashes={k: v for k, v in self.hashes.items() if k in keep},
        )

    def to_bytes(self) -> bytes:
        """The exact bytes sent: ASCII JSON (non-ASCII as \\u escapes), no spaces, so the state
        file can hold them as text and resend them byte for byte."""
        return json.dumps(self.data, ensure_ascii=True, separators=(",", ":")).encode("ascii")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Prepared):
            return NotImplemented
        return self.data == other.data and self.hashes == other.hashes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Prepared(trust_ods={self.data.get('trust_ods')!r}, "
                f"benefits={len(self.data.get('benefits', []))})")


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
    with gc_paused():
        return _prepare(raw, validation, client_version=client_version)


def _prepare(
    raw: RawWorkbook, validation: Validation, *, client_version: str | None
) -> Prepared:
    errors = blocking_errors(raw, validation)
    if errors:
        raise SubmissionBlocked(
            f"{Path(raw.path).name}: submission blocked by {display.count(len(errors), 'error')}: "
            f"{_describe(errors)}",
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

    convert = _Converter()
    benefit_cells = [(name, BENEFIT_FIELD[name]) for name in benefit_columns if name in BENEFIT_FIELD]
    measurement_cells = [
        (name, MEASUREMENT_FIELD[name] if name in measurement_columns else None)
        for name in MEASUREMENT_CELLS
    ]
    hashes: dict[str, str] = {}
    groups: list[list[Measurement]] = []
    for benefit in approved:
        measurements = register.measurements.get(benefit.benefit_id, [])
        hashes[benefit.benefit_id] = content_hash(benefit, measurements)
        groups.append(measurements)
    body_benefits: list[dict[str, Any]] = [
        {
            "row": _row_of(benefit, benefits_table),
            "fields": {name: convert(spec, getattr(benefit, name)) for name, spec in benefit_cells},
            "measurements": sent,
        }
        for benefit, sent in zip(
            approved, _measurement_lists(groups, measurement_cells, convert), strict=True
        )
    ]

    data: dict[str, Any] = {
        "trust_ods": trust,
        "rules_version": RULES_VERSION,
        "client": {"name": CLIENT_NAME, "version": client_version or installed_version()},
        "source": {
            "path": Path(raw.path).name or "workbook.xlsx",
            "benefits": {
                "sheet": benefits_table.sheet,
                "header_row": benefits_table.header_row,
                "columns": benefit_columns,
            },
            "measurements": (
                {
                    "sheet": measurements_table.sheet,
                    "header_row": measurements_table.header_row,
                    "columns": measurement_columns,
                }
                if measurements_table is not None
                else None
            ),
        },
        "benefits": body_benefits,
    }
    _check_outline(raw, data, measurements=any(groups))
    return Prepared(data=data, hashes=hashes)


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


class _Converter:
    """`to_json_value` with each repeated value (a period, an enum member, a date) converted
    once: a register repeats the same few dozen periods and grades across 240k rows."""

    __slots__ = ("_memo", "_memoisable")

    def __init__(self) -> None:
        self._memo: dict[tuple[str, type, Any], Any] = {}
        self._memoisable: dict[type, bool] = {}

    def __call__(self, spec: Field, value: Any) -> Any:
        if value is None:
            return None
        kind = spec.kind
        kind_of = type(value)
        if kind_of in _PLAIN:  # never memoised: 0.0 == -0.0, but their JSON differs
            if kind == "percent":
                return f"{value!r}%"
            return value if kind != "period" else _plain(to_json_value(spec, value))
        memoisable = self._memoisable.get(kind_of)
        if memoisable is None:
            memoisable = self._memoisable[kind_of] = _equal_means_same_json(kind_of)
        if not memoisable:
            return _plain(to_json_value(spec, value))
        key = (kind, kind_of, value)
        out = self._memo.get(key, _MISSING)
        if out is _MISSING:
            out = self._memo[key] = _plain(to_json_value(spec, value))
        return out


def _equal_means_same_json(kind_of: type) -> bool:
    """Types whose equal values always convert alike (not datetime: equal instants in two time
    zones write different text)."""
    return kind_of is Period or kind_of is date or issubclass(kind_of, Enum)


def _plain(value: Any) -> Any:
    """A converted value as the schema's JSON form holds it: JSON scalars as they are, any other
    type through the schema's own `JsonScalar` (what a `BenefitIn` would have made of it)."""
    if value is None or type(value) in _PLAIN:
        return value
    try:
        return _SCALAR.dump_python(_SCALAR.validate_python(value), mode="json")
    except ValidationError:
        raise SyncError(f"a value of type {type(value).__name__} cannot be sent: {value!r}") from None


def _measurement_lists(
    groups: list[list[Measurement]], cells: Sequence[tuple[str, Field | None]], convert: _Converter
) -> list[list[dict[str, Any]]]:
    """Each group's measurements as `MeasurementIn.model_dump(mode="json")` would give them
    (every cell present, None where the sheet has no column), checked against `MeasurementIn`'s
    limits and the body's rule of one measurement per row.

    The hot loop of a big submission, so it works a column at a time over every row: a column
    of plain values (numbers, text, blanks) is kept as it is, as `to_json_value` would leave it,
    and any other value object (the reader shares one Period per month) is converted once."""
    flat = [m for group in groups for m in group]
    fields = [m.__dict__ if type(m) is Measurement else _Attributes(m) for m in flat]
    rows = [f["row"] for f in fields]
    if None in rows:
        m = flat[rows.index(None)]
        raise SyncError(f"cannot tell which Measurements row holds {m.benefit_id} {m.period}")
    columns: list[list[Any]] = [rows]
    for name, spec in cells:
        if spec is None:
            columns.append([None] * len(flat))
            continue
        column = _converted([f[name] for f in fields], spec, convert)
        texts = [v for v in column if type(v) is str]
        if texts and max(map(len, texts)) > MAX_TEXT:
            at = next(i for i, v in enumerate(column) if type(v) is str and len(v) > MAX_TEXT)
            raise SyncError(
                f"Measurements row {rows[at]}: the {name} is longer than {MAX_TEXT:,} characters",
                hint="shorten the cell (Excel itself holds no more) and submit again",
            )
        columns.append(column)
    keys = ("row", *(name for name, _ in cells))
    if keys == _USUAL_KEYS:  # the same dicts, written out: twice as fast as dict(zip())
        items = [
            {"row": r, "period": p, "value": v, "source": s, "evidence_grade": g, "note": n}
            for r, p, v, s, g, n in zip(*columns, strict=True)
        ]
    else:  # pragma: no cover - only if MeasurementIn's cells change
        items = [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]
    if not all(type(row) is int and 1 <= row <= MAX_ROW for row in rows):
        items = [_validated_measurement(item) for item in items]
        rows = [item["row"] for item in items]
    if len(set(rows)) != len(rows):
        seen: set[int] = set()
        for row in rows:
            if row in seen:
                raise SyncError(f"two measurements claim Measurements row {row}")
            seen.add(row)
    out = []
    start = 0
    for group in groups:
        out.append(items[start:start + len(group)])
        start += len(group)
    return out


def _converted(column: list[Any], spec: Field, convert: _Converter) -> list[Any]:
    """`to_json_value` of every value of a column, each distinct value object converted once
    (`column` holds every object, so no two of them share an id meanwhile)."""
    if spec.kind not in ("percent", "period") and all(
        v is None or type(v) in _PLAIN for v in column
    ):
        return column
    by_id = {id(v): v for v in column}
    done = {key: convert(spec, v) for key, v in by_id.items()}
    return [done[id(v)] for v in column]


class _Attributes:
    """`obj.__dict__` look-alike for a subclass of `Measurement` (properties and all)."""

    __slots__ = ("_obj",)

    def __init__(self, obj: object) -> None:
        self._obj = obj

    def __getitem__(self, name: str) -> Any:
        return getattr(self._obj, name)


def _validated_measurement(item: dict[str, Any]) -> dict[str, Any]:
    """An unusual row number, through the schema itself."""
    try:
        return MeasurementIn.model_validate(item).model_dump(mode="json")
    except ValidationError as error:
        raise SyncError(
            f"Measurements row {item.get('row')!r} cannot be sent: {_first_error(error)}"
        ) from None


def _check_outline(raw: RawWorkbook, data: dict[str, Any], *, measurements: bool) -> None:
    """Everything but the measurements through `SubmissionIn` itself (trust code, column
    letters, field names, text limits, one benefit per row); the measurements were checked
    row by row as they were built."""
    outline = {**data, "benefits": [{**b, "measurements": []} for b in data["benefits"]]}
    try:
        SubmissionIn.model_validate(outline)
    except ValidationError as error:
        raise SyncError(
            f"{Path(raw.path).name}: the submission cannot be sent: {_first_error(error)}"
        ) from None
    if measurements and data["source"]["measurements"] is None:
        raise SyncError(
            f"{Path(raw.path).name}: measurements were found but no Measurements sheet"
        )


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
