"""``jumin address build --tenant CODE``: regenerate the bundled Japan Post town list
(webui/static/data/addresses_<CODE>.json) from Japan Post's postcode data (handlers/address_dictionary.py);
``jumin address load --tenant CODE``: load or refresh the municipality's address dictionary in the database
(住所コード kept, handlers/address_refresh.py) — run it when a new Japan Post release is installed (monthly)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from handlers.address_dictionary import DATA_DIR, UnknownMunicipalityError, japan_post_towns, write_dictionary
from handlers.address_refresh import refresh_from_japan_post
from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.tenants import system_actor_for_code
from handlers.uow import unit_of_work

address_cli = AppGroup("address", help="窓口の住所辞書（郵便番号・町域）")


@address_cli.command("build", with_appcontext=False)
@click.option("--tenant", "codes", required=True, multiple=True, help="全国地方公共団体コード（6桁、複数可）")
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DATA_DIR,
    show_default=True,
    help="出力先ディレクトリ",
)
def build_cli(codes: tuple[str, ...], directory: Path) -> None:
    """日本郵便の郵便番号データから団体の住所辞書（addresses_<CODE>.json）を生成する。"""
    directory.mkdir(parents=True, exist_ok=True)
    for code in codes:
        try:
            path, towns = write_dictionary(code, directory)
        except UnknownMunicipalityError:
            raise click.ClickException(
                f"市区町村コード {code} は全国地方公共団体コードにありません。"
            ) from None
        click.echo(f"{path}: {towns} towns")


@address_cli.command("load")
@click.option("--tenant", "codes", required=True, multiple=True, help="全国地方公共団体コード（6桁、複数可）")
@with_appcontext
def load_cli(codes: tuple[str, ...]) -> None:
    """日本郵便の郵便番号データで団体の住所辞書（データベース）を作成・更新する（住所コードは変わらない）。"""
    db: Database = current_app.extensions["jumin.db"]
    for code in codes:
        try:
            actor = system_actor_for_code(db, code, "address-load")
            towns = japan_post_towns(code)
        except (NotFoundError, UnknownMunicipalityError):
            raise click.ClickException(
                f"市区町村コード {code} の団体が登録されていないか、全国地方公共団体コードにありません。"
            ) from None
        with unit_of_work(db, actor) as uow:
            report = refresh_from_japan_post(uow, towns)
        click.echo(f"{code}: " + ", ".join(f"{key} {value}" for key, value in report.to_json().items()))


commands = [address_cli]
