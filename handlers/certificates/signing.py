"""The signed payload a certificate's QR code carries, and the digest of its printed text.

Payload: ``JMN1.<base64url(JSON)>.<base64url(HMAC-SHA256)>``; the JSON holds the issuing municipality's code
(``m``), the 発行番号 (``n``), the issue date (``d``), the certificate type (``t``) and the sha256 of the
printed text (``h``).  The key is per deployment: ``CERTIFICATE_SIGNING_KEY`` if set, else derived from
``SECRET_KEY`` (HMAC-SHA256(SECRET_KEY, "jumin-certificate-signing")).  HMAC means only the issuing deployment
can check a signature, which is what the public verification page does; nothing else needs the key.

The digest covers the printed text with all white space and variation selectors removed, so the same value
comes from the HTML we render and from the text a PDF reader extracts from the issued file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass

from handlers.settings import Settings

PREFIX = "JMN1"
_IGNORED = re.compile(r"[\s\u3000\ufe00-\ufe0f\U000e0100-\U000e01ef]+")


@dataclass(frozen=True)
class Payload:
    municipality_code: str
    issue_number: str
    issue_date: str  # ISO date
    certificate_type: str
    digest: str  # sha256 hex of the normalised printed text


class PayloadError(ValueError):
    """Not a certificate payload of ours (malformed)."""


def signing_key() -> bytes:
    explicit = os.environ.get("CERTIFICATE_SIGNING_KEY")
    if explicit:
        return explicit.encode()
    secret = Settings.from_env().secret_key.encode()
    return hmac.new(secret, b"jumin-certificate-signing", hashlib.sha256).digest()


def normalise_text(text: str) -> str:
    return _IGNORED.sub("", text)


def text_digest(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _body(payload: Payload) -> bytes:
    fields = {"m": payload.municipality_code, "n": payload.issue_number, "d": payload.issue_date,
              "t": payload.certificate_type, "h": payload.digest}  # fmt: skip
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature_of(body: bytes, key: bytes | None = None) -> str:
    return _b64(hmac.new(key or signing_key(), body, hashlib.sha256).digest())


def sign_payload(payload: Payload) -> tuple[str, str]:
    """(the QR text, the signature)."""
    body = _body(payload)
    signature = signature_of(body)
    return f"{PREFIX}.{_b64(body)}.{signature}", signature


def read_payload(text: str) -> tuple[Payload, bool]:
    """Parse a payload and say whether its signature is ours.  PayloadError if it is not a payload at all."""
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise PayloadError("証明書の検証コードではありません。")
    try:
        body = _unb64(parts[1])
        fields = json.loads(body)
        payload = Payload(fields["m"], fields["n"], fields["d"], fields["t"], fields["h"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise PayloadError("検証コードを読み取れません。") from error
    return payload, hmac.compare_digest(signature_of(body), parts[2])
