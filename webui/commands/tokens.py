"""``jumin token issue`` / ``jumin token revoke``: API tokens for systems and scripts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from handlers.api_tokens import issue_token, revoke_token
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import DomainError
from handlers.tenants import system_actor_for_code, user_id_for_login
from handlers.uow import unit_of_work

token_cli = AppGroup("token", help="APIトークンの発行・失効")


def _tenant_actor(db: Database, code: str) -> Actor:
    try:
        return system_actor_for_code(db, code, "cli:token")
    except DomainError as err:
        raise click.ClickException(str(err)) from None


@token_cli.command("issue")
@click.option("--tenant", "tenant_code", required=True, help="市区町村コード（6桁）")
@click.option("--name", required=True, help="トークンの名称（システム名など）")
@click.option("--user", "login_id", default=None, help="このログインIDの利用者として動くトークンにする")
@click.option("--role", "roles", multiple=True, help="権限（システム用トークンでは必須、複数指定可）")
def issue(tenant_code: str, name: str, login_id: str | None, roles: tuple[str, ...]) -> None:
    """Issue a token and print its secret (shown only this once)."""
    db: Database = current_app.extensions["jumin.db"]
    actor = _tenant_actor(db, tenant_code)
    with unit_of_work(db, actor) as uow:
        user_id = None
        if login_id is not None:
            user_id = user_id_for_login(uow.session, login_id)
            if user_id is None:
                raise click.ClickException(f"この市区町村にログインID {login_id} の利用者はいません。")
        try:
            secret = issue_token(uow, name=name, user_id=user_id, roles=list(roles) or None)
        except DomainError as err:
            raise click.ClickException(str(err)) from None
    click.echo(secret)
    click.echo("このトークンは再表示できません。安全な場所に保管してください。", err=True)


@token_cli.command("revoke")
@click.option("--tenant", "tenant_code", required=True, help="市区町村コード（6桁）")
@click.argument("token_id", type=int)
def revoke(tenant_code: str, token_id: int) -> None:
    """Revoke a token by its id."""
    db: Database = current_app.extensions["jumin.db"]
    with unit_of_work(db, _tenant_actor(db, tenant_code)) as uow:
        revoke_token(uow, token_id)
    click.echo(f"token {token_id} revoked")


commands = [token_cli]
