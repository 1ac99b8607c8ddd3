"""``jumin cases tick``: fire the due BPMN timers of every municipality's cases.

Run it every minute from cron or a systemd timer; the Celery beat task in ``worker/`` calls the same
handler (``workflows.engine.runner.fire_due_timers``) with the same units of work.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from workflows.engine.runner import fire_due_timers, system_uow_factory

cases_cli = AppGroup("cases", help="案件（業務フロー）")


@cases_cli.command("tick")
@click.option("--now", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S"]), help="基準日時（UTC、既定は現在）")
def tick(now: dt.datetime | None) -> None:
    """Fire every timer that is due (a review deadline, for instance) and move its case on."""
    at = now.replace(tzinfo=dt.UTC) if now else dt.datetime.now(dt.UTC)
    fired = fire_due_timers(system_uow_factory(current_app.extensions["jumin.db"]), at)
    click.echo(f"タイマー {fired} 件を処理しました（{at.isoformat(timespec='seconds')}）")


commands = [cases_cli]
