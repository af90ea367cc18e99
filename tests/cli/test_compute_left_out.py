"""A benefit whose row cannot be read well enough to compute (here an unknown benefit type,
'Cashable', planted in the acute example at F11) is named in every output with what to fix,
never dropped in silence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from xl_brm.api import load
from xl_brm.computation import compute
from xl_brm.periods import parse_period
from xl_brm.report import board_report

ROOT = Path(__file__).resolve().parents[2]
ACUTE = ROOT / "workbooks" / "examples" / "acute_gde_rj1.xlsx"
FIX = "blocked: fix BRM204 (Benefits Register!F11)"


def xl_brm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_brm", *args], capture_output=True, text=True,
                          timeout=300)


def test_compute_json_and_the_computed_sheet_name_the_benefit_left_out(tmp_path: Path) -> None:
    run = xl_brm("compute", str(ACUTE), "--as-of", "2020-09", "--format", "json")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["not_computed"] == [{"benefit_id": "GDE-08", "blocked": FIX}]
    assert "GDE-08" not in {b["benefit_id"] for b in answer["benefits"]}

    out = tmp_path / "computed.xlsx"
    assert xl_brm("compute", str(ACUTE), "--as-of", "2020-09", "--out", str(out)).returncode == 0
    rows = list(load_workbook(out)["Computed"].iter_rows(values_only=True))
    header = rows[0]
    left = [r for r in rows[1:] if r[header.index("benefit_id")] == "GDE-08"]
    assert len(left) == 1 and left[0][header.index("rag")] == FIX
    assert len(rows) - 1 == len(answer["benefits"]) + 1


def test_the_board_report_says_which_benefits_are_not_in_its_figures() -> None:
    _raw, validation = load(ACUTE)
    assert [bid for bid, _sheet, _row in validation.left_out] == ["GDE-08"]
    headline = board_report(compute(validation, as_of=parse_period("2020-09"))).sections[0]
    assert "Not in these figures" in headline.note
    assert "GDE-08: fix BRM204 (Benefits Register!F11)" in headline.note


def test_a_clean_register_leaves_nothing_out() -> None:
    _raw, validation = load(ROOT / "workbooks" / "examples" / "community_taj.xlsx")
    assert validation.left_out == []
