"""Know, without reading it, that a workbook is byte for byte the one last acknowledged.

Reading, validating and hashing a 10k-benefit register takes seconds; an unchanged resubmit
only learns from it that nothing needs sending. So after a run that leaves every approved
benefit acknowledged, the sync state keeps the file's fingerprint (size, mtime and SHA-256 of
its bytes, plus everything else that shapes the body: the header mapping's bytes, the workbook
defaults, the xl-brm and rules versions, the store). Any change to any of them reads the
workbook again. The file is fingerprinted before it is read and again after, and only a
fingerprint that held still across the read is recorded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from xl_brm.sync._state import Fingerprint, store_key
from xl_brm.sync._version import client_version

if TYPE_CHECKING:
    from xl_brm.validate import Defaults

VERSION = 1
"""Bumped whenever what a fingerprint covers changes, so older ones stop matching."""


def workbook_fingerprint(
    path: str | Path, *, url: str, mapping: str | Path | None, defaults: Defaults | None
) -> Fingerprint | None:
    """The fingerprint of a workbook read with these options, or None when the file or the
    mapping cannot be read (reading the workbook then says why) or changed while hashed."""
    from xl_brm.rules import RULES_VERSION
    from xl_brm.validate import Defaults

    try:
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            after = os.fstat(handle.fileno())
        mapping_digest = _file_sha256(mapping) if mapping is not None else None
    except OSError:
        return None
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return None
    options = {
        "version": VERSION,
        "client": client_version(),
        "rules": RULES_VERSION,
        "store": store_key(url),
        "workbook": Path(path).name,
        "mapping": mapping_digest,
        "defaults": dataclasses.asdict(defaults or Defaults()),
    }
    text = json.dumps(options, sort_keys=True, ensure_ascii=True, default=str)
    return Fingerprint(
        size=after.st_size,
        mtime_ns=after.st_mtime_ns,
        sha256=digest,
        options=hashlib.sha256(text.encode("ascii")).hexdigest(),
    )


def _file_sha256(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
