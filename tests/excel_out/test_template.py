"""The template is generated from the model: every field a column, every enum a dropdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xl_brm.errors import UsageError
from xl_brm.excel import _style as st
from xl_brm.excel import write_template
from xl_brm.excel._save import atomic_path
from xl_brm.excel.template import INPUT_ROWS, LISTS_SHEET, TABLE_NAMES, field_help
from xl_brm.fields import SETTINGS_SHEET, SHEETS


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    return write_template(path, trust_ods="rj1", programme="GDE")


def test_sheets_in_order_with_lists_hidden(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames[:5] == ["Guide", "Benefits", "Measurements", "Trajectory", SETTINGS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in wb.sheetnames if name != LISTS_SHEET)


def test_each_data_sheet_is_an_excel_table_of_the_canonical_fields(template: Path) -> None:
    wb = load_workbook(template)
    for kind, fields in SHEETS.items():
        ws = wb[kind]
        table = ws.tables[TABLE_NAMES[kind]]
        assert table.ref.startswith("A1:")
        assert [c.name for c in table.tableColumns] == [f.name for f in fields]
        assert [ws.cell(row=1, column=i + 1).value for i in range(len(fields))] == [f.name for f in fields]
        assert ws.freeze_panes == "B2"


def test_a_dropdown_for_every_enum_and_flag_from_the_lists_sheet(template: Path) -> None:
    wb = load_workbook(template)
    lists = wb[LISTS_SHEET]
    for kind, fields in SHEETS.items():
        ws = wb[kind]
        by_column = {
            str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation
        }
        for col, field in enumerate(fields, start=1):
            letter = ws.cell(row=1, column=col).column_letter
            dv = by_column[letter]
            assert str(dv.sqref) == f"{letter}2:{letter}{INPUT_ROWS + 1}"
            assert dv.showInputMessage and dv.prompt.startswith(field_help(field)[:50])
            if field.enum is not None or field.kind == "bool":
                assert dv.type == "list", field.name
                name = dv.formula1.lstrip("=")
                target = wb.defined_names[name].attr_text
                sheet_name, cells = target.split("!")
                assert sheet_name.strip("'") == LISTS_SHEET
                first, last = (c.replace("$", "") for c in cells.split(":"))
                values = [c.value for row in lists[first:last] for c in row]
                expected = ["Yes", "No"] if field.kind == "bool" else [m.value for m in field.enum]  # type: ignore[union-attr]
                assert values == expected, field.name


def test_measurement_ids_drop_down_from_the_benefits_table(template: Path) -> None:
    ws = load_workbook(template)["Measurements"]
    dv = next(d for d in ws.data_validations.dataValidation if str(d.sqref).startswith("A2"))
    assert dv.formula1 == '=INDIRECT("tblBenefits[benefit_id]")'


def test_core_fields_marked_and_formats_set(template: Path) -> None:
    ws = load_workbook(template)["Benefits"]
    fields = {f.name: (i, f) for i, f in enumerate(SHEETS["Benefits"], start=1)}
    for _name, (col, field) in fields.items():
        fill = ws.cell(row=1, column=col).fill.start_color.rgb
        expected = st.CORE_HEADER_FILL if field.core else st.OPTIONAL_HEADER_FILL
        assert fill == expected.start_color.rgb
    assert ws.cell(row=2, column=fields["target_date"][0]).number_format == "dd/mm/yyyy"
    assert ws.cell(row=2, column=fields["unit_value_gbp"][0]).number_format == st.MONEY_FORMAT
    assert (
        ws.column_dimensions[ws.cell(row=1, column=fields["approved_on"][0]).column_letter].number_format
        == "dd/mm/yyyy"
    )


def test_rag_column_has_conditional_formatting(template: Path) -> None:
    ws = load_workbook(template)["Computed"]
    rag_col = [c.value for c in ws[1]].index("rag") + 1
    letter = ws.cell(row=1, column=rag_col).column_letter
    rules = [r for cf in ws.conditional_formatting for r in cf.rules if str(cf.sqref).startswith(letter)]
    formulas = {r.formula[0] for r in rules}
    assert {'"green"', '"amber"', '"red"'} <= formulas


def test_guide_explains_every_field_and_the_workflow(template: Path) -> None:
    ws = load_workbook(template)["Guide"]
    text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for fields in SHEETS.values():
        for field in fields:
            assert field.name in text
            assert field_help(field) in text
    joined = " ".join(text)
    assert "Step 1" in text and "realised" in joined and "programme" in joined
    assert "realized" not in joined.lower() and "program " not in joined


def test_settings_carry_the_defaults(template: Path) -> None:
    ws = load_workbook(template)[SETTINGS_SHEET]
    assert (ws["A1"].value, ws["B1"].value) == ("trust_ods", "RJ1")
    assert (ws["A2"].value, ws["B2"].value) == ("programme", "GDE")
    assert all(ws.cell(row=r, column=c).value is None for r in (1, 2) for c in range(3, 10))


def test_calamine_reads_back_the_canonical_headers(template: Path) -> None:
    wb = CalamineWorkbook.from_path(str(template))
    for kind, fields in SHEETS.items():
        rows = wb.get_sheet_by_name(kind).to_python()
        assert rows[0][: len(fields)] == [f.name for f in fields]


def test_bad_ods_code_and_wrong_extension_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ODS"):
        write_template(tmp_path / "t.xlsx", trust_ods="not an ods")
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_template(tmp_path / "t.csv")
    assert list(tmp_path.iterdir()) == []


def test_writing_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"the user's previous file")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_bytes(b"half a workbook")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"the user's previous file"
    assert [p.name for p in tmp_path.iterdir()] == ["template.xlsx"]
    write_template(path)
    assert load_workbook(path)["Benefits"]["A1"].value == "benefit_id"
    assert [p.name for p in tmp_path.iterdir()] == ["template.xlsx"]


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    try:
        path = write_template(tmp_path / "template.xlsx")
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644
