"""``jumin tenant export --tenant CODE --format csv|jsonl DIR`` and ``jumin tenant import DIR``: move a
whole municipality's data in the standard layout (docs/data-layout.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from handlers.certificates.officials import set_officials
from handlers.context import Actor
from handlers.db import Database
from handlers.e_applications import set_jpki_trust
from handlers.errors import NotFoundError, ValidationError
from handlers.portability import ImportRefusedError, TenantNotEmptyError, export_tenant, import_tenant
from handlers.tenants import system_actor_for_code
from handlers.uow import unit_of_work

tenant_cli = AppGroup("tenant", help="団体（テナント）単位のデータ移行（標準レイアウトでの出力・取込）")


def _actor(db: Database, code: str, name: str) -> Actor:
    try:
        return system_actor_for_code(db, code, name)
    except NotFoundError:
        raise click.ClickException(f"市区町村コード {code} の団体が登録されていません。") from None


@tenant_cli.command("export")
@click.option("--tenant", "code", required=True, help="全国地方公共団体コード（6桁）")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_cli(code: str, fmt: str, directory: Path) -> None:
    """団体の全データ（住民・履歴・除票・支援措置・交付履歴・アクセスログ）を出力する。"""
    db: Database = current_app.extensions["jumin.db"]
    with unit_of_work(db, _actor(db, code, "tenant-export")) as uow:
        report = export_tenant(uow, directory, fmt)
    for name, rows in report.counts.items():
        click.echo(f"{name}: {rows} rows")
    click.echo(f"manifest: {directory / 'manifest.json'}")


@tenant_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_cli(directory: Path) -> None:
    """出力されたデータを、同じ団体コードの空の団体に取り込む（全件検査のうえ、全件か無しか）。"""
    db: Database = current_app.extensions["jumin.db"]
    try:
        code = str(json.loads((directory / "manifest.json").read_text("utf-8"))["municipality_code"])
    except (OSError, ValueError, KeyError):
        raise click.ClickException("manifest.json を読めません。") from None
    actor = _actor(db, code, "tenant-import")
    try:
        report = import_tenant(lambda: unit_of_work(db, actor), directory)
    except ImportRefusedError as refused:
        raise click.ClickException(refused.report()) from None
    except TenantNotEmptyError as busy:
        raise click.ClickException(str(busy)) from None
    for name, rows in report.counts.items():
        click.echo(f"{name}: {rows} rows")
    relinked = "（別のデータベースの団体IDで作られたため再連結）" if report.chain_relinked else ""
    click.echo(f"access log chain verified: {report.chain_rows_verified} rows{relinked}")
    click.echo(f"{report.seconds:.1f} s")


@tenant_cli.command("jpki")
@click.option("--tenant", "code", required=True, help="全国地方公共団体コード（6桁）")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="公的個人認証（署名用）認証局の証明書（PEM、複数可）",
)
@click.option(
    "--crl",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="その認証局の最新の失効リスト（PEM）",
)
@with_appcontext
def jpki_cli(code: str, anchors: tuple[Path, ...], crl: Path | None) -> None:
    """電子申請（j1210）で信頼する認証局と失効リストを設定する（失効リストは公開のたびに更新すること）。"""
    db: Database = current_app.extensions["jumin.db"]
    actor = _actor(db, code, "jpki-settings")
    try:
        with unit_of_work(db, actor) as uow:
            set_jpki_trust(
                uow, [p.read_text("ascii") for p in anchors], crl.read_text("ascii") if crl else None
            )
    except ValidationError as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(
        f"{code}: 認証局 {len(anchors)} 件"
        + (
            "、失効リストを設定しました。"
            if crl
            else "を設定しました（失効リストなし：電子申請は受け付けません）。"
        )
    )


commands = [tenant_cli]


OFFICIAL_FORMAT = "職名|氏名|開始日|終了日|acting（職務代理者のとき）|区コード（区長のとき）"


def _official_entry(text: str) -> dict[str, object]:
    """One ``--official``: 職名|氏名, then optionally 開始日|終了日 (YYYY-MM-DD), acting and a ward code."""
    parts = [part.strip() for part in text.split("|")] + [""] * 6
    title, name, start, end, acting, ward = parts[:6]
    return {"title": title, "name": name, "from": start, "to": end, "acting": acting == "acting",
            **({"ward_code": ward} if ward else {})}  # fmt: skip


@tenant_cli.command("officials")
@click.option("--tenant", "code", required=True, help="全国地方公共団体コード（6桁）")
@click.option("--official", "entries", multiple=True, required=True, help=f"{OFFICIAL_FORMAT}（複数可）")
@with_appcontext
def officials_cli(code: str, entries: tuple[str, ...]) -> None:
    """証明書の認証者（市区町村長・職務代理者・区長、j290・j310）を登録する。登録済みの認証者はすべて置き換える。"""
    db: Database = current_app.extensions["jumin.db"]
    try:
        with unit_of_work(db, _actor(db, code, "officials-settings")) as uow:
            saved = set_officials(uow, [_official_entry(entry) for entry in entries])
    except ValidationError as refused:
        raise click.ClickException(str(refused)) from None
    for entry in saved:
        period = f"{entry['from'] or '（開始日なし）'}〜{entry['to'] or ''}"
        click.echo(f"{entry['title']} {entry['name']} {period}{'（職務代理者）' if entry['acting'] else ''}")
