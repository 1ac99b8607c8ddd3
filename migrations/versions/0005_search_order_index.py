"""The kana-search index carries the search order (kana_key, atena_number), so a page of hits is read in
index order and a common two-kana prefix is never sorted in full (j320)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_resident_tenant_kana", table_name="resident")
    op.create_index("ix_resident_tenant_kana", "resident", ["tenant_id", "kana_key", "atena_number"])


def downgrade() -> None:
    op.drop_index("ix_resident_tenant_kana", table_name="resident")
    op.create_index("ix_resident_tenant_kana", "resident", ["tenant_id", "kana_key"])
