"""One error tree for xl-brm. The outer layers (CLI, HTTP, Excel) each translate it once.

    XlBrmError                   anything xl-brm refuses to do, with a hint for the user
    ├── InputError               a file the user gave us cannot be used (names file/sheet/cell)
    │   ├── UnsafeWorkbookError  refused before parsing: bomb, entities, encrypted, not a zip…
    │   └── MappingError         a mapping file is malformed or names unknown fields
    ├── UsageError               wrong command-line or function arguments
    └── SyncError                submitting to or reading from the national store failed
        ├── SubmissionBlocked    the workbook's own errors block submission (CLI exit code 1)
        └── StoreRejected        the store answered with a problem+json error

Findings (a bad value in a cell) are data, not exceptions: see `xl_brm.findings`.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
"""The command's exit codes (SPEC §7.2): no errors, validation errors found, usage or input error."""


class XlBrmError(Exception):
    """Base of every error xl-brm raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(XlBrmError):
    """A file cannot be used. The message names the file, and the sheet and cell when known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        hint: str = "",
    ) -> None:
        self.path = str(path) if path is not None else None
        self.sheet = sheet
        self.cell = cell
        where = ", ".join(
            part
            for part in (
                Path(self.path).name if self.path else None,
                f"sheet '{sheet}'" if sheet else None,
                f"cell {cell}" if cell else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class UnsafeWorkbookError(InputError):
    """The safety gate refused a workbook before any parser saw it."""


class MappingError(InputError):
    """A header-mapping file cannot be used."""


class UsageError(XlBrmError):
    """Arguments that do not make sense together, or a value out of range."""


class SyncError(XlBrmError):
    """The national store could not be reached, or answered in a way we cannot use."""


class SubmissionBlocked(SyncError):
    """Validation errors in the workbook block its submission; the message lists their cells."""


class StoreRejected(SyncError):
    """The national store answered with an RFC 9457 problem."""

    def __init__(self, message: str, *, status: int, problem: dict[str, object], hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.problem = problem
