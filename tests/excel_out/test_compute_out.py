"""The computed copy: figures on a Computed sheet, a Summary, native charts; trust cells intact.

Hand-worked register (as of 2019-06, straight-line plan Apr-Jul 2019, N = 4):
  B1 cash-releasing, decrease, baseline 100, target 80, £10/unit, 50% attributed.
     actuals 95, 90, 88 -> d = 5, 10, 12; planned levels 95, 90, 85 -> pd = 5, 10, 15.
     v = d x 0.5 x 10 = 25, 50, 60 -> £135; planned £ = pd x 5 = 25, 50, 75.
  B2 non-cash-releasing, increase, baseline 0, target 40, £2/unit, 100%.
     actuals 10, 20, 25 -> d = 10, 20, 25; pd = 10, 20, 30. v = 20, 40, 50 -> £110;
     planned £ = 20, 40, 60.
  B3 a cash-releasing dis-benefit: kept out of the benefit totals and the chart.
  B4 qualitative.
"""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from xl_brm.calc import compute_register
from xl_brm.computation import Computation
from xl_brm.errors import UsageError
from xl_brm.excel import write_compute
from xl_brm.excel.compute_out import COMPUTED_COLUMNS, cumulative_value_by_period
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, Register
from xl_brm.periods import Period, parse_period

from .conftest import all_values, sha256

AS_OF = parse_period("2019-06")
COMMON: dict[str, Any] = {
    "trust_ods": "RJ1",
    "programme": "GDE",
    "project": "EPMA",
    "category": "safety_quality",
    "benefit_owner": "Chief Pharmacist",
    "approval_status": "draft",
    "realisation_start": "2019-04-01",
    "target_date": "2019-07-31",
}


def _register() -> Register:
    benefits = [
        Benefit(
            benefit_id="B1",
            title="Fewer duplicate tests",
            benefit_type="cash_releasing",
            direction="decrease",
            baseline_value=100,
            target_value=80,
            unit_value_gbp=10,
            attribution_pct=50,
            **COMMON,
        ),
        Benefit(
            benefit_id="B2",
            title="Time released",
            benefit_type="non_cash_releasing",
            direction="increase",
            baseline_value=0,
            target_value=40,
            unit_value_gbp=2,
            **COMMON,
        ),
        Benefit(
            benefit_id="B3",
            title="Extra printing",
            benefit_type="cash_releasing",
            is_disbenefit=True,
            direction="decrease",
            baseline_value=50,
            target_value=40,
            unit_value_gbp=1,
            **COMMON,
        ),
        Benefit(benefit_id="B4", title="Happier staff", benefit_type="qualitative", **COMMON),
    ]
    values = {"B1": (95, 90, 88), "B2": (10, 20, 25), "B3": (55, 60, 62)}
    measurements = {
        bid: [
            Measurement(benefit_id=bid, period=p, value=v)
            for p, v in zip(("2019-04", "2019-05", "2019-06"), vs, strict=True)
        ]
        for bid, vs in values.items()
    }
    return Register(benefits=benefits, measurements=measurements)


def _computation(register: Register | None = None, as_of: Period = AS_OF, **extra: Any) -> Computation:
    register = register or _register()
    figures = compute_register(register, as_of=as_of)
    return Computation(register=register, figures=figures, as_of=as_of, as_of_given=True, **extra)


@pytest.fixture
def computed(trust_xlsx: Path, tmp_path: Path) -> Path:
    return write_compute(trust_xlsx, tmp_path / "computed.xlsx", _computation())


def test_cumulative_planned_and_realised_value_by_hand() -> None:
    computation = _computation()
    rows = cumulative_value_by_period(computation)
    assert [label for label, _ in rows] == ["2019-04", "2019-05", "2019-06"]
    assert [r["planned_cash"] for _, r in rows] == [25.0, 75.0, 150.0]
    assert [r["realised_cash"] for _, r in rows] == [25.0, 75.0, 135.0]
    assert [r["planned_noncash"] for _, r in rows] == [20.0, 60.0, 120.0]
    assert [r["realised_noncash"] for _, r in rows] == [20.0, 60.0, 110.0]
    by_id = {f.benefit_id: f for f in computation.figures}
    assert computation.planned_value_gbp(by_id["B1"]) == 150.0  # the chart's value at as-of
    assert computation.planned_value_gbp(by_id["B2"]) == 120.0
    assert computation.planned_value_gbp(by_id["B4"]) is None


def test_planned_value_counts_benefits_not_yet_measured() -> None:
    """The CLI once inferred £ per unit from realised figures, so a benefit with no actuals
    yet fell out of the planned line (planned cash-releasing £3,985.98 for £16,945.98)."""
    register = _register()
    register.measurements.pop("B1")
    rows = cumulative_value_by_period(_computation(register))
    assert [r["planned_cash"] for _, r in rows] == [25.0, 75.0, 150.0]
    assert [r["realised_cash"] for _, r in rows] == [0.0, 0.0, 0.0]


def test_realised_stops_at_the_as_of_period() -> None:
    register = _register()
    figures = compute_register(register, as_of=AS_OF)
    as_of = parse_period("2019-05")
    computation = Computation(register=register, figures=figures, as_of=as_of, as_of_given=True)
    rows = cumulative_value_by_period(computation)
    assert [r["realised_cash"] for _, r in rows] == [25.0, 75.0, None]
    assert [r["planned_cash"] for _, r in rows] == [25.0, 75.0, 150.0]


def test_computed_sheet_has_one_row_per_benefit(computed: Path) -> None:
    ws = load_workbook(computed)["Computed"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(COMPUTED_COLUMNS)
    by_id = {r[0]: dict(zip(COMPUTED_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(by_id) == {"B1", "B2", "B3", "B4"}
    b1 = by_id["B1"]
    assert b1["title"] == "Fewer duplicate tests"
    assert b1["realised_value_gbp"] == pytest.approx(135.0)
    assert b1["improvement"] == pytest.approx(27.0) and b1["planned_to_date"] == pytest.approx(30.0)
    assert b1["rag"] == "green" and b1["is_disbenefit"] == "No"
    assert by_id["B3"]["is_disbenefit"] == "Yes"
    assert by_id["B4"]["realised_value_gbp"] == "—"  # no figure, never £0.00
    assert ws.tables and ws.conditional_formatting


def test_summary_keeps_cash_non_cash_and_dis_benefits_apart(computed: Path) -> None:
    ws = load_workbook(computed)["Summary"]
    cells = {(r, c): ws.cell(row=r, column=c).value for r in range(1, 40) for c in range(1, 11)}
    labels = [(r, v) for (r, c), v in cells.items() if c == 1 and v]
    benefits_row = next(r for r, v in labels if v == "Benefits")
    dis_row = next(r for r, v in labels if v == "Dis-benefits")
    cash = next(r for r, v in labels if v == "Cash-releasing" and benefits_row < r < dis_row)
    noncash = next(r for r, v in labels if v == "Non-cash-releasing" and benefits_row < r < dis_row)
    dis_cash = next(r for r, v in labels if v == "Cash-releasing" and r > dis_row)
    assert cells[(cash, 2)] == 1 and cells[(cash, 3)] == pytest.approx(135.0)
    assert cells[(noncash, 2)] == 1 and cells[(noncash, 3)] == pytest.approx(110.0)
    assert cells[(dis_cash, 2)] == 1 and cells[(dis_cash, 3)] < 0
    assert load_workbook(computed).sheetnames[0] == "Summary"


def test_native_charts_are_written(computed: Path) -> None:
    with zipfile.ZipFile(computed) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    line = next(c for c in charts if b"<lineChart>" in c)
    bar = next(c for c in charts if b"<barChart>" in c)
    assert b"Planned vs realised" in line and b"'Summary'!$A$" in line
    assert b"<strRef><f>'Summary'!$A$" in line  # periods are text categories
    assert line.count(b"<ser>") == 4 and bar.count(b"<ser>") == 7  # six RAGs and 'blocked'


def test_trust_sheets_untouched_and_original_unchanged(trust_xlsx: Path, tmp_path: Path) -> None:
    before, values = sha256(trust_xlsx), all_values(trust_xlsx)
    out = write_compute(trust_xlsx, tmp_path / "c.xlsx", _computation())
    assert sha256(trust_xlsx) == before
    assert all_values(out, sheets=list(values)) == values


def test_rerun_replaces_our_sheets(computed: Path, tmp_path: Path) -> None:
    again = write_compute(computed, tmp_path / "again.xlsx", _computation())
    names = load_workbook(again).sheetnames
    assert names.count("Computed") == 1 and names.count("Summary") == 1
    assert not any("(xl-brm)" in n for n in names)


def test_refuses_to_overwrite_the_source(trust_xlsx: Path) -> None:
    with pytest.raises(UsageError, match="overwrite"):
        write_compute(trust_xlsx, trust_xlsx, _computation())


def _computed_rows(wb: Any) -> dict[str, dict[str, Any]]:
    rows = wb["Computed"].iter_rows(values_only=True)
    return {r[0]: dict(zip(COMPUTED_COLUMNS, r, strict=True)) for r in rows}


def test_blocked_benefit_gets_the_reason_instead_of_a_rag(trust_xlsx: Path, tmp_path: Path) -> None:
    error = Finding(code="BRM308", severity="error", message="m", sheet="Benefits", row=9, cell="R9")
    figures = [f if f.benefit_id != "B1" else dataclasses.replace(f, rag=None)
               for f in compute_register(_register(), as_of=AS_OF)]
    computation = Computation(register=_register(), figures=figures, as_of=AS_OF, as_of_given=True,
                              blocked={"B1": [error]})
    out = write_compute(trust_xlsx, tmp_path / "c.xlsx", computation)
    wb = load_workbook(out)
    rows = _computed_rows(wb)
    assert rows["B1"]["rag"] == "blocked: fix BRM308 (Benefits!R9)"
    assert rows["B1"]["realised_value_gbp"] == 135.0, "its figures are still shown"
    summary = [r for r in wb["Summary"].iter_rows(values_only=True)]
    header = next(r for r in summary if r[0] == "Benefit type")
    cash = next(r for r in summary if r[0] == "Cash-releasing")
    assert cash[header.index("blocked")] == 1 and cash[header.index("green")] == 0


def test_no_figure_is_a_dash_and_columns_fit_millions(trust_xlsx: Path, tmp_path: Path) -> None:
    register = _register()
    big = register.benefits[0].model_copy(update={"unit_value_gbp": 1_450_000.0})
    register.benefits[0] = big
    computation = _computation(register, as_of=parse_period("2019-03"))  # before realisation starts
    wb = load_workbook(write_compute(trust_xlsx, tmp_path / "c.xlsx", computation))
    rows = _computed_rows(wb)
    assert rows["B1"]["realised_value_gbp"] == "—" and rows["B1"]["improvement"] == "—"
    assert rows["B1"]["rag"] == "not_started"
    later = _computation(register)
    wb = load_workbook(write_compute(trust_xlsx, tmp_path / "d.xlsx", later))
    summary = wb["Summary"]
    b1 = next(f for f in later.figures if f.benefit_id == "B1").to_json()["realised_value_gbp"]
    assert b1 == 19_575_000.0  # 27 x 50% x £1,450,000
    shown = "£19,575,000.00"
    money_cols = [c for c in summary[6] if c.value == "Realised value (£)"]
    width = summary.column_dimensions[money_cols[0].column_letter].width
    assert width >= len(shown), "a £ in the millions must not read ###"
