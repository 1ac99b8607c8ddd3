"""``jumin batch …``: the system batches (除票の移行, j1300)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.clock import japan_today
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
    day = today.date() if today else japan_today()
    runs = run_yearly_archive(
        current_app.extensions["jumin.db"], today=day, tenant_code=tenant_code, batch_size=batch_size
    )
    for run in runs:
        report = run.report
        click.echo(
            f"{run.code} {run.name}: 移行 {report.moved} 件 (基準日 {report.today}, "
            f"{report.cutoff} より前の消除), 世帯の消滅 {report.dissolved_households} 件"
        )


@batch_cli.command("move-outs")
@click.option("--tenant", "tenant_code", required=True, help="市区町村コード（6桁）")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="基準日 YYYY-MM-DD（既定は今日）")
def move_outs(tenant_code: str, today: dt.datetime | None) -> None:
    """転出予定日（または転入通知の転出年月日）が到来した人を除票にする（毎日実行）。"""
    from handlers.changes.move_out_register import run_due_move_outs

    day = today.date() if today else japan_today()
    changed = run_due_move_outs(current_app.extensions["jumin.db"], tenant_code=tenant_code, today=day)
    click.echo(f"{tenant_code}: 除票 {len(changed)} 件 (基準日 {day})")


@batch_cli.command("missing-move-in-notices")
@click.option("--tenant", "tenant_code", required=True, help="市区町村コード（6桁）")
@click.option("--after-days", type=int, help="消除からの日数（既定は団体の設定、なければ30日）")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="基準日 YYYY-MM-DD（既定は今日）")
def missing_move_in_notices(tenant_code: str, after_days: int | None, today: dt.datetime | None) -> None:
    """転入通知未着者一覧（j710）：転出・職権消除の後、転入通知が届いていない人。"""
    from handlers.changes.move_in_notice_receipt import list_missing_notices

    day = today.date() if today else japan_today()
    rows = list_missing_notices(
        current_app.extensions["jumin.db"], tenant_code=tenant_code, today=day, after_days=after_days
    )
    for row in rows:
        click.echo(
            f"{row.atena_number}\t{row.name}\t{row.removal_reason}\t{row.removal_date}\t"
            f"{row.destination or ''}\t{row.days_waiting}日"
        )
    click.echo(f"{tenant_code}: 転入通知未着 {len(rows)} 件 (基準日 {day})")


@batch_cli.command("run-due")
def run_due_batches() -> None:
    """スケジュール（BatchSchedule）の実行時刻が到来したバッチを実行する（組込み構成では cron から毎分）。"""
    from handlers.batches import run_due

    runs = run_due(current_app.extensions["jumin.db"])
    for run in runs:
        click.echo(f"{run.batch_code}\t{run.status}\t{run.output.splitlines()[0] if run.output else ''}")
    click.echo(f"実行 {len(runs)} 件")


commands = [batch_cli]
