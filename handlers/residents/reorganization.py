"""改製 (j40): the 住民票 (原票) is reorganised by hand, whenever the office decides, never automatically (there is
no limit to its history), and the date is kept.

A 改製 appends a history row with the reason ``reorganization_record`` (改製) dated the day it is done: the
register keeps every earlier row (the 改製原住民票), and a certificate that prints the history starts from the
last 改製 (``history_since_reorganization``).  The history of a special reason — 特別養子縁組, its dissolution,
性別の変更 — is kept on the record, but a certificate leaves it out unless asked for (``printed_history``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import append_history, history_entries
from handlers.residents.lookup import find_resident
from handlers.uow import UnitOfWork

REORGANIZATION = "reorganization_record"  # 改製
# The 留意事項 wording the standard prescribes for these events (j140): a history row whose note names one is
# the history of a special reason (j40).
SPECIAL_EVENTS = ("特別養子縁組解消", "特別養子縁組", "性別の変更")
NOTE_LIMIT = 200


def reorganize_record(uow: UnitOfWork, atena_number: str, note: str = "") -> dt.date:
    """改製 of one person's 住民票 today, by a supervisor; returns the 改製 date."""
    require(uow.actor, "resident.approve")
    resident = find_resident(uow.session, atena_number)
    if resident.status not in ("resident", "moving_out"):
        raise ValidationError([Problem("atena_number", "対象者", "住民票が消除されているため改製できません",
                                       "現に住民票のある方を指定してください", "not_current")])  # fmt: skip
    text = (note or "").strip()
    if len(text) > NOTE_LIMIT:
        raise ValidationError([Problem("note", "備考", f"{NOTE_LIMIT}文字を超えています",
                                       f"{NOTE_LIMIT}文字以内で入力してください", "too_long")])  # fmt: skip
    today = japan_today()
    append_history(
        uow.session, resident, reason_code=REORGANIZATION, change_date=today, effective_date=today,
        note=text or None, entered_by=uow.actor.user_id, input_terminal=uow.actor.terminal,
    )  # fmt: skip
    record_access(uow, "record_reorganized", "change", [atena_number], detail={"date": today.isoformat()})
    return today


def _field(row: Any, name: str) -> Any:
    """A history row's item, from a database row or from a dict (the 除票 archive's rows)."""
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def last_reorganized_on(rows: Sequence[Any]) -> dt.date | None:
    """The date of the last 改製 among a person's history rows (履歴番号 order), or None."""
    dates = [_field(row, "change_date") for row in rows if _field(row, "change_reason") == REORGANIZATION]
    return dates[-1] if dates else None


def is_special(row: Any) -> bool:
    """A special reason's row: its 留意事項 (j140) or, on rows written before it was kept apart, its note
    names the event."""
    texts = (_field(row, "caution") or "") + "\n" + (_field(row, "note") or "")
    return any(event in texts for event in SPECIAL_EVENTS)


def printed_history(rows: Sequence[Any], *, include_special: bool = False) -> list[Any]:
    """The rows a certificate prints (履歴番号 order): from the last 改製 on, the special reasons left out
    unless asked for."""
    starts = [index for index, row in enumerate(rows) if _field(row, "change_reason") == REORGANIZATION]
    since = list(rows[starts[-1] :]) if starts else list(rows)
    return [row for row in since if include_special or not is_special(row)]


def reorganization_view(uow: UnitOfWork, atena_number: str) -> dt.date | None:
    """The person's last 改製 date, for the record page."""
    return last_reorganized_on(history_entries(uow.session, atena_number))
