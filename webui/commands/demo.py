"""``jumin demo load``: the demo municipalities, accounts and residents (idempotent)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.db import Database
from handlers.demo_data import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo

demo_cli = AppGroup("demo", help="デモデータ")


@demo_cli.command("load")
def load() -> None:
    """デモ用の団体・利用者・住民を登録する（2回目以降は何も変えない）。"""
    db: Database = current_app.extensions["jumin.db"]
    load_demo(db, echo=click.echo)
    click.echo(
        f"demo password: {DEMO_PASSWORD}  TOTP secret: {DEMO_TOTP_SECRET}  (see docs/demo-accounts.md)"
    )


commands = [demo_cli]
