"""転出 at 本登録 and on its date: the 転出予定 items, the 除票 on the planned date, and the daily batch.

``register_move_out`` writes the planned destination and date on each mover (status ``moving_out``, one history
row); a mover whose date has already come becomes a 除票 at once.  ``apply_due_move_outs`` (run daily) turns
every ``moving_out`` person whose removal date has come into a 除票: the removal date is the earlier of the
planned date and the 転出年月日（確定） of a received 転入通知 (notes §3).  When the head's record goes and one
member stays, that member becomes head ex officio (j490).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.base import NoticeDraft, RegistrationResult
from handlers.changes.notification_origin import origin_documents
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.permissions import require
from handlers.residents.history import append_history, display_name
from handlers.residents.lookup import find_resident
from handlers.residents.registration import amend_resident, remove_resident
from handlers.rules.head_leaving import EX_OFFICIO_HEAD, EX_OFFICIO_HEAD_NOTE, HEAD_UNSET
from handlers.rules.move_out import move_out_documents, removal_date
from handlers.rules.relationship import HEAD
from handlers.uow import UnitOfWork, unit_of_work
from models.resident import Resident
from models.tenant import Municipality

EX_OFFICIO_NOTE = "職権記載（転出をした日から14日を経過した転出届）"
BATCH_ACTOR_NAME = "batch:move-outs"
ADULT_WARD_NOTICE = "adult_ward_notice"  # 成年被後見人転出通知書 to the destination (j1310)
HEAD_DOCUMENTS = {EX_OFFICIO_HEAD: "head_change_notice", HEAD_UNSET: "head_change_request_notice"}


def _date(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(text)) if text else None


def _note(proposal: Mapping[str, Any]) -> str | None:
    late = proposal.get("ex_officio") and not proposal.get("ex_officio_record")  # j640, not j760's 職権記録書
    parts = [EX_OFFICIO_NOTE if late else None, proposal.get("note")]
    return "／".join(p for p in parts if p) or None


def remove_moved_out(
    uow: UnitOfWork, resident: Resident, on: dt.date, *, note: str | None = None
) -> list[str]:
    """The person's record becomes a 除票 on ``on``; returns the 宛名番号 of everyone whose record changed
    (the one member left becomes head ex officio when the head goes)."""
    household = resident.household
    was_head = household.head_resident_id == resident.id
    remove_resident(
        uow,
        resident.atena_number,
        reason_code=resident.removal_reason or "domestic_move_out",
        removal_date=on,
        note=note,
    )
    changed = [resident.atena_number]
    staying = [m for m in household.members if m.status == "resident"]  # not those leaving too
    if was_head and len(staying) == 1:
        amend_resident(
            uow,
            staying[0].atena_number,
            {"relation_to_head": HEAD},
            reason_code="head_change",
            change_date=on,
            note=EX_OFFICIO_HEAD_NOTE,
        )
        changed.append(staying[0].atena_number)
    return changed


def _mark_moving_out(uow: UnitOfWork, resident: Resident, proposal: Mapping[str, Any]) -> None:
    destination = proposal["destination"]
    resident.status = "moving_out"
    resident.removal_reason = proposal["reason"]
    resident.destination_planned_address = destination.get("address")
    resident.destination_planned_code = destination.get("code")
    resident.destination_planned_postal_code = destination.get("postal_code")
    resident.move_out_planned_date = _date(proposal["change_date"])
    if not proposal.get("ex_officio"):
        resident.notified_date = _date(proposal.get("notified_date"))


def register_move_out(uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
    require(uow.actor, "resident.change")
    planned = _date(proposal["change_date"])
    assert planned is not None
    notified = None if proposal.get("ex_officio") else _date(proposal.get("notified_date"))
    changed: list[str] = []
    movers = [find_resident(uow.session, number) for number in proposal["movers"]]
    for resident in movers:
        _mark_moving_out(uow, resident, proposal)
        append_history(
            uow.session,
            resident,
            reason_code=proposal["reason"],
            change_date=planned,
            effective_date=japan_today(),
            notified_date=notified,
            note=_note(proposal),
            entered_by=uow.actor.user_id,
            input_terminal=uow.actor.terminal,
        )
        changed.append(resident.atena_number)
    if planned <= japan_today():
        for resident in movers:
            changed += [n for n in remove_moved_out(uow, resident, planned) if n not in changed]
    record_access(uow, "move_out_registered", "change", changed, detail={"reason": proposal["reason"]})
    return RegistrationResult(
        atena_numbers=changed,
        household_numbers=[proposal["source_household"]],
        notices=_notices(movers, proposal),
        documents=_documents(proposal)
        + ([ADULT_WARD_NOTICE] if any(m.adult_guardianship for m in movers) else []),
        summary={
            "reason": proposal["reason"],
            "ex_officio": bool(proposal.get("ex_officio")),
            "special_move_out": bool(proposal.get("special_move_out")),
            "planned_date": proposal["change_date"],
            "removed_now": planned <= japan_today(),
            "head_outcome": proposal.get("head_outcome"),
        },
    )


def _documents(proposal: Mapping[str, Any]) -> list[str]:
    documents = move_out_documents(
        ex_officio=bool(proposal.get("ex_officio")), special=bool(proposal.get("special_move_out"))
    )
    extra = HEAD_DOCUMENTS.get(str(proposal.get("head_outcome")))
    return origin_documents(proposal, documents + ([extra] if extra else []))


def certificate_info(resident: Resident) -> dict[str, Any]:
    """転出証明書情報 (j670): what the new municipality's 特例転入 builds its entry from."""
    household = resident.household
    return {
        "atena_number": resident.atena_number,
        "resident_code": resident.resident_code,
        "my_number": resident.my_number,
        "resident_kind": resident.resident_kind,
        "name": display_name(resident),
        "family_name_kana": resident.family_name_kana,
        "given_name_kana": resident.given_name_kana,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "birth_date_text": resident.birth_date_text,
        "sex": resident.sex,
        "relation_to_head": resident.relation_to_head,
        "head_name": display_name(household.head) if household.head is not None else None,
        "honseki": resident.honseki,
        "hittosha": resident.hittosha,
        "nationality": resident.nationality,
        "address": household.address,
        "address_katagaki": household.address_katagaki,
        "move_out_planned_date": resident.move_out_planned_date.isoformat()
        if resident.move_out_planned_date
        else None,
        "destination_planned_address": resident.destination_planned_address,
        "destination_planned_code": resident.destination_planned_code,
        "national_pension": resident.national_pension,
        "nhi": resident.nhi,
        "card_status": resident.card_status,
    }


def _notices(movers: list[Resident], proposal: Mapping[str, Any]) -> list[NoticeDraft]:
    notices: list[NoticeDraft] = []
    for resident in movers:
        notices.append(
            NoticeDraft(
                "cs",
                "identity_change",
                {
                    "atena_number": resident.atena_number,
                    "resident_code": resident.resident_code,
                    "change": "move_out",
                    "reason": proposal["reason"],
                    "change_date": proposal["change_date"],
                    "destination": proposal["destination"].get("address"),
                },
            )
        )
    if proposal.get("special_move_out"):
        notices += [NoticeDraft("cs", "move_out_certificate_info", certificate_info(r)) for r in movers]
    return notices


def apply_due_move_outs(uow: UnitOfWork, today: dt.date) -> list[str]:
    """Turn every ``moving_out`` person whose removal date (earlier of planned and confirmed) has come into a
    除票.  Run daily (``jumin batch move-outs``); returns the 宛名番号 whose record changed."""
    require(uow.actor, "resident.change")
    due = uow.session.scalars(
        select(Resident).where(Resident.status == "moving_out").order_by(Resident.atena_number)
    ).all()
    changed: list[str] = []
    for resident in due:
        if resident.move_out_planned_date is None:
            continue
        on = removal_date(resident.move_out_planned_date, resident.move_out_confirmed_date)
        if on <= today:
            changed += remove_moved_out(uow, resident, on)
    return changed


def tenant_ids(db: Database, code: str) -> tuple[int, str]:
    """(id, name) of the municipality with ``code`` (a system read across tenants)."""
    with unit_of_work(db, Actor.system(0, BATCH_ACTOR_NAME), cross_tenant=True) as uow:
        row = uow.session.execute(
            select(Municipality.id, Municipality.name).where(Municipality.code == code)
        ).one_or_none()
    if row is None:
        raise NotFoundError(f"市区町村コード {code} の団体は登録されていません。")
    return row.id, row.name


def run_due_move_outs(db: Database, *, tenant_code: str, today: dt.date) -> list[str]:
    """The daily 転出 batch of one municipality, in one unit of work as its system actor."""
    tenant_id, _name = tenant_ids(db, tenant_code)
    with unit_of_work(db, Actor.system(tenant_id, BATCH_ACTOR_NAME)) as uow:
        changed = apply_due_move_outs(uow, today)
        record_access(uow, "move_outs_applied", "batch", changed, detail={"today": today.isoformat()})
    return changed
