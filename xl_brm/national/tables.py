"""The store's tables. Every benefit version is kept; `current_benefits` points at the latest.

`fy_values` holds the current version's realised quantity and value per financial year and
evidence grade, computed once at ingest by `xl_brm.calc`, with the version's measure and unit
(quantities are only ever summed within one of them), so the national summary is one plain
aggregate with no join. It is derived data: a superseded version's rows are deleted (its
measurements are kept, so they can always be recomputed).
The migrations in `migrations/versions` create exactly these tables. `measurements` and
`fy_values` carry no foreign key: they are only ever written in the same transaction as their
version, and a per-row FK check would halve the bulk-load rate at national scale.
`benefit_versions` repeats the few fields the national page groups, filters and searches by
(programme, category, type, project, title, measure, unit) beside the version's JSON.
`web_sessions` are the national page's sign-ins: stored hashed like tokens, and only valid while
their token is (revoking the token ends them).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("trust_ods", String(5), nullable=True),
    Column("is_national", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    CheckConstraint(
        "(is_national AND trust_ods IS NULL) OR (NOT is_national AND trust_ods IS NOT NULL)",
        name="ck_tokens_one_scope",
    ),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("trust_ods", String(5), nullable=False),
    Column("idempotency_key", String(255), nullable=True),
    Column("request_hash", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("rules_version", String(64), nullable=False),
    Column("client_name", String(64), nullable=False),
    Column("client_version", String(64), nullable=False),
    Column("source_path", String(255), nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("response", Text, nullable=False),
    UniqueConstraint("trust_ods", "idempotency_key", name="uq_submissions_key"),
    Index("ix_submissions_received", "received_at"),
    Index("ix_submissions_trust_received", "trust_ods", "received_at"),
)

benefit_versions = Table(
    "benefit_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trust_ods", String(5), nullable=False),
    Column("benefit_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("submission_id", String(36), ForeignKey("submissions.id"), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("programme", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("benefit_type", String(32), nullable=False),
    Column("is_disbenefit", Boolean, nullable=False),
    Column("project", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("measure", Text, nullable=True),
    Column("unit", Text, nullable=True),
    Column("benefit", Text, nullable=False),
    UniqueConstraint("trust_ods", "benefit_id", "version", name="uq_benefit_versions"),
)

current_benefits = Table(
    "current_benefits",
    metadata,
    Column("trust_ods", String(5), nullable=False),
    Column("benefit_id", String(64), nullable=False),
    Column("version_id", Integer, ForeignKey("benefit_versions.id"), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("benefit_type", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("trust_ods", "benefit_id", name="pk_current_benefits"),
)

measurements = Table(
    "measurements",
    metadata,
    Column("version_id", Integer, nullable=False),  # no FK: written with its version, see ingest
    Column("row", Integer, nullable=False),
    Column("period", String(16), nullable=False),
    Column("value_num", Float, nullable=True),
    Column("value_text", Text, nullable=True),
    Column("source", Text, nullable=True),
    Column("evidence_grade", String(16), nullable=False),
    Column("note", Text, nullable=True),
    PrimaryKeyConstraint("version_id", "row", name="pk_measurements"),
)

fy_values = Table(
    "fy_values",
    metadata,
    Column("version_id", Integer, nullable=False),  # no FK: written with its version, see ingest
    Column("financial_year", String(7), nullable=False),
    Column("evidence_grade", String(16), nullable=False),
    Column("trust_ods", String(5), nullable=False),
    Column("programme", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("benefit_type", String(32), nullable=False),
    Column("is_disbenefit", Boolean, nullable=False),
    Column("measure", Text, nullable=True),
    Column("unit", Text, nullable=True),
    Column("realised_quantity", Float, nullable=False),
    Column("realised_value_gbp", Float, nullable=True),
    PrimaryKeyConstraint("version_id", "financial_year", "evidence_grade", name="pk_fy_values"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_hash", String(64), nullable=False, unique=True),
    Column("token_id", Integer, ForeignKey("tokens.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)

rate_windows = Table(
    "rate_windows",
    metadata,
    Column("token_hash", String(64), nullable=False),
    Column("window", Integer, nullable=False),
    Column("hits", Integer, nullable=False),
    PrimaryKeyConstraint("token_hash", "window", name="pk_rate_windows"),
)
