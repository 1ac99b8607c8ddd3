"""The CSV layouts (docs/csv-intake.md) and the per-row checks of impossible values.  The full rules of a
住民異動届 are the change type's own ``assess`` (through ``open_case``); these checks only catch what cannot
be a value at all, so the report can name the row and the column."""

from __future__ import annotations

from collections.abc import Callable

from handlers.certificates.catalog import TYPES as CERTIFICATE_TYPES
from handlers.rules.check_digit import my_number_valid
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.disclosure import REQUESTER_KINDS

CHANGE_NOTICE = [
    "申請番号", "異動日", "届出日", "住所", "郵便番号", "方書", "前住所", "前住所市区町村コード", "転出予定日",
    "氏", "名", "氏フリガナ", "名フリガナ", "生年月日", "性別", "続柄", "本籍", "筆頭者", "住民票コード",
]  # fmt: skip
CERTIFICATE_APPLICATION = ["申請番号", "宛名番号", "証明書種別", "通数", "請求者区分", "請求者氏名"]
CARD_FACE = ["氏名", "住所", "生年月日", "性別", "個人番号"]
LAYOUTS: dict[str, list[str]] = {
    "change_notice": CHANGE_NOTICE,
    "certificate_application": CERTIFICATE_APPLICATION,
    "card_face": CARD_FACE,
}
KIND_LABELS = {
    "change_notice": "住民異動届（転入）",
    "certificate_application": "証明書交付申請書",
    "card_face": "個人番号カード券面事項",
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "change_notice": (
        "申請番号",
        "異動日",
        "届出日",
        "住所",
        "前住所",
        "氏",
        "氏フリガナ",
        "生年月日",
        "性別",
        "続柄",
    ),
    "certificate_application": ("申請番号", "宛名番号", "証明書種別", "通数", "請求者区分"),
    "card_face": ("氏名", "住所", "生年月日", "性別", "個人番号"),
}


def _date(value: str) -> str | None:
    try:
        parse_calendar_date(value)
    except DateInputError as err:
        return err.reason
    return None


def _sex(value: str) -> str | None:
    return None if value in ("1", "2") else "性別は 1（男）か 2（女）です"


def _postal(value: str) -> str | None:
    digits = value.replace("-", "")
    return (
        None
        if not value or (digits.isascii() and digits.isdigit() and len(digits) == 7)
        else "郵便番号は7桁の数字です"
    )


def _my_number(value: str) -> str | None:
    return None if my_number_valid(value) else "個人番号の桁数または検査用数字が正しくありません"


def _copies(value: str) -> str | None:
    return (
        None
        if value.isascii() and value.isdigit() and 1 <= int(value) <= 20
        else "通数は1から20までの数字です"
    )


def _certificate(value: str) -> str | None:
    return (
        None if value in CERTIFICATE_TYPES else f"証明書種別は {'・'.join(CERTIFICATE_TYPES)} のいずれかです"
    )


def _requester(value: str) -> str | None:
    return None if value in REQUESTER_KINDS else f"請求者区分は {'・'.join(REQUESTER_KINDS)} のいずれかです"


CHECKS: dict[str, Callable[[str], str | None]] = {
    "異動日": _date, "届出日": _date, "生年月日": _date, "転出予定日": _date, "性別": _sex, "郵便番号": _postal,
    "個人番号": _my_number, "通数": _copies, "証明書種別": _certificate, "請求者区分": _requester,
}  # fmt: skip


def row_problems(kind: str, values: dict[str, str]) -> list[tuple[str, str]]:
    """(column, reason) for each blank required column and each impossible value of one row."""
    found = [(column, "入力されていません") for column in REQUIRED[kind] if not values.get(column)]
    for column, value in values.items():
        check = CHECKS.get(column)
        if value and check is not None and (reason := check(value)):
            found.append((column, reason))
    return found
