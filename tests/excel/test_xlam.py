"""The desktop add-in: built on Linux, every VBA module proven with olevba, the ribbon XML valid
against the customUI14 schema, every button wired to a VBA sub and a Python script, shipped in
the wheel for the exact xlwings it declares, and pointed at the user's Python by xl_brm.conf."""

from __future__ import annotations

import os
import random
import re
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tools.addin_build import customui, vba
from tools.addin_build import xlam as build_xlam
from tools.addin_build.ovba_compression import compress, decompress
from xl_brm.addin.buttons import BUTTONS
from xl_brm.addin.cli import XLAM as COMMITTED
from xl_brm.errors import XlBrmError


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> build_xlam.BuildReport:
    return build_xlam.build_xlam(tmp_path_factory.mktemp("xlam") / "xl_brm.xlam")


def _modules(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return build_xlam.read_back(zf.read("xl/vbaProject.bin"))


def test_every_module_reads_back_identical(built: build_xlam.BuildReport) -> None:
    sources = {m.name: build_xlam.module_text(m) for m in vba.all_modules()}
    found = _modules(built.path)
    assert set(found) == set(sources) == set(built.modules)
    for name, text in sources.items():
        assert found[name] == text, name
    assert len(sources["xlwings"]) > 40_000  # long enough to have broken the upstream compressor


def test_ribbon_xml_in_the_package_is_valid_customui14(built: build_xlam.BuildReport) -> None:
    with zipfile.ZipFile(built.path) as zf:
        xml = zf.read(customui.PART_NAME).decode("utf-8")
        rels = zf.read("_rels/.rels").decode("utf-8")
        types = zf.read("[Content_Types].xml").decode("utf-8")
    customui.validate_customui(xml)
    assert f'Type="{customui.RELATIONSHIP_TYPE}" Target="{customui.PART_NAME}"' in rels
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types


def test_schema_rejects_a_broken_ribbon() -> None:
    xml = customui.customui_xml()
    with pytest.raises(XlBrmError, match="customUI14 schema"):
        customui.validate_customui(xml.replace('size="large"', 'size="huge"', 1))
    with pytest.raises(XlBrmError):
        customui.validate_customui(xml.replace("<button ", "<buton ", 1))


def test_every_button_is_wired_to_a_vba_sub_and_a_python_script(
    built: build_xlam.BuildReport, ribbon: ModuleType
) -> None:
    modules = _modules(built.path)
    subs = {name: code for code in modules.values() for name in vba.sub_names(code)}
    assert set(built.callbacks) == {b.id for b in BUTTONS}
    for button in BUTTONS:
        callback = built.callbacks[button.id]
        assert callback in subs, callback
        body = subs[callback].split(f"Sub {callback}(", 1)[1].split("End Sub", 1)[0]
        assert "control As IRibbonControl" in body
        [script] = re.findall(r"run_desktop\('(\w+)'\)", body)
        assert script == button.script
        assert hasattr(getattr(ribbon, script), "__xlscript__")


def test_function_wrappers_cover_every_cell_function(
    built: build_xlam.BuildReport, functions: ModuleType
) -> None:
    code = _modules(built.path)["BRMFunctions"]
    for name in functions.__all__:
        assert re.search(rf"^Function {name}\(", code, re.MULTILINE), name
        assert f'XLPy.CallUDF("udfs.functions", "{name}"' in code
        assert f'Application.MacroOptions Macro:="{name}"' in code
    assert "Function BRM_FY(date_)" in code  # Date is a VBA keyword
    assert "Function BRM_VALIDATE(row, Optional headers)" in code


def _config_sheet(path: Path) -> dict[str, str]:
    """The add-in's own config sheet: column A -> column B, as xlwings' VBA reads it."""
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        book = zf.read("xl/workbook.xml").decode()
    assert 'name="xl_brm.conf"' in book
    rows: dict[str, str] = {}
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet):
        texts = re.findall(r'<c r="([AB])\d+"[^>]*><is><t>(.*?)</t></is></c>', row)
        cells = dict(texts)
        rows[cells["A"]] = cells.get("B", "")
    return rows


def test_config_sheet_points_xlwings_at_the_functions(built: build_xlam.BuildReport) -> None:
    assert _config_sheet(built.path) == {"UDF Modules": "udfs.functions"}
    assert 'Public Const PROJECT_NAME As String = "xl_brm"' in _modules(built.path)["xlwings"]


def test_the_add_ins_sheet_does_not_override_the_users_xl_brm_conf() -> None:
    """xlwings' VBA (GetConfig) takes a key from the add-in's own sheet whenever the key is
    there, even with an empty value, before it looks at xl_brm.conf. So the shipped sheet must
    hold none of the keys docs/excel.md tells users to set in xl_brm.conf."""
    code = _modules(COMMITTED)["xlwings"]
    get_config = code.split("Function GetConfig(", 1)[1].split("End Function", 1)[0]
    sheet_first = get_config.index("GetConfigFromSheet(ThisWorkbook).Exists(configKey)")
    assert sheet_first < get_config.index("GetDirectoryConfigFilePath()") < get_config.index(
        "GetConfigFilePath()"
    )  # order: the add-in's sheet, xl_brm.conf beside the workbook, the user's xl_brm.conf
    user_file = 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"'
    assert f"GetConfigFilePath = {user_file}" in code
    docs = (Path(__file__).resolve().parents[2] / "docs" / "excel.md").read_text(encoding="utf-8")
    documented = set(re.findall(r'^"([A-Z_ ]+)","', docs, re.MULTILINE))
    assert {"INTERPRETER_WIN"} <= documented
    sheet_keys = {key.upper() for key in _config_sheet(COMMITTED)}
    assert sheet_keys == {"UDF MODULES"}
    assert not sheet_keys & documented


def test_the_vba_loads_the_dll_of_the_xlwings_that_is_installed_and_pinned() -> None:
    import importlib.metadata
    import tomllib

    installed = importlib.metadata.version("xlwings")
    code = _modules(COMMITTED)["xlwings"]
    assert set(re.findall(r'Lib "xlwings(?:32|64)-([\d.]+)\.dll"', code)) == {installed}
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    for extra in ("excel", "office"):
        assert f"xlwings=={installed}" in extras[extra], extra


def test_build_is_reproducible_and_the_committed_addin_is_current(
    built: build_xlam.BuildReport, tmp_path: Path
) -> None:
    again = build_xlam.build_xlam(tmp_path / "again.xlam")
    assert again.path.read_bytes() == built.path.read_bytes()
    assert COMMITTED.read_bytes() == built.path.read_bytes(), "run `make addins`"


@pytest.mark.parametrize("size", [0, 1, 3, 600, 1000, 4096, 4097, 20_000])
def test_compressor_round_trips_through_olevba(size: int) -> None:
    decompress_stream = build_xlam.olevba().decompress_stream

    rng = random.Random(size)
    samples = [
        bytes(rng.choice(b"ab \r\n") for _ in range(size)),  # long repeats: the upstream bug
        os.urandom(size),  # incompressible: raw chunks
        (b"    Dim x As Variant\r\n" * (size // 22 + 1))[:size],
    ]
    for data in samples:
        packed = compress(data)
        assert decompress(packed) == data
        assert bytes(decompress_stream(bytearray(packed))) == data


def test_upstream_compressor_corrupts_long_modules() -> None:
    """Why ovba_compression exists: ms-ovba-compression 1.0.1 packs over-long copy tokens."""
    from ms_ovba_compression.ms_ovba import MsOvba

    decompress_stream = build_xlam.olevba().decompress_stream

    source = vba.xlwings_module().code.encode("cp1252")[:3000]
    read = bytes(decompress_stream(bytearray(MsOvba().compress(source))))
    if read == source:
        pytest.skip("ms-ovba-compression is fixed upstream; the workaround can go")
    assert read != source


def test_a_corrupting_compressor_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.addin_build import ovba_compression

    def broken(data: bytes) -> bytes:
        return compress(data.replace(b"XLPy", b"XLPz"))

    monkeypatch.setattr(ovba_compression, "compress", broken)
    target = tmp_path / "bad.xlam"
    with pytest.raises(XlBrmError, match="reads back different"):
        build_xlam.build_xlam(target)
    assert not target.exists()
