"""``jumin db upgrade`` / ``jumin db check``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers import migrations

db_cli = AppGroup("db", help="データベースの移行（Alembic）")


@db_cli.command("upgrade")
def upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    migrations.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at head")


@db_cli.command("check")
def check() -> None:
    """Fail if the models and the migrations disagree."""
    migrations.check(current_app.config["DATABASE_URL"])
    click.echo("models and migrations agree")


commands = [db_cli]
