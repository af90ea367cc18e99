"""The BRM cell functions through xlwings' Office.js machinery (`custom_functions_call`), with
payloads shaped as Excel sends them, and the same functions called as desktop Excel calls them."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "custom_functions_meta.json"


def office_call(functions: ModuleType, name: str, *args: Any, runtime: str = "1.4") -> Any:
    """Call a function the way the add-in's custom-functions code posts it: every argument a
    2-D array (a matrix parameter), omitted optional arguments as null."""
    import xlwings
    import xlwings.server as xws

    data = {
        "func_name": name,
        "args": list(args),
        "caller_address": "Microsoft Excel[register.xlsx]Benefits!Z2",
        "content_language": "en-GB",
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": runtime,
    }
    result = asyncio.run(xws.custom_functions_call(data, functions))
    return result


def test_metadata_matches_snapshot(functions: ModuleType) -> None:
    import xlwings.server as xws

    meta = xws.custom_functions_meta(functions)
    if not SNAPSHOT.exists():  # first run writes it; review and commit
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert meta == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_metadata_names_optional_parameters_and_help(functions: ModuleType) -> None:
    import xlwings.server as xws

    meta = {f["id"]: f for f in xws.custom_functions_meta(functions)["functions"]}
    assert sorted(meta) == sorted(functions.__all__)
    # Under the manifest's namespace BRM these are BRM.VALIDATE, BRM.ISSUES, ...
    assert {f["name"] for f in meta.values()} == {n.removeprefix("BRM_") for n in functions.__all__}
    realised = meta["BRM_REALISED"]
    assert [p["name"] for p in realised["parameters"]] == [
        "baseline",
        "actuals",
        "unit_value",
        "attribution_pct",
        "direction",
    ]
    assert [p.get("optional", False) for p in realised["parameters"]] == [False, False, False, True, True]
    assert not any(p.get("repeating") for f in meta.values() for p in f["parameters"])
    assert all(
        p["description"] and not p["description"].startswith("Positional argument")
        for f in meta.values()
        for p in f["parameters"]
    )
    assert meta["BRM_PV"]["description"].startswith("Present value")


def test_validate_row_ok_and_issues(functions: ModuleType) -> None:
    headers = [
        [
            "Benefit Ref",
            "Trust ODS",
            "Programme",
            "Project",
            "Title",
            "Type",
            "Category",
            "Owner",
            "Status",
            "Baseline",
        ]
    ]
    good = [["EPMA-01", "RJ1", "GDE", "EPMA", "Audit culture", "Qualitative", "Safety", "Me", "Draft", ""]]
    bad = [["EPMA-02", "RJ1", "GDE", "EPMA", "Fewer errors", "Quantitative", "Safety", "Me", "Draft", "n/a"]]
    assert office_call(functions, "BRM_VALIDATE", good, headers) == [["OK"]]
    [[text]] = office_call(functions, "BRM_VALIDATE", bad, headers)
    # the message names the heading given, with our field in brackets
    assert text.startswith("BRM201 error: Baseline (baseline_value) 'n/a' is not a number")
    # desktop Excel hands the same row over with None for blanks
    desktop = functions.BRM_VALIDATE([v or None for v in good[0]], headers[0])
    assert desktop == "OK"


def test_issues_spills_a_table_with_a_header(functions: ModuleType) -> None:
    table = [
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
        ],
        ["Q-1", "RJ1", "GDE", "EPMA", "Culture", "Qualitative", "Safety", "Lead", "Draft"],
        ["Q-2", "RJ1", "GDE", "EPMA", "Culture", "Cashable", "Safety", "Lead", "Draft"],
        ["", "", "", "", "", "", "", "", ""],
        ["Total", "", "", "", "", "", "", "", ""],
    ]
    result = office_call(functions, "BRM_ISSUES", table)
    assert result[0] == ["row", "column", "code", "severity", "message"]
    assert [r[:4] for r in result[1:]] == [[3, "benefit_type", "BRM204", "error"]]
    clean = office_call(functions, "BRM_ISSUES", table[:2])
    assert clean == [["row", "column", "code", "severity", "message"], ["", "", "", "", "No issues found"]]


def test_issues_read_office_value_objects_like_plain_cells(functions: ModuleType) -> None:
    from xl_brm.addin import cells

    header = ["Benefit ID", "Trust ODS", "Programme", "Project", "Title", "Benefit Type", "Category",
              "Benefit Owner", "Approval Status", "Baseline"]  # fmt: skip
    common = ["RJ1", "GDE", "EPMA", "Culture"]
    plain = [
        header,
        ["Q-1", *common, "Qualitative", "Safety", "Lead", "Draft", 120],
        ["Q-2", *common, "Cashable", "Safety", "Lead", "Draft", "#N/A"],
    ]
    assert cells.reader_rows(plain) is plain  # plain cells go to the reader as they are
    rich = [list(row) for row in plain]
    rich[1][9] = {"type": "Double", "basicValue": 120}
    rich[2][9] = {"type": "Error", "errorType": "NotAvailable", "basicValue": "#N/A"}
    assert cells.reader_rows(rich)[1:] == [plain[1], plain[2]]
    issues = functions.BRM_ISSUES(plain)
    assert [r[:3] for r in issues[1:]] == [[3, "benefit_type", "BRM204"], [3, "baseline_value", "BRM213"]]
    assert functions.BRM_ISSUES(rich) == issues
    assert functions.BRM_ISSUES([tuple(row) for row in plain]) == issues  # desktop's tuples


def test_blanks_ints_serial_dates_and_text_numbers(functions: ModuleType) -> None:
    # Office.js: ints, "" for blanks, date serials; desktop: floats, None, datetimes
    assert office_call(functions, "BRM_BASELINE", [[100], [""], [110], ["120"]], None) == [[110.0]]
    assert functions.BRM_BASELINE([[100.0], [None], [110.0], ["120"]]) == 110.0
    assert office_call(functions, "BRM_BASELINE", [[1], [2], [9]], [["median"]]) == [[2.0]]
    assert office_call(functions, "BRM_FY", [[43921]]) == [["2019/20"]]  # 31/03/2020
    assert office_call(functions, "BRM_FY", [[43922]]) == [["2020/21"]]  # 01/04/2020
    assert functions.BRM_FY(datetime(2020, 3, 31)) == "2019/20"
    assert office_call(functions, "BRM_FY", [["31/03/2020"]]) == [["2019/20"]]
    assert office_call(functions, "BRM_PERIOD", [["Apr-19"]]) == [["2019-04"]]
    assert office_call(functions, "BRM_PERIOD", [["Q1 2019/20"]]) == [["2019/20 Q1"]]
    assert office_call(functions, "BRM_PERIOD", [[43556]]) == [["2019-04"]]
    assert functions.BRM_PERIOD(datetime(2019, 4, 1)) == "2019-04"
    assert office_call(functions, "BRM_IMPROVEMENT", [["£120"]], [[95]], [["Lower is better"]]) == [[25.0]]


def test_same_answer_for_an_empty_cell_in_both_runtimes(functions: ModuleType) -> None:
    # Office.js passes 0 for a reference to an empty cell, desktop passes None
    office = office_call(functions, "BRM_PERIOD", [[0]])
    desktop = functions.BRM_PERIOD(None)
    assert office == [[desktop]]
    assert desktop == "Error: the period is blank — give a month such as 2019-04"
    assert office_call(functions, "BRM_FY", [[0]]) == [[functions.BRM_FY(None)]]


def test_worked_examples(functions: ModuleType) -> None:
    # SPEC §5.3: £1,200 in 2019/20 and £2,400 in 2020/21, base 2019/20 -> £3,518.84
    [[pv]] = office_call(functions, "BRM_PV", [[1200], [2400]], [["2019-10"], ["2020-05"]], [["2019/20"]])
    assert round(pv, 2) == 3518.84
    # baseline 120 errors, actuals 100 and 90, lower is better, 80% attributed, £35 each:
    # (20 + 30) x 0.8 x 35 = £1,400
    [[value]] = office_call(
        functions, "BRM_REALISED", [[120]], [[100], [90], [""]], [[35]], [[80]], [["decrease"]]
    )
    assert value == pytest.approx(1400.0)
    assert functions.BRM_REALISED(120.0, [[100.0], [90.0], [None]], 35.0, 0.8, "decrease") == pytest.approx(
        1400.0
    )
    # blank unit value: the realised quantity (40 errors avoided)
    assert office_call(functions, "BRM_REALISED", [[120]], [[100], [90]], [[""]], [[80]], [["decrease"]]) == [
        [40.0]
    ]
    assert office_call(functions, "BRM_RAG", [[95]], [[100]]) == [["green"]]
    assert office_call(functions, "BRM_RAG", [[75]], [[100]]) == [["amber"]]
    assert office_call(functions, "BRM_RAG", [[10], [20]], [[100]]) == [["red"]]
    assert office_call(functions, "BRM_IMPROVEMENT", [[120]], [[95, 130]], [["increase"]]) == [[-25.0, 10.0]]


def test_refusals_are_text_never_a_traceback(functions: ModuleType) -> None:
    for name, args in [
        ("BRM_IMPROVEMENT", ([["n/a"]], [[95]], [["decrease"]])),
        ("BRM_IMPROVEMENT", ([[120]], [[95]], [["sideways"]])),
        ("BRM_BASELINE", ([["a"], [1]], None)),
        ("BRM_PV", ([[1], [2]], [["2019-10"]], None)),
        ("BRM_REALISED", ([[1]], [[2]], [[3]], [[150]], None)),
        ("BRM_PERIOD", ([["Smarch 2019"]],)),
    ]:
        [[text]] = office_call(functions, name, *args)
        assert isinstance(text, str) and text.startswith("Error: "), (name, text)
        assert "Traceback" not in text


def test_results_use_excel_number_and_text_types(functions: ModuleType) -> None:
    # runtime 1.1 (older Excel) gets plain values too
    assert office_call(functions, "BRM_RAG", [[1]], [[1]], runtime="1.1") == [["green"]]


def test_cell_functions_match_the_calculations_for_a_benefit(functions: ModuleType) -> None:
    """BRM_REALISED and BRM_PV over a benefit's periods give compute_register's figures."""
    from datetime import date

    from xl_brm.calc import compute_register
    from xl_brm.model import Benefit, Measurement, Register
    from xl_brm.periods import Period

    benefit = Benefit(
        benefit_id="E-1",
        trust_ods="RJ1",
        programme="GDE",
        project="EPMA",
        title="Errors",
        benefit_type="cash_releasing",
        category="safety_quality",
        measure="errors",
        unit="count",
        direction="decrease",
        baseline_value=120.0,
        target_value=60.0,
        target_date=date(2021, 3, 31),
        realisation_start=date(2019, 10, 1),
        unit_value_gbp=35.0,
        attribution_pct=80.0,
        benefit_owner="Pharmacist",
        approval_status="draft",
    )
    months = [Period.month(2019, 10).shift(i) for i in range(8)]
    actuals = [110.0, 104.0, 99.0, 95.0, 90.0, 88.0, 80.0, 76.0]
    register = Register(
        benefits=[benefit],
        measurements={
            "E-1": [
                Measurement(benefit_id="E-1", period=p, value=a) for p, a in zip(months, actuals, strict=True)
            ]
        },
    )
    [fig] = compute_register(register, as_of=Period.month(2020, 5))
    [[value]] = office_call(
        functions, "BRM_REALISED", [[120]], [[a] for a in actuals], [[35]], [[80]], [["decrease"]]
    )
    assert value == pytest.approx(fig.realised_value_gbp)
    values = [(120 - a) * 0.8 * 35 for a in actuals]
    [[pv]] = office_call(
        functions, "BRM_PV", [[v] for v in values], [[str(p)] for p in months], [["2019/20"]]
    )
    assert pv == pytest.approx(fig.pv_gbp)
