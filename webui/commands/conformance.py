"""``jumin conformance report [--format md|html]``: the conformance report on standard output."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from handlers.conformance import build_report
from handlers.conformance_render import render_markdown

conformance_cli = AppGroup("conformance", help="標準仕様（第3章）への適合状況")


@conformance_cli.command("report")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@with_appcontext
def report_cli(fmt: str) -> None:
    """節ごとに、検証テスト・選択機能・実装しない機能の不在を出力する。"""
    if fmt == "md":
        click.echo(render_markdown(build_report()), nl=False)
        return
    from flask import current_app

    from webui.conformance.views import render_report_html

    with current_app.test_request_context("/conformance"):
        click.echo(render_report_html())


commands = [conformance_cli]
