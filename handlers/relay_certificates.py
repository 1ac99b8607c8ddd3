"""転出証明書情報 received through the relay for a 特例転入 (j670, j610): the lookup of city B's clerk (by
住民票コード, or by name and birth date), the intake it prefills, and its single use.

A row is ``received`` until the 特例転入 that took it is registered (本登録); that registration marks it ``used``
(``mark_certificate_used``, in the same transaction, the row locked FOR UPDATE), and any later 特例転入 naming
it is refused at intake, at approval and at registration (``certificate_problems``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.date_input import DateInputError, parse_flexible_date
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.relay import RelayInbox
from models.resident import Resident

CERTIFICATE_KIND = "move_out_certificate_info"
NOT_FOUND = "指定された転出証明書情報は見つかりません。"


def _member(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The person's items as a 特例転入 intake member (the clerk checks and completes them, j610)."""
    family, _, given = str(payload.get("name_mj") or payload.get("name") or "").partition(" ")
    items = ("family_name_kana", "given_name_kana", "birth_date", "sex", "relation_to_head", "honseki",
             "hittosha", "nationality", "resident_code", "my_number", "resident_kind")  # fmt: skip
    member = {k: payload.get(f"{k}_mj", payload.get(k)) for k in items if payload.get(k) is not None}
    return {**member, "family_name": family, "given_name": given}


def certificate_intake(row: RelayInbox) -> dict[str, Any]:
    """The parts of a 特例転入 intake the 転出証明書情報 fills."""
    payload = row.payload
    return {
        "kind": "special",
        "former_address": {
            "address": payload.get("address"),
            "municipality_code": row.sender_code,
        },
        "move_out_certificate": {
            "planned_move_out_date": payload.get("move_out_planned_date"),
            "issued_by": payload.get("sender_name"),
            "relay_inbox_id": row.id,
        },
        "members": [_member(payload)],
    }


def used_note(row: RelayInbox) -> str:
    used = (row.payload or {}).get("used") or {}
    numbers = "・".join(used.get("atena_numbers") or [])
    return f"{used.get('on') or ''} 特例転入で使用済み（宛名番号 {numbers}）".strip()


def _birth_matches(row: RelayInbox, birth_date: dt.date | None) -> bool:
    if birth_date is None:
        return True
    return str((row.payload or {}).get("birth_date") or "") == birth_date.isoformat()


def _parse_birth(text: str | None) -> dt.date | None:
    if not text or not text.strip():
        return None
    try:
        return parse_flexible_date(text).value
    except DateInputError as err:
        raise ValidationError(
            [Problem("birth_date", "生年月日", err.reason, err.remedy, "date_invalid")]
        ) from err


def _withheld_codes(uow: UnitOfWork, codes: set[str]) -> set[str]:
    """The 住民票コード among ``codes`` of persons this municipality withholds from lists (支援措置)."""
    if not codes:
        return set()
    withheld = persons_withheld_from_lists(uow, "inquiry")
    if not withheld.persons:
        return set()
    rows = uow.session.execute(
        select(Resident.resident_code, Resident.atena_number).where(Resident.resident_code.in_(sorted(codes)))
    ).all()
    return {str(code) for code, atena in rows if atena in withheld.persons}


def find_move_out_certificate_info(
    uow: UnitOfWork,
    *,
    resident_code: str | None = None,
    name: str | None = None,
    birth_date: str | None = None,
) -> list[dict[str, Any]]:
    """転出証明書情報 received for a 特例転入, by 住民票コード or by (part of) the name and the birth date;
    newest first, used ones marked.  A person this municipality protects is shown without items."""
    require(uow.actor, "resident.change")
    born = _parse_birth(birth_date)
    query = select(RelayInbox).where(RelayInbox.kind == CERTIFICATE_KIND)
    if resident_code and resident_code.strip():
        query = query.where(RelayInbox.resident_code == resident_code.strip())
    elif name and name.strip():
        query = query.where(RelayInbox.name.contains(name.strip()))
    else:
        return []
    ordered = query.order_by(RelayInbox.received_at.desc(), RelayInbox.id.desc())
    rows = [r for r in uow.session.scalars(ordered) if _birth_matches(r, born)]
    hidden = _withheld_codes(uow, {r.resident_code for r in rows if r.resident_code})
    record_access(
        uow,
        "move_out_certificate_info_searched",
        "search",
        [],
        detail={"resident_code": resident_code, "name": name, "birth_date": birth_date, "count": len(rows)},
    )
    return [_found(r, r.resident_code in hidden) for r in rows]


def _found(row: RelayInbox, withheld: bool) -> dict[str, Any]:
    payload = row.payload or {}
    base = {"id": row.id, "sender_code": row.sender_code, "sender_name": payload.get("sender_name"),
            "status": row.status, "used": row.status == "used", "withheld": withheld,
            "received_at": row.received_at}  # fmt: skip
    if withheld:
        return {
            **base,
            "name": None,
            "intake": None,
            "note": "支援措置の対象者です。支援措置責任者に確認してください。",
        }
    return {
        **base,
        "name": row.name,
        "birth_date": payload.get("birth_date"),
        "address": payload.get("address"),
        "planned_date": payload.get("move_out_planned_date"),
        "note": used_note(row) if row.status == "used" else "",
        "intake": certificate_intake(row),
    }


def _certificate(uow: UnitOfWork, inbox_id: Any, *, lock: bool = False) -> RelayInbox:
    try:
        number = int(inbox_id)
    except (TypeError, ValueError):
        raise NotFoundError(NOT_FOUND) from None
    query = select(RelayInbox).where(RelayInbox.id == number, RelayInbox.kind == CERTIFICATE_KIND)
    row = uow.session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row


def already_used(row: RelayInbox) -> str:
    return f"この転出証明書情報は既に{used_note(row)}です。同じ転出証明書情報で二度転入することはできません"


def certificate_for_intake(uow: UnitOfWork, inbox_id: Any) -> dict[str, Any]:
    """The 特例転入 intake prefilled from one 転出証明書情報 (refused once it is used)."""
    require(uow.actor, "resident.change")
    row = _certificate(uow, inbox_id)
    if row.status == "used":
        raise ConflictError(already_used(row) + "。")
    if row.resident_code and _withheld_codes(uow, {row.resident_code}):
        raise ConflictError("支援措置の対象者の転出証明書情報です。支援措置責任者に確認してください。")
    record_access(uow, "move_out_certificate_info_viewed", "view", [], detail={"inbox_id": row.id})
    return certificate_intake(row)


def certificate_id(intake: Mapping[str, Any]) -> Any:
    return (intake.get("move_out_certificate") or {}).get("relay_inbox_id")


def certificate_problems(uow: UnitOfWork, intake: Mapping[str, Any]) -> list[Problem]:
    """A 特例転入 naming a 転出証明書情報 that is missing or already used is refused (error)."""
    inbox_id = certificate_id(intake)
    if inbox_id in (None, ""):
        return []
    try:
        row = _certificate(uow, inbox_id)
    except NotFoundError:
        return [Problem("move_out_certificate", "転出証明書情報", "見つかりません",
                        "転出証明書情報を検索し直してください", "not_found")]  # fmt: skip
    if row.status == "used":
        return [Problem("move_out_certificate", "転出証明書情報", already_used(row),
                        "使用済みでない転出証明書情報を選ぶか、転出証明書による転入として受け付けてください",
                        "certificate_used")]  # fmt: skip
    return []


def mark_certificate_used(uow: UnitOfWork, intake: Mapping[str, Any], atena_numbers: list[str]) -> None:
    """At 本登録 of the 特例転入: the 転出証明書情報 it used is ``used`` (checked again under a row lock)."""
    inbox_id = certificate_id(intake)
    if inbox_id in (None, ""):
        return
    row = _certificate(uow, inbox_id, lock=True)
    if row.status == "used":
        raise ValidationError(certificate_problems(uow, intake))
    row.status = "used"
    row.payload = {
        **(row.payload or {}),
        "used": {"on": japan_today().isoformat(), "atena_numbers": list(atena_numbers)},
    }
