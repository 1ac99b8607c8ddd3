"""統合記載欄 (j140): what a certificate prints after the items of a person — the history (type A) with each
line's 留意事項 (type B, with the items it concerns), then the 備考 (type C); on a 除票の写し, the 除票's own items
(転出先住所（予定・確定）, 転出年月日, 届出年月日, 転入通知年月日; 20.1.3).  Pure: rows and texts in, cells out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from handlers.certificates.content import Cell
from handlers.residents.cautions import item_label, split_items
from handlers.rules.change_reasons import REASONS
from handlers.rules.dates import format_resident_date, format_wareki

WIDE_SPACE = "\u3000"


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def caution_text(caution: str, items: Any) -> str:
    """A 留意事項 as printed: the items it concerns in brackets, then the text."""
    labels = "・".join(item_label(field) for field in split_items(items))
    return f"【{labels}】{caution}" if labels else caution


def history_lines(rows: Sequence[dict[str, Any]], resident_kind: str) -> list[Cell]:
    """Type A and B: one line per registered change, oldest first, each followed by its 留意事項."""
    cells = []
    for row in rows:
        reason = REASONS.get(row["change_reason"])
        when = format_resident_date(
            "change_date", _date(row.get("change_date")), row.get("change_date_text"), resident_kind
        )
        label = reason.label if reason else row["change_reason"]
        cells.append(
            Cell("history", f"履歴{row['history_no']}", WIDE_SPACE.join(p for p in (when, label) if p))
        )
        if row.get("caution"):
            cells.append(Cell("caution", "留意事項", caution_text(row["caution"], row.get("caution_items"))))
    return cells


def remark_lines(remarks: str) -> list[Cell]:
    """Type C: the 備考, a line a row."""
    return [Cell("remarks", "備考", line) for line in remarks.splitlines() if line.strip()]


def removed_lines(snapshot: dict[str, Any], notified: dt.date | None) -> list[Cell]:
    """The 除票's own items (20.1.3), those recorded; the planned destination only beside a different confirmed
    one (the 転出先 item above already shows the planned one when no other is known)."""
    planned = snapshot.get("destination_planned_address")
    confirmed = snapshot.get("destination_confirmed_address")
    moved = _date(snapshot.get("move_out_confirmed_date"))
    items = (
        (
            "destination_planned_address",
            "転出先住所（予定）",
            planned if confirmed not in (None, planned) else None,
        ),
        ("destination_confirmed_address", "転出先住所（確定）", confirmed),
        ("move_out_confirmed_date", "転出年月日", format_wareki(moved) if moved else None),
        ("removal_notified_date", "届出年月日", format_wareki(notified) if notified else None),
        ("move_in_notice_date", "転入通知年月日", format_wareki(_date(snapshot.get("move_in_notice_date")))),
    )
    return [Cell(field, label, str(value)) for field, label, value in items if value]
