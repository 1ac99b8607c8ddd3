"""Two reads of every 転入 made cheap on a large register.

- A partial index of the 除票 by 氏 and 生年月日 (``ix_resident_removed_name``): the 再転入 check (j600) looks
  for removed persons with an entered person's name and birth date, and through ``ix_resident_tenant_birth``
  it read every current resident born that day as well (thousands in a large city's register) only to drop
  them by status.
- The 住民票コード pool's drawing order (``draw_key``, random, drawn when a code is stored; existing codes get
  theirs here): the next code is the free one with the lowest key, read from
  ``ix_resident_code_pool_draw`` (tenant, taken, draw_key), which replaces ``ix_resident_code_pool_free``
  (tenant, taken), instead of sorting every free code by ``random()`` (and planning that statement anew) at
  each 本登録.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMOVED = "status = 'removed'"
POOL = "resident_code_pool_entry"


def upgrade() -> None:
    op.create_index(
        "ix_resident_removed_name",
        "resident",
        ["tenant_id", "family_name", "birth_date"],
        postgresql_where=sa.text(REMOVED),
        sqlite_where=sa.text(REMOVED),
    )
    op.add_column(POOL, sa.Column("draw_key", sa.Integer(), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    drawn = "floor(random() * 2147483647)::integer" if postgresql else "abs(random()) % 2147483647"
    op.execute(f"UPDATE {POOL} SET draw_key = {drawn}")
    with op.batch_alter_table(POOL) as batch:
        batch.alter_column("draw_key", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_resident_code_pool_free", table_name=POOL)
    op.create_index("ix_resident_code_pool_draw", POOL, ["tenant_id", "taken", "draw_key"])


def downgrade() -> None:
    op.drop_index("ix_resident_code_pool_draw", table_name=POOL)
    op.create_index("ix_resident_code_pool_free", POOL, ["tenant_id", "taken"])
    with op.batch_alter_table(POOL) as batch:
        batch.drop_column("draw_key")
    op.drop_index("ix_resident_removed_name", table_name="resident")
