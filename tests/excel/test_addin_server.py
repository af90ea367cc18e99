"""The Office add-in server over real HTTP (uvicorn on loopback), and its manifest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from excel_support import actions_of, book_json

from xl_brm.addin import manifest as manifest_module
from xl_brm.addin.buttons import BUTTONS, FUNCTION_NAMESPACE, TAB_LABEL
from xl_brm.national.embedded import serve_in_thread as serve

OV = "{http://schemas.microsoft.com/office/taskpaneappversionoverrides}"
BT = "{http://schemas.microsoft.com/office/officeappbasictypes/1.0}"


@pytest.fixture(scope="module")
def addin(functions: ModuleType, ribbon: ModuleType) -> Iterator[str]:
    from xl_brm.addin.server import AddinSettings, create_app

    app = create_app(AddinSettings(public_url="https://brm.example.nhs.uk"))
    with serve(app) as url:
        yield url


def test_manifest_has_a_benefits_tab_with_the_four_buttons(addin: str) -> None:
    response = httpx.get(addin + "/manifest.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{BT}String")}
    tab = next(root.iter(f"{OV}CustomTab"))
    assert strings[tab.find(f"{OV}Label").get("resid")] == TAB_LABEL
    controls = list(tab.iter(f"{OV}Control"))
    assert [strings[c.find(f"{OV}Label").get("resid")] for c in controls] == [
        "Validate workbook",
        "Compute",
        "Submit to national",
        "Pull national status",
    ]
    assert strings["Functions.Namespace"] == FUNCTION_NAMESPACE
    urls = {u.get("id"): u.get("DefaultValue") for u in root.iter(f"{BT}Url")}
    assert urls["Functions.Metadata.Url"] == "https://brm.example.nhs.uk/xlwings/custom-functions-meta.json"


def test_manifest_buttons_match_the_scripts(addin: str, ribbon: ModuleType) -> None:
    import xlwings.server as xws

    xml = httpx.get(addin + "/manifest.xml").text
    actions = manifest_module.button_actions(xml)
    assert actions == {b.id: b.action for b in BUTTONS}
    scripts = {s["function_name"] for s in xws.custom_scripts_meta(ribbon)}
    assert scripts == {b.script for b in BUTTONS}
    # the task pane's Office.actions.associate names map each action to its script
    js = httpx.get(addin + "/static/brm-addin.js").text
    for button in BUTTONS:
        assert f'"{button.action}": "{button.script}"' in js
    assert "Office.actions.associate(action" in js
    assert httpx.get(addin + "/xlwings/custom-scripts-meta").json() == xws.custom_scripts_meta(ribbon)


def test_every_manifest_url_is_served(addin: str) -> None:
    xml = httpx.get(addin + "/manifest.xml").text
    for url in sorted(set(re.findall(r'DefaultValue="(https://brm\.example\.nhs\.uk[^"]*)"', xml))):
        path = url.removeprefix("https://brm.example.nhs.uk") or "/"
        response = httpx.get(addin + path)
        assert response.status_code == 200, path
        if path.endswith(".png"):
            assert response.content.startswith(b"\x89PNG")


def test_taskpane_loads_office_js_and_the_xlwings_client(addin: str) -> None:
    import xlwings

    html = httpx.get(addin + "/taskpane.html").text
    assert "appsforoffice.microsoft.com/lib/1/hosted/office.js" in html
    assert f"xlwings@{xlwings.__version__}/xlwingsjs/dist/xlwings.min.js" in html
    assert html.count("data-script=") == 4


def test_custom_functions_meta_and_code(addin: str, functions: ModuleType) -> None:
    meta = httpx.get(addin + "/xlwings/custom-functions-meta.json").json()
    assert {f["id"] for f in meta["functions"]} == set(functions.__all__)
    js = httpx.get(addin + "/xlwings/custom-functions-code.js").text
    for name in functions.__all__:
        assert f'CustomFunctions.associate("{name}", {name});' in js
    assert "/xlwings/custom-functions-call" in js


def _call(addin: str, name: str, *args: Any) -> httpx.Response:
    import xlwings

    body = {
        "func_name": name,
        "args": list(args),
        "caller_address": "Microsoft Excel[b.xlsx]Sheet1!B2",
        "content_language": "en-GB",
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": "1.4",
    }
    return httpx.post(addin + "/xlwings/custom-functions-call", json=body)


def test_custom_functions_call_over_http(addin: str) -> None:
    assert _call(addin, "BRM_FY", [[43921]]).json() == {"result": [["2019/20"]]}
    pv = _call(addin, "BRM_PV", [[1200], [2400]], [["2019/20 Q3"], ["2020/21 Q1"]], None).json()
    assert round(pv["result"][0][0], 2) == 3518.84
    issues = _call(addin, "BRM_ISSUES", [["Benefit ID", "Title"], ["B-1", "x"]]).json()["result"]
    assert issues[0] == ["row", "column", "code", "severity", "message"]
    assert _call(addin, "os_system", [["ls"]]).status_code == 404


def test_custom_scripts_call_over_http(addin: str, examples: Path) -> None:
    body = book_json(examples / "mental_health_rrv.xlsx")
    response = httpx.post(addin + "/xlwings/custom-scripts-call/validate_workbook", json=body, timeout=60)
    assert response.status_code == 200
    answer = response.json()
    assert actions_of(answer, "addSheet")[0]["args"][1] == "Issues"
    notes = [a["args"] for a in actions_of(answer, "addNote")]
    assert any(address == "$A$14" and text.startswith("BRM401") for address, text in notes)
    assert httpx.post(addin + "/xlwings/custom-scripts-call/nope", json=body).status_code == 404
    assert httpx.post(addin + "/xlwings/custom-scripts-call/compute", json={"x": 1}).status_code == 400


def test_all_four_buttons_work_through_http(
    addin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xl_brm.national import create_token
    from xl_brm.national.app import create_app
    from xl_brm.national.settings import StoreSettings

    db = f"sqlite:///{tmp_path / 'national.db'}"
    monkeypatch.setenv("XL_BRM_TOKEN", create_token(db, trust="TAJ"))
    monkeypatch.setenv("XL_BRM_ADDIN_STATE_DIR", str(tmp_path / "state"))
    from xl_brm.examples import write_examples

    write_examples(tmp_path)
    body = book_json(tmp_path / "community_taj.xlsx")
    with serve(create_app(StoreSettings(db=db))) as store:
        monkeypatch.setenv("XL_BRM_URL", store)
        for button in BUTTONS:
            response = httpx.post(
                f"{addin}/xlwings/custom-scripts-call/{button.script}", json=body, timeout=120
            )
            assert response.status_code == 200, (button.script, response.text)
            assert response.json()["actions"], button.script


def test_serve_refuses_without_a_licence_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from xl_brm.addin.server import prepare_environment
    from xl_brm.errors import XlBrmError

    monkeypatch.setenv("XLWINGS_ON_SERVER", "true")  # restored afterwards
    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    with pytest.raises(XlBrmError, match="PolyForm Noncommercial"):
        prepare_environment(None)
