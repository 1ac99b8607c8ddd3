"""送付先情報のCS送信履歴 (j1120): search the 送付先情報 sent to CS by person, period and reason, each with
its delivery status (the outbox message's), and the 居所 in force for 番号通知書類.  Rows about a person the
list rule withholds (支援措置) show neither number, name nor address; every search is in the access log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select

from handlers.audit import record_access
from handlers.clock import JST
from handlers.juki_net.card_notices import TRIGGER_LABELS
from handlers.labels import label
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.juki_net import CardDestinationSent, CardMailingResidence
from models.resident import Resident


@dataclass(frozen=True)
class CardDestinationRow:
    id: int
    created_at: dt.datetime
    atena_number: str | None  # None when withheld
    name: str | None
    trigger_label: str
    address: str | None
    postal_code: str | None
    is_residence: bool
    delivery_label: str
    error: str | None
    withheld: bool


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), JST).astimezone(dt.UTC)


def _row(
    sent: CardDestinationSent, message: OutboxMessage, resident: Resident | None, hidden: bool
) -> CardDestinationRow:
    """One 送付先情報 as shown: nothing of a withheld person but why it was made and how it was delivered."""
    return CardDestinationRow(
        sent.id, sent.created_at, None if hidden else sent.atena_number,
        None if hidden or resident is None else display_name(resident),
        TRIGGER_LABELS.get(sent.trigger, sent.trigger),
        None if hidden else " ".join(p for p in (sent.address, sent.address_katagaki) if p),
        None if hidden else sent.postal_code, sent.is_residence,
        label(message.status, "outbox_status"),
        message.last_error if message.status != "sent" else None, hidden,
    )  # fmt: skip


def card_destination_history(
    uow: UnitOfWork, *, atena_number: str | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None, trigger: str | None = None, limit: int = 200,
) -> list[CardDestinationRow]:  # fmt: skip
    """送付先情報 sent, newest first, filtered by 宛名番号, the day it was made (Japan) and why."""
    require(uow.actor, "resident.view")
    statement = (
        select(CardDestinationSent, OutboxMessage, Resident)
        .join(OutboxMessage, and_(OutboxMessage.idempotency_key == CardDestinationSent.outbox_key,
                                  OutboxMessage.tenant_id == CardDestinationSent.tenant_id))
        .outerjoin(Resident, Resident.atena_number == CardDestinationSent.atena_number)
        .order_by(CardDestinationSent.id.desc())
        .limit(limit)
    )  # fmt: skip
    if atena_number:
        statement = statement.where(CardDestinationSent.atena_number == atena_number.strip())
    if date_from:
        statement = statement.where(CardDestinationSent.created_at >= _day_start(date_from))
    if date_to:
        statement = statement.where(
            CardDestinationSent.created_at < _day_start(date_to + dt.timedelta(days=1))
        )
    if trigger:
        statement = statement.where(CardDestinationSent.trigger == trigger)
    withheld = persons_withheld_from_lists(uow, "inquiry")
    rows = [
        _row(sent, message, resident, withheld.withholds(sent.atena_number))
        for sent, message, resident in uow.session.execute(statement)
    ]
    shown = sorted({r.atena_number for r in rows if r.atena_number})
    record_access(uow, "card_destinations_searched", "view", shown,
                  detail={"rows": len(rows), "atena_number": atena_number or None, "trigger": trigger})  # fmt: skip
    return rows


def mailing_residence(uow: UnitOfWork, atena_number: str) -> CardMailingResidence | None:
    """The 居所 in force for the person's 番号通知書類, unless the list rule withholds the person (支援措置)."""
    require(uow.actor, "resident.view")
    number = (atena_number or "").strip()
    if not number or persons_withheld_from_lists(uow, "inquiry").withholds(number):
        return None
    found = uow.session.scalars(
        select(CardMailingResidence).where(
            CardMailingResidence.atena_number == number, CardMailingResidence.ended_at.is_(None)
        )
    ).first()
    if found is not None:
        record_access(
            uow, "card_mailing_residence_viewed", "view", [number], detail={"residence_id": found.id}
        )
    return found
