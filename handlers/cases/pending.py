"""The provisional change (仮登録) of a case: written at intake, acknowledged at review, closed at 本登録."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.exc import MultipleResultsFound
from sqlalchemy.orm import Session

from handlers.changes.base import Assessment, RegistrationResult
from handlers.errors import ConflictError
from handlers.row_writes import insert_rows, loaded_row, run_prebuilt
from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import PendingChange
from workflows.engine import runner

PENDING_KEY = "case_pending_changes"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def pending_change_of(uow: UnitOfWork, case_id: int) -> PendingChange | None:
    """The case's provisional change; once read or written in this unit of work, the same row again (the
    operators of one engine run ask for it one after another)."""
    known: dict[int, PendingChange] = uow.session.info.setdefault(PENDING_KEY, {})
    pending = known.get(case_id)
    if pending is not None and pending in uow.session:
        return pending
    if runner.opened_here(uow, case_id):
        return None  # the case was opened in this transaction and has not written one yet
    pending = _read_pending(uow.session, case_id)
    if pending is not None:
        known[case_id] = pending
    return pending


_PENDINGS = cast(Table, PendingChange.__table__)
# Built once (its cache key is kept): Core, naming the session's tenant; every column, in table order.
_PENDING_OF = select(*_PENDINGS.columns).where(
    _PENDINGS.c.case_id == bindparam("case"), _PENDINGS.c.tenant_id == bindparam("tenant")
)


def _read_pending(session: Session, case_id: int) -> PendingChange | None:
    """The case's row read by a prebuilt statement (``run_prebuilt``) and made an ORM row without the ORM's
    loading (``loaded_row``); a session of no single tenant reads it by the ORM, tenant-scoped as any
    statement."""
    tenant = session_tenant(session)
    if tenant is None or session.info.get(CROSS_TENANT_KEY):
        return session.scalars(select(PendingChange).where(PendingChange.case_id == case_id)).one_or_none()
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    rows = run_prebuilt(session, _PENDING_OF, {"case": case_id, "tenant": tenant}).rows
    if len(rows) > 1:
        raise MultipleResultsFound("Multiple rows were found when one or none was required")
    return cast(PendingChange, loaded_row(session, PendingChange, rows[0])) if rows else None


def require_pending(uow: UnitOfWork, case_id: int) -> PendingChange:
    pending = pending_change_of(uow, case_id)
    if pending is None or pending.status not in ("provisional", "rejected"):
        raise ConflictError("この案件には審査中の仮登録がありません。")
    return pending


def save_provisional(
    uow: UnitOfWork, case: Case, code: str, assessment: Assessment, *, notifier: dict[str, Any] | None = None
) -> PendingChange:
    """Write or refresh the case's PendingChange: the proposal, the alerts, the 届出人 entered (j580), who
    entered it; earlier acknowledgements are dropped (the content may have changed)."""
    pending = pending_change_of(uow, case.id)
    new = pending is None
    if pending is None:
        pending = PendingChange(tenant_id=case.tenant_id, case_id=case.id, change_type=code)
        uow.session.info.setdefault(PENDING_KEY, {})[case.id] = pending
    pending.status = "provisional"
    pending.proposal = dict(assessment.proposal)
    pending.notifier = notifier
    pending.alerts = [alert.to_json() for alert in assessment.alerts]
    pending.acknowledgements = []
    pending.entered_by = uow.actor.user_id
    pending.entered_by_login = uow.actor.login_id
    pending.entered_at = utcnow()
    pending.entered_place = uow.actor.ward_code
    pending.entered_terminal = uow.actor.terminal
    pending.result = None
    uow.session.flush()
    if new:
        uow.session.add(pending)
        insert_rows(uow.session, [pending])  # one INSERT … RETURNING, without the unit of work
    return pending


def result_json(result: RegistrationResult) -> dict[str, Any]:
    return {
        "atena_numbers": list(result.atena_numbers),
        "household_numbers": list(result.household_numbers),
        "notices": [dataclasses.asdict(notice) for notice in result.notices],
        "documents": list(result.documents),
        "summary": dict(result.summary),
    }


def mark_registered(pending: PendingChange, result: RegistrationResult) -> None:
    pending.status = "registered"
    pending.registered_at = utcnow()
    pending.result = result_json(result)
