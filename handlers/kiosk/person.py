"""Who a kiosk request is for (j1210): the card holder the 証明書交付センター resolved, and the members they chose.

- The holder is a current resident of this municipality (住民 or 転出予定: j50) with that 住民票コード; anyone
  else — a 除票, a person of another municipality (the tenant wall hides them) — is not found.  The register is
  read as registered: a change still provisional (仮登録) has not touched it (j530).
- The card: when this municipality has recorded the serial number of the holder's 利用者証明用電子証明書 (CS's
  answer to a シリアル番号 request, j1160), the serial the center sends must be that one.  With none recorded,
  the center's resolution of the card is trusted (it checked the certificate and the PIN) and the serial it sent
  is kept with the request.
- Chosen members are current members of the holder's household.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.juki_net.certificate_serials import KIND as SERIAL_KIND
from handlers.juki_net.identity import CURRENT_STATUSES
from models.juki_net import CsPersonRequest
from models.resident import Resident


def card_holder(session: Session, resident_code: str) -> Resident | None:
    """The current resident of this municipality with ``resident_code``, or None."""
    return session.scalars(
        select(Resident).where(Resident.resident_code == resident_code, Resident.status.in_(CURRENT_STATUSES))
    ).one_or_none()


def recorded_card_serial(session: Session, atena_number: str) -> str | None:
    """The serial number CS last answered for the person's 利用者証明用電子証明書 (j1160), if any."""
    return session.scalar(
        select(CsPersonRequest.serial_number)
        .where(
            CsPersonRequest.atena_number == atena_number,
            CsPersonRequest.kind == SERIAL_KIND,
            CsPersonRequest.result == "done",
            CsPersonRequest.serial_number.is_not(None),
        )
        .order_by(CsPersonRequest.answered_at.desc(), CsPersonRequest.id.desc())
        .limit(1)
    )


def card_matches(session: Session, atena_number: str, card_serial: str) -> bool:
    recorded = recorded_card_serial(session, atena_number)
    return recorded is None or recorded.upper() == card_serial.upper()


def household_members(session: Session, holder: Resident, resident_codes: Sequence[str]) -> list[str] | None:
    """宛名番号 of the chosen members (in the order chosen), or None when one is not a current member of the
    holder's household."""
    rows = session.execute(
        select(Resident.resident_code, Resident.atena_number).where(
            Resident.household_id == holder.household_id,
            Resident.status.in_(CURRENT_STATUSES),
            Resident.resident_code.in_(list(resident_codes)),
        )
    )
    found = {code: atena_number for code, atena_number in rows}
    if any(code not in found for code in resident_codes):
        return None
    return list(dict.fromkeys(found[code] for code in resident_codes))
