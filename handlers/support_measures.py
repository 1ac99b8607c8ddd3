"""Support measures (支援措置, register C): who is protected.  Data, scoping and permissions (j160)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.support import SupportMeasure, SupportMeasureParty

PROTECTED_ROLES = ("applicant", "co_applicant")
ACTIVE_STATUSES = ("requested", "provisional", "in_force")  # only an explicit termination lifts protection


def protected_atena_numbers(session: Session, atena_numbers: Collection[str]) -> set[str]:
    """Which of these persons are protected by a measure in force or provisional (the end date passing does
    not lift protection; only termination does)."""
    if not atena_numbers:
        return set()
    rows = session.scalars(
        select(SupportMeasureParty.atena_number)
        .join(SupportMeasure, SupportMeasure.id == SupportMeasureParty.measure_id)
        .where(
            SupportMeasureParty.role.in_(PROTECTED_ROLES),
            SupportMeasureParty.atena_number.in_(list(atena_numbers)),
            SupportMeasure.status.in_(ACTIVE_STATUSES),
        )
    )
    return {a for a in rows if a}
