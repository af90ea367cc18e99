"""House styles of imaginary NHS trusts, deliberately unlike the project's own examples.

Header spellings are what a benefits lead might really type, many of them NOT among the
synonyms in `xl_brm/fields.py`. `STYLES` are the judged kind of register (issue 2: other column
names, title rows, UK text dates, £ strings, spacer and notes rows, local columns);
`STRETCH_STYLES` add layouts beyond that list (section band rows, a merged group-label row above
the header, non-spec enum spellings) and are reported, not asserted.
"""

from __future__ import annotations

from dataclasses import replace

from xl_brm.examples.style import Style

LEEDS_LIKE = Style(
    name="acute_unseen_headers",
    trust="RR8",
    id_style="gde",
    quarterly=False,
    benefit_sheet="Benefits Register",
    measurement_sheet="Benefit Tracking",
    benefit_headers={
        "benefit_id": "Benefit Reference No.",
        "trust_ods": "Trust ODS Code",
        "programme": "Programme",
        "project": "Project / Workstream",
        "title": "Description of Benefit",
        "benefit_type": "CRB / NCRB",
        "category": "Benefit Category",
        "beneficiary": "Main Beneficiary",
        "is_disbenefit": "Dis-benefit?",
        "planned": "Planned?",
        "measure": "KPI / Metric",
        "unit": "Unit of Measure",
        "direction": "Desired Direction",
        "baseline_value": "Baseline (as is)",
        "baseline_start": "Baseline Period Start",
        "baseline_end": "Baseline Period End",
        "baseline_method": "Baseline Method",
        "target_value": "Target (to be)",
        "target_date": "Target Achievement Date",
        "realisation_start": "Realisation Start Date",
        "unit_value_gbp": "£ Value per Unit",
        "attribution_pct": "% Attributable to Project",
        "benefit_owner": "Benefit Owner (Name)",
        "approval_status": "Approval Status",
        "approved_by": "Approved By",
        "approved_on": "Date Approved",
        "confidence": "Confidence Level",
        "evidence": "Supporting Evidence",
    },
    measurement_headers={
        "benefit_id": "Benefit Reference No.",
        "period": "Reporting Month",
        "value": "Actual",
        "source": "Data Source",
        "evidence_grade": "Evidence Grade",
        "note": "Comments",
    },
    local_columns=((5, "RAG (local)"), (40, "Finance validated?"), (41, "PMO Comments")),
    title_rows=(
        "Leeds-style Teaching Hospitals NHS Trust",
        "Global Digital Exemplar - Benefits Register 2019/20",
    ),
    spacer_every=5,
    totals_row="Total",
    notes=(
        "Notes:",
        "1. Baselines are taken from the Datix extract of March 2019.",
        "2. CRB = cash releasing benefit; NCRB = non-cash releasing benefit.",
        "Prepared by the Digital PMO, March 2020",
    ),
    measurement_title=("Benefit tracking - monthly actuals",),
    dates="uk_text",
    money="gbp_text",
    percent="text",
    flags="yes_no",
    periods="mon_yy",
    spellings={
        "benefit_type": {
            "cash_releasing": "CRB",
            "non_cash_releasing": "NCRB",
            "quantitative_non_financial": "Quantitative",
        }
    },
    extra_sheets=("Risks",),
)

COMMUNITY_SETTINGS = Style(
    name="community_settings_quarterly",
    trust="RY6",
    id_style="slash",
    quarterly=True,
    benefit_sheet="Register",
    measurement_sheet="Quarterly Data",
    benefit_headers={
        "benefit_id": "Ref.",
        "project": "Digital Project",
        "title": "Benefit Statement",
        "benefit_type": "Type of Benefit",
        "category": "Quality Domain",
        "beneficiary": "Who Benefits?",
        "benefit_owner": "Accountable Owner",
        "measure": "How Measured",
        "unit": "Units",
        "direction": "Improvement Direction",
        "baseline_value": "Current Baseline",
        "baseline_start": "Baseline From",
        "baseline_end": "Baseline To",
        "target_value": "Target Figure",
        "target_date": "Date Target Due",
        "realisation_start": "Expected Realisation Start",
        "unit_value_gbp": "Value per Unit (£)",
        "attribution_pct": "Attribution %",
        "is_disbenefit": "Disbenefit (Y/N)",
        "planned": "Planned (Y/N)",
        "approval_status": "Sign-off Status",
        "approved_by": "Signed Off By",
        "approved_on": "Date Signed Off",
        "evidence": "Evidence / Narrative",
        "confidence": "Confidence (H/M/L)",
    },
    measurement_headers={
        "benefit_id": "Ref.",
        "period": "Quarter",
        "value": "Actual Value",
        "evidence_grade": "Data Quality",
        "source": "Source",
    },
    local_columns=((3, "Exec Sponsor"), (9, "Row No."), (30, "Last Reviewed")),
    hidden_local=1,
    title_rows=(
        "Community Health Services NHS Trust",
        "Digital Programme Benefits Register",
        "Version 4.1 - for Digital Board, 12/03/2021",
    ),
    spacer_every=4,
    notes=("Key: H/M/L = high, medium, low confidence", "Source: Trust BI team quarterly extract"),
    settings=(("Trust ODS code", "RY6"), ("Programme", "GDE")),
    dates="cell",
    money="number_fmt",
    percent="number",
    flags="y_n",
    periods="q_fy",
    spellings={
        "confidence": {"high": "H", "medium": "M", "low": "L"},
        "approval_status": {"approved": "Signed off", "submitted": "Awaiting approval"},
    },
)

MENTAL_HEALTH = Style(
    name="mental_health_mixed_dates",
    trust="RXT",
    id_style="short",
    quarterly=False,
    benefit_sheet="Benefits Log",
    measurement_sheet="Actuals",
    benefit_headers={
        "trust_ods": "Org (ODS)",
        "benefit_id": "Benefit Ref *",
        "programme": "Funding Programme",
        "project": "Scheme Name",
        "title": "Benefit Title *",
        "benefit_type": "Benefit Type *",
        "category": "Benefit Theme",
        "measure": "Measure Description",
        "unit": "UOM",
        "direction": "Good is",
        "baseline_method": "How Baselined",
        "baseline_value": "Baseline\nValue",
        "baseline_start": "Baseline\nStart Date",
        "baseline_end": "Baseline\nEnd Date",
        "realisation_start": "Benefit Start Date",
        "target_value": "Target\nValue",
        "target_date": "Target\nDate",
        "unit_value_gbp": "Unit Cost £",
        "attribution_pct": "% Attribution",
        "is_disbenefit": "Negative Benefit?",
        "planned": "Anticipated?",
        "benefit_owner": "Benefit Lead",
        "approval_status": "Status",
        "approved_by": "Approver",
        "approved_on": "Approval Date",
        "evidence": "Qualitative Evidence",
        "confidence": "Confidence",
    },
    measurement_headers={
        "benefit_id": "Benefit Ref",
        "period": "Month",
        "value": "Result",
        "source": "Data Source",
        "note": "Notes",
    },
    local_columns=((0, "Priority"), (12, "Workstream Lead")),
    title_rows=("Mental Health & Learning Disabilities NHS Foundation Trust - Benefits Log",),
    merge_titles=True,
    spacer_every=6,
    totals_row="Grand Total",
    notes=("N.B. Baselines before April 2019 are estimates.", "* mandatory field for the national return"),
    measurement_title=("Monthly actuals", "Figures are validated by Information Services each month"),
    measurement_spacers=True,
    dates="mixed",
    money="mixed",
    percent="spaced",
    flags="bool",
    periods="iso",
    spellings={
        "direction": {"increase": "Higher is better", "decrease": "Lower is better"},
        "unit": {"hours": "Hrs", "percent": "Percentage"},
    },
)

SPECIALIST = Style(
    name="specialist_numeric_ids",
    trust="RP4",
    id_style="number",
    quarterly=False,
    benefit_sheet="BRM",
    measurement_sheet="Monthly Tracking",
    benefit_headers={
        "benefit_id": "Benefit No.",
        "title": "Benefit Summary",
        "project": "Enabling Project",
        "programme": "Prog.",
        "trust_ods": "Provider ODS",
        "benefit_type": "Financial Classification",
        "category": "Domain",
        "benefit_owner": "Owner",
        "approval_status": "Approval",
        "approved_by": "Approved By (Name)",
        "approved_on": "Signed Off On",
        "measure": "Metric",
        "unit": "Unit",
        "direction": "Polarity (Higher/Lower is better)",
        "baseline_method": "Baseline Calculation",
        "baseline_value": "Baseline Figure",
        "baseline_start": "Baseline Start",
        "baseline_end": "Baseline End",
        "target_value": "Target",
        "target_date": "Target By",
        "realisation_start": "Go Live Date",
        "unit_value_gbp": "£ per Unit",
        "attribution_pct": "Attribution",
        "is_disbenefit": "Dis-benefit",
        "planned": "Planned",
        "evidence": "Evidence",
    },
    measurement_headers={
        "period": "Month Ending",
        "benefit_id": "Benefit No.",
        "value": "Measured Value",
        "evidence_grade": "Basis",
        "note": "Comments",
    },
    local_columns=((2, "Risk Ref"), (27, "Data Source (BI)"), (28, "Benefits Realised to Date (£)")),
    title_rows=("Specialist Orthopaedic Hospital NHS FT", "Benefits Realisation Register"),
    blank_after_title=False,
    totals_row="TOTAL",
    notes=("Sources: finance ledger and theatre system",),
    dates="dmon",
    money="gbp_text",
    percent="text",
    flags="yes_no",
    periods="month_end",
    spellings={
        "benefit_type": {
            "cash_releasing": "Cash Releasing",
            "non_cash_releasing": "Non-Cash Releasing",
            "quantitative_non_financial": "Non-financial quantitative",
        },
        "approval_status": {"approved": "Approved", "submitted": "Pending"},
    },
)

DOTS_QUARTERS = Style(
    name="district_general_q_first",
    trust="RWA",
    id_style="gde",
    quarterly=True,
    benefit_sheet="Benefits",
    measurement_sheet="Measures",
    benefit_headers={
        "benefit_id": "Unique ID",
        "trust_ods": "ODS",
        "programme": "National Programme",
        "project": "Project",
        "title": "Benefit Description",
        "benefit_type": "Cash / Non-Cash / Non-Financial",
        "category": "Category",
        "beneficiary": "Beneficiary",
        "measure": "Measure",
        "unit": "Unit",
        "direction": "Direction",
        "baseline_value": "Baseline",
        "baseline_start": "Baseline Start Date",
        "baseline_end": "Baseline End Date",
        "target_value": "Target Value",
        "target_date": "Target Date",
        "realisation_start": "Realisation Start",
        "unit_value_gbp": "Unit Value (£)",
        "attribution_pct": "Attribution %",
        "benefit_owner": "Benefit Owner",
        "approval_status": "Approval Status",
        "approved_by": "Approved By",
        "approved_on": "Approval Date",
        "evidence": "Evidence",
        "is_disbenefit": "Disbenefit",
        "planned": "Planned",
    },
    measurement_headers={
        "benefit_id": "Unique ID",
        "period": "Period",
        "value": "Value",
        "source": "Source",
    },
    local_columns=((1, "Workstream Lead"),),
    title_rows=(
        "District General Hospital NHS Trust",
        "Fast Follower programme: benefits",
        "OFFICIAL-SENSITIVE",
    ),
    merge_titles=False,
    spacer_every=3,
    totals_row="Total (£ unit values)",
    notes=("Comments: figures for Q4 2020/21 are provisional",),
    dates="dots",
    money="number",
    percent="text",
    flags="yes_no",
    periods="q_first",
)

STYLES: tuple[Style, ...] = (LEEDS_LIKE, COMMUNITY_SETTINGS, MENTAL_HEALTH, SPECIALIST, DOTS_QUARTERS)

# ---------------------------------------------------------------------------- stretch

SECTIONS = Style(
    name="stretch_section_rows_and_band",
    trust="RHW",
    id_style="gde",
    quarterly=False,
    benefit_sheet="Benefits Register",
    measurement_sheet="Tracking",
    benefit_headers=dict(LEEDS_LIKE.benefit_headers),
    measurement_headers=dict(LEEDS_LIKE.measurement_headers),
    title_rows=("Royal Berkshire-style NHS FT", "Benefits Register"),
    section_rows=True,
    group_band=(
        ("BENEFIT DETAILS", 1, 12),
        ("BASELINE", 14, 17),
        ("TARGET", 18, 20),
        ("VALUE", 21, 22),
        ("GOVERNANCE", 23, 28),
    ),
    notes=("Notes:", "Dates are dd/mm/yyyy"),
    dates="uk_text",
    money="gbp_text",
    periods="long",
    spellings={
        "benefit_type": {
            "cash_releasing": "Cash Releasing (CRB)",
            "non_cash_releasing": "Non Cash Releasing (NCRB)",
            "quantitative_non_financial": "Quantitative - non financial",
            "qualitative": "Qualitative (non-financial)",
        },
        "category": {
            "resource_sustainability": "Resource / Sustainability",
            "safety_quality": "Quality & Safety",
        },
    },
)

STRETCH_STYLES: tuple[Style, ...] = (SECTIONS,)

# ---------------------------------------------------------------------------- wide (SPEC §2.2)

WIDE_STYLES: tuple[Style, ...] = (
    replace(LEEDS_LIKE, name="acute_wide_tracking_sheet", wide="sheet", measurement_sheet="Tracker"),
    replace(COMMUNITY_SETTINGS, name="community_wide_beside_register", wide="right", periods="q_short"),
    replace(SPECIALIST, name="specialist_wide_date_headers", wide="sheet", periods="date_cell",
            measurement_sheet="Monthly Figures"),
    replace(DOTS_QUARTERS, name="district_wide_short_quarters", wide="sheet", periods="short_q",
            measurement_sheet="Quarterly Tracking"),
    replace(MENTAL_HEALTH, name="mental_health_wide_beside_register", wide="right", periods="month_end"),
    replace(COMMUNITY_SETTINGS, name="community_wide_qtr_sheet", wide="sheet", periods="qtr",
            measurement_sheet="Benefits Tracker 2019-22"),
)
"""The same trusts keeping their figures a column per period: on a tracking sheet (named so
that only its content can say what it is) or to the right of the register itself."""

# ---------------------------------------------------------------------------- drawn per seed

HEADER_POOL: dict[str, tuple[str, ...]] = {
    "benefit_id": (
        "Benefit Reference No.",
        "Benefit Ref.",
        "Ref #",
        "BRM Ref",
        "Unique ID",
        "Benefit No.",
        "Benefit ID No",
        "Ref No.",
        "Benefit Identifier",
    ),
    "trust_ods": (
        "Trust ODS Code",
        "Org (ODS)",
        "Provider ODS",
        "ODS Org Code",
        "Organisation ODS Code",
        "Trust Code (ODS)",
    ),
    "programme": ("Programme", "Funding Programme", "Prog.", "National Programme Name", "Programme Name"),
    "project": (
        "Project / Workstream",
        "Digital Project",
        "Scheme Name",
        "Enabling Project",
        "Project Title",
        "Workstream / Project",
    ),
    "title": (
        "Description of Benefit",
        "Benefit Statement",
        "Benefit Summary",
        "Benefit Description",
        "Short Description",
        "Benefit (short title)",
    ),
    "benefit_type": (
        "CRB / NCRB",
        "Type of Benefit",
        "Financial Classification",
        "Benefit Type",
        "Cash / Non-Cash",
        "CRB/NCRB/Non-financial",
        "Benefit Classification (CRB/NCRB)",
    ),
    "category": (
        "Benefit Category",
        "Quality Domain",
        "Benefit Theme",
        "Category of Benefit",
        "Benefit Domain",
    ),
    "beneficiary": ("Main Beneficiary", "Who Benefits?", "Beneficiary Group", "Primary Beneficiary"),
    "is_disbenefit": ("Dis-benefit?", "Disbenefit (Y/N)", "Negative Benefit?", "Is this a dis-benefit?"),
    "planned": ("Planned?", "Planned (Y/N)", "Anticipated?", "Planned Benefit?"),
    "measure": (
        "KPI / Metric",
        "How Measured",
        "Metric",
        "Measure Description",
        "Performance Measure",
        "KPI",
    ),
    "unit": ("Unit of Measure", "Units", "UOM", "Unit of Measurement", "Measurement Unit"),
    "direction": (
        "Desired Direction",
        "Improvement Direction",
        "Good is",
        "Direction of Travel",
        "Polarity (Higher/Lower is better)",
        "Higher or Lower is Better?",
    ),
    "baseline_value": (
        "Baseline (as is)",
        "Current Baseline",
        "Baseline Figure",
        "Baseline Value",
        "Baseline Measure",
        "As-Is Baseline",
    ),
    "baseline_start": (
        "Baseline Period Start",
        "Baseline From",
        "Baseline Start Date",
        "Baseline Period From",
    ),
    "baseline_end": ("Baseline Period End", "Baseline To", "Baseline End Date", "Baseline Period To"),
    "baseline_method": ("Baseline Method", "How Baselined", "Baseline Calculation", "Baseline Approach"),
    "target_value": ("Target (to be)", "Target Figure", "Target Value", "To-Be Target", "Target Measure"),
    "target_date": (
        "Target Achievement Date",
        "Date Target Due",
        "Target Date",
        "Target to be Achieved By",
        "Target Completion Date",
    ),
    "realisation_start": (
        "Realisation Start Date",
        "Expected Realisation Start",
        "Benefit Start Date",
        "Go Live Date",
        "Realisation From",
        "Date Realisation Starts",
    ),
    "unit_value_gbp": (
        "£ Value per Unit",
        "Value per Unit (£)",
        "Unit Cost £",
        "£ per Unit",
        "Financial Value per Unit (£)",
        "Unit Value £",
    ),
    "attribution_pct": (
        "% Attributable to Project",
        "Attribution %",
        "% Attribution",
        "Attribution (%)",
        "% Attributable",
    ),
    "benefit_owner": (
        "Benefit Owner (Name)",
        "Accountable Owner",
        "Benefit Lead",
        "Owner",
        "Benefit Owner",
        "Owner (Name)",
    ),
    "approval_status": ("Approval Status", "Sign-off Status", "Status", "Approval", "Benefit Status"),
    "approved_by": ("Approved By", "Signed Off By", "Approver", "Approved By (Name)", "Approving Body"),
    "approved_on": ("Date Approved", "Date Signed Off", "Approval Date", "Signed Off On", "Sign-off Date"),
    "confidence": ("Confidence Level", "Confidence (H/M/L)", "Confidence", "Level of Confidence"),
    "evidence": (
        "Supporting Evidence",
        "Evidence / Narrative",
        "Qualitative Evidence",
        "Evidence",
        "Evidence of Benefit",
    ),
}
MEASUREMENT_POOL: dict[str, tuple[str, ...]] = {
    "period": ("Reporting Month", "Month", "Period", "Reporting Period", "Month Ending", "Period (Month)"),
    "value": ("Actual", "Actual Value", "Result", "Measured Value", "Value", "Actual (this period)"),
    "source": ("Data Source", "Source", "Source of Data"),
    "evidence_grade": ("Evidence Grade", "Data Quality", "Basis"),
    "note": ("Comments", "Notes", "Commentary"),
}
LOCAL_POOL = (
    "RAG (local)",
    "Finance validated?",
    "Exec Sponsor",
    "Last Reviewed",
    "Risk Ref",
    "PMO Comments",
    "Workstream Lead",
    "Data Source (BI)",
    "Benefits Realised to Date (£)",
    "Priority",
)


def drawn_style(seed: int) -> Style:
    """A register whose header spellings, column order and layout are drawn from pools per seed,
    so that passing cannot come from adding one style's headers to the synonyms."""
    import random

    rng = random.Random(f"style:{seed}")
    fields = list(HEADER_POOL)
    first, rest = fields[:5], fields[5:]
    rng.shuffle(rest)
    quarterly = rng.random() < 0.3
    id_header = rng.choice(HEADER_POOL["benefit_id"])
    headers = {name: rng.choice(HEADER_POOL[name]) for name in first + rest}
    headers["benefit_id"] = id_header
    settings: tuple[tuple[str, str], ...] = ()
    trust = rng.choice(("RTH", "RGT", "R0A", "RBS"))
    if rng.random() < 0.3:
        del headers["trust_ods"]
        settings = (
            (rng.choice(("Trust ODS code", "ODS Code", "Organisation code")), trust),
            ("Programme", "GDE"),
        )
        if rng.random() < 0.5:
            del headers["programme"]
    mheaders = {"benefit_id": rng.choice((id_header, "Benefit Ref", "Ref"))}
    mheaders |= {name: rng.choice(options) for name, options in MEASUREMENT_POOL.items()}
    if quarterly:
        mheaders["period"] = rng.choice(("Quarter", "Reporting Quarter", "Period"))
    locals_ = tuple((rng.randrange(len(headers) + 1), h) for h in rng.sample(LOCAL_POOL, rng.randint(1, 3)))
    return Style(
        name=f"drawn_{seed}",
        trust=trust,
        id_style=rng.choice(("gde", "slash", "short", "number")),
        quarterly=quarterly,
        benefit_sheet=rng.choice(("Benefits", "Benefits Register", "Register", "Benefit Register")),
        measurement_sheet=rng.choice(("Measurements", "Tracking", "Actuals", "Benefit Tracking")),
        benefit_headers=headers,
        measurement_headers=mheaders,
        local_columns=locals_,
        hidden_local=0 if rng.random() < 0.3 else None,
        title_rows=tuple(
            rng.sample(
                (
                    "Anytown Hospitals NHS Foundation Trust",
                    "Benefits Register",
                    "Digital Programme - Benefits Realisation",
                    "Version 2.3 (draft)",
                ),
                rng.randint(1, 3),
            )
        ),
        merge_titles=rng.random() < 0.7,
        blank_after_title=rng.random() < 0.6,
        spacer_every=rng.choice((0, 3, 5, 7)),
        totals_row=rng.choice((None, "Total", "TOTAL", "Grand Total")),
        notes=rng.choice(
            ((), ("Notes:", "1. Figures from the BI team."), ("Source: PMO tracker, May 2021",))
        ),
        measurement_title=rng.choice(((), ("Monthly actuals",))),
        measurement_spacers=rng.random() < 0.3,
        settings=settings,
        dates=rng.choice(("uk_text", "cell", "mixed", "dmon", "dots")),
        money=rng.choice(("gbp_text", "number", "number_fmt", "mixed")),
        percent=rng.choice(("text", "number", "spaced")),
        flags=rng.choice(("yes_no", "y_n", "bool")),
        periods=rng.choice(("q_fy", "q_first"))
        if quarterly
        else rng.choice(("mon_yy", "iso", "date_cell", "long", "month_end")),
    )
