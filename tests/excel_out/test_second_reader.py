"""An independent second reader: LibreOffice opens what we write (skipped where not installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from xl_brm.excel import write_template

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def soffice() -> str:
    """LibreOffice, skipped where not installed unless CI demands it (XL_BRM_REQUIRE_LIBREOFFICE=1)."""
    if SOFFICE is None:
        if os.environ.get("XL_BRM_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice is required here but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return SOFFICE


def test_libreoffice_converts_the_template(tmp_path: Path, soffice: str) -> None:
    path = write_template(tmp_path / "template.xlsx")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    text = (tmp_path / "template.csv").read_text(encoding="utf-8", errors="replace")
    assert "Benefits register" in text


def _sheets_as_csv(soffice: str, book: Path, out: Path) -> dict[str, str]:
    """Every sheet of `book` as LibreOffice reads it, sheet name -> CSV text."""
    out.mkdir(parents=True, exist_ok=True)
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
         "--convert-to", every_sheet, "--outdir", str(out), str(book)],
        check=True, timeout=180, capture_output=True,
    )
    prefix = f"{book.stem}-"
    return {p.stem.removeprefix(prefix): p.read_text(encoding="utf-8") for p in out.glob(f"{prefix}*.csv")}


def test_libreoffice_sees_the_trusts_sheets_unchanged_in_an_annotated_copy(
    tmp_path: Path, soffice: str
) -> None:
    from xl_brm.api import validate_file
    from xl_brm.excel.annotate import annotate_copy

    original = Path(__file__).resolve().parents[2] / "workbooks" / "examples" / "acute_gde_rj1.xlsx"
    report = validate_file(original)
    copy = annotate_copy(original, tmp_path / "annotated", report.issues)
    before = _sheets_as_csv(soffice, original, tmp_path / "before")
    after = _sheets_as_csv(soffice, copy, tmp_path / "after")
    assert set(before) == {"Benefits Register", "Monthly Data"}
    for sheet, text in before.items():
        assert after[sheet] == text, f"LibreOffice reads sheet {sheet!r} differently in the annotated copy"
    issues = after["Issues"]
    for finding in report.issues:
        assert finding.code in issues and f"{finding.cell}" in issues


def test_libreoffice_reads_the_computed_figures(tmp_path: Path, soffice: str) -> None:
    import csv
    import io

    from xl_brm.api import load
    from xl_brm.computation import compute
    from xl_brm.excel.compute_out import write_compute
    from xl_brm.periods import parse_period

    source = Path(__file__).resolve().parents[2] / "workbooks" / "examples" / "community_taj.xlsx"
    _raw, validation = load(source)
    computed = compute(validation, as_of=parse_period("2020-09"))
    figures = computed.figures
    book = write_compute(source, tmp_path / "computed.xlsx", computed)
    sheets = _sheets_as_csv(soffice, book, tmp_path / "lo")
    rows = list(csv.reader(io.StringIO(sheets["Computed"])))
    header = rows[0]
    by_id = {row[0]: row for row in rows[1:] if row and row[0]}
    expected = {f.benefit_id: f for f in figures}
    assert set(expected) <= set(by_id)
    money = header.index("realised_value_gbp")
    for benefit_id, f in expected.items():
        cell = by_id[benefit_id][money].replace("£", "").replace(",", "").strip()
        if f.realised_value_gbp is None:
            assert cell == "—"
        else:
            assert abs(float(cell.replace("(", "-").replace(")", "")) - f.realised_value_gbp) < 0.01
