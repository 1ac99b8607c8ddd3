"""Foreign residents' art. 30-45 categories (j20) and their blank rules (j60)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.rules.foreign import FOREIGN_CATEGORIES, foreign_category_problems

MID_LONG = {
    "foreign_category": "mid_long_term",
    "residence_status": "技術・人文知識・国際業務",
    "period_of_stay": "5年",
    "stay_expiry_date": dt.date(2030, 3, 31),
    "residence_card_number": "AB12345678CD",
}


@pytest.mark.req("j20")
@pytest.mark.parametrize(
    ("code", "label", "items"),
    [
        (
            "mid_long_term",
            "中長期在留者",
            ("residence_status", "period_of_stay", "stay_expiry_date", "residence_card_number"),
        ),
        ("special_permanent", "特別永住者", ("special_permanent_certificate_number",)),
        ("temporary_refuge", "一時庇護許可者", ("landing_period",)),
        ("provisional_stay", "仮滞在許可者", ("provisional_stay_period",)),
        ("transitional_birth", "出生による経過滞在者", ()),
        ("transitional_nationality_loss", "国籍喪失による経過滞在者", ()),
    ],
)
def test_each_category_records_the_items_of_the_art_30_45_table(
    code: str, label: str, items: tuple[str, ...]
) -> None:
    category = FOREIGN_CATEGORIES[code]
    assert (category.label, category.items) == (label, items)


@pytest.mark.req("j20", "j60")
@pytest.mark.parametrize(
    "data",
    [
        MID_LONG,
        {**MID_LONG, "stay_expiry_date": "2030-03-31"},
        {"foreign_category": "special_permanent", "special_permanent_certificate_number": "XY98765432ZZ"},
        {"foreign_category": "temporary_refuge", "landing_period": "2026年6月1日まで"},
        {"foreign_category": "provisional_stay", "provisional_stay_period": "2026年6月1日まで"},
        {"foreign_category": "transitional_birth"},
        {"foreign_category": "transitional_nationality_loss", "residence_card_number": ""},
    ],
)
def test_complete_category_items_raise_no_problem(data: dict[str, Any]) -> None:
    assert foreign_category_problems(data) == []


@pytest.mark.req("j60")
@pytest.mark.parametrize(
    ("data", "removed", "expected"),
    [
        ({}, False, [("foreign_category", "required", "error")]),
        ({"foreign_category": "tourist"}, False, [("foreign_category", "invalid", "error")]),
        (
            {**MID_LONG, "residence_card_number": None},
            False,
            [("residence_card_number", "required", "error")],
        ),
        ({**MID_LONG, "residence_card_number": " "}, False, [("residence_card_number", "required", "error")]),
        ({**MID_LONG, "residence_card_number": None}, True, []),
        ({**MID_LONG, "residence_status": ""}, False, [("residence_status", "blank_item", "alert")]),
        ({**MID_LONG, "stay_expiry_date": None}, True, [("stay_expiry_date", "blank_item", "alert")]),
        (
            {"foreign_category": "special_permanent"},
            True,
            [("special_permanent_certificate_number", "required", "error")],
        ),
        ({"foreign_category": "temporary_refuge"}, False, [("landing_period", "required", "error")]),
        ({"foreign_category": "provisional_stay"}, False, [("provisional_stay_period", "required", "error")]),
        (
            {**MID_LONG, "residence_card_number": "ab12345678cd"},
            False,
            [("residence_card_number", "format", "error")],
        ),
        (
            {"foreign_category": "special_permanent", "special_permanent_certificate_number": "12345678"},
            False,
            [("special_permanent_certificate_number", "format", "error")],
        ),
        (
            {**MID_LONG, "stay_expiry_date": "2030-02-30"},
            False,
            [("stay_expiry_date", "date_invalid", "error")],
        ),
        ({**MID_LONG, "stay_expiry_date": 20300331}, False, [("stay_expiry_date", "date_invalid", "error")]),
        (
            {**MID_LONG, "special_permanent_certificate_number": "XY98765432ZZ"},
            False,
            [("special_permanent_certificate_number", "not_for_category", "error")],
        ),
        (
            {"foreign_category": "transitional_birth", "residence_card_number": "AB12345678CD"},
            False,
            [("residence_card_number", "not_for_category", "error")],
        ),
    ],
)
def test_missing_foreign_or_malformed_items_are_reported(
    data: dict[str, Any], removed: bool, expected: list[tuple[str, str, str]]
) -> None:
    problems = foreign_category_problems(data, removed=removed)
    assert [(p.field, p.code, p.level) for p in problems] == expected
    assert all(p.item and p.reason and p.remedy for p in problems)


@pytest.mark.req("j60", "j1440")
def test_missing_card_number_is_explained_in_japanese() -> None:
    [problem] = foreign_category_problems({**MID_LONG, "residence_card_number": None})
    assert problem.item == "在留カードの番号"
    assert "中長期在留者" in problem.reason
    assert problem.remedy == "在留カードの番号を入力してください"
