"""The page of spellings xl-brm reads (docs/spellings.md), generated from the tables themselves
so that it can never disagree with them: `python -m xl_brm.spellings > docs/spellings.md`."""

from __future__ import annotations

from enum import StrEnum

from xl_brm.enums import AMBIGUOUS, SYNONYMS
from xl_brm.fields import BENEFIT_FIELDS, MEASUREMENT_FIELDS

PERIODS = (
    ("a month", "`2019-04`, `Apr-19`, `Apr 2019`, `April 2019`, `30/04/2019`, a date cell, an Excel "
     "date serial, `M1 2019/20` or `Month 1 2019/20` (NHS finance's month 1 is April), `Apr 2019/20`"),
    ("a quarter of the NHS financial year", "`2019/20 Q1`, `FY2019/20 Q1`, `Q1 2019/20`, `Q1 19/20`, "
     "`19/20 Q1`, `Qtr 1 2019/20`, `Quarter 1 2019-20`, `FY19/20 Q1`, `Q1 FY19/20`"),
)


def markdown() -> str:
    fields = {f.enum: f.name for f in (*BENEFIT_FIELDS, *MEASUREMENT_FIELDS) if f.enum is not None}
    lines = [
        "# Spellings xl-brm reads",
        "",
        "Generated from `xl_brm/enums.py` and `xl_brm/periods.py` (`python -m xl_brm.spellings`);",
        "do not edit by hand. Case, spaces and punctuation are ignored ('Non-Cash Releasing',",
        "'non cash releasing' and 'NON_CASH_RELEASING' are the same), a bracketed aside is dropped",
        "('Cash releasing (CRB)'), and words joined by '/', '&', 'and' or ',' are read one by one",
        "('Efficiency / Productivity', 'Quality & Safety').",
        "",
        "A value joining two different options ('Quality / Efficiency') is read as the first, with",
        "a warning (BRM217), for " + " and ".join(f"`{fields[e]}`" for e in sorted(AMBIGUOUS, key=str))
        + ". For any other field it is refused",
        "(BRM204): a benefit type, a direction or a status is never guessed. Anything else not",
        "listed here is refused too, naming the allowed values.",
        "",
        "## Periods (SPEC §3)",
        "",
        "In a period cell, or as the heading of a column per period (the wide layout, SPEC §2.2):",
        "",
    ]
    lines += [f"- {what}: {how}" for what, how in PERIODS]
    lines += [
        "",
        "A heading may carry a word saying what its cells are: `Actual Apr-19` and `Apr-19 (actual)`",
        "are measurements, `Plan Q1 19/20` and `Q1 19/20 target` planned values (the trajectory). A",
        "bare `Apr` or `Q1` under a financial-year label (`2019/20` over the run of columns) takes its",
        "year from the label; without one it is not read, and a column of numbers under it is a",
        "warning (BRM108). A column saying what each row is (`Actual` / `Plan` / `Forecast`) makes a",
        "row measurements or the plan; other rows are not read (BRM109).",
        "",
    ]
    for enum, by_member in SYNONYMS.items():
        lines += [f"## {_title(enum)} (`{fields.get(enum, enum.__name__)}`)", "", "| value | also written |",
                  "|---|---|"]
        for value, words in by_member.items():
            lines.append(f"| `{value}` | " + ", ".join(_cell(w) for w in words) + " |")
        lines.append("")
    return "\n".join(lines)


def _title(enum: type[StrEnum]) -> str:
    name = enum.__name__
    return "".join(" " + c if c.isupper() and i else c for i, c in enumerate(name))


def _cell(word: str) -> str:
    return word.replace("|", "\\|")


if __name__ == "__main__":
    print(markdown(), end="")
