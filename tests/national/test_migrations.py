"""The migrations build exactly the tables the code declares, and 0003 fills in what the
national page groups and searches by from versions stored before it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from xl_brm.national import tables
from xl_brm.national.db import open_database
from xl_brm.national.migrate import alembic_config, upgrade


def test_the_migrations_build_the_declared_tables(backend: dict[str, Any]) -> None:
    db = open_database(backend["db"], schema=backend.get("db_schema"))
    try:
        upgrade(db)
        with db.read() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(context, tables.metadata) if "alembic_version" not in str(d)]
        assert diffs == []
    finally:
        db.dispose()


def test_0003_fills_in_project_title_measure_and_unit(backend: dict[str, Any]) -> None:
    db = open_database(backend["db"], schema=backend.get("db_schema"))
    now = datetime(2020, 4, 2, tzinfo=UTC)
    try:
        config = alembic_config()
        with db.write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
        benefit = {
            "project": "Patient portal",
            "title": "Fewer letters posted",
            "measure": "letters",
            "unit": "count",
        }
        with db.write() as conn:
            conn.exec_driver_sql(
                "INSERT INTO submissions (id, trust_ods, idempotency_key, request_hash, received_at, "
                "rules_version, client_name, client_version, source_path, accepted, unchanged, rejected, "
                "response) VALUES ('s1', 'RJ1', NULL, 'h', '2020-04-02 00:00:00', 'r', 'xl-brm', '0', "
                "'r.xlsx', 1, 0, 0, '{}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO benefit_versions (id, trust_ods, benefit_id, version, content_hash, "
                "submission_id, received_at, programme, category, benefit_type, is_disbenefit, benefit) "
                "VALUES (7, 'RJ1', 'P-1', 1, 'c', 's1', '2020-04-02 00:00:00', 'GDE', 'patient_experience', "
                f"'quantitative_non_financial', false, '{json.dumps(benefit)}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO fy_values (version_id, financial_year, evidence_grade, trust_ods, programme, "
                "category, benefit_type, is_disbenefit, realised_quantity, realised_value_gbp) VALUES "
                "(7, '2019/20', 'measured', 'RJ1', 'GDE', 'patient_experience', "
                "'quantitative_non_financial', false, 28950, NULL)"
            )
        upgrade(db)
        bv, fy = tables.benefit_versions, tables.fy_values
        with db.read() as conn:
            version = conn.execute(select(bv.c.project, bv.c.title, bv.c.measure, bv.c.unit)).one()
            figures = conn.execute(select(fy.c.measure, fy.c.unit, fy.c.realised_quantity)).one()
        assert tuple(version) == ("Patient portal", "Fewer letters posted", "letters", "count")
        assert tuple(figures) == ("letters", "count", 28950.0)
        with db.write() as conn:  # and a session can be kept for a token
            token_id = conn.execute(
                insert(tables.tokens)
                .values(token_hash="x" * 64, trust_ods=None, is_national=True, created_at=now, expires_at=now)
                .returning(tables.tokens.c.id)
            ).scalar_one()
            conn.execute(
                insert(tables.web_sessions).values(
                    session_hash="y" * 64, token_id=token_id, created_at=now, expires_at=now
                )
            )
    finally:
        db.dispose()
