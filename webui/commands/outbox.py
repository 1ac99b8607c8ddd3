"""``jumin outbox sweep`` and ``jumin relay serve``: delivering pending notices in the embedded default, and
the CS relay service as its own process in production."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.outbox_sweep import sweep

outbox_cli = AppGroup("outbox", help="他システムへの通知（送信）")
relay_cli = AppGroup("relay", help="CS 中継サービス")


@outbox_cli.command("sweep")
@click.option("--near-realtime", is_flag=True, help="準リアルタイム宛名連携の連携先だけを送信する")
def sweep_command(near_realtime: bool) -> None:
    """送信待ちの通知を送信先ごとに順に送信する（cron で毎分実行）。"""
    runs = sweep(current_app.extensions["jumin.db"], near_realtime=near_realtime)
    for run in runs:
        click.echo(f"{run.destination}: 送信 {run.sent} 件 ({run.state})")
    click.echo(f"送信先 {len(runs)} 件を処理しました。")


@relay_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5100, show_default=True)
def serve_relay(host: str, port: int) -> None:
    """CS 中継サービス（POST /relay/messages）を起動する。"""
    from webui.relay.views import create_relay_app

    create_relay_app(current_app.extensions["jumin.db"]).run(host=host, port=port)


commands = [outbox_cli, relay_cli]
