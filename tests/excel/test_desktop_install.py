"""The desktop add-in from pip: `xl-brm addin path` names the .xlam shipped in the wheel, and
`xl-brm addin install` puts it in place and points it at the user's Python, with nothing but
`pip install 'xl_brm[excel]'`."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xl_brm.addin.cli import XLAM, app

ROOT = Path(__file__).resolve().parents[2]


def test_path_prints_the_shipped_add_in() -> None:
    result = CliRunner().invoke(app, ["path"])
    assert result.exit_code == 0, result.output
    assert Path(result.output.strip()) == XLAM and XLAM.is_file()
    assert zipfile.is_zipfile(XLAM)


def test_install_copies_the_add_in_and_points_xl_brm_conf_at_this_python(tmp_path: Path) -> None:
    conf = tmp_path / "profile" / ".xl_brm" / "xl_brm.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"INTERPRETER_WIN","C:\\\\old\\\\python.exe"\n"SHOW CONSOLE","True"\n', encoding="utf-8")
    folder = tmp_path / "XLSTART"
    result = CliRunner().invoke(app, ["install", "--folder", str(folder), "--config", str(conf)])
    assert result.exit_code == 0, result.output
    assert (folder / "xl_brm.xlam").read_bytes() == XLAM.read_bytes()
    lines = conf.read_text(encoding="utf-8").splitlines()
    assert lines == [f'"INTERPRETER_WIN","{sys.executable}"', '"SHOW CONSOLE","True"']  # the rest kept


def test_install_off_windows_says_where_the_add_in_goes() -> None:
    result = CliRunner().invoke(app, ["install"])
    assert result.exit_code == 0, result.output
    assert str(XLAM) in result.output and "XLSTART" in result.output


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


@pytest.mark.slow
def test_a_fresh_virtualenv_with_only_the_excel_extra(tmp_path: Path) -> None:
    """What a trust's PC gets: `pip install '.[excel]'` into a new virtualenv, then the two
    commands. The add-in there declares the DLL of the xlwings pip installed beside it."""
    from tools.addin_build.xlam import read_back

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    python, xl_brm = venv / "bin" / "python", venv / "bin" / "xl-brm"
    installed = _run([str(python), "-m", "pip", "install", "-q", f"{ROOT}[excel]"], timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]

    found = _run([str(xl_brm), "addin", "path"], timeout=120)
    assert found.returncode == 0, found.stderr
    xlam = Path(found.stdout.strip())
    assert xlam.is_file() and venv in xlam.parents
    version = _run([str(python), "-c", "import importlib.metadata as m; print(m.version('xlwings'))"])
    with zipfile.ZipFile(xlam) as book:
        vba = read_back(book.read("xl/vbaProject.bin"))["xlwings"]
    assert set(re.findall(r'Lib "xlwings(?:32|64)-([\d.]+)\.dll"', vba)) == {version.stdout.strip()}

    conf, folder = tmp_path / "xl_brm.conf", tmp_path / "XLSTART"
    command = [str(xl_brm), "addin", "install", "--folder", str(folder), "--config", str(conf)]
    done = _run(command, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (folder / "xl_brm.xlam").read_bytes() == xlam.read_bytes()
    assert conf.read_text(encoding="utf-8").startswith('"INTERPRETER_WIN","')

    # the xlwings Lite template is assembled from the installed modules and the shipped bundle
    lite = tmp_path / "lite.xlsx"
    made = _run([str(xl_brm), "template", str(lite), "--lite", "--trust", "RJ1"], timeout=120)
    assert made.returncode == 0, made.stderr
    assert zipfile.ZipFile(lite).read("xl/webextensions/webextension1.xml").count(b"udfs.functions") > 0

    # only what runs: no build tooling, no server, no test tools
    probe = (
        "import importlib.util as u; "
        "print([m for m in ('tools.addin_build', 'ms_ovba', 'xmlschema', 'xlwings_server', 'playwright')"
        " if u.find_spec(m.split('.')[0]) and u.find_spec(m)])"
    )
    assert _run([str(python), "-c", probe], cwd=tmp_path).stdout.strip() == "[]"
