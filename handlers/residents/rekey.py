"""Recompute the stored search keys (氏名・カナ・通称) of every person of the municipality, after the folding
rules changed (for instance when the MJ 縮退 tables joined ``fold_name``).  Archived 除票 get their name key
recomputed from the kanji name of their final record; the keys of 旧氏, of the フリガナ of 旧氏・通称 and of former
names and addresses (``resident_search_key``) are made again from the register and its history.  A system
batch, logged; only changed rows of persons are written."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from handlers.audit import record_access
from handlers.permissions import require
from handlers.residents.search_key_rows import fill_search_keys
from handlers.residents.search_keys import name_search_key, refresh_resident_keys
from handlers.uow import UnitOfWork
from models.removed import RemovedRecordArchive
from models.resident import Resident

BATCH_ROWS = 2000


@dataclass(frozen=True)
class RekeyReport:
    residents_checked: int
    residents_changed: int
    archived_changed: int
    search_keys: int = 0  # rows of resident_search_key made again


def _archived_key(record: RemovedRecordArchive) -> str:
    final = record.record or {}
    kanji = (final.get("family_name") or "") + (final.get("given_name") or "")
    parts = [kanji, final.get("name_alphabet") or "", final.get("alias") or ""]
    return "|".join(name_search_key(part) for part in parts if part)


def rekey_residents(uow: UnitOfWork) -> RekeyReport:
    require(uow.actor, "batch.run")
    session = uow.session
    checked = changed = 0
    for person in session.scalars(
        select(Resident).order_by(Resident.id).execution_options(yield_per=BATCH_ROWS)
    ):
        checked += 1
        before = (person.kana_key, person.given_kana_key, person.name_key)
        refresh_resident_keys(person)
        if (person.kana_key, person.given_kana_key, person.name_key) != before:
            changed += 1
    archived = 0
    for record in session.scalars(select(RemovedRecordArchive).order_by(RemovedRecordArchive.id)):
        key = _archived_key(record)
        if key and key != record.name_key:
            record.name_key = key
            archived += 1
    session.flush()
    search_keys = fill_search_keys(session.connection(), uow.actor.tenant_id)
    record_access(uow, "search_keys_recomputed", "batch",
                  detail={"checked": checked, "changed": changed, "archived_changed": archived,
                          "search_keys": search_keys})  # fmt: skip
    return RekeyReport(checked, changed, archived, search_keys)
