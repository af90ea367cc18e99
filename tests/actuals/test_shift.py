"""Rows inserted by an import take the workbook's references with them, as Excel's own insert
does: formulas on any sheet, names, validations and conditional formats."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from xl_brm.actuals._shift import Insert, inserted, shift_formula


@pytest.mark.parametrize(("formula", "home", "moved"), [
    ("=SUM(Data!C2:C20)", "Other", "=SUM(Data!C2:C23)"),  # the new rows fall inside: it grows
    ("=SUM(Data!C2:C9)", "Other", "=SUM(Data!C2:C9)"),  # ends above them: as it was
    ("=Data!$A$10+Data!A9", "Other", "=Data!$A$13+Data!A9"),
    ("=SUM(C12:C14)", "Data", "=SUM(C15:C17)"),  # same sheet, no prefix
    ("=SUM(C12:C14)", "Other", "=SUM(C12:C14)"),  # another sheet's own cells
    ("=SUM('My Data'!C2:C20)", "Other", "=SUM('My Data'!C2:C20)"),  # another sheet named alike
    ("=SUM(Data!C:C)+SUM(Data!11:12)", "Other", "=SUM(Data!C:C)+SUM(Data!14:15)"),
    ('=IF(Data!B10="A10",Rate2,0)', "Other", '=IF(Data!B13="A10",Rate2,0)'),  # text and names kept
    ("=Data!A12:Data!A14*2", "Other", "=Data!A15:Data!A17*2"),
    ("=[1]Data!A12+Data!A12", "Other", "=[1]Data!A12+Data!A15"),  # another workbook's sheet
    ('=Data!A12&"abc', "Other", '=Data!A12&"abc'),  # cannot be read: left as typed
])
def test_a_formula_follows_the_rows_it_points_at(formula: str, home: str, moved: str) -> None:
    assert shift_formula(formula, home=home, inserts=[Insert("Data", 10, 3)]) == moved


def test_quoted_sheet_names_names_validations_and_conditional_formats_move(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Tom's Data"
    for r in range(1, 21):
        data.cell(row=r, column=1, value=r)
    other = wb.create_sheet("Other")
    other["A1"] = "=SUM('Tom''s Data'!A5:A20)"
    wb.defined_names["Figures"] = DefinedName("Figures", attr_text="'Tom''s Data'!$A$5:$A$20")
    check = DataValidation(type="whole")
    check.add("A12:A20")
    data.add_data_validation(check)
    data.conditional_formatting.add("A5:A20", CellIsRule(operator="greaterThan", formula=["$A$15"]))
    data.conditional_formatting.add("B1:B3", FormulaRule(formula=["A1>0"]))
    data.insert_rows(10, 2)
    inserted(wb, [Insert("Tom's Data", 10, 2)])
    path = tmp_path / "moved.xlsx"
    wb.save(path)
    wb = openpyxl.load_workbook(path)
    data = wb["Tom's Data"]
    assert wb["Other"]["A1"].value == "=SUM('Tom''s Data'!A5:A22)"
    assert wb.defined_names["Figures"].attr_text == "'Tom''s Data'!$A$5:$A$22"
    assert [str(v.sqref) for v in data.data_validations.dataValidation] == ["A14:A22"]
    assert sorted((str(cf.sqref), r.formula) for cf in data.conditional_formatting for r in cf.rules) == [
        ("A5:A22", ["$A$17"]), ("B1:B3", ["A1>0"])]


@pytest.mark.parametrize(("formula", "moved"), [
    ("=SUM(Data!C4:N4)", "=SUM(Data!C4:N4)"),  # ends before the new column: as it was
    ("=SUM(Data!C4:P4)", "=SUM(Data!C4:Q4)"),  # the new column falls inside: it grows
    ("=Data!$O$4+Data!O:O+Data!4:4", "=Data!$P$4+Data!P:P+Data!4:4"),
    ("=Other!O4", "=Other!O4"),
])
def test_a_formula_follows_the_columns_it_points_at(formula: str, moved: str) -> None:
    assert shift_formula(formula, home="Summary", inserts=[Insert("Data", 15, 1, rows=False)]) == moved


def test_several_inserts_move_each_reference_once_in_one_pass() -> None:
    inserts = [Insert("Data", 5, 1), Insert("Data", 9, 2), Insert("data", 20, 1)]  # as the sheet was
    formula = "=SUM(Data!C2:C30)+Data!C4+Data!C5+DATA!C12+'data'!C19+C12"
    assert shift_formula(formula, home="Other", inserts=inserts) == (
        "=SUM(Data!C2:C34)+Data!C4+Data!C6+DATA!C15+'data'!C22+C12")  # sheet names in any case
