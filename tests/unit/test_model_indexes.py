"""No index repeats the leading columns of another key of its table (it would serve no query and cost every
insert an index entry)."""

from __future__ import annotations

from sqlalchemy import PrimaryKeyConstraint, Table, UniqueConstraint

import models


def _keys(table: Table) -> list[tuple[str, tuple[str, ...], bool]]:
    keys = [(str(i.name), tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes]
    keys += [
        (str(c.name), tuple(col.name for col in c.columns), True)
        for c in table.constraints
        if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)
    ]
    return keys


def covered_indexes() -> list[str]:
    """Non-unique indexes whose columns are the leading columns of another index or key of the table."""
    found = []
    for table in models.Base.metadata.sorted_tables:
        keys = _keys(table)
        for name, columns, unique in keys:
            if unique:
                continue
            if any(other != name and len(cols) > len(columns) and cols[: len(columns)] == columns
                   for other, cols, _u in keys):  # fmt: skip
                found.append(f"{table.name}.{name}")
    return found


def test_no_index_repeats_the_leading_columns_of_another_key() -> None:
    assert covered_indexes() == []


def test_a_tenant_table_without_a_key_led_by_tenant_id_keeps_its_tenant_index() -> None:
    tables = models.Base.metadata.tables
    assert "ix_case_event_tenant_id" in {i.name for i in tables["case_event"].indexes}
    assert "ix_pending_timer_tenant_id" in {i.name for i in tables["pending_timer"].indexes}
    assert "ix_resident_tenant_id" not in {i.name for i in tables["resident"].indexes}
