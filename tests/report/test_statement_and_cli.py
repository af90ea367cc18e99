"""The Statement of Planned Benefits worked by hand, and `xl-brm report` / `compute` as a user
runs them: what the default as-of is and says, clear errors, and files written whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xl_brm.calc import compute_register
from xl_brm.computation import Computation, latest_period
from xl_brm.periods import parse_period
from xl_brm.report import Table, statement

from .conftest import COMMUNITY, xl_brm
from .test_board_content import _hand_register

COMPUTE_ROOT = COMMUNITY.parent


def test_statement_plan_by_hand() -> None:
    """B1: baseline 100, target 80 by Jul-19, start Apr-19 (N = 4): levels 95, 90, 85, 80;
    planned improvement 5, 10, 15, 20; at £10 x 50% = £5 a unit: £25, £50, £75, £100.
    The plan runs to the target date whatever the as-of (here Apr-19)."""
    register = _hand_register()
    as_of = parse_period("2019-04")
    computed = Computation(
        register=register, figures=compute_register(register, as_of=as_of), as_of=as_of, as_of_given=True
    )
    doc = statement(computed)
    summary = doc.sections[0].blocks[0]
    assert isinstance(summary, Table) and summary.row_keys == ["B1", "B2", "B3", "B4"]
    assert summary.rows[0][-1] == "Approved by Medical Director on 1 Mar 2019"
    b1 = next(s for s in doc.sections[1].subsections if s.key == "planned-B1")
    facts = dict(b1.blocks[0].items)  # type: ignore[union-attr]
    assert facts["Baseline"] == "100 (given)" and facts["Target"] == "80 by 31 Jul 2019"
    assert facts["Value per unit"] == "£10.00" and facts["Attribution"] == "50%"
    assert facts["Attributed £ per unit"] == "£5.00" and facts["Owner"] == "Chief Pharmacist"
    plan = b1.blocks[1]
    assert isinstance(plan, Table)
    assert plan.rows == [
        ["2019-04", 95.0, 5.0, 25.0],
        ["2019-05", 90.0, 10.0, 50.0],
        ["2019-06", 85.0, 15.0, 75.0],
        ["2019-07", 80.0, 20.0, 100.0],
    ]
    b3 = next(s for s in doc.sections[1].subsections if s.key == "planned-B3")
    assert len(b3.blocks) == 1, "a qualitative benefit has no numeric plan"


def test_statement_from_the_cli(tmp_path: Path) -> None:
    run = xl_brm("report", str(COMMUNITY), "--statement", "--out", str(tmp_path / "statement.html"))
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "statement.html").read_text(encoding="utf-8")
    assert "Statement of Planned Benefits: TAJ" in html and "Planned trajectory of CH-01" in html
    assert (tmp_path / "statement.pdf").read_bytes().startswith(b"%PDF-")


def test_default_as_of_is_the_latest_period_with_data_and_is_stated() -> None:
    from xl_brm.api import load

    _raw, validation = load(COMMUNITY)
    assert str(latest_period(validation.register)) == "2020-09"
    run = xl_brm("compute", str(COMMUNITY), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["as_of"] == "2020-09"
    assert "the latest period with data" in run.stderr
    table = xl_brm("compute", str(COMMUNITY))
    assert "as of 2020-09 (the latest period with data" in table.stdout
    assert "-0.0" not in table.stdout and "£0.00" not in table.stdout
    assert "blocked: fix BRM308" in table.stdout


def test_blocked_benefit_has_no_rag_in_json() -> None:
    run = xl_brm("compute", str(COMMUNITY), "--as-of", "2020-09", "--format", "json")
    ch08 = next(b for b in json.loads(run.stdout)["benefits"] if b["benefit_id"] == "CH-08")
    assert ch08["rag"] is None and ch08["realised_value_gbp"] is None


@pytest.mark.parametrize("name", ["board.docx", "board"])
def test_report_refuses_other_formats_clearly(tmp_path: Path, name: str) -> None:
    run = xl_brm("report", str(COMMUNITY), "--out", str(tmp_path / name))
    assert run.returncode == 2 and ".html, .pdf or .xlsx" in run.stderr
    assert "Traceback" not in run.stderr and list(tmp_path.iterdir()) == []


def test_report_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    run = xl_brm("report", str(COMMUNITY), "--out", str(tmp_path / "nope" / "board.pdf"))
    assert run.returncode == 2 and "does not exist" in run.stderr and "Traceback" not in run.stderr


def test_pdf_alone(tmp_path: Path) -> None:
    run = xl_brm("report", str(COMMUNITY), "--as-of", "2020/21 Q2", "--out", str(tmp_path / "board.pdf"))
    assert run.returncode == 0, run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["board.pdf"]


@pytest.mark.parametrize("name", ["acute_gde_rj1", "mental_health_rrv", "community_taj"])
def test_blocked_benefits_are_those_with_errors_on_their_rows(name: str) -> None:
    """The fast first pass finds exactly what asking about every benefit finds."""
    from xl_brm.api import load
    from xl_brm.computation import compute

    _raw, validation = load(COMPUTE_ROOT / f"{name}.xlsx")
    exhaustive = {
        b.benefit_id
        for b in validation.register.benefits
        if any(f.severity == "error" for f in validation.for_benefit(b.benefit_id))
    }
    computed = compute(validation)
    assert set(computed.blocked) == exhaustive and exhaustive
    assert all(f.rag is None for f in computed.figures if f.benefit_id in exhaustive)


def test_the_ribbons_report_names_the_cells_and_words_the_cli_names(tmp_path: Path) -> None:
    """An open workbook (the ribbon's route) and the same file (the CLI's) give one annex: the
    trust's own cells on a wide register (its planted 'TBC' in a period column)."""
    from openpyxl import load_workbook

    from xl_brm.api import load
    from xl_brm.computation import compute
    from xl_brm.reader import tables_from_grids
    from xl_brm.report import board_report, make_report

    from .conftest import ROOT

    path = ROOT / "workbooks" / "examples" / "ambulance_wide_rx1.xlsx"
    _raw, validation = load(path)
    planted = [f for f in validation.findings if f.code == "BRM407"]
    assert [(f.sheet, f.cell, f.heading) for f in planted] == [("Benefits Register", "AB4", "Q3 19/20")]

    wb = load_workbook(path)
    grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    written = make_report(tables_from_grids(grids, path=str(path)), tmp_path / "board.html",
                          as_of="2020-03")
    html = written[0].read_text(encoding="utf-8")
    annex = next(s for s in board_report(compute(validation, as_of=parse_period("2020-03"))).sections
                 if s.key == "annex")
    assert "Benefits Register!AB4" in str(annex.blocks) and "Benefits Register!AB4" in html
