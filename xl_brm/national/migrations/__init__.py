"""Alembic migrations of the national store, run by `xl_brm.national.migrate.upgrade`."""
