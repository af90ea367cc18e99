"""How a national store is configured: environment variables `XL_BRM_*` or a `.env` file."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from xl_brm.periods import fy_label, parse_fy

_ODS = re.compile(r"^[A-Z0-9]{3,5}$")


class StoreSettings(BaseSettings):
    """Everything `create_app` needs. Nothing is read at import time."""

    model_config = SettingsConfigDict(env_prefix="XL_BRM_", env_file=".env", extra="ignore")

    db: str = Field(
        default="sqlite:///./xl-brm-national.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    db_schema: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema to use (created if missing); default: the server's search_path.",
    )
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    max_rows: int = Field(default=500_000, ge=1, description="Benefit + measurement rows per submission.")
    requests_per_minute: int = Field(default=600, ge=1, description="Per token.")
    cors_origins: list[str] = Field(default_factory=list)
    base_fy: int | None = Field(
        default=None,
        description="One base financial year (start year) for every trust's PV figures, "
        "inside the plausible window (2000/01 to ten years ahead). Default: the earliest "
        "financial year with a realised figure in the store.",
    )
    pool_size: int = Field(default=10, ge=1)
    expected_trusts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="ODS codes of trusts a return is expected from, beside every trust holding "
        "a token that has not been revoked (XL_BRM_EXPECTED_TRUSTS=RJ1,RRV,TAJ).",
    )
    return_due_days: int = Field(
        default=30,
        ge=0,
        le=366,
        description="Days after a quarter ends that its return is due (the page's default window).",
    )
    session_hours: float = Field(
        default=8.0, gt=0, le=24 * 30, description="How long a sign-in to the national page lasts."
    )

    @field_validator("base_fy")
    @classmethod
    def _plausible_fy(cls, value: int | None) -> int | None:
        if value is not None:
            parse_fy(fy_label(value))  # raises PeriodOutOfWindow, a ValueError, outside the window
        return value

    @field_validator("expected_trusts", mode="before")
    @classmethod
    def _ods_codes(cls, value: Any) -> Any:
        """'RJ1, RRV TAJ' or a list: upper-case ODS codes, each checked."""
        items = re.split(r"[\s,;]+", value) if isinstance(value, str) else value
        if not isinstance(items, list):
            return value
        codes = [str(item).strip().upper() for item in items if str(item).strip()]
        bad = [code for code in codes if not _ODS.match(code)]
        if bad:
            raise ValueError(f"not ODS codes: {', '.join(bad)} (3-5 letters or digits, e.g. RJ1)")
        return sorted(set(codes))
