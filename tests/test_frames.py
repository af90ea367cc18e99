"""The DataFrame API: the same register, findings and figures as the CLI, as pandas frames;
and pandas never loaded by the validate path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import xl_brm
from xl_brm.api import validate_file
from xl_brm.errors import UsageError

EXAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "examples"
COMMUNITY = EXAMPLES / "community_taj.xlsx"


def test_read_register_gives_the_register_and_findings_validate_gives() -> None:
    frames = xl_brm.read_register(COMMUNITY)
    report = validate_file(COMMUNITY)
    assert len(frames.benefits) == report.benefits == 9
    assert len(frames.measurements) == report.measurements
    assert list(zip(frames.findings["code"], frames.findings["cell"], strict=True)) == [
        (f.code, f.cell) for f in report.issues]
    assert str(frames.measurements["period_start"].dtype).startswith("datetime64")
    assert frames.measurements["value"].dtype == "float64"
    qualitative = frames.measurements[frames.measurements["text"].notna()]
    assert list(qualitative["benefit_id"]) == ["CH-04"] and qualitative["value"].isna().all()
    assert "planned_saving_gbp" in frames.benefits.columns  # the trust's own column, by its header
    assert str(frames.benefits["target_date"].dtype).startswith("datetime64")
    assert set(frames.benefits["category"]) <= {"safety_quality", "clinical_outcomes", "patient_experience",
                                                "staff_experience", "resource_sustainability"}


def test_compute_to_frame_is_the_compute_json_of_the_command_line() -> None:
    exe = Path(sys.executable).with_name("xl-brm")
    run = subprocess.run([str(exe), "compute", str(COMMUNITY), "--as-of", "2020-09", "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    cli = json.loads(run.stdout)["benefits"]
    frame = xl_brm.compute(xl_brm.read_register(COMMUNITY), as_of="2020-09").to_frame(rounded=True)
    rows = frame.drop(columns=["benefit_type", "is_disbenefit"]).astype(object).where(frame.notna(), None)
    assert rows.to_dict("records") == cli
    periods = xl_brm.compute(COMMUNITY, as_of="2020-09").periods_frame()
    ch01 = periods[periods["benefit_id"] == "CH-01"]
    assert len(ch01) == 18 and list(ch01["period"])[-1] == "2020-09"
    counted = ch01[ch01["counted"]]
    assert counted["realised_value_gbp"].sum() == pytest.approx(frame.loc[0, "realised_value_gbp"], abs=0.01)


SCRIPT = """
import sys
from xl_brm.api import validate_file
from xl_brm.launch import main
validate_file({path!r})
print("PANDAS" if "pandas" in sys.modules else "CLEAN", flush=True)
sys.argv = ["xl-brm", "validate", {path!r}, "--format", "json"]
main()
"""


def test_the_validate_path_never_imports_pandas() -> None:
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", SCRIPT.format(path=str(COMMUNITY))],
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[0] == "CLEAN", run.stdout[:500]
    assert json.loads(run.stdout.split("\n", 1)[1])["totals"]["benefits"] == 9  # the command ran
    # -X importtime also logs the forked reader's imports: none is pandas either
    imported = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line]
    assert imported and not [m for m in imported if m.split(".")[0] == "pandas"]


def test_without_pandas_the_dataframe_api_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(UsageError, match=r"xl_brm\[pandas\]"):
        xl_brm.read_register(COMMUNITY)
