"""How a national store is configured: environment variables `XL_BRM_*` or a `.env` file."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from xl_brm.periods import fy_label, parse_fy


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
        "inside the plausible window (2000/01 to ten years ahead).",
    )
    pool_size: int = Field(default=10, ge=1)

    @field_validator("base_fy")
    @classmethod
    def _plausible_fy(cls, value: int | None) -> int | None:
        if value is not None:
            parse_fy(fy_label(value))  # raises PeriodOutOfWindow, a ValueError, outside the window
        return value
