"""除票 kept in the 除票用データベース (``RemovedRecordArchive``, j1300) as certificate content.

The yearly batch moves a 除票 out of the live tables after five years, but the 150-year retention exists so a
除票の写し or 除票記載事項証明書 can still be issued: a 宛名番号 that the live tables no longer hold is read
here, with the same as-of rule as ``handlers.residents.history.resident_as_of`` (greatest effective date ≤ on,
then greatest 履歴番号) over the archived history snapshots.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.removed import RemovedRecordArchive


def _archived_row(session: Session, atena_number: str) -> RemovedRecordArchive | None:
    return session.scalars(
        select(RemovedRecordArchive).where(RemovedRecordArchive.atena_number == atena_number)
    ).one_or_none()


def _effective(entry: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(entry["effective_date"])[:10])


def archived_as_of(session: Session, atena_number: str, on: dt.date) -> dict[str, Any] | None:
    """The archived person's snapshot holding on ``on``; a record archived without history (an import)
    is its final state once removed."""
    row = _archived_row(session, atena_number)
    if row is None:
        return None
    entries = [e for e in row.history if _effective(e) <= on]
    if entries:
        last = max(entries, key=lambda e: (_effective(e), int(e["history_no"])))
        return {
            **last["snapshot"],
            "history_no": last["history_no"],
            "effective_date": str(last["effective_date"]),
        }
    if not row.history and row.removal_date <= on:
        return {k: v for k, v in row.record.items() if k != "earlier_removals"}
    return None


def archived_history(session: Session, atena_number: str, on: dt.date) -> list[dict[str, Any]]:
    """The archived person's history lines up to ``on``, oldest first (empty when not archived)."""
    row = _archived_row(session, atena_number)
    if row is None:
        return []
    entries = sorted((e for e in row.history if _effective(e) <= on), key=lambda e: int(e["history_no"]))
    return [
        {
            "history_no": e["history_no"],
            "change_reason": e["change_reason"],
            "change_date": e.get("change_date"),
            "change_date_text": e.get("change_date_text"),
            "note": e.get("note"),
            "caution": e.get("caution"),
            "caution_items": e.get("caution_items"),
            "notified_date": e.get("notified_date"),
        }
        for e in entries
    ]
