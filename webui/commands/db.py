"""``jumin db upgrade`` / ``jumin db check`` / ``jumin db create-app-role``.

Migrations and the role command run as the tables' owner (``MIGRATION_DATABASE_URL``, else ``DATABASE_URL``);
the web and worker processes connect with ``DATABASE_URL`` as the non-owner application role.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers import migrations, rls
from handlers.db import make_engine
from handlers.settings import Settings

db_cli = AppGroup("db", help="データベースの移行（Alembic）")


@db_cli.command("upgrade")
def upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    migrations.upgrade(_owner_url())
    click.echo("database is at head")


@db_cli.command("check")
def check() -> None:
    """Fail if the models and the migrations disagree."""
    migrations.check(_owner_url())
    click.echo("models and migrations agree")


def _owner_url() -> str:
    return Settings.from_env().migration_database_url or str(current_app.config["DATABASE_URL"])


@db_cli.command("create-app-role")
@click.option("--role", default=None, help="role name (default: APP_DATABASE_ROLE, else jumin_app)")
@click.option(
    "--password-env",
    default="APP_DATABASE_PASSWORD",
    show_default=True,
    help="environment variable holding the role's password (unset: no password, e.g. peer auth)",
)
def create_app_role(role: str | None, password_env: str) -> None:
    """Create or update the non-owner PostgreSQL role the app connects as (DML grants only; RLS applies)."""
    import os

    engine = make_engine(_owner_url())
    if engine.dialect.name != "postgresql":
        raise click.ClickException("create-app-role is for PostgreSQL (SQLite has no roles)")
    name = role or Settings.from_env().app_database_role
    with engine.begin() as conn:
        rls.create_app_role(conn, name, os.environ.get(password_env) or None)
    engine.dispose()
    click.echo(f"role {name} can connect with DML rights only; row-level security applies to it")


commands = [db_cli]
