"""`xl-brm actuals import`: an extract's figures written into long and wide registers give the
figures of the same data typed by hand; bad lines, differing values and part-periods are
reported, never guessed, and a register is never left half-written."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rules"))
from rules_workbooks import CLEAN_BENEFIT, CLEAN_QUALITATIVE

from xl_brm.actuals import ExtractMapping, import_actuals, propose_extract_mapping, roll_up_method
from xl_brm.api import load, validate_file
from xl_brm.calc import compute_register
from xl_brm.errors import InputError, UsageError
from xl_brm.periods import Period

MONTHS = [Period.month(2019, 4).shift(k) for k in range(12)]
ERRORS = [120.0, 118.0, 121.0, 119.0, 122.0, 120.0, 110.0, 100.0, 95.0, 90.0, 88.0, 85.0]
PERCENT = [61.0, 62.5, 60.0, 63.0, 62.0, 61.5, 70.0, 74.0, 78.5, 80.0, 82.0, 85.0]
SCREENING = {
    **CLEAN_BENEFIT, "benefit_id": "SEP-01", "title": "More patients screened for sepsis",
    "benefit_type": "Quantitative", "category": "Clinical outcomes", "unit": "%", "direction": "Increase",
    "measure": "% of eligible patients screened", "national_measure_code": "SEPSIS-SCR",
    "baseline_value": 62.0, "target_value": 90.0, "unit_value_gbp": None,
}
BENEFITS = [CLEAN_BENEFIT, SCREENING, CLEAN_QUALITATIVE]
SERIES = {"EPMA-01": ERRORS, "SEP-01": PERCENT}
AS_OF = MONTHS[-1]


def register(path: Path, layout: str, months: int) -> Path:
    """A register holding the first `months` months: 'long' (a Measurements sheet with notes
    below it), 'sheet' (a tracking sheet, a column per month) or 'right' (the months to the
    right of the register's own columns)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits Register"
    names = list(CLEAN_BENEFIT)
    ws.append(["Example Trust - benefits register"])
    heading = names + ([p.start.strftime("%b-%y") for p in MONTHS[:months]] if layout == "right" else [])
    ws.append(heading)
    for b in BENEFITS:
        row = [b.get(n) for n in names]
        if layout == "right":
            row += SERIES.get(b["benefit_id"], [None] * 12)[:months]
        ws.append(row)
    if layout == "long":
        ms = wb.create_sheet("Measurements")
        ms.append(["Benefit Ref", "Month", "Actual", "Data Source", "Grade"])
        for bid, values in SERIES.items():
            for p, v in zip(MONTHS[:months], values, strict=False):
                ms.append([bid, p.start.strftime("%b-%y"), v, "Datix", "Actual"])
        ms.append([])
        ms.append(["Notes: figures are validated by Information Services"])
    elif layout == "sheet":
        tr = wb.create_sheet("Tracker")
        tr.append(["Benefit Ref", "Measure", *(p.start.strftime("%b-%y") for p in MONTHS[:months])])
        for bid, values in SERIES.items():
            tr.append([bid, "", *values[:months]])
    wb.save(path)
    return path


def daily_extract(path: Path, months: range, *, codes: dict[str, str] | None = None) -> Path:
    """The same figures as a BI extract of daily rows: counts spread over the days so that they
    add up to the month's figure, percentages the month's level every day. Dates day-first."""
    codes = codes or {}
    lines = ["Activity Date,Metric,Value"]
    for k in months:
        p = MONTHS[k]
        days = (p.end - p.start).days + 1
        total = int(ERRORS[k])
        for d in range(days):
            day = p.start + timedelta(days=d)
            share = total // days + (1 if d < total % days else 0)
            lines.append(f"{day:%d/%m/%Y},{codes.get('EPMA-01', 'EPMA-01')},{share}")
            lines.append(f"{day:%d/%m/%Y},{codes.get('SEP-01', 'SEP-01')},{PERCENT[k]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def figures(path: Path) -> list[dict[str, Any]]:
    _raw, validation = load(path)
    return [f.to_json() for f in compute_register(validation.register, as_of=AS_OF)]


@pytest.mark.parametrize("layout", ["long", "sheet", "right"])
def test_an_extract_imported_gives_the_figures_of_the_same_data_typed_by_hand(layout: str, tmp_path: Path):
    typed = figures(register(tmp_path / f"typed-{layout}.xlsx", layout, 12))
    target = register(tmp_path / f"imported-{layout}.xlsx", layout, 6)
    extract = daily_extract(tmp_path / "daily.csv", range(6, 12))
    done = import_actuals(extract, target)
    assert done.written == target
    assert done.plan.counts == {"new": 12, "changed": 0, "unchanged": 0, "kept": 0}
    hows = [c.figure.how for c in done.plan.changes]
    assert hows[:2] == ["31 daily figures summed", "30 daily figures summed"]
    assert figures(target) == typed  # to the penny, as `compute --format json` rounds them
    assert [f for f in validate_file(target).issues if f.severity != "info"] == []
    again = import_actuals(extract, target)  # a second run changes nothing
    assert again.plan.counts["unchanged"] == 12 and again.written is None


def test_long_rows_are_written_as_the_sheet_writes_them_and_the_notes_move_down(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 7)), target)
    ms = openpyxl.load_workbook(target)["Measurements"]
    rows = [[c.value for c in row] for row in ms.iter_rows(min_row=2, max_row=17)]
    assert rows[6] == ["EPMA-01", "Oct-19", 110, "daily.csv", "Actual"]  # under EPMA-01's own rows
    assert rows[13] == ["SEP-01", "Oct-19", 70, "daily.csv", "Actual"]
    assert [r[0] for r in rows[:13]] == ["EPMA-01"] * 7 + ["SEP-01"] * 6
    assert rows[15][0] == "Notes: figures are validated by Information Services"


def test_a_wide_register_gets_a_column_in_its_own_spelling_and_a_note_on_each_cell(tmp_path: Path) -> None:
    target = register(tmp_path / "right.xlsx", "right", 6)
    import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 8)), target)
    ws = openpyxl.load_workbook(target)["Benefits Register"]
    first = len(CLEAN_BENEFIT) + 7  # 1-based: after the six months already there
    assert [ws.cell(row=2, column=first + k).value for k in (0, 1)] == ["Oct-19", "Nov-19"]
    cell = ws.cell(row=3, column=first)
    assert cell.value == 110
    assert cell.comment is not None and "daily.csv" in cell.comment.text and "31 daily figures summed" in (
        cell.comment.text)


def test_a_value_the_register_holds_is_kept_unless_overwrite_is_given(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 12)
    wb = openpyxl.load_workbook(target)
    wb["Measurements"]["C8"] = 109.0  # EPMA-01 Oct-19, typed by hand as 109 (the extract says 110)
    wb.save(target)
    extract = daily_extract(tmp_path / "daily.csv", range(6, 7))
    kept = import_actuals(extract, target)
    assert kept.plan.counts == {"new": 0, "changed": 0, "unchanged": 1, "kept": 1}
    (warning,) = [f for f in kept.plan.findings if f.code == "BRM412"]
    assert (warning.sheet, warning.cell, warning.severity) == ("Measurements", "C8", "warning")
    assert openpyxl.load_workbook(target)["Measurements"]["C8"].value == 109
    replaced = import_actuals(extract, target, overwrite=True)
    assert replaced.plan.counts["changed"] == 1
    assert openpyxl.load_workbook(target)["Measurements"]["C8"].value == 110


def test_bad_lines_are_findings_with_line_numbers_and_the_good_ones_are_imported(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = tmp_path / "monthly.csv"
    extract.write_text("Activity Month,Metric,Value\n"
                       "01/10/2019,EPMA-01,110\n"       # line 2: fine
                       "01/10/2019,,5\n"                # line 3: no code
                       "31/02/2019,EPMA-01,5\n"         # line 4: no such day
                       "01/11/2019,EPMA-01,n/a\n"       # line 5: not a number
                       "01/11/2019,EPMA-99,5\n"         # line 6: no such benefit
                       "01/11/2019,QUAL-01,5\n", encoding="utf-8")  # line 7: qualitative
    done = import_actuals(extract, target)
    found = [(f.code, f.row, f.cell) for f in done.plan.findings]
    assert found == [("BRM210", 3, "B3"), ("BRM202", 4, "A4"), ("BRM201", 5, "C5"), ("BRM402", 6, "B6"),
                     ("BRM411", 7, "B7")]
    assert all(f.sheet == "monthly.csv" and f.severity == "error" for f in done.plan.findings)
    assert done.plan.counts["new"] == 1 and done.written == target


def test_a_month_not_yet_complete_is_not_imported_as_a_total(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = daily_extract(tmp_path / "daily.csv", range(6, 7))
    lines = extract.read_text().splitlines()
    extract.write_text("\n".join(lines[:41]) + "\n")  # 1-20 October
    done = import_actuals(extract, target)
    (short,) = [f for f in done.plan.findings if f.code == "BRM413"]
    assert "20 of its 31 days" in short.message
    assert [(c.figure.benefit_id, c.figure.how) for c in done.plan.changes] == [
        ("SEP-01", "20 daily figures averaged (20 of 31 days)")]


def test_a_measure_code_finds_its_benefit_unless_two_benefits_share_it(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = daily_extract(tmp_path / "daily.csv", range(6, 7), codes={"SEP-01": "SEPSIS-SCR"})
    done = import_actuals(extract, target, dry_run=True)
    assert {c.figure.benefit_id for c in done.plan.changes} == {"EPMA-01", "SEP-01"}
    wb = openpyxl.load_workbook(target)
    ws = wb["Benefits Register"]
    code = list(CLEAN_BENEFIT).index("national_measure_code") + 1
    ws.cell(row=3, column=code).value = "SEPSIS-SCR"  # EPMA-01 given the same code by mistake
    wb.save(target)
    done = import_actuals(extract, target, dry_run=True)
    shared = [f for f in done.plan.findings if f.code == "BRM411"]
    assert len(shared) == 31 and "EPMA-01, SEP-01" in shared[0].message


def test_levels_are_averaged_and_amounts_summed(tmp_path: Path) -> None:
    from xl_brm.model import Benefit

    def benefit(**kw: Any) -> Benefit:
        base = {"benefit_id": "X", "trust_ods": "RJ1", "programme": "GDE", "project": "P", "title": "T",
                "benefit_type": "quantitative_non_financial", "category": "safety_quality",
                "benefit_owner": "O", "approval_status": "draft"}
        return Benefit(**{**base, **kw})

    assert roll_up_method(benefit(unit="count", measure="errors a month")) == "sum"
    assert roll_up_method(benefit(unit="hours", measure="pharmacist hours released per month")) == "sum"
    assert roll_up_method(benefit(unit="percent")) == "mean"
    assert roll_up_method(benefit(unit="days", measure="median days from referral to treatment")) == "mean"
    per_shift = benefit(unit="minutes", measure="minutes of documentation per nursing shift")
    assert roll_up_method(per_shift) == "mean"
    monthly_errors = benefit(unit="count", measure="errors reported a month")
    assert roll_up_method(monthly_errors, 1) == "sum"  # days add up to the month
    assert roll_up_method(monthly_errors, 3) == "mean"  # kept quarterly, it is still a monthly level
    assert roll_up_method(benefit(unit="count", measure="pages printed a quarter"), 3) == "sum"


def test_monthly_figures_go_into_a_quarterly_register_as_its_quarters(tmp_path: Path) -> None:
    path = tmp_path / "quarterly.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    names = list(CLEAN_BENEFIT)
    ws.append([*names, "Q1 19/20", "Q2 19/20"])
    ws.append([CLEAN_BENEFIT.get(n) for n in names] + [359.0, None])
    wb.save(path)
    extract = tmp_path / "monthly.csv"
    extract.write_text("Benefit ID,Month,Count\nEPMA-01,Jul-19,119\nEPMA-01,Aug-19,122\nEPMA-01,Sep-19,120\n"
                       "EPMA-01,Oct-19,110\n")
    done = import_actuals(extract, path)
    assert [(str(c.figure.period), c.figure.value, c.cell) for c in done.plan.changes] == [
        ("2019/20 Q2", 361.0, f"{_letter(len(names) + 1)}2")]
    assert [f.code for f in done.plan.findings] == ["BRM413"]  # October alone is no quarter yet


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    before = target.read_bytes()
    done = import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 12)), target, dry_run=True)
    assert done.written is None and done.plan.counts["new"] == 12
    assert target.read_bytes() == before


def test_a_register_is_never_left_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xl_brm.actuals.write as write

    target = register(tmp_path / "long.xlsx", "long", 6)
    before = target.read_bytes()

    def broken(self: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(write._Writer, "write", broken)
    with pytest.raises(OSError):
        import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 12)), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["daily.csv", "long.xlsx"]


def test_a_register_with_charts_is_not_rewritten_in_place(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    target = register(tmp_path / "long.xlsx", "long", 6)
    wb = openpyxl.load_workbook(target)
    chart = BarChart()
    chart.add_data(Reference(wb["Measurements"], min_col=3, min_row=1, max_row=7))
    wb["Measurements"].add_chart(chart, "H2")
    wb.save(target)
    extract = daily_extract(tmp_path / "daily.csv", range(6, 7))
    with pytest.raises(UsageError, match="charts"):
        import_actuals(extract, target)
    copy = tmp_path / "updated.xlsx"
    done = import_actuals(extract, target, out=copy)
    assert done.written == copy and figures(copy)[0]["latest"] == 110.0


def test_xlsx_extracts_with_title_rows_date_cells_and_a_saved_mapping(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = tmp_path / "bi.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Monthly KPI extract from the data warehouse"])
    ws.append([])
    ws.append(["KPI Ref", "Mth", "Numerator"])
    ws.append(["EPMA-01", date(2019, 10, 1), 110])
    ws.append(["EPMA-01", date(2019, 11, 1), 100])
    wb.save(extract)
    proposal = propose_extract_mapping(extract)
    assert proposal.header_row == 3
    assert proposal.columns == {"KPI Ref": "measure_code", "Mth": "period", "Numerator": "value"}
    mapping = ExtractMapping.loads("[Extract]\nheader row = 3\nKPI Ref = benefit_id\nMth = period\n"
                                   "Numerator = value\n")
    done = import_actuals(extract, target, mapping=mapping)
    assert [(c.figure.benefit_id, str(c.figure.period), c.figure.value) for c in done.plan.changes] == [
        ("EPMA-01", "2019-10", 110.0), ("EPMA-01", "2019-11", 100.0)]
    assert ExtractMapping.loads(mapping.dumps()).columns == mapping.columns


def test_a_windows_csv_with_semicolons_and_pound_signs(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = tmp_path / "finance.csv"
    extract.write_bytes("Benefit ID;Period;Amount (£)\nEPMA-01;2019-10;£110\n".encode("cp1252"))
    done = import_actuals(extract, target, dry_run=True)
    assert [(c.figure.value, c.status) for c in done.plan.changes] == [(110.0, "new")]


def test_the_command_line_shows_the_changes_and_exits_1_on_bad_lines(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = tmp_path / "monthly.csv"
    extract.write_text("Benefit ID,Month,Value\nEPMA-01,Oct-19,110\nEPMA-01,Nov-19,lots\n")
    exe = Path(sys.executable).with_name("xl-brm")
    run = subprocess.run([str(exe), "actuals", "import", str(extract), "--into", str(target), "--dry-run",
                          "--format", "json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    body = json.loads(run.stdout)
    assert body["counts"]["new"] == 1 and body["written"] is None
    assert [(i["code"], i["row"]) for i in body["issues"]] == [("BRM201", 3)]
    run = subprocess.run([str(exe), "actuals", "import", str(tmp_path / "nope.csv"), "--into", str(target)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def _letter(index: int) -> str:
    from xl_brm.table import column_letter

    return column_letter(index)


def test_actuals_map_saves_a_mapping_the_import_reads(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = tmp_path / "kpis.csv"
    extract.write_text("KPI Ref,Mth,Numerator\nEPMA-01,Oct-19,110\n")
    exe = Path(sys.executable).with_name("xl-brm")
    run = subprocess.run([str(exe), "actuals", "map", str(extract)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    saved = tmp_path / "kpis.mapping.ini"
    assert "KPI Ref = measure_code" in saved.read_text()
    done = import_actuals(extract, target, mapping=ExtractMapping.load(saved), dry_run=True)
    assert [(c.figure.benefit_id, c.figure.value) for c in done.plan.changes] == [("EPMA-01", 110.0)]


def test_a_csv_with_title_lines_above_its_header_is_read(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    body = daily_extract(tmp_path / "plain.csv", range(6, 7)).read_text()
    extract = tmp_path / "titled.csv"
    titles = "Example BI warehouse - daily extract\nRun on 06/04/2021 07:00, by the overnight job\n\n"
    extract.write_text(titles + body, encoding="utf-8")
    assert propose_extract_mapping(extract).header_row == 4
    done = import_actuals(extract, target, dry_run=True)
    assert [(c.figure.benefit_id, c.figure.value, c.figure.lines[0]) for c in done.plan.changes] == [
        ("EPMA-01", 110.0, 5), ("SEP-01", 70.0, 6)]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Example BI warehouse\n\nBenefit ID,Month,Value\nEPMA-01,Oct-19,110\n"
                      "EPMA-01,Nov-19,1,000\n")
    with pytest.raises(InputError) as raised:
        import_actuals(ragged, target, dry_run=True)
    message = str(raised.value)
    assert message.startswith("ragged.csv: line 5 has 4 fields where the header (line 3) has 3")
    assert "C error" not in message and "tokeniz" not in message


def mixed_register(path: Path) -> Path:
    """A long register keeping EPMA-01 monthly and SEP-01 quarterly on one sheet, in the trust's
    own spellings ('Apr-19', 'Q1 19/20'), each benefit's rows together, notes below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits Register"
    names = list(CLEAN_BENEFIT)
    ws.append(names)
    for b in BENEFITS:
        ws.append([b.get(n) for n in names])
    ms = wb.create_sheet("Measurements")
    ms.append(["Benefit Ref", "Month", "Actual", "Data Source", "Grade"])
    for p, v in zip(MONTHS[:6], ERRORS, strict=False):
        ms.append(["EPMA-01", p.start.strftime("%b-%y"), v, "Datix", "Actual"])
    for q, v in ((1, 61.2), (2, 62.2)):
        ms.append(["SEP-01", f"Q{q} 19/20", v, "Audit", "Actual"])
    ms.append([])
    ms.append(["Notes: figures are validated by Information Services"])
    wb.save(path)
    return path


def days_extract(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(["Activity Date,Metric,Value", *lines]) + "\n", encoding="utf-8")
    return path


def days_of(months: range, code: str, value: float) -> list[str]:
    """A line per day of the months, each with the same value (a level)."""
    lines = []
    for k in months:
        p = MONTHS[k]
        days = (p.end - p.start).days + 1
        lines += [f"{p.start + timedelta(days=d):%d/%m/%Y},{code},{value}" for d in range(days)]
    return lines


def test_a_quarter_in_a_sheet_of_mostly_months_is_written_as_a_quarter_and_reads_back(tmp_path: Path) -> None:
    target = mixed_register(tmp_path / "mixed.xlsx")
    extract = days_extract(tmp_path / "daily.csv", days_of(range(6, 9), "SEP-01", 70.5))
    done = import_actuals(extract, target)
    assert [(str(c.figure.period), c.figure.value, c.status) for c in done.plan.changes] == [
        ("2019/20 Q3", 70.5, "new")]
    assert done.written == target
    ms = openpyxl.load_workbook(target)["Measurements"]
    written = [[c.value for c in row][:3] for row in ms.iter_rows(min_row=2) if row[0].value == "SEP-01"]
    assert written[-1] == ["SEP-01", "Q3 19/20", 70.5]
    _raw, validation = load(target)
    assert [(str(m.period), m.value) for m in validation.register.measurements["SEP-01"]][-1] == (
        "2019/20 Q3", 70.5)


def test_a_quarter_not_yet_complete_is_not_imported_as_the_quarters_figure(tmp_path: Path) -> None:
    target = mixed_register(tmp_path / "mixed.xlsx")
    oct_to_mid_dec = days_of(range(6, 8), "SEP-01", 70.0) + days_of(range(8, 9), "SEP-01", 73.0)[:15]
    extract = days_extract(tmp_path / "daily.csv", [*oct_to_mid_dec, "01/01/2020,SEP-01,91.2"])
    done = import_actuals(extract, target, dry_run=True)
    (short,) = [f for f in done.plan.findings if f.code == "BRM413"]
    assert (short.row, short.cell, short.value) == (len(oct_to_mid_dec) + 2, f"A{len(oct_to_mid_dec) + 2}",
                                                     "2019/20 Q4")
    assert "1 of its 3 months" in short.message  # one January day is not the quarter's level
    (q3,) = done.plan.changes  # every month of Q3 is there: its level, noted as part of its days
    assert str(q3.figure.period) == "2019/20 Q3"
    assert q3.figure.how == "76 daily figures averaged (76 of 92 days)"
    assert math.isclose(q3.figure.value, (61 * 70.0 + 15 * 73.0) / 76)
    monthly = tmp_path / "monthly.csv"
    monthly.write_text("Benefit ID,Month,Value\nSEP-01,Jan-20,80\nSEP-01,Feb-20,82\nEPMA-01,Oct-19,110\n")
    done = import_actuals(monthly, target, dry_run=True)
    assert [(f.code, f.row) for f in done.plan.findings] == [("BRM413", 2)]
    assert [c.figure.benefit_id for c in done.plan.changes] == ["EPMA-01"]


def test_new_long_rows_go_under_the_benefits_own_rows_styled_like_them(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 6)
    wb = openpyxl.load_workbook(target)
    ms = wb["Measurements"]
    for row in range(2, 14):  # EPMA-01 on rows 2-7 as counts, SEP-01 on 8-13 as percentages
        ms.cell(row=row, column=3).number_format = "#,##0" if row < 8 else "0.0%"
        if row >= 8:
            ms.cell(row=row, column=3).value = ms.cell(row=row, column=3).value / 100
        ms.cell(row=row, column=1).font = openpyxl.styles.Font(bold=True)
        ms.cell(row=row, column=6).value = f"=C{row}*2"  # a column the trust works out
        if row < 8:  # EPMA-01's months typed as dates shown 'mmm-yy', SEP-01's as text
            ms.cell(row=row, column=2).value = MONTHS[row - 2].start
            ms.cell(row=row, column=2).number_format = "mmm-yy"
    summary = wb.create_sheet("Summary")
    summary["A1"] = "=SUM(Measurements!C2:C7)"  # EPMA-01's six months
    summary["A2"] = "=AVERAGE(Measurements!$C$8:$C$13)"  # SEP-01's
    summary["A3"] = "=Measurements!A15"  # the notes
    ms["G1"] = "=COUNTA(A2:A13)"
    wb.save(target)
    done = import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 7)), target)
    assert [(c.figure.benefit_id, c.cell, c.adds) for c in done.plan.changes] == [
        ("EPMA-01", "C8", "row"), ("SEP-01", "C15", "row")]
    wb = openpyxl.load_workbook(target)
    ms = wb["Measurements"]
    epma, sep = ms["C8"], ms["C15"]
    assert (ms["A8"].value, epma.value, epma.number_format) == ("EPMA-01", 110, "#,##0")
    assert ms["A8"].font.b  # the row above's style
    assert (ms["A15"].value, sep.number_format) == ("SEP-01", "0.0%")
    assert (ms["B8"].value, ms["B8"].number_format) == (datetime(2019, 10, 1), "mmm-yy")  # as the row above
    assert ms["B15"].value == "Oct-19"
    assert [ms.cell(row=r, column=6).value for r in (7, 8, 9, 15, 16)] == [
        "=C7*2", "=C8*2", "=C9*2", "=C15*2", None]  # the new rows work it out too; the rest moved
    assert math.isclose(sep.value, 0.70)  # shown as 70.0%, as the extract says
    assert [ms.cell(row=r, column=3).number_format for r in range(9, 15)] == ["0.0%"] * 6  # moved, kept
    summary = wb["Summary"]
    assert [summary[c].value for c in ("A1", "A2", "A3")] == [
        "=SUM(Measurements!C2:C7)", "=AVERAGE(Measurements!$C$9:$C$14)", "=Measurements!A17"]
    assert ms["G1"].value == "=COUNTA(A2:A14)"
    assert ms["A17"].value.startswith("Notes:")


def test_a_figure_written_into_a_percent_formatted_cell_shows_as_the_extract_says(tmp_path: Path) -> None:
    target = register(tmp_path / "right.xlsx", "right", 6)
    wb = openpyxl.load_workbook(target)
    ws = wb["Benefits Register"]
    last = len(CLEAN_BENEFIT) + 6
    ws.cell(row=4, column=last + 1).number_format = "0.0%"  # SEP-01's Oct-19, blank, formatted ready
    wb.save(target)
    extract = tmp_path / "monthly.csv"
    extract.write_text("Benefit ID,Month,Value\nSEP-01,Oct-19,91.2%\nEPMA-01,Oct-19,110\n")
    done = import_actuals(extract, target)
    assert done.written == target and [c.as_percent for c in done.plan.changes] == [False, True]
    ws = openpyxl.load_workbook(target)["Benefits Register"]
    cell = ws.cell(row=4, column=last + 1)
    assert math.isclose(cell.value, 0.912) and cell.number_format == "0.0%"  # Excel shows 91.2%
    assert ws.cell(row=3, column=last + 1).value == 110


def test_a_percentage_the_trust_types_as_text_is_written_as_text_like_it(tmp_path: Path) -> None:
    target = mixed_register(tmp_path / "mixed.xlsx")
    wb = openpyxl.load_workbook(target)
    ms = wb["Measurements"]
    ms["C8"], ms["C9"] = "61.2%", "62.20 %"  # SEP-01's two quarters, as the trust typed them
    wb.save(target)
    extract = days_extract(tmp_path / "daily.csv", days_of(range(6, 9), "SEP-01", 70.5)
                           + days_of(range(9, 12), "SEP-01", 2 / 3 * 100))
    done = import_actuals(extract, target)
    assert [(c.cell, c.status) for c in done.plan.changes] == [("C10", "new"), ("C11", "new")]
    ms = openpyxl.load_workbook(target)["Measurements"]
    assert [ms[c].value for c in ("B10", "C10", "B11")] == ["Q3 19/20", "70.50%", "Q4 19/20"]  # its decimals
    q4 = ms["C11"].value  # more decimals where two would round the figure
    assert q4.startswith("66.66666666") and float(q4[:-1]) == done.plan.changes[1].figure.value
    _raw, validation = load(target)
    assert [m.value for m in validation.register.measurements["SEP-01"]][2:] == pytest.approx([70.5, 200 / 3])


def test_a_new_period_column_moves_a_total_column_and_what_points_at_it(tmp_path: Path) -> None:
    target = register(tmp_path / "right.xlsx", "right", 6)
    wb = openpyxl.load_workbook(target)
    ws = wb["Benefits Register"]
    first, last = len(CLEAN_BENEFIT) + 1, len(CLEAN_BENEFIT) + 6
    total = _letter(last)  # 0-based index `last` is the column after the six months
    ws.cell(row=2, column=last + 1).value = "Total"
    for row in (3, 4):
        ws.cell(row=row, column=last + 1).value = f"=SUM({_letter(first - 1)}{row}:{_letter(last - 1)}{row})"
    wb.create_sheet("Summary")["A1"] = f"='Benefits Register'!{total}3"
    wb.save(target)
    done = import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 7)), target)
    assert [c.cell for c in done.plan.changes] == [f"{total}3", f"{total}4"]
    wb = openpyxl.load_workbook(target)
    ws = wb["Benefits Register"]
    moved = _letter(last + 1)
    assert [ws.cell(row=2, column=c).value for c in (last + 1, last + 2)] == ["Oct-19", "Total"]
    assert ws[f"{total}3"].value == 110
    assert ws[f"{moved}3"].value == f"=SUM({_letter(first - 1)}3:{_letter(last - 1)}3)"  # as Excel would
    assert wb["Summary"]["A1"].value == f"='Benefits Register'!{moved}3"  # still the total


def test_a_wide_row_of_percentages_typed_as_text_gets_one_more_like_them(tmp_path: Path) -> None:
    target = register(tmp_path / "right.xlsx", "right", 6)
    wb = openpyxl.load_workbook(target)
    ws = wb["Benefits Register"]
    first = len(CLEAN_BENEFIT) + 1
    for k in range(6):
        ws.cell(row=4, column=first + k).value = f"{PERCENT[k]:.1f}%"  # SEP-01: '61.0%', '62.5%', ...
    wb.save(target)
    import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 7)), target)
    ws = openpyxl.load_workbook(target)["Benefits Register"]
    assert [ws.cell(row=r, column=first + 6).value for r in (3, 4)] == [110, "70.0%"]


@pytest.mark.parametrize(("text", "said"), [
    ("", "empty.csv: the extract is empty"),
    ("\n\n", "empty.csv: the extract is empty"),
    ('Title\n\nBenefit ID,Month,Value\nEPMA-01,Oct-19,110\nEPMA-01,Nov-19,"100\nEPMA-01,Dec-19,95\n',
     'empty.csv: a quote (") opened on line 5 is never closed'),
])
def test_an_extract_that_cannot_be_read_says_which_line_and_what_to_do(text: str, said: str, tmp_path: Path):
    target = register(tmp_path / "long.xlsx", "long", 6)
    extract = tmp_path / "empty.csv"
    extract.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        import_actuals(extract, target, dry_run=True)
    assert str(raised.value).startswith(said) and raised.value.hint


def test_an_excel_table_over_the_measurements_takes_in_the_rows_put_in_its_middle(tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    target = register(tmp_path / "long.xlsx", "long", 6)
    wb = openpyxl.load_workbook(target)
    ms = wb["Measurements"]
    ms.add_table(Table(displayName="Actuals", ref="A1:E13"))
    ms.add_table(Table(displayName="Notes", ref="A15:A16"))
    ms["A16"] = "Checked monthly"
    wb.save(target)
    done = import_actuals(daily_extract(tmp_path / "daily.csv", range(6, 7)), target)
    assert [c.cell for c in done.plan.changes] == ["C8", "C15"]
    ms = openpyxl.load_workbook(target)["Measurements"]
    assert dict(ms.tables.items()) == {"Actuals": "A1:E15", "Notes": "A17:A18"}
    assert ms["A18"].value == "Checked monthly"


def test_the_command_line_says_nothing_to_write_when_nothing_would_change(tmp_path: Path) -> None:
    target = register(tmp_path / "long.xlsx", "long", 12)
    extract = tmp_path / "monthly.csv"
    extract.write_text("Benefit ID,Month,Value\nEPMA-01,Oct-19,110\n")  # what the register holds
    exe = Path(sys.executable).with_name("xl-brm")
    run = subprocess.run([str(exe), "actuals", "import", str(extract), "--into", str(target), "--dry-run"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last == "0 new, 0 changed, 1 unchanged, 0 kept: nothing to write"
