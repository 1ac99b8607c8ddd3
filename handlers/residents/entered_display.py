"""An item as it was entered (a provisional change: text as the clerk typed it, or ISO from the API), shown the
way the record shows it: dates in 和暦 except a foreign resident's 生年月日 and 在留期間の満了の日 (j90), 性別 and
有無 by their labels.  The review screen, the confirmation sheet and the case page compare these."""

from __future__ import annotations

from typing import Any

from handlers.residents.items import HOUSEHOLD_ITEM_BY_FIELD, RESIDENT_ITEM_BY_FIELD, SEX_LABELS
from handlers.rules.date_input import DateInputError, parse_flexible_date
from handlers.rules.dates import format_resident_date

DATE_KINDS = ("date", "flex_date")


def display_entered(field: str, value: Any, resident_kind: str | None) -> str:
    """``value`` of ``field`` for a person of ``resident_kind`` (None: a household item, or a person whose kind
    the change does not say: 和暦).  Text that is not a readable date is shown as it is: the assessment already
    reports it."""
    if value is None or value == "":
        return ""
    spec = RESIDENT_ITEM_BY_FIELD.get(field) or HOUSEHOLD_ITEM_BY_FIELD.get(field)
    if spec is not None and spec.kind in DATE_KINDS:
        try:
            found = parse_flexible_date(str(value))
        except DateInputError:
            return str(value)
        kind = resident_kind if resident_kind in ("japanese", "foreign") else "japanese"
        return format_resident_date(field, found.value, found.text, kind)
    if spec is not None and spec.kind == "bool" and isinstance(value, bool):
        return "有" if value else "無"
    if field == "sex":
        return SEX_LABELS.get(str(value), str(value))
    return str(value)
