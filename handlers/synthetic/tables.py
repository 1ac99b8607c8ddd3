"""The tables the bulk loader writes, their column lists, and linking generated persons by database id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import orjson
from sqlalchemy import Table

from handlers.synthetic.generator import PersonBatch
from handlers.synthetic.rows import (
    PERSON_ITEMS,
    RESIDENT_DEFAULTS,
    first_history_items,
    household_snapshot_items,
)
from models.resident import Household, NumberSequence, Resident, ResidentHistory

HOUSEHOLD = cast(Table, Household.__table__)
RESIDENT = cast(Table, Resident.__table__)
HISTORY = cast(Table, ResidentHistory.__table__)
SEQUENCES = cast(Table, NumberSequence.__table__)
# Columns written; created_at keeps its server default, history ids come from the table's sequence.
HOUSEHOLD_COLUMNS = tuple(c.name for c in HOUSEHOLD.columns if c.name != "created_at")
RESIDENT_COLUMNS = tuple(c.name for c in RESIDENT.columns if c.name != "created_at")
# snapshot last: the COPY writer appends the snapshot's JSON bytes to the line of the other fields; a first
# row never has a 留意事項 (統合記載欄 type B): those columns stay NULL without being written
HISTORY_UNWRITTEN = ("created_at", "id", "snapshot", "caution", "caution_items")
HISTORY_COLUMNS = (
    *(c.name for c in HISTORY.columns if c.name not in HISTORY_UNWRITTEN),
    "snapshot",
)
# A resident's columns in three parts: its ids, the items a generated person may have (``PERSON_ITEMS``,
# defaults for those it lacks), and the columns no generated person sets (their defaults, then the tenant).
# Of the last, those whose default is NULL in Python and in the database are left out of the COPY/INSERT:
# the database writes NULL for them (~37 fewer fields per resident to make, send and parse).
PERSON_COLUMNS = tuple(c for c in RESIDENT_COLUMNS if c in PERSON_ITEMS)
PERSON_DEFAULTS = {c: RESIDENT_DEFAULTS[c] for c in PERSON_COLUMNS}
NULL_COLUMNS = tuple(
    c
    for c in RESIDENT_COLUMNS
    if c not in PERSON_ITEMS
    and RESIDENT_DEFAULTS[c] is None
    and RESIDENT.c[c].server_default is None
    and not RESIDENT.c[c].primary_key
    and not RESIDENT.c[c].foreign_keys
)
UNSET_COLUMNS = tuple(
    c
    for c in RESIDENT_COLUMNS
    if c not in PERSON_ITEMS and c not in NULL_COLUMNS and c not in ("id", "household_id", "tenant_id")
)
RESIDENT_COPY_COLUMNS = ("id", "household_id", *PERSON_COLUMNS, *UNSET_COLUMNS, "tenant_id")
UNSET_DEFAULTS = tuple(RESIDENT_DEFAULTS[c] for c in UNSET_COLUMNS)

Member = tuple[int, dict[str, Any], str, Any]  # resident id, the person's items, 異動事由, 異動日


PERSON_KEYS = frozenset(PERSON_DEFAULTS)


def person_values(person: dict[str, Any]) -> tuple[Any, ...]:
    """The values of ``PERSON_COLUMNS`` for a person's items (defaults where it has none; a person with
    items outside them never gets here: ``linked_households`` refuses it)."""
    return tuple({**PERSON_DEFAULTS, **person}.values())


class HistoryField(str):
    """A varying field of ``first_history_template``: the name of the value that fills it."""


def _field(name: str) -> Any:
    return HistoryField(name)


def first_history_template(tenant_id: int) -> tuple[Any, ...]:
    """The values of ``rows.first_history_items`` in ``HISTORY_COLUMNS`` order but the snapshot, made once:
    the constants as they are, each varying value a ``HistoryField`` naming it (resident_id, atena_number,
    notified_date, status, household_number, change_reason, change_date)."""
    person = {"atena_number": _field("atena_number"), "notified_date": _field("notified_date"),
              "status": _field("status")}  # fmt: skip
    items = first_history_items(tenant_id, person, _field("household_number"), _field("change_reason"),
                                _field("change_date"))  # fmt: skip
    items["resident_id"] = _field("resident_id")
    return tuple(items[c] for c in HISTORY_COLUMNS[:-1])


def linked_households(
    made: PersonBatch, household_ids: list[int], resident_ids: list[int]
) -> Iterator[tuple[int, dict[str, Any], list[Member]]]:
    """Each household of the batch with its id and its members (head first) with theirs, by position."""
    position = 0
    for household, household_id, size in zip(made.households, household_ids, made.plan.sizes, strict=True):
        end = position + abs(size)
        members = [(resident_ids[i], made.persons[i], *made.changes[i]) for i in range(position, end)]
        for _id, person, _reason, _day in members:
            if not PERSON_KEYS.issuperset(person):
                raise ValueError(f"items outside PERSON_ITEMS: {sorted(person.keys() - PERSON_KEYS)}")
        if members[0][1]["atena_number"] != household["head_atena_number"]:
            raise ValueError(f"household {household['household_number']}: its head is not listed first")
        position = end
        yield household_id, household, members
    if position != len(made.persons) or len(resident_ids) != len(made.persons):
        raise ValueError("persons and households of the batch do not match")


def household_snapshot_json(household: dict[str, Any], head: dict[str, Any]) -> bytes:
    """The household's and head's items of every member's snapshot, as the JSON members of an object
    (``"k":v,…`` without braces)."""
    return orjson.dumps(household_snapshot_items(household, head))[1:-1]


def snapshot_json(resident_id: int, household_id: int, person_json: bytes, household_part: bytes) -> bytes:
    """A person's stored (compact) snapshot as JSON: ids, the person's items (``orjson.dumps`` of them, none
    None), then the household's items (``household_snapshot_json``)."""
    return b'{"id":%d,"household_id":%d,%b,%b}' % (
        resident_id,
        household_id,
        person_json[1:-1],
        household_part,
    )
