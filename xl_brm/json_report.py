"""SPEC §7.2's JSON report as bytes, and `xl-brm validate FILE --format json` written by the
process that holds the findings.

A dirty register draws 90k findings. Sending them from the forked reader (`xl_brm.sandbox`) to
the CLI as objects costs a pickle, an unpickle and a rebuild of each finding (a quarter of a
second) before the CLI renders the very same JSON. So for one workbook and `--format json` the
reader renders the report itself and hands the CLI its bytes with the little the CLI decides
the exit code by (`Rendered`). The bytes are the ones the CLI would have written.
`XL_BRM_PLAIN=1` sends the findings as before (`xl_brm._speed`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from xl_brm.api import UNREADABLE, Options, Reader
from xl_brm.findings import FileReport, totals
from xl_brm.rules import RULES_VERSION


def validation_json_bytes(reports: Sequence[FileReport]) -> bytes:
    """The report's UTF-8 bytes, written by orjson (json.dumps with an indent runs in pure
    Python: ~12 µs a finding, a second for a register with 90k of them)."""
    body = {
        "rules_version": RULES_VERSION,
        "files": [r.to_json() for r in reports],
        "totals": totals(list(reports)),
    }
    try:
        return orjson.dumps(body, default=str, option=orjson.OPT_INDENT_2)
    except TypeError:  # an integer beyond 64 bits, say: the standard library copes
        return json.dumps(body, indent=2, ensure_ascii=False, default=str).encode()


@dataclass(frozen=True, slots=True)
class Rendered:
    """One file's JSON report as bytes, and what the CLI's exit code and messages need of it."""

    body: bytes
    ok: bool
    unreadable: bool
    annotate_error: str | None

    @classmethod
    def of(cls, report: FileReport) -> Rendered:
        return cls(
            validation_json_bytes([report]),
            report.ok,
            any(f.code == UNREADABLE for f in report.issues),
            report.annotate_error,
        )


def rendered(path: Path, options: Options, annotate_dir: Path | None, read: Reader) -> Rendered:
    """The work the reader does for `validate FILE --format json`: check, then render there."""
    from xl_brm.sandbox import check

    return Rendered.of(check(path, options, annotate_dir, read))


def validate_rendered(path: Path, options: Options, annotate_dir: Path | None) -> Rendered:
    """`path` validated and its JSON report rendered in the forked reader, behind the gate; a
    file the gate refuses, or that stops the reader, is rendered here (one finding)."""
    from functools import partial

    from xl_brm import sandbox

    try:
        return sandbox.isolated(path, partial(rendered, path, options, annotate_dir))
    except Exception as exc:  # the gate's refusal, or a child that died
        return Rendered.of(sandbox.failed(path, exc))
