"""Issue certificates (j1000–j1070) and keep their issuance history (j300).

``issue_certificate``: permission ``certificate.issue``; the one disclosure decision
(``handlers.suppression.check_disclosure``) for every request; one PDF per copy, each with its own 発行番号
(j1040); one ``CertificateIssuance`` row per copy and one ``certificate_printed`` access-log row, all in the
caller's transaction.  ``dispose_certificate`` records a spoiled copy (処分情報); nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.certificates.catalog import TYPES
from handlers.certificates.compose import compose_content, load_snapshots
from handlers.certificates.content import CertificateContent
from handlers.certificates.history_query import IssuanceQuery
from handlers.certificates.officials import Official, official_on
from handlers.certificates.options import (
    CertificateOptions,
    CertificateRequest,
    asked_items,
    effective_options,
    validate_request,
)
from handlers.certificates.render import render_certificate
from handlers.clock import JST
from handlers.errors import DomainError, NotFoundError, Problem, ValidationError
from handlers.input_places import registered_place, registered_ward
from handlers.permissions import require
from handlers.rules.disclosure import Requester
from handlers.sequences import take_next
from handlers.suppression import DisclosureRequest, check_disclosure
from handlers.uow import UnitOfWork
from models.certificate import CertificateIssuance
from models.removed import RemovedRecordArchive
from models.resident import Resident
from models.tenant import Municipality

SEQUENCE = "certificate"
DEFAULT_TERMINAL = "窓口"


class CertificateRefusedError(DomainError):
    status = 403
    code = "certificate_refused"


class ReleaseRequiredError(DomainError):
    status = 409
    code = "release_required"


@dataclass(frozen=True)
class IssuedCopy:
    issue_number: str
    pdf: bytes
    pages: int
    payload: str
    digest: str


@dataclass(frozen=True)
class IssuedCertificate:
    copies: tuple[IssuedCopy, ...]
    certificate_type: str
    fee_total: int
    alerts: tuple[Problem, ...] = field(default_factory=tuple)  # 文字溢れ (j1070): show them to the clerk

    @property
    def pdf(self) -> bytes:
        """The first copy (a single-copy request's PDF)."""
        return self.copies[0].pdf

    @property
    def issue_numbers(self) -> list[str]:
        return [c.issue_number for c in self.copies]

    @property
    def pages(self) -> int:
        return sum(c.pages for c in self.copies)

    def combined_pdf(self) -> bytes:
        """All copies in one file (each keeps its own 発行番号 and QR code)."""
        if len(self.copies) == 1:
            return self.copies[0].pdf
        import io

        from pypdf import PdfWriter

        writer = PdfWriter()
        for copy in self.copies:
            writer.append(io.BytesIO(copy.pdf))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def _next_sequence(uow: UnitOfWork) -> int:
    """The 発行番号's serial: one row-locked counter per tenant (safe across web workers, first use too)."""
    return take_next(uow.session, SEQUENCE, uow.actor.tenant_id)


def format_issue_number(day: dt.date, municipality: str, terminal: str, printer: str, sequence: int) -> str:
    """j1040: 発行年月日 市区町村名 端末 プリンタ 通番 (the page part ``n/m`` is added on each page)."""
    return f"{day:%Y%m%d} {municipality} {terminal} {printer} {sequence:06d}"


def printed_subjects(session: Session, request: CertificateRequest, on: dt.date) -> list[str]:
    """宛名番号 of the persons a copy of ``request`` prints as the register stood on ``on``."""
    return [snapshot["atena_number"] for snapshot in load_snapshots(session, request, on)]


def disclosure_request(request: CertificateRequest, printed: list[str]) -> DisclosureRequest:
    """THE disclosure question of a certificate request, for the persons the copy prints (the whole household
    when asked).  The certificate-request flow's check and issuance both ask it, so an officer's release of
    one counter request (matched by ``request_fingerprint``) is the release issuance finds.

    The 支援措置期間終了通知 goes from the office to the protected person themself, so it is asked as an
    ``inquiry`` (alerts only) rather than as a certificate for a requester."""
    kind = TYPES[request.certificate_type]
    purpose = {"removed": "removed_certificate", "any": "inquiry"}.get(kind.source, "certificate")
    return DisclosureRequest(
        requester=Requester(request.requester_kind, request.requester),
        subjects=tuple(printed),
        purpose=purpose,
        items=asked_items(request),
        on_behalf_of=request.on_behalf_of,
        channel=request.channel,
    )


def pass_disclosure(uow: UnitOfWork, request: CertificateRequest, printed: list[str]) -> None:
    """Every request passes the one disclosure decision; a refusal keeps its access-log row."""
    enforce_disclosure(uow, disclosure_request(request, printed), "この請求は交付")


def enforce_disclosure(uow: UnitOfWork, asked: DisclosureRequest, what: str) -> None:
    """The one disclosure decision on ``asked``, raised as a refusal (its access-log row kept) unless allowed;
    ``what`` names the output in the release message (「この請求は交付」「この受理通知は発行」)."""
    decision = check_disclosure(uow, asked)
    if decision.outcome == "refuse":
        uow.keep_refusal_log()
        raise CertificateRefusedError(decision.message)
    if decision.outcome == "needs_release":
        uow.keep_refusal_log()
        raise ReleaseRequiredError(f"{decision.message}（支援措置責任者が解除するまで、{what}できません。）")


def fee_for(municipality: Municipality, certificate_type: str, requester_kind: str) -> int:
    if requester_kind == "official":
        return 0  # 公用請求: no fee
    fees = (municipality.settings or {}).get("certificate_fees", {})
    return int(fees.get(certificate_type, TYPES[certificate_type].fee))


def _official(
    uow: UnitOfWork, municipality: Municipality, request: CertificateRequest, on: dt.date
) -> Official:
    terminal = request.terminal or uow.actor.terminal
    ward = (
        (registered_ward(uow.session, terminal) or uow.actor.ward_code)
        if municipality.kind == "designated_city"
        else None
    )
    return official_on(municipality, on, request.options.official, ward)


def issue_certificate(
    uow: UnitOfWork, request: CertificateRequest, *, now: dt.datetime | None = None
) -> IssuedCertificate:
    require(uow.actor, "certificate.issue")
    validate_request(request)
    moment = now or dt.datetime.now(dt.UTC)
    today = moment.astimezone(JST).date()
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None:
        raise NotFoundError("市区町村が登録されていません。")
    options = effective_options(request)
    content = compose_content(
        uow.session, municipality, request, options, None, request.as_of or today, today
    )
    pass_disclosure(uow, request, content.subjects)  # before the certifier: a refusal is never masked
    return print_copies(uow, municipality, request, content, moment)


def print_copies(
    uow: UnitOfWork,
    municipality: Municipality,
    request: CertificateRequest,
    content: CertificateContent,
    moment: dt.datetime,
) -> IssuedCertificate:
    """Certify ``content`` (this municipality's 市区町村長) and print the copies asked for: a 発行番号, a
    ``CertificateIssuance`` row per copy and one ``certificate_printed`` access-log row."""
    today = moment.astimezone(JST).date()
    options = content.options
    content.official = _official(uow, municipality, request, today)
    terminal = request.terminal or uow.actor.terminal or DEFAULT_TERMINAL
    place = registered_place(uow.session, terminal) or request.place  # a registered terminal's place (j230)
    fee = fee_for(municipality, request.certificate_type, request.requester_kind)
    copies = []
    for index in range(1, request.copies + 1):
        number = format_issue_number(today, municipality.name, terminal, request.printer, _next_sequence(uow))
        rendered = render_certificate(content, number)
        uow.session.add(
            CertificateIssuance(
                issue_number=number, issued_at=moment, place=place, terminal=terminal,
                printer=request.printer, user_id=uow.actor.user_id, login_id=uow.actor.login_id,
                certificate_type=request.certificate_type, subjects=content.subjects,
                items_printed=content.items_printed, options=_options_json(request, options),
                pages=rendered.pages, copy_index=index, fee=fee, requester_kind=request.requester_kind,
                purpose=request.purpose or None, content_digest=rendered.digest, signature=rendered.signature,
            )
        )  # fmt: skip
        copies.append(IssuedCopy(number, rendered.pdf, rendered.pages, rendered.payload, rendered.digest))
    uow.session.flush()
    record_access(
        uow, "certificate_printed", "print", content.subjects,
        my_number_shown="my_number" in content.items_printed,
        detail={"certificate_type": request.certificate_type, "issue_numbers": [c.issue_number for c in copies],
                "items": content.items_printed, "requester_kind": request.requester_kind},
    )  # fmt: skip
    return IssuedCertificate(
        tuple(copies), request.certificate_type, fee * request.copies, tuple(content.alerts)
    )


def overflow_alerts(
    uow: UnitOfWork, request: CertificateRequest, *, now: dt.datetime | None = None
) -> list[Problem]:
    """j1070 at output time: the 文字溢れ alerts the copy would raise, before anything is issued or logged."""
    require(uow.actor, "certificate.issue")
    validate_request(request)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(JST).date()
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None:
        raise NotFoundError("市区町村が登録されていません。")
    content = compose_content(
        uow.session, municipality, request, effective_options(request), None, request.as_of or today, today
    )
    return list(content.alerts)


def _options_json(request: CertificateRequest, options: CertificateOptions) -> dict[str, object]:
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(options).items()}
    return {
        **data,
        "whole_household": request.whole_household,
        "as_of": request.as_of.isoformat() if request.as_of else None,
        "channel": request.channel,
    }


def dispose_certificate(
    uow: UnitOfWork, issue_number: str, reason: str, *, now: dt.datetime | None = None
) -> CertificateIssuance:
    """処分情報 (j300): record a spoiled copy as disposed; verification then answers ``revoked``."""
    require(uow.actor, "certificate.issue")
    if not reason.strip():
        raise ValidationError(
            [Problem("reason", "処分理由", "入力されていません", "処分理由を入力してください", "required")]
        )
    row = uow.session.scalars(
        select(CertificateIssuance).where(CertificateIssuance.issue_number == issue_number)
    ).one_or_none()
    if row is None:
        raise NotFoundError("この発行番号の交付履歴はありません。")
    if row.status == "disposed":
        raise ValidationError(
            [
                Problem(
                    "issue_number", "発行番号", "すでに処分済みです", "交付履歴を確認してください", "disposed"
                )
            ]
        )
    row.status = "disposed"
    row.disposed_at = now or dt.datetime.now(dt.UTC)
    row.disposed_by = uow.actor.login_id
    row.disposal_reason = reason.strip()
    uow.session.flush()
    record_access(
        uow,
        "certificate_disposed",
        "change",
        row.subjects,
        detail={"issue_number": issue_number, "reason": row.disposal_reason},
    )
    return row  # fmt: skip


def _known_person(session: Session, atena_number: str) -> bool:
    """A person of this municipality: on the register (住民 or live 除票) or in the 除票用データベース."""
    for column in (Resident.atena_number, RemovedRecordArchive.atena_number):
        if session.scalar(select(column).where(column == atena_number).limit(1)) is not None:
            return True
    return False


def issuance_history(
    uow: UnitOfWork, atena_number: str, query: IssuanceQuery | None = None
) -> list[CertificateIssuance]:
    """交付履歴 (j300) of one person of this municipality, newest first, narrowed by ``query``'s items (j360);
    another 宛名番号 is not found."""
    require(uow.actor, "certificate.issue")
    if not _known_person(uow.session, atena_number):
        raise NotFoundError("指定された宛名番号の住民はありません。")
    mentions = cast(CertificateIssuance.subjects, String).like(f'%"{atena_number}"%')
    statement = (query or IssuanceQuery()).narrow(select(CertificateIssuance).where(mentions))
    rows = uow.session.scalars(
        statement.order_by(CertificateIssuance.issued_at.desc(), CertificateIssuance.id.desc())
    )
    found = [row for row in rows if atena_number in (row.subjects or [])]
    detail: dict[str, Any] = {"rows": len(found)}
    if query is not None and query != IssuanceQuery():
        detail["query"] = {k: str(v) for k, v in vars(query).items() if v}
    record_access(uow, "certificate_history_viewed", "view", [atena_number], detail=detail)
    return found  # fmt: skip
