"""Configuration, read only from environment variables (with embedded defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT_ROOT / 'instance' / 'jumin.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_SQLITE
    celery_broker_url: str | None = None  # None: Celery runs eagerly in-process
    secret_key: str = "dev-only-change-me"
    session_idle_minutes: int = 15
    max_failed_logins: int = 5
    lockout_minutes: int = 30
    migration_database_url: str | None = (
        None  # the tables' owner; None: DATABASE_URL (see docs/operations.md)
    )
    app_database_role: str = "jumin_app"  # the non-owner role the app connects as (row-level security)
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL", DEFAULT_SQLITE),
            celery_broker_url=env.get("CELERY_BROKER_URL") or None,
            secret_key=env.get("SECRET_KEY", "dev-only-change-me"),
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", "15")),
            max_failed_logins=int(env.get("MAX_FAILED_LOGINS", "5")),
            lockout_minutes=int(env.get("LOCKOUT_MINUTES", "30")),
            migration_database_url=env.get("MIGRATION_DATABASE_URL") or None,
            app_database_role=env.get("APP_DATABASE_ROLE", "jumin_app"),
        )
