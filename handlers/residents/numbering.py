"""宛名番号 and 世帯番号 (j130): sequential per tenant, with an M11W2-7 check digit as the last digit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from handlers.rules.check_digit import with_m11w27
from handlers.sequences import take_blocks

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
    return issue_blocks(session, [(name, count)])[0]


def issue_blocks(session: Session, wanted: Sequence[tuple[str, int]]) -> list[list[str]]:
    """For each (sequence, count) of ``wanted``, in that order, ``issue_numbers(session, sequence, count)``:
    the sequences locked in that order, on PostgreSQL all in one statement (``take_blocks``)."""
    for name, _count in wanted:
        if name not in SEQUENCES:
            raise KeyError(name)
    firsts = iter(take_blocks(session, [(name, count) for name, count in wanted if count >= 1]))
    blocks: list[list[str]] = []
    for name, count in wanted:
        if count < 1:
            blocks.append([])
            continue
        first = next(firsts)
        if first + count - 1 >= 10**BODY_DIGITS:
            raise OverflowError(f"{SEQUENCES[name]}の採番が上限に達しました。")
        blocks.append([with_m11w27(f"{value:0{BODY_DIGITS}d}") for value in range(first, first + count)])
    return blocks
