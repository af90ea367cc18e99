"""The `xl-brm` command as a user or a CI job runs it: real files, real exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "workbooks" / "examples"
ACUTE = EXAMPLES / "acute_gde_rj1.xlsx"
COMMUNITY = EXAMPLES / "community_taj.xlsx"


def xl_brm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xl_brm", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_validate_json_has_the_spec_shape_and_exit_code_1_for_errors() -> None:
    run = xl_brm("validate", str(ACUTE), "--format", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert set(report) == {"rules_version", "files", "totals"}
    (file,) = report["files"]
    assert set(file) == {"path", "trust_ods", "benefits", "measurements", "issues", "counts"}
    assert file["trust_ods"] == "RJ1" and file["benefits"] > 0 and file["measurements"] > 0
    issue = file["issues"][0]
    spec = ["code", "severity", "sheet", "row", "column", "cell", "value", "message"]
    assert list(issue) == [*spec, "heading"]  # the trust's heading (issue 13), after the SPEC's keys
    assert report["totals"]["error"] == file["counts"]["error"] > 0
    assert any(i["code"] == "BRM304" and i["cell"] == "V7" for i in file["issues"])


def test_a_folder_with_a_bad_file_still_validates_the_others(tmp_path: Path) -> None:
    shutil.copy(ACUTE, tmp_path / "a.xlsx")
    shutil.copy(COMMUNITY, tmp_path / "b.xlsx")
    (tmp_path / "broken.xlsx").write_text("benefit_id,title\nX,not a workbook\n")
    (tmp_path / "~$a.xlsx").write_bytes(b"excel lock file")
    run = xl_brm("validate", str(tmp_path), "--format", "json")
    assert run.returncode == 2, "an unreadable file is an input error"
    files = {Path(f["path"]).name: f for f in json.loads(run.stdout)["files"]}
    assert set(files) == {"a.xlsx", "b.xlsx", "broken.xlsx"}
    assert files["a.xlsx"]["benefits"] > 0 and files["b.xlsx"]["benefits"] > 0
    (problem,) = files["broken.xlsx"]["issues"]
    assert problem["code"] == "BRM100" and "broken.xlsx" in problem["message"]
    assert "Traceback" not in run.stderr


def test_csv_lists_one_line_per_finding() -> None:
    run = xl_brm("validate", str(ACUTE), "--format", "csv")
    lines = run.stdout.strip().splitlines()
    assert lines[0] == "path,code,severity,sheet,row,column,cell,value,message,heading"
    said = "Benefits Register,7,approved_by,V7,,Status (approval_status) is approved but Approved By"
    assert said in run.stdout
    report = json.loads(xl_brm("validate", str(ACUTE), "--format", "json").stdout)
    assert len(lines) - 1 == len(report["files"][0]["issues"])


def test_table_output_names_the_cells() -> None:
    run = xl_brm("validate", str(ACUTE))
    assert run.returncode == 1
    assert "Benefits Register!V7" in run.stdout and "BRM304" in run.stdout


def test_missing_path_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    run = xl_brm("validate", str(tmp_path / "nope.xlsx"))
    assert run.returncode == 2
    assert "no such file" in run.stderr and "Traceback" not in run.stderr


def test_annotate_writes_a_copy_and_leaves_the_original_alone(tmp_path: Path) -> None:
    source = tmp_path / "acute.xlsx"
    shutil.copy(ACUTE, source)
    before = source.read_bytes()
    run = xl_brm("validate", str(source), "--annotate", str(tmp_path / "annotated"))
    assert run.returncode == 1
    assert source.read_bytes() == before
    import openpyxl

    copy = openpyxl.load_workbook(tmp_path / "annotated" / "acute.xlsx")
    assert "Issues" in copy.sheetnames
    assert copy["Benefits Register"]["V7"].comment is not None


def test_compute_json_matches_the_spec_keys() -> None:
    run = xl_brm("compute", str(COMMUNITY), "--as-of", "2020-09", "--format", "json")
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert body["as_of"] == "2020-09"
    keys = {"benefit_id", "baseline", "latest", "improvement", "realised_quantity", "realised_value_gbp",
            "pv_gbp", "percent_of_target", "planned_to_date", "rag"}
    assert body["benefits"] and all(set(b) == keys for b in body["benefits"])


def test_compute_rejects_a_bad_as_of_clearly() -> None:
    run = xl_brm("compute", str(COMMUNITY), "--as-of", "Smarch 2020")
    assert run.returncode == 2
    assert "not a period" in run.stderr or "not a month" in run.stderr


def test_rules_and_rule() -> None:
    listing = json.loads(xl_brm("rules", "--format", "json").stdout)
    codes = {r["code"] for r in listing["rules"]}
    assert {"BRM101", "BRM201", "BRM302", "BRM401", "BRM501"} <= codes
    one = xl_brm("rule", "BRM302")
    assert one.returncode == 0 and "BRM302" in one.stdout
    assert xl_brm("rule", "BRM999").returncode == 2


def test_map_then_validate_with_the_saved_mapping(tmp_path: Path) -> None:
    source = tmp_path / "acute.xlsx"
    shutil.copy(ACUTE, source)
    mapping = tmp_path / "acute.mapping.ini"
    assert xl_brm("map", str(source), "--out", str(mapping)).returncode == 0
    assert mapping.exists()
    with_mapping = json.loads(xl_brm("validate", str(source), "--mapping", str(mapping), "-f", "json").stdout)
    without = json.loads(xl_brm("validate", str(source), "-f", "json").stdout)
    assert with_mapping["files"][0]["issues"] == without["files"][0]["issues"]


@pytest.mark.parametrize("extra", [[], ["--trust", "RJ1", "--programme", "GDE"]])
def test_template_round_trips_through_validate(tmp_path: Path, extra: list[str]) -> None:
    target = tmp_path / "register.xlsx"
    assert xl_brm("template", str(target), *extra).returncode == 0
    run = xl_brm("validate", str(target), "--format", "json")
    assert run.returncode == 0, run.stdout
    (report,) = json.loads(run.stdout)["files"]
    assert {i["code"] for i in report["issues"]} == {"BRM104"}, "a blank template only says it is empty"
    assert report["counts"]["warning"] == 0, "and says it as information (issue 13)"
