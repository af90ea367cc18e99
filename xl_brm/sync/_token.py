"""Where the bearer token comes from: an argument, `XL_BRM_TOKEN`, or the OS keyring.

Never from the workbook (a workbook is shared and e-mailed), and never written to a log or to the
sync state file: nothing here formats the token into a message.
"""

from __future__ import annotations

import logging
import os

from xl_brm.errors import SyncError

ENV_VAR = "XL_BRM_TOKEN"
KEYRING_SERVICE = "xl-brm"

log = logging.getLogger("xl_brm.sync")


def resolve_token(url: str, token: str | None = None) -> str:
    """The token to send to `url`: the argument, else `XL_BRM_TOKEN`, else the keyring entry
    `keyring.get_password("xl-brm", url)`. Raises `SyncError` when there is none."""
    if token:
        return token.strip()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    stored = _from_keyring(url)
    if stored:
        return stored.strip()
    raise SyncError(
        f"no token for the national store at {url}",
        hint=(
            f"set the environment variable {ENV_VAR}, or store it once with "
            f"`keyring set {KEYRING_SERVICE} {url}`; ask the national programme office for a token"
        ),
    )


def _from_keyring(url: str) -> str | None:
    """Look the token up in the OS keyring; a missing or broken keyring means 'no token'."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency, but be gentle
        return None
    for key in dict.fromkeys((url, url.rstrip("/"))):
        try:
            value = keyring.get_password(KEYRING_SERVICE, key)
        except (KeyringError, RuntimeError, OSError) as error:
            log.debug("keyring unavailable: %s", type(error).__name__)
            return None
        if value:
            return value
    return None
