"""The CS relay inbox of a municipality (j680–j710): the messages other municipalities sent it through the relay
(転入通知, 転出証明書情報 …) with their status and the action each needs, and the decision on a row the
automatic acceptance left for a person (status ``review``): accept or refuse with a reason.  A 転入通知 whose
receipt cases were all decided on the case page instead takes their outcome when the inbox is next read.

Lists follow the one rule for lists of persons (``persons_withheld_from_lists``): a row about a person this
municipality protects (支援措置) or a member of their household shows neither name nor address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.cases import approve, cancel
from handlers.cases.pending import pending_change_of
from handlers.context import Actor
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.labels import label
from handlers.permissions import require
from handlers.relay import RELAY_ACTOR
from handlers.relay_certificates import used_note
from handlers.relay_move_in_notice import open_receipt, review_task
from handlers.residents.lookup import find_resident
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.change import PendingChange
from models.relay import RelayInbox
from models.resident import Resident

STATUS_LABELS = {
    "received": "受信済",
    "review": "要確認",
    "applied": "反映済",
    "used": "使用済",
    "refused": "受理せず",
}
NOT_FOUND = "指定された受信通知は見つかりません。"
# The alerts the 異動入力 decision adds at approval (handlers.rules.disclosure): accepting a row whose reasons
# the supervisor has read acknowledges them with the change type's own alerts.
CHANGE_INPUT_ALERTS = ("protected_subject", "suppression_alert")


@dataclass(frozen=True)
class InboxRow:
    id: int
    received_at: dt.datetime
    sender: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    resident_code: str | None
    name: str | None  # None when withheld
    withheld: bool
    action: str  # what to do next, in Japanese
    reasons: list[str]
    case_id: int | None
    decidable: bool  # status review: accept / refuse here


def _atena_by_code(uow: UnitOfWork, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = uow.session.execute(
        select(Resident.resident_code, Resident.atena_number).where(Resident.resident_code.in_(sorted(codes)))
    ).all()
    return {str(code): str(atena) for code, atena in rows}


def _codes(row: RelayInbox) -> list[str]:
    payload = row.payload or {}
    codes = payload.get("resident_codes") or [payload.get("resident_code") or row.resident_code]
    return [str(c) for c in codes if c]


def reasons_of(row: RelayInbox) -> list[str]:
    payload = row.payload or {}
    found = [str(r) for r in payload.get("review_reasons") or []] + [
        str(e) for e in payload.get("errors") or []
    ]
    if payload.get("error"):
        found.append(str(payload["error"]))
    decision = payload.get("decision") or {}
    if decision.get("on") == "case_page":
        found.append("受理の案件を案件の画面で決裁または取消済み")
    if decision.get("reason"):
        found.append(f"判断理由：{decision['reason']}")
    return found


def action_for(row: RelayInbox) -> str:
    if row.kind == "wide_area_request":  # answered automatically (j1210)
        answered = row.status == "applied"
        return f"対応不要（自動で{'写しの内容を' if answered else '交付できないと'}回答済み）"
    if row.kind == "wide_area_answer":
        return "対応不要（広域交付の画面で確認・印刷できます）"
    if row.status == "review":
        return "内容を確認し、受理するかどうかを決めてください"
    if row.status == "refused":
        return "対応不要（受理せず）"
    if row.status == "used":
        return used_note(row)
    if row.kind == "move_out_certificate_info":
        return "特例転入の受付で使用できます（転出証明書情報の照会から）"
    if row.kind == "move_in_notice" and row.status == "received":
        return "転入通知の受理の案件を決裁してください"
    return "対応不要（反映済）" if row.status == "applied" else "対応不要"


def _settle_decided_on_case_pages(uow: UnitOfWork) -> None:
    """A 転入通知 still waiting here (``review`` or ``received``) whose receipt cases were all approved or
    cancelled on the case page takes their outcome: 反映済 when one was registered, 受理せず when none was.
    Its decision records that it was made on the case page, by the cases' own deciders (in their timelines)."""
    rows = list(
        uow.session.scalars(
            select(RelayInbox).where(
                RelayInbox.kind == "move_in_notice",
                RelayInbox.status.in_(("review", "received")),
                RelayInbox.case_id.is_not(None),
            )
        )
    )
    case_ids = {case_id for row in rows for case_id in _case_ids(row)}
    if not case_ids:
        return
    outcomes: dict[int, str] = dict(
        uow.session.execute(
            select(PendingChange.case_id, PendingChange.status).where(PendingChange.case_id.in_(case_ids))
        ).all()
    )
    for row in rows:
        decided = {outcomes.get(case_id) for case_id in _case_ids(row)}
        if not decided or not decided <= {"registered", "cancelled"}:
            continue  # a case still waits (or was never assessed): the row keeps waiting
        decision = "accept" if "registered" in decided else "refuse"
        row.status = "applied" if decision == "accept" else "refused"
        row.payload = {
            **(row.payload or {}),
            "decision": {"decision": decision, "reason": "", "by": None, "on": "case_page",
                         "at": dt.datetime.now(dt.UTC).isoformat()},
        }  # fmt: skip


def relay_inbox(uow: UnitOfWork, status: str | None = None) -> list[InboxRow]:
    """The inbox, newest first (optionally one status), each row with its action."""
    require(uow.actor, "resident.change")
    _settle_decided_on_case_pages(uow)
    query = select(RelayInbox)
    if status:
        query = query.where(RelayInbox.status == status)
    rows = list(uow.session.scalars(query.order_by(RelayInbox.received_at.desc(), RelayInbox.id.desc())))
    atena = _atena_by_code(uow, {c for r in rows for c in _codes(r)})
    withheld = persons_withheld_from_lists(uow, "inquiry")
    shown: list[InboxRow] = []
    targets: set[str] = set()
    for row in rows:
        persons = [atena[c] for c in _codes(row) if c in atena]
        hidden = any(withheld.withholds(p) for p in persons)
        targets |= set(persons)
        shown.append(_inbox_row(row, hidden))
    record_access(
        uow, "relay_inbox_listed", "view", sorted(targets), detail={"count": len(rows), "status": status}
    )
    return shown


def _inbox_row(row: RelayInbox, hidden: bool) -> InboxRow:
    payload = row.payload or {}
    return InboxRow(
        id=row.id, received_at=row.received_at,
        sender=f"{payload.get('sender_name') or ''}（{row.sender_code}）",
        kind=row.kind, kind_label=label(row.kind, "message_kind"), status=row.status,
        status_label=STATUS_LABELS.get(row.status, row.status), resident_code=None if hidden else row.resident_code,
        name=None if hidden else row.name, withheld=hidden,
        action=_withheld_action(row) if hidden else action_for(row),
        reasons=[] if hidden else reasons_of(row), case_id=row.case_id, decidable=row.status == "review",
    )  # fmt: skip


def _withheld_action(row: RelayInbox) -> str:
    """The action of a row about a protected person: never the 宛名番号 a used certificate's note names."""
    return "対応不要（使用済み）" if row.status == "used" else action_for(row)


def _row(uow: UnitOfWork, inbox_id: int) -> RelayInbox:
    row = uow.session.get(RelayInbox, int(inbox_id))
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError(NOT_FOUND)
    return row


def _reason_required() -> ValidationError:
    return ValidationError(
        [Problem("reason", "理由", "入力されていません", "受理しない理由を入力してください", "required")]
    )


def _case_ids(row: RelayInbox) -> list[int]:
    return [int(i) for i in (row.payload or {}).get("case_ids") or []]


def _waiting_reviews(uow: UnitOfWork, row: RelayInbox) -> dict[int, Any]:
    """The receipt cases of the row still waiting for their review, with that task.  Cases the row has but
    none waiting: they were decided on the case page, and this decision could only contradict them."""
    case_ids = _case_ids(row)
    waiting = {case_id: task for case_id in case_ids if (task := review_task(uow, case_id)) is not None}
    if case_ids and not waiting:
        raise ConflictError(
            "この通知の受理の案件は、案件の画面で既に決裁または取り消されています。案件の画面で確認してください。"
        )
    return waiting


def _approve_waiting(uow: UnitOfWork, waiting: dict[int, Any]) -> None:
    for case_id, task in waiting.items():
        pending = pending_change_of(uow, case_id)
        codes = [str(a.get("code")) for a in (pending.alerts if pending else None) or []]
        approve(uow, task.id, [*codes, *CHANGE_INPUT_ALERTS])


def _accept(uow: UnitOfWork, row: RelayInbox, atena_number: str | None) -> None:
    """Approve the waiting receipt cases, the alerts acknowledged by this decision.  For a notice that matched
    nobody, the relay opens the receipt case for the person the supervisor names, who then approves it."""
    waiting = _waiting_reviews(uow, row)
    if not waiting:
        if not atena_number or not atena_number.strip():
            raise ValidationError(
                [
                    Problem(
                        "atena_number",
                        "対象者の宛名番号",
                        "入力されていません",
                        "転入通知の対象者の宛名番号を入力してください",
                        "required",
                    )
                ]  # fmt: skip
            )
        resident = find_resident(uow.session, atena_number.strip())
        relay = UnitOfWork(uow.session, Actor.system(uow.actor.tenant_id, RELAY_ACTOR))
        case_id, _ = open_receipt(relay, row, resident.atena_number, automatic=False)
        row.case_id = case_id
        row.payload = {**(row.payload or {}), "case_ids": [case_id]}
        waiting = _waiting_reviews(uow, row)
    _approve_waiting(uow, waiting)


def decide(
    uow: UnitOfWork, inbox_id: int, decision: str, reason: str = "", atena_number: str | None = None
) -> RelayInbox:
    """A supervisor's decision on a ``review`` row: ``accept`` or ``refuse`` (with a reason)."""
    require(uow.actor, "resident.approve")
    row = _row(uow, inbox_id)
    if row.status != "review":
        raise ConflictError("確認待ち（要確認）の受信通知だけを受理するかどうかを決められます。")
    reason = (reason or "").strip()
    if decision == "refuse":
        if not reason:
            raise _reason_required()
        for case_id in _waiting_reviews(uow, row):
            cancel(uow, case_id, f"転入通知を受理せず：{reason}")
        row.status = "refused"
    elif decision == "accept":
        _accept(uow, row, atena_number)
        row.status = "applied"
    else:
        raise ValidationError(
            [
                Problem(
                    "decision",
                    "判断",
                    "選択されていません",
                    "受理するかしないかを選択してください",
                    "required",
                )
            ]
        )
    row.payload = {
        **(row.payload or {}),
        "decision": {"decision": decision, "reason": reason, "by": uow.actor.login_id,
                     "at": dt.datetime.now(dt.UTC).isoformat()},
    }  # fmt: skip
    atena = _atena_by_code(uow, set(_codes(row)))
    record_access(
        uow, f"relay_message_{'accepted' if decision == 'accept' else 'refused'}", "change",
        sorted(atena.values()), detail={"inbox_id": row.id, "kind": row.kind, "reason": reason},
    )  # fmt: skip
    return row
