"""Issue 13 on a register written from scratch in a house style xl-brm was not tuned on:
two years of monthly figures before the baseline window and an e-prescribing go-live ramping
from a pilot ward's handful. Clean, it gets no finding at all; broken, its findings use the
trust's headings and show values as its cells do, in the JSON, the table and the annotated copy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xl_brm.api import validate_file

BENEFIT_HEADERS = [
    "Benefit Ref", "Trust Code", "Programme", "Project", "Benefit Description", "Cash/Non-cash",
    "Category", "Beneficiary", "Measure", "Unit", "Direction", "Baseline", "Baseline From",
    "Baseline To", "Target", "Target Date", "Go Live", "Unit Value (£)", "Attribution %",
    "Benefit Owner", "Status", "Signed off by", "Sign-off Date", "Confidence", "Evidence",
]
MEASUREMENT_HEADERS = ["Benefit Ref", "Month", "Actual", "Data Source", "Grade"]
AGENCY = ["EPR-01", "RJ1", "GDE", "EPR", "Fewer agency nursing hours", "Cash releasing",
          "Efficiency / Productivity", "Staff", "agency nursing hours per month", "hours", "Down",
          4800, "01/04/2019", "30/09/2019", 3800, "31/03/2021", "01/10/2019", "£38.50", "80%",
          "Director of Nursing", "Approved", "Director of Finance", "14/01/2020", "Medium", ""]
EPMA = ["EPR-02", "RJ1", "GDE", "EPMA", "Prescriptions made electronically", "Quantifiable",
        "Quality & Safety", "Patients", "electronic prescriptions per month", "count", "Up",
        2, "01/04/2019", "30/09/2019", 20000, "31/03/2021", "01/10/2019", "", "100%",
        "Chief Pharmacist", "Approved", "Medical Director", "02/03/2020", "High", ""]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _month(k: int) -> str:
    """'Apr-17' for k = 0, a month later for each k."""
    year, month = divmod(2017 * 12 + 3 + k, 12)
    return f"{MONTHS[month]}-{year % 100:02d}"


def _agency() -> list[float]:
    """Apr-17 to Mar-21: two years of history around 4,800 hours, then a slow fall to 3,800."""
    history = [4800 + (k * 37) % 160 - 80 for k in range(30)]  # to Sep-19
    after = [4800 - 55 * k + (k * 23) % 40 for k in range(1, 19)]  # Oct-19 to Mar-21
    return [float(v) for v in history + after]


def _epma() -> list[float]:
    """Apr-19 to Mar-21: a pilot ward's few a month, then the go-live's ramp (4, 45, 520, ...)."""
    pilot = [2, 1, 3, 2, 2, 3]
    ramp = [4, 45, 520, 3100, 9000, 15000, 18500, 19800]
    steady = [20100 + (k * 53) % 300 for k in range(10)]
    return [float(v) for v in pilot + ramp + steady]


def write(path: Path, change: dict[str, Any] | None = None) -> Path:
    """The register; `change` maps (sheet, A1) -> a different cell value."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Benefits Register"
    ws.append(BENEFIT_HEADERS)
    ws.append(AGENCY)
    ws.append(EPMA)
    data = book.create_sheet("Monthly Data")
    data.append(MEASUREMENT_HEADERS)
    for k, value in enumerate(_agency()):
        data.append(["EPR-01", _month(k), value, "Rostering", "Actual"])
    for k, value in enumerate(_epma()):
        data.append(["EPR-02", _month(24 + k), value, "EPMA report", "Actual"])
    for (sheet, ref), value in (change or {}).items():
        book[sheet][ref] = value
    book.save(path)
    return path


def xl_brm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xl_brm", *args], capture_output=True, text=True, timeout=120
    )


def test_the_register_is_what_it_says() -> None:
    agency, epma = _agency(), _epma()
    assert (_month(0), _month(29), _month(47)) == ("Apr-17", "Sep-19", "Mar-21")
    assert len(agency) == 48 and len(epma) == 24
    assert epma[6:9] == [4.0, 45.0, 520.0]  # each more than ten times the one before


def test_a_clean_register_with_history_and_a_ramp_gets_no_finding(tmp_path: Path) -> None:
    report = validate_file(write(tmp_path / "register.xlsx"))
    assert report.benefits == 2 and report.measurements == 72
    assert report.issues == []


def test_a_year_typed_wrong_in_history_is_reported_at_its_cell_in_the_trusts_words(tmp_path: Path) -> None:
    path = write(tmp_path / "register.xlsx", {("Monthly Data", "B7"): "Sep-07"})  # Sep-17's row
    run = xl_brm("validate", str(path), "--format", "json")
    assert run.returncode == 0, run.stderr
    (issue,) = json.loads(run.stdout)["files"][0]["issues"]
    assert issue | {"message": None} == {
        "code": "BRM404", "severity": "warning", "sheet": "Monthly Data", "row": 7, "column": "period",
        "cell": "B7", "value": "2007-09", "message": None, "heading": "Month",
    }
    assert issue["message"] == (
        "Month (period) 2007-09 ends more than 3 years before the benefit's Baseline From "
        "(baseline_start) 01/04/2019; check the year"
    )


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Nobody named under 'Signed off by' for EPR-01; EPR-02's target date before its go-live."""
    folder = tmp_path_factory.mktemp("broken")
    path = write(folder / "register.xlsx", {("Benefits Register", "V2"): None,
                                            ("Benefits Register", "P3"): "30/06/2019"})
    run = xl_brm("validate", str(path), "--format", "json", "--annotate", str(folder / "out"))
    assert run.returncode == 1, run.stderr
    return folder, {i["code"]: i for i in json.loads(run.stdout)["files"][0]["issues"]}


def test_findings_name_the_trusts_heading_with_our_field_in_brackets(
    broken: tuple[Path, dict[str, Any]],
) -> None:
    _, issues = broken
    assert issues["BRM304"]["heading"] == "Signed off by" and issues["BRM304"]["column"] == "approved_by"
    assert issues["BRM304"]["message"] == (
        "Status (approval_status) is approved but Signed off by (approved_by) is blank; "
        "record who approved it and when"
    )


def test_dates_show_as_the_cell_shows_them(broken: tuple[Path, dict[str, Any]]) -> None:
    _, issues = broken
    assert issues["BRM308"]["value"] == "30/06/2019"  # not 2019-06-30
    assert issues["BRM308"]["message"] == (
        "Target Date 30/06/2019 is before Go Live (realisation_start) 01/10/2019"
    )  # 'Target Date' is our field's own name: said once


def test_the_annotated_copy_says_the_same(broken: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = broken
    sheet = openpyxl.load_workbook(folder / "out" / "register.xlsx")["Benefits Register"]
    assert "Signed off by (approved_by) is blank" in sheet["V2"].comment.text
    assert "Target Date 30/06/2019 is before Go Live (realisation_start)" in sheet["P3"].comment.text


def test_the_table_says_the_same(tmp_path: Path) -> None:
    path = write(tmp_path / "register.xlsx", {("Benefits Register", "V2"): None})
    run = xl_brm("validate", str(path))
    assert "Signed off by (approved_by)" in " ".join(run.stdout.split())
