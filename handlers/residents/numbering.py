"""宛名番号 and 世帯番号 (j130): sequential per tenant, with an M11W2-7 check digit as the last digit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.rules.check_digit import with_m11w27
from models.resident import NumberSequence

SEQUENCES = {"atena": "宛名番号", "household": "世帯番号"}
BODY_DIGITS = 9


def _locked_counter(session: Session, name: str) -> NumberSequence:
    counter = session.scalars(
        select(NumberSequence).where(NumberSequence.name == name).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = NumberSequence(name=name, next_value=1)
        session.add(counter)
        session.flush()
    return counter


def issue_number(session: Session, name: str) -> str:
    """The next number of the tenant's ``name`` sequence: 9 zero-padded digits + check digit.

    The counter row is locked (SELECT … FOR UPDATE) so concurrent registrations never share a number.
    """
    if name not in SEQUENCES:
        raise KeyError(name)
    counter = _locked_counter(session, name)
    value = counter.next_value
    if value >= 10**BODY_DIGITS:
        raise OverflowError(f"{SEQUENCES[name]}の採番が上限に達しました。")
    counter.next_value = value + 1
    session.flush()
    return with_m11w27(f"{value:0{BODY_DIGITS}d}")
