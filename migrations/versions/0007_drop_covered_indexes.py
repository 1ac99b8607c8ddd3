"""Drop the single-column indexes that another key of the same table already leads with: ``tenant_id`` on 22
tables (a unique key or index starting with ``tenant_id`` serves every query they served) and ``case_id`` on
``case_task`` and ``pending_timer`` (led by their ``(case_id, task_uuid)`` keys).  Each cost every insert an
index entry for nothing.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_LED = (
    "access_log",
    "batch_run",
    "batch_schedule",
    "case",
    "case_task",
    "certificate_issuance",
    "csv_import",
    "csv_import_row",
    "flow_scenario",
    "household",
    "immigration_notice",
    "integration_destination",
    "koseki_notice_inbox",
    "number_sequence",
    "outbox_message",
    "process_definition",
    "relay_inbox",
    "removed_record_archive",
    "resident",
    "resident_code_pool_entry",
    "resident_history",
    "subject_lock",
)
CASE_LED = ("case_task", "pending_timer")


def _covered() -> list[tuple[str, str, str]]:
    return [(f"ix_{t}_tenant_id", t, "tenant_id") for t in TENANT_LED] + [
        (f"ix_{t}_case_id", t, "case_id") for t in CASE_LED
    ]


def upgrade() -> None:
    for name, table, _column in _covered():
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in _covered():
        op.create_index(name, table, [column])
