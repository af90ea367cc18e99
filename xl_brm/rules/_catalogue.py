"""The rule catalogue (SPEC §6): every rule xl-brm applies, defined once.

Families: BRM1xx structure (the reader), BRM2xx cell, BRM3xx row, BRM4xx table, BRM5xx
plausibility. Codes are permanent: a retired rule stays here marked retired in its title and
its code is never given to another rule. `RULES_VERSION` changes whenever a code or severity
changes, or `RULES_REVISION` is bumped because what a rule checks changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from xl_brm.findings import Finding
from xl_brm.rules._rule import Rule

RULES_SERIES = "2026.11"
"""The release line of the catalogue; the version adds a hash of what the rules are."""

RULES_REVISION = 2
"""Bump when what a rule checks changes without its code or severity changing."""

_ALL: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- BRM1xx structure
    Rule(
        code="BRM100",
        slug="file-unreadable",
        severity="error",
        title="The file cannot be read",
        message="{detail}",
        fix="Open the file in Excel, check it is a normal .xlsx workbook (not password-protected, "
        "not a shortcut or a corrupt download) and save it again.",
        why="A file that cannot be read contributes nothing to the register; when one file of a "
        "folder fails, the others are still checked and this finding says which one and why.",
        bad_example="register.xlsx is password-protected, or is a renamed .csv file.",
        good_example="register.xlsx saved from Excel as an Excel Workbook (*.xlsx).",
    ),
    Rule(
        code="BRM101",
        slug="required-column-missing",
        severity="error",
        title="A required column is missing",
        message="Sheet '{sheet}' has no column for the required field {column}; add one, or map "
        "your own header to it with `xl-brm map`",
        fix="Add a column for the field, or save a header mapping (`xl-brm map FILE`) that names "
        "which of your columns holds it. trust_ods and programme can instead come from "
        "`--trust`/`--programme` or a `BRM Settings` sheet.",
        why="The national core fields are the minimum every trust reports; without the column "
        "no row can be checked or submitted.",
        bad_example="A Benefits sheet with columns Ref, Title, Owner but no benefit type.",
        good_example="A Benefits sheet with a 'Benefit Type' column (or a mapping to your 'Class' column).",
    ),
    Rule(
        code="BRM102",
        slug="duplicate-column",
        severity="error",
        title="Two columns map to the same field",
        message="Sheet '{sheet}': columns {header} and {other} both map to {column}; rename one, "
        "or say which one to use with `xl-brm map`",
        fix="Rename or remove one of the columns, or save a header mapping that names the one to use.",
        why="With two candidate columns, which value counts would be a guess; guessing silently "
        "could submit the wrong figure.",
        bad_example="Columns 'Baseline' and 'Baseline Value' in the same sheet.",
        good_example="One 'Baseline Value' column; the other renamed 'Baseline (old method)'.",
    ),
    Rule(
        code="BRM103",
        slug="header-row-not-found",
        severity="error",
        title="No header row found",
        message="Sheet '{sheet}' has no row that looks like column headers; put the column names "
        "(e.g. Benefit ID, Title, Benefit Type) in one row above the data",
        fix="Make sure one row holds the column names, above the data, with at least the "
        "benefit ID and title columns named recognisably, or save a header mapping.",
        why="Without a header row no column can be matched to a field, so nothing can be read.",
        bad_example="A sheet whose headers are split over two merged rows ('Benefit' / 'ID').",
        good_example="A single header row: Benefit ID | Title | Benefit Type | ...",
    ),
    Rule(
        code="BRM104",
        slug="empty-sheet",
        severity="info",
        title="A sheet has no data rows",
        message="Sheet '{sheet}' has headers but no data rows",
        fix="Add rows, or ignore this if the sheet is deliberately empty (e.g. no measurements yet).",
        why="An empty register or measurements sheet may be the wrong sheet or a filter left "
        "on, and would report nothing; but a new register or a blank template is empty too, so "
        "this is said as information, not as a warning.",
        bad_example="A Measurements sheet with only its header row.",
        good_example="A Measurements sheet with one row per benefit per period.",
    ),
    Rule(
        code="BRM105",
        slug="required-sheet-missing",
        severity="error",
        title="A required sheet is missing",
        message="The workbook has no {expected} sheet; name the sheet '{expected}' or map it "
        "with `xl-brm map`",
        fix="Rename your register sheet 'Benefits' (or a known synonym such as 'Benefits "
        "Register'), or save a mapping that names it.",
        why="The benefit register is the one sheet every check and calculation starts from.",
        bad_example="A workbook whose only sheet is 'Sheet1'.",
        good_example="A workbook with sheets 'Benefits' and 'Measurements'.",
    ),
    Rule(
        code="BRM106",
        slug="formula-without-value",
        severity="error",
        title="A formula cell has no saved result",
        message="{column} holds the formula {value} but no saved result; open the file in Excel "
        "and save it so the result is stored",
        fix="Open the workbook in Excel (which recalculates it) and save it; or type the value.",
        why="Files written by scripts store formulas without results. Reading such a cell as "
        "blank would silently drop a value the trust can see on screen.",
        bad_example="A baseline_value cell `=AVERAGE(M4:M9)` written by a script, never opened in Excel.",
        good_example="The same formula after the file was opened and saved in Excel (its "
        "result, 118.5, is stored with it).",
    ),
    Rule(
        code="BRM107",
        slug="sheet-not-read",
        severity="info",
        title="A sheet of data is not read",
        message="Sheet '{sheet}' holds data but is not read: {reason}. If it holds benefits, "
        "measurements or a trajectory, name it in a header mapping ({how})",
        fix="Nothing, if the sheet is the trust's own (a risk log, lists for dropdowns). If it holds "
        "measurements or a plan, save a mapping with `xl-brm map FILE` and add a section naming "
        "the sheet, e.g. `[Measurements: Tracking 2020-21]` with a line per column, then validate "
        "with `--mapping`.",
        why="No sheet of data is ignored silently: figures kept on a sheet xl-brm does not read "
        "would be missing from every total without anyone noticing.",
        bad_example="A second measurements sheet 'Actuals 2020-21' beside 'Actuals 2019-20'.",
        good_example="Both sheets named in the mapping, or one sheet per kind.",
    ),
    Rule(
        code="BRM108",
        slug="period-column-not-read",
        severity="warning",
        title="A column that looks like a period is not read",
        message="Column '{value}' holds numbers under a heading that looks like a period but is "
        "not a month or quarter xl-brm can place, so its figures are not read; head it with the "
        "year (Apr-19, Q1 19/20) or map it (`{value} = 2019/20 Q1` in a mapping file)",
        fix="Write the period with its year in the heading (Apr-19, 2019-04, Q1 19/20, a real "
        "date), or save a mapping with `xl-brm map` and give the column its period: "
        "`Q1 = 2019/20 Q1`. Annual columns (2019/20) are not periods: put the figures in months "
        "or quarters.",
        why="Figures under a heading without a year cannot be placed in time; reading them as "
        "some year would be a guess, and ignoring them silently would lose them.",
        bad_example="Columns 'Q1', 'Q2', 'Q3', 'Q4' of numbers to the right of the register.",
        good_example="Columns 'Q1 19/20', 'Q2 19/20', ... (or 'Apr-19', 'May-19', ...).",
    ),
    Rule(
        code="BRM109",
        slug="rows-of-another-type-not-read",
        severity="info",
        title="Rows that are neither actuals nor plan are not read",
        message="{count} rows marked {kinds} in column '{value}' are not read: only actual and "
        "plan rows are",
        fix="Nothing, if those rows are worked out from the others (a forecast, a variance). "
        "Mark rows of measured figures 'Actual' and planned ones 'Plan'.",
        why="A tracker often keeps plan, actual, forecast and variance rows per benefit; xl-brm "
        "reads actuals as measurements and the plan as the trajectory, and works out the rest.",
        bad_example="A 'Type' column with 'Forecast' rows whose figures are expected to count.",
        good_example="'Actual' and 'Plan' rows; forecasts kept as the trust's own rows.",
    ),
    # ---------------------------------------------------------------- BRM2xx cell
    Rule(
        code="BRM201",
        slug="not-a-number",
        severity="error",
        title="Not a number",
        message="{column} '{value}' is not a number; type a number such as 120 (or £1,200.50), "
        "or leave the cell blank",
        fix="Type a plain number. Thousands separators, a £ sign and a trailing % are accepted; "
        "words such as 'n/a' or 'TBC' are not: leave the cell blank instead.",
        why="Baselines, targets and values feed the calculations; a word in a number cell would "
        "be dropped or, worse, read as zero by another tool.",
        bad_example="baseline_value: `n/a`",
        good_example="baseline_value: `120` (or leave blank until baselined)",
    ),
    Rule(
        code="BRM202",
        slug="invalid-date",
        severity="error",
        title="Not a valid date",
        message="{column} '{value}' is not a valid date{reason}; write it day-first as "
        "dd/mm/yyyy, e.g. 31/03/2021",
        fix="Type a real date, day first (dd/mm/yyyy), or use an Excel date cell.",
        why="Dates decide which periods count, the baseline window and the plan; a date that "
        "does not exist (31/02/2020) or is written month-first (12/31/2020) cannot be placed.",
        bad_example="target_date: `31/02/2020` or `12/31/2020`",
        good_example="target_date: `31/03/2021`",
    ),
    Rule(
        code="BRM203",
        slug="ambiguous-date",
        severity="warning",
        title="A date could be month-first",
        message="{column} '{value}' was read day-first as {reading}, but this sheet also has "
        "dates that only make sense month-first (US style); check it and write it as "
        "{suggestion}",
        fix="Check the date and retype it unambiguously: as an Excel date cell, as yyyy-mm-dd, "
        "or with the month in words (2 Aug 2019).",
        why="Text dates are read day-first (UK). When the same sheet has a date such as "
        "12/31/2020 that only works month-first, the other text dates were probably typed "
        "month-first too, and 02/08/2019 may mean 8 February rather than 2 August.",
        bad_example="`02/08/2019` in a sheet that also has `12/31/2020`",
        good_example="`2019-08-02`, `2 Aug 2019`, or an Excel date cell",
    ),
    Rule(
        code="BRM204",
        slug="unknown-enum-value",
        severity="error",
        title="Not one of the allowed values",
        message="{column} '{value}' is not a known value; use one of: {allowed}",
        fix="Pick one of the listed values (the template's dropdowns offer them). Common "
        "spellings such as 'Cash releasing', 'CRB' or 'Signed off' are accepted.",
        why="National totals are split by these values; an unknown one cannot be counted in any of them.",
        bad_example="benefit_type: `Financial (maybe)`",
        good_example="benefit_type: `Cash releasing` (read as cash_releasing)",
    ),
    Rule(
        code="BRM205",
        slug="malformed-ods-code",
        severity="error",
        title="Not an ODS code",
        message="{column} '{value}' is not an ODS code; use the trust's 3-5 letter/digit code, e.g. RJ1",
        fix="Type the trust's ODS code (3-5 letters or digits, e.g. RJ1, RRV, TAJ), or set it "
        "once for the workbook with `--trust` or a `BRM Settings` sheet. Lower case is "
        "accepted and upper-cased.",
        why="The ODS code is how the national store knows which trust a benefit belongs to.",
        bad_example="trust_ods: `Guy's and St Thomas'`",
        good_example="trust_ods: `RJ1`",
    ),
    Rule(
        code="BRM206",
        slug="percent-out-of-range",
        severity="error",
        title="Percentage outside 0-100",
        message="{column} {value} is outside 0-100%",
        fix="Type a share between 0% and 100%.",
        why="Attribution is the share of a change credited to the initiative; more than 100% or "
        "less than 0% would invent or reverse benefits.",
        bad_example="attribution_pct: `120%`",
        good_example="attribution_pct: `80%`",
    ),
    Rule(
        code="BRM207",
        slug="ambiguous-percent",
        severity="warning",
        title="A percentage could be a fraction",
        message="{column} {value} was read as a fraction, i.e. {reading}%; type {reading}% if "
        "that is right, or {value}% if you meant {value} per cent",
        fix="Type the percentage with its % sign (80%), or as a number above 1 (80).",
        why="Excel stores 80% as 0.8, so a bare number up to 1 is read as a fraction; but 1 "
        "could also mean 1%. Writing the % sign removes the doubt.",
        bad_example="attribution_pct: `1` (100% or 1%?)",
        good_example="attribution_pct: `100%`",
    ),
    Rule(
        code="BRM208",
        slug="formula-injection-text",
        severity="warning",
        title="Text that would run as a formula",
        message="{column} text '{value}' starts with '{char}', so a spreadsheet would run it as "
        "a formula when exported; reword it to start with a letter or digit",
        fix="Reword the text so it does not start with =, +, -, @ (e.g. 'Minus 5 beds' or "
        "'Reduced by 5 beds').",
        why="Text starting with these characters is executed by spreadsheet programs when an "
        "export is opened (CSV/formula injection). The national store neutralises such text "
        "on export, so what is shown there would differ from what you typed.",
        bad_example='title: `=HYPERLINK("http://x","Click")` or `-5 beds`',
        good_example="title: `Five fewer beds needed`",
    ),
    Rule(
        code="BRM209",
        slug="text-too-long",
        severity="error",
        title="Text too long",
        message="{column} is {length} characters long; the limit is {limit}",
        fix="Shorten the value; keep long descriptions in the title or evidence columns.",
        why="Benefit IDs are keys that link measurements, submissions and versions; they must "
        "stay short enough to type and to store.",
        bad_example="benefit_id: a 120-character description",
        good_example="benefit_id: `EPMA-01`",
    ),
    Rule(
        code="BRM210",
        slug="required-value-blank",
        severity="error",
        title="A required value is blank",
        message="{column} is blank but {reason}",
        fix="Fill in the value. trust_ods and programme can be given once for the whole "
        "workbook (`--trust`, `--programme` or a `BRM Settings` sheet).",
        why="The national core is kept small on purpose; each of its fields is needed to "
        "report the benefit at all.",
        bad_example="A benefit row with no benefit_owner.",
        good_example="benefit_owner: `Chief Pharmacist`",
    ),
    Rule(
        code="BRM211",
        slug="not-yes-no",
        severity="error",
        title="Not Yes or No",
        message="{column} '{value}' is not Yes or No",
        fix="Type Yes or No (Y/N, TRUE/FALSE and 1/0 are accepted too), or leave the cell blank "
        "for the default.",
        why="Flags such as is_disbenefit decide how a benefit is reported; a value that is "
        "neither yes nor no cannot be trusted either way.",
        bad_example="is_disbenefit: `maybe`",
        good_example="is_disbenefit: `No`",
    ),
    Rule(
        code="BRM212",
        slug="invalid-period",
        severity="error",
        title="Not a month or quarter",
        message="{column} '{value}' is not a month or quarter; write a month like 2019-04 or "
        "Apr-19, or a quarter like 2019/20 Q1",
        fix="Use a month (2019-04, Apr-19, April 2019, an Excel date) or an NHS financial "
        "quarter (2019/20 Q1, Q1 2019/20).",
        why="Measurements are compared period by period with the baseline and the plan; a "
        "value without a readable period cannot be placed in time.",
        bad_example="period: `Spring 2019`",
        good_example="period: `2019/20 Q1` or `Apr-19`",
    ),
    Rule(
        code="BRM213",
        slug="excel-error-value",
        severity="error",
        title="An Excel error value",
        message="{column} shows the Excel error {value}; fix the formula or type the value",
        fix="Correct the formula that produced the error (e.g. a division by zero or a broken "
        "lookup), or type the value.",
        why="An error cell has no value; reading it as text or blank would hide a broken formula.",
        bad_example="baseline_value: `#DIV/0!`",
        good_example="baseline_value: `118.5`",
    ),
    Rule(
        code="BRM214",
        slug="number-out-of-range",
        severity="error",
        title="A number beyond its plausible limit",
        message="{column} {value} is beyond the plausible limit of ±{limit}; check the unit and "
        "the figure (a slipped decimal point or a total typed as a unit value)",
        fix="Type the figure in the field's own unit: a measurement, baseline or target within "
        "±1,000,000,000,000, a unit value within £1,000,000,000 per unit.",
        why="A figure this large is always a slip, and multiplied through the calculations it "
        "would overflow or swamp every national total it is added to. Infinities and values "
        "too large for a number (1e400) are refused here too.",
        bad_example="unit_value_gbp: `9.9e307`, or a measurement of `4e15` minutes",
        good_example="unit_value_gbp: `£35`",
    ),
    Rule(
        code="BRM215",
        slug="control-character",
        severity="error",
        title="Text holds a control character",
        message="{column} holds the invisible control character {char} at position {at}; "
        "retype the text (tab and line breaks are fine)",
        fix="Retype or clean the text: control characters usually arrive by pasting from "
        "another system. Excel's CLEAN() removes them.",
        why="Invisible characters such as NUL make text differ from what is shown, cannot be "
        "stored by the national database, and break exports.",
        bad_example="title: `Fewer errors` followed by a NUL character pasted from another system",
        good_example="title: `Fewer errors`",
    ),
    Rule(
        code="BRM216",
        slug="period-out-of-window",
        severity="error",
        title="A period outside the plausible window",
        message="{column} '{value}' is outside the plausible window of periods, {first} to "
        "{last}; check the year",
        fix="Check the year: periods run from April 2000 to ten years after the current month "
        "(a two-digit year or a typing slip is the usual cause).",
        why="Benefits of digital programmes are measured from 2000 onwards and within the "
        "coming decade; a period such as 9999-12 is a slip, and would make every calculation "
        "walk thousands of empty periods.",
        bad_example="period: `9999-12` or `Apr-1899`",
        good_example="period: `2019-04`",
    ),
    Rule(
        code="BRM217",
        slug="value-names-two",
        severity="warning",
        title="A value names more than one option",
        message="{column} '{value}' names more than one: read as {read}, but it also names {others}; "
        "keep the one that applies",
        fix="Keep the one option that best describes the benefit (its main category or main "
        "beneficiary); mention the other in the title or evidence.",
        why="A benefit is counted under one category and one beneficiary nationally; reading "
        "'Quality / Efficiency' as one of them is a guess the trust should confirm.",
        bad_example="category: `Quality / Efficiency`",
        good_example="category: `Efficiency / Productivity` (both words mean the same category)",
    ),
    # ---------------------------------------------------------------- BRM3xx row
    Rule(
        code="BRM301",
        slug="baseline-window-reversed",
        severity="error",
        title="Baseline window ends before it starts",
        message="{column} {value} is before baseline_start {start}",
        fix="Swap the two dates, or correct the one that is wrong.",
        why="A computed baseline averages the measurements inside the window; a reversed window "
        "contains none.",
        bad_example="baseline_start `01/10/2019`, baseline_end `30/04/2019`",
        good_example="baseline_start `01/04/2019`, baseline_end `30/09/2019`",
    ),
    Rule(
        code="BRM302",
        slug="target-wrong-direction",
        severity="error",
        title="Target is not an improvement on the baseline",
        message="{column} {value} is not {relation} baseline_value {baseline}, but the "
        "direction is {direction}",
        fix="Check the direction (increase or decrease: which way is better) and the target; "
        "for a benefit that should go down, the target must be below the baseline.",
        why="Progress is measured from the baseline towards the target; a target that equals "
        "the baseline or lies the wrong way makes percent-of-target and RAG meaningless. "
        "(Dis-benefits are exempt: their expected level is a worsening.)",
        bad_example="direction `decrease`, baseline_value `120`, target_value `150`",
        good_example="direction `decrease`, baseline_value `120`, target_value `60`",
    ),
    Rule(
        code="BRM303",
        slug="financial-without-unit-value",
        severity="error",
        title="Financial benefit without a unit value",
        message="A {benefit_type} benefit needs {column} (£ per unit of the measure) to "
        "put a value on it",
        fix="Give the £ value of one unit of the measure, e.g. £35 per hour saved, or change "
        "the benefit type to quantitative_non_financial.",
        why="Cash- and non-cash-releasing benefits are reported in pounds: realised value = "
        "realised quantity × unit value. Without it the benefit has no value.",
        bad_example="benefit_type `Cash releasing`, unit_value_gbp blank",
        good_example="benefit_type `Cash releasing`, unit_value_gbp `£35.00`",
    ),
    Rule(
        code="BRM304",
        slug="approved-without-approver",
        severity="error",
        title="Approved without who or when",
        message="approval_status is approved but {column} is blank; record who approved it and when",
        fix="Fill in approved_by and approved_on, or set the status back to submitted.",
        why="Only approved rows are reported nationally; an approval nobody can trace back to a "
        "person and a date is not an approval.",
        bad_example="approval_status `Approved`, approved_by blank",
        good_example="approval_status `Approved`, approved_by `Director of Finance`, approved_on "
        "`15/01/2020`",
    ),
    Rule(
        code="BRM305",
        slug="approved-on-in-future",
        severity="error",
        title="Approval date in the future",
        message="{column} {value} is after today ({today})",
        fix="Correct the approval date (often a day/month swap or a wrong year).",
        why="A benefit cannot have been approved on a date that has not happened; it is usually "
        "a typing slip that would also misplace the approval in national returns.",
        bad_example="approved_on `15/01/2099`",
        good_example="approved_on `15/01/2020`",
    ),
    Rule(
        code="BRM306",
        slug="approved-qualitative-without-evidence",
        severity="error",
        title="Approved qualitative benefit without evidence",
        message="An approved qualitative benefit needs {column}: say what shows the benefit happened",
        fix="Write the evidence in the evidence column: a survey, an audit, staff or patient "
        "feedback, with dates.",
        why="Qualitative benefits are first-class, and their evidence is what makes them count; "
        "without it an approved qualitative benefit is an assertion.",
        bad_example="benefit_type `Qualitative`, approval_status `Approved`, evidence blank",
        good_example="evidence `Staff survey Jan 2020: 78% find EPMA quicker (n=212)`",
    ),
    Rule(
        code="BRM307",
        slug="approved-without-baseline",
        severity="error",
        title="Approved quantitative benefit without a baseline",
        message="The benefit is approved but has no baseline: {reason}",
        fix="Give baseline_value, or choose a baseline_method (mean, median, last, "
        "same_period_last_year) and record measurements in the baseline window.",
        why="Every improvement is measured against the baseline; an approved benefit without "
        "one cannot show any realised figure.",
        bad_example="approval_status `Approved`, baseline_method `given`, baseline_value blank",
        good_example="baseline_value `120`, or baseline_method `mean` with measurements from Apr-Sep 2019",
    ),
    Rule(
        code="BRM308",
        slug="target-date-before-realisation",
        severity="error",
        title="Target date before realisation start",
        message="{column} {value} is before realisation_start {start}",
        fix="Correct one of the two dates: the target should be reached after the benefit starts to appear.",
        why="The planned trajectory runs from realisation_start to target_date; a target before "
        "the start leaves no plan to compare against.",
        bad_example="realisation_start `01/10/2020`, target_date `31/03/2020`",
        good_example="realisation_start `01/10/2019`, target_date `31/03/2021`",
    ),
    Rule(
        code="BRM309",
        slug="quantitative-field-missing",
        severity="error",
        title="Quantitative benefit missing a field it needs",
        message="A {benefit_type} benefit needs {column}",
        fix="Fill in measure, unit and direction for every quantitative benefit, and "
        "target_value and target_date for a planned one (unplanned benefits need no target).",
        why="Without what is measured, in which unit and which way is better, the numbers "
        "cannot be read; without a target there is no plan to track against.",
        bad_example="benefit_type `Quantitative`, direction blank",
        good_example="measure `medication administration errors`, unit `count`, direction "
        "`decrease`, target_value `60`, target_date `31/03/2021`",
    ),
    # ---------------------------------------------------------------- BRM4xx table
    Rule(
        code="BRM401",
        slug="duplicate-benefit-id",
        severity="error",
        title="Duplicate benefit ID",
        message="{column} '{value}' is also used in row {first_row}; each benefit needs its own ID",
        fix="Give each benefit its own ID (e.g. EPMA-01, EPMA-02).",
        why="Measurements, national versions and submissions are keyed by benefit_id; two rows "
        "with one ID would overwrite each other or be double-counted.",
        bad_example="Two rows with benefit_id `EPMA-01`",
        good_example="`EPMA-01` and `EPMA-02`",
    ),
    Rule(
        code="BRM402",
        slug="measurement-unknown-benefit",
        severity="error",
        title="Measurement for an unknown benefit",
        message="{column} '{value}' is not in the {benefits_sheet} sheet{nearest}",
        fix="Correct the ID (check spaces and spelling) or add the benefit to the register. "
        "Where one of the register's IDs differs only in case, spaces, punctuation or leading "
        "zeros, the message names it: \"... sheet (the register has 'EPMA-01')\".",
        why="A measurement that belongs to no benefit is silently lost from every figure.",
        bad_example="Measurements row with benefit_id `EPMA-1` when the register says `EPMA-01`",
        good_example="benefit_id `EPMA-01`",
    ),
    Rule(
        code="BRM403",
        slug="duplicate-measurement",
        severity="error",
        title="Two measurements for the same period",
        message="{benefit_id} already has a measurement for {period} in row {first_row}",
        fix="Keep one value per benefit per period: delete or correct the other row.",
        why="Two values for one period would be double-counted or one silently ignored.",
        bad_example="Two rows `EPMA-01 | 2019-10`",
        good_example="One row per benefit per month or quarter",
    ),
    Rule(
        code="BRM404",
        slug="measurement-before-benefit",
        severity="warning",
        title="Measurement years before the benefit's dates",
        message="{column} {value} ends more than {years} years before the benefit's {date_field} "
        "{date}; check the year",
        fix="Check the period (often a wrong year, 2009 for 2019) or the benefit's "
        "baseline_start / realisation_start.",
        why="Trusts record figures for months or a year or two before a go-live, and those are "
        "ordinary history (no calculation uses them, none is harmed). A period more than three "
        "years before both the baseline window and the realisation start is further back than "
        "such history goes, and is usually a year typed wrong; it is reported at its own cell.",
        bad_example="baseline_start `01/04/2019`, a measurement for `2009-04`",
        good_example="a measurement for `2019-04`, or monthly history from `2017-04` on",
    ),
    Rule(
        code="BRM405",
        slug="measurement-in-future",
        severity="warning",
        title="Measurement for a future period",
        message="{column} {value} starts after today ({today}); an actual cannot be measured yet",
        fix="Check the period (often a wrong year); put plans in the Trajectory sheet, not in Measurements.",
        why="Actuals recorded for future periods are usually plans or typing slips, and would "
        "be reported as realised.",
        bad_example="a measurement for next year's April, typed in this year's March",
        good_example="plans in the Trajectory sheet; actuals up to last month",
    ),
    Rule(
        code="BRM406",
        slug="trust-mismatch",
        severity="error",
        title="Benefit of another trust",
        message="{column} '{value}' differs from the workbook's trust {trust} ({source})",
        fix="Correct the ODS code, or move the row to that trust's workbook.",
        why="A workbook is one trust's register, submitted with that trust's token; a row for "
        "another trust would be rejected or credited to the wrong organisation.",
        bad_example="`--trust RJ1`, a row with trust_ods `RRV`",
        good_example="every row `RJ1` (or blank, filled from the workbook's default)",
    ),
    Rule(
        code="BRM407",
        slug="text-value-for-quantitative",
        severity="error",
        title="Text value for a quantitative benefit",
        message="{column} '{value}' is text but {benefit_id} is a {benefit_type} benefit; type a number",
        fix="Type the measured number; keep comments in the note column.",
        why="Quantitative benefits are computed from numbers; a text value would be dropped "
        "from every figure.",
        bad_example="value `about 90` for a count of errors",
        good_example="value `90`, note `approximate, from Datix`",
    ),
    Rule(
        code="BRM408",
        slug="number-value-for-qualitative",
        severity="warning",
        title="Number for a qualitative benefit",
        message="{column} {value} is a number but {benefit_id} is qualitative; record what was "
        "observed as text, or make the benefit quantitative",
        fix="Describe the evidence in words, or change the benefit type if it is really measured in numbers.",
        why="Qualitative benefits are reported by their evidence; a bare number without a "
        "measure, unit or direction means nothing nationally.",
        bad_example="value `4` for a qualitative staff-experience benefit",
        good_example="value `Ward staff survey: 4 of 5 wards report fewer interruptions`",
    ),
    Rule(
        code="BRM409",
        slug="trajectory-unknown-benefit",
        severity="error",
        title="Trajectory for an unknown benefit",
        message="{column} '{value}' in the trajectory is not in the {benefits_sheet} sheet",
        fix="Correct the ID or add the benefit to the register.",
        why="A planned value that belongs to no benefit is silently ignored.",
        bad_example="Trajectory row `EPMA-1` when the register says `EPMA-01`",
        good_example="Trajectory row `EPMA-01`",
    ),
    Rule(
        code="BRM410",
        slug="duplicate-trajectory-point",
        severity="error",
        title="Two planned values for the same period",
        message="{benefit_id} already has a planned value for {period} in row {first_row}",
        fix="Keep one planned value per benefit per period.",
        why="Two plans for one period make the RAG status depend on which one is read.",
        bad_example="Two Trajectory rows `EPMA-01 | 2020-01`",
        good_example="One Trajectory row per benefit per period",
    ),
    Rule(
        code="BRM411",
        slug="extract-line-not-placed",
        severity="error",
        title="An extract line cannot be placed in the register",
        message="{column} '{value}' cannot be placed: {reason}",
        fix="Give the line the benefit's own ID, or give the measure code to one benefit only "
        "(its national_measure_code); a qualitative benefit's evidence is typed, not imported; "
        "a quarter's figure goes only to a benefit measured quarterly.",
        why="`xl-brm actuals import` writes each figure into one benefit's cell for one period; "
        "a line that fits none, or several, is reported rather than guessed.",
        bad_example="Extract line `MAE-COUNT | 2019-04 | 57` where two benefits have measure code MAE-COUNT.",
        good_example="Extract line `EPMA-01 | 2019-04 | 57`.",
    ),
    Rule(
        code="BRM412",
        slug="register-value-kept",
        severity="warning",
        title="The register already holds another value",
        message="the register holds {value} here, the extract {new} ({lines}); kept: import with "
        "--overwrite to replace it",
        fix="Check which figure is right. If the extract is, import again with --overwrite; if "
        "the register is, correct the extract or leave it.",
        why="A figure in the register may have been corrected by hand; an import never replaces "
        "it silently.",
        bad_example="The register's Apr-19 says 57; the extract says 61.",
        good_example="Both say 57 (unchanged), or the import is run with --overwrite.",
    ),
    Rule(
        code="BRM413",
        slug="extract-period-incomplete",
        severity="warning",
        title="A period is not complete in the extract",
        message="{benefit_id} {value}: the extract has {have} of its {need} {unit}, so the total "
        "is not imported yet",
        fix="Import again when the extract covers the whole period (or import it with "
        "--roll-up mean if the figures are a level, not an amount).",
        why="A month's total made from part of its days would understate it, and would then be "
        "compared with whole months as if it were one.",
        bad_example="An extract of daily admissions up to 12 September, imported into a monthly register.",
        good_example="The same extract once it covers 1-30 September.",
    ),
    # ---------------------------------------------------------------- BRM5xx plausibility
    Rule(
        code="BRM501",
        slug="value-far-from-neighbours",
        severity="warning",
        title="Value far from its neighbours",
        message="{column} {value} for {period} is more than 10× away from the values either side "
        "({neighbours}); check for a slip such as a missing decimal point",
        fix="Check the figure: a misplaced decimal point, a cumulative figure among monthly "
        "ones, or a different unit.",
        why="One mistyped figure can dominate a benefit's realised total. Only a value above "
        "(or below) every value within two periods either side is reported: a step change, "
        "or a go-live's ramp climbing from near zero (`0, 3, 40, 350, 900`), is not a slip.",
        bad_example="monthly errors `95, 90, 8800, 88`",
        good_example="`95, 90, 88, 88`; or a ramp after go-live, `1, 12, 130, 400, 410`",
    ),
    Rule(
        code="BRM502",
        slug="unit-value-above-1m",
        severity="warning",
        title="Unit value above £1m",
        message="{column} {value} is above £1,000,000 per unit; check the unit and the figure",
        fix="Give the value of ONE unit of the measure (e.g. one hour, one bed day), not the total benefit.",
        why="A total entered as a unit value multiplies the benefit by the whole quantity, "
        "inflating national totals by orders of magnitude.",
        bad_example="unit_value_gbp `£2,400,000` for hours of nursing time",
        good_example="unit_value_gbp `£35`",
    ),
    Rule(
        code="BRM503",
        slug="baseline-few-points",
        severity="warning",
        title="Computed baseline from fewer than 3 points",
        message="the {method} baseline comes from {count} measurement(s) in its window{window}; "
        "use at least 3",
        fix="Record at least three measurements inside the baseline window, widen the window, "
        "or give baseline_value.",
        why="A baseline from one or two points is mostly noise, and every improvement is "
        "measured against it.",
        bad_example="baseline_method `mean`, one measurement between baseline_start and baseline_end",
        good_example="six monthly measurements in the baseline window",
    ),
    Rule(
        code="BRM504",
        slug="measurement-gap",
        severity="warning",
        title="No measurement for more than two periods",
        message="{benefit_id} has no measurement for {missing} periods between {after} and {value}",
        fix="Fill in the missing periods, or note why they could not be measured.",
        why="Gaps hide whether a benefit is still being realised, and a benefit with no recent "
        "data shows as no_data. Qualitative evidence is not checked: it comes when there is some.",
        bad_example="measurements for 2019-04, 2019-05, then 2019-10",
        good_example="one measurement each month",
    ),
    Rule(
        code="BRM505",
        slug="date-implausible",
        severity="warning",
        title="Date far from the present",
        message="{column} {value} is in {year}; check the year",
        fix="Check the year (a two-digit year, or a date serial typed as a number, is a common cause).",
        why="Benefits of digital programmes date from this century; a date in 1919 or 2119 is "
        "almost always a slip that would misplace the benefit in time.",
        bad_example="realisation_start `01/10/1919`",
        good_example="realisation_start `01/10/2019`",
    ),
    Rule(
        code="BRM506",
        slug="number-very-large",
        severity="warning",
        title="A very large number",
        message="{column} {value} is above {limit} in size; check the unit and the figure",
        fix="Check the figure: a misplaced decimal point, a total where a monthly figure was "
        "meant, or a smaller unit (pence, seconds) than the benefit's.",
        why="Measurements, baselines and targets above a thousand million are rare in a trust's "
        "register and usually a slip; they are still read, up to the hard limit of BRM214.",
        bad_example="baseline_value: `2,500,000,000` minutes per month",
        good_example="baseline_value: `2,500` minutes per month",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _ALL}
"""Code -> rule, in code order."""

STORE_RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            code="NAT101",
            slug="not-approved",
            severity="error",
            title="Only approved benefits are submitted nationally",
            message="Only approved benefits are submitted nationally; this one is '{value}'. "
            "Approve it in the register first.",
            fix="Approve the benefit in the register (approval_status, approved_by, approved_on), "
            "then submit again.",
            why="The national store holds the benefits a trust has signed off; a draft may still "
            "change, and summing drafts would overstate what the NHS has committed to.",
            bad_example="approval_status `Draft` on a row sent with `xl-brm submit`",
            good_example="approval_status `Approved`, approved_by `Director of Finance`, "
            "approved_on `15/01/2020`",
        ),
    )
}
"""The national store's own rules: not workbook rules (a register may hold drafts), so outside
RULES and its version; `xl_brm.national.ingest` applies them to a submission."""


def _version() -> str:
    body = ";".join(f"{r.code}:{r.severity}" for r in _ALL) + f";rev{RULES_REVISION}"
    return f"{RULES_SERIES}-{hashlib.sha256(body.encode()).hexdigest()[:8]}"


RULES_VERSION: str = _version()
"""Changes whenever the catalogue's codes or severities change, or RULES_REVISION is bumped."""


def finding(code: str, **where: Any) -> Finding:
    """A finding of rule `code`: `finding("BRM101", sheet="Benefits", column="title")`.

    Keyword arguments sheet/row/column/cell/value locate it; any others fill the message.
    """
    return RULES[code].finding(**where)
