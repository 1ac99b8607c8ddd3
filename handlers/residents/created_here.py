"""The persons this transaction created (new 宛名番号), kept so that a later step of the same call need not read
them again: the 送付先情報 of a 転入 (j1120) is made from the persons its 本登録 has just written, and a person
whose 宛名番号 was issued in this transaction can have no 居所 for 番号通知書類 set before it.

Kept in the transaction memo (``handlers.transaction_memo``): forgotten at any rollback, also of a SAVEPOINT
(the rows written inside it are gone), and at the end of the transaction.  Setting a 居所 for such a person in
the same transaction forgets the person (``forget_created``), so the residence is read as for anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from handlers.transaction_memo import transaction_memo
from models.resident import Resident

CREATED_KEY = "residents_created"


def remember_created(session: Session, residents: Iterable[Resident]) -> None:
    """``residents`` were created (written with a newly issued 宛名番号) in this transaction."""
    known: dict[str, Resident] = transaction_memo(session).setdefault(CREATED_KEY, {})
    for resident in residents:
        known[resident.atena_number] = resident


def created_here(session: Session, atena_numbers: Sequence[str]) -> list[Resident] | None:
    """The persons of ``atena_numbers`` (in that order) when every one of them was created in this
    transaction and is still held by the session, else None (the caller reads them)."""
    known: dict[str, Resident] = transaction_memo(session).get(CREATED_KEY, {})
    found = [known.get(number) for number in atena_numbers]
    if any(resident is None or resident not in session for resident in found):
        return None
    return [resident for resident in found if resident is not None]


def was_created_here(session: Session, atena_number: str) -> bool:
    return atena_number in transaction_memo(session).get(CREATED_KEY, {})


def forget_created(session: Session, atena_number: str) -> None:
    transaction_memo(session).get(CREATED_KEY, {}).pop(atena_number, None)
