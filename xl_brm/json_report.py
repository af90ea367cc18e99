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
import pickle
import sys
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from xl_brm._gc import gc_paused
from xl_brm._halves import Bytes, Forked, in_halves, write_all
from xl_brm.api import UNREADABLE, Options
from xl_brm.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK
from xl_brm.findings import FileReport, Finding, totals
from xl_brm.rules import RULES_VERSION

if TYPE_CHECKING:
    from xl_brm.api import EarlyStart
    from xl_brm.reader import GatedReader
    from xl_brm.table import RawWorkbook
    from xl_brm.validate.parts import Parts


def validation_json_bytes(reports: Sequence[FileReport], *, listed: bool = True) -> bytes:
    """The report's UTF-8 bytes, written by orjson (json.dumps with an indent runs in pure
    Python: ~12 µs a finding, a second for a register with 90k of them). `listed=False`: with
    every `issues` list empty, for the findings to be written in."""
    body = {
        "rules_version": RULES_VERSION,
        "files": [r.to_json(listed=listed) for r in reports],
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

    @property
    def exit_code(self) -> int:
        """The command's exit code for this report (`xl_brm.errors`)."""
        if self.unreadable:
            return EXIT_INPUT
        if not self.ok:
            return EXIT_FINDINGS
        return EXIT_INPUT if self.annotate_error else EXIT_OK

    @classmethod
    def of(cls, report: FileReport, parts: Sequence[Bytes] | None = None) -> Rendered:
        """`report`'s JSON, or `parts` of it already written (see `in_halves`)."""
        return cls(
            validation_json_bytes([report]) if parts is None else b"".join(parts),
            report.ok,
            any(f.code == UNREADABLE for f in report.issues),
            report.annotate_error,
        )


def rendered(path: Path, options: Options, annotate_dir: Path | None, out: int | None,
             read: GatedReader) -> Rendered:
    """The work the reader does for `validate FILE --format json`: check, render, and write the
    report to `out` (the file descriptor of the standard output it shares with the CLI) as
    `print` would (a line), or hand it back to the CLI to write if it cannot. Nothing is
    written unless the safety gate has passed the file: a file it refuses is the CLI's to
    report, and this process's answer is then dropped."""
    from xl_brm.sandbox import check

    if annotate_dir is None:
        report, parts = _checked_side_by_side(path, options, read)
    else:
        report = check(path, options, annotate_dir, read)
        parts = [validation_json_bytes([report])]
    if out is not None and _gate_passed(read):
        try:
            for part in (*parts, b"\n"):
                write_all(out, part)
        except OSError:  # a closed pipe, a full disk: the CLI writes it and meets that itself,
            pass  # and says so as it always has
        else:
            return replace(Rendered.of(report, []), written=True)
    return Rendered.of(report, parts)


def _gate_passed(read: GatedReader) -> bool:
    try:
        read.gate()  # the gate's report, or the error of a gate that refused the file
    except Exception:
        return False
    return True


SPLIT_AT = 5000
"""Findings from which the report is said and written in two halves, on two cores (`in_halves`)."""


def _checked_side_by_side(path: Path, options: Options, read: GatedReader) -> tuple[FileReport, list[Bytes]]:
    """`sandbox.check`'s report and its JSON in parts, made on both cores: a large register
    validated in two parts side by side (`xl_brm.validate.parts`), or its findings put in the
    trust's words and written as JSON in two halves side by side (`xl_brm._halves`): each
    finding is said on its own, in the report's order, sorted before they are said. Not for a
    register with periods across the page, whose findings move to other cells as they are said:
    that one is done in one go, as are a few thousand findings."""
    from xl_brm.api import EarlyStart, placed, report_for, started, unreadable_report
    from xl_brm.errors import InputError
    from xl_brm.sandbox import failed
    from xl_brm.validate.parts import in_parts
    from xl_brm.wording import in_trust_words, issues_json

    try:
        raw, early = started(path, options, read=read)
        parts = in_parts(raw, elsewhere=len(raw.findings) + early.found_early)
        if parts is not None:
            done = _in_two_parts(path, raw, early, parts)
            if done is not None:
                return done
            early = EarlyStart(options.defaults)  # the first part may have run in the other
        validation = early.finish(raw)
    except InputError as error:
        report = unreadable_report(path, error)
        return report, [validation_json_bytes([report])]
    except Exception as exc:  # the last line of defence for one file, as `sandbox.check`
        report = failed(path, exc)
        return report, [validation_json_bytes([report])]
    if len(validation.findings) < SPLIT_AT or any(t.origin is not None for t in raw.tables.values()):
        report = report_for(path, raw, placed(raw, validation))
        return report, [validation_json_bytes([report])]
    report = report_for(path, raw, validation)  # in the report's order, not yet in the trust's words

    def said(findings: Sequence[Finding]) -> Bytes:
        with gc_paused():
            return _issues_json(issues_json(raw, findings))

    outlines: list[bytes] = []
    try:
        first, second = in_halves(report.issues, said,
                                  lambda: outlines.append(validation_json_bytes([report], listed=False)))
    except TypeError:  # a value orjson cannot write: the standard library's route, in one go
        report.issues[:] = in_trust_words(raw, report.issues)
        return report, [validation_json_bytes([report])]
    return report, _spliced(outlines[0], [first, *second])


def _in_two_parts(path: Path, raw: RawWorkbook, early: EarlyStart,
                  parts: Parts) -> tuple[FileReport, list[Bytes]] | None:
    """The report of a register validated in two parts side by side: the second part in a
    forked copy, which sends the findings of its benefits' own checks (on the Benefits sheet,
    the first part's to report), its counts, then its findings in JSON. None when the copy
    could not start or failed, or a value cannot be written as JSON: then it is all done here,
    in one go."""
    from xl_brm.api import local_headers, ordered
    from xl_brm.wording import issues_json

    try:
        copy = Forked(partial(_second_part, raw, early, parts))
    except OSError:  # no process to spare
        return None
    theirs: bytes | None = None
    try:
        validation = early.finish(parts.first, checked=parts.checked_in_first)
        told = copy.receive()
        if told is None:
            return None
        sent, elsewhere, measured = pickle.loads(told)
        issues = ordered([f for f in validation.findings if not parts.in_second(f)] + sent)
        cut = bisect_left(issues, (parts.sheet, parts.row), key=_place)
        report = FileReport(str(path), validation.trust_ods, validation.benefit_count,
                            validation.measurement_count + measured, issues, local_headers(raw),
                            elsewhere=elsewhere)
        with gc_paused():
            before = _issues_json(issues_json(raw, issues[:cut]))
            after = _issues_json(issues_json(raw, issues[cut:]))
        outline = validation_json_bytes([report], listed=False)
        theirs = copy.receive()
    except TypeError:  # a value orjson cannot write
        return None
    finally:
        finished = copy.close()
    if theirs is None or not finished:
        return None
    return report, _spliced(outline, [before, theirs, after])


def _second_part(raw: RawWorkbook, early: EarlyStart, parts: Parts, send: Callable[[Bytes], None]) -> None:
    """The forked copy's work in `_in_two_parts`."""
    from xl_brm.api import ordered
    from xl_brm.validate.parts import BENEFIT_CODES
    from xl_brm.wording import issues_json

    validation = early.finish(parts.second, checked=parts.checked_in_second)
    mine = [f for f in validation.findings if parts.in_second(f)]
    sent = [f for f in validation.findings if f.code in BENEFIT_CODES]
    counts = dict(Counter(f.severity for f in mine))
    send(pickle.dumps((sent, counts, validation.measurement_count), protocol=pickle.HIGHEST_PROTOCOL))
    with gc_paused():
        send(_issues_json(issues_json(raw, ordered(mine))))


def _place(finding: Finding) -> tuple[str, int]:
    return finding.sheet or "", finding.row or 0


def _spliced(outline: bytes, items: Sequence[Bytes]) -> list[Bytes]:
    """A report's JSON from its outline (`listed=False`) and its findings' items in runs (some
    maybe empty), in order."""
    runs = [run for run in items if len(run)]
    if not runs:
        return [outline]
    before, marker, after = outline.partition(_NO_ISSUES)
    assert marker, "the report outline has its issues list"
    joined: list[Bytes] = [runs[0]]
    for run in runs[1:]:
        joined += [b",\n", run]
    return [before, b'"issues": [\n', *joined, b"\n      ]", after]


_NO_ISSUES = b'"issues": []'


def _issues_json(issues: list[dict[str, Any]]) -> Bytes:
    """Findings as the items of a report's `issues` list, as `validation_json_bytes` writes
    them: nested as deep, so orjson indents them alike (empty for none)."""
    if not issues:
        return b""
    nested = orjson.dumps({"files": [{"issues": issues}]}, default=str, option=orjson.OPT_INDENT_2)
    assert nested.startswith(_NESTED_HEAD) and nested.endswith(_NESTED_TAIL)
    return memoryview(nested)[len(_NESTED_HEAD):len(nested) - len(_NESTED_TAIL)]


_NESTED_HEAD = b'{\n  "files": [\n    {\n      "issues": [\n'
_NESTED_TAIL = b"\n      ]\n    }\n  ]\n}"


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


def print_report(path: Path, options: Options, annotate_dir: Path | None) -> Rendered:
    """`validate FILE --format json`: the report printed to standard output, as the reader
    rendered it (`validate_rendered`), and what the command's exit code and messages need.
    Bytes go straight to the descriptor when standard output takes UTF-8; otherwise the text
    is printed as `print` would encode it."""
    encoding = (sys.stdout.encoding or "").lower().replace("-", "")
    as_bytes = hasattr(sys.stdout, "buffer") and encoding == "utf8"
    out = _descriptor(sys.stdout) if as_bytes else None
    if out is not None:
        sys.stdout.flush()  # the reader writes to the same descriptor, after anything written here
    with gc_paused():
        done = validate_rendered(path, options, annotate_dir, out=out)
    if done.written:
        pass
    elif as_bytes:
        sys.stdout.buffer.write(done.body)  # 40 MB for a dirty register: not copied to add a newline
        sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
    else:
        print(done.body.decode())
    return done


def _descriptor(stream: Any) -> int | None:
    """The file descriptor behind `stream`, or None (a test's in-memory stream has none)."""
    try:
        return int(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None
