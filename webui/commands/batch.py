"""``jumin batch …``: the system batches (除票の移行, j1300)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.removed_records import run_yearly_archive

batch_cli = AppGroup("batch", help="バッチ処理")


@batch_cli.command("archive-removed")
@click.option("--tenant", "tenant_code", help="市区町村コード（6桁）")
@click.option("--all-tenants", is_flag=True, help="すべての市区町村について実行する")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="基準日 YYYY-MM-DD（既定は今日）")
@click.option("--batch-size", default=1000, show_default=True, help="一度に移行する件数")
def archive_removed(
    tenant_code: str | None, all_tenants: bool, today: dt.datetime | None, batch_size: int
) -> None:
    """Move 除票 older than five years to the 除票用データベース (and delete them from the live tables)."""
    if bool(tenant_code) == all_tenants:
        raise click.UsageError("--tenant CODE か --all-tenants のどちらか一方を指定してください。")
    day = today.date() if today else dt.date.today()
    runs = run_yearly_archive(
        current_app.extensions["jumin.db"], today=day, tenant_code=tenant_code, batch_size=batch_size
    )
    for run in runs:
        report = run.report
        click.echo(
            f"{run.code} {run.name}: 移行 {report.moved} 件 (基準日 {report.today}, "
            f"{report.cutoff} より前の消除), 世帯の消滅 {report.dissolved_households} 件"
        )


commands = [batch_cli]
