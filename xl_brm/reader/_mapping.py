"""Header mappings: a trust maps its own column names to canonical fields once, in a small text
file it can read and edit, and every later run reuses it (SPEC §4: no re-keying).

The file looks like this (`xl-brm map FILE` writes it)::

    [Benefits: Benefit Register]
    header row = 3
    Ref No = benefit_id
    Unit Value (£) = unit_value_gbp
    # unmapped (kept as local columns, never sent nationally):
    # RAG =

One section per sheet kind, `[Kind: sheet name]` (sheet names cannot contain ':' or ']', so the
line is never ambiguous); a further section of a kind names one more sheet of it (a tracking
sheet per year). Each other line is `header as in your sheet = canonical field`; a blank
right-hand side keeps the column as a local column. A column per period (SPEC §2.2, wide
layout) is mapped to its period: `Q1 19/20 = 2019/20 Q1`, `M1 = 2019-04`; `plan 2019/20 Q1`
makes its cells planned values (the trajectory). Headers are matched ignoring case, spacing
and punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xl_brm.enums import fold
from xl_brm.errors import MappingError
from xl_brm.fields import SHEETS
from xl_brm.periods import Period
from xl_brm.reader._limits import EXCEL_MAX_ROWS
from xl_brm.reader.wide import TRAJECTORY, period_of_header

MappedPeriod = tuple[Period, str | None]
"""A period column's period, and the kind its cells are (None: the kind of the sheet)."""

_KINDS = {fold(kind): kind for kind in SHEETS}
_FIELDS = {kind: {fold(f.name): f.name for f in fields} for kind, fields in SHEETS.items()}
_HEADER_ROW = "headerrow"


@dataclass(slots=True)
class SheetMapping:
    """How one sheet kind is laid out in a trust's workbook."""

    kind: str
    """Canonical kind: 'Benefits', 'Measurements' or 'Trajectory'."""
    sheet: str | None = None
    """The sheet's name in the workbook; None = find it by its usual names."""
    header_row: int | None = None
    """Excel row number of the header row; None = detect it."""
    columns: dict[str, str | None] = field(default_factory=dict)
    """Header as the trust wrote it -> canonical field, or None for a local column."""
    periods: dict[str, MappedPeriod] = field(default_factory=dict)
    """Header as the trust wrote it -> the period its column holds (wide layout)."""
    unmapped: list[str] = field(default_factory=list)
    """Headers left as local columns (written as comments, for the trust to fill in)."""
    line: int | None = None
    """Line of the section in the file it was loaded from (for error messages)."""

    def lookup(self) -> dict[str, str | None]:
        """Folded header -> field (None = local), as the reader matches headers."""
        return {fold(header): name for header, name in self.columns.items()}

    def period_lookup(self) -> dict[str, MappedPeriod]:
        """Folded header -> the period (and kind) of its column."""
        return {fold(header): period for header, period in self.periods.items()}


@dataclass(slots=True)
class HeaderMapping:
    """Per sheet kind, where the sheet is and which column holds which canonical field."""

    sheets: dict[str, SheetMapping] = field(default_factory=dict)
    also: list[SheetMapping] = field(default_factory=list)
    """Further sheets of a kind (a tracking sheet per year), read beside the first."""
    source: str | None = None
    """The workbook it was proposed from, or the file it was loaded from."""

    def get(self, kind: str) -> SheetMapping | None:
        return self.sheets.get(kind)

    def sections(self) -> list[SheetMapping]:
        """Every sheet it names, the first of each kind first."""
        return [*self.sheets.values(), *self.also]

    def dumps(self) -> str:
        """The mapping as the text of a mapping file."""
        out = [
            "# xl-brm header mapping" + (f" for {Path(self.source).name}" if self.source else ""),
            "# Under each [Kind: sheet name], one line per column:  header in your sheet = field",
            "# Leave the right-hand side blank to keep a column as a local column (shown, never",
            "# sent nationally). Use it with:  xl-brm validate FILE --mapping THIS-FILE",
        ]
        ordered = [self.sheets[kind] for kind in SHEETS if kind in self.sheets] + self.also
        for sm in ordered:
            kind = sm.kind
            out.append("")
            out.append(f"# {kind} fields: " + ", ".join(f.name for f in SHEETS[kind]))
            out.append(f"[{kind}: {sm.sheet}]" if sm.sheet else f"[{kind}]")
            if sm.header_row is not None:
                out.append(f"header row = {sm.header_row}")
            for header, name in sm.columns.items():
                out.append(f"{_escape(header)} = {name or ''}".rstrip())
            if sm.periods:
                out.append("# a column per period: each filled cell is one "
                           + ("planned value" if kind == TRAJECTORY else "measurement"))
            for header, (period, said) in sm.periods.items():
                word = "plan " if said == TRAJECTORY and kind != TRAJECTORY else ""
                out.append(f"{_escape(header)} = {word}{period}")
            if sm.unmapped:
                out.append("# unmapped (kept as local columns, never sent nationally):")
                out.extend(f"# {_escape(h)} =" for h in sm.unmapped)
        return "\n".join(out) + "\n"

    def save(self, path: str | Path) -> None:
        """Write the mapping file (whole or not at all: a temporary file is renamed into place)."""
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(self.dumps(), encoding="utf-8")
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> HeaderMapping:
        """Read a mapping file. Raises `MappingError` naming the file and line of any mistake."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise MappingError("mapping file not found", path=p,
                               hint="check the path, or write one with `xl-brm map WORKBOOK`") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"cannot read the mapping file ({exc})", path=p,
                               hint="save it as UTF-8 text") from None
        return cls.loads(text, path=p)

    @classmethod
    def loads(cls, text: str, *, path: str | Path | None = None) -> HeaderMapping:
        """Parse mapping text; `path` only names the file in error messages."""
        return _Parser(path).parse(text)


def _escape(header: str) -> str:
    """One line per header: newlines become spaces; a leading '#' or '[' is escaped."""
    flat = " ".join(header.split())
    return "\\" + flat if flat[:1] in ("#", "[", "\\") else flat


class _Parser:
    def __init__(self, path: str | Path | None) -> None:
        self.path = path

    def fail(self, line: int, message: str, hint: str) -> MappingError:
        return MappingError(f"line {line}: {message}", path=self.path, hint=hint)

    def parse(self, text: str) -> HeaderMapping:
        mapping = HeaderMapping(source=str(self.path) if self.path else None)
        current: SheetMapping | None = None
        seen_fields: dict[str, int] = {}
        seen_headers: dict[str, int] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                current = self.section(number, line, mapping)
                seen_fields, seen_headers = {}, {}
                continue
            if current is None:
                raise self.fail(number, f"'{line}' comes before any [Benefits] / [Measurements] section",
                                "start the file with a section line such as [Benefits: Benefit Register]")
            if "=" not in line:
                raise self.fail(number, f"'{line}' is not of the form  header = field",
                                "write the header as in your sheet, '=', then the canonical field name")
            header, _, value = line.rpartition("=")
            header, value = header.strip(), value.strip()
            if header.startswith("\\"):
                header = header[1:].strip()
            if not header:
                raise self.fail(number, "a line has no header before '='",
                                "write the header as in your sheet before the '='")
            if fold(header) == _HEADER_ROW and value.isdigit():
                row = int(value)
                if not 1 <= row <= EXCEL_MAX_ROWS:
                    raise self.fail(number, f"header row {row} is not a row of a sheet",
                                    "give the Excel row number of the header row, e.g. header row = 3")
                current.header_row = row
                continue
            key = fold(header)
            if key in seen_headers:
                raise self.fail(number, f"header '{header}' is mapped twice (first on line "
                                f"{seen_headers[key]})", "keep one line per header")
            seen_headers[key] = number
            period = self.period(current.kind, value)
            if period is not None:
                current.periods[header] = period
                continue
            name = self.field(number, current.kind, value)
            if name is not None:
                if name in seen_fields:
                    raise self.fail(number, f"field {name} is given to two headers (first on line "
                                    f"{seen_fields[name]})", "map each field to one column only")
                seen_fields[name] = number
            current.columns[header] = name
        if not mapping.sheets:
            raise MappingError("the mapping file has no [Benefits], [Measurements] or [Trajectory] "
                               "section", path=self.path,
                               hint="write one with `xl-brm map WORKBOOK` and edit it")
        return mapping

    def section(self, number: int, line: str, mapping: HeaderMapping) -> SheetMapping:
        if not line.endswith("]"):
            raise self.fail(number, f"section line '{line}' does not end with ']'",
                            "write it as [Benefits: your sheet name]")
        kind_text, _, sheet = line[1:-1].partition(":")
        kind = _KINDS.get(fold(kind_text))
        if kind is None:
            raise self.fail(number, f"'{kind_text.strip()}' is not a sheet kind",
                            "use one of: " + ", ".join(SHEETS))
        sm = SheetMapping(kind=kind, sheet=sheet.strip() or None, line=number)
        named = [s.sheet for s in mapping.sections() if s.kind == kind]
        if not named:
            mapping.sheets[kind] = sm
        elif sm.sheet is None or None in named or fold(sm.sheet) in {fold(s or "") for s in named}:
            raise self.fail(number, f"[{kind}{': ' + sm.sheet if sm.sheet else ''}] appears twice",
                            "keep one section per sheet; a further sheet of a kind needs its own name, "
                            f"e.g. [{kind}: Tracking 2020-21]")
        else:
            mapping.also.append(sm)
        return sm

    def period(self, kind: str, value: str) -> MappedPeriod | None:
        """'2019/20 Q1', 'Apr-19' or 'plan 2019/20 Q1': the period a column holds, or None."""
        if not value:
            return None
        found = period_of_header(value)
        if found is None:
            return None
        period, said = found
        usual = TRAJECTORY if kind == TRAJECTORY else "Measurements"
        return period, (None if said == usual else said)

    def field(self, number: int, kind: str, value: str) -> str | None:
        if value in ("", "-"):
            return None
        name = _FIELDS[kind].get(fold(value))
        if name is None:
            raise self.fail(number, f"'{value}' is not a field of the {kind} sheet",
                            "use one of: " + ", ".join(f.name for f in SHEETS[kind])
                            + ", a period for a column per period (2019/20 Q1, 2019-04), "
                            "or leave it blank for a local column")
        return name
