"""The shape of an intake (届出内容), checked before any change type reads it: which items are objects, which are
arrays, and that every other value is a plain value.

The counter's forms always send the shape the change types read; the JSON API and a scenario file may send
anything.  A change type reads ``dict(intake.get("destination") or {})`` or iterates ``intake["members"]``:
handed a text there, or an object where it reads a text, it would fail with a TypeError (a 500) or store the
text of a Python object.  The shape is the same for every change type that reads an item, so it is one table:

- the objects (an address, the 届出人, the corrected items …) and the arrays of objects (the members) hold plain
  values only (text, number, true/false, null), but for the 続柄 of the movers (``relations``, 宛名番号 → 続柄,
  also inside a 転居's ``destination``);
- ``atena_numbers`` and the other lists of numbers or codes are arrays of plain values;
- ``address`` is an object in a 転居 (the new address) and a text in a 世帯変更: either, never an array;
- the dates, numbers, codes, kinds and texts the change types read are plain values.

An item the table does not name is left to the change type that reads it (the 届出人, ``notifier``, is
checked with its own messages by ``handlers.cases.notifier``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.errors import Problem

OBJECT = "object"
OBJECTS = "objects"
VALUES = "values"
OBJECT_OR_VALUE = "object_or_value"
VALUE = "value"

OBJECT_ITEMS = ("household", "former_address", "move_out_certificate", "destination", "member", "changes",
                "household_changes", "relations")  # fmt: skip
VALUE_ITEMS = ("change_date", "notified_date", "kind", "note", "atena_number", "household_number",
               "target_household_number", "new_head", "de_facto_head", "death_kind", "death_cause", "alias_kana",
               "former_surname_kana", "copy_koseki_from", "previous_address_kind", "unnotified_address",
               "confirmed_address", "confirmed_code", "confirmed_postal_code", "confirmed_move_out_date",
               "koseki_date", "koseki_event", "requested_date", "claim_date", "decision_date", "event_date",
               "ex_officio_record", "my_number", "resident_code", "minor_category", "history_no",
               "corrected_history_no", "notice_id", "special_move_out", "on_request", "notify_person", "ex_officio",
               "name_kana_confirmed", "caution", "family_name", "nationality")  # fmt: skip
SHAPES: dict[str, str] = {
    **dict.fromkeys(OBJECT_ITEMS, OBJECT),
    "members": OBJECTS,
    **dict.fromkeys(("atena_numbers", "caution_items", "same_koseki_members"), VALUES),
    "address": OBJECT_OR_VALUE,
    **dict.fromkeys(VALUE_ITEMS, VALUE),
}
SHAPE_NAMES = {OBJECT: "項目名と値の組（オブジェクト）", OBJECTS: "オブジェクトの配列", VALUES: "値の配列",
               OBJECT_OR_VALUE: "オブジェクトまたは値", VALUE: "値（文字列・数値・真偽値）"}  # fmt: skip


def _plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flat(value: object) -> bool:
    return isinstance(value, Mapping) and all(_plain(v) for v in value.values())


def _object(value: object) -> bool:
    """An object of plain values; its ``relations``, if any, an object of plain values too."""
    return isinstance(value, Mapping) and all(
        _flat(v) or v is None if k == "relations" else _plain(v) for k, v in value.items()
    )


def _fits(value: object, shape: str) -> bool:
    if value is None:
        return True
    if shape == OBJECT:
        return _object(value)
    if shape == OBJECTS:
        return isinstance(value, list) and all(_flat(v) for v in value)
    if shape == VALUES:
        return isinstance(value, list) and all(_plain(v) for v in value)
    if shape == OBJECT_OR_VALUE:
        return _plain(value) or _object(value)
    return _plain(value)


def intake_shape_problems(intake: Mapping[str, Any]) -> list[Problem]:
    """One problem per item of the table whose value has another shape."""
    problems = []
    for key, value in intake.items():
        shape = SHAPES.get(str(key))
        if shape is not None and not _fits(value, shape):
            problems.append(
                Problem(
                    f"intake.{key}",
                    f"届出内容の{key}",
                    f"{SHAPE_NAMES[shape]}ではありません（入れ子の値は使えません）",
                    f"{SHAPE_NAMES[shape]}で入力してください",
                    "intake_format",
                )
            )
    return problems
