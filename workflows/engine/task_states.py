"""What the case lock read of the case's task rows: each row's id and state by BPMN task uuid, kept in the
transaction memo (forgotten at any rollback) until the next save of the case takes it.

The lock reads them as of its statement's start and ``execution`` keeps them only when the case locked is
still the version that statement saw (no transaction saved the case in between); while the case is locked no
other transaction can change which of its rows are open (a claim only moves a row between the two open states),
and this transaction's own task transitions keep them current (``note_task_state``).  The save
(``store.sync_tasks``) then writes the new rows without reading the old ones, unless one must change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from handlers.transaction_memo import transaction_memo
from models.case import CaseTask

OPEN_TASK_STATES = ("ready", "claimed")
TASK_STATES_KEY = "engine_case_task_states"


def know_task_states(session: Session, case_id: int, rows: list[list[Any]]) -> None:
    """The [id, task uuid, state] of every task row of the case, read with its lock and current (no other
    transaction can change which of them are open while the case is locked; a claim changes only who holds
    an open one): the next save decides from them which rows to write, without reading the rows."""
    states = {str(uuid): (int(row_id), str(state)) for row_id, uuid, state in rows}
    transaction_memo(session).setdefault(TASK_STATES_KEY, {})[case_id] = states


def note_task_state(session: Session, row: CaseTask) -> None:
    """``row``'s state was just written: keep ``know_task_states`` current (or forget it: a row it did not
    know)."""
    known: dict[int, dict[str, tuple[int, str]]] = transaction_memo(session).get(TASK_STATES_KEY, {})
    states = known.get(row.case_id)
    if states is None:
        return
    if states.get(row.task_uuid, (None,))[0] != row.id:
        del known[row.case_id]
        return
    states[row.task_uuid] = (row.id, row.state)


def take_task_states(session: Session, case_id: int) -> dict[str, tuple[int, str]] | None:
    """What ``know_task_states`` keeps for the case, forgotten as it is handed out (the save that takes it
    writes rows it does not know)."""
    known: dict[int, dict[str, tuple[int, str]]] = transaction_memo(session).get(TASK_STATES_KEY, {})
    return known.pop(case_id, None)


def rows_to_change(states: dict[str, tuple[int, str]], ready: dict[str, Any]) -> bool:
    """Whether a known row must change: open but no longer ready (cancel), or ready again (re-open)."""
    return any((state in OPEN_TASK_STATES) != (uuid in ready) for uuid, (_id, state) in states.items())
