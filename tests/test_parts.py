"""A large register validated in two parts side by side (`xl_brm.validate.parts`, through
`xl_brm.json_report`) writes the very bytes of the one-go route, on every register here: the
split is forced on small registers, and checked to have happened."""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xl_brm import json_report
from xl_brm.api import Options, validate_file
from xl_brm.errors import UnsafeWorkbookError
from xl_brm.json_report import validation_json_bytes
from xl_brm.reader import GatedReader, read_workbook
from xl_brm.reader._safety import check_safety
from xl_brm.table import Column, RawRow, RawTable, SheetRows, rows_part
from xl_brm.validate import parts
from xl_brm.validate.parts import Ids, benefit_ids, clean_cut, in_parts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for sub in ("accuracy", "fuzz"):
    sys.path.insert(0, str(HERE / sub))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def _registers(tmp: Path) -> Iterator[tuple[str, Path, Options]]:
    from accuracy_eval import _options, _register
    from accuracy_gen import write_register
    from accuracy_inject import inject
    from accuracy_styles import STYLES
    from workbook_mutations import mutants

    from xl_brm.examples.dirty import write_dirty_register

    for path in sorted((ROOT / "workbooks" / "examples").glob("*.xlsx")):
        yield path.name, path, Options()
    yield "template", ROOT / "workbooks" / "template.xlsx", Options()
    for style in STYLES:
        clean = _register(style, 1)
        broken, _ = inject(clean, style, seed=1, today=date.today())
        for name, reg in (("clean", clean), ("broken", broken)):
            path = tmp / f"{name}-{style.name}.xlsx"
            write_register(reg, style, path, seed=1)
            yield path.name, path, _options(style, tmp, mapped=name == "broken")
    dirty = tmp / "dirty.xlsx"
    write_dirty_register(dirty, benefits=120, months=24)
    yield "dirty", dirty, Options()
    yield "dirty, rows shuffled", _shuffled(dirty, tmp / "shuffled.xlsx"), Options()
    for m in mutants(20261207, 16):
        path = tmp / m.name
        path.write_bytes(m.data)
        yield m.name, path, Options()


def _shuffled(source: Path, target: Path) -> Path:
    """The register with its Measurements rows in random order: most benefits on both sides of
    any cut."""
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[-1]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    random.Random(7).shuffle(rows)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c, value)
    book.save(target)
    return target


def _in_two_parts(path: Path, options: Options) -> bytes:
    """The JSON report as the reader writes it, checked against the report the exit code and
    the messages are decided by."""
    report, pieces = json_report._checked_side_by_side(path, options, GatedReader.checked(path))
    said = json.loads(b"".join(pieces))["files"][0]
    assert (said["counts"], said["measurements"]) == (report.counts, report.measurements)
    assert report.ok == (said["counts"]["error"] == 0)
    return b"".join(pieces)


@pytest.fixture
def cut(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every register is cut that can be (AT_LEAST and DIRTY 0); records whether each JSON
    report was made in two parts (True) or fell back to one go (False)."""
    monkeypatch.delenv("XL_BRM_PLAIN", raising=False)
    monkeypatch.setattr(parts, "AT_LEAST", 0)
    monkeypatch.setattr(parts, "DIRTY", 0)
    made: list[bool] = []
    real = json_report._in_two_parts

    def noted(*args: Any) -> Any:
        done = real(*args)
        made.append(done is not None)
        return done

    monkeypatch.setattr(json_report, "_in_two_parts", noted)
    return made


def test_every_register_gives_the_bytes_of_the_one_go_route(cut: list[bool], tmp_path: Path) -> None:
    for name, path, options in _registers(tmp_path):
        try:
            check_safety(path)
        except UnsafeWorkbookError:
            continue  # the gate's refusal is the answer, before any reading (tests/test_sandbox.py)
        expected = validation_json_bytes([validate_file(path, options)])
        assert _in_two_parts(path, options) == expected, name
    assert cut.count(True) >= 12 and False not in cut  # the examples, accuracy and dirty registers


def _benefits_checked_with_their_measurements(path: Path) -> Path:
    """40 benefits, each with a computed baseline and no measurement in its window (BRM307 when
    approved, BRM503 when not: checks of a benefit with its measurements, reported on the
    Benefits sheet), and a first reading of text (BRM407), so a finding sits on the first row
    of whichever benefit the second part starts at."""
    sys.path.insert(0, str(HERE / "rules"))
    from rules_workbooks import CLEAN_BENEFIT, months

    book = openpyxl.Workbook()
    benefits = book.active
    benefits.title = "Benefits"
    measurements = book.create_sheet("Measurements")
    fields = list(CLEAN_BENEFIT)
    benefits.append(fields)
    measurements.append(["benefit_id", "period", "value", "source", "evidence_grade", "note"])
    for k in range(40):
        bid = f"EPMA-{k:02d}"
        row = {**CLEAN_BENEFIT, "benefit_id": bid, "baseline_method": "Mean", "baseline_value": None,
               "approval_status": "Approved" if k % 2 else "Draft"}
        benefits.append([row[f] for f in fields])
        for m in months(bid, (2019, 10), ["n/a", *range(100, 111)]):
            measurements.append(list(m.values()))
    book.save(path)
    return path


def test_a_benefits_own_checks_in_the_second_part_are_reported(cut: list[bool], tmp_path: Path) -> None:
    path = _benefits_checked_with_their_measurements(tmp_path / "computed.xlsx")
    expected = validate_file(path)
    codes = [f.code for f in expected.issues]
    assert codes.count("BRM307") == 20 and codes.count("BRM503") == 20 and codes.count("BRM407") == 40
    found = in_parts(read_workbook(path), elsewhere=40, at_least=0)
    assert found is not None and 10 <= len(found.second_ids) <= 30
    assert any(f.row == found.row and f.sheet == found.sheet for f in expected.issues)  # at the cut
    assert _in_two_parts(path, Options()) == validation_json_bytes([expected])
    assert cut == [True]


def test_a_register_whose_benefits_sheet_is_clean_is_validated_in_one_go(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    from xl_brm.examples.dirty import write_dirty_register
    from xl_brm.examples.large import write_large_register

    monkeypatch.delenv("XL_BRM_PLAIN", raising=False)
    monkeypatch.setattr(parts, "AT_LEAST", 0)
    asked: list[tuple[int, bool]] = []
    real = parts.in_parts

    def noted(raw: Any, **kwargs: Any) -> Any:
        done = real(raw, **kwargs)
        asked.append((kwargs["elsewhere"], done is not None))
        return done

    monkeypatch.setattr(parts, "in_parts", noted)
    clean, dirty = tmp_path / "clean.xlsx", tmp_path / "dirty.xlsx"
    write_large_register(clean, benefits=120, months=24)
    write_dirty_register(dirty, benefits=120, months=24)
    for path in (clean, dirty):
        assert _in_two_parts(path, Options()) == validation_json_bytes([validate_file(path)])
    (clean_found, clean_cut), (dirty_found, dirty_cut) = asked
    assert clean_found < parts.DIRTY * 120 <= dirty_found
    assert (clean_cut, dirty_cut) == (False, True)


def test_a_register_with_its_rows_shuffled_is_not_cut(tmp_path: Path) -> None:
    from xl_brm.examples.dirty import write_dirty_register

    dirty = tmp_path / "dirty.xlsx"
    write_dirty_register(dirty, benefits=120, months=24)
    assert in_parts(read_workbook(dirty), elsewhere=10**6, at_least=0) is not None
    assert in_parts(read_workbook(_shuffled(dirty, tmp_path / "s.xlsx")), elsewhere=10**6, at_least=0) is None


def test_a_copy_that_fails_leaves_the_work_to_one_process(cut: list[bool], monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    from xl_brm.examples.dirty import write_dirty_register

    dirty = tmp_path / "dirty.xlsx"
    write_dirty_register(dirty, benefits=120, months=24)
    here = os.getpid()
    real = json_report._second_part

    def fails_in_the_copy(*args: Any) -> None:
        if os.getpid() != here:
            os._exit(3)  # as a copy killed for its memory would
        real(*args)

    monkeypatch.setattr(json_report, "_second_part", fails_in_the_copy)
    assert _in_two_parts(dirty, Options()) == validation_json_bytes([validate_file(dirty)])
    assert cut == [False]  # tried, and done in one go


def test_the_plain_path_is_never_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "workbooks" / "examples" / "acute_gde_rj1.xlsx"
    raw = read_workbook(path)
    assert in_parts(raw, elsewhere=10**6, at_least=0) is not None
    monkeypatch.setenv("XL_BRM_PLAIN", "1")
    assert in_parts(raw, elsewhere=10**6, at_least=0) is None


def _table(ids: list[Any]) -> RawTable:
    columns = [Column("benefit_id", "Benefit", 0), Column("period", "Month", 1), Column("value", "Value", 2)]
    rows = [RawRow(r, (bid, "2020-04", 1.0)) for r, bid in enumerate(ids, start=2)]
    return RawTable("Measurements", "Data", 1, columns, rows)


@pytest.mark.parametrize(
    ("ids", "cut"),
    [
        (["A"] * 10 + ["B"] * 10, 10),  # at the middle
        (["A"] * 11 + ["B"] * 9, 11),  # the nearest change
        (["A"] * 9 + ["B"] * 11, 9),
        (["A"] * 14 + ["B"] * 6, None),  # no change near enough the middle (REACH)
        (["A"] * 5 + ["B"] * 10 + ["A"] * 5, None),  # A on both sides of every change
        (["A"] * 10 + [" B"] + ["B"] * 9, 10),  # ' B' reads as 'B': one benefit, kept together
        (["A"] * 9 + [" A"] + ["B"] * 10, 10),
        (["A"] * 10 + [None] + ["B"] * 9, 10),  # a row with no ID: no benefit to keep together
        (["A"] * 9 + [None, "A"] + ["B"] * 9, 11),
        (["A"] * 10 + ["B"] * 9 + ["A"], None),
    ],
)
def test_a_cut_never_parts_a_benefits_rows(ids: list[Any], cut: int | None) -> None:
    found = clean_cut(benefit_ids(_table(ids), 0), tries=5)
    assert (found[0] if found else None) == cut
    if found:
        k, after = found
        assert after == {i.strip() for i in ids[k:] if i}
        assert after.isdisjoint({i.strip() for i in ids[:k] if i})


def test_the_first_part_takes_fewer_rows_for_the_findings_it_says_elsewhere() -> None:
    ids = benefit_ids(_table([b for b in "ABCD" for _ in range(10)]), 0)
    assert clean_cut(ids) == (20, frozenset("CD"))
    assert clean_cut(ids, elsewhere=20) == (10, frozenset("BCD"))
    assert clean_cut(ids, elsewhere=10**6) == (10, frozenset("BCD"))  # never under a quarter of the rows


def test_ids_of_other_types_read_as_the_cells_do() -> None:
    """True == 1 == 1.0 in a dict, yet TRUE and 1 are two IDs; 1.0 reads as '1'."""
    ids = benefit_ids(_table([True, 1, 1.0, "1", "TRUE", None]), 0)
    assert [ids.said[key] for key in ids.rows] == ["TRUE", "1", "1", "1", "TRUE", None]
    assert clean_cut(benefit_ids(_table([True] * 10 + [1] * 10), 0)) == (10, frozenset({"1"}))
    assert clean_cut(benefit_ids(_table([1.0] * 10 + ["1"] * 10), 0)) is None  # both read '1'
    assert clean_cut(Ids([1] * 10 + [2] * 10, {1: "1", 2: "2"})) == (10, frozenset({"2"}))


def test_parts_of_a_sheets_rows_are_its_rows_cut() -> None:
    grid = [["Benefit", "Month"], *[[f"B{r}", r] for r in range(1, 11)]]
    rows = SheetRows(grid, start=1, positions=[0, 1], skipped=[3, 7])  # grid rows 3 and 7: notes
    listed = list(rows)
    for first, stop in ((0, 4), (4, 8), (0, 8), (8, 8), (3, 5)):
        part = rows_part(rows, first, stop)
        assert list(part) == listed[first:stop] == rows_part(listed, first, stop)
        assert len(part) == stop - first
