"""Unit of work: one session and one transaction per door call, committed here and nowhere else.

Side effects queued with ``after_commit`` (Celery dispatch of outbox rows, for instance) run only once the
transaction has committed.

A door that must read something cross-tenant before it knows the actor (the API's bearer token) opens
``begin_cross_tenant_read`` and hands that session to the call's unit of work, which continues its transaction
scoped to the actor's tenant: one transaction per call instead of two.  ``discard`` ends one that no unit of
work took over (nothing written in it is kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import DomainError
from handlers.tenancy import bind_session


class UnitOfWork:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._after_commit: list[Callable[[], None]] = []
        self.commit_refusal = False  # see keep_refusal_log

    def keep_refusal_log(self) -> None:
        """The call is about to be refused with a DomainError, but the access-log row it wrote must stay
        (e.g. ``approval_refused_same_user``).  Only for refusals that have written nothing else."""
        self.commit_refusal = True

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def flush(self) -> None:
        self.session.flush()

    def _commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()


def begin_cross_tenant_read(db: Database) -> Session:
    """A cross-tenant session for a door's first read (its transaction begins with that read)."""
    session = db.sessionmaker()
    bind_session(session, None, cross_tenant=True)
    return session


def discard(session: Session) -> None:
    """End a session from ``begin_cross_tenant_read`` that no unit of work continued: roll back, close."""
    session.close()


@contextmanager
def unit_of_work(
    db: Database, actor: Actor, *, cross_tenant: bool = False, session: Session | None = None
) -> Iterator[UnitOfWork]:
    """Open a session scoped to ``actor``'s tenant; commit on success, roll back on any exception.
    ``session``: one from ``begin_cross_tenant_read``, continued here (its transaction scoped to the actor's
    tenant from now on, on PostgreSQL with ``set_config`` at once)."""
    session = session if session is not None else db.sessionmaker()
    bind_session(session, None if cross_tenant else actor.tenant_id, cross_tenant=cross_tenant)
    uow = UnitOfWork(session, actor)
    try:
        yield uow
        uow._commit()
    except DomainError:
        if uow.commit_refusal:
            uow._commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
