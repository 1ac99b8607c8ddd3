"""The ``resident_search_key`` rows (j340): written where history rows are written, filled again from the
history for a whole register (migration 0019, the tenant import, the re-key batch).

A person's current 旧氏 and フリガナ of 旧氏・通称 are kept as rows of the ``CURRENT_KINDS`` (replaced when they
change); each registered change of name or address adds the keys of the name or address the person had
before it (``PAST_KINDS``), so a search finds former names and addresses through an index instead of
reading every history snapshot.  Only persons whose history holds such a change, or who have a 旧氏 or
通称, have rows: the table stays a small part of the register.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from handlers.residents.search_keys import CURRENT_KINDS, current_keys, past_keys
from handlers.row_writes import insert_rows
from models.resident import Resident, ResidentHistory, ResidentSearchKey

Snapshot = Mapping[str, Any]
FILL_BATCH = 5000


def record_search_keys(
    session: Session, tenant_id: int, changes: Sequence[tuple[str, Snapshot | None, Snapshot]]
) -> None:
    """Keep the rows of the persons of ``changes`` — (宛名番号, the snapshot before the change or None for a
    person's first row, the snapshot after it), in the order appended: the current kinds replaced where
    they changed, the former names and addresses added.  No statement when nothing changed."""
    past: list[tuple[str, str, str]] = []
    final: dict[str, frozenset[tuple[str, str]]] = {}
    replaced: set[str] = set()  # persons whose stored current rows change
    first: set[str] = set()  # persons whose first row this is: nothing stored yet
    for atena_number, before, after in changes:
        keys = current_keys(after)
        if before is None:
            first.add(atena_number)
        else:
            past += [(atena_number, kind, key) for kind, key in past_keys(before, after)]
            if keys != current_keys(before):
                replaced.add(atena_number)
        final[atena_number] = keys
    if replaced - first:
        session.execute(
            delete(ResidentSearchKey).where(
                ResidentSearchKey.atena_number.in_(sorted(replaced - first)),
                ResidentSearchKey.kind.in_(CURRENT_KINDS),
            ),
            execution_options={"synchronize_session": False},
        )
    current = [
        (atena_number, kind, key)
        for atena_number in sorted(replaced | first)
        for kind, key in sorted(final[atena_number])
    ]
    rows = [
        ResidentSearchKey(tenant_id=tenant_id, atena_number=atena_number, kind=kind, key=key)
        for atena_number, kind, key in current + past
    ]
    if rows:
        session.add_all(rows)
        insert_rows(session, rows)


_SEARCH_KEY = cast(Table, ResidentSearchKey.__table__)
_HISTORY = cast(Table, ResidentHistory.__table__)
_RESIDENT = cast(Table, Resident.__table__)


def _current_rows(connection: Connection, tenant_id: int | None) -> Iterator[dict[str, Any]]:
    r = _RESIDENT.c
    statement = select(
        r.tenant_id, r.atena_number, r.former_surname, r.former_surname_kana, r.alias_kana
    ).where(or_(r.former_surname.is_not(None), r.former_surname_kana.is_not(None), r.alias_kana.is_not(None)))
    if tenant_id is not None:
        statement = statement.where(r.tenant_id == tenant_id)
    for row in connection.execute(statement):
        for kind, key in sorted(current_keys(dict(row._mapping))):
            yield {"tenant_id": row.tenant_id, "atena_number": row.atena_number, "kind": kind, "key": key}


def _past_rows(connection: Connection, tenant_id: int | None) -> Iterator[dict[str, Any]]:
    """The former names and addresses of every person with more than one history row, pair by pair of
    consecutive snapshots (履歴番号 order)."""
    h = _HISTORY.c
    several = (
        select(h.tenant_id, h.atena_number).group_by(h.tenant_id, h.atena_number).having(func.count() > 1)
    )
    if tenant_id is not None:
        several = several.where(h.tenant_id == tenant_id)
    persons = several.subquery()
    statement = (
        select(h.tenant_id, h.atena_number, h.snapshot)
        .join(persons, (persons.c.tenant_id == h.tenant_id) & (persons.c.atena_number == h.atena_number))
        .order_by(h.tenant_id, h.atena_number, h.history_no)
        .execution_options(yield_per=FILL_BATCH)
    )
    previous: tuple[int, str, Snapshot] | None = None
    for row in connection.execute(statement):
        if previous is not None and previous[:2] == (row.tenant_id, row.atena_number):
            for kind, key in sorted(past_keys(previous[2], row.snapshot)):
                yield {"tenant_id": row.tenant_id, "atena_number": row.atena_number, "kind": kind, "key": key}
        previous = (row.tenant_id, row.atena_number, row.snapshot)


def fill_search_keys(connection: Connection, tenant_id: int | None = None) -> int:
    """Make the rows of one municipality (or of every one) again from its residents and their history; the
    number of rows written.  Core statements on ``connection``: the caller scopes it (a tenant's import or
    batch) or owns every tenant (a migration)."""
    wipe = delete(_SEARCH_KEY)
    if tenant_id is not None:
        wipe = wipe.where(_SEARCH_KEY.c.tenant_id == tenant_id)
    connection.execute(wipe)
    rows = [*_current_rows(connection, tenant_id)]
    written = 0
    for row in _past_rows(connection, tenant_id):
        rows.append(row)
        if len(rows) >= FILL_BATCH:
            connection.execute(insert(_SEARCH_KEY), rows)
            written, rows = written + len(rows), []
    if rows:
        connection.execute(insert(_SEARCH_KEY), rows)
        written += len(rows)
    return written
