"""Findings in the trust's words (issue 13, `xl_brm.wording`): the heading over the cell, our
field in brackets (once when they are the same), values as the cell shows them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from xl_brm.api import validate_file
from xl_brm.findings import Finding
from xl_brm.rules import RULES
from xl_brm.table import Column, RawRow, RawTable, RawWorkbook
from xl_brm.wording import in_trust_words, label, with_headings

EXAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "examples"


@pytest.mark.parametrize(
    ("heading", "field", "said"),
    [
        ("Signed off by", "approved_by", "Signed off by (approved_by)"),
        ("approved_by", "approved_by", "approved_by"),  # our template's heading: said once
        ("Approved By", "approved_by", "Approved By"),
        ("Q1 19/20", "value", "Q1 19/20 (value)"),
    ],
)
def test_label(heading: str, field: str, said: str) -> None:
    assert label(heading, field) == said


def _approved_without_approver(header: str) -> RawWorkbook:
    columns = [Column("approval_status", "Sign-off Status", 0), Column("approved_by", header, 1)]
    table = RawTable("Benefits", "Register", 1, columns, [RawRow(2, ("Approved", None))])
    return RawWorkbook("register.xlsx", {"Benefits": table})


def test_a_finding_names_the_heading_and_its_field() -> None:
    finding = RULES["BRM304"].finding(sheet="Register", row=2, column="approved_by", cell="B2")
    (said,) = in_trust_words(_approved_without_approver("Signed off by"), [finding])
    assert said.heading == "Signed off by"
    assert said.message == ("Sign-off Status (approval_status) is approved but Signed off by (approved_by) "
                            "is blank; record who approved it and when")
    assert said.to_json()["heading"] == "Signed off by" and said.to_json()["column"] == "approved_by"


def test_under_our_own_headings_the_message_is_as_it_was() -> None:
    finding = RULES["BRM304"].finding(sheet="Register", row=2, column="approved_by", cell="B2")
    raw = _approved_without_approver("approved_by")
    raw.tables["Benefits"].columns[0] = Column("approval_status", "approval_status", 0)
    (said,) = in_trust_words(raw, [finding])
    assert said.message == finding.message and said.heading == "approved_by"


def test_a_message_said_otherwise_is_kept_and_a_finding_without_a_row_gets_no_heading() -> None:
    finding = RULES["BRM304"].finding(sheet="Register", row=2, column="approved_by", cell="B2")
    edited = finding.replace(message="other")
    sheet_wide = RULES["BRM101"].finding(sheet="Register", column="title")
    raw = _approved_without_approver("Signed off by")
    said_edited, said_wide = in_trust_words(raw, [edited, sheet_wide])
    assert said_edited.message == "other" and said_edited.heading == "Signed off by"
    assert said_wide == sheet_wide and said_wide.heading is None


def test_values_show_as_the_cell_shows_them() -> None:
    def shown(value: object) -> object:
        return Finding("BRM999", "warning", "m", value=value).to_json()["value"]

    assert shown(date(2019, 6, 30)) == "30/06/2019"
    assert shown(datetime(2019, 6, 30)) == "30/06/2019"
    assert shown(datetime(2019, 6, 30, 9, 5)) == "30/06/2019 09:05"
    assert shown(4850.0) == 4850 and isinstance(shown(4850.0), int)
    assert shown(48.5) == 48.5 and shown("n/a ") == "n/a " and shown(True) is True
    assert shown(float("nan")) == "nan"


def test_with_headings_for_a_cell_function() -> None:
    (finding,) = [RULES["BRM201"].finding(column="baseline_value", value="n/a")]
    said = with_headings(finding, {"baseline_value": "Baseline"})
    assert said.message.startswith("Baseline (baseline_value) 'n/a' is not a number")


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Finding], Path]:
    out = tmp_path_factory.mktemp("annotated")
    report = validate_file(EXAMPLES / "ambulance_wide_rx1.xlsx", annotate_dir=out)
    return {f.code: f for f in report.issues}, out / "ambulance_wide_rx1.xlsx"


def test_a_wide_cell_names_its_period_columns_heading(wide: tuple[dict[str, Finding], Path]) -> None:
    found, _ = wide
    text = found["BRM407"]
    assert (text.sheet, text.cell, text.heading) == ("Benefits Register", "AB4", "Q3 19/20")
    assert text.message.startswith("Q3 19/20 (value) 'TBC' is text")
    assert (found["BRM501"].cell, found["BRM501"].heading) == ("AC5", "Q4 19/20")
    assert found["BRM501"].to_json()["value"] == 487600
    assert found["BRM302"].message.startswith(
        "Target (target_value) 28 is not above Baseline (baseline_value) 31"
    )


def test_a_wide_registers_annotated_copy_notes_the_real_cell(wide: tuple[dict[str, Finding], Path]) -> None:
    _, copy = wide
    sheet = openpyxl.load_workbook(copy)["Benefits Register"]
    assert "Q3 19/20 (value) 'TBC'" in sheet["AB4"].comment.text
    assert "Q4 19/20 (value) 487600" in sheet["AC5"].comment.text


@pytest.mark.parametrize("workbook", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.name)
def test_issues_json_is_the_findings_in_trust_words_as_json(workbook: Path) -> None:
    """The JSON report's shortcut (`issues_json`) says what `in_trust_words` then `to_json`
    say, on every example: long sheets, and a wide one whose findings are said cell by cell."""
    from xl_brm.api import load
    from xl_brm.wording import issues_json

    raw, validation = load(workbook, worded=False)
    assert validation.findings
    assert issues_json(raw, validation.findings) == [
        f.to_json() for f in in_trust_words(raw, validation.findings)
    ]
