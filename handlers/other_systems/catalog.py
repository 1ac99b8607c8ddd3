"""The other systems 他業務照会 asks (j1180) and the items each answers, with one adapter per system that checks
an answer's items against that system's list.

Only the items the standard lists under 実装すべき機能 are kept: an answer's other items (投票区, 被保険者証の
記号・番号, 米穀の配給 …, listed under 実装しない機能) are dropped, never stored or shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.rules.dates import format_resident_date

INQUIRY_PREFIX = "inquiry:"  # the outbox destination of a system: inquiry:<system>
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PENSION_NUMBER = re.compile(r"^\d{10}$")
CARD_KINDS = {"juki_card": "住民基本台帳カード", "my_number_card": "個人番号カード"}
PENSION_KINDS = {"1": "第1号被保険者", "3": "第3号被保険者", "voluntary": "任意加入被保険者"}


@dataclass(frozen=True)
class Item:
    field: str
    label: str
    kind: str  # date (YYYY-MM-DD), month (YYYY-MM), choice, digits10


@dataclass(frozen=True)
class SystemAdapter:
    """One other system: its name, what its 有無 means and the items it answers."""

    code: str
    label: str
    registered_label: str
    items: tuple[Item, ...] = ()

    def parse_items(self, raw: Mapping[str, Any]) -> tuple[dict[str, str | None], list[str]]:
        """The known items of an answer, checked (ISO dates, months, codes); and the reasons of the bad ones.
        Unknown items are dropped."""
        values: dict[str, str | None] = {}
        errors: list[str] = []
        for item in self.items:
            value = raw.get(item.field)
            if value is None or value == "":
                values[item.field] = None
            elif isinstance(value, str) and _valid(item, value):
                values[item.field] = value
            else:
                errors.append(f"{self.label}の「{item.label}」の値（{str(value)[:40]}）が正しくありません")
        return values, errors


def _valid(item: Item, value: str) -> bool:
    if item.kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return len(value) == 10
    if item.kind == "month":
        return bool(MONTH.match(value))
    if item.kind == "digits10":
        return bool(PENSION_NUMBER.match(value))
    if item.kind == "choice":
        return value in CHOICES[item.field]
    return False


CHOICES: dict[str, dict[str, str]] = {"card_kind": CARD_KINDS, "pension_kind": PENSION_KINDS}


def _qualification(code: str, label: str) -> SystemAdapter:
    return SystemAdapter(
        code,
        label,
        "被保険者該当",
        (Item("acquired_date", "資格取得年月日", "date"), Item("lost_date", "資格喪失年月日", "date")),
    )


SYSTEMS: dict[str, SystemAdapter] = {
    adapter.code: adapter
    for adapter in (
        SystemAdapter("election", "選挙人名簿", "選挙人名簿への登録"),
        _qualification("nhi", "国民健康保険"),
        _qualification("late_elderly", "後期高齢者医療"),
        _qualification("long_term_care", "介護保険"),
        SystemAdapter(
            "national_pension",
            "国民年金",
            "被保険者該当",
            (
                Item("basic_pension_number", "基礎年金番号", "digits10"),
                Item("pension_kind", "種別", "choice"),
                Item("kind_changed_date", "種別の変更があった年月日", "date"),
                Item("acquired_date", "資格取得年月日", "date"),
                Item("lost_date", "資格喪失年月日", "date"),
            ),
        ),
        SystemAdapter(
            "child_allowance",
            "児童手当",
            "受給者としての登録",
            (Item("start_month", "受給開始年月", "month"), Item("end_month", "受給終了年月", "month")),
        ),
        SystemAdapter(
            "card",
            "住基カード・個人番号カード",
            "カードの保有",
            (Item("card_kind", "保有するカード", "choice"),),
        ),
    )
}


def display(item: Item, value: str | None, resident_kind: str = "japanese") -> str:
    """An item's value for the screen: dates in 和暦 (j90: only a foreign resident's 生年月日 and 在留期間の満了の日
    are 西暦, and no other system answers those), months in Japanese, codes by their label."""
    if value is None:
        return ""
    if item.kind == "date":
        return format_resident_date(item.field, dt.date.fromisoformat(value), None, resident_kind)
    if item.kind == "month":
        year, month = value.split("-")
        return f"{int(year)}年{int(month)}月"
    if item.kind == "choice":
        return CHOICES[item.field].get(value, value)
    return value


# The business units of the regional information platform the register exchanges data with (j1170): the
# four whose registrations 他業務照会 also shows, 国民年金, and 戸籍 (whose records are 戸籍の通知).
PF_UNITS = {"nhi": "国民健康保険", "national_pension": "国民年金", "child_allowance": "児童手当",
            "late_elderly": "後期高齢者医療", "long_term_care": "介護保険", "koseki": "戸籍"}  # fmt: skip
