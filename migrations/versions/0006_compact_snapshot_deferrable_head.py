"""History snapshots as ``json`` (stored compact, see models.snapshot) and the household's head link
deferrable, so the bulk loader writes each household with its head before the residents (issue 2)

On SQLite the snapshot is JSON text already, and only the foreign key is recreated (batch mode copies the
table; ``migrations/env.py`` runs SQLite migrations with foreign keys off and checks them afterwards).  On PostgreSQL the type change rewrites ``resident_history``; snapshots written compact stay compact
after a downgrade (``models.snapshot.expand_snapshot`` reads both forms).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEAD_LINK = "fk_household_head_resident_id_resident"


def _recreate_head_link(**options: object) -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_constraint(HEAD_LINK, type_="foreignkey")
        batch_op.create_foreign_key(HEAD_LINK, "resident", ["head_resident_id"], ["id"], **options)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _recreate_head_link(deferrable=True, initially="IMMEDIATE")
        return
    op.execute("ALTER TABLE resident_history ALTER COLUMN snapshot TYPE json USING snapshot::json")
    op.execute(f"ALTER TABLE household ALTER CONSTRAINT {HEAD_LINK} DEFERRABLE INITIALLY IMMEDIATE")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _recreate_head_link()
        return
    op.execute(f"ALTER TABLE household ALTER CONSTRAINT {HEAD_LINK} NOT DEFERRABLE")
    op.execute("ALTER TABLE resident_history ALTER COLUMN snapshot TYPE jsonb USING snapshot::jsonb")
