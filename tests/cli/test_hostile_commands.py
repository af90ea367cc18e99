"""Every command that reads a workbook file reads it behind the same gate and memory-limited
reader as `validate`: a hostile file gets one clear error naming it, never a traceback, and an
annotated copy that cannot be made never hides the findings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reader"))
import hostile
from hostile import CONTENT_TYPES, package, rels_part, root_rels, sheet_part, sheet_rel, workbook_part

ROOT = Path(__file__).resolve().parents[2]
ACUTE = ROOT / "workbooks" / "examples" / "acute_gde_rj1.xlsx"
SHEET1 = "xl/worksheets/sheet1.xml"


def xl_brm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_brm", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def _external_far_cell(tmp_path: Path) -> Path:
    """The issue's reproduction: a sheet relationship with TargetMode="External" whose part
    holds a cell at XFD1048576 (the old gate skipped it; calamine read it and aborted)."""
    return package(tmp_path / "external.xlsx", [
        ("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", root_rels("xl/workbook.xml")),
        ("xl/workbook.xml", workbook_part('<sheet name="Benefits" sheetId="1" r:id="rId1"/>')),
        ("xl/_rels/workbook.xml.rels",
         rels_part(sheet_rel("rId1", "worksheets/sheet1.xml", ' TargetMode="External"'))),
        (SHEET1, sheet_part("Benefit ID", "XFD1048576"))])


COMMANDS = {
    "validate": ("validate", "{path}", "--format", "json"),
    "compute": ("compute", "{path}", "--as-of", "2020-09", "--format", "json"),
    "annotate": ("validate", "{path}", "--annotate", "{tmp}/annotated"),
    "map": ("map", "{path}", "--out", "{tmp}/saved.mapping.ini"),
    "compute --out": ("compute", "{path}", "--as-of", "2020-09", "--out", "{tmp}/computed.xlsx"),
}


@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
def test_a_far_cell_the_old_gate_missed_is_refused_by_every_command(tmp_path: Path, command: str) -> None:
    path = _external_far_cell(tmp_path)
    args = [a.format(path=path, tmp=tmp_path) for a in COMMANDS[command]]
    run = xl_brm(*args)
    assert run.returncode == 2, run.stdout + run.stderr
    said = run.stdout + run.stderr
    assert "Traceback" not in said and "panicked" not in said
    assert "external.xlsx" in said and "XFD1048576" in said
    assert not (tmp_path / "computed.xlsx").exists() and not (tmp_path / "saved.mapping.ini").exists()


def test_compute_and_map_read_in_the_forked_reader_and_answer_as_before(tmp_path: Path) -> None:
    community = ROOT / "workbooks" / "examples" / "community_taj.xlsx"
    run = xl_brm("compute", str(community), "--as-of", "2020-09", "--format", "json")
    assert run.returncode == 0, run.stderr
    from xl_brm.api import compute_file
    from xl_brm.cli.render import compute_json
    from xl_brm.periods import parse_period

    alone = compute_file(community, as_of=parse_period("2020-09"))
    assert json.loads(run.stdout) == json.loads(compute_json(alone))
    saved = tmp_path / "community.mapping.ini"
    assert xl_brm("map", str(community), "--out", str(saved)).returncode == 0
    from xl_brm.reader import propose_mapping

    propose_mapping(community).save(tmp_path / "alone.ini")
    assert saved.read_text() == (tmp_path / "alone.ini").read_text()


# -- an annotated copy that cannot be made -------------------------------------------------------


def _with_merge(tmp_path: Path, ref: str) -> Path:
    def edit(data: bytes) -> bytes:
        merge = b'<mergeCells count="1"><mergeCell ref="%s"/></mergeCells>' % ref.encode()
        return data.replace(b"</sheetData>", b"</sheetData>" + merge, 1)
    return hostile.rewrite(ACUTE, tmp_path / "merged.xlsx", {SHEET1: edit})


def test_an_enormous_merge_is_refused_for_the_copy_and_the_findings_still_reported(tmp_path: Path) -> None:
    # openpyxl makes an object for every merged cell: AA1:XFD1048576 would be 17 billion
    path = _with_merge(tmp_path, "AA1:XFD1048576")
    alone = xl_brm("validate", str(ACUTE), "--format", "json")
    run = xl_brm("validate", str(path), "--annotate", str(tmp_path / "annotated"), "--format", "json")
    assert run.returncode == 1, run.stderr  # the validation errors decide, not the copy
    (file,) = json.loads(run.stdout)["files"]
    (expected,) = json.loads(alone.stdout)["files"]
    cells = [(i["code"], i["cell"]) for i in file["issues"]]
    assert cells == [(i["code"], i["cell"]) for i in expected["issues"]]
    assert "merged.xlsx" in file["annotate_error"] and "merges" in file["annotate_error"]
    assert "no annotated copy written" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "annotated" / "merged.xlsx").exists()


def test_a_small_merge_is_copied(tmp_path: Path) -> None:
    path = _with_merge(tmp_path, "AA1:AB2")
    run = xl_brm("validate", str(path), "--annotate", str(tmp_path / "annotated"), "--format", "json")
    assert run.returncode == 1 and "annotate_error" not in run.stdout, run.stderr
    assert (tmp_path / "annotated" / "merged.xlsx").exists()


def test_a_copy_openpyxl_fails_on_keeps_the_findings_and_says_why(tmp_path: Path) -> None:
    # a style id that is not a number: python-calamine reads the cells, openpyxl cannot load it
    path = hostile.rewrite(ACUTE, tmp_path / "styles.xlsx", {
        "xl/styles.xml": lambda d: d.replace(b'<xf numFmtId="0"', b'<xf numFmtId="zero"', 1)})
    run = xl_brm("validate", str(path), "--annotate", str(tmp_path / "annotated"), "--format", "json")
    assert run.returncode == 1, run.stderr
    (file,) = json.loads(run.stdout)["files"]
    assert {i["code"] for i in file["issues"]} >= {"BRM304", "BRM204"}
    assert "styles.xlsx" in file["annotate_error"] and "Traceback" not in run.stderr


def test_a_clean_register_whose_copy_fails_exits_2(tmp_path: Path) -> None:
    # nothing wrong with the register (exit 0 without --annotate), but the copy asked for
    # cannot be made: that is an input error of its own
    template = tmp_path / "template.xlsx"
    assert xl_brm("template", str(template)).returncode == 0
    import zipfile

    with zipfile.ZipFile(template) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]

    def edit(data: bytes) -> bytes:
        merge = b'<mergeCells count="1"><mergeCell ref="AA1:XFD1048576"/></mergeCells>'
        return data.replace(b"</sheetData>", b"</sheetData>" + merge, 1)
    path = hostile.rewrite(template, tmp_path / "clean.xlsx", dict.fromkeys(sheets, edit))
    assert xl_brm("validate", str(path)).returncode == 0
    run = xl_brm("validate", str(path), "--annotate", str(tmp_path / "annotated"))
    assert run.returncode == 2 and "no annotated copy written" in run.stderr


def test_a_small_file_of_enormous_words_is_read_in_seconds(tmp_path: Path) -> None:
    # the issue's reproduction: 100 cells of one 32,767-character word (a 20 KB file) in the
    # rows where the header is looked for, and one in an enum column; each timed out at 60 s
    import time

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    for row in range(1, 11):
        for col in range(1, 11):
            ws.cell(row, col, "w" * 32_767)
    ws.append(["Benefit ID", "Title", "Benefit Type", "Category"])
    ws.append(["B1", "Fewer falls", "(" * 32_767, "[" * 32_767])
    path = tmp_path / "words.xlsx"
    wb.save(path)
    assert path.stat().st_size < 100_000
    start = time.perf_counter()
    run = xl_brm("validate", str(path), "--format", "json")
    assert time.perf_counter() - start < 30, "about a second on a laptop"
    assert run.returncode == 1, run.stderr
    (file,) = json.loads(run.stdout)["files"]
    assert {(i["code"], i["cell"]) for i in file["issues"]} >= {("BRM204", "C12")}


def test_a_trajectory_sheet_without_its_key_columns_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    import openpyxl

    from xl_brm.api import validate_file

    wb = openpyxl.load_workbook(ROOT / "workbooks" / "examples" / "community_taj.xlsx")
    trajectory = wb["Trajectory"]
    for cell in trajectory[1]:
        if cell.value in ("period", "Period"):
            cell.value = "w" * 300  # the header a long word replaced: no period column left
    path = tmp_path / "trajectory.xlsx"
    wb.save(path)
    report = validate_file(path)
    assert any(f.code == "BRM101" and f.sheet == "Trajectory" for f in report.issues)
    assert not any(f.code == "BRM100" for f in report.issues)
