"""``jumin audit verify [--tenant CODE]``: walk each municipality's access-log chain (j1370)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.audit_verify import VerifyResult, verify_municipalities
from handlers.context import Actor
from handlers.errors import NotFoundError
from handlers.uow import unit_of_work

audit_cli = AppGroup("audit", help="アクセスログの改ざん検証")

CLI_ACTOR = Actor.system(tenant_id=0, name="jumin audit verify")


def _report(code: str, result: VerifyResult) -> None:
    summary = f"{code}: {result.rows_checked} 行（最終連番 {result.head_seq}）"
    if result.ok:
        click.echo(f"{summary} OK")
        return
    click.echo(f"{summary} NG 異常 {len(result.breaks)} 件")
    for found in result.breaks:
        click.echo(f"  連番 {found.seq}: {found.message}")


@audit_cli.command("verify")
@click.option("--tenant", "code", metavar="CODE", help="市区町村コード（6桁）。省略時は全団体。")
def verify(code: str | None) -> None:
    """Verify the hash chain of every municipality (or one); exit 1 if anything is broken."""
    try:
        with unit_of_work(current_app.extensions["jumin.db"], CLI_ACTOR, cross_tenant=True) as uow:
            results = verify_municipalities(uow.session, code)
    except NotFoundError as err:
        raise click.BadParameter(str(err), param_hint="--tenant") from err
    for tenant_code, result in results.items():
        _report(tenant_code, result)
    if not all(result.ok for result in results.values()):
        raise SystemExit(1)


commands = [audit_cli]
