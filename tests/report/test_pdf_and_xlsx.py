"""The board report's PDF rendered to PNG page by page (pdftoppm) with each page's text read
back (pdftotext), and its .xlsx read back: the same figures as `compute --format json`."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from xl_brm import display

from .conftest import ARTEFACTS, required


def _pages(pdf: Path) -> list[str]:
    pdftotext = required("pdftotext")
    count = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                [required("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    return [
        subprocess.run(
            [pdftotext, "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def test_pdf_renders_every_page_with_its_figures(
    board_files: dict[str, Path], community_json: dict[str, Any], tmp_path: Path
) -> None:
    pdf = board_files["pdf"]
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(
        [required("pdftoppm"), "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    pages = _pages(pdf)
    assert len(pngs) == len(pages) >= 5
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 2_000, png.name
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text, "every page is numbered"
    first = pages[0] + pages[1]
    assert "Realised against planned value to date" in first and "as of 2020-09" in pages[0]
    cash = round(
        sum(
            b["realised_value_gbp"]
            for b in community_json["benefits"]
            if b["benefit_id"] in {"CH-02", "CH-09"}
        ),
        2,
    )
    assert display.money(cash) in first  # £1,463,680.92
    everything = "\n".join(pages)
    for benefit in community_json["benefits"]:
        page = next(p for p in pages if benefit["benefit_id"] in p and "Figures per benefit" in p)
        line = next(ln for ln in page.splitlines() if ln.strip().startswith(benefit["benefit_id"]))
        for key in ("realised_value_gbp", "pv_gbp"):
            assert display.money(benefit[key]) in line, (benefit["benefit_id"], key, line)
        assert display.percent(benefit["percent_of_target"]) in line
    assert "Present value (HM Treasury Green Book)" in everything and "3.5% a year" in everything
    assert "BRM308" in everything and "Benefits!R9" in everything, "the data-quality annex names cells"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pngs[0], ARTEFACTS / "board-report-pdf-page-1.png")


def test_xlsx_has_the_figures_and_native_charts(
    board_files: dict[str, Path], community_json: dict[str, Any]
) -> None:
    book = load_workbook(board_files["xlsx"])
    assert book.sheetnames[:3] == ["Board report", "RAG", "Figures"]
    sheet = book["Figures"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r[:2] == ["Benefit", "Title"])
    by_id = {r[0]: r for r in rows if r and isinstance(r[0], str) and r[0].startswith("CH-")}
    for benefit in community_json["benefits"]:
        row = by_id[benefit["benefit_id"]]
        for key, heading in (("realised_value_gbp", "Realised value (£)"), ("pv_gbp", "Present value (£)")):
            cell = row[header.index(heading)]
            assert (None if cell == "—" else cell) == benefit[key], (benefit["benefit_id"], key)
    plotted = [
        r for r in book["Trajectories"].iter_rows(values_only=True) if r and str(r[0]).startswith("20")
    ]
    assert plotted and all(v is None or isinstance(v, float | int) for r in plotted for v in r[1:5]), (
        "chart figures are numbers or gaps, never text Excel would plot as zero"
    )
    with zipfile.ZipFile(board_files["xlsx"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 8, "a native line chart per quantitative benefit"
