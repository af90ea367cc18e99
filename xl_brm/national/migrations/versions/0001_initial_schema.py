"""Initial schema: tokens, submissions, benefit versions, measurements, per-FY values.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 13:03:52.286349
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", "window", name="pk_rate_windows"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("trust_ods", sa.String(length=5), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("client_name", sa.String(length=64), nullable=False),
        sa.Column("client_version", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.String(length=255), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trust_ods", "idempotency_key", name="uq_submissions_key"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_received", ["received_at"], unique=False)
        batch_op.create_index("ix_submissions_trust_received", ["trust_ods", "received_at"], unique=False)

    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("trust_ods", sa.String(length=5), nullable=True),
        sa.Column("is_national", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(is_national AND trust_ods IS NULL) OR (NOT is_national AND trust_ods IS NOT NULL)",
            name="ck_tokens_one_scope",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "benefit_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trust_ods", sa.String(length=5), nullable=False),
        sa.Column("benefit_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("benefit_type", sa.String(length=32), nullable=False),
        sa.Column("is_disbenefit", sa.Boolean(), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trust_ods", "benefit_id", "version", name="uq_benefit_versions"),
    )
    op.create_table(
        "current_benefits",
        sa.Column("trust_ods", sa.String(length=5), nullable=False),
        sa.Column("benefit_id", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("benefit_type", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["benefit_versions.id"],
        ),
        sa.PrimaryKeyConstraint("trust_ods", "benefit_id", name="pk_current_benefits"),
        sa.UniqueConstraint("version_id"),
    )
    op.create_table(
        "fy_values",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("evidence_grade", sa.String(length=16), nullable=False),
        sa.Column("trust_ods", sa.String(length=5), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("benefit_type", sa.String(length=32), nullable=False),
        sa.Column("is_disbenefit", sa.Boolean(), nullable=False),
        sa.Column("realised_quantity", sa.Float(), nullable=False),
        sa.Column("realised_value_gbp", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("version_id", "financial_year", "evidence_grade", name="pk_fy_values"),
    )
    op.create_table(
        "measurements",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("evidence_grade", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("version_id", "row", name="pk_measurements"),
    )


def downgrade() -> None:
    op.drop_table("measurements")
    op.drop_table("fy_values")
    op.drop_table("current_benefits")
    op.drop_table("benefit_versions")
    op.drop_table("tokens")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_trust_received")
        batch_op.drop_index("ix_submissions_received")

    op.drop_table("submissions")
    op.drop_table("rate_windows")
