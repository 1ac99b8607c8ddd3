"""The 統合記載欄 of one record on screen (j140): each history line with its 留意事項 and the items it concerns,
and the 備考 with its edits.  Read like the record itself: permission ``resident.view``, the 照会 disclosure
decision (a suppressed record is refused, j410), logged as ``integrated_section_viewed``."""

from __future__ import annotations

from typing import Any

from handlers.audit import record_access
from handlers.permissions import require
from handlers.residents.cautions import item_label, split_items
from handlers.residents.history import history_entries
from handlers.residents.items import HOUSEHOLD_ITEMS, RESIDENT_ITEMS
from handlers.residents.lookup import find_resident
from handlers.residents.protection import check_inquiry
from handlers.residents.remarks import remark_edits
from handlers.rules.change_reasons import REASONS
from handlers.rules.dates import format_resident_date
from handlers.uow import UnitOfWork


def item_choices() -> list[tuple[str, str]]:
    """The items a 留意事項 may concern (field, label), for the forms."""
    return [
        (spec.field, spec.label) for spec in (*HOUSEHOLD_ITEMS, *RESIDENT_ITEMS) if spec.field != "remarks"
    ]


def integrated_section(uow: UnitOfWork, atena_number: str) -> dict[str, Any]:
    require(uow.actor, "resident.view")
    resident = find_resident(uow.session, atena_number)
    check_inquiry(uow, atena_number)
    kind = resident.resident_kind
    history = [
        {"history_no": r.history_no,
         "reason_label": REASONS[r.change_reason].label if r.change_reason in REASONS else r.change_reason,
         "change_date": format_resident_date("change_date", r.change_date, r.change_date_text, kind),
         "caution": r.caution or "", "caution_items": list(split_items(r.caution_items)),
         "caution_item_labels": [item_label(f) for f in split_items(r.caution_items)]}
        for r in history_entries(uow.session, atena_number)
    ]  # fmt: skip
    view = {
        "atena_number": atena_number,
        "status": resident.status,
        "history": history,
        "remarks": resident.remarks or "",
        "remark_edits": remark_edits(uow, atena_number),
    }
    record_access(uow, "integrated_section_viewed", "view", [atena_number])
    return view
