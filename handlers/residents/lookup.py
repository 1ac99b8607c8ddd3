"""Finding one person by 宛名番号 inside the actor's municipality."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import NotFoundError
from models.resident import Resident

NOT_FOUND_MESSAGE = "指定された宛名番号の住民は見つかりません。"


def find_resident(session: Session, atena_number: str) -> Resident:
    """The tenant's person with this 宛名番号.  Another municipality's person is 'not found' with the same
    message, so a refusal never reveals that the number exists elsewhere."""
    resident = session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one_or_none()
    if resident is None:
        raise NotFoundError(NOT_FOUND_MESSAGE)
    return resident
