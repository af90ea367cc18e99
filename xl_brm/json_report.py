"""SPEC §7.2's JSON report as bytes, and `xl-brm validate FILE --format json` written by the
process that holds the findings.

A dirty register draws 90k findings. Sending them from the forked reader (`xl_brm.sandbox`) to
the CLI as objects costs a pickle, an unpickle and a rebuild of each finding (a quarter of a
second) before the CLI renders the very same JSON. So for one workbook and `--format json` the
reader renders the report itself, writes it to the standard output it shares with the CLI
(sending 40 MB through a pipe for the CLI to write costs another tenth of a second), and hands
the CLI the little it decides the exit code by (`Rendered`). The bytes are the ones the CLI
would have written. `XL_BRM_PLAIN=1` sends the findings as before (`xl_brm._speed`).
"""

from __future__ import annotations

import json
import os
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
    """One file's JSON report, and what the CLI's exit code and messages need of it. `body` is
    empty when the reader wrote the report itself (`written`)."""

    body: bytes
    ok: bool
    unreadable: bool
    annotate_error: str | None
    written: bool = False

    @classmethod
    def of(cls, report: FileReport) -> Rendered:
        return cls(
            validation_json_bytes([report]),
            report.ok,
            any(f.code == UNREADABLE for f in report.issues),
            report.annotate_error,
        )

    def written_to(self, fd: int) -> Rendered:
        """This report written to `fd` (as `print` writes it: a line), and what is left to say."""
        try:
            write_all(fd, self.body)
            write_all(fd, b"\n")
        except OSError:  # a closed pipe, a full disk: the CLI writes it and meets that itself,
            return self  # and says so as it always has
        return Rendered(b"", self.ok, self.unreadable, self.annotate_error, written=True)


def write_all(fd: int, data: bytes) -> None:
    """All of `data` to `fd` (a write to a pipe may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def rendered(path: Path, options: Options, annotate_dir: Path | None, out: int | None,
             read: Reader) -> Rendered:
    """The work the reader does for `validate FILE --format json`: check, render, and write the
    report to `out` (the file descriptor of the standard output it shares with the CLI)."""
    from xl_brm.sandbox import check

    done = Rendered.of(check(path, options, annotate_dir, read))
    return done.written_to(out) if out is not None else done


def validate_rendered(path: Path, options: Options, annotate_dir: Path | None, *,
                      out: int | None = None) -> Rendered:
    """`path` validated and its JSON report rendered in the forked reader, behind the gate, and
    written there to the file descriptor `out` if given (the caller's standard output, flushed);
    a file the gate refuses, or that stops the reader, is rendered here (one finding) and left
    to the caller to write."""
    from functools import partial

    from xl_brm import sandbox

    try:
        return sandbox.isolated(path, partial(rendered, path, options, annotate_dir, out))
    except Exception as exc:  # the gate's refusal, or a child that died
        return Rendered.of(sandbox.failed(path, exc))
