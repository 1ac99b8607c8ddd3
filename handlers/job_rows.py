"""What the background jobs a person asks for share (extraction, the bulk-change notices): the job runs as its
requester — their roles decide what it may see — and writes its progress in units of work of its own."""

from __future__ import annotations

from typing import Any, Protocol

from handlers.auth import actor_for_user
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.uow import unit_of_work
from models.user import User


class JobRow(Protocol):
    created_by: str
    created_by_user_id: int | None


def requester_of(
    db: Database, tenant_id: int, model: type[Any], job_id: int, system_name: str, missing: str
) -> Actor:
    """The Actor of the user who asked for job ``job_id`` (a row of ``model``), or the system for a scheduled
    job; ``missing`` is the refusal when there is no such job."""
    with unit_of_work(db, Actor.system(tenant_id, system_name)) as uow:
        job: JobRow | None = uow.session.get(model, job_id)
        if job is None:
            raise NotFoundError(missing)
        user = uow.session.get(User, job.created_by_user_id) if job.created_by_user_id else None
        return actor_for_user(user) if user is not None else Actor.system(tenant_id, job.created_by)


def update_job(db: Database, actor: Actor, model: type[Any], job_id: int, **values: Any) -> None:
    """Set ``values`` on the job row in a unit of work of its own (progress seen by the pages while it runs)."""
    with unit_of_work(db, actor) as uow:
        job = uow.session.get(model, job_id)
        assert job is not None
        for key, value in values.items():
            setattr(job, key, value)
