"""Reading entered values item by item, by the item's kind (text, strict date, flexible date, yes/no, year-month).

Values may arrive as form/JSON strings or, when a stored record is merged with changes, already typed
(``date``, ``bool``).  Every refusal is a Japanese ``Problem`` naming the item; nothing stops at the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from handlers.errors import Problem
from handlers.residents.items import ItemSpec
from handlers.rules.date_input import (
    DateInputError,
    FlexDate,
    parse_calendar_date,
    parse_flexible_date,
    stored_flex_date,
)
from handlers.rules.digits import ascii_digits

_TRUE = {"1", "true", "on", "yes", "y", "有", "あり", "はい"}
_FALSE = {"0", "false", "off", "no", "n", "無", "なし", "いいえ"}
_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})月?")


def clean_text(value: Any) -> str | None:
    """Strip surrounding spaces (ASCII and full-width); blank → None."""
    if value is None:
        return None
    text = str(value).strip().strip("\u3000").strip()
    return text or None


def _problem(spec: ItemSpec, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field=spec.field, item=spec.label, reason=reason, remedy=remedy, code=code)


def _parse_text(spec: ItemSpec, raw: Any, problems: list[Problem]) -> str | None:
    text = clean_text(raw)
    if text is not None and spec.max_length is not None and len(text) > spec.max_length:
        problems.append(
            _problem(
                spec,
                f"{spec.max_length}文字を超えています（{len(text)}文字）",
                f"{spec.label}を{spec.max_length}文字以内で入力してください",
                "too_long",
            )
        )
    return text


def _parse_date(spec: ItemSpec, raw: Any, problems: list[Problem]) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    text = clean_text(raw)
    if text is None:
        return None
    try:
        return parse_calendar_date(text)
    except DateInputError as err:
        problems.append(err.to_problem(spec.field, spec.label))
        return None


def parse_flex(spec: ItemSpec, data: Mapping[str, Any], problems: list[Problem]) -> FlexDate | None:
    """A flexible date (j80) from ``data[field]`` (text or date) and, for a stored one, ``data[field_text]``."""
    raw = data.get(spec.field)
    stored_text = clean_text(data.get(f"{spec.field}_text"))
    if isinstance(raw, dt.date):
        return stored_flex_date(raw, stored_text)
    text = clean_text(raw)
    if text is None:
        return stored_flex_date(None, stored_text) if stored_text else None
    try:
        return parse_flexible_date(text)
    except DateInputError as err:
        problems.append(err.to_problem(spec.field, spec.label))
        return None


def _parse_bool(spec: ItemSpec, raw: Any, problems: list[Problem]) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    text = (clean_text(raw) or "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == "":
        return False
    problems.append(
        _problem(
            spec, f"「{raw}」は有無として読み取れません", f"{spec.label}は有か無を選択してください", "format"
        )
    )
    return None


def _parse_year_month(spec: ItemSpec, raw: Any, problems: list[Problem]) -> str | None:
    text = clean_text(raw)
    if text is None:
        return None
    match = _YEAR_MONTH.fullmatch(ascii_digits(text))
    if match is None or not 1 <= int(match.group(2)) <= 12:
        problems.append(
            _problem(
                spec,
                f"「{text}」は年月として読み取れません",
                f"{spec.label}は「2026-04」のように西暦の年月で入力してください",
                "format",
            )
        )
        return None
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def _not_a_value(spec: ItemSpec, data: Mapping[str, Any], problems: list[Problem]) -> bool:
    """An item sent as a JSON array or object (or true/false for a text or a date) is refused, not stored as
    the text of its Python form."""
    allowed: tuple[type, ...] = (str, int, bool) if spec.kind == "bool" else (str, int, dt.date)
    for key in (spec.field, f"{spec.field}_text"):
        raw = data.get(key)
        if raw is not None and (
            not isinstance(raw, allowed) or (isinstance(raw, bool) and spec.kind != "bool")
        ):
            reason = "有無ではありません" if spec.kind == "bool" else "文字列ではありません"
            problems.append(_problem(spec, reason, f"{spec.label}を正しい形式で入力してください", "format"))
            return True
    return False


def parse_items(
    specs: tuple[ItemSpec, ...], data: Mapping[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    """Column values for every item of ``specs`` present in ``data`` (flexible dates give two columns)."""
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.field not in data and f"{spec.field}_text" not in data:
            continue
        if _not_a_value(spec, data, problems):
            continue
        raw = data.get(spec.field)
        if spec.kind == "flex_date":
            flex = parse_flex(spec, data, problems)
            values[spec.field] = flex.value if flex else None
            values[f"{spec.field}_text"] = flex.text if flex else None
        elif spec.kind == "date":
            values[spec.field] = _parse_date(spec, raw, problems)
        elif spec.kind == "bool":
            values[spec.field] = _parse_bool(spec, raw, problems)
        elif spec.kind == "year_month":
            values[spec.field] = _parse_year_month(spec, raw, problems)
        else:
            values[spec.field] = _parse_text(spec, raw, problems)
    return values
