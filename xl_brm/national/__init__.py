"""The national store: receives approved rows from every trust and keeps every version (SPEC §7.3).

Build it with `create_app(StoreSettings(...))`; issue tokens with `create_token(db_url, ...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["StoreSettings", "create_app", "create_token"]

if TYPE_CHECKING:
    from xl_brm.national.app import create_app
    from xl_brm.national.settings import StoreSettings
    from xl_brm.national.tokens import create_token


def __getattr__(name: str) -> Any:
    """Import lazily: `import xl_brm.national` loads no web framework or database driver."""
    if name == "create_app":
        from xl_brm.national.app import create_app

        return create_app
    if name == "StoreSettings":
        from xl_brm.national.settings import StoreSettings

        return StoreSettings
    if name == "create_token":
        from xl_brm.national.tokens import create_token

        return create_token
    raise AttributeError(name)
