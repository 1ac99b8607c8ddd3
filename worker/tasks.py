"""Celery tasks.  Each opens its own unit of work through the handlers; none holds a rule."""

from __future__ import annotations

from handlers.context import Actor
from handlers.db import Database
from handlers.settings import Settings
from handlers.uow import unit_of_work
from worker.celery_app import celery_app

_db: Database | None = None


def task_database() -> Database:
    global _db
    if _db is None:
        _db = Database.from_url(Settings.from_env().database_url)
    return _db


@celery_app.task(name="jumin.ping")
def ping(tenant_id: int) -> str:
    """Round-trip check used by readiness probes and tests: opens a scoped unit of work."""
    with unit_of_work(task_database(), Actor.system(tenant_id, "celery")):
        return "pong"
