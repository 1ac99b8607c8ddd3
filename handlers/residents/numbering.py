"""宛名番号 and 世帯番号 (j130): sequential per tenant, with an M11W2-7 check digit as the last digit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.rules.check_digit import with_m11w27
from handlers.sequences import take_next

SEQUENCES = {"atena": "宛名番号", "household": "世帯番号"}
BODY_DIGITS = 9


def issue_number(session: Session, name: str) -> str:
    """The next number of the tenant's ``name`` sequence: 9 zero-padded digits + check digit.

    The counter row stays locked until the transaction ends (``take_next``), so concurrent registrations
    never share a number; a number past the last is refused (and the transaction rolls back).
    """
    return issue_numbers(session, name, 1)[0]


def issue_numbers(session: Session, name: str, count: int) -> list[str]:
    """``count`` consecutive numbers of the tenant's ``name`` sequence, taken in one statement."""
    if name not in SEQUENCES:
        raise KeyError(name)
    if count < 1:
        return []
    first = take_next(session, name, count=count)
    if first + count - 1 >= 10**BODY_DIGITS:
        raise OverflowError(f"{SEQUENCES[name]}の採番が上限に達しました。")
    return [with_m11w27(f"{value:0{BODY_DIGITS}d}") for value in range(first, first + count)]
