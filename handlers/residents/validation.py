"""Checking one person's items before anything is written (j60, j80, j110, j130, j180, j1440).

Every problem is collected (never only the first) as a ``Problem`` with the item's Japanese name, the reason
and the remedy.  The caller raises ``ValidationError`` when the list is not empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from handlers.errors import Problem
from handlers.residents.items import HOUSEHOLD_ITEMS, RESIDENT_ITEM_BY_FIELD, RESIDENT_ITEMS
from handlers.residents.parsing import parse_items
from handlers.rules.check_digit import (
    my_number_valid,
    postal_code_normalize,
    resident_code_valid,
)
from handlers.rules.digits import ascii_digits, ascii_hyphens
from handlers.rules.foreign import foreign_category_problems
from handlers.rules.kana import is_katakana_name, to_katakana
from handlers.rules.relationship import normalize_relationship, relationship_problem

RESIDENT_KINDS = {"japanese": "日本人住民", "foreign": "外国人住民"}
HONSEKI_PLACEHOLDERS = ("なし", "不明")  # j120
KANA_FIELDS = ("family_name_kana", "given_name_kana", "former_surname_kana", "alias_kana")
POSTAL_FIELDS = (
    "previous_postal_code",
    "destination_planned_postal_code",
    "destination_confirmed_postal_code",
)
SEX_WORDS = {"1": "1", "2": "2", "男": "1", "女": "2"}


@dataclass(frozen=True)
class ResidentInput:
    """One person's parsed items: column name → value, ready to set on a ``Resident``."""

    kind: str
    values: dict[str, Any]


@dataclass(frozen=True)
class HouseholdInput:
    values: dict[str, Any]


def problem(field: str, reason: str, remedy: str, code: str, item: str | None = None) -> Problem:
    label = item or RESIDENT_ITEM_BY_FIELD[field].label
    return Problem(field=field, item=label, reason=reason, remedy=remedy, code=code)


def _required(field: str, remedy: str | None = None) -> Problem:
    label = RESIDENT_ITEM_BY_FIELD[field].label
    return problem(field, "入力されていません", remedy or f"{label}を入力してください", "required")


def _mandatory_problems(kind: str, values: Mapping[str, Any], removed: bool) -> list[Problem]:
    """The items that may not be blank (j60); 住所 is checked on the household."""
    found: list[Problem] = []

    def blank(field: str) -> bool:
        return values.get(field) is None and values.get(f"{field}_text") is None

    if blank("birth_date"):
        found.append(_required("birth_date", "生年月日を入力してください（不詳の場合は「年月日不詳」など）"))
    if blank("became_resident_date"):
        found.append(_required("became_resident_date"))
    if not removed and blank("resident_code"):
        found.append(_required("resident_code", "住民票コードを入力してください（除票の場合を除き必須です）"))
    if blank("sex"):
        found.append(_required("sex", "性別を選択してください"))
    if all(blank(f) for f in ("family_name", "given_name", "name_alphabet")):
        found.append(
            problem("family_name", "入力されていません", "氏名を入力してください", "required", item="氏名")
        )
    if kind == "japanese":
        if blank("honseki"):
            found.append(
                _required(
                    "honseki", "本籍を入力してください（本籍がない場合は「なし」、分からない場合は「不明」）"
                )
            )
        elif values["honseki"] not in HONSEKI_PLACEHOLDERS and blank("hittosha"):
            found.append(_required("hittosha", "戸籍の筆頭者の氏名を入力してください"))
    if kind == "foreign" and blank("foreign_resident_date"):
        found.append(_required("foreign_resident_date"))
    return found


def _digits_only(text: str) -> str:
    return ascii_hyphens(ascii_digits(text)).replace("-", "").replace(" ", "").replace("\u3000", "")


def _check_number(
    values: dict[str, Any], field: str, length: int, valid: Callable[[str], bool], where: str
) -> list[Problem]:
    raw = values.get(field)
    if raw is None:
        return []
    number = _digits_only(raw)
    values[field] = number
    label = RESIDENT_ITEM_BY_FIELD[field].label
    remedy = f"{where}で{length}桁を確認して入力してください"
    if not (number.isascii() and number.isdigit() and len(number) == length):
        return [problem(field, f"{length}桁の数字ではありません", remedy, "format", item=label)]
    if not valid(number):
        return [problem(field, "検査用数字が一致しません", remedy, "check_digit", item=label)]
    return []


def _normalize_card(values: dict[str, Any], field: str) -> None:
    """Card numbers are kept upper-case half-width; their format is checked with the foreign category."""
    if values.get(field) is not None:
        values[field] = ascii_digits(values[field]).upper().replace(" ", "").replace("\u3000", "")


def _identifier_problems(values: dict[str, Any]) -> list[Problem]:
    _normalize_card(values, "residence_card_number")
    _normalize_card(values, "special_permanent_certificate_number")
    return [
        *_check_number(values, "my_number", 12, my_number_valid, "個人番号カード等"),
        *_check_number(values, "resident_code", 11, resident_code_valid, "住民票コード通知票等"),
    ]


def _kana_problems(values: dict[str, Any]) -> list[Problem]:
    """フリガナ is kept in katakana (j180): hiragana and half-width input are converted first."""
    found = []
    for field in KANA_FIELDS:
        if values.get(field) is None:
            continue
        values[field] = to_katakana(values[field])
        if not is_katakana_name(values[field]):
            label = RESIDENT_ITEM_BY_FIELD[field].label
            found.append(
                problem(
                    field,
                    "カタカナ以外の文字が含まれています",
                    f"{label}はカタカナで入力してください",
                    "not_katakana",
                )
            )
    return found


def _code_problems(values: dict[str, Any]) -> list[Problem]:
    found = []
    sex = values.get("sex")
    if sex is not None:
        if sex in SEX_WORDS:
            values["sex"] = SEX_WORDS[sex]
        else:
            found.append(
                problem(
                    "sex", "「1（男）」または「2（女）」ではありません", "性別を選択してください", "format"
                )
            )
    relation = values.get("relation_to_head") or ""
    relation_problem = relationship_problem(relation, "relation_to_head")
    if relation_problem is not None:
        found.append(relation_problem)
    else:
        values["relation_to_head"] = normalize_relationship(relation)
    for field in POSTAL_FIELDS:
        found.extend(check_postal(values, field, RESIDENT_ITEM_BY_FIELD[field].label))
    return found


def check_postal(values: dict[str, Any], field: str, label: str) -> list[Problem]:
    if values.get(field) is None:
        return []
    normalized = postal_code_normalize(values[field])
    if normalized is None:
        reason = "7桁の郵便番号ではありません"
        return [
            problem(field, reason, f"{label}を「123-4567」のように入力してください", "format", item=label)
        ]
    values[field] = normalized
    return []


def blocking(problems: list[Problem]) -> list[Problem]:
    """Only errors refuse the input; alerts (空欄でよいかの確認) are for the screen to show, not to block."""
    return [p for p in problems if p.level == "error"]


def validate_resident_input(
    data: Mapping[str, Any], *, kind: str, removed: bool = False
) -> tuple[ResidentInput, list[Problem]]:
    """Parse and check one person's items; returns the parsed values and every problem found."""
    problems: list[Problem] = []
    if kind not in RESIDENT_KINDS:
        reason = f"「{kind}」は住民種別として登録できません"
        problems.append(
            problem(
                "resident_kind",
                reason,
                "日本人住民か外国人住民かを選択してください",
                "format",
                item="住民種別",
            )
        )
    values = parse_items(RESIDENT_ITEMS, data, problems)
    problems.extend(_mandatory_problems(kind, values, removed))
    problems.extend(_identifier_problems(values))
    problems.extend(_kana_problems(values))
    problems.extend(_code_problems(values))
    if kind == "foreign":
        problems.extend(foreign_category_problems(values, removed=removed))
    return ResidentInput(kind=kind, values=values), blocking(problems)


def validate_household_input(data: Mapping[str, Any]) -> tuple[HouseholdInput, list[Problem]]:
    """The household's address items: 住所 may not be blank (j60); 郵便番号 is normalised."""
    problems: list[Problem] = []
    values = parse_items(HOUSEHOLD_ITEMS, data, problems)
    if values.get("address") is None:
        problems.append(
            problem("address", "入力されていません", "住所を入力してください", "required", item="住所")
        )
    problems.extend(check_postal(values, "postal_code", "郵便番号"))
    code = values.get("address_code")
    if code is not None and not (code.isascii() and code.isdigit() and len(code) == 11):
        remedy = "住所コードは11桁の数字で入力してください"
        problems.append(
            problem("address_code", "11桁の数字ではありません", remedy, "format", item="住所コード")
        )
    return HouseholdInput(values=values), problems
