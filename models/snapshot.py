"""How a history snapshot (``resident_history.snapshot``) is stored: compact JSON, read back whole.

A snapshot is every column of the person plus the household's number, address and head
(``handlers.residents.history.snapshot_of``).  Most of a person's ~100 items are empty, so the row stores
only the items that have a value: ``compact_snapshot`` leaves out every key whose value is None.  Reading
fills them in again: ``expand_snapshot`` gives every snapshot key, None where the stored document has none,
in the order ``snapshot_of`` makes them (keys it does not know, from an older or newer schema, follow in
their stored order).  A full snapshot, as written before the compact form and as older export files carry
it, reads the same.

``SnapshotType`` applies both to the column, so every ORM or Core read and write goes through them; the
bulk loader and the tenant import, which write with ``COPY``, call ``compact_snapshot`` /
``compact_snapshot_keeping_unknown`` themselves.  On PostgreSQL the column is
``json`` (kept as text: parsing and storing it costs far less than ``jsonb``, and nothing queries it with
``jsonb`` operators; ``->>`` works on both); on SQLite it is JSON text as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import JSON, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Items of the person's household and head carried in every snapshot, after the person's own columns.
HOUSEHOLD_KEYS = (
    "household_number",
    "household_address",
    "household_address_katagaki",
    "household_postal_code",
    "household_address_code",
    "household_ward_code",
    "head_atena_number",
    "head_name",
)
NOT_IN_SNAPSHOT = frozenset({"tenant_id", "created_at"})


@cache
def snapshot_keys() -> tuple[str, ...]:
    """Every key of a snapshot, in ``snapshot_of`` order: the person's columns, then ``HOUSEHOLD_KEYS``."""
    from models.resident import Resident  # the model module uses this one for its column type

    person = tuple(a.key for a in inspect(Resident).column_attrs if a.key not in NOT_IN_SNAPSHOT)
    return person + HOUSEHOLD_KEYS


def compact_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The stored form: the snapshot without its None items."""
    return {key: value for key, value in snapshot.items() if value is not None}


@cache
def _snapshot_key_set() -> frozenset[str]:
    return frozenset(snapshot_keys())


def compact_snapshot_keeping_unknown(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a snapshot that may carry keys this version does not know (an import from another
    version): None items left out only under the snapshot's own keys, which ``expand_snapshot`` fills in
    again; an unknown key keeps its None, so the stored document reads back exactly as given."""
    known = _snapshot_key_set()
    return {key: value for key, value in snapshot.items() if value is not None or key not in known}


def expand_snapshot(stored: dict[str, Any]) -> dict[str, Any]:
    """The whole snapshot from its stored form (compact or full): every key, None where nothing is stored."""
    full = {key: stored.get(key) for key in snapshot_keys()}
    if not stored.keys() <= full.keys():
        for key, value in stored.items():
            full.setdefault(key, value)
    return full


class SnapshotType(TypeDecorator[dict[str, Any]]):
    """JSON (``json`` on PostgreSQL) written compact and read whole."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else compact_snapshot(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else expand_snapshot(value)
