"""The web doors' unit of work: one per request, scoped to the signed-in user's tenant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g

from handlers.db import Database
from handlers.uow import UnitOfWork, unit_of_work
from webui.security import current_actor


def current_db() -> Database:
    db: Database = current_app.extensions["jumin.db"]
    return db


@contextmanager
def web_uow() -> Iterator[UnitOfWork]:
    """The request's unit of work; an API request's continues the transaction its token was read in."""
    with unit_of_work(current_db(), current_actor(), session=g.pop("api_session", None)) as uow:
        yield uow
