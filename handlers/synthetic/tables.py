"""The tables the bulk loader writes, their column lists, and linking generated rows by database id."""

from __future__ import annotations

from typing import Any, cast

import orjson
from sqlalchemy import Table

from handlers.synthetic.generator import SyntheticBatch
from models.resident import Household, NumberSequence, Resident, ResidentHistory

HOUSEHOLD = cast(Table, Household.__table__)
RESIDENT = cast(Table, Resident.__table__)
HISTORY = cast(Table, ResidentHistory.__table__)
SEQUENCES = cast(Table, NumberSequence.__table__)
# Columns written; created_at keeps its server default, history ids come from the table's sequence.
HOUSEHOLD_COLUMNS = tuple(c.name for c in HOUSEHOLD.columns if c.name != "created_at")
RESIDENT_COLUMNS = tuple(c.name for c in RESIDENT.columns if c.name != "created_at")
# snapshot last: the COPY writer appends the snapshot's JSON bytes to the line of the other fields
HISTORY_COLUMNS = (
    *(c.name for c in HISTORY.columns if c.name not in ("created_at", "id", "snapshot")),
    "snapshot",
)


def serialise_snapshots(chunk: SyntheticBatch) -> SyntheticBatch:
    """Serialise each snapshot (already in its stored, compact form, without ``id``/``household_id``: added
    once the ids are known) as UTF-8 JSON bytes (orjson: about 5× faster than the json module, and it writes
    dates in ISO form)."""
    for row in chunk.history:
        row["snapshot_rest"] = orjson.dumps(row.pop("snapshot"))
    return chunk


def assign_ids(chunk: SyntheticBatch, household_ids: list[int], resident_ids: list[int]) -> None:
    """Give rows their database ids and link them (household ↔ head, resident → household, history), by
    position: the generator writes each household's members one after another, the head first, and history
    row i is resident i's (checked as it goes).  A snapshot serialised without its ids (``snapshot_rest``)
    gets them prepended (JSON bytes)."""
    households = zip(chunk.households, household_ids, strict=True)
    household: dict[str, Any] = {"household_number": None}
    household_id = 0
    for resident, new_id in zip(chunk.residents, resident_ids, strict=True):
        resident["id"] = new_id
        if resident["household_number"] != household["household_number"]:
            household, household_id = next(households)
            if household["head_atena_number"] != resident["atena_number"]:
                raise ValueError(f"household {household['household_number']}: its head is not listed first")
            household["id"] = household_id
            household["head_resident_id"] = new_id
        resident["household_id"] = household_id
    if next(households, None) is not None:
        raise ValueError("a household without residents")
    for row, resident in zip(chunk.history, chunk.residents, strict=True):
        if row["atena_number"] != resident["atena_number"]:
            raise ValueError(f"history row of {row['atena_number']} is not in resident order")
        row["resident_id"] = resident["id"]
        if "snapshot_rest" in row:
            rest = row.pop("snapshot_rest")
            row["snapshot"] = (
                b'{"id":%d,"household_id":%d,' % (resident["id"], resident["household_id"]) + rest[1:]
            )
