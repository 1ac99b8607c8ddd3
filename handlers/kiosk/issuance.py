"""コンビニ交付 (j1210): a certificate issued at a kiosk at the request of the 証明書交付センター.

``issue_at_kiosk(uow, body)`` — permission ``certificate.kiosk`` (the kiosk system's API token), then:

1. the layout (``handlers.kiosk.layout``): a request outside it is refused with its problems (422), unrecorded;
2. a request id answered before gets the same answer again, issuing nothing (``kiosk_answer_resent``); the same
   id with another request is a conflict (409);
3. the rules, each where it lives: the municipality's choice ``kiosk_issuance`` (``handlers.tenants``); the card
   holder, a current resident here, and the card's serial (``handlers.kiosk.person``); the options a kiosk may
   print (``handlers.kiosk.layout``); the content from the registered record only (``compose_content``: a
   仮登録 is invisible, j530); the one disclosure decision with the channel ``kiosk`` (``check_disclosure``:
   a protected person or an alert-level suppression anywhere in the copy refuses, no release or temporary
   lift counts, j410/j440); no 文字溢れ (nobody is there to acknowledge it, j1070); the certifier as at the
   counter (``official_on`` through ``print_copies``);
4. issued: ``print_copies`` (発行番号, one ``CertificateIssuance`` per copy with 交付場所 = the kiosk, the system as
   user, ``certificate_printed``), the answer kept under the request id (with its PDF) and
   ``kiosk_certificate_issued``; refused: the reason kept and ``kiosk_certificate_refused``.  All in the
   caller's unit of work.

The answer names a refusal by a coarse reason (``REASONS``); the precise one (``protected_unattended``,
``suppressed`` …) stays in the record and the access log, never on a shop's screen.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from handlers.audit import record_access
from handlers.certificates.compose import compose_content
from handlers.certificates.issuance import IssuedCertificate, disclosure_request, print_copies
from handlers.certificates.options import CertificateRequest, effective_options, validate_request
from handlers.clock import JST
from handlers.errors import ConflictError, NotFoundError, ValidationError
from handlers.kiosk.layout import REFUSED_OPTIONS, KioskCertificateRequest, parse_kiosk_request
from handlers.kiosk.person import card_holder, card_matches, household_members
from handlers.kiosk.retention import EXPIRED_CODE, EXPIRED_MESSAGE
from handlers.permissions import require
from handlers.rules.disclosure import UNATTENDED_MESSAGE, Identity
from handlers.suppression import check_disclosure
from handlers.tenants import setting
from handlers.uow import UnitOfWork
from models.kiosk import KioskRequest
from models.resident import Resident
from models.tenant import Municipality

PRINTER = "キオスク端末"
PLACE_PREFIX = "コンビニ交付"
REASONS = {
    "not_offered": "この市区町村ではコンビニ交付を行っていません。",
    "person_not_found": "この市区町村に住民票がありません。住所地の市区町村にお問い合わせください。",
    "card_mismatch": "マイナンバーカードの電子証明書が住民記録と一致しません。市区町村の窓口にお問い合わせください。",
    "member_not_in_household": "選んだ方が同じ世帯の方ではありません。",
    "option_not_allowed": "選んだ記載事項はコンビニ交付では記載できません。市区町村の窓口で請求してください。",
    "not_issuable": UNATTENDED_MESSAGE,
    "unavailable": "現在この証明書は交付できません。市区町村の窓口にお問い合わせください。",
}


@dataclass(frozen=True)
class KioskAnswer:
    """What the door answers: HTTP status, the JSON body (the PDF base64 in it when issued), and whether it is
    the answer of an earlier call sent again."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass
class KioskRefusalError(Exception):
    """A kiosk request refused (the household list's too, ``handlers.kiosk.members``)."""

    reason: str  # REASONS: what the answer says
    code: str = ""  # the precise reason kept in the record (a disclosure reason code …), else ``reason``
    detail: str = ""  # the refusal's own words, for staff
    subjects: list[str] = field(default_factory=list)


def issue_at_kiosk(uow: UnitOfWork, body: object, *, now: dt.datetime | None = None) -> KioskAnswer:
    require(uow.actor, "certificate.kiosk")
    asked = parse_kiosk_request(body)
    moment = now or dt.datetime.now(dt.UTC)
    earlier = _earlier(uow, asked.request_id)
    row = None if earlier is not None else _claim(uow, asked, moment)
    if row is None:
        return _replay(uow, earlier or _earlier(uow, asked.request_id), asked)
    try:
        _issue(uow, asked, row, moment)
    except KioskRefusalError as refusal:
        _refuse(uow, row, refusal)
    return _answer(row)


def _earlier(uow: UnitOfWork, request_id: str) -> KioskRequest | None:
    return uow.session.scalars(
        select(KioskRequest).where(KioskRequest.request_id == request_id, KioskRequest.outcome != "pending")
    ).one_or_none()


def _claim(uow: UnitOfWork, asked: KioskCertificateRequest, moment: dt.datetime) -> KioskRequest | None:
    """The request's row, written first: a concurrent call with the same id waits on it, then finds it answered
    (None here)."""
    row = KioskRequest(
        request_id=asked.request_id, fingerprint=asked.fingerprint, received_at=moment,
        received_by=uow.actor.login_id[:60], resident_code=asked.resident_code, card_serial=asked.card_serial,
        terminal_code=asked.terminal_code, terminal_name=asked.terminal_name, document=asked.document,
    )  # fmt: skip
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
    except IntegrityError:
        return None
    return row


def _replay(uow: UnitOfWork, earlier: KioskRequest | None, asked: KioskCertificateRequest) -> KioskAnswer:
    if earlier is None:
        raise ConflictError("同じ要求IDの要求を処理中です。しばらくしてから再送信してください。")
    if earlier.fingerprint != asked.fingerprint:
        raise ConflictError("この要求IDは別の内容の要求に使われています。新しい要求IDで送信してください。")
    if earlier.outcome == "issued" and earlier.pdf is None:
        return _expired(uow, earlier)
    record_access(
        uow, "kiosk_answer_resent", "print" if earlier.outcome == "issued" else "view",
        [earlier.atena_number] if earlier.atena_number else [],
        detail={"request_id": earlier.request_id, "outcome": earlier.outcome, "issue_numbers": earlier.issue_numbers},
    )  # fmt: skip
    answer = _answer(earlier)
    return KioskAnswer(answer.status, answer.body, replayed=True)


def _expired(uow: UnitOfWork, earlier: KioskRequest) -> KioskAnswer:
    """A retry after the stored PDF was dropped: 410, the issue numbers for the center's reconciliation, no PDF
    and no second issuance."""
    record_access(
        uow, "kiosk_retry_refused", "view", [earlier.atena_number] if earlier.atena_number else [],
        detail={"request_id": earlier.request_id, "reason": EXPIRED_CODE, "issue_numbers": earlier.issue_numbers},
    )  # fmt: skip
    body = {"error": EXPIRED_CODE, "message": EXPIRED_MESSAGE, "request_id": earlier.request_id,
            "outcome": "issued", "issue_numbers": earlier.issue_numbers}  # fmt: skip
    return KioskAnswer(410, body)


def offering_municipality(uow: UnitOfWork) -> Municipality:
    """The token's municipality, refused ``not_offered`` unless it switched コンビニ交付 on."""
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None or not setting(municipality, "kiosk_issuance"):
        raise KioskRefusalError("not_offered")
    return municipality


def refusal_body(request_id: str, reason: str) -> dict[str, Any]:
    """What a kiosk's screen is told of a refusal: the coarse reason and its message."""
    return {"error": "kiosk_refused", "message": REASONS[reason], "request_id": request_id,
            "outcome": "refused", "reason": reason}  # fmt: skip


def _issue(uow: UnitOfWork, asked: KioskCertificateRequest, row: KioskRequest, moment: dt.datetime) -> None:
    municipality = offering_municipality(uow)
    holder = card_holder(uow.session, asked.resident_code)
    if holder is None:
        raise KioskRefusalError("person_not_found")
    row.atena_number = holder.atena_number
    if not card_matches(holder, asked.card_serial):
        raise KioskRefusalError("card_mismatch", subjects=[holder.atena_number])
    if asked.refused_options:
        names = "・".join(REFUSED_OPTIONS[key] for key in asked.refused_options)
        raise KioskRefusalError("option_not_allowed", detail=f"{names}の記載", subjects=[holder.atena_number])
    request = _certificate_request(uow, asked, holder)
    today = moment.astimezone(JST).date()
    try:
        content = compose_content(
            uow.session, municipality, request, effective_options(request), None, today, today
        )
    except (ValidationError, NotFoundError) as err:
        raise KioskRefusalError("not_issuable", "register_state", str(err), list(request.subjects)) from err
    decision = check_disclosure(uow, disclosure_request(request, content.subjects), now=moment)
    if not decision.allowed:
        raise KioskRefusalError("not_issuable", decision.reason_code, decision.message, content.subjects)
    if content.alerts:
        raise KioskRefusalError("not_issuable", "overflow", "文字あふれ（j1070）", content.subjects)
    try:
        issued = print_copies(uow, municipality, request, content, moment)
    except ValidationError as err:  # no certifier registered for today
        raise KioskRefusalError("unavailable", "no_official", str(err), content.subjects) from err
    _record_issued(uow, asked, row, issued, content.items_printed, content.subjects)


def _record_issued(
    uow: UnitOfWork, asked: KioskCertificateRequest, row: KioskRequest, issued: IssuedCertificate,
    items: list[str], subjects: list[str],
) -> None:  # fmt: skip
    """The answer kept under the request id (with the PDF, for a retry) and the kiosk's access-log row."""
    pdf = issued.combined_pdf()
    row.outcome, row.issue_numbers, row.pages, row.pdf = "issued", issued.issue_numbers, issued.pages, pdf
    row.answer = {
        "request_id": asked.request_id, "outcome": "issued", "document": asked.document,
        "certificate_type": issued.certificate_type, "issue_numbers": issued.issue_numbers,
        "pages": issued.pages, "copies": len(issued.copies), "fee": issued.fee_total, "media_type": "application/pdf",
    }  # fmt: skip
    uow.session.flush()
    record_access(
        uow, "kiosk_certificate_issued", "print", subjects,
        detail={"request_id": asked.request_id, "terminal": asked.terminal_code, "card_serial": asked.card_serial,
                "issue_numbers": issued.issue_numbers, "items": items},
    )  # fmt: skip


def _certificate_request(
    uow: UnitOfWork, asked: KioskCertificateRequest, holder: Resident
) -> CertificateRequest:
    subjects = [holder.atena_number]
    if asked.scope == "members":
        chosen = household_members(uow.session, holder, asked.card_serial, asked.members)
        if chosen is None:
            raise KioskRefusalError("member_not_in_household", subjects=[holder.atena_number])
        subjects = chosen
    request = CertificateRequest(
        certificate_type=asked.certificate_type, subjects=tuple(subjects),
        whole_household=asked.scope == "household", options=asked.certificate_options(),
        requester_kind="self" if subjects == [holder.atena_number] and asked.scope != "household" else "same_household",
        requester=Identity(atena_number=holder.atena_number), copies=asked.copies,
        place=f"{PLACE_PREFIX}（{asked.terminal_name}）"[:60], terminal=asked.terminal_code, printer=PRINTER,
        channel="kiosk",
    )  # fmt: skip
    validate_request(request)
    return request


def _refuse(uow: UnitOfWork, row: KioskRequest, refusal: KioskRefusalError) -> None:
    row.outcome, row.reason_code, row.detail = (
        "refused",
        refusal.code or refusal.reason,
        refusal.detail or None,
    )
    row.answer = refusal_body(row.request_id, refusal.reason)
    uow.session.flush()
    record_access(
        uow, "kiosk_certificate_refused", "view", refusal.subjects,
        detail={"request_id": row.request_id, "reason": refusal.reason, "reason_code": row.reason_code,
                "terminal": row.terminal_code},
    )  # fmt: skip


def _answer(row: KioskRequest) -> KioskAnswer:
    body = dict(row.answer or {})
    if row.outcome == "issued":
        body["pdf"] = base64.b64encode(row.pdf or b"").decode("ascii")
        return KioskAnswer(201, body)
    return KioskAnswer(403, body)
