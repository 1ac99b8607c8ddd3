"""Starting deliveries after commit: a Database's dispatcher (``install_dispatcher``; the worker installs
Celery's) is called with (tenant, destination) once the unit of work that queued notices has committed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from handlers.db import Database
from handlers.uow import UnitOfWork

log = logging.getLogger(__name__)

DISPATCHER_KEY = "outbox.dispatcher"
Dispatcher = Callable[[int, str], None]


def install_dispatcher(db: Database, dispatcher: Dispatcher | None) -> None:
    """Deliveries of notices committed through ``db`` start with ``dispatcher(tenant_id, destination)``."""
    db.sessionmaker.configure(info={DISPATCHER_KEY: dispatcher} if dispatcher else {})


def schedule_delivery(uow: UnitOfWork, destinations: Iterable[str]) -> None:
    """After ``uow`` commits, start a delivery of each destination (never before: a rolled-back unit of work
    releases nothing).  A dispatch that fails is logged; the sweep picks the messages up later."""
    dispatcher = uow.session.info.get(DISPATCHER_KEY)
    wanted = sorted(set(destinations))
    if dispatcher is None or not wanted:
        return
    tenant_id = uow.actor.tenant_id

    def release() -> None:
        for destination in wanted:
            try:
                dispatcher(tenant_id, destination)
            except Exception:
                log.exception("outbox dispatch of %s/%s failed; the sweep will retry", tenant_id, destination)

    uow.after_commit(release)
