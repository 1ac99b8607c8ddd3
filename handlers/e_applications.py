"""電子申請 of certificates signed with the 公的個人認証サービス (JPKI), j1210.

An electronic application arrives from the municipality's 電子申請 system (a system API token) as an envelope:
the application's JSON text exactly as the applicant signed it, the signature (RSA PKCS#1 v1.5 over SHA-256,
as the 署名用電子証明書 signs) and the signer's certificate.  It is accepted only when

- the certificate was issued by one of the municipality's configured JPKI certification authorities
  (``settings["jpki"]["trust_anchors"]``, PEM) and is valid today, is meant for signing (keyUsage
  digitalSignature / nonRepudiation), and is not on the authority's revocation list, which must be configured
  and current (``settings["jpki"]["crl"]``, PEM, checked against the authority's signature and ``next_update``):
  no list, no acceptance;
- the signature verifies over the application text;
- the certificate's 基本4情報 (氏名, 生年月日 in its subjectAltName ``otherName`` entries,
  ``IDENTITY_OIDS``) name exactly one person of the municipality on the register, who is the one the
  application asks a certificate of (the applicant's own record: 本人請求 only).

Then it becomes a certificate request case like one taken at the counter (``open_certificate_request``, with
the same disclosure decision and support-measure suppression), the requester recorded as 本人 with the
identity read from the certificate; the copy goes by post (the clerk's issuance task).  Every acceptance and
refusal is logged.

``IDENTITY_OIDS`` follow our reading of the J-LIS 署名用電子証明書 profile; confirm them against the
profile the municipality receives with its trust anchors before production (docs/integration.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select

from handlers.audit import record_access
from handlers.certificate_requests import COUNTER_TYPES, open_certificate_request
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.rules.kana import fold_kana
from handlers.uow import UnitOfWork
from models.case import Case
from models.resident import Resident
from models.tenant import Municipality

IDENTITY_OIDS = {
    "name": x509.ObjectIdentifier("1.2.392.200149.8.5.5.1"),  # 氏名
    "birth_date": x509.ObjectIdentifier("1.2.392.200149.8.5.5.4"),  # 生年月日 (YYYYMMDD)
}
SIGNING_USAGES = ("digital_signature", "content_commitment")


@dataclass(frozen=True)
class SignerIdentity:
    name: str
    birth_date: dt.date
    serial: str  # the certificate's serial number, hex (logged)


class EApplicationRefusedError(ValidationError):
    """The envelope is refused; nothing is opened."""


def _refused(field: str, item: str, reason: str, remedy: str, code: str) -> EApplicationRefusedError:
    return EApplicationRefusedError([Problem(field, item, reason, remedy, code)])


def _b64(value: Any, field: str, item: str) -> bytes:
    try:
        return base64.b64decode(str(value or ""), validate=True)
    except (binascii.Error, ValueError) as err:
        raise _refused(
            field, item, "Base64として読めません", "署名データを確認してください", "invalid"
        ) from err


def _trust(uow: UnitOfWork) -> tuple[list[x509.Certificate], x509.CertificateRevocationList | None]:
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    config = ((municipality.settings or {}) if municipality else {}).get("jpki") or {}
    anchors = [x509.load_pem_x509_certificate(pem.encode()) for pem in config.get("trust_anchors") or ()]
    crl = config.get("crl")
    return anchors, x509.load_pem_x509_crl(crl.encode()) if crl else None


def _issued_by(certificate: x509.Certificate, anchor: x509.Certificate) -> bool:
    key = anchor.public_key()
    if certificate.issuer != anchor.subject or not isinstance(key, rsa.RSAPublicKey):
        return False
    algorithm = certificate.signature_hash_algorithm
    try:
        key.verify(certificate.signature, certificate.tbs_certificate_bytes, padding.PKCS1v15(), algorithm)  # type: ignore[arg-type]
    except InvalidSignature:
        return False
    return True


def _check_revocation(
    certificate: x509.Certificate, anchor: x509.Certificate, crl: x509.CertificateRevocationList | None,
    now: dt.datetime,
) -> None:  # fmt: skip
    if crl is None or crl.issuer != anchor.subject or not crl.is_signature_valid(anchor.public_key()):  # type: ignore[arg-type]
        raise _refused("certificate", "失効情報", "認証局の失効リストが設定されていないか、検証できません",
                       "管理者が認証局の最新の失効リストを設定してください", "no_revocation_list")  # fmt: skip
    if crl.next_update_utc is None or crl.next_update_utc < now:
        raise _refused("certificate", "失効情報", "失効リストの有効期限が切れています",
                       "管理者が最新の失効リストを設定してください", "revocation_list_expired")  # fmt: skip
    if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
        raise _refused(
            "certificate", "電子証明書", "失効しています", "有効な電子証明書で申請してください", "revoked"
        )


def _identity(certificate: x509.Certificate) -> SignerIdentity:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as err:
        raise _refused(
            "certificate",
            "電子証明書",
            "基本4情報がありません",
            "署名用電子証明書で署名してください",
            "no_identity",
        ) from err
    found = {other.type_id: other.value for other in names.get_values_for_type(x509.OtherName)}
    try:
        name = _der_text(found[IDENTITY_OIDS["name"]])
        birth = dt.datetime.strptime(_der_text(found[IDENTITY_OIDS["birth_date"]]), "%Y%m%d").date()
    except (KeyError, ValueError) as err:
        raise _refused(
            "certificate",
            "電子証明書",
            "氏名・生年月日を読み取れません",
            "署名用電子証明書で署名してください",
            "no_identity",
        ) from err
    return SignerIdentity(name, birth, format(certificate.serial_number, "x"))


def _der_text(value: bytes) -> str:
    """The text of a DER string (UTF8String 0x0c, PrintableString 0x13, IA5String 0x16) of short form length."""
    if len(value) < 2 or value[0] not in (0x0C, 0x13, 0x16):
        raise ValueError("not a DER string")
    length, start = value[1], 2
    if length & 0x80:
        size = length & 0x7F
        length, start = int.from_bytes(value[2 : 2 + size], "big"), 2 + size
    return value[start : start + length].decode("utf-8")


def verify_signer(
    uow: UnitOfWork, text: bytes, signature: bytes, pem: str, now: dt.datetime
) -> SignerIdentity:
    """The signer of ``text``, when the certificate and the signature hold (see the module's rules)."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as err:
        raise _refused(
            "certificate", "電子証明書", "読み取れません", "PEM形式の電子証明書を添付してください", "invalid"
        ) from err
    anchors, crl = _trust(uow)
    anchor = next((a for a in anchors if _issued_by(certificate, a)), None)
    if anchor is None:
        raise _refused("certificate", "電子証明書", "信頼する認証局が発行したものではありません",
                       "公的個人認証サービスの署名用電子証明書で署名してください", "untrusted")  # fmt: skip
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise _refused(
            "certificate", "電子証明書", "有効期間外です", "有効な電子証明書で申請してください", "expired"
        )
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    if not all(getattr(usage, name) for name in SIGNING_USAGES):
        raise _refused("certificate", "電子証明書", "署名用ではありません", "署名用電子証明書で署名してください", "not_for_signing")  # fmt: skip
    _check_revocation(certificate, anchor, crl, now)
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise _refused(
            "certificate",
            "電子証明書",
            "RSA鍵ではありません",
            "署名用電子証明書で署名してください",
            "invalid",
        )
    try:
        key.verify(signature, text, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as err:
        raise _refused(
            "signature", "電子署名", "申請内容と一致しません", "申請し直してください", "bad_signature"
        ) from err
    return _identity(certificate)


def _same_name(left: str, right: str) -> bool:
    return fold_kana("".join(left.split())) == fold_kana("".join(right.split()))


def _applicant(uow: UnitOfWork, signer: SignerIdentity) -> Resident:
    candidates = uow.session.scalars(
        select(Resident).where(
            Resident.birth_date == signer.birth_date, Resident.status.in_(("resident", "moving_out"))
        )
    )
    matches = [r for r in candidates if _same_name(f"{r.family_name or ''}{r.given_name or ''}", signer.name)]
    if len(matches) != 1:
        raise _refused("certificate", "申請者", "電子証明書の氏名・生年月日に当たる住民を一人に特定できません",
                       "窓口で請求してください", "applicant_not_found")  # fmt: skip
    return matches[0]


def receive_e_application(
    uow: UnitOfWork, envelope: Mapping[str, Any], *, now: dt.datetime | None = None
) -> Case:
    """Verify an electronic application and open its certificate request case (the applicant's own record).
    A refusal writes nothing but its access-log row."""
    require(uow.actor, "certificate.issue")
    try:
        signer, applicant, request = _verified_request(uow, envelope, now or dt.datetime.now(dt.UTC))
    except ValidationError as err:
        record_access(
            uow, "e_application_refused", "view", [], detail={"codes": [p.code for p in err.problems]}
        )
        uow.keep_refusal_log()
        raise
    case = open_certificate_request(uow, request)  # the counter's checks and disclosure decision
    record_access(uow, "e_application_received", "view", [applicant.atena_number],
                  detail={"case_id": case.id, "certificate_serial": signer.serial})  # fmt: skip
    return case


def _verified_request(
    uow: UnitOfWork, envelope: Mapping[str, Any], now: dt.datetime
) -> tuple[SignerIdentity, Resident, dict[str, Any]]:
    text = _b64(envelope.get("application"), "application", "申請データ")
    signature = _b64(envelope.get("signature"), "signature", "電子署名")
    signer = verify_signer(uow, text, signature, str(envelope.get("certificate") or ""), now)
    applicant = _applicant(uow, signer)
    try:
        application = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _refused(
            "application", "申請データ", "JSONとして読めません", "申請データを確認してください", "invalid"
        ) from err
    if not isinstance(application, dict):
        raise _refused(
            "application", "申請データ", "JSONの形式が違います", "申請データを確認してください", "invalid"
        )
    return signer, applicant, _certificate_request(application, applicant, signer)


def _certificate_request(
    application: Mapping[str, Any], applicant: Resident, signer: SignerIdentity
) -> dict[str, Any]:
    kind = str(application.get("certificate_type") or "")
    if kind not in COUNTER_TYPES:
        raise _refused(
            "certificate_type",
            "証明書の種別",
            "電子申請できない種別です",
            "種別を確認してください",
            "invalid",
        )
    return {
        "requester_kind": "self",
        "requester": {"atena_number": applicant.atena_number, "name": signer.name,
                      "birth_date": signer.birth_date.isoformat()},
        "subjects": [applicant.atena_number],
        "certificate_type": kind,
        "options": list(application.get("options") or ()),
        "purpose": str(application.get("purpose") or ""),
        "copies": application.get("copies", 1),
    }  # fmt: skip


def set_jpki_trust(uow: UnitOfWork, anchors: list[str], crl: str | None) -> None:
    """The municipality's JPKI certification authorities (PEM) and their current revocation list (PEM), kept by
    the administrator; the list is replaced as J-LIS publishes a new one (``jumin tenant jpki``).  A list not
    signed by one of the authorities, or unreadable PEM, is refused and nothing is changed."""
    require(uow.actor, "admin.settings")
    try:
        certificates = [x509.load_pem_x509_certificate(pem.encode()) for pem in anchors]
        revocations = x509.load_pem_x509_crl(crl.encode()) if crl else None
    except ValueError as err:
        raise _refused(
            "jpki",
            "認証局の設定",
            "PEM形式として読めません",
            "認証局の証明書と失効リストを確認してください",
            "invalid",
        ) from err
    if not certificates:
        raise _refused(
            "jpki",
            "認証局の設定",
            "認証局の証明書がありません",
            "認証局の証明書を指定してください",
            "required",
        )
    if revocations is not None and not any(
        revocations.issuer == c.subject and revocations.is_signature_valid(c.public_key())  # type: ignore[arg-type]
        for c in certificates
    ):
        raise _refused(
            "jpki",
            "失効リスト",
            "指定した認証局の署名がありません",
            "その認証局の失効リストを指定してください",
            "untrusted",
        )
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    assert municipality is not None  # the actor's own tenant
    config = {"trust_anchors": [pem.strip() + "\n" for pem in anchors], **({"crl": crl} if crl else {})}
    municipality.settings = {**(municipality.settings or {}), "jpki": config}
    record_access(uow, "jpki_trust_set", "setting", [], detail={
        "authorities": [c.subject.rfc4514_string() for c in certificates],
        "crl_next_update": revocations.next_update_utc.isoformat() if revocations and revocations.next_update_utc else None,
    })  # fmt: skip
