"""送付先情報 (j1120) as the register gives it: the 居所 set for 番号通知書類, else the address; and the row
that keeps each one sent (``CardDestinationSent``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.juki_net.identity import CURRENT_STATUSES
from handlers.residents.created_here import created_here, was_created_here
from handlers.residents.history import display_name
from handlers.uow import UnitOfWork
from models.juki_net import CardMailingResidence
from models.resident import Household, Resident

CS = "cs"
KIND = "card_destination"
TRIGGER_LABELS = {"change": "異動", "cs_request": "CS更新対象者", "residence": "居所の設定"}


def residences_of(uow: UnitOfWork, atena_numbers: Sequence[str]) -> dict[str, CardMailingResidence]:
    """The 居所 in force of each person who has one.  A person created in this transaction has none yet
    (``handlers.residents.created_here``): only the others are read, and nothing when none is left."""
    wanted = [number for number in atena_numbers if not was_created_here(uow.session, number)]
    if not wanted:
        return {}
    rows = uow.session.scalars(
        select(CardMailingResidence).where(
            CardMailingResidence.atena_number.in_(wanted),
            CardMailingResidence.ended_at.is_(None),
        )
    )
    return {row.atena_number: row for row in rows}


def destination_payload(
    resident: Resident, household: Household, residence: CardMailingResidence | None, trigger: str
) -> dict[str, Any]:
    """送付先情報 of one person: the 居所 set for 番号通知書類 when there is one, else the address."""
    place: Any = residence if residence is not None else household
    return {
        "atena_number": resident.atena_number,
        "resident_code": resident.resident_code,
        "name": display_name(resident),
        "address": place.address,
        "address_katagaki": place.address_katagaki,
        "postal_code": place.postal_code,
        "is_residence": residence is not None,
        "trigger": trigger,
    }


def current_persons_numbered(
    uow: UnitOfWork, atena_numbers: Sequence[str]
) -> list[tuple[Resident, Household]]:
    """``current_persons`` of these 宛名番号; persons all created in this transaction (a 転入's 本登録 just
    written) are taken as the session holds them, without reading them again."""
    numbers = sorted(set(atena_numbers))
    known = created_here(uow.session, numbers)
    if known is None:
        return current_persons(uow, Resident.atena_number.in_(numbers))
    return [(r, r.household) for r in known if r.status in CURRENT_STATUSES]


def current_persons(uow: UnitOfWork, condition: Any) -> list[tuple[Resident, Household]]:
    rows = uow.session.execute(
        select(Resident, Household)
        .join(Household, Household.id == Resident.household_id)
        .where(condition, Resident.status.in_(CURRENT_STATUSES))
        .order_by(Resident.atena_number)
    ).all()
    return [(resident, household) for resident, household in rows]


def sent_rows(
    tenant_id: int, drafts: Mapping[str, Mapping[str, Any]], case_id: int | None
) -> list[dict[str, Any]]:
    """The ``CardDestinationSent`` rows (column values) that keep each 送付先情報 of ``drafts`` (by outbox key)."""
    return [
        {"tenant_id": tenant_id, "atena_number": payload["atena_number"], "resident_code": payload["resident_code"],
         "trigger": payload["trigger"], "case_id": case_id, "outbox_key": key, "address": payload["address"],
         "address_katagaki": payload["address_katagaki"], "postal_code": payload["postal_code"],
         "is_residence": payload["is_residence"]}
        for key, payload in drafts.items()
    ]  # fmt: skip
