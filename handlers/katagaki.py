"""方書管理 (j260) and 方書入力補助 (j520): the municipality's register of 方書 — apartments, mansions,
dormitories — each linked to the 住所地番 it stands at, kept by staff (``katagaki.manage``: supervisors and
administrators) on one page: list, add, edit, retire (廃止) and reinstate, every save in the access log.

The link is the folded address (``fold_address``: 二丁目 and 2丁目, full- and half-width digits are one key), so
the counter finds the 方書 of an entered 住所地番 in one indexed look-up (``katagaki_for_address``).  Only that
direction exists: the standard forbids offering 住所地番 from a 方書 (j520 実装しない機能), so no function here
takes a 方書 and returns addresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import ConflictError, NotFoundError, Problem, ValidationError
from handlers.paging import PER_PAGE, Page, read_page
from handlers.permissions import require
from handlers.rules.digits import ascii_digits
from handlers.rules.kana import is_katakana_name
from handlers.rules.kanji import fold_address
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork
from models.katagaki import KATAGAKI_KINDS, Katagaki

KIND_LABELS = {"apartment": "アパート", "mansion": "マンション", "dormitory": "寮", "other": "その他"}
ITEMS = ("address", "address_code", "name", "name_kana", "kind")
_LOT_NUMBER = re.compile(r"\d(番地|番|号)?$")  # ends with its 地番 or 住居番号, not with a 丁目
_ADDRESS_CODE = re.compile(r"^[0-9]{11}$")


@dataclass(frozen=True)
class KatagakiView:
    id: int
    address: str
    address_code: str
    name: str
    name_kana: str
    kind: str
    kind_label: str
    retired_date: str  # ISO date, "" while in use

    @property
    def retired(self) -> bool:
        return bool(self.retired_date)


def _view(row: Katagaki) -> KatagakiView:
    return KatagakiView(
        id=row.id, address=row.address, address_code=row.address_code or "", name=row.name,
        name_kana=row.name_kana or "", kind=row.kind, kind_label=KIND_LABELS.get(row.kind, row.kind),
        retired_date=row.retired_date.isoformat() if row.retired_date else "",
    )  # fmt: skip


def list_katagaki(
    uow: UnitOfWork,
    *,
    address: str = "",
    include_retired: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[KatagakiView]:
    """One page of the register in address order, narrowed to the addresses starting with ``address`` when
    given (``page`` brought within the list)."""
    require(uow.actor, "katagaki.manage")
    query = select(Katagaki).order_by(Katagaki.address_key, Katagaki.name, Katagaki.id)
    if address.strip():
        query = query.where(Katagaki.address_key.startswith(fold_address(address.strip()), autoescape=True))
    if not include_retired:
        query = query.where(Katagaki.retired_date.is_(None))
    return read_page(uow.session, query, page, _view, per_page=per_page)


def _row(uow: UnitOfWork, katagaki_id: int) -> Katagaki:
    row = uow.session.get(Katagaki, int(katagaki_id))
    if row is None or row.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された方書は見つかりません。")
    return row


def katagaki_entry(uow: UnitOfWork, katagaki_id: int) -> KatagakiView:
    require(uow.actor, "katagaki.manage")
    return _view(_row(uow, katagaki_id))


def _clean(values: Mapping[str, Any]) -> dict[str, str]:
    """Each item stripped; the 住所コード's full-width digits read as ASCII (it is stored as typed)."""
    cleaned = {key: str(values.get(key) or "").strip() for key in ITEMS}
    cleaned["address_code"] = ascii_digits(cleaned["address_code"])
    return cleaned


def katagaki_problems(uow: UnitOfWork, values: Mapping[str, str]) -> list[Problem]:
    """The one check of a 方書 entry (the page and any other door)."""
    found: list[Problem] = []
    city = municipality_of(uow.session, uow.actor.tenant_id)
    address = values["address"]
    if not address:
        found.append(Problem("address", "住所地番", "入力されていません", "方書のある住所を地番まで入力してください", "required"))  # fmt: skip
    elif not fold_address(address).startswith(fold_address(f"{city.prefecture}{city.name}")):
        found.append(Problem("address", "住所地番", f"{city.prefecture}{city.name}の住所ではありません",
                             f"「{city.prefecture}{city.name}」から始まる住所を入力してください", "other_municipality"))  # fmt: skip
    elif not _LOT_NUMBER.search(fold_address(address)):
        found.append(Problem("address", "住所地番", "地番（番地・番・号）がありません", "方書のある地番まで入力してください", "no_lot_number"))  # fmt: skip
    if len(address) > 200:
        found.append(Problem("address", "住所地番", "200文字を超えています", "200文字以内で入力してください", "too_long"))  # fmt: skip
    if not values["name"]:
        found.append(Problem("name", "方書", "入力されていません", "建物名（アパート・マンション・寮等の名称）を入力してください", "required"))  # fmt: skip
    elif len(values["name"]) > 200:
        found.append(Problem("name", "方書", "200文字を超えています", "200文字以内で入力してください", "too_long"))  # fmt: skip
    if values["name_kana"] and not is_katakana_name(values["name_kana"]):
        found.append(Problem("name_kana", "方書（フリガナ）", "カタカナではありません", "カタカナで入力してください", "not_katakana"))  # fmt: skip
    if values["address_code"] and not _ADDRESS_CODE.match(values["address_code"]):
        found.append(Problem("address_code", "住所コード", "11桁の数字ではありません", "11桁の住所コードを入力するか空欄にしてください", "invalid"))  # fmt: skip
    if values["kind"] not in KATAGAKI_KINDS:
        found.append(Problem("kind", "種別", "選択されていません", "アパート・マンション・寮・その他から選択してください", "required"))  # fmt: skip
    return found


def save_katagaki(uow: UnitOfWork, katagaki_id: int | None, values: Mapping[str, Any]) -> KatagakiView:
    """Register (``katagaki_id`` None) or correct one 方書; a clash with another entry of the same address and
    name is refused, and nothing is written when any problem is found."""
    require(uow.actor, "katagaki.manage")
    cleaned = _clean(values)
    row = _row(uow, katagaki_id) if katagaki_id is not None else None
    problems = katagaki_problems(uow, cleaned)
    key = fold_address(cleaned["address"])
    clash = uow.session.scalar(
        select(Katagaki.id).where(Katagaki.address_key == key, Katagaki.name == cleaned["name"])
    )
    if clash is not None and (row is None or clash != row.id):
        problems.append(Problem("name", "方書", "同じ住所に同じ方書が登録されています",
                                "登録済みの方書を編集してください", "duplicate"))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    if row is None:
        row = Katagaki(tenant_id=uow.actor.tenant_id)
        uow.session.add(row)
    before = {item: getattr(row, item, None) for item in ITEMS}
    row.address, row.address_key, row.address_code = cleaned["address"], key, cleaned["address_code"] or None
    row.name, row.name_kana, row.kind = cleaned["name"], cleaned["name_kana"] or None, cleaned["kind"]
    uow.session.flush()
    changed = sorted(item for item in ITEMS if before[item] != getattr(row, item))
    record_access(uow, "katagaki_saved", "setting", [],
                  detail={"katagaki_id": row.id, "created": katagaki_id is None, "changed": changed})  # fmt: skip
    return _view(row)


def retire_katagaki(uow: UnitOfWork, katagaki_id: int) -> KatagakiView:
    """廃止: the building is gone or renamed; the entry stays in the register but is no longer offered."""
    require(uow.actor, "katagaki.manage")
    row = _row(uow, katagaki_id)
    if row.retired_date is not None:
        raise ConflictError("この方書は既に廃止されています。")
    row.retired_date = japan_today()
    uow.session.flush()
    record_access(uow, "katagaki_retired", "setting", [], detail={"katagaki_id": row.id})
    return _view(row)


def reinstate_katagaki(uow: UnitOfWork, katagaki_id: int) -> KatagakiView:
    """廃止の取消: a retired entry is offered again."""
    require(uow.actor, "katagaki.manage")
    row = _row(uow, katagaki_id)
    if row.retired_date is None:
        raise ConflictError("この方書は廃止されていません。")
    row.retired_date = None
    uow.session.flush()
    record_access(uow, "katagaki_reinstated", "setting", [], detail={"katagaki_id": row.id})
    return _view(row)


@dataclass(frozen=True)
class KatagakiCandidate:
    name: str
    name_kana: str
    kind_label: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "name_kana": self.name_kana, "kind_label": self.kind_label}


def katagaki_for_address(uow: UnitOfWork, address: str) -> list[KatagakiCandidate]:
    """方書入力補助 (j520): the 方書 in use registered at the entered 住所地番, for the clerk to choose from."""
    require(uow.actor, "resident.change")
    key = fold_address(address.strip())
    if not key:
        return []
    query = (
        select(Katagaki)
        .where(Katagaki.address_key == key, Katagaki.retired_date.is_(None))
        .order_by(func.coalesce(Katagaki.name_kana, Katagaki.name), Katagaki.name)
    )
    return [
        KatagakiCandidate(row.name, row.name_kana or "", KIND_LABELS.get(row.kind, row.kind))
        for row in uow.session.scalars(query)
    ]
