"""Who a kiosk request is for (j1210): the card holder the 証明書交付センター resolved, and the members they chose.

- The holder is a current resident of this municipality (住民 or 転出予定: j50) with that 住民票コード; anyone
  else — a 除票, a person of another municipality (the tenant wall hides them) — is not found.  The register is
  read as registered: a change still provisional (仮登録) has not touched it (j530).
- The card: when this municipality has recorded the serial number of the holder's 利用者証明用電子証明書 (the
  person's item, from CS's answer to a シリアル番号 request, j1160), the serial the center sends must be that one.  With none recorded,
  the center's resolution of the card is trusted (it checked the certificate and the PIN) and the serial it sent
  is kept with the request.
- Chosen members are current members of the holder's household, named by 住民票コード or by the member reference
  the household list gave (``member_reference``): an HMAC of the deployment's secret over the municipality, the
  holder's 住民票コード and card serial and the member's 宛名番号, so a reference means something only with the
  card it was listed for, and the 証明書交付センター never needs a member's 住民票コード (docs/integration.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.juki_net.identity import CURRENT_STATUSES
from handlers.settings import Settings
from models.resident import Resident


def card_holder(session: Session, resident_code: str) -> Resident | None:
    """The current resident of this municipality with ``resident_code``, or None."""
    return session.scalars(
        select(Resident).where(Resident.resident_code == resident_code, Resident.status.in_(CURRENT_STATUSES))
    ).one_or_none()


def card_matches(holder: Resident, card_serial: str) -> bool:
    """The serial the center sent is the holder's recorded 利用者証明用電子証明書シリアル番号 (j10, j20: CS's answer
    to a シリアル番号 request, j1160, or a correction), or none is recorded."""
    recorded = holder.user_certificate_serial
    return recorded is None or recorded.upper() == card_serial.upper()


REFERENCE_PREFIX = "m-"


def _reference_key() -> bytes:
    secret = Settings.from_env().secret_key.encode()
    return hmac.new(secret, b"jumin-kiosk-member-reference", hashlib.sha256).digest()


def member_reference(holder: Resident, card_serial: str, atena_number: str) -> str:
    """The opaque reference of a member of ``holder``'s household, valid with this holder's card only."""
    message = f"{holder.tenant_id}:{holder.resident_code}:{card_serial.upper()}:{atena_number}".encode()
    digest = hmac.new(_reference_key(), message, hashlib.sha256).digest()
    return REFERENCE_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:22]


def household_members(
    session: Session, holder: Resident, card_serial: str, chosen: Sequence[str]
) -> list[str] | None:
    """宛名番号 of the chosen members (in the order chosen; each a 住民票コード or a ``member_reference``), or
    None when one is not a current member of the holder's household."""
    rows = session.execute(
        select(Resident.resident_code, Resident.atena_number).where(
            Resident.household_id == holder.household_id, Resident.status.in_(CURRENT_STATUSES)
        )
    )
    found: dict[str, str] = {}
    for code, atena_number in rows:
        found[member_reference(holder, card_serial, atena_number)] = atena_number
        if code:
            found[code] = atena_number
    if any(key not in found for key in chosen):
        return None
    return list(dict.fromkeys(found[key] for key in chosen))
