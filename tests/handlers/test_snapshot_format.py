"""History snapshots are stored compact (no None items) and read back whole (models.snapshot, issue 2)."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from handlers.context import Actor
from handlers.db import Database
from handlers.residents.history import history_rows, resident_as_of, snapshot_of
from handlers.uow import unit_of_work
from models import Resident
from models.snapshot import compact_snapshot, expand_snapshot, snapshot_keys
from tests.factories import japanese_member, make_household


def test_expanding_fills_every_missing_key_with_none_in_snapshot_order() -> None:
    full = expand_snapshot({"atena_number": "0000000019", "family_name": "山田"})
    assert tuple(full) == snapshot_keys()
    assert full["atena_number"] == "0000000019" and full["family_name"] == "山田"
    assert full["alias"] is None and full["household_address_katagaki"] is None


def test_a_full_snapshot_reads_as_it_was_and_unknown_keys_are_kept() -> None:
    old = {key: None for key in reversed(snapshot_keys())} | {"atena_number": "0000000019", "retired_item": 1}
    full = expand_snapshot(old)
    assert full == old
    assert tuple(full)[: len(snapshot_keys())] == snapshot_keys() and tuple(full)[-1] == "retired_item"


def test_compacting_leaves_out_only_none_items() -> None:
    assert compact_snapshot({"a": None, "b": False, "c": "", "d": 0, "e": "x"}) == {
        "b": False, "c": "", "d": 0, "e": "x"
    }  # fmt: skip


def test_snapshot_of_gives_exactly_the_snapshot_keys(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a, [japanese_member()])
    with unit_of_work(db, clerk_a) as uow:
        person = uow.session.scalars(
            select(Resident).where(Resident.atena_number == household.members[0].atena_number)
        ).one()
        assert tuple(snapshot_of(person)) == snapshot_keys()


def test_a_history_row_is_stored_without_its_none_items_and_read_whole(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a, [japanese_member()])
    atena = household.members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        [row] = history_rows(uow.session, atena)
        expected = row.snapshot
        assert tuple(expected) == snapshot_keys() and expected["alias"] is None
        stored = uow.session.execute(
            text("SELECT snapshot FROM resident_history WHERE id = :id"), {"id": row.id}
        ).scalar_one()
        stored = json.loads(stored) if isinstance(stored, str) else stored
        assert stored == {k: v for k, v in expected.items() if v is not None}
        assert None not in stored.values() and len(stored) < len(expected)
        as_of = resident_as_of(uow.session, atena, row.effective_date)
        assert as_of is not None and {k: as_of[k] for k in expected} == expected


def test_a_full_snapshot_written_before_the_compact_form_still_reads(db: Database, clerk_a: Actor) -> None:
    household = make_household(db, clerk_a, [japanese_member()])
    atena = household.members[0].atena_number
    with unit_of_work(db, clerk_a) as uow:
        [row] = history_rows(uow.session, atena)
        full = dict(row.snapshot)
        # as stored before: every key, None items included (bypassing the column type's compaction)
        cast = "CAST(:doc AS json)" if uow.session.get_bind().dialect.name == "postgresql" else ":doc"
        uow.session.execute(
            text(f"UPDATE resident_history SET snapshot = {cast} WHERE id = :id"),
            {"doc": json.dumps(full, ensure_ascii=False), "id": row.id},
        )
        uow.session.expire_all()
        raw = uow.session.execute(
            text("SELECT snapshot FROM resident_history WHERE id = :id"), {"id": row.id}
        ).scalar_one()
        raw = json.loads(raw) if isinstance(raw, str) else raw
        assert None in raw.values()
        [again] = history_rows(uow.session, atena)
        assert again.snapshot == full
