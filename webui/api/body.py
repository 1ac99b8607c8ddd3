"""The JSON API's input translation: the request body must be a JSON object and each item the JSON type its
door reads (text, integer, true/false, array, object).  A wrong one answers 422 with a problem per item, in the
project's one error shape (``handlers.errors.ValidationError``), before any handler runs: no item is turned
into something else by ``str()`` or ``int()``, and none reaches a handler as a type it does not read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from handlers.errors import Problem, ValidationError
from webui.input_guard import LARGEST_INTEGER

TEXT = "text"
INTEGER = "integer"
FLAG = "flag"
OBJECT = "object"
TEXTS = "texts"  # an array of text
OBJECTS = "objects"  # an array of objects

# the Japanese names of the items the doors read (j1440: a problem names the item as the screens do)
ITEM_NAMES = {"change_type": "異動の種類", "intake": "届出内容", "reason": "理由", "decision": "決裁",
              "acknowledgements": "確認したアラート", "household": "世帯", "members": "世帯員",
              "reason_code": "異動事由", "change_date": "異動日", "notified_date": "届出日", "note": "備考",
              "certificate_type": "証明書の種別", "subjects": "交付対象者", "whole_household": "世帯全員",
              "requester_kind": "請求者の区分", "requester_name": "請求者の氏名", "purpose": "請求事由・使用目的",
              "copies": "通数", "notifier_name": "届出人氏名", "notifier_kind": "届出人の区分", "addressee": "送付先",
              "notifier_birth_date": "届出人の生年月日", "notifier_atena_number": "届出人の宛名番号",
              "systems": "照会先"}  # fmt: skip
KIND_NAMES = {TEXT: "文字列", INTEGER: "整数", FLAG: "真偽値（true／false）", OBJECT: "JSONのオブジェクト",
              TEXTS: "文字列の配列", OBJECTS: "JSONのオブジェクトの配列"}  # fmt: skip


def not_an_object(
    item: str = "要求本文", remedy: str = "JSONのオブジェクトを送信してください"
) -> ValidationError:
    return ValidationError([Problem("body", item, "JSONのオブジェクトではありません", remedy, "format")])


def json_object(remedy: str = "JSONのオブジェクトを送信してください") -> dict[str, Any]:
    """The body as a JSON object (any Content-Type that says JSON; 422 for anything else)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise not_an_object(remedy=remedy)
    return body


def _is(value: object, kind: str) -> bool:
    if kind == TEXT:
        return isinstance(value, str)
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= LARGEST_INTEGER
    if kind == FLAG:
        return isinstance(value, bool)
    if kind == OBJECT:
        return isinstance(value, dict)
    if kind == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def check_kinds(
    body: Mapping[str, Any], kinds: Mapping[str, str], names: Mapping[str, str] | None = None
) -> None:
    """422 naming every item of ``kinds`` the body holds with another JSON type (null is as absent)."""
    wrong = [name for name, kind in kinds.items() if body.get(name) is not None and not _is(body[name], kind)]
    if wrong:
        raise ValidationError(
            [
                Problem(
                    name,
                    ITEM_NAMES.get(name, name),
                    f"{KIND_NAMES[kinds[name]]}ではありません",
                    f"{KIND_NAMES[kinds[name]]}で指定してください",
                    "format",
                )
                for name in wrong
            ]
        )
