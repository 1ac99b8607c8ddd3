"""備考 (統合記載欄 type C, j140): remarks of a person that belong to no change — entered and edited freely by
staff, kept apart from the history (every edit a ``ResidentRemark`` row: who, when, the whole text after it,
each logged) and printed in the 統合記載欄 after the history.

``Resident.remarks`` holds the text in force (the record view, the export, the 除票 archive); the certificate
of a date prints the text as it stood at the end of that day (``remarks_as_of``), and a person never edited
here prints what the register snapshot holds (a 事実上の世帯主 written by a 世帯変更, j740, before this).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.clock import JST
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.residents.items import RESIDENT_ITEM_BY_FIELD
from handlers.residents.lookup import find_resident
from handlers.uow import UnitOfWork
from models.resident import Resident, ResidentRemark

REMARKS_LIMIT = RESIDENT_ITEM_BY_FIELD["remarks"].max_length or 2000


@dataclass(frozen=True)
class RemarkEdit:
    body: str
    written_by: int | None
    written_at: dt.datetime | None
    written_by_login: str | None = None


def keep_remark(session: Session, resident: Resident, body: str, user_id: int | None) -> None:
    """Set the person's 備考 and keep the edit (the one writer of ``Resident.remarks``)."""
    resident.remarks = body or None
    session.add(ResidentRemark(tenant_id=resident.tenant_id, atena_number=resident.atena_number,
                               body=body, written_by=user_id))  # fmt: skip


def save_remarks(uow: UnitOfWork, atena_number: str, body: Any) -> str:
    """Enter, edit or clear (blank) the person's 備考; logged with the length, never the text."""
    require(uow.actor, "resident.change")
    text = "\n".join(line.rstrip() for line in str(body or "").strip().splitlines())
    if len(text) > REMARKS_LIMIT:
        raise ValidationError([Problem("remarks", "備考", f"{REMARKS_LIMIT}文字を超えています",
                                       f"{REMARKS_LIMIT}文字以内で入力してください", "too_long")])  # fmt: skip
    resident = find_resident(uow.session, atena_number)
    if text == (resident.remarks or ""):
        return text
    keep_remark(uow.session, resident, text, uow.actor.user_id)
    record_access(uow, "remarks_edited", "change", [atena_number], detail={"length": len(text)})
    return text


def remark_edits(uow: UnitOfWork, atena_number: str) -> list[RemarkEdit]:
    """The person's 備考 edits, newest first (the record page)."""
    require(uow.actor, "resident.view")
    find_resident(uow.session, atena_number)
    rows = uow.session.scalars(
        select(ResidentRemark)
        .where(ResidentRemark.atena_number == atena_number)
        .order_by(ResidentRemark.id.desc())
    )
    return [RemarkEdit(r.body, r.written_by, r.created_at) for r in rows]


def remarks_as_of(session: Session, snapshot: dict[str, Any], on: dt.date) -> str:
    """The 備考 a certificate of ``on`` prints: the last edit made by the end of that day (Japan's), else the
    snapshot's."""
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=JST)
    body = session.scalars(
        select(ResidentRemark.body)
        .where(ResidentRemark.atena_number == snapshot["atena_number"], ResidentRemark.created_at < end)
        .order_by(ResidentRemark.id.desc())
        .limit(1)
    ).first()
    return body if body is not None else (snapshot.get("remarks") or "")
