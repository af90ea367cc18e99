"""The board report's content (SPEC §8), built from one `Computation` and nothing else.

Every figure is a value of `BenefitFigures.to_json()` (what `compute --format json` prints)
or a sum of those values as shown; planned £ is `Computation.planned_value_gbp`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from xl_brm import __version__, display
from xl_brm.calc import GREEN_BOOK_RATES, JSON_KEYS, BenefitFigures, round_half_up
from xl_brm.computation import Computation, totals
from xl_brm.enums import BenefitType, Rag
from xl_brm.model import Benefit
from xl_brm.periods import fy_label
from xl_brm.report._content import (
    BLOCKED,
    Chart,
    Column,
    Document,
    Facts,
    Section,
    Series,
    Table,
    Value,
)

RAG_ORDER: list[str] = [*(r.value for r in Rag), BLOCKED]
MAX_CELLS = 25
"""Cells listed per rule in the data-quality annex; the rest are counted."""


def board_report(computed: Computation, *, now: datetime | None = None) -> Document:
    """The board report of a computed register."""
    trust = computed.register.trust_ods or "the trust"
    programmes = sorted({b.programme for b in computed.register.benefits})
    when = display.moment(now or datetime.now().astimezone())
    sections = [
        _headline(computed),
        _rag_section(computed),
        _figures_section(computed),
        _trajectories(computed),
        _qualitative(computed),
        _disbenefits_and_unplanned(computed),
        _annex(computed),
    ]
    return Document(
        title=f"Benefits realisation: board report for {trust}",
        subtitle=f"Figures {computed.as_of_note}"
        + (f" · programme {', '.join(programmes)}" if programmes else ""),
        trust=trust,
        sections=sections,
        footer=f"Made by xl-brm {__version__} on {when} from {_source(computed)}. Every figure is "
        "the one `xl-brm compute --format json` gives for the same register and as-of period.",
    )


def _source(computed: Computation) -> str:
    from pathlib import PurePath

    path = computed.register.path
    return f"the register {PurePath(path).name}" if path else "the open workbook"


def _rag_value(computed: Computation, fig: BenefitFigures) -> str | None:
    if fig.benefit_id in computed.blocked:
        return BLOCKED
    return None if fig.rag is None else fig.rag.value


# -- headline ------------------------------------------------------------------------------------


def _headline(computed: Computation) -> Section:
    rows: list[list[Value]] = []
    keys: list[str] = []
    for disbenefit in (False, True):
        for kind in (BenefitType.CASH_RELEASING, BenefitType.NON_CASH_RELEASING):
            group = [f for f in computed.figures if f.benefit_type is kind and f.is_disbenefit is disbenefit]
            if disbenefit and not group:
                continue
            shown = [f.to_json() for f in group]
            realised = totals([s["realised_value_gbp"] for s in shown])
            planned = totals([computed.planned_value_gbp(f) for f in group])
            share = None if realised is None or not planned else round_half_up(realised / planned * 100, 1)
            label = display.TYPE_LABEL[kind] + (" dis-benefits" if disbenefit else "")
            keys.append(f"{kind.value}{'_disbenefit' if disbenefit else ''}")
            rows.append([label, len(group), planned, realised, share, totals([s["pv_gbp"] for s in shown])])
    table = Table(
        caption="Realised against planned value to date",
        columns=[
            Column("Benefit type"),
            Column("Benefits", "count"),
            Column("Planned to date (£)", "money"),
            Column("Realised to date (£)", "money"),
            Column("Realised as % of planned", "percent"),
            Column("Present value (£)", "money"),
        ],
        rows=rows,
        key="headline",
        row_keys=keys,
    )
    counts = Counter(_rag_value(computed, f) for f in computed.figures)
    status = ", ".join(
        f"{counts[r]} {display.BLOCKED_LABEL.lower() if r == BLOCKED else display.RAG_LABEL[Rag(r)].lower()}"
        for r in RAG_ORDER
        if counts[r]
    )
    paragraphs = [f"{len(computed.figures)} benefits on the register: {status or 'none yet'}."]
    after = [
        "Cash-releasing and non-cash-releasing values are kept apart and never added together; "
        "dis-benefits are shown apart from benefits. Planned to date is the planned improvement of "
        "every period up to the as-of period, times each benefit's £ per unit and attribution.",
        _green_book_basis(computed),
    ]
    note = ""
    if computed.blocked:
        note = (
            "No RAG until the errors on their rows are fixed for "
            f"{display.count(len(computed.blocked), 'benefit')}: "
            + "; ".join(
                f"{bid} ({(computed.blocked_text(bid) or '').removeprefix('blocked: ')})"
                for bid in computed.blocked
            )
            + ". Their figures are still counted in the table above."
        )
    if computed.left_out:
        note += (" " if note else "") + (
            f"Not in these figures until the errors on their rows are fixed: "
            f"{display.count(len(computed.left_out), 'benefit')} whose rows could not be read ("
            + "; ".join(
                f"{bid}: {(computed.blocked_text(bid) or '').removeprefix('blocked: ')}"
                for bid in computed.left_out
            )
            + ")."
        )
    return Section(
        "headline", "Headline: realised against planned", paragraphs, [table], note=note, after=after
    )


def _green_book_basis(computed: Computation) -> str:
    spans, first = [], 0
    for last, rate in GREEN_BOOK_RATES[:3]:  # the Green Book's own table: years 0-125
        spans.append(f"{rate * 100:.1f}% a year for years {first}–{last}")
        first = last + 1
    rates = ", ".join(spans)
    bases = sorted({f.base_fy for f in computed.figures if f.base_fy is not None and f.pv_gbp is not None})
    if not bases:
        where = "No benefit has realised value yet, so there is no present value."
    elif len(bases) == 1:
        where = f"Base year {fy_label(bases[0])}" + (
            " (given)." if computed.base_fy is not None else " (the financial year realisation starts)."
        )
    else:
        where = (
            "Each benefit is discounted to the financial year its realisation starts ("
            + ", ".join(fy_label(b) for b in bases)
            + "); give one base year with --base-fy to compare them."
        )
    return (
        "Present value (HM Treasury Green Book): each financial year's realised value is discounted "
        f"to the base year at the social time preference rate ({rates}). {where}"
    )


# -- RAG -----------------------------------------------------------------------------------------


def _rag_section(computed: Computation) -> Section:
    def by(name: str, key: str, group: Callable[[Benefit], str]) -> Table:
        counts: dict[str, Counter[str | None]] = defaultdict(Counter)
        for fig in computed.figures:
            counts[group(computed.benefit(fig.benefit_id))][_rag_value(computed, fig)] += 1
        rows: list[list[Value]] = [
            [label, *(c[r] for r in RAG_ORDER), sum(c.values())] for label, c in sorted(counts.items())
        ]
        columns = [
            Column(name),
            *(
                Column(display.BLOCKED_LABEL if r == BLOCKED else display.RAG_LABEL[Rag(r)], "count")
                for r in RAG_ORDER
            ),
            Column("Benefits", "count"),
        ]
        return Table(
            f"RAG status by {name.lower()}", columns, rows, key=key, row_keys=[str(r[0]) for r in rows]
        )

    paragraphs = [
        "RAG compares the improvement so far with the planned improvement over the same periods: "
        "green at 90% of plan or more, amber at 70% or more, red below. Not started: before "
        "realisation starts. No data: neither of the last two periods has a measurement. "
        "Blocked: the benefit's rows have errors to fix first."
    ]
    return Section(
        "rag",
        "RAG by project and category",
        paragraphs,
        [
            by("Project", "rag-project", lambda b: b.project),
            by("Category", "rag-category", lambda b: display.CATEGORY_LABEL[b.category]),
        ],
    )


# -- every benefit's figures ------------------------------------------------------------------------

FIGURE_COLUMNS = [
    Column("Benefit"),
    Column("Title"),
    Column("Type"),
    Column("Baseline", "number"),
    Column("Latest", "number"),
    Column("Improvement", "number"),
    Column("Realised quantity", "number"),
    Column("Realised value (£)", "money"),
    Column("Present value (£)", "money"),
    Column("% of target", "percent"),
    Column("Planned to date", "number"),
    Column("RAG", "rag"),
]
FIGURE_KEYS = ("benefit_id", "title", "type", *JSON_KEYS[1:])
"""Which compute JSON key each column of the figures tables shows (title, type from the register)."""


def figure_rows(
    computed: Computation,
    figures: Iterable[BenefitFigures],
    caption: str = "Figures per benefit",
    key: str = "figures",
) -> Table:
    rows: list[list[Value]] = []
    keys: list[str] = []
    for fig in figures:
        data: dict[str, Any] = fig.to_json()
        benefit = computed.benefit(fig.benefit_id)
        data["title"] = benefit.title
        data["type"] = display.TYPE_LABEL[fig.benefit_type] + (" (dis-benefit)" if fig.is_disbenefit else "")
        data["rag"] = _rag_value(computed, fig)
        rows.append([data[k] for k in FIGURE_KEYS])
        keys.append(fig.benefit_id)
    return Table(caption, FIGURE_COLUMNS, rows, key=key, row_keys=keys)


def _figures_section(computed: Computation) -> Section:
    return Section(
        "figures",
        "Every benefit's figures",
        [
            "The figures of `xl-brm compute`, to the penny: improvement, realised quantity and "
            "planned to date are in each benefit's own unit; — means the figure does not apply or "
            "nothing has been measured yet."
        ],
        [figure_rows(computed, computed.figures)],
    )


# -- trajectories --------------------------------------------------------------------------------


def trajectory_chart(computed: Computation, fig: BenefitFigures) -> Chart:
    """Baseline, plan, actuals and target of one quantitative benefit, period by period."""
    benefit = computed.benefit(fig.benefit_id)
    points = [p.to_json() for p in fig.series]
    periods = [p["period"] for p in points]
    target = benefit.target_value
    unit = benefit.unit or "value"
    series = [
        Series("Actual", [p["actual"] for p in points], "actual"),
        Series("Planned", [p["planned_level"] for p in points], "plan"),
        Series("Baseline", [p["baseline"] for p in points], "baseline"),
    ]
    if target is not None:
        series.append(Series("Target", [target for _ in points], "target"))
    shown = fig.to_json()
    alt = (
        f"Line chart of {benefit.measure or benefit.title} ({unit}) by period, "
        f"{periods[0]} to {periods[-1]}: "
        f"baseline {display.quantity(shown['baseline'])}, target {display.quantity(target)}"
        + (f" by {display.day(benefit.target_date)}" if benefit.target_date else "")
        + f", latest actual {display.quantity(shown['latest'])}. The figures are in the table below."
        if periods
        else f"No periods to chart for {benefit.benefit_id}."
    )
    return Chart(
        title=f"{benefit.benefit_id} {benefit.title}",
        y_label=unit[:1].upper() + unit[1:],
        periods=periods,
        series=series,
        alt=alt,
    )


def _trajectories(computed: Computation) -> Section:
    subsections = []
    for fig in computed.figures:
        if fig.benefit_type is BenefitType.QUALITATIVE or not fig.series:
            continue
        benefit = computed.benefit(fig.benefit_id)
        shown = fig.to_json()
        facts = Facts(
            [
                (
                    "Measure",
                    f"{benefit.measure or '—'} ({benefit.unit or 'no unit'}), "
                    f"{'higher' if (benefit.direction or '') == 'increase' else 'lower'} is better",
                ),
                ("Baseline", display.quantity(shown["baseline"])),
                ("Target", f"{display.quantity(benefit.target_value)} by {display.day(benefit.target_date)}"),
                ("Latest", display.quantity(shown["latest"])),
                ("Percent of target", display.percent(shown["percent_of_target"])),
                ("RAG", computed.blocked_text(fig.benefit_id) or display.rag(fig.rag)),
            ]
        )
        subsections.append(
            Section(
                f"trajectory-{fig.benefit_id}",
                f"{fig.benefit_id}: {benefit.title}",
                blocks=[facts, trajectory_chart(computed, fig)],
                note="" if not fig.warnings else "Read with care: " + "; ".join(fig.warnings) + ".",
            )
        )
    return Section(
        "trajectories",
        "Trajectories",
        ["Each quantitative benefit's baseline, planned level, actuals and target, period by period."],
        subsections=subsections,
    )


# -- qualitative, dis-benefits, unplanned --------------------------------------------------------


def _qualitative(computed: Computation) -> Section:
    subsections = []
    for fig in computed.figures:
        if fig.benefit_type is not BenefitType.QUALITATIVE:
            continue
        benefit = computed.benefit(fig.benefit_id)
        items = [
            ("Project", benefit.project),
            ("Owner", benefit.benefit_owner),
            ("Approval", _approval(benefit)),
            ("Confidence", (benefit.confidence or "—").capitalize()),
            ("Evidence", benefit.evidence or "No evidence recorded yet."),
        ]
        blocks: list[Table | Chart | Facts] = [Facts(items)]
        entries = [
            m for m in computed.register.measurements.get(benefit.benefit_id, []) if isinstance(m.value, str)
        ]
        if entries:
            blocks.append(
                Table(
                    f"Evidence recorded for {benefit.benefit_id}",
                    [Column("Period"), Column("Evidence"), Column("Grade"), Column("Source")],
                    [
                        [str(m.period), str(m.value), m.evidence_grade.value.capitalize(), m.source or "—"]
                        for m in entries
                    ],
                    key=f"evidence-{benefit.benefit_id}",
                )
            )
        subsections.append(
            Section(
                f"qualitative-{benefit.benefit_id}", f"{benefit.benefit_id}: {benefit.title}", blocks=blocks
            )
        )
    return Section(
        "qualitative",
        "Qualitative benefits",
        ["Benefits whose status comes from evidence rather than numbers, with the evidence and its grade."]
        if subsections
        else ["The register has no qualitative benefits."],
        subsections=subsections,
    )


def _approval(benefit: Benefit) -> str:
    text = benefit.approval_status.value.capitalize()
    if benefit.approved_by or benefit.approved_on:
        text += f" by {benefit.approved_by or '—'} on {display.day(benefit.approved_on)}"
    return text


def _disbenefits_and_unplanned(computed: Computation) -> Section:
    paragraphs = [
        "Dis-benefits use the same arithmetic as benefits and their values are usually negative; "
        "unplanned benefits were recorded after the fact."
    ]
    blocks: list[Table | Chart | Facts] = []
    groups = (
        ("Dis-benefits", "disbenefits", [f for f in computed.figures if f.is_disbenefit]),
        (
            "Unplanned benefits",
            "unplanned",
            [f for f in computed.figures if not computed.benefit(f.benefit_id).planned],
        ),
    )
    for caption, key, chosen in groups:
        if chosen:
            blocks.append(figure_rows(computed, chosen, caption, key))
        else:
            paragraphs.append(f"The register records no {caption.lower()}.")
    return Section("other", "Dis-benefits and unplanned benefits", paragraphs, blocks)


# -- data-quality annex ----------------------------------------------------------------------------


def _annex(computed: Computation) -> Section:
    from xl_brm.rules import RULES

    by_code: dict[str, list[Any]] = defaultdict(list)
    for finding in computed.findings:
        by_code[finding.code].append(finding)
    order = {"error": 0, "warning": 1, "info": 2}
    rows: list[list[Value]] = []
    for code, found in sorted(by_code.items(), key=lambda kv: (order[kv[1][0].severity], kv[0])):
        rule = RULES.get(code)
        cells = [f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "—") for f in found]
        listed = ", ".join(cells[:MAX_CELLS]) + (
            f" and {len(cells) - MAX_CELLS} more" if len(cells) > MAX_CELLS else ""
        )
        rows.append(
            [
                code,
                found[0].severity.capitalize(),
                rule.title if rule else found[0].message,
                len(found),
                listed,
            ]
        )
    paragraphs = [
        f"{display.count(len(computed.findings), 'open finding')} from the same checks as `xl-brm validate`; "
        "errors block approval and national submission, warnings and information do not."
        if rows
        else "No open findings: every row passes the national rules."
    ]
    blocks: list[Table | Chart | Facts] = []
    if rows:
        blocks.append(
            Table(
                "Open findings by rule",
                [
                    Column("Rule"),
                    Column("Severity"),
                    Column("What"),
                    Column("Findings", "count"),
                    Column("Cells"),
                ],
                rows,
                key="findings",
                row_keys=[str(r[0]) for r in rows],
            )
        )
    return Section("annex", "Annex: data quality", paragraphs, blocks)
