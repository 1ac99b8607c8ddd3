"""Finding one person by 宛名番号 inside the actor's municipality."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import NotFoundError
from models.resident import Household, Resident

NOT_FOUND_MESSAGE = "指定された宛名番号の住民は見つかりません。"


def find_resident(session: Session, atena_number: str) -> Resident:
    """The tenant's person with this 宛名番号.  Another municipality's person is 'not found' with the same
    message, so a refusal never reveals that the number exists elsewhere."""
    resident = session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one_or_none()
    if resident is None:
        raise NotFoundError(NOT_FOUND_MESSAGE)
    return resident


HOUSEHOLD_NOT_FOUND_MESSAGE = "指定された世帯番号の世帯は見つかりません。"


def find_household(session: Session, household_number: str) -> Household:
    """The tenant's household with this 世帯番号 ('not found' alike for another municipality's)."""
    household = session.scalars(
        select(Household).where(Household.household_number == household_number)
    ).one_or_none()
    if household is None:
        raise NotFoundError(HOUSEHOLD_NOT_FOUND_MESSAGE)
    return household
