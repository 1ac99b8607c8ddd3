"""What every household change writes once it is valid: one history row per person whose record changed
(j200) and one access-log row naming them, the reason and the household."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.audit import record_access
from handlers.residents.events import ChangeRequest
from handlers.residents.history import HistoryDates, append_histories
from handlers.uow import UnitOfWork
from models.resident import Household, Resident


def append_change(
    uow: UnitOfWork,
    resident: Resident,
    request: ChangeRequest,
    note: str | None,
    dates: HistoryDates | None = None,
) -> None:
    """Append the person's history row for the request (its reason, 異動日 and 届出日, plus any other dates)."""
    append_changes(uow, [resident], request, note, dates)


def append_changes(
    uow: UnitOfWork,
    residents: Sequence[Resident],
    request: ChangeRequest,
    note: str | None,
    dates: HistoryDates | None = None,
    *,
    first: bool = False,
) -> None:
    """``append_change`` for several persons at once (one flush, one INSERT); ``first``: persons created in
    this transaction, whose first history row this is."""
    if not residents:
        return
    append_histories(
        uow.session,
        residents,
        first=first,
        reason_code=request.reason.code,
        change_date=request.change_date,
        effective_date=request.change_date,
        notified_date=request.notified_date,
        note=note,
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
        **(dates or HistoryDates()),
    )


def record_household_change(
    uow: UnitOfWork,
    function: str,
    household: Household,
    residents: Sequence[Resident],
    request: ChangeRequest,
    note: str | None,
    *,
    new_persons: bool = False,
) -> None:
    """A history row for each of ``residents`` and one access-log row ``function`` for the household;
    ``new_persons``: they were created in this transaction (their first history row)."""
    append_changes(uow, residents, request, note, first=new_persons)
    record_access(
        uow,
        function,
        "change",
        [r.atena_number for r in residents],
        detail={"reason": request.reason.code, "household_number": household.household_number},
    )
