"""``jumin platform exchange``: the regional information platform's file exchange (j1170) in the embedded
default (cron every few minutes; with a broker Celery beat runs ``jumin.platform.exchange``)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.other_systems.platform import exchange_all
from handlers.outbox_sweep import sweep

platform_cli = AppGroup("platform", help="地域情報プラットフォーム連携（ファイル連携）")


@platform_cli.command("exchange")
def exchange_command() -> None:
    """各業務ユニットの受信フォルダのファイルを取り込み、送信待ちの連携データを送信する（cron で数分ごと）。"""
    db = current_app.extensions["jumin.db"]
    failed = 0
    for run in exchange_all(db):
        for outcome in run.files:
            click.echo(
                f"{run.tenant_id}/{run.unit} {outcome.file_name}: {outcome.status} {outcome.records}件"
            )
            for reason in outcome.errors:
                click.echo(f"  {reason}")
            failed += outcome.status in ("rejected", "failed")
    runs = sweep(db) + sweep(db, near_realtime=True)
    sent = sum(r.sent for r in runs if r.destination.startswith("platform:"))
    click.echo(f"業務ユニットへ {sent} 件送信しました。")
    if failed:
        raise SystemExit(1)


commands = [platform_cli]
