"""The typed register (SPEC §2): benefits, measurements and trajectories after parsing.

Models are what the calculations, the national store and the sync client share. Building them
from a sheet goes through the rule engine (`xl_brm.validate`), which parses every cell with
`xl_brm.normalise` and reports where a value could not be read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import types
import typing
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from xl_brm.enums import (
    ApprovalStatus,
    BaselineMethod,
    Beneficiary,
    BenefitType,
    Category,
    Confidence,
    Direction,
    EvidenceGrade,
)
from xl_brm.periods import Period, parse_period


class Benefit(BaseModel):
    """One row of the benefit register. `local` keeps the trust's own columns (never sent)."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    benefit_id: str = Field(min_length=1, max_length=64)
    trust_ods: str = Field(pattern=r"^[A-Z0-9]{3,5}$")
    programme: str
    project: str
    title: str
    benefit_type: BenefitType
    category: Category
    beneficiary: Beneficiary | None = None
    is_disbenefit: bool = False
    planned: bool = True
    measure: str | None = None
    national_measure_code: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    baseline_value: float | None = None
    baseline_start: date | None = None
    baseline_end: date | None = None
    baseline_method: BaselineMethod = BaselineMethod.GIVEN
    target_value: float | None = None
    target_date: date | None = None
    realisation_start: date | None = None
    unit_value_gbp: float | None = None
    attribution_pct: float = Field(default=100.0, ge=0, le=100)
    benefit_owner: str
    approval_status: ApprovalStatus
    approved_by: str | None = None
    approved_on: date | None = None
    confidence: Confidence | None = None
    evidence: str | None = None
    row: int | None = Field(default=None, exclude=True)
    """Excel row the benefit came from (not part of its content)."""
    local: dict[str, Any] = Field(default_factory=dict, exclude=True)
    """The trust's own columns, header -> value: shown locally, never sent nationally."""


class Measurement(BaseModel):
    """One value of one benefit for one month or quarter."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    benefit_id: str = Field(min_length=1, max_length=64)
    period: Period
    value: float | str | None = None
    """A number; for a qualitative benefit, text evidence."""
    source: str | None = None
    evidence_grade: EvidenceGrade = EvidenceGrade.MEASURED
    note: str | None = None
    row: int | None = Field(default=None, exclude=True)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> Period:
        return parse_period(value)

    @field_serializer("period")
    def _period_text(self, period: Period) -> str:
        return str(period)


class TrajectoryPoint(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    benefit_id: str
    period: Period
    planned_value: float
    row: int | None = Field(default=None, exclude=True)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> Period:
        return parse_period(value)

    @field_serializer("period")
    def _period_text(self, period: Period) -> str:
        return str(period)


class Register(BaseModel):
    """A parsed workbook: what calculations and submissions work from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: str | None = None
    trust_ods: str | None = None
    benefits: list[Benefit] = Field(default_factory=list)
    measurements: dict[str, list[Measurement]] = Field(default_factory=dict)
    """benefit_id -> its measurements, sorted by period."""
    trajectory: dict[str, list[TrajectoryPoint]] = Field(default_factory=dict)

    def benefit(self, benefit_id: str) -> Benefit | None:
        return next((b for b in self.benefits if b.benefit_id == benefit_id), None)

    @property
    def measurement_count(self) -> int:
        return sum(len(ms) for ms in self.measurements.values())


def content_hash(benefit: Benefit, measurements: list[Measurement]) -> str:
    """SHA-256 of a benefit's national content: the same in the client and the store.

    The digest is that of the canonical JSON (sorted keys, no spaces, ASCII) of
    `{"benefit": benefit.model_dump(mode="json"), "measurements": [m.model_dump(mode="json")
    for m in measurements sorted by period]}`. This runs for every benefit of a 10k-benefit
    submission, so it avoids `model_dump`: `benefit_json` builds the same dict by hand, and each
    measurement's JSON text is written directly (`_measurement_text`); anything unusual takes
    the original route. `tests/national/test_content_hash.py` checks both give the same digest.
    """
    if all(type(m.period) is Period for m in measurements):
        ordered = sorted(measurements, key=_period_key)  # Period's own order, without its __lt__
    else:
        ordered = sorted(measurements, key=lambda m: m.period)
    texts = _measurement_texts(ordered)
    if texts is None:
        body = {"benefit": benefit_json(benefit), "measurements": [measurement_json(m) for m in ordered]}
        text = _canonical(body)
    else:
        text = f'{{"benefit":{_canonical(benefit_json(benefit))},"measurements":[{",".join(texts)}]}}'
    return hashlib.sha256(text.encode()).hexdigest()


def benefit_json(benefit: Benefit) -> dict[str, Any]:
    """Exactly `benefit.model_dump(mode="json")`, fast for a benefit holding its declared types."""
    return _dump(benefit, Benefit)


def measurement_json(measurement: Measurement) -> dict[str, Any]:
    """Exactly `measurement.model_dump(mode="json")`, fast for the declared types."""
    return _dump(measurement, Measurement)


_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
"""`json.dumps(obj, sort_keys=True, separators=(",", ":"))` without building an encoder per call."""
_quote = json.encoder.encode_basestring_ascii
"""How `json.dumps` (ensure_ascii) writes a str, quotes included."""
_MEASUREMENT_KEYS = ("benefit_id", "period", "value", "source", "evidence_grade", "note")
_PERIOD_JSON: dict[tuple[int, int], str] = {}


def _measurement_texts(measurements: list[Measurement]) -> list[str] | None:
    """Each measurement's canonical JSON text, or None when one needs pydantic after all."""
    if not _measurements_by_hand():
        return None
    texts = []
    for m in measurements:
        text = _measurement_text(m)
        if text is None:
            return None
        texts.append(text)
    return texts


@functools.cache
def _measurements_by_hand() -> bool:
    """Whether `_measurement_text` knows every field `Measurement` dumps (guards a new field)."""
    fields = _fields(Measurement)
    return fields is not None and tuple(name for name, _ in fields) == _MEASUREMENT_KEYS


def _measurement_text(m: Measurement) -> str | None:
    """`_canonical(m.model_dump(mode="json"))` for a measurement holding its declared types, or
    None. Keys in sorted order; strings and floats written exactly as `json` writes them."""
    if type(m) is not Measurement:
        return None
    d = m.__dict__
    try:
        benefit_id, period, value = d["benefit_id"], d["period"], d["value"]
        source, grade, note = d["source"], d["evidence_grade"], d["note"]
    except KeyError:
        return None
    if (
        type(benefit_id) is not str
        or type(period) is not Period
        or type(grade) is not EvidenceGrade
        or not (source is None or type(source) is str)
        or not (note is None or type(note) is str)
    ):
        return None
    if value is None:
        value_text = "null"
    elif type(value) is str:
        value_text = _quote(value)
    elif type(value) is float:
        value_text = _float_text(value)
    else:
        return None
    key = (period.index, period.months)
    period_text = _PERIOD_JSON.get(key)
    if period_text is None:
        period_text = _PERIOD_JSON[key] = _quote(str(period))
    return (
        f'{{"benefit_id":{_quote(benefit_id)},"evidence_grade":{_quote(grade._value_)},'
        f'"note":{"null" if note is None else _quote(note)},"period":{period_text},'
        f'"source":{"null" if source is None else _quote(source)},"value":{value_text}}}'
    )


def _float_text(value: float) -> str:
    """A float as `json.dumps` writes it (allow_nan): repr, or NaN/Infinity/-Infinity."""
    if math.isfinite(value):
        return float.__repr__(value)
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _period_key(m: Measurement) -> tuple[int, int]:
    return (m.period.index, m.period.months)


_Fields = tuple[tuple[str, dict[type, Any]], ...]
"""Per included field: {exact value type -> converter to JSON, or None for the value itself}."""
_FIELDS: dict[type[BaseModel], _Fields | None] = {}
_PERIOD_TEXT: dict[tuple[int, int], str] = {}
_MISSING = object()


def _dump(model: BaseModel, cls: type[BaseModel]) -> dict[str, Any]:
    """`model.model_dump(mode="json")` for an instance of exactly `cls`, field by field.

    A subclass, or any value whose exact type is not one its field declares (an int assigned
    to a float field, a datetime in a date field...), goes to pydantic itself, so the result
    never differs from pydantic's.
    """
    fields = _fields(cls) if type(model) is cls else None
    if fields is None:
        return model.model_dump(mode="json")
    out: dict[str, Any] = {}
    values = model.__dict__
    for name, by_type in fields:
        value = values.get(name, _MISSING)
        kind = type(value)
        if kind not in by_type:
            return model.model_dump(mode="json")
        convert = by_type[kind]
        out[name] = value if convert is None else convert(value)
    return out


def _period_text(period: Period) -> str:
    key = (period.index, period.months)
    text = _PERIOD_TEXT.get(key)
    if text is None:
        text = _PERIOD_TEXT[key] = str(period)
    return text


def _fields(cls: type[BaseModel]) -> _Fields | None:
    """How to dump `cls` by hand, or None when pydantic must do it (a serializer we don't know)."""
    if cls in _FIELDS:
        return _FIELDS[cls]
    decorators = cls.__pydantic_decorators__
    serialised = {name for d in decorators.field_serializers.values() for name in d.info.fields}
    fields: list[tuple[str, dict[type, Any]]] = []
    for name, info in cls.model_fields.items():
        if info.exclude:
            continue
        annotation = info.annotation
        union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
        kinds = typing.get_args(annotation) if union else (annotation,)
        by_type: dict[type, Any] = {}
        for kind in kinds:
            if name in serialised:
                if kind is Period:  # Measurement's field_serializer: str(period)
                    by_type[Period] = _period_text
            elif kind in (type(None), str, bool, float):
                by_type[kind] = None
            elif kind is date:
                by_type[date] = date.isoformat
            elif isinstance(kind, type) and issubclass(kind, StrEnum):
                by_type[kind] = _enum_value
        if len(by_type) != len(kinds):
            _FIELDS[cls] = None
            return None
        fields.append((name, by_type))
    _FIELDS[cls] = None if decorators.model_serializers or cls.model_computed_fields else tuple(fields)
    return _FIELDS[cls]


def _enum_value(member: StrEnum) -> str:
    value: str = member._value_
    return value
