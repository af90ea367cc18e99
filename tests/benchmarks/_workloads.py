"""The peer workloads of `bench_validate.py`, one per process: `python _workloads.py TOOL FILE`.

Each prints one JSON line last: {"seconds": time inside the process after imports, "rows": ...}.

The pydantic, pandera and frictionless schemas are the nearest equivalent of xl-brm's core checks that each
tool can express: required columns present and non-empty, enum values in the accepted set, ODS
code pattern, numbers, dates, unique benefit_id, and every measurement's benefit_id among the
benefits. Both are handed the header row and the header -> field mapping that `probe` found
(as a trust's saved mapping would give them), so they do no header hunting of their own.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ODS_PATTERN = r"^[A-Z0-9]{3,5}$"
NUMERIC = ("baseline_value", "target_value", "unit_value_gbp", "attribution_pct")
DATES = ("baseline_start", "baseline_end", "target_date", "realisation_start", "approved_on")
ENUMS = {"benefit_type": "BenefitType", "category": "Category", "approval_status": "ApprovalStatus",
         "direction": "Direction", "evidence_grade": "EvidenceGrade"}
REQUIRED = {"Benefits": ("benefit_id", "trust_ods", "programme", "project", "title", "benefit_type",
                         "category", "benefit_owner", "approval_status"),
            "Measurements": ("benefit_id", "period", "value")}
PERIOD_PATTERN = (r"^(\d{4}-\d{2}|[A-Za-z]{3}-\d{2}|[A-Za-z]+ \d{4}|(FY)?\d{4}/\d{2} Q[1-4]"
                  r"|Q[1-4] \d{4}/\d{2})$")


def _emit(start: float, **extra: Any) -> None:
    print(json.dumps({"seconds": round(time.perf_counter() - start, 4), **extra}))


# -- raw readers --------------------------------------------------------------------------------

def calamine(path: str) -> None:
    """Raw python-calamine: open the workbook and turn every sheet into Python lists."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(path)
    rows = sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)
    _emit(start, rows=rows)


def fastexcel(path: str) -> None:
    """fastexcel: load every sheet into Arrow memory (no header guessing, no pyarrow needed)."""
    import fastexcel as fx

    start = time.perf_counter()
    reader = fx.read_excel(path)
    rows = 0
    for name in reader.sheet_names:
        sheet = reader.load_sheet(name, header_row=None)
        rows += sheet.height
    _emit(start, rows=rows)


# -- probe: what the peers are told up front -----------------------------------------------------

def probe(path: str) -> None:
    """Find each register sheet's header row and map its headers, once, for the peer schemas."""
    from python_calamine import CalamineWorkbook

    from xl_brm import enums
    from xl_brm.enums import fold
    from xl_brm.fields import SHEET_SYNONYMS, SHEETS

    wb = CalamineWorkbook.from_path(path)
    sheets: dict[str, Any] = {}
    for name in wb.sheet_names:
        kind = next((k for k, names in SHEET_SYNONYMS.items()
                     if fold(name) in {fold(n) for n in names}), None)
        if kind not in REQUIRED:
            continue
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        fields = SHEETS[kind]
        best: tuple[int, list[str | None]] | None = None
        for i, row in enumerate(rows[:30]):
            mapped = [next((f.name for f in fields
                            if isinstance(c, str) and fold(c) in f.folded), None)
                      for c in row]
            if sum(m is not None for m in mapped) >= 3:
                best = (i, mapped)
                break
        if best is None:
            continue
        header_index, mapped = best
        headers = [str(c) for c in rows[header_index]]
        body = rows[header_index + 1:]
        accepted: dict[str, list[str]] = {}
        text_dates: list[str] = []
        for pos, field_name in enumerate(mapped):
            if field_name in ENUMS:
                enum = getattr(enums, ENUMS[field_name])
                seen = {str(r[pos]) for r in body if pos < len(r) and isinstance(r[pos], str) and r[pos]}
                ok = {v for v in seen if enums.parse_enum(enum, v) is not None}
                accepted[field_name] = sorted(ok | {m.value for m in enum})
            if field_name in DATES and any(isinstance(r[pos], str) and r[pos] for r in body[:200]):
                text_dates.append(field_name)
        trusts: list[str] = []
        if "trust_ods" in mapped:
            pos = mapped.index("trust_ods")
            trusts = sorted({str(r[pos]).strip() for r in body if pos < len(r) and r[pos]})
        sheets[kind] = {"sheet": name, "trusts": trusts, "header_row": header_index + 1,
                        "headers": headers,
                        "fields": mapped, "accepted": accepted, "text_dates": text_dates,
                        "rows": len(body)}
    print(json.dumps(sheets))


def _load_probe(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text())  # type: ignore[no-any-return]


# -- pandera --------------------------------------------------------------------------------------

def pandera(path: str, probe_path: str) -> None:
    """pandas DataFrames (via python-calamine) checked by a pandera schema, all failures kept."""
    import pandas as pd
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors
    from python_calamine import CalamineWorkbook

    info = _load_probe(probe_path)
    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(path)
    frames: dict[str, pd.DataFrame] = {}
    for kind, meta in info.items():
        rows = wb.get_sheet_by_name(meta["sheet"]).to_python(skip_empty_area=False)
        body = rows[meta["header_row"]:]
        names = [f or f"local:{h}" for f, h in zip(meta["fields"], meta["headers"], strict=True)]
        width = len(names)
        frames[kind] = pd.DataFrame([r[:width] for r in body], columns=names, dtype=object)

    def blank_to_na(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.replace("", None)

    def numeric(series: pd.Series) -> pd.Series:
        cleaned = series.astype(str).str.replace(r"[£,%\s]", "", regex=True)
        return pd.to_numeric(cleaned, errors="coerce").notna() | series.isna()

    def dates(series: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(series, errors="coerce", dayfirst=True, format="mixed")
        return parsed.notna() | series.isna()

    failures = 0
    accepted = info["Benefits"]["accepted"]
    columns: dict[str, pa.Column] = {
        name: pa.Column(object, nullable=False, required=True) for name in REQUIRED["Benefits"]
    }
    columns["benefit_id"] = pa.Column(object, nullable=False, unique=True)
    columns["trust_ods"] = pa.Column(str, pa.Check.str_matches(ODS_PATTERN), nullable=False)
    for name in ENUMS:
        if name in accepted:
            columns[name] = pa.Column(object, pa.Check.isin(accepted[name]),
                                      nullable=name not in REQUIRED["Benefits"],
                                      required=name in REQUIRED["Benefits"])
    for name in NUMERIC:
        columns[name] = pa.Column(object, pa.Check(numeric), nullable=True, required=False)
    for name in DATES:
        columns[name] = pa.Column(object, pa.Check(dates), nullable=True, required=False)
    benefits = blank_to_na(frames["Benefits"])
    try:
        pa.DataFrameSchema(columns, strict=False).validate(benefits, lazy=True)
    except SchemaErrors as error:
        failures += len(error.failure_cases)

    known = benefits["benefit_id"].dropna().unique()
    m_accepted = info["Measurements"]["accepted"]
    m_columns: dict[str, pa.Column] = {
        "benefit_id": pa.Column(object, pa.Check.isin(known), nullable=False),
        "period": pa.Column(object, pa.Check(
            lambda s: s.astype(str).str.match(PERIOD_PATTERN)
            | s.map(lambda v: hasattr(v, "year"))),
            nullable=False),
        "value": pa.Column(object, pa.Check(numeric), nullable=False),
    }
    if "evidence_grade" in m_accepted:
        m_columns["evidence_grade"] = pa.Column(
            object, pa.Check.isin(m_accepted["evidence_grade"]), nullable=True, required=False)
    measurements = blank_to_na(frames["Measurements"])
    try:
        pa.DataFrameSchema(m_columns, strict=False).validate(measurements, lazy=True)
    except SchemaErrors as error:
        failures += len(error.failure_cases)
    _emit(start, rows=len(benefits) + len(measurements), failures=failures)


# -- pydantic -------------------------------------------------------------------------------------

def pydantic(path: str, probe_path: str) -> None:
    """A bare pydantic v2 model per row (types, required, enums, ranges; no cross-row checks):
    what a team that writes its own validator would start with. The clean register's £ strings
    and dd/mm/yyyy text dates are read by two small before-validators, so only bad cells fail."""
    from datetime import date, datetime
    from typing import Annotated, Literal

    from pydantic import BaseModel, BeforeValidator, Field, ValidationError, create_model
    from python_calamine import CalamineWorkbook

    info = _load_probe(probe_path)
    start = time.perf_counter()

    def money(value: Any) -> Any:
        return value.replace("£", "").replace(",", "").replace("%", "").strip() \
            if isinstance(value, str) else value

    def day(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return datetime.strptime(value.strip(), "%d/%m/%Y").date()
            except ValueError:
                return value
        return value

    number = Annotated[float, BeforeValidator(money), Field(ge=-1e12, le=1e12)]
    percent = Annotated[float, BeforeValidator(money), Field(ge=0, le=100)]
    when = Annotated[date, BeforeValidator(day)]
    text = Annotated[str, Field(min_length=1)]

    def model(kind: str) -> tuple[type[BaseModel], list[tuple[int, str]]]:
        meta = info[kind]
        spec: dict[str, Any] = {}
        where: list[tuple[int, str]] = []
        for pos, name in enumerate(meta["fields"]):
            if name is None or name in spec:
                continue
            required = name in REQUIRED[kind]
            kind_of: Any = text
            if name in meta["accepted"]:
                kind_of = Literal[tuple(meta["accepted"][name])]
            elif name in NUMERIC or (kind == "Measurements" and name == "value"):
                kind_of = percent if name == "attribution_pct" else number
            elif name in DATES:
                kind_of = when
            elif name == "trust_ods":
                kind_of = Annotated[str, Field(pattern=ODS_PATTERN)]
            elif name == "period":
                kind_of = Annotated[str, Field(pattern=PERIOD_PATTERN)] | date
            spec[name] = (kind_of, ...) if required else (kind_of | None, None)
            where.append((pos, name))
        return create_model(f"{kind}Row", **spec), where

    wb = CalamineWorkbook.from_path(path)
    failures = rows_seen = 0
    for kind, meta in info.items():
        row_model, where = model(kind)
        validate = row_model.model_validate
        rows = wb.get_sheet_by_name(meta["sheet"]).to_python(skip_empty_area=False)
        for row in rows[meta["header_row"]:]:
            width = len(row)
            values = {name: (None if pos >= width or row[pos] == "" else row[pos])
                      for pos, name in where}
            rows_seen += 1
            try:
                validate(values)
            except ValidationError as error:
                failures += error.error_count()
    _emit(start, rows=rows_seen, failures=failures)


# -- frictionless ----------------------------------------------------------------------------------

def frictionless(path: str, probe_path: str) -> None:
    """A frictionless data package: two xlsx resources, typed schemas and a foreign key."""
    import warnings

    from frictionless import Checklist, Dialect, Package, Resource, Schema, fields
    from frictionless.formats import ExcelControl

    warnings.filterwarnings("ignore")
    info = _load_probe(probe_path)
    start = time.perf_counter()

    def schema_for(kind: str) -> Schema:
        meta = info[kind]
        schema = Schema()
        by_field: dict[str, str] = {}
        for header, field_name in zip(meta["headers"], meta["fields"], strict=True):
            constraints: dict[str, Any] = {}
            if field_name in REQUIRED[kind]:
                constraints["required"] = True
            if field_name in meta["accepted"]:
                constraints["enum"] = meta["accepted"][field_name]
            if field_name in NUMERIC or (kind == "Measurements" and field_name == "value"):
                field: Any = fields.NumberField(name=header, bare_number=False, group_char=",")
            elif field_name in DATES:
                fmt = "%d/%m/%Y" if field_name in meta["text_dates"] else "any"
                field = fields.DateField(name=header, format=fmt)
            else:
                loose = field_name is None or (kind == "Measurements" and field_name == "period")
                field = fields.AnyField(name=header) if loose else fields.StringField(name=header)
                if field_name == "trust_ods":
                    constraints["pattern"] = ODS_PATTERN
                if field_name == "benefit_id" and kind == "Benefits":
                    constraints["unique"] = True
            field.constraints = constraints
            schema.add_field(field)
            if field_name:
                by_field[field_name] = header
        if kind == "Measurements":
            parent = info["Benefits"]
            parent_id = parent["headers"][parent["fields"].index("benefit_id")]
            schema.foreign_keys = [{"fields": [by_field["benefit_id"]],
                                    "reference": {"resource": "benefits", "fields": [parent_id]}}]
        return schema

    resources = []
    for kind, name in (("Benefits", "benefits"), ("Measurements", "measurements")):
        meta = info[kind]
        resources.append(Resource(
            path=Path(path).name, name=name, format="xlsx", schema=schema_for(kind),
            control=ExcelControl(sheet=meta["sheet"]),
            dialect=Dialect(header_rows=[meta["header_row"]]),
        ))
    package = Package(resources=resources, basepath=str(Path(path).resolve().parent))
    report = package.validate(checklist=Checklist(skip_errors=["missing-cell"]), limit_errors=10**9)
    broken = [e.message for e in report.errors] + [
        e.message for t in report.tasks for e in t.errors
        if e.type in {"resource-error", "scheme-error"}]
    if broken:
        sys.exit(f"frictionless could not run: {broken[0]}")
    rows = sum(task.stats.get("rows", 0) or 0 for task in report.tasks)
    _emit(start, rows=rows, failures=sum(len(task.errors) for task in report.tasks),
          valid=report.valid)


def main(argv: list[str]) -> None:
    tools: dict[str, Callable[..., None]] = {
        "calamine": calamine, "fastexcel": fastexcel, "probe": probe, "pandera": pandera,
        "pydantic": pydantic,
        "frictionless": frictionless,
    }
    tools[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
