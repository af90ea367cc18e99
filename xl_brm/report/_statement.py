"""The Statement of Planned Benefits (SPEC §8): what a programme signs off before work starts.

Built from the same register and calculations as the board report: the planned trajectory is
the plan `xl-brm compute` rates against (the Trajectory sheet, else the straight line), taken
from realisation start to the target date whatever the as-of period.
"""

from __future__ import annotations

from datetime import datetime

from xl_brm import __version__, display
from xl_brm.calc import BenefitFigures, compute_benefit, round_half_up
from xl_brm.computation import Computation
from xl_brm.enums import BaselineMethod, BenefitType
from xl_brm.model import Benefit
from xl_brm.periods import Period
from xl_brm.report._content import Chart, Column, Document, Facts, Section, Table, Value


def statement(computed: Computation, *, now: datetime | None = None) -> Document:
    register = computed.register
    trust = register.trust_ods or "the trust"
    programmes = sorted({b.programme for b in register.benefits})
    rows: list[list[Value]] = []
    for b in register.benefits:
        rows.append(
            [
                b.benefit_id,
                b.title,
                b.project,
                _type(b),
                display.CATEGORY_LABEL[b.category],
                b.benefit_owner,
                _approval(b),
            ]
        )
    summary = Section(
        "summary",
        "Benefits planned",
        [
            f"{len(register.benefits)} benefits, each with an owner, a measure, a baseline, a target "
            "and a planned trajectory, as the programme requires before implementation starts. "
            "Values per unit are before attribution; the attributed £ per unit is what realised "
            "value is counted at."
        ],
        [
            Table(
                "Benefits, owners and approval",
                [
                    Column("Benefit"),
                    Column("Title"),
                    Column("Project"),
                    Column("Type"),
                    Column("Category"),
                    Column("Owner"),
                    Column("Approval"),
                ],
                rows,
                key="statement",
                row_keys=[b.benefit_id for b in register.benefits],
            )
        ],
    )
    details = Section(
        "benefits", "Each benefit", subsections=[_benefit(computed, b) for b in register.benefits]
    )
    when = display.moment(now or datetime.now().astimezone())
    return Document(
        title=f"Statement of Planned Benefits: {trust}",
        subtitle=(f"Programme {', '.join(programmes)} · " if programmes else "") + f"prepared {when}",
        trust=trust,
        sections=[summary, details],
        footer=f"Made by xl-brm {__version__} on {when} from the benefits register; the planned "
        "trajectory is the plan `xl-brm compute` rates progress against.",
    )


def _type(b: Benefit) -> str:
    return (
        display.TYPE_LABEL[b.benefit_type]
        + (" dis-benefit" if b.is_disbenefit else "")
        + ("" if b.planned else " (unplanned)")
    )


def _approval(b: Benefit) -> str:
    text = b.approval_status.value.capitalize()
    if b.approved_by or b.approved_on:
        text += f" by {b.approved_by or '—'} on {display.day(b.approved_on)}"
    return text


def _baseline(b: Benefit, figures: BenefitFigures | None) -> str:
    value = display.quantity(figures.to_json()["baseline"] if figures else b.baseline_value)
    if b.baseline_method is BaselineMethod.GIVEN:
        text = f"{value} (given)"
    else:
        text = f"{value} ({b.baseline_method.value.replace('_', ' ')} of measurements)"
    if b.baseline_start or b.baseline_end:
        text += f", window {display.day(b.baseline_start)} to {display.day(b.baseline_end)}"
    return text


def _plan_figures(computed: Computation, b: Benefit) -> BenefitFigures | None:
    """The benefit computed as of its target date, so the whole plan is in its series."""
    if b.benefit_type is BenefitType.QUALITATIVE:
        return None
    ends = [p.period for p in computed.register.trajectory.get(b.benefit_id, [])]
    if b.target_date:
        ends.append(Period.of_date(b.target_date))
    if b.realisation_start:
        ends.append(Period.of_date(b.realisation_start))
    if not ends:
        return None
    end = max(ends, key=lambda p: p.index + p.months)
    return compute_benefit(
        b,
        computed.register.measurements.get(b.benefit_id, []),
        trajectory=computed.register.trajectory.get(b.benefit_id, []),
        as_of=end,
        base_fy=computed.base_fy,
    )


def _benefit(computed: Computation, b: Benefit) -> Section:
    figures = _plan_figures(computed, b)
    factor = computed.gbp_per_unit(b.benefit_id)
    items = [
        ("Title", b.title),
        ("Project and programme", f"{b.project} ({b.programme})"),
        ("Type and category", f"{_type(b)}; {display.CATEGORY_LABEL[b.category]}"),
        ("Owner", b.benefit_owner),
    ]
    if b.benefit_type is BenefitType.QUALITATIVE:
        items.append(("Evidence so far", b.evidence or "None recorded yet."))
    else:
        better = {"increase": "higher is better", "decrease": "lower is better"}.get(
            str(b.direction or ""), ""
        )
        items += [
            ("Measure", f"{b.measure or '—'} ({b.unit or 'no unit'})" + (f", {better}" if better else "")),
            ("Baseline", _baseline(b, figures)),
            ("Target", f"{display.quantity(b.target_value)} by {display.day(b.target_date)}"),
            ("Realisation starts", display.day(b.realisation_start)),
        ]
        if b.benefit_type.is_financial:
            items += [
                ("Value per unit", display.money(b.unit_value_gbp)),
                ("Attribution", display.percent(b.attribution_pct, 0)),
                ("Attributed £ per unit", display.money(round_half_up(factor, 2))),
            ]
    items.append(("Approval", _approval(b)))
    if b.confidence:
        items.append(("Confidence", b.confidence.value.capitalize()))
    blocks: list[Table | Chart | Facts] = [Facts(items)]
    plan = _plan_table(b, figures, factor)
    if plan is not None:
        blocks.append(plan)
    return Section(f"planned-{b.benefit_id}", f"{b.benefit_id}: {b.title}", blocks=blocks)


def _plan_table(b: Benefit, figures: BenefitFigures | None, factor: float | None) -> Table | None:
    if figures is None:
        return None
    start = Period.of_date(b.realisation_start).index if b.realisation_start else None
    points = [
        p
        for p in figures.series
        if p.planned_level is not None and (start is None or p.period.index + p.period.months > start)
    ]
    if not points:
        return None
    columns = [Column("Period"), Column("Planned level", "number"), Column("Planned improvement", "number")]
    if factor is not None:
        columns.append(Column("Planned value (£)", "money"))
    rows: list[list[Value]] = []
    for p in points:
        shown = p.to_json()
        row: list[Value] = [shown["period"], shown["planned_level"], shown["planned_improvement"]]
        if factor is not None:
            pd = p.planned_improvement
            row.append(None if pd is None else round_half_up(pd * factor, 2))
        rows.append(row)
    return Table(f"Planned trajectory of {b.benefit_id}", columns, rows, key=f"plan-{b.benefit_id}")
