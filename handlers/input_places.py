"""The register of input places and terminals (入力場所・入力端末, j230), kept by the administrator
(``admin.settings``), every save logged as a ``setting`` action.

A terminal is known by the name it sends (``X-Terminal-Id``, ``Actor.terminal``).  When that name is a
registered, enabled terminal of an enabled place, the place's name is what the history rows record as 入力場所
and what the certificate issuance history records as 交付場所 (``registered_place``); an unregistered terminal
leaves the 入力場所 empty and the issuance at the place the request names.  In a designated city a place can
be a ward office (区役所) of one of the city's wards.  A place or terminal is retired by disabling it, never
deleted: the logs keep naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.digits import whole_number
from handlers.transaction_memo import transaction_memo
from handlers.uow import UnitOfWork
from models.input_place import PLACE_KINDS, InputPlace, InputTerminal
from models.tenant import Municipality, Ward

KIND_LABELS = {
    "main_office": "本庁",
    "branch": "支所",
    "sub_branch": "出張所",
    "department": "住民記録システム利用課",
    "ward_office": "区役所",
}
CODE_PATTERN = re.compile(r"^[0-9A-Za-z_-]{1,10}$")
TERMINAL_PATTERN = re.compile(r"^[0-9A-Za-z_.-]{1,60}$")
MEMO_KEY = "registered_places"


@dataclass(frozen=True)
class TerminalView:
    id: int
    code: str
    name: str
    place_id: int
    place_name: str
    enabled: bool


@dataclass(frozen=True)
class PlaceView:
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    ward_code: str
    ward_name: str
    enabled: bool
    terminals: tuple[TerminalView, ...]


def _wards(uow: UnitOfWork) -> dict[str, str]:
    rows = uow.session.scalars(
        select(Ward).where(Ward.municipality_id == uow.actor.tenant_id).order_by(Ward.code)
    )
    return {ward.code: ward.name for ward in rows}


def place_wards(uow: UnitOfWork) -> dict[str, str]:
    """The municipality's wards (code → name) a place can belong to; empty outside designated cities."""
    require(uow.actor, "admin.settings")
    return _wards(uow)


def _terminal_view(row: InputTerminal) -> TerminalView:
    return TerminalView(row.id, row.code, row.name, row.place_id, row.place.name, bool(row.enabled))


def _place_view(row: InputPlace, wards: Mapping[str, str]) -> PlaceView:
    return PlaceView(
        id=row.id, code=row.code, name=row.name, kind=row.kind, kind_label=KIND_LABELS.get(row.kind, row.kind),
        ward_code=row.ward_code or "", ward_name=wards.get(row.ward_code or "", ""), enabled=bool(row.enabled),
        terminals=tuple(_terminal_view(t) for t in row.terminals),
    )  # fmt: skip


def list_places(uow: UnitOfWork) -> list[PlaceView]:
    """Every place of the municipality with its terminals, by code."""
    require(uow.actor, "admin.settings")
    wards = _wards(uow)
    rows = uow.session.scalars(select(InputPlace).order_by(InputPlace.code))
    return [_place_view(row, wards) for row in rows]


def _place_row(uow: UnitOfWork, place_id: int) -> InputPlace:
    row = uow.session.get(InputPlace, int(place_id))
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された入力場所は見つかりません。")
    return row


def _terminal_row(uow: UnitOfWork, terminal_id: int) -> InputTerminal:
    row = uow.session.get(InputTerminal, int(terminal_id))
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された入力端末は見つかりません。")
    return row


def place(uow: UnitOfWork, place_id: int) -> PlaceView:
    require(uow.actor, "admin.settings")
    return _place_view(_place_row(uow, place_id), _wards(uow))


def terminal(uow: UnitOfWork, terminal_id: int) -> TerminalView:
    require(uow.actor, "admin.settings")
    return _terminal_view(_terminal_row(uow, terminal_id))


def _problem(field: str, item: str, reason: str, remedy: str, code: str = "invalid") -> Problem:
    return Problem(field, item, reason, remedy, code)


def place_problems(
    values: Mapping[str, Any], wards: Mapping[str, str], designated_city: bool
) -> list[Problem]:
    """The one check of a place's settings (forms and any other door)."""
    code, name = str(values.get("code") or ""), str(values.get("name") or "").strip()
    kind, ward = str(values.get("kind") or ""), str(values.get("ward_code") or "")
    found = []
    if not CODE_PATTERN.match(code):
        found.append(_problem("code", "場所コード", "英数字10文字以内ではありません", "英数字・-・_ の10文字以内で入力してください"))  # fmt: skip
    if not name or len(name) > 40:
        found.append(_problem("name", "入力場所名", "入力されていないか40文字を超えています", "40文字以内で入力してください", "required"))  # fmt: skip
    if kind not in PLACE_KINDS:
        found.append(_problem("kind", "種別", "選択されていません", "本庁・支所・出張所・利用課・区役所から選択してください", "required"))  # fmt: skip
    if kind == "ward_office" and not designated_city:
        found.append(_problem("kind", "種別", "区役所は指定都市だけが登録できます", "ほかの種別を選択してください"))  # fmt: skip
    if ward and ward not in wards:
        found.append(_problem("ward_code", "行政区", f"「{ward}」はこの市の行政区ではありません", "登録済みの行政区を選択してください"))  # fmt: skip
    if kind == "ward_office" and not ward:
        found.append(_problem("ward_code", "行政区", "区役所の行政区が選択されていません", "行政区を選択してください", "required"))  # fmt: skip
    return found


def save_place(uow: UnitOfWork, place_id: int | None, values: Mapping[str, Any]) -> InputPlace:
    """Create (``place_id`` None) or change one input place."""
    require(uow.actor, "admin.settings")
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    problems = place_problems(
        values, _wards(uow), municipality is not None and municipality.kind == "designated_city"
    )
    row = _place_row(uow, place_id) if place_id is not None else None
    code = str(values.get("code") or "")
    clash = uow.session.scalar(select(InputPlace.id).where(InputPlace.code == code))
    if clash is not None and (row is None or clash != row.id):
        problems.append(_problem("code", "場所コード", "同じコードの入力場所が既にあります", "別のコードを入力してください", "duplicate"))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    if row is None:
        row = InputPlace(tenant_id=uow.actor.tenant_id, code=code)
        uow.session.add(row)
    before = _items(row, ("code", "name", "kind", "ward_code", "enabled"))
    row.code, row.name, row.kind = code, str(values["name"]).strip(), str(values["kind"])
    row.ward_code, row.enabled = values.get("ward_code") or None, bool(values.get("enabled"))
    uow.session.flush()
    _log_saved(uow, "input_place_saved", row.code, place_id is None, before, row)
    return row


def terminal_problems(values: Mapping[str, Any]) -> list[Problem]:
    code, name = str(values.get("code") or ""), str(values.get("name") or "").strip()
    found = []
    if not TERMINAL_PATTERN.match(code):
        found.append(_problem("code", "端末名", "英数字60文字以内ではありません", "端末が送る名前（英数字・-・_・.）を入力してください"))  # fmt: skip
    if not name or len(name) > 60:
        found.append(_problem("name", "説明", "入力されていないか60文字を超えています", "60文字以内で入力してください", "required"))  # fmt: skip
    if whole_number(str(values.get("place_id") or "")) is None:
        found.append(_problem("place_id", "入力場所", "選択されていません", "入力場所を選択してください", "required"))  # fmt: skip
    return found


def save_terminal(uow: UnitOfWork, terminal_id: int | None, values: Mapping[str, Any]) -> InputTerminal:
    """Create (``terminal_id`` None) or change one terminal."""
    require(uow.actor, "admin.settings")
    problems = terminal_problems(values)
    row = _terminal_row(uow, terminal_id) if terminal_id is not None else None
    code = str(values.get("code") or "")
    clash = uow.session.scalar(select(InputTerminal.id).where(InputTerminal.code == code))
    if clash is not None and (row is None or clash != row.id):
        problems.append(_problem("code", "端末名", "同じ名前の端末が既にあります", "既存の端末を編集してください", "duplicate"))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    at = _place_row(uow, whole_number(str(values["place_id"])) or 0)
    if row is None:
        row = InputTerminal(tenant_id=uow.actor.tenant_id, code=code)
        uow.session.add(row)
    before = _items(row, ("code", "name", "place_id", "enabled"))
    row.code, row.name, row.place, row.enabled = (
        code,
        str(values["name"]).strip(),
        at,
        bool(values.get("enabled")),
    )
    uow.session.flush()
    _log_saved(uow, "input_terminal_saved", row.code, terminal_id is None, before, row)
    return row


def _items(row: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: getattr(row, key, None) for key in keys}


def _log_saved(
    uow: UnitOfWork, function: str, code: str, created: bool, before: dict[str, Any], row: Any
) -> None:
    after = _items(row, tuple(before))
    changed = sorted(key for key in after if before.get(key) != after[key])
    record_access(uow, function, "setting", [], detail={"code": code, "created": created, "changed": changed})


def _registered(session: Session, terminal_code: str | None) -> tuple[str, str | None] | None:
    """(place name, ward code) of ``terminal_code`` when it is a registered, enabled terminal of an enabled
    place of the session's municipality; else None.  Read once per terminal and transaction."""
    if not terminal_code:
        return None
    known: dict[str, tuple[str, str | None] | None] = transaction_memo(session).setdefault(MEMO_KEY, {})
    if terminal_code not in known:
        found = session.execute(
            select(InputPlace.name, InputPlace.ward_code)
            .join(InputTerminal, InputTerminal.place_id == InputPlace.id)
            .where(InputTerminal.code == terminal_code, InputTerminal.enabled, InputPlace.enabled)
        ).first()
        known[terminal_code] = None if found is None else (str(found[0]), found[1])
    return known[terminal_code]


def registered_place(session: Session, terminal_code: str | None) -> str | None:
    """The 入力場所 (its name) of a registered terminal, else None."""
    found = _registered(session, terminal_code)
    return None if found is None else found[0]


def registered_ward(session: Session, terminal_code: str | None) -> str | None:
    """The ward (区) of a registered terminal's place, in a designated city; else None."""
    found = _registered(session, terminal_code)
    return None if found is None else found[1]
