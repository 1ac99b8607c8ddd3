"""Values to and from the file formats: CSV text fields and JSON Lines values, one rule per column kind.

Dates are ISO ``YYYY-MM-DD``; timestamps ISO in UTC with microseconds (``2026-01-05T09:30:00.000000+00:00``);
booleans ``true``/``false``; JSON columns compact with sorted keys.  In CSV a null is ``\\N`` and a text that
starts with a backslash is written with one more backslash in front.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import orjson

from handlers.portability.layout import NULL_MARKER
from handlers.rules.instants import as_utc


class BadValueError(ValueError):
    """A field that cannot be read as its column's kind; the message is the Japanese reason."""


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _plain(kind: str, value: Any) -> Any:
    """The JSON Lines value of a database value."""
    if value is None:
        return None
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return as_utc(value).isoformat(timespec="microseconds")
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "bool":
        return bool(value)
    return value


def to_jsonl_value(kind: str, value: Any) -> Any:
    return _plain(kind, value)


def to_csv_field(kind: str, value: Any) -> str:
    plain = _plain(kind, value)
    if plain is None:
        return NULL_MARKER
    if kind == "bool":
        return "true" if plain else "false"
    if kind == "json":
        return canonical_json(plain)
    if kind == "text":
        return "\\" + plain if plain.startswith("\\") else plain
    return str(plain)


def _parse_date(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise BadValueError(f"日付「{text}」は YYYY-MM-DD の形式ではありません") from None
    if len(text) != 10:
        raise BadValueError(f"日付「{text}」は YYYY-MM-DD の形式ではありません")
    return value


def _parse_datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadValueError(f"日時「{text}」は ISO 8601 の形式ではありません") from None
    if value.tzinfo is None:
        raise BadValueError(f"日時「{text}」に時差（+00:00 など）がありません")
    return value.astimezone(dt.UTC)


def _parse_int(value: Any) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and _is_int(value))):
        raise BadValueError(f"「{value}」は整数ではありません")
    return int(value)


def _is_int(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return body.isascii() and body.isdigit()


def from_csv_field(kind: str, text: str) -> Any:
    if text == NULL_MARKER:
        return None
    if kind == "text":
        return text[1:] if text.startswith("\\") else text
    if kind == "bool":
        if text not in ("true", "false"):
            raise BadValueError(f"「{text}」は true / false ではありません")
        return text == "true"
    if kind == "json":
        try:
            return parse_json(text)
        except ValueError:
            raise BadValueError("JSON として読めません") from None
    return from_jsonl_value(kind, text)


def parse_json(text: str) -> Any:
    """``json.loads`` at orjson's speed: orjson first, the json module for what only it accepts (NaN,
    integers beyond 64 bits), so a file is accepted or refused exactly as by ``json.loads``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def from_jsonl_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "int":
        return _parse_int(value)
    if kind == "text":
        if not isinstance(value, str):
            raise BadValueError("文字列ではありません")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise BadValueError(f"「{value}」は true / false ではありません")
        return value
    if kind == "json":
        return value
    if not isinstance(value, str):
        raise BadValueError(f"「{value}」は日付の文字列ではありません")
    return _parse_date(value) if kind == "date" else _parse_datetime(value)
