"""A test JPKI: a certification authority, 署名用電子証明書 carrying 氏名 and 生年月日 as the module reads them,
revocation lists, and signed application envelopes (tests only; keys are made once per process)."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from handlers.e_applications import IDENTITY_OIDS

NOW = dt.datetime.now(dt.UTC).replace(
    microsecond=0
)  # the certificates and lists are made around the real time


def _der_utf8(text: str) -> bytes:
    data = text.encode("utf-8")
    assert len(data) < 128
    return bytes([0x0C, len(data)]) + data


@functools.cache
def _key(label: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"), x509.NameAttribute(NameOID.COMMON_NAME, common)]
    )


@dataclass(frozen=True)
class Authority:
    label: str

    @property
    def key(self) -> rsa.RSAPrivateKey:
        return _key(self.label)

    @functools.cached_property
    def certificate(self) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder().subject_name(_name(self.label)).issuer_name(_name(self.label))
            .public_key(self.key.public_key()).serial_number(1)
            .not_valid_before(NOW - dt.timedelta(days=3650)).not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        )  # fmt: skip
        return builder.sign(self.key, hashes.SHA256())

    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def signer(self, name: str, birth: str, *, serial: int = 1001, days: int = 365, usage: bool = True,
               label: str = "signer") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:  # fmt: skip
        key = _key(label)
        others = [x509.OtherName(IDENTITY_OIDS["name"], _der_utf8(name)),
                  x509.OtherName(IDENTITY_OIDS["birth_date"], _der_utf8(birth))]  # fmt: skip
        usage_ext = x509.KeyUsage(usage, usage, False, False, False, False, False, False, False)
        certificate = (
            x509.CertificateBuilder().subject_name(_name(f"JPKI signer {serial}")).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(NOW - dt.timedelta(days=30)).not_valid_after(NOW + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(others), critical=False)
            .add_extension(usage_ext, critical=True)
            .sign(self.key, hashes.SHA256())
        )  # fmt: skip
        return key, certificate

    def crl(self, revoked: tuple[int, ...] = (), *, next_update_days: int = 2) -> str:
        builder = (
            x509.CertificateRevocationListBuilder().issuer_name(self.certificate.subject)
            .last_update(NOW - dt.timedelta(days=1)).next_update(NOW + dt.timedelta(days=next_update_days))
        )  # fmt: skip
        for serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(NOW - dt.timedelta(days=1))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def envelope(key: rsa.RSAPrivateKey, certificate: x509.Certificate, application: dict[str, Any],
             *, tamper: bool = False) -> dict[str, str]:  # fmt: skip
    text = json.dumps(application, ensure_ascii=False).encode("utf-8")
    signature = key.sign(text, padding.PKCS1v15(), hashes.SHA256())
    sent = text.replace(b"1", b"2") if tamper else text
    return {
        "application": base64.b64encode(sent).decode(),
        "signature": base64.b64encode(signature).decode(),
        "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(),
    }
