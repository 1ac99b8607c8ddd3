"""Requests about one person sent to 住基ネット CS and answered by CS in a file: the 個人番号の生成要求 and
変更要求 (j1130) and the request for the serial number of a 利用者証明用電子証明書 (j1160).

Each request is an outbox message to the ``cs`` destination (delivered after commit, in order, with retries and
dead letters) and a ``CsPersonRequest`` row naming it by its idempotency key.  CS answers in a file whose
``results`` name that key (docs/integration.md); ``apply_answers`` records them all or none.  Staff see each
request's state (``person_request_list``): 送信待ち, 送信済み（応答待ち）, 完了, 送信エラー (the transport's error,
the dead letter, or CS's refusal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from handlers.audit import record_access
from handlers.changes.my_number_change import KINDS as MY_NUMBER_KINDS
from handlers.errors import Problem
from handlers.juki_net.cs_files import CsFile, CsFileError, take_file
from handlers.labels import MESSAGE_KIND
from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sequence import sequence_name
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.sequences import take_next
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.juki_net import PERSON_REQUEST_KINDS, PERSON_REQUEST_RESULTS, CsPersonRequest
from models.resident import Resident

CS = "cs"
KIND_LABELS = {kind: MESSAGE_KIND[kind] for kind in PERSON_REQUEST_KINDS}  # named as the message to CS is
STATUS_LABELS = {
    "queued": "送信待ち",
    "sent": "送信済み（応答待ち）",
    "done": "完了",
    "failed": "送信エラー",
}

# what applying one answer of CS does beyond recording it: may raise CsFileError (the file is refused)
AnswerHook = Callable[[UnitOfWork, CsPersonRequest, Mapping[str, Any]], None]


def queue_person_requests(
    uow: UnitOfWork,
    kind: str,
    drafts: Mapping[str, tuple[Resident, dict[str, Any]]],
    case_id: int | None = None,
    *,
    message_kind: str | None = None,
) -> list[CsPersonRequest]:
    """One outbox message to CS and one request row per ``key → (person, payload)``, sent after commit in
    this order; the payload gets its ``request_key`` (the message's key, which CS's answer names).  The
    change that caused them (``case_id``) is kept on the request, not on the message: the case's own notices
    stay what its change type queued (as the 送付先情報 of j1120).  ``message_kind``: the message's kind when it
    is not the request's (a 変更要求 asked again goes as the change type's ``my_number_request``)."""
    if not drafts:
        return []
    first = take_next(uow.session, sequence_name(CS), uow.actor.tenant_id, count=len(drafts))
    now, requests = dt.datetime.now(dt.UTC), []
    for index, (key, (person, payload)) in enumerate(drafts.items()):
        uow.session.add(OutboxMessage(
            tenant_id=uow.actor.tenant_id, destination=CS, kind=message_kind or kind,
            payload={"request_key": key, **payload}, idempotency_key=key, seq=first + index, status="pending",
            attempts=0,
        ))  # fmt: skip
        requests.append(track_request(uow, kind, person, key, case_id, now))
    uow.session.flush()
    schedule_delivery(uow, [CS])
    return requests


def track_request(
    uow: UnitOfWork,
    kind: str,
    person: Resident,
    key: str,
    case_id: int | None,
    now: dt.datetime | None = None,
) -> CsPersonRequest:
    """The row that follows one request already queued (or queued by the caller) under ``key``."""
    request = CsPersonRequest(
        tenant_id=uow.actor.tenant_id, kind=kind, atena_number=person.atena_number,
        resident_code=person.resident_code, case_id=case_id, outbox_key=key,
        requested_at=now or dt.datetime.now(dt.UTC), requested_by=uow.actor.login_id[:60],
    )  # fmt: skip
    uow.session.add(request)
    return request


def request_status(request: CsPersonRequest, message: OutboxMessage) -> tuple[str, str | None]:
    """(status, the error to show) of one request from CS's answer and its outbox message."""
    return cs_request_status(request.result, request.error, message, answered=("done", "done"))


def cs_request_status(
    result: str | None, error: str | None, message: OutboxMessage, *, answered: tuple[str, str]
) -> tuple[str, str | None]:
    """(status, the error to show) of any request to CS (this module's, a 符号取得要求): CS's answer first
    (``answered``: CS's result for success → the status shown), else how its outbox message stands."""
    if result == answered[0]:
        return answered[1], None
    if result == "refused":
        return "failed", f"CSでエラー：{error or '理由の記載なし'}"
    if message.status == "sent":
        return "sent", None
    if message.status == "dead":
        return "failed", f"送信不能（再送信が必要）：{message.last_error or ''}"
    if message.attempts:
        return "failed", f"送信失敗（{message.attempts}回、再試行中）：{message.last_error or ''}"
    return "queued", None


@dataclass(frozen=True)
class PersonRequestRow:
    id: int
    kind_label: str
    atena_number: str | None  # None when withheld (支援措置)
    name: str | None
    requested_at: dt.datetime
    requested_by: str
    status: str
    status_label: str
    error: str | None
    serial_number: str | None
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    withheld: bool


def kind_label(request: CsPersonRequest, message: OutboxMessage) -> str:
    """The request's kind, for a 個人番号変更要求 with its own kind (変更請求, 職権による変更 …) as its message says."""
    change = MY_NUMBER_KINDS.get(str((message.payload or {}).get("change_kind") or ""))
    return f"{KIND_LABELS[request.kind]}（{change.label}）" if change else KIND_LABELS[request.kind]


def _row(
    request: CsPersonRequest, message: OutboxMessage, resident: Resident | None, hidden: bool
) -> PersonRequestRow:
    state, error = request_status(request, message)
    return PersonRequestRow(
        request.id, kind_label(request, message), None if hidden else request.atena_number,
        None if hidden or resident is None else display_name(resident), request.requested_at, request.requested_by,
        state, STATUS_LABELS[state], error, None if hidden else request.serial_number, message.sent_at,
        request.answered_at, hidden,
    )  # fmt: skip


def person_request_list(
    uow: UnitOfWork, kinds: Sequence[str], status: str | None = None, limit: int = 200
) -> list[PersonRequestRow]:
    """The requests of ``kinds``, newest first, each with whether it went out and what CS answered; a row about
    a person the list rule withholds shows neither number, name nor serial number.  Logged against the persons
    shown."""
    require(uow.actor, "resident.view")
    found = uow.session.execute(
        select(CsPersonRequest, OutboxMessage, Resident)
        .join(OutboxMessage, and_(OutboxMessage.idempotency_key == CsPersonRequest.outbox_key,
                                  OutboxMessage.tenant_id == CsPersonRequest.tenant_id))
        .outerjoin(Resident, Resident.atena_number == CsPersonRequest.atena_number)
        .where(CsPersonRequest.kind.in_(list(kinds)))
        .order_by(CsPersonRequest.id.desc())
        .limit(limit)
    ).all()  # fmt: skip
    withheld = persons_withheld_from_lists(uow, "inquiry")
    rows = [
        _row(req, message, resident, withheld.withholds(req.atena_number)) for req, message, resident in found
    ]
    rows = [r for r in rows if not status or r.status == status]
    shown = sorted({r.atena_number for r in rows if r.atena_number})
    record_access(uow, "cs_person_requests_listed", "view", shown,
                  detail={"rows": len(rows), "kinds": list(kinds), "status": status})  # fmt: skip
    return rows


def _answers(cs_file: CsFile) -> list[Mapping[str, Any]]:
    answers = cs_file.payload.get("results") or []
    problems = [
        Problem(f"results[{index}]", f"{index + 1}件目", "要求キーまたは結果（done / refused）がありません",
                "CSからの応答ファイルを確認してください", "cs_file")
        for index, answer in enumerate(answers if isinstance(answers, list) else [None])
        if not isinstance(answer, Mapping) or not answer.get("request_key")
        or answer.get("result") not in PERSON_REQUEST_RESULTS
    ]  # fmt: skip
    if not answers or problems:
        raise CsFileError(problems or [Problem("results", "応答", "応答がありません",
                                               "CSからの応答ファイルを確認してください", "cs_file")])  # fmt: skip
    return list(answers)


def apply_answers(
    uow: UnitOfWork, cs_file: CsFile, kinds: Sequence[str], on_done: AnswerHook | None = None
) -> tuple[int, list[str]]:
    """Record CS's answers to requests of ``kinds`` (all or nothing: a malformed answer, or one ``on_done``
    cannot apply, refuses the file): (answers recorded, the keys no request of ours has)."""
    require(uow.actor, "resident.change")
    answers = _answers(cs_file)
    keys = [str(a["request_key"]) for a in answers]
    requests = {
        r.outbox_key: r
        for r in uow.session.scalars(
            select(CsPersonRequest).where(
                CsPersonRequest.outbox_key.in_(keys), CsPersonRequest.kind.in_(list(kinds))
            )
        )
    }
    now, unknown = dt.datetime.now(dt.UTC), []
    for answer in answers:
        request = requests.get(str(answer["request_key"]))
        if request is None or request.result == "done":  # unknown, or answered already
            unknown.append(str(answer["request_key"]))
            continue
        request.result, request.answered_at = str(answer["result"]), now
        request.error = str(answer.get("error") or "") or None if request.result == "refused" else None
        if request.result == "done" and on_done is not None:
            on_done(uow, request, answer)
    take_file(uow, cs_file, {"answers": len(answers), "unknown_keys": unknown})
    record_access(uow, "cs_person_answers_received", "change", sorted({r.atena_number for r in requests.values()}),
                  detail={"file": cs_file.name, "answers": len(answers), "kinds": list(kinds)})  # fmt: skip
    return len(answers) - len(unknown), unknown
