"""The xlwings Lite template: the template's sheets, plus main.py and requirements.txt stored in
the add-in's web-extension part, and a main.py that runs with no xl-brm installed."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from office_support import SPEC_FUNCTIONS
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tools.addin_build.lite import LITE_BASE_REQUIREMENTS, LITE_PACKAGES, analyse
from xl_brm.addin import lite
from xl_brm.addin.buttons import BUTTONS
from xl_brm.addin.lite import (
    BUNDLE_PATH,
    FUNC_NAMESPACE,
    XLWINGS_LITE_STORE_ID,
    LiteCode,
    build_lite_code,
    load_bundle,
    read_lite_code,
    write_lite_template,
)
from xl_brm.errors import InputError, UsageError, XlBrmError
from xl_brm.excel.template import write_template

WORKBOOK_ID = "6f1c2b9e-5a43-4d2e-9a1b-7c0d3e4f5a6b"


@pytest.fixture(scope="module")
def lite_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lite") / "register.xlsx"
    return write_lite_template(path, trust_ods="RJ1", programme="GDE", workbook_id=WORKBOOK_ID)


@pytest.fixture(scope="module")
def settings(lite_book: Path) -> dict[str, Any]:
    return read_lite_code(lite_book)


def test_opens_with_openpyxl_and_calamine_with_the_template_sheets(lite_book: Path, tmp_path: Path) -> None:
    plain = write_template(tmp_path / "plain.xlsx", trust_ods="RJ1", programme="GDE")
    expected = load_workbook(plain).sheetnames
    assert load_workbook(lite_book).sheetnames == expected
    assert CalamineWorkbook.from_path(str(lite_book)).sheet_names == expected
    # the Settings sheet still carries the trust and programme
    values = [v for row in load_workbook(lite_book)["BRM Settings"].iter_rows(values_only=True) for v in row]
    assert "RJ1" in values and "GDE" in values


def test_parts_are_wired_as_office_stores_an_add_in(lite_book: Path) -> None:
    with zipfile.ZipFile(lite_book) as book:
        assert book.testzip() is None
        names = book.namelist()
        types = book.read("[Content_Types].xml").decode()
        rels = SafeET.fromstring(book.read("_rels/.rels"))
        pane_rels = SafeET.fromstring(book.read(lite.TASKPANES_RELS))
        panes = SafeET.fromstring(book.read(lite.TASKPANES_PART))
    for part in (lite.WEBEXTENSION_PART, lite.TASKPANES_PART, lite.TASKPANES_RELS):
        assert names.count(part) == 1
    assert f'PartName="/{lite.WEBEXTENSION_PART}" ContentType="{lite.CT_WEBEXTENSION}"' in types
    assert f'PartName="/{lite.TASKPANES_PART}" ContentType="{lite.CT_TASKPANES}"' in types
    ids = [r.get("Id") for r in rels]
    assert len(ids) == len(set(ids))
    assert [r.get("Target") for r in rels if r.get("Type") == lite.REL_TASKPANES] == [lite.TASKPANES_PART]
    (link,) = list(pane_rels)
    assert (link.get("Type"), link.get("Target")) == (lite.REL_WEBEXTENSION, "webextension1.xml")
    pane = panes.find(f"{{{lite.NS_WETP}}}taskpane")
    assert pane is not None and pane.get("visibility") == "1"
    ref = pane.find(f"{{{lite.NS_WETP}}}webextensionref")
    assert ref is not None and ref.get(f"{{{lite.NS_R}}}id") == link.get("Id")


def test_webextension_names_xlwings_lite_and_holds_json_settings(lite_book: Path) -> None:
    with zipfile.ZipFile(lite_book) as book:
        raw = book.read(lite.WEBEXTENSION_PART)
    root = SafeET.fromstring(raw)
    assert root.tag == f"{{{lite.NS_WE}}}webextension"
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", root.get("id") or "")
    reference = root.find(f"{{{lite.NS_WE}}}reference")
    assert reference is not None
    assert (reference.get("id"), reference.get("storeType")) == (XLWINGS_LITE_STORE_ID, "OMEX")
    props = {p.get("name"): p.get("value") for p in root.iter(f"{{{lite.NS_WE}}}property")}
    assert set(props) == {"main.py", "requirements.txt", "xlwingsWorkbookId"}
    # Office stores each setting as JSON: main.py is one JSON string, on one line in the file
    assert all(isinstance(json.loads(v or ""), str) for v in props.values())
    assert json.loads(props["xlwingsWorkbookId"] or "") == WORKBOOK_ID
    assert b"\n" not in raw.split(b"?>", 1)[1].strip()
    assert len(raw) < lite.MAX_SETTINGS_BYTES


def test_embedded_main_py_is_the_built_code_and_compiles(settings: dict[str, Any]) -> None:
    code = build_lite_code()
    main_py = settings["main.py"]
    assert main_py == code.main_py
    compile(main_py, "main.py", "exec")
    assert code.modules == tuple(sorted(code.modules))
    assert {"udfs.functions", "xl_brm.validate", "xl_brm.calc", "xl_brm.addin.cells"} <= set(code.modules)


def test_embedded_code_names_every_brm_function(settings: dict[str, Any]) -> None:
    import udfs.functions

    code = build_lite_code()
    assert set(SPEC_FUNCTIONS) <= set(code.functions)
    assert set(udfs.functions.__all__) <= set(code.functions)
    main_py = settings["main.py"]
    for name in SPEC_FUNCTIONS:
        assert re.search(rf"^    {name},$", main_py, re.M), f"main.py does not import {name}"
        assert f"={FUNC_NAMESPACE}.{name.removeprefix('BRM_')}()" in main_py  # its docstring says how


def test_requirements_pin_what_was_tested_and_leave_out_what_pyodide_lacks(settings: dict[str, Any]) -> None:
    lines = [ln for ln in settings["requirements.txt"].splitlines() if ln and not ln.startswith("#")]
    assert f"xlwings=={importlib.metadata.version('xlwings')}" in lines  # pure Python: pinned
    assert "pydantic" in lines  # built by Pyodide: never pinned
    assert "pyodide-http" in lines  # what every xlwings Lite workbook carries
    assert set(lines) <= set(LITE_PACKAGES.values()) | set(LITE_BASE_REQUIREMENTS)
    for absent in ("python-calamine", "python_calamine", "openpyxl", "httpx", "xl_brm", "xl-brm"):
        assert not any(ln.startswith(absent) for ln in lines)


def test_main_py_is_the_same_every_build() -> None:
    assert build_lite_code().main_py == build_lite_code().main_py


def test_the_shipped_bundle_is_what_the_sources_need() -> None:
    assert load_bundle() == analyse(), f"{BUNDLE_PATH.name} is stale: run `make addins`"


def test_lite_offers_only_the_buttons_that_work_there() -> None:
    code = build_lite_code()
    offline = {b.script for b in BUTTONS if b.lite}
    assert set(code.scripts) == offline == {"validate_workbook", "compute"}
    for button in BUTTONS:
        if not button.lite:
            assert f"    {button.script}," not in code.main_py
            assert f"udfs.ribbon.{button.script}: {button.label}: {button.not_in_lite}" in code.main_py
    assert {"xl_brm.charts", "xl_brm.calc", "xl_brm.addin.actions"} <= set(code.modules)  # Compute


def _code(roots: dict[str, Path]) -> LiteCode:
    return build_lite_code(analyse(roots=roots), roots=roots)


# -- main.py runs with no xl-brm installed and none of what Pyodide lacks ----------------------

_RUNNER = textwrap.dedent(
    """
    import importlib.abc, json, sys, types

    BLOCKED = set(json.loads(sys.argv[2]))

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"not in xlwings Lite: {name}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    main = types.ModuleType("main")
    sys.modules["main"] = main
    with open(sys.argv[1], encoding="utf-8") as f:
        exec(compile(f.read(), "main.py", "exec"), main.__dict__)
    sys.meta_path.insert(0, Blocker())  # run-time imports may not reach the disk either

    from xlwings.pro.udfs_officejs import custom_functions_meta, custom_scripts_meta

    meta = custom_functions_meta(main)
    calamine = sys.modules.get("python_calamine")
    try:
        import python_calamine
        python_calamine.CalamineWorkbook.from_path("x.xlsx")
        stub_refuses = False
    except ModuleNotFoundError as exc:
        stub_refuses = "not available in xlwings Lite" in str(exc) or exc.name == "python_calamine"
    header = ["Benefit ID", "Trust ODS", "Programme", "Project", "Title"]
    print(json.dumps({
        "functions": sorted(f["name"] for f in meta["functions"]),
        "scripts": sorted(s["function_name"] for s in custom_scripts_meta(main)),
        "loaded_from": sorted({getattr(m, "__file__", "") or "" for n, m in sys.modules.items()
                               if n.split(".")[0] in ("xl_brm", "udfs")}),
        "calamine_file": getattr(calamine, "__file__", None),
        "stub_refuses": stub_refuses,
        "pv": main.BRM_PV([[1200.0], [2400.0]], [["2019-10"], ["2020-10"]]),
        "fy": main.BRM_FY(43921.0),
        "period": main.BRM_PERIOD("Apr-19"),
        "improvement": main.BRM_IMPROVEMENT(95, 80, "decrease"),
        "validate": main.BRM_VALIDATE([["B1", "RJ1", "GDE", "EPMA", "Fewer errors"]], [header]),
        "issues": main.BRM_ISSUES([header, ["B1", "RJ1", "GDE", "EPMA", "Fewer errors"]]),
    }, default=str))
    """
)


def _blocked_packages() -> list[str]:
    """Everything xl-brm depends on (any extra) that xlwings Lite does not install, plus
    xl-brm's own packages: main.py must not reach any of them on disk."""
    requires = importlib.metadata.requires("xl_brm") or []
    names = {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower().replace("-", "_") for r in requires}
    return sorted((names | {"xl_brm", "udfs"}) - set(LITE_PACKAGES) - {""})


@pytest.fixture(scope="module")
def run_in_lite_like_python(
    settings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("lite-run")
    (folder / "main.py").write_text(settings["main.py"], encoding="utf-8")
    (folder / "runner.py").write_text(_RUNNER, encoding="utf-8")
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-I", "runner.py", "main.py", json.dumps(_blocked_packages())],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_blocked_list_covers_the_reader_and_the_network() -> None:
    blocked = _blocked_packages()
    assert {"python_calamine", "openpyxl", "httpx", "xl_brm", "udfs"} <= set(blocked)
    assert "pydantic" not in blocked and "xlwings" not in blocked


def test_functions_register_in_the_brm_namespace(run_in_lite_like_python: dict[str, Any]) -> None:
    expected = sorted(f"{FUNC_NAMESPACE}.{n.removeprefix('BRM_')}" for n in SPEC_FUNCTIONS)
    assert run_in_lite_like_python["functions"] == expected


def test_scripts_register(run_in_lite_like_python: dict[str, Any]) -> None:
    assert set(build_lite_code().scripts) == set(run_in_lite_like_python["scripts"])


def test_every_module_came_from_main_py(run_in_lite_like_python: dict[str, Any]) -> None:
    assert all(f.startswith("<xl-brm>/") for f in run_in_lite_like_python["loaded_from"])
    # The cell functions never load python-calamine (it has no Pyodide build); if a module
    # ever does, it gets the stand-in from main.py, which refuses clearly.
    assert run_in_lite_like_python["calamine_file"] in (None, "<xl-brm>/python_calamine.py")
    assert run_in_lite_like_python["stub_refuses"] is True


def test_cell_functions_give_the_worked_figures(run_in_lite_like_python: dict[str, Any]) -> None:
    got = run_in_lite_like_python
    # SPEC §5.3: £1,200 in 2019/20 and £2,400 in 2020/21, base 2019/20 -> 1,200 + 2,400 / 1.035
    assert got["pv"] == pytest.approx(1200 + 2400 / 1.035)
    assert round(got["pv"], 2) == 3518.84
    assert got["fy"] == "2019/20"  # serial 43921 is 31/03/2020
    assert got["period"] == "2019-04"
    assert got["improvement"] == 15.0


def test_rule_engine_runs_in_lite(run_in_lite_like_python: dict[str, Any]) -> None:
    import udfs.functions as here

    header = ["Benefit ID", "Trust ODS", "Programme", "Project", "Title"]
    row = ["B1", "RJ1", "GDE", "EPMA", "Fewer errors"]
    got = run_in_lite_like_python
    assert not str(got["validate"]).startswith("Error:")
    assert got["validate"] == here.BRM_VALIDATE([row], [header])  # same answer as installed xl-brm
    assert json.loads(json.dumps(here.BRM_ISSUES([header, row]), default=str)) == got["issues"]


# -- refusals -------------------------------------------------------------------------------


def test_refuses_a_name_that_is_not_xlsx_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_lite_template(tmp_path / "register.xlsm")
    assert list(tmp_path.iterdir()) == []


def test_bad_ods_code_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ODS"):
        write_lite_template(tmp_path / "register.xlsx", trust_ods="not an ods")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        write_lite_template(tmp_path / "nowhere" / "register.xlsx")


def test_reading_a_plain_template_says_it_holds_no_code(tmp_path: Path) -> None:
    plain = write_template(tmp_path / "plain.xlsx")
    with pytest.raises(InputError, match="no xlwings Lite code"):
        read_lite_code(plain)


def _fake_packages(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, source in {"udfs/__init__.py": "", "xl_brm/__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(source), encoding="utf-8")
    return {"udfs": root / "udfs", "xl_brm": root / "xl_brm"}


def test_cell_functions_needing_a_file_reader_are_refused(tmp_path: Path) -> None:
    roots = _fake_packages(
        tmp_path,
        {
            "udfs/functions.py": "from xlwings import func\nfrom xl_brm.io import load\n",
            "xl_brm/io.py": "import openpyxl\n",
        },
    )
    with pytest.raises(XlBrmError, match=r"udfs\.functions needs xl_brm\.io, which imports openpyxl"):
        _code(roots)


def test_a_script_module_needing_the_network_is_left_out_and_named(tmp_path: Path) -> None:
    roots = _fake_packages(
        tmp_path,
        {
            "udfs/functions.py": """
            from xlwings import func
            from xl_brm import calc

            @func
            def BRM_ONE(x):
                return calc.twice(x)
            """,
            "xl_brm/calc.py": "def twice(x):\n    return 2 * x\n",
            "udfs/ribbon.py": "import httpx\nfrom xlwings import script\n",
            "xl_brm/later.py": "import sqlalchemy\n",
            "udfs/lazy.py": """
            from xlwings import script

            @script
            def pull(book):
                import requests
                from xl_brm import later
            """,
        },
    )
    code = _code(roots)
    assert code.functions == ("BRM_ONE",)
    assert code.scripts == ("pull",)
    assert code.left_out["udfs.ribbon"] == "imports httpx"
    assert code.left_out["xl_brm.later"] == "imports sqlalchemy (used by udfs.lazy)"
    assert code.left_out["requests"] == "not installed in xlwings Lite (used inside udfs.lazy)"
    assert "  requests: not installed" in code.main_py  # main.py says what will not work
    assert "xl_brm.later" not in code.modules and "xl_brm.calc" in code.modules
    assert "from udfs.ribbon" not in code.main_py
    # run it in its own Python: main.py takes over `import xl_brm` wherever it runs
    (tmp_path / "main.py").write_text(code.main_py + "\nprint(BRM_ONE(21))\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", "main.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "42"), done.stderr[-2000:]


def test_the_same_name_in_two_udfs_modules_is_refused(tmp_path: Path) -> None:
    roots = _fake_packages(
        tmp_path,
        {
            "udfs/functions.py": "from xlwings import func\n\n@func\ndef BRM_X(a):\n    return a\n",
            "udfs/ribbon.py": "from xlwings import script\n\n@script\ndef BRM_X(book):\n    pass\n",
        },
    )
    with pytest.raises(XlBrmError, match="BRM_X is defined in both"):
        _code(roots)


def test_literal_round_trips_awkward_sources() -> None:
    import ast

    for source in ["x = '''a'''\n", "s = 'ends with quote'", "a = 1\\\n", 'r"\\d"\n', "t\r\n"]:
        assert ast.literal_eval(lite._literal(source)) == source


# -- the command line -------------------------------------------------------------------------


def test_cli_template_lite(tmp_path: Path) -> None:
    from xl_brm.cli import app

    out = tmp_path / "lite.xlsx"
    result = CliRunner().invoke(app, ["template", str(out), "--lite", "--trust", "RJ1"])
    assert result.exit_code == 0, result.output
    assert read_lite_code(out)["main.py"] == build_lite_code().main_py
    assert load_workbook(out).sheetnames[:2] == ["Guide", "Benefits"]


def test_the_reader_still_accepts_the_lite_template(lite_book: Path) -> None:
    """A trust that fills in the Lite template can still run `xl-brm validate` and submit."""
    from xl_brm.reader import check_safety, read_workbook

    check_safety(lite_book)
    raw = read_workbook(lite_book)
    assert {f.code for f in raw.findings} <= {"BRM104"}  # only "no data rows yet"
