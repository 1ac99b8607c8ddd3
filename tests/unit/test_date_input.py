"""Entered dates: strict calendar dates, the flexible forms of j80, eras (j280) and display (j90)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from handlers.rules.date_input import (
    DateInputError,
    FlexDate,
    parse_calendar_date,
    parse_flexible_date,
    stored_flex_date,
)
from handlers.rules.dates import format_resident_date, format_seireki, format_wareki, format_wareki_month
from handlers.rules.eras import eras

D = dt.date


@pytest.mark.req("j80", "j280")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-04-01", D(2020, 4, 1)),
        ("2020/4/1", D(2020, 4, 1)),
        ("2020.4.1", D(2020, 4, 1)),
        ("20200401", D(2020, 4, 1)),
        ("2020年4月1日", D(2020, 4, 1)),
        ("２０２０年４月１日", D(2020, 4, 1)),
        ("２０２０／０４／０１", D(2020, 4, 1)),
        (" 2020-04-01 ", D(2020, 4, 1)),
        ("令和2年4月1日", D(2020, 4, 1)),
        ("令和２年４月１日", D(2020, 4, 1)),
        ("令和 2年4月1日", D(2020, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("R2.4.1", D(2020, 4, 1)),
        ("R02.04.01", D(2020, 4, 1)),
        ("r2.4.1", D(2020, 4, 1)),
        ("R2/4/1", D(2020, 4, 1)),
        ("H31.4.30", D(2019, 4, 30)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("S64.1.7", D(1989, 1, 7)),
        ("大正元年7月30日", D(1912, 7, 30)),
        ("昭和元年12月25日", D(1926, 12, 25)),
        ("明治6年1月1日", D(1873, 1, 1)),
        ("㍻2年2月2日", D(1990, 2, 2)),
        ("H2年2月2日", D(1990, 2, 2)),
        ("2024年2月29日", D(2024, 2, 29)),
    ],
)
def test_calendar_dates_are_read_in_seireki_and_wareki(text: str, expected: dt.date) -> None:
    assert parse_calendar_date(text) == expected


@pytest.mark.req("j80", "j280")
@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("2021-02-29", "暦上存在しない"),
        ("2021年4月31日", "暦上存在しない"),
        ("令和3年2月29日", "暦上存在しない"),
        ("2020-13-01", "月（13）"),
        ("平成31年5月1日", "平成の期間"),
        ("H31.5.1", "平成の期間"),
        ("令和元年4月30日", "令和の期間"),
        ("昭和64年1月8日", "昭和の期間"),
        ("明治45年7月30日", "明治の期間"),  # allowed only in flexible fields
        ("大正15年12月25日", "大正の期間"),
        ("平成0年1月1日", "年（0）"),
        ("2021年2月29日", "暦上存在しない"),
        ("1970年頃", "読み取れません"),
        ("年月日不詳", "読み取れません"),
        ("abc", "読み取れません"),
        ("", "入力されていません"),
        ("X2.4.1", "読み取れません"),
    ],
)
def test_calendar_date_refuses_impossible_days_and_days_outside_their_era(
    text: str, reason_part: str
) -> None:
    with pytest.raises(DateInputError) as raised:
        parse_calendar_date(text)
    assert reason_part in raised.value.reason
    assert raised.value.remedy


@pytest.mark.req("j80", "j1440")
def test_era_mismatch_error_names_the_right_wareki() -> None:
    with pytest.raises(DateInputError) as raised:
        parse_calendar_date("平成31年5月1日")
    assert "令和元年5月1日" in raised.value.remedy
    problem = raised.value.to_problem("birth_date", "生年月日")
    assert (problem.item, problem.code) == ("生年月日", "date_invalid")
    assert problem.reason == raised.value.reason


@pytest.mark.req("j80")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-04-01", FlexDate(D(2020, 4, 1), None, "day")),
        ("令和元年5月1日", FlexDate(D(2019, 5, 1), None, "day")),
        ("年月日不詳", FlexDate(None, "年月日不詳", "unknown")),
        ("年月日 不詳", FlexDate(None, "年月日不詳", "unknown")),
        ("1950年 月日不詳", FlexDate(D(1950, 1, 1), "1950年 月日不詳", "year")),
        ("昭和25年月日不詳", FlexDate(D(1950, 1, 1), "昭和25年月日不詳", "year")),
        ("昭和２５年　月日不詳", FlexDate(D(1950, 1, 1), "昭和25年 月日不詳", "year")),
        ("令和2年10月 日不詳", FlexDate(D(2020, 10, 1), "令和2年10月 日不詳", "month")),
        ("1970年頃", FlexDate(D(1970, 1, 1), "1970年頃", "approximate")),
        ("令和元年頃", FlexDate(D(2019, 5, 1), "令和元年頃", "approximate")),  # clipped to the era
        ("平成31年頃", FlexDate(D(2019, 1, 1), "平成31年頃", "approximate")),
        ("1970年3月頃", FlexDate(D(1970, 3, 1), "1970年3月頃", "approximate")),
        ("令和2年4月1日頃", FlexDate(D(2020, 4, 1), "令和2年4月1日頃", "approximate")),
        ("推定1970年3月1日", FlexDate(D(1970, 3, 1), "推定1970年3月1日", "approximate")),
        ("推定令和2年3月", FlexDate(D(2020, 3, 1), "推定令和2年3月", "approximate")),
        ("1970年春", FlexDate(D(1970, 3, 1), "1970年春", "approximate")),
        ("1970年夏", FlexDate(D(1970, 6, 1), "1970年夏", "approximate")),
        ("1970年秋", FlexDate(D(1970, 9, 1), "1970年秋", "approximate")),
        ("1970年冬", FlexDate(D(1970, 12, 1), "1970年冬", "approximate")),
        ("1970年3月上旬", FlexDate(D(1970, 3, 1), "1970年3月上旬", "approximate")),
        ("令和2年3月中旬頃", FlexDate(D(2020, 3, 11), "令和2年3月中旬頃", "approximate")),
        ("1970年3月下旬", FlexDate(D(1970, 3, 21), "1970年3月下旬", "approximate")),
        ("2021年2月29日", FlexDate(D(2021, 2, 28), "2021年2月29日", "non_calendar")),
        ("２０２１年２月２９日", FlexDate(D(2021, 2, 28), "2021年2月29日", "non_calendar")),
        ("平成3年4月31日", FlexDate(D(1991, 4, 30), "平成3年4月31日", "non_calendar")),
        ("明治45年7月30日", FlexDate(D(1912, 7, 30), "明治45年7月30日", "non_calendar")),
        ("大正15年12月25日", FlexDate(D(1926, 12, 25), "大正15年12月25日", "non_calendar")),
        (
            "1970年3月1日から1970年3月10日頃までの間",
            FlexDate(D(1970, 3, 1), "1970年3月1日から1970年3月10日頃までの間", "approximate"),
        ),
        (
            "令和2年3月1日から3月10日頃までの間",
            FlexDate(D(2020, 3, 1), "令和2年3月1日から3月10日頃までの間", "approximate"),
        ),
        (
            "令和2年3月推定1日から10日までの間",
            FlexDate(D(2020, 3, 1), "令和2年3月推定1日から10日までの間", "approximate"),
        ),
        (
            "令和2年3月1日頃から5日頃までの間",
            FlexDate(D(2020, 3, 1), "令和2年3月1日頃から5日頃までの間", "approximate"),
        ),
    ],
)
def test_flexible_dates_accept_the_standards_unknown_and_non_calendar_forms(
    text: str, expected: FlexDate
) -> None:
    assert parse_flexible_date(text) == expected


@pytest.mark.req("j80")
@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("平成31年5月1日", "平成の期間"),
        ("昭和64年1月8日", "昭和の期間"),
        ("明治45年7月31日", "明治の期間"),
        ("平成32年頃", "平成の期間"),
        ("令和元年4月頃", "令和の期間"),
        ("令和2年13月頃", "月（13）"),
        ("2021年2月32日", "暦上存在しない"),
        ("1970年3月10日から3月1日までの間", "終わりが始まりより前"),
        ("1970年", "読み取れません"),
        ("1970年3月", "読み取れません"),
        ("頃", "読み取れません"),
        ("推定", "読み取れません"),
        ("", "入力されていません"),
    ],
)
def test_flexible_dates_still_refuse_what_the_standard_does_not_list(text: str, reason_part: str) -> None:
    with pytest.raises(DateInputError) as raised:
        parse_flexible_date(text)
    assert reason_part in raised.value.reason


@pytest.fixture
def extra_era(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("JUMIN_EXTRA_ERAS", "新元号/X:2040-01-01")
    eras.cache_clear()
    yield
    monkeypatch.delenv("JUMIN_EXTRA_ERAS")
    eras.cache_clear()


@pytest.mark.req("j280")
@pytest.mark.parametrize(
    ("text", "expected"),
    [("新元号2年3月1日", D(2041, 3, 1)), ("X2.3.1", D(2041, 3, 1)), ("令和21年12月31日", D(2039, 12, 31))],
)
@pytest.mark.usefixtures("extra_era")
def test_a_configured_new_era_is_read(text: str, expected: dt.date) -> None:
    assert parse_calendar_date(text) == expected


@pytest.mark.req("j280")
@pytest.mark.usefixtures("extra_era")
def test_a_configured_new_era_ends_the_previous_one() -> None:
    with pytest.raises(DateInputError, match="令和の期間"):
        parse_calendar_date("令和22年1月1日")
    assert format_wareki(D(2040, 1, 1)) == "新元号元年1月1日"


@pytest.mark.req("j280")
def test_without_configuration_reiwa_continues() -> None:
    assert parse_calendar_date("令和22年1月1日") == D(2040, 1, 1)
    assert format_wareki(D(2040, 1, 1)) == "令和22年1月1日"


@pytest.mark.req("j90")
@pytest.mark.parametrize(
    ("field", "value", "text", "kind", "shown"),
    [
        ("birth_date", D(2020, 4, 1), None, "japanese", "令和2年4月1日"),
        ("became_resident_date", D(2019, 5, 1), None, "japanese", "令和元年5月1日"),
        ("birth_date", D(1989, 1, 7), None, "japanese", "昭和64年1月7日"),
        ("birth_date", D(2020, 4, 1), None, "foreign", "2020年4月1日"),
        ("birth_date", D(2021, 2, 28), "2021年2月29日", "foreign", "2021年2月29日"),
        ("stay_expiry_date", D(2027, 3, 31), None, "foreign", "2027年3月31日"),
        ("birth_date", D(1912, 7, 30), "明治45年7月30日", "japanese", "明治45年7月30日"),
        ("birth_date", None, "年月日不詳", "japanese", "年月日不詳"),
        ("birth_date", None, None, "foreign", ""),
    ],
)
def test_dates_show_in_wareki_but_a_foreign_residents_birth_and_stay_expiry_in_seireki(
    field: str, value: dt.date | None, text: str | None, kind: str, shown: str
) -> None:
    assert format_resident_date(field, value, text, kind) == shown


@pytest.mark.req("j90")
@pytest.mark.parametrize(
    "field",
    ["became_resident_date", "address_set_date", "foreign_resident_date", "notified_date", "change_date",
     "processed_date", "removal_date", "move_out_planned_date", "nhi_acquired_date"],
)  # fmt: skip
def test_no_other_date_of_a_foreign_resident_is_shown_in_seireki(field: str) -> None:
    """実装しない機能: 生年月日・在留期間の満了の日 以外の年月日を西暦で表示（併記を含む）すること."""
    assert format_resident_date(field, D(2020, 4, 1), None, "foreign") == "令和2年4月1日"


@pytest.mark.req("j90")
def test_a_date_for_an_unknown_resident_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="resident_kind"):
        format_resident_date("birth_date", D(2020, 4, 1), None, "alien")


@pytest.mark.req("j80", "j90")
@pytest.mark.parametrize(
    "value", [D(1868, 10, 23), D(1912, 7, 29), D(1926, 12, 24), D(1989, 1, 8), D(2019, 4, 30)]
)
def test_a_formatted_date_reads_back_to_itself(value: dt.date) -> None:
    assert parse_calendar_date(format_wareki(value)) == value
    assert parse_calendar_date(format_seireki(value)) == value


@pytest.mark.req("j80")
@pytest.mark.parametrize(
    ("value", "text", "expected"),
    [
        (D(2020, 4, 1), None, FlexDate(D(2020, 4, 1), None, "day")),
        (None, None, FlexDate(None, None, "unknown")),
        (None, "年月日不詳", FlexDate(None, "年月日不詳", "unknown")),
        (D(1970, 1, 1), "1970年頃", FlexDate(D(1970, 1, 1), "1970年頃", "approximate")),
        (D(1950, 1, 1), "昭和25年 月日不詳", FlexDate(D(1950, 1, 1), "昭和25年 月日不詳", "year")),
        (D(2021, 2, 28), "2021年2月29日", FlexDate(D(2021, 2, 28), "2021年2月29日", "non_calendar")),
        (
            D(1960, 6, 1),
            "昭和35年ごろ",
            FlexDate(D(1960, 6, 1), "昭和35年ごろ", "approximate"),
        ),  # unreadable wording kept
    ],
)
def test_a_stored_flexible_date_is_rebuilt_with_its_precision(
    value: dt.date | None, text: str | None, expected: FlexDate
) -> None:
    assert stored_flex_date(value, text) == expected


@pytest.mark.req("j90")
@pytest.mark.parametrize(
    ("year", "month", "shown"),
    [(2025, 12, "令和7年12月"), (2019, 5, "令和元年5月"), (2019, 4, "平成31年4月"), (1989, 1, "昭和64年1月")],
)
def test_a_month_is_shown_in_wareki(year: int, month: int, shown: str) -> None:
    assert format_wareki_month(year, month) == shown
