"""住所辞書の更新 (j250 「毎月…最新の住所情報に更新すること」): load Japan Post's towns of the municipality into its
database dictionary, or refresh it with a newer release.  A town is matched by what it was loaded from
(``source_key``: its 5-digit code and name), so its 住所コード stays; a new town gets the next free 大字 number of
its 市区町村 (new towns of one refresh numbered in kana order); a town Japan Post no longer lists is retired, not
deleted, and reinstated with its old code if it comes back.  Entries staff added or changed (``source = staff``)
are left as staff keep them.  The first load numbers the 大字 of each 市区町村 in kana order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from handlers.address_dictionary import JapanPostTown
from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.permissions import require
from handlers.rules.address_codes import address_code, municipality_part, next_number, oaza_number
from handlers.uow import UnitOfWork
from models.address_dictionary import AddressEntry


@dataclass(frozen=True)
class RefreshReport:
    added: int
    updated: int
    retired: int
    reinstated: int
    kept_by_staff: int

    def to_json(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "retired": self.retired,
                "reinstated": self.reinstated, "kept_by_staff": self.kept_by_staff}  # fmt: skip


def _names(town: JapanPostTown) -> dict[str, str | None]:
    return {
        "prefecture": town.prefecture, "prefecture_kana": town.prefecture_kana, "city": town.city,
        "city_kana": town.city_kana, "ward": town.ward, "ward_kana": town.ward_kana, "oaza": town.town,
        "oaza_kana": town.town_kana, "postal_code": town.postal_code,
    }  # fmt: skip


def refresh_from_japan_post(uow: UnitOfWork, towns: Sequence[JapanPostTown]) -> RefreshReport:
    """Bring the dictionary up to ``towns`` (``handlers.address_dictionary.japan_post_towns``); one read of the
    dictionary, then the changes.  Logged with its counts."""
    require(uow.actor, "admin.settings")
    rows = list(uow.session.scalars(select(AddressEntry)))
    by_source = {row.source_key: row for row in rows if row.source_key}
    taken: dict[str, list[int]] = {}
    for row in rows:
        taken.setdefault(municipality_part(row.address_code), []).append(oaza_number(row.address_code))
    counts = {"added": 0, "updated": 0, "retired": 0, "reinstated": 0, "kept_by_staff": 0}
    new = sorted(
        (t for t in towns if t.source_key not in by_source), key=lambda t: (t.jis_code, t.town_kana, t.town)
    )
    for town in new:
        number = next_number(taken.setdefault(town.jis_code, []))
        taken[town.jis_code].append(number)
        uow.session.add(AddressEntry(tenant_id=uow.actor.tenant_id, address_code=address_code(town.jis_code, number),
                                     source="japan_post", source_key=town.source_key, koaza="", koaza_kana="",
                                     **_names(town)))  # fmt: skip
        counts["added"] += 1
    for town in towns:
        known = by_source.get(town.source_key)
        if known is None:
            continue
        if known.source != "japan_post":
            counts["kept_by_staff"] += 1
            continue
        if known.retired_date is not None:
            known.retired_date = None
            counts["reinstated"] += 1
        if any(getattr(known, key) != value for key, value in _names(town).items()):
            for key, value in _names(town).items():
                setattr(known, key, value)
            counts["updated"] += 1
    listed = {town.source_key for town in towns}
    for row in rows:
        if row.source == "japan_post" and row.retired_date is None and row.source_key not in listed:
            row.retired_date = japan_today()
            counts["retired"] += 1
    uow.session.flush()
    report = RefreshReport(**counts)
    record_access(uow, "address_dictionary_refreshed", "setting", [], detail=report.to_json())
    return report
