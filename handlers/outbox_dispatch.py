"""Starting deliveries after commit: a Database's dispatcher (``install_dispatcher``; the worker installs
Celery's) is called with (tenant, destinations) once the unit of work that queued notices has committed:
one call for all the destinations of that unit of work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from handlers.db import Database
from handlers.uow import UnitOfWork

log = logging.getLogger(__name__)

DISPATCHER_KEY = "outbox.dispatcher"
_PENDING_KEY = "outbox.dispatch_pending"  # the destinations this session's next commit will dispatch
Dispatcher = Callable[[int, list[str]], None]


def install_dispatcher(db: Database, dispatcher: Dispatcher | None) -> None:
    """Deliveries of notices committed through ``db`` start with ``dispatcher(tenant_id, destinations)``."""
    db.sessionmaker.configure(info={DISPATCHER_KEY: dispatcher} if dispatcher else {})


def schedule_delivery(uow: UnitOfWork, destinations: Iterable[str]) -> None:
    """After ``uow`` commits, start a delivery of each destination (never before: a rolled-back unit of work
    releases nothing), with one dispatch for all of them (sorted) however often the unit of work asks.  A
    dispatch that fails is logged; the sweep picks the messages up later."""
    dispatcher = uow.session.info.get(DISPATCHER_KEY)
    if dispatcher is None:
        return
    wanted = set(destinations)
    if not wanted:
        return
    pending: set[str] | None = uow.session.info.get(_PENDING_KEY)
    if pending is not None:  # a dispatch is already waiting for this commit: it takes these too
        pending |= wanted
        return
    uow.session.info[_PENDING_KEY] = pending = wanted
    tenant_id = uow.actor.tenant_id

    def release() -> None:
        uow.session.info.pop(_PENDING_KEY, None)
        chosen = sorted(pending)
        try:
            dispatcher(tenant_id, chosen)
        except Exception:
            log.exception(
                "outbox dispatch of %s/%s failed; the sweep will retry", tenant_id, ",".join(chosen)
            )

    uow.after_commit(release)
