"""``jumin synth --tenant CODE --count N --seed S``: load synthetic residents into a municipality."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.synthetic import bulk_load
from handlers.tenants import system_actor_for_code


@click.command("synth")
@click.option("--tenant", "tenant_code", required=True, help="全国地方公共団体コード（6桁）")
@click.option("--count", type=click.IntRange(min=1), default=1000, show_default=True, help="住民の人数")
@click.option("--seed", type=int, default=1, show_default=True, help="乱数の種（同じ種なら同じ住民）")
@click.option("--batch", type=click.IntRange(min=100), default=20_000, show_default=True)
@with_appcontext
def synth_cli(tenant_code: str, count: int, seed: int, batch: int) -> None:
    """合成住民データを一括登録する（デモ・性能測定用のシステムバッチ）。"""
    db: Database = current_app.extensions["jumin.db"]
    try:
        tenant_id = system_actor_for_code(db, tenant_code, "synth").tenant_id
    except NotFoundError:
        raise click.ClickException(
            f"市区町村コード {tenant_code} の団体が登録されていません（jumin demo load など）。"
        ) from None
    report = bulk_load(db.bind, tenant_id, count, seed, batch)
    click.echo(
        f"{report.residents} residents, {report.households} households, {report.history_rows} history rows "
        f"in {report.seconds:.1f} s ({report.residents_per_second:,.0f} residents/s)"
    )


commands = [synth_cli]
