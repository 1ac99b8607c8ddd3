"""A 転入通知 received through the relay (j680, j690): one 転入通知の受理 case per person, opened by the relay and
approved at once by the automatic acceptance when the municipality's setting ``move_in_notice_auto_apply`` is
on and the notice raises no alert.  Otherwise the case waits for a supervisor's review.  The inbox row is
``review`` (a person decides, ``handlers.relay_inbox.decide``) when the notice cannot be matched or assessed
(取込エラー) or when the automatic acceptance met an alert (the person under a support measure, no move-out
recorded here, a notice already received …); the reasons are kept in its payload (``review_reasons``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.cases import approve, open_case
from handlers.context import Actor
from handlers.errors import DomainError, ValidationError
from handlers.uow import UnitOfWork
from models.case import CaseTask
from models.relay import RelayInbox
from models.resident import Resident
from models.tenant import Municipality

AUTO_APPLY_SETTING = "move_in_notice_auto_apply"
AUTO_ACCEPT_ACTOR = "relay:auto-accept"


def auto_apply(uow: UnitOfWork) -> bool:
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    return bool(((municipality.settings or {}) if municipality else {}).get(AUTO_APPLY_SETTING))


def receipt_intake(row: RelayInbox, atena_number: str) -> dict[str, Any]:
    payload = row.payload
    address = " ".join(p for p in (payload.get("address"), payload.get("address_katagaki")) if p)
    return {
        "atena_number": atena_number,
        "notice_date": payload.get("notice_date"),
        "confirmed_address": address,
        "confirmed_code": row.sender_code,
        "confirmed_postal_code": payload.get("postal_code"),
        "confirmed_move_out_date": payload.get("move_in_date"),
        "note": f"{payload.get('sender_name') or row.sender_code}から中継で受信",
    }


def review_task(uow: UnitOfWork, case_id: int) -> CaseTask | None:
    return uow.session.scalars(
        select(CaseTask).where(
            CaseTask.case_id == case_id,
            CaseTask.bpmn_id.startswith("review_"),
            CaseTask.state.in_(("ready", "claimed")),
        )
    ).first()


def open_receipt(
    uow: UnitOfWork, row: RelayInbox, atena_number: str, automatic: bool
) -> tuple[int, list[str]]:
    """Open the person's 転入通知の受理 case and, when ``automatic``, approve it; returns the case id and the
    reasons the automatic acceptance stopped at (the alerts a person must acknowledge, j690)."""
    case = open_case(uow, "move_in_notice_receipt", receipt_intake(row, atena_number))
    task = review_task(uow, case.id)
    if not automatic or task is None:
        return case.id, []
    accepter = UnitOfWork(uow.session, Actor.system(uow.actor.tenant_id, AUTO_ACCEPT_ACTOR))
    try:
        with uow.session.begin_nested():
            approve(accepter, task.id, [])
    except ValidationError as stopped:
        return case.id, [f"{atena_number}: {problem.reason}" for problem in stopped.problems]
    return case.id, []


def _residents(uow: UnitOfWork, payload: Mapping[str, Any]) -> list[Resident]:
    codes = [c for c in payload.get("resident_codes") or [] if c]
    if not codes:
        return []
    return list(
        uow.session.scalars(
            select(Resident).where(Resident.resident_code.in_(codes)).order_by(Resident.atena_number)
        )
    )


def accept_move_in_notice(uow: UnitOfWork, row: RelayInbox) -> None:
    residents = _residents(uow, row.payload)
    if not residents:
        row.status = "review"
        row.payload = {**row.payload, "error": "住民票コードに該当する転出者がいません"}
        return
    automatic = auto_apply(uow)
    case_ids: list[int] = []
    errors: list[str] = []
    reasons: list[str] = []
    for resident in residents:
        try:
            with uow.session.begin_nested():
                case_id, alerts = open_receipt(uow, row, resident.atena_number, automatic)
            case_ids.append(case_id)
            reasons += alerts
        except DomainError as error:
            errors.append(f"{resident.atena_number}: {error}")
    row.case_id = case_ids[0] if case_ids else None
    row.status = "review" if errors or reasons else ("applied" if automatic else "received")
    row.payload = {**row.payload, "case_ids": case_ids, "errors": errors, "review_reasons": reasons}
