"""Foreign residents' categories of Act art. 30-45 (j20) and their blank rules (j60).

Each category records its own items (the art. 30-45 table).  j60 forbids blanks only for the category itself,
在留カードの番号 (except on a 除票), 特別永住者証明書の番号, 上陸期間 and 仮滞在期間; 在留資格, 在留期間 and
在留期間の満了の日 may legally be blank, so a missing one is an alert (needs acknowledgement), not an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.errors import Problem
from handlers.rules.check_digit import residence_card_number_valid, special_permanent_certificate_number_valid
from handlers.rules.date_input import DateInputError, parse_calendar_date

CATEGORY_FIELD = "foreign_category"
CATEGORY_ITEM = "法第30条の45の区分"

ITEM_NAMES = {
    "residence_status": "在留資格",
    "period_of_stay": "在留期間",
    "stay_expiry_date": "在留期間の満了の日",
    "residence_card_number": "在留カードの番号",
    "special_permanent_certificate_number": "特別永住者証明書の番号",
    "landing_period": "上陸期間",
    "provisional_stay_period": "仮滞在期間",
}


@dataclass(frozen=True)
class ForeignCategory:
    code: str
    label: str
    items: tuple[str, ...]  # the fields recorded for this category (art. 30-45 table)
    required: tuple[str, ...]  # the fields that may not be blank (j60)
    required_on_removed: tuple[str, ...]  # the same on a 除票


FOREIGN_CATEGORIES: dict[str, ForeignCategory] = {
    c.code: c
    for c in (
        ForeignCategory(
            "mid_long_term",
            "中長期在留者",
            ("residence_status", "period_of_stay", "stay_expiry_date", "residence_card_number"),
            ("residence_card_number",),
            (),
        ),
        ForeignCategory(
            "special_permanent",
            "特別永住者",
            ("special_permanent_certificate_number",),
            ("special_permanent_certificate_number",),
            ("special_permanent_certificate_number",),
        ),
        ForeignCategory(
            "temporary_refuge",
            "一時庇護許可者",
            ("landing_period",),
            ("landing_period",),
            ("landing_period",),
        ),
        ForeignCategory(
            "provisional_stay",
            "仮滞在許可者",
            ("provisional_stay_period",),
            ("provisional_stay_period",),
            ("provisional_stay_period",),
        ),
        ForeignCategory("transitional_birth", "出生による経過滞在者", (), (), ()),
        ForeignCategory("transitional_nationality_loss", "国籍喪失による経過滞在者", (), (), ()),
    )
}

_FORMAT_CHECKS = {
    "residence_card_number": residence_card_number_valid,
    "special_permanent_certificate_number": special_permanent_certificate_number_valid,
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _problem(field: str, reason: str, remedy: str, code: str, level: str = "error") -> Problem:
    return Problem(field, ITEM_NAMES.get(field, CATEGORY_ITEM), reason, remedy, code, level)


def foreign_category_problems(data: Mapping[str, Any], removed: bool = False) -> list[Problem]:
    """Problems with a foreign resident's category items; ``removed`` for a 除票 (card number may be blank)."""
    code = data.get(CATEGORY_FIELD)
    if _blank(code):
        return [
            _problem(
                CATEGORY_FIELD,
                "区分が入力されていません",
                "中長期在留者・特別永住者などの区分を選んでください",
                "required",
            )
        ]
    category = FOREIGN_CATEGORIES.get(str(code))
    if category is None:
        return [
            _problem(
                CATEGORY_FIELD,
                f"「{code}」は法第30条の45の区分ではありません",
                "区分を選び直してください",
                "invalid",
            )
        ]
    problems = _missing_items(category, data, removed)
    problems += _foreign_items(category, data)
    problems += _badly_formed_items(data)
    return problems


def _missing_items(category: ForeignCategory, data: Mapping[str, Any], removed: bool) -> list[Problem]:
    required = category.required_on_removed if removed else category.required
    problems = []
    for field in category.items:
        if not _blank(data.get(field)):
            continue
        name = ITEM_NAMES[field]
        if field in required:
            problems.append(
                _problem(
                    field,
                    f"{category.label}の{name}が入力されていません",
                    f"{name}を入力してください",
                    "required",
                )
            )
        elif not (removed and field == "residence_card_number"):
            reason = f"{category.label}の{name}が入力されていません"
            problems.append(
                _problem(field, reason, "空欄のままでよいか確認してください", "blank_item", "alert")
            )
    return problems


def _foreign_items(category: ForeignCategory, data: Mapping[str, Any]) -> list[Problem]:
    """Items of another category filled in: the art. 30-45 table records only the person's own category."""
    return [
        _problem(
            field,
            f"{category.label}には{name}を記載しません",
            f"{name}を削除するか、区分を確認してください",
            "not_for_category",
        )
        for field, name in ITEM_NAMES.items()
        if field not in category.items and not _blank(data.get(field))
    ]


def _badly_formed_items(data: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for field, is_valid in _FORMAT_CHECKS.items():
        value = data.get(field)
        if not _blank(value) and not (isinstance(value, str) and is_valid(value)):
            reason = (
                f"「{value}」は{ITEM_NAMES[field]}の形式（英大文字2桁・数字8桁・英大文字2桁）ではありません"
            )
            problems.append(_problem(field, reason, "AB12345678CDのように半角で入力してください", "format"))
    expiry = data.get("stay_expiry_date")
    if isinstance(expiry, str) and expiry.strip():
        try:
            parse_calendar_date(expiry)
        except DateInputError as error:
            problems.append(error.to_problem("stay_expiry_date", ITEM_NAMES["stay_expiry_date"]))
    elif not _blank(expiry) and not isinstance(expiry, dt.date):
        problems.append(
            _problem("stay_expiry_date", "日付ではありません", "年月日を入力してください", "date_invalid")
        )
    return problems
