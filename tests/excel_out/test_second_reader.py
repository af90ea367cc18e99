"""An independent second reader: LibreOffice opens what we write (skipped where not installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from xl_brm.excel import write_template

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_template(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    text = (tmp_path / "template.csv").read_text(encoding="utf-8", errors="replace")
    assert "Benefits register" in text
