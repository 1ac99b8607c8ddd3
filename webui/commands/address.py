"""``jumin address build --tenant CODE``: regenerate the counter's address dictionary
(webui/static/data/addresses_<CODE>.json) from Japan Post's postcode data (handlers/address_dictionary.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from handlers.address_dictionary import DATA_DIR, UnknownMunicipalityError, write_dictionary

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


commands = [address_cli]
