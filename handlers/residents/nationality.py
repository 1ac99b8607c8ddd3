"""Switching a person between the Japanese and the foreign register on 帰化, 国籍取得 and 国籍喪失 (j930–j950).

The standard removes the old record (職権消除（帰化等） / 職権消除（国籍喪失）) and records a new one
(職権記載（帰化等） / 職権記載（国籍喪失）) that inherits the address, birth date, sex, relationship, dates,
住民票コード, 宛名番号, 個人番号 and 転入前住所.  Because the 宛名番号 is inherited, both records are kept on the same
``Resident`` row as two history rows on the same 宛名番号: first a snapshot of the old record as removed (its
除票), then a snapshot of the new record.  History stays continuous and every as-of read after the change date
sees the new record, while the removed old record remains readable in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from handlers.audit import record_access
from handlers.errors import ConflictError, ValidationError
from handlers.permissions import require
from handlers.residents.events import check_change_request
from handlers.residents.history import append_history
from handlers.residents.items import FOREIGN_ITEMS, KANA_CONFIRMATIONS, REMOVAL_ITEMS
from handlers.residents.lookup import find_resident
from handlers.residents.registration import current_items
from handlers.residents.search_keys import refresh_resident_keys
from handlers.residents.validation import validate_resident_input
from handlers.uow import UnitOfWork
from models.resident import Resident

# Items that exist only for one kind: they are cleared when the person leaves that kind.
JAPANESE_ONLY_FIELDS = (
    "honseki",
    "hittosha",
    "former_surname",
    "former_surname_kana",
    "former_surname_kana_confirmed",
)
FOREIGN_ONLY_FIELDS = (
    *(spec.field for spec in FOREIGN_ITEMS),
    "foreign_resident_date_text",
    "name_alphabet",
    "alias",
    "alias_kana",
    "alias_kana_confirmed",
    "alias_recorded_date",
    "alias_recorded_municipality",
    "alias_deleted_date",
    "alias_deleted_municipality",
    "name_priority",
)
OTHER_KIND = {"japanese": "foreign", "foreign": "japanese"}


def switched_items(resident: Resident, values: Mapping[str, Any], to_kind: str) -> dict[str, Any]:
    """The person's items for the new kind: the inherited ones, the old kind's own items cleared, ``values``
    (the new record's own items) applied."""
    items = current_items(resident)
    cleared = FOREIGN_ONLY_FIELDS if to_kind == "japanese" else JAPANESE_ONLY_FIELDS
    for field in cleared:
        items[field] = False if field in KANA_CONFIRMATIONS else None
    items.update(values)
    return items


def _apply_removal(resident: Resident, reason_code: str, on: dt.date | None) -> None:
    resident.status = "removed"
    resident.removal_reason = reason_code
    resident.removal_date = on


def _clear_removal(resident: Resident) -> None:
    for spec in REMOVAL_ITEMS:
        setattr(resident, spec.field, None)
    resident.status = "resident"


def switch_resident_kind(
    uow: UnitOfWork,
    atena_number: str,
    values: Mapping[str, Any],
    *,
    to_kind: str,
    removal_reason: str,
    record_reason: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
) -> Resident:
    """Remove the person's record of the other kind and record them as ``to_kind`` (same 宛名番号)."""
    require(uow.actor, "resident.change")
    resident = find_resident(uow.session, atena_number)
    from_kind = OTHER_KIND[to_kind]
    if resident.status != "resident" or resident.resident_kind != from_kind:
        raise ConflictError(
            "この住民は記録中の"
            + ("外国人住民" if from_kind == "foreign" else "日本人住民")
            + "ではありません。"
        )
    removal, problems = check_change_request(
        removal_reason, change_date, notified_date, category="removal", kinds=[from_kind]
    )
    record, record_problems = check_change_request(
        record_reason, change_date, notified_date, category="record", kinds=[to_kind]
    )
    parsed, found = validate_resident_input(switched_items(resident, values, to_kind), kind=to_kind)
    problems += [p for p in record_problems if p not in problems] + found
    if problems:
        raise ValidationError(problems)
    history = {"change_date": removal.change_date, "notified_date": removal.notified_date, "note": note}
    _apply_removal(resident, removal.reason.code, removal.change_date)
    _append(uow, resident, removal.reason.code, history)
    _clear_removal(resident)
    resident.resident_kind = to_kind
    for key, value in parsed.values.items():
        setattr(resident, key, value)
    refresh_resident_keys(resident)
    _append(uow, resident, record.reason.code, history)
    record_access(
        uow,
        "resident_kind_switched",
        "change",
        [resident.atena_number],
        detail={"from": from_kind, "to": to_kind, "reasons": [removal.reason.code, record.reason.code]},
    )
    return resident


def _append(uow: UnitOfWork, resident: Resident, reason_code: str, history: Mapping[str, Any]) -> None:
    append_history(
        uow.session,
        resident,
        reason_code=reason_code,
        change_date=history["change_date"],
        notified_date=history["notified_date"],
        note=history["note"],
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
    )
