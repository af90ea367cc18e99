"""Sync client: send a workbook's approved rows to the national store exactly once (SPEC §7.3).

    submit(path, url=...)     read, validate, send approved benefits the store does not hold
    pull(path, url=...)       what the store holds for each benefit of the workbook
    sync_status(path)         what is pending or set aside for the workbook (no network)
    drop_pending(path)        forget them; the next submit sends the workbook as it is
    build_submission(raw, validation)   the request body, for tools that want to look first

State lives beside the workbook in `.xl-brm/<workbook name>.sync.json`; it also keeps the
workbook's fingerprint when everything in it was acknowledged, so an unchanged resubmit asks the
store about the recorded content hashes before reading the workbook again.
"""

from __future__ import annotations

from xl_brm.sync._build import Prepared, blocking_errors, build_submission, prepare
from xl_brm.sync._fingerprint import workbook_fingerprint
from xl_brm.sync._http import RetryPolicy, StoreClient
from xl_brm.sync._state import (
    BenefitSync,
    Fingerprint,
    PendingSubmission,
    SetAside,
    StoreSync,
    SyncState,
    drop_pending,
    state_path_for,
    sync_status,
)
from xl_brm.sync._submit import (
    BenefitStatus,
    SubmitOutcome,
    in_trust_cells,
    pull,
    push,
    record_answer,
    submit,
)
from xl_brm.sync._token import ENV_VAR, KEYRING_SERVICE, resolve_token

__all__ = [
    "ENV_VAR",
    "KEYRING_SERVICE",
    "BenefitStatus",
    "BenefitSync",
    "Fingerprint",
    "PendingSubmission",
    "Prepared",
    "RetryPolicy",
    "SetAside",
    "StoreClient",
    "StoreSync",
    "SubmitOutcome",
    "SyncState",
    "blocking_errors",
    "build_submission",
    "drop_pending",
    "in_trust_cells",
    "prepare",
    "pull",
    "push",
    "record_answer",
    "resolve_token",
    "state_path_for",
    "submit",
    "sync_status",
    "workbook_fingerprint",
]
