"""A partial index of the 除票 by 氏 and 生年月日 (``ix_resident_removed_name``): the 再転入 check of every
転入 (j600) looks for removed persons with an entered person's name and birth date, and through
``ix_resident_tenant_birth`` it read every current resident born that day as well (thousands in a large city's
register) only to drop them by status.

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


def upgrade() -> None:
    op.create_index(
        "ix_resident_removed_name",
        "resident",
        ["tenant_id", "family_name", "birth_date"],
        postgresql_where=sa.text(REMOVED),
        sqlite_where=sa.text(REMOVED),
    )


def downgrade() -> None:
    op.drop_index("ix_resident_removed_name", table_name="resident")
