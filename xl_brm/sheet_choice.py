"""Which of a workbook's sheets hold which kind of table, from their names alone (or a saved
mapping's): the first thing a reader needs, so that it can start parsing those sheets before
anything else is loaded. Kept apart from `xl_brm.reader.grid`, which finds the rest by looking
inside the sheets, so that this costs next to nothing to import (see `xl_brm.parse_ahead`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING

from xl_brm.enums import fold
from xl_brm.errors import MappingError
from xl_brm.fields import SHEET_SYNONYMS, SHEETS

if TYPE_CHECKING:
    from xl_brm.reader._mapping import HeaderMapping

SHEET_NAMES = {kind: {fold(kind)} | {fold(s) for s in names} for kind, names in SHEET_SYNONYMS.items()}
"""Kind -> the folded sheet names that hold it."""


def sheets_by_name(names: Sequence[str], *, path: str,
                   mapping: HeaderMapping | None = None) -> list[str]:
    """The sheets `locate_sheets` takes without looking inside any sheet (from the mapping, by
    name or synonym): a reader can start parsing them straight away."""
    return list(found_by_name(names, path=path, mapping=mapping).values())


def found_by_name(names: Sequence[str], *, path: str,
                  mapping: HeaderMapping | None) -> dict[str, str]:
    """Kind -> sheet, for the kinds the mapping or a sheet's name says."""
    found: dict[str, str] = {}
    for kind in SHEETS:
        sm = mapping.get(kind) if mapping else None
        if sm is not None and sm.sheet:
            name = match_sheet(sm.sheet, names)
            if name is None:
                raise MappingError(
                    f"line {sm.line}: sheet '{sm.sheet}' is not in {PurePath(path).name} "
                    "(its sheets are: " + ", ".join(names) + ")",
                    path=mapping.source if mapping else None,
                    hint="correct the sheet name in the mapping, or remake it with `xl-brm map`")
            found[kind] = name
            continue
        taken = set(found.values())
        name = next((n for n in names if n not in taken and fold(n) in SHEET_NAMES[kind]), None)
        if name is not None:
            found[kind] = name
    return found


def match_sheet(wanted: str, names: Sequence[str]) -> str | None:
    """The sheet named `wanted`, or spelt alike but for case and punctuation."""
    if wanted in names:
        return wanted
    return next((n for n in names if fold(n) == fold(wanted)), None)
