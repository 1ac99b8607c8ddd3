"""The ``jumin`` command: Flask's CLI plus our own commands (db, demo, audit, batches)."""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import FlaskGroup

# Modules in webui/commands/ each expose ``commands: list[click.Command]``.
COMMAND_MODULES = [
    "webui.commands.db",
    "webui.commands.demo",
    "webui.commands.audit",
    "webui.commands.batch",
    "webui.commands.cases",
    "webui.commands.tokens",
    "webui.commands.synth",
    "webui.commands.outbox",
    "webui.commands.platform",
    "webui.commands.tenant",
    "webui.commands.residents",
    "webui.commands.conformance",
    "webui.commands.address",
]


def register_commands(app: Flask) -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for command in module.commands:
            app.cli.add_command(command)


def _create_app() -> Flask:
    from webui.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Jumin resident-record system."""
