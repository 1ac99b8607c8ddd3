"""certificate_issuance rows are kept: triggers refuse DELETE (and TRUNCATE on PostgreSQL) (j300)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION certificate_issuance_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'certificate_issuance rows are kept: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$""",
    "CREATE TRIGGER certificate_issuance_no_delete BEFORE DELETE ON certificate_issuance "
    "FOR EACH ROW EXECUTE FUNCTION certificate_issuance_refuse_delete()",
    "CREATE TRIGGER certificate_issuance_no_truncate BEFORE TRUNCATE ON certificate_issuance "
    "FOR EACH STATEMENT EXECUTE FUNCTION certificate_issuance_refuse_delete()",
)
SQLITE = (
    "CREATE TRIGGER certificate_issuance_no_delete BEFORE DELETE ON certificate_issuance "
    "BEGIN SELECT RAISE(ABORT, 'certificate_issuance rows are kept: DELETE refused'); END",
)


def upgrade() -> None:
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS certificate_issuance_no_truncate ON certificate_issuance")
        op.execute("DROP TRIGGER IF EXISTS certificate_issuance_no_delete ON certificate_issuance")
        op.execute("DROP FUNCTION IF EXISTS certificate_issuance_refuse_delete()")
    else:
        op.execute("DROP TRIGGER IF EXISTS certificate_issuance_no_delete")
