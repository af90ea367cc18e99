"""The safety gate finds the sheets python-calamine reads, the way python-calamine finds them.

Each case is a package on which the old gate and calamine disagreed (or could): the gate read
one part as the sheet while calamine parsed another, so a far cell in the other part reached
calamine unchecked and aborted the process. For each, the plain file shows which part calamine
really reads (its marker in A1) and that the gate names that part; the same file with a far
cell in that part must be refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import hostile
import pytest
from hostile import (
    CONTENT_TYPES,
    package,
    rels_part,
    root_rels,
    sheet_part,
    sheet_rel,
    workbook_part,
)
from python_calamine import CalamineWorkbook

from xl_brm.errors import UnsafeWorkbookError
from xl_brm.reader import _limits as lim
from xl_brm.reader import check_safety

FAR = "XFD1048576"
Parts = list[tuple[str, bytes]]


def _book(sheets: str, rels: str, parts: Parts, *, root: bytes | None = None,
          folder: str = "xl/") -> Parts:
    return [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", root or root_rels("xl/workbook.xml")),
            (folder + "workbook.xml", workbook_part(sheets)),
            (folder + "_rels/workbook.xml.rels", rels_part(rels)), *parts]


ONE = '<sheet name="Benefits" sheetId="1" r:id="rId1"/>'


def duplicate_names(far: str | None) -> Parts:
    return _book('<sheet name="Benefits" sheetId="1" r:id="rId1"/>'
                 '<sheet name="Benefits" sheetId="2" r:id="rId2"/>',
                 sheet_rel("rId1", "worksheets/sheet1.xml") + sheet_rel("rId2", "worksheets/sheet2.xml"),
                 [("xl/worksheets/sheet1.xml", sheet_part("first", far)),
                  ("xl/worksheets/sheet2.xml", sheet_part("second"))])


def external_target(far: str | None) -> Parts:
    return _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml", ' TargetMode="External"'),
                 [("xl/worksheets/sheet1.xml", sheet_part("external", far))])


def other_id_first(far: str | None) -> Parts:
    return _book('<sheet name="Benefits" sheetId="1" q:id="rId2" r:id="rId1"/>',
                 sheet_rel("rId1", "worksheets/sheet1.xml") + sheet_rel("rId2", "worksheets/sheet2.xml"),
                 [("xl/worksheets/sheet1.xml", sheet_part("r:id", far)),
                  ("xl/worksheets/sheet2.xml", sheet_part("q:id"))])


def other_id_last(far: str | None) -> Parts:
    return _book('<sheet name="Benefits" sheetId="1" r:id="rId1" q:id="rId2"/>',
                 sheet_rel("rId1", "worksheets/sheet1.xml") + sheet_rel("rId2", "worksheets/sheet2.xml"),
                 [("xl/worksheets/sheet1.xml", sheet_part("r:id")),
                  ("xl/worksheets/sheet2.xml", sheet_part("q:id", far))])


def part_name_case(far: str | None) -> Parts:
    return _book(ONE, sheet_rel("rId1", "worksheets/sheet2.xml"),
                 [("xl/workSheets/Sheet2.xml", sheet_part("case", far))])


def backslashes(far: str | None) -> Parts:
    return _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml"),
                 [("xl\\worksheets\\sheet1.xml", sheet_part("backslash", far))])


def workbook_named_otherwise(far: str | None) -> Parts:
    # calamine reads <folder>workbook.xml, whatever the officeDocument target is called
    return [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", root_rels("xl/book.xml")),
            ("xl/book.xml", workbook_part(ONE)),
            ("xl/_rels/book.xml.rels", rels_part(sheet_rel("rId1", "worksheets/sheet1.xml"))),
            ("xl/workbook.xml", workbook_part(ONE)),
            ("xl/_rels/workbook.xml.rels", rels_part(sheet_rel("rId1", "worksheets/sheet2.xml"))),
            ("xl/worksheets/sheet1.xml", sheet_part("book.xml")),
            ("xl/worksheets/sheet2.xml", sheet_part("workbook.xml", far))]


def two_office_documents(far: str | None) -> Parts:
    # the last officeDocument relationship wins
    return [("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", root_rels("xl/workbook.xml", "y/workbook.xml")),
            ("xl/workbook.xml", workbook_part(ONE)),
            ("xl/_rels/workbook.xml.rels", rels_part(sheet_rel("rId1", "worksheets/sheet1.xml"))),
            ("y/workbook.xml", workbook_part(ONE)),
            ("y/_rels/workbook.xml.rels", rels_part(sheet_rel("rId1", "worksheets/sheet1.xml"))),
            ("xl/worksheets/sheet1.xml", sheet_part("xl")),
            ("y/worksheets/sheet1.xml", sheet_part("y", far))]


def not_xml_by_name(far: str | None) -> Parts:
    return _book(ONE, sheet_rel("rId1", "worksheets/sheet1.dat"),
                 [("xl/worksheets/sheet1.dat", sheet_part("dat", far))])


def repeated_relationship_id(far: str | None) -> Parts:
    return _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml") + sheet_rel("rId1", "worksheets/sheet2.xml"),
                 [("xl/worksheets/sheet1.xml", sheet_part("first id")),
                  ("xl/worksheets/sheet2.xml", sheet_part("last id", far))])


def escaped_target(far: str | None) -> Parts:
    # calamine takes a relationship's Target as written: '&#49;' is not '1' to it
    return _book(ONE, sheet_rel("rId1", "worksheets/sheet&#49;.xml"),
                 [("xl/worksheets/sheet1.xml", sheet_part("decoded")),
                  ("xl/worksheets/sheet&#49;.xml", sheet_part("as written", far))])


def absolute_target(far: str | None) -> Parts:
    return _book(ONE, sheet_rel("rId1", "/xl/worksheets/sheet1.xml"),
                 [("xl/worksheets/sheet1.xml", sheet_part("absolute", far))])


CASES: dict[str, tuple[Callable[[str | None], Parts], str]] = {
    "two sheets with one name": (duplicate_names, "first"),
    "TargetMode External": (external_target, "external"),
    "q:id before r:id": (other_id_first, "r:id"),
    "q:id after r:id": (other_id_last, "q:id"),
    "part name in another case": (part_name_case, "case"),
    "backslashes in part names": (backslashes, "backslash"),
    "workbook part named otherwise": (workbook_named_otherwise, "workbook.xml"),
    "two officeDocument relationships": (two_office_documents, "y"),
    "a sheet part not named .xml": (not_xml_by_name, "dat"),
    "a repeated relationship Id": (repeated_relationship_id, "last id"),
    "an escaped target": (escaped_target, "as written"),
    "an absolute target": (absolute_target, "absolute"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_gate_names_the_part_calamine_reads(tmp_path: Path, case: str) -> None:
    parts, marker = CASES[case]
    path = package(tmp_path / "plain.xlsx", parts(None))
    with CalamineWorkbook.from_path(str(path)) as wb:
        assert wb.get_sheet_by_name("Benefits").to_python()[0][0] == marker  # what calamine reads
    scan = check_safety(path).sheets["Benefits"]
    with zipfile.ZipFile(path) as zf:
        assert f"<t>{marker}</t>".encode() in zf.read(scan.part)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_far_cell_in_the_part_calamine_reads_is_refused(tmp_path: Path, case: str) -> None:
    parts, _marker = CASES[case]
    path = package(tmp_path / "far.xlsx", parts(FAR))
    with pytest.raises(UnsafeWorkbookError, match=FAR) as caught:
        check_safety(path)
    assert "far.xlsx" in str(caught.value) and caught.value.hint


@pytest.mark.parametrize("typ", ["chartsheet", "dialogsheet", "macrosheet"])
def test_every_sheet_typed_relationship_is_checked_named_or_not(tmp_path: Path, typ: str) -> None:
    rels = (sheet_rel("rId1", "worksheets/sheet1.xml")
            + sheet_rel("rId2", "worksheets/sheet2.xml", typ=f"{hostile.REL_NS}/{typ}"))
    path = package(tmp_path / "other.xlsx", _book(ONE, rels, [
        ("xl/worksheets/sheet1.xml", sheet_part("fine")),
        ("xl/worksheets/sheet2.xml", sheet_part("unnamed", FAR))]))
    with pytest.raises(UnsafeWorkbookError, match=r"sheet2\.xml"):
        check_safety(path)


@pytest.mark.parametrize("second", ["xl/worksheets/sheet1.xml", "XL/Worksheets/Sheet1.xml",
                                    "xl\\worksheets\\sheet1.xml"])
def test_two_parts_with_one_name_are_refused(tmp_path: Path, second: str) -> None:
    path = package(tmp_path / "twice.xlsx", _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml"), [
        ("xl/worksheets/sheet1.xml", sheet_part("one")), (second, sheet_part("two", FAR))]))
    with pytest.raises(UnsafeWorkbookError, match="two parts named"):
        check_safety(path)


# -- what python-calamine allocates before reading ----------------------------------------------

SST = hostile.REL_NS + "/sharedStrings"


def _shared_strings(tmp_path: Path, declared: str, held: int) -> Path:
    strings = "".join(f"<si><t>s{i}</t></si>" for i in range(held))
    sst = (f'<?xml version="1.0"?><sst xmlns="{hostile.MAIN_NS}" count="{held}" '
           f'uniqueCount="{declared}">{strings}</sst>').encode()
    cells = (f'<?xml version="1.0"?><worksheet xmlns="{hostile.MAIN_NS}"><sheetData><row r="1">'
             '<c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
    return package(tmp_path / f"sst-{declared}.xlsx", _book(
        ONE, sheet_rel("rId1", "worksheets/sheet1.xml") + sheet_rel("rId2", "sharedStrings.xml", typ=SST),
        [("xl/sharedStrings.xml", sst), ("xl/worksheets/sheet1.xml", cells)]))


def test_a_shared_strings_count_far_beyond_its_strings_is_refused(tmp_path: Path) -> None:
    # python-calamine reserves the declared count first: 99,999,999,999,999 strings abort it
    with pytest.raises(UnsafeWorkbookError, match="shared strings"):
        check_safety(_shared_strings(tmp_path, "99999999999999", 3))


@pytest.mark.parametrize("declared", ["3", "0", "garbage", str(2 * 3 + lim.SHARED_STRINGS_SLACK)])
def test_a_shared_strings_count_near_its_strings_is_read(tmp_path: Path, declared: str) -> None:
    path = _shared_strings(tmp_path, declared, 3)
    check_safety(path)
    with CalamineWorkbook.from_path(str(path)) as wb:
        assert wb.get_sheet_by_name("Benefits").to_python() == [["s0"]]


def test_just_beyond_the_slack_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeWorkbookError, match="declares 10,007 shared strings but holds 3"):
        check_safety(_shared_strings(tmp_path, str(2 * 3 + lim.SHARED_STRINGS_SLACK + 1), 3))


def _merges(tmp_path: Path, count: int) -> Path:
    refs = "".join(f'<mergeCell ref="A{2 * i + 1}:B{2 * i + 1}"/>' for i in range(count))
    sheet = (f'<?xml version="1.0"?><worksheet xmlns="{hostile.MAIN_NS}"><sheetData><row r="1">'
             f'<c r="A1"><v>1</v></c></row></sheetData><mergeCells count="{count}">{refs}'
             "</mergeCells></worksheet>").encode()
    return package(tmp_path / f"merges-{count}.xlsx", _book(
        ONE, sheet_rel("rId1", "worksheets/sheet1.xml"), [("xl/worksheets/sheet1.xml", sheet)]))


def test_merged_ranges_are_bounded(tmp_path: Path) -> None:
    check_safety(_merges(tmp_path, lim.MAX_MERGED_RANGES))
    with pytest.raises(UnsafeWorkbookError, match="Unmerge"):
        check_safety(_merges(tmp_path, lim.MAX_MERGED_RANGES + 1))


# -- what the gate itself keeps in memory --------------------------------------------------------


def test_a_structural_part_beyond_its_limit_is_refused(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = package(tmp_path / "big-structure.xlsx", _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml"), [
        ("xl/worksheets/sheet1.xml", sheet_part("fine"))]))
    check_safety(path)
    monkeypatch.setattr(lim, "MAX_STRUCTURE_BYTES", 200)
    with pytest.raises(UnsafeWorkbookError, match="structure"):
        check_safety(path)


def test_formulas_without_results_beyond_the_limit_are_refused(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cells = "".join(f'<c r="A{r}"><f>1+{r}</f></c>' for r in range(1, 11))
    sheet = (f'<?xml version="1.0"?><worksheet xmlns="{hostile.MAIN_NS}"><sheetData>'
             f"{cells}</sheetData></worksheet>").encode()
    path = package(tmp_path / "formulas.xlsx", _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml"), [
        ("xl/worksheets/sheet1.xml", sheet)]))
    assert len(check_safety(path).sheets["Benefits"].formulas) == 10
    monkeypatch.setattr(lim, "MAX_UNREAD_CELLS", 9)
    with pytest.raises(UnsafeWorkbookError, match="formulas saved without their results"):
        check_safety(path)


def test_a_structural_part_in_an_encoding_python_does_not_know_is_refused(tmp_path: Path) -> None:
    # expat raises LookupError, not a parse error: it must still be a refusal, not a traceback
    workbook = workbook_part(ONE).replace(b'encoding="UTF-8"', b'encoding="EBCDIC-US"', 1)
    path = package(tmp_path / "ebcdic.xlsx", _book(ONE, sheet_rel("rId1", "worksheets/sheet1.xml"), [
        ("xl/worksheets/sheet1.xml", sheet_part("fine"))]))
    hostile.rewrite(path, tmp_path / "ebcdic2.xlsx", {"xl/workbook.xml": lambda _d: workbook})
    with pytest.raises(UnsafeWorkbookError, match=r"ebcdic2\.xlsx.*EBCDIC"):
        check_safety(tmp_path / "ebcdic2.xlsx")
