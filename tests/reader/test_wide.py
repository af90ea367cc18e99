"""Periods across the page (SPEC §2.2, wide layout): a column per month or quarter, on a
tracking sheet or beside the register, read cell by cell, each with its own reference."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rules"))
from rules_workbooks import CLEAN_BENEFIT, CLEAN_QUALITATIVE, TODAY

from xl_brm.api import Options, load, placed
from xl_brm.calc import compute_register
from xl_brm.findings import Finding
from xl_brm.periods import Period
from xl_brm.reader import HeaderMapping, propose_mapping, tables_from_grids
from xl_brm.reader.wide import looks_like_period, period_of_header
from xl_brm.table import RawWorkbook
from xl_brm.validate import validate_workbook

MONTHS = [Period.month(2019, 4).shift(k) for k in range(12)]
VALUES = [120.0, 118.0, 121.0, 119.0, 122.0, 120.0, 110.0, 100.0, 95.0, 90.0, 88.0, 85.0]


def benefits_grid(*extra_header: Any, rows: list[list[Any]] | None = None) -> list[list[Any]]:
    """A register with a title row: EPMA-01 (cash releasing) and QUAL-01 (qualitative), with
    `extra_header` cells to the right of its columns and `rows` of cells under them."""
    names = list(CLEAN_BENEFIT)
    grid: list[list[Any]] = [["Benefits register 2019/20"], [*names, *extra_header]]
    for k, benefit in enumerate((CLEAN_BENEFIT, CLEAN_QUALITATIVE)):
        extra = rows[k] if rows else []
        grid.append([benefit.get(n) for n in names] + list(extra))
    return grid


def read(sheets: dict[str, list[list[Any]]], **kw: Any) -> tuple[RawWorkbook, list[Finding]]:
    raw = tables_from_grids(sheets, path="register.xlsx", **kw)
    validation = validate_workbook(raw, today=TODAY)
    return raw, placed(raw, validation).findings


def long_grid() -> list[list[Any]]:
    grid: list[list[Any]] = [["Benefit ID", "Month", "Actual"]]
    grid += [["EPMA-01", str(p), v] for p, v in zip(MONTHS, VALUES, strict=True)]
    return grid


# -- headings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("Q1 19/20", "2019/20 Q1"), ("19/20 Q1", "2019/20 Q1"), ("Qtr 1 2019/20", "2019/20 Q1"),
        ("FY19/20 Q1", "2019/20 Q1"), ("2019/20 Q2", "2019/20 Q2"), ("Apr-19", "2019-04"),
        ("April 2019", "2019-04"), ("2019-04", "2019-04"), (dt.datetime(2019, 4, 1), "2019-04"),
        (dt.date(2019, 4, 30), "2019-04"), (43556.0, "2019-04"), ("30/04/2019", "2019-04"),
        ("M1 2019/20", "2019-04"),
    ],
)
def test_a_heading_in_any_spelling_names_its_period(cell: Any, period: str) -> None:
    found = period_of_header(cell)
    assert found is not None
    assert str(found[0]) == period
    assert found[1] is None


@pytest.mark.parametrize(
    ("cell", "kind"),
    [("Actual Apr-19", "Measurements"), ("Apr-19 Actual", "Measurements"), ("Plan Q1 19/20", "Trajectory"),
     ("Q1 19/20 (plan)", "Trajectory"), ("Target: 2019/20 Q4", "Trajectory")],
)
def test_a_word_beside_the_period_says_actual_or_plan(cell: str, kind: str) -> None:
    found = period_of_header(cell)
    assert found is not None and found[1] == kind


@pytest.mark.parametrize(
    "cell",
    ["Benefit ID", "Q1", "Jan", "2019", 2019.0, "2019/20", "Forecast Apr-19", "", None, True,
     dt.date(1999, 4, 1), 12.0, "Actual Plan Apr-19"],
)
def test_other_headings_name_no_period(cell: Any) -> None:
    assert period_of_header(cell) is None


def test_a_bare_month_takes_its_year_from_a_financial_year_over_it() -> None:
    assert str(period_of_header("Jan", "2019/20")[0]) == "2020-01"  # type: ignore[index]
    assert str(period_of_header("Q3", "FY 2020/21")[0]) == "2020/21 Q3"  # type: ignore[index]
    assert period_of_header("Jan", "Benefit details") is None


@pytest.mark.parametrize("header", ["Q1", "Jan", "M3", "Month 3", "Week 12", "2019/20", "2020", "Yr 2"])
def test_headings_that_look_like_periods_without_being_one(header: str) -> None:
    assert looks_like_period(header)


@pytest.mark.parametrize("header", ["Apr-19", "Benefit ID", "RAG (local)", "Total", "Comments"])
def test_headings_that_do_not_look_like_periods(header: str) -> None:
    assert not looks_like_period(header)


# -- reading ----------------------------------------------------------------------------------------


def test_a_tracking_sheet_gives_a_measurement_per_filled_cell_at_its_own_cell() -> None:
    header = ["Benefit Ref", "Benefit", "Measure", *(p.start.strftime("%b-%y") for p in MONTHS)]
    tracking = [["Monthly tracking"], [], header, ["EPMA-01", "Fewer errors", "errors", *VALUES]]
    tracking[3][8] = ""  # a blank cell is no measurement
    tracking[3][10] = "n/a"
    raw, findings = read({"Benefits": benefits_grid(), "Tracker 2019-20": tracking})
    table = raw.tables["Measurements"]
    assert len(table.rows) == 11
    bad = [f for f in findings if f.severity != "info"]
    assert [(f.code, f.sheet, f.row, f.cell, f.value) for f in bad] == [
        ("BRM407", "Tracker 2019-20", 4, "K4", "n/a")]


def test_period_columns_beside_the_register_are_its_measurements() -> None:
    headers = [f"Q{q} 19/20" for q in (1, 2, 3, 4)]
    grid = benefits_grid(*headers, rows=[[120.0, 119.0, "", 95.0], ["Survey done", "", "", ""]])
    raw, findings = read({"Register": grid})
    assert [f for f in findings if f.severity != "info"] == []
    measurements = [(rr.values[0], str(rr.values[1]), rr.values[2]) for rr in raw.tables["Measurements"].rows]
    assert measurements == [("EPMA-01", "2019/20 Q1", 120.0), ("EPMA-01", "2019/20 Q2", 119.0),
                            ("EPMA-01", "2019/20 Q4", 95.0), ("QUAL-01", "2019/20 Q1", "Survey done")]
    assert not {c.header for c in raw.tables["Benefits"].columns} & set(headers)  # not local columns
    table = raw.tables["Measurements"]
    assert table.origin is not None
    last = table.rows[2].row  # EPMA-01's Q4 19/20
    assert table.origin.heading(last, "value") == "Q4 19/20"  # the trust's own words, for messages
    assert table.origin.heading(last, "benefit_id") == "benefit_id"


def test_a_finding_on_a_period_cell_names_that_cell() -> None:
    months = [p.start.strftime("%b-%y") for p in MONTHS]
    values: list[Any] = list(VALUES)
    values[5] = 12000.0  # a slip: a hundred times its neighbours
    grid = benefits_grid(*months, rows=[values, []])
    _, findings = read({"Benefits": grid})
    width = len(CLEAN_BENEFIT)
    spike = [f for f in findings if f.code == "BRM501"]
    assert [(f.sheet, f.row, f.cell) for f in spike] == [("Benefits", 3, f"{_letter(width + 5)}3")]


def test_shared_cells_of_a_wide_row_are_reported_once_at_their_own_cell() -> None:
    header = ["Benefit ID", *(str(p) for p in MONTHS[:3])]
    tracking = [header, ["EPMA-1", 1.0, 2.0, 3.0]]  # not the register's ID
    _, findings = read({"Benefits": benefits_grid(), "Tracking": tracking})
    unknown = [f for f in findings if f.code == "BRM402"]
    assert [(f.sheet, f.cell) for f in unknown] == [("Tracking", "A2")]


def test_a_mixed_register_reads_long_and_wide_together_and_computes_the_same(tmp_path: Path) -> None:
    long_only = {"Benefits": benefits_grid(), "Measurements": long_grid()}
    wide_part = [["Benefit ID", *(p.start.strftime("%b-%y") for p in MONTHS[6:])],
                 ["EPMA-01", *VALUES[6:]]]
    first_half = long_grid()[:7]
    mixed = {"Benefits": benefits_grid(), "Measurements": first_half, "Tracker": wide_part}
    figures = []
    for sheets in (long_only, mixed):
        raw, findings = read(sheets)
        assert [f for f in findings if f.severity != "info"] == []
        validation = validate_workbook(raw, today=TODAY)
        figures.append([f.to_json() for f in compute_register(validation.register, as_of=MONTHS[-1])])
    assert figures[0] == figures[1]
    assert figures[0][0]["realised_value_gbp"] > 0


def test_a_repeated_period_names_the_first_cell_in_its_message() -> None:
    tracking = [["Benefit ID", "Apr-19", "2019-04"], ["EPMA-01", 120.0, 121.0]]
    _, findings = read({"Benefits": benefits_grid(), "Tracking": tracking})
    (twice,) = [f for f in findings if f.code == "BRM403"]
    assert (twice.sheet, twice.cell) == ("Tracking", "C2")
    assert "cell B2" in twice.message


def test_actual_and_plan_rows_of_a_tracker_are_measurements_and_the_trajectory() -> None:
    header = ["Benefit ID", "Type", *(p.start.strftime("%b-%y") for p in MONTHS[:3])]
    tracking = [header, ["EPMA-01", "Plan", 120.0, 110.0, 100.0], ["EPMA-01", "Actual", 121.0, 112.0, 99.0],
                ["EPMA-01", "Variance", 1.0, 2.0, -1.0]]
    raw, findings = read({"Benefits": benefits_grid(), "Tracking": tracking})
    assert [rr.values[2] for rr in raw.tables["Measurements"].rows] == [121.0, 112.0, 99.0]
    assert [rr.values[2] for rr in raw.tables["Trajectory"].rows] == [120.0, 110.0, 100.0]
    (info,) = [f for f in findings if f.code == "BRM109"]
    assert "'Variance'" in info.message and info.severity == "info"


def test_the_open_workbook_path_reads_date_headings_as_office_js_and_desktop_hand_them_over() -> None:
    serials = [float((p.start - dt.date(1899, 12, 30)).days) for p in MONTHS[:3]]
    datetimes = [dt.datetime.combine(p.start, dt.time()) for p in MONTHS[:3]]
    for headings in (serials, datetimes):
        raw, findings = read({"Benefits": benefits_grid(*headings, rows=[VALUES[:3], []])})
        periods = [str(rr.values[1]) for rr in raw.tables["Measurements"].rows]
        assert periods == ["2019-04", "2019-05", "2019-06"]
        assert [f for f in findings if f.severity != "info"] == []


# -- no sheet ignored silently ----------------------------------------------------------------------


def test_a_sheet_of_data_that_is_not_read_says_so_and_how_to_map_it() -> None:
    risks = [["Risk", "Owner", "Score"], ["Go-live slips", "CCIO", 12.0], ["Data quality", "CIO", 8.0]]
    guide = [["How to use this register"], ["Fill in one row per benefit."], ["See the Lists sheet."]]
    _, findings = read({"Benefits": benefits_grid(), "Risks": risks, "Read me": guide})
    (info,) = [f for f in findings if f.code == "BRM107"]
    assert (info.sheet, info.severity) == ("Risks", "info")
    assert "[Measurements: Risks]" in info.message


def test_a_second_measurements_sheet_is_named_and_can_be_read_with_a_mapping(tmp_path: Path) -> None:
    second = [["Benefit ID", "Month", "Actual"], ["EPMA-01", "2020-04", 80.0], ["EPMA-01", "2020-05", 79.0]]
    sheets = {"Benefits": benefits_grid(), "Measurements": long_grid(), "Measurements 2020-21": second}
    raw, findings = read(sheets)
    (info,) = [f for f in findings if f.code == "BRM107"]
    assert "'Measurements' is the one read" in info.message
    assert len(raw.tables["Measurements"].rows) == 12
    mapping = HeaderMapping.loads("[Measurements: Measurements]\n[Measurements: Measurements 2020-21]\n"
                                  "Benefit ID = benefit_id\nMonth = period\nActual = value\n")
    raw, findings = read(sheets, mapping=mapping)
    assert [f for f in findings if f.severity != "info"] == []
    assert len(raw.tables["Measurements"].rows) == 14


def test_quarters_without_a_year_beside_the_register_are_a_warning_not_silence() -> None:
    grid = benefits_grid("Q1", "Q2", "Q3", "Q4", rows=[[120.0, 119.0, 100.0, 95.0], []])
    raw, findings = read({"Benefits": grid})
    unclear = [f for f in findings if f.code == "BRM108"]
    width = len(CLEAN_BENEFIT)
    assert [(f.cell, f.value, f.severity) for f in unclear] == [
        (f"{_letter(width + k)}2", f"Q{k + 1}", "warning") for k in range(4)]
    assert "Measurements" not in raw.tables


def test_a_mistyped_period_between_period_columns_is_a_warning_but_a_total_after_them_is_not() -> None:
    grid = benefits_grid("Apr-19", "Mya-19", "Jun-19", "Total", rows=[[120.0, 119.0, 100.0, 339.0], []])
    _, findings = read({"Benefits": grid})
    assert [f.value for f in findings if f.code == "BRM108"] == ["Mya-19"]


def test_one_local_column_headed_like_a_year_is_left_alone() -> None:
    grid = benefits_grid("2019/20 saving (£)", rows=[[12000.0], []])
    _, findings = read({"Benefits": grid})
    assert findings == []


# -- files, mapping and the CLI -----------------------------------------------------------------------


def _letter(index: int) -> str:
    from xl_brm.table import column_letter

    return column_letter(index)


def write(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheets.items():
        ws = wb.create_sheet(name)
        for row in grid:
            ws.append([None if v == "" else v for v in row])
    wb.save(path)
    return path


def test_map_saves_the_period_columns_and_the_saved_mapping_reads_the_same(tmp_path: Path) -> None:
    tracking = [["Benefit Ref", "M1", "M2", "Q2 19/20"], ["EPMA-01", 120.0, 118.0, 360.0]]
    path = write(tmp_path / "register.xlsx", {"Benefits": benefits_grid(), "Tracking": tracking})
    mapping = propose_mapping(path)
    text = mapping.dumps()
    assert "[Measurements: Tracking]" in text and "Q2 19/20 = 2019/20 Q2" in text
    edited = text.replace("# M1 =", "M1 = 2019-04").replace("# M2 =", "M2 = 2019-05")
    saved = tmp_path / "register.mapping.ini"
    saved.write_text(edited, encoding="utf-8")
    reloaded = HeaderMapping.load(saved)
    again = HeaderMapping.loads(reloaded.dumps(), path=saved)
    assert again.dumps() == reloaded.dumps()  # round-trips
    assert {h: str(p) for h, (p, _) in again.sheets["Measurements"].periods.items()} == {
        "M1": "2019-04", "M2": "2019-05", "Q2 19/20": "2019/20 Q2"}
    _raw, plain = load(path)  # without the mapping, M1 and M2 are numbers under period-like headings
    assert [f.value for f in plain.findings if f.code == "BRM108"] == ["M1", "M2"]
    raw, validation = load(path, Options(mapping=saved))
    periods = [str(rr.values[1]) for rr in raw.tables["Measurements"].rows]
    assert periods == ["2019-04", "2019-05", "2019/20 Q2"]
    assert [f.code for f in validation.findings if f.severity == "error"] == []


def test_a_further_section_of_a_kind_must_name_another_sheet() -> None:
    from xl_brm.errors import MappingError

    with pytest.raises(MappingError, match="appears twice"):
        HeaderMapping.loads("[Measurements: A]\nRef = benefit_id\n[Measurements: A]\nRef = benefit_id\n")
    mapping = HeaderMapping.loads("[Measurements: A]\nRef = benefit_id\n[Measurements: B]\nRef = benefit_id\n"
                                  "Apr-19 = 2019-04\nPlan Apr-19 = plan 2019-04\n")
    assert [s.sheet for s in mapping.also] == ["B"]
    periods = mapping.also[0].periods
    assert {h: (str(p), k) for h, (p, k) in periods.items()} == {
        "Apr-19": ("2019-04", None), "Plan Apr-19": ("2019-04", "Trajectory")}


def test_validate_annotate_and_compute_on_a_wide_file(tmp_path: Path) -> None:
    from xl_brm.api import validate_file

    months = [p.start.strftime("%b-%y") for p in MONTHS]
    values: list[Any] = list(VALUES)
    values[3] = "about 119"
    register = benefits_grid(*months, rows=[values, []])
    path = write(tmp_path / "register.xlsx", {"Benefits": register})
    report = validate_file(path, annotate_dir=tmp_path / "checked")
    width = len(CLEAN_BENEFIT)
    cell = f"{_letter(width + 3)}3"
    assert [(f.code, f.cell) for f in report.issues] == [("BRM407", cell)]
    annotated = openpyxl.load_workbook(tmp_path / "checked" / "register.xlsx")
    assert annotated["Benefits"][cell].comment is not None
    _raw, validation = load(path)
    assert validation.measurement_count == 11


def test_wide_and_long_files_give_identical_compute_json(tmp_path: Path) -> None:
    import json
    import subprocess

    long_path = write(tmp_path / "long.xlsx", {"Benefits": benefits_grid(), "Measurements": long_grid()})
    wide = [["Benefit ID", *(p.start.strftime("%b-%y") for p in MONTHS)], ["EPMA-01", *VALUES]]
    wide_path = write(tmp_path / "wide.xlsx", {"Benefits": benefits_grid(), "Tracker": wide})
    exe = Path(sys.executable).with_name("xl-brm")
    out = []
    for path in (long_path, wide_path):
        run = subprocess.run([str(exe), "compute", str(path), "--as-of", "2020-03", "--format", "json"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        out.append(json.loads(run.stdout))
    assert out[0] == out[1]
    assert out[0]["benefits"][0]["realised_value_gbp"] is not None



def test_bare_months_under_financial_year_labels_are_read_with_them() -> None:
    months = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    tracking = [["", "2019/20", *[""] * 11, "2020/21", ""],
                ["Benefit ID", *months, "Apr", "May"],
                ["EPMA-01", *VALUES, 84.0, 83.0]]
    raw, findings = read({"Benefits": benefits_grid(), "Tracking": tracking})
    periods = [str(rr.values[1]) for rr in raw.tables["Measurements"].rows]
    assert periods[0] == "2019-04" and periods[9] == "2020-01" and periods[-1] == "2020-05"
    assert [f for f in findings if f.severity != "info"] == []


def test_a_financial_year_column_beside_quarters_is_their_total_but_alone_it_is_a_warning() -> None:
    quarters = benefits_grid("Q1 19/20", "Q2 19/20", "2019/20", "2020/21",
                             rows=[[120.0, 119.0, 239.0, 200.0], []])
    _, findings = read({"Benefits": quarters})
    assert [f for f in findings if f.severity != "info"] == []
    years = benefits_grid("2019/20", "2020/21", rows=[[239.0, 200.0], []])
    _, findings = read({"Benefits": years})
    assert [f.value for f in findings if f.code == "BRM108"] == ["2019/20", "2020/21"]


# -- sheets of figures typed as text -----------------------------------------------------------------


def test_a_tracking_sheet_of_figures_typed_as_text_is_read_like_one_of_numbers(tmp_path: Path) -> None:
    months = [p.start.strftime("%b-%y") for p in MONTHS]
    typed = [f"{v:.1f}" if k % 2 else f"{v:g}" for k, v in enumerate(VALUES)]  # '120', '118.0'...
    figures = []
    for name, cells in (("numbers", VALUES), ("text", typed)):
        tracker = [["Benefits tracker (pasted from the IPR)"], ["Ref No.", *months], ["EPMA-01", *cells]]
        path = write(tmp_path / f"{name}.xlsx", {"Benefits": benefits_grid(), "IPR extract": tracker})
        _raw, validation = load(path)
        assert [f for f in validation.findings if f.severity != "info"] == []
        assert validation.measurement_count == len(VALUES)
        figures.append([f.to_json() for f in compute_register(validation.register, as_of=MONTHS[-1])])
    assert figures[0] == figures[1]


def test_a_sheet_of_text_figures_that_is_not_read_says_so(tmp_path: Path) -> None:
    """Text dates and evidence, or figures typed as text with no benefit IDs: each sheet of data
    is read or named in an info finding, never dropped in silence."""
    log = [["Ref No.", "Date", "Evidence", "Collected by"],
           ["QUAL-01", "12/10/2020", "Staff survey: 78% agree records easier to find", "CCIO office"],
           ["QUAL-01", "20/03/2021", "Patient story at Board: no repeated history taking", "PALS"]]
    pasted = [["Indicator", "Value"], ["Attendances", "3,950"], ["4-hour performance", "76.5%"]]
    guide = [["How to use this register"], ["Step", "Fill in one row per benefit."],
             ["Step", "See the Lists sheet."]]
    path = write(tmp_path / "register.xlsx", {"Benefits": benefits_grid(), "Measurements": long_grid(),
                                              "Qual evidence log": log, "IPR": pasted, "Read me": guide})
    _raw, validation = load(path)
    said = {f.sheet: f for f in validation.findings if f.sheet in ("Qual evidence log", "IPR", "Read me")}
    assert {s: (f.code, f.severity) for s, f in said.items()} == {
        "Qual evidence log": ("BRM107", "info"), "IPR": ("BRM107", "info")}
    assert "[Measurements: Qual evidence log]" in said["Qual evidence log"].message


# -- headings out of sequence, misspelt, and saved as people write them -------------------------------

MONTHLY = [Period.month(2020, 4).shift(k) for k in range(12)]
"""Apr-20 .. Mar-21: the benefit's realisation starts in October 2019, so all of them count."""


def _with_tracker(path: Path, headings: list[Any], cells: list[Any] | None = None) -> Path:
    """The register and a tracking sheet of one row under `headings` (numbers, or `cells`)."""
    row = cells if cells is not None else [100.0 - k for k in range(len(headings))]
    tracker = [["Ref No.", *headings], ["EPMA-01", *row]]
    return write(path, {"Benefits": benefits_grid(), "Tracker": tracker})


def test_a_heading_with_a_wrong_year_is_one_finding_at_the_heading_not_at_every_cell(tmp_path: Path) -> None:
    headings: list[Any] = [dt.datetime.combine(p.start, dt.time()) for p in MONTHLY]
    headings[5] = dt.datetime(2009, 9, 1)  # Sep-20 typed as Sep-09
    path = _with_tracker(tmp_path / "register.xlsx", headings)
    _raw, validation = load(path)
    (heading,) = [f for f in validation.findings if f.sheet == "Tracker"]
    assert (heading.code, heading.cell, heading.value) == ("BRM108", "G1", "Sep-09")
    assert "out of sequence between 'Aug-20' and 'Oct-20'" in heading.message
    assert "`Sep-09 = 2020-09`" in heading.message
    assert validation.measurement_count == len(MONTHLY) - 1
    words = ["Audit done"] * len(MONTHLY)  # not numbers: still named, not dropped in silence
    _raw, validation = load(_with_tracker(tmp_path / "words.xlsx", headings, words))
    assert [f.cell for f in validation.findings if f.code == "BRM108"] == ["G1"]


def test_a_misspelt_heading_is_offered_the_period_its_neighbours_leave_for_it(tmp_path: Path) -> None:
    headings = [p.start.strftime("%b-%y") for p in MONTHLY]
    headings[6] = "Otc-20"
    path = _with_tracker(tmp_path / "register.xlsx", headings)
    _raw, validation = load(path)
    (heading,) = [f for f in validation.findings if f.code == "BRM108"]
    assert heading.cell == "H1"
    assert "`Otc-20 = 2020-10`" in heading.message and "2019/20 Q1" not in heading.message


def test_map_saves_date_headings_as_they_are_shown_and_reads_them_back(tmp_path: Path) -> None:
    headings = [dt.datetime.combine(p.start, dt.time()) for p in MONTHLY[:3]]
    path = _with_tracker(tmp_path / "register.xlsx", headings)
    text = propose_mapping(path).dumps()
    assert "Apr-20 = 2020-04" in text and "2020-04-01" not in text
    saved = tmp_path / "register.mapping.ini"
    saved.write_text(text, encoding="utf-8")
    raw, validation = load(path, Options(mapping=saved))
    assert [str(rr.values[1]) for rr in raw.tables["Measurements"].rows] == ["2020-04", "2020-05", "2020-06"]
    assert [f for f in validation.findings if f.severity != "info"] == []
