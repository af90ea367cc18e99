"""Break a clean register at known places: each injection names the rule code that should fire
and the (row, field) it should fire at, which the written layout turns into an A1 cell.

Every injection goes on a row no other injection touched (a benefit and its measurements
count as one), so that each expected finding has exactly one cause.

Cells for the row rules (where SPEC §6 is silent) are the natural ones: the cell that has to
change to fix it: BRM301 baseline_end, BRM302 target_value, BRM303 unit_value_gbp, BRM304
the blank approved_by / approved_on, BRM305 approved_on, BRM306 evidence, BRM307
baseline_value, BRM308 target_date, BRM309 the blank field; BRM401 the benefit_id of the
later row, BRM403 the period of the later row, BRM402 the measurement's benefit_id, BRM406
the row's trust_ods.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from accuracy_gen import BENEFITS, MEASUREMENTS, Formula, Month, Quarter, Raw, Register, Row, Style

FINANCIAL = ("cash_releasing", "non_cash_releasing")


@dataclass(frozen=True, slots=True)
class Injection:
    kind: str
    code: str
    sheet: str
    """Canonical sheet kind: Benefits or Measurements."""
    uid: str
    field: str
    written: Any


@dataclass(slots=True)
class _Ctx:
    reg: Register
    style: Style
    rng: random.Random
    today: date
    used: set[str] = field(default_factory=set)
    """benefit uids already broken (their measurements too)."""

    def has(self, sheet: str, name: str) -> bool:
        headers = self.style.benefit_headers if sheet == BENEFITS else self.style.measurement_headers
        return name in headers

    def pick(self, ok: Callable[[Row], bool]) -> Row | None:
        rows = [b for b in self.reg.benefits if b.uid not in self.used and ok(b)]
        if not rows:
            return None
        row = self.rng.choice(rows)
        self.used.add(row.uid)
        return row

    def series(self, ok: Callable[[Row], bool], *, min_len: int = 1) -> tuple[Row, list[Row]] | None:
        """An unused benefit and its measurement rows."""
        by_id: dict[Any, list[Row]] = {}
        for m in self.reg.measurements:
            by_id.setdefault(m.cells["benefit_id"], []).append(m)
        rows = [
            b
            for b in self.reg.benefits
            if b.uid not in self.used and ok(b) and len(by_id.get(b.cells["benefit_id"], [])) >= min_len
        ]
        if not rows:
            return None
        row = self.rng.choice(rows)
        self.used.add(row.uid)
        return row, by_id[row.cells["benefit_id"]]


def _quant(b: Row) -> bool:
    return b.cells.get("benefit_type") not in (None, "qualitative")


def _given(b: Row) -> bool:
    return _quant(b) and "baseline_value" in b.cells


def _approved(b: Row) -> bool:
    return b.cells.get("approval_status") == "approved"


def _set(
    ctx: _Ctx, kind: str, code: str, row: Row, name: str, value: Any, sheet: str = BENEFITS
) -> Injection:
    if value is None:
        row.cells.pop(name, None)
    else:
        row.cells[name] = value
    shown = value.value if isinstance(value, Raw) else value.text if isinstance(value, Formula) else value
    return Injection(kind, code, sheet, row.uid, name, shown)


Injector = Callable[[_Ctx], "Injection | None"]
INJECTORS: dict[str, Injector] = {}


def injector(kind: str) -> Callable[[Injector], Injector]:
    def register(fn: Injector) -> Injector:
        INJECTORS[kind] = fn
        return fn

    return register


# ---------------------------------------------------------------------------- cell rules


@injector("not_a_number_baseline")
def _nan_baseline(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(_given) if ctx.has(BENEFITS, "baseline_value") else None
    word = ctx.rng.choice(("n/a", "tbc", "TBC", "awaiting data", "N/A", "unknown"))
    return row and _set(ctx, "not_a_number_baseline", "BRM201", row, "baseline_value", Raw(word))


@injector("not_a_number_target")
def _nan_target(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(lambda b: "target_value" in b.cells) if ctx.has(BENEFITS, "target_value") else None
    word = ctx.rng.choice(("tbc", "see plan", "TBC - awaiting BI", "50% reduction"))
    return row and _set(ctx, "not_a_number_target", "BRM201", row, "target_value", Raw(word))


@injector("not_a_number_unit_value")
def _nan_unit(ctx: _Ctx) -> Injection | None:
    ok = ctx.has(BENEFITS, "unit_value_gbp")
    row = ctx.pick(lambda b: b.cells.get("benefit_type") in FINANCIAL) if ok else None
    word = ctx.rng.choice(("£tbc", "varies", "TBC", "£35 per hour"))
    return row and _set(ctx, "not_a_number_unit_value", "BRM201", row, "unit_value_gbp", Raw(word))


@injector("invalid_date")
def _bad_date(ctx: _Ctx) -> Injection | None:
    names = [
        n
        for n in ("target_date", "realisation_start", "baseline_start", "approved_on")
        if ctx.has(BENEFITS, n)
    ]
    name = ctx.rng.choice(names) if names else None
    row = ctx.pick(lambda b: name in b.cells) if name else None
    text = ctx.rng.choice(
        ("31/02/2020", "30/02/2021", "31/04/2020", "29/02/2019", "31/06/2020", "32/01/2020")
    )
    return row and name and _set(ctx, "invalid_date", "BRM202", row, name, Raw(text))


@injector("us_only_date")
def _us_date(ctx: _Ctx) -> Injection | None:
    names = [n for n in ("target_date", "realisation_start") if ctx.has(BENEFITS, n)]
    name = ctx.rng.choice(names) if names else None
    row = ctx.pick(lambda b: name in b.cells) if name else None
    return row and name and _set(ctx, "us_only_date", "BRM202", row, name, Raw("12/31/2020"))


def _enum(kind: str, name: str, words: tuple[str, ...], ok: Callable[[Row], bool] = lambda b: True) -> None:
    @injector(kind)
    def inject(ctx: _Ctx) -> Injection | None:
        row = ctx.pick(lambda b: name in b.cells and ok(b)) if ctx.has(BENEFITS, name) else None
        return row and _set(ctx, kind, "BRM204", row, name, Raw(ctx.rng.choice(words)))


_enum(
    "unknown_benefit_type", "benefit_type", ("Financial (maybe)", "Cashable?", "Efficiency saving", "Mixed")
)
_enum("unknown_category", "category", ("Digital", "Innovation", "Other", "Strategic"))
_enum("unknown_approval_status", "approval_status", ("With CFO", "On hold", "Parked", "Awaiting board"))
_enum("unknown_direction", "direction", ("Sideways", "Stable", "Maintain", "N/A"), _quant)
_enum("unknown_confidence", "confidence", ("Very high", "Unsure", "50/50"))


@injector("not_yes_no")
def _flag(ctx: _Ctx) -> Injection | None:
    names = [n for n in ("is_disbenefit", "planned") if ctx.has(BENEFITS, n)]
    if not names:
        return None
    name = ctx.rng.choice(names)
    row = ctx.pick(lambda b: not b.cells.get("is_disbenefit") and b.cells.get("planned", True))
    return row and _set(
        ctx, "not_yes_no", "BRM211", row, name, Raw(ctx.rng.choice(("maybe", "TBC", "Partly")))
    )


@injector("malformed_ods")
def _ods(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(lambda b: True) if ctx.has(BENEFITS, "trust_ods") else None
    bad = ctx.rng.choice(("RJ-1", "R J 1", "Leeds THT", "RR8/01", "R1"))
    return row and _set(ctx, "malformed_ods", "BRM205", row, "trust_ods", Raw(bad))


@injector("attribution_out_of_range")
def _attribution(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(lambda b: True) if ctx.has(BENEFITS, "attribution_pct") else None
    bad = ctx.rng.choice(("150%", 150.0, "-10%", "120 %"))
    return row and _set(ctx, "attribution_out_of_range", "BRM206", row, "attribution_pct", Raw(bad))


@injector("formula_injection_text")
def _formula_text(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(lambda b: True)
    if row is None:
        return None
    text = ctx.rng.choice(
        (
            '=HYPERLINK("http://intranet/brm","see intranet")',
            "-ve impact on waiting times",
            "+5 FTE released from admin",
            "@Finance please confirm saving",
        )
    )
    name = "title"
    if "evidence" in row.cells and ctx.has(BENEFITS, "evidence") and ctx.rng.random() < 0.3:
        name = "evidence"
    return _set(ctx, "formula_injection_text", "BRM208", row, name, Raw(text))


@injector("excel_error_value")
def _excel_error(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(_given) if ctx.has(BENEFITS, "baseline_value") else None
    err = ctx.rng.choice(("#DIV/0!", "#N/A", "#REF!", "#VALUE!"))
    return row and _set(ctx, "excel_error_value", "BRM213", row, "baseline_value", Raw(err))


@injector("formula_without_value")
def _formula(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(_given) if ctx.has(BENEFITS, "baseline_value") else None
    return row and _set(
        ctx, "formula_without_value", "BRM106", row, "baseline_value", Formula("=AVERAGE(Actuals!C5:C10)")
    )


@injector("required_value_blank")
def _blank(ctx: _Ctx) -> Injection | None:
    names = [
        n
        for n in ("title", "benefit_owner", "project", "category", "approval_status", "benefit_type")
        if ctx.has(BENEFITS, n)
    ]
    name = ctx.rng.choice(names)
    row = ctx.pick(lambda b: name in b.cells)
    return row and _set(ctx, "required_value_blank", "BRM210", row, name, None)


# ---------------------------------------------------------------------------- row rules


@injector("baseline_window_reversed")
def _window(ctx: _Ctx) -> Injection | None:
    if not (ctx.has(BENEFITS, "baseline_start") and ctx.has(BENEFITS, "baseline_end")):
        return None
    row = ctx.pick(lambda b: _given(b) and "baseline_start" in b.cells)
    if row is None:
        return None
    end = row.cells["baseline_start"] - timedelta(days=ctx.rng.choice((31, 61, 92)))
    return _set(ctx, "baseline_window_reversed", "BRM301", row, "baseline_end", end)


@injector("target_wrong_direction")
def _direction(ctx: _Ctx) -> Injection | None:
    if not ctx.has(BENEFITS, "target_value"):
        return None
    row = ctx.pick(lambda b: _given(b) and "target_value" in b.cells and not b.cells.get("is_disbenefit"))
    if row is None:
        return None
    base = row.cells["baseline_value"]
    worse = base * (1.25 if row.cells["direction"] == "decrease" else 0.8)
    target = base if ctx.rng.random() < 0.4 else float(round(worse, 1))
    return _set(ctx, "target_wrong_direction", "BRM302", row, "target_value", target)


@injector("financial_without_unit_value")
def _no_unit_value(ctx: _Ctx) -> Injection | None:
    ok = ctx.has(BENEFITS, "unit_value_gbp")
    row = ctx.pick(lambda b: b.cells.get("benefit_type") in FINANCIAL) if ok else None
    return row and _set(ctx, "financial_without_unit_value", "BRM303", row, "unit_value_gbp", None)


@injector("approved_without_approver")
def _no_approver(ctx: _Ctx) -> Injection | None:
    names = [n for n in ("approved_by", "approved_on") if ctx.has(BENEFITS, n)]
    if not names:
        return None
    name = ctx.rng.choice(names)
    row = ctx.pick(_approved)
    return row and _set(ctx, "approved_without_approver", "BRM304", row, name, None)


@injector("approved_on_in_future")
def _future(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(_approved) if ctx.has(BENEFITS, "approved_on") else None
    when = ctx.today + timedelta(days=ctx.rng.randint(30, 400))
    return row and _set(ctx, "approved_on_in_future", "BRM305", row, "approved_on", when)


@injector("approved_qualitative_without_evidence")
def _no_evidence(ctx: _Ctx) -> Injection | None:
    ok = ctx.has(BENEFITS, "evidence")
    row = ctx.pick(lambda b: _approved(b) and b.cells.get("benefit_type") == "qualitative") if ok else None
    return row and _set(ctx, "approved_qualitative_without_evidence", "BRM306", row, "evidence", None)


@injector("approved_without_baseline")
def _no_baseline(ctx: _Ctx) -> Injection | None:
    ok = ctx.has(BENEFITS, "baseline_value")
    row = ctx.pick(lambda b: _approved(b) and _given(b)) if ok else None
    return row and _set(ctx, "approved_without_baseline", "BRM307", row, "baseline_value", None)


@injector("target_date_before_realisation")
def _target_date(ctx: _Ctx) -> Injection | None:
    if not (ctx.has(BENEFITS, "target_date") and ctx.has(BENEFITS, "realisation_start")):
        return None
    row = ctx.pick(lambda b: "target_date" in b.cells and "realisation_start" in b.cells)
    if row is None:
        return None
    when = row.cells["realisation_start"] - timedelta(days=ctx.rng.choice((1, 90, 183)))
    return _set(ctx, "target_date_before_realisation", "BRM308", row, "target_date", when)


@injector("quantitative_field_missing")
def _quant_missing(ctx: _Ctx) -> Injection | None:
    names = [n for n in ("measure", "unit", "direction") if ctx.has(BENEFITS, n)]
    if not names:
        return None
    name = ctx.rng.choice(names)
    row = ctx.pick(_quant)
    return row and _set(ctx, "quantitative_field_missing", "BRM309", row, name, None)


# ---------------------------------------------------------------------------- table rules


@injector("duplicate_benefit_id")
def _dup_id(ctx: _Ctx) -> Injection | None:
    later = ctx.pick(lambda b: ctx.reg.benefits.index(b) > 0)
    if later is None:
        return None
    k = ctx.reg.benefits.index(later)
    earlier = ctx.reg.benefits[ctx.rng.randrange(k)]
    old = later.cells["benefit_id"]
    # the later row's measurements would otherwise belong to no benefit (BRM402)
    ctx.reg.measurements = [m for m in ctx.reg.measurements if m.cells["benefit_id"] != old]
    return _set(ctx, "duplicate_benefit_id", "BRM401", later, "benefit_id", earlier.cells["benefit_id"])


def _typo(ctx: _Ctx, bid: Any) -> Any:
    ids = {b.cells["benefit_id"] for b in ctx.reg.benefits}
    options: list[Any]
    if isinstance(bid, float):
        options = [bid + 100, bid + 1000]
    else:
        options = [
            bid.replace("-0", "-"),
            bid + "A",
            bid.replace("/0", "/"),
            bid.lower() + " ",
            bid + ".1",
            bid.replace("-", "_"),
        ]
    options = [o for o in options if o != bid and o not in ids and str(o).strip().upper() != str(bid).upper()]
    return ctx.rng.choice(options)


@injector("measurement_unknown_benefit")
def _unknown(ctx: _Ctx) -> Injection | None:
    found = ctx.series(_quant, min_len=6)
    if found is None:
        return None
    _, ms = found
    m = ms[ctx.rng.randrange(1, len(ms) - 1)]
    return _set(
        ctx,
        "measurement_unknown_benefit",
        "BRM402",
        m,
        "benefit_id",
        _typo(ctx, m.cells["benefit_id"]),
        sheet=MEASUREMENTS,
    )


def _new_uid(ctx: _Ctx) -> str:
    return f"m{len(ctx.reg.measurements) + 1000}"


@injector("duplicate_measurement")
def _dup_measurement(ctx: _Ctx) -> Injection | None:
    found = ctx.series(lambda b: True, min_len=2)
    if found is None:
        return None
    _, ms = found
    m = ctx.rng.choice(ms)
    twin = copy.deepcopy(m)
    twin.uid = _new_uid(ctx)
    if isinstance(twin.cells["value"], float):
        twin.cells["value"] = float(round(twin.cells["value"] * 1.02, 1))
    i = ctx.reg.measurements.index(m)
    ctx.reg.measurements.insert(i + 1, twin)
    return Injection(
        "duplicate_measurement", "BRM403", MEASUREMENTS, twin.uid, "period", "copy of the row above"
    )


@injector("trust_mismatch")
def _trust(ctx: _Ctx) -> Injection | None:
    row = ctx.pick(lambda b: True) if ctx.has(BENEFITS, "trust_ods") else None
    other = ctx.rng.choice([c for c in ("RRV", "RJ1", "TAJ", "RX1") if c != ctx.reg.trust])
    return row and _set(ctx, "trust_mismatch", "BRM406", row, "trust_ods", other)


@injector("text_value_for_quantitative")
def _text_value(ctx: _Ctx) -> Injection | None:
    found = ctx.series(_quant, min_len=3)
    if found is None:
        return None
    _, ms = found
    m = ctx.rng.choice(ms)
    word = ctx.rng.choice(("about 90", "not yet available", "see note", "awaiting BI"))
    return _set(ctx, "text_value_for_quantitative", "BRM407", m, "value", Raw(word), sheet=MEASUREMENTS)


@injector("invalid_period")
def _period(ctx: _Ctx) -> Injection | None:
    found = ctx.series(lambda b: True, min_len=2)
    if found is None:
        return None
    _, ms = found
    m = ctx.rng.choice(ms)
    bad = ctx.rng.choice(("Spring 2019", "Q5 2019/20", "2019-13", "Month 7"))
    return _set(ctx, "invalid_period", "BRM212", m, "period", Raw(bad), sheet=MEASUREMENTS)


# ---------------------------------------------------------------------------- plausibility (warnings)


@injector("measurement_in_future")
def _future_period(ctx: _Ctx) -> Injection | None:
    found = ctx.series(lambda b: True, min_len=2)
    if found is None:
        return None
    _, ms = found
    m = ms[-1]
    year = ctx.today.year + 3
    period = Quarter(year, 1) if ctx.reg.quarterly else Month(year, 4)
    return _set(ctx, "measurement_in_future", "BRM405", m, "period", period, sheet=MEASUREMENTS)


@injector("value_far_from_neighbours")
def _spike(ctx: _Ctx) -> Injection | None:
    found = ctx.series(_quant, min_len=7)
    if found is None:
        return None
    _, ms = found
    m = ms[ctx.rng.randrange(2, len(ms) - 2)]
    return _set(
        ctx,
        "value_far_from_neighbours",
        "BRM501",
        m,
        "value",
        float(round(m.cells["value"] * 100, 1)),
        sheet=MEASUREMENTS,
    )


@injector("unit_value_above_1m")
def _huge_unit_value(ctx: _Ctx) -> Injection | None:
    ok = ctx.has(BENEFITS, "unit_value_gbp")
    row = ctx.pick(lambda b: b.cells.get("benefit_type") in FINANCIAL) if ok else None
    return row and _set(ctx, "unit_value_above_1m", "BRM502", row, "unit_value_gbp", 2_400_000.0)


@injector("date_implausible")
def _old_date(ctx: _Ctx) -> Injection | None:
    row = (
        ctx.pick(lambda b: "realisation_start" in b.cells) if ctx.has(BENEFITS, "realisation_start") else None
    )
    return row and _set(ctx, "date_implausible", "BRM505", row, "realisation_start", date(1919, 10, 1))


# ---------------------------------------------------------------------------- driver

NOT_WIDE: dict[str, frozenset[str]] = {
    "sheet": frozenset({"invalid_period"}),
    "right": frozenset({"invalid_period", "measurement_unknown_benefit", "duplicate_measurement"}),
}
"""Kinds a wide layout cannot hold: a period is a column's heading there, not a cell, and a
register's row is a benefit (no room for a measurement of an unknown or repeated one)."""


def inject(
    reg: Register,
    style: Style,
    *,
    seed: int,
    today: date,
    kinds: list[str] | None = None,
) -> tuple[Register, list[Injection]]:
    """A broken copy of `reg` and what was broken; each kind is tried once, in a seeded order."""
    broken = copy.deepcopy(reg)
    rng = random.Random(f"inject:{seed}:{style.name}")
    ctx = _Ctx(broken, style, rng, today)
    order = [k for k in (kinds if kinds is not None else INJECTORS) if k not in NOT_WIDE.get(style.wide, ())]
    rng.shuffle(order)
    done: list[Injection] = []
    for kind in order:
        found = INJECTORS[kind](ctx)
        if found:
            done.append(found)
    for j, m in enumerate(broken.measurements):
        if not m.uid:
            m.uid = f"m{j}"
    return broken, done
