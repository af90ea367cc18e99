"""`xl-brm demo` is the README's main job: it must run end to end with no server or network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "examples" / "community_taj.xlsx"
OUR_SHEETS = ("Summary", "Computed", "Computed by period")


def test_demo_runs_the_whole_journey(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "xl_brm", "demo", "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "4 files" in text
    assert "acute_gde_rj1.xlsx was not sent" in text and "Benefits Register!V7 BRM304" in text
    assert "6 accepted, 0 unchanged, 0 rejected" in text
    assert "0 accepted, 6 unchanged, 0 rejected" in text, "a resubmission must send nothing"
    assert "Realised value by trust" in text and "RRV" in text and "TAJ" in text
    assert "Non-cash-releasing (dis-benefit)" in text and "-£14,791.50" in text, "labels as people read them"
    assert (tmp_path / "community_taj.computed.xlsx").exists()
    assert all((tmp_path / f"community_taj.board.{kind}").exists() for kind in ("html", "pdf"))
    _same_as_the_cli(tmp_path / "community_taj.computed.xlsx", tmp_path / "cli.xlsx")
    assert (tmp_path / "national.db").exists()
    assert "Traceback" not in run.stderr


def _same_as_the_cli(demo: Path, cli: Path) -> None:
    """`xl-brm compute --out` writes exactly the sheets the demo writes (one code path)."""
    run = subprocess.run(
        [sys.executable, "-m", "xl_brm", "compute", str(EXAMPLE), "--as-of", "2020-09", "--out", str(cli)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    ours, theirs = load_workbook(demo), load_workbook(cli)
    for name in OUR_SHEETS:
        a = [list(r) for r in ours[name].iter_rows(values_only=True)]
        b = [list(r) for r in theirs[name].iter_rows(values_only=True)]
        assert a == b, f"sheet {name!r} differs between the demo and the CLI"
    computed = [list(r) for r in theirs["Computed"].iter_rows(values_only=True)]
    header = computed[0]
    titles = [r[header.index("title")] for r in computed[1:]]
    assert titles and all(titles), "every benefit has its title"
    summary = [list(r) for r in theirs["Summary"].iter_rows(values_only=True)]
    march = next(r for r in summary if r[0] == "2020-03")
    assert march[1] == 16_945.98, "planned cash-releasing £ counts benefits not yet measured"
