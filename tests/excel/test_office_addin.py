"""The Office add-in as Excel runs it: `xl-brm addin serve` (real xlwings Server with our
project), its pages in headless Chromium with the real xlwings client and custom-functions
code, and only Office's host objects stood in (officejs_standin.js plays Excel).

What a user sees is checked on the stand-in workbook: the sheets, values, highlighted cells,
notes and charts the real client wrote after our server answered.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import httpx
import pytest
from office_support import OFFICE_JS, SPEC_FUNCTIONS, AddinServer, OfficePage, Store

from xl_brm.addin.buttons import BUTTONS, FUNCTION_NAMESPACE, TAB_LABEL, TASKPANE_BUTTON_LABEL
from xl_brm.sheet_names import (
    BOARD_REPORT,
    COMPUTED,
    COMPUTED_COLUMNS,
    ISSUES,
    NATIONAL,
    SUMMARY,
    SUMMARY_TITLE,
)

OV = "{http://schemas.microsoft.com/office/taskpaneappversionoverrides}"
BT = "{http://schemas.microsoft.com/office/officeappbasictypes/1.0}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
RED = "#FFC7CE"


# -- what the pages load ----------------------------------------------------------------------


def _load_requests(browser: Any, url: str) -> list[tuple[str, str, int | None]]:
    """(resource type, url, status) of everything the page fetches, with the real office.js."""
    context = browser.new_context()
    # outside Excel the real office.js finds no host and xlwings' task pane would reload itself
    # up to three times: mark those attempts used so one load is recorded
    context.add_init_script("sessionStorage.setItem('xlwingsTaskpaneReloadCount', '3')")
    page = context.new_page()
    seen: list[tuple[str, str, int | None]] = []
    page.on(
        "requestfinished",
        lambda r: seen.append((r.resource_type, r.url, r.response().status if r.response() else None)),
    )
    page.on("requestfailed", lambda r: seen.append((r.resource_type, r.url, None)))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    context.close()
    return seen


def test_every_script_and_stylesheet_of_the_pages_comes_from_our_server(
    browser: Any, office_server: AddinServer
) -> None:
    seen = _load_requests(browser, office_server.url + "/taskpane.html")
    assets = sorted({(kind, url, status) for kind, url, status in seen if kind in ("script", "stylesheet")})
    report = "\n".join(f"{status} {kind:10} {url}" for kind, url, status in assets)
    everything = {f"{status} {kind:10} {url}" for kind, url, status in seen}
    others = "\n".join(sorted(everything - set(report.splitlines())))
    print(f"\nscripts and stylesheets of /taskpane.html (task pane and functions page):\n{report}")
    print(f"everything else it fetched:\n{others}")
    assert assets, "the page loaded nothing"
    for kind, url, status in assets:
        assert url.startswith(office_server.url + "/"), f"{kind} from elsewhere: {url}"
        assert status == 200, f"{url}: {status}"
    urls = {url.removeprefix(office_server.url) for _, url, _ in assets}
    # the xlwings client, the custom-functions code (shared runtime), vendored office.js, ours
    assert {
        "/static/js/custom-scripts/index.js",
        "/xlwings/custom-functions-code.js",
        "/static/js/ribbon.js",
        "/static/css/style.css",
    } <= urls
    assert any(re.fullmatch(OFFICE_JS.replace("**", "").replace("*", "[^/]+"), u) for u in urls)
    documents = {url for kind, url, _ in seen if kind == "document"}
    assert office_server.url + "/taskpane.html" in documents


def test_manifest_has_the_benefits_tab_with_its_six_buttons(office_server: AddinServer) -> None:
    response = httpx.get(office_server.url + "/manifest.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.text)
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{BT}String")}
    tab = next(root.iter(f"{OV}CustomTab"))
    assert strings[tab.find(f"{OV}Label").get("resid")] == TAB_LABEL
    controls = list(tab.iter(f"{OV}Control"))
    labels = [strings[c.find(f"{OV}Label").get("resid")] for c in controls]
    assert labels == [
        "Validate workbook",
        "Compute",
        "Board report",
        "Submit to national",
        "Pull national status",
        TASKPANE_BUTTON_LABEL,
    ]
    assert labels[:-1] == [b.label for b in BUTTONS]
    actions = [c.find(f"{OV}Action") for c in controls]
    assert [a.get(XSI_TYPE) for a in actions] == ["ExecuteFunction"] * len(BUTTONS) + ["ShowTaskpane"]
    assert [a.findtext(f"{OV}FunctionName") for a in actions[:-1]] == [b.action for b in BUTTONS]
    assert strings["Functions.Namespace"] == FUNCTION_NAMESPACE
    # every URL in the manifest is served by this server (icons are real PNGs)
    urls = sorted(set(re.findall(r'DefaultValue="(https?://[^"]+)"', response.text)))
    assert len(urls) > 10
    for url in urls:
        assert url.startswith(office_server.url.replace("127.0.0.1", "localhost")) or url.startswith(
            office_server.url
        ), url
        got = httpx.get(office_server.url + urlsplit(url).path)
        assert got.status_code == 200, url
        if url.endswith(".png"):
            assert got.content.startswith(b"\x89PNG")


def test_manifest_command_prints_the_served_manifest_for_a_public_address() -> None:
    addin_id = str(uuid.uuid4())
    command = [sys.executable, "-m", "xl_brm", "addin", "manifest", "--license-key", "noncommercial"]
    done = subprocess.run(
        [*command, "--public-url", "https://brm-addin.example.nhs.uk", "--id", addin_id],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    root = ET.fromstring(done.stdout.strip())
    assert root.findtext("{http://schemas.microsoft.com/office/appforoffice/1.1}Id") == addin_id
    urls = {u.get("DefaultValue") for u in root.iter(f"{BT}Url")}
    assert "https://brm-addin.example.nhs.uk/xlwings/custom-functions-code.js" in urls
    refused = subprocess.run(
        [*command, "--public-url", "http://brm-addin.example.nhs.uk"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2 and "https" in refused.stderr


def test_serve_refuses_without_a_licence_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from xl_brm.addin.office import OfficeSettings, environment
    from xl_brm.errors import XlBrmError

    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    with pytest.raises(XlBrmError, match="licence key") as refused:
        environment(OfficeSettings())
    assert "PolyForm Noncommercial" in (refused.value.hint or "")
    assert environment(OfficeSettings(license_key="noncommercial"))["XLWINGS_LICENSE_KEY"] == "noncommercial"


# -- cell functions through the custom-functions JavaScript -------------------------------------


def test_all_nine_functions_of_the_metadata_are_registered(
    office_page: OfficePage, office_server: AddinServer
) -> None:
    meta = httpx.get(office_server.url + "/xlwings/custom-functions-meta.json").json()
    ids = {f["id"] for f in meta["functions"]}
    assert ids == set(SPEC_FUNCTIONS)
    assert {f["name"] for f in meta["functions"]} == {i.removeprefix("BRM_") for i in ids}
    registered = office_page.page.evaluate("() => window.__standin.registeredFunctions()")
    assert sorted(registered) == sorted(ids)


def test_functions_called_through_the_javascript_give_the_hand_worked_figures(
    office_page: OfficePage,
) -> None:
    call = office_page.call
    # SPEC §5.3: £1,200 in 2019/20 and £2,400 in 2020/21, base 2019/20: 1,200 + 2,400 / 1.035
    pv = call("BRM_PV", [[1200], [2400]], [["2019/20 Q1"], ["2020/21 Q1"]], [["2019/20"]])["value"][0][0]
    assert round(pv, 2) == 3518.84
    # 1 April starts the NHS financial year: serials as Excel passes date cells
    assert call("BRM_FY", [[43556]])["value"] == [["2019/20"]]  # 01/04/2019
    assert call("BRM_FY", [[43921]])["value"] == [["2019/20"]]  # 31/03/2020
    assert call("BRM_FY", [[43922]])["value"] == [["2020/21"]]  # 01/04/2020
    # realised: baseline 100, actuals 90 and 80 (lower is better), 50% attributed, £50 a unit:
    # (10 + 20) x 50% x £50 = £750
    realised = call("BRM_REALISED", [[100]], [[90], [80]], [[50]], [[50]], [["decrease"]])
    assert realised["value"] == [[750.0]]
    assert call("BRM_IMPROVEMENT", [[95]], [[80]], [["decrease"]])["value"] == [[15.0]]
    assert call("BRM_PERIOD", [["Apr-19"]])["value"] == [["2019-04"]]
    assert call("BRM_RAG", [[80]], [[100]])["value"] == [["amber"]]  # 80% of plan
    issues = call("BRM_ISSUES", [["Benefit ID", "Title"], ["B-1", "Fewer errors"]])["value"]
    assert issues[0] == ["row", "column", "code", "severity", "message"]
    refused = call("BRM_FY", [["not a date"]])["value"][0][0]
    assert refused.startswith("Error: ") and "Traceback" not in refused


# -- the ribbon buttons, through the xlwings client, acting on the stand-in workbook ------------


def test_every_button_of_the_list_is_wired_in_the_page(office_page: OfficePage) -> None:
    """buttons.py is the one list: each entry is a ribbon action and a task-pane button."""
    associated = office_page.page.evaluate("() => window.__standin.associatedActions()")
    assert associated == [b.action for b in BUTTONS]
    script_of = "els => els.map(e => e.getAttribute('xw-click'))"
    scripts = office_page.page.eval_on_selector_all("[xw-click]", script_of)
    assert scripts == [b.script for b in BUTTONS]


def test_validate_lists_issues_and_highlights_the_planted_cells(
    office_page: OfficePage, examples: Path
) -> None:
    office_page.load(examples / "acute_gde_rj1.xlsx")
    office_page.click_ribbon("validate-workbook")
    book = office_page.dump()
    assert office_page.banner() is None
    assert book["active"] == ISSUES
    issues = office_page.sheet(ISSUES)
    assert issues["values"][0] == ["Sheet", "Cell", "Row", "Column", "Code", "Severity", "Message", "Value"]
    assert "A1" in issues["bold"]
    places = {(r[0], r[1]) for r in issues["values"][1:]}
    assert {("Benefits Register", "V7"), ("Benefits Register", "F11"), ("Monthly Data", "A165")} <= places
    register = office_page.sheet("Benefits Register")
    assert register["fills"]["F11"] == RED  # 'Cashable'
    assert register["notes"]["F11"].startswith("BRM204: Cash/Non-cash (benefit_type) 'Cashable'")


def test_validate_highlights_a_period_cell_of_a_wide_register(
    office_page: OfficePage, examples: Path
) -> None:
    """Figures kept a column per quarter (Office.js hands the headings over as they are): the
    note lands on the quarter's own cell, not on a row of a Measurements sheet that does not exist."""
    office_page.load(examples / "ambulance_wide_rx1.xlsx")
    office_page.click_ribbon("validate-workbook")
    assert office_page.banner() is None
    cells = {(r[0], r[1], r[4]) for r in office_page.sheet(ISSUES)["values"][1:]}
    assert {("Benefits Register", "AB4", "BRM407"), ("Benefits Register", "AC5", "BRM501")} <= cells
    register = office_page.sheet("Benefits Register")
    assert register["fills"]["AB4"] == RED
    assert register["notes"]["AB4"].startswith("BRM407: Q3 19/20 (value) 'TBC'")  # the quarter's heading


def test_validate_again_clears_what_was_fixed(office_page: OfficePage, examples: Path) -> None:
    office_page.load(examples / "acute_gde_rj1.xlsx")
    office_page.click_ribbon("validate-workbook")
    assert office_page.sheet("Benefits Register")["fills"]["F11"] == RED
    office_page.page.evaluate(
        """() => Excel.run(async (context) => {
            const sheet = context.workbook.worksheets.getItem("Benefits Register");
            sheet.getRange("F11").values = [["Cash releasing"]];
        })"""
    )
    office_page.click_ribbon("validate-workbook")
    register = office_page.sheet("Benefits Register")
    assert "F11" not in register["fills"] and "F11" not in register["notes"]
    assert register["fills"]["V7"] == RED  # still wrong, still shown
    assert [s["name"] for s in office_page.dump()["sheets"]].count(ISSUES) == 1  # reused


def test_validate_without_notes_support_still_highlights(office_page: OfficePage, examples: Path) -> None:
    office_page.page.evaluate("() => window.__standin.setRequirement('ExcelApi', 1.17)")
    office_page.load(examples / "acute_gde_rj1.xlsx")
    office_page.click_ribbon("validate-workbook")
    register = office_page.sheet("Benefits Register")
    assert register["fills"]["F11"] == RED and register["notes"] == {}


def test_the_task_pane_buttons_run_the_same_scripts(office_page: OfficePage, examples: Path) -> None:
    office_page.load(examples / "acute_gde_rj1.xlsx")
    office_page.page.click("text=Validate workbook")
    office_page.page.wait_for_function("() => window.__standin.dump().active === 'Issues'")
    assert office_page.sheet("Benefits Register")["fills"]["F11"] == RED


def test_compute_fills_computed_and_a_summary_charting_money(office_page: OfficePage, examples: Path) -> None:
    from xl_brm.api import load
    from xl_brm.charts import VALUE_LABELS
    from xl_brm.computation import compute
    from xl_brm.periods import parse_period

    path = examples / "community_taj.xlsx"
    office_page.load(path, settings={"as_of": "2020-03"})
    office_page.click_ribbon("compute")
    assert office_page.banner() is None
    names = [s["name"] for s in office_page.dump()["sheets"]]
    assert COMPUTED in names and SUMMARY in names and not {"BRM Computed", "BRM Summary"} & set(names)
    computed = office_page.sheet(COMPUTED)["values"]
    assert computed[0] == list(COMPUTED_COLUMNS)
    _, validation = load(path)
    computation = compute(validation, as_of=parse_period("2020-03"))
    assert len(computed) == 1 + len(computation.figures)
    blocked = 0
    for fig, row in zip(computation.figures, computed[1:], strict=True):
        got = dict(zip(COMPUTED_COLUMNS, row, strict=True))
        # the same row as `xl-brm compute --out` writes: figures, title, and "blocked: fix ..."
        assert got == {k: ("" if v is None else v) for k, v in computation.sheet_row(fig).items()}
        assert got["is_disbenefit"] == ("Yes" if fig.is_disbenefit else "No")
        blocked += str(got["rag"]).startswith("blocked: fix BRM")
    assert blocked == len(computation.blocked) > 0  # the example's planted errors block a RAG
    summary = office_page.sheet(SUMMARY)
    assert summary["values"][0][0] == SUMMARY_TITLE
    (chart,) = summary["charts"]
    assert chart["chartType"] == "Line"
    # the chart's source is the £ table: Period then planned/realised £, nothing in other units
    top, bottom = re.fullmatch(r"'?Summary'?!\$?A\$?(\d+):\$?E\$?(\d+)", chart["source"]).groups()
    header = summary["values"][int(top) - 1]
    assert header[:5] == ["Period", *VALUE_LABELS] and all("(£)" in h for h in header[1:5])
    assert int(bottom) > int(top)


def test_board_report_writes_the_report_and_a_sheet_with_its_headline(
    office_page: OfficePage, office_server: AddinServer, examples: Path
) -> None:
    """The button's click travels through the real JavaScript to the server: the report is
    written there (XL_BRM_REPORT_DIR) and the workbook gets its headline, equal to compute's."""
    from xl_brm.api import load
    from xl_brm.computation import compute
    from xl_brm.enums import BenefitType
    from xl_brm.periods import parse_period

    path = examples / "community_taj.xlsx"
    office_page.load(path, settings={"as_of": "2020-09"})
    office_page.click_ribbon("board-report")
    assert office_page.banner() is None
    assert office_page.dump()["active"] == BOARD_REPORT
    values = office_page.sheet(BOARD_REPORT)["values"]
    assert values[0][:2] == [BOARD_REPORT, "Benefits realisation: board report for TAJ"]
    header = next(i for i, row in enumerate(values) if row[0] == "Benefit type")
    columns = values[header]
    cash = dict(zip(columns, next(r for r in values[header:] if r[0] == "Cash-releasing"), strict=True))
    _, validation = load(path)
    figures = compute(validation, as_of=parse_period("2020-09")).figures
    expected = sum(
        f.to_json()["realised_value_gbp"] or 0
        for f in figures
        if f.benefit_type is BenefitType.CASH_RELEASING and not f.is_disbenefit
    )
    assert cash["Realised to date (£)"] == pytest.approx(expected, abs=0.005)
    assert any(str(row[0]).startswith("Project") for row in values)  # RAG by project follows
    folder = office_server.log.parent / "reports"
    written = [Path(row[0]) for row in values if str(row[0]).startswith(str(folder))]
    assert [p.name for p in written] == ["community_taj board report.html", "community_taj board report.pdf"]
    assert "board report for TAJ" in written[0].read_text(encoding="utf-8")
    assert written[1].read_bytes().startswith(b"%PDF")


def test_a_trusts_own_summary_sheet_is_left_alone(
    office_page: OfficePage, examples: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "own_summary.xlsx"
    wb = load_workbook(examples / "community_taj.xlsx")
    wb.create_sheet("Summary")["A1"] = "Our board's own summary"
    wb.save(path)
    office_page.load(path)
    office_page.click_ribbon("compute")
    assert office_page.sheet("Summary")["values"] == [["Our board's own summary"]]
    assert office_page.sheet("Summary (xl-brm)")["values"][0][0] == SUMMARY_TITLE


def _clean_register(folder: Path, name: str, prefix: str, *, trust: str = "RJ1") -> Path:
    """A register with two approved qualitative benefits and a draft, no errors."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(
        [
            "Benefit ID",
            "Trust ODS",
            "Programme",
            "Project",
            "Title",
            "Benefit Type",
            "Category",
            "Benefit Owner",
            "Approval Status",
            "Approved By",
            "Approved On",
            "Evidence",
        ]
    )
    for i in (1, 2):
        ws.append(
            [
                f"{prefix}-{i}",
                trust,
                "GDE",
                "EPMA",
                f"Safer culture {i}",
                "Qualitative",
                "Safety",
                "Director of Nursing",
                "Approved",
                "Board",
                "15/01/2020",
                "Staff survey, Jan 2020",
            ]
        )
    ws.append([f"{prefix}-3", trust, "GDE", "EPMA", "Draft idea", "Qualitative", "Safety", "Lead", "Draft"])
    path = folder / name
    wb.save(path)
    return path


def _held(store: Store) -> dict[str, Any]:
    response = httpx.get(
        f"{store.url}/v1/trusts/RJ1/benefits", headers={"Authorization": f"Bearer {store.token}"}
    )
    assert response.status_code == 200
    return {b["benefit_id"]: b for b in response.json()["benefits"]}


def _status_rows(sheet: dict[str, Any]) -> dict[str, list[Any]]:
    rows = sheet["values"]
    start = next(i for i, r in enumerate(rows) if r[0] == "benefit_id") + 1
    return {r[0]: r for r in rows[start:] if r[0]}


def test_submit_and_pull_against_the_national_store(
    office_page: OfficePage, national_store: Store, tmp_path: Path
) -> None:
    office_page.load(_clean_register(tmp_path, "submit-pull.xlsx", "SP"))
    office_page.click_ribbon("submit-to-national")
    assert office_page.banner() is None
    status = office_page.sheet(NATIONAL)
    assert status["values"][0][0] == NATIONAL
    rows = _status_rows(status)
    assert rows["SP-1"][1:4] == [2, "accepted", 1] and rows["SP-2"][2] == "accepted"
    assert "SP-3" not in rows  # a draft is never sent
    assert {"SP-1", "SP-2"} <= set(_held(national_store))
    office_page.click_ribbon("submit-to-national")  # nothing changed: nothing sent twice
    assert {k: v[2] for k, v in _status_rows(office_page.sheet(NATIONAL)).items()} == {
        "SP-1": "unchanged",
        "SP-2": "unchanged",
    }
    office_page.click_ribbon("pull-national-status")
    pulled = office_page.sheet(NATIONAL)["values"]
    start = next(i for i, r in enumerate(pulled) if r[0] == "benefit_id") + 1
    assert {r[0]: r[1] for r in pulled[start:] if r[0]} == {
        "SP-1": "in sync",
        "SP-2": "in sync",
        "SP-3": "not approved",
    }


def test_an_error_blocks_submission_and_its_cell_is_highlighted(
    office_page: OfficePage, national_store: Store, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = _clean_register(tmp_path, "blocked.xlsx", "BL")
    wb = load_workbook(path)
    wb["Benefits"]["F3"] = "Cashable"  # BL-2's benefit type
    wb.save(path)
    office_page.load(path)
    office_page.click_ribbon("submit-to-national")
    assert office_page.sheet("Benefits")["fills"]["F3"] == RED
    assert office_page.sheet(NATIONAL)["values"][2][0] == "Submission blocked"
    assert office_page.dump()["active"] == ISSUES
    assert not {"BL-1", "BL-2"} & set(_held(national_store))  # nothing reached the store


# -- failures are shown, never swallowed ----------------------------------------------------------


def test_a_national_store_that_refuses_is_told_to_the_user(
    office_page: OfficePage, office_server: AddinServer, tmp_path: Path
) -> None:
    # the token the server holds is RJ1's, the workbook is RRV's: the store refuses at once (a
    # store that is down gets the same message box, after the sync client's bounded retries)
    office_page.load(_clean_register(tmp_path, "refused.xlsx", "RF", trust="RRV"))
    office_page.click_ribbon("submit-to-national")
    (dialog,) = office_page.page.evaluate("() => window.__standin.dialogs")
    assert dialog.startswith(office_server.url + "/xlwings/alert?")
    query = parse_qs(urlsplit(dialog).query)
    assert query["title"] == ["xl-brm"]
    message = query["prompt"][0]
    print(f"\nthe message box says: {message}")
    assert "national" in message.lower()
    shown = httpx.get(dialog)  # the dialog Excel opens: our server renders the message
    assert shown.status_code == 200
    assert html.escape(message.splitlines()[0], quote=False) in shown.text


def test_an_unreachable_addin_server_is_told_to_the_user(office_page: OfficePage, examples: Path) -> None:
    office_page.load(examples / "acute_gde_rj1.xlsx")
    office_page.page.route("**/xlwings/custom-scripts-call/**", lambda r: r.abort("connectionrefused"))
    office_page.click_ribbon("validate-workbook")
    assert office_page.banner() == "No response received from server"
    assert office_page.page.evaluate("() => window.__standin.taskpaneShown") == 1
    assert ISSUES not in [s["name"] for s in office_page.dump()["sheets"]]


# -- the real client's request, read as the saved file is read -----------------------------------


def _client_payload(office_page: OfficePage, path: Path) -> dict[str, Any]:
    """What the xlwings client posts for `path` open in Excel (its own getBookData)."""
    office_page.load(path)
    payload: dict[str, Any] = office_page.page.evaluate("() => xlwings.getBookData()")
    return payload


def _parts(raw: Any) -> str:
    """Everything but the path; repr so that 4 and 4.0 or a date and a datetime differ."""
    return repr((raw.tables, raw.settings, raw.findings))


def test_the_example_registers_read_as_their_files(
    office_page: OfficePage, xlwings_server: Any, examples: Path
) -> None:
    from xl_brm.addin.book import book_to_raw
    from xl_brm.reader import read_workbook

    for path in sorted(examples.glob("*.xlsx")):
        raw = book_to_raw(xlwings_server.Book(json=_client_payload(office_page, path)))
        assert raw.path == path.name
        assert _parts(raw) == _parts(read_workbook(path))


def test_a_used_range_away_from_a1_keeps_excel_rows_and_letters(
    office_page: OfficePage, xlwings_server: Any, tmp_path: Path
) -> None:
    import openpyxl

    from xl_brm.addin.book import book_to_raw
    from xl_brm.reader import read_workbook

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Measurements"
    ws["C5"], ws["D5"], ws["E5"] = "Benefit ID", "Month", "Actual"
    ws["C6"], ws["D6"], ws["E6"] = "B1", "2019-10", 4
    ws["C8"], ws["D8"], ws["E8"] = "B1", "2019-11", 5
    wb.save(tmp_path / "offset.xlsx")
    payload = _client_payload(office_page, tmp_path / "offset.xlsx")
    assert payload["sheets"][0]["used_range_address"] == "C5:E8"
    raw = book_to_raw(xlwings_server.Book(json=payload))
    table = raw.tables["Measurements"]
    assert table.header_row == 5
    assert [c.letter for c in table.columns] == ["C", "D", "E"]
    rows = [(r.row, r.values) for r in table.rows]
    assert rows == [(6, ("B1", "2019-10", 4.0)), (8, ("B1", "2019-11", 5.0))]
    assert _parts(raw) == _parts(read_workbook(tmp_path / "offset.xlsx"))


def test_a_book_with_only_the_add_ins_own_sheets_has_no_benefits_sheet(
    office_page: OfficePage, xlwings_server: Any, tmp_path: Path
) -> None:
    import openpyxl

    from xl_brm.addin.book import book_to_raw

    wb = openpyxl.Workbook()
    wb.active.title = ISSUES
    wb.active.append(["Sheet", "Cell", "Row"])
    wb.save(tmp_path / "issues_only.xlsx")
    raw = book_to_raw(xlwings_server.Book(json=_client_payload(office_page, tmp_path / "issues_only.xlsx")))
    assert raw.tables == {}
    assert [f.code for f in raw.findings] == ["BRM105"]
