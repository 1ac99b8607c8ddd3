"""The wizard (ウィザード, j1360, j1330): plain questions for staff without special knowledge — age range, area,
sex, birth dates, Japanese/foreign, nationality, flags, a change in a period — turned into the condition tree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FLAG_FIELDS = {
    "nhi": "国民健康保険",
    "late_elderly": "後期高齢者医療",
    "long_term_care": "介護保険",
    "national_pension": "国民年金",
    "electoral_registered": "選挙人名簿登録",
}
WIZARD_FIELDS = (
    "age_min", "age_max", "area", "sex", "birth_from", "birth_to", "resident_kind", "nationality",
    "foreign_category", "change_category", "change_start", "change_end",
)  # fmt: skip


def _text(answers: Mapping[str, Any], key: str) -> str:
    return str(answers.get(key) or "").strip()


def _range(field: str, low: str, high: str) -> list[dict[str, Any]]:
    if low and high:
        return [{"field": field, "op": "between", "value": [low, high]}]
    if low:
        return [{"field": field, "op": "ge", "value": low}]
    if high:
        return [{"field": field, "op": "le", "value": high}]
    return []


def wizard_conditions(answers: Mapping[str, Any], flags: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``{"all": [...]}`` tree of the answered questions (unanswered ones do not restrict)."""
    items: list[dict[str, Any]] = []
    items += _range("age", _text(answers, "age_min"), _text(answers, "age_max"))
    items += _range("birth_date", _text(answers, "birth_from"), _text(answers, "birth_to"))
    if area := _text(answers, "area"):
        items.append({"field": "address", "op": "prefix", "value": area})
    for field in ("sex", "resident_kind", "foreign_category"):
        if value := _text(answers, field):
            items.append({"field": field, "op": "eq", "value": value})
    if nationality := _text(answers, "nationality"):
        items.append({"field": "nationality", "op": "eq", "value": nationality})
    items += [{"field": flag, "op": "eq", "value": True} for flag in flags if flag in FLAG_FIELDS]
    if category := _text(answers, "change_category"):
        period = {
            "category": category,
            "start": _text(answers, "change_start"),
            "end": _text(answers, "change_end"),
        }
        items.append({"changed": period})
    return {"all": items}
