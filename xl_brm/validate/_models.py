"""The typed Register from what the stages read: no value is validated again here.

Every value was parsed and checked by the stages, so pydantic's validation (~2.5 µs a model,
seconds for 240k measurements) would only repeat it. The plain path builds each model with
`model_construct`; the fast path (~1 µs a model, against model_construct's ~4.6) restores each
model's state through pydantic's pickling protocol (`__setstate__`, as `copy` and `pickle` do),
which is public API. A test checks the two give equal Registers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from xl_brm.model import Benefit, Measurement, Register, TrajectoryPoint
from xl_brm.periods import Period
from xl_brm.validate._shared import BenefitRow, Reading, State

_BENEFIT_DEFAULTS: dict[str, Any] = {
    name: info.get_default(call_default_factory=True)
    for name, info in Benefit.model_fields.items()
    if not info.is_required()
}
_BENEFIT_BLANK: dict[str, Any] = {name: _BENEFIT_DEFAULTS.get(name) for name in Benefit.model_fields}
"""Every Benefit field in model order, holding its default (None where it has none)."""
_B_FIELDS = set(Benefit.model_fields)
_M_FIELDS = set(Measurement.model_fields)
_T_FIELDS = set(TrajectoryPoint.model_fields)
"""Each shared by every model of its class built here: it holds every field, so never changes."""


def register(state: State) -> Register:
    """The Register of the benefits that joined it, with their measurements and plans."""
    make = _construct if state.plain else _restore
    benefits: list[Benefit] = []
    measurements: dict[str, list[Measurement]] = {}
    trajectory: dict[str, list[TrajectoryPoint]] = {}
    for bid, b in state.by_id.items():
        if not b.complete:
            continue
        benefits.append(make(Benefit, _benefit_data(b), _B_FIELDS))
        kept = state.kept(bid)
        if kept:
            measurements[bid] = _measurements(kept, make)
        points = state.plans.get(bid)
        if points:
            trajectory[bid] = _trajectory(bid, points, make)
    benefits.sort(key=lambda x: x.row or 0)
    return Register.model_construct(  # every part was built and checked above
        path=state.raw.path or None,
        trust_ods=state.trust,
        benefits=benefits,
        measurements=measurements,
        trajectory=trajectory,
    )


def _construct(cls: type[BaseModel], data: dict[str, Any], fields: set[str]) -> Any:
    return cls.model_construct(set(fields), **data)


_new = object.__new__


def _restore(cls: type[BaseModel], data: dict[str, Any], fields: set[str]) -> Any:
    obj = _new(cls)
    obj.__setstate__(
        {
            "__dict__": data,
            "__pydantic_fields_set__": fields,
            "__pydantic_extra__": None,
            "__pydantic_private__": None,
        }
    )
    return obj


def _benefit_data(b: BenefitRow) -> dict[str, Any]:
    # `values` only holds Benefit fields, so the update keeps the model's field order
    data = _BENEFIT_BLANK.copy()
    data.update(b.values)
    data["row"] = b.row
    data["local"] = b.local
    return data


def _measurements(readings: list[Reading], make: Any) -> list[Measurement]:
    return [
        make(
            Measurement,
            {
                "benefit_id": bid,
                "period": period,
                "value": value,
                "source": source,
                "evidence_grade": grade,
                "note": note,
                "row": row,
            },
            _M_FIELDS,
        )
        for bid, period, value, source, grade, note, row in readings
    ]


def _trajectory(bid: str, points: list[tuple[Period, float, int]], make: Any) -> list[TrajectoryPoint]:
    seen: set[Period] = set()
    out: list[TrajectoryPoint] = []
    for per, planned, row in sorted(points, key=lambda p: (p[0].index, p[0].months, p[2])):
        if per in seen:
            continue
        seen.add(per)
        out.append(
            make(
                TrajectoryPoint,
                {"benefit_id": bid, "period": per, "planned_value": planned, "row": row},
                _T_FIELDS,
            )
        )
    return out
