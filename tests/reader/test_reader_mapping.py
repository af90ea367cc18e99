"""Header mappings: proposed once, saved as a small text file, edited, reused."""

from __future__ import annotations

from pathlib import Path

import hostile
import pytest

from xl_brm.errors import MappingError
from xl_brm.reader import HeaderMapping, propose_mapping, read_workbook


def trust_file(tmp_path: Path) -> Path:
    return hostile.workbook(tmp_path / "trust.xlsx", {
        "Register": [
            ["Acme benefits"],
            [],
            ["Our Key", "Benefit Title", "Classification", "Owner", "Local RAG", "#of beds"],
            ["B1", "Fewer errors", "Qualitative", "COO", "G", 3],
        ],
        "Actuals": [["Ref", "Month", "Actual"], ["B1", "2019-10", 1]],
    })


def test_propose_save_load_round_trip(tmp_path: Path) -> None:
    mapping = propose_mapping(trust_file(tmp_path))
    benefits = mapping.sheets["Benefits"]
    assert (benefits.sheet, benefits.header_row) == ("Register", 3)
    assert benefits.columns == {
        "Benefit Title": "title", "Classification": "benefit_type", "Owner": "benefit_owner"}
    assert benefits.unmapped == ["Our Key", "Local RAG", "#of beds"]
    target = tmp_path / "trust.mapping"
    mapping.save(target)
    text = target.read_text(encoding="utf-8")
    assert "[Benefits: Register]" in text and "header row = 3" in text
    assert "# Our Key =" in text and "# \\#of beds =" in text
    loaded = HeaderMapping.load(target)
    for kind in ("Benefits", "Measurements"):
        a, b = mapping.sheets[kind], loaded.sheets[kind]
        assert (a.kind, a.sheet, a.header_row, a.columns) == (b.kind, b.sheet, b.header_row, b.columns)
    again = tmp_path / "again.mapping"
    loaded.save(again)
    assert HeaderMapping.load(again).sheets["Benefits"].columns == benefits.columns


def test_an_edited_mapping_overrides_auto_detection(tmp_path: Path) -> None:
    path = trust_file(tmp_path)
    auto = read_workbook(path).tables["Benefits"]
    assert auto.position("benefit_id") is None  # 'Our Key' names no field, even by keywords
    target = tmp_path / "m.txt"
    propose_mapping(path).save(target)
    text = target.read_text(encoding="utf-8").replace("# Our Key =", "Our Key = benefit_id")
    text = text.replace("Owner = benefit_owner", "Owner =")  # keep Owner as a local column
    text = text.replace("# \\#of beds =", "\\#of beds =")
    target.write_text(text, encoding="utf-8")
    raw = read_workbook(path, mapping=HeaderMapping.load(target))
    table = raw.tables["Benefits"]
    assert table.header_row == 3
    fields = {c.header: c.field for c in table.columns}
    assert fields["Our Key"] == "benefit_id" and fields["Owner"] is None
    assert fields["#of beds"] is None
    assert table.rows[0].values[table.position("benefit_id") or 0] == "B1"
    assert ("BRM101", "benefit_owner") in {(f.code, f.column) for f in raw.findings}


def test_a_hand_written_partial_mapping_with_header_row(tmp_path: Path) -> None:
    path = trust_file(tmp_path)
    mapping = HeaderMapping.loads("[benefits]\nheader row = 3\nOur Key = Benefit ID\n")
    table = read_workbook(path, mapping=mapping).tables["Benefits"]
    assert table.sheet == "Register"  # found by its usual names
    assert [c.field for c in table.columns][:4] == ["benefit_id", "title", "benefit_type", "benefit_owner"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Ref = benefit_id\n", 1, "before any"),
        ("[Benefits]\nRef = benefit_idd\n", 2, "not a field of the Benefits sheet"),
        ("# comment\n[Benefits]\n\nRef benefit_id\n", 4, "header = field"),
        ("[Budget]\n", 1, "not a sheet kind"),
        ("[Benefits]\nA = title\nB = title\n", 3, "two headers"),
        ("[Benefits]\nA = title\na = project\n", 3, "mapped twice"),
        ("[Benefits]\n[Benefits: Other]\n", 2, "appears twice"),
        ("[Benefits\n", 1, "does not end"),
        ("[Benefits]\nheader row = 0\n", 2, "not a row"),
        ("[Measurements]\nValue = unit_value_gbp\n", 2, "not a field of the Measurements sheet"),
    ],
)
def test_malformed_mapping_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    target = tmp_path / "bad.mapping"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        HeaderMapping.load(target)
    message = str(caught.value)
    assert "bad.mapping" in message and f"line {line}:" in message and words in message, message
    assert caught.value.hint


def test_empty_or_missing_mapping_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mapping").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(MappingError, match="no \\[Benefits\\]"):
        HeaderMapping.load(tmp_path / "empty.mapping")
    with pytest.raises(MappingError, match="not found"):
        HeaderMapping.load(tmp_path / "missing.mapping")


def test_a_mapping_naming_a_sheet_the_workbook_lacks(tmp_path: Path) -> None:
    target = tmp_path / "m.mapping"
    target.write_text("[Benefits: Old Register]\nRef = benefit_id\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        read_workbook(trust_file(tmp_path), mapping=HeaderMapping.load(target))
    assert "m.mapping" in str(caught.value) and "line 1" in str(caught.value)
    assert "Old Register" in str(caught.value) and "Register, Actuals" in str(caught.value)
