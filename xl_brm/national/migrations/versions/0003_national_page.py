"""The national page: sign-in sessions, and what it groups and searches benefits by.

`web_sessions` holds the page's sessions (hashed, tied to the token that signed in).
`benefit_versions` gains project, title, measure and unit, and `fy_values` measure and unit,
filled in here from each stored version's JSON, so quantities are summed within one measure
and unit and the benefits library searches titles without parsing every version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["tokens.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_hash"),
    )
    with op.batch_alter_table("benefit_versions", schema=None) as batch_op:
        for name in ("project", "title", "measure", "unit"):
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    with op.batch_alter_table("fy_values", schema=None) as batch_op:
        batch_op.add_column(sa.Column("measure", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("unit", sa.Text(), nullable=True))
    _fill_in()


def _fill_in() -> None:
    conn = op.get_bind()
    versions = sa.table(
        "benefit_versions",
        sa.column("id", sa.Integer()),
        sa.column("benefit", sa.Text()),
        *(sa.column(name, sa.Text()) for name in ("project", "title", "measure", "unit")),
    )
    rows = conn.execute(sa.select(versions.c.id, versions.c.benefit)).all()
    update = (
        versions.update()
        .where(versions.c.id == sa.bindparam("vid"))
        .values(
            project=sa.bindparam("p"),
            title=sa.bindparam("t"),
            measure=sa.bindparam("m"),
            unit=sa.bindparam("u"),
        )
    )
    for start in range(0, len(rows), BATCH):
        params = []
        for vid, text in rows[start : start + BATCH]:
            benefit = json.loads(text)
            params.append(
                {
                    "vid": vid,
                    "p": benefit.get("project"),
                    "t": benefit.get("title"),
                    "m": benefit.get("measure"),
                    "u": benefit.get("unit"),
                }
            )
        conn.execute(update, params)
    for name in ("measure", "unit"):
        op.execute(
            f"UPDATE fy_values SET {name} = (SELECT benefit_versions.{name} FROM benefit_versions "
            "WHERE benefit_versions.id = fy_values.version_id)"
        )


def downgrade() -> None:
    with op.batch_alter_table("fy_values", schema=None) as batch_op:
        batch_op.drop_column("unit")
        batch_op.drop_column("measure")
    with op.batch_alter_table("benefit_versions", schema=None) as batch_op:
        for name in ("unit", "measure", "title", "project"):
            batch_op.drop_column(name)
    op.drop_table("web_sessions")
