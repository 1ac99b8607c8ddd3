"""Public verification of an issued copy (no sign-in): is it ours, unaltered, and not disposed?

Two ways in: the QR payload (``JMN1.…``) pasted or scanned, or the PDF file itself.  For a PDF the printed
text is extracted (pypdf) and digested the same way as at issue time, so a copy with one character changed
answers ``altered``.  The answer shows only what the copy itself shows: municipality, certificate type,
issue date and 発行番号 — never a name or an address.

The session passed in is bound here to the tenant named by the payload's municipality code (verification is
read-only and scoped to that one municipality).
"""

from __future__ import annotations

import hmac
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.certificates.catalog import TYPES
from handlers.certificates.signing import PayloadError, read_payload, text_digest
from handlers.clock import to_jst
from handlers.db import Database
from handlers.tenancy import bind_session
from models.certificate import CertificateIssuance
from models.tenant import Municipality

OUTCOME_LABELS = {
    "valid": "真正な証明書です（改ざんされていません）",
    "altered": "内容が発行時と一致しません（改ざんの疑いがあります）",
    "revoked": "この証明書は発行後に処分（無効化）されています",
    "unknown": "この証明書は確認できません（発行記録がありません）",
}
_PAYLOAD_IN_TEXT = re.compile(r"JMN1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class VerificationResult:
    outcome: str  # valid / altered / revoked / unknown
    municipality: str | None = None
    certificate_type: str | None = None
    issue_date: str | None = None
    issue_number: str | None = None

    @property
    def message(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def to_json(self) -> dict[str, str | None]:
        return {
            "outcome": self.outcome,
            "message": self.message,
            "municipality": self.municipality,
            "certificate_type": self.certificate_type,
            "issue_date": self.issue_date,
            "issue_number": self.issue_number,
        }


@contextmanager
def verification_session(db: Database) -> Iterator[Session]:
    """A read-only session for the public verification door (no actor; bound to a tenant by the lookup)."""
    session = db.sessionmaker()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _issuance(
    session: Session, municipality_code: str, issue_number: str
) -> tuple[Municipality, CertificateIssuance] | None:
    municipality = session.scalars(
        select(Municipality).where(Municipality.code == municipality_code)
    ).one_or_none()
    if municipality is None:
        return None
    bind_session(session, municipality.id)
    row = session.scalars(
        select(CertificateIssuance).where(CertificateIssuance.issue_number == issue_number)
    ).one_or_none()
    return (municipality, row) if row is not None else None


def _result(outcome: str, municipality: Municipality, row: CertificateIssuance) -> VerificationResult:
    kind = TYPES.get(row.certificate_type)
    issued = to_jst(row.issued_at).date().isoformat()  # the day in Japan, as printed on the copy
    return VerificationResult(
        outcome,
        f"{municipality.prefecture}{municipality.name}",
        kind.label if kind else None,
        issued,
        row.issue_number,
    )


def verify_issue(
    session: Session, municipality_code: str, issue_number: str, digest: str
) -> VerificationResult:
    found = _issuance(session, municipality_code, issue_number)
    if found is None:
        return VerificationResult("unknown")
    municipality, row = found
    if row.status == "disposed":
        return _result("revoked", municipality, row)
    if not hmac.compare_digest(row.content_digest, digest):
        return _result("altered", municipality, row)
    return _result("valid", municipality, row)


def verify_certificate(session: Session, payload: str) -> VerificationResult:
    """Verify a QR payload: a bad signature or a digest that is not the issued one answers ``altered``."""
    try:
        parsed, signed_by_us = read_payload(payload)
    except PayloadError:
        return VerificationResult("unknown")
    result = verify_issue(session, parsed.municipality_code, parsed.issue_number, parsed.digest)
    if result.outcome == "valid" and not signed_by_us:
        return VerificationResult(
            "altered", result.municipality, result.certificate_type, result.issue_date, result.issue_number
        )
    return result


def extract_pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() or "" for page in reader.pages)


def verify_pdf(session: Session, pdf: bytes, municipality_code: str | None = None) -> VerificationResult:
    """Verify an issued PDF by its printed text.  The 発行番号 is read from the text; the municipality from the
    embedded QR payload text when present, else from ``municipality_code``."""
    try:
        text = extract_pdf_text(pdf)
    except Exception:  # noqa: BLE001 - any unreadable upload is simply not verifiable
        return VerificationResult("unknown")
    number = _issue_number_in(text)
    code = municipality_code or _municipality_from_metadata(pdf)
    if number is None or code is None:
        return VerificationResult("unknown")
    return verify_issue(session, code, number, text_digest(text))


def _issue_number_in(text: str) -> str | None:
    match = re.search(r"発行番号\s*(\d{8}\s+\S+\s+\S+\s+\S+\s+\d{6})\s+\d+/\d+", text)
    return re.sub(r"\s+", " ", match.group(1)) if match else None


def _municipality_from_metadata(pdf: bytes) -> str | None:
    from pypdf import PdfReader

    metadata = PdfReader(io.BytesIO(pdf)).metadata
    subject = str(metadata.get("/Subject") or "") if metadata is not None else ""
    match = _PAYLOAD_IN_TEXT.search(subject)
    if match is None:
        return None
    try:
        return read_payload(match.group(0))[0].municipality_code
    except PayloadError:
        return None
