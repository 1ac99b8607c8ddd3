"""Dates (j80, j90, j280): 和暦/西暦 display.  Parsing of entered dates lives in ``handlers.rules.date_input``."""

from __future__ import annotations

import datetime as dt

from handlers.clock import to_jst
from handlers.rules.eras import era_of


def format_seireki(value: dt.date | None, text: str | None = None) -> str:
    if text:
        return text
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def format_wareki(value: dt.date | None, text: str | None = None) -> str:
    """'令和8年11月26日'; the first year of an era is written 元年."""
    if text:
        return text
    if value is None:
        return ""
    era = era_of(value)
    if era is None:
        return format_seireki(value)
    year = value.year - era.start.year + 1
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{value.month}月{value.day}日"


# j90: the only dates shown in 西暦 — a foreign resident's 生年月日 and 在留期間の満了の日 (法第30条の45)
SEIREKI_FOREIGN_ITEMS = frozenset({"birth_date", "stay_expiry_date"})


def format_resident_date(field: str, value: dt.date | None, text: str | None, resident_kind: str) -> str:
    """A resident's date for certificates and screens (j90): 和暦, except a foreign resident's 生年月日 and
    在留期間の満了の日, which are 西暦.  Every other date of a foreign resident (住民となった年月日, 異動日, 処理日 …)
    is 和暦 too: showing it in 西暦 is a 実装しない機能.  A non-calendar or unknown date prints its wording."""
    if resident_kind not in ("japanese", "foreign"):
        raise ValueError(f"unknown resident_kind {resident_kind!r} (expected 'japanese' or 'foreign')")
    if resident_kind == "foreign" and field in SEIREKI_FOREIGN_ITEMS:
        return format_seireki(value, text)
    return format_wareki(value, text)


def format_instant(moment: dt.datetime, *, seconds: bool = True) -> str:
    """An instant (stored in UTC, or naive UTC as SQLite returns it) in Japan time, the day in 和暦 (j90):
    '令和8年11月27日 08:30:05'."""
    local = to_jst(moment)
    return f"{format_wareki(local.date())} {local.strftime('%H:%M:%S' if seconds else '%H:%M')}"


def format_wareki_month(year: int, month: int) -> str:
    """A month in 和暦 (j90), '令和7年12月'; the era is that of the month's first day."""
    day = format_wareki(dt.date(year, month, 1))
    return day[: day.index("月") + 1]
