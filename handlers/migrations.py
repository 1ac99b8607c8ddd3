"""Apply and check Alembic migrations from code (used by ``jumin db upgrade`` and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from handlers.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models differ from what the migrations create."""
    command.check(alembic_config(database_url))
