"""``jumin residents rekey --tenant CODE``: recompute stored search keys after the folding rules changed."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.residents.rekey import rekey_residents
from handlers.tenants import system_actor_for_code
from handlers.uow import unit_of_work

residents_cli = AppGroup("residents", help="住民データの保守")


@residents_cli.command("rekey")
@click.option("--tenant", "code", required=True, help="全国地方公共団体コード（6桁）")
@with_appcontext
def rekey_cli(code: str) -> None:
    """検索キー（氏名・カナ・異体字の畳み込み）をすべて計算し直す。"""
    db: Database = current_app.extensions["jumin.db"]
    try:
        actor = system_actor_for_code(db, code, "residents-rekey")
    except NotFoundError:
        raise click.ClickException(f"市区町村コード {code} の団体が登録されていません。") from None
    with unit_of_work(db, actor) as uow:
        report = rekey_residents(uow)
    click.echo(f"{report.residents_checked} residents checked, {report.residents_changed} keys changed, "
               f"{report.archived_changed} archived 除票 keys changed")  # fmt: skip


commands = [residents_cli]
