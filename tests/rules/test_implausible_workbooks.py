"""The issue's reproductions on real .xlsx files through the real command line: a unit value
of 9.9e307, a NUL in a title and a measurement for 9999-12 are errors at their cells, and
`compute` gives finite figures (never a traceback, never inf)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rules_workbooks import CLEAN_BENEFIT, months

HEADERS = list(CLEAN_BENEFIT)


def xl_brm(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "xl_brm", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def register(
    path: Path, *, benefit: dict[str, Any] | None = None, last_period: str | None = None
) -> Path:
    """One approved cash-releasing benefit with twelve monthly measurements, as Excel saves it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Benefits"
    sheet.append(HEADERS)
    row = {**CLEAN_BENEFIT, **(benefit or {})}
    sheet.append([row[h] for h in HEADERS])
    measurements = book.create_sheet("Measurements")
    measurements.append(["benefit_id", "period", "value", "source"])
    rows = months("EPMA-01", (2019, 4), [120, 118, 121, 119, 120, 122, 110, 100, 95, 90, 85, 80])
    if last_period is not None:
        rows[-1]["period"] = last_period
    for m in rows:
        measurements.append([m["benefit_id"], m["period"], m["value"], m["source"]])
    book.save(path)
    return path


def issues(run: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert "Traceback" not in run.stderr, run.stderr
    (file,) = json.loads(run.stdout)["files"]
    return list(file["issues"])


def test_a_unit_value_of_9_9e307_is_an_error_at_its_cell_and_compute_stays_finite(tmp_path: Path) -> None:
    path = register(tmp_path / "huge.xlsx", benefit={"unit_value_gbp": 9.9e307})
    run = xl_brm("validate", str(path), "--format", "json")
    assert run.returncode == 1
    errors = [(i["code"], i["column"], i["cell"]) for i in issues(run) if i["severity"] == "error"]
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[HEADERS.index("unit_value_gbp")]
    assert errors == [("BRM214", "unit_value_gbp", f"{column}2")]
    computed = xl_brm("compute", str(path), "--as-of", "2020-03", "--format", "json")
    assert computed.returncode in (0, 1) and "Traceback" not in computed.stderr, computed.stderr
    (figures,) = json.loads(computed.stdout)["benefits"]
    assert figures["realised_value_gbp"] is None  # the refused unit value is not used
    assert figures["realised_quantity"] == pytest.approx(((120 - 110) + 20 + 25 + 30 + 35 + 40) * 0.8)


def test_a_nul_in_a_title_is_an_error_at_its_cell(tmp_path: Path) -> None:
    """openpyxl will not write a NUL, but Excel's own escape `_x0000_` carries one, and the
    reader decodes it: patched into the sheet's XML, as another program could have saved it."""
    written = register(tmp_path / "plain.xlsx", benefit={"title": "FewerNULerrors"})
    path = tmp_path / "nul.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(b"FewerNULerrors", b"Fewer_x0000_errors"))
    found = [(i["code"], i["column"]) for i in issues(xl_brm("validate", str(path), "--format", "json"))]
    assert ("BRM215", "title") in found


def test_a_measurement_for_9999_12_is_an_error_and_compute_is_quick(tmp_path: Path) -> None:
    path = register(tmp_path / "far.xlsx", last_period="9999-12")
    found = [(i["code"], i["cell"]) for i in issues(xl_brm("validate", str(path), "--format", "json"))]
    assert ("BRM216", "B13") in found
    computed = xl_brm("compute", str(path), "--as-of", "2020-03", "--format", "json")
    assert "Traceback" not in computed.stderr
    assert json.loads(computed.stdout)["benefits"][0]["benefit_id"] == "EPMA-01"


@pytest.mark.parametrize(("option", "value"), [("--as-of", "9999-12"), ("--base-fy", "1999/00")])
def test_compute_refuses_an_as_of_or_base_year_outside_the_window(
    tmp_path: Path, option: str, value: str
) -> None:
    path = register(tmp_path / "ok.xlsx")
    run = xl_brm("compute", str(path), option, value)
    assert run.returncode == 2
    assert "outside the plausible window" in run.stderr and "Traceback" not in run.stderr
