"""カード管理システム連携 (j1120): 送付先情報 — where J-LIS mails a person's 個人番号カード documents and
番号通知書類 — sent to CS as outbox messages (destination ``cs``, kind ``card_destination``):

* with the changes that affect it: every registered change that sends CS an ``identity_change`` for a person
  who is a resident after it (not one moving out or removed) sends that person's 送付先情報 right after the change's own notices
  (``change_card_destinations``, queued with the change's notices by the case framework's ``queue_notices``
  step);
* for CS's list of persons to update (a ``card_destination_targets`` file): each person matched in the
  register by 住民票コード gets one (``apply_card_targets``); the unmatched are reported;
* a 居所 other than the address can be set as the destination of 番号通知書類 (``set_mailing_residence``); it
  is sent at once and used by every later 送付先情報 until ended.

Every 送付先情報 sent is kept in ``CardDestinationSent`` (why, the address, the outbox key), searchable with
its delivery status (``card_destination_history``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, select

from handlers.audit import record_access
from handlers.cases.outbox import OUTBOX
from handlers.errors import Problem, ValidationError
from handlers.juki_net.card_notices import (
    CS,
    KIND,
    current_persons,
    current_persons_numbered,
    destination_payload,
    residences_of,
    sent_rows,
)
from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sequence import sequence_name
from handlers.permissions import require
from handlers.residents.created_here import forget_created
from handlers.row_batches import Batch, insert_batches
from handlers.sequences import take_next
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import OutboxMessage
from models.juki_net import CardDestinationSent, CardMailingResidence
from models.resident import Household, Resident

TARGETS_KIND = "card_destination_targets"
_SENT = cast(Table, CardDestinationSent.__table__)


def card_destination_drafts(
    uow: UnitOfWork, persons: list[tuple[Resident, Household]], trigger: str, case: Case | None = None,
    *, nothing_queued: bool = False,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """The 送付先情報 to queue for ``persons`` (in this order), by outbox key: a change's are keyed
    ``<受付番号>:card:<宛名番号>``, so those already queued are left out (queuing the case's notices again adds
    none); ``nothing_queued``: the case was registered in this transaction, so no key of it can be queued yet
    (nothing is read)."""
    residences = residences_of(uow, [r.atena_number for r, _h in persons]) if persons else {}
    drafts = {
        (f"{case.case_number}:card:{r.atena_number}" if case else f"card_destination:{uuid.uuid4().hex}"):
            destination_payload(r, h, residences.get(r.atena_number), trigger)
        for r, h in persons
    }  # fmt: skip
    if drafts and not nothing_queued:
        queued = uow.session.scalars(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(list(drafts)))
        )
        for key in set(queued):
            drafts.pop(key)
    return drafts


def card_destination_messages(drafts: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The outbox messages of ``drafts`` (not tied to a case's own notices: ``case_id`` is None)."""
    return [
        {"destination": CS, "kind": KIND, "payload": dict(payload), "idempotency_key": key, "case_id": None}
        for key, payload in drafts.items()
    ]


def kept_card_destinations(
    uow: UnitOfWork, drafts: Mapping[str, Mapping[str, Any]], case: Case | None
) -> list[Batch]:
    """The rows that keep each 送付先情報 of ``drafts`` (``CardDestinationSent``), to be written with the
    messages (``insert_batches``)."""
    rows = sent_rows(uow.actor.tenant_id, drafts, case.id if case is not None else None)
    return [(_SENT, rows)] if rows else []


def send_card_destinations(
    uow: UnitOfWork, persons: list[tuple[Resident, Household]], trigger: str, case: Case | None = None,
    *, nothing_queued: bool = False,
) -> list[str]:  # fmt: skip
    """Queue one 送付先情報 per person to CS (sent after commit, in this order) and keep it; their keys.
    Written in a few statements whatever the number of persons (the keys already queued, one block of
    sequence numbers, the messages with the rows that keep them); see ``card_destination_drafts``."""
    drafts = card_destination_drafts(uow, persons, trigger, case, nothing_queued=nothing_queued)
    if not drafts:
        return []
    first = take_next(uow.session, sequence_name(CS), uow.actor.tenant_id, count=len(drafts))
    messages = [
        {
            **message,
            "tenant_id": uow.actor.tenant_id,
            "seq": first + index,
            "status": "pending",
            "attempts": 0,
        }
        for index, message in enumerate(card_destination_messages(drafts))
    ]
    insert_batches(uow.session, [(OUTBOX, messages), *kept_card_destinations(uow, drafts, case)])
    schedule_delivery(uow, [CS])
    return list(drafts)


def change_card_destinations(
    uow: UnitOfWork, case: Case, notices: Sequence[Mapping[str, Any]], *, nothing_queued: bool = False
) -> dict[str, dict[str, Any]]:
    """The 送付先情報 a registered change sends (the case framework's ``queue_notices`` step queues them with
    the case's own notices, after them, so CS gets them after the change): one per person named by a CS
    ``identity_change`` who is a resident after it (not one moving out or removed), as registered; by key."""
    named = {
        str(n["payload"]["atena_number"])
        for n in notices
        if n.get("destination") == CS and n.get("kind") == "identity_change"
        and (n.get("payload") or {}).get("atena_number")
    }  # fmt: skip
    if not named:
        return {}
    staying = [(r, h) for r, h in current_persons_numbered(uow, sorted(named)) if r.status == "resident"]
    return card_destination_drafts(uow, staying, "change", case, nothing_queued=nothing_queued)


# --- CS's list of persons to update -----------------------------------------------------------------------


def apply_card_targets(uow: UnitOfWork, codes: Sequence[str]) -> tuple[list[str], list[str]]:
    """Match CS's 更新対象者 (住民票コード) with the register and send each matched person's 送付先情報:
    (the 宛名番号 sent, the codes not found among the current residents)."""
    require(uow.actor, "resident.change")
    persons = current_persons(uow, Resident.resident_code.in_(list(codes)))
    send_card_destinations(uow, persons, "cs_request")
    found = {str(r.resident_code) for r, _h in persons}
    sent = [r.atena_number for r, _h in persons]
    record_access(
        uow, "card_targets_matched", "change", sent, detail={"targets": len(codes), "sent": len(sent)}
    )
    return sent, [code for code in codes if code not in found]


# --- the 居所 for 番号通知書類 -------------------------------------------------------------------------------


def _residence_problems(values: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if not str(values.get("address") or "").strip():
        problems.append(
            Problem("address", "居所", "入力されていません", "送付先とする居所を入力してください", "required")
        )
    postal = str(values.get("postal_code") or "").replace("-", "").strip()
    if postal and (not postal.isdigit() or len(postal) != 7):
        problems.append(
            Problem(
                "postal_code",
                "郵便番号",
                "7桁の数字ではありません",
                "郵便番号を確認してください",
                "postal_code",
            )
        )
    if not str(values.get("reason") or "").strip():
        problems.append(
            Problem(
                "reason", "理由", "入力されていません", "居所を送付先とする理由を入力してください", "required"
            )
        )
    return problems


def _resident_or_refuse(uow: UnitOfWork, atena_number: str) -> list[tuple[Resident, Household]]:
    persons = current_persons(uow, Resident.atena_number == (atena_number or "").strip())
    if not persons:
        raise ValidationError([Problem("atena_number", "宛名番号", f"宛名番号 {atena_number} の住民は住民記録にありません",
                                       "宛名番号を確認してください", "not_found")])  # fmt: skip
    return persons


def set_mailing_residence(
    uow: UnitOfWork, atena_number: str, values: Mapping[str, Any]
) -> CardMailingResidence:
    """Set a 居所 as the destination of the person's 番号通知書類 (ending the one before) and send it to CS."""
    require(uow.actor, "resident.change")
    if problems := _residence_problems(values):
        raise ValidationError(problems)
    persons = _resident_or_refuse(uow, atena_number)
    forget_created(uow.session, persons[0][0].atena_number)  # from now on its 居所 is read (created_here)
    now = dt.datetime.now(dt.UTC)
    for previous in residences_of(uow, [persons[0][0].atena_number]).values():
        previous.ended_at = now
    residence = CardMailingResidence(
        tenant_id=uow.actor.tenant_id, atena_number=persons[0][0].atena_number,
        address=str(values["address"]).strip(), address_katagaki=str(values.get("address_katagaki") or "").strip() or None,
        postal_code=str(values.get("postal_code") or "").replace("-", "").strip() or None,
        reason=str(values["reason"]).strip(), set_at=now, set_by=uow.actor.login_id[:60],
    )  # fmt: skip
    uow.session.add(residence)
    uow.session.flush()
    record_access(uow, "card_mailing_residence_set", "change", [residence.atena_number],
                  detail={"residence_id": residence.id})  # fmt: skip
    send_card_destinations(uow, persons, "residence")
    return residence


def end_mailing_residence(uow: UnitOfWork, atena_number: str) -> None:
    """End the 居所 set for the person's 番号通知書類 and send CS the address as the destination again."""
    require(uow.actor, "resident.change")
    persons = _resident_or_refuse(uow, atena_number)
    active = residences_of(uow, [persons[0][0].atena_number])
    if not active:
        raise ValidationError([Problem("atena_number", "宛名番号", "番号通知書類の送付先とする居所は設定されていません",
                                       "宛名番号を確認してください", "no_residence")])  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    for residence in active.values():
        residence.ended_at = now
    uow.session.flush()
    record_access(uow, "card_mailing_residence_ended", "change", [persons[0][0].atena_number],
                  detail={"residence_ids": [r.id for r in active.values()]})  # fmt: skip
    send_card_destinations(uow, persons, "residence")
