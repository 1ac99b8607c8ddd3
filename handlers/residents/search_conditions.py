"""The conditions of the resident search (j320–j340), in one place: for each condition a query may give, its
clause over the register (values bound at execution), how a typed value becomes the bound values, and — for
氏名・カナ and 住所 — its match on the keys of former names and addresses (``resident_search_key``); the items
that may be searched for as left blank (データ未入力); the 消除事由 a search may ask for.

Names and kana are folded as the stored keys are (``search_keys``: variants, kana, width); stored data is
never normalised at search time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, not_, or_, select

from handlers.errors import Problem, ValidationError
from handlers.residents.search_keys import NAME_CONDITIONS, PAST_KINDS, name_search_key
from handlers.rules.change_reasons import reasons_in
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import ascii_digits, ascii_hyphens
from handlers.rules.kana import fold_kana
from handlers.rules.kanji import fold_address
from models.resident import Household, Resident, ResidentSearchKey

Clause = Callable[[], ColumnElement[bool]]

# 消除事由 (j340): the removal reasons of the change-reason table, code → the standard's wording
REMOVAL_REASONS: dict[str, str] = {r.code: r.label for r in reasons_in("removal")}


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _like_contains(value: str) -> str:
    return "%" + _like_prefix(value)


def _starts_with(column: Any, name: str) -> ColumnElement[bool]:
    """A prefix match the planner can always serve from the btree: a byte range (search keys are COLLATE "C")
    beside the exact LIKE.  Under PostgreSQL row-level security a LIKE alone is not leakproof, so it is never
    used as an index condition and the search would scan the whole register.  Values: ``_prefix_values``."""
    return and_(
        column >= bindparam(f"{name}_from"),
        column < bindparam(f"{name}_to"),
        column.like(bindparam(f"{name}_like"), escape="\\"),
    )


def _prefix_values(name: str, prefix: str) -> dict[str, str]:
    return {f"{name}_from": prefix, f"{name}_to": prefix + "\U0010ffff", f"{name}_like": _like_prefix(prefix)}


def _contains(column: Any, name: str) -> ColumnElement[bool]:
    return column.like(bindparam(name), escape="\\")


def number_text(value: str) -> str:
    return ascii_hyphens(ascii_digits(value)).replace("-", "").replace(" ", "").replace("\u3000", "").upper()


def _birth_date(text: str) -> dt.date:
    try:
        return parse_calendar_date(text)
    except DateInputError as err:
        raise ValidationError([err.to_problem("birth_date", "生年月日")]) from err


def _code_prefix_values(name: str, text: str) -> dict[str, str]:
    """住所コード: a prefix of digits as a range of codes (digit strings of one length sort alike in every
    collation; letters after digits) beside the exact LIKE."""
    prefix = number_text(text)
    if not prefix.isdigit():
        raise ValidationError(
            [
                Problem(
                    name,
                    "住所コード",
                    "数字以外が含まれています",
                    "住所コードは数字で入力してください",
                    "format",
                )
            ]
        )
    following = str(int(prefix) + 1).zfill(len(prefix))
    upper = following if len(following) == len(prefix) else "A"
    return {f"{name}_from": prefix, f"{name}_to": upper, f"{name}_like": _like_prefix(prefix)}


def _in_keys(kind: str, match: Callable[[Any], ColumnElement[bool]]) -> ColumnElement[bool]:
    """The person has a ``resident_search_key`` row of ``kind`` whose key matches."""
    keys = select(ResidentSearchKey.atena_number).where(
        ResidentSearchKey.kind == kind, match(ResidentSearchKey.key)
    )
    return Resident.atena_number.in_(keys)


@dataclass(frozen=True)
class Condition:
    clause: Clause  # on the current register
    values: Callable[[str, str], dict[str, Any]]  # (name, typed text) → bound values
    key_match: Callable[[Any, str], ColumnElement[bool]] | None = None  # on a former key (氏名・カナ・住所)


def _prefix(name: str, text: str) -> dict[str, Any]:
    return _prefix_values(name, fold_kana(text))


def _name(name: str, text: str) -> dict[str, Any]:
    return {name: _like_contains(name_search_key(text))}


def _exact(column: Any) -> Condition:
    return Condition(lambda: column == bindparam(column.key), lambda name, text: {name: number_text(text)})


CONDITIONS: dict[str, Condition] = {
    "kana": Condition(lambda: _starts_with(Resident.kana_key, "kana"), _prefix, _starts_with),
    "given_kana": Condition(
        lambda: _starts_with(Resident.given_kana_key, "given_kana"), _prefix, _starts_with
    ),
    "name": Condition(lambda: _contains(Resident.name_key, "name"), _name, _contains),
    "former_surname": Condition(
        lambda: _in_keys("former_surname", lambda key: _contains(key, "former_surname")), _name
    ),
    "former_surname_kana": Condition(
        lambda: _in_keys("former_surname_kana", lambda key: _starts_with(key, "former_surname_kana")), _prefix
    ),
    "alias_kana": Condition(
        lambda: _in_keys("alias_kana", lambda key: _starts_with(key, "alias_kana")), _prefix
    ),
    "address": Condition(
        lambda: _contains(Household.address_key, "address"),
        lambda name, text: {name: _like_contains(fold_address(text))},
        _contains,
    ),
    "address_code": Condition(
        lambda: _starts_with(Household.address_code, "address_code"), _code_prefix_values
    ),
    "relation_to_head": Condition(
        lambda: _contains(Resident.relation_to_head, "relation_to_head"),
        lambda name, text: {name: _like_contains(text.strip())},
    ),
    "atena_number": _exact(Resident.atena_number),
    "household_number": _exact(Household.household_number),
    "my_number": _exact(Resident.my_number),
    "resident_code": _exact(Resident.resident_code),
    "residence_card_number": _exact(Resident.residence_card_number),
    "special_permanent_certificate_number": _exact(Resident.special_permanent_certificate_number),
    "birth_date": Condition(
        lambda: Resident.birth_date == bindparam("birth_date"), lambda name, text: {name: _birth_date(text)}
    ),
    "sex": Condition(lambda: Resident.sex == bindparam("sex"), lambda name, text: {name: text.strip()}),
    "removal_reason": Condition(
        lambda: Resident.removal_reason == bindparam("removal_reason"),
        lambda name, text: {name: text.strip()},
    ),
    "ward_code": Condition(
        lambda: Household.ward_code == bindparam("ward_code"), lambda name, text: {name: text.strip()}
    ),
}
EXACT_CONDITIONS = ("atena_number", "household_number", "my_number", "resident_code", "residence_card_number",
                    "special_permanent_certificate_number")  # fmt: skip
SCOPE_CONDITIONS = ("ward_code",)  # narrows a search, but is no search by itself (the screen's default)


def _blank(column: Any) -> ColumnElement[bool]:
    return or_(column.is_(None), column == "")


# データ未入力 (j340): the items whose being left blank is worth asking for, with their labels
BLANK_ITEMS: dict[str, tuple[str, Clause]] = {
    "kana": ("フリガナ", lambda: Resident.kana_key == ""),
    "former_surname": ("旧氏", lambda: _blank(Resident.former_surname)),
    "alias": ("通称", lambda: _blank(Resident.alias)),
    "address_code": ("住所コード", lambda: _blank(Household.address_code)),
    "address_katagaki": ("方書", lambda: _blank(Household.address_katagaki)),
    "my_number": ("個人番号", lambda: _blank(Resident.my_number)),
    "resident_code": ("住民票コード", lambda: _blank(Resident.resident_code)),
}
# a value and "left blank" asked together for the same item cannot both hold
_BLANK_AND_VALUE = {"kana": "kana", "former_surname": "former_surname", "address_code": "address_code",
                    "my_number": "my_number", "resident_code": "resident_code"}  # fmt: skip


def condition_problems(values: dict[str, str], blank: frozenset[str]) -> list[Problem]:
    """What is wrong with the conditions themselves, before any statement (the one check of every door)."""
    found = []
    for item in sorted(blank - BLANK_ITEMS.keys()):
        found.append(Problem("blank", "未入力の項目", f"「{item}」は未入力で検索できる項目ではありません",
                             "未入力の項目を選び直してください", "invalid"))  # fmt: skip
    for item in sorted(blank & BLANK_ITEMS.keys()):
        condition = _BLANK_AND_VALUE.get(item)
        if condition and values.get(condition):
            label = BLANK_ITEMS[item][0]
            found.append(Problem(condition, label, "値と「未入力」が同時に指定されています",
                                 f"{label}の値を消すか、「未入力」の指定を外してください", "conflict"))  # fmt: skip
    reason = values.get("removal_reason")
    if reason and reason not in REMOVAL_REASONS:
        found.append(Problem("removal_reason", "消除事由", "選択肢にありません", "消除事由を選び直してください", "invalid"))  # fmt: skip
    return found


def bound_values(name: str, text: str) -> dict[str, Any]:
    return CONDITIONS[name].values(name, text)


def clause(name: str) -> ColumnElement[bool]:
    return CONDITIONS[name].clause()


def blank_clause(item: str) -> ColumnElement[bool]:
    return BLANK_ITEMS[item][1]()


def past_keys(name: str) -> Select[Any]:
    """The persons who had a name or address (by ``name``'s kind) matching the condition's bound value."""
    match = CONDITIONS[name].key_match
    assert match is not None, name
    key = ResidentSearchKey.key
    return select(ResidentSearchKey.atena_number).where(
        ResidentSearchKey.kind == PAST_KINDS[name], match(key, name)
    )


def past_match(name: str) -> ColumnElement[bool]:
    return Resident.atena_number.in_(past_keys(name))


def past_conditions(given: tuple[str, ...]) -> tuple[str, ...]:
    """The given conditions a former name or address may answer."""
    return tuple(name for name in given if name in PAST_KINDS)


def past_flags(pastable: tuple[str, ...]) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether a hit of the former names' and addresses' part matched on a former name, on a former address:
    some condition of that kind does not hold on the current register."""
    names = [clause(name) for name in pastable if name in NAME_CONDITIONS]
    addresses = [clause(name) for name in pastable if name not in NAME_CONDITIONS]
    name_flag = not_(and_(*names)) if names else false()
    address_flag = not_(and_(*addresses)) if addresses else false()
    return name_flag.label("past_name"), address_flag.label("past_address")
