"""An item as it was entered (a provisional change: text as the clerk typed it, or ISO from the API), shown the
way the record shows it: dates in 和暦 except a foreign resident's 生年月日 and 在留期間の満了の日 (j90), 性別 and
有無 by their labels, a フリガナ in the katakana it is stored in.  The review screen, the confirmation sheet and the case page compare these."""

from __future__ import annotations

from typing import Any

from handlers.residents.items import HOUSEHOLD_ITEM_BY_FIELD, RESIDENT_ITEM_BY_FIELD
from handlers.residents.presenter import display_value
from handlers.rules.date_input import DateInputError, parse_flexible_date
from handlers.rules.kana import to_katakana

DATE_KINDS = ("date", "flex_date")


def display_entered(field: str, value: Any, resident_kind: str | None) -> str:
    """``value`` of ``field`` for a person of ``resident_kind`` (None: a household item, or a person whose kind
    the change does not say: 和暦).  A date is read from the text as entered, then everything is shown as the
    record page shows it (``presenter.display_value``); text that is not a readable date is shown as it is: the
    assessment already reports it."""
    if value is None or value == "":
        return ""
    spec = RESIDENT_ITEM_BY_FIELD.get(field) or HOUSEHOLD_ITEM_BY_FIELD.get(field)
    if spec is None:
        return str(value)
    if field.endswith("_kana") and isinstance(value, str):
        return to_katakana(value)  # as it will be stored: hiragana or half-width kana typed read as katakana
    kind = resident_kind if resident_kind in ("japanese", "foreign") else "japanese"
    snapshot: dict[str, Any] = {"resident_kind": kind, field: value}
    if spec.kind in DATE_KINDS:
        try:
            found = parse_flexible_date(str(value))
        except DateInputError:
            return str(value)
        if found.text is not None:  # a non-calendar or unknown day: its wording, whatever the item's kind
            return found.text
        snapshot[field] = found.value
    elif spec.kind == "bool" and not isinstance(value, bool):
        return str(value)
    return display_value(spec, snapshot) or str(value)  # a code without a label: as entered
