"""Registers and their figures as pandas DataFrames, for analysts.

    import xl_brm
    reg = xl_brm.read_register("register.xlsx")       # benefits, measurements, findings
    reg.benefits.groupby("category").size()
    xl_brm.compute(reg, as_of="2020-09").to_frame()    # one row per benefit, SPEC §7.2 figures

The same reader, rule engine and calculations as `xl-brm validate` and `xl-brm compute`, so the
numbers are the same; only the shape differs. pandas is an optional extra
(`pip install 'xl_brm[pandas]'`), imported here only, when a frame is made: validating a
register never needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from xl_brm.api import Options, load, ordered
from xl_brm.computation import Computation, latest_period
from xl_brm.computation import compute as compute_validation
from xl_brm.errors import UsageError
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Register
from xl_brm.periods import Period, current_month, parse_fy, parse_period

if TYPE_CHECKING:
    import pandas as pd

    from xl_brm.calc import BenefitFigures
    from xl_brm.validate import Validation


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise UsageError("DataFrames need pandas", hint="pip install 'xl_brm[pandas]'") from None
    return pd


@dataclass(frozen=True, slots=True)
class RegisterFrames:
    """A register read as DataFrames: one row per benefit, per measurement, per finding."""

    benefits: pd.DataFrame
    """The benefits that joined the register, canonical fields (dates as datetimes, enums as their
    canonical names) then the trust's own columns under their own headers."""
    measurements: pd.DataFrame
    """benefit_id, period ('2019-04', '2019/20 Q1'), period_start, months, value (a number, NaN
    for text evidence), text (a qualitative benefit's evidence), source, evidence_grade, note."""
    findings: pd.DataFrame
    """The findings of `xl-brm validate`: code, severity, sheet, row, column, cell, value, message."""
    register: Register
    """The typed register behind the frames (what `compute` works from)."""
    validation: Validation
    """The rule engine's answer behind the findings (it decides which benefits are blocked)."""


def read_register(path: str | Path, *, mapping: str | Path | None = None, trust: str | None = None,
                  programme: str | None = None) -> RegisterFrames:
    """Read and validate a register into DataFrames. `mapping`: a header mapping saved with
    `xl-brm map`; `trust`/`programme`: defaults for blank cells, as `--trust`/`--programme`."""
    pd = _pandas()
    defaults = None
    if trust or programme:
        from xl_brm.validate import Defaults

        defaults = Defaults(trust_ods=trust.strip().upper() if trust else None, programme=programme)
    _raw, validation = load(path, Options(mapping=Path(mapping) if mapping else None, defaults=defaults))
    register = validation.register
    return RegisterFrames(
        benefits=_benefits(pd, register.benefits),
        measurements=_measurements(pd, register),
        findings=_findings(pd, ordered(validation.findings)),
        register=register,
        validation=validation,
    )


class Figures(Sequence["BenefitFigures"]):
    """A register's figures as of a period: a list of `BenefitFigures`, and DataFrames of them.
    `computation` is the same `Computation` that `xl-brm compute` and the reports are built from."""

    def __init__(self, computation: Computation) -> None:
        self.computation = computation
        self._figures = computation.figures
        self.as_of = computation.as_of

    def to_frame(self, *, rounded: bool = False) -> pd.DataFrame:
        """One row per benefit: the SPEC §7.2 figures (`xl-brm compute --format json`), with
        benefit_type and is_disbenefit. Unrounded unless `rounded` (money to the penny)."""
        pd = _pandas()
        rows = [f.to_json(rounded=rounded) | {"benefit_type": f.benefit_type.value,
                                              "is_disbenefit": f.is_disbenefit} for f in self._figures]
        columns = ["benefit_id", "baseline", "latest", "improvement", "realised_quantity",
                   "realised_value_gbp", "pv_gbp", "percent_of_target", "planned_to_date", "rag",
                   "benefit_type", "is_disbenefit"]
        return pd.DataFrame(rows, columns=columns)

    def periods_frame(self, *, rounded: bool = False) -> pd.DataFrame:
        """One row per benefit per period: actual, baseline, planned level, improvement, realised
        quantity and value, whether it counted, its evidence grade."""
        pd = _pandas()
        rows = [{"benefit_id": f.benefit_id} | row.to_json(rounded=rounded)
                for f in self._figures for row in f.series]
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame.insert(2, "period_start", pd.to_datetime([parse_period(p).start for p in frame["period"]]))
        return frame

    @overload
    def __getitem__(self, index: int) -> BenefitFigures: ...
    @overload
    def __getitem__(self, index: slice) -> list[BenefitFigures]: ...
    def __getitem__(self, index: int | slice) -> BenefitFigures | list[BenefitFigures]:
        return self._figures[index]

    def __len__(self) -> int:
        return len(self._figures)

    def __iter__(self) -> Iterator[BenefitFigures]:
        return iter(self._figures)


def compute(source: str | Path | Register | RegisterFrames, *, as_of: str | Period | None = None,
            base_fy: str | int | None = None, smooth: bool = False,
            mapping: str | Path | None = None) -> Figures:
    """The figures of `xl-brm compute` (SPEC §5) for a register file, a `Register` or the frames
    of `read_register`: `compute(reg, as_of="2020-09").to_frame()`. As the command does, the
    as-of defaults to the latest period with data, and a benefit whose rows have errors gets no
    RAG (a bare `Register` carries no findings, so nothing is blocked)."""
    period = parse_period(as_of) if as_of is not None else None
    fy = parse_fy(base_fy) if isinstance(base_fy, str) else base_fy
    if isinstance(source, Register):
        from xl_brm.calc import compute_register

        chosen = period or latest_period(source) or current_month()
        figures = compute_register(source, as_of=chosen, base_fy=fy, smooth=smooth)
        return Figures(Computation(source, figures, chosen, as_of_given=period is not None, base_fy=fy))
    if isinstance(source, RegisterFrames):
        validation = source.validation
    else:
        _raw, validation = load(source, Options(mapping=Path(mapping) if mapping else None))
    return Figures(compute_validation(validation, as_of=period, base_fy=fy, smooth=smooth))


# -- the frames -------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def _benefits(pd: Any, benefits: list[Benefit]) -> Any:
    fields = [name for name in Benefit.model_fields if name not in ("row", "local")]
    rows = []
    local_headers: list[str] = []
    for b in benefits:
        row = {name: _plain(getattr(b, name)) for name in fields}
        row["row"] = b.row
        for header, value in b.local.items():
            if header not in row:
                row[header] = value
                if header not in local_headers:
                    local_headers.append(header)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*fields, "row", *local_headers])
    for name in fields:
        if Benefit.model_fields[name].annotation in (date, date | None):
            frame[name] = pd.to_datetime(frame[name])
    return frame


def _measurements(pd: Any, register: Register) -> Any:
    rows = [
        {
            "benefit_id": m.benefit_id,
            "period": str(m.period),
            "period_start": m.period.start,
            "months": m.period.months,
            "value": m.value if isinstance(m.value, float) else float("nan"),
            "text": m.value if isinstance(m.value, str) else None,
            "source": m.source,
            "evidence_grade": _plain(m.evidence_grade),
            "note": m.note,
        }
        for ms in register.measurements.values() for m in ms
    ]
    columns = ["benefit_id", "period", "period_start", "months", "value", "text", "source", "evidence_grade",
               "note"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["value"] = frame["value"].astype("float64")
    return frame


def _findings(pd: Any, findings: list[Finding]) -> Any:
    columns = ["code", "severity", "sheet", "row", "column", "cell", "value", "message"]
    return pd.DataFrame([f.to_json() for f in findings], columns=columns)
