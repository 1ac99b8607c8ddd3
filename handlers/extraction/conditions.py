"""The condition model of the generic extraction (EUC, j1360): typed conditions (field, operator, value) in
AND/OR groups, plus "changed in a period" over the history, read from JSON and checked with Japanese
problems.  Compiling to SQL is ``handlers.extraction.source``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.errors import Problem, ValidationError
from handlers.statistics.report import CHANGE_CATEGORIES, CHANGE_LABELS


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # the 中間標準レイアウト item name (Japanese)
    type: str  # text / code / date / bool / int
    snapshot_key: str  # key in the history snapshot / archive record


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("atena_number", "宛名番号", "text", "atena_number"),
        Field("household_number", "世帯番号", "text", "household_number"),
        Field("family_name", "氏", "text", "family_name"),
        Field("given_name", "名", "text", "given_name"),
        Field("family_name_kana", "氏フリガナ", "text", "family_name_kana"),
        Field("given_name_kana", "名フリガナ", "text", "given_name_kana"),
        Field("name_alphabet", "氏名（アルファベット）", "text", "name_alphabet"),
        Field("sex", "性別", "code", "sex"),
        Field("birth_date", "生年月日", "date", "birth_date"),
        Field("age", "年齢", "int", "birth_date"),
        Field("relation_to_head", "続柄", "text", "relation_to_head"),
        Field("resident_kind", "住民種別", "code", "resident_kind"),
        Field("status", "住民状態", "code", "status"),
        Field("address", "住所", "text", "household_address"),
        Field("address_katagaki", "方書", "text", "household_address_katagaki"),
        Field("postal_code", "郵便番号", "text", "household_postal_code"),
        Field("ward_code", "行政区コード", "code", "household_ward_code"),
        Field("became_resident_date", "住民となった年月日", "date", "became_resident_date"),
        Field("nationality", "国籍・地域", "text", "nationality"),
        Field("foreign_category", "法第30条の45に規定する区分", "code", "foreign_category"),
        Field("residence_status", "在留資格", "text", "residence_status"),
        Field("stay_expiry_date", "在留期間の満了の日", "date", "stay_expiry_date"),
        Field("nhi", "国民健康保険の資格", "bool", "nhi"),
        Field("late_elderly", "後期高齢者医療の資格", "bool", "late_elderly"),
        Field("long_term_care", "介護保険の資格", "bool", "long_term_care"),
        Field("national_pension", "国民年金の資格", "bool", "national_pension"),
        Field("electoral_registered", "選挙人名簿登録", "bool", "electoral_registered"),
        Field("card_status", "個人番号カードの交付状況", "code", "card_status"),
        Field("removal_reason", "消除事由", "code", "removal_reason"),
        Field("removal_date", "消除日", "date", "removal_date"),
    )
}

OPERATORS: dict[str, str] = {
    "eq": "等しい (=)",
    "ne": "等しくない (!=)",
    "lt": "より小さい (<)",
    "le": "以下 (<=)",
    "gt": "より大きい (>)",
    "ge": "以上 (>=)",
    "between": "範囲 (以上・以下)",
    "in": "いずれか",
    "prefix": "で始まる",
    "contains": "を含む",
    "is_null": "空欄",
    "not_null": "空欄でない",
}
OPERATORS_BY_TYPE = {
    "text": ("eq", "ne", "lt", "le", "gt", "ge", "in", "prefix", "contains", "is_null", "not_null"),
    "code": ("eq", "ne", "in", "is_null", "not_null"),
    "date": ("eq", "ne", "lt", "le", "gt", "ge", "between", "is_null", "not_null"),
    "int": ("eq", "ne", "lt", "le", "gt", "ge", "between"),
    "bool": ("eq", "ne"),
}


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None  # typed: str / date / int / bool, a tuple for between and in


@dataclass(frozen=True)
class ChangedIn:
    """The person has a change of ``category`` (転入, 転出 …) whose 異動日 is in [start, end]."""

    category: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Group:
    mode: str  # and / or
    items: tuple[Condition | ChangedIn | Group, ...]


Node = Condition | ChangedIn | Group


def _problem(path: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(path, "抽出条件", reason, remedy, code)


def _scalar(field: Field, raw: Any, path: str) -> Any:
    try:
        if field.type == "date":
            return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        if field.type == "int":
            return int(raw)
        if field.type == "bool":
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "はい")
    except (TypeError, ValueError):
        kind = "日付（YYYY-MM-DD）" if field.type == "date" else "数値"
        raise ValidationError(
            [
                _problem(
                    path,
                    f"{field.label}の値「{raw}」が{kind}ではありません",
                    f"{kind}で入力してください",
                    "type",
                )
            ]
        ) from None
    text = str(raw).strip()
    if not text:
        raise ValidationError(
            [_problem(path, f"{field.label}の値が空です", "値を入力してください", "required")]
        )
    return text


def _condition(raw: Mapping[str, Any], path: str) -> Condition:
    field = FIELDS.get(str(raw.get("field")))
    if field is None:
        raise ValidationError(
            [_problem(path, f"項目「{raw.get('field')}」はありません", "項目を選んでください", "field")]
        )
    op = str(raw.get("op"))
    if op not in OPERATORS_BY_TYPE[field.type]:
        reason = f"{field.label}に演算子「{op}」は使えません"
        raise ValidationError([_problem(path, reason, "一覧から演算子を選んでください", "operator")])
    value = raw.get("value")
    if op in ("is_null", "not_null"):
        return Condition(field.name, op)
    if op in ("between", "in"):
        values = value if isinstance(value, list | tuple) else str(value or "").split(",")
        if op == "between" and len(values) != 2:
            raise ValidationError(
                [_problem(path, "範囲の指定は2つの値です", "下限と上限を入力してください", "between")]
            )
        return Condition(field.name, op, tuple(_scalar(field, v, path) for v in values))
    return Condition(field.name, op, _scalar(field, value, path))


def _changed(raw: Mapping[str, Any], path: str) -> ChangedIn:
    category = str(raw.get("category"))
    if category not in CHANGE_CATEGORIES:
        choices = "・".join(CHANGE_LABELS.values())
        raise ValidationError(
            [
                _problem(
                    path, f"異動区分「{category}」はありません", f"{choices}から選んでください", "category"
                )
            ]
        )
    date = FIELDS["birth_date"]
    start, end = _scalar(date, raw.get("start"), path), _scalar(date, raw.get("end"), path)
    if start > end:
        raise ValidationError(
            [_problem(path, "期間の開始が終了より後です", "期間を確認してください", "period")]
        )
    return ChangedIn(category, start, end)


def parse_conditions(raw: Any, path: str = "conditions") -> Node:
    """The typed tree of ``{"all": [...]}``, ``{"any": [...]}``, ``{"field", "op", "value"}`` and
    ``{"changed": {"category", "start", "end"}}``; ValidationError naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise ValidationError(
            [_problem(path, "条件の形式が正しくありません", "条件を指定し直してください", "shape")]
        )
    for key, mode in (("all", "and"), ("any", "or")):
        if key in raw:
            items = raw[key] or []
            return Group(mode, tuple(parse_conditions(item, f"{path}.{i}") for i, item in enumerate(items)))
    if "changed" in raw:
        return _changed(raw["changed"], path)
    return _condition(raw, path)


def describe(node: Node) -> Any:
    """The tree as JSON again (for the job row and the access log); never holds a 個人番号."""
    if isinstance(node, Group):
        return {"all" if node.mode == "and" else "any": [describe(i) for i in node.items]}
    if isinstance(node, ChangedIn):
        return {
            "changed": {
                "category": node.category,
                "start": node.start.isoformat(),
                "end": node.end.isoformat(),
            }
        }
    value = node.value
    if isinstance(value, tuple):
        value = [v.isoformat() if isinstance(v, dt.date) else v for v in value]
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return {"field": node.field, "op": node.op, "value": value}
