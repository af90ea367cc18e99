"""The example registers: deterministic, committed up to date, and the validator finds exactly
the mistakes planted in them (and nothing else), at the cells their README names."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xl_brm.api import load
from xl_brm.computation import compute
from xl_brm.examples import AS_OF, EXAMPLES, Planted, write_examples, write_large_register
from xl_brm.excel import _style as st
from xl_brm.excel import annotate_copy, write_compute
from xl_brm.periods import parse_period
from xl_brm.reader import read_workbook
from xl_brm.validate import validate_workbook

COMMITTED = Path(__file__).resolve().parents[2] / "workbooks" / "examples"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Planted]]:
    folder = tmp_path_factory.mktemp("examples")
    return folder, write_examples(folder)


def _cells(path: Path) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_at_least_three_house_styles_each_with_errors_and_warnings(
    generated: tuple[Path, list[Planted]],
) -> None:
    folder, planted = generated
    assert len(EXAMPLES) >= 3
    for name in EXAMPLES:
        assert (folder / name).is_file()
        mine = [p for p in planted if p.file == name]
        assert sum(p.severity == "error" for p in mine) >= 2
        assert any(p.severity == "warning" for p in mine)


def test_generation_is_deterministic(generated: tuple[Path, list[Planted]], tmp_path: Path) -> None:
    folder, planted = generated
    again = write_examples(tmp_path)
    assert again == planted
    for name in EXAMPLES:
        assert _cells(folder / name) == _cells(tmp_path / name)


def test_committed_examples_are_up_to_date(generated: tuple[Path, list[Planted]]) -> None:
    folder, _ = generated
    for name in EXAMPLES:
        assert _cells(COMMITTED / name) == _cells(folder / name), f"run workbooks/make_examples.py ({name})"
    assert (COMMITTED / "README.md").read_text() == (folder / "README.md").read_text()
    assert (COMMITTED.parent / "template.xlsx").is_file()


def test_readme_names_every_planted_cell(generated: tuple[Path, list[Planted]]) -> None:
    folder, planted = generated
    readme = (folder / "README.md").read_text()
    for p in planted:
        assert f"| {p.file} | {p.sheet} | {p.cell} | {p.severity} | {p.code} |" in readme


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_validator_finds_exactly_what_was_planted(generated: tuple[Path, list[Planted]], name: str) -> None:
    folder, planted = generated
    _raw, validation = load(folder / name)  # the front door: findings at the trust's own cells
    found = {(f.code, f.severity, f.sheet, f.cell) for f in validation.findings}
    expected = {(p.code, p.severity, p.sheet, p.cell) for p in planted if p.file == name}
    assert found == expected


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_annotate_and_compute_every_example(
    generated: tuple[Path, list[Planted]], name: str, tmp_path: Path
) -> None:
    folder, planted = generated
    _raw, validation = load(folder / name)
    annotated = annotate_copy(folder / name, tmp_path / "annotated", validation.findings)
    wb = load_workbook(annotated)
    for p in (p for p in planted if p.file == name):
        cell = wb[p.sheet][p.cell]
        assert p.code in cell.comment.text
        assert cell.fill.start_color.rgb[-6:] == st.SEVERITY_FILL[p.severity].start_color.rgb[-6:]
    computed = compute(validation, as_of=parse_period(AS_OF))
    out = write_compute(folder / name, tmp_path / "computed.xlsx", computed)
    book = load_workbook(out)
    # a row per benefit, and one per benefit left out of the figures (named with what to fix)
    assert book["Computed"].max_row == len(validation.register.benefits) + len(validation.left_out) + 1
    assert book.sheetnames[0] == "Summary"


def test_template_validates_without_errors(tmp_path: Path) -> None:
    from xl_brm.excel import write_template

    path = write_template(tmp_path / "template.xlsx", trust_ods="RJ1", programme="GDE")
    raw = read_workbook(path)
    assert raw.settings == {"trust_ods": "RJ1", "programme": "GDE"}
    validation = validate_workbook(raw)
    assert [f for f in validation.findings if f.severity == "error"] == []


def test_large_register_shape_and_cleanliness(tmp_path: Path) -> None:
    path = write_large_register(tmp_path / "large.xlsx", benefits=120, months=5)
    wb = CalamineWorkbook.from_path(str(path))
    benefits = wb.get_sheet_by_name("Benefits Register").to_python()
    measurements = wb.get_sheet_by_name("Monthly Data").to_python()
    assert benefits[1][0] == "Benefit Ref" and len(benefits) == 2 + 120
    assert measurements[0][:3] == ["Benefit Ref", "Month", "Actual"] and len(measurements) == 1 + 600
    opened = load_workbook(path, read_only=True)  # a second reader: no warnings, same cells
    assert next(opened["Monthly Data"].iter_rows(min_row=2, max_row=2, values_only=True))[:2] == (
        "B000001",
        "Apr-19",
    )
    opened.close()
    validation = validate_workbook(read_workbook(path))
    assert len(validation.register.benefits) == 120
    assert validation.register.measurement_count == 600
    assert validation.findings == []
