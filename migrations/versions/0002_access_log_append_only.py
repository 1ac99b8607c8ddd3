"""access_log is append-only: triggers refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'access_log is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$""",
    "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
    "FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change()",
    "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change()",
)
SQLITE = (
    "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only: DELETE refused'); END",
)


def upgrade() -> None:
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_append_only ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_delete")
