"""Parsing of entered dates (j80, j280): 西暦 and 和暦, strict calendar dates and the standard's flexible forms.

* ``parse_calendar_date`` — every ordinary date field: a real calendar date inside its era, or an error.
* ``parse_flexible_date`` — 生年月日, 住民となった年月日, 住所を定めた年月日, 外国人住民となった年月日 and the event
  date of 出生/死亡/失踪 (j80): also non-calendar days (2021年2月29日), the two era-overlap days 明治45年7月30日
  and 大正15年12月25日, and the 不詳日 forms (年月日不詳, 1970年頃, 推定…, 1970年春, 3月上旬, ranges).

The internal ``value`` of a FlexDate (used for sorting, ages and 住基ネット conversion):

* an exact or estimated day → that day; a range → its first day;
* a period (year, month, season, 上旬/中旬/下旬) → its first day, clipped to the era's first day when the era
  began inside the period (令和元年頃 → 2019-05-01);
* a non-calendar day → the last real day of that month (2021年2月29日 → 2021-02-28, 4月31日 → 4月30日);
* 年月日不詳 → None.

Seasons: 春 = March–May, 夏 = June–August, 秋 = September–November, 冬 = December–February (of the next year).
上旬 = days 1–10, 中旬 = 11–20, 下旬 = 21–end.  Dates before 明治6年 (1873) are read as Gregorian.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from handlers.errors import Problem
from handlers.rules.dates import format_seireki, format_wareki
from handlers.rules.eras import Era, era_named, eras

PRECISIONS = ("day", "month", "year", "approximate", "unknown", "non_calendar")
EXAMPLES = "「令和2年4月1日」「R2.4.1」「2020-04-01」「2020年4月1日」"
FLEXIBLE_EXAMPLES = "「1970年頃」「推定昭和45年3月1日」「昭和25年 月日不詳」「年月日不詳」"

# Days on which an emperor died and the new era began, so that both era names designate that day (j80).
ERA_OVERLAP_DAYS = frozenset({("明治", 45, 7, 30), ("大正", 15, 12, 25)})
SEASON_START_MONTH = {"春": 3, "夏": 6, "秋": 9, "冬": 12}
TEN_DAY_START = {"上旬": 1, "中旬": 11, "下旬": 21}


@dataclass(frozen=True)
class FlexDate:
    """A date as the standard allows it in flexible fields (j80).

    ``text`` is None for an ordinary calendar date and otherwise holds the normalised wording (what a certificate
    prints); ``value`` is the internal sortable date described in the module docstring."""

    value: dt.date | None
    text: str | None
    precision: str


class DateInputError(ValueError):
    """An entered date that cannot be accepted; ``reason`` and ``remedy`` are Japanese (j1440)."""

    def __init__(self, reason: str, remedy: str) -> None:
        self.reason = reason
        self.remedy = remedy
        super().__init__(f"{reason}。{remedy}")

    def to_problem(self, field: str, item: str) -> Problem:
        return Problem(field=field, item=item, reason=self.reason, remedy=self.remedy, code="date_invalid")


@dataclass(frozen=True)
class YearSpec:
    era: Era | None  # None for 西暦
    number: int  # the year as written (era year, or the 西暦 year)
    gregorian: int


def normalize_date_text(text: str) -> str:
    """NFKC (safe here: dates hold no names; it also reads ㍻ and ㋿) and one ASCII space per run of spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _unreadable(text: str, flexible: bool) -> DateInputError:
    remedy = f"{EXAMPLES}のように入力してください"
    if flexible:
        remedy += f"（不詳日は{FLEXIBLE_EXAMPLES}など）"
    return DateInputError(f"「{text}」は年月日として読み取れません", remedy)


# --- years and eras ------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _era_tokens(known: tuple[Era, ...]) -> str:
    tokens = {e.name for e in known} | {e.name[0] for e in known} | {e.initial for e in known if e.initial}
    return "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))


def _era_year(token: str, number_text: str) -> YearSpec | None:
    era = era_named(token.upper() if token.isascii() else token)
    if era is None:
        return None
    number = 1 if number_text == "元" else int(number_text)
    return YearSpec(era, number, era.start.year + number - 1)


def _read_year(text: str) -> tuple[YearSpec, str] | None:
    """'令和2年…' / '1970年…' → (year, the rest with leading spaces removed)."""
    match = re.match(rf"(?:({_era_tokens(eras())}) ?(元|\d{{1,2}})|(\d{{4}}))年 ?", text)
    if match is None:
        return None
    if match.group(1):
        year = _era_year(match.group(1), match.group(2))
    else:
        year = YearSpec(None, int(match.group(3)), int(match.group(3)))
    if year is None:
        return None
    if year.number < 1:
        raise DateInputError(
            f"「{text}」の年（{year.number}）は1以上でなければなりません", "年を確認してください"
        )
    return year, text[match.end() :]


def _era_end(era: Era) -> dt.date | None:
    later = [e.start for e in eras() if e.start > era.start]
    return min(later) - dt.timedelta(days=1) if later else None


def _clip_to_era(year: YearSpec, first: dt.date, last: dt.date, text: str) -> dt.date:
    """The first day of [first, last] inside the year's era; an error when the period lies outside the era."""
    if year.era is None:
        return first
    end = _era_end(year.era)
    if last >= year.era.start and (end is None or first <= end):
        return max(first, year.era.start)
    until = f"{format_seireki(end)}まで" if end else ""
    reason = f"「{text}」は{year.era.name}の期間（{format_seireki(year.era.start)}から{until}）の外です"
    remedy = "元号と年を確認してください"
    if first == last:
        remedy = f"「{format_wareki(first)}」のように正しい元号で入力してください"
    raise DateInputError(reason, remedy)


# --- days ----------------------------------------------------------------------------------------------


def _day(year: YearSpec, month: int, day: int, text: str, lenient: bool) -> tuple[dt.date, bool]:
    """(date, is_ordinary).  Non-calendar days and the era-overlap days are accepted only when ``lenient``."""
    if not 1 <= month <= 12:
        raise DateInputError(f"「{text}」の月（{month}）は1から12の範囲にありません", "月を確認してください")
    last = calendar.monthrange(year.gregorian, month)[1]
    if not 1 <= day <= last:
        if not (lenient and 1 <= day <= 31):
            raise DateInputError(f"「{text}」は暦上存在しない日付です", "正しい年月日を入力してください")
        value = dt.date(year.gregorian, month, last)
        _clip_to_era(year, value, value, text)
        return value, False
    value = dt.date(year.gregorian, month, day)
    if lenient and year.era is not None and (year.era.name, year.number, month, day) in ERA_OVERLAP_DAYS:
        return value, False
    _clip_to_era(year, value, value, text)
    return value, True


_SEIREKI_NUMERIC = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")


def _split_day(text: str) -> tuple[YearSpec, int, int] | None:
    """Any complete year-month-day form → (year, month, day); None when the text is not one."""
    match = _SEIREKI_NUMERIC.fullmatch(text)
    if match is not None:
        year, month, day = match.group(1, 3, 4) if match.group(1) else match.group(5, 6, 7)
        return YearSpec(None, int(year), int(year)), int(month), int(day)
    initial = re.fullmatch(
        rf"({_era_tokens(eras())})(元|\d{{1,2}})([-/.])(\d{{1,2}})\3(\d{{1,2}})", text, re.I
    )
    if initial is not None:
        era_year = _era_year(initial.group(1), initial.group(2))
        if era_year is not None and era_year.number < 1:
            raise DateInputError(f"「{text}」の年（0）は1以上でなければなりません", "年を確認してください")
        return None if era_year is None else (era_year, int(initial.group(4)), int(initial.group(5)))
    split = _read_year(text)
    day = _MONTH_DAY.fullmatch(split[1]) if split else None
    if split is None or day is None:
        return None
    return split[0], int(day.group(1)), int(day.group(2))


def parse_calendar_date(text: str) -> dt.date:
    """A real calendar date in 西暦 or 和暦; refuses impossible days and days outside their era."""
    normalized = normalize_date_text(text)
    if not normalized:
        raise DateInputError("年月日が入力されていません", f"{EXAMPLES}のように入力してください")
    parts = _split_day(normalized)
    if parts is None:
        raise _unreadable(normalized, flexible=False)
    return _day(*parts, normalized, lenient=False)[0]


# --- flexible forms ------------------------------------------------------------------------------------


def parse_flexible_date(text: str) -> FlexDate:
    """Everything ``parse_calendar_date`` accepts, plus non-calendar days and the 不詳日 forms of j80."""
    normalized = normalize_date_text(text)
    if not normalized:
        raise DateInputError(
            "年月日が入力されていません", f"{EXAMPLES}、または「年月日不詳」と入力してください"
        )
    if normalized.replace(" ", "") == "年月日不詳":
        return FlexDate(None, "年月日不詳", "unknown")
    parts = _split_day(normalized)
    if parts is not None:
        value, ordinary = _day(*parts, normalized, lenient=True)
        return FlexDate(value, None, "day") if ordinary else FlexDate(value, normalized, "non_calendar")
    estimated = normalized.startswith("推定")
    body = normalized.removeprefix("推定").lstrip()
    split = _read_year(body)
    if split is None:
        raise _unreadable(normalized, flexible=True)
    year, rest = split
    found = _estimated_form(year, rest, normalized) if estimated else _period_form(year, rest, normalized)
    if found is None:
        raise _unreadable(normalized, flexible=True)
    return FlexDate(found[0], normalized, found[1])


def _period(year: YearSpec, first: dt.date, last: dt.date, text: str) -> dt.date:
    return _clip_to_era(year, first, last, text)


def _month_period(year: YearSpec, month: int, text: str) -> dt.date:
    if not 1 <= month <= 12:
        raise DateInputError(f"「{text}」の月（{month}）は1から12の範囲にありません", "月を確認してください")
    last = calendar.monthrange(year.gregorian, month)[1]
    return _period(year, dt.date(year.gregorian, month, 1), dt.date(year.gregorian, month, last), text)


def _year_period(year: YearSpec, text: str) -> dt.date:
    return _period(year, dt.date(year.gregorian, 1, 1), dt.date(year.gregorian, 12, 31), text)


def _estimated_form(year: YearSpec, rest: str, text: str) -> tuple[dt.date, str] | None:
    """推定1970年3月1日 / 推定1970年3月 / 推定1970年."""
    if day := _MONTH_DAY.fullmatch(rest):
        return _day(year, int(day.group(1)), int(day.group(2)), text, lenient=True)[0], "approximate"
    if month := re.fullmatch(r"(\d{1,2})月", rest):
        return _month_period(year, int(month.group(1)), text), "approximate"
    if rest == "":
        return _year_period(year, text), "approximate"
    return None


def _period_form(year: YearSpec, rest: str, text: str) -> tuple[dt.date, str] | None:
    """The forms that follow a year: 月日不詳, 頃, 3月頃, 3月1日頃, 春, 3月上旬(頃), 3月 日不詳, ranges."""
    if rest in ("月日不詳", "月 日不詳"):
        return _year_period(year, text), "year"
    if rest == "頃":
        return _year_period(year, text), "approximate"
    if month := re.fullmatch(r"(\d{1,2})月 ?(日不詳|頃)", rest):
        precision = "month" if month.group(2) == "日不詳" else "approximate"
        return _month_period(year, int(month.group(1)), text), precision
    if day := re.fullmatch(r"(\d{1,2})月(\d{1,2})日頃", rest):
        return _day(year, int(day.group(1)), int(day.group(2)), text, lenient=True)[0], "approximate"
    if season := re.fullmatch(r"([春夏秋冬])頃?", rest):
        start = dt.date(year.gregorian, SEASON_START_MONTH[season.group(1)], 1)
        end = (start + dt.timedelta(days=92)).replace(day=1) - dt.timedelta(days=1)
        return _period(year, start, end, text), "approximate"
    if part := re.fullmatch(r"(\d{1,2})月(上旬|中旬|下旬)頃?", rest):
        return _ten_days(year, int(part.group(1)), part.group(2), text), "approximate"
    if "から" in rest and rest.endswith("までの間"):
        return _range(year, rest, text)
    return None


def _ten_days(year: YearSpec, month: int, part: str, text: str) -> dt.date:
    month_first = _month_period(year, month, text)  # validates the month and the era
    first = dt.date(year.gregorian, month, TEN_DAY_START[part])
    last_of_month = calendar.monthrange(year.gregorian, month)[1]
    last = dt.date(year.gregorian, month, last_of_month if part == "下旬" else TEN_DAY_START[part] + 9)
    return max(month_first, _period(year, first, last, text))


_RANGE_START = re.compile(r"(\d{1,2})月(?:推定)?(\d{1,2})日(?:頃)?")
_RANGE_END = re.compile(r"(?:(\d{1,2})月)?(?:推定)?(\d{1,2})日(?:頃)?")


def _range(year: YearSpec, rest: str, text: str) -> tuple[dt.date, str] | None:
    """3月1日から3月10日頃までの間 / 3月推定1日から10日までの間 / 3月1日頃から1971年1月5日頃までの間."""
    start_text, _, end_text = rest.removesuffix("までの間").partition("から")
    start = _RANGE_START.fullmatch(start_text)
    end_year, end_rest = _read_year(end_text) or (year, end_text)
    end = _RANGE_END.fullmatch(end_rest)
    if start is None or end is None:
        return None
    month = int(start.group(1))
    first = _day(year, month, int(start.group(2)), text, lenient=True)[0]
    last = _day(end_year, int(end.group(1) or month), int(end.group(2)), text, lenient=True)[0]
    if last < first:
        raise DateInputError(
            f"「{text}」は期間の終わりが始まりより前です", "期間の始まりと終わりを確認してください"
        )
    return first, "approximate"


def stored_flex_date(value: dt.date | None, text: str | None) -> FlexDate:
    """Rebuild a FlexDate from its stored columns (``x_date`` and ``x_date_text``).  The stored value wins; the
    precision is read back from the wording.  Wording this version cannot read (e.g. migrated data) is kept
    and reported as "approximate"."""
    if not text:
        return FlexDate(value, None, "day" if value is not None else "unknown")
    try:
        precision = parse_flexible_date(text).precision
    except DateInputError:
        precision = "approximate"
    return FlexDate(value, text, precision)
