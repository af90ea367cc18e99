"""The client version sent to the store (User-Agent and `client.version`)."""

from __future__ import annotations

import functools
from importlib import metadata


@functools.cache
def client_version() -> str:
    """The installed xl-brm version; `xl_brm.__version__` when run from a source tree."""
    try:
        return metadata.version("xl_brm")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        import xl_brm

        return str(getattr(xl_brm, "__version__", "0.0.0"))
