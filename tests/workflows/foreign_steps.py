"""Shared arrangements for the foreign-resident flows' path tests (30条46, 30条47, 帰化, 国籍取得, 国籍喪失,
長官通知): intakes as a clerk enters them and the rows to assert."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

from handlers.clock import japan_today
from handlers.uow import UnitOfWork
from models.resident import Resident
from tests.factories import default_address, foreign_member

_CARDS = count(10_000_001)


def fresh_card_number() -> str:
    """A 在留カード番号 not used by any other test resident (letters + 8 digits + letters)."""
    return f"FD{next(_CARDS):08d}AB"


def days_ago(days: int) -> str:
    return (japan_today() - dt.timedelta(days=days)).isoformat()


def arrival_intake(**member_overrides: Any) -> dict[str, Any]:
    """An art. 30-46 転入: one 中長期在留者 arriving from abroad, 転入前住所 blank, 上陸許可証による転入."""
    member = foreign_member(**{"residence_card_number": fresh_card_number(), **member_overrides})
    for field in ("became_resident_date", "address_set_date", "foreign_resident_date"):
        member.pop(field, None)
    member.setdefault("landing_permit_move_in", True)
    return {
        "change_date": days_ago(3),
        "notified_date": days_ago(1),
        "household": default_address(address="神奈川県横浜市中区山下町10番地"),
        "members": [member],
    }


def new_resident(uow: UnitOfWork, atena_numbers: list[str]) -> Resident:
    from sqlalchemy import select

    return uow.session.scalars(select(Resident).where(Resident.atena_number == atena_numbers[0])).one()


def case_log(uow: UnitOfWork, case_number: str) -> list[str]:
    """The access-log functions written for one case (by its 受付番号), in order."""
    from sqlalchemy import select

    from models.audit import AccessLog

    rows = uow.session.scalars(select(AccessLog).order_by(AccessLog.seq))
    return [r.function for r in rows if (r.detail or {}).get("case_number") == case_number]
