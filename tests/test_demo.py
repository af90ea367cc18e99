"""`xl-brm demo` is the README's main job: it must run end to end with no server or network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_whole_journey(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "xl_brm", "demo", "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "4 file(s)" in text
    assert "acute_gde_rj1.xlsx was not sent" in text and "Benefits Register!V7 BRM304" in text
    assert "6 accepted, 0 unchanged, 0 rejected" in text
    assert "0 accepted, 6 unchanged, 0 rejected" in text, "a resubmission must send nothing"
    assert "Realised value by trust" in text and "RRV" in text and "TAJ" in text
    assert (tmp_path / "community_taj.computed.xlsx").exists()
    assert (tmp_path / "national.db").exists()
    assert "Traceback" not in run.stderr
