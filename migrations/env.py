"""Alembic environment: the URL comes from DATABASE_URL (or the caller's config), never from alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import models
from handlers.db import make_engine
from handlers.settings import Settings

config = context.config
target_metadata = models.Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if (
            sqlite
        ):  # batch mode copies a table and drops the old one: foreign keys off meanwhile, checked after
            _sqlite_foreign_keys(conn, on=False)
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        if sqlite:
            _sqlite_foreign_keys(conn, on=True)
    engine.dispose()


def _sqlite_foreign_keys(conn: Connection, *, on: bool) -> None:
    """PRAGMA foreign_keys, on the driver connection outside any transaction (inside one it does nothing)."""
    conn.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")  # type: ignore[union-attr]


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
