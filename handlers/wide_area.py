"""広域交付 at the counter (住基法12条の4, j1210): a resident of another municipality asks here for a copy of
their 住民票.  The clerk records the person asked for and the 本人確認 done (``send_wide_area_request``); the
request goes through the outbox and the CS relay to the person's municipality, which answers automatically
(``handlers.wide_area_answer``); the answer settles the request here (``receive_wide_area_answer``): answered
with the items a 広域交付 copy may carry, or refused with the reason.  An answered request is printed once,
certified by this municipality's 市区町村長 (``issue_wide_area_copy``), with its issuance history row here.

Timeout: the home municipality must answer by ``answer_due_at`` (sent + the municipality's setting
``wide_area_answer_minutes``, default 30, 1–1440).  A request still unanswered then is marked ``expired``
(交付不能（回答なし）) with the reason shown at the counter, the moment anyone reads it or an answer arrives
(``expire_overdue``), and at least every minute by the scheduled sweep (``handlers.wide_area_sweep``).  An answer that comes later is kept on the relay inbox as refused and never used: no copy
is printed from it (the person has left the counter; a new request, with a new 本人確認, is needed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.certificates.catalog import TYPES
from handlers.certificates.compose import content_of
from handlers.certificates.issuance import IssuedCertificate, print_copies
from handlers.certificates.options import CertificateOptions, CertificateRequest, effective_options
from handlers.clock import JST
from handlers.errors import ConflictError, NotFoundError, ValidationError
from handlers.integration.subscribers import queue_copy
from handlers.outbox_dispatch import schedule_delivery
from handlers.permissions import require
from handlers.rules.dates import format_instant
from handlers.rules.disclosure import Identity
from handlers.rules.instants import as_utc
from handlers.rules.wide_area import counter_problems, home_code_of, parse_birth, person_problems
from handlers.sequences import take_next
from handlers.uow import UnitOfWork
from models.relay import RelayInbox
from models.tenant import Municipality
from models.wide_area import WideAreaRequest

REQUEST_KIND = "wide_area_request"
SEQUENCE = "wide_area_request"
NOT_FOUND = "指定された広域交付の請求は見つかりません。"
STATUS_LABELS = {"sent": "回答待ち", "answered": "交付可", "refused": "交付不可", "issued": "交付済",
                 "expired": "交付不能（回答なし）"}  # fmt: skip
ANSWER_MINUTES_KEY = "wide_area_answer_minutes"
DEFAULT_ANSWER_MINUTES = 30
EXPIRED_REASON = ("住所地市区町村から回答期限（{due}）までに回答がなかったため、この請求は失敗として終了しました。"
                  "写しは交付できません。必要なときは、本人確認をやり直して新しく請求してください。")  # fmt: skip
LATE_ANSWER = "回答期限を過ぎて届いた回答のため使用しません（請求は回答なしで終了済み）"


def _municipality(uow: UnitOfWork) -> Municipality:
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None:
        raise NotFoundError("市区町村が登録されていません。")
    return municipality


def answer_minutes(municipality: Municipality) -> int:
    """How long the counter waits for the home municipality (the setting, else the default)."""
    value = (municipality.settings or {}).get(ANSWER_MINUTES_KEY, DEFAULT_ANSWER_MINUTES)
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1440 else (
        DEFAULT_ANSWER_MINUTES)  # fmt: skip


def answer_due(row: WideAreaRequest, municipality: Municipality) -> dt.datetime:
    if row.answer_due_at is not None:
        return as_utc(row.answer_due_at)
    return as_utc(row.requested_at) + dt.timedelta(minutes=answer_minutes(municipality))


def expire_overdue(
    uow: UnitOfWork, rows: list[WideAreaRequest], now: dt.datetime | None = None
) -> list[WideAreaRequest]:
    """Mark each request still waiting past its answer time as failed (``expired``), with the reason the
    counter shows; logged.  The ones marked."""
    moment = now or dt.datetime.now(dt.UTC)
    waiting = [row for row in rows if row.status == "sent"]
    if not waiting:
        return []
    municipality = _municipality(uow)
    expired = [row for row in waiting if answer_due(row, municipality) <= moment]
    for row in expired:
        due = answer_due(row, municipality)
        row.status = "expired"
        row.answer = {"outcome": "expired", "reason": EXPIRED_REASON.format(due=format_instant(due, seconds=False)),
                      "persons": []}  # fmt: skip
        record_access(uow, "wide_area_request_expired", "change", [],
                      detail={"request_number": row.request_number, "home_code": row.home_code})  # fmt: skip
    return expired


def _requester(fields: Mapping[str, Any], problems: list[Any]) -> dict[str, Any]:
    return {
        "relation": str(fields.get("relation") or ""),
        "name": str(fields.get("requester_name") or "").strip(),
        "birth_date": parse_birth(fields, "requester_birth_date", "請求者の生年月日", problems),
        "id_document": str(fields.get("id_document") or ""),
    }


def send_wide_area_request(uow: UnitOfWork, fields: Mapping[str, Any]) -> WideAreaRequest:
    """Record the counter's request and queue it for the person's municipality (nothing written on an error)."""
    require(uow.actor, "certificate.issue")
    municipality = _municipality(uow)
    person: dict[str, Any] = {}
    problems = counter_problems(fields, municipality.code) + person_problems(fields, person)
    requester = _requester(fields, problems)
    if problems:
        raise ValidationError(problems)
    requester["checked_by"] = uow.actor.login_id
    number = f"W{take_next(uow.session, SEQUENCE, uow.actor.tenant_id):08d}"
    now = dt.datetime.now(dt.UTC)
    row = WideAreaRequest(
        tenant_id=uow.actor.tenant_id, request_number=number, requested_at=now,
        answer_due_at=now + dt.timedelta(minutes=answer_minutes(municipality)),
        requested_by=uow.actor.login_id, home_code=home_code_of(fields),
        certificate_type=str(fields["certificate_type"]), person=person, requester=requester,
        options={"include_head_relation": bool(fields.get("include_head_relation")),
                 "include_resident_code": bool(fields.get("include_resident_code"))},
        status="sent", answer={}, issue_numbers=[],
    )  # fmt: skip
    uow.session.add(row)
    destination = f"municipality:{row.home_code}"
    message = {"request_number": number, "certificate_type": row.certificate_type, "person": person,
               "requester": requester, "options": row.options, "purpose": str(fields.get("purpose") or "")}  # fmt: skip
    queue_copy(uow, destination, REQUEST_KIND, message, f"{REQUEST_KIND}:{number}", None)
    uow.session.flush()
    schedule_delivery(uow, [destination])
    record_access(
        uow, "wide_area_request_sent", "search", [],
        detail={"request_number": number, "home_code": row.home_code, "person": person,
                "relation": requester["relation"], "id_document": requester["id_document"]},
    )  # fmt: skip
    return row


def receive_wide_area_answer(uow: UnitOfWork, row: RelayInbox) -> None:
    """The home municipality's answer (the relay's unit of work here) settles the request it names."""
    payload = row.payload or {}
    found = uow.session.scalars(
        select(WideAreaRequest).where(WideAreaRequest.request_number == str(payload.get("request_number")))
    ).first()
    late = found is not None and found.home_code == row.sender_code and bool(expire_overdue(uow, [found]))
    if late or (found is not None and found.status == "expired"):
        row.status = "refused"  # the counter gave up waiting: the answer is kept, never used
        row.payload = {**payload, "persons": [], "error": LATE_ANSWER}
        return
    if found is None or found.home_code != row.sender_code or found.status != "sent":
        row.status = "refused"  # nothing to decide: an answer to no waiting request is only kept
        row.payload = {
            **payload,
            "persons": [],
            "error": "この回答に対応する回答待ちの広域交付の請求がありません",
        }
        return
    found.status = "answered" if payload.get("outcome") == "answered" else "refused"
    found.answered_at = dt.datetime.now(dt.UTC)
    found.answer = {"outcome": payload.get("outcome"), "reason": payload.get("reason"),
                    "home_name": payload.get("sender_name"), "persons": list(payload.get("persons") or [])}  # fmt: skip
    row.status = "applied"
    row.payload = {
        **payload,
        "persons": [],
        "wide_area_request_id": found.id,
    }  # the items live on the request
    record_access(
        uow, "wide_area_answer_received", "view", [],
        detail={"request_number": found.request_number, "home_code": found.home_code, "outcome": found.status},
    )  # fmt: skip


def wide_area_requests(uow: UnitOfWork, limit: int = 100) -> list[WideAreaRequest]:
    """The requests of this counter, newest first."""
    require(uow.actor, "certificate.issue")
    rows = list(
        uow.session.scalars(
            select(WideAreaRequest).order_by(WideAreaRequest.requested_at.desc(), WideAreaRequest.id.desc())
            .limit(limit)
        )
    )  # fmt: skip
    expire_overdue(uow, rows)
    record_access(uow, "wide_area_requests_listed", "view", [], detail={"count": len(rows)})
    return rows


def wide_area_request(uow: UnitOfWork, request_id: Any) -> WideAreaRequest:
    """One request of this counter with its answer (logged: it shows the answered persons' items)."""
    row = _request(uow, request_id)
    record_access(uow, "wide_area_request_viewed", "view", [], detail={"request_number": row.request_number})
    return row


def request_summary(row: WideAreaRequest) -> dict[str, Any]:
    """A request as the API shows it: its state, the reason of a refusal or expiry, and how many persons were
    answered (never their items: the copy carries them)."""
    answer = row.answer or {}
    return {
        "id": row.id, "request_number": row.request_number, "home_code": row.home_code,
        "certificate_type": row.certificate_type, "status": row.status,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "reason": answer.get("reason") if row.status in ("refused", "expired") else None,
        "persons": len(answer.get("persons") or []),
        "requested_at": as_utc(row.requested_at).isoformat(),
        "answer_due_at": as_utc(row.answer_due_at).isoformat() if row.answer_due_at else None,
        "answered_at": as_utc(row.answered_at).isoformat() if row.answered_at else None,
        "issue_numbers": list(row.issue_numbers or []),
    }  # fmt: skip


def _request(uow: UnitOfWork, request_id: Any) -> WideAreaRequest:
    require(uow.actor, "certificate.issue")
    try:
        row = uow.session.get(WideAreaRequest, int(request_id))
    except (TypeError, ValueError):
        row = None
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError(NOT_FOUND)
    expire_overdue(uow, [row])
    return row


def _certificate_request(row: WideAreaRequest) -> CertificateRequest:
    requester = row.requester or {}
    born = requester.get("birth_date")
    return CertificateRequest(
        certificate_type=row.certificate_type,
        subjects=tuple(f"{row.home_code}:{p['atena_number']}" for p in row.answer.get("persons") or []),
        whole_household=row.certificate_type == "copy_household",
        options=CertificateOptions(
            include_head_relation=bool(row.options.get("include_head_relation")),
            include_resident_code=bool(row.options.get("include_resident_code")),
        ),
        requester_kind="other_municipality",
        requester=Identity(
            name=requester.get("name"), birth_date=dt.date.fromisoformat(born) if born else None
        ),
        purpose=f"広域交付（請求番号 {row.request_number}）",
    )


def issue_wide_area_copy(
    uow: UnitOfWork, request_id: Any, *, now: dt.datetime | None = None
) -> IssuedCertificate:
    """Print the copy of an answered request, once: the items the home municipality answered, certified here."""
    require(uow.actor, "certificate.issue")
    row = _request(uow, request_id)
    if row.status != "answered":
        message = {"sent": "住所地からの回答を待っています。", "refused": "住所地が交付できないと回答しました。",
                   "issued": "この請求の写しは既に交付しました。もう一度必要なときは新しく請求してください。",
                   "expired": str(row.answer.get("reason") or "住所地から回答がありませんでした。")}  # fmt: skip
        raise ConflictError(message.get(row.status, "交付できる状態ではありません。"))
    moment = now or dt.datetime.now(dt.UTC)
    today = moment.astimezone(JST).date()
    municipality = _municipality(uow)
    request = _certificate_request(row)
    snapshots = [{**p, "atena_number": f"{row.home_code}:{p['atena_number']}"} for p in row.answer["persons"]]
    kind = TYPES[row.certificate_type]
    content = content_of(municipality, kind, effective_options(request), snapshots, None, today, today)
    issued = print_copies(uow, municipality, request, content, moment)
    row.status = "issued"
    row.issue_numbers = issued.issue_numbers
    return issued
